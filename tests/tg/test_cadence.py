"""Working a lead through the cadence, as dialogues: every outcome, objections,
qualification, the breakup, meetings, no-shows and later stages."""

from __future__ import annotations

from urllib.parse import parse_qs, urlparse

import pytest
from sqlmodel import col, select

from bot.domain.lead_fields import LeadDraft
from bot.domain.vocabulary import Outcome, Role
from bot.services import leads
from bot.services.cadence import StaleAction
from bot.services.leads import LeadNotFound
from bot.services.team import NotAllowed
from bot.storage.models import Lead, Meeting, Reminder, StageChange, Touch
from bot.tg.callbacks import BadCallback
from tests.tg.harness import BotUnderTest, Person

FULL = {
    "company": "Transportes Horizonte Ltda",
    "cnae": "4930-2/02",
    "uf": "PR",
    "headcount": "120",
    "revenue": "18 mi",
    "branches": "3",
    "registration": "ativa",
    "financial_score": "780",
    "contact_name": "Mariana Souza",
    "contact_role": "Diretora",
    "contact_phone": "+55 41 99999-0000",
    "contact_email": "mariana@horizonte.com.br",
    "contact_linkedin": "https://www.linkedin.com/in/mariana",
    "campaign": "Logística Sul",
}


async def lead_for(bot: BotUnderTest, person: Person, **answers: str) -> int:
    assert person.member is not None
    created = leads.create_lead(bot.runtime, person.member, LeadDraft.read({**FULL, **answers}))
    return created.lead.id or 0


async def started(bot: BotUnderTest, person: Person, **answers: str) -> int:
    lead_id = await lead_for(bot, person, **answers)
    await person.says(f"/lead {lead_id}")
    await person.taps("Iniciar cadência")
    return lead_id


def touches(bot: BotUnderTest) -> list[Touch]:
    with bot.runtime.session() as session:
        return list(session.exec(select(Touch).order_by(col(Touch.id))))


def lead_row(bot: BotUnderTest, lead_id: int) -> Lead:
    with bot.runtime.session() as session:
        lead = session.get(Lead, lead_id)
        assert lead is not None
        return lead


async def test_the_step_card_has_the_script_and_one_tap_actions(bot: BotUnderTest) -> None:
    ana = await bot.member("Ana")
    await started(bot, ana)
    card = ana.sees("Passo 1 de 6", "Abordagem 1", "Ligação", "+55 41 99999-0000")
    assert "Mariana" in card  # the script is rendered with the lead's data
    assert "📵 Não atendeu" in ana.buttons() and "🗣 Atendeu" in ana.buttons()


async def test_no_answer_walks_every_step_to_the_breakup_and_closes_as_no_response(bot: BotUnderTest) -> None:
    ana = await bot.member("Ana")
    lead_id = await started(bot, ana)
    steps = [s.id for s in bot.runtime.playbook.cadence.steps]
    for number, step in enumerate(steps, start=1):
        said = ana.sees(f"Passo {number} de {len(steps)}")
        if step == "abordagem_2":
            assert "Assunto" in said and "mariana@horizonte.com.br" in said
        if step == "abordagem_3":
            (wa,) = [url for label, _, url in ana.all_buttons() if url and "wa.me" in url]
            parsed = urlparse(wa)
            assert parsed.path == "/5541999990000" and "Mariana" in parse_qs(parsed.query)["text"][0]
        label = "Não atendeu" if "Ligação" in said else "Enviado, sem resposta"
        await ana.taps(label)
        if number < len(steps):
            ana.sees("Registrado. Próximo passo")
            await ana.taps("Ficha do lead")
            await ana.taps("Passo atual")
    ana.sees("perdido", "Sem resposta")
    lead = lead_row(bot, lead_id)
    assert (lead.stage, lead.loss_reason, lead.cadence_status) == ("lost", "sem_resposta", "finished")
    logged = touches(bot)
    assert [t.step_id for t in logged] == steps
    assert {t.outcome for t in logged} == {"no_answer"}
    assert all(t.playbook_version == bot.runtime.playbook.version for t in logged)
    assert logged[-1].step_kind == "breakup"


async def test_the_next_step_is_due_in_business_days_and_a_reminder_is_planned(bot: BotUnderTest) -> None:
    ana = await bot.member("Ana")
    lead_id = await started(bot, ana)
    await ana.taps("Não atendeu")
    said = ana.sees("Próximo passo: Abordagem 2")
    assert "24/11/2026 10:00" in said  # Monday 10:00 + 1 business day, São Paulo time
    with bot.runtime.session() as session:
        pending = session.exec(select(Reminder).where(Reminder.lead_id == lead_id, Reminder.state == "pending")).all()
    assert [(r.kind, r.step_id) for r in pending] == [("step_due", "abordagem_2")]


