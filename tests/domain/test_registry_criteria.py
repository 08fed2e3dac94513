"""The ICP judges the facts the CNPJ registry gives: a company not active on the Receita is
knocked out (always, with its reason), and ``icp.yaml`` conditions may use federal status,
porte, Simples/MEI and company age; unknown facts stay unknown, never false."""

from __future__ import annotations

from datetime import date

import pytest

from bot.domain.facts import (
    InvalidFact,
    LeadFacts,
    parse_federal_status,
    parse_opened_on,
    parse_porte,
    parse_yes_no,
)
from bot.domain.playbook.loader import load_playbook
from bot.domain.playbook.model import Condition, Icp, Knockout, SalesModelRule
from bot.domain.registry import FederalStatus, Porte
from bot.domain.scoring import score
from bot.domain.vocabulary import SalesModel, Tier
from bot.resources import bundled_dir

GOOD = LeadFacts(cnae="4930202", uf="SP", branches=5)


@pytest.fixture(scope="module")
def icp() -> Icp:
    return load_playbook(bundled_dir("playbook")).icp


def _with(icp: Icp, *knockouts: Knockout, models: list[SalesModelRule] | None = None) -> Icp:
    update: dict[str, object] = {"knockouts": [*icp.knockouts, *knockouts]}
    if models is not None:
        update["sales_models"] = models
    return icp.model_copy(update=update)


def test_the_words_reps_and_files_use_are_read() -> None:
    assert parse_federal_status("Baixada") is FederalStatus.CLOSED
    assert parse_federal_status("02") is FederalStatus.ACTIVE
    assert parse_porte("EPP") is Porte.SMALL and parse_porte("microempresa") is Porte.MICRO
    assert parse_yes_no("Sim") is True and parse_yes_no("não") is False
    assert parse_opened_on("01/03/2015") == date(2015, 3, 1) == parse_opened_on("20150301")
    for wrong, parse in (
        ("fechadinha", parse_federal_status),
        ("gigante", parse_porte),
        ("31/02/2015", parse_opened_on),
    ):
        with pytest.raises(InvalidFact):
            parse(wrong)  # type: ignore[operator]


@pytest.mark.parametrize("status", [s for s in FederalStatus if s is not FederalStatus.ACTIVE])
def test_a_company_not_active_on_the_receita_is_knocked_out(icp: Icp, status: FederalStatus) -> None:
    result = score(GOOD.with_(federal_status=status), icp)
    assert result.knocked_out and result.tier is Tier.D
    assert "Receita Federal" in result.knockouts[0].reason


def test_an_active_or_unknown_status_changes_nothing(icp: Icp) -> None:
    plain = score(GOOD, icp)
    active = score(GOOD.with_(federal_status=FederalStatus.ACTIVE, porte=Porte.OTHER, simples=False), icp)
    assert (active.score, active.tier, active.knockouts, active.unverified_knockouts) == (
        plain.score,
        plain.tier,
        plain.knockouts,
        plain.unverified_knockouts,
    )


def test_conditions_on_porte_simples_mei_and_age(icp: Icp) -> None:
    rules = _with(
        icp,
        Knockout(id="mei", reason="MEI: uma pessoa só", when=[Condition(fact="mei", op="eq", value="sim")]),
        Knockout(
            id="micro_nova",
            reason="Microempresa com menos de 2 anos",
            when=[
                Condition(fact="porte", op="in", value=["me"]),
                Condition(fact="company_age", op="lt", value=2),
            ],
        ),
    )
    today = date(2026, 12, 2)
    young_micro = GOOD.with_(porte=Porte.MICRO, opened_on=date(2025, 6, 1)).aged(today)
    assert young_micro.company_age == 1
    assert [k.id for k in score(young_micro, rules).knockouts] == ["micro_nova"]
    old_micro = GOOD.with_(porte=Porte.MICRO, opened_on=date(2010, 1, 1), mei=False).aged(today)
    assert score(old_micro, rules).knockouts == ()
    assert [k.id for k in score(GOOD.with_(mei=True), rules).knockouts] == ["mei"]
    unknown = score(GOOD, rules)  # nothing known of porte, age, MEI: unverified, not passed
    assert {k.id for k in unknown.unverified_knockouts} >= {"mei", "micro_nova"}
    assert not unknown.knocked_out


def test_a_sales_model_can_follow_the_porte(icp: Icp) -> None:
    rules = _with(
        icp,
        models=[
            SalesModelRule(
                model=SalesModel.ENTERPRISE,
                when=[
                    Condition(fact="porte", op="eq", value="demais"),
                    Condition(fact="simples", op="eq", value="nao"),
                ],
                why="Fora do Simples e acima de R$ 4,8 mi",
            ),
            *icp.sales_models,
        ],
    )
    big = score(GOOD.with_(porte=Porte.OTHER, simples=False), rules)
    assert big.sales_model is SalesModel.ENTERPRISE and big.sales_model_why.startswith("Fora do Simples")
    assert score(GOOD.with_(porte=Porte.SMALL, simples=True), rules).sales_model_why != big.sales_model_why
