"""The playbook loader: every shipped file loads, and every kind of mistake is named with its
file, its line and what to change."""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.domain.playbook.loader import AS_GIVEN, PlaybookError, PlaybookIssue, load_playbook
from bot.domain.playbook.model import FILES
from bot.domain.regions import InvalidUf, parse_uf
from bot.domain.script_context import sample_contexts
from bot.i18n import gettext_for
from bot.render import scripts
from bot.resources import bundled_dir
from bot.services.playbooks import load_checked_playbook
from tests.support.broken_playbooks import PORTUGUESE_WORDS

DEFAULT = bundled_dir("playbook")


def test_the_default_playbook_loads_cleanly_with_scripts_rendered() -> None:
    playbook = load_checked_playbook(DEFAULT)
    assert playbook.version
    assert len(playbook.fingerprint) == 64
    assert set(playbook.sources) == set(FILES)


@pytest.mark.parametrize("name", sorted(FILES))
def test_every_playbook_file_is_present_and_parses(name: str) -> None:
    data = yaml.safe_load((DEFAULT / name).read_text(encoding="utf-8"))
    assert isinstance(data, dict) and data


def test_the_default_playbook_has_a_complete_cadence() -> None:
    playbook = load_checked_playbook(DEFAULT)
    channels = {s.channel.value for s in playbook.cadence.steps}
    assert channels == {"phone", "email", "whatsapp", "linkedin"}
    assert playbook.cadence.steps[-1].kind.value == "breakup"
    assert any(len(s.variants) > 1 for s in playbook.scripts.values()), "A/B variants"
    assert len(playbook.objections) >= 6


def test_the_fingerprint_ignores_comments_and_follows_content(tmp_path: Path) -> None:
    copy = _copy(tmp_path)
    first = load_playbook(copy).fingerprint
    path = copy / "icp.yaml"
    path.write_text("# a comment a manager added\n" + path.read_text(encoding="utf-8"), encoding="utf-8")
    assert load_playbook(copy).fingerprint == first
    _edit(copy, "icp.yaml", lambda d: d["tiers"].update(A=d["tiers"]["A"] + 1))
    assert load_playbook(copy).fingerprint != first


# ---------------------------------------------------------------------------- error classes


def _copy(tmp_path: Path) -> Path:
    target = tmp_path / "playbook"
    shutil.copytree(DEFAULT, target)
    return target


def _edit(directory: Path, name: str, change: Callable[[dict[str, Any]], Any]) -> str:
    path = directory / name
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=1000)
    path.write_text(text, encoding="utf-8")
    return text


def _step(data: dict[str, Any], index: int) -> dict[str, Any]:
    """Step ``index`` of the fallback cadence (the steps an old single-cadence file held)."""
    fallback = [c for c in data["cadences"] if not c.get("recycle")][-1]
    return fallback["steps"][index]  # type: ignore[no-any-return]