@pytest.mark.parametrize(
    ("tap", "stage", "cadence"),
    [
        ("Contato errado", "prospecting", "active"),
        ("Pular passo", "prospecting", "active"),
    ],
)
async def test_outcomes_that_keep_the_cadence_going(bot: BotUnderTest, tap: str, stage: str, cadence: str) -> None:
    ana = await bot.member("Ana")
    lead_id = await started(bot, ana)
    await ana.taps(tap)
    ana.sees("Próximo passo")
    lead = lead_row(bot, lead_id)
    assert (lead.stage, lead.cadence_status, lead.current_step) == (stage, cadence, "abordagem_2")


async def test_a_reply_stops_the_cadence(bot: BotUnderTest) -> None:
    ana = await bot.member("Ana")
    lead_id = await started(bot, ana)
    await ana.taps("Não atendeu")
    await ana.taps("Ficha do lead")
    await ana.taps("Passo atual")
    await ana.taps("Respondeu")
    ana.sees("parou")
    lead = lead_row(bot, lead_id)
    assert (lead.stage, lead.cadence_status, lead.step_due_at) == ("connected", "stopped", None)
    assert [t.outcome for t in touches(bot)] == ["no_answer", "replied"]


async def test_connected_runs_the_qualification_script(bot: BotUnderTest) -> None:
    ana = await bot.member("Ana")
    lead_id = await started(bot, ana)
    await ana.taps("Atendeu")
    ana.sees("Qualificação", "1/4")
    await ana.taps("Decisor")
    ana.sees("2/4")
    await ana.taps("Dor clara")
    await ana.taps("Precisa aprovar")
    ana.sees("4/4")
    await ana.taps("Em até 45 dias")
    ana.sees("Qualificação registrada")
    (touch,) = touches(bot)
    assert (touch.outcome, touch.contact_role, touch.pain, touch.budget, touch.intent) == (
        "connected",
        "decision_maker",
        "clear",
        "approval",
        "45d",
    )
    await ana.taps("Agendar reunião")
    ana.sees("Para quando")
    await ana.says("amanhã 15h")
    ana.sees("Reunião com Transportes Horizonte Ltda em 24/11/2026 15:00")
    lead = lead_row(bot, lead_id)
    assert lead.stage == "meeting_booked" and lead.cadence_status == "stopped"


async def test_an_objection_shows_its_answer_and_asks_what_happened(bot: BotUnderTest) -> None:
    ana = await bot.member("Ana")
    lead_id = await started(bot, ana)
    await ana.taps("Objeção")
    ana.sees("Qual objeção?")
    first = bot.runtime.playbook.objections[0]
    await ana.taps(first.label)
    ana.sees(first.label, "Resposta", "Pergunta de avanço", "E depois?")
    await ana.taps("Seguir a cadência")
    ana.sees("Próximo passo")
    (touch,) = touches(bot)
    assert (touch.outcome, touch.objection) == ("objection", first.id)
    assert lead_row(bot, lead_id).stage == "connected"


async def test_an_objection_that_ends_in_no_interest_records_both(bot: BotUnderTest) -> None:
    ana = await bot.member("Ana")
    lead_id = await started(bot, ana)
    await ana.taps("Objeção")
    objection = bot.runtime.playbook.objections[1]
    await ana.taps(objection.label)
    await ana.taps("Sem interesse")
    ana.sees("motivo da perda")
    reason = bot.runtime.playbook.loss_reasons("prospecting")[1]
    await ana.taps(reason.label)
    (touch,) = touches(bot)
    assert (touch.outcome, touch.objection, touch.loss_reason) == ("not_interested", objection.id, reason.id)
    assert lead_row(bot, lead_id).stage == "lost"


async def test_not_interested_asks_a_loss_reason(bot: BotUnderTest) -> None:
    ana = await bot.member("Ana")
    lead_id = await started(bot, ana)
    await ana.taps("Sem interesse")
    reason = bot.runtime.playbook.loss_reasons("prospecting")[0]
    await ana.taps(reason.label)
    ana.sees("perdido")
    lead = lead_row(bot, lead_id)
    assert (lead.stage, lead.loss_reason) == ("lost", reason.id)
    with bot.runtime.session() as session:
        lost = session.exec(select(StageChange).where(StageChange.to_stage == "lost")).one()
    assert (lost.from_stage, lost.reason) == ("prospecting", reason.id)


