"""Aggregate queries behind the manager reports and the A/B results.

Every function aggregates in the database (``GROUP BY``) and returns small lists of tuples — a
few thousand rows at most, whatever the number of touches. Services turn them into named
metrics (:mod:`bot.services.reports`).

A report for a period reads only that period: its cost follows the activity of the period, not
the length of the history. The touch and stage-change tables are never read themselves, only
narrow covering indexes, two of each kind:

- moment first (migration 0013: ``ix_touches_period``, ``ix_touches_reached_period``,
  ``ix_stage_changes_period``, ``ix_meetings_created``, ``ix_leads_created_campaign``): a
  report with a start seeks the period's first entry and reads on to its end;
- campaign first (migration 0002: ``ix_touches_report``, ``ix_touches_reached``,
  ``ix_stage_changes_funnel`` / ``_losses``): a report from the beginning reads every entry
  anyway, and reads them in the order of its ``GROUP BY`` (no sort). On SQLite the test on the
  moment is then written ``+column``, so the planner keeps to these and checks the end of the
  period from each entry.

The days each rep was active are found by seeking ``ix_touches_rep_at`` from one local day to
the next (a few thousand index seeks instead of grouping every touch by day).

Long because every query here follows the same filter and the same choice of index above;
split, that one rule would be spread over several modules.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import (
    ColumnElement,
    Integer,
    bindparam,
    case,
    cast,
    except_,
    func,
    literal_column,
    or_,
    select,
    text,
    union_all,
)
from sqlalchemy.orm import aliased
from sqlmodel import Session, col

from bot.domain.activity import ActivityFilter
from bot.domain.vocabulary import OPEN_STAGES, ContactRole, PurchaseIntent, Stage
from bot.storage import activity_rollup
from bot.storage import touch_rollup as rollup
from bot.storage.models import TOUCH_COUNT_KEYS, Lead, Meeting, Member, ReachPair, StageChange, StagePair, Touch
from bot.storage.types import UTCDateTime

#: Funnel stages in order, as ranks; ``lost`` is not a rung of the funnel.
FUNNEL: tuple[Stage, ...] = (*OPEN_STAGES, Stage.WON)

@functools.cache
def local_offsets(zone: str) -> tuple[tuple[str, int], ...]:
    """The offsets of the IANA ``zone`` as (UTC moment it starts, as SQLite stores moments;
    seconds east of UTC), newest first, up to five years ahead (from the tz database). Report
    days and exported times are local ones, and zones change: Brasília time has been UTC−3
    all year since 2019 but had summer time (UTC−2) most years before, so old activity must not
    be shifted by a fixed offset."""
    local = ZoneInfo(zone)
    step = timedelta(days=7)  # offsets last months: a change is found within its week
    moment = datetime(1900, 1, 1, tzinfo=UTC)
    horizon = datetime.now(UTC) + timedelta(days=5 * 366)

    def offset(at: datetime) -> int:
        delta = at.astimezone(local).utcoffset()
        return int(delta.total_seconds()) if delta is not None else 0

    current = offset(moment)
    found = [(moment, current)]
    while moment < horizon:
        following = moment + step
        if offset(following) != current:
            low, high = moment, following  # the change happens in (low, high]
            while high - low > timedelta(seconds=1):
                middle = low + (high - low) / 2
                low, high = (middle, high) if offset(middle) == current else (low, middle)
            current = offset(high)
            found.append((high, current))
        moment = following
    return tuple(
        (at.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S"), seconds)
        for at, seconds in reversed(found)
    )


def sqlite_to_local(column: Any, zone: str) -> Any:
    """SQLite: the date/time modifier that turns the UTC ``column`` into ``zone``'s local time
    (``'-10800 seconds'``), from the zone's history — newest first, so a recent moment is
    settled by the first comparison."""
    return _by_offset(column, zone, lambda seconds: f"'{seconds:+d} seconds'")


def sqlite_utc_offset(column: Any, zone: str) -> Any:
    """SQLite: ``zone``'s offset at the UTC ``column``, in seconds (``-10800``)."""
    return _by_offset(column, zone, str)


