"""Reading a meeting date and time as reps type it: "25/11 14:30", "amanhã 10h", "sex 9:30".

Pure: the caller passes "now" in the rep's own time zone; the result is an aware datetime in
that zone.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta

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


def _parse_day(text: str, today: date) -> date:
    if not text:
        return today
    if text in _RELATIVE:
        return today + timedelta(days=_RELATIVE[text])
    if text in _WEEKDAYS:
        ahead = (_WEEKDAYS[text] - today.weekday()) % 7
        return today + timedelta(days=ahead or 7)
    iso = _ISO.match(text)
    try:
        if iso:
            return date(int(iso[1]), int(iso[2]), int(iso[3]))
        match = _DATE.match(text)
        if match:
            day, month = int(match[1]), int(match[2])
            if match[3]:
                year = int(match[3])
                year = year + 2000 if year < 100 else year
                return date(year, month, day)
            candidate = date(today.year, month, day)
            return candidate if candidate >= today else date(today.year + 1, month, day)
    except ValueError:
        raise InvalidMoment(N_("Essa data não existe. Exemplos: 25/11 14:30, amanhã 10h ou sexta 9:30.")) from None
    raise InvalidMoment(
        N_("Não entendi a data '%(typed)s'. Exemplos: 25/11 14:30, amanhã 10h ou sexta 9:30."), typed=text[:30]
    )


def parse_moment(text: str, now: datetime) -> datetime:
    """A future moment in ``now``'s time zone."""
    cleaned = fold(text or "").replace("-feira", "").replace(" feira", "")
    if not cleaned:
        raise InvalidMoment(N_("Mande a data e o horário. Exemplos: 25/11 14:30, amanhã 10h ou sexta 9:30."))
    if len(cleaned) > 60:
        raise InvalidMoment(N_("Mande só a data e o horário. Exemplos: 25/11 14:30, amanhã 10h ou sexta 9:30."))
    at, day_text = _parse_time(cleaned)
    day = _parse_day(day_text.removeprefix("dia ").strip(), now.date())
    moment = datetime.combine(day, at, tzinfo=now.tzinfo)
    if moment <= now:
        raise InvalidMoment(N_("Esse horário já passou. Mande uma data e hora futuras."))
    if moment - now > timedelta(days=MAX_AHEAD_DAYS):
        raise InvalidMoment(N_("Essa data está a mais de um ano daqui. Confira o ano."))
    return moment
