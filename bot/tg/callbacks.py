"""Callback data: one small frozen dataclass per button action, decoded here and nowhere else.

Each action names its wire format once, in ``WIRE``: a ``:``-separated template of literal
parts and ``{field}`` parts, such as ``"cs:{lead}"`` or ``"rm:{reminder}:skip:-"`` (a literal
``-`` keeps the format of buttons already sitting in chats; handlers never see it). A field is
read by its annotation: ``int`` an id, :data:`Page` a page number counted from 0, ``str`` a
short ASCII token (never the lone ``-``), a ``StrEnum`` one of its values; ``CODES`` can give a
field a table of short codes instead. Telegram allows 64 bytes: :meth:`Action.encode` refuses
more.

Handlers are registered with ``pattern=TheAction.matches`` (PTB calls it with the data), so
data that decodes to no action reaches no handler but the stray one, which answers the usual
"button out of date". Inside the handler ``TheAction.of(update)`` gives the decoded action
(decoding is cached, so the second time costs a dictionary look-up).

Callback data comes from the client and can be forged, so it only *names* things; every
handler loads the lead or meeting again and checks the member may touch it.

Older modules still build ``verb:arg:arg`` data with :func:`pack` and read it with
:func:`unpack` (:class:`Verb`); both are the same bytes on the wire.

Long because it is a catalogue of one short declaration per button, kept in one
file so that every wire format of the bot can be read, and checked for clashes, in one place.
"""

from __future__ import annotations

import re
import typing
from dataclasses import dataclass, fields
from enum import StrEnum
from functools import lru_cache
from typing import Any, ClassVar, NewType, Self

from telegram import Update

from bot.domain import numbers, regions
from bot.domain.vocabulary import Outcome, Stage

MAX_BYTES = 64
_SAFE = re.compile(r"^[A-Za-z0-9_.-]*$")
PLACEHOLDER = "-"
"""A literal part of old wire formats ("no value here"); never a field's value."""

Page = NewType("Page", int)
"""A page of a list in callback data, counted from 0."""


class BadCallback(ValueError):
    pass


Reader = typing.Callable[[str], Any]
Handler = typing.Callable[[Update, Any], typing.Coroutine[Any, Any, object]]
"""A button's handler, as PTB calls it."""


def _read_id(text: str) -> int | None:
    return numbers.read_int(text, 1, numbers.DB_INT_MAX)


def _read_page(text: str) -> int | None:
    return numbers.read_int(text, 0, numbers.MAX_PAGE)


def _read_token(text: str) -> str | None:
    return text if text and text != PLACEHOLDER and _SAFE.match(text) else None


def _enum_reader(kind: type[StrEnum]) -> Reader:
    return lambda text: kind._value2member_map_.get(text)


def _table_reader(table: dict[str, Any]) -> Reader:
    return table.get


@dataclass(frozen=True)
class _Part:
    literal: str | None
    name: str = ""
    read: Reader | None = None
    write: typing.Callable[[Any], str] = str


