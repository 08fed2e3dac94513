"""Managers' sub-commands: ``cadencia import``, ``cadencia report``, ``cadencia export``.

They run as the server's operator (no Telegram member): every team member's data is visible,
and exports are audited with ``via=cli``. Dates are local days in the ``DEFAULT_TIMEZONE``
setting's zone (exported times are on its clock too), ``--to`` inclusive.
"""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from bot.cli.commands import cli_language
from bot.cli.failures import CommandFailed
from bot.cli.progress import ProgressBar
from bot.cli.runtime import cli_runtime
from bot.config import Settings
from bot.domain import numbers
from bot.domain.registry import CompanyDirectory
from bot.i18n import gettext_for

if TYPE_CHECKING:
    from bot.services.runtime import CliRuntime


def local_zone() -> str:
    """The zone of the CLI's days and exported times: the ``DEFAULT_TIMEZONE`` setting's."""
    return Settings().default_timezone


# ------------------------------------------------------------------------------ helpers


def _directory() -> CompanyDirectory | None:
    """The company directory of the settings (CNPJ facts for an import), as the bot would use."""
    from bot.services.company_directory import build_directory  # httpx loads only for an import

    return build_directory(Settings())


def parse_day(text: str) -> date:
    text = text.strip()
    try:
        day = numbers.parse_day_text(text)
    except numbers.InvalidNumber as exc:
        raise CommandFailed(str(exc)) from None
    if day is not None:
        return day
    raise CommandFailed(f"data '{text}' não reconhecida; use AAAA-MM-DD ou DD/MM/AAAA")


def day_start(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=ZoneInfo(local_zone())).astimezone(UTC)


def period(
    start: str | None, end: str | None, *, default_month: bool
) -> tuple[datetime | None, datetime | None]:
    today = datetime.now(ZoneInfo(local_zone())).date()
    first = parse_day(start) if start else (today.replace(day=1) if default_month else None)
    last = parse_day(end) if end else (today if default_month else None)
    if first and last and last < first:
        raise CommandFailed("--to é anterior a --from")
    return (
        day_start(first) if first else None,
        day_start(last + timedelta(days=1)) if last else None,
    )


def _rep_id(runtime: CliRuntime, text: str | None) -> int | None:
    if not text:
        return None
    from bot.services import team

    found = team.named(runtime, text)
    if found is None:
        raise CommandFailed(
            f"vendedor '{text}' não encontrado (use id, @usuário, id do Telegram ou nome)"
        )
    return found.id


# ------------------------------------------------------------------------------ commands


def _reason_labels(directory: Path | None) -> Any:
    """The playbook whose labels name steps, objections and reasons (None if it cannot be
    loaded: the report or export then shows their codes)."""
    from bot.services.playbooks import PlaybookError, load_checked_playbook

    try:
        return load_checked_playbook(directory or Settings().playbook_dir)
    except PlaybookError:
        return None


def report(args: argparse.Namespace) -> int:
    from bot.render import charts
    from bot.render.reports import render_cli
    from bot.services import reports

    language = cli_language(args)
    _ = gettext_for(language)
    runtime = cli_runtime()
    start, end = period(args.start, args.end, default_month=True)
    rep_id = _rep_id(runtime, args.rep)
    with runtime.reading() as session:
        result = reports.build_report(
            session,
            start=start,
            end=end,
            campaign=args.campaign,
            rep_id=rep_id,
            playbook_version=args.playbook_version,
            zone=local_zone(),
        )
    playbook = _reason_labels(args.playbook)
    print(render_cli(result, language=language, playbook=playbook, templates_dir=Settings().templates_dir))
    if args.charts:
        args.charts.mkdir(parents=True, exist_ok=True)
        funnel = args.charts / "funnel.png"
        ranking = args.charts / "ranking.png"
        economics = args.charts / "economics.png"
        funnel.write_bytes(charts.funnel_chart(result, language))
        ranking.write_bytes(charts.leaderboard_chart(result, language))
        economics.write_bytes(charts.economics_chart(result, language, playbook))
        drawn = _("gráficos")
        print(f"\n{drawn}: {funnel} {ranking} {economics}")
    return 0


def export(args: argparse.Namespace) -> int:
    from bot.services import exports
    from bot.services.views import ActivityFilter

    try:
        tables = exports.parse_what(args.what)
    except ValueError as exc:
        raise CommandFailed(str(exc)) from None
    runtime = cli_runtime()
    start, end = period(args.start, args.end, default_month=False)
    filters = ActivityFilter(start, end, args.campaign, _rep_id(runtime, args.rep), zone=local_zone())
    result = exports.export(
        runtime,
        what=tables,
        fmt=args.format,
        directory=args.output,
        filters=filters,
        via="cli",
        comma=args.comma,
        language=cli_language(args),
        playbook=_reason_labels(args.playbook),
    )
    print(result.message, result.zone_note)
    for path in result.files:
        print(f"  {path}")
    return 0


def import_leads(args: argparse.Namespace) -> int:
    from bot.services import imports
    from bot.services.playbooks import PlaybookError, load_checked_playbook

    if not args.file.exists():
        raise CommandFailed(f"arquivo {args.file} não existe")
    path = args.playbook or Settings().playbook_dir
    try:
        playbook = load_checked_playbook(path)
    except PlaybookError as exc:
        raise CommandFailed(f"o playbook em {path} tem {len(exc.issues)} problema(s)") from None
    runtime = cli_runtime()
    progress = ProgressBar(sys.stderr)
    try:
        assignment = imports.Assignment.parse(reps=args.reps, by_uf=args.by_uf, whole_team=True)
        result = imports.import_file(
            runtime,
            args.file,
            playbook=playbook,
            assignment=assignment,
            campaign=args.campaign,
            member_id=None,
            progress=progress,
            update=args.update,
            directory=_directory(),
        )
    except imports.ImportFailed as exc:
        progress.clear()
        raise CommandFailed(str(exc)) from None
    except BaseException:  # the failure's one line starts on a clean line
        progress.clear()
        raise
    progress.finish()
    target = args.rejected or args.file.with_name(result.rejected_filename)
    if result.rejected:
        target.write_bytes(result.rejected_csv())
    summary = result.summary(str(target))
    if result.updatable:
        summary += "\n(rode de novo com --update para completá-los)"
    print(summary)
    return 0  # the file was processed; rejected rows are in the summary and in their file
