"""Aggregate queries behind the manager reports and the A/B results.

Every function aggregates in the database (``GROUP BY``) and returns small lists of tuples — a
few thousand rows at most, whatever the number of touches — so a report over a million touches
stays within a couple of seconds on SQLite. Services turn these tuples into named metrics.

The touch table is never read itself, only its narrow covering indexes (migration 0002):

- one wide ``GROUP BY`` (campaign, rep, channel, outcome, playbook version, script, variant)
  answers every count and rate, read in the order of ``ix_touches_report`` (no sort);
- who was reached and purchase intent are per-lead flags over the partial index
  ``ix_touches_reached`` (only the touches where someone answered), summed per campaign;
- the days each rep was active are found by seeking ``ix_touches_rep_at`` from one local day
  to the next (a few thousand index seeks instead of grouping every touch by day).

On SQLite the period test on ``happened_at`` / ``at`` is written ``+column`` so the planner keeps
to the covering index (checking the period from it) instead of a range on the bare timestamp
index followed by a sort of every touch in the period.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, bindparam, case, func, literal_column, or_, select, text
from sqlmodel import Session, col

from bot.domain.vocabulary import ContactRole, PurchaseIntent, Stage
from bot.storage.models import Lead, Meeting, Member, StageChange, Touch
from bot.storage.types import UTCDateTime

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


def _unindexed(column: Any, dialect: str | None) -> Any:
    """``column`` as SQLite's ``+column``: same value, but no index range on it is considered."""
    if dialect != "sqlite":
        return column
    return literal_column(f"+{column.table.name}.{column.name}", type_=UTCDateTime())


def _dialect(session: Session) -> str:
    return session.get_bind().dialect.name


def touch_conditions(
    f: ActivityFilter, table: Any = Touch, *, dialect: str | None = None
) -> list[ColumnElement[bool]]:
    """``dialect="sqlite"``: the period is checked without an index range (see the module)."""
    moment = col(table.happened_at)
    conditions = _period(_unindexed(moment, dialect) if table is Touch else moment, f)
    if f.campaign is not None:
        conditions.append(col(table.campaign) == f.campaign)
    if f.rep_id is not None:
        conditions.append(col(table.rep_id) == f.rep_id)
    if f.playbook_version is not None:
        conditions.append(col(table.playbook_version) == f.playbook_version)
    return conditions


def stage_change_conditions(
    f: ActivityFilter, *, dialect: str | None = None
) -> list[ColumnElement[bool]]:
    conditions = _period(_unindexed(col(StageChange.at), dialect), f)
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
    statement = (
        select(*keys, func.count())
        .where(*touch_conditions(f, dialect=_dialect(session)))
        .group_by(*keys)
    )
    return [tuple(row) for row in session.execute(statement)]


def reached_counts(session: Session, f: ActivityFilter) -> list[tuple[Any, ...]]:
    """Per campaign, distinct leads where someone reached a decision maker / an influencer,
    and where the contact said they intend to buy within 45 days / within 90 days (45 included).

    (campaign, decision_makers, influencers, intent_45d, intent_90d)

    One flag per (campaign, lead) — did it happen on any of its touches? — summed per campaign:
    the same numbers as ``COUNT(DISTINCT lead)`` per campaign, read in the order of the partial
    index ``ix_touches_reached`` instead of four hash sets over every touch.
    """

    def flag(condition: ColumnElement[bool]) -> Any:
        return func.max(case((condition, 1), else_=0))

    per_lead = (
        select(
            col(Touch.campaign).label("campaign"),
            flag(col(Touch.contact_role) == ContactRole.DECISION_MAKER.value).label("dm"),
            flag(col(Touch.contact_role) == ContactRole.INFLUENCER.value).label("influencer"),
            flag(col(Touch.intent) == PurchaseIntent.WITHIN_45_DAYS.value).label("i45"),
            flag(
                col(Touch.intent).in_(
                    [PurchaseIntent.WITHIN_45_DAYS.value, PurchaseIntent.WITHIN_90_DAYS.value]
                )
            ).label("i90"),
        )
        .where(
            # Exactly the partial index's condition (models.TOUCH_REACHED_WHERE), so it is used.
            or_(col(Touch.contact_role).is_not(None), col(Touch.intent).is_not(None)),
            *touch_conditions(f, dialect=_dialect(session)),
        )
        .group_by(col(Touch.campaign), col(Touch.lead_id))
        .subquery()
    )
    statement = select(
        per_lead.c.campaign,
        func.sum(per_lead.c.dm),
        func.sum(per_lead.c.influencer),
        func.sum(per_lead.c.i45),
        func.sum(per_lead.c.i90),
    ).group_by(per_lead.c.campaign)
    return [(row[0], *(int(n) for n in row[1:])) for row in session.execute(statement)]


