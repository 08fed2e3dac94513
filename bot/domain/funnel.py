"""The funnel: which stage moves are legal, from where, and what each one needs.

This table is the reference. Services ask :func:`check` before they write a stage change (and
refuse with :class:`MoveRefused`); the lead card asks :func:`targets` and :func:`allows` which
buttons to draw. Nothing else in the code decides what a legal move is.

A move happens in one of five **ways** (:class:`Way`):

========  ====================================================================================
start     the rep starts the cadence ("Iniciar cadência")
touch     an outcome logged on a step of the cadence (no answer, connected, replied, …)
booking   a meeting date typed for the lead ("Agendar reunião", the meeting-booked outcome)
meeting   a *scheduled* meeting marked as held (lead card, or the "did it happen?" reminder)
hand      a button of the lead card or the ICP card (proposal sent, won, lost, disqualify)
reopen    a lost lead reopened by its rep, or brought back by recycling (issue 12)
========  ====================================================================================

The moves (anything not listed is refused):

==============  ==============  ===================  =========================================
from            to              ways                 needs
==============  ==============  ===================  =========================================
new             prospecting     start                the cadence starting (the first step)
new             lost            hand                 a loss reason of stage *new*
prospecting     connected       touch                someone reached (connected, objection, …)
prospecting     meeting_booked  touch, booking       a meeting booked
prospecting     lost            touch, hand          a loss reason of *prospecting* [1]_
connected       meeting_booked  touch, booking       a meeting booked
connected       lost            touch, hand          a loss reason of *connected* [1]_
meeting_booked  meeting_held    meeting              a meeting that was scheduled, marked held
meeting_booked  lost            hand                 a loss reason of *meeting_booked*
meeting_held    proposal_sent   hand                 (the held meeting: the stage it leaves)
meeting_held    won             hand                 (a held meeting)
meeting_held    lost            hand                 a loss reason of *meeting_held*
proposal_sent   won             hand                 (the proposal: the stage it leaves)
proposal_sent   lost            hand                 a loss reason of *proposal_sent*
lost            new             reopen               the stage it was lost from [2]_
lost            prospecting     reopen               the stage it was lost from [2]_
lost            connected       reopen               the stage it was lost from [2]_
lost            meeting_booked  reopen               the stage it was lost from [2]_
lost            meeting_held    reopen               the stage it was lost from [2]_
lost            proposal_sent   reopen               the stage it was lost from [2]_
==============  ==============  ===================  =========================================

.. [2] :func:`bot.domain.cadences.reopen_stage` says which; a recycled lead lost after a
   meeting comes back to *connected*, where its recycle cadence can run.

.. [1] or the playbook's "no response" reason, when the breakup step passes unanswered.

Ways that keep the stage where it is (not a move, but only allowed where listed):

* ``touch`` at *prospecting* and *connected*: the cadence runs only there;
* ``booking`` at *meeting_booked*: a new date after a no-show, a reschedule, or the date of a
  meeting-booked outcome.

Consequences, in words: stages only move forward; "proposal sent" needs a held meeting; "won"
needs a held meeting or a sent proposal; a lead is lost only with a reason the playbook lists
for the stage it leaves; *won* and *lost* are closed and move nowhere but by reopening a lost
lead; a lead enters the funnel at :data:`ENTRY` (``/novo`` and imports alike).

**Fit before effort**: starting the cadence of a lead outside the ICP (tier D, or knocked
out) needs the rep's confirmation — :func:`needs_fit_confirmation` says which leads.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from enum import StrEnum

from bot.domain.playbook.model import Playbook
from bot.domain.scoring import IcpResult
from bot.domain.vocabulary import CLOSED_STAGES, OPEN_STAGES, Stage, Tier


class Way(StrEnum):
    """How a stage move is asked for (see the module docstring)."""

    START = "start"
    TOUCH = "touch"
    BOOKING = "booking"
    MEETING = "meeting"
    HAND = "hand"
    REOPEN = "reopen"


S = Stage
W = Way

#: Every legal move: (from, to) → the ways it may happen. The module docstring is this table.
MOVES: Mapping[tuple[Stage, Stage], frozenset[Way]] = {
    (S.NEW, S.PROSPECTING): frozenset({W.START}),
    (S.NEW, S.LOST): frozenset({W.HAND}),
    (S.PROSPECTING, S.CONNECTED): frozenset({W.TOUCH}),
    (S.PROSPECTING, S.MEETING_BOOKED): frozenset({W.TOUCH, W.BOOKING}),
    (S.PROSPECTING, S.LOST): frozenset({W.TOUCH, W.HAND}),
    (S.CONNECTED, S.MEETING_BOOKED): frozenset({W.TOUCH, W.BOOKING}),
    (S.CONNECTED, S.LOST): frozenset({W.TOUCH, W.HAND}),
    (S.MEETING_BOOKED, S.MEETING_HELD): frozenset({W.MEETING}),
    (S.MEETING_BOOKED, S.LOST): frozenset({W.HAND}),
    (S.MEETING_HELD, S.PROPOSAL_SENT): frozenset({W.HAND}),
    (S.MEETING_HELD, S.WON): frozenset({W.HAND}),
    (S.MEETING_HELD, S.LOST): frozenset({W.HAND}),
    (S.PROPOSAL_SENT, S.WON): frozenset({W.HAND}),
    (S.PROPOSAL_SENT, S.LOST): frozenset({W.HAND}),
    **{(S.LOST, stage): frozenset({W.REOPEN}) for stage in OPEN_STAGES},
}

#: Ways that may act on a lead without moving it, and where.
STAYS: Mapping[Way, frozenset[Stage]] = {
    W.TOUCH: frozenset({S.PROSPECTING, S.CONNECTED}),
    W.BOOKING: frozenset({S.MEETING_BOOKED}),
}

#: The stage every lead enters the funnel at (``/novo``, imports).
ENTRY = Stage.NEW

#: Stages where the cadence's own "no response" loss reason is valid (the cadence runs there).
CADENCE_STAGES = STAYS[W.TOUCH]


class Refusal(StrEnum):
    """Why a move was refused."""

    CLOSED = "closed"
    """The lead is won or lost: closed stages move nowhere."""
    NOT_IN_FUNNEL = "not_in_funnel"
    """No such move in the table (backwards, skipping a requirement, …)."""
    WRONG_WAY = "wrong_way"
    """The move exists, but not this way (e.g. "meeting held" by hand, without a meeting)."""
    LOSS_REASON = "loss_reason"
    """Lost without a reason, or with one the playbook does not list for the stage."""


class MoveRefused(Exception):
    """A stage move the funnel forbids. Nothing was written."""

    def __init__(self, source: Stage, target: Stage, way: Way, why: Refusal, *, lead_id: int | None = None) -> None:
        self.source, self.target, self.way, self.why, self.lead_id = source, target, way, why, lead_id
        lead = f"lead {lead_id}: " if lead_id is not None else ""
        super().__init__(f"{lead}{source.value} → {target.value} by {way.value} refused ({why.value})")

    def for_lead(self, lead_id: int | None) -> MoveRefused:
        return MoveRefused(self.source, self.target, self.way, self.why, lead_id=lead_id)


@dataclass(frozen=True, slots=True)
class Move:
    source: Stage
    target: Stage
    ways: frozenset[Way]


def moves() -> list[Move]:
    """The table as rows, in funnel order."""
    return [Move(s, t, ways) for (s, t), ways in MOVES.items()]


def targets(stage: Stage, way: Way) -> list[Stage]:
    """The stages a lead at ``stage`` may move to in ``way``, in funnel order."""
    return [t for (s, t), ways in MOVES.items() if s is stage and way in ways]


def allows(stage: Stage, way: Way) -> bool:
    """Whether ``way`` may act on a lead at ``stage`` at all (moving it, or keeping it there)."""
    return bool(targets(stage, way)) or stage in STAYS.get(way, frozenset())


def refusal(
    source: Stage,
    target: Stage,
    way: Way,
    *,
    reason: str | None = None,
    valid_reasons: Collection[str] | None = None,
) -> Refusal | None:
    """Why moving from ``source`` to ``target`` in ``way`` is refused, or None if it is legal.

    ``target == source`` asks whether ``way`` may act without moving the lead (:data:`STAYS`).
    A move to *lost* needs ``reason`` to be one of ``valid_reasons`` (see :func:`loss_reasons`);
    ``valid_reasons=None`` checks the move alone, before the rep has picked a reason.
    """
    if source in CLOSED_STAGES and not (way is Way.REOPEN and (source, target) in MOVES):
        return Refusal.CLOSED
    if target is source:
        return None if source in STAYS.get(way, frozenset()) else Refusal.WRONG_WAY
    ways = MOVES.get((source, target))
    if ways is None:
        return Refusal.NOT_IN_FUNNEL
    if way not in ways:
        return Refusal.WRONG_WAY
    if target is Stage.LOST and valid_reasons is not None and (not reason or reason not in valid_reasons):
        return Refusal.LOSS_REASON
    return None


def check(
    source: Stage,
    target: Stage,
    way: Way,
    *,
    reason: str | None = None,
    valid_reasons: Collection[str] | None = None,
    lead_id: int | None = None,
) -> None:
    """Raise :class:`MoveRefused` unless the funnel allows the move (see :func:`refusal`)."""
    why = refusal(source, target, way, reason=reason, valid_reasons=valid_reasons)
    if why is not None:
        raise MoveRefused(source, target, way, why, lead_id=lead_id)


def forbidden() -> list[tuple[Stage, Stage]]:
    """Every (from, to) pair of different stages that no way allows."""
    return [(s, t) for s in Stage for t in Stage if s is not t and (s, t) not in MOVES]


def loss_reasons(playbook: Playbook, stage: Stage) -> frozenset[str]:
    """The loss reasons valid when a lead leaves ``stage``: the playbook's list for that stage,
    plus the cadence's "no response" reason where the cadence runs."""
    valid = {r.id for r in playbook.loss_reasons(stage)}
    if stage in CADENCE_STAGES:
        valid.add(playbook.cadence.no_response_reason)
    return frozenset(valid)


# ---------------------------------------------------------------------------- fit before effort


def needs_fit_confirmation(result: IcpResult) -> bool:
    """Starting the cadence of a lead outside the ICP (tier D, or knocked out) asks first."""
    return result.tier is Tier.D or result.knocked_out
