"""PTB persistence in the bot's own database, so a restart loses no conversation.

Conversation states and user data (the /novo draft, for instance) are stored as JSON rows in
``bot_state``. :class:`PersistentApplication` saves what the updates of the last
:data:`SAVE_WINDOW_S` changed, not PTB's usual minute: the updates of a busy moment are
compared and written together (a writer thread stores them in one transaction, so the bot's
answers never wait for the disk), and stopping the bot writes everything first. A crash loses
at most the conversation changes of that last fraction of a second (the rep is asked the
same question again); leads, touches and outcomes are not stored here and are written before
the bot answers.

Conversations go through PTB's persistence protocol. User data does not: PTB would deep-copy
every user's data and schedule a task for it after every update, which costs more than most
handlers. :class:`PersistentApplication` restores user data at start and compares the JSON of
each recently active user's data with what is stored (microseconds), queueing only a change;
PTB's 5-second timer sweeps every user, for changes made outside an update.
"""

from __future__ import annotations

import asyncio
import json
import logging
import threading
import time
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

log = logging.getLogger(__name__)

USER = "user"
_SELECT = text("SELECT key, value FROM bot_state WHERE kind = :kind")
_DELETE = text("DELETE FROM bot_state WHERE kind = :kind AND key = :key")
_UPSERT = text(
    "INSERT INTO bot_state (kind, key, value, updated_at) VALUES (:kind, :key, :value, :at) "
    "ON CONFLICT (kind, key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at"
).bindparams(bindparam("at", type_=UTCDateTime()), bindparam("value", type_=JSON()))
CONVERSATION = "conversation:"
SAVE_WINDOW_S = 0.1
"""Changes made by updates are saved this long after the first of them, together."""
RETRY_AFTER_S = 1.0
MAX_RETRY_AFTER_S = 30.0
"""The writer waits 1, 2, 4… up to 30 seconds between tries while the database refuses writes."""

Key = tuple[str, str]


class SqlPersistence(BasePersistence[dict[str, Any], dict[str, Any], dict[str, Any]]):
    """Conversations (PTB's protocol) and user data (see :class:`PersistentApplication`) in the
    ``bot_state`` table; chat, bot and callback data are not used."""

    def __init__(self, engine: Engine) -> None:
        super().__init__(
            store_data=PersistenceInput(bot_data=False, chat_data=False, user_data=False, callback_data=False),
            update_interval=5,
        )
        self._engine = engine
        # Straight on the driver (see bot.storage.direct for why).
        self._select = DirectStatement(_SELECT, engine.dialect, result_types=(None, JSON()))
        self._delete = DirectStatement(_DELETE, engine.dialect)
        self._upsert = DirectStatement(_UPSERT, engine.dialect)
        self._latest: dict[Key, str] = {}
        """What the database holds once every queued change is written (JSON text)."""
        # Shared with the writer thread, under ``_changed``:
        self._pending: dict[Key, str | None] = {}  # None: delete the row
        self._writing = False
        self._closing = False
        self._changed = threading.Condition()
        self._writer: threading.Thread | None = None

    # --------------------------------------------------------------- storage primitives

    def _load(self, kind: str) -> dict[str, Any]:
        with direct_transaction(self._engine, read_only=True) as cursor:
            rows = self._select.rows(cursor, {"kind": kind})
        loaded = {key: value for key, value in rows}
        for key, value in loaded.items():
            self._latest[(kind, key)] = json.dumps(value, sort_keys=True, default=str)
        return loaded

    def _save(self, kind: str, key: str, value: Any | None) -> None:
        """Queue a change if ``value`` differs from what the database will hold (``None``:
        delete). The JSON is taken now, so later changes to ``value`` are not mixed in."""
        encoded = None if value is None else json.dumps(value, sort_keys=True, default=str)
        if self._latest.get((kind, key)) == encoded:
            return
        if encoded is None:
            self._latest.pop((kind, key), None)
        else:
            self._latest[(kind, key)] = encoded
        with self._changed:
            self._pending[(kind, key)] = encoded

    def _write(self, batch: dict[Key, str | None]) -> None:
        with direct_transaction(self._engine) as cursor:
            at = utcnow()
            for (kind, key), encoded in batch.items():
                if encoded is None:
                    self._delete.execute(cursor, {"kind": kind, "key": key})
                else:
                    self._upsert.execute(cursor, {"kind": kind, "key": key, "value": json.loads(encoded), "at": at})

    def _requeue(self, batch: dict[Key, str | None]) -> None:
        """Put a batch that failed back (changes queued meanwhile are newer and win)."""
        self._pending = {**batch, **self._pending}

    # --------------------------------------------------------------- the writer thread

    def write_soon(self) -> None:
        """Wake the writer thread for what is queued (started on first use)."""
        with self._changed:
            if not self._pending:
                return
            if self._writer is None or not self._writer.is_alive():
                self._closing = False
                self._writer = threading.Thread(target=self._run_writer, name="bot-state-writer", daemon=True)
                self._writer.start()
            self._changed.notify_all()

    def _run_writer(self) -> None:
        failures = 0
        while True:
            with self._changed:
                while not self._pending and not self._closing:
                    self._changed.wait()
                if not self._pending:
                    return
            try:
                written = self.write_pending()
            except Exception:
                failures += 1
                if failures == 1:
                    log.warning("could not save conversation changes; will retry", exc_info=True)
                delay = min(RETRY_AFTER_S * 2 ** (failures - 1), MAX_RETRY_AFTER_S)
                with self._changed:
                    deadline = time.monotonic() + delay
                    while not self._closing and (left := deadline - time.monotonic()) > 0:
                        self._changed.wait(left)
                    if self._closing:
                        return  # close() writes what is left itself, and says if it cannot
                continue
            if failures and written:
                log.info("conversation changes saved again after %d failed attempt(s)", failures)
                failures = 0

    def write_pending(self) -> int:
        """Store everything queued before returning (waits for a write in progress first) and
        say how many changes that was. The writer thread runs this too.

        Raises what the database raised; the changes then stay queued.
        """
        with self._changed:
            while self._writing:
                self._changed.wait()
            batch, self._pending = self._pending, {}
            if not batch:
                return 0
            self._writing = True
        try:
            self._write(batch)
        except Exception:
            with self._changed:
                self._requeue(batch)
            raise
        finally:
            with self._changed:
                self._writing = False
                self._changed.notify_all()
        return len(batch)

    def close(self) -> None:
        """Write what is queued and stop the writer thread."""
        try:
            self.write_pending()
        finally:
            with self._changed:
                self._closing = True
                self._changed.notify_all()
                writer = self._writer
            if writer is not None:
                writer.join(timeout=5)

    # --------------------------------------------------------------- user data

    def load_user_data(self) -> dict[int, dict[str, Any]]:
        return {int(k): v for k, v in self._load(USER).items()}

    def remember_user_data(self, user_id: int, data: dict[str, Any] | None) -> None:
        """Queue ``data`` (empty or ``None``: delete the row) if it differs from what is stored."""
        self._save(USER, str(user_id), data or None)

    def stored_user_ids(self) -> list[int]:
        return [int(key) for kind, key in self._latest if kind == USER]

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
        loaded = self._load(CONVERSATION + name)
        return {tuple(json.loads(k)): v for k, v in loaded.items()}

    async def update_conversation(self, name: str, key: ConversationKey, new_state: object | None) -> None:
        self._save(CONVERSATION + name, json.dumps(list(key)), new_state)

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
        """PTB calls this at shutdown: everything queued is written before it returns."""
        self.close()


