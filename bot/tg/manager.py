"""Managers' commands in the chat: /relatorio, /exportar and lead import by sending a file.

Handlers stay thin: read the update → call a service (in a worker thread when it is long) →
reply. They are registered with ``block=False`` (see :mod:`bot.wiring`), so a 50,000-row import
or a big export runs while the bot keeps answering everyone else.

Who may do what (the services enforce it too):

- /relatorio: a manager sees the team (or one rep with ``vendedor=``); a rep sees only their own
  numbers, and asking for someone else's is refused. The rep leaderboard is for managers.
- /exportar: a manager exports everyone's rows; a rep only their own.
- importing a file: managers only (there is no LDR role); a rep sending a file gets a short no.

Arguments (Portuguese, in any order):

- period: ``7`` (last 7 days), ``semana``, ``mes`` (default), ``hoje``, ``tudo``, or
  ``DD/MM/AAAA`` [``DD/MM/AAAA``];
- ``campanha=Nome da campanha``; ``versao=1.2`` (playbook version); ``vendedor=ana``;
  ``ranking`` (also the rep leaderboard chart; there is a button for it too);
- /exportar: ``toques`` ``leads`` ``etapas`` ``reunioes`` ``tudo``; ``xlsx`` or ``csv``;
  ``virgula`` for plain ``,`` CSV;
- file caption for imports: ``vendedores=ana,bruno`` ``uf=SP=ana,RJ=bruno``
  ``campanha=Nome``; without them the leads are shared round-robin among the active reps.
"""

from __future__ import annotations

import asyncio
import logging
import re
import secrets
import shutil
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, tzinfo
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from telegram import Message, Update
from telegram.constants import FileSizeLimit, ParseMode
from telegram.error import TelegramError
from telegram.ext import Application

from bot.domain import numbers, regions
from bot.domain.registry import MarketFilter
from bot.domain.vocabulary import Role, Tier
from bot.i18n import gettext_for
from bot.render import charts
from bot.render.messages import escape
from bot.render.reports import render_chat
from bot.services import exports, imports, market, prospect, reports, team
from bot.services.runtime import Runtime
from bot.services.team import NotAllowed
from bot.services.views import ActivityFilter, MemberView
from bot.tg.callbacks import Verb, unpack
from bot.tg.context import RUNTIME, Context, ack, say, typed_text
from bot.tg.keyboards import button, markup

log = logging.getLogger(__name__)

PROGRESS_SECONDS = 1.5
"""At most one progress edit per this many seconds (Telegram allows about one message a second)."""
IMPORT_SUFFIXES = (".csv", ".txt", ".xlsx")
UPLOAD_LIMIT = int(FileSizeLimit.FILESIZE_UPLOAD)
"""50 MB: larger exports come back zipped or split, as :func:`exports.export` decides."""
DOWNLOAD_LIMIT = int(FileSizeLimit.FILESIZE_DOWNLOAD)
"""20 MB: the largest file a bot may download."""
SEND_PAUSE = 1.0
"""Seconds between the parts of a split export (about one message per second per chat)."""
UPLOAD_TIMEOUT = 300.0
MAX_SUMMARY = 4000
REPORT_KEY = "report_request"
EXPORT_KEY = "export_request"
IMPORT_KEY = "import_update"
PERIODS = frozenset({"semana", "mes", "mês", "tudo", "hoje"})
EXPORT_OPTIONS = PERIODS - {"tudo"} | {"csv", "xlsx", "excel", "virgula", "vírgula"}
_KEYED = re.compile(r"(campanha|versao|versão|vendedor)=(\"[^\"]*\"|\S+)", flags=re.I)


@dataclass
class Request:
    start: datetime | None
    end: datetime | None
    campaign: str | None = None
    version: str | None = None
    words: tuple[str, ...] = ()
    rep: str | None = None
    """``vendedor=`` as typed (a name, @username or id); resolved against the team."""


def _day(text: str) -> date | None:
    """A ``DD/MM/AAAA`` word; :class:`numbers.InvalidNumber` if it is shaped like one but impossible."""
    return numbers.parse_day_text(text)


