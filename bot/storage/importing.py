"""Storage side of lead imports: members to assign to, existing companies, batch inserts."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import sqlalchemy
from sqlalchemy import insert, literal, update
from sqlmodel import Session, col, select

from bot.storage.db import DatabaseUnavailable, savepoint
from bot.storage.models import ImportBatch, Lead, StageChange

log = logging.getLogger(__name__)


@dataclass
class KnownCompanies:
    """Companies already in the database (and those added so far by the import).

    Same company = same CNPJ, or the same folded name in the same UF (a company without a UF
    matches any UF), unless both CNPJs are known and differ. Applied in memory, so 50,000 rows
    need one query.
    """

    cnpjs: dict[str, str] = field(default_factory=dict)
    names: dict[str, list[tuple[str | None, str | None, str]]] = field(default_factory=dict)
    stored: dict[str, int] = field(default_factory=dict)
    """CNPJ → id of the lead in the database with it (the leads an update can complete)."""

    def add(self, cnpj: str | None, key: str, uf: str | None, where: str) -> None:
        if cnpj:
            self.cnpjs.setdefault(cnpj, where)
        self.names.setdefault(key, []).append((uf, cnpj, where))

    def find(self, cnpj: str | None, key: str, uf: str | None) -> str | None:
        """Where the duplicate is ("banco" or "linha N"), or None."""
        if cnpj and cnpj in self.cnpjs:
            return self.cnpjs[cnpj]
        for other_uf, other_cnpj, where in self.names.get(key, ()):
            if uf and other_uf and uf != other_uf:
                continue
            if cnpj and other_cnpj and cnpj != other_cnpj:
                continue
            return where
        return None

    def claim(self, cnpj: str, where: str) -> None:
        """A row of the file took the stored lead with this CNPJ: later rows with it are
        duplicates of that row."""
        self.cnpjs[cnpj] = where
        self.stored.pop(cnpj, None)


def known_companies(session: Session) -> KnownCompanies:
    known = KnownCompanies()
    statement = select(col(Lead.id), col(Lead.cnpj), col(Lead.company_key), col(Lead.uf))
    for lead_id, cnpj, key, uf in session.execute(statement):
        known.add(cnpj, key, uf, "banco")
        if cnpj:
            known.stored.setdefault(cnpj, lead_id)
    return known


def leads_by_id(session: Session, ids: Sequence[int]) -> dict[int, Lead]:
    """The leads with these ids, to change in this session."""
    if not ids:
        return {}
    return {lead.id or 0: lead for lead in session.exec(select(Lead).where(col(Lead.id).in_(ids)))}


def insert_leads(session: Session, rows: list[dict[str, Any]], *, stage_change: dict[str, Any]) -> list[int]:
    """Insert leads and their "new" stage change, a few statements per chunk whatever its size;
    returns the new ids (in no particular order).

    The ids come back from an unordered ``RETURNING``: asking for them in the order of ``rows``
    makes SQLAlchemy insert one row per statement on SQLite (which cannot tie a new rowid to
    its parameter set). Nothing needs that order: each stage change is copied from its lead's
    own row (owner, campaign, creation time) with ``INSERT … SELECT``.
    """
    if not rows:
        return []
    leads: Any = Lead.__table__  # type: ignore[attr-defined]  # Core: no ORM bulk bookkeeping
    changes: Any = StageChange.__table__  # type: ignore[attr-defined]
    connection = session.connection()
    ids = [int(row[0]) for row in connection.execute(insert(leads).returning(leads.c.id), rows)]
    copied = sqlalchemy.select(
        leads.c.id,
        leads.c.owner_id,
        leads.c.campaign,
        leads.c.created_at,
        *(literal(value, changes.c[name].type).label(name) for name, value in stage_change.items()),
    )
    columns = ["lead_id", "rep_id", "campaign", "at", *stage_change]
    for start in range(0, len(ids), ID_LIST_SIZE):
        chunk = ids[start : start + ID_LIST_SIZE]
        connection.execute(insert(changes).from_select(columns, copied.where(leads.c.id.in_(chunk))))
    return ids


def insert_leads_or_refuse(
    session: Session, rows: list[dict[str, Any]], *, stage_change: dict[str, Any]
) -> list[tuple[int, str]]:
    """:func:`insert_leads` in a savepoint; if the database refuses the lot, each row in its own, so
    a bad row refuses only itself. Returns each refused row's index in ``rows`` and the error's
    name; a lock or a lost connection (:class:`~bot.storage.db.DatabaseUnavailable`) goes on."""
    try:
        with savepoint(session):
            insert_leads(session, rows, stage_change=stage_change)
        return []
    except DatabaseUnavailable:
        raise
    except Exception:
        log.warning("import: a chunk was refused by the database; inserting its rows one by one", exc_info=True)
    refused = []
    for index, values in enumerate(rows):
        try:
            with savepoint(session):
                insert_leads(session, [values], stage_change=stage_change)
        except DatabaseUnavailable:
            raise
        except Exception as exc:
            refused.append((index, type(exc).__name__))
    return refused


ID_LIST_SIZE = 5000
"""Ids in one ``IN (…)`` list (SQLite allows 32,766 parameters in a statement)."""


# ------------------------------------------------------------------------------ batches


class BatchStatus:
    """``import_batches.status``: where an import ended."""

    RUNNING = "running"
    """Being read or written; found so at start, it was interrupted (nothing of it is stored)."""
    DONE = "done"
    REFUSED = "refused"
    """The file as a whole was refused: nothing written."""
    UNDONE = "undone"
    """Interrupted (a kill, a crash, a restart): its one transaction never committed."""


def start_batch(session: Session, *, member_id: int | None, filename: str, at: datetime) -> int:
    """The batch row of an import about to run, committed by the caller before the file is read,
    so that an import killed at any moment is found at the next start."""
    batch = ImportBatch(member_id=member_id, filename=filename[:200], started_at=at, status=BatchStatus.RUNNING)
    session.add(batch)
    session.flush()
    return int(batch.id or 0)


def finish_batch(session: Session, batch_id: int, *, status: str, at: datetime, counts: dict[str, int]) -> bool:
    """Close a running batch with its true counts; False if it is no longer running (a restart
    declared it interrupted meanwhile: the caller must not commit)."""
    statement = (
        update(ImportBatch)
        .where(col(ImportBatch.id) == batch_id, col(ImportBatch.status) == BatchStatus.RUNNING)
        .values(status=status, finished_at=at, **counts)
    )
    return bool(session.execute(statement).rowcount)  # type: ignore[attr-defined]


def undo_running_batches(session: Session, *, at: datetime) -> list[int]:
    """At start: every batch still running was interrupted; its transaction never committed, so
    its true counts are zero. Returns their ids."""
    ids = list(session.exec(select(col(ImportBatch.id)).where(col(ImportBatch.status) == BatchStatus.RUNNING)))
    if ids:
        session.execute(
            update(ImportBatch)
            .where(col(ImportBatch.id).in_(ids), col(ImportBatch.status) == BatchStatus.RUNNING)
            .values(
                status=BatchStatus.UNDONE, finished_at=at, total_rows=0, imported=0, updated=0, duplicates=0, rejected=0
            )
        )
    return [int(i) for i in ids if i is not None]


def unreported_batches(session: Session) -> list[ImportBatch]:
    """Finished or undone batches of a member that nobody has told the member about yet."""
    statement = (
        select(ImportBatch)
        .where(
            col(ImportBatch.reported_at).is_(None),
            col(ImportBatch.status).in_([BatchStatus.DONE, BatchStatus.UNDONE]),
        )
        .order_by(col(ImportBatch.id))
    )
    return list(session.exec(statement))


def mark_reported(session: Session, batch_id: int, *, at: datetime) -> None:
    session.execute(update(ImportBatch).where(col(ImportBatch.id) == batch_id).values(reported_at=at))
