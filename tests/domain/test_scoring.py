"""ICP scoring, criterion by criterion, band edges, knock-outs and unknown facts.

The rules here are a small hand-written ICP (not the default playbook) so each expectation can
be checked by hand.
"""

from __future__ import annotations

import pytest

from bot.domain import scoring
from bot.domain.facts import IntRange, LeadFacts
from bot.domain.playbook.model import Icp
from bot.domain.scoring import compile_icp, score
from bot.domain.vocabulary import Registration, SalesModel, Tier

RULES = Icp.model_validate(
    {
        "criteria": {
            "cnae": {
                "weight": 30,
                "rules": [
                    {"prefix": "6201-5/01", "points": 30},
                    {"prefix": "62", "points": 25},
                    {"prefix": "J", "points": 10},
                    {"prefix": "4930-2", "points": 20, "label": "transporte de carga"},
                ],
                "default": 2,
            },
            "region": {
                "weight": 15,
                "rules": [
                    {"uf": ["SP", "RJ"], "points": 15},
                    {"region": "Sul", "points": 10},
                ],
                "default": 3,
            },
            "headcount": {
                "weight": 15,
                "bands": [
                    {"min": 1, "max": 9, "points": 0},
                    {"min": 10, "max": 99, "points": 8},
                    {"min": 100, "max": 499, "points": 15},
                    {"min": 500, "points": 10},
                ],
            },
            "revenue": {
                "weight": 15,
                "bands": [
                    {"min": 0, "max": 359_999, "points": 0},
                    {"min": 360_000, "max": 4_799_999, "points": 8},
                    {"min": 4_800_000, "points": 15},
                ],
            },
            "branches": {
                "weight": 5,
                "bands": [{"min": 0, "max": 0, "points": 0}, {"min": 1, "points": 5}],
            },
            "registration": {"weight": 10, "active": 10, "exempt": 5, "inactive": 0},
            "financial_score": {
                "weight": 10,
                "bands": [
                    {"min": 0, "max": 299, "points": 0},
                    {"min": 300, "max": 699, "points": 5},
                    {"min": 700, "max": 1000, "points": 10},
                ],
            },
        },
        "knockouts": [
            {
                "id": "ie_inativa",
                "reason": "Inscrição estadual inativa",
                "when": [{"fact": "registration", "op": "eq", "value": "inactive"}],
            },
            {
                "id": "score_baixo",
                "reason": "Score financeiro abaixo de 200",
                "when": [{"fact": "financial_score", "op": "lt", "value": 200}],
            },
            {
                "id": "governo",
                "reason": "Administração pública",
                "when": [{"fact": "cnae", "op": "prefix", "value": "O"}],
            },
        ],
        "tiers": {"A": 80, "B": 60, "C": 40},
        "sales_models": [
            {
                "model": "enterprise",
                "when": [{"fact": "headcount", "op": "ge", "value": 500}],
                "why": "contas grandes",
            },
            {
                "model": "transactional",
                "when": [{"fact": "headcount", "op": "ge", "value": 20}],
                "why": "médias",
            },
            {"model": "self_service", "why": "pequenas"},
        ],
    }
)

FULL = LeadFacts(
    cnae="6201501",
    uf="SP",
    headcount=IntRange(120, 120),
    revenue=IntRange(18_000_000, 18_000_000),
    branches=3,
    registration=Registration.ACTIVE,
    financial_score=820,
)


def by_criterion(facts: LeadFacts) -> dict[str, tuple[int, bool, str]]:
    result = score(facts, RULES)
    return {c.criterion: (c.points, c.known, c.reason) for c in result.criteria}


def test_a_perfect_lead_scores_100_tier_a_with_one_line_per_criterion() -> None:
    result = score(FULL, RULES)
    assert result.score == 100
    assert result.potential == 100
    assert result.tier is Tier.A
    assert result.complete
    assert [c.criterion for c in result.criteria] == [
        "cnae",
        "region",
        "headcount",
        "revenue",
        "branches",
        "registration",
        "financial_score",
    ]
    assert sum(c.max_points for c in result.criteria) == 100


@pytest.mark.parametrize(
    ("cnae", "points", "reason_part"),
    [
        ("6201501", 30, "6201-5/01"),  # the subclass rule is the most specific
        ("6202300", 25, "divisão 62"),  # division
        ("6311900", 10, "seção J"),  # section
        ("4930202", 20, "transporte de carga"),  # class, with the manager's own label
        ("4711302", 2, "fora das atividades"),  # no rule: default points, said so
    ],
)
def test_cnae_most_specific_prefix_wins(cnae: str, points: int, reason_part: str) -> None:
    got_points, known, reason = by_criterion(FULL.with_(cnae=cnae))["cnae"]
    assert (got_points, known) == (points, True)
    assert reason_part in reason


