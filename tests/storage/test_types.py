"""Datetimes are stored in UTC and come back aware, on every backend; naive ones are refused."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import Engine
from sqlalchemy.exc import StatementError
from sqlmodel import col, select

from bot.storage.db import session_scope
from bot.storage.models import Invite, Member
from bot.storage.types import NaiveDatetimeError

BRASILIA = timezone(timedelta(hours=-3))


def _manager(engine: Engine) -> int:
    with session_scope(engine) as session:
        member = Member(telegram_id=1, role="manager", first_name="Gestora")
        session.add(member)
        session.flush()
        assert member.id is not None
        return member.id


def test_aware_datetime_comes_back_as_the_same_instant_in_utc(engine: Engine) -> None:
    manager_id = _manager(engine)
    local = datetime(2026, 11, 20, 21, 30, 15, 123456, tzinfo=BRASILIA)
    with session_scope(engine) as session:
        session.add(Invite(token="t", role="rep", created_by=manager_id, expires_at=local))
    with session_scope(engine) as session:
        invite = session.exec(select(Invite)).one()
    assert invite.expires_at == local
    assert invite.expires_at.tzinfo is UTC
    assert invite.expires_at == datetime(2026, 11, 21, 0, 30, 15, 123456, tzinfo=UTC)
    assert invite.created_at.tzinfo is UTC  # the default (utcnow) too


def test_comparisons_happen_in_utc(engine: Engine) -> None:
    manager_id = _manager(engine)
    instant = datetime(2026, 11, 20, 23, 0, tzinfo=UTC)
    with session_scope(engine) as session:
        session.add(Invite(token="t", role="rep", created_by=manager_id, expires_at=instant))
    with session_scope(engine) as session:
        # 19:59 in Brasília is 22:59 UTC: before the instant, although "19:59" < "23:00" too;
        # 21:00 in Brasília is 00:00 UTC next day: after it, although "21:00" < "23:00".
        before = datetime(2026, 11, 20, 19, 59, tzinfo=BRASILIA)
        after = datetime(2026, 11, 20, 21, 0, tzinfo=BRASILIA)
        assert session.exec(select(Invite).where(col(Invite.expires_at) > before)).all()
        assert not session.exec(select(Invite).where(col(Invite.expires_at) > after)).all()


def test_naive_datetime_is_refused(engine: Engine) -> None:
    manager_id = _manager(engine)
    with pytest.raises(StatementError) as caught, session_scope(engine) as session:
        session.add(
            Invite(
                token="t", role="rep", created_by=manager_id, expires_at=datetime(2026, 11, 20, 9)
            )
        )
    assert isinstance(caught.value.orig, NaiveDatetimeError)
    assert "naive datetime" in str(caught.value)
    with session_scope(engine) as session:
        assert session.exec(select(Invite)).all() == []
