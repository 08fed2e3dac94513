"""One booking is one SQL, however it was rescheduled, wherever it is counted (issue 9).

QA's case: a rep books a meeting from the step card ("📅 Reunião agendada", "amanhã 10h") and
reschedules it twice; the report said 4 SQL while the funnel said 1. The report text
(/relatorio), the leaderboard and ``cadencia report`` must each say 1 — on SQLite and on
PostgreSQL. The definition is bot.domain.metrics'.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import Engine
from sqlmodel import col, select

from bot.cli.main import main as cadencia
from bot.config import Settings
from bot.domain.lead_fields import LeadDraft
from bot.domain.playbook.model import Playbook
from bot.domain.vocabulary import Outcome, Role
from bot.render import charts
from bot.services import cadence, leads, reports
from bot.services.cadence import StaleAction
from bot.services.playbooks import remember_playbook
from bot.services.runtime import Runtime
from bot.storage.models import Meeting, Touch
from tests.tg.harness import BotUnderTest, FrozenClock, Person

# /relatorio and its ranking button run non-blocking (block=False), awaited by done() below.
pytestmark = pytest.mark.filterwarnings("ignore:Tasks created via `Application.create_task`")

LEAD = {
    "company": "Transportes Horizonte Ltda",
    "cnae": "4930-2/02",
    "uf": "PR",
    "headcount": "120",
    "contact_name": "Mariana Souza",
    "contact_phone": "+55 41 99999-0000",
    "campaign": "Logística Sul",
}


@pytest.fixture
async def team_bot(engine: Engine, default_playbook: Playbook, clock: FrozenClock) -> AsyncIterator[BotUnderTest]:
    """The bot on SQLite and on PostgreSQL (``engine`` is parametrised over both)."""
    settings = Settings(_env_file=None, database_url="sqlite://", telegram_bot_token="123:TEST")  # type: ignore[call-arg]
    runtime = Runtime(settings=settings, engine=engine, playbook=default_playbook, clock=clock)
    remember_playbook(runtime, default_playbook)
    under_test = BotUnderTest(runtime=runtime, clock=clock)
    await under_test.start()
    yield under_test
    await under_test.stop()
    under_test.check_requests()
    under_test.check_errors()


async def done() -> None:
    """Wait for the non-blocking handlers (the report runs in a thread)."""
    for _ in range(100):
        running = [t for t in asyncio.all_tasks() if "process_update_non_blocking" in t.get_name()]
        if not running:
            return
        await asyncio.wait(running, timeout=120)


def new_lead(bot: BotUnderTest, person: Person, **answers: str) -> int:
    assert person.member is not None
    return leads.create_lead(bot.runtime, person.member, LeadDraft.read({**LEAD, **answers})).lead.id or 0


def leaderboards(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, int]]:
    """{rep: SQL} of every leaderboard chart drawn from now on (the chart draws these bars)."""
    drawn: list[dict[str, int]] = []
    real = charts.leaderboard_chart

    def spy(report: reports.Report, *args: Any, **kwargs: Any) -> bytes:
        drawn.append({r.name: r.sql for r in report.adoption.reps})
        return real(report, *args, **kwargs)

    monkeypatch.setattr(charts, "leaderboard_chart", spy)
    return drawn


def cli_report(bot: BotUnderTest, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> str:
    url = bot.runtime.engine.url.render_as_string(hide_password=False)
    monkeypatch.setenv("DATABASE_URL", url)
    capsys.readouterr()
    assert cadencia(["report", "--from", "2026-11-01", "--to", "2026-11-30"]) == 0
    return capsys.readouterr().out


def cli_row(out: str, label: str) -> list[str]:
    (line,) = [line for line in out.splitlines() if line.startswith(label)]
    return line[len(label) :].split()


async def test_a_meeting_booked_on_the_step_card_and_rescheduled_twice_is_one_sql(
    team_bot: BotUnderTest, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    bot = team_bot
    helena = await bot.member("Helena", role=Role.MANAGER)
    ana = await bot.member("Ana")
    lead_id = new_lead(bot, ana)

    await ana.says(f"/lead {lead_id}")
    await ana.taps("Iniciar cadência")
    await ana.taps("Reunião agendada")
    ana.sees("Para quando ficou a reunião?")
    await ana.says("amanhã 10h")
    ana.sees("Reunião com Transportes Horizonte Ltda em 24/11/2026 10:00")
    for typed, shown in (("sexta 10h", "27/11/2026 10:00"), ("30/11 14:30", "30/11/2026 14:30")):
        await ana.says(f"/lead {lead_id}")
        await ana.taps("Remarcar")
        ana.sees("Para quando ficou a reunião?")
        await ana.says(typed)
        ana.sees(f"Reunião com Transportes Horizonte Ltda em {shown}")

    with bot.runtime.session() as session:
        (booked,) = session.exec(select(Touch).where(Touch.outcome == "meeting_booked")).all()
        meetings = session.exec(select(Meeting).order_by(col(Meeting.id))).all()
    _first, second, third = meetings
    assert [(m.touch_id, m.status, m.rescheduled_to) for m in meetings] == [
        (booked.id, "rescheduled", second.id),
        (None, "rescheduled", third.id),
        (None, "scheduled", None),
    ]

    drawn = leaderboards(monkeypatch)
    await helena.says("/relatorio")
    await done()
    said = helena.sees("Reuniões SQL marcadas: 1", "Reunião agendada: 1")
    assert "Logística Sul: 1 ·" in said  # the campaign row: SQL first
    await helena.taps("Ranking dos vendedores")
    await done()
    assert drawn == [{"Ana Silva": 1}]

    out = cli_report(bot, monkeypatch, capsys)
    assert cli_row(out, "reuniões SQL marcadas") == ["1"]
    sql_per_rep = out.split("SQL POR CAMPANHA × VENDEDOR")[1].split("\n\n")[0]
    assert re.search(r"Logística Sul\s+1\s*$", sql_per_rep, re.MULTILINE), sql_per_rep
    adoption = out.split("ADOÇÃO")[1]
    # vendedor, toques, ligações, mensagens, SQL, dias ativos, toques/dia útil
    assert cli_row(adoption.split("\n\n")[1], "Ana Silva")[3] == "1"


async def test_a_no_show_re_booked_and_a_booking_after_an_objection_count_once_each(bot: BotUnderTest) -> None:
    helena = await bot.member("Helena", role=Role.MANAGER)
    ana = await bot.member("Ana")
    first = new_lead(bot, ana)
    second = new_lead(bot, ana, company="Fretes Gama", campaign="Logística Norte")

    # First lead: booked on the step card, a no-show, re-booked from the no-show answer.
    await ana.says(f"/lead {first}")
    await ana.taps("Iniciar cadência")
    await ana.taps("Reunião agendada")
    await ana.says("amanhã 10h")
    bot.clock.advance(days=1, hours=2)
    await ana.says(f"/lead {first}")
    await ana.taps("No-show")
    await ana.taps(bot.runtime.playbook.reasons.no_show[0].label)
    ana.sees("No-show registrado")
    await ana.taps("Remarcar")
    await ana.says("sexta 15h")
    ana.sees("Reunião com Transportes Horizonte Ltda em 27/11/2026 15:00")
    # Pressing the old "Remarcar" again is refused: that no-show was already re-booked.
    bot.expected_errors = (StaleAction,)
    await ana.taps("Remarcar")
    assert any("já foi registrado" in alert for alert in ana.alerts())
    assert "Para quando" not in ana.sees()

    # Second lead: an objection, then "meeting booked"; the date question is cancelled and the
    # date is typed later from the lead card ("Marcar data da reunião"): still one SQL.
    await ana.says(f"/lead {second}")
    await ana.taps("Iniciar cadência")
    await ana.taps("Objeção")
    await ana.taps(bot.runtime.playbook.objections[0].label)
    await ana.taps("Reunião agendada")
    ana.sees("Para quando ficou a reunião?")
    await ana.says("/cancelar")
    await ana.says(f"/lead {second}")
    await ana.taps("Marcar data da reunião")
    await ana.says("sexta 16h")
    ana.sees("Reunião com Fretes Gama em 27/11/2026 16:00")

    with bot.runtime.session() as session:
        touches = {t.id: t.lead_id for t in session.exec(select(Touch).where(Touch.outcome == "meeting_booked"))}
        meetings = session.exec(select(Meeting).order_by(col(Meeting.id))).all()
    assert sorted(touches.values()) == [first, second]
    no_show, rebooked, typed_later = meetings
    assert (no_show.status, no_show.rescheduled_to, touches[no_show.touch_id or 0]) == ("no_show", rebooked.id, first)
    assert (rebooked.touch_id, rebooked.rescheduled_to) == (None, None)
    assert touches[typed_later.touch_id or 0] == second

    await helena.says("/relatorio")
    await done()
    said = helena.sees("Reuniões SQL marcadas: 2", "Reunião agendada: 2")
    assert "No-shows: 100,0% (1 de 1)" in said


async def test_a_lead_that_changed_campaign_is_one_company_in_the_team_totals(bot: BotUnderTest) -> None:
    ana = await bot.member("Ana")
    assert ana.member is not None
    runtime, me = bot.runtime, ana.member
    lead_id = new_lead(bot, ana, campaign="Lista A")
    cadence.start_cadence(runtime, me, lead_id)
    for campaign in ("Lista A", "Lista B"):
        if campaign == "Lista B":
            leads.update_facts(runtime, me, lead_id, {"campaign": campaign})
        step = leads.get_lead(runtime, me, lead_id).current_step or ""
        logged = cadence.log_outcome(runtime, me, lead_id, step, Outcome.CONNECTED)
        cadence.record_answer(runtime, me, logged.touch.id or 0, "contact_role", "decision_maker")
        bot.clock.advance(hours=1)
    cadence.book_meeting(runtime, me, lead_id, bot.clock() + timedelta(days=2))

    with runtime.session() as session:
        now = bot.clock()
        report = reports.build_report(session, start=now - timedelta(days=1), end=now + timedelta(days=1))
    by_campaign = {c.campaign: c for c in report.campaigns}
    # A lead is in one campaign: correcting it moved its history along, so it counts once.
    assert "Lista A" not in by_campaign and by_campaign["Lista B"].decision_makers == 1
    assert report.total.decision_makers == 1  # one company, not one per campaign
    assert [s.reached for s in report.funnel[:4]] == [1, 1, 1, 1]  # entered … meeting booked
    assert report.basic.sql_booked == 1 and report.total.per_sql(report.total.decision_makers) == 1
