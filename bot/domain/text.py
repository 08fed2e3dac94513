"""Text normalisation shared by the parsers of the domain (CNAE, UF, region)."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_SPACES = re.compile(r"\s+")


def strip_accents(text: str) -> str:
    """Remove diacritics: "São Paulo" → "Sao Paulo", "LIQÜEFEITO" → "LIQUEFEITO"."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(char for char in decomposed if not unicodedata.combining(char))


@lru_cache(maxsize=65_536)
def fold(text: str) -> str:
    """Key for accent- and case-insensitive comparison.

    Case-folds, strips accents, trims and collapses runs of white space into one space:
    ``fold("  São   PAULO ")`` → ``"sao paulo"``. Cached: imports fold the same few values
    (UFs, "ativa", revenue bands) hundreds of thousands of times.
    """
    plain = text if text.isascii() else strip_accents(text)
    return _SPACES.sub(" ", plain.casefold()).strip()


#: First characters that make a spreadsheet read a cell as a formula (OWASP "CSV injection").
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value: str) -> str:
    """A text cell that Excel, LibreOffice and Google Sheets show as text, never run as a formula.

    A cell starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return gets a leading
    apostrophe (the OWASP rule): ``"=HYPERLINK(...)"`` → ``"'=HYPERLINK(...)"``. Every CSV the
    product writes passes its text cells through here; numbers and dates are written as such.
    """
    return "'" + value if value.startswith(FORMULA_TRIGGERS) else value
