"""What a rep feels: the bot's own handling time per kind of update, with a realistic history.

50 reps work at once through the real Application and the in-process Bot API, with the real mix:
new leads through /novo (every question answered, the lead saved), the cadence started, step
cards, outcomes, objections, meetings booked with a typed date, /leads with its pages and
filters, /hoje, lead cards. Their updates are interleaved (each rep one update, then the next
rep), handled one at a time as the polling bot does. Each update is timed from the moment it is
handed to the Application until its handler is done (answers sent to the in-process Bot API
included), in CPU time of the thread that handles updates: the bot's own work, which a busy
machine (other processes, a parallel test run) does not inflate. Wall time p99 is printed
beside it.

The database has a realistic size: 100,000 leads (valid CNPJs, every funnel stage, active
cadences due over the coming weeks), 1M touches, stage changes and meetings, 50 reps and a
manager. It is built with bulk inserts and, for SQLite, cached under the temp directory keyed by
its parameters (a run works on a copy). The same run happens on a small history, and the ratio
of each kind's p99 large/small shows whether a kind's cost grows with history.

Prints p50/p99 per kind on SQLite and PostgreSQL (a throw-away cluster like the tests', or
``--postgres-url``), the count of "database is locked", and the target: p99 < 50 ms for every
kind, no "database is locked", no kind growing with history (ratio near 1; above 2 is flagged).

    .venv/bin/python bench/latency.py                      # 100k leads, 1M touches
    .venv/bin/python bench/latency.py --leads 20000 --touches 200000 --no-postgres
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import Engine, Table, insert, select, text
from sqlalchemy.engine import URL, make_url
from telegram import Update
from telegram.ext import Application

from bot.config import Settings
from bot.domain.playbook.model import Playbook
from bot.domain.vocabulary import Outcome, Stage
from bot.services.leads import company_key
from bot.services.playbooks import load_checked_playbook
from bot.simulator import InProcessBotApi, OfflineUser, UpdateFactory
from bot.storage.db import make_engine, upgrade_database
from bot.storage.models import Lead, Meeting, Member, StageChange, Touch
from bot.wiring import build_application, build_runtime

NOW = datetime(2026, 11, 23, 14, 0, tzinfo=UTC)  # a Monday, 11:00 in São Paulo
TARGET_P99_MS = 50.0
GROWTH_FLAG = 2.0
SEED = 20261123
CAMPAIGNS = ("Logística Sul", "Indústria SP", "Saúde NE", "Varejo RJ", "")
UFS = ("SP", "RJ", "MG", "PR", "SC", "RS", "BA", "PE", "CE", "GO", "DF")
CNAES = ("4930202", "6201501", "1091101", "4711302", "8630501", "2512800")
#: Funnel stages of the history, with their weights.
STAGES = (
    (Stage.NEW, 15),
    (Stage.PROSPECTING, 40),
    (Stage.CONNECTED, 8),
    (Stage.MEETING_BOOKED, 4),
    (Stage.MEETING_HELD, 3),
    (Stage.PROPOSAL_SENT, 4),
    (Stage.WON, 4),
    (Stage.LOST, 22),
)
OUTCOMES = [o.value for o in Outcome]
OUTCOME_WEIGHTS = [50, 8, 8, 3, 4, 5, 4, 18]


def cnpj_digits(base: int) -> str:
    """A valid CNPJ (14 digits, check digits computed) from a 12-digit number."""

    def digit(numbers: str) -> str:
        weights = [6, 5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2][-len(numbers) :]
        rest = sum(int(n) * w for n, w in zip(numbers, weights, strict=True)) % 11
        return "0" if rest < 2 else str(11 - rest)

    digits = f"{base:012d}"
    first = digit(digits)
    return digits + first + digit(digits + first)


# ----------------------------------------------------------------------------- the history


@dataclass(frozen=True)
class Size:
    leads: int
    touches: int
    reps: int

    @property
    def key(self) -> str:
        return f"latency-{self.leads}-{self.touches}-{self.reps}-v1"  # a copy is migrated to the head


def _defaults(table: Table) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for column in table.columns:
        default = column.default
        if column.primary_key:
            continue
        if default is not None and getattr(default, "is_scalar", False):
            values[column.name] = default.arg
        elif default is not None and getattr(default, "is_callable", False):
            values[column.name] = NOW
        else:
            values[column.name] = None
    return values


def _members(reps: int) -> list[dict[str, Any]]:
    rows = [dict(id=1, telegram_id=1000, role="manager", first_name="Marta", full_name="Marta Gerente")]
    rows += [
        dict(id=i + 2, telegram_id=2000 + i, role="rep", first_name=f"Rep{i}", full_name=f"Rep{i} Silva")
        for i in range(reps)
    ]
    return [{**row, "created_at": NOW - timedelta(days=800)} for row in rows]


def _leads(size: Size, playbook: Playbook, rng: random.Random) -> Iterator[dict[str, Any]]:
    steps = [step.id for step in playbook.cadence.steps]
    stages = [stage for stage, _ in STAGES]
    weights = [weight for _, weight in STAGES]
    span = timedelta(days=730).total_seconds()
    for i in range(size.leads):
        stage = rng.choices(stages, weights)[0]
        created = NOW - timedelta(seconds=span * (1 - i / size.leads) + 3600)
        company = f"Empresa {i} Comércio Ltda"
        active = stage == Stage.PROSPECTING
        yield dict(
            id=i + 1,
            owner_id=2 + i % size.reps,
            company=company,
            company_key=company_key(company),
            cnpj=cnpj_digits(10_000_000_0001 + i * 10_000),
            cnae=rng.choice(CNAES),
            uf=rng.choice(UFS),
            city="Curitiba",
            headcount_low=50,
            headcount_high=99,
            revenue_low=5_000_000,
            revenue_high=5_000_000,
            branches=rng.randint(1, 5),
            registration="active",
            financial_score=rng.randint(300, 900),
            contact_name="Mariana Souza",
            contact_role="Diretora",
            contact_phone="+55 41 99999-0000",
            contact_email=f"contato{i}@empresa.com.br",
            campaign=rng.choice(CAMPAIGNS),
            source="import",
            stage=stage.value,
            icp_score=rng.randint(20, 95),
            icp_potential=100,
            icp_tier=rng.choice("ABCD"),
            scored_with=playbook.fingerprint,
            cadence_status="active" if active else ("finished" if stage == Stage.LOST else "not_started"),
            current_step=rng.choice(steps) if active else None,
            # Active cadences are worked: a few days overdue at most, most due in the coming weeks.
            step_due_at=NOW + timedelta(hours=rng.uniform(-72, 24 * 20)) if active else None,
            loss_reason="sem_resposta" if stage == Stage.LOST else None,
            created_by=2 + i % size.reps,
            created_at=created,
            updated_at=created,
        )


def _touches(size: Size, playbook: Playbook, rng: random.Random) -> Iterator[dict[str, Any]]:
    steps = playbook.cadence.steps
    span = timedelta(days=730).total_seconds()
    for j in range(size.touches):
        lead = rng.randrange(size.leads)
        step = steps[rng.randrange(len(steps))]
        moment = NOW - timedelta(seconds=span * (1 - j / size.touches) + 60)
        yield dict(
            id=j + 1,
            lead_id=lead + 1,
            rep_id=2 + lead % size.reps,
            campaign=CAMPAIGNS[lead % len(CAMPAIGNS)],
            step_id=step.id,
            step_number=steps.index(step) + 1,
            step_kind=step.kind.value if hasattr(step.kind, "value") else str(step.kind),
            channel=step.channel.value,
            script_id=None,
            variant=rng.choice("AB"),
            playbook_version=playbook.version,
            playbook_fingerprint=playbook.fingerprint,
            outcome=rng.choices(OUTCOMES, OUTCOME_WEIGHTS)[0],
            happened_at=moment,
            recorded_at=moment,
        )


def _stage_changes(leads: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    for lead in leads:
        yield dict(
            lead_id=lead["id"],
            rep_id=lead["owner_id"],
            campaign=lead["campaign"],
            to_stage="new",
            at=lead["created_at"],
        )
        if lead["stage"] != Stage.NEW:
            yield dict(
                lead_id=lead["id"],
                rep_id=lead["owner_id"],
                campaign=lead["campaign"],
                from_stage="new",
                to_stage=lead["stage"],
                reason=lead["loss_reason"],
                at=lead["created_at"] + timedelta(days=3),
            )


def _meetings(leads: list[dict[str, Any]], rng: random.Random) -> Iterator[dict[str, Any]]:
    for lead in leads:
        if lead["stage"] == Stage.MEETING_BOOKED:
            starts, status = NOW + timedelta(hours=rng.uniform(-20, 24 * 14)), "scheduled"
        elif lead["stage"] in (Stage.MEETING_HELD, Stage.PROPOSAL_SENT, Stage.WON):
            starts, status = lead["created_at"] + timedelta(days=10), "held"
        else:
            continue
        yield dict(
            lead_id=lead["id"],
            rep_id=lead["owner_id"],
            campaign=lead["campaign"],
            starts_at=starts,
            status=status,
            created_at=lead["created_at"],
        )


def _insert(engine: Engine, table: Table, rows: Iterator[dict[str, Any]], chunk: int = 20_000) -> int:
    """Bulk insert: executemany on SQLite, COPY on PostgreSQL (psycopg adapts the values)."""
    defaults = _defaults(table)
    names = [column.name for column in table.columns if column.name in defaults or column.primary_key]
    count = 0
    if engine.dialect.name == "postgresql":
        connection = engine.raw_connection()
        try:
            cursor = connection.cursor()
            first = next(rows, None)
            if first is None:
                return 0
            given = [name for name in names if name in first or name in defaults]
            with cursor.copy(f"COPY {table.name} ({', '.join(given)}) FROM STDIN") as copy:  # type: ignore[attr-defined]
                for row in _chain(first, rows):
                    values = {**defaults, **row}
                    copy.write_row([values.get(name) for name in given])
                    count += 1
            connection.commit()
        finally:
            connection.close()
        return count
    batch: list[dict[str, Any]] = []
    with engine.begin() as connection:
        for row in rows:
            batch.append({**defaults, **row})
            if len(batch) >= chunk:
                connection.execute(insert(table), batch)
                count += len(batch)
                batch = []
        if batch:
            connection.execute(insert(table), batch)
            count += len(batch)
    return count


def _chain(first: dict[str, Any], rest: Iterator[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    yield first
    yield from rest


def populate(engine: Engine, size: Size, playbook: Playbook) -> None:
    """Fill a migrated, empty database with the history of ``size`` (deterministic)."""
    rng = random.Random(SEED)
    started = time.perf_counter()
    _insert(engine, Member.__table__, iter(_members(size.reps)))  # type: ignore[attr-defined]
    leads = list(_leads(size, playbook, rng))
    _insert(engine, Lead.__table__, iter(leads))  # type: ignore[attr-defined]
    _insert(engine, Touch.__table__, _touches(size, playbook, rng))  # type: ignore[attr-defined]
    _insert(engine, StageChange.__table__, _stage_changes(leads))  # type: ignore[attr-defined]
    _insert(engine, Meeting.__table__, _meetings(leads, rng))  # type: ignore[attr-defined]
    if engine.dialect.name == "postgresql":
        with engine.begin() as connection:  # ids were given: move the sequences past them
            for table in ("members", "leads", "touches"):
                connection.execute(text(f"SELECT setval('{table}_id_seq', (SELECT max(id) FROM {table}))"))
            connection.execute(text("ANALYZE"))
    else:
        with engine.begin() as connection:
            connection.execute(text("ANALYZE"))
    print(
        f"  built {size.leads:,} leads, {size.touches:,} touches in {time.perf_counter() - started:.0f} s", flush=True
    )


def sqlite_database(size: Size, playbook: Playbook, folder: Path) -> str:
    """A copy of the cached SQLite database of ``size`` (built first if missing)."""
    cache = Path(tempfile.gettempdir()) / "cadencia-bench"
    cache.mkdir(exist_ok=True)
    built = cache / f"{size.key}.db"
    if not built.exists():
        partial = built.with_suffix(".partial")
        partial.unlink(missing_ok=True)
        engine = make_engine(f"sqlite:///{partial}")
        upgrade_database(engine)
        populate(engine, size, playbook)
        engine.dispose()
        partial.rename(built)
    work = folder / f"{size.key}.db"
    shutil.copyfile(built, work)
    return f"sqlite:///{work}"


def postgres_database(server: URL, size: Size, playbook: Playbook) -> str:
    """A new database on ``server`` with the history of ``size``."""
    name = f"cadencia_latency_{size.leads}_{size.touches}_{os.getpid()}"
    admin = make_engine(server).execution_options(isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    url = server.set(database=name)
    engine = make_engine(url)
    upgrade_database(engine)
    populate(engine, size, playbook)
    engine.dispose()
    return url.render_as_string(hide_password=False)


# ----------------------------------------------------------------------------- the reps


class Clock:
    """The bot's clock: starts at :data:`NOW`, a few seconds pass with every update."""

    def __init__(self) -> None:
        self.moment = NOW

    def __call__(self) -> datetime:
        return self.moment


