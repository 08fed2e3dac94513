"""Reading a meeting date and time as reps type it: "25/11 14:30", "amanhã 10h", "sex 9:30",
and judging whether a person would accept the moment read.

Pure: the caller passes "now" in the rep's own time zone; moments are aware datetimes in that
zone.

Rules (:func:`question`)
------------------------
* **Impossible** (:class:`InvalidMoment`, the rep types again): a moment that has passed, with
  the year typed or with a day that is today or later; more than a year ahead.
* **Questionable** (:class:`Questionable`, the rep confirms or types again), first match wins:

  1. ``PAST_DAY`` — a day typed without a year that has already passed this year
     ("25/11" on 02/12/2026). It is read as this year's and questioned; saying yes books the
     same day and time next year, which is then judged again (it may be a holiday).
  2. ``HOLIDAY`` — a public holiday of the rep's calendar: national, or of the rep's UF
     (:func:`bot.domain.calendar.holiday_name`), named in the question.
  3. ``DAY_OFF`` — a weekday the rep does not work (Saturday and Sunday by default).

  Days are the rep's local days: 25/12 00:30 in Manaus is Christmas even though it is already
  04:30 UTC, and 24/12 23:30 there is not.
* A meeting's result (held, no-show) cannot be logged before it starts
  (:func:`result_allowed`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum

from bot.domain import calendar
from bot.domain.problems import N_, Problem
from bot.domain.text import fold


class InvalidMoment(Problem):
    """The message is fit to show the rep."""


_WEEKDAYS = {
    "seg": 0,
    "segunda": 0,
    "mon": 0,
    "monday": 0,
    "ter": 1,
    "terca": 1,
    "tue": 1,
    "tuesday": 1,
    "qua": 2,
    "quarta": 2,
    "wed": 2,
    "wednesday": 2,
    "qui": 3,
    "quinta": 3,
    "thu": 3,
    "thursday": 3,
    "sex": 4,
    "sexta": 4,
    "fri": 4,
    "friday": 4,
    "sab": 5,
    "sabado": 5,
    "sat": 5,
    "saturday": 5,
    "dom": 6,
    "domingo": 6,
    "sun": 6,
    "sunday": 6,
}
_RELATIVE = {"hoje": 0, "today": 0, "amanha": 1, "tomorrow": 1, "depois de amanha": 2}
_TIME = re.compile(r"(?:\bas\s+|\bat\s+)?(\d{1,2})(?:[:h](\d{2})?|\s*(am|pm))\s*$|(?:\bas\s+|\bat\s+)(\d{1,2})\s*$")
_DATE = re.compile(r"^(\d{1,2})[/.-](\d{1,2})(?:[/.-](\d{2,4}))?\b")
_ISO = re.compile(r"^(\d{4})-(\d{2})-(\d{2})\b")

MAX_AHEAD_DAYS = 366


def _parse_time(text: str) -> tuple[time, str]:
    match = _TIME.search(text)
    if not match:
        raise InvalidMoment(N_("Faltou o horário. Exemplos: 25/11 14:30, amanhã 10h ou sexta 9:30."))
    hour_text = match.group(1) or match.group(4)
    hour = int(hour_text)
    minute = int(match.group(2) or 0)
    ampm = match.group(3)
    if ampm == "pm" and hour < 12:
        hour += 12
    if ampm == "am" and hour == 12:
        hour = 0
    if hour > 23 or minute > 59:
        raise InvalidMoment(N_("Horário %(time)s não existe. Use 24 h, como 14:30."), time=f"{hour}:{minute:02d}")
    return time(hour, minute), text[: match.start()].strip(" ,")


def _parse_day(text: str, today: date) -> tuple[date, bool]:
    """The day, and whether its year was left out (only for ``25/11``-style days)."""
    if not text:
        return today, False
    if text in _RELATIVE:
        return today + timedelta(days=_RELATIVE[text]), False
    if text in _WEEKDAYS:
        ahead = (_WEEKDAYS[text] - today.weekday()) % 7
        return today + timedelta(days=ahead or 7), False
    iso = _ISO.match(text)
    try:
        if iso:
            return date(int(iso[1]), int(iso[2]), int(iso[3])), False
        match = _DATE.match(text)
        if match:
            day, month = int(match[1]), int(match[2])
            if match[3]:
                year = int(match[3])
                year = year + 2000 if year < 100 else year
                return date(year, month, day), False
            return date(today.year, month, day), True
    except ValueError:
        raise InvalidMoment(N_("Essa data não existe. Exemplos: 25/11 14:30, amanhã 10h ou sexta 9:30.")) from None
    raise InvalidMoment(
        N_("Não entendi a data '%(typed)s'. Exemplos: 25/11 14:30, amanhã 10h ou sexta 9:30."), typed=text[:30]
    )


@dataclass(frozen=True, slots=True)
class Reading:
    """A moment as typed. ``year_left_out``: a day like ``25/11``, read as this year's."""

    moment: datetime
    year_left_out: bool = False


