"""Exports of the activity log: touches, leads, stage changes, meetings, contacts → CSV or XLSX; and, by
name and for managers only, the LGPD erasure audit (``apagamentos``).

- CSV: UTF-8 with BOM and ``;`` by default (Excel in Portuguese opens it right), plain UTF-8
  and ``,`` on request. One file per table.
- XLSX: one sheet per table (xlsxwriter ``constant_memory``: each row is flushed to disk as it
  is written), typed cells (numbers are numbers, dates are real Excel dates with a date format,
  text is always text — never a formula), bold frozen header row, a sheet continues on
  "touches (2)" past Excel's 1,048,576 rows.
- Rows stream in chunks from one read-only snapshot (:func:`bot.storage.exporting.iter_chunks`,
  and for CSV on SQLite :func:`~bot.storage.exporting.iter_csv_text`, rows packed by SQLite):
  memory stays flat and the bot's writers never wait for an export.
- Telegram refuses files over 50 MB: CSV parts are cut below ``max_bytes`` and, when there are
  several files, zipped together if the zip fits (``packaging="zip"``), otherwise sent as
  separate parts (``packaging="split"``); XLSX workbooks are split into parts. The result
  says which, with a sentence for the chat.
- Every export writes an :class:`~bot.storage.models.ExportAudit` row.
- Timestamps are local times on the clock of the filter's zone: the asking member's own zone in
  chat, the ``DEFAULT_TIMEZONE`` setting's on the CLI; the reply names the zone.

Long because it is one use case, with its two writers (CSV parts, XLSX workbooks) sharing the
size limit, packaging and audit logic; each writer is a small class here.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import Any

from bot.domain.activity import ActivityFilter
from bot.domain.labels import LABELS, NO, YES
from bot.domain.playbook.model import Playbook
from bot.domain.privacy import ERASURE_REASON_LABELS, ERASURE_VIA_LABELS
from bot.domain.regions import DEFAULT_ZONE
from bot.domain.vocabulary import Role
from bot.i18n import DEFAULT_LANGUAGE, N_, gettext_for
from bot.render.reports import integer
from bot.services.icp import SALES_MODEL_NAMES
from bot.services.runtime import BaseRuntime
from bot.services.team import NotAllowed
from bot.services.views import MemberLike
from bot.storage.contacts import sync_all
from bot.storage.exporting import (
    CONTACTS,
    ERASURES,
    TABLES,
    ExportColumn,
    ExportWords,
    add_export_audit,
    csv_cells,
    dialect_name,
    formatted_cells,
    iter_chunks,
    iter_csv_text,
    table_columns,
)

TELEGRAM_FILE_LIMIT = 50 * 1024 * 1024
XLSX_MAX_ROWS = 1_048_576
XLSX_COMPRESSION_GUESS = 1.6
"""Raw cell bytes per XLSX byte, conservatively (measured ≈ 2.8 on touch rows): a workbook
part is closed when its raw bytes reach ``max_bytes × this``."""

TABLE_NAMES = {
    "touches": "toques",
    "leads": "leads",
    "stage_changes": "mudancas_de_etapa",
    "meetings": "reunioes",
    "erasures": "apagamentos",
    "contacts": "contatos",
}
"""File names (stable, whatever the reader's language)."""
SHEET_NAMES = {
    "touches": N_("toques"),
    "leads": "leads",  # the same word in English
    "stage_changes": N_("mudanças de etapa"),
    "meetings": N_("reuniões"),
    "erasures": N_("apagamentos"),
    "contacts": N_("contatos"),
}
"""Names people read: sheets of a workbook, counts in the chat's sentence."""


def export_words(language: str = DEFAULT_LANGUAGE, playbook: Playbook | None = None) -> ExportWords:
    """The words an export shows for codes: the domain's labels in ``language``, and the
    playbook's own labels for its steps, objections and reasons (codes it does not know, such
    as those of an older version, stay codes)."""
    _ = gettext_for(language)
    labels: dict[str, dict[str, str]] = {
        kind: {code: _(text) for code, text in table.items()} for kind, table in LABELS.items()
    }
    labels["sales_model"] = {str(code): name for code, name in SALES_MODEL_NAMES.items()}
    labels["erasure_via"] = {code: _(text) for code, text in ERASURE_VIA_LABELS.items()}
    labels["erasure_reason"] = {code: _(text) for code, text in ERASURE_REASON_LABELS.items()}
    if playbook is not None:
        labels["step"] = {step.id: step.title for step in reversed(playbook.cadence.all_steps)}
        labels["script"] = {script_id: script.title for script_id, script in playbook.scripts.items()}
        labels["objection"] = {objection.id: objection.label for objection in playbook.objections}
        labels["loss_reason"] = {
            reason.id: reason.label for reasons in playbook.reasons.loss.values() for reason in reasons
        }
        labels["no_show_reason"] = {reason.id: reason.label for reason in playbook.reasons.no_show}
    return ExportWords(labels, yes=_(YES), no=_(NO))
ALIASES = {
    "toques": "touches",
    "touch": "touches",
    "touches": "touches",
    "lead": "leads",
    "leads": "leads",
    "empresas": "leads",
    "etapas": "stage_changes",
    "mudancas": "stage_changes",
    "stage_changes": "stage_changes",
    "stages": "stage_changes",
    "reunioes": "meetings",
    "reuniões": "meetings",
    "meetings": "meetings",
    "apagamentos": "erasures",
    "erasures": "erasures",
    "lgpd": "erasures",
    "contatos": "contacts",
    "contacts": "contacts",
    "tudo": "all",
    "all": "all",
}


EVERYTHING = (*TABLES, CONTACTS)
"""What ``tudo`` exports: the activity tables and every contact of the leads (someone who asks
for everything expects every contact). The erasure audit is only ever exported by name."""


def parse_what(words: Sequence[str] | str) -> list[str]:
    """ "toques", "leads reunioes", "all" → canonical table names; ValueError in Portuguese."""
    if isinstance(words, str):
        words = re.split(r"[\s,]+", words.strip())
    tables: list[str] = []
    for word in words:
        if not word:
            continue
        table = ALIASES.get(word.lower())
        if table is None:
            raise ValueError(
                f"não sei exportar '{word[:30]}'; escolha entre toques, leads, etapas, reunioes ou tudo"
            )
        for name in EVERYTHING if table == "all" else (table,):
            if name not in tables:
                tables.append(name)
    if not tables:
        raise ValueError("diga o que exportar: toques, leads, etapas, reunioes ou tudo")
    return tables


@dataclass
class ExportResult:
    files: list[Path]
    """What to send or show, in order."""
    rows: dict[str, int]
    format: str
    packaging: str
    """single | zip | split"""
    audit_id: int | None = None
    parts: list[Path] = field(default_factory=list)
    """Every file written before packaging (kept for ``split``, deleted after ``zip``)."""
    language: str = DEFAULT_LANGUAGE
    zone: str = DEFAULT_ZONE
    """The zone whose clock the exported times are on (IANA name)."""

    @property
    def total_rows(self) -> int:
        return sum(self.rows.values())

    @property
    def message(self) -> str:
        """One sentence for the chat, in the language of the export."""
        _ = gettext_for(self.language)
        counts = ", ".join(f"{_(SHEET_NAMES[t])}: {integer(n, self.language)}" for t, n in self.rows.items())
        if self.packaging == "zip":
            return _("Exportação pronta (%(counts)s). Os arquivos foram compactados num .zip.") % {"counts": counts}
        if self.packaging == "split":
            return _(
                "Exportação pronta (%(counts)s). Passou do limite de 50 MB do Telegram, então "
                "foi dividida em %(parts)s partes."
            ) % {"counts": counts, "parts": len(self.files)}
        return _("Exportação pronta (%(counts)s).") % {"counts": counts}

    @property
    def zone_note(self) -> str:
        """Which clock the exported times are on, for whoever opens the files."""
        _ = gettext_for(self.language)
        return _("Horários no fuso %(zone)s.") % {"zone": self.zone}


# ------------------------------------------------------------------------------ CSV


class _CsvParts:
    """CSV files for one table, cut into parts below ``max_bytes`` (header repeated).

    Each chunk of rows is formatted by ``csv.writer.writerows`` into a memory buffer and written
    to the file in one call; the file is plain UTF-8 (C encoder) with the BOM written by hand,
    rather than the pure-Python ``utf-8-sig`` encoder called once per row.
    """

    def __init__(
        self, base: Path, headers: list[str], *, delimiter: str, bom: bool, max_bytes: int
    ) -> None:
        self.base = base
        self.headers = headers
        self.bom = bom
        self.delimiter = delimiter
        self.max_bytes = max_bytes
        self.paths: list[Path] = []
        self._handle: Any = None
        self._buffer = io.StringIO()
        self._writer = csv.writer(self._buffer, delimiter=delimiter, lineterminator="\r\n")
        self._last_chunk = 0

    def _flush(self) -> None:
        self._handle.write(self._buffer.getvalue())
        self._buffer.seek(0)
        self._buffer.truncate()

    def _open(self) -> None:
        number = len(self.paths) + 1
        path = (
            self.base.with_suffix(".csv")
            if number == 1
            else self.base.with_name(f"{self.base.name}_parte{number}.csv")
        )
        self._handle = path.open("w", encoding="utf-8", newline="")
        if self.bom:
            self._handle.write("\ufeff")
        self._writer.writerow(self.headers)
        self._flush()
        self.paths.append(path)

    def _room_for_a_chunk(self) -> None:
        """Open the first file, or the next part when another chunk might pass the size limit."""
        if self._handle is None:
            self._open()
        elif self._handle.tell() + 2 * self._last_chunk > self.max_bytes:
            self._handle.close()
            self._open()

    def write(self, rows: Sequence[Sequence[Any]]) -> None:
        self._room_for_a_chunk()
        assert self._handle is not None
        before = self._handle.tell()
        self._writer.writerows(rows)
        self._flush()
        self._last_chunk = self._handle.tell() - before

    def write_text(self, text: str) -> None:
        """Rows already written as CSV (whole lines, line ends included)."""
        self._room_for_a_chunk()
        assert self._handle is not None
        before = self._handle.tell()
        self._handle.write(text)
        self._last_chunk = self._handle.tell() - before

    def close(self) -> None:
        if self._handle is None:
            self._open()
        self._handle.close()


def _rename_first_part(paths: list[Path]) -> None:
    if len(paths) > 1:
        first = paths[0]
        renamed = first.with_name(f"{first.stem}_parte1.csv")
        first.rename(renamed)
        paths[0] = renamed


# ------------------------------------------------------------------------------ XLSX


class _Workbooks:
    """XLSX workbooks (parts), each with one sheet (or more) per table."""

    def __init__(self, base: Path, *, max_bytes: int, language: str = DEFAULT_LANGUAGE) -> None:
        self.base = base
        self._ = gettext_for(language)
        self.max_raw = int(max_bytes * XLSX_COMPRESSION_GUESS)
        self.paths: list[Path] = []
        self.book: Any = None
        self.sheet: Any = None
        self.raw = 0
        self.sheet_rows = 0
        self.sheet_names: set[str] = set()

    def _new_book(self) -> None:
        import xlsxwriter

        if self.book is not None:
            self.book.close()
        number = len(self.paths) + 1
        path = self.base.with_name(
            f"{self.base.name}_parte{number}.xlsx" if number > 1 else f"{self.base.name}.xlsx"
        )
        self.book = xlsxwriter.Workbook(
            str(path),
            {
                "constant_memory": True,
                "strings_to_formulas": False,
                "strings_to_urls": False,
                "strings_to_numbers": False,
                "default_date_format": "dd/mm/yyyy hh:mm",
            },
        )
        self.bold = self.book.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1})
        self.date_format = self.book.add_format({"num_format": "dd/mm/yyyy hh:mm:ss"})
        self.paths.append(path)
        self.raw = 0
        self.sheet_names = set()

    def start_table(self, table: str, columns: list[ExportColumn]) -> None:
        if self.book is None:
            self._new_book()
        self.table = table
        self.columns = columns
        self.cells = formatted_cells(columns)
        self._new_sheet()

    def _new_sheet(self) -> None:
        name = self._(SHEET_NAMES[self.table])
        number = 2
        while name in self.sheet_names:
            name = f"{self._(SHEET_NAMES[self.table])} ({number})"
            number += 1
        self.sheet_names.add(name)
        sheet = self.book.add_worksheet(name)
        for index, column in enumerate(self.columns):
            width = {"datetime": 19, "int": 12, "bool": 9}.get(column.kind, 22)
            sheet.set_column(index, index, max(width, len(column.header) + 2))
        sheet.write_row(0, 0, [c.header for c in self.columns], self.bold)
        sheet.freeze_panes(1, 0)
        self.sheet = sheet
        self.sheet_rows = 1

    def write(self, rows: list[tuple[Any, ...]]) -> None:
        kinds = [c.kind for c in self.columns]
        date_format = self.date_format
        cells = self.cells
        for row in rows if cells is None else map(cells, rows):
            if self.raw > self.max_raw:
                self._new_book()
                self._new_sheet()
            elif self.sheet_rows >= XLSX_MAX_ROWS:
                self._new_sheet()
            sheet = self.sheet
            r = self.sheet_rows
            for c, (kind, value) in enumerate(zip(kinds, row, strict=True)):
                if value is None or value == "":
                    continue
                if kind == "int":
                    sheet.write_number(r, c, value)
                    self.raw += 8
                elif kind == "datetime":
                    sheet.write_datetime(r, c, datetime.fromisoformat(value), date_format)
                    self.raw += 8
                elif kind == "bool":
                    sheet.write_boolean(r, c, bool(value))
                    self.raw += 2
                else:
                    text = str(value)
                    sheet.write_string(r, c, text)
                    self.raw += len(text) + 8
            self.sheet_rows += 1

    def close(self) -> None:
        if self.book is not None:
            self.book.close()


