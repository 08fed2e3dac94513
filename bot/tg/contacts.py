"""A lead's contacts in the chat: the list (👥 Contatos on the lead card) with a button to choose
each one the scripts will use, ➕ to add one, 🏛 the registry's decision makers; and the
question after ❓ Contato errado ("who is the right contact?"), whose answer becomes the chosen
contact. A contact is typed in one message, a piece a line (:func:`bot.domain.contacts.read_contact`).

```mermaid
stateDiagram-v2
    [*] --> ASKING_CONTACT: ❓ Contato errado (LogOutcome wc) / ➕ Adicionar contato (AddContact)
    ASKING_CONTACT --> ASKING_CONTACT: empty, too long, a bad phone or e-mail → the same question
    ASKING_CONTACT --> CONFIRMING_CONTACT: a contact read → its fields shown back
    CONFIRMING_CONTACT --> [*]: ✅ Salvar (SaveContact) → saved and chosen
    CONFIRMING_CONTACT --> ASKING_CONTACT: ✏️ Corrigir (FixContact)
    CONFIRMING_CONTACT --> CONFIRMING_CONTACT: another contact typed
    CONFIRMING_CONTACT --> [*]: ✖️ Descartar (DropContact) → nothing saved
    ASKING_CONTACT --> [*]: 🤷 Não sei (SkipContact) / /cancelar
    ASKING_CONTACT --> [*]: lapsed (QUESTION_LIFETIME) or another button pressed → text answered as stray
```
"""

from __future__ import annotations

import html
import logging
from dataclasses import asdict
from datetime import datetime, timedelta
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
    DropContact,
    FixContact,
    Handler,
    OfferMakers,
    OpenLead,
    Page,
    PickMaker,
    SaveContact,
    ShowContacts,
    SkipContact,
)
from bot.tg.common import stray_text
from bot.tg.context import Context, ack, say, typed_text
from bot.tg.keyboards import button, markup, rows

log = logging.getLogger(__name__)

CONTACT_LEAD, CONTACT_ASKED, CONTACT_DRAFT = flow_run.scoped("contact_lead", "contact_asked", "contact_draft")


class ContactFlow(StrEnum):
    ASKING_CONTACT = "asking_contact"
    CONFIRMING_CONTACT = "confirming_contact"


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


# ---------------------------------------------------------------------------- typing a contact

CONTACT_QUESTION = N_(
    "Mande o contato numa mensagem, uma informação por linha:\n"
    "nome\ncargo\ntelefone com DDD e/ou e-mail\n\nPor exemplo:\nJoão Reis\nDiretor de TI\n(11) 98765-4321"
)


QUESTION_LIFETIME = timedelta(minutes=30)
"""How long the contact question (and its ✅ Salvar?) stays open since the bot last asked. Text
typed later is not taken as its answer: a rep who ignored "who is the right contact?" and types
about something else an hour later is not saving that as a contact. The moment asked is kept in
the persisted user data and compared with the runtime's clock, so the question lapses after a
restart too (PTB's ``conversation_timeout`` would not: its jobs live in memory, run on
wall-clock time, and would end every flow of the one conversation, not just this question)."""


def _question(context: Context) -> int | None:
    """The lead the open contact question is about, or None (no question, or it lapsed)."""
    data = context.user_data or {}
    lead_id = data.get(CONTACT_LEAD)
    asked = data.get(CONTACT_ASKED)
    if not isinstance(lead_id, int) or not isinstance(asked, str):
        return None
    try:
        asked_at = datetime.fromisoformat(asked)
    except ValueError:
        return None
    if context.runtime.now() - asked_at > QUESTION_LIFETIME:
        return None
    return lead_id


def close_question(context: Context) -> None:
    """The contact question ends (its keys go; the flow's run id belongs to whatever flow runs)."""
    for key in (CONTACT_LEAD, CONTACT_ASKED, CONTACT_DRAFT):
        (context.user_data or {}).pop(key, None)


async def ask_contact(update: Update, context: Context, lead_id: int, *, wrong: bool) -> ContactFlow:
    """The question of a typed contact (after ❓ Contato errado: who is the right one?)."""
    assert context.user_data is not None
    close_question(context)
    context.user_data[CONTACT_LEAD] = lead_id
    context.user_data[CONTACT_ASKED] = context.runtime.now().isoformat()
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


async def _not_an_answer(update: Update, context: Context) -> int:
    """Text after the question ended (lapsed, or another button pressed): answered as text
    outside any flow, and never saved as a contact."""
    lapsed = (context.user_data or {}).get(CONTACT_LEAD)
    close_question(context)
    if isinstance(lapsed, int):
        log.info("contact question on lead %s lapsed; text not taken as a contact", lapsed)
        await say(
            update,
            "⌛ "
            + context._(
                "A pergunta sobre o contato do lead #%(lead)s expirou; nada foi salvo. "
                "Para adicionar um contato, abra o lead e toque em 👥 Contatos."
            )
            % {"lead": lapsed},
            markup([[button("👥 " + context._("Contatos"), ShowContacts(lapsed))]]),
        )
        return ConversationHandler.END
    await stray_text(update, context)
    return ConversationHandler.END


