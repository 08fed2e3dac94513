"""A reassigned lead's pending reminders follow it: they reach the new rep, never the old one."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

from sqlmodel import select

from bot.domain.lead_fields import LeadDraft
from bot.domain.vocabulary import ReminderKind, Role
from bot.services import cadence, leads
from bot.storage.models import Reminder
from tests.reminders.conftest import FakeTime, scheduler_of
from tests.reminders.test_offboarding import chats_reminded
from tests.tg.harness import BotUnderTest, FrozenClock


async def test_a_reassigned_leads_pending_reminders_reach_the_new_rep_never_the_old(
    bot: BotUnderTest, clock: FrozenClock, fake_time: FakeTime
) -> None:
    boss = await bot.member("Helena", role=Role.MANAGER)
    ana = await bot.member("Ana")
    bruno = await bot.member("Bruno")
    assert ana.member is not None and bruno.member is not None
    lead = leads.create_lead(bot.runtime, ana.member, LeadDraft.read({"company": "Padaria Central", "uf": "SP"}))
    lead_id = lead.lead.id or 0
    cadence.start_cadence(bot.runtime, ana.member, lead_id, confirmed=True)
    meeting = cadence.book_meeting(bot.runtime, ana.member, lead_id, clock() + timedelta(hours=3))
    kept = leads.create_lead(bot.runtime, ana.member, LeadDraft.read({"company": "Fica com Ana", "uf": "SP"}))
    cadence.start_cadence(bot.runtime, ana.member, kept.lead.id or 0, confirmed=True)
    scheduler = scheduler_of(bot, fake_time)

    await boss.says(f"/passar {lead_id} bruno")
    boss.sees("passou de Ana Silva para Bruno Silva", "Lembretes que foram junto: 2.")  # the meeting's two
    with bot.runtime.session() as session:
        live = session.exec(select(Reminder).where(Reminder.lead_id == lead_id, Reminder.state == "pending")).all()
        assert {r.kind: r.member_id for r in live} == {
            ReminderKind.MEETING_BEFORE.value: bruno.member.id,
            ReminderKind.MEETING_CHECK.value: bruno.member.id,
        }
    ana.replies(), bruno.replies()

    since = len(bot.api.requests)
    clock.advance(hours=2, minutes=30)
    assert (await scheduler.drain()).sent >= 1
    bruno.sees("Reunião daqui a pouco", "Padaria Central")
    clock.advance(hours=1, minutes=30)
    await scheduler.drain()
    bruno.sees("A reunião aconteceu?", "Padaria Central")
    reminded = chats_reminded(bot, since)
    assert reminded == Counter({bruno.id: 2, ana.id: 1})
    said = ana.sees("Fica com Ana")  # Ana hears of the lead she kept only
    assert "Padaria Central" not in said
    assert meeting.id is not None


async def test_a_reassigned_step_reminder_reaches_the_new_rep(
    bot: BotUnderTest, clock: FrozenClock, fake_time: FakeTime
) -> None:
    boss = await bot.member("Helena", role=Role.MANAGER)
    ana = await bot.member("Ana")
    bruno = await bot.member("Bruno")
    assert ana.member is not None and bruno.member is not None
    ids = []
    for n in range(3):
        created = leads.create_lead(bot.runtime, ana.member, LeadDraft.read({"company": f"Empresa {n}", "uf": "SP"}))
        ids.append(created.lead.id or 0)
        cadence.start_cadence(bot.runtime, ana.member, ids[-1], confirmed=True)  # due now
    scheduler = scheduler_of(bot, fake_time)
    await boss.says("/passar ana bruno")
    boss.sees(
        "Os leads abertos de Ana Silva (3) passaram:", "3 leads para Bruno Silva", "Lembretes que foram junto: 3."
    )
    ana.replies(), bruno.replies()

    since = len(bot.api.requests)
    assert (await scheduler.drain()).sent == 3
    assert chats_reminded(bot, since) == Counter({bruno.id: 3})
    bruno.sees("Hora do próximo passo", "Empresa 0", "Empresa 2")
    ana.sees_nothing()
