"""The report's metrics, each defined once, next to the event that creates it.

These docstrings are *the* definitions: the report (:mod:`bot.services.reports` and the queries of
:mod:`bot.storage.reporting`), the README and the tests refer to them. Each metric is created by one
kind of event and counted once per event:

- a **touch** (one outcome logged on one step of the cadence) creates an *attempt*, a *call* or a
  *message*, an *effective call* (connection), a *reply*, and — when the outcome is
  ``meeting_booked`` — an *SQL*;
- a **meeting row** creates an SQL only when it is a booking no touch recorded (see
  :func:`meeting_is_sql`), and a *held* meeting or a *no-show* when it is resolved;
- a **stage change** moves a lead up the funnel (*conversion per stage*).

The SQL ("agenda SQL", DESIGN §2) is *one booking*: a ``meeting_booked`` touch, or a meeting booked
without such a touch (from the lead card). A reschedule, and a re-booking after a no-show, continue
the same SQL: the old meeting points to the new one (``rescheduled_to``), and the new one is no new
SQL. :func:`link_booking` decides, for every meeting typed in, which of these it is.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from bot.domain.vocabulary import MESSAGE_CHANNELS, REACHED_OUTCOMES, Channel, MeetingStatus, Outcome, Stage

#: Outcomes where the prospect answered: the numerator of the reply rate.
REPLY_OUTCOMES = frozenset(
    {
        Outcome.REPLIED,
        Outcome.MEETING_BOOKED,
        Outcome.CONNECTED,
        Outcome.OBJECTION,
        Outcome.NOT_INTERESTED,
    }
)

# ------------------------------------------------------------------------------ touches


def is_attempt(outcome: str) -> bool:
    """An **attempt**: a touch whose step was done (any outcome but ``skipped``). A skipped step
    is no call and no message; it still shows the rep used the tool (adoption)."""
    return outcome != Outcome.SKIPPED


def is_call(channel: str, outcome: str) -> bool:
    """A **call made**: an attempt on the phone channel."""
    return channel == Channel.PHONE and is_attempt(outcome)


def is_message(channel: str, outcome: str) -> bool:
    """A **message sent**: an attempt by e-mail, WhatsApp or LinkedIn."""
    return channel in MESSAGE_CHANNELS and is_attempt(outcome)


def is_connection(channel: str, outcome: str) -> bool:
    """A **connection** (effective call): a call where a person was reached — connected,
    replied, meeting booked, objection or not interested. "Effective calls ÷ attempts" divides
    these by :func:`is_call`."""
    return is_call(channel, outcome) and outcome in REACHED_OUTCOMES


def is_reply(outcome: str) -> bool:
    """A **reply**: an attempt the prospect answered (replied, meeting booked, connected,
    objection, not interested), on any channel. The reply rate of a channel is replies ÷
    attempts on it; each touch is one attempt, so a lead answering twice is two replies to two
    attempts."""
    return is_attempt(outcome) and outcome in REPLY_OUTCOMES


def touch_is_sql(outcome: str) -> bool:
    """An **SQL** created by a touch: the outcome ``meeting_booked`` (from the step card, or
    after an objection). Counted for the touch's rep and campaign at the moment it happened,
    whether or not a date was typed for it (the meeting it books links to it and adds none)."""
    return outcome == Outcome.MEETING_BOOKED


# ------------------------------------------------------------------------------ meetings


def meeting_is_sql(*, booked_on_touch: bool, continues_another: bool) -> bool:
    """An **SQL** created by a meeting row: a meeting booked without a ``meeting_booked`` touch
    (``touch_id`` empty — the lead card's "Agendar reunião") that continues no other meeting
    (no meeting's ``rescheduled_to`` points to it). Counted for the meeting's rep and campaign
    at its ``created_at``. A meeting booked on a touch is that touch's SQL; a reschedule or a
    re-booking after a no-show is the SQL it continues."""
    return not booked_on_touch and not continues_another


def is_no_show(status: str) -> bool:
    """A **no-show**: a meeting that was due and did not happen (status ``no_show``), counted
    once per meeting by the moment it was to start. A re-booking after it keeps it a no-show."""
    return status == MeetingStatus.NO_SHOW


def is_held(status: str) -> bool:
    """A **held** meeting: status ``held``, by the moment it started."""
    return status == MeetingStatus.HELD


def no_show_rate(held: int, no_shows: int) -> float | None:
    """**No-show rate**: no-shows ÷ meetings that were due and resolved (held or no-show);
    rescheduled, cancelled and still scheduled meetings are neither."""
    return ratio(no_shows, held + no_shows)


def conversion(reached: int, reached_before: int) -> float | None:
    """**Conversion per funnel stage**: distinct leads that reached a stage in the period ÷
    distinct leads that reached the stage before it. A lead counts once per stage however many
    times it moved there, and a lead that skipped a stage passed through it."""
    return ratio(reached, reached_before)


def ratio(numerator: int, denominator: int) -> float | None:
    """``numerator ÷ denominator``, or ``None`` when there is nothing to divide by."""
    return numerator / denominator if denominator else None


# ------------------------------------------------------------------------------ bookings


@dataclass(frozen=True, slots=True)
class PastMeeting:
    """What the booking rule needs to know of one of the lead's meetings."""

    id: int
    status: str
    continued: bool
    """Another meeting already continues it (its ``rescheduled_to`` is set)."""


@dataclass(frozen=True, slots=True)
class Booking:
    """How a new meeting is tied to the SQL it belongs to."""

    touch_id: int | None = None
    """The ``meeting_booked`` touch that is this meeting's SQL."""
    continues: int | None = None
    """The meeting this one reschedules (or re-books after a no-show): the same SQL."""

    @property
    def new_sql(self) -> bool:
        """Whether the meeting is an SQL of its own (:func:`meeting_is_sql`)."""
        return meeting_is_sql(booked_on_touch=self.touch_id is not None, continues_another=self.continues is not None)


class CannotContinue(ValueError):
    """The meeting to reschedule was held, cancelled or already moved: a stale button."""


def can_continue(meeting: PastMeeting) -> bool:
    """A meeting can be rescheduled while it is scheduled, and re-booked after a no-show, once."""
    return not meeting.continued and meeting.status in (MeetingStatus.SCHEDULED, MeetingStatus.NO_SHOW)


def link_booking(
    *,
    stage: str,
    touch_id: int | None = None,
    unlinked_touches: Sequence[int] = (),
    moving: PastMeeting | None = None,
    meetings: Sequence[PastMeeting] = (),
) -> Booking:
    """Which SQL a meeting typed in for a lead belongs to.

    - ``moving`` (the "🔁 Remarcar" of the lead card, of the meeting check or of the no-show
      answer): the new meeting continues that one — no new SQL;
    - ``touch_id`` (the date typed right after "📅 Reunião agendada" on the step card or after
      an objection): that touch, if it is one of the lead's ``unlinked_touches``;
    - a lead already in "meeting booked" (the lead card's "Marcar data da reunião"): the newest
      of its ``meeting_booked`` touches no meeting links to yet (the rep cancelled the date
      question earlier); with none, a re-booking of its last meeting when that was a no-show not
      yet re-booked;
    - otherwise (the lead card's "Agendar reunião"): a new SQL.

    ``unlinked_touches`` are the lead's ``meeting_booked`` touches no meeting links to, oldest
    first; ``meetings`` the lead's meetings, oldest first.
    """
    if moving is not None:
        if not can_continue(moving):
            raise CannotContinue(f"meeting {moving.id} is {moving.status}")
        return Booking(continues=moving.id)
    if touch_id is not None and touch_id in unlinked_touches:
        return Booking(touch_id=touch_id)
    if stage == Stage.MEETING_BOOKED:
        if unlinked_touches:
            return Booking(touch_id=unlinked_touches[-1])
        if meetings and is_no_show(meetings[-1].status) and can_continue(meetings[-1]):
            return Booking(continues=meetings[-1].id)
    return Booking()


__all__ = [
    "REPLY_OUTCOMES",
    "Booking",
    "CannotContinue",
    "PastMeeting",
    "can_continue",
    "conversion",
    "is_attempt",
    "is_call",
    "is_connection",
    "is_held",
    "is_message",
    "is_no_show",
    "is_reply",
    "link_booking",
    "meeting_is_sql",
    "no_show_rate",
    "ratio",
    "touch_is_sql",
]
