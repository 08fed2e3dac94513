"""Every ``cadencia`` command, its arguments and its help text: the whole command line in one place.

This module is all that ``cadencia --help`` (or ``cadencia team list --help``) loads, so it imports
nothing heavy: no database, Telegram, template, chart or spreadsheet library, not even the
translation catalog. Each command names its handler as ``"module.function"`` of :mod:`bot.cli`;
:func:`bot.cli.main.main` imports that module only when the command runs, and a test checks that
every name resolves and that ``--help`` loads none of those libraries.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bot.domain import numbers
from bot.languages import LANGUAGES


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="cadencia",
        description="Cadência: a Telegram bot for B2B SaaS sales cadences.",
    )
    parser.add_argument("--debug", action="store_true", help="print tracebacks on errors")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    _playbook(sub)
    _score(sub)
    _cnae(sub)
    _bot(sub)
    _import(sub)
    _team(sub)
    _report_and_export(sub)
    _ops(sub)
    _lead(sub)
    _market(sub)
    _registry(sub)
    _add_language_option(parser, top=True)
    return parser


def handlers(parser: argparse.ArgumentParser) -> dict[str, str]:
    """Command path ("team list") → the handler it names ("team_commands.list_team")."""
    found: dict[str, str] = {}
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, child in action.choices.items():
                handler = child.get_default("handler")
                if handler is not None:
                    found[name] = handler
                found.update({f"{name} {path}": h for path, h in handlers(child).items()})
    return found


def _runs(parser: argparse.ArgumentParser, handler: str) -> None:
    """The command runs ``handler``, a ``"module.function"`` of :mod:`bot.cli` imported only then."""
    parser.set_defaults(handler=handler)


def _whole(low: int, high: int) -> Callable[[str], int]:
    """An argparse ``type`` for a whole number in ``low..high``, ASCII digits only (``int`` takes ``３``)."""

    def read(text: str) -> int:
        try:
            return numbers.parse_int(text, low, high)
        except numbers.InvalidNumber as exc:
            raise argparse.ArgumentTypeError(str(exc)) from None

    return read


def _add_language_option(parser: argparse.ArgumentParser, *, top: bool = False) -> None:
    """``--lang pt|en`` before or after any sub-command (default: the environment's locale)."""
    parser.add_argument(
        "--lang",
        choices=LANGUAGES,
        default=None if top else argparse.SUPPRESS,
        help="language of messages and reports (default: from LANG; pt unless it is English)",
    )
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for child in action.choices.values():
                _add_language_option(child)


# ------------------------------------------------------------------------------ playbook, score, cnae


def _playbook(sub: Any) -> None:
    pb = sub.add_parser("playbook", help="work with the playbook")
    pb_sub = pb.add_subparsers(dest="playbook_command", metavar="ACTION", required=True)
    check = pb_sub.add_parser("check", help="validate a playbook directory")
    check.add_argument("directory", nargs="?", type=Path, help="default: PLAYBOOK_DIR or the bundled one")
    _runs(check, "playbook_commands.playbook_check")


def _score(sub: Any) -> None:
    score = sub.add_parser("score", help="score one lead against the ICP and explain it")
    for name, help_text in (
        ("cnae", "CNAE subclass, e.g. 6201-5/01"),
        ("uf", "state, e.g. SP or 'São Paulo'"),
        ("headcount", "employees, e.g. 120 or 100-199"),
        ("revenue", "annual revenue in reais, e.g. '4,8 mi'"),
        ("branches", "number of branches besides the head office"),
        ("registration", "state registration: ativa, inativa or isenta"),
        ("financial-score", "financial score 0-1000"),
        ("cnpj", "CNPJ (optional)"),
        ("company", "company name (for the heading)"),
    ):
        score.add_argument(f"--{name}", help=help_text)
    score.add_argument("--json", dest="json_facts", help="facts as a JSON object")
    score.add_argument("--csv", dest="csv_file", type=Path, help="a CSV file of leads")
    score.add_argument("--row", type=_whole(1, 1_000_000), default=1, help="which data row of --csv (1 = first)")
    score.add_argument("--playbook", type=Path, help="playbook directory")
    _runs(score, "playbook_commands.score")


def _cnae(sub: Any) -> None:
    cnae = sub.add_parser("cnae", help="look up CNAE activity codes")
    cnae_sub = cnae.add_subparsers(dest="cnae_command", metavar="ACTION", required=True)
    search = cnae_sub.add_parser("search", help="find CNAE codes by activity words")
    search.add_argument("words", nargs="+")
    search.add_argument("--limit", type=_whole(1, 1000), default=10)
    _runs(search, "commands.cnae_search")


# ------------------------------------------------------------------------------ run, health, demo


def _bot(sub: Any) -> None:
    run = sub.add_parser("run", help="run the bot (long polling, or a webhook with --webhook)")
    run.add_argument(
        "--webhook", metavar="URL", help="public https:// address for Telegram's webhook (default: WEBHOOK_URL)"
    )
    _runs(run, "bot_commands.run")
    health = sub.add_parser("health", help="check the database, the playbook and the Bot API; exit 1 if not")
    health.add_argument("--offline", action="store_true", help="do not call the Bot API")
    _runs(health, "bot_commands.health")
    demo = sub.add_parser("demo", help="try the bot offline in this terminal")
    demo.add_argument(
        "--database", default="sqlite:///cadencia-demo.db", help="database of the demo (default: %(default)s)"
    )
    _runs(demo, "bot_commands.demo")


# ------------------------------------------------------------------------------ import, report, export


def _import(sub: Any) -> None:
    imp = sub.add_parser("import", help="import leads from a CSV or XLSX file")
    imp.add_argument("file", type=Path, help="CSV (; or ,, UTF-8 or Latin-1) or XLSX")
    imp.add_argument(
        "--reps",
        help="round-robin among these reps (names, @usernames or ids, comma-separated); "
        "default: every active rep who is not paused",
    )
    imp.add_argument("--by-uf", dest="by_uf", help="assign by state, e.g. 'SP=ana,RJ=bruno,*=carla'")
    imp.add_argument("--campaign", help="campaign for rows without one")
    imp.add_argument("--playbook", type=Path, help="playbook directory (default: PLAYBOOK_DIR)")
    imp.add_argument("--rejected", type=Path, help="where to write rejected rows (default: FILE_rejeitadas.csv)")
    imp.add_argument(
        "--update",
        action="store_true",
        help="rows with the CNPJ of an existing lead fill in what it is missing (never overwrite)",
    )
    _runs(imp, "manager_commands.import_leads")


def _report_and_export(sub: Any) -> None:
    rep = sub.add_parser("report", help="funnel, rates, A/B and adoption for a period")
    _filters(rep)
    rep.add_argument("--playbook-version", dest="playbook_version")
    rep.add_argument("--charts", type=Path, metavar="DIR", help="also write funnel.png and ranking.png here")
    rep.add_argument("--playbook", type=Path, help="playbook whose labels name the reasons (default: PLAYBOOK_DIR)")
    _runs(rep, "manager_commands.report")

    exp = sub.add_parser(
        "export", help="export touches, leads, stage changes, meetings or contacts (tudo: all of them)"
    )
    exp.add_argument("what", nargs="+", help="toques|leads|etapas|reunioes|contatos|tudo (English names work too)")
    exp.add_argument("--format", choices=("csv", "xlsx"), default="csv")
    exp.add_argument("--comma", action="store_true", help="plain CSV: ',' and no BOM")
    _filters(exp)
    exp.add_argument("-o", "--output", type=Path, default=Path("."), help="directory (default: .)")
    exp.add_argument(
        "--playbook", type=Path, help="playbook whose labels name steps and reasons (default: PLAYBOOK_DIR)"
    )
    _runs(exp, "manager_commands.export")


def _filters(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--from", dest="start", help="first day, YYYY-MM-DD or DD/MM/YYYY")
    parser.add_argument("--to", dest="end", help="last day (inclusive)")
    parser.add_argument("--campaign")
    parser.add_argument("--rep", help="a rep: id, @username, Telegram id or name")


# ------------------------------------------------------------------------------ team


def _team(sub: Any) -> None:
    team = sub.add_parser("team", help="add, list, pause, resume or deactivate team members")
    actions = team.add_subparsers(dest="team_command", metavar="ACTION", required=True)
    add = actions.add_parser("add", help="add a member (a rep by default)")
    add.add_argument("telegram_id", help="the person's Telegram id (ask @userinfobot)")
    add.add_argument("name", nargs="+", help="full name")
    add.add_argument("--role", default="rep", help="rep (vendedor) or manager (gestor); default rep")
    add.add_argument("--uf", default=None, help="state (sets time zone and holidays); default DEFAULT_UF")
    _runs(add, "team_commands.add_member")
    listing = actions.add_parser("list", help="list the active team")
    _runs(listing, "team_commands.list_team")
    for action, help_text in (("pause", "pause a rep (vacation)"), ("resume", "resume a paused rep")):
        change = actions.add_parser(action, help=help_text)
        change.add_argument("who", help="Telegram id, member id, @username or name")
        _runs(change, f"team_commands.{action}")
    off = actions.add_parser(
        "deactivate", help="end a member's access and hand their open leads to someone else (audited)"
    )
    off.add_argument("who", help="Telegram id, member id, @username or name")
    target = off.add_mutually_exclusive_group()
    target.add_argument("--to", help="who receives the open leads (Telegram id, member id, @username or name)")
    target.add_argument(
        "--round-robin", action="store_true", help="spread the open leads among the active reps who are not paused"
    )
    _runs(off, "team_commands.deactivate")


# ------------------------------------------------------------------------------ backup, restore


def _ops(sub: Any) -> None:
    backup = sub.add_parser("backup", help="copy the database to FILE (safe while the bot runs)")
    backup.add_argument("file", type=Path)
    _runs(backup, "ops_commands.backup")
    restore = sub.add_parser("restore", help="replace the database with a backup (stop the bot first)")
    restore.add_argument("file", type=Path)
    restore.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    _runs(restore, "ops_commands.restore")


# ------------------------------------------------------------------------------ lead (LGPD)


def _lead(sub: Any) -> None:
    lead = sub.add_parser(
        "lead", help="start cadences in bulk, reassign leads; LGPD: erase personal data, purge, list erasures"
    )
    lead_sub = lead.add_subparsers(dest="lead_command", metavar="ACTION", required=True)
    erase = lead_sub.add_parser(
        "erase", help="erase the contact's personal data of one lead (kept: company, facts, numbers)"
    )
    erase.add_argument("lead_id", metavar="ID", help="the lead's number, e.g. 42")
    erase.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    _runs(erase, "lead_commands.erase")
    purge = lead_sub.add_parser("purge", help="erase the contact data of leads lost more than RETENTION_MONTHS ago")
    purge.add_argument("--dry-run", action="store_true", help="only count them; change nothing")
    purge.add_argument("--months", type=_whole(0, 1200), help="instead of RETENTION_MONTHS")
    _runs(purge, "lead_commands.purge")
    erasures = lead_sub.add_parser("erasures", help="the audit of every erasure, newest first")
    erasures.add_argument("--limit", type=_whole(0, 1_000_000), default=50, help="at most this many lines (0: all)")
    _runs(erasures, "lead_commands.erasures")
    _worklist(lead_sub)


def _worklist(lead_sub: Any) -> None:
    start = lead_sub.add_parser(
        "start", help="start the cadences of a campaign, a tier or an import (knock-outs and tier D skipped)"
    )
    which = start.add_mutually_exclusive_group(required=True)
    which.add_argument("--campaign", help="the leads of this campaign")
    which.add_argument("--tier", help="the leads of this tier (A, B, C or D)")
    which.add_argument("--import", dest="batch", help="the leads an import wrote (its number)")
    start.add_argument(
        "--include-outside-icp", action="store_true", help="start knocked-out and tier D leads too (recorded)"
    )
    start.add_argument("--dry-run", action="store_true", help="only count what would start and what is skipped")
    _runs(start, "worklist_commands.start")
    move = lead_sub.add_parser("reassign", help="move one lead, or every open lead of a rep, to another rep")
    move.add_argument("lead_id", metavar="ID", nargs="?", help="the lead to move (or --from)")
    move.add_argument("--from", dest="giver", help="every open lead of this member (id, @username or name)")
    to = move.add_mutually_exclusive_group(required=True)
    to.add_argument("--to", help="who receives them (Telegram id, member id, @username or name)")
    to.add_argument("--round-robin", action="store_true", help="spread them among the active reps not paused")
    _runs(move, "worklist_commands.reassign")


# ------------------------------------------------------------------------------ market, prospect


def _market(sub: Any) -> None:
    market = sub.add_parser("market", help="how many active registry companies fit the ICP, by tier, UF and CNAE")
    market.add_argument("--uf", default="", help="UFs, comma-separated (SP,PR); default: every UF")
    market.add_argument("--cnae", default="", help="CNAE prefixes, comma-separated (62,4930); default: every CNAE")
    market.add_argument("--chart", type=Path, metavar="FILE", help="also write the chart (PNG) here")
    _runs(market, "market_commands.market")

    pro = sub.add_parser("prospect", help="create leads from registry companies that fit the ICP and are not leads yet")
    pro.add_argument("--tier", default="A", help="tiers to take, comma-separated (A,B); default: A")
    pro.add_argument("--uf", default="", help="UFs, comma-separated (SP,PR); default: every UF")
    pro.add_argument("--cnae", default="", help="CNAE prefixes, comma-separated (62,4930); default: every CNAE")
    pro.add_argument("--limit", type=_whole(1, 20_000), default=500, help="at most this many leads (default 500)")
    pro.add_argument("--campaign", default="", help="the campaign the new leads belong to")
    who = pro.add_mutually_exclusive_group(required=True)
    who.add_argument("--reps", help="reps (username or first name), comma-separated, in turn")
    who.add_argument("--round-robin", action="store_true", help="every active rep of the team, in turn")
    pro.add_argument("--dry-run", action="store_true", help="only count and show a sample")
    pro.add_argument(
        "--with-contacts",
        action="store_true",
        help="add the registry's decision makers as contacts of the new leads (audited: personal data)",
    )
    _runs(pro, "market_commands.prospect")


# ------------------------------------------------------------------------------ the CNPJ registry


def _registry(sub: Any) -> None:
    registry = sub.add_parser("registry", help="the open CNPJ registry (Receita Federal) under REGISTRY_DIR")
    registry_sub = registry.add_subparsers(dest="registry_command", metavar="ACTION", required=True)
    load = registry_sub.add_parser(
        "load", help="load a month of the published zips (a folder or an http(s) month folder); resumable"
    )
    load.add_argument("source", metavar="DIR_OR_URL")
    load.add_argument("--month", help="YYYY-MM (default: the folder's name)")
    status = registry_sub.add_parser("status", help="the month loaded, counts, disk, a load in progress")
    show = registry_sub.add_parser("show", help="what the registry knows of one CNPJ")
    show.add_argument("cnpj")
    for parser, handler in ((load, "load"), (status, "status"), (show, "show")):
        parser.add_argument("--dir", dest="registry_dir", type=Path, help="default: REGISTRY_DIR")
        _runs(parser, f"registry_commands.{handler}")
