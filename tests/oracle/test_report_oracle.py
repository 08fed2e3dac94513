"""The report oracle: random days of a sales team, driven through the real chat, recounted by hand.

A Hypothesis state machine (:class:`ReportOracle`) plays two reps (Ana, Bruno) and a manager
(Helena) on a fresh database per example: it creates leads, starts cadences, logs every outcome on
the step card (no answer, connected + the four qualification answers, replied, meeting booked + a
date, objection + what next, not interested + a reason, wrong contact, skip), books meetings from
the lead card, reschedules, marks meetings held or no-show (with a reason, sometimes re-booking with
"Remarcar"), sends proposals, wins and loses leads, and presses forged and stale buttons, while a
frozen clock moves forward between actions. Every action goes through the real Application (the
dialogue harness of ``tests/tg``).

The test keeps its own **event log** — a plain list of what each action did (lead entered, touch
logged, SQL booked, stage moved, meeting booked and how it ended) — and recounts every number of the
report from it. It never reads the bot's tables and never calls the bot's report code to know what
to expect: the report (:func:`bot.services.reports.report_for`, and the ``/relatorio`` text) is only
ever the thing under test. Reports are checked for the manager (everything) and for each rep (only
their own numbers), over all time and over a window of the period.

The definitions the recount uses (issue 9, "Numbers a manager can trust"):

- **calls made**: phone touches not skipped; **messages sent**: e-mail, WhatsApp and LinkedIn
  touches not skipped; **effective calls**: phone touches where someone was reached (connected,
  replied, meeting booked, objection, not interested).
- **reply rate per channel**: answered touches (replied, meeting booked, connected, objection, not
  interested) ÷ attempts (touches not skipped) of that channel.
- **SQL = one booking**: a ``meeting_booked`` touch, or a meeting booked from the lead card without
  such a touch. A reschedule ("Remarcar" on a meeting), or a re-booking after a no-show, is the
  same SQL, not a new one; giving the date of a meeting whose ``meeting_booked`` touch is already
  logged is that touch's SQL. An SQL counts for the campaign and rep of its touch (or of the lead
  when booked from the card), at the moment it was booked.
- **funnel**: leads that reached each stage in the period (a lead that skipped a stage passed
  through it): a lead created in the period reached "new"; a move to a stage in the period reached
  that stage and every stage before it. Conversion: reached ÷ reached at the previous stage.
- **entered**: leads created in the period; **list companies**: leads of the campaign created by
  the end of the period; **lost**: moves to lost in the period, per stage left and reason.
- **no-shows**: meetings that start in the period, by how they ended (held, no-show and its
  reason, anything else).
- **SQL per campaign × rep**; **PDCA ratios**: distinct companies (per campaign) where X happened
  in the period ÷ SQL — decision maker reached, influencer reached, purchase intent within 45 days,
  within 90 days (45 included), proposal sent, won.
- **adoption**: per rep, touches (skips included), calls, messages, SQL, local days with a touch,
  working days of the period; per ISO week, reps with a touch. **A/B**: per script with two or more
  variants tried, attempts, replies and meetings booked of each variant.
- **forged and stale buttons change nothing**: another rep's lead, a funnel move the lead card does
  not offer at that stage, a button pressed again on an old message.

Where the bot disagrees with a definition the test fails: it is not weakened to match (see the
report of branch ``oracle`` for the disagreements found on ``main``, with reproductions).

``ORACLE_EXAMPLES`` / ``ORACLE_STEPS`` (environment) run more or longer examples locally; CI runs
a fixed, derandomised set that stays well under a minute on both backends.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import itertools
import os
import shutil
import uuid
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, Phase, settings
from hypothesis import note as hypothesis_note
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument
from hypothesis.stateful import RuleBasedStateMachine, precondition, rule, run_state_machine_as_test
from sqlalchemy import Engine
from sqlalchemy.engine import URL

from bot.config import Settings
from bot.domain.cadence import choose_variant
from bot.domain.lead_fields import LeadDraft
from bot.domain.playbook.model import Playbook
from bot.domain.vocabulary import Role
from bot.resources import bundled_dir
from bot.services import leads as lead_service
from bot.services import reports
from bot.services.playbooks import load_checked_playbook, remember_playbook
from bot.services.runtime import Runtime
from bot.storage.db import make_engine
from tests.conftest import _create_database, _drop_database
from tests.support.telegram_limits import assert_within_limits
from tests.tg.harness import BotUnderTest, FrozenClock, Person, _words
from tests.tg.test_cadence import FULL

pytestmark = pytest.mark.filterwarnings("ignore:Tasks created via `Application.create_task`")

# Monday 23 November 2026, 10:00 in São Paulo (no national holiday for the weeks that follow).
START = datetime(2026, 11, 23, 13, 0, tzinfo=UTC)
LOCAL = ZoneInfo("America/Sao_Paulo")
#: A window of the period, besides all time: Tuesday 10:00 to Thursday 10:00.
WINDOW = (START + timedelta(days=1), START + timedelta(days=3))
ADMIN_ID = 424242

REPS = ("Ana", "Bruno")
CAMPAIGNS = ("Logística Sul", "Indústria SP", "")
FACTS = {key: value for key, value in FULL.items() if key not in ("company", "campaign")}

FUNNEL = ("new", "prospecting", "connected", "meeting_booked", "meeting_held", "proposal_sent", "won")
RANK = {stage: rank for rank, stage in enumerate(FUNNEL)}
OPEN = FUNNEL[:-1]
REPLIES = {"replied", "meeting_booked", "connected", "objection", "not_interested"}
REACHED = REPLIES
MESSAGE_CHANNELS = {"email", "whatsapp", "linkedin"}
CHANNELS = ("phone", "email", "whatsapp", "linkedin", "visit")  # visit: a field visit (issue 12)
#: The lead card's words for each stage ("Etapa: …").
STAGE_LABELS = {
    "new": "Novo",
    "prospecting": "Em cadência",
    "connected": "Conectado",
    "meeting_booked": "Reunião agendada",
    "meeting_held": "Reunião realizada",
    "proposal_sent": "Proposta enviada",
    "won": "Ganho",
    "lost": "Perdido",
}
ROLES = (("Decisor", "decision_maker"), ("Influenciador", "influencer"), ("Outro", "other"))
PAINS = ("Dor clara", "Dor vaga", "Sem dor")
BUDGETS = ("Tem orçamento", "Precisa aprovar", "Sem orçamento")
INTENTS = (("Em até 45 dias", "45d"), ("Em até 90 dias", "90d"), ("Mais tarde", "later"), ("Sem intenção", "none"))
#: What the bot says when a handler fails unexpectedly (a refusal gets its own polite line).
GENERIC_ERROR = "Algo deu errado"


def note(text: str) -> None:
    """A line of the transcript printed with a failing example (ignored outside Hypothesis)."""
    with contextlib.suppress(InvalidArgument):
        hypothesis_note(text)


@functools.cache
def playbook() -> Playbook:
    return load_checked_playbook(bundled_dir("playbook"))


# ------------------------------------------------------------------------------ the event log


@dataclass
class LeadEntered:
    lead: int
    rep: int
    campaign: str
    at: datetime


@dataclass
class TouchLogged:
    lead: int
    rep: int
    campaign: str
    channel: str
    outcome: str
    at: datetime
    script: str
    variant: str
    role: str | None = None
    intent: str | None = None


@dataclass
class SqlBooked:
    lead: int
    rep: int
    campaign: str
    at: datetime
    how: str  # "meeting_booked touch" | "lead card"


@dataclass
class StageMoved:
    lead: int
    rep: int
    campaign: str
    from_stage: str
    to_stage: str
    reason: str | None
    at: datetime


@dataclass
class MeetingBooked:
    lead: int
    rep: int
    campaign: str
    starts_at: datetime
    booked_at: datetime
    status: str = "scheduled"
    reason: str | None = None
    meeting_id: int | None = None  # as the lead card's buttons name it, once seen


@dataclass
class EventLog:
    leads: list[LeadEntered] = field(default_factory=list)
    touches: list[TouchLogged] = field(default_factory=list)
    sqls: list[SqlBooked] = field(default_factory=list)
    moves: list[StageMoved] = field(default_factory=list)
    meetings: list[MeetingBooked] = field(default_factory=list)


@dataclass
class LeadState:
    """What the test expects of one lead (its own bookkeeping, never read from the bot)."""

    id: int
    owner: str
    campaign: str
    stage: str = "new"
    cadence: str = "not_started"
    step: int | None = None
    meeting: MeetingBooked | None = None
    """The meeting still to happen."""
    touch_awaiting_date: bool = False
    """A ``meeting_booked`` touch is logged but its date was not given yet."""
    after_no_show: bool = False
    """The last meeting was a no-show and nothing was booked since."""

    @property
    def closed(self) -> bool:
        return self.stage in ("won", "lost")


# ------------------------------------------------------------------------------ the recount


def _in(moment: datetime, start: datetime | None, end: datetime | None) -> bool:
    return (start is None or moment >= start) and (end is None or moment < end)


def _ratio(numerator: int, denominator: int) -> float | None:
    return numerator / denominator if denominator else None


def _reached(tops: dict[Any, int]) -> list[int]:
    """Leads at or past each funnel rank, from each lead's highest rank."""
    return [sum(1 for top in tops.values() if top >= rank) for rank in range(len(FUNNEL))]


