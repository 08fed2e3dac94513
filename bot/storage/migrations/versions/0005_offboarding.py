"""Off-boarding: revocable invites, manager invites named for one username, and the audit of
every deactivation.

- ``invites.for_username``: only this Telegram username (lower case) may accept the invite.
- ``invites.revoked_at`` / ``revoked_by``: a manager revoked it before anyone used it.
- ``deactivations``: who was deactivated, by whom (``NULL`` from the command line), when, and
  how many open leads went to whom.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02 09:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("invites") as batch:
        batch.add_column(sa.Column("for_username", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("revoked_by", sa.Integer(), nullable=True))
        batch.create_foreign_key("fk_invites_revoked_by_members", "members", ["revoked_by"], ["id"])
    op.create_table(
        "deactivations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("by_member_id", sa.Integer(), nullable=True),
        sa.Column("via", sa.String(length=8), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("leads_moved", sa.Integer(), nullable=False),
        sa.Column("leads_kept", sa.Integer(), nullable=False),
        sa.Column("moved", sa.JSON(), nullable=False),
        sa.Column("reminders_moved", sa.Integer(), nullable=False),
        sa.Column("reminders_cancelled", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["member_id"], ["members.id"], name="fk_deactivations_member_id_members"),
        sa.ForeignKeyConstraint(["by_member_id"], ["members.id"], name="fk_deactivations_by_member_id_members"),
        sa.PrimaryKeyConstraint("id", name="pk_deactivations"),
    )
    op.create_index("ix_deactivations_member_id", "deactivations", ["member_id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_deactivations_member_id", table_name="deactivations")
    op.drop_table("deactivations")
    with op.batch_alter_table("invites") as batch:
        batch.drop_constraint("fk_invites_revoked_by_members", type_="foreignkey")
        batch.drop_column("revoked_by")
        batch.drop_column("revoked_at")
        batch.drop_column("for_username")
