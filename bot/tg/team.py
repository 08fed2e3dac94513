"""Managers and the team: /convidar (one-time invite links), /convites (open invites, revoke),
/equipe (deactivate someone who left, handing their open leads to the team).

```mermaid
stateDiagram-v2
    [*] --> team: /equipe (paged, tm:list:<page>)
    team --> receivers: 🚪 Desativar X (tm:off:<member>:<page>) — refused for oneself / the last manager
    receivers --> confirm: a person (tm:to:<member>:<id>) or 🔀 rodízio (tm:to:<member>:rr)
    team --> confirm: X has no open leads
    confirm --> [*]: ✅ Confirmar (tm:ok:<member>:<id|rr>) → receivers told "Você recebeu N leads de X"
    confirm --> team: ↩️ Voltar
    [*] --> invites: /convites (paged, iv:list:<page>:-)
    invites --> invites: 🚫 Revogar #n (iv:revoke:<page>:<invite>)
```
"""

from __future__ import annotations

import logging

from telegram import Bot, Update
from telegram.constants import ParseMode
from telegram.error import TelegramError

from bot.domain import offboarding as rules
from bot.domain import paging
from bot.domain.vocabulary import Role
from bot.i18n import gettext_for, when
from bot.render.messages import escape
from bot.services import offboarding, team
from bot.services import settings as team_settings
from bot.services.team import NotAllowed
from bot.tg.callbacks import BadCallback, Verb, as_id, as_page, unpack
from bot.tg.context import Context, ack, say
from bot.tg.keyboards import button, markup, paged
from bot.tg.reminders import nudge

log = logging.getLogger(__name__)

MANAGER_WORDS = {"gestor", "manager", "gerente"}
NONE = "-"


async def invite(update: Update, context: Context) -> None:
    """/convidar [gestor @usuário | @usuário]"""
    member, _ = context.me, context._
    if member.role != Role.MANAGER:
        await say(update, _("Só gestores podem convidar pessoas para o time."))
        return
    args = context.args or []
    wants_manager = bool(args) and args[0].lower() in MANAGER_WORDS
    role = Role.MANAGER if wants_manager else Role.REP
    # A manager invite names its person (with or without @); a rep invite may, with the @.
    rest = args[1:] if wants_manager else [a for a in args[:1] if a.startswith("@")]
    if wants_manager and not rest:
        hours = context.runtime.settings.manager_invite_ttl_hours
        await say(
            update,
            _(
                "Um convite de gestor vale só para a pessoa que você nomear: escreva "
                "<code>/convidar gestor @usuario</code> com o nome de usuário do Telegram dela. "
                "O link vale por %(hours)s horas e ninguém mais consegue usá-lo."
            )
            % {"hours": hours},
        )
        return
    try:
        created = team.create_invite(context.runtime, member, role, rest[0] if rest else None)
    except rules.InvalidUsername as problem:
        await say(update, "⚠️ " + escape(context.problem_text(problem)))
        return
    link = f"https://t.me/{context.bot.username}?start={created.token}"
    who = _("um gestor") if role is Role.MANAGER else _("um vendedor")
    text = _("Convite para %(who)s, válido até %(when)s e para uma pessoa só:") % {
        "who": who,
        "when": when(created.expires_at, context.lang, member.timezone),
    }
    if created.for_username:
        text += "\n" + _("Só @%(username)s pode usar este link.") % {"username": escape(created.for_username)}
    await say(update, text + f"\n\n{link}\n\n" + _("Encaminhe o link; quem abrir entra no time ao tocar em Iniciar."))


# ---------------------------------------------------------------------------- /convites


async def invites_command(update: Update, context: Context) -> None:
    if context.me.role != Role.MANAGER:
        await say(update, context._("Só gestores veem e revogam convites."))
        return
    await _invites(update, context, 0, edit=False)


async def _invites(update: Update, context: Context, page: int, *, edit: bool) -> None:
    _, lang, zone = context._, context.lang, context.me.timezone
    found = offboarding.open_invites(context.runtime, context.me)
    if not found:
        await say(update, _("Nenhum convite aberto. Crie um com /convidar."), edit=edit)
        return
    page = paging.clamp(page, len(found))
    lines = ["📨 <b>" + _("Convites abertos: %(n)s") % {"n": len(found)} + "</b>", ""]
    for item in paging.page_of(found, page):
        who = _("gestor") if item.role == Role.MANAGER else _("vendedor")
        only = f" · @{escape(item.for_username)}" if item.for_username else ""
        lines.append(
            f"#{item.id} {who}{only} — "
            + _("criado por %(name)s, vale até %(when)s")
            % {"name": escape(item.created_by), "when": when(item.expires_at, lang, zone)}
        )
    buttons = [button("🚫 " + _("Revogar #%(n)s") % {"n": i.id}, Verb.INVITES, "revoke", page, i.id) for i in found]
    keyboard = paged(buttons, page, lambda p: button("▶", Verb.INVITES, "list", p, NONE))
    await say(update, "\n".join(lines), markup(keyboard), edit=edit)


