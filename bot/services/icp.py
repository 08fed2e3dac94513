"""Scoring leads for people: parse typed facts, score them, explain the result as text."""

from __future__ import annotations

from collections.abc import Mapping

from bot.domain.facts import LeadFacts
from bot.domain.lead_fields import LeadDraft, read_fields
from bot.domain.playbook.model import Playbook
from bot.domain.scoring import IcpResult, criterion_name, score
from bot.domain.vocabulary import SalesModel

SALES_MODEL_NAMES = {
    SalesModel.ENTERPRISE: "Enterprise",
    SalesModel.TRANSACTIONAL: "Transacional",
    SalesModel.SELF_SERVICE: "Self-service",
}


def score_raw(raw: Mapping[str, str | None], playbook: Playbook) -> tuple[LeadFacts, IcpResult, dict[str, str]]:
    """Parse what was typed and score it; invalid facts are reported and scored as unknown."""
    values, errors = read_fields(raw)
    facts = LeadDraft().changed(values).facts
    return facts, score(facts, playbook.icp), {key: str(refusal) for key, refusal in errors.items()}


def explain_lines(result: IcpResult) -> list[str]:
    """One line per criterion: "CNAE 6201-5/01 — divisão 62 '…' — 30/30"."""
    lines = []
    for c in result.criteria:
        if c.known:
            lines.append(f"{criterion_name(c.criterion)} {c.value} — {c.reason} — {c.points}/{c.max_points}")
        else:
            lines.append(f"{criterion_name(c.criterion)} ? — desconhecido, não pontuado — ?/{c.max_points}")
    return lines


def explain_text(result: IcpResult, *, company: str = "") -> str:
    head = f"{company}\n" if company else ""
    potential = (
        f" (até {result.potential} se os dados que faltam forem favoráveis)" if result.potential != result.score else ""
    )
    text = [
        f"{head}ICP: {result.score}/100{potential} — tier {result.tier}",
        f"Modelo de vendas sugerido: {SALES_MODEL_NAMES[result.sales_model]} — {result.sales_model_why}",
        "",
        *(f"  {line}" for line in explain_lines(result)),
    ]
    if result.knockouts:
        text += ["", "Eliminado:"] + [f"  ✗ {k.reason}" for k in result.knockouts]
    if result.unverified_knockouts:
        text += ["", "Eliminatórios não verificados (faltam dados):"] + [
            f"  ? {k.reason}" for k in result.unverified_knockouts
        ]
    if result.notes:
        text += ["", *(f"Obs.: {n}" for n in result.notes)]
    return "\n".join(text)
