"""The pure rules of working the list: what a search looks like, what /leads words mean, what a
bulk start takes and skips, who may receive a reassigned lead."""

from __future__ import annotations

import pytest

from bot.domain.offboarding import Person
from bot.domain.vocabulary import Role, Stage
from bot.domain.worklist import (
    BadSelection,
    LeadFilter,
    QueryKind,
    ReassignRefused,
    Selection,
    SelectionKind,
    Skip,
    UnknownFilter,
    check_reassign,
    fit_skip,
    name_matches,
    phone_matches,
    read_filter,
    read_query,
    read_selection,
    stage_skip,
)


@pytest.mark.parametrize(
    ("typed", "kind", "key"),
    [
        ("42", QueryKind.ID, "42"),
        ("#42", QueryKind.ID, "42"),
        ("99999999999999999999", QueryKind.ID, "99999999999999999999"),
        ("11.222.333/0001-81", QueryKind.CNPJ, "11222333000181"),
        ("11222333000181", QueryKind.CNPJ, "11222333000181"),
        ("11.222.333", QueryKind.CNPJ, "11222333"),
        ("12.ABC.345/01DE-35", QueryKind.CNPJ, "12ABC34501DE35"),
        ("Marcia@Padaria.com.br", QueryKind.EMAIL, "marcia@padaria.com.br"),
        ("(11) 98765-4321", QueryKind.PHONE, "87654321"),
        ("+55 11 98765-4321", QueryKind.PHONE, "87654321"),
        ("11987654321", QueryKind.PHONE, "87654321"),
        ("Padaria São João", QueryKind.NAME, "padaria sao joao"),
        ("Loja 2000", QueryKind.NAME, "loja 2000"),
    ],
)
def test_a_search_is_read_by_its_shape(typed: str, kind: QueryKind, key: str) -> None:
    query = read_query(typed)
    assert (query.kind, query.key) == (kind, key)


def test_phones_and_names_match_whatever_the_format() -> None:
    assert phone_matches("87654321", "+55 (11) 9 8765-4321")
    assert not phone_matches("87654321", "(11) 98765-4320")
    assert name_matches("marcia goncalves", "Márcia Gonçalves Lima")
    assert not name_matches("marcia souza", "Márcia Gonçalves")
    assert not name_matches("", "Márcia")


def test_lead_filters_combine_a_list_a_tier_and_a_campaign() -> None:
    assert read_filter([]) == LeadFilter()
    assert read_filter(["perdidos"]) == LeadFilter(Stage.LOST.value)
    assert read_filter(["won"]) == LeadFilter(Stage.WON.value)
    assert read_filter(["abertos", "tier", "a", "campanha", "Logística", "SP"]) == LeadFilter(
        "open", "A", "Logística SP"
    )
    assert read_filter(["B", "hoje"]) == LeadFilter("due", "B")
    for words in (["quentes"], ["tier", "Z"], ["campanha"], ["tier"]):
        with pytest.raises(UnknownFilter) as refused:
            read_filter(words)
        assert "todos, hoje, abertos" in str(refused.value)


def test_a_selection_names_a_campaign_a_tier_or_an_import() -> None:
    assert read_selection(["campanha", "Logística", "SP"]) == Selection(SelectionKind.CAMPAIGN, "Logística SP")
    assert read_selection(["tier", "c"]) == Selection(SelectionKind.TIER, "C")
    assert read_selection(["importacao", "#12"]) == Selection(SelectionKind.IMPORT, "12")
    for words in ([], ["tier"], ["tier", "E"], ["importacao", "²"], ["lista", "X"]):
        with pytest.raises(BadSelection):
            read_selection(words)


def test_only_new_leads_start_and_outside_the_icp_is_named() -> None:
    assert stage_skip(Stage.NEW) is None
    assert stage_skip(Stage.PROSPECTING) is Skip.RUNNING
    assert stage_skip(Stage.MEETING_BOOKED) is Skip.MOVED_ON
    assert stage_skip(Stage.WON) is Skip.CLOSED and stage_skip(Stage.LOST) is Skip.CLOSED
    assert fit_skip("A", False) is None
    assert fit_skip("D", False) is Skip.TIER_D
    assert fit_skip("A", True) is Skip.KNOCKED_OUT


def test_a_reassigned_lead_goes_to_someone_active_not_paused_and_new() -> None:
    bruno = Person(2, Role.REP, True)
    check_reassign(bruno, "Bruno", {1})
    with pytest.raises(ReassignRefused, match="não está no time ativo"):
        check_reassign(None, "", {1})
    with pytest.raises(ReassignRefused, match="não está no time ativo"):
        check_reassign(Person(2, Role.REP, False), "Bruno", {1})
    with pytest.raises(ReassignRefused, match="Bruno está em pausa"):
        check_reassign(Person(2, Role.REP, True, paused=True), "Bruno", {1})
    with pytest.raises(ReassignRefused, match="já são de Bruno"):
        check_reassign(bruno, "Bruno", {2})
