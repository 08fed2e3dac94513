"""Working the list, as dialogues: a manager starts cadences in bulk (a campaign, a tier, an
import) after a dry run; /hoje orders by due time and then fit; /leads filters; /lead finds by
what the rep knows; bad input gets one clear line and changes nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import col, func, select

from bot.domain.contacts import ContactDraft
from bot.domain.lead_fields import LeadDraft
from bot.domain.vocabulary import ReminderKind, Role, Stage
from bot.services import cadence, contacts, leads
from bot.services.imports import Assignment, import_bytes
from bot.services.worklist import campaign_token
from bot.storage.models import FitOverride, ImportBatch, Lead, Member, Reminder
from tests.tg.harness import BotUnderTest, Person
from tests.tg.test_manager import done
from tests.tg.test_on_postgres import pg_bot

__all__ = ["pg_bot"]

# The bulk start button runs with block=False (done() awaits it); PTB warns about such tasks
# outside a running application, which is how the harness drives it.
pytestmark = pytest.mark.filterwarnings("ignore:Tasks created via `Application.create_task`")

#: Facts that score tier A, B-ish C, D, and a knock-out (financial score under 300) in the
#: default playbook.
TIER_A = {
    "cnae": "4930-2/01",
    "uf": "SP",
    "headcount": "200",
    "revenue": "50 mi",
    "branches": "5",
    "registration": "ativa",
    "financial_score": "900",
}
TIER_C = {"cnae": "6201-5/01", "uf": "SP", "headcount": "100-199", "revenue": "4,8 mi", "branches": "3"}
TIER_D = {"uf": "SP"}
KNOCKED_OUT = {**TIER_A, "financial_score": "100"}


def member_of(person: Person) -> Member:
    assert person.member is not None
    return person.member


def add_lead(bot: BotUnderTest, person: Person, company: str, facts: dict[str, str], **extra: str) -> int:
    draft = LeadDraft.read({"company": company, **facts, **extra})
    return leads.create_lead(bot.runtime, member_of(person), draft, other_branch=True).lead.id or 0


def stages(bot: BotUnderTest, ids: list[int]) -> dict[int, str]:
    with bot.runtime.session() as session:
        return {lead.id or 0: lead.stage for lead in session.exec(select(Lead).where(col(Lead.id).in_(ids)))}


def step_reminders(bot: BotUnderTest) -> dict[int, int]:
    """Lead id → the member its live step reminder is for."""
    with bot.runtime.session() as session:
        rows = session.exec(
            select(Reminder).where(Reminder.kind == ReminderKind.STEP_DUE.value, col(Reminder.state) == "pending")
        )
        return {r.lead_id or 0: r.member_id for r in rows}


async def test_a_manager_starts_a_campaign_after_a_dry_run_and_the_counts_match_a_recount(bot: BotUnderTest) -> None:
    boss = await bot.member("Helena", role=Role.MANAGER)
    ana = await bot.member("Ana")
    bruno = await bot.member("Bruno")
    camp = {"campaign": "Logística SP"}
    fit = [add_lead(bot, ana, f"Transportes {n}", TIER_A, **camp) for n in range(2)]
    fit.append(add_lead(bot, ana, "Software Casa", TIER_C, **camp))
    fit.append(add_lead(bot, bruno, "Transportes Bruno", TIER_A, **camp))
    knocked = add_lead(bot, ana, "Caloteira", KNOCKED_OUT, **camp)
    small = add_lead(bot, ana, "Pequena", TIER_D, **camp)
    running = add_lead(bot, ana, "Já Começada", TIER_A, **camp)
    cadence.start_cadence(bot.runtime, member_of(ana), running)
    lost = add_lead(bot, ana, "Perdida", TIER_A, **camp)
    leads.disqualify(bot.runtime, member_of(ana), lost, "fora_do_icp")
    elsewhere = add_lead(bot, ana, "Outra Campanha", TIER_A, campaign="Saúde")

    await boss.says("/iniciar campanha logistica sp")  # accents and case as typed
    boss.sees(
        "Campanha Logística SP",
        "8 leads no total; vou iniciar a cadência de 4 leads.",
        "Pulados: 4",
        "1 já em cadência",
        "1 ganhos ou perdidos",
        "1 fora do ICP por knock-out",
        "1 fora do ICP (tier D)",
    )
    assert stages(bot, fit) == dict.fromkeys(fit, Stage.NEW.value)  # a dry run changes nothing
    await boss.taps("Iniciar 4 leads")
    await done()  # the start runs without holding other updates (block=False)
    said = boss.sees("Cadências iniciadas: 4 de 8 leads.", "Pulados: 4", "Ana Silva: 3 leads", "Bruno Silva: 1 lead")
    assert "Fora do ICP" not in said

    # The recount: the leads themselves and their reminders, read from the tables.
    assert stages(bot, fit) == dict.fromkeys(fit, Stage.PROSPECTING.value)
    assert stages(bot, [knocked, small, elsewhere]) == dict.fromkeys([knocked, small, elsewhere], Stage.NEW.value)
    assert stages(bot, [lost]) == {lost: Stage.LOST.value}
    reminded = step_reminders(bot)
    owners = {lead: (member_of(bruno) if lead == fit[3] else member_of(ana)).id for lead in fit}
    assert {lead: reminded[lead] for lead in fit} == owners  # each step reminder goes to the lead's owner
    with bot.runtime.session() as session:
        in_cadence = session.exec(
            select(func.count())
            .select_from(Lead)
            .where(Lead.campaign == "Logística SP", Lead.cadence_status == "active")
        ).one()
    assert in_cadence == 4 + 1  # the four started now and the one already running

    await boss.says("/iniciar campanha Logística SP")  # again: nothing twice
    boss.sees("vou iniciar a cadência de 0 leads", "5 já em cadência", "Nada para iniciar.")
    assert not any("Iniciar" in label for label in boss.buttons() if "✅" in label)

    await boss.taps("Incluir os 2 de fora do ICP")
    boss.sees("vou iniciar a cadência de 2 leads", "Inclui os de fora do ICP")
    await boss.taps("Iniciar 2 leads")
    await done()  # the start runs without holding other updates (block=False)
    boss.sees("Cadências iniciadas: 2 de 8 leads.", "Fora do ICP, por sua decisão: 2.", "Pulados: 6")
    with bot.runtime.session() as session:
        overrides = session.exec(select(FitOverride)).all()
    assert sorted(o.lead_id for o in overrides) == sorted([knocked, small])
    assert {o.member_id for o in overrides} == {member_of(boss).id}  # the manager decided, and it is recorded


async def test_bulk_start_by_tier_and_by_import(bot: BotUnderTest) -> None:
    boss = await bot.member("Helena", role=Role.MANAGER)
    ana = await bot.member("Ana")
    first = add_lead(bot, ana, "Transportes Um", TIER_A)
    add_lead(bot, ana, "Software Casa", TIER_C)
    await boss.says("/iniciar tier a")
    boss.sees("Leads do tier A", "1 lead no total; vou iniciar a cadência de 1 lead.")
    await boss.taps("Iniciar 1 lead")
    await done()  # the start runs without holding other updates (block=False)
    boss.sees("Cadências iniciadas: 1 de 1 lead.")
    assert stages(bot, [first]) == {first: Stage.PROSPECTING.value}

    csv = "empresa;cnae;uf;funcionarios;faturamento;filiais;inscricao estadual;score\n"
    csv += "Atacado Norte;4930-2/01;SP;200;50 mi;5;ativa;900\nAtacado Sul;4930-2/01;SP;200;50 mi;5;ativa;900\n"
    csv += "Micro Loja;;SP;;;;;\n"
    result = import_bytes(
        bot.runtime.engine,
        csv.encode(),
        "lista.csv",
        playbook=bot.runtime.playbook,
        assignment=Assignment(whole_team=True),
        member_id=member_of(boss).id,
        now=bot.clock(),
    )
    assert result.counts.imported == 3
    with bot.runtime.session() as session:
        batch = session.exec(select(ImportBatch)).one()
    await boss.says(f"/iniciar importacao {batch.id}")
    boss.sees(
        f"Importação #{batch.id} lista.csv",
        "3 leads no total; vou iniciar a cadência de 2 leads.",
        "1 fora do ICP (tier D)",
    )
    await boss.taps("Iniciar 2 leads")
    await done()  # the start runs without holding other updates (block=False)
    boss.sees("Cadências iniciadas: 2 de 3 leads.")


async def test_bulk_start_refuses_bad_input_and_reps(bot: BotUnderTest) -> None:
    boss = await bot.member("Helena", role=Role.MANAGER)
    ana = await bot.member("Ana")
    lead = add_lead(bot, ana, "Transportes Um", TIER_A, campaign="Logística SP")
    await boss.says("/iniciar")
    boss.sees("Diga quais leads: campanha NOME, tier A (A, B, C ou D) ou importacao N.", "/iniciar tier A")
    await boss.says("/iniciar tier Z")
    boss.sees("Tier 'Z' não existe: use A, B, C ou D.")
    await boss.says("/iniciar campanha Nada Disso")
    boss.sees("Nenhuma campanha 'Nada Disso'. Campanhas: Logística SP.")
    await boss.says("/iniciar importacao 999")
    boss.sees("Importação 999 não existe (ou foi desfeita).")
    await boss.says("/iniciar importacao ²")
    boss.sees("'²' não é o número de uma importação")
    await boss.says("/iniciar lista X")
    boss.sees("Diga quais leads")
    await boss.presses_data("bk:g:c:ffffffffff:n")  # a campaign no longer there
    await done()  # the start runs without holding other updates (block=False)
    boss.sees("Essa campanha não existe mais.")

    await ana.says("/iniciar tier A")
    ana.sees("Só gestores iniciam cadências em lote.")
    token = campaign_token("Logística SP")
    for data in (f"bk:g:c:{token}:y", "bk:g:t:A:n", f"bk:p:c:{token}:n"):
        await ana.presses_data(data)
        await done()  # the start runs without holding other updates (block=False)
        ana.sees("Só gestores iniciam cadências em lote.")
    assert stages(bot, [lead]) == {lead: Stage.NEW.value}
    await boss.presses_data("bk:g:t:Q:n")  # forged: decodes to no action
    await done()  # the start runs without holding other updates (block=False)
    await boss.says("/iniciar tier A")
    await boss.taps("Cancelar")
    boss.sees("Nada foi iniciado.")
    assert stages(bot, [lead]) == {lead: Stage.NEW.value}


async def test_today_orders_by_due_time_then_fit(bot: BotUnderTest) -> None:
    ana = await bot.member("Ana")
    boss = await bot.member("Helena", role=Role.MANAGER)
    early = add_lead(bot, ana, "Cedo Tier C", TIER_C, campaign="X")
    cadence.start_cadence(bot.runtime, member_of(ana), early)  # due now, 10:00
    bot.clock.advance(hours=1)
    for company, facts in (("Depois Tier C", TIER_C), ("Depois Tier D", TIER_D), ("Depois Tier A", TIER_A)):
        add_lead(bot, ana, company, facts, campaign="Y")
    await boss.says("/iniciar campanha Y")
    await boss.taps("Incluir os 1 de fora do ICP")
    await boss.taps("Iniciar 3 leads")  # all three due at 11:00
    await done()  # the start runs without holding other updates (block=False)
    bot.clock.advance(hours=2)
    await ana.says("/hoje")
    said = ana.sees("Sua agenda de hoje")
    order = [said.index(name) for name in ("Cedo Tier C", "Depois Tier A", "Depois Tier C", "Depois Tier D")]
    assert order == sorted(order), said


async def test_lead_filters_filter_and_page(bot: BotUnderTest) -> None:
    ana = await bot.member("Ana")
    for n in range(10):
        add_lead(bot, ana, f"Alfa {n:02d}", TIER_A, campaign="Logística SP")
    for n in range(3):
        add_lead(bot, ana, f"Cesta {n:02d}", TIER_C, campaign="Logística SP")
    add_lead(bot, ana, "Alfa Fora", TIER_A, campaign="Saúde")
    won = add_lead(bot, ana, "Ganha", TIER_C, campaign="Saúde")
    lost = add_lead(bot, ana, "Perdida", TIER_C, campaign="Saúde")
    with bot.runtime.session() as session:
        for lead_id, stage in ((won, Stage.WON), (lost, Stage.LOST)):
            row = session.get(Lead, lead_id)
            assert row is not None
            row.stage = stage.value
            session.add(row)

    await ana.says("/leads perdidos")
    said = ana.sees("Perdido (1)", "Perdida")
    assert "Ganha" not in said
    await ana.says("/leads ganhos")
    said = ana.sees("Ganho (1)", "Ganha")
    assert "Perdida" not in said
    await ana.says("/leads tier C")
    said = ana.sees("Seus leads · tier C (5)", "Cesta 02", "Ganha", "Perdida")
    assert "Alfa" not in said
    await ana.says("/leads campanha saude")
    said = ana.sees("Seus leads · Saúde (3)", "Alfa Fora")
    assert "Cesta" not in said

    await ana.says("/leads abertos tier A campanha Logística SP")
    first = ana.sees("Leads abertos · tier A · Logística SP (10) · página 1 de 2", "Alfa 09", "Alfa 02")
    assert "Alfa 01" not in first and "Cesta" not in first and "Alfa Fora" not in first
    await ana.taps("➡️")
    second = ana.sees("página 2 de 2", "Alfa 01", "Alfa 00")
    assert "Alfa 02" not in second and "Cesta" not in second
    await ana.taps("⬅️")
    ana.sees("página 1 de 2", "Alfa 09")
    await ana.taps("Todos")  # the other lists keep the tier and the campaign
    ana.sees("Seus leads · tier A · Logística SP (10)")

    await ana.says("/leads quentes")
    ana.sees("Filtro 'quentes' não existe. Use: todos, hoje, abertos", "tier A (A a D); campanha NOME")
    await ana.says("/leads tier Z")
    ana.sees("Filtro 'Z' não existe")
    await ana.says("/leads campanha Inexistente")
    ana.sees("Nenhuma campanha 'Inexistente'")
    await ana.presses_data("pg:open.tQ.czzz:0:-")  # forged parts are ignored, never a crash
    ana.sees("Leads abertos (14)")


async def test_lead_search_by_what_the_rep_knows(bot: BotUnderTest) -> None:
    ana = await bot.member("Ana")
    bruno = await bot.member("Bruno")
    padaria = add_lead(
        bot,
        ana,
        "Panificadora São João Ltda",
        {**TIER_C, "cnpj": "11.222.333/0001-81"},
        trade_name="Padaria do João",
        contact_name="Márcia Gonçalves",
        contact_phone="(11) 98765-4321",
        contact_email="Marcia@PadariaJoao.com.br",
    )
    filial = add_lead(bot, ana, "Panificadora São João Filial", {**TIER_C, "cnpj": "11222333000262"})
    add_lead(bot, bruno, "Padaria do Bruno", TIER_C, contact_name="Márcia Outra", contact_phone="11 98765-4321")

    for query in (
        "padaria do joao",
        "marcia goncalves",
        "+55 11 98765-4321",
        "11987654321",
        "marcia@padariajoao.com.br",
        "11.222.333/0001-81",
        "11222333000181",
    ):
        await ana.says(f"/lead {query}")
        ana.sees("Panificadora São João Ltda")
        assert bot.api.last_message(ana.id).text is not None
    await ana.says("/lead 11.222.333")  # the root: both establishments
    ana.sees("Encontrei vários. Qual deles?")
    labels = ana.buttons()
    assert labels == [f"#{filial} Panificadora São João Filial", f"#{padaria} Panificadora São João Ltda"]
    await ana.taps(f"#{filial}")
    ana.sees("Panificadora São João Filial")

    # A contact who is not the chosen one (issue 12, several contacts per lead) finds the lead too.
    contacts.add_contact(
        bot.runtime,
        member_of(ana),
        padaria,
        ContactDraft("Otávio Reis", phone="(21) 3333-2222", email="otavio@padariajoao.com.br"),
        choose=False,
    )
    for query in ("otavio reis", "21 3333-2222", "OTAVIO@padariajoao.com.br"):
        await ana.says(f"/lead {query}")
        ana.sees("Panificadora São João Ltda")
    await ana.says("/lead Padaria do Bruno")  # another rep's lead stays hidden
    ana.sees("Nenhum lead encontrado para 'Padaria do Bruno'. Veja os seus em /leads.")
    await ana.says("/lead 99.999.999/0001-91")
    ana.sees("Nenhum lead encontrado")
    await ana.says("/lead 0")
    ana.sees("'0' não é o número de um lead.")
    await bruno.says("/lead márcia")
    said = bruno.sees("Padaria do Bruno")
    assert "Panificadora" not in said


async def test_a_restart_between_the_dry_run_and_the_confirmation_keeps_the_button_working(bot: BotUnderTest) -> None:
    boss = await bot.member("Helena", role=Role.MANAGER)
    ana = await bot.member("Ana")
    lead = add_lead(bot, ana, "Transportes Um", TIER_A, campaign="Logística SP")
    await boss.says("/iniciar campanha Logística SP")
    await bot.restart()
    bot.clock.advance(minutes=5)
    await boss.taps("Iniciar 1 lead")
    await done()  # the start runs without holding other updates (block=False)
    boss.sees("Cadências iniciadas: 1 de 1 lead.")
    assert stages(bot, [lead]) == {lead: Stage.PROSPECTING.value}
    with bot.runtime.session() as session:
        due = session.get(Lead, lead)
        assert due is not None and due.step_due_at == bot.clock() - timedelta(0)


@pytest.mark.postgres
async def test_bulk_start_on_postgres(pg_bot: BotUnderTest) -> None:
    await test_a_manager_starts_a_campaign_after_a_dry_run_and_the_counts_match_a_recount(pg_bot)


@pytest.mark.postgres
async def test_today_order_on_postgres(pg_bot: BotUnderTest) -> None:
    await test_today_orders_by_due_time_then_fit(pg_bot)


@pytest.mark.postgres
async def test_filters_on_postgres(pg_bot: BotUnderTest) -> None:
    await test_lead_filters_filter_and_page(pg_bot)


@pytest.mark.postgres
async def test_search_on_postgres(pg_bot: BotUnderTest) -> None:
    await test_lead_search_by_what_the_rep_knows(pg_bot)
