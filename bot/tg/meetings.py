"""Meetings: the typed date, its confirmation, and the meeting's result.

A meeting is booked from an outcome (📅 meeting booked), from "book a meeting" on the lead card
or after qualification, or by rescheduling; its date is typed, in the one conversation
(:mod:`bot.tg.flows`):

```mermaid
stateDiagram-v2
    [*] --> ASKING_WHEN: 📅 meeting booked (LogOutcome …:mb, ObjectionBooked)\nor BookMeeting / MeetingMoved
    ASKING_WHEN --> ASKING_WHEN: a date we cannot read, or past → the same question
    ASKING_WHEN --> [*]: a future working day → meeting saved, reminders planned
    ASKING_WHEN --> CONFIRMING_WHEN: a passed day without a year, a holiday, a weekend\n→ "Marcar mesmo assim?"
    CONFIRMING_WHEN --> [*]: ✅ Sim (MeetingDayYes) → meeting saved
    CONFIRMING_WHEN --> CONFIRMING_WHEN: ✅ Sim to "25/11/2027?" when that day is a holiday/weekend
    CONFIRMING_WHEN --> ASKING_WHEN: ❌ Não (MeetingDayNo) → the date question again
    CONFIRMING_WHEN --> CONFIRMING_WHEN: another date typed → judged like the first
    ASKING_WHEN --> [*]: /cancelar (the booked touch stays logged)
    CONFIRMING_WHEN --> [*]: /cancelar
```

The pending confirmation lives in ``user_data`` (persisted), so a restart in the middle of it
resumes it: the Sim/Não buttons still work. Every key the flow keeps is in :data:`FLOW_KEYS`
(:func:`bot.tg.flow_run.scoped`), and all of them are gone when it ends, /cancelar included.

A meeting's result (✅ held, 👻 no-show) is refused before the meeting starts, with one line;
nothing is saved.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from telegram import Update
from telegram.ext import ConversationHandler

from bot.domain.funnel import Way
from bot.domain.moments import Doubt, InvalidMoment, Questionable
from bot.domain.vocabulary import MeetingStatus, Stage
from bot.i18n import day, when
from bot.render.messages import escape
from bot.services import cadence, leads
from bot.tg import choices, flow_run
from bot.tg.callbacks import (
    Action,
    BadCallback,
    BookMeeting,
    Handler,
    LoseLead,
    MeetingDayNo,
    MeetingDayYes,
    MeetingHeld,
    MeetingMoved,
    MeetingNoShow,
    NoShowReason,
    OpenLead,
)
from bot.tg.cards import lead_card
from bot.tg.context import Context, ack, say, typed_text
from bot.tg.keyboards import button, markup


class MeetingFlow(StrEnum):
    ASKING_WHEN = "asking_when"
    CONFIRMING_WHEN = "confirming_when"


MEETING_LEAD = "meeting_lead"
MEETING_MOVED = "meeting_moved"
MEETING_TOUCH = "meeting_touch"
MEETING_PENDING = "meeting_pending"
"""The date waiting for the rep's yes: ``{"doubt", "day", "at", "holiday"}`` (JSON, persisted)."""
FLOW_KEYS = flow_run.scoped(MEETING_LEAD, MEETING_MOVED, MEETING_TOUCH, MEETING_PENDING)


def _forget(context: Context) -> None:
    for key in FLOW_KEYS:
        (context.user_data or {}).pop(key, None)


async def ask_when(
    update: Update,
    context: Context,
    lead_id: int,
    *,
    moved: int | None = None,
    touch: int | None = None,
    edit: bool = False,
) -> MeetingFlow:
    """Ask the date of a meeting; ``touch`` is the ``meeting_booked`` touch it was booked on,
    ``moved`` the meeting it reschedules (see :func:`bot.services.cadence.book_meeting`)."""
    assert context.user_data is not None
    context.user_data[MEETING_LEAD] = lead_id
    context.user_data[MEETING_MOVED] = moved
    context.user_data[MEETING_TOUCH] = touch
    context.user_data.pop(MEETING_PENDING, None)
    await say(update, context._("Para quando ficou a reunião? (ex.: 25/11 14:30, amanhã 10h, sexta 9:30)"), edit=edit)
    return MeetingFlow.ASKING_WHEN


async def book_pressed(update: Update, context: Context) -> MeetingFlow:
    """📅 Agendar reunião (the lead card, after qualification)."""
    lead_id = BookMeeting.of(update).lead
    cadence.check_move(context.runtime, context.me, lead_id, Stage.MEETING_BOOKED, Way.BOOKING)
    await ack(update)
    return await ask_when(update, context, lead_id)


