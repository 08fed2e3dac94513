"""/recarregar: a manager edits playbook/ and puts it in force without a restart — only when it
validates and its version was raised; otherwise the running playbook stays."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from bot.domain.vocabulary import Role
from bot.resources import bundled_dir
from bot.tg import playbook as playbook_handlers
from tests.support.broken_playbooks import PORTUGUESE_WORDS
from tests.tg.harness import BotUnderTest
from tests.tg.test_cadence import started, touches


@pytest.fixture
def folder(bot: BotUnderTest, tmp_path: Path) -> Path:
    """The team's own playbook folder, a copy of the bundled one the bot runs with."""
    copy = tmp_path / "playbook"
    shutil.copytree(bundled_dir("playbook"), copy)
    bot.runtime.settings = bot.runtime.settings.model_copy(update={"playbook_dir": copy})
    return copy


def edit(folder: Path, name: str, old: str, new: str) -> None:
    path = folder / name
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


async def test_an_edited_playbook_with_a_new_version_is_in_force_for_the_next_touch(
    bot: BotUnderTest, folder: Path
) -> None:
    gestora = await bot.member("Gestora", role=Role.MANAGER)
    ana = await bot.member("Ana")
    await gestora.says("/recarregar")
    gestora.sees("O playbook não mudou (versão 2026.12.1).")

    edit(folder, "playbook.yaml", 'version: "2026.12.1"', 'version: "2026.12.2"')
    edit(folder, "objections.yaml", "label: ", "label: Nova ")
    await gestora.says("/recarregar")
    gestora.sees("Playbook recarregado: 2026.12.1 → 2026.12.2")

    await started(bot, ana)
    await ana.taps("Não atendeu")
    assert [t.playbook_version for t in touches(bot)] == ["2026.12.2"]
    await ana.says("/ajuda")
    ana.sees("Playbook 2026.12.2")


async def test_a_broken_playbook_is_refused_with_file_and_line_and_the_old_one_stays(
    bot: BotUnderTest, folder: Path
) -> None:
    gestora = await bot.member("Gestora", role=Role.MANAGER)
    edit(folder, "playbook.yaml", 'version: "2026.12.1"', 'version: "2026.12.2"')
    edit(folder, "cadence.yaml", "delay_business_days: 1", "delay_business_days: -1")
    await gestora.says("/recarregar")
    answer = gestora.sees("problema(s); a versão 2026.12.1 continua valendo")
    assert "cadence.yaml:" in answer
    assert bot.runtime.playbook.version == "2026.12.1"


async def test_changed_files_under_the_same_version_are_refused(bot: BotUnderTest, folder: Path) -> None:
    gestora = await bot.member("Gestora", role=Role.MANAGER, language_code="en")
    edit(folder, "objections.yaml", "label: ", "label: Nova ")
    await gestora.says("/reload")
    gestora.sees("The playbook files changed but the version is still 2026.12.1. Raise `version`")
    assert bot.runtime.playbook.version == "2026.12.1"


async def test_only_managers_reload(bot: BotUnderTest, folder: Path) -> None:
    ana = await bot.member("Ana")
    edit(folder, "playbook.yaml", 'version: "2026.12.1"', 'version: "2026.12.2"')
    await ana.says("/recarregar")
    ana.sees("Só gestores podem recarregar o playbook.")
    assert bot.runtime.playbook.version == "2026.12.1"


async def test_sighup_reloads_and_tells_every_manager_in_their_language(bot: BotUnderTest, folder: Path) -> None:
    gestora = await bot.member("Gestora", role=Role.MANAGER)
    manager = await bot.member("Mike", role=Role.MANAGER, language_code="en")
    ana = await bot.member("Ana")
    edit(folder, "playbook.yaml", 'version: "2026.12.1"', 'version: "2026.12.2"')
    assert bot.app is not None
    await playbook_handlers.reload_on_signal(bot.app)
    gestora.sees("Playbook recarregado: 2026.12.1 → 2026.12.2")
    manager.sees("Playbook reloaded: 2026.12.1 → 2026.12.2")
    ana.sees_nothing()


def broken(folder: Path) -> None:
    """A new version with three problems: a weight sum, an overlapping band, a missing script."""
    edit(folder, "playbook.yaml", 'version: "2026.12.1"', 'version: "2026.12.2"')
    edit(folder, "icp.yaml", "weight: 25", "weight: 26")
    edit(folder, "icp.yaml", "{min: 10, max: 49,", "{min: 5, max: 49,")
    edit(folder, "cadence.yaml", "script: ligacao_abertura", "script: ligacao_inexistente")


ENGLISH_PROBLEMS = (
    "icp.yaml:21: the weights add up to 101, but must add up to 100 (cnae 26, region 10, headcount 20, "
    "revenue 20, branches 10, registration 5, financial_score 10); adjust the weights\n"
    "icp.yaml:112: the bands 1–9 and 5–49 overlap; the next one must start at 10\n"
    "cadence.yaml:105: the script 'ligacao_inexistente' does not exist in scripts.yaml; create it or fix the name"
)
PORTUGUESE_PROBLEMS = (
    "icp.yaml:21: os pesos somam 101, mas devem somar 100 (cnae 26, region 10, headcount 20, revenue 20, "
    "branches 10, registration 5, financial_score 10); ajuste os pesos\n"
    "icp.yaml:112: as faixas 1–9 e 5–49 se sobrepõem; a seguinte deve começar em 10\n"
    "cadence.yaml:105: o roteiro 'ligacao_inexistente' não existe em scripts.yaml; crie-o ou corrija o nome"
)


async def test_an_english_manager_reads_the_problems_of_a_broken_playbook_in_english(
    bot: BotUnderTest, folder: Path
) -> None:
    manager = await bot.member("Mike", role=Role.MANAGER, language_code="en")
    broken(folder)
    await manager.says("/reload")
    answer = manager.last_text()
    assert answer == "⚠️ The playbook has 3 problem(s); version 2026.12.1 stays in force:\n" + ENGLISH_PROBLEMS
    words = [w for w in PORTUGUESE_WORDS if re.search(rf"\b{w}\b", answer, re.IGNORECASE)]
    assert words == [], answer
    assert bot.runtime.playbook.version == "2026.12.1"


async def test_sighup_explains_a_broken_playbook_to_each_manager_in_their_language(
    bot: BotUnderTest, folder: Path
) -> None:
    gestora = await bot.member("Gestora", role=Role.MANAGER)
    manager = await bot.member("Mike", role=Role.MANAGER, language_code="en")
    broken(folder)
    assert bot.app is not None
    await playbook_handlers.reload_on_signal(bot.app)
    assert PORTUGUESE_PROBLEMS in gestora.last_text()
    assert ENGLISH_PROBLEMS in manager.last_text()
