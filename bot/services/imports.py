"""Lead import from a spreadsheet: CSV (``;`` or ``,``; UTF-8, UTF-8 with BOM or Latin-1) or XLSX.

Each row is read with the same parsers as ``/novo`` (:data:`bot.domain.lead_fields.LEAD_FIELDS`:
a value the chat refuses is refused here, in the chat's words), scored against the playbook's
ICP, de-duplicated (CNPJ, or folded company name + UF; against the database and within the
file), assigned to a rep and inserted in batches — one transaction per batch, never per row. A
bad row is reported (row number as the spreadsheet shows it, reason in Portuguese) and never
stops the others. Imported leads look exactly like leads created in the chat: folded
``company_key``, ICP fields, stage ``new`` with its stage change, ``source="import"``.

Every row read ends in one count: imported, updated (``update=True``: a row with the CNPJ of a
stored lead fills in what that lead is missing and scores it again), duplicate or rejected.
"""

from __future__ import annotations

import csv
import io
import logging
import pickle
import tempfile
from collections.abc import Callable, Collection, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from bot.domain.enrichment import answers_from, fill_missing
from bot.domain.facts import parse_facts
from bot.domain.lead_fields import parse_fields, refusal_line
from bot.domain.playbook.model import Playbook
from bot.domain.privacy import import_may_fill
from bot.domain.registry import CompanyDirectory
from bot.domain.scoring import compile_icp, score
from bot.domain.text import spreadsheet_safe
from bot.domain.vocabulary import Role, Stage
from bot.services.columns import canonical_field
from bot.services.import_files import (
    MAX_CELL,
    MAX_ROWS,
    TOO_MANY_ROWS,
    ImportFailed,
    Sheet,
    read_csv,
    read_sheet,
    read_xlsx,
    too_long,
)
from bot.services.leads import CONTACT_FIELDS, TEXT_FIELDS, apply_facts, apply_score, company_key, facts_of
from bot.storage.db import DatabaseUnavailable, savepoint, session_scope
from bot.storage.importing import (
    BatchStatus,
    KnownCompanies,
    finish_batch,
    insert_leads,
    known_companies,
    leads_by_id,
    mark_reported,
    start_batch,
    undo_running_batches,
    unreported_batches,
)
from bot.storage.members import describe_member, list_members, members_named
from bot.storage.models import Lead, Member, utcnow

if TYPE_CHECKING:
    from sqlalchemy import Engine
    from sqlmodel import Session

log = logging.getLogger(__name__)

BATCH_SIZE = 1000
PROGRESS_EVERY = 500
Progress = Callable[[int, int], None]
FACT_FIELDS = (
    "cnae",
    "uf",
    "headcount",
    "revenue",
    "branches",
    "registration",
    "financial_score",
    "cnpj",
    "federal_status",
    "porte",
    "simples",
    "mei",
    "opened_on",
)


__all__ = ["ImportFailed", "Sheet", "read_csv", "read_sheet", "read_xlsx"]


# ------------------------------------------------------------------------------ assignment


@dataclass
class Assignment:
    """Who gets each lead: the row's rep column wins, then the UF map, then round-robin."""

    reps: list[str] = field(default_factory=list)
    by_uf: dict[str, str] = field(default_factory=dict)
    """UF → rep; ``*`` for every other UF."""
    whole_team: bool = False
    """With neither ``reps`` nor ``by_uf``: round-robin among every active rep who is not
    paused (what the chat and ``cadencia import`` do when nobody is named)."""

    @classmethod
    def parse(cls, *, reps: str | None = None, by_uf: str | None = None, whole_team: bool = False) -> Assignment:
        names = [r.strip() for r in (reps or "").split(",") if r.strip()]
        mapping: dict[str, str] = {}
        for part in filter(None, (p.strip() for p in (by_uf or "").split(","))):
            uf, sep, rep = part.partition("=")
            if not sep or not rep.strip():
                raise ImportFailed(f"--by-uf: '{part}' deveria ser UF=vendedor, como SP=ana")
            mapping[uf.strip().upper()] = rep.strip()
        return cls(names, mapping, whole_team)


