"""The business calendar: business days, holidays, working hours and time zones.

Week of reference (2026): Mon 16/11 … Thu 19/11, Fri 20/11 (Consciência Negra), Mon 23/11.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from bot.domain import calendar as business_calendar
from bot.domain.calendar import (
    WorkingHours,
    add_business_days,
    business_days_between,
    holiday_name,
    is_business_day,
    local_day,
    next_business_day_start,
    next_working_moment,
    start_of_business_day,
)

SP = WorkingHours()
RJ = WorkingHours(uf="RJ")
BA = WorkingHours(uf="BA")
NATIONAL = WorkingHours(uf=None)
NORONHA = WorkingHours(timezone="America/Noronha", uf="PE")  # UTC−2
MANAUS = WorkingHours(timezone="America/Manaus", uf="AM")  # UTC−4
ACRE = WorkingHours(timezone="America/Rio_Branco", uf="AC")  # UTC−5
MORNINGS = WorkingHours(start=time(8), end=time(12))
SIX_DAYS = WorkingHours(workdays=frozenset({0, 1, 2, 3, 4, 5}))


def d(text: str) -> date:
    return date.fromisoformat(text)


def local(hours: WorkingHours, text: str) -> datetime:
    """An aware instant from the rep's local wall-clock time, e.g. ``"2026-11-16 09:00"``."""
    return datetime.fromisoformat(text).replace(tzinfo=ZoneInfo(hours.timezone))


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def assert_utc(instant: datetime) -> None:
    assert instant.tzinfo is UTC


# --- business days and holidays -------------------------------------------------------------


@pytest.mark.parametrize(
    ("hours", "day", "expected"),
    [
        # weekdays and weekends
        (SP, "2026-11-16", True),  # Monday
        (SP, "2026-11-19", True),  # Thursday
        (SP, "2026-11-21", False),  # Saturday
        (SP, "2026-11-22", False),  # Sunday
        # national holidays
        (SP, "2026-11-20", False),  # Consciência Negra, national since 2024
        (SP, "2026-12-25", False),  # Natal
        (SP, "2027-01-01", False),  # Confraternização Universal
        (SP, "2026-04-21", False),  # Tiradentes
        (SP, "2026-04-03", False),  # Sexta-feira Santa
        (NATIONAL, "2026-11-20", False),
        (SP, "2023-11-20", True),  # before the national law, not a holiday in SP state
        # pontos facultativos are working days
        (SP, "2026-02-16", True),  # Carnival Monday
        (SP, "2026-02-17", True),  # Carnival Tuesday
        (SP, "2026-02-18", True),  # Ash Wednesday
        (SP, "2026-06-04", True),  # Corpus Christi
        (SP, "2026-12-24", True),  # Christmas Eve
        (SP, "2026-12-31", True),  # New Year's Eve
        # ... unless the state makes them public holidays
        (RJ, "2026-02-17", False),  # Carnival Tuesday is a state holiday in RJ
        (RJ, "2026-02-16", True),
        # state holidays apply to that state only
        (SP, "2026-07-09", False),  # Revolução Constitucionalista
        (RJ, "2026-07-09", True),
        (NATIONAL, "2026-07-09", True),
        (RJ, "2026-04-23", False),  # São Jorge
        (SP, "2026-04-23", True),
        (BA, "2026-07-02", False),  # Independência da Bahia
        (SP, "2026-07-02", True),
        (ACRE, "2026-06-15", False),  # Aniversário do Acre
        (SP, "2026-06-15", True),
        # custom working weekdays
        (SIX_DAYS, "2026-11-21", True),  # Saturday
        (SIX_DAYS, "2026-11-22", False),  # Sunday
        (SIX_DAYS, "2026-11-20", False),  # still a holiday
    ],
)
def test_is_business_day(hours: WorkingHours, day: str, expected: bool) -> None:
    assert is_business_day(d(day), hours) is expected


@pytest.mark.parametrize(
    ("hours", "day", "expected"),
    [
        (SP, "2026-11-20", "Dia Nacional de Zumbi e da Consciência Negra"),
        (SP, "2026-07-09", "Revolução Constitucionalista"),
        (RJ, "2026-04-23", "São Jorge"),
        (BA, "2026-07-02", "Independência da Bahia"),
        (RJ, "2026-02-17", "Carnaval"),
        (SP, "2026-04-21", "Tiradentes"),
        (SP, "2027-01-01", "Confraternização Universal"),
        (SP, "2026-11-15", "Proclamação da República"),  # a Sunday: still named
        (SP, "2026-02-17", None),  # Carnival is not a public holiday in SP
        (RJ, "2026-07-09", None),  # another state's holiday
        (SP, "2026-11-19", None),
        (SP, "2026-11-21", None),  # a plain Saturday is not a holiday
    ],
)
def test_holiday_name(hours: WorkingHours, day: str, expected: str | None) -> None:
    assert holiday_name(d(day), hours) == expected


