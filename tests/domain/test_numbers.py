"""Numbers read once, strictly: ASCII digits within bounds, one-line refusals for everything else."""

from __future__ import annotations

from datetime import date

import pytest

from bot.domain import numbers
from bot.domain.numbers import InvalidNumber

NOT_ASCII = ["²", "³¹", "٣", "３", "1²", "๒", "½", "Ⅻ"]


@pytest.mark.parametrize("typed", NOT_ASCII)
def test_digits_other_than_0_to_9_are_never_read(typed: str) -> None:
    assert not numbers.is_digits(typed)
    assert numbers.read_int(typed, 0, 10**9) is None
    with pytest.raises(InvalidNumber, match="não é"):
        numbers.parse_int(typed, 0, 100)
    with pytest.raises(InvalidNumber, match="não é o número de um lead"):
        numbers.parse_id(typed)


def test_ids_fit_a_postgresql_integer() -> None:
    assert numbers.parse_id("42") == 42 and numbers.parse_id(" 2147483647 ") == 2**31 - 1
    for typed in ("0", "2147483648", "9" * 30, "-1", "", " ", "4 2", "+42", "0x2a", "1_000", "4.2"):
        with pytest.raises(InvalidNumber):
            numbers.parse_id(typed)


def test_a_huge_number_is_refused_without_reading_it_all() -> None:
    assert numbers.read_int("9" * 10_000, 0, 10**30) is None
    assert numbers.read_int("0" * 100 + "7", 0, 10) == 7  # leading zeros are still one number


def test_out_of_range_says_the_range() -> None:
    with pytest.raises(InvalidNumber) as refused:
        numbers.parse_int("11", 1, 10)
    assert str(refused.value) == "11 está fora do intervalo. Digite um número de 1 a 10."


def test_pages_days_and_telegram_ids_have_their_bounds() -> None:
    assert numbers.parse_page("0") == 0
    with pytest.raises(InvalidNumber):
        numbers.parse_page(str(numbers.MAX_PAGE + 1))
    assert numbers.parse_days("7") == 7
    for typed in ("0", "3661", "99999999999", "²"):
        with pytest.raises(InvalidNumber, match="Período"):
            numbers.parse_days(typed)
    assert numbers.parse_telegram_id("123456789012") == 123456789012
    with pytest.raises(InvalidNumber, match="id do Telegram"):
        numbers.parse_telegram_id("１２３")


def test_hours_and_minutes() -> None:
    assert (numbers.parse_hour("0"), numbers.parse_hour("23"), numbers.parse_minute("59")) == (0, 23, 59)
    for parse, typed in ((numbers.parse_hour, "24"), (numbers.parse_hour, "²"), (numbers.parse_minute, "60")):
        with pytest.raises(InvalidNumber, match="não existe"):
            parse(typed)


@pytest.mark.parametrize(
    ("typed", "day"),
    [
        ("25/11/2026", date(2026, 11, 25)),
        ("1/2/26", date(2026, 2, 1)),
        ("2026-11-25", date(2026, 11, 25)),
        ("29/02/2028", date(2028, 2, 29)),
        ("semana", None),
        ("a/b/c", None),
        ("25/11", None),
    ],
)
def test_dates_as_typed(typed: str, day: date | None) -> None:
    assert numbers.parse_day_text(typed) == day


@pytest.mark.parametrize(
    "typed",
    ["31/12/9999", "00/00/0000", "29/02/2027", "31/04/2026", "01/01/1999", "25/11/202", "²/11/2026", "9999-99-99"],
)
def test_impossible_dates_are_refused_in_one_line(typed: str) -> None:
    with pytest.raises(InvalidNumber) as refused:
        numbers.parse_day_text(typed)
    assert ("\n" not in str(refused.value) and "DD/MM/AAAA" in str(refused.value)) or "Ano" in str(refused.value)


def test_other_digits_are_refused_before_folding() -> None:
    numbers.refuse_other_digits("6201-5/01 R$ 4,8 mi")
    with pytest.raises(InvalidNumber, match="'²' não é um algarismo de 0 a 9"):
        numbers.refuse_other_digits("6201²01")
    assert numbers.digits_of("(11) 9８765-4321") == "119765-4321".replace("-", "")


def test_what_was_typed_is_shown_short_and_printable() -> None:
    with pytest.raises(InvalidNumber) as refused:
        numbers.parse_id("a\x00b" + "x" * 100)
    assert "\x00" not in str(refused.value) and len(str(refused.value)) < 80
