"""Reassigning leads: a manager moves one lead, or every open lead of a rep, to another rep or
spreads them round-robin among the active reps who are not paused.

The move itself is off-boarding's (:func:`bot.storage.offboarding.reassign_leads`, the one
place where a lead changes hands): the lead, its meetings still to happen and its live step,
meeting and check reminders go to the new owner in one transaction, and each lead gets an
``owner_changes`` row (who moved it, from whom, to whom, when) for its history. The receiver
must be on the team, active and not paused (a paused rep's reminders would wait unseen).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot.domain import offboarding as spreading
from bot.domain import worklist as rules
from bot.domain.problems import N_
from bot.domain.vocabulary import CLOSED_STAGES, Role
from bot.services.leads import LeadNotFound
from bot.services.offboarding import LEAD_REMINDERS, ROUND_ROBIN, name_of
from bot.services.reminders import LIVE
from bot.services.runtime import Runtime
from bot.services.team import require_manager
from bot.services.views import MemberLike, MemberView
from bot.storage import leads as lead_store
from bot.storage import members
from bot.storage import offboarding as store
from bot.storage.models import Member
from bot.storage.offboarding import lead_ids_of

if TYPE_CHECKING:
    from sqlmodel import Session

log = logging.getLogger(__name__)

_CLOSED = tuple(stage.value for stage in CLOSED_STAGES)


@dataclass(frozen=True, slots=True)
class Party:
    """A member who gave or received leads, and what they need to be told."""

    member_id: int
    telegram_id: int
    name: str
    language: str
    leads: int


@dataclass(frozen=True, slots=True)
class Reassigned:
    lead_id: int | None
    """The one lead moved (``None``: all the open leads of a rep)."""
    company: str
    previous: Party
    receivers: tuple[Party, ...]
    reminders_moved: int

    @property
    def moved(self) -> int:
        return sum(r.leads for r in self.receivers)


def _party(member: Member, leads: int) -> Party:
    return Party(member.id or 0, member.telegram_id, name_of(member), member.language, leads)


def _person(member: Member) -> spreading.Person:
    return spreading.Person(member.id or 0, member.role, member.active, member.paused)


def _receiver(session: Session, to: int) -> Member:
    receiver = members.get_member(session, member_id=to)
    if receiver is None or not receiver.active:
        raise rules.ReassignRefused(rules.STRANGER)
    return receiver


def _authorise(actor: MemberLike | None) -> None:
    if actor is not None:
        require_manager(actor)  # a forged button from a rep stops here


def _move(session: Session, runtime: Runtime, actor: MemberLike | None, moves: dict[int, list[int]], via: str) -> int:
    return store.reassign_leads(
        session,
        moves=moves,
        kinds=LEAD_REMINDERS,
        live=LIVE,
        now=runtime.now(),
        by_member_id=actor.id if actor is not None else None,
        via=via,
        why="reassign",
    )


def reassign_lead(runtime: Runtime, actor: MemberLike | None, lead_id: int, to: int, *, via: str) -> Reassigned:
    """Move lead ``lead_id`` (any stage) to member ``to``. ``actor`` ``None``: the operator.
    :class:`LeadNotFound`; :class:`rules.ReassignRefused` for a stranger, a paused rep, or the
    lead's own owner."""
    _authorise(actor)
    with runtime.transaction() as session:
        lead = lead_store.get_lead(session, lead_id=lead_id)
        if lead is None:
            raise LeadNotFound(lead_id)
        owner = lead_store.owner_of(session, lead=lead)
        receiver = _receiver(session, to)
        rules.check_reassign(_person(receiver), name_of(receiver), {lead.owner_id})
        moved = _move(session, runtime, actor, {receiver.id or 0: [lead_id]}, via)
        previous = _party(owner, 1) if owner is not None else Party(lead.owner_id, 0, "?", "pt", 1)
        result = Reassigned(lead_id, lead.company, previous, (_party(receiver, 1),), moved)
    log.info("lead %s reassigned from %s to %s by %s via %s", lead_id, previous.member_id, to, _who(actor), via)
    return result


