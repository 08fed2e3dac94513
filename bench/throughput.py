"""Throughput of the whole bot against a bare python-telegram-bot echo bot.

The same stream of updates (reps starting /novo, answering, making mistakes, cancelling,
listing and opening leads, asking for help) goes through both Applications over the same
in-process Bot API transport; each update is answered. Prints both rates and the ratio.
Target (issue 3): the bot's throughput is at least half of the echo bot's.

A third Application shows what part of the gap is python-telegram-bot's own cost of the bot's
answers: a bare PTB bot that answers each update with exactly the message the bot sent for it
(same text, parse mode and keyboard, keyboards built once). Its ratio to the echo bot is the
best the bot could reach with these answers; the difference between the bot and it is the
bot's own work (access check, conversation, database, persistence, rendering).

The three take turns, 100 updates at a time, so a change of machine speed during the run
weighs on all alike. Each returns to the event loop after every update, as a polling bot does;
the bot saves each update's conversation changes as the update ends, so that is timed with
the update. Between turns, not timed, the in-process Bot API forgets the requests and
messages it keeps, so memory stays flat.

    .venv/bin/python bench/throughput.py [--updates 10000]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bot.domain.lead_fields import LeadDraft

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from telegram import InlineKeyboardMarkup, LinkPreviewOptions, Update
from telegram.ext import Application, ApplicationBuilder, ContextTypes, MessageHandler, filters

from bot.config import Settings
from bot.domain.vocabulary import Role
from bot.services import leads
from bot.simulator import InProcessBotApi, OfflineUser, SentRequest, UpdateFactory
from bot.storage.models import Member
from bot.wiring import build_application, build_runtime

REPS = 20
SCRIPT = (
    "/novo",
    "Padaria Central",
    "12.345.678/0001-00",  # a wrong CNPJ: explained, same question again
    "11.222.333/0001-81",
    "6201-5/01",
    "sp",
    "/cancelar",
    "/leads",
    "/lead 1",
    "bom dia!",  # stray text: guided back
    "/ajuda",
)


def stream(factory: UpdateFactory, users: list[OfflineUser], count: int) -> list[Update]:
    updates = []
    for i in range(count):
        user = users[i % len(users)]
        text = SCRIPT[(i // len(users)) % len(SCRIPT)]
        if text.startswith("/"):
            command, *args = text.split()
            updates.append(factory.command(user, command, *args))
        else:
            updates.append(factory.text(user, text))
    return updates


async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.effective_message is not None
    await update.effective_message.reply_text(update.effective_message.text or "?")


class Replay:
    """Answers the n-th update with the bot's n-th answer (recorded as the bot sends it).

    Recording only keeps the request (it runs inside the bot's timed turn); :meth:`prepare`,
    called before the replay's turn and not timed, turns keyboards and link preview options
    back into PTB objects, each distinct keyboard once: the bot builds its buttons once too.
    """

    def __init__(self) -> None:
        self._recorded: list[SentRequest] = []
        self.recorded = 0
        self.answers: list[tuple[str, Any, InlineKeyboardMarkup | None, LinkPreviewOptions | None]] = []
        self._next = 0
        self._keyboards: dict[str, InlineKeyboardMarkup] = {}

    def record(self, request: SentRequest) -> None:
        if request.method == "sendMessage":
            self._recorded.append(request)
            self.recorded += 1

    def prepare(self) -> None:
        for request in self._recorded:
            params = request.params
            keyboard = None
            if "reply_markup" in params:
                key = json.dumps(params["reply_markup"], sort_keys=True)
                if key not in self._keyboards:
                    self._keyboards[key] = InlineKeyboardMarkup.de_json(json.loads(key), None)
                keyboard = self._keyboards[key]
            preview = params.get("link_preview_options")
            self.answers.append(
                (
                    params["text"],
                    params.get("parse_mode"),
                    keyboard,
                    LinkPreviewOptions.de_json(preview, None) if preview else None,
                )
            )
        self._recorded.clear()

    async def __call__(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.effective_chat is not None
        text, parse_mode, keyboard, preview = self.answers[self._next]
        self._next += 1
        await context.bot.send_message(
            update.effective_chat.id, text, parse_mode=parse_mode, reply_markup=keyboard, link_preview_options=preview
        )


def bare_app(token: str, callback: Any) -> tuple[Application, UpdateFactory]:
    api = InProcessBotApi()
    app = ApplicationBuilder().token(token).request(api).get_updates_request(api).updater(None).build()
    app.add_handler(MessageHandler(filters.TEXT, callback))
    return app, UpdateFactory(api, app.bot)


CHUNK = 100


async def measure(
    apps: list[Application],
    streams: list[list[Update]],
    per_kind: list[dict[str, float]],
    before_turn: Callable[[int], None] = lambda which: None,
) -> list[float]:
    """Seconds each app takes for its stream, processed one update after the other.

    The apps take turns, :data:`CHUNK` updates at a time; ``before_turn(i)`` runs, not timed,
    before each turn of app ``i``. ``per_kind[i]`` gets app ``i``'s time per script line.
    """
    for app in apps:
        await app.initialize()
    totals = [0.0] * len(apps)
    count = len(streams[0])
    for start in range(0, count, CHUNK):
        for which, (app, updates) in enumerate(zip(apps, streams, strict=True)):
            before_turn(which)
            kinds = per_kind[which]
            for index in range(start, min(start + CHUNK, count)):
                before = time.perf_counter()
                await app.process_update(updates[index])
                await asyncio.sleep(0)  # back to the event loop between updates, as when polling
                spent = time.perf_counter() - before
                totals[which] += spent
                kind = SCRIPT[(index // REPS) % len(SCRIPT)]
                kinds[kind] = kinds.get(kind, 0.0) + spent
    for app in apps:
        await app.shutdown()
    return totals


def between_turns(which: int, apis: list[InProcessBotApi], replay: Replay) -> None:
    """Not timed. The in-process Bot API keeps every request and message, as Telegram's servers
    would; in this process that pile would grow through the run and make every garbage
    collection slower for whichever app is running. Forgetting it keeps memory flat."""
    for api in apis:
        api.clear()
        api.forget_messages()
    if which == 2:
        replay.prepare()


async def main(count: int) -> None:
    echo_app, echo_factory = bare_app("123:ECHO", echo)
    echo_api = echo_factory.api
    echo_updates = stream(echo_factory, [echo_factory.user(f"Rep {i}", user_id=50_000 + i) for i in range(REPS)], count)
    replay = Replay()
    replay_app, replay_factory = bare_app("123:REPLAY", replay)
    replay_api = replay_factory.api
    replay_updates = stream(
        replay_factory, [replay_factory.user(f"Rep {i}", user_id=50_000 + i) for i in range(REPS)], count
    )

    with tempfile.TemporaryDirectory() as folder:
        settings = Settings(_env_file=None, database_url=f"sqlite:///{folder}/bench.db", telegram_bot_token="123:BOT")
        runtime = build_runtime(settings, clock=lambda: datetime(2026, 11, 23, 13, tzinfo=UTC))
        api = InProcessBotApi()
        api.subscribe(replay.record)
        app = build_application(runtime, request=api)
        factory = UpdateFactory(api, app.bot)
        users = [factory.user(f"Rep {i}", user_id=50_000 + i) for i in range(REPS)]
        with runtime.session() as session:
            for user in users:
                session.add(
                    Member(
                        telegram_id=user.id, role=Role.REP.value, first_name=user.first_name, created_at=runtime.now()
                    )
                )
        with runtime.session() as session:
            first = session.get(Member, 1)
        assert first is not None
        sample = {"company": "Transportes Horizonte", "cnae": "4930202", "uf": "PR"}
        leads.create_lead(runtime, first, LeadDraft.read(sample))
        updates = stream(factory, users, count)
        per_kind: list[dict[str, float]] = [{}, {}, {}]
        # The bot goes before the replay in each turn: its answers are recorded by then.
        echo_time, bot_time, replay_time = await measure(
            [echo_app, app, replay_app],
            [echo_updates, updates, replay_updates],
            per_kind,
            before_turn=lambda which: between_turns(which, [echo_api, api, replay_api], replay),
        )
        replies = replay.recorded

    echo_rate, bot_rate, replay_rate = count / echo_time, count / bot_time, count / replay_time
    print(f"updates: {count:,} from {REPS} reps; bot replies: {replies:,}")
    print(f"echo bot:      {echo_rate:8,.0f} updates/s ({echo_time:.2f} s)")
    print(f"cadência bot:  {bot_rate:8,.0f} updates/s ({bot_time:.2f} s)")
    ratio = bot_rate / echo_rate
    print(f"ratio bot/echo: {ratio:.3f} (target ≥ 0.50: {'OK' if ratio >= 0.5 else 'BELOW TARGET'})")
    print(
        f"for scale, PTB sending the bot's answers with no bot logic: {replay_rate:,.0f} updates/s, "
        f"ratio {replay_rate / echo_rate:.2f} to the echo bot (the most the bot could reach with these answers); "
        f"the bot reaches {bot_rate / replay_rate:.2f} of it"
    )
    print(
        f"per update: echo bot {echo_time / count * 1e6:,.0f} µs, answers alone {replay_time / count * 1e6:,.0f} µs, "
        f"the bot's own work {(bot_time - replay_time) / count * 1e6:,.0f} µs"
    )
    print("per kind of update: the bot, answers alone (µs)")
    per_line = count / len(SCRIPT)
    for kind, seconds in sorted(per_kind[1].items(), key=lambda item: -item[1]):
        print(f"  {seconds / per_line * 1e6:7,.0f} {per_kind[2][kind] / per_line * 1e6:7,.0f}  {kind}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--updates", type=int, default=10_000)
    asyncio.run(main(parser.parse_args().updates))
