"""Reminder messages and their buttons, the morning agenda and ``/hoje``.

A step reminder offers four actions, each its own button action (:mod:`bot.tg.callbacks`) and
handler; every press is re-authorised against the database (the reminder must be the member's
own, and its lead still on that step):

```mermaid
flowchart LR
    R[⏰ step reminder] -->|▶️ Fazer agora ShowStep| S[step card]
    R -->|⏰ Adiar SnoozeMenu| O[1 h · amanhã cedo · escolher dia]
    O -->|SnoozeDays| D[next business days]
    O & D -->|Snooze| Z[snoozed: due time moved]
    O -->|↩️ ReminderBack| R
    R -->|⏭ Pular passo SkipStep| K[skipped touch logged → next step planned]
    R -->|⏸ Pausar cadência PauseCadence| P[cadence paused → ▶️ Retomar ResumeCadence]
    V[♻️ recycled lead back] -->|▶️ Fazer agora ShowStep| S
    V -->|📇 Ficha do lead OpenLead| L[lead card]
```

Meeting reminders reuse the meeting buttons of :mod:`bot.tg.meetings` (``MeetingHeld``, …).
"""

from __future__ import annotations

from collections.abc import Callable

from telegram import InlineKeyboardMarkup, Update

from bot.domain import numbers
from bot.domain.labels import CHANNEL_LABELS
from bot.domain.vocabulary import Channel, ReminderKind
from bot.i18n import Gettext, gettext_for, when
from bot.render.messages import MessageRenderer
from bot.services import reminders as service
from bot.services.reminders import Agenda, Prepared
from bot.tg import tasks
from bot.tg.callbacks import (
    MeetingHeld,
    MeetingMoved,
    MeetingNoShow,
    OpenLead,
    PauseCadence,
    ReminderBack,
    ResumeCadence,
    ShowStep,
    SkipStep,
    Snooze,
    SnoozeDays,
    SnoozeMenu,
)
from bot.tg.cards import lead_card
from bot.tg.context import Context, ack, say
from bot.tg.keyboards import button, markup, rows

SCHEDULER = "reminder_scheduler"


def agenda_values(agenda: Agenda, language: str, timezone: str, _: Gettext) -> dict[str, object]:
    def item(i: service.AgendaItem) -> dict[str, object]:
        return {
            "lead_id": i.lead_id,
            "company": i.company,
            "step": i.step_title,
            "channel": _(CHANNEL_LABELS[Channel(i.channel)]),
            "due": when(i.due_at, language, timezone),
        }

    return {
        "day": f"{agenda.day:%d/%m/%Y}" if language == "pt" else f"{agenda.day:%b %d, %Y}",
        "overdue": [item(i) for i in agenda.overdue],
        "overdue_count": agenda.overdue_count,
        "today": [item(i) for i in agenda.today],
        "today_count": agenda.today_count,
        "meetings": [
            {"company": m.company, "starts": when(m.starts_at, language, timezone), "lead_id": m.lead_id}
            for m in agenda.meetings
        ],
        "tasks": [
            {"company": t.company, "due": when(t.due_at, language, timezone), "note": t.note, "lead_id": t.lead_id}
            for t in agenda.tasks
        ],
        "tasks_count": agenda.tasks_count,
    }


def agenda_keyboard(agenda: Agenda, _: Gettext) -> InlineKeyboardMarkup | None:
    leads = [*agenda.overdue, *agenda.today][:10]
    steps = rows((button("▶️ " + i.company[:40], ShowStep(i.lead_id)) for i in leads), 1)
    follow_ups = rows((button("⏰ " + t.company[:40], OpenLead(t.lead_id)) for t in agenda.tasks[:5]), 1)
    return markup(steps, follow_ups)


def step_keyboard(reminder_id: int, lead_id: int, _: Gettext) -> InlineKeyboardMarkup | None:
    return markup(
        [
            [
                button("▶️ " + _("Fazer agora"), ShowStep(lead_id)),
                button("⏰ " + _("Adiar"), SnoozeMenu(reminder_id)),
            ]
        ],
        [
            [
                button("⏭ " + _("Pular passo"), SkipStep(reminder_id)),
                button("⏸ " + _("Pausar cadência"), PauseCadence(reminder_id)),
            ]
        ],
    )


