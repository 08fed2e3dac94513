"""Goals: a rep's own goal over the role's, the week and month they cover, and progress in words."""

from __future__ import annotations

from datetime import date

import pytest

from bot.domain import goals as g
from bot.domain.goals import Goal, InvalidGoal, Metric, Progress, Span
from bot.domain.numbers import InvalidNumber
from bot.i18n import gettext_for

ROLE_SQL = Goal(Metric.SQL, Span.WEEK, 5, role="sdr")
ANA_SQL = Goal(Metric.SQL, Span.WEEK, 8, telegram_id=11)
ROLE_SALES = Goal(Metric.SALES_VALUE, Span.MONTH, 1_000_000, role="closer")


def test_a_rep_s_own_goal_wins_over_the_role_s() -> None:
    goals = [ROLE_SQL, ANA_SQL, ROLE_SALES]
    assert g.goal_for(goals, 11, "sdr", Metric.SQL, Span.WEEK) is ANA_SQL
    assert g.goal_for(goals, 12, "sdr", Metric.SQL, Span.WEEK) is ROLE_SQL
    assert g.goal_for(goals, 12, None, Metric.SQL, Span.WEEK) is None
    assert g.goal_for(goals, 12, "sdr", Metric.SQL, Span.MONTH) is None
    assert g.goal_for(goals, 13, "closer", Metric.SALES_VALUE, Span.MONTH) is ROLE_SALES


def test_a_goal_is_for_a_rep_or_a_role_with_a_positive_target() -> None:
    with pytest.raises(ValueError):
        Goal(Metric.SQL, Span.WEEK, 5)
    with pytest.raises(ValueError):
        Goal(Metric.SQL, Span.WEEK, 5, telegram_id=1, role="sdr")
    with pytest.raises(ValueError):
        Goal(Metric.SQL, Span.WEEK, 0, role="sdr")


def test_targets_as_typed() -> None:
    assert g.parse_target(Metric.SQL, "5") == 5
    assert g.parse_target(Metric.SALES_VALUE, "R$ 10 mil") == 1_000_000
    with pytest.raises(InvalidNumber):
        g.parse_target(Metric.TOUCHES, "0")
    with pytest.raises(InvalidNumber):
        g.parse_target(Metric.TOUCHES, "10001")
    with pytest.raises(InvalidGoal, match="maior que zero"):
        g.parse_target(Metric.SALES_VALUE, "0")
    with pytest.raises(InvalidNumber, match="pago uma vez"):
        g.parse_target(Metric.SALES_VALUE, "10 mil/mês")


def test_weeks_start_on_monday_and_months_are_calendar_months() -> None:
    assert g.period(Span.WEEK, date(2026, 12, 2)) == (date(2026, 11, 30), date(2026, 12, 6))  # a Wednesday
    assert g.period(Span.WEEK, date(2026, 11, 30)) == (date(2026, 11, 30), date(2026, 12, 6))
    assert g.period(Span.WEEK, date(2026, 12, 6)) == (date(2026, 11, 30), date(2026, 12, 6))
    assert g.period(Span.MONTH, date(2026, 2, 14)) == (date(2026, 2, 1), date(2026, 2, 28))
    assert g.period(Span.MONTH, date(2028, 2, 29)) == (date(2028, 2, 1), date(2028, 2, 29))
    assert g.period(Span.MONTH, date(2026, 12, 31)) == (date(2026, 12, 1), date(2026, 12, 31))


def test_progress_in_words() -> None:
    three = Progress(ROLE_SQL, 3)
    assert g.progress_text(three) == "3 de 5 SQL nesta semana"
    assert (three.met, three.left, three.percent()) == (False, 2, 60)
    over = Progress(ROLE_SQL, 7)
    assert (over.met, over.left, over.percent()) == (True, 0, 140)
    assert g.progress_text(Progress(Goal(Metric.TOUCHES, Span.MONTH, 300, telegram_id=1), 0)) == (
        "0 de 300 toques neste mês"
    )
    sales = Progress(ROLE_SALES, 349_000)
    assert g.progress_text(sales) == "R$ 3.490,00 de R$ 10.000,00 em vendas neste mês"
    assert Progress(Goal(Metric.SQL, Span.WEEK, 3, role="sdr"), 2).percent() == 66


def test_progress_in_english() -> None:
    english = gettext_for("en")
    template, params = g.progress_message(Progress(ROLE_SQL, 3), "en")
    assert english(template) % params == "3 of 5 SQL this week"
    template, params = g.progress_message(Progress(ROLE_SALES, 349_000), "en")
    assert english(template) % params == "R$3,490.00 of R$10,000.00 in sales this month"
