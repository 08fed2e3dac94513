"""A flow's last answer is applied once, even when the bot is killed right after it.

The conversation state is saved after the answer, as the update ends; a process killed in
between restarts with the flow still open. ``bot.killed(state)`` restarts the bot with the
conversation state captured *before* the last answer (``bot.saved_state()``), everything the
services committed being kept: the rep's next message must create nothing.
"""

from __future__ import annotations

from sqlmodel import col, select

from bot.storage.models import FlowResult, Lead, Meeting, Member
from bot.tg.flows import conversation
from tests.tg.harness import BotUnderTest, Person
from tests.tg.test_cadence import started, touches


def count(bot: BotUnderTest, table: type[Lead] | type[Meeting]) -> int:
    with bot.runtime.session() as session:
        return len(list(session.exec(select(table))))


def flow_states(state: list) -> list[object]:
    return [row.value for row in state if row.kind == "conversation:" + (conversation().name or "")]


async def up_to_the_last_question(ana: Person, skip: str = "Pular") -> None:
    await ana.says("/novo")
    await ana.says("Padaria Central")
    for _ in range(14):
        await ana.taps(skip)
    ana.sees("16/16")


async def test_killed_after_the_last_novo_answer_the_next_message_creates_no_second_lead(bot: BotUnderTest) -> None:
    ana = await bot.member("Ana")
    await up_to_the_last_question(ana)
    before = await bot.saved_state()
    assert flow_states(before) == ["asking"]  # what the restarted bot will believe
    await ana.says("Lista Padarias")
    ana.sees("Lead salvo", "Padaria Central")
    assert count(bot, Lead) == 1
    await bot.killed(before)

    await ana.says("oi, bom dia")
    assert ana.sees("já foi salvo") == "✅ Esse cadastro já foi salvo como lead #1."
    assert ana.buttons() == ["📇 Abrir lead #1"]
    assert count(bot, Lead) == 1
    await ana.taps("Abrir lead #1")
    ana.sees("Padaria Central")
    await ana.says("oi, bom dia")  # the flow is over: an ordinary message now
    ana.sees("Não entendi")
    assert count(bot, Lead) == 1
    with bot.runtime.session() as session:
        (ending,) = session.exec(select(FlowResult)).all()
        assert (ending.kind, ending.lead_id, ending.result_id) == ("lead", 1, 1)


async def test_killed_before_the_answer_was_written_the_answer_is_asked_again_and_saved_once(
    bot: BotUnderTest,
) -> None:
    ana = await bot.member("Ana")
    await up_to_the_last_question(ana)
    before = await bot.saved_state()
    await bot.killed(before)  # died before the lead was written: nothing lost, nothing doubled
    await ana.says("Lista Padarias")
    ana.sees("Lead salvo")
    await ana.says("Lista Padarias")
    ana.sees("Não entendi")
    assert count(bot, Lead) == 1


async def test_killed_after_the_meeting_time_the_same_time_again_books_nothing(bot: BotUnderTest) -> None:
    ana = await bot.member("Ana")
    lead_id = await started(bot, ana)
    await ana.taps("Reunião agendada")
    ana.sees("Para quando")
    before = await bot.saved_state()
    await ana.says("sexta 9:30")
    ana.sees("Reunião com Transportes Horizonte Ltda em 27/11/2026 09:30")
    await bot.killed(before)

    await ana.says("sexta 9:30")
    assert ana.sees("já foi marcada") == f"✅ Essa reunião já foi marcada (lead #{lead_id})."
    assert count(bot, Meeting) == 1


async def test_killed_after_yes_to_a_questioned_date_the_old_yes_books_nothing(bot: BotUnderTest) -> None:
    ana = await bot.member("Ana")
    await started(bot, ana)
    await ana.taps("Reunião agendada")
    await ana.says("sábado 10h")
    ana.sees("é sábado. Marcar mesmo assim?")
    before = await bot.saved_state()
    question = bot.api.last_message(ana.id).message_id
    yes = next(data for label, data, _ in ana.all_buttons() if label == "✅ Sim")
    await ana.taps("Sim")
    ana.sees("Reunião com")  # the question is edited into the booking: a client may still send its yes
    await bot.killed(before)

    await ana.presses_data(str(yes), question)
    ana.sees("já foi marcada")
    assert count(bot, Meeting) == 1


