"""A roll-up of when each rep was active: ``rep_days``, one row per (rep, UTC day) with a
24-bit mask of the UTC hours in which the rep logged a touch.

Why: the report's adoption part counts the local days each rep logged a touch. Read from the
touches, that is one index seek per active day on SQLite (0.3 s of CPU for the 26k rep-days of
5M touches) and, on PostgreSQL, a time-zone conversion and a grouping of every touch (0.9 s at
500k). The roll-up holds one small row per rep-day, whatever the number of touches, and any
zone whose offset is a whole number of hours (all of Brazil's, with or without summer time)
maps each UTC hour to one local day. A zone with a fractional offset, or a report filtered by
campaign or playbook version (not kept here), reads the touches as before.

Kept by **database triggers** on ``touches`` (migration 0017): an insert sets its hour's bit; a
touch moved or deleted makes the trigger count the bits of its old rep-day anew from that day's
touches (``ix_touches_rep_at``). Two PostgreSQL transactions adding a new rep-day at once may
each create a row: readers OR the masks of a rep-day together.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, Date, bindparam, text
from sqlmodel import Session

TRIGGER_NAMES = ("rep_days_insert", "rep_days_update", "rep_days_delete")
HOUR = timedelta(hours=1)


# ------------------------------------------------------------------------------ DDL (migration 0017)


def _sqlite_day(moment: str) -> str:
    return f"substr({moment}, 1, 10)"


def _sqlite_bit(moment: str) -> str:
    return f"(1 << CAST(substr({moment}, 12, 2) AS INTEGER))"


def _sqlite_add(row: str) -> str:
    day, match = _sqlite_day(f"{row}.happened_at"), f"rep_id = {row}.rep_id"
    where = f"day = {day} AND {match}"
    return (
        f"INSERT INTO rep_days (rep_id, day, hours) SELECT {row}.rep_id, {day}, 0 "
        f"WHERE NOT EXISTS (SELECT 1 FROM rep_days WHERE {where});\n"
        f"UPDATE rep_days SET hours = hours | {_sqlite_bit(f'{row}.happened_at')} "
        f"WHERE id = (SELECT min(id) FROM rep_days WHERE {where});\n"
    )


def _sqlite_recount(row: str) -> str:
    day = _sqlite_day(f"{row}.happened_at")
    return (
        f"UPDATE rep_days SET hours = coalesce((SELECT sum(DISTINCT {_sqlite_bit('t.happened_at')}) "
        f"FROM touches AS t WHERE t.rep_id = {row}.rep_id AND t.happened_at >= {day} "
        f"AND t.happened_at < date({day}, '+1 day')), 0) "
        f"WHERE day = {day} AND rep_id = {row}.rep_id;\n"
    )


_POSTGRES = """
CREATE FUNCTION rep_days_add(rep integer, at timestamptz) RETURNS void AS $$
DECLARE
  d date := (at AT TIME ZONE 'UTC')::date;
BEGIN
  INSERT INTO rep_days (rep_id, day, hours) SELECT rep, d, 0
    WHERE NOT EXISTS (SELECT 1 FROM rep_days WHERE day = d AND rep_id = rep);
  UPDATE rep_days SET hours = hours | (1 << extract(hour FROM at AT TIME ZONE 'UTC')::integer)
    WHERE id = (SELECT min(id) FROM rep_days WHERE day = d AND rep_id = rep);
END
$$ LANGUAGE plpgsql;
CREATE FUNCTION rep_days_recount(rep integer, at timestamptz) RETURNS void AS $$
DECLARE
  d date := (at AT TIME ZONE 'UTC')::date;
BEGIN
  UPDATE rep_days SET hours = coalesce((
      SELECT bit_or(1 << extract(hour FROM t.happened_at AT TIME ZONE 'UTC')::integer) FROM touches AS t
      WHERE t.rep_id = rep AND t.happened_at >= (d::timestamp AT TIME ZONE 'UTC')
        AND t.happened_at < ((d + 1)::timestamp AT TIME ZONE 'UTC')), 0)
    WHERE day = d AND rep_id = rep;
END
$$ LANGUAGE plpgsql;
CREATE FUNCTION rep_days_changed() RETURNS trigger AS $$
BEGIN
  IF TG_OP IN ('UPDATE', 'DELETE') THEN PERFORM rep_days_recount(OLD.rep_id, OLD.happened_at); END IF;
  IF TG_OP IN ('UPDATE', 'INSERT') THEN PERFORM rep_days_add(NEW.rep_id, NEW.happened_at); END IF;
  RETURN NULL;
