"""The published layout of the open CNPJ data, and how one line of it is read.

Pure Python (no DuckDB): which zip holds what, how many columns each CSV has, which of them
Cadência keeps, and :func:`split_line`, which reads one Latin-1 line of ``"a";"b";"c"`` and
tells a good row from dirt. Layout: the RFB document "cnpj-metadados" (NOVO LAYOUT DOS DADOS
ABERTOS DO CNPJ).
"""

from __future__ import annotations

import csv
import operator
import re
from dataclasses import dataclass
from enum import StrEnum


class Kind(StrEnum):
    COMPANIES = "empresas"
    ESTABLISHMENTS = "estabelecimentos"
    SIMPLES = "simples"
    PARTNERS = "socios"
    CNAES = "cnaes"
    CITIES = "municipios"


#: zip name as published (case-insensitive) → what it holds.
_ZIP_NAME = re.compile(r"^(empresas|estabelecimentos|socios)\d?\.zip$|^(simples|cnaes|municipios)\.zip$", re.I)

#: Every zip Cadência reads from a month folder, in load order (small tables first).
PUBLISHED_ZIPS = (
    "Cnaes.zip",
    "Municipios.zip",
    *(f"Empresas{i}.zip" for i in range(10)),
    *(f"Estabelecimentos{i}.zip" for i in range(10)),
    "Simples.zip",
    *(f"Socios{i}.zip" for i in range(10)),
)


def kind_of(zip_name: str) -> Kind | None:
    """``Estabelecimentos3.zip`` → :attr:`Kind.ESTABLISHMENTS`; ``None`` for a zip Cadência does not read."""
    match = _ZIP_NAME.match(zip_name)
    if not match:
        return None
    return Kind((match.group(1) or match.group(2)).lower())


@dataclass(frozen=True)
class Table:
    """One published CSV: its column count and the columns kept (position → name)."""

    columns: int
    keep: tuple[tuple[int, str], ...]

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(name for _, name in self.keep)


TABLES: dict[Kind, Table] = {
    Kind.COMPANIES: Table(7, ((0, "root"), (1, "legal_name"), (2, "legal_nature"), (5, "porte"))),
    Kind.ESTABLISHMENTS: Table(
        30,
        (
            (0, "root"),
            (1, "branch_order"),
            (2, "check_digits"),
            (3, "head_or_branch"),
            (4, "trade_name"),
            (5, "status"),
            (6, "status_since"),
            (10, "opened_on"),
            (11, "cnae"),
            (12, "secondary_cnaes"),
            (19, "uf"),
            (20, "city_code"),
        ),
    ),
    Kind.SIMPLES: Table(7, ((0, "root"), (1, "simples"), (4, "mei"))),
    Kind.PARTNERS: Table(11, ((0, "root"), (2, "name"), (4, "qualification"), (5, "since"))),
    Kind.CNAES: Table(2, ((0, "code"), (1, "name"))),
    Kind.CITIES: Table(2, ((0, "code"), (1, "name"))),
}

#: ``qualificacao_do_socio`` codes of partners who run the company (the decision makers):
#: 05 administrador, 08 conselheiro de administração, 10 diretor, 16 presidente,
#: 49 sócio-administrador, 65 titular pessoa física residente no Brasil.
ADMINISTRATIVE = frozenset({"05", "08", "10", "16", "49", "65"})

STATUSES = frozenset({"01", "02", "03", "04", "08"})


class BadRow(ValueError):
    """A line that is not a row of its table (the reason is logged with a sample)."""


def _fields(line: str, columns: int) -> list[str]:
    line = line.rstrip("\r\n")
    if len(line) >= 2 and line[0] == '"' and line[-1] == '"':
        fields = line[1:-1].split('";"')
        if len(fields) == columns:
            return fields
    # Not the plain ``"a";"b"`` shape (an unquoted field, a stray quote): let the csv module try.
    try:
        rows = list(csv.reader([line], delimiter=";", quotechar='"', strict=True))
    except csv.Error as exc:
        raise BadRow(f"aspas fora do lugar ({exc})") from None
    if len(rows) == 1 and len(rows[0]) == columns:
        return rows[0]
    raise BadRow(f"{len(rows[0]) if rows else 0} campos em vez de {columns}")


def _bad_digits(value: str, size: int) -> bool:
    return len(value) != size or not value.isascii() or not value.isdigit()


_PICK = {kind: operator.itemgetter(*(i for i, _ in table.keep)) for kind, table in TABLES.items()}


def split_line(kind: Kind, line: str) -> tuple[str, ...]:
    """The kept fields of one line, checked (``BadRow`` when the line is dirt). Fields are as in the
    file (the load trims them and reads an empty one as unknown, in bulk)."""
    kept: tuple[str, ...] = _PICK[kind](_fields(line, TABLES[kind].columns))
    if kind is Kind.CNAES or kind is Kind.CITIES:
        if not kept[0].strip().isdigit():
            raise BadRow(f"código inválido: {kept[0]!r}")
        return kept
    if _bad_digits(kept[0], 8):
        raise BadRow(f"cnpj_basico inválido: {kept[0]!r}")
    if kind is Kind.ESTABLISHMENTS:
        root, order, dv, head_or_branch, trade, status, since, opened, cnae, secondary, uf, city = kept
        if _bad_digits(order, 4) or _bad_digits(dv, 2):
            raise BadRow(f"cnpj_ordem/cnpj_dv inválido: {order!r}/{dv!r}")
        if head_or_branch not in ("1", "2"):
            raise BadRow(f"identificador matriz/filial inválido: {head_or_branch!r}")
        if status not in STATUSES:
            if status.zfill(2) not in STATUSES:
                raise BadRow(f"situação cadastral inválida: {status!r}")
            status = status.zfill(2)
        if cnae and not cnae.isdigit():
            raise BadRow(f"CNAE inválido: {cnae!r}")
        if uf and (len(uf) != 2 or not uf.isalpha()):
            uf = ""  # a broken UF is not worth the row
        return root, order, dv, head_or_branch, trade, status, since, opened, cnae, secondary, uf, city
    if kind is Kind.COMPANIES:
        root, name, nature, porte = kept
        return root, name, nature, porte.strip().zfill(2)
    if kind is Kind.PARTNERS:
        root, name, qualification, since = kept
        return root, name, qualification.strip().zfill(2), since
    return kept


def sample(line: str, limit: int = 160) -> str:
    """A bad line as logged: cut short, control characters shown."""
    text = line.rstrip("\r\n")
    return repr(text if len(text) <= limit else text[:limit] + "…")
