"""Repository functions: the only place that writes SQL for the services.

Conventions (as in full-stack-fastapi-template's ``crud.py``): the session comes first, every
other argument is keyword-only; functions ``flush`` (so new rows get their ids) but never
``commit`` — the caller's :func:`bot.storage.db.session_scope` owns the transaction. Moments are
aware datetimes (see :class:`bot.storage.types.UTCDateTime`); ``now`` parameters exist so the
services and tests control the clock.

Sections: playbook versions · leads · touches · stage changes · hot reads · flow endings.
Members and invites are in :mod:`bot.storage.members`, flow results in
:mod:`bot.storage.flow_results`, lead lists in :mod:`bot.storage.lead_list`.
Add new functions to the section of their table, or start a new section at the end. The hot
reads run on nearly every update and return small frozen rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import or_, update
from sqlalchemy import select as core_select
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from bot.domain.problems import N_, Problem
from bot.storage.models import (
    FitOverride,
    Lead,
    Meeting,
    Member,
    PlaybookVersion,
    StageChange,
    Touch,
    utcnow,
)

# --- Playbook versions ------------------------------------------------------------------------


VERSION_CONFLICT = N_(
    "A versão %(version)s do playbook já foi usada com outro conteúdo (impressão digital %(recorded)s…, "
    "agora %(new)s…). Aumente `version` em playbook.yaml antes de carregar os arquivos editados, para que "
    "os relatórios separem os toques antigos dos novos."
)


class PlaybookVersionConflict(Problem):
    """The playbook changed but its ``version`` did not (a :class:`Problem`: its message is translatable)."""

    def __init__(self, version: str, recorded_fingerprint: str, new_fingerprint: str) -> None:
        self.version = version
        self.recorded_fingerprint = recorded_fingerprint
        self.new_fingerprint = new_fingerprint
        super().__init__(
            VERSION_CONFLICT, version=repr(version), recorded=recorded_fingerprint[:12], new=new_fingerprint[:12]
        )

    def __reduce__(self) -> tuple[object, ...]:
        return (type(self), (self.version, self.recorded_fingerprint, self.new_fingerprint))


def get_playbook_version(session: Session, *, fingerprint: str) -> PlaybookVersion | None:
    return session.exec(
        select(PlaybookVersion).where(PlaybookVersion.fingerprint == fingerprint)
    ).first()


def find_playbook_version(session: Session, *, version: str) -> PlaybookVersion | None:
    return session.exec(select(PlaybookVersion).where(PlaybookVersion.version == version)).first()


def record_playbook_version(
    session: Session,
    *,
    version: str,
    fingerprint: str,
    sources: dict[str, Any],
    now: datetime | None = None,
) -> PlaybookVersion:
    """Remember the playbook the bot runs with; loading the same content again is a no-op.

    Raises :class:`PlaybookVersionConflict` if ``version`` was recorded with another fingerprint.
    """
    existing = get_playbook_version(session, fingerprint=fingerprint)
    if existing is not None:
        return existing
    same_version = session.exec(
        select(PlaybookVersion).where(PlaybookVersion.version == version)
    ).first()
    if same_version is not None:
        raise PlaybookVersionConflict(version, same_version.fingerprint, fingerprint)
    row = PlaybookVersion(
        version=version, fingerprint=fingerprint, sources=sources, loaded_at=now or utcnow()
    )
    try:
        with session.begin_nested():  # another process may record the same playbook right now
            session.add(row)
    except IntegrityError:
        existing = get_playbook_version(session, fingerprint=fingerprint)
        if existing is None:
            raise
        return existing
    return row


# --- Leads ------------------------------------------------------------------------------------


def add_lead(session: Session, *, lead: Lead) -> Lead:
    """Insert a new lead (build it with the model; ``company_key`` must already be folded)."""
    session.add(lead)
    session.flush()
    return lead


def get_lead(session: Session, *, lead_id: int) -> Lead | None:
    return session.get(Lead, lead_id)


def find_duplicate(
    session: Session,
    *,
    cnpj: str | None = None,
    company_key: str | None = None,
    uf: str | None = None,
) -> Lead | None:
    """The oldest lead that is the same company, or ``None``.

    Same company means the same CNPJ, or else the same folded name in the same UF. A lead
    without a UF matches any UF, and two leads whose CNPJs are both known and differ are never
    the same company.
    """
    if cnpj:
        by_cnpj = session.exec(
            select(Lead).where(Lead.cnpj == cnpj).order_by(col(Lead.id)).limit(1)
        ).first()
        if by_cnpj is not None:
            return by_cnpj
    if not company_key:
        return None
    statement = select(Lead).where(Lead.company_key == company_key)
    if uf:
        statement = statement.where(or_(col(Lead.uf) == uf, col(Lead.uf).is_(None)))
    if cnpj:
        statement = statement.where(or_(col(Lead.cnpj).is_(None), col(Lead.cnpj) == cnpj))
    return session.exec(statement.order_by(col(Lead.id)).limit(1)).first()


# --- Touches ----------------------------------------------------------------------------------


def add_touch(session: Session, *, touch: Touch) -> Touch:
    """Record one touch (build it with the model; it carries the playbook version it used)."""
    session.add(touch)
    session.flush()
    return touch


def move_history_to_campaign(session: Session, *, lead_id: int, campaign: str) -> None:
    """Give every event of a lead (touches, stage changes, meetings, fit overrides) the lead's
    corrected campaign: a lead belongs to one campaign, so the report counts it once."""
    for table in (Touch, StageChange, Meeting, FitOverride):
        session.execute(
            update(table).where(col(table.lead_id) == lead_id).values(campaign=campaign)
        )


# --- Stage changes ----------------------------------------------------------------------------


def add_stage_change(
    session: Session,
    *,
    lead_id: int,
    to_stage: str,
    from_stage: str | None,
    rep_id: int | None,
    campaign: str = "",
    reason: str | None = None,
    playbook_version: str | None = None,
    playbook_fingerprint: str | None = None,
    at: datetime | None = None,
) -> StageChange:
    """Record a move in the funnel. Updating ``Lead.stage`` itself is the caller's job."""
    change = StageChange(
        lead_id=lead_id,
        rep_id=rep_id,
        campaign=campaign,
        from_stage=from_stage,
        to_stage=to_stage,
        reason=reason,
        playbook_version=playbook_version,
        playbook_fingerprint=playbook_fingerprint,
        at=at or utcnow(),
    )
    session.add(change)
    session.flush()
    return change


