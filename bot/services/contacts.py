"""A lead's contacts: list them, add one (typed by the rep, or a decision maker of the CNPJ
registry), choose the one the scripts use; and the audit of bulk uses of personal data.

Every use case re-authorises the lead against the member (a forged contact id, or a contact
of another rep's lead, is :class:`~bot.services.leads.LeadNotFound` / ``NotAllowed``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.domain.contacts import QUALIFICATIONS, ContactDraft
from bot.domain.registry import DecisionMaker, RegistryCompany
from bot.domain.vocabulary import Role
from bot.services import enrichment
from bot.services.flows import FlowKind, record_ending
from bot.services.leads import LeadNotFound, _authorised
from bot.services.runtime import Runtime
from bot.services.team import NotAllowed
from bot.services.views import MemberLike
from bot.storage import contacts as store
from bot.storage.models import LeadContact

MAX_CONTACTS = 20
"""Per lead: a company has a handful of people worth calling; the list fits one message."""
MAX_OFFERED = 5
"""Decision makers of the registry offered when a lead is created (the first, by name)."""


class TooManyContacts(Exception):
    pass


@dataclass(frozen=True, slots=True)
class ContactView:
    id: int
    name: str
    role: str
    phone: str
    email: str
    linkedin: str
    chosen: bool
    source: str

    @classmethod
    def of(cls, row: LeadContact) -> ContactView:
        return cls(row.id or 0, row.name, row.role, row.phone, row.email, row.linkedin, row.chosen, row.source)


@dataclass(frozen=True, slots=True)
class LeadContacts:
    lead_id: int
    company: str
    contacts: tuple[ContactView, ...]

    @property
    def chosen(self) -> ContactView | None:
        return next((c for c in self.contacts if c.chosen), None)


def contacts_of(runtime: Runtime, member: MemberLike, lead_id: int) -> LeadContacts:
    with runtime.transaction() as session:
        lead = _authorised(session, member, lead_id)
        rows = store.contacts_of(session, lead=lead, at=runtime.now())
        return LeadContacts(lead_id, lead.company, tuple(ContactView.of(r) for r in rows))


def others(runtime: Runtime, lead_id: int) -> list[str]:
    """The names of a lead's contacts besides the chosen one, for its card (the caller has
    authorised the lead)."""
    with runtime.reading() as session:
        return store.other_names(session, lead_id=lead_id)


def add_contact(
    runtime: Runtime,
    member: MemberLike,
    lead_id: int,
    draft: ContactDraft,
    *,
    choose: bool = True,
    source: str = "rep",
    flow: str | None = None,
) -> LeadContacts:
    """Add a contact to the lead (the chosen one, unless ``choose`` is false and another is)."""
    with runtime.transaction() as session:
        lead = _authorised(session, member, lead_id)
        rows = store.contacts_of(session, lead=lead, at=runtime.now())
        if len(rows) >= MAX_CONTACTS:
            raise TooManyContacts(lead_id)
        values = {"name": draft.name, "role": draft.role, "phone": draft.phone, "email": draft.email}
        values["linkedin"] = draft.linkedin
        contact = store.add_contact(
            session, lead=lead, values=values, source=source, added_by=member.id, at=runtime.now()
        )
        if choose or not any(r.chosen for r in rows):
            store.choose(session, lead=lead, contact=contact)
        if flow is not None:
            record_ending(session, runtime, flow, member, FlowKind.CONTACT, lead_id=lead_id, result_id=contact.id)
        rows = store.contacts_of(session, lead=lead, at=runtime.now())
        return LeadContacts(lead_id, lead.company, tuple(ContactView.of(r) for r in rows))


def choose(runtime: Runtime, member: MemberLike, contact_id: int) -> LeadContacts:
    """The contact becomes its lead's chosen one. LeadNotFound for an unknown contact."""
    with runtime.transaction() as session:
        contact = store.get_contact(session, contact_id=contact_id)
        if contact is None:
            raise LeadNotFound(f"contact {contact_id}")
        lead = _authorised(session, member, contact.lead_id)
        store.choose(session, lead=lead, contact=contact)
        rows = store.contacts_of(session, lead=lead, at=runtime.now())
        return LeadContacts(lead.id or 0, lead.company, tuple(ContactView.of(r) for r in rows))


# ---------------------------------------------------------------------------- decision makers


