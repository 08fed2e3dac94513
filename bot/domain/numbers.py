"""Whole numbers as people and buttons type them, read once and strictly.

Python's own readers are too generous for text from a chat: ``"²".isdigit()`` is true,
``int("٣")`` is 3, ``int("３")`` is 3 and ``int("9" * 30)`` overflows every column and every
``date``. Everything in the bot that reads a number from text (callback data, command arguments,
fact parsers, dates and hours, the CLI) goes through this module, which accepts **ASCII digits
only**, within bounds, and raises :class:`InvalidNumber` — a one-line, translatable message saying
what is wrong and what to type — for everything else.

Pure: no I/O, no translation machinery (see :mod:`bot.domain.problems`).
"""

from __future__ import annotations

from datetime import date

from bot.domain.problems import N_, Problem

DB_INT_MAX = 2**31 - 1
"""The largest PostgreSQL ``integer``: no id is larger."""
TELEGRAM_ID_MAX = 2**53 - 1
"""Telegram user ids fit in 52 bits (Bot API); they are stored as big integers."""
MAX_PAGE = 10_000
"""No list has more pages than this (100,000 leads at 10 a page)."""
MAX_DAYS = 3660
"""A period of "the last N days" is at most ten years."""
MIN_YEAR = 2000
MAX_YEAR = 2100
"""Years a sales team types: a report, an export or a meeting outside them is a typo."""
_MAX_DIGITS = 20
"""More digits than this are not looked at (a 10,000-digit "number" costs nothing to refuse)."""


class InvalidNumber(Problem):
    """A number that cannot be used; the message is fit to show the person who typed it."""


def is_digits(text: str) -> bool:
    """Whether ``text`` is one or more ASCII digits ``0``–``9`` (``"²"``, ``"٣"``, ``"３"`` are not)."""
    return bool(text) and text.isascii() and text.isdigit()


def digit_like(text: str) -> bool:
    """Whether ``text`` is made only of digits of any script (``"42"``, ``"²"``, ``"٣"``): something
    meant as a number, to be read with the functions below (which refuse all but ASCII), not as words."""
    return text.isdigit()


def refuse_other_digits(text: str) -> None:
    """:class:`InvalidNumber` if ``text`` holds a digit that is not ``0``–``9`` (``²``, ``٣``, ``３``, ``½``).

    Said before anything folds the text: NFKD would quietly turn ``6201²01`` into ``6201201``."""
    odd = next((ch for ch in text if not ch.isascii() and ch.isnumeric()), None)
    if odd is not None:
        raise InvalidNumber(
            N_("'%(char)s' não é um algarismo de 0 a 9. Digite os números só com 0 a 9, como 120."), char=odd
        )


def digits_of(text: str) -> str:
    """The ASCII digits of ``text``, in order (a phone or CNPJ typed with punctuation)."""
    return "".join(ch for ch in text if "0" <= ch <= "9")


def read_int(text: str, low: int, high: int) -> int | None:
    """``text`` (surrounding spaces ignored) as a whole number in ``low..high``; ``None`` otherwise."""
    cleaned = text.strip()
    if not is_digits(cleaned) or len(cleaned.lstrip("0")) > _MAX_DIGITS:
        return None
    value = int(cleaned)
    return value if low <= value <= high else None


def parse_int(text: str, low: int, high: int) -> int:
    """Like :func:`read_int`, but :class:`InvalidNumber` with what to type instead of ``None``."""
    value = read_int(text, low, high)
    if value is None:
        if not is_digits(text.strip()):
            raise InvalidNumber(
                N_("'%(typed)s' não é um número. Digite só algarismos de 0 a 9, como %(example)s."),
                typed=_shown(text),
                example=low if low > 0 else high if high < 10 else 7,
            )
        raise InvalidNumber(
            N_("%(typed)s está fora do intervalo. Digite um número de %(low)s a %(high)s."),
            typed=_shown(text),
            low=low,
            high=high,
        )
    return value


def parse_id(text: str) -> int:
    """A record's id (a lead, a meeting, a touch): 1 up to the largest database integer."""
    value = read_int(text, 1, DB_INT_MAX)
    if value is None:
        raise InvalidNumber(N_("'%(typed)s' não é o número de um lead. Exemplo: 42."), typed=_shown(text))
    return value


