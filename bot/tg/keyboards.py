"""Inline keyboards. Labels go through the member's language; data through :mod:`callbacks`."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from functools import lru_cache

from telegram import InlineKeyboardButton, InlineKeyboardMarkup
from telegram.constants import InlineKeyboardMarkupLimit

from bot.domain import paging
from bot.tg.callbacks import Action, Verb, pack

Button = InlineKeyboardButton
ROW = 2
PREVIOUS, NEXT = "◀", "▶"


@lru_cache(maxsize=4096)
def button(label: str, action: Action | Verb, *args: object) -> InlineKeyboardButton:
    """The button that presses ``action`` (or an older ``verb`` with its ``args``). PTB's buttons
    are immutable, so the same few hundred are built once and reused."""
    data = action.encode() if isinstance(action, Action) else pack(action, *args)
    return InlineKeyboardButton(label[:64], callback_data=data)


def url_button(label: str, url: str) -> InlineKeyboardButton:
    return InlineKeyboardButton(label[:64], url=url)


def rows(buttons: Iterable[InlineKeyboardButton], per_row: int = ROW) -> list[list[InlineKeyboardButton]]:
    items = list(buttons)
    return [items[i : i + per_row] for i in range(0, len(items), per_row)]


def paged(
    buttons: Sequence[InlineKeyboardButton],
    page: int,
    turn: Callable[[int], InlineKeyboardButton],
    per_row: int = ROW,
) -> list[list[InlineKeyboardButton]]:
    """One page of ``buttons`` in rows, then ◀ ▶ to the pages around it (``turn(page)`` makes
    the button that shows that page). A list that fits one page gets no arrows."""
    page = paging.clamp(page, len(buttons))
    pages = paging.page_count(len(buttons))
    keyboard = rows(paging.page_of(buttons, page), per_row)
    arrows = []
    if page > 0:
        arrows.append(_relabel(turn(page - 1), f"{PREVIOUS} {page}/{pages}"))
    if page + 1 < pages:
        arrows.append(_relabel(turn(page + 1), f"{NEXT} {page + 2}/{pages}"))
    if arrows:
        keyboard.append(arrows)
    return keyboard


def _relabel(original: InlineKeyboardButton, label: str) -> InlineKeyboardButton:
    return InlineKeyboardButton(label, callback_data=original.callback_data)


def markup(*groups: Sequence[Sequence[InlineKeyboardButton]] | None) -> InlineKeyboardMarkup | None:
    """The keyboard of ``groups`` of rows, every button kept: a list too long for one message is
    :func:`paged`, never cut (more buttons than Telegram takes is a bug, and raises)."""
    keyboard = tuple(tuple(row) for group in groups if group for row in group if row)
    if not keyboard:
        return None
    count = sum(len(row) for row in keyboard)
    if count > InlineKeyboardMarkupLimit.TOTAL_BUTTON_NUMBER:
        raise ValueError(f"{count} buttons: page the list (keyboards.paged) instead")
    return _markup(keyboard)


@lru_cache(maxsize=2048)
def _markup(keyboard: tuple[tuple[InlineKeyboardButton, ...], ...]) -> InlineKeyboardMarkup:
    """The keyboard (immutable too: the same question's keyboard is built once)."""
    return InlineKeyboardMarkup(keyboard)
