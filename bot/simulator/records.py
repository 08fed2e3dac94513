"""What passes between the bot and the simulated Bot API: recorded requests, faults to answer
with, and the users who write to the bot."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

JSONDict = dict[str, Any]


@dataclass
class SentRequest:
    """One request the bot made, as the server received it.

    ``params`` holds the decoded parameters (``reply_markup`` is a dict, numbers are numbers);
    uploaded files are *not* in ``params`` but in ``files``, keyed by their multipart field name
    (the parameter name, e.g. ``"document"``, for a direct upload) as ``(filename, bytes)``.
    ``error`` is the error description the server answered with, or ``None`` on success.
    """

    method: str
    params: dict[str, Any]
    files: dict[str, tuple[str, bytes]] = field(default_factory=dict)
    error: str | None = None

    @property
    def text(self) -> str | None:
        """The ``text`` (or ``caption``) parameter, if any: handy in assertions."""
        value = self.params.get("text", self.params.get("caption"))
        return value if isinstance(value, str) else None


@dataclass(frozen=True)
class Fault:
    """An error the server answers with, for :meth:`InProcessBotApi.fail_next`.

    Build one with the class methods; each produces the body Telegram really sends, so
    python-telegram-bot raises its real exception (``RetryAfter``, ``Forbidden``, ``BadRequest``,
    ``TimedOut``...).
    """

    error_code: int
    description: str
    parameters: Mapping[str, Any] | None = None
    timeout: bool = False

    @classmethod
    def too_many_requests(cls, retry_after: int = 5) -> Fault:
        """HTTP 429, raised by PTB as :class:`telegram.error.RetryAfter`."""
        return cls(
            429,
            f"Too Many Requests: retry after {retry_after}",
            {"retry_after": retry_after},
        )

    @classmethod
    def blocked_by_user(cls) -> Fault:
        """HTTP 403, raised by PTB as :class:`telegram.error.Forbidden`."""
        return cls(403, "Forbidden: bot was blocked by the user")

    @classmethod
    def forbidden(cls, description: str = "Forbidden: bot was blocked by the user") -> Fault:
        """Any HTTP 403 (e.g. ``"Forbidden: user is deactivated"``)."""
        return cls(403, description)

    @classmethod
    def bad_request(cls, description: str = "Bad Request: chat not found") -> Fault:
        """HTTP 400, raised by PTB as :class:`telegram.error.BadRequest`."""
        if not description.startswith("Bad Request"):
            description = f"Bad Request: {description}"
        return cls(400, description)

    @classmethod
    def timed_out(cls) -> Fault:
        """No answer at all: the transport raises :class:`telegram.error.TimedOut`."""
        return cls(0, "Timed out", timeout=True)

    @classmethod
    def server_error(cls, description: str = "Internal Server Error") -> Fault:
        """HTTP 500, raised by PTB as :class:`telegram.error.NetworkError`."""
        return cls(500, description)

    def body(self) -> JSONDict:
        body: JSONDict = {
            "ok": False,
            "error_code": self.error_code,
            "description": self.description,
        }
        if self.parameters:
            body["parameters"] = dict(self.parameters)
        return body


@dataclass(frozen=True)
class OfflineUser:
    """A Telegram user for :class:`UpdateFactory` (and the private chat with them)."""

    id: int
    first_name: str = "Ana"
    last_name: str | None = None
    username: str | None = None
    language_code: str | None = "pt-br"

    def to_dict(self) -> JSONDict:
        data: JSONDict = {"id": self.id, "is_bot": False, "first_name": self.first_name}
        for key in ("last_name", "username", "language_code"):
            value = getattr(self, key)
            if value is not None:
                data[key] = value
        return data

    def private_chat(self) -> JSONDict:
        data: JSONDict = {"id": self.id, "type": "private", "first_name": self.first_name}
        if self.last_name is not None:
            data["last_name"] = self.last_name
        if self.username is not None:
            data["username"] = self.username
        return data


def utf16_len(text: str) -> int:
    """Length in UTF-16 code units, the unit of Telegram's entity offsets."""
    return len(text.encode("utf-16-le")) // 2