def _words(label: str) -> str:
    return " ".join(w for w in label.casefold().split() if any(ch.isalnum() for ch in w))


@dataclass
class Rep:
    """One rep in a chat with the bot: sends messages, presses buttons on the newest keyboard."""

    bench: Run
    user: OfflineUser
    member_id: int
    history: list[int]
    buttons: list[tuple[str, str]] = field(default_factory=list)
    keyboard_message: int = 0
    last_id: int = 0

    async def says(self, kind: str, message: str) -> None:
        factory = self.bench.factory
        if message.startswith("/"):
            command, *args = message.split(" ")
            update = factory.command(self.user, command, *args)
        else:
            update = factory.text(self.user, message)
        await self.bench.timed(kind, update)
        self._look(pressed=None)

    async def taps(self, kind: str, label: str) -> bool:
        """Press the button ``label`` (exact words first, then a part); False if there is none."""
        exact = [data for text, data in self.buttons if _words(text) == _words(label)]
        partial = [data for text, data in self.buttons if label.casefold() in text.casefold()]
        found = exact or partial
        if not found:
            self.bench.missed[kind] = self.bench.missed.get(kind, 0) + 1
            if os.environ.get("BENCH_SHOW_MISSES"):
                last = self.bench.api.stored_message(self.user.id, self.last_id) or {}
                print(f"no {label!r} ({kind}); buttons {[t for t, _ in self.buttons]}; last: {last.get('text')!r}")
            return False
        update = self.bench.factory.callback(self.user, self.keyboard_message, found[0])
        await self.bench.timed(kind, update)
        self._look(pressed=self.keyboard_message)
        return True

    async def answers(self, kind: str, answer: str) -> None:
        """A question: tap the button that says ``answer`` if there is one, else type it."""
        if any(_words(text) == _words(answer) for text, _ in self.buttons):
            await self.taps(kind, answer)
        else:
            await self.says(kind, answer)

    def _look(self, pressed: int | None) -> None:
        """Read the bot's new messages in this chat: the newest keyboard is the one to press."""
        api = self.bench.api
        newest: tuple[int, dict[str, Any]] | None = None
        probe = self.last_id + 1
        while (message := api.stored_message(self.user.id, probe)) is not None:
            if message.get("reply_markup") and message.get("from", {}).get("id") == api.bot_id:
                newest = (probe, message)
            probe += 1
        self.last_id = probe - 1
        if newest is None and pressed is not None:
            message = api.stored_message(self.user.id, pressed)
            if message is not None and message.get("reply_markup"):
                newest = (pressed, message)
        if newest is not None:
            self.keyboard_message = newest[0]
            rows = newest[1]["reply_markup"]["inline_keyboard"]
            self.buttons = [(b["text"], b["callback_data"]) for row in rows for b in row if "callback_data" in b]


