"""What became of every row of an import: the counts, the problems, the summary and the file of
rejected rows (Portuguese, plain text: the chat escapes it, the command line prints it)."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bot.domain.text import spreadsheet_safe
from bot.services.import_files import MAX_CELL

#: Why a row was not imported because the company is already there (counted as a duplicate).
IN_DATABASE_BY_CNPJ = "já existe no banco (mesmo CNPJ)"
IN_DATABASE_BY_NAME = "já existe no banco (mesma empresa e UF)"
NOTHING_TO_FILL = "já existe no banco (mesmo CNPJ); nada a completar"
GONE = "o lead com este CNPJ foi apagado durante a importação; importe a linha de novo"
#: A row that broke the reader in a way nobody foresaw: it is rejected, the file goes on.
UNEXPECTED = "erro inesperado ao ler esta linha; confira os valores ou cadastre o lead pelo /novo"


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

    def bounded(self) -> RowProblem:
        """The rejected file carries cells cut to the cell limit (a 200,000-character cell stays out)."""
        if all(len(c) <= MAX_CELL for c in self.cells):
            return self
        cells = [c if len(c) <= MAX_CELL else c[:MAX_CELL] + "…" for c in self.cells]
        return RowProblem(self.row, self.reason, cells, self.duplicate)


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
