"""Each metric definition of bot.domain.metrics against cases counted by hand."""

from __future__ import annotations

import pytest

from bot.domain import metrics
from bot.domain.metrics import Booking, CannotContinue, PastMeeting, link_booking
from bot.domain.vocabulary import Channel, MeetingStatus, Outcome, Stage

# One rep's day, as (channel, outcome): the counts below were made by hand.
DAY = [
    (Channel.PHONE, Outcome.NO_ANSWER),
    (Channel.PHONE, Outcome.NO_ANSWER),
    (Channel.PHONE, Outcome.CONNECTED),
    (Channel.PHONE, Outcome.MEETING_BOOKED),
    (Channel.PHONE, Outcome.WRONG_CONTACT),
    (Channel.PHONE, Outcome.SKIPPED),
    (Channel.PHONE, Outcome.NOT_INTERESTED),
    (Channel.EMAIL, Outcome.NO_ANSWER),
    (Channel.EMAIL, Outcome.REPLIED),
    (Channel.EMAIL, Outcome.SKIPPED),
    (Channel.WHATSAPP, Outcome.OBJECTION),
    (Channel.WHATSAPP, Outcome.MEETING_BOOKED),
    (Channel.LINKEDIN, Outcome.NO_ANSWER),
]


def count(test: object) -> int:
    return sum(1 for channel, outcome in DAY if test(channel, outcome))  # type: ignore[operator]


def test_attempts_calls_and_messages_leave_skipped_steps_out() -> None:
    assert count(lambda _c, o: metrics.is_attempt(o)) == 11
    assert count(metrics.is_call) == 6  # 7 phone touches, one skipped
    assert count(metrics.is_message) == 5  # 2 e-mails + 2 WhatsApp + 1 LinkedIn, skipped e-mail out


def test_a_connection_is_a_call_where_someone_was_reached() -> None:
    # connected, meeting booked, not interested; not: no answer ×2, wrong contact, skipped
    assert count(metrics.is_connection) == 3
    assert not metrics.is_connection(Channel.WHATSAPP, Outcome.REPLIED)  # a message is no call
    assert not metrics.is_connection(Channel.PHONE, Outcome.WRONG_CONTACT)


def test_a_reply_is_an_answered_attempt_on_any_channel() -> None:
    replies = {
        channel: sum(1 for c, o in DAY if c == channel and metrics.is_reply(o)) for channel in Channel
    }
    assert replies == {Channel.PHONE: 3, Channel.EMAIL: 1, Channel.WHATSAPP: 2, Channel.LINKEDIN: 0, Channel.VISIT: 0}
    assert not metrics.is_reply(Outcome.SKIPPED)
    assert not metrics.is_reply(Outcome.WRONG_CONTACT)


def test_an_sql_touch_is_a_meeting_booked_outcome() -> None:
    assert count(lambda _c, o: metrics.touch_is_sql(o)) == 2
    assert [o for o in Outcome if metrics.touch_is_sql(o)] == [Outcome.MEETING_BOOKED]


@pytest.mark.parametrize(
    ("booked_on_touch", "continues_another", "is_sql"),
    [
        (False, False, True),  # the lead card's "Agendar reunião"
        (True, False, False),  # the touch is the SQL
        (False, True, False),  # a reschedule / a re-booking after a no-show
        (True, True, False),
    ],
)
def test_a_meeting_is_an_sql_only_when_no_touch_and_no_other_meeting_made_it(
    booked_on_touch: bool, continues_another: bool, is_sql: bool
) -> None:
    assert metrics.meeting_is_sql(booked_on_touch=booked_on_touch, continues_another=continues_another) is is_sql


def test_sql_of_a_booking_rescheduled_twice_is_one() -> None:
    # The QA case: a meeting_booked touch, its meeting, two reschedules.
    touches = [Outcome.MEETING_BOOKED]
    meetings = [Booking(touch_id=1), Booking(continues=10), Booking(continues=11)]
    sql = sum(metrics.touch_is_sql(o) for o in touches) + sum(b.new_sql for b in meetings)
    assert sql == 1
    # The same from the lead card: the first meeting is the SQL.
    assert sum(b.new_sql for b in [Booking(), Booking(continues=10), Booking(continues=11)]) == 1


