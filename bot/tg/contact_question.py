"""The question of a typed contact: after ❓ Contato errado ("who is the right contact?") or ➕
Adicionar contato. The contact is typed in one message, a piece a line
(:func:`bot.domain.contacts.read_contact`), shown back field by field, and saved (and chosen)
only on ✅ Salvar. The question ends when another button is pressed and lapses after
:data:`QUESTION_LIFETIME`, so text typed later about something else is never saved as a contact.

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
from bot.i18n import N_
from bot.services import contacts
from bot.services.contacts import TooManyContacts
from bot.tg import flow_run
from bot.tg.callbacks import (
    Action,
    AddContact,
    DropContact,
    FixContact,
    Handler,
    OpenLead,
    SaveContact,
    ShowContacts,
    SkipContact,
)
from bot.tg.common import stray_text
from bot.tg.context import Context, ack, say, typed_text
from bot.tg.keyboards import button, markup

log = logging.getLogger(__name__)

CONTACT_LEAD, CONTACT_ASKED, CONTACT_DRAFT = flow_run.scoped("contact_lead", "contact_asked", "contact_draft")


class ContactFlow(StrEnum):
    ASKING_CONTACT = "asking_contact"
    CONFIRMING_CONTACT = "confirming_contact"


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


#: Answered outside the conversation too: 🤷 after a restart, say; ✅ ✏️ ✖️ of a question that ended.
BUTTONS: dict[type[Action], Handler] = {
    SkipContact: skip_pressed,
    SaveContact: stale_pressed,
    FixContact: stale_pressed,
    DropContact: stale_pressed,
}
