"""The manager report: every metric of the sales articles (DESIGN §2) for a period.

:func:`build_report` runs a handful of aggregate queries (:mod:`bot.storage.reporting`) and
names the numbers; :func:`report_for` is the entry point for people (a rep only ever sees their
own numbers). :func:`render_chat` / :func:`render_cli` turn a :class:`Report` into text and
:func:`funnel_chart` / :func:`leaderboard_chart` into PNG bytes.

Every metric is defined once, in :mod:`bot.domain.metrics` (calls, messages, connections,
replies, SQL, no-shows, conversion per stage), and counted here by asking it:

- *SQL*: one booking — a ``meeting_booked`` touch, or a meeting booked without one that continues
  no other (a reschedule or a re-booking after a no-show is the same SQL), for the rep who booked,
  the lead's campaign, at the booking moment. Every "X ÷ SQL", the SQL per campaign × rep and the
  leaderboard use this one count.
- *advanced ratios* ("X ÷ SQL"): distinct companies where X happened, per SQL.
"""

from __future__ import annotations

import io
from collections import defaultdict
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bot.domain import metrics
from bot.domain.calendar import WorkingHours, is_business_day
from bot.domain.labels import label
from bot.domain.playbook.model import Playbook
from bot.domain.vocabulary import MESSAGE_CHANNELS, Channel, Role
from bot.i18n import gettext_for
from bot.render import reports as text
from bot.render.reports import CHAT_LIMIT, integer, percent
from bot.services import team
from bot.services.experiments import Experiment, experiments_from_counts
from bot.services.views import MemberLike
from bot.storage import reporting as q
from bot.storage.db import read_only_snapshot, twin_snapshot
from bot.storage.fit_overrides import count_fit_overrides
from bot.storage.reporting import FUNNEL, ActivityFilter

if TYPE_CHECKING:
    from sqlmodel import Session


class NotAllowed(team.NotAllowed, PermissionError):
    """A member asked for numbers or rows they may not see; the message is fit to show them."""


# ------------------------------------------------------------------------------ the report


@dataclass(frozen=True, slots=True)
class Basic:
    companies_entered: int
    companies_lost: int
    calls_made: int
    messages_sent: int
    messages_by_channel: dict[str, int]
    sql_booked: int
    fit_overrides: int = 0
    """Cadences started on leads outside the ICP after the rep confirmed (fit before effort)."""


@dataclass(frozen=True, slots=True)
class ChannelRate:
    channel: str
    attempts: int
    replies: int

    @property
    def rate(self) -> float | None:
        return _ratio(self.replies, self.attempts)


@dataclass(frozen=True, slots=True)
class FunnelStep:
    stage: str
    reached: int
    conversion: float | None
    """reached ÷ reached at the previous stage (None for the first stage or when 0)."""


@dataclass(frozen=True, slots=True)
class LossRow:
    campaign: str
    stage: str | None
    reason: str | None
    losses: int


@dataclass(frozen=True, slots=True)
class NoShows:
    held: int
    no_shows: int
    other: int
    """Scheduled, rescheduled or cancelled meetings that started in the period."""
    reasons: dict[str, int]

    @property
    def rate(self) -> float | None:
        """:func:`bot.domain.metrics.no_show_rate`."""
        return metrics.no_show_rate(self.held, self.no_shows)


#: The additive counts of a campaign row: a total row is their sum.
COUNT_FIELDS = (
    "list_companies",
    "entered",
    "lost",
    "calls",
    "effective_calls",
    "messages",
    "sql",
    "decision_makers",
    "influencers",
    "intent_45d",
    "intent_90d",
    "proposals",
    "sales",
)


@dataclass(slots=True)
class CampaignRow:
    """Counts and the advanced (PDCA) ratios of one campaign (or all of them)."""

    campaign: str
    list_companies: int = 0
    entered: int = 0
    lost: int = 0
    calls: int = 0
    effective_calls: int = 0
    messages: int = 0
    sql: int = 0
    decision_makers: int = 0
    influencers: int = 0
    intent_45d: int = 0
    intent_90d: int = 0
    proposals: int = 0
    sales: int = 0
    funnel: list[FunnelStep] = field(default_factory=list)

    @property
    def effective_rate(self) -> float | None:
        return _ratio(self.effective_calls, self.calls)

    @property
    def list_per_sql(self) -> float | None:
        return _ratio(self.list_companies, self.sql)

    def per_sql(self, count: int) -> float | None:
        return _ratio(count, self.sql)


