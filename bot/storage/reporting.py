"""Aggregate queries behind the manager reports and the A/B results.

Every function aggregates in the database (``GROUP BY``) and returns small lists of tuples — a
few thousand rows at most, whatever the number of touches — so a report over a million touches
stays within a couple of seconds on SQLite. Services turn these tuples into named metrics.

The touch table is scanned three times per report: one wide ``GROUP BY`` (campaign, rep,
channel, outcome, playbook version, script, variant) that answers every count and rate, one
pass of ``COUNT(DISTINCT lead)`` for who was reached and purchase intent, and one pass per local
day for adoption.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, case, func, literal, or_, select, union_all
from sqlmodel import Session, col

from bot.domain.vocabulary import ContactRole, PurchaseIntent, Stage
from bot.storage.models import Lead, Meeting, Member, StageChange, Touch

#: Funnel stages in order, as ranks; ``lost`` is not a rung of the funnel.
FUNNEL: tuple[Stage, ...] = (
    Stage.NEW,
    Stage.PROSPECTING,
    Stage.CONNECTED,
    Stage.MEETING_BOOKED,
    Stage.MEETING_HELD,
    Stage.PROPOSAL_SENT,
    Stage.WON,
)

LOCAL_OFFSET_HOURS = -3
"""Brazil's main time zone (America/Sao_Paulo, UTC−3 since the end of DST in 2019): adoption
days are the team's local days, not UTC days."""


@dataclass(frozen=True, slots=True)
class ActivityFilter:
    """Which activity a report or export covers. ``start`` inclusive, ``end`` exclusive (UTC)."""

    start: datetime | None = None
    end: datetime | None = None
    campaign: str | None = None
    rep_id: int | None = None
    playbook_version: str | None = None

    def as_json(self) -> dict[str, Any]:
        return {
            "start": self.start.isoformat() if self.start else None,
            "end": self.end.isoformat() if self.end else None,
            "campaign": self.campaign,
            "rep_id": self.rep_id,
            "playbook_version": self.playbook_version,
        }


def _period(column: Any, f: ActivityFilter) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    if f.start is not None:
        conditions.append(column >= f.start)
    if f.end is not None:
        conditions.append(column < f.end)
    return conditions


def touch_conditions(f: ActivityFilter, table: Any = Touch) -> list[ColumnElement[bool]]:
    conditions = _period(col(table.happened_at), f)
    if f.campaign is not None:
        conditions.append(col(table.campaign) == f.campaign)
    if f.rep_id is not None:
        conditions.append(col(table.rep_id) == f.rep_id)
    if f.playbook_version is not None:
        conditions.append(col(table.playbook_version) == f.playbook_version)
    return conditions


def stage_change_conditions(f: ActivityFilter) -> list[ColumnElement[bool]]:
    conditions = _period(col(StageChange.at), f)
    if f.campaign is not None:
        conditions.append(col(StageChange.campaign) == f.campaign)
    if f.rep_id is not None:
        conditions.append(col(StageChange.rep_id) == f.rep_id)
    if f.playbook_version is not None:
        conditions.append(col(StageChange.playbook_version) == f.playbook_version)
    return conditions


def lead_conditions(f: ActivityFilter, *, period: bool = True) -> list[ColumnElement[bool]]:
    """Leads are not tied to a playbook version: that filter does not apply to them."""
    conditions = _period(col(Lead.created_at), f) if period else []
    if not period and f.end is not None:
        conditions.append(col(Lead.created_at) < f.end)
    if f.campaign is not None:
        conditions.append(col(Lead.campaign) == f.campaign)
    if f.rep_id is not None:
        conditions.append(col(Lead.owner_id) == f.rep_id)
    return conditions


def _meeting_conditions(f: ActivityFilter, moment: Any) -> list[ColumnElement[bool]]:
    conditions = _period(moment, f)
    if f.campaign is not None:
        conditions.append(col(Meeting.campaign) == f.campaign)
    if f.rep_id is not None:
        conditions.append(col(Meeting.rep_id) == f.rep_id)
    if f.playbook_version is not None:
        booked_on = select(col(Touch.id)).where(
            col(Touch.id) == col(Meeting.touch_id),
            col(Touch.playbook_version) == f.playbook_version,
        )
        conditions.append(booked_on.exists())
    return conditions


# ------------------------------------------------------------------------------ touches