class _Assigner:
    def __init__(self, assignment: Assignment, members: list[Member]) -> None:
        self.members = members

        def resolve(name: str) -> Member:
            found = self.named(name)
            if isinstance(found, str):
                raise ImportFailed(found)
            return found

        self.round_robin = [resolve(n) for n in assignment.reps]
        if assignment.whole_team and not assignment.reps and not assignment.by_uf:
            self.round_robin = [m for m in members if m.role == Role.REP.value and not m.paused]
        self.by_uf = {uf: resolve(n) for uf, n in assignment.by_uf.items()}
        self.turn = 0
        self.whole_team = assignment.whole_team and not assignment.reps and not assignment.by_uf

    def named(self, name: str) -> Member | str:
        """The one member ``name`` means, or why not: nobody, or several (named, so the manager
        can write the one meant)."""
        found = members_named(self.members, name)
        if len(found) == 1:
            return found[0]
        if not found:
            return f"vendedor '{name[:40]}' não encontrado na equipe"
        who = " ou ".join(describe_member(m) for m in found[:5])
        return f"vendedor '{name[:40]}' é ambíguo: {who}; escreva o nome completo ou o @usuário"

    def owner(self, rep_cell: str | None, uf: str | None) -> Member | str:
        """The member, or the reason the row cannot be assigned."""
        if rep_cell:
            return self.named(rep_cell)
        if self.by_uf:
            found = self.by_uf.get(uf or "") or self.by_uf.get("*")
            if found is not None:
                return found
            if not self.round_robin:
                return f"nenhum vendedor para a UF {uf or '(vazia)'}"
        if self.round_robin:
            member = self.round_robin[self.turn % len(self.round_robin)]
            self.turn += 1
            return member
        if self.whole_team:
            return "nenhum vendedor ativo na equipe: adicione um (convite no chat ou cadencia team add)"
        return "sem vendedor: preencha a coluna vendedor ou escolha vendedores para a importação"


# ------------------------------------------------------------------------------ the import

#: Why a row was not imported because the company is already there (counted as a duplicate).
IN_DATABASE_BY_CNPJ = "já existe no banco (mesmo CNPJ)"
IN_DATABASE_BY_NAME = "já existe no banco (mesma empresa e UF)"
NOTHING_TO_FILL = "já existe no banco (mesmo CNPJ); nada a completar"
GONE = "o lead com este CNPJ foi apagado durante a importação; importe a linha de novo"
#: Text fields an update may fill in on an existing lead (never company, campaign or owner).
FILLABLE_TEXT = ("trade_name", "city", "website", "notes", *CONTACT_FIELDS)


@dataclass(frozen=True, slots=True)
class ImportCounts:
    """Where every row read went: ``imported + updated + duplicates + rejected == total``."""

    total: int
    imported: int
    updated: int
    duplicates: int
    rejected: int

    def lines(self, filename: str) -> list[str]:
        return [
            f"Importação de {filename}: {self.total} linha(s) lida(s).",
            f"Importadas: {self.imported}",
            f"Atualizadas (dados que faltavam): {self.updated}",
            f"Duplicadas (ignoradas): {self.duplicates}",
            f"Rejeitadas: {self.rejected}",
        ]

    def after_update(self, redone: int, later: ImportResult) -> ImportCounts:
        """These counts once ``later`` (an update of ``redone`` of the rows counted here as
        duplicates of stored leads) has run: what one import with ``update=True`` gives."""
        return ImportCounts(
            self.total,
            self.imported + later.imported,
            self.updated + later.updated,
            self.duplicates - redone + len(later.duplicates),
            self.rejected + len(later.rejected),
        )


@dataclass(frozen=True, slots=True)
class RowProblem:
    row: int
    reason: str
    cells: list[str]
    duplicate: bool = False


