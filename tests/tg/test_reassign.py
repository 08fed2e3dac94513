"""Reassigning leads, as dialogues: a manager moves one lead or every open lead of a rep to
another rep (or round-robin); both reps are told, the lead's history records it; a paused rep,
a stranger, a rep asking, a forged button or a lead that does not exist get one clear line."""

from __future__ import annotations

import pytest
from sqlmodel import col, select

from bot.domain.lead_fields import LeadDraft
from bot.domain.vocabulary import Role
from bot.services import cadence, leads
from bot.storage.models import Lead, Member, OwnerChange
from tests.tg.harness import BotUnderTest, Person
from tests.tg.test_on_postgres import pg_bot

__all__ = ["pg_bot"]


def member_of(person: Person) -> Member:
    assert person.member is not None
    return person.member


def add_lead(bot: BotUnderTest, person: Person, company: str) -> int:
    draft = LeadDraft.read({"company": company, "uf": "SP"})
    return leads.create_lead(bot.runtime, member_of(person), draft).lead.id or 0


def owners(bot: BotUnderTest, ids: list[int]) -> dict[int, int]:
    with bot.runtime.session() as session:
        return {lead.id or 0: lead.owner_id for lead in session.exec(select(Lead).where(col(Lead.id).in_(ids)))}


def owner_changes(bot: BotUnderTest) -> list[tuple[int, int, int, int | None, str, str]]:
    with bot.runtime.session() as session:
        rows = session.exec(select(OwnerChange).order_by(col(OwnerChange.id)))
        return [(r.lead_id, r.from_member_id, r.to_member_id, r.by_member_id, r.via, r.why) for r in rows]


async def test_a_manager_moves_one_lead_and_both_reps_are_told(bot: BotUnderTest) -> None:
    boss = await bot.member("Helena", role=Role.MANAGER)
    ana = await bot.member("Ana")
    bruno = await bot.member("Bruno")
    lead = add_lead(bot, ana, "Padaria Central")
    await boss.says(f"/passar {lead} para bruno")
    boss.sees(f"Lead #{lead} Padaria Central passou de Ana Silva para Bruno Silva.", "Lembretes que foram junto: 0.")
    bruno.sees(f"Você recebeu o lead #{lead} Padaria Central de Ana Silva. Abra com /lead {lead}.")
    ana.sees(f"O lead #{lead} Padaria Central passou para Bruno Silva.")
    assert owners(bot, [lead]) == {lead: member_of(bruno).id}
    assert owner_changes(bot) == [
        (lead, member_of(ana).id, member_of(bruno).id, member_of(boss).id, "chat", "reassign")
    ]

    await boss.says(f"/passar {lead}")  # without the receiver: a button per person
    boss.sees(f"Lead #{lead} Padaria Central. Para quem ele vai?")
    assert "Bruno Silva" not in boss.buttons()  # not to whom it already belongs
    await bot.restart()  # the buttons name everything they need: a restart in between changes nothing
    await boss.taps("Ana Silva")
    boss.sees("passou de Bruno Silva para Ana Silva")
    assert owners(bot, [lead]) == {lead: member_of(ana).id}
    await ana.says("/lead padaria")
    ana.sees("Padaria Central")



async def test_the_lead_card_offers_a_manager_to_pass_the_lead_on(bot: BotUnderTest) -> None:
    boss = await bot.member("Helena", role=Role.MANAGER)
    ana = await bot.member("Ana")
    bruno = await bot.member("Bruno")
    lead = add_lead(bot, ana, "Padaria Central")

    await ana.says(f"/lead {lead}")
    assert "🔁 Passar" not in ana.buttons()  # a rep does not hand leads around

    await boss.says(f"/lead {lead}")
    await boss.taps("Passar")
    boss.sees(f"Lead #{lead} Padaria Central. Para quem ele vai?")
    assert "Ana Silva" not in boss.buttons()  # not to whom it already belongs
    await boss.taps("Bruno Silva")
    boss.sees(f"Lead #{lead} Padaria Central passou de Ana Silva para Bruno Silva.")
    bruno.sees(f"Você recebeu o lead #{lead} Padaria Central de Ana Silva.")
    assert owners(bot, [lead]) == {lead: member_of(bruno).id}

    await ana.presses_data(f"ra:o:{lead}")  # forged by a rep: refused, nothing moves
    ana.sees("Só gestores passam leads de um vendedor para outro.")
    await boss.presses_data("ra:o:999999")  # a lead that does not exist
    boss.sees("não existe")
    assert owners(bot, [lead]) == {lead: member_of(bruno).id}