async def test_meeting_booked_then_no_show_then_rescheduled_then_held_then_won(bot: BotUnderTest) -> None:
    ana = await bot.member("Ana")
    lead_id = await started(bot, ana)
    await ana.taps("Reunião agendada")
    ana.sees("Para quando")
    await ana.says("ontem 10h")
    ana.sees("Não entendi")
    await ana.says("23/11 08:00")
    ana.sees("já passou")
    await ana.says("25/11 14:30")
    ana.sees("Reunião com", "25/11/2026 14:30")
    with bot.runtime.session() as session:
        kinds = sorted(r.kind for r in session.exec(select(Reminder).where(Reminder.state == "pending")))
    assert kinds == ["meeting_before", "meeting_check"]
    bot.clock.advance(days=2, hours=5)  # Wednesday 15:00: the 14:30 meeting has started
    await ana.says(f"/lead {lead_id}")
    await ana.taps("No-show")
    ana.sees("Por que não aconteceu?")
    reason = bot.runtime.playbook.reasons.no_show[0]
    await ana.taps(reason.label)
    ana.sees("No-show registrado")
    await ana.taps("Remarcar")
    await ana.says("sexta 10h")
    ana.sees("Reunião com")
    bot.clock.advance(days=2)  # Friday 15:00
    await ana.says(f"/lead {lead_id}")
    await ana.taps("Reunião aconteceu")
    ana.sees("realizada")
    await ana.taps("Proposta enviada")
    await ana.taps("Ganho")
    assert lead_row(bot, lead_id).stage == "won"
    with bot.runtime.session() as session:
        meetings = session.exec(select(Meeting).order_by(col(Meeting.id))).all()
        stages = [c.to_stage for c in session.exec(select(StageChange).order_by(col(StageChange.id)))]
    assert [(m.status, m.no_show_reason) for m in meetings] == [("no_show", reason.id), ("held", None)]
    assert stages == ["new", "prospecting", "meeting_booked", "meeting_held", "proposal_sent", "won"]


async def test_a_stale_button_does_not_log_twice(bot: BotUnderTest) -> None:
    bot.expected_errors = (StaleAction,)
    ana = await bot.member("Ana")
    await started(bot, ana)
    card = bot.api.last_message(ana.id)
    await ana.taps("Não atendeu", message_id=card.message_id)
    ana.replies()
    await ana.taps("Não atendeu", message_id=card.message_id)
    assert "já foi registrado" in ana.alerts()[-1]
    assert len(touches(bot)) == 1


async def test_a_forged_button_cannot_open_or_touch_another_reps_lead(bot: BotUnderTest) -> None:
    bot.expected_errors = (NotAllowed, LeadNotFound, BadCallback)
    ana = await bot.member("Ana")
    bruno = await bot.member("Bruno")
    lead_id = await lead_for(bot, ana)
    await bruno.says("/leads")
    bruno.replies()
    for forged in (
        f"lo:{lead_id}",
        f"cs:{lead_id}",
        f"oc:{lead_id}:abordagem_1:na",
        f"ed:{lead_id}",
        f"lr:{lead_id}:-:fora_do_icp",
        "lo:99999",
        "oc:1:x:zz",
        "lo:1;DROP",
        "garbage",
    ):
        await bruno.presses_data(forged)
        said = bruno.replies()
        assert not any("Transportes" in s for s in said), said
    answers = [r.params.get("text", "") for r in bot.api.requests_for("answerCallbackQuery")]
    assert any("não é seu" in a for a in answers)
    lead = lead_row(bot, lead_id)
    assert (lead.stage, lead.cadence_status) == ("new", "not_started")
    assert touches(bot) == []


async def test_a_manager_sees_the_teams_leads(bot: BotUnderTest) -> None:
    ana = await bot.member("Ana")
    boss = await bot.member("Helena", role=Role.MANAGER)
    lead_id = await lead_for(bot, ana)
    await boss.says(f"/lead {lead_id}")
    boss.sees("Transportes Horizonte")


async def test_disqualify_with_a_reason(bot: BotUnderTest) -> None:
    ana = await bot.member("Ana")
    lead_id = await lead_for(bot, ana)
    await ana.says(f"/lead {lead_id}")
    await ana.taps("ICP")
    await ana.taps("Desqualificar")
    reason = bot.runtime.playbook.loss_reasons("new")[0]
    await ana.taps(reason.label)
    lead = lead_row(bot, lead_id)
    assert (lead.stage, lead.loss_reason) == ("lost", reason.id)


