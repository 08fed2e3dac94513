"""Cadences per segment, moving a lead to another cadence and reopening a lost lead, as
dialogues through the real Application (bad input and a restart mid-flow included)."""

from __future__ import annotations

from sqlmodel import col, select

from bot.domain.vocabulary import CadenceEventKind, Outcome, ReminderKind, ReminderState, Role
from bot.services.cadence import StaleAction
from bot.services.team import NotAllowed
from bot.storage.models import CadenceEvent, Lead, Reminder, StageChange, Touch
from bot.tg.callbacks import LogOutcome
from tests.tg.harness import BotUnderTest, Person
from tests.tg.test_cadence import lead_for, started


def lead_row(bot: BotUnderTest, lead_id: int) -> Lead:
    with bot.runtime.session() as session:
        lead = session.get(Lead, lead_id)
        assert lead is not None
        return lead


def events(bot: BotUnderTest, lead_id: int) -> list[CadenceEvent]:
    with bot.runtime.session() as session:
        statement = select(CadenceEvent).where(CadenceEvent.lead_id == lead_id).order_by(col(CadenceEvent.id))
        return list(session.exec(statement))


def live_reminders(bot: BotUnderTest, lead_id: int, kind: ReminderKind) -> list[Reminder]:
    with bot.runtime.session() as session:
        statement = select(Reminder).where(
            Reminder.lead_id == lead_id,
            Reminder.kind == kind.value,
            col(Reminder.state).in_([ReminderState.PENDING.value, ReminderState.SNOOZED.value]),
        )
        return list(session.exec(statement))


# ---------------------------------------------------------------------------- per segment


async def test_a_large_account_gets_the_field_cadence_and_the_card_names_it(bot: BotUnderTest) -> None:
    ana = await bot.member("Ana")
    lead_id = await started(bot, ana, headcount="900")
    ana.sees("Passo 1 de 7", "Cadência: Contas grandes (com visita)")
    await ana.taps("Não atendeu")
    with bot.runtime.session() as session:
        [touch] = session.exec(select(Touch).where(Touch.lead_id == lead_id)).all()
    assert touch.cadence_id == "campo" and lead_row(bot, lead_id).cadence_id == "campo"


async def test_a_lead_from_marketing_gets_the_inbound_cadence(bot: BotUnderTest) -> None:
    ana = await bot.member("Ana")
    await started(bot, ana, campaign="Inbound Webinar")
    ana.sees("Passo 1 de 4", "Retorno ao contato", "Cadência: Inbound (marketing)")


async def test_any_other_lead_gets_the_digital_cadence(bot: BotUnderTest) -> None:
    ana = await bot.member("Ana")
    await started(bot, ana)
    ana.sees("Passo 1 de 6", "Cadência: Digital")


# ---------------------------------------------------------------------------- moving


async def test_the_rep_moves_a_lead_to_another_cadence_and_its_reminder_follows(bot: BotUnderTest) -> None:
    ana = await bot.member("Ana")
    lead_id = await started(bot, ana)
    await ana.taps("Não atendeu")  # now on step 2 of the digital cadence
    [before] = live_reminders(bot, lead_id, ReminderKind.STEP_DUE)
    assert before.step_id == "abordagem_2"
    await ana.says(f"/lead {lead_id}")
    await ana.taps("Cadência")
    ana.sees("Atual: Digital (6 passos)", "Mover para qual cadência?")
    assert "Inbound (marketing) · 4 passos" in ana.buttons()
    await ana.taps("Inbound (marketing) · 4 passos")
    ana.sees("🔀 Agora na cadência Inbound (marketing).", "Próximo passo: Retorno ao contato")
    assert "▶️ Passo atual" in ana.buttons()
    [after] = live_reminders(bot, lead_id, ReminderKind.STEP_DUE)
    assert after.step_id == "retorno_inbound"  # the one planner replaced the old reminder
    lead = lead_row(bot, lead_id)
    assert (lead.cadence_id, lead.current_step, lead.cadence_status) == ("inbound", "retorno_inbound", "active")
    [event] = events(bot, lead_id)
    assert (event.kind, event.from_cadence, event.to_cadence) == (CadenceEventKind.MOVED, "digital", "inbound")
    await ana.taps("Passo atual")
    ana.sees("Passo 1 de 4", "Cadência: Inbound (marketing)")


