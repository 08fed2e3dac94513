"""Objections raised on touches and what followed: the SQL of :mod:`bot.services.objection_results`.

A touch records the objection the rep picked (``touches.objection``) with its outcome: the
answer led to a meeting (``meeting_booked``), the cadence went on (``objection``), or the lead
was lost (``not_interested``). Conventions of :mod:`bot.storage.leads`.
"""

from __future__ import annotations

from sqlalchemy import case, func
from sqlmodel import Session, col, select

from bot.storage.models import Touch


def objection_counts(
    session: Session, *, booked_outcome: str, rep_id: int | None = None
) -> list[tuple[str, str, int, int]]:
    """(objection, playbook version, touches that raised it, of which booked a meeting)."""
    booked = func.sum(case((col(Touch.outcome) == booked_outcome, 1), else_=0))
    statement = (
        select(col(Touch.objection), col(Touch.playbook_version), func.count(), booked)
        .where(col(Touch.objection).is_not(None))
        .group_by(col(Touch.objection), col(Touch.playbook_version))
    )
    if rep_id is not None:
        statement = statement.where(col(Touch.rep_id) == rep_id)
    return [(str(o), str(v), int(n), int(b or 0)) for o, v, n, b in session.exec(statement).all()]
