"""owner_changes: every lead handed from one member to another (a manager's reassignment, or
a deactivation), so the lead's history shows who moved it, from whom, to whom and when.

Revision ID: 0020
Revises: 0021_lead_contacts
Create Date: 2026-12-02 17:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0020"
down_revision: str | None = "0021_lead_contacts"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "owner_changes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("lead_id", sa.Integer(), nullable=False),
        sa.Column("from_member_id", sa.Integer(), nullable=False),
        sa.Column("to_member_id", sa.Integer(), nullable=False),
        sa.Column("by_member_id", sa.Integer(), nullable=True),
        sa.Column("via", sa.String(length=8), nullable=False),
        sa.Column("why", sa.String(length=16), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["lead_id"], ["leads.id"], name="fk_owner_changes_lead_id_leads"),
        sa.ForeignKeyConstraint(["from_member_id"], ["members.id"], name="fk_owner_changes_from_member_id_members"),
        sa.ForeignKeyConstraint(["to_member_id"], ["members.id"], name="fk_owner_changes_to_member_id_members"),
        sa.ForeignKeyConstraint(["by_member_id"], ["members.id"], name="fk_owner_changes_by_member_id_members"),
        sa.PrimaryKeyConstraint("id", name="pk_owner_changes"),
    )
    op.create_index("ix_owner_changes_lead_at", "owner_changes", ["lead_id", "at"])


def downgrade() -> None:
    op.drop_index("ix_owner_changes_lead_at", table_name="owner_changes")
    op.drop_table("owner_changes")
