"""Lead lists a page at a time (``/leads``), read by keyset, and who owns a lead.

A page is read on an index in the list's order, from a key on (``WHERE key after the last
shown, LIMIT n``): its cost is the page's, however many leads a rep or the team has. The count
shown above the list reads the same index and stops at :data:`COUNT_CAP` ("10000+").

Orders (the indexes of migration 0014 serve them):

- ``all``, ``open``, ``stage``: newest first, by id (``ix_leads_owner_id``,
  ``ix_leads_owner_stage``; the whole team: the primary key and ``ix_leads_stage``).
- ``due``: most overdue first, by ``step_due_at`` then newest (``ix_leads_owner_due``; the whole
  team: ``ix_leads_step_due_at``).

Keyword-only functions taking a session; the caller owns the transaction.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, func, or_, select
from sqlmodel import Session

from bot.domain.paging import ListKey
from bot.storage.models import Lead

#: The count above a list reads at most this many leads; more shows as "10000+".
COUNT_CAP = 10_000

LEAD_LINE_FILTERS = ("all", "due", "open", "stage")

_leads = Lead.__table__.c  # type: ignore[attr-defined]


@dataclass(frozen=True, slots=True)
class LeadLine:
    """One line of a lead list: what ``/leads`` shows of a lead."""

    id: int
    company: str
    stage: str
    icp_tier: str | None
    step_due_at: datetime | None

    @property
    def key(self) -> ListKey:
        return ListKey(self.id, self.step_due_at)


def _where(
    *,
    owner_id: int | None,
    kind: str,
    closed: Collection[str],
    stage: str | None,
    moment: datetime | None,
    tier: str | None = None,
    campaign: str | None = None,
) -> list[ColumnElement[bool]]:
    if kind not in LEAD_LINE_FILTERS:
        raise ValueError(f"unknown lead filter {kind!r}")
    where: list[ColumnElement[bool]] = []
    if owner_id is not None:
        where.append(_leads.owner_id == owner_id)
    if kind == "due":
        if moment is None:
            raise ValueError("the due list needs a moment")
        where += [_leads.step_due_at.is_not(None), _leads.step_due_at <= moment]
    elif kind == "open":
        where.append(_leads.stage.not_in(list(closed)))
    elif kind == "stage":
        where.append(_leads.stage == stage)
    if tier is not None:
        where.append(_leads.icp_tier == tier)
    if campaign is not None:
        where.append(_leads.campaign == campaign)
    return where


def _beyond(kind: str, key: ListKey, *, forward: bool) -> ColumnElement[bool]:
    """The rows after ``key`` in the list's order (``forward``) or before it."""
    newer = _leads.id > key.id
    older = _leads.id < key.id
    if kind != "due":
        return older if forward else newer
    if key.moment is None:
        raise ValueError("a key of the due list carries its moment")
    due = _leads.step_due_at
    if forward:  # later due, or the same due and older
        return and_(due >= key.moment, or_(due > key.moment, older))
    return and_(due <= key.moment, or_(due < key.moment, newer))


def lead_lines(
    session: Session,
    *,
    owner_id: int | None,
    kind: str = "all",
    closed: Collection[str] = (),
    stage: str | None = None,
    moment: datetime | None = None,
    tier: str | None = None,
    campaign: str | None = None,
    after: ListKey | None = None,
    before: ListKey | None = None,
    from_end: bool = False,
    limit: int = 20,
) -> list[LeadLine]:
    """Up to ``limit`` lines of a lead list, in the list's order.

    ``owner_id=None`` is the whole team. ``kind``: ``all`` (newest first), ``open`` (stage not in
    ``closed``), ``stage`` (that ``stage``) or ``due`` (``step_due_at`` at or before
    ``moment``, most overdue first); ``tier`` and ``campaign`` narrow any of them (the same
    order and keys, so paging is unchanged). Without a key, the first lines (``from_end``: the last
    ones); ``after``: the lines that follow that key; ``before``: the ``limit`` lines just
    before it. Ask ``limit + 1`` to learn whether there are more.
    """
    where = _where(
        owner_id=owner_id, kind=kind, closed=closed, stage=stage, moment=moment, tier=tier, campaign=campaign
    )
    backward = before is not None or (from_end and after is None)
    if after is not None:
        where.append(_beyond(kind, after, forward=True))
    elif before is not None:
        where.append(_beyond(kind, before, forward=False))
    if kind == "due":
        order = [_leads.step_due_at.desc(), _leads.id.asc()] if backward else [_leads.step_due_at, _leads.id.desc()]
    else:
        order = [_leads.id.asc()] if backward else [_leads.id.desc()]
    statement = (
        select(_leads.id, _leads.company, _leads.stage, _leads.icp_tier, _leads.step_due_at)
        .where(*where)
        .order_by(*order)
        .limit(limit)
    )
    lines = [LeadLine(*row) for row in session.execute(statement)]
    return lines[::-1] if backward else lines


def count_lead_lines(
    session: Session,
    *,
    owner_id: int | None,
    kind: str = "all",
    closed: Collection[str] = (),
    stage: str | None = None,
    moment: datetime | None = None,
    tier: str | None = None,
    campaign: str | None = None,
    cap: int = COUNT_CAP,
) -> int:
    """How many leads the list has, read up to ``cap + 1`` (more than ``cap`` returns ``cap + 1``)."""
    where = _where(
        owner_id=owner_id, kind=kind, closed=closed, stage=stage, moment=moment, tier=tier, campaign=campaign
    )
    capped = select(_leads.id).where(*where).limit(cap + 1).subquery()
    return int(session.execute(select(func.count()).select_from(capped)).scalar_one())


def lead_owner(session: Session, *, lead_id: int) -> int | None:
    """The member id that owns lead ``lead_id``, or ``None`` if there is no such lead."""
    owner: Any = session.execute(select(_leads.owner_id).where(_leads.id == lead_id)).scalar()
    return None if owner is None else int(owner)
