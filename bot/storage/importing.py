"""Storage side of lead imports: members to assign to, existing companies, batch inserts."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import insert
from sqlmodel import Session, col, select

from bot.domain.text import fold
from bot.storage.models import Lead, Member, StageChange


def load_members(session: Session) -> list[Member]:
    """Active members, the people an imported lead can be assigned to."""
    return list(session.exec(select(Member).where(col(Member.active)).order_by(col(Member.id))))


def match_member(members: Sequence[Member], text: str) -> Member | None:
    """The member a spreadsheet cell names: Telegram id, member id, @username, full or first
    name (accents and case ignored). An ambiguous first name matches no one."""
    raw = str(text).strip()
    if not raw:
        return None
    digits = raw.lstrip("#")
    if digits.isdigit():
        number = int(digits)
        for member in members:
            if member.telegram_id == number:
                return member
        for member in members:
            if member.id == number:
                return member
        return None
    wanted = fold(raw.lstrip("@"))
    for member in members:
        if member.username and fold(member.username) == wanted:
            return member
    for member in members:
        if member.full_name and fold(member.full_name) == wanted:
            return member
    first = [m for m in members if fold(m.first_name) == wanted]
    return first[0] if len(first) == 1 else None


@dataclass
class KnownCompanies:
    """Companies already in the database (and those added so far by the import).

    Same company = same CNPJ, or the same folded name in the same UF (a company without a UF
    matches any UF), unless both CNPJs are known and differ — the rule of
    :func:`bot.storage.repo.find_duplicate`, applied in memory so 50,000 rows need one query.
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


def insert_leads(
    session: Session, rows: list[dict[str, Any]], *, stage_change: dict[str, Any]
) -> list[int]:
    """Insert leads in one statement and their "new" stage change; returns the new ids."""
    if not rows:
        return []
    leads: Any = Lead.__table__  # type: ignore[attr-defined]  # Core: no ORM bulk bookkeeping
    changes: Any = StageChange.__table__  # type: ignore[attr-defined]
    connection = session.connection()
    result = connection.execute(
        insert(leads).returning(leads.c.id, sort_by_parameter_order=True), rows
    )
    ids = [int(row[0]) for row in result]
    connection.execute(
        insert(changes),
        [
            {
                **stage_change,
                "lead_id": lead_id,
                "rep_id": row["owner_id"],
                "campaign": row["campaign"],
                "at": row["created_at"],
            }
            for lead_id, row in zip(ids, rows, strict=True)
        ],
    )
    return ids
