"""SaaS unit economics: each formula a pure function returning a :class:`Figure`.

A figure is a value **or** the reason it cannot be computed — never a made-up number — and names the
inputs it used, so a report can show "—" with the reason and say where each number comes from.
Money is in cents (:mod:`bot.domain.money`), as ``Decimal`` so averages and ratios stay exact;
rates (gross margin, monthly churn, win rate, stage probabilities) are fractions: ``0.8`` is 80%.

The formulas (README, "Unit economics", has them in one table):

- average ticket = mean monthly recurring value of the deals won;
- CAC = sales and marketing costs in the period / customers won in it;
- LTV = gross margin × (ticket / monthly churn + average set-up fee);
- LTV/CAC, judged against 3×; payback months = (CAC − set-up fee × margin) / (ticket × margin),
  judged against 12 months;
- cost per SQL and per meeting held = costs / count; win rate = won / (won + lost);
- sales cycle = mean days from a lead's creation to its win;
- pipeline value by stage = sum of the open deals' monthly values; weighted forecast = Σ value ×
  the stage's probability.

Costs in a period come from ``economics.yaml`` (:func:`period_costs`), and a lead's segment from its
rules over the ICP facts (:func:`segment_for`).

Reasons are Portuguese templates marked with ``N_`` (translated by the adapter, like a
:class:`~bot.domain.problems.Problem`). Pure: no I/O.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from enum import Enum

from bot.domain.facts import LeadFacts
from bot.domain.playbook.model import Economics, Segment
from bot.domain.problems import N_
from bot.domain.scoring import compile_condition

LTV_CAC_TARGET = Decimal(3)
"""The seeds' mark: a customer should bring back more than three times what it cost to win."""
PAYBACK_TARGET_MONTHS = Decimal(12)
"""The seeds' mark: the CAC paid back by the gross margin within a year."""


class Unit(Enum):
    CENTS = "cents"
    RATIO = "ratio"
    MONTHS = "months"
    DAYS = "days"
    SHARE = "share"


@dataclass(frozen=True)
class Figure:
    """A computed number (``value``) or why there is none (``missing``, a translatable template).

    ``used`` names the inputs the figure came from (``"won_deals"``, ``"costs"``, ``"churn"``…), in
    the order of the formula, including those of the figures it was computed from."""

    unit: Unit
    used: tuple[str, ...]
    value: Decimal | None = None
    missing: str | None = None
    params: Mapping[str, object] = field(default_factory=dict)

    @property
    def known(self) -> bool:
        return self.value is not None

    def reason(self) -> str | None:
        """The reason in Portuguese (``missing % params``), as the CLI shows it."""
        return None if self.missing is None else self.missing % dict(self.params)


def _known(unit: Unit, used: Iterable[str], value: Decimal) -> Figure:
    return Figure(unit, tuple(dict.fromkeys(used)), value=value)


def _missing(unit: Unit, used: Iterable[str], reason: str, **params: object) -> Figure:
    return Figure(unit, tuple(dict.fromkeys(used)), missing=reason, params=params)


def _carried(unit: Unit, used: Iterable[str], source: Figure) -> Figure:
    """A figure that cannot be computed because one it needs has no value: its reason, passed on."""
    assert source.missing is not None
    return Figure(unit, tuple(dict.fromkeys(used)), missing=source.missing, params=source.params)


@dataclass(frozen=True)
class Deal:
    """A deal's value: monthly recurring value and set-up fee in cents, contract months if known."""

    monthly_cents: int
    setup_cents: int = 0
    months: int | None = None


def contract_value(deal: Deal) -> Figure:
    """What the whole contract is worth: monthly value × months + set-up fee."""
    used = ("monthly_value", "contract_months", "setup_fee")
    if deal.months is None:
        return _missing(Unit.CENTS, used, N_("sem o prazo do contrato em meses"))
    return _known(Unit.CENTS, used, Decimal(deal.monthly_cents * deal.months + deal.setup_cents))


def average_ticket(won: Sequence[Deal]) -> Figure:
    """Mean monthly recurring value of the deals won (a one-month and a three-year deal weigh the same)."""
    used = ("won_deals",)
    if not won:
        return _missing(Unit.CENTS, used, N_("nenhuma venda com valor no período"))
    return _known(Unit.CENTS, used, Decimal(sum(deal.monthly_cents for deal in won)) / len(won))


def average_setup(won: Sequence[Deal]) -> Figure:
    """Mean set-up fee of the deals won (zero when none charged one)."""
    used = ("won_deals",)
    if not won:
        return _missing(Unit.CENTS, used, N_("nenhuma venda com valor no período"))
    return _known(Unit.CENTS, used, Decimal(sum(deal.setup_cents for deal in won)) / len(won))


