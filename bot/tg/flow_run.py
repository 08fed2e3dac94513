"""The id of the flow run a rep is in, kept in their persisted user data.

Minted when a flow starts (:mod:`bot.tg.flows` does it for every entry point), passed to the
service that writes the flow's result, and forgotten when the flow ends. See
:mod:`bot.services.flows` for why.

What else a flow keeps in user data while it runs is declared with :func:`scoped`, and
forgotten with the run, however the flow ends (its last answer, /cancelar).
"""

from __future__ import annotations

from uuid import uuid4

from bot.tg.context import Context

FLOW = "flow"
_SCOPED: set[str] = set()


def scoped(*keys: str) -> tuple[str, ...]:
    """Declare user-data keys that live only as long as a flow run."""
    _SCOPED.update(keys)
    return keys


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
    """The run ended: its id and every :func:`scoped` key go."""
    if context.user_data is not None:
        for key in (FLOW, *_SCOPED):
            context.user_data.pop(key, None)
