"""Cadence planning: which step comes next and what an outcome does to a lead.

Pure rules, so they can be read in one place and tested as a table:

* the variant of a script is chosen deterministically per lead (same lead → same variant);
* ``no_answer`` / ``wrong_contact`` / ``skipped`` move to the next step;
* ``connected`` / ``objection`` mark the lead as connected and keep the cadence going;
* ``replied`` / ``meeting_booked`` stop the cadence (the prospect answered);
* ``not_interested`` loses the lead (with a reason);
* after the breakup step, a lead that did not answer is lost with the playbook's
  "no response" reason;
* the stage move that results must be one the funnel allows (:mod:`bot.domain.funnel`).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from enum import StrEnum

from bot.domain import funnel
from bot.domain.playbook.model import CadenceDef, Playbook, Script, Step
from bot.domain.vocabulary import Outcome, Stage, StepKind


class CadenceStatus(StrEnum):
    NOT_STARTED = "not_started"
    ACTIVE = "active"
    PAUSED = "paused"
    STOPPED = "stopped"
    """The prospect answered: the rep works the lead by hand from here."""
    FINISHED = "finished"
    """The breakup step passed, or the lead was closed."""


def choose_variant(script: Script, *, lead_id: int, script_id: str) -> str:
    """The A/B variant a lead gets for a script: stable, and evenly spread across leads."""
    names = sorted(script.variants)
    if len(names) == 1:
        return names[0]
    digest = hashlib.sha256(f"{script_id}:{lead_id}".encode()).digest()
    return names[int.from_bytes(digest[:4], "big") % len(names)]


def first_step(cadence: CadenceDef) -> Step:
    return cadence.steps[0]


def step_after(cadence: CadenceDef, step_id: str) -> Step | None:
    steps = cadence.steps
    for index, step in enumerate(steps):
        if step.id == step_id:
            return steps[index + 1] if index + 1 < len(steps) else None
    return None


def step_number(cadence: CadenceDef, step_id: str) -> int:
    """1-based position of the step in the cadence (0 if the step is no longer there)."""
    for index, step in enumerate(cadence.steps, start=1):
        if step.id == step_id:
            return index
    return 0


@dataclass(frozen=True, slots=True)
class Transition:
    """What logging an outcome does to the lead."""

    stage: Stage
    cadence: CadenceStatus
    next_step: Step | None
    loss_reason: str | None = None


STAGE_ORDER = {stage: index for index, stage in enumerate(Stage)}


def _advance(current: Stage, target: Stage) -> Stage:
    """Stages only move forward through the funnel here (never back from a meeting to connected)."""
    return target if STAGE_ORDER[target] > STAGE_ORDER[current] else current


def apply_outcome(
    playbook: Playbook,
    *,
    stage: Stage,
    step: Step,
    outcome: Outcome,
    loss_reason: str | None = None,
    cadence: CadenceDef | None = None,
) -> Transition:
    """The lead's next state after ``outcome`` on ``step`` of ``cadence`` (the fallback cadence
    when not given).

    Raises :class:`~bot.domain.funnel.MoveRefused` if the funnel does not allow the result (a
    closed lead, a stage where the cadence does not run, a loss reason not valid for the stage).
    """
    transition = _transition(
        playbook, cadence or playbook.cadence.fallback, stage=stage, step=step, outcome=outcome, loss_reason=loss_reason
    )
    funnel.check(
        stage,
        transition.stage,
        funnel.Way.TOUCH,
        reason=transition.loss_reason,
        valid_reasons=funnel.loss_reasons(playbook, stage),
    )
    return transition


def _transition(
    playbook: Playbook,
    cadence: CadenceDef,
    *,
    stage: Stage,
    step: Step,
    outcome: Outcome,
    loss_reason: str | None,
) -> Transition:
    working = _advance(stage, Stage.PROSPECTING)
    following = step_after(cadence, step.id)
    if outcome is Outcome.NOT_INTERESTED:
        return Transition(Stage.LOST, CadenceStatus.FINISHED, None, loss_reason)
    if outcome is Outcome.MEETING_BOOKED:
        return Transition(_advance(working, Stage.MEETING_BOOKED), CadenceStatus.STOPPED, None)
    if outcome is Outcome.REPLIED:
        return Transition(_advance(working, Stage.CONNECTED), CadenceStatus.STOPPED, None)
    if outcome in (Outcome.CONNECTED, Outcome.OBJECTION):
        working = _advance(working, Stage.CONNECTED)
    if step.kind is StepKind.BREAKUP or following is None:
        if outcome in (Outcome.NO_ANSWER, Outcome.WRONG_CONTACT, Outcome.SKIPPED):
            return Transition(Stage.LOST, CadenceStatus.FINISHED, None, playbook.cadence.no_response_reason)
        return Transition(working, CadenceStatus.STOPPED, None)
    return Transition(working, CadenceStatus.ACTIVE, following)
