"""The objections oracle: random calls with objections, driven through the real chat, recounted
by hand.

Two reps (Ana, Bruno) work leads; on a step they tap 🛡 Objeção, find the objection either by
typing what the prospect said (🔎, a ``recognise`` phrase as a rep would type it: no accents, in
capitals, or with extra words) or in the list, read its answer, and then book a meeting, go on
with the cadence, or lose the lead with a reason. The test keeps its own tally of what each
action did and recounts, per objection, how often it came up and how often its answer led
straight to a meeting; ``/objecoes`` (the manager's, everyone's; each rep's, their own) must say
exactly that. The numbers are never read from the bot's tables.
"""

from __future__ import annotations

import random
import re
from collections import Counter
from collections.abc import Callable

import pytest
from sqlalchemy import Engine

from bot.config import Settings
from bot.domain.lead_fields import LeadDraft
from bot.domain.text import strip_accents
from bot.domain.vocabulary import Role
from bot.services import leads as lead_service
from bot.services.playbooks import remember_playbook
from bot.services.runtime import Runtime
from tests.oracle import test_report_oracle
from tests.oracle.test_report_oracle import ADMIN_ID, FACTS, START, playbook
from tests.support.telegram_limits import assert_within_limits
from tests.tg.harness import BotUnderTest, FrozenClock, Person

pytestmark = pytest.mark.filterwarnings("ignore:Tasks created via `Application.create_task`")

new_database = test_report_oracle.new_database  # the same fresh databases, on both backends

ACTIONS = 24
LINE = re.compile(r"^• (?P<label>.+?): (?P<raised>\d+) · 📅 (?P<booked>\d+) \((?P<rate>\d+%|—)\)$")


def as_typed(phrase: str, rnd: random.Random) -> str:
    """A ``recognise`` phrase the way a rep types it on a phone."""
    return rnd.choice(
        [strip_accents(phrase), phrase.upper(), f"ele disse: {phrase}", f"{strip_accents(phrase).lower()}..."]
    )


def said(person: Person) -> dict[str, tuple[int, int, str]]:
    """The lines of the last /objecoes: label → (raised, booked, rate)."""
    text = person.sees("Objeç")
    found = {}
    for line in text.splitlines():
        if match := LINE.match(line.strip()):
            found[match["label"]] = (int(match["raised"]), int(match["booked"]), match["rate"])
    return found


def expected(raised: Counter[str], booked: Counter[str]) -> dict[str, tuple[int, int, str]]:
    return {label: (n, booked[label], f"{round(100 * booked[label] / n)}%") for label, n in raised.items() if n}


@pytest.mark.parametrize("seed", [1, 2, 3])
async def test_objecoes_matches_a_recount_of_the_calls(
    seed: int, new_database: Callable[[], tuple[Engine, Callable[[], None]]]
) -> None:
    rnd = random.Random(seed)
    engine, drop = new_database()
    clock = FrozenClock(START)
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        database_url="sqlite://",
        cadencia_admins=str(ADMIN_ID),
        telegram_bot_token="123:TEST",
    )
    runtime = Runtime(settings=settings, engine=engine, playbook=playbook(), clock=clock)
    remember_playbook(runtime, playbook())
    bot = BotUnderTest(runtime=runtime, clock=clock)
    await bot.start()
    try:
        helena = await bot.member("Helena", role=Role.MANAGER)
        reps = {name: await bot.member(name) for name in ("Ana", "Bruno")}
        objections = playbook().objections
        raised: dict[str, Counter[str]] = {name: Counter() for name in reps}
        booked: dict[str, Counter[str]] = {name: Counter() for name in reps}
        active: dict[str, list[int]] = {name: [] for name in reps}
        for number in range(ACTIONS):
            clock.advance(minutes=11)
            name = rnd.choice(sorted(reps))
            rep = reps[name]
            if not active[name] or rnd.random() < 0.3:
                assert rep.member is not None
                draft = LeadDraft.read({**FACTS, "company": f"Empresa {number} Ltda"})
                lead_id = lead_service.create_lead(bot.runtime, rep.member, draft).lead.id or 0
                await rep.says(f"/lead {lead_id}")
                await rep.taps("Iniciar cadência")
                active[name].append(lead_id)
            else:
                lead_id = rnd.choice(active[name])
                await rep.says(f"/lead {lead_id}")
                await rep.taps("Passo atual")
            objection = rnd.choice(objections)
            await rep.taps("Objeção")
            if rnd.random() < 0.6:
                await rep.taps("Digitar o que ouviu")
                await rep.says(as_typed(rnd.choice(objection.recognise), rnd))
                await rep.taps(objection.label)
            else:
                await rep.pages_to(objection.label)
                await rep.taps(objection.label)
            rep.sees("Resposta")
            raised[name][objection.label] += 1
            then = rnd.choice(["book", "go on", "lose"])
            if then == "book":
                await rep.taps("Reunião agendada")
                await rep.says("quinta 10h")
                booked[name][objection.label] += 1
                active[name].remove(lead_id)
            elif then == "go on":
                await rep.taps("Seguir a cadência")
                rep.sees("Registrado")
            else:
                await rep.taps("Sem interesse")
                await rep.taps(rnd.choice(rep.buttons()[:4]))  # a loss reason of the lead's stage
                active[name].remove(lead_id)
            rep.replies()

        team_raised = sum(raised.values(), Counter())
        team_booked = sum(booked.values(), Counter())
        await helena.says("/objecoes")
        assert said(helena) == expected(team_raised, team_booked)
        for name, rep in reps.items():
            await rep.says("/objecoes")
            assert said(rep) == expected(raised[name], booked[name])
        assert_within_limits(bot.api.requests)
        bot.check_errors()
    finally:
        await bot.stop()
        drop()
