"""Hostile input through the real Application: every command, every /novo question, every prompt.

The inputs are the ones that crashed the bot (issue 11): digits other than 0-9 (``²``, ``٣``,
``３``), numbers larger than any column, negative numbers, impossible dates, empty text, 10,000
characters, NUL and control characters, HTML. The harness fails on any handler error and checks
every request against Telegram's limits; here each input must also get an answer, that answer
must never be Python's own text, and a refused input must save nothing.

Deterministic: a fixed list plus a seeded mix of its pieces (no Hypothesis: the whole module runs
in a few seconds, identically every time).
"""

from __future__ import annotations

import asyncio
import random

import pytest
from sqlmodel import col, func, select

from bot.domain.vocabulary import Role
from bot.services.leads import LeadNotFound
from bot.storage.models import Lead, Meeting, Member, Touch
from bot.tg.callbacks import BadCallback
from bot.wiring import COMMAND_CALLBACKS
from tests.tg.harness import BotUnderTest, FrozenClock, Person
from tests.tg.test_cadence import started

pytestmark = pytest.mark.filterwarnings("ignore:Tasks created via `Application.create_task`")

UNICODE_DIGITS = ("²", "³¹", "٣", "３", "6201²01", "1²0", "٣٠/١١ ١٤:٣٠")
HUGE = ("99999999999", "99999999999999999999", "-1", "-99999999999999999999", "0")
DATES = ("31/12/9999", "00/00/0000", "29/02/2027", "01/01/2020 31/12/9999", "9999-99-99", "32/13/2026 25:61")
ODD = ("", " ", "x" * 10_000, "1" * 10_000, "a\x00b", "\x00", "\x07\x1b[31m", "<b>1</b> & <i>", "</pre><script>")
HOSTILE: tuple[str, ...] = UNICODE_DIGITS + HUGE + DATES + ODD


def _mixed(count: int, seed: int) -> list[str]:
    """Seeded combinations of the pieces above (``²`` inside a date, HTML around a huge number…)."""
    pieces = [*UNICODE_DIGITS, *HUGE[:3], *DATES[:3], "<b>", "\x00", "/", ":", "=", " "]
    rng = random.Random(seed)
    return ["".join(rng.choice(pieces) for _ in range(rng.randint(2, 5))) for _ in range(count)]


INPUTS = HOSTILE + tuple(_mixed(4, seed=11))
FEW = ("²", "٣", "99999999999999999999", "31/12/9999", "x" * 10_000, "a\x00b", "<b>1</b> & <i>")
"""For what takes text as it is (names, a reload that ignores its arguments): the kinds, once each."""

#: What must never reach a person: Python's own words, a traceback, the catch-all apology.
PYTHON_TEXT = ("Traceback", "invalid literal", "int()", "ValueError", "out of range", "Algo deu errado")

#: Commands that take arguments as filters (``chave=valor``) besides their words.
KEYED = ("campanha=", "versao=", "vendedor=")


async def done() -> None:
    """Wait for the non-blocking handlers (/relatorio, /exportar) to finish."""
    for _ in range(100):
        running = [t for t in asyncio.all_tasks() if "process_update_non_blocking" in t.get_name()]
        if not running:
            return
        await asyncio.wait(running, timeout=120)
    raise AssertionError("handlers still running")


def answered(person: Person, typed: str) -> list[str]:
    replies = person.replies()
    assert replies, f"no answer to {typed[:60]!r}"
    for reply in replies:
        for words in PYTHON_TEXT:
            assert words not in reply, f"{typed[:60]!r} → {reply[:200]!r}"
    return replies


def count(bot: BotUnderTest, table: type) -> int:
    with bot.runtime.session() as session:
        return int(session.exec(select(func.count()).select_from(table)).one())


MANAGERS = ("relatorio", "exportar", "lead", "convidar")
"""Commands whose answer depends on the role and on ``chave=valor`` filters: tried by a rep too."""
ALL_COMMANDS = sorted({*COMMAND_CALLBACKS, "novo", "new", "relatorio", "report", "exportar", "export", "cancelar"})


