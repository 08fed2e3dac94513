"""A lead's contacts (table ``lead_contacts``) and the audit of bulk uses of personal data.

The chosen contact is also in the lead's ``contact_*`` columns (older readers and writers use
them: scripts, search, imports, /novo's edits). The rule that keeps the two equal lives here:
:func:`contacts_of` first takes over what an older writer put in the lead's columns (they win:
they are the newest word on the chosen contact), and :func:`choose` copies a contact into them.
Conventions of :mod:`bot.storage.leads`: session first, keyword-only arguments, ``flush`` but
never ``commit``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import delete, exists, func, insert, literal, or_, update
from sqlalchemy import select as core_select
from sqlmodel import Session, col, select

from bot.storage.models import Lead, LeadContact, Member, PersonalDataUse
from bot.storage.types import UTCDateTime

FIELDS = ("name", "role", "phone", "email", "linkedin")


def _lead_values(lead: Lead) -> dict[str, str]:
    return {f: getattr(lead, f"contact_{f}") or "" for f in FIELDS}


def _values(contact: LeadContact) -> dict[str, str]:
    return {f: getattr(contact, f) or "" for f in FIELDS}


def _new(lead_id: int, values: dict[str, str], **more: Any) -> LeadContact:
    contact = LeadContact(lead_id=lead_id, **more)
    for field in FIELDS:
        setattr(contact, field, values.get(field, ""))
    return contact


def contacts_of(session: Session, *, lead: Lead, at: datetime) -> list[LeadContact]:
    """The lead's contacts, the chosen one first, then in the order they were added."""
    rows = list(session.exec(select(LeadContact).where(LeadContact.lead_id == lead.id).order_by(col(LeadContact.id))))
    chosen = next((c for c in rows if c.chosen), None)
    typed = _lead_values(lead)
    if chosen is not None and _values(chosen) != typed:
        if any(typed.values()):
            for field, value in typed.items():  # /novo's edit or an import wrote the lead's columns
                setattr(chosen, field, value)
        else:  # the lead's contact was cleared: nobody is chosen any more
            chosen.chosen = False
        session.add(chosen)
    elif chosen is None and any(typed.values()):
        chosen = _new(lead.id or 0, typed, chosen=True, source="lead", added_by=None, created_at=at)
        session.add(chosen)
        rows.append(chosen)
    session.flush()
    return sorted(rows, key=lambda c: (not c.chosen, c.id or 0))


def sync_all(session: Session, *, at: datetime) -> None:
    """:func:`contacts_of`'s rule for every lead at once, in three statements (before an export
    of the contacts): a lead whose columns hold a contact without a chosen row gets one; a chosen
    row that differs from its lead's columns takes them; a cleared lead's chosen row is let go."""
    lead, contact = Lead.__table__, LeadContact.__table__  # type: ignore[attr-defined]
    chosen_of_lead = (contact.c.lead_id == lead.c.id) & contact.c.chosen
    typed = or_(*(lead.c[f"contact_{f}"] != "" for f in FIELDS))
    missing = core_select(
        lead.c.id, *(lead.c[f"contact_{f}"] for f in FIELDS), literal(True), literal("lead"), literal(at, UTCDateTime)
    ).where(typed, ~exists().where(chosen_of_lead))
    session.execute(insert(contact).from_select(["lead_id", *FIELDS, "chosen", "source", "created_at"], missing))
    own = lead.c.id == contact.c.lead_id
    differs = or_(*(lead.c[f"contact_{f}"] != contact.c[f] for f in FIELDS))
    session.execute(
        update(contact)
        .where(contact.c.chosen, exists().where(own, differs, typed))
        .values({f: core_select(lead.c[f"contact_{f}"]).where(own).scalar_subquery() for f in FIELDS})
    )
    session.execute(update(contact).where(contact.c.chosen, exists().where(own, ~typed)).values(chosen=False))
    session.expire_all()


def add_contact(
    session: Session, *, lead: Lead, values: dict[str, str], source: str, added_by: int | None, at: datetime
) -> LeadContact:
    contact = _new(lead.id or 0, values, chosen=False, source=source, added_by=added_by, created_at=at)
    session.add(contact)
    session.flush()
    return contact


def get_contact(session: Session, *, contact_id: int) -> LeadContact | None:
    return session.get(LeadContact, contact_id)


def choose(session: Session, *, lead: Lead, contact: LeadContact) -> None:
    """``contact`` becomes the lead's chosen contact (in its columns too)."""
    for other in session.exec(select(LeadContact).where(LeadContact.lead_id == lead.id, col(LeadContact.chosen))):
        if other.id != contact.id:
            other.chosen = False
            session.add(other)
    contact.chosen = True
    session.add(contact)
    for field, value in _values(contact).items():
        setattr(lead, f"contact_{field}", value)
    session.add(lead)
    session.flush()


def count_others(session: Session, *, lead_id: int) -> int:
    """Contacts of the lead besides the chosen one (whose data is in the lead's columns)."""
    where = (col(LeadContact.lead_id) == lead_id, col(LeadContact.chosen).is_(False))
    return int(session.exec(select(func.count()).select_from(LeadContact).where(*where)).one())


def other_names(session: Session, *, lead_id: int, limit: int = 10) -> list[str]:
    """Names of the lead's contacts that are not the chosen one, in the order they were added."""
    statement = (
        select(col(LeadContact.name))
        .where(col(LeadContact.lead_id) == lead_id, col(LeadContact.chosen).is_(False), col(LeadContact.name) != "")
        .order_by(col(LeadContact.id))
        .limit(limit)
    )
    return [str(name) for name in session.exec(statement).all()]


def erase_contacts(session: Session, *, lead_id: int) -> int:
    """Delete every contact of the lead (a contact is nothing but personal data)."""
    result = session.execute(delete(LeadContact).where(col(LeadContact.lead_id) == lead_id))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def add_personal_data_use(
    session: Session, *, member_id: int | None, via: str, purpose: str, what: str, people: int, leads: int, at: datetime
) -> PersonalDataUse:
    row = PersonalDataUse(
        member_id=member_id, via=via, purpose=purpose[:200], what=what, people=people, leads=leads, at=at
    )
    session.add(row)
    session.flush()
    return row


def personal_data_uses(session: Session, *, limit: int) -> list[tuple[PersonalDataUse, str]]:
    """The audit of bulk uses of personal data, newest first, with the manager's name ("" for
    the command line)."""
    statement = (
        select(PersonalDataUse, Member.full_name, Member.first_name)
        .outerjoin(Member, col(Member.id) == col(PersonalDataUse.member_id))
        .order_by(col(PersonalDataUse.at).desc(), col(PersonalDataUse.id).desc())
        .limit(limit)
    )
    return [(use, (full or first or "") if use.member_id else "") for use, full, first in session.exec(statement).all()]


def leads_by_cnpj(session: Session, *, cnpjs: list[str], created_from: datetime) -> list[Lead]:
    """Leads with one of these CNPJs created at or after ``created_from`` (a prospect's new leads)."""
    if not cnpjs:
        return []
    statement = select(Lead).where(col(Lead.cnpj).in_(cnpjs), col(Lead.created_at) >= created_from)
    return list(session.exec(statement.order_by(col(Lead.id))))