def _local_day(moment: datetime) -> date:
    return moment.astimezone(LOCAL).date()


def _working_days(first: date, last: date) -> int:
    # The weeks the test covers have no national holiday: working days are Monday to Friday.
    return sum((first + timedelta(days=n)).weekday() < 5 for n in range((last - first).days + 1))


def recount(log: EventLog, *, start: datetime | None, end: datetime | None, rep: int | None) -> dict[str, Any]:
    """Every number of the report, from the event log alone."""

    def mine(owner: int) -> bool:
        return rep is None or owner == rep

    touches = [t for t in log.touches if _in(t.at, start, end) and mine(t.rep)]
    attempts = [t for t in touches if t.outcome != "skipped"]
    sqls = [s for s in log.sqls if _in(s.at, start, end) and mine(s.rep)]
    moves = [m for m in log.moves if _in(m.at, start, end) and mine(m.rep)]
    created = [entry for entry in log.leads if _in(entry.at, start, end) and mine(entry.rep)]
    listed = [entry for entry in log.leads if (end is None or entry.at < end) and mine(entry.rep)]
    meetings = [m for m in log.meetings if _in(m.starts_at, start, end) and mine(m.rep)]
    losses = [m for m in moves if m.to_stage == "lost"]

    campaigns: dict[str, dict[str, Any]] = defaultdict(lambda: dict.fromkeys(reports.COUNT_FIELDS, 0))
    for entry in listed:
        campaigns[entry.campaign]["list_companies"] += 1
    for entry in created:
        campaigns[entry.campaign]["entered"] += 1
    for m in losses:
        campaigns[m.campaign]["lost"] += 1
    for t in attempts:
        row = campaigns[t.campaign]
        if t.channel == "phone":
            row["calls"] += 1
            row["effective_calls"] += t.outcome in REACHED
        elif t.channel in MESSAGE_CHANNELS:
            row["messages"] += 1
    for s in sqls:
        campaigns[s.campaign]["sql"] += 1

    def distinct(campaign_of: Callable[[TouchLogged], bool]) -> Counter[str]:
        return Counter(c for c, _ in {(t.campaign, t.lead) for t in touches if campaign_of(t)})

    for name, counted in (
        ("decision_makers", distinct(lambda t: t.role == "decision_maker")),
        ("influencers", distinct(lambda t: t.role == "influencer")),
        ("intent_45d", distinct(lambda t: t.intent == "45d")),
        ("intent_90d", distinct(lambda t: t.intent in ("45d", "90d"))),
        ("proposals", Counter(c for c, _ in {(m.campaign, m.lead) for m in moves if m.to_stage == "proposal_sent"})),
        ("sales", Counter(c for c, _ in {(m.campaign, m.lead) for m in moves if m.to_stage == "won"})),
    ):
        for campaign, n in counted.items():
            campaigns[campaign][name] += n

    tops: dict[str, dict[int, int]] = defaultdict(dict)
    for entry in created:
        tops[entry.campaign][entry.lead] = 0
    for m in moves:
        if m.to_stage in RANK:
            lead_tops = tops[m.campaign]
            lead_tops[m.lead] = max(lead_tops.get(m.lead, 0), RANK[m.to_stage])
    funnel_total = [0] * len(FUNNEL)
    for campaign, lead_tops in tops.items():
        reached = _reached(lead_tops)
        campaigns[campaign]["funnel"] = reached
        funnel_total = [a + b for a, b in zip(funnel_total, reached, strict=True)]
    significant = {
        name: {**row, "funnel": row.get("funnel", [0] * len(FUNNEL))}
        for name, row in campaigns.items()
        if any(row[f] for f in reports.COUNT_FIELDS) or any(row.get("funnel", []))
    }
    total = {f: sum(row[f] for row in campaigns.values()) for f in reports.COUNT_FIELDS}

    reply_rates = {
        ch: (sum(t.channel == ch for t in attempts), sum(t.channel == ch and t.outcome in REPLIES for t in attempts))
        for ch in CHANNELS
    }

    held = sum(m.status == "held" for m in meetings)
    no_shows = [m for m in meetings if m.status == "no_show"]
    days = {(_local_day(t.at), t.rep) for t in touches}
    seen_days = [d for d, _ in days]
    working = 0
    if seen_days or (start and end):
        first = _local_day(start) if start else min(seen_days)
        last = _local_day(end - timedelta(microseconds=1)) if end else max(seen_days)
        working = _working_days(first, last)
    weeks: dict[str, set[int]] = defaultdict(set)
    for d, who in days:
        iso = d.isocalendar()
        weeks[f"{iso.year}-W{iso.week:02d}"].add(who)
    adoption = {
        who: (
            sum(t.rep == who for t in touches),
            sum(t.rep == who and t.channel == "phone" for t in attempts),
            sum(t.rep == who and t.channel in MESSAGE_CHANNELS for t in attempts),
            sum(s.rep == who for s in sqls),
            sum(1 for _, r in days if r == who),
            working,
        )
        for who in {t.rep for t in touches} | {s.rep for s in sqls}
    }

    arms: dict[str, dict[str, list[int]]] = defaultdict(lambda: defaultdict(lambda: [0, 0, 0]))
    for t in attempts:
        counts = arms[t.script][t.variant]
        counts[0] += 1
        counts[1] += t.outcome in REPLIES
        counts[2] += t.outcome == "meeting_booked"

    return {
        "entered": total["entered"],
        "lost": total["lost"],
        "calls made": total["calls"],
        "messages sent": total["messages"],
        "messages by channel": {ch: reply_rates[ch][0] for ch in CHANNELS if ch in MESSAGE_CHANNELS},
        "SQL": total["sql"],
        "reply rate (attempts, replies) per channel": reply_rates,
        "effective calls": total["effective_calls"],
        "funnel": funnel_total,
        "funnel conversion": [None, *(_ratio(b, a) for a, b in itertools.pairwise(funnel_total))],
        "campaign rows": significant,
        "total row": total,
        "losses (campaign, stage, reason)": dict(Counter((m.campaign, m.from_stage, m.reason) for m in losses)),
        "no-shows (held, no-show, other)": (held, len(no_shows), len(meetings) - held - len(no_shows)),
        "no-show reasons": dict(Counter(m.reason or "" for m in no_shows)),
        "SQL per campaign × rep": dict(Counter((s.campaign, s.rep) for s in sqls)),
        "adoption weeks": sorted((week, len(who)) for week, who in weeks.items()),
        "adoption per rep (touches, calls, messages, SQL, active days, working days)": adoption,
        "A/B arms (attempts, replies, meetings)": {
            script: {variant: tuple(counts) for variant, counts in variants.items()}
            for script, variants in arms.items()
            if len(variants) >= 2
        },
        "empty": not (total["entered"] or total["calls"] or total["messages"] or total["sql"] or total["lost"])
        and not adoption,
    }


