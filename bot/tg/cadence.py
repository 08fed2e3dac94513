"""Working a lead through the cadence: the step card, starting the cadence, the reply after a
logged touch, and a note on a logged touch. What happened on a touch is in
:mod:`bot.tg.outcomes`; qualification in :mod:`bot.tg.qualification`; meetings in
:mod:`bot.tg.meetings`; the lists under a question in :mod:`bot.tg.choices`.

Starting the cadence (fit before effort; ``bot.domain.funnel.needs_fit_confirmation``):

```mermaid
flowchart LR
    start[Iniciar cadência StartCadence] -->|inside the ICP| step1[step 1]
    start -->|tier D or knocked out| ask[fora do ICP: iniciar mesmo assim?]
    ask -->|Sim StartAnyway| step1
    ask -->|Não KeepUnstarted| nothing[nothing started]
```

A note on a logged touch is typed, in the one conversation (:mod:`bot.tg.flows`):

```mermaid
stateDiagram-v2
    [*] --> ASKING_NOTE: 📝 Anotar (AddNote)
    ASKING_NOTE --> ASKING_NOTE: empty or too long → the same question
    ASKING_NOTE --> [*]: note saved
    ASKING_NOTE --> [*]: /cancelar
```
"""

from __future__ import annotations

from enum import StrEnum

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import ConversationHandler

from bot.domain.labels import CHANNEL_LABELS
from bot.domain.vocabulary import Channel, Outcome, Stage
from bot.i18n import when
from bot.services import cadence, leads
from bot.tg import flow_run
from bot.tg.callbacks import (
    Action,
    AddNote,
    AskObjection,
    Handler,
    KeepUnstarted,
    LogOutcome,
    NewTask,
    NotInterested,
    OpenLead,
    ShowStep,
    ShowTimeline,
    StartAnyway,
    StartCadence,
)
from bot.tg.context import Context, ack, say, typed_text
from bot.tg.keyboards import button, markup, rows, url_button

(NOTE_TOUCH,) = flow_run.scoped("note_touch")
MAX_NOTE = 1000


class NoteFlow(StrEnum):
    ASKING_NOTE = "asking_note"


def _outcome_buttons(
    context: Context, lead_id: int, step_id: str, channel: Channel
) -> list[list[InlineKeyboardButton]]:
    _ = context._

    def logs(outcome: Outcome) -> Action:
        return LogOutcome(lead_id, step_id, outcome)

    if channel is Channel.PHONE:
        first = [("📵 " + _("Não atendeu"), logs(Outcome.NO_ANSWER)), ("🗣 " + _("Atendeu"), logs(Outcome.CONNECTED))]
    else:
        first = [
            ("📤 " + _("Enviado, sem resposta"), logs(Outcome.NO_ANSWER)),
            ("💬 " + _("Respondeu"), logs(Outcome.REPLIED)),
        ]
    labels = [
        *first,
        ("📅 " + _("Reunião agendada"), logs(Outcome.MEETING_BOOKED)),
        ("🛡 " + _("Objeção"), AskObjection(lead_id, step_id)),
        ("🙅 " + _("Sem interesse"), NotInterested(lead_id, step_id)),
        ("❓ " + _("Contato errado"), logs(Outcome.WRONG_CONTACT)),
        ("⏭ " + _("Pular passo"), logs(Outcome.SKIPPED)),
    ]
    return rows(button(label, action) for label, action in labels)


async def show_step(update: Update, context: Context, lead_id: int, *, edit: bool = False) -> None:
    card = cadence.step_card(context.runtime, context.me, lead_id)
    variants = len(context.runtime.playbook.scripts[card.script_id].variants)
    channel = context._(CHANNEL_LABELS[card.step.channel])
    text = context.render("step_card.html", card=card, channel=channel, variants=variants)
    actions = []
    if card.whatsapp_url:
        actions.append(url_button("💬 " + context._("Abrir no WhatsApp"), card.whatsapp_url))
    if card.step.channel is Channel.LINKEDIN and card.lead.contact_linkedin.startswith("https://"):
        actions.append(url_button("🔗 " + context._("Abrir LinkedIn"), card.lead.contact_linkedin))
    later = [
        [
            button("⏰ " + context._("Retorno"), NewTask(lead_id)),
            button("🕓 " + context._("Histórico"), ShowTimeline(lead_id)),
        ]
    ]
    keyboard = markup([actions], _outcome_buttons(context, lead_id, card.step.id, card.step.channel), later)
    await say(update, text, keyboard, edit=edit)


async def step_pressed(update: Update, context: Context) -> None:
    lead_id = ShowStep.of(update).lead
    await ack(update)
    await show_step(update, context, lead_id)


