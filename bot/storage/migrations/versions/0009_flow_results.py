"""flow_results: how each run of a conversation flow ended, written with what it created.

A flow (/novo, a meeting date, a note…) gets an id when it starts, kept in the rep's persisted
user data. The service that writes the flow's result records that id here in the same
transaction, so a bot killed before the conversation state is saved knows, after the restart,
that the flow is over instead of applying its last answer a second time.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02 09:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "flow_results",
        sa.Column("flow_id", sa.String(length=32), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("lead_id", sa.Integer(), nullable=True),
        sa.Column("result_id", sa.Integer(), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["lead_id"], ["leads.id"], name="fk_flow_results_lead_id_leads"),
        sa.ForeignKeyConstraint(["member_id"], ["members.id"], name="fk_flow_results_member_id_members"),
        sa.PrimaryKeyConstraint("flow_id", name="pk_flow_results"),
    )


def downgrade() -> None:
    op.drop_table("flow_results")