def cac(costs_cents: int | None, customers_won: int) -> Figure:
    """Customer acquisition cost: the period's sales and marketing costs / customers won in it."""
    return _cost_per(costs_cents, customers_won, "customers_won", N_("nenhum cliente ganho no período"))


def _cost_per(costs_cents: int | None, count: int, counted: str, none_counted: str) -> Figure:
    """Costs divided among ``count`` things (``counted`` names them; ``none_counted`` says there were none)."""
    used = ("costs", counted)
    if costs_cents is None:
        return _missing(Unit.CENTS, used, N_("sem custos: preencha o economics.yaml do playbook"))
    if count == 0:
        return _missing(Unit.CENTS, used, none_counted)
    return _known(Unit.CENTS, used, Decimal(costs_cents) / count)


def ltv(ticket: Figure, margin: Decimal | None, churn: Decimal | None, setup: Figure | None = None) -> Figure:
    """Lifetime value: margin × (ticket / monthly churn + set-up fee). A customer stays 1/churn months
    on average; with a churn of zero that is forever, so there is no number (not an infinite one)."""
    used = (*ticket.used, "gross_margin", "churn", *(setup.used if setup else ()))
    if ticket.value is None:
        return _carried(Unit.CENTS, used, ticket)
    if margin is None:
        return _missing(Unit.CENTS, used, N_("sem a margem bruta no economics.yaml"))
    if churn is None:
        return _missing(Unit.CENTS, used, N_("sem o churn mensal do segmento no economics.yaml"))
    if churn == 0:
        return _missing(Unit.CENTS, used, N_("churn zero: o cliente nunca sai e o LTV não tem limite"))
    if setup is not None and setup.value is None:
        return _carried(Unit.CENTS, used, setup)
    setup_value = setup.value if setup is not None and setup.value is not None else Decimal(0)
    return _known(Unit.CENTS, used, margin * (ticket.value / churn + setup_value))


def ltv_cac(lifetime: Figure, acquisition: Figure) -> Figure:
    """LTV / CAC: how many times a customer pays back what it cost to win (see :func:`ltv_cac_verdict`)."""
    used = (*lifetime.used, *acquisition.used)
    if lifetime.value is None:
        return _carried(Unit.RATIO, used, lifetime)
    if acquisition.value is None:
        return _carried(Unit.RATIO, used, acquisition)
    if acquisition.value == 0:
        return _missing(Unit.RATIO, used, N_("CAC zero: sem custos no período, não há razão a calcular"))
    return _known(Unit.RATIO, used, lifetime.value / acquisition.value)


def ltv_cac_verdict(ratio: Figure) -> str | None:
    """A plain verdict against 3× (a translatable template), or ``None`` when there is no ratio."""
    if ratio.value is None:
        return None
    if ratio.value >= LTV_CAC_TARGET:
        return N_("saudável: o cliente devolve 3× ou mais o que custou")
    if ratio.value >= 1:
        return N_("abaixo de 3×: o cliente paga o que custou, mas sobra pouco")
    return N_("abaixo de 1×: cada cliente custa mais do que devolve")


def payback_months(acquisition: Figure, ticket: Figure, margin: Decimal | None, setup: Figure | None = None) -> Figure:
    """Months for a customer's gross margin to pay back its CAC: (CAC − set-up × margin) / (ticket ×
    margin); zero when the set-up fee alone pays it back."""
    used = (*acquisition.used, *ticket.used, "gross_margin", *(setup.used if setup else ()))
    for source in (acquisition, ticket, setup):
        if source is not None and source.value is None:
            return _carried(Unit.MONTHS, used, source)
    assert acquisition.value is not None and ticket.value is not None
    if margin is None:
        return _missing(Unit.MONTHS, used, N_("sem a margem bruta no economics.yaml"))
    monthly_margin = ticket.value * margin
    setup_margin = (setup.value or Decimal(0)) * margin if setup is not None else Decimal(0)
    left = max(Decimal(0), acquisition.value - setup_margin)
    if left == 0:
        return _known(Unit.MONTHS, used, Decimal(0))
    if monthly_margin <= 0:
        return _missing(Unit.MONTHS, used, N_("sem receita mensal com margem: o CAC nunca se paga"))
    return _known(Unit.MONTHS, used, left / monthly_margin)


def payback_verdict(months: Figure) -> str | None:
    """A plain verdict against 12 months, or ``None`` when there is no payback figure."""
    if months.value is None:
        return None
    if months.value <= PAYBACK_TARGET_MONTHS:
        return N_("dentro de 12 meses")
    return N_("acima de 12 meses: o caixa demora a voltar")