def _local_day(session: Session, column: Any) -> Any:
    if _dialect(session) == "sqlite":
        return func.date(column, f"{LOCAL_OFFSET_HOURS:+d} hours")
    return func.date(func.timezone("America/Sao_Paulo", column))


_ACTIVE_DAYS_SQLITE = """
WITH RECURSIVE active(rep_id, at) AS (
    SELECT m.id, (SELECT min(t.happened_at) FROM touches AS t
                  WHERE t.rep_id = m.id {conditions})
    FROM members AS m {members}
    UNION ALL
    SELECT a.rep_id, (SELECT min(t.happened_at) FROM touches AS t
                      WHERE t.rep_id = a.rep_id
                        AND t.happened_at >= datetime(date(a.at, :to_local), '+1 day', :to_utc)
                        {conditions})
    FROM active AS a WHERE a.at IS NOT NULL
)
SELECT date(at, :to_local) AS day, rep_id FROM active WHERE at IS NOT NULL
"""


def active_rep_days(session: Session, f: ActivityFilter) -> list[tuple[Any, int]]:
    """(local day, rep_id) for every day a rep logged a touch (skips included: a skipped step is
    still the rep using the tool).

    On SQLite this is a skip scan of ``ix_touches_rep_at``: from each active day, one index seek
    finds the rep's first touch on or after the next local midnight — as many seeks as active
    days, whatever the number of touches. PostgreSQL groups the touches by day.
    """
    if _dialect(session) != "sqlite":
        day = _local_day(session, col(Touch.happened_at)).label("day")
        statement = (
            select(day, col(Touch.rep_id)).where(*touch_conditions(f)).group_by(day, col(Touch.rep_id))
        )
        return [(row[0], int(row[1])) for row in session.execute(statement)]
    conditions: list[str] = []
    params: dict[str, Any] = {
        "to_local": f"{LOCAL_OFFSET_HOURS:+d} hours",
        "to_utc": f"{-LOCAL_OFFSET_HOURS:+d} hours",
    }
    binds = []
    if f.start is not None:
        conditions.append("AND t.happened_at >= :start")
        params["start"] = f.start
        binds.append(bindparam("start", type_=UTCDateTime()))
    if f.end is not None:
        conditions.append("AND t.happened_at < :end")
        params["end"] = f.end
        binds.append(bindparam("end", type_=UTCDateTime()))
    if f.campaign is not None:
        conditions.append("AND t.campaign = :campaign")
        params["campaign"] = f.campaign
    if f.playbook_version is not None:
        conditions.append("AND t.playbook_version = :version")
        params["version"] = f.playbook_version
    members = ""
    if f.rep_id is not None:
        members = "WHERE m.id = :rep_id"
        params["rep_id"] = f.rep_id
    sql = _ACTIVE_DAYS_SQLITE.format(conditions=" ".join(conditions), members=members)
    statement = text(sql).bindparams(*binds)
    return [(row[0], int(row[1])) for row in session.execute(statement, params)]


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
    Leads are told apart by (lead, campaign), as the stage changes record the campaign.

    Two passes: the highest rank per (campaign, lead) over the stage changes, in the order of
    ``ix_stage_changes_funnel``; then the leads created in the period without such a change,
    which sit at rank 0 (one seek each into the same index).
    """
    change_conditions = [
        *stage_change_conditions(f, dialect=_dialect(session)),
        # A rung of the funnel (not ``lost``), tested on the rank so that the planner keeps to
        # the covering index rather than the bare ``to_stage`` one.
        _stage_rank().is_not(None),
    ]
    per_lead = (
        select(col(StageChange.campaign).label("campaign"), func.max(_stage_rank()).label("top"))
        .where(*change_conditions)
        .group_by(col(StageChange.campaign), col(StageChange.lead_id))
        .subquery()
    )
    # One count per rank as conditional sums: the outer grouping sorts campaigns only.
    moved = select(
        per_lead.c.campaign,
        *(func.sum(case((per_lead.c.top == rank, 1), else_=0)) for rank in range(len(FUNNEL))),
    ).group_by(per_lead.c.campaign)
    rows = [
        (row[0], rank, int(n))
        for row in session.execute(moved)
        for rank, n in enumerate(row[1:])
        if n
    ]
    changed = (
        select(col(StageChange.id))
        .where(
            col(StageChange.lead_id) == col(Lead.id),
            col(StageChange.campaign) == col(Lead.campaign),
            *change_conditions,
        )
        .exists()
    )
    only_created = (
        select(col(Lead.campaign), func.count())
        .where(*lead_conditions(f), ~changed)
        .group_by(col(Lead.campaign))
    )
    rows += [(row[0], 0, int(row[1])) for row in session.execute(only_created)]
    return rows


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
        .where(
            *stage_change_conditions(f, dialect=_dialect(session)),
            col(StageChange.to_stage) == Stage.LOST.value,
        )
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
    "active_rep_days",
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
]
