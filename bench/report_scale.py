"""The manager report on a long history (issue 11). Prints figures and targets; not a test.

A report for a period must read only that period: its cost follows the activity of the period,
not the size of the history. The bench builds a history of realistic activity (the generator of
the report tests, ``tests/services/activity.py``: campaigns, reps, A/B variants, stage changes,
losses, meetings held / no-show / rescheduled) spread over ``--days`` days, bulk-inserted with
``sqlite3``'s ``executemany`` into the migrated schema, and times the report (every metric, as
the bot and the CLI build it) for:

- one local day near the end of the history — target < 0.3 s at 5M touches;
- the last 30 days — target < 0.5 s;
- the whole history — target < 2 s.

The verdict is on the wall time; the CPU seconds beside it (with its own verdict) tell the work
apart from the wait for a core on a loaded machine. Most of a report is read from roll-ups kept
by triggers (migration 0017: ``touch_weeks``/``touch_totals``, ``stage_pairs``/``reach_pairs``,
``rep_days``); the data is loaded with the triggers off and the roll-ups counted once after.

Beside each figure, a reference measured in the same run: counting the period's touches over
the bare ``happened_at`` index (the least any report of that period can read).

    .venv/bin/python bench/report_scale.py [--touches 5000000] [--days 730] [--db PATH]
    .venv/bin/python bench/report_scale.py --postgres --touches 1000000   (a throw-away server)
    .venv/bin/python bench/report_scale.py --url postgresql://…            (an empty database)

``--db`` keeps the generated SQLite file and reuses it on the next run (building 5M touches
takes a few minutes). Each report is run ``--runs`` times; the best run is shown.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from history import populate_other, populate_sqlite  # noqa: E402
from sqlalchemy import func, select  # noqa: E402
from sqlmodel import col  # noqa: E402

from bot.storage.db import make_engine, read_scope, upgrade_database  # noqa: E402
from bot.storage.models import Lead, Meeting, StageChange, Touch  # noqa: E402
from tests.services.activity import T0  # noqa: E402

TARGETS_S = {"one day": 0.3, "30 days": 0.5, "full history": 2.0}


def verdict(ok: bool) -> str:
    return "OK" if ok else "MISSED"


def best_of(runs: int, work: Callable[[], Any]) -> tuple[float, float, float, Any]:
    """(best wall time, median wall time, CPU time of the best run, the result). On a busy
    machine the CPU seconds (this process's, both report threads) tell the work apart from the
    wait for a core."""
    times: list[tuple[float, float]] = []
    result: Any = None
    for _ in range(runs):
        started, cpu = time.perf_counter(), time.process_time()
        result = work()
        times.append((time.perf_counter() - started, time.process_time() - cpu))
    best = min(times)
    return best[0], statistics.median(wall for wall, _cpu in times), best[1], result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--touches", type=int, default=5_000_000)
    parser.add_argument("--days", type=int, default=730, help="how long the history is")
    parser.add_argument("--reps", type=int, default=50)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--db", type=Path, help="SQLite file to keep and reuse")
    parser.add_argument("--url", help="another database (PostgreSQL), empty: filled by the bench")
    parser.add_argument(
        "--postgres", action="store_true", help="a throw-away PostgreSQL server (as the tests start one)"
    )
    args = parser.parse_args()
    if args.postgres:
        from tests.storage.pg_cluster import start_cluster

        cluster = start_cluster()
        args.url = cluster.url.render_as_string(hide_password=False)
        try:
            return measure(args)
        finally:
            cluster.stop()
    return measure(args)


def measure(args: argparse.Namespace) -> int:

    from bot.services.reports import build_report

    if args.url:
        engine = make_engine(args.url)
        upgrade_database(engine)
        with read_scope(engine) as session:
            filled = session.execute(select(func.count()).select_from(Touch)).scalar_one()
        if not filled:
            print(f"generating ~{args.touches:,} touches over {args.days} days into {engine.url.render_as_string()} …")
            started = time.perf_counter()
            populate_other(engine, touches=args.touches, reps=args.reps, days=args.days)
            print(f"  generated in {time.perf_counter() - started:.0f} s")
    else:
        path = args.db or Path(tempfile.mkdtemp(prefix="cadencia-report-scale-")) / "history.db"
        if not path.exists():
            print(f"generating ~{args.touches:,} touches over {args.days} days into {path} …")
            started = time.perf_counter()
            populate_sqlite(path, touches=args.touches, reps=args.reps, days=args.days)
            print(f"  generated in {time.perf_counter() - started:.0f} s")
        engine = make_engine(f"sqlite:///{path}")
        upgrade_database(engine)  # a kept database from an older run gets the newest indexes

    with read_scope(engine) as session:
        counts = {
            str(model.__tablename__): session.execute(select(func.count()).select_from(model)).scalar_one()
            for model in (Touch, Lead, StageChange, Meeting)
        }
    print(f"database: {engine.dialect.name}, " + ", ".join(f"{n:,} {table}" for table, n in counts.items()))
    print(f"machine load (1 min): {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")

    # Periods near the end of the history (local days of the team, as the bot asks for them).
    last_day = (T0 + timedelta(days=args.days - 2)).replace(hour=3, minute=0, second=0, microsecond=0)
    periods: dict[str, tuple[datetime | None, datetime | None]] = {
        "one day": (last_day, last_day + timedelta(days=1)),
        "30 days": (last_day - timedelta(days=29), last_day + timedelta(days=1)),
        "full history": (None, None),
    }
    summary: list[tuple[str, str, bool]] = []
    print(f"\nREPORT (every metric; best of {args.runs} runs, median beside it)")
    for name, (start, end) in periods.items():

        def report(start: datetime | None = start, end: datetime | None = end) -> Any:
            with read_scope(engine) as session:
                return build_report(session, start=start, end=end)

        def reference(start: datetime | None = start, end: datetime | None = end) -> int:
            statement = select(func.count()).select_from(Touch)
            if start is not None and end is not None:
                statement = statement.where(col(Touch.happened_at) >= start, col(Touch.happened_at) < end)
            with read_scope(engine) as session:
                return int(session.execute(statement).scalar_one())

        best, median, cpu, result = best_of(args.runs, report)
        reference_s, _median, _cpu, period_touches = best_of(args.runs, reference)
        target = TARGETS_S[name]
        ok = best < target
        cpu_ok = cpu < target
        print(
            f"  {name:13s} {best:6.3f} s (median {median:.3f}; CPU {cpu:.3f} s)  target < {target} s: {verdict(ok)}   "
            f"{period_touches:>9,} touches; counting them {reference_s:.3f} s "
            f"(report ÷ count {best / max(reference_s, 1e-6):.1f}×)"
        )
        print(
            f"                calls {result.basic.calls_made:,}, messages {result.basic.messages_sent:,}, "
            f"SQL {result.basic.sql_booked:,}, entered {result.basic.companies_entered:,}"
        )
        summary.append((f"{name} report", f"{best:.3f} s (CPU {cpu:.3f} s: {verdict(cpu_ok)}) < {target} s", ok))

    print("\nSUMMARY")
    for name, figure, ok in summary:
        print(f"  {verdict(ok):6s}  {name}: {figure}")
    engine.dispose()
    return 0 if all(ok for _name, _figure, ok in summary) else 1


if __name__ == "__main__":
    sys.exit(main())
