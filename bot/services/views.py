"""What the adapters see: read models, never rows.

A use case hands ``bot/tg`` (and the scheduler, and the command line) frozen dataclasses built
here from the rows it read, so a template or a handler cannot lazy-load a column, write to a row
by accident or learn the storage schema. The storage names an adapter needs (the database-down
error, the activity filter of reports and exports) are re-exported here, so ``bot.tg`` imports
no ``bot.storage`` at all (an import-linter contract says so).

Services take a member as :class:`MemberLike`: a :class:`MemberView` from the chat, or a row
where a service or the command line already has one.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import datetime
from typing import TYPE_CHECKING, Protocol, TypeVar

from bot.domain.activity import ActivityFilter
from bot.domain.facts import IntRange, LeadFacts
from bot.domain.privacy import PERSONAL_LEAD_FIELDS, personal_fields_present
from bot.domain.registry import FederalStatus, Porte
from bot.domain.vocabulary import Registration
from bot.storage.db import DatabaseUnavailable

if TYPE_CHECKING:
    from bot.storage.members import OpenInvite
    from bot.storage.models import Lead, Meeting, Member, Reminder, Touch

V = TypeVar("V")

__all__ = [
    "ActivityFilter",
    "DatabaseUnavailable",
    "InviteView",
    "LeadCard",
    "MeetingView",
    "MemberLike",
    "MemberView",
    "OpenInviteView",
    "ReminderView",
    "TouchView",
    "facts_of",
]


class MemberLike(Protocol):
    """What a use case reads of the member acting (a :class:`MemberView` or a row)."""

    @property
    def id(self) -> int | None: ...
    @property
    def telegram_id(self) -> int: ...
    @property
    def role(self) -> str: ...
    @property
    def first_name(self) -> str: ...
    @property
    def full_name(self) -> str: ...
    @property
    def username(self) -> str: ...
    @property
    def language(self) -> str: ...
    @property
    def phone(self) -> str: ...
    @property
    def email(self) -> str: ...
    @property
    def uf(self) -> str: ...
    @property
    def timezone(self) -> str: ...
    @property
    def work_start(self) -> str: ...
    @property
    def work_end(self) -> str: ...
    @property
    def paused(self) -> bool: ...
    @property
    def active(self) -> bool: ...


@dataclass(frozen=True, slots=True)
class MemberView:
    """A member of the team as the chat knows them (the gate's cache holds these)."""

    id: int
    telegram_id: int
    role: str
    first_name: str
    full_name: str
    username: str
    language: str
    phone: str
    email: str
    uf: str
    timezone: str
    work_start: str
    work_end: str
    paused: bool
    active: bool

    @property
    def name(self) -> str:
        return self.full_name or self.first_name

    @classmethod
    def of(cls, member: Member) -> MemberView:
        return _copied(cls, member, id=member.id or 0)


@dataclass(frozen=True, slots=True)
class InviteView:
    """An invite just made: the link's token, and what the manager is told of it."""

    token: str
    role: str
    expires_at: datetime
    for_username: str | None


@dataclass(frozen=True, slots=True)
class OpenInviteView:
    """An invite still open, as ``/convites`` lists it (with who made it)."""

    id: int
    role: str
    for_username: str | None
    created_by: str
    expires_at: datetime

    @classmethod
    def of(cls, invite: OpenInvite) -> OpenInviteView:
        return _copied(cls, invite)


@dataclass(frozen=True, slots=True)
class TouchView:
    """A touch just logged or annotated: what its buttons point at."""

    id: int
    lead_id: int

    @classmethod
    def of(cls, touch: Touch) -> TouchView:
        return _copied(cls, touch, id=touch.id or 0)


@dataclass(frozen=True, slots=True)
class MeetingView:
    """A meeting as its messages and buttons show it."""

    id: int
    lead_id: int
    starts_at: datetime

    @classmethod
    def of(cls, meeting: Meeting) -> MeetingView:
        return _copied(cls, meeting, id=meeting.id or 0)


@dataclass(frozen=True, slots=True)
class ReminderView:
    """A reminder as its message and buttons show it."""

    id: int
    kind: str
    lead_id: int | None
    due_at: datetime

    @classmethod
    def of(cls, reminder: Reminder) -> ReminderView:
        return _copied(cls, reminder, id=reminder.id or 0)


def facts_of(lead: Lead) -> LeadFacts:
    """The ICP facts a stored lead keeps, typed."""

    def rng(low: int | None, high: int | None) -> IntRange | None:
        return IntRange(low, high if high is not None else low) if low is not None else None

    return LeadFacts(
        cnae=lead.cnae,
        uf=lead.uf,
        headcount=rng(lead.headcount_low, lead.headcount_high),
        revenue=rng(lead.revenue_low, lead.revenue_high),
        branches=lead.branches,
        registration=Registration(lead.registration) if lead.registration else None,
        financial_score=lead.financial_score,
        cnpj=lead.cnpj,
        federal_status=FederalStatus(lead.federal_status) if lead.federal_status else None,
        porte=Porte(lead.porte) if lead.porte else None,
        simples=lead.simples,
        mei=lead.mei,
        opened_on=lead.opened_on,
    )


@dataclass(frozen=True, slots=True)
class LeadCard:
    """A lead as its cards show it (the lead card, the ICP card, the lists of a search)."""

    id: int
    owner_id: int
    company: str
    trade_name: str
    website: str
    city: str
    campaign: str
    contact_name: str
    contact_role: str
    contact_phone: str
    contact_email: str
    contact_linkedin: str
    notes: str | None
    stage: str
    icp_score: int | None
    icp_tier: str | None
    cadence_status: str
    current_step: str | None
    step_due_at: datetime | None
    loss_reason: str | None
    personal_data_erased_at: datetime | None
    personal_data_left: bool
    """Some personal field holds something (typed again after an erasure, or never erased)."""
    registry_month: str | None
    """The registry month ("2026-11") the CNPJ facts came from; ``None``: typed by the rep."""
    facts: LeadFacts
    """The ICP facts as stored (registry facts included; the company's age is counted when
    the lead is scored, see :meth:`~bot.domain.facts.LeadFacts.aged`)."""
    cadence_id: str | None = None
    """The cadence of ``cadence.yaml`` it is worked on (``None``: from before cadences had ids)."""
    recycled: int = 0
    """How many times it came back after a loss."""

    @property
    def cnae(self) -> str | None:
        return self.facts.cnae

    @property
    def cnpj(self) -> str | None:
        return self.facts.cnpj

    @property
    def uf(self) -> str | None:
        return self.facts.uf

    @classmethod
    def of(cls, lead: Lead) -> LeadCard:
        return _copied(
            cls,
            lead,
            id=lead.id or 0,
            personal_data_left=bool(personal_fields_present({k: getattr(lead, k) for k in PERSONAL_LEAD_FIELDS})),
            facts=facts_of(lead),
        )


def _copied(view: type[V], row: object, **computed: object) -> V:
    """``view`` with every field read from the same-named attribute of ``row``, but ``computed``."""
    names = _FIELD_NAMES.get(view)
    if names is None:
        names = _FIELD_NAMES[view] = tuple(f.name for f in fields(view))  # type: ignore[arg-type]
    return view(**{name: getattr(row, name) for name in names if name not in computed}, **computed)


_FIELD_NAMES: dict[type, tuple[str, ...]] = {}
