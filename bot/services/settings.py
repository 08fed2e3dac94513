"""A member's own settings (working hours, UF → time zone and holidays, language) and a
manager pausing a rep for vacation. Changing hours or zone moves the next morning agenda."""

from __future__ import annotations

import re
from datetime import time

from bot.domain import numbers, regions
from bot.domain.calendar import WorkingHours
from bot.i18n import LANGUAGES, N_
from bot.services import reminders
from bot.services.flows import FlowKind, record_ending
from bot.services.runtime import Runtime
from bot.services.team import NotAllowed, require_manager
from bot.services.views import MemberLike, MemberView
from bot.storage import members as member_store

_HOURS = re.compile(
    r"^\s*([0-9]{1,2})(?::|h)?([0-9]{2})?\s*(?:-|–|a|às|as|to)\s*([0-9]{1,2})(?::|h)?([0-9]{2})?\s*h?\s*$", re.I
)


class InvalidHours(ValueError):
    """Typed working hours we cannot read (the message is Portuguese, for the chat)."""


def parse_hours(text: str) -> tuple[str, str]:
    """ "9-18", "08:30 - 17:30", "9h às 18h" → ("09:00", "18:00")."""
    match = _HOURS.match(text or "")
    if not match:
        raise InvalidHours(N_("Não entendi. Escreva o início e o fim, por exemplo 08:30-17:30."))
    h1, m1, h2, m2 = match.groups()
    try:
        start = time(numbers.parse_hour(h1), numbers.parse_minute(m1 or "0"))
        end = time(numbers.parse_hour(h2), numbers.parse_minute(m2 or "0"))
    except numbers.InvalidNumber:
        raise InvalidHours(N_("Horário inválido. Use horas de 00:00 a 23:59, por exemplo 08:30-17:30.")) from None
    if not start < end:
        raise InvalidHours(N_("O expediente precisa começar antes de terminar, no mesmo dia."))
    return f"{start:%H:%M}", f"{end:%H:%M}"


def _update(
    runtime: Runtime, member: MemberLike, *, ending: tuple[str, FlowKind] | None = None, **values: object
) -> MemberView:
    """Change the member's settings; ``ending``: the flow run (id, kind) this ends, recorded in
    the same transaction."""
    with runtime.transaction() as session:
        fresh = member_store.get_member(session, member_id=member.id or 0)
        if fresh is None or not fresh.active:
            raise NotAllowed(f"member {member.id} is not active")
        if ending is not None:
            record_ending(session, runtime, ending[0], fresh, ending[1], lead_id=None, result_id=fresh.id)
        for key, value in values.items():
            setattr(fresh, key, value)  # a row of this session: written when it commits
        updated = MemberView.of(fresh)
    runtime.members.forget(updated.telegram_id)  # the gate must see the new settings at once
    return updated


def set_hours(runtime: Runtime, member: MemberLike, start: str, end: str, *, flow: str | None = None) -> MemberView:
    WorkingHours(start=time.fromisoformat(start), end=time.fromisoformat(end))  # validates
    ending = (flow, FlowKind.HOURS) if flow is not None else None
    updated = _update(runtime, member, ending=ending, work_start=start, work_end=end)
    reminders.replan_agenda(runtime, updated)
    return updated


def set_uf(runtime: Runtime, member: MemberLike, uf_code: str) -> MemberView:
    """The rep's state: its time zone and its state holidays follow."""
    uf = regions.UFS.get(uf_code)
    if uf is None:
        raise ValueError(f"unknown UF {uf_code!r}")
    updated = _update(runtime, member, uf=uf.code, timezone=uf.timezone)
    reminders.replan_agenda(runtime, updated)
    return updated


def set_language(runtime: Runtime, member: MemberLike, language: str) -> MemberView:
    if language not in LANGUAGES:
        raise ValueError(f"unknown language {language!r}")
    return _update(runtime, member, language=language)


def team_members(runtime: Runtime, manager: MemberLike) -> list[MemberView]:
    require_manager(manager)
    with runtime.transaction() as session:
        members = [MemberView.of(member) for member in member_store.list_members(session)]
    return sorted(members, key=lambda member: (member.first_name, member.id or 0))


def set_paused(runtime: Runtime, manager: MemberLike, member_id: int, paused: bool) -> MemberView:
    """A manager pauses (vacation) or resumes a member: their reminders wait meanwhile."""
    require_manager(manager)
    with runtime.transaction() as session:
        target = member_store.get_member(session, member_id=member_id)
        if target is None or not target.active:
            raise NotAllowed(f"member {member_id} is not on the team")
        member_store.set_paused(session, member=target, paused=paused)
        updated = MemberView.of(target)
    runtime.members.forget(updated.telegram_id)
    return updated


__all__ = ["InvalidHours", "parse_hours", "set_hours", "set_language", "set_paused", "set_uf", "team_members"]
