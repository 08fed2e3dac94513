"""Working the list (managers): /iniciar starts the cadences of a campaign, a tier or an import
after a dry run (/passar, moving leads between reps, is :mod:`bot.tg.reassign_chat`).

```mermaid
stateDiagram-v2
    [*] --> dryrun: /iniciar campanha X | tier A | importacao N
    dryrun --> dryrun: ➕ incluir os de fora do ICP (bk:p:…:y) / ↩️ sem eles (bk:p:…:n)
    dryrun --> [*]: ✅ Iniciar N (bk:g:…) → started, skipped with reasons
    dryrun --> [*]: ✖️ Cancelar (bk:x:-)
```
"""

from __future__ import annotations

import asyncio
import logging

from telegram import Update

from bot.domain import worklist as rules
from bot.domain.vocabulary import Role
from bot.domain.worklist import Selection, SelectionKind, Skip
from bot.i18n import N_
from bot.render.messages import escape
from bot.services import worklist
from bot.services.team import team
from bot.tg.callbacks import (
    BulkCancel,
    BulkGo,
    BulkPlanAgain,
)
from bot.tg.context import Context, ack, say
from bot.tg.keyboards import button, markup
from bot.tg.reminders import nudge

log = logging.getLogger(__name__)

SKIP_LABELS = {
    Skip.RUNNING: N_("já em cadência"),
    Skip.MOVED_ON: N_("já adiante no funil"),
    Skip.CLOSED: N_("ganhos ou perdidos"),
    Skip.KNOCKED_OUT: N_("fora do ICP por knock-out"),
    Skip.TIER_D: N_("fora do ICP (tier D)"),
}
_KIND_CODES = {SelectionKind.CAMPAIGN: "c", SelectionKind.TIER: "t", SelectionKind.IMPORT: "i"}


def lead_count(n: int) -> str:
    """ "1 lead", "5 leads": the word is the same in Portuguese and English."""
    return f"{n} lead" if n == 1 else f"{n} leads"


# ---------------------------------------------------------------------------- /iniciar


async def bulk_command(update: Update, context: Context) -> None:
    """/iniciar campanha NOME | tier A | importacao N"""
    if context.me.role != Role.MANAGER:
        await say(update, context._("Só gestores iniciam cadências em lote."))
        return
    try:
        selection = rules.read_selection(context.args or [])
    except rules.BadSelection as problem:
        await say(update, "⚠️ " + escape(context.problem_text(problem)) + "\n" + context._("Ex.: /iniciar tier A"))
        return
    await _dry_run(update, context, selection, include_outside=False, edit=False)


async def _dry_run(
    update: Update, context: Context, selection: Selection, *, include_outside: bool, edit: bool
) -> None:
    _ = context._
    try:
        plan = await asyncio.to_thread(
            worklist.plan_bulk, context.runtime, context.me, selection, include_outside=include_outside
        )
    except rules.BadSelection as problem:
        await say(update, "⚠️ " + escape(context.problem_text(problem)), edit=edit)
        return
    lines = [
        "🚀 <b>" + escape(_selection_title(context, selection, plan.label)) + "</b>",
        _("%(total)s no total; vou iniciar a cadência de %(n)s.")
        % {"total": lead_count(plan.total), "n": lead_count(len(plan.start))},
    ]
    lines += _skipped_lines(context, plan.skipped)
    if plan.include_outside:
        lines.append(_("Inclui os de fora do ICP: cada início fica registrado como exceção sua."))
    data = (_KIND_CODES[selection.kind], _value_token(selection, plan.label))
    keyboard = []
    if plan.start:
        go = "✅ " + _("Iniciar %(n)s") % {"n": lead_count(len(plan.start))}
        keyboard.append([button(go, BulkGo(*data, include_outside))])
    if plan.outside and not include_outside:
        more = "➕ " + _("Incluir os %(n)s de fora do ICP") % {"n": plan.outside}
        keyboard.append([button(more, BulkPlanAgain(*data, True))])
    if include_outside:
        keyboard.append([button("↩️ " + _("Sem os de fora do ICP"), BulkPlanAgain(*data, False))])
    keyboard.append([button("✖️ " + _("Cancelar"), BulkCancel())])
    if not plan.start:
        lines.append(_("Nada para iniciar."))
    await say(update, "\n".join(lines), markup(keyboard), edit=edit)


