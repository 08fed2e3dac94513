"""Reminder tests reuse the conversation fixtures of tests/tg (bot, clock, runtime)."""

from tests.tg.conftest import bot, clock, default_playbook, runtime

__all__ = ["bot", "clock", "default_playbook", "runtime"]
