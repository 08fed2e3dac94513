"""The ``bot_state`` table: python-telegram-bot's conversation states and user data, one JSON
row per ``(kind, key)`` (see :class:`bot.tg.persistence.SqlPersistence` for what the kinds and
keys are).

Keyword-only functions, the session first, and :class:`BotStateStore`, which runs them in a
transaction of their own on an engine: the store :mod:`bot.wiring` gives the persistence.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, bindparam, select, text
from sqlalchemy.engine import Engine
from sqlmodel import Session, col

from bot.storage.db import read_scope, session_scope
from bot.storage.models import BotState, utcnow
from bot.storage.types import UTCDateTime

_UPSERT = text(
    "INSERT INTO bot_state (kind, key, value, updated_at) VALUES (:kind, :key, :value, :at) "
    "ON CONFLICT (kind, key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at"
).bindparams(bindparam("at", type_=UTCDateTime()), bindparam("value", type_=JSON()))
"""SQLite and PostgreSQL both write ``ON CONFLICT … DO UPDATE`` this way."""
_DELETE = text("DELETE FROM bot_state WHERE kind = :kind AND key = :key")


def rows_of(session: Session, *, kind: str) -> dict[str, Any]:
    """Every row of ``kind``: its value by key."""
    statement = select(col(BotState.key), col(BotState.value)).where(col(BotState.kind) == kind)
    return {str(key): value for key, value in session.execute(statement)}


def put(session: Session, *, kind: str, key: str, value: Any, at: datetime) -> None:
    """Store ``value`` (anything JSON can hold) under ``(kind, key)``, replacing what was there."""
    session.execute(_UPSERT, {"kind": kind, "key": key, "value": value, "at": at})


def remove(session: Session, *, kind: str, key: str) -> None:
    """Delete the row of ``(kind, key)``, if there is one."""
    session.execute(_DELETE, {"kind": kind, "key": key})


class BotStateStore:
    """The table on ``engine``, each call one transaction."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def load(self, kind: str) -> dict[str, Any]:
        with read_scope(self._engine) as session:
            return rows_of(session, kind=kind)

    def save(self, changes: Mapping[tuple[str, str], Any | None]) -> None:
        """Write ``changes`` (``(kind, key)`` → value; ``None`` deletes the row) together.

        Raises :class:`~bot.storage.db.DatabaseUnavailable` when the database refuses the write
        (nothing of ``changes`` is written then).
        """
        with session_scope(self._engine) as session:
            at = utcnow()
            for (kind, key), value in changes.items():
                if value is None:
                    remove(session, kind=kind, key=key)
                else:
                    put(session, kind=kind, key=key, value=value, at=at)