@dataclass
class ImportResult:
    """What happened to every row read: imported + updated + duplicates + rejected = total."""

    filename: str
    headers: list[str]
    total: int = 0
    """Rows read (blank rows are not rows)."""
    imported: int = 0
    updated: int = 0
    problems: list[RowProblem] = field(default_factory=list)
    batch_id: int | None = None
    unknown_columns: list[str] = field(default_factory=list)
    updatable: list[int] = field(default_factory=list)
    """Rows (numbers) counted as duplicates of a stored lead with the same CNPJ: an update
    (``--update``, the chat's button) can fill in what those leads are missing."""
    update: bool = False
    updated_rows: list[int] = field(default_factory=list)
    run: Any = field(default=None, repr=False, compare=False)
    """The import's working state while it runs (None once it is committed)."""

    @property
    def duplicates(self) -> list[RowProblem]:
        return [p for p in self.problems if p.duplicate]

    @property
    def rejected(self) -> list[RowProblem]:
        return [p for p in self.problems if not p.duplicate]

    @property
    def counts(self) -> ImportCounts:
        return ImportCounts(self.total, self.imported, self.updated, len(self.duplicates), len(self.rejected))

    @property
    def rejected_filename(self) -> str:
        return f"{Path(self.filename).stem}_rejeitadas.csv"

    def summary(self, rejected_file: str | None = None) -> str:
        """Portuguese, plain text (the chat escapes it); ``rejected_file`` names the file of
        rejected rows (the CLI's path, the chat's document)."""
        lines = self.counts.lines(self.filename)
        rejected = self.rejected
        for problem in rejected[:10]:
            lines.append(f"  linha {problem.row}: {problem.reason}")
        if len(rejected) > 10:
            lines.append(f"  … e mais {len(rejected) - 10}")
        if rejected:
            lines.append(f"Linhas rejeitadas, com o motivo: {rejected_file or self.rejected_filename}")
        if self.updatable and not self.update:
            lines.append(
                f"{len(self.updatable)} duplicada(s) têm o CNPJ de um lead existente: "
                "a atualização completa o que falta nesses leads."
            )
        if self.unknown_columns:
            lines.append("Colunas ignoradas: " + ", ".join(self.unknown_columns[:10]))
        return "\n".join(lines)

    def rejected_csv(self) -> bytes:
        """The rejected rows (not the duplicates) with their original cells and a "motivo"
        column; UTF-8 with BOM and ``;`` so Excel opens it right, every text cell made safe
        (:func:`bot.domain.text.spreadsheet_safe`)."""
        buffer = io.StringIO()
        writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
        writer.writerow([spreadsheet_safe(h) for h in ["linha", *self.headers, "motivo"]])
        width = len(self.headers)
        for problem in self.rejected:
            cells = (problem.cells + [""] * width)[:width]
            writer.writerow([problem.row, *(spreadsheet_safe(c) for c in cells), spreadsheet_safe(problem.reason)])
        return buffer.getvalue().encode("utf-8-sig")


def import_file(
    engine: Engine,
    path: Path,
    *,
    playbook: Playbook,
    assignment: Assignment,
    campaign: str | None = None,
    member_id: int | None = None,
    progress: Progress | None = None,
    update: bool = False,
    directory: CompanyDirectory | None = None,
) -> ImportResult:
    """Import a file from disk, streamed (a 234 MB CSV is never held whole in memory)."""
    try:
        handle = path.open("rb")
    except OSError as exc:
        raise ImportFailed(f"não consegui abrir {path.name}: {exc.strerror or exc}") from None
    with handle:
        return import_stream(
            engine,
            handle,
            path.name,
            playbook=playbook,
            assignment=assignment,
            campaign=campaign,
            member_id=member_id,
            progress=progress,
            update=update,
            directory=directory,
        )


@dataclass
class _Run:
    """One import in progress: what every row needs, and the rows waiting to be written."""

    fields: Sequence[str | None]
    headers: list[str]
    result: ImportResult
    known: KnownCompanies
    assigner: _Assigner
    icp: Any
    playbook: Playbook
    campaign: str | None
    member_id: int | None
    moment: datetime
    update: bool
    spool: IO[bytes]
    mixed_encoding: bool = False
    """The file was read as Windows-1252 because some bytes are not UTF-8: cells that are UTF-8
    all the same were garbled by that reading, and their rows are rejected (never guessed)."""
    pending: list[tuple[int, list[str], dict[str, Any]]] = field(default_factory=list)
    """(row number, cells, the lead's columns) of rows to insert, until spooled."""
    chunks: int = 0
    fills: dict[int, tuple[int, dict[str, str], list[str]]] = field(default_factory=dict)
    """Lead id → (row number, parsed values, cells) to fill in on that stored lead."""
    directory: CompanyDirectory | None = None
    """Where a row's CNPJ is looked up to fill what the row lacks (see :func:`_enriched`)."""

    def spill(self) -> None:
        """Write the waiting rows to the spool file (memory stays bounded however long the file)."""
        if self.pending:
            pickle.dump(self.pending, self.spool, protocol=pickle.HIGHEST_PROTOCOL)
            self.chunks += 1
            self.pending = []

    def spooled(self) -> Iterator[list[tuple[int, list[str], dict[str, Any]]]]:
        self.spool.seek(0)
        for _ in range(self.chunks):
            yield pickle.load(self.spool)  # our own temporary file, written just above


