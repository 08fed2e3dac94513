"""Lead import: formats, encodings, every class of bad row, de-duplication and assignment."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import Engine, insert
from sqlmodel import Session, col, select

from bot.domain.playbook.model import Playbook
from bot.domain.scoring import compile_icp, score
from bot.services.columns import canonical_field
from bot.services.imports import Assignment, ImportFailed, ImportResult, import_bytes, read_csv
from bot.services.leads import company_key, facts_of
from bot.storage.models import ImportBatch, Lead, StageChange
from tests.services import import_scenario as scenario
from tests.support.runtimes import cli_runtime

GOOD_CNPJ = "11.222.333/0001-81"
OTHER_CNPJ = "11.444.777/0001-61"


def _csv(rows: list[list[str]], *, delimiter: str = ";", encoding: str = "utf-8-sig") -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter).writerows(rows)
    return buffer.getvalue().encode(encoding)


HEADER = ["Empresa", "CNPJ", "CNAE", "UF", "Funcionários", "Faturamento", "Filiais", "Vendedor"]


def _leads(engine: Engine) -> list[Lead]:
    with Session(engine) as session:
        return list(session.exec(select(Lead).order_by(col(Lead.id))))


def test_a_good_row_looks_like_a_lead_created_in_the_chat(team: Engine, playbook: Playbook) -> None:
    raw = _csv(
        [
            HEADER,
            [
                "Transportes São João Ltda.",
                GOOD_CNPJ,
                "4930-2/02",
                "SP",
                "120",
                "4,8 mi",
                "2",
                "ana",
            ],
        ]
    )
    result = import_bytes(
        cli_runtime(team),
        raw,
        "leads.csv",
        playbook=playbook,
        assignment=Assignment(),
        campaign="Logística",
        member_id=1,
    )
    assert (result.imported, result.problems) == (1, [])
    [lead] = _leads(team)
    assert lead.company == "Transportes São João Ltda."
    assert lead.company_key == company_key(lead.company) == "transportes sao joao"
    assert (lead.cnpj, lead.cnae, lead.uf) == ("11222333000181", "4930202", "SP")
    assert (lead.headcount_low, lead.headcount_high, lead.revenue_low, lead.branches) == (
        120,
        120,
        4_800_000,
        2,
    )
    assert lead.owner_id == 2 and lead.created_by == 1
    assert (lead.stage, lead.source, lead.campaign) == ("new", "import", "Logística")
    assert lead.icp_score is not None and lead.icp_tier and lead.sales_model
    assert lead.scored_with == playbook.fingerprint
    with Session(team) as session:
        [change] = session.exec(select(StageChange)).all()
        assert (change.lead_id, change.to_stage, change.rep_id) == (lead.id, "new", 2)
        assert change.playbook_version == playbook.version
        [batch] = session.exec(select(ImportBatch)).all()
        assert (batch.total_rows, batch.imported, batch.rejected, batch.member_id) == (1, 1, 0, 1)
        assert batch.finished_at is not None


def test_every_class_of_bad_row_is_reported_and_the_rest_imported(team: Engine, playbook: Playbook) -> None:
    with team.begin() as connection:
        connection.execute(
            insert(Lead),
            [
                dict(
                    owner_id=2,
                    company="Já Existe SA",
                    company_key=company_key("Já Existe SA"),
                    uf="RJ",
                    cnpj="11444777000161",
                )
            ],
        )
    rows = [
        HEADER,
        ["Boa Um", "", "6201-5/01", "SP", "50", "", "", "ana"],  # 2 ok
        ["CNAE Ruim", "", "9999", "SP", "", "", "", "ana"],  # 3 bad CNAE
        ["UF Ruim", "", "", "XX", "", "", "", "ana"],  # 4 bad UF
        ["CNPJ Ruim", "11.222.333/0001-82", "", "SP", "", "", "", "ana"],  # 5 bad CNPJ
        ["Negativa", "", "", "SP", "-5", "", "-2", "ana"],  # 6 negative numbers
        ["", "", "6201-5/01", "SP", "", "", "", "ana"],  # 7 no company
        ["Boa Um Ltda", "", "", "SP", "", "", "", "bruno"],  # 8 duplicate in file
        ["Outro Nome", OTHER_CNPJ, "", "SP", "", "", "", "bruno"],  # 9 duplicate in DB (CNPJ)
        ["Ja existe", "", "", "RJ", "", "", "", "bruno"],  # 10 duplicate in DB (name+UF)
        ["Ja existe", "", "", "MG", "", "", "", "bruno"],  # 11 ok: other UF
        ["Sem Dono", "", "", "SP", "", "", "", "zé ninguém"],  # 12 unknown rep
        [],  # 13 blank: skipped
        ["Boa Dois", "", "", "PR", "", "", "", "3000"],  # 14 ok (telegram id)
    ]
    result = import_bytes(cli_runtime(team), _csv(rows), "lista.csv", playbook=playbook, assignment=Assignment())
    reasons = {p.row: p.reason for p in result.problems}
    assert result.imported == 3
    assert {p.row for p in result.duplicates} == {8, 9, 10}
    assert {p.row for p in result.rejected} == {3, 4, 5, 6, 7, 12}
    assert "CNAE" in reasons[3]
    assert "UF 'XX' não existe" in reasons[4]
    assert "dígitos verificadores" in reasons[5]
    assert "negativo" in reasons[6] and "filiais" in reasons[6]
    assert reasons[7] == "empresa em branco"
    assert reasons[8] == "duplicada da linha 2"
    assert reasons[9] == "já existe no banco (mesmo CNPJ)" and result.updatable == [9]
    assert reasons[10] == "já existe no banco (mesma empresa e UF)"
    assert "zé ninguém" in reasons[12]
    assert {(lead.company, lead.owner_id) for lead in _leads(team)[1:]} == {
        ("Boa Um", 2),
        ("Ja existe", 3),
        ("Boa Dois", 3),
    }
    # The file of rejected rows (duplicates are counted, not rejected): original columns + motivo.
    back = list(csv.reader(io.StringIO(result.rejected_csv().decode("utf-8-sig")), delimiter=";"))
    assert back[0] == ["linha", *HEADER, "motivo"]
    assert back[1][:3] == ["3", "CNAE Ruim", ""] and "CNAE" in back[1][-1]
    assert [int(row[0]) for row in back[1:]] == [3, 4, 5, 6, 7, 12]
    summary = result.summary()
    assert "Rejeitadas: 6" in summary and "Duplicadas (ignoradas): 3" in summary
    assert "12 linha(s) lida(s)" in summary and (result.imported, result.updated) == (3, 0)  # 3 + 0 + 3 + 6


@pytest.mark.parametrize(
    ("delimiter", "encoding"),
    [(";", "latin-1"), (",", "utf-8"), (";", "utf-8-sig"), ("\t", "cp1252")],
)
def test_delimiters_and_encodings(team: Engine, playbook: Playbook, delimiter: str, encoding: str) -> None:
    raw = _csv(
        [["Razão Social", "Estado", "Responsável"], ["Padaria Pão de Açúcar", "São Paulo", "Ana"]],
        delimiter=delimiter,
        encoding=encoding,
    )
    result = import_bytes(cli_runtime(team), raw, "x.csv", playbook=playbook, assignment=Assignment())
    assert result.imported == 1, result.summary()
    [lead] = _leads(team)
    assert (lead.company, lead.uf, lead.owner_id) == ("Padaria Pão de Açúcar", "SP", 2)


def test_latin1_is_detected() -> None:
    sheet = read_csv("Empresa;Cidade\nAçaí Ltda;São Paulo\n".encode("latin-1"))
    assert sheet.encoding in ("cp1252", "latin-1") and sheet.delimiter == ";"
    assert list(sheet.rows) == [(2, ["Açaí Ltda", "São Paulo"])]


def test_xlsx_input(team: Engine, playbook: Playbook, tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Company", "Tax ID", "State", "Employees", "Owner"])
    sheet.append(["Acme Brasil", 11222333000181, "RJ", 250, "@bruno"])  # a CNPJ typed as a number
    sheet.append(["Beta", None, "SC", 12.0, "Ana Lima"])
    sheet.append(["Gama", None, "Narnia", None, "Ana Lima"])
    path = tmp_path / "leads.xlsx"
    book.save(path)
    result = import_bytes(
        cli_runtime(team), path.read_bytes(), "leads.xlsx", playbook=playbook, assignment=Assignment()
    )
    assert result.imported == 2 and [p.row for p in result.rejected] == [4]
    acme, beta = _leads(team)
    assert (acme.cnpj, acme.uf, acme.headcount_low, acme.owner_id) == (
        "11222333000181",
        "RJ",
        250,
        3,
    )
    assert (beta.headcount_low, beta.owner_id) == (12, 2)


def test_round_robin_and_by_uf(team: Engine, playbook: Playbook) -> None:
    rows = [["Empresa", "UF"]] + [[f"Empresa {i}", uf] for i, uf in enumerate(["SP", "RJ", "SP", "MG"])]
    result = import_bytes(
        cli_runtime(team),
        _csv(rows),
        "a.csv",
        playbook=playbook,
        assignment=Assignment.parse(reps="ana, @bruno"),
    )
    assert result.imported == 4
    assert [lead.owner_id for lead in _leads(team)] == [2, 3, 2, 3]
    rows = [["Empresa", "UF"]] + [[f"Outra {i}", uf] for i, uf in enumerate(["SP", "RJ", "MG"])]
    result = import_bytes(
        cli_runtime(team),
        _csv(rows),
        "b.csv",
        playbook=playbook,
        assignment=Assignment.parse(by_uf="SP=ana,RJ=bruno"),
    )
    assert result.imported == 2 and result.rejected[0].reason == "nenhum vendedor para a UF MG"
    assert [lead.owner_id for lead in _leads(team)[4:]] == [2, 3]
    with pytest.raises(ImportFailed, match="'carlos' não encontrado"):
        import_bytes(
            cli_runtime(team), _csv(rows), "c.csv", playbook=playbook, assignment=Assignment.parse(reps="carlos")
        )
    with pytest.raises(ImportFailed, match="UF=vendedor"):
        Assignment.parse(by_uf="SP")


def test_a_file_without_a_company_column_is_refused(team: Engine, playbook: Playbook) -> None:
    with pytest.raises(ImportFailed, match="coluna da empresa"):
        import_bytes(
            cli_runtime(team),
            _csv([["CNPJ", "UF"], [GOOD_CNPJ, "SP"]]),
            "x.csv",
            playbook=playbook,
            assignment=Assignment(),
        )


def test_twenty_thousand_rows_with_progress(team: Engine, playbook: Playbook) -> None:
    rows = [["Empresa", "CNAE", "UF", "Funcionários", "Vendedor"]]
    ufs = ["SP", "RJ", "MG", "PR"]
    rows += [
        [f"Empresa {i}", "6201-5/01", ufs[i % 4], str(10 + i % 500), "ana" if i % 2 else "bruno"] for i in range(20_000)
    ]
    rows[100][2] = "XX"
    seen: list[tuple[int, int]] = []
    result = import_bytes(
        cli_runtime(team),
        _csv(rows),
        "big.csv",
        playbook=playbook,
        assignment=Assignment(),
        progress=lambda done, total: seen.append((done, total)),
    )
    assert result.imported == 19_999 and [p.row for p in result.rejected] == [101]
    assert seen[-1] == (20_000, 20_000) and len(seen) > 20  # (its speed: bench/, not a test)


# ------------------------------------------------------------------------------ same rules as /novo, update


def _import(engine: Engine, playbook: Playbook, raw: bytes, name: str, **options: object) -> ImportResult:
    return import_bytes(
        cli_runtime(engine),
        raw,
        name,
        playbook=playbook,
        assignment=Assignment(whole_team=True),
        **options,  # type: ignore[arg-type]
    )


def _by_company(engine: Engine) -> dict[str, Lead]:
    return {lead.company: lead for lead in _leads(engine)}


def test_the_mixed_file_counts_add_up_and_rejects_with_novos_words(team: Engine, playbook: Playbook) -> None:
    _import(team, playbook, scenario.SEED, "base.csv")
    result = _import(team, playbook, scenario.MIXED, "mista.csv")
    counts = result.counts
    assert scenario.counts_in(result.summary()) == scenario.COUNTS
    assert counts.imported + counts.updated + counts.duplicates + counts.rejected == counts.total == 8
    assert {p.row: p.reason for p in result.rejected} == scenario.REJECTED
    reasons = {p.row: p.reason for p in result.duplicates}
    assert reasons == {
        4: "duplicada da linha 2",
        7: "já existe no banco (mesmo CNPJ)",
        8: "já existe no banco (mesma empresa e UF)",
        9: "já existe no banco (mesmo CNPJ)",
    }
    assert result.updatable == [7, 9]
    assert "2 duplicada(s) têm o CNPJ de um lead existente" in result.summary()


def test_update_fills_what_is_missing_scores_again_and_never_overwrites(team: Engine, playbook: Playbook) -> None:
    _import(team, playbook, scenario.SEED, "base.csv")
    before = _by_company(team)
    known, complete = before["Já Cadastrada SA"], before["Completa Ltda"]
    with Session(team) as session:  # the rep moved it on meanwhile: an update must not move it back
        stored = session.get(Lead, known.id)
        assert stored is not None
        stored.stage = "contacted"
        session.add(stored)
        session.commit()

    result = _import(team, playbook, scenario.MIXED, "mista.csv", update=True)

    assert scenario.counts_in(result.summary()) == scenario.COUNTS_UPDATED
    assert result.updated_rows == [7] and result.updatable == []
    assert {p.row: p.reason for p in result.duplicates}[9] == "já existe no banco (mesmo CNPJ); nada a completar"
    after = _by_company(team)
    filled, untouched = after["Já Cadastrada SA"], after["Completa Ltda"]
    # Filled in: CNAE, headcount, revenue, score, notes; kept: company, UF (the row said SP), owner, stage.
    assert (filled.cnae, filled.headcount_low, filled.revenue_low, filled.financial_score) == (
        "4930202",
        120,
        18_000_000,
        780,
    )
    assert filled.notes == "Ligar depois das 14h"
    assert (filled.company, filled.uf, filled.owner_id, filled.stage) == (
        "Já Cadastrada SA",
        "RJ",
        known.owner_id,
        "contacted",
    )
    # Scored again, and the new score is what the ICP says of the filled facts (recounted here).
    assert known.icp_tier == "D" and filled.icp_tier != known.icp_tier
    recount = score(facts_of(filled), compile_icp(playbook.icp))
    assert (filled.icp_score, filled.icp_tier) == (recount.score, recount.tier.value)
    assert filled.updated_at != known.updated_at or filled.icp_score != known.icp_score
    # A lead that missed nothing the row offers is left exactly as it was.
    assert (untouched.icp_score, untouched.headcount_low, untouched.updated_at) == (
        complete.icp_score,
        complete.headcount_low,
        complete.updated_at,
    )
    with Session(team) as session:
        batch = session.exec(select(ImportBatch).order_by(col(ImportBatch.id).desc())).first()
        changes = session.exec(select(StageChange).where(StageChange.lead_id == filled.id)).all()
    assert batch is not None and (batch.imported, batch.updated, batch.duplicates, batch.rejected) == (2, 1, 3, 2)
    assert len(changes) == 1  # its "new" stage change only: an update logs no stage move


def test_an_update_in_two_steps_counts_like_one(team: Engine, playbook: Playbook) -> None:
    """The chat imports first and updates on a tap; the counts are those of ``--update``."""
    _import(team, playbook, scenario.SEED, "base.csv")
    first = _import(team, playbook, scenario.MIXED, "mista.csv")
    later = _import(team, playbook, scenario.MIXED, "mista.csv", update=True, only_rows=first.updatable)
    assert (later.total, later.updated, [p.row for p in later.duplicates]) == (2, 1, [9])
    counts = first.counts.after_update(len(first.updatable), later)
    assert scenario.counts_in("\n".join(counts.lines("mista.csv"))) == scenario.COUNTS_UPDATED


def test_headers_as_sales_teams_write_them(team: Engine, playbook: Playbook) -> None:
    synonyms = {
        "Nº Funcionários": "headcount",
        "nº. de funcionários": "headcount",
        "Número de Funcionários": "headcount",
        "N_FUNCIONARIOS": "headcount",
        "Colaboradores": "headcount",
        "Employees": "headcount",
        "Score": "financial_score",
        "Score Serasa": "financial_score",
        "SCORE FINANCEIRO": "financial_score",
        "Observações": "notes",
        "Obs.": "notes",
        "Notas": "notes",
        "Nome Fantasia": "trade_name",
        "Trade name": "trade_name",
        "Site": "website",
        "Website": "website",
        "E-mail": "contact_email",
        "Razão Social": "company",
    }
    assert {header: canonical_field(header) for header in synonyms} == synonyms
    assert canonical_field("Cor favorita") is None

    _import(team, playbook, scenario.MIXED, "mista.csv")
    acai = _by_company(team)["Transportes Açaí Ltda"]
    assert (acai.trade_name, acai.website, acai.notes) == ("Açaí Log", "https://www.acai.com.br", "Indicação do Zé")
    assert (acai.headcount_low, acai.financial_score, acai.contact_email, acai.contact_phone) == (
        120,
        780,
        "joana@acai.com.br",
        "+55 11 98765-4321",
    )


def test_a_sheet_with_only_a_trade_name_uses_it_as_the_company(team: Engine, playbook: Playbook) -> None:
    result = _import(team, playbook, _csv([["Nome fantasia", "UF"], ["Padaria Central", "MG"]]), "x.csv")
    assert result.imported == 1 and _leads(team)[0].company == "Padaria Central"


def test_the_rejected_file_is_safe_to_open_in_a_spreadsheet(team: Engine, playbook: Playbook) -> None:
    rows = [["Empresa", "=Motivo", "E-mail"], ['=HYPERLINK("http://x")', "@SUM(A1)", "-1+1"]]
    result = _import(team, playbook, _csv(rows), "x.csv")
    back = list(csv.reader(io.StringIO(result.rejected_csv().decode("utf-8-sig")), delimiter=";"))
    assert back[0] == ["linha", "Empresa", "'=Motivo", "E-mail", "motivo"]
    assert back[1][:4] == ["2", '\'=HYPERLINK("http://x")', "'@SUM(A1)", "'-1+1"]
    assert back[1][4].startswith("E-mail: E-mail inválido")


def test_with_the_whole_team_and_nobody_on_it_the_reason_says_how_to_add_someone(
    sqlite_engine: Engine, playbook: Playbook
) -> None:
    result = _import(sqlite_engine, playbook, _csv([["Empresa"], ["Acme"]]), "x.csv")
    assert [p.reason for p in result.rejected] == [
        "nenhum vendedor ativo na equipe: adicione um (convite no chat ou cadencia team add)"
    ]
