"""Conversation state in the bot's database: saved as each update ends, only when it changed,
kept through a busy database, and restored by the next process."""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Mapping
from typing import Any

import pytest
from sqlalchemy import Engine

from bot.storage.bot_state import BotStateStore
from bot.storage.db import make_engine
from bot.tg import newlead
from bot.tg.persistence import SqlPersistence
from tests.tg.harness import BotUnderTest


def _reopened(engine: Engine) -> SqlPersistence:
    """What the next process would read."""
    return SqlPersistence(BotStateStore(engine))


class CountingStore(BotStateStore):
    """The real table, counting the transactions written."""

    def __init__(self, engine: Engine) -> None:
        super().__init__(engine)
        self.saves: list[dict[tuple[str, str], Any]] = []

    def save(self, changes: Mapping[tuple[str, str], Any | None]) -> None:
        super().save(changes)
        self.saves.append(dict(changes))


async def test_the_latest_change_of_each_key_is_what_the_next_process_reads(engine: Engine) -> None:
    persistence = _reopened(engine)
    for index in range(50):
        await persistence.update_user_data(7, {"draft": {"company": "Padaria", "index": index}})
    await persistence.update_user_data(8, {"draft": {"company": "Oficina"}})
    await persistence.drop_user_data(8)
    await persistence.update_conversation("flows", (7, 7), 1)

    reopened = _reopened(engine)
    assert await reopened.get_user_data() == {7: {"draft": {"company": "Padaria", "index": 49}}}
    assert await reopened.get_conversations("flows") == {(7, 7): 1}


async def test_a_state_handed_over_again_unchanged_is_not_written_again(engine: Engine) -> None:
    store = CountingStore(engine)
    persistence = SqlPersistence(store)
    await persistence.update_conversation("flows", (7, 7), 1)
    await persistence.update_conversation("flows", (7, 7), 1)
    await persistence.update_user_data(7, {"draft": {"company": "Padaria"}})
    await persistence.update_user_data(7, {"draft": {"company": "Padaria"}})
    await persistence.update_user_data(9, {})  # nothing to keep, nothing stored: nothing to do
    assert len(store.saves) == 2

    restarted = SqlPersistence(store)  # what was loaded counts as stored
    assert await restarted.get_conversations("flows") == {(7, 7): 1}
    await restarted.update_conversation("flows", (7, 7), 1)
    assert len(store.saves) == 2


async def test_ending_a_conversation_and_emptying_user_data_delete_their_rows(engine: Engine) -> None:
    persistence = _reopened(engine)
    await persistence.update_conversation("flows", (7, 7), 1)
    await persistence.update_user_data(7, {"flow": "abc"})
    await persistence.update_conversation("flows", (7, 7), None)
    await persistence.update_user_data(7, {})
    reopened = _reopened(engine)
    assert await reopened.get_conversations("flows") == {}
    assert await reopened.get_user_data() == {}


async def test_a_busy_database_keeps_the_change_until_the_next_save_can_write_it(
    sqlite_engine: Engine, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="bot.tg.persistence")
    impatient = make_engine(sqlite_engine.url, busy_timeout_ms=50)
    persistence = SqlPersistence(BotStateStore(impatient))
    holder = sqlite3.connect(str(sqlite_engine.url.database), isolation_level=None)
    try:
        holder.execute("BEGIN EXCLUSIVE")
        await persistence.update_user_data(7, {"draft": {"company": "Padaria"}})  # refused, kept
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert "could not save conversation changes" in caplog.text
    assert await _reopened(sqlite_engine).get_user_data() == {}

    await persistence.update_conversation("flows", (8, 8), 1)  # the next save writes both
    assert "saved again" in caplog.text
    assert await _reopened(sqlite_engine).get_user_data() == {7: {"draft": {"company": "Padaria"}}}
    assert await _reopened(sqlite_engine).get_conversations("flows") == {(8, 8): 1}
    impatient.dispose()


async def test_what_the_database_refused_is_written_when_the_bot_stops(sqlite_engine: Engine) -> None:
    impatient = make_engine(sqlite_engine.url, busy_timeout_ms=50)
    persistence = SqlPersistence(BotStateStore(impatient))
    holder = sqlite3.connect(str(sqlite_engine.url.database), isolation_level=None)
    try:
        holder.execute("BEGIN EXCLUSIVE")
        await persistence.update_conversation("flows", (7, 7), 1)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    await persistence.flush()  # what PTB runs at stop
    assert await _reopened(sqlite_engine).get_conversations("flows") == {(7, 7): 1}
    impatient.dispose()


async def test_each_answer_is_saved_before_the_next_update(bot: BotUnderTest) -> None:
    ana = await bot.member("Ana")
    await ana.says("/novo")
    await ana.says("Padaria Central")
    ana.sees("2/16")

    stored = _reopened(bot.runtime.engine)  # what a process started now would read
    assert ana.id is not None
    assert (await stored.get_user_data())[ana.id]["draft"]["answers"]["company"] == "Padaria Central"
    assert list((await stored.get_conversations("flows")).values()) == [newlead.NewLead.ASKING]

    await ana.says("/cancelar")
    stored = _reopened(bot.runtime.engine)
    assert await stored.get_conversations("flows") == {}
    assert "draft" not in (await stored.get_user_data()).get(ana.id, {})
