"""What a manager's command asks for, read once for /relatorio and /exportar, and the memory of a
button under an answer.

Arguments (Portuguese, in any order):

- period: ``7`` (last 7 days), ``semana``, ``mes`` (default), ``hoje``, ``tudo``, or
  ``DD/MM/AAAA`` [``DD/MM/AAAA``];
- ``campanha=Nome da campanha``; ``versao=1.2`` (playbook version); ``vendedor=ana``;
  ``ranking`` (also the rep leaderboard chart; there is a button for it too);
- /exportar: ``toques`` ``leads`` ``etapas`` ``reunioes`` ``tudo``; ``xlsx`` or ``csv``;
  ``virgula`` for plain ``,`` CSV.

A button under an answer (🏆 ranking, the other export format, 🔄 update, ✅ create leads) needs
what the answer was built from: :func:`remember` keeps it in the user's data under a token the
button carries, :func:`recall` gives it back only for the latest answer of that kind.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, tzinfo
from typing import Any
from zoneinfo import ZoneInfo

from telegram import Message, Update
from telegram.constants import ParseMode

from bot.domain import numbers
from bot.render.messages import escape
from bot.services import team
from bot.services.runtime import Runtime
from bot.services.team import NotAllowed
from bot.tg.context import Context, say, typed_text

PERIODS = frozenset({"semana", "mes", "mês", "tudo", "hoje"})
_KEYED = re.compile(r"(campanha|versao|versão|vendedor)=(\"[^\"]*\"|\S+)", flags=re.I)


@dataclass
class Request:
    start: datetime | None
    end: datetime | None
    campaign: str | None = None
    version: str | None = None
    words: tuple[str, ...] = ()
    rep: str | None = None
    """``vendedor=`` as typed (a name, @username or id); resolved against the team."""


def is_days_or_date(word: str) -> bool:
    """Days (``7``, also ``²`` to refuse it) or a date: period words that are no table's name."""
    return numbers.digit_like(word) or _day_shaped(word)


def _day_shaped(word: str) -> bool:
    try:
        return numbers.parse_day_text(word) is not None
    except numbers.InvalidNumber:
        return True


def _midnight(day: date, zone: tzinfo) -> datetime:
    return datetime.combine(day, datetime.min.time(), tzinfo=zone).astimezone(UTC)


def parse_request(text: str, *, today: date, zone: tzinfo, default: str = "mes") -> Request:
    """Read the arguments of /relatorio or /exportar (see the module docstring); days start at
    midnight in ``zone`` (the asking member's).

    :class:`numbers.InvalidNumber` for a period that cannot be: ``²``, ``99999999999`` days, ``31/02/2026``,
    a year outside 2000–2100."""
    keyed = {k.lower().replace("ã", "a"): v.strip('"') for k, v in _KEYED.findall(text)}
    words = tuple(w.lower() for w in _KEYED.sub(" ", text).split())
    days = [d for d in (numbers.parse_day_text(w) for w in words) if d is not None]
    period = next((w for w in words if w in PERIODS or numbers.digit_like(w)), default if not days else "")
    start: date | None
    end: date | None = today
    if days:
        start, end = days[0], days[-1] if len(days) > 1 else today
    elif numbers.digit_like(period):
        start = today - timedelta(days=numbers.parse_days(period) - 1)
    elif period == "semana":
        start = today - timedelta(days=today.weekday())
    elif period == "hoje":
        start = today
    elif period == "tudo":
        start = end = None
    else:
        start = today.replace(day=1)
    return Request(
        _midnight(start, zone) if start else None,
        _midnight(end + timedelta(days=1), zone) if end else None,
        keyed.get("campanha") or None,
        keyed.get("versao") or None,
        words,
        keyed.get("vendedor") or None,
    )


def read_request(update: Update, context: Context, *, default: str) -> Request:
    """The command's arguments; :class:`numbers.InvalidNumber` for an impossible period."""
    text = typed_text(update)
    args = text.split(maxsplit=1)[1] if len(text.split(maxsplit=1)) > 1 else ""
    zone = ZoneInfo(context.me.timezone)
    return parse_request(args, today=context.runtime.now().astimezone(zone).date(), zone=zone, default=default)


class UnknownRep(Exception):
    """``vendedor=`` names nobody on the team."""


def rep_id(runtime: Runtime, name: str | None) -> int | None:
    if name is None:
        return None
    found = team.named(runtime, name)
    if found is None:
        raise UnknownRep(name)
    return found.id


def remember(context: Context, key: str, values: dict[str, Any]) -> str:
    """Keep what a button under the answer will need; the token ties the button to it."""
    token = secrets.token_hex(4)
    if context.user_data is not None:
        context.user_data[key] = {**values, "token": token}
    return token


def recall(context: Context, key: str, token: str) -> dict[str, Any] | None:
    stored = (context.user_data or {}).get(key)
    return stored if isinstance(stored, dict) and stored.get("token") == token else None


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def moment(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


def refusal(context: Context, exc: Exception) -> str:
    if isinstance(exc, UnknownRep):
        return context._("Não encontrei %(name)s no time.") % {"name": escape(str(exc)[:60])}
    if isinstance(exc, NotAllowed):  # its sentence is marked N_() where it is raised
        return escape(context._(str(exc)))
    return escape(context.problem_text(exc))


def filters_asked(runtime: Runtime, request: Request) -> dict[str, Any]:
    """The period, campaign, version and rep of ``request``, as a button remembers them
    (:class:`UnknownRep` when ``vendedor=`` names nobody)."""
    return {
        "start": _iso(request.start),
        "end": _iso(request.end),
        "campaign": request.campaign,
        "version": request.version,
        "rep_id": rep_id(runtime, request.rep),
    }


async def replace(update: Update, status: Message | None, text: str, keyboard: Any = None) -> None:
    """The status message becomes ``text`` (a new message when there is none)."""
    if status is None:
        await say(update, text, keyboard)
    else:
        await status.edit_text(text, parse_mode=ParseMode.HTML, reply_markup=keyboard)
