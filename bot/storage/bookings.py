"""What the booking rule (:func:`bot.domain.metrics.link_booking`) needs to know of one lead:
its ``meeting_booked`` touches no meeting links to yet, and its meetings. Keyword-only, the
session first; both read a handful of rows through the lead's indexes."""

from __future__ import annotations

from sqlalchemy import select
from sqlmodel import Session, col

from bot.domain.metrics import PastMeeting
from bot.domain.vocabulary import Outcome
from bot.storage.models import Meeting, Touch


def unlinked_booking_touches(session: Session, *, lead_id: int) -> list[int]:
    """Ids of the lead's ``meeting_booked`` touches that no meeting links to, oldest first."""
    linked = select(col(Meeting.touch_id)).where(
        col(Meeting.lead_id) == lead_id, col(Meeting.touch_id).is_not(None)
    )
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


__all__ = ["past_meetings", "unlinked_booking_touches"]
