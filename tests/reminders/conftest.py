"""Reminder tests reuse the conversation fixtures of tests/tg (bot, clock, runtime) and drive
the scheduler with fake pacing time: no test sleeps."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from bot.reminders.scheduler import ReminderScheduler
from bot.tg.context import RENDERER
from bot.tg.reminders import SCHEDULER, composer
from tests.tg.conftest import bot, clock, default_playbook, runtime
from tests.tg.harness import BotUnderTest

__all__ = ["FakeTime", "bot", "clock", "default_playbook", "runtime", "scheduler_of"]


@dataclass
class FakeTime:
    """Monotonic seconds that move only when the scheduler sleeps."""

    now: float = 1000.0
    sleeps: list[float] = field(default_factory=list)

    def monotonic(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


def scheduler_of(bot: BotUnderTest, fake: FakeTime) -> ReminderScheduler:
    """The application's scheduler, rebuilt on fake pacing time."""
    assert bot.app is not None
    scheduler = ReminderScheduler(
        bot.runtime, bot.app.bot, composer(bot.app.bot_data[RENDERER]), monotonic=fake.monotonic, sleep=fake.sleep
    )
    bot.app.bot_data[SCHEDULER] = scheduler
    return scheduler


@pytest.fixture
def fake_time() -> FakeTime:
    return FakeTime()