def recycle_keyboard(lead_id: int, _: Gettext) -> InlineKeyboardMarkup | None:
    return markup(
        [
            [
                button("▶️ " + _("Fazer agora"), ShowStep(lead_id)),
                button("📇 " + _("Ficha do lead"), OpenLead(lead_id)),
            ]
        ]
    )


def composer(renderer: MessageRenderer) -> Callable[[Prepared], tuple[str, InlineKeyboardMarkup | None]]:
    """The function the scheduler calls to turn a prepared reminder into text and buttons."""

    def compose(prepared: Prepared) -> tuple[str, InlineKeyboardMarkup | None]:
        member = prepared.member
        language = member.language or "pt"
        _ = gettext_for(language)
        reminder = prepared.reminder
        kind = ReminderKind(reminder.kind)
        if kind is ReminderKind.AGENDA:
            assert prepared.agenda is not None
            text = renderer.render(
                "agenda.html",
                language,
                morning=True,
                **agenda_values(prepared.agenda, language, member.timezone, _),
            )
            return text, agenda_keyboard(prepared.agenda, _)
        if kind is ReminderKind.TASK:
            return tasks.compose(renderer, prepared)
        lead = prepared.lead
        assert lead is not None
        common = {"kind": kind.value, "lead": lead, "late": prepared.late}
        if kind is ReminderKind.STEP_DUE:
            step = prepared.step
            assert step is not None
            text = renderer.render(
                "reminder.html",
                language,
                **common,
                step=step,
                number=prepared.step_number,
                total=prepared.total_steps,
                channel=_(CHANNEL_LABELS[step.channel]),
                due=when(reminder.due_at, language, member.timezone),
                starts="",
                cadence=prepared.extra.get("cadence", ""),
            )
            return text, step_keyboard(reminder.id or 0, lead.id or 0, _)
        if kind is ReminderKind.RECYCLE:
            text = renderer.render(
                "reminder.html",
                language,
                **common,
                days=prepared.extra["days"],
                reason=_(str(prepared.extra["reason"])),
                cadence=prepared.extra["cadence"],
            )
            return text, recycle_keyboard(lead.id or 0, _)
        meeting = prepared.meeting
        assert meeting is not None
        text = renderer.render(
            "reminder.html",
            language,
            **common,
            step=None,
            number=0,
            total=0,
            channel="",
            due="",
            starts=when(meeting.starts_at, language, member.timezone),
        )
        if kind is ReminderKind.MEETING_BEFORE:
            return text, markup([[button("📇 " + _("Ficha do lead"), OpenLead(lead.id or 0))]])
        return text, markup(
            [
                [
                    button("✅ " + _("Aconteceu"), MeetingHeld(meeting.id or 0)),
                    button("👻 " + _("No-show"), MeetingNoShow(meeting.id or 0)),
                ]
            ],
            [[button("🔁 " + _("Foi remarcada"), MeetingMoved(meeting.id or 0))]],
        )

    return compose


def nudge(context: Context) -> None:
    """Something changed what is due (a snooze, a pause, new hours): the scheduler re-arms."""
    scheduler = context.application.bot_data.get(SCHEDULER)
    if scheduler is not None:
        scheduler.nudge()


def _snooze_keyboard(context: Context, reminder_id: int) -> InlineKeyboardMarkup | None:
    _ = context._
    return markup(
        [
            [
                button("⏱ " + _("1 hora"), Snooze(reminder_id, "1h")),
                button("🌅 " + _("Amanhã cedo"), Snooze(reminder_id, "tm")),
            ]
        ],
        [
            [
                button("📅 " + _("Escolher dia"), SnoozeDays(reminder_id)),
                button("↩️ " + _("Voltar"), ReminderBack(reminder_id)),
            ]
        ],
    )


def _days_keyboard(context: Context, reminder_id: int) -> InlineKeyboardMarkup | None:
    choices = service.snooze_choices(context.me, context.runtime.now())
    days = [(code, moment) for code, moment in choices.items() if numbers.is_digits(code)]
    labels = (
        button(when(moment, context.lang, context.me.timezone), Snooze(reminder_id, code)) for code, moment in days
    )
    return markup(rows(labels, 1), [[button("↩️ " + context._("Voltar"), SnoozeMenu(reminder_id))]])


