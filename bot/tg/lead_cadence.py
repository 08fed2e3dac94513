"""A lead's cadence from its card: 🔀 move it to another cadence, ↩️ reopen a lost lead (a
reason picked from buttons, or typed), and the manager's ``/cadencias`` report.

Every press is re-authorised by the services (the lead must be the member's; a forged cadence
id is not in the playbook and answers "out of date").

```mermaid
stateDiagram-v2
    [*] --> ASKING_REASON: ↩️ Reabrir → ✍️ Escrever o motivo
    ASKING_REASON --> ASKING_REASON: empty or too long
    ASKING_REASON --> [*]: reopened (or the lead was not lost), or /cancelar
```
"""

from __future__ import annotations

import asyncio
from enum import StrEnum

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import ConversationHandler

from bot.domain.cadences import MAX_REASON, REOPEN_REASONS, TYPED_REASON
from bot.domain.vocabulary import Role
from bot.services import cadence_report, cadences
from bot.services.cadence import StaleAction
from bot.services.views import LeadCard
from bot.tg import flow_run
from bot.tg.callbacks import (
    Action,
    ChooseCadence,
    Handler,
    MoveCadence,
    OpenLead,
    ReopenBecause,
    ReopenLead,
    ReopenTyped,
)
from bot.tg.cards import lead_card, stage_name
from bot.tg.context import Context, ack, say, typed_text
from bot.tg.keyboards import button, markup, rows

REOPEN_LEAD = flow_run.scoped("reopen_lead")[0]
"""The lead whose reopen reason is being typed (user data, while the flow runs)."""


class ReopenFlow(StrEnum):
    ASKING_REASON = "reopen_asking_reason"


def _back(context: Context, lead_id: int) -> list[list[InlineKeyboardButton]]:
    return [[button("↩️ " + context._("Voltar"), OpenLead(lead_id))]]


# ---------------------------------------------------------------------------- 🔀 cadences


async def choose_pressed(update: Update, context: Context) -> None:
    lead_id = ChooseCadence.of(update).lead
    try:
        choices = cadences.cadence_choices(context.runtime, context.me, lead_id)
    except cadences.CadenceRefused as refused:
        await ack(update, _no_cadence(context, refused.stage), alert=True)
        return
    await ack(update)
    _ = context._
    lines = [f"🔀 <b>{_('Cadência')}</b> · {choices.lead.company}"]
    if choices.current is not None:
        lines.append(
            _("Atual: %(title)s (%(n)s passos)") % {"title": choices.current.title, "n": choices.current.steps}
        )
    lines.append(_("Mover para qual cadência? O lead recomeça no primeiro passo dela."))
    options = (
        button(
            ("♻️ " if c.recycle else "") + _("%(title)s · %(n)s passos") % {"title": c.title, "n": c.steps},
            MoveCadence(lead_id, c.id),
        )
        for c in choices.others
    )
    await say(update, "\n".join(lines), markup(rows(options, 1), _back(context, lead_id)), edit=True)


def _no_cadence(context: Context, stage: str) -> str:
    return context._("Na etapa “%(stage)s” não há cadência para trocar.") % {"stage": stage_name(context, stage)}


async def move_pressed(update: Update, context: Context) -> None:
    action = MoveCadence.of(update)
    try:
        lead = cadences.move_to_cadence(context.runtime, context.me, action.lead, action.cadence)
    except cadences.CadenceRefused as refused:
        await ack(update, _no_cadence(context, refused.stage), alert=True)
        return
    title = context.runtime.playbook.cadence.get(action.cadence)
    await ack(update, context._("Cadência trocada"))
    text = context._("🔀 Agora na cadência %(title)s.") % {"title": title.title if title else action.cadence}
    await _with_card(update, context, lead, text)


async def _with_card(update: Update, context: Context, lead: LeadCard, headline: str) -> None:
    card, keyboard = lead_card(context, lead)
    await say(update, f"{headline}\n\n{card}", keyboard, edit=update.callback_query is not None)


# ---------------------------------------------------------------------------- ↩️ reopening


def reopen_keyboard(context: Context, lead_id: int) -> InlineKeyboardMarkup | None:
    _ = context._
    picked = (button(_(label), ReopenBecause(lead_id, reason)) for reason, label in REOPEN_REASONS.items())
    typed = [[button("✍️ " + _("Escrever o motivo"), ReopenTyped(lead_id))]]
    return markup(rows(picked, 1), typed, _back(context, lead_id))