END
$$ LANGUAGE plpgsql;
CREATE TRIGGER rep_days_insert AFTER INSERT ON touches FOR EACH ROW EXECUTE FUNCTION rep_days_changed();
CREATE TRIGGER rep_days_update AFTER UPDATE OF rep_id, happened_at ON touches FOR EACH ROW
  WHEN (OLD.rep_id IS DISTINCT FROM NEW.rep_id OR OLD.happened_at IS DISTINCT FROM NEW.happened_at)
  EXECUTE FUNCTION rep_days_changed();
CREATE TRIGGER rep_days_delete AFTER DELETE ON touches FOR EACH ROW EXECUTE FUNCTION rep_days_changed()
"""


def create_triggers(connection: Connection) -> None:
    if connection.dialect.name == "sqlite":
        changed = "OLD.rep_id IS NOT NEW.rep_id OR OLD.happened_at IS NOT NEW.happened_at"
        statements = [
            f"CREATE TRIGGER rep_days_insert AFTER INSERT ON touches BEGIN\n{_sqlite_add('NEW')}END",
            f"CREATE TRIGGER rep_days_update AFTER UPDATE OF rep_id, happened_at ON touches WHEN {changed} BEGIN\n"
            f"{_sqlite_recount('OLD')}{_sqlite_add('NEW')}END",
            f"CREATE TRIGGER rep_days_delete AFTER DELETE ON touches BEGIN\n{_sqlite_recount('OLD')}END",
        ]
    else:
        statements = [part.strip() for part in _POSTGRES.split(";\nCREATE ")]
        statements = [statements[0], *(f"CREATE {part}" for part in statements[1:])]
    for statement in statements:
        connection.exec_driver_sql(statement)


def drop_triggers(connection: Connection) -> None:
    postgres = connection.dialect.name != "sqlite"
    for name in TRIGGER_NAMES:
        connection.exec_driver_sql(f"DROP TRIGGER IF EXISTS {name}" + (" ON touches" if postgres else ""))
    if postgres:
        connection.exec_driver_sql("DROP FUNCTION IF EXISTS rep_days_changed()")
        connection.exec_driver_sql("DROP FUNCTION IF EXISTS rep_days_recount(integer, timestamptz)")
        connection.exec_driver_sql("DROP FUNCTION IF EXISTS rep_days_add(integer, timestamptz)")


def rebuild(connection: Connection) -> None:
    """Every rep-day anew from the touches (the migration's backfill; the bench after a bulk load)."""
    connection.execute(text("DELETE FROM rep_days"))
    if connection.dialect.name == "sqlite":
        day, bits = _sqlite_day("happened_at"), f"sum(DISTINCT {_sqlite_bit('happened_at')})"
    else:
        day = "(happened_at AT TIME ZONE 'UTC')::date"
        bits = "bit_or(1 << extract(hour FROM happened_at AT TIME ZONE 'UTC')::integer)"
    connection.execute(
        text(
            f"INSERT INTO rep_days (rep_id, day, hours) "
            f"SELECT rep_id, {day} AS d, {bits} FROM touches GROUP BY rep_id, d"
        )
    )


# ------------------------------------------------------------------------------ reading


def _whole_hour(moment: datetime | None) -> bool:
    return moment is None or moment.astimezone(UTC).replace(minute=0, second=0, microsecond=0) == moment


def local_active_days(
    session: Session, *, start: datetime | None, end: datetime | None, rep_id: int | None, zone: str
) -> list[tuple[Any, int]] | None:
    """(local day of ``zone``, rep_id) for every local day a rep logged a touch in [``start``,
    ``end``); ``None`` when this roll-up cannot tell (a bound inside an hour, or a zone whose
    offset in the period is not whole hours): the caller reads the touches then.

    When the zone keeps one offset all through the rows read (Brazil since 2019), the database
    maps the hours to local days itself; otherwise each row's hours are mapped here."""
    if not (_whole_hour(start) and _whole_hour(end)):
        return None
    first = start.astimezone(UTC) if start is not None else None
    last = (end.astimezone(UTC) - HOUR) if end is not None else None  # the last hour inside
    conditions = []
    params: dict[str, Any] = {"full": FULL_DAY}
    mask = "hours"
    if first is not None:
        conditions.append("day >= :first_day")
        mask = f"({mask} & CASE WHEN day = :first_day THEN :first_mask ELSE :full END)"
        params.update(first_day=first.date(), first_mask=FULL_DAY & ~((1 << first.hour) - 1))
    if last is not None:
        conditions.append("day <= :last_day")
        mask = f"({mask} & CASE WHEN day = :last_day THEN :last_mask ELSE :full END)"
        params.update(last_day=last.date(), last_mask=(1 << (last.hour + 1)) - 1)
    if rep_id is not None:
        conditions.append("rep_id = :rep_id")
        params["rep_id"] = rep_id
    where = " AND ".join(conditions) or "1 = 1"
    binds = [bindparam(name, type_=Date()) for name in ("first_day", "last_day") if name in params]
    span = session.execute(text(f"SELECT min(day), max(day) FROM rep_days WHERE {where}").bindparams(*binds), params)
    low, high = span.one()
    if low is None:
        return []
    local = ZoneInfo(zone)
    shift = _steady_shift(local, _as_date(low), _as_date(high))
    if shift is not None:
        return _days_in_database(session, where, mask, shift, params, binds)
    statement = text(f"SELECT day, rep_id, {mask} FROM rep_days WHERE {where}").bindparams(*binds)
    shifts: dict[date, int | None] = {}
    found: set[tuple[date, int]] = set()
    for raw_day, rep, hours in session.execute(statement, params):
        day, bits = _as_date(raw_day), int(hours)
        if not bits:
            continue
        if day not in shifts:
            shifts[day] = _shift(local, day)
        steady = shifts[day]
        if steady is None:  # the offset changes that day, or is not whole hours
            days = _days_hour_by_hour(local, day, bits)
            if days is None:
                return None
            found.update((d, int(rep)) for d in days)
            continue
        found.update((d, int(rep)) for d in _days_of(day, bits, steady))
    return sorted(found)


FULL_DAY = (1 << 24) - 1


def _as_date(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


def _steady_shift(local: ZoneInfo, low: date, high: date) -> int | None:
    """The zone's offset in whole hours from the UTC day ``low`` through ``high``, when it never
    changes in between (weekly probes find any change: offsets last months), else None."""
    shift = _shift(local, low)
    day = low
    while shift is not None and day < high:
        day = min(day + timedelta(days=7), high)
        if _shift(local, day) != shift:
            return None
    return shift


def _days_in_database(
    session: Session, where: str, mask: str, shift: int, params: dict[str, Any], binds: list[Any]
) -> list[tuple[Any, int]]:
    """The local days, the offset ``shift`` whole hours all along: an hour before local midnight
    in UTC terms belongs to the day before (west of UTC) or after (east)."""
    postgres = session.get_bind().dialect.name != "sqlite"
    if shift <= 0:
        same, other, step = f"({mask} >> {-shift})", f"({mask} & {(1 << -shift) - 1})", -1
    else:
        same, other, step = f"({mask} & {(1 << (24 - shift)) - 1})", f"({mask} >> {24 - shift})", 1
    moved = f"day + {step}" if postgres else f"date(day, '{step:+d} day')"
    statement = text(
        f"SELECT day AS d, rep_id FROM rep_days WHERE {where} AND {same} <> 0 "
        f"UNION SELECT {moved} AS d, rep_id FROM rep_days WHERE {where} AND {other} <> 0"
    ).bindparams(*binds)
    return [(row[0], int(row[1])) for row in session.execute(statement, params)]


def _offset_hours(local: ZoneInfo, moment: datetime) -> int | None:
    offset = moment.astimezone(local).utcoffset() or timedelta()
    seconds = int(offset.total_seconds())
    return seconds // 3600 if seconds % 3600 == 0 else None


def _shift(local: ZoneInfo, day: date) -> int | None:
    """The zone's offset in whole hours all through the UTC ``day``, or None."""
    midnight = datetime(day.year, day.month, day.day, tzinfo=UTC)
    first, last = _offset_hours(local, midnight), _offset_hours(local, midnight + 23 * HOUR)
    return first if first is not None and first == last else None


def _days_of(day: date, mask: int, shift: int) -> Iterator[date]:
    """The local days of the hours of ``mask`` on the UTC ``day``, the offset ``shift`` hours."""
    if shift < 0 and mask & ((1 << -shift) - 1):  # early UTC hours: the local day before
        yield day - timedelta(days=1)
    if shift > 0 and mask >> (24 - shift):  # late UTC hours: the local day after
        yield day + timedelta(days=1)
    same = mask >> -shift if shift < 0 else mask & ((1 << (24 - shift)) - 1)
    if same:
        yield day


def _days_hour_by_hour(local: ZoneInfo, day: date, mask: int) -> set[date] | None:
    midnight = datetime(day.year, day.month, day.day, tzinfo=UTC)
    days: set[date] = set()
    for hour in range(24):
        if mask >> hour & 1:
            moment = midnight + hour * HOUR
            if _offset_hours(local, moment) is None:
                return None
            days.add(moment.astimezone(local).date())
    return days


__all__ = ["TRIGGER_NAMES", "create_triggers", "drop_triggers", "local_active_days", "rebuild"]
