"""Exports: CSV and XLSX round trips, filters, size limits, permissions and the audit log."""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from sqlalchemy import Engine, text
from sqlmodel import Session, select

from bot.domain.activity import ActivityFilter
from bot.domain.labels import OUTCOME_LABELS
from bot.services import exports
from bot.services.exports import NotAllowed, export, export_for, parse_what
from bot.storage.db import session_scope as engine_session
from bot.storage.models import ExportAudit, Member
from tests.services.activity import T0, Activity
from tests.support.runtimes import cli_runtime

START = T0 + timedelta(days=20)
END = T0 + timedelta(days=50)


def _local(moment: datetime) -> str:
    return (moment - timedelta(hours=3)).strftime("%Y-%m-%d %H:%M:%S")


def _read_csv(path: Path, *, delimiter: str = ";", bom: bool = True) -> list[dict[str, str]]:
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") == bom
    return list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig")), delimiter=delimiter))


def test_parse_what() -> None:
    assert parse_what("toques") == ["touches"]
    assert parse_what(["leads", "reunioes", "leads"]) == ["leads", "meetings"]
    assert parse_what("tudo") == ["touches", "leads", "stage_changes", "meetings", "contacts"]
    with pytest.raises(ValueError, match="não sei exportar 'x'"):
        parse_what("x")


def test_csv_round_trip_with_filters(
    activity_engine: Engine, activity: Activity, tmp_path: Path
) -> None:
    filters = ActivityFilter(START, END, "Saúde <NE>", 3)
    result = export(
        cli_runtime(activity_engine), what=["touches"], directory=tmp_path, filters=filters, chunk_size=29
    )
    expected = [
        t
        for t in activity.touches
        if START <= t["happened_at"] < END and t["campaign"] == "Saúde <NE>" and t["rep_id"] == 3
    ]
    assert result.packaging == "single" and len(result.files) == 1
    rows = _read_csv(result.files[0])
    assert result.rows == {"touches": len(expected)} and len(rows) == len(expected) > 50
    for row, touch in zip(rows, expected, strict=True):
        assert int(row["id"]) == touch["id"]
        assert row["data_hora"] == _local(touch["happened_at"])
        assert row["campanha"] == "Saúde <NE>"
        assert row["vendedor"] == "Bruno Silva"
        assert row["empresa"] == f"Empresa {touch['lead_id']} Ltda"
        assert row["resultado_codigo"] == touch["outcome"]
        assert row["resultado"] == OUTCOME_LABELS[touch["outcome"]]
        assert row["notas"] == (touch["notes"] or "")


def test_plain_comma_csv(activity_engine: Engine, activity: Activity, tmp_path: Path) -> None:
    result = export(cli_runtime(activity_engine), what=["leads"], directory=tmp_path, comma=True)
    rows = _read_csv(result.files[0], delimiter=",", bom=False)
    assert len(rows) == len(activity.leads)
    assert rows[0]["empresa"] == "Empresa 1 Ltda"


def test_xlsx_round_trip(activity_engine: Engine, activity: Activity, tmp_path: Path) -> None:
    filters = ActivityFilter(START, END)
    result = export(
        cli_runtime(activity_engine), what=parse_what("tudo"), fmt="xlsx", directory=tmp_path, filters=filters
    )
    assert result.packaging == "single" and result.files[0].suffix == ".xlsx"
    book = openpyxl.load_workbook(result.files[0])
    assert book.sheetnames == ["toques", "leads", "mudanças de etapa", "reuniões", "contatos"]
    sheet = book["toques"]
    assert sheet.freeze_panes == "A2"
    header = [c.value for c in sheet[1]]
    assert header[:4] == ["id", "data_hora", "vendedor_id", "vendedor"]
    assert sheet.cell(1, 1).font.b
    expected = [t for t in activity.touches if START <= t["happened_at"] < END]
    assert sheet.max_row - 1 == len(expected) == result.rows["touches"]
    first = [c.value for c in sheet[2]]
    touch = expected[0]
    assert first[0] == touch["id"] and isinstance(first[0], int)
    assert isinstance(first[1], datetime)
    assert first[1] == datetime.strptime(_local(touch["happened_at"]), "%Y-%m-%d %H:%M:%S")
    assert sheet.cell(2, 2).is_date and "yy" in sheet.cell(2, 2).number_format
    leads = book["leads"]
    lead_header = [c.value for c in leads[1]]
    knocked = lead_header.index("eliminado") + 1
    assert leads.cell(2, knocked).value == "não"
    meetings = [m for m in activity.meetings if START <= m["starts_at"] < END]
    assert book["reuniões"].max_row - 1 == len(meetings)


def test_big_exports_are_zipped_or_split(activity_engine: Engine, tmp_path: Path) -> None:
    zipped = export(
        cli_runtime(activity_engine),
        what=["touches"],
        directory=tmp_path / "z",
        max_bytes=400_000,
        chunk_size=500,
    )
    assert zipped.packaging == "zip" and zipped.files[0].suffix == ".zip"
    assert "compactados" in zipped.message
    with zipfile.ZipFile(zipped.files[0]) as archive:
        names = archive.namelist()
        assert len(names) > 1 and all(n.endswith(".csv") for n in names)
        total = sum(
            len(list(csv.reader(io.StringIO(archive.read(n).decode("utf-8-sig")), delimiter=";")))
            - 1
            for n in names
        )
    assert total == zipped.total_rows
    split = export(
        cli_runtime(activity_engine), what=["touches"], fmt="xlsx", directory=tmp_path / "s", max_bytes=150_000
    )
    assert split.packaging == "split" and len(split.files) > 1
    assert "dividida em" in split.message
    assert all(p.stat().st_size <= 150_000 for p in split.files)
    rows = sum(
        openpyxl.load_workbook(p, read_only=True).worksheets[0].max_row - 1 for p in split.files
    )
    assert rows == split.total_rows


