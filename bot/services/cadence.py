"""Working the cadence: start it, show the current step, log outcomes, book meetings.

Long because a logged outcome, the meeting it books and the stage it moves to are one path
through one transaction (an outcome may book a meeting and move the stage at once); the
meeting reads at the end are the part that could leave for a module of their own.

Every outcome is written to the database (touch row, lead state, stage change, next reminder)
in one transaction *before* the chat answers, so a failure to send never loses what the rep
logged.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import TYPE_CHECKING
from urllib.parse import quote

from bot.domain import calendar as business
from bot.domain import funnel, metrics, moments, numbers
from bot.domain.cadence import CadenceStatus, Transition, apply_outcome, choose_variant, first_step, step_number
from bot.domain.cadences import choose_cadence
from bot.domain.funnel import Way
from bot.domain.playbook.model import CadenceDef, Playbook, Step
from bot.domain.script_context import StepView, context
from bot.domain.vocabulary import (
    CLOSED_STAGES,
    Channel,
    ContactRole,
    MeetingStatus,
    Outcome,
    PurchaseIntent,
    ReminderKind,
    Stage,
)
from bot.render.scripts import render_script
from bot.services import recycling
from bot.services.flows import FlowKind, record_ending
from bot.services.leads import _authorised, finish_cadence, lead_view, record_stage, rep_view, score_lead
from bot.services.runtime import Runtime
from bot.services.team import NotAllowed, can_see
from bot.services.views import LeadCard, MeetingView, MemberLike, TouchView, facts_of
from bot.storage import leads as lead_store
from bot.storage import reminders as reminder_store
from bot.storage import touches
from bot.storage.fit_overrides import add_fit_override
from bot.storage.models import Lead, Meeting, Touch

if TYPE_CHECKING:
    from sqlmodel import Session


class StaleAction(Exception):
    """A button from an older message: the step was already logged or the lead has moved on."""


class MeetingNotStarted(Exception):
    """A meeting's result (held, no-show) logged before the meeting starts: nothing is saved."""

    def __init__(self, starts_at: datetime) -> None:
        super().__init__(f"the meeting starts at {starts_at.isoformat()}")
        self.starts_at = starts_at


def working_hours(member: MemberLike) -> business.WorkingHours:
    def hhmm(text: str, fallback: time) -> time:
        try:
            hour, minute = text.split(":")
            return time(numbers.parse_hour(hour), numbers.parse_minute(minute))
        except (ValueError, AttributeError):
            return fallback

    return business.WorkingHours(
        start=hhmm(member.work_start, time(9)),
        end=hhmm(member.work_end, time(18)),
        timezone=member.timezone,
        uf=member.uf or None,
    )


# ---------------------------------------------------------------------------- the step card


@dataclass(frozen=True, slots=True)
class StepCard:
    lead: LeadCard
    step: Step
    number: int
    total: int
    cadence_id: str
    cadence_title: str
    script_id: str
    variant: str
    subject: str | None
    body: str
    whatsapp_url: str | None
    phone: str
    email: str


def _digits(phone: str) -> str:
    digits = numbers.digits_of(phone)
    if digits and len(digits) in (10, 11):  # Brazilian number without the country code
        digits = "55" + digits
    return digits


