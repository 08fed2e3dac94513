"""Throughput of the whole bot against a bare python-telegram-bot echo bot.

The same stream of updates (reps starting /novo, answering, making mistakes, cancelling,
listing and opening leads, asking for help) goes through both Applications over the same
in-process Bot API transport; each update is answered. The two take turns, 500 updates at a
time, so a change of machine speed during the run affects both. Prints both rates and the ratio.
Target (issue 3): the bot's throughput is at least half of the echo bot's.

    .venv/bin/python bench/throughput.py [--updates 10000]
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from telegram import Update
from telegram.ext import Application, ApplicationBuilder, ContextTypes, MessageHandler, filters

from bot.config import Settings
from bot.domain.vocabulary import Role
from bot.services import leads
from bot.storage.models import Member
from bot.tg.offline import InProcessBotApi, OfflineUser, UpdateFactory
from bot.tg.persistence import SqlPersistence
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


CHUNK = 500


async def measure(
    apps: list[Application],  # type: ignore[type-arg]
    streams: list[list[Update]],
    per_kind: dict[str, float],
) -> list[float]:
    """Seconds each app takes for its stream, processed one update after the other.

    The apps take turns, :data:`CHUNK` updates at a time, so a machine that slows down or speeds
    up during the run weighs on both alike. ``per_kind`` gets the last app's time per script line.
    """
    for app in apps:
        await app.initialize()
    totals = [0.0] * len(apps)
    count = len(streams[0])
    last = len(apps) - 1
    for start in range(0, count, CHUNK):
        for which, (app, updates) in enumerate(zip(apps, streams, strict=True)):
            for index in range(start, min(start + CHUNK, count)):
                before = time.perf_counter()
                await app.process_update(updates[index])
                spent = time.perf_counter() - before
                totals[which] += spent
                if which == last:
                    kind = SCRIPT[(index // REPS) % len(SCRIPT)]
                    per_kind[kind] = per_kind.get(kind, 0.0) + spent
            if isinstance(app.persistence, SqlPersistence):
                # Conversation state is written by a thread: count its work to the bot, and
                # do not let it run on into the other bot's turn.
                before = time.perf_counter()
                app.persistence.write_pending()
                totals[which] += time.perf_counter() - before
    for app in apps:
        await app.shutdown()
    return totals


async def main(count: int) -> None:
    # the reference: a bare echo bot
    echo_api = InProcessBotApi()
    echo_app = (
        ApplicationBuilder().token("123:ECHO").request(echo_api).get_updates_request(echo_api).updater(None).build()
    )
    echo_app.add_handler(MessageHandler(filters.TEXT, echo))
    echo_factory = UpdateFactory(echo_api, echo_app.bot)
    echo_users = [echo_factory.user(f"Rep {i}", user_id=50_000 + i) for i in range(REPS)]
    echo_updates = stream(echo_factory, echo_users, count)

    with tempfile.TemporaryDirectory() as folder:
        settings = Settings(_env_file=None, database_url=f"sqlite:///{folder}/bench.db", telegram_bot_token="123:BOT")  # type: ignore[call-arg]
        runtime = build_runtime(settings, clock=lambda: datetime(2026, 11, 23, 13, tzinfo=UTC))
        api = InProcessBotApi()
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
        leads.create_lead(runtime, first, {"company": "Transportes Horizonte", "cnae": "4930202", "uf": "PR"})
        updates = stream(factory, users, count)
        per_kind: dict[str, float] = {}
        echo_time, bot_time = await measure([echo_app, app], [echo_updates, updates], per_kind)
        replies = len(api.requests_for("sendMessage", "editMessageText"))

    echo_rate = count / echo_time
    bot_rate = count / bot_time
    print(f"updates: {count:,} from {REPS} reps; bot replies: {replies:,}")
    print(f"echo bot:      {echo_rate:8,.0f} updates/s ({echo_time:.2f} s)")
    print(f"cadência bot:  {bot_rate:8,.0f} updates/s ({bot_time:.2f} s)")
    ratio = bot_rate / echo_rate
    print(f"ratio bot/echo: {ratio:.2f} (target ≥ 0.50: {'OK' if ratio >= 0.5 else 'BELOW TARGET'})")
    print(f"echo bot per update: {echo_time / count * 1e6:,.0f} µs; the bot per kind of update:")
    per_line = count / len(SCRIPT)
    for kind, seconds in sorted(per_kind.items(), key=lambda item: -item[1]):
        print(f"  {seconds / per_line * 1e6:7,.0f} µs  {kind}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--updates", type=int, default=10_000)
    asyncio.run(main(parser.parse_args().updates))
