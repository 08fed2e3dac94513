"""Lead facts: what a rep knows about a prospect company, parsed from what they type.

Every parser accepts the forms reps actually type and raises :class:`InvalidFact` with a short
Portuguese message saying what is wrong and how to write it (a translatable template with its
parameters, see :mod:`bot.domain.problems`). ``None`` always means *unknown*.

Long because it is one concern: the :class:`LeadFacts` dataclass and the parser of each of its
fields, which share the message templates and number forms.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from functools import lru_cache, wraps
from typing import Any, TypeVar, cast

from stdnum.br import cnpj as stdnum_cnpj

from bot.domain import cnae, numbers, regions
from bot.domain.problems import N_, Problem
from bot.domain.registry import FederalStatus, Porte
from bot.domain.text import fold
from bot.domain.vocabulary import Registration

MAX_HEADCOUNT = 5_000_000
MAX_REVENUE = 10_000_000_000_000  # R$ 10 trillion: more than any company on Earth
MAX_BRANCHES = 100_000
MAX_FINANCIAL_SCORE = 1000


T = TypeVar("T")


class InvalidFact(Problem):
    """A value a rep typed that cannot be used; the message is fit to show them."""


def _memoised(parse: Callable[[str], T]) -> Callable[[str], T]:
    """``lru_cache`` for a parser that also remembers refusals: the same wrong value typed again
    (by anyone) is answered from memory too, with a new :class:`InvalidFact` each time."""

    @lru_cache(maxsize=16_384)
    def outcome(text: str) -> tuple[bool, Any]:
        try:
            return True, parse(text)
        except InvalidFact as refusal:
            return False, (type(refusal), refusal.template, refusal.params)

    @wraps(parse)
    def parse_once(text: str) -> T:
        ok, value = outcome(text)
        if ok:
            return cast(T, value)
        kind, template, params = value
        raise kind(template, **params)

    return parse_once


@dataclass(frozen=True, slots=True)
class IntRange:
    """An inclusive range of whole numbers; ``low == high`` for an exact value."""

    low: int
    high: int

    @property
    def exact(self) -> bool:
        return self.low == self.high

    @property
    def midpoint(self) -> int:
        return (self.low + self.high) // 2

    def __str__(self) -> str:
        return str(self.low) if self.exact else f"{self.low}–{self.high}"


@dataclass(frozen=True, slots=True)
class LeadFacts:
    """The facts the ICP is scored on. Every field may be unknown (``None``)."""

    cnae: str | None = None  # 7-digit subclass code, e.g. "6201501"
    uf: str | None = None  # two-letter code, e.g. "SP"
    headcount: IntRange | None = None
    revenue: IntRange | None = None  # annual revenue in whole reais
    branches: int | None = None  # branches besides the head office
    registration: Registration | None = None
    financial_score: int | None = None  # 0–1000
    cnpj: str | None = None  # 14 characters, no punctuation
    extra: dict[str, str] = field(default_factory=dict)
    # What the CNPJ registry (Receita Federal) says; usually filled from a company directory.
    federal_status: FederalStatus | None = None
    porte: Porte | None = None
    simples: bool | None = None
    mei: bool | None = None
    opened_on: date | None = None  # data_inicio_atividade
    company_age: int | None = None
    """Whole years since ``opened_on`` on the day the lead is judged (see :meth:`aged`)."""

    def with_(self, **changes: object) -> LeadFacts:
        return replace(self, **changes)  # type: ignore[arg-type]

    def aged(self, today: date) -> LeadFacts:
        """These facts with :attr:`company_age` counted on ``today``."""
        if self.opened_on is None:
            return self if self.company_age is None else replace(self, company_age=None)
        return replace(self, company_age=age_in_years(self.opened_on, today))


def age_in_years(since: date, today: date) -> int:
    years = today.year - since.year - ((today.month, today.day) < (since.month, since.day))
    return max(years, 0)


# ---------------------------------------------------------------------------- parsers

_NUMBER_WORDS = {
    "mil": 1_000,
    "k": 1_000,
    "mi": 1_000_000,
    "mm": 1_000_000,
    "m": 1_000_000,
    "milhao": 1_000_000,
    "milhoes": 1_000_000,
    "million": 1_000_000,
    "bi": 1_000_000_000,
    "b": 1_000_000_000,
    "bilhao": 1_000_000_000,
    "bilhoes": 1_000_000_000,
    "billion": 1_000_000_000,
}
_AMOUNT = re.compile(r"^(?P<num>[0-9][0-9.,]*)\s*(?P<unit>[a-z]+)?$")
_RANGE_SPLIT = re.compile(r"\s*(?:-|–|—|\ba\b|\bate\b|\bto\b)\s*")


#: What a parser says about an empty or an overlong answer: whole sentences per field, to translate whole.
_EMPTY_OR_LONG: dict[str, tuple[str, str]] = {
    "Número de funcionários": (
        N_("Número de funcionários: a resposta veio vazia."),
        N_("Número de funcionários: a resposta é longa demais (%(n)s caracteres)."),
    ),
    "Faturamento": (
        N_("Faturamento: a resposta veio vazia."),
        N_("Faturamento: a resposta é longa demais (%(n)s caracteres)."),
    ),
    "Filiais": (
        N_("Filiais: a resposta veio vazia."),
        N_("Filiais: a resposta é longa demais (%(n)s caracteres)."),
    ),
    "Score financeiro": (
        N_("Score financeiro: a resposta veio vazia."),
        N_("Score financeiro: a resposta é longa demais (%(n)s caracteres)."),
    ),
    "Inscrição estadual": (
        N_("Inscrição estadual: a resposta veio vazia."),
        N_("Inscrição estadual: a resposta é longa demais (%(n)s caracteres)."),
    ),
    "CNPJ": (
        N_("CNPJ: a resposta veio vazia."),
        N_("CNPJ: a resposta é longa demais (%(n)s caracteres)."),
    ),
    "CNAE": (
        N_("CNAE: a resposta veio vazia."),
        N_("CNAE: a resposta é longa demais (%(n)s caracteres)."),
    ),
    "Situação na Receita": (
        N_("Situação na Receita: a resposta veio vazia."),
        N_("Situação na Receita: a resposta é longa demais (%(n)s caracteres)."),
    ),
    "Porte": (
        N_("Porte: a resposta veio vazia."),
        N_("Porte: a resposta é longa demais (%(n)s caracteres)."),
    ),
    "Simples/MEI": (
        N_("Simples/MEI: a resposta veio vazia."),
        N_("Simples/MEI: a resposta é longa demais (%(n)s caracteres)."),
    ),
    "UF": (
        N_("UF: a resposta veio vazia."),
        N_("UF: a resposta é longa demais (%(n)s caracteres)."),
    ),
}


def _check_text(text: str, what: str) -> str:
    """``what`` is a key of ``_EMPTY_OR_LONG``."""
    empty, too_long = _EMPTY_OR_LONG[what]
    cleaned = (text or "").strip()
    if not cleaned:
        raise InvalidFact(empty)
    if len(cleaned) > 200:
        raise InvalidFact(too_long, n=len(cleaned))
    try:
        numbers.refuse_other_digits(cleaned)
    except numbers.InvalidNumber as exc:
        raise InvalidFact(exc.template, **exc.params) from None
    return cleaned


def _parse_decimal(raw: str) -> Decimal:
    """Parse a number as Brazilians and spreadsheets write it.

    With both separators the last one is the decimal mark ("1.234,56", "1,234.56"). A single
    comma is a decimal mark ("4,8"); several are thousands. A single dot followed by exactly three
    digits is a thousands mark ("360.000"), otherwise a decimal mark ("4.8"); several are
    thousands.
    """
    if "," in raw and "." in raw:
        decimal_mark = "," if raw.rfind(",") > raw.rfind(".") else "."
        thousands = "." if decimal_mark == "," else ","
        raw = raw.replace(thousands, "").replace(decimal_mark, ".")
    elif "," in raw:
        raw = raw.replace(",", ".") if raw.count(",") == 1 else raw.replace(",", "")
    elif raw.count(".") > 1 or (raw.count(".") == 1 and len(raw.rpartition(".")[2]) == 3):
        raw = raw.replace(".", "")
    try:
        return Decimal(raw)
    except InvalidOperation as exc:
        raise ValueError(raw) from exc


def _parse_amount(text: str) -> Decimal:
    folded = fold(text).replace("r$", "").replace("brl", "").strip()
    folded = folded.replace(" ", "") if re.fullmatch(r"[0-9 .,]+", folded) else folded
    match = _AMOUNT.match(folded)
    if not match:
        raise ValueError(text)
    value = _parse_decimal(match["num"])
    unit = match["unit"]
    if unit:
        if unit not in _NUMBER_WORDS:
            raise ValueError(text)
        value *= _NUMBER_WORDS[unit]
    return value


def _parse_range(text: str, parse_one: object, *, what: str, negative: str, unclear: str) -> IntRange:
    """``negative`` and ``unclear`` are the messages for "-5" and for text that is not a range."""
    assert callable(parse_one)
    cleaned = _check_text(text, what)
    folded = fold(cleaned)
    if folded.startswith("-"):
        raise InvalidFact(negative)
    plus = folded.endswith("+") or folded.startswith(("mais de ", "acima de ", "over "))
    if plus:
        folded = re.sub(r"^(mais de|acima de|over)\s+", "", folded).rstrip("+").strip()
    parts = [p for p in _RANGE_SPLIT.split(folded, maxsplit=1) if p]
    try:
        if len(parts) == 2 and not plus:
            low, high = (parse_one(p) for p in parts)
        elif len(parts) == 1:
            low = high = parse_one(parts[0])
        else:
            raise ValueError(text)
    except (ValueError, ArithmeticError):
        raise InvalidFact(unclear, typed=cleaned[:40]) from None
    if low > high:
        low, high = high, low
    if plus:
        high = low
    return IntRange(int(low), int(high))


def _whole(text: str) -> int:
    value = _parse_amount(text)
    if value != value.to_integral_value():
        raise ValueError(text)
    return int(value)


@_memoised
def parse_headcount(text: str) -> IntRange:
    """ "120", "100-199", "100 a 199", "1.200", "500+" → an inclusive range of employees."""
    result = _parse_range(
        text,
        _whole,
        what="Número de funcionários",
        negative=N_("Número de funcionários não pode ser negativo. Exemplo: 120 ou 100-199."),
        unclear=N_("Não entendi número de funcionários '%(typed)s'. Exemplo: 120 ou 100-199."),
    )
    if result.low < 1:
        raise InvalidFact(N_("Número de funcionários deve ser ao menos 1. Exemplo: 120 ou 100-199."))
    if result.high > MAX_HEADCOUNT:
        raise InvalidFact(
            N_("%(n)s funcionários é mais do que qualquer empresa tem. Confira o número (exemplo: 120 ou 100-199)."),
            n=f"{result.high:,}".replace(",", "."),
        )
    return result


@_memoised
def parse_revenue(text: str) -> IntRange:
    """Annual revenue in reais: "4,8 mi", "R$ 360.000", "1-5 mi", "2M" → whole-real range."""
    cleaned = _check_text(text, "Faturamento")
    folded = fold(cleaned)
    # "1-5 mi": a unit after the range applies to both ends.
    unit_match = re.match(r"^(.*[0-9])\s*(-|–|\ba\b|\bate\b|\bto\b)\s*([0-9.,]+)\s*([a-z]+)$", folded)
    if unit_match and not re.search(r"[a-z]", unit_match[1].replace("r$", "")):
        folded = f"{unit_match[1]} {unit_match[4]} - {unit_match[3]} {unit_match[4]}"
    result = _parse_range(
        folded,
        lambda p: _parse_amount(p).to_integral_value(),
        what="Faturamento",
        negative=N_("Faturamento não pode ser negativo. Exemplo: 4,8 mi ou R$ 360.000 ou 1-5 mi."),
        unclear=N_("Não entendi faturamento '%(typed)s'. Exemplo: 4,8 mi ou R$ 360.000 ou 1-5 mi."),
    )
    if result.high > MAX_REVENUE:
        raise InvalidFact(N_("Esse faturamento é grande demais para ser real. Confira os zeros."))
    return result


@_memoised
def parse_branches(text: str) -> int:
    cleaned = _check_text(text, "Filiais")
    folded = fold(cleaned)
    if folded in {"nenhuma", "0", "zero", "nao", "none", "no", "so matriz", "somente matriz", "so a matriz"}:
        return 0
    if folded.startswith("-"):
        raise InvalidFact(N_("Número de filiais não pode ser negativo; use 0 se só tem a matriz."))
    try:
        value = _whole(folded)
    except (ValueError, ArithmeticError):
        raise InvalidFact(
            N_("Não entendi o número de filiais '%(typed)s'. Digite um número, como 3 (0 se só tem a matriz)."),
            typed=cleaned[:40],
        ) from None
    if value < 0:
        raise InvalidFact(N_("Número de filiais não pode ser negativo."))
    if value > MAX_BRANCHES:
        raise InvalidFact(N_("%(n)s filiais é demais para ser real. Confira o número."), n=value)
    return value


@_memoised
def parse_financial_score(text: str) -> int:
    cleaned = _check_text(text, "Score financeiro")
    score, _, scale = fold(cleaned).partition("/")
    try:
        if scale and scale.strip() not in ("1000", "1.000"):  # "720/1000" is a score; "31/12/9999" is not
            raise ValueError(cleaned)
        value = _whole(score.strip())
    except (ValueError, ArithmeticError):
        raise InvalidFact(
            N_("Não entendi o score '%(typed)s'. Digite um número de 0 a 1000, como 720."), typed=cleaned[:40]
        ) from None
    if not 0 <= value <= MAX_FINANCIAL_SCORE:
        raise InvalidFact(N_("Score financeiro vai de 0 a 1000; %(n)s está fora. Confira."), n=value)
    return value


_REGISTRATION_WORDS = {
    Registration.ACTIVE: {"ativa", "ativo", "active", "sim", "yes", "habilitada", "habilitado", "s"},
    Registration.INACTIVE: {
        "inativa",
        "inativo",
        "inactive",
        "nao",
        "no",
        "baixada",
        "suspensa",
        "cancelada",
        "inapta",
        "n",
        "nao habilitada",
    },
    Registration.EXEMPT: {"isenta", "isento", "exempt", "nao contribuinte", "dispensada"},
}


@_memoised
def parse_registration(text: str) -> Registration:
    folded = fold(_check_text(text, "Inscrição estadual"))
    for value, words in _REGISTRATION_WORDS.items():
        if folded in words or folded == value.value:
            return value
    raise InvalidFact(
        N_("Situação da inscrição estadual: responda ativa, inativa ou isenta (como aparece no SINTEGRA).")
    )


@_memoised
def parse_cnpj(text: str) -> str:
    """Validate a CNPJ (numeric or the alphanumeric form from July 2026); return it compact."""
    cleaned = _check_text(text, "CNPJ")
    compact = stdnum_cnpj.compact(cleaned).upper()
    if len(compact) != 14:
        raise InvalidFact(
            N_("CNPJ deve ter 14 caracteres; '%(typed)s' tem %(n)s. Exemplo: 12.345.678/0001-95."),
            typed=cleaned[:30],
            n=len(compact),
        )
    try:
        return str(stdnum_cnpj.validate(compact))
    except Exception:  # stdnum raises several ValidationError subclasses
        raise InvalidFact(
            N_("CNPJ %(cnpj)s não confere (dígitos verificadores errados). Confira no cartão CNPJ."),
            cnpj=stdnum_cnpj.format(compact),
        ) from None


def format_cnpj(value: str) -> str:
    return str(stdnum_cnpj.format(value))


CNPJ_ROOT_LENGTH = 8
"""A CNPJ's first 8 characters name the company; the next 4 the establishment (0001 = head office)."""


