"""Text helpers of the domain."""

from __future__ import annotations

import pytest

from bot.domain.text import spreadsheet_safe


@pytest.mark.parametrize(
    "cell",
    ['=HYPERLINK("http://x","clique")', "+cmd|' /C calc'!A0", "-1+1", "@SUM(A1:A9)", "\t=1", "\r=1"],
)
def test_a_cell_a_spreadsheet_would_run_is_shown_as_text(cell: str) -> None:
    assert spreadsheet_safe(cell) == "'" + cell


@pytest.mark.parametrize("cell", ["Padaria São João", "", "11 99999-0000", "ana@empresa.com.br", "'já citado"])
def test_ordinary_text_is_left_alone(cell: str) -> None:
    assert spreadsheet_safe(cell) == cell