async def start_pressed(update: Update, context: Context) -> None:
    try:
        lead = cadence.start_cadence(context.runtime, context.me, StartCadence.of(update).lead)
    except cadence.FitUnconfirmed as unconfirmed:
        await ack(update)
        await _ask_fit(update, context, unconfirmed.warning)
        return
    await ack(update, context._("Cadência iniciada"))
    await show_step(update, context, lead.id or 0)


async def _ask_fit(update: Update, context: Context, warning: cadence.FitWarning) -> None:
    """Fit before effort: a lead outside the ICP starts its cadence only if the rep confirms."""
    _ = context._
    why = [_("tier") + " " + warning.tier] if warning.tier == "D" else []
    why += [_("eliminado por %(reason)s") % {"reason": reason} for reason in warning.knockouts]
    text = context.render("fit_question.html", company=warning.company, why=" / ".join(why))
    yes_no = [
        button("✅ " + _("Sim"), StartAnyway(warning.lead_id)),
        button("❌ " + _("Não"), KeepUnstarted(warning.lead_id)),
    ]
    await say(update, text, markup([yes_no]))


async def start_anyway_pressed(update: Update, context: Context) -> None:
    lead = cadence.start_cadence(context.runtime, context.me, StartAnyway.of(update).lead, confirmed=True)
    await ack(update, context._("Cadência iniciada"))
    await show_step(update, context, lead.id or 0, edit=True)


async def keep_unstarted_pressed(update: Update, context: Context) -> None:
    lead = leads.get_lead(context.runtime, context.me, KeepUnstarted.of(update).lead)  # authorises the press
    await ack(update)
    text = context._("Combinado: a cadência não foi iniciada.")
    await say(update, text, lead_button(context, lead.id or 0), edit=True)


def lead_button(context: Context, lead_id: int) -> InlineKeyboardMarkup | None:
    """📇 Ficha do lead, alone under a message."""
    return markup([[button("📇 " + context._("Ficha do lead"), OpenLead(lead_id))]])


async def say_logged(update: Update, context: Context, logged: cadence.Logged, *, edit: bool = False) -> None:
    """The reply after a logged touch: where the lead stands now, 📝 note and 📇 card."""
    lead, _ = logged.lead, context._
    reason = context.runtime.playbook.loss_reason(lead.loss_reason or "")
    next_step = logged.transition.next_step
    text = context.render(
        "touch_logged.html",
        lost=lead.stage == Stage.LOST,
        reason=reason.label if reason else lead.loss_reason or "",
        next_step=next_step.title if next_step is not None and lead.step_due_at else None,
        due=when(lead.step_due_at, context.lang, context.me.timezone) if lead.step_due_at else "",
    )
    keyboard = markup(
        [
            [
                button("📝 " + _("Anotar"), AddNote(logged.touch.id or 0)),
                button("📇 " + _("Ficha do lead"), OpenLead(lead.id or 0)),
            ]
        ]
    )
    await say(update, text, keyboard, edit=edit)


async def note_pressed(update: Update, context: Context) -> NoteFlow:
    touch_id = AddNote.of(update).touch
    cadence.lead_of_touch(context.runtime, context.me, touch_id)  # authorises the press
    assert context.user_data is not None
    context.user_data[NOTE_TOUCH] = touch_id
    await ack(update)
    await say(update, context._("Escreva a nota sobre este toque (até %(n)s caracteres).") % {"n": MAX_NOTE})
    return NoteFlow.ASKING_NOTE


async def note_typed(update: Update, context: Context) -> NoteFlow | int:
    assert context.user_data is not None
    text = typed_text(update)
    touch_id = context.user_data.get(NOTE_TOUCH)
    if not isinstance(touch_id, int):
        return ConversationHandler.END
    if not text.strip() or len(text) > MAX_NOTE:
        problem = context._("A nota deve ter de 1 a %(n)s caracteres; a sua tem %(len)s.")
        await say(update, "⚠️ " + problem % {"n": MAX_NOTE, "len": len(text)})
        return NoteFlow.ASKING_NOTE
    touch = cadence.add_note(context.runtime, context.me, touch_id, text.strip(), flow=flow_run.current(context))
    context.user_data.pop(NOTE_TOUCH, None)
    await say(update, context._("📝 Nota salva."), lead_button(context, touch.lead_id))
    return ConversationHandler.END


#: Buttons answered outside the conversation, each with its handler (:mod:`bot.wiring`).
BUTTONS: dict[type[Action], Handler] = {
    ShowStep: step_pressed,
    StartCadence: start_pressed,
    StartAnyway: start_anyway_pressed,
    KeepUnstarted: keep_unstarted_pressed,
}
