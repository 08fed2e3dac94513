"""``cadencia run`` as an operator deploys it: webhook mode, the health check, a second instance.

These start the real process against a fake Bot API on 127.0.0.1 (tests/support) and talk to it
over HTTP, as Telegram and a monitor would.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.error import HTTPError
from urllib.request import Request, urlopen

import pytest

from tests.support.fake_bot_api_server import FakeBotApiServer

ROOT = Path(__file__).resolve().parents[2]
SECRET = "s3cret-webhook_token"
STRANGER = {"id": 777, "is_bot": False, "first_name": "Estranho", "language_code": "pt-br"}


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _env(tmp: Path, server: FakeBotApiServer, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "DATABASE_URL", "CADENCIA_"))}
    env.update(
        {
            "TELEGRAM_BOT_TOKEN": "123:TEST",
            "TELEGRAM_API_BASE_URL": server.base_url,
            "TELEGRAM_API_FILE_URL": server.base_url.replace("/bot", "/file/bot"),
            "DATABASE_URL": f"sqlite:///{tmp / 'cadencia.db'}",
            "CADENCIA_ADMINS": "1",
            "PYTHONPATH": str(ROOT),
        }
    )
    env.update(extra)
    return env


def _cadencia(*args: str) -> list[str]:
    return [sys.executable, "-m", "bot.cli.main", *args]


def _until(condition: Callable[[], object], what: str, timeout: float = 60) -> None:
    """Wait for another process (the bot) to get somewhere; fail with ``what`` after ``timeout``."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


def _get(url: str) -> tuple[int, dict[str, object]]:
    try:
        with urlopen(url, timeout=5) as answer:
            return answer.status, json.loads(answer.read())
    except HTTPError as error:
        return error.code, json.loads(error.read() or b"{}")


def _answers(url: str) -> bool:
    try:
        _get(url)
    except OSError:
        return False
    return True


@contextmanager
def _running(command: list[str], env: dict[str, str], tmp: Path) -> Iterator[subprocess.Popen[str]]:
    bot = subprocess.Popen(command, env=env, cwd=tmp, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        yield bot
    finally:
        if bot.poll() is None:
            bot.terminate()
        bot.communicate(timeout=60)


@pytest.mark.slow
def test_a_second_instance_polling_the_same_token_stops_with_one_clear_line(tmp_path: Path) -> None:
    with FakeBotApiServer(conflict=True) as server:
        done = subprocess.run(
            _cadencia("run"), env=_env(tmp_path, server), cwd=tmp_path, capture_output=True, text=True, timeout=120
        )
    assert done.returncode == 3
    assert "Traceback" not in done.stderr
    assert done.stderr.strip().splitlines()[-1].startswith("cadencia: outra instância deste bot está recebendo")


@pytest.mark.slow
def test_webhook_mode_checks_the_secret_and_answers_health_checks(tmp_path: Path) -> None:
    webhook_port, health_port = _free_port(), _free_port()
    health = f"http://127.0.0.1:{health_port}"
    with FakeBotApiServer() as server:
        env = _env(
            tmp_path,
            server,
            WEBHOOK_SECRET=SECRET,
            WEBHOOK_LISTEN="127.0.0.1",
            WEBHOOK_PORT=str(webhook_port),
            HEALTH_PORT=str(health_port),
        )
        with _running(_cadencia("run", "--webhook", "https://bot.example.com.br/tg"), env, tmp_path) as bot:
            _until(lambda: _answers(f"{health}/health") or bot.poll() is not None, "the health check")
            assert bot.poll() is None
            hooks = [params for method, params in server.calls if method == "setWebhook"]
            assert hooks and hooks[-1]["url"] == "https://bot.example.com.br/tg"
            assert hooks[-1]["secret_token"] == SECRET

            status, body = _get(f"{health}/health")
            assert status == 200 and body["status"] == "ok" and body["database"] == "ok"
            assert _get(f"{health}/metrics")[0] == 404

            update = {
                "update_id": 1,
                "message": {
                    "message_id": 1,
                    "date": 0,
                    "from": STRANGER,
                    "chat": {"id": 777, "type": "private"},
                    "text": "oi",
                },
            }

            def post(secret: str) -> int:
                request = Request(
                    f"http://127.0.0.1:{webhook_port}/tg",
                    data=json.dumps(update).encode(),
                    headers={"Content-Type": "application/json", "X-Telegram-Bot-Api-Secret-Token": secret},
                )
                try:
                    with urlopen(request, timeout=5) as answer:
                        return int(answer.status)
                except HTTPError as error:
                    return error.code

            assert post("forged") == 403
            assert post(SECRET) == 200
            _until(lambda: any(m.get("chat_id") in (777, "777") for m in server.sent_messages()), "the bot's answer")
            (answer,) = [m for m in server.sent_messages() if m.get("chat_id") in (777, "777")]
            assert "uso exclusivo de um time de vendas" in str(answer["text"])  # one update, one answer
            bot.terminate()
            assert bot.wait(timeout=60) == 0


@pytest.mark.slow
def test_health_command_says_what_works_and_what_does_not(tmp_path: Path) -> None:
    with FakeBotApiServer() as server:
        good = subprocess.run(
            _cadencia("health"), env=_env(tmp_path, server), cwd=tmp_path, capture_output=True, text=True, timeout=120
        )
        assert good.returncode == 0, good.stdout + good.stderr
        assert "ok   Bot API: @cadencia_test_bot" in good.stdout
        assert "ok   playbook: 2026.12.1" in good.stdout
        assert "ok   banco de dados: esquema vazio; `cadencia run` migra" in good.stdout

        env = _env(tmp_path, server, TELEGRAM_BOT_TOKEN="", DATABASE_URL=f"sqlite:///{tmp_path / 'x.db' / 'y.db'}")
        (tmp_path / "x.db").write_text("a file where the folder should be")
        bad = subprocess.run(_cadencia("health"), env=env, cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert bad.returncode == 1
    assert "FALHA Bot API: TELEGRAM_BOT_TOKEN está vazio" in bad.stdout
    assert "FALHA banco de dados: Não consegui abrir o banco de dados" in bad.stdout
    assert "Traceback" not in bad.stdout + bad.stderr
