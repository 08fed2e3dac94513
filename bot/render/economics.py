"""Unit economics in words: each figure formatted in the reader's language, or "—" with its reason,
and the inputs it used (for ``templates/report_economics_*``, included by the report templates).

The figures come from the report (``report.unit_economics(economics)``,
:mod:`bot.services.unit_economics`); this layer only names and formats them.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from bot.domain.labels import label
from bot.domain.money import format_money
from bot.i18n import N_, Gettext
from bot.render.reports import NO_CAMPAIGN, decimal, percent

#: The inputs a figure names (``Figure.used``), in words.
INPUTS = {
    "won_deals": N_("vendas ganhas com valor"),
    "customers_won": N_("clientes ganhos"),
    "costs": N_("custos do período"),
    "team_costs": N_("custo do time"),
    "tools": N_("ferramentas"),
    "lists": N_("listas compradas"),
    "touch_share": N_("parcela dos toques"),
    "gross_margin": N_("margem bruta"),
    "churn": N_("churn mensal"),
    "sqls": "SQL",
    "meetings_held": N_("reuniões realizadas"),
    "won": N_("ganhos"),
    "lost": N_("perdidos"),
    "lead_created": N_("entrada do lead"),
    "won_on": N_("data da venda"),
    "pipeline": N_("negócios abertos com valor"),
    "stage_probabilities": N_("probabilidade por etapa"),
    "monthly_value": N_("valor mensal"),
    "contract_months": N_("prazo"),
    "setup_fee": N_("implantação"),
}

#: The figures of a slice, in the order they are shown: attribute, name.
FIGURES = (
    ("ticket", N_("Ticket médio (mensal)")),
    ("cac", "CAC"),
    ("ltv", "LTV"),
    ("ltv_cac", "LTV/CAC"),
    ("payback", "Payback"),
    ("cost_per_sql", N_("Custo por SQL")),
    ("cost_per_meeting", N_("Custo por reunião realizada")),
    ("win_rate", N_("Taxa de ganho")),
    ("cycle", N_("Ciclo de venda")),
)
NO_CHANNEL = N_("(sem SQL)")
NO_SEGMENT = N_("(sem segmento)")


def figure_text(figure: Any, language: str, _: Gettext) -> str:
    """A figure's value in words ("R$ 1.490,00", "3,2×", "8,1 meses", "42,0%", "23 dias"), or "—"."""
    value: Decimal | None = figure.value
    if value is None:
        return "—"
    unit = figure.unit.value
    if unit == "cents":
        return format_money(int(value.to_integral_value()), language)
    if unit == "ratio":
        return decimal(float(value), 1, language) + "×"
    if unit == "months":
        return _("%(n)s meses") % {"n": decimal(float(value), 1, language)}
    if unit == "days":
        shown = decimal(float(value), 0, language)
        return _("1 dia") if shown == "1" else _("%(n)s dias") % {"n": shown}
    return percent(float(value), language)


def reason_text(figure: Any, _: Gettext) -> str:
    return _(figure.missing) % dict(figure.params) if figure.missing else ""


def inputs_text(figure: Any, _: Gettext) -> str:
    return ", ".join(_(INPUTS[name]) if name in INPUTS else name for name in figure.used)


def economics_values(report: Any, language: str, playbook: Any | None, _: Gettext) -> dict[str, Any]:
    """What the economics templates are given: ``ue`` (the figures, or ``None``) and the helpers."""
    compute = getattr(report, "unit_economics", None)
    economics = getattr(playbook, "economics", None)  # a reason book (tests) has none
    ue = compute(economics) if compute is not None else None

    def slice_name(item: Any) -> str:
        if item.dimension == "channel":
            return label("channel", item.key, _) if item.key else _(NO_CHANNEL)
        if item.dimension == "segment":
            return item.label if item.key else _(NO_SEGMENT)
        return item.key or _(NO_CAMPAIGN)

    def missing(item: Any) -> list[tuple[str, list[str]]]:
        """The slice's figures without a value, grouped by their reason: [(reason, [names])]."""
        grouped: dict[str, list[str]] = {}
        for attribute, name in FIGURES:
            figure = getattr(item, attribute)
            if figure.value is None:
                grouped.setdefault(reason_text(figure, _), []).append(_(name))
        return list(grouped.items())

    return {
        "ue": ue,
        "figures": [(attribute, _(name)) for attribute, name in FIGURES],
        "fig": lambda figure: figure_text(figure, language, _),
        "why": lambda figure: reason_text(figure, _),
        "inputs": lambda figure: inputs_text(figure, _),
        "slice_name": slice_name,
        "missing": missing,
        "money": lambda cents: format_money(int(cents), language),
        "ue_verdict": lambda template: _(template) if template else "",
    }
