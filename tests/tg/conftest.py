"""Fixtures for conversation tests: a bot on a fresh migrated database with a frozen clock."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest
from sqlalchemy import Engine

from bot.config import Settings
from bot.domain.playbook.model import Playbook
from bot.resources import bundled_dir
from bot.services.playbooks import load_checked_playbook, remember_playbook
from bot.services.runtime import Runtime
from tests.tg.harness import BotUnderTest, FrozenClock

# Monday 23 November 2026, 10:00 in São Paulo.
START = datetime(2026, 11, 23, 13, 0, tzinfo=UTC)
ADMIN_ID = 424242


@pytest.fixture(scope="session")
def default_playbook() -> Playbook:
    return load_checked_playbook(bundled_dir("playbook"))


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(START)


@pytest.fixture
def runtime(sqlite_engine: Engine, default_playbook: Playbook, clock: FrozenClock) -> Runtime:
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        database_url="sqlite://",
        cadencia_admins=str(ADMIN_ID),
        telegram_bot_token="123:TEST",
    )
    runtime = Runtime(settings=settings, engine=sqlite_engine, playbook=default_playbook, clock=clock)
    remember_playbook(runtime, default_playbook)
    return runtime


@pytest.fixture
async def bot(runtime: Runtime, clock: FrozenClock) -> AsyncIterator[BotUnderTest]:
    under_test = BotUnderTest(runtime=runtime, clock=clock)
    await under_test.start()
    yield under_test
    await under_test.stop()
    under_test.check_requests()
    under_test.check_errors()
