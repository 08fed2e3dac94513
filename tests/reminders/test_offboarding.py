"""Off-boarding through the real Application: a manager deactivates a rep with open leads,
a won lead and pending reminders; the leads, meetings and reminders follow the new owners."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

from sqlmodel import col, select

from bot.domain.lead_fields import LeadDraft
from bot.domain.vocabulary import MeetingStatus, ReminderKind, ReminderState, Role, Stage
from bot.services import cadence, leads
from bot.storage.models import Deactivation, Lead, Meeting, Member, Reminder
from tests.reminders.conftest import FakeTime, scheduler_of
from tests.tg.harness import BotUnderTest, FrozenClock, Person


def member_of(bot: BotUnderTest, person: Person) -> Member:
    with bot.runtime.session() as session:
        return session.exec(select(Member).where(Member.telegram_id == person.id)).one()


def give_ana_her_book(bot: BotUnderTest, ana: Person, clock: FrozenClock) -> tuple[list[int], int, int]:
    """Five open leads (four in the cadence, one with a meeting in 3 h) and one won lead."""
    rep = member_of(bot, ana)
    open_ids = []
    for n in range(5):
        draft = LeadDraft.read({"company": f"Empresa {n}", "uf": "SP", "contact_name": "Rita"})
        created = leads.create_lead(bot.runtime, rep, draft)
        lead = cadence.start_cadence(bot.runtime, rep, created.lead.id or 0, confirmed=True)  # sparse facts: tier D
        open_ids.append(lead.id or 0)
    meeting = cadence.book_meeting(bot.runtime, rep, open_ids[4], clock() + timedelta(hours=3))
    won = leads.create_lead(bot.runtime, rep, LeadDraft.read({"company": "Cliente Fechado", "uf": "SP"})).lead.id or 0
    cadence.start_cadence(bot.runtime, rep, won, confirmed=True)  # the funnel's way to a sale
    held = cadence.book_meeting(bot.runtime, rep, won, clock() - timedelta(hours=2))
    cadence.meeting_result(bot.runtime, rep, held.id or 0, MeetingStatus.HELD)
    cadence.move_stage(bot.runtime, rep, won, Stage.WON)
    return open_ids, won, meeting.id or 0


def owners(bot: BotUnderTest) -> dict[int, int]:
    with bot.runtime.session() as session:
        return {lead.id or 0: lead.owner_id for lead in session.exec(select(Lead))}


def live_reminders(bot: BotUnderTest) -> list[Reminder]:
    with bot.runtime.session() as session:
        return list(
            session.exec(
                select(Reminder).where(col(Reminder.state).in_(["pending", "snoozed"])).order_by(col(Reminder.id))
            )
        )


def chats_reminded(bot: BotUnderTest, since: int) -> Counter[int]:
    return Counter(int(r.params["chat_id"]) for r in bot.api.requests[since:] if r.method == "sendMessage")


async def test_a_rep_who_left_hands_everything_to_the_rep_the_manager_picks(
    bot: BotUnderTest, clock: FrozenClock, fake_time: FakeTime
) -> None:
    boss = await bot.member("Helena", role=Role.MANAGER)
    ana = await bot.member("Ana")
    bruno = await bot.member("Bruno")
    open_ids, won, meeting_id = give_ana_her_book(bot, ana, clock)
    scheduler = scheduler_of(bot, fake_time)
    await scheduler.start()  # plans everyone's morning agenda
    ana_id, bruno_id = member_of(bot, ana).id, member_of(bot, bruno).id
    ana_agenda = [r.id for r in live_reminders(bot) if r.member_id == ana_id and r.kind == ReminderKind.AGENDA]
    assert len(ana_agenda) == 1

    await boss.says("/equipe")
    boss.sees("Equipe: 3 pessoas ativas", "Ana Silva — vendedor", "Bruno Silva — vendedor")
    await boss.taps("Desativar Ana")
    boss.sees("Ana Silva tem 5 leads em aberto. Para quem eles vão?", "Os ganhos e perdidos (1) ficam com Ana Silva")
    await boss.taps("Bruno Silva")
    boss.sees("Desativar Ana Silva e passar 5 leads para Bruno Silva?", "O acesso acaba na hora")
    await boss.taps("Confirmar")
    said = boss.sees("Ana Silva foi desativado(a)", "5 leads para Bruno Silva", "ficaram com Ana Silva")
    assert "Lembretes: 6 passaram aos novos donos, 1 cancelados." in said  # 4 steps + before + check; agenda
    bruno.sees("Você recebeu 5 leads de Ana Silva. Veja em /leads.")

    # Access is gone at once, with the stranger's line.
    await ana.says("/leads")
    said = ana.sees("exclusivo de um time de vendas")
    assert "Empresa" not in said

    # The open leads are Bruno's, the won one stays Ana's.
    now_owned = owners(bot)
    assert {now_owned[i] for i in open_ids} == {bruno_id}
    assert now_owned[won] == ana_id
    assert not any(r.member_id == ana_id for r in live_reminders(bot))
    with bot.runtime.session() as session:
        agenda = session.get(Reminder, ana_agenda[0])
        assert agenda is not None and agenda.state == ReminderState.CANCELLED

    # The reminders fire for Bruno, never for Ana.
    since = len(bot.api.requests)
    assert (await scheduler.drain()).sent == 4
    assert chats_reminded(bot, since) == Counter({bruno.id: 4})
    bruno.sees("Hora do próximo passo", "Empresa 0", "Empresa 3")
    clock.advance(hours=2)
    assert (await scheduler.drain()).sent == 1
    bruno.sees("Reunião daqui a pouco", "Empresa 4")
    clock.advance(hours=1, minutes=45)
    assert (await scheduler.drain()).sent == 1
    bruno.sees("A reunião aconteceu?")
    await bruno.taps("Aconteceu")
    with bot.runtime.session() as session:
        meeting = session.get(Meeting, meeting_id)
        assert meeting is not None and meeting.status == MeetingStatus.HELD and meeting.rep_id == bruno_id
    assert chats_reminded(bot, since)[ana.id] == 0
    ana.sees_nothing()

    # The audit row says who, when and where the leads went.
    with bot.runtime.session() as session:
        [row] = session.exec(select(Deactivation)).all()
    assert (row.member_id, row.by_member_id, row.via, row.at) == (
        ana_id,
        member_of(bot, boss).id,
        "chat",
        clock() - timedelta(hours=3, minutes=45),
    )
    assert (row.leads_moved, row.leads_kept, row.moved) == (5, 1, {str(bruno_id): 5})


async def test_round_robin_spreads_the_open_leads_among_active_unpaused_reps(
    bot: BotUnderTest, clock: FrozenClock, fake_time: FakeTime
) -> None:
    boss = await bot.member("Helena", role=Role.MANAGER)
    ana = await bot.member("Ana")
    bruno = await bot.member("Bruno")
    carla = await bot.member("Carla", language_code="en")
    dora = await bot.member("Dora")
    with bot.runtime.session() as session:
        paused = session.exec(select(Member).where(Member.telegram_id == dora.id)).one()
        paused.paused = True
        session.add(paused)
    open_ids, won, _ = give_ana_her_book(bot, ana, clock)
    scheduler = scheduler_of(bot, fake_time)
    await scheduler.start()

    await boss.says("/equipe")
    await boss.taps("Desativar Ana")
    await boss.taps("Dividir em rodízio")
    boss.sees("dividir 5 leads em rodízio entre: Bruno Silva, Carla Silva?")
    await boss.taps("Confirmar")
    said = boss.sees("foi desativado(a)")

    # An independent recount of who owns what now.
    counted = Counter(owner for lead, owner in owners(bot).items() if lead in open_ids)
    ids = {
        name: member_of(bot, person).id
        for name, person in (("ana", ana), ("bruno", bruno), ("carla", carla), ("dora", dora))
    }
    assert counted == Counter({ids["bruno"]: 3, ids["carla"]: 2})
    assert owners(bot)[won] == ids["ana"]
    assert f"{counted[ids['bruno']]} leads para Bruno Silva" in said
    assert f"{counted[ids['carla']]} leads para Carla Silva" in said
    bruno.sees(f"Você recebeu {counted[ids['bruno']]} leads de Ana Silva")
    carla.sees(f"You received {counted[ids['carla']]} leads from Ana Silva. See them in /leads.")
    dora.sees_nothing()

    # Each lead's reminders went with it.
    for reminder in live_reminders(bot):
        if reminder.lead_id is not None:
            assert reminder.member_id == owners(bot)[reminder.lead_id]
    since = len(bot.api.requests)
    assert (await scheduler.drain()).sent == 4
    reminded = chats_reminded(bot, since)
    assert ana.id not in reminded and sum(reminded.values()) == 4
    with bot.runtime.session() as session:
        [row] = session.exec(select(Deactivation)).all()
    assert row.moved == {str(owner): n for owner, n in counted.items()}
