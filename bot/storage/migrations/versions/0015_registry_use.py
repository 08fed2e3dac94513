"""leads: the facts the CNPJ registry gives (federal status, porte, Simples/MEI, start date) and
the registry month they came from, so a restart keeps them and the ICP can judge on them.

Revision ID: 0015_registry_use
Revises: 0014
Create Date: 2026-12-02 15:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015_registry_use"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COLUMNS = (
    ("federal_status", sa.String(length=2)),
    ("porte", sa.String(length=2)),
    ("simples", sa.Boolean()),
    ("mei", sa.Boolean()),
    ("opened_on", sa.Date()),
    ("registry_month", sa.String(length=7)),
)


def upgrade() -> None:
    with op.batch_alter_table("leads") as batch:
        for name, kind in COLUMNS:
            batch.add_column(sa.Column(name, kind, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("leads") as batch:
        for name, _ in reversed(COLUMNS):
            batch.drop_column(name)
