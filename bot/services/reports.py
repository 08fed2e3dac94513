"""The manager report: every metric of the sales articles (DESIGN §2) for a period.

:func:`build_report` runs a handful of aggregate queries (:mod:`bot.storage.reporting`) and
names the numbers; :func:`report_for` is the entry point for people (a rep only ever sees their
own numbers). :func:`render_chat` / :func:`render_cli` turn a :class:`Report` into text and
:func:`funnel_chart` / :func:`leaderboard_chart` into PNG bytes.

Definitions (the same as the chat uses when it logs a touch):

- *calls made*: phone touches not skipped; *messages sent*: e-mail, WhatsApp and LinkedIn
  touches not skipped; *effective calls*: phone touches where someone was reached.
- *reply rate*: touches answered (replied, meeting booked, connected, objection, not
  interested) ÷ attempts, per channel.
- *SQL*: a booked meeting — a ``meeting_booked`` touch, or a meeting row booked without one.
- *funnel*: leads that reached each stage in the period (a lead that skipped a stage passed
  through it) ÷ leads that reached the previous stage.
- *advanced ratios* ("X ÷ SQL"): distinct companies where X happened, per SQL.
"""

from __future__ import annotations

import html
import io
from collections import defaultdict
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, Protocol

from sqlmodel import Session

from bot.domain.calendar import WorkingHours, is_business_day
from bot.domain.vocabulary import (
    MESSAGE_CHANNELS,
    REACHED_OUTCOMES,
    Channel,
    MeetingStatus,
    Outcome,
    Role,
    Stage,
)
from bot.services import team
from bot.services.experiments import REPLY_OUTCOMES, Experiment, experiments_from_counts
from bot.storage import reporting as q
from bot.storage.db import read_only_snapshot, twin_snapshot
from bot.storage.fit_overrides import count_fit_overrides
from bot.storage.reporting import FUNNEL, ActivityFilter

CHAT_LIMIT = 4096

STAGE_NAMES: dict[str, str] = {
    Stage.NEW: "Entraram",
    Stage.PROSPECTING: "Em prospecção",
    Stage.CONNECTED: "Conectadas",
    Stage.MEETING_BOOKED: "Reunião marcada (SQL)",
    Stage.MEETING_HELD: "Reunião realizada",
    Stage.PROPOSAL_SENT: "Proposta enviada",
    Stage.WON: "Venda",
    Stage.LOST: "Perdida",
}
CHANNEL_NAMES: dict[str, str] = {
    Channel.PHONE: "Ligação",
    Channel.EMAIL: "E-mail",
    Channel.WHATSAPP: "WhatsApp",
    Channel.LINKEDIN: "LinkedIn",
}
NO_CAMPAIGN = "(sem campanha)"


class NotAllowed(team.NotAllowed, PermissionError):
    """A member asked for numbers or rows they may not see; the message is fit to show them."""


class MemberLike(Protocol):
    id: int | None
    role: str


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
        """No-shows ÷ meetings that were due and resolved (held or no-show)."""
        return _ratio(self.no_shows, self.held + self.no_shows)


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


def _ratio(numerator: int, denominator: int) -> float | None:
    return numerator / denominator if denominator else None


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
        conversion = _ratio(reached_at[rank], previous) if rank else None
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
        if outcome == Outcome.MEETING_BOOKED:
            c.sql += n
            sql_matrix[(c.campaign, rep)] += n
            rep_counts[rep][3] += n
        if outcome == Outcome.SKIPPED:
            continue
        by_channel_attempts[channel] += n
        if outcome in REPLY_OUTCOMES:
            by_channel_replies[channel] += n
        if channel == Channel.PHONE:
            c.calls += n
            rep_counts[rep][1] += n
            if outcome in REACHED_OUTCOMES:
                c.effective_calls += n
        elif channel in MESSAGE_CHANNELS:
            c.messages += n
            rep_counts[rep][2] += n
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
        if status == MeetingStatus.HELD:
            held += n
        elif status == MeetingStatus.NO_SHOW:
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


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}%".replace(".", ",")


def _num(value: float | None, digits: int = 1) -> str:
    return "—" if value is None else f"{value:.{digits}f}".replace(".", ",")


def _int(value: int) -> str:
    return f"{value:,}".replace(",", ".")


def _campaign_name(name: str) -> str:
    return name or NO_CAMPAIGN


def period_text(f: ActivityFilter) -> str:
    def local(moment: datetime) -> date:
        return moment.astimezone(q.LOCAL_ZONE).date()

    start = local(f.start).strftime("%d/%m/%Y") if f.start else "início"
    end = local(f.end - timedelta(microseconds=1)).strftime("%d/%m/%Y") if f.end else "hoje"
    return f"{start} a {end}"


