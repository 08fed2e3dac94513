"""How fast a lead import runs next to reading and validating the same file (issue 11).

One realistic CSV (valid CNPJs, CNAE codes of the table, every UF, ranges and amounts written
the ways people write them, contacts with e-mail and phone, notes, a few rows the chat would
refuse and a few duplicates) is measured twice in the same run:

- **parse + validate**: the file read as the import reads it (encoding, cleaning) and every cell
  checked with the parsers of ``/novo`` (``parse_fields``: CNPJ check digits, CNAE, UF, ranges,
  amounts, e-mail, phone…) — the reference;
- **whole import**: ``cadencia import``'s service on a fresh database (migrated, three reps):
  the same reading and checking, then duplicates, assignment, ICP scoring and the one
  transaction that writes the leads and their stage changes.

Target: the whole import at ≥ 25% of the reference's rows/s. Prints figures; not a test.

    .venv/bin/python bench/import_speed.py [--rows 50000] [--runs 2] [--database postgresql://…] [--profile]
"""

from __future__ import annotations

import argparse
import cProfile
import csv
import os
import pstats
import random
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from stdnum.br import cnpj as stdnum_cnpj

from bot.config import Settings
from bot.domain import cnae, regions
from bot.domain.lead_fields import parse_fields
from bot.domain.playbook.model import Playbook
from bot.domain.vocabulary import Role
from bot.resources import bundled_dir
from bot.services import imports, team
from bot.services.columns import canonical_field
from bot.services.import_files import read_sheet
from bot.services.playbooks import load_checked_playbook
from bot.services.runtime import CliRuntime
from bot.storage.db import make_engine, upgrade_database

TARGET = 0.25
T = TypeVar("T")
HEADER = [
    "Razão Social",
    "Nome Fantasia",
    "CNPJ",
    "CNAE",
    "UF",
    "Cidade",
    "Nº Funcionários",
    "Faturamento",
    "Filiais",
    "Inscrição Estadual",
    "Score Serasa",
    "Contato",
    "Cargo",
    "E-mail",
    "Telefone",
    "Site",
    "Campanha",
    "Observações",
]
WORDS = ["Transportes", "Clínica", "Comércio", "Indústria", "Tecnologia", "Logística", "Alimentos", "Serviços"]
NAMES = ["Horizonte", "Açaí", "Ipê", "Bem Viver", "Central", "Aurora", "Paraná", "Nordeste", "Vale", "Serra"]
PEOPLE = ["Mariana Souza", "Paulo Reis", "João Araújo", "Ana Lima", "Carla Dias", "Bruno Melo", "Zé Pereira"]
ROLES = ["Diretora de Operações", "Sócio", "Gerente de TI", "CFO", "Coordenador de Compras"]
AREA_CODES = [11, 19, 21, 27, 31, 41, 47, 48, 51, 61, 62, 71, 81, 85, 91, 92]
CITIES = ["São Paulo", "Curitiba", "Recife", "Belo Horizonte", "Porto Alegre", "Campinas", "Manaus"]


def valid_cnpj(rng: random.Random) -> str:
    base = f"{rng.randrange(10**8):08d}0001"
    return stdnum_cnpj.format(base + stdnum_cnpj.calc_check_digits(base))


def write_csv(path: Path, count: int, seed: int = 11) -> None:
    """``count`` data rows: ~1% refused by the chat's parsers, ~1% duplicates of earlier rows."""
    rng = random.Random(seed)
    codes = [s.formatted for s in cnae.all_subclasses().values()]
    ufs = list(regions.UFS)
    rows: list[list[str]] = []
    for i in range(count):
        if rows and rng.random() < 0.01:
            rows.append(list(rng.choice(rows)))  # the same company twice in one list
            continue
        low = rng.choice([1, 5, 10, 50, 100, 250, 500, 1000])
        person = rng.choice(PEOPLE)
        user = person.split()[0].lower().replace("ã", "a").replace("é", "e")
        company = f"{rng.choice(WORDS)} {rng.choice(NAMES)} {i} Ltda"
        domain = f"empresa{i}.com.br"
        email = f"{user}@{domain}" if rng.random() > 0.01 else f"{user}@semdominio"
        rows.append(
            [
                company,
                company.split()[1] if rng.random() < 0.6 else "",
                valid_cnpj(rng) if rng.random() < 0.9 else "",
                rng.choice(codes) if rng.random() > 0.05 else "",
                rng.choice(ufs) if rng.random() > 0.2 else regions.UFS[rng.choice(ufs)].name,
                rng.choice(CITIES),
                f"{low}-{low * 2}" if rng.random() < 0.3 else str(low + rng.randint(0, low)),
                rng.choice(["360.000", "4,8 mi", "1-5 mi", "R$ 30.000.000", "250 mil", ""]),
                str(rng.randint(0, 30)),
                rng.choice(["ativa", "inativa", "isenta", ""]),
                str(rng.randint(0, 1000)),
                person,
                rng.choice(ROLES),
                email,
                f"({rng.choice(AREA_CODES)}) 9{rng.randint(1000, 9999)}-{rng.randint(1000, 9999)}",
                f"www.{domain}" if rng.random() < 0.5 else "",
                rng.choice(["Logística Sul", "Saúde SP", "Varejo MG", ""]),
                rng.choice(["", "", "Indicação de cliente", "Ligar depois das 14h", "Viu o webinar de março"]),
            ]
        )
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, delimiter=";")
        writer.writerow(HEADER)
        writer.writerows(rows)


