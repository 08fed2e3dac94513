"""No silent truncation: every button of a long list from the playbook is reachable with ◀ ▶.

The playbook here is the default one with the most the schema allows: 40 objections, 30
no-show reasons (and 20 loss reasons while prospecting).
"""

from __future__ import annotations

import shutil
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import yaml
from sqlmodel import select

from bot.domain import paging
from bot.domain.playbook.checks import paging_warnings
from bot.domain.playbook.model import Playbook
from bot.resources import bundled_dir
from bot.services.playbooks import load_checked_playbook
from bot.services.team import NotAllowed
from bot.storage.models import Meeting, Touch
from bot.tg.callbacks import BadCallback
from tests.cli.test_cli import cadencia
from tests.tg.harness import BotUnderTest
from tests.tg.test_cadence import started

OBJECTIONS, NO_SHOWS, LOSSES = 40, 30, 20


def long_lists_playbook(folder: Path) -> Path:
    """The default playbook, with its lists filled up to the schema's limits."""
    shutil.copytree(bundled_dir("playbook"), folder)
    objections_file = folder / "objections.yaml"
    objections: dict[str, Any] = yaml.safe_load(objections_file.read_text(encoding="utf-8"))
    template = objections["objections"][0]
    for n in range(len(objections["objections"]), OBJECTIONS):
        objections["objections"].append(
            {**template, "id": f"objecao_{n + 1}", "label": f"Objeção número {n + 1}", "recognise": [f"frase {n + 1}"]}
        )
    objections_file.write_text(yaml.safe_dump(objections, allow_unicode=True, sort_keys=False), encoding="utf-8")
    reasons_file = folder / "reasons.yaml"
    reasons: dict[str, Any] = yaml.safe_load(reasons_file.read_text(encoding="utf-8"))
    reasons["no_show"] += [
        {"id": f"no_show_{n + 1}", "label": f"Motivo de no-show {n + 1}"}
        for n in range(len(reasons["no_show"]), NO_SHOWS)
    ]
    prospecting = reasons["loss"]["prospecting"]
    prospecting += [
        {"id": f"perda_{n + 1}", "label": f"Motivo de perda {n + 1}"} for n in range(len(prospecting), LOSSES)
    ]
    reasons_file.write_text(yaml.safe_dump(reasons, allow_unicode=True, sort_keys=False), encoding="utf-8")
    manifest_file = folder / "playbook.yaml"
    manifest = manifest_file.read_text(encoding="utf-8").replace('version: "2026.11.1"', 'version: "2026.11.1-listas"')
    manifest_file.write_text(manifest, encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def long_lists_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return long_lists_playbook(tmp_path_factory.mktemp("playbooks") / "listas")


@pytest.fixture
def default_playbook(long_lists_dir: Path) -> Playbook:
    """Replaces the conversation tests' playbook for this module."""
    playbook = load_checked_playbook(long_lists_dir)
    assert (len(playbook.objections), len(playbook.reasons.no_show)) == (OBJECTIONS, NO_SHOWS)
    assert len(playbook.loss_reasons("prospecting")) == LOSSES
    return playbook


def shown_labels(bot: BotUnderTest, chat_id: int) -> list[str]:
    message = bot.api.last_message(chat_id)
    assert message.reply_markup is not None
    return [b.text for row in message.reply_markup.inline_keyboard for b in row]


async def test_every_objection_is_reachable_by_paging(bot: BotUnderTest) -> None:
    ana = await bot.member("Ana")
    await started(bot, ana)
    await ana.taps("Objeção")
    ana.sees("Qual objeção?")
    objections = bot.runtime.playbook.objections
    seen: list[str] = []
    pages = paging.page_count(OBJECTIONS)
    for page in range(pages):
        labels = shown_labels(bot, ana.id)
        assert labels[0] == "🔎 Digitar o que ouviu"  # on every page, above the list
        labels = labels[1:]
        seen += [label for label in labels if label[0] not in "◀▶"]
        assert len([label for label in labels if label[0] not in "◀▶"]) <= paging.PAGE_SIZE
        if page + 1 < pages:
            assert f"▶ {page + 2}/{pages}" in labels
            await ana.taps("▶")
        else:
            assert not any(label.startswith("▶") for label in labels)
    assert seen == [o.label for o in objections]  # each once, in the playbook's order
    await ana.taps("◀")  # and back
    assert shown_labels(bot, ana.id)[1] == objections[(pages - 2) * paging.PAGE_SIZE].label
    await ana.taps("▶")
    await ana.taps(objections[-1].label)
    ana.sees(objections[-1].label, "Resposta")
    await ana.taps("Seguir a cadência")
    with bot.runtime.session() as session:
        (touch,) = session.exec(select(Touch)).all()
    assert (touch.outcome, touch.objection) == ("objection", objections[-1].id)


async def test_the_last_no_show_reason_is_reachable_and_recorded(bot: BotUnderTest) -> None:
    ana = await bot.member("Ana")
    lead_id = await started(bot, ana)
    await ana.taps("Reunião agendada")
    await ana.says("04/12/2026 10h")  # a Friday
    ana.sees("Reunião com")
    bot.clock.set(datetime(2026, 12, 4, 15, 0, tzinfo=UTC))
    await ana.says(f"/lead {lead_id}")
    await ana.taps("No-show")
    ana.sees("Por que não aconteceu?")
    last = bot.runtime.playbook.reasons.no_show[-1]
    turned = await ana.pages_to(last.label)
    assert turned == paging.page_count(NO_SHOWS) - 1
    await ana.taps(last.label)
    ana.sees("No-show registrado")
    with bot.runtime.session() as session:
        (meeting,) = session.exec(select(Meeting)).all()
    assert (meeting.status, meeting.no_show_reason) == ("no_show", last.id)


async def test_the_last_loss_reason_is_reachable(bot: BotUnderTest) -> None:
    ana = await bot.member("Ana")
    await started(bot, ana)
    await ana.taps("Sem interesse")
    last = bot.runtime.playbook.loss_reasons("prospecting")[-1]
    await ana.pages_to(last.label)
    await ana.taps(last.label)
    with bot.runtime.session() as session:
        (touch,) = session.exec(select(Touch)).all()
    assert (touch.outcome, touch.loss_reason) == ("not_interested", last.id)


async def test_a_forged_page_of_another_rep_s_lead_is_refused(bot: BotUnderTest) -> None:
    bot.expected_errors = (NotAllowed, BadCallback)
    ana = await bot.member("Ana")
    bia = await bot.member("Bia")
    lead_id = await started(bot, ana)
    await bia.says("/ajuda")
    await bia.presses_data(f"cp:oj:1:{lead_id}:abordagem_1")
    assert "Esse lead não é seu" in bia.alerts()[-1]
    await bia.presses_data("cp:zz:1:1:-")
    assert "Esse botão não vale mais" in bia.alerts()[-1]  # data no action decodes: the stale answer


def test_the_playbook_check_warns_about_lists_that_need_paging(long_lists_dir: Path) -> None:
    result = cadencia("playbook", "check", str(long_lists_dir))
    assert result.returncode == 0, result.stderr
    warnings = [line.strip() for line in result.stdout.splitlines() if "aviso:" in line]
    assert warnings == [
        "aviso: objections.yaml: 'objections' tem 40 botões; o vendedor verá 12 por vez, em 4 páginas (◀ ▶)",
        "aviso: reasons.yaml: 'loss.prospecting' tem 20 botões; o vendedor verá 12 por vez, em 2 páginas (◀ ▶)",
        "aviso: reasons.yaml: 'no_show' tem 30 botões; o vendedor verá 12 por vez, em 3 páginas (◀ ▶)",
    ]


def test_the_default_playbook_needs_no_paging() -> None:
    assert paging_warnings(load_checked_playbook(bundled_dir("playbook"))) == []
    assert "aviso" not in cadencia("playbook", "check").stdout


def test_the_paging_warnings_come_in_the_operator_s_language(long_lists_dir: Path) -> None:
    result = cadencia("playbook", "check", str(long_lists_dir), "--lang", "en")
    assert result.returncode == 0, result.stderr
    warnings = [line.strip() for line in result.stdout.splitlines() if "warning:" in line]
    assert warnings == [
        "warning: objections.yaml: 'objections' has 40 buttons; the rep will see 12 at a time, over 4 pages (◀ ▶)",
        "warning: reasons.yaml: 'loss.prospecting' has 20 buttons; the rep will see 12 at a time, over 2 pages (◀ ▶)",
        "warning: reasons.yaml: 'no_show' has 30 buttons; the rep will see 12 at a time, over 3 pages (◀ ▶)",
    ]
    assert "aviso" not in result.stdout and "botões" not in result.stdout
