"""The cadence oracle: random weeks of two reps working leads of every segment through the real
chat — cadences started by the rules, outcomes logged, leads moved to another cadence, lost,
reopened and brought back by recycling — then every figure of the cadence report (``/cadencias``)
recounted twice, independently of the report code:

* from the test's own **event log** (what each action did: which cadence the lead was on when a
  touch was logged, whether it had been recycled), and
* from the **raw rows** (``touches``, ``cadence_events``, ``reminders``) read with plain Python.

The three must agree, over all time and over the report's 30-day window, and the ``/cadencias``
text must show the numbers. Seeds are fixed so CI runs the same examples.
"""

from __future__ import annotations

import random
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlmodel import select

from bot.domain.vocabulary import Outcome, ReminderKind, Role
from bot.services import cadence_report
from bot.storage.models import CadenceEvent, Lead, Reminder, Touch
from bot.tg.callbacks import LogOutcome, LoseOnStep, MoveCadence, ReopenBecause
from tests.reminders.conftest import FakeTime, bot, clock, default_playbook, fake_time, runtime, scheduler_of
from tests.tg.harness import BotUnderTest, Person
from tests.tg.test_cadence import lead_for

__all__ = ["bot", "clock", "default_playbook", "fake_time", "runtime"]  # the fixtures this module uses

#: The reply outcomes, written out here (the definition of issue 9), not imported from the bot.
REPLIES = {"replied", "meeting_booked", "connected", "objection", "not_interested"}
SEGMENTS = [({"headcount": "900"}, "campo"), ({"campaign": "Inbound Site"}, "inbound"), ({}, "digital")]
OUTCOMES = [Outcome.NO_ANSWER, Outcome.NO_ANSWER, Outcome.SKIPPED, Outcome.CONNECTED, Outcome.REPLIED]


@dataclass
class Logged:
    lead_id: int
    cadence: str
    outcome: str
    recycled: bool
    at: datetime


@dataclass
class Log:
    touches: list[Logged] = field(default_factory=list)
    events: list[tuple[str, str | None, datetime]] = field(default_factory=list)
    """(kind, cadence moved to, when)."""
    cadence_of: dict[int, str] = field(default_factory=dict)
    recycled: set[int] = field(default_factory=set)
    planned: set[int] = field(default_factory=set)
    """Leads lost as "sem resposta" that will come back (they never came back before)."""

    def lost(self, lead_id: int, reason: str) -> None:
        if reason == "sem_resposta" and lead_id not in self.recycled:
            self.planned.add(lead_id)

    def comeback(self, at: datetime) -> None:
        """Every planned lead comes back, on the recycle cadence (the clock jumped past all of them)."""
        for lead_id in sorted(self.planned):
            self.events.append(("recycled", "reciclagem", at))
            self.cadence_of[lead_id] = "reciclagem"
            self.recycled.add(lead_id)
        self.planned.clear()


def lead_row(bot: BotUnderTest, lead_id: int) -> Lead:
    with bot.runtime.session() as session:
        lead = session.get(Lead, lead_id)
        assert lead is not None
        return lead


def figures_from_log(log: Log, start: datetime | None) -> dict[str, Any]:
    touches = [t for t in log.touches if start is None or t.at >= start]
    per: dict[str, dict[str, Any]] = defaultdict(
        lambda: {"touches": 0, "attempts": 0, "leads": set(), "replies": 0, "meetings": 0}
    )
    for t in touches:
        line = per[t.cadence]
        line["touches"] += 1
        line["attempts"] += t.outcome != "skipped"
        line["leads"].add(t.lead_id)
        line["replies"] += t.outcome in REPLIES
        line["meetings"] += t.outcome == "meeting_booked"
    recycled = [t for t in touches if t.recycled]
    events = Counter(kind for kind, _, at in log.events if start is None or at >= start)
    return {
        "cadences": {c: {**v, "leads": len(v["leads"])} for c, v in per.items()},
        "recycled": (len({t.lead_id for t in recycled}), len(recycled), sum(t.outcome in REPLIES for t in recycled)),
        "events": dict(events),
    }


def figures_from_rows(bot: BotUnderTest, start: datetime | None) -> dict[str, Any]:
    with bot.runtime.session() as session:
        touches = [t for t in session.exec(select(Touch)).all() if start is None or t.happened_at >= start]
        events = [e for e in session.exec(select(CadenceEvent)).all() if start is None or e.at >= start]
    log = Log(
        touches=[Logged(t.lead_id, t.cadence_id or "?", t.outcome, t.recycled, t.happened_at) for t in touches],
        events=[(e.kind, e.to_cadence, e.at) for e in events],
    )
    return figures_from_log(log, None)


def arms_from_rows(bot: BotUnderTest, start: datetime) -> dict[tuple[str, str], list[tuple[str, int, int]]]:
    """(cadence, script) → [(variant, replies, attempts)] for scripts with two or more variants tried."""
    counts: dict[tuple[str, str], dict[str, list[int]]] = defaultdict(lambda: defaultdict(lambda: [0, 0]))
    with bot.runtime.session() as session:
        for t in session.exec(select(Touch)).all():
            if t.happened_at < start or t.outcome == "skipped" or not t.script_id or not t.variant:
                continue
            arm = counts[(t.cadence_id or "?", t.script_id)][t.variant]
            arm[0] += t.outcome in REPLIES
            arm[1] += 1
    return {
        key: [(v, *arm) for v, arm in sorted(variants.items())] for key, variants in counts.items() if len(variants) > 1
    }


