"""What happened: the outcome of a touch, objections, losses and stage moves by hand.

Each button is its own action and handler; every press is re-authorised against the database,
and every stage move is asked of the funnel (``bot.domain.funnel``): a refused one is answered
with one line and changes nothing.

```mermaid
flowchart LR
    step[step card] -->|no answer / wrong contact / skip: LogOutcome| next[next step scheduled]
    step -->|wrong contact| right[who is the right contact? bot.tg.contacts]
    step -->|connected: LogOutcome| q1[role reached] --> q2[pain] --> q3[budget] --> q4[intent] --> what[what next?]
    step -->|replied: LogOutcome| what[what next?]
    what -->|NewTask| task[follow-up flow]
    what -->|ResumeAfterReply| next
    step -->|AskObjection| list[objections] -->|PickObjection| ans[answer + follow-up]
    list -->|HeardObjection: typed words, bot.tg.objections| list
    ans -->|ObjectionGoOn| next
    ans -->|ObjectionBooked| when[ask date]
    ans -->|ObjectionLost| reasons
    step -->|NotInterested| reasons[loss reason] -->|LoseOnStep| lost
    step -->|meeting booked: LogOutcome| when
    what -->|BookMeeting| when
    what -->|OpenLead| next
    what -->|LoseLead| hand[loss reason] -->|LoseByHand| lost
    card[lead card] -->|MoveStage / LoseLead / Disqualify| hand
```

The objection that led to "not interested" waits in ``user_data`` (:data:`PENDING_OBJECTION`)
for the loss reason, so the lost touch records both; the next press of any button here ends
that wait, whichever it is.
"""

from __future__ import annotations

from typing import Any

from telegram import Update

from bot.domain.cadence import CadenceStatus
from bot.domain.script_context import context as script_context
from bot.domain.vocabulary import Outcome, Stage
from bot.render.scripts import render_script
from bot.services import cadence, leads
from bot.tg import after_reply, choices
from bot.tg.cadence import say_logged
from bot.tg.callbacks import (
    Action,
    AskObjection,
    BadCallback,
    Disqualify,
    Handler,
    LogOutcome,
    LoseByHand,
    LoseLead,
    LoseOnStep,
    MoveStage,
    NotInterested,
    ObjectionBooked,
    ObjectionGoOn,
    ObjectionLost,
    PickObjection,
)
from bot.tg.cards import lead_card
from bot.tg.contact_question import ContactFlow, ask_contact
from bot.tg.context import Context, ack, say
from bot.tg.keyboards import button, markup, rows
from bot.tg.meetings import MeetingFlow, ask_when
from bot.tg.qualification import ask_question

PENDING_OBJECTION = "objection"
"""``{"lead", "step", "objection"}``: the objection whose "not interested" waits for a reason."""
_OLD_OBJECTION_KEYS = "objection:"  # one key per lead, written by versions before this one


def _take_objection(context: Context, lead_id: int, step_id: str) -> str | None:
    """Ends the wait for a loss reason after an objection; the objection, if it was this touch's."""
    data: dict[str, Any] = context.user_data if context.user_data is not None else {}
    for key in [k for k in data if k.startswith(_OLD_OBJECTION_KEYS)]:
        del data[key]
    pending = data.pop(PENDING_OBJECTION, None)
    if isinstance(pending, dict) and pending.get("lead") == lead_id and pending.get("step") == step_id:
        objection = pending.get("objection")
        return objection if isinstance(objection, str) else None
    return None


async def outcome_pressed(update: Update, context: Context) -> MeetingFlow | ContactFlow | None:
    press = LogOutcome.of(update)
    _take_objection(context, press.lead, press.step)
    logged = cadence.log_outcome(context.runtime, context.me, press.lead, press.step, press.outcome)
    await ack(update, context._("Registrado"))
    if press.outcome is Outcome.CONNECTED:
        await ask_question(update, context, logged.touch.id or 0, 0)
        return None
    if press.outcome is Outcome.MEETING_BOOKED:
        return await ask_when(update, context, press.lead, touch=logged.touch.id)
    if press.outcome is Outcome.REPLIED and logged.lead.cadence_status == CadenceStatus.STOPPED:
        await after_reply.say_replied(update, context, logged)
        return None
    await say_logged(update, context, logged)
    if press.outcome is Outcome.WRONG_CONTACT:
        return await ask_contact(update, context, press.lead, wrong=True)
    return None


async def ask_objection_pressed(update: Update, context: Context) -> None:
    press = AskObjection.of(update)
    _take_objection(context, press.lead, press.step)
    await ack(update)
    await say(update, context._("Qual objeção?"), choices.objections(context, press.lead, press.step))


async def not_interested_pressed(update: Update, context: Context) -> None:
    press = NotInterested.of(update)
    _take_objection(context, press.lead, press.step)
    await say(update, context._("Qual o motivo da perda?"), choices.step_loss_reasons(context, press.lead, press.step))
    await ack(update)


# ---------------------------------------------------------------------------- objections