def _selection_title(context: Context, selection: Selection, label: str) -> str:
    if selection.kind is SelectionKind.CAMPAIGN:
        return context._("Campanha %(name)s") % {"name": label}
    if selection.kind is SelectionKind.TIER:
        return context._("Leads do tier %(tier)s") % {"tier": label}
    return context._("Importação %(name)s") % {"name": label}


def _value_token(selection: Selection, label: str) -> str:
    return worklist.campaign_token(label) if selection.kind is SelectionKind.CAMPAIGN else selection.value


def _skipped_lines(context: Context, skipped: dict[Skip, int]) -> list[str]:
    total = sum(skipped.values())
    if not total:
        return []
    lines = [context._("Pulados: %(n)s") % {"n": total}]
    lines += [f"• {n} {context._(SKIP_LABELS[reason])}" for reason, n in skipped.items() if n]
    return lines


async def _selection_of(update: Update, context: Context, kind: str, value: str) -> Selection | None:
    """The selection a button names again; ``None`` (and one line) if its campaign is gone."""
    if kind == "c":
        name = await asyncio.to_thread(worklist.campaign_of_token, context.runtime, value)
        if name is None:
            await say(update, context._("Essa campanha não existe mais. Use /iniciar de novo."), edit=True)
            return None
        return Selection(SelectionKind.CAMPAIGN, name)
    return Selection(SelectionKind.TIER if kind == "t" else SelectionKind.IMPORT, value)


async def bulk_again_pressed(update: Update, context: Context) -> None:
    action = BulkPlanAgain.of(update)
    await ack(update)
    if context.me.role != Role.MANAGER:
        await say(update, context._("Só gestores iniciam cadências em lote."))
        return
    selection = await _selection_of(update, context, action.kind, action.value)
    if selection is not None:
        await _dry_run(update, context, selection, include_outside=action.outside, edit=True)


async def bulk_go_pressed(update: Update, context: Context) -> None:
    action = BulkGo.of(update)
    _ = context._
    await ack(update)
    if context.me.role != Role.MANAGER:
        await say(update, _("Só gestores iniciam cadências em lote."))
        return
    selection = await _selection_of(update, context, action.kind, action.value)
    if selection is None:
        return
    try:
        done = await asyncio.to_thread(
            worklist.run_bulk, context.runtime, context.me, selection, include_outside=action.outside
        )
    except rules.BadSelection as problem:
        await say(update, "⚠️ " + escape(context.problem_text(problem)), edit=True)
        return
    lines = [
        "✅ <b>" + escape(_selection_title(context, selection, done.label)) + "</b>",
        _("Cadências iniciadas: %(n)s de %(total)s.") % {"n": done.started, "total": lead_count(done.total)},
    ]
    if done.overrides:
        lines.append(_("Fora do ICP, por sua decisão: %(n)s.") % {"n": done.overrides})
    lines += _skipped_lines(context, done.skipped)
    names = {m.id: m.name for m in team(context.runtime)}
    for owner, n in sorted(done.by_owner.items(), key=lambda item: -item[1]):
        lines.append(f"• {escape(names.get(owner, '#' + str(owner)))}: {lead_count(n)}")
    await say(update, "\n".join(lines), edit=True)
    nudge(context)


async def bulk_cancel_pressed(update: Update, context: Context) -> None:
    await ack(update)
    await say(update, context._("Nada foi iniciado."), edit=True)


#: The buttons of this module, each with its handler (:mod:`bot.wiring` registers them).
BUTTONS = {
    BulkPlanAgain: bulk_again_pressed,
    BulkCancel: bulk_cancel_pressed,
}

#: Buttons whose work can be long (a bulk start of thousands of leads): registered with
#: ``block=False``, so the bot keeps answering everyone else meanwhile.
SLOW_BUTTONS = {BulkGo: bulk_go_pressed}
