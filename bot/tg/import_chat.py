"""Importing leads by sending a file in the chat (managers), with progress, the 🔄 button that
fills in stored leads from the same file, and the start-up word about imports a stop cut short.

A rep sending a file gets a short no (there is no LDR role). The file's caption may say
``vendedores=ana,bruno`` ``uf=SP=ana,RJ=bruno`` ``campanha=Nome``; without them the leads are
shared round-robin among the active reps. Registered with ``block=False`` (see :mod:`bot.wiring`):
a 50,000-row import runs in a worker thread while the bot keeps answering everyone else.
"""

from __future__ import annotations

import asyncio
import logging
import re
import time
from concurrent.futures import Future
from typing import Any

from telegram import Message, Update
from telegram.constants import FileSizeLimit, ParseMode
from telegram.error import TelegramError
from telegram.ext import Application

from bot.domain.vocabulary import Role
from bot.i18n import gettext_for
from bot.render.messages import escape
from bot.services import imports, team
from bot.services.runtime import Runtime
from bot.tg.callbacks import Verb, unpack
from bot.tg.context import RUNTIME, Context, ack, say
from bot.tg.keyboards import button, markup
from bot.tg.manager_args import recall, remember, replace

log = logging.getLogger(__name__)

PROGRESS_SECONDS = 1.5
"""At most one progress edit per this many seconds (Telegram allows about one message a second)."""
IMPORT_SUFFIXES = (".csv", ".txt", ".xlsx")
DOWNLOAD_LIMIT = int(FileSizeLimit.FILESIZE_DOWNLOAD)
"""20 MB: the largest file a bot may download."""
MAX_SUMMARY = 4000
IMPORT_KEY = "import_update"


def _assignment(caption: str) -> tuple[imports.Assignment, str | None]:
    """From the file's caption; without a rep choice, round-robin among active, unpaused reps."""
    found = {
        k.lower(): v.strip('"')
        for k, v in re.findall(r"(vendedores|uf|campanha)=(\"[^\"]*\"|\S+)", caption, flags=re.I)
    }
    assignment = imports.Assignment.parse(reps=found.get("vendedores"), by_uf=found.get("uf"), whole_team=True)
    return assignment, found.get("campanha")


def _refuse_document(context: Context, name: str, size: int) -> str | None:
    """Why this file will not be imported, before downloading it; None when it may be."""
    if context.me.role != Role.MANAGER:
        return context._("Só gestores importam listas de leads.")
    if not name.lower().endswith(IMPORT_SUFFIXES):
        return context._("Para importar leads, envie uma planilha .csv ou .xlsx.")
    if size > DOWNLOAD_LIMIT:
        return context._(
            "O arquivo passa de 20 MB, o limite do Telegram para robôs. "
            "Divida a planilha ou use <code>cadencia import</code> no servidor."
        )
    return None


async def on_document(update: Update, context: Context) -> None:
    """A manager sends a CSV/XLSX file: import its leads in a worker thread, with progress.

    When rows had the CNPJ of leads already stored, a button offers to fill in what those leads
    are missing (:func:`import_update_pressed`)."""
    message = update.effective_message
    document = message.document if message else None
    if message is None or document is None:
        return
    name = (document.file_name or "leads.csv")[:200]
    refusal = _refuse_document(context, name, document.file_size or 0)
    if refusal is not None:
        await say(update, refusal)
        return
    try:
        raw = bytes(await (await document.get_file()).download_as_bytearray())
    except (TelegramError, OSError):
        log.warning("could not download %s", name, exc_info=True)
        failed = context._("Não consegui baixar %(name)s do Telegram; envie o arquivo de novo.")
        await say(update, failed % {"name": escape(name)})
        return
    status = await message.reply_text(context._("Importando %(name)s…") % {"name": name})
    progress = _Progress(status, asyncio.get_running_loop(), context._("Importando… %(done)s/%(total)s linhas"))
    caption = message.caption or ""
    try:
        result = await asyncio.to_thread(_import, context, raw, name, caption, progress)
    except imports.ImportFailed as exc:
        await progress.settle()
        reason = context._("Não importei %(name)s: %(reason)s") % {"name": name, "reason": exc}
        await status.edit_text(escape(reason), parse_mode=ParseMode.HTML)
        return
    await progress.settle()
    keyboard = None
    if result.updatable:
        counts = result.counts
        token = remember(
            context,
            IMPORT_KEY,
            {
                "file_id": document.file_id,
                "name": name,
                "caption": caption,
                "rows": result.updatable,
                "counts": [counts.total, counts.imported, counts.updated, counts.duplicates, counts.rejected],
            },
        )
        label = context._("🔄 Atualizar os %(n)s existentes") % {"n": len(result.updatable)}
        keyboard = markup([[button(label, Verb.IMPORT_UPDATE, token)]])
    await status.edit_text(
        f"<pre>{_cut(escape(result.summary()))}</pre>", parse_mode=ParseMode.HTML, reply_markup=keyboard
    )
    await _told(context.runtime, result)
    if result.rejected and update.effective_chat is not None:
        await update.effective_chat.send_document(
            result.rejected_csv(),
            filename=result.rejected_filename,
            caption=context._("Linhas rejeitadas, com o motivo na última coluna."),
        )


