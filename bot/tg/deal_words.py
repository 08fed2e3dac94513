"""A deal's value in words, for the lead card and the deal questions (:mod:`bot.tg.deals`)."""

from __future__ import annotations

from bot.domain.money import format_money
from bot.services.deals import DealView
from bot.tg.context import Context


def deal_text(context: Context, deal: DealView) -> str:
    """A line like "R$ 1.490,00/mês · implantação R$ 2.000,00 · 12 meses · contrato R$ 19.880,00"."""

    def money(cents: int) -> str:
        return format_money(cents, context.lang)

    parts = [context._("%(value)s/mês") % {"value": money(deal.monthly_cents)}]
    if deal.setup_cents:
        parts.append(context._("implantação %(value)s") % {"value": money(deal.setup_cents)})
    if deal.months is not None:
        parts.append(context._("1 mês") if deal.months == 1 else context._("%(n)s meses") % {"n": deal.months})
        if deal.contract_cents is not None:
            parts.append(context._("contrato %(value)s") % {"value": money(deal.contract_cents)})
    return " · ".join(parts)
