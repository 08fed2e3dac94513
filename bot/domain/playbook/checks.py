"""Cross-checks that span keys and files: the things a schema alone cannot see.

The ICP file's checks, the longest, live in :mod:`bot.domain.playbook.icp_checks`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from typing import TYPE_CHECKING

from bot.domain import paging
from bot.domain.playbook.cadence_checks import check_cadences, check_recycle
from bot.domain.playbook.icp_checks import check_condition, check_icp
from bot.domain.playbook.model import Playbook
from bot.domain.problems import N_
from bot.domain.vocabulary import LOSS_STAGES, OPEN_STAGES, Channel

if TYPE_CHECKING:
    from bot.domain.playbook.loader import Locator, PlaybookIssue

SCRIPTS = "scripts.yaml"
REASONS = "reasons.yaml"
QUALIFICATION = "qualification.yaml"
OBJECTIONS = "objections.yaml"
MANIFEST = "playbook.yaml"
ECONOMICS = "economics.yaml"


def check_playbook(playbook: Playbook, locator: Locator) -> Iterator[PlaybookIssue]:
    yield from _check_manifest(playbook, locator)
    yield from check_icp(playbook, locator)
    yield from check_cadences(playbook, locator)
    yield from _check_scripts(playbook, locator)
    yield from _check_objections(playbook, locator)
    yield from _check_reasons(playbook, locator)
    yield from check_recycle(playbook, locator)
    yield from _check_qualification(playbook, locator)
    yield from _check_economics(playbook, locator)
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


# ---------------------------------------------------------------------------- cadence & scripts


def _check_scripts(playbook: Playbook, locator: Locator) -> Iterator[PlaybookIssue]:
    email_scripts = {s.script for s in playbook.cadence.all_steps if s.channel == Channel.EMAIL}
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
    longest_step = max(playbook.cadence.all_steps, key=lambda step: len(step.id), default=None)
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


# ---------------------------------------------------------------------------- economics.yaml


def _check_economics(playbook: Playbook, locator: Locator) -> Iterator[PlaybookIssue]:
    economics = playbook.economics
    if economics is None:
        return
    seen_reps: set[int] = set()
    for i, rep in enumerate(economics.team.reps):
        if rep.telegram_id in seen_reps:
            yield locator.issue(
                ECONOMICS,
                ("team", "reps", i, "telegram_id"),
                N_("o vendedor %(telegram_id)s aparece duas vezes; deixe um custo só"),
                telegram_id=rep.telegram_id,
            )
        seen_reps.add(rep.telegram_id)
    seen_segments: set[str] = set()
    last = len(economics.segments) - 1
    for i, segment in enumerate(economics.segments):
        path = ("segments", i)
        if segment.id in seen_segments:
            yield locator.issue(ECONOMICS, (*path, "id"), N_("segmento '%(id)s' repetido"), id=segment.id)
        seen_segments.add(segment.id)
        if i < last and not segment.when:
            yield locator.issue(
                ECONOMICS,
                path,
                N_("só o último segmento fica sem 'when' (vale o primeiro que casar); dê uma regra a '%(id)s'"),
                id=segment.id,
            )
        if i == last and segment.when:
            yield locator.issue(
                ECONOMICS,
                (*path, "when"),
                N_("o último segmento fica sem 'when', para cobrir as demais empresas"),
            )
        for j, condition in enumerate(segment.when):
            yield from check_condition(condition, locator, (*path, "when", j), ECONOMICS)
    for stage in economics.stage_probabilities:
        if stage not in OPEN_STAGES:
            yield locator.issue(
                ECONOMICS,
                ("stage_probabilities", str(stage)),
                N_("'%(stage)s' não é uma etapa aberta; dê probabilidades só às etapas em andamento"),
                stage=str(stage),
            )
