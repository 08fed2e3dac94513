"""Migration 0021 moves every lead's contact into ``lead_contacts`` as its chosen contact,
character for character (full-length values, accents, quotes), on SQLite and PostgreSQL; a
lead without a contact gets none; and the lead keeps its columns (the chosen contact's copy)."""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from sqlmodel import Session, col, select

from bot.storage.db import make_engine, upgrade_database
from bot.storage.models import Lead, LeadContact
from tests.storage.test_migration_0004 import insert

AT = datetime(2026, 11, 2, 10, tzinfo=UTC)

CONTACTS = {
    1: ("Mariana Souza", "Diretora de Operações", "+55 41 99999-0000", "mariana@horizonte.com.br", "https://www.linkedin.com/in/mariana"),
    2: ("N" * 120, "R" * 120, "+" + "9" * 31, "e" * 188 + "@empresa.com", "https://www.linkedin.com/in/" + "l" * 272),
    3: ("José D'Ávila \"Zé\"", "", "", "", ""),
    4: ("", "", "", "ana@empresa.com.br", ""),
    5: ("", "", "", "", ""),  # no contact at all
}  # fmt: skip


def test_every_lead_contact_becomes_its_chosen_contact(empty_database_url: str) -> None:
    engine = make_engine(empty_database_url)
    try:
        upgrade_database(engine, revision="0015_registry_use")
        with engine.begin() as connection:
            insert(connection, "members", id=1, telegram_id=101, role="rep", first_name="Ana")
            for lead_id, (name, role, phone, email, linkedin) in CONTACTS.items():
                insert(
                    connection, "leads", id=lead_id, owner_id=1, created_by=1, company=f"Empresa {lead_id}",
                    company_key=f"empresa {lead_id}", contact_name=name, contact_role=role, contact_phone=phone,
                    contact_email=email, contact_linkedin=linkedin, created_at=AT, updated_at=AT,
                )  # fmt: skip
        upgrade_database(engine)
        with Session(engine) as session:
            moved = list(session.exec(select(LeadContact).order_by(col(LeadContact.lead_id))))
            leads = {lead.id: lead for lead in session.exec(select(Lead))}
        with engine.connect() as connection:
            assert connection.execute(sa.text("SELECT count(*) FROM personal_data_uses")).scalar() == 0
    finally:
        engine.dispose()

    assert {c.lead_id: (c.name, c.role, c.phone, c.email, c.linkedin) for c in moved} == {
        k: v for k, v in CONTACTS.items() if any(v)
    }
    assert all(c.chosen and c.source == "lead" and c.added_by == 1 and c.created_at == AT for c in moved)
    for lead_id, values in CONTACTS.items():  # the lead's own columns are untouched
        lead = leads[lead_id]
        kept = (lead.contact_name, lead.contact_role, lead.contact_phone, lead.contact_email, lead.contact_linkedin)
        assert kept == values


def test_downgrade_keeps_the_chosen_contact_on_the_lead(empty_database_url: str) -> None:
    engine = make_engine(empty_database_url)
    try:
        upgrade_database(engine, revision="0015_registry_use")
        with engine.begin() as connection:
            insert(connection, "members", id=1, telegram_id=101, role="rep", first_name="Ana")
            insert(
                connection, "leads", id=1, owner_id=1, company="Empresa", company_key="empresa",
                contact_name="Mariana", created_at=AT, updated_at=AT,
            )  # fmt: skip
        upgrade_database(engine)
        from alembic import command

        from bot.storage.db import alembic_config

        with engine.begin() as connection:
            config = alembic_config()
            config.attributes["connection"] = connection
            command.downgrade(config, "0015_registry_use")
        with engine.connect() as connection:
            assert connection.execute(sa.text("SELECT contact_name FROM leads")).scalar() == "Mariana"
            assert not sa.inspect(connection).has_table("lead_contacts")
    finally:
        engine.dispose()
