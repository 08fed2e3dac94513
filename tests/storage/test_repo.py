"""Repository functions, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlmodel import Session, col, select

from bot.domain.vocabulary import Channel, Outcome, ReminderKind, ReminderState, Role, Stage
from bot.storage import leads, members, playbooks, reminders, touches
from bot.storage.importing import known_companies
from bot.storage.models import Lead, Meeting, Member, Reminder, Touch

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


def _member(session: Session, telegram_id: int = 100, role: str = Role.REP) -> Member:
    return members.add_member(
        session, telegram_id=telegram_id, role=role, first_name=f"M{telegram_id}"
    )


def _lead(session: Session, owner: Member, company: str, **fields: Any) -> Lead:
    assert owner.id is not None
    key = company.lower()
    return leads.add_lead(
        session, lead=Lead(owner_id=owner.id, company=company, company_key=key, **fields)
    )


# --- Playbook versions ------------------------------------------------------------------------


def test_playbook_versions(db_session: Session) -> None:
    first = playbooks.record_playbook_version(
        db_session, version="1.0", fingerprint="f" * 64, sources={"icp.yaml": "abc"}
    )
    again = playbooks.record_playbook_version(
        db_session, version="1.0", fingerprint="f" * 64, sources={"icp.yaml": "abc"}
    )
    assert again.id == first.id
    assert playbooks.get_playbook_version(db_session, fingerprint="f" * 64) is first
    assert playbooks.get_playbook_version(db_session, fingerprint="0" * 64) is None

    with pytest.raises(playbooks.PlaybookVersionConflict, match="Aumente `version`") as caught:
        playbooks.record_playbook_version(
            db_session, version="1.0", fingerprint="e" * 64, sources={"icp.yaml": "changed"}
        )
    assert caught.value.version == "1.0"

    bumped = playbooks.record_playbook_version(
        db_session, version="1.1", fingerprint="e" * 64, sources={"icp.yaml": "changed"}
    )
    assert bumped.id != first.id and bumped.sources == {"icp.yaml": "changed"}


# --- Leads ------------------------------------------------------------------------------------


def test_known_companies_find_the_same_company(db_session: Session) -> None:
    """The duplicate rule an import applies to the leads already stored."""
    rep = _member(db_session)
    _lead(db_session, rep, "ACME", uf="SP", cnpj="11222333000181")
    _lead(db_session, rep, "BETA", uf="MG")
    _lead(db_session, rep, "GAMA")  # no UF
    known = known_companies(db_session)

    assert known.find("11222333000181", "", None) == "banco"
    assert known.find("11222333000181", "other", None) == "banco"
    assert known.find(None, "acme", "SP") == "banco"
    assert known.find(None, "acme", "RJ") is None
    assert known.find(None, "beta", "MG") == "banco"
    assert known.find(None, "beta", None) == "banco"
    assert known.find(None, "gama", "BA") == "banco"
    # Same name and UF but both CNPJs known and different: another company.
    assert known.find("99888777000166", "acme", "SP") is None
    assert known.find(None, "", None) is None


def test_get_lead(db_session: Session) -> None:
    ana = _member(db_session, 1)
    lead = _lead(db_session, ana, "Acme")
    assert leads.get_lead(db_session, lead_id=lead.id or 0) is lead
    assert leads.get_lead(db_session, lead_id=10_000) is None


def test_touch_and_stage_change(db_session: Session) -> None:
    rep = _member(db_session)
    lead = _lead(db_session, rep, "ACME")
    assert rep.id is not None and lead.id is not None
    touch = touches.add_touch(
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
    change = leads.add_stage_change(
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

    found = touches.scheduled_meeting(db_session, lead_id=lead.id, status="scheduled")
    assert found is not None and found.starts_at == NOW + timedelta(hours=48)
    assert touches.scheduled_meeting(db_session, lead_id=lead.id + 1, status="scheduled") is None


# --- Reminders --------------------------------------------------------------------------------


def test_one_live_step_reminder_per_lead_and_a_replanned_minute_reuses_its_row(db_session: Session) -> None:
    rep = _member(db_session)
    lead = _lead(db_session, rep, "ACME")
    assert rep.id is not None and lead.id is not None

    def rows() -> list[tuple[str | None, datetime, str]]:
        statement = select(Reminder).where(Reminder.lead_id == lead.id).order_by(col(Reminder.id))
        return [(r.step_id, r.due_at, r.state) for r in db_session.exec(statement)]

    def plan(step: tuple[str, datetime] | None) -> None:
        reminders.plan_step(db_session, lead_id=lead.id or 0, member_id=rep.id or 0, step=step)
        db_session.flush()

    plan(("call", NOW))
    plan(("email", NOW + timedelta(days=2)))  # the cadence moved on
    assert rows() == [("call", NOW, "cancelled"), ("email", NOW + timedelta(days=2), "pending")]
    plan(None)  # paused
    plan(("email", NOW + timedelta(days=2)))  # resumed within the same minute: the same row again
    assert rows() == [("call", NOW, "cancelled"), ("email", NOW + timedelta(days=2), "pending")]
    assert db_session.exec(select(Reminder).where(Reminder.step_id == "email")).one().kind == ReminderKind.STEP_DUE
    plan(None)
    assert [state for *_, state in rows()] == [ReminderState.CANCELLED] * 2
