"""Working the list: the leads a bulk start looks at, the campaigns there are, and the reads of
a /lead search (CNPJ range, e-mail, and the short texts a name or phone is compared with).

Keyword-only functions taking a session; the caller owns the transaction.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, func, or_, select
from sqlmodel import Session, col

from bot.storage.models import ImportBatch, Lead, LeadContact

_leads = Lead.__table__.c  # type: ignore[attr-defined]


@dataclass(frozen=True, slots=True)
class Candidate:
    """What a bulk start decides on: a lead's stage, fit and owner."""

    id: int
    company: str
    stage: str
    owner_id: int
    icp_tier: str | None
    knocked_out: bool


def candidates(
    session: Session,
    *,
    campaign: str | None = None,
    tier: str | None = None,
    created_at: datetime | None = None,
    created_by: int | None = None,
) -> list[Candidate]:
    """The leads of a campaign, a tier, or an import (the leads an import wrote carry its start
    moment as ``created_at``, ``source='import'`` and its member as ``created_by``), oldest first."""
    where = []
    if campaign is not None:
        where.append(_leads.campaign == campaign)
    if tier is not None:
        where.append(_leads.icp_tier == tier)
    if created_at is not None:
        where += [_leads.created_at == created_at, _leads.source == "import"]
        where.append(_leads.created_by.is_(None) if created_by is None else _leads.created_by == created_by)
    if not where:
        raise ValueError("a bulk start needs a campaign, a tier or an import")
    statement = select(
        _leads.id, _leads.company, _leads.stage, _leads.owner_id, _leads.icp_tier, _leads.knocked_out
    ).where(*where)
    return [Candidate(*row) for row in session.execute(statement.order_by(_leads.id))]


def import_batch(session: Session, *, batch_id: int) -> ImportBatch | None:
    return session.get(ImportBatch, batch_id)


def campaigns(session: Session) -> list[str]:
    """Every campaign a lead belongs to (read on ``ix_leads_campaign``), in order."""
    statement = select(_leads.campaign).where(_leads.campaign != "").group_by(_leads.campaign)
    return sorted(str(name) for (name,) in session.execute(statement))


# ---------------------------------------------------------------------------- /lead search


def _scope(owner_id: int | None) -> list[ColumnElement[bool]]:
    return [] if owner_id is None else [_leads.owner_id == owner_id]


def ids_with_cnpj_prefix(session: Session, *, prefix: str, owner_id: int | None, limit: int) -> list[int]:
    """Leads whose CNPJ starts with ``prefix`` (a root or a whole CNPJ), newest first: a range on
    ``ix_leads_cnpj`` (CNPJs are digits or capital letters, so nothing sorts between the two)."""
    upper = prefix[:-1] + chr(ord(prefix[-1]) + 1)
    statement = (
        select(_leads.id)
        .where(_leads.cnpj >= prefix, _leads.cnpj < upper, *_scope(owner_id))
        .order_by(_leads.id.desc())
        .limit(limit)
    )
    return [int(i) for (i,) in session.execute(statement)]


def ids_with_email(session: Session, *, email: str, owner_id: int | None, limit: int) -> list[int]:
    statement = (
        select(_leads.id)
        .where(func.lower(_leads.contact_email) == email, *_scope(owner_id))
        .order_by(_leads.id.desc())
        .limit(limit)
    )
    return [int(i) for (i,) in session.execute(statement)]


def ids_with_company_key(session: Session, *, words: Sequence[str], owner_id: int | None, limit: int) -> list[int]:
    """Leads whose folded company name holds every word, the exact name first, then newest first."""
    exact = (_leads.company_key == " ".join(words)).desc()
    statement = (
        select(_leads.id)
        .where(*[_leads.company_key.contains(word) for word in words], *_scope(owner_id))
        .order_by(exact, _leads.id.desc())
        .limit(limit)
    )
    return [int(i) for (i,) in session.execute(statement)]


def contact_texts(session: Session, *, owner_id: int | None) -> Iterator[tuple[int, str, str, str]]:
    """(id, trade name, contact name, phone) of the leads that have any of them, newest first,
    streamed: accents and phone formats are compared in Python (the columns hold text as typed)."""
    statement = (
        select(_leads.id, _leads.trade_name, _leads.contact_name, _leads.contact_phone)
        .where(or_(_leads.trade_name != "", _leads.contact_name != "", _leads.contact_phone != ""), *_scope(owner_id))
        .order_by(_leads.id.desc())
        .execution_options(yield_per=500)
    )
    for row in session.execute(statement):
        yield int(row[0]), row[1] or "", row[2] or "", row[3] or ""


def other_contacts(session: Session, *, owner_id: int | None) -> Iterator[tuple[int, str, str, str]]:
    """(lead id, name, phone, e-mail) of every contact in ``lead_contacts`` (a lead's several
    contacts; the chosen one is also in the lead's own columns), newest lead first, streamed."""
    contacts = LeadContact.__table__.c  # type: ignore[attr-defined]
    statement = (
        select(contacts.lead_id, contacts.name, contacts.phone, contacts.email)
        .join(Lead.__table__, _leads.id == contacts.lead_id)  # type: ignore[attr-defined]
        .where(*_scope(owner_id))
        .order_by(contacts.lead_id.desc(), contacts.id)
        .execution_options(yield_per=500)
    )
    for row in session.execute(statement):
        yield int(row[0]), row[1] or "", row[2] or "", row[3] or ""


def leads_by_ids(session: Session, *, ids: Sequence[int]) -> list[Lead]:
    """The leads ``ids``, in that order."""
    if not ids:
        return []
    found = {lead.id: lead for lead in session.scalars(select(Lead).where(col(Lead.id).in_(ids)))}
    return [found[i] for i in ids if i in found]


def stage_of(session: Session, *, lead_id: int) -> str | None:
    value = session.execute(select(_leads.stage).where(_leads.id == lead_id)).scalar()
    return None if value is None else str(value)


def owner_ids(session: Session, *, lead_ids: Sequence[int]) -> dict[int, int]:
    """Lead id → owner id."""
    if not lead_ids:
        return {}
    statement = select(_leads.id, _leads.owner_id).where(_leads.id.in_(list(lead_ids)))
    return {int(i): int(o) for i, o in session.execute(statement)}
