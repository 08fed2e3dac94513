"""/economia (/economics): the unit economics of a period in the chat, with the CAC × LTV chart.

The same arguments as /relatorio (:mod:`bot.tg.manager_args`: period, ``campanha=``,
``vendedor=``; a rep sees only their own numbers) and the same figures as the report's "Economia"
part (:mod:`bot.services.unit_economics`), here with every figure's inputs and the chart of CAC and
LTV per segment.
"""

from __future__ import annotations

import asyncio

from telegram import Update

from bot.domain import numbers
from bot.render import charts
from bot.render.reports import render_chat
from bot.services import reports
from bot.services.runtime import Runtime
from bot.services.team import NotAllowed
from bot.services.views import MemberView
from bot.tg.context import Context, say
from bot.tg.manager_args import Request, UnknownRep, read_request, refusal, rep_id


def _report(runtime: Runtime, member: MemberView, request: Request) -> reports.Report:
    rep = rep_id(runtime, request.rep)
    with runtime.reading() as session:
        return reports.report_for(
            session, member, start=request.start, end=request.end, campaign=request.campaign, rep_id=rep
        )


async def economia(update: Update, context: Context) -> None:
    """/economia [período] [campanha=…] [vendedor=…]"""
    try:
        request = read_request(update, context, default="mes")
        report = await asyncio.to_thread(_report, context.runtime, context.me, request)
    except (NotAllowed, UnknownRep, numbers.InvalidNumber) as exc:
        await say(update, refusal(context, exc))
        return
    playbook = context.runtime.playbook
    text = render_chat(
        report,
        language=context.lang,
        playbook=playbook,
        templates_dir=context.renderer.templates_dir,
        template="economics_chat.html",
    )
    await say(update, text)
    ue = report.unit_economics(playbook.economics)
    if ue is not None and ue.segments and update.effective_chat is not None:
        png = await asyncio.to_thread(charts.economics_chart, report, context.lang, playbook)
        await update.effective_chat.send_photo(png, filename="economia.png")
