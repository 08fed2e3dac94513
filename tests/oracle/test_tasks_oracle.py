"""The follow-up numbers of the report, recounted by hand.

Random days of two reps (seeded, so every run is the same): follow-ups scheduled through the real
chat (⏰ Retorno, a typed moment, a note or none), done and snoozed from their buttons, forged
presses by the other rep, a lead handed to the other rep, while a frozen clock moves on. The test
keeps its own event log of what each action did — whose task, due when, done or not — and
recounts from it, and from the raw ``tasks`` rows read with plain SQL, the report's numbers per
rep: **due** (tasks due in the period, cancelled ones aside), **done** (of those, done) and
**overdue** (of those, still open after their moment at the report's "now"). The report
(:func:`bot.services.reports.report_for`) is only ever the thing under test.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import text

from bot.domain.lead_fields import LeadDraft
from bot.domain.vocabulary import Role
from bot.services import leads, offboarding, reports
from bot.services.cadence import StaleAction
from bot.services.tasks import TaskNotFound
from bot.storage.models import Member
from bot.tg.callbacks import BadCallback
from tests.oracle.test_report_oracle import _non_blocking_done
from tests.tg.conftest import bot, clock, default_playbook, runtime
from tests.tg.harness import BotUnderTest, Person

__all__ = ["bot", "clock", "default_playbook", "runtime"]  # the conversation fixtures of tests/tg

ZONE = ZoneInfo("America/Sao_Paulo")


@dataclass
class Logged:
    """What the test knows of one follow-up, from what it did."""

    rep: int
    due: datetime
    done: bool = False


def _recount(
    log: dict[int, Logged], *, start: datetime | None, end: datetime | None, as_of: datetime, rep: int | None
) -> dict[int, tuple[int, int, int]]:
    counts: dict[int, list[int]] = {}
    for task in log.values():
        if rep is not None and task.rep != rep:
            continue
        if (start is not None and task.due < start) or (end is not None and task.due >= end):
            continue
        row = counts.setdefault(task.rep, [0, 0, 0])
        row[0] += 1
        row[1] += task.done
        row[2] += (not task.done) and task.due < as_of
    return {member: (a, b, c) for member, (a, b, c) in counts.items()}


def _from_raw_rows(
    bot: BotUnderTest, *, start: datetime | None, end: datetime | None, as_of: datetime, rep: int | None
) -> dict[int, tuple[int, int, int]]:
    """The same numbers from the ``tasks`` rows as they are, read with plain SQL."""
    counts: dict[int, list[int]] = {}
    with bot.runtime.engine.connect() as db:
        for member_id, due_at, state in db.execute(text("SELECT member_id, due_at, state FROM tasks")):
            due = due_at if isinstance(due_at, datetime) else datetime.fromisoformat(str(due_at))
            due = due if due.tzinfo else due.replace(tzinfo=UTC)
            if state == "cancelled" or (rep is not None and member_id != rep):
                continue
            if (start is not None and due < start) or (end is not None and due >= end):
                continue
            row = counts.setdefault(member_id, [0, 0, 0])
            row[0] += 1
            row[1] += state == "done"
            row[2] += state == "open" and due < as_of
    return {member: (a, b, c) for member, (a, b, c) in counts.items()}


def _reported(
    bot: BotUnderTest, member: Member, *, start: datetime | None, end: datetime | None, as_of: datetime
) -> dict[int, tuple[int, int, int]]:
    with bot.runtime.reading() as session:
        report = reports.report_for(session, member, start=start, end=end, now=as_of)
    return {row.rep_id: (row.due, row.done, row.overdue) for row in report.tasks}


async def _schedule(bot: BotUnderTest, rep: Person, lead_id: int, due: datetime, note: str) -> int | None:
    await rep.says(f"/lead {lead_id}")
    await rep.taps("Retorno")
    await rep.says(f"{due.astimezone(ZONE):%d/%m/%Y %H:%M}")
    said = rep.sees("")
    if "⚠️" in said:  # a moment that passed: refused, nothing saved
        await rep.says("/cancelar")
        return None
    if note:
        await rep.says(note)
    else:
        await rep.taps("Sem nota")
    rep.sees("Retorno marcado")
    with bot.runtime.engine.connect() as db:
        return int(db.execute(text("SELECT max(id) FROM tasks")).scalar_one())


async def test_the_follow_up_numbers_of_the_report_match_a_recount(bot: BotUnderTest) -> None:
    bot.expected_errors = (TaskNotFound, BadCallback, StaleAction)  # forged, or a done task snoozed
    rng = random.Random(20261202)
    boss = await bot.member("Helena", role=Role.MANAGER)
    ana, bruno, carla = await bot.member("Ana"), await bot.member("Bruno"), await bot.member("Carla")
    reps = [ana, bruno, carla]
    books: dict[int, list[int]] = {}
    for rep in reps:
        assert rep.member is not None
        books[rep.id] = [
            leads.create_lead(
                bot.runtime, rep.member, LeadDraft.read({"company": f"{rep.member.first_name} {n}"})
            ).lead.id
            or 0
            for n in range(3)
        ]
    log: dict[int, Logged] = {}
    start = bot.clock()
    for step in range(60):
        action = rng.random()
        rep = rng.choice(reps[:2] if step > 40 else reps)  # Carla leaves after step 40
        assert rep.member is not None
        if action < 0.45:
            due = (bot.clock() + timedelta(hours=rng.randint(-3, 120))).replace(second=0, microsecond=0)
            task_id = await _schedule(bot, rep, rng.choice(books[rep.id]), due, rng.choice(["", "ligar"]))
            if task_id is not None:
                log[task_id] = Logged(rep.member.id or 0, due)
        elif action < 0.65:
            mine = [i for i, t in log.items() if t.rep == rep.member.id and not t.done]
            if mine:
                task_id = rng.choice(mine)
                await rep.presses_data(f"tk:d:{task_id}")
                log[task_id].done = True
        elif action < 0.75:
            mine = [i for i, t in log.items() if t.rep == rep.member.id]
            if mine:  # a snooze moves the nudge, never the task's moment
                await rep.presses_data(f"tk:s:{rng.choice(mine)}:{rng.choice(['1h', 'tm'])}")
        elif action < 0.85:
            others = [i for i, t in log.items() if t.rep != rep.member.id]
            if others:  # forged: another rep's task changes nothing
                await rep.presses_data(f"tk:d:{rng.choice(others)}")
        else:
            bot.clock.advance(hours=rng.randint(1, 30))
        if step == 40:  # Carla leaves: her leads and open follow-ups go to Bruno
            assert boss.member is not None and carla.member is not None and bruno.member is not None
            offboarding.deactivate(
                bot.runtime.engine,
                actor=boss.member,
                member_id=carla.member.id or 0,
                to=bruno.member.id or 0,
                now=bot.clock(),
                via="cli",
            )
            for task in log.values():
                if task.rep == carla.member.id and not task.done:
                    task.rep = bruno.member.id or 0
            books[bruno.id] += books.pop(carla.id)
    assert len(log) >= 15

    now = bot.clock()
    windows = [
        (None, None),
        (start, now),
        (start + timedelta(days=1), start + timedelta(days=3)),
        (now - timedelta(days=1), None),
    ]
    for as_of in (now, now + timedelta(days=10), start):
        for window_start, window_end in windows:
            for viewer in (boss, ana, bruno):
                assert viewer.member is not None
                only = None if viewer is boss else viewer.member.id
                expected = _recount(log, start=window_start, end=window_end, as_of=as_of, rep=only)
                got = _reported(bot, viewer.member, start=window_start, end=window_end, as_of=as_of)
                assert got == expected, (viewer.member.first_name, window_start, window_end, as_of)
                raw = _from_raw_rows(bot, start=window_start, end=window_end, as_of=as_of, rep=only)
                assert raw == expected
    # Something of each kind happened, so the recount compares real numbers.
    everything = _recount(log, start=None, end=None, as_of=now, rep=None)
    assert sum(d for _, d, _ in everything.values()) > 0 and sum(o for _, _, o in everything.values()) > 0


@pytest.mark.filterwarnings("ignore:Tasks created via `Application.create_task`")  # /relatorio
async def test_relatorio_and_the_cli_report_show_the_follow_ups_per_rep(bot: BotUnderTest) -> None:
    from bot.render.reports import render_cli

    boss = await bot.member("Helena", role=Role.MANAGER)
    ana = await bot.member("Ana")
    assert ana.member is not None and boss.member is not None
    lead_id = leads.create_lead(bot.runtime, ana.member, LeadDraft.read({"company": "Padaria Central"})).lead.id or 0
    ids = []
    for hours in (2, 3, 4):
        due = bot.clock() + timedelta(hours=hours)
        ids.append(await _schedule(bot, ana, lead_id, due.replace(second=0, microsecond=0), "ligar"))
    await ana.presses_data(f"tk:d:{ids[0]}")
    await boss.says("/relatorio tudo")
    await _non_blocking_done()  # the report runs off the update's turn
    boss.sees("Retornos (vencendo no período · feitos · atrasados)", "Ana Silva: 3 · 1 · 0")
    await ana.says("/relatorio tudo")
    await _non_blocking_done()
    ana.sees("Ana Silva: 3 · 1 · 0")
    bot.clock.advance(days=1)  # the two still open are overdue now, by the bot's clock
    await boss.says("/relatorio tudo")
    await _non_blocking_done()
    boss.sees("Ana Silva: 3 · 1 · 2")
    with bot.runtime.reading() as session:
        report = reports.report_for(session, boss.member, start=None, end=None, now=bot.clock())
    table = render_cli(report)
    assert "RETORNOS (TAREFAS)" in table
    rows = [row.split()[-3:] for row in table.splitlines() if row.startswith("Ana Silva")]
    assert ["3", "1", "2"] in rows  # due, done, overdue a day later
    english = render_cli(report, language="en")
    assert "FOLLOW-UPS (TASKS)" in english and "due in the period" in english
