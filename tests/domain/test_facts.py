"""Parsing what reps type into lead facts: accepted forms and clear rejections."""

from __future__ import annotations

import pytest

from bot.domain.facts import (
    IntRange,
    InvalidFact,
    parse_branches,
    parse_cnae,
    parse_cnpj,
    parse_financial_score,
    parse_headcount,
    parse_registration,
    parse_revenue,
    parse_uf,
)
from bot.domain.lead_fields import LeadDraft, read_fields
from bot.domain.vocabulary import Registration


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("120", IntRange(120, 120)),
        ("100-199", IntRange(100, 199)),
        ("100 a 199", IntRange(100, 199)),
        ("100–199", IntRange(100, 199)),
        ("199-100", IntRange(100, 199)),
        ("1.200", IntRange(1200, 1200)),
        ("500+", IntRange(500, 500)),
        ("mais de 500", IntRange(500, 500)),
        ("2 mil", IntRange(2000, 2000)),
    ],
)
def test_headcount_forms(typed: str, expected: IntRange) -> None:
    assert parse_headcount(typed) == expected


@pytest.mark.parametrize(
    ("typed", "message_part"),
    [
        ("-5", "negativo"),
        ("0", "ao menos 1"),
        ("muitos", "Não entendi"),
        ("", "vazia"),
        ("99999999999", "mais do que qualquer empresa"),
        ("12,5", "Não entendi"),
        ("x" * 10_000, "longa demais"),
    ],
)
def test_headcount_rejections_say_how_to_fix(typed: str, message_part: str) -> None:
    with pytest.raises(InvalidFact, match=message_part):
        parse_headcount(typed)


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("4,8 mi", IntRange(4_800_000, 4_800_000)),
        ("R$ 360.000", IntRange(360_000, 360_000)),
        ("R$ 360.000,00", IntRange(360_000, 360_000)),
        ("1-5 mi", IntRange(1_000_000, 5_000_000)),
        ("2M", IntRange(2_000_000, 2_000_000)),
        ("300 mil", IntRange(300_000, 300_000)),
        ("1,2 bi", IntRange(1_200_000_000, 1_200_000_000)),
        ("18000000", IntRange(18_000_000, 18_000_000)),
    ],
)
def test_revenue_forms(typed: str, expected: IntRange) -> None:
    assert parse_revenue(typed) == expected


@pytest.mark.parametrize(
    ("typed", "message_part"),
    [("-100", "negativo"), ("muito", "Não entendi"), ("999999 bi", "grande demais")],
)
def test_revenue_rejections(typed: str, message_part: str) -> None:
    with pytest.raises(InvalidFact, match=message_part):
        parse_revenue(typed)


@pytest.mark.parametrize(("typed", "expected"), [("0", 0), ("nenhuma", 0), ("só matriz", 0), ("12", 12)])
def test_branches(typed: str, expected: int) -> None:
    assert parse_branches(typed) == expected


@pytest.mark.parametrize(
    ("typed", "message_part"), [("-1", "negativo"), ("muitas", "Não entendi"), ("1000000", "demais")]
)
def test_branches_rejections(typed: str, message_part: str) -> None:
    with pytest.raises(InvalidFact, match=message_part):
        parse_branches(typed)


@pytest.mark.parametrize(("typed", "expected"), [("720", 720), ("0", 0), ("1000", 1000), ("850/1000", 850)])
def test_financial_score(typed: str, expected: int) -> None:
    assert parse_financial_score(typed) == expected


@pytest.mark.parametrize("typed", ["1001", "-3", "alto", "7,5"])
def test_financial_score_rejections(typed: str) -> None:
    with pytest.raises(InvalidFact, match=r"0 a 1000|Não entendi|fora"):
        parse_financial_score(typed)


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("ativa", Registration.ACTIVE),
        ("Ativo", Registration.ACTIVE),
        ("habilitada", Registration.ACTIVE),
        ("INATIVA", Registration.INACTIVE),
        ("baixada", Registration.INACTIVE),
        ("isenta", Registration.EXEMPT),
    ],
)
def test_registration(typed: str, expected: Registration) -> None:
    assert parse_registration(typed) is expected


