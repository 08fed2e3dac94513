"""/leads, /lead and the lead card buttons."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from telegram import InlineKeyboardButton, Update

from bot.domain import numbers
from bot.domain.paging import ListKey
from bot.domain.text import fold
from bot.domain.vocabulary import Stage
from bot.i18n import N_, when
from bot.render.messages import escape
from bot.services import leads
from bot.tg.callbacks import BadCallback, OpenLead, ShowIcp, Verb, as_id, as_page, unpack
from bot.tg.cards import icp_card, lead_card, stage_name
from bot.tg.context import Context, ack, say
from bot.tg.keyboards import button, markup, rows

FILTER_ALIASES = {
    "hoje": "due",
    "today": "due",
    "vencidos": "due",
    "due": "due",
    "abertos": "open",
    "open": "open",
    "todos": "all",
    "all": "all",
    "novos": "new",
    "cadencia": "prospecting",
    "conectados": "connected",
    "reuniao": "meeting_booked",
    "reunioes": "meeting_booked",
    "proposta": "proposal_sent",
    "ganhos": "won",
    "perdidos": "lost",
}
FILTER_BUTTONS = (
    (N_("Todos"), "all"),
    (N_("Vencidos"), "due"),
    (N_("Abertos"), "open"),
    (N_("Reunião"), "meeting_booked"),
)
TITLES = {"all": N_("Seus leads"), "due": N_("Vencidos e de hoje"), "open": N_("Leads abertos")}


EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
MICROSECOND = timedelta(microseconds=1)
MAX_MICROS = (datetime.max.replace(tzinfo=UTC) - EPOCH) // MICROSECOND


def _key_text(key: ListKey) -> str:
    """A lead's place in a list, for callback data: ``42`` or, by due date, ``42.1795600000000000``
    (the moment in microseconds since the epoch)."""
    if key.moment is None:
        return str(key.id)
    return f"{key.id}.{(key.moment - EPOCH) // MICROSECOND}"


def _key(text: str) -> ListKey:
    lead_id, _, micros = text.partition(".")
    if not micros:
        return ListKey(as_id(lead_id))
    moment = numbers.read_int(micros, 0, MAX_MICROS)
    if moment is None:
        raise BadCallback(text[:20])
    return ListKey(as_id(lead_id), EPOCH + moment * MICROSECOND)


def _page_button(label: str, flt: str, page: int, way: str, key: ListKey | None) -> InlineKeyboardButton:
    """``pg:<filter>:<page>:<a|b><key>`` (the page after or before that lead) or ``pg:<filter>:0:-``."""
    page = min(page, numbers.MAX_PAGE)  # the number shown; the key says which leads
    return button(label, Verb.PAGE, flt, page, "-" if key is None else way + _key_text(key))


async def _show_page(
    update: Update,
    context: Context,
    flt: str,
    page: int = 0,
    *,
    after: ListKey | None = None,
    before: ListKey | None = None,
    edit: bool,
) -> None:
    member = context.me
    result = leads.list_leads(context.runtime, member, flt=flt, page=page, after=after, before=before)
    items = [
        {
            "id": lead.id,
            "company": lead.company,
            "stage": stage_name(context, lead.stage),
            "tier": lead.icp_tier,
            "due": when(lead.step_due_at, context.lang, member.timezone)
            if lead.step_due_at and lead.stage not in (Stage.WON, Stage.LOST)
            else None,
        }
        for lead in result.leads
    ]
    title = context._(TITLES[flt]) if flt in TITLES else stage_name(context, flt)
    text = context.render("lead_list.html", title=title, page=result, items=items)
    open_buttons = [button(f"#{lead.id} {lead.company}", OpenLead(lead.id or 0)) for lead in result.leads]
    paging = []
    if result.has_previous:
        paging.append(_page_button("⬅️", flt, result.page - 1, "b", result.first_key))
    if result.has_next:
        paging.append(_page_button("➡️", flt, result.page + 1, "a", result.last_key))
    filters_row = [
        _page_button(("• " if f == flt else "") + context._(label), f, 0, "", None) for label, f in FILTER_BUTTONS
    ]
    await say(update, text, markup(rows(open_buttons, 1), [paging], rows(filters_row, 4)), edit=edit)


async def list_command(update: Update, context: Context) -> None:
    """/leads [hoje|abertos|etapa]"""
    args = context.args or []
    word = fold(args[0]) if args else "all"
    flt = FILTER_ALIASES.get(word, word if word in leads.LEAD_FILTERS else "all")
    await _show_page(update, context, flt, edit=False)


async def page_pressed(update: Update, context: Context) -> None:
    """◀ ▶ and the filter buttons: ``pg:<filter>:<page>:<a|b><key>``, ``pg:<filter>:<page>:-``
    (a first page); ``pg:<filter>:<page>`` of older messages shows the first page."""
    data = update.callback_query.data if update.callback_query else None
    try:
        flt, page, where = unpack(data, Verb.PAGE, 3)
    except BadCallback:
        (flt, page), where = unpack(data, Verb.PAGE, 2), "-"
    if flt not in leads.LEAD_FILTERS:
        flt = "all"
    way, key = where[:1], _key(where[1:]) if where[:1] in ("a", "b") else None
    await ack(update)
    await _show_page(
        update,
        context,
        flt,
        as_page(page),
        after=key if way == "a" else None,
        before=key if way == "b" else None,
        edit=True,
    )


async def open_command(update: Update, context: Context) -> None:
    """/lead 42 or /lead padaria central"""
    query = " ".join(context.args or []).strip()
    if not query:
        await say(update, context._("Diga qual lead: /lead 42 ou /lead nome da empresa."))
        return
    if len(query) > 100:
        await say(update, context._("Nome longo demais para buscar. Use o número do lead ou parte do nome."))
        return
    try:
        found = leads.find_leads(context.runtime, context.me, query)
    except numbers.InvalidNumber as problem:
        await say(update, escape(context.problem_text(problem)))
        return
    if not found:
        await say(
            update,
            context._("Nenhum lead encontrado para '%(q)s'. Veja os seus em /leads.") % {"q": escape(query)},
        )
        return
    if len(found) == 1:
        text, keyboard = lead_card(context, found[0])
        await say(update, text, keyboard)
        return
    buttons = [button(f"#{lead.id} {lead.company}", OpenLead(lead.id or 0)) for lead in found]
    await say(update, context._("Encontrei vários. Qual deles?"), markup(rows(buttons, 1)))


async def lead_pressed(update: Update, context: Context) -> None:
    lead = leads.get_lead(context.runtime, context.me, OpenLead.of(update).lead)
    await ack(update)
    text, keyboard = lead_card(context, lead)
    await say(update, text, keyboard)


async def icp_pressed(update: Update, context: Context) -> None:
    lead = leads.get_lead(context.runtime, context.me, ShowIcp.of(update).lead)
    await ack(update)
    text, keyboard = icp_card(context, lead)
    await say(update, text, keyboard)
