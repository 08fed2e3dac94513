"""Follow-up storage on SQLite and PostgreSQL: moving open tasks with their lead, and the
report's counts checked against the domain's definition on the same rows."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from sqlmodel import Session, col, select

from bot.domain.tasks import TaskFact, TaskState, counts_per_rep
from bot.domain.vocabulary import ReminderKind, ReminderState, Role
from bot.storage import leads, members
from bot.storage import tasks as store
from bot.storage.models import Lead, Member, Reminder, Task
from bot.storage.reporting import ActivityFilter

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


def _member(session: Session, telegram_id: int) -> Member:
    return members.add_member(session, telegram_id=telegram_id, role=Role.REP, first_name=f"M{telegram_id}")


def _task(session: Session, lead: Lead, owner: Member, due: datetime, campaign: str = "") -> Task:
    task = Task(
        lead_id=lead.id or 0,
        member_id=owner.id or 0,
        created_by=owner.id or 0,
        campaign=campaign,
        due_at=due,
        state=TaskState.OPEN.value,
        created_at=NOW,
    )
    return store.add_task(session, task=task, remind_at=due)


def test_open_tasks_and_their_live_reminders_move_with_the_lead(db_session: Session) -> None:
    ana, bruno = _member(db_session, 1), _member(db_session, 2)
    lead = leads.add_lead(db_session, lead=Lead(owner_id=ana.id or 0, company="A", company_key="a"))
    open_task = _task(db_session, lead, ana, NOW + timedelta(days=1))
    done_task = _task(db_session, lead, ana, NOW + timedelta(days=2))
    done_task.state = TaskState.DONE.value
    store.settle_reminder(db_session, task=done_task, state=ReminderState.DONE, note="done")
    db_session.commit()
    assert store.move_open_tasks(db_session, lead.id or 0, bruno.id or 0) == 1
    db_session.commit()
    db_session.expire_all()
    assert db_session.get(Task, open_task.id).member_id == bruno.id  # type: ignore[union-attr]
    assert db_session.get(Task, done_task.id).member_id == ana.id  # type: ignore[union-attr]
    rows = db_session.exec(
        select(Reminder.member_id, Reminder.state)
        .where(Reminder.kind == ReminderKind.TASK.value)
        .order_by(col(Reminder.id))
    ).all()
    assert rows == [(bruno.id, "pending"), (ana.id, "done")]


def test_the_counts_agree_with_the_domains_definition(db_session: Session) -> None:
    rng = random.Random(7)
    reps = [_member(db_session, n) for n in (1, 2, 3)]
    lead = leads.add_lead(db_session, lead=Lead(owner_id=reps[0].id or 0, company="A", company_key="a"))
    facts = []
    for _ in range(80):
        rep = rng.choice(reps)
        due = NOW + timedelta(hours=rng.randint(-200, 200))
        task = _task(db_session, lead, rep, due, campaign=rng.choice(["", "Sul"]))
        task.state = rng.choice([TaskState.OPEN, TaskState.DONE, TaskState.CANCELLED]).value
        db_session.add(task)
        facts.append((task.campaign, TaskFact(rep.id or 0, due, task.state)))
    db_session.commit()
    for start, end in [(None, None), (NOW - timedelta(days=3), NOW + timedelta(days=2))]:
        for campaign in (None, "Sul"):
            for rep_id in (None, reps[1].id):
                f = ActivityFilter(start=start, end=end, campaign=campaign, rep_id=rep_id)
                wanted = [
                    fact
                    for camp, fact in facts
                    if (campaign is None or camp == campaign) and (rep_id is None or fact.member_id == rep_id)
                ]
                expected = [
                    (c.member_id, c.due, c.done, c.overdue)
                    for c in counts_per_rep(wanted, start=start, end=end, as_of=NOW)
                ]
                assert store.task_counts(db_session, f, as_of=NOW) == expected