def test_no_show_rate_divides_by_meetings_held_or_missed() -> None:
    statuses = ["held", "held", "no_show", "rescheduled", "scheduled", "cancelled", "no_show", "held"]
    held = sum(metrics.is_held(s) for s in statuses)
    no_shows = sum(metrics.is_no_show(s) for s in statuses)
    assert (held, no_shows) == (3, 2)
    assert metrics.no_show_rate(held, no_shows) == pytest.approx(2 / 5)
    assert metrics.no_show_rate(0, 0) is None


def test_conversion_is_leads_reached_over_leads_at_the_stage_before() -> None:
    assert metrics.conversion(3, 12) == pytest.approx(0.25)
    assert metrics.conversion(0, 0) is None
    assert metrics.ratio(7, 2) == 3.5


# ------------------------------------------------------------------------------ booking rule

SCHEDULED = PastMeeting(10, MeetingStatus.SCHEDULED.value, continued=False)
NO_SHOW = PastMeeting(11, MeetingStatus.NO_SHOW.value, continued=False)
REBOOKED_NO_SHOW = PastMeeting(12, MeetingStatus.NO_SHOW.value, continued=True)
HELD = PastMeeting(13, MeetingStatus.HELD.value, continued=False)
MOVED = PastMeeting(14, MeetingStatus.RESCHEDULED.value, continued=True)


def test_the_date_typed_after_the_step_cards_button_links_to_its_touch() -> None:
    booking = link_booking(stage=Stage.MEETING_BOOKED, touch_id=7, unlinked_touches=[5, 7])
    assert booking == Booking(touch_id=7) and not booking.new_sql


def test_a_touch_already_linked_or_of_another_lead_is_not_taken() -> None:
    # Touch 9 is not among the lead's unlinked ones: the newest unlinked one is.
    assert link_booking(stage=Stage.MEETING_BOOKED, touch_id=9, unlinked_touches=[5]) == Booking(touch_id=5)
    assert link_booking(stage=Stage.CONNECTED, touch_id=9, unlinked_touches=[]) == Booking()


def test_the_lead_cards_date_for_a_booked_lead_links_to_its_unlinked_touch() -> None:
    assert link_booking(stage=Stage.MEETING_BOOKED, unlinked_touches=[3, 4]) == Booking(touch_id=4)


def test_the_lead_cards_agendar_reuniao_is_a_new_sql() -> None:
    booking = link_booking(stage=Stage.CONNECTED, meetings=[HELD])
    assert booking == Booking() and booking.new_sql


@pytest.mark.parametrize("moving", [SCHEDULED, NO_SHOW])
def test_a_reschedule_or_a_re_booking_after_a_no_show_continues_the_meeting(moving: PastMeeting) -> None:
    booking = link_booking(stage=Stage.MEETING_BOOKED, unlinked_touches=[3], moving=moving, meetings=[moving])
    assert booking == Booking(continues=moving.id) and not booking.new_sql


@pytest.mark.parametrize("moving", [REBOOKED_NO_SHOW, HELD, MOVED])
def test_a_meeting_held_or_already_moved_cannot_be_moved_again(moving: PastMeeting) -> None:
    assert not metrics.can_continue(moving)
    with pytest.raises(CannotContinue):
        link_booking(stage=Stage.MEETING_BOOKED, moving=moving, meetings=[moving])


def test_a_booked_lead_whose_last_meeting_was_a_no_show_re_books_it() -> None:
    assert link_booking(stage=Stage.MEETING_BOOKED, meetings=[MOVED, NO_SHOW]) == Booking(continues=NO_SHOW.id)
    # Re-booked once already, or the last meeting was held: a new SQL.
    assert link_booking(stage=Stage.MEETING_BOOKED, meetings=[REBOOKED_NO_SHOW]) == Booking()
    assert link_booking(stage=Stage.MEETING_BOOKED, meetings=[NO_SHOW, HELD]) == Booking()
