"""The hot reads: a few statements that run on nearly every update.

Conventions (as in full-stack-fastapi-template's ``crud.py``): the session comes first, every
other argument is keyword-only; functions ``flush`` (so new rows get their ids) but never
``commit`` — the caller's :func:`bot.storage.db.session_scope` owns the transaction. Moments are
aware datetimes (see :class:`bot.storage.types.UTCDateTime`); ``now`` parameters exist so the
services and tests control the clock.

Sections: hot reads · flow endings. Every other statement is in the module of its aggregate:
members and invites in :mod:`bot.storage.members`, flow results in
:mod:`bot.storage.flow_results`, leads and stage changes in :mod:`bot.storage.leads`, touches
and meetings in :mod:`bot.storage.touches`, reminders in :mod:`bot.storage.reminders`, playbook
versions in :mod:`bot.storage.playbooks`.

The hot reads at the end take the engine, not a session: they run on nearly every update, so
they go straight to the driver (see :mod:`bot.storage.direct`) and return plain rows.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy import Engine, and_, bindparam, func
from sqlalchemy import select as core_select
from sqlalchemy.engine import Dialect

from bot.storage.direct import DirectStatement, direct_transaction
from bot.storage.models import FlowResult, Lead, Meeting
from bot.storage.types import UTCDateTime

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
