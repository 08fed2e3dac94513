"""Lists from the registry: fitting, active companies not yet leads, created through the import
and assigned as asked; never a lead twice, knock-outs left out, the limit kept."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from bot.config import Settings
from bot.domain.lead_fields import LeadDraft
from bot.domain.playbook.model import Playbook
from bot.domain.registry import FederalStatus, MarketFilter
from bot.domain.vocabulary import Tier
from bot.services import leads, prospect
from bot.services.runtime import Runtime
from bot.storage.models import Lead, Member
from tests.support.fake_registry import FakeRegistry, cnpj_for, company

NOW = datetime(2026, 12, 2, 12, tzinfo=UTC)


@pytest.fixture
def runtime(team: Engine, playbook: Playbook) -> Runtime:
    settings = Settings(_env_file=None, database_url="sqlite://", telegram_bot_token="123:TEST")  # type: ignore[call-arg]
    companies = [company(20_000_000 + i, legal_name=f"Transportadora {i}", active_branches=12) for i in range(30)]
    companies += [
        company(30_000_000 + i, legal_name=f"Fechada {i}", status=FederalStatus.CLOSED, active_branches=12)
        for i in range(5)
    ]
    companies.append(company(40_000_000, legal_name="Cabeleireiro", cnae="9602501", active_branches=0))
    companies.append(company(50_000_000, legal_name="Prefeitura", cnae="8411600", active_branches=12))  # a knock-out
    runtime = Runtime(settings=settings, engine=team, playbook=playbook, clock=lambda: NOW)
    runtime.registry = FakeRegistry(companies)
    return runtime


def _leads(engine: Engine) -> list[Lead]:
    with Session(engine) as session:
        return list(session.exec(select(Lead).order_by(col(Lead.id))))


def test_a_dry_run_counts_and_creates_nothing(runtime: Runtime, team: Engine) -> None:
    tiers = (Tier.A, Tier.B, Tier.C)
    found = prospect.prospect(runtime, MarketFilter(ufs=("SP",)), tiers=tiers, limit=500, dry_run=True)
    assert len(found.picked) == 30 and found.imported is None
    assert all(c.active and r.tier in tiers for c, r in found.picked)
    assert "Cabeleireiro" not in {c.legal_name for c, _ in found.picked}
    assert _leads(team) == []


def test_leads_are_created_once_within_the_limit_and_assigned_in_turn(runtime: Runtime, team: Engine) -> None:
    member = Member(id=1, telegram_id=1000, role="manager", first_name="Marta")
    another_branch = LeadDraft.read({"company": "Já é lead", "cnpj": cnpj_for(20_000_003, 2)})
    leads.create_lead(runtime, member, another_branch)
    tiers = (Tier.A, Tier.B, Tier.C)
    first = prospect.prospect(
        runtime,
        MarketFilter(ufs=("SP",), cnae_prefixes=("49",)),
        tiers=tiers,
        limit=10,
        campaign="Registro SP",
        reps="ana,bruno",
        member_id=1,
    )
    assert first.imported is not None and first.imported.counts.imported == 10
    assert first.already_leads == 1
    created = [lead for lead in _leads(team) if lead.campaign == "Registro SP"]
    assert len(created) == 10
    assert "20000003" not in {lead.cnpj[:8] for lead in created if lead.cnpj}
    assert Counter(lead.owner_id for lead in created) == {2: 5, 3: 5}
    assert all(lead.federal_status == "02" and not lead.knocked_out for lead in created)
    second = prospect.prospect(
        runtime, MarketFilter(ufs=("SP",)), tiers=tiers, limit=500, campaign="Registro SP 2", reps="ana", member_id=1
    )
    roots = [lead.cnpj[:8] for lead in _leads(team) if lead.cnpj]
    assert len(roots) == len(set(roots)) == 1 + 10 + 19  # never a company twice; the rest of the 30
    assert second.knocked_out == 1  # the public administration; closed companies are not even candidates
    assert "Prefeitura" not in {lead.company for lead in _leads(team)}
    assert all(lead.owner_id == 2 for lead in _leads(team) if lead.campaign == "Registro SP 2")
