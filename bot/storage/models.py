"""Every table, in one module. Tables are created by Alembic migrations, never ``create_all``
in production code (tests of the migrations compare the two).

All timestamps are UTC: every datetime column is a :class:`~bot.storage.types.UTCDateTime`,
which refuses naive datetimes and returns aware UTC ones. Enumerated columns store the
:mod:`bot.domain.vocabulary` values as text so exports and ad-hoc SQL read naturally.

Long because every table lives in one module on purpose: the migration tests compare the schema
Alembic builds with this one metadata, and a reader finds every column and foreign key here.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Column, Index, Text, UniqueConstraint, text
from sqlmodel import Field, SQLModel

from bot.domain.regions import DEFAULT_ZONE
from bot.storage.types import UTCDateTime

#: Deterministic names for constraints and indexes, identical on SQLite and PostgreSQL, so a
#: later migration can drop or alter them by name (SQLite batch mode needs named constraints).
SQLModel.metadata.naming_convention = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    return datetime.now(UTC)


class Member(SQLModel, table=True):
    """A person on the team: a rep or a manager. Only members may talk to the bot."""

    __tablename__ = "members"

    id: int | None = Field(default=None, primary_key=True)
    telegram_id: int = Field(sa_column=Column(BigInteger, unique=True, nullable=False, index=True))
    role: str = Field(max_length=16)
    first_name: str = Field(max_length=64)
    full_name: str = Field(default="", max_length=128)
    username: str = Field(default="", max_length=64)
    language: str = Field(default="pt", max_length=8)
    phone: str = Field(default="", max_length=32)
    email: str = Field(default="", max_length=128)
    uf: str = Field(default="SP", max_length=2)
    timezone: str = Field(default=DEFAULT_ZONE, max_length=64)
    work_start: str = Field(default="09:00", max_length=5)
    work_end: str = Field(default="18:00", max_length=5)
    paused: bool = False
    """A manager paused this rep (vacation): reminders wait until resumed."""
    active: bool = True
    invited_by: int | None = Field(default=None, foreign_key="members.id")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Invite(SQLModel, table=True):
    __tablename__ = "invites"

    id: int | None = Field(default=None, primary_key=True)
    token: str = Field(max_length=64, unique=True, index=True)
    role: str = Field(max_length=16)
    created_by: int = Field(foreign_key="members.id")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    expires_at: datetime = Field(sa_type=UTCDateTime)
    used_by: int | None = Field(default=None, foreign_key="members.id")
    used_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    for_username: str | None = Field(default=None, max_length=64)
    """Only this Telegram username (lower case, no @) may accept it: every manager invite names one."""
    revoked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    revoked_by: int | None = Field(default=None, foreign_key="members.id")


class Deactivation(SQLModel, table=True):
    """Audit of one off-boarding: who was deactivated, by whom, when, and where their open
    leads went (``moved``: receiving member id → number of leads)."""

    __tablename__ = "deactivations"

    id: int | None = Field(default=None, primary_key=True)
    member_id: int = Field(foreign_key="members.id", index=True)
    by_member_id: int | None = Field(default=None, foreign_key="members.id")
    """The manager who did it; ``None`` from the command line."""
    via: str = Field(max_length=8)
    """chat | cli"""
    at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    leads_moved: int = 0
    leads_kept: int = 0
    """Won and lost leads, which stay with the member for history."""
    moved: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    reminders_moved: int = 0
    reminders_cancelled: int = 0


class PlaybookVersion(SQLModel, table=True):
    """Every playbook version the bot has run with, kept so old touches stay explainable."""

    __tablename__ = "playbook_versions"

    id: int | None = Field(default=None, primary_key=True)
    version: str = Field(max_length=32, index=True)
    fingerprint: str = Field(max_length=64, unique=True)
    sources: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    loaded_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Lead(SQLModel, table=True):
    __tablename__ = "leads"
    __table_args__ = (
        # The lead lists (bot.storage.lead_list) page through these in their order, by keyset.
        Index("ix_leads_owner_stage", "owner_id", "stage", "id"),
        Index("ix_leads_owner_id", "owner_id", "id"),
        Index("ix_leads_owner_due", "owner_id", "step_due_at", "id"),
        Index("ix_leads_company_uf", "company_key", "uf"),
        # The report's companies entered in a period (bot.storage.reporting; migration 0013).
        Index("ix_leads_created_campaign", "created_at", "campaign", "owner_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    owner_id: int = Field(foreign_key="members.id")
    """Indexed by ``ix_leads_owner_stage`` (owner first)."""
    company: str = Field(max_length=200)
    company_key: str = Field(max_length=200)
    """Company name folded (no accents, case or punctuation): de-duplication key with the UF."""
    trade_name: str = Field(default="", max_length=200)
    """Nome fantasia, when it differs from the company (razão social)."""
    website: str = Field(default="", max_length=300)
    cnpj: str | None = Field(default=None, max_length=14, index=True)
    cnae: str | None = Field(default=None, max_length=7)
    uf: str | None = Field(default=None, max_length=2)
    city: str = Field(default="", max_length=100)
    headcount_low: int | None = None
    headcount_high: int | None = None
    revenue_low: int | None = Field(default=None, sa_column=Column(BigInteger))
    revenue_high: int | None = Field(default=None, sa_column=Column(BigInteger))
    branches: int | None = None
    registration: str | None = Field(default=None, max_length=16)
    financial_score: int | None = None
    federal_status: str | None = Field(default=None, max_length=2)
    """``situacao_cadastral`` in the CNPJ registry ("02" ativa); facts below come from it too."""
    porte: str | None = Field(default=None, max_length=2)
    simples: bool | None = None
    mei: bool | None = None
    opened_on: date | None = None
    registry_month: str | None = Field(default=None, max_length=7)
    """The registry month ("2026-11") the CNPJ facts were read from; None: typed by the rep."""
    contact_name: str = Field(default="", max_length=120)
    contact_role: str = Field(default="", max_length=120)
    contact_phone: str = Field(default="", max_length=32)
    contact_email: str = Field(default="", max_length=200)
    contact_linkedin: str = Field(default="", max_length=300)
    campaign: str = Field(default="", max_length=100, index=True)
    notes: str | None = Field(default=None, sa_column=Column(Text))
    """Free text about the company (an imported spreadsheet's "observações")."""
    source: str = Field(default="manual", max_length=16)
    stage: str = Field(default="new", max_length=32, index=True)
    icp_score: int | None = None
    icp_potential: int | None = None
    icp_tier: str | None = Field(default=None, max_length=1)
    sales_model: str | None = Field(default=None, max_length=32)
    knocked_out: bool = False
    scored_with: str | None = Field(default=None, max_length=64)
    """Fingerprint of the playbook whose ICP rules gave the score."""
    cadence_status: str = Field(default="not_started", max_length=16)
    """not_started | active | paused | stopped | finished."""
    current_step: str | None = Field(default=None, max_length=32)
    step_due_at: datetime | None = Field(default=None, index=True, sa_type=UTCDateTime)
    loss_reason: str | None = Field(default=None, max_length=32)
    created_by: int | None = Field(default=None, foreign_key="members.id")
    created_at: datetime = Field(default_factory=utcnow, index=True, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    personal_data_erased_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    """When the contact's personal data was erased (LGPD): on request or by the retention purge."""


TOUCH_REACHED_WHERE = "contact_role IS NOT NULL OR intent IS NOT NULL"
"""The touches where someone answered (a contact role or a purchase intent was logged): the rows
of the partial index ``ix_touches_reached``; a query must repeat this condition to use it."""


class Touch(SQLModel, table=True):
    """One touch of the cadence and its outcome: the row every metric is computed from."""

    __tablename__ = "touches"
    __table_args__ = (
        Index("ix_touches_rep_at", "rep_id", "happened_at"),
        Index("ix_touches_campaign_at", "campaign", "happened_at"),
        # Covering indexes of the manager report (bot.storage.reporting): the report reads them
        # in their order and never sorts or touches the wide rows (texts, notes).
        Index(
            "ix_touches_report",
            "campaign",
            "rep_id",
            "channel",
            "outcome",
            "playbook_version",
            "script_id",
            "variant",
            "happened_at",
        ),
        Index(
            "ix_touches_reached",
            "campaign",
            "lead_id",
            "contact_role",
            "intent",
            "happened_at",
            "rep_id",
            "playbook_version",
            sqlite_where=text(TOUCH_REACHED_WHERE),
            postgresql_where=text(TOUCH_REACHED_WHERE),
        ),
        # The same two, moment first (migration 0013): a report for a period seeks its first
        # touch and reads only the period's entries, whatever the length of the history.
        Index(
            "ix_touches_period",
            "happened_at",
            "campaign",
            "rep_id",
            "channel",
            "outcome",
            "playbook_version",
            "script_id",
            "variant",
        ),
        Index(
            "ix_touches_reached_period",
            "happened_at",
            "campaign",
            "lead_id",
            "contact_role",
            "intent",
            "rep_id",
            "playbook_version",
            sqlite_where=text(TOUCH_REACHED_WHERE),
            postgresql_where=text(TOUCH_REACHED_WHERE),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    lead_id: int = Field(foreign_key="leads.id", index=True)
    rep_id: int = Field(foreign_key="members.id")
    campaign: str = Field(default="", max_length=100)
    step_id: str | None = Field(default=None, max_length=32)
    step_number: int | None = None
    step_kind: str | None = Field(default=None, max_length=16)
    channel: str = Field(max_length=16)
    script_id: str | None = Field(default=None, max_length=32)
    variant: str | None = Field(default=None, max_length=1)
    playbook_version: str = Field(max_length=32)
    playbook_fingerprint: str = Field(max_length=64)
    outcome: str = Field(max_length=32, index=True)
    contact_role: str | None = Field(default=None, max_length=32)
    objection: str | None = Field(default=None, max_length=32)
    loss_reason: str | None = Field(default=None, max_length=32)
    intent: str | None = Field(default=None, max_length=8)
    pain: str | None = Field(default=None, sa_column=Column(Text))
    budget: str | None = Field(default=None, max_length=200)
    notes: str | None = Field(default=None, sa_column=Column(Text))
    happened_at: datetime = Field(default_factory=utcnow, index=True, sa_type=UTCDateTime)
    recorded_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class StageChange(SQLModel, table=True):
    __tablename__ = "stage_changes"
    __table_args__ = (
        # Covering indexes of the report (bot.storage.reporting): the funnel (highest stage per
        # campaign and lead) and the losses (per campaign, stage and reason), each read in order.
        Index(
            "ix_stage_changes_funnel",
            "campaign",
            "lead_id",
            "to_stage",
            "at",
            "rep_id",
            "playbook_version",
        ),
        Index(
            "ix_stage_changes_losses",
            "to_stage",
            "campaign",
            "from_stage",
            "reason",
            "at",
            "rep_id",
            "playbook_version",
        ),
        # Moment first (migration 0013): the funnel and the losses of a period.
        Index(
            "ix_stage_changes_period",
            "at",
            "campaign",
            "lead_id",
            "to_stage",
            "from_stage",
            "reason",
            "rep_id",
            "playbook_version",
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    lead_id: int = Field(foreign_key="leads.id", index=True)
    rep_id: int | None = Field(default=None, foreign_key="members.id")
    campaign: str = Field(default="", max_length=100)
    from_stage: str | None = Field(default=None, max_length=32)
    to_stage: str = Field(max_length=32, index=True)
    reason: str | None = Field(default=None, max_length=32)
    playbook_version: str | None = Field(default=None, max_length=32)
    playbook_fingerprint: str | None = Field(default=None, max_length=64)
    at: datetime = Field(default_factory=utcnow, index=True, sa_type=UTCDateTime)


class FitOverride(SQLModel, table=True):
    """A cadence started on a lead outside the ICP (tier D or knocked out), after the rep
    confirmed it: who, when, and what the ICP said then. Append-only; the report counts them."""

    __tablename__ = "fit_overrides"
    __table_args__ = (Index("ix_fit_overrides_at", "at", "campaign", "member_id"),)

    id: int | None = Field(default=None, primary_key=True)
    lead_id: int = Field(foreign_key="leads.id", index=True)
    member_id: int = Field(foreign_key="members.id")
    campaign: str = Field(default="", max_length=100)
    tier: str | None = Field(default=None, max_length=1)
    knockouts: str = Field(default="", max_length=300)
    """The ids of the knock-outs that applied, comma-separated (empty for a plain tier D)."""
    playbook_version: str | None = Field(default=None, max_length=32)
    at: datetime = Field(sa_type=UTCDateTime)


class Meeting(SQLModel, table=True):
    """An SQL meeting: booked on a touch, checked after its end (held or no-show)."""

    __tablename__ = "meetings"
    __table_args__ = (
        # The report (migration 0013): meetings booked in a period, and whether one continues
        # another (a reschedule points to the meeting that replaced it).
        Index("ix_meetings_created", "created_at", "campaign", "rep_id", "touch_id"),
        Index(
            "ix_meetings_rescheduled_to",
            "rescheduled_to",
            sqlite_where=text("rescheduled_to IS NOT NULL"),
            postgresql_where=text("rescheduled_to IS NOT NULL"),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    lead_id: int = Field(foreign_key="leads.id", index=True)
    rep_id: int = Field(foreign_key="members.id")
    touch_id: int | None = Field(default=None, foreign_key="touches.id")
    campaign: str = Field(default="", max_length=100)
    starts_at: datetime = Field(index=True, sa_type=UTCDateTime)
    duration_minutes: int = 45
    status: str = Field(default="scheduled", max_length=16)
    no_show_reason: str | None = Field(default=None, max_length=32)
    rescheduled_to: int | None = Field(default=None, foreign_key="meetings.id")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    resolved_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class Reminder(SQLModel, table=True):
    """A nudge due at a moment. The table is the source of truth; the job queue a cache."""

    __tablename__ = "reminders"
    __table_args__ = (
        Index("ix_reminders_state_due", "state", "due_at"),
        UniqueConstraint("dedupe_key", name="uq_reminders_dedupe_key"),
    )

    id: int | None = Field(default=None, primary_key=True)
    member_id: int = Field(foreign_key="members.id", index=True)
    lead_id: int | None = Field(default=None, foreign_key="leads.id")
    meeting_id: int | None = Field(default=None, foreign_key="meetings.id")
    kind: str = Field(max_length=16)
    step_id: str | None = Field(default=None, max_length=32)
    due_at: datetime = Field(sa_type=UTCDateTime)
    state: str = Field(default="pending", max_length=16)
    dedupe_key: str = Field(max_length=128)
    """One reminder per (kind, lead, step, meeting, day): re-planning never duplicates."""
    attempts: int = 0
    late: bool = False
    claimed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    sent_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    message_id: int | None = Field(default=None, sa_column=Column(BigInteger))
    last_error: str | None = Field(default=None, max_length=300)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class ImportBatch(SQLModel, table=True):
    __tablename__ = "import_batches"

    id: int | None = Field(default=None, primary_key=True)
    member_id: int | None = Field(default=None, foreign_key="members.id")
    filename: str = Field(max_length=200)
    started_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    finished_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    total_rows: int = 0
    imported: int = 0
    updated: int = 0
    """Existing leads (same CNPJ) whose missing facts the import filled in."""
    duplicates: int = 0
    rejected: int = 0
    status: str = Field(default="running", max_length=16)
    """running | done | refused | undone (see :class:`bot.storage.importing.BatchStatus`)."""
    reported_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    """When the member who sent the file was told how it ended (a restart tells the others)."""


class ExportAudit(SQLModel, table=True):
    __tablename__ = "export_audit"

    id: int | None = Field(default=None, primary_key=True)
    member_id: int | None = Field(default=None, foreign_key="members.id")
    via: str = Field(max_length=8)
    """chat | cli"""
    what: str = Field(max_length=64)
    format: str = Field(max_length=8)
    filters: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    rows: int = 0
    at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class ErasureAudit(SQLModel, table=True):
    """One erasure of a lead's personal data (LGPD): who, when, which lead, how, why."""

    __tablename__ = "erasure_audit"

    id: int | None = Field(default=None, primary_key=True)
    lead_id: int = Field(foreign_key="leads.id", index=True)
    member_id: int | None = Field(default=None, foreign_key="members.id")
    """The manager who pressed the button; empty for the CLI and the bot's retention run."""
    via: str = Field(max_length=8)
    """chat | cli | bot (see :class:`bot.domain.privacy.ErasureVia`)."""
    reason: str = Field(max_length=16)
    """request | retention"""
    fields: list[str] = Field(sa_column=Column(JSON, nullable=False))
    """The names of the lead fields that held something (never their values)."""
    touches: int = 0
    """Touches whose free text (notes, pain, budget) was cleared."""
    at: datetime = Field(default_factory=utcnow, index=True, sa_type=UTCDateTime)


class BotState(SQLModel, table=True):
    """PTB persistence: conversations, user/chat/bot data, as JSON rows."""

    __tablename__ = "bot_state"

    kind: str = Field(primary_key=True, max_length=32)
    key: str = Field(primary_key=True, max_length=128)
    value: Any = Field(sa_column=Column(JSON, nullable=False))
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class FlowResult(SQLModel, table=True):
    """How a run of a conversation flow (/novo, a meeting date, a note…) ended: written in the
    transaction that stores what the flow created, so a restart can tell the flow is over.

    ``flow_id`` is minted when the flow starts and kept in the rep's persisted user data; its
    primary key makes a second ending of the same run impossible.
    """

    __tablename__ = "flow_results"

    flow_id: str = Field(primary_key=True, max_length=32)
    member_id: int = Field(foreign_key="members.id")
    kind: str = Field(max_length=16)
    """lead | facts | meeting | note | hours: what the flow wrote."""
    lead_id: int | None = Field(default=None, foreign_key="leads.id")
    result_id: int | None = None
    """The row it created or changed (lead, meeting, touch, member), by ``kind``."""
    at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Task(SQLModel, table=True):
    """A follow-up ("⏰ Retorno") a rep scheduled on a lead: due at a moment, with a note; its
    nudge is a ``task`` row of ``reminders`` (``reminder_id``), delivered like a step's."""

    __tablename__ = "tasks"
    __table_args__ = (
        # The report (tasks due in a period per rep) and /hoje (a rep's open tasks due by tonight).
        Index("ix_tasks_due", "due_at", "member_id", "state", "campaign"),
        Index("ix_tasks_member_state", "member_id", "state", "due_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    lead_id: int = Field(foreign_key="leads.id", index=True)
    member_id: int = Field(foreign_key="members.id")
    """Whose task it is: the lead's owner (it moves with the lead when the lead is reassigned)."""
    created_by: int = Field(foreign_key="members.id")
    campaign: str = Field(default="", max_length=100)
    due_at: datetime = Field(sa_type=UTCDateTime)
    note: str = Field(default="", sa_column=Column(Text, nullable=False))
    state: str = Field(default="open", max_length=16)
    """open | done | cancelled (:class:`bot.domain.tasks.TaskState`)."""
    reminder_id: int | None = Field(default=None, foreign_key="reminders.id")
    touch_id: int | None = Field(default=None, foreign_key="touches.id")
    """The touch it was scheduled after (a reply, a call), if any."""
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    done_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class OwnerChange(SQLModel, table=True):
    """A lead handed from one member to another: a manager's reassignment or a deactivation.
    Append-only; the lead's history shows it (who, from whom, to whom, when)."""

    __tablename__ = "owner_changes"
    __table_args__ = (Index("ix_owner_changes_lead_at", "lead_id", "at"),)

    id: int | None = Field(default=None, primary_key=True)
    lead_id: int = Field(foreign_key="leads.id")
    from_member_id: int = Field(foreign_key="members.id")
    to_member_id: int = Field(foreign_key="members.id")
    by_member_id: int | None = Field(default=None, foreign_key="members.id")
    """The manager who did it; ``None`` from the command line."""
    via: str = Field(max_length=8)
    """chat | cli"""
    why: str = Field(max_length=16)
    """reassign | deactivation"""
    at: datetime = Field(sa_type=UTCDateTime)


class LeadContact(SQLModel, table=True):
    """A person at a lead's company (migration 0021): a lead has several, one of them chosen.

    The chosen contact is also kept in the lead's own ``contact_*`` columns, which every older
    reader and writer uses (scripts, the WhatsApp link, /lead search, imports, exports):
    :mod:`bot.storage.contacts` keeps the two equal, so this table adds the others without
    a second truth to drift. Personal data (LGPD): erased with the lead's."""

    __tablename__ = "lead_contacts"
    __table_args__ = (Index("ix_lead_contacts_lead", "lead_id", "id"),)

    id: int | None = Field(default=None, primary_key=True)
    lead_id: int = Field(foreign_key="leads.id")
    name: str = Field(default="", max_length=120)
    role: str = Field(default="", max_length=120)
    phone: str = Field(default="", max_length=32)
    email: str = Field(default="", max_length=200)
    linkedin: str = Field(default="", max_length=300)
    chosen: bool = False
    source: str = Field(default="lead", max_length=16)
    """lead (the lead's own contact, typed or imported) | rep (added in the chat) | registry
    (a decision maker of the CNPJ registry)."""
    added_by: int | None = Field(default=None, foreign_key="members.id")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class PersonalDataUse(SQLModel, table=True):
    """Audit of one bulk use of personal data (LGPD): decision makers copied into prospected
    leads, say. Who, when, how many people, for what; managers read it with /auditoria."""

    __tablename__ = "personal_data_uses"

    id: int | None = Field(default=None, primary_key=True)
    member_id: int | None = Field(default=None, foreign_key="members.id")
    """The manager who did it; ``None`` from the command line."""
    via: str = Field(max_length=8)
    """chat | cli"""
    purpose: str = Field(max_length=200)
    what: str = Field(max_length=32)
    """decision_makers"""
    people: int = 0
    leads: int = 0
    at: datetime = Field(default_factory=utcnow, index=True, sa_type=UTCDateTime)