async def objection_pressed(update: Update, context: Context) -> None:
    press = PickObjection.of(update)
    playbook = context.runtime.playbook
    objection = playbook.objection(press.objection)
    if objection is None:
        raise BadCallback(press.objection)
    lead = leads.get_lead(context.runtime, context.me, press.lead)
    ctx = script_context(leads.lead_view(lead), leads.rep_view(context.me), playbook.manifest.seller.model_dump())
    text = context.render(
        "objection_answer.html",
        label=objection.label,
        answer=render_script(objection.answer, ctx),
        follow_up=render_script(objection.follow_up, ctx),
    )
    _ = context._
    where = (press.lead, press.step, press.objection)
    nexts = [
        button("📅 " + _("Reunião agendada"), ObjectionBooked(*where)),
        button("➡️ " + _("Seguir a cadência"), ObjectionGoOn(*where)),
        button("🙅 " + _("Sem interesse"), ObjectionLost(*where)),
    ]
    await ack(update)
    await say(update, text, markup(rows(nexts, 1)), edit=True)


def _known_objection(context: Context, objection_id: str) -> None:
    if context.runtime.playbook.objection(objection_id) is None:
        raise BadCallback(objection_id)


async def objection_booked_pressed(update: Update, context: Context) -> MeetingFlow:
    press = ObjectionBooked.of(update)
    _known_objection(context, press.objection)
    _take_objection(context, press.lead, press.step)
    await ack(update)
    logged = cadence.log_outcome(
        context.runtime, context.me, press.lead, press.step, Outcome.MEETING_BOOKED, objection=press.objection
    )
    return await ask_when(update, context, press.lead, touch=logged.touch.id)


async def objection_go_on_pressed(update: Update, context: Context) -> None:
    press = ObjectionGoOn.of(update)
    _known_objection(context, press.objection)
    _take_objection(context, press.lead, press.step)
    await ack(update)
    logged = cadence.log_outcome(
        context.runtime, context.me, press.lead, press.step, Outcome.OBJECTION, objection=press.objection
    )
    await say_logged(update, context, logged, edit=True)


async def objection_lost_pressed(update: Update, context: Context) -> None:
    """🙅 after an objection's answer: the loss reason is asked; the objection waits for it."""
    press = ObjectionLost.of(update)
    _known_objection(context, press.objection)
    _take_objection(context, press.lead, press.step)
    await say(update, context._("Qual o motivo da perda?"), choices.step_loss_reasons(context, press.lead, press.step))
    assert context.user_data is not None
    context.user_data[PENDING_OBJECTION] = {"lead": press.lead, "step": press.step, "objection": press.objection}
    await ack(update)


# ---------------------------------------------------------------------------- losses and moves by hand


def _known_reason(context: Context, reason_id: str) -> None:
    if context.runtime.playbook.loss_reason(reason_id) is None:
        raise BadCallback(reason_id)


async def lose_on_step_pressed(update: Update, context: Context) -> None:
    press = LoseOnStep.of(update)
    _known_reason(context, press.reason)
    objection = _take_objection(context, press.lead, press.step)
    logged = cadence.log_outcome(
        context.runtime,
        context.me,
        press.lead,
        press.step,
        Outcome.NOT_INTERESTED,
        loss_reason=press.reason,
        objection=objection,
    )
    await ack(update, context._("Registrado"))
    await say_logged(update, context, logged, edit=True)


async def lose_by_hand_pressed(update: Update, context: Context) -> None:
    press = LoseByHand.of(update)
    _known_reason(context, press.reason)
    cadence.move_stage(context.runtime, context.me, press.lead, Stage.LOST, press.reason)
    await ack(update, context._("Registrado"))
    await say(update, context._("Registrado. Lead encerrado como perdido."), edit=True)


async def lose_lead_pressed(update: Update, context: Context) -> None:
    """❌ Perdido (the lead card, a no-show, after qualification): which reason?"""
    keyboard = choices.hand_loss_reasons(context, LoseLead.of(update).lead)
    await say(update, context._("Qual o motivo da perda?"), keyboard)
    await ack(update)


async def disqualify_pressed(update: Update, context: Context) -> None:
    keyboard = choices.hand_loss_reasons(context, Disqualify.of(update).lead)
    await ack(update)
    await say(update, context._("Por que desqualificar?"), keyboard)


async def stage_pressed(update: Update, context: Context) -> None:
    press = MoveStage.of(update)
    lead = cadence.move_stage(context.runtime, context.me, press.lead, press.to)
    await ack(update)
    text, keyboard = lead_card(context, lead)
    await say(update, "✅ " + context._("Registrado.") + "\n\n" + text, keyboard, edit=True)


#: Buttons answered outside the conversation (the ones that start a flow are in
#: :mod:`bot.tg.flows`: :func:`outcome_pressed`, :func:`objection_booked_pressed`).
BUTTONS: dict[type[Action], Handler] = {
    AskObjection: ask_objection_pressed,
    NotInterested: not_interested_pressed,
    PickObjection: objection_pressed,
    ObjectionGoOn: objection_go_on_pressed,
    ObjectionLost: objection_lost_pressed,
    LoseOnStep: lose_on_step_pressed,
    LoseByHand: lose_by_hand_pressed,
    LoseLead: lose_lead_pressed,
    Disqualify: disqualify_pressed,
    MoveStage: stage_pressed,
}
