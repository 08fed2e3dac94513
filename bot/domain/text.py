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