def _by_offset(column: Any, zone: str, render: Callable[[int], str]) -> Any:
    offsets = local_offsets(zone)
    return case(
        *(
            (column >= literal_column(f"'{since}'"), literal_column(render(seconds)))
            for since, seconds in offsets[:-1]
        ),
        else_=literal_column(render(offsets[-1][1])),
    )


def _period(column: Any, f: ActivityFilter) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    if f.start is not None:
        conditions.append(column >= f.start)
    if f.end is not None:
        conditions.append(column < f.end)
    return conditions


def _no_range(column: Any, dialect: str | None) -> Any:
    """``column`` as SQLite's ``+column``: the same value, but no index on it is considered."""
    if dialect != "sqlite":
        return column
    return literal_column(f"+{column.table.name}.{column.name}", type_=column.type)


def _moment(column: Any, f: ActivityFilter, dialect: str | None) -> Any:
    """The moment ``column`` as the period test reads it. With a start, the column itself: the
    moment-first index is sought from the start. From the beginning, ``+column`` on SQLite:
    the campaign-first covering index is read in its order instead of a range on the moment
    followed by a sort of every entry."""
    return column if f.start is not None else _no_range(column, dialect)


def _from_moment(column: Any, f: ActivityFilter, dialect: str | None) -> Any:
    """A column a campaign-first index starts with, as the test on it reads it: hidden from the
    planner when the period has a start, so the moment-first index is sought instead of every
    entry of the campaign (or of the stage) being read."""
    return _no_range(column, dialect) if f.start is not None else column


def _dialect(session: Session) -> str:
    return session.get_bind().dialect.name


def touch_conditions(
    f: ActivityFilter, table: Any = Touch, *, dialect: str | None = None
) -> list[ColumnElement[bool]]:
    """``dialect="sqlite"``: the index the period is read from is chosen (see the module)."""
    moment = col(table.happened_at)
    conditions = _period(_moment(moment, f, dialect) if table is Touch else moment, f)
    if f.campaign is not None:
        campaign = col(table.campaign)
        conditions.append((_from_moment(campaign, f, dialect) if table is Touch else campaign) == f.campaign)
    if f.rep_id is not None:
        conditions.append(col(table.rep_id) == f.rep_id)
    if f.playbook_version is not None:
        conditions.append(col(table.playbook_version) == f.playbook_version)
    return conditions


def stage_change_conditions(
    f: ActivityFilter, *, dialect: str | None = None
) -> list[ColumnElement[bool]]:
    conditions = _period(_moment(col(StageChange.at), f, dialect), f)
    if f.campaign is not None:
        conditions.append(_from_moment(col(StageChange.campaign), f, dialect) == f.campaign)
    if f.rep_id is not None:
        conditions.append(col(StageChange.rep_id) == f.rep_id)
    if f.playbook_version is not None:
        conditions.append(col(StageChange.playbook_version) == f.playbook_version)
    return conditions


def lead_conditions(
    f: ActivityFilter, *, period: bool = True, dialect: str | None = None
) -> list[ColumnElement[bool]]:
    """Leads are not tied to a playbook version: that filter does not apply to them. With a
    period that has a start (and ``dialect="sqlite"``), the leads are sought by their moment
    (``ix_leads_created_campaign``), not read by campaign or owner."""
    conditions = _period(col(Lead.created_at), f) if period else []
    if not period and f.end is not None:
        conditions.append(col(Lead.created_at) < f.end)
    sought = dialect if period else None
    if f.campaign is not None:
        conditions.append(_from_moment(col(Lead.campaign), f, sought) == f.campaign)
    if f.rep_id is not None:
        conditions.append(_from_moment(col(Lead.owner_id), f, sought) == f.rep_id)
    return conditions


def _whole_history(f: ActivityFilter) -> bool:
    """Whether ``f`` is all of the history of the team (or of a campaign): what the roll-ups
    per (campaign, lead) answer (:mod:`bot.storage.pair_rollups`)."""
    return f.start is None and f.end is None and f.rep_id is None and f.playbook_version is None


