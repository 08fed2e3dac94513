"""``cadencia playbook check`` and ``cadencia score``: the playbook and the ICP, no Telegram."""

from __future__ import annotations

import argparse
import csv
import json
from pathlib import Path
from typing import Any

from sqlalchemy.exc import SQLAlchemyError

from bot.cli.commands import cli_language, playbook_failure, problem_text
from bot.cli.failures import CommandFailed
from bot.cli.runtime import cli_runtime
from bot.config import Settings
from bot.domain.playbook.checks import paging_warnings
from bot.domain.playbook.model import Playbook
from bot.i18n import DEFAULT_LANGUAGE, gettext_for
from bot.services.columns import canonical_field
from bot.services.icp import explain_text, score_raw
from bot.services.playbooks import PlaybookError, load_checked_playbook, version_conflict
from bot.storage.db import DatabaseUnavailable


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
    cadences = playbook.cadence
    print(
        f"  {len(cadences.cadences)} cadences, {len(cadences.all_steps)} steps, "
        f"{len(playbook.scripts)} scripts, {len(playbook.objections)} objections"
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
        runtime = cli_runtime(migrate=False)  # a check changes nothing
        try:
            conflict = version_conflict(runtime, playbook)
        finally:
            runtime.close()
    except (CommandFailed, DatabaseUnavailable, SQLAlchemyError) as exc:
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
