"""Inline keyboards. Labels go through the member's language; data through :mod:`callbacks`."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from functools import lru_cache

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.tg.callbacks import Verb, pack

Button = InlineKeyboardButton
ROW = 2


@lru_cache(maxsize=4096)
def button(label: str, verb: Verb, *args: object) -> InlineKeyboardButton:
    """The button (PTB's are immutable, so the same few hundred are built once and reused)."""
    return InlineKeyboardButton(label[:64], callback_data=pack(verb, *args))


def url_button(label: str, url: str) -> InlineKeyboardButton:
    return InlineKeyboardButton(label[:64], url=url)


def rows(buttons: Iterable[InlineKeyboardButton], per_row: int = ROW) -> list[list[InlineKeyboardButton]]:
    items = list(buttons)
    return [items[i : i + per_row] for i in range(0, len(items), per_row)]


def markup(*groups: Sequence[Sequence[InlineKeyboardButton]] | None) -> InlineKeyboardMarkup | None:
    keyboard = tuple(tuple(row) for group in groups if group for row in group if row)
    return _markup(keyboard[:12]) if keyboard else None


@lru_cache(maxsize=2048)
def _markup(keyboard: tuple[tuple[InlineKeyboardButton, ...], ...]) -> InlineKeyboardMarkup:
    """The keyboard (immutable too: the same question's keyboard is built once)."""
    return InlineKeyboardMarkup(keyboard)
