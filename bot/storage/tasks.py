"""Tasks (follow-ups) and their ``task`` reminders: planning, settling, moving them with a lead,
and the counts of the report.

Keyword-only, the session first; nothing is committed here (the service's transaction is).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import case, func, update
from sqlmodel import Session, col, select

from bot.domain.tasks import TaskState
from bot.domain.vocabulary import ReminderKind, ReminderState
from bot.storage.models import Lead, Reminder, Task
from bot.storage.reminders import LIVE
from bot.storage.reporting import ActivityFilter


def task_key(task_id: int) -> str:
    """The dedupe key of a task's reminder: one per task."""
    return f"task:{task_id}"


def add_task(session: Session, *, task: Task, remind_at: datetime) -> Task:
    """Insert ``task`` and its reminder (due at ``remind_at``, to the task's member)."""
    session.add(task)
    session.flush()
    reminder = Reminder(
        member_id=task.member_id,
        lead_id=task.lead_id,
        kind=ReminderKind.TASK.value,
        due_at=remind_at,
        dedupe_key=task_key(task.id or 0),
    )
    session.add(reminder)
    session.flush()
    task.reminder_id = reminder.id
    session.add(task)
    return task


def get_task(session: Session, *, task_id: int) -> Task | None:
    return session.get(Task, task_id)


def task_of_reminder(session: Session, *, reminder_id: int) -> Task | None:
    return session.exec(select(Task).where(col(Task.reminder_id) == reminder_id)).first()


def save_task(session: Session, *, task: Task) -> None:
    session.add(task)


def settle_reminder(session: Session, *, task: Task, state: ReminderState, note: str) -> None:
    """The task was done or cancelled: its reminder, unless being sent right now, is settled."""
    if task.reminder_id is None:
        return
    session.execute(
        update(Reminder)
        .where(col(Reminder.id) == task.reminder_id, col(Reminder.state) != ReminderState.SENDING.value)
        .values(state=state.value, last_error=note)
    )


def move_reminder(session: Session, *, task: Task, due: datetime) -> None:
    """Snooze: the task's reminder is due again at ``due`` (a sent one comes back)."""
    if task.reminder_id is None:
        return
    session.execute(
        update(Reminder)
        .where(col(Reminder.id) == task.reminder_id, col(Reminder.state) != ReminderState.SENDING.value)
        .values(state=ReminderState.SNOOZED.value, due_at=due, late=False, claimed_at=None, last_error=None)
    )


def open_tasks_due_before(session: Session, *, member_id: int, before: datetime, limit: int) -> list[tuple[Task, str]]:
    """The member's first ``limit`` open tasks due before ``before``, oldest first, with the
    lead's company (a bounded read, whatever the backlog: ``ix_tasks_member_state``)."""
    statement = (
        select(Task, Lead.company)
        .join(Lead, col(Lead.id) == Task.lead_id)
        .where(
            col(Task.member_id) == member_id,
            col(Task.state) == TaskState.OPEN.value,
            col(Task.due_at) < before,
        )
        .order_by(col(Task.due_at), col(Task.id))
        .limit(limit)
    )
    return [(task, company) for task, company in session.exec(statement)]


def open_tasks_of_lead(session: Session, *, lead_id: int) -> list[Task]:
    statement = (
        select(Task)
        .where(col(Task.lead_id) == lead_id, col(Task.state) == TaskState.OPEN.value)
        .order_by(col(Task.due_at), col(Task.id))
    )
    return list(session.exec(statement))


def move_open_tasks(session: Session, lead_id: int, to_member_id: int) -> int:
    """A lead changed hands: its open tasks and their live reminders go to ``to_member_id``
    (the old owner is never nudged again). How many tasks moved.

    The one exception to keyword-only here: other code that reassigns leads calls it as
    ``move_open_tasks(session, lead_id, to_member_id)``, the form announced to it."""
    moved = session.execute(
        update(Task)
        .where(col(Task.lead_id) == lead_id, col(Task.state) == TaskState.OPEN.value)
        .values(member_id=to_member_id)
    )
    session.execute(
        update(Reminder)
        .where(
            col(Reminder.lead_id) == lead_id,
            col(Reminder.kind) == ReminderKind.TASK.value,
            col(Reminder.state).in_(LIVE),
        )
        .values(member_id=to_member_id)
    )
    return int(moved.rowcount or 0)  # type: ignore[attr-defined]


def cancel_open_tasks(session: Session, *, lead_id: int, why: str) -> int:
    """The lead's open tasks no longer stand (its data was erased): cancelled, reminders too."""
    tasks = open_tasks_of_lead(session, lead_id=lead_id)
    for task in tasks:
        task.state = TaskState.CANCELLED.value
        session.add(task)
        settle_reminder(session, task=task, state=ReminderState.CANCELLED, note=why)
    return len(tasks)


def erase_notes(session: Session, *, lead_id: int) -> int:
    """LGPD erasure of a lead: its follow-ups' notes (free text) are blanked; how many."""
    result = session.execute(update(Task).where(col(Task.lead_id) == lead_id, col(Task.note) != "").values(note=""))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def task_counts(session: Session, f: ActivityFilter, *, as_of: datetime) -> list[tuple[int, int, int, int]]:
    """Per member (``(member_id, due, done, overdue)``): the tasks due in the filter's period,
    those done, and those still open after their due moment at ``as_of`` (cancelled ones
    never count; :func:`bot.domain.tasks.counts_per_rep` is the same rule in Python)."""
    conditions = [col(Task.state) != TaskState.CANCELLED.value]
    if f.start is not None:
        conditions.append(col(Task.due_at) >= f.start)
    if f.end is not None:
        conditions.append(col(Task.due_at) < f.end)
    if f.campaign is not None:
        conditions.append(col(Task.campaign) == f.campaign)
    if f.rep_id is not None:
        conditions.append(col(Task.member_id) == f.rep_id)
    done = func.sum(case((col(Task.state) == TaskState.DONE.value, 1), else_=0))
    overdue = func.sum(case(((col(Task.state) == TaskState.OPEN.value) & (col(Task.due_at) < as_of), 1), else_=0))
    statement = (
        select(Task.member_id, func.count(), done, overdue)
        .where(*conditions)
        .group_by(col(Task.member_id))
        .order_by(col(Task.member_id))
    )
    return [(int(m), int(n), int(d or 0), int(o or 0)) for m, n, d, o in session.execute(statement)]