def _meeting_conditions(f: ActivityFilter, moment: Any, dialect: str | None = None) -> list[ColumnElement[bool]]:
    """With a start (and ``dialect="sqlite"``), the meetings are sought by their moment, not
    read by campaign (``ix_meetings_outcomes`` starts with it)."""
    conditions = _period(moment, f)
    if f.campaign is not None:
        conditions.append(_from_moment(col(Meeting.campaign), f, dialect) == f.campaign)
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
    """(campaign, rep_id, channel, outcome, playbook_version, script_id, variant, touches).

    The whole UTC weeks of the period are read from the roll-up ``touch_weeks`` (from the
    beginning: ``touch_totals``), and only the partial weeks at its edges from the touches
    (see :mod:`bot.storage.touch_rollup`); the parts are summed in one statement."""
    rolled = functools.partial(
        rollup.rolled_counts, campaign=f.campaign, rep_id=f.rep_id, playbook_version=f.playbook_version
    )
    dialect = _dialect(session)
    if f.start is None:
        if f.end is None:
            return rollup.summed(session, [rolled(weeks=None)])
        # Everything, less the whole weeks from the end on and the partial week after the end.
        later = rollup.week_ceil(f.end)
        return rollup.summed(
            session,
            [
                rolled(weeks=None),
                rolled(weeks=(later, None), sign=-1),
                _raw_touch_counts(f.end, later, f, dialect, sign=-1),
            ],
        )
    first = rollup.week_ceil(f.start)
    last = rollup.week_floor(f.end) if f.end is not None else None
    if last is not None and last <= first:  # no whole week inside the period
        return rollup.summed(session, [_raw_touch_counts(f.start, f.end, f, dialect)])
    parts = [_raw_touch_counts(f.start, first, f, dialect), rolled(weeks=(first, last))]
    if last is not None and f.end is not None and last < f.end:
        parts.append(_raw_touch_counts(last, f.end, f, dialect))
    return rollup.summed(session, parts)


def _raw_touch_counts(
    start: datetime, end: datetime | None, f: ActivityFilter, dialect: str, *, sign: int = 1
) -> Any:
    """SELECT of :func:`touch_counts` of [``start``, ``end``) from the touches
    (``ix_touches_period``), grouped by key."""
    keys: list[Any] = [col(getattr(Touch, key)).label(key) for key in TOUCH_COUNT_KEYS]
    return (
        select(*keys, (func.count() * sign).label("n"))
        .where(*touch_conditions(replace(f, start=start, end=end), dialect=dialect))
        .group_by(*keys)
    )


def reached_counts(session: Session, f: ActivityFilter) -> list[tuple[Any, ...]]:
    """Per campaign, distinct leads where someone reached a decision maker / an influencer,
    and where the contact said they intend to buy within 45 days / within 90 days (45 included).

    (campaign, decision_makers, influencers, intent_45d, intent_90d)

    Read from the partial index ``ix_touches_reached`` (only the touches where someone
    answered, in campaign order), never from the touch rows; the whole history (no rep or
    version filter) from the roll-up ``reach_pairs`` (:mod:`bot.storage.pair_rollups`).
    """
    if _whole_history(f):
        pairs = ReachPair.__table__.c  # type: ignore[attr-defined]
        whole = (
            select(
                pairs.campaign,
                func.sum(pairs.decision_maker),
                func.sum(pairs.influencer),
                func.sum(pairs.intent_45d),
                func.sum(pairs.intent_90d),
            )
            .where(*([pairs.campaign == f.campaign] if f.campaign is not None else []))
            .group_by(pairs.campaign)
        )
        return [(row[0], *(int(n) for n in row[1:])) for row in session.execute(whole)]

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
            # Exactly the partial index's condition (models.TOUCH_REACHED_WHERE), so it is used.
            or_(col(Touch.contact_role).is_not(None), col(Touch.intent).is_not(None)),
            *touch_conditions(f, dialect=_dialect(session)),
        )
        .group_by(col(Touch.campaign))
    )
    return [(row[0], *(int(n) for n in row[1:])) for row in session.execute(statement)]


def _local_day(session: Session, column: Any, zone: str) -> Any:
    if _dialect(session) == "sqlite":
        return func.date(column, sqlite_to_local(column, zone))
    return func.date(func.timezone(zone, column))