@dataclass(frozen=True, slots=True)
class RepActivity:
    rep_id: int
    name: str
    touches: int
    calls: int
    messages: int
    sql: int
    active_days: int
    working_days: int

    @property
    def per_working_day(self) -> float | None:
        return _ratio(self.touches, self.working_days)

    @property
    def per_active_day(self) -> float | None:
        return _ratio(self.touches, self.active_days)


@dataclass(frozen=True, slots=True)
class Adoption:
    weeks: list[tuple[str, int]]
    """(ISO week "2025-W07", reps who logged at least one touch that week)."""
    reps: list[RepActivity]


@dataclass(frozen=True, slots=True)
class Report:
    filter: ActivityFilter
    basic: Basic
    reply_rates: list[ChannelRate]
    funnel: list[FunnelStep]
    campaigns: list[CampaignRow]
    total: CampaignRow
    losses: list[LossRow]
    no_shows: NoShows
    sql_by_campaign_rep: dict[tuple[str, int], int]
    rep_names: dict[int, str]
    experiments: list[Experiment]
    adoption: Adoption

    @property
    def empty(self) -> bool:
        b = self.basic
        return not (
            b.companies_entered
            or b.calls_made
            or b.messages_sent
            or b.sql_booked
            or b.companies_lost
            or b.fit_overrides
            or self.adoption.reps
        )


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
) -> Report:
    """Every metric for the period ``[start, end)`` (aware datetimes), filtered as asked.

    Give it a fresh :func:`~bot.storage.db.read_scope` session. A fresh session from anywhere
    else is switched to a read-only transaction here, so a long report never holds SQLite's
    write lock. On a SQLite file, half the queries run at the same time on a twin of the same
    snapshot (:func:`~bot.storage.db.twin_snapshot`): the numbers all describe one moment.
    """
    with twin_snapshot(session) as twin:
        read_only_snapshot(session)
        f = ActivityFilter(start, end, campaign, rep_id, playbook_version)
        if twin is None:
            return _build(session, f, _stage_counts(session, f), working_hours)
        # SQLite: the lead and stage-change queries run on a twin snapshot (the very same data)
        # in a second thread while this one reads the touches; the driver releases the GIL
        # while SQLite works, so the two halves take the time of the longer one.
        with ThreadPoolExecutor(max_workers=1) as pool:
            stages = pool.submit(_stage_counts, twin, f)
            return _build(session, f, stages, working_hours)


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
    rep_counts: dict[int, list[int]] = defaultdict(lambda: [0, 0, 0, 0])  # touches calls msgs sql
    ab_rows: list[tuple[str | None, str | None, str | None, str, int]] = []
    for camp, rep, channel, outcome, version, script_id, variant, n in q.touch_counts(session, f):
        c = row(camp)
        n = int(n)
        rep_counts[rep][0] += n
        ab_rows.append((script_id, variant, version, outcome, n))
        if metrics.touch_is_sql(outcome):
            c.sql += n
            sql_matrix[(c.campaign, rep)] += n
            rep_counts[rep][3] += n
        if not metrics.is_attempt(outcome):
            continue
        by_channel_attempts[channel] += n
        if metrics.is_reply(outcome):
            by_channel_replies[channel] += n
        if metrics.is_call(channel, outcome):
            c.calls += n
            rep_counts[rep][1] += n
            if metrics.is_connection(channel, outcome):
                c.effective_calls += n
        elif metrics.is_message(channel, outcome):
            c.messages += n
            rep_counts[rep][2] += n
    # The meetings that are SQL of their own (metrics.meeting_is_sql), counted in the database.
    for camp, rep, n in q.sql_without_touch(session, f):
        c = row(camp)
        c.sql += n
        sql_matrix[(c.campaign, rep)] += n
        rep_counts[rep][3] += n

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
    names = q.member_names(
        session, {rep for _c, rep in sql_matrix} | {r.rep_id for r in adoption.reps}
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
    )


def _stage_order(stage: str | None) -> int:
    order = [s.value for s in FUNNEL]
    return order.index(stage) if stage in order else len(order)


def _named(activity: RepActivity, names: dict[int, str]) -> RepActivity:
    return RepActivity(
        activity.rep_id,
        names.get(activity.rep_id, f"#{activity.rep_id}"),
        activity.touches,
        activity.calls,
        activity.messages,
        activity.sql,
        activity.active_days,
        activity.working_days,
    )


