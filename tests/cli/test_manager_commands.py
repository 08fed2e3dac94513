"""``cadencia report`` and ``cadencia export``: names, words and safe cells for the operator."""

from __future__ import annotations

import csv
import io
import re
import zipfile
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import text

from bot.domain.vocabulary import Channel, Outcome, Stage
from bot.storage.db import make_engine, session_scope, upgrade_database
from tests.cli.test_cli import cadencia
from tests.services.activity import populate

CODES = {c.value for c in (*Stage, *Channel, *Outcome)}
FORMULAS = ('=HYPERLINK("http://evil.example","clique")', "+cmd|' /C calc'!A0", "-1+1", "@SUM(A1:A9)")
PERIOD = ("--from", "2025-03-01", "--to", "2025-06-30")


@pytest.fixture(scope="module")
def database(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A small team's activity; the rep #2 is "Gestora Lima", lead #1 was imported with formulas."""
    url = f"sqlite:///{tmp_path_factory.mktemp('cli') / 'team.db'}"
    engine = make_engine(url)
    upgrade_database(engine)
    populate(engine, 40, n_reps=2, seed=3, keep=False)
    with session_scope(engine) as session:
        session.execute(text("UPDATE members SET first_name = 'Gestora', full_name = 'Gestora Lima' WHERE id = 2"))
        session.execute(
            text(
                "UPDATE leads SET company = :a, city = :b, contact_name = :c, contact_role = :d, cnpj = :cnpj"
                " WHERE id = 1"
            ),
            {"a": FORMULAS[0], "b": FORMULAS[1], "c": FORMULAS[2], "d": FORMULAS[3], "cnpj": "11222333000181"},
        )
    engine.dispose()
    return url


def test_report_for_a_rep_names_her(database: str) -> None:
    result = cadencia("report", "--rep", "Gestora", *PERIOD, env={"DATABASE_URL": database})
    assert result.returncode == 0, result.stderr
    assert "vendedor: Gestora Lima" in result.stdout and "vendedor=" not in result.stdout
    english = cadencia("report", "--rep", "Gestora", "--lang", "en", *PERIOD, env={"DATABASE_URL": database})
    assert "rep: Gestora Lima" in english.stdout and english.stdout.startswith("Report ")


@pytest.mark.parametrize("lang", ["pt", "en"])
def test_the_terminal_report_has_no_codes_and_whole_headers(database: str, lang: str) -> None:
    result = cadencia("report", "--lang", lang, *PERIOD, env={"DATABASE_URL": database})
    assert result.returncode == 0, result.stderr
    out = result.stdout
    tokens = set(re.findall(r"[\w-]+", out))
    english_words = {"lost"} if lang == "en" else set()
    assert not (CODES - english_words) & tokens, (CODES - english_words) & tokens
    assert not {"True", "False"} & tokens
    assert not re.search(r"\d{4}-W\d{2}", out)
    assert ("semana de " if lang == "pt" else "week of ") in out
    assert ("Em cadência" if lang == "pt" else "In cadence") in out


def _csv(path: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(path.read_bytes().decode("utf-8-sig")), delimiter=";"))


@pytest.mark.parametrize("lang", ["pt", "en"])
def test_a_csv_export_neutralises_formulas_and_shows_words(database: str, tmp_path: Path, lang: str) -> None:
    engine = make_engine(database)
    with session_scope(engine) as session:  # the recount: every lead holding a contact, and every added one
        typed = " OR ".join(f"contact_{f} <> ''" for f in ("name", "role", "phone", "email", "linkedin"))
        leads_with_one = session.execute(text(f"SELECT count(*) FROM leads WHERE {typed}")).scalar_one()
        added = session.execute(text("SELECT count(*) FROM lead_contacts WHERE source <> 'lead'")).scalar_one()
    engine.dispose()
    result = cadencia("export", "tudo", "--lang", lang, "-o", str(tmp_path), env={"DATABASE_URL": database})
    assert result.returncode == 0, result.stderr
    assert ("Exportação pronta" if lang == "pt" else "Export ready") in result.stdout
    (archive,) = tmp_path.glob("*.zip")
    with zipfile.ZipFile(archive) as zipped:
        zipped.extractall(tmp_path)
    (leads_file,) = tmp_path.glob("*_leads.csv")
    (touches_file,) = tmp_path.glob("*_toques.csv")
    (contacts_file,) = tmp_path.glob("*_contatos.csv")  # "tudo" has every contact too
    assert leads_with_one > 0 and len(_csv(contacts_file)) == leads_with_one + added
    leads, touches = _csv(leads_file), _csv(touches_file)
    hostile = next(row for row in leads if row["id"] == "1")
    assert [hostile[c] for c in ("empresa", "cidade", "contato", "cargo")] == ["'" + f for f in FORMULAS]
    assert (hostile["cnpj"], hostile["cnpj_digitos"]) == ("11.222.333/0001-81", "11222333000181")
    for rows, columns in (
        (touches, ("canal", "resultado", "tipo_passo", "papel_contato", "intencao_compra")),
        (leads, ("etapa", "eliminado", "cadencia", "inscricao_estadual")),
    ):
        for column in columns:
            cells = {row[column] for row in rows}
            assert not cells & (CODES | {"True", "False"}), (column, cells & CODES)
    assert {row["eliminado"] for row in leads} <= ({"sim", "não"} if lang == "pt" else {"yes", "no"})


