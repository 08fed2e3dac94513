"""Moving leads between reps (managers): /passar moves one lead, or every open lead of a rep, to
another rep (or round-robin), from the command or the lead card's 🔁 Passar; both sides are told.

```mermaid
stateDiagram-v2
    [*] --> pick: /passar 42 | /passar ana | 🔁 Passar (ra:o:<lead>)
    pick --> [*]: a person (ra:l:<lead>:<member>, ra:a:<owner>:<member>) or 🔀 rodízio (ra:r:<owner>)
    [*] --> [*]: /passar 42 bruno | /passar ana bruno | /passar ana rodizio
```
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from telegram import Bot, Update
from telegram.constants import ParseMode
from telegram.error import TelegramError

from bot.domain import numbers
from bot.domain import offboarding as spreading
from bot.domain import worklist as rules
from bot.domain.text import fold
from bot.domain.vocabulary import Role
from bot.i18n import N_, gettext_for
from bot.render.messages import escape
from bot.services import reassign
from bot.services.leads import LeadNotFound, get_lead
from bot.services.team import NotAllowed
from bot.services.views import MemberView
from bot.tg.callbacks import (
    OfferReassign,
    ReassignLead,
    ReassignOpen,
    ReassignSpread,
)
from bot.tg.context import Context, ack, say
from bot.tg.keyboards import button, markup, rows
from bot.tg.reminders import nudge
from bot.tg.worklist import lead_count

log = logging.getLogger(__name__)

#: People offered as buttons at most (a bigger team types the name: /passar 42 bruno).
MAX_PEOPLE = 40
ROUND_ROBIN_WORDS = {"rodizio", "round-robin", "roundrobin", "rr"}


# ---------------------------------------------------------------------------- /passar


USAGE = N_(
    "Passe leads para outro vendedor:\n"
    "<code>/passar 42 bruno</code> — o lead #42 para Bruno\n"
    "<code>/passar ana bruno</code> — todos os leads abertos de Ana para Bruno\n"
    "<code>/passar ana rodizio</code> — divididos entre os vendedores ativos\n"
    "Sem o destino, eu pergunto."
)


async def reassign_command(update: Update, context: Context) -> None:
    """/passar 42 [para] bruno | /passar ana [para] bruno|rodizio"""
    _ = context._
    if context.me.role != Role.MANAGER:
        await say(update, _("Só gestores passam leads de um vendedor para outro."))
        return
    args = context.args or []
    if not args:
        await say(update, _(USAGE))
        return
    first, rest = args[0], [w for w in args[1:] if fold(w) not in ("para", "to")]
    target = " ".join(rest).strip()
    try:
        if numbers.digit_like(first.lstrip("#")):
            await _one_lead(update, context, numbers.parse_id(first.lstrip("#")), target)
        else:
            await _openlead_count(update, context, reassign.find_member(context.runtime, first), target)
    except (rules.ReassignRefused, spreading.DeactivationRefused, numbers.InvalidNumber) as problem:
        await say(update, "⚠️ " + escape(context.problem_text(problem)))
    except LeadNotFound:
        await say(update, _("Lead #%(n)s não existe. Veja em /leads.") % {"n": escape(first.lstrip("#"))})


async def _one_lead(update: Update, context: Context, lead_id: int, target: str) -> None:
    _ = context._
    lead = get_lead(context.runtime, context.me, lead_id)
    if target:
        if fold(target) in ROUND_ROBIN_WORDS:
            raise rules.ReassignRefused(N_("Um lead vai para uma pessoa: diga para quem."))
        receiver = reassign.find_member(context.runtime, target)
        await _done(
            update, context, reassign.reassign_lead(context.runtime, context.me, lead_id, receiver.id, via="chat")
        )
        return
    people = reassign.receivers(context.runtime, context.me, excluding=lead.owner_id)
    buttons = [button(m.name, ReassignLead(lead_id, m.id)) for m in people[:MAX_PEOPLE]]
    text = _("Lead #%(n)s %(company)s. Para quem ele vai?") % {"n": lead_id, "company": escape(lead.company)}
    await say(update, text, markup(rows(buttons, 2)))


async def _openlead_count(update: Update, context: Context, giver: MemberView, target: str) -> None:
    _ = context._
    if target:
        to: int | str = reassign.ROUND_ROBIN
        if fold(target) not in ROUND_ROBIN_WORDS:
            to = reassign.find_member(context.runtime, target).id
        await _done(update, context, reassign.reassign_open(context.runtime, context.me, giver.id, to, via="chat"))
        return
    count = reassign.open_lead_count(context.runtime, giver.id)
    if not count:
        raise rules.ReassignRefused(N_("%(name)s não tem leads abertos."), name=giver.name)
    people = reassign.receivers(context.runtime, context.me, excluding=giver.id)
    keyboard = rows([button(m.name, ReassignOpen(giver.id, m.id)) for m in people[:MAX_PEOPLE]], 2)
    spread = reassign.round_robin_size(context.runtime, excluding=giver.id)
    if spread:
        label = "🔀 " + _("Dividir em rodízio (%(n)s vendedores)") % {"n": spread}
        keyboard.insert(0, [button(label, ReassignSpread(giver.id))])
    text = _("%(name)s tem %(leads)s em aberto. Para quem eles vão?") % {
        "name": escape(giver.name),
        "leads": lead_count(count),
    }
    await say(update, text, markup(keyboard))


async def _pressed(update: Update, context: Context, run: Callable[[], reassign.Reassigned]) -> None:
    _ = context._
    await ack(update)
    try:
        if context.me.role != Role.MANAGER:
            raise NotAllowed("only managers")
        await _done(update, context, run(), edit=True)
    except NotAllowed:
        await say(update, _("Só gestores passam leads de um vendedor para outro."))
    except (rules.ReassignRefused, spreading.DeactivationRefused) as problem:
        await say(update, "⚠️ " + escape(context.problem_text(problem)))
    except LeadNotFound:
        await say(update, _("Esse lead não existe mais."))


async def offer_reassign_pressed(update: Update, context: Context) -> None:
    """🔁 Passar on the lead card: the same question as ``/passar N`` without a receiver."""
    action = OfferReassign.of(update)
    await ack(update)
    if context.me.role != Role.MANAGER:
        await say(update, context._("Só gestores passam leads de um vendedor para outro."))
        return
    try:
        await _one_lead(update, context, action.lead, "")
    except LeadNotFound:
        await say(update, context._("Esse lead não existe mais."))


async def reassign_lead_pressed(update: Update, context: Context) -> None:
    action = ReassignLead.of(update)
    await _pressed(
        update,
        context,
        lambda: reassign.reassign_lead(context.runtime, context.me, action.lead, action.member, via="chat"),
    )


async def reassign_open_pressed(update: Update, context: Context) -> None:
    action = ReassignOpen.of(update)
    await _pressed(
        update,
        context,
        lambda: reassign.reassign_open(context.runtime, context.me, action.owner, action.member, via="chat"),
    )


async def reassign_spread_pressed(update: Update, context: Context) -> None:
    action = ReassignSpread.of(update)
    await _pressed(
        update,
        context,
        lambda: reassign.reassign_open(context.runtime, context.me, action.owner, reassign.ROUND_ROBIN, via="chat"),
    )


async def _done(update: Update, context: Context, done: reassign.Reassigned, *, edit: bool = False) -> None:
    _ = context._
    names = ", ".join(escape(r.name) for r in done.receivers)
    if done.lead_id is not None:
        text = _("✅ Lead #%(n)s %(company)s passou de %(from)s para %(to)s.") % {
            "n": done.lead_id,
            "company": escape(done.company),
            "from": escape(done.previous.name),
            "to": names,
        }
    else:
        text = _("✅ Os leads abertos de %(from)s (%(n)s) passaram:") % {
            "from": escape(done.previous.name),
            "n": done.moved,
        }
        for receiver in done.receivers:
            text += "\n• " + _("%(leads)s para %(receiver)s") % {
                "leads": lead_count(receiver.leads),
                "receiver": escape(receiver.name),
            }
    text += "\n" + _("Lembretes que foram junto: %(n)s.") % {"n": done.reminders_moved}
    await say(update, text, edit=edit)
    nudge(context)  # the moved reminders now wait on their new owners
    await tell_parties(context.bot, done, skip=context.me.id)


async def tell_parties(bot: Bot, done: reassign.Reassigned, *, skip: int | None = None) -> None:
    """Tell the rep who gave the leads and each rep who received them, in their language."""
    for receiver in done.receivers:
        if receiver.member_id == skip:
            continue
        _ = gettext_for(receiver.language)
        if done.lead_id is not None:
            text = _("Você recebeu o lead #%(n)s %(company)s de %(name)s. Abra com /lead %(n)s.") % {
                "n": done.lead_id,
                "company": escape(done.company),
                "name": escape(done.previous.name),
            }
        else:
            text = _("Você recebeu %(leads)s de %(name)s. Veja em /leads.") % {
                "leads": lead_count(receiver.leads),
                "name": escape(done.previous.name),
            }
        await _tell(bot, receiver, text)
    previous = done.previous
    if previous.member_id == skip or not previous.telegram_id:
        return
    _ = gettext_for(previous.language)
    names = ", ".join(escape(r.name) for r in done.receivers)
    if done.lead_id is not None:
        text = _("O lead #%(n)s %(company)s passou para %(to)s.") % {
            "n": done.lead_id,
            "company": escape(done.company),
            "to": names,
        }
    else:
        text = _("Seus leads abertos (%(n)s) passaram para %(to)s.") % {"n": done.moved, "to": names}
    await _tell(bot, previous, text)


async def _tell(bot: Bot, party: reassign.Party, text: str) -> None:
    try:
        await bot.send_message(party.telegram_id, text, parse_mode=ParseMode.HTML)
    except TelegramError:  # they blocked the bot: the leads moved all the same
        log.warning("could not tell member %s about a reassignment", party.member_id, exc_info=True)


#: The buttons of this module, each with its handler (:mod:`bot.wiring` registers them).
BUTTONS = {
    OfferReassign: offer_reassign_pressed,
    ReassignLead: reassign_lead_pressed,
    ReassignOpen: reassign_open_pressed,
    ReassignSpread: reassign_spread_pressed,
}
