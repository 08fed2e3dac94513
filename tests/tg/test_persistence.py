"""Conversation state in the bot's database: queued after each update, written by a thread,
never lost by a busy database, and restored by the next process."""

from __future__ import annotations

import asyncio
import sqlite3

import pytest
from sqlalchemy import Engine

from bot.storage.db import DatabaseUnavailable, make_engine
from bot.tg import newlead
from bot.tg.persistence import PersistentApplication, SqlPersistence
from tests.tg.harness import BotUnderTest


def _reopened(engine: Engine) -> SqlPersistence:
    """What the next process would read."""
    return SqlPersistence(engine)


def test_the_latest_change_of_each_key_is_what_the_next_process_reads(engine: Engine) -> None:
    persistence = SqlPersistence(engine)
    for index in range(50):
        persistence.remember_user_data(7, {"draft": {"company": "Padaria", "index": index}})
        persistence.write_soon()
    persistence.remember_user_data(8, {"draft": {"company": "Oficina"}})
    persistence.remember_user_data(8, None)  # cancelled before it was ever written
    asyncio.run(persistence.update_conversation("flows", (7, 7), 1))
    persistence.close()

    reopened = _reopened(engine)
    assert reopened.load_user_data() == {7: {"draft": {"company": "Padaria", "index": 49}}}
    assert asyncio.run(reopened.get_conversations("flows")) == {(7, 7): 1}


def test_a_value_changed_after_it_was_queued_is_stored_as_it_was_when_queued(engine: Engine) -> None:
    persistence = SqlPersistence(engine)
    draft = {"company": "Padaria"}
    persistence.remember_user_data(7, {"draft": draft})
    draft["company"] = "changed later, without telling the persistence"
    persistence.close()
    assert _reopened(engine).load_user_data() == {7: {"draft": {"company": "Padaria"}}}


def test_ending_a_conversation_deletes_its_row(engine: Engine) -> None:
    persistence = SqlPersistence(engine)
    asyncio.run(persistence.update_conversation("flows", (7, 7), 1))
    persistence.write_pending()
    asyncio.run(persistence.update_conversation("flows", (7, 7), None))
    persistence.remember_user_data(7, {})
    persistence.close()
    assert asyncio.run(_reopened(engine).get_conversations("flows")) == {}


def test_a_busy_database_keeps_the_change_queued_until_it_can_be_written(sqlite_engine: Engine) -> None:
    impatient = make_engine(sqlite_engine.url, busy_timeout_ms=50)
    persistence = SqlPersistence(impatient)
    persistence.remember_user_data(7, {"draft": {"company": "Padaria"}})
    holder = sqlite3.connect(str(sqlite_engine.url.database), isolation_level=None)
    try:
        holder.execute("BEGIN EXCLUSIVE")
        with pytest.raises(DatabaseUnavailable):
            persistence.write_pending()
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    persistence.close()  # the lock is gone: the same change is written now
    assert _reopened(sqlite_engine).load_user_data() == {7: {"draft": {"company": "Padaria"}}}
    impatient.dispose()


async def test_an_answer_is_saved_by_the_next_save_without_waiting_for_a_restart(bot: BotUnderTest) -> None:
    ana = await bot.member("Ana")
    await ana.says("/novo")
    await ana.says("Padaria Central")
    ana.sees("2/16")
    app = bot.app
    assert isinstance(app, PersistentApplication) and isinstance(app.persistence, SqlPersistence)

    await app.save_recent()  # what the save window's timer runs
    app.persistence.write_pending()

    stored = SqlPersistence(bot.runtime.engine)  # what a process started now would read
    assert ana.id is not None
    assert stored.load_user_data()[ana.id]["draft"]["answers"]["company"] == "Padaria Central"
    conversations = await stored.get_conversations("flows")
    assert list(conversations.values()) == [newlead.NewLead.ASKING]