def test_registration_rejection_lists_the_answers() -> None:
    with pytest.raises(InvalidFact, match="ativa, inativa ou isenta"):
        parse_registration("talvez")


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("11.222.333/0001-81", "11222333000181"),
        ("11222333000181", "11222333000181"),
        (" 11 222 333 0001 81 ", "11222333000181"),
        ("12.ABC.345/01DE-35", "12ABC34501DE35"),  # alphanumeric CNPJ (from July 2026)
        ("12abc34501de35", "12ABC34501DE35"),
    ],
)
def test_cnpj_numeric_and_alphanumeric(typed: str, expected: str) -> None:
    assert parse_cnpj(typed) == expected


@pytest.mark.parametrize(
    ("typed", "message_part"),
    [
        ("11.222.333/0001-82", "dígitos verificadores"),
        ("1122233300018", "14 caracteres"),
        ("12.ABC.345/01DE-36", "dígitos verificadores"),
    ],
)
def test_cnpj_rejections(typed: str, message_part: str) -> None:
    with pytest.raises(InvalidFact, match=message_part):
        parse_cnpj(typed)


@pytest.mark.parametrize("typed", ["6201501", "6201-5/01", "62.01-5-01"])
def test_cnae_forms(typed: str) -> None:
    assert parse_cnae(typed) == "6201501"


def test_cnae_wrong_check_digit_names_the_right_one() -> None:
    with pytest.raises(InvalidFact, match="6201-5/01"):
        parse_cnae("6201-9/01")


@pytest.mark.parametrize(
    ("typed", "expected"), [("sp", "SP"), ("São Paulo", "SP"), ("sao paulo", "SP"), ("Rio Grande do Norte", "RN")]
)
def test_uf_forms(typed: str, expected: str) -> None:
    assert parse_uf(typed) == expected


def test_uf_rejection() -> None:
    with pytest.raises(InvalidFact, match="XX"):
        parse_uf("XX")


def test_reading_a_row_reports_every_bad_fact_and_keeps_the_good_ones() -> None:
    values, errors = read_fields(
        {"cnae": "6201501", "uf": "ZZ", "headcount": "-3", "revenue": "", "branches": None, "financial_score": "700"}
    )
    facts = LeadDraft().changed(values).facts
    assert facts.cnae == "6201501"
    assert facts.financial_score == 700
    assert facts.uf is None and facts.headcount is None and facts.revenue is None
    assert set(errors) == {"uf", "headcount"}


def test_a_wrong_value_typed_again_gets_the_same_answer_as_a_new_error() -> None:
    with pytest.raises(InvalidFact) as first:
        parse_cnpj("12.345.678/0001-00")
    with pytest.raises(InvalidFact) as again:
        parse_cnpj("12.345.678/0001-00")
    assert str(again.value) == str(first.value) and "não confere" in str(again.value)
    assert again.value is not first.value  # no traceback piles up on one shared exception
    assert again.value.params == first.value.params


@pytest.mark.parametrize("typed", ["²", "٣00", "３", "1²0", "6201²01"])
def test_facts_refuse_digits_other_than_0_to_9_instead_of_folding_them(typed: str) -> None:
    # NFKD folding would read "6201²01" as 6201201 and "３" as 3: a number typed oddly is asked again
    for parse in (
        parse_headcount,
        parse_revenue,
        parse_branches,
        parse_financial_score,
        parse_cnae,
        parse_cnpj,
    ):
        with pytest.raises(InvalidFact, match="não é um algarismo de 0 a 9"):
            parse(typed)


def test_a_date_is_not_a_financial_score() -> None:
    assert parse_financial_score("720/1000") == 720
    with pytest.raises(InvalidFact, match="Não entendi o score"):
        parse_financial_score("31/12/9999")