async def rep_round(rep: Rep, round_no: int, cnpj: str, playbook: Playbook):  # type: ignore[no-untyped-def]
    """One round of a rep's work; yields after every update so reps take turns."""
    await rep.says("/leads", "/leads")
    yield
    for _ in range(2):
        await rep.taps("/leads page", "➡️")
        yield
    await rep.taps("/leads filter", "Vencidos")
    yield
    await rep.says("/hoje", "/hoje")
    yield
    old = rep.history[round_no % len(rep.history)]
    await rep.says("/lead (card)", f"/lead {old}")
    yield
    if await rep.taps("step card", "Passo atual"):
        yield
        call = any("Não atendeu" in text for text, _ in rep.buttons)
        await rep.taps("outcome", "Não atendeu" if call else "Enviado, sem resposta")
        yield
    # A new lead, question by question.
    await rep.says("/novo", "/novo")
    yield
    answers = [
        f"Transportes Horizonte {rep.member_id}-{round_no}",
        cnpj,
        "4930-2/02",
        "PR",
        "Curitiba",
        "120",
        "18 mi",
        "3",
        "Ativa",
        "780",
        "Mariana Souza",
        "Diretora de Operações",
        "(41) 99999-0000",
        "mariana@horizonte.com.br",
        "Pular",
    ]
    for answer in answers:
        await rep.answers("/novo answer", answer)
        yield
    await rep.says("/novo last answer (saves)", "Logística Sul")
    yield
    await rep.taps("start cadence", "Iniciar cadência")
    yield
    if await rep.taps("objection", "Objeção"):
        yield
        await rep.taps("objection", playbook.objections[round_no % len(playbook.objections)].label)
        yield
        await rep.taps("objection outcome", "Seguir a cadência")
        yield
    await rep.taps("lead card button", "Ficha do lead")
    yield
    await rep.taps("step card", "Passo atual")
    yield
    if await rep.taps("outcome", "Reunião agendada"):
        yield
        await rep.says("meeting time", "amanhã 15h")
        yield


