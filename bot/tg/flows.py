"""The one conversation of the bot: every flow that waits for typed text.

A rep is in at most one flow at a time; starting another (``/novo`` while a meeting date is
pending, say) replaces it. Button presses that need no typing are plain handlers in
:mod:`bot.tg.wiring`, outside this conversation.

```mermaid
stateDiagram-v2
    [*] --> ASKING: /novo
    [*] --> CHOOSING_FIELD: ✏️ edit facts
    CHOOSING_FIELD --> ASKING: a field
    ASKING --> ASKING: answer, skip, back, pick\n(invalid → same question)
    ASKING --> [*]: lead saved → ICP card
    [*] --> ASKING_WHEN: 📅 meeting booked / book / reschedule
    ASKING_WHEN --> ASKING_WHEN: unreadable or past date
    ASKING_WHEN --> [*]: meeting saved
    ASKING_WHEN --> CONFIRMING_WHEN: passed day without a year, holiday or weekend
    CONFIRMING_WHEN --> CONFIRMING_WHEN: ✅ yes, and the next year's day needs a yes too;\nor another date typed
    CONFIRMING_WHEN --> [*]: ✅ yes → meeting saved
    CONFIRMING_WHEN --> ASKING_WHEN: ❌ no → the date again
    [*] --> ASKING_NOTE: 📝 note on a logged touch
    ASKING_NOTE --> ASKING_NOTE: empty or too long
    ASKING_NOTE --> [*]: note saved
    ASKING --> [*]: /cancelar
    CHOOSING_FIELD --> [*]: /cancelar
    ASKING_WHEN --> [*]: /cancelar
    CONFIRMING_WHEN --> [*]: /cancelar
    [*] --> ASKING_HOURS: /config → ✏️ custom hours
    ASKING_HOURS --> ASKING_HOURS: unreadable hours
    ASKING_HOURS --> [*]: saved, or /cancelar
    [*] --> ASKING_TASK_WHEN: ⏰ Retorno
    ASKING_TASK_WHEN --> ASKING_TASK_WHEN: unreadable or past moment
    ASKING_TASK_WHEN --> ASKING_TASK_NOTE: a moment
    ASKING_TASK_NOTE --> [*]: a note or Sem nota → task saved, or /cancelar
    [*] --> ASKING_MONTHLY: 📄 proposal sent / 🏆 won / 💰 deal value
    ASKING_MONTHLY --> ASKING_SETUP: monthly value
    ASKING_SETUP --> ASKING_MONTHS: set-up fee or none
    ASKING_MONTHS --> [*]: months or none → saved
    ASKING_MONTHLY --> [*]: ⏭ skip, or /cancelar
    [*] --> ASKING_REASON: ↩️ reopen → ✍️ type the reason
    ASKING_REASON --> ASKING_REASON: empty or too long
    ASKING_REASON --> [*]: reopened, or /cancelar
    [*] --> ASKING_CONTACT: ❓ wrong contact / ➕ add a contact
    ASKING_CONTACT --> ASKING_CONTACT: empty, too long, bad phone or e-mail
    ASKING_CONTACT --> CONFIRMING_CONTACT: a contact read, shown back
    CONFIRMING_CONTACT --> CONFIRMING_CONTACT: another contact typed
    CONFIRMING_CONTACT --> ASKING_CONTACT: ✏️ fix
    CONFIRMING_CONTACT --> [*]: ✅ saved and chosen, ✖️ discarded, or /cancelar
    ASKING_CONTACT --> [*]: 🤷 don't know, lapsed or another button pressed, or /cancelar
    [*] --> ASKING_HEARD: 🔎 what the prospect said
    ASKING_HEARD --> ASKING_HEARD: empty or too long
    ASKING_HEARD --> [*]: the closest objections, or /cancelar
```

**Exactly once.** Every run of a flow gets an id when an entry point starts it
(:mod:`bot.tg.flow_run`, in the rep's persisted user data); the service that writes what the
flow ends with records that id in the same transaction (:mod:`bot.services.flows`). Before a
state's handler treats an update, :func:`_in` asks whether the run already ended: after a
crash between the last answer and the save of the conversation state that follows it (see
:mod:`bot.tg.persistence`), the flow looks open,
but its result is in the database, so the rep's next message is told "already saved as lead
#42" instead of being taken as the last answer a second time.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

from telegram import Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler, ConversationHandler, MessageHandler, filters

from bot.i18n import N_
from bot.services import flows
from bot.services.flows import FlowEnded, FlowEnding, FlowKind
from bot.tg import (
    cadence,
    contact_question,
    deals,
    flow_run,
    lead_cadence,
    meetings,
    newlead,
    objections,
    outcomes,
    settings,
    tasks,
)
from bot.tg.callbacks import (
    AddContact,
    AddNote,
    BookMeeting,
    DealShortcut,
    DropContact,
    EditDeal,
    EditLead,
    FixContact,
    HeardObjection,
    LogOutcome,
    MeetingDayNo,
    MeetingDayYes,
    MeetingMoved,
    NewTask,
    ObjectionBooked,
    OpenLead,
    ReopenTyped,
    SaveContact,
    SkipContact,
    TaskNoNote,
    TypeHours,
    Verb,
    pattern,
)
from bot.tg.common import cancel
from bot.tg.context import Context, ack, say
from bot.tg.keyboards import button, markup

TEXT = filters.TEXT & ~filters.COMMAND

Callback = Callable[[Update, Any], Coroutine[Any, Any, object]]


FLOW_DATA = (
    newlead.DRAFT,
    *meetings.FLOW_KEYS,
    cadence.NOTE_TOUCH,
    *tasks.FLOW_KEYS,
    *deals.FLOW_KEYS,
    lead_cadence.REOPEN_LEAD,
    contact_question.CONTACT_LEAD,
    objections.HEARD_AT,
)
"""What the flows keep in user data while a run is open."""

ALREADY_SAVED = {
    FlowKind.LEAD: N_("Esse cadastro já foi salvo como lead #%(lead)s."),
    FlowKind.FACTS: N_("Essa correção já foi salva no lead #%(lead)s."),
    FlowKind.MEETING: N_("Essa reunião já foi marcada (lead #%(lead)s)."),
    FlowKind.NOTE: N_("Essa nota já foi salva (lead #%(lead)s)."),
    FlowKind.HOURS: N_("Esse expediente já foi salvo. Veja em /config."),
    FlowKind.TASK: N_("Esse retorno já foi marcado (lead #%(lead)s)."),
    FlowKind.DEAL: N_("Esse valor já foi salvo no lead #%(lead)s."),
    FlowKind.REOPEN: N_("Esse lead já foi reaberto (lead #%(lead)s)."),
    FlowKind.CONTACT: N_("Esse contato já foi salvo (lead #%(lead)s)."),
}


async def _over(update: Update, context: Context, ending: FlowEnding) -> int:
    """The run already ended (its result is saved): say so, once, and leave the flow."""
    for key in (flow_run.FLOW, *FLOW_DATA):
        (context.user_data or {}).pop(key, None)
    kind = FlowKind(ending.kind) if ending.kind in FlowKind._value2member_map_ else None
    text = context._(ALREADY_SAVED[kind]) % {"lead": ending.lead_id} if kind else context._("Isso já foi salvo.")
    keyboard = None
    if ending.lead_id is not None:
        label = "📇 " + context._("Abrir lead #%(lead)s") % {"lead": ending.lead_id}
        keyboard = markup([[button(label, OpenLead(ending.lead_id))]])
    await ack(update)
    await say(update, "✅ " + text, keyboard)
    return ConversationHandler.END


def _starting(callback: Callback) -> Callback:
    """An entry point: a new run when it starts a flow."""

    async def run(update: Update, context: Any) -> object:
        result = await callback(update, context)
        if result is not None and result != ConversationHandler.END:
            flow_run.begin(context)
        return result

    return run


def _staying(callback: Callback) -> Callback:
    async def run(update: Update, context: Any) -> object:
        flow = flow_run.current(context)
        if flow is None:
            flow_run.begin(context)  # a run saved before runs had ids
        elif (ended := flows.ending(context.runtime, flow)) is not None:
            return await _over(update, context, ended)
        try:
            result = await callback(update, context)
        except FlowEnded as ended_meanwhile:
            return await _over(update, context, ended_meanwhile.ending)
        if result == ConversationHandler.END:
            flow_run.forget(context)
        return result

    return run


def _in(*handlers: BaseHandler[Any, Any, Any]) -> list[BaseHandler[Any, Any, Any]]:
    """A state's handlers. A run that already ended is over whatever the state says (see the
    module's doc)."""
    for handler in handlers:
        handler.callback = _staying(handler.callback)
    return list(handlers)