def cnpj_root(cnpj: str) -> str:
    """The company part of a compact CNPJ: "11222333000181" → "11222333"."""
    return cnpj[:CNPJ_ROOT_LENGTH]


class CnpjClash(StrEnum):
    """How a new lead's CNPJ meets a lead already in the pipeline."""

    SAME = "same"
    """The very same CNPJ: never a second lead."""
    BRANCH = "branch"
    """Another establishment of the same company (same root): a lead only if the rep says so."""


def cnpj_clash(new: str, existing: str | None) -> CnpjClash | None:
    """How CNPJ ``new`` relates to ``existing`` (both compact), ``None`` when they are two companies."""
    if not existing:
        return None
    if new == existing:
        return CnpjClash.SAME
    if cnpj_root(new) == cnpj_root(existing):
        return CnpjClash.BRANCH
    return None


@_memoised
def parse_cnae(text: str) -> str:
    """A CNAE subclass code in any common form → 7 characters; errors name the fix."""
    try:
        return cnae.parse_subclass(_check_text(text, "CNAE")).code
    except cnae.InvalidCnae as exc:
        raise InvalidFact(exc.template, **exc.params) from None


@_memoised
def parse_uf(text: str) -> str:
    try:
        return regions.parse_uf(_check_text(text, "UF")).code
    except regions.InvalidUf as exc:
        raise InvalidFact(exc.template, **exc.params) from None


