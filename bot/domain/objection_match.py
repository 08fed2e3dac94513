"""Which objections a prospect's words sound like: the rep types what they heard ("tá caro",
"já uso planilha") and gets the playbook's objections whose ``recognise`` phrases come closest.

Accent-, case- and typo-tolerant: both sides are folded (:func:`bot.domain.text.fold`), and a
phrase scores by how many of its words the heard text has, each word compared with difflib's
ratio (so "planiha" still meets "planilha"): how much of the phrase was heard, and how much of
what was heard is in the phrase (or the ratio of the whole phrases, when nearly equal).
Stdlib difflib is enough for a few hundred short phrases per question (well under a
millisecond each); rapidfuzz would not earn its place.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher
from functools import lru_cache

from bot.domain.text import fold

TOP = 3
THRESHOLD = 0.42
"""Below this a phrase is not offered: better no suggestion than a wrong one."""
WORD_MATCH = 0.78
WHOLE_MATCH = 0.85
"""The whole phrases compared letter by letter count only when this close (a typo in a short
phrase: "prço alto"); below it, shared letters of different words are noise."""
_WORD = re.compile(r"[a-z0-9]+")
#: Words too common to tell objections apart.
_STOP = frozenset(
    {"a", "o", "e", "de", "da", "do", "das", "dos", "em", "no", "na", "nos", "nas", "um", "uma", "pra", "para"}
    | {"por", "com", "que", "se", "ja", "isso", "isto", "eu", "voce", "voces", "ele", "ela", "gente", "ta"}
    | {"esta", "tem", "nao", "sim", "mas", "ai", "la", "aqui", "me", "te", "lhe", "temos", "estamos"}
    | {"tenho", "sou", "meu", "minha", "nosso", "nossa", "muito", "so", "num", "numa", "os", "as"}
)


@dataclass(frozen=True, slots=True)
class Match:
    objection_id: str
    score: float
    phrase: str
    """The ``recognise`` phrase that came closest, as the playbook writes it."""


@lru_cache(maxsize=4096)
def _words(text: str) -> tuple[str, ...]:
    words = tuple(_WORD.findall(fold(text)))
    meaningful = tuple(w for w in words if w not in _STOP)
    return meaningful or words


def _word_similarity(word: str, heard: Sequence[str]) -> float:
    best = 0.0
    for other in heard:
        if other == word:
            return 1.0
        if min(len(word), len(other)) >= 4 and (other.startswith(word) or word.startswith(other)):
            best = max(best, 0.9)  # "planilhas" / "planilha", "orcamento" / "orcamentos"
            continue
        ratio = SequenceMatcher(None, word, other).ratio()
        if ratio >= WORD_MATCH:
            best = max(best, ratio)
    return best


def similarity(heard: str, phrase: str) -> float:
    """0..1: how much ``heard`` sounds like ``phrase``."""
    heard_words, phrase_words = _words(heard), _words(phrase)
    if not heard_words or not phrase_words:
        return 0.0
    recall = sum(_word_similarity(w, heard_words) for w in phrase_words) / len(phrase_words)
    precision = sum(_word_similarity(w, phrase_words) for w in heard_words) / len(heard_words)
    whole = SequenceMatcher(None, " ".join(heard_words), " ".join(phrase_words)).ratio()
    words = 0.6 * recall + 0.4 * precision
    return max(words, whole) if whole >= WHOLE_MATCH else words


def best_matches(heard: str, recognise: Iterable[tuple[str, Sequence[str]]], *, top: int = TOP) -> list[Match]:
    """The ``top`` objections (id, phrases) closest to ``heard``, best first, each above the
    threshold; ties keep the playbook's order."""
    found: list[Match] = []
    for objection_id, phrases in recognise:
        scored = [(similarity(heard, phrase), phrase) for phrase in phrases]
        if not scored:
            continue
        score, phrase = max(scored, key=lambda pair: pair[0])
        if score >= THRESHOLD:
            found.append(Match(objection_id, round(score, 3), phrase))
    found.sort(key=lambda m: -m.score)  # stable: equal scores keep the playbook's order
    return found[:top]