@dataclass(frozen=True)
class Action:
    """A button's action: subclasses are frozen dataclasses with a ``WIRE`` template."""

    WIRE: ClassVar[str]
    CODES: ClassVar[dict[str, dict[str, Any]]] = {}
    _layout: ClassVar[tuple[_Part, ...]] = ()
    _prefix: ClassVar[str] = ""

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls._prefix = cls.WIRE.partition("{")[0]  # what all of its data starts with

    @classmethod
    def _parts(cls) -> tuple[_Part, ...]:
        if "_layout" not in cls.__dict__:
            hints = typing.get_type_hints(cls)
            names = {f.name for f in fields(cls)}
            parts = []
            for piece in cls.WIRE.split(":"):
                if not (piece.startswith("{") and piece.endswith("}")):
                    parts.append(_Part(piece))
                    continue
                name = piece[1:-1]
                assert name in names, f"{cls.__name__}.WIRE names an unknown field {name!r}"
                parts.append(_Part(None, name, *_codec(cls, name, hints[name])))
            assert {p.name for p in parts if p.literal is None} == names, f"{cls.__name__}.WIRE misses a field"
            cls._layout = tuple(parts)
        return cls._layout

    def encode(self) -> str:
        pieces = []
        for part in self._parts():
            if part.literal is not None:
                pieces.append(part.literal)
                continue
            text = part.write(getattr(self, part.name))
            if not text or text == PLACEHOLDER or not _SAFE.match(text):
                raise ValueError(f"unsafe callback part {text!r} in {self!r}")
            pieces.append(text)
        data = ":".join(pieces)
        if len(data.encode()) > MAX_BYTES:
            raise ValueError(f"callback data too long: {data!r}")
        return data

    @classmethod
    def parse(cls, data: object) -> Self | None:
        """The action ``data`` stands for, or ``None`` (another action's, malformed or forged)."""
        if not isinstance(data, str) or not data.startswith(cls._prefix):
            return None  # another action's (checked before the cache, which keeps only hopefuls)
        parsed: Self | None = _parse(typing.cast(Any, cls), data)
        return parsed

    @classmethod
    def matches(cls, data: object) -> bool:
        """Whether ``data`` is this action's: a handler's ``pattern``."""
        return cls.parse(data) is not None

    @classmethod
    def of(cls, update: Update) -> Self:
        """The pressed button's action (BadCallback if its data is not this action's)."""
        action = cls.parse(update.callback_query.data if update.callback_query else None)
        if action is None:
            raise BadCallback(f"not {cls.__name__}")
        return action


def _codec(cls: type[Action], name: str, hint: Any) -> tuple[Reader, typing.Callable[[Any], str]]:
    if name in cls.CODES:
        table = cls.CODES[name]
        back = {value: code for code, value in table.items()}  # the last code of a value wins
        return _table_reader(table), back.__getitem__
    if hint is Page:
        return _read_page, str
    if hint is int:
        return _read_id, str
    if hint is str:
        return _read_token, str
    if isinstance(hint, type) and issubclass(hint, StrEnum):
        return _enum_reader(hint), str
    raise TypeError(f"{cls.__name__}.{name}: no callback codec for {hint!r}")


@lru_cache(maxsize=4096)
def _parse(cls: type[Action], data: str) -> Any:
    parts = cls._parts()
    if len(data.encode()) > MAX_BYTES:
        return None
    pieces = data.split(":")
    if len(pieces) != len(parts):
        return None
    values: dict[str, Any] = {}
    for piece, part in zip(pieces, parts, strict=True):
        if part.literal is not None:
            if piece != part.literal:
                return None
            continue
        assert part.read is not None
        value = part.read(piece)
        if value is None:
            return None
        values[part.name] = value
    return cls(**values)


# ---------------------------------------------------------------------------- leads and cards


@dataclass(frozen=True)
class OpenLead(Action):
    WIRE = "lo:{lead}"
    lead: int


@dataclass(frozen=True)
class ShowIcp(Action):
    WIRE = "ic:{lead}"
    lead: int


@dataclass(frozen=True)
class EditLead(Action):
    WIRE = "ed:{lead}"
    lead: int


# ---------------------------------------------------------------------------- the cadence


@dataclass(frozen=True)
class StartCadence(Action):
    WIRE = "cs:{lead}"
    lead: int


@dataclass(frozen=True)
class StartAnyway(Action):
    """✅ under "this lead is outside the ICP: start anyway?"."""

    WIRE = "cy:{lead}:y"
    lead: int


@dataclass(frozen=True)
class KeepUnstarted(Action):
    WIRE = "cy:{lead}:n"
    lead: int


@dataclass(frozen=True)
class ShowStep(Action):
    WIRE = "st:{lead}"
    lead: int


@dataclass(frozen=True)
class LogOutcome(Action):
    """An outcome logged as it is (objection and "not interested" ask something first)."""

    WIRE = "oc:{lead}:{step}:{outcome}"
    CODES = {
        "outcome": {
            "na": Outcome.NO_ANSWER,
            "co": Outcome.CONNECTED,
            "re": Outcome.REPLIED,
            "mb": Outcome.MEETING_BOOKED,
            "wc": Outcome.WRONG_CONTACT,
            "sk": Outcome.SKIPPED,
        }
    }
    lead: int
    step: str
    outcome: Outcome


