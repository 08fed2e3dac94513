"""Market size from the loaded CNPJ registry: how many active companies fit the ICP, by tier,
UF, region and CNAE division, and how many of them the pipeline already has, worked or won.

Every candidate company of the filter is scored with the playbook in force, exactly as a lead
with the registry's facts would be (so "tier A" here is tier A on the lead's card).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date

from bot.domain import regions
from bot.domain.enrichment import facts_of_company
from bot.domain.registry import MarketFilter, RegistryStore
from bot.domain.scoring import score
from bot.domain.vocabulary import Tier
from bot.services.runtime import Runtime
from bot.storage.prospects import lead_stages_by_root

FITTING_TIERS = (Tier.A, Tier.B, Tier.C)


class NoRegistry(Exception):
    """No registry is loaded: market size and prospecting need one."""


@dataclass
class MarketSize:
    month: str
    what: MarketFilter
    companies: int = 0
    """Companies of the filter (active ones unless the filter says otherwise)."""
    knocked_out: int = 0
    by_tier: Counter[Tier] = field(default_factory=Counter)
    """Every company of the filter by tier (knock-outs are tier D)."""
    by_uf: Counter[str] = field(default_factory=Counter)
    """Companies that fit (tiers A–C) by UF; ``"?"`` when the registry has none."""
    by_region: Counter[str] = field(default_factory=Counter)
    by_division: Counter[str] = field(default_factory=Counter)
    leads: int = 0
    """Fitting companies already in the pipeline (any lead with the same CNPJ root)."""
    worked: int = 0
    won: int = 0

    @property
    def fitting(self) -> int:
        return sum(self.by_tier[t] for t in FITTING_TIERS)


def registry_of(runtime: Runtime) -> RegistryStore:
    registry = runtime.registry
    if registry is None or registry.month() is None:
        raise NoRegistry
    return registry


def market_size(runtime: Runtime, what: MarketFilter, *, today: date | None = None) -> MarketSize:
    """Count the market of ``what`` against the ICP in force (NoRegistry without a registry)."""
    registry = registry_of(runtime)
    today = today or runtime.now().date()
    icp = runtime.icp
    with runtime.reading() as session:
        pipeline = lead_stages_by_root(session)
    size = MarketSize(month=registry.month() or "", what=what)
    for company in registry.candidates(what):
        size.companies += 1
        result = score(facts_of_company(company, today), icp)
        size.by_tier[result.tier] += 1
        if result.knocked_out:
            size.knocked_out += 1
        if result.tier not in FITTING_TIERS:
            continue
        uf = company.uf if company.uf in regions.UFS else None
        size.by_uf[uf or "?"] += 1
        size.by_region[str(regions.UFS[uf].region) if uf else "?"] += 1
        size.by_division[(company.cnae or "")[:2] or "?"] += 1
        known = pipeline.get(company.root)
        if known is not None:
            size.leads += 1
            size.worked += known[1]
            size.won += known[0] == "won"
    return size
