"""``cadencia registry load``: the published zips → a month of Parquet files, resumable and atomic.

A load streams each zip's CSV (Latin-1, never unzipped to disk), keeps only the columns Cadência
uses, skips dirt (counted, a sample logged) and writes the rows of each part as Parquet batches in
``REGISTRY_DIR/.building-YYYY-MM/parts/``. A part is recorded in ``progress.json`` only when it is
complete, so a rerun after a kill skips the parts done and redoes the one cut short. When every
part is in, the month's tables are built (sorted, compressed) in a new folder beside the month in
service, and the ``current`` pointer is replaced in one ``os.replace``: readers answer from the old
month until that instant. DuckDB is imported here only, when a load runs.

Long because it is one resumable, atomic procedure (stream, record progress, build, switch) whose
steps share the progress file and the lock; split, the crash-safety argument would be scattered.
"""

from __future__ import annotations

import contextlib
import fcntl
import io
import itertools
import json
import logging
import os
import re
import shutil
import time
import urllib.error
import urllib.request
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, TextIO

from bot.registry import layout
from bot.registry.layout import Kind

log = logging.getLogger(__name__)

POINTER = "current"
LOCK = ".load.lock"
BUILDING_PREFIX = ".building-"
BATCH_ROWS = 100_000
LOOKUP = "lookup"  # folder of the lookup table: every fact of an establishment in one row, in CNPJ order
LOOKUP_ROW_GROUPS = 16  # row groups of 2,048 rows a file: a lookup reads one small file, one small row group
MEMORY_LIMIT = "768MB"
_MONTH = re.compile(r"(\d{4})-(0[1-9]|1[0-2])$")
_SAMPLES = 5


class LoadFailed(Exception):
    """The load cannot go on (the message says why, for the operator)."""


@dataclass
class PartResult:
    name: str
    rows: int = 0  # rows kept
    bad: int = 0  # lines skipped as dirt
    lines: int = 0  # lines read
    samples: list[str] = field(default_factory=list)


@dataclass
class LoadResult:
    month: str
    directory: Path
    parts: list[PartResult]
    skipped_parts: list[str]
    counts: dict[str, int]
    seconds: float
    parse_seconds: float  # reading the zips (the rest builds the month's sorted tables)


def month_of(source: str, month: str | None) -> str:
    """The month being loaded: ``--month`` or the source folder's name (``…/2026-11/``)."""
    candidate = month or source.rstrip("/").rsplit("/", 1)[-1]
    if not _MONTH.match(candidate):
        raise LoadFailed(
            f"não sei de que mês são os arquivos ({candidate!r}): use uma pasta chamada AAAA-MM ou --month AAAA-MM"
        )
    return candidate


# ---------------------------------------------------------------- sources


class Source:
    """Where the zips come from: a local folder, or an http(s) month folder downloaded part by part."""

    def __init__(self, where: str, scratch: Path) -> None:
        self.where = where
        self.remote = where.startswith(("http://", "https://"))
        self.scratch = scratch

    def parts(self) -> list[str]:
        if not self.remote:
            folder = Path(self.where)
            if not folder.is_dir():
                raise LoadFailed(f"pasta não encontrada: {folder}")
            found = {p.name: p for p in folder.iterdir() if layout.kind_of(p.name)}
            order = {name.lower(): i for i, name in enumerate(layout.PUBLISHED_ZIPS)}
            return sorted(found, key=lambda n: (order.get(n.lower(), len(order)), n))
        return [name for name in layout.PUBLISHED_ZIPS if self._remote_exists(name)]

    def _url(self, name: str) -> str:
        return self.where.rstrip("/") + "/" + name

    def _remote_exists(self, name: str) -> bool:
        request = urllib.request.Request(self._url(name), method="HEAD")
        try:
            with urllib.request.urlopen(request, timeout=30):
                return True
        except urllib.error.HTTPError as exc:
            if exc.code == 404:
                return False
            raise LoadFailed(f"{self._url(name)}: HTTP {exc.code}") from None
        except (urllib.error.URLError, TimeoutError) as exc:
            raise LoadFailed(f"{self._url(name)}: {exc}") from None

    def local_zip(self, name: str) -> Path:
        """The zip on disk: the file itself, or a download (resumed where a previous one stopped)."""
        if not self.remote:
            return Path(self.where) / name
        self.scratch.mkdir(parents=True, exist_ok=True)
        target = self.scratch / name
        partial = target.with_suffix(".part")
        if target.exists():
            return target
        have = partial.stat().st_size if partial.exists() else 0
        request = urllib.request.Request(self._url(name), headers={"Range": f"bytes={have}-"} if have else {})
        try:
            with urllib.request.urlopen(request, timeout=60) as response, partial.open("ab" if have else "wb") as out:
                if have and response.status != 206:  # the server ignored the range: start over
                    out.truncate(0)
                shutil.copyfileobj(response, out, 1 << 20)
        except (urllib.error.URLError, TimeoutError) as exc:
            raise LoadFailed(f"{self._url(name)}: {exc} (rode de novo para continuar o download)") from None
        partial.replace(target)
        return target

    def done_with(self, name: str) -> None:
        if self.remote:
            (self.scratch / name).unlink(missing_ok=True)


