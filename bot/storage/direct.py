"""Statements run straight on the driver connection, for the few per-update hot paths.

SQLAlchemy's execution machinery (events, execution context, result wrapping) costs 50–100 µs
per statement on a small server: more than SQLite takes to run the statement itself, and
several times the whole per-update budget of a chat bot that answers every message. The
conversation-state writes of :mod:`bot.tg.persistence` therefore go through this module; every
other read and write, the per-update ones included (bench/latency.py showed no cost a user
feels), uses sessions and the storage module of its aggregate.

- :class:`DirectStatement` is a SQLAlchemy statement compiled **once** for the engine's dialect:
  the SQL text, the placeholder style and the bind/result processors (``JSON``,
  :class:`~bot.storage.types.UTCDateTime`) are SQLAlchemy's own, so what is stored is exactly
  what the ORM would store and read back.
- :func:`direct_transaction` is a transaction on a pooled driver connection with the same
  rules as :func:`~bot.storage.db.session_scope`: SQLite writers begin with ``BEGIN
  IMMEDIATE``, commit on success, roll back on error, and driver errors become the same
  SQLAlchemy exceptions (so :class:`~bot.storage.db.DatabaseUnavailable` still tells "busy"
  from "bug"), with a lost PostgreSQL connection invalidated in the pool.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import Dialect, Engine
from sqlalchemy.engine.interfaces import DBAPICursor
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.expression import ClauseElement
from sqlalchemy.types import TypeEngine

from bot.storage.db import translate_errors

Processor = Callable[[Any], Any]


class DirectStatement:
    """``statement`` compiled once for ``dialect``, ready to run on a driver cursor.

    Args:
        statement: a ``text()`` with ``:name`` parameters (typed with ``bindparams`` where the
            value needs converting) or a Core statement whose parameters are ``bindparam(name)``
            (values written in it, like ``column != "won"``, are sent as they are; no ``IN``
            lists, which SQLAlchemy expands per execution).
        dialect: the engine's dialect.
        result_types: the type of each selected column, in order, when values need converting
            on the way back (``None`` where the driver's value is already right).
    """

    def __init__(
        self,
        statement: ClauseElement,
        dialect: Dialect,
        result_types: Sequence[TypeEngine[Any] | None] = (),
    ) -> None:
        compiled = statement.compile(dialect=dialect)
        assert isinstance(compiled, SQLCompiler)
        self.sql = compiled.string
        self._order: tuple[str, ...] | None = tuple(compiled.positiontup or ()) if dialect.positional else None
        self._bind: dict[str, Processor] = {}
        self._fixed: dict[str, Any] = {}  # values written in the statement itself (``stage != "won"``)
        for bind, name in compiled.bind_names.items():
            processor = bind.type.dialect_impl(dialect).bind_processor(dialect)
            if processor is not None:
                self._bind[name] = processor
            if not bind.required:
                self._fixed[name] = bind.effective_value
        self._results: list[Processor | None] = [
            None if kind is None else kind.dialect_impl(dialect).result_processor(dialect, None)
            for kind in result_types
        ]

    def parameters(self, values: Mapping[str, Any]) -> Sequence[Any] | dict[str, Any]:
        """The driver's parameters for ``values`` (by name), converted and in placeholder order."""
        given = {**self._fixed, **values} if self._fixed else values
        converted = {name: self._bind[name](value) if name in self._bind else value for name, value in given.items()}
        if self._order is None:
            return converted
        return [converted[name] for name in self._order]

    def execute(self, cursor: DBAPICursor, values: Mapping[str, Any] | None = None) -> DBAPICursor:
        cursor.execute(self.sql, self.parameters(values or {}))
        return cursor

    def rows(self, cursor: DBAPICursor, values: Mapping[str, Any] | None = None) -> list[tuple[Any, ...]]:
        """Run the statement and return every row, each value converted by its result type."""
        rows = self.execute(cursor, values).fetchall()
        if not any(self._results):
            return [tuple(row) for row in rows]
        processors = self._results
        return [
            tuple(
                value if index >= len(processors) or processors[index] is None else processors[index](value)  # type: ignore[misc]
                for index, value in enumerate(row)
            )
            for row in rows
        ]


@contextmanager
def direct_transaction(engine: Engine, *, read_only: bool = False) -> Iterator[DBAPICursor]:
    """A transaction on a pooled driver connection, yielding its cursor.

    Commits when the block ends, rolls back if it raises. On SQLite a writer starts with
    ``BEGIN IMMEDIATE`` (like every session of this project) and ``read_only=True`` with a
    deferred ``BEGIN`` (a snapshot that takes no lock). Driver errors are raised as
    SQLAlchemy's ``DBAPIError`` family, inside :func:`~bot.storage.db.translate_errors`.
    """
    dialect = engine.dialect
    driver_error: type[Exception] = dialect.loaded_dbapi.Error
    with translate_errors():
        connection = engine.raw_connection()
        cursor = None
        try:
            cursor = connection.cursor()
            if dialect.name == "sqlite":
                cursor.execute("BEGIN" if read_only else "BEGIN IMMEDIATE")
            try:
                yield cursor
            except BaseException:
                connection.rollback()
                raise
            connection.commit()
        except driver_error as error:
            invalidated = dialect.is_disconnect(error, connection.dbapi_connection, cursor)  # type: ignore[arg-type]
            if invalidated:
                connection.invalidate(error)
            raise sa_exc.DBAPIError.instance(
                None, None, error, driver_error, connection_invalidated=invalidated, dialect=dialect
            ) from error
        finally:
            if cursor is not None:
                cursor.close()
            connection.close()  # back to the pool
