"""The retention purge run by the bot: a daily job of the reminders scheduler (PTB's JobQueue),
with the database deciding what is due, so every run (and a run after a restart) erases each
lead once. The clock is frozen; the job's callback is called as the JobQueue would."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from sqlmodel import select

from bot.domain.lead_fields import LeadDraft
from bot.reminders.scheduler import RETENTION_INTERVAL, RETENTION_JOB
from bot.services import leads
from bot.storage.models import ErasureAudit, Lead, Member
from tests.reminders.conftest import FakeTime, scheduler_of
from tests.tg.harness import BotUnderTest, FrozenClock

CONTACT = {"contact_name": "Paulo Reis", "contact_phone": "(19) 98888-1111", "uf": "SP"}


@dataclass
class Job:
    callback: Any
    name: str
    interval: Any = None
    first: Any = None
    removed: bool = False

    def schedule_removal(self) -> None:
        self.removed = True


@dataclass
class FakeJobQueue:
    """What the scheduler asks of PTB's JobQueue, recorded."""

    jobs: list[Job] = field(default_factory=list)

    def run_repeating(self, callback: Any, *, interval: Any, first: Any, name: str) -> Job:
        job = Job(callback, name, interval, first)
        self.jobs.append(job)
        return job

    def run_once(self, callback: Any, *, when: Any, name: str, job_kwargs: Any = None) -> Job:
        job = Job(callback, name, first=when)
        self.jobs.append(job)
        return job

    def get_jobs_by_name(self, name: str) -> list[Job]:
        return [job for job in self.jobs if job.name == name]


async def _lost(bot: BotUnderTest, clock: FrozenClock, company: str, days_ago: int) -> int:
    """A lead of Ana's, lost ``days_ago`` days before the clock's moment."""
    with bot.runtime.session() as session:
        ana = session.exec(select(Member).where(Member.first_name == "Ana")).one()
    now = clock()
    clock.set(now - timedelta(days=days_ago))
    lead = leads.create_lead(bot.runtime, ana, LeadDraft.read({"company": company, **CONTACT})).lead
    leads.disqualify(bot.runtime, ana, lead.id or 0, "fora_do_icp")
    clock.set(now)
    return lead.id or 0


def _contacts(bot: BotUnderTest) -> dict[str, str]:
    with bot.runtime.session() as session:
        return {lead.company: lead.contact_name for lead in session.exec(select(Lead))}


async def test_the_bot_purges_once_a_day_what_the_database_says_is_due(
    bot: BotUnderTest, clock: FrozenClock, fake_time: FakeTime
) -> None:
    await bot.member("Ana")
    await _lost(bot, clock, "Perdida há 7 meses", 213)
    await _lost(bot, clock, "Perdida há 5 meses", 152)
    bot.runtime.settings = bot.runtime.settings.model_copy(update={"retention_months": 6})
    scheduler = scheduler_of(bot, fake_time)
    queue = FakeJobQueue()

    await scheduler.start(queue)
    (job,) = queue.get_jobs_by_name(RETENTION_JOB)
    assert job.interval == RETENTION_INTERVAL == timedelta(days=1)
    assert _contacts(bot) == {"Perdida há 7 meses": "Paulo Reis", "Perdida há 5 meses": "Paulo Reis"}

    await job.callback(None)
    assert _contacts(bot) == {"Perdida há 7 meses": "", "Perdida há 5 meses": "Paulo Reis"}
    await job.callback(None)  # the same day again (or after a restart): nothing twice
    with bot.runtime.session() as session:
        audits = session.exec(select(ErasureAudit)).all()
    assert [(a.via, a.reason, a.member_id, a.at) for a in audits] == [("bot", "retention", None, clock())]

    clock.advance(days=40)  # weeks later the other one is due too
    result = await scheduler.purge()
    assert result is not None and result.count == 1
    assert _contacts(bot) == {"Perdida há 7 meses": "", "Perdida há 5 meses": ""}

    await scheduler.stop()
    assert job.removed


async def test_without_retention_months_there_is_no_purge_job(
    bot: BotUnderTest, clock: FrozenClock, fake_time: FakeTime
) -> None:
    await bot.member("Ana")
    await _lost(bot, clock, "Perdida há 3 anos", 1100)
    scheduler = scheduler_of(bot, fake_time)
    queue = FakeJobQueue()
    await scheduler.start(queue)
    assert queue.get_jobs_by_name(RETENTION_JOB) == []
    result = await scheduler.purge()
    assert result is not None and result.count == 0
    assert _contacts(bot) == {"Perdida há 3 anos": "Paulo Reis"}
    await scheduler.stop()
