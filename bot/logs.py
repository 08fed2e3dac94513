"""How ``cadencia run`` logs: the level, text or JSON lines, and what never reaches a log.

Every line goes through :class:`RedactingFormatter`, whatever logger wrote it (ours,
python-telegram-bot's, httpx's): the bot token becomes ``<token>`` (it is part of every Bot API
URL, which httpx and PTB log at DEBUG), invite links lose their secret, and phone numbers and
e-mail addresses are masked (PTB logs whole updates at DEBUG: names, phones, strangers' texts).
The redaction works on the formatted line, tracebacks included, so no code path can forget it.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import IO

from telegram.error import Conflict

#: A Telegram bot token: the bot's numeric id, a colon, a 35-character secret.
_TOKEN = re.compile(r"(?<!\d)(\d{3,}):[A-Za-z0-9_-]{20,}")
_INVITE = re.compile(r"(/start(?:\s+|=|%20))[A-Za-z0-9_-]{12,}")
_EMAIL = re.compile(r"([A-Za-z0-9._%+-])[A-Za-z0-9._%+-]*@([A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+)")
#: Brazilian phones as people type them: (19) 3333-4444, +55 11 98888-1111, 11988881111. A bare run
#: of digits counts only as a mobile number (11 digits, the ninth digit 9), so Telegram ids and
#: lead numbers stay readable.
_PHONE = re.compile(
    r"(?<![\d:])(?:\+?55[\s.-]?)?(?:\(?\d{2}\)?[\s.-]?)?9?\d{4}[\s.-]\d{2}(?P<end>\d{2})(?!\d)"
    r"|(?<![\d:])(?:\+?55[\s.-]?)?\(?\d{2}\)?[\s.-]?9\d{6}(?P<tail>\d{2})(?!\d)"
)


def _phone(match: re.Match[str]) -> str:
    return f"<phone …{match['end'] or match['tail']}>"


def redact(text: str, secrets: Iterable[str] = ()) -> str:
    """``text`` without tokens, invite secrets, phones and e-mail addresses."""
    for secret in secrets:
        if secret:
            text = text.replace(secret, "<token>")
    text = _TOKEN.sub(r"\1:<token>", text)
    text = _INVITE.sub(r"\1<invite>", text)
    text = _EMAIL.sub(r"\1***@\2", text)
    return _PHONE.sub(_phone, text)


class RedactingFormatter(logging.Formatter):
    """A formatter whose every line (message and traceback) is redacted; ``json_lines`` for
    one JSON object a line (time, level, logger, message), for log collectors."""

    def __init__(self, *, json_lines: bool = False, secrets: Iterable[str] = ()) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s: %(message)s")
        self.json_lines = json_lines
        self.secrets = tuple(s for s in secrets if s)

    def format(self, record: logging.LogRecord) -> str:
        if not self.json_lines:
            return redact(super().format(record), self.secrets)
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": redact(record.getMessage(), self.secrets),
        }
        if record.exc_info:
            entry["error"] = redact(self.formatException(record.exc_info), self.secrets)
        return json.dumps(entry, ensure_ascii=False)


class ExpectedConflicts(logging.Filter):
    """Telegram's 409 Conflict (another instance polls this token) in one line, no traceback.

    The bot stops on the first one (see ``bot.tg.common.on_error``); python-telegram-bot then
    logs the 409 of its last ``getUpdates`` with a traceback while shutting down, which says
    nothing more.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        error = record.exc_info[1] if record.exc_info else None
        if isinstance(error, Conflict):
            record.msg, record.args, record.exc_info, record.exc_text = (
                f"{record.getMessage()} ({error})",
                None,
                None,
                None,
            )
        return True


def configure(
    level: str, *, json_lines: bool = False, secrets: Iterable[str] = (), stream: IO[str] | None = None
) -> None:
    """Route every logger through one redacting handler on ``stream`` (stderr) at ``level``."""
    handler = logging.StreamHandler(stream)
    handler.setFormatter(RedactingFormatter(json_lines=json_lines, secrets=secrets))
    handler.addFilter(ExpectedConflicts())
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level.upper())
    logging.getLogger("alembic").setLevel(logging.WARNING)
    logging.getLogger("httpx").setLevel(logging.WARNING)