def step_card(runtime: Runtime, member: MemberLike, lead_id: int) -> StepCard:
    with runtime.transaction() as session:
        lead = _authorised(session, member, lead_id)
        owner = lead_store.owner_of(session, lead=lead) or member
    if lead.cadence_status != CadenceStatus.ACTIVE or not lead.current_step:
        raise StaleAction("cadence not active")
    playbook = runtime.playbook
    cadence = lead_cadence(playbook, lead)
    step = playbook.step(lead.current_step, lead.cadence_id)
    if step is None:
        raise StaleAction(f"step {lead.current_step} is not in playbook {playbook.version}")
    script = playbook.scripts[step.script]
    variant_name = choose_variant(script, lead_id=lead.id or 0, script_id=step.script)
    variant = script.variants[variant_name]
    number = step_number(cadence, step.id)
    ctx = context(
        lead_view(lead),
        rep_view(owner),
        playbook.manifest.seller.model_dump(),
        StepView(id=step.id, title=step.title, number=number, channel=step.channel.value),
    )
    body = render_script(variant.body, ctx)
    subject = render_script(variant.subject, ctx) if variant.subject else None
    wa = None
    phone_digits = _digits(lead.contact_phone)
    if step.channel is Channel.WHATSAPP and phone_digits:
        wa = f"https://wa.me/{phone_digits}?text={quote(body[:1500])}"
    return StepCard(
        lead=LeadCard.of(lead),
        step=step,
        number=number,
        total=len(cadence.steps),
        cadence_id=cadence.id,
        cadence_title=cadence.title,
        script_id=step.script,
        variant=variant_name,
        subject=subject,
        body=body,
        whatsapp_url=wa,
        phone=lead.contact_phone,
        email=lead.contact_email,
    )


# ---------------------------------------------------------------------------- starting


@dataclass(frozen=True, slots=True)
class FitWarning:
    """Why a lead is outside the ICP: its tier, and the reasons of the knock-outs that hit it."""

    lead_id: int
    company: str
    tier: str
    knockouts: tuple[str, ...]
    """The knock-outs' reasons, as the playbook words them."""
    knockout_ids: tuple[str, ...] = ()


class FitUnconfirmed(Exception):
    """Starting the cadence of a lead outside the ICP needs the rep's confirmation first."""

    def __init__(self, warning: FitWarning) -> None:
        self.warning = warning
        super().__init__(f"lead {warning.lead_id} is outside the ICP (tier {warning.tier}); confirm to start")


def _fit_warning(runtime: Runtime, lead: Lead) -> FitWarning | None:
    result = score_lead(runtime, lead)
    if not funnel.needs_fit_confirmation(result):
        return None
    return FitWarning(
        lead_id=lead.id or 0,
        company=lead.company,
        tier=result.tier.value,
        knockouts=tuple(hit.reason for hit in result.knockouts),
        knockout_ids=tuple(hit.id for hit in result.knockouts),
    )


def start_cadence(runtime: Runtime, member: MemberLike, lead_id: int, *, confirmed: bool = False) -> LeadCard:
    """Start the cadence (new → prospecting). A lead outside the ICP raises FitUnconfirmed
    unless ``confirmed``; then the override is recorded (who, when, what the ICP said)."""
    with runtime.transaction() as session:
        lead = _authorised(session, member, lead_id)
        if lead.cadence_status == CadenceStatus.ACTIVE and Stage(lead.stage) not in CLOSED_STAGES:
            return LeadCard.of(lead)  # a second tap: the cadence already runs
        # The funnel first: a lead that may not start (closed, past prospecting) is refused,
        # not asked about its fit.
        funnel.check(Stage(lead.stage), Stage.PROSPECTING, Way.START, lead_id=lead.id)
        warning = _fit_warning(runtime, lead)
        if warning is not None and not confirmed:
            raise FitUnconfirmed(warning)
        owner = lead_store.owner_of(session, lead=lead) or member
        # A cadence the rep chose before starting (🔀 on a new lead) wins over the rules.
        cadence = runtime.playbook.cadence.get(lead.cadence_id) or cadence_for(runtime, lead)
        step = first_step(cadence)
        now = runtime.now()
        if warning is not None:
            add_fit_override(
                session,
                lead_id=lead.id or 0,
                member_id=member.id or 0,
                campaign=lead.campaign,
                tier=warning.tier,
                knockouts=list(warning.knockout_ids),
                playbook_version=runtime.playbook.version,
                at=now,
            )
        record_stage(session, runtime, lead, member, Stage.PROSPECTING, way=Way.START)
        lead.cadence_status = CadenceStatus.ACTIVE.value
        lead.cadence_id = cadence.id
        lead.current_step = step.id
        lead.step_due_at = business.next_working_moment(now, working_hours(owner))
        lead_store.save_lead(session, lead=lead)
        plan_step_reminder(session, lead, owner)
        return LeadCard.of(lead)


