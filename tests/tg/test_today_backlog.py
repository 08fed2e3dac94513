"""/hoje with a long overdue backlog: it lists the 15 most overdue steps and says truthfully how
many more there are (a recount of the database), "99+" past what it counts."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func
from sqlmodel import col, select

from bot.domain.lead_fields import LeadDraft
from bot.services import cadence, leads, tasks
from bot.storage.models import Lead, Task
from tests.tg.harness import BotUnderTest, Person


def _backlog(bot: BotUnderTest, ana: Person, n: int) -> None:
    """``n`` leads of Ana's whose first step falls due a minute apart (the cadences start one
    minute apart); then four days pass, so every one of them is overdue."""
    assert ana.member is not None
    for i in range(n):
        draft = LeadDraft.read({"company": f"Empresa {i:03d}", "uf": "SP"})
        lead = leads.create_lead(bot.runtime, ana.member, draft).lead
        cadence.start_cadence(bot.runtime, ana.member, lead.id, confirmed=True)
        bot.clock.advance(minutes=1)
    bot.clock.advance(days=4)


def _recount(bot: BotUnderTest, ana: Person) -> tuple[int, list[str]]:
    """Ana's overdue steps as the database holds them: how many, and the companies of the
    fifteen due first."""
    assert ana.member is not None
    zone = ZoneInfo(ana.member.timezone)
    day_start = datetime.combine(bot.clock().astimezone(zone).date(), datetime.min.time(), zone).astimezone(UTC)
    overdue = (
        col(Lead.owner_id) == ana.member.id,
        col(Lead.cadence_status) == "active",
        col(Lead.step_due_at) < day_start,
    )
    with bot.runtime.reading() as session:
        count = session.exec(select(func.count()).select_from(Lead).where(*overdue)).one()
        first = session.exec(
            select(Lead.company).where(*overdue).order_by(col(Lead.step_due_at), col(Lead.id)).limit(15)
        ).all()
    return int(count), list(first)


def _listed(text: str) -> list[str]:
    return re.findall(r"• (Empresa \d+) —", text)


async def test_today_lists_the_fifteen_most_overdue_and_counts_the_rest(bot: BotUnderTest) -> None:
    ana = await bot.member("Ana")
    _backlog(bot, ana, 40)
    count, first = _recount(bot, ana)
    assert count == 40

    await ana.says("/hoje")

    text = ana.sees(f"Atrasados ({count})", f"e mais {count - 15}.")
    assert _listed(text) == first == [f"Empresa {i:03d}" for i in range(15)]
    assert "Para hoje" not in text


async def test_a_backlog_past_the_count_shows_99_plus(bot: BotUnderTest) -> None:
    ana = await bot.member("Ana", language_code="en")
    _backlog(bot, ana, 120)
    count, first = _recount(bot, ana)
    assert count == 120  # more than the 99 /hoje counts

    await ana.says("/hoje")

    text = ana.sees("Overdue (99+)", "and over 84 more.")  # 99 counted, 15 listed: truly over 84
    assert _listed(text) == first
    # The most overdue one is paused: the list moves up by one; the count is still past 99.
    with bot.runtime.transaction() as session:
        session.exec(select(Lead).where(Lead.company == first[0])).one().cadence_status = "paused"
    await ana.says("/hoje")
    text = ana.sees("Overdue (99+)")
    assert _listed(text) == _recount(bot, ana)[1] == [*first[1:], "Empresa 015"]


async def test_steps_due_today_are_counted_apart_from_the_overdue(bot: BotUnderTest) -> None:
    ana = await bot.member("Ana")
    _backlog(bot, ana, 17)
    assert ana.member is not None
    bot.clock.advance(hours=-bot.clock().astimezone(ZoneInfo("America/Sao_Paulo")).hour + 7)  # 07:xx, before work
    for i in range(18):
        draft = LeadDraft.read({"company": f"Hoje {i:02d}", "uf": "SP"})
        lead = leads.create_lead(bot.runtime, ana.member, draft).lead
        cadence.start_cadence(bot.runtime, ana.member, lead.id, confirmed=True)  # due at 09:00 today

    await ana.says("/hoje")

    text = ana.sees("Atrasados (17)", "e mais 2.", "Para hoje (18)", "e mais 3.")
    assert text.count("• Hoje") == 15


async def test_a_follow_up_backlog_lists_the_ten_oldest_and_counts_the_rest(bot: BotUnderTest) -> None:
    ana = await bot.member("Ana")
    assert ana.member is not None
    lead = leads.create_lead(bot.runtime, ana.member, LeadDraft.read({"company": "Retornos SA", "uf": "SP"})).lead
    start = bot.clock()
    for i in range(25):  # follow-ups an hour apart, then a week passes: all 25 overdue
        tasks.create_task(bot.runtime, ana.member, lead.id, start + timedelta(hours=1 + i), f"retorno {i:02d}")
    bot.clock.advance(days=7)
    with bot.runtime.reading() as session:  # the recount, straight from the table
        due = session.exec(
            select(Task.note)
            .where(Task.member_id == ana.member.id, Task.state == "open", col(Task.due_at) < bot.clock())
            .order_by(col(Task.due_at))
        ).all()
    assert len(due) == 25

    await ana.says("/hoje")

    text = ana.sees(f"Retornos ({len(due)})", f"e mais {len(due) - 10}.")
    assert re.findall(r"— (retorno \d+)", text) == list(due[:10])

    # A backlog past what /hoje counts: it reads no further than 100 rows and says "99+".
    for i in range(25, 120):
        tasks.create_task(bot.runtime, ana.member, lead.id, bot.clock() + timedelta(minutes=1 + i), f"retorno {i:03d}")
    bot.clock.advance(days=1)
    await ana.says("/hoje")
    ana.sees("Retornos (99+)", "e mais de 89.")
