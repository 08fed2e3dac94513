"""Off-boarding: deactivate a member and hand their open leads to the team; list and revoke
open invites.

A deactivation is one transaction: the member loses access (and the gate's cache forgets
them), every open lead goes to the chosen member or is spread round-robin among the active
reps who are not paused (won and lost leads stay with the old owner, for history), meetings
still to happen and the live step, meeting and check reminders of those leads follow them,
the rest of the leaving member's reminders (their morning agenda) are cancelled, and an audit
row records who did it, when, and how many leads went where.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from bot.domain import numbers
from bot.domain import offboarding as rules
from bot.domain.vocabulary import CLOSED_STAGES, ReminderKind, Role
from bot.services.reminders import LIVE
from bot.services.runtime import Runtime
from bot.services.team import NotAllowed, require_manager
from bot.services.views import MemberLike, MemberView, OpenInviteView
from bot.storage import members
from bot.storage import offboarding as store
from bot.storage.db import session_scope
from bot.storage.models import Member

if TYPE_CHECKING:
    from sqlalchemy import Engine
    from sqlmodel import Session

log = logging.getLogger(__name__)

ROUND_ROBIN = "rr"
"""``to`` of :func:`deactivate`: spread the leads among the active reps who are not paused."""

#: Reminders that follow a lead to its new owner; the others (the agenda) are cancelled.
LEAD_REMINDERS = (
    ReminderKind.STEP_DUE.value,
    ReminderKind.MEETING_BEFORE.value,
    ReminderKind.MEETING_CHECK.value,
    ReminderKind.TASK.value,
)
_CLOSED = tuple(stage.value for stage in CLOSED_STAGES)


class MemberNotFound(LookupError):
    """``cadencia team deactivate WHO``: no one, or more than one, matches (message in Portuguese)."""


@dataclass(frozen=True, slots=True)
class Receiver:
    """A member who received leads, and what they need to be told."""

    member_id: int
    telegram_id: int
    name: str
    language: str
    leads: int


@dataclass(frozen=True, slots=True)
class Deactivated:
    member_id: int
    telegram_id: int
    name: str
    receivers: tuple[Receiver, ...]
    leads_kept: int
    reminders_moved: int
    reminders_cancelled: int

    @property
    def leads_moved(self) -> int:
        return sum(r.leads for r in self.receivers)


@dataclass(frozen=True, slots=True)
class Plan:
    """What deactivating a member would do, shown to the manager before they choose."""

    member_id: int
    name: str
    role: str
    open_leads: int
    closed_leads: int
    receivers: tuple[MemberView, ...]
    """Who may receive the leads: every other active member, reps first."""
    round_robin: tuple[MemberView, ...]
    """Who a round-robin spread deals to."""


def _person(member: MemberLike) -> rules.Person:
    return rules.Person(member.id or 0, member.role, member.active, member.paused)


def name_of(member: MemberLike) -> str:
    return member.full_name or member.first_name


def _target(session: Session, member_id: int) -> Member:
    target = members.get_member(session, member_id=member_id)
    if target is None:
        raise rules.DeactivationRefused(rules.NOT_ON_TEAM)
    return target


def _checked(session: Session, actor: MemberLike | None, member_id: int) -> Member:
    """The member to deactivate, if the rules allow ``actor`` to (``None``: the operator)."""
    if actor is not None:
        require_manager(actor)  # a forged button from a rep stops here
    target = _target(session, member_id)
    managers = store.count_active(session, role=Role.MANAGER.value)
    rules.check_deactivation(_person(actor) if actor is not None else None, _person(target), managers)
    return target


def _candidates(session: Session, leaving: Member) -> list[Member]:
    others = [m for m in members.list_members(session) if m.id != leaving.id]
    return sorted(others, key=lambda m: (m.role != Role.REP, m.first_name.casefold(), m.id or 0))


def plan(runtime: Runtime, manager: MemberLike, member_id: int) -> Plan:
    """What deactivating ``member_id`` involves; :class:`rules.DeactivationRefused` if it may not."""
    with runtime.transaction() as session:
        target = _checked(session, manager, member_id)
        open_ids = store.lead_ids_of(session, owner_id=member_id, stages=_CLOSED, within=False)
        closed_ids = store.lead_ids_of(session, owner_id=member_id, stages=_CLOSED, within=True)
        candidates = [MemberView.of(m) for m in _candidates(session, target)]
    spread_to = {p.id for p in rules.round_robin_receivers([_person(m) for m in candidates], _person(target))}
    return Plan(
        member_id,
        name_of(target),
        target.role,
        len(open_ids),
        len(closed_ids),
        tuple(candidates),
        tuple(m for m in candidates if m.id in spread_to),
    )


def deactivate(
    engine: Engine,
    *,
    actor: MemberLike | None,
    member_id: int,
    to: int | str,
    now: datetime,
    via: str,
) -> Deactivated:
    """Deactivate ``member_id``, giving their open leads to member ``to`` or spreading them
    (``to=ROUND_ROBIN``). One transaction; the caller forgets the member in the gate's cache."""
    with session_scope(engine) as session:
        target = _checked(session, actor, member_id)
        leaving = _person(target)
        open_ids = store.lead_ids_of(session, owner_id=member_id, stages=_CLOSED, within=False)
        kept = len(store.lead_ids_of(session, owner_id=member_id, stages=_CLOSED, within=True))
        candidates = {m.id or 0: m for m in _candidates(session, target)}
        if to == ROUND_ROBIN:
            receivers = rules.round_robin_receivers([_person(m) for m in candidates.values()], leaving)
            moves = rules.spread(open_ids, [p.id for p in receivers])
        else:
            wanted = to if isinstance(to, int) else numbers.read_int(to, 1, numbers.DB_INT_MAX)
            receiver = candidates.get(wanted) if wanted is not None else None  # "²" from forged data: no one
            if receiver is None:
                raise rules.DeactivationRefused(rules.CANNOT_RECEIVE)
            rules.check_receiver(_person(receiver), leaving)
            moves = {receiver.id or 0: open_ids} if open_ids else {}
        moved_reminders = store.reassign_leads(
            session,
            moves=moves,
            kinds=LEAD_REMINDERS,
            live=LIVE,
            now=now,
            by_member_id=actor.id if actor is not None else None,
            via=via,
            why="deactivation",
        )
        cancelled = store.cancel_reminders_of(session, member_id=member_id, live=LIVE, why="member deactivated")
        store.set_inactive(session, member_id=member_id)
        counts = {receiver: len(ids) for receiver, ids in moves.items()}
        store.add_deactivation(
            session,
            member_id=member_id,
            by_member_id=actor.id if actor is not None else None,
            via=via,
            at=now,
            moved=counts,
            leads_kept=kept,
            reminders_moved=moved_reminders,
            reminders_cancelled=cancelled,
        )
        result = Deactivated(
            member_id,
            target.telegram_id,
            name_of(target),
            tuple(
                Receiver(r, candidates[r].telegram_id, name_of(candidates[r]), candidates[r].language, n)
                for r, n in counts.items()
            ),
            kept,
            moved_reminders,
            cancelled,
        )
    log.info(
        "member %s deactivated by %s via %s: %s open leads moved %s, %s kept, %s reminders moved, %s cancelled",
        member_id,
        actor.id if actor is not None else "operator",
        via,
        result.leads_moved,
        counts,
        kept,
        moved_reminders,
        cancelled,
    )
    return result


