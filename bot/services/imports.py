"""Lead import from a spreadsheet: CSV (``;`` or ``,``; UTF-8, UTF-8 with BOM or Latin-1) or XLSX.

Each row is validated with the same parsers as ``/novo`` (:func:`bot.domain.facts.parse_facts`),
scored against the playbook's ICP, de-duplicated (CNPJ, or folded company name + UF; against the
database and within the file), assigned to a rep and inserted in batches — one transaction per
batch, never per row. A bad row is reported (row number as the spreadsheet shows it, reason in
Portuguese) and never stops the others. Imported leads look exactly like leads created in the
chat: folded ``company_key``, ICP fields, stage ``new`` with its stage change, ``source="import"``.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from bot.domain.facts import parse_facts
from bot.domain.playbook.model import Playbook
from bot.domain.scoring import compile_icp, score
from bot.domain.vocabulary import Stage
from bot.services.columns import canonical_field
from bot.services.leads import TEXT_FIELDS, company_key
from bot.storage.db import session_scope
from bot.storage.importing import (
    KnownCompanies,
    insert_leads,
    known_companies,
    load_members,
    match_member,
)
from bot.storage.models import ImportBatch, Member, utcnow

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

    @classmethod
    def parse(cls, *, reps: str | None = None, by_uf: str | None = None) -> Assignment:
        names = [r.strip() for r in (reps or "").split(",") if r.strip()]
        mapping: dict[str, str] = {}
        for part in filter(None, (p.strip() for p in (by_uf or "").split(","))):
            uf, sep, rep = part.partition("=")
            if not sep or not rep.strip():
                raise ImportFailed(f"--by-uf: '{part}' deveria ser UF=vendedor, como SP=ana")
            mapping[uf.strip().upper()] = rep.strip()
        return cls(names, mapping)


class _Assigner:
    def __init__(self, assignment: Assignment, members: list[Member]) -> None:
        self.members = members

        def resolve(name: str) -> Member:
            found = match_member(members, name)
            if found is None:
                raise ImportFailed(f"vendedor '{name}' não encontrado na equipe")
            return found

        self.round_robin = [resolve(n) for n in assignment.reps]
        self.by_uf = {uf: resolve(n) for uf, n in assignment.by_uf.items()}
        self.turn = 0

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
        return "sem vendedor: preencha a coluna vendedor ou escolha vendedores para a importação"


# ------------------------------------------------------------------------------ the import


@dataclass(frozen=True, slots=True)
class RowProblem:
    row: int
    reason: str
    cells: list[str]
    duplicate: bool = False


@dataclass
class ImportResult:
    filename: str
    headers: list[str]
    total: int = 0
    imported: int = 0
    problems: list[RowProblem] = field(default_factory=list)
    batch_id: int | None = None
    unknown_columns: list[str] = field(default_factory=list)

    @property
    def duplicates(self) -> list[RowProblem]:
        return [p for p in self.problems if p.duplicate]

    @property
    def rejected(self) -> list[RowProblem]:
        return [p for p in self.problems if not p.duplicate]

    @property
    def summary(self) -> str:
        """Portuguese, plain text (the chat escapes it)."""
        lines = [
            f"Importação de {self.filename}: {self.total} linha(s).",
            f"Importadas: {self.imported}",
            f"Duplicadas (ignoradas): {len(self.duplicates)}",
            f"Rejeitadas: {len(self.rejected)}",
        ]
        for problem in self.problems[:10]:
            lines.append(f"  linha {problem.row}: {problem.reason}")
        if len(self.problems) > 10:
            lines.append(f"  … e mais {len(self.problems) - 10} (veja o arquivo das linhas com problema)")
        if self.unknown_columns:
            lines.append("Colunas ignoradas: " + ", ".join(self.unknown_columns[:10]))
        return "\n".join(lines)

    def rejected_csv(self) -> bytes:
        """Every problem row (rejected and duplicate) with its original cells and a "motivo"
        column; UTF-8 with BOM and ``;`` so Excel opens it right."""
        buffer = io.StringIO()
        writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
        writer.writerow(["linha", *self.headers, "motivo"])
        width = len(self.headers)
        for problem in self.problems:
            cells = (problem.cells + [""] * width)[:width]
            writer.writerow([problem.row, *cells, problem.reason])
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
    )


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
) -> ImportResult:
    """Import every good row of a CSV/XLSX file; see the module docstring."""
    sheet = read_sheet(raw, filename)
    fields = [canonical_field(h) if h.strip() else None for h in sheet.headers]
    if "company" not in fields:
        raise ImportFailed(
            "não achei a coluna da empresa; o cabeçalho precisa de 'empresa' (ou razão social, nome fantasia, company)"
        )
    result = ImportResult(filename=filename[:200], headers=sheet.headers, total=sheet.total)
    result.unknown_columns = [h for h, f in zip(sheet.headers, fields, strict=True) if h and f is None]
    icp = compile_icp(playbook.icp)
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
    stage_change = {
        "from_stage": None,
        "to_stage": Stage.NEW.value,
        "reason": None,
        "playbook_version": playbook.version,
        "playbook_fingerprint": playbook.fingerprint,
    }

    pending: list[dict[str, Any]] = []
    done = 0

    def flush() -> None:
        if pending:
            with session_scope(engine) as session:
                insert_leads(session, pending, stage_change=stage_change)
            result.imported += len(pending)
            pending.clear()

    for number, cells in sheet.rows:
        done += 1
        if not any(c.strip() for c in cells):
            continue
        problem = _row(
            number,
            cells,
            fields,
            result,
            known,
            assigner,
            icp,
            playbook,
            campaign,
            member_id,
            moment,
            pending,
        )
        if problem is not None:
            result.problems.append(problem)
        if len(pending) >= BATCH_SIZE:
            flush()
        if progress is not None and done % PROGRESS_EVERY == 0:
            progress(done, max(sheet.total, done))
    flush()
    result.total = max(result.total, done)
    if progress is not None:
        progress(done, result.total)

    with session_scope(engine) as session:
        stored = session.get(ImportBatch, result.batch_id)
        if stored is not None:
            stored.finished_at = utcnow()
            stored.total_rows = result.total
            stored.imported = result.imported
            stored.duplicates = len(result.duplicates)
            stored.rejected = len(result.rejected)
    return result


def _row(
    number: int,
    cells: list[str],
    fields: Sequence[str | None],
    result: ImportResult,
    known: KnownCompanies,
    assigner: _Assigner,
    icp: Any,
    playbook: Playbook,
    campaign: str | None,
    member_id: int | None,
    moment: datetime,
    pending: list[dict[str, Any]],
) -> RowProblem | None:
    values: dict[str, str] = {}
    for name, cell in zip(fields, cells, strict=False):
        if name is not None and cell.strip() and name not in values:
            values[name] = cell.strip()
    company = values.get("company", "")
    if not company:
        return RowProblem(number, "empresa em branco", cells)
    if len(company) > 200:
        return RowProblem(number, "nome da empresa longo demais (mais de 200 caracteres)", cells)
    facts, errors = parse_facts({name: values.get(name) for name in FACT_FIELDS})
    if errors:
        return RowProblem(number, "; ".join(errors.values()), cells)
    key = company_key(company)
    where = known.find(facts.cnpj, key, facts.uf)
    if where is not None:
        reason = "já existe no banco" if where == "banco" else f"duplicada da {where}"
        return RowProblem(number, reason, cells, duplicate=True)
    owner = assigner.owner(values.get("rep"), facts.uf)
    if isinstance(owner, str):
        return RowProblem(number, owner, cells)
    scored = score(facts, icp)
    text = {name: (values.get(name) or "")[:300] for name in TEXT_FIELDS if name != "company"}
    if campaign and not text.get("campaign"):
        text["campaign"] = campaign
    text["campaign"] = text["campaign"][:100]
    text["city"] = text["city"][:100]
    text["contact_name"] = text["contact_name"][:120]
    text["contact_role"] = text["contact_role"][:120]
    text["contact_phone"] = text["contact_phone"][:32]
    text["contact_email"] = text["contact_email"][:200]
    pending.append(
        {
            "owner_id": owner.id,
            "company": company,
            "company_key": key,
            **text,
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
            "scored_with": playbook.fingerprint,
            "created_by": member_id,
            "created_at": moment,
            "updated_at": moment,
        }
    )
    known.add(facts.cnpj, key, facts.uf, f"linha {number}")
    return None
