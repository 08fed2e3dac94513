"""A lead's timeline ("🕓 Histórico"): everything that happened to it, newest first, in pages.

Touches (outcome, channel, step, script variant and playbook version, objection, qualification
answers, note), stage changes, meetings (booked, and their result), follow-ups (scheduled, and
done) and fit overrides — each with who did it and when. The entries are codes and moments;
the Telegram adapter gives them words in the reader's language and zone.

A lead's history is short (tens of entries), so it is read whole, by its indexed ``lead_id``,
and paged by offset; a page holds :data:`PAGE_SIZE` entries, and free text is cut to
:data:`MAX_TEXT` characters so that any page fits a Telegram message.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from bot.domain.tasks import TaskState
from bot.services.leads import _authorised
from bot.services.runtime import Runtime
from bot.services.views import LeadCard, MemberLike
from bot.storage import timeline as store
from bot.storage.models import FitOverride, Meeting, StageChange, Task, Touch
from bot.storage.reporting import member_names

PAGE_SIZE = 6
MAX_TEXT = 240


@dataclass(frozen=True, slots=True)
class Entry:
    """One line of the timeline. ``kind``: touch | stage | meeting | meeting_result | task |
    task_done | fit_override; ``facts``: the codes and texts of that kind (see the template)."""

    at: datetime
    kind: str
    who: str
    facts: dict[str, object] = field(default_factory=dict)
    order: int = 0
    """Ties at the same moment (a touch and the stage move it made): the consequence first."""
    row: int = 0
    """Then the later row first."""


@dataclass(frozen=True, slots=True)
class TimelinePage:
    lead: LeadCard
    entries: list[Entry]
    page: int
    pages: int
    total: int


def _cut(text: str | None) -> str:
    text = (text or "").strip()
    return text if len(text) <= MAX_TEXT else text[: MAX_TEXT - 1] + "…"


def entries_of(runtime: Runtime, member: MemberLike, lead_id: int) -> tuple[LeadCard, list[Entry]]:
    """Every entry of the lead's history, newest first (NotAllowed, LeadNotFound as usual)."""
    with runtime.reading() as session:
        lead = _authorised(session, member, lead_id)
        touch_rows = store.touches_of(session, lead_id=lead_id)
        stage_rows = store.stage_changes_of(session, lead_id=lead_id)
        meeting_rows = store.meetings_of(session, lead_id=lead_id)
        task_rows = store.tasks_of(session, lead_id=lead_id)
        fit_rows = store.fit_overrides_of(session, lead_id=lead_id)
        owner_rows = store.owner_changes_of(session, lead_id=lead_id)
        people = {t.rep_id for t in touch_rows} | {m.rep_id for m in meeting_rows}
        people |= {s.rep_id for s in stage_rows if s.rep_id is not None}
        people |= {t.created_by for t in task_rows} | {t.member_id for t in task_rows}
        people |= {f.member_id for f in fit_rows}
        people |= {o.from_member_id for o in owner_rows} | {o.to_member_id for o in owner_rows}
        people |= {o.by_member_id for o in owner_rows if o.by_member_id is not None}
        names = member_names(session, people)
        card = LeadCard.of(lead)
        entries = _entries(touch_rows, stage_rows, meeting_rows, task_rows, fit_rows, names)
        for o in owner_rows:  # a lead handed to another rep (reassigned, or its rep left)
            facts: dict[str, object] = {"from": who_of(names, o.from_member_id), "to": who_of(names, o.to_member_id)}
            entries.append(Entry(o.at, "owner", who_of(names, o.by_member_id), facts, order=4, row=o.id or 0))
        entries.sort(key=lambda e: (e.at, e.order, e.row), reverse=True)

    return card, entries


def who_of(names: dict[int, str], member_id: int | None) -> str:
    return names.get(member_id, f"#{member_id}") if member_id is not None else ""


def _entries(
    touch_rows: list[Touch],
    stage_rows: list[StageChange],
    meeting_rows: list[Meeting],
    task_rows: list[Task],
    fit_rows: list[FitOverride],
    names: dict[int, str],
) -> list[Entry]:
    def who(member_id: int | None) -> str:
        return names.get(member_id, f"#{member_id}") if member_id is not None else ""

    entries: list[Entry] = []
    for t in touch_rows:
        facts: dict[str, object] = {
            "outcome": t.outcome,
            "channel": t.channel,
            "step_number": t.step_number,
            "script": t.script_id,
            "variant": t.variant,
            "version": t.playbook_version,
            "objection": t.objection,
            "loss_reason": t.loss_reason,
            "contact_role": t.contact_role,
            "pain": t.pain,
            "budget": t.budget,
            "intent": t.intent,
            "notes": _cut(t.notes),
        }
        entries.append(Entry(t.happened_at, "touch", who(t.rep_id), facts, order=0, row=t.id or 0))
    for s in stage_rows:
        facts = {"from": s.from_stage, "to": s.to_stage, "reason": s.reason}
        entries.append(Entry(s.at, "stage", who(s.rep_id), facts, order=1, row=s.id or 0))
    for m in meeting_rows:
        entries.append(Entry(m.created_at, "meeting", who(m.rep_id), {"starts": m.starts_at}, order=2, row=m.id or 0))
        if m.resolved_at is not None:
            facts = {"status": m.status, "reason": m.no_show_reason, "starts": m.starts_at}
            entries.append(Entry(m.resolved_at, "meeting_result", who(m.rep_id), facts, order=2, row=m.id or 0))
    for task in task_rows:
        facts = {"due": task.due_at, "note": _cut(task.note), "for": who(task.member_id)}
        entries.append(Entry(task.created_at, "task", who(task.created_by), facts, order=3, row=task.id or 0))
        if task.state == TaskState.DONE.value and task.done_at is not None:
            entries.append(
                Entry(task.done_at, "task_done", who(task.member_id), {"due": task.due_at}, order=3, row=task.id or 0)
            )
    for f in fit_rows:
        facts = {"tier": f.tier, "knockouts": f.knockouts}
        entries.append(Entry(f.at, "fit_override", who(f.member_id), facts, order=-1, row=f.id or 0))
    entries.sort(key=lambda e: (e.at, e.order, e.row), reverse=True)
    return entries


def page(runtime: Runtime, member: MemberLike, lead_id: int, number: int) -> TimelinePage:
    """Page ``number`` (from 0; past the end: the last page) of the lead's timeline."""
    card, entries = entries_of(runtime, member, lead_id)
    pages = max(1, -(-len(entries) // PAGE_SIZE))
    number = min(max(number, 0), pages - 1)
    shown = entries[number * PAGE_SIZE : (number + 1) * PAGE_SIZE]
    return TimelinePage(card, shown, number, pages, len(entries))
