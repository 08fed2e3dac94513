"""An import is a unit: its batch row says how it ended (running, done, refused, undone) and
whether the manager was told, so a restart can finish the story of an interrupted import.

Batches from before this revision: finished ones are "done"; unfinished ones (a crash of the old
row-by-batch import, possibly half-written) are "interrupted". All count as already reported.

Revision ID: 0007
Revises: 0006 (main's head: fit overrides)
Create Date: 2026-12-02 09:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("import_batches") as batch:
        batch.add_column(sa.Column("status", sa.String(length=16), nullable=False, server_default="running"))
        batch.add_column(sa.Column("reported_at", sa.DateTime(timezone=True), nullable=True))
    op.execute(
        "UPDATE import_batches SET status = CASE WHEN finished_at IS NULL THEN 'interrupted' ELSE 'done' END, "
        "reported_at = COALESCE(finished_at, started_at)"
    )


def downgrade() -> None:
    with op.batch_alter_table("import_batches") as batch:
        batch.drop_column("reported_at")
        batch.drop_column("status")
