"""/convidar: managers invite reps (or other managers) with a one-time deep link."""

from __future__ import annotations

from telegram import Update

from bot.domain.vocabulary import Role
from bot.i18n import when
from bot.services import team
from bot.tg.context import Context, say


async def invite(update: Update, context: Context) -> None:
    """/convidar [gestor]"""
    member = context.me
    if member.role != Role.MANAGER:
        await say(update, context._("Só gestores podem convidar pessoas para o time."))
        return
    args = context.args or []
    wants_manager = bool(args) and args[0].lower() in {"gestor", "manager", "gerente"}
    role = Role.MANAGER if wants_manager else Role.REP
    created = team.create_invite(context.runtime, member, role)
    link = f"https://t.me/{context.bot.username}?start={created.token}"
    who = context._("um gestor") if role is Role.MANAGER else context._("um vendedor")
    await say(
        update,
        context._("Convite para %(who)s, válido até %(when)s e para uma pessoa só:")
        % {"who": who, "when": when(created.expires_at, context.lang, member.timezone)}
        + f"\n\n{link}\n\n"
        + context._("Encaminhe o link; quem abrir entra no time ao tocar em Iniciar."),
    )
