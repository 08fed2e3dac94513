"""What next after the prospect answered ("💬 Respondeu", "🗣 Atendeu"): the rep books a
meeting (:func:`bot.services.cadence.book_meeting`), schedules a follow-up
(:mod:`bot.services.tasks`), closes the lead (lost with a reason) — or resumes the cadence,
here: a reply that led nowhere yet ("me liga mês que vem") puts the lead back on the step after
the one that was answered, due after that step's delay, as if the touch had had no answer.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot.domain import calendar as business
from bot.domain.cadence import CadenceStatus, step_after
from bot.domain.playbook.model import Step
from bot.domain.vocabulary import Stage
from bot.services.cadence import StaleAction, plan_step_reminder, working_hours
from bot.services.leads import _authorised
from bot.services.runtime import Runtime
from bot.services.views import LeadCard, MemberLike
from bot.storage import leads as lead_store
from bot.storage import timeline, touches
from bot.storage.models import Lead

if TYPE_CHECKING:
    from sqlmodel import Session

#: Stages in which a stopped cadence may run again (a meeting booked or a proposal sent is
#: worked by hand; a closed lead is reopened by its own flow).
RESUMABLE = (Stage.PROSPECTING, Stage.CONNECTED)


@dataclass(frozen=True, slots=True)
class Resumed:
    lead: LeadCard
    step: Step


def _resumable(session: Session, runtime: Runtime, member: MemberLike, touch_id: int) -> tuple[Lead, Step | None]:
    """The touch's lead (authorised) and the step a resume would go to; ``None``: nothing to
    resume (the touch was on the last step, or the lead moved on)."""
    touch = touches.get_touch(session, touch_id=touch_id)
    if touch is None:
        raise StaleAction("touch not found")
    lead = _authorised(session, member, touch.lead_id)
    if lead.cadence_status != CadenceStatus.STOPPED or Stage(lead.stage) not in RESUMABLE:
        return lead, None
    if timeline.latest_touch_id(session, lead_id=lead.id or 0) != touch.id:
        return lead, None  # an older reply's button: the lead was worked since
    return lead, step_after(runtime.playbook, touch.step_id or "")


def next_step_after(runtime: Runtime, member: MemberLike, touch_id: int) -> Step | None:
    """The step a resume from this touch would go to (``None``: nothing to resume)."""
    with runtime.reading() as session:
        return _resumable(session, runtime, member, touch_id)[1]


def resume_after_reply(runtime: Runtime, member: MemberLike, touch_id: int) -> Resumed:
    """▶️ Retomar cadência after a reply: on the step after the touch's, due after its delay
    (the lead owner's hours). StaleAction if the lead moved on meanwhile."""
    with runtime.transaction() as session:
        lead, step = _resumable(session, runtime, member, touch_id)
        if step is None:
            raise StaleAction(f"lead {lead.id} cannot resume its cadence ({lead.stage}, {lead.cadence_status})")
        owner = lead_store.owner_of(session, lead=lead) or member
        now = runtime.now()
        lead.cadence_status = CadenceStatus.ACTIVE.value
        lead.current_step = step.id
        lead.step_due_at = business.add_business_days(now, step.delay_business_days, working_hours(owner))
        lead.updated_at = now
        lead_store.save_lead(session, lead=lead)
        plan_step_reminder(session, lead, owner)
        return Resumed(LeadCard.of(lead), step)
