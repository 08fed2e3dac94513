"""economics.yaml: optional, its example loads once uncommented, money read as typed, and every
mistake named with file, line and what to change (in English too); costs and segments from it."""

from __future__ import annotations

import re
import shutil
from decimal import Decimal
from pathlib import Path

import pytest

from bot.domain import economics as e
from bot.domain.facts import IntRange, LeadFacts
from bot.domain.playbook.loader import PlaybookError, load_playbook
from bot.domain.playbook.model import Economics
from bot.i18n import gettext_for
from bot.resources import bundled_dir
from tests.support.broken_playbooks import PORTUGUESE_WORDS

DEFAULT = bundled_dir("playbook")
ENGLISH = gettext_for("en")


def _copy(tmp_path: Path) -> Path:
    target = tmp_path / "playbook"
    shutil.copytree(DEFAULT, target)
    return target


def _example() -> str:
    """The shipped file with its example uncommented (what a manager does to use it)."""
    lines = (DEFAULT / "economics.yaml").read_text(encoding="utf-8").splitlines()
    start = lines.index("# team:")
    return "\n".join(line[2:] if line.startswith("# ") else line.lstrip("#") for line in lines[start:]) + "\n"


def _loaded(tmp_path: Path, text: str) -> Economics:
    directory = _copy(tmp_path)
    (directory / "economics.yaml").write_text(text, encoding="utf-8")
    economics = load_playbook(directory).economics
    assert economics is not None
    return economics


def test_the_shipped_file_is_all_comments_and_changes_nothing(tmp_path: Path) -> None:
    shipped = load_playbook(DEFAULT)
    assert shipped.economics is None
    directory = _copy(tmp_path)
    (directory / "economics.yaml").unlink()
    without = load_playbook(directory)
    assert without.economics is None and without.fingerprint == shipped.fingerprint


def test_the_example_loads_with_money_read_as_typed(tmp_path: Path) -> None:
    economics = _loaded(tmp_path, _example())
    assert economics.team.roles == {"rep": 650_000, "sdr": 650_000, "bdr": 650_000, "ldr": 400_000, "closer": 1_200_000}
    assert economics.team.reps[0].telegram_id == 123456789 and economics.team.reps[0].monthly == 900_000
    assert economics.tools_monthly_cents() == 200_000
    assert economics.lists_cents("Logística SP") == 300_000 and economics.lists_cents("outra") == 0
    assert economics.gross_margin() == Decimal("0.8")
    assert economics.churn("smb") == Decimal("0.04") and economics.churn("nope") is None
    assert economics.probabilities() == {
        "meeting_booked": Decimal("0.1"),
        "meeting_held": Decimal("0.25"),
        "proposal_sent": Decimal("0.5"),
    }


def test_the_file_changes_the_fingerprint(tmp_path: Path) -> None:
    directory = _copy(tmp_path)
    before = load_playbook(directory).fingerprint
    (directory / "economics.yaml").write_text(_example(), encoding="utf-8")
    assert load_playbook(directory).fingerprint != before


def test_annual_values_are_monthly_and_floats_are_reais(tmp_path: Path) -> None:
    economics = _loaded(tmp_path, "team:\n  roles:\n    sdr: R$ 120 mil/ano\n    closer: 9000.5\ntools: []\n")
    assert economics.team.roles == {"sdr": 1_000_000, "closer": 900_050}


