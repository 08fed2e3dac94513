"""A tiny but real python-telegram-bot Application for exercising the offline transport.

Reused by the benchmark: ``build_echo_application(api)`` gives an Application whose every Bot API
call goes through ``api`` (an :class:`~bot.simulator.InProcessBotApi`).

Handlers:

* ``/start`` — a greeting with one inline button (``callback_data="ping"``);
* any text that is not a command — echoed back as is;
* the ``ping`` button — answered, and the greeting edited to "pong";
* a document — downloaded through the transport, its size and SHA-256 prefix replied.

Errors raised by handlers are kept in ``app.bot_data["errors"]`` (see :func:`handler_errors`), so
a test can assert that nothing failed silently.
"""

from __future__ import annotations

import hashlib
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)
from telegram.request import BaseRequest

GREETING = "Olá! Eu repito o que você escrever."
PONG = "pong"

EchoApplication = Application[Any, Any, Any, Any, Any, Any]


async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.effective_message is not None
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("ping", callback_data="ping")]])
    await update.effective_message.reply_text(GREETING, reply_markup=keyboard)


async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.effective_message is not None and update.effective_message.text is not None
    await update.effective_message.reply_text(update.effective_message.text)


async def ping(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    assert query is not None
    await query.answer()
    await query.edit_message_text(PONG)


async def document_size(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message = update.effective_message
    assert message is not None and message.document is not None
    file = await message.document.get_file()
    content = await file.download_as_bytearray()
    digest = hashlib.sha256(content).hexdigest()[:12]
    await message.reply_text(f"{message.document.file_name}: {len(content)} bytes, {digest}")


async def record_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    context.bot_data.setdefault("errors", []).append(context.error)


def handler_errors(app: EchoApplication) -> list[BaseException]:
    """The exceptions handlers raised so far."""
    errors: list[BaseException] = app.bot_data.get("errors", [])
    return errors


def build_echo_application(
    api: BaseRequest, *, token: str = "123:ABC", polling: bool = False
) -> EchoApplication:
    """The echo bot on top of ``api``; with ``polling=True`` it has an Updater."""
    builder = ApplicationBuilder().token(token).request(api).get_updates_request(api)
    if not polling:
        builder = builder.updater(None)
    app = builder.build()
    app.add_handler(CommandHandler("start", start))
    app.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, echo))
    app.add_handler(MessageHandler(filters.Document.ALL, document_size))
    app.add_handler(CallbackQueryHandler(ping, pattern="^ping$"))
    app.add_error_handler(record_error)
    return app
