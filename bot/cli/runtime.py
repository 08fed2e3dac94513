"""The command line's runtime: the settings and the database (migrated), without the playbook.

It is the command line's part of the wiring (:mod:`bot.wiring` builds the bot's
:class:`~bot.services.runtime.Runtime`), kept apart from it because importing :mod:`bot.wiring`
loads python-telegram-bot and every handler of the chat — about 0.7 s of CPU that a command such as
``cadencia team list`` has no use for. The use cases a command runs take the
:class:`~bot.services.runtime.CliRuntime` built here, as the bot's take its runtime.
"""

from __future__ import annotations

from bot.cli.failures import CommandFailed
from bot.config import Settings
from bot.services.runtime import CliRuntime
from bot.storage.db import DatabaseUnavailable, make_engine, upgrade_database


def cli_runtime(settings: Settings | None = None, *, migrate: bool = True) -> CliRuntime:
    """The settings' database, migrated to the latest schema unless ``migrate`` is false (a
    check that must change nothing); a database that cannot be reached is one line
    (:class:`CommandFailed`)."""
    settings = settings or Settings()
    try:
        engine = make_engine(settings.database_url)
        if migrate:
            upgrade_database(engine)
    except DatabaseUnavailable as exc:
        raise CommandFailed(exc.message_pt) from None
    return CliRuntime(settings=settings, engine=engine)
