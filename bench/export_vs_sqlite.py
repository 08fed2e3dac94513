"""Exports and the report on 1,000,000 touches of realistic rows. Prints figures; not a test.

The rows (``bench/history.py``) are those of a real team: leads with valid CNPJs, CNAEs, cities,
headcount and revenue ranges and contacts; touches with outcomes, roles, intents, pains and
notes; stage changes, losses and meetings. Targets (issues 5 and 11):

- CSV export of the touches, as a manager gets it (the 50 MB Telegram limit, so zipped when
  larger), timed from the outside of its own process: at most 2× the ``sqlite3`` shell's plain
  dump of the table (``.mode csv``, ``SELECT * FROM touches``) in the same run;
- peak memory of the export process itself (a child process; its ``ru_maxrss`` read by the
  process that waited for it, ``getrusage(RUSAGE_CHILDREN)``): XLSX under 200 MB;
- the full report (every metric) under 2 s;
- 50,000 realistic rows (valid CNPJs, varied facts) imported with progress.

    .venv/bin/python bench/export_vs_sqlite.py [--touches 1000000] [--skip-xlsx] [--keep PATH]

The ``sqlite3`` shell comes from ``apt-get install -y sqlite3``; without it the script says so
and skips that comparison.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from history import lead_facts, populate_sqlite  # noqa: E402
from sqlalchemy import func, select  # noqa: E402

from bot.storage.db import make_engine, read_scope, upgrade_database  # noqa: E402
from bot.storage.models import Lead, Member, Touch  # noqa: E402

REPORT_TARGET_S = 2.0
CSV_RATIO_TARGET = 2.0
XLSX_PEAK_TARGET_MB = 200
IMPORT_ROWS = 50_000


def verdict(ok: bool) -> str:
    return "OK" if ok else "MISSED"


EXPORT_CHILD = """
import json, sys, time
sys.path.insert(0, {root!r})
from pathlib import Path
from bot.config import Settings
from bot.storage.db import make_engine
from bot.services.exports import export
from bot.services.runtime import CliRuntime
runtime = CliRuntime(settings=Settings(_env_file=None, database_url={url!r}), engine=make_engine({url!r}))
started = time.perf_counter()
result = export(runtime, what=["touches"], fmt={fmt!r}, directory=Path({out!r}), basename="touches")
print(json.dumps({{"seconds": time.perf_counter() - started, "rows": result.total_rows,
                  "packaging": result.packaging, "bytes": [f.stat().st_size for f in result.files]}}))
