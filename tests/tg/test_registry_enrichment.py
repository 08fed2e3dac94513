"""/novo with a company directory: a CNPJ fills the company's facts "da Receita", the rep goes on
with what the registry cannot know, and the ICP card shows the facts; a company closed on the
Receita is knocked out with its reason; without a directory nothing changes."""

from __future__ import annotations

from datetime import date

import pytest
from sqlmodel import select

from bot.domain.registry import FederalStatus, Porte
from bot.domain.vocabulary import Role
from bot.services import leads
from bot.storage.models import Lead
from tests.support.fake_registry import FakeRegistry, cnpj_for, company
from tests.tg.harness import BotUnderTest
from tests.tg.test_manager import done, says

HORIZONTE = company(11222333)
CLOSED = company(
    22333444,
    legal_name="Padaria Fechada Ltda",
    trade_name=None,
    status=FederalStatus.CLOSED,
    status_since=date(2021, 7, 1),
    cnae="1091102",
    porte=Porte.MICRO,
    simples=True,
    active_branches=0,
)


async def test_only_a_cnpj_fills_the_facts_and_the_icp_card_shows_them(bot: BotUnderTest) -> None:
    bot.runtime.directory = FakeRegistry([HORIZONTE, CLOSED])
    ana = await bot.member("Ana")
    await ana.says("/novo")
    ana.sees("1/16", "nome da empresa")
    await ana.says("11.222.333/0001-81")
    receita = ana.sees("Da Receita (11/2026)", "Horizonte Sistemas Ltda", "4930-2/02", "São Paulo")
    assert "Filiais: 3" in receita and "Situação na Receita: ativa" in receita
    assert "Porte: demais" in receita and "Simples Nacional: não" in receita
    assert "6/16" in receita  # name, CNPJ, CNAE, UF, city answered: on to headcount
    await ana.taps("100-499")
    ana.sees("7/16", "Faturamento")
    await ana.says("18 mi")
    ana.sees("9/16", "inscrição estadual")  # branches came from the registry
    for _ in range(8):
        await ana.taps("Pular")
    card = ana.sees("Lead salvo", "Horizonte Sistemas Ltda", "CNAE 4930-2/02", "Filiais 3", "Região SP")
    assert "Eliminado" not in card
    with bot.runtime.session() as session:
        lead = session.exec(select(Lead)).one()
    assert (lead.company, lead.trade_name, lead.cnpj, lead.city, lead.branches) == (
        "Horizonte Sistemas Ltda",
        "Horizonte",
        "11222333000181",
        "São Paulo",
        3,
    )
    assert (lead.federal_status, lead.porte, lead.simples, lead.opened_on, lead.registry_month) == (
        "02",
        "05",
        False,
        date(2015, 3, 2),
        "2026-11",
    )
    facts = leads.facts_of(lead)  # what a restart reads back
    assert (facts.federal_status, facts.porte, facts.simples) == (FederalStatus.ACTIVE, Porte.OTHER, False)


async def test_what_the_rep_typed_wins_over_the_registry(bot: BotUnderTest) -> None:
    bot.runtime.directory = FakeRegistry([HORIZONTE])
    ana = await bot.member("Ana")
    await ana.says("/novo")
    await ana.says("Horizonte Logística")
    ana.sees("2/16", "CNPJ")
    await ana.says("11222333000181")
    receita = ana.sees("Da Receita", "4930-2/02", "6/16", "funcionários")
    assert "Empresa:" not in receita  # the name the rep typed stays
    with bot.runtime.session() as session:
        assert session.exec(select(Lead)).first() is None


async def test_a_company_closed_on_the_receita_is_knocked_out_with_its_reason(bot: BotUnderTest) -> None:
    bot.runtime.directory = FakeRegistry([HORIZONTE, CLOSED])
    ana = await bot.member("Ana")
    await ana.says("/novo")
    await ana.says(cnpj_for(22333444))
    ana.sees("Padaria Fechada Ltda", "baixada", "desde 01/07/2021", "knock-out")
    for _ in range(11):
        await ana.taps("Pular")
    card = ana.sees("Lead salvo", "Padaria Fechada Ltda", "Eliminado", "CNPJ baixado na Receita Federal")
    assert "tier D" in card
    with bot.runtime.session() as session:
        lead = session.exec(select(Lead)).one()
    assert lead.knocked_out and lead.icp_tier == "D" and lead.federal_status == "08"