def _as_date(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


def _adoption(
    session: Session, f: ActivityFilter, rep_counts: dict[int, list[int]], hours: WorkingHours
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
            f.start.astimezone(q.LOCAL_ZONE).date() if f.start else min(days_seen)
        )
        last_moment = (f.end - timedelta(microseconds=1)) if f.end else None
        last = (
            last_moment.astimezone(q.LOCAL_ZONE).date()
            if last_moment
            else max(days_seen)
        )
        day = first
        while day <= last:
            working_days += is_business_day(day, hours)
            day += timedelta(days=1)
    reps = [
        RepActivity(
            rep,
            "",
            counts[0],
            counts[1],
            counts[2],
            counts[3],
            active_days.get(rep, 0),
            working_days,
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
) -> Report:
    """The report ``member`` may see: a manager any rep's or the team's; a rep only their own."""
    if member.role != Role.MANAGER:
        if rep_id is not None and rep_id != member.id:
            raise NotAllowed("Você só pode ver os seus próprios números.")
        rep_id = member.id
    return build_report(
        session,
        start=start,
        end=end,
        campaign=campaign,
        rep_id=rep_id,
        playbook_version=playbook_version,
        working_hours=working_hours,
    )


# ------------------------------------------------------------------------------ text


def period_text(f: ActivityFilter, language: str = "pt") -> str:
    return text.period_text(f, q.LOCAL_ZONE, language)


def render_chat(
    report: Report,
    *,
    language: str = "pt",
    playbook: Playbook | None = None,
    templates_dir: Path | None = None,
    limit: int = CHAT_LIMIT,
) -> str:
    """Short HTML for Telegram in ``language`` (``templates/report_chat.html``; escaped,
    ≤ ``limit`` characters, the tail cut at a line if needed). ``playbook`` names the reasons."""
    return text.render_chat(
        report, language=language, playbook=playbook, zone=q.LOCAL_ZONE, templates_dir=templates_dir, limit=limit
    )


def render_cli(
    report: Report, *, language: str = "pt", playbook: Playbook | None = None, templates_dir: Path | None = None
) -> str:
    """Plain-text tables for the terminal in ``language`` (``templates/report_cli.txt``)."""
    return text.render_cli(report, language=language, playbook=playbook, zone=q.LOCAL_ZONE, templates_dir=templates_dir)


# ------------------------------------------------------------------------------ charts


def _png(figure: Any) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=110, bbox_inches="tight")
    import matplotlib.pyplot as plt

    plt.close(figure)
    return buffer.getvalue()


def _pyplot() -> Any:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def funnel_chart(report: Report, language: str = "pt") -> bytes:
    """A horizontal funnel: companies at each stage, with the step conversion."""
    plt = _pyplot()
    _ = gettext_for(language)
    steps = report.funnel
    labels = [label("stage", s.stage, _) for s in steps][::-1]
    values = [s.reached for s in steps][::-1]
    figure, axes = plt.subplots(figsize=(7, 4))
    bars = axes.barh(labels, values, color="#2b7bb9")
    top = max(values) if any(values) else 1
    for bar, step in zip(bars, steps[::-1], strict=True):
        value = integer(step.reached, language)
        if step.conversion is not None:
            value += f"  ({percent(step.conversion, language)})"
        axes.text(
            bar.get_width() + top * 0.01,
            bar.get_y() + bar.get_height() / 2,
            value,
            va="center",
            fontsize=9,
        )
    axes.set_xlim(0, top * 1.3)
    title = _("Funil")
    axes.set_title(f"{title} — {period_text(report.filter, language)}")
    axes.spines[["top", "right"]].set_visible(False)
    return _png(figure)


def leaderboard_chart(report: Report, language: str = "pt", *, top: int = 15) -> bytes:
    """SQL booked and touches per rep, best first."""
    plt = _pyplot()
    _ = gettext_for(language)
    reps = report.adoption.reps[:top][::-1]
    names = [r.name[:20] for r in reps] or ["—"]
    figure, axes = plt.subplots(figsize=(7, max(2.5, 0.4 * len(names) + 1)))
    axes.barh(names, [r.sql for r in reps] or [0], color="#e07b39", label="SQL")
    for index, r in enumerate(reps):
        touches = _("%(n)s toques") % {"n": integer(r.touches, language)}
        axes.text(r.sql, index, f" {r.sql} SQL · {touches}", va="center", fontsize=8)
    axes.set_xlim(0, max([r.sql for r in reps] + [1]) * 1.6)
    title = _("Ranking de vendedores")
    axes.set_title(f"{title} — {period_text(report.filter, language)}")
    axes.spines[["top", "right"]].set_visible(False)
    return _png(figure)
