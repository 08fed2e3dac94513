"""Erasure of a lead's personal data (LGPD) and its audit: the SQL of :mod:`bot.services.privacy`.

Which fields are personal data is decided by :mod:`bot.domain.privacy`; the functions here take
the field names (and, for touches, the values that are not personal and stay) as arguments.
Conventions of :mod:`bot.storage.leads`: session first, keyword-only arguments, ``flush`` but
never ``commit``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, case, func, or_, type_coerce, update
from sqlmodel import Session, col, select

from bot.storage.models import ErasureAudit, Lead, Member, StageChange, Touch
from bot.storage.types import UTCDateTime


@dataclass(frozen=True, slots=True)
class PersonalData:
    """What a lead holds of a person right now (values only to tell which fields are filled)."""

    lead_id: int
    company: str
    owner_id: int
    stage: str
    values: dict[str, str]
    touches: int
    """Touches of the lead with some free text in the given touch fields."""
    erased_at: datetime | None


def personal_data(
    session: Session, *, lead_id: int, lead_fields: Sequence[str], touch_fields: Mapping[str, frozenset[str]]
) -> PersonalData | None:
    lead = session.get(Lead, lead_id)
    if lead is None:
        return None
    touches = session.exec(
        select(func.count()).select_from(Touch).where(Touch.lead_id == lead_id, _personal(touch_fields))
    ).one()
    return PersonalData(
        lead_id=lead_id,
        company=lead.company,
        owner_id=lead.owner_id,
        stage=lead.stage,
        values={f: str(getattr(lead, f) or "") for f in lead_fields},
        touches=int(touches),
        erased_at=lead.personal_data_erased_at,
    )


def _blank(field: str) -> str | None:
    """What an erased lead field holds: NULL where the column allows it, else ""."""
    return None if Lead.__table__.c[field].nullable else ""  # type: ignore[attr-defined]


def _personal(touch_fields: Mapping[str, frozenset[str]]) -> Any:
    """A touch with some personal text: a field neither empty nor one of its kept codes."""
    return or_(*(_is_personal(getattr(Touch, f), codes) for f, codes in touch_fields.items()))


def _is_personal(column: Any, codes: frozenset[str]) -> Any:
    condition = and_(column.is_not(None), column != "")
    return and_(condition, column.not_in(sorted(codes))) if codes else condition


def _kept(column: Any, codes: frozenset[str]) -> Any:
    """The value after the erasure: a kept code stays, anything else becomes NULL."""
    return case((column.in_(sorted(codes)), column), else_=None) if codes else None


def erase_personal_data(
    session: Session,
    *,
    lead_id: int,
    lead_fields: Sequence[str],
    touch_fields: Mapping[str, frozenset[str]],
    at: datetime,
) -> int:
    """Blank the lead's personal fields and its touches' free text; the touches cleared.

    Nothing else of the lead, its touches, stage changes or meetings changes (not even
    ``updated_at``), so every report reads the same rows as before.
    """
    session.execute(
        update(Lead)
        .where(col(Lead.id) == lead_id)
        .values({**{f: _blank(f) for f in lead_fields}, "personal_data_erased_at": at})
    )
    result = session.execute(
        update(Touch)
        .where(col(Touch.lead_id) == lead_id, _personal(touch_fields))
        .values({f: _kept(getattr(Touch, f), codes) for f, codes in touch_fields.items()})
    )
    session.expire_all()  # the ORM copies of these rows are stale now
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def add_erasure_audit(
    session: Session,
    *,
    lead_id: int,
    member_id: int | None,
    via: str,
    reason: str,
    fields: Sequence[str],
    touches: int,
    at: datetime,
) -> ErasureAudit:
    row = ErasureAudit(
        lead_id=lead_id, member_id=member_id, via=via, reason=reason, fields=list(fields), touches=touches, at=at
    )
    session.add(row)
    session.flush()
    return row


@dataclass(frozen=True, slots=True)
class LostLead:
    lead_id: int
    stage: str
    lost_at: datetime | None
    erased_at: datetime | None


def lost_leads(session: Session, *, lost_stage: str, lost_before: datetime) -> list[LostLead]:
    """Leads now in ``lost_stage`` whose latest move there happened before ``lost_before`` and whose
    personal data was not erased yet, oldest loss first (candidates of the retention purge)."""
    last_loss = (
        select(
            col(StageChange.lead_id).label("lead_id"),
            type_coerce(func.max(StageChange.at), UTCDateTime).label("lost_at"),
        )
        .where(col(StageChange.to_stage) == lost_stage)
        .group_by(col(StageChange.lead_id))
        .subquery()
    )
    rows = session.exec(
        select(col(Lead.id), col(Lead.stage), last_loss.c.lost_at, col(Lead.personal_data_erased_at))
        .join(last_loss, last_loss.c.lead_id == col(Lead.id))
        .where(
            col(Lead.stage) == lost_stage,
            col(Lead.personal_data_erased_at).is_(None),
            last_loss.c.lost_at < lost_before,
        )
        .order_by(last_loss.c.lost_at, col(Lead.id))
    ).all()
    return [LostLead(int(r[0] or 0), str(r[1]), r[2], r[3]) for r in rows]


@dataclass(frozen=True, slots=True)
class ErasureLine:
    id: int
    at: datetime
    lead_id: int
    company: str
    member: str
    """The manager's name, or "" for the CLI and the bot."""
    via: str
    reason: str
    fields: tuple[str, ...]
    touches: int


def erasure_lines(session: Session, *, limit: int | None = None) -> list[ErasureLine]:
    """The erasure audit, newest first."""
    statement = (
        select(ErasureAudit, Lead.company, Member.full_name, Member.first_name)
        .join(Lead, col(Lead.id) == col(ErasureAudit.lead_id))
        .outerjoin(Member, col(Member.id) == col(ErasureAudit.member_id))
        .order_by(col(ErasureAudit.at).desc(), col(ErasureAudit.id).desc())
    )
    if limit is not None:
        statement = statement.limit(limit)
    return [
        ErasureLine(
            id=audit.id or 0,
            at=audit.at,
            lead_id=audit.lead_id,
            company=company,
            member=(full or first or "") if audit.member_id is not None else "",
            via=audit.via,
            reason=audit.reason,
            fields=tuple(audit.fields or ()),
            touches=audit.touches,
        )
        for audit, company, full, first in session.exec(statement).all()
    ]