async def test_a_reschedule_killed_after_the_new_time_moves_the_meeting_once(bot: BotUnderTest) -> None:
    ana = await bot.member("Ana")
    lead_id = await started(bot, ana)
    await ana.taps("Reunião agendada")
    await ana.says("sexta 9:30")
    ana.sees("Reunião com")
    with bot.runtime.session() as session:
        first = session.exec(select(Meeting)).one()
    await ana.presses_data(f"mt:{first.id}:moved")
    ana.sees("Para quando")
    before = await bot.saved_state()
    await ana.says("25/11 15h")
    ana.sees("25/11/2026 15:00")
    await bot.killed(before)

    await ana.says("25/11 15h")
    ana.sees("já foi marcada")
    with bot.runtime.session() as session:
        found = list(session.exec(select(Meeting).order_by(col(Meeting.id))))
    assert [(m.status, m.rescheduled_to) for m in found] == [("rescheduled", found[1].id), ("scheduled", None)]
    assert all(m.lead_id == lead_id for m in found)


async def test_killed_after_a_note_the_same_note_is_not_appended_twice(bot: BotUnderTest) -> None:
    ana = await bot.member("Ana")
    await started(bot, ana)
    await ana.taps("Não atendeu")
    await ana.taps("Anotar")
    ana.sees("Escreva a nota")
    before = await bot.saved_state()
    await ana.says("Ligar depois das 14h")
    ana.sees("Nota salva")
    await bot.killed(before)

    await ana.says("Ligar depois das 14h")
    ana.sees("Essa nota já foi salva")
    (touch,) = touches(bot)
    assert touch.notes == "Ligar depois das 14h"


async def test_killed_after_editing_a_fact_the_next_message_is_not_taken_as_the_fact(bot: BotUnderTest) -> None:
    ana = await bot.member("Ana")
    await up_to_the_last_question(ana)
    await ana.taps("Pular")
    ana.replies()
    await ana.taps("Editar dados")
    await ana.taps("Cidade")
    before = await bot.saved_state()
    await ana.says("Campinas")
    ana.sees("Dados atualizados")
    await bot.killed(before)

    await ana.says("oi")
    ana.sees("Essa correção já foi salva no lead #1")
    with bot.runtime.session() as session:
        assert session.exec(select(Lead)).one().city == "Campinas"


async def test_killed_after_custom_hours_the_next_message_is_not_read_as_hours(bot: BotUnderTest) -> None:
    ana = await bot.member("Ana")
    await ana.says("/config")
    await ana.taps("Expediente")
    await ana.taps("Outro horário")
    ana.sees("início e o fim do expediente")
    before = await bot.saved_state()
    await ana.says("08:30-17:30")
    ana.sees("Salvo")
    await bot.killed(before)

    await ana.says("oi")
    ana.sees("Esse expediente já foi salvo")
    with bot.runtime.session() as session:
        member = session.exec(select(Member)).one()
    assert (member.work_start, member.work_end) == ("08:30", "17:30")


async def test_a_new_run_of_the_same_flow_is_not_mistaken_for_the_ended_one(bot: BotUnderTest) -> None:
    ana = await bot.member("Ana")
    await up_to_the_last_question(ana)
    await ana.says("Lista Padarias")
    await up_to_the_last_question(ana)
    await ana.says("Lista Padarias")
    ana.sees("Lead salvo")
    assert count(bot, Lead) == 2


async def test_in_english_the_ended_flow_is_named_in_english(bot: BotUnderTest) -> None:
    ann = await bot.member("Ann", language_code="en")
    await up_to_the_last_question(ann, "Skip")
    before = await bot.saved_state()
    await ann.says("Bakeries")
    ann.sees("Lead saved")
    await bot.killed(before)
    await ann.says("hi")
    assert ann.sees("already saved") == "✅ That entry was already saved as lead #1."
    assert ann.buttons() == ["📇 Open lead #1"]
