"""Repository functions, on SQLite and PostgreSQL."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Engine
from sqlmodel import Session

from bot.domain.vocabulary import Channel, Outcome, Role, Stage
from bot.storage import repo
from bot.storage.db import session_scope
from bot.storage.models import Invite, Lead, Meeting, Member, Touch

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


def _member(session: Session, telegram_id: int = 100, role: str = Role.REP) -> Member:
    return repo.add_member(
        session, telegram_id=telegram_id, role=role, first_name=f"M{telegram_id}"
    )


def _lead(session: Session, owner: Member, company: str, **fields: Any) -> Lead:
    assert owner.id is not None
    key = company.lower()
    return repo.add_lead(
        session, lead=Lead(owner_id=owner.id, company=company, company_key=key, **fields)
    )


# --- Members ----------------------------------------------------------------------------------


def test_members(db_session: Session) -> None:
    manager = repo.add_member(
        db_session, telegram_id=5_000_000_001, role=Role.MANAGER, first_name="Gil", uf="RJ"
    )
    rep = _member(db_session, 200)
    retired = _member(db_session, 300)
    retired.active = False
    db_session.flush()

    found = repo.get_member_by_telegram_id(db_session, telegram_id=5_000_000_001)
    assert found is manager and found.uf == "RJ" and found.timezone == "America/Sao_Paulo"
    assert repo.get_member_by_telegram_id(db_session, telegram_id=1) is None
    assert repo.list_members(db_session) == [manager, rep]
    assert repo.list_members(db_session, role=Role.REP) == [rep]
    assert repo.list_members(db_session, role=Role.REP, active=None) == [rep, retired]


# --- Invites ----------------------------------------------------------------------------------


def test_invite_is_single_use(db_session: Session) -> None:
    manager = _member(db_session, 1, Role.MANAGER)
    assert manager.id is not None
    repo.create_invite(
        db_session, token="abc", role=Role.REP, created_by=manager.id, expires_at=NOW + timedelta(1)
    )
    first, second = _member(db_session, 2), _member(db_session, 3)

    used = repo.consume_invite(db_session, token="abc", member=first, now=NOW)
    assert isinstance(used, Invite)
    assert used.used_by == first.id and used.used_at == NOW
    again = repo.consume_invite(db_session, token="abc", member=second, now=NOW)
    assert again is repo.InviteFailure.USED


def test_invite_unknown_and_expired(db_session: Session) -> None:
    manager = _member(db_session, 1, Role.MANAGER)
    assert manager.id is not None
    repo.create_invite(
        db_session, token="old", role=Role.REP, created_by=manager.id, expires_at=NOW
    )
    newcomer = _member(db_session, 2)

    assert repo.consume_invite(db_session, token="old", member=newcomer, now=NOW) is (
        repo.InviteFailure.EXPIRED
    )
    assert repo.consume_invite(db_session, token="nope", member=newcomer, now=NOW) is (
        repo.InviteFailure.UNKNOWN
    )
    invite = repo.get_invite(db_session, token="old")
    assert invite is not None and invite.used_by is None


def test_invite_single_use_under_concurrency(engine: Engine) -> None:
    with session_scope(engine) as session:
        manager = _member(session, 1, Role.MANAGER)
        assert manager.id is not None
        repo.create_invite(
            session,
            token="race",
            role=Role.REP,
            created_by=manager.id,
            expires_at=NOW + timedelta(1),
        )
        people = [_member(session, 10 + n) for n in range(6)]

    barrier = threading.Barrier(len(people))
    results: list[object] = []

    def claim(person: Member) -> None:
        with session_scope(engine) as session:
            barrier.wait()
            results.append(repo.consume_invite(session, token="race", member=person, now=NOW))

    threads = [threading.Thread(target=claim, args=(person,)) for person in people]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert len(results) == len(people)
    assert sum(isinstance(result, Invite) for result in results) == 1
    assert results.count(repo.InviteFailure.USED) == len(people) - 1


# --- Playbook versions ------------------------------------------------------------------------


def test_playbook_versions(db_session: Session) -> None:
    first = repo.record_playbook_version(
        db_session, version="1.0", fingerprint="f" * 64, sources={"icp.yaml": "abc"}
    )
    again = repo.record_playbook_version(
        db_session, version="1.0", fingerprint="f" * 64, sources={"icp.yaml": "abc"}
    )
    assert again.id == first.id
    assert repo.get_playbook_version(db_session, fingerprint="f" * 64) is first
    assert repo.get_playbook_version(db_session, fingerprint="0" * 64) is None

    with pytest.raises(repo.PlaybookVersionConflict, match="Aumente `version`") as caught:
        repo.record_playbook_version(
            db_session, version="1.0", fingerprint="e" * 64, sources={"icp.yaml": "changed"}
        )
    assert caught.value.version == "1.0"

    bumped = repo.record_playbook_version(
        db_session, version="1.1", fingerprint="e" * 64, sources={"icp.yaml": "changed"}
    )
    assert bumped.id != first.id and bumped.sources == {"icp.yaml": "changed"}


# --- Leads ------------------------------------------------------------------------------------


def test_find_duplicate(db_session: Session) -> None:
    rep = _member(db_session)
    acme = _lead(db_session, rep, "ACME", uf="SP", cnpj="11222333000181")
    beta = _lead(db_session, rep, "BETA", uf="MG")
    nowhere = _lead(db_session, rep, "GAMA")  # no UF

    assert repo.find_duplicate(db_session, cnpj="11222333000181") is acme
    assert repo.find_duplicate(db_session, cnpj="11222333000181", company_key="other") is acme
    assert repo.find_duplicate(db_session, company_key="acme", uf="SP") is acme
    assert repo.find_duplicate(db_session, company_key="acme", uf="RJ") is None
    assert repo.find_duplicate(db_session, company_key="beta", uf="MG") is beta
    assert repo.find_duplicate(db_session, company_key="beta") is beta
    assert repo.find_duplicate(db_session, company_key="gama", uf="BA") is nowhere
    # Same name and UF but both CNPJs known and different: another company.
    assert (
        repo.find_duplicate(db_session, cnpj="99888777000166", company_key="acme", uf="SP") is None
    )
    assert repo.find_duplicate(db_session) is None


def test_get_lead(db_session: Session) -> None:
    ana = _member(db_session, 1)
    lead = _lead(db_session, ana, "Acme")
    assert repo.get_lead(db_session, lead_id=lead.id or 0) is lead
    assert repo.get_lead(db_session, lead_id=10_000) is None


def test_touch_and_stage_change(db_session: Session) -> None:
    rep = _member(db_session)
    lead = _lead(db_session, rep, "ACME")
    assert rep.id is not None and lead.id is not None
    touch = repo.add_touch(
        db_session,
        touch=Touch(
            lead_id=lead.id,
            rep_id=rep.id,
            channel=Channel.PHONE,
            outcome=Outcome.CONNECTED,
            playbook_version="1.0",
            playbook_fingerprint="f" * 64,
            happened_at=NOW,
        ),
    )
    change = repo.add_stage_change(
        db_session,
        lead_id=lead.id,
        from_stage=Stage.NEW,
        to_stage=Stage.CONNECTED,
        rep_id=rep.id,
        playbook_version="1.0",
        at=NOW,
    )
    db_session.commit()
    db_session.expire_all()
    assert touch.id is not None and touch.happened_at == NOW
    assert change.id is not None and change.to_stage == Stage.CONNECTED and change.at == NOW


def test_scheduled_meeting_is_the_latest_one_still_to_happen(db_session: Session) -> None:
    rep = _member(db_session)
    lead = _lead(db_session, rep, "ACME")
    assert rep.id is not None and lead.id is not None
    for hours, status in ((1, "held"), (24, "scheduled"), (48, "scheduled"), (72, "no_show")):
        db_session.add(
            Meeting(lead_id=lead.id, rep_id=rep.id, starts_at=NOW + timedelta(hours=hours), status=status)
        )
    db_session.flush()

    found = repo.scheduled_meeting(db_session, lead_id=lead.id, status="scheduled")
    assert found is not None and found.starts_at == NOW + timedelta(hours=48)
    assert repo.scheduled_meeting(db_session, lead_id=lead.id + 1, status="scheduled") is None
