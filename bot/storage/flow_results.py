"""Storage of flow endings (``flow_results``): how each run of a conversation flow ended.

Keyword-only functions that take the session and never commit: the service's transaction does
(the ending commits with the lead, meeting or note it records). :func:`flow_ending` is the
read every update of an open flow makes (one primary-key read).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlmodel import Session

from bot.storage.models import FlowResult


def add_flow_result(
    session: Session,
    *,
    flow_id: str,
    member_id: int,
    kind: str,
    lead_id: int | None,
    result_id: int | None,
    at: datetime,
) -> FlowResult:
    """Record how flow run ``flow_id`` ended (its primary key refuses a second ending)."""
    row = FlowResult(flow_id=flow_id, member_id=member_id, kind=kind, lead_id=lead_id, result_id=result_id, at=at)
    session.add(row)
    session.flush()
    return row


def get_flow_result(session: Session, *, flow_id: str) -> FlowResult | None:
    return session.get(FlowResult, flow_id)


def flow_ending(session: Session, *, flow_id: str) -> tuple[str, int | None, int | None] | None:
    """How flow run ``flow_id`` ended (its kind, lead id and result id), or ``None`` while it is
    open."""
    flows = FlowResult.__table__.c  # type: ignore[attr-defined]
    row = session.execute(select(flows.kind, flows.lead_id, flows.result_id).where(flows.flow_id == flow_id)).first()
    return None if row is None else (str(row[0]), row[1], row[2])
