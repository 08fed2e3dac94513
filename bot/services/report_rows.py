"""The manager report as typed rows with named fields: what :mod:`bot.services.reports` counts
and :mod:`bot.render.reports` / :mod:`bot.render.charts` show. Every ratio is computed by
:mod:`bot.domain.metrics` (its one definition)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import tzinfo
from zoneinfo import ZoneInfo

from bot.domain import metrics
from bot.services.experiments import Experiment
from bot.storage.reporting import ActivityFilter

_ratio = metrics.ratio


@dataclass(frozen=True, slots=True)
class Basic:
    companies_entered: int
    companies_lost: int
    calls_made: int
    messages_sent: int
    messages_by_channel: dict[str, int]
    sql_booked: int
    fit_overrides: int = 0
    """Cadences started on leads outside the ICP after the rep confirmed (fit before effort)."""


@dataclass(frozen=True, slots=True)
class ChannelRate:
    channel: str
    attempts: int
    replies: int

    @property
    def rate(self) -> float | None:
        return _ratio(self.replies, self.attempts)


@dataclass(frozen=True, slots=True)
class FunnelStep:
    stage: str
    reached: int
    conversion: float | None
    """reached ÷ reached at the previous stage (None for the first stage or when 0)."""


@dataclass(frozen=True, slots=True)
class LossRow:
    campaign: str
    stage: str | None
    reason: str | None
    losses: int


@dataclass(frozen=True, slots=True)
class NoShows:
    held: int
    no_shows: int
    other: int
    """Scheduled, rescheduled or cancelled meetings that started in the period."""
    reasons: dict[str, int]

    @property
    def rate(self) -> float | None:
        """:func:`bot.domain.metrics.no_show_rate`."""
        return metrics.no_show_rate(self.held, self.no_shows)


#: The additive counts of a campaign row: a total row is their sum.
COUNT_FIELDS = (
    "list_companies",
    "entered",
    "lost",
    "calls",
    "effective_calls",
    "messages",
    "sql",
    "decision_makers",
    "influencers",
    "intent_45d",
    "intent_90d",
    "proposals",
    "sales",
)


@dataclass(slots=True)
class CampaignRow:
    """Counts and the advanced (PDCA) ratios of one campaign (or all of them)."""

    campaign: str
    list_companies: int = 0
    entered: int = 0
    lost: int = 0
    calls: int = 0
    effective_calls: int = 0
    messages: int = 0
    sql: int = 0
    decision_makers: int = 0
    influencers: int = 0
    intent_45d: int = 0
    intent_90d: int = 0
    proposals: int = 0
    sales: int = 0
    funnel: list[FunnelStep] = field(default_factory=list)

    @property
    def effective_rate(self) -> float | None:
        return _ratio(self.effective_calls, self.calls)

    @property
    def list_per_sql(self) -> float | None:
        return _ratio(self.list_companies, self.sql)

    def per_sql(self, count: int) -> float | None:
        return _ratio(count, self.sql)


@dataclass(frozen=True, slots=True)
class RepActivity:
    rep_id: int
    name: str
    touches: int
    calls: int
    messages: int
    sql: int
    active_days: int
    working_days: int

    @property
    def per_working_day(self) -> float | None:
        return _ratio(self.touches, self.working_days)

    @property
    def per_active_day(self) -> float | None:
        return _ratio(self.touches, self.active_days)


@dataclass(frozen=True, slots=True)
class Adoption:
    weeks: list[tuple[str, int]]
    """(ISO week "2025-W07", reps who logged at least one touch that week)."""
    reps: list[RepActivity]


@dataclass(slots=True)
class RepCounts:
    """A rep's touches in the period, counted as the report counts them (see the module)."""

    touches: int = 0
    calls: int = 0
    messages: int = 0
    sql: int = 0


@dataclass(frozen=True, slots=True)
class TaskRow:
    """A rep's follow-ups due in the period (:func:`bot.domain.tasks.counts_per_rep`)."""

    rep_id: int
    name: str
    due: int
    done: int
    overdue: int


@dataclass(frozen=True, slots=True)
class Report:
    filter: ActivityFilter
    basic: Basic
    reply_rates: list[ChannelRate]
    funnel: list[FunnelStep]
    campaigns: list[CampaignRow]
    total: CampaignRow
    losses: list[LossRow]
    no_shows: NoShows
    sql_by_campaign_rep: dict[tuple[str, int], int]
    rep_names: dict[int, str]
    experiments: list[Experiment]
    adoption: Adoption
    tasks: list[TaskRow] = field(default_factory=list)
    """Follow-ups due in the period per rep: due, done, overdue (open past their moment)."""

    @property
    def zone(self) -> tzinfo:
        """The zone the report's days are counted in (its period is shown in it): the filter's."""
        return ZoneInfo(self.filter.zone)

    @property
    def empty(self) -> bool:
        b = self.basic
        return not (
            b.companies_entered
            or b.calls_made
            or b.messages_sent
            or b.sql_booked
            or b.companies_lost
            or b.fit_overrides
            or self.adoption.reps
            or self.tasks
        )