def figures_from_report(report: cadence_report.CadenceReport) -> dict[str, Any]:
    events = {"moved": report.moved, "reopened": report.reopened, "recycled": report.came_back}
    return {
        "cadences": {
            line.cadence_id or "?": {
                "touches": line.figures.touches,
                "attempts": line.figures.attempts,
                "leads": line.figures.leads,
                "replies": line.figures.replies,
                "meetings": line.figures.meetings,
            }
            for line in report.cadences
        },
        "recycled": (report.recycled.leads, report.recycled.touches, report.recycled.replies),
        "events": {kind: n for kind, n in events.items() if n},
    }


async def play(bot: BotUnderTest, clock: Any, fake_time: FakeTime, seed: int) -> Log:
    rng = random.Random(seed)
    log = Log()
    playbook = bot.runtime.playbook
    reps = [await bot.member("Ana"), await bot.member("Bruno")]
    scheduler = scheduler_of(bot, fake_time)
    await scheduler.start()
    leads: list[tuple[Person, int]] = []
    for n in range(6):
        rep = reps[n % 2]
        answers, expected = SEGMENTS[rng.randrange(len(SEGMENTS))]
        lead_id = await lead_for(bot, rep, company=f"Empresa {seed}-{n}", **answers)
        await rep.says(f"/lead {lead_id}")
        await rep.taps("Iniciar cadência")
        assert lead_row(bot, lead_id).cadence_id == expected
        log.cadence_of[lead_id] = expected
        leads.append((rep, lead_id))
    for _ in range(60):
        clock.advance(hours=rng.choice([1, 5, 30]))
        rep, lead_id = rng.choice(leads)
        lead = lead_row(bot, lead_id)
        roll = rng.random()
        if lead.stage == "lost":
            if roll < 0.6 and lead_id in log.planned:
                clock.advance(days=100)  # past the due moment of every planned comeback
                await scheduler.drain()
                log.comeback(clock())
                assert lead_row(bot, lead_id).cadence_id == "reciclagem"
            elif roll < 0.8:
                await rep.presses_data(ReopenBecause(lead_id, "respondeu").encode())
                log.events.append(("reopened", None, clock()))
                log.planned.discard(lead_id)
            continue
        if lead.stage not in ("prospecting", "connected"):
            continue
        if roll < 0.15:
            target = rng.choice([c for c in ("digital", "campo", "inbound") if c != log.cadence_of[lead_id]])
            await rep.presses_data(MoveCadence(lead_id, target).encode())
            log.events.append(("moved", target, clock()))
            log.cadence_of[lead_id] = target
        elif lead.cadence_status == "active" and lead.current_step:
            if roll < 0.25:
                reason = rng.choice(["sem_resposta", "sem_resposta", "concorrente"])
                await rep.presses_data(LoseOnStep(lead_id, lead.current_step, reason).encode())
                outcome = "not_interested"
                log.lost(lead_id, reason)
            else:
                chosen = rng.choice(OUTCOMES)
                await rep.presses_data(LogOutcome(lead_id, lead.current_step, chosen).encode())
                outcome = chosen.value
                breakup = playbook.cadence.get(log.cadence_of[lead_id]).steps[-1].id  # type: ignore[union-attr]
                if lead.current_step == breakup and chosen in (Outcome.NO_ANSWER, Outcome.SKIPPED):
                    log.lost(lead_id, "sem_resposta")  # the breakup passed unanswered
            log.touches.append(Logged(lead_id, log.cadence_of[lead_id], outcome, lead_id in log.recycled, clock()))
    return log


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
async def test_every_cadence_figure_matches_a_recount(  # type: ignore[no-untyped-def]
    bot: BotUnderTest, clock, fake_time: FakeTime, seed: int
) -> None:
    log = await play(bot, clock, fake_time, seed)
    assert log.touches, "the story logged no touch"
    gil = await bot.member("Gil", role=Role.MANAGER)
    assert gil.member is not None
    for days in (3650, cadence_report.DAYS):
        start = clock() - timedelta(days=days)
        report = cadence_report.cadence_report(bot.runtime, gil.member, days=days)
        expected = figures_from_log(log, start)
        assert figures_from_rows(bot, start) == expected, f"seed {seed}, {days} days: the rows disagree"
        assert figures_from_report(report) == expected, f"seed {seed}, {days} days: the report disagrees"
        arms = {
            (line.cadence_id or "?", exp.subject): [(a.name, a.replies, a.touches) for a in exp.arms]
            for line in report.cadences
            for exp in line.experiments
            if exp.kind == "script"
        }
        assert arms == arms_from_rows(bot, start), f"seed {seed}, {days} days: the A/B arms disagree"
    with bot.runtime.session() as session:
        waiting = [
            r
            for r in session.exec(select(Reminder).where(Reminder.kind == ReminderKind.RECYCLE.value))
            if r.state in ("pending", "snoozed")
        ]
    assert report.recycles_waiting == len(waiting)
    await gil.says("/cadencias")
    said = gil.sees("Cadências")
    for line in report.cadences:
        assert f"Toques: {line.figures.touches}" in said and line.title in said
    assert f"Aguardando a volta: {len(waiting)}" in said