def render_chat(report: Report, *, limit: int = CHAT_LIMIT) -> str:
    """Short HTML for Telegram (escaped, ≤ ``limit`` characters; the tail is cut if needed)."""
    e = html.escape
    b = report.basic
    t = report.total
    f = report.filter
    head = [f"<b>Relatório</b> — {e(period_text(f))}"]
    scope = []
    if f.campaign:
        scope.append(f"campanha {e(f.campaign)}")
    if f.rep_id is not None:
        scope.append(e(report.rep_names.get(f.rep_id, f"#{f.rep_id}")))
    if f.playbook_version:
        scope.append(f"playbook {e(f.playbook_version)}")
    if scope:
        head.append("(" + ", ".join(scope) + ")")
    lines = [" ".join(head), ""]
    if report.empty:
        lines.append("Nenhuma atividade no período.")
        return "\n".join(lines)
    lines += [
        "<b>Básico</b>",
        f"Empresas que entraram: {_int(b.companies_entered)} · perdidas: {_int(b.companies_lost)}",
        f"Ligações: {_int(b.calls_made)} · mensagens: {_int(b.messages_sent)}",
        f"Reuniões SQL marcadas: <b>{_int(b.sql_booked)}</b>",
        f"Cadências fora do ICP (confirmadas): {_int(b.fit_overrides)}",
        "",
        "<b>Taxas</b>",
    ]
    for rate in report.reply_rates:
        if rate.attempts:
            lines.append(
                f"Resposta {CHANNEL_NAMES[Channel(rate.channel)]}: {_pct(rate.rate)} "
                f"({_int(rate.replies)}/{_int(rate.attempts)})"
            )
    lines.append(f"Ligações efetivas: {_pct(t.effective_rate)}")
    ns = report.no_shows
    if ns.held or ns.no_shows:
        lines.append(f"No-show: {_pct(ns.rate)} ({ns.no_shows} de {ns.held + ns.no_shows})")
    lines += ["", "<b>Funil</b>"]
    for step in report.funnel:
        conv = f" ({_pct(step.conversion)})" if step.conversion is not None else ""
        lines.append(f"{e(STAGE_NAMES[Stage(step.stage)])}: {_int(step.reached)}{conv}")
    lines += ["", "<b>Por SQL</b>"]
    lines.append(
        f"Empresas na lista: {_num(t.list_per_sql)}"
        f" · decisor: {_num(t.per_sql(t.decision_makers), 2)}"
        f" · influenciador: {_num(t.per_sql(t.influencers), 2)}"
    )
    lines.append(
        f"Intenção 45d: {_num(t.per_sql(t.intent_45d), 2)}"
        f" · 90d: {_num(t.per_sql(t.intent_90d), 2)}"
        f" · propostas: {_num(t.per_sql(t.proposals), 2)} · vendas: {_num(t.per_sql(t.sales), 2)}"
    )
    if len(report.campaigns) > 1 or (report.campaigns and report.campaigns[0].campaign):
        lines += ["", "<b>Campanhas</b> (SQL · efetivas · lista/SQL · vendas)"]
        for c in report.campaigns[:8]:
            lines.append(
                f"{e(_campaign_name(c.campaign))}: {c.sql} · {_pct(c.effective_rate)} · "
                f"{_num(c.list_per_sql)} · {c.sales}"
            )
    top_losses = sorted(report.losses, key=lambda r: -r.losses)[:5]
    if top_losses:
        lines += ["", "<b>Perdas</b> (etapa · motivo)"]
        for loss in top_losses:
            stage = STAGE_NAMES.get(loss.stage or "", loss.stage or "?")
            lines.append(f"{e(stage)} · {e(loss.reason or 'sem motivo')}: {loss.losses}")
    if ns.reasons:
        lines.append(
            "No-show: "
            + ", ".join(
                f"{e(reason or 'sem motivo')} {n}"
                for reason, n in sorted(ns.reasons.items(), key=lambda x: -x[1])
            )
        )
    if report.experiments:
        lines += ["", "<b>A/B</b>"]
        for exp in report.experiments[:6]:
            label = "Versões do playbook" if exp.kind == "playbook" else f"Roteiro {exp.subject}"
            lines.append(f"{e(label)}: {e(exp.verdict)}")
    if report.adoption.weeks:
        last_week, active = report.adoption.weeks[-1]
        per_day = [r.per_working_day for r in report.adoption.reps if r.per_working_day is not None]
        avg = sum(per_day) / len(per_day) if per_day else None
        lines += [
            "",
            f"<b>Uso</b>: {active} vendedor(es) ativos em {last_week}; "
            f"{_num(avg)} toques por vendedor por dia útil",
        ]
    text = "\n".join(lines)
    if len(text) > limit:
        cut = text[: limit - 2].rsplit("\n", 1)[0]
        text = cut + "\n…"
    return text


