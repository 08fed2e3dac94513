"""Which activity a report or an export covers: the period, the campaign, the rep, the playbook
version, and the zone whose days and clock it is read in. Built by the chat and the command line,
read by the report and export queries."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.domain.regions import DEFAULT_ZONE


@dataclass(frozen=True, slots=True)
class ActivityFilter:
    """Which activity a report or export covers. ``start`` inclusive, ``end`` exclusive (UTC).
    ``zone`` (IANA name): the zone whose days a report counts and whose clock exported times
    are written in — the asking member's in chat, the ``DEFAULT_TIMEZONE`` setting's on the CLI."""

    start: datetime | None = None
    end: datetime | None = None
    campaign: str | None = None
    rep_id: int | None = None
    playbook_version: str | None = None
    zone: str = DEFAULT_ZONE

    def as_json(self) -> dict[str, Any]:
        return {
            "start": self.start.isoformat() if self.start else None,
            "end": self.end.isoformat() if self.end else None,
            "campaign": self.campaign,
            "rep_id": self.rep_id,
            "playbook_version": self.playbook_version,
            "zone": self.zone,
        }
