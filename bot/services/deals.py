"""Deal values: what a lead's deal is worth, typed by the rep when the proposal goes out or the
deal is won, and edited from the lead card since (monthly recurring value, set-up fee, contract
months; read by :mod:`bot.domain.money`). The report's figures built on them are in
:mod:`bot.services.unit_economics`.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.domain import economics
from bot.domain.vocabulary import Stage
from bot.i18n import N_
from bot.services.flows import FlowKind, record_ending
from bot.services.leads import _authorised
from bot.services.runtime import Runtime
from bot.services.views import MemberLike
from bot.storage import deals as store
from bot.storage.models import DealValue

VALUE_STAGES = (Stage.MEETING_HELD, Stage.PROPOSAL_SENT, Stage.WON)
"""Where a deal has a value to type or edit: from the held meeting on, until it is won."""
ASKED_AT = (Stage.PROPOSAL_SENT, Stage.WON)
"""The moves after which the chat asks the value."""


class NoDealHere(Exception):
    """The lead is not at a stage where a deal has a value (new, in cadence, lost…)."""

    message = N_("Só dá para dar valor a um negócio depois da reunião realizada, até ser ganho.")


@dataclass(frozen=True, slots=True)
class DealView:
    lead_id: int
    monthly_cents: int
    setup_cents: int
    months: int | None

    @property
    def contract_cents(self) -> int | None:
        """Monthly value × months + set-up fee; ``None`` without the months."""
        figure = economics.contract_value(economics.Deal(self.monthly_cents, self.setup_cents, self.months))
        return None if figure.value is None else int(figure.value)

    @classmethod
    def of(cls, row: DealValue) -> DealView:
        return cls(row.lead_id, row.monthly_cents, row.setup_cents, row.months)


def deal_of(runtime: Runtime, member: MemberLike, lead_id: int) -> DealView | None:
    """The lead's deal value, if one was typed (LeadNotFound / NotAllowed as for the lead)."""
    with runtime.reading() as session:
        _authorised(session, member, lead_id)
        row = store.get_deal(session, lead_id=lead_id)
        return DealView.of(row) if row is not None else None


def check_value_stage(runtime: Runtime, member: MemberLike, lead_id: int) -> None:
    """:class:`NoDealHere` unless the lead is at a stage where its deal has a value."""
    with runtime.reading() as session:
        stage = _authorised(session, member, lead_id).stage
    if stage not in VALUE_STAGES:
        raise NoDealHere(lead_id)


def save_deal(
    runtime: Runtime,
    member: MemberLike,
    lead_id: int,
    *,
    monthly_cents: int,
    setup_cents: int,
    months: int | None,
    flow: str | None = None,
) -> DealView:
    """Keep the lead's deal value (the latest typed wins); ``flow``: the run this ends."""
    with runtime.transaction() as session:
        lead = _authorised(session, member, lead_id)
        if lead.stage not in VALUE_STAGES:
            raise NoDealHere(lead_id)
        record_ending(session, runtime, flow, member, FlowKind.DEAL, lead_id=lead_id, result_id=lead_id)
        row = store.put_deal(
            session,
            lead_id=lead_id,
            monthly_cents=monthly_cents,
            setup_cents=setup_cents,
            months=months,
            stage=lead.stage,
            set_by=member.id,
            at=runtime.now(),
        )
        return DealView.of(row)
