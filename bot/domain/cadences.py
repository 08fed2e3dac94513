"""Which cadence a lead gets, and the rules of leaving and coming back to one.

Pure rules, read as a table:

* a new lead gets the first cadence of ``cadence.yaml`` whose ``when`` holds (every condition);
  the last cadence chosen by rules has no ``when`` and takes every other lead. A condition on a
  fact the lead does not have (an unknown headcount) does not hold: the lead falls through to a
  later cadence, never to one meant for another segment;
* the conditions speak the language of ``icp.yaml`` (:mod:`bot.domain.playbook.icp_checks`) over
  the company's facts, plus the lead's ``tier``, ``sales_model``, ``source`` and ``campaign``;
* recycle cadences (``recycle: true``) are never chosen by rules: a lead lost with a reason of
  ``reasons.yaml`` → ``recycle`` comes back on the one the rule names;
* a reopened lead goes back to the stage it was lost from (:func:`reopen_stage`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from bot.domain.facts import LeadFacts
from bot.domain.playbook.model import CadenceCondition, CadenceDef, Condition, Playbook, RecycleRule
from bot.domain.problems import N_
from bot.domain.scoring import evaluate
from bot.domain.vocabulary import OPEN_STAGES, Stage

#: Facts of the lead itself that a cadence rule may test (the others are ICP facts).
LEAD_FACTS = ("tier", "sales_model", "source", "campaign")


@dataclass(frozen=True, slots=True)
class LeadTraits:
    """What a cadence rule reads of a lead besides its company's facts."""

    tier: str | None = None
    sales_model: str | None = None
    source: str = ""
    campaign: str = ""


def _lead_fact_holds(condition: CadenceCondition, traits: LeadTraits) -> bool | None:
    value = getattr(traits, condition.fact)
    if value is None or value == "":
        return None if condition.fact in ("tier", "sales_model") else _compare(condition, "")
    return _compare(condition, str(value))


def _compare(condition: CadenceCondition, value: str) -> bool:
    wanted = condition.value
    folded = value.casefold()
    if isinstance(wanted, list):
        members = {str(w).casefold() for w in wanted}
        return (folded in members) if condition.op == "in" else (folded not in members)
    target = str(wanted).casefold()
    if condition.op == "prefix":
        return folded.startswith(target)
    if condition.op == "ne":
        return folded != target
    return folded == target


def holds(condition: CadenceCondition, facts: LeadFacts, traits: LeadTraits) -> bool | None:
    """True/False, or None when the fact is unknown for this lead."""
    if condition.fact in LEAD_FACTS:
        return _lead_fact_holds(condition, traits)
    icp_condition = Condition(fact=condition.fact, op=condition.op, value=condition.value)
    return evaluate(icp_condition, facts)


def rule_holds(conditions: Sequence[CadenceCondition], facts: LeadFacts, traits: LeadTraits) -> bool:
    """Every condition holds (an unknown fact does not)."""
    return all(holds(condition, facts, traits) is True for condition in conditions)


def choose_cadence(
    playbook: Playbook,
    facts: LeadFacts,
    *,
    tier: str | None = None,
    sales_model: str | None = None,
    source: str = "",
    campaign: str = "",
) -> CadenceDef:
    """The cadence a lead starts on: the first chosen by rules whose ``when`` holds."""
    traits = LeadTraits(tier=tier, sales_model=sales_model, source=source, campaign=campaign)
    candidates = playbook.cadence.chosen_by_rules
    for cadence in candidates:
        if not cadence.when or rule_holds(cadence.when, facts, traits):
            return cadence
    return playbook.cadence.fallback


def recycle_rule(playbook: Playbook, reason: str | None, times_recycled: int) -> RecycleRule | None:
    """The rule that brings a lead lost with ``reason`` back, unless it already came back as
    many times as the rule allows."""
    rule = playbook.reasons.recycle_rule(reason)
    if rule is None or times_recycled >= rule.times:
        return None
    return rule


def reopen_stage(lost_from: str | None) -> Stage:
    """Where a reopened lead goes: the stage it was lost from (``new`` when not known)."""
    try:
        stage = Stage(lost_from or Stage.NEW.value)
    except ValueError:
        return Stage.NEW
    return stage if stage in OPEN_STAGES else Stage.NEW


def other_cadences(playbook: Playbook, current: str | None) -> list[CadenceDef]:
    """The cadences a rep may move a lead to: every other one (recycle ones included)."""
    return [c for c in playbook.cadence.cadences if c.id != current]


#: Why a rep reopens a lost lead, as buttons (the id is logged; the label is what the rep reads).
REOPEN_REASONS: dict[str, str] = {
    "respondeu": N_("Respondeu à ruptura"),
    "momento_mudou": N_("O momento mudou"),
    "por_engano": N_("Perdido por engano"),
    "novo_contato": N_("Apareceu um novo contato"),
}
#: The reason logged when the rep typed their own words (kept as the event's note).
TYPED_REASON = "outro"
#: The longest reason a rep may type.
MAX_REASON = 300
