"""Who may talk to the bot: the first manager, invites, and strangers."""

from __future__ import annotations

from bot.domain.vocabulary import Role
from tests.tg.conftest import ADMIN_ID
from tests.tg.harness import BotUnderTest


async def test_a_stranger_gets_one_polite_line_and_nothing_else(bot: BotUnderTest) -> None:
    stranger = bot.person("Zé")
    for attempt in ("/start", "/leads", "/novo", "oi, quero ver os leads", "/lead 1"):
        await stranger.says(attempt)
        said = stranger.sees("exclusivo de um time de vendas")
        assert "/novo" not in said and "/leads" not in said and "Lead" not in said


async def test_a_stranger_pressing_a_forged_button_learns_nothing(bot: BotUnderTest) -> None:
    stranger = bot.person("Zé")
    await stranger.says("/start")
    stranger.replies()
    await stranger.presses_data("lo:1")
    said = stranger.sees("exclusivo")
    assert "#1" not in said


async def test_the_admin_from_settings_becomes_the_first_manager(bot: BotUnderTest) -> None:
    boss = bot.person("Helena")
    boss.user = boss.user.__class__(id=ADMIN_ID, first_name="Helena", language_code="pt-br")
    await boss.says("/start")
    boss.sees("Olá, Helena", "/convidar", "/relatorio")


async def test_a_manager_invites_a_rep_who_joins_once(bot: BotUnderTest) -> None:
    boss = await bot.member("Helena", role=Role.MANAGER)
    await boss.says("/convidar")
    said = boss.sees("Convite para um vendedor", "https://t.me/cadencia_test_bot?start=")
    token = said.split("?start=")[1].split()[0]

    ana = bot.person("Ana")
    await ana.says(f"/start {token}")
    ana.sees("Bem-vindo ao time, Ana", "/novo")
    await ana.says("/leads")
    ana.sees("Nenhum lead aqui")

    bruno = bot.person("Bruno")
    await bruno.says(f"/start {token}")
    bruno.sees("já foi usado")
    await bruno.says("/leads")
    bruno.sees("exclusivo de um time de vendas")


async def test_an_expired_or_unknown_invite_is_refused(bot: BotUnderTest) -> None:
    boss = await bot.member("Helena", role=Role.MANAGER)
    await boss.says("/convidar")
    token = boss.sees("?start=").split("?start=")[1].split()[0]
    bot.clock.advance(hours=73)
    late = bot.person("Carla")
    await late.says(f"/start {token}")
    late.sees("expirou")
    await late.says("/start naoexiste123")
    late.sees("não existe")


async def test_a_rep_cannot_invite(bot: BotUnderTest) -> None:
    ana = await bot.member("Ana")
    await ana.says("/convidar")
    ana.sees("Só gestores")


async def test_commands_are_registered_in_portuguese_and_english(bot: BotUnderTest) -> None:
    assert bot.app is not None
    await bot.app.post_init(bot.app)  # type: ignore[misc]
    pt = {c["command"]: c["description"] for c in bot.api.commands()}
    en = {c["command"]: c["description"] for c in bot.api.commands(language_code="en")}
    assert pt["novo"] == "Cadastrar um lead"
    assert en["novo"] == "Register a lead"
    assert set(pt) == set(en)
