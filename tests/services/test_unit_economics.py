"""The unit economics' own rules, on hand-made rows: the months a period's costs count, how costs
are shared among campaigns, segments and channels, and the churn of a slice that is no segment.
Every number below is computed by hand in the comment beside it."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from bot.domain.facts import IntRange, LeadFacts
from bot.domain.playbook.model import Economics
from bot.services.unit_economics import EconomicsInputs, LeadDeal, period_months, unit_economics

NOV = datetime(2026, 11, 1, 3, 0, tzinfo=UTC)  # midnight in São Paulo
DEC = datetime(2026, 12, 1, 3, 0, tzinfo=UTC)

ECONOMICS = Economics.model_validate(
    {
        "team": {"roles": {"rep": "R$ 6.000"}, "reps": [{"telegram_id": 2, "monthly": "R$ 9.000"}]},
        "tools": [{"name": "CRM", "monthly": "R$ 1.000"}],
        "lists": [{"campaign": "Sul", "cost": "R$ 2.000"}],
        "gross_margin_percent": 80,
        "segments": [
            {
                "id": "key",
                "label": "Key account",
                "churn_monthly_percent": 1,
                "when": [{"fact": "headcount", "op": "ge", "value": 500}],
            },
            {"id": "smb", "label": "SMB", "churn_monthly_percent": 4},
        ],
        "stage_probabilities": {"proposal_sent": 50},
    }
)


def lead(
    lead_id: int, campaign: str, headcount: int, deal: tuple[int, int, int | None] | None, channel: str
) -> LeadDeal:
    facts = LeadFacts(headcount=IntRange(headcount, headcount))
    return LeadDeal(lead_id, campaign, datetime(2026, 11, 2, 15, tzinfo=UTC), facts, deal, channel)


def inputs(**changes: object) -> EconomicsInputs:
    values: dict[str, object] = {
        "start": NOV,
        "end": DEC,
        "zone": "America/Sao_Paulo",
        "campaign": None,
        "rep_scoped": False,
        # Lead 1 (Sul, SMB) 30 touches, 2 SQL by phone; lead 2 (Norte, key account) 10 touches by e-mail, 1 SQL.
        "touches": [
            (1, "phone", "no_answer", 28),
            (1, "phone", "meeting_booked", 2),
            (2, "email", "meeting_booked", 1),
            (2, "email", "no_answer", 9),
        ],
        "team_touches": 40,
        "held": [(1, 1), (2, 1)],
        "decided": [
            (1, "won", datetime(2026, 11, 12, 15, tzinfo=UTC)),
            (2, "won", datetime(2026, 11, 22, 15, tzinfo=UTC)),
        ],
        "leads": {
            1: lead(1, "Sul", 20, (100000, 0, 12), "phone"),
            2: lead(2, "Norte", 800, (500000, 200000, 36), "email"),
        },
        "open_deals": [("proposal_sent", 300000)],
        "team": [(1, "rep"), (2, "rep"), (3, "manager")],
    }
    values.update(changes)
    return EconomicsInputs(**values)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("start", "end", "months"),
    [
        (date(2026, 11, 1), date(2026, 12, 1), Decimal(1)),
        (date(2026, 11, 1), date(2026, 11, 8), Decimal(7) / 30),
        (date(2026, 11, 16), date(2026, 12, 16), Decimal(15) / 30 + Decimal(15) / 31),
        (date(2026, 1, 1), date(2027, 1, 1), Decimal(12)),
        (date(2028, 2, 1), date(2028, 3, 1), Decimal(1)),  # a leap February is one month too
        (date(2026, 11, 1), date(2026, 11, 1), Decimal(0)),
    ],
)
def test_period_months_count_each_calendar_months_share_of_days(start: date, end: date, months: Decimal) -> None:
    assert period_months(start, end) == months


def test_the_whole_and_each_slice_from_hand_computed_costs() -> None:
    ue = unit_economics(inputs(), ECONOMICS)
    t = ue.total
    # Costs: rep 1 R$ 6.000 (role) + rep 2 R$ 9.000 (own) + CRM R$ 1.000 = R$ 16.000 a month × 1 month
    # + the lists R$ 2.000 = R$ 18.000 (the manager has no cost in the file: not counted).
    assert t.costs.value == Decimal(1_800_000)
    assert (t.won, t.won_with_value, t.won_monthly_cents) == (2, 2, 600_000)
    assert t.ticket.value == Decimal(300_000)  # (1.000 + 5.000) / 2
    assert t.cac.value == Decimal(900_000)  # 18.000 / 2
    assert t.cost_per_sql.value == Decimal(600_000)  # 18.000 / 3 SQL
    assert t.cost_per_meeting.value == Decimal(900_000)  # 18.000 / 2 held
    assert t.win_rate.value == Decimal(1)
    assert t.cycle.value == Decimal(15)  # (10 + 20) / 2 days from creation (02/11) to the win
    # LTV: churn is the mean of the won deals' segments (4% and 1% → 2,5%); set-up mean R$ 1.000.
    # 0,8 × (3.000 / 0,025 + 1.000) = 0,8 × 121.000 = R$ 96.800.
    assert t.ltv.value == Decimal(9_680_000)
    assert t.ltv_cac.value == Decimal(9_680_000) / 900_000
    # Payback: (9.000 − 1.000 × 0,8) / (3.000 × 0,8) = 8.200 / 2.400 months.
    assert t.payback.value == Decimal(820_000) / 240_000
    assert ue.pipeline == {"proposal_sent": 300_000} and ue.forecast.value == Decimal(150_000)

    sul, norte = (next(s for s in ue.campaigns if s.key == k) for k in ("Sul", "Norte"))
    # Shared R$ 16.000 × 30/40 touches + Sul's own list R$ 2.000 = R$ 14.000; Norte: 16.000 × 10/40 = R$ 4.000.
    assert (sul.costs.value, norte.costs.value) == (Decimal(1_400_000), Decimal(400_000))
    smb, key = (next(s for s in ue.segments if s.key == k) for k in ("smb", "key"))
    # Segments share the lists too: (16.000 + 2.000) × 30/40 = R$ 13.500 and × 10/40 = R$ 4.500.
    assert (smb.costs.value, key.costs.value) == (Decimal(1_350_000), Decimal(450_000))
    assert smb.ltv.value == Decimal("0.8") * (Decimal(100_000) / Decimal("0.04"))  # no set-up fee
    assert key.label == "Key account" and key.ticket.value == Decimal(500_000)
    phone = next(s for s in ue.channels if s.key == "phone")
    assert (phone.sqls, phone.won, phone.touches) == (2, 1, 30)


def test_without_a_file_every_money_figure_says_why_and_the_counts_stay() -> None:
    ue = unit_economics(inputs(), None)
    t = ue.total
    assert t.ticket.value == Decimal(300_000) and t.win_rate.value == Decimal(1)
    assert t.cac.value is None and t.cac.reason() == "sem custos: preencha o economics.yaml do playbook"
    assert t.ltv.reason() == "sem a margem bruta no economics.yaml"
    assert ue.forecast.reason() == "sem probabilidades por etapa no economics.yaml"
    assert ue.segments == []


def test_a_rep_without_a_cost_makes_the_costs_unknown_not_smaller() -> None:
    ue = unit_economics(inputs(team=[(1, "rep"), (4, "closer")]), ECONOMICS)
    assert ue.total.cac.reason() == "sem custo mensal para o papel closer no economics.yaml"
    assert ue.total.cost_per_sql.value is None


def test_a_period_without_touches_cannot_share_the_costs_among_campaigns() -> None:
    ue = unit_economics(inputs(touches=[], team_touches=0), ECONOMICS)
    assert ue.total.costs.value == Decimal(1_800_000)  # the whole team's costs are still known
    assert all(s.costs.reason() == "nenhum toque no período para repartir os custos" for s in ue.campaigns)


def test_a_won_deal_without_a_value_counts_as_a_customer_but_not_in_the_ticket() -> None:
    leads = {1: lead(1, "Sul", 20, None, "phone"), 2: lead(2, "Norte", 800, (500000, 0, None), "email")}
    t = unit_economics(inputs(leads=leads), ECONOMICS).total
    assert (t.won, t.won_with_value, t.ticket.value) == (2, 1, Decimal(500_000))
    assert t.cac.value == Decimal(900_000)  # both customers count


def test_no_activity_at_all_gives_no_months_and_says_so() -> None:
    ue = unit_economics(inputs(start=None, end=None, touches=[], held=[], decided=[], open_deals=[]), ECONOMICS)
    assert ue.months is None and ue.empty
    assert ue.total.costs.reason() == "nenhuma atividade no período"
