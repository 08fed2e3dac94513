"""Off-boarding dialogues: refusals (oneself, the last manager, a forged button), open invites
and revoking them, manager invites named for one username, and coming back with a new invite."""

from __future__ import annotations

import pytest
from sqlmodel import select

from bot.domain.lead_fields import LeadDraft
from bot.domain.offboarding import DeactivationRefused
from bot.domain.vocabulary import Role
from bot.services import cadence, leads, offboarding
from bot.storage.models import Deactivation, Invite, Member
from tests.tg.harness import BotUnderTest, Person
from tests.tg.test_on_postgres import pg_bot

__all__ = ["pg_bot"]


def member_of(bot: BotUnderTest, person: Person) -> Member:
    with bot.runtime.session() as session:
        return session.exec(select(Member).where(Member.telegram_id == person.id)).one()


def with_username(bot: BotUnderTest, first_name: str, username: str | None) -> Person:
    return Person(bot, bot.updates.user(first_name, username=username))


def link_token(said: str) -> str:
    return said.split("?start=")[1].split()[0]


async def test_a_manager_cannot_deactivate_themself_even_with_a_forged_button(bot: BotUnderTest) -> None:
    boss = await bot.member("Helena", role=Role.MANAGER)
    await bot.member("Ana")
    await boss.says("/equipe")
    boss.sees("Equipe: 2 pessoas ativas")
    assert not any("Helena" in label for label in boss.buttons())  # no button for oneself
    me = member_of(bot, boss).id
    await boss.presses_data(f"tm:off:{me}:0")
    boss.sees("Você não pode desativar a si mesmo")
    await boss.presses_data(f"tm:ok:{me}:rr")
    boss.sees("Você não pode desativar a si mesmo")
    assert member_of(bot, boss).active


async def test_the_last_active_manager_cannot_be_deactivated(bot: BotUnderTest) -> None:
    boss = await bot.member("Helena", role=Role.MANAGER)
    igor = await bot.member("Igor", role=Role.MANAGER)
    await boss.says("/equipe")
    await boss.taps("Desativar Igor")
    boss.sees("Desativar Igor Silva? Não há leads abertos para passar adiante.")
    await boss.taps("Confirmar")
    boss.sees("Igor Silva foi desativado(a)")
    await igor.says("/equipe")
    igor.sees("exclusivo de um time de vendas")
    # Helena is now the only manager: no one may take her off the team (the operator included).
    try:
        offboarding.deactivate(bot.runtime, actor=None, member_id=member_of(bot, boss).id or 0, to="rr", via="cli")
    except DeactivationRefused as refused:
        assert "último gestor ativo" in str(refused)
    else:
        raise AssertionError("the last manager was deactivated")
    assert member_of(bot, boss).active


async def test_a_forged_deactivation_button_from_a_rep_is_refused(bot: BotUnderTest) -> None:
    await bot.member("Helena", role=Role.MANAGER)
    ana = await bot.member("Ana")
    bruno = await bot.member("Bruno")
    target = member_of(bot, bruno).id
    await ana.says("/ajuda")
    ana.replies()
    for data in (f"tm:ok:{target}:rr", f"tm:off:{target}:0", f"tm:to:{target}:rr", "tm:list:0:-"):
        await ana.presses_data(data)
        ana.sees("Só gestores podem desativar pessoas do time.")
    await ana.says("/equipe")
    ana.sees("Só gestores")
    assert member_of(bot, bruno).active
    with bot.runtime.session() as session:
        assert session.exec(select(Deactivation)).all() == []


async def test_a_deactivated_rep_is_a_stranger_until_a_new_invite_brings_them_back(bot: BotUnderTest) -> None:
    boss = await bot.member("Helena", role=Role.MANAGER)
    ana = await bot.member("Ana")
    await ana.says("/leads")
    ana.sees("Nenhum lead aqui")  # the gate now caches Ana
    await boss.says("/equipe")
    await boss.taps("Desativar Ana")
    await boss.taps("Confirmar")
    await ana.says("oi")
    ana.sees("Olá! Este bot é de uso exclusivo de um time de vendas.")
    await boss.presses_data(f"tm:ok:{member_of(bot, ana).id}:rr")
    boss.sees("Essa pessoa já está desativada.")  # a second tap does nothing twice

    await boss.says("/convidar")
    await ana.says(f"/start {link_token(boss.sees('?start='))}")
    ana.sees("Bem-vindo ao time, Ana")
    await ana.says("/leads")
    ana.sees("Nenhum lead aqui")
    assert member_of(bot, ana).active