@dataclass(frozen=True)
class AskObjection(Action):
    WIRE = "oc:{lead}:{step}:ob"
    lead: int
    step: str


@dataclass(frozen=True)
class NotInterested(Action):
    WIRE = "oc:{lead}:{step}:ni"
    lead: int
    step: str


@dataclass(frozen=True)
class PickObjection(Action):
    WIRE = "oj:{lead}:{step}:{objection}"
    lead: int
    step: str
    objection: str


@dataclass(frozen=True)
class ObjectionBooked(Action):
    """After an objection's answer: 📅 meeting booked."""

    WIRE = "oa:{lead}:{step}:{objection}:mb"
    lead: int
    step: str
    objection: str


@dataclass(frozen=True)
class ObjectionGoOn(Action):
    """After an objection's answer: ➡️ go on with the cadence."""

    WIRE = "oa:{lead}:{step}:{objection}:go"
    lead: int
    step: str
    objection: str


@dataclass(frozen=True)
class ObjectionLost(Action):
    """After an objection's answer: 🙅 not interested (a loss reason is asked next)."""

    WIRE = "oa:{lead}:{step}:{objection}:ni"
    lead: int
    step: str
    objection: str


@dataclass(frozen=True)
class LoseOnStep(Action):
    """A loss reason picked for a touch of the cadence ("not interested")."""

    WIRE = "lr:{lead}:{step}:{reason}"
    lead: int
    step: str
    reason: str


@dataclass(frozen=True)
class LoseByHand(Action):
    """A loss reason picked from the lead card or a disqualification (no touch)."""

    WIRE = "lr:{lead}:-:{reason}"
    lead: int
    reason: str


@dataclass(frozen=True)
class Disqualify(Action):
    WIRE = "dq:{lead}"
    lead: int


@dataclass(frozen=True)
class AnswerQuestion(Action):
    """A qualification answer on the touch where the prospect answered."""

    WIRE = "qf:{touch}:{question}:{answer}"
    touch: int
    question: str
    answer: str


@dataclass(frozen=True)
class AddNote(Action):
    WIRE = "nt:{touch}"
    touch: int


# ---------------------------------------------------------------------------- lists from the playbook


@dataclass(frozen=True)
class ObjectionsPage(Action):
    WIRE = "cp:oj:{page}:{lead}:{step}"
    page: Page
    lead: int
    step: str


@dataclass(frozen=True)
class StepLossPage(Action):
    WIRE = "cp:lr:{page}:{lead}:{step}"
    page: Page
    lead: int
    step: str


@dataclass(frozen=True)
class HandLossPage(Action):
    WIRE = "cp:dq:{page}:{lead}:-"
    page: Page
    lead: int


@dataclass(frozen=True)
class NoShowPage(Action):
    WIRE = "cp:ns:{page}:{meeting}:-"
    page: Page
    meeting: int


# ---------------------------------------------------------------------------- meetings and stages


@dataclass(frozen=True)
class MeetingHeld(Action):
    WIRE = "mt:{meeting}:held"
    meeting: int


@dataclass(frozen=True)
class MeetingNoShow(Action):
    WIRE = "mt:{meeting}:noshow"
    meeting: int


@dataclass(frozen=True)
class MeetingMoved(Action):
    WIRE = "mt:{meeting}:moved"
    meeting: int


@dataclass(frozen=True)
class NoShowReason(Action):
    WIRE = "ns:{meeting}:{reason}"
    meeting: int
    reason: str


@dataclass(frozen=True)
class MeetingDayYes(Action):
    """✅ under "25/12 is a holiday. Book it anyway?"; ``question`` names that question."""

    WIRE = "wh:{lead}:yes:{question}"
    lead: int
    question: str


@dataclass(frozen=True)
class MeetingDayNo(Action):
    WIRE = "wh:{lead}:no:{question}"
    lead: int
    question: str


@dataclass(frozen=True)
class BookMeeting(Action):
    WIRE = "sg:{lead}:meeting"
    lead: int


@dataclass(frozen=True)
class LoseLead(Action):
    """❌ Lost, by hand: the loss reason is asked next."""

    WIRE = "sg:{lead}:lost"
    lead: int


