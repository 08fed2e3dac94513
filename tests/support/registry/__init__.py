"""A small CNPJ dump in the published layout (see LAYOUT.md beside this file), dirt included.

Rows are kept as Python values so tests recount what they expect without asking the store."""

from __future__ import annotations

import zipfile
from dataclasses import dataclass, field
from pathlib import Path

INNER = {
    "Empresas": "K3241.K03200Y{n}.D61108.EMPRECSV",
    "Estabelecimentos": "K3241.K03200Y{n}.D61108.ESTABELE",
    "Socios": "K3241.K03200Y{n}.D61108.SOCIOCSV",
    "Simples": "F.K03200$W.SIMPLES.CSV.D61108",
    "Cnaes": "F.K03200$Z.D61108.CNAECSV",
    "Municipios": "F.K03200$Z.D61108.MUNICCSV",
}


def line(*fields: str) -> str:
    """One published line: every field quoted, ``;`` between them."""
    return ";".join(f'"{f}"' for f in fields) + "\r\n"


def establishment(
    root: str,
    order: str = "0001",
    dv: str = "00",
    *,
    branch: bool = False,
    trade_name: str = "",
    status: str = "02",
    status_since: str = "20200101",
    opened_on: str = "20150310",
    cnae: str = "6201501",
    secondary: str = "",
    street: str = "RUA DAS FLORES",
    uf: str = "SP",
    city: str = "7107",
) -> str:
    return line(
        root,
        order,
        dv,
        "2" if branch else "1",
        trade_name,
        status,
        status_since,
        "00",
        "",
        "",
        opened_on,
        cnae,
        secondary,
        "RUA",
        street,
        "100",
        "",
        "CENTRO",
        "01001000",
        uf,
        city,
        "11",
        "30000000",
        "",
        "",
        "",
        "",
        "contato@example.com",
        "",
        "",
    )


def company(root: str, name: str, *, nature: str = "2062", porte: str = "01", capital: str = "10000,00") -> str:
    return line(root, name, nature, "49", capital, porte, "")


def simples(root: str, opted: str = "S", mei: str = "N") -> str:
    return line(root, opted, "20180101", "0", mei, "0", "0")


def partner(root: str, name: str, qualification: str = "49", since: str = "20150310") -> str:
    return line(root, "2", name, "***123456**", qualification, since, "", "***000000**", "", "00", "5")


@dataclass
class Dump:
    """Lines per published file stem (``Estabelecimentos0``…), written as the RFB zips them."""

    files: dict[str, list[str]] = field(default_factory=dict)

    def add(self, stem: str, *lines: str) -> None:
        self.files.setdefault(stem, []).extend(lines)

    def write(self, folder: Path, only: tuple[str, ...] | None = None) -> Path:
        folder.mkdir(parents=True, exist_ok=True)
        for stem, lines in self.files.items():
            if only is not None and stem not in only:
                continue
            base = stem.rstrip("0123456789")
            inner = INNER[base].format(n=stem[len(base) :] or "0")
            with zipfile.ZipFile(folder / f"{stem}.zip", "w", zipfile.ZIP_DEFLATED) as archive:
                archive.writestr(inner, "".join(lines).encode("latin-1"))
        return folder
