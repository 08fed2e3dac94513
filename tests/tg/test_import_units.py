"""Importing in the chat when things go wrong (issue 11), as dialogues: a file Telegram will not
hand over, hostile files, and a restart in the middle of an import."""

from __future__ import annotations

import os

import pytest
from sqlmodel import col, select

from bot.domain.vocabulary import Role
from bot.simulator.records import Fault
from bot.storage.importing import BatchStatus
from bot.storage.models import ImportBatch, Lead
from bot.tg import import_chat
from tests.tg.harness import BotUnderTest
from tests.tg.test_manager import files_to, sends_file

pytestmark = pytest.mark.filterwarnings("ignore:Tasks created via `Application.create_task`")


def _leads(bot: BotUnderTest) -> int:
    with bot.runtime.session() as session:
        return len(list(session.exec(select(Lead.id))))


def _batches(bot: BotUnderTest) -> list[ImportBatch]:
    with bot.runtime.session() as session:
        return list(session.exec(select(ImportBatch).order_by(col(ImportBatch.id))))


async def test_a_file_telegram_does_not_hand_over_gets_one_line(bot: BotUnderTest) -> None:
    helena = await bot.member("Helena", role=Role.MANAGER)
    await bot.member("Ana")
    bot.api.fail_next("getFile", Fault.server_error())
    await sends_file(bot, helena, "leads.csv", b"empresa;uf\nAlfa;SP\n")
    assert helena.sees("Não consegui baixar leads.csv do Telegram; envie o arquivo de novo.") == (
        "Não consegui baixar leads.csv do Telegram; envie o arquivo de novo."
    )
    assert _leads(bot) == 0
    assert bot.errors == []  # no traceback, no error handler


@pytest.mark.parametrize(
    ("filename", "data", "answer"),
    [
        (
            "leads.csv",
            os.urandom(8192),
            "Não importei leads.csv: o arquivo não parece uma planilha em texto (CSV): tem bytes de arquivo binário; "
            "envie um .csv ou .xlsx",
        ),
        (
            "leads.csv",
            b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(2000),
            "Não importei leads.csv: o arquivo é uma planilha do Excel antigo (.xls); salve-a como .xlsx ou .csv "
            "e envie de novo",
        ),
        (
            "leads.xlsx",
            b"PK\x03\x04" + os.urandom(300),
            "Não importei leads.xlsx: não consegui abrir a planilha: o arquivo .xlsx está corrompido",
        ),
    ],
)
async def test_hostile_files_are_refused_with_one_line_and_nothing_stored(
    bot: BotUnderTest, filename: str, data: bytes, answer: str
) -> None:
    helena = await bot.member("Helena", role=Role.MANAGER)
    await bot.member("Ana")
    await sends_file(bot, helena, filename, data)
    replies = helena.replies()
    assert replies[-1] == answer  # the status message becomes the one line
    assert _leads(bot) == 0 and not files_to(bot, helena)
    assert [b.status for b in _batches(bot)] == [BatchStatus.REFUSED]


async def test_after_a_restart_mid_import_the_manager_is_told_it_was_undone(bot: BotUnderTest) -> None:
    helena = await bot.member("Helena", role=Role.MANAGER)
    mary = await bot.member("Mary", role=Role.MANAGER, language_code="en")
    with bot.runtime.session() as session:  # what a kill during an import leaves: its batch row, running
        session.add(ImportBatch(member_id=helena.member.id, filename="leads.csv", started_at=bot.clock()))
        session.add(ImportBatch(member_id=mary.member.id, filename="list.csv", started_at=bot.clock()))
    await bot.restart()
    assert bot.app is not None
    await import_chat.tell_unfinished_imports(bot.app)
    assert helena.replies() == ["A importação de leads.csv foi interrompida e desfeita; mande de novo."]
    assert mary.replies() == ["The import of list.csv was interrupted and undone; please send it again."]
    assert {(b.status, b.imported, b.reported_at is not None) for b in _batches(bot)} == {(BatchStatus.UNDONE, 0, True)}
    await import_chat.tell_unfinished_imports(bot.app)  # told once
    helena.sees_nothing()


async def test_an_import_finished_just_before_a_stop_is_told_as_finished(bot: BotUnderTest) -> None:
    helena = await bot.member("Helena", role=Role.MANAGER)
    await bot.member("Ana")
    await sends_file(bot, helena, "leads.csv", b"empresa;uf\nAlfa;SP\nBeta;XX\n")
    helena.sees("Importadas: 1", "Rejeitadas: 1")
    await bot.restart()
    assert bot.app is not None
    await import_chat.tell_unfinished_imports(bot.app)
    helena.sees_nothing()  # the summary reached her: nothing to tell

    with bot.runtime.session() as session:  # the summary never left: the stop came first
        (batch,) = session.exec(select(ImportBatch))
        batch.reported_at = None
    await import_chat.tell_unfinished_imports(bot.app)
    told = helena.sees("A importação de leads.csv foi concluída.", "Importadas: 1", "Rejeitadas: 1")
    assert "2 linha(s) lida(s)" in told
