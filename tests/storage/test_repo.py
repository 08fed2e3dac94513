"""Repository functions, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from bot.domain.vocabulary import Channel, Outcome, ReminderKind, ReminderState, Role, Stage
from bot.storage import leads, members, playbooks, reminders, repo, touches
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


def test_lead_lines_filter_page_and_count(db_session: Session) -> None:
    ana, bia = _member(db_session, 1), _member(db_session, 2)
    assert ana.id is not None
    _lead(db_session, ana, "Old", created_at=NOW - timedelta(days=2))
    due = _lead(
        db_session,
        ana,
        "Due",
        created_at=NOW - timedelta(days=1),
        stage=Stage.PROSPECTING,
        step_due_at=NOW - timedelta(hours=1),
    )
    _lead(
        db_session,
        ana,
        "Later",
        created_at=NOW,
        stage=Stage.PROSPECTING,
        step_due_at=NOW + timedelta(hours=1),
    )
    _lead(db_session, bia, "Other", created_at=NOW + timedelta(minutes=1))
    _lead(db_session, ana, "Lost", created_at=NOW - timedelta(days=3), stage=Stage.LOST)
    db_session.commit()  # the lines are read on another connection
    engine = db_session.get_bind()
    assert isinstance(engine, Engine)

    def lines(**options: Any) -> tuple[list[str], int]:
        found, total = repo.lead_lines(engine, **options)
        return [line.company for line in found], total

    assert lines(owner_id=ana.id) == (["Later", "Due", "Old", "Lost"], 4)
    assert lines(owner_id=None) == (["Other", "Later", "Due", "Old", "Lost"], 5)
    assert lines(owner_id=ana.id, offset=1, limit=1) == (["Due"], 4)  # the total is of all pages
    assert lines(owner_id=ana.id, offset=9) == ([], 0)
    assert lines(owner_id=ana.id, kind="stage", stage=Stage.NEW) == (["Old"], 1)
    assert lines(owner_id=ana.id, kind="open", closed=[Stage.LOST, Stage.WON]) == (["Later", "Due", "Old"], 3)
    assert lines(owner_id=None, kind="due", moment=NOW) == (["Due"], 1)
    tomorrow = NOW + timedelta(days=1)
    assert lines(owner_id=None, kind="due", moment=tomorrow) == (["Due", "Later"], 2)  # most overdue first
    (line,), _ = repo.lead_lines(engine, owner_id=ana.id, kind="due", moment=NOW)
    assert line == repo.LeadLine(due.id or 0, "Due", Stage.PROSPECTING, None, NOW - timedelta(hours=1))
    with pytest.raises(ValueError, match="unknown lead filter"):
        repo.lead_lines(engine, owner_id=None, kind="everything")
    assert repo.lead_owner(engine, due.id or 0) == ana.id
    assert repo.lead_owner(engine, 10_000) is None
    assert leads.get_lead(db_session, lead_id=due.id or 0) is due
    assert leads.get_lead(db_session, lead_id=10_000) is None


# --- Touches and stage changes ----------------------------------------------------------------


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
    db_session.commit()  # read on another connection
    engine = db_session.get_bind()
    assert isinstance(engine, Engine)

    found = repo.scheduled_meeting(engine, lead.id, status="scheduled")
    assert found is not None and found.starts_at == NOW + timedelta(hours=48)
    assert repo.scheduled_meeting(engine, lead.id + 1, status="scheduled") is None


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
