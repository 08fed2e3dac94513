"""Conversation tests as dialogues: the real Application over the in-process Bot API.

    ana = await bot.member("Ana")            # a rep on the team
    await ana.says("/novo")
    ana.sees("Qual o nome da empresa?")
    await ana.taps("Pular")

Every request the bot makes is checked against Telegram's limits when the test ends, and any
unexpected exception inside a handler fails the test.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import delete
from sqlmodel import select
from telegram import Update
from telegram.ext import Application

from bot.domain.vocabulary import Role
from bot.services import team
from bot.services.runtime import Runtime
from bot.simulator import InProcessBotApi, OfflineUser, SentRequest, UpdateFactory
from bot.storage.models import BotState, Member
from bot.wiring import build_application
from tests.support.telegram_limits import assert_within_limits

_TAG = re.compile(r"<[^>]+>")


def _words(text: str) -> str:
    return " ".join(w for w in text.casefold().split() if any(ch.isalnum() for ch in w))


def plain(text: str) -> str:
    return html.unescape(_TAG.sub("", text))


class FrozenClock:
    """Time that only moves when a test says so."""

    def __init__(self, start: datetime) -> None:
        self.moment = start

    def __call__(self) -> datetime:
        return self.moment

    def advance(self, **delta: float) -> None:
        self.moment += timedelta(**delta)

    def set(self, moment: datetime) -> None:
        self.moment = moment.astimezone(UTC)


@dataclass
class Person:
    bot: BotUnderTest
    user: OfflineUser
    member: Member | None = None

    @property
    def id(self) -> int:
        return self.user.id

    # ----------------------------------------------------------------- acting

    async def says(self, text: str) -> None:
        factory = self.bot.updates
        if text.startswith("/"):
            command, *args = text.split(" ")
            update = factory.command(self.user, command, *args)
        else:
            update = factory.text(self.user, text)
        await self.bot.process(update)

    async def taps(self, label: str, *, message_id: int | None = None) -> None:
        """Press the button whose label contains ``label`` on the newest message showing one."""
        wanted = label.casefold()
        for message in reversed(self.bot.api.messages_to(self.id)):
            if message_id is not None and message.message_id != message_id:
                continue
            markup = message.reply_markup
            if markup is None:
                continue
            buttons = [b for row in markup.inline_keyboard for b in row]
            # The exact label (emoji aside) wins over a label that merely contains the words.
            exact = [b for b in buttons if _words(b.text) == _words(label)]
            partial = [b for b in buttons if wanted in b.text.casefold()]
            for button in exact or partial:
                assert button.callback_data is not None, f"{button.text!r} is a link button"
                await self.presses_data(str(button.callback_data), message.message_id)
                return
        raise AssertionError(f"no button {label!r}; buttons now: {self.buttons()}")

    async def pages_to(self, label: str, *, limit: int = 20) -> int:
        """Tap ▶ under the newest list until a button ``label`` shows; the pages turned."""
        for turned in range(limit):
            if any(_words(b) == _words(label) for b in self.buttons()):
                return turned
            if not any(b.startswith("▶") for b in self.buttons()):
                break
            await self.taps("▶")
        raise AssertionError(f"{label!r} is on no page; buttons now: {self.buttons()}")

    def alerts(self) -> list[str]:
        """Texts of the pop-ups answering this person's button presses."""
        return [
            str(r.params.get("text", ""))
            for r in self.bot.api.requests_for("answerCallbackQuery")
            if r.params.get("text")
        ]

    async def presses_data(self, data: str, message_id: int | None = None) -> None:
        """Send callback data as is (a forged button, for example)."""
        if message_id is None:
            message_id = self.bot.api.last_message(self.id).message_id
        await self.bot.process(self.bot.updates.callback(self.user, message_id, data))

    # ----------------------------------------------------------------- seeing

    def replies(self) -> list[str]:
        """Texts the bot sent or edited for this person since the last look, in order."""
        texts = [plain(r.text or "") for r in self.bot.unseen(self.id)]
        return texts

    def sees(self, *fragments: str) -> str:
        """Assert that something the bot said since the last look contains every fragment."""
        texts = self.replies()
        joined = "\n---\n".join(texts)
        for fragment in fragments:
            assert fragment.casefold() in joined.casefold(), f"{fragment!r} not in:\n{joined}"
        return joined

    def sees_nothing(self) -> None:
        texts = self.replies()
        assert not texts, f"expected silence, got: {texts}"

    def last_text(self) -> str:
        return plain(self.bot.api.last_message(self.id).text or "")

    def buttons(self) -> list[str]:
        message = self.bot.api.last_message(self.id)
        markup = message.reply_markup
        return [b.text for row in markup.inline_keyboard for b in row] if markup else []

    def all_buttons(self) -> list[tuple[str, str | None, str | None]]:
        labels = []
        for message in self.bot.api.messages_to(self.id):
            if message.reply_markup:
                for row in message.reply_markup.inline_keyboard:
                    labels.extend(
                        (b.text, b.callback_data if isinstance(b.callback_data, str) else None, b.url) for b in row
                    )
        return labels