async def test_open_invites_are_listed_and_a_revoked_one_is_refused(bot: BotUnderTest) -> None:
    boss = await bot.member("Helena", role=Role.MANAGER)
    await boss.says("/convites")
    boss.sees("Nenhum convite aberto")
    await boss.says("/convidar")
    first = link_token(boss.sees("?start="))
    await boss.says("/convidar gestor @Maria_S")
    boss.sees("Convite para um gestor", "Só @maria_s pode usar este link.")
    await boss.says("/convidar")
    used = link_token(boss.sees("?start="))
    await bot.person("Zeca").says(f"/start {used}")

    await boss.says("/convites")
    said = boss.sees("Convites abertos: 2", "gestor · @maria_s — criado por Helena Silva, vale até 24/11/2026 10:00")
    assert "vendedor — criado por Helena Silva, vale até 26/11/2026 10:00" in said
    with bot.runtime.session() as session:
        invite = session.exec(select(Invite).where(Invite.token == first)).one()
    await boss.taps(f"Revogar #{invite.id}")
    assert "Convite revogado." in boss.alerts()
    said = boss.sees("Convites abertos: 1")
    assert f"#{invite.id}" not in said

    late = bot.person("Carla")
    await late.says(f"/start {first}")
    late.sees("Esse convite foi revogado pelo gestor")
    await late.says("/leads")
    late.sees("exclusivo de um time de vendas")
    await boss.presses_data(f"iv:revoke:0:{invite.id}")
    assert "Esse convite já foi usado ou revogado." in boss.alerts()


async def test_a_rep_cannot_list_or_revoke_invites(bot: BotUnderTest) -> None:
    boss = await bot.member("Helena", role=Role.MANAGER)
    ana = await bot.member("Ana")
    await boss.says("/convidar")
    token = link_token(boss.sees("?start="))
    await ana.says("/convites")
    ana.sees("Só gestores veem e revogam convites.")
    with bot.runtime.session() as session:
        invite = session.exec(select(Invite).where(Invite.token == token)).one()
    await ana.presses_data(f"iv:revoke:0:{invite.id}")
    assert "Só gestores veem e revogam convites." in ana.alerts()
    with bot.runtime.session() as session:
        assert session.exec(select(Invite).where(Invite.token == token)).one().revoked_at is None


async def test_a_manager_invite_is_only_for_the_username_it_names(bot: BotUnderTest) -> None:
    boss = await bot.member("Helena", role=Role.MANAGER)
    await boss.says("/convidar gestor")
    boss.sees("/convidar gestor @usuario", "24 horas")
    await boss.says("/convidar gestor @m!")
    boss.sees("não é um nome de usuário do Telegram")
    await boss.says("/convidar gestor @maria")
    token = link_token(boss.sees("Só @maria pode usar este link."))

    joao = with_username(bot, "João", "joao")
    await joao.says(f"/start {token}")
    joao.sees("Este convite é para outra pessoa.")
    nobody = with_username(bot, "Sem", None)
    await nobody.says(f"/start {token}")
    nobody.sees("Este convite é para outra pessoa.")
    await joao.says("/relatorio")
    joao.sees("exclusivo de um time de vendas")

    maria = with_username(bot, "Maria", "Maria")
    await maria.says(f"/start {token}")
    maria.sees("Bem-vindo ao time, Maria", "/convidar")
    assert member_of(bot, maria).role == Role.MANAGER


async def test_a_manager_invite_expires_after_manager_invite_ttl_hours(bot: BotUnderTest) -> None:
    assert bot.runtime.settings.manager_invite_ttl_hours == 24
    boss = await bot.member("Helena", role=Role.MANAGER)
    await boss.says("/convidar gestor @maria")
    token = link_token(boss.sees("válido até 24/11/2026 10:00"))
    maria = with_username(bot, "Maria", "maria")
    bot.clock.advance(hours=24)
    await maria.says(f"/start {token}")
    maria.sees("Esse convite expirou")
    await boss.says("/convites")
    boss.sees("Nenhum convite aberto")