def touch_counts(session: Session, f: ActivityFilter) -> list[tuple[Any, ...]]:
    """(campaign, rep_id, channel, outcome, playbook_version, script_id, variant, touches)."""
    keys = (
        col(Touch.campaign),
        col(Touch.rep_id),
        col(Touch.channel),
        col(Touch.outcome),
        col(Touch.playbook_version),
        col(Touch.script_id),
        col(Touch.variant),
    )
    statement = select(*keys, func.count()).where(*touch_conditions(f)).group_by(*keys)
    return [tuple(row) for row in session.execute(statement)]


def reached_counts(session: Session, f: ActivityFilter) -> list[tuple[Any, ...]]:
    """Per campaign, distinct leads where someone reached a decision maker / an influencer,
    and where the contact said they intend to buy within 45 days / within 90 days (45 included).

    (campaign, decision_makers, influencers, intent_45d, intent_90d)
    """

    def distinct_leads(condition: ColumnElement[bool]) -> Any:
        return func.count(func.distinct(case((condition, col(Touch.lead_id)), else_=None)))

    statement = (
        select(
            col(Touch.campaign),
            distinct_leads(col(Touch.contact_role) == ContactRole.DECISION_MAKER.value),
            distinct_leads(col(Touch.contact_role) == ContactRole.INFLUENCER.value),
            distinct_leads(col(Touch.intent) == PurchaseIntent.WITHIN_45_DAYS.value),
            distinct_leads(
                col(Touch.intent).in_(
                    [PurchaseIntent.WITHIN_45_DAYS.value, PurchaseIntent.WITHIN_90_DAYS.value]
                )
            ),
        )
        .where(
            *touch_conditions(f),
            or_(col(Touch.contact_role).is_not(None), col(Touch.intent).is_not(None)),
        )
        .group_by(col(Touch.campaign))
    )
    return [tuple(row) for row in session.execute(statement)]


def _local_day(session: Session, column: Any) -> Any:
    if session.get_bind().dialect.name == "sqlite":
        return func.date(column, f"{LOCAL_OFFSET_HOURS:+d} hours")
    return func.date(func.timezone("America/Sao_Paulo", column))


def touches_per_rep_day(session: Session, f: ActivityFilter) -> list[tuple[Any, int, int]]:
    """(local day, rep_id, touches) for every day a rep logged a touch (skips included: a
    skipped step is still the rep using the tool)."""
    day = _local_day(session, col(Touch.happened_at)).label("day")
    statement = (
        select(day, col(Touch.rep_id), func.count())
        .where(*touch_conditions(f))
        .group_by(day, col(Touch.rep_id))
    )
    return [(row[0], int(row[1]), int(row[2])) for row in session.execute(statement)]


# ------------------------------------------------------------------------------ SQL meetings


def sql_without_touch(session: Session, f: ActivityFilter) -> list[tuple[str, int, int]]:
    """(campaign, rep_id, meetings) booked without a ``meeting_booked`` touch in the period.

    An SQL is counted once: by its ``meeting_booked`` touch when the chat logged one (see
    :func:`touch_counts`), otherwise by its meeting row. A meeting that replaces a rescheduled
    one is the same SQL and is not counted again.
    """
    # ``NOT IN`` an uncorrelated list (one pass, hashed), not a correlated ``NOT EXISTS``:
    # there is no index on ``rescheduled_to`` and the correlated form is quadratic.
    rescheduled_into = select(col(Meeting.rescheduled_to)).where(
        col(Meeting.rescheduled_to).is_not(None)
    )
    statement = (
        select(col(Meeting.campaign), col(Meeting.rep_id), func.count())
        .where(
            col(Meeting.touch_id).is_(None),
            col(Meeting.id).not_in(rescheduled_into),
            *_meeting_conditions(f, col(Meeting.created_at)),
        )
        .group_by(col(Meeting.campaign), col(Meeting.rep_id))
    )
    return [(row[0], int(row[1]), int(row[2])) for row in session.execute(statement)]


def meeting_outcomes(session: Session, f: ActivityFilter) -> list[tuple[str, str, str | None, int]]:
    """(campaign, status, no_show_reason, meetings) for meetings that started in the period."""
    keys = (col(Meeting.campaign), col(Meeting.status), col(Meeting.no_show_reason))
    statement = (
        select(*keys, func.count())
        .where(*_meeting_conditions(f, col(Meeting.starts_at)))
        .group_by(*keys)
    )
    return [(row[0], row[1], row[2], int(row[3])) for row in session.execute(statement)]


