"""CNAE 2.3 — Brazil's classification of economic activities (IBGE/CONCLA).

Five levels, each written its own way::

    section   J          "Informação e comunicação"                       (21, letters A–U)
    division  62         "Atividades dos serviços de tecnologia da informação"  (87)
    group     62.0       (code only: no names available)                  (283 in the list)
    class     6201-5     (code only; 5 is the class's check digit)        (671 in the list)
    subclass  6201-5/01  "Desenvolvimento de programas de computador sob encomenda"  (1,332)

The subclass list (code and official name) is the one shipped by ``simples_nacional``;
section and division names live in ``bot/domain/data``. Everything is loaded lazily, once.

Codes are kept as bare digits inside the program (``"6201501"``, class ``"62015"``, group
``"620"``) and formatted only for people (``Subclass.formatted``, ``CnaePrefix.formatted``).

Long because it is one concern, the code list: its five formats, parsing with check digits,
the hierarchy and the search index all read the same lazily loaded table.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib.resources import files
from types import MappingProxyType
from typing import Literal, get_args

from bot.domain import numbers
from bot.domain.problems import N_, Problem
from bot.domain.text import fold

Level = Literal["section", "division", "group", "class", "subclass"]

#: Levels from the broadest to the most specific; the position is the specificity.
LEVELS: tuple[Level, ...] = get_args(Level)

LEVEL_NAMES_PT: Mapping[Level, str] = MappingProxyType(
    {
        "section": "seção",
        "division": "divisão",
        "group": "grupo",
        "class": "classe",
        "subclass": "subclasse",
    }
)

CNAE_VERSION = "2.3"

_SEPARATORS = re.compile(r"[\s./\-]+")


class InvalidCnae(Problem):
    """A CNAE code that cannot be used; ``str(error)`` is a message fit for the user."""


# --------------------------------------------------------------------------- check digit


def class_check_digit(class4: str) -> int:
    """Check digit of a CNAE class, the 5th digit of ``DDCC-V/SS``.

    A mod-11 scheme found empirically and verified against every class of the official
    list: weights 5, 4, 3, 2 on the four digits, ``s`` their weighted sum, then
    ``V = (11 - (s - 1) mod 11) mod 10``. Equivalently, with ``r = s mod 11``:
    ``V = 12 - r`` for r ≥ 3, ``V = 0`` for r = 2 and ``V = 1`` for r ∈ {0, 1}.

    >>> class_check_digit("6201")
    5
    """
    if len(class4) != 4 or not numbers.is_digits(class4):
        raise ValueError(f"a CNAE class has 4 digits, got {class4!r}")
    weighted = sum(int(digit) * weight for digit, weight in zip(class4, (5, 4, 3, 2), strict=True))
    return (11 - (weighted - 1) % 11) % 10


# --------------------------------------------------------------------------- formatting


def _format_group(group: str) -> str:
    return f"{group[:2]}.{group[2]}"


def _format_class(class_code: str) -> str:
    return f"{class_code[:4]}-{class_code[4]}"


def _format_subclass(code: str) -> str:
    return f"{code[:4]}-{code[4]}/{code[5:]}"


def format_subclass(code: str) -> str:
    """``"6201501"`` → ``"6201-5/01"``; text that is not 7 digits comes back unchanged."""
    digits = _digits_of(code)
    return _format_subclass(digits) if len(digits) == 7 and numbers.is_digits(digits) else code


def _format_code(level: Level, code: str) -> str:
    if level == "group":
        return _format_group(code)
    if level == "class":
        return _format_class(code)
    if level == "subclass":
        return _format_subclass(code)
    return code


# --------------------------------------------------------------------------- subclasses


@dataclass(frozen=True, slots=True)
class Subclass:
    """One CNAE subclass: ``code`` is 7 bare digits, ``name`` in sentence case."""

    code: str
    name: str

    @property
    def formatted(self) -> str:
        """``"6201-5/01"``."""
        return _format_subclass(self.code)

    @property
    def division(self) -> str:
        """``"62"``."""
        return self.code[:2]

    @property
    def group(self) -> str:
        """``"620"`` (formatted ``62.0``)."""
        return self.code[:3]

    @property
    def class_code(self) -> str:
        """``"62015"``: the class with its check digit (formatted ``6201-5``)."""
        return self.code[:5]

    @property
    def section(self) -> str:
        """``"J"``."""
        return section_of_division(self.division)

    @property
    def label(self) -> str:
        """``"6201-5/01 Desenvolvimento de programas de computador sob encomenda"``."""
        return f"{self.formatted} {self.name}"


_ACRONYMS = MappingProxyType(
    {
        "cds": "CDs",
        "dvds": "DVDs",
        "glp": "GLP",
        "otm": "OTM",
        "scm": "SCM",
        "sme": "SME",
        "voip": "VoIP",
        "uti": "UTI",
        "ecg": "ECG",
        "eeg": "EEG",
        "t.r.r.": "T.R.R.",
        "banco central": "Banco Central",
    }
)
_ACRONYM_PATTERN = re.compile(
    r"(?<![\w.])(" + "|".join(re.escape(key) for key in _ACRONYMS) + r")(?!\w)"
)


def _sentence_case(official: str) -> str:
    """``"DESENVOLVIMENTO DE PROGRAMAS ..."`` → ``"Desenvolvimento de programas ..."``."""
    # One official name (4711-3/01) lost its " - " and kept three spaces in its place.
    text = re.sub(r"\s{3,}", " - ", official.strip())
    text = re.sub(r"\s+", " ", text).lower()
    text = _ACRONYM_PATTERN.sub(lambda match: _ACRONYMS[match.group(1)], text)
    return text[:1].upper() + text[1:]


@cache
def all_subclasses() -> Mapping[str, Subclass]:
    """The 1,332 subclasses of CNAE 2.3, by 7-digit code, in code order."""
    raw = (files("simples_nacional") / "cnae_subclasses.tsv").read_text(encoding="utf-8")
    table: dict[str, Subclass] = {}
    for line in raw.splitlines():
        if not line.strip():
            continue
        formatted, official = line.split("\t", 1)
        code = _SEPARATORS.sub("", formatted)
        table[code] = Subclass(code=code, name=_sentence_case(official))
    return MappingProxyType(dict(sorted(table.items())))


@cache
def _classes() -> frozenset[str]:
    """Every class code with its check digit (``"62015"``)."""
    return frozenset(code[:5] for code in all_subclasses())


@cache
def _groups() -> frozenset[str]:
    return frozenset(code[:3] for code in all_subclasses())


def classes() -> list[str]:
    """Every class of the list, 5 digits with the check digit (``"62015"``), sorted."""
    return sorted(_classes())


def groups() -> list[str]:
    """Every group of the list, 3 digits (``"620"``), sorted."""
    return sorted(_groups())


# --------------------------------------------------------------------------- sections, divisions


def _data_lines(filename: str) -> Iterable[list[str]]:
    text = (files("bot.domain.data") / filename).read_text(encoding="utf-8")
    for line in text.splitlines():
        if line.strip() and not line.startswith("#"):
            yield line.rstrip("\n").split("\t")


@dataclass(frozen=True, slots=True)
class _Section:
    letter: str
    first_division: int
    last_division: int
    name: str


@cache
def _sections() -> tuple[_Section, ...]:
    return tuple(
        _Section(letter, int(first), int(last), name)
        for letter, first, last, name in _data_lines("cnae_sections.tsv")
    )


@cache
def sections() -> Mapping[str, str]:
    """The 21 sections: letter → name."""
    return MappingProxyType({section.letter: section.name for section in _sections()})


@cache
def divisions() -> Mapping[str, str]:
    """The 87 divisions: two-digit code → name."""
    return MappingProxyType({code: name for code, name in _data_lines("cnae_divisions.tsv")})


def section_name(letter: str) -> str:
    """``section_name("J")`` → ``"Informação e comunicação"``."""
    try:
        return sections()[letter.strip().upper()]
    except KeyError:
        raise InvalidCnae(
            N_("Seção %(typed)r não existe: as seções da CNAE vão de A a U."), typed=letter.strip()
        ) from None


_NO_DIVISION = N_(
    "Divisão %(division)s não existe na tabela CNAE %(version)s. Confira o código ou procure por palavras."
)


def division_name(division: str) -> str:
    """``division_name("62")`` → ``"Atividades dos serviços de tecnologia da informação"``."""
    try:
        return divisions()[division]
    except KeyError:
        raise InvalidCnae(_NO_DIVISION, division=division, version=CNAE_VERSION) from None


def section_of_division(division: str) -> str:
    """The section letter a division belongs to: ``section_of_division("62")`` → ``"J"``."""
    number = numbers.read_int(division, 1, 99) if len(division) == 2 else None
    for section in _sections() if number is not None else ():
        if number is not None and section.first_division <= number <= section.last_division:
            return section.letter
    raise InvalidCnae(_NO_DIVISION, division=division, version=CNAE_VERSION)


# --------------------------------------------------------------------------- parsing


def _digits_of(text: str) -> str:
    return _SEPARATORS.sub("", text.strip())


@lru_cache(maxsize=8192)
def parse_subclass(text: str) -> Subclass:
    """A subclass from what a person typed.

    Accepts ``6201501``, ``6201-5/01``, ``62.01-5-01``, ``6201 5 01`` (spaces, dots, dashes
    and slashes are ignored); checks the class check digit and that the code exists.
    Raises ``InvalidCnae`` with a message for the user.
    """
    typed = text.strip()
    if not typed:
        raise InvalidCnae(N_("Informe o CNAE. Digite 7 dígitos, como 6201-5/01, ou procure por palavras."))
    digits = _digits_of(typed)
    if not numbers.is_digits(digits):
        raise InvalidCnae(
            N_("CNAE %(typed)r não é um código. Digite 7 dígitos, como 6201-5/01, ou procure por palavras."),
            typed=typed,
        )
    if len(digits) != 7:
        raise InvalidCnae(
            N_("CNAE %(typed)r tem %(n)s dígitos; a subclasse tem 7, como 6201-5/01."), typed=typed, n=len(digits)
        )
    found = all_subclasses().get(digits)
    if found is not None:
        return found
    formatted = _format_subclass(digits)
    _check_class_digit(digits[:5], shown=formatted, suffix=digits[5:])
    class_code = digits[:5]
    if class_code in _classes():
        siblings = ", ".join(
            s.formatted for s in all_subclasses().values() if s.class_code == class_code
        )
        raise InvalidCnae(
            N_(
                "CNAE %(code)s não existe na tabela CNAE %(version)s: "
                "a classe %(parent)s tem as subclasses %(listing)s."
            )
            if "," in siblings
            else N_(
                "CNAE %(code)s não existe na tabela CNAE %(version)s: "
                "a classe %(parent)s tem a subclasse %(listing)s."
            ),
            code=formatted,
            version=CNAE_VERSION,
            parent=_format_class(class_code),
            listing=siblings,
        )
    raise InvalidCnae(
        N_(
            "CNAE %(code)s não existe na tabela CNAE %(version)s. "
            "Digite 7 dígitos, como 6201-5/01, ou procure por palavras."
        ),
        code=formatted,
        version=CNAE_VERSION,
    )


def _check_class_digit(class_code: str, *, shown: str, suffix: str = "") -> None:
    """Raise when the class exists with another check digit (the typical typo).

    ``suffix`` is the subclass part ("01") to suggest a whole corrected subclass.
    """
    class4, typed_digit = class_code[:4], int(class_code[4])
    right_digit = class_check_digit(class4)
    corrected = f"{class4}{right_digit}"
    if typed_digit == right_digit or corrected not in _classes():
        return
    if suffix and corrected + suffix in all_subclasses():
        suggested = _format_subclass(corrected + suffix)
    else:
        suggested = _format_class(corrected)
    raise InvalidCnae(
        N_("CNAE %(code)s não confere: o dígito verificador da classe %(class4)s é %(digit)s (%(suggested)s)."),
        code=shown,
        class4=class4,
        digit=right_digit,
        suggested=suggested,
    )


# --------------------------------------------------------------------------- prefixes


_PREFIX_SHAPES: Mapping[Level, re.Pattern[str]] = MappingProxyType(
    {
        "section": re.compile(r"[A-U]"),
        "division": re.compile(r"[0-9]{2}"),
        "group": re.compile(r"[0-9]{3}"),
        "class": re.compile(r"[0-9]{5}"),
        "subclass": re.compile(r"[0-9]{7}"),
    }
)


@dataclass(frozen=True, slots=True)
class CnaePrefix:
    """A node of the CNAE tree, used to match subclasses (e.g. in ICP rules).

    ``code`` is bare: section ``"J"``, division ``"62"``, group ``"620"``, class ``"62015"``
    (with its check digit), subclass ``"6201501"``. Build it with ``parse_prefix`` to have
    it checked against the table; the constructor only checks the shape.
    """

    level: Level
    code: str

    def __post_init__(self) -> None:
        shape = _PREFIX_SHAPES.get(self.level)
        if shape is None or not shape.fullmatch(self.code):
            raise ValueError(f"not a CNAE {self.level} code: {self.code!r}")

    @property
    def specificity(self) -> int:
        """1 for a section … 5 for a subclass: when several prefixes match, the highest wins."""
        return LEVELS.index(self.level) + 1

    @property
    def formatted(self) -> str:
        """``"J"``, ``"62"``, ``"62.0"``, ``"6201-5"``, ``"6201-5/01"``."""
        return _format_code(self.level, self.code)

    @property
    def name(self) -> str | None:
        """The official name for sections, divisions and subclasses; None for groups, classes."""
        if self.level == "section":
            return sections().get(self.code)
        if self.level == "division":
            return divisions().get(self.code)
        if self.level == "subclass":
            subclass = all_subclasses().get(self.code)
            return subclass.name if subclass else None
        return None

    def matches(self, subclass: Subclass | str) -> bool:
        """Whether a subclass (``Subclass`` or its code, in any typed form) is under this node."""
        code = subclass.code if isinstance(subclass, Subclass) else _digits_of(subclass)
        if len(code) != 7 or not numbers.is_digits(code):
            return False
        if self.level == "section":
            try:
                return section_of_division(code[:2]) == self.code
            except InvalidCnae:
                return False
        return code.startswith(self.code)

    def subclasses(self) -> list[Subclass]:
        """Every subclass under this node, in code order."""
        return [s for s in all_subclasses().values() if self.matches(s)]

    def describe(self) -> str:
        """For people: ``"seção J 'Informação e comunicação'"``, ``"grupo 62.0"``."""
        text = f"{LEVEL_NAMES_PT[self.level]} {self.formatted}"
        name = self.name
        return f"{text} '{name}'" if name else text


def parse_prefix(text: str) -> CnaePrefix:
    """A CNAE node from what a person typed.

    ``J`` (section), ``62`` (division), ``62.0``/``620`` (group), ``62.01-5``/``6201-5``/
    ``62015`` (class, check digit verified) or ``6201`` (class, check digit added), and any
    subclass form accepted by ``parse_subclass``. The node must exist in the table.
    Raises ``InvalidCnae`` with a message for the user.
    """
    typed = text.strip()
    if not typed:
        raise InvalidCnae(
            N_(
                "Informe um código CNAE. Use seção (J), divisão (62), grupo (62.0), classe (6201-5) "
                "ou subclasse (6201-5/01)."
            )
        )
    if len(typed) == 1 and typed.isalpha():
        letter = typed.upper()
        if letter not in sections():
            raise InvalidCnae(N_("Seção %(typed)r não existe: as seções da CNAE vão de A a U."), typed=typed)
        return CnaePrefix("section", letter)
    digits = _digits_of(typed)
    if not numbers.is_digits(digits):
        raise InvalidCnae(
            N_(
                "%(typed)r não é um código CNAE. Use seção (J), divisão (62), grupo (62.0), classe (6201-5) "
                "ou subclasse (6201-5/01)."
            ),
            typed=typed,
        )
    if len(digits) == 2:
        division_name(digits)  # raises when unknown
        return CnaePrefix("division", digits)
    if len(digits) == 3:
        return CnaePrefix("group", _existing_group(digits))
    if len(digits) == 4:
        return CnaePrefix("class", _existing_class(digits + str(class_check_digit(digits))))
    if len(digits) == 5:
        return CnaePrefix("class", _existing_class(digits))
    if len(digits) == 7:
        return CnaePrefix("subclass", parse_subclass(digits).code)
    raise InvalidCnae(
        N_(
            "CNAE %(typed)r tem %(n)s dígitos. Use seção (J), divisão (62), grupo (62.0), classe (6201-5) "
            "ou subclasse (6201-5/01)."
        ),
        typed=typed,
        n=len(digits),
    )


def _existing_group(group: str) -> str:
    if group in _groups():
        return group
    division_name(group[:2])  # an unknown division gets its own message
    siblings = ", ".join(_format_group(g) for g in groups() if g.startswith(group[:2]))
    raise InvalidCnae(
        N_("Grupo %(code)s não existe na tabela CNAE %(version)s: a divisão %(parent)s tem os grupos %(listing)s.")
        if "," in siblings
        else N_("Grupo %(code)s não existe na tabela CNAE %(version)s: a divisão %(parent)s tem o grupo %(listing)s."),
        code=_format_group(group),
        version=CNAE_VERSION,
        parent=group[:2],
        listing=siblings,
    )


def _existing_class(class_code: str) -> str:
    if class_code in _classes():
        return class_code
    shown = _format_class(class_code)
    _check_class_digit(class_code, shown=shown)
    group = class_code[:3]
    if group not in _groups():
        _existing_group(group)
    siblings = ", ".join(_format_class(c) for c in classes() if c.startswith(group))
    raise InvalidCnae(
        N_("Classe %(code)s não existe na tabela CNAE %(version)s: o grupo %(parent)s tem as classes %(listing)s.")
        if "," in siblings
        else N_("Classe %(code)s não existe na tabela CNAE %(version)s: o grupo %(parent)s tem a classe %(listing)s."),
        code=shown,
        version=CNAE_VERSION,
        parent=_format_group(group),
        listing=siblings,
    )


def hierarchy(subclass: Subclass | str) -> list[tuple[Level, str, str | None]]:
    """The path from section to subclass: ``(level, formatted code, name or None)``.

    >>> [code for _, code, _ in hierarchy("6201501")]
    ['J', '62', '62.0', '6201-5', '6201-5/01']
    """
    found = subclass if isinstance(subclass, Subclass) else parse_subclass(subclass)
    return [
        ("section", found.section, section_name(found.section)),
        ("division", found.division, division_name(found.division)),
        ("group", _format_group(found.group), None),
        ("class", _format_class(found.class_code), None),
        ("subclass", found.formatted, found.name),
    ]


# --------------------------------------------------------------------------- search

_WORD = re.compile(r"[a-z0-9]+")
_STOPWORDS = frozenset(
    {"a", "o", "as", "os", "ao", "aos", "de", "da", "do", "das", "dos", "e", "em", "na", "no"}
    | {"nas", "nos", "para", "por", "com", "um", "uma"}
)
#: A query word this short only matches whole words ("ti" must not find "tintas").
_MIN_PREFIX_LENGTH = 3

# Scores of one query term; the sum over terms ranks the results.
_NAME_WHOLE = 10
_NAME_SYNONYM = 9
_NAME_PREFIX = 8
_CODE_SYNONYM = 6
_CONTEXT_WHOLE = 3
_CONTEXT_PREFIX = 2


def _words(text: str) -> list[str]:
    return [word for word in _WORD.findall(fold(text)) if word not in _STOPWORDS]


@dataclass(frozen=True, slots=True)
class _Postings:
    """Inverted index: word → codes of the subclasses whose text has it."""

    by_word: Mapping[str, frozenset[str]]
    vocabulary: tuple[str, ...]  # sorted, for prefix lookups

    @classmethod
    def build(cls, texts: Mapping[str, str]) -> _Postings:
        index: dict[str, set[str]] = {}
        for code, text in texts.items():
            for word in _words(text):
                index.setdefault(word, set()).add(code)
        return cls(
            by_word=MappingProxyType({w: frozenset(c) for w, c in index.items()}),
            vocabulary=tuple(sorted(index)),
        )

    def whole(self, word: str) -> frozenset[str]:
        return self.by_word.get(word, frozenset())

    def prefixed(self, word: str) -> frozenset[str]:
        if len(word) < _MIN_PREFIX_LENGTH:
            return self.whole(word)
        start = bisect.bisect_left(self.vocabulary, word)
        found: set[str] = set()
        for candidate in self.vocabulary[start:]:
            if not candidate.startswith(word):
                break
            found |= self.by_word[candidate]
        return frozenset(found)

    def all_of(self, words: Iterable[str]) -> frozenset[str]:
        result: frozenset[str] | None = None
        for word in words:
            codes = self.prefixed(word)
            result = codes if result is None else result & codes
        return result or frozenset()


@dataclass(frozen=True, slots=True)
class _Synonym:
    words: tuple[str, ...]
    only: bool
    word_alternatives: tuple[tuple[str, ...], ...]
    code_alternatives: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class _SearchIndex:
    names: _Postings
    contexts: _Postings  # division and section names
    synonyms: Mapping[tuple[str, ...], _Synonym]
    longest_synonym: int


@cache
def _search_index() -> _SearchIndex:
    subclasses = all_subclasses()
    contexts = {
        code: f"{division_name(s.division)} {section_name(s.section)}"
        for code, s in subclasses.items()
    }
    synonyms: dict[tuple[str, ...], _Synonym] = {}
    for term, mode, alternatives in _data_lines("cnae_synonyms.tsv"):
        word_alternatives: list[tuple[str, ...]] = []
        code_alternatives: list[str] = []
        for alternative in alternatives.split("|"):
            alternative = alternative.strip()
            if alternative.startswith("@"):
                code_alternatives.append(alternative[1:])
            else:
                word_alternatives.append(tuple(_words(alternative)))
        key = tuple(_words(term))
        synonyms[key] = _Synonym(
            key, mode == "only", tuple(word_alternatives), tuple(code_alternatives)
        )
    return _SearchIndex(
        names=_Postings.build({code: s.name for code, s in subclasses.items()}),
        contexts=_Postings.build(contexts),
        synonyms=MappingProxyType(synonyms),
        longest_synonym=max(len(key) for key in synonyms),
    )


def _terms(words: list[str], index: _SearchIndex) -> list[_Synonym]:
    """Group the query words into terms, the longest synonym phrase first."""
    terms: list[_Synonym] = []
    position = 0
    while position < len(words):
        for size in range(min(index.longest_synonym, len(words) - position), 0, -1):
            key = tuple(words[position : position + size])
            synonym = index.synonyms.get(key)
            if synonym is not None:
                terms.append(synonym)
                position += size
                break
        else:
            terms.append(_Synonym((words[position],), False, (), ()))
            position += 1
    return terms


def _term_scores(term: _Synonym, index: _SearchIndex) -> dict[str, int]:
    scores: dict[str, int] = {}

    def offer(codes: Iterable[str], score: int) -> None:
        for code in codes:
            if scores.get(code, 0) < score:
                scores[code] = score

    if not term.only:
        if len(term.words) == 1:
            (word,) = term.words
            offer(index.contexts.prefixed(word), _CONTEXT_PREFIX)
            offer(index.contexts.whole(word), _CONTEXT_WHOLE)
            offer(index.names.prefixed(word), _NAME_PREFIX)
            offer(index.names.whole(word), _NAME_WHOLE)
        else:
            offer(index.names.all_of(term.words), _NAME_PREFIX)
    for alternative in term.word_alternatives:
        offer(index.names.all_of(alternative), _NAME_SYNONYM)
    for prefix in term.code_alternatives:
        offer((code for code in all_subclasses() if code.startswith(prefix)), _CODE_SYNONYM)
    return scores


def search(words: str, limit: int = 10) -> list[Subclass]:
    """Subclasses whose names match every word, best first.

    Accent- and case-insensitive; a word matches the start of a word of the name
    ("advoca" finds "advocatícios"), or of its division or section name (ranked lower).
    Everyday words are translated through ``data/cnae_synonyms.tsv`` ("software" →
    "programas de computador"). A query that is a CNAE code lists the subclasses under it.
    """
    if not words.strip() or limit <= 0:
        return []
    if re.fullmatch(r"[0-9\s./\-]+", words.strip()):
        try:
            return parse_prefix(words).subclasses()[:limit]
        except InvalidCnae:
            return []
    index = _search_index()
    query = _words(words)
    if not query:
        return []
    total: dict[str, int] | None = None
    for term in _terms(query, index):
        scores = _term_scores(term, index)
        if total is None:
            total = scores
        else:
            total = {code: total[code] + score for code, score in scores.items() if code in total}
        if not total:
            return []
    assert total is not None
    final = total
    ranked = sorted(final, key=lambda code: (-final[code], code))
    table = all_subclasses()
    return [table[code] for code in ranked[:limit]]
