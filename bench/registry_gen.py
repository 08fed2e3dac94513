"""A synthetic month of the open CNPJ registry, in the exact published layout.

    python bench/registry_gen.py OUT_DIR [--establishments 1000000] [--seed 1]

Writes ``OUT_DIR/2026-11/`` with ``Empresas0..9.zip``, ``Estabelecimentos0..9.zip``,
``Socios0..9.zip``, ``Simples.zip``, ``Cnaes.zip`` and ``Municipios.zip``: one headerless CSV in
each, Latin-1, ``;``-separated, every field quoted, decimal comma, ``YYYYMMDD`` dates with ``0``
for none. Distributions follow the real files roughly: ~1.17 establishments per company, about
half of the establishments closed (``08``), three in four companies micro, a few with hundreds of
branches, ~75% of the companies in the Simples file, ~0.4 partners per company; and dirt (~1 row
in 10,000: lines cut short, stray quotes, bad codes) plus ``;`` inside addresses and codes missing
from the reference tables.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
import zipfile
from pathlib import Path

PARTS = 10
MONTH = "2026-11"
UFS = (
    ("SP",) * 30
    + ("MG",) * 11
    + ("RJ",) * 9
    + ("PR",) * 7
    + ("RS",) * 7
    + ("SC",) * 5
    + ("BA",) * 5
    + (
        "GO",
        "PE",
        "CE",
        "ES",
        "DF",
        "MT",
        "PA",
        "MS",
        "AM",
        "MA",
        "PB",
        "RN",
        "AL",
        "PI",
        "SE",
        "RO",
        "TO",
        "AC",
        "AP",
        "RR",
    )
)
CNAES = (
    "4781400",
    "5611201",
    "4712100",
    "9602501",
    "4744099",
    "8219999",
    "7319002",
    "4399103",
    "6201501",
    "6202300",
    "6204000",
    "6209100",
    "6311900",
    "6319400",
    "4930202",
    "8599604",
    "4711302",
    "7020400",
    "4120400",
    "8630504",
    "4729699",
    "4520001",
    "5620104",
    "8211300",
    "9430800",
    "4321500",
    "1412601",
    "4530703",
    "7112000",
    "6920601",
)
STATUS = ("02",) * 45 + ("08",) * 45 + ("04",) * 7 + ("03",) + ("01",) * 2
PORTE = ("01",) * 75 + ("03",) * 6 + ("05",) * 10 + ("00",) * 9
QUALIFICATIONS = ("49",) * 5 + ("22",) * 3 + ("05", "65", "10", "16")
STREETS = ("DAS FLORES", "SAO JOAO", "XV DE NOVEMBRO", "BRASIL", "GETULIO VARGAS", "SANTOS DUMONT", "DA PAZ")
NAMES = ("MARIA", "JOSE", "ANA", "JOÃO", "ANTÔNIO", "FRANCISCO", "LUCIANA", "PAULO", "CONCEIÇÃO", "CARLOS")
SURNAMES = ("SILVA", "SANTOS", "OLIVEIRA", "SOUZA", "PEREIRA", "LIMA", "GONÇALVES", "ARAÚJO", "RIBEIRO", "ALVES")
CITIES = 5600


def q(*fields: str) -> str:
    return '"' + '";"'.join(fields) + '"\n'


def _date(rng: random.Random, start: int = 1970) -> str:
    return f"{rng.randint(start, 2025)}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}"


def _branches(rng: random.Random) -> int:
    roll = rng.random()
    if roll < 0.97:
        return 0
    if roll < 0.995:
        return rng.randint(1, 3)
    if roll < 0.9999:
        return rng.randint(4, 30)
    return rng.randint(100, 600)


def _dirt(rng: random.Random, line: str) -> str:
    kind = rng.randrange(3)
    if kind == 0:
        return line[: len(line) // 3] + "\n"  # cut short
    if kind == 1:
        return line.replace('";"', '";""', 1)  # a stray quote
    return '"ABC' + line[4:]  # a root that is not a number


class Writer:
    """One published CSV inside its zip, written as lines arrive."""

    def __init__(self, folder: Path, zip_name: str, inner: str) -> None:
        self.archive = zipfile.ZipFile(folder / zip_name, "w", zipfile.ZIP_DEFLATED, compresslevel=1)
        self.handle = self.archive.open(inner, "w", force_zip64=True)
        self.buffer: list[str] = []

    def write(self, line: str) -> None:
        self.buffer.append(line)
        if len(self.buffer) >= 20_000:
            self.flush()

    def flush(self) -> None:
        self.handle.write("".join(self.buffer).encode("latin-1"))
        self.buffer.clear()

    def close(self) -> None:
        self.flush()
        self.handle.close()
        self.archive.close()


def generate(out: Path, establishments: int, seed: int = 1, dirt: float = 1e-4) -> Path:
    rng = random.Random(seed)
    folder = out / MONTH
    folder.mkdir(parents=True, exist_ok=True)
    stamp = "D61108"
    emp = [Writer(folder, f"Empresas{i}.zip", f"K3241.K03200Y{i}.{stamp}.EMPRECSV") for i in range(PARTS)]
    est = [Writer(folder, f"Estabelecimentos{i}.zip", f"K3241.K03200Y{i}.{stamp}.ESTABELE") for i in range(PARTS)]
    soc = [Writer(folder, f"Socios{i}.zip", f"K3241.K03200Y{i}.{stamp}.SOCIOCSV") for i in range(PARTS)]
    simples = Writer(folder, "Simples.zip", f"F.K03200$W.SIMPLES.CSV.{stamp}")
    written = 0
    i = 0
    expected_companies = max(int(establishments / 1.17), 1)  # the mean of _branches + 1
    while written < establishments:
        root = f"{(i * 7919 + 10_007) % 100_000_000:08d}"
        part = min(i * PARTS // expected_companies, PARTS - 1)
        i += 1
        porte = rng.choice(PORTE)
        capital = f"{rng.choice((1000, 5000, 10000, 50000, 100000, 1000000))},00"
        name = f"{rng.choice(SURNAMES)} & {rng.choice(SURNAMES)} COMÉRCIO {root} LTDA"
        emp[part].write(q(root, name, rng.choice(("2062", "2135", "2305", "1031", "3999")), "49", capital, porte, ""))
        status = rng.choice(STATUS)
        opened = _date(rng)
        for order in range(1, 2 + min(_branches(rng), establishments - written - 1)):
            uf = rng.choice(UFS)
            street = rng.choice(STREETS) + ("; FUNDOS" if rng.random() < 0.01 else "")
            line = q(
                root,
                f"{order:04d}",
                f"{rng.randrange(100):02d}",
                "1" if order == 1 else "2",
                rng.choice(("", "", f"LOJA {root[-4:]}", "CAFÉ & CIA")),
                status if order == 1 else rng.choice(STATUS),
                _date(rng, 2000) if status != "02" else "20050101",
                rng.choice(("00", "01", "21")),
                "",
                "",
                opened,
                rng.choice(CNAES),
                ",".join(rng.sample(CNAES, rng.choice((0, 0, 1, 3)))),
                "RUA",
                street,
                str(rng.randint(1, 5000)),
                "",
                "CENTRO",
                f"{rng.randint(1000000, 99999999):08d}",
                uf,
                str(rng.randint(1, CITIES + 50)).zfill(4),
                "11",
                f"{rng.randint(20000000, 99999999)}",
                "",
                "",
                "",
                "",
                f"contato{root}@example.com.br",
                "",
                "",
            )
            if rng.random() < dirt:
                line = _dirt(rng, line)
            est[part].write(line)
            written += 1
        if rng.random() < 0.75:
            opted = rng.random() < 0.55
            mei = opted and porte == "01" and rng.random() < 0.6
            simples.write(
                q(
                    root,
                    "S" if opted else "N",
                    _date(rng, 2007) if opted else "0",
                    "0",
                    "S" if mei else "N",
                    _date(rng, 2009) if mei else "0",
                    "0",
                )
            )
        partners = 0 if rng.random() < 0.72 else rng.choice((1, 1, 2, 3))
        for _ in range(partners):
            soc[part].write(
                q(
                    root,
                    "2",
                    f"{rng.choice(NAMES)} {rng.choice(SURNAMES)}",
                    "***123456**",
                    rng.choice(QUALIFICATIONS),
                    opened,
                    "",
                    "***000000**",
                    "",
                    "00",
                    str(rng.randint(1, 9)),
                )
            )
    for writer in (*emp, *est, *soc, simples):
        writer.close()
    with zipfile.ZipFile(folder / "Cnaes.zip", "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            f"F.K03200$Z.{stamp}.CNAECSV", "".join(q(c, f"Atividade {c}") for c in CNAES).encode("latin-1")
        )
    with zipfile.ZipFile(folder / "Municipios.zip", "w", zipfile.ZIP_DEFLATED) as archive:
        rows = "".join(q(f"{c:04d}", f"MUNICÍPIO {c}") for c in range(1, CITIES + 1))
        archive.writestr(f"F.K03200$Z.{stamp}.MUNICCSV", rows.encode("latin-1"))
    return folder


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--establishments", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    started = time.perf_counter()
    folder = generate(args.out, args.establishments, args.seed)
    size = sum(p.stat().st_size for p in folder.iterdir())
    print(
        f"{args.establishments:,} establishments in {folder} ({size / 1e6:,.0f} MB zipped) in "
        f"{time.perf_counter() - started:,.0f} s",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
