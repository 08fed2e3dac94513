"""Shared fixtures. Each group below is owned by one part of the code base; keep them grouped."""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.engine import URL
from sqlmodel import Session

from bot.storage.db import make_engine, normalize_url, upgrade_database
from tests.storage.pg_cluster import PostgresUnavailable, start_cluster

# =============================================================================================
# Database fixtures (bot.storage)
#
#   sqlite_engine        engine on a fresh, migrated SQLite file (per test)
#   pg_engine            engine on a fresh, migrated PostgreSQL database (per test); mark the
#                        test (or module) with @pytest.mark.postgres when using it directly
#   engine               parametrized over both: every test using it runs on SQLite and on
#                        PostgreSQL (the PostgreSQL case carries the `postgres` mark)
#   db_session           a Session on `engine` (nothing committed is shared between tests)
#   empty_database_url   URL of an empty, unmigrated database, on both backends
#   pg_server_url        superuser URL of the PostgreSQL server's maintenance database
#
# PostgreSQL is a real server: DATABASE_URL_TEST_PG if set (the user needs CREATEDB), otherwise
# a throw-away cluster started for the session (see tests/storage/pg_cluster.py), installed
# with apt-get if missing and running as root. If that is impossible the PostgreSQL tests are
# skipped, or fail when CI is set (CI must never silently skip them). `-m "not postgres"`
# deselects them.
#
# Migrations run once per backend per session, into a template (a SQLite file that is copied,
# a PostgreSQL database used as TEMPLATE), so a fresh database per test costs a few ms.
# =============================================================================================


def _in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in {"", "0", "false", "no"}


@pytest.fixture(scope="session")
def pg_server_url() -> Iterator[URL]:
    external = os.environ.get("DATABASE_URL_TEST_PG")
    if external:
        yield normalize_url(external)
        return
    try:
        cluster = start_cluster()
    except PostgresUnavailable as error:
        message = f"PostgreSQL for the tests is unavailable: {error}"
        if _in_ci():
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    try:
        yield cluster.url
    finally:
        cluster.stop()


@pytest.fixture(scope="session")
def _pg_admin(pg_server_url: URL) -> Iterator[Engine]:
    """Autocommit engine on the maintenance database, for CREATE/DROP DATABASE."""
    admin = make_engine(pg_server_url).execution_options(isolation_level="AUTOCOMMIT")
    try:
        with admin.connect():
            pass
    except Exception as error:
        message = f"cannot connect to the PostgreSQL test server {pg_server_url!r}: {error}"
        if _in_ci():
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    yield admin
    admin.dispose()


def _create_database(admin: Engine, name: str, template: str | None = None) -> None:
    with admin.connect() as connection:
        clause = ""
        if template is not None:
            clause = f' TEMPLATE "{template}"'
            if admin.dialect.server_version_info and admin.dialect.server_version_info >= (15,):
                clause += " STRATEGY FILE_COPY"  # faster than WAL_LOG for a tiny database
        connection.execute(text(f'CREATE DATABASE "{name}"{clause}'))


def _drop_database(admin: Engine, name: str) -> None:
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture(scope="session")
def _pg_template(_pg_admin: Engine, pg_server_url: URL) -> Iterator[str]:
    """A migrated database that every `pg_engine` database is copied from."""
    name = f"cadencia_template_{uuid.uuid4().hex[:8]}"
    _create_database(_pg_admin, name)
    try:
        upgrade_database(pg_server_url.set(database=name))  # disposes its engine: no sessions
        yield name
    finally:
        _drop_database(_pg_admin, name)


@pytest.fixture
def pg_engine(_pg_admin: Engine, _pg_template: str, pg_server_url: URL) -> Iterator[Engine]:
    name = f"cadencia_test_{uuid.uuid4().hex[:12]}"
    _create_database(_pg_admin, name, template=_pg_template)
    engine = make_engine(pg_server_url.set(database=name))
    try:
        yield engine
    finally:
        engine.dispose()
        _drop_database(_pg_admin, name)


@pytest.fixture(scope="session")
def _sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite file; closing the engine checkpoints the WAL into it."""
    path = tmp_path_factory.mktemp("sqlite-template") / "template.db"
    engine = make_engine(f"sqlite:///{path}")
    upgrade_database(engine)
    engine.dispose()
    return path


@pytest.fixture
def sqlite_engine(_sqlite_template: Path, tmp_path: Path) -> Iterator[Engine]:
    path = tmp_path / "cadencia.db"
    shutil.copyfile(_sqlite_template, path)
    engine = make_engine(f"sqlite:///{path}")
    try:
        yield engine
    finally:
        engine.dispose()


_BACKENDS = [
    pytest.param("sqlite", id="sqlite"),
    pytest.param("postgres", id="postgres", marks=pytest.mark.postgres),
]


@pytest.fixture(params=_BACKENDS)
def engine(request: pytest.FixtureRequest) -> Engine:
    fixture = "pg_engine" if request.param == "postgres" else "sqlite_engine"
    result: Engine = request.getfixturevalue(fixture)
    return result


@pytest.fixture
def db_session(engine: Engine) -> Iterator[Session]:
    with Session(engine, expire_on_commit=False) as session:
        yield session


@pytest.fixture(params=_BACKENDS)
def empty_database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'empty.db'}"
        return
    admin: Engine = request.getfixturevalue("_pg_admin")
    server: URL = request.getfixturevalue("pg_server_url")
    name = f"cadencia_empty_{uuid.uuid4().hex[:12]}"
    _create_database(admin, name)
    try:
        yield server.set(database=name).render_as_string(hide_password=False)
    finally:
        _drop_database(admin, name)


# ============================================================================ end of database
