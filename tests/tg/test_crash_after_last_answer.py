"""The real ``cadencia run`` process, SIGKILLed right after /novo's last answer was written but
before the conversation state was saved; restarted, Telegram delivers that answer again and
the rep writes "oi, bom dia": there is still exactly one lead.

Deterministic: the fake Bot API holds the bot's "Lead salvo" message, so the process is killed
while the handler that wrote the lead waits for Telegram; the conversation cannot have been
saved as ended (that happens only after the handler returns).
"""

from __future__ import annotations

import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, insert, select

from bot.storage.db import make_engine, upgrade_database
from bot.storage.models import BotState, Lead, Member
from tests.reminders.test_crash import _start
from tests.support.fake_bot_api_server import FakeBotApiServer

ANA = 70_001
PASTE = (
    "empresa: Padaria Central\ncnpj: 11.222.333/0001-81\ncnae: 4721-1/02\nuf: sp\ncidade: Campinas\n"
    "funcionários: 45\nfaturamento: 6 mi\nfiliais: 0\nie: isenta\nscore: 700\ncontato: Paulo Reis\n"
    "cargo: Sócio\ntelefone: (19) 98888-1111\nemail: paulo@padaria.com.br\n"
    "linkedin: https://www.linkedin.com/in/paulo\ncampanha: Padarias SP"
)


def _update(update_id: int, text: str) -> dict[str, Any]:
    person = {"id": ANA, "is_bot": False, "first_name": "Ana", "language_code": "pt-br"}
    message: dict[str, Any] = {
        "message_id": update_id,
        "date": int(time.time()),
        "chat": {"id": ANA, "type": "private", "first_name": "Ana"},
        "from": person,
        "text": text,
    }
    if text.startswith("/"):
        message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}]
    return {"update_id": update_id, "message": message}


def _wait(condition: Any, what: str, log: Path, seconds: float = 20) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}\n" + log.read_text()[-3000:])


def _count(url: str, query: Any) -> int:
    engine = make_engine(url)
    try:
        with engine.connect() as db:
            return int(db.execute(query).scalar_one())
    finally:
        engine.dispose()


@pytest.mark.slow
def test_sigkill_after_the_last_novo_answer_then_restart_keeps_one_lead(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'crash.db'}"
    engine = make_engine(url)
    upgrade_database(engine)
    with engine.begin() as db:
        db.execute(
            insert(Member).values(
                telegram_id=ANA,
                role="rep",
                first_name="Ana",
                full_name="Ana Silva",
                username="",
                language="pt",
                phone="",
                email="",
                uf="SP",
                timezone="America/Sao_Paulo",
                work_start="09:00",
                work_end="18:00",
                paused=False,
                active=True,
                created_at=datetime.now(UTC),
            )
        )
    engine.dispose()
    log = tmp_path / "bot.log"
    conversations = select(func.count()).select_from(BotState).where(BotState.kind.startswith("conversation:"))  # type: ignore[attr-defined]
    leads = select(func.count()).select_from(Lead)

    with FakeBotApiServer(hold_after=3) as first:  # 1: the first question, 2: "Anotei", 3: "Lead salvo"
        bot = _start(url, first, tmp_path)
        try:
            first.push(_update(1, "/novo"))
            _wait(lambda: len(first.sent_messages()) == 1, "the first question", log, seconds=60)
            _wait(lambda: _count(url, conversations) == 1, "the open /novo to be saved", log)
            first.push(_update(2, PASTE))  # every field at once: the last answer
            assert first.held.wait(30), log.read_text()[-3000:]
            bot.kill()  # SIGKILL: "Lead salvo" is on its way, the conversation still says /novo is open
            bot.wait(10)
        finally:
            if bot.poll() is None:
                bot.kill()
            first.release()
        assert "Lead salvo" in str(first.sent_messages()[-1]["text"])
    assert _count(url, leads) == 1
    assert _count(url, conversations) == 1  # the restarted bot will think /novo is still open

    with FakeBotApiServer() as second:
        bot = _start(url, second, tmp_path)
        try:
            second.push(_update(2, PASTE))  # Telegram delivers the unconfirmed answer again
            second.push(_update(3, "oi, bom dia"))
            _wait(lambda: len(second.sent_messages()) >= 2, "two answers", log, seconds=60)
            time.sleep(0.3)  # anything extra would show up now
        finally:
            bot.terminate()
            try:
                bot.wait(10)
            except Exception:
                bot.kill()
        texts = [str(m["text"]) for m in second.sent_messages()]
    assert texts[0] == "✅ Esse cadastro já foi salvo como lead #1.", texts
    assert texts[1].startswith("Não entendi"), texts
    assert len(texts) == 2, texts
    assert _count(url, leads) == 1