def import_bytes(
    engine: Engine,
    raw: bytes,
    filename: str,
    *,
    playbook: Playbook,
    assignment: Assignment,
    campaign: str | None = None,
    member_id: int | None = None,
    progress: Progress | None = None,
    now: datetime | None = None,
    update: bool = False,
    only_rows: Collection[int] | None = None,
    directory: CompanyDirectory | None = None,
) -> ImportResult:
    """:func:`import_stream` of a file already in memory (the chat's download, at most 20 MB)."""
    return import_stream(
        engine,
        io.BytesIO(raw),
        filename,
        playbook=playbook,
        assignment=assignment,
        campaign=campaign,
        member_id=member_id,
        progress=progress,
        now=now,
        update=update,
        only_rows=only_rows,
        directory=directory,
    )


#: A row that broke the reader in a way nobody foresaw: it is rejected, the file goes on.
UNEXPECTED = "erro inesperado ao ler esta linha; confira os valores ou cadastre o lead pelo /novo"
#: A file read as Windows-1252 where this row's text is UTF-8 (two encodings in one file).
MIXED_ENCODING = (
    "texto em UTF-8 dentro de um arquivo em Latin-1 (duas codificações no mesmo arquivo); "
    "salve a planilha como CSV UTF-8 e importe de novo"
)
#: Another process declared this import interrupted while it ran (a restart of the bot).
TAKEN_OVER = "a importação foi interrompida por um reinício do bot e desfeita; importe o arquivo de novo"


def import_stream(
    engine: Engine,
    source: IO[bytes],
    filename: str,
    *,
    playbook: Playbook,
    assignment: Assignment,
    campaign: str | None = None,
    member_id: int | None = None,
    progress: Progress | None = None,
    now: datetime | None = None,
    update: bool = False,
    only_rows: Collection[int] | None = None,
    directory: CompanyDirectory | None = None,
) -> ImportResult:
    """Import every good row of a CSV/XLSX file as one unit; see the module docstring.

    The batch row is written first (so an import killed at any moment is found at the next
    start, :func:`recover`); then the whole file is read and every row decided (limits, parsers,
    duplicates, owner) with nothing written; then every decided row is written in **one**
    transaction that also closes the batch row with its counts. A kill before that commit leaves
    nothing of the file in the database.

    ``update``: a row with the CNPJ of a stored lead fills in the facts that lead is missing
    (never a known value, never its owner or stage) and scores it again, instead of counting
    as a duplicate. ``only_rows``: read only these rows (the chat's update of the rows an
    earlier import of the same file found in the database). ``directory``: where a row's CNPJ
    is looked up to fill the facts the row lacks (what the row says wins); ``None``: not at all.
    """
    moment = now or utcnow()
    with session_scope(engine) as session:
        batch_id = start_batch(session, member_id=member_id, filename=filename, at=moment)
    try:
        with tempfile.TemporaryFile(prefix="cadencia-import-") as spool:
            result = _decide(
                engine,
                source,
                filename,
                spool,
                playbook,
                assignment,
                campaign,
                member_id,
                progress,
                moment,
                update,
                only_rows,
                directory,
            )
            result.batch_id = batch_id
            _commit(engine, result.run, batch_id)
    except ImportFailed:
        _refuse(engine, batch_id)
        raise
    except DatabaseUnavailable:
        _refuse(engine, batch_id)
        raise
    except Exception as exc:
        log.exception("import of %s failed", filename)
        _refuse(engine, batch_id)
        raise ImportFailed(f"erro inesperado; nada foi importado ({type(exc).__name__})") from None
    result.run = None
    return result