# ---------------------------------------------------------------- progress


class Progress:
    """Rows/s, parts done and ETA on a stream (stderr), at most once a second."""

    def __init__(self, stream: TextIO | None, total_bytes: int, parts_total: int, parts_done: int) -> None:
        self.stream = stream
        self.total_bytes = max(total_bytes, 1)
        self.parts_total = parts_total
        self.parts_done = parts_done
        self.bytes = 0
        self.rows = 0
        self.started = time.monotonic()
        self._shown = 0.0

    def advance(self, rows: int, nbytes: int, *, force: bool = False) -> None:
        self.rows += rows
        self.bytes += nbytes
        now = time.monotonic()
        if self.stream is None or (not force and now - self._shown < 1.0):
            return
        self._shown = now
        elapsed = max(now - self.started, 1e-6)
        rate = self.rows / elapsed
        left = (self.total_bytes - self.bytes) / (self.bytes / elapsed) if self.bytes else 0.0
        self.stream.write(
            f"\r{self.rows:,} linhas, {rate:,.0f} linhas/s, partes {self.parts_done}/{self.parts_total}, "
            f"faltam ~{_duration(left)}   "
        )
        self.stream.flush()

    def say(self, text: str) -> None:
        if self.stream is not None:
            self.stream.write(f"\r{text}\n")
            self.stream.flush()


def _duration(seconds: float) -> str:
    seconds = max(int(seconds), 0)
    return (
        f"{seconds // 3600}h{seconds % 3600 // 60:02d}m" if seconds >= 3600 else f"{seconds // 60}m{seconds % 60:02d}s"
    )


# ---------------------------------------------------------------- the load


def _connect(scratch: Path) -> Any:
    import duckdb

    con = duckdb.connect()
    con.execute(f"SET memory_limit='{MEMORY_LIMIT}'")
    con.execute("SET preserve_insertion_order=false")
    con.execute("SET temp_directory=?", [str(scratch / "spill")])
    return con


def _write_json(path: Path, value: object) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(value, indent=1, ensure_ascii=False), encoding="utf-8")
    os.replace(tmp, path)


