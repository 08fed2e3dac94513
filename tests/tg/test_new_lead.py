"""/novo as a dialogue: valid and invalid answers, skipping, going back, pasting, the ICP card."""

from __future__ import annotations

import dataclasses
from collections import Counter
from collections.abc import Callable

import pytest
from sqlmodel import select

from bot.domain.lead_fields import LEAD_FIELDS, FieldValue
from bot.storage.models import Lead, StageChange
from tests.tg.harness import BotUnderTest, Person


async def _answer_all(ana: Person) -> None:
    await ana.says("/novo")
    ana.sees("Novo lead", "1/16", "nome da empresa")
    await ana.says("Transportes Horizonte Ltda")
    ana.sees("2/16", "CNPJ")
    await ana.says("11.222.333/0001-82")  # wrong check digits
    ana.sees("não confere", "CNPJ")
    await ana.says("11.222.333/0001-81")
    ana.sees("3/16", "CNAE")
    await ana.says("6201-9/01")  # wrong class check digit
    ana.sees("6201-5/01")
    await ana.says("transporte rodoviário de carga")  # search by words
    ana.sees("Escolha a atividade")
    await ana.taps("4930-2/02")
    ana.sees("4/16", "estado")
    await ana.taps("Sul")
    await ana.taps("PR")
    ana.sees("5/16", "Cidade")
    await ana.says("Curitiba")
    ana.sees("6/16", "funcionários")
    await ana.says("-20")
    ana.sees("negativo")
    await ana.taps("100-499")
    ana.sees("7/16", "Faturamento")
    await ana.says("18 mi")
    ana.sees("8/16", "filiais")
    await ana.says("3")
    ana.sees("9/16", "inscrição estadual")
    await ana.taps("Ativa")
    ana.sees("10/16", "Score")
    await ana.says("1500")
    ana.sees("0 a 1000")
    await ana.says("780")
    ana.sees("11/16", "Nome do contato")
    await ana.says("Mariana Souza")
    await ana.says("Diretora de Operações")
    ana.sees("13/16", "Telefone")
    await ana.says("123")
    ana.sees("DDD")
    await ana.says("(41) 99999-0000")
    await ana.says("mariana@@horizonte")
    ana.sees("E-mail inválido")
    await ana.says("mariana@horizonte.com.br")
    ana.sees("15/16", "LinkedIn")
    await ana.taps("Pular")
    ana.sees("16/16", "campanha")
    await ana.says("Logística Sul")


async def test_a_new_lead_question_by_question_ends_on_the_icp_card(bot: BotUnderTest) -> None:
    ana = await bot.member("Ana")
    await _answer_all(ana)
    card = ana.sees("Lead salvo", "Transportes Horizonte Ltda", "ICP", "tier", "Modelo sugerido", "CNAE 4930-2/02")
    assert "Funcionários 100–499" in card
    assert ana.buttons()[:3] == ["▶️ Iniciar cadência", "✏️ Editar dados", "🚫 Desqualificar"]
    with bot.runtime.session() as session:
        lead = session.exec(select(Lead)).one()
        assert (lead.company, lead.cnpj, lead.cnae, lead.uf, lead.headcount_low, lead.headcount_high) == (
            "Transportes Horizonte Ltda",
            "11222333000181",
            "4930202",
            "PR",
            100,
            499,
        )
        assert lead.revenue_low == 18_000_000 and lead.contact_linkedin == "" and lead.campaign == "Logística Sul"
        assert lead.contact_phone == "+55 41 99999-0000"
        assert lead.icp_score is not None and lead.scored_with == bot.runtime.playbook.fingerprint
        assert [c.to_stage for c in session.exec(select(StageChange))] == ["new"]


async def test_skipping_everything_but_the_name_scores_unknowns_as_unknown(bot: BotUnderTest) -> None:
    ana = await bot.member("Ana")
    await ana.says("/novo")
    ana.replies()
    assert "Pular ➡️" not in ana.buttons()  # the company name is required
    await ana.says("Padaria Central")
    for _ in range(15):
        await ana.taps("Pular")
    card = ana.sees("Lead salvo", "Padaria Central")
    assert "desconhecido" in card and "0/100" in card


async def test_going_back_corrects_the_previous_answer(bot: BotUnderTest) -> None:
    ana = await bot.member("Ana")
    await ana.says("/novo")
    await ana.says("Padaria Centarl")
    ana.replies()
    await ana.taps("Voltar")
    ana.sees("1/16")
    await ana.says("Padaria Central")
    ana.sees("2/16")
    await ana.says("/cancelar")
    ana.sees("cancelado")
    with bot.runtime.session() as session:
        assert session.exec(select(Lead)).first() is None


