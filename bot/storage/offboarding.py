"""Storage side of off-boarding: a leaving member's leads, meetings and reminders handed to
other members, and the audit row (invites are in :mod:`bot.storage.members`).

Keyword-only functions that take the session and never commit: the service's transaction does.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from datetime import datetime

from sqlalchemy import update
from sqlmodel import Session, col, select

from bot.domain.vocabulary import MeetingStatus, ReminderState
from bot.storage.models import Deactivation, Lead, Meeting, Member, OwnerChange, Reminder
from bot.storage.tasks import move_open_tasks

# --- Members ----------------------------------------------------------------------------------


def count_active(session: Session, *, role: str) -> int:
    """Active members of ``role``, their rows locked until the transaction ends (PostgreSQL: two
    managers deactivating each other at once cannot both pass a "not the last one" check;
    SQLite's ``BEGIN IMMEDIATE`` already serialises the writers)."""
    statement = select(Member.id).where(col(Member.active), col(Member.role) == role).with_for_update()
    return len(session.exec(statement).all())


def set_inactive(session: Session, *, member_id: int) -> None:
    session.execute(update(Member).where(col(Member.id) == member_id).values(active=False, paused=False))


# --- Leads ------------------------------------------------------------------------------------


def lead_ids_of(session: Session, *, owner_id: int, stages: Collection[str], within: bool) -> list[int]:
    """Ids of the owner's leads whose stage is (``within``) or is not in ``stages``, oldest first."""
    stage = col(Lead.stage)
    condition = stage.in_(stages) if within else stage.not_in(stages)
    statement = select(Lead.id).where(col(Lead.owner_id) == owner_id, condition).order_by(col(Lead.id))
    return [int(i) for i in session.exec(statement) if i is not None]


def reassign_leads(
    session: Session,
    *,
    moves: Mapping[int, Sequence[int]],
    kinds: Collection[str],
    live: Collection[str],
    now: datetime,
    by_member_id: int | None,
    via: str,
    why: str,
) -> int:
    """Give each receiver (``moves``: receiver id → lead ids) those leads, their meetings still
    to happen, their open follow-ups and the live reminders about them of ``kinds``; returns the
    reminders moved.

    The one place where a lead changes hands (a manager's reassignment, a deactivation): each
    lead that really changes owner gets an :class:`OwnerChange` row (``by_member_id``: the
    manager, ``None`` from the command line), so its history shows the move."""
    moved_reminders = 0
    for receiver, lead_ids in moves.items():
        if not lead_ids:
            continue
        previous = session.execute(
            select(Lead.id, Lead.owner_id).where(col(Lead.id).in_(lead_ids), col(Lead.owner_id) != receiver)
        ).all()
        session.add_all(
            OwnerChange(
                lead_id=lead_id,
                from_member_id=owner,
                to_member_id=receiver,
                by_member_id=by_member_id,
                via=via,
                why=why,
                at=now,
            )
            for lead_id, owner in previous
        )
        session.execute(update(Lead).where(col(Lead.id).in_(lead_ids)).values(owner_id=receiver, updated_at=now))
        session.execute(
            update(Meeting)
            .where(col(Meeting.lead_id).in_(lead_ids), col(Meeting.status) == MeetingStatus.SCHEDULED.value)
            .values(rep_id=receiver)
        )
        for lead_id in lead_ids:  # open follow-ups go with their lead (their reminders below)
            move_open_tasks(session, lead_id, receiver)
        result = session.execute(
            update(Reminder)
            .where(
                col(Reminder.lead_id).in_(lead_ids),
                col(Reminder.kind).in_(kinds),
                col(Reminder.state).in_(live),
            )
            .values(member_id=receiver)
        )
        moved_reminders += int(result.rowcount or 0)  # type: ignore[attr-defined]
    return moved_reminders


def cancel_reminders_of(session: Session, *, member_id: int, live: Collection[str], why: str) -> int:
    """Cancel every live reminder still addressed to ``member_id``; how many."""
    result = session.execute(
        update(Reminder)
        .where(col(Reminder.member_id) == member_id, col(Reminder.state).in_(live))
        .values(state=ReminderState.CANCELLED.value, last_error=why[:300])
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


# --- Deactivations ----------------------------------------------------------------------------


def add_deactivation(
    session: Session,
    *,
    member_id: int,
    by_member_id: int | None,
    via: str,
    at: datetime,
    moved: Mapping[int, int],
    leads_kept: int,
    reminders_moved: int,
    reminders_cancelled: int,
) -> Deactivation:
    row = Deactivation(
        member_id=member_id,
        by_member_id=by_member_id,
        via=via,
        at=at,
        leads_moved=sum(moved.values()),
        leads_kept=leads_kept,
        moved={str(receiver): count for receiver, count in moved.items()},
        reminders_moved=reminders_moved,
        reminders_cancelled=reminders_cancelled,
    )
    session.add(row)
    session.flush()
    return row


def owner_changes(session: Session, *, lead_id: int) -> list[OwnerChange]:
    """A lead's changes of hands, oldest first."""
    statement = select(OwnerChange).where(col(OwnerChange.lead_id) == lead_id)
    return list(session.exec(statement.order_by(col(OwnerChange.at), col(OwnerChange.id))))


def deactivations(session: Session, *, member_id: int | None = None) -> list[Deactivation]:
    statement = select(Deactivation)
    if member_id is not None:
        statement = statement.where(col(Deactivation.member_id) == member_id)
    return list(session.exec(statement.order_by(col(Deactivation.id))))