def lead_cadence(playbook: Playbook, lead: Lead | LeadCard) -> CadenceDef:
    """The cadence a lead is worked on (see :meth:`~bot.domain.playbook.model.Playbook.cadence_of`)."""
    return playbook.cadence_of(lead.cadence_id, lead.current_step)


def cadence_for(runtime: Runtime, lead: Lead) -> CadenceDef:
    """The cadence the playbook's rules give a lead about to start one (its facts scored now)."""
    result = score_lead(runtime, lead)
    return choose_cadence(
        runtime.playbook,
        facts_of(lead),
        tier=result.tier.value,
        sales_model=result.sales_model.value,
        source=lead.source,
        campaign=lead.campaign,
    )


def plan_step_reminder(session: Session, lead: Lead, owner: MemberLike) -> None:
    """Plan the lead's step reminder for ``owner`` through the one planner
    (:func:`bot.storage.reminders.plan_lead_step`)."""
    reminder_store.plan_lead_step(session, lead=lead, member_id=owner.id or 0)


# ---------------------------------------------------------------------------- logging outcomes


@dataclass(frozen=True, slots=True)
class Logged:
    touch: TouchView
    lead: LeadCard
    transition: Transition


def log_outcome(
    runtime: Runtime,
    member: MemberLike,
    lead_id: int,
    step_id: str,
    outcome: Outcome,
    *,
    objection: str | None = None,
    loss_reason: str | None = None,
    notes: str | None = None,
) -> Logged:
    """Log one touch of the current step and move the lead on."""
    with runtime.transaction() as session:
        return log_step(
            session,
            runtime,
            member,
            lead_id,
            step_id,
            outcome,
            objection=objection,
            loss_reason=loss_reason,
            notes=notes,
        )


def log_step(
    session: Session,
    runtime: Runtime,
    member: MemberLike,
    lead_id: int,
    step_id: str,
    outcome: Outcome,
    *,
    objection: str | None = None,
    loss_reason: str | None = None,
    notes: str | None = None,
) -> Logged:
    """:func:`log_outcome` inside the caller's transaction (a reminder's "skip" closes the
    reminder in the same one)."""
    playbook = runtime.playbook
    lead = _authorised(session, member, lead_id)
    if lead.cadence_status != CadenceStatus.ACTIVE or lead.current_step != step_id:
        raise StaleAction(f"lead {lead_id} is not on step {step_id}")
    cadence = lead_cadence(playbook, lead)
    step = playbook.step(step_id, lead.cadence_id)
    if step is None:
        raise StaleAction(f"step {step_id} left the playbook")
    owner = lead_store.owner_of(session, lead=lead) or member
    transition = apply_outcome(
        playbook, stage=Stage(lead.stage), step=step, outcome=outcome, loss_reason=loss_reason, cadence=cadence
    )
    now = runtime.now()
    script = playbook.scripts[step.script]
    touch = Touch(
        lead_id=lead.id or 0,
        rep_id=member.id or 0,
        campaign=lead.campaign,
        step_id=step.id,
        step_number=step_number(cadence, step.id),
        step_kind=step.kind.value,
        channel=step.channel.value,
        script_id=step.script,
        variant=choose_variant(script, lead_id=lead.id or 0, script_id=step.script),
        playbook_version=playbook.version,
        playbook_fingerprint=playbook.fingerprint,
        outcome=outcome.value,
        objection=objection,
        loss_reason=transition.loss_reason if transition.stage is Stage.LOST else None,
        notes=(notes or None),
        happened_at=now,
        recorded_at=now,
        cadence_id=cadence.id,
        recycled=lead.recycled > 0,
    )
    touches.add_touch(session, touch=touch)
    record_stage(session, runtime, lead, member, transition.stage, transition.loss_reason, way=Way.TOUCH)
    lead.cadence_status = transition.cadence.value
    if transition.next_step is not None:
        lead.current_step = transition.next_step.id
        lead.step_due_at = business.add_business_days(
            now, transition.next_step.delay_business_days, working_hours(owner)
        )
    else:
        lead.current_step = None
        lead.step_due_at = None
    lead.updated_at = now
    lead_store.save_lead(session, lead=lead)
    plan_step_reminder(session, lead, owner)
    recycling.plan_after_loss(session, runtime, lead, owner.id or 0, working_hours(owner))
    return Logged(TouchView.of(touch), LeadCard.of(lead), transition)


