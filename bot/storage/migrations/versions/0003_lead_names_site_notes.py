"""Leads keep what sales spreadsheets carry besides the ICP facts: trade name (nome fantasia),
website and notes (observações); import batches count the existing leads an import completed.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-02 08:10:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("leads") as batch:
        batch.add_column(sa.Column("trade_name", sa.String(length=200), nullable=False, server_default=""))
        batch.add_column(sa.Column("website", sa.String(length=300), nullable=False, server_default=""))
        batch.add_column(sa.Column("notes", sa.Text(), nullable=True))
    with op.batch_alter_table("import_batches") as batch:
        batch.add_column(sa.Column("updated", sa.Integer(), nullable=False, server_default="0"))


def downgrade() -> None:
    with op.batch_alter_table("import_batches") as batch:
        batch.drop_column("updated")
    with op.batch_alter_table("leads") as batch:
        batch.drop_column("notes")
        batch.drop_column("website")
        batch.drop_column("trade_name")
