"""The touch roll-ups (``touch_weeks``, ``touch_totals``) count exactly what the touches hold,
after any mix of writes: touches logged one by one and in bulk, a lead's campaign corrected,
keys changed by hand, rows deleted. The report's touch counts, read from the roll-ups and the
partial weeks, equal a plain recount of the touch rows for any period and filter, on SQLite and
PostgreSQL."""

from __future__ import annotations

import random
from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Engine, delete, insert, select, text, update
from sqlmodel import Session, col

from bot.storage import touch_rollup
from bot.storage.db import read_scope, session_scope
from bot.storage.leads import move_history_to_campaign
from bot.storage.models import TOUCH_COUNT_KEYS, Lead, Member, Touch, TouchTotal, TouchWeek
from bot.storage.reporting import ActivityFilter, reached_counts, touch_counts
from bot.storage.touches import add_touch

T0 = datetime(2026, 3, 4, 17, 30, tzinfo=UTC)  # a Wednesday: the history starts mid-week
SPAN = timedelta(days=40)
CAMPAIGNS = ("Logística SP", "Saúde", "")
CHANNELS = ("phone", "email", "whatsapp", "linkedin")
OUTCOMES = ("no_answer", "connected", "replied", "meeting_booked", "skipped")
SCRIPTS = (("call_opening", "A"), ("call_opening", "B"), ("email_intro", None), (None, None))
VERSIONS = ("1.0", "1.1")
ROLES = (None, None, "decision_maker", "influencer", "other")
INTENTS = (None, None, "45d", "90d", "later")


def _setup(engine: Engine) -> tuple[list[int], list[int]]:
    with session_scope(engine) as session:
        reps = []
        for i in range(3):
            member = Member(telegram_id=7000 + i, role="rep", first_name=f"Rep{i}")
            session.add(member)
            session.flush()
            reps.append(int(member.id or 0))
        leads = []
        for i in range(12):
            lead = Lead(owner_id=reps[i % 3], company=f"Empresa {i}", company_key=f"empresa {i}")
            session.add(lead)
            session.flush()
            leads.append(int(lead.id or 0))
    return reps, leads


