"""Checks every request the bot makes against what Telegram would accept.

Two sources of truth:

* the machine-readable Bot API spec (``tests/support/telegram/bot-api-10.0.json``, a copy kept in
  the repository — see its SOURCE.md — or the file named by ``CADENCIA_TELEGRAM_SPEC``): the
  method exists, every parameter is known, every required one is present;
* ``telegram.constants``: text, caption, callback data and keyboard limits.

Plus the HTML subset Telegram parses when ``parse_mode="HTML"``.

Usage::

    problems = check_request(api.requests[-1])      # list[str], empty when fine
    assert_within_limits(api.requests)              # AssertionError listing every problem

Lengths of texts are counted in UTF-16 code units, the unit of Telegram's entity offsets; for
text without emoji that is the number of characters, and otherwise it is the safe reading.
"""

from __future__ import annotations

import functools
import html
import json
import os
import re
from collections.abc import Iterable, Mapping
from html.parser import HTMLParser
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import urlsplit

from telegram.constants import (
    BotCommandLimit,
    CallbackQueryLimit,
    InlineKeyboardButtonLimit,
    InlineKeyboardMarkupLimit,
    MessageLimit,
)

SPEC_ENV = "CADENCIA_TELEGRAM_SPEC"
DEFAULT_SPEC_PATH = Path(__file__).resolve().parent / "telegram" / "bot-api-10.0.json"

#: The raw (tagged) text may be longer than the visible text, but not absurdly so.
RAW_TEXT_SANITY_LIMIT = 4 * MessageLimit.MAX_TEXT_LENGTH
URL_BUTTON_SCHEMES = frozenset({"https", "tg"})
#: InlineKeyboardButton fields that are not its action ("exactly one of the fields other than
#: text, icon_custom_emoji_id, and style must be used").
NON_ACTION_BUTTON_FIELDS = frozenset({"text", "icon_custom_emoji_id", "style"})
ALLOWED_NAMED_ENTITIES = frozenset({"lt", "gt", "amp", "quot"})
_COMMAND_RE = re.compile(r"^[a-z0-9_]+$")
_TEXT_METHODS = frozenset({"sendMessage", "editMessageText"})


class RecordedRequest(Protocol):
    """What :class:`bot.simulator.SentRequest` provides."""

    @property
    def method(self) -> str: ...

    @property
    def params(self) -> dict[str, Any]: ...

    @property
    def files(self) -> dict[str, tuple[str, bytes]]: ...


# -- the spec -------------------------------------------------------------------------------------


def spec_path() -> Path:
    override = os.environ.get(SPEC_ENV)
    return Path(override) if override else DEFAULT_SPEC_PATH


@functools.cache
def _load_spec(path: Path) -> dict[str, Any]:
    if not path.is_file():
        raise FileNotFoundError(
            f"Telegram Bot API spec not found at {path}. The request checker needs the "
            f"machine-readable spec (bot-api-10.0.json, see tests/support/telegram/SOURCE.md); "
            f"put it there or point {SPEC_ENV} at it."
        )
    spec: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    if "methods" not in spec or "types" not in spec:
        raise ValueError(f"{path} does not look like the Bot API spec (no methods/types)")
    return spec


def bot_api_spec() -> dict[str, Any]:
    """The parsed spec (cached); raises ``FileNotFoundError`` with a clear message if missing."""
    return _load_spec(spec_path())


def _fields(entry: Mapping[str, Any]) -> dict[str, bool]:
    """Field name -> required, for a method or a type of the spec."""
    return {item["name"]: bool(item["required"]) for item in entry.get("fields", [])}


def button_action_fields() -> frozenset[str]:
    fields = _fields(bot_api_spec()["types"]["InlineKeyboardButton"])
    return frozenset(fields) - NON_ACTION_BUTTON_FIELDS


# -- HTML -----------------------------------------------------------------------------------------