async def test_a_manager_invite_is_accepted_just_before_it_expires(bot: BotUnderTest) -> None:
    boss = await bot.member("Helena", role=Role.MANAGER)
    await boss.says("/convidar gestor @maria")
    token = link_token(boss.sees("?start="))
    bot.clock.advance(hours=23, minutes=59)
    maria = with_username(bot, "Maria", "MARIA")
    await maria.says(f"/start {token}")
    maria.sees("Bem-vindo ao time, Maria")


async def test_english_managers_get_english(bot: BotUnderTest) -> None:
    boss = await bot.member("Helen", role=Role.MANAGER, language_code="en")
    await bot.member("Ana")
    await boss.says("/team")
    boss.sees("Team: 2 active people", "Someone left the team")
    await boss.taps("Deactivate Ana")
    boss.sees("Deactivate Ana Silva? There are no open leads to hand over.")
    await boss.says("/invites")
    boss.sees("No open invites. Create one with /invite.")
    await boss.says("/invite manager")
    boss.sees("/invite manager @username")


async def test_a_rep_invite_may_name_its_person_too(bot: BotUnderTest) -> None:
    boss = await bot.member("Helena", role=Role.MANAGER)
    await boss.says("/convidar vendedor")
    said = boss.sees("Convite para um vendedor")
    assert "Só @" not in said
    await boss.says("/convidar @Ana_Lima")
    token = link_token(boss.sees("Convite para um vendedor", "Só @ana_lima pode usar este link."))
    other = with_username(bot, "Bia", "bia_s")
    await other.says(f"/start {token}")
    other.sees("Este convite é para outra pessoa.")
    ana = with_username(bot, "Ana", "ana_lima")
    await ana.says(f"/start {token}")
    ana.sees("Bem-vindo ao time, Ana")
    assert member_of(bot, ana).role == Role.REP


async def test_a_long_team_is_paged_and_everyone_is_reachable(bot: BotUnderTest) -> None:
    boss = await bot.member("Helena", role=Role.MANAGER)
    for n in range(30):
        await bot.member(f"Rep{n:02d}")
    await boss.says("/equipe")
    said = boss.sees("Equipe: 31 pessoas ativas")
    assert len(boss.buttons()) <= 13 and any(b.startswith("▶") for b in boss.buttons())
    assert "Rep29" not in said  # the text lists the page shown, not all 31
    turned = await boss.pages_to("Desativar Rep29")
    assert turned == 2
    await boss.taps("Desativar Rep29")
    boss.sees("Desativar Rep29 Silva? Não há leads abertos")


@pytest.mark.postgres
async def test_deactivation_and_revoking_on_postgres(pg_bot: BotUnderTest) -> None:
    boss = await pg_bot.member("Helena", role=Role.MANAGER)
    ana = await pg_bot.member("Ana")
    bruno = await pg_bot.member("Bruno")
    rep = member_of(pg_bot, ana)
    for n in range(3):
        created = leads.create_lead(pg_bot.runtime, rep, LeadDraft.read({"company": f"Empresa {n}", "uf": "SP"}))
        cadence.start_cadence(pg_bot.runtime, rep, created.lead.id or 0, confirmed=True)  # tier D
    await boss.says("/equipe")
    await boss.taps("Desativar Ana")
    await boss.taps("Dividir em rodízio")
    await boss.taps("Confirmar")
    boss.sees("3 leads para Bruno Silva")
    bruno.sees("Você recebeu 3 leads de Ana Silva")
    await ana.says("/leads")
    ana.sees("exclusivo de um time de vendas")
    with pg_bot.runtime.session() as session:
        [row] = session.exec(select(Deactivation)).all()
    assert row.moved == {str(member_of(pg_bot, bruno).id): 3}

    await boss.says("/convidar gestor @maria")
    token = link_token(boss.sees("?start="))
    await boss.says("/convites")
    await boss.taps("Revogar")
    maria = with_username(pg_bot, "Maria", "maria")
    await maria.says(f"/start {token}")
    maria.sees("Esse convite foi revogado")
