"""Deal values in the chat: asked after 📄 proposal sent and 🏆 won, edited from the lead card (💰).

Three questions, in the one conversation (:mod:`bot.tg.flows`); the stage move is saved first,
so skipping or /cancelar never loses it, and the value is saved once, after the last answer:

```mermaid
stateDiagram-v2
    [*] --> ASKING_MONTHLY: 📄 proposal sent / 🏆 won (MoveStage): moved, then asked\nor 💰 deal value (EditDeal)
    ASKING_MONTHLY --> ASKING_MONTHLY: unreadable, negative or absurd → why, and the same question
    ASKING_MONTHLY --> [*]: ⏭ Pular (DealShortcut skip): nothing saved
    ASKING_MONTHLY --> ASKING_SETUP: a monthly value (R$ 1.490/mês, 1,5 mil, R$ 18 mil/ano)
    ASKING_SETUP --> ASKING_SETUP: unreadable → why
    ASKING_SETUP --> ASKING_MONTHS: a fee, or "Sem implantação" (nosetup)
    ASKING_MONTHS --> ASKING_MONTHS: unreadable or out of 1–120 → why
    ASKING_MONTHS --> [*]: 12 meses / 2 anos, or "Sem prazo" (noterm) → saved
    ASKING_MONTHLY --> [*]: /cancelar
    ASKING_SETUP --> [*]: /cancelar
    ASKING_MONTHS --> [*]: /cancelar
```

Every press is authorised again (the lead, and its stage: a value only from the held meeting until
won). Bad input gets one line saying what to type, a log line, and the question stays open.
"""

from __future__ import annotations

import logging
from enum import StrEnum

from telegram import InlineKeyboardMarkup, Update
from telegram.ext import ConversationHandler

from bot.domain.money import InvalidMoney, parse_monthly, parse_months, parse_once
from bot.services import cadence, leads
from bot.services import deals as deal_service
from bot.services.deals import ASKED_AT, NoDealHere
from bot.tg import flow_run
from bot.tg.callbacks import DealShortcut, EditDeal, MoveStage
from bot.tg.cards import lead_card
from bot.tg.context import Context, ack, say, typed_text
from bot.tg.deal_words import deal_text
from bot.tg.keyboards import button, markup

log = logging.getLogger(__name__)


class DealFlow(StrEnum):
    ASKING_MONTHLY = "deal_monthly"
    ASKING_SETUP = "deal_setup"
    ASKING_MONTHS = "deal_months"


DEAL_LEAD = "deal_lead"
DEAL_MONTHLY = "deal_monthly"
DEAL_SETUP = "deal_setup"
FLOW_KEYS = flow_run.scoped(DEAL_LEAD, DEAL_MONTHLY, DEAL_SETUP)


def asks_value(data: object) -> bool:
    """Callback data of a stage move after which the deal's value is asked (proposal sent, won)."""
    press = MoveStage.parse(data)
    return press is not None and press.to in ASKED_AT


def _forget(context: Context) -> None:
    for key in FLOW_KEYS:
        (context.user_data or {}).pop(key, None)


def _shortcut(lead_id: int, what: str, text: str) -> InlineKeyboardMarkup | None:
    return markup([[button(text, DealShortcut(lead_id, what))]])


async def _ask_monthly(update: Update, context: Context, lead_id: int) -> DealFlow:
    assert context.user_data is not None
    _forget(context)
    context.user_data[DEAL_LEAD] = lead_id
    question = "💰 " + context._(
        "Quanto vale o negócio por mês (receita recorrente)? Ex.: R$ 1.490/mês, 1,5 mil ou R$ 18 mil/ano."
    )
    await say(update, question, _shortcut(lead_id, "skip", "⏭ " + context._("Pular")))
    return DealFlow.ASKING_MONTHLY


async def moved_pressed(update: Update, context: Context) -> DealFlow:
    """📄 Proposta enviada / 🏆 Ganho on the lead card: the move is saved, then the value asked."""
    press = MoveStage.of(update)
    lead = cadence.move_stage(context.runtime, context.me, press.lead, press.to)
    await ack(update)
    text, keyboard = lead_card(context, lead)
    await say(update, "✅ " + context._("Registrado.") + "\n\n" + text, keyboard, edit=True)
    return await _ask_monthly(update, context, press.lead)


