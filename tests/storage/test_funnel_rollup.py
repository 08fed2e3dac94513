"""The funnel roll-up (``stage_pairs``) holds what the stage changes say after any mix of
writes — moves logged one by one and in bulk, lost and unknown stages, a lead's campaign
corrected, rows deleted — and the report's funnel, read from it for the whole history or from
the stage changes for a period, equals a plain recount, on SQLite and PostgreSQL."""

from __future__ import annotations

import random
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine, delete, insert, select, update
from sqlmodel import Session, col

from bot.storage.db import read_scope, session_scope
from bot.storage.leads import move_history_to_campaign
from bot.storage.models import Lead, Member, StageChange, StagePair
from bot.storage.pair_rollups import STAGE_PAIRS
from bot.storage.reporting import FUNNEL, ActivityFilter, funnel_counts

T0 = datetime(2026, 3, 4, 17, 30, tzinfo=UTC)
CAMPAIGNS = ("Logística SP", "Saúde", "")
STAGES = (*(stage.value for stage in FUNNEL), "lost", "archived")  # "archived": a stage the funnel does not know
RANK = {stage.value: rank for rank, stage in enumerate(FUNNEL)}


def _moment(rng: random.Random) -> datetime:
    return T0 + timedelta(minutes=rng.randrange(40 * 24 * 60))


def _history(engine: Engine, rng: random.Random) -> None:
    with session_scope(engine) as session:
        member = Member(telegram_id=8000, role="rep", first_name="Ana")
        session.add(member)
        session.flush()
        leads = []
        for i in range(25):
            lead = Lead(
                owner_id=member.id or 0,
                company=f"Empresa {i}",
                company_key=f"empresa {i}",
                campaign=rng.choice(CAMPAIGNS),
                created_at=_moment(rng),
            )
            session.add(lead)
            session.flush()
            leads.append(lead)
        rep = member.id
    for _ in range(8):
        action = rng.randrange(4)
        with session_scope(engine) as session:
            lead_ids = [row[0] for row in session.execute(select(col(Lead.id)))]
            if action == 0:  # moves logged one by one, with the lead's campaign
                for _ in range(rng.randrange(1, 20)):
                    lead = session.get(Lead, rng.choice(lead_ids))
                    assert lead is not None
                    session.add(
                        StageChange(
                            lead_id=lead.id or 0,
                            rep_id=rep,
                            campaign=lead.campaign,
                            to_stage=rng.choice(STAGES),
                            at=_moment(rng),
                        )
                    )
                    session.flush()
            elif action == 1:  # a bulk insert, some under another campaign than the lead's
                rows = [
                    {
                        "lead_id": rng.choice(lead_ids),
                        "rep_id": rep,
                        "campaign": rng.choice(CAMPAIGNS),
                        "to_stage": rng.choice(STAGES),
                        "at": _moment(rng),
                    }
                    for _ in range(rng.randrange(1, 40))
                ]
                session.execute(insert(StageChange), rows)
            elif action == 2:  # a lead's campaign corrected: the lead and its history follow
                lead_id = rng.choice(lead_ids)
                campaign = rng.choice(CAMPAIGNS)
                session.execute(update(Lead).where(col(Lead.id) == lead_id).values(campaign=campaign))
                move_history_to_campaign(session, lead_id=lead_id, campaign=campaign)
            else:  # a stage changed by hand, rows deleted
                ids = [row[0] for row in session.execute(select(col(StageChange.id)))]
                for change_id in rng.sample(ids, min(len(ids), 3)):
                    session.execute(
                        update(StageChange).where(col(StageChange.id) == change_id).values(to_stage=rng.choice(STAGES))
                    )
                doomed = rng.sample(ids, min(len(ids), 3))
                session.execute(delete(StageChange).where(col(StageChange.id).in_(doomed)))


def _recount(session: Session, f: ActivityFilter) -> tuple[Counter[tuple[str, int]], Counter[str], Counter[str]]:
    """(reach per (campaign, highest rank), proposals and sales per campaign), from the rows."""

    def within(moment: datetime, campaign: str) -> bool:
        in_period = (f.start is None or moment >= f.start) and (f.end is None or moment < f.end)
        return in_period and f.campaign in (None, campaign)

    tops: dict[tuple[str, int], int | None] = {}
    proposals: Counter[str] = Counter()
    sales: Counter[str] = Counter()
    flags: dict[tuple[str, int], set[str]] = {}
    for change in session.execute(select(StageChange)).scalars():
        if change.to_stage == "lost" or not within(change.at, change.campaign):
            continue
        pair = (change.campaign, change.lead_id)
        rank = RANK.get(change.to_stage)
        known = tops.get(pair)
        tops[pair] = rank if known is None else max(known, rank if rank is not None else known)
        flags.setdefault(pair, set()).add(change.to_stage)
    reach: Counter[tuple[str, int]] = Counter()
    for (campaign, _lead), top in tops.items():
        if top is not None:
            reach[(campaign, top)] += 1
    for (campaign, _lead), stages in flags.items():
        proposals[campaign] += "proposal_sent" in stages
        sales[campaign] += "won" in stages
    for lead in session.execute(select(Lead)).scalars():
        if within(lead.created_at, lead.campaign) and tops.get((lead.campaign, lead.id or 0)) is None:
            reach[(lead.campaign, 0)] += 1
    return +reach, +proposals, +sales


def _periods(rng: random.Random) -> list[ActivityFilter]:
    day = (T0 + timedelta(days=rng.randrange(30))).replace(hour=3, minute=0, second=0, microsecond=0)
    return [
        ActivityFilter(),
        ActivityFilter(campaign=rng.choice(CAMPAIGNS)),
        ActivityFilter(day, day + timedelta(days=1)),
        ActivityFilter(day - timedelta(days=20), day + timedelta(days=1)),
        ActivityFilter(day, None),
        ActivityFilter(None, day),
    ]


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_funnel_equals_a_recount_after_random_writes(engine: Engine, seed: int) -> None:
    rng = random.Random(seed)
    _history(engine, rng)
    with read_scope(engine) as session:
        for f in _periods(rng):
            got = funnel_counts(session, f)
            reach: Counter[tuple[str, int]] = Counter()
            for campaign, top, n in got.reach:
                reach[(campaign, top)] += n
            assert (+reach, +Counter(dict(got.proposals)), +Counter(dict(got.sales))) == _recount(session, f), f


def test_the_triggers_keep_what_a_rebuild_counts(engine: Engine) -> None:
    _history(engine, random.Random(5))

    def pairs() -> Counter[tuple[str, int, int, int, int]]:
        with read_scope(engine) as session:
            return Counter(
                (p.campaign, p.lead_id, p.top, p.proposal, p.won) for p in session.execute(select(StagePair)).scalars()
            )

    kept = pairs()
    assert kept and max(kept.values()) == 1  # one row per pair
    with engine.begin() as connection:
        STAGE_PAIRS.rebuild(connection)
    assert pairs() == kept
