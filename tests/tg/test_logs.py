"""What never reaches a log: the bot token, invite secrets, phones and e-mail addresses."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine

from bot import logs
from bot.config import Settings
from bot.domain.playbook.model import Playbook
from bot.services.playbooks import remember_playbook
from bot.services.runtime import Runtime
from tests.tg.conftest import START
from tests.tg.harness import BotUnderTest, FrozenClock

TOKEN = "7654321098:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw0"


@pytest.mark.parametrize(
    ("line", "secret"),
    [
        (f"POST https://api.telegram.org/bot{TOKEN}/sendMessage", TOKEN),
        ("update text='/start Zx8kq2LmN0pQrStUvWxYz1234'", "Zx8kq2LmN0pQrStUvWxYz1234"),
        ("contact_email: fulano.tal@padaria.com.br", "fulano.tal@"),
        ("telefone (11) 98888-1111", "98888-1111"),
        ("phone +55 11 988881111", "988881111"),
        ("fixo (19) 3333-4444", "3333-4444"),
        ("celular 11988881111", "11988881111"),
    ],
)
def test_secrets_and_personal_data_are_masked(line: str, secret: str) -> None:
    assert secret not in logs.redact(line)


def test_masks_keep_enough_to_follow_a_case() -> None:
    assert logs.redact("fulano@padaria.com.br") == "f***@padaria.com.br"
    assert logs.redact("(11) 98888-1111") == "<phone …11>"
    assert logs.redact(f"bot{TOKEN}/getMe") == "bot7654321098:<token>/getMe"
    kept = "lead 42 moved by telegram user 7654321098, 3 touches, CNAE 6201-5/01, at 2026-11-23 10:00:00"
    assert logs.redact(kept) == kept


@pytest.fixture
def captured() -> Iterator[io.StringIO]:
    root = logging.getLogger()
    before = (list(root.handlers), root.level)
    stream = io.StringIO()
    yield stream
    root.handlers[:] = before[0]
    root.setLevel(before[1])


@pytest.mark.parametrize("json_lines", [False, True])
async def test_a_debug_log_of_real_traffic_holds_no_token_phone_or_email(
    sqlite_engine: Engine, default_playbook: Playbook, captured: io.StringIO, json_lines: bool
) -> None:
    logs.configure("DEBUG", json_lines=json_lines, secrets=[TOKEN], stream=captured)
    settings = Settings(_env_file=None, database_url="sqlite://", telegram_bot_token=TOKEN)  # type: ignore[call-arg]
    clock = FrozenClock(START)
    runtime = Runtime(settings=settings, engine=sqlite_engine, playbook=default_playbook, clock=clock)
    remember_playbook(runtime, default_playbook)
    bot = BotUnderTest(
        runtime=runtime, clock=clock
    )
    await bot.start()
    try:
        stranger = bot.person("Estranho")
        await stranger.says("meu whatsapp é (11) 98888-1111, email estranho@gmail.com")
        await stranger.says("/start Zx8kq2LmN0pQrStUvWxYz1234")
        logging.getLogger("bot.test").debug("calling https://api.telegram.org/bot%s/getMe", TOKEN)
    finally:
        await bot.stop()
    text = captured.getvalue()
    assert "Estranho" in text or "<phone" in text  # PTB really logged the updates at DEBUG
    for secret in (TOKEN, TOKEN.split(":")[1], "98888-1111", "estranho@gmail.com", "Zx8kq2LmN0pQrStUvWxYz1234"):
        assert secret not in text
    if json_lines:
        for line in text.splitlines():
            assert {"time", "level", "logger", "message"} <= json.loads(line).keys()
