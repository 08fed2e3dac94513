"""What the registry says of a company, as the typed values of a lead's fields."""

from __future__ import annotations

from datetime import date

from bot.domain.enrichment import answers_from, fill_missing, values_from
from bot.domain.facts import IntRange
from bot.domain.lead_fields import LeadDraft, parse_fields, plain_values, typed_values
from bot.domain.registry import FederalStatus, Porte
from tests.support.fake_registry import company


def test_the_registry_gives_typed_values_that_a_draft_takes_as_they_are() -> None:
    found = values_from(company(22333444, status=FederalStatus.CLOSED, porte=Porte.MICRO, simples=False))
    assert found["federal_status"] is FederalStatus.CLOSED and found["porte"] is Porte.MICRO
    assert found["simples"] is False  # a "no" is a value, not a blank
    assert isinstance(found["opened_on"], date) and isinstance(found["branches"], int)
    draft = LeadDraft().changed(typed_values(plain_values(found)))  # through the chat's JSON and back
    assert draft.facts.federal_status is FederalStatus.CLOSED and draft.facts.simples is False
    assert draft.registry_month == found["registry_month"]
    # an import reads the same values from their text, with the same parsers
    values, errors = parse_fields(answers_from(company(22333444, status=FederalStatus.CLOSED)))
    assert errors == {} and values["federal_status"] == "08"


def test_what_was_typed_wins_and_a_skipped_question_is_filled() -> None:
    typed = {"company": "Padaria do Zé", "headcount": IntRange(10, 19), "city": None}
    merged, filled = fill_missing(typed, values_from(company()))
    assert merged["company"] == "Padaria do Zé" and merged["headcount"] == IntRange(10, 19)
    assert "city" in filled and "company" not in filled and merged["city"]
