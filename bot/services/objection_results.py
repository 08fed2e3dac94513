"""Objections: which ones a prospect's words sound like, and which answers led to a meeting.

The answer a rep read is the playbook's answer of the objection in the version the touch was
logged with, so results are per objection and playbook version: when a manager rewrites an
answer, the new version's line shows whether it books more meetings.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.domain.objection_match import Match, best_matches
from bot.domain.vocabulary import Outcome, Role
from bot.services.runtime import Runtime
from bot.services.views import MemberLike
from bot.storage import objection_stats


def matching(runtime: Runtime, heard: str) -> list[Match]:
    """The top three objections of the playbook in force closest to what the prospect said."""
    return best_matches(heard, ((o.id, o.recognise) for o in runtime.playbook.objections))


@dataclass(frozen=True, slots=True)
class ObjectionResult:
    objection_id: str
    label: str
    version: str
    """The playbook version whose answer was read ("" when only one version was used)."""
    raised: int
    booked: int
    """Touches where the answer led straight to a booked meeting (📅 after the answer)."""

    @property
    def rate(self) -> str:
        return f"{round(100 * self.booked / self.raised)}%" if self.raised else "—"


def results(runtime: Runtime, member: MemberLike) -> list[ObjectionResult]:
    """Per objection and playbook version, most raised first: the whole team for a manager,
    the rep's own touches for a rep."""
    rep_id = None if member.role == Role.MANAGER else member.id
    with runtime.reading() as session:
        counts = objection_stats.objection_counts(session, booked_outcome=Outcome.MEETING_BOOKED.value, rep_id=rep_id)
    labels = {o.id: o.label for o in runtime.playbook.objections}
    versions = {version for _, version, _, _ in counts}
    lines = [
        ObjectionResult(
            objection, labels.get(objection, objection), version if len(versions) > 1 else "", raised, booked
        )
        for objection, version, raised, booked in counts
    ]
    return sorted(lines, key=lambda r: (-r.raised, r.label, r.version))