@dataclass(frozen=True)
class MoveStage(Action):
    """Any other stage move by hand, each asked of the funnel (which books a meeting only
    with its date, :class:`BookMeeting`)."""

    WIRE = "sg:{lead}:{to}"
    CODES = {
        "to": {
            **{stage.value: stage for stage in Stage if stage is not Stage.LOST},
            "proposal": Stage.PROPOSAL_SENT,
        }
    }
    lead: int
    to: Stage


# ---------------------------------------------------------------------------- /config


@dataclass(frozen=True)
class SettingsMenu(Action):
    WIRE = "cf:menu:-"


@dataclass(frozen=True)
class ChooseHours(Action):
    WIRE = "cf:hours:-"


@dataclass(frozen=True)
class SetHours(Action):
    """A preset, ``hours`` written ``09001800``."""

    WIRE = "cf:sethours:{hours}"
    hours: str


@dataclass(frozen=True)
class TypeHours(Action):
    WIRE = "cf:customhours:-"


@dataclass(frozen=True)
class ChooseUf(Action):
    WIRE = "cf:uf:-"


@dataclass(frozen=True)
class SetUf(Action):
    WIRE = "cf:setuf:{uf}"
    CODES = {"uf": {code: code for code in regions.UFS}}
    uf: str


@dataclass(frozen=True)
class ChooseLanguage(Action):
    WIRE = "cf:lang:-"


@dataclass(frozen=True)
class SetLanguage(Action):
    WIRE = "cf:setlang:{language}"
    CODES = {"language": {"pt": "pt", "en": "en"}}
    language: str


@dataclass(frozen=True)
class TeamPauses(Action):
    WIRE = "cf:team:-"


@dataclass(frozen=True)
class PauseMember(Action):
    WIRE = "cf:pause:{member}"
    member: int


@dataclass(frozen=True)
class ResumeMember(Action):
    WIRE = "cf:resume:{member}"
    member: int


# ---------------------------------------------------------------------------- reminders


@dataclass(frozen=True)
class SnoozeMenu(Action):
    WIRE = "rm:{reminder}:snz:-"
    reminder: int


@dataclass(frozen=True)
class SnoozeDays(Action):
    WIRE = "rm:{reminder}:days:-"
    reminder: int


@dataclass(frozen=True)
class ReminderBack(Action):
    WIRE = "rm:{reminder}:back:-"
    reminder: int


@dataclass(frozen=True)
class Snooze(Action):
    """``choice`` is ``1h``, ``tm`` (tomorrow early) or a business day's code."""

    WIRE = "rm:{reminder}:s:{choice}"
    reminder: int
    choice: str


@dataclass(frozen=True)
class SkipStep(Action):
    WIRE = "rm:{reminder}:skip:-"
    reminder: int


@dataclass(frozen=True)
class PauseCadence(Action):
    WIRE = "rm:{reminder}:pause:-"
    reminder: int


@dataclass(frozen=True)
class ResumeCadence(Action):
    WIRE = "rc:{lead}"
    lead: int


# ---------------------------------------------------------------------------- cadences (issue 12)


@dataclass(frozen=True)
class ChooseCadence(Action):
    """🔀 on the lead card: the cadences the lead may move to."""

    WIRE = "kc:{lead}"
    lead: int


@dataclass(frozen=True)
class MoveCadence(Action):
    """Move the lead to ``cadence`` (an id of ``cadence.yaml``, checked against the playbook)."""

    WIRE = "kv:{lead}:{cadence}"
    lead: int
    cadence: str


@dataclass(frozen=True)
class ReopenLead(Action):
    """↩️ on a lost lead's card: why reopen it?"""

    WIRE = "kr:{lead}"
    lead: int


@dataclass(frozen=True)
class ReopenBecause(Action):
    """A reopen reason picked from the buttons (:data:`bot.domain.cadences.REOPEN_REASONS`)."""

    WIRE = "ky:{lead}:{reason}"
    lead: int
    reason: str


@dataclass(frozen=True)
class ReopenTyped(Action):
    """✍️ The rep types the reason (a flow: :mod:`bot.tg.lead_cadence`)."""

    WIRE = "kt:{lead}"
    lead: int


# ---------------------------------------------------------------------------- older verbs


