"""/leads: pages, filters, and a page button pressed after the list got shorter."""

from __future__ import annotations

from sqlmodel import col, select

from bot.domain.lead_fields import LeadDraft
from bot.domain.vocabulary import Stage
from bot.services import leads
from bot.storage.models import Lead
from tests.tg.harness import BotUnderTest, Person


def _leads_of(bot: BotUnderTest, person: Person, count: int) -> None:
    assert person.member is not None
    for n in range(count):
        leads.create_lead(bot.runtime, person.member, LeadDraft.read({"company": f"Empresa {n:02d}", "uf": "SP"}))


async def test_ten_leads_make_two_pages_newest_first(bot: BotUnderTest) -> None:
    ana = await bot.member("Ana")
    _leads_of(bot, ana, 10)

    await ana.says("/leads")
    first = ana.sees("Seus leads (10) · página 1 de 2", "Empresa 09", "Empresa 02")
    assert "Empresa 01" not in first
    await ana.taps("➡️")
    second = ana.sees("página 2 de 2", "Empresa 01", "Empresa 00")
    assert "Empresa 02" not in second
    assert "➡️" not in ana.buttons() and "⬅️" in ana.buttons()


async def test_a_page_that_no_longer_exists_shows_the_last_one(bot: BotUnderTest) -> None:
    ana = await bot.member("Ana")
    _leads_of(bot, ana, 10)
    await ana.says("/leads abertos")
    ana.sees("Leads abertos (10) · página 1 de 2")
    list_message = bot.api.last_message(ana.id).message_id

    with bot.runtime.session() as session:  # three are lost meanwhile (another chat, a manager)
        lost = select(Lead).where(col(Lead.company).in_(["Empresa 00", "Empresa 01", "Empresa 02"]))
        for lead in session.exec(lost):
            lead.stage = Stage.LOST.value
            session.add(lead)
    await ana.taps("➡️", message_id=list_message)  # the old message still offers page 2

    shown = ana.sees("Leads abertos (7)", "Empresa 09", "Empresa 03")
    assert "página" not in shown and "Empresa 02" not in shown


async def test_a_rep_with_no_leads_is_told_how_to_add_one(bot: BotUnderTest) -> None:
    ana = await bot.member("Ana")
    await ana.says("/leads")
    ana.sees("Seus leads (0)", "Nenhum lead aqui. Use /novo para cadastrar um.")
    await ana.presses_data("pg:all:3")  # a forged or stale page number: the same empty list
    assert "Seus leads (0)" in ana.last_text()
