"""Lists built from the playbook under a question: objections, loss reasons, no-show reasons.

Each is paged with ◀ ▶ (:func:`bot.tg.keyboards.paged`), never cut; a page button is its own
action, and turning the page edits the same message's buttons.
"""

from __future__ import annotations

from telegram import InlineKeyboardMarkup, Update

from bot.domain.funnel import Way
from bot.domain.vocabulary import Stage
from bot.services import cadence, leads
from bot.tg.callbacks import (
    Action,
    Handler,
    HandLossPage,
    HeardObjection,
    LoseByHand,
    LoseOnStep,
    NoShowPage,
    NoShowReason,
    ObjectionsPage,
    Page,
    PickObjection,
    StepLossPage,
)
from bot.tg.context import Context, ack
from bot.tg.keyboards import NEXT, button, markup, paged


def objections(context: Context, lead_id: int, step_id: str, page: int = 0) -> InlineKeyboardMarkup | None:
    buttons = [button(o.label, PickObjection(lead_id, step_id, o.id)) for o in context.runtime.playbook.objections]
    heard = [[button("🔎 " + context._("Digitar o que ouviu"), HeardObjection(lead_id, step_id))]]
    return markup(heard, paged(buttons, page, lambda p: button(NEXT, ObjectionsPage(Page(p), lead_id, step_id))))


def step_loss_reasons(context: Context, lead_id: int, step_id: str, page: int = 0) -> InlineKeyboardMarkup | None:
    """The loss reasons of the stage the lead is leaving, for a touch of its cadence (the
    funnel accepts no other)."""
    lead = cadence.check_move(context.runtime, context.me, lead_id, Stage.LOST, Way.TOUCH)
    buttons = [
        button(r.label, LoseOnStep(lead_id, step_id, r.id)) for r in context.runtime.playbook.loss_reasons(lead.stage)
    ]
    return markup(paged(buttons, page, lambda p: button(NEXT, StepLossPage(Page(p), lead_id, step_id))))


def hand_loss_reasons(context: Context, lead_id: int, page: int = 0) -> InlineKeyboardMarkup | None:
    """The loss reasons of the lead's stage, when it is lost by hand (❌ Lost, 🚫 Disqualify)."""
    lead = cadence.check_move(context.runtime, context.me, lead_id, Stage.LOST, Way.HAND)
    buttons = [button(r.label, LoseByHand(lead_id, r.id)) for r in context.runtime.playbook.loss_reasons(lead.stage)]
    return markup(paged(buttons, page, lambda p: button(NEXT, HandLossPage(Page(p), lead_id))))


def no_show_reasons(context: Context, meeting_id: int, page: int = 0) -> InlineKeyboardMarkup | None:
    reasons = context.runtime.playbook.reasons.no_show
    buttons = [button(r.label, NoShowReason(meeting_id, r.id)) for r in reasons]
    return markup(paged(buttons, page, lambda p: button(NEXT, NoShowPage(Page(p), meeting_id))))


async def _turn(update: Update, keyboard: InlineKeyboardMarkup | None) -> None:
    """◀ ▶ under a list: the same message, another page of its buttons."""
    await ack(update)
    query = update.callback_query
    if query is not None and query.message is not None and query.message.is_accessible:
        await query.edit_message_reply_markup(keyboard)


async def objections_page_pressed(update: Update, context: Context) -> None:
    press = ObjectionsPage.of(update)
    leads.get_lead(context.runtime, context.me, press.lead)  # authorises the press
    await _turn(update, objections(context, press.lead, press.step, press.page))


async def step_loss_page_pressed(update: Update, context: Context) -> None:
    press = StepLossPage.of(update)
    await _turn(update, step_loss_reasons(context, press.lead, press.step, press.page))


async def hand_loss_page_pressed(update: Update, context: Context) -> None:
    press = HandLossPage.of(update)
    await _turn(update, hand_loss_reasons(context, press.lead, press.page))


async def no_show_page_pressed(update: Update, context: Context) -> None:
    press = NoShowPage.of(update)
    cadence.meeting_for(context.runtime, context.me, press.meeting)  # authorises the press
    await _turn(update, no_show_reasons(context, press.meeting, press.page))


BUTTONS: dict[type[Action], Handler] = {
    ObjectionsPage: objections_page_pressed,
    StepLossPage: step_loss_page_pressed,
    HandLossPage: hand_loss_page_pressed,
    NoShowPage: no_show_page_pressed,
}