async def test_pasting_everything_at_once(bot: BotUnderTest) -> None:
    ana = await bot.member("Ana")
    await ana.says("/novo")
    ana.replies()
    await ana.says(
        "empresa: Clínica Bem Viver\ncnae: 8630-5/03\nuf: sp\nfuncionários: 45\nfaturamento: 6 mi\n"
        "filiais: 0\nie: isenta\nscore: 700\ncontato: Paulo Reis\ncargo: Sócio\ntelefone: (19) 98888-1111\n"
        "email: paulo@bemviver.com.br\ncampanha: Saúde SP\nlinkedin: zz\ncnpj: 123"
    )
    said = ana.sees("Anotei", "Empresa", "CNAE", "Não consegui usar", "14 caracteres", "LinkedIn:")
    # what is missing or came wrong is asked in order: CNPJ, city, LinkedIn
    assert said.endswith("2/16 CNPJ da empresa? (ex.: 12.345.678/0001-95)")
    await ana.taps("Pular")
    ana.sees("5/16", "Cidade")
    await ana.says("Campinas")
    ana.sees("15/16", "LinkedIn")
    await ana.taps("Pular")
    card = ana.sees("Lead salvo", "Clínica Bem Viver", "CNAE 8630-5/03", "Região SP")
    assert "Inscrição estadual isenta" in card


async def test_odd_input_gets_a_clear_answer_and_the_same_question(bot: BotUnderTest) -> None:
    ana = await bot.member("Ana")
    await ana.says("/novo")
    ana.replies()
    await ana.says("x" * 10_000)
    ana.sees("longa demais", "1/16")
    await ana.says("😀😀😀")
    ana.sees("2/16")  # emoji are a valid (if odd) company name: accepted
    await ana.says("🙂")
    ana.sees("CNPJ")


async def test_a_restart_in_the_middle_of_novo_continues_at_the_same_question(bot: BotUnderTest) -> None:
    ana = await bot.member("Ana")
    await ana.says("/novo")
    await ana.says("Padaria Central")
    await ana.taps("Pular")
    ana.sees("3/16")
    await bot.restart()
    await ana.says("padaria")
    ana.sees("Escolha a atividade")
    await ana.taps("4721-1/02")
    ana.sees("4/16")


async def test_editing_a_fact_rescores_the_lead(bot: BotUnderTest) -> None:
    ana = await bot.member("Ana")
    await ana.says("/novo")
    await ana.says("Padaria Central")
    for _ in range(15):
        await ana.taps("Pular")
    ana.replies()
    await ana.taps("Editar dados")
    ana.sees("Qual dado")
    await ana.taps("UF")
    await ana.says("mg")
    card = ana.sees("Dados atualizados", "Região MG")
    assert "Região ? " not in card


def _count_reads(monkeypatch: pytest.MonkeyPatch) -> Counter[str]:
    """Wrap every field's parser so the test knows how often each ran."""
    reads: Counter[str] = Counter()

    def counting(key: str, read: Callable[[str], FieldValue]) -> Callable[[str], FieldValue]:
        def counted(text: str) -> FieldValue:
            reads[key] += 1
            return read(text)

        return counted

    for key, field in list(LEAD_FIELDS.items()):
        monkeypatch.setitem(LEAD_FIELDS, key, dataclasses.replace(field, read=counting(key, field.read)))
    return reads


async def test_each_answer_is_read_once_and_survives_a_restart_typed(
    bot: BotUnderTest, monkeypatch: pytest.MonkeyPatch
) -> None:
    reads = _count_reads(monkeypatch)
    ana = await bot.member("Ana")
    await ana.says("/novo")
    await ana.says("Padaria Central")
    for _ in range(4):  # CNPJ, CNAE, UF, city
        await ana.taps("Pular")
    await ana.says("100 a 199")
    await ana.says("4,8 mi")
    ana.sees("8/16")
    await bot.restart()  # the draft comes back from the database, still typed
    for _ in range(9):
        await ana.taps("Pular")
    ana.sees("Lead salvo", "Funcionários 100–199")
    assert reads == {"company": 1, "headcount": 1, "revenue": 1}  # never parsed again to save the lead
    with bot.runtime.session() as session:
        lead = session.exec(select(Lead)).one()
        assert (lead.headcount_low, lead.headcount_high, lead.revenue_low, lead.revenue_high) == (
            100,
            199,
            4_800_000,
            4_800_000,
        )


async def test_an_edit_starts_from_the_stored_values_and_reads_only_the_new_answer(
    bot: BotUnderTest, monkeypatch: pytest.MonkeyPatch
) -> None:
    ana = await bot.member("Ana")
    await _answer_all(ana)
    ana.sees("Lead salvo")
    reads = _count_reads(monkeypatch)
    await ana.taps("Editar dados")
    await ana.taps("Cidade")
    await ana.says("Londrina")
    ana.sees("Dados atualizados", "Funcionários 100–499")
    assert reads == {"city": 1}  # the stored facts were not turned into text and read again
    with bot.runtime.session() as session:
        lead = session.exec(select(Lead)).one()
        assert (lead.city, lead.headcount_low, lead.headcount_high, lead.revenue_low, lead.registration) == (
            "Londrina",
            100,
            499,
            18_000_000,
            "active",
        )
        assert (lead.branches, lead.financial_score, lead.cnpj) == (3, 780, "11222333000181")
        assert lead.campaign == "Logística Sul"