_PLAIN_TAGS = frozenset({"b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "tg-spoiler"})
_ALLOWED_TAGS = _PLAIN_TAGS | {"span", "a", "code", "pre", "blockquote", "tg-emoji"}


class _TelegramHtmlChecker(HTMLParser):
    """Walks a text with Telegram's HTML subset in mind, collecting problems and visible text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)
        self.problems: list[str] = []
        self.visible: list[str] = []
        self.stack: list[str] = []
        self.unsupported: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in _ALLOWED_TAGS:
            self.problems.append(f"unsupported HTML tag <{tag}>")
            self.unsupported.add(tag)
            return
        self._check_attributes(tag, dict(attrs))
        if (
            self.stack
            and self.stack[-1] in {"code", "pre"}
            and not (tag == "code" and self.stack[-1] == "pre")
        ):
            self.problems.append(f"<{tag}> inside <{self.stack[-1]}>: it cannot hold entities")
        if tag == "blockquote" and "blockquote" in self.stack:
            self.problems.append("nested <blockquote>")
        if tag == "a" and "a" in self.stack:
            self.problems.append("nested <a>")
        self.stack.append(tag)

    def _check_attributes(self, tag: str, attrs: dict[str, str | None]) -> None:
        allowed: set[str] = set()
        if tag == "a":
            allowed = {"href"}
            if not attrs.get("href"):
                self.problems.append("<a> without href")
        elif tag == "span":
            allowed = {"class"}
            if attrs.get("class") != "tg-spoiler":
                self.problems.append('<span> must be <span class="tg-spoiler">')
        elif tag == "code":
            allowed = {"class"}
            css_class = attrs.get("class")
            if css_class is not None and not (
                css_class.startswith("language-") and self.stack and self.stack[-1] == "pre"
            ):
                self.problems.append(
                    '<code class=...> is only <pre><code class="language-x"> inside <pre>'
                )
        elif tag == "blockquote":
            allowed = {"expandable"}
        elif tag == "tg-emoji":
            allowed = {"emoji-id"}
            if not attrs.get("emoji-id"):
                self.problems.append("<tg-emoji> without emoji-id")
        for name in attrs:
            if name not in allowed:
                self.problems.append(f"unsupported attribute {name!r} on <{tag}>")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.problems.append(f"self-closing tag <{tag}/> is not supported")

    def handle_endtag(self, tag: str) -> None:
        if tag not in _ALLOWED_TAGS:
            if tag not in self.unsupported:
                self.problems.append(f"unsupported HTML tag </{tag}>")
            return
        if not self.stack:
            self.problems.append(f"closing </{tag}> without an opening tag")
            return
        if self.stack[-1] != tag:
            self.problems.append(f"</{tag}> closes <{self.stack[-1]}>: tags are not nested")
            if tag in self.stack:
                while self.stack and self.stack.pop() != tag:
                    pass
            return
        self.stack.pop()

    def handle_data(self, data: str) -> None:
        # '&' is checked on the raw text by _ampersand_problems: HTMLParser is lenient with it.
        for char in "<>":
            if char in data:
                self.problems.append(
                    f"unescaped {char!r} in text (write {html.escape(char)}): {_snippet(data)}"
                )
        self.visible.append(data)

    def handle_entityref(self, name: str) -> None:
        self.visible.append(html.unescape(f"&{name};"))

    def handle_charref(self, name: str) -> None:
        try:
            code = int(name[1:], 16) if name[:1] in {"x", "X"} else int(name)
            self.visible.append(chr(code))
        except (ValueError, OverflowError):
            self.problems.append(f"invalid numeric entity &#{name};")

    def handle_comment(self, data: str) -> None:
        self.problems.append("HTML comments are not supported")

    def handle_decl(self, decl: str) -> None:
        self.problems.append(f"HTML declaration <!{decl}> is not supported")

    def handle_pi(self, data: str) -> None:
        self.problems.append(f"processing instruction <?{data}> is not supported")

    def unknown_decl(self, data: str) -> None:
        self.problems.append(f"HTML declaration <![{data}]> is not supported")

    def close(self) -> None:
        super().close()
        for tag in reversed(self.stack):
            self.problems.append(f"<{tag}> is never closed")
        self.stack.clear()


_TAG_RE = re.compile(r"</?[a-zA-Z][^<>]*>")
_ENTITY_RE = re.compile(r"&(?:#[0-9]+|#[xX][0-9a-fA-F]+|[a-zA-Z][a-zA-Z0-9]*);")


def _ampersand_problems(text: str) -> list[str]:
    """Every '&' outside tags must start &lt; &gt; &amp; &quot; or a numeric entity."""
    problems: list[str] = []
    outside_tags = _TAG_RE.sub(lambda match: " " * len(match.group()), text)
    for position, char in enumerate(outside_tags):
        if char != "&":
            continue
        entity = _ENTITY_RE.match(outside_tags, position)
        if entity is None:
            context = text[max(0, position - 15) : position + 15]
            problems.append(f"unescaped '&' in text (write &amp;): {_snippet(context)}")
        elif entity.group()[1:-1] not in ALLOWED_NAMED_ENTITIES and entity.group()[1] != "#":
            problems.append(
                f"HTML entity {entity.group()} is not supported "
                "(only &lt; &gt; &amp; &quot; and numeric ones)"
            )
    return problems


def check_html(text: str) -> tuple[list[str], str]:
    """Problems of ``text`` as Telegram HTML, and the visible text once tags are parsed."""
    checker = _TelegramHtmlChecker()
    checker.feed(text)
    checker.close()
    return _ampersand_problems(text) + checker.problems, "".join(checker.visible)


# -- the request checks ---------------------------------------------------------------------------


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _snippet(value: object, width: int = 60) -> str:
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    text = text.replace("\n", "⏎")
    return repr(text if len(text) <= width else text[: width - 1] + "…")


def _is_html(parse_mode: object) -> bool:
    return isinstance(parse_mode, str) and parse_mode.upper() == "HTML"


def _check_spec(method: str, present: set[str]) -> list[str]:
    methods = bot_api_spec()["methods"]
    if method not in methods:
        return [f"unknown Bot API method {method!r}"]
    fields = _fields(methods[method])
    problems = [
        f"unknown parameter {name!r} for {method}" for name in sorted(present - set(fields))
    ]
    problems += [
        f"missing required parameter {name!r} for {method}"
        for name, required in fields.items()
        if required and name not in present
    ]
    return problems


def _check_formatted(
    label: str, text: object, parse_mode: object, minimum: int, maximum: int
) -> list[str]:
    if not isinstance(text, str):
        return [f"{label} must be a string, got {type(text).__name__}"]
    problems: list[str] = []
    visible = text
    if _is_html(parse_mode):
        html_problems, visible = check_html(text)
        problems += [f"{label}: {problem}" for problem in html_problems]
    length = utf16_len(visible)
    if length > maximum:
        problems.append(f"{label} is {length} characters after entity parsing (max {maximum})")
    if minimum > 0 and not visible.strip():
        problems.append(f"{label} is empty after entity parsing (min {minimum})")
    if utf16_len(text) > RAW_TEXT_SANITY_LIMIT:
        problems.append(f"raw {label} is {utf16_len(text)} characters long, which is absurd")
    return problems


def _as_object(value: Any) -> Any:
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def _check_button(position: str, button: Any, actions: frozenset[str]) -> list[str]:
    if not isinstance(button, Mapping):
        return [f"button {position} is not an object: {_snippet(button)}"]
    problems: list[str] = []
    if not button.get("text"):
        problems.append(f"button {position} has no text")
    used = sorted(name for name in button if name in actions)
    unknown = sorted(set(button) - actions - NON_ACTION_BUTTON_FIELDS)
    if unknown:
        problems.append(f"button {position} has unknown fields {unknown}")
    if len(used) != 1:
        problems.append(
            f"button {position} must have exactly one action field, has {used or 'none'}"
        )
    if "callback_data" in button:
        data = button["callback_data"]
        size = len(str(data).encode("utf-8"))
        low = InlineKeyboardButtonLimit.MIN_CALLBACK_DATA
        high = InlineKeyboardButtonLimit.MAX_CALLBACK_DATA
        if not low <= size <= high:
            problems.append(
                f"button {position} callback_data {_snippet(data)} is {size} bytes "
                f"(must be {low}-{high} bytes in UTF-8)"
            )
    if "url" in button:
        scheme = urlsplit(str(button["url"])).scheme.lower()
        if scheme not in URL_BUTTON_SCHEMES:
            problems.append(
                f"button {position} url {_snippet(button['url'])} has scheme {scheme!r} "
                f"(only https:// and tg:// work)"
            )
    return problems


def _check_reply_markup(markup: Any) -> list[str]:
    markup = _as_object(markup)
    if not isinstance(markup, Mapping) or "inline_keyboard" not in markup:
        return []
    rows = markup["inline_keyboard"]
    if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
        return ["inline_keyboard must be an array of arrays of buttons"]
    problems: list[str] = []
    total = sum(len(row) for row in rows)
    if total > InlineKeyboardMarkupLimit.TOTAL_BUTTON_NUMBER:
        problems.append(
            f"inline keyboard has {total} buttons "
            f"(max {InlineKeyboardMarkupLimit.TOTAL_BUTTON_NUMBER})"
        )
    actions = button_action_fields()
    for row_number, row in enumerate(rows, start=1):
        if len(row) > InlineKeyboardMarkupLimit.BUTTONS_PER_ROW:
            problems.append(
                f"inline keyboard row {row_number} has {len(row)} buttons "
                f"(max {InlineKeyboardMarkupLimit.BUTTONS_PER_ROW})"
            )
        for column, button in enumerate(row, start=1):
            problems += _check_button(f"[{row_number},{column}]", button, actions)
    return problems


def _check_commands(commands: Any) -> list[str]:
    commands = _as_object(commands)
    if not isinstance(commands, list):
        return ["commands must be an array of BotCommand"]
    problems: list[str] = []
    if len(commands) > BotCommandLimit.MAX_COMMAND_NUMBER:
        problems.append(f"{len(commands)} commands (max {BotCommandLimit.MAX_COMMAND_NUMBER})")
    for item in commands:
        command = str(item.get("command", "")) if isinstance(item, Mapping) else ""
        description = str(item.get("description", "")) if isinstance(item, Mapping) else ""
        if not (
            BotCommandLimit.MIN_COMMAND <= len(command) <= BotCommandLimit.MAX_COMMAND
            and _COMMAND_RE.match(command)
        ):
            problems.append(f"command {command!r} must be 1-32 characters of a-z, 0-9 and _")
        if not (
            BotCommandLimit.MIN_DESCRIPTION <= len(description) <= BotCommandLimit.MAX_DESCRIPTION
        ):
            problems.append(f"command {command!r} description must be 1-256 characters")
    return problems


def _direct_uploads(req: RecordedRequest) -> set[str]:
    """Multipart fields that are parameters themselves (not ``attach://`` targets)."""
    referenced = json.dumps(req.params)
    return {name for name in req.files if f"attach://{name}" not in referenced}


def check_request(req: RecordedRequest) -> list[str]:
    """Every reason Telegram (or a careful reading of its limits) would reject ``req``."""
    params = req.params
    problems = _check_spec(req.method, set(params) | _direct_uploads(req))
    if req.method in _TEXT_METHODS and "text" in params:
        problems += _check_formatted(
            "text",
            params["text"],
            params.get("parse_mode"),
            MessageLimit.MIN_TEXT_LENGTH,
            MessageLimit.MAX_TEXT_LENGTH,
        )
    if "caption" in params:
        problems += _check_formatted(
            "caption", params["caption"], params.get("parse_mode"), 0, MessageLimit.CAPTION_LENGTH
        )
    if req.method == "answerCallbackQuery" and "text" in params:
        length = utf16_len(str(params["text"]))
        if length > CallbackQueryLimit.ANSWER_CALLBACK_QUERY_TEXT_LENGTH:
            problems.append(
                f"callback answer text is {length} characters "
                f"(max {CallbackQueryLimit.ANSWER_CALLBACK_QUERY_TEXT_LENGTH})"
            )
    if "reply_markup" in params:
        problems += _check_reply_markup(params["reply_markup"])
    if req.method == "setMyCommands" and "commands" in params:
        problems += _check_commands(params["commands"])
    return problems


def _describe(req: RecordedRequest) -> str:
    for key in ("text", "caption", "callback_query_id", "commands", "chat_id"):
        if key in req.params:
            return f"{key}={_snippet(req.params[key])}"
    return _snippet(req.params)


def assert_within_limits(requests: Iterable[RecordedRequest]) -> None:
    """Raise ``AssertionError`` listing every problem of every request (method and snippet)."""
    report: list[str] = []
    for number, req in enumerate(requests, start=1):
        problems = check_request(req)
        if problems:
            report.append(f"request #{number} {req.method} ({_describe(req)}):")
            report += [f"  - {problem}" for problem in problems]
    if report:
        raise AssertionError(
            "requests Telegram would reject or that break its limits:\n" + "\n".join(report)
        )