# ------------------------------------------------------------------------------ the export


def export(
    runtime: BaseRuntime,
    *,
    what: Sequence[str],
    fmt: str = "csv",
    directory: Path,
    filters: ActivityFilter | None = None,
    member_id: int | None = None,
    via: str = "cli",
    comma: bool = False,
    max_bytes: int = TELEGRAM_FILE_LIMIT,
    basename: str | None = None,
    chunk_size: int = 20_000,
    sql_csv: bool = True,
    language: str = DEFAULT_LANGUAGE,
    playbook: Playbook | None = None,
) -> ExportResult:
    """Write the export into ``directory`` and record it in the audit log.

    ``what``: canonical table names (see :func:`parse_what`). The caller must already have
    checked the member may see these rows (:func:`export_for` does). On SQLite the CSV lines
    come packed from the database (:func:`~bot.storage.exporting.iter_csv_text`);
    ``sql_csv=False`` writes every row with :mod:`csv` instead (the same bytes, slower).
    Codes are shown as words in ``language`` (steps and reasons by ``playbook``'s labels), each
    beside its raw code; every text cell of a CSV passes through
    :func:`~bot.domain.text.spreadsheet_safe`.
    """
    filters = filters or ActivityFilter()
    if fmt not in ("csv", "xlsx"):
        raise ValueError(f"formato desconhecido '{fmt}': use csv ou xlsx")
    tables = list(what)
    if CONTACTS in tables:  # contacts typed or imported into a lead's own columns count too
        with runtime.transaction() as session:
            sync_all(session, at=runtime.now())
    directory.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    base = basename or f"cadencia_{'_'.join(TABLE_NAMES[t] for t in tables)}_{stamp}"
    counts: dict[str, int] = {}
    words = export_words(language, playbook)
    written: list[Path] = []

    with runtime.reading() as session:  # every table from one snapshot
        dialect = dialect_name(session)
        if fmt == "csv":
            for table in tables:
                columns, _model, _source = table_columns(table, dialect, words)
                cells = csv_cells(columns)
                stem = base if len(tables) == 1 else f"{base}_{TABLE_NAMES[table]}"
                parts = _CsvParts(
                    directory / stem,
                    [c.header for c in columns],
                    delimiter="," if comma else ";",
                    bom=not comma,
                    max_bytes=max_bytes,
                )
                counts[table] = 0
                if dialect == "sqlite" and sql_csv:
                    for text, written_rows in iter_csv_text(
                        session, table, filters, delimiter=parts.delimiter, chunk_size=chunk_size, words=words
                    ):
                        parts.write_text(text)
                        counts[table] += written_rows
                else:
                    for rows in iter_chunks(session, table, filters, chunk_size=chunk_size, words=words):
                        parts.write([cells(row) for row in rows])
                        counts[table] += len(rows)
                parts.close()
                _rename_first_part(parts.paths)
                written += parts.paths
        else:
            books = _Workbooks(directory / base, max_bytes=max_bytes, language=language)
            for table in tables:
                columns, _model, _source = table_columns(table, dialect, words)
                books.start_table(table, columns)
                counts[table] = 0
                for rows in iter_chunks(session, table, filters, chunk_size=chunk_size, words=words):
                    books.write(rows)
                    counts[table] += len(rows)
            books.close()
            written = books.paths

    result = ExportResult(
        files=list(written), rows=counts, format=fmt, packaging="single", parts=list(written), language=language,
        zone=filters.zone,
    )
    if len(written) > 1 or written[0].stat().st_size > max_bytes:
        archive = directory / f"{base}.zip"
        with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED) as zipped:
            for path in written:
                zipped.write(path, arcname=path.name)
        if archive.stat().st_size <= max_bytes:
            for path in written:
                path.unlink()
            result.files = [archive]
            result.packaging = "zip"
        else:
            archive.unlink()
            result.packaging = "split"

    with runtime.transaction() as session:
        result.audit_id = add_export_audit(
            session,
            member_id=member_id,
            via=via,
            what=",".join(tables),
            fmt=fmt,
            filters={**filters.as_json(), "delimiter": "," if comma else ";", "packaging": result.packaging},
            rows=result.total_rows,
        )
    return result


def export_for(
    runtime: BaseRuntime,
    member: MemberLike,
    *,
    what: Sequence[str],
    fmt: str = "csv",
    directory: Path,
    filters: ActivityFilter | None = None,
    via: str = "chat",
    comma: bool = False,
    max_bytes: int = TELEGRAM_FILE_LIMIT,
    language: str = DEFAULT_LANGUAGE,
    playbook: Playbook | None = None,
) -> ExportResult:
    """Export as ``member``: a manager exports anyone's rows, a rep only their own. Without
    ``filters``, everything, with times on the member's own clock."""
    filters = filters or ActivityFilter(zone=member.timezone)
    if member.role != Role.MANAGER:
        if ERASURES in what:
            raise NotAllowed(N_("Só gestores exportam o histórico de apagamentos (LGPD)."))
        if filters.rep_id is not None and filters.rep_id != member.id:
            raise NotAllowed(N_("Você só pode exportar os seus próprios registros."))
        filters = replace(filters, rep_id=member.id)
    return export(
        runtime,
        what=what,
        fmt=fmt,
        directory=directory,
        filters=filters,
        member_id=member.id,
        via=via,
        comma=comma,
        max_bytes=max_bytes,
        language=language,
        playbook=playbook,
    )