def observed(report: reports.Report) -> dict[str, Any]:
    """The same numbers, as the report gives them."""
    b = report.basic
    total = report.total
    return {
        "entered": b.companies_entered,
        "lost": b.companies_lost,
        "calls made": b.calls_made,
        "messages sent": b.messages_sent,
        "messages by channel": dict(b.messages_by_channel),
        "SQL": b.sql_booked,
        "reply rate (attempts, replies) per channel": {r.channel: (r.attempts, r.replies) for r in report.reply_rates},
        "effective calls": total.effective_calls,
        "funnel": [s.reached for s in report.funnel],
        "funnel conversion": [s.conversion for s in report.funnel],
        "campaign rows": {
            c.campaign: {**{f: getattr(c, f) for f in reports.COUNT_FIELDS}, "funnel": [s.reached for s in c.funnel]}
            for c in report.campaigns
            if any(getattr(c, f) for f in reports.COUNT_FIELDS) or any(s.reached for s in c.funnel)
        },
        "total row": {f: getattr(total, f) for f in reports.COUNT_FIELDS},
        "losses (campaign, stage, reason)": {(r.campaign, r.stage, r.reason): r.losses for r in report.losses},
        "no-shows (held, no-show, other)": (report.no_shows.held, report.no_shows.no_shows, report.no_shows.other),
        "no-show reasons": dict(report.no_shows.reasons),
        "SQL per campaign × rep": dict(report.sql_by_campaign_rep),
        "adoption weeks": list(report.adoption.weeks),
        "adoption per rep (touches, calls, messages, SQL, active days, working days)": {
            r.rep_id: (r.touches, r.calls, r.messages, r.sql, r.active_days, r.working_days)
            for r in report.adoption.reps
        },
        "A/B arms (attempts, replies, meetings)": {
            e.subject: {a.name: (a.touches, a.replies, a.meetings) for a in e.arms}
            for e in report.experiments
            if e.kind == "script"
        },
        "empty": report.empty,
    }


def differences(expected: dict[str, Any], got: dict[str, Any]) -> list[str]:
    return [
        f"  {name}: recounted {expected[name]!r}, report says {got[name]!r}"
        for name in expected
        if expected[name] != got[name]
    ]


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}%".replace(".", ",")


def rendered_fragments(numbers: dict[str, Any]) -> list[str]:
    """What the chat report must say, for the recounted numbers (Portuguese)."""
    if numbers["empty"]:
        return ["Nenhuma atividade no período."]
    names = [STAGE_LABELS[stage] for stage in FUNNEL]  # the same words as the lead card
    fragments = [
        f"Empresas que entraram: {numbers['entered']} · perdidas: {numbers['lost']}",
        f"Ligações: {numbers['calls made']} · mensagens: {numbers['messages sent']}",
        f"Reuniões SQL marcadas: {numbers['SQL']}",
        f"Ligações efetivas: {_pct(_ratio(numbers['effective calls'], numbers['calls made']))}",
    ]
    channel_names = {"phone": "Ligação", "email": "E-mail", "whatsapp": "WhatsApp", "linkedin": "LinkedIn"}
    for channel, (attempts, replies) in numbers["reply rate (attempts, replies) per channel"].items():
        if attempts:
            fragments.append(f"Resposta {channel_names[channel]}: {_pct(replies / attempts)} ({replies}/{attempts})")
    for rank, (name, reached) in enumerate(zip(names, numbers["funnel"], strict=True)):
        conversion = numbers["funnel conversion"][rank]
        fragments.append(f"{name}: {reached}" + (f" ({_pct(conversion)})" if conversion is not None else ""))
    held, no_show, _other = numbers["no-shows (held, no-show, other)"]
    if held or no_show:
        fragments.append(f"No-shows: {_pct(no_show / (held + no_show))} ({no_show} de {held + no_show})")
    return fragments


