"""The real ``cadencia run`` process, SIGKILLed while it delivers reminders, then restarted:
the fake Bot API server's log shows every due reminder delivered exactly once."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import insert, select

from bot.resources import bundled_dir
from bot.services.playbooks import load_checked_playbook
from bot.storage.db import make_engine, upgrade_database
from bot.storage.models import Lead, Member, Reminder
from tests.support.fake_bot_api_server import FakeBotApiServer

ROOT = Path(__file__).resolve().parents[2]
RUN = "import sys; from bot.cli.main import main; sys.exit(main(['run']))"  # `cadencia run`, uninstalled
REPS = 45
KILL_AT = 20  # the 20th message is delivered, its answer never reaches the bot


def _seed(url: str) -> list[int]:
    engine = make_engine(url)
    upgrade_database(engine)
    step = load_checked_playbook(bundled_dir("playbook")).cadence.steps[0].id
    now = datetime.now(UTC)
    with engine.begin() as db:
        for i in range(REPS):
            member_id = db.execute(
                insert(Member).values(
                    telegram_id=50_000 + i,
                    role="rep",
                    first_name=f"Rep{i}",
                    full_name="",
                    username="",
                    language="pt",
                    phone="",
                    email="",
                    uf="SP",
                    timezone="America/Sao_Paulo",
                    work_start="00:00",
                    work_end="23:59",
                    paused=False,
                    active=True,
                    created_at=now,
                )
            ).inserted_primary_key[0]
            lead_id = db.execute(
                insert(Lead).values(
                    owner_id=member_id,
                    company=f"Empresa {i}",
                    company_key=f"empresa {i}",
                    stage="prospecting",
                    cadence_status="active",
                    current_step=step,
                    step_due_at=now - timedelta(minutes=5),
                    source="manual",
                    created_at=now,
                    updated_at=now,
                    knocked_out=False,
                    city="",
                    campaign="",
                    contact_name="",
                    contact_role="",
                    contact_phone="",
                    contact_email="",
                    contact_linkedin="",
                )
            ).inserted_primary_key[0]
            db.execute(
                insert(Reminder).values(
                    member_id=member_id,
                    lead_id=lead_id,
                    kind="step_due",
                    step_id=step,
                    state="pending",
                    due_at=now - timedelta(minutes=5, seconds=-i),
                    dedupe_key=f"crash:{i}",
                    attempts=0,
                    late=False,
                    created_at=now,
                )
            )
        ids = [r[0] for r in db.execute(select(Reminder.id).where(Reminder.kind == "step_due"))]
    engine.dispose()
    return ids


def _start(url: str, server: FakeBotApiServer, tmp: Path) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "TELEGRAM_BOT_TOKEN": "123:TEST",
        "TELEGRAM_API_BASE_URL": server.base_url,
        "TELEGRAM_API_FILE_URL": server.base_url.replace("/bot", "/file/bot"),
        "DATABASE_URL": url,
        "CADENCIA_ADMINS": "1",
    }
    cadencia = Path(sys.executable).parent / "cadencia"
    command = [str(cadencia), "run"] if cadencia.exists() else [sys.executable, "-c", RUN]
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    log = (tmp / "bot.log").open("ab")
    return subprocess.Popen(command, env=env, cwd=tmp, stdout=subprocess.DEVNULL, stderr=log)


def _reminder_ids(messages: list[dict[str, object]]) -> list[int]:
    ids = []
    for message in messages:
        markup = json.loads(str(message.get("reply_markup") or "{}"))
        for row in markup.get("inline_keyboard", []):
            for button in row:
                data = str(button.get("callback_data", ""))
                if data.startswith("rm:"):
                    ids.append(int(data.split(":")[1]))
                    break
            else:
                continue
            break
    return ids


@pytest.mark.slow
def test_sigkill_while_delivering_then_restart_delivers_each_due_reminder_once(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'crash.db'}"
    due = _seed(url)
    with FakeBotApiServer(hold_after=KILL_AT) as first:
        bot = _start(url, first, tmp_path)
        try:
            assert first.held.wait(20), (tmp_path / "bot.log").read_text()[-3000:]
            os.kill(bot.pid, signal.SIGKILL)  # the message is out; "sent" is not recorded yet
            bot.wait(10)
        finally:
            if bot.poll() is None:
                bot.kill()
            first.release()
        before = _reminder_ids(first.sent_messages())
    assert len(before) == KILL_AT
    with FakeBotApiServer() as second:
        bot = _start(url, second, tmp_path)
        try:
            deadline = time.monotonic() + 15
            while time.monotonic() < deadline and len(_reminder_ids(second.sent_messages())) < REPS - KILL_AT:
                time.sleep(0.1)
            time.sleep(0.5)  # anything extra would show up now
        finally:
            bot.send_signal(signal.SIGINT)
            try:
                bot.wait(10)
            except subprocess.TimeoutExpired:
                bot.kill()
        after = _reminder_ids(second.sent_messages())
    counts = Counter(before + after)
    assert sorted(counts) == sorted(due), (tmp_path / "bot.log").read_text()[-3000:]
    assert set(counts.values()) == {1}, {k: v for k, v in counts.items() if v > 1}
