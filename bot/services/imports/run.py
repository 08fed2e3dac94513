"""An import as one unit: the batch row first, then every row read and decided with nothing written,
then every decided row written in **one** transaction that also closes the batch row.

A kill before that commit leaves nothing of the file in the database; the next start finds the
batch row still running (:mod:`bot.services.imports.recovery`). Rows are inserted in chunks of
:data:`BATCH_SIZE`, a few statements each, never one per row.
"""

from __future__ import annotations

import io
import logging
import tempfile
from collections.abc import Callable, Collection
from datetime import datetime
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, TypedDict, Unpack

from bot.domain.playbook.model import Playbook
from bot.domain.registry import CompanyDirectory
from bot.domain.scoring import compile_icp
from bot.domain.vocabulary import Stage
from bot.services.columns import canonical_field
from bot.services.import_files import MAX_ROWS, TOO_MANY_ROWS, ImportFailed, read_sheet
from bot.services.imports.assignment import Assigner, Assignment
from bot.services.imports.fill import fill_lead
from bot.services.imports.results import GONE, NOTHING_TO_FILL, UNEXPECTED, ImportResult, RowProblem
from bot.services.imports.rows import ImportRun, Pending, decide_row
from bot.services.runtime import BaseRuntime
from bot.services.views import DatabaseUnavailable
from bot.storage.importing import (
    BatchStatus,
    finish_batch,
    insert_leads_or_refuse,
    known_companies,
    leads_by_id,
    mark_reported,
    start_batch,
)
from bot.storage.members import list_members

if TYPE_CHECKING:
    from sqlmodel import Session

log = logging.getLogger(__name__)

BATCH_SIZE = 1000
PROGRESS_EVERY = 500
Progress = Callable[[int, int], None]
#: Another process declared this import interrupted while it ran (a restart of the bot).
TAKEN_OVER = "a importação foi interrompida por um reinício do bot e desfeita; importe o arquivo de novo"


class ImportOptions(TypedDict, total=False):
    """How to import, beside the playbook and the assignment (see :func:`import_stream`)."""

    campaign: str | None
    member_id: int | None
    """Who imports (``None``: the command line, which prints its own summary)."""
    progress: Progress | None
    update: bool
    only_rows: Collection[int] | None
    directory: CompanyDirectory | None


def import_file(
    runtime: BaseRuntime, path: Path, *, playbook: Playbook, assignment: Assignment, **options: Unpack[ImportOptions]
) -> ImportResult:
    """Import a file from disk, streamed (a 234 MB CSV is never held whole in memory)."""
    try:
        handle = path.open("rb")
    except OSError as exc:
        raise ImportFailed(f"não consegui abrir {path.name}: {exc.strerror or exc}") from None
    with handle:
        return import_stream(runtime, handle, path.name, playbook=playbook, assignment=assignment, **options)


def import_bytes(
    runtime: BaseRuntime,
    raw: bytes,
    filename: str,
    *,
    playbook: Playbook,
    assignment: Assignment,
    **options: Unpack[ImportOptions],
) -> ImportResult:
    """:func:`import_stream` of a file already in memory (the chat's download, at most 20 MB)."""
    return import_stream(runtime, io.BytesIO(raw), filename, playbook=playbook, assignment=assignment, **options)


def import_stream(
    runtime: BaseRuntime,
    source: IO[bytes],
    filename: str,
    *,
    playbook: Playbook,
    assignment: Assignment,
    **options: Unpack[ImportOptions],
) -> ImportResult:
    """Import every good row of a CSV/XLSX file as one unit; see the module docstring.

    ``update``: a row with the CNPJ of a stored lead fills in the facts that lead is missing
    (never a known value, never its owner or stage) and scores it again, instead of counting
    as a duplicate. ``only_rows``: read only these rows (the chat's update of the rows an
    earlier import of the same file found in the database). ``directory``: where a row's CNPJ
    is looked up to fill the facts the row lacks (what the row says wins); ``None``: not at all.
    Every lead is created at one moment, ``runtime.now()`` when the import starts.
    """
    moment = runtime.now()
    with runtime.transaction() as session:
        batch_id = start_batch(session, member_id=options.get("member_id"), filename=filename, at=moment)
    try:
        with tempfile.TemporaryFile(prefix="cadencia-import-") as spool:
            result = _decide(runtime, source, filename, spool, playbook, assignment, moment, options)
            result.batch_id = batch_id
            _commit(runtime, result.run, batch_id)
    except (ImportFailed, DatabaseUnavailable):
        _refuse(runtime, batch_id)
        raise
    except Exception as exc:
        log.exception("import of %s failed", filename)
        _refuse(runtime, batch_id)
        raise ImportFailed(f"erro inesperado; nada foi importado ({type(exc).__name__})") from None
    result.run = None
    return result


def _refuse(runtime: BaseRuntime, batch_id: int) -> None:
    try:
        with runtime.transaction() as session:
            moment = runtime.now()
            finish_batch(session, batch_id, status=BatchStatus.REFUSED, at=moment, counts=_ZERO)
            mark_reported(session, batch_id, at=moment)  # the refusal is the answer, sent right away
    except Exception:  # the database itself failing: the batch stays "running" and the next start undoes it
        log.warning("could not close import batch %s", batch_id, exc_info=True)


_ZERO = {"total_rows": 0, "imported": 0, "updated": 0, "duplicates": 0, "rejected": 0}