class LockCounter(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.count = 0

    def emit(self, record: logging.LogRecord) -> None:
        text = record.getMessage()
        if record.exc_info and record.exc_info[1] is not None:
            text += str(record.exc_info[1])
        if "database is locked" in text:
            self.count += 1


@dataclass
class Run:
    api: InProcessBotApi
    app: Application  # type: ignore[type-arg]
    factory: UpdateFactory
    clock: Clock
    times: dict[str, list[float]] = field(default_factory=dict)
    """CPU time of the thread that handles the updates, per kind (what the bot itself spends)."""
    wall: dict[str, list[float]] = field(default_factory=dict)
    """Wall time per kind: the same plus whatever else the machine made it wait for."""
    missed: dict[str, int] = field(default_factory=dict)
    errors: list[BaseException] = field(default_factory=list)
    recording: bool = False

    async def timed(self, kind: str, update: Update) -> None:
        self.clock.moment += timedelta(seconds=3)
        wall, cpu = time.perf_counter(), time.thread_time()
        await self.app.process_update(update)
        if self.recording:
            self.times.setdefault(kind, []).append(time.thread_time() - cpu)
            self.wall.setdefault(kind, []).append(time.perf_counter() - wall)
        await asyncio.sleep(0)  # back to the event loop between updates, as when polling


async def drive(database_url: str, size: Size, playbook: Playbook, rounds: int) -> tuple[Run, int]:
    clock = Clock()
    settings = Settings(_env_file=None, database_url=database_url, telegram_bot_token="123:BENCH")
    runtime = build_runtime(settings, playbook=playbook, clock=clock)
    api = InProcessBotApi(bot_username="cadencia_bench_bot")
    app = build_application(runtime, request=api)
    run = Run(api, app, UpdateFactory(api, app.bot), clock)

    async def record(update: object, context: Any) -> None:
        run.errors.append(context.error)

    app.add_error_handler(record)
    locks = LockCounter()
    logging.getLogger().addHandler(locks)
    with runtime.engine.connect() as connection:
        members = connection.execute(
            select(Member.__table__.c.id, Member.__table__.c.telegram_id, Member.__table__.c.first_name)  # type: ignore[attr-defined]
            .where(Member.__table__.c.role == "rep")  # type: ignore[attr-defined]
            .order_by(Member.__table__.c.id)  # type: ignore[attr-defined]
        ).all()
        leads = Lead.__table__.c  # type: ignore[attr-defined]
        history: dict[int, list[int]] = {}
        for member_id, lead_id in connection.execute(
            select(leads.owner_id, leads.id).where(leads.cadence_status == "active").order_by(leads.id.desc())
        ):
            if len(history.setdefault(member_id, [])) <= rounds:
                history[member_id].append(lead_id)
    reps = [
        Rep(run, run.factory.user(name, user_id=telegram_id), member_id, history.get(member_id, [1]))
        for member_id, telegram_id, name in members[: size.reps]
    ]
    await app.initialize()
    cnpjs = ((90_000_000 + n) * 10_000 + 1 for n in range(10**7))  # a new root each: no branch question
    for round_no in range(rounds + 1):  # round 0 warms up (first imports, caches): not timed
        run.recording = round_no > 0
        scripts = [rep_round(rep, round_no, cnpj_digits(next(cnpjs)), playbook) for rep in reps]
        while scripts:
            for script in list(scripts):
                try:
                    await anext(script)
                except StopAsyncIteration:
                    scripts.remove(script)
    await app.shutdown()
    runtime.engine.dispose()
    logging.getLogger().removeHandler(locks)
    return run, locks.count


# ----------------------------------------------------------------------------- the figures


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]