_ACTIVE_DAYS_SQLITE = """
WITH RECURSIVE active(rep_id, at) AS (
    SELECT m.id, (SELECT min(t.happened_at) FROM touches AS t
                  WHERE t.rep_id = m.id {conditions})
    FROM members AS m {members}
    UNION ALL
    SELECT a.rep_id, (SELECT min(t.happened_at) FROM touches AS t
                      WHERE t.rep_id = a.rep_id
                        AND t.happened_at >= max(
                            datetime(date(a.at, {to_local}), '+1 day',
                                     printf('%d seconds', -max({offset_now}, {offset_next}))),
                            a.at || char(0))
                        {conditions})
    FROM active AS a WHERE a.at IS NOT NULL
)
SELECT DISTINCT date(a.at, {to_local}) AS day, a.rep_id FROM active AS a WHERE a.at IS NOT NULL
"""
"""From each active day, the next touch at or after the next local midnight. The midnight is
converted back to UTC with the larger of the offsets now and a day later, so a summer-time
change that night can only make the seek land early, never past the day's first touch; the
seek never lands before ``a.at || char(0)`` (the smallest text after ``a.at``: one bound for
the index range, and always progress), and ``DISTINCT`` drops a day seen twice."""


def active_rep_days(session: Session, f: ActivityFilter) -> list[tuple[Any, int]]:
    """(local day, rep_id) for every day a rep logged a touch (skips included: a skipped step is
    still the rep using the tool).

    Read from the roll-up ``rep_days`` (:mod:`bot.storage.activity_rollup`) when it can tell:
    no campaign or version filter, whole-hour bounds and zone. Otherwise, on SQLite, a skip scan
    of ``ix_touches_rep_at``: from each active day, one index seek finds the rep's first touch
    on or after the next local midnight — as many seeks as active days, whatever the number of
    touches; PostgreSQL groups the touches by day.
    """
    if f.campaign is None and f.playbook_version is None:
        days = activity_rollup.local_active_days(session, start=f.start, end=f.end, rep_id=f.rep_id, zone=f.zone)
        if days is not None:
            return days
    if _dialect(session) != "sqlite":
        day = _local_day(session, col(Touch.happened_at), f.zone).label("day")
        statement = (
            select(day, col(Touch.rep_id)).where(*touch_conditions(f)).group_by(day, col(Touch.rep_id))
        )
        return [(row[0], int(row[1])) for row in session.execute(statement)]
    conditions: list[str] = []
    params: dict[str, Any] = {}
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

    def sql_text(expression: Any) -> str:
        return str(expression.compile(compile_kwargs={"literal_binds": True}))

    now: Any = literal_column("a.at")
    sql = _ACTIVE_DAYS_SQLITE.format(
        conditions=" ".join(conditions),
        members=members,
        to_local=sql_text(sqlite_to_local(now, f.zone)),
        offset_now=sql_text(sqlite_utc_offset(now, f.zone)),
        offset_next=sql_text(sqlite_utc_offset(func.datetime(now, "+1 day"), f.zone)),
    )
    seeks = text(sql).bindparams(*binds)
    return [(row[0], int(row[1])) for row in session.execute(seeks, params)]


# ------------------------------------------------------------------------------ SQL meetings


def sql_without_touch(session: Session, f: ActivityFilter) -> list[tuple[str, int, int]]:
    """(campaign, rep_id, meetings) created in the period that are SQL of their own.

    :func:`bot.domain.metrics.meeting_is_sql`: a meeting booked without a ``meeting_booked``
    touch (``touch_id`` empty) that continues no other (no ``rescheduled_to`` points to it).
    An SQL is counted once: by its ``meeting_booked`` touch when the chat logged one (see
    :func:`touch_counts` and :func:`bot.domain.metrics.touch_is_sql`), otherwise by this row.
    """
    # One seek of the partial index ``ix_meetings_rescheduled_to`` per meeting of the period
    # booked without a touch, rather than a list of every reschedule in the history. The
    # meetings are read from ``ix_meetings_created`` (it covers ``touch_id``), never in the
    # campaign order of ``ix_meetings_outcomes`` (which would read each meeting's row).
    dialect = _dialect(session)
    campaign = _no_range(col(Meeting.campaign), dialect)
    earlier = aliased(Meeting)
    continues = (
        select(col(earlier.id))
        .where(col(earlier.rescheduled_to).is_not(None), col(earlier.rescheduled_to) == col(Meeting.id))
        .exists()
    )
    statement = (
        select(campaign, col(Meeting.rep_id), func.count())
        .where(
            col(Meeting.touch_id).is_(None),
            ~continues,
            *_meeting_conditions(f, col(Meeting.created_at), dialect),
        )
        .group_by(campaign, col(Meeting.rep_id))
    )
    return [(row[0], int(row[1]), int(row[2])) for row in session.execute(statement)]


