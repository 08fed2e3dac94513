"""Find every translatable message in the code and templates (``_("…")``), with Babel.

Calls to ``_()`` and ``N_()`` are collected, by name: that includes the domain's own no-op
``N_`` (``bot.domain.problems``), which marks the message templates of its errors because the
pure domain cannot import ``bot.i18n``.

Used by the test that checks the English catalog is complete, and by
``python -m bot.i18n_extract`` to print the messages missing from it.
"""

from __future__ import annotations

import sys
from pathlib import Path

from babel.messages.extract import extract_from_dir

from bot.i18n import translations
from bot.resources import bundled_dir

PACKAGE = Path(__file__).resolve().parent
METHOD_MAP = [("**.py", "python")]
TEMPLATE_MAP = [("**.html", "jinja2"), ("**.txt", "jinja2")]


def messages() -> set[str]:
    found: set[str] = set()
    for _, _, message, _, _ in extract_from_dir(str(PACKAGE), METHOD_MAP, keywords={"_": None, "N_": None}):
        if isinstance(message, str) and message:
            found.add(message)
    for _, _, message, _, _ in extract_from_dir(
        str(bundled_dir("templates")), TEMPLATE_MAP, keywords={"_": None, "N_": None}
    ):
        if isinstance(message, str) and message:
            found.add(message)
    return found


def missing(language: str = "en") -> list[str]:
    catalog = translations(language)
    return sorted(m for m in messages() if catalog.gettext(m) == m)


if __name__ == "__main__":
    for message in missing(sys.argv[1] if len(sys.argv) > 1 else "en"):
        escaped = message.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
        print(f'msgid "{escaped}"\nmsgstr ""\n')
