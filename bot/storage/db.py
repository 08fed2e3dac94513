"""Engines, sessions and migrations.

- :func:`make_engine` builds the engine for a ``DATABASE_URL`` (SQLite file or PostgreSQL).
- :func:`session_scope` is the unit of work: commit on success, roll back on error.
- :func:`read_scope` is a read-only session for long reads (reports, exports): on SQLite it
  takes no write lock, so the bot's writers never wait for it.
- :func:`upgrade_database` runs ``alembic upgrade head`` (at bot start, and in tests).
- :class:`DatabaseUnavailable` is what callers catch to answer "try again in a moment" when the
  database is missing, locked or unreachable; any other database error is a bug and propagates.

SQLite is tuned for a bot that writes from several threads: WAL journal (readers never block
the writer), ``synchronous=NORMAL`` (safe with WAL), foreign keys enforced, a busy timeout, and
every transaction opened with ``BEGIN IMMEDIATE``, so two writers queue on the busy timeout
instead of failing with "database is locked" when a read transaction upgrades to a write.
The exception is :func:`read_scope`: its transactions start with a plain (deferred) ``BEGIN``,
a snapshot that in WAL mode neither waits for nor blocks the writer, however long it lasts.

Long because engines, sessions and migrations are one concern here: the SQLite tuning, the
transaction kinds and the schema checks at start all depend on how the engine is built.
"""

from __future__ import annotations

import ast
import re
import sqlite3
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import URL, Connection, make_url
from sqlalchemy.pool import StaticPool
from sqlmodel import Session

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS_DIR: Final = Path(__file__).resolve().parent / "migrations"
"""Alembic scripts, found next to this module so an installed wheel works from any directory."""

READ_ONLY_OPTION: Final = "cadencia_readonly"
"""Execution option of :func:`read_scope` connections: SQLite opens them with a deferred
``BEGIN`` instead of ``BEGIN IMMEDIATE``."""

DEFAULT_BUSY_TIMEOUT_MS: Final = 5000
PG_CONNECT_TIMEOUT_S: Final = 5


# --- Errors -----------------------------------------------------------------------------------


class DatabaseUnavailable(RuntimeError):
    """The database cannot be used right now: missing, locked, read-only or unreachable.

    ``reason`` is a short code for logs (``locked``, ``unreachable``, ``cannot_open``,
    ``read_only``, ``full``); ``user_message`` is a short bilingual line for the chat or the
    console. The original driver error is chained as ``__cause__``.
    """

    MESSAGES: Final = {
        "locked": (
            "O banco de dados está ocupado. Tente de novo em instantes.",
            "The database is busy. Please try again in a moment.",
        ),
        "unreachable": (
            "Não consegui falar com o banco de dados. Tente de novo em instantes.",
            "Could not reach the database. Please try again in a moment.",
        ),
        "cannot_open": (
            "Não consegui abrir o banco de dados. Avise o administrador.",
            "Could not open the database. Please tell the administrator.",
        ),
        "read_only": (
            "O banco de dados está somente leitura. Avise o administrador.",
            "The database is read-only. Please tell the administrator.",
        ),
        "full": (
            "O disco do banco de dados está cheio. Avise o administrador.",
            "The database disk is full. Please tell the administrator.",
        ),
    }

    def __init__(self, reason: str, detail: str = "") -> None:
        self.reason = reason
        self.detail = detail
        self.message_pt, self.message_en = self.MESSAGES.get(reason, self.MESSAGES["unreachable"])
        super().__init__(f"database unavailable ({reason}): {detail}" if detail else reason)

    @property
    def user_message(self) -> str:
        """Portuguese first (the team's language), English after, on one line each."""
        return f"{self.message_pt}\n{self.message_en}"


_SQLITE_UNAVAILABLE: Final = (
    ("database is locked", "locked"),
    ("database table is locked", "locked"),
    ("unable to open database file", "cannot_open"),
    ("readonly database", "read_only"),
    ("disk i/o error", "cannot_open"),
    ("database or disk is full", "full"),
    ("file is not a database", "cannot_open"),
)


