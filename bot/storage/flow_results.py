"""Storage of flow endings (``flow_results``): how each run of a conversation flow ended.

Keyword-only functions that take the session and never commit: the service's transaction does
(the ending commits with the lead, meeting or note it records). The hot read of an ending,
outside any transaction, is :func:`bot.storage.repo.flow_ending`.
"""

from __future__ import annotations

from datetime import datetime

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
