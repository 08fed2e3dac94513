"""Meeting dates a person would accept, as dialogues on QA's "today": Wednesday 02/12/2026.

A day without a year that has passed, a weekend day and a holiday are questioned before the
meeting is booked; a meeting's result is refused before the meeting starts.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlmodel import col, select

from bot.storage.models import Lead, Meeting, Reminder, StageChange
from tests.tg.harness import BotUnderTest, FrozenClock, Person
from tests.tg.test_cadence import lead_for, lead_row, started

# Wednesday 2 December 2026, 10:00 in São Paulo.
TODAY = datetime(2026, 12, 2, 13, 0, tzinfo=UTC)


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(TODAY)


def meetings(bot: BotUnderTest) -> list[Meeting]:
    with bot.runtime.session() as session:
        return list(session.exec(select(Meeting).order_by(col(Meeting.id))))


async def asked_for_a_date(bot: BotUnderTest, person: Person) -> int:
    lead_id = await started(bot, person)
    await person.taps("Reunião agendada")
    person.sees("Para quando ficou a reunião?")
    return lead_id


async def test_a_passed_day_without_a_year_is_questioned_and_yes_books_next_year(bot: BotUnderTest) -> None:
    ana = await bot.member("Ana")
    lead_id = await asked_for_a_date(bot, ana)
    await ana.says("25/11 14:30")
    assert ana.sees("25/11 já passou") == "🤔 25/11 já passou — quis dizer 25/11/2027?"
    assert ana.buttons() == ["✅ Sim", "❌ Não"]
    assert meetings(bot) == []  # nothing booked while the question waits
    await ana.taps("Sim")
    ana.sees("Reunião com Transportes Horizonte Ltda em 25/11/2027 14:30")
    (meeting,) = meetings(bot)
    assert meeting.starts_at == datetime(2027, 11, 25, 17, 30, tzinfo=UTC)
    assert lead_row(bot, lead_id).stage == "meeting_booked"


async def test_no_to_a_passed_day_asks_for_the_date_again(bot: BotUnderTest) -> None:
    ana = await bot.member("Ana")
    await asked_for_a_date(bot, ana)
    await ana.says("25/11 14:30")
    ana.sees("já passou")
    await ana.taps("Não")
    ana.sees("Para quando ficou a reunião?")
    assert meetings(bot) == []
    await ana.says("03/12 14:30")
    ana.sees("Reunião com", "03/12/2026 14:30")


@pytest.mark.parametrize(
    ("typed", "question"),
    [
        ("05/12 10h", "05/12 é sábado. Marcar mesmo assim?"),
        ("sábado 10h", "05/12 é sábado. Marcar mesmo assim?"),
        ("domingo 10h", "06/12 é domingo. Marcar mesmo assim?"),
        ("25/12 10h", "25/12 é feriado (Natal). Marcar mesmo assim?"),
    ],
)
async def test_a_weekend_or_a_holiday_asks_and_no_asks_for_the_date_again(
    bot: BotUnderTest, typed: str, question: str
) -> None:
    ana = await bot.member("Ana")
    await asked_for_a_date(bot, ana)
    await ana.says(typed)
    assert ana.sees(question) == "🤔 " + question
    await ana.taps("Não")
    ana.sees("Para quando ficou a reunião?")
    assert meetings(bot) == []  # the touch "meeting booked" is logged; no meeting until a date is accepted
    await ana.says("04/12 10h")  # Friday
    ana.sees("Reunião com", "04/12/2026 10:00")
    (meeting,) = meetings(bot)
    assert meeting.starts_at == datetime(2026, 12, 4, 13, 0, tzinfo=UTC)


async def test_yes_to_a_holiday_books_it(bot: BotUnderTest) -> None:
    ana = await bot.member("Ana")
    await asked_for_a_date(bot, ana)
    await ana.says("25/12 10h")
    ana.sees("feriado (Natal)")
    await ana.taps("Sim")
    ana.sees("Reunião com", "25/12/2026 10:00")
    (meeting,) = meetings(bot)
    assert meeting.starts_at == datetime(2026, 12, 25, 13, 0, tzinfo=UTC)


async def test_yes_to_next_year_on_a_holiday_asks_about_the_holiday_too(bot: BotUnderTest) -> None:
    ana = await bot.member("Ana")
    await asked_for_a_date(bot, ana)
    await ana.says("20/11 10h")
    ana.sees("20/11 já passou — quis dizer 20/11/2027?")
    await ana.taps("Sim")
    ana.sees("20/11 é feriado (Dia Nacional de Zumbi e da Consciência Negra). Marcar mesmo assim?")
    assert meetings(bot) == []
    await ana.taps("Sim")
    ana.sees("Reunião com", "20/11/2027 10:00")
    assert len(meetings(bot)) == 1


async def test_a_state_holiday_of_the_rep_s_uf_is_questioned(bot: BotUnderTest, clock: FrozenClock) -> None:
    clock.set(datetime(2027, 7, 1, 13, 0, tzinfo=UTC))
    ana = await bot.member("Ana")  # a rep in SP (the default UF)
    await asked_for_a_date(bot, ana)
    await ana.says("09/07 10h")
    ana.sees("09/07 é feriado (Revolução Constitucionalista)")


async def test_another_date_typed_instead_of_answering_replaces_the_question(bot: BotUnderTest) -> None:
    ana = await bot.member("Ana")
    await asked_for_a_date(bot, ana)
    await ana.says("05/12 10h")
    ana.sees("sábado")
    await ana.says("amanhã 11h")
    ana.sees("Reunião com", "03/12/2026 11:00")
    question = next(m for m in reversed(bot.api.messages_to(ana.id)) if "sábado" in (m.text or ""))
    await ana.taps("Sim", message_id=question.message_id)  # the old question's button: the flow has ended
    assert len(meetings(bot)) == 1


async def test_an_older_question_s_button_answers_nothing(bot: BotUnderTest) -> None:
    ana = await bot.member("Ana")
    await asked_for_a_date(bot, ana)
    await ana.says("05/12 10h")
    saturday = bot.api.last_message(ana.id).message_id
    await ana.says("06/12 10h")  # typed instead of answering: a new question
    ana.sees("05/12 é sábado", "06/12 é domingo")
    await ana.taps("Sim", message_id=saturday)
    assert "já foi respondida" in ana.alerts()[-1]
    assert meetings(bot) == []
    await ana.taps("Sim")
    ana.sees("Reunião com", "06/12/2026 10:00")
    (meeting,) = meetings(bot)
    assert meeting.starts_at == datetime(2026, 12, 6, 13, 0, tzinfo=UTC)


async def test_a_restart_in_the_middle_of_a_confirmation_resumes_it(bot: BotUnderTest) -> None:
    ana = await bot.member("Ana")
    lead_id = await asked_for_a_date(bot, ana)
    await ana.says("25/11 14:30")
    ana.sees("já passou")
    await bot.restart()
    await ana.taps("Sim")
    ana.sees("Reunião com", "25/11/2027 14:30")
    assert lead_row(bot, lead_id).stage == "meeting_booked"


async def test_english_users_are_asked_in_english(bot: BotUnderTest) -> None:
    john = await bot.member("John", language_code="en")
    lead_id = await lead_for(bot, john)
    await john.says(f"/lead {lead_id}")
    await john.taps("Start cadence")
    await john.taps("Meeting booked")
    await john.says("25/12 10h")
    assert john.sees("holiday").endswith("Dec 25 is a holiday (Christmas Day). Book it anyway?")
    assert john.buttons() == ["✅ Yes", "❌ No"]
    await john.taps("No")
    await john.says("25/11 14:30")
    john.sees("Nov 25 has passed — did you mean Nov 25, 2027?")


async def test_a_result_before_the_meeting_starts_is_refused_and_nothing_changes(bot: BotUnderTest) -> None:
    ana = await bot.member("Ana")
    lead_id = await asked_for_a_date(bot, ana)
    await ana.says("04/12 10h")
    ana.sees("Reunião com")
    with bot.runtime.session() as session:
        before = (
            len(session.exec(select(StageChange)).all()),
            sorted((r.kind, r.state) for r in session.exec(select(Reminder).where(Reminder.lead_id == lead_id))),
        )
    await ana.says(f"/lead {lead_id}")
    ana.sees("Reunião: 04/12/2026 10:00")
    await ana.taps("Reunião aconteceu")
    assert ana.sees("ainda não começou") == (
        "⏳ A reunião ainda não começou (começa em 04/12/2026 10:00). Registre o resultado depois do início."
    )
    await ana.taps("No-show")
    ana.sees("ainda não começou")
    bot.clock.set(datetime(2026, 12, 4, 12, 59, tzinfo=UTC))  # 09:59, one minute before
    await ana.taps("Reunião aconteceu")
    ana.sees("ainda não começou")
    (meeting,) = meetings(bot)
    assert (meeting.status, meeting.resolved_at) == ("scheduled", None)
    with bot.runtime.session() as session:
        after = (
            len(session.exec(select(StageChange)).all()),
            sorted((r.kind, r.state) for r in session.exec(select(Reminder).where(Reminder.lead_id == lead_id))),
        )
        lead = session.get(Lead, lead_id)
    assert after == before and lead is not None and lead.stage == "meeting_booked"

    bot.clock.set(datetime(2026, 12, 4, 13, 0, tzinfo=UTC))  # 10:00: it has started
    await ana.taps("Reunião aconteceu")
    ana.sees("Reunião registrada como realizada")
    (meeting,) = meetings(bot)
    assert meeting.status == "held" and lead_row(bot, lead_id).stage == "meeting_held"


async def test_a_no_show_reason_from_a_list_shown_early_is_still_refused_before_the_start(bot: BotUnderTest) -> None:
    ana = await bot.member("Ana")
    lead_id = await asked_for_a_date(bot, ana)
    await ana.says("04/12 10h")
    meeting_id = meetings(bot)[0].id
    reason = bot.runtime.playbook.reasons.no_show[0]
    await ana.presses_data(f"ns:{meeting_id}:{reason.id}")  # a forged or old reason button
    ana.sees("ainda não começou")
    assert meetings(bot)[0].status == "scheduled"
    bot.clock.set(datetime(2026, 12, 4, 14, 0, tzinfo=UTC))
    await ana.says(f"/lead {lead_id}")
    await ana.taps("No-show")
    await ana.taps(reason.label)
    ana.sees("No-show registrado")
    assert (meetings(bot)[0].status, meetings(bot)[0].no_show_reason) == ("no_show", reason.id)
