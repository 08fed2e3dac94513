"""LGPD use cases: erase a contact's personal data on request, purge lost leads after
``RETENTION_MONTHS``, and read the audit of both.

What counts as personal data and which leads are due for the purge are rules of
:mod:`bot.domain.privacy`; this module applies them, each use case in one transaction, and
audits every erasure (who, when, which lead, how, why). Only managers erase from the chat; the
``cadencia`` command runs as the server's operator.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from bot.domain.privacy import (
    PERSONAL_LEAD_FIELDS,
    PERSONAL_TOUCH_FIELDS,
    ErasureReason,
    ErasureVia,
    due_for_purge,
    personal_fields_present,
    retention_cutoff,
)
from bot.domain.vocabulary import Role, Stage
from bot.services.leads import LeadNotFound
from bot.services.runtime import Runtime
from bot.services.team import NotAllowed
from bot.services.views import MemberLike
from bot.storage import contacts as contact_store
from bot.storage import privacy as store
from bot.storage import tasks as task_store
from bot.storage.db import read_scope, session_scope
from bot.storage.privacy import ErasureLine

if TYPE_CHECKING:
    from sqlalchemy import Engine
    from sqlmodel import Session

__all__ = [
    "ErasureLine",
    "ErasurePreview",
    "NothingToErase",
    "PurgeResult",
    "erase",
    "erase_for",
    "erasures",
    "may_erase",
    "preview",
    "preview_for",
    "purge",
    "purge_due",
]


class NothingToErase(Exception):
    """The lead holds no personal data: it was erased before and nothing was typed since."""

    def __init__(self, lead_id: int, erased_at: datetime | None) -> None:
        super().__init__(f"lead {lead_id} has no personal data left")
        self.lead_id = lead_id
        self.erased_at = erased_at


@dataclass(frozen=True, slots=True)
class ErasurePreview:
    """What an erasure of a lead takes away (or took away): field names, never their values."""

    lead_id: int
    company: str
    fields: tuple[str, ...]
    """Personal lead fields that hold something (:data:`~bot.domain.privacy.PERSONAL_LEAD_FIELDS`)."""
    touches: int
    """Touches with free text (notes, pain, budget) to clear."""
    erased_at: datetime | None
    """When it was erased before (None: never)."""
    contacts: int = 0
    """Other contacts of the lead than the chosen one (whose data is in ``fields``); every
    contact of the lead is deleted."""

    @property
    def empty(self) -> bool:
        return not self.fields and not self.touches and not self.contacts


def _preview(session: Session, lead_id: int) -> ErasurePreview:
    data = store.personal_data(
        session, lead_id=lead_id, lead_fields=PERSONAL_LEAD_FIELDS, touch_fields=PERSONAL_TOUCH_FIELDS
    )
    if data is None:
        raise LeadNotFound(lead_id)
    return ErasurePreview(
        lead_id=lead_id,
        company=data.company,
        fields=personal_fields_present(data.values),
        touches=data.touches,
        erased_at=data.erased_at,
        contacts=contact_store.count_others(session, lead_id=lead_id),
    )


def preview(engine: Engine, lead_id: int) -> ErasurePreview:
    """What :func:`erase` would take away; LeadNotFound if there is no such lead."""
    with read_scope(engine) as session:
        return _preview(session, lead_id)


def _erase(
    session: Session, lead_id: int, *, member_id: int | None, via: ErasureVia, reason: ErasureReason, now: datetime
) -> ErasurePreview:
    before = _preview(session, lead_id)
    if before.empty and before.erased_at is not None:
        raise NothingToErase(lead_id, before.erased_at)
    touches = store.erase_personal_data(
        session, lead_id=lead_id, lead_fields=PERSONAL_LEAD_FIELDS, touch_fields=PERSONAL_TOUCH_FIELDS, at=now
    )
    task_store.erase_notes(session, lead_id=lead_id)  # a follow-up's note is free text too
    contacts = contact_store.erase_contacts(session, lead_id=lead_id)
    store.add_erasure_audit(
        session,
        lead_id=lead_id,
        member_id=member_id,
        via=via.value,
        reason=reason.value,
        fields=before.fields,
        touches=touches,
        at=now,
    )
    return ErasurePreview(lead_id, before.company, before.fields, touches, now, contacts)


def erase(
    engine: Engine,
    lead_id: int,
    *,
    now: datetime,
    via: ErasureVia,
    member_id: int | None = None,
    reason: ErasureReason = ErasureReason.REQUEST,
) -> ErasurePreview:
    """Erase the contact's personal data of one lead and audit it, in one transaction.

    Returns what was erased (``erased_at`` is ``now``). LeadNotFound if there is no such lead;
    NothingToErase if it was erased before and holds nothing personal again. A lead erased
    before whose contact was typed again can be erased again.
    """
    with session_scope(engine) as session:
        return _erase(session, lead_id, member_id=member_id, via=via, reason=reason, now=now)


def may_erase(member: MemberLike) -> bool:
    """Only managers erase personal data from the chat (the card asks before drawing 🗑)."""
    return member.role == Role.MANAGER


def _manager(member: MemberLike) -> None:
    if not may_erase(member):
        raise NotAllowed(f"member {member.id} may not erase personal data (managers only)")


def preview_for(runtime: Runtime, member: MemberLike, lead_id: int) -> ErasurePreview:
    """A manager's look at what will go; NotAllowed for anyone else."""
    _manager(member)
    return preview(runtime.engine, lead_id)