def cost_per_sql(costs_cents: int | None, sqls: int) -> Figure:
    """Costs in the period / SQLs (qualified leads) in it."""
    return _cost_per(costs_cents, sqls, "sqls", N_("nenhum SQL no período"))


def cost_per_meeting(costs_cents: int | None, meetings_held: int) -> Figure:
    """Costs in the period / meetings held in it (booked meetings that did not happen do not count)."""
    return _cost_per(costs_cents, meetings_held, "meetings_held", N_("nenhuma reunião realizada no período"))


def win_rate(won: int, lost: int) -> Figure:
    """Share of the deals decided in the period that were won: won / (won + lost)."""
    used = ("won", "lost")
    if won + lost == 0:
        return _missing(Unit.SHARE, used, N_("nenhum negócio ganho ou perdido no período"))
    return _known(Unit.SHARE, used, Decimal(won) / (won + lost))


def sales_cycle_days(spans: Sequence[tuple[date, date]]) -> Figure:
    """Mean days from a lead's creation to its win, over ``(created, won)`` pairs."""
    used = ("lead_created", "won_on")
    if not spans:
        return _missing(Unit.DAYS, used, N_("nenhuma venda no período"))
    return _known(Unit.DAYS, used, Decimal(sum((won - created).days for created, won in spans)) / len(spans))


def pipeline_by_stage(open_deals: Iterable[tuple[str, int]]) -> dict[str, int]:
    """Sum of the monthly values (cents) of the open deals, per stage, from ``(stage, cents)`` pairs."""
    totals: dict[str, int] = {}
    for stage, cents in open_deals:
        totals[stage] = totals.get(stage, 0) + cents
    return totals


def weighted_forecast(by_stage: Mapping[str, int], probabilities: Mapping[str, Decimal] | None) -> Figure:
    """Σ pipeline value × stage probability (from ``economics.yaml``); missing if a stage with value
    has no probability (a guess would be a made-up number)."""
    used = ("pipeline", "stage_probabilities")
    if probabilities is None:
        return _missing(Unit.CENTS, used, N_("sem probabilidades por etapa no economics.yaml"))
    without = sorted(stage for stage, cents in by_stage.items() if cents and stage not in probabilities)
    if without:
        return _missing(
            Unit.CENTS,
            used,
            N_("sem probabilidade para a(s) etapa(s) %(stages)s no economics.yaml"),
            stages=", ".join(without),
        )
    return _known(
        Unit.CENTS, used, sum((cents * probabilities[stage] for stage, cents in by_stage.items() if cents), Decimal(0))
    )


def period_costs(
    economics: Economics | None,
    team: Sequence[tuple[int, str]],
    months: Decimal | int,
    *,
    campaign: str | None = None,
) -> Figure:
    """Sales costs over ``months``: (each rep's monthly cost + tools) × months + the lists bought.

    ``team`` is ``(telegram_id, role)`` of the reps counted; a rep's own cost in ``economics.yaml``
    wins over the role's. Lists count for one ``campaign``, or all of them without one. Missing when
    there is no file or it gives no cost at all, or when a rep's cost is unknown (a partial sum would
    make the CAC look better than it is)."""
    used = ("team_costs", "tools", "lists")
    if economics is None or not (economics.team.roles or economics.team.reps or economics.tools or economics.lists):
        return _missing(Unit.CENTS, used, N_("sem custos: preencha o economics.yaml do playbook"))
    own = {rep.telegram_id: rep.monthly for rep in economics.team.reps}
    roles: dict[str, int] = {str(role): cents for role, cents in economics.team.roles.items()}
    monthly = economics.tools_monthly_cents()
    for telegram_id, role in team:
        cost = own.get(telegram_id, roles.get(role))
        if cost is None:
            return _missing(Unit.CENTS, used, N_("sem custo mensal para o papel %(role)s no economics.yaml"), role=role)
        monthly += cost
    return _known(Unit.CENTS, used, Decimal(monthly) * Decimal(months) + economics.lists_cents(campaign))


def segment_for(economics: Economics | None, facts: LeadFacts) -> Segment | None:
    """The lead's segment: the first whose conditions all hold (the last, without any, takes the rest).

    ``None`` without segments, or when a segment before the one that matches cannot be judged because
    a fact it looks at is unknown (the lead might belong to it: better no segment than a wrong one)."""
    if economics is None:
        return None
    for segment in economics.segments:
        results = [compile_condition(condition)(facts) for condition in segment.when]
        if any(result is False for result in results):
            continue
        if any(result is None for result in results):
            return None
        return segment
    return None
