"""Languages of the bot's own text: Brazilian Portuguese by default, English for English users.

Messages are written in Portuguese in the code and templates (``_("Pontuação")``); the English
catalog ``bot/locales/en/LC_MESSAGES/messages.po`` translates them. The catalog is compiled in
memory with Babel at start-up, so there is no build step, and numbers and dates are formatted
with Babel's locale data.
"""

from __future__ import annotations

import gettext
import io
from collections.abc import Callable
from datetime import date, datetime
from functools import cache
from importlib import resources

from babel import Locale
from babel.dates import format_date, format_datetime
from babel.numbers import format_decimal

from bot.languages import DEFAULT_LANGUAGE, LANGUAGES
from bot.languages import language_for as language_for

LOCALES = {"pt": Locale.parse("pt_BR"), "en": Locale.parse("en_US")}

Gettext = Callable[[str], str]


def N_(message: str) -> str:
    """Mark a message for translation where it is defined; translate it where it is shown."""
    return message


@cache
def translations(language: str) -> gettext.NullTranslations:
    if language == DEFAULT_LANGUAGE:
        return gettext.NullTranslations()
    from babel.messages.mofile import write_mo  # the catalog compiler: only for a language to translate to
    from babel.messages.pofile import read_po

    source = resources.files("bot") / "locales" / language / "LC_MESSAGES" / "messages.po"
    with source.open("rb") as handle:
        catalog = read_po(handle, locale=language)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return gettext.GNUTranslations(buffer)


def gettext_for(language: str) -> Gettext:
    return translations(language if language in LANGUAGES else DEFAULT_LANGUAGE).gettext


def number(value: float | int, language: str) -> str:
    return str(format_decimal(value, locale=LOCALES.get(language, LOCALES[DEFAULT_LANGUAGE])))


def when(value: datetime, language: str, timezone: str) -> str:
    """A moment as a rep reads it, in their own time zone: "24/11/2026 14:30"."""
    pattern = "dd/MM/yyyy HH:mm" if language == "pt" else "MMM d, yyyy h:mm a"
    return str(format_datetime(value, pattern, tzinfo=_zone(timezone), locale=LOCALES.get(language, LOCALES["pt"])))


def day(value: date, language: str, *, year: bool = True) -> str:
    """A day as a rep reads it: "25/11/2027" or "25/11" (English: "Nov 25, 2027", "Nov 25")."""
    patterns = {"pt": ("dd/MM/yyyy", "dd/MM")}.get(language, ("MMM d, yyyy", "MMM d"))
    pattern = patterns[0] if year else patterns[1]
    return str(format_date(value, pattern, locale=LOCALES.get(language, LOCALES["pt"])))


@cache
def _zone(name: str):
    from zoneinfo import ZoneInfo

    return ZoneInfo(name)