def _refuse(engine: Engine, batch_id: int) -> None:
    try:
        with session_scope(engine) as session:
            finish_batch(session, batch_id, status=BatchStatus.REFUSED, at=utcnow(), counts=_ZERO)
            mark_reported(session, batch_id, at=utcnow())  # the refusal is the answer, sent right away
    except Exception:  # the database itself failing: the batch stays "running" and the next start undoes it
        log.warning("could not close import batch %s", batch_id, exc_info=True)


_ZERO = {"total_rows": 0, "imported": 0, "updated": 0, "duplicates": 0, "rejected": 0}


def _decide(
    engine: Engine,
    source: IO[bytes],
    filename: str,
    spool: IO[bytes],
    playbook: Playbook,
    assignment: Assignment,
    campaign: str | None,
    member_id: int | None,
    progress: Progress | None,
    moment: datetime,
    update: bool,
    only_rows: Collection[int] | None,
    directory: CompanyDirectory | None = None,
) -> ImportResult:
    """Read the whole file and decide every row; nothing is written (the leads wait in ``spool``)."""
    sheet = read_sheet(source, filename)
    fields = [canonical_field(h) if h.strip() else None for h in sheet.headers]
    if "company" not in fields and "trade_name" in fields:
        fields = ["company" if f == "trade_name" else f for f in fields]  # the only name there is
    if "company" not in fields and not (directory is not None and "cnpj" in fields):
        raise ImportFailed(
            "não achei a coluna da empresa; o cabeçalho precisa de 'empresa' (ou razão social, nome fantasia, company)"
        )
    result = ImportResult(filename=filename[:200], headers=sheet.headers, update=update)
    result.unknown_columns = [h for h, f in zip(sheet.headers, fields, strict=True) if h and f is None]
    with session_scope(engine) as session:
        members = list_members(session)
        known: KnownCompanies = known_companies(session)
    assigner = _Assigner(assignment, members)  # refuses unknown rep names before anything is written
    run = _Run(
        fields,
        sheet.headers,
        result,
        known,
        assigner,
        compile_icp(playbook.icp),
        playbook,
        campaign,
        member_id,
        moment,
        update,
        spool,
    )
    run.mixed_encoding = sheet.encoding in ("cp1252", "latin-1")
    run.directory = directory
    result.run = run
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
            problem = _row(number, cells, run)
        except Exception:
            log.exception("import of %s: row %s", filename, number)
            problem = RowProblem(number, UNEXPECTED, cells)
        if problem is not None:
            result.problems.append(_bounded(problem))
        if len(run.pending) >= BATCH_SIZE:
            run.spill()
        if progress is not None and done % PROGRESS_EVERY == 0:
            progress(done, max(sheet.total, done + 1))
    run.spill()
    result.total = done
    if progress is not None:
        progress(done, done)
    return result


def _bounded(problem: RowProblem) -> RowProblem:
    """The rejected file carries cells cut to the cell limit (a 200,000-character cell stays out)."""
    if all(len(c) <= MAX_CELL for c in problem.cells):
        return problem
    cells = [c if len(c) <= MAX_CELL else c[:MAX_CELL] + "…" for c in problem.cells]
    return RowProblem(problem.row, problem.reason, cells, problem.duplicate)


def _commit(engine: Engine, run: _Run | None, batch_id: int) -> None:
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
    with session_scope(engine) as session:
        for chunk in run.spooled():
            result.imported += _insert(session, chunk, stage_change, result)
        ids = list(run.fills)
        for start in range(0, len(ids), BATCH_SIZE):
            stored = leads_by_id(session, ids[start : start + BATCH_SIZE])
            for lead_id in ids[start : start + BATCH_SIZE]:
                number, values, cells = run.fills[lead_id]
                lead = stored.get(lead_id)
                try:
                    filled = lead is not None and _fill(lead, values, run)
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
        result.problems.sort(key=lambda p: p.row)
        counts = {
            "total_rows": result.total,
            "imported": result.imported,
            "updated": result.updated,
            "duplicates": len(result.duplicates),
            "rejected": len(result.rejected),
        }
        if not finish_batch(session, batch_id, status=BatchStatus.DONE, at=utcnow(), counts=counts):
            raise ImportFailed(TAKEN_OVER)
        if run.member_id is None:  # the command line prints its summary itself, right after
            mark_reported(session, batch_id, at=utcnow())


