"""Unit economics of a report's period: average ticket, CAC, LTV, LTV/CAC, payback, cost per SQL
and per meeting held, win rate and sales cycle — for the whole report and per campaign, segment
and channel — plus today's pipeline by stage and the weighted forecast.

Two steps, so the report's queries stay in one read snapshot and the playbook's costs stay out of
the queries: :func:`gather` reads the raw rows (:class:`EconomicsInputs`, kept in the report) and
:func:`unit_economics` turns them into figures with the playbook's ``economics.yaml``. Every
formula is :mod:`bot.domain.economics`'s; here only what goes into them:

- **slices**: a won or lost deal, a held meeting and an SQL belong to the lead's campaign and
  segment (:func:`~bot.domain.economics.segment_for`, the lead's facts today), and to the channel
  the lead's SQL was booked on (its latest ``meeting_booked`` touch; "" when none); a touch
  belongs to its own channel;
- **costs** of the period: the team's monthly costs (every active member whose role or own cost
  ``economics.yaml`` gives — a rep with neither makes the costs "—") and the tools, times the
  period's months (each calendar month counts the share of its days in the period), plus the
  lists bought. A slice carries the share of those costs its touches are of the team's touches
  in the period; a campaign's own lists go to that campaign whole;
- **win rate**: won / (won + lost after a held meeting or a proposal);
- **LTV** of a slice that is not a segment uses the mean churn of its won deals' segments (missing
  when one of them has no segment or churn).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from bot.domain import economics as e
from bot.domain import metrics
from bot.domain.economics import Deal, Figure
from bot.domain.facts import LeadFacts
from bot.domain.playbook.model import Economics
from bot.domain.vocabulary import OPEN_STAGES, Stage
from bot.services.economics_costs import lists_by_campaign, period_months, share_of, shared_costs, slice_costs
from bot.services.views import facts_of
from bot.storage import deals as store
from bot.storage.reporting import ActivityFilter

if TYPE_CHECKING:
    from sqlmodel import Session


@dataclass(frozen=True, slots=True)
class LeadDeal:
    """A lead as the unit economics see it: campaign, creation, facts (its segment) and deal value."""

    lead_id: int
    campaign: str
    created_at: datetime
    facts: LeadFacts
    deal: tuple[int, int, int | None] | None
    """(monthly cents, set-up cents, months) when a value was typed."""
    sql_channel: str | None
    """The channel of the lead's latest SQL touch (``meeting_booked``), if any."""


class Dimension:
    TOTAL = "total"
    CAMPAIGN = "campaign"
    SEGMENT = "segment"
    CHANNEL = "channel"


@dataclass(frozen=True, slots=True)
class EconomicsInputs:
    """The rows of the period the figures come from (see the module)."""

    start: datetime | None
    end: datetime | None
    zone: str
    campaign: str | None
    rep_scoped: bool
    touches: list[tuple[int, str, str, int]]
    team_touches: int
    held: list[tuple[int, int]]
    decided: list[tuple[int, str, datetime]]
    leads: dict[int, LeadDeal]
    open_deals: list[tuple[str, int]]
    team: list[tuple[int, str]]


def gather(session: Session, f: ActivityFilter) -> EconomicsInputs:
    """Read the period's rows (in the report's snapshot). A period without a start counts costs from
    the team's first touch; one without an end, to its last touch."""
    touches = store.touches_by_lead(session, f)
    held = store.meetings_held_by_lead(session, f)
    decided = store.decisions(session, f)
    first, last = store.touch_span(session) if f.start is None or f.end is None else (None, None)
    ids = {lead for lead, *_ in touches} | {lead for lead, _ in held} | {lead for lead, *_ in decided}
    return EconomicsInputs(
        start=f.start or first,
        end=f.end or (last + timedelta(microseconds=1) if last else None),
        zone=f.zone,
        campaign=f.campaign,
        rep_scoped=f.rep_id is not None,
        touches=touches,
        team_touches=store.touches_in_period(session, f),
        held=held,
        decided=decided,
        leads={
            lead.id or 0: LeadDeal(lead.id or 0, lead.campaign, lead.created_at, facts_of(lead), deal, channel)
            for lead, deal, channel in store.leads_with_values(session, ids)
        },
        open_deals=store.open_deals(session, campaign=f.campaign, owner_id=f.rep_id),
        team=store.cost_team(session, rep_id=None),
    )


