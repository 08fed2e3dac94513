"""Indexes for the lead lists read by keyset (``/leads``, bot.storage.lead_list).

A rep's list is read in its order from a key on, a page at a time, instead of counting and
sorting all of the rep's leads:

- ``ix_leads_owner_id``: a rep's leads newest first (``all``, ``open``);
- ``ix_leads_owner_stage`` gains ``id``: a rep's leads of one stage newest first (SQLite had it
  implicitly, the rowid; PostgreSQL sorted);
- ``ix_leads_owner_due``: a rep's leads by due moment (``due``, and ``/hoje``'s agenda).

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-02 14:45:00
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.drop_index("ix_leads_owner_stage", table_name="leads")
    op.create_index("ix_leads_owner_stage", "leads", ["owner_id", "stage", "id"], unique=False)
    op.create_index("ix_leads_owner_id", "leads", ["owner_id", "id"], unique=False)
    op.create_index("ix_leads_owner_due", "leads", ["owner_id", "step_due_at", "id"], unique=False)
    # Statistics for the new indexes where the planner keeps them (a database analysed before
    # would otherwise take ix_leads_owner_id for a selective index and read a rep's every lead).
    op.execute("ANALYZE leads")


def downgrade() -> None:
    op.drop_index("ix_leads_owner_due", table_name="leads")
    op.drop_index("ix_leads_owner_id", table_name="leads")
    op.drop_index("ix_leads_owner_stage", table_name="leads")
    op.create_index("ix_leads_owner_stage", "leads", ["owner_id", "stage"], unique=False)
