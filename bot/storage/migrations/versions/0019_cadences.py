"""Cadences per segment, reopening and recycling (issue 12).

- ``leads.cadence_id``: the cadence of ``cadence.yaml`` the lead is worked on (``NULL`` for the
  leads of before: the playbook resolves them by their step);
- ``leads.recycled``: how many times the lead came back after a loss;
- ``touches.cadence_id`` and ``touches.recycled``: reports and A/B results per cadence, and the
  touches of recycled leads told apart;
- ``cadence_events``: moves to another cadence, reopenings and recycles, append-only.

Revision ID: 0019
Revises: 0020
Create Date: 2026-12-02 17:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0019"
down_revision: str | None = "0022"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("leads") as batch:
        batch.add_column(sa.Column("cadence_id", sa.String(length=32), nullable=True))
        batch.add_column(sa.Column("recycled", sa.Integer(), server_default="0", nullable=False))
    with op.batch_alter_table("touches") as batch:
        batch.add_column(sa.Column("cadence_id", sa.String(length=32), nullable=True))
        batch.add_column(sa.Column("recycled", sa.Boolean(), server_default="0", nullable=False))
    op.create_table(
        "cadence_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("lead_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("campaign", sa.String(length=100), nullable=False),
        sa.Column("from_cadence", sa.String(length=32), nullable=True),
        sa.Column("to_cadence", sa.String(length=32), nullable=True),
        sa.Column("from_stage", sa.String(length=32), nullable=True),
        sa.Column("to_stage", sa.String(length=32), nullable=True),
        sa.Column("reason", sa.String(length=32), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("playbook_version", sa.String(length=32), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["lead_id"], ["leads.id"], name=op.f("fk_cadence_events_lead_id_leads")),
        sa.ForeignKeyConstraint(["member_id"], ["members.id"], name=op.f("fk_cadence_events_member_id_members")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cadence_events")),
    )
    op.create_index("ix_cadence_events_at", "cadence_events", ["at", "kind", "campaign"])
    op.create_index(op.f("ix_cadence_events_lead_id"), "cadence_events", ["lead_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_cadence_events_lead_id"), table_name="cadence_events")
    op.drop_index("ix_cadence_events_at", table_name="cadence_events")
    op.drop_table("cadence_events")
    # Plain ALTER TABLE … DROP COLUMN (SQLite 3.35+ and PostgreSQL): a batch would copy and drop
    # ``leads`` and ``touches``, which other tables' rows still reference.
    for table in ("touches", "leads"):
        op.drop_column(table, "recycled")
        op.drop_column(table, "cadence_id")
