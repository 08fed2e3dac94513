"""Who may talk to the bot: members, roles, invites."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Engine, update
from sqlmodel import Session, col, select

from bot.domain import offboarding as rules
from bot.domain import regions
from bot.domain.text import fold
from bot.domain.vocabulary import Role
from bot.services.runtime import Runtime
from bot.services.views import InviteView, LeadCard, MemberLike, MemberView
from bot.storage.db import session_scope
from bot.storage.models import Invite, Lead, Member, utcnow


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


def member_by_telegram_id(session: Session, telegram_id: int) -> Member | None:
    return session.exec(select(Member).where(Member.telegram_id == telegram_id)).first()


def recognise(runtime: Runtime, person: TelegramPerson) -> MemberView | None:
    """The member behind a Telegram user, creating the first managers from CADENCIA_ADMINS."""
    known, cached = runtime.members.get(person.telegram_id)
    if known:
        return cached
    with runtime.session() as session:
        member = member_by_telegram_id(session, person.telegram_id)
        if member is None and person.telegram_id in runtime.settings.admin_ids:
            member = _new_member(runtime, person, Role.MANAGER, invited_by=None)
            session.add(member)
            session.flush()
        found = MemberView.of(member) if member is not None and member.active else None
    if found is not None:
        runtime.members.put(person.telegram_id, found)
    return found


def _new_member(runtime: Runtime, person: TelegramPerson, role: Role, invited_by: int | None) -> Member:
    settings = runtime.settings
    return Member(
        telegram_id=person.telegram_id,
        role=role.value,
        first_name=(person.first_name or person.username or "?")[:64],
        full_name=(person.full_name or person.first_name)[:128],
        username=person.username[:64],
        language=person.language,
        uf=settings.default_uf,
        timezone=settings.default_timezone,
        invited_by=invited_by,
        created_at=runtime.now(),
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
    invite = Invite(
        token=secrets.token_urlsafe(24),
        role=role.value,
        created_by=manager.id or 0,
        created_at=now,
        expires_at=now + timedelta(hours=hours),
        for_username=username,
    )
    with runtime.session() as session:
        session.add(invite)
    return InviteView(invite.token, invite.role, invite.expires_at, invite.for_username)


class InviteRefused(Exception):
    """``reason`` is one of unknown, revoked, used, expired, other_person, already_member."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def accept_invite(runtime: Runtime, token: str, person: TelegramPerson) -> MemberView:
    """Turn a one-time invite into a member; a used or expired token is refused."""
    now: datetime = runtime.now()
    with runtime.session() as session:
        existing = member_by_telegram_id(session, person.telegram_id)
        if existing is not None and existing.active:
            raise InviteRefused("already_member")
        invite = session.exec(select(Invite).where(Invite.token == token)).first()
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
        member = existing or _new_member(runtime, person, Role(invite.role), invited_by=invite.created_by)
        member.active = True
        member.paused = False
        member.role = invite.role
        session.add(member)
        session.flush()
        # Single use, also when two people press the link at once: the conditional update
        # claims the invite for exactly one of them.
        claimed = session.execute(
            update(Invite)
            .where(col(Invite.id) == invite.id, col(Invite.used_by).is_(None), col(Invite.revoked_at).is_(None))
            .values(used_by=member.id, used_at=now)
        )
        if claimed.rowcount != 1:  # type: ignore[attr-defined]
            session.rollback()
            raise InviteRefused("used")
        joined = MemberView.of(member)
    runtime.members.forget(person.telegram_id)
    return joined


def can_see(member: MemberLike, lead: Lead | LeadCard) -> bool:
    return member.role == Role.MANAGER or lead.owner_id == member.id


def team(runtime: Runtime) -> list[MemberView]:
    with runtime.session() as session:
        members = session.exec(select(Member).where(Member.active).order_by(Member.first_name))
        return [MemberView.of(member) for member in members]


def member_named(runtime: Runtime, text: str) -> MemberView | None:
    """The one active member ``text`` names (a Telegram or member id, ``@username``, a name;
    accents and case ignored), as an import's rep cell; None when it names no one or several."""
    from bot.storage.importing import load_members, match_member

    with runtime.session() as session:
        found = match_member(load_members(session), text)
        return MemberView.of(found) if found is not None else None


# ------------------------------------------------------------------------------ from the command line


class TeamChangeRefused(Exception):
    """A ``cadencia team`` change that cannot be made; the message (Portuguese) says why."""


def add_member(
    engine: Engine, *, telegram_id: int, name: str, role: Role, uf: str = "SP", now: datetime | None = None
) -> Member:
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
    with session_scope(engine) as session:
        member = member_by_telegram_id(session, telegram_id)
        if member is not None and member.active:
            raise TeamChangeRefused(f"{telegram_id} já está na equipe ({member.full_name or member.first_name})")
        member = member or Member(telegram_id=telegram_id, role=role.value, first_name="", created_at=now or utcnow())
        member.role = role.value
        member.first_name = full_name.split(" ")[0][:64]
        member.full_name = full_name[:128]
        member.uf = state.code
        member.timezone = state.timezone
        member.active = True
        member.paused = False
        session.add(member)
        session.flush()
    return member


def everyone(engine: Engine) -> list[Member]:
    """The active team, managers first, then by name."""
    with session_scope(engine) as session:
        members = list(session.exec(select(Member).where(col(Member.active))))
    return sorted(members, key=lambda m: (m.role != Role.MANAGER, fold(m.full_name or m.first_name), m.id or 0))


def pause_member(engine: Engine, who: str, *, paused: bool) -> Member:
    """Pause (vacation: reminders wait, imports skip them) or resume a rep named by Telegram id,
    member id, @username or name."""
    from bot.storage.importing import load_members, match_member

    with session_scope(engine) as session:
        found = match_member(load_members(session), who)
        if found is None:
            raise TeamChangeRefused(f"'{who}' não está na equipe (use o id do Telegram, @usuário ou o nome)")
        if found.role != Role.REP:
            raise TeamChangeRefused(f"{found.full_name or found.first_name} é gestor; só vendedores são pausados")
        found.paused = paused
        session.add(found)
    return found
