"""How fast ICP scoring runs: 100,000 leads from a CSV, parsed and scored as an import would.

Target (issue 2): under 5 seconds on the 2-core CI machine. Prints the rate; not a test.

    .venv/bin/python bench/score_leads.py [--leads 100000]
"""

from __future__ import annotations

import argparse
import csv
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.domain import cnae, regions
from bot.domain.lead_fields import LeadDraft, read_fields
from bot.domain.scoring import compile_icp, score
from bot.resources import bundled_dir
from bot.services.columns import canonical_field
from bot.services.playbooks import load_checked_playbook

HEADER = ["Empresa", "CNPJ", "CNAE", "UF", "Funcionários", "Faturamento", "Filiais", "Inscrição Estadual", "Score"]


def write_csv(path: Path, count: int, seed: int = 7) -> None:
    rng = random.Random(seed)
    codes = [s.formatted for s in cnae.all_subclasses().values()]
    ufs = list(regions.UFS)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, delimiter=";")
        writer.writerow(HEADER)
        for i in range(count):
            low = rng.choice([1, 5, 10, 50, 100, 250, 500, 1000])
            writer.writerow(
                [
                    f"Empresa {i}",
                    "",
                    rng.choice(codes) if rng.random() > 0.05 else "",
                    rng.choice(ufs),
                    f"{low}-{low * 2}" if rng.random() < 0.3 else str(low + rng.randint(0, low)),
                    rng.choice(["360.000", "4,8 mi", "1-5 mi", "R$ 30.000.000", "250 mil", ""]),
                    str(rng.randint(0, 30)),
                    rng.choice(["ativa", "inativa", "isenta", ""]),
                    str(rng.randint(0, 1000)),
                ]
            )


def run(count: int) -> None:
    playbook = load_checked_playbook(bundled_dir("playbook"))
    rules = compile_icp(playbook.icp)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "leads.csv"
        write_csv(path, count)
        started = time.perf_counter()
        tiers: dict[str, int] = {}
        errors = 0
        with path.open(encoding="utf-8", newline="") as handle:
            reader = csv.reader(handle, delimiter=";")
            fields = [canonical_field(h) for h in next(reader)]
            for row in reader:
                raw = {f: v for f, v in zip(fields, row, strict=False) if f}
                values, problems = read_fields(raw)
                facts = LeadDraft().changed(values).facts
                errors += bool(problems)
                result = score(facts, rules)
                tiers[result.tier] = tiers.get(result.tier, 0) + 1
        elapsed = time.perf_counter() - started
    print(f"scored {count:,} leads from CSV in {elapsed:.2f} s = {count / elapsed:,.0f} leads/s")
    print(f"target: under 5.00 s -> {'OK' if elapsed < 5 else 'TOO SLOW'} ({elapsed / 5:.2f} of the budget)")
    print(f"tiers: {dict(sorted(tiers.items()))}; rows with an invalid fact: {errors:,}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--leads", type=int, default=100_000)
    run(parser.parse_args().leads)