def _audits(engine: Engine) -> list[ExportAudit]:
    with Session(engine) as session:
        return list(session.exec(select(ExportAudit)))


def test_every_export_is_audited(activity_engine: Engine, tmp_path: Path) -> None:
    filters = ActivityFilter(START, END, "Logística SP")
    result = export(
        cli_runtime(activity_engine),
        what=["touches", "meetings"],
        fmt="xlsx",
        directory=tmp_path,
        filters=filters,
        member_id=1,
        via="chat",
    )
    [audit] = _audits(activity_engine)
    assert audit.id == result.audit_id
    assert (audit.member_id, audit.via, audit.what, audit.format) == (
        1,
        "chat",
        "touches,meetings",
        "xlsx",
    )
    assert audit.rows == result.total_rows > 0
    assert audit.filters["campaign"] == "Logística SP"
    assert audit.filters["start"] == START.isoformat()


def _member(engine: Engine, member_id: int) -> Member:
    with Session(engine) as session:
        member = session.get(Member, member_id)
        assert member is not None
        return member


def test_reps_export_only_their_own_rows(activity_engine: Engine, tmp_path: Path) -> None:
    rep = _member(activity_engine, 4)
    with pytest.raises(NotAllowed):
        export_for(
            cli_runtime(activity_engine),
            rep,
            what=["touches"],
            directory=tmp_path,
            filters=ActivityFilter(rep_id=5),
        )
    assert _audits(activity_engine) == []
    result = export_for(cli_runtime(activity_engine), rep, what=["touches", "leads"], directory=tmp_path)
    with zipfile.ZipFile(result.files[0]) as archive:
        for name in archive.namelist():
            rows: list[dict[str, Any]] = list(
                csv.DictReader(io.StringIO(archive.read(name).decode("utf-8-sig")), delimiter=";")
            )
            assert rows and {r["vendedor_id"] for r in rows} == {"4"}
    [audit] = _audits(activity_engine)
    assert audit.member_id == 4 and audit.filters["rep_id"] == 4
    manager = _member(activity_engine, 1)
    everyone = export_for(cli_runtime(activity_engine), manager, what=["leads"], directory=tmp_path / "m")
    assert everyone.rows["leads"] == 1500


def test_unknown_format(activity_engine: Engine, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="formato"):
        exports.export(cli_runtime(activity_engine), what=["leads"], fmt="ods", directory=tmp_path)


@pytest.mark.parametrize("comma", [False, True], ids=["semicolon", "comma"])
def test_sqlite_formatted_csv_is_what_the_csv_module_writes(
    activity_engine: Engine, tmp_path: Path, comma: bool
) -> None:
    """On SQLite the CSV lines are formatted by the database (fast path); they must be the very
    bytes ``csv.writer`` writes for the same rows, whatever the text holds."""
    tricky = [
        'aspas "duplas" e ; ponto e vírgula',
        "linha 1\nlinha 2",
        "retorno\rde carro",
        "vírgula, aqui",
        "",
        "  espaços  ",
        '"',
        "tudo junto; \"x\",\r\n fim",
        "separador\x1fde unidade",  # the character SQLite packs rows with
        "separador\x1f; e aspas \"",
        '=HYPERLINK("http://x","y")',
        "+cmd|' /C calc'!A0",
        "-1+1",
        "@SUM(A1:A2)",
        "\tcom tab",
        "\rcom retorno",
    ]
    with engine_session(activity_engine) as session:
        for index, value in enumerate(tricky, start=1):
            session.execute(
                text("UPDATE touches SET notes = :v, budget = :v WHERE id = :id"),
                {"v": value, "id": index},
            )
        session.execute(text("UPDATE members SET full_name = 'Silva; \"Ana\"' WHERE id = 2"))
        session.execute(text("UPDATE leads SET company = 'A, B\nC', knocked_out = 1 WHERE id = 3"))
    for table in exports.TABLES:
        fast = export(
            cli_runtime(activity_engine), what=[table], directory=tmp_path / "fast", comma=comma, basename=table
        )
        slow = export(
            cli_runtime(activity_engine),
            what=[table],
            directory=tmp_path / "slow",
            comma=comma,
            basename=table,
            sql_csv=False,
        )
        assert fast.rows == slow.rows
        assert fast.files[0].read_bytes() == slow.files[0].read_bytes(), table
    delimiter = "," if comma else ";"
    rows = _read_csv(tmp_path / "fast" / "touches.csv", delimiter=delimiter, bom=not comma)
    assert [row["notas"] for row in rows[: len(tricky)]] == [
        "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value for value in tricky
    ]
    assert {row["vendedor"] for row in rows if row["vendedor_id"] == "2"} == {'Silva; "Ana"'}
    leads = _read_csv(tmp_path / "fast" / "leads.csv", delimiter=delimiter, bom=not comma)
    assert (leads[2]["empresa"], leads[2]["eliminado"], leads[0]["eliminado"]) == (
        "A, B\nC",
        "sim",
        "não",
    )
