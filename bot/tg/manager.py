"""Managers' commands in the chat: /relatorio, /exportar and lead import by sending a file.

Handlers stay thin: read the update → call a service (in a worker thread when it is long) →
reply. A rep may use /relatorio and /exportar for their own numbers and rows only (the
services enforce it); only managers import.

Arguments (Portuguese, in any order):
- period: ``7`` (last 7 days), ``semana``, ``mes`` (default), ``tudo``, or ``DD/MM/AAAA``
  [``DD/MM/AAAA``];
- ``campanha=Nome da campanha``; ``versao=1.2`` (playbook version); ``ranking`` (also the rep
  leaderboard chart);
- /exportar: ``toques`` ``leads`` ``etapas`` ``reunioes`` ``tudo``; ``xlsx`` or ``csv``;
  ``virgula`` for plain ``,`` CSV.
- file caption for imports: ``vendedores=ana,bruno`` ``uf=SP=ana,RJ=bruno``
  ``campanha=Nome``; without them the leads are shared round-robin among all active reps.
"""

from __future__ import annotations

import asyncio
import html
import logging
import re
import shutil
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from telegram import Message, Update
from telegram.constants import FileSizeLimit, ParseMode

from bot.domain.vocabulary import Role
from bot.services import exports, imports, reports
from bot.services.reports import NotAllowed
from bot.storage.reporting import ActivityFilter
from bot.tg.context import Context, say

log = logging.getLogger(__name__)

LOCAL = ZoneInfo("America/Sao_Paulo")
PROGRESS_SECONDS = 3.0
IMPORT_SUFFIXES = (".csv", ".txt", ".xlsx")


@dataclass
class Request:
    start: datetime | None
    end: datetime | None
    campaign: str | None = None
    version: str | None = None
    words: tuple[str, ...] = ()


def _day(text: str) -> date | None:
    for pattern in ("%d/%m/%Y", "%d/%m/%y", "%Y-%m-%d"):
        try:
            return datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    return None


def _midnight(day: date) -> datetime:
    return datetime.combine(day, datetime.min.time(), tzinfo=LOCAL).astimezone(UTC)


def parse_request(text: str, *, today: date, default: str = "mes") -> Request:
    """Read the arguments of /relatorio or /exportar (see the module docstring)."""
    keyed = dict(re.findall(r"(campanha|versao|versão)=(\"[^\"]*\"|\S+)", text, flags=re.I))
    rest = re.sub(r"(campanha|versao|versão)=(\"[^\"]*\"|\S+)", " ", text, flags=re.I)
    words = tuple(w.lower() for w in rest.split())
    days = [d for d in (_day(w) for w in words) if d is not None]
    period = next((w for w in words if w in {"semana", "mes", "mês", "tudo", "hoje"} or w.isdigit()),
                  default if not days else "")
    start: date | None
    end: date | None = today
    if days:
        start, end = days[0], days[-1] if len(days) > 1 else today
    elif period.isdigit():
        start = today - timedelta(days=max(int(period), 1) - 1)
    elif period == "semana":
        start = today - timedelta(days=today.weekday())
    elif period == "hoje":
        start = today
    elif period == "tudo":
        start = end = None
    else:
        start = today.replace(day=1)
    campaign = next((v for k, v in keyed.items() if k.lower() == "campanha"), None)
    version = next((v for k, v in keyed.items() if k.lower() != "campanha"), None)
    return Request(
        _midnight(start) if start else None,
        _midnight(end + timedelta(days=1)) if end else None,
        campaign.strip('"') if campaign else None,
        version.strip('"') if version else None,
        words,
    )


def _today() -> date:
    return datetime.now(LOCAL).date()


def _text_after_command(update: Update) -> str:
    message = update.effective_message
    text = (message.text or "") if message else ""
    return text.split(maxsplit=1)[1] if " " in text.strip() else ""


# ------------------------------------------------------------------------------ /relatorio


async def relatorio(update: Update, context: Context) -> None:
    """/relatorio [período] [campanha=…] [versao=…] [ranking]"""
    request = parse_request(_text_after_command(update), today=_today())
    runtime = context.runtime

    def build() -> reports.Report:
        with runtime.session() as session:
            return reports.report_for(
                session, context.me, start=request.start, end=request.end,
                campaign=request.campaign, playbook_version=request.version,
            )

    try:
        report = await asyncio.to_thread(build)
    except NotAllowed as exc:
        await say(update, html.escape(str(exc)))
        return
    await say(update, reports.render_chat(report))
    chat = update.effective_chat
    if chat is None or report.empty:
        return
    await chat.send_photo(await asyncio.to_thread(reports.funnel_chart, report))
    if "ranking" in request.words and context.me.role == Role.MANAGER:
        await chat.send_photo(await asyncio.to_thread(reports.leaderboard_chart, report))


# ------------------------------------------------------------------------------ /exportar


