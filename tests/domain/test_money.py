"""Money and terms as reps type them: Brazilian formats read to the cent, everything else refused."""

from __future__ import annotations

import pytest

from bot.domain import money
from bot.domain.money import InvalidMoney, Period, TypedAmount


@pytest.mark.parametrize(
    ("typed", "cents", "period"),
    [
        ("1490", 149000, None),
        ("1.490", 149000, None),
        ("1.490,50", 149050, None),
        ("1490,5", 149050, None),
        ("1490.50", 149050, None),
        ("R$ 1.490/mês", 149000, Period.MONTH),
        ("r$1.490,00 / mes", 149000, Period.MONTH),
        ("R$ 1.490 por mês", 149000, Period.MONTH),
        ("1490 mensal", 149000, Period.MONTH),
        ("1,5 mil", 150000, None),
        ("2k", 200000, None),
        ("2K/m", 200000, Period.MONTH),
        ("1.5k", 150000, None),
        ("R$ 12 mil por ano", 1200000, Period.YEAR),
        ("12 mil reais/ano", 1200000, Period.YEAR),
        ("18.000 anual", 1800000, Period.YEAR),
        ("1,2 mi", 120000000, None),
        ("1.234.567,89", 123456789, None),
        ("0", 0, None),
        ("  R$   990  ", 99000, None),
    ],
)
def test_amounts_typed_the_brazilian_way(typed: str, cents: int, period: Period | None) -> None:
    assert money.parse_amount(typed) == TypedAmount(cents, period)


@pytest.mark.parametrize(
    "typed",
    ["", "abc", "1,490", "1.49.0", "12.34,5,6", "1.2345", "R$", "1490,505", "1,,5", "mil", "1 490", "1e3", "0x10"],
)
def test_unreadable_amounts_say_what_to_type(typed: str) -> None:
    with pytest.raises(InvalidMoney, match=r"Digite como R\$ 1\.490/mês"):
        money.parse_amount(typed)


def test_negative_absurd_and_foreign_digits_are_refused() -> None:
    with pytest.raises(InvalidMoney, match="negativo"):
        money.parse_amount("-1490")
    with pytest.raises(InvalidMoney, match="negativo"):
        money.parse_amount("R$ -1.490/mês")
    with pytest.raises(InvalidMoney, match="grande demais"):
        money.parse_amount("100.000.001")
    with pytest.raises(InvalidMoney, match="grande demais"):
        money.parse_amount("9" * 40)
    assert money.parse_amount("100 milhões").cents == money.MAX_CENTS
    with pytest.raises(ValueError, match="algarismo de 0 a 9"):
        money.parse_amount("１490")
    with pytest.raises(InvalidMoney):
        money.parse_amount("1" * 100)


def test_a_recurring_value_is_monthly_unless_typed_per_year() -> None:
    assert money.parse_monthly("1.490") == 149000
    assert money.parse_monthly("R$ 1.490/mês") == 149000
    assert money.parse_monthly("R$ 12 mil por ano") == 100000  # 12.000 / 12
    assert money.parse_monthly("1.000/ano") == 8333  # 83,333… → R$ 83,33
    assert money.parse_monthly("1.000,06/ano") == 8334  # 83,338… → R$ 83,34 (half up)


def test_a_setup_fee_is_paid_once() -> None:
    assert money.parse_once("R$ 2.000") == 200000
    assert money.parse_once("0") == 0
    with pytest.raises(InvalidMoney, match="pago uma vez"):
        money.parse_once("2.000/mês")


@pytest.mark.parametrize(
    ("typed", "months"),
    [
        ("12", 12),
        ("12 meses", 12),
        ("1 mês", 1),
        ("1 mes", 1),
        ("24m", 24),
        ("1 ano", 12),
        ("2 anos", 24),
        ("10 anos", 120),
        (" 36 MESES ", 36),
    ],
)
def test_terms(typed: str, months: int) -> None:
    assert money.parse_months(typed) == months


@pytest.mark.parametrize(
    "typed", ["0", "0 meses", "121", "11 anos", "99999999999", "doze", "1,5 ano", "-12", "12 dias"]
)
def test_bad_terms_are_refused(typed: str) -> None:
    with pytest.raises(InvalidMoney, match="Prazo"):
        money.parse_months(typed)


def test_amounts_shown_in_reais() -> None:
    assert money.format_money(149000) == "R$ 1.490,00"
    assert money.format_money(5) == "R$ 0,05"
    assert money.format_money(123456789) == "R$ 1.234.567,89"
    assert money.format_money(149050, "en") == "R$1,490.50"
