"""Results per cadence: what each cadence of the playbook gets (touches, replies, SQL), its A/B
results, and the recycled leads — the figures ``/cadencias`` shows, recounted from the raw rows
by ``tests/oracle/test_cadences_oracle.py``.

The definitions are the report's (issue 9): an **attempt** is a touch not skipped; a **reply**
an attempt the prospect answered (:func:`bot.domain.metrics.is_reply`), the reply rate replies ÷
attempts; an **SQL** a ``meeting_booked`` touch. A/B verdicts are
:mod:`bot.services.experiments`' own, computed over one cadence's touches at a time.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from bot.domain import metrics
from bot.domain.vocabulary import CadenceEventKind, Role
from bot.services.experiments import Experiment, experiments_from_counts
from bot.services.runtime import Runtime
from bot.services.team import NotAllowed
from bot.services.views import MemberLike
from bot.storage import cadence_events
from bot.storage.cadence_events import CadenceRow

#: The period ``/cadencias`` covers.
DAYS = 30


@dataclass(frozen=True, slots=True)
class Figures:
    touches: int = 0
    """Every touch, skips included (what the rep logged)."""
    attempts: int = 0
    leads: int = 0
    replies: int = 0
    meetings: int = 0

    @property
    def reply_rate(self) -> float | None:
        """Replies ÷ attempts as a percentage with one decimal (``None``: no attempt)."""
        return round(100 * self.replies / self.attempts, 1) if self.attempts else None

    def plus(self, row: CadenceRow) -> Figures:
        n = row.touches
        return Figures(
            self.touches + n,
            self.attempts + (n if metrics.is_attempt(row.outcome) else 0),
            self.leads,
            self.replies + (n if metrics.is_reply(row.outcome) else 0),
            self.meetings + (n if metrics.touch_is_sql(row.outcome) else 0),
        )

    def with_leads(self, leads: int) -> Figures:
        return Figures(self.touches, self.attempts, leads, self.replies, self.meetings)


@dataclass(frozen=True, slots=True)
class CadenceLine:
    cadence_id: str | None
    title: str
    figures: Figures
    moved_in: int = 0
    experiments: list[Experiment] = field(default_factory=list)
    """The A/B tests of its scripts with two or more variants tried on this cadence."""


@dataclass(frozen=True, slots=True)
class CadenceReport:
    start: datetime
    end: datetime
    days: int
    cadences: list[CadenceLine]
    came_back: int
    """Leads recycled (brought back) in the period."""
    recycled: Figures
    """The touches of recycled leads in the period, and the distinct leads they touched."""
    recycles_waiting: int
    reopened: int
    moved: int


def cadence_report(
    runtime: Runtime, member: MemberLike, *, days: int = DAYS, campaign: str | None = None
) -> CadenceReport:
    """The last ``days`` days, per cadence (managers only: :class:`NotAllowed`)."""
    if member.role != Role.MANAGER:
        raise NotAllowed(f"member {member.id} may not see the cadence report")
    end = runtime.now()
    start = end - timedelta(days=days)
    with runtime.reading() as session:
        rows = cadence_events.cadence_rows(session, start=start, end=end, campaign=campaign)
        leads = cadence_events.cadence_leads(session, start=start, end=end, campaign=campaign)
        events = cadence_events.event_counts(session, start=start, end=end, campaign=campaign)
        waiting = cadence_events.recycles_due(session)
    per_cadence: dict[str | None, Figures] = defaultdict(Figures)
    per_cadence_rows: dict[str | None, list[CadenceRow]] = defaultdict(list)
    recycled = Figures()
    for row in rows:
        per_cadence[row.cadence_id] = per_cadence[row.cadence_id].plus(row)
        per_cadence_rows[row.cadence_id].append(row)
        if row.recycled:
            recycled = recycled.plus(row)
    per_lead, recycled_leads = dict(leads[0]), leads[1]
    moved_in: dict[str | None, int] = defaultdict(int)
    counts: dict[str, int] = defaultdict(int)
    for kind, to_cadence, n in events:
        counts[kind] += n
        if kind == CadenceEventKind.MOVED:
            moved_in[to_cadence] += n
    playbook = runtime.playbook
    order = {c.id: i for i, c in enumerate(playbook.cadence.cadences)}
    lines = []
    for cadence_id in sorted(per_cadence, key=lambda c: (order.get(c or "", len(order)), c or "")):
        known = playbook.cadence.get(cadence_id)
        experiments = experiments_from_counts(
            (r.script_id, r.variant, None, r.outcome, r.touches) for r in per_cadence_rows[cadence_id]
        )
        lines.append(
            CadenceLine(
                cadence_id,
                known.title if known else (cadence_id or "—"),
                per_cadence[cadence_id].with_leads(per_lead.get(cadence_id, 0)),
                moved_in[cadence_id],
                experiments,
            )
        )
    return CadenceReport(
        start=start,
        end=end,
        days=days,
        cadences=lines,
        came_back=counts[CadenceEventKind.RECYCLED],
        recycled=recycled.with_leads(recycled_leads),
        recycles_waiting=waiting,
        reopened=counts[CadenceEventKind.REOPENED],
        moved=counts[CadenceEventKind.MOVED],
    )
