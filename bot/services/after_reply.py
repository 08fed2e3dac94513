"""What next after the prospect answered ("💬 Respondeu", "🗣 Atendeu"): the rep books a
meeting (:func:`bot.services.cadence.book_meeting`), schedules a follow-up
(:mod:`bot.services.tasks`), closes the lead (lost with a reason) — or resumes the cadence,
here: a reply that led nowhere yet ("me liga mês que vem") puts the lead back on the step after
the one that was answered, due after that step's delay, as if the touch had had no answer.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.domain import calendar as business
from bot.domain.cadence import CadenceStatus, step_after
from bot.domain.playbook.model import Step
from bot.domain.vocabulary import Stage
from bot.services.cadence import StaleAction, plan_step_reminder, working_hours
from bot.services.leads import _authorised
from bot.services.runtime import Runtime
from bot.services.views import LeadCard, MemberLike
from bot.storage import leads as lead_store
from bot.storage import touches

#: Stages in which a stopped cadence may run again (a meeting booked or a proposal sent is
#: worked by hand; a closed lead is reopened by its own flow).
RESUMABLE = (Stage.PROSPECTING, Stage.CONNECTED)


@dataclass(frozen=True, slots=True)
class Resumed:
    lead: LeadCard
    step: Step


def next_step_after(runtime: Runtime, member: MemberLike, touch_id: int) -> Step | None:
    """The step a resume from this touch would go to (``None``: nothing to resume, the touch
    was on the last step or the lead moved on)."""
    with runtime.reading() as session:
        touch = touches.get_touch(session, touch_id=touch_id)
        if touch is None:
            raise StaleAction("touch not found")
        lead = _authorised(session, member, touch.lead_id)
        if lead.cadence_status != CadenceStatus.STOPPED or Stage(lead.stage) not in RESUMABLE:
            return None
        return step_after(runtime.playbook, touch.step_id or "")


def resume_after_reply(runtime: Runtime, member: MemberLike, touch_id: int) -> Resumed:
    """▶️ Retomar cadência after a reply: on the step after the touch's, due after its delay
    (the lead owner's hours). StaleAction if the lead moved on meanwhile."""
    with runtime.transaction() as session:
        touch = touches.get_touch(session, touch_id=touch_id)
        if touch is None:
            raise StaleAction("touch not found")
        lead = _authorised(session, member, touch.lead_id)
        if lead.cadence_status != CadenceStatus.STOPPED or Stage(lead.stage) not in RESUMABLE:
            raise StaleAction(f"lead {lead.id} cannot resume its cadence ({lead.stage}, {lead.cadence_status})")
        step = step_after(runtime.playbook, touch.step_id or "")
        if step is None:
            raise StaleAction(f"no step after {touch.step_id}")
        owner = lead_store.owner_of(session, lead=lead) or member
        now = runtime.now()
        lead.cadence_status = CadenceStatus.ACTIVE.value
        lead.current_step = step.id
        lead.step_due_at = business.add_business_days(now, step.delay_business_days, working_hours(owner))
        lead.updated_at = now
        lead_store.save_lead(session, lead=lead)
        plan_step_reminder(session, lead, owner)
        return Resumed(LeadCard.of(lead), step)
