"""A lead's cadence after it started: move it to another cadence, reopen a lost lead, bring a
lost lead back by recycling, resume or re-plan a cadence that stopped.

Every change is logged in ``cadence_events`` (and, when the stage moves, in ``stage_changes``
through :func:`bot.services.leads.record_stage`), and the step reminder is re-planned by the
one planner, :func:`bot.services.cadence.plan_step_reminder`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot.domain import calendar as business
from bot.domain import funnel
from bot.domain.cadence import CadenceStatus, first_step
from bot.domain.cadences import MAX_REASON, REOPEN_REASONS, TYPED_REASON, recycle_rule, reopen_stage
from bot.domain.funnel import Way
from bot.domain.playbook.model import CadenceDef
from bot.domain.vocabulary import CadenceEventKind, Stage
from bot.services.cadence import StaleAction, lead_cadence, plan_step_reminder, working_hours
from bot.services.flows import FlowKind, record_ending
from bot.services.leads import _authorised, record_stage
from bot.services.runtime import Runtime
from bot.services.views import LeadCard, MemberLike
from bot.storage import cadence_events
from bot.storage import leads as lead_store
from bot.storage.models import CadenceEvent, Lead, Member

if TYPE_CHECKING:
    from sqlmodel import Session


class NotLost(Exception):
    """Reopening a lead that is not lost: nothing to reopen."""

    def __init__(self, stage: str) -> None:
        super().__init__(f"the lead is {stage}, not lost")
        self.stage = stage


class CadenceRefused(Exception):
    """The lead's stage does not take a cadence (a meeting booked, closed): nothing was changed."""

    def __init__(self, stage: str) -> None:
        super().__init__(f"no cadence runs at stage {stage}")
        self.stage = stage


class InvalidReason(ValueError):
    """A reopen reason that is neither one of the buttons nor 1 to MAX_REASON typed characters."""


# ---------------------------------------------------------------------------- choosing


@dataclass(frozen=True, slots=True)
class CadenceChoice:
    id: str
    title: str
    steps: int
    recycle: bool


@dataclass(frozen=True, slots=True)
class CadenceChoices:
    lead: LeadCard
    current: CadenceChoice | None
    others: list[CadenceChoice]


def _choice(cadence: CadenceDef) -> CadenceChoice:
    return CadenceChoice(cadence.id, cadence.title, len(cadence.steps), cadence.recycle)


def _takes_cadence(stage: Stage) -> bool:
    return stage is Stage.NEW or funnel.allows(stage, Way.TOUCH)


def cadence_choices(runtime: Runtime, member: MemberLike, lead_id: int) -> CadenceChoices:
    """The lead's cadence and the ones it may move to; :class:`CadenceRefused` where none runs."""
    with runtime.reading() as session:
        lead = LeadCard.of(_authorised(session, member, lead_id))
    if not _takes_cadence(Stage(lead.stage)):
        raise CadenceRefused(lead.stage)
    playbook = runtime.playbook
    current = lead_cadence(playbook, lead) if lead.cadence_id or lead.current_step else None
    others = [_choice(c) for c in playbook.cadence.cadences if current is None or c.id != current.id]
    return CadenceChoices(lead, _choice(current) if current else None, others)


def move_to_cadence(runtime: Runtime, member: MemberLike, lead_id: int, cadence_id: str) -> LeadCard:
    """Put the lead on ``cadence_id`` from its first step, due at the owner's next working
    moment (a new lead only keeps the choice for when its cadence starts). Logged."""
    cadence = runtime.playbook.cadence.get(cadence_id)
    if cadence is None:
        raise StaleAction(f"cadence {cadence_id} is not in playbook {runtime.playbook.version}")
    with runtime.transaction() as session:
        lead = _authorised(session, member, lead_id)
        stage = Stage(lead.stage)
        if not _takes_cadence(stage):
            raise CadenceRefused(lead.stage)
        before = lead_cadence(runtime.playbook, lead).id if lead.cadence_id or lead.current_step else None
        if before == cadence.id:
            raise StaleAction(f"lead {lead_id} is already on cadence {cadence_id}")
        _event(session, runtime, lead, member, CadenceEventKind.MOVED, from_cadence=before, to_cadence=cadence.id)
        if stage is Stage.NEW:
            lead.cadence_id = cadence.id
            lead_store.save_lead(session, lead=lead)
        else:
            _put_on(session, runtime, lead, member, cadence, first_step(cadence).id)
        return LeadCard.of(lead)


def _put_on(
    session: Session, runtime: Runtime, lead: Lead, member: MemberLike, cadence: CadenceDef, step_id: str
) -> None:
    owner = lead_store.owner_of(session, lead=lead) or member
    now = runtime.now()
    lead.cadence_id = cadence.id
    lead.cadence_status = CadenceStatus.ACTIVE.value
    lead.current_step = step_id
    lead.step_due_at = business.next_working_moment(now, working_hours(owner))
    lead.updated_at = now
    lead_store.save_lead(session, lead=lead)
    plan_step_reminder(session, lead, owner)


