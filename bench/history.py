"""A long history of realistic sales activity, bulk-inserted: the data of the benches.

The rows come from the generator of the report tests (``tests/services/activity.py``:
campaigns, reps, A/B variants, stage changes that sometimes skip a stage, losses with reasons,
meetings held / no-show / rescheduled / booked outside a touch), spread over ``days`` days, and
each lead gets the facts a real list has: a valid CNPJ, a CNAE, a city, headcount and revenue
ranges, a contact with a phone and an e-mail. On SQLite the rows go in with ``sqlite3``'s
``executemany`` into the migrated schema with its indexes dropped, and the indexes are built
afterwards (one sort each): 5M touches take minutes, not an hour. Other databases get the
same rows through SQLAlchemy.
"""

from __future__ import annotations

import sqlite3
import sys
import unicodedata
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import Engine, insert  # noqa: E402

from bot.storage import rollups  # noqa: E402
from bot.storage.db import make_engine, upgrade_database  # noqa: E402
from bot.storage.models import Member  # noqa: E402
from tests.services.activity import TABLES, _members, simulate  # noqa: E402
from tests.services.import_scenario import cnpj  # noqa: E402

TOUCHES_PER_LEAD = 4.1  # what the generator yields on average
CHUNK = 50_000
ORDER = ("lead", "touch", "meeting", "stage")  # rows that others point to go first

CNAES = ("6201501", "6204000", "4930202", "4711302", "2229399", "8630503", "4644301", "1091101")
CITIES = (
    ("SP", "São Paulo"),
    ("SP", "Campinas"),
    ("RJ", "Rio de Janeiro"),
    ("MG", "Belo Horizonte"),
    ("PR", "Curitiba"),
    ("SC", "Joinville"),
    ("RS", "Porto Alegre"),
    ("BA", "Salvador"),
    ("PE", "Recife"),
    ("CE", "Fortaleza"),
)
HEADCOUNTS = ((1, 9), (10, 49), (50, 99), (100, 499), (500, 999), (1000, None))
FIRST = ("Ana", "Bruno", "Cláudia", "Diogo", "Érica", "Fábio", "Gisele", "Hélio", "Íris", "Joana")
LAST = ("Souza", "Oliveira", "Pereira", "Lima", "Carvalho", "Ribeiro", "Almeida", "Araújo")
ROLES = ("Diretora de Operações", "Gerente de TI", "CFO", "Sócio", "Coordenador de Logística")


def _ascii(name: str) -> str:
    return unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()


def lead_facts(lead_id: int) -> dict[str, Any]:
    """Varied, valid facts of one lead (deterministic from its id)."""
    uf, city = CITIES[lead_id * 7 % len(CITIES)]
    low, high = HEADCOUNTS[lead_id * 13 % len(HEADCOUNTS)]
    revenue = (lead_id * 7919 % 400 + 1) * 250_000
    first, last = FIRST[lead_id % len(FIRST)], LAST[lead_id * 3 % len(LAST)]
    return {
        "cnpj": cnpj(f"{lead_id:08d}0001").replace(".", "").replace("/", "").replace("-", ""),
        "cnae": CNAES[lead_id * 5 % len(CNAES)],
        "uf": uf,
        "city": city,
        "headcount_low": low,
        "headcount_high": high,
        "revenue_low": revenue,
        "revenue_high": revenue * 2,
        "branches": lead_id % 4 + 1,
        "contact_name": f"{first} {last}",
        "contact_role": ROLES[lead_id % len(ROLES)],
        "contact_phone": f"+55 11 9{lead_id % 10_000:04d}-{lead_id * 37 % 10_000:04d}",
        "contact_email": f"{_ascii(first)}.{_ascii(last)}@empresa{lead_id}.com.br",
        "website": f"https://empresa{lead_id}.com.br",
        "notes": "Usa planilhas; renovação do ERP em março." if lead_id % 9 == 0 else None,
    }


