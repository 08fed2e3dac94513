"""Reminders as the rep sees them: firing, snoozing, skipping, pausing, meetings, errors,
restarts — on the real Application, with frozen wall-clock time and fake pacing time."""

from __future__ import annotations

import json
from datetime import timedelta

from sqlmodel import col, select

from bot.domain.lead_fields import LeadDraft
from bot.domain.vocabulary import MeetingStatus, ReminderKind, ReminderState
from bot.services import cadence, leads
from bot.services.team import NotAllowed
from bot.simulator import Fault
from bot.storage.models import Lead, Meeting, Member, Reminder, Touch
from tests.reminders.conftest import FakeTime, scheduler_of
from tests.tg.harness import BotUnderTest, Person


def reminders(bot: BotUnderTest, kind: ReminderKind = ReminderKind.STEP_DUE) -> list[Reminder]:
    with bot.runtime.session() as session:
        return list(session.exec(select(Reminder).where(Reminder.kind == kind.value).order_by(col(Reminder.id))))


def member_of(bot: BotUnderTest, person: Person) -> Member:
    with bot.runtime.session() as session:
        member = session.exec(select(Member).where(Member.telegram_id == person.id)).one()
    return member


def new_lead(bot: BotUnderTest, person: Person, company: str = "Transportes Horizonte") -> Lead:
    member = member_of(bot, person)
    draft = LeadDraft.read({"company": company, "uf": "PR", "contact_name": "Mariana"})
    created = leads.create_lead(bot.runtime, member, draft)
    # Only a company, UF and contact: tier D, so starting its cadence is a confirmed override.
    return cadence.start_cadence(bot.runtime, member, created.lead.id or 0, confirmed=True)


def reminder_ids_sent(bot: BotUnderTest) -> list[int]:
    """Reminder ids in the buttons of every successful sendMessage (rm:<id>:…)."""
    ids = []
    for request in bot.api.requests_for("sendMessage"):
        if request.error is not None:
            continue
        markup = request.params.get("reply_markup")
        markup = json.loads(markup) if isinstance(markup, str) else markup or {}
        found = {
            int(b["callback_data"].split(":")[1])
            for row in markup.get("inline_keyboard", [])
            for b in row
            if str(b.get("callback_data", "")).startswith("rm:")
        }
        ids.extend(found)
    return ids


async def test_a_due_step_reminds_the_rep_and_do_it_now_opens_the_step(bot: BotUnderTest, fake_time: FakeTime) -> None:
    ana = await bot.member("Ana")
    new_lead(bot, ana)
    scheduler = scheduler_of(bot, fake_time)
    await scheduler.start()
    report = await scheduler.drain()
    assert report.sent == 1
    ana.sees("Hora do próximo passo", "Transportes Horizonte", "Passo 1 de", "Canal", "Mariana")
    assert {"▶️ Fazer agora", "⏰ Adiar", "⏭ Pular passo", "⏸ Pausar cadência"} <= set(ana.buttons())
    [reminder] = reminders(bot)
    assert reminder.state == ReminderState.SENT and reminder.message_id is not None and not reminder.late
    await ana.taps("Fazer agora")
    ana.sees("Depois do contato, marque o que aconteceu")
    assert (await scheduler.drain()).sent == 0  # never twice


async def test_snooze_one_hour_then_it_fires_again(bot: BotUnderTest, clock, fake_time: FakeTime) -> None:  # type: ignore[no-untyped-def]
    ana = await bot.member("Ana")
    lead = new_lead(bot, ana)
    scheduler = scheduler_of(bot, fake_time)
    await scheduler.start()
    await scheduler.drain()
    await ana.taps("Adiar")
    assert {"⏱ 1 hora", "🌅 Amanhã cedo", "📅 Escolher dia"} <= set(ana.buttons())
    await ana.taps("1 hora")
    ana.sees("Adiado", "23/11/2026 11:00")
    [reminder] = reminders(bot)
    assert reminder.state == ReminderState.SNOOZED and reminder.due_at == clock() + timedelta(hours=1)
    assert leads.get_lead(bot.runtime, member_of(bot, ana), lead.id or 0).step_due_at == reminder.due_at
    assert (await scheduler.drain()).sent == 0  # not yet
    clock.advance(hours=1)
    assert (await scheduler.drain()).sent == 1
    ana.sees("Hora do próximo passo")


