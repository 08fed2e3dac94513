"""Covering indexes for the manager report (touches, stage changes).

The report over a million touches sorted every aggregate in temporary B-trees and read the wide
touch rows; with these indexes each aggregate is one ordered pass over a narrow index.

- ``ix_touches_report``: the counts per campaign, rep, channel, outcome, playbook version,
  script and variant (the period is checked from the index).
- ``ix_touches_reached``: partial (touches where a contact role or an intent was logged), by
  campaign then lead, for the distinct companies reached.
- ``ix_stage_changes_funnel``: the highest funnel stage per campaign and lead.
- ``ix_stage_changes_losses``: the losses per campaign, stage left and reason.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 19:50:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

REACHED_WHERE = "contact_role IS NOT NULL OR intent IS NOT NULL"


def upgrade() -> None:
    op.create_index(
        "ix_touches_report",
        "touches",
        [
            "campaign",
            "rep_id",
            "channel",
            "outcome",
            "playbook_version",
            "script_id",
            "variant",
            "happened_at",
        ],
        unique=False,
    )
    op.create_index(
        "ix_touches_reached",
        "touches",
        ["campaign", "lead_id", "contact_role", "intent", "happened_at", "rep_id", "playbook_version"],
        unique=False,
        sqlite_where=sa.text(REACHED_WHERE),
        postgresql_where=sa.text(REACHED_WHERE),
    )
    op.create_index(
        "ix_stage_changes_funnel",
        "stage_changes",
        ["campaign", "lead_id", "to_stage", "at", "rep_id", "playbook_version"],
        unique=False,
    )
    op.create_index(
        "ix_stage_changes_losses",
        "stage_changes",
        ["to_stage", "campaign", "from_stage", "reason", "at", "rep_id", "playbook_version"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index("ix_stage_changes_losses", table_name="stage_changes")
    op.drop_index("ix_stage_changes_funnel", table_name="stage_changes")
    op.drop_index("ix_touches_reached", table_name="touches")
    op.drop_index("ix_touches_report", table_name="touches")