@dataclass
class Figures:
    label: str
    p50: dict[str, float]
    p99: dict[str, float]
    wall_p99: dict[str, float]
    counts: dict[str, int]
    locks: int
    errors: int
    missed: dict[str, int]


def figures(label: str, run: Run, locks: int) -> Figures:
    return Figures(
        label,
        {k: statistics.median(v) * 1000 for k, v in run.times.items()},
        {k: percentile(v, 0.99) * 1000 for k, v in run.times.items()},
        {k: percentile(v, 0.99) * 1000 for k, v in run.wall.items()},
        {k: len(v) for k, v in run.times.items()},
        locks,
        len(run.errors),
        run.missed,
    )


def report(backend: str, large: Figures, small: Figures) -> bool:
    print(
        f"\n{backend}: the bot's handling time per update, ms of CPU (p50, p99; wall p99 beside it, which adds "
        f"what a busy machine made it wait); history {large.label} leads vs {small.label}"
    )
    print(
        f"  {'kind of update':28} {'n':>5} {'p50':>7} {'p99':>7} {'wall p99':>9}   {'small p50':>9} {'p99':>7}"
        f"   {'p99 ratio':>9}"
    )
    ok = True
    for kind in large.p99:
        ratio = large.p99[kind] / small.p99[kind] if small.p99.get(kind) else float("nan")
        flags = []
        if large.p99[kind] >= TARGET_P99_MS:
            flags.append("OVER TARGET")
        if ratio > GROWTH_FLAG:
            flags.append("GROWS WITH HISTORY")
        ok = ok and not flags
        print(
            f"  {kind:28} {large.counts[kind]:5} {large.p50[kind]:7.1f} {large.p99[kind]:7.1f} "
            f"{large.wall_p99[kind]:9.1f}   "
            f"{small.p50.get(kind, float('nan')):9.1f} {small.p99.get(kind, float('nan')):7.1f}   "
            f"{ratio:9.2f}  {' '.join(flags)}"
        )
    worst = max(large.p99.values())
    print(f"  worst p99: {worst:.1f} ms (target < {TARGET_P99_MS:.0f} ms for every kind)")
    print(
        f"  'database is locked': {large.locks + small.locks} (target 0); handler errors: "
        f"{large.errors + small.errors}; buttons not found: {sum(large.missed.values()) + sum(small.missed.values())}"
    )
    if large.missed:
        print(f"  (missed taps: {large.missed})")
    return ok and large.locks + small.locks == 0 and large.errors + small.errors == 0


