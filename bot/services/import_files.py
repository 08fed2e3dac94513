"""Reading a spreadsheet someone sent us, assuming nothing about it.

A CSV is streamed (never held whole): its encoding is decided once for the whole file (strict
UTF-8, with or without BOM; UTF-16 with a BOM; else Windows-1252, else Latin-1 — never line by
line), a binary file named ``.csv`` is refused from its first bytes, quoted line breaks stay inside
their cell, and row numbers are the spreadsheet's (a record with a line break inside is one row).
An XLSX is checked from the zip's directory before anything is expanded (total uncompressed size,
size of the shared strings), and its rows are read as the sheet lists them: a missing or lying
dimension record, or a row numbered 5,000,000, never makes the reader walk empty rows. Every cell
loses NUL and other control characters.

Limits refuse a file with one line that says what to do (:class:`ImportFailed`); a cell that is
merely too long rejects its row, not the file.
"""

from __future__ import annotations

import codecs
import csv
import io
import itertools
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from typing import IO, Any

from bot.services.columns import canonical_field

MAX_ROWS = 200_000
"""Data rows (blank rows not counted) in one file."""
MAX_CELL = 10_000
"""Characters in one cell; a longer cell rejects its row."""
MAX_CSV_FIELD = 1_000_000
"""A CSV field longer than this is not a spreadsheet cell: the file is refused (bounded memory)."""
MAX_COLUMNS = 500
MAX_XLSX_EXPANDED = 400 * 1024 * 1024
"""Uncompressed size of all the parts of an XLSX, from the zip's directory."""
MAX_SHARED_STRINGS = 40 * 1024 * 1024
"""Uncompressed size of ``xl/sharedStrings.xml`` (openpyxl holds every shared string in memory)."""
MAX_SHEET_ROW = 1_048_576
"""Excel's last row: a row numbered beyond it is not from a spreadsheet program."""
SNIFF_BYTES = 64 * 1024
CHUNK = 1024 * 1024

# A field is allowed up to MAX_CSV_FIELD characters (Python's default is 131,072); the limit is
# process-wide, and only ever raised here.
csv.field_size_limit(max(csv.field_size_limit(), MAX_CSV_FIELD))

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufeff\u200b]")
_BREAKS = re.compile(r"\r\n?|\n")
_BINARY_MAGIC = {
    b"\xd0\xcf\x11\xe0": "é uma planilha do Excel antigo (.xls); salve-a como .xlsx ou .csv e envie de novo",
    b"%PDF": "é um PDF, não uma planilha; envie um .csv ou .xlsx",
    b"\x89PNG": "é uma imagem, não uma planilha; envie um .csv ou .xlsx",
    b"\xff\xd8\xff": "é uma imagem, não uma planilha; envie um .csv ou .xlsx",
    b"Rar!": "é um arquivo compactado, não uma planilha; envie um .csv ou .xlsx",
    b"\x1f\x8b": "é um arquivo compactado, não uma planilha; envie um .csv ou .xlsx",
}
BINARY = "não parece uma planilha em texto (CSV): tem bytes de arquivo binário; envie um .csv ou .xlsx"


def thousands(number: int) -> str:
    """``200.000``: a count as a Brazilian reads it."""
    return f"{number:,}".replace(",", ".")


TOO_MANY_ROWS = f"o arquivo passa de {thousands(MAX_ROWS)} linhas; divida-o"


class ImportFailed(Exception):
    """The file as a whole cannot be imported (unreadable, over a limit, no company column, nobody
    to assign); the message is one line for the user, and nothing was written."""


def clean_cell(text: str) -> str:
    """The cell without NUL or other control characters; line breaks become ``\\n``."""
    return _CONTROL.sub("", _BREAKS.sub("\n", text)).strip()


def too_long(cells: list[str], headers: list[str]) -> str | None:
    """Why a row is rejected for a cell over :data:`MAX_CELL` characters, or None."""
    for index, cell in enumerate(cells):
        if len(cell) > MAX_CELL:
            column = headers[index] if index < len(headers) and headers[index] else f"{index + 1}ª"
            return f"a coluna {column[:40]} tem {thousands(len(cell))} caracteres; o limite é {thousands(MAX_CELL)}"
    return None