def record_answer(runtime: Runtime, member: MemberLike, touch_id: int, key: str, value: str) -> TouchView:
    """Store one qualification answer on the touch it came from."""
    with runtime.transaction() as session:
        touch = touches.get_touch(session, touch_id=touch_id)
        if touch is None:
            raise StaleAction("touch not found")
        _authorised(session, member, touch.lead_id)
        if key == "contact_role":
            touch.contact_role = ContactRole(value).value
        elif key == "intent":
            touch.intent = PurchaseIntent(value).value
        elif key == "pain":
            touch.pain = value[:2000]
        elif key == "budget":
            touch.budget = value[:200]
        else:
            raise ValueError(key)
        touches.save_touch(session, touch=touch)
        return TouchView.of(touch)


# ---------------------------------------------------------------------------- meetings & stages


def read_meeting_time(
    runtime: Runtime, member: MemberLike, text: str, *, language: str = "pt_BR"
) -> tuple[datetime, moments.Questionable | None]:
    """The moment the rep typed, in their time zone, and what to confirm before booking it
    (``None``: book it). :class:`moments.InvalidMoment` when it cannot be used."""
    hours = working_hours(member)
    now = runtime.now().astimezone(hours.zone)
    reading = moments.parse_moment(text, now)
    return reading.moment, moments.question(reading, now, hours, language=language)


def meeting_time_confirmed(
    runtime: Runtime, member: MemberLike, answered: moments.Questionable, *, language: str = "pt_BR"
) -> moments.Questionable | None:
    """The rep said yes to ``answered``: the next thing to confirm, or ``None`` (book it)."""
    hours = working_hours(member)
    return moments.after_yes(answered, runtime.now().astimezone(hours.zone), hours, language=language)


def book_meeting(
    runtime: Runtime,
    member: MemberLike,
    lead_id: int,
    starts_at: datetime,
    touch_id: int | None = None,
    *,
    moving: int | None = None,
    flow: str | None = None,
) -> MeetingView:
    """Save a meeting typed in for a lead, tied to the SQL it belongs to
    (:func:`bot.domain.metrics.link_booking`): the ``meeting_booked`` touch it was booked on
    (``touch_id``, or the lead's unlinked one), or the meeting it reschedules or re-books
    (``moving``: that one becomes ``rescheduled`` — a no-show stays a no-show — and points to the
    new one), or a new SQL. ``flow``: the meeting-date run this ends, recorded in the same
    transaction (:func:`bot.services.flows.record_ending`)."""
    playbook = runtime.playbook
    with runtime.transaction() as session:
        lead = _authorised(session, member, lead_id)
        owner = lead_store.owner_of(session, lead=lead) or member
        meetings = touches.past_meetings(session, lead_id=lead.id or 0)
        moved = None
        if moving is not None:
            moved = next((m for m in meetings if m.id == moving), None)
            if moved is None:
                raise StaleAction(f"meeting {moving} is not one of lead {lead_id}'s")
        try:
            booking = metrics.link_booking(
                stage=lead.stage,
                touch_id=touch_id,
                unlinked_touches=touches.unlinked_booking_touches(session, lead_id=lead.id or 0),
                moving=moved,
                meetings=meetings,
            )
        except metrics.CannotContinue as stale:
            raise StaleAction(str(stale)) from None
        record_stage(session, runtime, lead, member, Stage.MEETING_BOOKED, way=Way.BOOKING)
        now = runtime.now()
        meeting = Meeting(
            lead_id=lead.id or 0,
            rep_id=owner.id or 0,
            touch_id=booking.touch_id,
            campaign=lead.campaign,
            starts_at=starts_at,
            duration_minutes=playbook.manifest.meetings.default_duration_minutes,
            created_at=now,
        )
        touches.add_meeting(session, meeting=meeting)
        if lead.cadence_status == CadenceStatus.ACTIVE:
            lead.cadence_status = CadenceStatus.STOPPED.value
            lead.current_step = None
            lead.step_due_at = None
            plan_step_reminder(session, lead, owner)
        lead_store.save_lead(session, lead=lead)
        record_ending(session, runtime, flow, member, FlowKind.MEETING, lead_id=lead.id, result_id=meeting.id)
        if booking.continues is not None:
            _continue(session, now, booking.continues, meeting)
        _plan_meeting_reminders(session, runtime, meeting)
        return MeetingView.of(meeting)