@dataclass
class BotUnderTest:
    runtime: Runtime
    clock: FrozenClock
    api: InProcessBotApi = field(default_factory=lambda: InProcessBotApi(bot_username="cadencia_test_bot"))
    app: Application | None = None  # type: ignore[type-arg]
    errors: list[BaseException] = field(default_factory=list)
    expected_errors: tuple[type[BaseException], ...] = ()
    _seen: dict[int, int] = field(default_factory=dict)

    @property
    def updates(self) -> UpdateFactory:
        return self._updates

    async def start(self) -> None:
        self.app = build_application(self.runtime, request=self.api)
        previous = getattr(self, "_updates", None)
        self._updates = UpdateFactory(self.api, self.app.bot)
        if previous is not None:  # a restart: keep counting update and user ids
            self._updates.__dict__.update({k: v for k, v in previous.__dict__.items() if k not in {"bot"}})

        async def record(update: object, context: Any) -> None:
            self.errors.append(context.error)

        self.app.add_error_handler(record)
        await self.app.initialize()

    async def restart(self) -> None:
        """Stop the bot and build a new Application on the same database (a deploy, a crash)."""
        await self.stop()
        await self.start()

    async def saved_state(self) -> list[BotState]:
        """What ``bot_state`` holds now (every update's changes are saved as it ends): the state
        a process killed from here on, before the next change is saved, restarts with."""
        with self.runtime.session() as session:
            return [
                BotState(kind=r.kind, key=r.key, value=r.value, updated_at=r.updated_at)
                for r in session.exec(select(BotState))
            ]

    async def killed(self, state: list[BotState]) -> None:
        """A crash: the process dies having saved only ``state`` (see :meth:`saved_state`), say
        between an answer and the save of the conversation that follows it; then the
        supervisor starts it again. The database keeps everything else that was committed."""
        await self.stop()
        with self.runtime.session() as session:
            session.execute(delete(BotState))
            session.add_all(BotState(kind=r.kind, key=r.key, value=r.value, updated_at=r.updated_at) for r in state)
        await self.start()

    async def stop(self) -> None:
        if self.app is not None:
            await self.app.shutdown()
            self.app = None

    async def process(self, update: Update) -> None:
        assert self.app is not None
        await self.app.process_update(update)

    def unseen(self, chat_id: int) -> list[SentRequest]:
        """Message requests to ``chat_id`` not returned before."""
        start = self._seen.get(chat_id, 0)
        requests = [
            r
            for r in self.api.requests[start:]
            if r.method in {"sendMessage", "editMessageText", "sendDocument", "sendPhoto"}
            and str(r.params.get("chat_id")) == str(chat_id)
            and r.error is None
        ]
        self._seen[chat_id] = len(self.api.requests)
        return requests

    def person(self, first_name: str, *, language_code: str = "pt-br") -> Person:
        user = self._updates.user(first_name, language_code=language_code)
        return Person(self, user)

    async def member(self, first_name: str, *, role: Role = Role.REP, language_code: str = "pt-br") -> Person:
        """A person already on the team (created the way an accepted invite creates them)."""
        person = self.person(first_name, language_code=language_code)
        with self.runtime.session() as session:
            member = Member(
                telegram_id=person.id,
                role=role.value,
                first_name=first_name,
                full_name=f"{first_name} Silva",
                language="en" if language_code.startswith("en") else "pt",
                created_at=self.clock(),
            )
            session.add(member)
        person.member = member
        return person

    def check_requests(self) -> None:
        assert_within_limits(self.api.requests)

    def check_errors(self) -> None:
        unexpected = [e for e in self.errors if not isinstance(e, self.expected_errors)]
        assert not unexpected, f"handler errors: {unexpected!r}"


def keyboard_of(request: SentRequest) -> list[list[dict[str, Any]]]:
    markup = request.params.get("reply_markup")
    if isinstance(markup, str):
        markup = json.loads(markup)
    return (markup or {}).get("inline_keyboard", []) if isinstance(markup, dict) else []


def texts(requests: Iterable[SentRequest]) -> list[str]:
    return [plain(r.text or "") for r in requests if r.text]


__all__ = ["BotUnderTest", "FrozenClock", "Person", "team"]
