"""LGPD rules: which fields are personal data, and which lost leads the retention purge takes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.domain.privacy import (
    PERSONAL_LEAD_FIELDS,
    due_for_purge,
    months_before,
    personal_fields_present,
    retention_cutoff,
    touch_text_is_personal,
)

NOW = datetime(2026, 12, 2, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("moment", "months", "expected"),
    [
        (datetime(2026, 12, 2, 12, tzinfo=UTC), 6, datetime(2026, 6, 2, 12, tzinfo=UTC)),
        (datetime(2026, 12, 2, 12, tzinfo=UTC), 12, datetime(2025, 12, 2, 12, tzinfo=UTC)),
        (datetime(2026, 3, 2, tzinfo=UTC), 3, datetime(2025, 12, 2, tzinfo=UTC)),  # across a year
        (datetime(2026, 5, 31, tzinfo=UTC), 3, datetime(2026, 2, 28, tzinfo=UTC)),  # no 31/02
        (datetime(2028, 5, 31, tzinfo=UTC), 3, datetime(2028, 2, 29, tzinfo=UTC)),  # leap year
        (datetime(2026, 1, 15, tzinfo=UTC), 25, datetime(2023, 12, 15, tzinfo=UTC)),
        (datetime(2026, 1, 15, tzinfo=UTC), 0, datetime(2026, 1, 15, tzinfo=UTC)),
    ],
)
def test_months_before_counts_calendar_months(moment: datetime, months: int, expected: datetime) -> None:
    assert months_before(moment, months) == expected


def test_negative_months_are_refused() -> None:
    with pytest.raises(ValueError):
        months_before(NOW, -1)


def test_retention_off_has_no_cutoff() -> None:
    assert retention_cutoff(NOW, 0) is None
    assert retention_cutoff(NOW, 6) == datetime(2026, 6, 2, 12, tzinfo=UTC)


def test_only_a_lead_lost_before_the_cutoff_and_not_erased_is_due() -> None:
    cutoff = retention_cutoff(NOW, 6)
    assert cutoff is not None
    old = cutoff - timedelta(seconds=1)
    assert due_for_purge(stage="lost", lost_at=old, erased_at=None, cutoff=cutoff)
    assert not due_for_purge(stage="lost", lost_at=cutoff, erased_at=None, cutoff=cutoff)  # exactly N months
    assert not due_for_purge(stage="lost", lost_at=NOW, erased_at=None, cutoff=cutoff)
    assert not due_for_purge(stage="lost", lost_at=old, erased_at=old, cutoff=cutoff)  # once
    assert not due_for_purge(stage="won", lost_at=old, erased_at=None, cutoff=cutoff)
    assert not due_for_purge(stage="prospecting", lost_at=old, erased_at=None, cutoff=cutoff)  # reopened
    assert not due_for_purge(stage="lost", lost_at=None, erased_at=None, cutoff=cutoff)


def test_the_filled_personal_fields_are_named_in_order() -> None:
    values = {"contact_email": "a@b.com.br", "contact_name": "Ana", "contact_phone": "  ", "company": "X"}
    assert personal_fields_present(values) == ("contact_name", "contact_email")
    assert "company" not in PERSONAL_LEAD_FIELDS and "cnpj" not in PERSONAL_LEAD_FIELDS


def test_touch_text_free_text_goes_but_closed_list_answers_stay() -> None:
    assert touch_text_is_personal("notes", "Falar com a Ana depois das 14h")
    assert touch_text_is_personal("pain", "a Ana disse que a planilha a enlouquece")
    assert not touch_text_is_personal("pain", "clear")
    assert not touch_text_is_personal("budget", "approval")
    assert touch_text_is_personal("budget", "R$ 50 mil, aprovado pelo Carlos")
    assert not touch_text_is_personal("notes", "")
    assert not touch_text_is_personal("notes", None)
    assert not touch_text_is_personal("outcome", "connected")


def test_an_import_fills_anything_but_an_erased_contact() -> None:
    from bot.domain.privacy import import_may_fill

    assert import_may_fill("contact_email", erased=False)
    assert not import_may_fill("contact_email", erased=True)
    assert not import_may_fill("notes", erased=True)
    assert import_may_fill("city", erased=True) and import_may_fill("website", erased=True)
