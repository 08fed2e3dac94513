"""Engine settings, sessions, and the errors that mean "the database is not available"."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import Engine, event, text
from sqlalchemy.exc import OperationalError
from sqlmodel import select

from bot.storage.db import (
    DatabaseUnavailable,
    make_engine,
    normalize_url,
    read_only_snapshot,
    read_scope,
    session_scope,
    twin_snapshot,
    upgrade_database,
)
from bot.storage.models import Member


def _pragma(engine: Engine, name: str) -> object:
    with engine.connect() as connection:
        return connection.exec_driver_sql(f"PRAGMA {name}").scalar()


# --- URLs and engines -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "postgres://u:p@db.example:5432/cadencia",
        "postgresql://u:p@db.example:5432/cadencia",
        "postgresql+psycopg://u:p@db.example:5432/cadencia",
    ],
)
def test_postgres_urls_use_psycopg_3(url: str) -> None:
    normalized = normalize_url(url)
    assert normalized.drivername == "postgresql+psycopg"
    assert (normalized.host, normalized.port, normalized.database) == (
        "db.example",
        5432,
        "cadencia",
    )
    engine = make_engine(url)  # does not connect
    assert engine.dialect.driver == "psycopg"
    assert engine.pool._pre_ping


def test_sqlite_pragmas_are_set_on_every_connection(sqlite_engine: Engine) -> None:
    assert _pragma(sqlite_engine, "journal_mode") == "wal"
    assert _pragma(sqlite_engine, "foreign_keys") == 1
    assert _pragma(sqlite_engine, "synchronous") == 1  # NORMAL
    assert _pragma(sqlite_engine, "busy_timeout") == 5000


def test_sqlite_folder_is_created(tmp_path: Path) -> None:
    path = tmp_path / "new" / "folder" / "cadencia.db"
    engine = make_engine(f"sqlite:///{path}")
    try:
        upgrade_database(engine)
    finally:
        engine.dispose()
    assert path.exists()


def test_sqlite_foreign_keys_are_enforced(sqlite_engine: Engine) -> None:
    with pytest.raises(Exception, match="FOREIGN KEY"), session_scope(sqlite_engine) as session:
        session.exec(  # type: ignore[call-overload]
            text(
                "INSERT INTO invites (token, role, created_by, created_at, expires_at) "
                "VALUES ('t', 'rep', 999, '2026-01-01 00:00:00', '2026-01-02 00:00:00')"
            )
        )


def test_in_memory_sqlite_works() -> None:
    engine = make_engine("sqlite://")
    try:
        upgrade_database(engine)
        with session_scope(engine) as session:
            session.add(Member(telegram_id=1, role="rep", first_name="Ana"))
        with session_scope(engine) as session:
            assert session.exec(select(Member)).one().first_name == "Ana"
    finally:
        engine.dispose()


# --- Sessions ---------------------------------------------------------------------------------


def test_session_scope_commits_and_keeps_objects_usable(engine: Engine) -> None:
    with session_scope(engine) as session:
        member = Member(telegram_id=10, role="rep", first_name="Bia")
        session.add(member)
    assert member.id is not None and member.first_name == "Bia"  # not expired after commit
    with session_scope(engine) as session:
        assert session.get(Member, member.id) is not None


def test_session_scope_rolls_back_on_error(engine: Engine) -> None:
    with pytest.raises(RuntimeError, match="boom"), session_scope(engine) as session:
        session.add(Member(telegram_id=11, role="rep", first_name="Caio"))
        session.flush()
        raise RuntimeError("boom")
    with session_scope(engine) as session:
        assert session.exec(select(Member)).all() == []


def test_programming_errors_are_not_disguised(engine: Engine) -> None:
    with pytest.raises(Exception) as caught, session_scope(engine) as session:
        session.exec(text("SELECT * FROM no_such_table"))  # type: ignore[call-overload]
    assert not isinstance(caught.value, DatabaseUnavailable)


# --- Read-only sessions -----------------------------------------------------------------------


def test_a_long_read_never_blocks_a_writer(sqlite_engine: Engine, tmp_path: Path) -> None:
    """While a read_scope transaction is open (a report, an export), the bot still writes.

    The writer's engine has a 200 ms busy timeout: under ``BEGIN IMMEDIATE`` the reader would
    hold the write lock and the write would fail as "locked" after waiting it out.
    """
    writer = make_engine(sqlite_engine.url, busy_timeout_ms=200)
    try:
        with session_scope(sqlite_engine) as session:
            session.add(Member(telegram_id=20, role="rep", first_name="Rui"))
        with read_scope(sqlite_engine) as reader:
            assert len(reader.exec(select(Member)).all()) == 1  # the snapshot starts here
            with session_scope(writer) as session:  # a held write lock would fail this after 200 ms
                session.add(Member(telegram_id=21, role="rep", first_name="Sol"))
            # The reader keeps its snapshot: the new row appears only to later transactions.
            assert len(reader.exec(select(Member)).all()) == 1
        with read_scope(sqlite_engine) as reader:
            assert len(reader.exec(select(Member)).all()) == 2
    finally:
        writer.dispose()


@contextmanager
def sqlite_trace(engine: Engine) -> Iterator[list[str]]:
    """Every statement SQLite itself runs on ``engine``'s connections (BEGINs included)."""
    statements: list[str] = []

    def trace(dbapi_connection: sqlite3.Connection, _record: object) -> None:
        dbapi_connection.set_trace_callback(statements.append)

    engine.dispose()  # new connections, traced from their first statement
    event.listen(engine, "connect", trace)
    try:
        yield statements
    finally:
        event.remove(engine, "connect", trace)
        engine.dispose()