def parse_telegram_id(text: str) -> int:
    """A Telegram user id (what ``CADENCIA_ADMINS`` and ``cadencia team add`` take)."""
    value = read_int(text, 1, TELEGRAM_ID_MAX)
    if value is None:
        raise InvalidNumber(
            N_("'%(typed)s' não é um id do Telegram: são só algarismos, como 123456789."), typed=_shown(text)
        )
    return value


def parse_page(text: str) -> int:
    """A page of a list, counted from 0."""
    return parse_int(text, 0, MAX_PAGE)


def parse_days(text: str) -> int:
    """A period of the last N days (``/relatorio 7``)."""
    value = read_int(text, 1, MAX_DAYS)
    if value is None:
        raise InvalidNumber(
            N_("Período '%(typed)s' não serve: use de 1 a %(max)s dias, como 7 ou 30, ou datas DD/MM/AAAA."),
            typed=_shown(text),
            max=MAX_DAYS,
        )
    return value


def parse_year(text: str) -> int:
    """A year with four digits, or two (``26`` → 2026), between MIN_YEAR and MAX_YEAR."""
    cleaned = text.strip()
    value = read_int(cleaned, 0, 9999) if len(cleaned) in (2, 4) else None
    if value is not None and len(cleaned) == 2:
        value += 2000
    if value is None or not MIN_YEAR <= value <= MAX_YEAR:
        raise InvalidNumber(
            N_("Ano '%(typed)s' não serve: use um ano de %(low)s a %(high)s, como 2026."),
            typed=_shown(text),
            low=MIN_YEAR,
            high=MAX_YEAR,
        )
    return value


def parse_date(day: str, month: str, year: str | int) -> date:
    """A calendar day from its parts as typed (``year`` already read, or text); the day must exist."""
    number = year if isinstance(year, int) else parse_year(year)
    d, m = read_int(day, 1, 31), read_int(month, 1, 12)
    if d is None or m is None or not MIN_YEAR <= number <= MAX_YEAR:
        raise _no_such_day(day, month, number)
    try:
        return date(number, m, d)
    except ValueError:  # 31/04, 29/02 of a common year
        raise _no_such_day(day, month, number) from None


def parse_day_text(text: str) -> date | None:
    """``DD/MM/AAAA``, ``DD/MM/AA`` or ``AAAA-MM-DD``; ``None`` when ``text`` is not shaped like a date,
    :class:`InvalidNumber` when it is but the day does not exist or the year is out of range."""
    cleaned = text.strip()
    if cleaned.count("/") == 2:
        day, month, year = cleaned.split("/")
        if all(digit_like(part) for part in (day, month, year)):  # any digits: judged strictly
            return parse_date(day, month, year)
        return None
    if cleaned.count("-") == 2:
        year, month, day = cleaned.split("-")
        if all(digit_like(part) for part in (day, month, year)):
            return parse_date(day, month, year)
    return None


def parse_hour(text: str) -> int:
    """An hour of the day, 0–23."""
    value = read_int(text, 0, 23)
    if value is None:
        raise InvalidNumber(N_("Hora '%(typed)s' não existe. Use de 0 a 23, como 14."), typed=_shown(text))
    return value


def parse_minute(text: str) -> int:
    """A minute, 0–59."""
    value = read_int(text, 0, 59)
    if value is None:
        raise InvalidNumber(N_("Minuto '%(typed)s' não existe. Use de 00 a 59, como 14:30."), typed=_shown(text))
    return value


def _no_such_day(day: str, month: str, year: str | int) -> InvalidNumber:
    return InvalidNumber(
        N_("A data %(typed)s não existe ou está fora de %(low)s–%(high)s. Use DD/MM/AAAA, como 25/11/2026."),
        typed=_shown(f"{day}/{month}/{year}"),
        low=MIN_YEAR,
        high=MAX_YEAR,
    )


def _shown(text: str) -> str:
    """What the person typed, short and on one line (it goes inside a message)."""
    flat = " ".join(str(text).split())
    printable = "".join(ch for ch in flat if ch.isprintable())
    return printable[:20] + ("…" if len(printable) > 20 else "")
