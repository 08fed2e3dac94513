"""Migration 0004 repairs the links of old bookings, so old reports count each SQL once.

A database at revision 0002 is filled the way the old code left it — the chat's meetings not
linked to their ``meeting_booked`` touch, reschedules not chained, a no-show re-booked as a fresh
meeting — then upgraded; the report must then count one SQL per booking (counted here by hand).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy import Connection
from sqlmodel import Session, SQLModel, col, select

import bot.storage.models  # noqa: F401  (registers the tables)
from bot.services.reports import build_report
from bot.storage.db import make_engine, upgrade_database
from bot.storage.models import Meeting

NOV = datetime(2026, 11, 1, tzinfo=UTC)


def at(day: int, hour: int = 10, minute: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=UTC)


def _filler(column_type: Any) -> Any:
    try:
        kind = column_type.python_type
    except NotImplementedError:
        return ""
    return {str: "", int: 0, bool: False, datetime: NOV, dict: {}}.get(kind, "")


def insert(connection: Connection, name: str, **values: Any) -> int:
    """One row of table ``name`` as the schema stands (required columns filled with blanks),
    typed like the models so moments are stored as the code stores them."""
    reflected = sa.Table(name, sa.MetaData(), autoload_with=connection)
    model = SQLModel.metadata.tables[name]
    if "id" not in values:
        values["id"] = (connection.execute(sa.select(sa.func.max(reflected.c.id))).scalar() or 0) + 1
    row: dict[str, Any] = {}
    for column in reflected.columns:
        if column.name in values:
            row[column.name] = values[column.name]
        elif not column.nullable and column.server_default is None and not column.primary_key:
            row[column.name] = _filler(model.c[column.name].type if column.name in model.c else column.type)
    typed = sa.table(name, *(sa.column(c, model.c[c].type if c in model.c else reflected.c[c].type) for c in row))
    connection.execute(typed.insert().values(**row))
    return int(values["id"])


def old_bookings(connection: Connection) -> dict[str, int]:
    """The bookings as the code before 0004 saved them; returns the ids by name."""
    ids: dict[str, int] = {}
    for number, (key, name) in enumerate((("ana", "Ana Lima"), ("bruno", "Bruno Reis")), start=1):
        first = name.split()[0]
        ids[key] = insert(
            connection, "members", id=number, telegram_id=100 + number, role="rep", first_name=first, full_name=name
        )

    def lead(number: int, owner: str, campaign: str) -> int:
        ids[f"L{number}"] = insert(
            connection, "leads", id=number, owner_id=ids[owner], company=f"Empresa {number}",
            company_key=f"empresa {number}", campaign=campaign, stage="meeting_booked",
            created_at=at(2), updated_at=at(2),
        )  # fmt: skip
        return ids[f"L{number}"]

    def touch(
        name: str, lead_id: int, rep: str, campaign: str, moment: datetime, outcome: str = "meeting_booked"
    ) -> None:
        ids[name] = insert(
            connection, "touches", lead_id=lead_id, rep_id=ids[rep], campaign=campaign, step_id="abordagem_1",
            step_number=1, step_kind="approach", channel="phone", script_id="ligacao_1", variant="A",
            playbook_version="2026.11.1", playbook_fingerprint="f" * 64, outcome=outcome,
            happened_at=moment, recorded_at=moment,
        )  # fmt: skip

    def meeting(name: str, lead_id: int, rep: str, campaign: str, created: datetime, status: str, **more: Any) -> None:
        ids[name] = insert(
            connection, "meetings", lead_id=lead_id, rep_id=ids[rep], campaign=campaign,
            starts_at=created.replace(hour=15), duration_minutes=45, status=status, created_at=created, **more,
        )  # fmt: skip

    # L1: booked on the step card, rescheduled twice, held (the QA case: it counted 4).
    l1 = lead(1, "ana", "Sul")
    touch("T0", l1, "ana", "Sul", at(9), outcome="no_answer")
    touch("T1", l1, "ana", "Sul", at(10))
    meeting("M1", l1, "ana", "Sul", at(10, 10, 1), "rescheduled")
    meeting("M2", l1, "ana", "Sul", at(12), "rescheduled")
    meeting("M3", l1, "ana", "Sul", at(14), "held")
    # L2: booked on the step card, no-show, re-booked with the old "Remarcar" (a fresh meeting).
    l2 = lead(2, "bruno", "Sul")
    touch("T2", l2, "bruno", "Sul", at(11))
    meeting("M4", l2, "bruno", "Sul", at(11, 10, 2), "no_show", no_show_reason="esqueceu")
    meeting("M5", l2, "bruno", "Sul", at(13), "scheduled")
    # L3: booked from the lead card (no touch), rescheduled once.
    l3 = lead(3, "ana", "Norte")
    meeting("M6", l3, "ana", "Norte", at(15), "rescheduled")
    meeting("M7", l3, "ana", "Norte", at(16), "scheduled")
    # L4: booked on the step card, the date question cancelled: the touch alone is the SQL.
    l4 = lead(4, "bruno", "Norte")
    touch("T3", l4, "bruno", "Norte", at(17))
    # L5: booked on the step card, date cancelled, typed two days later from the lead card.
    l5 = lead(5, "ana", "Sul")
    touch("T4", l5, "ana", "Sul", at(18))
    meeting("M8", l5, "ana", "Sul", at(20), "held")
    # L6: a meeting already linked (kept as it is).
    l6 = lead(6, "bruno", "Norte")
    touch("T5", l6, "bruno", "Norte", at(21))
    meeting("M9", l6, "bruno", "Norte", at(21, 11), "scheduled", touch_id=ids["T5"])
    # L7: a lead-card meeting, then much later a second, separate booking from the step card.
    l7 = lead(7, "ana", "Norte")
    meeting("M10", l7, "ana", "Norte", at(3), "held")
    touch("T6", l7, "ana", "Norte", at(22))
    meeting("M11", l7, "ana", "Norte", at(22, 10, 5), "scheduled")
    return ids


def test_the_repair_links_old_bookings_and_the_report_counts_each_sql_once(empty_database_url: str) -> None:
    engine = make_engine(empty_database_url)
    try:
        upgrade_database(engine, revision="0002")
        with engine.begin() as connection:
            ids = old_bookings(connection)
        upgrade_database(engine)
        with Session(engine) as session:
            meetings = {m.id: m for m in session.exec(select(Meeting).order_by(col(Meeting.id)))}
            report = build_report(session, start=NOV, end=datetime(2026, 12, 1, tzinfo=UTC))
    finally:
        engine.dispose()

    def links(name: str) -> tuple[str | None, str | None]:
        m = meetings[ids[name]]
        touches = {v: k for k, v in ids.items() if k.startswith("T")}
        others = {v: k for k, v in ids.items() if k.startswith("M")}
        touch = touches[m.touch_id] if m.touch_id else None
        moved = others[m.rescheduled_to] if m.rescheduled_to else None
        return touch, moved

    assert {name: links(name) for name in ids if name.startswith("M")} == {
        "M1": ("T1", "M2"),
        "M2": (None, "M3"),
        "M3": (None, None),
        "M4": ("T2", "M5"),
        "M5": (None, None),
        "M6": (None, "M7"),
        "M7": (None, None),
        "M8": ("T4", None),
        "M9": ("T5", None),
        "M10": (None, None),
        "M11": ("T6", None),
    }
    assert [meetings[ids[m]].status for m in ("M1", "M2", "M4")] == ["rescheduled", "rescheduled", "no_show"]

    # By hand: one SQL per booking — T1, T2, M6, T3, T4, T5, M10, T6.
    assert report.basic.sql_booked == 8
    assert {c.campaign: c.sql for c in report.campaigns} == {"Sul": 3, "Norte": 5}
    assert report.sql_by_campaign_rep == {
        ("Sul", ids["ana"]): 2,
        ("Sul", ids["bruno"]): 1,
        ("Norte", ids["ana"]): 3,
        ("Norte", ids["bruno"]): 2,
    }
    assert {r.name: r.sql for r in report.adoption.reps} == {"Ana Lima": 5, "Bruno Reis": 3}
    assert report.total.per_sql(report.total.list_companies) == 7 / 8
    # Meetings that started in November: held M3, M8, M10; no-show M4.
    assert (report.no_shows.held, report.no_shows.no_shows) == (3, 1)


def test_the_repair_is_a_no_op_on_a_database_without_meetings(empty_database_url: str) -> None:
    upgrade_database(empty_database_url, revision="0002")
    upgrade_database(empty_database_url)
    engine = make_engine(empty_database_url)
    try:
        with engine.connect() as connection:
            assert connection.execute(sa.text("SELECT count(*) FROM meetings")).scalar() == 0
    finally:
        engine.dispose()
