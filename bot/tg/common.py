"""The gate, help, cancel, unknown input and the error handler.

The gate runs before every other handler (group -1): a Telegram user who is not on the team
gets one polite line and nothing else — no data, no lead names, no command list.
"""

from __future__ import annotations

import logging

from telegram import Update
from telegram.constants import ChatType
from telegram.error import Conflict, Forbidden, NetworkError, RetryAfter, TimedOut
from telegram.ext import ApplicationHandlerStop, ConversationHandler

from bot.domain.funnel import MoveRefused, Refusal
from bot.domain.vocabulary import Role
from bot.i18n import language_for
from bot.render.messages import escape
from bot.services import team
from bot.services.cadence import StaleAction
from bot.services.leads import LeadNotFound
from bot.services.tasks import TaskNotFound
from bot.services.team import InviteRefused, NotAllowed, TelegramPerson
from bot.services.views import DatabaseUnavailable
from bot.tg import flow_run
from bot.tg.callbacks import BadCallback
from bot.tg.cards import stage_name
from bot.tg.context import Context, ack, say, typed_text

log = logging.getLogger(__name__)

CONFLICT = "conflict"
"""bot_data key set when Telegram said another instance receives the updates (``cadencia run`` exits)."""

MAX_TEXT = 2000
"""Longest free text we accept as an answer (a 10,000-character paste is refused clearly)."""


def person_of(update: Update) -> TelegramPerson | None:
    user = update.effective_user
    if user is None:
        return None
    return TelegramPerson(
        telegram_id=user.id,
        first_name=user.first_name or "",
        full_name=user.full_name or "",
        username=user.username or "",
        language=language_for(user.language_code),
    )


async def gate(update: Update, context: Context) -> None:
    """Let members through; welcome invitees; refuse everyone else."""
    person = person_of(update)
    if person is None:
        raise ApplicationHandlerStop  # channel posts, polls…: nothing for us
    context.telegram_language = update.effective_user.language_code if update.effective_user else None
    chat = update.effective_chat
    if chat is not None and chat.type != ChatType.PRIVATE:
        raise ApplicationHandlerStop  # never talk about leads in groups
    try:
        member = team.recognise(context.runtime, person)
    except DatabaseUnavailable as exc:
        log.error("gate: database unavailable: %s", exc)
        await say(update, exc.message_en if language_for(context.telegram_language) == "en" else exc.message_pt)
        raise ApplicationHandlerStop from None
    if member is not None:
        context.member = member
        return
    message = update.effective_message
    text = message.text if message and message.text else ""
    if text.startswith("/start ") and len(text) < 200:
        await _accept_invite(update, context, person, text.split(maxsplit=1)[1].strip())
        raise ApplicationHandlerStop
    log.info("refused telegram user %s (not on the team)", person.telegram_id)
    if update.callback_query is not None:
        await ack(update)
    await say(
        update,
        context._(
            "Olá! Este bot é de uso exclusivo de um time de vendas. Se você faz parte dele, "
            "peça um convite ao seu gestor."
        ),
    )
    raise ApplicationHandlerStop


async def _accept_invite(update: Update, context: Context, person: TelegramPerson, token: str) -> None:
    try:
        member = team.accept_invite(context.runtime, token, person)
    except InviteRefused as refused:
        reasons = {
            "unknown": context._("Esse convite não existe. Peça um novo link ao seu gestor."),
            "used": context._("Esse convite já foi usado. Peça um novo link ao seu gestor."),
            "expired": context._("Esse convite expirou. Peça um novo link ao seu gestor."),
            "revoked": context._("Esse convite foi revogado pelo gestor. Peça um novo link se ainda precisar."),
            "other_person": context._("Este convite é para outra pessoa."),
            "already_member": context._("Você já faz parte do time. Use /ajuda."),
        }
        log.info("invite refused for %s: %s", person.telegram_id, refused.reason)
        await say(update, reasons[refused.reason])
        return
    context.member = member
    log.info("member %s joined as %s", member.id, member.role)
    await say(
        update,
        context._("Bem-vindo ao time, %(name)s!") % {"name": escape(member.first_name)}
        + "\n\n"
        + context.render_static(
            "help.html", manager=member.role == Role.MANAGER, version=context.runtime.playbook.version
        ),
    )


async def start(update: Update, context: Context) -> None:
    await say(
        update,
        context._("Olá, %(name)s!") % {"name": escape(context.me.first_name)}
        + "\n\n"
        + context.render_static(
            "help.html", manager=context.me.role == Role.MANAGER, version=context.runtime.playbook.version
        ),
    )


async def help_command(update: Update, context: Context) -> None:
    await say(
        update,
        context.render_static(
            "help.html", manager=context.me.role == Role.MANAGER, version=context.runtime.playbook.version
        ),
    )


