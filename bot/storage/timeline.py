"""What happened to one lead, read for its timeline (:mod:`bot.services.timeline`): its touches,
stage changes, meetings and tasks, each by the lead's indexed ``lead_id``.

Keyword-only, the session first.
"""

from __future__ import annotations

from sqlalchemy import func
from sqlmodel import Session, col, select

from bot.storage.models import FitOverride, Meeting, OwnerChange, StageChange, Task, Touch


def touches_of(session: Session, *, lead_id: int) -> list[Touch]:
    return list(session.exec(select(Touch).where(col(Touch.lead_id) == lead_id).order_by(col(Touch.id))))


def stage_changes_of(session: Session, *, lead_id: int) -> list[StageChange]:
    statement = select(StageChange).where(col(StageChange.lead_id) == lead_id).order_by(col(StageChange.id))
    return list(session.exec(statement))


def meetings_of(session: Session, *, lead_id: int) -> list[Meeting]:
    return list(session.exec(select(Meeting).where(col(Meeting.lead_id) == lead_id).order_by(col(Meeting.id))))


def tasks_of(session: Session, *, lead_id: int) -> list[Task]:
    return list(session.exec(select(Task).where(col(Task.lead_id) == lead_id).order_by(col(Task.id))))


def fit_overrides_of(session: Session, *, lead_id: int) -> list[FitOverride]:
    statement = select(FitOverride).where(col(FitOverride.lead_id) == lead_id).order_by(col(FitOverride.id))
    return list(session.exec(statement))


def owner_changes_of(session: Session, *, lead_id: int) -> list[OwnerChange]:
    statement = select(OwnerChange).where(col(OwnerChange.lead_id) == lead_id).order_by(col(OwnerChange.id))
    return list(session.exec(statement))


def latest_touch_id(session: Session, *, lead_id: int) -> int | None:
    """The id of the lead's last touch (what a "resume after this reply" must still be)."""
    return session.exec(select(func.max(Touch.id)).where(col(Touch.lead_id) == lead_id)).one()
