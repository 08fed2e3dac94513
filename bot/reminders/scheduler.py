"""Reminder delivery over PTB's JobQueue; the database is the source of truth.

The job queue never holds one job per reminder (100,000 pending reminders would be 100,000
APScheduler jobs). It holds two:

* ``reminders:next`` — a one-shot timer at the next due instant (the ``MIN(due_at)`` of the
  live reminders, from the ``(state, due_at)`` index). When it fires, every due reminder is
  delivered and the timer re-arms itself at the next instant.
* ``reminders:poll`` — every minute: plan missing morning agendas and re-arm, so reminders
  written by other code paths (a touch logged, a meeting booked, a rep resumed) are picked up
  within a minute even if nobody :meth:`~ReminderScheduler.nudge`\\ s the scheduler.

At start (:meth:`~ReminderScheduler.start`): rows left ``sending`` by a crash are taken as sent
(see :mod:`bot.services.reminders` for why), every live reminder already due is flagged late,
and the timer is armed — at "now" if some fell due while the bot was down, so those go out
once, first, paced.

Delivery (:meth:`~ReminderScheduler.drain`) is one task at a time: due reminders are fetched
in due order, in pages, into a :class:`~bot.reminders.pacing.PacedQueue` (≤ 30/s overall,
≤ 1/s per chat) and sent one by one — prepare, claim, send, mark. Telegram errors never escape:

* 429 ``RetryAfter`` — hold every send for the time Telegram asks, then retry the same one;
* timeouts and network errors — retry with exponential backoff (1, 2, 4 … 30 s); after
  :data:`MAX_TRIES` the reminder goes back to ``pending`` a few minutes later. A *read*
  timeout is the exception: the request reached Telegram and only the answer was lost, so the
  message was probably delivered — it is marked sent (unconfirmed), never resent;
* 403 (the rep blocked the bot) and 400 (chat gone) — ``failed`` with Telegram's reason;
* anything else — logged, ``failed``; the loop goes on with the next reminder.

The same scheduler runs the LGPD retention purge (``privacy:retention``): with
``RETENTION_MONTHS`` set, a repeating job erases the contact data of leads lost longer ago than
that, a couple of minutes after start and then once a day. The database says which leads are
due (lost before the cutoff and not erased yet), so a run after a restart, or twice in a day,
erases nothing twice.

Time is injected: ``clock`` (the runtime's, UTC) decides what is due, ``monotonic`` and
``sleep`` do the pacing — tests pass fakes and run thousands of deliveries without waiting.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import warnings
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import httpx
from telegram import InlineKeyboardMarkup
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TimedOut
from telegram.warnings import PTBDeprecationWarning

from bot.reminders.pacing import Due, PacedQueue
from bot.services import privacy
from bot.services import reminders as service
from bot.services.reminders import Prepared
from bot.services.runtime import Runtime
from bot.storage.db import DatabaseUnavailable

log = logging.getLogger(__name__)

NEXT_JOB = "reminders:next"
POLL_JOB = "reminders:poll"
POLL_INTERVAL_S = 60.0
RETENTION_JOB = "privacy:retention"
RETENTION_INTERVAL = timedelta(days=1)
RETENTION_FIRST_S = 120.0
"""The first purge waits a little after start (let the bot answer its backlog first)."""
PAGE = 2000
"""Due reminders fetched per page (the pacer never holds more than this in memory)."""
MAX_TRIES = 6
BACKOFF_CAP_S = 30.0
DB_RETRY_S = 30.0

Composer = Callable[[Prepared], tuple[str, InlineKeyboardMarkup | None]]
"""Renders a prepared reminder (the Telegram adapter provides it: text and buttons)."""
Sleep = Callable[[float], Awaitable[None]]


class Sender:
    """What the scheduler needs of the bot: ``send_message`` (PTB's ``Bot`` fits)."""

    async def send_message(self, chat_id: int, text: str, **kwargs: Any) -> Any:  # pragma: no cover
        raise NotImplementedError


@dataclass
class DrainResult:
    """What one :meth:`ReminderScheduler.drain` did, for logs and tests."""

    sent: int = 0
    failed: int = 0
    released: int = 0
    skipped: int = 0
    unconfirmed: int = 0


def _seconds(value: float | timedelta) -> float:
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


def _read_timeout(error: TimedOut) -> bool:
    """Did the request reach Telegram (only the answer timed out)?"""
    cause = error.__cause__
    return isinstance(cause, httpx.ReadTimeout)


class ReminderScheduler:
    def __init__(
        self,
        runtime: Runtime,
        bot: Any,
        compose: Composer,
        *,
        monotonic: Callable[[], float] = time.monotonic,
        sleep: Sleep | None = None,
        queue_factory: Callable[[], PacedQueue] = PacedQueue,
        page: int = PAGE,
    ) -> None:
        self.runtime = runtime
        self.bot = bot
        self.compose = compose
        self.monotonic = monotonic
        self._sleep = sleep or self._interruptible_sleep
        self._queue_factory = queue_factory
        self.page = page
        self.job_queue: Any = None
        self.next_due: datetime | None = None
        self._task: asyncio.Task[DrainResult] | None = None
        self._stopping = asyncio.Event()
        self._lock = asyncio.Lock()

    # ------------------------------------------------------------------ life cycle

    async def start(self, job_queue: Any = None) -> None:
        """Recover from a crash, flag late reminders, plan agendas, arm the timer."""
        self.job_queue = job_queue
        self._stopping.clear()
        recovered = service.recover_interrupted(self.runtime)
        if recovered:
            log.warning(
                "%d reminder(s) were being sent when the bot stopped: taken as sent, not resent", len(recovered)
            )
        late = service.mark_late(self.runtime)
        service.ensure_agendas(self.runtime)
        self.arm()
        log.info("reminders: %d late, next due %s", late, self.next_due)
        if job_queue is not None:
            job_queue.run_repeating(self._on_poll, interval=POLL_INTERVAL_S, first=POLL_INTERVAL_S, name=POLL_JOB)
            if self.runtime.settings.retention_months > 0:
                job_queue.run_repeating(
                    self._on_retention, interval=RETENTION_INTERVAL, first=RETENTION_FIRST_S, name=RETENTION_JOB
                )

    async def stop(self) -> None:
        """Finish the send in flight (never cut one between claim and mark), then stop."""
        self._stopping.set()
        task = self._task
        if task is not None and not task.done():
            try:
                await asyncio.wait_for(asyncio.shield(task), timeout=15)
            except (TimeoutError, asyncio.CancelledError):
                task.cancel()
        if self.job_queue is not None:
            for name in (NEXT_JOB, POLL_JOB, RETENTION_JOB):
                for job in self.job_queue.get_jobs_by_name(name):
                    job.schedule_removal()

    # ------------------------------------------------------------------ the timer

    def arm(self) -> None:
        """(Re)set the one timer at the next due instant."""
        try:
            self.next_due = service.next_due_at(self.runtime)
        except DatabaseUnavailable as exc:
            log.error("reminders: database unavailable (%s); retrying in %ss", exc.reason, DB_RETRY_S)
            self._schedule(DB_RETRY_S)
            return
        if self.next_due is None:
            self._schedule(None)
            return
        delay = (self.next_due - self.runtime.now()).total_seconds()
        self._schedule(max(0.0, delay))

    def _schedule(self, delay: float | None) -> None:
        if self.job_queue is None:
            return
        for job in self.job_queue.get_jobs_by_name(NEXT_JOB):
            job.schedule_removal()
        if delay is not None:
            self.job_queue.run_once(self._on_timer, when=delay, name=NEXT_JOB, job_kwargs={"misfire_grace_time": None})

    def nudge(self) -> None:
        """Something changed (a snooze, a rep resumed): re-arm the timer."""
        self.arm()

    async def _on_timer(self, context: Any) -> None:
        self.kick()

    async def _on_poll(self, context: Any) -> None:
        try:
            service.ensure_agendas(self.runtime)
        except DatabaseUnavailable as exc:
            log.error("reminders: database unavailable (%s)", exc.reason)
            return
        if self._task is None or self._task.done():
            self.arm()

    async def _on_retention(self, context: Any) -> None:
        await self.purge()

    async def purge(self) -> privacy.PurgeResult | None:
        """The retention purge (in a worker thread); None if it could not run this time (the
        next day's run, or the next start, catches up: the database says what is still due)."""
        try:
            result = await asyncio.to_thread(privacy.purge_due, self.runtime)
        except DatabaseUnavailable as exc:
            log.error("retention: database unavailable (%s); next run tomorrow", exc.reason)
            return None
        except Exception:
            log.exception("retention: purge failed; next run tomorrow")
            return None
        if result.count:
            log.info("retention: erased the personal data of %d lead(s) lost before %s", result.count, result.cutoff)
        return result

    def kick(self) -> asyncio.Task[DrainResult]:
        """Start draining in the background unless a drain is already running."""
        if self._task is None or self._task.done():
            self._task = asyncio.get_running_loop().create_task(self.drain(), name="reminders:drain")
        return self._task

    # ------------------------------------------------------------------ delivery

    async def drain(self) -> DrainResult:
        """Deliver every reminder due now, paced and in due order; then re-arm the timer."""
        result = DrainResult()
        async with self._lock:
            try:
                await self._drain(result)
            except DatabaseUnavailable as exc:
                log.error("reminders: database unavailable (%s); retrying in %ss", exc.reason, DB_RETRY_S)
                self._schedule(DB_RETRY_S)
                return result
            except Exception:
                log.exception("reminders: delivery loop failed; retrying in %ss", DB_RETRY_S)
                self._schedule(DB_RETRY_S)
                return result
            if result.sent or result.failed or result.released:
                log.info("reminders: %s", result)
        if not self._stopping.is_set():
            self.arm()
        return result

    async def _drain(self, result: DrainResult) -> None:
        queue = self._queue_factory()
        last: tuple[Any, int] | None = None
        exhausted = False
        while not self._stopping.is_set():
            if not exhausted and len(queue) < self.page // 2:
                page = service.due_reminders(self.runtime, limit=self.page, after=last)
                for due in page:
                    queue.add(Due(due.due_at, due.reminder_id, due.chat_id))
                if page:
                    last = (page[-1].due_at, page[-1].reminder_id)
                exhausted = len(page) < self.page
            turn = queue.next(self.monotonic())
            if turn is None:
                if exhausted:
                    # Anything that fell due while we were sending? Start over from the top.
                    again = service.due_reminders(self.runtime, limit=1)
                    if not again:
                        return
                    last, exhausted = None, False
                    continue
                continue
            at, item = turn
            wait = at - self.monotonic()
            if wait > 0:
                await self._sleep(wait)
                if self._stopping.is_set():
                    return
            await self._deliver(item, queue, result)

    async def _deliver(self, item: Due, queue: PacedQueue, result: DrainResult) -> None:
        runtime = self.runtime
        rid = item.reminder_id
        prepared = service.prepare(runtime, rid)
        if prepared is None:
            result.skipped += 1
            return
        try:
            text, keyboard = self.compose(prepared)
        except Exception as exc:
            log.exception("reminders: cannot render reminder %s", rid)
            if service.claim(runtime, rid):
                service.mark_failed(runtime, rid, f"render: {exc!r}")
            result.failed += 1
            return
        if not service.claim(runtime, rid):
            result.skipped += 1  # handled meanwhile (snoozed, done, another process)
            return
        chat_id = prepared.member.telegram_id
        waits = failures = 0
        while waits < MAX_TRIES and failures < MAX_TRIES:
            try:
                message = await self.bot.send_message(
                    chat_id,
                    text,
                    parse_mode=ParseMode.HTML,
                    reply_markup=keyboard,
                    disable_web_page_preview=True,
                )
            except RetryAfter as exc:
                with warnings.catch_warnings():  # PTB 22 deprecates the int form; accept both
                    warnings.simplefilter("ignore", PTBDeprecationWarning)
                    wait = _seconds(exc.retry_after)
                log.warning("reminders: Telegram asks to wait %ss (reminder %s)", wait, rid)
                queue.hold(self.monotonic() + wait)
                await self._sleep(wait)
                waits += 1
                continue
            except TimedOut as exc:
                if _read_timeout(exc):
                    service.mark_sent(runtime, rid, None, note="unconfirmed: read timeout; not resent")
                    result.unconfirmed += 1
                    return
                failures += 1
                await self._backoff(failures, rid, exc)
                continue
            except Forbidden as exc:
                log.info("reminders: reminder %s refused by Telegram: %s", rid, exc.message)
                service.mark_failed(runtime, rid, f"forbidden: {exc.message}")
                result.failed += 1
                return
            except BadRequest as exc:
                log.warning("reminders: reminder %s rejected: %s", rid, exc.message)
                service.mark_failed(runtime, rid, f"bad request: {exc.message}")
                result.failed += 1
                return
            except NetworkError as exc:
                failures += 1
                await self._backoff(failures, rid, exc)
                continue
            except Exception as exc:
                log.exception("reminders: unexpected error sending reminder %s", rid)
                service.mark_failed(runtime, rid, f"error: {exc!r}")
                result.failed += 1
                return
            service.mark_sent(runtime, rid, getattr(message, "message_id", None))
            result.sent += 1
            return
        service.release(runtime, rid, f"gave up after {MAX_TRIES} tries")
        result.released += 1

    async def _backoff(self, attempt: int, rid: int, error: Exception) -> None:
        delay = min(BACKOFF_CAP_S, 2.0 ** (attempt - 1))
        log.warning("reminders: %r sending reminder %s; retry %d in %ss", error, rid, attempt, delay)
        await self._sleep(delay)

    async def _interruptible_sleep(self, seconds: float) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._stopping.wait(), timeout=seconds)
