"""Callback data: each action's wire format decodes to the action, fits Telegram's 64 bytes,
belongs to one action only, and forged data decodes to nothing."""

from __future__ import annotations

import dataclasses
import typing
from enum import StrEnum

import pytest

from bot.domain.numbers import DB_INT_MAX, MAX_PAGE
from bot.domain.vocabulary import Outcome, Stage
from bot.tg import callbacks
from bot.tg.callbacks import Action, LogOutcome, LoseByHand, LoseOnStep, MoveStage, Page, SettingsMenu, Snooze

ACTIONS = sorted(Action.__subclasses__(), key=lambda kind: kind.__name__)


def biggest(kind: type[Action]) -> Action:
    """The action with every field as long as it can be."""
    hints = typing.get_type_hints(kind)
    values: dict[str, object] = {}
    for field in dataclasses.fields(kind):
        hint = hints[field.name]
        if field.name in kind.CODES:
            values[field.name] = max(kind.CODES[field.name].values(), key=lambda v: len(str(v)))
        elif hint is Page:
            values[field.name] = MAX_PAGE
        elif hint is int:
            values[field.name] = DB_INT_MAX
        elif isinstance(hint, type) and issubclass(hint, StrEnum):
            values[field.name] = max(hint, key=len)
        else:
            values[field.name] = "1" * 12 if kind is Snooze else "abordagem_1"
    return kind(**values)


@pytest.mark.parametrize("kind", ACTIONS, ids=lambda kind: kind.__name__)
def test_an_action_survives_the_trip_through_telegram(kind: type[Action]) -> None:
    action = biggest(kind)
    data = action.encode()
    assert len(data.encode()) <= 64, data
    assert kind.parse(data) == action
    assert [other.__name__ for other in ACTIONS if other.parse(data) is not None] == [kind.__name__]


def test_the_buttons_already_in_chats_still_decode() -> None:
    assert LoseByHand.parse("lr:12:-:preco") == LoseByHand(12, "preco")
    assert LoseOnStep.parse("lr:12:-:preco") is None  # "-" is never a step
    assert LogOutcome.parse("oc:7:abordagem_1:na") == LogOutcome(7, "abordagem_1", Outcome.NO_ANSWER)
    assert MoveStage.parse("sg:7:proposal") == MoveStage(7, Stage.PROPOSAL_SENT)
    assert MoveStage(7, Stage.PROPOSAL_SENT).encode() == "sg:7:proposal"
    assert SettingsMenu.parse("cf:menu:-") == SettingsMenu()
    assert Snooze.parse("rm:3:s:1h") == Snooze(3, "1h")


@pytest.mark.parametrize(
    "data",
    [
        "oc:7:abordagem_1:zz",
        "oc:x:abordagem_1:na",
        "oc:0:abordagem_1:na",
        f"oc:{DB_INT_MAX + 1}:abordagem_1:na",
        "oc:7:abordagem_1",
        "oc:7:abordagem_1:na:extra",
        "oc:７:abordagem_1:na",
        "oc:7:<b>:na",
        "cp:oj:99999:1:x",
        "sg:7:meeting_held\n",
        "cf:setuf:XX",
        "cf:setlang:fr",
        "",
        "x" * 65,
    ],
)
def test_forged_data_decodes_to_nothing(data: str) -> None:
    assert [kind.__name__ for kind in ACTIONS if kind.parse(data) is not None] == []


def test_an_action_too_long_for_telegram_is_refused_when_the_button_is_built() -> None:
    with pytest.raises(ValueError, match="too long"):
        callbacks.PickObjection(DB_INT_MAX, "a" * 32, "b" * 32).encode()
