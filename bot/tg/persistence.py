"""PTB persistence in the bot's own database, so a restart loses no conversation.

Conversation states and user data (the /novo draft, for instance) are stored as JSON rows in
``bot_state``. :class:`WriteThroughApplication` saves them after every update instead of on a
timer, so even a crash right after an answer keeps it.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Engine
from telegram.ext import Application, BasePersistence, PersistenceInput
from telegram.ext._utils.types import CDCData, ConversationDict, ConversationKey

from bot.storage.db import session_scope
from bot.storage.models import BotState, utcnow

USER = "user"
CONVERSATION = "conversation:"


class SqlPersistence(BasePersistence[dict[str, Any], dict[str, Any], dict[str, Any]]):
    """User data and conversations in the ``bot_state`` table (chat/bot/callback data unused)."""

    def __init__(self, engine: Engine) -> None:
        super().__init__(
            store_data=PersistenceInput(bot_data=False, chat_data=False, user_data=True, callback_data=False),
            update_interval=60,
        )
        self._engine = engine
        self._written: dict[tuple[str, str], str] = {}

    # --------------------------------------------------------------- storage primitives

    def _load(self, kind: str) -> dict[str, Any]:
        with session_scope(self._engine) as session:
            rows = session.execute(select(BotState.key, BotState.value).where(BotState.kind == kind)).all()  # type: ignore[call-overload]
        loaded = {key: value for key, value in rows}
        for key, value in loaded.items():
            self._written[(kind, key)] = json.dumps(value, sort_keys=True, default=str)
        return loaded

    def _save(self, kind: str, key: str, value: Any | None) -> None:
        encoded = None if value is None else json.dumps(value, sort_keys=True, default=str)
        if self._written.get((kind, key)) == encoded:
            return  # unchanged: no write
        with session_scope(self._engine) as session:
            if value is None:
                session.execute(delete(BotState).where(BotState.kind == kind, BotState.key == key))  # type: ignore[arg-type]
            else:
                values = {"kind": kind, "key": key, "value": json.loads(encoded or "null"), "updated_at": utcnow()}
                dialect = session.get_bind().dialect.name
                insert = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(BotState).values(**values)
                session.execute(
                    insert.on_conflict_do_update(
                        index_elements=["kind", "key"],
                        set_={"value": insert.excluded.value, "updated_at": insert.excluded.updated_at},
                    )
                )
        if encoded is None:
            self._written.pop((kind, key), None)
        else:
            self._written[(kind, key)] = encoded

    async def _run(self, fn: Any, *args: Any) -> Any:
        return await asyncio.to_thread(fn, *args)

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
        return None


class WriteThroughApplication(Application):  # type: ignore[type-arg]
    """An Application that saves persistence right after each update, not on a timer."""

    async def process_update(self, update: object) -> None:
        await super().process_update(update)
        if self.persistence is not None:
            await self.update_persistence()
