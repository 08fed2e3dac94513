"""The company registry in the chat (managers): /mercado, the market the loaded registry gives for
the ICP, and /prospectar, a simulated list with a ✅ button that creates those leads.

Registered with ``block=False`` (see :mod:`bot.wiring`): the registry is read in a worker thread.
"""

from __future__ import annotations

import asyncio
import logging

from telegram import Update

from bot.domain import numbers, regions
from bot.domain.registry import MarketFilter
from bot.domain.vocabulary import Role, Tier
from bot.render.messages import escape
from bot.services import imports, market, prospect
from bot.tg.callbacks import Verb, unpack
from bot.tg.context import Context, ack, say
from bot.tg.keyboards import button, markup
from bot.tg.manager_args import recall, remember

log = logging.getLogger(__name__)

PROSPECT_KEY = "prospect"
PROSPECT_CHAT_LIMIT = 500


def _market_words(words: list[str]) -> tuple[MarketFilter, list[str], str | None]:
    """``SP PR 62 A limite=50 campanha=X`` → (filter, the other words, the first word not understood)."""
    ufs: list[str] = []
    prefixes: list[str] = []
    others: list[str] = []
    for word in words:
        value = word.split("=", 1)[-1]
        if "=" in word or value.upper() in ("A", "B", "C"):
            others.append(word)
        elif value.isdigit() and 2 <= len(value) <= 7:
            prefixes.append(value)
        else:
            try:
                ufs.append(regions.parse_uf(value).code)
            except regions.InvalidUf:
                return MarketFilter(), others, word[:40]
    return MarketFilter(ufs=tuple(dict.fromkeys(ufs)), cnae_prefixes=tuple(dict.fromkeys(prefixes))), others, None


async def mercado(update: Update, context: Context) -> None:
    """/mercado [UFs] [prefixos de CNAE]: the market the loaded registry gives for the ICP (managers)."""
    _ = context._
    if context.me.role != Role.MANAGER:
        await say(update, _("O tamanho do mercado é só para gestores."))
        return
    what, _others, wrong = _market_words(" ".join(context.args or []).replace(",", " ").split())
    if wrong is not None:
        log.info("/mercado: refused %r", wrong)
        await say(
            update,
            escape(_("Não entendi '%(word)s'. Exemplo: /mercado SP PR 62 (UFs e o começo do CNAE).") % {"word": wrong}),
        )
        return
    try:
        size = await asyncio.to_thread(market.market_size, context.runtime, what)
    except market.NoRegistry:
        await _no_registry(update, context)
        return
    await say(update, escape(market.market_text(size, context.lang)))
    if size.fitting and update.effective_chat is not None:
        png = await asyncio.to_thread(market.market_chart, size, context.lang)
        await update.effective_chat.send_photo(png, filename="mercado.png")


