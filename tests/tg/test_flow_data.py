"""What a flow keeps in the rep's user data is gone when the flow ends, however it ends."""

from __future__ import annotations

from typing import Any

from bot.tg import cadence, meetings, outcomes
from tests.tg.harness import BotUnderTest, Person
from tests.tg.test_cadence import started, touches

FLOW_SCOPED = {*meetings.FLOW_KEYS, cadence.NOTE_TOUCH, outcomes.PENDING_OBJECTION, "flow"}


def kept(bot: BotUnderTest, person: Person) -> dict[str, Any]:
    """The flow-scoped keys left in ``person``'s user data."""
    data = bot.app.user_data.get(person.id, {})
    return {key: value for key, value in data.items() if key in FLOW_SCOPED or key.startswith("objection:")}


async def test_an_objection_waiting_for_a_loss_reason_is_forgotten_once_the_reason_is_picked(bot: BotUnderTest) -> None:
    ana = await bot.member("Ana")
    await started(bot, ana)
    await ana.taps("Objeção")
    objection = bot.runtime.playbook.objections[1]
    await ana.taps(objection.label)
    await ana.taps("Sem interesse")
    assert kept(bot, ana) != {}  # the objection waits for the reason
    await ana.taps(bot.runtime.playbook.loss_reasons("prospecting")[0].label)
    ana.sees("perdido")
    assert touches(bot)[-1].objection == objection.id
    assert kept(bot, ana) == {}


async def test_an_objection_left_without_a_reason_is_forgotten_at_the_next_outcome(bot: BotUnderTest) -> None:
    ana = await bot.member("Ana")
    await started(bot, ana)
    await ana.taps("Objeção")
    await ana.taps(bot.runtime.playbook.objections[0].label)
    await ana.taps("Sem interesse")
    ana.sees("motivo da perda")
    await ana.taps("Não atendeu")  # on the step card, instead of a reason
    ana.sees("Próximo passo")
    assert touches(bot)[-1].objection is None
    assert kept(bot, ana) == {}


async def test_old_per_lead_objection_keys_are_cleared_too(bot: BotUnderTest) -> None:
    ana = await bot.member("Ana")
    lead_id = await started(bot, ana)
    bot.app.user_data[ana.id][f"objection:{lead_id}"] = "preco"  # written by an older version
    await ana.taps("Não atendeu")
    assert kept(bot, ana) == {}


async def test_a_cancelled_meeting_date_leaves_nothing_behind(bot: BotUnderTest) -> None:
    ana = await bot.member("Ana")
    await started(bot, ana)
    await ana.taps("Reunião agendada")
    ana.sees("Para quando")
    await ana.says("25/12 10h")  # a holiday: the flow waits for a yes
    ana.sees("Marcar mesmo assim?")
    assert kept(bot, ana) != {}
    await ana.says("/cancelar")
    ana.sees("cancelado")
    assert kept(bot, ana) == {}


async def test_a_booked_meeting_and_a_saved_note_leave_nothing_behind(bot: BotUnderTest) -> None:
    ana = await bot.member("Ana")
    await started(bot, ana)
    await ana.taps("Não atendeu")
    await ana.taps("Anotar")
    assert kept(bot, ana) != {}
    await ana.says("Secretária pediu para ligar depois das 14h.")
    ana.sees("Nota salva")
    assert kept(bot, ana) == {}
    await ana.taps("Ficha do lead")
    await ana.taps("Passo atual")
    await ana.taps("Reunião agendada")
    await ana.says("amanhã 15h")
    ana.sees("Reunião com")
    assert kept(bot, ana) == {}