def parse_moment(text: str, now: datetime) -> Reading:
    """Read ``text`` in ``now``'s time zone; :class:`InvalidMoment` if it cannot be read.

    Whether the moment makes sense (not past, not too far, not a holiday) is :func:`question`'s.
    """
    cleaned = fold(text or "").replace("-feira", "").replace(" feira", "")
    if not cleaned:
        raise InvalidMoment(N_("Mande a data e o horário. Exemplos: 25/11 14:30, amanhã 10h ou sexta 9:30."))
    if len(cleaned) > 60:
        raise InvalidMoment(N_("Mande só a data e o horário. Exemplos: 25/11 14:30, amanhã 10h ou sexta 9:30."))
    at, day_text = _parse_time(cleaned)
    day, year_left_out = _parse_day(day_text.removeprefix("dia ").strip(), now.date())
    return Reading(datetime.combine(day, at, tzinfo=now.tzinfo), year_left_out)


class Doubt(StrEnum):
    """Why a readable, future moment still needs the rep's yes (in the order they are asked)."""

    PAST_DAY = "past_day"
    HOLIDAY = "holiday"
    DAY_OFF = "day_off"


@dataclass(frozen=True, slots=True)
class Questionable:
    """A moment to confirm: ``doubt`` about local ``day``; "yes" books ``moment``."""

    doubt: Doubt
    day: date
    moment: datetime
    holiday: str | None = None


def question(
    reading: Reading, now: datetime, hours: calendar.WorkingHours, *, language: str = "pt_BR"
) -> Questionable | None:
    """Whether a meeting at ``reading`` needs confirmation, and why; ``None``: book it as is.

    :class:`InvalidMoment` when no confirmation could make it right (see the module's rules).
    A holiday is named in ``language`` (``"pt_BR"`` or ``"en_US"``).
    """
    moment = reading.moment
    today = calendar.local_day(now, hours)
    day = calendar.local_day(moment, hours)
    if reading.year_left_out and day < today:
        try:
            next_year = moment.replace(year=moment.year + 1)
        except ValueError:  # 29/02, passed, and next year has none
            raise InvalidMoment(
                N_("Esse dia já passou. Mande uma data futura com o ano, como 25/11/2027 14:30.")
            ) from None
        return Questionable(Doubt.PAST_DAY, day, next_year)
    if moment <= now:
        raise InvalidMoment(N_("Esse horário já passou. Mande uma data e hora futuras."))
    if moment - now > timedelta(days=MAX_AHEAD_DAYS):
        raise InvalidMoment(N_("Essa data está a mais de um ano daqui. Confira o ano."))
    holiday = calendar.holiday_name(day, hours, language=language)
    if holiday is not None:
        return Questionable(Doubt.HOLIDAY, day, moment, holiday)
    if day.weekday() not in hours.workdays:
        return Questionable(Doubt.DAY_OFF, day, moment)
    return None


def after_yes(
    answered: Questionable, now: datetime, hours: calendar.WorkingHours, *, language: str = "pt_BR"
) -> Questionable | None:
    """The next question once the rep said yes to ``answered`` (``None``: book ``answered.moment``).

    Yes to "25/11 já passou — 25/11/2027?" leads to judging 25/11/2027 on its own (a holiday,
    a weekend); yes to a holiday or a day off settles it.
    """
    if answered.doubt is Doubt.PAST_DAY:
        return question(Reading(answered.moment), now, hours, language=language)
    if answered.moment <= now:
        raise InvalidMoment(N_("Esse horário já passou. Mande uma data e hora futuras."))
    return None


def result_allowed(starts_at: datetime, now: datetime) -> bool:
    """Whether a meeting's result (held, no-show) can be logged: only once it has started."""
    return now >= starts_at
