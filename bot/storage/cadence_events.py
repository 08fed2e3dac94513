"""Cadence events (moved, reopened, recycled), the last loss of a lead, and the per-cadence
figures of the report. Keyword-only, the session first; nothing is committed here."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, func
from sqlalchemy import select as columns
from sqlmodel import Session, col, select

from bot.domain.vocabulary import ReminderKind, Stage
from bot.storage.models import CadenceEvent, Reminder, StageChange, Touch
from bot.storage.reminders import LIVE, cancel_live


def add_event(session: Session, *, event: CadenceEvent) -> CadenceEvent:
    session.add(event)
    return event


def events_of(session: Session, *, lead_id: int) -> list[CadenceEvent]:
    """A lead's cadence events, oldest first."""
    statement = (
        select(CadenceEvent).where(CadenceEvent.lead_id == lead_id).order_by(col(CadenceEvent.at), col(CadenceEvent.id))
    )
    return list(session.exec(statement))


def last_loss(session: Session, *, lead_id: int) -> StageChange | None:
    """The lead's latest move to ``lost`` (the stage it left, when and why)."""
    statement = (
        select(StageChange)
        .where(StageChange.lead_id == lead_id, StageChange.to_stage == Stage.LOST.value)
        .order_by(col(StageChange.at).desc(), col(StageChange.id).desc())
        .limit(1)
    )
    return session.exec(statement).first()


# --- Recycle reminders --------------------------------------------------------------------------


def recycle_key(lead_id: int, lost_at: datetime) -> str:
    """The dedupe key of a recycle: one per lead and loss."""
    return f"recycle:{lead_id}:{lost_at:%Y%m%d%H%M%S}"


def plan_recycle(session: Session, *, lead_id: int, member_id: int, due: datetime, lost_at: datetime) -> None:
    """The lead comes back to ``member_id`` at ``due`` (a live recycle of the lead is replaced)."""
    cancel_recycle(session, lead_id=lead_id, why="replaced by a newer loss")
    key = recycle_key(lead_id, lost_at)
    if session.exec(select(Reminder.id).where(Reminder.dedupe_key == key)).first() is not None:
        return
    session.add(
        Reminder(member_id=member_id, lead_id=lead_id, kind=ReminderKind.RECYCLE.value, due_at=due, dedupe_key=key)
    )


def cancel_recycle(session: Session, *, lead_id: int, why: str) -> None:
    cancel_live(session, lead_id=lead_id, kind=ReminderKind.RECYCLE, why=why)


def live_recycle(session: Session, *, lead_id: int) -> Reminder | None:
    statement = select(Reminder).where(
        Reminder.lead_id == lead_id, Reminder.kind == ReminderKind.RECYCLE.value, col(Reminder.state).in_(LIVE)
    )
    return session.exec(statement).first()


# --- Report ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CadenceRow:
    """One (cadence, script, variant, recycled, outcome) group of touches in a period."""

    cadence_id: str | None
    script_id: str | None
    variant: str | None
    recycled: bool
    outcome: str
    touches: int


def _between(column: Any, start: datetime | None, end: datetime | None) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    if start is not None:
        conditions.append(col(column) >= start)
    if end is not None:
        conditions.append(col(column) <= end)
    return conditions


def cadence_rows(
    session: Session, *, start: datetime | None, end: datetime | None, campaign: str | None = None
) -> list[CadenceRow]:
    """Touches per cadence, script, variant, recycled or not, and outcome, in the period."""
    keys = (
        col(Touch.cadence_id),
        col(Touch.script_id),
        col(Touch.variant),
        col(Touch.recycled),
        col(Touch.outcome),
    )
    conditions = _between(Touch.happened_at, start, end)
    if campaign is not None:
        conditions.append(col(Touch.campaign) == campaign)
    statement = columns(*keys, func.count()).where(*conditions).group_by(*keys)
    return [
        CadenceRow(row[0], row[1], row[2], bool(row[3]), str(row[4]), int(row[5])) for row in session.execute(statement)
    ]


def cadence_leads(
    session: Session, *, start: datetime | None, end: datetime | None, campaign: str | None = None
) -> tuple[list[tuple[str | None, int]], int]:
    """(cadence, distinct leads touched) in the period, and the distinct recycled leads touched."""
    conditions = _between(Touch.happened_at, start, end)
    if campaign is not None:
        conditions.append(col(Touch.campaign) == campaign)
    leads = func.count(func.distinct(col(Touch.lead_id)))
    statement = columns(col(Touch.cadence_id), leads).where(*conditions).group_by(col(Touch.cadence_id))
    per_cadence = [(row[0], int(row[1])) for row in session.execute(statement)]
    recycled = session.execute(columns(leads).where(*conditions, col(Touch.recycled))).scalar()
    return per_cadence, int(recycled or 0)


def event_counts(
    session: Session, *, start: datetime | None, end: datetime | None, campaign: str | None = None
) -> list[tuple[str, str | None, int]]:
    """(kind, to_cadence, events) in the period."""
    conditions = _between(CadenceEvent.at, start, end)
    if campaign is not None:
        conditions.append(col(CadenceEvent.campaign) == campaign)
    keys = (col(CadenceEvent.kind), col(CadenceEvent.to_cadence))
    statement = columns(*keys, func.count()).where(*conditions).group_by(*keys)
    return [(row[0], row[1], int(row[2])) for row in session.execute(statement)]


def recycles_due(session: Session) -> int:
    """Recycles still waiting (leads that will come back)."""
    statement = columns(func.count()).where(
        col(Reminder.kind) == ReminderKind.RECYCLE.value, col(Reminder.state).in_(LIVE)
    )
    return int(session.execute(statement).scalar() or 0)