_STATUS_WORDS = {
    FederalStatus.ACTIVE: {"ativa", "ativo", "active", "02", "2"},
    FederalStatus.SUSPENDED: {"suspensa", "suspenso", "suspended", "03", "3"},
    FederalStatus.UNFIT: {"inapta", "inapto", "unfit", "04", "4"},
    FederalStatus.CLOSED: {"baixada", "baixado", "closed", "08", "8", "extinta"},
    FederalStatus.NULL: {"nula", "nulo", "null", "01", "1"},
}

#: The words an ``icp.yaml`` condition and the chat use for each status and porte.
STATUS_NAMES = {
    FederalStatus.ACTIVE: "ativa",
    FederalStatus.SUSPENDED: "suspensa",
    FederalStatus.UNFIT: "inapta",
    FederalStatus.CLOSED: "baixada",
    FederalStatus.NULL: "nula",
}

_PORTE_WORDS = {
    Porte.MICRO: {"me", "micro", "microempresa", "01", "1"},
    Porte.SMALL: {"epp", "pequeno porte", "empresa de pequeno porte", "pequena", "03", "3"},
    Porte.OTHER: {"demais", "media", "grande", "media ou grande", "other", "05", "5"},
    Porte.UNKNOWN: {"nao informado", "00", "0"},
}
PORTE_NAMES = {Porte.MICRO: "me", Porte.SMALL: "epp", Porte.OTHER: "demais", Porte.UNKNOWN: "nao_informado"}

