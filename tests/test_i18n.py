"""The English catalog: complete, placeholders intact, nothing stale, and who gets which language."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po

from bot import i18n_extract
from bot.i18n import language_for

ROOT = Path(__file__).resolve().parents[1]
CATALOG = ROOT / "bot" / "locales" / "en" / "LC_MESSAGES" / "messages.po"
PLACEHOLDER = re.compile(r"%\([^)]*\)[-#0 +]*\d*(?:\.\d+)?[a-zA-Z%]")

#: Messages translated at run time that the extractor cannot see, so they are not stale:
#: ``_()`` calls inside f-strings (Babel does not look inside f-strings on Python 3.11) and
#: exception messages shown with ``context._(str(problem))``. Each must still appear literally
#: in the code, so an entry here goes away with the code that used it.
RUNTIME_ONLY: set[str] = set()
"""Messages translated at run time where the extractor cannot see them (keep this empty: mark
such messages with ``N_()`` where they are defined instead)."""


@cache
def catalog() -> Catalog:
    with CATALOG.open("rb") as handle:
        return read_po(handle, locale="en")


def entries() -> list[tuple[str, str]]:
    """(msgid, msgstr) of every real entry (not the header), singular messages only."""
    return [(m.id, m.string) for m in catalog() if m.id and isinstance(m.id, str) and isinstance(m.string, str)]


@cache
def source_text() -> str:
    files = [*(ROOT / "bot").rglob("*.py"), *(ROOT / "templates").rglob("*.html")]
    return "\n".join(path.read_text(encoding="utf-8") for path in files)


def test_every_message_has_an_english_translation() -> None:
    missing = i18n_extract.missing("en")
    assert missing == [], (
        f"{len(missing)} message(s) have no English translation in {CATALOG.relative_to(ROOT)}:\n"
        + "\n".join(f"  {m!r}" for m in missing)
        + "\nRun `python -m bot.i18n_extract` to print them in PO format, then translate them."
    )


def test_translations_keep_the_placeholders() -> None:
    wrong = [
        (msgid, msgstr)
        for msgid, msgstr in entries()
        if msgstr and sorted(PLACEHOLDER.findall(msgid)) != sorted(PLACEHOLDER.findall(msgstr))
    ]
    assert wrong == [], "translations whose %(...)s placeholders differ from the msgid:\n" + "\n".join(
        f"  {msgid!r} -> {msgstr!r}" for msgid, msgstr in wrong
    )


def test_no_entry_is_empty_or_duplicated() -> None:
    ids = [msgid for msgid, _ in entries()]
    assert len(ids) == len(set(ids)), "duplicate msgids in the catalog"
    empty = [msgid for msgid, msgstr in entries() if not msgstr.strip()]
    assert empty == [], f"entries with an empty msgstr: {empty}"


def test_the_catalog_has_no_stale_entries() -> None:
    used = i18n_extract.messages() | RUNTIME_ONLY
    stale = sorted(msgid for msgid, _ in entries() if msgid not in used)
    assert stale == [], (
        f"stale entries in {CATALOG.relative_to(ROOT)}, no longer used by the code ({len(stale)}); "
        "delete them (or, if the message is translated at run time where the extractor cannot see it, "
        "add it to RUNTIME_ONLY in tests/test_i18n.py):\n" + "\n".join(f"  {m!r}" for m in stale)
    )


def test_runtime_only_messages_are_still_in_the_code_and_translated() -> None:
    translated = dict(entries())
    gone = sorted(m for m in RUNTIME_ONLY if m not in source_text())
    assert gone == [], f"RUNTIME_ONLY lists messages no longer in the code; remove them: {gone}"
    untranslated = sorted(m for m in RUNTIME_ONLY if not translated.get(m))
    assert untranslated == [], f"RUNTIME_ONLY messages without an English translation: {untranslated}"


@pytest.mark.parametrize(
    ("telegram_code", "language"),
    [("en", "en"), ("en-US", "en"), ("en-gb", "en"), ("pt-br", "pt"), ("pt", "pt"), ("es", "pt"), (None, "pt")],
)
def test_language_for(telegram_code: str | None, language: str) -> None:
    assert language_for(telegram_code) == language
