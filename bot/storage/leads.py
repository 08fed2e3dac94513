"""Leads and their stage changes: every statement the lead services run.

Conventions (as everywhere in :mod:`bot.storage`): the session comes first, every other
argument is keyword-only; functions ``flush`` when the caller needs a new row's id, never
``commit`` — the service's ``runtime.transaction()`` owns the transaction. The lists the
``/leads`` command pages through are keyset reads in :mod:`bot.storage.lead_list`.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import update
from sqlmodel import Session, col, select

from bot.storage.models import FitOverride, Lead, Meeting, Member, StageChange, Touch, utcnow


def get_lead(session: Session, *, lead_id: int) -> Lead | None:
    return session.get(Lead, lead_id)


def owner_of(session: Session, *, lead: Lead) -> Member | None:
    """The member who owns ``lead`` (``None`` only if that row is gone)."""
    return session.get(Member, lead.owner_id)


def add_lead(session: Session, *, lead: Lead) -> Lead:
    """Insert a new lead (build it with the model; ``company_key`` must already be folded)."""
    session.add(lead)
    session.flush()
    return lead


def save_lead(session: Session, *, lead: Lead) -> None:
    """Keep the changes made to ``lead`` in this transaction (written at the next flush)."""
    session.add(lead)


def add_stage_change(
    session: Session,
    *,
    lead_id: int,
    to_stage: str,
    from_stage: str | None,
    rep_id: int | None,
    campaign: str = "",
    reason: str | None = None,
    playbook_version: str | None = None,
    playbook_fingerprint: str | None = None,
    at: datetime | None = None,
) -> StageChange:
    """Record a move in the funnel. Updating ``Lead.stage`` itself is the caller's job."""
    change = StageChange(
        lead_id=lead_id,
        rep_id=rep_id,
        campaign=campaign,
        from_stage=from_stage,
        to_stage=to_stage,
        reason=reason,
        playbook_version=playbook_version,
        playbook_fingerprint=playbook_fingerprint,
        at=at or utcnow(),
    )
    session.add(change)
    return change


def move_history_to_campaign(session: Session, *, lead_id: int, campaign: str) -> None:
    """Give every event of a lead (touches, stage changes, meetings, fit overrides) the lead's
    corrected campaign: a lead belongs to one campaign, so the report counts it once."""
    for table in (Touch, StageChange, Meeting, FitOverride):
        session.execute(update(table).where(col(table.lead_id) == lead_id).values(campaign=campaign))


def leads_with_cnpj_prefix(session: Session, *, prefix: str, limit: int = 20) -> list[tuple[Lead, Member]]:
    """Leads whose CNPJ starts with ``prefix`` (a CNPJ root), oldest first, with their owners.

    A range on ``ix_leads_cnpj`` (a LIKE would read every lead): from the root up to the next
    root; CNPJs are digits or capital letters, so nothing sorts between the two. The owners are
    read by primary key afterwards, so no plan can start from the members and read their leads.
    """
    if not prefix:
        return []
    statement = (
        select(Lead)
        .where(col(Lead.cnpj) >= prefix, col(Lead.cnpj) < prefix[:-1] + chr(ord(prefix[-1]) + 1))
        .order_by(col(Lead.id))
        .limit(limit)
    )
    found = list(session.exec(statement))
    owners = {lead.owner_id: session.get(Member, lead.owner_id) for lead in found}
    return [(lead, owner) for lead in found if (owner := owners[lead.owner_id]) is not None]


def steps_due_before(session: Session, *, owner_id: int, status: str, before: datetime) -> list[Lead]:
    """The owner's leads whose cadence is in ``status`` with a step due before ``before``,
    most overdue first; leads due at the same moment (a bulk start plans a whole list for one
    morning) best fit first: tier A before D, then the higher score."""
    statement = (
        select(Lead)
        .where(
            Lead.owner_id == owner_id,
            Lead.cadence_status == status,
            col(Lead.step_due_at).is_not(None),
            col(Lead.step_due_at) < before,
        )
        .order_by(
            col(Lead.step_due_at),
            col(Lead.icp_tier).asc().nulls_last(),
            col(Lead.icp_score).desc().nulls_last(),
            col(Lead.id),
        )
    )
    return list(session.exec(statement))


__all__ = [
    "add_lead",
    "add_stage_change",
    "get_lead",
    "leads_with_cnpj_prefix",
    "move_history_to_campaign",
    "owner_of",
    "save_lead",
    "steps_due_before",
]
