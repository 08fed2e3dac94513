"""A lead's fields from what a company directory (the CNPJ registry) says about its CNPJ.

The registry's answer is turned into the same field values a rep types or an import reads
(:data:`bot.domain.lead_fields.LEAD_FIELDS`), so the lead goes through the one creation path and
the one set of parsers. What the rep typed always wins: :func:`fill_missing` only adds.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from bot.domain import regions
from bot.domain.facts import LeadFacts
from bot.domain.registry import Porte, RegistryCompany

#: The lead fields a registry answer can fill, in the order the chat lists them.
REGISTRY_FIELDS = (
    "company",
    "trade_name",
    "cnae",
    "uf",
    "city",
    "branches",
    "federal_status",
    "porte",
    "simples",
    "mei",
    "opened_on",
    "registry_month",
)


def _yes_no(value: bool | None) -> str | None:
    return None if value is None else ("S" if value else "N")


def answers_from(company: RegistryCompany) -> dict[str, str]:
    """The lead field values (in the form a lead keeps them) the registry knows for ``company``."""
    found: dict[str, str | None] = {
        "company": company.legal_name.strip()[:200] or None,
        "trade_name": (company.trade_name or "").strip()[:200] or None,
        "cnpj": company.cnpj,
        "cnae": company.cnae,
        "uf": company.uf,
        "city": (company.city or "").strip()[:100] or None,
        "branches": str(max(company.active_branches, 0)),
        "federal_status": company.status.value,
        "porte": company.porte.value if company.porte is not Porte.UNKNOWN else None,
        "simples": _yes_no(company.simples),
        "mei": _yes_no(company.mei),
        "opened_on": company.opened_on.isoformat() if company.opened_on else None,
        "registry_month": company.month or None,
    }
    return {key: value for key, value in found.items() if value}


def fill_missing(typed: Mapping[str, str | None], found: Mapping[str, str]) -> tuple[dict[str, str | None], list[str]]:
    """``typed`` with the fields it lacks taken from ``found``; and the names of those filled.

    A field the rep typed (or skipped on purpose with a value) wins; ``None`` in ``typed`` (a
    skipped question) is filled, since the rep did not know it.
    """
    merged: dict[str, str | None] = dict(typed)
    filled: list[str] = []
    for key, value in found.items():
        if merged.get(key) in (None, ""):
            merged[key] = value
            filled.append(key)
    return merged, filled


def facts_of_company(company: RegistryCompany, today: date) -> LeadFacts:
    """The ICP facts of a registry company, as a lead made from it would have them."""
    return LeadFacts(
        cnae=company.cnae if company.cnae and len(company.cnae) == 7 else None,
        uf=company.uf if company.uf in regions.UFS else None,
        branches=max(company.active_branches, 0),
        cnpj=company.cnpj,
        federal_status=company.status,
        porte=company.porte if company.porte is not Porte.UNKNOWN else None,
        simples=company.simples,
        mei=company.mei,
        opened_on=company.opened_on,
    ).aged(today)
