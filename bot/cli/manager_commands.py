"""Managers' sub-commands: ``cadencia import``, ``cadencia report``, ``cadencia export``.

They run as the server's operator (no Telegram member): every team member's data is visible,
and exports are audited with ``via=cli``. Dates are local days (America/Sao_Paulo), ``--to``
inclusive.
"""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Engine

from bot.cli.commands import CommandFailed, cli_language
from bot.config import Settings
from bot.domain import numbers
from bot.domain.registry import CompanyDirectory
from bot.i18n import gettext_for
from bot.storage.db import DatabaseUnavailable, make_engine, session_scope, upgrade_database

LOCAL_ZONE = ZoneInfo("America/Sao_Paulo")


def register(sub: Any) -> None:
    imp = sub.add_parser("import", help="import leads from a CSV or XLSX file")
    imp.add_argument("file", type=Path, help="CSV (; or ,, UTF-8 or Latin-1) or XLSX")
    imp.add_argument(
        "--reps",
        help="round-robin among these reps (names, @usernames or ids, comma-separated); "
        "default: every active rep who is not paused",
    )
    imp.add_argument(
        "--by-uf", dest="by_uf", help="assign by state, e.g. 'SP=ana,RJ=bruno,*=carla'"
    )
    imp.add_argument("--campaign", help="campaign for rows without one")
    imp.add_argument("--playbook", type=Path, help="playbook directory (default: PLAYBOOK_DIR)")
    imp.add_argument(
        "--rejected", type=Path, help="where to write rejected rows (default: FILE_rejeitadas.csv)"
    )
    imp.add_argument(
        "--update",
        action="store_true",
        help="rows with the CNPJ of an existing lead fill in what it is missing (never overwrite)",
    )
    imp.set_defaults(handler=import_leads)

    from bot.cli import team_commands

    team_commands.register(sub)

    rep = sub.add_parser("report", help="funnel, rates, A/B and adoption for a period")
    _filters(rep)
    rep.add_argument("--playbook-version", dest="playbook_version")
    rep.add_argument(
        "--charts", type=Path, metavar="DIR", help="also write funnel.png and ranking.png here"
    )
    rep.add_argument("--playbook", type=Path, help="playbook whose labels name the reasons (default: PLAYBOOK_DIR)")
    rep.set_defaults(handler=report)

    exp = sub.add_parser("export", help="export touches, leads, stage changes or meetings")
    exp.add_argument(
        "what", nargs="+", help="toques|leads|etapas|reunioes|tudo (English names work too)"
    )
    exp.add_argument("--format", choices=("csv", "xlsx"), default="csv")
    exp.add_argument("--comma", action="store_true", help="plain CSV: ',' and no BOM")
    _filters(exp)
    exp.add_argument("-o", "--output", type=Path, default=Path("."), help="directory (default: .)")
    exp.add_argument(
        "--playbook", type=Path, help="playbook whose labels name steps and reasons (default: PLAYBOOK_DIR)"
    )
    exp.set_defaults(handler=export)


def _filters(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--from", dest="start", help="first day, YYYY-MM-DD or DD/MM/YYYY")
    parser.add_argument("--to", dest="end", help="last day (inclusive)")
    parser.add_argument("--campaign")
    parser.add_argument("--rep", help="a rep: id, @username, Telegram id or name")


# ------------------------------------------------------------------------------ helpers


def _engine() -> Engine:
    try:
        engine = make_engine(Settings().database_url)
        upgrade_database(engine)
    except DatabaseUnavailable as exc:
        raise CommandFailed(exc.message_pt) from None
    return engine


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
    return datetime.combine(day, time(0), tzinfo=LOCAL_ZONE).astimezone(UTC)


def period(
    start: str | None, end: str | None, *, default_month: bool
) -> tuple[datetime | None, datetime | None]:
    today = datetime.now(LOCAL_ZONE).date()
    first = parse_day(start) if start else (today.replace(day=1) if default_month else None)
    last = parse_day(end) if end else (today if default_month else None)
    if first and last and last < first:
        raise CommandFailed("--to é anterior a --from")
    return (
        day_start(first) if first else None,
        day_start(last + timedelta(days=1)) if last else None,
    )


def _rep_id(engine: Engine, text: str | None) -> int | None:
    if not text:
        return None
    from bot.services import team

    found = team.named(engine, text)
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
    from bot.services import reports

    language = cli_language(args)
    _ = gettext_for(language)
    engine = _engine()
    start, end = period(args.start, args.end, default_month=True)
    rep_id = _rep_id(engine, args.rep)
    with session_scope(engine) as session:
        result = reports.build_report(
            session,
            start=start,
            end=end,
            campaign=args.campaign,
            rep_id=rep_id,
            playbook_version=args.playbook_version,
        )
    print(
        reports.render_cli(
            result,
            language=language,
            playbook=_reason_labels(args.playbook),
            templates_dir=Settings().templates_dir,
        )
    )
    if args.charts:
        args.charts.mkdir(parents=True, exist_ok=True)
        funnel = args.charts / "funnel.png"
        ranking = args.charts / "ranking.png"
        funnel.write_bytes(reports.funnel_chart(result, language))
        ranking.write_bytes(reports.leaderboard_chart(result, language))
        charts = _("gráficos")
        print(f"\n{charts}: {funnel} {ranking}")
    return 0


def export(args: argparse.Namespace) -> int:
    from bot.services import exports
    from bot.storage.reporting import ActivityFilter

    try:
        tables = exports.parse_what(args.what)
    except ValueError as exc:
        raise CommandFailed(str(exc)) from None
    engine = _engine()
    start, end = period(args.start, args.end, default_month=False)
    filters = ActivityFilter(start, end, args.campaign, _rep_id(engine, args.rep))
    result = exports.export(
        engine,
        what=tables,
        fmt=args.format,
        directory=args.output,
        filters=filters,
        via="cli",
        comma=args.comma,
        language=cli_language(args),
        playbook=_reason_labels(args.playbook),
    )
    print(result.message)
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
    engine = _engine()

    def progress(done: int, total: int) -> None:
        if sys.stderr.isatty():
            print(f"\r{done}/{total} linhas", end="", file=sys.stderr, flush=True)

    try:
        assignment = imports.Assignment.parse(reps=args.reps, by_uf=args.by_uf, whole_team=True)
        result = imports.import_file(
            engine,
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
        raise CommandFailed(str(exc)) from None
    if sys.stderr.isatty():
        print(file=sys.stderr)
    target = args.rejected or args.file.with_name(result.rejected_filename)
    if result.rejected:
        target.write_bytes(result.rejected_csv())
    summary = result.summary(str(target))
    if result.updatable:
        summary += "\n(rode de novo com --update para completá-los)"
    print(summary)
    return 0  # the file was processed; rejected rows are in the summary and in their file
