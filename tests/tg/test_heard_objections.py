"""Objections by what the prospect said, as dialogues: under 🛡 Objeção the rep types what they
heard and gets the closest objections as buttons, each opening its answer; bad input is
answered; a restart keeps the question; /objecoes tells which answers led to a meeting."""

from __future__ import annotations

import pytest

from bot.domain.vocabulary import Role
from bot.services.leads import LeadNotFound
from bot.services.team import NotAllowed
from tests.tg.harness import BotUnderTest, Person
from tests.tg.test_cadence import started, touches

pytestmark = pytest.mark.filterwarnings("ignore:Tasks created via `Application.create_task`")


async def heard(bot: BotUnderTest, ana: Person) -> int:
    lead_id = await started(bot, ana)
    await ana.taps("Objeção")
    ana.sees("Qual objeção?")
    assert ana.buttons()[0] == "🔎 Digitar o que ouviu"
    await ana.taps("Digitar o que ouviu")
    ana.sees("O que o prospect disse?")
    return lead_id


async def test_what_the_prospect_said_gives_the_closest_objections_with_their_answer(bot: BotUnderTest) -> None:
    ana = await bot.member("Ana")
    await heard(bot, ana)
    await ana.says("ja uzo planilia pra isso")  # no accents, two typos
    ana.sees("Parece com:", "1. A planilha já resolve", "“a planilha resolve”", "Toque na objeção")
    assert ana.buttons() == ["🛡 A planilha já resolve", "🔎 Digitar de novo"]
    await ana.taps("A planilha já resolve")
    ana.sees("A planilha já resolve", "Resposta", "Pergunta de avanço")
    await ana.taps("Reunião agendada")
    await ana.says("quinta 10h")
    ana.sees("Reunião")
    (touch,) = touches(bot)
    assert (touch.outcome, touch.objection) == ("meeting_booked", "planilha_resolve")


async def test_two_close_objections_are_both_offered_best_first(bot: BotUnderTest) -> None:
    ana = await bot.member("Ana")
    await heard(bot, ana)
    await ana.says("Não é prioridade agora")
    ana.sees("1. Não é prioridade agora", "2. ")
    assert ana.buttons()[:2] == ["🛡 Não é prioridade agora", "🛡 Não tenho tempo agora"]
    assert len(ana.buttons()) <= 4  # three at most, and "type again"


async def test_bad_input_is_answered_and_the_question_stays(bot: BotUnderTest) -> None:
    ana = await bot.member("Ana")
    await heard(bot, ana)
    await ana.says("x" * 10_000)
    ana.sees("⚠️", "de 1 a 300 caracteres", "tem 10000")
    await ana.says("   ")
    ana.sees("⚠️", "de 1 a 300 caracteres")
    await ana.says("o cachorro latiu")
    ana.sees("Não reconheci uma objeção do playbook nisso. Escolha na lista:")
    assert "Não temos orçamento" in ana.buttons()
    await ana.says("tá caro")  # the question is over: plain text goes nowhere
    assert "Parece com" not in "".join(ana.replies())
    assert touches(bot) == []
    bot.check_errors()


async def test_a_restart_in_the_middle_keeps_the_question(bot: BotUnderTest) -> None:
    ana = await bot.member("Ana")
    await heard(bot, ana)
    await bot.restart()
    await ana.says("tá caro")
    ana.sees("1. Está caro")


async def test_forged_and_foreign_presses_are_refused(bot: BotUnderTest) -> None:
    bot.expected_errors = (NotAllowed, LeadNotFound)
    ana = await bot.member("Ana")
    bruno = await bot.member("Bruno")
    lead_id = await started(bot, ana)
    await bruno.says("/leads")
    await bruno.presses_data(f"oh:{lead_id}:abordagem_1")
    await bruno.presses_data("oh:99999:abordagem_1")
    assert bruno.alerts()[-2:] == [
        "Esse lead não é seu. Abra os seus com /leads.",
        "Não encontrei esse lead. Veja os seus em /leads.",
    ]
    await bruno.says("tá caro")
    assert "Parece com" not in "".join(bruno.replies())


async def test_objecoes_reports_which_answers_led_to_a_meeting(bot: BotUnderTest) -> None:
    marta = await bot.member("Marta", role=Role.MANAGER)
    ana = await bot.member("Ana")
    await marta.says("/objecoes")
    marta.sees("Nenhuma objeção registrada ainda.")
    for typed, then in (("tá caro", "Reunião agendada"), ("ta muito caro", "Seguir a cadência")):
        await heard(bot, ana)
        await ana.says(typed)
        await ana.taps("Está caro")
        await ana.taps(then)
        if then == "Reunião agendada":
            await ana.says("quinta 10h")
    await marta.says("/objecoes")
    marta.sees("Objeções: quantas vezes apareceram e quantas viraram reunião", "Está caro: 2 · 📅 1 (50%)")
    await ana.says("/objecoes")
    ana.sees("Está caro: 2 · 📅 1 (50%)")  # a rep sees their own touches