def test_holiday_sets_are_built_once_per_uf_and_year(monkeypatch: pytest.MonkeyPatch) -> None:
    built: list[tuple[str | None, int]] = []
    original = business_calendar.holidays.country_holidays

    def counting(country: str, **kwargs: object) -> object:
        built.append((kwargs["subdiv"], kwargs["years"]))  # type: ignore[arg-type]
        return original(country, **kwargs)  # type: ignore[arg-type]

    business_calendar._holidays.cache_clear()
    monkeypatch.setattr(business_calendar.holidays, "country_holidays", counting)
    try:
        for offset in range(730):
            day = date(2026, 1, 1) + timedelta(days=offset)
            is_business_day(day, SP)
            is_business_day(day, WorkingHours(uf="SP", start=time(7)))  # same UF, other hours
            is_business_day(day, RJ)
        assert sorted(built, key=str) == sorted(
            [("SP", 2026), ("SP", 2027), ("RJ", 2026), ("RJ", 2027)], key=str
        )
    finally:
        business_calendar._holidays.cache_clear()


# --- working hours -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("hours", "instant", "expected"),
    [
        (SP, "2026-11-16 09:00", "2026-11-16 09:00"),  # start is inside
        (SP, "2026-11-16 08:59:59", "2026-11-16 09:00"),
        (SP, "2026-11-16 00:00", "2026-11-16 09:00"),
        (SP, "2026-11-16 12:34:56.789", "2026-11-16 12:34:56.789"),
        (SP, "2026-11-16 17:59", "2026-11-16 17:59"),  # still inside
        (SP, "2026-11-16 17:59:59.999999", "2026-11-16 17:59:59.999999"),
        (SP, "2026-11-16 18:00", "2026-11-17 09:00"),  # end is outside
        (SP, "2026-11-16 22:00", "2026-11-17 09:00"),
        (SP, "2026-11-13 18:00", "2026-11-16 09:00"),  # Friday evening → Monday
        (SP, "2026-11-21 14:00", "2026-11-23 09:00"),  # Saturday → Monday
        (SP, "2026-11-19 18:30", "2026-11-23 09:00"),  # Friday is Consciência Negra
        (SP, "2026-11-20 10:00", "2026-11-23 09:00"),  # during the holiday
        (SP, "2026-12-31 18:00", "2027-01-04 09:00"),  # year boundary, 01/01 is a Friday
        (MORNINGS, "2026-11-16 07:59", "2026-11-16 08:00"),
        (MORNINGS, "2026-11-16 11:59", "2026-11-16 11:59"),
        (MORNINGS, "2026-11-16 12:00", "2026-11-17 08:00"),
        (MORNINGS, "2026-11-16 15:00", "2026-11-17 08:00"),
    ],
)
def test_next_working_moment(hours: WorkingHours, instant: str, expected: str) -> None:
    result = next_working_moment(local(hours, instant), hours)
    assert_utc(result)
    assert result == local(hours, expected)


# --- time zones ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("hours", "instant", "expected"),
    [
        # 2026-11-17 11:00Z is 09:00 in Noronha, 08:00 in São Paulo, 07:00 in Manaus, 06:00 in Acre.
        (NORONHA, "2026-11-17 11:00", "2026-11-17 11:00"),
        (SP, "2026-11-17 11:00", "2026-11-17 12:00"),
        (MANAUS, "2026-11-17 11:00", "2026-11-17 13:00"),
        (ACRE, "2026-11-17 11:00", "2026-11-17 14:00"),
        # 13:30Z: 08:30 in Acre (before start), 10:30 in São Paulo (inside).
        (ACRE, "2026-11-17 13:30", "2026-11-17 14:00"),
        (SP, "2026-11-17 13:30", "2026-11-17 13:30"),
        # 20:30Z is 18:30 in Noronha (after end) but inside hours further west.
        (NORONHA, "2026-11-17 20:30", "2026-11-18 11:00"),
        (SP, "2026-11-17 20:30", "2026-11-17 20:30"),
        (MANAUS, "2026-11-17 20:30", "2026-11-17 20:30"),
        (ACRE, "2026-11-17 20:30", "2026-11-17 20:30"),
        # 22:59Z is 17:59 in Acre (inside), 23:00Z is 18:00 (outside).
        (ACRE, "2026-11-17 22:59", "2026-11-17 22:59"),
        (ACRE, "2026-11-17 23:00", "2026-11-18 14:00"),
    ],
)
def test_same_utc_instant_differs_per_time_zone(
    hours: WorkingHours, instant: str, expected: str
) -> None:
    result = next_working_moment(utc(instant), hours)
    assert_utc(result)
    assert result == utc(expected)


