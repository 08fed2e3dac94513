"""Initial schema: every table of bot.storage.models.

Revision ID: 0001
Revises:
Create Date: 2026-11-23 19:14:25.025299
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "bot_state",
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("key", sa.String(length=128), nullable=False),
        sa.Column("value", sa.JSON(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("kind", "key", name="pk_bot_state"),
    )
    op.create_table(
        "members",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("telegram_id", sa.BigInteger(), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("first_name", sa.String(length=64), nullable=False),
        sa.Column("full_name", sa.String(length=128), nullable=False),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column("phone", sa.String(length=32), nullable=False),
        sa.Column("email", sa.String(length=128), nullable=False),
        sa.Column("uf", sa.String(length=2), nullable=False),
        sa.Column("timezone", sa.String(length=64), nullable=False),
        sa.Column("work_start", sa.String(length=5), nullable=False),
        sa.Column("work_end", sa.String(length=5), nullable=False),
        sa.Column("paused", sa.Boolean(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("invited_by", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["invited_by"], ["members.id"], name="fk_members_invited_by_members"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_members"),
    )
    op.create_index("ix_members_telegram_id", "members", ["telegram_id"], unique=True)

    op.create_table(
        "playbook_versions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version", sa.String(length=32), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("sources", sa.JSON(), nullable=False),
        sa.Column("loaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_playbook_versions"),
        sa.UniqueConstraint("fingerprint", name="uq_playbook_versions_fingerprint"),
    )
    op.create_index("ix_playbook_versions_version", "playbook_versions", ["version"], unique=False)

    op.create_table(
        "export_audit",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=True),
        sa.Column("via", sa.String(length=8), nullable=False),
        sa.Column("what", sa.String(length=64), nullable=False),
        sa.Column("format", sa.String(length=8), nullable=False),
        sa.Column("filters", sa.JSON(), nullable=False),
        sa.Column("rows", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["member_id"], ["members.id"], name="fk_export_audit_member_id_members"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_export_audit"),
    )
    op.create_table(
        "import_batches",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=True),
        sa.Column("filename", sa.String(length=200), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("total_rows", sa.Integer(), nullable=False),
        sa.Column("imported", sa.Integer(), nullable=False),
        sa.Column("duplicates", sa.Integer(), nullable=False),
        sa.Column("rejected", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["member_id"], ["members.id"], name="fk_import_batches_member_id_members"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_import_batches"),
    )
    op.create_table(
        "invites",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token", sa.String(length=64), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_by", sa.Integer(), nullable=True),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["created_by"], ["members.id"], name="fk_invites_created_by_members"
        ),
        sa.ForeignKeyConstraint(["used_by"], ["members.id"], name="fk_invites_used_by_members"),
        sa.PrimaryKeyConstraint("id", name="pk_invites"),
    )
    op.create_index("ix_invites_token", "invites", ["token"], unique=True)

    op.create_table(
        "leads",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=False),
        sa.Column("company", sa.String(length=200), nullable=False),
        sa.Column("company_key", sa.String(length=200), nullable=False),
        sa.Column("cnpj", sa.String(length=14), nullable=True),
        sa.Column("cnae", sa.String(length=7), nullable=True),
        sa.Column("uf", sa.String(length=2), nullable=True),
        sa.Column("city", sa.String(length=100), nullable=False),
        sa.Column("headcount_low", sa.Integer(), nullable=True),
        sa.Column("headcount_high", sa.Integer(), nullable=True),
        sa.Column("revenue_low", sa.BigInteger(), nullable=True),
        sa.Column("revenue_high", sa.BigInteger(), nullable=True),
        sa.Column("branches", sa.Integer(), nullable=True),
        sa.Column("registration", sa.String(length=16), nullable=True),
        sa.Column("financial_score", sa.Integer(), nullable=True),
        sa.Column("contact_name", sa.String(length=120), nullable=False),
        sa.Column("contact_role", sa.String(length=120), nullable=False),
        sa.Column("contact_phone", sa.String(length=32), nullable=False),
        sa.Column("contact_email", sa.String(length=200), nullable=False),
        sa.Column("contact_linkedin", sa.String(length=300), nullable=False),
        sa.Column("campaign", sa.String(length=100), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("stage", sa.String(length=32), nullable=False),
        sa.Column("icp_score", sa.Integer(), nullable=True),
        sa.Column("icp_potential", sa.Integer(), nullable=True),
        sa.Column("icp_tier", sa.String(length=1), nullable=True),
        sa.Column("sales_model", sa.String(length=32), nullable=True),
        sa.Column("knocked_out", sa.Boolean(), nullable=False),
        sa.Column("scored_with", sa.String(length=64), nullable=True),
        sa.Column("cadence_status", sa.String(length=16), nullable=False),
        sa.Column("current_step", sa.String(length=32), nullable=True),
        sa.Column("step_due_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("loss_reason", sa.String(length=32), nullable=True),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["created_by"], ["members.id"], name="fk_leads_created_by_members"),
        sa.ForeignKeyConstraint(["owner_id"], ["members.id"], name="fk_leads_owner_id_members"),
        sa.PrimaryKeyConstraint("id", name="pk_leads"),
    )
    op.create_index("ix_leads_campaign", "leads", ["campaign"], unique=False)
    op.create_index("ix_leads_cnpj", "leads", ["cnpj"], unique=False)
    op.create_index("ix_leads_company_uf", "leads", ["company_key", "uf"], unique=False)
    op.create_index("ix_leads_created_at", "leads", ["created_at"], unique=False)
    op.create_index("ix_leads_owner_stage", "leads", ["owner_id", "stage"], unique=False)
    op.create_index("ix_leads_stage", "leads", ["stage"], unique=False)
    op.create_index("ix_leads_step_due_at", "leads", ["step_due_at"], unique=False)

    op.create_table(
        "stage_changes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("lead_id", sa.Integer(), nullable=False),
        sa.Column("rep_id", sa.Integer(), nullable=True),
        sa.Column("campaign", sa.String(length=100), nullable=False),
        sa.Column("from_stage", sa.String(length=32), nullable=True),
        sa.Column("to_stage", sa.String(length=32), nullable=False),
        sa.Column("reason", sa.String(length=32), nullable=True),
        sa.Column("playbook_version", sa.String(length=32), nullable=True),
        sa.Column("playbook_fingerprint", sa.String(length=64), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["lead_id"], ["leads.id"], name="fk_stage_changes_lead_id_leads"),
        sa.ForeignKeyConstraint(["rep_id"], ["members.id"], name="fk_stage_changes_rep_id_members"),
        sa.PrimaryKeyConstraint("id", name="pk_stage_changes"),
    )
    op.create_index("ix_stage_changes_at", "stage_changes", ["at"], unique=False)
    op.create_index("ix_stage_changes_lead_id", "stage_changes", ["lead_id"], unique=False)
    op.create_index("ix_stage_changes_to_stage", "stage_changes", ["to_stage"], unique=False)

    op.create_table(
        "touches",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("lead_id", sa.Integer(), nullable=False),
        sa.Column("rep_id", sa.Integer(), nullable=False),
        sa.Column("campaign", sa.String(length=100), nullable=False),
        sa.Column("step_id", sa.String(length=32), nullable=True),
        sa.Column("step_number", sa.Integer(), nullable=True),
        sa.Column("step_kind", sa.String(length=16), nullable=True),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("script_id", sa.String(length=32), nullable=True),
        sa.Column("variant", sa.String(length=1), nullable=True),
        sa.Column("playbook_version", sa.String(length=32), nullable=False),
        sa.Column("playbook_fingerprint", sa.String(length=64), nullable=False),
        sa.Column("outcome", sa.String(length=32), nullable=False),
        sa.Column("contact_role", sa.String(length=32), nullable=True),
        sa.Column("objection", sa.String(length=32), nullable=True),
        sa.Column("loss_reason", sa.String(length=32), nullable=True),
        sa.Column("intent", sa.String(length=8), nullable=True),
        sa.Column("pain", sa.Text(), nullable=True),
        sa.Column("budget", sa.String(length=200), nullable=True),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("happened_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["lead_id"], ["leads.id"], name="fk_touches_lead_id_leads"),
        sa.ForeignKeyConstraint(["rep_id"], ["members.id"], name="fk_touches_rep_id_members"),
        sa.PrimaryKeyConstraint("id", name="pk_touches"),
    )
    op.create_index("ix_touches_campaign_at", "touches", ["campaign", "happened_at"], unique=False)
    op.create_index("ix_touches_happened_at", "touches", ["happened_at"], unique=False)
    op.create_index("ix_touches_lead_id", "touches", ["lead_id"], unique=False)
    op.create_index("ix_touches_outcome", "touches", ["outcome"], unique=False)
    op.create_index("ix_touches_rep_at", "touches", ["rep_id", "happened_at"], unique=False)

    op.create_table(
        "meetings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("lead_id", sa.Integer(), nullable=False),
        sa.Column("rep_id", sa.Integer(), nullable=False),
        sa.Column("touch_id", sa.Integer(), nullable=True),
        sa.Column("campaign", sa.String(length=100), nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("duration_minutes", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("no_show_reason", sa.String(length=32), nullable=True),
        sa.Column("rescheduled_to", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["lead_id"], ["leads.id"], name="fk_meetings_lead_id_leads"),
        sa.ForeignKeyConstraint(["rep_id"], ["members.id"], name="fk_meetings_rep_id_members"),
        sa.ForeignKeyConstraint(
            ["rescheduled_to"], ["meetings.id"], name="fk_meetings_rescheduled_to_meetings"
        ),
        sa.ForeignKeyConstraint(["touch_id"], ["touches.id"], name="fk_meetings_touch_id_touches"),
        sa.PrimaryKeyConstraint("id", name="pk_meetings"),
    )
    op.create_index("ix_meetings_lead_id", "meetings", ["lead_id"], unique=False)
    op.create_index("ix_meetings_starts_at", "meetings", ["starts_at"], unique=False)

    op.create_table(
        "reminders",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("lead_id", sa.Integer(), nullable=True),
        sa.Column("meeting_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("step_id", sa.String(length=32), nullable=True),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("dedupe_key", sa.String(length=128), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("late", sa.Boolean(), nullable=False),
        sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("message_id", sa.BigInteger(), nullable=True),
        sa.Column("last_error", sa.String(length=300), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["lead_id"], ["leads.id"], name="fk_reminders_lead_id_leads"),
        sa.ForeignKeyConstraint(
            ["meeting_id"], ["meetings.id"], name="fk_reminders_meeting_id_meetings"
        ),
        sa.ForeignKeyConstraint(
            ["member_id"], ["members.id"], name="fk_reminders_member_id_members"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_reminders"),
        sa.UniqueConstraint("dedupe_key", name="uq_reminders_dedupe_key"),
    )
    op.create_index("ix_reminders_member_id", "reminders", ["member_id"], unique=False)
    op.create_index("ix_reminders_state_due", "reminders", ["state", "due_at"], unique=False)


def downgrade() -> None:
    # Dropping a table drops its indexes; children before parents.
    op.drop_table("reminders")
    op.drop_table("meetings")
    op.drop_table("touches")
    op.drop_table("stage_changes")
    op.drop_table("leads")
    op.drop_table("invites")
    op.drop_table("import_batches")
    op.drop_table("export_audit")
    op.drop_table("playbook_versions")
    op.drop_table("members")
    op.drop_table("bot_state")
