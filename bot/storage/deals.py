"""Deal values and the rows the unit economics are computed from.

Keyword-only functions that take the session and never commit (the service's transaction does).
The unit economics read, for the report's period and filters (:class:`ActivityFilter`):

- :func:`touches_by_lead`: touches per lead, channel and outcome (what costs are shared by, and the
  SQL counted per channel and segment);
- :func:`meetings_held_by_lead`, :func:`decisions`: meetings held, deals won and lost;
- :func:`leads_with_values`: the leads those rows name, with their facts and deal values;
- :func:`open_deals`: today's open leads with a value, for the pipeline and the forecast.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from bot.domain.vocabulary import OPEN_STAGES, MeetingStatus, Stage
from bot.storage.models import DealValue, Lead, Meeting, Member, StageChange, Touch
from bot.storage.reporting import (
    ActivityFilter,
    _dialect,
    _no_range,
    stage_change_conditions,
    touch_conditions,
)

_BEGINNING = datetime(2000, 1, 1, tzinfo=UTC)
"""Before any touch (the bot reads no date before 2000)."""

OPPORTUNITY_STAGES = (Stage.MEETING_HELD.value, Stage.PROPOSAL_SENT.value)
"""A deal is decided (for the win rate) when it leaves one of these: won, or lost from here."""


def get_deal(session: Session, *, lead_id: int) -> DealValue | None:
    return session.get(DealValue, lead_id)


def put_deal(
    session: Session,
    *,
    lead_id: int,
    monthly_cents: int,
    setup_cents: int,
    months: int | None,
    stage: str,
    set_by: int | None,
    at: datetime,
) -> DealValue:
    """Write a lead's deal value (the latest typed wins)."""
    row = session.get(DealValue, lead_id) or DealValue(lead_id=lead_id, monthly_cents=0, stage=stage)
    row.monthly_cents, row.setup_cents, row.months = monthly_cents, setup_cents, months
    row.stage, row.set_by, row.set_at = stage, set_by, at
    session.add(row)
    session.flush()
    return row


def touches_by_lead(session: Session, f: ActivityFilter) -> list[tuple[int, str, str, int]]:
    """(lead_id, channel, outcome, touches) in the period, for the filters (``ix_touches_lead_period``)."""
    dialect = _dialect(session)
    # From the beginning too, a range on the moment, and the lead hidden from the planner: the
    # covering moment-first index is read (then grouped), never the rows by the lead index.
    sought = f if f.start is not None else replace(f, start=_BEGINNING)
    keys = (_no_range(col(Touch.lead_id), dialect), col(Touch.channel), col(Touch.outcome))
    statement = select(*keys, func.count()).where(*touch_conditions(sought, dialect=dialect)).group_by(*keys)
    return [(int(r[0]), r[1], r[2], int(r[3])) for r in session.execute(statement)]


def touches_in_period(session: Session, f: ActivityFilter) -> int:
    """Every touch of the team in the period (no campaign or rep filter): what costs are shared by."""
    everyone = ActivityFilter(f.start, f.end, zone=f.zone)
    return int(session.execute(select(func.count()).select_from(Touch).where(*touch_conditions(everyone))).scalar_one())


def touch_span(session: Session) -> tuple[datetime | None, datetime | None]:
    """The team's first and last touch: where a report without a start (an end) counts costs from (to)."""
    row = session.execute(select(func.min(col(Touch.happened_at)), func.max(col(Touch.happened_at)))).one()
    return row[0], row[1]


def meetings_held_by_lead(session: Session, f: ActivityFilter) -> list[tuple[int, int]]:
    """(lead_id, meetings held) for meetings that started in the period, for the filters."""
    conditions: list[Any] = [col(Meeting.status) == MeetingStatus.HELD.value]
    if f.start is not None:
        conditions.append(col(Meeting.starts_at) >= f.start)
    if f.end is not None:
        conditions.append(col(Meeting.starts_at) < f.end)
    if f.campaign is not None:
        # With a period, the campaign is checked on the rows the period's range finds: written as
        # ``campaign || ''`` so SQLite's planner does not seek the campaign's whole history
        # instead (ix_meetings_outcomes), which grows with time (tests/services/test_report_reads.py).
        campaign = col(Meeting.campaign) + "" if f.start is not None else col(Meeting.campaign)
        conditions.append(campaign == f.campaign)
    if f.rep_id is not None:
        conditions.append(col(Meeting.rep_id) == f.rep_id)
    statement = select(col(Meeting.lead_id), func.count()).where(*conditions).group_by(col(Meeting.lead_id))
    return [(int(r[0]), int(r[1])) for r in session.execute(statement)]


