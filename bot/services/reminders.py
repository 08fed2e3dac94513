"""Reminders: what is due, delivering them exactly once, and what a rep does with one.

Long because the delivery protocol below and a rep's actions on a reminder (snooze, skip,
pause) change the same rows under the same state rules (pending, snoozed, sending, sent); the
daily agenda is the part that could leave for a module of its own.

The ``reminders`` table is the source of truth; :mod:`bot.reminders` is only a timer over it.

Delivery, in this order (each step its own committed transaction):

1. :func:`prepare` — load the reminder, its rep, lead or meeting; a reminder that no longer
   makes sense (the lead moved on, the meeting was resolved, the rep left) is ``cancelled``
   here and never sent. Nothing is claimed yet.
2. :func:`claim` — ``UPDATE … SET state='sending' WHERE id=? AND state IN ('pending',
   'snoozed')`` (and the rep not paused). Only the caller that changed the row may send, so two
   bot processes, or a timer that fires twice, cannot both send it.
3. The adapter sends the message.
4. :func:`mark_sent` (with Telegram's ``message_id``), :func:`mark_failed` (403, 400: it can
   never be delivered) or :func:`release` (429/timeout/network: *certainly not* delivered, so
   back to ``pending`` a few minutes later).

A ``sending`` row found at start (:func:`recover_interrupted`) means the process died between
2 and 4: the message may or may not have reached Telegram, and the Bot API has no way to ask.
Because a reminder must never arrive twice, it is taken as delivered (``sent``, with
``last_error='unconfirmed: …'``) and not resent. The worst case of a crash is therefore one
reminder lost — only if the process dies in the instant between the claim and the request
leaving — never one duplicated; the rep still finds the step in the morning agenda and in
``/hoje``, which are computed from the leads, not from the reminders.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING

from bot.domain import calendar as business
from bot.domain.cadence import CadenceStatus, step_number
from bot.domain.playbook.model import Step
from bot.domain.vocabulary import MeetingStatus, Outcome, ReminderKind, ReminderState
from bot.services import cadence, cadences
from bot.services import tasks as follow_ups
from bot.services.cadence import StaleAction, working_hours
from bot.services.leads import _authorised
from bot.services.runtime import Runtime
from bot.services.team import NotAllowed
from bot.services.views import LeadCard, MeetingView, MemberLike, MemberView, ReminderView
from bot.storage import leads as lead_store
from bot.storage import reminders as store
from bot.storage import touches
from bot.storage.models import Lead, Reminder
from bot.storage.reminders import LIVE, DueReminder

if TYPE_CHECKING:
    from sqlmodel import Session

#: Delivered more than this after its due time: shown as late.
LATE_AFTER = timedelta(minutes=10)
#: A reminder that could not be sent (Telegram unreachable) is tried again this much later.
RETRY_LATER = timedelta(minutes=5)
#: How many business days "escolher dia" offers.
SNOOZE_DAYS = 5


# ---------------------------------------------------------------------------- delivery


@dataclass(frozen=True, slots=True)
class AgendaItem:
    lead_id: int
    company: str
    step_title: str
    channel: str
    due_at: datetime
    overdue: bool


@dataclass(frozen=True, slots=True)
class AgendaMeeting:
    meeting_id: int
    lead_id: int
    company: str
    starts_at: datetime


AGENDA_LINES = 15
"""Leads listed per section of the agenda (overdue, due today); the rest are counted."""
AGENDA_COUNT_CAP = 99
"""A section's leads are counted up to this many ("99+" beyond): reading stops there."""
AGENDA_TASK_LINES = 10
"""Follow-ups listed in the agenda; the rest are counted like the steps."""


@dataclass(frozen=True, slots=True)
class Tally:
    """How many leads a section of the agenda holds: ``total``, at most
    :data:`AGENDA_COUNT_CAP`, and ``more`` when there are more than that."""

    total: int = 0
    more: bool = False

    @classmethod
    def of(cls, counted: int) -> Tally:
        """From a count read up to ``AGENDA_COUNT_CAP + 1``."""
        return cls(min(counted, AGENDA_COUNT_CAP), counted > AGENDA_COUNT_CAP)


