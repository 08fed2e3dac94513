"""/exportar in the chat: the team's records as CSV or XLSX files, and the other format by button.

A manager exports everyone's rows; a rep only their own (the service re-checks it). Arguments:
:mod:`bot.tg.manager_args`. Registered with ``block=False`` (see :mod:`bot.wiring`): a big export
is written in a worker thread while the bot keeps answering.
"""

from __future__ import annotations

import asyncio
import shutil
import tempfile
from pathlib import Path
from typing import Any

from telegram import Update
from telegram.constants import FileSizeLimit

from bot.render.messages import escape
from bot.services import exports
from bot.services.runtime import Runtime
from bot.services.team import NotAllowed
from bot.services.views import ActivityFilter, MemberView
from bot.tg.callbacks import Verb, unpack
from bot.tg.context import Context, ack, say
from bot.tg.keyboards import button, markup
from bot.tg.manager_args import (
    PERIODS,
    Request,
    UnknownRep,
    filters_asked,
    is_days_or_date,
    moment,
    read_request,
    recall,
    refusal,
    remember,
    replace,
)

UPLOAD_LIMIT = int(FileSizeLimit.FILESIZE_UPLOAD)
"""50 MB: larger exports come back zipped or split, as :func:`exports.export` decides."""
SEND_PAUSE = 1.0
"""Seconds between the parts of a split export (about one message per second per chat)."""
UPLOAD_TIMEOUT = 300.0
EXPORT_KEY = "export_request"
EXPORT_OPTIONS = PERIODS - {"tudo"} | {"csv", "xlsx", "excel", "virgula", "vírgula"}


def _export_request(runtime: Runtime, request: Request, tables: list[str]) -> dict[str, Any]:
    comma = "virgula" in request.words or "vírgula" in request.words
    return {**filters_asked(runtime, request), "tables": tables, "comma": comma}


def _export(
    runtime: Runtime, member: MemberView, wanted: dict[str, Any], fmt: str, folder: Path, language: str
) -> exports.ExportResult:
    filters = ActivityFilter(
        moment(wanted["start"]),
        moment(wanted["end"]),
        wanted["campaign"],
        wanted["rep_id"],
        wanted["version"],
        zone=member.timezone,
    )
    return exports.export_for(
        runtime,
        member,
        what=wanted["tables"],
        fmt=fmt,
        directory=folder,
        filters=filters,
        via="chat",
        comma=bool(wanted["comma"]),
        max_bytes=UPLOAD_LIMIT,
        language=language,
        playbook=runtime.playbook,
    )


def _table_words(words: tuple[str, ...]) -> list[str]:
    """The words that must name tables: all but period, format and ``virgula`` (so a typo such as
    ``clientes`` is explained by :func:`exports.parse_what`, not silently ignored)."""
    return [w for w in words if w not in EXPORT_OPTIONS and not is_days_or_date(w)]


async def exportar(update: Update, context: Context) -> None:
    """/exportar [toques|leads|etapas|reunioes|tudo] [csv|xlsx] [virgula] [período] [campanha=…]"""
    try:
        request = read_request(update, context, default="tudo")
        tables = exports.parse_what(_table_words(request.words) or ["toques"])
        wanted = await asyncio.to_thread(_export_request, context.runtime, request, tables)
    except (ValueError, UnknownRep) as exc:
        await say(update, refusal(context, exc))
        return
    fmt = "xlsx" if {"xlsx", "excel"} & set(request.words) else "csv"
    await _send_export(update, context, wanted, fmt)


async def export_pressed(update: Update, context: Context) -> None:
    """The other format of the last export: ``ex:<token>:<csv|xlsx>``."""
    token, fmt = unpack(update.callback_query.data if update.callback_query else None, Verb.EXPORT, 2)
    wanted = recall(context, EXPORT_KEY, token)
    if wanted is None or fmt not in ("csv", "xlsx"):
        await ack(update, context._("Essa exportação é antiga. Peça /exportar de novo."), alert=True)
        return
    await ack(update)
    await _send_export(update, context, wanted, fmt)


async def _send_export(update: Update, context: Context, wanted: dict[str, Any], fmt: str) -> None:
    """Write the export in a worker thread (the service re-checks who may see which rows), then
    send its files; the status message becomes the service's sentence (zipped, split…)."""
    chat = update.effective_chat
    status = await say(update, context._("Preparando a exportação…"))
    folder = Path(tempfile.mkdtemp(prefix="cadencia-export-"))
    try:
        try:
            result = await asyncio.to_thread(_export, context.runtime, context.me, wanted, fmt, folder, context.lang)
        except NotAllowed as exc:
            await replace(update, status, refusal(context, exc))
            return
        token = remember(context, EXPORT_KEY, wanted)
        other = "csv" if fmt == "xlsx" else "xlsx"
        label = context._("📊 Em Excel (XLSX)") if other == "xlsx" else context._("📄 Em CSV")
        keyboard = markup([[button(label, Verb.EXPORT, token, other)]])
        await replace(update, status, escape(f"{result.message} {result.zone_note}"), keyboard)
        for number, path in enumerate(result.files):
            if number and SEND_PAUSE:
                await asyncio.sleep(SEND_PAUSE)
            if chat is not None:
                with path.open("rb") as handle:
                    await chat.send_document(handle, filename=path.name, write_timeout=UPLOAD_TIMEOUT)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
