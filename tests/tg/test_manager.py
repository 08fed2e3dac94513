"""Managers' side of the chat, as dialogues: importing a spreadsheet, /relatorio, /exportar.

These handlers run with ``block=False`` (long work must not hold other users' updates), so the
dialogues wait for them with :func:`done` before looking at what the bot said.
"""

from __future__ import annotations

import asyncio
import csv
import io
import os
import threading
import zipfile
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import openpyxl
import pytest
from sqlmodel import col, select, update

from bot.domain.lead_fields import LeadDraft
from bot.domain.vocabulary import Role
from bot.services import imports, leads
from bot.simulator import SentRequest
from bot.storage.models import ExportAudit, ImportBatch, Lead, Member
from bot.tg import export_chat, import_chat
from tests.services import import_scenario as scenario
from tests.services.import_scenario import cnpj
from tests.tg.harness import BotUnderTest, Person

PNG = b"\x89PNG"

# The harness processes updates without Application.start(); the manager handlers' tasks are
# awaited by `done()` below, which is what PTB warns nobody would do.
pytestmark = pytest.mark.filterwarnings("ignore:Tasks created via `Application.create_task`")


# ------------------------------------------------------------------------------ helpers


async def done() -> None:
    """Wait until every non-blocking handler has finished."""
    for _ in range(100):
        running = [t for t in asyncio.all_tasks() if "process_update_non_blocking" in t.get_name()]
        if not running:
            return
        await asyncio.wait(running, timeout=120)
    raise AssertionError("handlers still running")


async def says(person: Person, text: str) -> None:
    await person.says(text)
    await done()


async def taps(person: Person, label: str) -> None:
    await person.taps(label)
    await done()


async def sends_file(bot: BotUnderTest, person: Person, filename: str, data: bytes, caption: str | None = None) -> None:
    await bot.process(bot.updates.document(person.user, filename, data, caption=caption))
    await done()


def files_to(bot: BotUnderTest, person: Person, method: str = "sendDocument") -> list[tuple[str, bytes]]:
    """(filename, bytes) of every document (or photo) the bot sent ``person``."""
    sent: list[SentRequest] = [
        r for r in bot.api.requests_for(method) if str(r.params.get("chat_id")) == str(person.id) and r.error is None
    ]
    key = "document" if method == "sendDocument" else "photo"
    return [r.files[key] for r in sent]


ACAI = cnpj("112223330001")
IPE = cnpj("445556660001")
JATOBA = cnpj("778889990001")
ALREADY = cnpj("123123120001")

LATIN1_CSV = "\r\n".join(
    [
        "Empresa;CNPJ;UF;Funcionários;Faturamento;Cidade;Contato",
        f"Transportes Açaí Ltda;{ACAI};SP;120;18 mi;São Paulo;Joana",  # 2 imported
        f"Logística Ipê;{IPE};PR;80;9 mi;Curitiba;Márcio",  # 3 imported
        f"Transportes Açaí Ltda;{ACAI};SP;120;18 mi;São Paulo;Joana",  # 4 duplicate of line 2
        "Empresa Errada;11.111.111/1111-11;SP;50;;;",  # 5 bad CNPJ
        f";{JATOBA};MG;10;;;",  # 6 no company
        "Comércio Jatobá;;ZZ;10;;;",  # 7 bad UF
        f"Já Cadastrada SA;{ALREADY};RJ;300;;;",  # 8 already in the database
    ]
).encode("latin-1")

FULL = {
    "company": "Transportes Horizonte Ltda",
    "cnae": "4930-2/02",
    "uf": "PR",
    "headcount": "120",
    "revenue": "18 mi",
    "registration": "ativa",
    "contact_name": "Mariana Souza",
    "contact_phone": "+55 41 99999-0000",
    "campaign": "Logística Sul",
}


def lead_for(bot: BotUnderTest, person: Person, **answers: str) -> int:
    assert person.member is not None
    return leads.create_lead(bot.runtime, person.member, LeadDraft.read({**FULL, **answers})).lead.id or 0


async def calls(bot: BotUnderTest, person: Person, company: str) -> None:
    """``person`` creates a lead, starts its cadence and logs an unanswered call."""
    lead_id = lead_for(bot, person, company=company)
    await person.says(f"/lead {lead_id}")
    await person.taps("Iniciar cadência")
    await person.taps("Não atendeu")
    person.replies()