async def test_all_open_leads_of_a_rep_go_to_another_or_round_robin(bot: BotUnderTest) -> None:
    boss = await bot.member("Helena", role=Role.MANAGER)
    ana = await bot.member("Ana")
    bruno = await bot.member("Bruno")
    carla = await bot.member("Carla")
    open_ids = [add_lead(bot, ana, f"Empresa {n}") for n in range(4)]
    won = add_lead(bot, ana, "Cliente")
    with bot.runtime.session() as session:
        row = session.get(Lead, won)
        assert row is not None
        row.stage = "won"
        session.add(row)

    await boss.says("/passar ana")
    boss.sees("Ana Silva tem 4 leads em aberto. Para quem eles vão?")
    await boss.taps("Dividir em rodízio (2 vendedores)")
    boss.sees("Os leads abertos de Ana Silva (4) passaram:", "2 leads para Bruno Silva", "2 leads para Carla Silva")
    bruno.sees("Você recebeu 2 leads de Ana Silva. Veja em /leads.")
    carla.sees("Você recebeu 2 leads de Ana Silva.")
    ana.sees("Seus leads abertos (4) passaram para Bruno Silva, Carla Silva.")
    moved = owners(bot, [*open_ids, won])
    assert sorted(moved[i] for i in open_ids) == sorted([member_of(bruno).id] * 2 + [member_of(carla).id] * 2)
    assert moved[won] == member_of(ana).id  # won and lost leads stay, for history
    assert len(owner_changes(bot)) == 4

    await boss.says("/passar bruno carla")
    boss.sees("Os leads abertos de Bruno Silva (2) passaram:", "2 leads para Carla Silva")
    await boss.says("/passar bruno carla")
    boss.sees("Bruno Silva não tem leads abertos.")


async def test_bad_reassignments_get_one_clear_line(bot: BotUnderTest) -> None:
    boss = await bot.member("Helena", role=Role.MANAGER)
    ana = await bot.member("Ana")
    bruno = await bot.member("Bruno")
    lead = add_lead(bot, ana, "Padaria Central")
    with bot.runtime.session() as session:
        row = session.get(Member, member_of(bruno).id)
        assert row is not None
        row.paused = True
        session.add(row)

    await boss.says("/passar")
    boss.sees("/passar 42 bruno", "rodizio")
    await boss.says(f"/passar {lead} bruno")
    boss.sees("Bruno Silva está em pausa e não recebe leads agora.")
    await boss.says(f"/passar {lead} zeca")
    boss.sees("'zeca' não está no time ativo.")
    await boss.says(f"/passar {lead} ana")
    boss.sees("Esses leads já são de Ana Silva.")
    await boss.says(f"/passar {lead} rodizio")
    boss.sees("Um lead vai para uma pessoa: diga para quem.")
    await boss.says("/passar 999 ana")
    boss.sees("Lead #999 não existe.")
    await boss.says("/passar ² ana")
    boss.sees("não é o número de um lead")
    await boss.says("/passar zeca ana")
    boss.sees("'zeca' não está no time ativo.")
    await boss.says("/passar ana rodizio")  # Bruno is paused: no one to deal to
    boss.sees("Não há vendedores ativos (fora de pausa) para dividir os leads.")
    stranger = bot.person("Zeca")
    await stranger.says("/start")
    await boss.presses_data(f"ra:l:{lead}:999")  # a forged receiver
    boss.sees("não está no time ativo")
    await boss.presses_data(f"ra:l:{lead}:{member_of(bruno).id}")  # paused meanwhile
    boss.sees("está em pausa")

    await ana.says(f"/passar {lead} ana")
    ana.sees("Só gestores passam leads de um vendedor para outro.")
    for data in (f"ra:l:{lead}:{member_of(ana).id}", f"ra:a:{member_of(ana).id}:{member_of(boss).id}", "ra:r:2"):
        await ana.presses_data(data)
        ana.sees("Só gestores passam leads de um vendedor para outro.")
    assert owners(bot, [lead]) == {lead: member_of(ana).id}
    assert owner_changes(bot) == []


async def test_a_deactivation_is_in_the_history_too(bot: BotUnderTest) -> None:
    boss = await bot.member("Helena", role=Role.MANAGER)
    ana = await bot.member("Ana")
    bruno = await bot.member("Bruno")
    lead = add_lead(bot, ana, "Padaria Central")
    cadence.start_cadence(bot.runtime, member_of(ana), lead, confirmed=True)
    await boss.says("/equipe")
    await boss.taps("Desativar Ana")
    await boss.taps("Bruno Silva")
    await boss.taps("Confirmar")
    assert owner_changes(bot) == [
        (lead, member_of(ana).id, member_of(bruno).id, member_of(boss).id, "chat", "deactivation")
    ]


async def test_english_managers_and_reps_get_english(bot: BotUnderTest) -> None:
    boss = await bot.member("John", role=Role.MANAGER, language_code="en")
    ana = await bot.member("Ana", language_code="en")
    bruno = await bot.member("Bruno", language_code="en")
    lead = add_lead(bot, ana, "Padaria Central")
    await boss.says(f"/reassign {lead} to bruno")
    boss.sees(f"Lead #{lead} Padaria Central went from Ana Silva to Bruno Silva.", "Reminders that went along: 0.")
    bruno.sees(f"You received lead #{lead} Padaria Central from Ana Silva. Open it with /lead {lead}.")
    ana.sees(f"Lead #{lead} Padaria Central went to Bruno Silva.")
    await boss.says("/reassign bruno rr")
    boss.sees("The open leads of Bruno Silva (1) went:", "1 lead to Ana Silva")
    ana.sees("You received 1 lead from Bruno Silva.")
    await boss.says("/bulkstart tier A")
    boss.sees("Tier A leads", "0 leads in all; I will start the cadence of 0 leads.", "Nothing to start.")
    await boss.says("/bulkstart list")
    boss.sees("Say which leads: campaign NAME, tier A (A, B, C or D) or import N.")
    await boss.says("/leads hot")
    boss.sees("There is no filter 'hot'.")


@pytest.mark.postgres
async def test_reassigning_on_postgres(pg_bot: BotUnderTest) -> None:
    await test_all_open_leads_of_a_rep_go_to_another_or_round_robin(pg_bot)