def reassign_open(
    runtime: Runtime, actor: MemberLike | None, from_member_id: int, to: int | str, *, via: str
) -> Reassigned:
    """Move every open lead of ``from_member_id`` to member ``to``, or spread them
    (``to=ROUND_ROBIN``) among the active reps who are not paused. Won and lost leads stay."""
    _authorise(actor)
    with runtime.transaction() as session:
        giver = members.get_member(session, member_id=from_member_id)
        if giver is None:
            raise rules.ReassignRefused(rules.STRANGER)
        open_ids = lead_ids_of(session, owner_id=from_member_id, stages=_CLOSED, within=False)
        if not open_ids:
            raise rules.ReassignRefused(N_("%(name)s não tem leads abertos."), name=name_of(giver))
        team = {m.id or 0: m for m in members.list_members(session)}
        if to == ROUND_ROBIN:
            dealers = spreading.round_robin_receivers([_person(m) for m in team.values()], _person(giver))
            moves = spreading.spread(open_ids, [p.id for p in dealers])
        else:
            receiver = _receiver(session, int(to))
            rules.check_reassign(_person(receiver), name_of(receiver), {from_member_id})
            moves = {receiver.id or 0: open_ids}
        moved = _move(session, runtime, actor, moves, via)
        result = Reassigned(
            None,
            "",
            _party(giver, len(open_ids)),
            tuple(_party(team[r], len(ids)) for r, ids in moves.items()),
            moved,
        )
    log.info(
        "%s open leads of %s reassigned %s by %s via %s",
        len(open_ids),
        from_member_id,
        {r.member_id: r.leads for r in result.receivers},
        _who(actor),
        via,
    )
    return result


def _who(actor: MemberLike | None) -> str:
    return str(actor.id) if actor is not None else "operator"


def receivers(runtime: Runtime, manager: MemberLike, *, excluding: int) -> list[MemberView]:
    """Who may receive leads now: active members who are not paused, reps first, but
    ``excluding`` (the current owner)."""
    require_manager(manager)
    with runtime.reading() as session:
        team = [MemberView.of(m) for m in members.list_members(session) if not m.paused and m.id != excluding]
    return sorted(team, key=lambda m: (m.role != Role.REP, m.first_name.casefold(), m.id))


def round_robin_size(runtime: Runtime, *, excluding: int) -> int:
    """How many reps a round-robin spread away from ``excluding`` deals to."""
    with runtime.reading() as session:
        team = [_person(m) for m in members.list_members(session)]
    return len(spreading.round_robin_receivers(team, spreading.Person(excluding, Role.REP, True)))


def open_lead_count(runtime: Runtime, member_id: int) -> int:
    with runtime.reading() as session:
        return len(lead_ids_of(session, owner_id=member_id, stages=_CLOSED, within=False))


def find_member(runtime: Runtime, who: str) -> MemberView:
    """The active member ``who`` names (id, Telegram id, @username or name); a clear refusal
    for no one (a stranger) or more than one (ambiguous)."""
    with runtime.reading() as session:
        found = [MemberView.of(m) for m in members.members_named(members.list_members(session), who)]
    if len(found) > 1:
        names = ", ".join(f"{m.name} (@{m.username})" if m.username else f"{m.name} (id {m.id})" for m in found)
        raise rules.ReassignRefused(
            N_("'%(typed)s' é ambíguo: %(names)s. Use o @usuário."), typed=who[:40], names=names
        )
    if not found:
        raise rules.ReassignRefused(
            N_("'%(typed)s' não está no time ativo. Veja quem está em /equipe."), typed=who[:40]
        )
    return found[0]


__all__ = [
    "ROUND_ROBIN",
    "Party",
    "Reassigned",
    "find_member",
    "open_lead_count",
    "reassign_lead",
    "reassign_open",
    "receivers",
    "round_robin_size",
]
