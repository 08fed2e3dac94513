"""An in-process Telegram Bot API server behind python-telegram-bot's network seam.

The real :class:`telegram.ext.Application` talks to Telegram through a
:class:`telegram.request.BaseRequest`. :class:`InProcessBotApi` is such a request object that,
instead of opening a socket, answers every Bot API call the way the real server would: it keeps
the chats, their messages (so edits and deletions behave), the uploaded files (so downloads work)
and a queue of pending updates (so a polling ``Updater`` works). Nothing else in the bot is
replaced, which is the point: the code under test is the code that runs in production.

It serves two masters:

* tests, which build the real Application with
  ``ApplicationBuilder().token(...).request(api).get_updates_request(api)``, drive it with
  ``await app.process_update(update)`` and assert on :attr:`InProcessBotApi.requests`;
* ``cadencia demo``, the terminal console, which feeds updates made by :class:`UpdateFactory`
  and prints what the bot sends through :meth:`InProcessBotApi.subscribe`.

Long because it is one class, the server's table of Bot API
methods, each a few lines; split over files, one dispatch would be scattered. What travels between
bot and server is in :mod:`bot.simulator.records`, the user's side in :mod:`bot.simulator.updates`.

Known simplifications, on purpose:

* Stored message texts are kept as sent (an HTML-formatted text keeps its tags; no entities are
  computed).
* Any chat id is accepted; an unknown positive id becomes a private chat, a negative id a group.
* Methods that are not simulated answer ``true`` (``send*`` methods answer a bare Message); a
  method name python-telegram-bot does not know answers 404 like Telegram.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dtm
import inspect
import itertools
import json
import mimetypes
import re
import struct
from collections import defaultdict, deque
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar
from urllib.parse import unquote, urlsplit

import telegram
from telegram.constants import FileSizeLimit
from telegram.error import TimedOut
from telegram.request import BaseRequest, RequestData

from bot.simulator.records import Fault, JSONDict, SentRequest

_DEFAULT_BOT_ID = 1_000_001
_TOKEN_RE = re.compile(r"/bot(\d+):[^/]*")
_FILE_URL_RE = re.compile(r"/file/bot[^/]+/(?P<path>.+)$")
_NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup are "
    "exactly the same as a current content and reply markup of the message"
)


@dataclass
class _StoredFile:
    file_id: str
    file_unique_id: str
    file_path: str
    data: bytes
    filename: str | None
    mime_type: str | None


@dataclass
class _ChatState:
    chat: JSONDict
    messages: dict[int, JSONDict] = field(default_factory=dict)
    last_message_id: int = 0

    def next_message_id(self) -> int:
        self.last_message_id += 1
        return self.last_message_id


class _Reply(Exception):
    """Internal: leaves a handler with an error answer."""

    def __init__(self, fault: Fault) -> None:
        super().__init__(fault.description)
        self.fault = fault


def _bad_request(description: str) -> _Reply:
    return _Reply(Fault.bad_request(description))


RequestHook = Callable[[SentRequest], Any]
"""``on_request`` hook: return ``None`` for the default behaviour, a :class:`Fault` to fail, or
any other value to answer ``{"ok": true, "result": value}``; may be async and may raise."""

Listener = Callable[[SentRequest], Any]


class InProcessBotApi(BaseRequest):
    """A :class:`~telegram.request.BaseRequest` that *is* the Bot API server, in memory.

    Args:
        bot_username: the bot's ``username`` in ``getMe`` and in sent messages.
        bot_first_name: the bot's ``first_name``.
        bot_id: the bot's user id; by default the numeric part of the token in the first URL.
        clock: returns "now", for message dates; defaults to the wall clock in UTC.
        read_timeout: what :attr:`read_timeout` reports.
    """

    _SIMULATED: ClassVar[dict[str, str]] = {
        "getMe": "_get_me",
        "getUpdates": "_get_updates",
        "deleteWebhook": "_delete_webhook",
        "getWebhookInfo": "_get_webhook_info",
        "sendMessage": "_send_message",
        "sendDocument": "_send_document",
        "sendPhoto": "_send_photo",
        "sendMediaGroup": "_send_media_group",
        "editMessageText": "_edit_message_text",
        "editMessageCaption": "_edit_message_caption",
        "editMessageReplyMarkup": "_edit_message_reply_markup",
        "deleteMessage": "_delete_message",
        "deleteMessages": "_delete_messages",
        "getFile": "_get_file",
        "getChat": "_get_chat",
        "setMyCommands": "_set_my_commands",
        "getMyCommands": "_get_my_commands",
        "deleteMyCommands": "_delete_my_commands",
        "getMyName": "_get_my_name",
        "getChatMenuButton": "_get_chat_menu_button",
        "setChatMenuButton": "_set_chat_menu_button",
    }
    _RETURNS_TRUE_SENDS: ClassVar[frozenset[str]] = frozenset({"sendChatAction", "sendGift"})

    def __init__(
        self,
        *,
        bot_username: str = "cadencia_bot",
        bot_first_name: str = "Cadência",
        bot_id: int | None = None,
        clock: Callable[[], dtm.datetime] | None = None,
        read_timeout: float | None = 5.0,
    ) -> None:
        self.bot_username = bot_username
        self.bot_first_name = bot_first_name
        self._bot_id = bot_id
        self._clock = clock or (lambda: dtm.datetime.now(dtm.UTC))
        self._read_timeout = read_timeout

        self.requests: list[SentRequest] = []
        self.on_request: RequestHook | None = None
        self._listeners: list[Listener] = []
        self._faults: dict[str, deque[Fault | BaseException]] = defaultdict(deque)

        self._chats: dict[int | str, _ChatState] = {}
        self._files_by_id: dict[str, _StoredFile] = {}
        self._files_by_path: dict[str, _StoredFile] = {}
        self._file_counter = itertools.count(1)
        self._commands: dict[tuple[str, str], list[JSONDict]] = {}
        self._menu_buttons: dict[int | None, JSONDict] = {}

        self._pending_updates: deque[JSONDict] = deque()
        self._update_ids = itertools.count(1)
        self._callback_ids = itertools.count(1)
        self._updates_fed: asyncio.Event | None = None

    # -- BaseRequest --------------------------------------------------------------------------

    @property
    def read_timeout(self) -> float | None:
        return self._read_timeout

    async def initialize(self) -> None:
        """Nothing to open."""

    async def shutdown(self) -> None:
        """Nothing to close."""

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: Any = None,
        write_timeout: Any = None,
        connect_timeout: Any = None,
        pool_timeout: Any = None,
    ) -> tuple[int, bytes]:
        self._learn_bot_id(url)
        path = urlsplit(url).path
        file_match = _FILE_URL_RE.search(path)
        if method == "GET" and file_match:
            return self._download(unquote(file_match.group("path")))

        api_method = path.rsplit("/", 1)[-1]
        params, files = self._decode(request_data)
        request = SentRequest(api_method, params, files)
        try:
            status, body = await self._answer(request)
        finally:
            self.requests.append(request)
            await self._notify(request)
        return status, json.dumps(body).encode()

    # -- public helpers -----------------------------------------------------------------------

    @property
    def bot_id(self) -> int:
        return self._bot_id if self._bot_id is not None else _DEFAULT_BOT_ID

    @property
    def bot_user(self) -> JSONDict:
        """The bot as a Bot API ``User`` dict."""
        return {
            "id": self.bot_id,
            "is_bot": True,
            "first_name": self.bot_first_name,
            "username": self.bot_username,
        }

    def subscribe(self, listener: Listener) -> Callable[[], None]:
        """Call ``listener(request)`` after each request is answered (sync or async callable).

        Returns a function that unsubscribes it.
        """
        self._listeners.append(listener)

        def unsubscribe() -> None:
            with contextlib.suppress(ValueError):
                self._listeners.remove(listener)

        return unsubscribe

    def fail_next(self, method: str, error: Fault | BaseException, *, times: int = 1) -> None:
        """Make the next ``times`` calls of ``method`` (``"*"`` for any) fail with ``error``.

        ``error`` is a :class:`Fault` (answered as a Bot API error body) or an exception instance
        raised by the transport itself (e.g. ``telegram.error.TimedOut()``).
        """
        for _ in range(times):
            self._faults[method].append(error)

    def feed_update(self, update: telegram.Update | Mapping[str, Any]) -> None:
        """Queue an update for ``getUpdates`` (a polling Updater picks it up)."""
        data = update.to_dict() if isinstance(update, telegram.Update) else dict(update)
        self._pending_updates.append(data)
        if self._updates_fed is not None:
            self._updates_fed.set()

    @property
    def pending_updates(self) -> list[JSONDict]:
        return list(self._pending_updates)

    def requests_for(self, *methods: str) -> list[SentRequest]:
        """The recorded requests of the given Bot API methods, in order."""
        return [request for request in self.requests if request.method in methods]

    def messages_to(self, chat_id: int | str) -> list[telegram.Message]:
        """The bot's messages currently in the chat (after edits, without deleted ones)."""
        state = self._chats.get(_chat_key(chat_id))
        if state is None:
            return []
        return [
            telegram.Message.de_json(message, None)
            for _, message in sorted(state.messages.items())
            if message.get("from", {}).get("id") == self.bot_id
        ]

    def last_message(self, chat_id: int | str) -> telegram.Message:
        """The bot's most recent message in the chat; ``LookupError`` if there is none."""
        messages = self.messages_to(chat_id)
        if not messages:
            raise LookupError(f"the bot has no message in chat {chat_id}")
        return messages[-1]

    def stored_message(self, chat_id: int | str, message_id: int) -> JSONDict | None:
        """The stored ``Message`` dict (user's or bot's), or ``None``."""
        state = self._chats.get(_chat_key(chat_id))
        return None if state is None else state.messages.get(message_id)

    def clear(self) -> None:
        """Forget the recorded requests (chats, messages and files stay, like on Telegram)."""
        self.requests.clear()

    def forget_messages(self) -> None:
        """Forget the stored messages too (chats stay; message ids keep counting): a long
        simulation (a benchmark) keeps its memory flat. Old messages can no longer be edited."""
        for state in self._chats.values():
            state.messages.clear()

    def commands(self, scope_type: str = "default", language_code: str = "") -> list[JSONDict]:
        """The command list set with ``setMyCommands`` for that scope and language."""
        return list(self._commands.get((scope_type, language_code), []))

    # -- used by UpdateFactory (and usable by anyone simulating the user side) ----------------

    def next_update_id(self) -> int:
        return next(self._update_ids)

    def next_callback_query_id(self) -> str:
        return f"cbq-{next(self._callback_ids)}"

    def register_chat(self, chat: Mapping[str, Any]) -> None:
        """Make a chat known (its ``Chat`` dict is then used in every message)."""
        state = self._chat(chat["id"])
        state.chat = dict(chat)

    def store_incoming(self, chat: Mapping[str, Any], message: JSONDict) -> JSONDict:
        """Store a message sent by a user, giving it the chat's next ``message_id`` and a date."""
        self.register_chat(chat)
        state = self._chat(chat["id"])
        message = {
            "message_id": state.next_message_id(),
            "date": self._now(),
            "chat": dict(state.chat),
            **message,
        }
        state.messages[message["message_id"]] = message
        return message

    def store_file(
        self,
        data: bytes,
        *,
        filename: str | None = None,
        mime_type: str | None = None,
        kind: str = "documents",
    ) -> _StoredFile:
        """Keep file contents so that ``getFile`` and the download URL serve them."""
        number = next(self._file_counter)
        suffix = ""
        if filename and "." in filename:
            suffix = "." + filename.rsplit(".", 1)[-1]
        stored = _StoredFile(
            file_id=f"offline-file-{number}",
            file_unique_id=f"offline-unique-{number}",
            file_path=f"{kind}/file_{number}{suffix}",
            data=bytes(data),
            filename=filename,
            mime_type=mime_type or (mimetypes.guess_type(filename)[0] if filename else None),
        )
        self._files_by_id[stored.file_id] = stored
        self._files_by_path[stored.file_path] = stored
        return stored

    # -- dispatch -----------------------------------------------------------------------------

    async def _answer(self, request: SentRequest) -> tuple[int, JSONDict]:
        fault = self._take_fault(request.method)
        if fault is None and self.on_request is not None:
            outcome = self.on_request(request)
            if inspect.isawaitable(outcome):
                outcome = await outcome
            if isinstance(outcome, Fault | BaseException):
                fault = outcome
            elif outcome is not None:
                return 200, {"ok": True, "result": outcome}
        if fault is not None:
            return self._fail(request, fault)
        try:
            result = await self._simulate(request)
        except _Reply as reply:
            return self._fail(request, reply.fault)
        return 200, {"ok": True, "result": result}

    def _fail(self, request: SentRequest, fault: Fault | BaseException) -> tuple[int, JSONDict]:
        if isinstance(fault, BaseException):
            request.error = repr(fault)
            raise fault
        request.error = fault.description
        if fault.timeout:
            raise TimedOut()
        return fault.error_code, fault.body()

    def _take_fault(self, method: str) -> Fault | BaseException | None:
        for key in (method, "*"):
            queue = self._faults.get(key)
            if queue:
                return queue.popleft()
        return None

    async def _simulate(self, request: SentRequest) -> Any:
        handler_name = self._SIMULATED.get(request.method)
        if handler_name is not None:
            handler = getattr(self, handler_name)
            result = handler(request.params, request.files)
            return await result if inspect.isawaitable(result) else result
        if not hasattr(telegram.Bot, request.method):
            raise _Reply(Fault(404, "Not Found"))
        if request.method in self._RETURNS_TRUE_SENDS:
            return True
        if request.method.startswith("send") and "chat_id" in request.params:
            return self._new_bot_message(request.params, {})
        return True

    async def _notify(self, request: SentRequest) -> None:
        for listener in list(self._listeners):
            outcome = listener(request)
            if inspect.isawaitable(outcome):
                await outcome

    # -- decoding -----------------------------------------------------------------------------

    @staticmethod
    def _decode(
        request_data: RequestData | None,
    ) -> tuple[dict[str, Any], dict[str, tuple[str, bytes]]]:
        if request_data is None:
            return {}, {}
        # A JSON round trip gives the server's view and a deep copy the bot cannot mutate.
        params: dict[str, Any] = json.loads(json.dumps(request_data.parameters))
        files: dict[str, tuple[str, bytes]] = {}
        if request_data.contains_files:
            for name, field_tuple in request_data.multipart_data.items():
                filename, content = field_tuple[0], field_tuple[1]
                if hasattr(content, "read"):
                    content = content.read()
                files[name] = (str(filename), bytes(content))
        return params, files

    def _learn_bot_id(self, url: str) -> None:
        if self._bot_id is None:
            match = _TOKEN_RE.search(url)
            if match:
                self._bot_id = int(match.group(1))

    # -- state --------------------------------------------------------------------------------

    def _now(self) -> int:
        return int(self._clock().timestamp())

    def _chat(self, chat_id: Any) -> _ChatState:
        key = _chat_key(chat_id)
        state = self._chats.get(key)
        if state is None:
            state = _ChatState(chat=_default_chat(key))
            self._chats[key] = state
        return state

    def _existing_chat(self, chat_id: Any) -> _ChatState:
        state = self._chats.get(_chat_key(chat_id))
        if state is None:
            raise _bad_request("chat not found")
        return state

    def _new_bot_message(self, params: Mapping[str, Any], content: JSONDict) -> JSONDict:
        if "chat_id" not in params:
            raise _bad_request("chat_id is empty")
        state = self._chat(params["chat_id"])
        message: JSONDict = {
            "message_id": state.next_message_id(),
            "date": self._now(),
            "chat": dict(state.chat),
            "from": self.bot_user,
            **content,
        }
        markup = _inline_markup(params.get("reply_markup"))
        if markup is not None:
            message["reply_markup"] = markup
        reply_to = (params.get("reply_parameters") or {}).get("message_id")
        if reply_to is not None:
            original = state.messages.get(reply_to)
            if original is not None:
                message["reply_to_message"] = {k: v for k, v in original.items() if k != "reply_to_message"}
            elif not params["reply_parameters"].get("allow_sending_without_reply"):
                raise _bad_request("message to be replied not found")
        state.messages[message["message_id"]] = message
        return message

    def _message_to_edit(self, params: Mapping[str, Any]) -> JSONDict | None:
        """The stored message an edit targets; ``None`` for inline messages."""
        if "inline_message_id" in params:
            return None
        state = self._existing_chat(params.get("chat_id"))
        message = state.messages.get(params.get("message_id", -1))
        if message is None:
            raise _bad_request("message to edit not found")
        if message.get("from", {}).get("id") != self.bot_id:
            raise _bad_request("message can't be edited")
        return message

    def _apply_edit(self, message: JSONDict, changes: Mapping[str, Any]) -> JSONDict:
        if all(message.get(key) == value for key, value in changes.items()):
            raise _bad_request(_NOT_MODIFIED)
        for key, value in changes.items():
            if value is None:
                message.pop(key, None)
            else:
                message[key] = value
        message["edit_date"] = self._now()
        return message

    # -- simulated methods --------------------------------------------------------------------

    def _get_me(self, params: JSONDict, files: Any) -> JSONDict:
        return {
            **self.bot_user,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    async def _get_updates(self, params: JSONDict, files: Any) -> list[JSONDict]:
        offset = params.get("offset")
        if offset is not None:
            while self._pending_updates and self._pending_updates[0].get("update_id", 0) < offset:
                self._pending_updates.popleft()
        timeout = float(params.get("timeout") or 0)
        if not self._pending_updates and timeout > 0:
            if self._updates_fed is None:
                self._updates_fed = asyncio.Event()
            self._updates_fed.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._updates_fed.wait(), timeout)
        limit = int(params.get("limit") or 100)
        return list(itertools.islice(self._pending_updates, limit))

    def _delete_webhook(self, params: JSONDict, files: Any) -> bool:
        if params.get("drop_pending_updates"):
            self._pending_updates.clear()
        return True

    def _get_webhook_info(self, params: JSONDict, files: Any) -> JSONDict:
        return {
            "url": "",
            "has_custom_certificate": False,
            "pending_update_count": len(self._pending_updates),
        }

    def _send_message(self, params: JSONDict, files: Any) -> JSONDict:
        text = params.get("text")
        if not isinstance(text, str) or not text.strip():
            raise _bad_request("message text is empty")
        return self._new_bot_message(params, {"text": text})

    def _file_param(self, params: JSONDict, files: dict[str, tuple[str, bytes]], name: str, kind: str) -> _StoredFile:
        if name in files:
            filename, data = files[name]
            if len(data) > FileSizeLimit.FILESIZE_UPLOAD:
                raise _Reply(Fault(413, "Request Entity Too Large"))
            return self.store_file(data, filename=filename, kind=kind)
        reference = params.get(name)
        if isinstance(reference, str) and reference in self._files_by_id:
            return self._files_by_id[reference]
        if isinstance(reference, str) and reference.startswith(("http://", "https://")):
            filename = reference.rsplit("/", 1)[-1] or "file"
            return self.store_file(b"", filename=filename, kind=kind)
        raise _bad_request("wrong file identifier/HTTP URL specified")

    @staticmethod
    def _captioned(params: JSONDict, content: JSONDict) -> JSONDict:
        if params.get("caption"):
            content["caption"] = params["caption"]
        return content

    def _send_document(self, params: JSONDict, files: dict[str, tuple[str, bytes]]) -> JSONDict:
        stored = self._file_param(params, files, "document", "documents")
        document = file_dict(stored)
        if stored.filename:
            document["file_name"] = stored.filename
        if stored.mime_type:
            document["mime_type"] = stored.mime_type
        return self._new_bot_message(params, self._captioned(params, {"document": document}))

    def _send_photo(self, params: JSONDict, files: dict[str, tuple[str, bytes]]) -> JSONDict:
        stored = self._file_param(params, files, "photo", "photos")
        width, height = _image_size(stored.data)
        photo = {**file_dict(stored), "width": width, "height": height}
        return self._new_bot_message(params, self._captioned(params, {"photo": [photo]}))

    def _send_media_group(self, params: JSONDict, files: dict[str, tuple[str, bytes]]) -> list[JSONDict]:
        messages = []
        group_id = f"group-{next(self._file_counter)}"
        for item in params.get("media") or []:
            media = item.get("media", "")
            name = media.removeprefix("attach://")
            kind = item.get("type", "document")
            stored = self._file_param({name: media}, files, name, kind + "s")
            content: JSONDict = {"media_group_id": group_id}
            if kind == "photo":
                width, height = _image_size(stored.data)
                content["photo"] = [{**file_dict(stored), "width": width, "height": height}]
            else:
                content["document"] = {**file_dict(stored), "file_name": stored.filename}
            if item.get("caption"):
                content["caption"] = item["caption"]
            messages.append(self._new_bot_message(params, content))
        return messages

    def _edit_message_text(self, params: JSONDict, files: Any) -> JSONDict | bool:
        text = params.get("text")
        if not isinstance(text, str) or not text.strip():
            raise _bad_request("message text is empty")
        message = self._message_to_edit(params)
        if message is None:
            return True
        if "text" not in message:
            raise _bad_request("there is no text in the message to edit")
        # Like Telegram: an edit without reply_markup removes the inline keyboard.
        return self._apply_edit(message, {"text": text, "reply_markup": _inline_markup(params.get("reply_markup"))})

    def _edit_message_caption(self, params: JSONDict, files: Any) -> JSONDict | bool:
        message = self._message_to_edit(params)
        if message is None:
            return True
        if "text" in message:
            raise _bad_request("there is no caption in the message to edit")
        return self._apply_edit(
            message,
            {
                "caption": params.get("caption") or None,
                "reply_markup": _inline_markup(params.get("reply_markup")),
            },
        )

    def _edit_message_reply_markup(self, params: JSONDict, files: Any) -> JSONDict | bool:
        message = self._message_to_edit(params)
        if message is None:
            return True
        return self._apply_edit(message, {"reply_markup": _inline_markup(params.get("reply_markup"))})

    def _delete_message(self, params: JSONDict, files: Any) -> bool:
        state = self._existing_chat(params.get("chat_id"))
        if state.messages.pop(params.get("message_id", -1), None) is None:
            raise _bad_request("message to delete not found")
        return True

    def _delete_messages(self, params: JSONDict, files: Any) -> bool:
        state = self._existing_chat(params.get("chat_id"))
        for message_id in params.get("message_ids") or []:
            state.messages.pop(message_id, None)
        return True

    def _get_file(self, params: JSONDict, files: Any) -> JSONDict:
        stored = self._files_by_id.get(params.get("file_id", ""))
        if stored is None:
            raise _bad_request("invalid file_id")
        if len(stored.data) > FileSizeLimit.FILESIZE_DOWNLOAD:
            raise _bad_request("file is too big")
        return {**file_dict(stored), "file_path": stored.file_path}

    def _download(self, file_path: str) -> tuple[int, bytes]:
        stored = self._files_by_path.get(file_path)
        if stored is None:
            return 404, json.dumps({"ok": False, "error_code": 404, "description": "Not Found"}).encode()
        return 200, stored.data

    def _get_chat(self, params: JSONDict, files: Any) -> JSONDict:
        state = self._existing_chat(params.get("chat_id"))
        return {
            **state.chat,
            "accent_color_id": 0,
            "max_reaction_count": 11,
            "accepted_gift_types": {
                "unlimited_gifts": False,
                "limited_gifts": False,
                "unique_gifts": False,
                "premium_subscription": False,
                "gifts_from_channels": False,
            },
        }

    @staticmethod
    def _command_key(params: JSONDict) -> tuple[str, str]:
        scope = params.get("scope") or {}
        scope_type = scope.get("type", "default")
        if "chat_id" in scope:
            scope_type = f"{scope_type}:{scope['chat_id']}"
        if "user_id" in scope:
            scope_type = f"{scope_type}:{scope['user_id']}"
        return scope_type, params.get("language_code") or ""

    def _set_my_commands(self, params: JSONDict, files: Any) -> bool:
        self._commands[self._command_key(params)] = list(params.get("commands") or [])
        return True

    def _get_my_commands(self, params: JSONDict, files: Any) -> list[JSONDict]:
        return self._commands.get(self._command_key(params), [])

    def _delete_my_commands(self, params: JSONDict, files: Any) -> bool:
        self._commands.pop(self._command_key(params), None)
        return True

    def _get_my_name(self, params: JSONDict, files: Any) -> JSONDict:
        return {"name": self.bot_first_name}

    def _set_chat_menu_button(self, params: JSONDict, files: Any) -> bool:
        self._menu_buttons[params.get("chat_id")] = params.get("menu_button") or {"type": "default"}
        return True

    def _get_chat_menu_button(self, params: JSONDict, files: Any) -> JSONDict:
        return self._menu_buttons.get(params.get("chat_id"), self._menu_buttons.get(None, {"type": "default"}))