# --- Hot reads --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ScheduledMeeting:
    id: int
    starts_at: datetime


def scheduled_meeting(session: Session, *, lead_id: int, status: str) -> ScheduledMeeting | None:
    """The lead's latest meeting in ``status`` (the one still to happen: "scheduled"), or ``None``."""
    meetings = Meeting.__table__.c  # type: ignore[attr-defined]
    row = session.execute(
        core_select(meetings.id, meetings.starts_at)
        .where(meetings.lead_id == lead_id, meetings.status == status)
        .order_by(meetings.starts_at.desc())
        .limit(1)
    ).first()
    return ScheduledMeeting(int(row[0]), row[1]) if row else None


# --- Leads by CNPJ root ------------------------------------------------------------------------


def leads_with_cnpj_prefix(session: Session, *, prefix: str, limit: int = 20) -> list[tuple[Lead, Member]]:
    """Leads whose CNPJ starts with ``prefix`` (a CNPJ root), oldest first, with their owners.

    A range on ``ix_leads_cnpj`` (a LIKE would read every lead): from the root up to the next
    root; CNPJs are digits or capital letters, so nothing sorts between the two. The owners are
    read by primary key afterwards, so no plan can start from the members and read their leads.
    """
    if not prefix:
        return []
    statement = (
        select(Lead)
        .where(col(Lead.cnpj) >= prefix, col(Lead.cnpj) < prefix[:-1] + chr(ord(prefix[-1]) + 1))
        .order_by(col(Lead.id))
        .limit(limit)
    )
    found = list(session.exec(statement))
    owners = {lead.owner_id: session.get(Member, lead.owner_id) for lead in found}
    return [(lead, owner) for lead in found if (owner := owners[lead.owner_id]) is not None]
