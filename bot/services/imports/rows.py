"""One row of an import, read once and decided: rejected, a duplicate, a stored lead to fill in, or
a new lead waiting to be written.

A row's cells are read by the parsers of ``/novo`` into one typed
:class:`~bot.domain.lead_fields.LeadDraft` (:func:`~bot.domain.lead_fields.read_fields`): the same
draft answers the validation, the duplicate check, the ICP score and the columns written.
"""

from __future__ import annotations

import logging
import pickle
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import IO, Any

from bot.domain.enrichment import fill_missing
from bot.domain.lead_fields import TEXT_KEYS, FieldValue, LeadDraft, read_fields, refusal_line
from bot.domain.playbook.model import Playbook
from bot.domain.registry import CompanyDirectory
from bot.domain.scoring import score
from bot.domain.vocabulary import Stage
from bot.services.enrichment import lookup
from bot.services.import_files import too_long
from bot.services.imports.assignment import Assigner
from bot.services.imports.results import IN_DATABASE_BY_CNPJ, IN_DATABASE_BY_NAME, ImportResult, RowProblem
from bot.services.lead_columns import fact_columns, score_columns
from bot.services.leads import company_key
from bot.storage.importing import KnownCompanies

log = logging.getLogger(__name__)

#: A file read as Windows-1252 where this row's text is UTF-8 (two encodings in one file).
MIXED_ENCODING = (
    "texto em UTF-8 dentro de um arquivo em Latin-1 (duas codificações no mesmo arquivo); "
    "salve a planilha como CSV UTF-8 e importe de novo"
)
#: The text columns a new lead takes from its draft ("" when the row said nothing).
WRITTEN_TEXT = tuple(key for key in TEXT_KEYS if key not in ("company", "notes", "registry_month"))

Pending = list[tuple[int, list[str], dict[str, Any]]]
"""(row number, cells, the lead's columns) of rows to insert."""


@dataclass
class ImportRun:
    """One import in progress: what every row needs, and the rows waiting to be written."""

    fields: Sequence[str | None]
    headers: list[str]
    result: ImportResult
    known: KnownCompanies
    assigner: Assigner
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
    pending: Pending = field(default_factory=list)
    """Rows to insert, until spooled."""
    chunks: int = 0
    fills: dict[int, tuple[int, LeadDraft, list[str]]] = field(default_factory=dict)
    """Lead id → (row number, the row's draft, cells) to fill in on that stored lead."""
    directory: CompanyDirectory | None = None
    """Where a row's CNPJ is looked up to fill what the row lacks (see :func:`_enriched`)."""

    def spill(self) -> None:
        """Write the waiting rows to the spool file (memory stays bounded however long the file)."""
        if self.pending:
            pickle.dump(self.pending, self.spool, protocol=pickle.HIGHEST_PROTOCOL)
            self.chunks += 1
            self.pending = []

    def spooled(self) -> Iterator[Pending]:
        self.spool.seek(0)
        for _ in range(self.chunks):
            yield pickle.load(self.spool)  # our own temporary file, written just above


def decide_row(number: int, cells: list[str], run: ImportRun) -> RowProblem | None:
    """Decide one row: its problem, or ``None`` when it waits in ``run`` to be written (a new
    lead in ``run.pending``, or the stored lead it fills in ``run.fills``)."""
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
    typed, errors = read_fields(values)
    if errors:
        return RowProblem(number, "; ".join(refusal_line(k, e) for k, e in errors.items()), cells)
    draft = LeadDraft().changed(_enriched(typed, run))
    if not draft.company:
        return RowProblem(number, "empresa em branco (e o CNPJ não foi achado na Receita)", cells)
    facts = draft.facts
    key = company_key(draft.company)
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
        run.fills[stored] = (number, draft, cells)
        return None
    owner = run.assigner.owner(values.get("rep"), facts.uf)
    if isinstance(owner, str):
        return RowProblem(number, owner, cells)
    run.pending.append((number, cells, _columns(draft, key, owner.id, run)))
    run.known.add(facts.cnpj, key, facts.uf, f"linha {number}")
    return None


def _columns(draft: LeadDraft, key: str, owner_id: int | None, run: ImportRun) -> dict[str, Any]:
    """The new lead's row: what a lead created in the chat has, with ``source="import"``."""
    text = {name: getattr(draft, name) for name in WRITTEN_TEXT}
    if run.campaign and not text["campaign"]:
        text["campaign"] = run.campaign[:100]
    return {
        "owner_id": owner_id,
        "company": draft.company,
        "company_key": key,
        **text,
        "notes": draft.notes or None,
        "registry_month": draft.registry_month or None,
        **fact_columns(draft.facts),
        **score_columns(score(draft.facts.aged(run.moment.date()), run.icp), run.playbook.fingerprint),
        "source": "import",
        "stage": Stage.NEW.value,
        "created_by": run.member_id,
        "created_at": run.moment,
        "updated_at": run.moment,
    }


def _enriched(typed: dict[str, FieldValue], run: ImportRun) -> dict[str, FieldValue]:
    """The row's values with what the company directory knows of its CNPJ added where the row
    says nothing (the row always wins); unchanged without a directory or a CNPJ."""
    cnpj = typed.get("cnpj")
    found = lookup(run.directory, cnpj) if isinstance(cnpj, str) else None
    if found is None:
        return typed
    merged, _ = fill_missing(typed, found.values)
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
