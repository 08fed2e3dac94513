"""ICP scoring: lead facts + the playbook's rules → a score that explains itself.

Pure and fast: rules are compiled once per playbook (:func:`compile_icp`) and scoring a lead is a
handful of dictionary look-ups, so a 100,000-lead import scores in a couple of seconds.

Unknown facts are never silently zero: each criterion says whether it was known, the result
carries the points still *possible* from unknown criteria, and a knock-out that could not be
checked is listed as unverified.

Long because compiling the rules and scoring a lead are one concern: each criterion's scorer is
written against its compiled form, and the explanations are built by the scorers themselves.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from functools import lru_cache
from typing import Any

from bot.domain import cnae, regions
from bot.domain.facts import (
    IntRange,
    LeadFacts,
    parse_federal_status,
    parse_porte,
    parse_yes_no,
)
from bot.domain.playbook.model import Band, BandCriterion, Condition, Icp
from bot.domain.problems import N_
from bot.domain.registry import FederalStatus
from bot.domain.vocabulary import Registration, SalesModel, Tier

CRITERIA_ORDER = ("cnae", "region", "headcount", "revenue", "branches", "registration", "financial_score")


@dataclass(frozen=True, slots=True)
class CriterionScore:
    criterion: str
    points: int
    max_points: int
    known: bool
    value: str
    """The fact as a rep reads it ("6201-5/01", "SP", "100–199")."""
    reason: str
    """Why these points ("divisão 62 'Atividades dos serviços de TI'", "faixa 100–499")."""


@dataclass(frozen=True, slots=True)
class KnockoutHit:
    id: str
    reason: str


@dataclass(frozen=True, slots=True)
class IcpResult:
    score: int
    potential: int
    """The highest score the lead could reach if every unknown fact turned out best."""
    tier: Tier
    sales_model: SalesModel
    sales_model_why: str
    criteria: tuple[CriterionScore, ...]
    knockouts: tuple[KnockoutHit, ...] = ()
    unverified_knockouts: tuple[KnockoutHit, ...] = ()
    notes: tuple[str, ...] = field(default=())

    @property
    def knocked_out(self) -> bool:
        return bool(self.knockouts)

    @property
    def unknown(self) -> tuple[str, ...]:
        return tuple(c.criterion for c in self.criteria if not c.known)

    @property
    def complete(self) -> bool:
        return not self.unknown


# ---------------------------------------------------------------------------- compiled rules


@dataclass(frozen=True, slots=True)
class _Bands:
    starts: tuple[int, ...]
    ends: tuple[float, ...]
    points: tuple[int, ...]
    texts: tuple[str, ...]
    weight: int

    def find(self, value: int) -> int | None:
        """Index of the band holding ``value``, or None."""
        index = bisect_right(self.starts, value) - 1
        if index < 0 or value > self.ends[index]:
            return None
        return index


@dataclass(frozen=True, slots=True)
class CompiledIcp:
    icp: Icp
    cnae_by_level: tuple[dict[str, tuple[int, str]], ...]
    """Rule points by code, one dict per level from subclass to section: most specific wins."""
    uf_points: dict[str, tuple[int, str]]
    region_points: dict[str, tuple[int, str]]
    bands: dict[str, _Bands]
    knockouts: tuple[tuple[str, str, tuple[Test, ...]], ...]
    sales_models: tuple[tuple[SalesModel, str, tuple[Test, ...]], ...]
    scored: dict[tuple[str, object], tuple[CriterionScore, str | None]] = field(default_factory=dict, compare=False)
    """(criterion, fact) → its score and note, worked out once: a list of leads repeats the same
    CNAEs, UFs, bands and statuses, so most criteria of an import are a look-up."""


Test = Callable[[LeadFacts], "bool | None"]
"""A compiled condition: True/False, or None when the fact is unknown."""


def _compile_bands(name: str, criterion: BandCriterion) -> _Bands:
    ordered = sorted(criterion.bands, key=lambda b: b.min)
    return _Bands(
        starts=tuple(b.min for b in ordered),
        ends=tuple(float("inf") if b.max is None else b.max for b in ordered),
        points=tuple(b.points for b in ordered),
        texts=tuple(_band_text(name, b) for b in ordered),
        weight=criterion.weight,
    )


@lru_cache(maxsize=128)
def _section_of(division: str) -> str:
    return cnae.section_of_division(division)


_LEVEL_KEYS = (
    ("subclass", lambda code: code),
    ("class", lambda code: code[:5]),
    ("group", lambda code: code[:3]),
    ("division", lambda code: code[:2]),
    ("section", lambda code: _section_of(code[:2])),
)


def compile_icp(icp: Icp) -> CompiledIcp:
    criteria = icp.criteria
    by_level: dict[str, dict[str, tuple[int, str]]] = {level: {} for level, _ in _LEVEL_KEYS}
    for rule in criteria.cnae.rules:
        prefix = cnae.parse_prefix(rule.prefix)
        by_level[prefix.level][prefix.code] = (rule.points, rule.label or prefix.describe())
    uf_points: dict[str, tuple[int, str]] = {}
    region_points: dict[str, tuple[int, str]] = {}
    for region_rule in criteria.region.rules:
        for uf in region_rule.uf or []:
            uf_points[regions.parse_uf(uf).code] = (region_rule.points, region_rule.label)
        if region_rule.region is not None:
            region_points[str(regions.parse_region(region_rule.region))] = (region_rule.points, region_rule.label)
    bands = {
        name: _compile_bands(name, getattr(criteria, name))
        for name in ("headcount", "revenue", "branches", "financial_score")
    }
    return CompiledIcp(
        icp,
        tuple(by_level[level] for level, _ in _LEVEL_KEYS),
        uf_points,
        region_points,
        bands,
        tuple((k.id, k.reason, tuple(compile_condition(c) for c in k.when)) for k in icp.knockouts),
        tuple((m.model, m.why, tuple(compile_condition(c) for c in m.when)) for m in icp.sales_models),
    )


_COMPILED: dict[int, CompiledIcp] = {}


def _compiled_for(icp: Icp) -> CompiledIcp:
    """Compile once per rules object (playbooks are immutable once loaded)."""
    compiled = _COMPILED.get(id(icp))
    if compiled is None or compiled.icp is not icp:
        compiled = _COMPILED[id(icp)] = compile_icp(icp)
    return compiled


# ---------------------------------------------------------------------------- scoring

FEDERAL_STATUS_KNOCKOUT = "federal_status"
"""The knock-out every playbook has: a company not active on the Receita Federal cannot buy."""


_INACTIVE_REASONS = {
    FederalStatus.SUSPENDED: N_("CNPJ suspenso na Receita Federal"),
    FederalStatus.UNFIT: N_("CNPJ inapto na Receita Federal"),
    FederalStatus.CLOSED: N_("CNPJ baixado na Receita Federal (empresa fechada)"),
    FederalStatus.NULL: N_("CNPJ nulo na Receita Federal"),
}


def inactive_reason(status: FederalStatus) -> str:
    """Why a company not active on the Receita is knocked out (a catalog message: translate it)."""
    return _INACTIVE_REASONS.get(status) or N_("CNPJ não está ativo na Receita Federal")



def _money(value: int) -> str:
    if value >= 1_000_000_000:
        return f"R$ {value / 1_000_000_000:.1f} bi".replace(".", ",")
    if value >= 1_000_000:
        return f"R$ {value / 1_000_000:.1f} mi".replace(".", ",")
    if value >= 1_000:
        return f"R$ {value / 1_000:.0f} mil"
    return f"R$ {value}"


@lru_cache(maxsize=65_536)
def _range_text(name: str, value: IntRange | int) -> str:
    if isinstance(value, int):
        value = IntRange(value, value)
    if name == "revenue":
        return _money(value.low) if value.exact else f"{_money(value.low)}–{_money(value.high)}"
    return str(value)


def _band_text(name: str, band: Band) -> str:
    if band.label:
        return band.label
    fmt = _money if name == "revenue" else str
    if band.max is None:
        return f"faixa {fmt(band.min)} ou mais"
    return f"faixa {fmt(band.min)}–{fmt(band.max)}"


_NAMES = {
    "cnae": "CNAE",
    "region": "Região",
    "headcount": "Funcionários",
    "revenue": "Faturamento anual",
    "branches": "Filiais",
    "registration": "Inscrição estadual",
    "financial_score": "Score financeiro",
}


def criterion_name(criterion: str) -> str:
    return _NAMES[criterion]


def _unknown(name: str, weight: int) -> CriterionScore:
    return CriterionScore(name, 0, weight, False, "?", "desconhecido — não pontuado")


def _score_cnae(compiled: CompiledIcp, code: str | None) -> CriterionScore:
    criterion = compiled.icp.criteria.cnae
    if code is None:
        return _unknown("cnae", criterion.weight)
    formatted = cnae.format_subclass(code)
    for (_, key_of), rules in zip(_LEVEL_KEYS, compiled.cnae_by_level, strict=True):
        if rules:
            found = rules.get(key_of(code))
            if found is not None:
                return CriterionScore("cnae", found[0], criterion.weight, True, formatted, found[1])
    return CriterionScore("cnae", criterion.default, criterion.weight, True, formatted, "fora das atividades do ICP")


def _score_region(compiled: CompiledIcp, code: str | None) -> CriterionScore:
    criterion = compiled.icp.criteria.region
    if code is None:
        return _unknown("region", criterion.weight)
    uf = regions.UFS[code]
    if code in compiled.uf_points:
        points, label = compiled.uf_points[code]
        return CriterionScore("region", points, criterion.weight, True, uf.code, label or f"UF {uf.code} ({uf.name})")
    region = str(uf.region)
    if region in compiled.region_points:
        points, label = compiled.region_points[region]
        return CriterionScore("region", points, criterion.weight, True, uf.code, label or f"região {region}")
    return CriterionScore(
        "region", criterion.default, criterion.weight, True, uf.code, f"{uf.name} fora das regiões-alvo"
    )


def _score_band(compiled: CompiledIcp, name: str, raw: IntRange | int | None) -> tuple[CriterionScore, str | None]:
    """The band's score, and a note when a range crosses bands (its midpoint is scored)."""
    bands = compiled.bands[name]
    if raw is None:
        return _unknown(name, bands.weight), None
    value = raw if isinstance(raw, IntRange) else IntRange(raw, raw)
    note = None
    index = bands.find(value.low)
    if index is None or value.high > bands.ends[index]:
        mid_index = bands.find(value.midpoint)
        if mid_index is not None and index is not None:
            note = (
                f"{_NAMES[name]} {_range_text(name, value)} cruza faixas do ICP; usei o ponto médio "
                f"({_range_text(name, value.midpoint)})"
            )
        index = mid_index
    if index is None:
        return CriterionScore(name, 0, bands.weight, True, _range_text(name, value), "fora das faixas do ICP"), note
    text = _range_text(name, value)
    return CriterionScore(name, bands.points[index], bands.weight, True, text, bands.texts[index]), note