def _continue(session: Session, now: datetime, old_id: int, new: Meeting) -> None:
    """The old meeting is moved to ``new``: the same SQL (its reminders are done)."""
    old = touches.get_meeting(session, meeting_id=old_id)
    assert old is not None
    if old.status == MeetingStatus.SCHEDULED.value:
        old.status = MeetingStatus.RESCHEDULED.value
        old.resolved_at = now
    old.rescheduled_to = new.id
    touches.save_meeting(session, meeting=old)
    reminder_store.finish_meeting_reminders(session, meeting_id=old_id)


def _plan_meeting_reminders(session: Session, runtime: Runtime, meeting: Meeting) -> None:
    before = runtime.playbook.manifest.meetings.reminder_before_minutes
    ends = meeting.starts_at + timedelta(minutes=meeting.duration_minutes)
    for kind, due in (
        (ReminderKind.MEETING_BEFORE, meeting.starts_at - timedelta(minutes=before)),
        (ReminderKind.MEETING_CHECK, ends),
    ):
        if kind is ReminderKind.MEETING_BEFORE and due <= runtime.now():
            continue
        reminder_store.add_meeting_reminder(session, meeting=meeting, kind=kind, due=due)


_RESULTS = (MeetingStatus.HELD, MeetingStatus.NO_SHOW)


def meeting_result(
    runtime: Runtime, member: MemberLike, meeting_id: int, status: MeetingStatus, reason: str | None = None
) -> MeetingView:
    """Held or no-show (only once the meeting has started: :class:`MeetingNotStarted`), or
    rescheduled (any time)."""
    with runtime.transaction() as session:
        meeting = touches.get_meeting(session, meeting_id=meeting_id)
        if meeting is None:
            raise StaleAction("meeting not found")
        lead = _authorised(session, member, meeting.lead_id)
        if meeting.status != MeetingStatus.SCHEDULED.value:
            raise StaleAction("meeting already resolved")
        if status in _RESULTS and not moments.result_allowed(meeting.starts_at, runtime.now()):
            raise MeetingNotStarted(meeting.starts_at)
        if status is MeetingStatus.HELD:  # only a scheduled meeting moves the lead to "held"
            record_stage(session, runtime, lead, member, Stage.MEETING_HELD, way=Way.MEETING)
        meeting.status = status.value
        meeting.no_show_reason = reason if status is MeetingStatus.NO_SHOW else None
        meeting.resolved_at = runtime.now()
        touches.save_meeting(session, meeting=meeting)
        reminder_store.finish_meeting_reminders(session, meeting_id=meeting_id)
        return MeetingView.of(meeting)


def pending_meeting(runtime: Runtime, member: MemberLike, lead: Lead | LeadCard) -> MeetingView | None:
    """The meeting still to happen of a lead already loaded (one indexed read)."""
    if not can_see(member, lead):
        raise NotAllowed(f"member {member.id} may not see lead {lead.id}")
    with runtime.reading() as session:
        found = touches.scheduled_meeting(session, lead_id=lead.id or 0, status=MeetingStatus.SCHEDULED.value)
    return MeetingView(found.id, lead.id or 0, found.starts_at) if found is not None else None


