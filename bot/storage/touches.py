"""Touches and meetings: what a rep logged of a lead and the meetings booked with it.

Keyword-only, the session first; new rows are flushed (the caller needs their ids), nothing is
committed here. The booking rule (:func:`bot.domain.metrics.link_booking`) needs two reads of
one lead — its ``meeting_booked`` touches no meeting links to yet, and its meetings — both a
handful of rows through the lead's indexes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlmodel import Session, col

from bot.domain.metrics import PastMeeting
from bot.domain.vocabulary import Outcome
from bot.storage.models import Lead, Meeting, Touch

# --- Touches ----------------------------------------------------------------------------------


def add_touch(session: Session, *, touch: Touch) -> Touch:
    """Record one touch (build it with the model; it carries the playbook version it used)."""
    session.add(touch)
    session.flush()
    return touch


def get_touch(session: Session, *, touch_id: int) -> Touch | None:
    return session.get(Touch, touch_id)


def save_touch(session: Session, *, touch: Touch) -> None:
    """Keep the changes made to ``touch`` in this transaction (an answer, a note)."""
    session.add(touch)


def unlinked_booking_touches(session: Session, *, lead_id: int) -> list[int]:
    """Ids of the lead's ``meeting_booked`` touches that no meeting links to, oldest first."""
    linked = select(col(Meeting.touch_id)).where(col(Meeting.lead_id) == lead_id, col(Meeting.touch_id).is_not(None))
    statement = (
        select(col(Touch.id))
        .where(
            col(Touch.lead_id) == lead_id,
            col(Touch.outcome) == Outcome.MEETING_BOOKED.value,
            col(Touch.id).not_in(linked),
        )
        .order_by(col(Touch.happened_at), col(Touch.id))
    )
    return [int(row[0]) for row in session.execute(statement)]


# --- Meetings ---------------------------------------------------------------------------------


def add_meeting(session: Session, *, meeting: Meeting) -> Meeting:
    session.add(meeting)
    session.flush()
    return meeting


def get_meeting(session: Session, *, meeting_id: int) -> Meeting | None:
    return session.get(Meeting, meeting_id)


def save_meeting(session: Session, *, meeting: Meeting) -> None:
    """Keep the changes made to ``meeting`` in this transaction (its result, its successor)."""
    session.add(meeting)


def past_meetings(session: Session, *, lead_id: int) -> list[PastMeeting]:
    """The lead's meetings, oldest first, with whether another meeting continues each."""
    statement = (
        select(col(Meeting.id), col(Meeting.status), col(Meeting.rescheduled_to))
        .where(col(Meeting.lead_id) == lead_id)
        .order_by(col(Meeting.created_at), col(Meeting.id))
    )
    return [
        PastMeeting(int(meeting_id), str(status), moved_to is not None)
        for meeting_id, status, moved_to in session.execute(statement)
    ]


def meetings_between(
    session: Session, *, rep_id: int, status: str, start: datetime, end: datetime
) -> list[tuple[Meeting, str]]:
    """The rep's meetings in ``status`` starting in [``start``, ``end``), in time order, each
    with its lead's company."""
    statement = (
        select(Meeting, col(Lead.company))
        .join(Lead, col(Lead.id) == col(Meeting.lead_id))
        .where(
            col(Meeting.rep_id) == rep_id,
            col(Meeting.status) == status,
            col(Meeting.starts_at) >= start,
            col(Meeting.starts_at) < end,
        )
        .order_by(col(Meeting.starts_at))
    )
    return [(meeting, str(company)) for meeting, company in session.execute(statement)]


@dataclass(frozen=True, slots=True)
class ScheduledMeeting:
    id: int
    starts_at: datetime


def scheduled_meeting(session: Session, *, lead_id: int, status: str) -> ScheduledMeeting | None:
    """The lead's latest meeting in ``status`` (the one still to happen: "scheduled"), or ``None``.
    Read on nearly every step card, so only two columns, by ``ix_meetings_lead``."""
    meetings = Meeting.__table__.c  # type: ignore[attr-defined]
    row = session.execute(
        select(meetings.id, meetings.starts_at)
        .where(meetings.lead_id == lead_id, meetings.status == status)
        .order_by(meetings.starts_at.desc())
        .limit(1)
    ).first()
    return ScheduledMeeting(int(row[0]), row[1]) if row else None


__all__ = [
    "ScheduledMeeting",
    "add_meeting",
    "add_touch",
    "get_meeting",
    "get_touch",
    "meetings_between",
    "past_meetings",
    "save_meeting",
    "save_touch",
    "scheduled_meeting",
    "unlinked_booking_touches",
]
