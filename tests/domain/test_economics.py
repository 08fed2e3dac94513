"""Unit economics against hand-computed cases: every figure a number with its inputs, or "—" with a reason."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from bot.domain import economics as e
from bot.domain.economics import Deal, Unit

# Hand-computed, in cents: A is R$ 1.000/mês for 12 months with a R$ 2.000 set-up fee, B is
# R$ 2.000/mês for three years without one, C a one-month R$ 500 contract.
A = Deal(monthly_cents=100_000, setup_cents=200_000, months=12)
B = Deal(monthly_cents=200_000, months=36)
C = Deal(monthly_cents=50_000, months=1)
MARGIN = Decimal("0.8")
CHURN = Decimal("0.02")  # 2% a month: a customer stays 50 months


def test_contract_values_one_month_and_multi_year() -> None:
    assert e.contract_value(A).value == 1_400_000  # 12 × 1.000 + 2.000 = R$ 14.000
    assert e.contract_value(B).value == 7_200_000  # 36 × 2.000 = R$ 72.000
    assert e.contract_value(C).value == 50_000
    open_ended = e.contract_value(Deal(100_000))
    assert open_ended.value is None and open_ended.reason() == "sem o prazo do contrato em meses"


def test_average_ticket_and_setup() -> None:
    ticket = e.average_ticket([A, B])
    assert ticket.value == 150_000 and ticket.unit is Unit.CENTS and ticket.used == ("won_deals",)
    assert e.average_ticket([A, B, C]).value == Decimal(350_000) / 3  # a one-month deal weighs as much
    assert e.average_setup([A, B]).value == 100_000
    assert e.average_ticket([]).reason() == "nenhuma venda com valor no período"
    assert e.average_setup([]).value is None


def test_cac() -> None:
    assert e.cac(900_000, 2).value == 450_000
    assert e.cac(None, 2).reason() == "sem custos: preencha o economics.yaml do playbook"
    assert e.cac(900_000, 0).reason() == "nenhum cliente ganho no período"
    assert e.cac(0, 3).value == 0


def test_ltv_with_and_without_setup_fees() -> None:
    ticket, setup = e.average_ticket([A, B]), e.average_setup([A, B])
    with_setup = e.ltv(ticket, MARGIN, CHURN, setup)
    assert with_setup.value == 6_080_000  # 0,8 × (1.500 / 0,02 + 1.000) = R$ 60.800
    assert with_setup.used == ("won_deals", "gross_margin", "churn")
    assert e.ltv(ticket, MARGIN, CHURN).value == 6_000_000  # 0,8 × 75.000


def test_ltv_missing_inputs_and_zero_churn() -> None:
    ticket = e.average_ticket([A])
    assert e.ltv(ticket, None, CHURN).reason() == "sem a margem bruta no economics.yaml"
    assert e.ltv(ticket, MARGIN, None).reason() == "sem o churn mensal do segmento no economics.yaml"
    forever = e.ltv(ticket, MARGIN, Decimal(0))
    assert forever.value is None and forever.reason() == "churn zero: o cliente nunca sai e o LTV não tem limite"
    carried = e.ltv(e.average_ticket([]), MARGIN, CHURN)
    assert carried.reason() == "nenhuma venda com valor no período"


def test_ltv_cac_and_its_verdict_against_3x() -> None:
    ticket, setup = e.average_ticket([A, B]), e.average_setup([A, B])
    ratio = e.ltv_cac(e.ltv(ticket, MARGIN, CHURN, setup), e.cac(900_000, 2))
    assert ratio.value == Decimal(6_080_000) / 450_000  # 13,5×
    assert ratio.used == ("won_deals", "gross_margin", "churn", "costs", "customers_won")
    assert e.ltv_cac_verdict(ratio) == "saudável: o cliente devolve 3× ou mais o que custou"

    def verdict(ltv: int, cac: int) -> str | None:
        return e.ltv_cac_verdict(e.ltv_cac(_money(ltv), _money(cac)))

    assert verdict(300, 100) == "saudável: o cliente devolve 3× ou mais o que custou"  # exactly 3×
    assert verdict(299, 100) == "abaixo de 3×: o cliente paga o que custou, mas sobra pouco"
    assert verdict(99, 100) == "abaixo de 1×: cada cliente custa mais do que devolve"
    no_costs = e.ltv_cac(_money(300), e.cac(0, 2))
    assert no_costs.value is None and no_costs.reason() == "CAC zero: sem custos no período, não há razão a calcular"
    assert e.ltv_cac_verdict(no_costs) is None
    assert e.ltv_cac(_money(300), e.cac(900, 0)).reason() == "nenhum cliente ganho no período"


def test_payback_months() -> None:
    ticket, setup, cac = e.average_ticket([A, B]), e.average_setup([A, B]), e.cac(900_000, 2)
    assert e.payback_months(cac, ticket, MARGIN).value == Decimal("3.75")  # 4.500 / (1.500 × 0,8)
    with_setup = e.payback_months(cac, ticket, MARGIN, setup)
    assert with_setup.value == Decimal(370_000) / 120_000  # (4.500 − 1.000 × 0,8) / 1.200
    assert e.payback_verdict(with_setup) == "dentro de 12 meses"
    # The set-up fee alone pays a small CAC back: zero months.
    assert e.payback_months(e.cac(50_000, 1), ticket, MARGIN, setup).value == 0
    assert e.payback_verdict(_months(12)) == "dentro de 12 meses"
    assert e.payback_verdict(_months(Decimal("12.5"))) == "acima de 12 meses: o caixa demora a voltar"
    no_recurring = e.payback_months(cac, e.average_ticket([Deal(0, 10_000)]), MARGIN)
    assert no_recurring.reason() == "sem receita mensal com margem: o CAC nunca se paga"
    assert e.payback_months(cac, ticket, None).reason() == "sem a margem bruta no economics.yaml"
    assert e.payback_months(e.cac(None, 2), ticket, MARGIN).reason() == (
        "sem custos: preencha o economics.yaml do playbook"
    )


def test_costs_per_sql_and_meeting_held() -> None:
    assert e.cost_per_sql(900_000, 10).value == 90_000
    assert e.cost_per_meeting(900_000, 4).value == 225_000
    assert e.cost_per_sql(900_000, 0).reason() == "nenhum SQL no período"
    assert e.cost_per_meeting(900_000, 0).reason() == "nenhuma reunião realizada no período"
    assert e.cost_per_sql(None, 3).value is None and e.cost_per_meeting(None, 3).value is None


def test_win_rate_and_sales_cycle() -> None:
    assert e.win_rate(2, 6).value == Decimal("0.25")
    assert e.win_rate(0, 0).reason() == "nenhum negócio ganho ou perdido no período"
    cycle = e.sales_cycle_days([(date(2026, 1, 1), date(2026, 1, 11)), (date(2026, 2, 1), date(2026, 3, 3))])
    assert cycle.value == 20 and cycle.unit is Unit.DAYS  # (10 + 30) / 2
    assert e.sales_cycle_days([]).value is None


def test_pipeline_and_weighted_forecast() -> None:
    by_stage = e.pipeline_by_stage([("proposta", 100_000), ("proposta", 50_000), ("reuniao", 200_000)])
    assert by_stage == {"proposta": 150_000, "reuniao": 200_000}
    odds = {"proposta": Decimal("0.5"), "reuniao": Decimal("0.2")}
    assert e.weighted_forecast(by_stage, odds).value == 115_000  # 75.000 + 40.000
    assert e.weighted_forecast({}, odds).value == 0
    unknown = e.weighted_forecast({**by_stage, "negociacao": 10, "novo": 0}, odds)
    assert unknown.value is None
    assert unknown.reason() == "sem probabilidade para a(s) etapa(s) negociacao no economics.yaml"
    assert e.weighted_forecast(by_stage, None).reason() == "sem probabilidades por etapa no economics.yaml"


def _money(cents: int) -> e.Figure:
    return e.Figure(Unit.CENTS, ("given",), value=Decimal(cents))


def _months(value: Decimal | int) -> e.Figure:
    return e.Figure(Unit.MONTHS, ("given",), value=Decimal(value))
