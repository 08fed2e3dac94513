"""The ``cadencia`` command.

Every failure is one clear line on stderr and a non-zero exit status; tracebacks go to the log
only with ``--debug``.
"""

from __future__ import annotations

import argparse
import csv
import json
import logging
import sys
from collections.abc import Sequence
from pathlib import Path

from pydantic import ValidationError

from bot.cli import commands
from bot.i18n import LANGUAGES

log = logging.getLogger("cadencia")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="cadencia",
        description="Cadência: a Telegram bot for B2B SaaS sales cadences.",
    )
    parser.add_argument("--debug", action="store_true", help="print tracebacks on errors")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    pb = sub.add_parser("playbook", help="work with the playbook")
    pb_sub = pb.add_subparsers(dest="playbook_command", metavar="ACTION", required=True)
    check = pb_sub.add_parser("check", help="validate a playbook directory")
    check.add_argument("directory", nargs="?", type=Path, help="default: PLAYBOOK_DIR or the bundled one")
    check.set_defaults(handler=commands.playbook_check)

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
    score.add_argument("--row", type=int, default=1, help="which data row of --csv (1 = first)")
    score.add_argument("--playbook", type=Path, help="playbook directory")
    score.set_defaults(handler=commands.score)

    cnae = sub.add_parser("cnae", help="look up CNAE activity codes")
    cnae_sub = cnae.add_subparsers(dest="cnae_command", metavar="ACTION", required=True)
    search = cnae_sub.add_parser("search", help="find CNAE codes by activity words")
    search.add_argument("words", nargs="+")
    search.add_argument("--limit", type=int, default=10)
    search.set_defaults(handler=commands.cnae_search)

    commands.register_more(sub)
    _add_language_option(parser, top=True)
    return parser


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


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.debug else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    try:
        return int(args.handler(args) or 0)
    except commands.CommandFailed as exc:
        print(f"cadencia: {exc}", file=sys.stderr)
        return exc.status
    except KeyboardInterrupt:
        return 130
    except ValidationError as exc:  # a setting in .env or the environment is wrong
        for error in exc.errors():
            name = str(error["loc"][0]).upper() if error["loc"] else "?"
            print(f"cadencia: configuração inválida: {name}: {error['msg']}", file=sys.stderr)
        return 2
    except (OSError, json.JSONDecodeError, csv.Error, UnicodeDecodeError, ValueError) as exc:
        log.debug("command failed", exc_info=True)
        print(f"cadencia: {exc}", file=sys.stderr)
        return 2
    except Exception as exc:  # never a traceback for a user
        log.error("unexpected failure", exc_info=args.debug)
        print(f"cadencia: erro inesperado: {exc} (rode com --debug para detalhes)", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