def _is_days_or_date(word: str) -> bool:
    """Days (``7``, also ``²`` to refuse it) or a date: period words that are no table's name."""
    return numbers.digit_like(word) or _day_shaped(word)


def _day_shaped(word: str) -> bool:
    try:
        return numbers.parse_day_text(word) is not None
    except numbers.InvalidNumber:
        return True


def _midnight(day: date, zone: tzinfo) -> datetime:
    return datetime.combine(day, datetime.min.time(), tzinfo=zone).astimezone(UTC)


def parse_request(text: str, *, today: date, zone: tzinfo, default: str = "mes") -> Request:
    """Read the arguments of /relatorio or /exportar (see the module docstring); days start at
    midnight in ``zone`` (the asking member's).

    :class:`numbers.InvalidNumber` for a period that cannot be: ``²``, ``99999999999`` days, ``31/02/2026``,
    a year outside 2000–2100."""
    keyed = {k.lower().replace("ã", "a"): v.strip('"') for k, v in _KEYED.findall(text)}
    words = tuple(w.lower() for w in _KEYED.sub(" ", text).split())
    days = [d for d in (_day(w) for w in words) if d is not None]
    period = next((w for w in words if w in PERIODS or numbers.digit_like(w)), default if not days else "")
    start: date | None
    end: date | None = today
    if days:
        start, end = days[0], days[-1] if len(days) > 1 else today
    elif numbers.digit_like(period):
        start = today - timedelta(days=numbers.parse_days(period) - 1)
    elif period == "semana":
        start = today - timedelta(days=today.weekday())
    elif period == "hoje":
        start = today
    elif period == "tudo":
        start = end = None
    else:
        start = today.replace(day=1)
    return Request(
        _midnight(start, zone) if start else None,
        _midnight(end + timedelta(days=1), zone) if end else None,
        keyed.get("campanha") or None,
        keyed.get("versao") or None,
        words,
        keyed.get("vendedor") or None,
    )


def _request(update: Update, context: Context, *, default: str) -> Request:
    """The command's arguments; :class:`numbers.InvalidNumber` for an impossible period."""
    text = typed_text(update)
    args = text.split(maxsplit=1)[1] if len(text.split(maxsplit=1)) > 1 else ""
    zone = ZoneInfo(context.me.timezone)
    return parse_request(args, today=context.runtime.now().astimezone(zone).date(), zone=zone, default=default)


class UnknownRep(Exception):
    """``vendedor=`` names nobody on the team."""


def _rep_id(runtime: Runtime, name: str | None) -> int | None:
    if name is None:
        return None
    found = team.named(runtime, name)
    if found is None:
        raise UnknownRep(name)
    return found.id


def _remember(context: Context, key: str, values: dict[str, Any]) -> str:
    """Keep what a button under the answer will need; the token ties the button to it."""
    token = secrets.token_hex(4)
    if context.user_data is not None:
        context.user_data[key] = {**values, "token": token}
    return token