@pytest.mark.parametrize("command", ALL_COMMANDS)
async def test_every_command_answers_hostile_arguments_in_one_line(bot: BotUnderTest, command: str) -> None:
    boss = await bot.member("Helena", role=Role.MANAGER)
    ana = await bot.member("Ana")
    members = count(bot, Member)
    arguments = list(FEW if command in ("recarregar", "reload") else INPUTS)
    if command in MANAGERS:
        arguments += [key + typed for key in KEYED for typed in UNICODE_DIGITS[:3] + HUGE[:2] + ODD[5:]]
    for person in (boss, ana) if command in MANAGERS else (boss,):
        for typed in arguments:
            await person.says(f"/{command} {typed}".rstrip())
            await done()
            answered(person, typed)
            if command in ("novo", "new"):
                await person.says("/cancelar")
                person.replies()
    assert count(bot, Lead) == 0  # nothing typed above creates a lead
    if command not in ("convidar", "invite"):
        assert count(bot, Member) == members


@pytest.mark.parametrize(
    ("typed", "answer"),
    [
        ("/lead ²", "não é o número de um lead"),
        ("/lead 99999999999999999999", "não é o número de um lead"),  # 11 digits are a phone (issue 12)
        ("/relatorio ²", "Período '²' não serve"),
        ("/relatorio 99999999999", "use de 1 a 3660 dias"),
        ("/relatorio 01/01/2020 31/12/9999", "Ano '9999' não serve"),
        ("/relatorio 29/02/2027", "A data 29/02/2027 não existe"),
        ("/exportar ²", "Período '²' não serve"),
        ("/exportar leads vendedor=²", "Não encontrei ² no time"),
    ],
)
async def test_the_inputs_of_issue_11_get_one_clear_line(bot: BotUnderTest, typed: str, answer: str) -> None:
    boss = await bot.member("Helena", role=Role.MANAGER)
    await boss.says(typed)
    await done()
    (reply,) = answered(boss, typed)
    assert answer in reply and "\n" not in reply.strip(), reply


async def test_english_users_get_the_refusal_in_english(bot: BotUnderTest) -> None:
    john = await bot.member("John", role=Role.MANAGER, language_code="en")
    await john.says("/relatorio ²")
    await done()
    john.sees("Period '²'")
    await john.says("/lead ²")
    john.sees("is not a lead number")


#: Numeric questions of /novo (1-based number): none of the hostile inputs may be taken.
NUMERIC_QUESTIONS = {
    2: "cnpj",
    3: "cnae",
    6: "headcount",
    7: "revenue",
    8: "branches",
    10: "financial_score",
    13: "phone",
}
TOTAL = 16
PLAUSIBLE = {7: ("0", "99999999999"), 8: ("0",), 10: ("0",), 13: ("99999999999",)}
"""Hostile-looking but real: R$ 0 or R$ 99.999.999.999 of revenue, no branches, a score of 0, a phone
with DDD 99."""
NUMERIC = UNICODE_DIGITS[:4] + UNICODE_DIGITS[5:6] + HUGE[:3] + DATES[:3] + ODD[2:5] + ODD[7:8]
TEXT = ("x" * 10_000, "a\x00b", "<b>1</b> & <i>")


def _question(person: Person) -> int | None:
    """The number of the question the newest message asks (``7/16`` → 7)."""
    for text in reversed(person.bot.api.messages_to(person.id)):
        for number in range(TOTAL, 0, -1):
            if f"{number}/{TOTAL}" in (text.text or ""):
                return number
    return None


