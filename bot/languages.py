"""The languages the bot speaks, without the translation machinery (:mod:`bot.i18n` loads Babel
and the catalog): what a command line needs to offer ``--lang`` without paying for them."""

from __future__ import annotations

DEFAULT_LANGUAGE = "pt"
LANGUAGES = ("pt", "en")


def language_for(telegram_language_code: str | None) -> str:
    """Telegram's ``language_code`` → one of :data:`LANGUAGES`."""
    code = (telegram_language_code or "").lower()
    return "en" if code.startswith("en") else DEFAULT_LANGUAGE
