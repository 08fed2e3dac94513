"""Rendering playbook scripts (plain text for prospects) with Jinja2 and StrictUndefined."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from functools import cache
from typing import Any

import jinja2
from jinja2.sandbox import SandboxedEnvironment

from bot.domain.playbook.loader import Locator, PlaybookIssue
from bot.domain.playbook.model import Playbook
from bot.domain.problems import N_
from bot.domain.script_context import sample_contexts


class ScriptRenderError(Exception):
    """A script failed to render at run time (the playbook check should have caught it)."""


@cache
def script_environment() -> SandboxedEnvironment:
    """Scripts are written by managers: sandboxed, strict about unknown variables, plain text."""
    return SandboxedEnvironment(
        undefined=jinja2.StrictUndefined,
        autoescape=False,
        keep_trailing_newline=False,
    )


@cache
def _compile(source: str) -> jinja2.Template:
    return script_environment().from_string(source)


def render_script(source: str, context: Mapping[str, Any]) -> str:
    try:
        text = _compile(source).render(**context)
    except jinja2.TemplateError as exc:
        raise ScriptRenderError(str(exc)) from exc
    return "\n".join(line.rstrip() for line in text.strip().splitlines())


def _templates(playbook: Playbook) -> Iterator[tuple[str, tuple[str | int, ...], str]]:
    for script_id, script in playbook.scripts.items():
        for name, variant in script.variants.items():
            base: tuple[str | int, ...] = ("scripts", script_id, "variants", name)
            if variant.subject:
                yield "scripts.yaml", (*base, "subject"), variant.subject
            yield "scripts.yaml", (*base, "body"), variant.body
    for i, objection in enumerate(playbook.objections):
        yield "objections.yaml", ("objections", i, "answer"), objection.answer
        yield "objections.yaml", ("objections", i, "follow_up"), objection.follow_up
    for i, question in enumerate(playbook.qualification.questions):
        yield "qualification.yaml", ("questions", i, "text"), question.text


#: Jinja's errors are its own words (``AS_GIVEN``); what we add around them is translatable, one
#: template per sample lead, since the sample's name is a phrase to translate, not a code.
_UNDEFINED = {
    "lead completo de exemplo": N_(
        "%(detail)s (com lead completo de exemplo); variáveis disponíveis: lead.*, rep.*, seller.*, step.* — "
        "veja o README"
    ),
    "lead só com o nome da empresa": N_(
        "%(detail)s (com lead só com o nome da empresa); variáveis disponíveis: lead.*, rep.*, seller.*, step.* — "
        "veja o README"
    ),
}
_FAILED = {
    "lead completo de exemplo": N_("%(detail)s (com lead completo de exemplo)"),
    "lead só com o nome da empresa": N_("%(detail)s (com lead só com o nome da empresa)"),
}
_SYNTAX = N_("erro de sintaxe Jinja: %(detail)s")


def check_scripts(playbook: Playbook, locator: Locator) -> Iterator[PlaybookIssue]:
    """Render every template against sample leads so a typo fails at load time."""
    seller = playbook.manifest.seller.model_dump()
    contexts = sample_contexts(seller)
    for file, path, source in _templates(playbook):
        line = locator.line(file, path)
        at = ".".join(map(str, path))
        try:
            template = _compile(source)
        except jinja2.TemplateSyntaxError as exc:
            where = (line or 0) + (exc.lineno or 1) if line else None
            yield PlaybookIssue(file, where, _SYNTAX, {"detail": exc.message}, at)
            continue
        for label, ctx in contexts:
            try:
                template.render(**ctx)
            except jinja2.UndefinedError as exc:
                yield PlaybookIssue(file, line, _UNDEFINED[label], {"detail": exc.message}, at)
                break
            except jinja2.TemplateError as exc:
                yield PlaybookIssue(file, line, _FAILED[label], {"detail": exc}, at)
                break