def _as_draft(maker: DecisionMaker) -> ContactDraft:
    return ContactDraft(
        name=" ".join(maker.name.title().split())[:120], role=QUALIFICATIONS.get(maker.qualification, "")
    )


@dataclass(frozen=True, slots=True)
class Offered:
    index: int
    """Its place among the company's decision makers (by name): what a button names."""
    draft: ContactDraft
    taken: bool
    """Already a contact of the lead (same name)."""


def _key(name: str) -> str:
    return " ".join(name.casefold().split())


def decision_makers(runtime: Runtime, member: MemberLike, lead_id: int) -> list[Offered]:
    """The registry's decision makers of the lead's company (the first :data:`MAX_OFFERED` by
    name), each marked when already a contact; empty without a CNPJ or a company directory.
    Roles are the qualification's name, in Portuguese as the registry says it."""
    with runtime.transaction() as session:
        lead = _authorised(session, member, lead_id)
        cnpj = lead.cnpj
        known = {_key(c.name) for c in store.contacts_of(session, lead=lead, at=runtime.now())}
    found = enrichment.find(runtime, cnpj) if cnpj else None
    if found is None:
        return []
    drafts = [_as_draft(m) for m in sorted(found.company.decision_makers, key=lambda m: m.name)][:MAX_OFFERED]
    return [Offered(i, d, _key(d.name) in known) for i, d in enumerate(drafts)]


def add_decision_maker(runtime: Runtime, member: MemberLike, lead_id: int, index: int) -> LeadContacts:
    """The rep picked decision maker ``index``: it joins the lead's contacts (chosen if the lead
    had none); picked twice, it is there once. LeadNotFound for a place the registry does not
    have (a forged button, or the registry changed month)."""
    offered = decision_makers(runtime, member, lead_id)
    if not 0 <= index < len(offered):
        raise LeadNotFound(f"decision maker {index} of lead {lead_id}")
    if offered[index].taken:
        return contacts_of(runtime, member, lead_id)
    return add_contact(runtime, member, lead_id, offered[index].draft, choose=False, source="registry")


def add_registry_contacts(
    runtime: Runtime,
    companies: list[RegistryCompany],
    *,
    created_from: datetime,
    member_id: int | None,
    via: str,
    purpose: str,
) -> tuple[int, int]:
    """After a prospect: the decision makers of each company become contacts of its new lead
    (the first one chosen), and the bulk use is audited in the same transaction. Returns
    (people, leads)."""
    makers = {c.cnpj: c.decision_makers for c in companies if c.decision_makers}
    people = leads_with = 0
    with runtime.transaction() as session:
        for lead in store.leads_by_cnpj(session, cnpjs=sorted(makers), created_from=created_from):
            drafts = [_as_draft(m) for m in sorted(makers[lead.cnpj or ""], key=lambda m: m.name)][:MAX_OFFERED]
            has_chosen = any(c.chosen for c in store.contacts_of(session, lead=lead, at=runtime.now()))
            for draft in drafts:
                values = {"name": draft.name, "role": draft.role}
                contact = store.add_contact(
                    session, lead=lead, values=values, source="registry", added_by=member_id, at=runtime.now()
                )
                if not has_chosen:
                    store.choose(session, lead=lead, contact=contact)
                    has_chosen = True
            people += len(drafts)
            leads_with += 1
        if people:
            store.add_personal_data_use(
                session,
                member_id=member_id,
                via=via,
                purpose=purpose,
                what="decision_makers",
                people=people,
                leads=leads_with,
                at=runtime.now(),
            )
    return people, leads_with


# ---------------------------------------------------------------------------- audit


@dataclass(frozen=True, slots=True)
class UseLine:
    at: datetime
    member: str
    """The manager's name, or "" for the command line."""
    via: str
    purpose: str
    people: int
    leads: int


def personal_data_uses(runtime: Runtime, member: MemberLike, *, limit: int = 20) -> list[UseLine]:
    """The audit, newest first: managers only."""
    if member.role != Role.MANAGER:
        raise NotAllowed(f"member {member.id} may not read the personal data audit")
    with runtime.reading() as session:
        rows = store.personal_data_uses(session, limit=limit)
        return [UseLine(u.at, name, u.via, u.purpose, u.people, u.leads) for u, name in rows]
