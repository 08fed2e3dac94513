"""Tasks (follow-ups): "⏰ Retorno" on a lead, at a moment the rep types.

Pure: reading the moment ("segunda 14h", "em 3 dias", "15/01", "amanhã 9h"), the states of a
task, and the per-rep counts the report shows (tasks due in a period, done, overdue), defined
once here so the report and its oracle test agree.

A moment is read in the rep's zone (``now`` is local):

* ``em 3 dias`` / ``daqui a 2 semanas`` / ``in 3 days`` / ``em 2 horas``: from now; a count of
  days or weeks keeps no time of day, so it is the start of the rep's working day then;
* a day without a time (``15/01``, ``segunda``, ``amanhã``) is the start of the working day;
* anything else is a meeting-style moment (:func:`bot.domain.moments.parse_moment`).

A moment in the past or more than a year ahead is refused (:class:`InvalidMoment`). When the
reminder is sent is the calendar's business: a follow-up due on a holiday, a weekend or at night
reaches the rep at their next working moment (:func:`bot.domain.calendar.next_working_moment`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from bot.domain import calendar, moments, numbers
from bot.domain.moments import InvalidMoment
from bot.domain.problems import N_
from bot.domain.text import fold

MAX_NOTE = 500
"""The longest note a task keeps."""

EXAMPLES = N_("Exemplos: segunda 14h, em 3 dias, 15/01, amanhã 9h.")

_RELATIVE = re.compile(
    r"^(?:em|daqui a|daqui|in)\s+([0-9]{1,3})\s+(hora|horas|h|hour|hours|dia|dias|day|days|semana|semanas|week|weeks)$"
)
_DAY_ONLY = re.compile(r"^(?:dia\s+)?[0-9]{1,2}[/.-][0-9]{1,2}(?:[/.-][0-9]{2,4})?$|^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
_WEEKDAYS = (
    "seg segunda mon monday ter terca tue tuesday qua quarta wed wednesday qui quinta thu thursday "
    "sex sexta fri friday sab sabado sat saturday dom domingo sun sunday"
)
_WORDS = {"hoje", "today", "amanha", "tomorrow", "depois de amanha", *_WEEKDAYS.split(" ")}


class TaskState(StrEnum):
    OPEN = "open"
    DONE = "done"
    CANCELLED = "cancelled"
    """The lead was erased or closed by someone else's hand; never counted."""


def _at_start(day_moment: datetime, hours: calendar.WorkingHours) -> datetime:
    return datetime.combine(day_moment.date(), hours.start, tzinfo=day_moment.tzinfo)


def read_moment(text: str, now: datetime, hours: calendar.WorkingHours) -> datetime:
    """The moment of a follow-up typed as ``text`` (``now`` in the rep's zone, aware).

    :class:`InvalidMoment` (a message fit for the rep) if it cannot be read, has passed, or
    is more than a year ahead.
    """
    try:
        numbers.refuse_other_digits(text or "")
    except numbers.InvalidNumber as exc:
        raise InvalidMoment(exc.template, **exc.params) from None
    cleaned = " ".join(fold(text or "").replace("-feira", "").replace(" feira", "").split())
    if not cleaned:
        raise InvalidMoment(N_("Mande quando retomar. Exemplos: segunda 14h, em 3 dias, 15/01, amanhã 9h."))
    relative = _RELATIVE.match(cleaned)
    if relative:
        count = numbers.parse_int(relative[1], 0, 999)
        unit = relative[2]
        if unit.startswith(("h",)):
            moment = now + timedelta(hours=count)
        else:
            days = count * (7 if unit.startswith(("semana", "week")) else 1)
            moment = _at_start(now + timedelta(days=days), hours)
    elif _DAY_ONLY.match(cleaned) or cleaned in _WORDS:
        reading = moments.parse_moment(f"{cleaned} {hours.start:%H:%M}", now)
        moment = reading.moment
        if reading.year_left_out and moment.date() < now.date():
            moment = moment.replace(year=moment.year + 1)  # "15/01" in December: next January
    else:
        try:
            reading = moments.parse_moment(cleaned, now)
        except InvalidMoment as problem:
            if "não existe" in problem.template:  # a day or an hour that does not exist: said so
                raise
            raise InvalidMoment(
                N_("Não entendi '%(typed)s'. Exemplos: segunda 14h, em 3 dias, 15/01, amanhã 9h."),
                typed=(text or "").strip()[:30],
            ) from None
        moment = reading.moment
        if reading.year_left_out and moment.date() < now.date():
            moment = moment.replace(year=moment.year + 1)
    if moment <= now:
        raise InvalidMoment(N_("Esse momento já passou. Mande um retorno no futuro, como amanhã 9h."))
    if moment - now > timedelta(days=moments.MAX_AHEAD_DAYS):
        raise InvalidMoment(N_("Esse retorno está a mais de um ano daqui. Confira a data."))
    return moment


def reminder_moment(due: datetime, hours: calendar.WorkingHours) -> datetime:
    """When the rep is nudged about a task due at ``due``: then, or their next working moment."""
    return calendar.next_working_moment(due, hours)


# ---------------------------------------------------------------------------- the report's counts


@dataclass(frozen=True, slots=True)
class TaskFact:
    """What the report needs of one task."""

    member_id: int
    due_at: datetime
    state: str


@dataclass(frozen=True, slots=True)
class TaskCounts:
    """A rep's tasks due in a period: how many, how many done, how many overdue (still open
    after their due moment, at ``as_of``). Cancelled tasks are not counted."""

    member_id: int
    due: int = 0
    done: int = 0
    overdue: int = 0


def counts_per_rep(
    tasks: Iterable[TaskFact], *, start: datetime | None, end: datetime | None, as_of: datetime
) -> list[TaskCounts]:
    """The definition of the report's task numbers, applied to plain rows (the database
    computes the same with one aggregate; the oracle test checks the two agree)."""
    found: dict[int, list[int]] = {}
    for task in tasks:
        if task.state == TaskState.CANCELLED.value:
            continue
        if (start is not None and task.due_at < start) or (end is not None and task.due_at >= end):
            continue
        row = found.setdefault(task.member_id, [0, 0, 0])
        row[0] += 1
        row[1] += task.state == TaskState.DONE.value
        row[2] += task.state == TaskState.OPEN.value and task.due_at < as_of
    return [TaskCounts(member, *row) for member, row in sorted(found.items())]