async def invites_pressed(update: Update, context: Context) -> None:
    """``iv:list:<page>:-`` or ``iv:revoke:<page>:<invite>``"""
    action, page_text, value = unpack(update.callback_query.data if update.callback_query else None, Verb.INVITES, 3)
    page = as_page(page_text)
    try:
        if action == "revoke":
            revoked = offboarding.revoke_invite(context.runtime, context.me, as_id(value))
            _ = context._
            await ack(update, _("Convite revogado.") if revoked else _("Esse convite já foi usado ou revogado."))
        elif action == "list":
            await ack(update)
        else:
            raise BadCallback(action)
    except NotAllowed:
        await ack(update, context._("Só gestores veem e revogam convites."), alert=True)
        return
    await _invites(update, context, page, edit=True)


# ---------------------------------------------------------------------------- /equipe


async def team_command(update: Update, context: Context) -> None:
    if context.me.role != Role.MANAGER:
        await say(update, context._("Só gestores podem desativar pessoas do time."))
        return
    await _team(update, context, 0, edit=False)


async def _team(update: Update, context: Context, page: int, *, edit: bool) -> None:
    _ = context._
    members = team_settings.team_members(context.runtime, context.me)
    page = paging.clamp(page, len(members))
    lines = ["👥 <b>" + _("Equipe: %(n)s pessoas ativas") % {"n": len(members)} + "</b>", ""]
    for m in paging.page_of(members, page):
        role = _("gestor") if m.role == Role.MANAGER else _("vendedor")
        paused = " · ⏸ " + _("em pausa") if m.paused else ""
        handle = f" · @{escape(m.username)}" if m.username else ""
        lines.append(f"• {escape(offboarding.name_of(m))} — {role}{handle}{paused}")
    lines += ["", _("Quem saiu do time: toque para desativar. Os leads abertos vão para quem você escolher.")]
    buttons = [
        button("🚪 " + _("Desativar %(name)s") % {"name": m.first_name}, Verb.TEAM, "off", m.id, page)
        for m in members
        if m.id != context.me.id
    ]
    keyboard = paged(buttons, page, lambda p: button("▶", Verb.TEAM, "list", p, NONE))
    await say(update, "\n".join(lines), markup(keyboard), edit=edit)


def _leads(n: int) -> str:
    """ "1 lead", "5 leads": the word is the same in Portuguese and English."""
    return f"{n} lead" if n == 1 else f"{n} leads"


async def _receivers(update: Update, context: Context, member_id: int, page: int) -> None:
    """Who gets the open leads: a person, or round-robin; straight to the confirmation when
    there is nothing to hand over."""
    _ = context._
    plan = offboarding.plan(context.runtime, context.me, member_id)
    if plan.open_leads == 0:
        await _confirm(update, context, member_id, offboarding.ROUND_ROBIN)
        return
    text = _("%(name)s tem %(leads)s em aberto. Para quem eles vão?") % {
        "name": escape(plan.name),
        "leads": _leads(plan.open_leads),
    }
    if plan.closed_leads:
        text += "\n" + _("Os ganhos e perdidos (%(n)s) ficam com %(name)s, para o histórico.") % {
            "n": plan.closed_leads,
            "name": escape(plan.name),
        }
    people = [
        button(offboarding.name_of(m) + (" ⏸" if m.paused else ""), Verb.TEAM, "to", member_id, m.id)
        for m in plan.receivers
    ]
    spread = []
    if plan.round_robin:
        label = "🔀 " + _("Dividir em rodízio (%(n)s vendedores)") % {"n": len(plan.round_robin)}
        spread = [[button(label, Verb.TEAM, "to", member_id, offboarding.ROUND_ROBIN)]]
    back = [[button("↩️ " + _("Voltar"), Verb.TEAM, "list", 0, NONE)]]
    keyboard = paged(people, page, lambda p: button("▶", Verb.TEAM, "off", member_id, p))
    await say(update, text, markup(spread, keyboard, back), edit=True)


