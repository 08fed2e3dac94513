"""What each ``cadencia`` command shares (the operator's language, failures in it) and the CNAE
look-up; light to import, since every command's module imports it."""

from __future__ import annotations

import argparse
import os
from pathlib import Path
from typing import TYPE_CHECKING

from bot.cli.failures import CommandFailed
from bot.domain import cnae
from bot.domain.problems import N_, Problem
from bot.languages import DEFAULT_LANGUAGE, language_for

if TYPE_CHECKING:
    from bot.services.playbooks import PlaybookError


def cli_language(args: argparse.Namespace | None = None) -> str:
    """The operator's language: ``--lang``, else the locale of the environment (``LC_ALL``,
    ``LC_MESSAGES``, ``LANG``, as POSIX reads them): English for ``en…``, else Portuguese."""
    chosen = getattr(args, "lang", None)
    if chosen:
        return str(chosen)
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(name)
        if value:
            return language_for(value)
    return DEFAULT_LANGUAGE


def problem_text(error: Exception, language: str) -> str:
    """An error in the operator's language (a :class:`Problem` is translated; others as they are)."""
    if isinstance(error, Problem):
        from bot.i18n import gettext_for

        return gettext_for(language)(error.template) % error.params
    return str(error)


PLAYBOOK_PROBLEMS = N_("o playbook em %(path)s tem %(n)s problema(s):")


def playbook_failure(path: Path, error: PlaybookError, language: str = DEFAULT_LANGUAGE) -> CommandFailed:
    """Every problem of a playbook, one per line, naming file and line."""
    from bot.i18n import gettext_for

    _ = gettext_for(language)
    lines = "\n".join(f"  {issue.text(_)}" for issue in error.issues)
    heading = _(PLAYBOOK_PROBLEMS) % {"path": path, "n": len(error.issues)}
    return CommandFailed(f"{heading}\n{lines}")


def cnae_search(args: argparse.Namespace) -> int:
    words = " ".join(args.words)
    found = cnae.search(words, limit=args.limit)
    if not found:
        raise CommandFailed(f"nenhuma atividade CNAE encontrada para '{words}'; tente outras palavras")
    for sub in found:
        print(f"{sub.formatted}  {sub.name}")
    return 0