async def test_snooze_to_a_chosen_business_day_skips_weekends_and_holidays(
    bot: BotUnderTest, fake_time: FakeTime
) -> None:
    ana = await bot.member("Ana")
    new_lead(bot, ana)
    scheduler = scheduler_of(bot, fake_time)
    await scheduler.start()
    await scheduler.drain()
    await ana.taps("Adiar")
    await ana.taps("Escolher dia")
    days = ana.buttons()
    # Monday 23/11/2026: next business days Tue 24 … Fri 27, then Mon 30 (weekend skipped).
    assert days[:5] == [
        "24/11/2026 09:00",
        "25/11/2026 09:00",
        "26/11/2026 09:00",
        "27/11/2026 09:00",
        "30/11/2026 09:00",
    ]
    await ana.taps("30/11/2026")
    ana.sees("Adiado", "30/11/2026 09:00")


async def test_skip_logs_a_skipped_touch_and_plans_the_next_step(bot: BotUnderTest, fake_time: FakeTime) -> None:
    ana = await bot.member("Ana")
    lead = new_lead(bot, ana)
    scheduler = scheduler_of(bot, fake_time)
    await scheduler.start()
    await scheduler.drain()
    await ana.taps("Pular passo")
    ana.sees("Passo pulado", "Próximo")
    with bot.runtime.session() as session:
        touches = list(session.exec(select(Touch).where(Touch.lead_id == lead.id)))
    assert [t.outcome for t in touches] == ["skipped"]
    first, second = reminders(bot)
    assert first.state == ReminderState.DONE
    assert second.state == ReminderState.PENDING and second.step_id != first.step_id
    bot.expected_errors = (cadence.StaleAction,)
    await ana.presses_data(f"rm:{first.id}:skip:-", message_id=first.message_id)  # the old button again
    assert ana.replies() == []
    assert "já foi registrado" in (bot.api.requests_for("answerCallbackQuery")[-1].params.get("text") or "")


async def test_pause_from_the_reminder_and_resume_from_the_lead_card(bot: BotUnderTest, fake_time: FakeTime) -> None:
    ana = await bot.member("Ana")
    lead = new_lead(bot, ana)
    scheduler = scheduler_of(bot, fake_time)
    await scheduler.start()
    await scheduler.drain()
    await ana.taps("Pausar cadência")
    ana.sees("pausada")
    assert leads.get_lead(bot.runtime, member_of(bot, ana), lead.id or 0).cadence_status == "paused"
    assert [r.state for r in reminders(bot)] == [ReminderState.DONE]
    await ana.says(f"/lead {lead.id}")
    assert any("Retomar cadência" in b for b in ana.buttons())
    await ana.taps("Retomar cadência")
    ana.sees("Cadência retomada")
    assert reminders(bot)[-1].state == ReminderState.PENDING
    assert (await scheduler.drain()).sent == 1


async def test_a_forged_button_for_someone_elses_reminder_is_refused(bot: BotUnderTest, fake_time: FakeTime) -> None:
    bot.expected_errors = (NotAllowed,)
    ana = await bot.member("Ana")
    bruno = await bot.member("Bruno")
    new_lead(bot, ana)
    scheduler = scheduler_of(bot, fake_time)
    await scheduler.start()
    await scheduler.drain()
    [reminder] = reminders(bot)
    await bruno.presses_data(f"rm:{reminder.id}:skip:-", message_id=1)
    await bruno.presses_data(f"rm:{reminder.id}:s:1h", message_id=1)
    answers = [r for r in bot.api.requests_for("answerCallbackQuery")]
    assert all("não é seu" in (r.params.get("text") or "") for r in answers[-2:])
    assert reminders(bot)[0].state == ReminderState.SENT
    with bot.runtime.session() as session:
        assert session.exec(select(Touch)).all() == []