def _decide(
    runtime: BaseRuntime,
    source: IO[bytes],
    filename: str,
    spool: IO[bytes],
    playbook: Playbook,
    assignment: Assignment,
    moment: datetime,
    options: ImportOptions,
) -> ImportResult:
    """Read the whole file and decide every row; nothing is written (the leads wait in ``spool``)."""
    directory = options.get("directory")
    sheet = read_sheet(source, filename)
    fields = [canonical_field(h) if h.strip() else None for h in sheet.headers]
    if "company" not in fields and "trade_name" in fields:
        fields = ["company" if f == "trade_name" else f for f in fields]  # the only name there is
    if "company" not in fields and not (directory is not None and "cnpj" in fields):
        raise ImportFailed(
            "não achei a coluna da empresa; o cabeçalho precisa de 'empresa' (ou razão social, nome fantasia, company)"
        )
    update = bool(options.get("update"))
    result = ImportResult(filename=filename[:200], headers=sheet.headers, update=update)
    result.unknown_columns = [h for h, f in zip(sheet.headers, fields, strict=True) if h and f is None]
    with runtime.transaction() as session:  # the members stay readable after it (a snapshot's would not)
        members = list_members(session)
        known = known_companies(session)
    run = ImportRun(
        fields,
        sheet.headers,
        result,
        known,
        Assigner(assignment, members),  # refuses unknown rep names before anything is written
        compile_icp(playbook.icp),
        playbook,
        options.get("campaign"),
        options.get("member_id"),
        moment,
        update,
        spool,
        mixed_encoding=sheet.encoding in ("cp1252", "latin-1"),
        directory=directory,
    )
    result.run = run
    only_rows, progress = options.get("only_rows"), options.get("progress")
    done = 0
    for number, cells in sheet.rows:
        if only_rows is not None and number not in only_rows:
            continue
        if not any(cells):
            continue
        done += 1
        if done > MAX_ROWS:
            raise ImportFailed(TOO_MANY_ROWS)
        try:
            problem = decide_row(number, cells, run)
        except Exception:
            log.exception("import of %s: row %s", filename, number)
            problem = RowProblem(number, UNEXPECTED, cells)
        if problem is not None:
            result.problems.append(problem.bounded())
        if len(run.pending) >= BATCH_SIZE:
            run.spill()
        if progress is not None and done % PROGRESS_EVERY == 0:
            progress(done, max(sheet.total, done + 1))
    run.spill()
    result.total = done
    if progress is not None:
        progress(done, done)
    return result


def _commit(runtime: BaseRuntime, run: ImportRun | None, batch_id: int) -> None:
    """Write every decided row and close the batch row, all in one transaction."""
    assert run is not None
    result = run.result
    stage_change = {
        "from_stage": None,
        "to_stage": Stage.NEW.value,
        "reason": None,
        "playbook_version": run.playbook.version,
        "playbook_fingerprint": run.playbook.fingerprint,
    }
    with runtime.transaction() as session:
        for chunk in run.spooled():
            result.imported += _insert(session, chunk, stage_change, result)
        _fill_stored(session, run)
        result.problems.sort(key=lambda p: p.row)
        counts = {
            "total_rows": result.total,
            "imported": result.imported,
            "updated": result.updated,
            "duplicates": len(result.duplicates),
            "rejected": len(result.rejected),
        }
        if not finish_batch(session, batch_id, status=BatchStatus.DONE, at=runtime.now(), counts=counts):
            raise ImportFailed(TAKEN_OVER)
        if run.member_id is None:  # the command line prints its summary itself, right after
            mark_reported(session, batch_id, at=runtime.now())


def _fill_stored(session: Session, run: ImportRun) -> None:
    """An update: fill in the stored leads the rows matched, :data:`BATCH_SIZE` leads a query."""
    result = run.result
    ids = list(run.fills)
    for start in range(0, len(ids), BATCH_SIZE):
        stored = leads_by_id(session, ids[start : start + BATCH_SIZE])
        for lead_id in ids[start : start + BATCH_SIZE]:
            number, draft, cells = run.fills[lead_id]
            lead = stored.get(lead_id)
            try:
                filled = lead is not None and fill_lead(
                    lead, draft, icp=run.icp, playbook=run.playbook, moment=run.moment
                )
            except Exception:
                log.exception("import: filling lead %s from row %s", lead_id, number)
                result.problems.append(RowProblem(number, UNEXPECTED, cells))
                continue
            if lead is None:
                result.problems.append(RowProblem(number, GONE, cells))
            elif filled:
                result.updated += 1
                result.updated_rows.append(number)
            else:
                result.problems.append(RowProblem(number, NOTHING_TO_FILL, cells, duplicate=True))


def _insert(session: Session, chunk: Pending, stage_change: dict[str, Any], result: ImportResult) -> int:
    """Insert one chunk; each row the database refuses is rejected with the reason (never the file
    aborted half-way, see :func:`~bot.storage.importing.insert_leads_or_refuse`)."""
    refused = insert_leads_or_refuse(session, [values for _, _, values in chunk], stage_change=stage_change)
    for index, error in refused:
        number, cells, _ = chunk[index]
        reason = f"o banco recusou esta linha ({error}); confira os valores"
        result.problems.append(RowProblem(number, reason, cells).bounded())
    return len(chunk) - len(refused)