def _table(headers: list[str], rows: list[list[str]]) -> list[str]:
    widths = [len(h) for h in headers]
    for r in rows:
        widths = [max(w, len(cell)) for w, cell in zip(widths, r, strict=True)]

    def line(cells: list[str]) -> str:
        return "  ".join(
            cell.ljust(w) if i == 0 else cell.rjust(w)
            for i, (cell, w) in enumerate(zip(cells, widths, strict=True))
        ).rstrip()

    return [line(headers), line(["-" * w for w in widths]), *(line(r) for r in rows)]


def render_cli(report: Report) -> str:
    """Plain-text tables for the terminal: every metric, nothing cut."""
    b = report.basic
    t = report.total
    f = report.filter
    out = [f"Relatório {period_text(f)}"]
    if f.campaign or f.rep_id is not None or f.playbook_version:
        out.append(
            f"filtros: campanha={f.campaign or '*'} vendedor={f.rep_id or '*'} "
            f"playbook={f.playbook_version or '*'}"
        )
    out += ["", "BÁSICO"]
    out += _table(
        ["métrica", "valor"],
        [
            ["empresas que entraram", _int(b.companies_entered)],
            ["empresas perdidas", _int(b.companies_lost)],
            ["ligações feitas", _int(b.calls_made)],
            ["mensagens enviadas", _int(b.messages_sent)],
            *(
                [
                    [f"  {CHANNEL_NAMES[Channel(ch)]}", _int(n)]
                    for ch, n in b.messages_by_channel.items()
                ]
            ),
            ["reuniões SQL marcadas", _int(b.sql_booked)],
            ["cadências fora do ICP (confirmadas)", _int(b.fit_overrides)],
        ],
    )
    out += ["", "TAXA DE RESPOSTA POR CANAL"]
    out += _table(
        ["canal", "tentativas", "respostas", "taxa"],
        [
            [CHANNEL_NAMES[Channel(r.channel)], _int(r.attempts), _int(r.replies), _pct(r.rate)]
            for r in report.reply_rates
        ],
    )
    out += ["", "FUNIL (todas as campanhas)"]
    out += _table(
        ["etapa", "empresas", "conversão"],
        [[STAGE_NAMES[Stage(s.stage)], _int(s.reached), _pct(s.conversion)] for s in report.funnel],
    )
    if report.campaigns:
        out += ["", "CONVERSÃO POR ETAPA E CAMPANHA"]
        out += _table(
            ["campanha", *(STAGE_NAMES[s][:12] for s in FUNNEL[1:])],
            [
                [_campaign_name(c.campaign), *(_pct(s.conversion) for s in c.funnel[1:])]
                for c in report.campaigns
            ],
        )
        out += ["", "CAMPANHAS (contagens)"]
        out += _table(
            [
                "campanha",
                "lista",
                "entraram",
                "perdidas",
                "ligações",
                "efetivas",
                "mensagens",
                "SQL",
            ],
            [
                [
                    _campaign_name(c.campaign),
                    _int(c.list_companies),
                    _int(c.entered),
                    _int(c.lost),
                    _int(c.calls),
                    _int(c.effective_calls),
                    _int(c.messages),
                    _int(c.sql),
                ]
                for c in [*report.campaigns, _total_row(t)]
            ],
        )
        out += ["", "AVANÇADO (PDCA) — por SQL"]
        out += _table(
            [
                "campanha",
                "efetivas/tent.",
                "lista/SQL",
                "influenc./SQL",
                "decisor/SQL",
                "intenção45/SQL",
                "intenção90/SQL",
                "propostas/SQL",
                "vendas/SQL",
            ],
            [
                [
                    _campaign_name(c.campaign),
                    _pct(c.effective_rate),
                    _num(c.list_per_sql),
                    _num(c.per_sql(c.influencers), 2),
                    _num(c.per_sql(c.decision_makers), 2),
                    _num(c.per_sql(c.intent_45d), 2),
                    _num(c.per_sql(c.intent_90d), 2),
                    _num(c.per_sql(c.proposals), 2),
                    _num(c.per_sql(c.sales), 2),
                ]
                for c in [*report.campaigns, _total_row(t)]
            ],
        )
    if report.losses:
        out += ["", "PERDAS POR ETAPA, MOTIVO E CAMPANHA"]
        out += _table(
            ["campanha", "etapa", "motivo", "perdas"],
            [
                [
                    _campaign_name(r.campaign),
                    r.stage or "?",
                    r.reason or "(sem motivo)",
                    _int(r.losses),
                ]
                for r in report.losses
            ],
        )
    ns = report.no_shows
    out += ["", f"NO-SHOWS: {ns.no_shows} de {ns.held + ns.no_shows} reuniões ({_pct(ns.rate)})"]
    if ns.reasons:
        out += _table(
            ["motivo", "no-shows"],
            [
                [reason or "(sem motivo)", _int(n)]
                for reason, n in sorted(ns.reasons.items(), key=lambda x: -x[1])
            ],
        )
    if report.sql_by_campaign_rep:
        out += ["", "SQL POR CAMPANHA × VENDEDOR"]
        reps = sorted(
            {rep for _c, rep in report.sql_by_campaign_rep},
            key=lambda r: report.rep_names.get(r, ""),
        )
        camps = sorted({c for c, _r in report.sql_by_campaign_rep})
        out += _table(
            ["campanha", *(report.rep_names.get(r, f"#{r}")[:14] for r in reps)],
            [
                [_campaign_name(c), *(str(report.sql_by_campaign_rep.get((c, r), 0)) for r in reps)]
                for c in camps
            ],
        )
    if report.experiments:
        out += ["", "A/B"]
        for exp in report.experiments:
            label = "versões do playbook" if exp.kind == "playbook" else f"roteiro {exp.subject}"
            out.append(f"{label}:")
            out += [
                "  " + line
                for line in _table(
                    ["braço", "toques", "resposta", "reunião"],
                    [
                        [a.name, _int(a.touches), _pct(a.reply_rate), _pct(a.meeting_rate)]
                        for a in exp.arms
                    ],
                )
            ]
            for meetings, replies in exp.comparisons:
                out.append(
                    f"  {meetings.b.name} − {meetings.a.name}: reunião {_pp(meetings.difference)} "
                    f"[{_pp(meetings.low)}; {_pp(meetings.high)}], "
                    f"resposta {_pp(replies.difference)} "
                    f"[{_pp(replies.low)}; {_pp(replies.high)}]"
                )
            out += [f"  → {line}" for line in exp.verdict.splitlines()]
    out += ["", "ADOÇÃO"]
    out += _table(
        ["semana ISO", "vendedores ativos"], [[w, str(n)] for w, n in report.adoption.weeks]
    )
    out.append("")
    out += _table(
        ["vendedor", "toques", "ligações", "mensagens", "SQL", "dias ativos", "toques/dia útil"],
        [
            [
                r.name,
                _int(r.touches),
                _int(r.calls),
                _int(r.messages),
                _int(r.sql),
                str(r.active_days),
                _num(r.per_working_day),
            ]
            for r in report.adoption.reps
        ],
    )
    return "\n".join(out)


