"""Reading a follow-up's moment as reps type it, and the report's task counts."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from bot.domain.calendar import WorkingHours
from bot.domain.moments import InvalidMoment
from bot.domain.tasks import TaskFact, TaskState, counts_per_rep, read_moment, reminder_moment

SP = ZoneInfo("America/Sao_Paulo")
NOW = datetime(2026, 12, 2, 10, 30, tzinfo=SP)  # Wednesday
HOURS = WorkingHours()


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("segunda 14h", datetime(2026, 12, 7, 14, 0, tzinfo=SP)),
        ("Segunda-feira 14:00", datetime(2026, 12, 7, 14, 0, tzinfo=SP)),
        ("em 3 dias", datetime(2026, 12, 5, 9, 0, tzinfo=SP)),
        ("daqui a 2 semanas", datetime(2026, 12, 16, 9, 0, tzinfo=SP)),
        ("in 3 days", datetime(2026, 12, 5, 9, 0, tzinfo=SP)),
        ("em 2 horas", datetime(2026, 12, 2, 12, 30, tzinfo=SP)),
        ("15/01", datetime(2027, 1, 15, 9, 0, tzinfo=SP)),
        ("15/12", datetime(2026, 12, 15, 9, 0, tzinfo=SP)),
        ("amanhã 9h", datetime(2026, 12, 3, 9, 0, tzinfo=SP)),
        ("amanhã", datetime(2026, 12, 3, 9, 0, tzinfo=SP)),
        ("sexta", datetime(2026, 12, 4, 9, 0, tzinfo=SP)),
        ("25/12/2026 10:00", datetime(2026, 12, 25, 10, 0, tzinfo=SP)),
        ("tomorrow 2pm", datetime(2026, 12, 3, 14, 0, tzinfo=SP)),
    ],
)
def test_moments_as_reps_type_them(typed: str, expected: datetime) -> None:
    assert read_moment(typed, NOW, HOURS) == expected


@pytest.mark.parametrize(
    ("typed", "says"),
    [
        ("hoje 8h", "já passou"),
        ("hoje", "já passou"),  # today at the start of the day: already gone
        ("ontem 10h", "Não entendi"),
        ("quando der", "Não entendi"),
        ("", "Mande quando retomar"),
        ("31/02", "não existe"),
        ("31/02 10h", "não existe"),
        ("amanhã 25h", "não existe"),
        ("em 400 dias", "mais de um ano"),
        ("em ２ dias", "algarismo de 0 a 9"),
    ],
)
def test_what_cannot_be_a_follow_up_is_refused_with_a_reason(typed: str, says: str) -> None:
    with pytest.raises(InvalidMoment) as refused:
        read_moment(typed, NOW, HOURS)
    assert says.casefold() in str(refused.value).casefold()


def test_the_reminder_of_a_follow_up_on_a_holiday_or_at_night_waits_for_working_time() -> None:
    christmas = datetime(2026, 12, 25, 10, 0, tzinfo=SP)
    assert reminder_moment(christmas, HOURS) == datetime(2026, 12, 28, 12, 0, tzinfo=UTC)
    night = datetime(2026, 12, 2, 21, 0, tzinfo=SP)
    assert reminder_moment(night, HOURS) == datetime(2026, 12, 3, 12, 0, tzinfo=UTC)
    working = datetime(2026, 12, 2, 15, 0, tzinfo=SP)
    assert reminder_moment(working, HOURS) == working


def test_counts_per_rep() -> None:
    at = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
    tasks = [
        TaskFact(1, at, TaskState.DONE),
        TaskFact(1, at, TaskState.OPEN),
        TaskFact(1, at.replace(day=3), TaskState.OPEN),
        TaskFact(1, at, TaskState.CANCELLED),
        TaskFact(2, at.replace(day=10), TaskState.OPEN),
    ]
    start, end = datetime(2026, 12, 1, tzinfo=UTC), datetime(2026, 12, 5, tzinfo=UTC)
    (one,) = counts_per_rep(tasks, start=start, end=end, as_of=at.replace(day=2))
    assert (one.member_id, one.due, one.done, one.overdue) == (1, 3, 1, 1)
    assert [c.member_id for c in counts_per_rep(tasks, start=None, end=None, as_of=at)] == [1, 2]
