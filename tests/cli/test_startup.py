"""``cadencia --help`` starts in a blink: the parser imports no heavy library, and each command's
module is imported only when that command runs (issue 11). How fast is measured by
``bench/startup.py``; here, what is loaded."""

from __future__ import annotations

import argparse
import json
import subprocess
import sys

from bot.cli.main import handler_named
from bot.cli.parser import build_parser, handlers
from tests.cli.test_cli import ROOT

HEAVY = ("telegram", "sqlalchemy", "sqlmodel", "jinja2", "matplotlib", "apscheduler", "xlsxwriter", "openpyxl")
"""Libraries that take tenths of a second each to import."""
ALSO_LEFT_OUT = ("alembic", "babel", "pydantic", "yaml", "holidays", "bot.storage", "bot.services", "bot.tg")

WHAT_HELP_LOADS = """
import json, sys
from bot.cli.main import main
for path in json.loads(sys.argv[1]):
    try:
        main([*path, "--help"])
    except SystemExit:
        pass
heavy = json.loads(sys.argv[2])
print(json.dumps(sorted(m for m in sys.modules if m in heavy or m.startswith(tuple(h + "." for h in heavy)))))
"""


def command_paths() -> list[list[str]]:
    """Every command line that has a help: ``[]`` (the top), ``["team"]``, ``["team", "list"]``…"""
    found: list[list[str]] = [[]]

    def walk(parser: argparse.ArgumentParser, path: list[str]) -> None:
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                for name, child in action.choices.items():
                    found.append([*path, name])
                    walk(child, [*path, name])

    walk(build_parser(), [])
    return found


def test_no_help_of_any_command_loads_a_heavy_library() -> None:
    paths = command_paths()
    assert ["team", "list"] in paths and ["lead", "erase"] in paths and len(paths) > 20
    result = subprocess.run(
        [sys.executable, "-c", WHAT_HELP_LOADS, json.dumps(paths), json.dumps([*HEAVY, *ALSO_LEFT_OUT])],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    assert json.loads(result.stdout.splitlines()[-1]) == []
    assert "usage: cadencia team list" in result.stdout and "deactivate" in result.stdout


def test_every_command_runs_a_handler_that_exists() -> None:
    named = handlers(build_parser())
    leaves = [" ".join(p) for p in command_paths() if p and not any(q[:-1] == p for q in command_paths())]
    assert sorted(named) == sorted(leaves)
    for name in named.values():
        assert callable(handler_named(name)), name


def test_parsing_a_command_line_loads_nothing_heavy_before_it_runs() -> None:
    script = (
        "import sys\n"
        "from bot.cli.parser import build_parser\n"
        "args = build_parser().parse_args(['import', 'leads.csv', '--reps', 'ana,bruno', '--update'])\n"
        "assert args.handler == 'manager_commands.import_leads' and args.update\n"
        f"print(sorted(m for m in sys.modules if m.split('.')[0] in {HEAVY!r}))\n"
    )
    result = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"