CASES: list[tuple[str, str, Callable[[dict[str, Any]], Any], str, str]] = [
    # (case, file, change, expected message fragment, text expected on the reported line)
    ("unknown key", "icp.yaml", lambda d: d["tiers"].update(Z=10), "chave desconhecida 'Z'", "Z:"),
    (
        "missing key",
        "cadence.yaml",
        lambda d: _step(d, 0).pop("channel"),
        "falta a chave obrigatória 'channel'",
        "- id:",
    ),
    (
        "wrong type",
        "cadence.yaml",
        lambda d: _step(d, 1).update(delay_business_days="dois"),
        "número inteiro",
        "delay_business_days",
    ),
    ("bad enum", "cadence.yaml", lambda d: _step(d, 1).update(channel="fax"), "fax", "channel: fax"),
    (
        "negative",
        "cadence.yaml",
        lambda d: _step(d, 1).update(delay_business_days=-1),
        "no mínimo 0",
        "delay_business_days",
    ),
    (
        "weights",
        "icp.yaml",
        lambda d: d["criteria"]["cnae"].update(weight=d["criteria"]["cnae"]["weight"] + 7),
        "somam 107",
        "criteria:",
    ),
    (
        "points over weight",
        "icp.yaml",
        lambda d: d["criteria"]["branches"]["bands"][0].update(points=999),
        "passa do peso",
        "points: 999",
    ),
    (
        "overlapping bands",
        "icp.yaml",
        lambda d: d["criteria"]["headcount"]["bands"][1].update(min=d["criteria"]["headcount"]["bands"][0]["max"]),
        "se sobrepõem",
        "min:",
    ),
    (
        "gapped bands",
        "icp.yaml",
        lambda d: d["criteria"]["headcount"]["bands"][1].update(min=d["criteria"]["headcount"]["bands"][0]["max"] + 5),
        "buraco",
        "min:",
    ),
    (
        "open band not last",
        "icp.yaml",
        lambda d: d["criteria"]["revenue"]["bands"][0].pop("max"),
        "só a última",
        "min:",
    ),
    (
        "last band closed",
        "icp.yaml",
        lambda d: d["criteria"]["headcount"]["bands"][-1].update(max=100000),
        "deve ficar aberta",
        "max: 100000",
    ),
    (
        "bad cnae prefix",
        "icp.yaml",
        lambda d: d["criteria"]["cnae"]["rules"][0].update(prefix="9999999"),
        "9999-9/99 não existe",
        "prefix:",
    ),
    (
        "bad uf",
        "icp.yaml",
        lambda d: d["criteria"]["region"]["rules"].insert(0, {"uf": ["XX"], "points": 1}),
        "XX",
        "XX",
    ),
    ("tiers order", "icp.yaml", lambda d: d["tiers"].update(B=d["tiers"]["A"] + 1), "devem descer", "tiers:"),
    (
        "operator for fact",
        "icp.yaml",
        lambda d: d["knockouts"][0]["when"][0].update(op="prefix"),
        "não serve",
        "op: prefix",
    ),
    (
        "bad federal status",
        "icp.yaml",
        lambda d: d["knockouts"].append(
            {"id": "fechada", "reason": "Fechada", "when": [{"fact": "federal_status", "op": "eq", "value": "fechada"}]}
        ),
        "situação 'fechada' inválida",
        "value: fechada",
    ),
    (
        "bad porte",
        "icp.yaml",
        lambda d: d["knockouts"].append(
            {"id": "micro", "reason": "Micro", "when": [{"fact": "porte", "op": "in", "value": ["me", "gigante"]}]}
        ),
        "porte 'gigante' inválido",
        "value:",
    ),
    (
        "simples not yes or no",
        "icp.yaml",
        lambda d: d["knockouts"].append(
            {"id": "simples", "reason": "Simples", "when": [{"fact": "simples", "op": "eq", "value": "talvez"}]}
        ),
        "'talvez' não é sim nem não",
        "value: talvez",
    ),
    (
        "age compares numbers",
        "icp.yaml",
        lambda d: d["knockouts"].append(
            {"id": "nova", "reason": "Nova", "when": [{"fact": "company_age", "op": "lt", "value": "dois"}]}
        ),
        "compara com números",
        "value: dois",
    ),
    (
        "operator for porte",
        "icp.yaml",
        lambda d: d["knockouts"].append(
            {"id": "pequena", "reason": "Pequena", "when": [{"fact": "porte", "op": "lt", "value": "epp"}]}
        ),
        "não serve",
        "op: lt",
    ),
    (
        "no fallback model",
        "icp.yaml",
        lambda d: d["sales_models"][-1].update(when=[{"fact": "headcount", "op": "ge", "value": 1}]),
        "a última regra",
        "model:",
    ),
    (
        "missing script",
        "cadence.yaml",
        lambda d: _step(d, 0).update(script="nao_existe"),
        "'nao_existe' não existe",
        "script: nao_existe",
    ),
    (
        "two breakups",
        "cadence.yaml",
        lambda d: _step(d, 0).update(kind="breakup"),
        "exatamente um passo de breakup",
        "steps:",
    ),
    ("duplicate step", "cadence.yaml", lambda d: _step(d, 1).update(id=_step(d, 0)["id"]), "mais de uma vez", "- id:"),
    (
        "no-response reason",
        "cadence.yaml",
        lambda d: d.update(no_response_reason="sumiu"),
        "'sumiu' não existe",
        "no_response_reason",
    ),
    (
        "objection without answer",
        "objections.yaml",
        lambda d: d["objections"][0].pop("answer"),
        "falta a chave obrigatória 'answer'",
        "- id:",
    ),
    ("stage without reasons", "reasons.yaml", lambda d: d["loss"].pop("connected"), "etapa 'connected'", "loss:"),
    (
        "question twice",
        "qualification.yaml",
        lambda d: d["questions"][1].update(key=d["questions"][0]["key"]),
        "aparece duas vezes",
        "key:",
    ),
    (
        "ids too long for one button",
        "objections.yaml",
        lambda d: d["objections"][-1].update(id="objecao_com_um_nome_longo_demais_"[:32]),
        "não cabe num botão do Telegram",
        "id: objecao_com_um_nome_longo",
    ),
    ("schema too new", "playbook.yaml", lambda d: d.update(schema=99), "mais novo", "schema: 99"),
    ("version as number", "playbook.yaml", lambda d: d.update(version=2026.11), "entre aspas", "version:"),
]