# ------------------------------------------------------------------------------ leads & funnel


def leads_entered(session: Session, f: ActivityFilter) -> list[tuple[str, int]]:
    """(campaign, leads created in the period)."""
    statement = (
        select(col(Lead.campaign), func.count())
        .where(*lead_conditions(f))
        .group_by(col(Lead.campaign))
    )
    return [(row[0], int(row[1])) for row in session.execute(statement)]


def list_sizes(session: Session, f: ActivityFilter) -> list[tuple[str, int]]:
    """(campaign, companies on the campaign's list by the end of the period)."""
    statement = (
        select(col(Lead.campaign), func.count())
        .where(*lead_conditions(f, period=False))
        .group_by(col(Lead.campaign))
    )
    return [(row[0], int(row[1])) for row in session.execute(statement)]


def _stage_rank() -> Any:
    return case(
        *((col(StageChange.to_stage) == stage.value, rank) for rank, stage in enumerate(FUNNEL)),
        else_=None,
    )


def funnel_reach(session: Session, f: ActivityFilter) -> list[tuple[str, int, int]]:
    """(campaign, highest funnel rank a lead reached, leads) for the period.

    A lead counts at rank 0 (``new``) when it was created in the period, and at the rank of
    every stage it moved to in the period; a lead that skipped a stage (``new`` → ``connected``)
    still passed through the earlier ones, so the service accumulates the ranks downwards.
    """
    changes: Any = select(
        col(StageChange.lead_id).label("lead_id"),
        col(StageChange.campaign).label("campaign"),
        _stage_rank().label("rank"),
    ).where(*stage_change_conditions(f), col(StageChange.to_stage) != Stage.LOST.value)
    created: Any = select(
        col(Lead.id).label("lead_id"),
        col(Lead.campaign).label("campaign"),
        literal(0).label("rank"),
    ).where(*lead_conditions(f))
    reached = union_all(changes, created).subquery()
    per_lead = (
        select(reached.c.campaign, func.max(reached.c["rank"]).label("top"))
        .where(reached.c["rank"].is_not(None))
        .group_by(reached.c.lead_id, reached.c.campaign)
        .subquery()
    )
    statement = select(per_lead.c.campaign, per_lead.c.top, func.count()).group_by(
        per_lead.c.campaign, per_lead.c.top
    )
    return [(row[0], int(row[1]), int(row[2])) for row in session.execute(statement)]


def stage_leads(
    session: Session, f: ActivityFilter, stages: list[str]
) -> list[tuple[str, str, int]]:
    """(campaign, to_stage, distinct leads that moved to it in the period)."""
    statement = (
        select(
            col(StageChange.campaign),
            col(StageChange.to_stage),
            func.count(func.distinct(col(StageChange.lead_id))),
        )
        .where(*stage_change_conditions(f), col(StageChange.to_stage).in_(stages))
        .group_by(col(StageChange.campaign), col(StageChange.to_stage))
    )
    return [(row[0], row[1], int(row[2])) for row in session.execute(statement)]


def losses(session: Session, f: ActivityFilter) -> list[tuple[str, str | None, str | None, int]]:
    """(campaign, from_stage, reason, losses) of the moves to ``lost`` in the period."""
    keys = (col(StageChange.campaign), col(StageChange.from_stage), col(StageChange.reason))
    statement = (
        select(*keys, func.count())
        .where(*stage_change_conditions(f), col(StageChange.to_stage) == Stage.LOST.value)
        .group_by(*keys)
    )
    return [(row[0], row[1], row[2], int(row[3])) for row in session.execute(statement)]


# ------------------------------------------------------------------------------ people


def member_names(session: Session, ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    statement = select(
        col(Member.id), col(Member.first_name), col(Member.full_name), col(Member.username)
    ).where(col(Member.id).in_(sorted(ids)))
    names: dict[int, str] = {}
    for member_id, first, full, username in session.execute(statement):
        names[int(member_id)] = full or first or (f"@{username}" if username else f"#{member_id}")
    return names


__all__ = [
    "FUNNEL",
    "ActivityFilter",
    "funnel_reach",
    "leads_entered",
    "list_sizes",
    "losses",
    "meeting_outcomes",
    "member_names",
    "reached_counts",
    "sql_without_touch",
    "stage_leads",
    "touch_counts",
    "touches_per_rep_day",
]
