"""Lead lists by keyset: filters, orders, pages after and before a key, the capped count."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlmodel import Session

from bot.domain.paging import ListKey
from bot.domain.vocabulary import Role, Stage
from bot.storage import lead_list
from bot.storage.models import Lead, Member

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
CLOSED = (Stage.LOST.value, Stage.WON.value)


def _member(session: Session, telegram_id: int) -> int:
    member = Member(telegram_id=telegram_id, role=Role.REP.value, first_name=f"M{telegram_id}", created_at=NOW)
    session.add(member)
    session.flush()
    assert member.id is not None
    return member.id


def _lead(session: Session, owner: int, company: str, **fields: Any) -> Lead:
    lead = Lead(owner_id=owner, company=company, company_key=company.lower(), created_at=NOW, **fields)
    session.add(lead)
    session.flush()
    return lead


def _names(lines: list[lead_list.LeadLine]) -> list[str]:
    return [line.company for line in lines]


def test_filters_orders_and_owner(db_session: Session) -> None:
    ana, bia = _member(db_session, 1), _member(db_session, 2)
    _lead(db_session, ana, "Old")
    due = _lead(db_session, ana, "Due", stage=Stage.PROSPECTING, step_due_at=NOW - timedelta(hours=1))
    _lead(db_session, ana, "Later", stage=Stage.PROSPECTING, step_due_at=NOW + timedelta(hours=1))
    _lead(db_session, bia, "Other")
    _lead(db_session, ana, "Lost", stage=Stage.LOST)

    def names(**options: Any) -> list[str]:
        return _names(lead_list.lead_lines(db_session, **options))

    def count(**options: Any) -> int:
        return lead_list.count_lead_lines(db_session, **options)

    assert names(owner_id=ana) == ["Lost", "Later", "Due", "Old"]  # newest first
    assert names(owner_id=None) == ["Lost", "Other", "Later", "Due", "Old"]
    assert (count(owner_id=ana), count(owner_id=None)) == (4, 5)
    assert names(owner_id=ana, kind="stage", stage=Stage.NEW) == ["Old"]
    assert names(owner_id=ana, kind="open", closed=CLOSED) == ["Later", "Due", "Old"]
    assert count(owner_id=ana, kind="open", closed=CLOSED) == 3
    assert names(owner_id=None, kind="due", moment=NOW) == ["Due"]
    tomorrow = NOW + timedelta(days=1)
    assert names(owner_id=None, kind="due", moment=tomorrow) == ["Due", "Later"]  # most overdue first
    (line,) = lead_list.lead_lines(db_session, owner_id=ana, kind="due", moment=NOW)
    assert line == lead_list.LeadLine(due.id or 0, "Due", Stage.PROSPECTING, None, NOW - timedelta(hours=1))
    assert line.key == ListKey(due.id or 0, NOW - timedelta(hours=1))
    with pytest.raises(ValueError, match="unknown lead filter"):
        lead_list.lead_lines(db_session, owner_id=None, kind="everything")
    assert lead_list.lead_owner(db_session, lead_id=due.id or 0) == ana
    assert lead_list.lead_owner(db_session, lead_id=10_000) is None


@pytest.mark.parametrize("kind", ["all", "due"])
def test_pages_by_key_cover_the_list_once_in_order_both_ways(db_session: Session, kind: str) -> None:
    ana = _member(db_session, 1)
    # Due moments with ties (three leads each), so the key needs the id as well as the moment.
    for n in range(23):
        _lead(db_session, ana, f"L{n:02d}", stage=Stage.PROSPECTING, step_due_at=NOW - timedelta(hours=n // 3))
    scope: dict[str, Any] = {"owner_id": ana, "kind": kind, "moment": NOW}
    whole = _names(lead_list.lead_lines(db_session, **scope, limit=100))
    assert len(whole) == 23

    forward: list[list[str]] = []
    page = lead_list.lead_lines(db_session, **scope, limit=5)
    while page:
        forward.append(_names(page))
        page = lead_list.lead_lines(db_session, **scope, after=page[-1].key, limit=5)
    assert [name for names in forward for name in names] == whole
    assert [len(names) for names in forward] == [5, 5, 5, 5, 3]

    backward: list[list[str]] = []
    page = lead_list.lead_lines(db_session, **scope, from_end=True, limit=5)
    while page:
        backward.insert(0, _names(page))
        page = lead_list.lead_lines(db_session, **scope, before=page[0].key, limit=5)
    assert [name for names in backward for name in names] == whole
    assert backward[-1] == whole[-5:] and len(backward[0]) == 3


def test_the_count_stops_at_its_cap(db_session: Session) -> None:
    ana = _member(db_session, 1)
    for n in range(7):
        _lead(db_session, ana, f"L{n}")
    assert lead_list.count_lead_lines(db_session, owner_id=ana, cap=5) == 6  # "more than 5"
    assert lead_list.count_lead_lines(db_session, owner_id=ana, cap=7) == 7
