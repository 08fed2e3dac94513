"""Deal values as dialogues: typed after the proposal and the win, refused when unreadable, edited
from the lead card, and seen by the manager in /relatorio — on SQLite and on PostgreSQL."""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import Engine
from sqlmodel import select

from bot.config import Settings
from bot.domain.playbook.model import Economics, Playbook
from bot.domain.vocabulary import Role
from bot.services import exports
from bot.services.playbooks import remember_playbook
from bot.services.runtime import Runtime
from bot.services.team import NotAllowed
from bot.storage.models import DealValue
from tests.tg.harness import BotUnderTest, FrozenClock, Person
from tests.tg.test_cadence import lead_for
from tests.tg.test_manager import says

pytestmark = pytest.mark.filterwarnings("ignore:Tasks created via `Application.create_task`")

ECONOMICS = {
    "team": {"roles": {"rep": "R$ 6.000"}},
    "tools": [{"name": "Discador", "monthly": "R$ 900"}],
    "lists": [{"campaign": "Logística Sul", "cost": "R$ 3.000"}],
    "gross_margin_percent": 80,
    "segments": [
        {
            "id": "key_account",
            "label": "Key account",
            "churn_monthly_percent": 1,
            "when": [{"fact": "headcount", "op": "ge", "value": 500}],
        },
        {"id": "smb", "label": "SMB", "churn_monthly_percent": 4},
    ],
    "stage_probabilities": {"meeting_held": 25, "proposal_sent": 50},
}


def with_economics(playbook: Playbook, economics: dict[str, object] | None = None) -> Playbook:
    return playbook.model_copy(update={"economics": Economics.model_validate(economics or ECONOMICS)})


@pytest.fixture
async def deal_bot(engine: Engine, default_playbook: Playbook, clock: FrozenClock) -> AsyncIterator[BotUnderTest]:
    """The bot on SQLite and on PostgreSQL (``engine`` is both), with costs in the playbook."""
    settings = Settings(_env_file=None, database_url="sqlite://", telegram_bot_token="123:TEST")  # type: ignore[call-arg]
    playbook = with_economics(default_playbook)
    runtime = Runtime(settings=settings, engine=engine, playbook=playbook, clock=clock)
    remember_playbook(runtime, playbook)
    under_test = BotUnderTest(runtime=runtime, clock=clock)
    await under_test.start()
    yield under_test
    await under_test.stop()
    under_test.check_requests()
    under_test.check_errors()


PT = ("Iniciar cadência", "Reunião agendada", "amanhã 10h", "Reunião aconteceu")
EN = ("Start cadence", "Meeting booked", "tomorrow 10am", "Meeting held")


async def held_meeting(bot: BotUnderTest, rep: Person, words: tuple[str, ...] = PT, **answers: str) -> int:
    """A lead whose meeting was booked on the step card and marked held on the lead card."""
    start, booked, when, happened = words
    lead_id = await lead_for(bot, rep, **answers)
    await rep.says(f"/lead {lead_id}")
    await rep.taps(start)
    await rep.taps(booked)
    await rep.says(when)
    bot.clock.advance(days=1, hours=2)
    await rep.says(f"/lead {lead_id}")
    await rep.taps(happened)
    rep.replies()
    return lead_id


def stored(bot: BotUnderTest, lead_id: int) -> tuple[int, int, int | None, str] | None:
    with bot.runtime.session() as session:
        row = session.exec(select(DealValue).where(DealValue.lead_id == lead_id)).first()
        return None if row is None else (row.monthly_cents, row.setup_cents, row.months, row.stage)


