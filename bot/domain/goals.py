"""Goals: per rep or per role, per week or month, for SQL, meetings held, touches or sales value.

A rep's own goal wins over their role's. Progress is computed from counts someone else made
(the reports count SQL by the SDR and sales by the closer); this module only compares and words
it: ``"3 de 5 SQL nesta semana"``. Weeks start on Monday; months are calendar months. Pure.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from bot.domain.money import format_money, parse_once
from bot.domain.numbers import parse_int
from bot.domain.problems import N_, Problem

MAX_COUNT_TARGET = 10_000
"""No rep does more than this of anything in a month (a typo does)."""


class InvalidGoal(Problem):
    """A goal that cannot be set; the message says what to type."""


class Metric(StrEnum):
    SQL = "sql"
    MEETINGS_HELD = "meetings_held"
    TOUCHES = "touches"
    SALES_VALUE = "sales_value"
    """Cents of monthly recurring value won (what a deal adds to the MRR)."""


class Span(StrEnum):
    WEEK = "week"
    MONTH = "month"


@dataclass(frozen=True)
class Goal:
    """A target for one rep (``telegram_id``) or one role (``role``), never both."""

    metric: Metric
    span: Span
    target: int
    telegram_id: int | None = None
    role: str | None = None

    def __post_init__(self) -> None:
        if (self.telegram_id is None) == (self.role is None):
            raise ValueError("a goal is for one rep or for one role")
        if self.target <= 0:
            raise ValueError("a goal's target is positive")


def parse_target(metric: Metric, text: str) -> int:
    """A target as typed: a count (``"5"``) or, for sales value, money (``"R$ 10 mil"``) in cents."""
    if metric is Metric.SALES_VALUE:
        cents = parse_once(text)
        if cents == 0:
            raise InvalidGoal(N_("Uma meta de vendas precisa ser maior que zero, como R$ 10 mil."))
        return cents
    return parse_int(text, 1, MAX_COUNT_TARGET)


def goal_for(goals: Iterable[Goal], telegram_id: int, role: str | None, metric: Metric, span: Span) -> Goal | None:
    """The rep's goal for ``metric`` over ``span``: their own, else their role's, else none."""
    mine = [g for g in goals if g.metric is metric and g.span is span]
    own = next((g for g in mine if g.telegram_id == telegram_id), None)
    if own is not None or role is None:
        return own
    return next((g for g in mine if g.role == role), None)


def period(span: Span, today: date) -> tuple[date, date]:
    """The first and the last day of the week (Monday–Sunday) or calendar month holding ``today``."""
    if span is Span.WEEK:
        start = today - timedelta(days=today.weekday())
        return start, start + timedelta(days=6)
    start = today.replace(day=1)
    following = (start + timedelta(days=32)).replace(day=1)
    return start, following - timedelta(days=1)


@dataclass(frozen=True)
class Progress:
    goal: Goal
    done: int

    @property
    def met(self) -> bool:
        return self.done >= self.goal.target

    @property
    def left(self) -> int:
        return max(0, self.goal.target - self.done)

    def percent(self) -> int:
        """Whole percent done, floored (99.9% is not yet 100%)."""
        return self.done * 100 // self.goal.target


_TEMPLATES: dict[tuple[Metric, Span], str] = {
    (Metric.SQL, Span.WEEK): N_("%(done)s de %(target)s SQL nesta semana"),
    (Metric.SQL, Span.MONTH): N_("%(done)s de %(target)s SQL neste mês"),
    (Metric.MEETINGS_HELD, Span.WEEK): N_("%(done)s de %(target)s reuniões realizadas nesta semana"),
    (Metric.MEETINGS_HELD, Span.MONTH): N_("%(done)s de %(target)s reuniões realizadas neste mês"),
    (Metric.TOUCHES, Span.WEEK): N_("%(done)s de %(target)s toques nesta semana"),
    (Metric.TOUCHES, Span.MONTH): N_("%(done)s de %(target)s toques neste mês"),
    (Metric.SALES_VALUE, Span.WEEK): N_("%(done)s de %(target)s em vendas nesta semana"),
    (Metric.SALES_VALUE, Span.MONTH): N_("%(done)s de %(target)s em vendas neste mês"),
}


def progress_message(progress: Progress, language: str = "pt") -> tuple[str, dict[str, object]]:
    """A translatable template and its parameters: ``"3 de 5 SQL nesta semana"`` once interpolated.

    Money is formatted for ``language`` here (``R$ 3.000,00``); counts are numbers."""
    goal = progress.goal
    template = _TEMPLATES[(goal.metric, goal.span)]
    if goal.metric is Metric.SALES_VALUE:
        return template, {"done": format_money(progress.done, language), "target": format_money(goal.target, language)}
    return template, {"done": progress.done, "target": goal.target}


def progress_text(progress: Progress) -> str:
    """The Portuguese line, as the CLI shows it."""
    template, params = progress_message(progress)
    return template % params