def _touch(rng: random.Random, reps: list[int], leads: list[int]) -> dict[str, Any]:
    script, variant = rng.choice(SCRIPTS)
    return {
        "lead_id": rng.choice(leads),
        "rep_id": rng.choice(reps),
        "campaign": rng.choice(CAMPAIGNS),
        "channel": rng.choice(CHANNELS),
        "outcome": rng.choice(OUTCOMES),
        "script_id": script,
        "variant": variant,
        "playbook_version": rng.choice(VERSIONS),
        "contact_role": rng.choice(ROLES),
        "intent": rng.choice(INTENTS),
        "playbook_fingerprint": "f" * 64,
        "happened_at": T0 + timedelta(minutes=rng.randrange(int(SPAN.total_seconds() // 60))),
    }


def _random_writes(engine: Engine, rng: random.Random, reps: list[int], leads: list[int]) -> None:
    for _ in range(6):
        action = rng.randrange(5)
        with session_scope(engine) as session:
            if action == 0:  # touches logged one by one
                for _ in range(rng.randrange(1, 30)):
                    add_touch(session, touch=Touch(**_touch(rng, reps, leads)))
            elif action == 1:  # a bulk insert (an import, a bench)
                session.execute(insert(Touch), [_touch(rng, reps, leads) for _ in range(rng.randrange(1, 80))])
            elif action == 2:  # a lead's campaign corrected: its history follows
                move_history_to_campaign(session, lead_id=rng.choice(leads), campaign=rng.choice(CAMPAIGNS))
            elif action == 3:  # keys and moments changed by hand
                ids = [row[0] for row in session.execute(select(col(Touch.id)))]
                for touch_id in rng.sample(ids, min(len(ids), 10)):
                    changes = dict(rng.sample(sorted(_touch(rng, reps, leads).items(), key=str), 3))
                    changes.pop("lead_id", None)
                    if changes:
                        session.execute(update(Touch).where(col(Touch.id) == touch_id).values(**changes))
            else:  # rows deleted
                ids = [row[0] for row in session.execute(select(col(Touch.id)))]
                doomed = rng.sample(ids, min(len(ids), 5))
                session.execute(delete(Touch).where(col(Touch.id).in_(doomed)))


def _recount(session: Session, f: ActivityFilter) -> Counter[tuple[Any, ...]]:
    """Every touch row read and counted in Python: the independent answer."""
    counts: Counter[tuple[Any, ...]] = Counter()
    for touch in session.execute(select(Touch)).scalars():
        if f.start is not None and touch.happened_at < f.start:
            continue
        if f.end is not None and touch.happened_at >= f.end:
            continue
        if f.campaign is not None and touch.campaign != f.campaign:
            continue
        if f.rep_id is not None and touch.rep_id != f.rep_id:
            continue
        if f.playbook_version is not None and touch.playbook_version != f.playbook_version:
            continue
        counts[tuple(getattr(touch, key) for key in TOUCH_COUNT_KEYS)] += 1
    return counts


def _periods(rng: random.Random, reps: list[int]) -> list[ActivityFilter]:
    local = timedelta(hours=3)  # local days of São Paulo, as the bot asks for them
    day = (T0 + timedelta(days=rng.randrange(30))).replace(hour=3, minute=0, second=0, microsecond=0)
    monday = touch_rollup.week_ceil(T0)
    return [
        ActivityFilter(),
        ActivityFilter(day, day + timedelta(days=1)),
        ActivityFilter(day - timedelta(days=29), day + timedelta(days=1)),
        ActivityFilter(monday, monday + timedelta(days=14)),
        ActivityFilter(monday + local, monday + timedelta(days=21) + local),
        ActivityFilter(None, day),
        ActivityFilter(day, None),
        ActivityFilter(day - timedelta(days=20), day, campaign=rng.choice(CAMPAIGNS)),
        ActivityFilter(None, None, rep_id=rng.choice(reps)),
        ActivityFilter(day - timedelta(days=15), None, playbook_version="1.1", rep_id=rng.choice(reps)),
    ]


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_report_counts_from_the_roll_ups_equal_a_recount_after_random_writes(engine: Engine, seed: int) -> None:
    rng = random.Random(seed)
    reps, leads = _setup(engine)
    _random_writes(engine, rng, reps, leads)
    with read_scope(engine) as session:
        for f in _periods(rng, reps):
            got = Counter({tuple(row[:-1]): int(row[-1]) for row in touch_counts(session, f)})
            assert got == _recount(session, f), f


def _reached_recount(session: Session, f: ActivityFilter) -> dict[str, tuple[int, int, int, int]]:
    """Per campaign, the distinct leads with a decision maker / an influencer reached, an intent
    within 45 days, within 90 (45 included): from every touch row."""
    found: dict[str, list[set[int]]] = {}
    for touch in session.execute(select(Touch)).scalars():
        inside = (f.start is None or touch.happened_at >= f.start) and (f.end is None or touch.happened_at < f.end)
        if not inside or f.campaign not in (None, touch.campaign) or f.rep_id not in (None, touch.rep_id):
            continue
        if f.playbook_version not in (None, touch.playbook_version):
            continue
        if touch.contact_role is None and touch.intent is None:
            continue
        sets = found.setdefault(touch.campaign, [set(), set(), set(), set()])
        for i, hit in enumerate(
            (
                touch.contact_role == "decision_maker",
                touch.contact_role == "influencer",
                touch.intent == "45d",
                touch.intent in ("45d", "90d"),
            )
        ):
            if hit:
                sets[i].add(touch.lead_id)
    return {campaign: tuple(len(s) for s in sets) for campaign, sets in found.items()}  # type: ignore[misc]


@pytest.mark.parametrize("seed", [4, 5])
def test_leads_reached_from_the_roll_up_equal_a_recount_after_random_writes(engine: Engine, seed: int) -> None:
    """The whole history's distinct leads reached come from ``reach_pairs``; answers recorded on
    a touch later (an UPDATE) and corrected campaigns count as a recount does."""
    rng = random.Random(seed)
    reps, leads = _setup(engine)
    _random_writes(engine, rng, reps, leads)
    with session_scope(engine) as session:  # answers given later, on touches already logged
        ids = [row[0] for row in session.execute(select(col(Touch.id)))]
        for touch_id in rng.sample(ids, min(len(ids), 15)):
            values = {"contact_role": rng.choice(ROLES), "intent": rng.choice(INTENTS)}
            session.execute(update(Touch).where(col(Touch.id) == touch_id).values(**values))
    with read_scope(engine) as session:
        for f in _periods(rng, reps):
            got = {row[0]: tuple(row[1:]) for row in reached_counts(session, f) if any(row[1:])}
            assert got == {c: n for c, n in _reached_recount(session, f).items() if any(n)}, f


def _rollup_rows(session: Session) -> tuple[Counter[tuple[Any, ...]], Counter[tuple[Any, ...]]]:
    weeks: Counter[tuple[Any, ...]] = Counter()
    for row in session.execute(select(TouchWeek)).scalars():
        weeks[(row.week, *(getattr(row, key) for key in TOUCH_COUNT_KEYS))] += row.touches
    totals: Counter[tuple[Any, ...]] = Counter()
    for row in session.execute(select(TouchTotal)).scalars():
        totals[tuple(getattr(row, key) for key in TOUCH_COUNT_KEYS)] += row.touches
    return +weeks, +totals


def test_the_triggers_keep_what_a_rebuild_counts(engine: Engine) -> None:
    """The rows the triggers kept sum to what counting every touch anew gives (the backfill of
    migration 0017), and each week starts on a UTC Monday."""
    rng = random.Random(11)
    reps, leads = _setup(engine)
    _random_writes(engine, rng, reps, leads)
    with read_scope(engine) as session:
        kept = _rollup_rows(session)
    with engine.begin() as connection:
        touch_rollup.rebuild(connection)
    with read_scope(engine) as session:
        assert kept == _rollup_rows(session)
        assert sum(kept[1].values()) == session.execute(text("SELECT count(*) FROM touches")).scalar_one()
    assert all(week.weekday() == 0 and week == touch_rollup.week_floor(week) for week, *_ in kept[0])


def test_weeks_start_on_monday_midnight_utc() -> None:
    wednesday = datetime(2026, 3, 4, 17, 30, tzinfo=UTC)
    assert touch_rollup.week_floor(wednesday) == datetime(2026, 3, 2, tzinfo=UTC)
    assert touch_rollup.week_ceil(wednesday) == datetime(2026, 3, 9, tzinfo=UTC)
    monday = datetime(2026, 3, 9, tzinfo=UTC)
    assert touch_rollup.week_floor(monday) == touch_rollup.week_ceil(monday) == monday
