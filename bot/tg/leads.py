"""/leads, /lead and the lead card buttons."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from telegram import InlineKeyboardButton, Update

from bot.domain import numbers
from bot.domain.paging import ListKey
from bot.domain.vocabulary import Stage, Tier
from bot.domain.worklist import BadSelection, LeadFilter, UnknownFilter, read_filter
from bot.i18n import N_, when
from bot.render.messages import escape
from bot.services import leads, worklist
from bot.tg.callbacks import BadCallback, OpenLead, ShowIcp, Verb, as_id, as_page, unpack
from bot.tg.cards import icp_card, lead_card, stage_name
from bot.tg.context import Context, ack, say
from bot.tg.keyboards import button, markup, rows

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


def filter_token(flt: LeadFilter) -> str:
    """A /leads filter in callback data: ``open``, ``open.tA``, ``all.tB.c<campaign token>``."""
    token = flt.kind
    if flt.tier:
        token += ".t" + flt.tier
    if flt.campaign:
        token += ".c" + worklist.campaign_token(flt.campaign)
    return token


def _filter_of(context: Context, token: str) -> LeadFilter:
    """The filter a button names (an unknown list is ``all``; a campaign gone is dropped)."""
    kind, *parts = token.split(".")
    tier = next((p[1:] for p in parts if p[:1] == "t" and p[1:] in Tier._value2member_map_), None)
    wanted = next((p[1:] for p in parts if p[:1] == "c"), None)
    campaign = worklist.campaign_of_token(context.runtime, wanted) if wanted else None
    return LeadFilter(kind if kind in leads.LEAD_FILTERS else "all", tier, campaign)


def _title(context: Context, flt: LeadFilter) -> str:
    title = context._(TITLES[flt.kind]) if flt.kind in TITLES else stage_name(context, flt.kind)
    if flt.tier:
        title += f" · tier {flt.tier}"  # the same word in Portuguese and English
    if flt.campaign:
        title += " · " + flt.campaign
    return title


async def _show_page(
    update: Update,
    context: Context,
    flt: LeadFilter,
    page: int = 0,
    *,
    after: ListKey | None = None,
    before: ListKey | None = None,
    edit: bool,
) -> None:
    member = context.me
    result = leads.list_leads(
        context.runtime,
        member,
        flt=flt.kind,
        page=page,
        after=after,
        before=before,
        tier=flt.tier,
        campaign=flt.campaign,
    )
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
    text = context.render("lead_list.html", title=_title(context, flt), page=result, items=items)
    open_buttons = [button(f"#{lead.id} {lead.company}", OpenLead(lead.id or 0)) for lead in result.leads]
    token = filter_token(flt)
    paging = []
    if result.has_previous:
        paging.append(_page_button("⬅️", token, result.page - 1, "b", result.first_key))
    if result.has_next:
        paging.append(_page_button("➡️", token, result.page + 1, "a", result.last_key))
    filters_row = [
        _page_button(
            ("• " if f == flt.kind else "") + context._(label), filter_token(replace(flt, kind=f)), 0, "", None
        )
        for label, f in FILTER_BUTTONS
    ]
    await say(update, text, markup(rows(open_buttons, 1), [paging], rows(filters_row, 4)), edit=edit)


async def list_command(update: Update, context: Context) -> None:
    """/leads [hoje|abertos|etapa|ganhos|perdidos] [tier A] [campanha NOME]"""
    try:
        flt = read_filter(context.args or [])
        if flt.campaign:
            flt = replace(flt, campaign=worklist.resolve_campaign(context.runtime, flt.campaign))
    except (UnknownFilter, BadSelection) as problem:
        await say(update, "⚠️ " + escape(context.problem_text(problem)))
        return
    await _show_page(update, context, flt, edit=False)


async def page_pressed(update: Update, context: Context) -> None:
    """◀ ▶ and the filter buttons: ``pg:<filter>:<page>:<a|b><key>``, ``pg:<filter>:<page>:-``
    (a first page); ``pg:<filter>:<page>`` of older messages shows the first page."""
    data = update.callback_query.data if update.callback_query else None
    try:
        token, page, where = unpack(data, Verb.PAGE, 3)
    except BadCallback:
        (token, page), where = unpack(data, Verb.PAGE, 2), "-"
    way, key = where[:1], _key(where[1:]) if where[:1] in ("a", "b") else None
    await ack(update)
    await _show_page(
        update,
        context,
        _filter_of(context, token),
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
        found = worklist.search_leads(context.runtime, context.me, query)
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