def unavailable_reason(error: BaseException) -> str | None:
    """The :class:`DatabaseUnavailable` reason for a driver error, or ``None`` for a real bug.

    SQLite's ``OperationalError`` also covers "no such table" or syntax errors, so only the
    messages about files and locks count. For PostgreSQL every ``OperationalError`` (connection
    refused or lost, server shutting down, lock or statement timeout) counts.
    """
    if isinstance(error, sa_exc.TimeoutError):  # the pool had no connection to give
        return "locked"
    if not isinstance(error, sa_exc.DBAPIError):
        return None
    if error.connection_invalidated:
        return "unreachable"
    original = error.orig
    if isinstance(original, sqlite3.Error):
        text = str(original).lower()
        for fragment, reason in _SQLITE_UNAVAILABLE:
            if fragment in text:
                return reason
        return None
    if isinstance(error, sa_exc.OperationalError):
        sqlstate = getattr(original, "sqlstate", None)
        if sqlstate in {"55P03", "57014", "40P01"}:  # lock timeout, statement timeout, deadlock
            return "locked"
        return "unreachable"
    return None


@contextmanager
def translate_errors() -> Iterator[None]:
    """Turn "the database is not there / busy" driver errors into :class:`DatabaseUnavailable`."""
    try:
        yield
    except (sa_exc.DBAPIError, sa_exc.TimeoutError) as error:
        reason = unavailable_reason(error)
        if reason is None:
            raise
        raise DatabaseUnavailable(reason, str(getattr(error, "orig", error))) from error


# --- Engine -----------------------------------------------------------------------------------


def normalize_url(url: str | URL) -> URL:
    """Parse ``url``; bare ``postgres://`` and ``postgresql://`` URLs get the psycopg 3 driver."""
    parsed = make_url(url)
    if parsed.drivername in {"postgres", "postgresql"}:
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed


def _sqlite_file(url: URL) -> Path | None:
    """The database file of a SQLite URL, or ``None`` for an in-memory or URI database."""
    database = url.database
    if not database or database == ":memory:" or database.startswith("file:"):
        return None
    return Path(database).expanduser()


def make_engine(url: str | URL, *, busy_timeout_ms: int = DEFAULT_BUSY_TIMEOUT_MS, echo: bool = False) -> Engine:
    """The engine for ``url`` (a SQLite file or a PostgreSQL server).

    The folder of a SQLite file is created if missing; if that is impossible,
    :class:`DatabaseUnavailable` is raised right away. Nothing else connects yet.
    """
    parsed = normalize_url(url)
    if parsed.get_backend_name() == "sqlite":
        return _make_sqlite_engine(parsed, busy_timeout_ms=busy_timeout_ms, echo=echo)
    connect_args: dict[str, Any] = {}
    if parsed.get_backend_name() == "postgresql":
        connect_args["connect_timeout"] = PG_CONNECT_TIMEOUT_S
    return create_engine(parsed, echo=echo, pool_pre_ping=True, connect_args=connect_args)


def _make_sqlite_engine(url: URL, *, busy_timeout_ms: int, echo: bool) -> Engine:
    path = _sqlite_file(url)
    extra: dict[str, Any] = {}
    if path is None:
        extra["poolclass"] = StaticPool  # one shared in-memory database
    else:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise DatabaseUnavailable("cannot_open", f"cannot create the folder of {path}: {error}") from error
    engine = create_engine(
        url,
        echo=echo,
        connect_args={"check_same_thread": False, "timeout": busy_timeout_ms / 1000},
        **extra,
    )

    @event.listens_for(engine, "connect")
    def _configure_sqlite(dbapi_connection: sqlite3.Connection, _record: Any) -> None:
        # SQLAlchemy emits BEGIN itself (below); pysqlite's own transaction handling is off.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute(f"PRAGMA busy_timeout = {int(busy_timeout_ms)}")
            if path is not None:
                cursor.execute("PRAGMA journal_mode = WAL")
            cursor.execute("PRAGMA synchronous = NORMAL")
            cursor.execute("PRAGMA foreign_keys = ON")
        finally:
            cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(connection: Connection) -> None:
        # Writers take the write lock up front (they queue on the busy timeout instead of
        # failing on a read-to-write upgrade); read-only transactions take no lock at all.
        # Straight to the driver: this runs for every transaction, and going through
        # ``exec_driver_sql`` (events, execution context) would cost as much as the work.
        # Its errors (a lock held too long) are wrapped as SQLAlchemy would wrap them.
        driver = connection.connection.driver_connection
        assert driver is not None
        statement = "BEGIN" if connection.get_execution_options().get(READ_ONLY_OPTION) else "BEGIN IMMEDIATE"
        try:
            driver.execute(statement)
        except sqlite3.Error as error:
            raise sa_exc.DBAPIError.instance(statement, None, error, sqlite3.Error) from error

    return engine