def test_read_scope_takes_no_write_lock_and_commits_nothing(sqlite_engine: Engine) -> None:
    with sqlite_trace(sqlite_engine) as statements:
        with read_scope(sqlite_engine) as session:
            session.add(Member(telegram_id=22, role="rep", first_name="Tito"))
            session.flush()
        assert "BEGIN" in statements and "BEGIN IMMEDIATE" not in statements and "COMMIT" not in statements
        statements.clear()
        with session_scope(sqlite_engine) as session:
            assert session.exec(select(Member)).all() == []  # rolled back
        assert statements[0] == "BEGIN IMMEDIATE"  # ordinary sessions still take the lock


def test_a_fresh_session_can_be_made_read_only(sqlite_engine: Engine) -> None:
    with sqlite_trace(sqlite_engine) as statements:
        with session_scope(sqlite_engine) as session:
            read_only_snapshot(session)
            session.exec(select(Member)).all()
        assert statements[0] == "BEGIN"
        statements.clear()
        with session_scope(sqlite_engine) as session:  # already in a write transaction: kept
            session.exec(select(Member)).all()
            read_only_snapshot(session)
            session.add(Member(telegram_id=23, role="rep", first_name="Ugo"))
        assert statements[0] == "BEGIN IMMEDIATE"


def test_read_scope_on_both_backends(engine: Engine) -> None:
    with session_scope(engine) as session:
        session.add(Member(telegram_id=24, role="rep", first_name="Vera"))
    with read_scope(engine) as session:
        assert [m.first_name for m in session.exec(select(Member))] == ["Vera"]


def test_twin_snapshots_see_the_same_commit_while_writers_commit(sqlite_engine: Engine) -> None:
    """A report reads half its queries on a twin session: both must see one and the same state,
    however busy the writers are."""
    import threading

    stop = threading.Event()

    def write() -> None:
        n = 100
        while not stop.is_set():
            with session_scope(sqlite_engine) as session:
                session.add(Member(telegram_id=n, role="rep", first_name=f"W{n}"))
            n += 1

    writer = threading.Thread(target=write)
    writer.start()
    twins = 0
    try:
        for _ in range(30):
            with read_scope(sqlite_engine) as session, twin_snapshot(session) as twin:
                if twin is None:  # a writer held the lock past the barrier's timeout
                    continue
                twins += 1
                count = "SELECT count(*) FROM members"
                first = session.execute(text(count)).scalar_one()
                time.sleep(0.005)  # writers commit meanwhile
                assert twin.execute(text(count)).scalar_one() == first
                assert session.execute(text(count)).scalar_one() == first
    finally:
        stop.set()
        writer.join()
    assert twins > 0