async def test_restart_in_the_middle_of_a_meeting_date(bot: BotUnderTest) -> None:
    ana = await bot.member("Ana")
    lead_id = await started(bot, ana)
    await ana.taps("Reunião agendada")
    ana.sees("Para quando")
    await bot.restart()
    await ana.says("26/11 11h")
    ana.sees("Reunião com")
    assert lead_row(bot, lead_id).stage == "meeting_booked"
    assert [t.outcome for t in touches(bot)] == [Outcome.MEETING_BOOKED.value]


STEP_COUNT = 6
OUTCOME_TAPS = {
    "no_answer": None,  # label depends on the channel
    "wrong_contact": "Contato errado",
    "skipped": "Pular passo",
    "connected": "Atendeu",
    "replied": "Respondeu",
    "meeting_booked": "Reunião agendada",
    "objection": "Objeção",
    "not_interested": "Sem interesse",
}


@pytest.mark.parametrize("step_index", range(STEP_COUNT))
@pytest.mark.parametrize("outcome", list(OUTCOME_TAPS))
async def test_every_outcome_of_every_step(bot: BotUnderTest, step_index: int, outcome: str) -> None:
    playbook = bot.runtime.playbook
    assert len(playbook.cadence.steps) == STEP_COUNT
    step = playbook.cadence.steps[step_index]
    phone = step.channel.value == "phone"
    if (outcome == "connected" and not phone) or (outcome == "replied" and phone):
        pytest.skip(f"{outcome} is not offered on {step.channel.value}")
    ana = await bot.member("Ana")
    lead_id = await started(bot, ana)
    for _ in range(step_index):
        await ana.taps("Pular passo")
        await ana.taps("Ficha do lead")
        await ana.taps("Passo atual")
    ana.sees(f"Passo {step_index + 1} de {STEP_COUNT}")
    last = step_index == STEP_COUNT - 1
    label = OUTCOME_TAPS[outcome] or ("Não atendeu" if phone else "Enviado, sem resposta")
    await ana.taps(label)
    if outcome == "connected":
        for answer in ("Influenciador", "Dor vaga", "Sem orçamento", "Em até 90 dias"):
            await ana.taps(answer)
    elif outcome == "meeting_booked":
        await ana.says("quinta 10h")
    elif outcome == "objection":
        await ana.pages_to(playbook.objections[-1].label)
        await ana.taps(playbook.objections[-1].label)
        await ana.taps("Seguir a cadência")
    elif outcome == "not_interested":
        await ana.taps(playbook.loss_reasons("prospecting")[0].label)
    lead = lead_row(bot, lead_id)
    expected_stage, expected_cadence = {
        "no_answer": ("lost", "finished") if last else ("prospecting", "active"),
        "wrong_contact": ("lost", "finished") if last else ("prospecting", "active"),
        "skipped": ("lost", "finished") if last else ("prospecting", "active"),
        "connected": ("connected", "stopped") if last else ("connected", "active"),
        "replied": ("connected", "stopped"),
        "meeting_booked": ("meeting_booked", "stopped"),
        "objection": ("connected", "stopped") if last else ("connected", "active"),
        "not_interested": ("lost", "finished"),
    }[outcome]
    assert (lead.stage, lead.cadence_status) == (expected_stage, expected_cadence)
    if expected_cadence == "active":
        assert lead.current_step == playbook.cadence.steps[step_index + 1].id and lead.step_due_at is not None
    logged = touches(bot)
    assert len(logged) == step_index + 1
    assert (logged[-1].step_id, logged[-1].outcome, logged[-1].channel) == (step.id, outcome, step.channel.value)
    if outcome == "connected":
        assert (logged[-1].contact_role, logged[-1].intent) == ("influencer", "90d")
    if outcome == "objection":
        assert logged[-1].objection == playbook.objections[-1].id
    if outcome == "meeting_booked":
        with bot.runtime.session() as session:
            assert session.exec(select(Meeting)).one().status == "scheduled"


async def test_a_note_on_a_logged_touch(bot: BotUnderTest) -> None:
    ana = await bot.member("Ana")
    await started(bot, ana)
    await ana.taps("Não atendeu")
    await ana.taps("Anotar")
    ana.sees("Escreva a nota")
    await ana.says("y" * 1500)
    ana.sees("de 1 a 1000 caracteres")
    await ana.says("Secretária disse para ligar depois das 14h")
    ana.sees("Nota salva")
    (touch,) = touches(bot)
    assert touch.notes == "Secretária disse para ligar depois das 14h"
