"""After a restart: imports the last run cut short (undone, nothing of them stored) and imports whose
manager was not told how they ended."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from bot.services.imports.results import ImportCounts
from bot.services.runtime import BaseRuntime
from bot.storage.importing import BatchStatus, mark_reported, undo_running_batches, unreported_batches

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Unreported:
    """An import whose manager has not been told how it ended (the bot stopped meanwhile)."""

    batch_id: int
    member_id: int
    filename: str
    undone: bool
    counts: ImportCounts


def recover(runtime: BaseRuntime) -> list[Unreported]:
    """At start: imports still running were interrupted (their one transaction never committed:
    nothing of them is stored); their batch rows get their true counts (zero). Returns every
    import a manager was not told about — interrupted ones and ones that finished just before the
    stop — for the bot to tell (:func:`mark_told` once told)."""
    moment = runtime.now()
    with runtime.transaction() as session:
        undone = undo_running_batches(session, at=moment)
        if undone:
            log.warning("imports interrupted by the last stop, nothing of them stored: batches %s", undone)
        found = []
        for batch in unreported_batches(session):
            if batch.member_id is None:
                mark_reported(session, int(batch.id or 0), at=moment)  # the command line: nobody to tell
                continue
            counts = ImportCounts(batch.total_rows, batch.imported, batch.updated, batch.duplicates, batch.rejected)
            found.append(
                Unreported(
                    int(batch.id or 0), batch.member_id, batch.filename, batch.status == BatchStatus.UNDONE, counts
                )
            )
    return found


def mark_told(runtime: BaseRuntime, batch_id: int) -> None:
    """The member was told how this import ended (the chat's summary or :func:`recover`'s notice)."""
    with runtime.transaction() as session:
        mark_reported(session, batch_id, at=runtime.now())