def owners(bot: BotUnderTest) -> dict[str, str]:
    with bot.runtime.session() as session:
        rows = session.exec(select(Lead.company, Member.first_name).join(Member, col(Lead.owner_id) == Member.id))
        return dict(rows.all())


async def team_of_three(bot: BotUnderTest) -> tuple[Person, Person, Person]:
    helena = await bot.member("Helena", role=Role.MANAGER)
    ana = await bot.member("Ana")
    bruno = await bot.member("Bruno")
    return helena, ana, bruno


def read_csv(data: bytes) -> list[dict[str, str]]:
    assert data.startswith(b"\xef\xbb\xbf"), "UTF-8 with BOM, so Excel in Portuguese opens it right"
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))


# ------------------------------------------------------------------------------ import


async def test_a_manager_imports_a_latin1_semicolon_csv_and_gets_the_rejected_rows_back(bot: BotUnderTest) -> None:
    helena, ana, _bruno = await team_of_three(bot)
    lead_for(bot, ana, company="Já Cadastrada SA", cnpj=ALREADY, uf="RJ")

    await sends_file(bot, helena, "lista_novembro.csv", LATIN1_CSV, caption="campanha=Novembro")

    summary = helena.sees("Importação de lista_novembro.csv: 7 linha(s) lida(s)")
    assert "Importadas: 2" in summary and "Duplicadas (ignoradas): 2" in summary and "Rejeitadas: 3" in summary
    assert "linha 5: CNPJ" in summary and "linha 4" not in summary  # duplicates are counted, not listed
    assert "Linhas rejeitadas, com o motivo: lista_novembro_rejeitadas.csv" in summary
    assert [b[0] for b in helena.all_buttons()] == ["🔄 Atualizar os 1 existentes"]  # line 8: a stored CNPJ
    ((name, data),) = files_to(bot, helena)
    assert name == "lista_novembro_rejeitadas.csv"
    rows = read_csv(data)
    reasons = {int(r["linha"]): r["motivo"] for r in rows}
    assert sorted(reasons) == [5, 6, 7]  # only rejections, each with its reason
    assert "CNPJ" in reasons[5] and "dígitos verificadores" in reasons[5]
    assert reasons[6] == "empresa em branco"
    assert "UF 'ZZ' não existe" in reasons[7]
    assert next(r for r in rows if r["linha"] == "7")["Empresa"] == "Comércio Jatobá"  # Latin-1 read right

    with bot.runtime.session() as session:
        imported = session.exec(select(Lead).where(Lead.source == "import")).all()
        batch = session.exec(select(ImportBatch)).one()
    assert {lead.company for lead in imported} == {"Transportes Açaí Ltda", "Logística Ipê"}
    assert {lead.campaign for lead in imported} == {"Novembro"}
    assert all(lead.created_at == bot.clock() and lead.icp_tier for lead in imported)
    assert (batch.imported, batch.duplicates, batch.rejected, batch.member_id) == (2, 2, 3, helena.member.id)  # type: ignore[union-attr]


