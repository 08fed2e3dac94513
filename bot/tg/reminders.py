"""Reminder messages and their buttons, the morning agenda and ``/hoje``.

A step reminder offers four actions; every press is re-authorised against the database (the
reminder must be the member's own, and its lead still on that step):

```mermaid
flowchart LR
    R[⏰ step reminder] -->|▶️ Fazer agora st:lead| S[step card]
    R -->|⏰ Adiar rm:id:snz| O[1 h · amanhã cedo · escolher dia]
    O -->|rm:id:days| D[next business days]
    O & D -->|rm:id:s:choice| Z[snoozed: due time moved]
    R -->|⏭ Pular passo rm:id:skip| K[skipped touch logged → next step planned]
    R -->|⏸ Pausar cadência rm:id:pause| P[cadence paused → ▶️ Retomar on the lead card rc:lead]
```

Meeting reminders reuse the meeting buttons of :mod:`bot.tg.cadence` (``mt:<meeting>:…``).
"""

from __future__ import annotations

from collections.abc import Callable

from telegram import InlineKeyboardMarkup, Update

from bot.domain import numbers
from bot.domain.vocabulary import Channel, ReminderKind
from bot.i18n import Gettext, gettext_for, when
from bot.render.messages import MessageRenderer, escape
from bot.services import reminders as service
from bot.services.reminders import Agenda, Prepared
from bot.tg.cadence import CHANNEL_NAMES
from bot.tg.callbacks import BadCallback, Verb, as_id, unpack
from bot.tg.cards import lead_card
from bot.tg.context import Context, ack, say
from bot.tg.keyboards import button, markup, rows

SCHEDULER = "reminder_scheduler"
NONE = "-"


def agenda_values(agenda: Agenda, language: str, timezone: str, _: Gettext) -> dict[str, object]:
    def item(i: service.AgendaItem) -> dict[str, object]:
        return {
            "lead_id": i.lead_id,
            "company": i.company,
            "step": i.step_title,
            "channel": _(CHANNEL_NAMES[Channel(i.channel)]),
            "due": when(i.due_at, language, timezone),
        }

    return {
        "day": f"{agenda.day:%d/%m/%Y}" if language == "pt" else f"{agenda.day:%b %d, %Y}",
        "overdue": [item(i) for i in agenda.overdue],
        "today": [item(i) for i in agenda.today],
        "meetings": [
            {"company": m.company, "starts": when(m.starts_at, language, timezone), "lead_id": m.lead_id}
            for m in agenda.meetings
        ],
    }


def agenda_keyboard(agenda: Agenda, _: Gettext) -> InlineKeyboardMarkup | None:
    leads = [*agenda.overdue, *agenda.today][:10]
    return markup(rows((button("▶️ " + i.company[:40], Verb.STEP, i.lead_id) for i in leads), 1))


def step_keyboard(reminder_id: int, lead_id: int, _: Gettext) -> InlineKeyboardMarkup | None:
    return markup(
        [
            [
                button("▶️ " + _("Fazer agora"), Verb.STEP, lead_id),
                button("⏰ " + _("Adiar"), Verb.REMINDER, reminder_id, "snz", NONE),
            ]
        ],
        [
            [
                button("⏭ " + _("Pular passo"), Verb.REMINDER, reminder_id, "skip", NONE),
                button("⏸ " + _("Pausar cadência"), Verb.REMINDER, reminder_id, "pause", NONE),
            ]
        ],
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
                channel=_(CHANNEL_NAMES[step.channel]),
                due=when(reminder.due_at, language, member.timezone),
                starts="",
            )
            return text, step_keyboard(reminder.id or 0, lead.id or 0, _)
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
            return text, markup([[button("📇 " + _("Ficha do lead"), Verb.LEAD, lead.id)]])
        return text, markup(
            [
                [
                    button("✅ " + _("Aconteceu"), Verb.MEETING, meeting.id, "held"),
                    button("👻 " + _("No-show"), Verb.MEETING, meeting.id, "noshow"),
                ]
            ],
            [[button("🔁 " + _("Foi remarcada"), Verb.MEETING, meeting.id, "moved")]],
        )

    return compose