@pytest.mark.parametrize(
    ("uf", "points", "reason_part"),
    [("SP", 15, "UF SP"), ("RJ", 15, "UF RJ"), ("PR", 10, "região Sul"), ("BA", 3, "fora")],
)
def test_region_uf_beats_macroregion_then_default(uf: str, points: int, reason_part: str) -> None:
    got_points, _, reason = by_criterion(FULL.with_(uf=uf))["region"]
    assert got_points == points
    assert reason_part in reason


@pytest.mark.parametrize(
    ("headcount", "points"),
    [(1, 0), (9, 0), (10, 8), (99, 8), (100, 15), (499, 15), (500, 10), (4_000_000, 10)],
)
def test_headcount_band_edges(headcount: int, points: int) -> None:
    assert by_criterion(FULL.with_(headcount=IntRange(headcount, headcount)))["headcount"][0] == points


@pytest.mark.parametrize(
    ("revenue", "points"),
    [(0, 0), (359_999, 0), (360_000, 8), (4_799_999, 8), (4_800_000, 15)],
)
def test_revenue_band_edges(revenue: int, points: int) -> None:
    assert by_criterion(FULL.with_(revenue=IntRange(revenue, revenue)))["revenue"][0] == points


@pytest.mark.parametrize(("branches", "points"), [(0, 0), (1, 5), (250, 5)])
def test_branches_bands(branches: int, points: int) -> None:
    assert by_criterion(FULL.with_(branches=branches))["branches"][0] == points


@pytest.mark.parametrize(
    ("registration", "points"),
    [(Registration.ACTIVE, 10), (Registration.EXEMPT, 5), (Registration.INACTIVE, 0)],
)
def test_registration(registration: Registration, points: int) -> None:
    assert by_criterion(FULL.with_(registration=registration))["registration"][0] == points


@pytest.mark.parametrize(("value", "points"), [(0, 0), (299, 0), (300, 5), (699, 5), (700, 10), (1000, 10)])
def test_financial_score_band_edges(value: int, points: int) -> None:
    assert by_criterion(FULL.with_(financial_score=value))["financial_score"][0] == points


def test_a_headcount_range_inside_one_band_scores_that_band() -> None:
    result = score(FULL.with_(headcount=IntRange(100, 199)), RULES)
    headcount = next(c for c in result.criteria if c.criterion == "headcount")
    assert headcount.points == 15
    assert headcount.value == "100–199"
    assert not result.notes


def test_a_range_across_bands_uses_its_midpoint_and_says_so() -> None:
    result = score(FULL.with_(headcount=IntRange(50, 199)), RULES)
    headcount = next(c for c in result.criteria if c.criterion == "headcount")
    assert headcount.points == 15  # midpoint 124 is in 100–499
    assert any("ponto médio" in note for note in result.notes)


def test_unknown_facts_are_marked_unknown_and_counted_as_potential_not_silent_zero() -> None:
    result = score(LeadFacts(cnae="6201501", uf="SP"), RULES)
    unknown = {c.criterion for c in result.criteria if not c.known}
    assert unknown == {"headcount", "revenue", "branches", "registration", "financial_score"}
    assert result.score == 45
    assert result.potential == 100
    assert all(c.reason.startswith("desconhecido") for c in result.criteria if not c.known)
    assert result.tier is Tier.C  # tier is what is known, potential says what could be


def test_nothing_known_scores_zero_with_full_potential() -> None:
    result = score(LeadFacts(), RULES)
    assert (result.score, result.potential) == (0, 100)
    assert len(result.unknown) == 7


@pytest.mark.parametrize(
    ("facts", "knockout_ids"),
    [
        (FULL.with_(registration=Registration.INACTIVE), ["ie_inativa"]),
        (FULL.with_(financial_score=199), ["score_baixo"]),
        (FULL.with_(financial_score=200), []),
        (FULL.with_(cnae="8411600"), ["governo"]),
        (FULL.with_(registration=Registration.INACTIVE, financial_score=10), ["ie_inativa", "score_baixo"]),
    ],
)
def test_knockouts_force_tier_d_and_name_their_reason(facts: LeadFacts, knockout_ids: list[str]) -> None:
    result = score(facts, RULES)
    assert [k.id for k in result.knockouts] == knockout_ids
    if knockout_ids:
        assert result.tier is Tier.D
        assert result.knocked_out


def test_a_knockout_on_an_unknown_fact_is_listed_as_unverified() -> None:
    result = score(FULL.with_(registration=None, financial_score=None), RULES)
    assert not result.knocked_out
    assert {k.id for k in result.unverified_knockouts} == {"ie_inativa", "score_baixo"}


