"""Members and invites in storage (:mod:`bot.storage.members`), on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlmodel import Session

from bot.domain.vocabulary import Role
from bot.storage import members
from bot.storage.models import Member

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


def _member(session: Session, telegram_id: int, role: str = Role.REP, **fields: str) -> Member:
    return members.add_member(session, telegram_id=telegram_id, role=role, first_name=f"M{telegram_id}", **fields)


def test_members(db_session: Session) -> None:
    manager = members.add_member(db_session, telegram_id=5_000_000_001, role=Role.MANAGER, first_name="Gil", uf="RJ")
    rep = _member(db_session, 200)
    retired = _member(db_session, 300)
    retired.active = False
    db_session.flush()

    found = members.get_member_by_telegram_id(db_session, telegram_id=5_000_000_001)
    assert found is manager and found.uf == "RJ" and found.timezone == "America/Sao_Paulo"
    assert members.get_member_by_telegram_id(db_session, telegram_id=1) is None
    assert members.get_member(db_session, member_id=rep.id or 0) is rep
    assert members.list_members(db_session) == [manager, rep]
    assert members.list_members(db_session, role=Role.REP) == [rep]
    assert members.list_members(db_session, role=Role.REP, active=None) == [rep, retired]


def test_a_member_who_left_comes_back_with_the_new_role(db_session: Session) -> None:
    member = _member(db_session, 200)
    member.active, member.paused = False, True
    db_session.flush()

    members.enrol(db_session, member=member, role=Role.MANAGER, full_name="Ana Lima", uf="BA")

    db_session.expire_all()
    back = members.get_member_by_telegram_id(db_session, telegram_id=200)
    assert back is not None and back.active and not back.paused
    assert (back.role, back.full_name, back.first_name, back.uf) == (Role.MANAGER, "Ana Lima", "M200", "BA")


def test_a_name_means_one_member_or_none(db_session: Session) -> None:
    ana = _member(db_session, 200, full_name="Ana Lima", username="analima")
    _member(db_session, 300, full_name="Ana Souza")
    team = members.list_members(db_session)

    assert members.match_member(team, "ana lima") is ana
    assert members.match_member(team, "@AnaLima") is ana
    assert members.match_member(team, "200") is ana
    assert members.match_member(team, "M200") is ana  # the first name
    assert members.match_member(team, "ninguém") is None
    assert members.describe_member(ana) == "Ana Lima (@analima)"


def test_an_invite_is_claimed_once_and_a_revoked_one_never(db_session: Session) -> None:
    manager = _member(db_session, 1, Role.MANAGER)
    first, second = _member(db_session, 2), _member(db_session, 3)
    invite = members.create_invite(
        db_session, token="abc", role=Role.REP, created_by=manager.id or 0, expires_at=NOW + timedelta(1), now=NOW
    )
    other = members.create_invite(
        db_session, token="xyz", role=Role.REP, created_by=manager.id or 0, expires_at=NOW + timedelta(1), now=NOW
    )
    assert [i.id for i in members.open_invites(db_session, now=NOW)] == [other.id, invite.id]

    assert members.claim_invite(db_session, invite_id=invite.id or 0, member_id=first.id or 0, now=NOW)
    assert not members.claim_invite(db_session, invite_id=invite.id or 0, member_id=second.id or 0, now=NOW)
    assert members.revoke_invite(db_session, invite_id=other.id or 0, by_member_id=manager.id or 0, now=NOW)
    assert not members.claim_invite(db_session, invite_id=other.id or 0, member_id=second.id or 0, now=NOW)
    assert not members.revoke_invite(db_session, invite_id=invite.id or 0, by_member_id=manager.id or 0, now=NOW)

    db_session.expire_all()
    used = members.get_invite(db_session, token="abc")
    assert used is not None and used.used_by == first.id and used.used_at == NOW
    assert members.open_invites(db_session, now=NOW) == []
    assert members.get_invite(db_session, token="nope") is None
