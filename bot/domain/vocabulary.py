"""The words of the field, as enumerations shared by every layer.

Values are stable identifiers: they are stored in the database, put in callback data and
exported, so renaming one is a migration.
"""

from __future__ import annotations

from enum import StrEnum


class Channel(StrEnum):
    PHONE = "phone"
    EMAIL = "email"
    WHATSAPP = "whatsapp"
    LINKEDIN = "linkedin"


#: Channels whose touches count as "messages sent" in the basic metrics.
MESSAGE_CHANNELS = frozenset({Channel.EMAIL, Channel.WHATSAPP, Channel.LINKEDIN})


class StepKind(StrEnum):
    APPROACH = "approach"
    BREAKUP = "breakup"


class Outcome(StrEnum):
    """What happened on one touch of the cadence."""

    NO_ANSWER = "no_answer"
    CONNECTED = "connected"
    REPLIED = "replied"
    MEETING_BOOKED = "meeting_booked"
    OBJECTION = "objection"
    NOT_INTERESTED = "not_interested"
    WRONG_CONTACT = "wrong_contact"
    SKIPPED = "skipped"


#: Outcomes where a person was actually reached ("effective" call or conversation).
REACHED_OUTCOMES = frozenset(
    {
        Outcome.CONNECTED,
        Outcome.REPLIED,
        Outcome.MEETING_BOOKED,
        Outcome.OBJECTION,
        Outcome.NOT_INTERESTED,
    }
)

#: Outcomes that stop the automatic cadence (the prospect answered).
ANSWERED_OUTCOMES = frozenset({Outcome.REPLIED, Outcome.MEETING_BOOKED})


class Stage(StrEnum):
    """Funnel stages of a lead, in order."""

    NEW = "new"
    PROSPECTING = "prospecting"
    CONNECTED = "connected"
    MEETING_BOOKED = "meeting_booked"
    MEETING_HELD = "meeting_held"
    PROPOSAL_SENT = "proposal_sent"
    WON = "won"
    LOST = "lost"


OPEN_STAGES = (
    Stage.NEW,
    Stage.PROSPECTING,
    Stage.CONNECTED,
    Stage.MEETING_BOOKED,
    Stage.MEETING_HELD,
    Stage.PROPOSAL_SENT,
)
CLOSED_STAGES = (Stage.WON, Stage.LOST)

#: Stages at which a lead can be lost, each with its own list of reasons in the playbook.
LOSS_STAGES = (
    Stage.NEW,
    Stage.PROSPECTING,
    Stage.CONNECTED,
    Stage.MEETING_BOOKED,
    Stage.MEETING_HELD,
    Stage.PROPOSAL_SENT,
)


class ContactRole(StrEnum):
    """Who the rep reached."""

    DECISION_MAKER = "decision_maker"
    INFLUENCER = "influencer"
    OTHER = "other"


class PurchaseIntent(StrEnum):
    WITHIN_45_DAYS = "45d"
    WITHIN_90_DAYS = "90d"
    LATER = "later"
    NONE = "none"


class SalesModel(StrEnum):
    ENTERPRISE = "enterprise"
    TRANSACTIONAL = "transactional"
    SELF_SERVICE = "self_service"


class Tier(StrEnum):
    A = "A"
    B = "B"
    C = "C"
    D = "D"


class Registration(StrEnum):
    """State taxpayer registration (inscrição estadual) as SINTEGRA shows it."""

    ACTIVE = "active"
    INACTIVE = "inactive"
    EXEMPT = "exempt"


class Role(StrEnum):
    REP = "rep"
    MANAGER = "manager"


class MeetingStatus(StrEnum):
    SCHEDULED = "scheduled"
    HELD = "held"
    NO_SHOW = "no_show"
    RESCHEDULED = "rescheduled"
    CANCELLED = "cancelled"


class ReminderKind(StrEnum):
    STEP_DUE = "step_due"
    MEETING_BEFORE = "meeting_before"
    MEETING_CHECK = "meeting_check"
    AGENDA = "agenda"
    TASK = "task"
    """A follow-up the rep scheduled (:mod:`bot.domain.tasks`)."""


class ReminderState(StrEnum):
    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    SNOOZED = "snoozed"
    DONE = "done"
    CANCELLED = "cancelled"
    FAILED = "failed"


class Macroregion(StrEnum):
    NORTE = "Norte"
    NORDESTE = "Nordeste"
    CENTRO_OESTE = "Centro-Oeste"
    SUDESTE = "Sudeste"
    SUL = "Sul"