async def test_meeting_reminder_before_and_the_no_show_question_after(
    bot: BotUnderTest, clock, fake_time: FakeTime
) -> None:  # type: ignore[no-untyped-def]
    ana = await bot.member("Ana")
    lead = new_lead(bot, ana)
    meeting = cadence.book_meeting(bot.runtime, member_of(bot, ana), lead.id or 0, clock() + timedelta(hours=3))
    scheduler = scheduler_of(bot, fake_time)
    await scheduler.start()
    assert scheduler.next_due == clock() + timedelta(hours=2)  # 60 min before (playbook default)
    clock.advance(hours=2)
    assert (await scheduler.drain()).sent == 1
    ana.sees("Reunião daqui a pouco", "Transportes Horizonte", "23/11/2026 13:00")
    clock.advance(hours=1, minutes=45)  # the meeting (45 min) has ended
    assert (await scheduler.drain()).sent == 1
    ana.sees("A reunião aconteceu?")
    assert {"✅ Aconteceu", "👻 No-show", "🔁 Foi remarcada"} <= set(ana.buttons())
    await ana.taps("No-show")
    ana.sees("Por que não aconteceu?")
    reason = bot.runtime.playbook.reasons.no_show[0]
    await ana.taps(reason.label)
    ana.sees("No-show registrado")
    with bot.runtime.session() as session:
        resolved = session.get(Meeting, meeting.id)
    assert resolved is not None and resolved.status == MeetingStatus.NO_SHOW and resolved.no_show_reason == reason.id


async def test_restart_with_1000_pending_of_which_300_fell_due_while_down(
    bot: BotUnderTest, clock, fake_time: FakeTime
) -> None:  # type: ignore[no-untyped-def]
    reps = [await bot.member(f"Rep{i}") for i in range(20)]
    members = [member_of(bot, p) for p in reps]
    step = bot.runtime.playbook.cadence.steps[0].id
    now = clock()
    with bot.runtime.session() as session:
        for n in range(1000):
            owner = members[n % 20]
            lead = Lead(
                owner_id=owner.id or 0,
                company=f"Empresa {n:04d}",
                company_key=f"empresa {n:04d}",
                cadence_status="active",
                current_step=step,
                stage="prospecting",
            )
            session.add(lead)
            session.flush()
            due = now - timedelta(minutes=300 - n) if n < 300 else now + timedelta(minutes=n)
            lead.step_due_at = due
            session.add(
                Reminder(
                    member_id=owner.id or 0,
                    lead_id=lead.id,
                    kind="step_due",
                    step_id=step,
                    due_at=due,
                    dedupe_key=f"step:{lead.id}:{step}:{due:%Y%m%d%H%M}",
                )
            )
    await bot.restart()
    scheduler = scheduler_of(bot, fake_time)
    await scheduler.start()
    assert scheduler.next_due == now - timedelta(minutes=300)
    report = await scheduler.drain()
    assert report.sent == 300
    sent = reminder_ids_sent(bot)
    assert len(sent) == 300 and len(set(sent)) == 300
    rows = reminders(bot)
    assert sorted(sent) == [r.id for r in rows if r.state == ReminderState.SENT]
    assert all(r.late for r in rows if r.state == ReminderState.SENT)
    assert sum(r.state == ReminderState.PENDING for r in rows) == 700
    assert scheduler.next_due == now + timedelta(minutes=300)  # the rest: scheduled
    # 20 chats x 15 reminders at ≤ 1/s per chat: about 15 s of (fake) pacing, in due order per chat.
    assert 14 <= fake_time.now - 1000 <= 16
    # A second start (another restart) sends nothing again.
    await bot.restart()
    scheduler = scheduler_of(bot, fake_time)
    await scheduler.start()
    assert (await scheduler.drain()).sent == 0
    assert len(reminder_ids_sent(bot)) == 300