# --- Sessions ---------------------------------------------------------------------------------


@contextmanager
def session_scope(engine: Engine) -> Iterator[Session]:
    """A session that commits when the block ends and rolls back if it raises.

    Objects stay usable after the block (``expire_on_commit=False``), so a handler can load,
    commit, then render. Lock and connection failures surface as :class:`DatabaseUnavailable`.
    """
    with translate_errors(), Session(engine, expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


@contextmanager
def savepoint(session: Session) -> Iterator[None]:
    """A part of the caller's transaction that can fail alone: if the block raises, only what it
    wrote is undone (a ``SAVEPOINT``), and the error goes on to the caller."""
    with session.begin_nested():
        yield


def read_only(engine: Engine) -> Engine:
    """``engine`` whose transactions are read-only snapshots (see :func:`read_scope`)."""
    return engine.execution_options(**{READ_ONLY_OPTION: True})


@contextmanager
def read_scope(engine: Engine) -> Iterator[Session]:
    """A session for reading only, for as long as needed (a report, an export).

    On SQLite its transaction starts with a deferred ``BEGIN``: in WAL mode it reads one
    consistent snapshot and never blocks the bot's writers (nor waits for them), where a
    :func:`session_scope` would hold the write lock for the whole read. Nothing is ever
    committed: the block ends with a rollback. On PostgreSQL it is an ordinary transaction.
    """
    with translate_errors(), Session(read_only(engine), expire_on_commit=False) as session:
        try:
            yield session
        finally:
            session.rollback()


def read_only_snapshot(session: Session) -> None:
    """Make ``session``'s next transaction read-only (deferred ``BEGIN`` on SQLite), unless it
    already holds a connection — then it keeps the transaction it has."""
    with warnings.catch_warnings():
        # "execution_options ignored": the session already had its connection; keep it.
        warnings.simplefilter("ignore", sa_exc.SAWarning)
        session.connection(execution_options={READ_ONLY_OPTION: True})


TWIN_BARRIER_TIMEOUT_S: Final = 0.05
"""How long :func:`twin_snapshot` waits for a writer to finish before giving up on a twin."""


@contextmanager
def twin_snapshot(session: Session) -> Iterator[Session | None]:
    """A second read-only session that sees exactly what ``session`` sees, to read in parallel.

    SQLite file databases only, and only when ``session`` has not begun yet (its snapshot is
    taken here); otherwise, or if a writer holds the lock for more than
    :data:`TWIN_BARRIER_TIMEOUT_S`, it yields ``None`` and the caller reads on ``session`` alone.

    Both snapshots are taken while a separate connection holds the write lock for a moment (a
    ``BEGIN IMMEDIATE`` then a rollback): no commit can land between them, and in WAL mode
    taking a snapshot needs no lock, so this lasts a few milliseconds. From then on neither
    session blocks a writer.
    """
    twin = _twin(session)
    try:
        yield twin
    finally:
        if twin is not None:
            twin.rollback()
            twin.close()


def _twin(session: Session) -> Session | None:
    engine = session.get_bind()
    if not isinstance(engine, Engine) or engine.dialect.name != "sqlite" or session.in_transaction():
        return None
    path = _sqlite_file(engine.url)
    if path is None:  # in memory: one shared connection
        return None
    twin = Session(read_only(engine), expire_on_commit=False)
    with translate_errors():
        read_only_snapshot(session)  # both connections checked out: BEGIN, no snapshot yet
        twin.connection()
        barrier = sqlite3.connect(str(path), timeout=TWIN_BARRIER_TIMEOUT_S, isolation_level=None)
        try:
            try:
                barrier.execute("BEGIN IMMEDIATE")
            except sqlite3.OperationalError:  # a writer is busy: no twin this time
                twin.close()
                return None
            try:
                for reader in (session, twin):  # the first read fixes each snapshot
                    reader.execute(text("SELECT 1 FROM members LIMIT 1"))
            finally:
                barrier.execute("ROLLBACK")
        finally:
            barrier.close()
    return twin


# --- Migrations -------------------------------------------------------------------------------


def alembic_config(url: str | URL | None = None) -> Config:
    """Alembic configuration built in code: no ``alembic.ini`` or working directory needed."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("path_separator", "os")
    if url is not None:
        rendered = normalize_url(url).render_as_string(hide_password=False)
        config.set_main_option("sqlalchemy.url", rendered.replace("%", "%%"))
    return config


def upgrade_database(engine_or_url: Engine | str | URL, *, revision: str = "head") -> None:
    """Bring the schema to ``revision`` (default: the newest). Safe to call at every start: a
    database already at the newest revision is left alone without loading Alembic (each
    ``cadencia`` command calls this; Alembic and its scripts cost more than the command)."""
    owns_engine = not isinstance(engine_or_url, Engine)
    engine = make_engine(engine_or_url) if not isinstance(engine_or_url, Engine) else engine_or_url
    try:
        if revision == "head" and _at_head(engine):
            return
        from alembic import command

        with translate_errors(), engine.begin() as connection:
            config = alembic_config()
            config.attributes["connection"] = connection
            command.upgrade(config, revision)
    finally:
        if owns_engine:
            engine.dispose()


_REVISION_LINE = re.compile(r"^(revision|down_revision)\b[^=\n]*=\s*(.+?)\s*$", re.MULTILINE)


def _heads_on_disk() -> set[str] | None:
    """The newest revisions among the migration scripts, read as text (Alembic imports every
    script); None when a script is written in a way this reading does not follow."""
    revisions: set[str] = set()
    parents: set[str] = set()
    for path in (MIGRATIONS_DIR / "versions").glob("*.py"):
        lines = dict(_REVISION_LINE.findall(path.read_text(encoding="utf-8")))
        try:
            revision = ast.literal_eval(lines["revision"])
            down = ast.literal_eval(lines.get("down_revision", "None"))
        except (KeyError, ValueError, SyntaxError):
            return None
        if not isinstance(revision, str):
            return None
        revisions.add(revision)
        parents.update(down if isinstance(down, tuple | list) else [down] if down else [])
    return revisions - parents


def _at_head(engine: Engine) -> bool:
    """True when the database is at the newest revision of the scripts (when in doubt, False:
    Alembic then decides)."""
    heads = _heads_on_disk()
    if not heads:
        return False
    with translate_errors(), read_only(engine).connect() as connection:
        try:
            current = set(connection.execute(text("SELECT version_num FROM alembic_version")).scalars())
        except sa_exc.DBAPIError as error:
            if unavailable_reason(error) is not None:
                raise
            return False  # no alembic_version table: never migrated
    return current == heads


def ping(engine: Engine) -> None:
    """One round trip to the database (``SELECT 1``); :class:`DatabaseUnavailable` if it fails."""
    with translate_errors(), engine.connect() as connection:
        connection.exec_driver_sql("SELECT 1")


def schema_revision(engine: Engine) -> str | None:
    """The schema revision the database is at (``None``: never migrated)."""
    from alembic.runtime.migration import MigrationContext

    with translate_errors(), engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def known_revisions() -> list[str]:
    """The schema revisions this version of Cadência knows, oldest first."""
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(alembic_config())
    return [revision.revision for revision in reversed(list(script.walk_revisions()))]


def head_revision() -> str:
    """The newest schema revision this version of Cadência migrates to."""
    return known_revisions()[-1]