def meeting_outcomes(session: Session, f: ActivityFilter) -> list[tuple[str, str, str | None, int]]:
    """(campaign, status, no_show_reason, meetings) for meetings that started in the period."""
    keys = (col(Meeting.campaign), col(Meeting.status), col(Meeting.no_show_reason))
    statement = (
        select(*keys, func.count())
        .where(*_meeting_conditions(f, col(Meeting.starts_at), _dialect(session)))
        .group_by(*keys)
    )
    return [(row[0], row[1], row[2], int(row[3])) for row in session.execute(statement)]


# ------------------------------------------------------------------------------ leads & funnel


def leads_entered(session: Session, f: ActivityFilter) -> list[tuple[str, int]]:
    """(campaign, leads created in the period)."""
    statement = (
        select(col(Lead.campaign), func.count())
        .where(*lead_conditions(f, dialect=_dialect(session)))
        .group_by(col(Lead.campaign))
    )
    return [(row[0], int(row[1])) for row in session.execute(statement)]


def list_sizes(session: Session, f: ActivityFilter) -> list[tuple[str, int]]:
    """(campaign, companies on the campaign's list by the end of the period).

    Every lead of the campaign (a count over the narrow ``ix_leads_campaign``) less those
    created since the end of the period (a seek of ``ix_leads_created_campaign``): the leads
    are never read themselves."""
    everyone = lead_conditions(replace(f, start=None, end=None), period=False)
    statement = select(col(Lead.campaign), func.count()).where(*everyone).group_by(col(Lead.campaign))
    sizes = {row[0]: int(row[1]) for row in session.execute(statement)}
    if f.end is not None:
        # Only the range on the moment may pick the index (not the campaign, nor its order).
        dialect = _dialect(session)
        campaign = _no_range(col(Lead.campaign), dialect)
        since = [col(Lead.created_at) >= f.end]
        if f.campaign is not None:
            since.append(campaign == f.campaign)
        if f.rep_id is not None:
            since.append(_no_range(col(Lead.owner_id), dialect) == f.rep_id)
        later = select(campaign, func.count()).where(*since).group_by(campaign)
        for name, n in session.execute(later):
            sizes[name] -= int(n)
    return [(campaign, n) for campaign, n in sizes.items() if n]


def _stage_rank() -> Any:
    """The funnel rank of ``to_stage`` (``NULL`` for ``lost``): one ``CASE to_stage``, the
    commonest moves first (each row stops at its first match)."""
    ranks = {stage.value: rank for rank, stage in enumerate(FUNNEL)}
    common_first = sorted(ranks, key=lambda stage: (stage == Stage.NEW.value, ranks[stage]))
    return case({stage: ranks[stage] for stage in common_first}, value=col(StageChange.to_stage))


def _as_int(condition: ColumnElement[bool]) -> Any:
    """1 or 0 (SQLite compares to integers already; PostgreSQL casts its boolean)."""
    return cast(condition, Integer)


@dataclass(frozen=True, slots=True)
class FunnelCounts:
    reach: list[tuple[str, int, int]]
    """(campaign, highest funnel rank reached, leads)."""
    proposals: list[tuple[str, int]]
    """(campaign, distinct leads that moved to ``proposal_sent``)."""
    sales: list[tuple[str, int]]
    """(campaign, distinct leads that moved to ``won``)."""


_CAMPAIGNS_OF_STAGE_CHANGES = text(
    """
    WITH RECURSIVE campaigns(name) AS (
        SELECT min(campaign) FROM stage_changes
        UNION ALL
        SELECT (SELECT min(s.campaign) FROM stage_changes AS s WHERE s.campaign > campaigns.name)
        FROM campaigns WHERE campaigns.name IS NOT NULL
    )
    SELECT name FROM campaigns WHERE name IS NOT NULL
    """
)
"""Every campaign named by a stage change: one index seek each (``ix_stage_changes_funnel``)."""


