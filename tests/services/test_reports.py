"""Every report metric against an independent computation over the generated rows."""

from __future__ import annotations

import csv
from collections import Counter, defaultdict
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import Engine
from sqlmodel import Session

from bot.render import charts
from bot.render.reports import render_chat, render_cli
from bot.services.reports import build_report, report_for
from bot.services.team import NotAllowed
from bot.storage.models import Member
from tests.services.activity import T0, Activity
from tests.support.runtimes import cli_runtime

START = T0 + timedelta(days=10)
END = T0 + timedelta(days=70)
REPLY = {"replied", "meeting_booked", "connected", "objection", "not_interested"}
REACHED = REPLY
FUNNEL = [
    "new",
    "prospecting",
    "connected",
    "meeting_booked",
    "meeting_held",
    "proposal_sent",
    "won",
]

CASES = [
    pytest.param({}, id="everything"),
    pytest.param({"campaign": "Indústria Sul"}, id="campaign"),
    pytest.param({"rep_id": 3}, id="rep"),
    pytest.param({"playbook_version": "1.1"}, id="playbook-version"),
    pytest.param({"campaign": "", "rep_id": 2}, id="no-campaign-and-rep"),
]


class Expected:
    """The metrics, computed in plain Python from the generated rows."""

    def __init__(
        self,
        a: Activity,
        campaign: str | None = None,
        rep_id: int | None = None,
        playbook_version: str | None = None,
    ) -> None:
        def period(moment: Any) -> bool:
            return START <= moment < END

        def match(row: dict[str, Any], rep_key: str = "rep_id", version: bool = True) -> bool:
            return (
                (campaign is None or row["campaign"] == campaign)
                and (rep_id is None or row[rep_key] == rep_id)
                and (
                    not version
                    or playbook_version is None
                    or row.get("playbook_version") == playbook_version
                )
            )

        touches = [t for t in a.touches if period(t["happened_at"]) and match(t)]
        attempts = [t for t in touches if t["outcome"] != "skipped"]
        self.calls = sum(t["channel"] == "phone" for t in attempts)
        self.messages = sum(t["channel"] in ("email", "whatsapp", "linkedin") for t in attempts)
        self.attempts_by_channel = Counter(t["channel"] for t in attempts)
        self.replies_by_channel = Counter(t["channel"] for t in attempts if t["outcome"] in REPLY)
        self.effective = Counter(
            t["campaign"] for t in attempts if t["channel"] == "phone" and t["outcome"] in REACHED
        )
        self.calls_by_campaign = Counter(t["campaign"] for t in attempts if t["channel"] == "phone")

        targets = {m.get("rescheduled_to") for m in a.meetings if m.get("rescheduled_to")}
        sql: Counter[tuple[str, int]] = Counter(
            (t["campaign"], t["rep_id"]) for t in touches if t["outcome"] == "meeting_booked"
        )
        if playbook_version is None:
            for m in a.meetings:
                if (
                    m["touch_id"] is None
                    and m["id"] not in targets
                    and period(m["created_at"])
                    and match(m, version=False)
                ):
                    sql[(m["campaign"], m["rep_id"])] += 1
        self.sql_matrix = {k: v for k, v in sql.items() if v}
        self.sql = sum(sql.values())
        self.sql_by_campaign: Counter[str] = Counter()
        for (camp, _rep), n in sql.items():
            self.sql_by_campaign[camp] += n

        leads = [lead for lead in a.leads if match(lead, "owner_id", version=False)]
        self.entered = sum(period(lead["created_at"]) for lead in leads)
        self.list_by_campaign = Counter(
            lead["campaign"] for lead in leads if lead["created_at"] < END
        )

        changes = [s for s in a.stage_changes if period(s["at"]) and match(s)]
        lost = [s for s in changes if s["to_stage"] == "lost"]
        self.lost = len(lost)
        self.losses = Counter((s["campaign"], s["from_stage"], s["reason"]) for s in lost)
        top: dict[int, int] = {}
        for lead in leads:
            if period(lead["created_at"]):
                top[lead["id"]] = 0
        for s in changes:
            if s["to_stage"] != "lost":
                top[s["lead_id"]] = max(top.get(s["lead_id"], 0), FUNNEL.index(s["to_stage"]))
        self.funnel = [sum(rank >= k for rank in top.values()) for k in range(len(FUNNEL))]
        self.proposals = len({s["lead_id"] for s in changes if s["to_stage"] == "proposal_sent"})
        self.sales = len({s["lead_id"] for s in changes if s["to_stage"] == "won"})

        meetings = [
            m
            for m in a.meetings
            if period(m["starts_at"])
            and match(m, version=False)
            and (
                playbook_version is None
                or (
                    m["touch_id"] is not None
                    and any(
                        t["id"] == m["touch_id"] and t["playbook_version"] == playbook_version
                        for t in a.touches[m["touch_id"] - 1 : m["touch_id"]]
                    )
                )
            )
        ]
        self.held = sum(m["status"] == "held" for m in meetings)
        self.no_shows = Counter(
            m["no_show_reason"] or "" for m in meetings if m["status"] == "no_show"
        )

        def distinct(condition: Any) -> int:
            per_campaign: dict[str, set[int]] = defaultdict(set)
            for t in touches:
                if condition(t):
                    per_campaign[t["campaign"]].add(t["lead_id"])
            return sum(len(v) for v in per_campaign.values())

        self.decision_makers = distinct(lambda t: t["contact_role"] == "decision_maker")
        self.influencers = distinct(lambda t: t["contact_role"] == "influencer")
        self.intent_45 = distinct(lambda t: t["intent"] == "45d")
        self.intent_90 = distinct(lambda t: t["intent"] in ("45d", "90d"))

        weeks: dict[str, set[int]] = defaultdict(set)
        days: dict[int, set[Any]] = defaultdict(set)
        for t in touches:
            local = (t["happened_at"] - timedelta(hours=3)).date()
            iso = local.isocalendar()
            weeks[f"{iso.year}-W{iso.week:02d}"].add(t["rep_id"])
            days[t["rep_id"]].add(local)
        self.weeks = sorted((w, len(r)) for w, r in weeks.items())
        self.active_days = {rep: len(d) for rep, d in days.items()}
        self.touches_by_rep = Counter(t["rep_id"] for t in touches)