@dataclass(frozen=True, slots=True)
class Agenda:
    day: date
    overdue: list[AgendaItem]
    """The most overdue steps, at most :data:`AGENDA_LINES`."""
    today: list[AgendaItem]
    """The steps due today, at most :data:`AGENDA_LINES`."""
    meetings: list[AgendaMeeting]
    overdue_count: Tally = Tally()
    """How many steps are overdue in all."""
    today_count: Tally = Tally()
    """How many steps are due today in all."""
    tasks: list[follow_ups.TaskView] = field(default_factory=list)
    """The oldest open follow-ups due by tonight (overdue ones included), at most
    :data:`AGENDA_TASK_LINES`."""
    tasks_count: Tally = Tally()
    """How many follow-ups are due by tonight in all."""

    @property
    def empty(self) -> bool:
        return not (self.overdue or self.today or self.meetings or self.tasks)


@dataclass(frozen=True, slots=True)
class Prepared:
    """A reminder ready to be rendered and sent."""

    reminder: ReminderView
    member: MemberView
    lead: LeadCard | None = None
    meeting: MeetingView | None = None
    step: Step | None = None
    step_number: int = 0
    total_steps: int = 0
    agenda: Agenda | None = None
    late: bool = False
    extra: dict[str, object] = field(default_factory=dict)


def recover_interrupted(runtime: Runtime) -> list[int]:
    """Rows left ``sending`` by a crash: possibly delivered, so taken as sent, never resent."""
    with runtime.transaction() as session:
        return store.settle_interrupted(
            session, now=runtime.now(), note="unconfirmed: the bot stopped while sending; not resent"
        )


def mark_late(runtime: Runtime) -> int:
    """Flag every live reminder already due (it fell due while the bot was down)."""
    with runtime.transaction() as session:
        return store.flag_late(session, now=runtime.now())


def due_reminders(runtime: Runtime, *, limit: int, after: tuple[datetime, int] | None = None) -> list[DueReminder]:
    """Live reminders due now for reps who are not paused, in due order (then id)."""
    now = runtime.now()
    with runtime.transaction() as session:
        return store.due(session, now=now, limit=limit, after=after)


def next_due_at(runtime: Runtime) -> datetime | None:
    """When the next live reminder of a rep who is not paused falls due."""
    with runtime.transaction() as session:
        return store.next_due_at(session)


def count_live(runtime: Runtime) -> int:
    with runtime.transaction() as session:
        return store.count_live(session)


def _cancel(session: Session, reminder: Reminder, reason: str, state: ReminderState = ReminderState.CANCELLED) -> None:
    reminder.state = state.value
    reminder.last_error = reason[:300]
    store.save_reminder(session, reminder=reminder)