def decisions(session: Session, f: ActivityFilter) -> list[tuple[int, str, datetime]]:
    """(lead_id, ``won`` or ``lost``, when) for deals decided in the period: every win, and the
    losses of leads that had reached a held meeting or a proposal (an opportunity)."""
    dialect = _dialect(session)
    to_stage = _no_range(col(StageChange.to_stage), dialect)  # the period is sought (or all read in order)
    won = to_stage == Stage.WON.value
    lost = (to_stage == Stage.LOST.value) & col(StageChange.from_stage).in_(OPPORTUNITY_STAGES)
    statement = select(col(StageChange.lead_id), col(StageChange.to_stage), col(StageChange.at)).where(
        won | lost, *stage_change_conditions(f, dialect=dialect)
    )
    return [(int(r[0]), r[1], r[2]) for r in session.execute(statement)]


DealTerms = tuple[int, int, int | None]
"""(monthly cents, set-up cents, months) of a typed deal value."""


_CHUNK = 500


def leads_with_values(session: Session, lead_ids: Collection[int]) -> list[tuple[Lead, DealTerms | None, str | None]]:
    """The leads named, each with its deal value and the channel of its latest SQL touch."""
    found: list[tuple[Lead, DealTerms | None, str | None]] = []
    ids = sorted(set(lead_ids))
    for start in range(0, len(ids), _CHUNK):
        chunk = ids[start : start + _CHUNK]
        rows = session.execute(
            select(Lead, DealValue)
            .outerjoin(DealValue, col(DealValue.lead_id) == col(Lead.id))
            .where(col(Lead.id).in_(chunk))
        ).all()
        channels: dict[int, str] = {}
        # Each lead's own touches, sought by its key (a lead has tens, whatever the history).
        touched = session.execute(
            select(col(Touch.lead_id), col(Touch.channel), col(Touch.outcome))
            .where(col(Touch.lead_id).in_(chunk))
            .order_by(col(Touch.lead_id), col(Touch.happened_at), col(Touch.id))
        )
        for lead_id, channel, outcome in touched:
            if outcome == "meeting_booked":
                channels[int(lead_id)] = channel  # the latest wins
        for lead, deal in rows:
            value = (deal.monthly_cents, deal.setup_cents, deal.months) if deal is not None else None
            found.append((lead, value, channels.get(lead.id)))
    return found


def open_deals(session: Session, *, campaign: str | None, owner_id: int | None) -> list[tuple[str, int]]:
    """(stage, monthly cents) of every open lead with a value, for the campaign and owner."""
    open_values = [stage.value for stage in OPEN_STAGES]
    statement = (
        select(col(Lead.stage), col(DealValue.monthly_cents))
        .join(DealValue, col(DealValue.lead_id) == col(Lead.id))
        .where(col(Lead.stage).in_(open_values))
    )
    if campaign is not None:
        statement = statement.where(col(Lead.campaign) == campaign)
    if owner_id is not None:
        statement = statement.where(col(Lead.owner_id) == owner_id)
    return [(r[0], int(r[1])) for r in session.execute(statement)]


def cost_team(session: Session, *, rep_id: int | None) -> list[tuple[int, str]]:
    """(telegram_id, role) of the active members whose cost counts (one rep when asked)."""
    statement = select(col(Member.telegram_id), col(Member.role)).where(col(Member.active).is_(True))
    if rep_id is not None:
        statement = statement.where(col(Member.id) == rep_id)
    return [(int(r[0]), r[1]) for r in session.execute(statement)]
