"""Follow-ups ("⏰ Retorno"): scheduling one on a lead, and its reminder's buttons.

"⏰ Retorno" sits on the lead card, the step card and the "what next?" after a reply. The
moment and an optional note are typed, in the one conversation (:mod:`bot.tg.flows`):

```mermaid
stateDiagram-v2
    [*] --> ASKING_TASK_WHEN: ⏰ Retorno (NewTask)
    ASKING_TASK_WHEN --> ASKING_TASK_WHEN: unreadable, past or > 1 year → the same question
    ASKING_TASK_WHEN --> ASKING_TASK_NOTE: a moment ("segunda 14h", "em 3 dias", "15/01")
    ASKING_TASK_NOTE --> ASKING_TASK_NOTE: a note too long
    ASKING_TASK_NOTE --> [*]: a note, or Sem nota (TaskNoNote) → task saved, reminder planned
    ASKING_TASK_NOTE --> ASKING_TASK_WHEN: the moment passed meanwhile
    ASKING_TASK_WHEN --> [*]: /cancelar
    ASKING_TASK_NOTE --> [*]: /cancelar
```

The lead and the moment wait in ``user_data`` (persisted), so a restart in the middle resumes
the flow where it was; the task is saved with the run's id (exactly once).

The reminder, when it is due (in the rep's working hours, :mod:`bot.services.reminders`):

```mermaid
flowchart LR
    R[⏰ Hora do retorno] -->|✅ Feito TaskDone| D[task done]
    R -->|⏰ Adiar TaskSnoozeMenu| M[1 h · amanhã cedo]
    M -->|TaskSnooze| Z[reminder moved]
    R -->|📇 Ficha do lead OpenLead| C[lead card]
```

A task id in a button is re-checked against the database: a forged or foreign one is refused
with one line (:class:`~bot.services.tasks.TaskNotFound`).
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import ConversationHandler

from bot.domain import tasks as rules
from bot.domain.moments import InvalidMoment
from bot.i18n import gettext_for, when
from bot.render.messages import MessageRenderer, escape
from bot.services import tasks as service
from bot.services.reminders import Prepared
from bot.tg import flow_run
from bot.tg.callbacks import (
    Action,
    BadCallback,
    Handler,
    NewTask,
    OpenLead,
    TaskDone,
    TaskNoNote,
    TaskSnooze,
    TaskSnoozeMenu,
)
from bot.tg.context import Context, ack, say, typed_text
from bot.tg.keyboards import button, markup

TASK_LEAD, TASK_DUE = flow_run.scoped("task_lead", "task_due")
FLOW_KEYS = (TASK_LEAD, TASK_DUE)


class TaskFlow(StrEnum):
    ASKING_TASK_WHEN = "asking_task_when"
    ASKING_TASK_NOTE = "asking_task_note"


def task_button(context: Context, lead_id: int) -> InlineKeyboardButton:
    """⏰ Retorno, for the cards that offer it."""
    return button("⏰ " + context._("Retorno"), NewTask(lead_id))


def _forget(context: Context) -> None:
    for key in FLOW_KEYS:
        (context.user_data or {}).pop(key, None)


async def new_task_pressed(update: Update, context: Context) -> TaskFlow:
    lead_id = NewTask.of(update).lead
    company = service.check_lead(context.runtime, context.me, lead_id)
    assert context.user_data is not None
    context.user_data[TASK_LEAD] = lead_id
    context.user_data.pop(TASK_DUE, None)
    await ack(update)
    await say(update, context.render("task.html", said="ask_when", company=company))
    return TaskFlow.ASKING_TASK_WHEN


async def task_when_typed(update: Update, context: Context) -> TaskFlow | int:
    assert context.user_data is not None
    lead_id = context.user_data.get(TASK_LEAD)
    if not isinstance(lead_id, int):
        _forget(context)
        return ConversationHandler.END
    try:
        due = service.read_due(context.runtime, context.me, typed_text(update))
    except InvalidMoment as problem:
        await say(update, "⚠️ " + escape(context.problem_text(problem)))
        return TaskFlow.ASKING_TASK_WHEN
    context.user_data[TASK_DUE] = due.isoformat()
    moment = when(due, context.lang, context.me.timezone)
    keyboard = markup([[button("➖ " + context._("Sem nota"), TaskNoNote(lead_id))]])
    await say(update, context.render("task.html", said="ask_note", when=moment, max_note=rules.MAX_NOTE), keyboard)
    return TaskFlow.ASKING_TASK_NOTE


async def task_note_typed(update: Update, context: Context) -> TaskFlow | int:
    text = typed_text(update).strip()
    if not text or len(text) > rules.MAX_NOTE:
        problem = context._("A nota deve ter de 1 a %(n)s caracteres; a sua tem %(len)s.")
        await say(update, "⚠️ " + problem % {"n": rules.MAX_NOTE, "len": len(text)})
        return TaskFlow.ASKING_TASK_NOTE
    return await _save(update, context, text)


async def no_note_pressed(update: Update, context: Context) -> TaskFlow | int:
    press = TaskNoNote.of(update)
    if (context.user_data or {}).get(TASK_LEAD) != press.lead:
        await ack(update, context._("Essa pergunta já foi respondida."), alert=True)
        return TaskFlow.ASKING_TASK_NOTE
    await ack(update)
    return await _save(update, context, "", edit=True)


async def _save(update: Update, context: Context, note: str, *, edit: bool = False) -> TaskFlow | int:
    data = context.user_data or {}
    lead_id, due_text = data.get(TASK_LEAD), data.get(TASK_DUE)
    if not isinstance(lead_id, int) or not isinstance(due_text, str):
        _forget(context)
        return ConversationHandler.END
    try:
        task = service.create_task(
            context.runtime,
            context.me,
            lead_id,
            datetime.fromisoformat(due_text),
            note,
            flow=flow_run.current(context),
        )
    except InvalidMoment as problem:  # the moment passed while the note was being written
        data.pop(TASK_DUE, None)
        await say(update, "⚠️ " + escape(context.problem_text(problem)))
        return TaskFlow.ASKING_TASK_WHEN
    _forget(context)
    zone = context.me.timezone
    text = context.render(
        "task.html",
        said="saved",
        company=task.company,
        when=when(task.due_at, context.lang, zone),
        remind=when(task.remind_at or task.due_at, context.lang, zone),
        note=task.note,
    )
    await say(update, text, markup([[button("📇 " + context._("Ficha do lead"), OpenLead(lead_id))]]), edit=edit)
    nudge_scheduler(context)
    return ConversationHandler.END


def nudge_scheduler(context: Context) -> None:
    """A task changed what is due: the scheduler re-arms (imported here: :mod:`bot.tg.reminders`
    imports this module for the task reminders' text)."""
    from bot.tg.reminders import nudge

    nudge(context)


# ---------------------------------------------------------------------------- the reminder


def reminder_keyboard(task_id: int, lead_id: int, language: str) -> InlineKeyboardMarkup | None:
    _ = gettext_for(language)
    return markup(
        [[button("✅ " + _("Feito"), TaskDone(task_id)), button("⏰ " + _("Adiar"), TaskSnoozeMenu(task_id))]],
        [[button("📇 " + _("Ficha do lead"), OpenLead(lead_id))]],
    )


def compose(renderer: MessageRenderer, prepared: Prepared) -> tuple[str, InlineKeyboardMarkup | None]:
    """A due task's reminder: the lead, the moment agreed, the note; done, snooze, card."""
    task = prepared.extra["task"]
    assert isinstance(task, service.TaskView) and prepared.lead is not None
    member = prepared.member
    language = member.language or "pt"
    text = renderer.render(
        "task.html",
        language,
        said="reminder",
        lead=prepared.lead,
        late=prepared.late,
        when=when(task.due_at, language, member.timezone),
        note=task.note,
    )
    return text, reminder_keyboard(task.id, task.lead_id, language)


async def done_pressed(update: Update, context: Context) -> None:
    task = service.mark_done(context.runtime, context.me, TaskDone.of(update).task)
    await ack(update, context._("Feito"))
    text = context.render("task.html", said="done", company=task.company)
    await say(update, text, markup([[button("📇 " + context._("Ficha do lead"), OpenLead(task.lead_id))]]), edit=True)


async def snooze_menu_pressed(update: Update, context: Context) -> None:
    task = service.task_for(context.runtime, context.me, TaskSnoozeMenu.of(update).task)
    keyboard = markup(
        [
            [
                button("⏱ " + context._("1 hora"), TaskSnooze(task.id, "1h")),
                button("🌅 " + context._("Amanhã cedo"), TaskSnooze(task.id, "tm")),
            ]
        ]
    )
    await ack(update)
    if update.callback_query is not None:
        await update.callback_query.edit_message_reply_markup(keyboard)


async def snooze_pressed(update: Update, context: Context) -> None:
    press = TaskSnooze.of(update)
    if press.choice not in service.SNOOZES:
        raise BadCallback(press.choice)
    task = service.snooze(context.runtime, context.me, press.task, press.choice)
    nudge_scheduler(context)
    await ack(update, context._("Adiado"))
    moment = when(task.remind_at or task.due_at, context.lang, context.me.timezone)
    await say(update, context.render("task.html", said="snoozed", company=task.company, when=moment), edit=True)


#: Buttons answered outside the conversation (:data:`NewTask` and :data:`TaskNoNote` are in
#: :mod:`bot.tg.flows`).
BUTTONS: dict[type[Action], Handler] = {
    TaskDone: done_pressed,
    TaskSnoozeMenu: snooze_menu_pressed,
    TaskSnooze: snooze_pressed,
}
