"""Roll-ups for the report, kept by triggers and filled from the rows already written:

- ``touch_weeks`` (per UTC week) and ``touch_totals`` (all time): touches counted per report key
  (:mod:`bot.storage.touch_rollup`);
- ``stage_pairs`` and ``reach_pairs``: per (campaign, lead), the highest funnel rank and the
  proposal / won moves, and who was reached and the intent to buy, for the distinct counts of
  the whole history (:mod:`bot.storage.pair_rollups`);
- ``rep_days``: per rep and UTC day, the UTC hours with a touch, for the active days
  (:mod:`bot.storage.activity_rollup`);
- ``ix_meetings_started`` / ``ix_meetings_outcomes``: covering indexes of the meetings, moment
  first for a period and campaign first for the whole history, so their outcomes are counted
  without reading the meeting rows (nor sorting them).

The trigger and backfill SQL lives in those modules, once, for both SQLite and PostgreSQL.

Revision ID: 0017
Revises: 0018
Create Date: 2026-12-02 17:15:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from bot.storage import rollups
from bot.storage.types import UTCDateTime

revision: str = "0017"
down_revision: str | None = "0019"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

KEYS = ("campaign", "rep_id", "channel", "outcome", "playbook_version", "script_id", "variant")


def _key_columns() -> list[sa.Column]:
    return [
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("campaign", sa.String(length=100), nullable=False),
        sa.Column("rep_id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("outcome", sa.String(length=32), nullable=False),
        sa.Column("playbook_version", sa.String(length=32), nullable=False),
        sa.Column("script_id", sa.String(length=32), nullable=True),
        sa.Column("variant", sa.String(length=1), nullable=True),
        sa.Column("touches", sa.Integer(), nullable=False),
    ]


def upgrade() -> None:
    op.create_table(
        "touch_weeks",
        *_key_columns(),
        sa.Column("week", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_touch_weeks")),
    )
    op.create_index("ix_touch_weeks_key", "touch_weeks", ["week", *KEYS, "touches"], unique=False)
    op.create_table("touch_totals", *_key_columns(), sa.PrimaryKeyConstraint("id", name=op.f("pk_touch_totals")))
    op.create_index("ix_touch_totals_key", "touch_totals", [*KEYS, "touches"], unique=False)
    op.create_table(
        "stage_pairs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("campaign", sa.String(length=100), nullable=False),
        sa.Column("lead_id", sa.Integer(), nullable=False),
        sa.Column("top", sa.Integer(), nullable=False),
        sa.Column("proposal", sa.Integer(), nullable=False),
        sa.Column("won", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stage_pairs")),
    )
    op.create_index(
        "ix_stage_pairs_funnel", "stage_pairs", ["campaign", "lead_id", "top", "proposal", "won"], unique=False
    )
    op.create_table(
        "reach_pairs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("campaign", sa.String(length=100), nullable=False),
        sa.Column("lead_id", sa.Integer(), nullable=False),
        sa.Column("decision_maker", sa.Integer(), nullable=False),
        sa.Column("influencer", sa.Integer(), nullable=False),
        sa.Column("intent_45d", sa.Integer(), nullable=False),
        sa.Column("intent_90d", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reach_pairs")),
    )
    op.create_index(
        "ix_reach_pairs_campaign",
        "reach_pairs",
        ["campaign", "decision_maker", "influencer", "intent_45d", "intent_90d", "lead_id"],
        unique=False,
    )
    op.create_index(
        "ix_meetings_started", "meetings", ["starts_at", "campaign", "status", "no_show_reason", "rep_id", "lead_id"], unique=False
    )
    op.create_index(
        "ix_meetings_outcomes",
        "meetings",
        ["campaign", "status", "no_show_reason", "starts_at", "rep_id"],
        unique=False,
    )
    op.create_table(
        "rep_days",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("rep_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("hours", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rep_days")),
    )
    op.create_index("ix_rep_days_day", "rep_days", ["day", "rep_id", "hours"], unique=False)
    rollups.rebuild_and_keep(op.get_bind())


def downgrade() -> None:
    rollups.drop_triggers(op.get_bind())
    op.drop_index("ix_rep_days_day", table_name="rep_days")
    op.drop_table("rep_days")
    op.drop_index("ix_meetings_outcomes", table_name="meetings")
    op.drop_index("ix_meetings_started", table_name="meetings")
    op.drop_index("ix_reach_pairs_campaign", table_name="reach_pairs")
    op.drop_table("reach_pairs")
    op.drop_index("ix_stage_pairs_funnel", table_name="stage_pairs")
    op.drop_table("stage_pairs")
    op.drop_index("ix_touch_totals_key", table_name="touch_totals")
    op.drop_table("touch_totals")
    op.drop_index("ix_touch_weeks_key", table_name="touch_weeks")
    op.drop_table("touch_weeks")
