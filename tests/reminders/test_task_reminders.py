"""Follow-up reminders on the real Application with a frozen clock: a follow-up due on a holiday
arrives on the next working morning; done and snoozed from the reminder; a reassigned lead's
follow-up reaches the new rep, never the old one."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime

from sqlmodel import col, select

from bot.domain.tasks import TaskState
from bot.domain.vocabulary import ReminderKind, ReminderState, Role
from bot.services import offboarding
from bot.storage.models import Reminder, Task
from tests.reminders.conftest import FakeTime, scheduler_of
from tests.tg.harness import BotUnderTest, FrozenClock, Person
from tests.tg.test_cadence import lead_for


def task_reminder(bot: BotUnderTest) -> Reminder:
    with bot.runtime.session() as session:
        return session.exec(select(Reminder).where(Reminder.kind == ReminderKind.TASK.value)).one()


def the_task(bot: BotUnderTest) -> Task:
    with bot.runtime.session() as session:
        return session.exec(select(Task)).one()


async def follow_up(ana: Person, lead_id: int, moment: str, note: str) -> None:
    await ana.says(f"/lead {lead_id}")
    await ana.taps("Retorno")
    await ana.says(moment)
    await ana.says(note)
    ana.sees("Retorno marcado")


def sent_to(bot: BotUnderTest, since: int) -> Counter[int]:
    return Counter(int(r.params["chat_id"]) for r in bot.api.requests[since:] if r.method == "sendMessage")


async def test_a_follow_up_due_on_a_holiday_arrives_on_the_next_working_morning(
    bot: BotUnderTest, clock: FrozenClock, fake_time: FakeTime
) -> None:
    ana = await bot.member("Ana")
    lead_id = await lead_for(bot, ana)
    await follow_up(ana, lead_id, "25/12 10h", "desejar boas festas e retomar")
    scheduler = scheduler_of(bot, fake_time)
    clock.set(datetime(2026, 12, 25, 13, 0, tzinfo=UTC))  # Christmas, 10:00 in São Paulo: the moment typed
    await scheduler.start()
    since = len(bot.api.requests)
    assert (await scheduler.drain()).sent == 0
    clock.set(datetime(2026, 12, 26, 13, 0, tzinfo=UTC))  # Saturday
    assert (await scheduler.drain()).sent == 0
    clock.set(datetime(2026, 12, 28, 11, 59, tzinfo=UTC))  # Monday 08:59
    assert (await scheduler.drain()).sent == 0
    assert sent_to(bot, since) == Counter()
    clock.set(datetime(2026, 12, 28, 12, 0, tzinfo=UTC))  # Monday 09:00: the agenda and the follow-up
    assert (await scheduler.drain()).sent == 2
    said = ana.sees("Retornos (1)", "Hora do retorno", "Transportes Horizonte Ltda", "Combinado para 25/12/2026 10:00")
    assert "desejar boas festas e retomar" in said and "atrasado" not in said
    assert {"✅ Feito", "⏰ Adiar", "📇 Ficha do lead"} <= {label for label, _, _ in ana.all_buttons()}
    await ana.taps("Feito")
    ana.sees("Retorno feito: Transportes Horizonte Ltda.")
    assert the_task(bot).state == TaskState.DONE
    assert task_reminder(bot).state == ReminderState.DONE
    assert (await scheduler.drain()).sent == 0  # never twice


async def test_snoozed_from_the_reminder_it_comes_back_an_hour_later(
    bot: BotUnderTest, clock: FrozenClock, fake_time: FakeTime
) -> None:
    ana = await bot.member("Ana")
    lead_id = await lead_for(bot, ana)
    await follow_up(ana, lead_id, "hoje 11h", "ligar")
    scheduler = scheduler_of(bot, fake_time)
    await scheduler.start()
    clock.set(datetime(2026, 11, 23, 14, 0, tzinfo=UTC))  # 11:00
    assert (await scheduler.drain()).sent == 1
    ana.sees("Hora do retorno")
    await ana.taps("Adiar")
    await ana.taps("1 hora")
    ana.sees("adiado para 23/11/2026 12:00")
    assert (await scheduler.drain()).sent == 0
    clock.set(datetime(2026, 11, 23, 15, 0, tzinfo=UTC))
    assert (await scheduler.drain()).sent == 1
    ana.sees("Hora do retorno")


async def test_a_done_or_moved_task_is_never_reminded(
    bot: BotUnderTest, clock: FrozenClock, fake_time: FakeTime
) -> None:
    ana = await bot.member("Ana")
    lead_id = await lead_for(bot, ana)
    await follow_up(ana, lead_id, "hoje 11h", "ligar")
    with bot.runtime.session() as session:  # done elsewhere, its reminder left pending (an older bot)
        task = session.exec(select(Task)).one()
        task.state = TaskState.DONE.value
        session.add(task)
    scheduler = scheduler_of(bot, fake_time)
    await scheduler.start()
    clock.set(datetime(2026, 11, 23, 14, 0, tzinfo=UTC))
    assert (await scheduler.drain()).sent == 0
    assert task_reminder(bot).state == ReminderState.CANCELLED


async def test_a_reassigned_leads_follow_up_reaches_the_new_rep_never_the_old_one(
    bot: BotUnderTest, clock: FrozenClock, fake_time: FakeTime
) -> None:
    boss = await bot.member("Helena", role=Role.MANAGER)
    ana = await bot.member("Ana")
    bruno = await bot.member("Bruno")
    lead_id = await lead_for(bot, ana)
    await follow_up(ana, lead_id, "amanhã 10h", "mandar proposta")
    assert boss.member is not None and bruno.member is not None and ana.member is not None
    offboarding.deactivate(
        bot.runtime.engine,
        actor=boss.member,
        member_id=ana.member.id or 0,
        to=bruno.member.id or 0,
        now=clock(),
        via="cli",
    )
    task = the_task(bot)
    assert task.member_id == bruno.member.id and task.created_by == ana.member.id
    assert task_reminder(bot).member_id == bruno.member.id
    scheduler = scheduler_of(bot, fake_time)
    await scheduler.start()
    since = len(bot.api.requests)
    clock.set(datetime(2026, 11, 24, 13, 0, tzinfo=UTC))
    await scheduler.drain()
    assert sent_to(bot, since)[ana.id] == 0
    bruno.sees("Hora do retorno", "Transportes Horizonte Ltda", "mandar proposta")
    await bruno.says("/hoje")
    bruno.sees("Retornos (1)")
    with bot.runtime.session() as session:
        live = session.exec(select(Reminder).where(col(Reminder.member_id) == ana.member.id)).all()
    assert all(r.state not in ("pending", "snoozed") for r in live)


async def test_the_history_shows_the_lead_changing_hands(bot: BotUnderTest, clock: FrozenClock) -> None:
    boss = await bot.member("Helena", role=Role.MANAGER)
    ana = await bot.member("Ana")
    bruno = await bot.member("Bruno")
    lead_id = await lead_for(bot, ana)
    await follow_up(ana, lead_id, "amanhã 10h", "mandar proposta")
    assert boss.member is not None and bruno.member is not None and ana.member is not None
    offboarding.deactivate(
        bot.runtime.engine,
        actor=boss.member,
        member_id=ana.member.id or 0,
        to=bruno.member.id or 0,
        now=clock(),
        via="cli",
    )
    await bruno.says(f"/lead {lead_id}")
    await bruno.taps("Histórico")
    bruno.sees("Lead passado de Ana Silva para Bruno Silva", "Retorno marcado para 24/11/2026 10:00 (Bruno Silva)")
