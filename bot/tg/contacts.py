"""A lead's contacts in the chat: the list (👥 Contatos on the lead card) with a button to choose
each one the scripts will use, ➕ to add one, 🏛 the registry's decision makers; and the
question after ❓ Contato errado ("who is the right contact?"), whose answer becomes the chosen
contact. A contact is typed in one message, a piece a line (:func:`bot.domain.contacts.read_contact`).

```mermaid
stateDiagram-v2
    [*] --> ASKING_CONTACT: ❓ Contato errado (LogOutcome wc) / ➕ Adicionar contato (AddContact)
    ASKING_CONTACT --> ASKING_CONTACT: empty, too long, a bad phone or e-mail → the same question
    ASKING_CONTACT --> [*]: contact saved and chosen
    ASKING_CONTACT --> [*]: 🤷 Não sei (SkipContact) / /cancelar
```
"""

from __future__ import annotations

import html
import logging
from enum import StrEnum

from telegram import Update
from telegram.ext import ConversationHandler

from bot.domain.contacts import ContactDraft, read_contact
from bot.domain.facts import InvalidFact
from bot.i18n import N_, when
from bot.services import contacts
from bot.services.contacts import LeadContacts, TooManyContacts
from bot.services.team import NotAllowed
from bot.tg import flow_run
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
    SkipContact,
)
from bot.tg.context import Context, ack, say, typed_text
from bot.tg.keyboards import button, markup, rows

log = logging.getLogger(__name__)

(CONTACT_LEAD,) = flow_run.scoped("contact_lead")


class ContactFlow(StrEnum):
    ASKING_CONTACT = "asking_contact"


def _line(context: Context, contact: ContactDraft | contacts.ContactView) -> str:
    parts = [contact.name + (f" · {contact.role}" if contact.role else "")]
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


# ---------------------------------------------------------------------------- typing a contact

CONTACT_QUESTION = N_(
    "Mande o contato numa mensagem, uma informação por linha:\n"
    "nome\ncargo\ntelefone com DDD e/ou e-mail\n\nPor exemplo:\nJoão Reis\nDiretor de TI\n(11) 98765-4321"
)


async def ask_contact(update: Update, context: Context, lead_id: int, *, wrong: bool) -> ContactFlow:
    """The question of a typed contact (after ❓ Contato errado: who is the right one?)."""
    assert context.user_data is not None
    context.user_data[CONTACT_LEAD] = lead_id
    _ = context._
    first = _("Quem é o contato certo?") if wrong else _("Novo contato.")
    keyboard = markup([[button("🤷 " + _("Não sei"), SkipContact(lead_id))]]) if wrong else None
    await say(update, first + " " + _(CONTACT_QUESTION), keyboard)
    return ContactFlow.ASKING_CONTACT


async def add_pressed(update: Update, context: Context) -> ContactFlow:
    lead_id = AddContact.of(update).lead
    contacts.contacts_of(context.runtime, context.me, lead_id)  # authorises the press
    await ack(update)
    return await ask_contact(update, context, lead_id, wrong=False)


async def contact_typed(update: Update, context: Context) -> ContactFlow | int:
    assert context.user_data is not None
    lead_id = context.user_data.get(CONTACT_LEAD)
    if not isinstance(lead_id, int):
        return ConversationHandler.END
    try:
        draft = read_contact(typed_text(update))
    except InvalidFact as problem:
        log.info("contact refused for lead %s: %s", lead_id, problem.template)
        await say(update, "⚠️ " + context._(problem.template) % problem.params)
        return ContactFlow.ASKING_CONTACT
    try:
        contacts.add_contact(context.runtime, context.me, lead_id, draft, flow=flow_run.current(context))
    except TooManyContacts:
        await say(update, "⚠️ " + context._("Este lead já tem %(n)s contatos.") % {"n": contacts.MAX_CONTACTS})
        return ConversationHandler.END
    text = "✅ " + context._("Contato salvo e escolhido: os roteiros usam %(name)s agora.") % {
        "name": html.escape(draft.name)
    }
    keyboard = markup(
        [
            [
                button("👥 " + context._("Contatos"), ShowContacts(lead_id)),
                button("📇 " + context._("Ficha do lead"), OpenLead(lead_id)),
            ]
        ]
    )
    await say(update, text, keyboard)
    return ConversationHandler.END


async def skip_pressed(update: Update, context: Context) -> int:
    lead_id = SkipContact.of(update).lead
    contacts.contacts_of(context.runtime, context.me, lead_id)  # authorises the press
    await ack(update)
    await say(
        update,
        context._("Ok, o contato continua o mesmo."),
        markup([[button("📇 " + context._("Ficha do lead"), OpenLead(lead_id))]]),
        edit=True,
    )
    return ConversationHandler.END


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
    SkipContact: skip_pressed,
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