@dataclass
class Sheet:
    headers: list[str]
    rows: Iterator[tuple[int, list[str]]]
    """(spreadsheet row number, cells as clean text)."""
    total: int
    """An estimate for progress (the true count is the rows read)."""
    encoding: str = ""
    delimiter: str = ""


# ------------------------------------------------------------------------------ CSV


def _sniff_binary(head: bytes) -> None:
    for magic, reason in _BINARY_MAGIC.items():
        if head.startswith(magic):
            raise ImportFailed(f"o arquivo {reason}")
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return
    sample = head[:SNIFF_BYTES]
    controls = sum(1 for byte in sample if byte < 9 or byte in (11, 12) or 14 <= byte < 32 or byte == 127)
    # Text has next to no control bytes: over 2% of a sample of some size is a binary file (a
    # few NUL bytes in a cell are stripped, not refused); a tiny file must be mostly controls.
    limit = len(sample) // 50 if len(sample) >= 256 else len(sample) // 3
    if sample and controls > limit:
        raise ImportFailed(f"o arquivo {BINARY}")


def detect_encoding(source: IO[bytes]) -> tuple[str, int]:
    """The one encoding of the whole file, and its number of line ends (an estimate of rows).

    Reads the file once, in chunks (bounded memory); leaves it at the start."""
    source.seek(0)
    head = source.read(SNIFF_BYTES)
    _sniff_binary(head)
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        source.seek(0)
        return "utf-16", 0
    source.seek(0)
    candidates = ["utf-8-sig", "cp1252", "latin-1"]
    decoders = {name: codecs.getincrementaldecoder(name)("strict") for name in candidates}
    lines = 0
    while chunk := source.read(CHUNK):
        lines += chunk.count(b"\n")
        for name in list(candidates):
            try:
                decoders[name].decode(chunk)
            except UnicodeDecodeError:
                candidates.remove(name)
    for name in list(candidates):
        try:
            decoders[name].decode(b"", final=True)
        except UnicodeDecodeError:
            candidates.remove(name)
    source.seek(0)
    return candidates[0], lines


def read_csv(source: IO[bytes] | bytes) -> Sheet:
    """Stream a CSV: encoding decided for the whole file, ``;`` ``,`` or tab, one row per record."""
    if isinstance(source, bytes | bytearray):
        source = io.BytesIO(source)
    encoding, lines = detect_encoding(source)
    text = io.TextIOWrapper(source, encoding=encoding, newline="")
    blank = 0
    for first_line in text:
        if first_line.replace("\x00", "").strip("\r\n\ufeff \t"):
            break
        blank += 1
    else:
        raise ImportFailed("o arquivo está vazio")
    delimiter = max((";", ",", "\t"), key=first_line.count)
    records = csv.reader(
        (line.replace("\x00", "") for line in itertools.chain([first_line], text)), delimiter=delimiter
    )
    try:
        header_row = next(records)
    except csv.Error as exc:
        raise ImportFailed(f"linha {blank + 1}: {_csv_problem(exc)}") from None

    def rows() -> Iterator[tuple[int, list[str]]]:
        number = blank + 1
        try:
            for number, record in enumerate(records, start=blank + 2):  # the number is read in except
                yield number, [clean_cell(cell) for cell in record]
        except csv.Error as exc:
            raise ImportFailed(f"linha {number + 1}: {_csv_problem(exc)}") from None
        except UnicodeDecodeError:  # pragma: no cover - the whole file was decoded once already
            raise ImportFailed("o arquivo mudou enquanto era lido") from None

    headers = [clean_cell(h) for h in header_row]
    return Sheet(headers, rows(), max(lines - blank, 0), encoding, delimiter)


def _csv_problem(exc: csv.Error) -> str:
    if "field larger" in str(exc):
        return f"uma célula passa de {thousands(MAX_CSV_FIELD)} caracteres; isto não parece uma planilha"
    return f"o CSV está malformado ({exc})"


# ------------------------------------------------------------------------------ XLSX


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
    return clean_cell(str(value))


