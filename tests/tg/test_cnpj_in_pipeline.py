"""/novo with a CNPJ already in the pipeline: whose lead it is, open it, or go on only for
another branch of the company; never two leads with the same CNPJ; a rep who may not see the
other lead learns only that another rep has it."""

from __future__ import annotations

import pytest
from sqlmodel import col, select

from bot.domain.lead_fields import LeadDraft
from bot.domain.vocabulary import Role
from bot.services import leads
from bot.services.team import NotAllowed
from bot.storage.models import Lead
from tests.tg.harness import BotUnderTest, Person
from tests.tg.test_cadence import lead_for

HEAD_OFFICE = "11.222.333/0001-81"
BRANCH = "11.222.333/0002-62"
ANOTHER_COMPANY = "99.888.777/0001-00"


def all_leads(bot: BotUnderTest) -> list[Lead]:
    with bot.runtime.session() as session:
        return list(session.exec(select(Lead).order_by(col(Lead.id))))


async def novo_with_cnpj(person: Person, cnpj: str, company: str = "Horizonte Filial Sul") -> str:
    await person.says("/novo")
    await person.says(company)
    person.sees("2/16", "CNPJ")
    await person.says(cnpj)
    return person.sees()


async def finish(person: Person) -> None:
    """From question 3 (the CNPJ answered or skipped) to the ICP card."""
    for _ in range(14):
        await person.taps("Pular")
    person.sees("Lead salvo")


async def test_the_same_cnpj_as_my_own_lead_is_named_and_never_saved_twice(bot: BotUnderTest) -> None:
    ana = await bot.member("Ana")
    mine = await lead_for(bot, ana, cnpj=HEAD_OFFICE)
    said = await novo_with_cnpj(ana, HEAD_OFFICE)
    assert said == (
        f"⚠️ Esse CNPJ já é o seu lead #{mine} Transportes Horizonte Ltda. O mesmo CNPJ não vira um segundo lead: "
        "mande outro CNPJ, pule ou /cancelar.\n\n2/16 CNPJ da empresa? (ex.: 12.345.678/0001-95)"
    )
    assert ana.buttons() == [f"📇 Abrir lead #{mine}", "⬅️ Voltar", "Pular ➡️"]
    await ana.taps(f"Abrir lead #{mine}")
    ana.sees("Transportes Horizonte Ltda")
    await ana.says(HEAD_OFFICE)  # still the same CNPJ: still refused
    ana.sees("Esse CNPJ já é o seu lead", "2/16")
    await ana.says(ANOTHER_COMPANY)
    ana.sees("3/16", "CNAE")
    await finish(ana)
    assert [lead.cnpj for lead in all_leads(bot)] == ["11222333000181", "99888777000100"]


async def test_another_reps_lead_is_only_said_to_exist(bot: BotUnderTest) -> None:
    ana = await bot.member("Ana")
    bruno = await bot.member("Bruno")
    await lead_for(bot, bruno, cnpj=HEAD_OFFICE, company="Segredo do Bruno Ltda")
    said = await novo_with_cnpj(ana, HEAD_OFFICE)
    assert said.startswith("⚠️ Esse CNPJ já é um lead de outro vendedor do time. O mesmo CNPJ não vira")
    assert "Segredo" not in said and "Bruno" not in said and "#1" not in said
    assert ana.buttons() == ["⬅️ Voltar", "Pular ➡️"]  # nothing to open, no way around it
    await ana.taps("Pular")
    await finish(ana)
    assert [lead.cnpj for lead in all_leads(bot)] == ["11222333000181", None]


async def test_another_branch_of_my_lead_goes_on_when_the_rep_says_so(bot: BotUnderTest) -> None:
    ana = await bot.member("Ana")
    mine = await lead_for(bot, ana, cnpj=HEAD_OFFICE)
    said = await novo_with_cnpj(ana, BRANCH)
    assert said.startswith(
        f"⚠️ A raiz desse CNPJ (11.222.333) já é o seu lead #{mine} Transportes Horizonte Ltda. "
        "Se este é outro estabelecimento (filial), siga; senão mande outro CNPJ ou pule."
    )
    assert ana.buttons() == [f"📇 Abrir lead #{mine}", "➡️ Seguir: é outra filial", "⬅️ Voltar", "Pular ➡️"]
    await ana.taps("Seguir: é outra filial")
    ana.sees("3/16", "CNAE")
    await finish(ana)
    assert [lead.cnpj for lead in all_leads(bot)] == ["11222333000181", "11222333000262"]