@contextlib.contextmanager
def load_lock(directory: Path) -> Iterator[None]:
    """One load at a time per ``REGISTRY_DIR`` (released by the OS if the process dies)."""
    directory.mkdir(parents=True, exist_ok=True)
    with (directory / LOCK).open("a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise LoadFailed(f"outra carga já está rodando em {directory}") from None
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def load_running(directory: Path) -> bool:
    lock = directory / LOCK
    if not lock.exists():
        return False
    with lock.open("a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        fcntl.flock(handle, fcntl.LOCK_UN)
        return False


def load(
    source: str,
    directory: Path,
    *,
    month: str | None = None,
    progress_stream: TextIO | None = None,
    on_row: Callable[[], None] | None = None,
) -> LoadResult:
    """Load the zips of ``source`` (folder or URL) as ``month`` into ``directory`` and switch to it.

    ``on_row`` is called for every line read (tests use it to cut a load short)."""
    month = month_of(source, month)
    started = time.monotonic()
    with load_lock(directory):
        build = directory / f"{BUILDING_PREFIX}{month}"
        build.mkdir(parents=True, exist_ok=True)
        state_path = build / "progress.json"
        state: dict[str, Any] = {"month": month, "source": source, "done": {}}
        if state_path.exists():
            state = json.loads(state_path.read_text(encoding="utf-8"))
        state["source"] = source
        origin = Source(source, build / "download")
        names = origin.parts()
        if not names:
            raise LoadFailed(f"nenhum arquivo do CNPJ (Empresas*.zip, Estabelecimentos*.zip…) em {source}")
        todo = [n for n in names if n not in state["done"]]
        skipped = [n for n in names if n in state["done"]]
        total = 0 if origin.remote else sum(_uncompressed_size(Path(source) / n) for n in todo)
        progress = Progress(progress_stream, total, len(names), len(skipped))
        if skipped:
            progress.say(f"retomando {month}: {len(skipped)} parte(s) já carregada(s)")
        con = _connect(build)
        try:
            results = []
            for name in todo:
                result = _load_part(con, origin, name, build / "parts", progress, on_row)
                state["done"][name] = {"rows": result.rows, "bad": result.bad, "samples": result.samples}
                _write_json(state_path, state)
                origin.done_with(name)
                progress.parts_done += 1
                progress.say(
                    f"{name}: {result.rows:,} linhas" + (f", {result.bad:,} ruins ignoradas" if result.bad else "")
                )
                results.append(result)
            parsed = time.monotonic()
            progress.say(f"montando as tabelas de {month}…")
            final = _finalize(con, build, month, source, state)
        finally:
            con.close()
        counts = json.loads((final / "meta.json").read_text(encoding="utf-8"))["counts"]
        target = _switch(directory, final)
        shutil.rmtree(build, ignore_errors=True)
        return LoadResult(month, target, results, skipped, counts, time.monotonic() - started, parsed - started)


def _uncompressed_size(path: Path) -> int:
    try:
        with zipfile.ZipFile(path) as archive:
            return sum(info.file_size for info in archive.infolist())
    except zipfile.BadZipFile:
        raise LoadFailed(f"{path.name} não é um zip válido (baixe de novo)") from None


def _lines(handle: IO[bytes]) -> Iterator[str]:
    yield from io.TextIOWrapper(handle, encoding="latin-1", newline="\n")


def _load_part(
    con: Any,
    origin: Source,
    name: str,
    parts: Path,
    progress: Progress,
    on_row: Callable[[], None] | None,
) -> PartResult:
    kind = layout.kind_of(name)
    assert kind is not None
    out = parts / Path(name).stem.lower()
    shutil.rmtree(out, ignore_errors=True)  # a part cut short is redone from its start
    out.mkdir(parents=True)
    table = layout.TABLES[kind]
    result = PartResult(name)
    rows: list[tuple[str, ...]] = []
    batch = 0
    nbytes = 0
    partners = kind is Kind.PARTNERS
    try:
        archive = zipfile.ZipFile(origin.local_zip(name))
    except zipfile.BadZipFile:
        raise LoadFailed(f"{name} não é um zip válido (baixe de novo)") from None
    with archive:
        for info in archive.infolist():
            if info.is_dir():
                continue
            with archive.open(info) as member:
                number = 0
                for number, line in enumerate(_lines(member), 1):
                    if on_row is not None:
                        on_row()
                    nbytes += len(line)
                    try:
                        row = layout.split_line(kind, line)
                    except layout.BadRow as bad:
                        result.bad += 1
                        if len(result.samples) < _SAMPLES:
                            result.samples.append(f"{info.filename}:{number}: {bad}: {layout.sample(line)}")
                            log.warning("%s linha %s ignorada: %s: %s", name, number, bad, layout.sample(line))
                        continue
                    if partners and row[2] not in layout.ADMINISTRATIVE:
                        continue  # only decision makers are kept
                    rows.append(row)
                    if len(rows) >= BATCH_ROWS:
                        _write_batch(con, table, rows, out / f"{batch:05d}.parquet")
                        result.rows += len(rows)
                        batch += 1
                        progress.advance(len(rows), nbytes)
                        nbytes = 0
                        rows = []
                result.lines += number
    if rows or batch == 0:
        _write_batch(con, table, rows, out / f"{batch:05d}.parquet")
        result.rows += len(rows)
    progress.advance(len(rows), nbytes, force=True)
    if result.bad:
        log.warning("%s: %s linha(s) ruim(ns) ignorada(s) de %s", name, result.bad, result.rows + result.bad)
    return result


def _write_batch(con: Any, table: layout.Table, rows: list[tuple[str, ...]], path: Path) -> None:
    import numpy as np

    columns = list(zip(*rows, strict=True)) if rows else [() for _ in table.names]
    arrays = {name: np.array(values, dtype=object) for name, values in zip(table.names, columns, strict=True)}
    casts = ", ".join(f"NULLIF(trim(CAST({name} AS VARCHAR)), '') AS {name}" for name in table.names)
    con.register("batch", arrays)
    try:
        con.execute(f"COPY (SELECT {casts} FROM batch) TO '{_sql_path(path)}' (FORMAT parquet, COMPRESSION zstd)")
    finally:
        con.unregister("batch")


def _sql_path(path: Path) -> str:
    return str(path).replace("'", "''")


def _date(column: str) -> str:
    return f"TRY_CAST(try_strptime(NULLIF(NULLIF({column}, '0'), '00000000'), '%Y%m%d') AS DATE)"


def _finalize(con: Any, build: Path, month: str, source: str, state: dict[str, Any]) -> Path:
    """Build the month's tables in ``build/final`` from the parts (idempotent: redone after a kill)."""
    final = build / "final"
    shutil.rmtree(final, ignore_errors=True)
    final.mkdir()
    parts = build / "parts"
    present = {layout.kind_of(name) for name in state["done"]}

    def source_of(kind: Kind, names: str) -> str:
        if kind not in present:
            empty = ", ".join(f"NULL::VARCHAR AS {n}" for n in layout.TABLES[kind].names)
            return f"(SELECT {empty} WHERE false)"
        return f"read_parquet('{_sql_path(parts)}/{names}/*.parquet')"

    est = source_of(Kind.ESTABLISHMENTS, "estabelecimentos*")
    emp = source_of(Kind.COMPANIES, "empresas*")
    sim = source_of(Kind.SIMPLES, "simples")
    soc = source_of(Kind.PARTNERS, "socios*")
    cities = source_of(Kind.CITIES, "municipios")
    cnaes = source_of(Kind.CNAES, "cnaes")
    simples_known = "true" if Kind.SIMPLES in present else "false"
    out = _sql_path(final)
    parquet = "(FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE 16384)"
    con.execute(
        f"""COPY (
            SELECT e.root || e.branch_order || e.check_digits AS cnpj, e.root, e.head_or_branch = '1' AS head_office,
                   e.trade_name, e.status, {_date("e.status_since")} AS status_since,
                   {_date("e.opened_on")} AS opened_on, e.cnae, e.secondary_cnaes, e.uf, c.name AS city
            FROM {est} e
            LEFT JOIN (SELECT DISTINCT ON (code) TRY_CAST(code AS INTEGER) AS code, name FROM {cities}) c
                   ON c.code = TRY_CAST(e.city_code AS INTEGER)
            ORDER BY cnpj
        ) TO '{out}/establishments.parquet' {parquet}"""
    )
    con.execute(
        f"""COPY (
            WITH heads AS (
                SELECT root,
                       arg_min(cnpj, CASE WHEN head_office THEN '0' ELSE '1' END || cnpj) AS cnpj,
                       count(*) FILTER (WHERE NOT head_office AND status = '02') AS active_branches
                FROM read_parquet('{out}/establishments.parquet') GROUP BY root
            ),
            firms AS (SELECT DISTINCT ON (root) root, legal_name, legal_nature, porte FROM {emp}),
            simples AS (SELECT DISTINCT ON (root) root, simples, mei FROM {sim})
            SELECT h.root, e.cnpj, coalesce(f.legal_name, e.trade_name, '') AS legal_name, e.trade_name, e.status,
                   e.status_since, e.opened_on, e.cnae, e.secondary_cnaes, e.uf, e.city, h.active_branches,
                   CASE WHEN f.porte IN ('01', '03', '05') THEN f.porte ELSE '00' END AS porte, f.legal_nature,
                   CASE WHEN s.simples = 'S' THEN true WHEN s.simples = 'N' THEN false
                        WHEN s.root IS NULL AND {simples_known} THEN false END AS simples,
                   CASE WHEN s.mei = 'S' THEN true WHEN s.mei = 'N' THEN false
                        WHEN s.root IS NULL AND {simples_known} THEN false END AS mei
            FROM heads h
            JOIN read_parquet('{out}/establishments.parquet') e ON e.cnpj = h.cnpj
            LEFT JOIN firms f ON f.root = h.root
            LEFT JOIN simples s ON s.root = h.root
            ORDER BY h.root
        ) TO '{out}/companies.parquet' {parquet}"""
    )
    con.execute(
        f"""COPY (
            SELECT DISTINCT root, name, qualification, {_date("since")} AS since FROM {soc}
            WHERE name IS NOT NULL ORDER BY root, name
        ) TO '{out}/decision_makers.parquet' {parquet}"""
    )
    con.execute(
        f"""COPY (SELECT DISTINCT ON (code) code, name FROM {cnaes} ORDER BY code)
            TO '{out}/cnaes.parquet' (FORMAT parquet)"""
    )
    counts = {
        "establishments": _count(con, f"'{out}/establishments.parquet'"),
        "companies": _count(con, f"'{out}/companies.parquet'"),
        "active_companies": _count(con, f"'{out}/companies.parquet'", "status = '02'"),
        "decision_makers": _count(con, f"'{out}/decision_makers.parquet'"),
        "bad_rows": sum(part["bad"] for part in state["done"].values()),
    }
    # Lookups: one row per establishment with its company's facts and decision makers, sorted by CNPJ
    # and cut into small files whose CNPJ ranges go in meta.json, so a lookup opens one file (a query
    # over one big file pays for the statistics of every row group).
    con.execute("SET preserve_insertion_order=true")
    con.execute(
        f"""COPY (
            SELECT e.cnpj, c.legal_name, e.trade_name, e.status, e.status_since, e.opened_on, e.cnae,
                   e.secondary_cnaes, e.uf, e.city, c.active_branches, c.porte, c.simples, c.mei, c.legal_nature,
                   d.people
            FROM read_parquet('{out}/establishments.parquet') e
            JOIN read_parquet('{out}/companies.parquet') c ON c.root = e.root
            LEFT JOIN (
                SELECT root, list({{'name': name, 'qualification': qualification, 'since': since}} ORDER BY name)
                       AS people
                FROM read_parquet('{out}/decision_makers.parquet') GROUP BY root
            ) d ON d.root = e.root
            ORDER BY e.cnpj
        ) TO '{out}/{LOOKUP}' (FORMAT parquet, COMPRESSION snappy, ROW_GROUP_SIZE 2048,
                               ROW_GROUPS_PER_FILE {LOOKUP_ROW_GROUPS})"""
    )
    con.execute("SET preserve_insertion_order=false")
    ranges = [
        [first, last, Path(file).name]
        for first, last, file in con.execute(
            f"""SELECT min(cnpj), max(cnpj), filename FROM read_parquet('{out}/{LOOKUP}/*.parquet', filename=true)
                GROUP BY filename ORDER BY 1"""
        ).fetchall()
    ]
    if any(a[1] >= b[0] for a, b in itertools.pairwise(ranges)):
        raise LoadFailed("os arquivos de consulta saíram fora de ordem; rode a carga de novo")
    (final / "establishments.parquet").unlink()  # the lookup files hold it all
    meta = {
        "lookup": ranges,
        "month": month,
        "source": source,
        "loaded_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "parts": sorted(state["done"]),
        "counts": counts,
        "bad_samples": [s for part in state["done"].values() for s in part["samples"]][:20],
    }
    _write_json(final / "meta.json", meta)
    return final


def _count(con: Any, table: str, where: str = "true") -> int:
    return int(con.execute(f"SELECT count(*) FROM read_parquet({table}) WHERE {where}").fetchone()[0])


def _switch(directory: Path, final: Path) -> Path:
    """Move the built month beside the one in service and point ``current`` at it in one step; keep
    the month it replaces (a reader may still be answering from it), remove older ones."""
    month = json.loads((final / "meta.json").read_text(encoding="utf-8"))["month"]
    name = f"{month}.{time.strftime('%Y%m%d%H%M%S', time.gmtime())}.{os.getpid()}"
    target = directory / name
    os.replace(final, target)
    pointer = directory / POINTER
    previous = pointer.read_text(encoding="utf-8").strip() if pointer.exists() else None
    tmp = directory / f".{POINTER}.tmp"
    tmp.write_text(name + "\n", encoding="utf-8")
    os.replace(tmp, pointer)
    for old in directory.iterdir():
        if old.is_dir() and old.name not in {name, previous} and _MONTH.match(old.name.split(".", 1)[0]):
            shutil.rmtree(old, ignore_errors=True)
    return target
