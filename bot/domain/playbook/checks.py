"""Cross-checks that span keys and files: the things a schema alone cannot see."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from typing import TYPE_CHECKING

from bot.domain import cnae, facts, paging, regions
from bot.domain.playbook.model import (
    BandCriterion,
    Condition,
    Playbook,
)
from bot.domain.problems import N_
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


def check_playbook(playbook: Playbook, locator: Locator) -> Iterator[PlaybookIssue]:
    yield from _check_manifest(playbook, locator)
    yield from _check_icp(playbook, locator)
    yield from _check_cadence(playbook, locator)
    yield from _check_scripts(playbook, locator)
    yield from _check_objections(playbook, locator)
    yield from _check_reasons(playbook, locator)
    yield from _check_qualification(playbook, locator)
    yield from _check_button_room(playbook, locator)


def _check_manifest(playbook: Playbook, locator: Locator) -> Iterator[PlaybookIssue]:
    from bot.domain.playbook.model import SCHEMA_VERSION

    schema = playbook.manifest.schema_
    if schema > SCHEMA_VERSION:
        yield locator.issue(
            MANIFEST,
            ("schema",),
            N_(
                "schema %(schema)s é mais novo do que esta versão do Cadência entende (%(supported)s); "
                "atualize o Cadência"
            ),
            schema=schema,
            supported=SCHEMA_VERSION,
        )
    elif schema < 1:
        yield locator.issue(MANIFEST, ("schema",), N_("schema deve ser %(supported)s"), supported=SCHEMA_VERSION)


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
            yield from _check_condition(condition, locator, ("knockouts", i, "when", j))
    models = playbook.icp.sales_models
    for i, model_rule in enumerate(models):
        for j, condition in enumerate(model_rule.when):
            yield from _check_condition(condition, locator, ("sales_models", i, "when", j))
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


def _check_condition(condition: Condition, locator: Locator, path: tuple[str | int, ...]) -> Iterator[PlaybookIssue]:
    allowed = FACT_OPERATORS[condition.fact]
    if condition.op not in allowed:
        yield locator.issue(
            ICP,
            (*path, "op"),
            N_("o operador '%(op)s' não serve para '%(fact)s'; use um destes: %(allowed)s"),
            op=condition.op,
            fact=condition.fact,
            allowed=", ".join(sorted(allowed)),
        )
        return
    values = condition.value if isinstance(condition.value, list) else [condition.value]
    if condition.op in ("in", "not_in") and not isinstance(condition.value, list):
        yield locator.issue(ICP, (*path, "value"), N_("com '%(op)s' o valor deve ser uma lista"), op=condition.op)
        return
    if condition.op not in ("in", "not_in", "prefix") and isinstance(condition.value, list):
        yield locator.issue(ICP, (*path, "value"), N_("com '%(op)s' o valor deve ser um só"), op=condition.op)
        return
    for value in values:
        if condition.fact in NUMERIC_FACTS:
            if not isinstance(value, int):
                yield locator.issue(
                    ICP,
                    (*path, "value"),
                    N_("'%(fact)s' compara com números; '%(value)s' não é"),
                    fact=condition.fact,
                    value=value,
                )
        elif condition.fact == "cnae":
            try:
                cnae.parse_prefix(str(value))
            except cnae.InvalidCnae as exc:
                yield locator.problem(ICP, (*path, "value"), exc)
        elif condition.fact == "uf":
            try:
                regions.parse_uf(str(value))
            except regions.InvalidUf as exc:
                yield locator.problem(ICP, (*path, "value"), exc)
        elif condition.fact == "region":
            try:
                regions.parse_region(str(value))
            except regions.InvalidUf as exc:
                yield locator.problem(ICP, (*path, "value"), exc)
        elif condition.fact in REGISTRY_VALUES:
            parse, message = REGISTRY_VALUES[condition.fact]
            try:
                parse(str(value))
            except facts.InvalidFact:
                yield locator.issue(ICP, (*path, "value"), message, value=value)
        elif condition.fact == "registration" and str(value) not in {r.value for r in Registration}:
            yield locator.issue(
                ICP,
                (*path, "value"),
                N_("situação '%(value)s' inválida; use active, inactive ou exempt"),
                value=value,
            )


# ---------------------------------------------------------------------------- cadence & scripts


def _check_cadence(playbook: Playbook, locator: Locator) -> Iterator[PlaybookIssue]:
    steps = playbook.cadence.steps
    counts = Counter(s.id for s in steps)
    for i, step in enumerate(steps):
        if counts[step.id] > 1:
            yield locator.issue(
                CADENCE, ("steps", i, "id"), N_("o passo '%(step)s' aparece mais de uma vez"), step=step.id
            )
        script = playbook.scripts.get(step.script)
        if script is None:
            yield locator.issue(
                CADENCE,
                ("steps", i, "script"),
                N_("o roteiro '%(script)s' não existe em scripts.yaml; crie-o ou corrija o nome"),
                script=step.script,
            )
            continue
        for name, variant in script.variants.items():
            if step.channel == Channel.EMAIL and not variant.subject:
                yield locator.issue(
                    SCRIPTS,
                    ("scripts", step.script, "variants", name),
                    N_(
                        "o roteiro '%(script)s' é usado num passo de e-mail (%(step)s): a variante "
                        "%(variant)s precisa de 'subject'"
                    ),
                    script=step.script,
                    step=step.id,
                    variant=name,
                )
    breakups = [i for i, s in enumerate(steps) if s.kind == StepKind.BREAKUP]
    if len(breakups) != 1:
        yield locator.issue(
            CADENCE,
            ("steps",),
            N_("a cadência precisa de exatamente um passo de breakup (kind: breakup); tem %(n)s"),
            n=len(breakups),
        )
    elif breakups[0] != len(steps) - 1:
        yield locator.issue(CADENCE, ("steps", breakups[0]), N_("o passo de breakup deve ser o último"))
    if not any(s.kind == StepKind.APPROACH for s in steps):
        yield locator.issue(CADENCE, ("steps",), N_("a cadência precisa de pelo menos uma abordagem"))
    if playbook.loss_reason(playbook.cadence.no_response_reason) is None:
        yield locator.issue(
            CADENCE,
            ("no_response_reason",),
            N_("o motivo '%(reason)s' não existe em reasons.yaml"),
            reason=playbook.cadence.no_response_reason,
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
                    N_("'subject' só vale para roteiros de e-mail; '%(script)s' não é usado em e-mail"),
                    script=script_id,
                )


def _check_objections(playbook: Playbook, locator: Locator) -> Iterator[PlaybookIssue]:
    ids = Counter(o.id for o in playbook.objections)
    labels = Counter(o.label.casefold() for o in playbook.objections)
    for i, objection in enumerate(playbook.objections):
        if ids[objection.id] > 1:
            yield locator.issue(OBJECTIONS, ("objections", i, "id"), N_("id '%(id)s' repetido"), id=objection.id)
        if labels[objection.label.casefold()] > 1:
            yield locator.issue(
                OBJECTIONS, ("objections", i, "label"), N_("rótulo '%(label)s' repetido"), label=objection.label
            )
        if not objection.answer.strip():
            yield locator.issue(OBJECTIONS, ("objections", i, "answer"), N_("a objeção não tem resposta"))


def _check_reasons(playbook: Playbook, locator: Locator) -> Iterator[PlaybookIssue]:
    for stage in LOSS_STAGES:
        if not playbook.reasons.loss.get(stage.value):  # type: ignore[call-overload]
            yield locator.issue(
                REASONS,
                ("loss",),
                N_("faltam motivos de perda para a etapa '%(stage)s'"),
                stage=stage.value,
            )
    for stage_name, reasons in playbook.reasons.loss.items():
        counts = Counter(r.id for r in reasons)
        for i, reason in enumerate(reasons):
            if counts[reason.id] > 1:
                yield locator.issue(
                    REASONS, ("loss", stage_name, i, "id"), N_("motivo '%(id)s' repetido"), id=reason.id
                )
    counts = Counter(r.id for r in playbook.reasons.no_show)
    for i, reason in enumerate(playbook.reasons.no_show):
        if counts[reason.id] > 1:
            yield locator.issue(REASONS, ("no_show", i, "id"), N_("motivo '%(id)s' repetido"), id=reason.id)


def _check_qualification(playbook: Playbook, locator: Locator) -> Iterator[PlaybookIssue]:
    qualification = playbook.qualification
    if qualification.script not in playbook.scripts:
        yield locator.issue(
            QUALIFICATION,
            ("script",),
            N_("o roteiro '%(script)s' não existe em scripts.yaml"),
            script=qualification.script,
        )
    keys = Counter(q.key for q in qualification.questions)
    for i, question in enumerate(qualification.questions):
        if keys[question.key] > 1:
            yield locator.issue(
                QUALIFICATION,
                ("questions", i, "key"),
                N_(
                    "a pergunta '%(key)s' aparece duas vezes; cada uma das quatro (contact_role, "
                    "pain, budget, intent) uma vez"
                ),
                key=question.key,
            )


#: Telegram lets a button carry 64 bytes of data. A lead number (up to 10 digits) and the
#: button's own letters take 20 of them, so two ids one button names together (a cadence step
#: and an objection, or a step and a loss reason) may have at most this many characters in all.
BUTTON_ID_ROOM = 44


def _check_button_room(playbook: Playbook, locator: Locator) -> Iterator[PlaybookIssue]:
    longest_step = max(playbook.cadence.steps, key=lambda step: len(step.id), default=None)
    if longest_step is None:
        return
    room = BUTTON_ID_ROOM - len(longest_step.id)
    too_long = N_(
        "o id '%(id)s' (%(n)s caracteres) não cabe num botão do Telegram junto com o passo "
        "'%(step)s' (%(m)s): os dois somam no máximo %(room)s caracteres; encurte um deles"
    )
    words = {"step": longest_step.id, "m": len(longest_step.id), "room": BUTTON_ID_ROOM}
    for i, objection in enumerate(playbook.objections):
        if len(objection.id) > room:
            yield locator.issue(
                OBJECTIONS, ("objections", i, "id"), too_long, id=objection.id, n=len(objection.id), **words
            )
    for stage_name, reasons in playbook.reasons.loss.items():
        for i, reason in enumerate(reasons):
            if len(reason.id) > room:
                yield locator.issue(
                    REASONS, ("loss", stage_name, i, "id"), too_long, id=reason.id, n=len(reason.id), **words
                )


# ---------------------------------------------------------------------------- warnings (not errors)


def paging_warnings(playbook: Playbook) -> list[PlaybookIssue]:
    """Lists of buttons longer than a page: they work (◀ ▶), but the rep has to page through them.

    Warnings, not errors: the playbook loads and the bot runs; the manager decides whether a
    shorter list would serve the reps better.
    """
    lists: list[tuple[str, str, int]] = [(OBJECTIONS, "objections", len(playbook.objections))]
    lists += [(REASONS, f"loss.{stage}", len(reasons)) for stage, reasons in playbook.reasons.loss.items()]
    lists.append((REASONS, "no_show", len(playbook.reasons.no_show)))
    from bot.domain.playbook.loader import PlaybookIssue

    return [
        PlaybookIssue(
            file,
            None,
            N_("'%(key)s' tem %(count)s botões; o vendedor verá %(size)s por vez, em %(pages)s páginas (◀ ▶)"),
            {"key": key, "count": count, "size": paging.PAGE_SIZE, "pages": paging.page_count(count)},
        )
        for file, key, count in lists
        if paging.needs_paging(count)
    ]
