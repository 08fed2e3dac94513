"""The active days from the roll-up ``rep_days`` equal a recount of the touches in the asking
member's own zone — Brazil's zones, one with summer time across its changes, one east of UTC,
one with a half-hour offset (read from the touches) — after touches are logged, moved and
deleted, on SQLite and PostgreSQL."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Engine, delete, insert, select, update
from sqlmodel import Session, col

from bot.storage import activity_rollup
from bot.storage.db import read_scope, session_scope
from bot.storage.models import Lead, Member, RepDay, Touch
from bot.storage.reporting import ActivityFilter, active_rep_days

# 2018-10-21: São Paulo went to summer time (UTC-2) then, and back on 2019-02-17.
T0 = datetime(2018, 10, 12, 1, 0, tzinfo=UTC)
ZONES = ("America/Sao_Paulo", "America/Manaus", "America/Noronha", "Pacific/Auckland", "Asia/Kolkata")


def _history(engine: Engine, rng: random.Random) -> list[int]:
    with session_scope(engine) as session:
        reps = []
        for i in range(3):
            member = Member(telegram_id=9000 + i, role="rep", first_name=f"Rep{i}")
            session.add(member)
            session.flush()
            reps.append(int(member.id or 0))
        lead = Lead(owner_id=reps[0], company="Empresa", company_key="empresa")
        session.add(lead)
        session.flush()
        lead_id = lead.id

    def touch() -> dict[str, object]:
        return {
            "lead_id": lead_id,
            "rep_id": rng.choice(reps),
            "channel": "phone",
            "outcome": "no_answer",
            "playbook_version": "1.0",
            "playbook_fingerprint": "f" * 64,
            "campaign": rng.choice(("A", "B")),
            "happened_at": T0 + timedelta(minutes=rng.randrange(30 * 24 * 60)),
        }

    for _ in range(6):
        with session_scope(engine) as session:
            action = rng.randrange(3)
            if action == 0:
                session.execute(insert(Touch), [touch() for _ in range(rng.randrange(1, 60))])
            ids = [row[0] for row in session.execute(select(col(Touch.id)))]
            if action == 1 and ids:  # moved to another moment or rep
                for touch_id in rng.sample(ids, min(len(ids), 8)):
                    moved = touch()
                    session.execute(
                        update(Touch)
                        .where(col(Touch.id) == touch_id)
                        .values(happened_at=moved["happened_at"], rep_id=moved["rep_id"])
                    )
            if action == 2 and ids:
                session.execute(delete(Touch).where(col(Touch.id).in_(rng.sample(ids, min(len(ids), 6)))))
    return reps


def _recount(session: Session, f: ActivityFilter) -> list[tuple[date, int]]:
    local = ZoneInfo(f.zone)
    found = set()
    for touch in session.execute(select(Touch)).scalars():
        inside = (f.start is None or touch.happened_at >= f.start) and (f.end is None or touch.happened_at < f.end)
        if inside and f.rep_id in (None, touch.rep_id) and f.campaign in (None, touch.campaign):
            found.add((touch.happened_at.astimezone(local).date(), touch.rep_id))
    return sorted(found)


@pytest.mark.parametrize("seed", [1, 2])
def test_active_days_equal_a_recount_in_every_zone(engine: Engine, seed: int) -> None:
    rng = random.Random(seed)
    reps = _history(engine, rng)
    with read_scope(engine) as session:
        for zone in ZONES:
            local = ZoneInfo(zone)
            day = datetime(2018, 10, 12 + rng.randrange(20), tzinfo=local)
            periods = [
                ActivityFilter(zone=zone),
                ActivityFilter(day, day + timedelta(days=1), zone=zone),
                ActivityFilter(day - timedelta(days=9), day + timedelta(days=9), zone=zone),
                ActivityFilter(day, None, rep_id=rng.choice(reps), zone=zone),
                ActivityFilter(None, day, campaign="A", zone=zone),
                ActivityFilter(day + timedelta(minutes=17), day + timedelta(days=3), zone=zone),
            ]
            for f in periods:
                got = sorted(
                    (d if isinstance(d, date) else date.fromisoformat(str(d)[:10]), rep)
                    for d, rep in active_rep_days(session, f)
                )
                assert got == _recount(session, f), f


def test_the_triggers_keep_what_a_rebuild_counts(engine: Engine) -> None:
    _history(engine, random.Random(3))

    def masks() -> dict[tuple[date, int], int]:
        found: dict[tuple[date, int], int] = {}
        with read_scope(engine) as session:
            for row in session.execute(select(RepDay)).scalars():
                found[(row.day, row.rep_id)] = found.get((row.day, row.rep_id), 0) | row.hours
        return {key: mask for key, mask in found.items() if mask}

    kept = masks()
    assert kept
    with engine.begin() as connection:
        activity_rollup.rebuild(connection)
    assert masks() == kept