async def test_a_row_left_sending_by_a_crash_is_not_resent(bot: BotUnderTest, fake_time: FakeTime) -> None:
    ana = await bot.member("Ana")
    new_lead(bot, ana)
    [reminder] = reminders(bot)
    with bot.runtime.session() as session:
        row = session.get(Reminder, reminder.id)
        assert row is not None
        row.state = ReminderState.SENDING.value  # claimed, then the process died
        session.add(row)
    scheduler = scheduler_of(bot, fake_time)
    await scheduler.start()
    assert (await scheduler.drain()).sent == 0
    [after] = reminders(bot)
    assert after.state == ReminderState.SENT and (after.last_error or "").startswith("unconfirmed")


async def test_429_waits_and_retries_timeouts_back_off_and_a_blocked_rep_is_recorded(
    bot: BotUnderTest, fake_time: FakeTime
) -> None:
    ana = await bot.member("Ana")
    bruno = await bot.member("Bruno")
    carla = await bot.member("Carla")
    for person in (ana, bruno, carla):
        new_lead(bot, person, company=f"Empresa de {person.user.first_name}")
    scheduler = scheduler_of(bot, fake_time)
    await scheduler.start()
    bot.api.fail_next("sendMessage", Fault.too_many_requests(7))
    bot.api.fail_next("sendMessage", Fault.timed_out(), times=2)
    bot.api.on_request = lambda r: Fault.blocked_by_user() if r.params.get("chat_id") == bruno.id else None
    report = await scheduler.drain()
    assert 7 in fake_time.sleeps  # waited what Telegram asked
    assert 1.0 in fake_time.sleeps and 2.0 in fake_time.sleeps  # backoff
    assert report.sent == 2 and report.failed == 1
    states = {r.member_id: (r.state, r.last_error) for r in reminders(bot)}
    ana_m, bruno_m, carla_m = (member_of(bot, p) for p in (ana, bruno, carla))
    assert states[ana_m.id][0] == ReminderState.SENT  # after 429 + two timeouts
    assert states[bruno_m.id][0] == ReminderState.FAILED and "blocked" in (states[bruno_m.id][1] or "")
    assert states[carla_m.id][0] == ReminderState.SENT
    assert len(reminder_ids_sent(bot)) == 2


async def test_network_down_gives_up_and_retries_later(bot: BotUnderTest, clock, fake_time: FakeTime) -> None:  # type: ignore[no-untyped-def]
    ana = await bot.member("Ana")
    new_lead(bot, ana)
    scheduler = scheduler_of(bot, fake_time)
    await scheduler.start()
    bot.api.fail_next("sendMessage", Fault.server_error(), times=6)
    report = await scheduler.drain()
    assert report.released == 1 and report.sent == 0
    [reminder] = reminders(bot)
    assert reminder.state == ReminderState.PENDING and reminder.due_at == clock() + timedelta(minutes=5)
    clock.advance(minutes=5)
    assert (await scheduler.drain()).sent == 1


async def test_a_paused_reps_reminders_wait_until_resumed(bot: BotUnderTest, clock, fake_time: FakeTime) -> None:  # type: ignore[no-untyped-def]
    from bot.domain.vocabulary import Role

    gestora = await bot.member("Gestora", role=Role.MANAGER)
    ana = await bot.member("Ana")
    new_lead(bot, ana)
    scheduler = scheduler_of(bot, fake_time)
    await scheduler.start()
    await gestora.says("/config")
    await gestora.taps("Equipe")
    await gestora.taps("Pausar Ana")
    gestora.sees("em pausa")
    assert (await scheduler.drain()).sent == 0
    clock.advance(days=1)
    assert (await scheduler.drain()).sent == 0
    await gestora.taps("Retomar Ana")
    report = await scheduler.drain()
    assert report.sent == 2  # the step, late, and today's agenda (Tuesday 09:00, sent at 10:00)
    ana.sees("Hora do próximo passo", "atrasado", "Sua agenda de hoje", "Atrasados")
