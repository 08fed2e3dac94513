"""Exports and the report on 1,000,000 touches. Prints figures and ratios; not a test.

Targets (issue 5):
- CSV export of the touches: at most 2× the time of the ``sqlite3`` shell's own CSV dump of
  the same rows (the same SELECT, run by the shell in the same run);
- XLSX export peak memory under 200 MB (measured in a child process: ``ru_maxrss``);
- the full report (every metric) under 2 s;
- and, for the import side, 50,000 rows imported with progress.

    .venv/bin/python bench/export_vs_sqlite.py [--touches 1000000] [--skip-xlsx]

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

from sqlalchemy import func, select  # noqa: E402
from sqlmodel import Session  # noqa: E402

from bot.storage.db import make_engine, read_scope, upgrade_database  # noqa: E402
from bot.storage.exporting import export_select  # noqa: E402
from bot.storage.models import Member, Touch  # noqa: E402
from bot.storage.reporting import ActivityFilter  # noqa: E402

TOUCHES_PER_LEAD = 4.1  # what tests/services/activity.py simulates on average

REPORT_TARGET_S = 2.0
CSV_RATIO_TARGET = 2.0
XLSX_PEAK_TARGET_MB = 200
SAME_ROWS_CHECKED = 1_000_000  # rows of our CSV compared, parsed, with the shell's


def verdict(ok: bool) -> str:
    return "OK" if ok else "MISSED"

XLSX_CHILD = """
import json, resource, sys, time
sys.path.insert(0, {root!r})
from pathlib import Path
from bot.storage.db import make_engine
from bot.services.exports import export
engine = make_engine({url!r})
base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
started = time.perf_counter()
result = export(engine, what=["touches"], fmt="xlsx", directory=Path({out!r}),
                max_bytes=10**12, basename="touches")
elapsed = time.perf_counter() - started
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({{"seconds": elapsed, "peak_kb": peak, "base_kb": base,
                  "rows": result.total_rows, "bytes": result.files[0].stat().st_size}}))