def prepare(runtime: Runtime, reminder_id: int) -> Prepared | None:
    """Load a due reminder with what its message shows; ``None`` if it should not be sent.

    A reminder that no longer makes sense is cancelled here (the step was already logged, the
    meeting resolved, the rep left), so a stale nudge never reaches anyone.
    """
    now = runtime.now()
    playbook = runtime.playbook
    with runtime.transaction() as session:
        reminder = store.get_reminder(session, reminder_id=reminder_id)
        if reminder is None or reminder.state not in LIVE:
            return None
        member = store.recipient(session, reminder=reminder)
        if member is None or not member.active:
            _cancel(session, reminder, "member inactive")
            return None
        if member.paused:
            return None  # waits until resumed
        late = reminder.late or now - reminder.due_at > LATE_AFTER
        kind = ReminderKind(reminder.kind)
        if kind is ReminderKind.STEP_DUE:
            lead = lead_store.get_lead(session, lead_id=reminder.lead_id) if reminder.lead_id else None
            if (
                lead is None
                or lead.owner_id != member.id
                or lead.cadence_status != CadenceStatus.ACTIVE
                or lead.current_step != reminder.step_id
            ):
                _cancel(session, reminder, "stale: the lead moved on")
                return None
            step = playbook.step(reminder.step_id or "", lead.cadence_id)
            if step is None:
                _cancel(session, reminder, f"stale: step {reminder.step_id} left the playbook")
                return None
            lead_cadence = cadence.lead_cadence(playbook, lead)
            return Prepared(
                ReminderView.of(reminder),
                MemberView.of(member),
                lead=LeadCard.of(lead),
                step=step,
                step_number=step_number(lead_cadence, step.id),
                total_steps=len(lead_cadence.steps),
                late=late,
                extra={"cadence": lead_cadence.title},
            )
        if kind is ReminderKind.RECYCLE:
            lead = lead_store.get_lead(session, lead_id=reminder.lead_id) if reminder.lead_id else None
            recycled = cadences.recycle(session, runtime, member, lead) if lead is not None else None
            if recycled is None:
                _cancel(session, reminder, "stale: the lead is no longer lost, or no longer recycles")
                return None
            extra = {"days": recycled.days, "reason": recycled.reason_label, "cadence": recycled.cadence.title}
            view = ReminderView.of(reminder)
            return Prepared(view, MemberView.of(member), lead=recycled.lead, late=late, extra=extra)
        if kind in (ReminderKind.MEETING_BEFORE, ReminderKind.MEETING_CHECK):
            meeting = touches.get_meeting(session, meeting_id=reminder.meeting_id) if reminder.meeting_id else None
            if meeting is None or meeting.status != MeetingStatus.SCHEDULED.value:
                _cancel(session, reminder, "stale: meeting resolved")
                return None
            if kind is ReminderKind.MEETING_BEFORE and meeting.starts_at <= now:
                _cancel(session, reminder, "stale: the meeting already started")
                return None
            lead = lead_store.get_lead(session, lead_id=meeting.lead_id)
            return Prepared(
                ReminderView.of(reminder),
                MemberView.of(member),
                lead=LeadCard.of(lead) if lead is not None else None,
                meeting=MeetingView.of(meeting),
                late=late,
            )
        if kind is ReminderKind.TASK:
            task = follow_ups.prepare(session, reminder)
            lead = lead_store.get_lead(session, lead_id=reminder.lead_id) if reminder.lead_id else None
            if task is None or lead is None:
                _cancel(session, reminder, "stale: the task was done, cancelled or moved")
                return None
            return Prepared(
                ReminderView.of(reminder),
                MemberView.of(member),
                lead=LeadCard.of(lead),
                late=late,
                extra={"task": task},
            )
        # The morning agenda: plan tomorrow's first, then decide about today's.
        hours = working_hours(member)
        store.add_agenda(session, member_id=member.id or 0, due=next_agenda_at(now, hours), now=now)
        if business.local_day(reminder.due_at, hours) != business.local_day(now, hours):
            _cancel(session, reminder, "stale: agenda of a past day")
            return None
        agenda = _agenda(session, runtime, member, now)
        if agenda.empty:
            _cancel(session, reminder, "nothing due today", ReminderState.DONE)
            return None
        return Prepared(ReminderView.of(reminder), MemberView.of(member), agenda=agenda, late=late)


def claim(runtime: Runtime, reminder_id: int) -> bool:
    """pending/snoozed → sending, only if still live and the rep not paused. True if ours."""
    now = runtime.now()
    with runtime.transaction() as session:
        return store.claim(session, reminder_id=reminder_id, now=now, late_before=now - LATE_AFTER)


def mark_sent(runtime: Runtime, reminder_id: int, message_id: int | None, *, note: str | None = None) -> None:
    with runtime.transaction() as session:
        store.mark_sent(session, reminder_id=reminder_id, at=runtime.now(), message_id=message_id, note=note)


def mark_failed(runtime: Runtime, reminder_id: int, reason: str) -> None:
    """Telegram refused for good (the rep blocked the bot, the chat is gone)."""
    with runtime.transaction() as session:
        store.mark_failed(session, reminder_id=reminder_id, reason=reason)


def release(runtime: Runtime, reminder_id: int, reason: str) -> None:
    """Certainly not delivered (429, timeout before sending, network down): try again later."""
    with runtime.transaction() as session:
        store.release(session, reminder_id=reminder_id, due_at=runtime.now() + RETRY_LATER, reason=reason)


# ---------------------------------------------------------------------------- the agenda


def next_agenda_at(now: datetime, hours: business.WorkingHours) -> datetime:
    """The start of the rep's next working day (today's, if it has not started yet)."""
    today = business.local_day(now, hours)
    if business.is_business_day(today, hours):
        start = business.start_of_business_day(today, hours)
        if now < start:
            return start
    return business.next_business_day_start(now, hours)


def ensure_agendas(runtime: Runtime) -> int:
    """Give every active member without a live agenda reminder their next one (in their zone)."""
    now = runtime.now()
    with runtime.transaction() as session:
        members = store.members_without_agenda(session)
        for member in members:
            store.add_agenda(session, member_id=member.id or 0, due=next_agenda_at(now, working_hours(member)), now=now)
        return len(members)


def replan_agenda(runtime: Runtime, member: MemberLike) -> None:
    """Working hours or zone changed: move the next agenda to the new start of day."""
    now = runtime.now()
    due = next_agenda_at(now, working_hours(member))
    with runtime.transaction() as session:
        store.replan_agenda(session, member_id=member.id or 0, due=due, why="working hours changed", now=now)


