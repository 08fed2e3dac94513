"""Several cadences chosen by rules, the old single-cadence file, and the checks at load."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.domain.cadences import choose_cadence, recycle_rule, reopen_stage
from bot.domain.facts import IntRange, LeadFacts
from bot.domain.playbook.loader import PlaybookError, load_playbook
from bot.domain.playbook.model import LEGACY_CADENCE_ID
from bot.domain.vocabulary import Channel, Stage
from bot.resources import bundled_dir
from tests.domain.test_playbook_loader import _edit as edit_yaml

DEFAULT = bundled_dir("playbook")


@pytest.fixture(scope="module")
def playbook():  # type: ignore[no-untyped-def]
    return load_playbook(DEFAULT)


def test_the_default_playbook_ships_three_cadences_and_a_recycle_one(playbook) -> None:  # type: ignore[no-untyped-def]
    ids = [c.id for c in playbook.cadence.cadences]
    assert ids == ["inbound", "campo", "digital", "reciclagem"]
    assert [c.id for c in playbook.cadence.chosen_by_rules] == ["inbound", "campo", "digital"]
    assert playbook.cadence.fallback.id == "digital"
    campo = playbook.cadence.get("campo")
    assert any(step.channel is Channel.VISIT for step in campo.steps)
    assert len(campo.steps) > len(playbook.cadence.get("digital").steps) > len(playbook.cadence.get("inbound").steps)


@pytest.mark.parametrize(
    ("facts", "traits", "expected"),
    [
        (LeadFacts(), {}, "digital"),
        (LeadFacts(headcount=IntRange(10, 10)), {"sales_model": "self_service"}, "digital"),
        (LeadFacts(headcount=IntRange(900, 900)), {"sales_model": "enterprise"}, "campo"),
        (LeadFacts(), {"campaign": "Inbound-Webinar"}, "inbound"),  # case does not matter
        # First match wins: an enterprise lead from marketing is worked as inbound.
        (LeadFacts(), {"campaign": "inbound-site", "sales_model": "enterprise"}, "inbound"),
        (LeadFacts(), {"campaign": "outbound-sul"}, "digital"),
    ],
)
def test_the_first_cadence_whose_rule_holds_is_chosen(playbook, facts, traits, expected) -> None:  # type: ignore[no-untyped-def]
    assert choose_cadence(playbook, facts, **traits).id == expected


def test_a_rule_on_an_unknown_icp_fact_does_not_hold(tmp_path: Path) -> None:
    directory = _copy(tmp_path)
    _edit(directory, lambda d: d["cadences"][1].update(when=[{"fact": "headcount", "op": "ge", "value": 500}]))
    playbook = load_playbook(directory)
    assert choose_cadence(playbook, LeadFacts()).id == "digital"
    assert choose_cadence(playbook, LeadFacts(headcount=IntRange(600, 800))).id == "campo"


def test_an_old_single_cadence_file_still_loads_as_one_cadence(tmp_path: Path) -> None:
    directory = _copy(tmp_path)
    data = yaml.safe_load((directory / "cadence.yaml").read_text(encoding="utf-8"))
    digital = data["cadences"][2]
    old = {"steps": digital["steps"], "no_response_reason": data["no_response_reason"]}
    (directory / "cadence.yaml").write_text(yaml.safe_dump(old, allow_unicode=True), encoding="utf-8")
    reasons = yaml.safe_load((directory / "reasons.yaml").read_text(encoding="utf-8"))
    reasons.pop("recycle")
    (directory / "reasons.yaml").write_text(yaml.safe_dump(reasons, allow_unicode=True), encoding="utf-8")
    _edit(directory, lambda d: d["scripts"].pop("email_inbound"), "scripts.yaml")  # e-mail only in inbound
    playbook = load_playbook(directory)
    assert [c.id for c in playbook.cadence.cadences] == [LEGACY_CADENCE_ID]
    assert choose_cadence(playbook, LeadFacts(), sales_model="enterprise").id == LEGACY_CADENCE_ID
    assert playbook.cadence.steps[0].id == "abordagem_1"
    # The fingerprint of the old shape is the one it always had (no "same version, new content").
    assert "cadences" not in playbook.content()["cadence"]
    assert "recycle" not in playbook.content()["reasons"]


def test_an_old_file_names_its_own_lines(tmp_path: Path) -> None:
    directory = _copy(tmp_path)
    data = yaml.safe_load((directory / "cadence.yaml").read_text(encoding="utf-8"))
    steps = data["cadences"][2]["steps"]
    steps[1]["channel"] = "fax"
    text = yaml.safe_dump({"steps": steps, "no_response_reason": "sem_resposta"}, allow_unicode=True, sort_keys=False)
    (directory / "cadence.yaml").write_text(text, encoding="utf-8")
    _edit_reasons(directory, lambda d: d.pop("recycle"))
    with pytest.raises(PlaybookError) as caught:
        load_playbook(directory)
    [issue] = caught.value.issues
    assert issue.file == "cadence.yaml" and issue.line is not None
    assert "channel: fax" in text.splitlines()[issue.line - 1]


CASES: list[tuple[str, Callable[[dict[str, Any]], Any], str, str]] = [
    # (case, change to cadence.yaml, message fragment, text on the reported line)
    (
        "unknown fact",
        lambda d: d["cadences"][1]["when"].append({"fact": "humor", "op": "eq", "value": "bom"}),
        "humor",
        "fact: humor",
    ),
    (
        "bad tier",
        lambda d: d["cadences"][1].update(when=[{"fact": "tier", "op": "eq", "value": "Z"}]),
        "valor 'Z' inválido para 'tier'",
        "value: Z",
    ),
    (
        "no fallback",
        lambda d: d["cadences"][2].update(when=[{"fact": "tier", "op": "eq", "value": "A"}]),
        "a última cadência ('digital')",
        "when:",
    ),
    ("duplicate id", lambda d: d["cadences"][1].update(id="inbound"), "aparece mais de uma vez", "id: inbound"),
    (
        "unreachable",
        lambda d: d["cadences"][0].pop("when"),
        "as seguintes nunca seriam usadas",
        "id: inbound",
    ),
    (
        "same rule twice",
        lambda d: d["cadences"][1].update(when=d["cadences"][0]["when"]),
        "'campo' nunca seria usada",
        "when:",
    ),
    (
        "recycle with a rule",
        lambda d: d["cadences"][3].update(when=[{"fact": "tier", "op": "eq", "value": "A"}]),
        "reciclagem 'reciclagem' não é escolhida por regras",
        "when:",
    ),
    ("two breakups", lambda d: d["cadences"][0]["steps"][0].update(kind="breakup"), "exatamente um passo", "steps:"),
    ("bad operator", lambda d: d["cadences"][0]["when"][0].update(op="lt"), "'lt' não serve para 'campaign'", "op: lt"),
]


@pytest.mark.parametrize(("case", "change", "fragment", "on_line"), CASES, ids=[c[0] for c in CASES])
def test_each_cadence_mistake_names_file_and_line(
    tmp_path: Path, case: str, change, fragment: str, on_line: str
) -> None:  # type: ignore[no-untyped-def]
    directory = _copy(tmp_path)
    text = _edit(directory, change)
    with pytest.raises(PlaybookError) as caught:
        load_playbook(directory)
    issues = [i for i in caught.value.issues if fragment in str(i)]
    assert issues, [str(i) for i in caught.value.issues]
    issue = issues[0]
    assert issue.file == "cadence.yaml" and issue.line is not None
    assert on_line in text.splitlines()[issue.line - 1], (str(issue), text.splitlines()[issue.line - 1])


RECYCLE_CASES: list[tuple[str, Callable[[dict[str, Any]], Any], str, str]] = [
    ("unknown reason", lambda d: d["recycle"][0].update(reason="sumiu"), "'sumiu' não existe em 'loss'", "sumiu"),
    ("unknown cadence", lambda d: d["recycle"][0].update(cadence="nenhuma"), "'nenhuma' não existe", "nenhuma"),
    ("not a recycle cadence", lambda d: d["recycle"][0].update(cadence="digital"), "não é de reciclagem", "digital"),
    ("zero days", lambda d: d["recycle"][0].update(after_days=0), "no mínimo 1", "after_days"),
    ("twice", lambda d: d["recycle"].append(dict(d["recycle"][0])), "aparece duas vezes", "sem_resposta"),
]


@pytest.mark.parametrize(("case", "change", "fragment", "on_line"), RECYCLE_CASES, ids=[c[0] for c in RECYCLE_CASES])
def test_each_recycle_mistake_names_file_and_line(
    tmp_path: Path, case: str, change, fragment: str, on_line: str
) -> None:  # type: ignore[no-untyped-def]
    directory = _copy(tmp_path)
    text = _edit_reasons(directory, change)
    with pytest.raises(PlaybookError) as caught:
        load_playbook(directory)
    issues = [i for i in caught.value.issues if fragment in str(i)]
    assert issues, [str(i) for i in caught.value.issues]
    assert issues[0].file == "reasons.yaml" and issues[0].line is not None
    assert on_line in text.splitlines()[issues[0].line - 1]


def test_recycle_rules_and_reopen_stage(playbook) -> None:  # type: ignore[no-untyped-def]
    rule = recycle_rule(playbook, "sem_resposta", 0)
    assert rule is not None and rule.after_days == 90 and rule.cadence == "reciclagem"
    assert recycle_rule(playbook, "sem_resposta", 1) is None  # came back once already
    assert recycle_rule(playbook, "concorrente", 0) is None
    assert reopen_stage("connected") is Stage.CONNECTED
    assert reopen_stage(None) is Stage.NEW
    assert reopen_stage("won") is Stage.NEW


def _copy(tmp_path: Path) -> Path:
    target = tmp_path / "playbook"
    shutil.copytree(DEFAULT, target)
    return target


def _edit(directory: Path, change: Callable[[dict[str, Any]], Any], name: str = "cadence.yaml") -> str:
    return edit_yaml(directory, name, change)


def _edit_reasons(directory: Path, change: Callable[[dict[str, Any]], Any]) -> str:
    return _edit(directory, change, "reasons.yaml")
