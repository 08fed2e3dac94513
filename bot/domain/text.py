"""Text normalisation shared by the parsers of the domain (CNAE, UF, region)."""

from __future__ import annotations

import re
import unicodedata

_SPACES = re.compile(r"\s+")


def strip_accents(text: str) -> str:
    """Remove diacritics: "São Paulo" → "Sao Paulo", "LIQÜEFEITO" → "LIQUEFEITO"."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def fold(text: str) -> str:
    """Key for accent- and case-insensitive comparison.

    Case-folds, strips accents, trims and collapses runs of white space into one space:
    ``fold("  São   PAULO ")`` → ``"sao paulo"``.
    """
    return _SPACES.sub(" ", strip_accents(text).casefold()).strip()
