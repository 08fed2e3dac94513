"""Recycling as the rep lives it: a lead lost as "sem resposta" comes back 90 days later, once,
on the short recycle cadence, delivered by the scheduler with the database as the source of
truth (the recycle survives a restart), on a frozen clock."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import col, select

from bot.domain.vocabulary import CadenceEventKind, ReminderKind, ReminderState
from bot.storage.models import CadenceEvent, Lead, Reminder, Touch
from tests.reminders.conftest import FakeTime, scheduler_of
from tests.tg.harness import BotUnderTest
from tests.tg.test_cadence import started
from tests.tg.test_lead_cadences import lost_by_hand


def recycle_reminders(bot: BotUnderTest) -> list[Reminder]:
    with bot.runtime.session() as session:
        statement = select(Reminder).where(Reminder.kind == ReminderKind.RECYCLE.value).order_by(col(Reminder.id))
        return list(session.exec(statement))


def lead_row(bot: BotUnderTest, lead_id: int) -> Lead:
    with bot.runtime.session() as session:
        lead = session.get(Lead, lead_id)
        assert lead is not None
        return lead


def comebacks(bot: BotUnderTest, chat_id: int) -> int:
    return sum("Lead de volta" in (m.text or "") for m in bot.api.messages_to(chat_id))


async def test_a_lead_lost_without_answer_comes_back_after_90_days_once_across_a_restart(  # type: ignore[no-untyped-def]
    bot: BotUnderTest, clock, fake_time: FakeTime
) -> None:
    ana = await bot.member("Ana")
    lead_id = await started(bot, ana)
    lost_at = clock()
    await lost_by_hand(bot, ana, lead_id, "Sem resposta até o fim da cadência")
    [planned] = recycle_reminders(bot)
    assert planned.state == ReminderState.PENDING and planned.member_id == ana.member.id  # type: ignore[union-attr]
    assert timedelta(days=90) <= planned.due_at - lost_at < timedelta(days=93)  # the next working moment

    scheduler = scheduler_of(bot, fake_time)
    await scheduler.start()
    clock.advance(days=89)
    await scheduler.drain()
    assert comebacks(bot, ana.id) == 0 and lead_row(bot, lead_id).stage == "lost"

    await bot.restart()  # the plan lives in the database, not in the job queue
    scheduler = scheduler_of(bot, fake_time)
    await scheduler.start()
    clock.set(planned.due_at + timedelta(minutes=1))
    await scheduler.drain()
    said = ana.sees("Lead de volta", "Transportes Horizonte", "como “Sem resposta até o fim da cadência”", "Reciclagem")
    assert "Perdido há 90 dias" in said or "Perdido há 91 dias" in said or "Perdido há 92 dias" in said
    lead = lead_row(bot, lead_id)
    assert (lead.stage, lead.cadence_id, lead.current_step, lead.recycled) == (
        "prospecting",
        "reciclagem",
        "retomada",
        1,
    )
    with bot.runtime.session() as session:
        [event] = session.exec(select(CadenceEvent).where(CadenceEvent.lead_id == lead_id)).all()
    assert (event.kind, event.reason, event.to_cadence) == (CadenceEventKind.RECYCLED, "sem_resposta", "reciclagem")

    await scheduler.drain()  # never twice
    assert comebacks(bot, ana.id) == 1

    await ana.taps("Fazer agora")
    ana.sees("Passo 1 de 2", "Cadência: Reciclagem", "reciclado")
    await ana.taps("Não atendeu")
    ana.sees("Próximo passo: Ruptura")
    await ana.taps("Ficha do lead")
    await ana.taps("Passo atual")
    ana.sees("Passo 2 de 2", "Ruptura")
    card = [m for m in bot.api.messages_to(ana.id) if "Passo 2 de 2" in (m.text or "")][-1]
    await ana.taps("Enviado, sem resposta", message_id=card.message_id)  # the breakup passes unanswered: lost again…
    assert lead_row(bot, lead_id).stage == "lost"
    with bot.runtime.session() as session:
        recycled_touches = session.exec(select(Touch).where(Touch.lead_id == lead_id, col(Touch.recycled))).all()
    assert [t.step_id for t in recycled_touches] == ["retomada", "ruptura"]
    # …and it stays lost: "sem_resposta" brings a lead back once (times: 1).
    assert [r.state for r in recycle_reminders(bot)] == [ReminderState.SENT]


async def test_a_lead_reopened_by_hand_before_its_recycle_is_not_brought_back(  # type: ignore[no-untyped-def]
    bot: BotUnderTest, clock, fake_time: FakeTime
) -> None:
    ana = await bot.member("Ana")
    lead_id = await started(bot, ana)
    await lost_by_hand(bot, ana, lead_id, "Sem resposta até o fim da cadência")
    [planned] = recycle_reminders(bot)
    await ana.says(f"/lead {lead_id}")
    await ana.taps("Reabrir")
    await ana.taps("Perdido por engano")
    assert recycle_reminders(bot)[0].state == ReminderState.CANCELLED
    scheduler = scheduler_of(bot, fake_time)
    await scheduler.start()
    clock.set(planned.due_at + timedelta(minutes=1))
    await scheduler.drain()
    assert comebacks(bot, ana.id) == 0 and lead_row(bot, lead_id).recycled == 0


async def test_a_loss_reason_without_a_recycle_rule_plans_nothing(bot: BotUnderTest) -> None:
    ana = await bot.member("Ana")
    lead_id = await started(bot, ana)
    await lost_by_hand(bot, ana, lead_id, "Já usa ou escolheu um concorrente")
    assert recycle_reminders(bot) == []