def _entries(*handlers: BaseHandler[Any, Any, Any]) -> list[BaseHandler[Any, Any, Any]]:
    for handler in handlers:
        handler.callback = _starting(handler.callback)
    return list(handlers)


def conversation() -> ConversationHandler:
    return ConversationHandler(
        entry_points=_entries(
            CommandHandler(["novo", "new"], newlead.start_new),
            CallbackQueryHandler(newlead.start_edit, pattern=EditLead.matches),
            CallbackQueryHandler(outcomes.outcome_pressed, pattern=LogOutcome.matches),
            CallbackQueryHandler(outcomes.objection_booked_pressed, pattern=ObjectionBooked.matches),
            CallbackQueryHandler(meetings.book_pressed, pattern=BookMeeting.matches),
            CallbackQueryHandler(meetings.moved_pressed, pattern=MeetingMoved.matches),
            CallbackQueryHandler(cadence.note_pressed, pattern=AddNote.matches),
            CallbackQueryHandler(settings.ask_hours, pattern=TypeHours.matches),
            CallbackQueryHandler(tasks.new_task_pressed, pattern=NewTask.matches),
            CallbackQueryHandler(deals.moved_pressed, pattern=deals.asks_value),
            CallbackQueryHandler(deals.edit_pressed, pattern=EditDeal.matches),
            CallbackQueryHandler(lead_cadence.type_reason_pressed, pattern=ReopenTyped.matches),
            CallbackQueryHandler(contact_question.add_pressed, pattern=AddContact.matches),
            CallbackQueryHandler(objections.heard_pressed, pattern=HeardObjection.matches),
        ),
        states={
            newlead.NewLead.ASKING: _in(
                MessageHandler(TEXT, newlead.answer),
                CallbackQueryHandler(newlead.pressed, pattern=pattern(Verb.NEW)),
            ),
            newlead.NewLead.CHOOSING_FIELD: _in(
                CallbackQueryHandler(newlead.choose_field, pattern=pattern(Verb.NEW)),
                MessageHandler(TEXT, newlead.text_while_choosing),
            ),
            meetings.MeetingFlow.ASKING_WHEN: _in(MessageHandler(TEXT, meetings.meeting_when)),
            meetings.MeetingFlow.CONFIRMING_WHEN: _in(
                CallbackQueryHandler(meetings.day_yes_pressed, pattern=MeetingDayYes.matches),
                CallbackQueryHandler(meetings.day_no_pressed, pattern=MeetingDayNo.matches),
                MessageHandler(TEXT, meetings.meeting_when),
            ),
            cadence.NoteFlow.ASKING_NOTE: _in(MessageHandler(TEXT, cadence.note_typed)),
            settings.SettingsFlow.ASKING_HOURS: _in(MessageHandler(TEXT, settings.hours_typed)),
            tasks.TaskFlow.ASKING_TASK_WHEN: _in(MessageHandler(TEXT, tasks.task_when_typed)),
            tasks.TaskFlow.ASKING_TASK_NOTE: _in(
                CallbackQueryHandler(tasks.no_note_pressed, pattern=TaskNoNote.matches),
                MessageHandler(TEXT, tasks.task_note_typed),
            ),
            deals.DealFlow.ASKING_MONTHLY: _in(
                MessageHandler(TEXT, deals.monthly_typed),
                CallbackQueryHandler(deals.shortcut_pressed, pattern=DealShortcut.matches),
            ),
            deals.DealFlow.ASKING_SETUP: _in(
                MessageHandler(TEXT, deals.setup_typed),
                CallbackQueryHandler(deals.shortcut_pressed, pattern=DealShortcut.matches),
            ),
            deals.DealFlow.ASKING_MONTHS: _in(
                MessageHandler(TEXT, deals.months_typed),
                CallbackQueryHandler(deals.shortcut_pressed, pattern=DealShortcut.matches),
            ),
            lead_cadence.ReopenFlow.ASKING_REASON: _in(MessageHandler(TEXT, lead_cadence.reason_typed)),
            contact_question.ContactFlow.ASKING_CONTACT: _in(
                MessageHandler(TEXT, contact_question.contact_typed),
                CallbackQueryHandler(contact_question.skip_pressed, pattern=SkipContact.matches),
            ),
            contact_question.ContactFlow.CONFIRMING_CONTACT: _in(
                CallbackQueryHandler(contact_question.save_pressed, pattern=SaveContact.matches),
                CallbackQueryHandler(contact_question.fix_pressed, pattern=FixContact.matches),
                CallbackQueryHandler(contact_question.drop_pressed, pattern=DropContact.matches),
                MessageHandler(TEXT, contact_question.contact_typed),
            ),
            objections.HeardFlow.ASKING_HEARD: _in(MessageHandler(TEXT, objections.heard_typed)),
        },
        fallbacks=[CommandHandler(["cancelar", "cancel"], cancel)],
        name="flows",
        persistent=True,
        allow_reentry=True,
    )