def deactivate_in_chat(runtime: Runtime, manager: MemberLike, member_id: int, to: int | str) -> Deactivated:
    """A manager deactivates someone from the chat: their access ends with this update."""
    result = deactivate(runtime.engine, actor=manager, member_id=member_id, to=to, now=runtime.now(), via="chat")
    runtime.members.forget(result.telegram_id)
    return result


def open_lead_count(engine: Engine, member_id: int) -> int:
    with session_scope(engine) as session:
        return len(store.lead_ids_of(session, owner_id=member_id, stages=_CLOSED, within=False))


def find_member(engine: Engine, who: str) -> Member:
    """The active member named by Telegram id, member id, @username or name; one line in
    Portuguese (:class:`MemberNotFound`) when no one, or more than one person, matches."""
    with session_scope(engine) as session:
        team = members.list_members(session)
    found = members.match_member(team, who)
    if found is not None:
        return found
    wanted = who.strip().lstrip("@").casefold()
    same_first = [m for m in team if m.first_name.casefold() == wanted]
    if len(same_first) > 1:
        names = ", ".join(f"{name_of(m)} (id {m.id})" for m in same_first)
        raise MemberNotFound(f"'{who}' é ambíguo: {names}; use o id ou o @usuário")
    raise MemberNotFound(f"'{who}' não está na equipe ativa (use o id, o id do Telegram, @usuário ou o nome)")


# ---------------------------------------------------------------------------- invites


def open_invites(runtime: Runtime, manager: MemberLike) -> Sequence[OpenInviteView]:
    require_manager(manager)
    with runtime.transaction() as session:
        return [OpenInviteView.of(invite) for invite in members.open_invites(session, now=runtime.now())]


def revoke_invite(runtime: Runtime, manager: MemberLike, invite_id: int) -> bool:
    """Revoke an unused invite; False if it was already used or revoked (or does not exist)."""
    require_manager(manager)
    with runtime.transaction() as session:
        revoked = members.revoke_invite(session, invite_id=invite_id, by_member_id=manager.id or 0, now=runtime.now())
    if revoked:
        log.info("invite %s revoked by member %s", invite_id, manager.id)
    return revoked


__all__ = [
    "ROUND_ROBIN",
    "Deactivated",
    "MemberNotFound",
    "NotAllowed",
    "Plan",
    "Receiver",
    "deactivate",
    "deactivate_in_chat",
    "find_member",
    "open_invites",
    "open_lead_count",
    "plan",
    "revoke_invite",
]
