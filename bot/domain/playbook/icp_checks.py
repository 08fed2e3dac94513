"""Cross-checks of ``icp.yaml``: weights, bands, conditions, CNAE prefixes and regions."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from typing import TYPE_CHECKING

from bot.domain import cnae, facts, regions
from bot.domain.playbook.model import BandCriterion, Condition, Playbook
from bot.domain.problems import N_
from bot.domain.vocabulary import Registration

if TYPE_CHECKING:
    from bot.domain.playbook.loader import Locator, PlaybookIssue

ICP = "icp.yaml"

NUMERIC_FACTS = {"headcount", "revenue", "branches", "financial_score", "company_age"}
FACT_OPERATORS = {
    "headcount": {"eq", "ne", "lt", "le", "gt", "ge"},
    "revenue": {"eq", "ne", "lt", "le", "gt", "ge"},
    "branches": {"eq", "ne", "lt", "le", "gt", "ge"},
    "financial_score": {"eq", "ne", "lt", "le", "gt", "ge"},
    "cnae": {"prefix", "in", "not_in"},
    "uf": {"eq", "ne", "in", "not_in"},
    "region": {"eq", "ne", "in", "not_in"},
    "registration": {"eq", "ne", "in", "not_in"},
    "federal_status": {"eq", "ne", "in", "not_in"},
    "porte": {"eq", "ne", "in", "not_in"},
    "simples": {"eq", "ne"},
    "mei": {"eq", "ne"},
    "company_age": {"eq", "ne", "lt", "le", "gt", "ge"},
}
#: What a condition on a registry fact accepts, read by the same parser as a typed answer.
REGISTRY_VALUES = {
    "federal_status": (
        facts.parse_federal_status,
        N_("situação '%(value)s' inválida; use ativa, suspensa, inapta, baixada ou nula"),
    ),
    "porte": (facts.parse_porte, N_("porte '%(value)s' inválido; use me, epp ou demais")),
    "simples": (facts.parse_yes_no, N_("'%(value)s' não é sim nem não; use sim ou nao")),
    "mei": (facts.parse_yes_no, N_("'%(value)s' não é sim nem não; use sim ou nao")),
}
BAND_FLOOR = {"headcount": 1, "revenue": 0, "branches": 0, "financial_score": 0}
BAND_CEILING = {"financial_score": 1000}


def check_icp(playbook: Playbook, locator: Locator) -> Iterator[PlaybookIssue]:
    criteria = playbook.icp.criteria
    weights = {name: getattr(criteria, name).weight for name in type(criteria).model_fields}
    total = sum(weights.values())
    if total != 100:
        listing = ", ".join(f"{k} {v}" for k, v in weights.items())
        yield locator.issue(
            ICP,
            ("criteria",),
            N_("os pesos somam %(total)s, mas devem somar 100 (%(weights)s); ajuste os pesos"),
            total=total,
            weights=listing,
        )
    # CNAE rules
    seen_prefixes: dict[str, int] = {}
    for i, rule in enumerate(criteria.cnae.rules):
        path = ("criteria", "cnae", "rules", i)
        try:
            prefix = cnae.parse_prefix(rule.prefix)
        except cnae.InvalidCnae as exc:
            yield locator.problem(ICP, (*path, "prefix"), exc)
            continue
        key = f"{prefix.level}:{prefix.code}"
        if key in seen_prefixes:
            yield locator.issue(
                ICP,
                (*path, "prefix"),
                N_("o prefixo CNAE '%(prefix)s' já aparece na regra %(rule)s; deixe só uma"),
                prefix=rule.prefix,
                rule=seen_prefixes[key] + 1,
            )
        seen_prefixes[key] = i
        yield from _points_within(rule.points, criteria.cnae.weight, locator, (*path, "points"))
    yield from _points_within(criteria.cnae.default, criteria.cnae.weight, locator, ("criteria", "cnae", "default"))
    # Region rules
    seen_ufs: dict[str, int] = {}
    seen_regions: dict[str, int] = {}
    for i, region_rule in enumerate(criteria.region.rules):
        path = ("criteria", "region", "rules", i)
        if (region_rule.uf is None) == (region_rule.region is None):
            yield locator.issue(
                ICP,
                path,
                N_("cada regra de região usa 'uf' (lista de siglas) ou 'region', não os dois"),
            )
            continue
        for j, uf_text in enumerate(region_rule.uf or []):
            try:
                uf = regions.parse_uf(str(uf_text)).code
            except regions.InvalidUf as exc:
                yield locator.problem(ICP, (*path, "uf", j), exc)
                continue
            if uf in seen_ufs:
                yield locator.issue(
                    ICP,
                    (*path, "uf", j),
                    N_("a UF %(uf)s já aparece na regra %(rule)s; deixe só uma"),
                    uf=uf,
                    rule=seen_ufs[uf] + 1,
                )
            seen_ufs[uf] = i
        if region_rule.region is not None:
            try:
                region = regions.parse_region(region_rule.region)
            except regions.InvalidUf as exc:
                yield locator.problem(ICP, (*path, "region"), exc)
                continue
            if region in seen_regions:
                yield locator.issue(
                    ICP,
                    (*path, "region"),
                    N_("a região %(region)s já aparece na regra %(rule)s"),
                    region=region,
                    rule=seen_regions[region] + 1,
                )
            seen_regions[region] = i
        yield from _points_within(region_rule.points, criteria.region.weight, locator, (*path, "points"))
    yield from _points_within(
        criteria.region.default, criteria.region.weight, locator, ("criteria", "region", "default")
    )
    for name in ("headcount", "revenue", "branches", "financial_score"):
        yield from _check_bands(name, getattr(criteria, name), locator)
    reg = criteria.registration
    for field in ("active", "exempt", "inactive"):
        yield from _points_within(getattr(reg, field), reg.weight, locator, ("criteria", "registration", field))
    # Tiers
    tiers = playbook.icp.tiers
    if not tiers.A > tiers.B > tiers.C:
        yield locator.issue(
            ICP,
            ("tiers",),
            N_("as notas de corte devem descer de A para C (agora A=%(a)s, B=%(b)s, C=%(c)s)"),
            a=tiers.A,
            b=tiers.B,
            c=tiers.C,
        )
    # Knock-outs and sales models
    ids = Counter(k.id for k in playbook.icp.knockouts)
    for i, knockout in enumerate(playbook.icp.knockouts):
        if ids[knockout.id] > 1:
            yield locator.issue(ICP, ("knockouts", i, "id"), N_("id '%(id)s' repetido; use ids únicos"), id=knockout.id)
        for j, condition in enumerate(knockout.when):
            yield from check_condition(condition, locator, ("knockouts", i, "when", j))
    models = playbook.icp.sales_models
    for i, model_rule in enumerate(models):
        for j, condition in enumerate(model_rule.when):
            yield from check_condition(condition, locator, ("sales_models", i, "when", j))
    if models[-1].when:
        yield locator.issue(
            ICP,
            ("sales_models", len(models) - 1),
            N_(
                "a última regra de modelo de vendas deve valer para todos (sem 'when'), para que sempre "
                "haja uma recomendação"
            ),
        )
    for i, model_rule in enumerate(models[:-1]):
        if not model_rule.when:
            yield locator.issue(
                ICP,
                ("sales_models", i),
                N_("regra sem 'when' antes do fim: as regras seguintes nunca seriam usadas"),
            )


def _points_within(points: int, weight: int, locator: Locator, path: tuple[str | int, ...]) -> Iterator[PlaybookIssue]:
    if points > weight:
        yield locator.issue(
            ICP,
            path,
            N_("%(points)s pontos passa do peso do critério (%(weight)s); use no máximo %(weight)s"),
            points=points,
            weight=weight,
        )


def _check_bands(name: str, criterion: BandCriterion, locator: Locator) -> Iterator[PlaybookIssue]:
    bands = criterion.bands
    base = ("criteria", name, "bands")
    if not bands:
        yield locator.issue(ICP, base, N_("precisa de pelo menos uma faixa"))
        return
    floor = BAND_FLOOR[name]
    if bands[0].min != floor:
        yield locator.issue(
            ICP,
            (*base, 0, "min"),
            N_("a primeira faixa deve começar em %(floor)s (começa em %(min)s)"),
            floor=floor,
            min=bands[0].min,
        )
    for i, band in enumerate(bands):
        yield from _points_within(band.points, criterion.weight, locator, (*base, i, "points"))
        if band.max is not None and band.max < band.min:
            yield locator.issue(
                ICP, (*base, i), N_("faixa %(min)s–%(max)s: max é menor que min"), min=band.min, max=band.max
            )
            continue
        if i + 1 < len(bands):
            nxt = bands[i + 1]
            if band.max is None:
                yield locator.issue(
                    ICP,
                    (*base, i, "min"),
                    N_(
                        "a faixa '%(min)s ou mais' não tem max, mas há outra depois dela; só a última "
                        "faixa pode ficar aberta"
                    ),
                    min=band.min,
                )
            elif nxt.min <= band.max:
                yield locator.issue(
                    ICP,
                    (*base, i + 1, "min"),
                    N_(
                        "as faixas %(min)s–%(max)s e %(next_min)s–%(next_max)s se sobrepõem; a seguinte deve "
                        "começar em %(start)s"
                    )
                    if nxt.max is not None
                    else N_(
                        "as faixas %(min)s–%(max)s e %(next_min)s ou mais se sobrepõem; a seguinte deve "
                        "começar em %(start)s"
                    ),
                    min=band.min,
                    max=band.max,
                    next_min=nxt.min,
                    next_max=nxt.max,
                    start=band.max + 1,
                )
            elif nxt.min > band.max + 1:
                yield locator.issue(
                    ICP,
                    (*base, i + 1, "min"),
                    N_(
                        "há um buraco entre %(min)s–%(max)s e %(next_min)s–%(next_max)s "
                        "(%(start)s–%(end)s ficaria sem pontuação); comece a seguinte em %(start)s"
                    )
                    if nxt.max is not None
                    else N_(
                        "há um buraco entre %(min)s–%(max)s e %(next_min)s ou mais "
                        "(%(start)s–%(end)s ficaria sem pontuação); comece a seguinte em %(start)s"
                    ),
                    min=band.min,
                    max=band.max,
                    next_min=nxt.min,
                    next_max=nxt.max,
                    start=band.max + 1,
                    end=nxt.min - 1,
                )
    last = bands[-1]
    ceiling = BAND_CEILING.get(name)
    if ceiling is not None:
        if last.max is not None and last.max != ceiling:
            yield locator.issue(
                ICP,
                (*base, len(bands) - 1, "max"),
                N_("a última faixa deve ir até %(ceiling)s (vai até %(max)s)"),
                ceiling=ceiling,
                max=last.max,
            )
    elif last.max is not None:
        yield locator.issue(
            ICP,
            (*base, len(bands) - 1, "max"),
            N_("a última faixa deve ficar aberta (sem max), para cobrir valores maiores"),
        )


def shape_issue(
    fact: str,
    op: str,
    value: object,
    allowed: set[str],
    locator: Locator,
    path: tuple[str | int, ...],
    file: str,
    *,
    list_ops: tuple[str, ...] = ("in", "not_in", "prefix"),
) -> PlaybookIssue | None:
    """An operator the fact does not take, or a list where one value goes (and the reverse);
    ``list_ops`` are the operators that may take a list."""
    if op not in allowed:
        return locator.issue(
            file,
            (*path, "op"),
            N_("o operador '%(op)s' não serve para '%(fact)s'; use um destes: %(allowed)s"),
            op=op,
            fact=fact,
            allowed=", ".join(sorted(allowed)),
        )
    if op in ("in", "not_in") and not isinstance(value, list):
        return locator.issue(file, (*path, "value"), N_("com '%(op)s' o valor deve ser uma lista"), op=op)
    if op not in list_ops and isinstance(value, list):
        return locator.issue(file, (*path, "value"), N_("com '%(op)s' o valor deve ser um só"), op=op)
    return None


def check_condition(
    condition: Condition, locator: Locator, path: tuple[str | int, ...], file: str = ICP
) -> Iterator[PlaybookIssue]:
    allowed = FACT_OPERATORS[condition.fact]
    shape = shape_issue(condition.fact, condition.op, condition.value, allowed, locator, path, file)
    if shape is not None:
        yield shape
        return
    values = condition.value if isinstance(condition.value, list) else [condition.value]
    for value in values:
        if condition.fact in NUMERIC_FACTS:
            if not isinstance(value, int):
                yield locator.issue(
                    file,
                    (*path, "value"),
                    N_("'%(fact)s' compara com números; '%(value)s' não é"),
                    fact=condition.fact,
                    value=value,
                )
        elif condition.fact == "cnae":
            try:
                cnae.parse_prefix(str(value))
            except cnae.InvalidCnae as exc:
                yield locator.problem(file, (*path, "value"), exc)
        elif condition.fact == "uf":
            try:
                regions.parse_uf(str(value))
            except regions.InvalidUf as exc:
                yield locator.problem(file, (*path, "value"), exc)
        elif condition.fact == "region":
            try:
                regions.parse_region(str(value))
            except regions.InvalidUf as exc:
                yield locator.problem(file, (*path, "value"), exc)
        elif condition.fact in REGISTRY_VALUES:
            parse, message = REGISTRY_VALUES[condition.fact]
            try:
                parse(str(value))
            except facts.InvalidFact:
                yield locator.issue(file, (*path, "value"), message, value=value)
        elif condition.fact == "registration" and str(value) not in {r.value for r in Registration}:
            yield locator.issue(
                file,
                (*path, "value"),
                N_("situação '%(value)s' inválida; use active, inactive ou exempt"),
                value=value,
            )
