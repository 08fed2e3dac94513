"""Tasks (follow-ups, "⏰ Retorno"): schedule one on a lead, mark it done, snooze it, and what
``/hoje``, the morning agenda, the reminders and the report read of them.

A task belongs to the lead's owner (a manager who schedules one on a rep's lead schedules it
for that rep) and moves with the lead (:func:`bot.storage.tasks.move_open_tasks`). Its nudge is
a ``task`` reminder, delivered by the same path as a step's (:mod:`bot.services.reminders`):
in the rep's working hours, never on a holiday or a weekend, snoozable, marked done.
Every change is logged (``bot.services.tasks``: created, done, snoozed).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from bot.domain import calendar as business
from bot.domain import tasks as rules
from bot.domain.moments import InvalidMoment
from bot.domain.problems import N_
from bot.domain.tasks import TaskState
from bot.domain.vocabulary import ReminderState, Role
from bot.services.cadence import StaleAction, working_hours
from bot.services.flows import FlowKind, record_ending
from bot.services.leads import _authorised
from bot.services.runtime import Runtime
from bot.services.views import MemberLike
from bot.storage import leads as lead_store
from bot.storage import tasks as store
from bot.storage.models import Reminder, Task

if TYPE_CHECKING:
    from sqlmodel import Session

log = logging.getLogger(__name__)

#: The snooze choices of a task's reminder: one hour, or the start of the next working day.
SNOOZES = ("1h", "tm")


class TaskNotFound(Exception):
    """No such task, or not one this member may act on (callback data can be forged)."""


@dataclass(frozen=True, slots=True)
class TaskView:
    id: int
    lead_id: int
    member_id: int
    company: str
    due_at: datetime
    remind_at: datetime | None
    """When the nudge goes out (the next working moment at or after ``due_at``)."""
    note: str
    state: str


def _view(session: Session, task: Task, company: str | None = None) -> TaskView:
    if company is None:
        lead = lead_store.get_lead(session, lead_id=task.lead_id)
        company = lead.company if lead is not None else ""
    reminder = session.get(Reminder, task.reminder_id) if task.reminder_id else None
    return TaskView(
        task.id or 0,
        task.lead_id,
        task.member_id,
        company,
        task.due_at,
        reminder.due_at if reminder is not None else None,
        task.note,
        task.state,
    )


def read_due(runtime: Runtime, member: MemberLike, text: str) -> datetime:
    """The moment a typed follow-up stands for, in ``member``'s zone (:class:`InvalidMoment`)."""
    hours = working_hours(member)
    return rules.read_moment(text, runtime.now().astimezone(hours.zone), hours)


def check_lead(runtime: Runtime, member: MemberLike, lead_id: int) -> str:
    """The lead's company, if ``member`` may schedule a follow-up on it (asked before the
    moment is typed: a forged or foreign lead is refused at the first press)."""
    with runtime.reading() as session:
        return _authorised(session, member, lead_id).company


def create_task(
    runtime: Runtime,
    member: MemberLike,
    lead_id: int,
    due: datetime,
    note: str,
    *,
    touch_id: int | None = None,
    flow: str | None = None,
) -> TaskView:
    """Schedule a follow-up on the lead for its owner; its reminder goes out at the owner's
    next working moment at or after ``due``. ``flow``: the run this ends (exactly once)."""
    now = runtime.now()
    if due <= now:
        raise InvalidMoment(N_("Esse momento já passou. Mande um retorno no futuro, como amanhã 9h."))
    with runtime.transaction() as session:
        lead = _authorised(session, member, lead_id)
        owner = lead_store.owner_of(session, lead=lead) or member
        task = Task(
            lead_id=lead.id or 0,
            member_id=owner.id or 0,
            created_by=member.id or 0,
            campaign=lead.campaign,
            due_at=due,
            note=note.strip()[: rules.MAX_NOTE],
            state=TaskState.OPEN.value,
            touch_id=touch_id,
            created_at=now,
        )
        store.add_task(session, task=task, remind_at=rules.reminder_moment(due, working_hours(owner)))
        record_ending(session, runtime, flow, member, FlowKind.TASK, lead_id=lead.id, result_id=task.id)
        view = _view(session, task, lead.company)
    log.info("task %s created on lead %s for member %s by %s, due %s", view.id, lead_id, view.member_id, member.id, due)
    return view