_REGISTRATION_TEXT = {
    Registration.ACTIVE: "ativa",
    Registration.INACTIVE: "inativa",
    Registration.EXEMPT: "isenta",
}


def _score_registration(compiled: CompiledIcp, registration: Registration | None) -> CriterionScore:
    criterion = compiled.icp.criteria.registration
    if registration is None:
        return _unknown("registration", criterion.weight)
    points = getattr(criterion, registration.value)
    text = _REGISTRATION_TEXT[registration]
    return CriterionScore(
        "registration", points, criterion.weight, True, text, f"inscrição estadual {text} no SINTEGRA"
    )


MAX_SCORED = 100_000
"""Criterion scores remembered per compiled ICP (forgotten all at once past this)."""


def _score_criterion(compiled: CompiledIcp, name: str, value: Any) -> tuple[CriterionScore, str | None]:
    """One criterion of :data:`CRITERIA_ORDER` for one fact (``region`` is scored from the UF)."""
    if name == "cnae":
        return _score_cnae(compiled, value), None
    if name == "region":
        return _score_region(compiled, value), None
    if name == "registration":
        return _score_registration(compiled, value), None
    return _score_band(compiled, name, value)


def _fact_value(facts: LeadFacts, fact: str) -> object:
    if fact == "region":
        return str(regions.UFS[facts.uf].region) if facts.uf else None
    value = getattr(facts, fact)
    if isinstance(value, IntRange):
        return value.midpoint
    if isinstance(value, Registration | StrEnum):
        return value.value
    return value


