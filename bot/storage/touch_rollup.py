"""Roll-ups of the touches: how many touches have each report key (:data:`TOUCH_COUNT_KEYS`:
campaign, rep, channel, outcome, playbook version, script, variant), per UTC week
(``touch_weeks``) and over all time (``touch_totals``).

Why: the report's touch counts group every touch of the period by seven columns, and SQLite
sorts them to do it (0.43 s of CPU for the 205k touches of 30 days at 5M). At 5M touches a week
holds about 10k distinct keys (a fifth of its touches) and all time about 25k, so a report reads
the whole weeks of its period here, and only its partial weeks from the touches (the period
index ``ix_touches_period``); a report from the beginning reads the totals.

Why weeks, not hours or days: a key rarely repeats within an hour or a day (55% as many rows
per day as touches at 5M), so finer rows would cost as much to read as the touches themselves.
Weeks start on Monday 00:00 UTC, which is a whole hour in every zone: a local day never needs a
week split, only its partial weeks read raw.

Kept by **database triggers** on ``touches`` (migration 0017), in the same transaction as the
write, whatever makes it: a touch logged in chat, an import, a corrected campaign
(:func:`bot.storage.leads.move_history_to_campaign`), a bulk insert, a row deleted; erasures
change no key and so no count. A trigger adds ±1 to the first row of the key (creating it with
0 when missing); two PostgreSQL transactions adding the same new key at once may each create a
row of it: readers always sum the rows of a key, so the count stays right.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Select, func, select, text, union_all
from sqlmodel import Session, col

from bot.storage.models import TOUCH_COUNT_KEYS, TouchTotal, TouchWeek

TRIGGER_NAMES = ("touches_rollup_insert", "touches_rollup_update", "touches_rollup_delete")
_NULLABLE = ("script_id", "variant")
_MONDAY = datetime(2024, 1, 1, tzinfo=UTC)  # a Monday: weeks are counted from it


# ------------------------------------------------------------------------------ weeks


def week_floor(moment: datetime) -> datetime:
    """The UTC Monday 00:00 at or before ``moment``."""
    days = (moment.astimezone(UTC) - _MONDAY) // timedelta(days=1)
    return _MONDAY + timedelta(days=days - days % 7)


def week_ceil(moment: datetime) -> datetime:
    """The UTC Monday 00:00 at or after ``moment``."""
    floor = week_floor(moment)
    return floor if floor == moment else floor + timedelta(days=7)


def _week_sql(dialect: str, column: str) -> str:
    """SQL for the UTC Monday 00:00 of the moment ``column``, as the dialect stores moments."""
    if dialect == "sqlite":  # UTCDateTime's text: 'YYYY-MM-DD HH:MM:SS.ffffff'
        return f"(date({column}, '-6 days', 'weekday 1') || ' 00:00:00.000000')"
    return f"(date_trunc('week', {column} AT TIME ZONE 'UTC') AT TIME ZONE 'UTC')"


# ------------------------------------------------------------------------------ DDL (migration 0017)


def _add(dialect: str, table: str, row: str, delta: str, week: str | None) -> str:
    """Statements adding ``delta`` to the count of ``row``'s key (``NEW``/``OLD``/a record)."""
    same = "IS" if dialect == "sqlite" else "IS NOT DISTINCT FROM"
    match = [f"{key} {same if key in _NULLABLE else '='} {row}.{key}" for key in TOUCH_COUNT_KEYS]
    columns = list(TOUCH_COUNT_KEYS)
    values = [f"{row}.{key}" for key in TOUCH_COUNT_KEYS]
    if week is not None:
        match.insert(0, f"week = {week}")
        columns.insert(0, "week")
        values.insert(0, week)
    where = " AND ".join(match)
    return (
        f"INSERT INTO {table} ({', '.join(columns)}, touches) SELECT {', '.join(values)}, 0 "
        f"WHERE NOT EXISTS (SELECT 1 FROM {table} WHERE {where});\n"
        f"UPDATE {table} SET touches = touches + {delta} WHERE id = (SELECT min(id) FROM {table} WHERE {where});\n"
    )


def _both(dialect: str, row: str, delta: str, week: str) -> str:
    return _add(dialect, "touch_weeks", row, delta, week) + _add(dialect, "touch_totals", row, delta, None)


def _changed() -> str:
    keys = ("happened_at", *TOUCH_COUNT_KEYS)
    return " OR ".join(f"OLD.{key} IS DISTINCT FROM NEW.{key}" for key in keys)


