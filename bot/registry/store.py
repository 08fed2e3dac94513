"""The loaded registry, read with DuckDB straight from the month's sorted Parquet files.

:class:`ParquetRegistry` implements :class:`bot.domain.registry.RegistryStore`. It follows the
``current`` pointer of ``REGISTRY_DIR`` (re-read when the pointer file changes), so a bot keeps
answering from the month in service while a new one loads and moves to the new one the moment it
is switched in. Point lookups read one row group of a file sorted by CNPJ (min/max statistics
skip the others).
"""

from __future__ import annotations

import bisect
import json
import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.domain.registry import (
    DecisionMaker,
    FederalStatus,
    MarketCell,
    MarketFilter,
    Porte,
    RegistryCompany,
)
from bot.registry.loader import BUILDING_PREFIX, LOOKUP, POINTER, load_running

_COLUMNS = (
    "cnpj, legal_name, trade_name, status, status_since, opened_on, cnae, secondary_cnaes, uf, city, "
    "active_branches, porte, simples, mei, legal_nature"
)
_PAGE = 500


@dataclass(frozen=True)
class Status:
    """What ``cadencia registry status`` says."""

    month: str | None
    loaded_at: str | None
    counts: dict[str, int]
    disk_bytes: int
    parts: list[str]
    loading: bool
    interrupted: list[str]  # months whose load stopped before the end (a rerun resumes them)


class ParquetRegistry:
    def __init__(self, directory: Path) -> None:
        self.directory = Path(directory)
        self._lock = threading.Lock()
        self._con: Any = None
        self._pointer_key: tuple[int, int] | None = None
        self._data: Path | None = None
        self._meta: dict[str, Any] = {}

    # ------------------------------------------------------------ where the month is

    def _current(self) -> Path | None:
        pointer = self.directory / POINTER
        try:
            stat = pointer.stat()
        except FileNotFoundError:
            self._pointer_key, self._data, self._meta = None, None, {}
            return None
        key = (stat.st_ino, stat.st_mtime_ns)
        if key != self._pointer_key:
            data = self.directory / pointer.read_text(encoding="utf-8").strip()
            meta_path = data / "meta.json"
            if not meta_path.exists():
                return self._data
            self._meta = json.loads(meta_path.read_text(encoding="utf-8"))
            self._data, self._pointer_key = data, key
        return self._data

    def _query(self, sql: str, params: Sequence[object] = ()) -> list[tuple[Any, ...]]:
        data = self._current()
        if data is None:
            return []
        if self._con is None:
            import duckdb

            self._con = duckdb.connect()
            self._con.execute("SET parquet_metadata_cache = true")
            self._con.execute("SET threads = 1")
        folder = str(data).replace("'", "''")
        sql = sql.replace("{data}", folder)
        return list(self._con.execute(sql, list(params)).fetchall())

    def close(self) -> None:
        with self._lock:
            if self._con is not None:
                self._con.close()
                self._con = None

    # ------------------------------------------------------------ CompanyDirectory

    def month(self) -> str | None:
        with self._lock:
            return self._meta.get("month") if self._current() is not None else None

    def lookup(self, cnpj: str) -> RegistryCompany | None:
        digits = "".join(ch for ch in cnpj if ch.isdigit())
        if len(digits) != 14:
            return None
        with self._lock:
            if self._current() is None:
                return None
            ranges = self._meta.get("lookup", [])
            at = bisect.bisect_right([first for first, _, _ in ranges], digits) - 1
            if at < 0 or digits > ranges[at][1]:
                return None
            file = str(ranges[at][2]).replace("'", "")
            rows = self._query(
                f"SELECT {_COLUMNS}, people FROM read_parquet('{{data}}/{LOOKUP}/{file}') WHERE cnpj = ?", [digits]
            )
            if not rows:
                return None
            people = tuple(
                DecisionMaker(name=p["name"], qualification=p["qualification"], since=p["since"])
                for p in rows[0][-1] or ()
            )
            return _company(rows[0][:-1], self._meta["month"], people)

    # ------------------------------------------------------------ RegistryStore

    def market(self, what: MarketFilter) -> Sequence[MarketCell]:
        where, params = _where(what)
        with self._lock:
            rows = self._query(
                f"""SELECT uf, substr(cnae, 1, 2) AS division, porte, simples, count(*)
                    FROM read_parquet('{{data}}/companies.parquet') WHERE {where}
                    GROUP BY ALL ORDER BY ALL""",
                params,
            )
        return [
            MarketCell(uf=uf, cnae_division=division, porte=_porte(porte), simples=simples, companies=int(n))
            for uf, division, porte, simples, n in rows
        ]

    def candidates(self, what: MarketFilter, *, after_root: str | None = None) -> Iterator[RegistryCompany]:
        where, params = _where(what)
        last = after_root or ""
        while True:
            with self._lock:
                rows = self._query(
                    f"""SELECT {_COLUMNS}, root FROM read_parquet('{{data}}/companies.parquet')
                        WHERE root > ? AND {where} ORDER BY root LIMIT {_PAGE}""",
                    [last, *params],
                )
                if not rows:
                    return
                people = self._people([row[-1] for row in rows])
                month = self._meta["month"]
            for row in rows:
                yield _company(row[:-1], month, people.get(row[-1], ()))
            last = rows[-1][-1]
            if len(rows) < _PAGE:
                return

    def _people(self, roots: list[str]) -> dict[str, tuple[DecisionMaker, ...]]:
        rows = self._query(
            """SELECT root, name, qualification, since FROM read_parquet('{data}/decision_makers.parquet')
               WHERE root BETWEEN ? AND ? AND list_contains(?, root) ORDER BY root, name""",
            [min(roots), max(roots), roots],
        )
        found: dict[str, list[DecisionMaker]] = {}
        for root, name, qualification, since in rows:
            found.setdefault(root, []).append(DecisionMaker(name=name, qualification=qualification, since=since))
        return {root: tuple(people) for root, people in found.items()}

    # ------------------------------------------------------------ for the operator

    def status(self) -> Status:
        with self._lock:
            data = self._current()
            meta = dict(self._meta) if data is not None else {}
        size = sum(p.stat().st_size for p in data.rglob("*") if p.is_file()) if data is not None else 0
        interrupted = sorted(
            p.name.removeprefix(BUILDING_PREFIX)
            for p in (self.directory.iterdir() if self.directory.is_dir() else [])
            if p.is_dir() and p.name.startswith(BUILDING_PREFIX)
        )
        return Status(
            month=meta.get("month"),
            loaded_at=meta.get("loaded_at"),
            counts=dict(meta.get("counts", {})),
            disk_bytes=size,
            parts=list(meta.get("parts", [])),
            loading=load_running(self.directory),
            interrupted=interrupted,
        )

    def cnae_name(self, code: str | None) -> str | None:
        if not code:
            return None
        with self._lock:
            rows = self._query(
                "SELECT name FROM read_parquet('{data}/cnaes.parquet') WHERE TRY_CAST(code AS INTEGER) = ?",
                [int(code)] if code.isdigit() else [-1],
            )
        return rows[0][0] if rows else None


