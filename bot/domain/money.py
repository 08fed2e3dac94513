"""Money and contract terms as sales reps type them, read strictly; amounts shown in R$.

Amounts are **integer cents** (``149000`` is R$ 1.490,00): sums and averages are exact, and a
figure can be recounted to the cent. What a rep types in a chat is read like this:

- ``"1490"``, ``"1.490"``, ``"1.490,50"``, ``"R$ 1.490/mês"``, ``"1490,5"`` — Brazilian style: ``.``
  groups thousands, ``,`` starts the cents (at most two decimals; ``"1,490"`` is refused as ambiguous,
  and ``"1490.50"`` with a dot and one or two decimals is read as cents, as it cannot be thousands);
- ``"1,5 mil"``, ``"2k"``, ``"1,2 mi"`` — thousands and millions;
- a period after the amount: ``"/mês"``, ``"por mês"``, ``"mensal"`` (monthly) or ``"/ano"``,
  ``"por ano"``, ``"anual"`` (annual). A recurring value **without a period is monthly** (what a
  rep of a monthly-billed SaaS types); an annual one is divided by 12, to the cent, for the monthly
  recurring value (:func:`parse_monthly`). A set-up fee is paid once: a period there is refused.
- terms: ``"12"``, ``"12 meses"``, ``"1 mês"``, ``"24m"``, ``"1 ano"``, ``"2 anos"`` → months.

Digits are ASCII only (:mod:`bot.domain.numbers`); a negative, absurd or unreadable value raises
:class:`InvalidMoney` with a translatable message saying what to type. Pure: no I/O.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from enum import Enum

from bot.domain.numbers import InvalidNumber, refuse_other_digits
from bot.domain.problems import N_

MAX_CENTS = 100_000_000 * 100
"""R$ 100 milhões: no monthly value, fee or cost a team types is larger (a typo is)."""
MAX_MONTHS = 120
"""A contract of at most ten years."""
_MAX_TEXT = 60
"""Longer text is not a value (refused without being looked at)."""

CENT = Decimal("0.01")


class InvalidMoney(InvalidNumber):
    """An amount or term that cannot be used; the message is fit to show the person who typed it."""


class Period(Enum):
    """How often a typed amount is paid."""

    MONTH = "month"
    YEAR = "year"


@dataclass(frozen=True)
class TypedAmount:
    """An amount as typed: ``cents`` and the period written after it (``None`` when none was)."""

    cents: int
    period: Period | None


_PERIODS: tuple[tuple[str, Period], ...] = (
    (r"(?:/|por |ao |a )\s*m[eê]s", Period.MONTH),
    (r"/\s*m", Period.MONTH),
    (r"mensais|mensal", Period.MONTH),
    (r"(?:/|por |ao |a )\s*ano", Period.YEAR),
    (r"/\s*a", Period.YEAR),
    (r"anuais|anual", Period.YEAR),
)
_MULTIPLIERS: tuple[tuple[str, int], ...] = (
    ("milhões", 1_000_000),
    ("milhoes", 1_000_000),
    ("milhão", 1_000_000),
    ("milhao", 1_000_000),
    ("mil", 1_000),
    ("mi", 1_000_000),
    ("k", 1_000),
)
_PREFIXES = ("r$", "brl", "rs")
_SUFFIXES = ("reais", "real", "brl")
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")


def parse_amount(text: str) -> TypedAmount:
    """An amount in reais with the period written after it, if any (see the module for the forms)."""
    cleaned = _prepare(text)
    period: Period | None = None
    for pattern, kind in _PERIODS:
        match = re.search(r"\s*(?:" + pattern + r")\.?$", cleaned)
        if match:
            period, cleaned = kind, cleaned[: match.start()].strip()
            break
    for prefix in _PREFIXES:
        if cleaned.startswith(prefix):
            cleaned = cleaned[len(prefix) :].strip()
            break
    for suffix in _SUFFIXES:
        if cleaned.endswith(suffix):
            cleaned = cleaned[: -len(suffix)].strip()
            break
    multiplier = 1
    for word, factor in _MULTIPLIERS:
        if cleaned.endswith(word):
            multiplier, cleaned = factor, cleaned[: -len(word)].strip()
            break
    if cleaned.startswith("-") or cleaned.startswith("menos"):
        raise InvalidMoney(N_("Valor '%(typed)s' não pode ser negativo. Exemplo: R$ 1.490/mês."), typed=_shown(text))
    if not _NUMBER.fullmatch(cleaned):
        raise _unreadable(text)
    reais = _decimal(cleaned, text, multiplied=multiplier > 1) * multiplier
    if reais != reais.quantize(CENT):
        raise _unreadable(text)
    cents = int(reais * 100)
    if cents > MAX_CENTS:
        raise InvalidMoney(
            N_("Valor '%(typed)s' é grande demais (o máximo é R$ 100 milhões). Confira os zeros."),
            typed=_shown(text),
        )
    return TypedAmount(cents, period)


def parse_monthly(text: str) -> int:
    """A recurring value in cents **per month**: no period or a monthly one as typed, an annual one / 12."""
    typed = parse_amount(text)
    if typed.period is Period.YEAR:
        return monthly_from_annual(typed.cents)
    return typed.cents


def parse_once(text: str) -> int:
    """A value paid once (a set-up fee, a list purchase), in cents; ``"/mês"`` or ``"/ano"`` after it is refused."""
    typed = parse_amount(text)
    if typed.period is not None:
        raise InvalidMoney(
            N_("'%(typed)s' é um valor pago uma vez: digite sem /mês ou /ano, como R$ 2.000."), typed=_shown(text)
        )
    return typed.cents


def monthly_from_annual(cents: int) -> int:
    """An annual amount as a monthly one, to the nearest cent (half up)."""
    return int((Decimal(cents) / 12).quantize(Decimal(1), rounding=ROUND_HALF_UP))


_TERM = re.compile(r"(\d+)\s*(meses|mês|mes|m|anos|ano|a)?")


def parse_months(text: str) -> int:
    """A contract term in months: ``"12"``, ``"12 meses"``, ``"24m"``, ``"1 ano"``, ``"2 anos"`` (1 to 120)."""
    cleaned = _prepare(text)
    match = _TERM.fullmatch(cleaned)
    if match is None or len(match.group(1).lstrip("0")) > 4:
        raise InvalidMoney(
            N_("Prazo '%(typed)s' não entendido. Digite os meses, como 12 meses, 24m ou 1 ano."), typed=_shown(text)
        )
    number = int(match.group(1))
    months = number * 12 if (match.group(2) or "").startswith("a") else number
    if not 1 <= months <= MAX_MONTHS:
        raise InvalidMoney(
            N_("Prazo '%(typed)s' fora do intervalo: de 1 a %(max)s meses."), typed=_shown(text), max=MAX_MONTHS
        )
    return months


def format_money(cents: int, language: str = "pt") -> str:
    """``149000`` → ``"R$ 1.490,00"`` (pt) or ``"R$1,490.00"`` (en), with ordinary spaces."""
    from babel.numbers import format_currency  # only to show money: reading a playbook does not load Babel

    locale = "en" if language == "en" else "pt_BR"
    text = format_currency(Decimal(cents) / 100, "BRL", locale=locale)
    return str(text).replace("\xa0", " ").replace("\u202f", " ")


def _prepare(text: str) -> str:
    if len(text) > _MAX_TEXT:
        raise _unreadable(text)
    refuse_other_digits(text)
    return " ".join(text.strip().lower().split())


def _decimal(number: str, typed: str, *, multiplied: bool) -> Decimal:
    """Brazilian digits as a ``Decimal``: ``.`` groups thousands, ``,`` starts the decimals."""
    if number.count(",") > 1:
        raise _unreadable(typed)
    whole, _, decimals = number.partition(",")
    if decimals and "." in decimals:
        raise _unreadable(typed)
    if "." in whole:
        head, *groups = whole.split(".")
        if not decimals and len(groups) == 1 and len(groups[0]) in (1, 2):
            return Decimal(whole)  # "1490.50": a decimal point, since it cannot be a thousands group
        if not 1 <= len(head) <= 3 or any(len(group) != 3 for group in groups):
            raise _unreadable(typed)
        whole = head + "".join(groups)
    if decimals and len(decimals) > 2 and not multiplied:
        raise _unreadable(typed)  # "1,490": a thousand typed the English way, or 1,49?
    if len(whole.lstrip("0")) > 12:
        raise InvalidMoney(
            N_("Valor '%(typed)s' é grande demais (o máximo é R$ 100 milhões). Confira os zeros."),
            typed=_shown(typed),
        )
    return Decimal(f"{whole}.{decimals}" if decimals else whole)


def _unreadable(text: str) -> InvalidMoney:
    return InvalidMoney(
        N_("Valor '%(typed)s' não entendido. Digite como R$ 1.490/mês, 1.490,50, 1,5 mil ou 2k."), typed=_shown(text)
    )


def _shown(text: str) -> str:
    flat = " ".join(str(text).split())
    printable = "".join(ch for ch in flat if ch.isprintable())
    return printable[:30] + ("…" if len(printable) > 30 else "")
