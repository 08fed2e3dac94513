"""/economia (/economics): the unit economics of a period in the chat, with the CAC × LTV chart.

The same arguments as /relatorio (period, ``campanha=``, ``vendedor=``; a rep sees only their own
numbers) and the same figures as the report's "Economia" part (:mod:`bot.services.unit_economics`),
here with every figure's inputs and the chart of CAC and LTV per segment.
"""

from __future__ import annotations

import asyncio
from zoneinfo import ZoneInfo

from telegram import Update

from bot.domain import numbers
from bot.render import charts
from bot.render.reports import render_economics_chat
from bot.services import reports, team
from bot.services.runtime import Runtime
from bot.services.team import NotAllowed
from bot.services.views import MemberView
from bot.tg.context import Context, say, typed_text
from bot.tg.manager import Request, parse_request


def _report(runtime: Runtime, member: MemberView, request: Request) -> reports.Report | str:
    rep_id = None
    if request.rep is not None:
        found = team.named(runtime.engine, request.rep)
        if found is None:
            return "rep"
        rep_id = found.id
    with runtime.reading() as session:
        return reports.report_for(
            session, member, start=request.start, end=request.end, campaign=request.campaign, rep_id=rep_id
        )


async def economia(update: Update, context: Context) -> None:
    """/economia [período] [campanha=…] [vendedor=…]"""
    text = typed_text(update)
    args = text.split(maxsplit=1)[1] if len(text.split(maxsplit=1)) > 1 else ""
    zone = ZoneInfo(context.me.timezone)
    try:
        request = parse_request(args, today=context.runtime.now().astimezone(zone).date(), zone=zone)
        report = await asyncio.to_thread(_report, context.runtime, context.me, request)
    except NotAllowed as refused:
        await say(update, context._(str(refused)))
        return
    except numbers.InvalidNumber as problem:
        await say(update, context.problem_text(problem))
        return
    if isinstance(report, str):
        await say(update, context._("Não encontrei %(name)s no time.") % {"name": (request.rep or "")[:60]})
        return
    playbook = context.runtime.playbook
    await say(
        update,
        render_economics_chat(
            report, language=context.lang, playbook=playbook, templates_dir=context.renderer.templates_dir
        ),
    )
    ue = report.unit_economics(playbook.economics)
    if ue is not None and ue.segments and update.effective_chat is not None:
        png = await asyncio.to_thread(charts.economics_chart, report, context.lang, playbook)
        await update.effective_chat.send_photo(png, filename="economia.png")