def _event(
    session: Session,
    runtime: Runtime,
    lead: Lead,
    member: MemberLike | None,
    kind: CadenceEventKind,
    **values: str | None,
) -> None:
    event = CadenceEvent(
        lead_id=lead.id or 0,
        member_id=member.id if member else None,
        kind=kind.value,
        campaign=lead.campaign,
        playbook_version=runtime.playbook.version,
        at=runtime.now(),
    )
    for name, value in values.items():
        setattr(event, name, value)
    cadence_events.add_event(session, event=event)


# ---------------------------------------------------------------------------- reopening


def lead_to_reopen(runtime: Runtime, member: MemberLike, lead_id: int) -> LeadCard:
    """The lead a ↩️ is about, if ``member`` may see it (whether it is lost, the caller says)."""
    with runtime.reading() as session:
        return LeadCard.of(_authorised(session, member, lead_id))


def read_reason(text: str) -> str:
    """A typed reopen reason, trimmed; :class:`InvalidReason` when empty or too long."""
    reason = " ".join(text.split())
    if not reason or len(reason) > MAX_REASON:
        raise InvalidReason(reason[:40])
    return reason


def reopen_lead(
    runtime: Runtime,
    member: MemberLike,
    lead_id: int,
    *,
    reason: str,
    note: str | None = None,
    flow: str | None = None,
) -> LeadCard:
    """Reopen a lost lead: back to the stage it was lost from, its cadence stopped (the rep
    goes on from the lead card: a meeting, or 🔀 a cadence), the reason logged; a planned
    recycle is cancelled. :class:`NotLost` for a lead that is not lost. ``flow``: the run of the
    typed-reason flow this ends, recorded in the same transaction."""
    if reason not in REOPEN_REASONS and reason != TYPED_REASON:
        raise InvalidReason(reason)
    if reason == TYPED_REASON:
        note = read_reason(note or "")
    with runtime.transaction() as session:
        lead = _authorised(session, member, lead_id)
        record_ending(session, runtime, flow, member, FlowKind.REOPEN, lead_id=lead.id, result_id=lead.id)
        if lead.stage != Stage.LOST.value:
            raise NotLost(lead.stage)
        loss = cadence_events.last_loss(session, lead_id=lead.id or 0)
        target = reopen_stage(loss.from_stage if loss else None)
        lost_reason = lead.loss_reason
        record_stage(session, runtime, lead, member, target, reason, way=Way.REOPEN)
        lead.loss_reason = None
        lead.cadence_status = (CadenceStatus.NOT_STARTED if target is Stage.NEW else CadenceStatus.STOPPED).value
        lead.current_step = None
        lead.step_due_at = None
        lead_store.save_lead(session, lead=lead)
        cadence_events.cancel_recycle(session, lead_id=lead.id or 0, why="reopened by hand")
        _event(
            session,
            runtime,
            lead,
            member,
            CadenceEventKind.REOPENED,
            from_stage=Stage.LOST.value,
            to_stage=target.value,
            reason=reason,
            note=note or (lost_reason and f"lost: {lost_reason}"),
            from_cadence=lead.cadence_id,
        )
        return LeadCard.of(lead)


# ---------------------------------------------------------------------------- recycling


@dataclass(frozen=True, slots=True)
class Recycled:
    lead: LeadCard
    cadence: CadenceDef
    days: int
    reason_label: str


def recycle(session: Session, runtime: Runtime, member: Member, lead: Lead) -> Recycled | None:
    """Bring a lead lost with a recycling reason back to ``member`` (its owner) on the rule's
    cadence, inside the caller's transaction (the delivery of the due ``recycle`` reminder);
    ``None`` when it no longer applies (reopened meanwhile, the rule left the playbook)."""
    playbook = runtime.playbook
    if lead.stage != Stage.LOST.value or lead.owner_id != member.id:
        return None
    rule = recycle_rule(playbook, lead.loss_reason, lead.recycled)
    cadence = playbook.cadence.get(rule.cadence) if rule else None
    if rule is None or cadence is None:
        return None
    loss = cadence_events.last_loss(session, lead_id=lead.id or 0)
    target = reopen_stage(loss.from_stage if loss else None)
    if not funnel.allows(target, Way.TOUCH):
        target = Stage.CONNECTED if target is not Stage.NEW else Stage.PROSPECTING
    lost_reason = lead.loss_reason
    record_stage(session, runtime, lead, None, target, "recycled", way=Way.REOPEN)
    lead.loss_reason = None
    lead.recycled += 1
    _event(
        session,
        runtime,
        lead,
        None,
        CadenceEventKind.RECYCLED,
        from_stage=Stage.LOST.value,
        to_stage=target.value,
        reason=lost_reason,
        from_cadence=lead.cadence_id,
        to_cadence=cadence.id,
    )
    _put_on(session, runtime, lead, member, cadence, first_step(cadence).id)
    reason = playbook.loss_reason(lost_reason or "")
    days = (runtime.now() - loss.at).days if loss else rule.after_days
    return Recycled(LeadCard.of(lead), cadence, days, reason.label if reason else (lost_reason or ""))
