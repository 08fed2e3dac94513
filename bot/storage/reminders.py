"""Reminders: planning them (one row per dedupe key), delivering each exactly once, and
settling them. The delivery protocol is described in :mod:`bot.services.reminders`; here are
its statements, each a conditional ``UPDATE`` so that only the caller that changed a row acts
on it.

Keyword-only, the session first; nothing is committed here (the service's transaction is).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, func, or_, update
from sqlalchemy import select as select_columns
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col, select

from bot.domain.cadence import CadenceStatus
from bot.domain.vocabulary import ReminderKind, ReminderState
from bot.storage.models import Lead, Meeting, Member, Reminder

#: States of a reminder that is still waiting to be delivered.
LIVE = (ReminderState.PENDING.value, ReminderState.SNOOZED.value)


@dataclass(frozen=True, slots=True)
class DueReminder:
    """What the pacer needs of a due reminder."""

    reminder_id: int
    due_at: datetime
    chat_id: int


def get_reminder(session: Session, *, reminder_id: int) -> Reminder | None:
    return session.get(Reminder, reminder_id)


def recipient(session: Session, *, reminder: Reminder) -> Member | None:
    """The member ``reminder`` is for."""
    return session.get(Member, reminder.member_id)


def save_reminder(session: Session, *, reminder: Reminder) -> None:
    """Keep the changes made to ``reminder`` in this transaction."""
    session.add(reminder)


def add_meeting_reminder(session: Session, *, meeting: Meeting, kind: ReminderKind, due: datetime) -> Reminder:
    """Plan one reminder of ``meeting`` (one per kind and meeting) for the rep it is booked to."""
    reminder = Reminder(
        member_id=meeting.rep_id,
        lead_id=meeting.lead_id,
        meeting_id=meeting.id,
        kind=kind.value,
        due_at=due,
        dedupe_key=f"{kind.value}:{meeting.id}",
    )
    session.add(reminder)
    return reminder


# --- Planning ---------------------------------------------------------------------------------


def cancel_live(
    session: Session,
    *,
    lead_id: int | None = None,
    member_id: int | None = None,
    kind: ReminderKind | None = None,
    keep: int | None = None,
    why: str | None = None,
) -> None:
    """Cancel the live (pending or snoozed) reminders of a lead and/or member, of ``kind``,
    except reminder ``keep``; ``why`` is kept as the reason."""
    conditions: list[ColumnElement[bool]] = [col(Reminder.state).in_(LIVE)]
    if lead_id is not None:
        conditions.append(col(Reminder.lead_id) == lead_id)
    if member_id is not None:
        conditions.append(col(Reminder.member_id) == member_id)
    if kind is not None:
        conditions.append(col(Reminder.kind) == kind.value)
    if keep is not None:
        conditions.append(col(Reminder.id) != keep)
    values: dict[str, Any] = {"state": ReminderState.CANCELLED.value}
    if why is not None:
        values["last_error"] = why
    session.execute(update(Reminder).where(*conditions).values(**values))


def step_key(lead_id: int, step_id: str, due: datetime) -> str:
    """The dedupe key of a step reminder: one per lead, step and minute."""
    return f"step:{lead_id}:{step_id}:{due:%Y%m%d%H%M}"


def plan_step(session: Session, *, lead_id: int, member_id: int, step: tuple[str, datetime] | None) -> None:
    """Replace the lead's live step reminder with one for ``step`` (its id and due moment), or
    with none when ``step`` is ``None``.

    A row that already holds the step's key (the same step planned for the same minute again: a
    pause and resume within a minute) is revived rather than duplicated.
    """
    cancel_live(session, lead_id=lead_id, kind=ReminderKind.STEP_DUE)
    if step is None:
        return
    step_id, due = step
    key = step_key(lead_id, step_id, due)
    row = session.exec(select(Reminder).where(Reminder.dedupe_key == key)).first()
    if row is None:
        row = Reminder(
            lead_id=lead_id, kind=ReminderKind.STEP_DUE.value, dedupe_key=key, member_id=member_id, due_at=due
        )
    row.member_id, row.state, row.due_at, row.step_id, row.late = (
        member_id,
        ReminderState.PENDING.value,
        due,
        step_id,
        False,
    )
    row.claimed_at, row.sent_at, row.message_id, row.last_error = None, None, None, None
    session.add(row)


def plan_lead_step(session: Session, *, lead: Lead, member_id: int) -> None:
    """The one planner of step reminders: the lead's live step reminder is replaced by one for
    its current step at ``lead.step_due_at`` (to ``member_id``), or by none when its cadence is
    not running (paused, stopped, finished, lost). Every change of a lead's step, due time or
    cadence calls it."""
    step = None
    if lead.cadence_status == CadenceStatus.ACTIVE and lead.step_due_at is not None and lead.current_step:
        step = (lead.current_step, lead.step_due_at)
    plan_step(session, lead_id=lead.id or 0, member_id=member_id, step=step)


def agenda_key(member_id: int, due: datetime) -> str:
    """The dedupe key of a morning agenda: one per member and day."""
    return f"agenda:{member_id}:{due:%Y%m%d}"


def add_agenda(session: Session, *, member_id: int, due: datetime, now: datetime | None = None) -> None:
    """Insert the agenda reminder for ``due`` unless that day's already exists (idempotent)."""
    values = {
        "member_id": member_id,
        "kind": ReminderKind.AGENDA.value,
        "due_at": due,
        "state": ReminderState.PENDING.value,
        "attempts": 0,
        "late": False,
        "dedupe_key": agenda_key(member_id, due),
        "created_at": now or datetime.now(UTC),
    }
    dialect = session.get_bind().dialect.name
    insert = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(Reminder).values(**values)
    session.execute(insert.on_conflict_do_nothing(index_elements=["dedupe_key"]))


