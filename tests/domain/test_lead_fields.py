"""One parser per lead field, for the chat, the import and the command line."""

from __future__ import annotations

import json
from datetime import date

import pytest

from bot.domain.facts import IntRange, InvalidFact
from bot.domain.lead_fields import (
    LEAD_FIELDS,
    MAX_NOTES,
    LeadDraft,
    parse_fields,
    parse_notes,
    parse_website,
    plain_values,
    refusal_line,
    typed_values,
)
from bot.domain.registry import FederalStatus, Porte
from bot.domain.vocabulary import Registration


def test_every_field_the_chat_asks_is_parsed_here() -> None:
    from bot.tg.newlead import FIELDS

    assert {f.key for f in FIELDS} <= set(LEAD_FIELDS)
    for field in FIELDS:
        assert field.read is not None and field.label == LEAD_FIELDS[field.key].label


def test_parse_fields_returns_the_kept_form_and_every_refusal() -> None:
    values, errors = parse_fields(
        {
            "company": "  Padaria   Central ",
            "headcount": "100 a 199",
            "revenue": "4,8 mi",
            "contact_phone": "(11) 98765-4321",
            "contact_email": "fulano@semdominio",
            "cnpj": "11.111.111/1111-11",
            "city": "",
            "unknown": "ignored",
        }
    )
    assert values == {
        "company": "Padaria Central",
        "headcount": "100-199",
        "revenue": "4800000-4800000",
        "contact_phone": "+55 11 98765-4321",
    }
    assert set(errors) == {"contact_email", "cnpj"}
    assert refusal_line("contact_email", errors["contact_email"]) == (
        "E-mail: E-mail inválido. Exemplo: nome@empresa.com.br."
    )


@pytest.mark.parametrize(
    ("typed", "kept"),
    [
        ("www.empresa.com.br", "https://www.empresa.com.br"),
        ("empresa.com.br/contato", "https://empresa.com.br/contato"),
        ("http://empresa.com", "http://empresa.com"),
        ("HTTPS://Empresa.COM.br", "HTTPS://Empresa.COM.br"),
    ],
)
def test_website(typed: str, kept: str) -> None:
    assert parse_website(typed) == kept


@pytest.mark.parametrize(
    "typed", ["empresa", "não tem", "javascript:alert(1)", "ftp://x.com", "a" * 290 + ".com.br/xx"]
)
def test_a_website_that_is_not_one_is_refused(typed: str) -> None:
    with pytest.raises(InvalidFact, match="Site: escreva o endereço"):
        parse_website(typed)


def test_notes_keep_their_lines_and_have_a_limit() -> None:
    assert parse_notes("  ligar cedo \n\n  falar com a Ana  ") == "ligar cedo\n  falar com a Ana"
    with pytest.raises(InvalidFact):
        parse_notes(" \n ")
    with pytest.raises(InvalidFact, match=str(MAX_NOTES)):
        parse_notes("x" * (MAX_NOTES + 1))


def test_a_draft_keeps_typed_values_and_comes_back_from_json_without_reading_text() -> None:
    draft = LeadDraft.read({"company": "Padaria Central", "headcount": "100 a 199", "registration": "ativa"})
    assert draft.facts.headcount == IntRange(100, 199) and draft.facts.registration is Registration.ACTIVE
    kept = plain_values({"headcount": draft.get("headcount"), "registration": draft.get("registration"), "uf": None})
    assert kept == {"headcount": [100, 199], "registration": "active", "uf": None}
    assert json.loads(json.dumps(kept)) == kept
    assert typed_values(kept) == {"headcount": IntRange(100, 199), "registration": Registration.ACTIVE, "uf": None}
    changed = draft.changed({"headcount": None, "city": "Curitiba", "branches": 3})
    assert (changed.facts.headcount, changed.city, changed.facts.branches, changed.company) == (
        None,
        "Curitiba",
        3,
        "Padaria Central",
    )


def test_a_draft_saved_as_text_before_drafts_were_typed_is_read_once_more() -> None:
    old = {"headcount": "100-199", "branches": "3", "revenue": "4800000-4800000", "cnpj": "11222333000181"}
    assert typed_values(old) == {
        "headcount": IntRange(100, 199),
        "branches": 3,
        "revenue": IntRange(4_800_000, 4_800_000),
        "cnpj": "11222333000181",
    }


def test_registry_facts_are_read_once_typed_and_come_back_from_json() -> None:
    draft = LeadDraft.read(
        {
            "company": "Horizonte Sistemas Ltda",
            "federal_status": "baixada",
            "porte": "EPP",
            "simples": "sim",
            "mei": "não",
            "opened_on": "02/03/2015",
            "registry_month": "2026-11",
        }
    )
    facts = draft.facts
    assert (facts.federal_status, facts.porte, facts.simples, facts.mei, facts.opened_on) == (
        FederalStatus.CLOSED,
        Porte.SMALL,
        True,
        False,
        date(2015, 3, 2),
    )
    assert draft.registry_month == "2026-11"
    keys = ("federal_status", "porte", "simples", "mei", "opened_on", "registry_month")
    kept = plain_values({key: draft.get(key) for key in keys})
    assert kept == {
        "federal_status": "08",
        "porte": "03",
        "simples": True,
        "mei": False,
        "opened_on": "2015-03-02",
        "registry_month": "2026-11",
    }
    assert typed_values(json.loads(json.dumps(kept))) == {key: draft.get(key) for key in keys}
    # the kept text (a spreadsheet's cell) is read back by the same parsers
    assert parse_fields({key: LEAD_FIELDS[key].parse(str(value)) for key, value in kept.items()})[1] == {}
    assert facts.aged(date(2026, 3, 1)).company_age == 10


def test_a_registry_draft_saved_as_text_is_read_once_more() -> None:
    old = {"federal_status": "02", "porte": "05", "simples": "N", "mei": "S", "opened_on": "2015-03-02"}
    assert typed_values(old) == {
        "federal_status": FederalStatus.ACTIVE,
        "porte": Porte.OTHER,
        "simples": False,
        "mei": True,
        "opened_on": date(2015, 3, 2),
    }


def test_a_draft_from_text_names_every_refused_field() -> None:
    with pytest.raises(ValueError, match="E-mail") as refused:
        LeadDraft.read({"company": "Padaria", "contact_email": "x@", "cnpj": "11.111.111/1111-11"})
    assert "CNPJ" in str(refused.value)
