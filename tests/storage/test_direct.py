"""Driver-direct statements: same stored values as the ORM, same transaction and error rules."""

from __future__ import annotations

import sqlite3
import time
from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import JSON, Engine, bindparam, text
from sqlmodel import select

from bot.storage.db import DatabaseUnavailable, make_engine, session_scope
from bot.storage.direct import DirectStatement, direct_transaction
from bot.storage.models import BotState
from bot.storage.types import NaiveDatetimeError, UTCDateTime

UPSERT = text(
    "INSERT INTO bot_state (kind, key, value, updated_at) VALUES (:kind, :key, :value, :at) "
    "ON CONFLICT (kind, key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at"
).bindparams(bindparam("value", type_=JSON()), bindparam("at", type_=UTCDateTime()))
SELECT = text("SELECT value, updated_at FROM bot_state WHERE kind = :kind AND key = :key")
SAO_PAULO = timezone(timedelta(hours=-3))


def _upsert(engine: Engine, key: str, value: object, at: datetime) -> None:
    statement = DirectStatement(UPSERT, engine.dialect)
    with direct_transaction(engine) as cursor:
        statement.execute(cursor, {"kind": "test", "key": key, "value": value, "at": at})


def test_what_a_direct_statement_stores_reads_back_through_the_orm(engine: Engine) -> None:
    draft = {"company": "Padaria São João", "answers": {"uf": "SP"}, "index": 3}
    _upsert(engine, "1", draft, datetime(2026, 11, 23, 10, 0, tzinfo=SAO_PAULO))

    with session_scope(engine) as session:
        row = session.exec(select(BotState).where(BotState.kind == "test")).one()
    assert row.value == draft
    assert row.updated_at == datetime(2026, 11, 23, 13, 0, tzinfo=UTC)  # stored in UTC


def test_a_direct_read_converts_values_like_the_orm(engine: Engine) -> None:
    _upsert(engine, "1", ["a", 1], datetime(2026, 11, 23, 13, 0, tzinfo=UTC))
    read = DirectStatement(SELECT, engine.dialect, result_types=(JSON(), UTCDateTime()))
    with direct_transaction(engine, read_only=True) as cursor:
        rows = read.rows(cursor, {"kind": "test", "key": "1"})
    assert rows == [(["a", 1], datetime(2026, 11, 23, 13, 0, tzinfo=UTC))]


def test_a_naive_datetime_is_refused_before_anything_is_written(engine: Engine) -> None:
    with pytest.raises(NaiveDatetimeError):
        _upsert(engine, "1", {}, datetime(2026, 11, 23, 13, 0))
    with session_scope(engine) as session:
        assert session.exec(select(BotState).where(BotState.kind == "test")).all() == []


def test_an_error_rolls_the_whole_transaction_back(engine: Engine) -> None:
    statement = DirectStatement(UPSERT, engine.dialect)
    at = datetime(2026, 11, 23, 13, 0, tzinfo=UTC)
    with pytest.raises(RuntimeError), direct_transaction(engine) as cursor:
        statement.execute(cursor, {"kind": "test", "key": "1", "value": {}, "at": at})
        raise RuntimeError("the handler failed after the first write")
    with session_scope(engine) as session:
        assert session.exec(select(BotState).where(BotState.kind == "test")).all() == []
    _upsert(engine, "2", {}, at)  # the connection went back to the pool in a usable state
    with session_scope(engine) as session:
        assert [row.key for row in session.exec(select(BotState).where(BotState.kind == "test"))] == ["2"]


def test_a_locked_sqlite_database_is_reported_as_busy(sqlite_engine: Engine) -> None:
    impatient = make_engine(sqlite_engine.url, busy_timeout_ms=100)
    holder = sqlite3.connect(str(sqlite_engine.url.database), isolation_level=None)
    try:
        holder.execute("BEGIN EXCLUSIVE")
        started = time.monotonic()
        with pytest.raises(DatabaseUnavailable) as caught:
            _upsert(impatient, "1", {}, datetime(2026, 11, 23, 13, 0, tzinfo=UTC))
        assert caught.value.reason == "locked"
        assert time.monotonic() - started < 3
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    _upsert(impatient, "1", {}, datetime(2026, 11, 23, 13, 0, tzinfo=UTC))  # works once the lock is gone
    impatient.dispose()


def test_a_bug_in_the_sql_is_not_mistaken_for_a_busy_database(engine: Engine) -> None:
    broken = DirectStatement(text("SELECT nothing FROM no_such_table"), engine.dialect)
    with pytest.raises(Exception) as caught, direct_transaction(engine) as cursor:
        broken.rows(cursor)
    assert not isinstance(caught.value, DatabaseUnavailable)
