"""A command line runtime around a test's database, on a frozen clock (the use cases the CLI
shares with the bot take one, as :func:`bot.cli.runtime.cli_runtime` builds it)."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import Engine

from bot.config import Settings
from bot.services.runtime import CliRuntime

FROZEN = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


def cli_runtime(engine: Engine, now: datetime = FROZEN) -> CliRuntime:
    """``engine``'s database as ``cadencia`` sees it, at ``now``."""
    settings = Settings(_env_file=None, database_url="sqlite://")  # type: ignore[call-arg]
    return CliRuntime(settings=settings, engine=engine, clock=lambda: now)
