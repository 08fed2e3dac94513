"""Cross-checks of ``cadence.yaml`` (several cadences and the rules that choose them) and of the
recycle settings of ``reasons.yaml``."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from typing import TYPE_CHECKING

from bot.domain.playbook.icp_checks import check_condition, shape_issue
from bot.domain.playbook.model import CadenceCondition, CadenceDef, Condition, Playbook
from bot.domain.problems import N_
from bot.domain.vocabulary import Channel, SalesModel, StepKind, Tier

if TYPE_CHECKING:
    from bot.domain.playbook.loader import Locator, PlaybookIssue

CADENCE = "cadence.yaml"
SCRIPTS = "scripts.yaml"
REASONS = "reasons.yaml"

#: Operators each fact of the lead itself takes, and the values it may be compared with.
LEAD_FACT_OPERATORS = {
    "tier": {"eq", "ne", "in", "not_in"},
    "sales_model": {"eq", "ne", "in", "not_in"},
    "source": {"eq", "ne", "in", "not_in", "prefix"},
    "campaign": {"eq", "ne", "in", "not_in", "prefix"},
}
LEAD_FACT_VALUES = {
    "tier": {t.value for t in Tier},
    "sales_model": {m.value for m in SalesModel},
}


def check_cadences(playbook: Playbook, locator: Locator) -> Iterator[PlaybookIssue]:
    cadences = playbook.cadence.cadences
    ids = Counter(c.id for c in cadences)
    for i, cadence in enumerate(cadences):
        path = ("cadences", i)
        if ids[cadence.id] > 1:
            yield locator.issue(
                CADENCE, (*path, "id"), N_("a cadência '%(id)s' aparece mais de uma vez; use ids únicos"), id=cadence.id
            )
        yield from _check_steps(playbook, cadence, locator, path)
        for j, condition in enumerate(cadence.when):
            yield from _check_condition(condition, locator, (*path, "when", j))
        if cadence.recycle and cadence.when:
            yield locator.issue(
                CADENCE,
                (*path, "when"),
                N_("a cadência de reciclagem '%(id)s' não é escolhida por regras; apague o 'when'"),
                id=cadence.id,
            )
    yield from _check_rule_order(playbook, locator)
    if playbook.loss_reason(playbook.cadence.no_response_reason) is None:
        yield locator.issue(
            CADENCE,
            ("no_response_reason",),
            N_("o motivo '%(reason)s' não existe em reasons.yaml"),
            reason=playbook.cadence.no_response_reason,
        )


def _check_rule_order(playbook: Playbook, locator: Locator) -> Iterator[PlaybookIssue]:
    ruled = [(i, c) for i, c in enumerate(playbook.cadence.cadences) if not c.recycle]
    if not ruled:
        yield locator.issue(
            CADENCE,
            ("cadences",),
            N_("falta uma cadência para leads novos: todas são de reciclagem (recycle: true)"),
        )
        return
    last_index, last = ruled[-1]
    if last.when:
        yield locator.issue(
            CADENCE,
            ("cadences", last_index, "when"),
            N_(
                "a última cadência ('%(id)s') deve valer para todos os demais leads (sem 'when'), "
                "para que todo lead tenha uma cadência"
            ),
            id=last.id,
        )
    seen: dict[str, str] = {}
    for i, cadence in ruled[:-1]:
        if not cadence.when:
            yield locator.issue(
                CADENCE,
                ("cadences", i),
                N_("a cadência '%(id)s' não tem 'when' e não é a última: as seguintes nunca seriam usadas"),
                id=cadence.id,
            )
            continue
        rule = repr(sorted(c.model_dump_json() for c in cadence.when))
        if rule in seen:
            yield locator.issue(
                CADENCE,
                ("cadences", i, "when"),
                N_("a regra de '%(id)s' é igual à de '%(earlier)s', que vem antes: '%(id)s' nunca seria usada"),
                id=cadence.id,
                earlier=seen[rule],
            )
        seen.setdefault(rule, cadence.id)


def _check_steps(
    playbook: Playbook, cadence: CadenceDef, locator: Locator, path: tuple[str | int, ...]
) -> Iterator[PlaybookIssue]:
    steps = cadence.steps
    counts = Counter(s.id for s in steps)
    for i, step in enumerate(steps):
        if counts[step.id] > 1:
            yield locator.issue(
                CADENCE, (*path, "steps", i, "id"), N_("o passo '%(step)s' aparece mais de uma vez"), step=step.id
            )
        script = playbook.scripts.get(step.script)
        if script is None:
            yield locator.issue(
                CADENCE,
                (*path, "steps", i, "script"),
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
            (*path, "steps"),
            N_("a cadência precisa de exatamente um passo de breakup (kind: breakup); tem %(n)s"),
            n=len(breakups),
        )
    elif breakups[0] != len(steps) - 1:
        yield locator.issue(CADENCE, (*path, "steps", breakups[0]), N_("o passo de breakup deve ser o último"))
    if not any(s.kind == StepKind.APPROACH for s in steps):
        yield locator.issue(CADENCE, (*path, "steps"), N_("a cadência precisa de pelo menos uma abordagem"))


def _check_condition(
    condition: CadenceCondition, locator: Locator, path: tuple[str | int, ...]
) -> Iterator[PlaybookIssue]:
    allowed = LEAD_FACT_OPERATORS.get(condition.fact)
    if allowed is None:  # an ICP fact: the language of icp.yaml
        icp = Condition(fact=condition.fact, op=condition.op, value=condition.value)
        yield from check_condition(icp, locator, path, CADENCE)
        return
    shape = shape_issue(
        condition.fact, condition.op, condition.value, allowed, locator, path, CADENCE, list_ops=("in", "not_in")
    )
    if shape is not None:
        yield shape
        return
    known = LEAD_FACT_VALUES.get(condition.fact)
    values = condition.value if isinstance(condition.value, list) else [condition.value]
    for value in values:
        if known is not None and str(value) not in known:
            yield locator.issue(
                CADENCE,
                (*path, "value"),
                N_("valor '%(value)s' inválido para '%(fact)s'; use um destes: %(allowed)s"),
                value=value,
                fact=condition.fact,
                allowed=", ".join(sorted(known)),
            )


def check_recycle(playbook: Playbook, locator: Locator) -> Iterator[PlaybookIssue]:
    rules = playbook.reasons.recycle
    counts = Counter(r.reason for r in rules)
    for i, rule in enumerate(rules):
        path = ("recycle", i)
        if counts[rule.reason] > 1:
            yield locator.issue(
                REASONS, (*path, "reason"), N_("o motivo '%(id)s' aparece duas vezes em 'recycle'"), id=rule.reason
            )
        if playbook.loss_reason(rule.reason) is None and rule.reason != playbook.cadence.no_response_reason:
            yield locator.issue(
                REASONS,
                (*path, "reason"),
                N_("o motivo '%(id)s' não existe em 'loss'; use o id de um motivo de perda"),
                id=rule.reason,
            )
        cadence = playbook.cadence.get(rule.cadence)
        if cadence is None:
            yield locator.issue(
                REASONS,
                (*path, "cadence"),
                N_("a cadência '%(id)s' não existe em cadence.yaml"),
                id=rule.cadence,
            )
        elif not cadence.recycle:
            yield locator.issue(
                REASONS,
                (*path, "cadence"),
                N_("a cadência '%(id)s' não é de reciclagem; marque-a com 'recycle: true' em cadence.yaml"),
                id=rule.cadence,
            )
