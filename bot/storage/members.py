"""Storage of the team: members and the invites that make them.

Keyword-only functions that take the session; they ``flush`` (new rows get their ids) but never
commit: the service's transaction (:meth:`bot.services.runtime.Runtime.transaction`) does.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import update
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from bot.domain import numbers
from bot.domain.text import fold
from bot.storage.models import Invite, Member, utcnow

# --- Members ----------------------------------------------------------------------------------


def get_member(session: Session, *, member_id: int) -> Member | None:
    return session.get(Member, member_id)


def get_member_by_telegram_id(session: Session, *, telegram_id: int) -> Member | None:
    return session.exec(select(Member).where(Member.telegram_id == telegram_id)).first()


def add_member(
    session: Session,
    *,
    telegram_id: int,
    role: str,
    first_name: str,
    full_name: str = "",
    username: str = "",
    language: str | None = None,
    uf: str | None = None,
    timezone: str | None = None,
    invited_by: int | None = None,
    now: datetime | None = None,
) -> Member:
    """Add a team member. ``None`` for language, UF or time zone keeps the table default."""
    member = Member(
        telegram_id=telegram_id,
        role=role,
        first_name=first_name,
        full_name=full_name,
        username=username,
        invited_by=invited_by,
        created_at=now or utcnow(),
    )
    if language is not None:
        member.language = language
    if uf is not None:
        member.uf = uf
    if timezone is not None:
        member.timezone = timezone
    session.add(member)
    session.flush()
    return member


def enrol(
    session: Session,
    *,
    member: Member,
    role: str,
    first_name: str | None = None,
    full_name: str | None = None,
    uf: str | None = None,
    timezone: str | None = None,
) -> Member:
    """Make ``member`` (someone who left the team) active again with ``role``, not paused;
    the other values, when given, replace the stored ones."""
    member.role = role
    member.active = True
    member.paused = False
    if first_name is not None:
        member.first_name = first_name
    if full_name is not None:
        member.full_name = full_name
    if uf is not None:
        member.uf = uf
    if timezone is not None:
        member.timezone = timezone
    session.add(member)
    session.flush()
    return member


def set_paused(session: Session, *, member: Member, paused: bool) -> None:
    """Pause (vacation) or resume ``member``."""
    member.paused = paused
    session.add(member)
    session.flush()


def list_members(session: Session, *, role: str | None = None, active: bool | None = True) -> list[Member]:
    """Members in the order they joined; ``active=None`` lists active and inactive ones."""
    statement = select(Member)
    if role is not None:
        statement = statement.where(Member.role == role)
    if active is not None:
        statement = statement.where(Member.active == active)
    return list(session.exec(statement.order_by(col(Member.id))))


# --- Members named in text --------------------------------------------------------------------


def members_named(members: Sequence[Member], text: str) -> list[Member]:
    """Every member a spreadsheet cell or a command could mean (accents and case ignored): a
    number is a Telegram id, else a member id; ``@x`` a username; otherwise the full name, or
    failing that the first name or username. More than one means the text is ambiguous ("Ana"
    with two Anas on the team: never the first of them)."""
    raw = str(text).strip()
    if not raw:
        return []
    digits = raw.lstrip("#")
    if numbers.digit_like(digits):  # "²" or 30 digits name no one (and never crash)
        number = numbers.read_int(digits, 1, numbers.TELEGRAM_ID_MAX)
        if number is None:
            return []
        by_telegram = [m for m in members if m.telegram_id == number]
        return by_telegram or [m for m in members if m.id == number]
    wanted = fold(raw.lstrip("@"))
    by_username = [m for m in members if m.username and fold(m.username) == wanted]
    if raw.startswith("@"):
        return by_username
    by_full_name = [m for m in members if m.full_name and fold(m.full_name) == wanted]
    if by_full_name:
        return by_full_name
    by_first_name = [m for m in members if fold(m.first_name) == wanted]
    return by_first_name + [m for m in by_username if m not in by_first_name]


def match_member(members: Sequence[Member], text: str) -> Member | None:
    """The one member ``text`` names (see :func:`members_named`); None when it names no one or
    more than one."""
    found = members_named(members, text)
    return found[0] if len(found) == 1 else None


def describe_member(member: Member) -> str:
    """How a reason names a member so that the manager can tell two Anas apart."""
    name = member.full_name or member.first_name
    return f"{name} (@{member.username})" if member.username else f"{name} (id {member.id})"


# --- Invites ----------------------------------------------------------------------------------


def create_invite(
    session: Session,
    *,
    token: str,
    role: str,
    created_by: int,
    expires_at: datetime,
    for_username: str | None = None,
    now: datetime | None = None,
) -> Invite:
    invite = Invite(
        token=token,
        role=role,
        created_by=created_by,
        expires_at=expires_at,
        for_username=for_username,
        created_at=now or utcnow(),
    )
    session.add(invite)
    session.flush()
    return invite


def get_invite(session: Session, *, token: str) -> Invite | None:
    return session.exec(select(Invite).where(Invite.token == token)).first()


def claim_invite(session: Session, *, invite_id: int, member_id: int, now: datetime) -> bool:
    """Mark the invite used by ``member_id``; False if it was used or revoked meanwhile.

    Single use even when several people send the same link at once: one conditional ``UPDATE``
    claims the invite, and only the transaction that changed the row wins (on PostgreSQL the
    others wait for the row lock and then find ``used_by`` set; on SQLite writers are serialised
    by ``BEGIN IMMEDIATE``).
    """
    claimed = session.execute(
        update(Invite)
        .where(col(Invite.id) == invite_id, col(Invite.used_by).is_(None), col(Invite.revoked_at).is_(None))
        .values(used_by=member_id, used_at=now)
        .execution_options(synchronize_session=False)
    )
    return bool(claimed.rowcount == 1)  # type: ignore[attr-defined]


@dataclass(frozen=True, slots=True)
class OpenInvite:
    id: int
    role: str
    for_username: str | None
    created_by: str
    created_at: datetime
    expires_at: datetime


def open_invites(session: Session, *, now: datetime) -> list[OpenInvite]:
    """Invites nobody used, revoked or let expire, newest first, with their creator's name."""
    creator = aliased(Member)
    statement: Any = (
        select(Invite, creator.full_name, creator.first_name)
        .join(creator, col(creator.id) == col(Invite.created_by))
        .where(col(Invite.used_by).is_(None), col(Invite.revoked_at).is_(None), col(Invite.expires_at) > now)
        .order_by(col(Invite.created_at).desc(), col(Invite.id).desc())
    )
    return [
        OpenInvite(
            invite.id or 0, invite.role, invite.for_username, full or first, invite.created_at, invite.expires_at
        )
        for invite, full, first in session.execute(statement)
    ]


def revoke_invite(session: Session, *, invite_id: int, by_member_id: int, now: datetime) -> bool:
    """Revoke an invite nobody has used yet; False if it was used, revoked or never existed."""
    result = session.execute(
        update(Invite)
        .where(col(Invite.id) == invite_id, col(Invite.used_by).is_(None), col(Invite.revoked_at).is_(None))
        .values(revoked_at=now, revoked_by=by_member_id)
    )
    return bool(result.rowcount == 1)  # type: ignore[attr-defined]