# -- small helpers ----------------------------------------------------------------------------


def _chat_key(chat_id: Any) -> int | str:
    if isinstance(chat_id, str) and chat_id.lstrip("-").isascii() and chat_id.lstrip("-").isdigit():
        return int(chat_id)
    if isinstance(chat_id, int | str):
        return chat_id
    raise _bad_request("chat_id is empty")


def _default_chat(key: int | str) -> JSONDict:
    if isinstance(key, str):
        return {
            "id": -1_000_000_000_000 - len(key),
            "type": "channel",
            "title": key,
            "username": key.lstrip("@"),
        }
    if key > 0:
        return {"id": key, "type": "private", "first_name": f"User {key}"}
    if key < -1_000_000_000_000:
        return {"id": key, "type": "supergroup", "title": f"Group {key}"}
    return {"id": key, "type": "group", "title": f"Group {key}"}


def _inline_markup(markup: Any) -> JSONDict | None:
    """What the server stores as a message's reply_markup: only inline keyboards."""
    if isinstance(markup, str):
        markup = json.loads(markup)
    if isinstance(markup, dict) and markup.get("inline_keyboard"):
        return markup
    return None


def file_dict(stored: _StoredFile) -> JSONDict:
    return {
        "file_id": stored.file_id,
        "file_unique_id": stored.file_unique_id,
        "file_size": len(stored.data),
    }


def _image_size(data: bytes) -> tuple[int, int]:
    """Width and height of a PNG (what our charts are); 1x1 for anything else."""
    if data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) >= 24:
        width, height = struct.unpack(">II", data[16:24])
        return int(width), int(height)
    return 1, 1


def iter_sent_texts(requests: Iterable[SentRequest]) -> list[str]:
    """The texts/captions of the sending and editing requests, in order."""
    return [
        request.text for request in requests if request.text is not None and request.method.startswith(("send", "edit"))
    ]