async def cancel(update: Update, context: Context) -> int:
    """/cancelar: leave any flow, keep what was already saved."""
    if context.user_data is not None:
        context.user_data.pop("draft", None)
        flow_run.forget(context)
    await say(update, context._("Ok, cancelado. Nada do que já estava salvo foi perdido. /ajuda"))
    return ConversationHandler.END


async def unknown_command(update: Update, context: Context) -> None:
    await say(update, context._("Não conheço esse comando. Veja o que eu sei fazer em /ajuda."))


async def stray_text(update: Update, context: Context) -> None:
    """Text outside any flow: guide the rep, whatever they typed."""
    text = typed_text(update)
    if len(text) > MAX_TEXT:
        await say(
            update,
            context._("Mensagem longa demais (%(n)s caracteres). Nada foi salvo; use /novo para cadastrar um lead.")
            % {"n": len(text)},
        )
        return
    await say(update, context._("Não entendi. Use /novo para cadastrar um lead, /leads para ver os seus, ou /ajuda."))


async def stray_callback(update: Update, context: Context) -> None:
    """A button we do not know (old, or forged)."""
    log.warning(
        "unknown callback data %r from %s",
        (update.callback_query.data or "")[:64] if update.callback_query else "",
        context.me.id,
    )
    await ack(update, context._("Esse botão não vale mais. Abra o lead de novo com /leads."), alert=True)


def _speak_their_language(update: Update, context: Context) -> None:
    """The error handler gets a context of its own: find the member's language again (from the
    cache the gate just filled, so no database read), or their Telegram app's."""
    user = update.effective_user
    if context.member is not None or user is None:
        return
    context.telegram_language = user.language_code
    known, member = context.runtime.members.get(user.id)
    if known and member is not None:
        context.member = member


def refused_move_text(context: Context, refused: MoveRefused) -> str:
    """One short line for a stage move the funnel refused."""
    names = {"from": stage_name(context, refused.source), "to": stage_name(context, refused.target)}
    if refused.why is Refusal.LOSS_REASON:
        return context._("Esse motivo de perda não vale para a etapa “%(from)s”.") % names
    if refused.source is refused.target:
        return context._("Isso não cabe a um lead na etapa “%(from)s”.") % names
    return context._("Mudança de etapa não permitida: “%(from)s” → “%(to)s”.") % names


async def on_error(update: object, context: Context) -> None:
    """Every failure ends in a short message to the user and a line in the log."""
    error = context.error
    if isinstance(error, Conflict):
        # Telegram's 409: another process polls with this token (or a webhook was set). Two bots
        # fighting over updates would each miss half of them: stop, and say so once.
        log.critical("another instance is receiving this bot's updates (Telegram 409 Conflict: %s); stopping", error)
        context.application.bot_data[CONFLICT] = str(error)
        context.application.stop_running()
        return
    if not isinstance(update, Update):
        log.error("error outside an update", exc_info=error)
        return
    _speak_their_language(update, context)
    refusals: tuple[tuple[type[Exception], str], ...] = (
        (BadCallback, context._("Esse botão não é válido. Abra o lead de novo com /leads.")),
        (NotAllowed, context._("Esse lead não é seu. Abra os seus com /leads.")),
        (LeadNotFound, context._("Não encontrei esse lead. Veja os seus em /leads.")),
        (TaskNotFound, context._("Não encontrei esse retorno. Veja os seus em /hoje.")),
        (StaleAction, context._("Isso já foi registrado ou o lead mudou de etapa. Abra o lead de novo com /leads.")),
    )
    refusal = next((text for kind, text in refusals if isinstance(error, kind)), None)
    if isinstance(error, MoveRefused):
        refusal = refused_move_text(context, error)
    if refusal is not None:
        user = update.effective_user.id if update.effective_user else "?"
        log.warning("refused %s: %r (user %s)", type(error).__name__, error, user)
        text = refusal
    elif isinstance(error, DatabaseUnavailable):
        log.error("database unavailable: %s", error)
        text = error.message_en if context.lang == "en" else error.message_pt
    elif isinstance(error, (RetryAfter, TimedOut, NetworkError, Forbidden)):
        log.warning("telegram error while answering: %r", error)
        return
    else:
        log.exception("unexpected error handling update", exc_info=error)
        text = context._("Algo deu errado do meu lado. O que você já tinha salvo continua salvo; tente de novo.")
    try:
        if update.callback_query is not None:
            await ack(update, text, alert=True)
        else:
            await say(update, text)
    except Exception:  # the chat may be unreachable; the log already has the story
        log.warning("could not tell the user about the error", exc_info=True)