def check_xlsx_archive(source: IO[bytes]) -> None:
    """Refuse a broken or bombed XLSX from the zip's central directory, before expanding it."""
    source.seek(0)
    try:
        with zipfile.ZipFile(source) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError):
        raise ImportFailed("não consegui abrir a planilha: o arquivo .xlsx está corrompido") from None
    finally:
        source.seek(0)
    names = {info.filename for info in members}
    if "[Content_Types].xml" not in names or not any(n.startswith("xl/worksheets/") for n in names):
        raise ImportFailed("não consegui abrir a planilha: o arquivo não é um .xlsx (sem planilhas dentro)")
    expanded = sum(info.file_size for info in members)
    if expanded > MAX_XLSX_EXPANDED:
        raise ImportFailed(
            f"a planilha se expande para {thousands(expanded // 2**20)} MB; "
            f"o limite é {MAX_XLSX_EXPANDED // 2**20} MB; divida-a ou envie como .csv"
        )
    strings = sum(info.file_size for info in members if info.filename.lower() == "xl/sharedstrings.xml")
    if strings > MAX_SHARED_STRINGS:
        raise ImportFailed(
            f"a planilha tem {thousands(strings // 2**20)} MB de textos compartilhados (o limite é "
            f"{MAX_SHARED_STRINGS // 2**20} MB); isto não parece uma lista de leads: salve-a de novo "
            "ou envie como .csv"
        )


def read_xlsx(source: IO[bytes] | bytes) -> Sheet:
    """The first sheet's rows as the sheet lists them (no empty rows made up for gaps)."""
    import openpyxl
    from openpyxl.worksheet._reader import WorkSheetParser

    if isinstance(source, bytes | bytearray):
        source = io.BytesIO(source)
    check_xlsx_archive(source)
    try:
        book: Any = openpyxl.load_workbook(source, read_only=True, data_only=True)
        sheet: Any = book.worksheets[0]
        # The worksheet parser itself (openpyxl's read-only sheet fills every gap in the row
        # numbers with empty rows: a row numbered 5,000,000 would mean 5 million of them).
        parser = WorkSheetParser(
            sheet._get_source(),
            sheet._shared_strings,
            data_only=True,
            epoch=book.epoch,
            date_formats=book._date_formats,
            timedelta_formats=book._timedelta_formats,
        )
        parsed = parser.parse()
    except ImportFailed:
        raise
    except Exception as exc:  # openpyxl raises many kinds for a broken file
        raise ImportFailed(f"não consegui abrir a planilha: {str(exc)[:200] or type(exc).__name__}") from None

    def values(cells: list[dict[str, Any]], fields: list[str | None]) -> list[str]:
        width = min(max((c["column"] for c in cells), default=0), MAX_COLUMNS)
        row: list[str] = [""] * width
        for cell in cells:
            column = cell["column"] - 1
            if 0 <= column < width:
                row[column] = _cell_text(cell["value"], fields[column] if column < len(fields) else None)
        return row

    def read_next() -> tuple[int, list[dict[str, Any]]] | None:
        try:
            found = next(parsed, None)
        except Exception as exc:  # a sheet that breaks halfway is refused as a whole
            raise ImportFailed(f"não consegui ler a planilha: {str(exc)[:200] or type(exc).__name__}") from None
        if found is not None and found[0] > MAX_SHEET_ROW:
            raise ImportFailed(
                f"a planilha tem uma linha de número {thousands(found[0])}, além da última do Excel; salve-a de novo"
            )
        return found

    header: tuple[int, list[dict[str, Any]]] | None = read_next()
    while header is not None and not any(_cell_text(c["value"], None) for c in header[1]):
        header = read_next()
    if header is None:
        book.close()
        raise ImportFailed("a planilha está vazia")
    headers = values(header[1], [])
    fields = [canonical_field(h) if h else None for h in headers]

    def rows() -> Iterator[tuple[int, list[str]]]:
        try:
            while (found := read_next()) is not None:
                yield found[0], values(found[1], fields)
        finally:
            book.close()

    total = (sheet.max_row or header[0]) - header[0]
    return Sheet(headers, rows(), max(min(total, MAX_ROWS), 0))


def read_sheet(source: IO[bytes] | bytes, filename: str) -> Sheet:
    if isinstance(source, bytes | bytearray):
        source = io.BytesIO(source)
    source.seek(0)
    magic = source.read(4)
    source.seek(0)
    if filename.lower().endswith((".xlsx", ".xlsm")) or magic[:2] == b"PK":
        return read_xlsx(source)
    return read_csv(source)