def _defaults(kind: str) -> dict[str, Any]:
    """The model's own defaults of the columns the generator leaves out (``city``: "")."""
    found: dict[str, Any] = {}
    for column in TABLES[kind].__table__.columns:  # type: ignore[attr-defined]
        default = column.default
        if default is None or column.primary_key:
            continue
        found[column.name] = default.arg(None) if default.is_callable else default.arg
    return found


def chunks(leads: int, reps: int, days: int) -> Iterator[dict[str, tuple[list[str], list[dict[str, Any]]]]]:
    """(columns, rows) per kind of row, about :data:`CHUNK` rows at a time, every lead whole."""
    defaults = {kind: _defaults(kind) for kind in TABLES}
    buffers: dict[str, list[dict[str, Any]]] = {kind: [] for kind in TABLES}

    def ready() -> dict[str, tuple[list[str], list[dict[str, Any]]]]:
        out: dict[str, tuple[list[str], list[dict[str, Any]]]] = {}
        for kind in ORDER:
            rows = buffers[kind]
            if not rows:
                continue
            if kind == "meeting":  # rescheduled_to points forward: insert the targets first
                rows.sort(key=lambda r: r.get("rescheduled_to") is not None)
            rows = [{**defaults[kind], **row} for row in rows]
            out[kind] = (sorted(set().union(*rows)), rows)
        return out

    pending = 0
    for kind, row in simulate(leads, n_reps=reps, days=days):
        if kind == "lead":
            row.update(lead_facts(row["id"]))
        buffers[kind].append(row)
        pending += 1
        if pending >= CHUNK and kind == "lead":
            yield ready()
            buffers = {kind: [] for kind in TABLES}
            pending = 0
    yield ready()


def _sqlite_value(value: Any) -> Any:
    if isinstance(value, datetime):  # as UTCDateTime stores it on SQLite
        return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
    return value


def populate_sqlite(path: Path, *, touches: int, reps: int = 50, days: int = 730) -> None:
    """A new SQLite file at ``path`` with about ``touches`` touches of realistic activity."""
    engine = make_engine(f"sqlite:///{path}")
    upgrade_database(engine)
    with engine.begin() as connection:
        connection.execute(insert(Member), _members(reps))
    engine.dispose()
    db = sqlite3.connect(path)
    db.execute("PRAGMA synchronous = OFF")
    db.execute("PRAGMA cache_size = -1000000")
    db.execute("PRAGMA foreign_keys = OFF")
    indexes = [sql for (sql,) in db.execute("SELECT sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL")]
    # The roll-ups' triggers would seek a dropped index per row: off during the load, then the
    # roll-ups are counted once (as the migration does) and the triggers come back.
    with engine.begin() as connection:
        rollups.drop_triggers(connection)
    for (name,) in list(db.execute("SELECT name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL")):
        db.execute(f'DROP INDEX "{name}"')
    for batch in chunks(int(touches / TOUCHES_PER_LEAD), reps, days):
        with db:
            for kind, (columns, rows) in batch.items():
                table = TABLES[kind].__tablename__  # type: ignore[attr-defined]
                marks = ", ".join("?" * len(columns))
                sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})"
                db.executemany(sql, ([_sqlite_value(r.get(c)) for c in columns] for r in rows))
    with db:
        for sql in indexes:
            db.execute(sql)
    db.close()
    with engine.begin() as connection:
        rollups.rebuild_and_keep(connection)
        connection.exec_driver_sql("PRAGMA optimize")
    engine.dispose()


def populate_other(engine: Engine, *, touches: int, reps: int = 50, days: int = 730) -> None:
    """The same rows into an empty database of another kind (PostgreSQL), then ``ANALYZE``. The
    roll-ups' triggers are off during the load; the roll-ups are counted once afterwards."""
    upgrade_database(engine)
    with engine.begin() as connection:
        with rollups.paused(connection):
            connection.execute(insert(Member), _members(reps))
            for batch in chunks(int(touches / TOUCHES_PER_LEAD), reps, days):
                for kind, (columns, rows) in batch.items():
                    connection.execute(insert(TABLES[kind]), [{c: r.get(c) for c in columns} for r in rows])
        connection.exec_driver_sql("ANALYZE")