def _sqlite(size: Size, playbook: Playbook, rounds: int, folder: Path) -> tuple[Run, int]:
    return asyncio.run(drive(sqlite_database(size, playbook, folder), size, playbook, rounds))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--leads", type=int, default=100_000)
    parser.add_argument("--touches", type=int, default=1_000_000)
    parser.add_argument("--reps", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=3, help="rounds of work per rep (about 35 updates each)")
    parser.add_argument("--small-leads", type=int, default=1_000, help="the small history to compare with")
    parser.add_argument("--no-postgres", action="store_true")
    parser.add_argument("--no-sqlite", action="store_true")
    parser.add_argument(
        "--postgres-url",
        default=os.environ.get("DATABASE_URL_BENCH_PG"),
        help="a PostgreSQL server where the user may CREATE DATABASE (default: a throw-away cluster)",
    )
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    playbook = load_checked_playbook(Settings(_env_file=None).playbook_dir)
    large = Size(args.leads, args.touches, args.reps)
    small = Size(args.small_leads, args.small_leads * args.touches // max(args.leads, 1), args.reps)
    ok = True
    print(
        f"{args.reps} reps, {args.rounds} rounds of work each; history {large.leads:,} leads / "
        f"{large.touches:,} touches vs {small.leads:,} / {small.touches:,}",
        flush=True,
    )
    if not args.no_sqlite:
        with tempfile.TemporaryDirectory(prefix="cadencia-latency-") as folder:
            results = {}
            for name, size in (("large", large), ("small", small)):
                run, locks = _sqlite(size, playbook, args.rounds, Path(folder))
                results[name] = figures(f"{size.leads:,}", run, locks)
                Path(folder, f"{size.key}.db").unlink()
            ok = report("SQLite", results["large"], results["small"]) and ok
    if not args.no_postgres:
        ok = _postgres(args, playbook, large, small) and ok
    print(f"\n{'every kind within target' if ok else 'SOME KIND MISSES THE TARGET'}")
    return 0


def _postgres(args: argparse.Namespace, playbook: Playbook, large: Size, small: Size) -> bool:
    cluster: Callable[[], None] | None = None
    if args.postgres_url:
        server = make_url(args.postgres_url)
    else:
        from tests.storage.pg_cluster import PostgresUnavailable, start_cluster

        try:
            started = start_cluster()
        except PostgresUnavailable as error:
            print(f"\nPostgreSQL: skipped ({error})")
            return True
        server, cluster = started.url, started.stop
    try:
        results = {}
        for name, size in (("large", large), ("small", small)):
            url = postgres_database(server, size, playbook)
            run, locks = asyncio.run(drive(url, size, playbook, args.rounds))
            results[name] = figures(f"{size.leads:,}", run, locks)
        return report("PostgreSQL", results["large"], results["small"])
    finally:
        if cluster is not None:
            cluster()


if __name__ == "__main__":
    sys.exit(main())
