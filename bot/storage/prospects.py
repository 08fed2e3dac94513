"""What the pipeline already holds of the registry's companies: leads by CNPJ root."""

from __future__ import annotations

from sqlalchemy import func
from sqlmodel import Session, col, select

from bot.storage.models import Lead


def lead_stages_by_root(session: Session) -> dict[str, tuple[str, bool]]:
    """CNPJ root (8 characters) → (the furthest-along stage among its leads, whether any of them
    was worked: a cadence started or a stage past ``new``). Leads without a CNPJ are not here."""
    root = func.substr(col(Lead.cnpj), 1, 8)
    rows = session.exec(
        select(root, col(Lead.stage), col(Lead.cadence_status)).where(col(Lead.cnpj).is_not(None))
    ).all()
    found: dict[str, tuple[str, bool]] = {}
    for key, stage, cadence_status in rows:
        worked = stage != "new" or cadence_status != "not_started"
        before = found.get(key)
        if before is None:
            found[key] = (stage, worked)
        else:
            found[key] = ("won" if "won" in (before[0], stage) else before[0], before[1] or worked)
    return found
