"""The manager report as people read it: ``templates/report_chat.html`` and ``report_cli.txt``.

The report's numbers come from :mod:`bot.services.reports` (a ``Report``, passed in as it is:
this layer sits below the services and does not import them); its charts are drawn by
:mod:`bot.render.charts`. Here they get words instead of
codes — stage, channel, reason labels, "semana de 30/11" — numbers formatted in the reader's
language (pt-BR or en), and the templates, rendered with the catalog of that language, lay
them out: HTML for the chat (≤ 4096 characters, cut at a line) and plain-text tables for the
terminal, whose columns are as wide as their words (never cut mid-word).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any

import jinja2
from babel.dates import format_date

from bot.domain.labels import label, week_of
from bot.i18n import LOCALES, N_, Gettext, gettext_for
from bot.resources import bundled_dir

CHAT_LIMIT = 4096
NO_CAMPAIGN = N_("(sem campanha)")
NO_REASON = N_("(sem motivo)")


# ------------------------------------------------------------------------------ numbers


_SWAP = str.maketrans(",.", ".,")


def _decimal_comma(text: str, language: str) -> str:
    """Swap "," and "." for Portuguese (1,234.5 → 1.234,5)."""
    if language == "en":
        return text
    return text.translate(_SWAP)


def integer(value: int, language: str = "pt") -> str:
    return _decimal_comma(f"{value:,}", language)


def percent(value: float | None, language: str = "pt") -> str:
    return "—" if value is None else _decimal_comma(f"{value * 100:,.1f}%", language)


def decimal(value: float | None, digits: int = 1, language: str = "pt") -> str:
    return "—" if value is None else _decimal_comma(f"{value:,.{digits}f}", language)


def points(value: float, language: str = "pt") -> str:
    """A difference of two rates in percentage points: "+1,5 p.p." / "+1.5 pp"."""
    unit = "pp" if language == "en" else "p.p."
    return f"{_decimal_comma(f'{value * 100:+.1f}', language)} {unit}"


def day_text(day: date, language: str) -> str:
    if language == "en":
        return str(format_date(day, "MMM d, yyyy", locale=LOCALES["en"]))
    return day.strftime("%d/%m/%Y")


def period_text(f: Any, zone: Any, language: str = "pt", _: Gettext | None = None) -> str:
    """The report's period as days of the team's time zone: "01/11/2026 a 30/11/2026"."""
    _ = _ or gettext_for(language)

    def local(moment: datetime) -> date:
        return moment.astimezone(zone).date()

    start = day_text(local(f.start), language) if f.start else _("início")
    end = day_text(local(f.end - timedelta(microseconds=1)), language) if f.end else _("hoje")
    return _("%(start)s a %(end)s") % {"start": start, "end": end}


def week_text(iso_week: str, language: str, _: Gettext) -> str:
    """"2026-W49" → "semana de 30/11" / "week of Nov 30" (the week's Monday)."""
    year, week = iso_week.split("-W")
    return week_of(date.fromisocalendar(int(year), int(week), 1), language, _)


# ------------------------------------------------------------------------------ tables


def table(headers: list[str], rows: list[list[str]], indent: str = "", left: int = 1) -> str:
    """A plain-text table: each column as wide as its widest cell or header (nothing cut);
    the first ``left`` columns (words) left-aligned, the others (numbers) right-aligned."""
    widths = [len(h) for h in headers]
    for r in rows:
        widths = [max(w, len(cell)) for w, cell in zip(widths, r, strict=True)]

    def line(cells: list[str]) -> str:
        return indent + "  ".join(
            cell.ljust(w) if i < left else cell.rjust(w) for i, (cell, w) in enumerate(zip(cells, widths, strict=True))
        ).rstrip()

    return "\n".join([line(headers), line(["-" * w for w in widths]), *(line(r) for r in rows)])


# ------------------------------------------------------------------------------ rendering


class Reasons:
    """Loss and no-show reason codes and script ids → the playbook's labels and titles (codes
    it does not know, such as those of an older version, stay as they are)."""

    def __init__(self, playbook: Any | None = None) -> None:
        self.playbook = playbook

    def loss(self, code: str | None) -> str | None:
        found = self.playbook.loss_reason(code) if self.playbook is not None and code else None
        return found.label if found is not None else code

    def no_show(self, code: str | None) -> str | None:
        found = self.playbook.no_show_reason(code) if self.playbook is not None and code else None
        return found.label if found is not None else code

    def script(self, code: str) -> str:
        found = self.playbook.scripts.get(code) if self.playbook is not None else None
        return str(found.title) if found is not None else code


@cache
def _environment(templates_dir: Path, html: bool) -> jinja2.Environment:
    """Templates from ``templates_dir`` (TEMPLATES_DIR), else the bundled ones: a team's own
    folder made before the report had templates still gets a report."""
    return jinja2.Environment(
        loader=jinja2.ChoiceLoader(
            [jinja2.FileSystemLoader(str(templates_dir)), jinja2.FileSystemLoader(str(bundled_dir("templates")))]
        ),
        undefined=jinja2.StrictUndefined,
        autoescape=html,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=False,
        auto_reload=False,
    )


def _values(report: Any, language: str, playbook: Any | None) -> dict[str, Any]:
    """What both templates are given: the report, words for its codes, number formats."""
    _ = gettext_for(language)
    reasons = Reasons(playbook)

    def campaign(name: str) -> str:
        return name or _(NO_CAMPAIGN)

    def rep_name(rep_id: int) -> str:
        return str(report.rep_names.get(rep_id, f"#{rep_id}"))

    return {
        "_": _,
        "lang": language,
        "r": report,
        "period": period_text(report.filter, report.zone, language, _),
        "stage": lambda code: label("stage", code, _) if code else "?",
        "channel": lambda code: label("channel", code, _),
        "loss_reason": lambda code: reasons.loss(code) or _(NO_REASON),
        "no_show_reason": lambda code: reasons.no_show(code) or _(NO_REASON),
        "script": reasons.script,
        "campaign": campaign,
        "rep_name": rep_name,
        "week": lambda iso: week_text(iso, language, _),
        "verdict": lambda experiment: experiment.verdict_in(_),
        "int": lambda value: integer(value, language),
        "pct": lambda value: percent(value, language),
        "dec": lambda value, digits=1: decimal(value, digits, language),
        "pp": lambda value: points(value, language),
        "table": table,
        **_economics(report, language, playbook, _),
    }


def _economics(report: Any, language: str, playbook: Any | None, _: Gettext) -> dict[str, Any]:
    from bot.render.economics import economics_values  # it formats numbers with this module's helpers

    return economics_values(report, language, playbook, _)


def render_chat(
    report: Any,
    *,
    language: str = "pt",
    playbook: Any | None = None,
    templates_dir: Path | None = None,
    limit: int = CHAT_LIMIT,
    template: str = "report_chat.html",
) -> str:
    """Short HTML for Telegram in ``language`` (``report_chat.html``, or ``economics_chat.html``
    for /economia; escaped, ≤ ``limit`` characters, the tail cut at a line if needed). ``playbook``
    names the reasons and scripts; ``templates_dir`` is the team's own folder (TEMPLATES_DIR), the
    bundled templates otherwise."""
    found = _environment(templates_dir or bundled_dir("templates"), True).get_template(template)
    text = found.render(**_values(report, language, playbook)).strip()
    if len(text) > limit:
        text = text[: limit - 2].rsplit("\n", 1)[0] + "\n…"
    return text


def render_cli(
    report: Any,
    *,
    language: str = "pt",
    playbook: Any | None = None,
    templates_dir: Path | None = None,
) -> str:
    """Plain-text tables for the terminal in ``language`` (``report_cli.txt``): every metric,
    nothing cut."""
    template = _environment(templates_dir or bundled_dir("templates"), False).get_template("report_cli.txt")
    return template.render(**_values(report, language, playbook)).strip("\n")