#: How a condition's value on a registry fact is read (the words of a typed answer, or codes).
_REGISTRY_TARGETS: dict[str, Callable[[str], object]] = {
    "federal_status": lambda text: parse_federal_status(text).value,
    "porte": lambda text: parse_porte(text).value,
    "simples": parse_yes_no,
    "mei": parse_yes_no,
}


_COMPARE: dict[str, Callable[[Any, Any], bool]] = {
    "eq": lambda a, b: bool(a == b),
    "ne": lambda a, b: bool(a != b),
    "lt": lambda a, b: bool(a < b),
    "le": lambda a, b: bool(a <= b),
    "gt": lambda a, b: bool(a > b),
    "ge": lambda a, b: bool(a >= b),
    "in": lambda a, b: a in b,
    "not_in": lambda a, b: a not in b,
}


def compile_condition(condition: Condition) -> Test:
    """Turn ``{fact, op, value}`` into a test on lead facts, parsing its values once."""
    fact, op, target = condition.fact, condition.op, condition.value
    if fact == "cnae":
        prefixes = [cnae.parse_prefix(str(t)) for t in (target if isinstance(target, list) else [target])]
        levels = tuple(
            (key_of, frozenset(p.code for p in prefixes if p.level == level))
            for level, key_of in _LEVEL_KEYS
            if any(p.level == level for p in prefixes)
        )
        negate = op == "not_in"

        def test_cnae(facts: LeadFacts) -> bool | None:
            if facts.cnae is None:
                return None
            hit = any(key_of(facts.cnae) in codes for key_of, codes in levels)
            return not hit if negate else hit

        return test_cnae
    if fact == "uf":
        target = (
            [regions.parse_uf(str(t)).code for t in target]
            if isinstance(target, list)
            else regions.parse_uf(str(target)).code
        )
    elif fact == "region":
        target = (
            [str(regions.parse_region(str(t))) for t in target]
            if isinstance(target, list)
            else str(regions.parse_region(str(target)))
        )
    compare = _COMPARE[op]
    wanted: Any = frozenset(target) if isinstance(target, list) else target
    if fact in _REGISTRY_TARGETS:
        read = _REGISTRY_TARGETS[fact]
        wanted = frozenset(read(str(t)) for t in target) if isinstance(target, list) else read(str(target))

    def test(facts: LeadFacts) -> bool | None:
        value = _fact_value(facts, fact)
        return None if value is None else compare(value, wanted)

    return test