def _holiday_language(context: Context) -> str:
    return "en_US" if context.lang == "en" else "pt_BR"


async def meeting_when(update: Update, context: Context) -> MeetingFlow | int:
    """The typed date (also while a confirmation is pending: a new date replaces it)."""
    assert context.user_data is not None
    lead_id = context.user_data.get(MEETING_LEAD)
    if not isinstance(lead_id, int):
        _forget(context)
        return ConversationHandler.END
    try:
        starts, doubt = cadence.read_meeting_time(
            context.runtime, context.me, typed_text(update), language=_holiday_language(context)
        )
    except InvalidMoment as problem:
        context.user_data.pop(MEETING_PENDING, None)  # a question shown before no longer stands
        await say(update, "⚠️ " + escape(context.problem_text(problem)))
        return MeetingFlow.ASKING_WHEN
    if doubt is not None:
        return await _confirm_when(update, context, lead_id, doubt)
    return await _book(update, context, lead_id, starts)


def _doubt_said(doubt: Questionable) -> str:
    if doubt.doubt is Doubt.PAST_DAY:
        return "past_day"
    if doubt.doubt is Doubt.HOLIDAY:
        return "holiday"
    return {5: "saturday", 6: "sunday"}.get(doubt.day.weekday(), "not_working")


def _question_mark(doubt: Questionable) -> str:
    """Names one question in its buttons, so an older question's button answers nothing."""
    return f"{doubt.doubt.value[0]}{doubt.moment:%Y%m%d%H%M}"


async def _confirm_when(
    update: Update, context: Context, lead_id: int, doubt: Questionable, *, edit: bool = False
) -> MeetingFlow:
    assert context.user_data is not None
    context.user_data[MEETING_PENDING] = {
        "doubt": doubt.doubt.value,
        "day": doubt.day.isoformat(),
        "at": doubt.moment.isoformat(),
        "holiday": doubt.holiday,
    }
    mark = _question_mark(doubt)
    yes_no = [
        button("✅ " + context._("Sim"), MeetingDayYes(lead_id, mark)),
        button("❌ " + context._("Não"), MeetingDayNo(lead_id, mark)),
    ]
    text = context.render(
        "meeting.html",
        said=_doubt_said(doubt),
        day=day(doubt.day, context.lang, year=False),
        date=day(doubt.moment.date(), context.lang),
        holiday=doubt.holiday or "",
    )
    await say(update, text, markup([yes_no]), edit=edit)
    return MeetingFlow.CONFIRMING_WHEN


def _pending(stored: Any) -> Questionable | None:
    """The confirmation kept in ``user_data`` (``None`` if missing or unreadable)."""
    if not isinstance(stored, dict):
        return None
    try:
        return Questionable(
            doubt=Doubt(stored["doubt"]),
            day=date.fromisoformat(stored["day"]),
            moment=datetime.fromisoformat(stored["at"]),
            holiday=stored.get("holiday"),
        )
    except (KeyError, TypeError, ValueError):
        return None


async def _answered(update: Update, context: Context, press: MeetingDayYes | MeetingDayNo) -> Questionable | None:
    """The question the ✅/❌ answers, if it is still the one asked (else an alert, ``None``)."""
    assert context.user_data is not None
    doubt = _pending(context.user_data.get(MEETING_PENDING))
    if context.user_data.get(MEETING_LEAD) != press.lead or doubt is None or press.question != _question_mark(doubt):
        await ack(update, context._("Essa pergunta já foi respondida. Mande a data da reunião."), alert=True)
        return None
    await ack(update)
    return doubt


def _still(context: Context) -> MeetingFlow:
    """The state after an outdated ✅/❌: still waiting for a date, or for the newer question's yes."""
    pending = _pending((context.user_data or {}).get(MEETING_PENDING))
    return MeetingFlow.ASKING_WHEN if pending is None else MeetingFlow.CONFIRMING_WHEN


async def day_yes_pressed(update: Update, context: Context) -> MeetingFlow | int:
    """✅ Sim under "25/12 é feriado (Natal). Marcar mesmo assim?"."""
    press = MeetingDayYes.of(update)
    doubt = await _answered(update, context, press)
    if doubt is None:
        return _still(context)
    try:
        following = cadence.meeting_time_confirmed(
            context.runtime, context.me, doubt, language=_holiday_language(context)
        )
    except InvalidMoment as problem:  # the moment passed while the question waited
        (context.user_data or {}).pop(MEETING_PENDING, None)
        await say(update, "⚠️ " + escape(context.problem_text(problem)), edit=True)
        return MeetingFlow.ASKING_WHEN
    if following is not None:
        return await _confirm_when(update, context, press.lead, following, edit=True)
    return await _book(update, context, press.lead, doubt.moment, edit=True)


