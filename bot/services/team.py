"""Who may talk to the bot: members, roles, invites."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from bot.domain import offboarding as rules
from bot.domain import regions
from bot.domain.text import fold
from bot.domain.vocabulary import Role
from bot.services.runtime import BaseRuntime, Runtime
from bot.services.views import InviteView, LeadCard, MemberLike, MemberView
from bot.storage import members as store
from bot.storage.models import Lead, Member

if TYPE_CHECKING:
    from sqlmodel import Session


class NotAllowed(Exception):
    """The member may not do this (a rep asking for another rep's lead, a rep using /convidar)."""


@dataclass(frozen=True, slots=True)
class TelegramPerson:
    """What the adapter knows of the person on the other side."""

    telegram_id: int
    first_name: str
    full_name: str = ""
    username: str = ""
    language: str = "pt"


def recognise(runtime: Runtime, person: TelegramPerson) -> MemberView | None:
    """The member behind a Telegram user, creating the first managers from CADENCIA_ADMINS."""
    known, cached = runtime.members.get(person.telegram_id)
    if known:
        return cached
    with runtime.transaction() as session:
        member = store.get_member_by_telegram_id(session, telegram_id=person.telegram_id)
        if member is None and person.telegram_id in runtime.settings.admin_ids:
            member = _new_member(session, runtime, person, Role.MANAGER, invited_by=None)
        found = MemberView.of(member) if member is not None and member.active else None
    if found is not None:
        runtime.members.put(person.telegram_id, found)
    return found


def _new_member(
    session: Session, runtime: Runtime, person: TelegramPerson, role: Role, invited_by: int | None
) -> Member:
    settings = runtime.settings
    return store.add_member(
        session,
        telegram_id=person.telegram_id,
        role=role.value,
        first_name=(person.first_name or person.username or "?")[:64],
        full_name=(person.full_name or person.first_name)[:128],
        username=person.username[:64],
        language=person.language,
        uf=settings.default_uf,
        timezone=settings.default_timezone,
        invited_by=invited_by,
        now=runtime.now(),
    )


def require_manager(member: MemberLike) -> None:
    if member.role != Role.MANAGER:
        raise NotAllowed("only managers")


def create_invite(
    runtime: Runtime, manager: MemberLike, role: Role = Role.REP, for_username: str | None = None
) -> InviteView:
    """A one-time invite. A manager invite must name the Telegram username that may accept it
    (a manager link is not a bearer token) and lasts MANAGER_INVITE_TTL_HOURS; a rep invite may
    name one too, and lasts INVITE_TTL_HOURS. :class:`rules.InvalidUsername` for a bad name."""
    require_manager(manager)
    username = rules.normalise_username(for_username) if for_username else None
    if role is Role.MANAGER and username is None:
        raise rules.InvalidUsername(rules.MANAGER_INVITE_NEEDS_USERNAME)
    settings = runtime.settings
    hours = settings.manager_invite_ttl_hours if role is Role.MANAGER else settings.invite_ttl_hours
    now = runtime.now()
    with runtime.transaction() as session:
        invite = store.create_invite(
            session,
            token=secrets.token_urlsafe(24),
            role=role.value,
            created_by=manager.id or 0,
            expires_at=now + timedelta(hours=hours),
            for_username=username,
            now=now,
        )
    return InviteView(invite.token, invite.role, invite.expires_at, invite.for_username)


class InviteRefused(Exception):
    """``reason`` is one of unknown, revoked, used, expired, other_person, already_member."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def accept_invite(runtime: Runtime, token: str, person: TelegramPerson) -> MemberView:
    """Turn a one-time invite into a member; a used or expired token is refused.

    Single use, also when several people press the link at once: the claim
    (:func:`bot.storage.members.claim_invite`) succeeds for exactly one of them, and the others'
    transactions roll back (no member created) with :class:`InviteRefused` ``used``.
    """
    now: datetime = runtime.now()
    with runtime.transaction() as session:
        existing = store.get_member_by_telegram_id(session, telegram_id=person.telegram_id)
        if existing is not None and existing.active:
            raise InviteRefused("already_member")
        invite = store.get_invite(session, token=token)
        if invite is None:
            raise InviteRefused("unknown")
        if invite.revoked_at is not None:
            raise InviteRefused("revoked")
        if invite.used_by is not None:
            raise InviteRefused("used")
        if invite.expires_at <= now:
            raise InviteRefused("expired")
        if not rules.may_use_invite(invite.for_username, person.username):
            raise InviteRefused("other_person")
        if existing is None:
            member = _new_member(session, runtime, person, Role(invite.role), invited_by=invite.created_by)
        else:
            member = store.enrol(session, member=existing, role=invite.role)
        if not store.claim_invite(session, invite_id=invite.id or 0, member_id=member.id or 0, now=now):
            raise InviteRefused("used")  # the transaction rolls back: no member is added
        joined = MemberView.of(member)
    runtime.members.forget(person.telegram_id)
    return joined


def can_see(member: MemberLike, lead: Lead | LeadCard) -> bool:
    return member.role == Role.MANAGER or lead.owner_id == member.id


def team(runtime: Runtime) -> list[MemberView]:
    """The active team, by first name."""
    with runtime.transaction() as session:
        members = sorted(store.list_members(session), key=lambda m: (m.first_name, m.id or 0))
        return [MemberView.of(member) for member in members]


def named(runtime: BaseRuntime, who: str) -> MemberView | None:
    """The one active member ``who`` names (Telegram id, member id, @username or name; see
    :func:`bot.storage.members.members_named`); None when no one, or more than one, matches."""
    with runtime.reading() as session:
        found = store.match_member(store.list_members(session), who)
        return MemberView.of(found) if found is not None else None


# ------------------------------------------------------------------------------ from the command line


class TeamChangeRefused(Exception):
    """A ``cadencia team`` change that cannot be made; the message (Portuguese) says why."""


def add_member(runtime: BaseRuntime, *, telegram_id: int, name: str, role: Role, uf: str = "SP") -> MemberView:
    """A member added by the server's operator (a fresh database has nobody to import leads
    to); someone who left the team comes back with the new role."""
    if telegram_id <= 0:
        raise TeamChangeRefused(f"id do Telegram inválido: {telegram_id} (é um número positivo, veja @userinfobot)")
    full_name = " ".join(name.split())
    if not full_name:
        raise TeamChangeRefused("o nome está vazio")
    try:
        state = regions.parse_uf(uf)
    except regions.InvalidUf as exc:
        raise TeamChangeRefused(str(exc)) from None
    first_name = full_name.split(" ")[0][:64]
    with runtime.transaction() as session:
        member = store.get_member_by_telegram_id(session, telegram_id=telegram_id)
        if member is None:
            added = store.add_member(
                session,
                telegram_id=telegram_id,
                role=role.value,
                first_name=first_name,
                full_name=full_name[:128],
                uf=state.code,
                timezone=state.timezone,
                now=runtime.now(),
            )
            return MemberView.of(added)
        if member.active:
            raise TeamChangeRefused(f"{telegram_id} já está na equipe ({member.full_name or member.first_name})")
        back = store.enrol(
            session,
            member=member,
            role=role.value,
            first_name=first_name,
            full_name=full_name[:128],
            uf=state.code,
            timezone=state.timezone,
        )
        return MemberView.of(back)


def everyone(runtime: BaseRuntime) -> list[MemberView]:
    """The active team, managers first, then by name."""
    with runtime.reading() as session:
        members = [MemberView.of(member) for member in store.list_members(session)]
    return sorted(members, key=lambda m: (m.role != Role.MANAGER, fold(m.full_name or m.first_name), m.id or 0))


def pause_member(runtime: BaseRuntime, who: str, *, paused: bool) -> MemberView:
    """Pause (vacation: reminders wait, imports skip them) or resume a rep named by Telegram id,
    member id, @username or name."""
    with runtime.transaction() as session:
        found = store.match_member(store.list_members(session), who)
        if found is None:
            raise TeamChangeRefused(f"'{who}' não está na equipe (use o id do Telegram, @usuário ou o nome)")
        if found.role != Role.REP:
            raise TeamChangeRefused(f"{found.full_name or found.first_name} é gestor; só vendedores são pausados")
        store.set_paused(session, member=found, paused=paused)
        return MemberView.of(found)
