"""Is this bot healthy? What monitors (``GET /health``) and ``cadencia health`` report."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.services.runtime import Runtime
from bot.storage.db import DatabaseUnavailable, ping


@dataclass(frozen=True, slots=True)
class Health:
    ok: bool
    database: str
    """``ok``, or why the database cannot be used (locked, unreachable…)."""
    playbook: str
    checked_at: datetime

    def as_json(self) -> dict[str, object]:
        return {
            "status": "ok" if self.ok else "unhealthy",
            "database": self.database,
            "playbook": self.playbook,
            "checked_at": self.checked_at.isoformat(),
        }


def check(runtime: Runtime) -> Health:
    try:
        ping(runtime.engine)
        database = "ok"
    except DatabaseUnavailable as error:
        database = f"{error.reason}: {error.detail or error.message_en}"
    return Health(ok=database == "ok", database=database, playbook=runtime.playbook.version, checked_at=runtime.now())
