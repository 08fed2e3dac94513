"""An import is a unit (issue 11): one bad row never aborts a file, a kill leaves nothing half
done and the next start says so, hostile files are refused with one line before they are
expanded, and text is read in the one encoding of its file."""

from __future__ import annotations

import io
import os
import signal
import subprocess
import sys
import textwrap
import zipfile
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from sqlalchemy import Engine, insert
from sqlmodel import Session, col, func, select

from bot.domain.playbook.model import Playbook
from bot.services import import_files, imports
from bot.services.imports import Assignment, ImportFailed, ImportResult, import_bytes, read_sheet
from bot.services.imports import rows as import_rows
from bot.services.imports import run as import_run
from bot.storage import importing
from bot.storage.importing import BatchStatus
from bot.storage.models import ImportBatch, Lead, Member, StageChange
from tests.support.runtimes import cli_runtime

# ------------------------------------------------------------------------------ helpers


def _import(engine: Engine, playbook: Playbook, raw: bytes, name: str = "leads.csv", **options: Any) -> ImportResult:
    options.setdefault("assignment", Assignment(reps=["ana"]))
    return import_bytes(cli_runtime(engine), raw, name, playbook=playbook, member_id=1, **options)


def _count(engine: Engine, table: Any) -> int:
    with Session(engine) as session:
        return int(session.execute(select(func.count()).select_from(table)).scalar_one())


def _batches(engine: Engine) -> list[ImportBatch]:
    with Session(engine) as session:
        return list(session.exec(select(ImportBatch).order_by(col(ImportBatch.id))))


def _companies(engine: Engine) -> list[str]:
    with Session(engine) as session:
        return list(session.exec(select(Lead.company).order_by(col(Lead.id))))


def _six_thousand(special: dict[int, str] | None = None) -> bytes:
    """6,000 data rows (spreadsheet rows 2…6001); ``special`` replaces the company of a row."""
    lines = ["empresa;uf;notas"]
    for row in range(2, 6002):
        company = (special or {}).get(row, f"Empresa {row}")
        lines.append(f"{company};SP;linha {row}")
    return ("\n".join(lines) + "\n").encode()


# ------------------------------------------------------------------------------ one bad row


