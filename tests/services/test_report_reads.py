"""A report for a period reads only that period: on SQLite, every statement it runs seeks the
period in an index that starts with the moment, so its cost does not grow with the history.

(The numbers themselves are checked by the oracle, ``tests/oracle/test_report_oracle.py``, and
``test_reports.py``; ``bench/report_scale.py`` times it at 5M touches.)
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Engine, event

from bot.services.reports import build_report
from bot.storage.db import read_scope
from tests.services.activity import T0

HISTORY_TABLES = ("touches", "t", "stage_changes", "s", "meetings", "meetings_1", "touch_weeks")
"""The tables that grow with every day of work (and their aliases in the report's SQL); the
roll-up ``touch_totals`` grows only with the number of distinct keys, not with time."""
ONE_ROW = re.compile(r"\((rescheduled_to|rowid|lead_id)=\?\)$")
"""One row by a key, or a lead's own touches by its key (the unit economics: the channel of the SQL
of each lead the period names)."""
MOMENT_RANGE = re.compile(r"\b(happened_at|at|created_at|starts_at|week)>\?")


def explain(engine: Engine, statements: list[tuple[str, Any]]) -> list[tuple[str, list[str]]]:
    with engine.connect() as connection:
        raw = connection.connection.driver_connection
        assert raw is not None
        return [
            (sql, [row[3] for row in raw.execute("EXPLAIN QUERY PLAN " + sql, params)]) for sql, params in statements
        ]


def report_plans(engine: Engine, start: datetime | None, end: datetime | None, **filters: Any) -> list[str]:
    """Every plan line of the statements one report runs."""
    statements: list[tuple[str, Any]] = []

    def grab(_conn: Any, _cursor: Any, statement: str, parameters: Any, _context: Any, _many: bool) -> None:
        if statement.lstrip().upper().startswith(("SELECT", "WITH")) and "sqlite_master" not in statement:
            statements.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", grab)
    try:
        with read_scope(engine) as session:
            build_report(session, start=start, end=end, **filters)
    finally:
        event.remove(engine, "before_cursor_execute", grab)
    assert statements
    return [line for _sql, lines in explain(engine, statements) for line in lines]


DAY = T0.replace(hour=3) + timedelta(days=45)  # a local day in the middle of the history


@pytest.mark.parametrize(
    ("start", "end", "filters"),
    [
        (DAY, DAY + timedelta(days=1), {}),
        (DAY - timedelta(days=29), DAY + timedelta(days=1), {}),
        (DAY, DAY + timedelta(days=1), {"rep_id": 3}),
        (DAY, DAY + timedelta(days=1), {"campaign": "Logística SP"}),
        (DAY, DAY + timedelta(days=1), {"playbook_version": "1.1"}),
    ],
    ids=["one day", "30 days", "one rep", "one campaign", "one version"],
)
def test_a_report_for_a_period_never_reads_the_whole_history(
    activity_engine: Engine, start: datetime, end: datetime, filters: dict[str, Any]
) -> None:
    lines = report_plans(activity_engine, start, end, **filters)
    read = [line for line in lines if line.split()[0] in ("SCAN", "SEARCH") and line.split()[1] in HISTORY_TABLES]
    assert read
    # Each of them sought from the period's start (or one row by a key: the meeting a meeting
    # replaced, the touch a meeting was booked on): never the whole history, nor all of a
    # campaign's or a rep's.
    unbounded = [line for line in read if not MOMENT_RANGE.search(line) and not ONE_ROW.search(line)]
    assert unbounded == [], "\n".join(lines)
    if not filters:  # the touches are sought by their moment, the rows themselves unread
        seek = "SEARCH touches USING COVERING INDEX ix_touches_period (happened_at>? AND happened_at<?)"
        assert seek in lines, "\n".join(lines)


def test_the_full_report_reads_each_index_once_in_order(activity_engine: Engine) -> None:
    """From the beginning, the touches are counted from the all-time roll-up (never read one by
    one); every other history entry is read in the order of a covering index, with no sort of
    the touches."""
    lines = report_plans(activity_engine, None, None)
    assert any(line.startswith("SCAN touch_totals") for line in lines), "\n".join(lines)
    assert "SCAN touches USING COVERING INDEX ix_touches_report" not in lines
    assert not any(line.startswith("SCAN touches") and "COVERING" not in line for line in lines)


def test_a_month_reads_its_whole_weeks_from_the_roll_up(activity_engine: Engine) -> None:
    lines = report_plans(activity_engine, DAY - timedelta(days=29), DAY + timedelta(days=1))
    assert any(line.startswith("SEARCH touch_weeks") and "week>?" in line for line in lines), "\n".join(lines)
