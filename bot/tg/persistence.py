"""PTB persistence in the bot's own database, so a restart loses no conversation.

Conversation states and user data (the /novo draft, for instance) are stored as JSON rows in
``bot_state``. :class:`WriteThroughApplication` saves them after every update instead of on a
timer, so even a crash right after an answer keeps it.

Conversations go through PTB's persistence protocol. User data does not: PTB would deep-copy
every user's data and schedule a task for it after every update, which costs more than most
handlers. :class:`WriteThroughApplication` restores user data at start and, after each update,
compares the JSON of that user's data with what is stored (microseconds) and writes only a
change; PTB's 5-second timer sweeps every user, for changes made outside an update.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from sqlalchemy import JSON, bindparam, text
from sqlalchemy.engine import Engine
from telegram import Update
from telegram.ext import Application, BasePersistence, PersistenceInput
from telegram.ext._utils.types import CDCData, ConversationDict, ConversationKey

from bot.storage.direct import DirectStatement, direct_transaction
from bot.storage.models import utcnow
from bot.storage.types import UTCDateTime

USER = "user"
_SELECT = text("SELECT key, value FROM bot_state WHERE kind = :kind")
_DELETE = text("DELETE FROM bot_state WHERE kind = :kind AND key = :key")
_UPSERT = text(
    "INSERT INTO bot_state (kind, key, value, updated_at) VALUES (:kind, :key, :value, :at) "
    "ON CONFLICT (kind, key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at"
).bindparams(bindparam("at", type_=UTCDateTime()), bindparam("value", type_=JSON()))
CONVERSATION = "conversation:"


class SqlPersistence(BasePersistence[dict[str, Any], dict[str, Any], dict[str, Any]]):
    """Conversations (PTB's protocol) and user data (see :class:`WriteThroughApplication`) in the
    ``bot_state`` table; chat, bot and callback data are not used."""

    def __init__(self, engine: Engine) -> None:
        super().__init__(
            store_data=PersistenceInput(bot_data=False, chat_data=False, user_data=False, callback_data=False),
            update_interval=5,
        )
        self._engine = engine
        # Run straight on the driver: this is written after nearly every update (see
        # bot.storage.direct for why).
        self._select = DirectStatement(_SELECT, engine.dialect, result_types=(None, JSON()))
        self._delete = DirectStatement(_DELETE, engine.dialect)
        self._upsert = DirectStatement(_UPSERT, engine.dialect)
        self._written: dict[tuple[str, str], str] = {}
        self._pending: dict[tuple[str, str], tuple[str, Any] | None] = {}

    # --------------------------------------------------------------- storage primitives

    def _load(self, kind: str) -> dict[str, Any]:
        with direct_transaction(self._engine, read_only=True) as cursor:
            rows = self._select.rows(cursor, {"kind": kind})
        loaded = {key: value for key, value in rows}
        for key, value in loaded.items():
            self._written[(kind, key)] = json.dumps(value, sort_keys=True, default=str)
        return loaded

    def _save(self, kind: str, key: str, value: Any | None) -> None:
        """Queue a change; :meth:`write_pending` stores every queued change in one transaction."""
        encoded = None if value is None else json.dumps(value, sort_keys=True, default=str)
        if self._written.get((kind, key)) == encoded:
            self._pending.pop((kind, key), None)  # back to what is stored: nothing to write
            return
        self._pending[(kind, key)] = None if encoded is None else (encoded, value)

    def write_pending(self) -> None:
        if not self._pending:
            return
        pending, self._pending = self._pending, {}
        try:
            with direct_transaction(self._engine) as cursor:
                at = utcnow()
                for (kind, key), change in pending.items():
                    if change is None:
                        self._delete.execute(cursor, {"kind": kind, "key": key})
                    else:
                        self._upsert.execute(cursor, {"kind": kind, "key": key, "value": change[1], "at": at})
        except Exception:
            # Keep the changes for the next try (newer ones, queued meanwhile, win).
            self._pending = {**pending, **self._pending}
            raise
        for (kind, key), change in pending.items():
            if change is None:
                self._written.pop((kind, key), None)
            else:
                self._written[(kind, key)] = change[0]

    async def _run(self, fn: Any, *args: Any) -> Any:
        # Inline: queueing a change costs microseconds; the write happens once per update.
        return fn(*args)

    # --------------------------------------------------------------- user data

    def load_user_data(self) -> dict[int, dict[str, Any]]:
        return {int(k): v for k, v in self._load(USER).items()}

    def remember_user_data(self, user_id: int, data: dict[str, Any] | None) -> None:
        """Queue ``data`` (empty or ``None``: delete the row) if it differs from what is stored."""
        self._save(USER, str(user_id), data or None)

    def stored_user_ids(self) -> list[int]:
        return [int(key) for kind, key in self._written if kind == USER]

    # PTB's side of user data is off (``store_data.user_data`` is False): these are never called.

    async def get_user_data(self) -> dict[int, dict[str, Any]]:
        return {}

    async def update_user_data(self, user_id: int, data: dict[str, Any]) -> None:
        return None

    async def refresh_user_data(self, user_id: int, user_data: dict[str, Any]) -> None:
        return None

    async def drop_user_data(self, user_id: int) -> None:
        return None

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

    async def initialize(self) -> None:
        await super().initialize()
        if isinstance(self.persistence, SqlPersistence):
            for user_id, data in self.persistence.load_user_data().items():
                self.user_data[user_id].update(data)  # the mapping creates the user's dict

    async def process_update(self, update: object) -> None:
        await super().process_update(update)
        user = update.effective_user if isinstance(update, Update) else None
        await self._save(() if user is None else (user.id,))

    async def update_persistence(self) -> None:
        """Run by PTB's timer and at stop: also catches what jobs or late handlers changed."""
        persistence = self.persistence
        everyone = set(self.user_data)
        if isinstance(persistence, SqlPersistence):
            everyone.update(persistence.stored_user_ids())
        await self._save(everyone)

    async def _save(self, user_ids: Iterable[int]) -> None:
        await super().update_persistence()  # conversations: only the changed ones
        persistence = self.persistence
        if isinstance(persistence, SqlPersistence):
            for user_id in user_ids:
                persistence.remember_user_data(user_id, self.user_data.get(user_id))
            persistence.write_pending()
