"""Build lead lists from the loaded CNPJ registry: companies of a filter that are active, fit
the ICP (the tiers asked), and are not already in the pipeline by CNPJ root, scored with the
playbook in force and created as leads through the import (the same parsers, de-duplication,
assignment and scoring as a spreadsheet: one transaction for the whole list).

A dry run only counts and shows a sample. Partners' personal data (decision makers) is copied
into the leads as contacts only when asked (``with_contacts``), and that bulk use is audited;
otherwise the rep is offered them on the lead's 👥 Contatos.
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from dataclasses import dataclass, field
from datetime import date

from bot.domain.enrichment import REGISTRY_FIELDS, answers_from, facts_of_company
from bot.domain.registry import MarketFilter, RegistryCompany
from bot.domain.scoring import IcpResult, score
from bot.domain.vocabulary import Tier
from bot.services import contacts, imports
from bot.services.market import registry_of
from bot.services.runtime import Runtime
from bot.storage.prospects import lead_stages_by_root

COLUMNS = ("cnpj", *REGISTRY_FIELDS, "campaign")
SAMPLE = 10
MAX_LIMIT = 20_000


@dataclass
class Prospect:
    what: MarketFilter
    tiers: tuple[Tier, ...]
    limit: int
    examined: int = 0
    already_leads: int = 0
    knocked_out: int = 0
    other_tier: int = 0
    picked: list[tuple[RegistryCompany, IcpResult]] = field(default_factory=list)
    imported: imports.ImportResult | None = None
    contacts: tuple[int, int] = (0, 0)
    """Decision makers added as contacts, and the leads they went to (``with_contacts``)."""

    @property
    def by_tier(self) -> Counter[Tier]:
        return Counter(result.tier for _, result in self.picked)


def pick(runtime: Runtime, what: MarketFilter, *, tiers: tuple[Tier, ...], limit: int, today: date) -> Prospect:
    """The first ``limit`` companies (in CNPJ order) of ``what`` that fit: active, not knocked
    out, of one of ``tiers``, and whose CNPJ root is not a lead yet."""
    registry = registry_of(runtime)
    with runtime.reading() as session:
        known = lead_stages_by_root(session)
    found = Prospect(what, tiers, limit)
    taken: set[str] = set()
    for company in registry.candidates(MarketFilter(what.ufs, what.cnae_prefixes, active_only=True)):
        if len(found.picked) >= limit:
            break
        found.examined += 1
        if not company.active:
            continue
        if company.root in known or company.root in taken:
            found.already_leads += 1
            continue
        result = score(facts_of_company(company, today), runtime.icp)
        if result.knocked_out:
            found.knocked_out += 1
            continue
        if result.tier not in tiers:
            found.other_tier += 1
            continue
        taken.add(company.root)
        found.picked.append((company, result))
    return found


def _sheet(picked: list[tuple[RegistryCompany, IcpResult]], campaign: str) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    writer.writerow(COLUMNS)
    for company, _ in picked:
        values = {**answers_from(company), "campaign": campaign}
        writer.writerow([values.get(column, "") for column in COLUMNS])
    return out.getvalue().encode("utf-8")


def prospect(
    runtime: Runtime,
    what: MarketFilter,
    *,
    tiers: tuple[Tier, ...] = (Tier.A,),
    limit: int = 500,
    campaign: str = "",
    reps: str | None = None,
    member_id: int | None = None,
    dry_run: bool = False,
    with_contacts: bool = False,
    via: str = "cli",
) -> Prospect:
    """Pick the companies (see :func:`pick`) and, unless ``dry_run``, create them as leads:
    ``reps`` ("ana,bruno") in turn, or the whole team's active reps in turn when ``None``.

    ``with_contacts``: the registry's decision makers become contacts of the new leads, and
    this bulk use of personal data is audited (:func:`bot.services.contacts.add_registry_contacts`)."""
    if not 1 <= limit <= MAX_LIMIT:
        raise ValueError(f"limit must be 1–{MAX_LIMIT}")
    found = pick(runtime, what, tiers=tiers, limit=limit, today=runtime.now().date())
    if dry_run or not found.picked:
        return found
    started = runtime.now()
    found.imported = imports.import_bytes(
        runtime,
        _sheet(found.picked, campaign[:100]),
        "prospect.csv",
        playbook=runtime.playbook,
        assignment=imports.Assignment.parse(reps=reps, whole_team=True),
        campaign=campaign[:100] or None,
        member_id=member_id,
    )
    if with_contacts:
        purpose = f"prospecção: {campaign[:100] or 'sem campanha'}"
        found.contacts = contacts.add_registry_contacts(
            runtime, [c for c, _ in found.picked], created_from=started, member_id=member_id, via=via, purpose=purpose
        )
    return found
