"""Start-up with 100,000 pending reminders: load, recover, flag late ones, arm the timer.

    python bench/reminders_load.py [--reminders 100000] [--members 1000] [--due 2000]

Builds a throw-away SQLite database (migrated like production), fills it with pending step
reminders (``--due`` of them already due, as if they fell due while the bot was down), then
times what the bot does at start-up: ``ReminderScheduler.start()`` (crash recovery, late flags,
morning agendas for every member, one timer at the next due instant) and the first page of due
reminders loaded into the pacer. Prints the time and the peak memory (targets: < 10 s, < 300 MB).
"""

from __future__ import annotations

import argparse
import asyncio
import resource
import sys
import tempfile
import time
import tracemalloc
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import insert

from bot.config import Settings
from bot.reminders.pacing import Due, PacedQueue
from bot.reminders.scheduler import ReminderScheduler
from bot.resources import bundled_dir
from bot.services import reminders as service
from bot.services.playbooks import load_checked_playbook, remember_playbook
from bot.services.runtime import Runtime
from bot.storage.db import make_engine, upgrade_database
from bot.storage.models import Member, Reminder

NOW = datetime(2026, 11, 23, 13, 0, tzinfo=UTC)


def fill(runtime: Runtime, reminders: int, members: int, due: int) -> None:
    with runtime.engine.begin() as connection:
        connection.execute(
            insert(Member),
            [
                {
                    "telegram_id": 10_000 + i,
                    "role": "rep",
                    "first_name": f"Rep {i}",
                    "full_name": "",
                    "username": "",
                    "language": "pt",
                    "phone": "",
                    "email": "",
                    "uf": "SP",
                    "timezone": "America/Sao_Paulo",
                    "work_start": "09:00",
                    "work_end": "18:00",
                    "paused": False,
                    "active": True,
                    "created_at": NOW,
                }
                for i in range(members)
            ],
        )
        batch = []
        for n in range(reminders):
            at = NOW - timedelta(seconds=due - n) if n < due else NOW + timedelta(seconds=n * 30)
            batch.append(
                {
                    "member_id": n % members + 1,
                    "kind": "step_due",
                    "step_id": "abordagem_1",
                    "due_at": at,
                    "state": "pending",
                    "dedupe_key": f"bench:{n}",
                    "attempts": 0,
                    "late": False,
                    "created_at": NOW,
                }
            )
            if len(batch) == 10_000:
                connection.execute(insert(Reminder), batch)
                batch = []
        if batch:
            connection.execute(insert(Reminder), batch)


async def start_up(runtime: Runtime) -> tuple[ReminderScheduler, int]:
    scheduler = ReminderScheduler(runtime, bot=None, compose=lambda prepared: ("", None))
    await scheduler.start()
    queue = PacedQueue()
    for item in service.due_reminders(runtime, limit=scheduler.page):
        queue.add(Due(item.due_at, item.reminder_id, item.chat_id))
    return scheduler, len(queue)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reminders", type=int, default=100_000)
    parser.add_argument("--members", type=int, default=1_000)
    parser.add_argument("--due", type=int, default=2_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{folder}/bench.db"
        engine = make_engine(url)
        upgrade_database(engine)
        playbook = load_checked_playbook(bundled_dir("playbook"))
        settings = Settings(_env_file=None, database_url=url)  # type: ignore[call-arg]
        runtime = Runtime(settings=settings, engine=engine, playbook=playbook, clock=lambda: NOW)
        remember_playbook(runtime, playbook)
        fill(runtime, args.reminders, args.members, args.due)
        rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        tracemalloc.start()
        started = time.perf_counter()
        scheduler, queued = asyncio.run(start_up(runtime))
        elapsed = time.perf_counter() - started
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        live = service.count_live(runtime)
        engine.dispose()
    print(f"pending reminders:     {args.reminders:,} ({args.due:,} already due) for {args.members:,} members")
    print(f"live after start-up:   {live:,} (incl. {args.members:,} morning agendas planned)")
    print(f"due, queued for pacing: {queued:,}; timer armed at {scheduler.next_due}")
    print(f"start-up time:         {elapsed:.2f} s   (target < 10 s)")
    print(f"peak Python memory:    {peak / 1e6:.1f} MB during start-up (tracemalloc)")
    print(f"peak RSS of process:   {rss_after:.0f} MB (before start-up {rss_before:.0f} MB; target < 300 MB)")
    ok = elapsed < 10 and rss_after < 300
    print("OK" if ok else "OVER TARGET")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
