"""Cross-checks that span keys and files: the things a schema alone cannot see."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from typing import TYPE_CHECKING

from bot.domain import cnae, paging, regions
from bot.domain.playbook.model import (
    Band,
    BandCriterion,
    Condition,
    Playbook,
)
from bot.domain.vocabulary import LOSS_STAGES, Channel, Registration, StepKind

if TYPE_CHECKING:
    from bot.domain.playbook.loader import Locator, PlaybookIssue

ICP = "icp.yaml"
CADENCE = "cadence.yaml"
SCRIPTS = "scripts.yaml"
REASONS = "reasons.yaml"
QUALIFICATION = "qualification.yaml"
OBJECTIONS = "objections.yaml"
MANIFEST = "playbook.yaml"

NUMERIC_FACTS = {"headcount", "revenue", "branches", "financial_score"}
FACT_OPERATORS = {
    "headcount": {"eq", "ne", "lt", "le", "gt", "ge"},
    "revenue": {"eq", "ne", "lt", "le", "gt", "ge"},
    "branches": {"eq", "ne", "lt", "le", "gt", "ge"},
    "financial_score": {"eq", "ne", "lt", "le", "gt", "ge"},
    "cnae": {"prefix", "in", "not_in"},
    "uf": {"eq", "ne", "in", "not_in"},
    "region": {"eq", "ne", "in", "not_in"},
    "registration": {"eq", "ne", "in", "not_in"},
}
BAND_FLOOR = {"headcount": 1, "revenue": 0, "branches": 0, "financial_score": 0}
BAND_CEILING = {"financial_score": 1000}


def check_playbook(playbook: Playbook, locator: Locator) -> Iterator[PlaybookIssue]:
    yield from _check_manifest(playbook, locator)
    yield from _check_icp(playbook, locator)
    yield from _check_cadence(playbook, locator)
    yield from _check_scripts(playbook, locator)
    yield from _check_objections(playbook, locator)
    yield from _check_reasons(playbook, locator)
    yield from _check_qualification(playbook, locator)


def _check_manifest(playbook: Playbook, locator: Locator) -> Iterator[PlaybookIssue]:
    from bot.domain.playbook.model import SCHEMA_VERSION

    schema = playbook.manifest.schema_
    if schema > SCHEMA_VERSION:
        yield locator.issue(
            MANIFEST,
            ("schema",),
            f"schema {schema} é mais novo do que esta versão do Cadência entende "
            f"({SCHEMA_VERSION}); atualize o Cadência",
        )
    elif schema < 1:
        yield locator.issue(MANIFEST, ("schema",), f"schema deve ser {SCHEMA_VERSION}")


# ---------------------------------------------------------------------------- ICP


def _check_icp(playbook: Playbook, locator: Locator) -> Iterator[PlaybookIssue]:
    criteria = playbook.icp.criteria
    weights = {name: getattr(criteria, name).weight for name in type(criteria).model_fields}
    total = sum(weights.values())
    if total != 100:
        listing = ", ".join(f"{k} {v}" for k, v in weights.items())
        yield locator.issue(
            ICP,
            ("criteria",),
            f"os pesos somam {total}, mas devem somar 100 ({listing}); ajuste os pesos",
        )
    # CNAE rules
    seen_prefixes: dict[str, int] = {}
    for i, rule in enumerate(criteria.cnae.rules):
        path = ("criteria", "cnae", "rules", i)
        try:
            prefix = cnae.parse_prefix(rule.prefix)
        except cnae.InvalidCnae as exc:
            yield locator.issue(ICP, (*path, "prefix"), str(exc))
            continue
        key = f"{prefix.level}:{prefix.code}"
        if key in seen_prefixes:
            yield locator.issue(
                ICP,
                (*path, "prefix"),
                f"o prefixo CNAE '{rule.prefix}' já aparece na regra {seen_prefixes[key] + 1}; deixe só uma",
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
                "cada regra de região usa 'uf' (lista de siglas) ou 'region', não os dois",
            )
            continue
        for j, uf_text in enumerate(region_rule.uf or []):
            try:
                uf = regions.parse_uf(str(uf_text)).code
            except regions.InvalidUf as exc:
                yield locator.issue(ICP, (*path, "uf", j), str(exc))
                continue
            if uf in seen_ufs:
                yield locator.issue(
                    ICP,
                    (*path, "uf", j),
                    f"a UF {uf} já aparece na regra {seen_ufs[uf] + 1}; deixe só uma",
                )
            seen_ufs[uf] = i
        if region_rule.region is not None:
            try:
                region = regions.parse_region(region_rule.region)
            except regions.InvalidUf as exc:
                yield locator.issue(ICP, (*path, "region"), str(exc))
                continue
            if region in seen_regions:
                yield locator.issue(
                    ICP,
                    (*path, "region"),
                    f"a região {region} já aparece na regra {seen_regions[region] + 1}",
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
            f"as notas de corte devem descer de A para C (agora A={tiers.A}, B={tiers.B}, C={tiers.C})",
        )
    # Knock-outs and sales models
    ids = Counter(k.id for k in playbook.icp.knockouts)
    for i, knockout in enumerate(playbook.icp.knockouts):
        if ids[knockout.id] > 1:
            yield locator.issue(ICP, ("knockouts", i, "id"), f"id '{knockout.id}' repetido; use ids únicos")
        for j, condition in enumerate(knockout.when):
            yield from _check_condition(condition, locator, ("knockouts", i, "when", j))
    models = playbook.icp.sales_models
    for i, model_rule in enumerate(models):
        for j, condition in enumerate(model_rule.when):
            yield from _check_condition(condition, locator, ("sales_models", i, "when", j))
    if models[-1].when:
        yield locator.issue(
            ICP,
            ("sales_models", len(models) - 1),
            "a última regra de modelo de vendas deve valer para todos (sem 'when'), para que sempre "
            "haja uma recomendação",
        )
    for i, model_rule in enumerate(models[:-1]):
        if not model_rule.when:
            yield locator.issue(
                ICP,
                ("sales_models", i),
                "regra sem 'when' antes do fim: as regras seguintes nunca seriam usadas",
            )


def _points_within(points: int, weight: int, locator: Locator, path: tuple[str | int, ...]) -> Iterator[PlaybookIssue]:
    if points > weight:
        yield locator.issue(
            ICP,
            path,
            f"{points} pontos passa do peso do critério ({weight}); use no máximo {weight}",
        )


def _band_text(band: Band) -> str:
    return f"{band.min}–{band.max}" if band.max is not None else f"{band.min} ou mais"


def _check_bands(name: str, criterion: BandCriterion, locator: Locator) -> Iterator[PlaybookIssue]:
    bands = criterion.bands
    base = ("criteria", name, "bands")
    if not bands:
        yield locator.issue(ICP, base, "precisa de pelo menos uma faixa")
        return
    floor = BAND_FLOOR[name]
    if bands[0].min != floor:
        yield locator.issue(
            ICP,
            (*base, 0, "min"),
            f"a primeira faixa deve começar em {floor} (começa em {bands[0].min})",
        )
    for i, band in enumerate(bands):
        yield from _points_within(band.points, criterion.weight, locator, (*base, i, "points"))
        if band.max is not None and band.max < band.min:
            yield locator.issue(ICP, (*base, i), f"faixa {_band_text(band)}: max é menor que min")
            continue
        if i + 1 < len(bands):
            nxt = bands[i + 1]
            if band.max is None:
                yield locator.issue(
                    ICP,
                    (*base, i, "min"),
                    f"a faixa '{_band_text(band)}' não tem max, mas há outra depois dela; só a última "
                    "faixa pode ficar aberta",
                )
            elif nxt.min <= band.max:
                yield locator.issue(
                    ICP,
                    (*base, i + 1, "min"),
                    f"as faixas {_band_text(band)} e {_band_text(nxt)} se sobrepõem; a seguinte deve "
                    f"começar em {band.max + 1}",
                )
            elif nxt.min > band.max + 1:
                yield locator.issue(
                    ICP,
                    (*base, i + 1, "min"),
                    f"há um buraco entre {_band_text(band)} e {_band_text(nxt)} "
                    f"({band.max + 1}–{nxt.min - 1} ficaria sem pontuação); comece a seguinte em "
                    f"{band.max + 1}",
                )
    last = bands[-1]
    ceiling = BAND_CEILING.get(name)
    if ceiling is not None:
        if last.max is not None and last.max != ceiling:
            yield locator.issue(
                ICP,
                (*base, len(bands) - 1, "max"),
                f"a última faixa deve ir até {ceiling} (vai até {last.max})",
            )
    elif last.max is not None:
        yield locator.issue(
            ICP,
            (*base, len(bands) - 1, "max"),
            "a última faixa deve ficar aberta (sem max), para cobrir valores maiores",
        )


def _check_condition(condition: Condition, locator: Locator, path: tuple[str | int, ...]) -> Iterator[PlaybookIssue]:
    allowed = FACT_OPERATORS[condition.fact]
    if condition.op not in allowed:
        yield locator.issue(
            ICP,
            (*path, "op"),
            f"o operador '{condition.op}' não serve para '{condition.fact}'; use um destes: "
            f"{', '.join(sorted(allowed))}",
        )
        return
    values = condition.value if isinstance(condition.value, list) else [condition.value]
    if condition.op in ("in", "not_in") and not isinstance(condition.value, list):
        yield locator.issue(ICP, (*path, "value"), f"com '{condition.op}' o valor deve ser uma lista")
        return
    if condition.op not in ("in", "not_in", "prefix") and isinstance(condition.value, list):
        yield locator.issue(ICP, (*path, "value"), f"com '{condition.op}' o valor deve ser um só")
        return
    for value in values:
        if condition.fact in NUMERIC_FACTS:
            if not isinstance(value, int):
                yield locator.issue(ICP, (*path, "value"), f"'{condition.fact}' compara com números; '{value}' não é")
        elif condition.fact == "cnae":
            try:
                cnae.parse_prefix(str(value))
            except cnae.InvalidCnae as exc:
                yield locator.issue(ICP, (*path, "value"), str(exc))
        elif condition.fact == "uf":
            try:
                regions.parse_uf(str(value))
            except regions.InvalidUf as exc:
                yield locator.issue(ICP, (*path, "value"), str(exc))
        elif condition.fact == "region":
            try:
                regions.parse_region(str(value))
            except regions.InvalidUf as exc:
                yield locator.issue(ICP, (*path, "value"), str(exc))
        elif condition.fact == "registration" and str(value) not in {r.value for r in Registration}:
            yield locator.issue(
                ICP,
                (*path, "value"),
                f"situação '{value}' inválida; use active, inactive ou exempt",
            )


# ---------------------------------------------------------------------------- cadence & scripts


def _check_cadence(playbook: Playbook, locator: Locator) -> Iterator[PlaybookIssue]:
    steps = playbook.cadence.steps
    counts = Counter(s.id for s in steps)
    for i, step in enumerate(steps):
        if counts[step.id] > 1:
            yield locator.issue(CADENCE, ("steps", i, "id"), f"o passo '{step.id}' aparece mais de uma vez")
        script = playbook.scripts.get(step.script)
        if script is None:
            yield locator.issue(
                CADENCE,
                ("steps", i, "script"),
                f"o roteiro '{step.script}' não existe em scripts.yaml; crie-o ou corrija o nome",
            )
            continue
        for name, variant in script.variants.items():
            if step.channel == Channel.EMAIL and not variant.subject:
                yield locator.issue(
                    SCRIPTS,
                    ("scripts", step.script, "variants", name),
                    f"o roteiro '{step.script}' é usado num passo de e-mail ({step.id}): a variante "
                    f"{name} precisa de 'subject'",
                )
    breakups = [i for i, s in enumerate(steps) if s.kind == StepKind.BREAKUP]
    if len(breakups) != 1:
        yield locator.issue(
            CADENCE,
            ("steps",),
            f"a cadência precisa de exatamente um passo de breakup (kind: breakup); tem {len(breakups)}",
        )
    elif breakups[0] != len(steps) - 1:
        yield locator.issue(CADENCE, ("steps", breakups[0]), "o passo de breakup deve ser o último")
    if not any(s.kind == StepKind.APPROACH for s in steps):
        yield locator.issue(CADENCE, ("steps",), "a cadência precisa de pelo menos uma abordagem")
    if playbook.loss_reason(playbook.cadence.no_response_reason) is None:
        yield locator.issue(
            CADENCE,
            ("no_response_reason",),
            f"o motivo '{playbook.cadence.no_response_reason}' não existe em reasons.yaml",
        )


def _check_scripts(playbook: Playbook, locator: Locator) -> Iterator[PlaybookIssue]:
    email_scripts = {s.script for s in playbook.cadence.steps if s.channel == Channel.EMAIL}
    for script_id, script in playbook.scripts.items():
        if script_id in email_scripts:
            continue
        for name, variant in script.variants.items():
            if variant.subject:
                yield locator.issue(
                    SCRIPTS,
                    ("scripts", script_id, "variants", name, "subject"),
                    f"'subject' só vale para roteiros de e-mail; '{script_id}' não é usado em e-mail",
                )


def _check_objections(playbook: Playbook, locator: Locator) -> Iterator[PlaybookIssue]:
    ids = Counter(o.id for o in playbook.objections)
    labels = Counter(o.label.casefold() for o in playbook.objections)
    for i, objection in enumerate(playbook.objections):
        if ids[objection.id] > 1:
            yield locator.issue(OBJECTIONS, ("objections", i, "id"), f"id '{objection.id}' repetido")
        if labels[objection.label.casefold()] > 1:
            yield locator.issue(OBJECTIONS, ("objections", i, "label"), f"rótulo '{objection.label}' repetido")
        if not objection.answer.strip():
            yield locator.issue(OBJECTIONS, ("objections", i, "answer"), "a objeção não tem resposta")


def _check_reasons(playbook: Playbook, locator: Locator) -> Iterator[PlaybookIssue]:
    for stage in LOSS_STAGES:
        if not playbook.reasons.loss.get(stage.value):  # type: ignore[call-overload]
            yield locator.issue(
                REASONS,
                ("loss",),
                f"faltam motivos de perda para a etapa '{stage.value}'",
            )
    for stage_name, reasons in playbook.reasons.loss.items():
        counts = Counter(r.id for r in reasons)
        for i, reason in enumerate(reasons):
            if counts[reason.id] > 1:
                yield locator.issue(REASONS, ("loss", stage_name, i, "id"), f"motivo '{reason.id}' repetido")
    counts = Counter(r.id for r in playbook.reasons.no_show)
    for i, reason in enumerate(playbook.reasons.no_show):
        if counts[reason.id] > 1:
            yield locator.issue(REASONS, ("no_show", i, "id"), f"motivo '{reason.id}' repetido")


def _check_qualification(playbook: Playbook, locator: Locator) -> Iterator[PlaybookIssue]:
    qualification = playbook.qualification
    if qualification.script not in playbook.scripts:
        yield locator.issue(
            QUALIFICATION,
            ("script",),
            f"o roteiro '{qualification.script}' não existe em scripts.yaml",
        )
    keys = Counter(q.key for q in qualification.questions)
    for i, question in enumerate(qualification.questions):
        if keys[question.key] > 1:
            yield locator.issue(
                QUALIFICATION,
                ("questions", i, "key"),
                f"a pergunta '{question.key}' aparece duas vezes; cada uma das quatro (contact_role, "
                "pain, budget, intent) uma vez",
            )


# ---------------------------------------------------------------------------- warnings (not errors)


def paging_warnings(playbook: Playbook) -> list[str]:
    """Lists of buttons longer than a page: they work (◀ ▶), but the rep has to page through them.

    Warnings, not errors: the playbook loads and the bot runs; the manager decides whether a
    shorter list would serve the reps better.
    """
    lists: list[tuple[str, str, int]] = [(OBJECTIONS, "objections", len(playbook.objections))]
    lists += [(REASONS, f"loss.{stage}", len(reasons)) for stage, reasons in playbook.reasons.loss.items()]
    lists.append((REASONS, "no_show", len(playbook.reasons.no_show)))
    return [
        f"{file}: '{key}' tem {count} botões; o vendedor verá {paging.PAGE_SIZE} por vez, em "
        f"{paging.page_count(count)} páginas (◀ ▶)"
        for file, key, count in lists
        if paging.needs_paging(count)
    ]
