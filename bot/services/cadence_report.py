"""Results per cadence: what each cadence of the playbook gets (touches, replies, SQL), its
A/B results, and the recycled leads — the figures ``/cadencias`` and ``cadencia cadences``
show, recounted from the raw rows by ``tests/oracle/test_cadences_oracle.py``."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from bot.domain.vocabulary import CadenceEventKind, Role
from bot.services.runtime import Runtime
from bot.services.team import NotAllowed
from bot.services.views import MemberLike
from bot.storage import cadence_events
from bot.storage.cadence_events import CadenceRow

#: The period ``/cadencias`` covers.
DAYS = 30
#: The name shown for touches logged before cadences had ids.
UNNAMED = "—"


def rate(part: int, whole: int) -> float | None:
    """``part`` ÷ ``whole`` as a percentage with one decimal, ``None`` when nothing to divide."""
    return round(100 * part / whole, 1) if whole else None


@dataclass(frozen=True, slots=True)
class Figures:
    touches: int = 0
    leads: int = 0
    replies: int = 0
    meetings: int = 0

    @property
    def reply_rate(self) -> float | None:
        return rate(self.replies, self.touches)

    def plus(self, row: CadenceRow) -> Figures:
        return Figures(self.touches + row.touches, self.leads, self.replies + row.replies, self.meetings + row.meetings)

    def with_leads(self, leads: int) -> Figures:
        return Figures(self.touches, leads, self.replies, self.meetings)


@dataclass(frozen=True, slots=True)
class VariantLine:
    script_id: str
    variant: str
    figures: Figures


@dataclass(frozen=True, slots=True)
class CadenceLine:
    cadence_id: str | None
    title: str
    figures: Figures
    moved_in: int = 0
    variants: list[VariantLine] = field(default_factory=list)
    """The A/B lines of the scripts that have more than one variant."""


@dataclass(frozen=True, slots=True)
class CadenceReport:
    start: datetime
    end: datetime
    cadences: list[CadenceLine]
    recycled_leads: int
    recycled: Figures
    recycles_waiting: int
    reopened: int
    moved: int


def cadence_report(
    runtime: Runtime, member: MemberLike, *, days: int = DAYS, campaign: str | None = None
) -> CadenceReport:
    """The last ``days`` days, per cadence (managers only: :class:`NotAllowed`). A variant
    line's ``leads`` is left at 0 (its touches, replies and SQL are what A/B compares)."""
    if member.role != Role.MANAGER:
        raise NotAllowed(f"member {member.id} may not see the cadence report")
    end = runtime.now()
    start = end - timedelta(days=days)
    with runtime.reading() as session:
        rows = cadence_events.cadence_rows(session, start=start, end=end, campaign=campaign)
        leads = cadence_events.cadence_leads(session, start=start, end=end, campaign=campaign)
        events = cadence_events.event_counts(session, start=start, end=end, campaign=campaign)
        waiting = cadence_events.recycles_due(session)
    return build(runtime, rows, leads, events, waiting, start, end)


def build(
    runtime: Runtime,
    rows: list[CadenceRow],
    leads: tuple[list[tuple[str | None, int]], int],
    events: list[tuple[str, str | None, int]],
    waiting: int,
    start: datetime,
    end: datetime,
) -> CadenceReport:
    playbook = runtime.playbook
    per_cadence: dict[str | None, Figures] = defaultdict(Figures)
    per_variant: dict[tuple[str | None, str, str], Figures] = defaultdict(Figures)
    recycled = Figures()
    for row in rows:
        per_cadence[row.cadence_id] = per_cadence[row.cadence_id].plus(row)
        if row.script_id and row.variant:
            key = (row.cadence_id, row.script_id, row.variant)
            per_variant[key] = per_variant[key].plus(row)
        if row.recycled:
            recycled = recycled.plus(row)
    lead_counts = dict(leads[0])
    recycled_leads = leads[1]
    moved_in: dict[str | None, int] = defaultdict(int)
    counts: dict[str, int] = defaultdict(int)
    for kind, to_cadence, n in events:
        counts[kind] += n
        if kind == CadenceEventKind.MOVED:
            moved_in[to_cadence] += n
    order = {c.id: i for i, c in enumerate(playbook.cadence.cadences)}
    lines = []
    for cadence_id in sorted(per_cadence, key=lambda c: (order.get(c or "", len(order)), c or "")):
        known = playbook.cadence.get(cadence_id)
        variants = [
            VariantLine(script, variant, figures)
            for (cid, script, variant), figures in sorted(per_variant.items(), key=lambda item: item[0][1:])
            if cid == cadence_id and len(playbook.scripts.get(script, _ONE).variants) > 1
        ]
        title = known.title if known else (cadence_id or UNNAMED)
        figures = per_cadence[cadence_id].with_leads(lead_counts.get(cadence_id, 0))
        lines.append(CadenceLine(cadence_id, title, figures, moved_in[cadence_id], variants))
    return CadenceReport(
        start=start,
        end=end,
        cadences=lines,
        recycled_leads=counts[CadenceEventKind.RECYCLED],
        recycled=recycled.with_leads(recycled_leads),
        recycles_waiting=waiting,
        reopened=counts[CadenceEventKind.REOPENED],
        moved=counts[CadenceEventKind.MOVED],
    )


class _OneVariant:
    variants = {"A": None}


_ONE = _OneVariant()