def _nudge(context: Context) -> None:
    scheduler = context.application.bot_data.get(SCHEDULER)
    if scheduler is not None:
        scheduler.nudge()


def _snooze_keyboard(context: Context, reminder_id: int) -> InlineKeyboardMarkup | None:
    _ = context._
    return markup(
        [
            [
                button("⏱ " + _("1 hora"), Verb.REMINDER, reminder_id, "s", "1h"),
                button("🌅 " + _("Amanhã cedo"), Verb.REMINDER, reminder_id, "s", "tm"),
            ]
        ],
        [
            [
                button("📅 " + _("Escolher dia"), Verb.REMINDER, reminder_id, "days", NONE),
                button("↩️ " + _("Voltar"), Verb.REMINDER, reminder_id, "back", NONE),
            ]
        ],
    )


def _days_keyboard(context: Context, reminder_id: int) -> InlineKeyboardMarkup | None:
    choices = service.snooze_choices(context.me, context.runtime.now())
    days = [(code, moment) for code, moment in choices.items() if numbers.is_digits(code)]
    labels = (
        button(when(moment, context.lang, context.me.timezone), Verb.REMINDER, reminder_id, "s", code)
        for code, moment in days
    )
    return markup(rows(labels, 1), [[button("↩️ " + context._("Voltar"), Verb.REMINDER, reminder_id, "snz", NONE)]])


async def reminder_pressed(update: Update, context: Context) -> None:
    """``rm:<reminder>:<action>:<arg>`` — snooze, skip, pause, or navigate the snooze menu."""
    data = update.callback_query.data if update.callback_query else None
    reminder_text, action, arg = unpack(data, Verb.REMINDER, 3)
    reminder_id = as_id(reminder_text)
    runtime, me, _ = context.runtime, context.me, context._
    reminder = service.reminder_for(runtime, me, reminder_id)  # NotAllowed if not theirs
    if action in ("snz", "days", "back"):
        await ack(update)
        keyboard = {
            "snz": lambda: _snooze_keyboard(context, reminder_id),
            "days": lambda: _days_keyboard(context, reminder_id),
            "back": lambda: step_keyboard(reminder_id, reminder.lead_id or 0, _),
        }[action]()
        if update.callback_query is not None:
            await update.callback_query.edit_message_reply_markup(keyboard)
        return
    if action == "s":
        snoozed = service.snooze(runtime, me, reminder_id, arg)
        _nudge(context)
        moment = when(snoozed.reminder.due_at, context.lang, me.timezone)
        await ack(update, _("Adiado"))
        await say(
            update,
            _("⏰ Adiado: eu te lembro de <b>%(company)s</b> em %(when)s.")
            % {"company": escape(snoozed.lead.company), "when": moment},
            edit=True,
        )
        return
    if action == "skip":
        logged = service.skip(runtime, me, reminder_id)
        _nudge(context)
        await ack(update, _("Passo pulado"))
        nxt = logged.transition.next_step
        if nxt is not None and logged.lead.step_due_at is not None:
            text = _("⏭ Passo pulado. Próximo: <b>%(step)s</b> em %(when)s.") % {
                "step": escape(nxt.title),
                "when": when(logged.lead.step_due_at, context.lang, me.timezone),
            }
        else:
            text = _("⏭ Passo pulado. A cadência deste lead terminou.")
        await say(update, text, markup([[button("📇 " + _("Ficha do lead"), Verb.LEAD, logged.lead.id)]]), edit=True)
        return
    if action == "pause":
        lead = service.pause_cadence(runtime, me, reminder_id)
        await ack(update, _("Cadência pausada"))
        await say(
            update,
            _("⏸ Cadência de <b>%(company)s</b> pausada. Retome quando quiser.") % {"company": escape(lead.company)},
            markup([[button("▶️ " + _("Retomar cadência"), Verb.RESUME, lead.id)]]),
            edit=True,
        )
        return
    raise BadCallback(action)


async def resume_pressed(update: Update, context: Context) -> None:
    """``rc:<lead>`` — resume a paused cadence on the step where it stopped."""
    (lead_text,) = unpack(update.callback_query.data if update.callback_query else None, Verb.RESUME, 1)
    lead = service.resume_cadence(context.runtime, context.me, as_id(lead_text))
    _nudge(context)
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
