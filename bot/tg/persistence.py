"""PTB persistence in the bot's own database, so a restart loses no conversation.

Conversation states and user data (the /novo draft, for instance) are stored as JSON rows in
``bot_state``. :class:`WriteThroughApplication` saves them after every update instead of on a
timer, so even a crash right after an answer keeps it.
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import JSON, String, bindparam, text
from sqlalchemy.engine import Engine
from telegram.ext import Application, BasePersistence, PersistenceInput
from telegram.ext._utils.types import CDCData, ConversationDict, ConversationKey

from bot.storage.db import translate_errors
from bot.storage.models import utcnow
from bot.storage.types import UTCDateTime

USER = "user"
_SELECT = text("SELECT key, value FROM bot_state WHERE kind = :kind").columns(key=String(), value=JSON())
_DELETE = text("DELETE FROM bot_state WHERE kind = :kind AND key = :key")
_UPSERT = text(
    "INSERT INTO bot_state (kind, key, value, updated_at) VALUES (:kind, :key, :value, :at) "
    "ON CONFLICT (kind, key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at"
).bindparams(bindparam("at", type_=UTCDateTime()), bindparam("value", type_=JSON()))
CONVERSATION = "conversation:"


class SqlPersistence(BasePersistence[dict[str, Any], dict[str, Any], dict[str, Any]]):
    """User data and conversations in the ``bot_state`` table (chat/bot/callback data unused)."""

    def __init__(self, engine: Engine) -> None:
        super().__init__(
            store_data=PersistenceInput(bot_data=False, chat_data=False, user_data=True, callback_data=False),
            update_interval=5,
        )
        self._engine = engine
        self._written: dict[tuple[str, str], str] = {}
        self._pending: dict[tuple[str, str], str | None] = {}

    # --------------------------------------------------------------- storage primitives

    def _load(self, kind: str) -> dict[str, Any]:
        with self._engine.connect() as connection:
            rows = connection.execute(_SELECT, {"kind": kind}).all()
        loaded = {key: value for key, value in rows}
        for key, value in loaded.items():
            self._written[(kind, key)] = json.dumps(value, sort_keys=True, default=str)
        return loaded

    def _save(self, kind: str, key: str, value: Any | None) -> None:
        """Queue a change; :meth:`write_pending` stores every queued change in one transaction."""
        encoded = None if value is None else json.dumps(value, sort_keys=True, default=str)
        if self._written.get((kind, key)) == encoded:
            return  # unchanged: nothing to write
        self._pending[(kind, key)] = encoded

    def write_pending(self) -> None:
        if not self._pending:
            return
        pending, self._pending = self._pending, {}
        # SQLAlchemy Core, not an ORM session: this runs after every update, and a Core
        # transaction costs half as much.
        try:
            with translate_errors(), self._engine.begin() as connection:
                for (kind, key), encoded in pending.items():
                    if encoded is None:
                        connection.execute(_DELETE, {"kind": kind, "key": key})
                    else:
                        connection.execute(
                            _UPSERT, {"kind": kind, "key": key, "value": json.loads(encoded), "at": utcnow()}
                        )
        except Exception:
            # Keep the changes for the next try (newer ones, queued meanwhile, win).
            self._pending = {**pending, **self._pending}
            raise
        for (kind, key), encoded in pending.items():
            if encoded is None:
                self._written.pop((kind, key), None)
            else:
                self._written[(kind, key)] = encoded

    async def _run(self, fn: Any, *args: Any) -> Any:
        # Inline: queueing a change costs microseconds; the write happens once per update.
        return fn(*args)

    # --------------------------------------------------------------- user data

    async def get_user_data(self) -> dict[int, dict[str, Any]]:
        loaded = await self._run(self._load, USER)
        return {int(k): v for k, v in loaded.items()}

    async def update_user_data(self, user_id: int, data: dict[str, Any]) -> None:
        await self._run(self._save, USER, str(user_id), data or None)

    async def refresh_user_data(self, user_id: int, user_data: dict[str, Any]) -> None:
        return None

    async def drop_user_data(self, user_id: int) -> None:
        await self._run(self._save, USER, str(user_id), None)

    # --------------------------------------------------------------- conversations

    async def get_conversations(self, name: str) -> ConversationDict:
        loaded = await self._run(self._load, CONVERSATION + name)
        return {tuple(json.loads(k)): v for k, v in loaded.items()}

    async def update_conversation(self, name: str, key: ConversationKey, new_state: object | None) -> None:
        await self._run(self._save, CONVERSATION + name, json.dumps(list(key)), new_state)

    # --------------------------------------------------------------- unused stores

    async def get_chat_data(self) -> dict[int, dict[str, Any]]:
        return {}

    async def get_bot_data(self) -> dict[str, Any]:
        return {}

    async def get_callback_data(self) -> CDCData | None:
        return None

    async def update_chat_data(self, chat_id: int, data: dict[str, Any]) -> None:
        return None

    async def update_bot_data(self, data: dict[str, Any]) -> None:
        return None

    async def update_callback_data(self, data: CDCData) -> None:
        return None

    async def drop_chat_data(self, chat_id: int) -> None:
        return None

    async def refresh_chat_data(self, chat_id: int, chat_data: dict[str, Any]) -> None:
        return None

    async def refresh_bot_data(self, bot_data: dict[str, Any]) -> None:
        return None

    async def flush(self) -> None:
        self.write_pending()


class WriteThroughApplication(Application):
    """An Application that saves persistence right after each update, not on a timer."""

    async def process_update(self, update: object) -> None:
        await super().process_update(update)
        await self.update_persistence()

    async def update_persistence(self) -> None:
        """Also run by PTB's timer, which catches what non-blocking handlers change later."""
        await super().update_persistence()
        if isinstance(self.persistence, SqlPersistence):
            self.persistence.write_pending()