CASES = [
    ("money", "team:\n  roles:\n    sdr: seis mil\n", "não entendido", "sdr: seis mil"),
    ("negative", "tools:\n  - name: CRM\n    monthly: -100\n", "negativo", "monthly: -100"),
    ("once", "lists:\n  - campaign: SP\n    cost: 3000/mês\n", "pago uma vez", "cost: 3000/mês"),
    ("role", "team:\n  roles:\n    intern: 1000\n", "inválido", "intern: 1000"),
    ("percent", "gross_margin_percent: 180\n", "no máximo 100", "gross_margin_percent"),
    ("key", "gross_margin: 80\n", "chave desconhecida", "gross_margin: 80"),
    ("percent_text", "segments:\n  - id: smb\n    label: SMB\n    churn_monthly_percent: 2,5%\n", "ponto nos", "2,5%"),
    (
        "catch_all",
        "segments:\n  - id: smb\n    label: SMB\n  - id: key\n    label: Key\n    when:\n"
        "      - {fact: headcount, op: ge, value: 500}\n",
        "só o último segmento",
        "- id: smb",
    ),
    (
        "last_has_rule",
        "segments:\n  - id: key\n    label: Key\n    when:\n      - {fact: headcount, op: ge, value: 500}\n",
        "o último segmento fica sem 'when'",
        "when:",
    ),
    (
        "condition",
        "segments:\n  - id: key\n    label: Key\n    when:\n      - {fact: uf, op: ge, value: SP}\n"
        "  - id: rest\n    label: Rest\n",
        "o operador 'ge' não serve",
        "{fact: uf, op: ge, value: SP}",
    ),
    (
        "repeated",
        "segments:\n  - id: a\n    label: A\n    when:\n      - {fact: headcount, op: ge, value: 5}\n"
        "  - id: a\n    label: B\n",
        "repetido",
        "- id: a",
    ),
    ("closed_stage", "stage_probabilities:\n  proposal_sent: 50\n  won: 100\n", "não é uma etapa aberta", "won: 100"),
    (
        "rep_twice",
        "team:\n  reps:\n    - {telegram_id: 7, monthly: 1000}\n    - {telegram_id: 7, monthly: 2000}\n",
        "aparece duas vezes",
        "{telegram_id: 7, monthly: 2000}",
    ),
    ("yaml", "team:\n  roles: [sdr: 1\n  tools: 2\n", "YAML inválido", ""),
]


@pytest.mark.parametrize(("case", "text", "message", "line_text"), CASES, ids=[c[0] for c in CASES])
def test_a_broken_file_fails_with_file_line_and_fix(
    tmp_path: Path, case: str, text: str, message: str, line_text: str
) -> None:
    directory = _copy(tmp_path)
    (directory / "economics.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(PlaybookError) as caught:
        load_playbook(directory)
    issues = [i for i in caught.value.issues if message in i.message]
    assert issues, f"no issue mentioning {message!r}: {caught.value}"
    issue = issues[0]
    assert issue.file == "economics.yaml" and issue.line is not None, str(issue)
    assert line_text in text.splitlines()[issue.line - 1], (str(issue), text)
    english = issue.text(ENGLISH)
    assert english != str(issue) and english.startswith(f"economics.yaml:{issue.line}: "), english
    assert [w for w in PORTUGUESE_WORDS if re.search(rf"\b{w}\b", english, re.IGNORECASE)] == [], english


def test_costs_of_a_period(tmp_path: Path) -> None:
    economics = _loaded(tmp_path, _example())
    team = [(1, "sdr"), (2, "sdr"), (123456789, "closer")]  # the closer has a cost of their own
    # Two months: (6.500 + 6.500 + 9.000 + 2.000 of tools) × 2 + the list of R$ 3.000 = R$ 51.000
    assert e.period_costs(economics, team, 2).value == 5_100_000
    assert e.period_costs(economics, team, 2, campaign="outra").value == 4_800_000
    unknown = e.period_costs(economics, [(5, "manager")], 1)
    assert unknown.value is None and unknown.reason() == "sem custo mensal para o papel manager no economics.yaml"
    assert e.period_costs(None, team, 1).reason() == "sem custos: preencha o economics.yaml do playbook"
    assert e.period_costs(Economics(), team, 1).value is None
    assert e.cac(int(e.period_costs(economics, team, 2).value or 0), 3).value == 1_700_000


def test_segments_first_match_wins_and_unknown_facts_give_none(tmp_path: Path) -> None:
    economics = _loaded(tmp_path, _example())

    def segment(headcount: int | None) -> str | None:
        facts = LeadFacts(headcount=None if headcount is None else IntRange(headcount, headcount))
        found = e.segment_for(economics, facts)
        return None if found is None else found.id

    assert segment(800) == "key_account"
    assert segment(500) == "key_account"
    assert segment(120) == "mid_market"
    assert segment(10) == "smb"
    assert segment(None) is None  # might be a key account: no guess
    assert e.segment_for(None, LeadFacts()) is None