def replan_agenda(session: Session, *, member_id: int, due: datetime, why: str, now: datetime | None = None) -> None:
    """Move the member's live agenda to ``due``: the live one is cancelled (``why``) and that
    day's is planned, reusing a cancelled row that holds its key."""
    cancel_live(session, member_id=member_id, kind=ReminderKind.AGENDA, why=why)
    session.flush()
    existing = session.exec(select(Reminder).where(Reminder.dedupe_key == agenda_key(member_id, due))).first()
    if existing is None:
        add_agenda(session, member_id=member_id, due=due, now=now)
    elif existing.state == ReminderState.CANCELLED.value:
        existing.state, existing.due_at, existing.last_error = ReminderState.PENDING.value, due, None
        session.add(existing)


def members_without_agenda(session: Session) -> list[Member]:
    """Active members with no live agenda reminder."""
    has_agenda = select(Reminder.member_id).where(
        Reminder.kind == ReminderKind.AGENDA.value, col(Reminder.state).in_(LIVE)
    )
    return list(session.exec(select(Member).where(col(Member.active), col(Member.id).not_in(has_agenda))))


def finish_meeting_reminders(session: Session, *, meeting_id: int) -> None:
    """The meeting was resolved or moved: its pending reminders are done."""
    session.execute(
        update(Reminder)
        .where(col(Reminder.meeting_id) == meeting_id, col(Reminder.state) == ReminderState.PENDING.value)
        .values(state=ReminderState.DONE.value)
    )


# --- What is due (the agenda, /hoje) ---------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DueStep:
    """A lead whose current step is due: one line of the agenda."""

    lead_id: int
    company: str
    step_id: str
    due_at: datetime
    cadence_id: str | None = None
    """The lead's cadence (``None``: a lead from before cadences had ids)."""


def steps_due(
    session: Session,
    *,
    owner_id: int,
    status: str,
    step_ids: Collection[str],
    before: datetime,
    since: datetime | None = None,
    limit: int,
    cap: int,
) -> tuple[list[DueStep], int]:
    """The first ``limit`` of the owner's leads whose cadence is in ``status`` with a step of
    ``step_ids`` due in ``[since, before)``, most overdue first, and how many there are, counted
    up to ``cap + 1`` (more than ``cap`` returns ``cap + 1``). Steps due at the same moment (a
    bulk start plans a whole list for one morning) come best fit first: tier A before D, then
    the higher score. One statement reads the owner's due-date index in order, sorting only the
    rows that share a due moment, and stops after ``cap + 1`` rows, so the cost does not grow
    with the backlog."""
    if not step_ids:
        return [], 0
    where: list[ColumnElement[bool]] = [
        col(Lead.owner_id) == owner_id,
        col(Lead.cadence_status) == status,
        col(Lead.step_due_at).is_not(None),
        col(Lead.step_due_at) < before,
        col(Lead.current_step).in_(sorted(step_ids)),
    ]
    if since is not None:
        where.append(col(Lead.step_due_at) >= since)
    rows = session.execute(
        select_columns(Lead.id, Lead.company, Lead.current_step, Lead.step_due_at, Lead.cadence_id)  # type: ignore[call-overload]
        .where(*where)
        .order_by(
            col(Lead.step_due_at),
            col(Lead.icp_tier).asc().nulls_last(),  # due at the same moment: best fit first
            col(Lead.icp_score).desc().nulls_last(),
            col(Lead.id),
        )
        .limit(max(limit, cap + 1))
    ).all()
    return [DueStep(int(r[0]), str(r[1]), str(r[2]), r[3], r[4]) for r in rows[:limit]], len(rows)


# --- Delivery ---------------------------------------------------------------------------------


def _unpaused_members() -> Any:
    return select(Member.id).where(col(Member.active), ~col(Member.paused))


