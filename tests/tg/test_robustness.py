"""Nothing a user types breaks the bot: odd input, unknown commands, a busy database."""

from __future__ import annotations

import pytest
from sqlmodel import select

from bot.services import leads, team
from bot.storage.db import DatabaseUnavailable
from bot.storage.models import Lead
from tests.tg.harness import BotUnderTest


@pytest.mark.parametrize(
    ("typed", "answer"),
    [
        ("/qualquercoisa", "Não conheço esse comando"),
        ("x" * 10_000, "longa demais"),
        ("😀😀😀", "Não entendi"),
        ("   ", "Não entendi"),
        ("<b>oi</b> & tchau", "Não entendi"),
    ],
)
async def test_odd_input_outside_a_flow_gets_a_clear_answer(bot: BotUnderTest, typed: str, answer: str) -> None:
    ana = await bot.member("Ana")
    await ana.says(typed)
    ana.sees(answer)


async def test_english_users_get_english(bot: BotUnderTest) -> None:
    john = await bot.member("John", language_code="en")
    await john.says("/novo")
    john.sees("New lead", "company")
    await john.says("/cancelar")
    john.sees("Cancelled")
    stranger = bot.person("Jane", language_code="en-US")
    await stranger.says("/start")
    stranger.sees("sales team")


async def test_lead_search_handles_odd_queries(bot: BotUnderTest) -> None:
    ana = await bot.member("Ana")
    odd = ("/lead", "/lead 99999", "/lead 99999999999999999999999", "/lead %%%", "/lead " + "a" * 300, "/lead #1")
    for query in odd:
        await ana.says(query)
        assert ana.replies(), query


async def test_a_busy_database_gets_a_short_message_and_loses_nothing(
    bot: BotUnderTest, monkeypatch: pytest.MonkeyPatch
) -> None:
    ana = await bot.member("Ana")
    await ana.says("/novo")
    await ana.says("Padaria Central")
    ana.sees("2/16")

    def busy(*args: object, **kwargs: object) -> None:
        raise DatabaseUnavailable("locked", "database is locked")

    bot.expected_errors = (DatabaseUnavailable,)
    monkeypatch.setattr(leads, "create_lead", busy)
    for _ in range(15):
        await ana.taps("Pular")
    assert "banco de dados está ocupado" in ana.alerts()[-1]
    assert "Traceback" not in ana.alerts()[-1]
    monkeypatch.undo()
    # The draft survived: the last answer again saves the lead.
    await ana.taps("Pular")
    ana.sees("Lead salvo", "Padaria Central")
    with bot.runtime.session() as session:
        assert [lead.company for lead in session.exec(select(Lead))] == ["Padaria Central"]


async def test_the_gate_answers_when_the_database_is_down(bot: BotUnderTest, monkeypatch: pytest.MonkeyPatch) -> None:
    ana = bot.person("Ana")

    def down(*args: object, **kwargs: object) -> None:
        raise DatabaseUnavailable("unreachable", "connection refused")

    monkeypatch.setattr(team, "recognise", down)
    await ana.says("/leads")
    ana.sees("Não consegui falar com o banco de dados")


async def test_english_users_get_domain_errors_in_english(bot: BotUnderTest) -> None:
    john = await bot.member("John", language_code="en")
    await john.says("/novo")
    await john.says("Acme")
    john.replies()
    await john.says("11.222.333/0001-82")
    shown = john.sees("CNPJ 11.222.333/0001-82 doesn't check out (wrong check digits)")
    assert "não confere" not in shown
    await john.says("11.222.333/0001-81")
    john.replies()
    await john.says("6201-4/01")
    shown = john.sees("CNAE 6201-4/01 doesn't check out: the check digit of class 6201 is 5 (6201-5/01).")
    assert "dígito verificador" not in shown
