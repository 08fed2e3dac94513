#!/usr/bin/env python3
"""Set up and run Cadência with nothing but Python installed.

    python3 dev.py run     # create .venv, install, run the bot (or the offline demo without a token)
    python3 dev.py test    # create .venv, install with dev tools, lint, type-check and run every test

Any other arguments are passed to the ``cadencia`` command (``python3 dev.py demo``).
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PYTHON = BIN / ("python.exe" if os.name == "nt" else "python")
STAMP = VENV / ".dev-stamp"


def _run(*cmd: str | Path) -> None:
    print("+", " ".join(str(c) for c in cmd), flush=True)
    subprocess.run([str(c) for c in cmd], cwd=ROOT, check=True)


def ensure_venv(extras: str) -> None:
    """Create .venv and (re)install the project when pyproject.toml or the extras change."""
    wanted = hashlib.sha256((ROOT / "pyproject.toml").read_bytes() + extras.encode()).hexdigest()
    if STAMP.exists() and STAMP.read_text() == wanted and PYTHON.exists():
        return
    if not PYTHON.exists():
        print("+ creating .venv", flush=True)
        venv.EnvBuilder(with_pip=True).create(VENV)
    _run(PYTHON, "-m", "pip", "install", "--quiet", "--upgrade", "pip")
    _run(PYTHON, "-m", "pip", "install", "--quiet", "-e", f".{extras}")
    STAMP.write_text(wanted)


def test(extra_args: list[str]) -> int:
    ensure_venv("[dev]")
    steps: list[list[str | Path]] = [
        [BIN / "ruff", "check", "bot", "tests", "bench", "dev.py"],
        [BIN / "mypy"],
        [BIN / "lint-imports"],
        [PYTHON, "-m", "pytest", "-q", *extra_args],
    ]
    for step in steps:
        print("+", " ".join(str(c) for c in step), flush=True)
        result = subprocess.run([str(c) for c in step], cwd=ROOT)
        if result.returncode != 0:
            return result.returncode
    return 0


def main(argv: list[str]) -> int:
    if not argv:
        print(__doc__)
        return 2
    if argv[0] == "test":
        return test(argv[1:])
    ensure_venv("")
    command = argv if argv[0] != "run" else ["run", *argv[1:]]
    return subprocess.run([str(BIN / "cadencia"), *command], cwd=ROOT).returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
