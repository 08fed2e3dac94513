"""The report oracle, with deal values: sums and averages of the money a manager sees, recounted.

:class:`DealsOracle` is the report oracle's state machine (``test_report_oracle``) where the rep,
after 📄 proposal sent and 🏆 won, types the deal's value in any of the Brazilian forms the chat
reads ("R$ 1.490,50/mês", "1,5 mil", "R$ 18 mil/ano"), skips it, or leaves the question open and
goes on with something else; and edits a value later from the lead card (💰). The test keeps the
value it typed per lead (its own bookkeeping, in cents it computed itself) and recounts from its
event log, for the manager and each rep, over all time and a window:

- **won deals**: moves to won in the period; **with a value**: those whose lead has a value now;
  **monthly revenue won**: the sum of their monthly values; **average ticket**: that sum ÷ their
  number (exact, a ``Decimal``);
- **win rate**: won ÷ (won + lost from a held meeting or a proposal) in the period;
- **pipeline**: today's open leads with a value, summed per stage (a rep sees their own);
  **weighted forecast**: Σ pipeline × the stage's probability of the playbook used here.

The base oracle's checks all still run (every other number of the report, forged and stale buttons).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from datetime import datetime
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import event
from hypothesis import strategies as st
from hypothesis.stateful import initialize, precondition, rule, run_state_machine_as_test
from sqlalchemy import Engine

from bot.domain.playbook.model import Economics
from bot.services import reports
from tests.oracle.test_report_oracle import (
    _DAYS_AHEAD,
    _PICKS,
    _SLOTS,
    CAMPAIGNS,
    REPS,
    WINDOW,
    EventLog,
    LeadState,
    ReportOracle,
    _in,
    _non_blocking_done,
    _settings,
    new_database,
    note,
)

pytestmark = pytest.mark.filterwarnings("ignore:Tasks created via `Application.create_task`")
__all__ = ["new_database"]  # the fixture, shared with the report oracle

PROBABILITIES = {"meeting_held": 25, "proposal_sent": 50}
ECONOMICS = Economics.model_validate(
    {
        "team": {"roles": {"rep": "R$ 6.000"}},
        "gross_margin_percent": 80,
        "segments": [{"id": "smb", "label": "SMB", "churn_monthly_percent": 4}],
        "stage_probabilities": PROBABILITIES,
    }
)

#: How a monthly value is typed: cents → text, in the forms the chat reads.
MONTHLY_FORMS: tuple[Callable[[int], str], ...] = (
    lambda cents: _brazilian(cents),
    lambda cents: f"R$ {_brazilian(cents)}/mês",
    lambda cents: f"{_brazilian(cents)} por mês",
)


def _brazilian(cents: int) -> str:
    """12345678 → "123.456,78"; 150000 → "1.500"."""
    reais, rest = divmod(cents, 100)
    text = f"{reais:,}".replace(",", ".")
    return text + (f",{rest:02d}" if rest else "")


@st.composite
def deal_values(draw: st.DrawFn) -> tuple[str, tuple[int, int, int | None], tuple[str, str, str]] | None:
    """What the rep does with the question: ``None`` leaves it open; else (how, value, typed words)."""
    how = draw(st.sampled_from(("type", "type", "annual", "thousands", "skip", "open")))
    if how == "open":
        return None
    if how == "skip":
        return ("skip", (0, 0, None), ("", "", ""))
    setup = draw(st.sampled_from((0, 0, 50000, 123456)))
    months = draw(st.sampled_from((None, 1, 12, 36, 120)))
    if how == "annual":  # R$ N mil/ano → N × 1000 / 12 reais a month, to the cent
        thousands = draw(st.integers(1, 500))
        typed = f"R$ {thousands} mil/ano"
        monthly = (thousands * 100_000 * 2 + 12) // 24  # half up, like the chat
    elif how == "thousands":
        tenths = draw(st.integers(1, 999))
        typed = f"{tenths // 10},{tenths % 10} mil" if tenths % 10 else f"{tenths // 10} mil"
        monthly = tenths * 10_000
    else:
        monthly = draw(st.integers(1, 5_000_000))
        typed = draw(st.sampled_from(MONTHLY_FORMS))(monthly)
    setup_words = _brazilian(setup) if setup else ""
    months_words = "" if months is None else draw(st.sampled_from((f"{months} meses", f"{months}m", str(months))))
    return ("type", (monthly, setup, months), (typed, setup_words, months_words))


class DealsOracle(ReportOracle):
    def __init__(self) -> None:
        super().__init__()
        runtime = self.bot.runtime
        runtime.playbook = runtime.playbook.model_copy(update={"economics": ECONOMICS})
        self.values: dict[int, tuple[int, int, int | None]] = {}
        """Lead → (monthly cents, set-up cents, months) as last typed."""

    @initialize(
        rep=st.sampled_from(REPS),
        campaign=st.sampled_from(CAMPAIGNS),
        days=_DAYS_AHEAD,
        slot=_SLOTS,
        plan=deal_values(),
    )
    def a_lead_reaches_a_proposal(self, rep: str, campaign: str, days: int, slot: str, plan: Any) -> None:
        """Every example starts with a deal to value: the base rules, one after the other, take a new
        lead from its creation to a held meeting and a proposal (random rules rarely get that far)."""
        self.rep_creates_a_lead(rep=rep, campaign=campaign)
        lead = self.leads[-1]
        self.rep_starts_the_cadence(pick=[x for x in self.leads if x.cadence == "not_started"].index(lead))
        self.rep_logs_meeting_booked(pick=self.active().index(lead), days=days, slot=slot, gives_the_date=True)
        self.rep_marks_the_meeting_held(pick=self.with_meeting().index(lead))
        self.rep_marks_the_proposal_sent(
            pick=[x for x in self.leads if x.stage == "meeting_held"].index(lead), plan=plan
        )

    async def answer_value(self, lead: LeadState, plan: Any) -> None:
        """After the question "Quanto vale o negócio…" (seen by the caller)."""
        rep = self.people[lead.owner]
        if plan is None:
            return  # the question stays open; whatever the rep does next ends it
        how, value, (monthly, setup, months) = plan
        if how == "skip":
            await self.press(rep, "Pular", spend=False)
            rep.sees("o valor fica para depois")
            return
        await rep.says(monthly)
        rep.sees("Taxa de implantação")
        if setup:
            await rep.says(setup)
        else:
            await self.press(rep, "Sem implantação", spend=False)
        rep.sees("Prazo do contrato")
        if months:
            await rep.says(months)
        else:
            await self.press(rep, "Sem prazo definido", spend=False)
        rep.sees("Valor salvo")
        self.values[lead.id] = value

    @precondition(lambda self: any(x.stage == "meeting_held" for x in self.leads))
    @rule(pick=_PICKS, plan=deal_values())
    def rep_marks_the_proposal_sent(self, pick: int, plan: Any = None) -> None:  # type: ignore[override]
        lead = self.pick([x for x in self.leads if x.stage == "meeting_held"], pick)

        async def go() -> None:
            rep = await self.open_card(lead)
            await self.press(rep, "Proposta enviada")
            rep.sees("Registrado", "Quanto vale o negócio")
            await self.answer_value(lead, plan)

        note(f"  {lead.owner} marks the proposal of lead #{lead.id} sent, value {plan!r}")
        self.act(self.people[lead.owner], go)
        self.move(lead, "proposal_sent")

    @precondition(lambda self: any(x.stage in ("meeting_held", "proposal_sent") for x in self.leads))
    @rule(pick=_PICKS, plan=deal_values())
    def rep_marks_the_lead_won(self, pick: int, plan: Any = None) -> None:  # type: ignore[override]
        lead = self.pick([x for x in self.leads if x.stage in ("meeting_held", "proposal_sent")], pick)

        async def go() -> None:
            rep = await self.open_card(lead)
            await self.press(rep, "Ganho")
            rep.sees("Registrado", "Quanto vale o negócio")
            await self.answer_value(lead, plan)

        note(f"  {lead.owner} marks lead #{lead.id} won, value {plan!r}")
        self.act(self.people[lead.owner], go)
        self.move(lead, "won")
        lead.cadence, lead.step = "finished", None

    @precondition(lambda self: any(x.stage in ("meeting_held", "proposal_sent", "won") for x in self.leads))
    @rule(pick=_PICKS, plan=deal_values())
    def rep_edits_the_value_from_the_card(self, pick: int, plan: Any) -> None:
        lead = self.pick([x for x in self.leads if x.stage in ("meeting_held", "proposal_sent", "won")], pick)

        async def go() -> None:
            rep = await self.open_card(lead)
            await self.press(rep, "Valor do negócio", spend=False)
            rep.sees("Quanto vale o negócio")
            await self.answer_value(lead, plan)

        note(f"  {lead.owner} edits the value of lead #{lead.id}: {plan!r}")
        self.act(self.people[lead.owner], go)

    # ----------------------------------------------------------------- the recount

    def recount_money(self, *, start: datetime | None, end: datetime | None, rep: int | None) -> dict[str, Any]:
        log: EventLog = self.log
        moves = [m for m in log.moves if _in(m.at, start, end) and (rep is None or m.rep == rep)]
        won = [m.lead for m in moves if m.to_stage == "won"]
        lost = [m for m in moves if m.to_stage == "lost" and m.from_stage in ("meeting_held", "proposal_sent")]
        valued = [self.values[lead] for lead in won if lead in self.values]
        owners = {lead.id: self.rep_id(lead.owner) for lead in self.leads}
        pipeline: dict[str, int] = defaultdict(int)
        for lead in self.leads:
            if lead.closed or lead.id not in self.values or (rep is not None and owners[lead.id] != rep):
                continue
            pipeline[lead.stage] += self.values[lead.id][0]
        forecast = sum((Decimal(cents) * PROBABILITIES[stage] / 100 for stage, cents in pipeline.items()), Decimal(0))
        return {
            "won": len(won),
            "won with a value": len(valued),
            "monthly revenue won": sum(v[0] for v in valued),
            "average ticket": Decimal(sum(v[0] for v in valued)) / len(valued) if valued else None,
            "average set-up": Decimal(sum(v[1] for v in valued)) / len(valued) if valued else None,
            "win rate": Decimal(len(won)) / (len(won) + len(lost)) if won or lost else None,
            "pipeline": dict(pipeline),
            "forecast": forecast if all(stage in PROBABILITIES for stage in pipeline) else None,
        }

    @staticmethod
    def observed_money(report: reports.Report) -> dict[str, Any]:
        ue = report.unit_economics(ECONOMICS)
        assert ue is not None
        t = ue.total
        return {
            "won": t.won,
            "won with a value": t.won_with_value,
            "monthly revenue won": t.won_monthly_cents,
            "average ticket": t.ticket.value,
            "average set-up": t.setup.value,
            "win rate": t.win_rate.value,
            "pipeline": dict(ue.pipeline),
            "forecast": ue.forecast.value,
        }

    @precondition(lambda self: self.leads)
    @rule()
    def everyone_reads_the_money(self) -> None:
        problems: list[str] = []
        people = [("Helena (manager)", self.manager, None)] + [
            (name, self.people[name], self.rep_id(name)) for name in REPS
        ]
        for start, end in ((None, None), WINDOW):
            for label, person, rep in people:
                assert person.member is not None
                with self.bot.runtime.session() as session:
                    report = reports.report_for(session, person.member, start=start, end=end)
                expected = self.recount_money(start=start, end=end, rep=rep)
                got = self.observed_money(report)
                wrong = [f"  {k}: expected {expected[k]!r}, got {got[k]!r}" for k in expected if expected[k] != got[k]]
                if wrong:
                    problems.append(f"{label}, {'all time' if start is None else 'window'}:\n" + "\n".join(wrong))
        assert not problems, "the money disagrees with the recount:\n" + "\n".join(problems)
        money = self.recount_money(start=None, end=None, rep=None)
        won, open_deals = min(money["won with a value"], 2), bool(money["pipeline"])
        event(f"won deals with a value: {won}; open deals with a value: {open_deals}")

    def everyone_reads_the_report_in_the_chat(self) -> None:
        super().everyone_reads_the_report_in_the_chat()
        self.everyone_reads_the_money()
        money = self.recount_money(start=None, end=None, rep=None)
        if not money["won"]:
            return

        async def ask() -> None:
            self.manager.replies()
            await self.manager.says("/economia tudo")
            await _non_blocking_done()

        self._run(ask())
        said = self.manager.sees("Economia")
        line = f"Vendas: {money['won']} ({money['won with a value']} com valor) · receita mensal "
        assert line + _money(money["monthly revenue won"]) in said, said


def _money(cents: int) -> str:
    """1500050 → "R$ 15.000,50", as the chat writes an amount."""
    reais, rest = divmod(cents, 100)
    return f"R$ {reais:,}".replace(",", ".") + f",{rest:02d}"


def test_every_sum_and_average_of_the_money_matches_a_recount(
    new_database: Callable[[], tuple[Engine, Callable[[], None]]],
) -> None:
    machine = type("DealsOracle", (DealsOracle,), {"new_database": staticmethod(new_database)})
    run_state_machine_as_test(machine, settings=_settings())
