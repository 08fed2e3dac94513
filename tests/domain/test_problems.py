"""Domain errors carry a translatable template and its parameters; ``str()`` stays Portuguese."""

from __future__ import annotations

import pickle
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from bot.domain import cnae, regions
from bot.domain.contacts import parse_phone
from bot.domain.facts import InvalidFact, parse_branches, parse_cnae, parse_cnpj, parse_uf
from bot.domain.moments import InvalidMoment, parse_moment
from bot.domain.problems import Problem

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=ZoneInfo("America/Sao_Paulo"))


@pytest.mark.parametrize(
    ("parse", "typed", "message"),
    [
        (
            parse_cnpj,
            "11.222.333/0001-82",
            "CNPJ 11.222.333/0001-82 não confere (dígitos verificadores errados). Confira no cartão CNPJ.",
        ),
        (
            parse_cnpj,
            "123",
            "CNPJ deve ter 14 caracteres; '123' tem 3. Exemplo: 12.345.678/0001-95.",
        ),
        (
            cnae.parse_subclass,
            "6201-4/01",
            "CNAE 6201-4/01 não confere: o dígito verificador da classe 6201 é 5 (6201-5/01).",
        ),
        (
            parse_cnae,
            "62015",
            "CNAE '62015' tem 5 dígitos; a subclasse tem 7, como 6201-5/01.",
        ),
        (cnae.parse_prefix, "Z", "Seção 'Z' não existe: as seções da CNAE vão de A a U."),
        (regions.parse_uf, "XX", "UF 'XX' não existe. Use a sigla (SP, RJ, MG…) ou o nome do estado."),
        (parse_uf, "Sao Paolo", "UF 'Sao Paolo' não existe. Você quis dizer São Paulo (SP)?"),
        (regions.parse_region, "Sull", "Região 'Sull' não existe. Você quis dizer Sul?"),
        (parse_branches, "200000", "200000 filiais é demais para ser real. Confira o número."),
        (parse_phone, "(10) 98765-4321", "DDD 10 não existe. Exemplo: (11) 98765-4321."),
        (
            lambda text: parse_moment(text, NOW),
            "25/11 25:00",
            "Horário 25:00 não existe. Use 24 h, como 14:30.",
        ),
        (
            lambda text: parse_moment(text, NOW),
            "ontem 10h",
            "Não entendi a data 'ontem'. Exemplos: 25/11 14:30, amanhã 10h ou sexta 9:30.",
        ),
    ],
)
def test_the_portuguese_message_is_unchanged(parse, typed: str, message: str) -> None:
    with pytest.raises(Problem) as caught:
        parse(typed)
    assert str(caught.value) == message
    assert caught.value.template % caught.value.params == message
    assert "%(" in caught.value.template or not caught.value.params


def test_errors_keep_their_types_and_template() -> None:
    with pytest.raises(InvalidFact) as caught:
        parse_cnae("6201-4/01")
    assert isinstance(caught.value, ValueError)
    assert caught.value.template.startswith("CNAE %(code)s não confere")
    assert caught.value.params["code"] == "6201-4/01"
    assert issubclass(regions.InvalidRegion, regions.InvalidUf)
    assert issubclass(InvalidMoment, Problem) and issubclass(cnae.InvalidCnae, Problem)


def test_a_problem_survives_pickling() -> None:
    error = InvalidFact("Score financeiro vai de 0 a 1000; %(n)s está fora. Confira.", n=1200)
    copy = pickle.loads(pickle.dumps(error))
    assert type(copy) is InvalidFact
    assert (copy.template, copy.params, str(copy)) == (error.template, error.params, str(error))