def test_no_twin_when_it_could_differ_or_cannot_exist(sqlite_engine: Engine, tmp_path: Path) -> None:
    with read_scope(sqlite_engine) as session:
        session.exec(select(Member)).all()  # its snapshot is already taken
        with twin_snapshot(session) as twin:
            assert twin is None
    memory = make_engine("sqlite://")
    try:
        upgrade_database(memory)
        with read_scope(memory) as session, twin_snapshot(session) as twin:
            assert twin is None
    finally:
        memory.dispose()
    holder = sqlite3.connect(str(sqlite_engine.url.database), isolation_level=None)
    try:
        holder.execute("BEGIN IMMEDIATE")  # a writer in the middle of a long write
        started = time.monotonic()
        with read_scope(sqlite_engine) as session, twin_snapshot(session) as twin:
            assert twin is None
            assert session.exec(select(Member)).all() == []  # reading alone still works
        assert time.monotonic() - started < 1
    finally:
        holder.execute("ROLLBACK")
        holder.close()


# --- Database unavailable ---------------------------------------------------------------------


def test_sqlite_folder_that_cannot_be_created(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    with pytest.raises(DatabaseUnavailable) as caught:
        make_engine(f"sqlite:///{blocker / 'sub' / 'cadencia.db'}")
    assert caught.value.reason == "cannot_open"
    assert "banco de dados" in caught.value.user_message
    assert "database" in caught.value.user_message


def test_sqlite_file_that_cannot_be_opened(tmp_path: Path) -> None:
    folder = tmp_path / "is-a-folder.db"
    folder.mkdir()  # a folder where the database file should be: even root cannot open it
    engine = make_engine(f"sqlite:///{folder}")
    try:
        with pytest.raises(DatabaseUnavailable) as caught, session_scope(engine) as session:
            session.exec(select(Member)).all()
        assert caught.value.reason == "cannot_open"
        assert isinstance(caught.value.__cause__, OperationalError)
    finally:
        engine.dispose()


def test_sqlite_lock_held_by_another_connection(sqlite_engine: Engine, tmp_path: Path) -> None:
    url = sqlite_engine.url
    impatient = make_engine(url, busy_timeout_ms=100)
    holder = sqlite3.connect(str(url.database), isolation_level=None)
    try:
        holder.execute("BEGIN EXCLUSIVE")
        started = time.monotonic()
        with pytest.raises(DatabaseUnavailable) as caught, session_scope(impatient) as session:
            session.add(Member(telegram_id=12, role="rep", first_name="Davi"))
        assert caught.value.reason == "locked"
        assert "ocupado" in caught.value.message_pt
        assert time.monotonic() - started < 3
    finally:
        holder.execute("ROLLBACK")
        holder.close()
        impatient.dispose()
    with session_scope(impatient) as session:  # usable again once the lock is gone
        session.add(Member(telegram_id=12, role="rep", first_name="Davi"))


def test_postgres_server_unreachable() -> None:
    import socket

    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    engine = make_engine(f"postgresql://nobody@127.0.0.1:{port}/cadencia")
    try:
        with pytest.raises(DatabaseUnavailable) as caught, session_scope(engine) as session:
            session.exec(select(Member)).all()
        assert caught.value.reason == "unreachable"
        with pytest.raises(DatabaseUnavailable):
            upgrade_database(engine)
    finally:
        engine.dispose()


@pytest.mark.postgres
def test_postgres_lock_timeout_is_unavailable(pg_engine: Engine) -> None:
    with session_scope(pg_engine) as session:
        session.add(Member(telegram_id=13, role="rep", first_name="Eva"))
    with pg_engine.connect() as holder:
        holder.execute(text("LOCK TABLE members IN ACCESS EXCLUSIVE MODE"))
        with pytest.raises(DatabaseUnavailable) as caught, session_scope(pg_engine) as session:
            session.exec(text("SET LOCAL lock_timeout = '100ms'"))  # type: ignore[call-overload]
            session.exec(select(Member)).all()
        assert caught.value.reason == "locked"
        holder.rollback()