@pytest.mark.parametrize(
    ("hours", "expected_utc"),
    [
        (NORONHA, "2026-11-17 11:00"),
        (SP, "2026-11-17 12:00"),
        (MANAUS, "2026-11-17 13:00"),
        (ACRE, "2026-11-17 14:00"),
        (MORNINGS, "2026-11-17 11:00"),
    ],
)
def test_start_of_business_day(hours: WorkingHours, expected_utc: str) -> None:
    result = start_of_business_day(d("2026-11-17"), hours)
    assert_utc(result)
    assert result == utc(expected_utc)


def test_start_of_business_day_follows_historical_daylight_saving() -> None:
    # São Paulo observed DST (UTC−2) until February 2019.
    assert start_of_business_day(d("2018-12-03"), SP) == utc("2018-12-03 11:00")
    assert start_of_business_day(d("2018-07-02"), SP) == utc("2018-07-02 12:00")


@pytest.mark.parametrize(
    ("hours", "instant", "expected"),
    [
        (SP, "2026-11-18 02:30", "2026-11-17"),  # 23:30 the day before
        (NORONHA, "2026-11-18 02:30", "2026-11-18"),  # 00:30
        (ACRE, "2026-11-18 04:59", "2026-11-17"),  # 23:59
        (ACRE, "2026-11-18 05:00", "2026-11-18"),  # 00:00
    ],
)
def test_local_day(hours: WorkingHours, instant: str, expected: str) -> None:
    assert local_day(utc(instant), hours) == d(expected)


def test_instants_in_any_offset_are_accepted() -> None:
    # 10:00 in Lisbon (UTC+0 in November) is 07:00 in São Paulo.
    lisbon = datetime(2026, 11, 16, 10, 0, tzinfo=ZoneInfo("Europe/Lisbon"))
    fixed = datetime(2026, 11, 16, 11, 0, tzinfo=timezone(timedelta(hours=1)))
    assert next_working_moment(lisbon, SP) == local(SP, "2026-11-16 09:00")
    assert next_working_moment(fixed, SP) == local(SP, "2026-11-16 09:00")