def _where(what: MarketFilter) -> tuple[str, list[object]]:
    clauses: list[str] = ["true"]
    params: list[object] = []
    if what.active_only:
        clauses.append("status = '02'")
    if what.ufs:
        clauses.append("list_contains(?, uf)")
        params.append([uf.upper() for uf in what.ufs])
    if what.cnae_prefixes:
        prefixes = [p for p in ("".join(ch for ch in p if ch.isdigit()) for p in what.cnae_prefixes) if p]
        clauses.append("(" + " OR ".join("starts_with(cnae, ?)" for _ in prefixes or [""]) + ")")
        params.extend(prefixes or [""])
    return " AND ".join(clauses), params


def _porte(code: str | None) -> Porte:
    try:
        return Porte(code or "00")
    except ValueError:
        return Porte.UNKNOWN


def _company(row: Sequence[Any], month: str, people: tuple[DecisionMaker, ...]) -> RegistryCompany:
    (cnpj, legal_name, trade_name, status, since, opened, cnae, secondary, uf, city, branches, porte) = row[:12]
    simples, mei, nature = row[12:15]
    return RegistryCompany(
        cnpj=cnpj,
        legal_name=legal_name or "",
        trade_name=trade_name,
        status=FederalStatus(status),
        status_since=since,
        opened_on=opened,
        cnae=cnae,
        secondary_cnaes=tuple(c.strip() for c in (secondary or "").split(",") if c.strip()),
        uf=uf,
        city=city,
        active_branches=int(branches or 0),
        porte=_porte(porte),
        simples=simples,
        mei=mei,
        legal_nature=nature,
        month=month,
        decision_makers=people,
    )