async def test_one_mixed_file_in_the_chat_rejects_what_novo_refuses_and_updates_on_a_tap(bot: BotUnderTest) -> None:
    helena, ana, _bruno = await team_of_three(bot)
    # /novo's own answer to the e-mail and the phone that rows 5 and 6 of the file carry:
    await ana.says("/novo")
    ana.replies()
    await ana.says("empresa: Fulano Comércio\ne-mail: fulano@semdominio\ntelefone: 1234")
    said = ana.replies()[0]
    chat_refusals = [line.removeprefix("• ") for line in said.splitlines() if line.startswith("• ")]
    assert chat_refusals == [scenario.EMAIL_REFUSAL, scenario.PHONE_REFUSAL]
    await ana.says("/cancelar")

    await sends_file(bot, helena, "base.csv", scenario.SEED)
    helena.sees("Importadas: 3")
    await sends_file(bot, helena, "mista.csv", scenario.MIXED)

    summary = helena.sees("Importação de mista.csv: 8 linha(s) lida(s).")
    assert scenario.counts_in(summary) == scenario.COUNTS
    assert f"linha 5: {scenario.EMAIL_REFUSAL}" in summary and f"linha 6: {scenario.PHONE_REFUSAL}" in summary
    ((name, data),) = files_to(bot, helena)
    assert name == "mista_rejeitadas.csv"
    assert scenario.rejected_rows(data) == scenario.REJECTED == {5: chat_refusals[0], 6: chat_refusals[1]}
    assert "'+Beltrano Serviços" in data.decode("utf-8-sig")  # a cell Excel would run as a formula

    await taps(helena, "Atualizar os 2 existentes")
    updated = helena.sees("Importação de mista.csv: 8 linha(s) lida(s).")
    assert scenario.counts_in(updated) == scenario.COUNTS_UPDATED  # what `cadencia import --update` says
    with bot.runtime.session() as session:
        stored = session.exec(select(Lead).where(Lead.company == "Já Cadastrada SA")).one()
        batches = session.exec(select(ImportBatch).order_by(col(ImportBatch.id))).all()
    filled = (stored.cnae, stored.uf, stored.headcount_low, stored.notes)
    assert filled == ("4930202", "RJ", 120, "Ligar depois das 14h")  # filled in; the known UF stays
    assert [(b.imported, b.updated) for b in batches] == [(3, 0), (2, 0), (0, 1)]

    await taps(helena, "Atualizar os 2 existentes")  # a second tap has nothing left to do
    assert helena.alerts()[-1] == "Essa importação é antiga. Envie a planilha de novo."


async def test_an_english_manager_gets_the_update_button_in_english(bot: BotUnderTest) -> None:
    helen = await bot.member("Helen", role=Role.MANAGER, language_code="en")
    await bot.member("Ana")
    await sends_file(bot, helen, "base.csv", scenario.SEED)
    await sends_file(bot, helen, "mista.csv", scenario.MIXED)
    assert [b[0] for b in helen.all_buttons()] == ["🔄 Update the 2 existing ones"]


async def test_trade_name_website_and_notes_show_on_the_lead_card_and_in_the_export(bot: BotUnderTest) -> None:
    helena, ana, _bruno = await team_of_three(bot)
    await sends_file(bot, helena, "mista.csv", scenario.MIXED)
    helena.replies()
    await ana.says("/lead Transportes Açaí")
    card = ana.sees("Transportes Açaí Ltda")
    assert "Nome fantasia: Açaí Log" in card and "🌐 https://www.acai.com.br" in card
    assert "📝 Indicação do Zé" in card
    await says(helena, "/exportar leads")
    ((_, data),) = [f for f in files_to(bot, helena) if f[0].endswith(".csv") and "rejeitadas" not in f[0]]
    acai = next(row for row in read_csv(data) if row["empresa"] == "Transportes Açaí Ltda")
    assert (acai["nome_fantasia"], acai["site"], acai["observacoes"]) == (
        "Açaí Log",
        "https://www.acai.com.br",
        "Indicação do Zé",
    )


async def test_imported_leads_are_shared_round_robin_and_each_rep_sees_theirs(bot: BotUnderTest) -> None:
    helena, ana, bruno = await team_of_three(bot)
    paused = await bot.member("Carla")
    with bot.runtime.session() as session:
        carla = session.get(Member, paused.member.id)  # type: ignore[union-attr]
        assert carla is not None
        carla.paused = True  # on holiday: gets no imported leads
        session.add(carla)
    await sends_file(bot, helena, "lista.csv", LATIN1_CSV)

    assert owners(bot) == {"Transportes Açaí Ltda": "Ana", "Logística Ipê": "Bruno", "Já Cadastrada SA": "Ana"}
    await ana.says("/leads")
    said = ana.sees("Transportes Açaí Ltda")
    assert "Logística Ipê" not in said
    await bruno.says("/leads")
    said = bruno.sees("Logística Ipê")
    assert "Açaí" not in said