async def test_a_cnpj_the_registry_does_not_know_asks_for_the_name(bot: BotUnderTest) -> None:
    bot.runtime.directory = FakeRegistry([HORIZONTE])
    ana = await bot.member("Ana")
    await ana.says("/novo")
    await ana.says(cnpj_for(33444555))
    ana.sees("Não achei esse CNPJ na Receita", "1/16", "nome da empresa")
    await ana.says("Transportes Novos")
    ana.sees("3/16", "CNAE")  # the CNPJ is kept


async def test_without_a_directory_nothing_changes(bot: BotUnderTest) -> None:
    assert bot.runtime.directory is None
    ana = await bot.member("Ana")
    await ana.says("/novo")
    await ana.says("11.222.333/0001-81")  # a name as today: nobody looks it up
    ana.sees("2/16", "CNPJ")
    await ana.says("11.222.333/0001-81")
    ana.sees("3/16", "CNAE")


async def test_a_paste_with_a_cnpj_is_enriched_too(bot: BotUnderTest) -> None:
    bot.runtime.directory = FakeRegistry([HORIZONTE])
    ana = await bot.member("Ana")
    await ana.says("/novo")
    await ana.says("CNPJ: 11.222.333/0001-81\nCidade: Campinas")
    receita = ana.sees("Da Receita", "Horizonte Sistemas Ltda", "6/16", "funcionários")
    assert "Cidade:" not in receita.split("Da Receita")[1]  # typed: Campinas stays


NON_BLOCKING = pytest.mark.filterwarnings("ignore:Tasks created via `Application.create_task`")  # as test_manager


@NON_BLOCKING
async def test_mercado_tells_a_manager_the_market_and_draws_it(bot: BotUnderTest) -> None:
    marta = await bot.member("Marta", role=Role.MANAGER)
    await says(marta, "/mercado")
    marta.sees("Nenhum registro da Receita carregado", "cadencia registry load")
    bot.runtime.registry = FakeRegistry([HORIZONTE, CLOSED, company(44555666, uf="PR", cnae="6201501")])
    await says(marta, "/mercado SP,PR 49 62")
    text = marta.sees("Mercado no registro da Receita (11/2026)", "UF SP, PR", "CNAE 49, 62", "Empresas ativas: 2")
    assert "Por UF:" in text and "Por divisão CNAE:" in text
    assert any(m.photo for m in bot.api.messages_to(marta.id)), "the chart"
    await says(marta, "/mercado XX")
    marta.sees("Não entendi 'XX'")
    ana = await bot.member("Ana")
    await says(ana, "/mercado")
    ana.sees("só para gestores")


@NON_BLOCKING
async def test_prospectar_simulates_then_creates_the_list_once(bot: BotUnderTest) -> None:
    marta = await bot.member("Marta", role=Role.MANAGER)
    await bot.member("Ana")
    companies = [company(20_000_000 + i, legal_name=f"Transportadora {i}", active_branches=12) for i in range(8)]
    bot.runtime.registry = FakeRegistry([*companies, CLOSED])
    await says(marta, "/prospectar A B C SP 49 limite=5 campanha=Registro")
    marta.sees("Simulação: 5 empresas", "Transportadora 0")
    assert any("Criar 5 leads" in label for label in marta.buttons())
    with bot.runtime.session() as session:
        assert session.exec(select(Lead)).first() is None
    await marta.taps("Criar 5 leads")
    await done()
    marta.sees("Leads criados: 5")
    await marta.taps("Criar 5 leads")  # the same button again: an alert, nothing more
    await done()
    with bot.runtime.session() as session:
        created = session.exec(select(Lead)).all()
    assert len(created) == 5 and {lead.campaign for lead in created} == {"Registro"}
    await says(marta, "/prospectar SP limite=mil")
    marta.sees("Não entendi")