async def _swap_keyboard(update: Update, keyboard: InlineKeyboardMarkup | None) -> None:
    await ack(update)
    if update.callback_query is not None:
        await update.callback_query.edit_message_reply_markup(keyboard)


async def snooze_menu_pressed(update: Update, context: Context) -> None:
    """⏰ Adiar: the snooze choices replace the reminder's buttons."""
    reminder = service.reminder_for(context.runtime, context.me, SnoozeMenu.of(update).reminder)
    await _swap_keyboard(update, _snooze_keyboard(context, reminder.id or 0))


async def snooze_days_pressed(update: Update, context: Context) -> None:
    reminder = service.reminder_for(context.runtime, context.me, SnoozeDays.of(update).reminder)
    await _swap_keyboard(update, _days_keyboard(context, reminder.id or 0))


async def back_pressed(update: Update, context: Context) -> None:
    reminder = service.reminder_for(context.runtime, context.me, ReminderBack.of(update).reminder)
    await _swap_keyboard(update, step_keyboard(reminder.id or 0, reminder.lead_id or 0, context._))


async def snooze_pressed(update: Update, context: Context) -> None:
    press = Snooze.of(update)
    snoozed = service.snooze(context.runtime, context.me, press.reminder, press.choice)
    nudge(context)
    await ack(update, context._("Adiado"))
    moment = when(snoozed.reminder.due_at, context.lang, context.me.timezone)
    await say(
        update,
        context.render("reminder_done.html", done="snoozed", company=snoozed.lead.company, when=moment),
        edit=True,
    )


async def skip_pressed(update: Update, context: Context) -> None:
    logged = service.skip(context.runtime, context.me, SkipStep.of(update).reminder)
    nudge(context)
    await ack(update, context._("Passo pulado"))
    nxt, due = logged.transition.next_step, logged.lead.step_due_at
    text = context.render(
        "reminder_done.html",
        done="skipped",
        next_step=nxt.title if nxt is not None and due is not None else None,
        when=when(due, context.lang, context.me.timezone) if due is not None else "",
    )
    keyboard = markup([[button("📇 " + context._("Ficha do lead"), OpenLead(logged.lead.id or 0))]])
    await say(update, text, keyboard, edit=True)


async def pause_pressed(update: Update, context: Context) -> None:
    lead = service.pause_cadence(context.runtime, context.me, PauseCadence.of(update).reminder)
    await ack(update, context._("Cadência pausada"))
    keyboard = markup([[button("▶️ " + context._("Retomar cadência"), ResumeCadence(lead.id or 0))]])
    await say(update, context.render("reminder_done.html", done="paused", company=lead.company), keyboard, edit=True)


async def resume_pressed(update: Update, context: Context) -> None:
    """▶️ Retomar cadência: on the step where it stopped."""
    lead = service.resume_cadence(context.runtime, context.me, ResumeCadence.of(update).lead)
    nudge(context)
    await ack(update, context._("Cadência retomada"))
    text, keyboard = lead_card(context, lead)
    await say(update, "▶️ " + context._("Cadência retomada.") + "\n\n" + text, keyboard, edit=True)


async def today_command(update: Update, context: Context) -> None:
    """``/hoje`` — what is due today and what is overdue."""
    agenda = service.agenda(context.runtime, context.me)
    if agenda.empty:
        await say(update, context._("Nada vencendo hoje nem atrasado. 🎉 Veja seus leads em /leads."))
        return
    text = context.render(
        "agenda.html", morning=False, **agenda_values(agenda, context.lang, context.me.timezone, context._)
    )
    await say(update, text, agenda_keyboard(agenda, context._))


#: The buttons of reminders, each with its handler (:mod:`bot.wiring` registers them).
BUTTONS = {
    SnoozeMenu: snooze_menu_pressed,
    SnoozeDays: snooze_days_pressed,
    ReminderBack: back_pressed,
    Snooze: snooze_pressed,
    SkipStep: skip_pressed,
    PauseCadence: pause_pressed,
    ResumeCadence: resume_pressed,
}