async def test_a_manager_imports_an_xlsx_with_a_rep_column(bot: BotUnderTest) -> None:
    helena, ana, _bruno = await team_of_three(bot)
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["Razão Social", "CNPJ", "Estado", "Colaboradores", "Vendedor", "Campanha"])
    sheet.append(["Armazéns Cerrado", int(ACAI.replace(".", "").replace("/", "").replace("-", "")), "GO", 150, "Bruno"])
    sheet.append(["Frota Pampa", IPE, "RS", 60, "Ana Silva", "Sul"])
    sheet.append(["Sem Dono", JATOBA, "SC", 40, "Zé Ninguém"])
    buffer = io.BytesIO()
    book.save(buffer)

    await sends_file(bot, helena, "planilha.xlsx", buffer.getvalue())

    summary = helena.sees("Importadas: 2", "Rejeitadas: 1", "linha 4: vendedor 'Zé Ninguém' não encontrado")
    assert "Duplicadas (ignoradas): 0" in summary
    assert owners(bot) == {"Armazéns Cerrado": "Bruno", "Frota Pampa": "Ana"}
    with bot.runtime.session() as session:
        cerrado = session.exec(select(Lead).where(Lead.company == "Armazéns Cerrado")).one()
    assert cerrado.cnpj == ACAI.replace(".", "").replace("/", "").replace("-", "")  # a number cell keeps its zeros
    await ana.says("/leads")
    assert "Armazéns" not in ana.sees("Frota Pampa")


async def test_the_caption_can_choose_the_reps(bot: BotUnderTest) -> None:
    helena, _ana, _bruno = await team_of_three(bot)
    await sends_file(bot, helena, "lista.csv", LATIN1_CSV, caption="vendedores=bruno")
    assert set(owners(bot).values()) == {"Bruno"}
    await sends_file(bot, helena, "outra.csv", b"empresa;uf\nNova Ltda;SP\n", caption="vendedores=ninguem")
    helena.sees("Não importei outra.csv: vendedor 'ninguem' não encontrado na equipe")


async def test_a_rep_cannot_import(bot: BotUnderTest) -> None:
    ana = await bot.member("Ana")
    await sends_file(bot, ana, "meus_leads.csv", LATIN1_CSV)
    ana.sees("Só gestores importam listas de leads.")
    assert owners(bot) == {}
    assert not files_to(bot, ana)


@pytest.mark.parametrize(
    ("filename", "data", "answer"),
    [
        ("programa.exe", b"MZ\x90\x00" + os.urandom(64), "envie uma planilha .csv ou .xlsx"),
        ("vazio.csv", b"", "Não importei vazio.csv: o arquivo está vazio"),
        ("so_titulos.csv", b"\r\n\r\n", "Não importei so_titulos.csv: o arquivo está vazio"),
        ("contatos.csv", b"nome do contato;telefone\nJoana;11999990000\n", "não achei a coluna da empresa"),
        ("quebrada.xlsx", b"PK\x03\x04" + os.urandom(200), "não consegui abrir a planilha"),
        ("enorme.csv", os.urandom(20 * 1024 * 1024 + 1), "passa de 20 MB"),
    ],
)
async def test_a_file_that_cannot_be_imported_gets_a_clear_message(
    bot: BotUnderTest, filename: str, data: bytes, answer: str
) -> None:
    helena = await bot.member("Helena", role=Role.MANAGER)
    await bot.member("Ana")
    await sends_file(bot, helena, filename, data)
    helena.sees(answer)
    assert owners(bot) == {}
    assert not files_to(bot, helena)