def _insert(
    session: Session,
    chunk: list[tuple[int, list[str], dict[str, Any]]],
    stage_change: dict[str, Any],
    result: ImportResult,
) -> int:
    """Insert one chunk in a savepoint; if the database refuses it, row by row, each refused row
    rejected with the reason (never the file aborted half-way)."""
    try:
        with savepoint(session):
            insert_leads(session, [values for _, _, values in chunk], stage_change=stage_change)
        return len(chunk)
    except DatabaseUnavailable:
        raise
    except Exception:
        log.warning("import: a chunk was refused by the database; inserting its rows one by one", exc_info=True)
    inserted = 0
    for number, cells, values in chunk:
        try:
            with savepoint(session):
                insert_leads(session, [values], stage_change=stage_change)
            inserted += 1
        except DatabaseUnavailable:
            raise
        except Exception as exc:
            reason = f"o banco recusou esta linha ({type(exc).__name__}); confira os valores"
            result.problems.append(_bounded(RowProblem(number, reason, cells)))
    return inserted


# ------------------------------------------------------------------------------ after a restart


@dataclass(frozen=True, slots=True)
class Unreported:
    """An import whose manager has not been told how it ended (the bot stopped meanwhile)."""

    batch_id: int
    member_id: int
    filename: str
    undone: bool
    counts: ImportCounts


def recover(engine: Engine, *, now: datetime | None = None) -> list[Unreported]:
    """At start: imports still running were interrupted (their one transaction never committed:
    nothing of them is stored); their batch rows get their true counts (zero). Returns every
    import a manager was not told about — interrupted ones and ones that finished just before the
    stop — for the bot to tell (:func:`mark_told` once told)."""
    moment = now or utcnow()
    with session_scope(engine) as session:
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


def mark_told(engine: Engine, batch_id: int) -> None:
    """The member was told how this import ended (the chat's summary or :func:`recover`'s notice)."""
    with session_scope(engine) as session:
        mark_reported(session, batch_id, at=utcnow())


def _row(number: int, cells: list[str], run: _Run) -> RowProblem | None:
    long_cell = too_long(cells, run.headers)
    if long_cell is not None:
        return RowProblem(number, long_cell, cells)
    if run.mixed_encoding and any(_utf8_inside(cell) for cell in cells):
        return RowProblem(number, MIXED_ENCODING, cells)
    values: dict[str, str] = {}
    for name, cell in zip(run.fields, cells, strict=False):
        if name is not None and cell.strip() and name not in values:
            # a line break inside a cell (quoted in a CSV) is kept only in the notes
            values[name] = cell.strip() if name == "notes" else " ".join(cell.split())
    if not values.get("company") and not (run.directory is not None and values.get("cnpj")):
        return RowProblem(number, "empresa em branco", cells)
    clean, errors = parse_fields(values)
    if errors:
        return RowProblem(number, "; ".join(refusal_line(k, e) for k, e in errors.items()), cells)
    enriched = _enriched(clean, run)
    if enriched is not clean:  # the directory's values, where the row said nothing
        values = {**{k: v for k, v in enriched.items() if k not in values}, **values}
        clean = enriched
    if not clean.get("company"):
        return RowProblem(number, "empresa em branco (e o CNPJ não foi achado na Receita)", cells)
    # the texts parse_fields has just read: every fact parser answers from its memory (a CNPJ is
    # checked once, not again in its compact form)
    facts, _ = parse_facts({name: values.get(name) for name in FACT_FIELDS})
    company = clean["company"]
    key = company_key(company)
    where = run.known.find(facts.cnpj, key, facts.uf)
    if where is not None:
        if where != "banco":
            return RowProblem(number, f"duplicada da {where}", cells, duplicate=True)
        stored = run.known.stored.get(facts.cnpj or "")
        if stored is None:
            return RowProblem(number, IN_DATABASE_BY_NAME, cells, duplicate=True)
        run.known.claim(facts.cnpj or "", f"linha {number}")
        if not run.update:
            run.result.updatable.append(number)
            return RowProblem(number, IN_DATABASE_BY_CNPJ, cells, duplicate=True)
        run.fills[stored] = (number, clean, cells)
        return None
    owner = run.assigner.owner(values.get("rep"), facts.uf)
    if isinstance(owner, str):
        return RowProblem(number, owner, cells)
    scored = score(facts.aged(run.moment.date()), run.icp)
    text = {name: clean.get(name, "") for name in (*TEXT_FIELDS, "trade_name", "website") if name != "company"}
    if run.campaign and not text.get("campaign"):
        text["campaign"] = run.campaign[:100]
    run.pending.append(
        (
            number,
            cells,
            {
                "owner_id": owner.id,
                "company": company,
                "company_key": key,
                **text,
                "notes": clean.get("notes"),
                "cnpj": facts.cnpj,
                "cnae": facts.cnae,
                "uf": facts.uf,
                "headcount_low": facts.headcount.low if facts.headcount else None,
                "headcount_high": facts.headcount.high if facts.headcount else None,
                "revenue_low": facts.revenue.low if facts.revenue else None,
                "revenue_high": facts.revenue.high if facts.revenue else None,
                "branches": facts.branches,
                "registration": facts.registration.value if facts.registration else None,
                "financial_score": facts.financial_score,
                "federal_status": facts.federal_status.value if facts.federal_status else None,
                "porte": facts.porte.value if facts.porte else None,
                "simples": facts.simples,
                "mei": facts.mei,
                "opened_on": facts.opened_on,
                "registry_month": clean.get("registry_month"),
                "source": "import",
                "stage": Stage.NEW.value,
                "icp_score": scored.score,
                "icp_potential": scored.potential,
                "icp_tier": scored.tier.value,
                "sales_model": scored.sales_model.value,
                "knocked_out": scored.knocked_out,
                "scored_with": run.playbook.fingerprint,
                "created_by": run.member_id,
                "created_at": run.moment,
                "updated_at": run.moment,
            },
        )
    )
    run.known.add(facts.cnpj, key, facts.uf, f"linha {number}")
    return None