def test_a_row_that_breaks_the_parser_at_row_4502_is_rejected_and_the_other_5999_imported(
    team: Engine, playbook: Playbook, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = import_rows.read_fields

    def choking(values: dict[str, str]) -> Any:
        if values.get("company") == "Choque Ltda":
            raise RecursionError("the parser chokes on this CNAE")
        return real(values)

    monkeypatch.setattr(import_rows, "read_fields", choking)
    result = _import(team, playbook, _six_thousand({4502: "Choque Ltda"}))

    assert [(p.row, p.reason) for p in result.rejected] == [(4502, imports.UNEXPECTED)]
    assert (result.total, result.imported, result.updated, len(result.duplicates)) == (6000, 5999, 0, 0)
    # an independent recount of what is stored
    assert _count(team, Lead) == 5999 and _count(team, StageChange) == 5999
    assert "Choque Ltda" not in _companies(team)
    (batch,) = _batches(team)
    assert (batch.status, batch.total_rows, batch.imported, batch.rejected, batch.duplicates) == (
        BatchStatus.DONE,
        6000,
        5999,
        1,
        0,
    )
    assert batch.finished_at is not None
    # sending the file again: every row is a duplicate, none "half" there
    again = _import(team, playbook, _six_thousand())
    assert (again.imported, len(again.duplicates), len(again.rejected)) == (1, 5999, 0)


def test_a_200000_character_cell_rejects_its_row_only(team: Engine, playbook: Playbook) -> None:
    raw = _six_thousand({3000: "Enorme " + "x" * 200_000})
    result = _import(team, playbook, raw)
    ((row, reason),) = [(p.row, p.reason) for p in result.rejected]
    assert row == 3000 and reason == "a coluna empresa tem 200.007 caracteres; o limite é 10.000"
    assert result.imported == 5999 == _count(team, Lead)
    # the rejected file does not carry the 200,000 characters back
    assert len(result.rejected_csv()) < 20_000


def test_a_row_the_database_refuses_is_rejected_and_the_rest_of_its_chunk_imported(
    team: Engine, playbook: Playbook, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = importing.insert_leads

    def refusing(session: Any, rows: list[dict[str, Any]], **kwargs: Any) -> list[int]:
        if any(r["company"] == "Recusada" for r in rows):
            raise ValueError("value too long for type character varying(200)")
        return real(session, rows, **kwargs)

    monkeypatch.setattr(importing, "insert_leads", refusing)
    result = _import(team, playbook, _six_thousand({1500: "Recusada"}))
    assert [p.row for p in result.rejected] == [1500]
    assert "o banco recusou esta linha" in result.rejected[0].reason
    assert result.imported == 5999 == _count(team, Lead)


def test_over_the_row_limit_the_file_is_refused_and_nothing_written(
    team: Engine, playbook: Playbook, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert import_files.TOO_MANY_ROWS == "o arquivo passa de 200.000 linhas; divida-o"
    monkeypatch.setattr(import_run, "MAX_ROWS", 5999)
    with pytest.raises(ImportFailed, match=r"passa de 200\.000 linhas; divida-o"):
        _import(team, playbook, _six_thousand())
    assert _count(team, Lead) == 0
    (batch,) = _batches(team)
    assert (batch.status, batch.imported, batch.total_rows) == (BatchStatus.REFUSED, 0, 0)
    assert batch.reported_at is not None  # the refusal is the answer


# ------------------------------------------------------------------------------ a kill mid-import

KILLER = textwrap.dedent(
    """
    import os, signal, sys
    from pathlib import Path
    from bot.config import Settings
    from bot.services import imports
    from bot.services.playbooks import load_checked_playbook
    from bot.services.runtime import CliRuntime
    from bot.storage import importing
    from bot.storage.db import make_engine

    real = importing.insert_leads
    calls = []

    def insert_then_die(session, rows, **kwargs):
        ids = real(session, rows, **kwargs)
        calls.append(len(rows))
        if len(calls) == 3:  # three chunks written inside the transaction, then the power goes
            os.kill(os.getpid(), signal.SIGKILL)
        return ids

    importing.insert_leads = insert_then_die
    runtime = CliRuntime(settings=Settings(), engine=make_engine(sys.argv[1]))
    playbook = load_checked_playbook(Settings().playbook_dir)
    imports.import_file(
        runtime, Path(sys.argv[2]), playbook=playbook, assignment=imports.Assignment(reps=["ana"]), member_id=1
    )
    print("not killed")
    """
)


def test_a_kill_mid_import_leaves_nothing_and_the_next_start_tells_the_manager(
    team: Engine, playbook: Playbook, tmp_path: Path
) -> None:
    path = tmp_path / "leads.csv"
    path.write_bytes(_six_thousand())
    killed = subprocess.run(
        [sys.executable, "-c", KILLER, team.url.render_as_string(hide_password=False), str(path)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    assert _count(team, Lead) == 0 and _count(team, StageChange) == 0  # nothing half-done
    (batch,) = _batches(team)
    assert batch.status == BatchStatus.RUNNING and batch.finished_at is None

    told = imports.recover(cli_runtime(team))
    assert [(t.member_id, t.filename, t.undone) for t in told] == [(1, "leads.csv", True)]
    (batch,) = _batches(team)
    assert (batch.status, batch.imported, batch.total_rows) == (BatchStatus.UNDONE, 0, 0)
    assert batch.finished_at is not None
    imports.mark_told(cli_runtime(team), told[0].batch_id)
    assert imports.recover(cli_runtime(team)) == []  # told once

    # sending the file again imports it all: no "já existe"
    again = _import(team, playbook, path.read_bytes())
    assert (again.imported, len(again.duplicates), len(again.rejected)) == (6000, 0, 0)


def test_an_import_that_finished_unreported_is_told_as_finished_with_its_counts(
    team: Engine, playbook: Playbook
) -> None:
    result = _import(team, playbook, b"empresa;uf\nAlfa;SP\nBeta;RJ\n;\nGama;XX\n")
    (told,) = imports.recover(cli_runtime(team))
    assert told.batch_id == result.batch_id and not told.undone
    assert told.counts == imports.ImportCounts(3, 2, 0, 0, 1)


def test_a_restart_during_an_import_elsewhere_undoes_it_and_the_import_does_not_commit(
    team: Engine, playbook: Playbook, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = import_run._decide

    def restart_meanwhile(*args: Any) -> ImportResult:
        decided = real(*args)
        imports.recover(cli_runtime(team))  # the bot restarts while `cadencia import` is deciding rows
        return decided

    monkeypatch.setattr(import_run, "_decide", restart_meanwhile)
    with pytest.raises(ImportFailed, match="interrompida por um reinício do bot"):
        _import(team, playbook, _six_thousand())
    assert _count(team, Lead) == 0
    assert [b.status for b in _batches(team)] == [BatchStatus.UNDONE]


# ------------------------------------------------------------------------------ hostile files

READ = textwrap.dedent(
    """
    import sys
    from bot.services.import_files import ImportFailed, read_sheet

    try:
        with open(sys.argv[1], "rb") as handle:
            sheet = read_sheet(handle, sys.argv[1])
            rows = sum(1 for _ in sheet.rows)
        print(f"read {rows} rows")
    except ImportFailed as exc:
        print("refused: " + str(exc))
    """
)
# The reader runs in a child of a fresh interpreter: Linux keeps ru_maxrss across fork + exec, so
# a child forked straight from this (large) pytest process would report pytest's own size.
MEASURE = textwrap.dedent(
    """
    import resource, subprocess, sys

    done = subprocess.run([sys.executable, "-c", sys.argv[1], sys.argv[2]], capture_output=True, text=True)
    print(done.stdout.strip() or done.stderr.strip().splitlines()[-1])
    print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss // 1024)  # MB (Linux reports KB)
    """
)


def _peak(path: Path) -> tuple[str, int]:
    done = subprocess.run(
        [sys.executable, "-c", MEASURE, READ, str(path)], capture_output=True, text=True, timeout=600, check=True
    )
    outcome, peak = done.stdout.strip().splitlines()
    return outcome, int(peak)


def _workbook(rows: list[list[Any]]) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _replace_parts(xlsx: bytes, parts: dict[str, Any]) -> bytes:
    """The workbook with some parts replaced (bytes, or a callable that writes to the part)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(xlsx)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            if info.filename not in parts:
                target.writestr(info.filename, source.read(info.filename))
        for name, part in parts.items():
            with target.open(name, "w", force_zip64=True) as handle:
                if callable(part):
                    part(handle)
                else:
                    handle.write(part)
    return out.getvalue()


@pytest.mark.skipif(sys.platform != "linux", reason="ru_maxrss in KB is Linux's")
def test_a_shared_strings_bomb_is_refused_within_300_mb(tmp_path: Path) -> None:
    def bomb(handle: Any) -> None:
        handle.write(b'<?xml version="1.0"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">')
        chunk = b"<si><t>a</t></si>" * 65536
        for _ in range(64):  # 68 MB of one-letter strings: millions of Python objects if parsed
            handle.write(chunk)
        handle.write(b"</sst>")

    raw = _replace_parts(_workbook([["empresa", "uf"], ["Alfa", "SP"]]), {"xl/sharedStrings.xml": bomb})
    assert len(raw) < 1_500_000
    path = tmp_path / "bomba.xlsx"
    path.write_bytes(raw)
    outcome, peak = _peak(path)
    assert outcome.startswith("refused: a planilha tem 68 MB de textos compartilhados"), outcome
    assert peak < 300, f"peak RSS {peak} MB"


SHEET_HEAD = (
    b'<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
)


def _sheet(*rows: tuple[int, str, str]) -> bytes:
    """A sheet XML without a dimension record; inline strings at the given row numbers."""
    body = b"".join(
        f'<row r="{n}"><c r="A{n}" t="inlineStr"><is><t>{a}</t></is></c>'
        f'<c r="B{n}" t="inlineStr"><is><t>{b}</t></is></c></row>'.encode()
        for n, a, b in rows
    )
    return SHEET_HEAD + body + b"</sheetData></worksheet>"


@pytest.mark.skipif(sys.platform != "linux", reason="ru_maxrss in KB is Linux's")
def test_a_sheet_without_dimension_numbered_past_excel_is_refused_within_300_mb(tmp_path: Path) -> None:
    sheet = _sheet((1, "empresa", "uf"), (2, "Alfa", "SP"), (5_000_000, "Bomba", "SP"))
    path = tmp_path / "sem_dimensao.xlsx"
    path.write_bytes(_replace_parts(_workbook([["x"]]), {"xl/worksheets/sheet1.xml": sheet}))
    outcome, peak = _peak(path)
    assert outcome == "refused: a planilha tem uma linha de número 5.000.000, além da última do Excel; salve-a de novo"
    assert peak < 300, f"peak RSS {peak} MB"


def test_without_a_dimension_record_the_gaps_are_not_walked() -> None:
    sheet = _sheet((1, "empresa", "uf"), (2, "Alfa", "SP"), (1_000_000, "Beta", "RJ"))
    raw = _replace_parts(_workbook([["x"]]), {"xl/worksheets/sheet1.xml": sheet})
    read = read_sheet(raw, "gap.xlsx")
    assert read.headers == ["empresa", "uf"]
    assert list(read.rows) == [(2, ["Alfa", "SP"]), (1_000_000, ["Beta", "RJ"])]


def test_an_xlsx_that_expands_past_the_limit_is_refused_from_the_zip_directory(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(import_files, "MAX_XLSX_EXPANDED", 1024 * 1024)
    padding = b"<!--" + b" " * (2 * 1024 * 1024) + b"-->"
    raw = _replace_parts(_workbook([["empresa"], ["Alfa"]]), {"docProps/padding.xml": padding})
    with pytest.raises(ImportFailed, match="a planilha se expande para 2 MB; o limite é 1 MB"):
        read_sheet(raw, "grande.xlsx")


@pytest.mark.skipif(sys.platform != "linux", reason="ru_maxrss in KB is Linux's")
def test_a_big_csv_is_streamed_not_held_whole(tmp_path: Path) -> None:
    path = tmp_path / "grande.csv"
    row = ("Empresa Ação;SP;" + "observação longa " * 100 + "\n").encode()  # about 1.8 KB
    with path.open("wb") as handle:
        handle.write(b"empresa;uf;notas\n")
        for _ in range(100):
            handle.write(row * 800)
    assert path.stat().st_size > 140 * 1024 * 1024
    outcome, peak = _peak(path)
    assert outcome == "read 80000 rows"
    print(f"peak RSS reading {path.stat().st_size // 2**20} MB of CSV: {peak} MB")
    assert peak < 140, f"peak RSS {peak} MB: the file was held in memory"


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (bytes(range(256)) * 64, "não parece uma planilha em texto (CSV)"),
        (os.urandom(4096), "não parece uma planilha em texto (CSV)"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600), "Excel antigo (.xls); salve-a como .xlsx ou .csv"),
        (b"%PDF-1.7\n" + bytes(100), "é um PDF"),
    ],
)
def test_a_binary_file_named_csv_is_refused_with_one_line(raw: bytes, reason: str) -> None:
    with pytest.raises(ImportFailed, match=reason.replace("(", r"\(").replace(")", r"\)")) as refused:
        read_sheet(raw, "leads.csv")
    assert "\n" not in str(refused.value)


def test_a_broken_xlsx_is_refused_with_one_line(team: Engine, playbook: Playbook) -> None:
    good = _workbook([["empresa", "uf"], ["Alfa", "SP"]])
    cut = good[: len(good) // 2]
    broken_sheet = _replace_parts(good, {"xl/worksheets/sheet1.xml": SHEET_HEAD + b"<row r='2'><c><v>1</v"})
    for raw, reason in [
        (cut, "não consegui abrir a planilha: o arquivo .xlsx está corrompido"),
        (b"PK\x03\x04" + bytes(300), "não consegui abrir a planilha: o arquivo .xlsx está corrompido"),
        (broken_sheet, "não consegui (abrir|ler) a planilha"),
    ]:
        with pytest.raises(ImportFailed, match=reason) as refused:
            _import(team, playbook, raw, "quebrada.xlsx")
        assert "\n" not in str(refused.value)
    assert _count(team, Lead) == 0
    assert {b.status for b in _batches(team)} == {BatchStatus.REFUSED}


# ------------------------------------------------------------------------------ text


def test_a_latin1_file_and_a_utf8_file_with_accents_both_read_right(team: Engine, playbook: Playbook) -> None:
    text = "empresa;cidade;uf\nAçaí Pão & Cia;São João del-Rei;MG\n"
    for encoding in ("latin-1", "utf-8", "utf-8-sig", "cp1252"):
        sheet = read_sheet(text.encode(encoding), "x.csv")
        assert list(sheet.rows) == [(2, ["Açaí Pão & Cia", "São João del-Rei", "MG"])], encoding
    # the one accent of a Latin-1 file 3 MB down decides the whole file, not its line
    late = ("empresa;uf\n" + "Empresa Simples;SP\n" * 170_000 + "Órgão Técnico;SP\n").encode("cp1252")
    rows = list(read_sheet(late, "x.csv").rows)
    assert rows[-1] == (170_002, ["Órgão Técnico", "SP"])
    result = _import(team, playbook, "empresa;uf\nJosé Açúcar;SP\n".encode("latin-1"))
    assert result.imported == 1 and _companies(team) == ["José Açúcar"]


def test_two_encodings_in_one_file_reject_the_rows_that_would_be_garbled(team: Engine, playbook: Playbook) -> None:
    raw = "empresa;uf\nJosé Açúcar;SP\n".encode("cp1252") + "João Ltda;RJ\n".encode() + b"Beta;SC\n"
    result = _import(team, playbook, raw)
    assert [(p.row, p.reason) for p in result.rejected] == [(3, imports.MIXED_ENCODING)]
    assert _companies(team) == ["José Açúcar", "Beta"]  # never "JoÃ£o"


def test_nul_and_control_characters_are_stripped_from_every_cell(team: Engine, playbook: Playbook) -> None:
    raw = b"empre\x00sa;uf;notas\nPad\x00aria\x07 Central;S\x00P;obs\x1b\x00 ok\n"
    result = _import(team, playbook, raw)
    assert result.imported == 1, result.summary()
    with Session(team) as session:
        (lead,) = session.exec(select(Lead))
    assert (lead.company, lead.uf, lead.notes) == ("Padaria Central", "SP", "obs ok")


def test_a_quoted_line_break_stays_in_its_cell_and_rows_keep_the_spreadsheets_numbers(
    team: Engine, playbook: Playbook
) -> None:
    raw = (
        b'empresa;uf;notas\r\n"Alfa\r\nMatriz";SP;"primeira linha\r\nsegunda linha"\r\n'
        b"Beta;XX;\r\n"
        b'Gama;RJ;"a\nb\rc"\r\n'
    )
    result = _import(team, playbook, raw)
    assert result.total == 3 and result.imported == 2
    assert [p.row for p in result.rejected] == [3]  # Beta is the spreadsheet's row 3
    with Session(team) as session:
        alfa, gama = session.exec(select(Lead).order_by(col(Lead.id)))
    assert alfa.company == "Alfa Matriz" and alfa.notes == "primeira linha\nsegunda linha"
    assert gama.notes == "a\nb\nc"
    rejected = result.rejected_csv().decode("utf-8-sig").splitlines()
    assert rejected[1].startswith("3;Beta;XX;")


# ------------------------------------------------------------------------------ reps


@pytest.fixture
def two_anas(team: Engine) -> Engine:
    with team.begin() as connection:
        connection.execute(
            insert(Member),
            [dict(id=4, telegram_id=4000, role="rep", first_name="Ana", full_name="Ana Souza", username="anasouza")],
        )
    return team


def test_an_ambiguous_rep_name_rejects_the_row_naming_both(two_anas: Engine, playbook: Playbook) -> None:
    raw = b"empresa;uf;vendedor\nAlfa;SP;Ana\nBeta;SP;Ana Souza\nGama;SP;@ana\n"
    result = _import(two_anas, playbook, raw, assignment=Assignment())
    assert [(p.row, p.reason) for p in result.rejected] == [
        (2, "vendedor 'Ana' é ambíguo: Ana Lima (@ana) ou Ana Souza (@anasouza); escreva o nome completo ou o @usuário")
    ]
    with Session(two_anas) as session:
        owners = {company: owner for company, owner in session.execute(select(Lead.company, Lead.owner_id))}
    assert owners == {"Beta": 4, "Gama": 2}
    with pytest.raises(ImportFailed, match="'ana' é ambíguo: Ana Lima"):
        _import(two_anas, playbook, raw, assignment=Assignment(reps=["ana"]))
