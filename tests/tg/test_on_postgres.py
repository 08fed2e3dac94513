"""The same conversation on a real PostgreSQL server (the SQLite default is tested everywhere)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from sqlalchemy import Engine
from sqlmodel import select

from bot.config import Settings
from bot.domain.playbook.model import Playbook
from bot.services.playbooks import remember_playbook
from bot.services.runtime import Runtime
from bot.storage.models import Lead, Touch
from tests.tg.harness import BotUnderTest, FrozenClock

pytestmark = pytest.mark.postgres


@pytest.fixture
async def pg_bot(pg_engine: Engine, default_playbook: Playbook, clock: FrozenClock) -> AsyncIterator[BotUnderTest]:
    settings = Settings(_env_file=None, database_url="postgresql://unused", telegram_bot_token="123:TEST")  # type: ignore[call-arg]
    runtime = Runtime(settings=settings, engine=pg_engine, playbook=default_playbook, clock=clock)
    remember_playbook(runtime, default_playbook)
    under_test = BotUnderTest(runtime=runtime, clock=clock)
    await under_test.start()
    yield under_test
    await under_test.stop()
    under_test.check_requests()
    under_test.check_errors()


async def test_a_lead_and_a_touch_on_postgres_survive_a_restart(pg_bot: BotUnderTest) -> None:
    ana = await pg_bot.member("Ana")
    await ana.says("/novo")
    await ana.says("Padaria Central")
    await ana.taps("Pular")
    await pg_bot.restart()
    await ana.says("4721-1/02")
    for _ in range(13):
        await ana.taps("Pular")
    ana.sees("Lead salvo", "Padaria Central")
    await ana.taps("Iniciar cadência")
    await ana.taps("Sim")  # only a CNAE: tier D, so it asks first (fit before effort)
    await ana.taps("Não atendeu")
    ana.sees("Próximo passo")
    with pg_bot.runtime.session() as session:
        lead = session.exec(select(Lead)).one()
        touch = session.exec(select(Touch)).one()
    assert (lead.cnae, lead.current_step, touch.outcome) == ("4721102", "abordagem_2", "no_answer")
    assert touch.happened_at.tzinfo is not None