def settle_interrupted(session: Session, *, now: datetime, note: str) -> list[int]:
    """Rows left ``sending`` (by a crash) become ``sent`` with ``note``; their ids."""
    ids = [i for i in session.exec(select(Reminder.id).where(Reminder.state == ReminderState.SENDING.value)) if i]
    if ids:
        session.execute(
            update(Reminder)
            .where(col(Reminder.id).in_(ids), col(Reminder.state) == ReminderState.SENDING.value)
            .values(state=ReminderState.SENT.value, sent_at=now, last_error=note)
        )
    return ids


def flag_late(session: Session, *, now: datetime) -> int:
    """Flag every live reminder due before ``now``; how many were flagged."""
    result = session.execute(
        update(Reminder)
        .where(col(Reminder.state).in_(LIVE), col(Reminder.due_at) < now, ~col(Reminder.late))
        .values(late=True)
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def due(session: Session, *, now: datetime, limit: int, after: tuple[datetime, int] | None = None) -> list[DueReminder]:
    """Live reminders due at ``now`` of members who are active and not paused, in due order
    (then id), from after ``after`` (a due moment and id)."""
    query = (
        select(Reminder.id, Reminder.due_at, Member.telegram_id)
        .join(Member, col(Member.id) == Reminder.member_id)
        .where(col(Reminder.state).in_(LIVE), col(Reminder.due_at) <= now, col(Member.active), ~col(Member.paused))
        .order_by(col(Reminder.due_at), col(Reminder.id))
        .limit(limit)
    )
    if after is not None:
        moment, rid = after
        query = query.where(
            or_(col(Reminder.due_at) > moment, and_(col(Reminder.due_at) == moment, col(Reminder.id) > rid))
        )
    return [DueReminder(int(r[0]), r[1], int(r[2])) for r in session.execute(query).all()]


def next_due_at(session: Session) -> datetime | None:
    """When the next live reminder of a member who is active and not paused falls due."""
    value = session.execute(
        select(func.min(Reminder.due_at))
        .join(Member, col(Member.id) == Reminder.member_id)
        .where(col(Reminder.state).in_(LIVE), col(Member.active), ~col(Member.paused))
    ).scalar()
    if value is None:
        return None
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def count_live(session: Session) -> int:
    return int(session.execute(select(func.count()).where(col(Reminder.state).in_(LIVE))).scalar() or 0)


def claim(session: Session, *, reminder_id: int, now: datetime, late_before: datetime) -> bool:
    """pending/snoozed → sending, only if still live and its member active and not paused
    (flagged late if due before ``late_before``). True if this call changed the row."""
    result = session.execute(
        update(Reminder)
        .where(
            col(Reminder.id) == reminder_id,
            col(Reminder.state).in_(LIVE),
            col(Reminder.member_id).in_(_unpaused_members()),
        )
        .values(
            state=ReminderState.SENDING.value,
            claimed_at=now,
            attempts=Reminder.attempts + 1,
            late=or_(col(Reminder.late), col(Reminder.due_at) < late_before),
        )
    )
    return bool(result.rowcount == 1)  # type: ignore[attr-defined]


def _after_sending(session: Session, reminder_id: int, **values: Any) -> None:
    session.execute(
        update(Reminder)
        .where(col(Reminder.id) == reminder_id, col(Reminder.state) == ReminderState.SENDING.value)
        .values(**values)
    )


def mark_sent(session: Session, *, reminder_id: int, at: datetime, message_id: int | None, note: str | None) -> None:
    _after_sending(
        session, reminder_id, state=ReminderState.SENT.value, sent_at=at, message_id=message_id, last_error=note
    )


def mark_failed(session: Session, *, reminder_id: int, reason: str) -> None:
    _after_sending(session, reminder_id, state=ReminderState.FAILED.value, last_error=reason[:300])


def release(session: Session, *, reminder_id: int, due_at: datetime, reason: str) -> None:
    """Back to ``pending`` at ``due_at``: the message certainly did not leave."""
    _after_sending(
        session,
        reminder_id,
        state=ReminderState.PENDING.value,
        due_at=due_at,
        claimed_at=None,
        late=True,
        last_error=reason[:300],
    )


def close(session: Session, *, reminder_id: int, state: ReminderState, note: str) -> None:
    """Settle a reminder the rep acted on, unless it is being sent right now."""
    session.execute(
        update(Reminder)
        .where(col(Reminder.id) == reminder_id, col(Reminder.state) != ReminderState.SENDING.value)
        .values(state=state.value, last_error=note)
    )


__all__ = [
    "LIVE",
    "DueReminder",
    "DueStep",
    "add_agenda",
    "add_meeting_reminder",
    "agenda_key",
    "cancel_live",
    "claim",
    "close",
    "count_live",
    "due",
    "finish_meeting_reminders",
    "flag_late",
    "get_reminder",
    "mark_failed",
    "mark_sent",
    "members_without_agenda",
    "next_due_at",
    "plan_lead_step",
    "plan_step",
    "recipient",
    "release",
    "replan_agenda",
    "save_reminder",
    "settle_interrupted",
    "step_key",
    "steps_due",
]