def evaluate(condition: Condition, facts: LeadFacts) -> bool | None:
    """True/False, or None when the fact is unknown."""
    return compile_condition(condition)(facts)


def _all(tests: tuple[Test, ...], facts: LeadFacts) -> bool | None:
    unknown = False
    for test in tests:
        result = test(facts)
        if result is False:
            return False
        if result is None:
            unknown = True
    return None if unknown else True


def score(facts: LeadFacts, icp: Icp | CompiledIcp) -> IcpResult:
    """Score one lead against the ICP rules."""
    compiled = icp if isinstance(icp, CompiledIcp) else _compiled_for(icp)
    rules = compiled.icp
    notes: list[str] = []
    scored = compiled.scored
    if len(scored) > MAX_SCORED:
        scored.clear()
    criteria = []
    for name in CRITERIA_ORDER:
        value = facts.uf if name == "region" else getattr(facts, name)
        found = scored.get((name, value))
        if found is None:
            found = scored[(name, value)] = _score_criterion(compiled, name, value)
        criteria.append(found[0])
        if found[1] is not None:
            notes.append(found[1])
    total = sum(c.points for c in criteria)
    potential = total + sum(c.max_points for c in criteria if not c.known)
    hits: list[KnockoutHit] = []
    unverified: list[KnockoutHit] = []
    if facts.federal_status is not None and facts.federal_status is not FederalStatus.ACTIVE:
        hits.append(KnockoutHit(FEDERAL_STATUS_KNOCKOUT, inactive_reason(facts.federal_status)))
    for knockout_id, reason, tests in compiled.knockouts:
        outcome = _all(tests, facts)
        if outcome is True:
            hits.append(KnockoutHit(knockout_id, reason))
        elif outcome is None:
            unverified.append(KnockoutHit(knockout_id, reason))
    model, why = rules.sales_models[-1].model, rules.sales_models[-1].why
    skipped_unknown = False
    for candidate, reason, tests in compiled.sales_models:
        outcome = _all(tests, facts)
        if outcome is True:
            model, why = candidate, reason
            break
        if outcome is None:
            skipped_unknown = True
    if skipped_unknown:
        notes.append("modelo de vendas sugerido com dados incompletos; complete os dados para confirmar")
    tier = Tier.D if hits else rules.tiers.tier_for(total)
    return IcpResult(
        score=total,
        potential=potential,
        tier=tier,
        sales_model=model,
        sales_model_why=why,
        criteria=tuple(criteria),
        knockouts=tuple(hits),
        unverified_knockouts=tuple(unverified),
        notes=tuple(notes),
    )