async def reopen_pressed(update: Update, context: Context) -> None:
    lead_id = ReopenLead.of(update).lead
    lead = cadences.lead_to_reopen(context.runtime, context.me, lead_id)
    if lead.stage != "lost":
        await ack(update, _not_lost(context, lead.stage), alert=True)
        return
    await ack(update)
    text = context._("↩️ Reabrir <b>%(company)s</b>: por quê?") % {"company": lead.company}
    await say(update, text, reopen_keyboard(context, lead_id), edit=True)


def _not_lost(context: Context, stage: str) -> str:
    return context._("Este lead não está perdido (etapa “%(stage)s”): não há o que reabrir.") % {
        "stage": stage_name(context, stage)
    }


async def _reopen(update: Update, context: Context, lead_id: int, reason: str, note: str | None = None) -> bool:
    try:
        lead = cadences.reopen_lead(
            context.runtime, context.me, lead_id, reason=reason, note=note, flow=flow_run.current(context)
        )
    except cadences.NotLost as not_lost:
        await ack(update, _not_lost(context, not_lost.stage), alert=True)
        if update.callback_query is None:
            await say(update, "⚠️ " + _not_lost(context, not_lost.stage))
        return False
    await ack(update, context._("Lead reaberto"))
    text = context._("↩️ Lead reaberto: de volta a “%(stage)s”.") % {"stage": stage_name(context, lead.stage)}
    await _with_card(update, context, lead, text)
    return True


async def reason_pressed(update: Update, context: Context) -> None:
    action = ReopenBecause.of(update)
    if action.reason not in REOPEN_REASONS:
        raise StaleAction(f"unknown reopen reason {action.reason}")
    await _reopen(update, context, action.lead, action.reason)


async def type_reason_pressed(update: Update, context: Context) -> ReopenFlow | int:
    lead_id = ReopenTyped.of(update).lead
    lead = cadences.lead_to_reopen(context.runtime, context.me, lead_id)
    if lead.stage != "lost":
        await ack(update, _not_lost(context, lead.stage), alert=True)
        return ConversationHandler.END
    assert context.user_data is not None
    context.user_data[REOPEN_LEAD] = lead_id
    await ack(update)
    await say(
        update,
        context._("Escreva por que reabrir %(company)s (até %(n)s caracteres).")
        % {
            "company": lead.company,
            "n": MAX_REASON,
        },
    )
    return ReopenFlow.ASKING_REASON


async def reason_typed(update: Update, context: Context) -> ReopenFlow | int:
    assert context.user_data is not None
    lead_id = context.user_data.get(REOPEN_LEAD)
    if not isinstance(lead_id, int):
        return ConversationHandler.END
    text = typed_text(update)
    try:
        note = cadences.read_reason(text)
    except cadences.InvalidReason:
        problem = context._("O motivo deve ter de 1 a %(n)s caracteres; o seu tem %(len)s.")
        await say(update, "⚠️ " + problem % {"n": MAX_REASON, "len": len(text.strip())})
        return ReopenFlow.ASKING_REASON
    await _reopen(update, context, lead_id, TYPED_REASON, note)
    context.user_data.pop(REOPEN_LEAD, None)
    return ConversationHandler.END


# ---------------------------------------------------------------------------- /cadencias


async def cadences_command(update: Update, context: Context) -> None:
    """Results per cadence, A/B per cadence, recycles (managers)."""
    if context.me.role != Role.MANAGER:
        await say(update, context._("O relatório de cadências é só para gestores."))
        return
    report = await asyncio.to_thread(cadence_report.cadence_report, context.runtime, context.me)
    scripts = context.runtime.playbook.scripts
    text = context.render(
        "cadence_report.html",
        report=report,
        verdict=lambda experiment: experiment.verdict_in(context._),
        script=lambda script_id: scripts[script_id].title if script_id in scripts else script_id,
    )
    await say(update, text)


#: Buttons answered outside the conversation, each with its handler (:mod:`bot.wiring`).
BUTTONS: dict[type[Action], Handler] = {
    ChooseCadence: choose_pressed,
    MoveCadence: move_pressed,
    ReopenLead: reopen_pressed,
    ReopenBecause: reason_pressed,
}
