"""The in-process Telegram Bot API: a simulator of Telegram's server behind python-telegram-bot's
network seam, used by the tests and by ``cadencia demo``. It is not part of the bot: nothing in
``bot.tg`` imports it, and it imports nothing of the bot (import-linter checks both)."""

from bot.simulator.records import Fault, OfflineUser, SentRequest
from bot.simulator.server import InProcessBotApi, iter_sent_texts
from bot.simulator.updates import UpdateFactory

__all__ = ["Fault", "InProcessBotApi", "OfflineUser", "SentRequest", "UpdateFactory", "iter_sent_texts"]
