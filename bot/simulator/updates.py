"""Updates as Telegram would deliver them when a user talks to the bot."""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from typing import Any

import telegram

from bot.simulator.records import JSONDict, OfflineUser, utf16_len
from bot.simulator.server import InProcessBotApi, file_dict


class UpdateFactory:
    """Builds the updates Telegram would deliver when a user talks to the bot.

    Each builder stores the user's message in ``api`` (so it gets the chat's next
    ``message_id``, and a later reply or callback refers to real state) and returns a
    :class:`telegram.Update` bound to ``bot`` (pass ``app.bot`` so ``update.message.reply_text``
    works). For a polling Application, hand the result to :meth:`InProcessBotApi.feed_update`.
    """

    def __init__(self, api: InProcessBotApi, bot: telegram.Bot | None = None) -> None:
        self.api = api
        self.bot = bot
        self._user_ids = itertools.count(10_001)

    def user(
        self,
        first_name: str = "Ana",
        *,
        language_code: str | None = "pt-br",
        username: str | None = None,
        last_name: str | None = None,
        user_id: int | None = None,
    ) -> OfflineUser:
        """A new user (ids count up from 10001)."""
        return OfflineUser(
            id=user_id if user_id is not None else next(self._user_ids),
            first_name=first_name,
            last_name=last_name,
            username=username,
            language_code=language_code,
        )

    def to_update(self, data: Mapping[str, Any]) -> telegram.Update:
        return telegram.Update.de_json(dict(data), self.bot)

    def message_data(self, user: OfflineUser, content: JSONDict) -> JSONDict:
        """The update dict of a private message from ``user`` with the given content fields."""
        message = self.api.store_incoming(user.private_chat(), {"from": user.to_dict(), **content})
        return {"update_id": self.api.next_update_id(), "message": message}

    def text(self, user: OfflineUser, text: str) -> telegram.Update:
        """The user sends a plain text message."""
        return self.to_update(self.message_data(user, {"text": text}))

    def command(self, user: OfflineUser, command: str, *args: str) -> telegram.Update:
        """The user sends ``/command arg1 arg2`` (with its ``bot_command`` entity)."""
        if not command.startswith("/"):
            command = "/" + command
        text = " ".join((command, *args))
        entity = {"type": "bot_command", "offset": 0, "length": utf16_len(command)}
        return self.to_update(self.message_data(user, {"text": text, "entities": [entity]}))

    def callback(self, user: OfflineUser, message_id: int, data: str) -> telegram.Update:
        """The user presses an inline button with ``data`` under the bot's message."""
        message = self.api.stored_message(user.id, message_id)
        if message is None:
            # What Telegram sends for a message the bot can no longer access.
            message = {"chat": user.private_chat(), "message_id": message_id, "date": 0}
        query = {
            "id": self.api.next_callback_query_id(),
            "from": user.to_dict(),
            "chat_instance": f"instance-{user.id}",
            "message": message,
            "data": data,
        }
        return self.to_update({"update_id": self.api.next_update_id(), "callback_query": query})

    def document(
        self,
        user: OfflineUser,
        filename: str,
        data: bytes,
        *,
        mime_type: str | None = None,
        caption: str | None = None,
    ) -> telegram.Update:
        """The user uploads a file; the bot can download it through the same transport."""
        stored = self.api.store_file(data, filename=filename, mime_type=mime_type)
        document = {**file_dict(stored), "file_name": filename}
        if stored.mime_type:
            document["mime_type"] = stored.mime_type
        content: JSONDict = {"document": document}
        if caption is not None:
            content["caption"] = caption
        return self.to_update(self.message_data(user, content))
