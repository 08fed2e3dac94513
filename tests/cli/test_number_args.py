"""The command line reads numbers like the chat: ASCII digits within bounds, one line on refusal."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.cli.main import main
from tests.cli.test_team_and_import import run


@pytest.fixture
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = f"sqlite:///{tmp_path / 'fresh.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.delenv("CADENCIA_ADMINS", raising=False)
    return url


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (("team", "add", "²", "Ana"), "deve ser um número de 0 a 9"),
        (("team", "add", "99999999999999999999", "Ana"), "deve ser um número de 0 a 9"),
        (("report", "--from", "31/12/9999"), "Ano '9999' não serve"),
        (("report", "--from", "29/02/2027"), "A data 29/02/2027 não existe"),
        (("report", "--to", "２０２６-01-01"), "Ano '２０２６' não serve"),
        (("report", "--rep", "²"), "vendedor '²' não encontrado"),
        (("export", "touches", "--from", "00/00/0000"), "Ano '0000' não serve"),
    ],
)
def test_hostile_numbers_get_one_line_and_a_non_zero_status(
    database: str, capsys: pytest.CaptureFixture[str], args: tuple[str, ...], said: str
) -> None:
    status, _out, err = run(capsys, *args)
    assert status != 0 and said in err and len(err.strip().splitlines()) == 1, err


@pytest.mark.parametrize("row", ["²", "３", "0", "99999999999999999999"])
def test_score_row_takes_ascii_digits_only(capsys: pytest.CaptureFixture[str], row: str) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["score", "--csv", "leads.csv", "--row", row])
    assert exited.value.code == 2
    assert "--row" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("args", "option"),
    [
        (("lead", "purge", "--months", "３"), "--months"),
        (("lead", "purge", "--months", "-1"), "--months"),
        (("lead", "purge", "--months", "99999"), "--months"),
        (("lead", "erasures", "--limit", "²"), "--limit"),
    ],
)
def test_lgpd_counts_take_ascii_digits_only(
    capsys: pytest.CaptureFixture[str], args: tuple[str, ...], option: str
) -> None:
    with pytest.raises(SystemExit) as exited:
        main(list(args))
    err = capsys.readouterr().err
    assert exited.value.code == 2 and option in err and "Traceback" not in err, err
