"""Market size from the registry: the counts by tier, UF, region and CNAE division, and the
companies already leads / worked / won, each equal to a direct recount of the same companies."""

from __future__ import annotations

import random
from collections import Counter
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import Engine, update
from sqlmodel import Session

from bot.config import Settings
from bot.domain.facts import LeadFacts
from bot.domain.lead_fields import LeadDraft
from bot.domain.playbook.model import Playbook
from bot.domain.regions import UFS
from bot.domain.registry import FederalStatus, MarketFilter, Porte, RegistryCompany
from bot.domain.scoring import score
from bot.domain.vocabulary import Tier
from bot.services import leads, market
from bot.services.runtime import Runtime
from bot.storage.models import Lead, Member
from tests.support.fake_registry import FakeRegistry, cnpj_for, company

NOW = datetime(2026, 12, 2, 12, tzinfo=UTC)
CNAES = ("4930202", "4930204", "6201501", "9602501", "4644301", "8640202", "1091102")
STATUSES = (FederalStatus.ACTIVE,) * 6 + (FederalStatus.CLOSED, FederalStatus.UNFIT)


def _companies(n: int) -> list[RegistryCompany]:
    pick = random.Random(13)
    found = []
    for i in range(n):
        found.append(
            company(
                10_000_000 + i * 7,
                legal_name=f"Empresa {i}",
                status=pick.choice(STATUSES),
                cnae=pick.choice(CNAES),
                uf=pick.choice(("SP", "PR", "RS", "BA", "AM", "SP", "MG")),
                active_branches=pick.choice((0, 0, 1, 3, 12, 150)),
                porte=pick.choice(tuple(Porte)),
                simples=pick.choice((True, False, None)),
                opened_on=date(pick.randint(1990, 2026), 1, 1),
            )
        )
    return found


@pytest.fixture
def runtime(sqlite_engine: Engine, playbook: Playbook) -> Runtime:
    settings = Settings(_env_file=None, database_url="sqlite://", telegram_bot_token="123:TEST")  # type: ignore[call-arg]
    with Session(sqlite_engine) as session:
        session.add(Member(id=1, telegram_id=1000, role="manager", first_name="Marta", full_name="Marta Souza"))
        session.commit()
    return Runtime(settings=settings, engine=sqlite_engine, playbook=playbook, clock=lambda: NOW)


def test_without_a_registry_there_is_no_market(runtime: Runtime) -> None:
    with pytest.raises(market.NoRegistry):
        market.market_size(runtime, MarketFilter())
    runtime.registry = FakeRegistry([company()], month=None)  # configured, nothing loaded yet
    with pytest.raises(market.NoRegistry):
        market.market_size(runtime, MarketFilter())


def test_market_counts_equal_a_direct_recount(runtime: Runtime, sqlite_engine: Engine) -> None:
    companies = _companies(400)
    runtime.registry = FakeRegistry(companies)
    member = Member(id=1, telegram_id=1000, role="manager", first_name="Marta")
    # Some are already leads (another establishment of the same company counts too), worked, won.
    lead_ids = {}
    for index in (0, 3, 5, 8, 13, 21, 34):
        lead_ids[index] = leads.create_lead(
            runtime, member, LeadDraft.read({"company": f"Lead {index}", "cnpj": cnpj_for(10_000_000 + index * 7, 2)})
        ).lead.id
    with sqlite_engine.begin() as connection:
        connection.execute(update(Lead).where(Lead.id == lead_ids[3]).values(stage="prospecting"))
        connection.execute(update(Lead).where(Lead.id == lead_ids[5]).values(stage="won"))

    what = MarketFilter(ufs=("SP", "PR", "RS", "BA", "AM"), cnae_prefixes=("49", "62", "9602"))
    size = market.market_size(runtime, what, today=NOW.date())

    # The recount: the filter, the facts and the tally written out again, straight from the rows.
    icp = runtime.icp
    tiers: Counter[Tier] = Counter()
    by_uf: Counter[str] = Counter()
    by_division: Counter[str] = Counter()
    by_region: Counter[str] = Counter()
    already, worked, won = 0, 0, 0
    for c in companies:
        if c.status != FederalStatus.ACTIVE or c.uf not in what.ufs or not c.cnae.startswith(("49", "62", "9602")):
            continue
        age = NOW.year - c.opened_on.year - ((NOW.month, NOW.day) < (c.opened_on.month, c.opened_on.day))
        facts = LeadFacts(
            cnae=c.cnae,
            uf=c.uf,
            branches=c.active_branches,
            federal_status=c.status,
            porte=None if c.porte == Porte.UNKNOWN else c.porte,
            simples=c.simples,
            mei=c.mei,
            opened_on=c.opened_on,
            company_age=age,
        )
        tier = score(facts, icp).tier
        tiers[tier] += 1
        if tier == Tier.D:
            continue
        by_uf[c.uf] += 1
        by_region[str(UFS[c.uf].region)] += 1
        by_division[c.cnae[:2]] += 1
        index = (int(c.cnpj[:8]) - 10_000_000) // 7
        if index in lead_ids:
            already += 1
            worked += index in (3, 5)
            won += index == 5
    assert size.companies == sum(tiers.values()) > 100
    assert dict(size.by_tier) == dict(tiers)
    assert size.fitting == sum(by_uf.values()) > 0
    assert (dict(size.by_uf), dict(size.by_region), dict(size.by_division)) == (
        dict(by_uf),
        dict(by_region),
        dict(by_division),
    )
    assert (size.leads, size.worked, size.won) == (already, worked, won)