async def test_every_new_lead_question_refuses_or_takes_hostile_input_and_saves_nothing_refused(
    bot: BotUnderTest,
) -> None:
    ana = await bot.member("Ana")
    await ana.says("/novo")
    ana.replies()
    await ana.says("Padaria Fuzz")
    ana.replies()
    for number in range(2, TOTAL):  # the last answer saves the lead
        assert _question(ana) == number
        for typed in NUMERIC if number in NUMERIC_QUESTIONS else TEXT:
            await ana.says(typed)
            answered(ana, typed)
            now = _question(ana)
            if number in NUMERIC_QUESTIONS and typed not in PLAUSIBLE.get(number, ()):
                assert now == number, f"question {number} took {typed[:40]!r}"
            while _question(ana) != number:  # a text question took it: back to the same question
                assert count(bot, Lead) == 0
                await ana.taps("Voltar")
                ana.replies()
        assert count(bot, Lead) == 0
        await ana.taps("Pular")
        ana.replies()
    await ana.taps("Pular")
    with bot.runtime.session() as session:
        (lead,) = session.exec(select(Lead)).all()
    assert lead.company == "Padaria Fuzz"
    assert (lead.cnpj, lead.cnae, lead.headcount_low) == (None, None, None)


async def test_pasted_fields_with_hostile_numbers_are_refused_in_one_line(bot: BotUnderTest) -> None:
    ana = await bot.member("Ana")
    await ana.says("/novo")
    ana.replies()
    for line in ("cnae: 6201²01", "funcionários: ٣٠٠", "faturamento: ３ mi", "filiais: 99999999999999999999"):
        await ana.says(f"empresa: Padaria Colada\n{line}")
        replies = answered(ana, line)
        assert any("não" in r.lower() for r in replies), replies
    assert count(bot, Lead) == 0


@pytest.fixture
def clock() -> FrozenClock:
    from datetime import UTC, datetime

    return FrozenClock(datetime(2026, 12, 2, 13, 0, tzinfo=UTC))  # Wednesday 02/12/2026, 10:00 in São Paulo


async def test_the_meeting_date_prompt_refuses_hostile_dates_and_books_nothing(bot: BotUnderTest) -> None:
    ana = await bot.member("Ana")
    await started(bot, ana)
    await ana.taps("Reunião agendada")
    ana.sees("Para quando ficou a reunião?")
    for typed in INPUTS:
        await ana.says(typed)
        answered(ana, typed)
        assert count(bot, Meeting) == 0, typed[:40]
    await ana.says("04/12/2026 10:00")
    ana.sees("Reunião")
    assert count(bot, Meeting) == 1


async def test_the_working_hours_prompt_refuses_hostile_hours(bot: BotUnderTest) -> None:
    ana = await bot.member("Ana")
    await ana.says("/config")
    await ana.taps("Expediente")
    await ana.taps("Outro horário")
    ana.replies()
    for typed in (*INPUTS, "²-18", "9-٢٠", "25-30", "9:99-18", "99999999999-1"):
        await ana.says(typed)
        answered(ana, typed)
    with bot.runtime.session() as session:
        member = session.exec(select(Member).where(col(Member.first_name) == "Ana")).one()
    assert (member.work_start, member.work_end) == ("09:00", "18:00")


@pytest.mark.parametrize(
    "data",
    [
        "lo:²",
        "lo:99999999999",
        "lo:0",
        "pg:all:99999999999",
        "pg:all:٣",
        "cp:oj:99999:1:x",
        "cf:sethours:25009900",
        "cf:sethours:0900180",
        "rm:99999999999999999999:skip:-",
        "ns:1:x",
        "mt:²:held",
        "tm:list:²:-",
        "tm:off:1:99999999999",
        "tm:to:2:²",
        "tm:ok:2:٣",
        "iv:list:99999999999:-",
        "iv:revoke:0:²",
    ],
)
async def test_forged_buttons_with_hostile_numbers_are_refused(bot: BotUnderTest, data: str) -> None:
    helena = await bot.member("Helena", role=Role.MANAGER)
    await bot.member("Ana")
    members = count(bot, Member)
    await helena.says("/leads")
    helena.replies()
    bot.expected_errors = (BadCallback, LeadNotFound)  # refused by the error handler, in one line
    await helena.presses_data(data)
    said = helena.alerts()[-1:] + helena.replies()
    assert said and all(words not in text for text in said for words in PYTHON_TEXT), said
    assert count(bot, Touch) == 0
    with bot.runtime.session() as session:  # nobody was deactivated by a forged number
        assert len(session.exec(select(Member).where(col(Member.active))).all()) == members