# ------------------------------------------------------------------------------ the machine


def _find_button(bot: BotUnderTest, person: Person, label: str) -> tuple[str, int]:
    """The callback data and message of the button ``person.taps(label)`` would press."""
    wanted = label.casefold()
    for message in reversed(bot.api.messages_to(person.id)):
        markup = message.reply_markup
        if markup is None:
            continue
        buttons = [b for row in markup.inline_keyboard for b in row]
        exact = [b for b in buttons if _words(b.text) == _words(label)]
        partial = [b for b in buttons if wanted in b.text.casefold()]
        for button in exact or partial:
            if isinstance(button.callback_data, str):
                return button.callback_data, message.message_id
    raise AssertionError(f"no button {label!r}; buttons now: {person.buttons()}")


#: Button data whose replay starts a flow that waits for typed text (a date, a note): not replayed.
_WAITS_FOR_TEXT = (":meeting", ":moved")
_PICKS = st.integers(min_value=0, max_value=40)
_SLOTS = st.sampled_from(("10:00", "14:30"))
_DAYS_AHEAD = st.integers(min_value=1, max_value=4)


class ReportOracle(RuleBasedStateMachine):
    """See the module docstring. Each rule is one thing a person does in the chat."""

    new_database: Callable[[], tuple[Engine, Callable[[], None]]]

    def __init__(self) -> None:
        super().__init__()
        self.engine, self._drop = self.new_database()
        self.loop = asyncio.new_event_loop()
        self.clock = FrozenClock(START)
        runtime_settings = Settings(
            _env_file=None,  # type: ignore[call-arg]
            database_url="sqlite://",
            cadencia_admins=str(ADMIN_ID),
            telegram_bot_token="123:TEST",
        )
        runtime = Runtime(settings=runtime_settings, engine=self.engine, playbook=playbook(), clock=self.clock)
        remember_playbook(runtime, playbook())
        self.bot = BotUnderTest(runtime=runtime, clock=self.clock)
        self.refused: list[BaseException] = []
        """Errors of forged and stale presses, each answered with a polite refusal."""
        self._run(self.bot.start())
        self.people: dict[str, Person] = {}
        for name in REPS:
            self.people[name] = self._run(self.bot.member(name))
        self.manager: Person = self._run(self.bot.member("Helena", role=Role.MANAGER))
        self.log = EventLog()
        self.leads: list[LeadState] = []
        self.spent: list[tuple[str, str, int]] = []
        """(person, callback data, message id) of buttons pressed, to press again later."""
        self.steps = playbook().cadence.steps

    # ----------------------------------------------------------------- plumbing

    def _run(self, awaitable: Any) -> Any:
        return self.loop.run_until_complete(awaitable)

    def now(self) -> datetime:
        return self.clock()

    def rep_id(self, name: str) -> int:
        member = self.people[name].member
        assert member is not None and member.id is not None
        return member.id

    def teardown(self) -> None:
        try:
            if self.leads:
                self.everyone_reads_the_report_in_the_chat()
            assert_within_limits(self.bot.api.requests)
            unexpected = [e for e in self.bot.errors if not any(e is r for r in self.refused)]
            assert not unexpected, f"handler errors: {unexpected!r}"
        finally:
            try:
                self._run(self.bot.stop())
            finally:
                self.loop.close()
                self._drop()

    def act(self, person: Person, what: Callable[[], Any], *, refusals: bool = False) -> None:
        """Run one action. A handler error fails it, except for a forged or stale button, whose
        refusal (any kind the bot knows) must be a polite answer, never the generic error."""
        before, requests = len(self.bot.errors), len(self.bot.api.requests)
        self.clock.advance(minutes=7)
        self._run(what())
        new = self.bot.errors[before:]
        if refusals:
            answers = [str(r.params.get("text", "")) for r in self.bot.api.requests[requests:]]
            assert not any(GENERIC_ERROR in a for a in answers), f"a refusal ended in the generic error: {new!r}"
            self.refused += new
            new = []
        unexpected = new
        assert not unexpected, f"handler errors: {unexpected!r}"

    async def press(self, person: Person, label: str, *, spend: bool = True) -> str:
        data, message_id = _find_button(self.bot, person, label)
        if spend and not data.endswith(_WAITS_FOR_TEXT) and not data.startswith(("nt:", "oa:")):
            self.spent.append((self._name(person), data, message_id))
        await person.presses_data(data, message_id)
        return data

    def _name(self, person: Person) -> str:
        return next(name for name, p in self.people.items() if p is person)

    async def open_card(self, lead: LeadState) -> Person:
        rep = self.people[lead.owner]
        await rep.says(f"/lead {lead.id}")
        rep.replies()
        return rep

    def pick(self, candidates: list[LeadState], pick: int) -> LeadState:
        return candidates[pick % len(candidates)]

    # ----------------------------------------------------------------- bookkeeping

    def move(self, lead: LeadState, to: str, reason: str | None = None) -> None:
        if lead.stage == to:
            return
        self.log.moves.append(
            StageMoved(lead.id, self.rep_id(lead.owner), lead.campaign, lead.stage, to, reason, self.now())
        )
        lead.stage = to

    def forward(self, lead: LeadState, to: str) -> None:
        if RANK[to] > RANK[lead.stage]:
            self.move(lead, to)

    def touch(self, lead: LeadState, outcome: str) -> TouchLogged:
        assert lead.step is not None
        step = self.steps[lead.step]
        script = playbook().scripts[step.script]
        logged = TouchLogged(
            lead.id,
            self.rep_id(lead.owner),
            lead.campaign,
            step.channel.value,
            outcome,
            self.now(),
            step.script,
            choose_variant(script, lead_id=lead.id, script_id=step.script),
        )
        self.log.touches.append(logged)
        note(f"  {lead.owner} logs {outcome} on {step.id} ({step.channel.value}) of lead #{lead.id}")
        return logged

    def after_outcome(self, lead: LeadState, outcome: str, reason: str | None = None) -> None:
        """The lead's next state after a touch (the cadence rules of the playbook)."""
        assert lead.step is not None
        last = lead.step == len(self.steps) - 1
        self.forward(lead, "prospecting")
        if outcome == "not_interested":
            self.move(lead, "lost", reason)
            lead.cadence, lead.step = "finished", None
            return
        if outcome in ("meeting_booked", "replied"):
            self.forward(lead, "meeting_booked" if outcome == "meeting_booked" else "connected")
            lead.cadence, lead.step = "stopped", None
            if outcome == "meeting_booked":
                self.sql(lead, "meeting_booked touch")
                lead.touch_awaiting_date = True
            return
        if outcome in ("connected", "objection"):
            self.forward(lead, "connected")
        if last:
            if outcome in ("no_answer", "wrong_contact", "skipped"):
                self.move(lead, "lost", playbook().cadence.no_response_reason)
                lead.cadence, lead.step = "finished", None
            else:
                lead.cadence, lead.step = "stopped", None
            return
        lead.step += 1

    def sql(self, lead: LeadState, how: str) -> None:
        self.log.sqls.append(SqlBooked(lead.id, self.rep_id(lead.owner), lead.campaign, self.now(), how))
        note(f"  → SQL #{len(self.log.sqls)} ({how}) for lead #{lead.id}")

    async def type_meeting_date(self, lead: LeadState, days: int, slot: str, *, how: str) -> None:
        """Answer "para quando?" with a weekday ``days`` ahead at ``slot``; book what it means."""
        rep = self.people[lead.owner]
        day = self.now().astimezone(LOCAL).date() + timedelta(days=days)
        while day.weekday() >= 5:
            day += timedelta(days=1)
        hour, minute = (int(p) for p in slot.split(":"))
        starts = datetime(day.year, day.month, day.day, hour, minute, tzinfo=LOCAL).astimezone(UTC)
        note(f"  {lead.owner} books a meeting for lead #{lead.id} on {day:%d/%m} {slot} ({how})")
        await rep.says(f"{day:%d/%m} {slot}")
        rep.sees("Reunião com", f"{day:%d/%m/%Y} {slot}")
        if how == "reschedule":
            assert lead.meeting is not None
            lead.meeting.status = "rescheduled"
        elif lead.touch_awaiting_date:
            lead.touch_awaiting_date = False  # the date of the touch's SQL
        elif not lead.after_no_show:
            self.sql(lead, "lead card")
        lead.after_no_show = False
        meeting = MeetingBooked(lead.id, self.rep_id(lead.owner), lead.campaign, starts, self.now())
        self.log.meetings.append(meeting)
        lead.meeting = meeting
        self.forward(lead, "meeting_booked")
        if lead.cadence == "active":
            lead.cadence, lead.step = "stopped", None

    async def show_step(self, lead: LeadState) -> Person:
        rep = await self.open_card(lead)
        await self.press(rep, "Passo atual", spend=False)
        assert lead.step is not None
        rep.sees(f"Passo {lead.step + 1} de {len(self.steps)}")
        return rep

    def active(self, channel: str | None = None, *, not_channel: str | None = None) -> list[LeadState]:
        return [
            lead
            for lead in self.leads
            if lead.cadence == "active"
            and lead.step is not None
            and (channel is None or self.steps[lead.step].channel.value == channel)
            and (not_channel is None or self.steps[lead.step].channel.value != not_channel)
        ]

    def check_card(self, lead: LeadState) -> None:
        """The lead card shows the stage and cadence the test expects (after a refusal)."""

        async def look() -> None:
            rep = self.people[lead.owner]
            await rep.says(f"/lead {lead.id}")
            said = rep.sees("Etapa")
            assert f"Etapa: {STAGE_LABELS[lead.stage]}" in said, (
                f"lead #{lead.id} should be at {lead.stage!r} ({STAGE_LABELS[lead.stage]}):\n{said}"
            )
            on_card = any("Passo atual" in b for b in rep.buttons())
            assert on_card == (lead.cadence == "active"), (
                f"lead #{lead.id}: cadence should be {lead.cadence!r}; buttons {rep.buttons()}"
            )

        self._run(look())

    # ----------------------------------------------------------------- rules: leads and cadence

    @rule(rep=st.sampled_from(REPS), campaign=st.sampled_from(CAMPAIGNS))
    def rep_creates_a_lead(self, rep: str, campaign: str) -> None:
        person = self.people[rep]
        assert person.member is not None
        self.clock.advance(minutes=7)
        number = len(self.leads) + 1
        answers = {**FACTS, "company": f"Empresa {number} Ltda", "campaign": campaign}
        created = lead_service.create_lead(self.bot.runtime, person.member, LeadDraft.read(answers))
        lead_id = created.lead.id
        assert lead_id is not None
        self.leads.append(LeadState(lead_id, rep, campaign))
        self.log.leads.append(LeadEntered(lead_id, self.rep_id(rep), campaign, self.now()))
        note(f"  {rep} creates lead #{lead_id} ({campaign or 'no campaign'})")

    @precondition(lambda self: any(x.cadence == "not_started" and not x.closed for x in self.leads))
    @rule(pick=_PICKS)
    def rep_starts_the_cadence(self, pick: int) -> None:
        lead = self.pick([x for x in self.leads if x.cadence == "not_started" and not x.closed], pick)

        async def go() -> None:
            rep = await self.open_card(lead)
            await self.press(rep, "Iniciar cadência")
            rep.sees(f"Passo 1 de {len(self.steps)}")

        note(f"  {lead.owner} starts the cadence of lead #{lead.id}")
        self.act(self.people[lead.owner], go)
        lead.cadence, lead.step = "active", 0
        self.move(lead, "prospecting")

    def _simple_outcome(self, lead: LeadState, label: str, outcome: str) -> None:
        async def go() -> None:
            rep = await self.show_step(lead)
            await self.press(rep, label)
            rep.sees("Registrado")

        self.act(self.people[lead.owner], go)
        self.touch(lead, outcome)
        self.after_outcome(lead, outcome)

    @precondition(lambda self: self.active())
    @rule(pick=_PICKS)
    def rep_logs_no_answer(self, pick: int) -> None:
        lead = self.pick(self.active(), pick)
        assert lead.step is not None
        phone = self.steps[lead.step].channel.value == "phone"
        self._simple_outcome(lead, "Não atendeu" if phone else "Enviado, sem resposta", "no_answer")

    @precondition(lambda self: self.active())
    @rule(pick=_PICKS)
    def rep_logs_wrong_contact(self, pick: int) -> None:
        self._simple_outcome(self.pick(self.active(), pick), "Contato errado", "wrong_contact")

    @precondition(lambda self: self.active())
    @rule(pick=_PICKS)
    def rep_skips_the_step(self, pick: int) -> None:
        self._simple_outcome(self.pick(self.active(), pick), "Pular passo", "skipped")

    @precondition(lambda self: self.active(not_channel="phone"))
    @rule(pick=_PICKS)
    def rep_logs_a_reply(self, pick: int) -> None:
        self._simple_outcome(self.pick(self.active(not_channel="phone"), pick), "Respondeu", "replied")

    @precondition(lambda self: self.active(channel="phone"))
    @rule(
        pick=_PICKS,
        role=st.sampled_from(ROLES),
        pain=st.sampled_from(PAINS),
        budget=st.sampled_from(BUDGETS),
        intent=st.sampled_from(INTENTS),
        then=st.sampled_from(("continue", "book a meeting", "not interested")),
        reason=st.integers(0, 9),
        days=_DAYS_AHEAD,
        slot=_SLOTS,
    )
    def rep_logs_connected_and_qualifies(
        self,
        pick: int,
        role: tuple[str, str],
        pain: str,
        budget: str,
        intent: tuple[str, str],
        then: str,
        reason: int,
        days: int,
        slot: str,
    ) -> None:
        lead = self.pick(self.active(channel="phone"), pick)
        rep = self.people[lead.owner]

        async def call() -> None:
            shown = await self.show_step(lead)
            await self.press(shown, "Atendeu")
            shown.sees("Qualificação", "1/4")
            for label in (role[0], pain, budget, intent[0]):
                await self.press(shown, label)
            shown.sees("Qualificação registrada")

        self.act(rep, call)
        logged = self.touch(lead, "connected")
        logged.role, logged.intent = role[1], intent[1]
        self.after_outcome(lead, "connected")
        if then == "continue" and lead.cadence == "active":
            self.act(rep, lambda: self.press(rep, "Seguir a cadência"))
        elif then == "book a meeting":

            async def book() -> None:
                await self.press(rep, "Agendar reunião")
                rep.sees("Para quando")
                await self.type_meeting_date(lead, days, slot, how="lead card")

            self.act(rep, book)
        elif then == "not interested":
            self._lose_from_prompt(lead, "Sem interesse", reason)

    def _lose_from_prompt(self, lead: LeadState, label: str, reason: int) -> None:
        """A loss from the lead card (or a prompt with the same button): a reason, no touch."""
        rep = self.people[lead.owner]
        reasons = playbook().loss_reasons(lead.stage) or playbook().loss_reasons("prospecting")
        chosen = reasons[reason % len(reasons)]

        async def lose() -> None:
            await self.press(rep, label)
            rep.sees("motivo da perda")
            await self.press(rep, chosen.label)
            rep.sees("perdido")

        note(f"  {lead.owner} marks lead #{lead.id} lost ({chosen.id}) with {label!r}")
        self.act(rep, lose)
        self.move(lead, "lost", chosen.id)
        lead.cadence, lead.step, lead.meeting = "finished", None, None

    @precondition(lambda self: self.active())
    @rule(pick=_PICKS, days=_DAYS_AHEAD, slot=_SLOTS, gives_the_date=st.booleans())
    def rep_logs_meeting_booked(self, pick: int, days: int, slot: str, gives_the_date: bool) -> None:
        lead = self.pick(self.active(), pick)
        rep = self.people[lead.owner]

        async def go() -> None:
            shown = await self.show_step(lead)
            await self.press(shown, "Reunião agendada")
            shown.sees("Para quando")

        self.act(rep, go)
        self.touch(lead, "meeting_booked")
        self.after_outcome(lead, "meeting_booked")
        if gives_the_date:
            self.act(rep, lambda: self.type_meeting_date(lead, days, slot, how="touch"))
        else:
            self.act(rep, lambda: rep.says("/cancelar"))

    @precondition(lambda self: self.active())
    @rule(
        pick=_PICKS,
        objection=st.integers(0, 9),
        then=st.sampled_from(("continue", "meeting booked", "not interested")),
        reason=st.integers(0, 9),
        days=_DAYS_AHEAD,
        slot=_SLOTS,
    )
    def rep_logs_an_objection(self, pick: int, objection: int, then: str, reason: int, days: int, slot: str) -> None:
        lead = self.pick(self.active(), pick)
        rep = self.people[lead.owner]
        chosen = playbook().objections[objection % len(playbook().objections)]
        reasons = playbook().loss_reasons(lead.stage) or playbook().loss_reasons("prospecting")
        loss = reasons[reason % len(reasons)]

        async def go() -> None:
            shown = await self.show_step(lead)
            await self.press(shown, "Objeção")
            shown.sees("Qual objeção?")
            await self.press(shown, chosen.label)
            shown.sees("E depois?")
            if then == "continue":
                await self.press(shown, "Seguir a cadência")
                shown.sees("Registrado")
            elif then == "meeting booked":
                await self.press(shown, "Reunião agendada")
                shown.sees("Para quando")
            else:
                await self.press(shown, "Sem interesse")
                shown.sees("motivo da perda")
                await self.press(shown, loss.label)
                shown.sees("perdido")

        self.act(rep, go)
        outcome = {"continue": "objection", "meeting booked": "meeting_booked", "not interested": "not_interested"}[
            then
        ]
        self.touch(lead, outcome)
        self.after_outcome(lead, outcome, loss.id)
        if then == "meeting booked":
            self.act(rep, lambda: self.type_meeting_date(lead, days, slot, how="touch"))

    @precondition(lambda self: self.active())
    @rule(pick=_PICKS, reason=st.integers(0, 9))
    def rep_logs_not_interested(self, pick: int, reason: int) -> None:
        lead = self.pick(self.active(), pick)
        rep = self.people[lead.owner]
        reasons = playbook().loss_reasons(lead.stage) or playbook().loss_reasons("prospecting")
        chosen = reasons[reason % len(reasons)]

        async def go() -> None:
            shown = await self.show_step(lead)
            await self.press(shown, "Sem interesse")
            shown.sees("motivo da perda")
            await self.press(shown, chosen.label)
            shown.sees("perdido")

        self.act(rep, go)
        self.touch(lead, "not_interested")
        self.after_outcome(lead, "not_interested", chosen.id)

    # ----------------------------------------------------------------- rules: meetings and later stages

    def bookable(self) -> list[LeadState]:
        """Leads whose card offers to book a meeting (or to give the booked meeting a date)."""
        return [
            x
            for x in self.leads
            if x.meeting is None
            and ((x.stage in ("prospecting", "connected") and x.cadence != "active") or x.stage == "meeting_booked")
        ]

    @precondition(lambda self: self.bookable())
    @rule(pick=_PICKS, days=_DAYS_AHEAD, slot=_SLOTS)
    def rep_books_a_meeting_from_the_lead_card(self, pick: int, days: int, slot: str) -> None:
        lead = self.pick(self.bookable(), pick)
        label = "Marcar data da reunião" if lead.stage == "meeting_booked" else "Agendar reunião"

        async def go() -> None:
            rep = await self.open_card(lead)
            await self.press(rep, label)
            rep.sees("Para quando")
            await self.type_meeting_date(lead, days, slot, how="lead card")

        self.act(self.people[lead.owner], go)

    def with_meeting(self) -> list[LeadState]:
        return [x for x in self.leads if x.meeting is not None and not x.closed]

    async def _meeting_button(self, lead: LeadState, label: str) -> Person:
        rep = await self.open_card(lead)
        data = await self.press(rep, label)
        assert lead.meeting is not None
        lead.meeting.meeting_id = int(data.split(":")[1])
        return rep

    @precondition(lambda self: self.with_meeting())
    @rule(pick=_PICKS, days=_DAYS_AHEAD, slot=_SLOTS)
    def rep_reschedules_the_meeting(self, pick: int, days: int, slot: str) -> None:
        lead = self.pick(self.with_meeting(), pick)

        async def go() -> None:
            rep = await self._meeting_button(lead, "Remarcar")
            rep.sees("Para quando")
            await self.type_meeting_date(lead, days, slot, how="reschedule")

        self.act(self.people[lead.owner], go)

    def _after_the_meeting(self, lead: LeadState) -> None:
        """Results are given once the meeting has started (time only moves forward)."""
        assert lead.meeting is not None
        end = lead.meeting.starts_at + timedelta(minutes=50)
        if self.now() < end:
            self.clock.set(end)

    @precondition(lambda self: self.with_meeting())
    @rule(pick=_PICKS)
    def rep_marks_the_meeting_held(self, pick: int) -> None:
        lead = self.pick(self.with_meeting(), pick)
        self._after_the_meeting(lead)

        async def go() -> None:
            rep = await self._meeting_button(lead, "Reunião aconteceu")
            rep.sees("realizada")

        note(f"  {lead.owner} marks the meeting of lead #{lead.id} held")
        self.act(self.people[lead.owner], go)
        assert lead.meeting is not None
        lead.meeting.status, lead.meeting = "held", None
        self.forward(lead, "meeting_held")

    @precondition(lambda self: self.with_meeting())
    @rule(pick=_PICKS, reason=st.integers(0, 9), rebook=st.booleans(), days=_DAYS_AHEAD, slot=_SLOTS)
    def rep_marks_a_no_show(self, pick: int, reason: int, rebook: bool, days: int, slot: str) -> None:
        lead = self.pick(self.with_meeting(), pick)
        self._after_the_meeting(lead)
        reasons = playbook().reasons.no_show
        chosen = reasons[reason % len(reasons)]
        rep = self.people[lead.owner]

        async def go() -> None:
            await self._meeting_button(lead, "No-show")
            rep.sees("Por que não aconteceu?")
            await self.press(rep, chosen.label)
            rep.sees("No-show registrado")

        note(f"  {lead.owner} marks the meeting of lead #{lead.id} a no-show ({chosen.id})")
        self.act(rep, go)
        assert lead.meeting is not None
        lead.meeting.status, lead.meeting.reason, lead.meeting = "no_show", chosen.id, None
        lead.after_no_show = True
        if rebook:

            async def again() -> None:
                await self.press(rep, "Remarcar")
                rep.sees("Para quando")
                await self.type_meeting_date(lead, days, slot, how="after a no-show")

            self.act(rep, again)

    @precondition(lambda self: any(x.stage == "meeting_held" for x in self.leads))
    @rule(pick=_PICKS)
    def rep_marks_the_proposal_sent(self, pick: int) -> None:
        lead = self.pick([x for x in self.leads if x.stage == "meeting_held"], pick)

        async def go() -> None:
            rep = await self.open_card(lead)
            await self.press(rep, "Proposta enviada")
            rep.sees("Registrado")

        note(f"  {lead.owner} marks the proposal of lead #{lead.id} sent")
        self.act(self.people[lead.owner], go)
        self.move(lead, "proposal_sent")

    @precondition(lambda self: any(x.stage in ("meeting_held", "proposal_sent") for x in self.leads))
    @rule(pick=_PICKS)
    def rep_marks_the_lead_won(self, pick: int) -> None:
        lead = self.pick([x for x in self.leads if x.stage in ("meeting_held", "proposal_sent")], pick)

        async def go() -> None:
            rep = await self.open_card(lead)
            await self.press(rep, "Ganho")
            rep.sees("Registrado")

        note(f"  {lead.owner} marks lead #{lead.id} won")
        self.act(self.people[lead.owner], go)
        self.move(lead, "won")
        lead.cadence, lead.step = "finished", None

    @precondition(lambda self: any(not x.closed for x in self.leads))
    @rule(pick=_PICKS, reason=st.integers(0, 9))
    def rep_marks_the_lead_lost(self, pick: int, reason: int) -> None:
        lead = self.pick([x for x in self.leads if not x.closed], pick)
        self._run(self.open_card(lead))
        self._lose_from_prompt(lead, "Perdido", reason)

    # ----------------------------------------------------------------- rules: buttons that must change nothing

    @precondition(lambda self: self.spent)
    @rule(pick=st.integers(min_value=0, max_value=200))
    def rep_presses_an_old_button_again(self, pick: int) -> None:
        name, data, message_id = self.spent[pick % len(self.spent)]
        note(f"  {name} presses {data!r} again (message {message_id})")
        person = self.people[name]
        self.act(person, lambda: person.presses_data(data, message_id), refusals=True)
        person.replies()
        for lead in self.leads:
            if lead.owner == name:
                self.check_card(lead)

    @precondition(lambda self: self.leads)
    @rule(pick=_PICKS, kind=st.integers(min_value=0, max_value=9))
    def someone_forges_a_button(self, pick: int, kind: int) -> None:
        """Another rep's lead (any verb), or the owner's own lead with a move its card does not offer."""
        lead = self.pick(self.leads, pick)
        other = next(name for name in REPS if name != lead.owner)
        step = self.steps[lead.step].id if lead.step is not None else self.steps[0].id
        meeting_ids = [m.meeting_id for m in self.log.meetings if m.lead == lead.id and m.meeting_id]
        reason = playbook().loss_reasons("prospecting")[0].id
        no_show = playbook().reasons.no_show[0].id
        foreign = [
            f"lo:{lead.id}",
            f"cs:{lead.id}",
            f"oc:{lead.id}:{step}:na",
            f"oc:{lead.id}:{step}:mb",
            f"sg:{lead.id}:won",
            f"sg:{lead.id}:proposal",
            f"lr:{lead.id}:-:{reason}",
            f"lr:{lead.id}:{step}:{reason}",
            *(f"mt:{m}:held" for m in meeting_ids),
            *(f"ns:{m}:{no_show}" for m in meeting_ids),
            "oc:1:x:zz",
            "sg:1;DROP",
            "garbage",
        ]
        own: list[str] = []
        if lead.stage in ("new", "prospecting", "connected"):
            own += [f"sg:{lead.id}:won", f"sg:{lead.id}:proposal"]
        if lead.cadence in ("stopped", "finished") or lead.closed:
            own.append(f"cs:{lead.id}")
        if lead.cadence != "active":
            own.append(f"oc:{lead.id}:{step}:na")
        for m in self.log.meetings:
            if m.lead == lead.id and m.meeting_id and m.status != "scheduled":
                own.append(f"mt:{m.meeting_id}:held")
        use_own = bool(own) and kind % 2 == 1
        who, data = (lead.owner, own[kind % len(own)]) if use_own else (other, foreign[kind % len(foreign)])
        note(f"  {who} forges {data!r} (lead #{lead.id} of {lead.owner})")
        person = self.people[who]

        async def forge() -> None:
            await person.says("/leads")  # a message of the bot's to press the button under
            await person.presses_data(data)

        self.act(person, forge, refusals=True)
        person.replies()
        self.check_card(lead)

    # ----------------------------------------------------------------- rules: time and reports

    @rule(hours=st.sampled_from((1, 5, 20, 70)))
    def time_passes(self, hours: int) -> None:
        self.clock.advance(hours=hours)
        note(f"  {hours} h pass (now {self.now().astimezone(LOCAL):%a %d/%m %H:%M})")

    @precondition(lambda self: self.leads)
    @rule()
    def everyone_reads_the_report(self) -> None:
        """The numbers of :func:`reports.report_for` for the manager and each rep, all time and a window."""
        problems: list[str] = []
        people = [("Helena (manager)", self.manager, None)] + [
            (name, self.people[name], self.rep_id(name)) for name in REPS
        ]
        for start, end in ((None, None), WINDOW):
            for label, person, rep in people:
                assert person.member is not None
                with self.bot.runtime.session() as session:
                    report = reports.report_for(session, person.member, start=start, end=end)
                expected = recount(self.log, start=start, end=end, rep=rep)
                found = differences(expected, observed(report))
                if found:
                    period = "all time" if start is None else f"{start:%d/%m %H:%M}–{end:%d/%m %H:%M} UTC"
                    problems.append(f"{label}, {period}:\n" + "\n".join(found))
        assert not problems, "the report disagrees with the recount from the event log:\n" + "\n".join(problems)

    def everyone_reads_the_report_in_the_chat(self) -> None:
        """/relatorio tudo in the chat says the recounted numbers (manager: all; rep: their own)."""
        self.everyone_reads_the_report()
        people = [(self.manager, None)] + [(self.people[name], self.rep_id(name)) for name in REPS]
        for person, rep in people:
            numbers = recount(self.log, start=None, end=None, rep=rep)

            async def ask(person: Person = person) -> None:
                person.replies()
                await person.says("/relatorio tudo")
                await _non_blocking_done()

            self._run(ask())
            said = person.sees("Relatório")
            missing = [f for f in rendered_fragments(numbers) if f not in said]
            assert not missing, f"/relatorio tudo for {person.user.first_name} lacks {missing}:\n{said}"


