"""Repair the links between meetings and the bookings that made them, so SQL count once.

Until this revision the chat logged a ``meeting_booked`` touch and then saved the meeting without
linking it (``meetings.touch_id`` empty), and a reschedule never pointed the old meeting to the
new one (``meetings.rescheduled_to`` empty): one booking rescheduled twice counted as four SQL.
The data is repaired by the rule of :func:`bot.domain.metrics.link_booking`, lead by lead:

1. a meeting with status ``rescheduled`` is continued by the next meeting of the same lead booked
   after it (by ``created_at``, then id) that continues no other;
2. each meeting booked on no touch and continuing no other is linked to the nearest
   ``meeting_booked`` touch of the same lead at or before its ``created_at`` that no meeting
   links to yet (meetings oldest first);
3. a ``no_show`` meeting is continued by the next meeting of the same lead booked after it that
   has no touch and continues no other (the old "🔁 Remarcar" after a no-show booked a fresh
   meeting; the chat now links it).

Only empty links are filled; links already set are kept. The schema does not change, and the
downgrade keeps the links (they are valid data for the older code too).

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02 08:30:00
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime

import sqlalchemy as sa
from alembic import op

from bot.storage.types import UTCDateTime

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_meetings = sa.table(
    "meetings",
    sa.column("id", sa.Integer()),
    sa.column("lead_id", sa.Integer()),
    sa.column("touch_id", sa.Integer()),
    sa.column("status", sa.String()),
    sa.column("rescheduled_to", sa.Integer()),
    sa.column("created_at", UTCDateTime()),
)
_touches = sa.table(
    "touches",
    sa.column("id", sa.Integer()),
    sa.column("lead_id", sa.Integer()),
    sa.column("outcome", sa.String()),
    sa.column("happened_at", UTCDateTime()),
)


class _Meeting:
    # A plain class: Alembic loads this file outside ``sys.modules``, where dataclasses fail.
    def __init__(
        self, id: int, touch_id: int | None, status: str, rescheduled_to: int | None, created_at: datetime
    ) -> None:
        self.id, self.touch_id, self.status = id, touch_id, status
        self.rescheduled_to, self.created_at = rescheduled_to, created_at
        self.continues = False
        self.changed = False


def _repair(meetings: list[_Meeting], touches: list[tuple[int, datetime]]) -> None:
    """One lead's meetings (oldest first) and ``meeting_booked`` touches (id, moment)."""
    by_id = {m.id: m for m in meetings}
    for m in meetings:
        if m.rescheduled_to in by_id:
            by_id[m.rescheduled_to].continues = True

    def chain(status: str, *, without_touch: bool) -> None:
        for index, old in enumerate(meetings):
            if old.status != status or old.rescheduled_to is not None:
                continue
            following = (
                m
                for m in meetings[index + 1 :]
                if not m.continues and (m.touch_id is None or not without_touch)
            )
            new = next(following, None)
            if new is not None:
                old.rescheduled_to, old.changed, new.continues = new.id, True, True

    chain("rescheduled", without_touch=False)
    linked = {m.touch_id for m in meetings if m.touch_id is not None}
    for m in meetings:
        if m.touch_id is not None or m.continues:
            continue
        before = [t for t, at in touches if at <= m.created_at and t not in linked]
        if before:
            m.touch_id, m.changed = before[-1], True
            linked.add(before[-1])
    chain("no_show", without_touch=True)


def upgrade() -> None:
    connection = op.get_bind()
    meetings: dict[int, list[_Meeting]] = defaultdict(list)
    rows = connection.execute(
        sa.select(
            _meetings.c.lead_id,
            _meetings.c.id,
            _meetings.c.touch_id,
            _meetings.c.status,
            _meetings.c.rescheduled_to,
            _meetings.c.created_at,
        ).order_by(_meetings.c.lead_id, _meetings.c.created_at, _meetings.c.id)
    )
    for lead_id, meeting_id, touch_id, status, moved_to, created_at in rows:
        meetings[int(lead_id)].append(_Meeting(meeting_id, touch_id, status, moved_to, created_at))
    if not meetings:
        return
    touches: dict[int, list[tuple[int, datetime]]] = defaultdict(list)
    booked = connection.execute(
        sa.select(_touches.c.lead_id, _touches.c.id, _touches.c.happened_at)
        .where(_touches.c.outcome == "meeting_booked")
        .order_by(_touches.c.lead_id, _touches.c.happened_at, _touches.c.id)
    )
    for lead_id, touch_id, at in booked:
        touches[int(lead_id)].append((int(touch_id), at))
    changed: list[dict[str, object]] = []
    for lead_id, of_lead in meetings.items():
        _repair(of_lead, touches.get(lead_id, []))
        changed += [
            {"meeting": m.id, "touch": m.touch_id, "moved_to": m.rescheduled_to} for m in of_lead if m.changed
        ]
    if changed:
        connection.execute(
            _meetings.update()
            .where(_meetings.c.id == sa.bindparam("meeting"))
            .values(touch_id=sa.bindparam("touch"), rescheduled_to=sa.bindparam("moved_to")),
            changed,
        )


def downgrade() -> None:
    """The links stay: they are right for the older code as well."""