async def test_a_long_import_shows_progress_in_one_message_and_ends_with_the_summary(
    bot: BotUnderTest, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(import_chat, "PROGRESS_SECONDS", 0.0)  # every progress call may edit (every 500 rows)
    helena = await bot.member("Helena", role=Role.MANAGER)
    await bot.member("Ana")
    rows = ["empresa;uf"] + [f"Empresa Número {n};SP" for n in range(3000)]
    await sends_file(bot, helena, "grande.csv", "\n".join(rows).encode())

    sent = [r for r in bot.api.requests if r.method == "sendMessage" and "Importando grande.csv" in (r.text or "")]
    assert len(sent) == 1  # one status message…
    (status,) = [m for m in bot.api.messages_to(helena.id) if "Importadas: 3000" in (m.text or "")]
    edits = [r for r in bot.api.requests_for("editMessageText") if str(r.params.get("chat_id")) == str(helena.id)]
    assert {r.params["message_id"] for r in edits} == {status.message_id}  # …edited in place
    progress = [r for r in edits if (r.text or "").startswith("Importando…")]
    assert 1 <= len(progress) <= 3000 // imports.PROGRESS_EVERY  # never per row


async def test_progress_edits_are_throttled_to_about_one_a_second(bot: BotUnderTest) -> None:
    helena = await bot.member("Helena", role=Role.MANAGER)
    await helena.says("/ajuda")
    message = bot.api.messages_to(helena.id)[-1]
    progress = import_chat._Progress(message, asyncio.get_running_loop(), "Importando… %(done)s/%(total)s linhas")

    def import_rows() -> None:  # 5,000 progress calls in well under a second, from the worker thread
        for n in range(0, 50_000, 10):
            progress(n, 50_000)

    await asyncio.to_thread(import_rows)
    await progress.settle()
    assert progress.edits == 1


async def test_an_import_does_not_hold_up_the_rest_of_the_team(
    bot: BotUnderTest, monkeypatch: pytest.MonkeyPatch
) -> None:
    helena, _ana, bruno = await team_of_three(bot)
    release = threading.Event()
    real = imports.import_bytes

    def slow(*args: Any, **kwargs: Any) -> imports.ImportResult:
        assert release.wait(timeout=30), "the test never released the import"
        return real(*args, **kwargs)

    monkeypatch.setattr(imports, "import_bytes", slow)
    await bot.process(bot.updates.document(helena.user, "lista.csv", LATIN1_CSV))
    await asyncio.sleep(0.05)
    await bruno.says("/leads")  # answered while the import is still running
    bruno.sees("Seus leads")
    assert "Importadas" not in helena.sees("Importando lista.csv")
    release.set()
    await done()
    helena.sees("Importadas: 3")


# ------------------------------------------------------------------------------ /relatorio


async def test_a_manager_gets_the_team_report_with_a_funnel_chart_and_the_ranking_on_request(
    bot: BotUnderTest,
) -> None:
    helena, ana, bruno = await team_of_three(bot)
    await calls(bot, ana, "Alfa Transportes")
    await calls(bot, bruno, "Beta Cargas")
    await calls(bot, bruno, "Gama Fretes")

    await says(helena, "/relatorio")
    said = helena.sees("Relatório — 01/11/2026 a 23/11/2026", "Empresas que entraram: 3", "Ligações: 3")
    assert "Ana" not in said.split("\n")[0]  # the whole team, not one rep
    ((_, funnel),) = files_to(bot, helena, "sendPhoto")
    assert funnel.startswith(PNG)

    await taps(helena, "Ranking dos vendedores")
    photos = files_to(bot, helena, "sendPhoto")
    assert len(photos) == 2 and photos[1][1].startswith(PNG)

    await says(helena, "/relatorio semana ranking")
    assert len(files_to(bot, helena, "sendPhoto")) == 4  # funnel + leaderboard

    await says(helena, "/relatorio vendedor=Bruno")
    helena.sees("Bruno Silva", "Empresas que entraram: 2", "Ligações: 2")


async def test_a_rep_sees_only_their_own_numbers(bot: BotUnderTest) -> None:
    _helena, ana, bruno = await team_of_three(bot)
    await calls(bot, ana, "Alfa Transportes")
    await calls(bot, bruno, "Beta Cargas")
    await calls(bot, bruno, "Gama Fretes")

    await says(ana, "/relatorio")
    said = ana.sees("Ana Silva", "Empresas que entraram: 1", "Ligações: 1")
    assert "Ligações: 3" not in said and "Bruno" not in said
    assert "Ranking" not in " ".join(ana.buttons())
    assert files_to(bot, ana, "sendPhoto")[0][1].startswith(PNG)

    await says(ana, "/relatorio vendedor=Bruno")
    ana.sees("Você só pode ver os seus próprios números.")
    await says(ana, "/relatorio ranking")
    ana.sees("O ranking da equipe é só para gestores")
    assert len(files_to(bot, ana, "sendPhoto")) == 2  # the two funnels, no leaderboard

    await ana.presses_data("rp:0badc0de:rank")  # a forged ranking button
    await done()
    assert any("só para gestores" in a for a in ana.alerts())
    assert len(files_to(bot, ana, "sendPhoto")) == 2


async def test_an_english_rep_is_refused_another_reps_numbers_in_english(bot: BotUnderTest) -> None:
    await bot.member("Helena", role=Role.MANAGER)
    john = await bot.member("John", language_code="en")
    await bot.member("Bruno")

    await says(john, "/relatorio vendedor=Bruno")
    said = john.sees("You can only see your own numbers.")
    assert "Você" not in said


async def test_an_empty_period_says_so_without_a_chart(bot: BotUnderTest) -> None:
    helena = await bot.member("Helena", role=Role.MANAGER)
    await says(helena, "/relatorio 01/01/2020 31/01/2020")
    helena.sees("01/01/2020 a 31/01/2020", "Nenhuma atividade no período")
    assert files_to(bot, helena, "sendPhoto") == []
    await says(helena, "/relatorio vendedor=Fulano")
    helena.sees("Não encontrei Fulano no time.")


async def test_an_old_ranking_button_is_refused(bot: BotUnderTest) -> None:
    helena, ana, _ = await team_of_three(bot)
    await calls(bot, ana, "Alfa Transportes")
    await says(helena, "/relatorio")
    first = bot.api.messages_to(helena.id)[-2]  # the report text (the chart came after it)
    await says(helena, "/relatorio 7")
    await helena.taps("Ranking dos vendedores", message_id=first.message_id)
    await done()
    assert any("relatório é antigo" in a for a in helena.alerts())


# ------------------------------------------------------------------------------ /exportar


async def test_exports_csv_by_default_and_a_rep_gets_only_their_rows(bot: BotUnderTest) -> None:
    helena, ana, bruno = await team_of_three(bot)
    await calls(bot, ana, "Alfa Transportes")
    await calls(bot, bruno, "Beta Cargas")
    await calls(bot, bruno, "Gama Fretes")

    await says(helena, "/exportar")
    helena.sees("Preparando a exportação", "Exportação pronta (toques: 3)")
    ((name, data),) = files_to(bot, helena)
    assert name.endswith(".csv") and name.startswith("cadencia_toques")
    assert sorted(r["empresa"] for r in read_csv(data)) == ["Alfa Transportes", "Beta Cargas", "Gama Fretes"]

    await says(ana, "/exportar")
    ana.sees("Exportação pronta (toques: 1)")
    ((_, data),) = files_to(bot, ana)
    rows = read_csv(data)
    assert [r["empresa"] for r in rows] == ["Alfa Transportes"]
    assert {r["vendedor_id"] for r in rows} == {str(ana.member.id)}  # type: ignore[union-attr]

    await says(ana, "/exportar leads vendedor=Bruno")
    ana.sees("Você só pode exportar os seus próprios registros.")
    assert len(files_to(bot, ana)) == 1

    with bot.runtime.session() as session:
        audits = session.exec(select(ExportAudit).order_by(col(ExportAudit.id))).all()
    assert [(a.member_id, a.via, a.what, a.format, a.rows) for a in audits] == [
        (helena.member.id, "chat", "touches", "csv", 3),  # type: ignore[union-attr]
        (ana.member.id, "chat", "touches", "csv", 1),  # type: ignore[union-attr]
    ]
    assert audits[1].filters["rep_id"] == ana.member.id  # type: ignore[union-attr]


async def test_exports_xlsx_on_request_with_one_sheet_per_table(bot: BotUnderTest) -> None:
    helena, ana, bruno = await team_of_three(bot)
    await calls(bot, ana, "Alfa Transportes")
    await calls(bot, bruno, "Beta Cargas")

    await says(helena, "/exportar tudo xlsx")
    helena.sees("Exportação pronta (toques: 2, leads: 2")
    ((name, data),) = files_to(bot, helena)
    assert name.endswith(".xlsx")
    book = openpyxl.load_workbook(io.BytesIO(data))
    assert book.sheetnames == ["toques", "leads", "mudanças de etapa", "reuniões", "contatos"]
    touches = list(book["toques"].iter_rows(values_only=True))
    assert len(touches) == 3
    header = touches[0]
    companies = {row[header.index("empresa")] for row in touches[1:]}
    assert companies == {"Alfa Transportes", "Beta Cargas"}
    assert all(isinstance(row[header.index("data_hora")], datetime) for row in touches[1:])
    assert len(list(book["leads"].iter_rows())) == 3


async def test_the_other_format_is_one_tap_away(bot: BotUnderTest) -> None:
    _helena, ana, _ = await team_of_three(bot)
    await calls(bot, ana, "Alfa Transportes")
    await says(ana, "/exportar")
    await taps(ana, "Em Excel (XLSX)")
    (csv_name, _), (name, data) = files_to(bot, ana)
    assert csv_name.endswith(".csv") and name.endswith(".xlsx")
    rows = list(openpyxl.load_workbook(io.BytesIO(data))["toques"].iter_rows(values_only=True))
    assert len(rows) == 2 and rows[1][rows[0].index("empresa")] == "Alfa Transportes"
    with bot.runtime.session() as session:
        formats = [a.format for a in session.exec(select(ExportAudit).order_by(col(ExportAudit.id)))]
    assert formats == ["csv", "xlsx"]
    await ana.presses_data("ex:0badc0de:xlsx")  # forged or old
    await done()
    assert any("exportação é antiga" in a for a in ana.alerts())


async def test_an_export_over_the_telegram_limit_comes_back_zipped_with_a_note(
    bot: BotUnderTest, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(export_chat, "UPLOAD_LIMIT", 50_000)  # stands in for Telegram's 50 MB
    helena, ana, _ = await team_of_three(bot)
    await calls(bot, ana, "Alfa Transportes")
    await says(helena, "/exportar tudo")
    helena.sees("compactados num .zip")
    ((name, data),) = files_to(bot, helena)
    assert name.endswith(".zip")
    names = zipfile.ZipFile(io.BytesIO(data)).namelist()
    assert len(names) == 5 and all(n.endswith(".csv") for n in names)


async def test_an_unknown_export_table_is_explained(bot: BotUnderTest) -> None:
    helena = await bot.member("Helena", role=Role.MANAGER)
    await says(helena, "/exportar clientes xlsx")
    helena.sees("não sei exportar 'clientes'; escolha entre toques, leads, etapas, reunioes ou tudo")
    await says(helena, "/exportar reunioes 7 virgula")
    helena.sees("Exportação pronta (reuniões: 0)")
    ((name, data),) = files_to(bot, helena)
    assert name.endswith(".csv") and data.startswith(b"id,")  # plain UTF-8 and "," on request
    assert not files_to(bot, helena)[1:]
    await says(helena, "/exportar toques vendedor=Fulano")
    helena.sees("Não encontrei Fulano no time.")


# ------------------------------------------------------------------------------ the member's own zone


async def test_a_rep_in_manaus_gets_her_own_day_in_reports_and_exports(bot: BotUnderTest) -> None:
    """Manaus is UTC−4, Brasília UTC−3: a call at 23:30 in Manaus is already the next day in São
    Paulo, but it belongs to the rep's own day."""
    manaus = ZoneInfo("America/Manaus")
    _helena, ana, _bruno = await team_of_three(bot)
    with bot.runtime.session() as session:
        session.execute(update(Member).where(col(Member.id) == ana.member.id).values(timezone="America/Manaus"))  # type: ignore[union-attr]
    bot.clock.set(datetime(2026, 3, 10, 22, 30, tzinfo=manaus))
    await calls(bot, ana, "Alfa Transportes")
    bot.clock.set(datetime(2026, 3, 10, 23, 30, tzinfo=manaus))  # 00:30 on the 11th in São Paulo
    await calls(bot, ana, "Beta Cargas")

    await says(ana, "/relatorio hoje")
    ana.sees("Ligações: 2", "10/03/2026")

    bot.clock.set(datetime(2026, 3, 11, 9, 0, tzinfo=manaus))
    await says(ana, "/exportar 10/03/2026")
    ana.sees("Exportação pronta (toques: 2)", "Horários no fuso America/Manaus.")
    ((_, data),) = files_to(bot, ana)
    rows = read_csv(data)
    assert sorted((r["empresa"], r["data_hora"]) for r in rows) == [
        ("Alfa Transportes", "2026-03-10 22:30:00"),
        ("Beta Cargas", "2026-03-10 23:30:00"),
    ]

    await says(ana, "/exportar 11/03/2026")
    ana.sees("Exportação pronta (toques: 0)")
