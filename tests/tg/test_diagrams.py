"""Each conversation's diagram says what the code does: the states drawn in a module's Mermaid
``stateDiagram`` are the states its code declares, and the flows' conversation handles exactly
the states its diagram draws (an upper-case name is a state; lower-case names are messages)."""

from __future__ import annotations

import re
from enum import StrEnum
from types import ModuleType

import pytest

from bot.tg import cadence, flows, meetings, newlead, settings

pytestmark = pytest.mark.filterwarnings("ignore::telegram.warnings.PTBUserWarning")

_DIAGRAM = re.compile(r"```mermaid\s*\nstateDiagram-v2\n(.*?)```", re.S)
_EDGE = re.compile(r"^\s*(\[\*\]|\w+)\s*-->\s*(\[\*\]|\w+)\s*(?::|$)", re.M)
_STATE = re.compile(r"^[A-Z][A-Z0-9_]*$")


def drawn_states(module: ModuleType) -> set[str]:
    """The states of the module's state diagram(s): both ends of every arrow, but [*]."""
    diagrams = _DIAGRAM.findall(module.__doc__ or "")
    assert diagrams, f"{module.__name__} has no stateDiagram in its docstring"
    ends = {end for diagram in diagrams for edge in _EDGE.findall(diagram) for end in edge}
    return {end for end in ends if _STATE.match(end)}


def handled_states() -> set[str]:
    return {state.name for state in flows.conversation().states if isinstance(state, StrEnum)}


def test_the_conversation_handles_exactly_the_states_its_diagram_draws() -> None:
    assert drawn_states(flows) == handled_states()
    assert all(isinstance(state, StrEnum) for state in flows.conversation().states), "readable state names"


@pytest.mark.parametrize(
    ("module", "states"),
    [
        (newlead, newlead.NewLead),
        (meetings, meetings.MeetingFlow),
        (cadence, cadence.NoteFlow),
        (settings, settings.SettingsFlow),
    ],
    ids=lambda value: getattr(value, "__name__", ""),
)
def test_each_flow_module_draws_the_states_it_declares(module: ModuleType, states: type[StrEnum]) -> None:
    declared = {state.name for state in states}
    assert drawn_states(module) == declared
    assert declared <= handled_states(), "a declared state the conversation does not handle"


def test_the_check_reads_a_diagram() -> None:
    module = ModuleType("example", "```mermaid\nstateDiagram-v2\n    [*] --> ASKING: /x\n    ASKING --> menu: y\n```")
    assert drawn_states(module) == {"ASKING"}
