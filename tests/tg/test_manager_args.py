"""Arguments of /relatorio and /exportar."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from bot.tg.manager_args import parse_request

TODAY = date(2025, 5, 14)  # a Wednesday
BRASILIA = ZoneInfo("America/Sao_Paulo")


def _utc(y: int, m: int, d: int) -> datetime:
    return datetime(y, m, d, 3, tzinfo=UTC)  # local midnight in São Paulo


def test_default_is_the_current_month() -> None:
    r = parse_request("", today=TODAY, zone=BRASILIA)
    assert (r.start, r.end) == (_utc(2025, 5, 1), _utc(2025, 5, 15))


def test_last_days_week_all_and_dates() -> None:
    assert parse_request("7", today=TODAY, zone=BRASILIA).start == _utc(2025, 5, 8)
    assert parse_request("semana ranking", today=TODAY, zone=BRASILIA).start == _utc(2025, 5, 12)
    assert "ranking" in parse_request("semana ranking", today=TODAY, zone=BRASILIA).words
    everything = parse_request("tudo", today=TODAY, zone=BRASILIA)
    assert (everything.start, everything.end) == (None, None)
    r = parse_request("01/03/2025 31/03/2025", today=TODAY, zone=BRASILIA)
    assert (r.start, r.end) == (_utc(2025, 3, 1), _utc(2025, 4, 1))


def test_campaign_and_version() -> None:
    r = parse_request('campanha="Logística SP" versao=1.2 leads xlsx', today=TODAY, zone=BRASILIA, default="tudo")
    assert (r.campaign, r.version) == ("Logística SP", "1.2")
    assert r.words == ("leads", "xlsx") and r.start is None


def test_impossible_periods_are_refused_not_guessed() -> None:
    import pytest

    from bot.domain.numbers import InvalidNumber
    from bot.tg.export_chat import _table_words

    for typed in ("²", "99999999999", "0", "01/01/2020 31/12/9999", "29/02/2027", "٣/11/2026"):
        with pytest.raises(InvalidNumber):
            parse_request(typed, today=TODAY, zone=BRASILIA)
    assert _table_words(("tudo", "xlsx", "7", "01/03/2025", "²")) == ["tudo"]
