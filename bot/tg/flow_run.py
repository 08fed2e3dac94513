"""The id of the flow run a rep is in, kept in their persisted user data.

Minted when a flow starts (:mod:`bot.tg.flows` does it for every entry point), passed to the
service that writes the flow's result, and forgotten when the flow ends. See
:mod:`bot.services.flows` for why.
"""

from __future__ import annotations

from uuid import uuid4

from bot.tg.context import Context

FLOW = "flow"


def current(context: Context) -> str | None:
    """The run the rep is in (``None`` outside any flow)."""
    flow = (context.user_data or {}).get(FLOW)
    return flow if isinstance(flow, str) else None


def begin(context: Context) -> str:
    """A new run: its id replaces any earlier one."""
    assert context.user_data is not None
    flow = context.user_data[FLOW] = uuid4().hex
    return flow


def forget(context: Context) -> None:
    if context.user_data is not None:
        context.user_data.pop(FLOW, None)