def _agenda(session: Session, runtime: Runtime, member: MemberLike, now: datetime) -> Agenda:
    """The member's agenda for the day of ``now``: the first steps of each section and how many
    there are (a bounded read, whatever the backlog), and the day's meetings."""
    hours = working_hours(member)
    today = business.local_day(now, hours)
    day_start = datetime.combine(today, datetime.min.time(), tzinfo=hours.zone).astimezone(UTC)
    day_end = datetime.combine(today + timedelta(days=1), datetime.min.time(), tzinfo=hours.zone).astimezone(UTC)
    playbook = runtime.playbook
    step_ids = {step.id for step in playbook.cadence.steps}  # of every cadence

    def section(since: datetime | None, before: datetime) -> tuple[list[AgendaItem], Tally]:
        due, counted = store.steps_due(
            session,
            owner_id=member.id or 0,
            status=CadenceStatus.ACTIVE.value,
            step_ids=step_ids,
            since=since,
            before=before,
            limit=AGENDA_LINES,
            cap=AGENDA_COUNT_CAP,
        )
        items = [
            AgendaItem(d.lead_id, d.company, step.title, step.channel.value, d.due_at, overdue=d.due_at < day_start)
            for d in due
            if (step := playbook.step(d.step_id, d.cadence_id)) is not None
        ]
        return items, Tally.of(counted)

    overdue, overdue_count = section(None, day_start)
    due_today, today_count = section(day_start, day_end)
    meetings = touches.meetings_between(
        session, rep_id=member.id or 0, status=MeetingStatus.SCHEDULED.value, start=day_start, end=day_end
    )
    tasks, tasks_counted = follow_ups.due_before(
        session, member.id or 0, day_end, lines=AGENDA_TASK_LINES, cap=AGENDA_COUNT_CAP
    )
    return Agenda(
        today,
        overdue,
        due_today,
        [AgendaMeeting(m.id or 0, m.lead_id, company, m.starts_at) for m, company in meetings],
        overdue_count,
        today_count,
        tasks,
        Tally.of(tasks_counted),
    )


def agenda(runtime: Runtime, member: MemberLike) -> Agenda:
    """What is due today and overdue for ``member`` (``/hoje``)."""
    with runtime.reading() as session:
        return _agenda(session, runtime, member, runtime.now())


# ---------------------------------------------------------------------------- a rep's actions


def _own(session: Session, member: MemberLike, reminder_id: int, *kinds: ReminderKind) -> Reminder:
    """The reminder, if it is this member's (callback data can be forged)."""
    reminder = store.get_reminder(session, reminder_id=reminder_id)
    if reminder is None or reminder.member_id != member.id:
        raise NotAllowed(f"member {member.id} may not act on reminder {reminder_id}")
    if kinds and ReminderKind(reminder.kind) not in kinds:
        raise StaleAction(f"reminder {reminder_id} is a {reminder.kind}")
    return reminder


def _live_step(session: Session, member: MemberLike, reminder: Reminder) -> Lead:
    lead = _authorised(session, member, reminder.lead_id or 0)
    if lead.cadence_status != CadenceStatus.ACTIVE or lead.current_step != reminder.step_id:
        raise StaleAction(f"lead {lead.id} is no longer on step {reminder.step_id}")
    if reminder.state in (ReminderState.DONE.value, ReminderState.CANCELLED.value):
        raise StaleAction(f"reminder {reminder.id} is {reminder.state}")
    return lead


def reminder_for(runtime: Runtime, member: MemberLike, reminder_id: int) -> ReminderView:
    with runtime.transaction() as session:
        return ReminderView.of(_own(session, member, reminder_id))


def snooze_choices(member: MemberLike, now: datetime) -> dict[str, datetime]:
    """ "1 h", "amanhã cedo" and the start of each of the next business days."""
    hours = working_hours(member)
    choices = {
        "1h": business.next_working_moment(now + timedelta(hours=1), hours),
        "tm": business.next_business_day_start(now, hours),
    }
    moment = now
    for _ in range(SNOOZE_DAYS):
        moment = business.next_business_day_start(moment, hours)
        choices[f"{business.local_day(moment, hours):%Y%m%d}"] = moment
    return choices


@dataclass(frozen=True, slots=True)
class Snoozed:
    reminder: ReminderView
    lead: LeadCard