class Verb(StrEnum):
    """Data still built with :func:`pack` (modules not yet moved to actions)."""

    PAGE = "pg"  # lead list page: pg:<filter>:<page>:<a|b><lead>[.<due µs>] (after/before it) or -
    NEW = "nw"  # /novo answers: nw:<action>[:<value>]
    REPORT = "rp"  # under a /relatorio: rp:<token>:rank (the rep leaderboard for the same filters)
    EXPORT = "ex"  # under an /exportar: ex:<token>:<csv|xlsx> (the same export in the other format)
    IMPORT_UPDATE = "iu"  # under an import summary: iu:<token> (fill in the existing leads it found)
    ERASE = "er"  # LGPD erasure of a lead's contact data (managers): er:<lead>:<ask|yes|no>
    TEAM = "tm"  # /equipe, deactivating a member: tm:<list|off|to|ok>:<member or page>:<arg or ->
    INVITES = "iv"  # /convites: iv:<list|revoke>:<page>:<invite or ->
    PROSPECT = "pp"  # under a /prospectar simulation: pp:<token> (create those leads)


def pack(verb: Verb, *args: object) -> str:
    parts = [verb.value, *(str(a) for a in args)]
    for part in parts[1:]:
        if not _SAFE.match(part):
            raise ValueError(f"unsafe callback part {part!r}")
    data = ":".join(parts)
    if len(data.encode()) > MAX_BYTES:
        raise ValueError(f"callback data too long: {data!r}")
    return data


def unpack(data: str | None, verb: Verb, arity: int) -> list[str]:
    """The arguments of ``data`` for ``verb``; BadCallback if forged or malformed."""
    if not data:
        raise BadCallback("empty")
    parts = data.split(":")
    if parts[0] != verb.value or len(parts) - 1 != arity or not all(_SAFE.match(p) for p in parts[1:]):
        raise BadCallback(data[:64])
    return parts[1:]


def as_id(text: str) -> int:
    """An id in callback data: ASCII digits within a database integer (forged data is refused)."""
    try:
        return numbers.parse_id(text)
    except numbers.InvalidNumber:
        raise BadCallback(text[:20]) from None


def as_page(text: str) -> int:
    """A page number in callback data, counted from 0."""
    try:
        return numbers.parse_page(text)
    except numbers.InvalidNumber:
        raise BadCallback(text[:20]) from None


def pattern(verb: Verb) -> str:
    return rf"^{verb.value}(:|$)"


# ---------------------------------------------------------------------------- worklist (bulk start, reassign)


@dataclass(frozen=True)
class BulkPlanAgain(Action):
    """The dry run of a bulk start again: ``kind`` c (campaign, ``value`` its token), t (tier)
    or i (import id); ``outside`` y to include the leads outside the ICP."""

    WIRE = "bk:p:{kind}:{value}:{outside}"
    CODES = {"kind": {"c": "c", "t": "t", "i": "i"}, "outside": {"y": True, "n": False}}
    kind: str
    value: str
    outside: bool


@dataclass(frozen=True)
class BulkGo(Action):
    """✅ under a bulk start's dry run: start them."""

    WIRE = "bk:g:{kind}:{value}:{outside}"
    CODES = {"kind": {"c": "c", "t": "t", "i": "i"}, "outside": {"y": True, "n": False}}
    kind: str
    value: str
    outside: bool


@dataclass(frozen=True)
class BulkCancel(Action):
    WIRE = "bk:x:-"


@dataclass(frozen=True)
class ReassignLead(Action):
    """Move one lead to ``member``."""

    WIRE = "ra:l:{lead}:{member}"
    lead: int
    member: int


@dataclass(frozen=True)
class OfferReassign(Action):
    """🔁 Passar on the lead card (managers): asks to whom, with a button per person."""

    WIRE = "ra:o:{lead}"
    lead: int


@dataclass(frozen=True)
class ReassignOpen(Action):
    """Move every open lead of ``owner`` to ``member``."""

    WIRE = "ra:a:{owner}:{member}"
    owner: int
    member: int


@dataclass(frozen=True)
class ReassignSpread(Action):
    """Spread every open lead of ``owner`` round-robin."""

    WIRE = "ra:r:{owner}"
    owner: int


