"""How fast ``cadencia`` starts: every command's ``--help``, and real commands on a small database
up to their first line of output (issue 11).

Each command runs as its own process, as an operator types it, several times; the best time
counts (a busy machine only ever adds). Both the wall time and the process's CPU time are shown:
on an idle machine they are nearly equal, on a busy one the wall time grows with the load and the
CPU time barely, so the verdict is on the CPU time. The reference, measured in the same run the
same way, is a bare argparse script printing its help. Targets: ``cadencia --help`` < 0.3 s;
every command < 1 s. Prints figures; not a test (``tests/cli/test_startup.py`` checks what
``--help`` loads).

    .venv/bin/python bench/startup.py [--runs 5]
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.cli.parser import build_parser, handlers

ROOT = Path(__file__).resolve().parents[1]

HELP_TARGET = 0.3
COMMAND_TARGET = 1.0
BARE = (
    "import argparse; parser = argparse.ArgumentParser(prog='bare'); "
    "parser.add_argument('--name', help='a name'); parser.parse_args(['--help'])"
)


def cadencia() -> list[str]:
    """The installed ``cadencia`` script beside this Python, else ``python -m bot.cli.main``."""
    script = Path(sys.executable).with_name("cadencia")
    return [str(script)] if script.exists() else [sys.executable, "-m", "bot.cli.main"]


def first_line(command: list[str], env: dict[str, str], cwd: Path) -> tuple[float, float, float, int]:
    """(seconds to the first line of output, seconds to exit, CPU seconds of the process, exit status)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env, cwd=cwd)
    assert process.stdout is not None
    process.stdout.readline()
    first = time.perf_counter() - started
    process.stdout.read()
    status = process.wait()
    ended = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return first, ended, cpu, status


def best(command: list[str], env: dict[str, str], cwd: Path, runs: int) -> tuple[float, float, float, int]:
    """The best of ``runs``: first line, exit, CPU (each its own best), and the last exit status."""
    results = [first_line(command, env, cwd) for _ in range(runs)]
    return min(r[0] for r in results), min(r[1] for r in results), min(r[2] for r in results), results[-1][3]


COMMANDS = (
    lambda folder: ["team", "list"],
    lambda folder: ["report"],
    lambda folder: ["export", "leads", "-o", str(folder)],
    lambda folder: ["playbook", "check"],
    lambda folder: ["cnae", "search", "software"],
    lambda folder: ["score", "--cnae", "6201-5/01", "--uf", "SP", "--headcount", "120"],
    lambda folder: ["lead", "erasures"],
    lambda folder: ["health", "--offline"],
)
"""Real commands on the small database, timed up to their first line of output."""


def small_database(folder: Path, env: dict[str, str]) -> None:
    """Three reps and 200 imported leads (the import bench's realistic rows)."""
    sys.path.insert(0, str(ROOT / "bench"))
    from import_speed import write_csv

    leads = folder / "leads.csv"
    write_csv(leads, 200)
    steps = [
        ["team", "add", "101", "Ana", "Lima"],
        ["team", "add", "102", "Bruno", "Melo"],
        ["team", "add", "103", "Carla", "Dias"],
        ["import", str(leads)],
    ]
    for step in steps:
        subprocess.run([*cadencia(), *step], env=env, cwd=folder, check=True, capture_output=True)


def main() -> None:
    options = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    options.add_argument("--runs", type=int, default=5, help="runs of each command; the best counts")
    runs = options.parse_args().runs
    rows: list[tuple[str, float, float, float]] = []  # label, wall, CPU, target
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        env = {
            **os.environ,
            "DATABASE_URL": f"sqlite:///{folder / 'small.db'}",
            "TELEGRAM_BOT_TOKEN": "",
            "LANG": "pt_BR.UTF-8",
        }
        small_database(folder, env)
        _, reference, reference_cpu, _ = best([sys.executable, "-c", BARE], env, folder, runs)
        _, wall, cpu, _ = best([*cadencia(), "--help"], env, folder, runs)
        rows.append(("--help", wall, cpu, HELP_TARGET))
        for path in handlers(build_parser()):
            _, wall, cpu, _ = best([*cadencia(), *path.split(), "--help"], env, folder, runs)
            rows.append((f"{path} --help", wall, cpu, COMMAND_TARGET))
        for command in COMMANDS:
            wall, _, cpu, status = best([*cadencia(), *command(folder)], env, folder, runs)
            label = " ".join(command(Path("…")))
            rows.append((f"{label} (first line{'' if status == 0 else f'; exit {status}'})", wall, cpu, COMMAND_TARGET))
    print(
        f"bare argparse script --help: {reference:.3f} s, CPU {reference_cpu:.3f} s (reference); "
        f"best of {runs} runs each; machine load {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs"
    )
    print("verdict on the CPU time, which a busy machine barely changes (wall time is what an idle one shows)")
    width = max(len(row[0]) for row in rows)
    slow = 0
    for label, wall, cpu, target in rows:
        verdict = "OK" if cpu < target else "TOO SLOW"
        slow += cpu >= target
        print(
            f"cadencia {label:<{width}}  wall {wall:6.3f} s ({wall / reference:4.1f}×)  "
            f"CPU {cpu:6.3f} s ({cpu / reference_cpu:4.1f}×)  target < {target} s  {verdict}"
        )
    print(f"{len(rows) - slow} of {len(rows)} within target")


if __name__ == "__main__":
    main()