@pytest.mark.parametrize(("case", "file", "change", "message", "line_text"), CASES, ids=[c[0] for c in CASES])
def test_each_mistake_is_reported_with_file_line_and_fix(
    tmp_path: Path, case: str, file: str, change: Callable[[dict[str, Any]], Any], message: str, line_text: str
) -> None:
    directory = _copy(tmp_path)
    text = _edit(directory, file, change)
    with pytest.raises(PlaybookError) as caught:
        load_playbook(directory)
    issues = [i for i in caught.value.issues if message in i.message]
    assert issues, f"no issue mentioning {message!r}: {caught.value}"
    issue = issues[0]
    assert issue.file == file
    assert issue.line is not None, str(issue)
    assert line_text in text.splitlines()[issue.line - 1], (issue, text.splitlines()[issue.line - 1])


def test_a_script_with_an_unknown_variable_fails_at_load_time(tmp_path: Path) -> None:
    directory = _copy(tmp_path)
    first = next(iter(yaml.safe_load((directory / "scripts.yaml").read_text(encoding="utf-8"))["scripts"]))

    def typo(data: dict[str, Any]) -> None:
        variant = next(iter(data["scripts"][first]["variants"].values()))
        variant["body"] = "Oi {{ lead.contato }}, tudo bem?"

    _edit(directory, "scripts.yaml", typo)
    with pytest.raises(PlaybookError) as caught:
        load_checked_playbook(directory)
    (issue,) = caught.value.issues
    assert issue.file == "scripts.yaml"
    assert "contato" in issue.message and issue.line is not None


def test_a_jinja_syntax_error_is_reported(tmp_path: Path) -> None:
    directory = _copy(tmp_path)

    def broken(data: dict[str, Any]) -> None:
        data["objections"][0]["answer"] = "Entendo {% if lead.company %} sem fechar"

    _edit(directory, "objections.yaml", broken)
    with pytest.raises(PlaybookError) as caught:
        load_checked_playbook(directory)
    assert any("sintaxe" in i.message and i.file == "objections.yaml" for i in caught.value.issues)


def test_broken_yaml_names_the_line(tmp_path: Path) -> None:
    directory = _copy(tmp_path)
    path = directory / "reasons.yaml"
    lines = path.read_text(encoding="utf-8").splitlines()
    lines.insert(3, "loss: [unclosed")
    path.write_text("\n".join(lines), encoding="utf-8")
    with pytest.raises(PlaybookError) as caught:
        load_playbook(directory)
    (issue,) = caught.value.issues
    assert issue.file == "reasons.yaml" and issue.line is not None and "YAML inválido" in issue.message


