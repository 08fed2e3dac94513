"""lead_contacts: several contacts per lead, one chosen; personal_data_uses: the audit of bulk
uses of personal data. Every lead's own contact is copied into lead_contacts as its chosen
contact (the lead keeps its contact columns as the chosen contact's copy: see the model).

Revision ID: 0021_lead_contacts
Revises: 0015_registry_use
Create Date: 2026-12-02 17:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0021_lead_contacts"
down_revision: str | None = "0015_registry_use"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_FIELDS = ("name", "role", "phone", "email", "linkedin")


def upgrade() -> None:
    op.create_table(
        "lead_contacts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("lead_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("role", sa.String(length=120), nullable=False),
        sa.Column("phone", sa.String(length=32), nullable=False),
        sa.Column("email", sa.String(length=200), nullable=False),
        sa.Column("linkedin", sa.String(length=300), nullable=False),
        sa.Column("chosen", sa.Boolean(), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("added_by", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["lead_id"], ["leads.id"], name="fk_lead_contacts_lead_id_leads"),
        sa.ForeignKeyConstraint(["added_by"], ["members.id"], name="fk_lead_contacts_added_by_members"),
        sa.PrimaryKeyConstraint("id", name="pk_lead_contacts"),
    )
    op.create_index("ix_lead_contacts_lead", "lead_contacts", ["lead_id", "id"], unique=False)
    op.create_table(
        "personal_data_uses",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=True),
        sa.Column("via", sa.String(length=8), nullable=False),
        sa.Column("purpose", sa.String(length=200), nullable=False),
        sa.Column("what", sa.String(length=32), nullable=False),
        sa.Column("people", sa.Integer(), nullable=False),
        sa.Column("leads", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["member_id"], ["members.id"], name="fk_personal_data_uses_member_id_members"),
        sa.PrimaryKeyConstraint("id", name="pk_personal_data_uses"),
    )
    op.create_index("ix_personal_data_uses_at", "personal_data_uses", ["at"], unique=False)
    # Every lead's own contact becomes its chosen contact, exactly as it is (nothing trimmed:
    # the columns have the same lengths), in one statement on both backends.
    has_contact = " OR ".join(f"contact_{f} <> ''" for f in _FIELDS)
    op.execute(
        sa.text(
            f"""INSERT INTO lead_contacts (lead_id, {", ".join(_FIELDS)}, chosen, source, added_by, created_at)
            SELECT id, {", ".join(f"contact_{f}" for f in _FIELDS)}, :yes, 'lead', created_by, created_at
            FROM leads WHERE {has_contact} ORDER BY id"""
        ).bindparams(yes=True)
    )


def downgrade() -> None:
    # The chosen contact is still in the lead's columns; the other contacts go with the table.
    op.drop_index("ix_personal_data_uses_at", table_name="personal_data_uses")
    op.drop_table("personal_data_uses")
    op.drop_index("ix_lead_contacts_lead", table_name="lead_contacts")
    op.drop_table("lead_contacts")
