"""Follow-ups ("⏰ Retorno"), the lead's history and what next after a reply, as dialogues."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlmodel import col, select

from bot.domain.tasks import TaskState
from bot.domain.vocabulary import ReminderKind, ReminderState, Role
from bot.services import tasks
from bot.services.cadence import StaleAction
from bot.services.tasks import TaskNotFound
from bot.storage.models import FlowResult, Lead, Reminder, Task, Touch
from bot.tg.callbacks import BadCallback
from tests.tg.harness import BotUnderTest, Person
from tests.tg.test_cadence import lead_for, started
from tests.tg.test_exactly_once import flow_states

# The frozen clock starts on Monday 23/11/2026 at 10:00 in São Paulo (13:00 UTC).


def all_tasks(bot: BotUnderTest) -> list[Task]:
    with bot.runtime.session() as session:
        return list(session.exec(select(Task).order_by(col(Task.id))))


def task_reminders(bot: BotUnderTest) -> list[Reminder]:
    with bot.runtime.session() as session:
        statement = select(Reminder).where(Reminder.kind == ReminderKind.TASK.value).order_by(col(Reminder.id))
        return list(session.exec(statement))


def lead_row(bot: BotUnderTest, lead_id: int) -> Lead:
    with bot.runtime.session() as session:
        lead = session.get(Lead, lead_id)
        assert lead is not None
        return lead


async def replied_on_step_2(bot: BotUnderTest, ana: Person) -> int:
    """No answer on the first call, then the prospect replies to the e-mail of step 2."""
    lead_id = await started(bot, ana)
    await ana.taps("Não atendeu")
    await ana.taps("Ficha do lead")
    await ana.taps("Passo atual")  # step 2: an e-mail
    await ana.taps("Respondeu")
    return lead_id


async def follow_up_from_the_card(ana: Person, lead_id: int) -> None:
    await ana.says(f"/lead {lead_id}")
    await ana.taps("Retorno")
    ana.sees("Quando retomar o contato com Transportes Horizonte Ltda?", "em 3 dias")


async def test_a_follow_up_from_the_lead_card_with_a_note(bot: BotUnderTest) -> None:
    ana = await bot.member("Ana")
    lead_id = await lead_for(bot, ana)
    await follow_up_from_the_card(ana, lead_id)
    await ana.says("quinta 14h")
    ana.sees("Retorno em 26/11/2026 14:00", "Sem nota")
    await ana.says("ligar depois das 14h, falar com a Mariana")
    said = ana.sees("Retorno marcado: Transportes Horizonte Ltda em 26/11/2026 14:00.", "falar com a Mariana")
    assert "eu te lembro em" not in said  # Thursday 14:00 is working time: reminded then
    (task,) = all_tasks(bot)
    assert (task.lead_id, task.state, task.note) == (
        lead_id,
        TaskState.OPEN,
        "ligar depois das 14h, falar com a Mariana",
    )
    assert task.due_at == datetime(2026, 11, 26, 17, 0, tzinfo=UTC)
    (reminder,) = task_reminders(bot)
    assert (reminder.due_at, reminder.state, task.reminder_id) == (task.due_at, "pending", reminder.id)
    await ana.taps("Ficha do lead")
    ana.sees("Transportes Horizonte Ltda")


async def test_moments_as_reps_type_them_and_no_note(bot: BotUnderTest) -> None:
    ana = await bot.member("Ana")
    lead_id = await lead_for(bot, ana)
    for typed, due in [
        ("em 3 dias", "26/11/2026 09:00"),
        ("amanhã 9h", "24/11/2026 09:00"),
        ("15/01", "15/01/2027 09:00"),
        ("segunda 14h", "30/11/2026 14:00"),
        ("em 2 horas", "23/11/2026 12:00"),
    ]:
        await follow_up_from_the_card(ana, lead_id)
        await ana.says(typed)
        ana.sees(f"Retorno em {due}")
        await ana.taps("Sem nota")
        ana.sees(f"Retorno marcado: Transportes Horizonte Ltda em {due}.")
    assert [t.note for t in all_tasks(bot)] == [""] * 5


async def test_a_past_moment_or_unreadable_text_is_asked_again_and_nothing_is_saved(bot: BotUnderTest) -> None:
    ana = await bot.member("Ana")
    lead_id = await lead_for(bot, ana)
    await follow_up_from_the_card(ana, lead_id)
    await ana.says("hoje 8h")
    assert ana.sees("⚠️") == "⚠️ Esse momento já passou. Mande um retorno no futuro, como amanhã 9h."
    await ana.says("quando der")
    ana.sees("⚠️ Não entendi 'quando der'. Exemplos: segunda 14h, em 3 dias, 15/01, amanhã 9h.")
    await ana.says("31/02 10h")
    ana.sees("⚠️ Essa data não existe")
    await ana.says("em 400 dias")
    ana.sees("⚠️ Esse retorno está a mais de um ano daqui")
    assert all_tasks(bot) == []
    await ana.says("amanhã 10h")  # still in the flow
    ana.sees("Retorno em 24/11/2026 10:00")
    await ana.says("x" * 501)
    ana.sees("⚠️ A nota deve ter de 1 a 500 caracteres; a sua tem 501.")
    await ana.says("/cancelar")
    ana.sees("cancelado")
    assert all_tasks(bot) == []


async def test_a_follow_up_on_a_holiday_says_when_the_reminder_comes(bot: BotUnderTest) -> None:
    ana = await bot.member("Ana")
    lead_id = await lead_for(bot, ana)
    await follow_up_from_the_card(ana, lead_id)
    await ana.says("25/12 10h")
    await ana.taps("Sem nota")
    ana.sees("em 25/12/2026 10:00", "Fora do seu horário de trabalho: eu te lembro em 28/12/2026 09:00.")
    (reminder,) = task_reminders(bot)
    assert reminder.due_at == datetime(2026, 12, 28, 12, 0, tzinfo=UTC)  # Monday 09:00 in São Paulo


async def test_a_forged_task_or_lead_is_refused_with_one_line(bot: BotUnderTest) -> None:
    bot.expected_errors = (TaskNotFound, BadCallback)
    ana = await bot.member("Ana")
    bia = await bot.member("Bia")
    lead_id = await lead_for(bot, ana)
    await follow_up_from_the_card(ana, lead_id)
    await ana.says("amanhã 10h")
    await ana.taps("Sem nota")
    (task,) = all_tasks(bot)
    await bia.says("/hoje")
    await bia.presses_data(f"tk:d:{task.id}")
    assert bia.alerts()[-1] == "Não encontrei esse retorno. Veja os seus em /hoje."
    await bia.presses_data("tk:d:999999")
    assert bia.alerts()[-1] == "Não encontrei esse retorno. Veja os seus em /hoje."
    await bia.presses_data(f"tk:s:{task.id}:1h")
    await bia.presses_data(f"tk:s:{task.id}:zz")
    assert all_tasks(bot)[0].state == TaskState.OPEN
    assert task_reminders(bot)[0].due_at == task.due_at


async def test_a_follow_up_on_someone_elses_lead_is_refused(bot: BotUnderTest) -> None:
    from bot.services.team import NotAllowed

    bot.expected_errors = (NotAllowed,)
    ana = await bot.member("Ana")
    bia = await bot.member("Bia")
    lead_id = await lead_for(bot, ana)
    await bia.says("/hoje")
    await bia.presses_data(f"tk:n:{lead_id}")
    assert bia.alerts()[-1] == "Esse lead não é seu. Abra os seus com /leads."
    await bia.says("amanhã 10h")
    bia.sees("Não entendi")  # no flow was started
    assert all_tasks(bot) == []


async def test_today_and_the_reminder_buttons(bot: BotUnderTest) -> None:
    ana = await bot.member("Ana")
    lead_id = await lead_for(bot, ana)
    await follow_up_from_the_card(ana, lead_id)
    await ana.says("hoje 15h")
    await ana.says("perguntar do orçamento")
    await ana.says("/hoje")
    ana.sees("Retornos (1)", "Transportes Horizonte Ltda · 23/11/2026 15:00 — perguntar do orçamento")
    assert "⏰ Transportes Horizonte Ltda" in ana.buttons()
    (task,) = all_tasks(bot)
    await ana.presses_data(f"tk:z:{task.id}")
    assert {"⏱ 1 hora", "🌅 Amanhã cedo"} <= set(ana.buttons())
    await ana.taps("Amanhã cedo")
    ana.sees("Retorno de Transportes Horizonte Ltda adiado para 24/11/2026 09:00.")
    assert task_reminders(bot)[0].state == ReminderState.SNOOZED
    await ana.presses_data(f"tk:d:{task.id}")
    ana.sees("✅ Retorno feito: Transportes Horizonte Ltda.")
    assert all_tasks(bot)[0].state == TaskState.DONE
    assert task_reminders(bot)[0].state == ReminderState.DONE
    await ana.presses_data(f"tk:d:{task.id}")  # a second press changes nothing
    assert all_tasks(bot)[0].state == TaskState.DONE
    await ana.says("/hoje")
    ana.sees("Nada vencendo hoje")


async def test_restart_in_the_middle_of_a_follow_up_loses_nothing(bot: BotUnderTest) -> None:
    ana = await bot.member("Ana")
    lead_id = await lead_for(bot, ana)
    await follow_up_from_the_card(ana, lead_id)
    await bot.restart()
    await ana.says("sexta 11h")
    ana.sees("Retorno em 27/11/2026 11:00")
    await bot.restart()
    await ana.says("levar proposta")
    ana.sees("Retorno marcado: Transportes Horizonte Ltda em 27/11/2026 11:00.")
    (task,) = all_tasks(bot)
    assert task.note == "levar proposta"


async def test_killed_after_the_note_the_next_message_is_not_a_second_task(bot: BotUnderTest) -> None:
    ana = await bot.member("Ana")
    lead_id = await lead_for(bot, ana)
    await follow_up_from_the_card(ana, lead_id)
    await ana.says("sexta 11h")
    before = await bot.saved_state()
    assert flow_states(before) == ["asking_task_note"]
    await ana.says("levar proposta")
    ana.sees("Retorno marcado")
    await bot.killed(before)
    await ana.says("levar proposta")
    assert ana.sees("já foi marcado") == f"✅ Esse retorno já foi marcado (lead #{lead_id})."
    assert len(all_tasks(bot)) == 1
    with bot.runtime.session() as session:
        (ending,) = session.exec(select(FlowResult)).all()
        assert (ending.kind, ending.lead_id) == ("task", lead_id)


async def test_replied_asks_what_next_and_a_follow_up_can_be_scheduled(bot: BotUnderTest) -> None:
    ana = await bot.member("Ana")
    lead_id = await replied_on_step_2(bot, ana)
    ana.sees("O prospect respondeu: a cadência parou. E agora?")
    assert ana.buttons() == [
        "📅 Agendar reunião",
        "⏰ Retorno",
        "▶️ Retomar cadência",
        "🙅 Sem interesse",
        "📝 Anotar",
    ]
    await ana.taps("Retorno")
    await ana.says("segunda 14h")
    await ana.taps("Sem nota")
    ana.sees("Retorno marcado")
    assert all_tasks(bot)[0].lead_id == lead_id


async def test_replied_then_resume_puts_the_lead_on_the_next_step(bot: BotUnderTest) -> None:
    ana = await bot.member("Ana")
    lead_id = await replied_on_step_2(bot, ana)
    await bot.restart()  # what next survives a restart: the buttons still work
    await ana.taps("Retomar cadência")
    ana.sees("Cadência retomada: Abordagem 3")
    lead = lead_row(bot, lead_id)
    assert (lead.cadence_status, lead.current_step, lead.stage) == ("active", "abordagem_3", "connected")
    with bot.runtime.session() as session:
        (live,) = session.exec(
            select(Reminder).where(Reminder.kind == ReminderKind.STEP_DUE.value, Reminder.state == "pending")
        ).all()
    assert live.step_id == "abordagem_3"
    bot.expected_errors = (StaleAction,)
    with bot.runtime.session() as session:
        replied = session.exec(select(Touch).where(Touch.outcome == "replied")).one()
    await ana.presses_data(f"ra:{replied.id}")  # pressed again: the cadence already runs
    assert ana.alerts()[-1].startswith("Isso já foi registrado")
    assert lead_row(bot, lead_id).current_step == "abordagem_3"


async def test_replied_then_book_or_lose(bot: BotUnderTest) -> None:
    ana = await bot.member("Ana")
    await replied_on_step_2(bot, ana)
    await ana.taps("Agendar reunião")
    ana.sees("Para quando ficou a reunião?")
    await ana.says("/cancelar")
    await ana.taps("Sem interesse", message_id=None)
    ana.sees("Qual o motivo da perda?")


async def test_after_qualification_a_follow_up_is_offered(bot: BotUnderTest) -> None:
    ana = await bot.member("Ana")
    await started(bot, ana)
    await ana.taps("Atendeu")
    for answer in ("Decisor", "Dor clara", "Precisa aprovar", "Em até 45 dias"):
        await ana.taps(answer)
    ana.sees("Qualificação registrada. E agora?")
    assert "⏰ Retorno" in ana.buttons() and "➡️ Seguir a cadência" in ana.buttons()


async def test_the_history_shows_touches_notes_answers_stages_meetings_and_tasks(bot: BotUnderTest) -> None:
    ana = await bot.member("Ana")
    await started(bot, ana)
    await ana.taps("Não atendeu")
    await ana.taps("Anotar")
    await ana.says("secretária pediu para ligar depois")
    await ana.taps("Ficha do lead")
    await ana.taps("Passo atual")
    await ana.taps("Objeção")
    await ana.taps("Não temos orçamento")
    await ana.taps("Seguir a cadência")
    await ana.taps("Ficha do lead")
    await ana.taps("Retorno")
    await ana.says("amanhã 10h")
    await ana.says("mandar case")
    await ana.taps("Ficha do lead")
    await ana.taps("Histórico")
    page = ana.sees("Histórico · Transportes Horizonte Ltda")
    lines = page.splitlines()
    assert "Retorno marcado para 24/11/2026 10:00" in page and "mandar case" in page
    assert "Objeção: Não temos orçamento" in page
    assert "Sem resposta · Ligação · passo 1 · ligacao_abertura (A) · playbook" in page and "playbook" in page
    assert "secretária pediu para ligar depois" in page
    assert "Etapa: Novo → Em cadência" in page
    assert "Ana Silva" in page and "23/11/2026 10:00" in page
    # newest first: the follow-up above the objection, the objection above the first call
    first = next(i for i, line in enumerate(lines) if "Retorno marcado" in line)
    objection = next(i for i, line in enumerate(lines) if "Objeção" in line)
    call = next(i for i, line in enumerate(lines) if "Sem resposta" in line)
    assert first < objection < call


async def test_the_history_pages_back_and_forth_within_telegram_limits(bot: BotUnderTest) -> None:
    ana = await bot.member("Ana")
    lead_id = await lead_for(bot, ana)
    assert ana.member is not None
    for day in range(1, 16):
        bot.clock.advance(minutes=1)
        tasks.create_task(
            bot.runtime,
            ana.member,
            lead_id,
            datetime(2026, 12, day, 15, 0, tzinfo=UTC),
            "nota longa " * 25,
        )
    await ana.says(f"/lead {lead_id}")
    await ana.taps("Histórico")
    first = ana.sees("Página 1 de 3").split("Histórico ·")[1]  # the card above shows the next one
    assert "01/12/2026" not in first  # newest first: the last one written is on page 1
    assert "Mais antigos ▶" in ana.buttons() and not any(b.startswith("◀") for b in ana.buttons())
    await ana.taps("Mais antigos")
    ana.sees("Página 2 de 3")
    await ana.taps("Mais antigos")
    ana.sees("Página 3 de 3")
    assert "◀ Mais recentes" in ana.buttons() and not any(b.endswith("▶") for b in ana.buttons())
    await ana.taps("Mais recentes")
    ana.sees("Página 2 de 3")
    await ana.presses_data(f"hp:{lead_id}:99")  # a page past the end: the last one
    ana.sees("Página 3 de 3")


async def test_the_history_of_someone_elses_lead_is_refused_but_a_manager_sees_it(bot: BotUnderTest) -> None:
    from bot.services.team import NotAllowed

    bot.expected_errors = (NotAllowed,)
    ana = await bot.member("Ana")
    bia = await bot.member("Bia")
    boss = await bot.member("Helena", role=Role.MANAGER)
    lead_id = await lead_for(bot, ana)
    await bia.says("/hoje")
    await bia.presses_data(f"hi:{lead_id}")
    assert bia.alerts()[-1] == "Esse lead não é seu. Abra os seus com /leads."
    await boss.says(f"/lead {lead_id}")
    await boss.taps("Histórico")
    boss.sees("Histórico · Transportes Horizonte Ltda", "Ana Silva", "Etapa: Novo")


async def test_in_english(bot: BotUnderTest) -> None:
    john = await bot.member("John", language_code="en")
    lead_id = await lead_for(bot, john)
    await john.says(f"/lead {lead_id}")
    await john.taps("Follow-up")
    john.sees("When should you follow up with Transportes Horizonte Ltda?", "in 3 days")
    await john.says("tomorrow 9am")
    john.sees("Follow-up on Nov 24, 2026 9:00 AM")
    await john.taps("No note")
    john.sees("Follow-up scheduled: Transportes Horizonte Ltda on Nov 24, 2026 9:00 AM.")
    await john.taps("Lead card")
    await john.taps("History")
    john.sees("History · Transportes Horizonte Ltda", "Follow-up scheduled for Nov 24, 2026 9:00 AM")


async def test_erasing_a_leads_personal_data_blanks_its_follow_up_notes(bot: BotUnderTest) -> None:
    marta = await bot.member("Marta", role=Role.MANAGER)
    ana = await bot.member("Ana")
    lead_id = await lead_for(bot, ana)
    await follow_up_from_the_card(ana, lead_id)
    await ana.says("amanhã 10h")
    await ana.says("ligar para a Mariana no celular 41 99999-0000")
    await marta.says(f"/lead {lead_id}")
    await marta.taps("Apagar dados pessoais")
    await marta.taps("Sim, apagar")
    marta.sees("apagados")
    (task,) = all_tasks(bot)
    assert (task.note, task.state) == ("", TaskState.OPEN)  # the follow-up itself stays, and is counted
    await marta.taps("Histórico")
    assert "99999" not in marta.sees("Retorno marcado para 24/11/2026 10:00")


async def test_an_older_replys_resume_button_does_not_move_a_lead_worked_since(bot: BotUnderTest) -> None:
    bot.expected_errors = (StaleAction,)
    ana = await bot.member("Ana")
    lead_id = await replied_on_step_2(bot, ana)
    with bot.runtime.session() as session:
        first_reply = session.exec(select(Touch).where(Touch.outcome == "replied")).one()
    await ana.taps("Retomar cadência")
    await ana.taps("Passo atual")  # step 3
    await ana.taps("Respondeu")
    ana.sees("E agora?")
    await ana.presses_data(f"ra:{first_reply.id}")  # the first reply's button, still in the chat
    assert ana.alerts()[-1].startswith("Isso já foi registrado")
    lead = lead_row(bot, lead_id)
    assert (lead.cadence_status, lead.current_step) == ("stopped", None)
    await ana.taps("Retomar cadência")  # the newest one resumes after step 3
    assert lead_row(bot, lead_id).current_step == "abordagem_4"


async def test_a_manager_schedules_a_follow_up_for_the_rep_who_owns_the_lead(bot: BotUnderTest) -> None:
    boss = await bot.member("Helena", role=Role.MANAGER)
    ana = await bot.member("Ana")
    lead_id = await lead_for(bot, ana)
    await boss.says(f"/lead {lead_id}")
    await boss.taps("Retorno")
    await boss.says("amanhã 10h")
    await boss.says("a diretora pediu retorno")
    boss.sees("Retorno marcado: Transportes Horizonte Ltda em 24/11/2026 10:00.")
    (task,) = all_tasks(bot)
    assert ana.member is not None and boss.member is not None
    assert (task.member_id, task.created_by) == (ana.member.id, boss.member.id)
    bot.clock.advance(days=1)
    await ana.says("/hoje")
    ana.sees("Retornos (1)", "a diretora pediu retorno")
    await boss.says("/hoje")
    boss.sees("Nada vencendo hoje")
    await ana.taps("Transportes Horizonte Ltda")
    await ana.taps("Histórico")
    ana.sees("Helena Silva", "Retorno marcado para 24/11/2026 10:00 (Ana Silva)")


async def test_a_page_of_the_longest_entries_still_fits_one_message(bot: BotUnderTest) -> None:
    from bot.domain.vocabulary import Outcome
    from bot.services import cadence

    ana = await bot.member("Ana")
    lead_id = await started(bot, ana, company="Transportes " + "Horizonte & Filhos " * 9)
    assert ana.member is not None
    playbook = bot.runtime.playbook
    for step in playbook.cadence.steps[:-1]:
        cadence.log_outcome(
            bot.runtime,
            ana.member,
            lead_id,
            step.id,
            Outcome.OBJECTION,
            objection=playbook.objections[0].id,
            notes="<b>nota</b> & " * 100,
        )
    await ana.says(f"/lead {lead_id}")
    await ana.taps("Histórico")
    page = ana.sees("Página 1 de")
    assert "<b>nota</b> &" in page  # the rep's text is shown as typed, escaped
    # (the harness checks every message against Telegram's limits when the test ends)


async def test_the_lead_card_shows_the_next_follow_up_and_marks_it_done(bot: BotUnderTest) -> None:
    ana = await bot.member("Ana")
    lead_id = await lead_for(bot, ana)
    await follow_up_from_the_card(ana, lead_id)
    await ana.says("amanhã 10h")
    await ana.says("mandar o case da Rota Sul")
    await ana.taps("Ficha do lead")
    ana.sees("⏰ Retorno: 24/11/2026 10:00 — mandar o case da Rota Sul")
    await ana.taps("Retorno feito")
    ana.sees("✅ Retorno feito: Transportes Horizonte Ltda.")
    assert all_tasks(bot)[0].state == TaskState.DONE
    await ana.taps("Ficha do lead")
    assert "Retorno:" not in ana.sees("Transportes Horizonte Ltda")
    assert "✅ Retorno feito" not in ana.buttons()