def _own(session: Session, member: MemberLike, task_id: int) -> Task:
    task = store.get_task(session, task_id=task_id)
    if task is None:
        raise TaskNotFound(task_id)
    if task.member_id != member.id and member.role != Role.MANAGER:
        raise TaskNotFound(task_id)
    return task


def task_for(runtime: Runtime, member: MemberLike, task_id: int) -> TaskView:
    with runtime.reading() as session:
        return _view(session, _own(session, member, task_id))


def mark_done(runtime: Runtime, member: MemberLike, task_id: int) -> TaskView:
    """✅ Feito: the task is done and its nudge settled (a second press changes nothing)."""
    with runtime.transaction() as session:
        task = _own(session, member, task_id)
        if task.state == TaskState.CANCELLED.value:
            raise StaleAction(f"task {task_id} was cancelled")
        if task.state == TaskState.OPEN.value:
            task.state = TaskState.DONE.value
            task.done_at = runtime.now()
            store.save_task(session, task=task)
            store.settle_reminder(session, task=task, state=ReminderState.DONE, note="task done")
            log.info("task %s done by member %s", task_id, member.id)
        return _view(session, task)


def snooze_until(member: MemberLike, now: datetime, choice: str) -> datetime:
    hours = working_hours(member)
    if choice == "1h":
        return business.next_working_moment(now + timedelta(hours=1), hours)
    if choice == "tm":
        return business.next_business_day_start(now, hours)
    raise ValueError(f"unknown snooze choice {choice!r}")


def snooze(runtime: Runtime, member: MemberLike, task_id: int, choice: str) -> TaskView:
    """⏰ Adiar: the nudge comes back in an hour or tomorrow morning (working time)."""
    now = runtime.now()
    until = snooze_until(member, now, choice)
    with runtime.transaction() as session:
        task = _own(session, member, task_id)
        if task.state != TaskState.OPEN.value:
            raise StaleAction(f"task {task_id} is {task.state}")
        store.move_reminder(session, task=task, due=until)
        log.info("task %s snoozed by member %s until %s", task_id, member.id, until)
        return _view(session, task)


# ---------------------------------------------------------------------------- read by others


def next_open(runtime: Runtime, member: MemberLike, lead_id: int) -> TaskView | None:
    """The lead's next open follow-up (the lead card shows it), if ``member`` may see the lead."""
    with runtime.reading() as session:
        lead = _authorised(session, member, lead_id)
        found = store.open_tasks_of_lead(session, lead_id=lead_id)
        return _view(session, found[0], lead.company) if found else None


def prepare(session: Session, reminder: Reminder) -> TaskView | None:
    """The task a due ``task`` reminder is about, or ``None`` (then the reminder is stale:
    the task was done, cancelled or moved to someone else)."""
    task = store.task_of_reminder(session, reminder_id=reminder.id or 0)
    if task is None or task.state != TaskState.OPEN.value or task.member_id != reminder.member_id:
        return None
    return _view(session, task)


def due_before(
    session: Session, member_id: int, before: datetime, *, lines: int, cap: int
) -> tuple[list[TaskView], int]:
    """The member's first ``lines`` open tasks due before ``before`` (``/hoje`` and the morning
    agenda) and how many there are, counted up to ``cap + 1``: the read stops there."""
    found = store.open_tasks_due_before(session, member_id=member_id, before=before, limit=max(lines, cap + 1))
    return [_view(session, task, company) for task, company in found[:lines]], len(found)
