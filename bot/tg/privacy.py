"""🗑 on the lead card: a manager erases the contact's personal data (LGPD), after confirming.

```mermaid
stateDiagram-v2
    [*] --> CONFIRMING: 🗑 Apagar dados pessoais (er:<lead>:ask)
    CONFIRMING --> [*]: ✅ yes (er:<lead>:yes) → erased, audited, card again
    CONFIRMING --> [*]: ↩️ no (er:<lead>:no) → nothing changes
```

No typing is involved, so this is not part of the flows' conversation: the confirmation lives
in the buttons' data, and every press is authorised again by the service (managers only; a
rep's forged button is refused).
"""

from __future__ import annotations

import logging
from datetime import datetime
from zoneinfo import ZoneInfo

from telegram import Update

from bot.i18n import N_, day
from bot.render.messages import escape
from bot.services import leads, privacy
from bot.services.team import NotAllowed
from bot.tg.callbacks import BadCallback, Verb, as_id, unpack
from bot.tg.cards import lead_card
from bot.tg.context import Context, ack, say
from bot.tg.keyboards import button, markup

log = logging.getLogger(__name__)

FIELD_LABELS = {
    "contact_name": N_("nome do contato"),
    "contact_role": N_("cargo"),
    "contact_phone": N_("telefone"),
    "contact_email": N_("e-mail"),
    "contact_linkedin": N_("LinkedIn"),
    "notes": N_("observações do lead"),
}


def _day(context: Context, moment: datetime) -> str:
    return day(moment.astimezone(ZoneInfo(context.me.timezone)).date(), context.lang)


def what_goes(context: Context, found: privacy.ErasurePreview) -> str:
    """The personal data an erasure takes away, named (never its values)."""
    parts = [context._(FIELD_LABELS.get(name, name)) for name in found.fields]
    if found.touches:
        parts.append(context._("notas e respostas de qualificação de %(n)s toque(s)") % {"n": found.touches})
    if found.contacts:
        parts.append(context._("mais %(n)s contato(s) da lista de contatos") % {"n": found.contacts})
    if not parts:
        return context._("nenhum dado pessoal preenchido (o lead fica marcado como apagado)")
    return ", ".join(parts)


async def erase_pressed(update: Update, context: Context) -> None:
    """``er:<lead>:ask`` shows what will go; ``yes`` erases; ``no`` keeps everything."""
    raw_id, action = unpack(update.callback_query.data if update.callback_query else None, Verb.ERASE, 2)
    lead_id = as_id(raw_id)
    if action not in ("ask", "yes", "no"):
        raise BadCallback(action)
    try:
        if action == "no":
            privacy.preview_for(context.runtime, context.me, lead_id)  # authorised like the others
            await ack(update)
            await say(update, context._("Ok, nada foi apagado."), edit=True)
        elif action == "ask":
            await _confirm(update, context, privacy.preview_for(context.runtime, context.me, lead_id))
        else:
            await _erase(update, context, lead_id)
    except NotAllowed:
        log.warning("refused erasure of lead %s by member %s (not a manager)", lead_id, context.me.id)
        await ack(update, context._("Só gestores apagam dados pessoais."), alert=True)
    except privacy.NothingToErase as done:
        when = _day(context, done.erased_at) if done.erased_at else "?"
        await ack(
            update, context._("Os dados pessoais deste lead já foram apagados em %(day)s.") % {"day": when}, alert=True
        )


async def _confirm(update: Update, context: Context, found: privacy.ErasurePreview) -> None:
    if found.empty and found.erased_at is not None:
        raise privacy.NothingToErase(found.lead_id, found.erased_at)
    await ack(update)
    text = (
        context._("🗑 Apagar os dados pessoais do contato de <b>%(company)s</b> (#%(id)s)?")
        % {"company": escape(found.company), "id": found.lead_id}
        + "\n\n"
        + context._("Vão ser apagados: %(what)s.") % {"what": escape(what_goes(context, found))}
        + "\n"
        + context._(
            "Ficam: a empresa, o CNPJ e os dados da empresa, as etapas, e de cada toque e reunião o "
            "resultado, o canal, o passo e o horário — os relatórios não mudam."
        )
        + "\n\n"
        + context._("Isso não pode ser desfeito.")
    )
    keyboard = markup(
        [
            [
                button("🗑 " + context._("Sim, apagar"), Verb.ERASE, found.lead_id, "yes"),
                button("↩️ " + context._("Não, manter"), Verb.ERASE, found.lead_id, "no"),
            ]
        ]
    )
    await say(update, text, keyboard)


async def _erase(update: Update, context: Context, lead_id: int) -> None:
    done = privacy.erase_for(context.runtime, context.me, lead_id)
    log.info("member %s erased the personal data of lead %s", context.me.id, lead_id)
    await ack(update)
    await say(
        update,
        context._("Dados pessoais de <b>%(company)s</b> (#%(id)s) apagados: %(what)s. O apagamento foi registrado.")
        % {"company": escape(done.company), "id": lead_id, "what": escape(what_goes(context, done))},
        edit=True,
    )
    text, keyboard = lead_card(context, leads.get_lead(context.runtime, context.me, lead_id))
    await say(update, text, keyboard)
