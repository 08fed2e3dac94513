"""``cadencia import`` shows a progress bar on a terminal, and only there (issue 11)."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from bot.cli.progress import ProgressBar
from tests.cli.test_team_and_import import database, run  # noqa: F401  (the fixture of a fresh database)
from tests.services import import_scenario as scenario


class Terminal(io.StringIO):
    encoding = "utf-8"

    def isatty(self) -> bool:
        return True


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_the_bar_shows_rows_done_of_the_total_and_the_rate_then_one_line_of_how_it_went() -> None:
    terminal, clock = Terminal(), Clock()
    bar = ProgressBar(terminal, clock=clock)
    clock.now += 2.5
    bar(12_500, 50_000)
    assert terminal.getvalue() == f"\r[{'█' * 7}{'░' * 23}]    12.500/50.000 linhas   5.000 linhas/s"
    clock.now += 7.5
    bar(50_000, 50_000)  # every row read: what remains is writing them
    assert terminal.getvalue().endswith(f"\r[{'█' * 30}]    50.000/50.000 linhas   5.000 linhas/s · gravando…")
    clock.now += 2.5
    bar.finish()
    *_, writing, final = terminal.getvalue().split("\r")
    assert final.rstrip() == "50.000 linhas em 12,5 s (4.000 linhas/s)" and final.endswith("\n")
    assert len(final) - 1 == len(writing)  # padded over what the bar had drawn


def test_without_a_terminal_nothing_is_drawn() -> None:
    piped = io.StringIO()
    bar = ProgressBar(piped)
    bar(500, 1000)
    bar.finish()
    assert piped.getvalue() == ""


def test_a_terminal_that_cannot_show_blocks_gets_plain_characters() -> None:
    class Latin1Terminal(Terminal):
        encoding = "latin-1"

    terminal = Latin1Terminal()
    ProgressBar(terminal, clock=Clock())(1, 2)
    assert terminal.getvalue().startswith("\r[" + "#" * 15 + "-" * 15 + "]")


@pytest.mark.usefixtures("database")
def test_cadencia_import_draws_the_bar_on_a_terminal_and_prints_the_same_summary(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    seed = tmp_path / "base.csv"
    seed.write_bytes(scenario.SEED)
    assert run(capsys, "team", "add", "2000", "Ana", "Lima")[0] == 0
    status, piped_out, piped_err = run(capsys, "import", str(seed))
    assert status == 0 and "Importadas: 3" in piped_out and piped_err == ""  # piped: the summary only

    mixed = tmp_path / "mixed.csv"
    mixed.write_bytes(scenario.MIXED)
    terminal = Terminal()
    monkeypatch.setattr("sys.stderr", terminal)
    status, out, _ = run(capsys, "import", str(mixed))
    assert status == 0 and scenario.counts_in(out) == scenario.COUNTS
    drawn = terminal.getvalue()
    assert "\r[" in drawn and "8/8 linhas" in drawn and "gravando…" in drawn
    assert drawn.endswith("\n") and drawn.rstrip().rsplit("\r", 1)[-1].startswith("8 linhas em ")