@dataclass(frozen=True, slots=True)
class Slice:
    """The figures of one slice of the report: the whole (``total``), a campaign, segment or channel."""

    dimension: str
    key: str
    label: str
    touches: int
    sqls: int
    meetings_held: int
    won: int
    lost: int
    won_with_value: int
    won_monthly_cents: int
    """Σ monthly value of the won deals with a value (a figure a manager can recount)."""
    costs: Figure
    ticket: Figure
    setup: Figure
    """The average set-up fee of the won deals with a value (an input of the LTV and payback)."""
    cac: Figure
    ltv: Figure
    ltv_cac: Figure
    payback: Figure
    cost_per_sql: Figure
    cost_per_meeting: Figure
    win_rate: Figure
    cycle: Figure

    @property
    def ltv_cac_verdict(self) -> str | None:
        return e.ltv_cac_verdict(self.ltv_cac)

    @property
    def payback_verdict(self) -> str | None:
        return e.payback_verdict(self.payback)


@dataclass(frozen=True, slots=True)
class UnitEconomics:
    total: Slice
    campaigns: list[Slice]
    segments: list[Slice]
    channels: list[Slice]
    months: Decimal | None
    pipeline: dict[str, int]
    forecast: Figure
    configured: bool
    """Whether the playbook has an ``economics.yaml`` (without one, money figures say so)."""
    segment_labels: dict[str, str] = field(default_factory=dict)

    @property
    def pipeline_total(self) -> int:
        return sum(self.pipeline.values())

    @property
    def empty(self) -> bool:
        t = self.total
        return not (t.won or t.lost or t.sqls or t.meetings_held or self.pipeline)


@dataclass
class _Counts:
    touches: int = 0
    sqls: int = 0
    held: int = 0
    won: list[LeadDeal] = field(default_factory=list)
    won_at: list[date] = field(default_factory=list)
    lost: int = 0


def unit_economics(inputs: EconomicsInputs, economics: Economics | None) -> UnitEconomics:
    """The figures of the period for the playbook's ``economics.yaml`` (``None``: no file)."""
    zone = ZoneInfo(inputs.zone)
    months = (
        period_months(inputs.start.astimezone(zone).date(), inputs.end.astimezone(zone).date())
        if inputs.start is not None and inputs.end is not None
        else None
    )
    segment_of = _segmenter(inputs, economics)

    def sql_channel(lead_id: int) -> str:
        found = inputs.leads.get(lead_id)
        return (found.sql_channel or "") if found else ""

    def campaign_of(lead_id: int) -> str:
        found = inputs.leads.get(lead_id)
        return found.campaign if found else ""

    keyers: dict[str, Callable[[int], str]] = {
        Dimension.CAMPAIGN: campaign_of,
        Dimension.SEGMENT: segment_of,
        Dimension.CHANNEL: sql_channel,
    }
    counts: dict[tuple[str, str], _Counts] = defaultdict(_Counts)

    def add(lead_id: int, apply: Callable[[_Counts], None], channel: str | None = None) -> None:
        apply(counts[(Dimension.TOTAL, "")])
        for dimension, key_of in keyers.items():
            key = channel if dimension == Dimension.CHANNEL and channel is not None else key_of(lead_id)
            apply(counts[(dimension, key)])

    for lead_id, channel, outcome, n in inputs.touches:

        def touched(c: _Counts, n: int = n, outcome: str = outcome) -> None:
            c.touches += n
            c.sqls += n if metrics.touch_is_sql(outcome) else 0

        add(lead_id, touched, channel)
    for lead_id, n in inputs.held:
        add(lead_id, lambda c, n=n: setattr(c, "held", c.held + n))  # type: ignore[misc]
    for lead_id, to_stage, at in inputs.decided:
        lead = inputs.leads.get(lead_id)
        if to_stage == Stage.WON.value and lead is not None:

            def won(c: _Counts, lead: LeadDeal = lead, at: datetime = at) -> None:
                c.won.append(lead)
                c.won_at.append(at.astimezone(zone).date())

            add(lead_id, won)
        elif to_stage == Stage.LOST.value:
            add(lead_id, lambda c: setattr(c, "lost", c.lost + 1))

    shared = shared_costs(inputs.team, economics, months)
    lists = lists_by_campaign(economics)
    whole_team = inputs.campaign is None and not inputs.rep_scoped
    labels = {s.id: str(s.label) for s in economics.segments} if economics else {}

    def build(dimension: str, key: str) -> Slice:
        c = counts[(dimension, key)]
        whole = dimension == Dimension.TOTAL and whole_team
        if dimension == Dimension.CAMPAIGN:
            own = Decimal(lists.get(key, 0))  # a campaign's own lists go to it whole
        elif dimension == Dimension.TOTAL and inputs.campaign is not None:
            own = Decimal(lists.get(inputs.campaign, 0))
        elif whole:
            own = Decimal(sum(lists.values()))
        else:
            own = share_of(sum(lists.values()), c.touches, inputs.team_touches)
        costs = slice_costs(shared, own, touches=c.touches, team_touches=inputs.team_touches, whole=whole)
        churn = _churn(economics, dimension, key, c.won, segment_of)
        return _figures(dimension, key, labels.get(key, key), c, costs, economics, churn, zone)

    def slices(dimension: str) -> list[Slice]:
        keys = sorted({key for d, key in counts if d == dimension})
        built = [build(dimension, key) for key in keys]
        return sorted(built, key=lambda s: (-s.won, -s.sqls, s.key))

    summed = e.pipeline_by_stage(inputs.open_deals)
    by_stage: dict[str, int] = {str(s.value): summed[s.value] for s in OPEN_STAGES if s.value in summed}
    return UnitEconomics(
        total=build(Dimension.TOTAL, ""),
        campaigns=slices(Dimension.CAMPAIGN),
        segments=slices(Dimension.SEGMENT) if economics is not None and economics.segments else [],
        channels=slices(Dimension.CHANNEL),
        months=months,
        pipeline=by_stage,
        forecast=e.weighted_forecast(by_stage, economics.probabilities() if economics else None),
        configured=economics is not None,
        segment_labels=labels,
    )


