"""A lead's typed facts and ICP result as the columns of its row: written once here for the lead
a rep creates or corrects (:func:`bot.services.leads.apply_facts`) and the rows an import inserts
in bulk. :func:`bot.services.views.facts_of` reads the facts back."""

from __future__ import annotations

from typing import Any

from bot.domain.facts import LeadFacts
from bot.domain.scoring import IcpResult


def fact_columns(facts: LeadFacts) -> dict[str, Any]:
    """``leads`` columns → value for these facts (a range in its low and high columns, an enum as its value)."""
    return {
        "cnae": facts.cnae,
        "uf": facts.uf,
        "headcount_low": facts.headcount.low if facts.headcount else None,
        "headcount_high": facts.headcount.high if facts.headcount else None,
        "revenue_low": facts.revenue.low if facts.revenue else None,
        "revenue_high": facts.revenue.high if facts.revenue else None,
        "branches": facts.branches,
        "registration": facts.registration.value if facts.registration else None,
        "financial_score": facts.financial_score,
        "cnpj": facts.cnpj,
        "federal_status": facts.federal_status.value if facts.federal_status else None,
        "porte": facts.porte.value if facts.porte else None,
        "simples": facts.simples,
        "mei": facts.mei,
        "opened_on": facts.opened_on,
    }


def score_columns(result: IcpResult, fingerprint: str) -> dict[str, Any]:
    """``leads`` columns → value for an ICP result of the playbook with ``fingerprint``."""
    return {
        "icp_score": result.score,
        "icp_potential": result.potential,
        "icp_tier": result.tier.value,
        "sales_model": result.sales_model.value,
        "knocked_out": result.knocked_out,
        "scored_with": fingerprint,
    }