class PersistentApplication(Application):
    """An Application that saves conversation state within :data:`SAVE_WINDOW_S` of a change."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._touched: set[int] = set()  # users whose updates ran since the last save
        self._save_timer: asyncio.TimerHandle | None = None
        self._saving: asyncio.Task[None] | None = None

    async def initialize(self) -> None:
        await super().initialize()
        if isinstance(self.persistence, SqlPersistence):
            for user_id, data in self.persistence.load_user_data().items():
                self.user_data[user_id].update(data)  # the mapping creates the user's dict

    async def process_update(self, update: object) -> None:
        await super().process_update(update)
        if self.persistence is None:
            return
        user = update.effective_user if isinstance(update, Update) else None
        if user is not None:
            self._touched.add(user.id)
        if self._save_timer is None:
            self._save_timer = asyncio.get_running_loop().call_later(SAVE_WINDOW_S, self._save_soon)

    def _save_soon(self) -> None:
        self._save_timer = None
        self._saving = asyncio.get_running_loop().create_task(self.save_recent(), name="bot-state-save")

    async def save_recent(self) -> None:
        """Save what the updates since the last save changed (the window's timer calls this)."""
        touched, self._touched = self._touched, set()
        try:
            await self._save(touched)
        except Exception:  # the next save, PTB's 5-second sweep or the stop will try again
            self._touched |= touched
            log.exception("could not save the conversation state of %d user(s)", len(touched))

    async def update_persistence(self) -> None:
        """Run by PTB's timer and at stop: also catches what jobs or late handlers changed."""
        persistence = self.persistence
        everyone = set(self.user_data)
        if isinstance(persistence, SqlPersistence):
            everyone.update(persistence.stored_user_ids())
        self._touched.clear()
        await self._save(everyone)

    async def shutdown(self) -> None:
        if self._save_timer is not None:
            self._save_timer.cancel()
            self._save_timer = None
        if self._saving is not None:
            await self._saving  # PTB's shutdown then saves everything and flushes
        await super().shutdown()

    async def _save(self, user_ids: Iterable[int]) -> None:
        await super().update_persistence()  # conversations: only the changed ones
        persistence = self.persistence
        if isinstance(persistence, SqlPersistence):
            for user_id in user_ids:
                persistence.remember_user_data(user_id, self.user_data.get(user_id))
            persistence.write_soon()