async def day_no_pressed(update: Update, context: Context) -> MeetingFlow:
    """❌ Não: the date question again."""
    press = MeetingDayNo.of(update)
    if await _answered(update, context, press) is None:
        return _still(context)
    data = context.user_data or {}
    moved, touch = data.get(MEETING_MOVED), data.get(MEETING_TOUCH)
    return await ask_when(update, context, press.lead, moved=moved, touch=touch, edit=True)


async def _book(update: Update, context: Context, lead_id: int, starts: datetime, *, edit: bool = False) -> int:
    data = context.user_data or {}
    moved, touch = data.get(MEETING_MOVED), data.get(MEETING_TOUCH)
    meeting = cadence.book_meeting(
        context.runtime,
        context.me,
        lead_id,
        starts,
        touch if isinstance(touch, int) else None,
        moving=moved if isinstance(moved, int) else None,
        flow=flow_run.current(context),
    )
    _forget(context)
    lead = leads.get_lead(context.runtime, context.me, lead_id)
    moment = when(meeting.starts_at, context.lang, context.me.timezone)
    text = context.render("meeting.html", said="booked", company=lead.company, when=moment)
    keyboard = markup([[button("📇 " + context._("Ficha do lead"), OpenLead(lead_id))]])
    await say(update, text, keyboard, edit=edit)
    return ConversationHandler.END


async def _too_early(update: Update, context: Context, early: cadence.MeetingNotStarted) -> None:
    """One line: a result before the meeting starts is refused (nothing was saved)."""
    moment = when(early.starts_at, context.lang, context.me.timezone)
    await say(update, context.render("meeting.html", said="too_early", when=moment))


async def held_pressed(update: Update, context: Context) -> None:
    try:  # a refusal answers the press itself (an alert), so the press is answered after
        meeting = cadence.meeting_result(
            context.runtime, context.me, MeetingHeld.of(update).meeting, MeetingStatus.HELD
        )
    except cadence.MeetingNotStarted as early:
        await ack(update)
        await _too_early(update, context, early)
        return
    await ack(update)
    text, keyboard = lead_card(context, leads.get_lead(context.runtime, context.me, meeting.lead_id))
    await say(update, "✅ " + context._("Reunião registrada como realizada.") + "\n\n" + text, keyboard)


async def no_show_pressed(update: Update, context: Context) -> None:
    meeting_id = MeetingNoShow.of(update).meeting
    try:
        cadence.meeting_awaiting_result(context.runtime, context.me, meeting_id)
    except cadence.MeetingNotStarted as early:
        await ack(update)
        await _too_early(update, context, early)
        return
    await ack(update)
    await say(update, context._("Por que não aconteceu?"), choices.no_show_reasons(context, meeting_id))


async def moved_pressed(update: Update, context: Context) -> MeetingFlow:
    """🔁 Remarcar: the new date of the same meeting (its SQL continues, bot.domain.metrics)."""
    meeting_id = MeetingMoved.of(update).meeting
    meeting = cadence.meeting_to_move(context.runtime, context.me, meeting_id)
    cadence.check_move(context.runtime, context.me, meeting.lead_id, Stage.MEETING_BOOKED, Way.BOOKING)
    await ack(update)
    return await ask_when(update, context, meeting.lead_id, moved=meeting_id)


async def no_show_reason_pressed(update: Update, context: Context) -> None:
    press = NoShowReason.of(update)
    if context.runtime.playbook.no_show_reason(press.reason) is None:
        raise BadCallback(press.reason)
    try:
        meeting = cadence.meeting_result(
            context.runtime, context.me, press.meeting, MeetingStatus.NO_SHOW, press.reason
        )
    except cadence.MeetingNotStarted as early:
        await ack(update)
        await _too_early(update, context, early)
        return
    again = [
        # A re-booking continues this meeting's SQL (bot.domain.metrics).
        button("🔁 " + context._("Remarcar"), MeetingMoved(press.meeting)),
        button("❌ " + context._("Perdido"), LoseLead(meeting.lead_id)),
    ]
    await say(update, context._("No-show registrado. Quer remarcar?"), markup([again]), edit=True)


#: Buttons answered outside the conversation (the ones that start or answer the date flow
#: are in :mod:`bot.tg.flows`).
BUTTONS: dict[type[Action], Handler] = {
    MeetingHeld: held_pressed,
    MeetingNoShow: no_show_pressed,
    NoShowReason: no_show_reason_pressed,
}
