"""Working the list: which leads a bulk start takes and why it skips the others, what the
/leads filters mean, how a typed /lead search reads, and who may receive a reassigned lead.

Pure: the services ask these questions with what they loaded.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from bot.domain import numbers
from bot.domain.offboarding import Person
from bot.domain.problems import N_, Problem
from bot.domain.text import fold
from bot.domain.vocabulary import CLOSED_STAGES, Stage, Tier

# ---------------------------------------------------------------------------- bulk start


class Skip(StrEnum):
    """Why a bulk start leaves a lead alone (the report counts each)."""

    RUNNING = "running"
    """Its cadence already runs (stage prospecting)."""
    MOVED_ON = "moved_on"
    """Already further in the funnel (connected, meeting, proposal)."""
    CLOSED = "closed"
    """Won or lost."""
    KNOCKED_OUT = "knocked_out"
    """A knock-out of the ICP applies (started only with the manager's override)."""
    TIER_D = "tier_d"
    """Tier D, outside the ICP (started only with the manager's override)."""


#: Skips that the manager's explicit override turns into starts.
OUTSIDE_ICP = (Skip.KNOCKED_OUT, Skip.TIER_D)


def stage_skip(stage: Stage) -> Skip | None:
    """Whether a lead at ``stage`` may have its cadence started (only a new lead may)."""
    if stage is Stage.NEW:
        return None
    if stage in CLOSED_STAGES:
        return Skip.CLOSED
    return Skip.RUNNING if stage is Stage.PROSPECTING else Skip.MOVED_ON


def fit_skip(tier: str | None, knocked_out: bool) -> Skip | None:
    """Outside the ICP (a knock-out, or tier D): the same test as a single start's question."""
    if knocked_out:
        return Skip.KNOCKED_OUT
    return Skip.TIER_D if tier == Tier.D.value else None


class SelectionKind(StrEnum):
    CAMPAIGN = "campaign"
    TIER = "tier"
    IMPORT = "import"


@dataclass(frozen=True, slots=True)
class Selection:
    """Which leads a bulk start looks at: a campaign (by name), a tier or an import batch (id)."""

    kind: SelectionKind
    value: str


class BadSelection(Problem):
    """What followed the command names no campaign, tier or import."""


SELECTION_WORDS = {
    "campanha": SelectionKind.CAMPAIGN,
    "campaign": SelectionKind.CAMPAIGN,
    "tier": SelectionKind.TIER,
    "faixa": SelectionKind.TIER,
    "importacao": SelectionKind.IMPORT,
    "import": SelectionKind.IMPORT,
    "lote": SelectionKind.IMPORT,
    "batch": SelectionKind.IMPORT,
}
SELECTION_HELP = N_("Diga quais leads: campanha NOME, tier A (A, B, C ou D) ou importacao N.")


def read_selection(words: list[str]) -> Selection:
    """``["campanha", "Logística", "SP"]``, ``["tier", "a"]``, ``["importacao", "12"]``;
    :class:`BadSelection` otherwise."""
    if not words:
        raise BadSelection(SELECTION_HELP)
    kind = SELECTION_WORDS.get(fold(words[0]))
    rest = " ".join(words[1:]).strip()
    if kind is None or not rest:
        raise BadSelection(SELECTION_HELP)
    if kind is SelectionKind.TIER:
        tier = rest.upper()
        if tier not in Tier._value2member_map_:
            raise BadSelection(N_("Tier '%(typed)s' não existe: use A, B, C ou D."), typed=rest[:10])
        return Selection(kind, tier)
    if kind is SelectionKind.IMPORT:
        batch = numbers.read_int(rest.lstrip("#"), 1, numbers.DB_INT_MAX)
        if batch is None:
            raise BadSelection(
                N_("'%(typed)s' não é o número de uma importação. Exemplo: importacao 12."), typed=rest[:20]
            )
        return Selection(kind, str(batch))
    return Selection(kind, rest[:100])


# ---------------------------------------------------------------------------- /leads filters


@dataclass(frozen=True, slots=True)
class LeadFilter:
    """What /leads shows: a list (``all``, ``due``, ``open`` or a stage), optionally only one
    tier and only one campaign."""

    kind: str = "all"
    tier: str | None = None
    campaign: str | None = None


LIST_WORDS = {
    "todos": "all",
    "all": "all",
    "hoje": "due",
    "today": "due",
    "vencidos": "due",
    "due": "due",
    "abertos": "open",
    "open": "open",
    "novos": Stage.NEW.value,
    "new": Stage.NEW.value,
    "cadencia": Stage.PROSPECTING.value,
    "prospeccao": Stage.PROSPECTING.value,
    "prospecting": Stage.PROSPECTING.value,
    "conectados": Stage.CONNECTED.value,
    "connected": Stage.CONNECTED.value,
    "reuniao": Stage.MEETING_BOOKED.value,
    "reunioes": Stage.MEETING_BOOKED.value,
    "meetings": Stage.MEETING_BOOKED.value,
    "realizadas": Stage.MEETING_HELD.value,
    "held": Stage.MEETING_HELD.value,
    "proposta": Stage.PROPOSAL_SENT.value,
    "propostas": Stage.PROPOSAL_SENT.value,
    "proposal": Stage.PROPOSAL_SENT.value,
    "ganhos": Stage.WON.value,
    "ganho": Stage.WON.value,
    "won": Stage.WON.value,
    "perdidos": Stage.LOST.value,
    "perdido": Stage.LOST.value,
    "lost": Stage.LOST.value,
    **{stage.value: stage.value for stage in Stage},
}
FILTER_HELP = N_(
    "Filtro '%(typed)s' não existe. Use: todos, hoje, abertos, novos, cadencia, conectados, reuniao, "
    "realizadas, proposta, ganhos, perdidos; tier A (A a D); campanha NOME. Ex.: /leads abertos tier A"
)


class UnknownFilter(Problem):
    """A /leads word that is no list, tier or campaign; the message names those that exist."""


def read_filter(words: list[str]) -> LeadFilter:
    """``/leads [list] [tier X] [campanha NOME…]`` in any order (the campaign takes the rest);
    a lone ``A``…``D`` is a tier. :class:`UnknownFilter` for anything else."""
    kind, tier, campaign = "all", None, None
    index = 0
    while index < len(words):
        word = fold(words[index])
        if word in ("campanha", "campaign"):
            campaign = " ".join(words[index + 1 :]).strip()[:100]
            if not campaign:
                raise UnknownFilter(FILTER_HELP, typed=words[index][:30])
            break
        if word in ("tier", "faixa") and index + 1 < len(words):
            index += 1
            word = fold(words[index])
            if word.upper() not in Tier._value2member_map_:
                raise UnknownFilter(FILTER_HELP, typed=words[index][:30])
            tier = word.upper()
        elif len(word) == 1 and word.upper() in Tier._value2member_map_:
            tier = word.upper()
        elif word in LIST_WORDS:
            kind = LIST_WORDS[word]
        else:
            raise UnknownFilter(FILTER_HELP, typed=words[index][:30])
        index += 1
    return LeadFilter(kind, tier, campaign)


# ---------------------------------------------------------------------------- /lead search


class QueryKind(StrEnum):
    ID = "id"
    CNPJ = "cnpj"
    EMAIL = "email"
    PHONE = "phone"
    NAME = "name"


@dataclass(frozen=True, slots=True)
class LeadQuery:
    """A typed search, read: what it looks like and the key to compare."""

    kind: QueryKind
    key: str
    """id digits; CNPJ compact (14) or root (8); e-mail lower case; phone digits; name folded."""
    digits: str = ""
    """Every ASCII digit typed (a number that could be a CNPJ root or a phone)."""


_CNPJ_CHARS = re.compile(r"^[0-9A-Za-z./ -]+$")
_PHONE_SHAPE = re.compile(r"^\+?[0-9 ().-]+$")
#: A phone is compared on its last digits: the number without the country code or area code.
PHONE_TAIL = 8
#: Longer digit strings are CNPJs, CNPJ roots or phones, never lead ids.
ID_DIGITS = 7
#: Digits beyond a CNPJ's 14 (a phone has at most 13): no phone or CNPJ, read as an (absurd) id.
MAX_SEARCH_DIGITS = 14


def read_query(text: str) -> LeadQuery:
    """What a /lead search is: an id (``42``, ``#42``), a CNPJ or its root (formatted or not,
    numeric or alphanumeric), an e-mail, a phone (any format) or a name (company, trade name or
    contact). Eight digits are a CNPJ root first and a phone if no lead has that root."""
    text = text.strip()
    bare = text.lstrip("#")
    if numbers.digit_like(bare) and (len(bare) <= ID_DIGITS or len(bare) > MAX_SEARCH_DIGITS):
        return LeadQuery(QueryKind.ID, bare)  # too long for a phone or a CNPJ: an id, refused
    if "@" in text and " " not in text:
        return LeadQuery(QueryKind.EMAIL, text.casefold())
    digits = numbers.digits_of(text)
    compact = re.sub(r"[./ -]", "", text).upper()
    numeric = compact.isdigit() and compact.isascii()
    formatted = ("." in text or "/" in text) and compact.isalnum() and compact.isascii() and len(digits) >= 2
    if _CNPJ_CHARS.match(text) and len(compact) in (8, 14) and (numeric or formatted):
        return LeadQuery(QueryKind.CNPJ, compact, digits)
    if _PHONE_SHAPE.match(text) and len(digits) >= PHONE_TAIL:
        return LeadQuery(QueryKind.PHONE, digits[-PHONE_TAIL:], digits)
    return LeadQuery(QueryKind.NAME, fold(text))


def phone_matches(query_tail: str, stored: str) -> bool:
    """Whether a stored phone, in any format, ends with the digits searched."""
    return bool(query_tail) and numbers.digits_of(stored).endswith(query_tail)


def name_matches(folded_query: str, stored: str) -> bool:
    """Whether every word searched is in the stored name (accents and case ignored)."""
    words = folded_query.split()
    if not words or not stored:
        return False
    name = fold(stored)
    return all(word in name for word in words)


# ---------------------------------------------------------------------------- reassigning


class ReassignRefused(Problem):
    """A reassignment the rules forbid; the message says why."""


STRANGER = N_("Essa pessoa não está no time ativo. Veja quem está em /equipe.")


def check_reassign(receiver: Person | None, receiver_name: str, current_owners: set[int]) -> None:
    """The member picked to receive leads must be on the team, active and not paused, and not
    already own them all."""
    if receiver is None or not receiver.active:
        raise ReassignRefused(STRANGER)
    if receiver.paused:
        raise ReassignRefused(
            N_("%(name)s está em pausa e não recebe leads agora. Escolha outra pessoa ou retome a pessoa em /config."),
            name=receiver_name,
        )
    if current_owners == {receiver.id}:
        raise ReassignRefused(N_("Esses leads já são de %(name)s."), name=receiver_name)
