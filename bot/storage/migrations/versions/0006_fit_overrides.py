"""Fit before effort: the cadences started on leads outside the ICP, confirmed by a rep.

A small append-only table rather than two columns on ``leads``: it keeps what the ICP said at
the moment of the override (tier, knock-outs, playbook version), the campaign for the report's
filters, and the time, indexed for counting a period, without widening the hot ``leads`` rows.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02 08:30:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "fit_overrides",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("lead_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("campaign", sa.String(length=100), nullable=False),
        sa.Column("tier", sa.String(length=1), nullable=True),
        sa.Column("knockouts", sa.String(length=300), nullable=False),
        sa.Column("playbook_version", sa.String(length=32), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["lead_id"], ["leads.id"], name="fk_fit_overrides_lead_id_leads"),
        sa.ForeignKeyConstraint(["member_id"], ["members.id"], name="fk_fit_overrides_member_id_members"),
        sa.PrimaryKeyConstraint("id", name="pk_fit_overrides"),
    )
    op.create_index("ix_fit_overrides_at", "fit_overrides", ["at", "campaign", "member_id"], unique=False)
    op.create_index("ix_fit_overrides_lead_id", "fit_overrides", ["lead_id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_fit_overrides_lead_id", table_name="fit_overrides")
    op.drop_index("ix_fit_overrides_at", table_name="fit_overrides")
    op.drop_table("fit_overrides")