@pytest.fixture(scope="module")
def built(activity_db: tuple[Any, Activity]) -> dict[str, Any]:
    from bot.storage.db import make_engine

    engine = make_engine(f"sqlite:///{activity_db[0]}")
    out = {}
    with Session(engine) as session:
        for case in CASES:
            filters = case.values[0]
            out[case.id] = build_report(session, start=START, end=END, **filters)
    engine.dispose()
    return out


@pytest.mark.parametrize("filters", CASES)
def test_every_metric_matches_an_independent_computation(
    filters: dict[str, Any],
    request: pytest.FixtureRequest,
    built: dict[str, Any],
    activity: Activity,
) -> None:
    case_id = request.node.callspec.id
    report = built[case_id]
    e = Expected(activity, **filters)
    b = report.basic
    assert e.calls > 0 or filters  # the generated data is not trivially empty
    # basic
    assert b.calls_made == e.calls
    assert b.messages_sent == e.messages
    assert b.sql_booked == e.sql
    assert b.companies_entered == e.entered
    assert b.companies_lost == e.lost
    # intermediate
    for rate in report.reply_rates:
        assert rate.attempts == e.attempts_by_channel[rate.channel]
        assert rate.replies == e.replies_by_channel[rate.channel]
    assert [s.reached for s in report.funnel] == e.funnel
    for k in range(1, len(FUNNEL)):
        expected = e.funnel[k] / e.funnel[k - 1] if e.funnel[k - 1] else None
        assert report.funnel[k].conversion == pytest.approx(expected)
    assert Counter({(r.campaign, r.stage, r.reason): r.losses for r in report.losses}) == e.losses
    assert report.no_shows.no_shows == sum(e.no_shows.values())
    assert report.no_shows.reasons == dict(e.no_shows)
    assert report.no_shows.held == e.held
    assert report.sql_by_campaign_rep == e.sql_matrix
    # advanced
    t = report.total
    assert t.effective_calls == sum(e.effective.values())
    for c in report.campaigns:
        assert c.effective_calls == e.effective[c.campaign]
        assert c.calls == e.calls_by_campaign[c.campaign]
        assert c.sql == e.sql_by_campaign[c.campaign]
        assert c.list_companies == e.list_by_campaign[c.campaign]
        if c.sql:
            assert c.list_per_sql == pytest.approx(e.list_by_campaign[c.campaign] / c.sql)
    assert (t.decision_makers, t.influencers) == (e.decision_makers, e.influencers)
    assert (t.intent_45d, t.intent_90d) == (e.intent_45, e.intent_90)
    assert (t.proposals, t.sales) == (e.proposals, e.sales)
    if t.sql:
        assert t.per_sql(t.sales) == pytest.approx(e.sales / e.sql)
    # adoption
    assert report.adoption.weeks == e.weeks
    assert {r.rep_id: r.active_days for r in report.adoption.reps} == e.active_days
    assert {r.rep_id: r.touches for r in report.adoption.reps} == dict(e.touches_by_rep)
    for r in report.adoption.reps:
        # 13/03–12/05/2025: 43 weekdays minus Good Friday (18/04), Tiradentes (21/04), 1 May.
        assert r.working_days == 40
        assert r.per_working_day == pytest.approx(r.touches / 40)