async def _confirm(update: Update, context: Context, member_id: int, to: str) -> None:
    _ = context._
    plan = offboarding.plan(context.runtime, context.me, member_id)
    name = escape(plan.name)
    if plan.open_leads == 0:
        text = _("Desativar %(name)s? Não há leads abertos para passar adiante.") % {"name": name}
    elif to == offboarding.ROUND_ROBIN:
        names = ", ".join(escape(offboarding.name_of(m)) for m in plan.round_robin)
        text = _("Desativar %(name)s e dividir %(leads)s em rodízio entre: %(names)s?") % {
            "name": name,
            "leads": _leads(plan.open_leads),
            "names": names,
        }
    else:
        receiver = next((m for m in plan.receivers if m.id == as_id(to)), None)
        if receiver is None:
            raise rules.DeactivationRefused(rules.CANNOT_RECEIVE)
        text = _("Desativar %(name)s e passar %(leads)s para %(receiver)s?") % {
            "name": name,
            "leads": _leads(plan.open_leads),
            "receiver": escape(offboarding.name_of(receiver)),
        }
    text += "\n\n" + _("O acesso acaba na hora. Um novo convite traz a pessoa de volta.")
    keyboard = [
        [button("✅ " + _("Confirmar"), Verb.TEAM, "ok", member_id, to)],
        [button("↩️ " + _("Voltar"), Verb.TEAM, "list", 0, NONE)],
    ]
    await say(update, text, markup(keyboard), edit=True)


async def _deactivate(update: Update, context: Context, member_id: int, to: str) -> None:
    _ = context._
    target = offboarding.ROUND_ROBIN if to == offboarding.ROUND_ROBIN else as_id(to)
    done = offboarding.deactivate_in_chat(context.runtime, context.me, member_id, target)
    name = escape(done.name)
    lines = ["✅ " + _("%(name)s foi desativado(a): o acesso acabou.") % {"name": name}]
    for receiver in done.receivers:
        lines.append(
            "• "
            + _("%(leads)s para %(receiver)s") % {"leads": _leads(receiver.leads), "receiver": escape(receiver.name)}
        )
    if done.leads_kept:
        lines.append(_("Os ganhos e perdidos (%(n)s) ficaram com %(name)s.") % {"n": done.leads_kept, "name": name})
    lines.append(
        _("Lembretes: %(moved)s passaram aos novos donos, %(cancelled)s cancelados.")
        % {"moved": done.reminders_moved, "cancelled": done.reminders_cancelled}
    )
    await say(update, "\n".join(lines), edit=True)
    nudge(context)  # the moved reminders now wait on their new owners' pauses
    await tell_receivers(context.bot, done, skip=context.me.id)


async def tell_receivers(bot: Bot, done: offboarding.Deactivated, *, skip: int | None = None) -> list[str]:
    """Tell each member who received leads (but ``skip``), in their language; the names of
    those who could not be told (they blocked the bot)."""
    missed = []
    for receiver in done.receivers:
        if receiver.member_id != skip and not await _tell_receiver(bot, receiver, done.name):
            missed.append(receiver.name)
    return missed


async def _tell_receiver(bot: Bot, receiver: offboarding.Receiver, leaving: str) -> bool:
    _ = gettext_for(receiver.language)
    text = _("Você recebeu %(leads)s de %(name)s. Veja em /leads.") % {
        "leads": _leads(receiver.leads),
        "name": escape(leaving),
    }
    try:
        await bot.send_message(receiver.telegram_id, text, parse_mode=ParseMode.HTML)
    except TelegramError:  # the rep blocked the bot: their leads are theirs all the same
        log.warning("could not tell member %s about the leads they received", receiver.member_id, exc_info=True)
        return False
    return True


async def team_pressed(update: Update, context: Context) -> None:
    """``tm:list:<page>:-``, ``tm:off:<member>:<page>``, ``tm:to:<member>:<id|rr>``, ``tm:ok:<member>:<id|rr>``"""
    action, first, second = unpack(update.callback_query.data if update.callback_query else None, Verb.TEAM, 3)
    try:
        if action == "list":
            await ack(update)
            await _team(update, context, as_page(first), edit=True)
        elif action == "off":
            await ack(update)
            await _receivers(update, context, as_id(first), as_page(second))
        elif action == "to":
            await ack(update)
            await _confirm(update, context, as_id(first), second)
        elif action == "ok":
            await ack(update)
            await _deactivate(update, context, as_id(first), second)
        else:
            raise BadCallback(action)
    except NotAllowed:
        await say(update, context._("Só gestores podem desativar pessoas do time."))
    except rules.DeactivationRefused as refused:
        await say(update, "⚠️ " + escape(context.problem_text(refused)))
