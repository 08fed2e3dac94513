"""A lead's fields from what a company directory (the CNPJ registry) says about its CNPJ.

The registry's answer is turned into the same field values a rep types or an import reads
(:data:`bot.domain.lead_fields.LEAD_FIELDS`), so the lead goes through the one creation path and
the one set of parsers. What the rep typed always wins: :func:`fill_missing` only adds.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from enum import StrEnum
from typing import TypeVar

from bot.domain import regions
from bot.domain.facts import InvalidFact, LeadFacts
from bot.domain.lead_fields import LEAD_FIELDS, FieldValue, kept_text
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


def values_from(company: RegistryCompany) -> dict[str, FieldValue]:
    """The lead field values the registry knows for ``company``, typed as the lead's fields
    read them (Simples/MEI a bool, the start of activity a date, the status a
    :class:`~bot.domain.registry.FederalStatus`)."""
    found: dict[str, FieldValue | None] = {
        "company": company.legal_name.strip()[:200] or None,
        "trade_name": (company.trade_name or "").strip()[:200] or None,
        "cnpj": company.cnpj,
        "cnae": company.cnae or None,
        "uf": company.uf or None,
        "city": (company.city or "").strip()[:100] or None,
        "branches": max(company.active_branches, 0),
        "federal_status": company.status,
        "porte": company.porte if company.porte is not Porte.UNKNOWN else None,
        "simples": company.simples,
        "mei": company.mei,
        "opened_on": company.opened_on,
        "registry_month": company.month or None,
    }
    values: dict[str, FieldValue] = {}
    for key, value in found.items():
        if isinstance(value, str) and not isinstance(value, StrEnum):
            try:  # the registry's text through the field's own parser, as if typed
                value = LEAD_FIELDS[key].read(value)
            except InvalidFact:
                continue  # a value the lead would refuse (a CNAE of old) stays for the rep to give
        if value is not None:
            values[key] = value
    return values


def answers_from(company: RegistryCompany) -> dict[str, str]:
    """:func:`values_from` in the fields' kept text form (a spreadsheet's cells: "S", "02",
    "2015-03-01"), as an import reads and compares them."""
    return {key: kept_text(value) for key, value in values_from(company).items()}


V = TypeVar("V")


def fill_missing(typed: Mapping[str, V | None], found: Mapping[str, V]) -> tuple[dict[str, V | None], list[str]]:
    """``typed`` with the fields it lacks taken from ``found``; and the names of those filled.

    A field the rep typed (or skipped on purpose with a value) wins; ``None`` in ``typed`` (a
    skipped question) is filled, since the rep did not know it.
    """
    merged: dict[str, V | None] = dict(typed)
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