def test_the_twin_snapshot_changes_nothing(activity_engine: Engine) -> None:
    """On a SQLite file half the queries run on a twin snapshot in a second thread; a session
    that has already read (no twin possible) must get the very same report."""
    from sqlmodel import select

    with Session(activity_engine) as session:
        parallel = build_report(session, start=START, end=END, campaign="Indústria Sul")
    with Session(activity_engine) as session:
        session.exec(select(Member)).first()
        alone = build_report(session, start=START, end=END, campaign="Indústria Sul")
    assert parallel == alone


def test_renderings(built: dict[str, Any]) -> None:
    report = built["everything"]
    chat = render_chat(report)
    assert len(chat) <= 4096
    assert "Saúde &lt;NE&gt;" in chat  # campaign names are escaped
    assert "<NE>" not in chat
    assert "B agenda mais reuniões (95% de confiança)" in chat
    cli = render_cli(report)
    for heading in (
        "BÁSICO",
        "FUNIL",
        "CONVERSÃO POR ETAPA E CAMPANHA",
        "AVANÇADO",
        "PERDAS POR ETAPA",
        "NO-SHOWS",
        "SQL POR CAMPANHA × VENDEDOR",
        "A/B",
        "ADOÇÃO",
    ):
        assert heading in cli
    tiny = render_chat(report, limit=300)
    assert len(tiny) <= 300 and tiny.endswith("…")
    for png in (charts.funnel_chart(report), charts.leaderboard_chart(report)):
        assert png[:8] == b"\x89PNG\r\n\x1a\n"


def test_an_empty_period_says_so(activity_engine: Engine) -> None:
    with Session(activity_engine) as session:
        report = build_report(session, start=T0 - timedelta(days=400), end=T0 - timedelta(days=300))
    assert report.empty
    assert "Nenhuma atividade" in render_chat(report)
    assert charts.funnel_chart(report)[:4] == b"\x89PNG"


def test_reps_only_get_their_own_numbers(activity_engine: Engine) -> None:
    with Session(activity_engine) as session:
        rep = session.get(Member, 3)
        manager = session.get(Member, 1)
        assert rep is not None and manager is not None
        with pytest.raises(NotAllowed):
            report_for(session, rep, start=START, end=END, rep_id=4)
        own = report_for(session, rep, start=START, end=END)
        assert own.filter.rep_id == 3
        assert {r.rep_id for r in own.adoption.reps} == {3}
        team = report_for(session, manager, start=START, end=END)
        assert team.filter.rep_id is None
        other = report_for(session, manager, start=START, end=END, rep_id=4)
        assert {r.rep_id for r in other.adoption.reps} == {4}


def test_postgres_and_sqlite_agree(engine: Engine, sqlite_engine: Engine, tmp_path: Any) -> None:
    """The same activity gives the same report on both backends (and the exports run)."""
    from tests.services.activity import populate

    populate(engine, 150, n_reps=3, seed=5, keep=False)
    if engine is not sqlite_engine:
        populate(sqlite_engine, 150, n_reps=3, seed=5, keep=False)
    results = []
    for backend in (engine, sqlite_engine):
        with Session(backend) as session:
            report = build_report(session, start=START, end=END)
        results.append((report.basic, report.funnel, report.losses, report.adoption,
                        report.sql_by_campaign_rep, [(c.campaign, c.sql) for c in report.campaigns]))
    assert results[0] == results[1]
    from bot.services.exports import export

    exported = export(cli_runtime(engine), what=["touches", "leads"], fmt="xlsx", directory=tmp_path)
    assert exported.total_rows > 150


