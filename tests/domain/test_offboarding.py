"""Off-boarding rules: who may deactivate whom, named invites, round-robin spreading."""

from __future__ import annotations

from collections import Counter

import pytest

from bot.domain.offboarding import (
    DeactivationRefused,
    InvalidUsername,
    Person,
    check_deactivation,
    check_receiver,
    may_use_invite,
    normalise_username,
    round_robin_receivers,
    spread,
)

BOSS = Person(1, "manager", True)
OTHER_BOSS = Person(2, "manager", True)
ANA = Person(3, "rep", True)


def test_a_manager_deactivates_a_rep_or_another_manager() -> None:
    check_deactivation(BOSS, ANA, active_managers=1)
    check_deactivation(BOSS, OTHER_BOSS, active_managers=2)
    check_deactivation(None, ANA, active_managers=1)  # the operator


@pytest.mark.parametrize(
    ("actor", "target", "managers", "why"),
    [
        (ANA, Person(4, "rep", True), 1, "Só gestores"),
        (BOSS, BOSS, 2, "a si mesmo"),
        (BOSS, Person(4, "rep", False), 1, "já está desativada"),
        (None, BOSS, 1, "último gestor ativo"),
        (None, Person(4, "rep", False), 1, "já está desativada"),
    ],
)
def test_refusals(actor: Person | None, target: Person, managers: int, why: str) -> None:
    with pytest.raises(DeactivationRefused, match=why):
        check_deactivation(actor, target, active_managers=managers)


def test_the_receiver_is_someone_else_still_active() -> None:
    check_receiver(BOSS, ANA)
    with pytest.raises(DeactivationRefused):
        check_receiver(ANA, ANA)
    with pytest.raises(DeactivationRefused):
        check_receiver(Person(9, "rep", False), ANA)


def test_round_robin_deals_to_active_unpaused_reps_but_the_one_leaving() -> None:
    people = [Person(7, "rep", True), BOSS, ANA, Person(5, "rep", True, paused=True), Person(6, "rep", False)]
    assert [p.id for p in round_robin_receivers(people, ANA)] == [7]
    people.append(Person(4, "rep", True))
    assert [p.id for p in round_robin_receivers(people, ANA)] == [4, 7]


@pytest.mark.parametrize(("items", "receivers"), [(0, 3), (1, 3), (5, 2), (7, 3), (100, 7), (3, 5)])
def test_spread_gives_every_item_once_and_evenly(items: int, receivers: int) -> None:
    dealt = spread(list(range(items)), list(range(10, 10 + receivers)))
    everything = [item for got in dealt.values() for item in got]
    assert sorted(everything) == list(range(items))
    counts = Counter({receiver: len(got) for receiver, got in dealt.items()})
    if items:
        assert max(counts.values()) - min(counts.values()) <= 1
        assert len(counts) == min(items, receivers)
    assert all(got for got in dealt.values())  # nobody is listed with nothing


def test_spread_without_receivers_is_refused_only_when_there_is_something_to_give() -> None:
    assert spread([], []) == {}
    with pytest.raises(DeactivationRefused, match="Não há vendedores ativos"):
        spread([1], [])


def test_usernames() -> None:
    assert normalise_username("@Maria_S") == "maria_s"
    assert normalise_username("  joao123 ") == "joao123"
    for bad in ("@m", "maria!", "@", "1maria", "a" * 33):
        with pytest.raises(InvalidUsername):
            normalise_username(bad)
    assert may_use_invite("maria", "Maria")
    assert may_use_invite("maria", "@MARIA")
    assert not may_use_invite("maria", "joao")
    assert not may_use_invite("maria", "")
    assert may_use_invite(None, "")