def _pp(value: float) -> str:
    return f"{value * 100:+.1f} p.p.".replace(".", ",", 1)


def _total_row(t: CampaignRow) -> CampaignRow:
    total = CampaignRow("TOTAL")
    for name in COUNT_FIELDS:
        setattr(total, name, getattr(t, name))
    return total


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


def funnel_chart(report: Report) -> bytes:
    """A horizontal funnel: companies at each stage, with the step conversion."""
    plt = _pyplot()
    steps = report.funnel
    labels = [STAGE_NAMES[Stage(s.stage)] for s in steps][::-1]
    values = [s.reached for s in steps][::-1]
    figure, axes = plt.subplots(figsize=(7, 4))
    bars = axes.barh(labels, values, color="#2b7bb9")
    top = max(values) if any(values) else 1
    for bar, step in zip(bars, steps[::-1], strict=True):
        text = _int(step.reached)
        if step.conversion is not None:
            text += f"  ({_pct(step.conversion)})"
        axes.text(
            bar.get_width() + top * 0.01,
            bar.get_y() + bar.get_height() / 2,
            text,
            va="center",
            fontsize=9,
        )
    axes.set_xlim(0, top * 1.3)
    axes.set_title(f"Funil — {period_text(report.filter)}")
    axes.spines[["top", "right"]].set_visible(False)
    return _png(figure)


def leaderboard_chart(report: Report, *, top: int = 15) -> bytes:
    """SQL booked and touches per rep, best first."""
    plt = _pyplot()
    reps = report.adoption.reps[:top][::-1]
    names = [r.name[:20] for r in reps] or ["—"]
    figure, axes = plt.subplots(figsize=(7, max(2.5, 0.4 * len(names) + 1)))
    axes.barh(names, [r.sql for r in reps] or [0], color="#e07b39", label="SQL")
    for index, r in enumerate(reps):
        axes.text(r.sql, index, f" {r.sql} SQL · {_int(r.touches)} toques", va="center", fontsize=8)
    axes.set_xlim(0, max([r.sql for r in reps] + [1]) * 1.6)
    axes.set_title(f"Ranking de vendedores — {period_text(report.filter)}")
    axes.spines[["top", "right"]].set_visible(False)
    return _png(figure)
