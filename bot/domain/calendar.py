"""The business calendar: when a follow-up falls due, in the rep's working hours.

Every rep has :class:`WorkingHours` — a daily window (default 09:00–18:00), an IANA time zone
(default ``America/Sao_Paulo``), a federative unit (UF, default ``"SP"``) and the weekdays they
work (default Monday to Friday). All four Brazilian time zones work: ``America/Noronha`` (UTC−2),
``America/Sao_Paulo`` (UTC−3), ``America/Manaus`` (UTC−4) and ``America/Rio_Branco`` (UTC−5).

Rules
-----
* **Business day** — a local date whose weekday is in ``workdays`` and that is not a holiday.
* **Holidays** — the *public* holidays that the ``holidays`` package knows for Brazil: the
  national ones (e.g. Tiradentes 21/04, Consciência Negra 20/11 — national since 2024 —, Natal,
  Confraternização Universal) plus the state holidays of the rep's UF (e.g. SP 09/07 Revolução
  Constitucionalista, RJ 23/04 São Jorge, BA 02/07 Independência da Bahia). Another state's
  holiday is a normal working day. With ``uf=None`` only national holidays count. Municipal
  holidays are not known.
* **Carnival** — nationally, Carnival Monday/Tuesday, Ash Wednesday and Corpus Christi are *pontos
  facultativos* (the ``holidays`` "optional" category), not public holidays, so they are working
  days. Where a state makes Carnival a public holiday (RJ: Carnival Tuesday), it is skipped for
  reps of that state.
* **Working hours** — half-open: ``start <= local time < end``. Exactly 09:00 is inside, exactly
  18:00 is outside. Windows that cross midnight are not supported (``start < end``).
* **Due instant of a step** (:func:`add_business_days`) — an instant outside working hours (a
  touch at 22:00, on a Saturday or on a holiday) first moves to the next working moment. The due
  instant is then the same local wall-clock time, ``days`` business days later. ``days == 0``
  means "as soon as possible": :func:`next_working_moment`.
* **Time** — nothing here reads the clock: every instant is passed in. Instants must be
  timezone-aware (naive ones raise :class:`ValueError`); every instant returned is in UTC.

Holiday sets are built once per ``(uf, year)`` and cached, and zones once per name, so computing
due dates for many reminders at start-up stays cheap.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from types import MappingProxyType
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import holidays

__all__ = [
    "BRAZILIAN_TIMEZONES",
    "UFS",
    "WorkingHours",
    "add_business_days",
    "business_days_between",
    "holiday_name",
    "is_business_day",
    "local_day",
    "next_business_day_start",
    "next_working_moment",
    "start_of_business_day",
]

#: The 27 federative units (26 states and the Distrito Federal).
UFS = frozenset(
    {
        "AC", "AL", "AM", "AP", "BA", "CE", "DF", "ES", "GO", "MA", "MG", "MS", "MT", "PA",
        "PB", "PE", "PI", "PR", "RJ", "RN", "RO", "RR", "RS", "SC", "SE", "SP", "TO",
    }
)  # fmt: skip

#: Brazil's four time zones, east to west.
BRAZILIAN_TIMEZONES = (
    "America/Noronha",
    "America/Sao_Paulo",
    "America/Manaus",
    "America/Rio_Branco",
)

_ONE_DAY = timedelta(days=1)
_WEEKDAYS = frozenset(range(7))


@dataclass(frozen=True)
class WorkingHours:
    """When a rep works: a daily local window, a time zone, a UF and the working weekdays.

    ``workdays`` uses :meth:`date.weekday` numbers (Monday is 0, Sunday is 6). ``uf`` is
    upper-cased; ``None`` means national holidays only.
    """

    start: time = time(9)
    end: time = time(18)
    timezone: str = "America/Sao_Paulo"
    uf: str | None = "SP"
    workdays: frozenset[int] = field(default=frozenset({0, 1, 2, 3, 4}))

    def __post_init__(self) -> None:
        if self.start.tzinfo is not None or self.end.tzinfo is not None:
            raise ValueError(
                "working hours start/end must be naive local times; the zone goes in `timezone`"
            )
        if not self.start < self.end:
            raise ValueError(
                f"working hours must start before they end: start={self.start:%H:%M}, "
                f"end={self.end:%H:%M}"
            )
        try:
            _zone(self.timezone)
        except (ZoneInfoNotFoundError, ValueError, TypeError) as exc:
            raise ValueError(f"unknown time zone {self.timezone!r}") from exc
        if self.uf is not None:
            uf = self.uf.strip().upper()
            if uf not in UFS:
                raise ValueError(
                    f"unknown UF {self.uf!r}; expected one of {', '.join(sorted(UFS))} or None"
                )
            object.__setattr__(self, "uf", uf)
        workdays = frozenset(self.workdays)
        if not workdays:
            raise ValueError("a rep needs at least one working weekday")
        if not workdays <= _WEEKDAYS:
            raise ValueError(
                f"workdays must be weekday numbers 0 (Monday) to 6 (Sunday), got {sorted(workdays)}"
            )
        object.__setattr__(self, "workdays", workdays)

    @property
    def zone(self) -> ZoneInfo:
        return _zone(self.timezone)


@lru_cache(maxsize=64)
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


@lru_cache(maxsize=1024)
def _holidays(uf: str | None, year: int, language: str = "pt_BR") -> Mapping[date, str]:
    """Public holidays (national + the UF's), with their names in ``language``, for one year."""
    calendar = holidays.country_holidays(
        "BR", subdiv=uf, years=year, categories=("public",), language=language
    )
    return MappingProxyType(dict(calendar))


def _require_aware(instant: datetime) -> None:
    if instant.tzinfo is None or instant.utcoffset() is None:
        raise ValueError(f"instant must be timezone-aware, got naive {instant.isoformat()}")


def _local(instant: datetime, hours: WorkingHours) -> datetime:
    _require_aware(instant)
    return instant.astimezone(hours.zone)


def _at(day: date, wall_clock: time, hours: WorkingHours) -> datetime:
    """The UTC instant of a local wall-clock time on a local date."""
    return datetime.combine(day, wall_clock, tzinfo=hours.zone).astimezone(UTC)


def _next_business_date(day: date, hours: WorkingHours) -> date:
    """The first business day strictly after ``day``."""
    day += _ONE_DAY
    while not is_business_day(day, hours):
        day += _ONE_DAY
    return day


def holiday_name(day: date, hours: WorkingHours, *, language: str = "pt_BR") -> str | None:
    """The name of the public holiday on ``day`` for this rep, or ``None``.

    Portuguese by default; ``language="en_US"`` gives the English name. Reported even when the
    holiday falls on a day the rep does not work anyway.
    """
    return _holidays(hours.uf, day.year, language).get(day)


def is_business_day(day: date, hours: WorkingHours) -> bool:
    """Whether the rep works on this local date: a working weekday that is not a holiday."""
    return day.weekday() in hours.workdays and day not in _holidays(hours.uf, day.year)


def local_day(instant: datetime, hours: WorkingHours) -> date:
    """The rep's local calendar date at ``instant``."""
    return _local(instant, hours).date()


def start_of_business_day(day: date, hours: WorkingHours) -> datetime:
    """The UTC instant at which the working hours start on the local date ``day``.

    Does not check that ``day`` is a business day.
    """
    return _at(day, hours.start, hours)


def next_business_day_start(instant: datetime, hours: WorkingHours) -> datetime:
    """The start of the first business day after the instant's local date.

    This is "tomorrow morning" when snoozing: the next business day even if the rep is still
    inside today's working hours.
    """
    return start_of_business_day(_next_business_date(local_day(instant, hours), hours), hours)


def next_working_moment(instant: datetime, hours: WorkingHours) -> datetime:
    """The instant itself if the rep is working then, else the start of the next working period."""
    local = _local(instant, hours)
    day, wall_clock = local.date(), local.time()
    if is_business_day(day, hours):
        if wall_clock < hours.start:
            return start_of_business_day(day, hours)
        if wall_clock < hours.end:
            return instant.astimezone(UTC)
    return start_of_business_day(_next_business_date(day, hours), hours)


def add_business_days(instant: datetime, days: int, hours: WorkingHours) -> datetime:
    """The due instant of a step ``days`` business days after a touch at ``instant``.

    The touch counts from the next working moment (itself, if it happened during working hours);
    the due instant keeps that local wall-clock time on the ``days``-th business day after it.
    ``days == 0`` returns :func:`next_working_moment`.
    """
    if days < 0:
        raise ValueError(f"a delay in business days cannot be negative, got {days}")
    moment = next_working_moment(instant, hours)
    if days == 0:
        return moment
    local = moment.astimezone(hours.zone)
    day = local.date()
    for _ in range(days):
        day = _next_business_date(day, hours)
    # The wall-clock time is within [start, end), so no clamping is needed here.
    return _at(day, local.time().replace(fold=0), hours)


def business_days_between(a: date, b: date, hours: WorkingHours) -> int:
    """Business days in ``(a, b]``; negative when ``b`` is before ``a``, 0 when equal.

    ``business_days_between(a, b)`` is how many business days a follow-up due on ``a`` is
    overdue on ``b``; it inverts :func:`add_business_days` on dates.
    """
    if b < a:
        return -business_days_between(b, a, hours)
    count = 0
    day = a + _ONE_DAY
    while day <= b:
        if is_business_day(day, hours):
            count += 1
        day += _ONE_DAY
    return count