async def test_from_proposal_with_value_to_won_to_the_report(deal_bot: BotUnderTest) -> None:
    bot = deal_bot
    ana = await bot.member("Ana")
    gil = await bot.member("Gil", role=Role.MANAGER)
    lead_id = await held_meeting(bot, ana)

    await ana.taps("Proposta enviada")
    ana.sees("Quanto vale o negócio por mês")
    await ana.says("R$ 1.490/mês")
    ana.sees("Taxa de implantação")
    await ana.says("2 mil")
    ana.sees("Prazo do contrato")
    await ana.says("12 meses")
    ana.sees("Valor salvo: R$ 1.490,00/mês · implantação R$ 2.000,00 · 12 meses · contrato R$ 19.880,00")
    assert stored(bot, lead_id) == (149000, 200000, 12, "proposal_sent")

    bot.clock.advance(days=2)
    await ana.says(f"/lead {lead_id}")
    ana.sees("💰 R$ 1.490,00/mês")
    await ana.taps("Ganho")
    ana.sees("Registrado.", "Quanto vale o negócio por mês")
    await ana.says("1,5 mil")
    await ana.taps("Sem implantação")
    await ana.says("2 anos")
    ana.sees("Valor salvo: R$ 1.500,00/mês · 24 meses · contrato R$ 36.000,00")
    assert stored(bot, lead_id) == (150000, 0, 24, "won")

    await says(gil, "/relatorio")
    report = gil.sees("Economia")
    assert "Vendas: 1 (1 com valor) · receita mensal R$ 1.500,00" in report
    assert "Ticket médio (mensal): R$ 1.500,00" in report
    assert "Taxa de ganho: 100,0%" in report
    assert "Ciclo de venda: 3 dias" in report
    # LTV = 80% × (1.500 / 4% + 0): the lead has 120 employees, so it is SMB (churn 4%).
    assert "LTV: R$ 30.000,00" in report
    assert "SMB: R$ 1.500,00" in report


async def test_bad_values_get_a_clear_answer_and_the_question_stays(bot: BotUnderTest) -> None:
    ana = await bot.member("Ana")
    lead_id = await held_meeting(bot, ana)
    await ana.taps("Proposta enviada")
    for typed, answer in (
        ("-500", "não pode ser negativo"),
        ("muito", "não entendido"),
        ("R$ 900 milhões", "grande demais"),
        ("1,490", "não entendido"),
    ):
        await ana.says(typed)
        ana.sees(answer)
    await ana.says("R$ 18 mil/ano")
    ana.sees("Taxa de implantação")
    await ana.says("R$ 500/mês")
    ana.sees("valor pago uma vez")
    await ana.says("R$ 500")
    await ana.says("0 meses")
    ana.sees("fora do intervalo")
    await ana.says("200 meses")
    ana.sees("fora do intervalo")
    await ana.taps("Sem prazo definido")
    ana.sees("Valor salvo: R$ 1.500,00/mês · implantação R$ 500,00")
    assert stored(bot, lead_id) == (150000, 50000, None, "proposal_sent")


async def test_skipping_keeps_the_move_and_the_value_can_be_typed_later_from_the_card(bot: BotUnderTest) -> None:
    ana = await bot.member("Ana")
    lead_id = await held_meeting(bot, ana)
    await ana.taps("Ganho")
    await ana.taps("Pular")
    ana.sees("o valor fica para depois")
    assert stored(bot, lead_id) is None
    await ana.says(f"/lead {lead_id}")
    ana.sees("Ganho")
    await ana.taps("Valor do negócio")
    await ana.says("990")
    await ana.says("0")
    await ana.says("1 mês")
    ana.sees("Valor salvo: R$ 990,00/mês · 1 mês · contrato R$ 990,00")
    assert stored(bot, lead_id) == (99000, 0, 1, "won")


async def test_a_lead_before_its_meeting_has_no_value_button_and_forged_presses_are_refused(bot: BotUnderTest) -> None:
    ana = await bot.member("Ana")
    lead_id = await lead_for(bot, ana)
    await ana.says(f"/lead {lead_id}")
    assert not any("Valor do negócio" in label for label in ana.buttons())
    await ana.presses_data(f"dv:{lead_id}:edit")
    assert "depois da reunião realizada" in ana.alerts()[-1]
    assert stored(bot, lead_id) is None


async def test_an_english_rep_is_asked_in_english(bot: BotUnderTest) -> None:
    bob = await bot.member("Bob", language_code="en")
    lead_id = await held_meeting(bot, bob, EN)
    await bob.taps("Proposal sent")
    bob.sees("How much is the deal worth per month")
    await bob.says("1.490")
    await bob.taps("No set-up fee")
    await bob.taps("No fixed term")
    bob.sees("Value saved: R$1,490.00/month")
    assert stored(bot, lead_id) == (149000, 0, None, "proposal_sent")


async def test_another_reps_lead_cannot_be_valued_by_a_forged_button(bot: BotUnderTest) -> None:
    bot.expected_errors = (NotAllowed,)
    ana = await bot.member("Ana")
    bia = await bot.member("Bia")
    lead_id = await held_meeting(bot, ana)
    await bia.says("/leads")
    bia.replies()
    for forged in (f"dv:{lead_id}:edit", f"sg:{lead_id}:won", f"dv:{lead_id}:skip"):
        await bia.presses_data(forged)
        assert not any("Quanto vale" in text for text in bia.replies())
    await bia.says("1.490")
    assert stored(bot, lead_id) is None