async def test_a_forged_cadence_or_a_lead_past_the_cadence_gets_a_short_answer(bot: BotUnderTest) -> None:
    bot.expected_errors = (StaleAction,)
    ana = await bot.member("Ana")
    lead_id = await started(bot, ana)
    await ana.presses_data(f"kv:{lead_id}:nao_existe")
    assert any("Isso já foi registrado" in alert for alert in ana.alerts())
    assert lead_row(bot, lead_id).cadence_id == "digital"
    booked = await lead_for(bot, ana)
    with bot.runtime.session() as session:
        lead = session.get(Lead, booked)
        assert lead is not None
        lead.stage = "meeting_booked"
        session.add(lead)
        session.commit()
    await ana.presses_data(f"kc:{booked}")
    assert any("não há cadência para trocar" in alert for alert in ana.alerts())


async def test_another_reps_lead_cannot_be_moved(bot: BotUnderTest) -> None:
    ana = await bot.member("Ana")
    bia = await bot.member("Bia")
    bot.expected_errors = (NotAllowed,)
    lead_id = await started(bot, ana)
    await bia.says("/leads")
    await bia.presses_data(f"kv:{lead_id}:inbound")
    assert any("Esse lead não é seu" in alert for alert in bia.alerts())
    assert lead_row(bot, lead_id).cadence_id == "digital"


# ---------------------------------------------------------------------------- reopening


async def lost_by_hand(bot: BotUnderTest, person: Person, lead_id: int, reason: str) -> None:
    await person.says(f"/lead {lead_id}")
    await person.taps("Perdido")
    await person.taps(reason)
    assert lead_row(bot, lead_id).stage == "lost"


async def test_a_lost_lead_is_reopened_with_a_picked_reason_back_to_its_stage(bot: BotUnderTest) -> None:
    ana = await bot.member("Ana")
    lead_id = await started(bot, ana)
    await lost_by_hand(bot, ana, lead_id, "Sem resposta até o fim da cadência")
    assert live_reminders(bot, lead_id, ReminderKind.RECYCLE)  # it would come back in 90 days
    await ana.says(f"/lead {lead_id}")
    await ana.taps("Reabrir")
    ana.sees("Reabrir", "por quê?")
    await ana.taps("Respondeu à ruptura")
    ana.sees("↩️ Lead reaberto: de volta a “Em cadência”.")
    lead = lead_row(bot, lead_id)
    assert (lead.stage, lead.loss_reason, lead.cadence_status) == ("prospecting", None, "stopped")
    assert not live_reminders(bot, lead_id, ReminderKind.RECYCLE)  # reopened: no comeback planned
    with bot.runtime.session() as session:
        last = session.exec(
            select(StageChange).where(StageChange.lead_id == lead_id).order_by(col(StageChange.id).desc())
        ).first()
    assert last is not None and (last.from_stage, last.to_stage, last.reason) == ("lost", "prospecting", "respondeu")
    [event] = events(bot, lead_id)
    assert event.kind == CadenceEventKind.REOPENED and event.reason == "respondeu"
    # The rep goes on from the card: the cadence again, from the lead's cadence.
    await ana.taps("Cadência")
    await ana.taps("Inbound (marketing) · 4 passos")
    ana.sees("Agora na cadência Inbound (marketing)")
    assert lead_row(bot, lead_id).cadence_status == "active"


async def test_reopening_a_lead_that_is_not_lost_gets_a_clear_answer(bot: BotUnderTest) -> None:
    ana = await bot.member("Ana")
    lead_id = await started(bot, ana)
    await ana.presses_data(f"kr:{lead_id}")
    assert any("não está perdido" in alert and "Em cadência" in alert for alert in ana.alerts())
    await ana.presses_data(f"ky:{lead_id}:respondeu")
    assert sum("não está perdido" in alert for alert in ana.alerts()) == 2
    assert lead_row(bot, lead_id).stage == "prospecting" and events(bot, lead_id) == []


