"""/hoje against an overdue backlog: its cost must not grow with how far behind a rep is.

``bench/latency.py`` compares /hoje on 100,000 leads with 1,000: there the small history fills
the agenda with about one line per rep and the large one with a full page (15 overdue + 15 due
today), so its ratio measures the page, not the backlog. Here one rep always has a full page
(20 steps due today) and an overdue backlog of 100 (the reference: the most /hoje reads, 15
lines and a count that stops past 99), then 1,000, 10,000 and 100,000 steps. Each /hoje is the
agenda read (``reminders.agenda``) and its message rendered as the chat renders it, in CPU time,
p50/p99 of several calls. Target: the largest backlog within 1.5× of the reference. SQLite (a
temp file); ``--url`` for another database (it is emptied first).

    .venv/bin/python bench/today_backlog.py [--calls 300] [--largest 100000]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import delete, insert, text

from bot.config import Settings
from bot.render.messages import MessageRenderer
from bot.resources import bundled_dir
from bot.services import reminders
from bot.services.playbooks import load_checked_playbook
from bot.services.runtime import Runtime
from bot.services.views import MemberView
from bot.storage.db import make_engine, upgrade_database
from bot.storage.models import Lead, Member
from bot.tg.reminders import agenda_values

NOW = datetime(2026, 11, 23, 14, 0, tzinfo=UTC)  # a Monday, 11:00 in São Paulo
TARGET_RATIO = 1.5
REFERENCE = reminders.AGENDA_COUNT_CAP + 1


def _fill(runtime: Runtime, member_id: int, overdue: int, first_id: int) -> int:
    """Give the rep ``overdue`` more overdue steps (a minute apart, going back from yesterday)."""
    step = runtime.playbook.cadence.steps[0].id
    yesterday = NOW - timedelta(days=1)
    rows = [
        {
            "id": first_id + i,
            "owner_id": member_id,
            "company": f"Atrasada {first_id + i}",
            "company_key": f"atrasada {first_id + i}",
            "uf": "SP",
            "stage": "prospecting",
            "cadence_status": "active",
            "current_step": step,
            "step_due_at": yesterday - timedelta(minutes=first_id + i),
            "created_at": NOW - timedelta(days=30),
        }
        for i in range(overdue)
    ]
    with runtime.engine.begin() as connection:
        for start in range(0, len(rows), 5000):
            connection.execute(insert(Lead), rows[start : start + 5000])
        connection.execute(text("ANALYZE"))
    return first_id + overdue


def _measure(runtime: Runtime, renderer: MessageRenderer, member: MemberView, calls: int) -> tuple[float, float, str]:
    timings = []
    message = ""
    for _ in range(calls):
        started = time.process_time()
        agenda = reminders.agenda(runtime, member)
        values = agenda_values(agenda, member.language, member.timezone, lambda s: s)
        message = renderer.render("agenda.html", member.language, morning=False, **values)
        timings.append((time.process_time() - started) * 1000)
    timings.sort()
    return timings[len(timings) // 2], timings[min(len(timings) - 1, int(len(timings) * 0.99))], message


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--calls", type=int, default=300)
    parser.add_argument("--largest", type=int, default=100_000)
    parser.add_argument("--url", help="a database URL to use instead of a temp SQLite file (emptied first)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as folder:
        url = args.url or f"sqlite:///{Path(folder) / 'today.db'}"
        engine = make_engine(url)
        upgrade_database(engine)
        with engine.begin() as connection:
            connection.execute(delete(Lead))
            connection.execute(delete(Member))
            connection.execute(
                insert(Member),
                [{"id": 1, "telegram_id": 1001, "role": "rep", "first_name": "Ana", "created_at": NOW}],
            )
        settings = Settings(_env_file=None, database_url=url)  # type: ignore[call-arg]
        runtime = Runtime(settings=settings, engine=engine, playbook=load_checked_playbook(bundled_dir("playbook")))
        runtime.clock = lambda: NOW
        renderer = MessageRenderer(settings.templates_dir)
        with runtime.reading() as session:
            member = MemberView.of(session.get(Member, 1))  # type: ignore[arg-type]
        step = runtime.playbook.cadence.steps[0].id
        with engine.begin() as connection:  # 20 steps due later today: a full "Para hoje" section
            connection.execute(
                insert(Lead),
                [
                    {
                        "id": 1_000_000 + i,
                        "owner_id": 1,
                        "company": f"Hoje {i}",
                        "company_key": f"hoje {i}",
                        "uf": "SP",
                        "stage": "prospecting",
                        "cadence_status": "active",
                        "current_step": step,
                        "step_due_at": NOW + timedelta(minutes=10 + i),
                        "created_at": NOW - timedelta(days=1),
                    }
                    for i in range(20)
                ],
            )
        sizes = [REFERENCE, *(n for n in (1_000, 10_000, 100_000) if n <= args.largest)]
        print(f"/hoje of one rep with 20 steps due today and an overdue backlog; {args.calls} calls each, ms of CPU")
        print(f"  {'overdue backlog':>16}  {'p50':>6}  {'p99':>6}  {'p99 vs ' + str(REFERENCE):>10}")
        next_id, have, reference, worst = 1, 0, 0.0, 0.0
        for size in sizes:
            next_id = _fill(runtime, 1, size - have, next_id)
            have = size
            _measure(runtime, renderer, member, 5)  # warm up
            p50, p99, message = _measure(runtime, renderer, member, args.calls)
            reference = reference or p99
            worst = max(worst, p99 / reference)
            shown = message.count("• ")
            print(f"  {size:>16,}  {p50:>6.2f}  {p99:>6.2f}  {p99 / reference:>9.2f}×   ({shown} lines shown)")
        engine.dispose()
    ok = worst <= TARGET_RATIO
    print(f"  largest ratio {worst:.2f}× (target ≤ {TARGET_RATIO}×): {'OK' if ok else 'GROWS WITH THE BACKLOG'}")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