async def _non_blocking_done() -> None:
    """Wait for the handlers that run with ``block=False`` (/relatorio)."""
    for _ in range(100):
        running = [t for t in asyncio.all_tasks() if "process_update_non_blocking" in t.get_name()]
        if not running:
            return
        await asyncio.wait(running, timeout=120)
    raise AssertionError("handlers still running")


# ------------------------------------------------------------------------------ the test


@pytest.fixture(params=[pytest.param("sqlite", id="sqlite"), pytest.param("postgres", marks=pytest.mark.postgres)])
def new_database(request: pytest.FixtureRequest, tmp_path: Path) -> Callable[[], tuple[Engine, Callable[[], None]]]:
    """A factory of fresh migrated databases (one per Hypothesis example) and how to drop each."""
    if request.param == "sqlite":
        template: Path = request.getfixturevalue("_sqlite_template")

        def sqlite() -> tuple[Engine, Callable[[], None]]:
            path = tmp_path / f"oracle-{uuid.uuid4().hex[:8]}.db"
            shutil.copyfile(template, path)
            engine = make_engine(f"sqlite:///{path}")

            def drop() -> None:
                engine.dispose()
                for leftover in path.parent.glob(path.name + "*"):
                    leftover.unlink()

            return engine, drop

        return sqlite
    admin: Engine = request.getfixturevalue("_pg_admin")
    pg_template: str = request.getfixturevalue("_pg_template")
    server: URL = request.getfixturevalue("pg_server_url")

    def postgres() -> tuple[Engine, Callable[[], None]]:
        name = f"cadencia_oracle_{uuid.uuid4().hex[:12]}"
        _create_database(admin, name, template=pg_template)
        engine = make_engine(server.set(database=name))

        def drop() -> None:
            engine.dispose()
            _drop_database(admin, name)

        return engine, drop

    return postgres


def _settings() -> settings:
    return settings(
        max_examples=int(os.environ.get("ORACLE_EXAMPLES", "6")),
        stateful_step_count=int(os.environ.get("ORACLE_STEPS", "30")),
        deadline=None,
        derandomize=os.environ.get("ORACLE_RANDOM", "0") == "0",  # ORACLE_RANDOM=1: explore new cases
        database=None,
        suppress_health_check=list(HealthCheck),
        print_blob=False,
        # ORACLE_SHRINK=0: report the first failure as found, without shrinking it (faster locally).
        phases=[p for p in Phase if os.environ.get("ORACLE_SHRINK", "1") != "0" or p is not Phase.shrink],
    )


def test_every_number_of_the_report_matches_a_recount_of_what_happened(
    new_database: Callable[[], tuple[Engine, Callable[[], None]]],
) -> None:
    machine = type("ReportOracle", (ReportOracle,), {"new_database": staticmethod(new_database)})
    run_state_machine_as_test(machine, settings=_settings())
