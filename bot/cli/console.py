"""``cadencia demo``: the real bot in a terminal, offline.

The same Application, handlers and database code as in production; only the network is
replaced by :class:`bot.simulator.InProcessBotApi`. Bot messages print as text, buttons as
numbered choices; type a number to press one, anything else is sent as a message.
"""

from __future__ import annotations

import asyncio
import html
import json
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TextIO

from telegram import Update

from bot.services.runtime import Runtime
from bot.simulator import InProcessBotApi, SentRequest, UpdateFactory
from bot.wiring import build_application

_TAG = re.compile(r"<[^>]+>")


def plain(text: str) -> str:
    return html.unescape(_TAG.sub("", text))


@dataclass
class Screen:
    out: TextIO
    buttons: list[tuple[int, str, str | None, str | None]] = field(default_factory=list)

    def show(self, request: SentRequest) -> None:
        if request.error is not None or request.method not in {
            "sendMessage",
            "editMessageText",
            "sendDocument",
            "sendPhoto",
        }:
            return
        params = request.params
        text = params.get("text") or params.get("caption") or ""
        if request.method == "editMessageText":
            self.out.write("\n✎ ")
        elif request.method in {"sendDocument", "sendPhoto"}:
            name = next(iter(request.files.values()), ("arquivo", b""))[0]
            self.out.write(f"\n📎 {name}\n")
        self.out.write("\n" + plain(str(text)) + "\n")
        markup = params.get("reply_markup")
        if isinstance(markup, str):
            markup = json.loads(markup)
        keyboard = (markup or {}).get("inline_keyboard") if isinstance(markup, dict) else None
        if keyboard:
            message_id = int(params.get("message_id") or 0)
            self.buttons = []
            for row in keyboard:
                for item in row:
                    self.buttons.append((message_id, item.get("text", ""), item.get("callback_data"), item.get("url")))
            for number, (_, label, _data, url) in enumerate(self.buttons, start=1):
                suffix = f"  → {url[:80]}" if url else ""
                self.out.write(f"  [{number}] {label}{suffix}\n")
        self.out.flush()


async def run_console(
    runtime: Runtime,
    *,
    telegram_id: int,
    first_name: str,
    stdin: TextIO = sys.stdin,
    stdout: TextIO = sys.stdout,
    read_line: Callable[[], Any] | None = None,
) -> int:
    api = InProcessBotApi(bot_username="cadencia_demo_bot")
    screen = Screen(stdout)
    api.subscribe(screen.show)
    application = build_application(runtime, request=api)
    await application.initialize()
    await application.start()
    updates = UpdateFactory(api, application.bot)
    user = updates.user(first_name, language_code="pt-br", user_id=telegram_id)
    stdout.write("Cadência — console offline. Digite mensagens ou o número de um botão; Ctrl-D sai.\n")
    stdout.flush()
    try:
        await application.process_update(updates.command(user, "/start"))
        while True:
            line = await asyncio.to_thread(read_line or stdin.readline)
            if not line:
                break
            line = line.rstrip("\n")
            update: Update
            if line.strip().isdigit() and screen.buttons and 1 <= int(line) <= len(screen.buttons):
                message_id, label, data, url = screen.buttons[int(line) - 1]
                if data is None:
                    stdout.write(f"(botão de link: abra {url} no navegador)\n")
                    continue
                stdout.write(f"> [{label}]\n")
                update = updates.callback(user, message_id or api.last_message(user.id).message_id, data)
            elif line.startswith("/"):
                command, *args = line.split()
                update = updates.command(user, command, *args)
            else:
                update = updates.text(user, line)
            await application.process_update(update)
    finally:
        await application.stop()
        await application.shutdown()
    stdout.write("\nAté logo!\n")
    return 0