# --- due dates -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("hours", "instant", "days", "expected"),
    [
        # weekends
        (SP, "2026-11-13 10:00", 1, "2026-11-16 10:00"),  # Friday + 1 → Monday
        (SP, "2026-11-16 10:00", 1, "2026-11-17 10:00"),
        (SP, "2026-11-16 10:00", 5, "2026-11-24 10:00"),  # skips the weekend and 20/11
        # national holidays
        (SP, "2026-11-19 10:00", 1, "2026-11-23 10:00"),  # Consciência Negra
        (SP, "2026-12-24 15:00", 1, "2026-12-28 15:00"),  # Natal
        (SP, "2026-04-20 10:00", 1, "2026-04-22 10:00"),  # Tiradentes
        # Carnival: a working day in SP, Tuesday is a state holiday in RJ
        (SP, "2026-02-13 10:00", 1, "2026-02-16 10:00"),
        (SP, "2026-02-16 10:00", 1, "2026-02-17 10:00"),
        (RJ, "2026-02-16 10:00", 1, "2026-02-18 10:00"),
        # state holidays, and other states' holidays not skipped
        (SP, "2026-07-08 10:00", 1, "2026-07-10 10:00"),  # SP 09/07
        (RJ, "2026-07-08 10:00", 1, "2026-07-09 10:00"),
        (RJ, "2026-04-22 10:00", 1, "2026-04-24 10:00"),  # RJ 23/04 São Jorge
        (SP, "2026-04-22 10:00", 1, "2026-04-23 10:00"),
        (BA, "2026-07-01 10:00", 1, "2026-07-03 10:00"),  # BA 02/07
        (SP, "2026-07-01 10:00", 1, "2026-07-02 10:00"),
        # year boundary
        (SP, "2026-12-30 11:00", 1, "2026-12-31 11:00"),
        (SP, "2026-12-30 11:00", 2, "2027-01-04 11:00"),  # 01/01 and the weekend
        (SP, "2026-12-31 17:00", 1, "2027-01-04 17:00"),
        # long delays across holidays
        (SP, "2026-11-03 10:00", 20, "2026-12-02 10:00"),  # skips 20/11
        (SP, "2026-12-14 10:00", 20, "2027-01-13 10:00"),  # skips 25/12 and 01/01
        # working-hour edges
        (SP, "2026-11-16 09:00", 1, "2026-11-17 09:00"),
        (SP, "2026-11-16 17:59", 1, "2026-11-17 17:59"),
        (SP, "2026-11-16 18:00", 1, "2026-11-18 09:00"),  # counts from Tue 09:00
        (SP, "2026-11-16 22:00", 1, "2026-11-18 09:00"),
        (SP, "2026-11-16 07:00", 1, "2026-11-17 09:00"),  # counts from Mon 09:00
        (SP, "2026-11-21 14:00", 1, "2026-11-24 09:00"),  # Saturday counts from Monday 09:00
        (SP, "2026-11-20 14:00", 1, "2026-11-24 09:00"),  # on the holiday itself
        # delay 0: as soon as the rep works
        (SP, "2026-11-21 14:00", 0, "2026-11-23 09:00"),  # Saturday
        (SP, "2026-11-16 10:00", 0, "2026-11-16 10:00"),
        (SP, "2026-11-13 18:00", 0, "2026-11-16 09:00"),
        # custom hours and weekdays
        (MORNINGS, "2026-11-16 11:30", 1, "2026-11-17 11:30"),
        (MORNINGS, "2026-11-16 12:00", 1, "2026-11-18 08:00"),
        (MORNINGS, "2026-11-16 07:00", 0, "2026-11-16 08:00"),
        (SIX_DAYS, "2026-11-13 10:00", 1, "2026-11-14 10:00"),  # Friday + 1 → Saturday
        (SIX_DAYS, "2026-11-19 10:00", 1, "2026-11-21 10:00"),
        # other time zones, in local time
        (ACRE, "2026-11-19 17:00", 1, "2026-11-23 17:00"),
        (ACRE, "2026-11-16 08:30", 1, "2026-11-17 09:00"),
        (NORONHA, "2026-11-13 09:00", 1, "2026-11-16 09:00"),
        (MANAUS, "2026-11-16 17:59", 2, "2026-11-18 17:59"),
    ],
)
def test_add_business_days(hours: WorkingHours, instant: str, days: int, expected: str) -> None:
    result = add_business_days(local(hours, instant), days, hours)
    assert_utc(result)
    assert result == local(hours, expected)


@pytest.mark.parametrize(
    ("hours", "expected_utc"),
    [
        # 2026-11-19 22:00Z: 17:00 Thursday in Acre, 19:00 in São Paulo (after hours).
        (ACRE, "2026-11-23 22:00"),  # Monday 17:00 in Acre
        (SP, "2026-11-24 12:00"),  # counts from Monday 09:00 → Tuesday 09:00
    ],
)
def test_add_business_days_same_utc_touch_per_time_zone(
    hours: WorkingHours, expected_utc: str
) -> None:
    assert add_business_days(utc("2026-11-19 22:00"), 1, hours) == utc(expected_utc)


@pytest.mark.parametrize(
    "hours", [SP, RJ, ACRE, MORNINGS, SIX_DAYS], ids=["SP", "RJ", "AC", "mornings", "six-days"]
)
@pytest.mark.parametrize("days", [0, 1, 2, 5, 20, 60])
@pytest.mark.parametrize(
    "start", ["2026-11-16 10:00", "2026-11-19 11:00", "2026-12-23 09:00", "2026-02-13 11:59"]
)
def test_add_business_days_lands_on_business_day_in_hours_and_inverts(
    hours: WorkingHours, days: int, start: str
) -> None:
    touch = local(hours, start)
    due = add_business_days(touch, days, hours)
    due_local = due.astimezone(ZoneInfo(hours.timezone))
    assert is_business_day(due_local.date(), hours)
    assert hours.start <= due_local.time() < hours.end
    assert business_days_between(local_day(touch, hours), due_local.date(), hours) == days


# --- snoozing and overdue counts -----------------------------------------------------------


@pytest.mark.parametrize(
    ("hours", "instant", "expected"),
    [
        (SP, "2026-11-16 10:00", "2026-11-17 09:00"),
        (SP, "2026-11-16 07:00", "2026-11-17 09:00"),  # strictly after today, even before start
        (SP, "2026-11-16 23:59", "2026-11-17 09:00"),
        (SP, "2026-11-19 10:00", "2026-11-23 09:00"),  # Friday is a holiday
        (SP, "2026-11-21 10:00", "2026-11-23 09:00"),  # Saturday
        (SP, "2026-12-31 10:00", "2027-01-04 09:00"),
        (MORNINGS, "2026-11-16 10:00", "2026-11-17 08:00"),
        (ACRE, "2026-11-17 22:00", "2026-11-18 09:00"),
    ],
)
def test_next_business_day_start(hours: WorkingHours, instant: str, expected: str) -> None:
    result = next_business_day_start(local(hours, instant), hours)
    assert_utc(result)
    assert result == local(hours, expected)


