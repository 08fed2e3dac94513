"""Issue 9: a broken playbook is explained in the operator's language, every line with file:line."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.cli.test_cli import cadencia
from tests.support.broken_playbooks import PORTUGUESE_WORDS, broken_playbooks

ISSUE = re.compile(r"^  (?P<file>[a-z]+\.yaml):(?P<line>\d+): (?P<message>.+)$")

PORTUGUESE = {
    "parse": [
        "playbook.yaml:43: a chave 'name' aparece duas vezes; apague ou renomeie uma delas",
        "cadence.yaml:211: notas: chave desconhecida 'notas'; confira a grafia ou apague-a",
    ],
    "checks": [
        "icp.yaml:21: os pesos somam 101, mas devem somar 100 (cnae 26, region 10, headcount 20, revenue 20, "
        "branches 10, registration 5, financial_score 10); ajuste os pesos",
        "icp.yaml:112: as faixas 1–9 e 5–49 se sobrepõem; a seguinte deve começar em 10",
        "cadence.yaml:105: o roteiro 'ligacao_inexistente' não existe em scripts.yaml; crie-o ou corrija o nome",
    ],
    "yaml": [
        "reasons.yaml:29: YAML inválido: expected ',' or ']', but got ':'; confira a indentação e as aspas",
    ],
}

ENGLISH = {
    "parse": [
        "playbook.yaml:43: the key 'name' appears twice; delete or rename one of them",
        "cadence.yaml:211: notas: unknown key 'notas'; check the spelling or delete it",
    ],
    "checks": [
        "icp.yaml:21: the weights add up to 101, but must add up to 100 (cnae 26, region 10, headcount 20, "
        "revenue 20, branches 10, registration 5, financial_score 10); adjust the weights",
        "icp.yaml:112: the bands 1–9 and 5–49 overlap; the next one must start at 10",
        "cadence.yaml:105: the script 'ligacao_inexistente' does not exist in scripts.yaml; create it or fix the name",
    ],
    "yaml": [
        "reasons.yaml:29: invalid YAML: expected ',' or ']', but got ':'; check the indentation and the quotes",
    ],
}


@pytest.fixture(scope="module")
def broken(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return broken_playbooks(tmp_path_factory.mktemp("broken"))


def issue_lines(stderr: str) -> list[str]:
    lines = stderr.splitlines()[1:]
    assert lines and all(ISSUE.match(line) for line in lines), stderr
    return [line.strip() for line in lines]


@pytest.mark.parametrize("copy", list(PORTUGUESE))
def test_playbook_check_explains_a_broken_playbook_in_portuguese_by_default(broken: dict[str, Path], copy: str) -> None:
    result = cadencia("playbook", "check", str(broken[copy]))
    assert result.returncode == 1
    assert result.stderr.splitlines()[0].startswith("cadencia: o playbook em")
    assert issue_lines(result.stderr) == PORTUGUESE[copy]


@pytest.mark.parametrize("copy", list(ENGLISH))
def test_playbook_check_lang_en_explains_every_line_in_english(broken: dict[str, Path], copy: str) -> None:
    result = cadencia("playbook", "check", str(broken[copy]), "--lang", "en")
    assert result.returncode == 1
    assert issue_lines(result.stderr) == ENGLISH[copy]
    words = [w for w in PORTUGUESE_WORDS if re.search(rf"\b{w}\b", result.stderr, re.IGNORECASE)]
    assert words == [], result.stderr


def test_the_locale_chooses_english_too(broken: dict[str, Path]) -> None:
    result = cadencia("playbook", "check", str(broken["checks"]), env={"LANG": "en_US.UTF-8"})
    assert issue_lines(result.stderr) == ENGLISH["checks"]


def test_run_and_demo_refuse_a_broken_playbook_in_english(broken: dict[str, Path], tmp_path: Path) -> None:
    database = f"sqlite:///{tmp_path / 'x.db'}"
    env = {
        "PLAYBOOK_DIR": str(broken["parse"]),
        "TELEGRAM_BOT_TOKEN": "123:TEST",
        "DATABASE_URL": database,
        "TELEGRAM_API_BASE_URL": "http://127.0.0.1:9/bot",
    }
    for command in (["run"], ["demo", "--database", database]):
        result = cadencia("--lang", "en", *command, stdin="", env=env)
        assert result.returncode != 0
        assert issue_lines(result.stderr) == ENGLISH["parse"], (command, result.stderr)
