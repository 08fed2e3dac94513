"""tasks: follow-ups ("⏰ Retorno") a rep schedules on a lead, each nudged by a ``task`` reminder.

Revision ID: 0018
Revises: 0020
Create Date: 2026-12-02 17:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0018"
down_revision: str | None = "0020"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "tasks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("lead_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=False),
        sa.Column("campaign", sa.String(length=100), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("reminder_id", sa.Integer(), nullable=True),
        sa.Column("touch_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("done_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["lead_id"], ["leads.id"], name="fk_tasks_lead_id_leads"),
        sa.ForeignKeyConstraint(["member_id"], ["members.id"], name="fk_tasks_member_id_members"),
        sa.ForeignKeyConstraint(["created_by"], ["members.id"], name="fk_tasks_created_by_members"),
        sa.ForeignKeyConstraint(["reminder_id"], ["reminders.id"], name="fk_tasks_reminder_id_reminders"),
        sa.ForeignKeyConstraint(["touch_id"], ["touches.id"], name="fk_tasks_touch_id_touches"),
        sa.PrimaryKeyConstraint("id", name="pk_tasks"),
    )
    op.create_index("ix_tasks_due", "tasks", ["due_at", "member_id", "state", "campaign"], unique=False)
    op.create_index("ix_tasks_member_state", "tasks", ["member_id", "state", "due_at"], unique=False)
    op.create_index("ix_tasks_lead_id", "tasks", ["lead_id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_tasks_lead_id", table_name="tasks")
    op.drop_index("ix_tasks_member_state", table_name="tasks")
    op.drop_index("ix_tasks_due", table_name="tasks")
    op.drop_table("tasks")
