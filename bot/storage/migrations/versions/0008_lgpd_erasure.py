"""LGPD: when a lead's personal data was erased, and the audit of every erasure.

- ``leads.personal_data_erased_at``: set when the contact's data is erased (on request or by
  the retention purge); the card and the exports show it.
- ``erasure_audit``: who (member, or the CLI / the bot), when, which lead, why, which fields.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02 08:40:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("leads") as batch:
        batch.add_column(sa.Column("personal_data_erased_at", sa.DateTime(timezone=True), nullable=True))
    op.create_table(
        "erasure_audit",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("lead_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=True),
        sa.Column("via", sa.String(length=8), nullable=False),
        sa.Column("reason", sa.String(length=16), nullable=False),
        sa.Column("fields", sa.JSON(), nullable=False),
        sa.Column("touches", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["lead_id"], ["leads.id"], name="fk_erasure_audit_lead_id_leads"),
        sa.ForeignKeyConstraint(["member_id"], ["members.id"], name="fk_erasure_audit_member_id_members"),
        sa.PrimaryKeyConstraint("id", name="pk_erasure_audit"),
    )
    op.create_index("ix_erasure_audit_lead_id", "erasure_audit", ["lead_id"], unique=False)
    op.create_index("ix_erasure_audit_at", "erasure_audit", ["at"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_erasure_audit_at", table_name="erasure_audit")
    op.drop_index("ix_erasure_audit_lead_id", table_name="erasure_audit")
    op.drop_table("erasure_audit")
    with op.batch_alter_table("leads") as batch:
        batch.drop_column("personal_data_erased_at")