@pytest.mark.parametrize(
    ("headcount", "model"),
    [
        (IntRange(800, 800), SalesModel.ENTERPRISE),
        (IntRange(500, 500), SalesModel.ENTERPRISE),
        (IntRange(20, 20), SalesModel.TRANSACTIONAL),
        (IntRange(5, 5), SalesModel.SELF_SERVICE),
    ],
)
def test_sales_model_first_matching_rule(headcount: IntRange, model: SalesModel) -> None:
    result = score(FULL.with_(headcount=headcount), RULES)
    assert result.sales_model is model
    assert result.sales_model_why


def test_sales_model_from_incomplete_data_says_so() -> None:
    result = score(LeadFacts(cnae="6201501"), RULES)
    assert result.sales_model is SalesModel.SELF_SERVICE
    assert any("dados incompletos" in note for note in result.notes)


@pytest.mark.parametrize(
    ("score_value", "tier"), [(80, Tier.A), (79, Tier.B), (60, Tier.B), (59, Tier.C), (40, Tier.C), (39, Tier.D)]
)
def test_tier_thresholds(score_value: int, tier: Tier) -> None:
    assert RULES.tiers.tier_for(score_value) is tier


@pytest.mark.parametrize(
    ("op", "value", "cnae", "expected"),
    [
        ("prefix", "O", "8411600", True),
        ("prefix", "84", "8411600", True),
        ("prefix", "84.1", "8411600", True),
        ("prefix", "8411-6", "8411600", True),
        ("prefix", "8411-6/00", "8411600", True),
        ("prefix", "62", "8411600", False),
        ("in", ["62", "J", "4930-2"], "4930202", True),
        ("in", ["62", "J"], "4930202", False),
        ("not_in", ["62", "J"], "4930202", True),
        ("not_in", ["49"], "4930202", False),
    ],
)
def test_cnae_conditions_at_every_level(op: str, value: object, cnae: str, expected: bool) -> None:
    from bot.domain.playbook.model import Condition
    from bot.domain.scoring import evaluate

    condition = Condition.model_validate({"fact": "cnae", "op": op, "value": value})
    assert evaluate(condition, LeadFacts(cnae=cnae)) is expected
    assert evaluate(condition, LeadFacts()) is None


@pytest.mark.parametrize(
    ("fact", "op", "value", "facts", "expected"),
    [
        ("uf", "in", ["SP", "rj"], LeadFacts(uf="RJ"), True),
        ("uf", "eq", "São Paulo", LeadFacts(uf="SP"), True),
        ("region", "eq", "sul", LeadFacts(uf="PR"), True),
        ("region", "not_in", ["Sul", "Sudeste"], LeadFacts(uf="BA"), True),
        ("registration", "eq", "inactive", LeadFacts(registration=Registration.ACTIVE), False),
        ("headcount", "ge", 100, LeadFacts(headcount=IntRange(100, 199)), True),
        ("revenue", "lt", 360_000, LeadFacts(revenue=IntRange(100_000, 200_000)), True),
    ],
)
def test_other_conditions(fact: str, op: str, value: object, facts: LeadFacts, expected: bool) -> None:
    from bot.domain.playbook.model import Condition
    from bot.domain.scoring import evaluate

    assert evaluate(Condition.model_validate({"fact": fact, "op": op, "value": value}), facts) is expected


def test_criteria_remembered_from_earlier_leads_score_exactly_as_worked_out_afresh(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """An import scores thousands of leads with one compiled ICP, which remembers each criterion's
    score per fact; a lead scored from that memory equals one scored by a fresh compile, notes
    (a range across bands) included, and the memory stays bounded."""
    monkeypatch.setattr(scoring, "MAX_SCORED", 40)
    shared = compile_icp(RULES)
    leads = [
        FULL.with_(headcount=IntRange(low, high), revenue=IntRange(revenue, revenue), uf=uf, cnae=code)
        for low, high in ((5, 20), (50, 60), (90, 150), (400, 900))
        for revenue in (100_000, 5_000_000)
        for uf in ("SP", "PR", "BA")
        for code in ("6201501", "4930202", "8630503")
    ]
    for lead in leads * 2:  # the second round answers from memory (or from a memory just emptied)
        assert score(lead, shared) == score(lead, compile_icp(RULES))
        assert len(shared.scored) <= 40 + len(scoring.CRITERIA_ORDER)
    crossing = score(FULL.with_(headcount=IntRange(90, 150)), shared)
    assert crossing == score(FULL.with_(headcount=IntRange(90, 150)), compile_icp(RULES))
    assert any("cruza faixas" in note for note in crossing.notes)
