"""An update import (``--update``, the chat's 🔄 button): a row with the CNPJ of a stored lead fills
in what that lead is missing and scores it again; known values, owner and stage stay."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bot.domain.lead_fields import FACT_KEYS, LeadDraft
from bot.domain.playbook.model import Playbook
from bot.domain.privacy import import_may_fill
from bot.domain.scoring import score
from bot.services.leads import CONTACT_FIELDS, apply_facts, apply_score, facts_of
from bot.storage.models import Lead

#: Text fields an update may fill in on an existing lead (never company, campaign or owner).
FILLABLE_TEXT = ("trade_name", "city", "website", "notes", *CONTACT_FIELDS)


def fill_lead(lead: Lead, draft: LeadDraft, *, icp: Any, playbook: Playbook, moment: datetime) -> bool:
    """Fill in what ``lead`` is missing from a row's ``draft`` and score it again; True if
    anything was missing and known."""
    known = facts_of(lead)
    offered = draft.facts
    missing = {
        name: getattr(offered, name)
        for name in FACT_KEYS
        if getattr(known, name) is None and getattr(offered, name) is not None
    }
    erased = lead.personal_data_erased_at is not None
    texts = {
        name: getattr(draft, name)
        for name in FILLABLE_TEXT
        if getattr(draft, name) and not getattr(lead, name) and import_may_fill(name, erased=erased)
    }
    if not missing and not texts:
        return False
    facts = known.with_(**missing)
    apply_facts(lead, facts)
    for name, value in texts.items():
        setattr(lead, name, value)
    apply_score(lead, score(facts.aged(moment.date()), icp), playbook.fingerprint)
    lead.updated_at = moment
    return True