def _enriched(clean: dict[str, str], run: _Run) -> dict[str, str]:
    """The row's values with what the company directory knows of its CNPJ added where the row
    says nothing (the row always wins); unchanged without a directory or a CNPJ."""
    cnpj = clean.get("cnpj")
    if run.directory is None or not cnpj:
        return clean
    try:
        company = run.directory.lookup(cnpj)
    except Exception:  # a failing directory never costs a row
        log.warning("company directory failed on %s… during an import", cnpj[:8], exc_info=True)
        return clean
    if company is None:
        return clean
    found = answers_from(company)
    if not getattr(run.directory, "counts_branches", True):
        found.pop("branches", None)
    merged, _ = fill_missing(clean, found)
    return {key: value for key, value in merged.items() if value is not None}


def _utf8_inside(cell: str) -> bool:
    """True when a cell read as Windows-1252 is in fact UTF-8 ("JoÃ£o" for "João")."""
    if cell.isascii():
        return False
    try:
        raw = cell.encode("cp1252")
    except UnicodeEncodeError:
        return False
    try:
        return raw.decode("utf-8") != cell
    except UnicodeDecodeError:
        return False


def _fill(lead: Lead, values: dict[str, str], run: _Run) -> bool:
    """Fill in what ``lead`` is missing from a row's parsed ``values`` and score it again;
    True if anything was missing and known. Known values, owner and stage stay."""
    known = facts_of(lead)
    offered, _ = parse_facts({name: values.get(name) for name in FACT_FIELDS})
    missing = {
        name: getattr(offered, name)
        for name in FACT_FIELDS
        if getattr(known, name) is None and getattr(offered, name) is not None
    }
    erased = lead.personal_data_erased_at is not None
    texts = {
        name: values[name]
        for name in FILLABLE_TEXT
        if values.get(name) and not getattr(lead, name) and import_may_fill(name, erased=erased)
    }
    if not missing and not texts:
        return False
    facts = known.with_(**missing)
    apply_facts(lead, facts)
    for name, value in texts.items():
        setattr(lead, name, value)
    apply_score(lead, score(facts.aged(run.moment.date()), run.icp), run.playbook.fingerprint)
    lead.updated_at = run.moment
    return True
