"""Enrichment: a lead's company facts from the CNPJ, through the runtime's company directory.

Nothing here knows whether the directory is the loaded registry or an online service; without
one, every function answers *nothing found* and the lead is created from what was typed, exactly
as before. A directory that fails is logged and treated the same way: enrichment is a help, never
a reason to refuse a lead.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass

from bot.domain.enrichment import fill_missing, values_from
from bot.domain.lead_fields import FieldValue
from bot.domain.registry import CompanyDirectory, RegistryCompany
from bot.services.runtime import Runtime

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Found:
    company: RegistryCompany
    values: dict[str, FieldValue]
    """The lead field values the directory gives, typed (see :func:`bot.domain.enrichment.values_from`)."""


def available(runtime: Runtime) -> bool:
    """A directory that can answer now (a registry with a month loaded, or the online lookup)."""
    return runtime.directory is not None and runtime.directory.month() is not None


def find(runtime: Runtime, cnpj: str) -> Found | None:
    """What the directory knows of ``cnpj`` (compact), ``None`` when nothing (or no directory)."""
    return lookup(runtime.directory, cnpj)


def lookup(directory: CompanyDirectory | None, cnpj: str) -> Found | None:
    """:func:`find` in a given directory (an import holds its own)."""
    if directory is None:
        return None
    try:
        company = directory.lookup(cnpj)
    except Exception:  # a broken directory must not break /novo or an import
        log.warning("company directory failed on %s…", cnpj[:8], exc_info=True)
        return None
    if company is None:
        return None
    values = values_from(company)
    if not getattr(directory, "counts_branches", True):
        values.pop("branches", None)
    return Found(company, values)


def enrich(runtime: Runtime, values: Mapping[str, FieldValue | None]) -> tuple[dict[str, FieldValue | None], list[str]]:
    """``values`` (typed, with a ``cnpj``) completed from the directory: the fields it lacked
    and the directory knows are filled; what was typed wins. Returns the values and the names
    of the fields filled (empty when nothing was found)."""
    cnpj = values.get("cnpj")
    found = find(runtime, cnpj) if isinstance(cnpj, str) and cnpj else None
    if found is None:
        return dict(values), []
    return fill_missing(values, found.values)
