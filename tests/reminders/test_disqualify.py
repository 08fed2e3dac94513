"""A lead disqualified in the middle of its cadence: its step reminder is cancelled at once, so
no reminder row stays pending and nobody is nudged about a lost lead."""

from __future__ import annotations

from sqlmodel import col, select

from bot.domain.lead_fields import LeadDraft
from bot.domain.vocabulary import ReminderKind, ReminderState
from bot.services import cadence, leads
from bot.storage.models import Reminder
from tests.reminders.conftest import FakeTime, scheduler_of
from tests.tg.harness import BotUnderTest, FrozenClock


def step_reminders(bot: BotUnderTest, lead_id: int) -> list[tuple[str, str | None]]:
    """The lead's step reminders: (state, the reason kept), oldest first."""
    with bot.runtime.reading() as session:
        rows = session.exec(
            select(Reminder)
            .where(Reminder.lead_id == lead_id, Reminder.kind == ReminderKind.STEP_DUE.value)
            .order_by(col(Reminder.id))
        ).all()
        return [(row.state, row.last_error) for row in rows]


async def test_disqualifying_a_lead_cancels_its_live_step_reminder(
    bot: BotUnderTest, clock: FrozenClock, fake_time: FakeTime
) -> None:
    ana = await bot.member("Ana")
    assert ana.member is not None
    draft = LeadDraft.read({"company": "Transportes Horizonte", "uf": "SP"})
    lead_id = leads.create_lead(bot.runtime, ana.member, draft).lead.id
    cadence.start_cadence(bot.runtime, ana.member, lead_id, confirmed=True)
    assert step_reminders(bot, lead_id) == [(ReminderState.PENDING.value, None)]

    reason = bot.runtime.playbook.loss_reasons("prospecting")[0].id
    assert leads.disqualify(bot.runtime, ana.member, lead_id, reason).stage == "lost"

    assert step_reminders(bot, lead_id) == [(ReminderState.CANCELLED.value, None)]  # none stays pending
    # The step's due moment passes: the scheduler has nothing to say about the lost lead.
    scheduler = scheduler_of(bot, fake_time)
    clock.advance(days=2)
    sent_before = len([r for r in bot.api.requests if r.method == "sendMessage"])
    await scheduler.drain()
    step_messages = [
        r for r in bot.api.requests[sent_before:] if r.method == "sendMessage" and "Transportes" in str(r.params)
    ]
    assert step_messages == []
    with bot.runtime.reading() as session:
        live = session.exec(select(Reminder).where(col(Reminder.state).in_(["pending", "snoozed"]))).all()
        assert [r for r in live if r.lead_id == lead_id] == []
