"""/recarregar (managers): put the edited playbook in force without a restart.

The same reload runs on SIGHUP (``kill -HUP``, or ``systemctl reload`` with
``ExecReload=/bin/kill -HUP $MAINPID``); then every manager gets the answer in the chat.
The playbook is swapped only if it validates and its version rule holds; otherwise the running
one stays and the answer lists each problem as ``file:line: what to change``.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

from telegram import Update
from telegram.constants import MessageLimit, ParseMode
from telegram.error import TelegramError
from telegram.ext import Application

from bot.domain.vocabulary import Role
from bot.i18n import gettext_for
from bot.render.messages import escape
from bot.services import team
from bot.services.playbooks import PlaybookError, PlaybookVersionConflict, Reloaded, reload_playbook
from bot.services.runtime import Runtime
from bot.tg.context import RUNTIME, Context, say

log = logging.getLogger(__name__)


Outcome = Reloaded | PlaybookError | PlaybookVersionConflict


def _reload(runtime: Runtime) -> Outcome:
    try:
        outcome = reload_playbook(runtime)
    except (PlaybookError, PlaybookVersionConflict) as refused:
        log.warning("playbook reload refused: %s", refused)
        return refused
    if outcome.changed:
        log.info("playbook reloaded: %s -> %s", outcome.previous, outcome.current)
    return outcome


def _text(outcome: Outcome, in_force: str, _: Callable[[str], str]) -> str:
    """What a reload did, in the reader's language (HTML)."""
    if isinstance(outcome, PlaybookError):
        head = _("O playbook tem %(n)s problema(s); a versão %(version)s continua valendo:") % {
            "n": len(outcome.issues),
            "version": escape(in_force),
        }
        lines = "\n".join(escape(issue.text(_)) for issue in outcome.issues)
        room = MessageLimit.MAX_TEXT_LENGTH - len(head) - 40
        if len(lines) > room:
            lines = lines[: lines.rfind("\n", 0, room)] + "\n…"
        return f"⚠️ {head}\n<pre>{lines}</pre>"
    if isinstance(outcome, PlaybookVersionConflict):
        return "⚠️ " + _(
            "Os arquivos do playbook mudaram, mas a versão continua %(version)s. Aumente `version` em "
            "playbook.yaml e recarregue; a versão atual continua valendo."
        ) % {"version": escape(outcome.version)}
    if not outcome.changed:
        return _("O playbook não mudou (versão %(version)s).") % {"version": escape(outcome.current)}
    return "✅ " + _("Playbook recarregado: %(old)s → %(new)s. Os próximos toques já usam a nova versão.") % {
        "old": escape(outcome.previous),
        "new": escape(outcome.current),
    }


async def reload_command(update: Update, context: Context) -> None:
    """/recarregar"""
    if context.me.role != Role.MANAGER:
        await say(update, context._("Só gestores podem recarregar o playbook."))
        return
    outcome = await asyncio.to_thread(_reload, context.runtime)
    await say(update, _text(outcome, context.runtime.playbook.version, context._))


async def reload_on_signal(application: Application) -> None:
    """SIGHUP: reload, then tell every manager what happened, each in their language."""
    runtime: Runtime = application.bot_data[RUNTIME]
    outcome = await asyncio.to_thread(_reload, runtime)
    managers = [m for m in await asyncio.to_thread(team.team, runtime) if m.role == Role.MANAGER]
    for manager in managers:
        text = _text(outcome, runtime.playbook.version, gettext_for(manager.language))
        try:
            await application.bot.send_message(manager.telegram_id, text, parse_mode=ParseMode.HTML)
        except TelegramError:
            log.warning("could not tell manager %s about the playbook reload", manager.id, exc_info=True)
