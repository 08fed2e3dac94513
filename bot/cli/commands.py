"""What each ``cadencia`` sub-command does: parse arguments, call a service, print."""

from __future__ import annotations

import argparse
import csv
import json
import os
from pathlib import Path
from typing import Any

from sqlalchemy.exc import SQLAlchemyError

from bot.config import Settings
from bot.domain import cnae
from bot.domain.playbook.checks import paging_warnings
from bot.domain.playbook.model import Playbook
from bot.domain.problems import Problem
from bot.i18n import DEFAULT_LANGUAGE, N_, gettext_for, language_for
from bot.services.columns import canonical_field
from bot.services.icp import explain_text, score_raw
from bot.services.playbooks import PlaybookError, load_checked_playbook, version_conflict
from bot.storage.db import DatabaseUnavailable, make_engine


class CommandFailed(Exception):
    def __init__(self, message: str, status: int = 1) -> None:
        super().__init__(message)
        self.status = status


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
        return gettext_for(language)(error.template) % error.params
    return str(error)


PLAYBOOK_PROBLEMS = N_("o playbook em %(path)s tem %(n)s problema(s):")


def playbook_failure(path: Path, error: PlaybookError, language: str = DEFAULT_LANGUAGE) -> CommandFailed:
    """Every problem of a playbook, one per line, naming file and line."""
    _ = gettext_for(language)
    lines = "\n".join(f"  {issue.text(_)}" for issue in error.issues)
    heading = _(PLAYBOOK_PROBLEMS) % {"path": path, "n": len(error.issues)}
    return CommandFailed(f"{heading}\n{lines}")


def _playbook(directory: Path | None, language: str = DEFAULT_LANGUAGE) -> Playbook:
    path = directory or Settings().playbook_dir
    try:
        return load_checked_playbook(path)
    except PlaybookError as exc:
        raise playbook_failure(path, exc, language) from None


def playbook_check(args: argparse.Namespace) -> int:
    path = args.directory or Settings().playbook_dir
    language = cli_language(args)
    playbook = _playbook(path, language)
    print(f"playbook OK: {path}")
    print(f"  version:     {playbook.version}")
    print(f"  fingerprint: {playbook.fingerprint}")
    print(
        f"  {len(playbook.cadence.steps)} steps, {len(playbook.scripts)} scripts, {len(playbook.objections)} objections"
    )
    _ = gettext_for(language)
    for warning in paging_warnings(playbook):
        print("  " + _("aviso: %(warning)s") % {"warning": warning.text(_)})
    _check_against_database(playbook, language)
    return 0


def _check_against_database(playbook: Playbook, language: str) -> None:
    """If the configured database already knows this version with other content, fail now."""
    url = Settings().database_url
    if url.startswith("sqlite:///") and not Path(url.removeprefix("sqlite:///")).is_file():
        return  # no database yet: nothing to compare with
    try:
        engine = make_engine(url)
        try:
            conflict = version_conflict(engine, playbook)
        finally:
            engine.dispose()
    except (DatabaseUnavailable, SQLAlchemyError) as exc:
        print(f"  (não comparei com o banco {url}: {exc})")
        return
    if conflict is not None:
        raise CommandFailed(problem_text(conflict, language))
    print(f"  database:    compatible with {url}")


def _read_csv_row(path: Path, row_number: int) -> dict[str, str]:
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("latin-1")
    lines = text.splitlines()
    if not lines:
        raise CommandFailed(f"{path} está vazio")
    dialect = csv.Sniffer().sniff(lines[0], delimiters=";,\t")
    reader = csv.DictReader(lines, dialect=dialect)
    for number, row in enumerate(reader, start=1):
        if number == row_number:
            return {k: v for k, v in row.items() if k is not None}
    raise CommandFailed(f"{path} não tem a linha de dados {row_number}")


def score(args: argparse.Namespace) -> int:
    playbook = _playbook(args.playbook, cli_language(args))
    raw: dict[str, Any] = {}
    if args.csv_file:
        raw.update(_read_csv_row(args.csv_file, args.row))
    if args.json_facts:
        loaded = json.loads(args.json_facts)
        if not isinstance(loaded, dict):
            raise CommandFailed('--json deve ser um objeto, como {"cnae": "6201501", "uf": "SP"}')
        raw.update(loaded)
    facts_in: dict[str, str | None] = {}
    for key, value in raw.items():
        field = canonical_field(str(key))
        if field is not None and value not in (None, ""):
            facts_in[field] = str(value)
    for name in ("cnae", "uf", "headcount", "revenue", "branches", "registration", "cnpj", "company"):
        value = getattr(args, name)
        if value:
            facts_in[name] = value
    if args.financial_score:
        facts_in["financial_score"] = args.financial_score
    if not any(k != "company" for k in facts_in):
        raise CommandFailed(
            "nenhum dado para pontuar; use --cnae, --uf, --headcount… ou --json/--csv (veja cadencia score --help)"
        )
    _, result, errors = score_raw(facts_in, playbook)
    for message in errors.values():
        print(f"aviso: {message} (pontuado como desconhecido)")
    print(explain_text(result, company=facts_in.get("company") or ""))
    return 1 if errors else 0


def cnae_search(args: argparse.Namespace) -> int:
    words = " ".join(args.words)
    found = cnae.search(words, limit=args.limit)
    if not found:
        raise CommandFailed(f"nenhuma atividade CNAE encontrada para '{words}'; tente outras palavras")
    for sub in found:
        print(f"{sub.formatted}  {sub.name}")
    return 0


def register_more(sub: Any) -> None:
    """Sub-commands that need the database and the bot (run, demo, import, report, export, backup, restore, lead)."""
    from bot.cli import bot_commands, lead_commands, market_commands, ops_commands

    bot_commands.register(sub)
    ops_commands.register(sub)
    lead_commands.register(sub)
    market_commands.register(sub)