def _stage_change_campaigns(session: Session) -> list[str]:
    return [row[0] for row in session.execute(_CAMPAIGNS_OF_STAGE_CHANGES)]


def funnel_counts(session: Session, f: ActivityFilter) -> FunnelCounts:
    """The funnel of the period, and the leads that got a proposal or were won.

    A lead counts at rank 0 (``new``) when it was created in the period, and at the rank of
    every stage it moved to in the period; a lead that skipped a stage (``new`` → ``connected``)
    still passed through the earlier ones, so the service accumulates the ranks downwards.
    Leads are told apart by (campaign, lead), as the stage changes record the campaign.

    Per (campaign, lead): the highest rank and whether it moved to ``proposal_sent`` / ``won``;
    then per campaign, how many pairs sit at each rank. Three ways to read it:

    - the whole history (no rep or version filter): the roll-up ``stage_pairs``
      (:mod:`bot.storage.pair_rollups`), plus the leads with no rung of the funnel;
    - a period with a start: its stage changes and its new leads (rank 0), sought by their
      moment, grouped in one statement;
    - otherwise, per campaign over ``ix_stage_changes_funnel`` in its order, then the new leads
      without a rung.
    """
    if _whole_history(f):
        return _whole_funnel(session, f)
    rank = _stage_rank()
    dialect = _dialect(session)
    conditions = stage_change_conditions(f, dialect=dialect)

    def moved_to(stage: Stage) -> Any:
        return func.max(_as_int(col(StageChange.to_stage) == stage.value))

    def per_campaign(pair: Any) -> Any:
        return select(
            pair.c.campaign,
            func.sum(pair.c.proposal),
            func.sum(pair.c.won),
            *(func.sum(_as_int(pair.c.top == top)) for top in range(len(FUNNEL))),
        ).group_by(pair.c.campaign)

    counts = FunnelCounts([], [], [])
    if f.start is not None:
        # A period: its moves and its new leads (at rank 0), each sought by its moment, grouped
        # per (campaign, lead) and then per campaign in one statement.
        zero = literal_column("0", Integer)
        events = union_all(
            select(
                col(StageChange.campaign).label("campaign"),
                col(StageChange.lead_id).label("lead_id"),
                rank.label("rank"),
                _as_int(col(StageChange.to_stage) == Stage.PROPOSAL_SENT.value).label("proposal"),
                _as_int(col(StageChange.to_stage) == Stage.WON.value).label("won"),
            ).where(*conditions, col(StageChange.to_stage) != Stage.LOST.value),
            select(
                col(Lead.campaign).label("campaign"),
                col(Lead.id).label("lead_id"),
                zero.label("rank"),
                zero.label("proposal"),
                zero.label("won"),
            ).where(*lead_conditions(f, dialect=dialect)),
        ).subquery()
        pair = (
            select(
                events.c.campaign,
                func.max(events.c.rank).label("top"),
                func.max(events.c.proposal).label("proposal"),
                func.max(events.c.won).label("won"),
            )
            .group_by(events.c.campaign, events.c.lead_id)
            .subquery()
        )
        _add_moves(counts, [tuple(row) for row in session.execute(per_campaign(pair))])
        return counts
    # From the beginning, per campaign (one short list of them, then one query each): each
    # (campaign, lead) group is read in index order and summed at once, with no sort of the
    # groups by campaign.
    per_lead = (
        select(
            func.max(rank).label("top"),
            moved_to(Stage.PROPOSAL_SENT).label("proposal"),
            moved_to(Stage.WON).label("won"),
        )
        # Moves to ``lost`` are no rung; a lead with only unknown stages gets a NULL top and no
        # flags, so it adds to no count: the same as leaving those rows out.
        .where(
            _from_moment(col(StageChange.campaign), f, dialect) == bindparam("funnel_campaign"),
            *conditions,
            col(StageChange.to_stage) != Stage.LOST.value,
        )
        .group_by(col(StageChange.lead_id))
        .subquery()
    )
    moved = select(
        func.sum(per_lead.c.proposal),
        func.sum(per_lead.c.won),
        *(func.sum(_as_int(per_lead.c.top == top)) for top in range(len(FUNNEL))),
    )
    campaigns = [f.campaign] if f.campaign is not None else _stage_change_campaigns(session)
    _add_moves(counts, [(name, *session.execute(moved, {"funnel_campaign": name}).one()) for name in campaigns])
    climbed = select(col(StageChange.campaign), col(StageChange.lead_id)).where(*conditions, rank.is_not(None))
    _add_only_created(session, counts, f, climbed)
    return counts