def snooze(runtime: Runtime, member: MemberLike, reminder_id: int, choice: str) -> Snoozed:
    """Move a step reminder (and the step's due time) to one of :func:`snooze_choices`."""
    now = runtime.now()
    until = snooze_choices(member, now).get(choice)
    if until is None:
        raise ValueError(f"unknown snooze choice {choice!r}")
    with runtime.transaction() as session:
        reminder = _own(session, member, reminder_id, ReminderKind.STEP_DUE)
        lead = _live_step(session, member, reminder)
        if reminder.state == ReminderState.SENDING.value:
            raise StaleAction("being sent right now")
        # Any other live reminder of this lead is replaced by this one.
        store.cancel_live(
            session, lead_id=lead.id, kind=ReminderKind.STEP_DUE, keep=reminder.id, why="replaced by a snooze"
        )
        reminder.state = ReminderState.SNOOZED.value
        reminder.due_at = until
        reminder.late = False
        reminder.claimed_at = None
        lead.step_due_at = until
        lead.updated_at = now
        store.save_reminder(session, reminder=reminder)
        lead_store.save_lead(session, lead=lead)
        return Snoozed(ReminderView.of(reminder), LeadCard.of(lead))


def skip(runtime: Runtime, member: MemberLike, reminder_id: int) -> cadence.Logged:
    """Log the step as skipped (the cadence moves on) and close the reminder, in one transaction."""
    with runtime.transaction() as session:
        reminder = _own(session, member, reminder_id, ReminderKind.STEP_DUE)
        lead = _live_step(session, member, reminder)
        logged = cadence.log_step(session, runtime, member, lead.id or 0, reminder.step_id or "", Outcome.SKIPPED)
        store.close(session, reminder_id=reminder_id, state=ReminderState.DONE, note="step skipped")
        return logged


def done(runtime: Runtime, member: MemberLike, reminder_id: int) -> None:
    """The rep opened the step from the reminder: nothing more to nudge about."""
    with runtime.transaction() as session:
        reminder = _own(session, member, reminder_id)
        if reminder.state == ReminderState.SENT.value:
            reminder.state = ReminderState.DONE.value
            store.save_reminder(session, reminder=reminder)


def pause_cadence(runtime: Runtime, member: MemberLike, reminder_id: int) -> LeadCard:
    """Pause the lead's cadence from a reminder (no more nudges until resumed) and close the
    reminder, in one transaction."""
    with runtime.transaction() as session:
        reminder = _own(session, member, reminder_id, ReminderKind.STEP_DUE)
        lead = _pause(session, runtime, member, _live_step(session, member, reminder).id or 0)
        store.close(session, reminder_id=reminder_id, state=ReminderState.DONE, note="cadence paused")
        return LeadCard.of(lead)


def pause_lead(runtime: Runtime, member: MemberLike, lead_id: int) -> LeadCard:
    with runtime.transaction() as session:
        return LeadCard.of(_pause(session, runtime, member, lead_id))


def _pause(session: Session, runtime: Runtime, member: MemberLike, lead_id: int) -> Lead:
    lead = _authorised(session, member, lead_id)
    if lead.cadence_status != CadenceStatus.ACTIVE:
        raise StaleAction(f"lead {lead_id} has no active cadence")
    owner = lead_store.owner_of(session, lead=lead) or member
    lead.cadence_status = CadenceStatus.PAUSED.value
    lead.step_due_at = None
    lead.updated_at = runtime.now()
    lead_store.save_lead(session, lead=lead)
    cadence.plan_step_reminder(session, lead, owner)  # cancels the live step reminders
    return lead


def resume_cadence(runtime: Runtime, member: MemberLike, lead_id: int) -> LeadCard:
    """Resume a paused cadence on the same step, due at the rep's next working moment (in the
    lead owner's zone and hours)."""
    with runtime.transaction() as session:
        lead = _authorised(session, member, lead_id)
        if lead.cadence_status != CadenceStatus.PAUSED or not lead.current_step:
            raise StaleAction(f"lead {lead_id} is not paused")
        owner = lead_store.owner_of(session, lead=lead) or member
        now = runtime.now()
        lead.cadence_status = CadenceStatus.ACTIVE.value
        lead.step_due_at = business.next_working_moment(now, working_hours(owner))
        lead.updated_at = now
        lead_store.save_lead(session, lead=lead)
        cadence.plan_step_reminder(session, lead, owner)
        return LeadCard.of(lead)