def _segmenter(inputs: EconomicsInputs, economics: Economics | None) -> Callable[[int], str]:
    cache: dict[int, str] = {}

    def segment_of(lead_id: int) -> str:
        if lead_id not in cache:
            found = inputs.leads.get(lead_id)
            segment = e.segment_for(economics, found.facts) if found is not None else None
            cache[lead_id] = segment.id if segment is not None else ""
        return cache[lead_id]

    return segment_of


def _churn(
    economics: Economics | None, dimension: str, key: str, won: list[LeadDeal], segment_of: Callable[[int], str]
) -> Decimal | None:
    if economics is None:
        return None
    if dimension == Dimension.SEGMENT:
        return economics.churn(key)
    churns = [economics.churn(segment_of(lead.lead_id)) for lead in won if lead.deal is not None]
    if not churns or any(churn is None for churn in churns):
        return None
    return sum((churn for churn in churns if churn is not None), Decimal(0)) / len(churns)


def _figures(
    dimension: str,
    key: str,
    label: str,
    c: _Counts,
    cost_figure: Figure,
    economics: Economics | None,
    churn: Decimal | None,
    zone: ZoneInfo,
) -> Slice:
    costs = int(cost_figure.value) if cost_figure.value is not None else None
    deals = [Deal(*w.deal) for w in c.won if w.deal is not None]
    margin = economics.gross_margin() if economics else None
    ticket = e.average_ticket(deals)
    setup = e.average_setup(deals)
    cac = _costs_reason(e.cac(costs, len(c.won)), cost_figure)
    lifetime = e.ltv(ticket, margin, churn, setup)
    spans = [(w.created_at.astimezone(zone).date(), at) for w, at in zip(c.won, c.won_at, strict=True)]
    return Slice(
        dimension=dimension,
        key=key,
        label=label,
        touches=c.touches,
        sqls=c.sqls,
        meetings_held=c.held,
        won=len(c.won),
        lost=c.lost,
        won_with_value=len(deals),
        won_monthly_cents=sum(d.monthly_cents for d in deals),
        costs=cost_figure,
        ticket=ticket,
        setup=setup,
        cac=cac,
        ltv=lifetime,
        ltv_cac=e.ltv_cac(lifetime, cac),
        payback=e.payback_months(cac, ticket, margin, setup),
        cost_per_sql=_costs_reason(e.cost_per_sql(costs, c.sqls), cost_figure),
        cost_per_meeting=_costs_reason(e.cost_per_meeting(costs, c.held), cost_figure),
        win_rate=e.win_rate(len(c.won), c.lost),
        cycle=e.sales_cycle_days(spans),
    )


def _costs_reason(figure: Figure, costs: Figure) -> Figure:
    """A figure divided from the costs, with the costs' own reason when they are unknown."""
    if costs.value is not None or costs.missing is None:
        return figure
    return Figure(figure.unit, figure.used, missing=costs.missing, params=costs.params)
