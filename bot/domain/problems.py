"""Errors the domain shows to people, kept translatable.

The domain speaks Brazilian Portuguese and cannot import the translation machinery
(``bot.i18n``), so a message for the user is raised as a *template* plus *parameters*::

    raise InvalidFact(N_("CNPJ deve ter 14 caracteres; '%(typed)s' tem %(n)s."), typed=text, n=14)

``str(error)`` is the Portuguese message (``template % params``), as callers without a
language (the CLI, imports) show it; the Telegram layer translates ``error.template`` and
then interpolates ``error.params`` (``Context.problem_text``). Parameters are codes, numbers
and what the person typed, never words to translate: a sentence that changes with a word gets
one template per variant.

``N_`` here is a no-op twin of :func:`bot.i18n.N_`: the message extractor
(``bot.i18n_extract``) matches the function *name*, so templates marked with it land in the
English catalog like any other message. Write literal ``%`` as ``%%`` in a template.
"""

from __future__ import annotations


def N_(message: str) -> str:
    """Mark a message template for translation (the extractor finds it; nothing happens at run time)."""
    return message


class Problem(ValueError):
    """A value that cannot be used, with a message fit for the user: ``template % params``."""

    def __init__(self, template: str, /, **params: object) -> None:
        self.template = template
        self.params = params
        super().__init__(template % params)

    def __reduce__(self) -> tuple[object, ...]:
        return (_rebuild, (type(self), self.template, self.params))


def _rebuild(kind: type[Problem], template: str, params: dict[str, object]) -> Problem:
    return kind(template, **params)
