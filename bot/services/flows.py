"""Exactly-once flow endings.

A conversation flow (/novo, editing a lead's facts, a meeting date, a note, custom working
hours) ends by writing something. The conversation's state is saved a moment *after* the
bot answers (see :mod:`bot.tg.persistence`), so a process killed in that moment restarts
with the flow still open, and the rep's next message would be taken as the last answer
again: a second lead, a second meeting.

So every run of a flow carries an id (minted when it starts, kept in the rep's persisted
user data), and the service that writes the flow's result calls :func:`record_ending` in the
same transaction: the ``flow_results`` row and the lead (meeting, note…) commit together or not
at all. After a restart the adapter asks :func:`ending` before treating a message as an
answer; a recorded run is over, whatever the saved conversation state says.
"""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING

from bot.services.runtime import Runtime
from bot.services.views import MemberLike
from bot.storage import flow_results as store
from bot.storage.flow_results import FlowEnding

if TYPE_CHECKING:
    from sqlmodel import Session

__all__ = ["FlowEnded", "FlowEnding", "FlowKind", "ending", "record_ending"]


class FlowKind(StrEnum):
    """What a flow ended by writing (``flow_results.kind``)."""

    LEAD = "lead"
    """/novo: ``result_id`` is the new lead."""
    FACTS = "facts"
    """✏️ edit facts: ``result_id`` is the lead."""
    MEETING = "meeting"
    """A meeting date: ``result_id`` is the meeting."""
    NOTE = "note"
    """A note on a touch: ``result_id`` is the touch."""
    HOURS = "hours"
    """Custom working hours: ``result_id`` is the member."""
    TASK = "task"
    """A follow-up ("⏰ Retorno"): ``result_id`` is the task."""
    CONTACT = "contact"
    """A contact typed after "Contato errado" or "Adicionar contato": ``result_id`` is the contact."""


class FlowEnded(Exception):
    """This run of a flow already ended (the transaction that raised it writes nothing)."""

    def __init__(self, flow_id: str, ended: FlowEnding) -> None:
        super().__init__(f"flow {flow_id} already ended with {ended.kind} {ended.result_id}")
        self.ending = ended


def record_ending(
    session: Session,
    runtime: Runtime,
    flow_id: str | None,
    member: MemberLike,
    kind: FlowKind,
    *,
    lead_id: int | None,
    result_id: int | None,
) -> None:
    """Record, in the caller's transaction, that run ``flow_id`` ended by writing ``result_id``.

    :class:`FlowEnded` if it had already ended: the caller's transaction then rolls back, so
    nothing is written twice. ``flow_id`` ``None``: a write outside any flow (nothing recorded).
    """
    if flow_id is None:
        return
    earlier = store.get_flow_result(session, flow_id=flow_id)
    if earlier is not None:
        raise FlowEnded(flow_id, FlowEnding(earlier.kind, earlier.lead_id, earlier.result_id))
    store.add_flow_result(
        session,
        flow_id=flow_id,
        member_id=member.id or 0,
        kind=kind.value,
        lead_id=lead_id,
        result_id=result_id,
        at=runtime.now(),
    )


def ending(runtime: Runtime, flow_id: str) -> FlowEnding | None:
    """How run ``flow_id`` ended, or ``None`` while it is still open."""
    with runtime.reading() as session:
        return store.flow_ending(session, flow_id=flow_id)
