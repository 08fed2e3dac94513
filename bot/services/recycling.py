"""Recycling, the planning half: a lead lost with a reason of ``reasons.yaml`` → ``recycle`` is
planned to come back to its rep ``after_days`` later, at a working moment of the rep.

The ``reminders`` table holds the plan (a ``recycle`` reminder), so a due recycle survives a
restart and is delivered once, by the scheduler, like any reminder; bringing the lead back
happens when it falls due (:func:`bot.services.cadences.recycle`).

Kept apart from :mod:`bot.services.cadence` (which calls it after every loss) so that it needs
nothing of the services but the runtime.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from bot.domain import calendar as business
from bot.domain.cadences import recycle_rule
from bot.domain.vocabulary import Stage
from bot.services.runtime import Runtime
from bot.storage import cadence_events
from bot.storage.models import Lead

if TYPE_CHECKING:
    from sqlmodel import Session


def plan_after_loss(
    session: Session, runtime: Runtime, lead: Lead, owner_id: int, hours: business.WorkingHours
) -> None:
    """Plan the lead's comeback if its loss reason recycles (and it has not come back as many
    times as the rule allows); any earlier plan is replaced."""
    if lead.stage != Stage.LOST.value:
        return
    rule = recycle_rule(runtime.playbook, lead.loss_reason, lead.recycled)
    if rule is None:
        return
    now = runtime.now()
    due = business.next_working_moment(now + timedelta(days=rule.after_days), hours)
    cadence_events.plan_recycle(session, lead_id=lead.id or 0, member_id=owner_id, due=due, lost_at=now)
