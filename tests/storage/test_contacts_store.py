"""The rule that keeps a lead's chosen contact and its own contact columns equal, on SQLite and
PostgreSQL: what an older writer (an import, /novo's edit) puts in the lead's columns becomes
the chosen contact, for one lead (:func:`contacts_of`) and for all at once (:func:`sync_all`,
before an export); choosing a contact copies it into the columns."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlmodel import Session, col, select

from bot.storage import contacts as store
from bot.storage.db import make_engine, upgrade_database
from bot.storage.models import Lead, LeadContact, Member

AT = datetime(2026, 12, 1, 12, tzinfo=UTC)


def _lead(session: Session, owner: int, number: int, **contact: str) -> Lead:
    lead = Lead(owner_id=owner, company=f"Empresa {number}", company_key=f"empresa {number}", created_at=AT)
    for field, value in contact.items():
        setattr(lead, f"contact_{field}", value)
    session.add(lead)
    session.flush()
    return lead


def _rows(session: Session) -> list[tuple[int, str, str, bool]]:
    statement = select(LeadContact).order_by(col(LeadContact.lead_id), col(LeadContact.id))
    return [(c.lead_id, c.name, c.phone, c.chosen) for c in session.exec(statement)]


def test_the_chosen_contact_follows_the_lead_columns(empty_database_url: str) -> None:
    upgrade_database(empty_database_url)
    engine = make_engine(empty_database_url)
    try:
        with Session(engine) as session:
            member = Member(telegram_id=1, role="rep", first_name="Ana")
            session.add(member)
            session.flush()
            owner = member.id or 0
            typed = _lead(session, owner, 1, name="Mariana", phone="+55 41 99999-0000")
            edited = _lead(session, owner, 2, name="Carlos")
            cleared = _lead(session, owner, 3, name="Bia")
            nobody = _lead(session, owner, 4)
            store.contacts_of(session, lead=edited, at=AT)
            store.contacts_of(session, lead=cleared, at=AT)
            other = store.add_contact(
                session, lead=edited, values={"name": "Dora", "phone": "+55 11 3333-4444"}, source="rep",
                added_by=owner, at=AT,
            )  # fmt: skip
            edited.contact_name, cleared.contact_name = "Carlos Lima", ""  # an import or an edit
            session.add_all([edited, cleared])
            session.commit()

            store.sync_all(session, at=AT)
            session.commit()
            assert _rows(session) == [
                (typed.id, "Mariana", "+55 41 99999-0000", True),
                (edited.id, "Carlos Lima", "", True),
                (edited.id, "Dora", "+55 11 3333-4444", False),
                (cleared.id, "Bia", "", False),
            ]
            assert store.contacts_of(session, lead=nobody, at=AT) == []

            store.choose(session, lead=edited, contact=other)
            session.commit()
            lead = session.get(Lead, edited.id)
            assert lead is not None and (lead.contact_name, lead.contact_phone) == ("Dora", "+55 11 3333-4444")
            assert [c.name for c in store.contacts_of(session, lead=lead, at=AT)] == ["Dora", "Carlos Lima"]
            assert store.other_names(session, lead_id=edited.id or 0) == ["Carlos Lima"]
            assert store.count_others(session, lead_id=edited.id or 0) == 1
            assert store.erase_contacts(session, lead_id=edited.id or 0) == 2
    finally:
        engine.dispose()
