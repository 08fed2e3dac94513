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
from collections.abc import Callable, Collection, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from bot.domain.facts import parse_facts
from bot.domain.lead_fields import parse_fields, refusal_line
from bot.domain.playbook.model import Playbook
from bot.domain.scoring import compile_icp, score
from bot.domain.text import spreadsheet_safe
from bot.domain.vocabulary import Role, Stage
from bot.services.columns import canonical_field
from bot.services.leads import CONTACT_FIELDS, TEXT_FIELDS, apply_facts, apply_score, company_key, facts_of
from bot.storage.db import session_scope
from bot.storage.importing import (
    KnownCompanies,
    insert_leads,
    known_companies,
    leads_by_id,
    load_members,
    match_member,
)
from bot.storage.models import ImportBatch, Lead, Member, utcnow

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
)


class ImportFailed(Exception):
    """The file as a whole cannot be imported (unreadable, no company column, nobody to assign)."""


# ------------------------------------------------------------------------------ reading


@dataclass
class Sheet:
    headers: list[str]
    rows: Iterator[tuple[int, list[str]]]
    """(spreadsheet row number, cells as text)."""
    total: int
    encoding: str = ""
    delimiter: str = ""


def decode(raw: bytes) -> tuple[str, str]:
    """Text and the encoding that read it: UTF-8 (BOM or not), else Windows-1252/Latin-1."""
    for encoding in ("utf-8-sig", "cp1252", "latin-1"):
        try:
            return raw.decode(encoding), encoding
        except UnicodeDecodeError:
            continue
    raise ImportFailed("não consegui ler o arquivo como texto")  # pragma: no cover - latin-1 reads all


def read_csv(raw: bytes) -> Sheet:
    text, encoding = decode(raw)
    lines = text.splitlines()
    while lines and not lines[0].strip():
        lines.pop(0)
    if not lines:
        raise ImportFailed("o arquivo está vazio")
    header = lines[0]
    delimiter = max((";", ",", "\t"), key=header.count)
    reader = csv.reader(io.StringIO(text.lstrip("\r\n")), delimiter=delimiter)
    headers = next(reader)

    return Sheet(headers, enumerate(reader, start=2), max(len(lines) - 1, 0), encoding, delimiter)


def _cell_text(value: Any, field: str | None) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "sim" if value else "não"
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, int) and field == "cnpj":
        return f"{value:014d}"  # a CNPJ typed as a number lost its leading zeros
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value).strip()


def read_xlsx(raw: bytes) -> Sheet:
    import openpyxl

    try:
        book = openpyxl.load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a broken file
        raise ImportFailed(f"não consegui abrir a planilha: {exc}") from None
    sheet = book.worksheets[0]
    values = sheet.iter_rows(values_only=True)
    try:
        first = next(values)
    except StopIteration:
        raise ImportFailed("a planilha está vazia") from None
    headers = [_cell_text(v, None) for v in first]
    fields = [canonical_field(h) if h else None for h in headers]

    def rows() -> Iterator[tuple[int, list[str]]]:
        for number, cells in enumerate(values, start=2):
            yield (
                number,
                [_cell_text(v, fields[i] if i < len(fields) else None) for i, v in enumerate(cells)],
            )
        book.close()

    return Sheet(headers, rows(), max((sheet.max_row or 1) - 1, 0))


def read_sheet(raw: bytes, filename: str) -> Sheet:
    if filename.lower().endswith((".xlsx", ".xlsm")) or raw[:2] == b"PK":
        return read_xlsx(raw)
    return read_csv(raw)


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
            found = match_member(members, name)
            if found is None:
                raise ImportFailed(f"vendedor '{name}' não encontrado na equipe")
            return found

        self.round_robin = [resolve(n) for n in assignment.reps]
        if assignment.whole_team and not assignment.reps and not assignment.by_uf:
            self.round_robin = [m for m in members if m.role == Role.REP.value and not m.paused]
        self.by_uf = {uf: resolve(n) for uf, n in assignment.by_uf.items()}
        self.turn = 0
        self.whole_team = assignment.whole_team and not assignment.reps and not assignment.by_uf

    def owner(self, rep_cell: str | None, uf: str | None) -> Member | str:
        """The member, or the reason the row cannot be assigned."""
        if rep_cell:
            found = match_member(self.members, rep_cell)
            return found if found is not None else f"vendedor '{rep_cell[:40]}' não encontrado na equipe"
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
) -> ImportResult:
    return import_bytes(
        engine,
        path.read_bytes(),
        path.name,
        playbook=playbook,
        assignment=assignment,
        campaign=campaign,
        member_id=member_id,
        progress=progress,
        update=update,
    )


