"""The ``cadencia`` command.

The parser (:mod:`bot.cli.parser`) is light; a command's module is imported only when that
command runs, so ``cadencia --help`` starts in a blink. Every failure is one clear line on stderr
and a non-zero exit status; tracebacks go to the log only with ``--debug``.
"""

from __future__ import annotations

import csv
import importlib
import json
import logging
import sys
from collections.abc import Callable, Sequence
from typing import Any

from bot.cli.failures import CommandFailed
from bot.cli.parser import build_parser

log = logging.getLogger("cadencia")


def handler_named(name: str) -> Callable[[Any], int | None]:
    """``"team_commands.list_team"`` → that function of :mod:`bot.cli` (its module imported now)."""
    module, _, function = name.rpartition(".")
    return getattr(importlib.import_module(f"bot.cli.{module}"), function)


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.debug else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    from pydantic import ValidationError  # the settings' library: every command reads them

    try:
        return int(handler_named(args.handler)(args) or 0)
    except CommandFailed as exc:
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