"""
"""The export as the bot and the CLI run it: the Telegram limit applies (zip when larger)."""

MEASURED = """
import json, resource, subprocess, sys, time
started = time.perf_counter()
done = subprocess.run(sys.argv[1:], capture_output=True, text=True, check=False)
print(json.dumps({"wall": time.perf_counter() - started, "returncode": done.returncode,
                  "stdout": done.stdout, "stderr": done.stderr[-3000:],
                  "peak_kb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss}))
"""
"""Runs one command and reports its wall time and its peak RSS: this process waits for that
command only, so ``RUSAGE_CHILDREN`` is the command's own (the process tree it ran)."""


def measured(command: list[str]) -> dict[str, object]:
    completed = subprocess.run([sys.executable, "-c", MEASURED, *command], capture_output=True, text=True, check=True)
    figures: dict[str, object] = json.loads(completed.stdout)
    return figures


def child_export(url: str, fmt: str, out: Path) -> tuple[dict[str, object], dict[str, object] | None]:
    """(wall time and peak memory of the export's process, what the export said) or None."""
    figures = measured([sys.executable, "-c", EXPORT_CHILD.format(root=str(ROOT), url=url, fmt=fmt, out=str(out))])
    said = json.loads(str(figures["stdout"]).strip().splitlines()[-1]) if figures["returncode"] == 0 else None
    return figures, said


def import_rows(run: int) -> bytes:
    """:data:`IMPORT_ROWS` rows as a real list has them (Latin-1, ";"), CNPJs new to this run
    (``run`` < 1,700: lead numbers from 10M up, beyond any generated history)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";")
    writer.writerow(
        [
            "Empresa",
            "CNPJ",
            "CNAE",
            "UF",
            "Cidade",
            "Funcionários",
            "Faturamento",
            "Contato",
            "Cargo",
            "Telefone",
            "E-mail",
            "Site",
            "Observações",
            "Vendedor",
        ]
    )
    for i in range(IMPORT_ROWS):
        facts = lead_facts(10_000_000 + run * IMPORT_ROWS + i)
        high = facts["headcount_high"] or facts["headcount_low"] * 2
        writer.writerow(
            [
                f"Importada {run} {i} Ltda",
                facts["cnpj"],
                facts["cnae"],
                facts["uf"],
                facts["city"],
                str((facts["headcount_low"] + high) // 2),
                f"{facts['revenue_low'] // 1_000_000 + 1} mi",
                facts["contact_name"],
                facts["contact_role"],
                facts["contact_phone"],
                facts["contact_email"],
                facts["website"],
                facts["notes"] or "",
                "",
            ]
        )
    return buffer.getvalue().encode("latin-1", errors="replace")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--touches", type=int, default=1_000_000)
    parser.add_argument("--skip-xlsx", action="store_true")
    parser.add_argument("--keep", type=Path, help="reuse/keep the database at this path")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="cadencia-bench-"))
    db = args.keep or work / "bench.db"
    url = f"sqlite:///{db}"
    summary: list[tuple[str, str, bool]] = []
    try:
        if not db.exists():
            print(f"generating ~{args.touches:,} touches into {db} …")
            started = time.perf_counter()
            populate_sqlite(db, touches=args.touches, reps=20, days=365)
            print(f"  generated in {time.perf_counter() - started:.1f} s")
        engine = make_engine(url)
        upgrade_database(engine)  # a kept database from an older run gets the newest indexes
        with read_scope(engine) as session:
            touches = session.execute(select(func.count()).select_from(Touch)).scalar_one()
            leads = session.execute(select(func.count()).select_from(Lead)).scalar_one()
            with_cnpj = session.execute(select(func.count(func.distinct(Lead.cnpj)))).scalar_one()
        print(f"  {touches:,} touches, {leads:,} leads ({with_cnpj:,} distinct valid CNPJs)")

        # -- the full report (a read-only snapshot, as the bot and the CLI take it)
        from bot.services.reports import build_report

        with read_scope(engine) as session:
            started = time.perf_counter()
            report = build_report(session, start=None, end=None)
            report_s = time.perf_counter() - started
        print("\nREPORT (every metric, all touches)")
        print(
            f"  full report:     {report_s:.2f} s   "
            f"(target < {REPORT_TARGET_S:.0f} s: {verdict(report_s < REPORT_TARGET_S)})"
        )
        print(
            f"  calls {report.basic.calls_made:,}, messages {report.basic.messages_sent:,}, "
            f"SQL {report.basic.sql_booked:,}"
        )
        summary.append(("full report", f"{report_s:.2f} s < {REPORT_TARGET_S:.0f} s", report_s < REPORT_TARGET_S))

        # -- CSV export, in its own process, against the sqlite3 shell's plain dump of the table
        figures, said = child_export(url, "csv", work / "csv")
        print("\nCSV EXPORT OF THE TOUCHES (its own process, as a manager gets it)")
        if said is None:
            print(f"  the export failed (exit {figures['returncode']}):\n{figures['stderr']}")
            summary.append(("CSV export", "export failed", False))
            return 1
        ours = float(str(figures["wall"]))
        sizes = ", ".join(f"{int(b) / 1e6:.0f} MB" for b in said["bytes"])  # type: ignore[attr-defined]
        print(
            f"  cadencia export: {ours:.2f} s from start to exit (the export itself {float(said['seconds']):.2f} s), "
            f"{int(said['rows']):,} rows → {said['packaging']}: {sizes}"
        )
        print(f"  peak memory:     {int(str(figures['peak_kb'])) / 1024:.0f} MB (the export's process)")
        shell = shutil.which("sqlite3")
        if shell is None:
            print(
                "  sqlite3 shell not found: install it with `apt-get install -y sqlite3` to compare; comparison skipped"
            )
            summary.append(("CSV export ÷ sqlite3 shell", "not measured (no sqlite3 shell)", False))
        else:
            target = work / "shell.csv"
            dump = measured(
                [
                    shell,
                    "-bail",
                    "-cmd",
                    ".headers on",
                    "-cmd",
                    ".mode csv",
                    "-cmd",
                    f".once {target}",
                    str(db),
                    "SELECT * FROM touches",
                ]
            )
            theirs = float(str(dump["wall"]))
            with target.open(encoding="utf-8", newline="") as handle:
                shell_rows = sum(1 for _ in csv.reader(handle)) - 1
            ratio = ours / theirs
            print(
                f"  sqlite3 shell:   {theirs:.2f} s  {shell_rows:,} rows  {target.stat().st_size / 1e6:.0f} MB "
                "(.mode csv, SELECT * FROM touches: a plain dump, no zip)"
            )
            print(
                f"  ratio:           {ratio:.2f}×  "
                f"(target ≤ {CSV_RATIO_TARGET:.0f}×: {verdict(ratio <= CSV_RATIO_TARGET)})"
            )
            same = shell_rows == int(said["rows"])
            print(f"  same number of rows as the shell's: {same}")
            summary.append(
                (
                    "CSV export (zip included) ÷ sqlite3 plain dump",
                    f"{ratio:.2f}× ≤ {CSV_RATIO_TARGET:.0f}×",
                    ratio <= CSV_RATIO_TARGET and same,
                )
            )

        # -- XLSX, its peak memory in its own process
        if not args.skip_xlsx:
            figures, said = child_export(url, "xlsx", work / "xlsx")
            print("\nXLSX EXPORT OF THE TOUCHES (its own process)")
            if said is None:
                print(f"  the export failed (exit {figures['returncode']}):\n{figures['stderr']}")
                summary.append(("XLSX export peak memory", "export failed", False))
            else:
                peak_mb = int(str(figures["peak_kb"])) / 1024
                print(
                    f"  time:            {float(str(figures['wall'])):.1f} s from start to exit, "
                    f"{int(said['rows']):,} rows → {said['packaging']}"
                )
                print(
                    f"  peak memory:     {peak_mb:.0f} MB  "
                    f"(target < {XLSX_PEAK_TARGET_MB} MB: {verdict(peak_mb < XLSX_PEAK_TARGET_MB)})"
                )
                summary.append(
                    (
                        "XLSX export peak memory",
                        f"{peak_mb:.0f} MB < {XLSX_PEAK_TARGET_MB} MB",
                        peak_mb < XLSX_PEAK_TARGET_MB,
                    )
                )

        # -- import of 50,000 realistic rows
        from bot.config import Settings
        from bot.services.imports import Assignment, import_bytes
        from bot.services.playbooks import load_checked_playbook
        from bot.services.runtime import CliRuntime

        playbook = load_checked_playbook(Settings().playbook_dir)
        runtime = CliRuntime(settings=Settings(_env_file=None, database_url=url), engine=engine)  # type: ignore[call-arg]
        raw = import_rows(int(time.time()) % 1_700)
        with read_scope(engine) as session:
            rep_ids = list(session.execute(select(Member.id).where(Member.role == "rep")).scalars())[:4]
        ticks: list[int] = []
        started = time.perf_counter()
        imported = import_bytes(
            runtime,
            raw,
            "50k.csv",
            playbook=playbook,
            assignment=Assignment(reps=[str(r) for r in rep_ids]),
            progress=lambda done, _total: ticks.append(done),
        )
        import_s = time.perf_counter() - started
        print(f"\nIMPORT OF {IMPORT_ROWS:,} REALISTIC ROWS (valid CNPJs, contacts; Latin-1, ';')")
        print(
            f"  {import_s:.1f} s ({IMPORT_ROWS / import_s:,.0f} rows/s), {imported.imported:,} imported, "
            f"{len(imported.problems)} problems, {len(ticks)} progress updates"
        )
        imported_ok = imported.imported == IMPORT_ROWS and not imported.problems and len(ticks) > 1
        summary.append(
            (
                f"import of {IMPORT_ROWS:,} rows with progress",
                f"{imported.imported:,} rows, {len(ticks)} progress updates, {import_s:.1f} s",
                imported_ok,
            )
        )

        print("\nSUMMARY")
        for name, figure, ok in summary:
            print(f"  {verdict(ok):6s}  {name}: {figure}")
        engine.dispose()
    finally:
        shutil.rmtree(work, ignore_errors=True)  # a --keep database lives outside ``work``
    return 0 if all(ok for _name, _figure, ok in summary) else 1


if __name__ == "__main__":
    sys.exit(main())
