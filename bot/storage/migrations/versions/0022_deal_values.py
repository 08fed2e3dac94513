"""deal_values: what a lead's deal is worth (monthly recurring value, set-up fee, contract months),
typed when the proposal goes out or the deal is won, edited from the lead card since; and
``ix_touches_lead_period``: a period's touches per lead, channel and outcome (the unit economics),
moment first and covering.

Revision ID: 0022
Revises: 0020
Create Date: 2026-12-02 17:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0022"
down_revision: str | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

LEAD_PERIOD = ["happened_at", "lead_id", "channel", "outcome", "campaign", "rep_id", "playbook_version"]


def upgrade() -> None:
    op.create_table(
        "deal_values",
        sa.Column("lead_id", sa.Integer(), nullable=False),
        sa.Column("monthly_cents", sa.BigInteger(), nullable=False),
        sa.Column("setup_cents", sa.BigInteger(), nullable=False),
        sa.Column("months", sa.Integer(), nullable=True),
        sa.Column("stage", sa.String(length=32), nullable=False),
        sa.Column("set_by", sa.Integer(), nullable=True),
        sa.Column("set_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["lead_id"], ["leads.id"], name="fk_deal_values_lead_id_leads"),
        sa.ForeignKeyConstraint(["set_by"], ["members.id"], name="fk_deal_values_set_by_members"),
        sa.PrimaryKeyConstraint("lead_id", name="pk_deal_values"),
    )
    op.create_index("ix_touches_lead_period", "touches", LEAD_PERIOD)


def downgrade() -> None:
    op.drop_index("ix_touches_lead_period", table_name="touches")
    op.drop_table("deal_values")