def test_an_xlsx_export_keeps_the_text_as_typed(database: str, tmp_path: Path) -> None:
    result = cadencia("export", "leads", "--format", "xlsx", "-o", str(tmp_path), env={"DATABASE_URL": database})
    assert result.returncode == 0, result.stderr
    (path,) = tmp_path.glob("*.xlsx")
    rows = list(openpyxl.load_workbook(path)["leads"].iter_rows(values_only=True))
    header = rows[0]
    hostile = next(row for row in rows[1:] if row[0] == 1)
    assert [hostile[header.index(c)] for c in ("empresa", "cidade", "contato", "cargo")] == list(FORMULAS)
    assert hostile[header.index("cnpj")] == "11.222.333/0001-81"


def test_the_cli_counts_days_and_writes_times_in_the_default_timezone(tmp_path: Path) -> None:
    """``DEFAULT_TIMEZONE=America/Manaus``: a call at 23:30 in Manaus (00:30 of the next day in
    São Paulo) is on the 10th, in the report and in the export, which says its zone."""
    from datetime import UTC, datetime
    from zoneinfo import ZoneInfo

    from bot.storage.models import Lead, Member, Touch

    url = f"sqlite:///{tmp_path / 'manaus.db'}"
    engine = make_engine(url)
    upgrade_database(engine)
    late = datetime(2026, 3, 10, 23, 30, tzinfo=ZoneInfo("America/Manaus")).astimezone(UTC)
    with session_scope(engine) as session:
        session.add(Member(id=1, telegram_id=1, role="rep", first_name="Ana", created_at=late))
        session.flush()
        session.add(Lead(id=1, owner_id=1, company="Alfa", company_key="alfa", created_at=late, updated_at=late))
        session.flush()
        session.add(
            Touch(
                lead_id=1, rep_id=1, channel="phone", outcome="no_answer", playbook_version="1.0",
                playbook_fingerprint="fp", happened_at=late, recorded_at=late,
            )
        )
    engine.dispose()
    day = ("--from", "2026-03-10", "--to", "2026-03-10")
    manaus = {"DATABASE_URL": url, "DEFAULT_TIMEZONE": "America/Manaus"}

    exported = cadencia("export", "toques", *day, "-o", str(tmp_path / "manaus"), env=manaus)
    assert exported.returncode == 0, exported.stderr
    assert "Exportação pronta (toques: 1). Horários no fuso America/Manaus." in exported.stdout
    (touches,) = (tmp_path / "manaus").glob("*.csv")
    assert [row["data_hora"] for row in _csv(touches)] == ["2026-03-10 23:30:00"]
    report = cadencia("report", *day, env=manaus)
    assert report.returncode == 0, report.stderr

    in_sao_paulo = cadencia("export", "toques", *day, "-o", str(tmp_path / "sp"), env={"DATABASE_URL": url})
    assert "Exportação pronta (toques: 0). Horários no fuso America/Sao_Paulo." in in_sao_paulo.stdout
    assert _calls(report.stdout) == 1 and _calls(cadencia("report", *day, env={"DATABASE_URL": url}).stdout) == 0


def _calls(report: str) -> int:
    return int(re.search(r"ligações feitas +(\d+)", report).group(1))  # type: ignore[union-attr]