async def test_economia_names_each_figures_inputs_and_draws_cac_and_ltv_per_segment(deal_bot: BotUnderTest) -> None:
    bot = deal_bot
    ana = await bot.member("Ana")
    gil = await bot.member("Gil", role=Role.MANAGER)
    lead_id = await held_meeting(bot, ana)
    await ana.taps("Ganho")
    await ana.says("R$ 2.000")
    await ana.says("R$ 1.000")
    await ana.says("12")
    assert stored(bot, lead_id) == (200000, 100000, 12, "won")
    await says(gil, "/economia")
    text = gil.sees("Economia")
    assert "usa: vendas ganhas com valor" in text
    assert "Por segmento" in text and "SMB" in text
    photos = [r for r in bot.api.requests_for("sendPhoto") if str(r.params.get("chat_id")) == str(gil.id)]
    assert photos and photos[-1].files["photo"][1].startswith(b"\x89PNG")


async def test_economia_without_an_economics_file_says_why_each_money_figure_is_missing(bot: BotUnderTest) -> None:
    ana = await bot.member("Ana")
    lead_id = await held_meeting(bot, ana)
    await ana.taps("Ganho")
    await ana.says("R$ 2.000")
    await ana.taps("Sem implantação")
    await ana.taps("Sem prazo definido")
    assert stored(bot, lead_id) == (200000, 0, None, "won")
    await says(ana, "/economia")
    text = ana.sees("Economia")
    assert "Ticket médio (mensal): R$ 2.000,00\n   usa: vendas ganhas com valor" in text
    assert (
        "CAC: — (sem custos: preencha o economics.yaml do playbook)\n   usa: custos do período, clientes ganhos" in text
    )
    assert "LTV: — (sem a margem bruta no economics.yaml)" in text
    assert "Ciclo de venda: 1 dia\n" in text


@pytest.mark.parametrize("sql_csv", [True, False], ids=["sqlite-csv", "python-csv"])
async def test_the_values_are_exported_with_the_leads_in_csv_and_xlsx(
    bot: BotUnderTest, tmp_path: Path, sql_csv: bool
) -> None:
    ana = await bot.member("Ana")
    lead_id = await held_meeting(bot, ana, company="=HYPERLINK(1)")
    await ana.taps("Proposta enviada")
    await ana.says("R$ 1.490,50")
    await ana.says("R$ 2.000")
    await ana.says("24m")
    other = await lead_for(bot, ana, company="Sem Valor Ltda")
    runtime = bot.runtime
    result = exports.export(runtime, what=["leads"], directory=tmp_path / "csv", sql_csv=sql_csv)
    raw = result.files[0].read_bytes().decode("utf-8-sig")
    rows = {int(row["id"]): row for row in csv.DictReader(io.StringIO(raw), delimiter=";")}
    assert rows[lead_id]["empresa"] == "'=HYPERLINK(1)"  # a formula is neutralised, the values are not
    assert (rows[lead_id]["valor_mensal_centavos"], rows[lead_id]["implantacao_centavos"]) == ("149050", "200000")
    assert rows[lead_id]["prazo_meses"] == "24"
    assert rows[other]["valor_mensal_centavos"] == rows[other]["prazo_meses"] == ""
    xlsx = exports.export(runtime, what=["leads"], fmt="xlsx", directory=tmp_path / "x").files[0]
    book = openpyxl.load_workbook(xlsx)
    sheet = book["leads"]
    header = [c.value for c in sheet[1]]
    values = {r[0]: r for r in sheet.iter_rows(min_row=2, values_only=True)}
    assert values[lead_id][header.index("valor_mensal_centavos")] == 149050
    assert values[other][header.index("prazo_meses")] is None


async def test_economia_refuses_what_a_rep_may_not_see_in_one_line(bot: BotUnderTest) -> None:
    ana = await bot.member("Ana")
    await bot.member("Bruno")
    await says(ana, "/economia vendedor=Bruno")
    assert ana.replies() == ["Você só pode ver os seus próprios números."]
    await says(ana, "/economia vendedor=Zé")
    assert ana.replies() == ["Não encontrei Zé no time."]
    await says(ana, "/economia 31/02/2026")
    (said,) = ana.replies()
    assert "31/02/2026" in said
    await says(ana, "/economia")
    ana.sees("Economia", "Nenhum negócio, SQL ou reunião no período.")
