"""Market size from the loaded CNPJ registry: how many active companies fit the ICP, by tier,
UF, region and CNAE division, and how many of them the pipeline already has, worked or won.

Every candidate company of the filter is scored with the playbook in force, exactly as a lead
with the registry's facts would be (so "tier A" here is tier A on the lead's card).
"""

from __future__ import annotations

import io
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from bot.domain import cnae, regions
from bot.domain.enrichment import facts_of_company
from bot.domain.registry import MarketFilter, RegistryStore
from bot.domain.scoring import score
from bot.domain.vocabulary import Tier
from bot.i18n import gettext_for
from bot.render.reports import integer
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
    tiers_by_uf: Counter[tuple[str, Tier]] = field(default_factory=Counter)
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
        size.tiers_by_uf[(uf or "?", result.tier)] += 1
        size.by_region[str(regions.UFS[uf].region) if uf else "?"] += 1
        size.by_division[(company.cnae or "")[:2] or "?"] += 1
        known = pipeline.get(company.root)
        if known is not None:
            size.leads += 1
            size.worked += known[1]
            size.won += known[0] == "won"
    return size


# ------------------------------------------------------------------------------ what a manager reads


def _top(counts: Counter[str], limit: int, name: Callable[[str], str], language: str) -> str:
    return " · ".join(f"{name(key)} {integer(n, language)}" for key, n in counts.most_common(limit)) or "—"


def _division(code: str) -> str:
    try:
        return f"{code} {cnae.division_name(code)}"[:48]
    except cnae.InvalidCnae:
        return code


def market_text(size: MarketSize, language: str = "pt", *, limit: int = 10) -> str:
    """The market size as plain text lines (the chat escapes it; the CLI prints it)."""
    _ = gettext_for(language)
    month = f"{size.month[5:7]}/{size.month[:4]}" if len(size.month) == 7 else size.month
    scope = []
    if size.what.ufs:
        scope.append(_("UF %(ufs)s") % {"ufs": ", ".join(size.what.ufs)})
    if size.what.cnae_prefixes:
        scope.append(_("CNAE %(cnaes)s") % {"cnaes": ", ".join(size.what.cnae_prefixes)})
    lines = [
        _("Mercado no registro da Receita (%(month)s): %(scope)s")
        % {"month": month, "scope": "; ".join(scope) or _("Brasil inteiro, todas as atividades")},
        _("Empresas ativas: %(n)s") % {"n": integer(size.companies, language)},
        _("Cabem no ICP (tiers A–C): %(fit)s — A %(a)s · B %(b)s · C %(c)s; tier D %(d)s (%(ko)s eliminadas)")
        % {
            "fit": integer(size.fitting, language),
            "a": integer(size.by_tier[Tier.A], language),
            "b": integer(size.by_tier[Tier.B], language),
            "c": integer(size.by_tier[Tier.C], language),
            "d": integer(size.by_tier[Tier.D], language),
            "ko": integer(size.knocked_out, language),
        },
        _("Das que cabem: já são leads %(leads)s · trabalhadas %(worked)s · ganhas %(won)s")
        % {
            "leads": integer(size.leads, language),
            "worked": integer(size.worked, language),
            "won": integer(size.won, language),
        },
        _("Por região: %(list)s") % {"list": _top(size.by_region, limit, str, language)},
        _("Por UF: %(list)s") % {"list": _top(size.by_uf, limit, str, language)},
        _("Por divisão CNAE: %(list)s") % {"list": _top(size.by_division, limit, _division, language)},
    ]
    return "\n".join(lines)


def market_chart(size: MarketSize, language: str = "pt", *, top: int = 12) -> bytes:
    """Fitting companies by UF, stacked by tier (A, B, C): where the market is."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    _ = gettext_for(language)
    ufs = [uf for uf, _n in size.by_uf.most_common(top)][::-1] or ["—"]
    tiers = size.tiers_by_uf
    figure, axes = plt.subplots(figsize=(7, 4))
    left = [0] * len(ufs)
    for tier, color in ((Tier.A, "#1b5e20"), (Tier.B, "#43a047"), (Tier.C, "#a5d6a7")):
        values = [tiers.get((uf, tier), 0) for uf in ufs]
        axes.barh(ufs, values, left=left, color=color, label=f"{_('tier')} {tier.value}")
        left = [a + b for a, b in zip(left, values, strict=True)]
    axes.set_title(_("Empresas que cabem no ICP, por UF"))
    axes.legend(loc="lower right", fontsize=8)
    axes.spines[["top", "right"]].set_visible(False)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=110, bbox_inches="tight")
    plt.close(figure)
    return buffer.getvalue()