async def prospectar(update: Update, context: Context) -> None:
    """/prospectar [A B C] [UFs] [CNAE] [limite=N] [campanha=…] [contatos=sim]: a simulation of the
    list, with a button that creates those leads for the team's reps in turn (managers);
    ``contatos=sim`` adds the registry's decision makers as contacts (an audited bulk use)."""
    _ = context._
    if context.me.role != Role.MANAGER:
        await say(update, _("Montar listas do registro é só para gestores."))
        return
    what, others, wrong = _market_words(" ".join(context.args or []).replace(",", " ").split())
    tiers = tuple(dict.fromkeys(Tier(w.upper()) for w in others if w.upper() in ("A", "B", "C"))) or (Tier.A,)
    options = {k.lower(): v for k, _eq, v in (w.partition("=") for w in others if "=" in w)}
    limit = numbers.read_int(options.pop("limite", options.pop("limit", "50")), 1, PROSPECT_CHAT_LIMIT)
    campaign = options.pop("campanha", options.pop("campaign", ""))[:100]
    with_contacts = options.pop("contatos", options.pop("contacts", "não")).lower() in ("sim", "yes")
    if wrong is not None or limit is None or options:
        log.info("/prospectar: refused %r", wrong or options or "limit")
        await say(
            update,
            escape(
                _("Não entendi. Exemplo: /prospectar A B SP PR 62 limite=50 campanha=Registro (limite até %(n)s).")
                % {"n": PROSPECT_CHAT_LIMIT}
            ),
        )
        return
    try:
        found = await asyncio.to_thread(
            prospect.prospect, context.runtime, what, tiers=tiers, limit=limit, campaign=campaign, dry_run=True
        )
    except market.NoRegistry:
        await _no_registry(update, context)
        return
    lines = [
        _("Simulação: %(n)s empresas ativas que cabem (tier %(tiers)s) e ainda não são leads.")
        % {"n": len(found.picked), "tiers": ", ".join(t.value for t in tiers)},
        _("Examinadas %(seen)s; já eram leads %(leads)s; eliminadas %(ko)s; de outro tier %(other)s.")
        % {"seen": found.examined, "leads": found.already_leads, "ko": found.knocked_out, "other": found.other_tier},
    ]
    lines += [
        f"• {c.legal_name[:60]} — {c.uf or '?'} — {r.tier.value} {r.score}" for c, r in found.picked[: prospect.SAMPLE]
    ]
    keyboard = None
    if found.picked:
        wanted = {"ufs": list(what.ufs), "cnaes": list(what.cnae_prefixes), "tiers": [t.value for t in tiers]}
        token = remember(
            context, PROSPECT_KEY, {**wanted, "limit": limit, "campaign": campaign, "contacts": with_contacts}
        )
        label = "✅ " + _("Criar %(n)s leads (vendedores em rodízio)") % {"n": len(found.picked)}
        keyboard = markup([[button(label, Verb.PROSPECT, token)]])
    await say(update, escape("\n".join(lines)), keyboard)


async def prospect_pressed(update: Update, context: Context) -> None:
    """✅ under a /prospectar simulation: create the leads (the list is picked again, now)."""
    (token,) = unpack(update.callback_query.data if update.callback_query else None, Verb.PROSPECT, 1)
    wanted = recall(context, PROSPECT_KEY, token)
    if context.me.role != Role.MANAGER:
        await ack(update, context._("Montar listas do registro é só para gestores."), alert=True)
        return
    if wanted is None:
        await ack(update, context._("Essa simulação é antiga. Peça /prospectar de novo."), alert=True)
        return
    await ack(update)
    assert context.user_data is not None
    context.user_data.pop(PROSPECT_KEY, None)  # one press, one list
    what = MarketFilter(ufs=tuple(wanted["ufs"]), cnae_prefixes=tuple(wanted["cnaes"]))
    try:
        found = await asyncio.to_thread(
            prospect.prospect,
            context.runtime,
            what,
            tiers=tuple(Tier(t) for t in wanted["tiers"]),
            limit=int(wanted["limit"]),
            campaign=str(wanted["campaign"]),
            member_id=context.me.id,
            with_contacts=bool(wanted.get("contacts")),
            via="chat",
        )
    except (market.NoRegistry, imports.ImportFailed) as exc:
        log.warning("/prospectar could not create the leads: %s", exc)
        await say(update, escape(context._("Não consegui criar os leads: %(why)s") % {"why": str(exc)[:200]}))
        return
    created = found.imported.counts.imported if found.imported is not None else 0
    text = context._("Leads criados: %(n)s.") % {"n": created}
    if wanted.get("contacts"):  # decision makers copied in: audited (/auditoria)
        people, with_people = found.contacts
        more = context._(
            "Sócios administradores da Receita como contatos: %(people)s em %(leads)s leads (uso registrado)."
        )
        text += " " + more % {"people": people, "leads": with_people}
    await say(update, escape(text))


async def _no_registry(update: Update, context: Context) -> None:
    await say(
        update,
        context._("Nenhum registro da Receita carregado. No servidor: <code>cadencia registry load</code> (README)."),
    )
