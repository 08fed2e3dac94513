"""The report in words, not codes: pt-BR and English, chat and terminal."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import Session

from bot.domain.vocabulary import Channel, Outcome, Stage
from bot.render.reports import render_chat, render_cli
from bot.services import reports
from bot.services.reports import build_report
from tests.services.activity import T0, Activity

START = T0 + timedelta(days=10)
END = T0 + timedelta(days=70)
CODES = {c.value for c in (*Stage, *Channel, *Outcome)}
LOSS_LABELS = {"no_budget": "Sem orçamento agora", "competitor": "Fechou com concorrente", "no_fit": "Fora do perfil"}
NO_SHOW_LABELS = {"forgot": "Esqueceu a reunião", "conflict": "Conflito de agenda"}


@dataclass
class _Reason:
    label: str


@dataclass
class _Script:
    title: str


class ReasonBook:
    """The part of a playbook the report asks: reason id → label ("timing" is unknown to it),
    script id → title."""

    scripts = {"call_opening": _Script("Ligação de abertura")}

    def loss_reason(self, code: str) -> _Reason | None:
        return _Reason(LOSS_LABELS[code]) if code in LOSS_LABELS else None

    def no_show_reason(self, code: str) -> _Reason | None:
        return _Reason(NO_SHOW_LABELS[code]) if code in NO_SHOW_LABELS else None


@pytest.fixture(scope="module")
def report(activity_db: tuple[Path, Activity]) -> reports.Report:
    from bot.storage.db import make_engine

    engine = make_engine(f"sqlite:///{activity_db[0]}")
    with Session(engine) as session:
        built = build_report(session, start=START, end=END)
    engine.dispose()
    return built


def words(text: str) -> set[str]:
    """The tokens of a rendered text (tags removed), as a reader would see them."""
    return set(re.findall(r"[\w-]+", re.sub(r"<[^>]+>", " ", text)))


def codes_in(text: str, language: str = "pt") -> set[str]:
    """Internal codes in a rendered text; in English, "lost" is also the word of "companies lost"."""
    codes = CODES - {"lost"} if language == "en" else CODES
    return {code for code in codes if re.search(rf"(?<![\w-]){re.escape(code)}(?![\w-])", text)} | (
        {"True", "False"} & words(text)
    )


@pytest.mark.parametrize("language", ["pt", "en"])
def test_no_code_reaches_the_reader(report: reports.Report, language: str) -> None:
    assert report.losses and report.no_shows.reasons and report.adoption.weeks
    for text in (
        render_chat(report, language=language, playbook=ReasonBook()),
        render_cli(report, language=language, playbook=ReasonBook()),
    ):
        assert codes_in(text, language) == set(), text
        assert not re.search(r"\d{4}-W\d{2}", text)  # weeks are "semana de …" / "week of …"


def test_portuguese_words(report: reports.Report) -> None:
    chat = render_chat(report, playbook=ReasonBook())
    cli = render_cli(report, playbook=ReasonBook())
    assert "Em cadência:" in chat and "Ligação" in chat
    assert re.search(r"ativos na semana de \d\d/\d\d", chat)
    assert "Sem orçamento agora" in cli and "Esqueceu a reunião" in cli
    assert "timing" in cli  # a reason the playbook does not know is shown as it was recorded
    assert "Roteiro Ligação de abertura: B agenda mais reuniões" in chat
    assert "roteiro Ligação de abertura:" in cli and "call_opening" not in cli + chat
    assert re.search(r"^semana de \d\d/\d\d +\d+$", cli, re.M)


def test_english_words_and_numbers(report: reports.Report) -> None:
    chat = render_chat(report, language="en", playbook=ReasonBook())
    cli = render_cli(report, language="en", playbook=ReasonBook())
    assert chat.startswith("<b>Report</b>")
    assert "In cadence:" in chat and "Replies Call: " in chat
    for portuguese in ("Relatório", "Funil", "Ligações", "empresas", "semana", "vendedor", "sem motivo"):
        assert portuguese not in chat and portuguese not in cli, portuguese
    assert re.search(r"active in the week of [A-Z][a-z]{2} \d{1,2}", chat)
    assert re.search(r"^week of [A-Z][a-z]{2} \d{1,2} +\d+$", cli, re.M)
    assert re.search(r"\d+\.\d%", chat)  # a decimal point, not a comma
    assert "BASIC" in cli and "FUNNEL" in cli


def _header_cells(header: str, rule: str) -> list[str]:
    """Split a table header under its dashed rule (columns are runs of dashes)."""
    return [header[m.start() : m.end()].strip() for m in re.finditer(r"-+", rule)]


@pytest.mark.parametrize("language", ["pt", "en"])
def test_table_headers_are_whole_words(report: reports.Report, language: str) -> None:
    from bot.domain.labels import STAGE_LABELS
    from bot.i18n import gettext_for

    _ = gettext_for(language)
    cli = render_cli(report, language=language, playbook=ReasonBook())
    lines = cli.splitlines()
    rules = [i for i, line in enumerate(lines) if line.strip() and set(line.strip()) <= {"-", " "}]
    headers = [_header_cells(lines[i - 1], lines[i]) for i in rules]
    assert len(headers) >= 8
    stage_row = next(h for h in headers if _(STAGE_LABELS["prospecting"]) in h)
    assert set(stage_row[1:]) == {_(STAGE_LABELS[s.value]) for s in Stage if s.value != "new" and s.value != "lost"}
    for row in headers:
        for cell in row:
            assert cell, row  # no empty header, each column has its words
            assert not cell.endswith(("ã", "ç")), row


def test_the_chat_report_still_fits_and_is_cut_at_a_line(report: reports.Report) -> None:
    for language in ("pt", "en"):
        text = render_chat(report, language=language)
        assert len(text) <= 4096
        tiny = render_chat(report, language=language, limit=300)
        assert len(tiny) <= 300 and tiny.endswith("\n…")


def test_a_filtered_report_names_the_rep(report: reports.Report, activity_db: tuple[Path, Any]) -> None:
    from bot.storage.db import make_engine

    engine = make_engine(f"sqlite:///{activity_db[0]}")
    with Session(engine) as session:
        mine = build_report(session, start=START, end=END, rep_id=3)
    engine.dispose()
    name = mine.rep_names[3]
    assert f"vendedor: {name}" in render_cli(mine)
    assert f"rep: {name}" in render_cli(mine, language="en")
    assert "vendedor=3" not in render_cli(mine)



def test_a_templates_folder_without_the_report_templates_falls_back_to_the_bundled_ones(
    report: reports.Report, tmp_path: Path
) -> None:
    (tmp_path / "lead_card.html").write_text("{{ lead.company }}", encoding="utf-8")
    assert render_chat(report, templates_dir=tmp_path).startswith("<b>Relatório</b>")
    custom = tmp_path / "custom"
    custom.mkdir()
    (custom / "report_cli.txt").write_text("{{ _('Relatório') }}: {{ int(r.basic.calls_made) }}", encoding="utf-8")
    assert render_cli(report, templates_dir=custom, language="en") == f"Report: {report.basic.calls_made:,}"
