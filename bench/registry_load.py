"""Loading the open CNPJ registry, against DuckDB's own bulk CSV read of the same files.

    python bench/registry_load.py [--establishments 1000000] [--work DIR] [--keep]

Generates a synthetic month in the published layout (``bench/registry_gen.py``; reused when the
work folder already has one of that size), then runs, each in its own process so peak memory is
its own:

* ``cadencia registry load`` (``bot.registry.loader.load``): zips streamed, parsed, dirt skipped,
  Parquet parts, then the month's sorted tables — rows/s and peak RSS;
* the reference: DuckDB's ``read_csv`` (Latin-1, ``;``, quoted, ``ignore_errors``) of the same CSVs,
  extracted beforehand (DuckDB cannot read inside a zip; the extraction is not timed), writing the
  same kept columns to Parquet, under the same memory limit.

Then, on the loaded month: CNPJ lookup p50/p99 (2,000 lookups, one in ten unknown), market count
time (all of Brazil, and one UF × CNAE division), the first 500 prospect candidates, the disk used,
and the projection to the full registry (~65 million establishments, linear in the rows).
Targets: peak RSS < 1.5 GB, lookup p99 < 10 ms, market < 2 s on 10M, full load < 1 h, disk < 8 GB.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.registry_gen import MONTH, generate  # noqa: E402
from bot.domain.registry import MarketFilter  # noqa: E402

FULL = 65_000_000
MB = 1024 * 1024

OURS = """
import json, sys, time
from pathlib import Path
from bot.registry.loader import load
started = time.perf_counter()
result = load(sys.argv[1], Path(sys.argv[2]))
rows = sum(p.lines for p in result.parts)
print(json.dumps({"seconds": time.perf_counter() - started, "rows": rows, "parse_seconds": result.parse_seconds,
                  "bad": sum(p.bad for p in result.parts)}))
"""

REFERENCE = """
import json, sys, time
from pathlib import Path
import duckdb
from bot.registry import layout
from bot.registry.loader import MEMORY_LIMIT
csvs, out = Path(sys.argv[1]), Path(sys.argv[2])
con = duckdb.connect()
con.execute(f"SET memory_limit='{MEMORY_LIMIT}'")
con.execute("SET preserve_insertion_order=false")
started = time.perf_counter()
rows = 0
for folder in sorted(csvs.iterdir()):
    kind = layout.kind_of(folder.name + ".zip")
    table = layout.TABLES[kind]
    cols = ", ".join(f"c{i} AS {name}" for i, name in table.keep)
    names = {f"c{i}": "VARCHAR" for i in range(table.columns)}
    source = (f"read_csv('{folder}/*', delim=';', quote='\\"', escape='\\"', header=false, "
              f"encoding='latin-1', ignore_errors=true, auto_detect=false, strict_mode=false, columns={names!r})")
    target = f"'{out}/{folder.name}.parquet'"
    con.execute(f"COPY (SELECT {cols} FROM {source}) TO {target} (FORMAT parquet, COMPRESSION zstd)")
    rows += con.execute(f"SELECT count(*) FROM '{out}/{folder.name}.parquet'").fetchone()[0]
