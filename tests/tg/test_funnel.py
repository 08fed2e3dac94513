"""The funnel through the real Application: forged stage moves are refused, the lead card draws
only the moves the funnel allows, and a lead outside the ICP starts its cadence only when the
rep confirms it (fit before effort), which the report counts."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest
from sqlmodel import col, select

from bot.domain import funnel
from bot.domain.funnel import MoveRefused
from bot.domain.lead_fields import LeadDraft
from bot.domain.vocabulary import CLOSED_STAGES, Role, Stage
from bot.render.reports import render_chat, render_cli
from bot.services import cadence, leads
from bot.services.imports import Assignment, import_bytes
from bot.services.reports import report_for
from bot.services.team import NotAllowed
from bot.storage.db import read_scope
from bot.storage.models import FitOverride, Lead, Meeting, StageChange, Touch
from tests.tg.harness import BotUnderTest, Person
from tests.tg.test_cadence import lead_for, lead_row, started
from tests.tg.test_manager import says

STAGE_LABELS = {
    Stage.NEW: "Novo",
    Stage.PROSPECTING: "Em cadência",
    Stage.CONNECTED: "Conectado",
    Stage.MEETING_BOOKED: "Reunião agendada",
    Stage.MEETING_HELD: "Reunião realizada",
    Stage.PROPOSAL_SENT: "Proposta enviada",
    Stage.WON: "Ganho",
    Stage.LOST: "Perdido",
}
REFUSAL_LINES = ("Mudança de etapa não permitida", "Isso não cabe a um lead na etapa", "Esse motivo de perda")


def history(bot: BotUnderTest, lead_id: int) -> list[tuple[str | None, str, str | None]]:
    with bot.runtime.session() as session:
        rows = session.exec(select(StageChange).where(StageChange.lead_id == lead_id).order_by(col(StageChange.id)))
        return [(r.from_stage, r.to_stage, r.reason) for r in rows]


def everything_of(bot: BotUnderTest, lead_id: int) -> tuple[object, ...]:
    """What a refused move must leave as it was: the lead, its history, touches, meetings."""
    with bot.runtime.session() as session:
        lead = session.get(Lead, lead_id)
        assert lead is not None
        touches = session.exec(select(Touch.id).where(Touch.lead_id == lead_id)).all()
        meetings = session.exec(select(Meeting.id, Meeting.status).where(Meeting.lead_id == lead_id)).all()
        overrides = session.exec(select(FitOverride.id)).all()
    lead_state = (lead.stage, lead.cadence_status, lead.current_step, lead.loss_reason, lead.step_due_at)
    return lead_state, history(bot, lead_id), list(touches), list(meetings), list(overrides)


def put_at(bot: BotUnderTest, lead_id: int, stage: Stage, *, cadence: str | None = None) -> None:
    """Forge a lead's state directly in the database (a test's set-up, not a path of the bot)."""
    with bot.runtime.session() as session:
        lead = session.get(Lead, lead_id)
        assert lead is not None
        lead.stage = stage.value
        lead.cadence_status = cadence or ("finished" if stage in CLOSED_STAGES else "stopped")
        if lead.cadence_status == "active":
            lead.current_step = bot.runtime.playbook.cadence.steps[0].id
        if stage is Stage.LOST:
            lead.loss_reason = "fora_do_icp"
        session.add(lead)


def scheduled_meeting(bot: BotUnderTest, person: Person, lead_id: int) -> int:
    assert person.member is not None
    with bot.runtime.session() as session:
        meeting = Meeting(
            lead_id=lead_id,
            rep_id=person.member.id or 0,
            starts_at=bot.clock() - timedelta(hours=2),
            created_at=bot.clock() - timedelta(days=1),
        )
        session.add(meeting)
        session.flush()
        return meeting.id or 0


def forged_presses(bot: BotUnderTest, lead_id: int, source: Stage, target: Stage, meeting_id: int) -> list[str]:
    """Callback data asking to move the lead to ``target``, every way the chat could ask it."""
    step = bot.runtime.playbook.cadence.steps[0].id
    reasons = bot.runtime.playbook.loss_reasons(source) or bot.runtime.playbook.loss_reasons(Stage.NEW)
    return {
        Stage.NEW: [f"sg:{lead_id}:new"],
        Stage.PROSPECTING: [f"cs:{lead_id}", f"sg:{lead_id}:prospecting"],
        Stage.CONNECTED: [f"oc:{lead_id}:{step}:co", f"sg:{lead_id}:connected"],
        Stage.MEETING_BOOKED: [f"sg:{lead_id}:meeting", f"sg:{lead_id}:meeting_booked"],
        Stage.MEETING_HELD: [f"mt:{meeting_id}:held", f"sg:{lead_id}:meeting_held"],
        Stage.PROPOSAL_SENT: [f"sg:{lead_id}:proposal", f"sg:{lead_id}:proposal_sent"],
        Stage.WON: [f"sg:{lead_id}:won"],
        Stage.LOST: [f"sg:{lead_id}:lost", f"lr:{lead_id}:-:{reasons[0].id}"],
    }[target]


def assert_refused(bot: BotUnderTest, person: Person, before: tuple[object, ...], lead_id: int) -> str:
    assert isinstance(bot.errors[-1], MoveRefused), bot.errors[-1:]
    alert = person.alerts()[-1]
    assert alert.startswith(REFUSAL_LINES) and "\n" not in alert, alert
    assert person.replies() == []  # no question asked, no card drawn: one line, nothing else
    assert everything_of(bot, lead_id) == before
    return alert


@pytest.mark.parametrize(
    ("source", "target"), funnel.forbidden(), ids=[f"{s.value}->{t.value}" for s, t in funnel.forbidden()]
)
async def test_every_move_the_funnel_forbids_is_refused_from_forged_data(
    bot: BotUnderTest, source: Stage, target: Stage
) -> None:
    bot.expected_errors = (MoveRefused,)
    ana = await bot.member("Ana")
    lead_id = await lead_for(bot, ana)
    # An active cadence where a touch is the way to ask for the move, so that the refusal
    # comes from the funnel and not from a "no step to log" check.
    put_at(bot, lead_id, source, cadence="active" if target is Stage.CONNECTED else None)
    meeting_id = scheduled_meeting(bot, ana, lead_id)
    await ana.says(f"/lead {lead_id}")
    ana.replies()
    before = everything_of(bot, lead_id)
    presses = forged_presses(bot, lead_id, source, target, meeting_id)
    for data in presses:
        errors = len(bot.errors)
        await ana.presses_data(data)
        assert len(bot.errors) == errors + 1, data
        alert = assert_refused(bot, ana, before, lead_id)
        assert STAGE_LABELS[source] in alert, (data, alert)


async def test_the_qa_reproduction_won_on_a_brand_new_lead(bot: BotUnderTest, caplog: pytest.LogCaptureFixture) -> None:
    bot.expected_errors = (MoveRefused,)
    ana = await bot.member("Ana")
    lead_id = await lead_for(bot, ana)
    await ana.says(f"/lead {lead_id}")
    ana.replies()
    with caplog.at_level(logging.WARNING):
        await ana.presses_data(f"sg:{lead_id}:won")
    assert ana.alerts()[-1] == "Mudança de etapa não permitida: “Novo” → “Ganho”."
    assert lead_row(bot, lead_id).stage == "new"
    assert history(bot, lead_id) == [(None, "new", None)]
    assert f"lead {lead_id}: new → won by hand refused (not_in_funnel)" in caplog.text


async def test_hand_picked_refusals_along_a_real_dialogue(bot: BotUnderTest) -> None:
    bot.expected_errors = (MoveRefused,)
    ana = await bot.member("Ana")
    lead_id = await started(bot, ana)  # new → prospecting, by the real button
    ana.replies()
    for data, line in (
        (f"sg:{lead_id}:proposal", "Mudança de etapa não permitida: “Em cadência” → “Proposta enviada”."),
        (f"sg:{lead_id}:won", "Mudança de etapa não permitida: “Em cadência” → “Ganho”."),
        (f"sg:{lead_id}:meeting_held", "Mudança de etapa não permitida: “Em cadência” → “Reunião realizada”."),
    ):
        await ana.presses_data(data)
        assert ana.alerts()[-1] == line
    await ana.taps("Reunião agendada")  # the real way to book, from the step card
    await ana.says("quinta 10h")
    ana.replies()
    await ana.presses_data(f"sg:{lead_id}:won")
    assert ana.alerts()[-1] == "Mudança de etapa não permitida: “Reunião agendada” → “Ganho”."
    # Lost with a reason the playbook lists for another stage only.
    await ana.presses_data(f"lr:{lead_id}:-:preco")
    assert ana.alerts()[-1] == "Esse motivo de perda não vale para a etapa “Reunião agendada”."
    assert [to for _, to, _ in history(bot, lead_id)] == ["new", "prospecting", "meeting_booked"]
    # The legal moves still work: held (from the scheduled meeting), then won.
    bot.clock.advance(days=4)
    await ana.says(f"/lead {lead_id}")
    await ana.taps("Reunião aconteceu")
    await ana.taps("Ganho")
    assert [to for _, to, _ in history(bot, lead_id)] == ["new", "prospecting", "meeting_booked", "meeting_held", "won"]
    # Closed: nothing moves any more, not even to lost.
    before = everything_of(bot, lead_id)
    await ana.presses_data(f"lr:{lead_id}:-:sem_fit")
    assert ana.alerts()[-1] == "Mudança de etapa não permitida: “Ganho” → “Perdido”."
    assert everything_of(bot, lead_id) == before


async def test_an_english_rep_gets_the_refusal_in_english(bot: BotUnderTest) -> None:
    bot.expected_errors = (MoveRefused,)
    joe = await bot.member("Joe", language_code="en")
    lead_id = await lead_for(bot, joe)
    await joe.says(f"/lead {lead_id}")
    await joe.presses_data(f"sg:{lead_id}:won")
    assert joe.alerts()[-1] == "Stage move not allowed: “New” → “Won”."


async def test_disqualify_offers_the_reasons_of_the_stage_the_lead_leaves(bot: BotUnderTest) -> None:
    ana = await bot.member("Ana")
    lead_id = await started(bot, ana)
    await ana.taps("Atendeu")  # connected
    for answer in ("Decisor", "Dor clara", "Tem orçamento", "Em até 45 dias"):
        await ana.taps(answer)
    await ana.says(f"/lead {lead_id}")
    await ana.taps("ICP")
    await ana.taps("Desqualificar")
    labels = [b for b in ana.buttons()]
    assert labels == [r.label for r in bot.runtime.playbook.loss_reasons("connected")]
    await ana.taps(bot.runtime.playbook.loss_reasons("connected")[0].label)
    assert history(bot, lead_id)[-1] == ("connected", "lost", bot.runtime.playbook.loss_reasons("connected")[0].id)


# ------------------------------------------------------------------------- the lead card asks the funnel

CARD_MOVES = {
    # stage: the sg:<lead>:<code> buttons its card shows (no meeting pending, cadence not running)
    Stage.NEW: {"lost"},
    Stage.PROSPECTING: {"meeting", "lost"},
    Stage.CONNECTED: {"meeting", "lost"},
    Stage.MEETING_BOOKED: {"meeting", "lost"},
    Stage.MEETING_HELD: {"proposal", "won", "lost"},
    Stage.PROPOSAL_SENT: {"won", "lost"},
    Stage.WON: set(),
    Stage.LOST: set(),
}


@pytest.mark.parametrize("stage", list(Stage))
async def test_the_lead_card_draws_only_the_moves_the_funnel_allows(bot: BotUnderTest, stage: Stage) -> None:
    ana = await bot.member("Ana")
    lead_id = await lead_for(bot, ana)
    put_at(bot, lead_id, stage, cadence="not_started" if stage is Stage.NEW else None)
    await ana.says(f"/lead {lead_id}")
    data = [d for _, d, _ in ana.all_buttons() if d]
    codes = {d.split(":")[2] for d in data if d.startswith("sg:")}
    assert codes == CARD_MOVES[stage]
    assert (f"cs:{lead_id}" in data) is (stage is Stage.NEW)
    # Every move button the card draws is one the service then accepts (asked, not refused).
    for code in sorted(codes - {"lost", "meeting"}):
        await ana.presses_data(f"sg:{lead_id}:{code}")
        assert lead_row(bot, lead_id).stage == {"proposal": "proposal_sent", "won": "won"}[code]
        put_at(bot, lead_id, stage)


# ------------------------------------------------------------------------- fit before effort

OUTSIDE_ICP = {"company": "Padaria Pequena", "uf": "PR", "contact_name": "Mariana", "contact_phone": "41999990000"}


def overrides(bot: BotUnderTest) -> list[FitOverride]:
    with bot.runtime.session() as session:
        return list(session.exec(select(FitOverride).order_by(col(FitOverride.id))))


async def test_a_tier_d_lead_asks_before_starting_and_no_starts_nothing(bot: BotUnderTest) -> None:
    ana = await bot.member("Ana")
    assert ana.member is not None
    created = leads.create_lead(bot.runtime, ana.member, LeadDraft.read(OUTSIDE_ICP))
    lead_id = created.lead.id or 0
    assert created.result.tier.value == "D" and not created.result.knocked_out
    await ana.says(f"/lead {lead_id}")
    await ana.taps("Iniciar cadência")
    said = ana.sees("Este lead está fora do ICP (tier D). Iniciar mesmo assim?")
    assert "Padaria Pequena" in said
    assert [b.split(" ", 1)[1] for b in ana.buttons()] == ["Sim", "Não"]
    await ana.taps("Não")
    ana.sees("a cadência não foi iniciada")
    lead = lead_row(bot, lead_id)
    assert (lead.stage, lead.cadence_status) == ("new", "not_started")
    assert history(bot, lead_id) == [(None, "new", None)]
    assert overrides(bot) == []

    await ana.taps("Ficha do lead")
    await ana.taps("Iniciar cadência")
    ana.sees("fora do ICP")
    await ana.taps("Sim")
    ana.sees("Passo 1 de 6")
    lead = lead_row(bot, lead_id)
    assert (lead.stage, lead.cadence_status) == ("prospecting", "active")
    (override,) = overrides(bot)
    assert (override.lead_id, override.member_id, override.tier, override.knockouts) == (
        lead_id,
        ana.member.id,
        "D",
        "",
    )
    assert override.at == bot.clock()
    # A second "Sim" from the old message starts nothing twice and records nothing twice.
    await ana.presses_data(f"cy:{lead_id}:y")
    assert len(overrides(bot)) == 1


async def test_a_knocked_out_lead_names_the_knock_out_and_forged_presses_cannot_skip_the_question(
    bot: BotUnderTest,
) -> None:
    bot.expected_errors = (NotAllowed,)
    ana = await bot.member("Ana")
    bruno = await bot.member("Bruno")
    lead_id = await lead_for(bot, ana, registration="inativa")
    await ana.says(f"/lead {lead_id}")
    ana.replies()
    await ana.presses_data(f"cs:{lead_id}")  # the button's data, sent as is: still asks
    ana.sees("fora do ICP", "eliminado por Inscrição estadual inativa no SINTEGRA", "Iniciar mesmo assim?")
    assert lead_row(bot, lead_id).cadence_status == "not_started"
    await bruno.says("/leads")
    await bruno.presses_data(f"cy:{lead_id}:y")  # another rep's lead
    assert "não é seu" in bruno.alerts()[-1]
    assert overrides(bot) == [] and lead_row(bot, lead_id).stage == "new"
    await ana.taps("Sim")
    (override,) = overrides(bot)
    assert override.knockouts == "ie_inativa" and override.tier is not None


async def test_a_lead_inside_the_icp_starts_without_a_question(bot: BotUnderTest) -> None:
    ana = await bot.member("Ana")
    await started(bot, ana)
    ana.sees("Passo 1 de 6")
    assert overrides(bot) == []


@pytest.mark.filterwarnings("ignore:Tasks created via `Application.create_task`")  # /relatorio, as in test_manager
async def test_the_report_counts_the_overrides_of_the_period(bot: BotUnderTest) -> None:
    ana = await bot.member("Ana")
    helena = await bot.member("Helena", role=Role.MANAGER)
    assert ana.member is not None
    confirmed = 0
    for n, answer in enumerate(("Sim", "Não", "Sim", "Não")):
        draft = LeadDraft.read({**OUTSIDE_ICP, "company": f"Padaria {n}"})
        lead = leads.create_lead(bot.runtime, ana.member, draft).lead
        await ana.says(f"/lead {lead.id}")
        await ana.taps("Iniciar cadência")
        await ana.taps(answer)
        confirmed += answer == "Sim"
    period_start, period_end = bot.clock() - timedelta(days=1), bot.clock() + timedelta(hours=1)
    bot.clock.advance(days=2)  # one more override, after the period
    lead = leads.create_lead(bot.runtime, ana.member, LeadDraft.read({**OUTSIDE_ICP, "company": "Padaria depois"})).lead
    await ana.says(f"/lead {lead.id}")
    await ana.taps("Iniciar cadência")
    await ana.taps("Sim")

    assert helena.member is not None
    with read_scope(bot.runtime.engine) as session:
        report = report_for(session, helena.member, start=period_start, end=period_end)
        whole = report_for(session, helena.member, start=None, end=None)
        other_rep = report_for(session, helena.member, start=None, end=None, rep_id=helena.member.id)
    assert confirmed == 2
    assert report.basic.fit_overrides == confirmed
    assert whole.basic.fit_overrides == confirmed + 1
    assert other_rep.basic.fit_overrides == 0
    assert f"Cadências fora do ICP (confirmadas): {confirmed}" in render_chat(report)
    (cli_line,) = [line for line in render_cli(report).splitlines() if line.startswith("cadências fora do ICP")]
    assert cli_line.split()[-1] == str(confirmed)
    await says(helena, "/relatorio tudo")  # the report runs off the update's turn
    helena.sees(f"Cadências fora do ICP (confirmadas): {confirmed + 1}")


# ------------------------------------------------------------------------- paths outside the chat


async def test_imported_leads_enter_the_funnel_at_its_entry_stage_whatever_the_sheet_says(bot: BotUnderTest) -> None:
    bot.expected_errors = (MoveRefused,)
    ana = await bot.member("Ana")
    assert ana.member is not None
    sheet = b"Empresa;UF;Vendedor;Etapa\nAlfa Fretes;PR;Ana;won\nBeta Cargas;SC;Ana;proposal_sent\n"
    result = import_bytes(bot.runtime, sheet, "lista.csv", playbook=bot.runtime.playbook, assignment=Assignment())
    assert result.imported == 2
    with bot.runtime.session() as session:
        imported = list(session.exec(select(Lead).order_by(col(Lead.id))))
    assert {lead.stage for lead in imported} == {funnel.ENTRY.value}
    for lead in imported:
        assert history(bot, lead.id or 0) == [(None, funnel.ENTRY.value, None)]
    with pytest.raises(MoveRefused):
        cadence.move_stage(bot.runtime, ana.member, imported[0].id or 0, Stage.WON)
    assert lead_row(bot, imported[0].id or 0).stage == "new"


async def test_disqualify_by_the_service_asks_the_funnel_too(bot: BotUnderTest) -> None:
    ana = await bot.member("Ana")
    assert ana.member is not None
    lead_id = await lead_for(bot, ana)
    put_at(bot, lead_id, Stage.PROPOSAL_SENT)
    before = everything_of(bot, lead_id)
    for reason in ("fora_do_icp", "", "no_such_reason"):  # not a reason of "proposal sent"
        with pytest.raises(MoveRefused) as refused:
            leads.disqualify(bot.runtime, ana.member, lead_id, reason)
        assert refused.value.why is funnel.Refusal.LOSS_REASON
        assert everything_of(bot, lead_id) == before
    leads.disqualify(bot.runtime, ana.member, lead_id, "preco")
    assert history(bot, lead_id)[-1] == ("proposal_sent", "lost", "preco")
    after = everything_of(bot, lead_id)
    with pytest.raises(MoveRefused) as refused:
        leads.disqualify(bot.runtime, ana.member, lead_id, "preco")  # lost is closed
    assert refused.value.why is funnel.Refusal.CLOSED
    assert everything_of(bot, lead_id) == after