def create_triggers(connection: Connection) -> None:
    """The triggers that keep ``touch_weeks`` and ``touch_totals`` (SQLite or PostgreSQL)."""
    dialect = connection.dialect.name
    keyed = ", ".join(("happened_at", *TOUCH_COUNT_KEYS))
    if dialect == "sqlite":
        new_week, old_week = _week_sql(dialect, "NEW.happened_at"), _week_sql(dialect, "OLD.happened_at")
        changed = _changed().replace("IS DISTINCT FROM", "IS NOT")
        statements = [
            f"CREATE TRIGGER touches_rollup_insert AFTER INSERT ON touches BEGIN\n"
            f"{_both(dialect, 'NEW', '1', new_week)}END",
            f"CREATE TRIGGER touches_rollup_update AFTER UPDATE OF {keyed} ON touches WHEN {changed} BEGIN\n"
            f"{_both(dialect, 'OLD', '-1', old_week)}{_both(dialect, 'NEW', '1', new_week)}END",
            f"CREATE TRIGGER touches_rollup_delete AFTER DELETE ON touches BEGIN\n"
            f"{_both(dialect, 'OLD', '-1', old_week)}END",
        ]
    else:
        statements = [
            "CREATE FUNCTION touch_rollup_add(r touches, delta integer) RETURNS void AS $$\n"
            f"BEGIN\n{_both(dialect, 'r', 'delta', _week_sql(dialect, 'r.happened_at'))}END\n"
            "$$ LANGUAGE plpgsql",
            "CREATE FUNCTION touch_rollup_changed() RETURNS trigger AS $$\n"
            "BEGIN\n"
            "  IF TG_OP IN ('UPDATE', 'DELETE') THEN PERFORM touch_rollup_add(OLD, -1); END IF;\n"
            "  IF TG_OP IN ('UPDATE', 'INSERT') THEN PERFORM touch_rollup_add(NEW, 1); END IF;\n"
            "  RETURN NULL;\n"
            "END\n"
            "$$ LANGUAGE plpgsql",
            "CREATE TRIGGER touches_rollup_insert AFTER INSERT ON touches "
            "FOR EACH ROW EXECUTE FUNCTION touch_rollup_changed()",
            f"CREATE TRIGGER touches_rollup_update AFTER UPDATE OF {keyed} ON touches "
            f"FOR EACH ROW WHEN ({_changed()}) EXECUTE FUNCTION touch_rollup_changed()",
            "CREATE TRIGGER touches_rollup_delete AFTER DELETE ON touches "
            "FOR EACH ROW EXECUTE FUNCTION touch_rollup_changed()",
        ]
    for statement in statements:
        connection.exec_driver_sql(statement)


def drop_triggers(connection: Connection) -> None:
    dialect = connection.dialect.name
    for name in TRIGGER_NAMES:
        connection.exec_driver_sql(f"DROP TRIGGER IF EXISTS {name}" + ("" if dialect == "sqlite" else " ON touches"))
    if dialect != "sqlite":
        connection.exec_driver_sql("DROP FUNCTION IF EXISTS touch_rollup_changed()")
        connection.exec_driver_sql("DROP FUNCTION IF EXISTS touch_rollup_add(touches, integer)")


def rebuild(connection: Connection) -> None:
    """Count every touch anew into both roll-ups (the migration's backfill; the bench's
    generator after a bulk load without the triggers)."""
    keys = ", ".join(TOUCH_COUNT_KEYS)
    week = _week_sql(connection.dialect.name, "happened_at")
    connection.execute(text("DELETE FROM touch_weeks"))
    connection.execute(text("DELETE FROM touch_totals"))
    connection.execute(
        text(
            f"INSERT INTO touch_weeks (week, {keys}, touches) "
            f"SELECT {week} AS w, {keys}, count(*) FROM touches GROUP BY w, {keys}"
        )
    )
    connection.execute(
        text(f"INSERT INTO touch_totals ({keys}, touches) SELECT {keys}, count(*) FROM touches GROUP BY {keys}")
    )


# ------------------------------------------------------------------------------ reading


def rolled_counts(
    *,
    weeks: tuple[datetime, datetime | None] | None,
    campaign: str | None = None,
    rep_id: int | None = None,
    playbook_version: str | None = None,
    sign: int = 1,
) -> Select[Any]:
    """SELECT of (campaign, rep_id, channel, outcome, playbook_version, script_id, variant,
    touches × ``sign``) of the whole weeks from ``weeks[0]`` to ``weeks[1]`` (exclusive;
    ``None``: on), or of all time when ``weeks`` is ``None``; a key may come in several rows."""
    table: Any = TouchTotal if weeks is None else TouchWeek
    conditions = []
    if weeks is not None:
        conditions.append(col(TouchWeek.week) >= weeks[0])
        if weeks[1] is not None:
            conditions.append(col(TouchWeek.week) < weeks[1])
    if campaign is not None:
        conditions.append(col(table.campaign) == campaign)
    if rep_id is not None:
        conditions.append(col(table.rep_id) == rep_id)
    if playbook_version is not None:
        conditions.append(col(table.playbook_version) == playbook_version)
    keys: list[Any] = [col(getattr(table, key)).label(key) for key in TOUCH_COUNT_KEYS]
    return select(*keys, (col(table.touches) * sign).label("n")).where(*conditions)


def summed(session: Session, parts: list[Select[Any]]) -> list[tuple[Any, ...]]:
    """One row per key of the rows of ``parts`` (same columns: the keys, then ``n``), with the
    sum of their ``n``; keys that sum to 0 are left out. Summed in the database, in one pass."""
    every = union_all(*parts).subquery() if len(parts) > 1 else parts[0].subquery()
    keys = [every.c[key] for key in TOUCH_COUNT_KEYS]
    total = func.sum(every.c.n)
    statement = select(*keys, total).group_by(*keys).having(total != 0)
    return [tuple(row) for row in session.execute(statement)]


__all__ = [
    "TRIGGER_NAMES",
    "create_triggers",
    "drop_triggers",
    "rebuild",
    "rolled_counts",
    "summed",
    "week_ceil",
    "week_floor",
]
