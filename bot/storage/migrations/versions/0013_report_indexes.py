"""Period-first covering indexes: a report for a period reads only that period's rows.

The indexes of migration 0002 lead with the campaign, so a report read all of the history in
campaign order and checked the period from each entry: a one-day report cost more every month.
These lead with the moment, so a report for a period seeks its first entry and reads on to the
last one (a full-history report keeps to the 0002 indexes, read in order, with no sort):

- ``ix_touches_period``: the touch counts (campaign, rep, channel, outcome, playbook version,
  script, variant);
- ``ix_touches_reached_period``: partial (a contact role or an intent was logged), the distinct
  companies reached;
- ``ix_stage_changes_period``: the funnel and the losses;
- ``ix_meetings_created``: the meetings booked in the period (SQL without a touch), and
  ``ix_meetings_rescheduled_to`` (partial) to tell a continued meeting from a new one;
- ``ix_leads_created_campaign``: the companies that entered in the period.

Revision ID: 0013
Revises: 0009
Create Date: 2026-12-02 14:30:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

REACHED_WHERE = "contact_role IS NOT NULL OR intent IS NOT NULL"
RESCHEDULED_WHERE = "rescheduled_to IS NOT NULL"


def upgrade() -> None:
    op.create_index(
        "ix_touches_period",
        "touches",
        ["happened_at", "campaign", "rep_id", "channel", "outcome", "playbook_version", "script_id", "variant"],
        unique=False,
    )
    op.create_index(
        "ix_touches_reached_period",
        "touches",
        ["happened_at", "campaign", "lead_id", "contact_role", "intent", "rep_id", "playbook_version"],
        unique=False,
        sqlite_where=sa.text(REACHED_WHERE),
        postgresql_where=sa.text(REACHED_WHERE),
    )
    op.create_index(
        "ix_stage_changes_period",
        "stage_changes",
        ["at", "campaign", "lead_id", "to_stage", "from_stage", "reason", "rep_id", "playbook_version"],
        unique=False,
    )
    op.create_index(
        "ix_meetings_created",
        "meetings",
        ["created_at", "campaign", "rep_id", "touch_id"],
        unique=False,
    )
    op.create_index(
        "ix_meetings_rescheduled_to",
        "meetings",
        ["rescheduled_to"],
        unique=False,
        sqlite_where=sa.text(RESCHEDULED_WHERE),
        postgresql_where=sa.text(RESCHEDULED_WHERE),
    )
    op.create_index("ix_leads_created_campaign", "leads", ["created_at", "campaign", "owner_id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_leads_created_campaign", table_name="leads")
    op.drop_index("ix_meetings_rescheduled_to", table_name="meetings")
    op.drop_index("ix_meetings_created", table_name="meetings")
    op.drop_index("ix_stage_changes_period", table_name="stage_changes")
    op.drop_index("ix_touches_reached_period", table_name="touches")
    op.drop_index("ix_touches_period", table_name="touches")