def test_next_business_day_start_uses_the_local_date() -> None:
    # 2026-11-18 03:00Z is still Tuesday 17/11 22:00 in Acre, but Wednesday 01:00 in Noronha.
    assert next_business_day_start(utc("2026-11-18 03:00"), ACRE) == utc("2026-11-18 14:00")
    assert next_business_day_start(utc("2026-11-18 03:00"), NORONHA) == utc("2026-11-19 11:00")


@pytest.mark.parametrize(
    ("hours", "a", "b", "expected"),
    [
        (SP, "2026-11-16", "2026-11-16", 0),
        (SP, "2026-11-16", "2026-11-17", 1),
        (SP, "2026-11-13", "2026-11-16", 1),  # over a weekend
        (SP, "2026-11-19", "2026-11-23", 1),  # over the holiday and the weekend
        (SP, "2026-11-23", "2026-11-19", -1),
        (SP, "2026-11-21", "2026-11-22", 0),  # Saturday → Sunday
        (SP, "2026-11-20", "2026-11-21", 0),  # holiday → Saturday
        (SP, "2026-12-24", "2027-01-04", 5),  # 28, 29, 30, 31/12 and 04/01
        (SP, "2026-07-08", "2026-07-10", 1),
        (RJ, "2026-07-08", "2026-07-10", 2),
        (SP, "2026-01-01", "2027-01-01", 251),  # 260 weekdays − 9 weekday holidays
        (SIX_DAYS, "2026-11-13", "2026-11-16", 2),
    ],
)
def test_business_days_between(hours: WorkingHours, a: str, b: str, expected: int) -> None:
    assert business_days_between(d(a), d(b), hours) == expected


# --- invalid input -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"start": time(18), "end": time(9)}, "start before they end"),
        ({"start": time(9), "end": time(9)}, "start before they end"),
        ({"start": time(22), "end": time(2)}, "start before they end"),  # overnight
        ({"start": time(9, tzinfo=UTC)}, "naive local times"),
        ({"timezone": "America/Atlantis"}, "unknown time zone 'America/Atlantis'"),
        ({"timezone": "Brasília"}, "unknown time zone"),
        ({"timezone": ""}, "unknown time zone"),
        ({"timezone": "../etc/passwd"}, "unknown time zone"),
        ({"uf": "XX"}, "unknown UF 'XX'"),
        ({"uf": "São Paulo Capital"}, "unknown UF"),
        ({"uf": ""}, "unknown UF"),
        ({"workdays": frozenset()}, "at least one working weekday"),
        ({"workdays": frozenset({0, 7})}, "weekday numbers"),
        ({"workdays": frozenset({-1})}, "weekday numbers"),
    ],
)
def test_invalid_working_hours(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        WorkingHours(**kwargs)  # type: ignore[arg-type]


def test_working_hours_normalises_uf_and_workdays() -> None:
    hours = WorkingHours(uf=" rj ", workdays={0, 1, 2})  # type: ignore[arg-type]
    assert hours.uf == "RJ"
    assert hours.workdays == frozenset({0, 1, 2})
    assert hash(hours) == hash(WorkingHours(uf="RJ", workdays=frozenset({0, 1, 2})))


def test_defaults() -> None:
    explicit = WorkingHours(
        start=time(9),
        end=time(18),
        timezone="America/Sao_Paulo",
        uf="SP",
        workdays=frozenset({0, 1, 2, 3, 4}),
    )
    assert explicit == SP


NAIVE = datetime(2026, 11, 16, 10, 0)


@pytest.mark.parametrize(
    "call",
    [
        lambda: next_working_moment(NAIVE, SP),
        lambda: add_business_days(NAIVE, 1, SP),
        lambda: next_business_day_start(NAIVE, SP),
        lambda: local_day(NAIVE, SP),
    ],
    ids=["next_working_moment", "add_business_days", "next_business_day_start", "local_day"],
)
def test_naive_instants_are_rejected(call: object) -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        call()  # type: ignore[operator]


@pytest.mark.parametrize("days", [-1, -20])
def test_negative_delay_is_rejected(days: int) -> None:
    with pytest.raises(ValueError, match="cannot be negative"):
        add_business_days(local(SP, "2026-11-16 10:00"), days, SP)