async def test_a_typed_reason_survives_bad_input_and_a_restart(bot: BotUnderTest) -> None:
    ana = await bot.member("Ana")
    lead_id = await started(bot, ana)
    await ana.taps("Atendeu")  # connected
    await lost_by_hand(bot, ana, lead_id, "Sem orçamento")
    await ana.says(f"/lead {lead_id}")
    await ana.taps("Reabrir")
    await ana.taps("Escrever o motivo")
    ana.sees("Escreva por que reabrir")
    await ana.says("x" * 301)
    ana.sees("⚠️ O motivo deve ter de 1 a 300 caracteres; o seu tem 301.")
    await bot.restart()
    await ana.says("Ligou de volta: o orçamento saiu em janeiro")
    ana.sees("↩️ Lead reaberto: de volta a “Conectado”.")
    [event] = events(bot, lead_id)
    assert (event.reason, event.note) == ("outro", "Ligou de volta: o orçamento saiu em janeiro")
    assert lead_row(bot, lead_id).stage == "connected"


async def test_a_stale_typed_reason_does_not_reopen_twice(bot: BotUnderTest) -> None:
    ana = await bot.member("Ana")
    lead_id = await started(bot, ana)
    await lost_by_hand(bot, ana, lead_id, "Sem resposta até o fim da cadência")
    await ana.says(f"/lead {lead_id}")
    await ana.taps("Reabrir")
    await ana.taps("Escrever o motivo")
    gil = await bot.member("Gil", role=Role.MANAGER)
    await gil.says("/leads")
    await gil.presses_data(f"ky:{lead_id}:por_engano")  # a manager reopened it meanwhile
    await ana.says("respondeu o e-mail")
    ana.sees("Este lead não está perdido")
    assert len(events(bot, lead_id)) == 1


# ---------------------------------------------------------------------------- /cadencias


async def test_the_manager_sees_results_per_cadence(bot: BotUnderTest) -> None:
    ana = await bot.member("Ana")
    gil = await bot.member("Gil", role=Role.MANAGER)
    await started(bot, ana, headcount="900")
    await ana.taps("Atendeu")
    await started(bot, ana)
    await ana.taps("Não atendeu")
    await ana.says("/cadencias")
    ana.sees("O relatório de cadências é só para gestores.")
    await gil.says("/cadencias")
    said = gil.sees("Contas grandes (com visita)", "Digital", "Reciclagem")
    assert "Respostas: 1 (100%)" in said and "Respostas: 0 (0%)" in said


# ---------------------------------------------------------------------------- resuming (the "what next?" after a reply)


async def test_a_stopped_cadence_resumes_after_the_step_that_was_answered(bot: BotUnderTest) -> None:
    ana = await bot.member("Ana")
    lead_id = await started(bot, ana)
    await ana.presses_data(LogOutcome(lead_id, "abordagem_1", Outcome.REPLIED).encode())
    assert lead_row(bot, lead_id).cadence_status == "stopped"
    await ana.taps("Retomar cadência")
    lead = lead_row(bot, lead_id)
    assert (lead.cadence_status, lead.current_step, lead.cadence_id) == ("active", "abordagem_2", "digital")
    [reminder] = live_reminders(bot, lead_id, ReminderKind.STEP_DUE)
    assert reminder.step_id == "abordagem_2"
    await lost_by_hand(bot, ana, lead_id, "Já usa ou escolheu um concorrente")
    bot.expected_errors = (StaleAction,)
    with bot.runtime.session() as session:
        replied = session.exec(select(Touch).where(Touch.lead_id == lead_id, Touch.outcome == "replied")).one()
    await ana.presses_data(f"rt:{replied.id}")  # the old button, once the lead is lost: nothing runs
    lead = lead_row(bot, lead_id)
    assert (lead.stage, lead.cadence_status) == ("lost", "finished")
    assert live_reminders(bot, lead_id, ReminderKind.STEP_DUE) == []
