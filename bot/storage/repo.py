"""Repository functions: the only place that writes SQL for the services.

Conventions (as in full-stack-fastapi-template's ``crud.py``): the session comes first, every
other argument is keyword-only; functions ``flush`` (so new rows get their ids) but never
``commit`` — the caller's :func:`bot.storage.db.session_scope` owns the transaction. Moments are
aware datetimes (see :class:`bot.storage.types.UTCDateTime`); ``now`` parameters exist so the
services and tests control the clock.

Sections: playbook versions · leads · touches · stage changes · hot reads · flow endings.
Members and invites are in :mod:`bot.storage.members`, flow results in
:mod:`bot.storage.flow_results`.
Add new functions to the section of their table, or start a new section at the end.

The hot reads at the end take the engine, not a session: they run on nearly every update, so
they go straight to the driver (see :mod:`bot.storage.direct`) and return plain rows.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy import Engine, and_, bindparam, func, or_, update
from sqlalchemy import select as core_select
from sqlalchemy.engine import Dialect
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from bot.domain.problems import N_, Problem
from bot.storage.direct import DirectStatement, direct_transaction
from bot.storage.models import (
    FitOverride,
    FlowResult,
    Lead,
    Meeting,
    Member,
    PlaybookVersion,
    StageChange,
    Touch,
    utcnow,
)
from bot.storage.types import UTCDateTime

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
class LeadLine:
    """One line of a lead list: what ``/leads`` shows of a lead."""

    id: int
    company: str
    stage: str
    icp_tier: str | None
    step_due_at: datetime | None


LEAD_LINE_FILTERS = ("all", "due", "open", "stage")


@cache
def _lead_lines_statement(dialect: Dialect, *, team: bool, kind: str, closed: tuple[str, ...]) -> DirectStatement:
    leads = Lead.__table__.c  # type: ignore[attr-defined]
    statement = core_select(
        leads.id, leads.company, leads.stage, leads.icp_tier, leads.step_due_at, func.count().over()
    )
    if not team:
        statement = statement.where(leads.owner_id == bindparam("owner"))
    if kind == "due":
        statement = statement.where(
            leads.step_due_at.is_not(None), leads.step_due_at <= bindparam("moment", type_=UTCDateTime())
        )
        order = (leads.step_due_at.asc(), leads.id.desc())
    else:
        if kind == "open":
            statement = statement.where(and_(*(leads.stage != stage for stage in closed)))
        elif kind == "stage":
            statement = statement.where(leads.stage == bindparam("stage"))
        order = (leads.created_at.desc(), leads.id.desc())
    statement = statement.order_by(*order).limit(bindparam("limit")).offset(bindparam("offset"))
    types = (None, None, None, None, UTCDateTime(), None)
    return DirectStatement(statement, dialect, result_types=types)


def lead_lines(
    engine: Engine,
    *,
    owner_id: int | None,
    kind: str = "all",
    closed: Collection[str] = (),
    stage: str | None = None,
    moment: datetime | None = None,
    offset: int = 0,
    limit: int = 20,
) -> tuple[list[LeadLine], int]:
    """A page of lead lines and how many leads match in all (0 when the page is empty).

    ``owner_id=None`` is the whole team. ``kind``: ``all`` (newest first), ``open`` (stage not in
    ``closed``: pass the same tuple every time, the statement is compiled once per value),
    ``stage`` (that ``stage``), or ``due`` (``step_due_at`` at or before ``moment``, most
    overdue first). One read-only query.
    """
    if kind not in LEAD_LINE_FILTERS:
        raise ValueError(f"unknown lead filter {kind!r}")
    statement = _lead_lines_statement(engine.dialect, team=owner_id is None, kind=kind, closed=tuple(closed))
    values: dict[str, Any] = {"limit": limit, "offset": offset}
    if owner_id is not None:
        values["owner"] = owner_id
    if kind == "due":
        values["moment"] = moment
    if kind == "stage":
        values["stage"] = stage
    with direct_transaction(engine, read_only=True) as cursor:
        rows = statement.rows(cursor, values)
    lines = [LeadLine(*row[:5]) for row in rows]
    return lines, (int(rows[0][5]) if rows else 0)


@cache
def _lead_owner_statement(dialect: Dialect) -> DirectStatement:
    leads = Lead.__table__.c  # type: ignore[attr-defined]
    return DirectStatement(core_select(leads.owner_id).where(leads.id == bindparam("lead")), dialect)


def lead_owner(engine: Engine, lead_id: int) -> int | None:
    """The member id that owns lead ``lead_id``, or ``None`` if there is no such lead."""
    with direct_transaction(engine, read_only=True) as cursor:
        rows = _lead_owner_statement(engine.dialect).rows(cursor, {"lead": lead_id})
    return int(rows[0][0]) if rows else None


@dataclass(frozen=True, slots=True)
class ScheduledMeeting:
    id: int
    starts_at: datetime


@cache
def _scheduled_meeting_statement(dialect: Dialect) -> DirectStatement:
    meetings = Meeting.__table__.c  # type: ignore[attr-defined]
    statement = (
        core_select(meetings.id, meetings.starts_at)
        .where(meetings.lead_id == bindparam("lead"), meetings.status == bindparam("status"))
        .order_by(meetings.starts_at.desc())
        .limit(1)
    )
    return DirectStatement(statement, dialect, result_types=(None, UTCDateTime()))


def scheduled_meeting(engine: Engine, lead_id: int, *, status: str) -> ScheduledMeeting | None:
    """The lead's latest meeting in ``status`` (the one still to happen: "scheduled"), or ``None``."""
    with direct_transaction(engine, read_only=True) as cursor:
        rows = _scheduled_meeting_statement(engine.dialect).rows(cursor, {"lead": lead_id, "status": status})
    return ScheduledMeeting(int(rows[0][0]), rows[0][1]) if rows else None


# --- Leads by CNPJ root ------------------------------------------------------------------------


def leads_with_cnpj_prefix(session: Session, *, prefix: str, limit: int = 20) -> list[tuple[Lead, Member]]:
    """Leads whose CNPJ starts with ``prefix`` (a CNPJ root), oldest first, with their owners."""
    if not prefix:
        return []
    statement = (
        select(Lead, Member)
        .join(Member, col(Member.id) == col(Lead.owner_id))
        .where(col(Lead.cnpj).startswith(prefix, autoescape=True))
        .order_by(col(Lead.id))
        .limit(limit)
    )
    return [(lead, member) for lead, member in session.exec(statement)]


# --- Flow results -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class FlowEnding:
    kind: str
    lead_id: int | None
    result_id: int | None


@cache
def _flow_ending_statement(dialect: Dialect) -> DirectStatement:
    flows = FlowResult.__table__.c  # type: ignore[attr-defined]
    return DirectStatement(
        core_select(flows.kind, flows.lead_id, flows.result_id).where(flows.flow_id == bindparam("flow")), dialect
    )


def flow_ending(engine: Engine, flow_id: str) -> FlowEnding | None:
    """How flow run ``flow_id`` ended, or ``None`` while it is open (one primary-key read)."""
    with direct_transaction(engine, read_only=True) as cursor:
        rows = _flow_ending_statement(engine.dialect).rows(cursor, {"flow": flow_id})
    if not rows:
        return None
    kind, lead_id, result_id = rows[0]
    return FlowEnding(str(kind), lead_id, result_id)