# ---------------------------------------------------------------------------- contacts (issue 12/13)


@dataclass(frozen=True)
class ShowContacts(Action):
    """👥 Contatos on the lead card: the lead's contacts, to choose or add one."""

    WIRE = "ct:{lead}:ls"
    lead: int


@dataclass(frozen=True)
class AddContact(Action):
    WIRE = "ct:{lead}:add"
    lead: int


@dataclass(frozen=True)
class SkipContact(Action):
    """🤷 Não sei, under "who is the right contact?" after ❓ Contato errado."""

    WIRE = "ct:{lead}:skip"
    lead: int


@dataclass(frozen=True)
class OfferMakers(Action):
    """🏛 The registry's decision makers of the lead's company, offered as contacts."""

    WIRE = "ct:{lead}:rf"
    lead: int


@dataclass(frozen=True)
class PickMaker(Action):
    """One offered decision maker, by its place in the offer (re-read from the registry)."""

    WIRE = "ct:{lead}:rf:{index}"
    lead: int
    index: Page


@dataclass(frozen=True)
class ChooseContact(Action):
    WIRE = "cx:{contact}"
    contact: int


@dataclass(frozen=True)
class HeardObjection(Action):
    """🔎 under the objections: the rep types what the prospect said."""

    WIRE = "oh:{lead}:{step}"
    lead: int
    step: str


# ---------------------------------------------------------------------------- tasks, timeline, after a reply


@dataclass(frozen=True)
class NewTask(Action):
    """⏰ Retorno on a lead card, a step card or after a reply: asks when."""

    WIRE = "tk:n:{lead}"
    lead: int


@dataclass(frozen=True)
class TaskNoNote(Action):
    """"Sem nota" under the follow-up's note question."""

    WIRE = "tk:nn:{lead}"
    lead: int


@dataclass(frozen=True)
class TaskDone(Action):
    WIRE = "tk:d:{task}"
    task: int


@dataclass(frozen=True)
class TaskSnoozeMenu(Action):
    WIRE = "tk:z:{task}"
    task: int


@dataclass(frozen=True)
class TaskSnooze(Action):
    """``choice``: ``1h`` or ``tm`` (tomorrow early)."""

    WIRE = "tk:s:{task}:{choice}"
    task: int
    choice: str


@dataclass(frozen=True)
class ShowTimeline(Action):
    """🕓 Histórico on the lead card: the newest page of the lead's history, as a new message."""

    WIRE = "hi:{lead}"
    lead: int


@dataclass(frozen=True)
class TimelinePage(Action):
    """◀ ▶ under the history: page ``page`` (from 0, newest first), in place."""

    WIRE = "hp:{lead}:{page}"
    lead: int
    page: Page


@dataclass(frozen=True)
class ResumeAfterReply(Action):
    """▶️ Retomar cadência after a reply: the step after the touch's."""

    WIRE = "rt:{touch}"
    touch: int


# ---------------------------------------------------------------------------- deal values (branch deals)


@dataclass(frozen=True)
class EditDeal(Action):
    """💰 on the lead card: type (again) what the deal is worth."""

    WIRE = "dv:{lead}:edit"
    lead: int


@dataclass(frozen=True)
class DealShortcut(Action):
    """A button under a deal question: ``skip`` (no value now), ``nosetup`` (no set-up fee),
    ``noterm`` (no contract term)."""

    WIRE = "dv:{lead}:{what}"
    CODES = {"what": {"skip": "skip", "nosetup": "nosetup", "noterm": "noterm"}}
    lead: int
    what: str


# --- contacts2: the typed contact's confirmation ---------------------------------------------


@dataclass(frozen=True)
class SaveContact(Action):
    """✅ Salvar under a typed contact shown back to the rep."""

    WIRE = "ct:{lead}:ok"
    lead: int


@dataclass(frozen=True)
class FixContact(Action):
    """✏️ Corrigir: type the contact again."""

    WIRE = "ct:{lead}:fix"
    lead: int


@dataclass(frozen=True)
class DropContact(Action):
    """✖️ Descartar: nothing is saved, the question ends."""

    WIRE = "ct:{lead}:drop"
    lead: int