@dataclass
class _Run:
    """One import in progress: what every row needs, and the rows waiting to be written."""

    fields: Sequence[str | None]
    result: ImportResult
    known: KnownCompanies
    assigner: _Assigner
    icp: Any
    playbook: Playbook
    campaign: str | None
    member_id: int | None
    moment: datetime
    update: bool
    pending: list[dict[str, Any]] = field(default_factory=list)
    fills: dict[int, tuple[int, dict[str, str], list[str]]] = field(default_factory=dict)
    """Lead id → (row number, parsed values, cells) to fill in on that stored lead."""


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
) -> ImportResult:
    """Import every good row of a CSV/XLSX file; see the module docstring.

    ``update``: a row with the CNPJ of a stored lead fills in the facts that lead is missing
    (never a known value, never its owner or stage) and scores it again, instead of counting
    as a duplicate. ``only_rows``: read only these rows (the chat's update of the rows an
    earlier import of the same file found in the database).
    """
    sheet = read_sheet(raw, filename)
    fields = [canonical_field(h) if h.strip() else None for h in sheet.headers]
    if "company" not in fields and "trade_name" in fields:
        fields = ["company" if f == "trade_name" else f for f in fields]  # the only name there is
    if "company" not in fields:
        raise ImportFailed(
            "não achei a coluna da empresa; o cabeçalho precisa de 'empresa' (ou razão social, nome fantasia, company)"
        )
    result = ImportResult(filename=filename[:200], headers=sheet.headers, update=update)
    result.unknown_columns = [h for h, f in zip(sheet.headers, fields, strict=True) if h and f is None]
    moment = now or utcnow()

    with session_scope(engine) as session:
        members = load_members(session)
        known: KnownCompanies = known_companies(session)
    assigner = _Assigner(assignment, members)  # refuses unknown rep names before anything is written
    with session_scope(engine) as session:
        batch = ImportBatch(member_id=member_id, filename=filename[:200], started_at=moment, total_rows=sheet.total)
        session.add(batch)
        session.flush()
        result.batch_id = batch.id
    icp = compile_icp(playbook.icp)
    run = _Run(fields, result, known, assigner, icp, playbook, campaign, member_id, moment, update)
    stage_change = {
        "from_stage": None,
        "to_stage": Stage.NEW.value,
        "reason": None,
        "playbook_version": playbook.version,
        "playbook_fingerprint": playbook.fingerprint,
    }

    def flush() -> None:
        if run.pending:
            with session_scope(engine) as session:
                insert_leads(session, run.pending, stage_change=stage_change)
            result.imported += len(run.pending)
            run.pending.clear()
        if run.fills:
            with session_scope(engine) as session:
                stored = leads_by_id(session, list(run.fills))
                for lead_id, (number, values, cells) in run.fills.items():
                    lead = stored.get(lead_id)
                    if lead is None:
                        result.problems.append(RowProblem(number, GONE, cells))
                    elif _fill(lead, values, run):
                        result.updated += 1
                        result.updated_rows.append(number)
                    else:
                        result.problems.append(RowProblem(number, NOTHING_TO_FILL, cells, duplicate=True))
            run.fills.clear()

    done = 0
    for number, cells in sheet.rows:
        if only_rows is not None and number not in only_rows:
            continue
        if not any(c.strip() for c in cells):
            continue
        done += 1
        problem = _row(number, cells, run)
        if problem is not None:
            result.problems.append(problem)
        if len(run.pending) >= BATCH_SIZE or len(run.fills) >= BATCH_SIZE:
            flush()
        if progress is not None and done % PROGRESS_EVERY == 0:
            progress(done, max(sheet.total, done))
    flush()
    result.total = done
    result.problems.sort(key=lambda p: p.row)
    if progress is not None:
        progress(done, result.total)

    with session_scope(engine) as session:
        stored = session.get(ImportBatch, result.batch_id)
        if stored is not None:
            stored.finished_at = utcnow()
            stored.total_rows = result.total
            stored.imported = result.imported
            stored.updated = result.updated
            stored.duplicates = len(result.duplicates)
            stored.rejected = len(result.rejected)
    return result


def _row(number: int, cells: list[str], run: _Run) -> RowProblem | None:
    values: dict[str, str] = {}
    for name, cell in zip(run.fields, cells, strict=False):
        if name is not None and cell.strip() and name not in values:
            values[name] = cell.strip()
    if not values.get("company"):
        return RowProblem(number, "empresa em branco", cells)
    clean, errors = parse_fields(values)
    if errors:
        return RowProblem(number, "; ".join(refusal_line(k, e) for k, e in errors.items()), cells)
    facts, _ = parse_facts({name: clean.get(name) for name in FACT_FIELDS})
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
    scored = score(facts, run.icp)
    text = {name: clean.get(name, "") for name in (*TEXT_FIELDS, "trade_name", "website") if name != "company"}
    if run.campaign and not text.get("campaign"):
        text["campaign"] = run.campaign[:100]
    run.pending.append(
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
        }
    )
    run.known.add(facts.cnpj, key, facts.uf, f"linha {number}")
    return None


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
    texts = {name: values[name] for name in FILLABLE_TEXT if values.get(name) and not getattr(lead, name)}
    if not missing and not texts:
        return False
    facts = known.with_(**missing)
    apply_facts(lead, facts)
    for name, value in texts.items():
        setattr(lead, name, value)
    apply_score(lead, score(facts, run.icp), run.playbook.fingerprint)
    lead.updated_at = run.moment
    return True
