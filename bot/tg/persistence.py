"""Conversation state kept in the bot's database, so a restart or a crash loses no conversation.

:class:`SqlPersistence` is python-telegram-bot's persistence protocol, used as documented:
PTB loads the conversation states and every user's data at start and hands each change to
:meth:`~SqlPersistence.update_conversation` / :meth:`~SqlPersistence.update_user_data` when it
runs :meth:`~telegram.ext.Application.update_persistence`. :func:`save_after_update`, the last
handler of every update, runs it, so what an update changed (where a rep is in ``/novo``, the
answers so far) is in the database before the bot handles the next update; PTB's own timer
(:data:`SWEEP_S`) catches what a job changes outside an update, and stopping the bot saves
everything.

The persistence writes only what changed: it keeps the JSON of what the database holds and
compares (one place decides whether a state changed). A write the database refuses (locked
past the busy timeout) is kept and written with the next save, or at stop.

Each save is one small transaction, written before the next update is handled. An earlier
version gathered the saves of a tenth of a second into one transaction in a writer thread: the
throughput bench ran about twice as fast (each state change costs ~0.3 ms p50 on SQLite on a
busy 2-core machine, ~1 ms mean), which no person notices, at the cost of a thread, a window
in which a crash lost state, and an override of PTB's update processing.

The table itself is :mod:`bot.storage.bot_state`'s; :mod:`bot.wiring` gives the persistence a
:class:`StateStore` on it (the Telegram adapter does not import storage). Chat, bot and callback
data are not used.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from typing import Any, Protocol

from telegram import Update
from telegram.ext import BasePersistence, CallbackContext, PersistenceInput

log = logging.getLogger(__name__)

USER = "user"
CONVERSATION = "conversation:"
SWEEP_S = 5.0
"""How often PTB saves what changed outside an update (a job's change to user data)."""

ConversationKey = tuple[int | str, ...]
"""PTB's key of a conversation (here: chat id and user id)."""
ConversationDict = dict[ConversationKey, object]
Data = dict[str, Any]
Key = tuple[str, str]


class StateStore(Protocol):
    """Where the rows go (:class:`bot.storage.bot_state.BotStateStore`)."""

    def load(self, kind: str) -> dict[str, Any]:
        """Every row of ``kind``: its value by key."""

    def save(self, changes: Mapping[Key, Any | None]) -> None:
        """Write ``changes`` (``None`` deletes the row) in one transaction, or raise."""


class SqlPersistence(BasePersistence[Data, Data, Data]):
    """Conversation states and user data as rows of a :class:`StateStore`."""

    def __init__(self, store: StateStore) -> None:
        super().__init__(
            store_data=PersistenceInput(bot_data=False, chat_data=False, user_data=True, callback_data=False),
            update_interval=SWEEP_S,
        )
        self._store = store
        self._stored: dict[Key, str] = {}
        """The JSON of each row, as the last save left it."""
        self._unsaved: dict[Key, Any | None] = {}
        """Changes the database refused, written with the next save."""
        self._failing = False

    def _load(self, kind: str) -> dict[str, Any]:
        loaded = self._store.load(kind)
        for key, value in loaded.items():
            self._stored[(kind, key)] = _json(value)
        return loaded

    def _save(self, kind: str, key: str, value: object | None) -> None:
        """Write ``value`` (``None``: delete the row) if it differs from what is stored."""
        encoded = None if value is None else _json(value)
        if self._stored.get((kind, key)) == encoded:
            return
        if encoded is None:
            self._stored.pop((kind, key), None)
        else:
            self._stored[(kind, key)] = encoded
        # What JSON gives back (a date in user data comes back as its text, now as at start).
        self._unsaved[(kind, key)] = None if encoded is None else json.loads(encoded)
        self._write()

    def _write(self) -> bool:
        """Write what is unsaved; say whether all of it is saved now (a failure is logged once)."""
        if not self._unsaved:
            return True
        try:
            self._store.save(self._unsaved)
        except Exception:
            if not self._failing:
                log.warning("could not save conversation changes; will try again", exc_info=True)
            self._failing = True
            return False
        if self._failing:
            log.info("conversation changes saved again")
        self._failing = False
        self._unsaved = {}
        return True

    # --------------------------------------------------------------- user data

    async def get_user_data(self) -> dict[int, Data]:
        return {int(key): value for key, value in self._load(USER).items()}

    async def update_user_data(self, user_id: int, data: Data) -> None:
        self._save(USER, str(user_id), data or None)

    async def drop_user_data(self, user_id: int) -> None:
        self._save(USER, str(user_id), None)

    async def refresh_user_data(self, user_id: int, user_data: Data) -> None:
        return None  # this process is the only one that changes it

    # --------------------------------------------------------------- conversations

    async def get_conversations(self, name: str) -> ConversationDict:
        return {tuple(json.loads(key)): state for key, state in self._load(CONVERSATION + name).items()}

    async def update_conversation(self, name: str, key: ConversationKey, new_state: object | None) -> None:
        self._save(CONVERSATION + name, json.dumps(list(key)), new_state)

    async def flush(self) -> None:
        """PTB calls this at stop, after saving everything: write what the database refused."""
        if not self._write():
            log.error("%d conversation change(s) were not saved: those reps will be asked again", len(self._unsaved))

    # --------------------------------------------------------------- unused stores

    async def get_chat_data(self) -> dict[int, Data]:
        return {}

    async def get_bot_data(self) -> Data:
        return {}

    async def get_callback_data(self) -> None:
        return None

    async def update_chat_data(self, chat_id: int, data: Data) -> None:
        return None

    async def update_bot_data(self, data: Data) -> None:
        return None

    async def update_callback_data(self, data: object) -> None:
        return None

    async def drop_chat_data(self, chat_id: int) -> None:
        return None

    async def refresh_chat_data(self, chat_id: int, chat_data: Data) -> None:
        return None

    async def refresh_bot_data(self, bot_data: Data) -> None:
        return None


def _json(value: object) -> str:
    return json.dumps(value, sort_keys=True, default=str)


async def save_after_update(update: Update, context: CallbackContext[Any, Any, Any, Any]) -> None:
    """The last handler of every update: save what it changed before the next update.

    PTB marks a user's data for saving only after all handlers ran, so this handler marks it
    itself (:meth:`~telegram.ext.Application.mark_data_for_update_persistence`).
    """
    if update.effective_user is not None:
        context.application.mark_data_for_update_persistence(user_ids=update.effective_user.id)
    await context.application.update_persistence()