print(json.dumps({"seconds": time.perf_counter() - started, "rows": rows}))
"""


def run_measured(code: str, *args: str) -> tuple[dict[str, float], float]:
    """Run ``code`` in a child Python; its JSON output (plus its CPU seconds) and its own peak RSS in MB."""
    with tempfile.TemporaryFile("w+") as errors:
        child = subprocess.Popen(
            [sys.executable, "-c", code, *args], cwd=ROOT, stdout=subprocess.PIPE, stderr=errors, text=True
        )
        assert child.stdout is not None
        output = child.stdout.read()
        _, status, usage = os.wait4(child.pid, 0)  # not child.wait(): wait4 gives this child's own peak RSS
        child.returncode = os.waitstatus_to_exitcode(status)
        if status != 0:
            errors.seek(0)
            raise SystemExit(f"child failed ({status}): {output}{errors.read()[-3000:]}")
    figures = json.loads(output.strip().splitlines()[-1])
    figures["cpu"] = usage.ru_utime + usage.ru_stime
    return figures, usage.ru_maxrss / 1024


def extract(month: Path, target: Path) -> None:
    for archive_path in sorted(month.glob("*.zip")):
        folder = target / archive_path.stem.lower()
        folder.mkdir(parents=True, exist_ok=True)
        with zipfile.ZipFile(archive_path) as archive:
            archive.extractall(folder)


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(p * len(ordered)))]


def timed(call, runs: int = 5) -> float:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        call()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--establishments", type=int, default=1_000_000)
    parser.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "cadencia-registry-bench")
    parser.add_argument("--keep", action="store_true", help="keep the loaded month and the extracted CSVs")
    args = parser.parse_args()
    n = args.establishments
    work = args.work / str(n)
    month = work / "dump" / MONTH
    if not (month / "Estabelecimentos9.zip").exists():
        started = time.perf_counter()
        generate(work / "dump", n)
        print(f"generated {n:,} establishments in {time.perf_counter() - started:,.0f} s")
    zipped = sum(p.stat().st_size for p in month.glob("*.zip"))
    unzipped = sum(i.file_size for p in month.glob("*.zip") for i in zipfile.ZipFile(p).infolist())
    print(f"dump: {month} — {zipped / MB:,.0f} MB zipped, {unzipped / MB:,.0f} MB of CSV")

    registry = work / "registry"
    shutil.rmtree(registry, ignore_errors=True)
    ours, ours_rss = run_measured(OURS, str(month), str(registry))

    csvs, ref_out = work / "csv", work / "reference"
    shutil.rmtree(ref_out, ignore_errors=True)
    ref_out.mkdir(parents=True)
    if not csvs.exists():
        extract(month, csvs)
    ref, ref_rss = run_measured(REFERENCE, str(csvs), str(ref_out))

    rate, ref_rate = ours["rows"] / ours["seconds"], ref["rows"] / ref["seconds"]
    parse_rate = ours["rows"] / ours["parse_seconds"]
    print(
        f"load (cadencia registry load): {ours['rows']:,.0f} rows in {ours['seconds']:,.1f} s = {rate:,.0f} rows/s "
        f"(reading the zips {ours['parse_seconds']:,.1f} s = {parse_rate:,.0f} rows/s, then the sorted tables); "
        f"{ours['bad']:,.0f} bad rows skipped; CPU {ours['cpu']:,.1f} s; peak RSS {ours_rss:,.0f} MB"
    )
    print(
        f"reference (DuckDB read_csv of the extracted CSVs): {ref['rows']:,.0f} rows in {ref['seconds']:,.1f} s = "
        f"{ref_rate:,.0f} rows/s; CPU {ref['cpu']:,.1f} s; peak RSS {ref_rss:,.0f} MB"
    )
    print(
        f"ratio ours/reference: time ×{ours['seconds'] / ref['seconds']:.2f} (reading only "
        f"×{ours['parse_seconds'] / ref['seconds']:.2f}), CPU ×{ours['cpu'] / ref['cpu']:.2f}, "
        f"peak RSS ×{ours_rss / ref_rss:.2f}"
    )

    from bot.registry.store import ParquetRegistry

    store = ParquetRegistry(registry)
    data = registry / (registry / "current").read_text().strip()
    disk = sum(p.stat().st_size for p in data.rglob("*") if p.is_file())
    import duckdb

    sample = f"SELECT cnpj FROM '{data}/lookup/*.parquet' USING SAMPLE 1800"
    cnpjs = [r[0] for r in duckdb.sql(sample).fetchall()]
    cnpjs += [f"{random.randrange(10**14):014d}" for _ in range(200)]
    random.Random(1).shuffle(cnpjs)
    store.lookup(cnpjs[0])
    latencies, cpu = [], []
    for cnpj in cnpjs:
        started, used = time.perf_counter(), time.process_time()
        store.lookup(cnpj)
        latencies.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - used) * 1000)
    everything = timed(lambda: store.market(MarketFilter()))
    narrow = timed(lambda: store.market(MarketFilter(ufs=("SP",), cnae_prefixes=("62",))))
    walk = timed(
        lambda: [c for _, c in zip(range(500), store.candidates(MarketFilter(cnae_prefixes=("62",))), strict=False)], 3
    )
    print(
        f"lookup: p50 {percentile(latencies, 0.5):.2f} ms, p99 {percentile(latencies, 0.99):.2f} ms (target < 10 ms); "
        f"CPU per lookup p50 {percentile(cpu, 0.5):.2f} ms, p99 {percentile(cpu, 0.99):.2f} ms"
    )
    print(
        f"market: all of Brazil {everything * 1000:,.0f} ms, SP × CNAE 62 {narrow * 1000:,.0f} ms "
        f"(target < 2 s on 10M establishments)"
    )
    print(f"prospect candidates: first 500 of CNAE 62 in {walk * 1000:,.0f} ms")
    print(f"disk: {disk / MB:,.0f} MB for the month ({disk / n:,.1f} bytes per establishment)")
    scale = FULL / n
    print(
        f"projection to the full registry ({FULL:,} establishments, linear): load {ours['seconds'] * scale / 60:,.0f} "
        f"min wall ({ours['cpu'] * scale / 60:,.0f} min of CPU), target < 60; "
        f"disk {disk * scale / 1024**3:,.1f} GB (target < 8); peak RSS measured "
        f"{ours_rss:,.0f} MB (target < 1,536; bounded by DuckDB's memory_limit, not by the rows)"
    )
    if not args.keep:
        shutil.rmtree(ref_out, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