async def test_another_branch_of_another_reps_lead_names_nobody_but_may_go_on(bot: BotUnderTest) -> None:
    ana = await bot.member("Ana")
    bruno = await bot.member("Bruno")
    await lead_for(bot, bruno, cnpj=HEAD_OFFICE, company="Segredo do Bruno Ltda")
    said = await novo_with_cnpj(ana, BRANCH)
    assert said.startswith("⚠️ A raiz desse CNPJ (11.222.333) já é um lead de outro vendedor do time. Se este é")
    assert "Segredo" not in said and "Bruno" not in said
    assert ana.buttons() == ["➡️ Seguir: é outra filial", "⬅️ Voltar", "Pular ➡️"]
    bot.expected_errors = (NotAllowed,)
    await ana.presses_data("lo:1")  # forging the other lead's button shows nothing of it
    assert ana.alerts()[-1] == "Esse lead não é seu. Abra os seus com /leads."
    assert "Segredo" not in "".join(ana.replies())
    await ana.taps("Seguir: é outra filial")
    await finish(ana)
    assert [(lead.owner_id, lead.cnpj) for lead in all_leads(bot)] == [
        (bruno.member.id if bruno.member else 0, "11222333000181"),
        (ana.member.id if ana.member else 0, "11222333000262"),
    ]


async def test_a_manager_sees_whose_lead_it_is_and_may_open_it(bot: BotUnderTest) -> None:
    bruno = await bot.member("Bruno")
    gestora = await bot.member("Carla", role=Role.MANAGER)
    theirs = await lead_for(bot, bruno, cnpj=HEAD_OFFICE)
    said = await novo_with_cnpj(gestora, HEAD_OFFICE)
    assert said.startswith(f"⚠️ Esse CNPJ já é o lead #{theirs} Transportes Horizonte Ltda, de Bruno Silva. O mesmo")
    await gestora.taps(f"Abrir lead #{theirs}")
    gestora.sees("Transportes Horizonte Ltda")
    assert len(all_leads(bot)) == 1


async def test_a_pasted_cnpj_in_the_pipeline_is_asked_again(bot: BotUnderTest) -> None:
    ana = await bot.member("Ana")
    await lead_for(bot, ana, cnpj=HEAD_OFFICE)
    await ana.says("/novo")
    await ana.says(f"empresa: Horizonte Norte\ncnpj: {HEAD_OFFICE}\nuf: PA")
    said = ana.sees("Anotei", "Esse CNPJ já é o seu lead")
    assert said.endswith("2/16 CNPJ da empresa? (ex.: 12.345.678/0001-95)")


async def test_going_back_from_a_confirmed_branch_to_another_cnpj_asks_again(bot: BotUnderTest) -> None:
    ana = await bot.member("Ana")
    await lead_for(bot, ana, cnpj=HEAD_OFFICE)
    await novo_with_cnpj(ana, BRANCH)
    await ana.taps("Seguir: é outra filial")
    ana.sees("3/16")
    await ana.taps("Voltar")
    await ana.says(HEAD_OFFICE)
    ana.sees("Esse CNPJ já é o seu lead")  # the yes was for the branch, not for this CNPJ


async def test_editing_the_cnpj_to_another_leads_is_refused(bot: BotUnderTest) -> None:
    ana = await bot.member("Ana")
    await lead_for(bot, ana, cnpj=HEAD_OFFICE)
    other = await lead_for(bot, ana, cnpj=ANOTHER_COMPANY, company="Outra Empresa")
    await ana.says(f"/lead {other}")
    await ana.taps("ICP")
    await ana.taps("Editar dados")
    await ana.taps("CNPJ")
    await ana.says(HEAD_OFFICE)
    ana.sees("Esse CNPJ já é o seu lead #1")
    await ana.says(BRANCH)  # a correction to another branch is fine
    ana.sees("Dados atualizados")
    await ana.taps("Editar dados")
    await ana.taps("CNPJ")
    await ana.says(BRANCH)  # its own CNPJ again
    ana.sees("Dados atualizados")
    assert [lead.cnpj for lead in all_leads(bot)] == ["11222333000181", "11222333000262"]


async def test_the_service_never_saves_the_same_cnpj_twice(bot: BotUnderTest) -> None:
    ana = await bot.member("Ana")
    bruno = await bot.member("Bruno")
    assert ana.member is not None and bruno.member is not None
    await lead_for(bot, bruno, cnpj=HEAD_OFFICE)
    answers = {"company": "Outra", "cnpj": "11222333000181"}
    with pytest.raises(leads.CnpjTaken) as same:
        leads.create_lead(bot.runtime, ana.member, LeadDraft.read(answers), other_branch=True)
    assert (same.value.match.clash, same.value.match.visible, same.value.match.lead_id) == ("same", False, None)
    with pytest.raises(leads.CnpjTaken) as branch:
        leads.create_lead(bot.runtime, ana.member, LeadDraft.read({**answers, "cnpj": "11222333000262"}))
    assert branch.value.match.clash == "branch"
    branch = LeadDraft.read({**answers, "cnpj": "11222333000262"})
    created = leads.create_lead(bot.runtime, ana.member, branch, other_branch=True)
    assert created.lead.cnpj == "11222333000262"
    assert len(all_leads(bot)) == 2