def erase_for(runtime: Runtime, member: MemberLike, lead_id: int) -> ErasurePreview:
    """A manager erases from the chat; NotAllowed for anyone else (a forged button too)."""
    _manager(member)
    return erase(runtime.engine, lead_id, now=runtime.now(), via=ErasureVia.CHAT, member_id=member.id)


@dataclass(frozen=True, slots=True)
class PurgeResult:
    cutoff: datetime | None
    """Leads lost before this moment were due; None when retention is off."""
    lead_ids: tuple[int, ...]
    """The leads erased (or, in a dry run, that would be)."""
    dry_run: bool = False

    @property
    def count(self) -> int:
        return len(self.lead_ids)


def purge(
    engine: Engine,
    *,
    months: int,
    now: datetime,
    via: ErasureVia,
    dry_run: bool = False,
    batch: int = 200,
) -> PurgeResult:
    """Erase the contact data of every lead lost more than ``months`` months ago (once each).

    Idempotent: an erased lead is no longer a candidate, so running it again (the next day,
    after a restart, from the CLI and the bot the same day) erases nothing twice. Each batch of
    leads is one transaction, so a huge first purge never holds the database for long.
    """
    cutoff = retention_cutoff(now, months)
    if cutoff is None:
        return PurgeResult(None, (), dry_run)
    with read_scope(engine) as session:
        candidates = store.lost_leads(session, lost_stage=Stage.LOST.value, lost_before=cutoff)
    due = [
        c.lead_id
        for c in candidates
        if due_for_purge(stage=c.stage, lost_at=c.lost_at, erased_at=c.erased_at, cutoff=cutoff)
    ]
    if dry_run:
        return PurgeResult(cutoff, tuple(due), True)
    erased: list[int] = []
    for start in range(0, len(due), batch):
        with session_scope(engine) as session:
            for lead_id in due[start : start + batch]:
                try:
                    _erase(session, lead_id, member_id=None, via=via, reason=ErasureReason.RETENTION, now=now)
                except NothingToErase:  # erased meanwhile (another process): nothing to do
                    continue
                erased.append(lead_id)
    return PurgeResult(cutoff, tuple(erased))


def purge_due(runtime: Runtime, *, via: ErasureVia = ErasureVia.BOT) -> PurgeResult:
    """The retention purge with the bot's settings and clock (``RETENTION_MONTHS``, 0 = off)."""
    return purge(runtime.engine, months=runtime.settings.retention_months, now=runtime.now(), via=via)


def erasures(engine: Engine, *, limit: int | None = None) -> list[ErasureLine]:
    """The erasure audit, newest first."""
    with read_scope(engine) as session:
        return store.erasure_lines(session, limit=limit)
