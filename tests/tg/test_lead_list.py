"""/leads: pages, filters, and a page button pressed after the list got shorter."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import col, select

from bot.domain.lead_fields import LeadDraft
from bot.domain.vocabulary import Stage
from bot.services import leads
from bot.storage.models import Lead, Member
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


def _many_leads(bot: BotUnderTest, person: Person, count: int) -> list[Lead]:
    """``count`` leads of ``person`` and a few of someone else's, in every stage, some due (with
    ties: several leads share a due moment), as a long-working rep has."""
    assert person.member is not None
    other = Member(telegram_id=999, role="rep", first_name="Outra", created_at=bot.clock())
    stages = [Stage.NEW, Stage.PROSPECTING, Stage.PROSPECTING, Stage.LOST, Stage.WON, Stage.CONNECTED]
    with bot.runtime.session() as session:
        session.add(other)
        session.flush()
        rows = []
        for n in range(count + 10):
            stage = stages[n % len(stages)]
            rows.append(
                Lead(
                    owner_id=(person.member.id if n < count else other.id) or 0,
                    company=f"Empresa {n:03d}",
                    company_key=f"empresa {n:03d}",
                    stage=stage.value,
                    step_due_at=bot.clock() - timedelta(hours=n % 7) if stage == Stage.PROSPECTING else None,
                    created_at=bot.clock(),
                )
            )
        session.add_all(rows)
    return rows


async def _press(person: Person, arrow: str) -> None:
    """Press the arrow itself (``taps`` matches labels by their words, and arrows have none)."""
    message = person.bot.api.last_message(person.id)
    assert message.reply_markup is not None
    (data,) = [b.callback_data for row in message.reply_markup.inline_keyboard for b in row if b.text == arrow]
    await person.presses_data(str(data), message.message_id)


def _shown_ids(person: Person) -> list[int]:
    return [int(label.split()[0][1:]) for label in person.buttons() if label.startswith("#")]


async def _turn_every_page(person: Person, header: str) -> tuple[list[int], list[str]]:
    """Tap ➡️ from the first page to the last; the leads shown and each page's header line."""
    shown, headers = _shown_ids(person), [person.last_text().splitlines()[0]]
    while "➡️" in person.buttons():
        await _press(person, "➡️")
        shown += _shown_ids(person)
        headers.append(person.last_text().splitlines()[0])
    assert all(h.startswith(header) for h in headers), headers
    return shown, headers


async def test_every_page_of_a_long_list_agrees_with_a_recount(bot: BotUnderTest) -> None:
    ana = await bot.member("Ana")
    rows = _many_leads(bot, ana, 100)
    mine = [lead for lead in rows if lead.owner_id == ana.member.id]  # type: ignore[union-attr]

    # Independent recount, in plain Python: newest first; the due ones most overdue first.
    every = [lead.id for lead in sorted(mine, key=lambda lead: -(lead.id or 0))]
    open_ = [lead.id for lead in sorted(mine, key=lambda lead: -(lead.id or 0)) if lead.stage not in ("won", "lost")]
    due = [
        lead.id
        for lead in sorted(mine, key=lambda lead: (lead.step_due_at or bot.clock(), -(lead.id or 0)))
        if lead.step_due_at is not None and lead.step_due_at <= bot.clock()
    ]
    pages = -(-len(every) // leads.PAGE_SIZE)

    await ana.says("/leads")
    shown, headers = await _turn_every_page(ana, f"Seus leads ({len(every)})")
    assert shown == every
    assert headers == [f"Seus leads ({len(every)}) · página {n} de {pages}" for n in range(1, pages + 1)]

    # Back to the first page, a page at a time: the same pages in reverse.
    back = [_shown_ids(ana)]
    while "⬅️" in ana.buttons():
        await _press(ana, "⬅️")
        back.insert(0, _shown_ids(ana))
    assert [lead_id for page in back for lead_id in page] == every
    assert ana.last_text().startswith(f"Seus leads ({len(every)}) · página 1 de {pages}")

    await ana.taps("Abertos")
    shown, _ = await _turn_every_page(ana, f"Leads abertos ({len(open_)})")
    assert shown == open_
    await ana.taps("Vencidos")
    shown, _ = await _turn_every_page(ana, f"Vencidos e de hoje ({len(due)})")
    assert shown == due and len(due) > leads.PAGE_SIZE
