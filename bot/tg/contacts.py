"""A lead's contacts in the chat: the list (👥 Contatos on the lead card) with a button to choose
each one the scripts will use, ➕ to add one, 🏛 the registry's decision makers, and the
managers' /auditoria. The question of a typed contact (➕, ❓ Contato errado) is
:mod:`bot.tg.contact_question`.
"""

from __future__ import annotations

import logging

from telegram import Update

from bot.domain.contacts import ContactDraft
from bot.i18n import N_, when
from bot.services import contacts
from bot.services.contacts import LeadContacts, TooManyContacts
from bot.services.team import NotAllowed
from bot.tg.callbacks import (
    Action,
    AddContact,
    BadCallback,
    ChooseContact,
    Handler,
    OfferMakers,
    OpenLead,
    Page,
    PickMaker,
    ShowContacts,
)
from bot.tg.context import Context, ack, say
from bot.tg.keyboards import button, markup, rows

log = logging.getLogger(__name__)


REGISTRY_ROLES = (
    N_("Administrador"),
    N_("Conselheiro de administração"),
    N_("Diretor"),
    N_("Presidente"),
    N_("Procurador"),
    N_("Sócio-administrador"),
    N_("Titular"),
)
"""The registry's qualification names (:data:`bot.domain.contacts.QUALIFICATIONS`), stored in
Portuguese as the registry says them and translated when shown."""


def _role(context: Context, contact: ContactDraft | contacts.ContactView) -> str:
    """The role as the reader reads it: a registry qualification in their language (a contact
    from the registry, or one offered from it: a draft), anything typed as typed."""
    from_registry = isinstance(contact, ContactDraft) or contact.source == "registry"
    return context._(contact.role) if from_registry and contact.role in REGISTRY_ROLES else contact.role


def _line(context: Context, contact: ContactDraft | contacts.ContactView) -> str:
    role = _role(context, contact)
    parts = [contact.name + (f" · {role}" if role else "")]
    parts += [p for p in (contact.phone, contact.email, contact.linkedin) if p]
    return " · ".join(parts)


async def show_contacts(update: Update, context: Context, found: LeadContacts, *, edit: bool = False) -> None:
    _ = context._
    text = context.render(
        "lead_contacts.html",
        company=found.company,
        lead_id=found.lead_id,
        lines=[(c.chosen, _line(context, c)) for c in found.contacts],
    )
    choose = [button("✅ " + c.name, ChooseContact(c.id)) for c in found.contacts if not c.chosen and c.name]
    more = [
        button("➕ " + _("Adicionar contato"), AddContact(found.lead_id)),
        button("🏛 " + _("Sócios na Receita"), OfferMakers(found.lead_id)),
        button("📇 " + _("Ficha do lead"), OpenLead(found.lead_id)),
    ]
    await say(update, text, markup(rows(choose, 1), rows(more, 2)), edit=edit)


async def contacts_pressed(update: Update, context: Context) -> None:
    found = contacts.contacts_of(context.runtime, context.me, ShowContacts.of(update).lead)
    await ack(update)
    await show_contacts(update, context, found)


async def choose_pressed(update: Update, context: Context) -> None:
    found = contacts.choose(context.runtime, context.me, ChooseContact.of(update).contact)
    chosen = found.chosen
    await ack(update, context._("Contato escolhido: %(name)s") % {"name": chosen.name if chosen else ""})
    await show_contacts(update, context, found, edit=True)


# ---------------------------------------------------------------------------- decision makers


async def offer_makers(update: Update, context: Context, lead_id: int, *, edit: bool = False) -> bool:
    """The registry's decision makers as buttons; False (nothing sent) when there are none."""
    offered = [o for o in contacts.decision_makers(context.runtime, context.me, lead_id) if not o.taken]
    if not offered:
        return False
    _ = context._
    text = context.render("decision_makers.html", lines=[_line(context, o.draft) for o in offered])
    picks = [button("👤 " + o.draft.name, PickMaker(lead_id, Page(o.index))) for o in offered]
    skip = [button("⏭ " + _("Pular"), OpenLead(lead_id))]
    await say(update, text, markup(rows(picks, 1), [skip]), edit=edit)
    return True


async def makers_pressed(update: Update, context: Context) -> None:
    lead_id = OfferMakers.of(update).lead
    await ack(update)
    if not await offer_makers(update, context, lead_id):
        await say(
            update,
            context._("A Receita não lista sócios administradores para este CNPJ (ou o registro não está carregado)."),
        )


async def maker_pressed(update: Update, context: Context) -> None:
    press = PickMaker.of(update)
    try:
        found = contacts.add_decision_maker(context.runtime, context.me, press.lead, press.index)
    except TooManyContacts:
        raise BadCallback(f"lead {press.lead} is full") from None
    await ack(update, context._("Contato adicionado"))
    await show_contacts(update, context, found, edit=True)


#: Buttons answered outside the conversation (:mod:`bot.wiring`); ➕ starts the flow
#: (:mod:`bot.tg.flows`), and 🤷 is answered in it and outside (after a restart, say).
BUTTONS: dict[type[Action], Handler] = {
    ShowContacts: contacts_pressed,
    ChooseContact: choose_pressed,
    OfferMakers: makers_pressed,
    PickMaker: maker_pressed,
}


async def audit_command(update: Update, context: Context) -> None:
    """/auditoria (managers): the bulk uses of personal data, newest first."""
    try:
        uses = contacts.personal_data_uses(context.runtime, context.me)
    except NotAllowed:
        await say(update, context._("Só gestores veem a auditoria de dados pessoais."))
        return
    lines = [
        {
            "when": when(u.at, context.lang, context.me.timezone),
            "who": u.member or context._("linha de comando"),
            "people": u.people,
            "leads": u.leads,
            "purpose": u.purpose,
        }
        for u in uses
    ]
    await say(update, context.render("personal_data_uses.html", lines=lines))