async def edit_pressed(update: Update, context: Context) -> DealFlow | int:
    """💰 Valor do negócio on the lead card."""
    lead_id = EditDeal.of(update).lead
    try:
        deal_service.check_value_stage(context.runtime, context.me, lead_id)
    except NoDealHere as refused:
        await ack(update, context._(refused.message), alert=True)
        return ConversationHandler.END
    await ack(update)
    return await _ask_monthly(update, context, lead_id)


def _lead(context: Context) -> int | None:
    lead_id = (context.user_data or {}).get(DEAL_LEAD)
    return lead_id if isinstance(lead_id, int) else None


async def _refuse(update: Update, context: Context, problem: InvalidMoney, state: DealFlow) -> DealFlow:
    log.info("deal value refused: %s", problem.template)
    await say(update, "⚠️ " + context.problem_text(problem))
    return state


async def monthly_typed(update: Update, context: Context) -> DealFlow | int:
    lead_id = _lead(context)
    if lead_id is None:
        return ConversationHandler.END
    try:
        cents = parse_monthly(typed_text(update))
    except InvalidMoney as problem:
        return await _refuse(update, context, problem, DealFlow.ASKING_MONTHLY)
    assert context.user_data is not None
    context.user_data[DEAL_MONTHLY] = cents
    question = context._("Taxa de implantação (paga uma vez)? Ex.: R$ 2.000.")
    await say(update, question, _shortcut(lead_id, "nosetup", context._("Sem implantação")))
    return DealFlow.ASKING_SETUP


async def _ask_months(update: Update, context: Context, lead_id: int, setup: int) -> DealFlow:
    assert context.user_data is not None
    context.user_data[DEAL_SETUP] = setup
    question = context._("Prazo do contrato? Ex.: 12 meses, 24m ou 2 anos.")
    await say(update, question, _shortcut(lead_id, "noterm", context._("Sem prazo definido")))
    return DealFlow.ASKING_MONTHS


async def setup_typed(update: Update, context: Context) -> DealFlow | int:
    lead_id = _lead(context)
    if lead_id is None:
        return ConversationHandler.END
    try:
        setup = parse_once(typed_text(update))
    except InvalidMoney as problem:
        return await _refuse(update, context, problem, DealFlow.ASKING_SETUP)
    return await _ask_months(update, context, lead_id, setup)


async def months_typed(update: Update, context: Context) -> DealFlow | int:
    try:
        months = parse_months(typed_text(update))
    except InvalidMoney as problem:
        return await _refuse(update, context, problem, DealFlow.ASKING_MONTHS)
    return await _save(update, context, months)


async def shortcut_pressed(update: Update, context: Context) -> DealFlow | int:
    press = DealShortcut.of(update)
    await ack(update)
    if _lead(context) != press.lead:
        return ConversationHandler.END  # a button of an older question
    if press.what == "skip":
        _forget(context)
        await say(update, context._("Tudo bem: o valor fica para depois (💰 na ficha do lead)."))
        return ConversationHandler.END
    if press.what == "nosetup":
        return await _ask_months(update, context, press.lead, 0)
    return await _save(update, context, None)


async def _save(update: Update, context: Context, months: int | None) -> int:
    data = context.user_data or {}
    lead_id, monthly, setup = _lead(context), data.get(DEAL_MONTHLY), data.get(DEAL_SETUP)
    if lead_id is None or not isinstance(monthly, int) or not isinstance(setup, int):
        _forget(context)
        return ConversationHandler.END
    try:
        deal = deal_service.save_deal(
            context.runtime,
            context.me,
            lead_id,
            monthly_cents=monthly,
            setup_cents=setup,
            months=months,
            flow=flow_run.current(context),
        )
    except NoDealHere as refused:
        _forget(context)
        await say(update, "⚠️ " + context._(refused.message))
        return ConversationHandler.END
    _forget(context)
    text, keyboard = lead_card(context, leads.get_lead(context.runtime, context.me, lead_id))
    saved = context._("Valor salvo: %(deal)s") % {"deal": deal_text(context, deal)}
    await say(update, "✅ " + saved + "\n\n" + text, keyboard)
    return ConversationHandler.END
