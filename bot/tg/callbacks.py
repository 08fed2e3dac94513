"""Callback data: short ASCII strings ``verb:arg:arg`` (Telegram allows 64 bytes).

Callback data comes from the client and can be forged, so it only *names* things; every
handler loads the lead or meeting again and checks the member may touch it.
"""

from __future__ import annotations

import re
from enum import StrEnum

from bot.domain import numbers

MAX_BYTES = 64
_SAFE = re.compile(r"^[A-Za-z0-9_.-]*$")


class Verb(StrEnum):
    LEAD = "lo"  # open a lead card: lo:<lead>
    ICP = "ic"  # show the ICP card: ic:<lead>
    START = "cs"  # start the cadence: cs:<lead>
    CONFIRM_START = "cy"  # start anyway, a lead outside the ICP: cy:<lead>:<y|n>
    STEP = "st"  # show the current step: st:<lead>
    OUTCOME = "oc"  # log an outcome: oc:<lead>:<step>:<outcome>
    OBJECTION = "oj"  # pick an objection: oj:<lead>:<step>:<objection>
    AFTER_OBJECTION = "oa"  # what happened after the answer: oa:<lead>:<step>:<objection>:<next>
    LOSS = "lr"  # lost with a reason: lr:<lead>:<step or ->:<reason>
    DISQUALIFY = "dq"  # ask a disqualification reason: dq:<lead>
    QUALIFY = "qf"  # a qualification answer: qf:<touch>:<key>:<value>
    MEETING = "mt"  # a meeting outcome: mt:<meeting>:<held|noshow|moved>
    NO_SHOW = "ns"  # no-show reason: ns:<meeting>:<reason>
    STAGE = "sg"  # a stage move by hand: sg:<lead>:<proposal|won|lost|meeting or a stage value>
    EDIT = "ed"  # edit facts: ed:<lead>
    PAGE = "pg"  # lead list page: pg:<filter>:<page>
    NEW = "nw"  # /novo answers: nw:<action>[:<value>]
    NOOP = "no"
    NOTE = "nt"  # add a note to a logged touch: nt:<touch>
    REMINDER = "rm"  # act on a reminder: rm:<reminder>:<action>:<arg or ->
    RESUME = "rc"  # resume a paused cadence: rc:<lead>
    CONFIG = "cf"  # /config: cf:<what>:<value or ->
    REPORT = "rp"  # under a /relatorio: rp:<token>:rank (the rep leaderboard for the same filters)
    EXPORT = "ex"  # under an /exportar: ex:<token>:<csv|xlsx> (the same export in the other format)
    IMPORT_UPDATE = "iu"  # under an import summary: iu:<token> (fill in the existing leads it found)
    WHEN = "wh"  # confirm a questionable meeting date: wh:<lead>:<yes|no>:<which question>
    CHOICES = "cp"  # another page of a list from the playbook: cp:<list>:<page>:<arg>:<arg or ->
    ERASE = "er"  # LGPD erasure of a lead's contact data (managers): er:<lead>:<ask|yes|no>
    TEAM = "tm"  # /equipe, deactivating a member: tm:<list|off|to|ok>:<member or page>:<arg or ->
    INVITES = "iv"  # /convites: iv:<list|revoke>:<page>:<invite or ->
    PROSPECT = "pp"  # under a /prospectar simulation: pp:<token> (create those leads)


class BadCallback(ValueError):
    pass


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