def test_local_days_and_times_follow_brazils_old_summer_time(engine: Engine, tmp_path: Any) -> None:
    """Until 2019 São Paulo had summer time (UTC−2): old activity is not shifted by a fixed
    −3 h, in the report's days nor in the export's times, on SQLite as on PostgreSQL."""
    from datetime import UTC, datetime
    from zoneinfo import ZoneInfo

    from sqlalchemy import insert

    from bot.services.exports import export
    from bot.storage.models import Lead, Touch

    zone = ZoneInfo("America/Sao_Paulo")
    moments = [
        datetime(2018, 6, 15, 2, 30, tzinfo=UTC),  # winter, −3: 14/06 23:30
        datetime(2018, 11, 4, 2, 30, tzinfo=UTC),  # just before summer time: 03/11 23:30
        datetime(2018, 11, 4, 3, 30, tzinfo=UTC),  # just after (00:00 → 01:00): 04/11 01:30
        datetime(2018, 12, 15, 2, 30, tzinfo=UTC),  # summer, −2: 15/12 00:30
        datetime(2019, 2, 17, 1, 30, tzinfo=UTC),  # last summer hour: 16/02 23:30
        datetime(2019, 2, 17, 2, 30, tzinfo=UTC),  # the hour again, −3: 16/02 23:30
        datetime(2019, 2, 17, 3, 30, tzinfo=UTC),  # 17/02 00:30
        datetime(2025, 3, 3, 12, 0, tzinfo=UTC),  # today's −3: 03/03 09:00
    ]
    with engine.begin() as connection:
        connection.execute(
            insert(Member), [dict(id=1, telegram_id=1, role="rep", first_name="Ana", created_at=moments[0])]
        )
        connection.execute(
            insert(Lead),
            [dict(id=1, owner_id=1, company="X", company_key="x", created_at=moments[0], updated_at=moments[0])],
        )
        connection.execute(
            insert(Touch),
            [
                dict(
                    id=n,
                    lead_id=1,
                    rep_id=1,
                    channel="phone",
                    outcome="no_answer",
                    playbook_version="1.0",
                    playbook_fingerprint="fp",
                    happened_at=moment,
                    recorded_at=moment,
                )
                for n, moment in enumerate(moments, start=1)
            ],
        )
    local = [moment.astimezone(zone) for moment in moments]
    with Session(engine) as session:
        report = build_report(session, start=None, end=None)
    [rep] = report.adoption.reps
    assert rep.active_days == len({moment.date() for moment in local}) == 7
    weeks = {f"{d.isocalendar().year}-W{d.isocalendar().week:02d}" for d in (m.date() for m in local)}
    assert {week for week, _n in report.adoption.weeks} == weeks
    result = export(cli_runtime(engine), what=["touches"], directory=tmp_path)
    with result.files[0].open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle, delimiter=";"))
    assert [row["data_hora"] for row in rows] == [m.strftime("%Y-%m-%d %H:%M:%S") for m in local]


def test_a_report_and_an_export_count_days_in_the_zone_asked(engine: Engine, tmp_path: Any) -> None:
    """A call at 23:30 in Manaus (UTC−4) is 00:30 of the next day in São Paulo: asked in Manaus,
    it belongs to the Manaus day, in the report's counts and days as in the export's times, on
    SQLite as on PostgreSQL."""
    from datetime import UTC, datetime
    from zoneinfo import ZoneInfo

    from sqlalchemy import insert

    from bot.services.exports import export
    from bot.storage.models import Lead, Touch
    from bot.storage.reporting import ActivityFilter

    manaus = ZoneInfo("America/Manaus")
    late = datetime(2026, 3, 10, 23, 30, tzinfo=manaus).astimezone(UTC)
    with engine.begin() as connection:
        connection.execute(insert(Member), [dict(id=1, telegram_id=1, role="rep", first_name="Ana", created_at=late)])
        connection.execute(
            insert(Lead), [dict(id=1, owner_id=1, company="X", company_key="x", created_at=late, updated_at=late)]
        )
        connection.execute(
            insert(Touch),
            [
                dict(
                    id=1, lead_id=1, rep_id=1, channel="phone", outcome="no_answer", playbook_version="1.0",
                    playbook_fingerprint="fp", happened_at=late, recorded_at=late,
                )
            ],
        )
    start = datetime(2026, 3, 10, tzinfo=manaus).astimezone(UTC)
    end = datetime(2026, 3, 11, tzinfo=manaus).astimezone(UTC)
    with Session(engine) as session:
        in_manaus = build_report(session, start=start, end=end, zone="America/Manaus")
    sao_paulo = ZoneInfo("America/Sao_Paulo")
    with Session(engine) as session:
        in_sao_paulo = build_report(
            session,
            start=datetime(2026, 3, 10, tzinfo=sao_paulo).astimezone(UTC),
            end=datetime(2026, 3, 11, tzinfo=sao_paulo).astimezone(UTC),
            zone="America/Sao_Paulo",
        )
    assert in_manaus.basic.calls_made == 1
    assert [(r.active_days, r.working_days) for r in in_manaus.adoption.reps] == [(1, 1)]  # a Tuesday
    assert in_manaus.zone == manaus
    assert in_sao_paulo.basic.calls_made == 0  # the same call, on São Paulo's 11th
    manaus = ActivityFilter(start, end, zone="America/Manaus")
    result = export(cli_runtime(engine), what=["touches"], directory=tmp_path, filters=manaus)
    with result.files[0].open(encoding="utf-8-sig", newline="") as handle:
        assert [row["data_hora"] for row in csv.DictReader(handle, delimiter=";")] == ["2026-03-10 23:30:00"]
    assert result.zone_note == "Horários no fuso America/Manaus."