def test_duplicate_yaml_keys_are_refused(tmp_path: Path) -> None:
    directory = _copy(tmp_path)
    path = directory / "playbook.yaml"
    path.write_text(path.read_text(encoding="utf-8") + "\nname: De novo\n", encoding="utf-8")
    with pytest.raises(PlaybookError, match="aparece duas vezes"):
        load_playbook(directory)


def test_a_missing_file_and_a_missing_folder(tmp_path: Path) -> None:
    directory = _copy(tmp_path)
    (directory / "objections.yaml").unlink()
    with pytest.raises(PlaybookError, match=r"objections\.yaml: arquivo não encontrado"):
        load_playbook(directory)
    with pytest.raises(PlaybookError, match="não encontrada"):
        load_playbook(tmp_path / "nowhere")


def test_every_problem_is_reported_at_once(tmp_path: Path) -> None:
    directory = _copy(tmp_path)
    _edit(directory, "icp.yaml", lambda d: d["tiers"].update(Z=1))
    _edit(directory, "cadence.yaml", lambda d: _step(d, 0).update(channel="fax"))
    with pytest.raises(PlaybookError) as caught:
        load_playbook(directory)
    assert {i.file for i in caught.value.issues} == {"icp.yaml", "cadence.yaml"}


# ---------------------------------------------------------------------------- issue 9: in the manager's language

ENGLISH = gettext_for("en")


@pytest.mark.parametrize(("case", "file", "change", "message", "line_text"), CASES, ids=[c[0] for c in CASES])
def test_each_mistake_is_explained_in_english_too(
    tmp_path: Path, case: str, file: str, change: Callable[[dict[str, Any]], Any], message: str, line_text: str
) -> None:
    directory = _copy(tmp_path)
    _edit(directory, file, change)
    with pytest.raises(PlaybookError) as caught:
        load_playbook(directory)
    for issue in caught.value.issues:
        english = issue.text(ENGLISH)
        assert english != str(issue), english
        where = f"{issue.file}:{issue.line}: " if issue.line else f"{issue.file}: "
        assert str(issue).startswith(where) and english.startswith(where), english
        words = [w for w in PORTUGUESE_WORDS if re.search(rf"\b{w}\b", english, re.IGNORECASE)]
        assert words == [], english


def test_an_issue_keeps_its_key_and_takes_a_domain_problem_s_words() -> None:
    with pytest.raises(InvalidUf) as caught:
        parse_uf("XX")
    issue = PlaybookIssue.of("icp.yaml", 40, caught.value, at="criteria.region")
    assert str(issue) == f"icp.yaml:40: criteria.region: {caught.value}"
    assert issue.message == f"criteria.region: {caught.value}"
    english = ENGLISH(caught.value.template) % caught.value.params
    assert issue.text(ENGLISH) == f"icp.yaml:40: criteria.region: {english}"
    assert "não existe" not in issue.text(ENGLISH)


def test_a_library_s_own_words_are_shown_as_given() -> None:
    issue = PlaybookIssue("scripts.yaml", None, AS_GIVEN, {"detail": "'x' is undefined"}, "scripts.a.body")
    assert str(issue) == issue.text(ENGLISH) == "scripts.yaml: scripts.a.body: 'x' is undefined"


def test_a_script_that_fails_with_either_sample_lead_is_explained_in_english(tmp_path: Path) -> None:
    directory = _copy(tmp_path)

    def needs_a_phone(data: dict[str, Any]) -> None:
        data["objections"][0]["answer"] = "Ligo em {{ lead.nao_existe }}"

    _edit(directory, "objections.yaml", needs_a_phone)
    with pytest.raises(PlaybookError) as caught:
        load_checked_playbook(directory)
    (issue,) = caught.value.issues
    assert "(com lead completo de exemplo); variáveis disponíveis" in str(issue)
    assert "(with the complete sample lead); available variables" in issue.text(ENGLISH)
    labels = [label for label, _ in sample_contexts({})]
    assert set(labels) == set(scripts._UNDEFINED) == set(scripts._FAILED)