def _add_moves(counts: FunnelCounts, moves: list[tuple[Any, ...]]) -> None:
    """(campaign, proposals, sales, pairs at rank 0, 1, …) into ``counts``."""
    for campaign, proposals, sales, *ranks in moves:
        if proposals is None:  # no move in this campaign
            continue
        counts.proposals.append((campaign, int(proposals)))
        counts.sales.append((campaign, int(sales)))
        counts.reach.extend((campaign, top, int(n)) for top, n in enumerate(ranks) if n)


def _add_only_created(session: Session, counts: FunnelCounts, f: ActivityFilter, climbed: Any) -> None:
    """The leads created in the period with no move up the funnel under the same campaign, at
    rank 0. On SQLite, the (campaign, lead) pairs of the leads EXCEPT those of ``climbed``: a
    merge of two index scans in (campaign, lead) order rather than one index seek per lead.
    PostgreSQL answers the same with a hash anti-join (NOT EXISTS), without sorting both sides."""
    dialect = _dialect(session)
    leads = lead_conditions(f, dialect=dialect)
    if dialect != "sqlite":
        other = climbed.subquery()
        pairs = list(other.c)
        missing = ~select(pairs[0]).where(pairs[0] == col(Lead.campaign), pairs[1] == col(Lead.id)).exists()
        anti = select(col(Lead.campaign), func.count()).where(*leads, missing).group_by(col(Lead.campaign))
        counts.reach.extend((row[0], 0, int(row[1])) for row in session.execute(anti))
        return
    created: Any = select(col(Lead.campaign).label("campaign"), col(Lead.id).label("lead_id")).where(*leads)
    only_created = except_(created, climbed).order_by(literal_column("1"), literal_column("2")).subquery()
    statement = select(only_created.c.campaign, func.count()).group_by(only_created.c.campaign)
    counts.reach.extend((row[0], 0, int(row[1])) for row in session.execute(statement))


def _whole_funnel(session: Session, f: ActivityFilter) -> FunnelCounts:
    """The funnel of the whole history from the roll-up ``stage_pairs`` (one row per pair that
    reached a rung), in the order of ``ix_stage_pairs_funnel``."""
    pairs: list[ColumnElement[bool]] = []
    if f.campaign is not None:
        pairs.append(col(StagePair.campaign) == f.campaign)
    statement = (
        select(
            col(StagePair.campaign),
            func.sum(col(StagePair.proposal)),
            func.sum(col(StagePair.won)),
            *(func.sum(_as_int(col(StagePair.top) == top)) for top in range(len(FUNNEL))),
        )
        .where(*pairs)
        .group_by(col(StagePair.campaign))
    )
    counts = FunnelCounts([], [], [])
    _add_moves(counts, [tuple(row) for row in session.execute(statement)])
    climbed = select(col(StagePair.campaign), col(StagePair.lead_id)).where(*pairs)
    _add_only_created(session, counts, f, climbed)
    return counts


def losses(session: Session, f: ActivityFilter) -> list[tuple[str, str | None, str | None, int]]:
    """(campaign, from_stage, reason, losses) of the moves to ``lost`` in the period."""
    keys = (col(StageChange.campaign), col(StageChange.from_stage), col(StageChange.reason))
    dialect = _dialect(session)
    statement = (
        select(*keys, func.count())
        .where(
            *stage_change_conditions(f, dialect=dialect),
            _from_moment(col(StageChange.to_stage), f, dialect) == Stage.LOST.value,
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
    "FunnelCounts",
    "active_rep_days",
    "funnel_counts",
    "leads_entered",
    "list_sizes",
    "losses",
    "meeting_outcomes",
    "member_names",
    "reached_counts",
    "sql_without_touch",
    "touch_counts",
]