def parse_and_validate(path: Path) -> tuple[int, int]:
    """The reference: read the file as the import does and check every row with ``/novo``'s
    parsers. Returns (rows, rows refused)."""
    refused = 0
    rows = 0
    with path.open("rb") as handle:
        sheet = read_sheet(handle, path.name)
        fields = [canonical_field(h) for h in sheet.headers]
        for _, cells in sheet.rows:
            rows += 1
            values = {f: " ".join(c.split()) for f, c in zip(fields, cells, strict=False) if f and c.strip()}
            _, errors = parse_fields(values)
            refused += bool(errors)
    return rows, refused


def prepared(url: str) -> CliRuntime:
    """A migrated database with three reps, as a team has before its first import."""
    engine = make_engine(url)
    upgrade_database(engine)
    runtime = CliRuntime(settings=Settings(_env_file=None, database_url=url), engine=engine)  # type: ignore[call-arg]
    for telegram_id, name in ((101, "Ana Lima"), (102, "Bruno Melo"), (103, "Carla Dias")):
        team.add_member(runtime, telegram_id=telegram_id, name=name, role=Role.REP)
    return runtime


def whole_import(runtime: CliRuntime, path: Path, playbook: Playbook, profile: bool) -> imports.ImportResult:
    profiler = cProfile.Profile() if profile else None
    try:
        if profiler:
            profiler.enable()
        return imports.import_file(runtime, path, playbook=playbook, assignment=imports.Assignment(whole_team=True))
    finally:
        if profiler:
            profiler.disable()
            pstats.Stats(profiler).sort_stats("cumulative").print_stats(30)


def fresh_postgres(server: str) -> str:
    """A throw-away database on the PostgreSQL server of ``server`` (see :func:`drop_postgres`)."""
    name = f"cadencia_bench_{random.randrange(10**9)}"
    _admin(server, f'CREATE DATABASE "{name}"')
    return server.rsplit("/", 1)[0] + "/" + name


def drop_postgres(server: str, url: str) -> None:
    _admin(server, f'DROP DATABASE IF EXISTS "{url.rsplit("/", 1)[1]}"')


def _admin(server: str, sql: str) -> None:
    engine = make_engine(server).execution_options(isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.exec_driver_sql(sql)
    engine.dispose()


def timed(work: Callable[[], T]) -> tuple[T, float, float]:
    """(what ``work`` returned, wall-clock seconds, CPU seconds of this process)."""
    wall, cpu = time.perf_counter(), time.process_time()
    value = work()
    return value, time.perf_counter() - wall, time.process_time() - cpu


def one_import(folder: Path, run: int, path: Path, server: str | None, profile: bool) -> tuple[Any, float, float, str]:
    """One whole import into a fresh database: (result, wall seconds, CPU seconds, backend)."""
    url = fresh_postgres(server) if server else f"sqlite:///{folder}/bench{run}.db"
    runtime = prepared(url)
    playbook = load_checked_playbook(bundled_dir("playbook"))
    try:
        result, wall, cpu = timed(lambda: whole_import(runtime, path, playbook, profile))
    finally:
        runtime.close()
        if server:
            drop_postgres(server, url)
    return result, wall, cpu, url.split(":")[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--rows", type=int, default=50_000)
    parser.add_argument("--runs", type=int, default=2, help="runs of each side; the best counts (default: 2)")
    parser.add_argument("--database", help="a PostgreSQL server URL (a fresh database is made on it); default SQLite")
    parser.add_argument("--profile", action="store_true", help="print cProfile's top 30 of the whole import")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        path = folder / "leads.csv"
        write_csv(path, args.rows)
        size = path.stat().st_size / 1e6
        references = [timed(lambda: parse_and_validate(path)) for _ in range(args.runs)]
        imports_run = [one_import(folder, run, path, args.database, args.profile) for run in range(args.runs)]
    (rows, refused), _, _ = references[0]
    reference, reference_cpu = min(r[1] for r in references), min(r[2] for r in references)
    result, _, _, backend = imports_run[0]
    elapsed, elapsed_cpu = min(r[1] for r in imports_run), min(r[2] for r in imports_run)
    ratio = reference / elapsed
    print(f"file: {rows:,} rows, {size:.1f} MB; {refused:,} refused by /novo's parsers; best of {args.runs} runs")
    print(
        f"parse + validate: {reference:6.2f} s = {rows / reference:7,.0f} rows/s "
        f"(CPU {reference_cpu:5.2f} s)  reference"
    )
    print(
        f"whole import:     {elapsed:6.2f} s = {result.total / elapsed:7,.0f} rows/s "
        f"(CPU {elapsed_cpu:5.2f} s)  on {backend}: {result.imported:,} imported, "
        f"{len(result.duplicates):,} duplicates, {len(result.rejected):,} rejected"
    )
    verdict = "OK" if ratio >= TARGET else "TOO SLOW"
    print(
        f"ratio: {ratio:.1%} of the reference's speed (1/{1 / ratio:.1f}; "
        f"by CPU time {reference_cpu / elapsed_cpu:.1%}); target >= {TARGET:.0%} -> {verdict}"
    )
    print(f"machine load (1 min): {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs (wall times grow with it)")


if __name__ == "__main__":
    main()
