"""/relatorio in the chat: the funnel and its chart, and 🏆 the rep leaderboard under it.

A manager sees the team (or one rep with ``vendedor=``); a rep sees only their own numbers, and
asking for someone else's is refused (the service enforces it too). The rep leaderboard is for
managers. Arguments: :mod:`bot.tg.manager_args`. Registered with ``block=False`` (see
:mod:`bot.wiring`): the report is built in a worker thread while the bot keeps answering.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from telegram import Update

from bot.domain import numbers
from bot.domain.vocabulary import Role
from bot.render import charts
from bot.render.reports import render_chat
from bot.services import reports
from bot.services.runtime import Runtime
from bot.services.team import NotAllowed
from bot.services.views import MemberView
from bot.tg.callbacks import Verb, unpack
from bot.tg.context import Context, ack, say
from bot.tg.keyboards import button, markup
from bot.tg.manager_args import UnknownRep, filters_asked, moment, read_request, recall, refusal, remember

REPORT_KEY = "report_request"


def _build_report(runtime: Runtime, member: MemberView, wanted: dict[str, Any]) -> reports.Report:
    with runtime.reading() as session:
        return reports.report_for(
            session,
            member,
            start=moment(wanted["start"]),
            end=moment(wanted["end"]),
            campaign=wanted["campaign"],
            rep_id=wanted["rep_id"],
            playbook_version=wanted["version"],
            now=runtime.now(),
        )


async def relatorio(update: Update, context: Context) -> None:
    """/relatorio [período] [campanha=…] [versao=…] [vendedor=…] [ranking]"""
    manager = context.me.role == Role.MANAGER
    try:
        request = read_request(update, context, default="mes")
        wanted = await asyncio.to_thread(filters_asked, context.runtime, request)
        report = await asyncio.to_thread(_build_report, context.runtime, context.me, wanted)
    except (NotAllowed, UnknownRep, numbers.InvalidNumber) as exc:
        await say(update, refusal(context, exc))
        return
    token = remember(context, REPORT_KEY, wanted)
    ranking = button(context._("🏆 Ranking dos vendedores"), Verb.REPORT, token, "rank")
    text = render_chat(
        report, language=context.lang, playbook=context.runtime.playbook, templates_dir=context.renderer.templates_dir
    )
    await say(update, text, markup([[ranking]]) if manager and not report.empty else None)
    if not report.empty:
        await _send_chart(update, context, charts.funnel_chart, report)
    if "ranking" in request.words and not manager:
        await say(update, context._("O ranking da equipe é só para gestores; acima estão os seus números."))
    elif "ranking" in request.words and not report.empty:
        await _send_chart(update, context, charts.leaderboard_chart, report)


async def report_pressed(update: Update, context: Context) -> None:
    """🏆 under a report: the rep leaderboard for the same filters (managers only)."""
    token, _what = unpack(update.callback_query.data if update.callback_query else None, Verb.REPORT, 2)
    wanted = recall(context, REPORT_KEY, token)
    if context.me.role != Role.MANAGER:
        await ack(update, context._("O ranking da equipe é só para gestores."), alert=True)
    elif wanted is None:
        await ack(update, context._("Esse relatório é antigo. Peça /relatorio de novo."), alert=True)
    else:
        await ack(update)
        report = await asyncio.to_thread(_build_report, context.runtime, context.me, wanted)
        await _send_chart(update, context, charts.leaderboard_chart, report)


async def _send_chart(
    update: Update, context: Context, draw: Callable[[reports.Report, str], bytes], report: reports.Report
) -> None:
    if update.effective_chat is not None:
        png = await asyncio.to_thread(draw, report, context.lang)
        await update.effective_chat.send_photo(png, filename="grafico.png")
