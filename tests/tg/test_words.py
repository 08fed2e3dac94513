"""Managers read words, not codes: reports and exports in Portuguese and English, and CSV cells
that a spreadsheet never runs as formulas."""

from __future__ import annotations

import io
import re
import zipfile

import openpyxl
import pytest

from bot.domain.vocabulary import Channel, Outcome, Role, Stage
from tests.tg.harness import BotUnderTest, Person
from tests.tg.test_manager import calls, cnpj, done, files_to, read_csv, says, sends_file

pytestmark = pytest.mark.filterwarnings("ignore:Tasks created via `Application.create_task`")

CODES = {c.value for c in (*Stage, *Channel, *Outcome)}
FORMULAS = ('=HYPERLINK("http://evil.example","clique")', "+cmd|' /C calc'!A0", "-1+1", "@SUM(A1:A9)")
HOSTILE = cnpj("998887770001")
HOSTILE_CSV = "\r\n".join(
    [
        "Empresa;CNPJ;CNAE;UF;Funcionários;Cidade;Contato;Cargo",
        f"{FORMULAS[0]};{HOSTILE};6201-5/01;SP;120;{FORMULAS[1]};{FORMULAS[2]};{FORMULAS[3]}",
    ]
).encode("utf-8")
#: Columns whose cells are words for codes (their raw code sits in the "…_codigo" column beside).
LABEL_COLUMNS = {
    "touches": ("passo", "tipo_passo", "canal", "resultado", "papel_contato", "intencao_compra"),
    "leads": ("inscricao_estadual", "etapa", "eliminado", "cadencia", "passo_atual"),
}


def _codes_in(cells: list[object]) -> set[str]:
    return {str(c) for c in cells if str(c) in CODES or str(c) in ("True", "False") or isinstance(c, bool)}


async def _manager_with_activity(bot: BotUnderTest, language_code: str) -> tuple[Person, Person]:
    manager = await bot.member("Gestora", role=Role.MANAGER, language_code=language_code)
    ana = await bot.member("Ana")
    await sends_file(bot, manager, "hostis.csv", HOSTILE_CSV, caption="vendedores=Ana")
    manager.replies()
    await calls(bot, ana, "Alfa Transportes")
    return manager, ana


def _csv_of(bot: BotUnderTest, person: Person) -> dict[str, list[dict[str, str]]]:
    """The tables of the last CSV export sent to ``person`` (one file or a zip of several)."""
    name, data = files_to(bot, person)[-1]
    if name.endswith(".zip"):
        archive = zipfile.ZipFile(io.BytesIO(data))
        return {n: read_csv(archive.read(n)) for n in archive.namelist()}
    return {name: read_csv(data)}


def _table(tables: dict[str, list[dict[str, str]]], word: str) -> list[dict[str, str]]:
    return next(rows for name, rows in tables.items() if name.endswith(f"_{word}.csv"))


@pytest.mark.parametrize(
    ("language_code", "no_answer", "ready"),
    [("pt-br", "Sem resposta", "Exportação pronta"), ("en", "No answer", "Export ready")],
)
async def test_a_csv_export_shows_words_formatted_ids_and_no_formula(
    bot: BotUnderTest, language_code: str, no_answer: str, ready: str
) -> None:
    manager, _ana = await _manager_with_activity(bot, language_code)
    await says(manager, "/exportar tudo")
    manager.sees(ready)
    tables = _csv_of(bot, manager)
    touches, leads = _table(tables, "toques"), _table(tables, "leads")

    (touch,) = touches
    assert touch["resultado"] == no_answer and touch["resultado_codigo"] == "no_answer"
    for name in LABEL_COLUMNS["touches"]:
        assert _codes_in([row[name] for row in touches]) == set(), name
    for name in LABEL_COLUMNS["leads"]:
        assert _codes_in([row[name] for row in leads]) == set(), name

    hostile = next(row for row in leads if "HYPERLINK" in row["empresa"])
    assert hostile["empresa"] == "'" + FORMULAS[0]
    assert (hostile["cidade"], hostile["contato"], hostile["cargo"]) == tuple("'" + f for f in FORMULAS[1:])
    assert hostile["cnpj"] == HOSTILE and hostile["cnpj_digitos"] == re.sub(r"\D", "", HOSTILE)
    assert (hostile["cnae"], hostile["cnae_codigo"]) == ("6201-5/01", "6201501")
    for rows in tables.values():  # no cell of any table starts like a formula
        assert not [v for row in rows for v in row.values() if v[:1] in ("=", "+", "@", "\t", "\r")]
        assert not [v for row in rows for v in row.values() if v.startswith("-") and not v.lstrip("-").isdigit()]


async def test_an_english_xlsx_export_keeps_the_text_as_typed_and_shows_words(bot: BotUnderTest) -> None:
    manager, _ana = await _manager_with_activity(bot, "en")
    await says(manager, "/exportar tudo xlsx")
    manager.sees("Export ready (touches: 1, leads: 2")
    ((_name, data),) = files_to(bot, manager)
    book = openpyxl.load_workbook(io.BytesIO(data))
    assert book.sheetnames == ["touches", "leads", "stage changes", "meetings", "contacts"]
    touches = list(book["touches"].iter_rows(values_only=True))
    leads = list(book["leads"].iter_rows(values_only=True))
    for rows, table in ((touches, "touches"), (leads, "leads")):
        header = rows[0]
        for name in LABEL_COLUMNS[table]:
            assert _codes_in([row[header.index(name)] for row in rows[1:]]) == set(), name
    header = touches[0]
    assert touches[1][header.index("resultado")] == "No answer"
    assert touches[1][header.index("canal")] == "Call"
    header = leads[0]
    hostile = next(row for row in leads[1:] if "HYPERLINK" in str(row[header.index("empresa")]))
    # XLSX cells are typed: the text stays exactly as typed, a string, never a formula.
    assert hostile[header.index("empresa")] == FORMULAS[0]
    assert [hostile[header.index(n)] for n in ("cidade", "contato", "cargo")] == list(FORMULAS[1:])
    assert hostile[header.index("eliminado")] in ("yes", "no")
    assert hostile[header.index("cnpj")] == HOSTILE


@pytest.mark.parametrize(
    ("language_code", "heading", "stage", "portuguese_left"),
    [("pt-br", "Relatório —", "Em cadência: 1", None), ("en", "Report —", "In cadence: 1", "Relatório")],
)
async def test_the_report_speaks_the_managers_language(
    bot: BotUnderTest, language_code: str, heading: str, stage: str, portuguese_left: str | None
) -> None:
    manager, _ana = await _manager_with_activity(bot, language_code)
    await says(manager, "/relatorio")
    report = manager.sees(heading)
    assert stage in report
    words = set(re.findall(r"[\w-]+", re.sub(r"<[^>]+>", " ", report)))
    assert not {code for code in CODES if "_" in code or code in ("prospecting", "phone")} & words
    assert not re.search(r"\d{4}-W\d{2}", report)
    if portuguese_left:
        assert portuguese_left not in report
    await done()
