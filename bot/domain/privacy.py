"""LGPD: what of a lead is a person's data, and when a lost lead's contact must be erased.

Brazil's LGPD gives a contact the right to have their personal data deleted, and a team may
keep data no longer than it needs it. The company itself (a legal entity), its CNPJ and facts,
the funnel stages and the *shape* of every touch and meeting (outcome, channel, step, time) are
not personal data and are kept, so every report number stays the same after an erasure.

This module is the one place that says which fields are personal data and which lost leads are
due for the retention purge; storage and services ask it.
"""

from __future__ import annotations

import calendar
from collections.abc import Mapping
from datetime import datetime
from enum import StrEnum

from bot.domain.labels import BUDGET_LABELS, PAIN_LABELS
from bot.domain.problems import N_
from bot.domain.vocabulary import Stage

#: Fields of a lead that describe the contact person, or may (free text).
PERSONAL_LEAD_FIELDS: tuple[str, ...] = (
    "contact_name",
    "contact_role",
    "contact_phone",
    "contact_email",
    "contact_linkedin",
    "notes",
)
"""``notes`` is the lead's free text (a spreadsheet's "observações"): it may name or describe the
contact, so it goes; the trade name and website are the company's and stay. ``contact_role`` is
the person's job title as typed ("Diretora de Operações na filial de Curitiba"): with the
company it names one person, so it goes too. The *touch's* contact role
(decision maker / influencer, a closed list the reports count) is not personal data and stays."""

#: Text of a touch that may quote or describe the person, each with the values that are *not*
#: personal data and stay. Notes are free text: all of a note goes. Pain and budget are the
#: qualification answers: the bot records them from its buttons as codes of a closed list (the
#: codes of :mod:`bot.domain.labels`, which the buttons offer), which stay; anything else
#: in them (typed in an older version, imported) is free text and goes. No report counts them.
PERSONAL_TOUCH_FIELDS: Mapping[str, frozenset[str]] = {
    "notes": frozenset(),
    "pain": frozenset(PAIN_LABELS),
    "budget": frozenset(BUDGET_LABELS),
}


def touch_text_is_personal(field: str, value: str | None) -> bool:
    """Whether this value of a touch's text field goes in an erasure."""
    return field in PERSONAL_TOUCH_FIELDS and bool(value) and value not in PERSONAL_TOUCH_FIELDS[field]


class ErasureVia(StrEnum):
    """Who asked for an erasure, as the audit records it."""

    CHAT = "chat"  # a manager's button on the lead card
    CLI = "cli"  # cadencia lead erase / cadencia lead purge
    BOT = "bot"  # the bot's daily retention run


class ErasureReason(StrEnum):
    REQUEST = "request"  # the contact asked (LGPD art. 18)
    RETENTION = "retention"  # lost longer ago than RETENTION_MONTHS


ERASURE_VIA_LABELS: Mapping[str, str] = {
    ErasureVia.CHAT: N_("Chat"),
    ErasureVia.CLI: N_("Linha de comando"),
    ErasureVia.BOT: N_("Retenção automática"),
}
ERASURE_REASON_LABELS: Mapping[str, str] = {
    ErasureReason.REQUEST: N_("Pedido do titular"),
    ErasureReason.RETENTION: N_("Prazo de retenção"),
}


def personal_fields_present(values: Mapping[str, str | None]) -> tuple[str, ...]:
    """The personal lead fields that hold something, in :data:`PERSONAL_LEAD_FIELDS` order."""
    return tuple(name for name in PERSONAL_LEAD_FIELDS if (values.get(name) or "").strip())


def import_may_fill(field: str, *, erased: bool) -> bool:
    """May a spreadsheet fill in this empty field of a stored lead?

    Not the personal fields of a lead whose personal data was erased: the same old list
    imported again would bring back the very data the contact asked to delete. A rep who
    talks to a new contact types it on the card (an erasure can be made again).
    """
    return not (erased and field in PERSONAL_LEAD_FIELDS)


def months_before(moment: datetime, months: int) -> datetime:
    """``moment`` moved back ``months`` calendar months (31/05 − 3 months → 28 or 29/02)."""
    if months < 0:
        raise ValueError("months must not be negative")
    index = moment.year * 12 + (moment.month - 1) - months
    year, month = divmod(index, 12)
    month += 1
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return moment.replace(year=year, month=month, day=day)


def retention_cutoff(now: datetime, months: int) -> datetime | None:
    """Leads lost before this moment are due for the purge; None when retention is off (0)."""
    if months <= 0:
        return None
    return months_before(now, months)


def due_for_purge(*, stage: str, lost_at: datetime | None, erased_at: datetime | None, cutoff: datetime) -> bool:
    """A lead is purged once: lost (still), lost before ``cutoff``, not erased yet.

    A lead won or still open is never purged, whatever its age: the team still works with the
    contact. A lead erased before (on request or by an earlier purge) is left alone, so the
    daily run is idempotent.
    """
    return stage == Stage.LOST and lost_at is not None and lost_at < cutoff and erased_at is None
