"""Fit overrides (cadences started on leads outside the ICP): record one, count a period."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func
from sqlmodel import Session, col, select

from bot.domain.activity import ActivityFilter
from bot.storage.models import FitOverride


def add_fit_override(
    session: Session,
    *,
    lead_id: int,
    member_id: int,
    campaign: str,
    tier: str | None,
    knockouts: list[str],
    playbook_version: str | None,
    at: datetime,
) -> FitOverride:
    row = FitOverride(
        lead_id=lead_id,
        member_id=member_id,
        campaign=campaign,
        tier=tier,
        knockouts=",".join(knockouts)[:300],
        playbook_version=playbook_version,
        at=at,
    )
    session.add(row)
    return row


def count_fit_overrides(session: Session, f: ActivityFilter) -> int:
    """Overrides in ``[f.start, f.end)``, for the filter's campaign, rep (who overrode) and
    playbook version."""
    statement = select(func.count()).select_from(FitOverride)
    if f.start is not None:
        statement = statement.where(col(FitOverride.at) >= f.start)
    if f.end is not None:
        statement = statement.where(col(FitOverride.at) < f.end)
    if f.campaign is not None:
        statement = statement.where(col(FitOverride.campaign) == f.campaign)
    if f.rep_id is not None:
        statement = statement.where(col(FitOverride.member_id) == f.rep_id)
    if f.playbook_version is not None:
        statement = statement.where(col(FitOverride.playbook_version) == f.playbook_version)
    return int(session.exec(statement).one())