def move_stage(
    runtime: Runtime, member: MemberLike, lead_id: int, stage: Stage, reason: str | None = None
) -> LeadCard:
    """A move by hand from the lead card (proposal sent, won, lost with a reason of the stage);
    MoveRefused if the funnel does not allow it."""
    with runtime.transaction() as session:
        lead = _authorised(session, member, lead_id)
        record_stage(session, runtime, lead, member, stage, reason, way=Way.HAND)
        if stage in CLOSED_STAGES:
            owner = lead_store.owner_of(session, lead=lead) or member
            finish_cadence(session, lead)
            recycling.plan_after_loss(session, runtime, lead, owner.id or 0, working_hours(owner))
        return LeadCard.of(lead)


def check_move(runtime: Runtime, member: MemberLike, lead_id: int, stage: Stage, way: Way) -> LeadCard:
    """MoveRefused unless the funnel allows ``way`` to move the lead to ``stage`` (or keep it
    there): asked before a question (the loss reason, the meeting date), so a refused move is
    refused at the first press. The loss reason itself is checked when it is chosen."""
    with runtime.transaction() as session:
        lead = _authorised(session, member, lead_id)
    funnel.check(Stage(lead.stage), stage, way, lead_id=lead.id)
    return LeadCard.of(lead)


def lead_of_touch(runtime: Runtime, member: MemberLike, touch_id: int) -> LeadCard:
    with runtime.transaction() as session:
        touch = touches.get_touch(session, touch_id=touch_id)
        if touch is None:
            raise StaleAction("touch not found")
        return LeadCard.of(_authorised(session, member, touch.lead_id))


def _meeting(runtime: Runtime, member: MemberLike, meeting_id: int) -> Meeting:
    with runtime.transaction() as session:
        meeting = touches.get_meeting(session, meeting_id=meeting_id)
        if meeting is None:
            raise StaleAction("meeting not found")
        _authorised(session, member, meeting.lead_id)
        return meeting


def meeting_for(runtime: Runtime, member: MemberLike, meeting_id: int) -> MeetingView:
    """The meeting, if ``member`` may see it (callback data can be forged)."""
    return MeetingView.of(_meeting(runtime, member, meeting_id))


def meeting_to_move(runtime: Runtime, member: MemberLike, meeting_id: int) -> MeetingView:
    """The meeting a "🔁 Remarcar" is about, if it can still be moved (scheduled, or a no-show
    not re-booked yet: :func:`bot.domain.metrics.can_continue`); otherwise the button is stale."""
    meeting = _meeting(runtime, member, meeting_id)
    past = metrics.PastMeeting(meeting.id or 0, meeting.status, meeting.rescheduled_to is not None)
    if not metrics.can_continue(past):
        raise StaleAction(f"meeting {meeting_id} is {meeting.status}")
    return MeetingView.of(meeting)


def meeting_awaiting_result(runtime: Runtime, member: MemberLike, meeting_id: int) -> MeetingView:
    """The meeting, if its result can be asked for now (:class:`MeetingNotStarted` before it starts)."""
    meeting = meeting_for(runtime, member, meeting_id)
    if not moments.result_allowed(meeting.starts_at, runtime.now()):
        raise MeetingNotStarted(meeting.starts_at)
    return meeting


def add_note(runtime: Runtime, member: MemberLike, touch_id: int, text: str, *, flow: str | None = None) -> TouchView:
    """Attach the rep's note to a logged touch (a second note is appended, not lost; ``flow``:
    the note run this ends, recorded in the same transaction so a restart never appends it twice)."""
    with runtime.transaction() as session:
        touch = touches.get_touch(session, touch_id=touch_id)
        if touch is None:
            raise StaleAction("touch not found")
        _authorised(session, member, touch.lead_id)
        record_ending(session, runtime, flow, member, FlowKind.NOTE, lead_id=touch.lead_id, result_id=touch_id)
        touch.notes = f"{touch.notes}\n{text}" if touch.notes else text
        touches.save_touch(session, touch=touch)
        return TouchView.of(touch)
