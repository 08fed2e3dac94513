"""The manager report's numbers: every metric of the sales articles (DESIGN §2) for a period.

The report comes in three parts, this one the first:

- metrics, here: :func:`build_report` runs a handful of aggregate queries
  (:mod:`bot.storage.reporting`, which read only the period) and names the numbers in the typed
  rows of :mod:`bot.services.report_rows` (:class:`Report`, :class:`CampaignRow`,
  :class:`RepActivity`…); :func:`report_for` is the entry point for people (a rep only ever
  sees their own numbers);
- words: :mod:`bot.render.reports` lays a :class:`Report` out through the Jinja templates and
  the catalog, in pt-BR or English, for the chat (HTML) and the terminal (text tables);
- charts: :mod:`bot.render.charts` draws the funnel and the leaderboard (matplotlib).

Every metric is defined once, in :mod:`bot.domain.metrics` (calls, messages, connections,
replies, SQL, no-shows, conversion per stage), and counted here by asking it:

- *SQL*: one booking — a ``meeting_booked`` touch, or a meeting booked without one that continues
  no other (a reschedule or a re-booking after a no-show is the same SQL), for the rep who booked,
  the lead's campaign, at the booking moment. Every "X ÷ SQL", the SQL per campaign × rep and the
  leaderboard use this one count.
- *advanced ratios* ("X ÷ SQL"): distinct companies where X happened, per SQL.
"""

from __future__ import annotations

from collections import defaultdict
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from bot.domain import metrics
from bot.domain.calendar import WorkingHours, is_business_day
from bot.domain.regions import DEFAULT_ZONE
from bot.domain.vocabulary import MESSAGE_CHANNELS, Channel, Role
from bot.i18n import N_
from bot.services.experiments import experiments_from_counts
from bot.services.report_rows import (
    COUNT_FIELDS,
    Adoption,
    Basic,
    CampaignRow,
    ChannelRate,
    FunnelStep,
    LossRow,
    NoShows,
    RepActivity,
    RepCounts,
    Report,
    TaskRow,
)
from bot.services.team import NotAllowed
from bot.services.views import MemberLike
from bot.storage import reporting as q
from bot.storage.db import read_only_snapshot, twin_snapshot
from bot.storage.fit_overrides import count_fit_overrides
from bot.storage.reporting import FUNNEL, ActivityFilter
from bot.storage.tasks import task_counts

if TYPE_CHECKING:
    from sqlmodel import Session




_ratio = metrics.ratio


def _funnel(ranks: dict[int, int]) -> list[FunnelStep]:
    """Turn {highest rank reached: leads} into cumulative reach and step conversion."""
    steps: list[FunnelStep] = []
    running = 0
    reached_at = [0] * len(FUNNEL)
    for rank in range(len(FUNNEL) - 1, -1, -1):
        running += ranks.get(rank, 0)
        reached_at[rank] = running
    for rank, stage in enumerate(FUNNEL):
        previous = reached_at[rank - 1] if rank else 0
        conversion = metrics.conversion(reached_at[rank], previous) if rank else None
        steps.append(FunnelStep(stage.value, reached_at[rank], conversion))
    return steps


def build_report(
    session: Session,
    *,
    start: datetime | None,
    end: datetime | None,
    campaign: str | None = None,
    rep_id: int | None = None,
    playbook_version: str | None = None,
    working_hours: WorkingHours | None = None,
    zone: str = DEFAULT_ZONE,
    now: datetime | None = None,
) -> Report:
    """Every metric for the period ``[start, end)`` (aware datetimes), filtered as asked; days
    are ``zone``'s (an IANA name). ``now`` (default: the system clock) is when a follow-up
    still open past its moment counts as overdue.

    Give it a fresh :func:`~bot.storage.db.read_scope` session. A fresh session from anywhere
    else is switched to a read-only transaction here, so a long report never holds SQLite's
    write lock. On a SQLite file, half the queries run at the same time on a twin of the same
    snapshot (:func:`~bot.storage.db.twin_snapshot`): the numbers all describe one moment.
    """
    with twin_snapshot(session) as twin:
        read_only_snapshot(session)
        f = ActivityFilter(start, end, campaign, rep_id, playbook_version, zone)
        as_of = now or datetime.now(UTC)
        if twin is None:
            return _build(session, f, _stage_counts(session, f), working_hours, as_of)
        # SQLite: the lead and stage-change queries run on a twin snapshot (the very same data)
        # in a second thread while this one reads the touches; the driver releases the GIL
        # while SQLite works, so the two halves take the time of the longer one.
        with ThreadPoolExecutor(max_workers=1) as pool:
            stages = pool.submit(_stage_counts, twin, f)
            return _build(session, f, stages, working_hours, as_of)