"""


def populate(url: str, touches: int) -> None:
    from tests.services.activity import populate as simulate

    engine = make_engine(url)
    upgrade_database(engine)
    leads = int(touches / TOUCHES_PER_LEAD)
    simulate(engine, leads, n_reps=20, keep=False, chunk=50_000)
    with Session(engine) as session:
        count = session.execute(select(func.count()).select_from(Touch)).scalar_one()
    engine.dispose()
    print(f"  {count:,} touches from {leads:,} simulated leads")


def sqlite_dump_sql(url: str) -> str:
    engine = make_engine(url)
    _columns, statement = export_select("touches", ActivityFilter(), "sqlite")
    sql = str(statement.compile(engine, compile_kwargs={"literal_binds": True}))
    engine.dispose()
    return sql


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
            populate(url, args.touches)
            print(f"  generated in {time.perf_counter() - started:.1f} s")
        engine = make_engine(url)
        upgrade_database(engine)  # a kept database from an older run gets the newest indexes

        # -- the full report (a read-only snapshot, as the bot and the CLI take it)
        from bot.services.reports import build_report

        with read_scope(engine) as session:
            started = time.perf_counter()
            report = build_report(session, start=None, end=None)
            report_s = time.perf_counter() - started
        with read_scope(engine) as session:
            started = time.perf_counter()
            build_report(session, start=None, end=None, campaign="Logística SP")
            campaign_s = time.perf_counter() - started
        print("\nREPORT (every metric, all touches)")
        print(
            f"  full report:     {report_s:.2f} s   "
            f"(target < {REPORT_TARGET_S:.0f} s: {verdict(report_s < REPORT_TARGET_S)})"
        )
        print(f"  one campaign:    {campaign_s:.2f} s")
        print(
            f"  calls {report.basic.calls_made:,}, messages {report.basic.messages_sent:,}, "
            f"SQL {report.basic.sql_booked:,}"
        )
        summary.append(
            ("full report", f"{report_s:.2f} s < {REPORT_TARGET_S:.0f} s", report_s < REPORT_TARGET_S)
        )

        # -- CSV export against the sqlite3 shell
        from bot.services.exports import export

        out = work / "csv"
        started = time.perf_counter()
        result = export(engine, what=["touches"], directory=out, max_bytes=10**12, basename="t")
        ours = time.perf_counter() - started
        size = result.files[0].stat().st_size
        print("\nCSV EXPORT OF THE TOUCHES")
        print(f"  cadencia export: {ours:.2f} s  {result.total_rows:,} rows  {size / 1e6:.0f} MB")
        started = time.perf_counter()
        packaged = export(engine, what=["touches"], directory=work / "csv50")
        packaged_s = time.perf_counter() - started
        print(
            f"  with the 50 MB Telegram limit: {packaged_s:.2f} s → {packaged.packaging}, "
            f"{len(packaged.files)} file(s), largest "
            f"{max(p.stat().st_size for p in packaged.files) / 1e6:.1f} MB"
        )
        shell = shutil.which("sqlite3")
        if shell is None:
            print(
                "  sqlite3 shell not found: install it with `apt-get install -y sqlite3` to compare; comparison skipped"
            )
            summary.append(("CSV export ÷ sqlite3 shell", "not measured (no sqlite3 shell)", False))
        else:
            sql = sqlite_dump_sql(url)
            target = work / "shell.csv"
            started = time.perf_counter()
            with target.open("wb") as handle:
                subprocess.run([shell, "-csv", "-header", "-separator", ";", str(db), sql], stdout=handle, check=True)
            theirs = time.perf_counter() - started
            with target.open(encoding="utf-8") as handle:
                shell_rows = sum(1 for _ in csv.reader(handle, delimiter=";")) - 1
            ratio = ours / theirs
            print(
                f"  sqlite3 shell:   {theirs:.2f} s  {shell_rows:,} rows  "
                f"{target.stat().st_size / 1e6:.0f} MB (same SELECT)"
            )
            print(
                f"  ratio:           {ratio:.2f}×  "
                f"(target ≤ {CSV_RATIO_TARGET:.0f}×: {verdict(ratio <= CSV_RATIO_TARGET)})"
            )
            summary.append(
                ("CSV export ÷ sqlite3 shell", f"{ratio:.2f}× ≤ {CSV_RATIO_TARGET:.0f}×",
                 ratio <= CSV_RATIO_TARGET)
            )
            # The shell quotes more than it must (any field with a space, for one), so the files
            # differ byte for byte; what must match is the rows they hold.
            with result.files[0].open(encoding="utf-8-sig", newline="") as ours_file, target.open(
                encoding="utf-8", newline=""
            ) as shell_file:
                mine = csv.reader(ours_file, delimiter=";")
                shells = csv.reader(shell_file, delimiter=";")
                compared = 0
                same = True
                for a, b, _ in zip(mine, shells, range(SAME_ROWS_CHECKED + 1), strict=False):
                    compared += 1
                    if a != b:
                        same = False
                        print(f"  first difference at line {compared}:\n    ours:  {a}\n    shell: {b}")
                        break
            print(f"  same rows as the shell's (parsed, first {compared:,} lines): {same}")

        # -- XLSX peak memory, in a child process so the figure is the export's alone
        if not args.skip_xlsx:
            child = XLSX_CHILD.format(root=str(ROOT), url=url, out=str(work / "xlsx"))
            completed = subprocess.run(
                [sys.executable, "-c", child], capture_output=True, text=True, check=False
            )
            print("\nXLSX EXPORT OF THE TOUCHES")
            if completed.returncode != 0:
                print(f"  the export failed (exit {completed.returncode}):\n{completed.stderr[-3000:]}")
                summary.append(("XLSX export peak memory", "export failed", False))
            else:
                figures = json.loads(completed.stdout.strip().splitlines()[-1])
                peak_mb = figures["peak_kb"] / 1024
                print(
                    f"  time:            {figures['seconds']:.1f} s  {figures['rows']:,} rows  "
                    f"{figures['bytes'] / 1e6:.0f} MB"
                )
                print(
                    f"  peak RSS:        {peak_mb:.0f} MB (process after imports: "
                    f"{figures['base_kb'] / 1024:.0f} MB)  "
                    f"(target < {XLSX_PEAK_TARGET_MB} MB: {verdict(peak_mb < XLSX_PEAK_TARGET_MB)})"
                )
                summary.append(
                    ("XLSX export peak memory", f"{peak_mb:.0f} MB < {XLSX_PEAK_TARGET_MB} MB",
                     peak_mb < XLSX_PEAK_TARGET_MB)
                )

        # -- import of 50,000 rows
        from bot.config import Settings
        from bot.services.imports import Assignment, import_bytes
        from bot.services.playbooks import load_checked_playbook

        playbook = load_checked_playbook(Settings().playbook_dir)
        buffer = io.StringIO()
        writer = csv.writer(buffer, delimiter=";")
        writer.writerow(["Empresa", "CNPJ", "CNAE", "UF", "Funcionários", "Faturamento", "Vendedor"])
        ufs = ("SP", "RJ", "MG", "PR", "SC", "BA")
        run = time.strftime("%Y%m%d%H%M%S")
        for i in range(50_000):
            # Names unique to this run: a kept database already holds the last run's companies.
            writer.writerow(
                [f"Importada {run} {i}", "", "6201-5/01", ufs[i % 6], str(5 + i % 900), f"{1 + i % 40} mi", ""]
            )
        raw = buffer.getvalue().encode("latin-1")
        with read_scope(engine) as session:
            rep_ids = list(session.execute(select(Member.id).where(Member.role == "rep")).scalars())[:4]
        ticks: list[int] = []
        started = time.perf_counter()
        imported = import_bytes(
            engine,
            raw,
            "50k.csv",
            playbook=playbook,
            assignment=Assignment(reps=[str(r) for r in rep_ids]),
            progress=lambda done, _total: ticks.append(done),
        )
        import_s = time.perf_counter() - started
        print("\nIMPORT OF 50,000 ROWS (Latin-1, ';')")
        print(
            f"  {import_s:.1f} s, {imported.imported:,} imported, {len(imported.problems)} problems, "
            f"{len(ticks)} progress updates"
        )
        imported_ok = imported.imported == 50_000 and not imported.problems and len(ticks) > 1
        summary.append(
            ("import of 50,000 rows with progress",
             f"{imported.imported:,} rows, {len(ticks)} progress updates, {import_s:.1f} s", imported_ok)
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