async def contact_typed(update: Update, context: Context) -> ContactFlow | int:
    """The typed contact, shown back field by field with ✅ Salvar / ✏️ Corrigir / ✖️ Descartar."""
    assert context.user_data is not None
    lead_id = _question(context)
    if lead_id is None:
        return await _not_an_answer(update, context)
    try:
        draft = read_contact(typed_text(update))
    except InvalidFact as problem:
        log.info("contact refused for lead %s: %s", lead_id, problem.template)
        await say(update, "⚠️ " + context._(problem.template) % problem.params)
        return ContactFlow.ASKING_CONTACT
    context.user_data[CONTACT_DRAFT] = asdict(draft)
    context.user_data[CONTACT_ASKED] = context.runtime.now().isoformat()  # "Salvar?" is a new question
    _ = context._
    fields = [
        (_("Nome"), draft.name),
        (_("Cargo"), draft.role),
        (_("Telefone"), draft.phone),
        (_("E-mail"), draft.email),
        ("LinkedIn", draft.linkedin),
    ]
    text = context.render("contact_confirm.html", lead_id=lead_id, fields=[(k, v) for k, v in fields if v])
    keyboard = markup(
        [
            [button("✅ " + _("Salvar"), SaveContact(lead_id)), button("✏️ " + _("Corrigir"), FixContact(lead_id))],
            [button("✖️ " + _("Descartar"), DropContact(lead_id))],
        ]
    )
    await say(update, text, keyboard)
    return ContactFlow.CONFIRMING_CONTACT


def _pressed_question(update: Update, context: Context, lead_id: int) -> ContactDraft | None:
    """The draft waiting for this press, or None when the press is not the open question's
    (an old message, a lapsed question, forged data)."""
    if _question(context) != lead_id:
        return None
    raw = (context.user_data or {}).get(CONTACT_DRAFT)
    if not isinstance(raw, dict):
        return None
    try:
        return ContactDraft(**{k: str(v) for k, v in raw.items() if k in ContactDraft.__dataclass_fields__})
    except TypeError:
        return None


async def _stale(update: Update, context: Context, lead_id: int) -> None:
    """An old or forged confirmation button: said so; an open question stays as it is (None
    keeps the conversation's state)."""
    log.info("contact confirmation for lead %s pressed with no such question open", lead_id)
    await ack(update, context._("Essa pergunta já foi encerrada; nada foi salvo."), alert=True)


async def save_pressed(update: Update, context: Context) -> ContactFlow | int | None:
    lead_id = SaveContact.of(update).lead
    draft = _pressed_question(update, context, lead_id)
    if draft is None:
        await _stale(update, context, lead_id)
        return None
    try:
        contacts.add_contact(context.runtime, context.me, lead_id, draft, flow=flow_run.current(context))
    except TooManyContacts:
        await ack(update)
        await say(update, "⚠️ " + context._("Este lead já tem %(n)s contatos.") % {"n": contacts.MAX_CONTACTS})
        close_question(context)
        return ConversationHandler.END
    close_question(context)
    await ack(update)
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
    await say(update, text, keyboard, edit=True)
    return ConversationHandler.END


async def fix_pressed(update: Update, context: Context) -> ContactFlow | int | None:
    lead_id = FixContact.of(update).lead
    if _pressed_question(update, context, lead_id) is None:
        await _stale(update, context, lead_id)
        return None
    await ack(update)
    assert context.user_data is not None
    context.user_data.pop(CONTACT_DRAFT, None)
    context.user_data[CONTACT_ASKED] = context.runtime.now().isoformat()
    await say(update, "✏️ " + context._(CONTACT_QUESTION))
    return ContactFlow.ASKING_CONTACT


async def drop_pressed(update: Update, context: Context) -> ContactFlow | int | None:
    lead_id = DropContact.of(update).lead
    if _pressed_question(update, context, lead_id) is None:
        await _stale(update, context, lead_id)
        return None
    return await _ended(update, context, lead_id, context._("Descartado; nada foi salvo e o contato continua o mesmo."))


async def stale_pressed(update: Update, context: Context) -> None:
    """✅ / ✏️ / ✖️ outside the question (it ended: another button, /cancelar, lapsed)."""
    press = update.callback_query.data if update.callback_query else ""
    for action in (SaveContact, FixContact, DropContact):
        found = action.parse(press)
        if found is not None:
            contacts.contacts_of(context.runtime, context.me, found.lead)  # a foreign lead is refused as such
            await _stale(update, context, found.lead)
            return


QUESTION_BUTTONS = (SkipContact, SaveContact, FixContact, DropContact)


async def close_on_other_press(update: Update, context: Context) -> None:
    """Before any handler (its own group): a press of any other button (another lead, a step,
    a list) ends an open contact question, so later text is not taken as its answer."""
    data = update.callback_query.data if update.callback_query else None
    lead_id = (context.user_data or {}).get(CONTACT_LEAD)
    if not lead_id or any(action.matches(data) for action in QUESTION_BUTTONS):
        return
    log.info("contact question on lead %s ended by another button", lead_id)
    close_question(context)


async def skip_pressed(update: Update, context: Context) -> int:
    lead_id = SkipContact.of(update).lead
    contacts.contacts_of(context.runtime, context.me, lead_id)  # authorises the press
    return await _ended(update, context, lead_id, context._("Ok, o contato continua o mesmo."))


async def _ended(update: Update, context: Context, lead_id: int, text: str) -> int:
    """The question ends with nothing saved: ``text`` replaces it, with the lead's card a tap away."""
    close_question(context)
    await ack(update)
    await say(update, text, markup([[button("📇 " + context._("Ficha do lead"), OpenLead(lead_id))]]), edit=True)
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
    SaveContact: stale_pressed,
    FixContact: stale_pressed,
    DropContact: stale_pressed,
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