async def import_update_pressed(update: Update, context: Context) -> None:
    """🔄 under an import summary: the rows that matched stored leads by CNPJ fill in what those
    leads are missing (never a known value, owner or stage), and the summary gets the new counts."""
    (token,) = unpack(update.callback_query.data if update.callback_query else None, Verb.IMPORT_UPDATE, 1)
    wanted = recall(context, IMPORT_KEY, token)
    if context.me.role != Role.MANAGER or wanted is None:
        await ack(update, context._("Essa importação é antiga. Envie a planilha de novo."), alert=True)
        return
    await ack(update)
    if context.user_data is not None:
        context.user_data.pop(IMPORT_KEY, None)  # one update per import: a second tap has nothing to do
    name, rows = str(wanted["name"]), [int(r) for r in wanted["rows"]]
    status = await say(update, context._("Atualizando os leads existentes de %(name)s…") % {"name": escape(name)})
    try:
        raw = bytes(await (await context.bot.get_file(str(wanted["file_id"]))).download_as_bytearray())
    except (TelegramError, OSError):
        log.warning("could not download %s again", name, exc_info=True)
        failed = context._("Não consegui baixar %(name)s do Telegram; envie o arquivo de novo.")
        await replace(update, status, failed % {"name": escape(name)})
        return
    try:
        later = await asyncio.to_thread(_import, context, raw, name, str(wanted["caption"]), None, rows)
    except imports.ImportFailed as exc:
        reason = context._("Não atualizei %(name)s: %(reason)s") % {"name": name, "reason": exc}
        await replace(update, status, escape(reason))
        return
    counts = imports.ImportCounts(*[int(n) for n in wanted["counts"]]).after_update(len(rows), later)
    lines = counts.lines(name) + [f"  linha {p.row}: {p.reason}" for p in later.rejected[:10]]
    await replace(update, status, f"<pre>{_cut(escape(chr(10).join(lines)))}</pre>")
    await _told(context.runtime, later)


async def _told(runtime: Runtime, result: imports.ImportResult) -> None:
    """The manager has the summary: a restart from now on has nothing to tell about this import."""
    if result.batch_id is not None:
        await asyncio.to_thread(imports.mark_told, runtime, result.batch_id)


async def tell_unfinished_imports(application: Application) -> None:
    """At start: every import the last run did not finish was undone (one transaction, never
    committed) — its manager is told to send the file again; an import that finished just before
    the stop, without its summary reaching the manager, is told as finished, with its counts."""
    runtime: Runtime = application.bot_data[RUNTIME]
    unreported = await asyncio.to_thread(imports.recover, runtime)
    if not unreported:
        return
    members = {m.id: m for m in await asyncio.to_thread(team.team, runtime)}
    for item in unreported:
        member = members.get(item.member_id)
        if member is None:  # left the team meanwhile: nobody to tell
            await asyncio.to_thread(imports.mark_told, runtime, item.batch_id)
            continue
        _ = gettext_for(member.language)
        if item.undone:
            text = escape(
                _("A importação de %(name)s foi interrompida e desfeita; mande de novo.") % {"name": item.filename}
            )
        else:
            done = _("A importação de %(name)s foi concluída.") % {"name": item.filename}
            text = escape(done) + f"\n<pre>{escape(chr(10).join(item.counts.lines(item.filename)))}</pre>"
        try:
            await application.bot.send_message(member.telegram_id, text, parse_mode=ParseMode.HTML)
        except TelegramError:  # told at the next start instead
            log.warning("could not tell member %s how import %s ended", member.id, item.batch_id, exc_info=True)
            continue
        await asyncio.to_thread(imports.mark_told, runtime, item.batch_id)


def _cut(text: str) -> str:
    """At most MAX_SUMMARY characters, cut at a line end (never inside an entity)."""
    return text if len(text) <= MAX_SUMMARY else text[:MAX_SUMMARY].rsplit("\n", 1)[0] + "\n…"


def _import(
    context: Context,
    raw: bytes,
    name: str,
    caption: str,
    progress: _Progress | None,
    update_rows: list[int] | None = None,
) -> imports.ImportResult:
    runtime = context.runtime
    assignment, campaign = _assignment(caption)
    return imports.import_bytes(
        runtime,
        raw,
        name,
        playbook=runtime.playbook,
        assignment=assignment,
        campaign=campaign,
        member_id=context.me.id,
        progress=progress,
        directory=runtime.directory,
        update=update_rows is not None,
        only_rows=update_rows,
    )


class _Progress:
    """Progress callback run in the import thread: edits the status message at most once every
    ``PROGRESS_SECONDS`` and never while the previous edit is still on its way, so a late edit
    cannot overwrite the final summary (:meth:`settle` waits for the last one)."""

    def __init__(self, message: Message, loop: asyncio.AbstractEventLoop, template: str) -> None:
        self.message = message
        self.loop = loop
        self.template = template
        self.last = 0.0
        self.pending: Future[Any] | None = None
        self.edits = 0

    def __call__(self, done: int, total: int) -> None:
        now = time.monotonic()
        if now - self.last < PROGRESS_SECONDS or done >= total:
            return
        if self.pending is not None and not self.pending.done():
            return
        self.last = now
        self.edits += 1
        text = self.template % {"done": done, "total": total} + f" ({done * 100 // max(total, 1)}%)"
        self.pending = asyncio.run_coroutine_threadsafe(self.message.edit_text(text), self.loop)
        self.pending.add_done_callback(_log_failure)

    async def settle(self) -> None:
        if self.pending is not None and not self.pending.done():
            await asyncio.wait([asyncio.wrap_future(self.pending)])


def _log_failure(future: Future[Any]) -> None:
    if not future.cancelled() and future.exception() is not None:
        log.debug("progress edit failed: %s", future.exception())
