"""Team use cases (:mod:`bot.services.team`) on SQLite and PostgreSQL: the invite claim the bot
runs, under many people accepting one link at once."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

import pytest
from sqlalchemy import Engine

from bot.config import Settings
from bot.domain.playbook.model import Playbook
from bot.domain.vocabulary import Role
from bot.services import team
from bot.services.playbooks import load_checked_playbook
from bot.services.runtime import Runtime
from bot.storage import members
from bot.storage.db import session_scope
from tests.support.runtimes import cli_runtime

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
ADMIN_ID = 424242
PEOPLE = 8


@pytest.fixture(scope="module")
def playbook() -> Playbook:
    return load_checked_playbook(Settings().playbook_dir)


def _runtime(engine: Engine, playbook: Playbook) -> Runtime:
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        database_url="sqlite://",
        cadencia_admins=str(ADMIN_ID),
        telegram_bot_token="123:TEST",
    )
    return Runtime(settings=settings, engine=engine, playbook=playbook, clock=lambda: NOW)


def _person(telegram_id: int) -> team.TelegramPerson:
    return team.TelegramPerson(telegram_id=telegram_id, first_name=f"P{telegram_id}", username=f"p{telegram_id}")


def test_one_invite_accepted_by_many_at_once_makes_exactly_one_member(engine: Engine, playbook: Playbook) -> None:
    runtime = _runtime(engine, playbook)
    manager = team.recognise(runtime, _person(ADMIN_ID))
    assert manager is not None and manager.role == Role.MANAGER
    invite = team.create_invite(runtime, manager)
    people = [_person(1000 + n) for n in range(PEOPLE)]
    barrier = threading.Barrier(PEOPLE)
    joined: list[int] = []
    refused: list[str] = []
    errors: list[BaseException] = []

    def accept(person: team.TelegramPerson) -> None:
        barrier.wait()
        try:
            joined.append(team.accept_invite(runtime, invite.token, person).telegram_id)
        except team.InviteRefused as refusal:
            refused.append(refusal.reason)
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=accept, args=(person,)) for person in people]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    assert len(joined) == 1
    assert refused == ["used"] * (PEOPLE - 1)
    with session_scope(engine) as session:
        team_now = members.list_members(session, active=None)
        stored = members.get_invite(session, token=invite.token)
    assert sorted(m.telegram_id for m in team_now) == sorted([ADMIN_ID, *joined])
    assert stored is not None and stored.used_by == next(m.id for m in team_now if m.telegram_id == joined[0])


def test_a_used_invite_is_refused_and_adds_no_one(engine: Engine, playbook: Playbook) -> None:
    runtime = _runtime(engine, playbook)
    manager = team.recognise(runtime, _person(ADMIN_ID))
    assert manager is not None
    invite = team.create_invite(runtime, manager)
    first = team.accept_invite(runtime, invite.token, _person(1))

    with pytest.raises(team.InviteRefused) as refusal:
        team.accept_invite(runtime, invite.token, _person(2))
    with pytest.raises(team.InviteRefused) as already:
        team.accept_invite(runtime, invite.token, _person(1))

    assert (refusal.value.reason, already.value.reason) == ("used", "already_member")
    assert [m.telegram_id for m in team.everyone(cli_runtime(engine))] == [ADMIN_ID, first.telegram_id]
