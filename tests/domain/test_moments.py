"""When a meeting date needs the rep's yes, and why (pure rules of bot.domain.moments)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from bot.domain.calendar import WorkingHours
from bot.domain.moments import (
    Doubt,
    InvalidMoment,
    Questionable,
    Reading,
    after_yes,
    parse_moment,
    question,
    result_allowed,
)

SP = ZoneInfo("America/Sao_Paulo")
# Wednesday 2 December 2026, 10:00 in São Paulo: QA's "today".
NOW = datetime(2026, 12, 2, 10, 0, tzinfo=SP)
HOURS = WorkingHours()  # São Paulo, UF SP, Monday to Friday


def judge(text: str, now: datetime = NOW, hours: WorkingHours = HOURS) -> Questionable | None:
    return question(parse_moment(text, now.astimezone(hours.zone)), now.astimezone(hours.zone), hours)


def test_a_passed_day_without_a_year_is_read_as_this_year_and_questioned() -> None:
    reading = parse_moment("25/11 14:30", NOW)
    assert reading == Reading(datetime(2026, 11, 25, 14, 30, tzinfo=SP), year_left_out=True)
    doubt = question(reading, NOW, HOURS)
    assert doubt == Questionable(Doubt.PAST_DAY, date(2026, 11, 25), datetime(2027, 11, 25, 14, 30, tzinfo=SP))


def test_yes_to_next_year_books_it_when_that_day_is_a_working_day() -> None:
    doubt = judge("25/11 14:30")
    assert doubt is not None
    assert after_yes(doubt, NOW, HOURS) is None  # 25/11/2027 is a Thursday


def test_yes_to_next_year_asks_again_when_that_day_is_a_holiday() -> None:
    doubt = judge("20/11 10h")  # Consciência Negra, national; 20/11/2027 is a Saturday, and a holiday
    assert doubt is not None and doubt.doubt is Doubt.PAST_DAY
    following = after_yes(doubt, NOW, HOURS)
    assert following == Questionable(
        Doubt.HOLIDAY,
        date(2027, 11, 20),
        datetime(2027, 11, 20, 10, tzinfo=SP),
        "Dia Nacional de Zumbi e da Consciência Negra",
    )
    assert after_yes(following, NOW, HOURS) is None


def test_today_or_a_later_day_without_a_year_is_not_questioned() -> None:
    assert judge("03/12 10h") is None  # Thursday
    assert judge("02/12 15h") is None  # today, later
    assert judge("01/12 10h") is not None  # yesterday: passed day


def test_a_passed_moment_with_the_year_or_today_is_refused() -> None:
    with pytest.raises(InvalidMoment, match="já passou"):
        judge("25/11/2026 14:30")
    with pytest.raises(InvalidMoment, match="já passou"):
        judge("02/12 09:00")
    with pytest.raises(InvalidMoment, match="já passou"):
        judge("hoje 9h")


def test_more_than_a_year_ahead_is_refused() -> None:
    with pytest.raises(InvalidMoment, match="mais de um ano"):
        judge("10/12/2027 10h")


@pytest.mark.parametrize(
    ("typed", "day"),
    [("05/12 10h", date(2026, 12, 5)), ("sábado 10h", date(2026, 12, 5)), ("06/12 10h", date(2026, 12, 6))],
)
def test_a_weekend_day_is_questioned(typed: str, day: date) -> None:
    doubt = judge(typed)
    assert doubt is not None
    assert (doubt.doubt, doubt.day, doubt.moment.date(), doubt.holiday) == (Doubt.DAY_OFF, day, day, None)
    assert after_yes(doubt, NOW, HOURS) is None


def test_a_rep_who_works_saturdays_is_not_asked_about_saturday() -> None:
    six_days = WorkingHours(workdays=frozenset(range(6)))
    assert judge("05/12 10h", hours=six_days) is None
    assert judge("06/12 10h", hours=six_days) is not None


def test_a_national_holiday_is_questioned_by_name() -> None:
    doubt = judge("25/12 10h")
    assert doubt == Questionable(Doubt.HOLIDAY, date(2026, 12, 25), datetime(2026, 12, 25, 10, tzinfo=SP), "Natal")


def test_a_holiday_is_named_in_english_for_english_users() -> None:
    reading = parse_moment("25/12 10h", NOW)
    doubt = question(reading, NOW, HOURS, language="en_US")
    assert doubt is not None and doubt.holiday == "Christmas Day"


def test_a_state_holiday_counts_only_in_its_state() -> None:
    now = datetime(2027, 6, 1, 10, tzinfo=SP)
    doubt = judge("09/07 10h", now=now)  # Revolução Constitucionalista, SP; a Friday in 2027
    assert doubt is not None and doubt.doubt is Doubt.HOLIDAY and "Constitucionalista" in (doubt.holiday or "")
    assert judge("09/07 10h", now=now, hours=WorkingHours(uf="RJ")) is None
    rj = judge("23/04 10h", now=datetime(2027, 3, 1, 10, tzinfo=SP), hours=WorkingHours(uf="RJ"))
    assert rj is not None and rj.doubt is Doubt.HOLIDAY and "Jorge" in (rj.holiday or "")
    assert judge("23/04 10h", now=datetime(2027, 3, 1, 10, tzinfo=SP)) is None  # São Jorge is RJ's, not SP's


def test_the_rep_s_own_day_counts_in_every_time_zone() -> None:
    manaus = WorkingHours(timezone="America/Manaus", uf="AM")
    zone = ZoneInfo("America/Manaus")
    # 02/12 01:30 UTC is still 01/12 21:30 in Manaus: "01/12 22h" is later today, not a passed day.
    late = datetime(2026, 12, 2, 1, 30, tzinfo=UTC)
    assert judge("01/12 22h", now=late, hours=manaus) is None
    # 25/12 00:30 in Manaus is Christmas (04:30 UTC); 24/12 23:30 there is not (25/12 03:30 UTC).
    christmas = judge("25/12 00:30", hours=manaus)
    assert christmas is not None and christmas.doubt is Doubt.HOLIDAY
    assert christmas.moment == datetime(2026, 12, 25, 4, 30, tzinfo=UTC)
    assert judge("24/12 23:30", hours=manaus) is None
    assert parse_moment("24/12 23:30", NOW.astimezone(zone)).moment.utcoffset() == zone.utcoffset(
        datetime(2026, 12, 24)
    )
    noronha = WorkingHours(timezone="America/Noronha", uf="PE")
    at_noronha = judge("05/12 09h", hours=noronha)
    assert at_noronha is not None and at_noronha.doubt is Doubt.DAY_OFF


def test_a_yes_given_too_late_is_refused() -> None:
    doubt = judge("05/12 10h")
    assert doubt is not None
    with pytest.raises(InvalidMoment, match="já passou"):
        after_yes(doubt, datetime(2026, 12, 5, 11, tzinfo=SP), HOURS)


def test_29_february_without_a_year_in_a_year_without_one_does_not_exist() -> None:
    with pytest.raises(InvalidMoment, match="não existe"):
        judge("29/02 10h")


def test_a_passed_29_february_whose_next_year_has_none_is_refused() -> None:
    now = datetime(2028, 3, 10, 10, tzinfo=SP)
    with pytest.raises(InvalidMoment, match="já passou"):
        judge("29/02 10h", now=now)


def test_a_result_only_once_the_meeting_has_started() -> None:
    starts = datetime(2026, 12, 4, 10, tzinfo=SP)
    assert not result_allowed(starts, datetime(2026, 12, 4, 9, 59, tzinfo=SP))
    assert result_allowed(starts, starts)
    assert result_allowed(starts, datetime(2026, 12, 4, 13, 1, tzinfo=UTC))
    assert not result_allowed(starts, datetime(2026, 12, 4, 12, 59, tzinfo=UTC))