async def exportar(update: Update, context: Context) -> None:
    """/exportar [toques|leads|etapas|reunioes|tudo] [csv|xlsx] [virgula] [período] [campanha=…]"""
    request = parse_request(_text_after_command(update), today=_today(), default="tudo")
    words = [w for w in request.words if w in exports.ALIASES]
    try:
        tables = exports.parse_what(words or ["toques"])
    except ValueError as exc:
        await say(update, html.escape(str(exc)))
        return
    fmt = "xlsx" if "xlsx" in request.words or "excel" in request.words else "csv"
    filters = ActivityFilter(request.start, request.end, request.campaign, None, request.version)
    folder = Path(tempfile.mkdtemp(prefix="cadencia-export-"))
    try:
        await say(update, context._("Preparando a exportação…"))
        try:
            result = await asyncio.to_thread(
                exports.export_for, context.runtime.engine, context.me, what=tables, fmt=fmt,
                directory=folder, filters=filters, via="chat",
                comma="virgula" in request.words or "vírgula" in request.words,
                max_bytes=FileSizeLimit.FILESIZE_UPLOAD,
            )
        except NotAllowed as exc:
            await say(update, html.escape(str(exc)))
            return
        chat = update.effective_chat
        if chat is None:
            return
        await say(update, html.escape(result.message))
        for path in result.files:
            with path.open("rb") as handle:
                await chat.send_document(handle, filename=path.name)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


# ------------------------------------------------------------------------------ import


def _assignment(caption: str) -> tuple[imports.Assignment, str | None]:
    found = dict(
        (k.lower(), v.strip('"'))
        for k, v in re.findall(r"(vendedores|uf|campanha)=(\"[^\"]*\"|\S+)", caption, flags=re.I)
    )
    assignment = imports.Assignment.parse(reps=found.get("vendedores"), by_uf=found.get("uf"))
    return assignment, found.get("campanha")


async def on_document(update: Update, context: Context) -> None:
    """A manager sends a CSV/XLSX file: import its leads, with progress, and report."""
    message = update.effective_message
    document = message.document if message else None
    if message is None or document is None:
        return
    name = document.file_name or "leads.csv"
    if not name.lower().endswith(IMPORT_SUFFIXES):
        await say(update, context._("Para importar leads, envie uma planilha .csv ou .xlsx."))
        return
    if context.me.role != Role.MANAGER:
        await say(update, context._("Só gestores importam listas de leads."))
        return
    if (document.file_size or 0) > FileSizeLimit.FILESIZE_DOWNLOAD:
        await say(update, context._("O arquivo passa de 20 MB, o limite do Telegram para robôs. "
                                    "Divida a planilha ou use `cadencia import` no servidor."))
        return
    try:
        assignment, campaign = _assignment(message.caption or "")
        if not assignment.reps and not assignment.by_uf:
            reps = [m for m in await asyncio.to_thread(_team, context) if m.role == Role.REP]
            assignment.reps = [str(m.telegram_id) for m in reps]
    except imports.ImportFailed as exc:
        await say(update, html.escape(str(exc)))
        return
    raw = bytes(await (await document.get_file()).download_as_bytearray())
    status = await message.reply_text(context._("Importando %(name)s…") % {"name": name})
    progress = _Progress(status, asyncio.get_running_loop())
    try:
        result = await asyncio.to_thread(
            imports.import_bytes, context.runtime.engine, raw, name,
            playbook=context.runtime.playbook, assignment=assignment, campaign=campaign,
            member_id=context.me.id, progress=progress,
        )
    except imports.ImportFailed as exc:
        await status.edit_text(html.escape(str(exc)))
        return
    await status.edit_text(f"<pre>{html.escape(result.summary)}</pre>"[:4096], parse_mode=ParseMode.HTML)
    if result.problems and update.effective_chat is not None:
        await update.effective_chat.send_document(
            result.rejected_csv(), filename=f"{Path(name).stem}_rejeitadas.csv",
            caption=context._("Linhas não importadas, com o motivo na última coluna."),
        )


def _team(context: Context) -> list[Any]:
    from bot.services import team

    return team.team(context.runtime)


class _Progress:
    """Progress callback run in the import thread: edits the status message every few seconds."""

    def __init__(self, message: Message, loop: asyncio.AbstractEventLoop) -> None:
        self.message = message
        self.loop = loop
        self.last = 0.0

    def __call__(self, done: int, total: int) -> None:
        now = time.monotonic()
        if now - self.last < PROGRESS_SECONDS or done >= total:
            return
        self.last = now
        text = f"Importando… {done}/{total} linhas ({done * 100 // max(total, 1)}%)"
        future = asyncio.run_coroutine_threadsafe(self.message.edit_text(text), self.loop)
        future.add_done_callback(_log_failure)


def _log_failure(future: Any) -> None:
    if future.exception() is not None:
        log.debug("progress edit failed: %s", future.exception())