@dataclass(frozen=True, slots=True)
class _StageCounts:
    entered: list[tuple[str, int]]
    list_sizes: list[tuple[str, int]]
    funnel: q.FunnelCounts
    losses: list[tuple[str, str | None, str | None, int]]


def _stage_counts(session: Session, f: ActivityFilter) -> _StageCounts:
    """The queries over leads and stage changes (see :func:`build_report`)."""
    return _StageCounts(
        q.leads_entered(session, f), q.list_sizes(session, f), q.funnel_counts(session, f), q.losses(session, f)
    )


def _build(
    session: Session,
    f: ActivityFilter,
    stage_counts: _StageCounts | Future[_StageCounts],
    working_hours: WorkingHours | None,
    as_of: datetime,
) -> Report:
    campaigns: dict[str, CampaignRow] = {}

    def row(name: str | None) -> CampaignRow:
        key = name or ""
        if key not in campaigns:
            campaigns[key] = CampaignRow(key)
        return campaigns[key]

    # Touches: one wide aggregate answers counts, rates, SQL and A/B.
    by_channel_attempts: dict[str, int] = defaultdict(int)
    by_channel_replies: dict[str, int] = defaultdict(int)
    sql_matrix: dict[tuple[str, int], int] = defaultdict(int)
    rep_counts: dict[int, RepCounts] = defaultdict(RepCounts)
    ab_rows: list[tuple[str | None, str | None, str | None, str, int]] = []
    for camp, rep, channel, outcome, version, script_id, variant, n in q.touch_counts(session, f):
        c = row(camp)
        n = int(n)
        rep_counts[rep].touches += n
        ab_rows.append((script_id, variant, version, outcome, n))
        if metrics.touch_is_sql(outcome):
            c.sql += n
            sql_matrix[(c.campaign, rep)] += n
            rep_counts[rep].sql += n
        if not metrics.is_attempt(outcome):
            continue
        by_channel_attempts[channel] += n
        if metrics.is_reply(outcome):
            by_channel_replies[channel] += n
        if metrics.is_call(channel, outcome):
            c.calls += n
            rep_counts[rep].calls += n
            if metrics.is_connection(channel, outcome):
                c.effective_calls += n
        elif metrics.is_message(channel, outcome):
            c.messages += n
            rep_counts[rep].messages += n
    # The meetings that are SQL of their own (metrics.meeting_is_sql), counted in the database.
    for camp, rep, n in q.sql_without_touch(session, f):
        c = row(camp)
        c.sql += n
        sql_matrix[(c.campaign, rep)] += n
        rep_counts[rep].sql += n

    for camp, decision_makers, influencers, intent_45d, intent_90d in q.reached_counts(session, f):
        c = row(camp)
        c.decision_makers += int(decision_makers)
        c.influencers += int(influencers)
        c.intent_45d += int(intent_45d)
        c.intent_90d += int(intent_90d)

    held = no_show = other = 0
    reasons: dict[str, int] = defaultdict(int)
    for _camp, status, reason, n in q.meeting_outcomes(session, f):
        if metrics.is_held(status):
            held += n
        elif metrics.is_no_show(status):
            no_show += n
            reasons[reason or ""] += n
        else:
            other += n
    adoption = _adoption(session, f, rep_counts, working_hours or WorkingHours())

    # Leads and stage changes (read in parallel when possible).
    stages = stage_counts.result() if isinstance(stage_counts, Future) else stage_counts
    for camp, n in stages.entered:
        row(camp).entered += n
    for camp, n in stages.list_sizes:
        row(camp).list_companies += n
    funnel = stages.funnel
    for camp, n in funnel.proposals:
        row(camp).proposals += n
    for camp, n in funnel.sales:
        row(camp).sales += n
    loss_rows: list[LossRow] = []
    for camp, from_stage, reason, n in stages.losses:
        row(camp).lost += n
        loss_rows.append(LossRow(camp or "", from_stage, reason, n))
    loss_rows.sort(key=lambda r: (r.campaign, _stage_order(r.stage), -r.losses, r.reason or ""))

    ranks_by_campaign: dict[str, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    ranks_total: dict[int, int] = defaultdict(int)
    for camp, rank, n in funnel.reach:
        ranks_by_campaign[camp or ""][rank] += n
        ranks_total[rank] += n
    for camp, ranks in ranks_by_campaign.items():
        row(camp).funnel = _funnel(ranks)

    total = CampaignRow("")
    for c in campaigns.values():
        for name in COUNT_FIELDS:
            setattr(total, name, getattr(total, name) + getattr(c, name))
        if not c.funnel:
            c.funnel = _funnel({})
    total.funnel = _funnel(ranks_total)

    messages_by_channel = {
        ch.value: by_channel_attempts.get(ch.value, 0) for ch in Channel if ch in MESSAGE_CHANNELS
    }
    basic = Basic(
        companies_entered=total.entered,
        companies_lost=total.lost,
        calls_made=total.calls,
        messages_sent=total.messages,
        messages_by_channel=messages_by_channel,
        sql_booked=total.sql,
        fit_overrides=count_fit_overrides(session, f),
    )
    reply_rates = [
        ChannelRate(
            ch.value, by_channel_attempts.get(ch.value, 0), by_channel_replies.get(ch.value, 0)
        )
        for ch in Channel
    ]
    # Follow-ups belong to no playbook version: a report of one version leaves them out.
    task_rows = task_counts(session, f, as_of=as_of) if f.playbook_version is None else []
    names = q.member_names(
        session,
        {rep for _c, rep in sql_matrix} | {r.rep_id for r in adoption.reps} | {t[0] for t in task_rows},
    )
    adoption = Adoption(
        adoption.weeks,
        sorted(
            (_named(r, names) for r in adoption.reps), key=lambda r: (-r.sql, -r.touches, r.name)
        ),
    )
    return Report(
        filter=f,
        basic=basic,
        reply_rates=reply_rates,
        funnel=total.funnel,
        campaigns=sorted(campaigns.values(), key=lambda c: (-c.sql, c.campaign)),
        total=total,
        losses=loss_rows,
        no_shows=NoShows(held, no_show, other, dict(reasons)),
        sql_by_campaign_rep={k: v for k, v in sql_matrix.items() if v},
        rep_names=names,
        experiments=experiments_from_counts(ab_rows),
        adoption=adoption,
        tasks=sorted(
            (TaskRow(rep, names.get(rep, f"#{rep}"), due, done, overdue) for rep, due, done, overdue in task_rows),
            key=lambda t: (-t.due, t.name),
        ),
    )


def _stage_order(stage: str | None) -> int:
    order = [s.value for s in FUNNEL]
    return order.index(stage) if stage in order else len(order)


def _named(activity: RepActivity, names: dict[int, str]) -> RepActivity:
    return replace(activity, name=names.get(activity.rep_id, f"#{activity.rep_id}"))


def _as_date(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


def _adoption(
    session: Session, f: ActivityFilter, rep_counts: dict[int, RepCounts], hours: WorkingHours
) -> Adoption:
    week_reps: dict[str, set[int]] = defaultdict(set)
    active_days: dict[int, int] = defaultdict(int)
    days_seen: list[date] = []
    for raw_day, rep in q.active_rep_days(session, f):
        day = _as_date(raw_day)
        iso = day.isocalendar()
        week_reps[f"{iso.year}-W{iso.week:02d}"].add(rep)
        active_days[rep] += 1
        days_seen.append(day)
    working_days = 0
    if days_seen or (f.start and f.end):
        first = (
            f.start.astimezone(ZoneInfo(f.zone)).date() if f.start else min(days_seen)
        )
        last_moment = (f.end - timedelta(microseconds=1)) if f.end else None
        last = (
            last_moment.astimezone(ZoneInfo(f.zone)).date()
            if last_moment
            else max(days_seen)
        )
        day = first
        while day <= last:
            working_days += is_business_day(day, hours)
            day += timedelta(days=1)
    reps = [
        RepActivity(
            rep_id=rep,
            name="",
            touches=counts.touches,
            calls=counts.calls,
            messages=counts.messages,
            sql=counts.sql,
            active_days=active_days.get(rep, 0),
            working_days=working_days,
        )
        for rep, counts in rep_counts.items()
    ]
    return Adoption(sorted((w, len(r)) for w, r in week_reps.items()), reps)


def report_for(
    session: Session,
    member: MemberLike,
    *,
    start: datetime | None,
    end: datetime | None,
    campaign: str | None = None,
    rep_id: int | None = None,
    playbook_version: str | None = None,
    working_hours: WorkingHours | None = None,
    now: datetime | None = None,
) -> Report:
    """The report ``member`` may see: a manager any rep's or the team's; a rep only their own.
    Its days are the member's own (their ``timezone``)."""
    if member.role != Role.MANAGER:
        if rep_id is not None and rep_id != member.id:
            raise NotAllowed(N_("Você só pode ver os seus próprios números."))
        rep_id = member.id
    return build_report(
        session,
        start=start,
        end=end,
        campaign=campaign,
        rep_id=rep_id,
        playbook_version=playbook_version,
        working_hours=working_hours,
        zone=member.timezone,
        now=now,
    )


__all__ = [
    "COUNT_FIELDS",
    "Adoption",
    "Basic",
    "CampaignRow",
    "ChannelRate",
    "FunnelStep",
    "LossRow",
    "MemberLike",
    "NoShows",
    "NotAllowed",
    "RepActivity",
    "RepCounts",
    "Report",
    "TaskRow",
    "build_report",
    "report_for",
]
