"""Every roll-up the report reads (migration 0017), as one unit for bulk loads.

A bulk load (the benches' generators, a restore of rows from elsewhere) is faster with the
roll-ups' triggers off and the roll-ups counted once afterwards: :func:`paused`.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Connection

from bot.storage import activity_rollup, pair_rollups, touch_rollup

MODULES = (touch_rollup, pair_rollups, activity_rollup)


def drop_triggers(connection: Connection) -> None:
    for module in MODULES:
        module.drop_triggers(connection)


def rebuild_and_keep(connection: Connection) -> None:
    """Count every roll-up anew from the rows, then keep them by triggers again."""
    for module in MODULES:
        module.rebuild(connection)
        module.create_triggers(connection)


@contextmanager
def paused(connection: Connection) -> Iterator[None]:
    """Write in bulk inside: no trigger fires; the roll-ups are counted once at the end."""
    drop_triggers(connection)
    yield
    rebuild_and_keep(connection)


__all__ = ["MODULES", "drop_triggers", "paused", "rebuild_and_keep"]
