"""The import contract: the domain is pure, layers point inwards."""

from __future__ import annotations

import json
import pkgutil
import shutil
import subprocess
import sys
from pathlib import Path

import bot.domain

ROOT = Path(__file__).resolve().parents[1]
FORBIDDEN = ("telegram", "sqlmodel", "sqlalchemy", "apscheduler", "jinja2", "duckdb")


def test_importing_the_whole_domain_loads_no_adapter_library() -> None:
    modules = [m.name for m in pkgutil.walk_packages(bot.domain.__path__, "bot.domain.")]
    script = (
        "import importlib, json, sys\n"
        f"for name in {modules!r}: importlib.import_module(name)\n"
        "print(json.dumps(sorted(sys.modules)))\n"
    )
    loaded = json.loads(
        subprocess.run([sys.executable, "-c", script], cwd=ROOT, check=True, capture_output=True, text=True).stdout
    )
    leaks = [m for m in loaded if m.split(".")[0] in FORBIDDEN]
    assert not leaks, f"bot.domain pulls in {leaks}"
    assert len(modules) >= 8


def test_import_linter_contracts_hold() -> None:
    executable = shutil.which("lint-imports", path=str(Path(sys.executable).parent))
    assert executable, "import-linter is a dev dependency"
    result = subprocess.run([executable], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
