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
```
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

from telegram import Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler, ConversationHandler, MessageHandler, filters

from bot.tg import cadence, newlead, settings
from bot.tg.callbacks import Verb, pattern
from bot.tg.common import cancel

TEXT = filters.TEXT & ~filters.COMMAND

Callback = Callable[[Update, Any], Coroutine[Any, Any, object]]


def _staying(state: object, callback: Callback) -> Callback:
    async def run(update: Update, context: Any) -> object:
        result = await callback(update, context)
        return None if result == state else result

    return run


def _in(state: object, *handlers: BaseHandler[Any, Any, Any]) -> list[BaseHandler[Any, Any, Any]]:
    """The handlers of ``state``. When one answers "stay in ``state``" PTB is told ``None``
    (stay, unchanged), so the stored state is not re-written after every message of a flow."""
    for handler in handlers:
        handler.callback = _staying(state, handler.callback)
    return list(handlers)


def conversation() -> ConversationHandler:
    return ConversationHandler(
        entry_points=[
            CommandHandler(["novo", "new"], newlead.start_new),
            CallbackQueryHandler(newlead.start_edit, pattern=pattern(Verb.EDIT)),
            CallbackQueryHandler(cadence.outcome_pressed, pattern=pattern(Verb.OUTCOME)),
            CallbackQueryHandler(cadence.after_objection_pressed, pattern=pattern(Verb.AFTER_OBJECTION)),
            CallbackQueryHandler(cadence.stage_pressed, pattern=pattern(Verb.STAGE)),
            CallbackQueryHandler(cadence.meeting_pressed, pattern=pattern(Verb.MEETING)),
            CallbackQueryHandler(cadence.note_pressed, pattern=pattern(Verb.NOTE)),
            CallbackQueryHandler(settings.ask_hours, pattern=r"^cf:customhours:"),
        ],
        states={
            newlead.NewLead.ASKING: _in(
                newlead.NewLead.ASKING,
                MessageHandler(TEXT, newlead.answer),
                CallbackQueryHandler(newlead.pressed, pattern=pattern(Verb.NEW)),
            ),
            newlead.NewLead.CHOOSING_FIELD: _in(
                newlead.NewLead.CHOOSING_FIELD,
                CallbackQueryHandler(newlead.choose_field, pattern=pattern(Verb.NEW)),
                MessageHandler(TEXT, newlead.text_while_choosing),
            ),
            cadence.MeetingFlow.ASKING_WHEN: _in(
                cadence.MeetingFlow.ASKING_WHEN, MessageHandler(TEXT, cadence.meeting_when)
            ),
            cadence.MeetingFlow.CONFIRMING_WHEN: _in(
                cadence.MeetingFlow.CONFIRMING_WHEN,
                CallbackQueryHandler(cadence.when_answered, pattern=pattern(Verb.WHEN)),
                MessageHandler(TEXT, cadence.meeting_when),
            ),
            cadence.MeetingFlow.ASKING_NOTE: _in(
                cadence.MeetingFlow.ASKING_NOTE, MessageHandler(TEXT, cadence.note_typed)
            ),
            settings.SettingsFlow.ASKING_HOURS: _in(
                settings.SettingsFlow.ASKING_HOURS, MessageHandler(TEXT, settings.hours_typed)
            ),
        },
        fallbacks=[CommandHandler(["cancelar", "cancel"], cancel)],
        name="flows",
        persistent=True,
        allow_reentry=True,
    )
