"""/config and /hoje as dialogues."""

from __future__ import annotations

from sqlmodel import select

from bot.domain.lead_fields import LeadDraft
from bot.domain.vocabulary import Role
from bot.services import leads
from bot.storage.models import Member
from tests.tg.harness import BotUnderTest, Person


def member_row(bot: BotUnderTest, person: Person) -> Member:
    with bot.runtime.session() as session:
        return session.exec(select(Member).where(Member.telegram_id == person.id)).one()


async def test_a_rep_changes_hours_state_and_language(bot: BotUnderTest) -> None:
    ana = await bot.member("Ana")
    await ana.says("/config")
    ana.sees("Suas configurações", "09:00–18:00", "São Paulo")
    await ana.taps("Expediente")
    await ana.taps("08:00–17:00")
    assert (member_row(bot, ana).work_start, member_row(bot, ana).work_end) == ("08:00", "17:00")
    await ana.taps("Estado e fuso")
    await ana.taps("AM")
    row = member_row(bot, ana)
    assert (row.uf, row.timezone) == ("AM", "America/Manaus")
    await ana.taps("Idioma")
    await ana.taps("English")
    await ana.says("/ajuda")
    ana.sees("What I do")  # English at once: nothing stale in the member cache


async def test_custom_hours_are_typed_and_checked(bot: BotUnderTest) -> None:
    ana = await bot.member("Ana")
    await ana.says("/config")
    await ana.taps("Expediente")
    await ana.taps("outro")
    await ana.says("18h às 9h")
    ana.sees("⚠️")
    await ana.says("7:30-16:30")
    assert (member_row(bot, ana).work_start, member_row(bot, ana).work_end) == ("07:30", "16:30")


async def test_a_manager_pauses_a_rep_for_vacation(bot: BotUnderTest) -> None:
    boss = await bot.member("Helena", role=Role.MANAGER)
    ana = await bot.member("Ana")
    await ana.says("/config")
    assert not any("Equipe" in b for b in ana.buttons())  # reps do not manage the team
    await boss.says("/config")
    await boss.taps("Equipe")
    await boss.taps("Ana")
    assert member_row(bot, ana).paused
    await ana.says("/config")
    ana.sees("em pausa")


async def test_today_lists_what_is_due_and_overdue(bot: BotUnderTest) -> None:
    ana = await bot.member("Ana")
    await ana.says("/hoje")
    ana.sees("Nada vencendo hoje")
    assert ana.member is not None
    lead = leads.create_lead(bot.runtime, ana.member, LeadDraft.read({"company": "Padaria Central", "uf": "SP"})).lead
    await ana.says(f"/lead {lead.id}")
    await ana.taps("Iniciar cadência")
    await ana.taps("Sim")  # only a company and a UF: tier D, so it asks first (fit before effort)
    await ana.taps("Não atendeu")  # next step due tomorrow 10:00
    bot.clock.advance(days=3)  # Thursday: the step is overdue
    await ana.says("/hoje")
    ana.sees("Padaria Central")