_YES = {"sim", "s", "yes", "y", "true", "1", "optante"}
_NO = {"nao", "n", "no", "false", "0", "nao optante"}


def _read_word(text: str, what: str) -> str:
    return fold(_check_text(text, what)).replace("_", " ").strip()


@_memoised
def parse_federal_status(text: str) -> FederalStatus:
    """The situação cadastral on the Receita Federal: "ativa", "baixada", "02"…"""
    folded = _read_word(text, "Situação na Receita")
    for status, words in _STATUS_WORDS.items():
        if folded in words:
            return status
    raise InvalidFact(N_("Situação na Receita: responda ativa, suspensa, inapta, baixada ou nula."))


@_memoised
def parse_porte(text: str) -> Porte:
    """The porte in the CNPJ registry: "ME", "EPP", "demais", "01"…"""
    folded = _read_word(text, "Porte")
    for porte, words in _PORTE_WORDS.items():
        if folded in words:
            return porte
    raise InvalidFact(N_("Porte: responda ME, EPP ou demais (como no cartão CNPJ)."))


@_memoised
def parse_yes_no(text: str) -> bool:
    """Opted for the Simples Nacional / MEI: "sim", "não", "S", "N"."""
    folded = _read_word(text, "Simples/MEI")
    if folded in _YES:
        return True
    if folded in _NO:
        return False
    raise InvalidFact(N_("Simples/MEI: responda sim ou não."))


_DATE_FORMS = (
    re.compile(r"^(?P<y>\d{4})-(?P<m>\d{2})-(?P<d>\d{2})$"),
    re.compile(r"^(?P<d>\d{1,2})/(?P<m>\d{1,2})/(?P<y>\d{4})$"),
    re.compile(r"^(?P<y>\d{4})(?P<m>\d{2})(?P<d>\d{2})$"),
)


@_memoised
def parse_opened_on(text: str) -> date:
    """When the company started (data de início de atividade): "2015-03-01", "01/03/2015"."""
    cleaned = (text or "").strip()
    if not cleaned or len(cleaned) > 20:
        raise InvalidFact(N_("Início de atividade: escreva a data como 01/03/2015."))
    for form in _DATE_FORMS:
        match = form.match(cleaned)
        if match:
            try:
                found = date(int(match["y"]), int(match["m"]), int(match["d"]))
            except ValueError:
                break
            if found.year >= 1800:
                return found
    raise InvalidFact(N_("Início de atividade: escreva a data como 01/03/2015."))