def _recall(context: Context, key: str, token: str) -> dict[str, Any] | None:
    stored = (context.user_data or {}).get(key)
    return stored if isinstance(stored, dict) and stored.get("token") == token else None


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def _moment(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


def _refusal(context: Context, exc: Exception) -> str:
    if isinstance(exc, UnknownRep):
        return context._("Não encontrei %(name)s no time.") % {"name": escape(str(exc)[:60])}
    if isinstance(exc, NotAllowed):  # its sentence is marked N_() where it is raised
        return escape(context._(str(exc)))
    return escape(context.problem_text(exc))


# ------------------------------------------------------------------------------ /relatorio


def _build_report(runtime: Runtime, member: MemberView, wanted: dict[str, Any]) -> reports.Report:
    with runtime.reading() as session:
        return reports.report_for(
            session,
            member,
            start=_moment(wanted["start"]),
            end=_moment(wanted["end"]),
            campaign=wanted["campaign"],
            rep_id=wanted["rep_id"],
            playbook_version=wanted["version"],
        )


def _report_request(runtime: Runtime, request: Request) -> dict[str, Any]:
    return {
        "start": _iso(request.start),
        "end": _iso(request.end),
        "campaign": request.campaign,
        "version": request.version,
        "rep_id": _rep_id(runtime, request.rep),
    }


async def relatorio(update: Update, context: Context) -> None:
    """/relatorio [período] [campanha=…] [versao=…] [vendedor=…] [ranking]"""
    manager = context.me.role == Role.MANAGER
    try:
        request = _request(update, context, default="mes")
        wanted = await asyncio.to_thread(_report_request, context.runtime, request)
        report = await asyncio.to_thread(_build_report, context.runtime, context.me, wanted)
    except (NotAllowed, UnknownRep, numbers.InvalidNumber) as exc:
        await say(update, _refusal(context, exc))
        return
    token = _remember(context, REPORT_KEY, wanted)
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
    wanted = _recall(context, REPORT_KEY, token)
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


# ------------------------------------------------------------------------------ /exportar


def _export_request(runtime: Runtime, request: Request, tables: list[str]) -> dict[str, Any]:
    return {
        "start": _iso(request.start),
        "end": _iso(request.end),
        "campaign": request.campaign,
        "version": request.version,
        "rep_id": _rep_id(runtime, request.rep),
        "tables": tables,
        "comma": "virgula" in request.words or "vírgula" in request.words,
    }


def _export(
    runtime: Runtime, member: MemberView, wanted: dict[str, Any], fmt: str, folder: Path, language: str
) -> exports.ExportResult:
    filters = ActivityFilter(
        _moment(wanted["start"]), _moment(wanted["end"]), wanted["campaign"], wanted["rep_id"], wanted["version"],
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
    return [w for w in words if w not in EXPORT_OPTIONS and not _is_days_or_date(w)]


async def exportar(update: Update, context: Context) -> None:
    """/exportar [toques|leads|etapas|reunioes|tudo] [csv|xlsx] [virgula] [período] [campanha=…]"""
    try:
        request = _request(update, context, default="tudo")
        tables = exports.parse_what(_table_words(request.words) or ["toques"])
        wanted = await asyncio.to_thread(_export_request, context.runtime, request, tables)
    except (ValueError, UnknownRep) as exc:
        await say(update, _refusal(context, exc))
        return
    fmt = "xlsx" if {"xlsx", "excel"} & set(request.words) else "csv"
    await _send_export(update, context, wanted, fmt)


async def export_pressed(update: Update, context: Context) -> None:
    """The other format of the last export: ``ex:<token>:<csv|xlsx>``."""
    token, fmt = unpack(update.callback_query.data if update.callback_query else None, Verb.EXPORT, 2)
    wanted = _recall(context, EXPORT_KEY, token)
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
            await _replace(update, status, _refusal(context, exc))
            return
        token = _remember(context, EXPORT_KEY, wanted)
        other = "csv" if fmt == "xlsx" else "xlsx"
        label = context._("📊 Em Excel (XLSX)") if other == "xlsx" else context._("📄 Em CSV")
        keyboard = markup([[button(label, Verb.EXPORT, token, other)]])
        await _replace(update, status, escape(f"{result.message} {result.zone_note}"), keyboard)
        for number, path in enumerate(result.files):
            if number and SEND_PAUSE:
                await asyncio.sleep(SEND_PAUSE)
            if chat is not None:
                with path.open("rb") as handle:
                    await chat.send_document(handle, filename=path.name, write_timeout=UPLOAD_TIMEOUT)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


async def _replace(update: Update, status: Message | None, text: str, keyboard: Any = None) -> None:
    if status is None:
        await say(update, text, keyboard)
    else:
        await status.edit_text(text, parse_mode=ParseMode.HTML, reply_markup=keyboard)


# ------------------------------------------------------------------------------ import


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
        token = _remember(
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
    wanted = _recall(context, IMPORT_KEY, token)
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
        await _replace(update, status, failed % {"name": escape(name)})
        return
    try:
        later = await asyncio.to_thread(_import, context, raw, name, str(wanted["caption"]), None, rows)
    except imports.ImportFailed as exc:
        reason = context._("Não atualizei %(name)s: %(reason)s") % {"name": name, "reason": exc}
        await _replace(update, status, escape(reason))
        return
    counts = imports.ImportCounts(*[int(n) for n in wanted["counts"]]).after_update(len(rows), later)
    lines = counts.lines(name) + [f"  linha {p.row}: {p.reason}" for p in later.rejected[:10]]
    await _replace(update, status, f"<pre>{_cut(escape(chr(10).join(lines)))}</pre>")
    await _told(context.runtime, later)


async def _told(runtime: Runtime, result: imports.ImportResult) -> None:
    """The manager has the summary: a restart from now on has nothing to tell about this import."""
    if result.batch_id is not None:
        await asyncio.to_thread(imports.mark_told, runtime.engine, result.batch_id)


async def tell_unfinished_imports(application: Application) -> None:
    """At start: every import the last run did not finish was undone (one transaction, never
    committed) — its manager is told to send the file again; an import that finished just before
    the stop, without its summary reaching the manager, is told as finished, with its counts."""
    runtime: Runtime = application.bot_data[RUNTIME]
    unreported = await asyncio.to_thread(imports.recover, runtime.engine, now=runtime.now())
    if not unreported:
        return
    members = {m.id: m for m in await asyncio.to_thread(team.team, runtime)}
    for item in unreported:
        member = members.get(item.member_id)
        if member is None:  # left the team meanwhile: nobody to tell
            await asyncio.to_thread(imports.mark_told, runtime.engine, item.batch_id)
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
        await asyncio.to_thread(imports.mark_told, runtime.engine, item.batch_id)


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
        runtime.engine,
        raw,
        name,
        playbook=runtime.playbook,
        assignment=assignment,
        campaign=campaign,
        member_id=context.me.id,
        progress=progress,
        now=runtime.now(),
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


# ------------------------------------------------------------------------------ /mercado


def _market_words(words: list[str]) -> tuple[MarketFilter, list[str], str | None]:
    """``SP PR 62 A limite=50 campanha=X`` → (filter, the other words, the first word not understood)."""
    ufs: list[str] = []
    prefixes: list[str] = []
    others: list[str] = []
    for word in words:
        value = word.split("=", 1)[-1]
        if "=" in word or value.upper() in ("A", "B", "C"):
            others.append(word)
        elif value.isdigit() and 2 <= len(value) <= 7:
            prefixes.append(value)
        else:
            try:
                ufs.append(regions.parse_uf(value).code)
            except regions.InvalidUf:
                return MarketFilter(), others, word[:40]
    return MarketFilter(ufs=tuple(dict.fromkeys(ufs)), cnae_prefixes=tuple(dict.fromkeys(prefixes))), others, None


async def mercado(update: Update, context: Context) -> None:
    """/mercado [UFs] [prefixos de CNAE]: the market the loaded registry gives for the ICP (managers)."""
    _ = context._
    if context.me.role != Role.MANAGER:
        await say(update, _("O tamanho do mercado é só para gestores."))
        return
    what, _others, wrong = _market_words(" ".join(context.args or []).replace(",", " ").split())
    if wrong is not None:
        log.info("/mercado: refused %r", wrong)
        await say(
            update,
            escape(_("Não entendi '%(word)s'. Exemplo: /mercado SP PR 62 (UFs e o começo do CNAE).") % {"word": wrong}),
        )
        return
    try:
        size = await asyncio.to_thread(market.market_size, context.runtime, what)
    except market.NoRegistry:
        await say(
            update,
            _("Nenhum registro da Receita carregado. No servidor: <code>cadencia registry load</code> (README)."),
        )
        return
    await say(update, escape(market.market_text(size, context.lang)))
    if size.fitting and update.effective_chat is not None:
        png = await asyncio.to_thread(market.market_chart, size, context.lang)
        await update.effective_chat.send_photo(png, filename="mercado.png")


# ------------------------------------------------------------------------------ /prospectar

PROSPECT_KEY = "prospect"
PROSPECT_CHAT_LIMIT = 500


async def prospectar(update: Update, context: Context) -> None:
    """/prospectar [A B C] [UFs] [CNAE] [limite=N] [campanha=…]: a simulation of the list, with a
    button that creates those leads for the team's reps in turn (managers)."""
    _ = context._
    if context.me.role != Role.MANAGER:
        await say(update, _("Montar listas do registro é só para gestores."))
        return
    what, others, wrong = _market_words(" ".join(context.args or []).replace(",", " ").split())
    tiers = tuple(dict.fromkeys(Tier(w.upper()) for w in others if w.upper() in ("A", "B", "C"))) or (Tier.A,)
    options = {k.lower(): v for k, _eq, v in (w.partition("=") for w in others if "=" in w)}
    limit = numbers.read_int(options.pop("limite", options.pop("limit", "50")), 1, PROSPECT_CHAT_LIMIT)
    campaign = options.pop("campanha", options.pop("campaign", ""))[:100]
    if wrong is not None or limit is None or options:
        log.info("/prospectar: refused %r", wrong or options or "limit")
        await say(
            update,
            escape(
                _("Não entendi. Exemplo: /prospectar A B SP PR 62 limite=50 campanha=Registro (limite até %(n)s).")
                % {"n": PROSPECT_CHAT_LIMIT}
            ),
        )
        return
    try:
        found = await asyncio.to_thread(
            prospect.prospect, context.runtime, what, tiers=tiers, limit=limit, campaign=campaign, dry_run=True
        )
    except market.NoRegistry:
        await say(
            update,
            _("Nenhum registro da Receita carregado. No servidor: <code>cadencia registry load</code> (README)."),
        )
        return
    lines = [
        _("Simulação: %(n)s empresas ativas que cabem (tier %(tiers)s) e ainda não são leads.")
        % {"n": len(found.picked), "tiers": ", ".join(t.value for t in tiers)},
        _("Examinadas %(seen)s; já eram leads %(leads)s; eliminadas %(ko)s; de outro tier %(other)s.")
        % {"seen": found.examined, "leads": found.already_leads, "ko": found.knocked_out, "other": found.other_tier},
    ]
    lines += [
        f"• {c.legal_name[:60]} — {c.uf or '?'} — {r.tier.value} {r.score}" for c, r in found.picked[: prospect.SAMPLE]
    ]
    keyboard = None
    if found.picked:
        wanted = {"ufs": list(what.ufs), "cnaes": list(what.cnae_prefixes), "tiers": [t.value for t in tiers]}
        token = _remember(context, PROSPECT_KEY, {**wanted, "limit": limit, "campaign": campaign})
        label = "✅ " + _("Criar %(n)s leads (vendedores em rodízio)") % {"n": len(found.picked)}
        keyboard = markup([[button(label, Verb.PROSPECT, token)]])
    await say(update, escape("\n".join(lines)), keyboard)


async def prospect_pressed(update: Update, context: Context) -> None:
    """✅ under a /prospectar simulation: create the leads (the list is picked again, now)."""
    (token,) = unpack(update.callback_query.data if update.callback_query else None, Verb.PROSPECT, 1)
    wanted = _recall(context, PROSPECT_KEY, token)
    if context.me.role != Role.MANAGER:
        await ack(update, context._("Montar listas do registro é só para gestores."), alert=True)
        return
    if wanted is None:
        await ack(update, context._("Essa simulação é antiga. Peça /prospectar de novo."), alert=True)
        return
    await ack(update)
    assert context.user_data is not None
    context.user_data.pop(PROSPECT_KEY, None)  # one press, one list
    what = MarketFilter(ufs=tuple(wanted["ufs"]), cnae_prefixes=tuple(wanted["cnaes"]))
    try:
        found = await asyncio.to_thread(
            prospect.prospect,
            context.runtime,
            what,
            tiers=tuple(Tier(t) for t in wanted["tiers"]),
            limit=int(wanted["limit"]),
            campaign=str(wanted["campaign"]),
            member_id=context.me.id,
        )
    except (market.NoRegistry, imports.ImportFailed) as exc:
        log.warning("/prospectar could not create the leads: %s", exc)
        await say(update, escape(context._("Não consegui criar os leads: %(why)s") % {"why": str(exc)[:200]}))
        return
    created = found.imported.counts.imported if found.imported is not None else 0
    await say(update, escape(context._("Leads criados: %(n)s.") % {"n": created}))
