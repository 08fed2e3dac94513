"""Leads: create, find, list, score, disqualify — always as a given member."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from bot.domain import cnae, funnel, paging, regions
from bot.domain.facts import CnpjClash, LeadFacts, cnpj_clash, cnpj_root, format_cnpj
from bot.domain.funnel import Way
from bot.domain.lead_fields import FieldValue, LeadDraft
from bot.domain.paging import ListKey
from bot.domain.scoring import IcpResult, score
from bot.domain.script_context import LeadView, RepView
from bot.domain.text import fold
from bot.domain.vocabulary import CLOSED_STAGES, Role, Stage
from bot.services.flows import FlowKind, record_ending
from bot.services.runtime import Runtime
from bot.services.team import NotAllowed, can_see
from bot.services.views import LeadCard, MemberLike, facts_of
from bot.storage import lead_list
from bot.storage import leads as lead_store
from bot.storage.lead_list import COUNT_CAP, LeadLine
from bot.storage.models import Lead

if TYPE_CHECKING:
    from sqlmodel import Session

PAGE_SIZE = 8
CLOSED_STAGE_VALUES = tuple(sorted(s.value for s in CLOSED_STAGES))
CONTACT_FIELDS = ("contact_name", "contact_role", "contact_phone", "contact_email", "contact_linkedin")
TEXT_FIELDS = ("company", "city", "campaign", *CONTACT_FIELDS)


class LeadNotFound(Exception):
    pass


def company_key(name: str) -> str:
    """Company name folded for de-duplication: "Padaria São João Ltda." → "padaria sao joao"."""
    folded = re.sub(r"[^a-z0-9 ]+", " ", fold(name))
    folded = re.sub(r"\b(ltda|me|epp|eireli|s ?a|sa|cia)\b", " ", folded)
    return " ".join(folded.split())[:200]


def apply_facts(lead: Lead, facts: LeadFacts) -> None:
    lead.cnae = facts.cnae
    lead.uf = facts.uf
    lead.headcount_low = facts.headcount.low if facts.headcount else None
    lead.headcount_high = facts.headcount.high if facts.headcount else None
    lead.revenue_low = facts.revenue.low if facts.revenue else None
    lead.revenue_high = facts.revenue.high if facts.revenue else None
    lead.branches = facts.branches
    lead.registration = facts.registration.value if facts.registration else None
    lead.financial_score = facts.financial_score
    lead.cnpj = facts.cnpj
    lead.federal_status = facts.federal_status.value if facts.federal_status else None
    lead.porte = facts.porte.value if facts.porte else None
    lead.simples = facts.simples
    lead.mei = facts.mei
    lead.opened_on = facts.opened_on


def apply_score(lead: Lead, result: IcpResult, fingerprint: str) -> None:
    lead.icp_score = result.score
    lead.icp_potential = result.potential
    lead.icp_tier = result.tier.value
    lead.sales_model = result.sales_model.value
    lead.knocked_out = result.knocked_out
    lead.scored_with = fingerprint


def score_lead(runtime: Runtime, lead: Lead) -> IcpResult:
    return score_facts(runtime, facts_of(lead))


def score_facts(runtime: Runtime, facts: LeadFacts) -> IcpResult:
    """The ICP of the playbook in force on these facts (a card's, a stored lead's), the
    company's age counted today."""
    return score(facts.aged(runtime.now().date()), runtime.icp)


def draft_of(lead: Lead) -> LeadDraft:
    """A stored lead's fields, typed: where an edit starts."""
    return LeadDraft(
        company=lead.company,
        trade_name=lead.trade_name,
        city=lead.city,
        contact_name=lead.contact_name,
        contact_role=lead.contact_role,
        contact_phone=lead.contact_phone,
        contact_email=lead.contact_email,
        contact_linkedin=lead.contact_linkedin,
        website=lead.website,
        campaign=lead.campaign,
        notes=lead.notes or "",
        registry_month=lead.registry_month or "",
        facts=facts_of(lead),
    )


@dataclass(frozen=True, slots=True)
class SavedLead:
    """A lead just created or corrected, and its ICP."""

    lead: LeadCard
    result: IcpResult


@dataclass(frozen=True, slots=True)
class CnpjMatch:
    """A lead already in the pipeline whose CNPJ meets a new one (see :func:`cnpj_match`).

    ``lead_id``, ``company`` and ``owner_name`` are only filled in when the member may see
    that lead; otherwise the member learns only that it exists with another rep.
    """

    clash: CnpjClash
    visible: bool
    own: bool
    """The member's own lead."""
    lead_id: int | None
    company: str
    owner_name: str
    root: str


class CnpjTaken(Exception):
    """The CNPJ is already a lead (or, unconfirmed, the same company's root is)."""

    def __init__(self, match: CnpjMatch) -> None:
        super().__init__(f"CNPJ root {match.root} is already in the pipeline ({match.clash.value})")
        self.match = match


def _cnpj_match(session: Session, member: MemberLike, cnpj: str, *, excluding: int | None = None) -> CnpjMatch | None:
    found = []
    for lead, owner in lead_store.leads_with_cnpj_prefix(session, prefix=cnpj_root(cnpj)):
        if lead.id == excluding:
            continue
        clash = cnpj_clash(cnpj, lead.cnpj)
        if clash is not None:
            found.append((clash is not CnpjClash.SAME, not can_see(member, lead), lead.id or 0, lead, owner, clash))
    if not found:
        return None
    *_, lead, owner, clash = min(found, key=lambda f: f[:3])  # the same CNPJ first, then one they may see
    if not can_see(member, lead):
        return CnpjMatch(clash, False, False, None, "", "", cnpj_root(cnpj))
    own = lead.owner_id == member.id
    return CnpjMatch(clash, True, own, lead.id, lead.company, owner.full_name or owner.first_name, cnpj_root(cnpj))


def cnpj_match(runtime: Runtime, member: MemberLike, cnpj: str, *, excluding: int | None = None) -> CnpjMatch | None:
    """The lead of the team that already has ``cnpj`` (compact) or, failing that, its root
    (``excluding``: the lead being edited)."""
    with runtime.transaction() as session:
        return _cnpj_match(session, member, cnpj, excluding=excluding)


def create_lead(
    runtime: Runtime,
    member: MemberLike,
    draft: LeadDraft,
    *,
    other_branch: bool = False,
    flow: str | None = None,
) -> SavedLead:
    """Create a lead from the draft /novo typed (each field read once, as the rep typed it).

    :class:`CnpjTaken` if its CNPJ is already a lead, or if another establishment of the same
    company is and ``other_branch`` (the rep said this is a different branch) is not set.
    ``flow``: the /novo run this ends (:func:`bot.services.flows.record_ending`, same transaction).
    """
    company = draft.company
    if not company:
        raise ValueError("company is required")
    now = runtime.now()
    lead = Lead(
        owner_id=member.id or 0,
        company=company[:200],
        company_key=company_key(company),
        trade_name=draft.trade_name,
        registry_month=draft.registry_month or None,
        website=draft.website,
        notes=draft.notes or None,
        created_by=member.id,
        created_at=now,
        updated_at=now,
        stage=funnel.ENTRY.value,
    )
    for name in TEXT_FIELDS:
        if name != "company":
            setattr(lead, name, getattr(draft, name))
    apply_facts(lead, draft.facts)
    result = score_facts(runtime, draft.facts)
    apply_score(lead, result, runtime.playbook.fingerprint)
    with runtime.transaction() as session:
        if lead.cnpj:
            match = _cnpj_match(session, member, lead.cnpj)
            if match is not None and (match.clash is CnpjClash.SAME or not other_branch):
                raise CnpjTaken(match)
        lead_store.add_lead(session, lead=lead)
        record_ending(session, runtime, flow, member, FlowKind.LEAD, lead_id=lead.id, result_id=lead.id)
        lead_store.add_stage_change(
            session,
            lead_id=lead.id or 0,
            rep_id=member.id,
            campaign=lead.campaign,
            from_stage=None,
            to_stage=funnel.ENTRY.value,
            playbook_version=runtime.playbook.version,
            playbook_fingerprint=runtime.playbook.fingerprint,
            at=now,
        )
        return SavedLead(LeadCard.of(lead), result)


def update_facts(
    runtime: Runtime,
    member: MemberLike,
    lead_id: int,
    changes: Mapping[str, FieldValue | None],
    *,
    flow: str | None = None,
) -> SavedLead:
    """Change some fields of a lead (typed values; ``None``: now unknown) and score it again.

    The change starts from the lead's stored typed values (:func:`draft_of`). ``flow``: the
    edit run this ends, recorded in the same transaction."""
    with runtime.transaction() as session:
        lead = _authorised(session, member, lead_id)
        record_ending(session, runtime, flow, member, FlowKind.FACTS, lead_id=lead_id, result_id=lead_id)
        draft = draft_of(lead).changed(changes)
        facts = draft.facts
        if facts.cnpj and facts.cnpj != lead.cnpj:
            match = _cnpj_match(session, member, facts.cnpj, excluding=lead_id)
            if match is not None and match.clash is CnpjClash.SAME:  # another branch is a correction
                raise CnpjTaken(match)
        campaign = lead.campaign
        for name in TEXT_FIELDS:
            if name in changes:
                setattr(lead, name, getattr(draft, name))
        if lead.campaign != campaign:  # a correction: the lead's history moves with it
            lead_store.move_history_to_campaign(session, lead_id=lead_id, campaign=lead.campaign)
        if "company" in changes and lead.company:
            lead.company_key = company_key(lead.company)
        if "trade_name" in changes:
            lead.trade_name = draft.trade_name
        if "registry_month" in changes:
            lead.registry_month = draft.registry_month or None
        apply_facts(lead, facts)
        result = score_facts(runtime, facts)
        apply_score(lead, result, runtime.playbook.fingerprint)
        lead.updated_at = runtime.now()
        lead_store.save_lead(session, lead=lead)
        return SavedLead(LeadCard.of(lead), result)


def _authorised(session: Session, member: MemberLike, lead_id: int) -> Lead:
    lead = lead_store.get_lead(session, lead_id=lead_id)
    if lead is None:
        raise LeadNotFound(lead_id)
    if not can_see(member, lead):
        raise NotAllowed(f"member {member.id} may not see lead {lead_id}")
    return lead


def authorise_id(runtime: Runtime, member: MemberLike, lead_id: int) -> None:
    """LeadNotFound or NotAllowed unless ``member`` may see lead ``lead_id`` (one indexed read)."""
    with runtime.reading() as session:
        owner = lead_list.lead_owner(session, lead_id=lead_id)
    if owner is None:
        raise LeadNotFound(lead_id)
    if member.role != Role.MANAGER and owner != member.id:
        raise NotAllowed(f"member {member.id} may not see lead {lead_id}")


def get_lead(runtime: Runtime, member: MemberLike, lead_id: int) -> LeadCard:
    """The lead's card (LeadNotFound, or NotAllowed unless ``member`` may see it)."""
    with runtime.transaction() as session:
        return LeadCard.of(_authorised(session, member, lead_id))


@dataclass(frozen=True, slots=True)
class LeadPage:
    """One page of a lead list. ``total`` leads in the list (at most :data:`COUNT_CAP`; ``more``
    when there are more than that, and then ``pages`` is unknown: ``None``)."""

    leads: list[LeadLine]
    page: int
    pages: int | None
    total: int
    more: bool
    has_previous: bool
    has_next: bool

    @property
    def first_key(self) -> ListKey | None:
        return self.leads[0].key if self.leads else None

    @property
    def last_key(self) -> ListKey | None:
        return self.leads[-1].key if self.leads else None


LEAD_FILTERS = ("all", "due", "open", *[s.value for s in Stage])


def list_leads(
    runtime: Runtime,
    member: MemberLike,
    *,
    flt: str = "all",
    page: int = 0,
    after: ListKey | None = None,
    before: ListKey | None = None,
    now: datetime | None = None,
    tier: str | None = None,
    campaign: str | None = None,
) -> LeadPage:
    """A page of the member's leads (a manager: the team's), newest first, PAGE_SIZE per page.

    The first page, or the page after the key ``after`` (the last lead shown, for ▶), or the
    one before ``before`` (the first shown, for ◀); ``page`` is only the number shown. Read by
    keyset on an index, with a capped count: the cost does not grow with the number of leads.
    A page past the end (the list shrank meanwhile) shows the last page; one before the start,
    the first. ``tier`` and ``campaign`` narrow the list (/leads filters).
    """
    kind, stage = (flt, None) if flt in ("all", "due", "open") else ("stage", flt)
    scope: dict[str, Any] = {
        "owner_id": None if member.role == Role.MANAGER else member.id,
        "kind": kind,
        "closed": CLOSED_STAGE_VALUES,
        "stage": stage,
        "moment": (now or runtime.now()) if kind == "due" else None,
        "tier": tier,
        "campaign": campaign,
    }
    with runtime.reading() as session:

        def read(**where: Any) -> list[LeadLine]:
            return lead_list.lead_lines(session, **scope, **where)

        counted = lead_list.count_lead_lines(session, **scope)
        total, more = min(counted, COUNT_CAP), counted > COUNT_CAP
        pages = None if more else paging.page_count(total, PAGE_SIZE)
        if before is not None:
            lines = read(before=before, limit=PAGE_SIZE + 1)
            if len(lines) > PAGE_SIZE:  # more before these: a page in the middle
                lines, page = lines[1:], max(page, 1)
            else:  # the start of the list
                lines, page = read(limit=PAGE_SIZE), 0
            has_next = bool(lines) and bool(read(after=lines[-1].key, limit=1))
        else:
            lines = read(after=after, limit=PAGE_SIZE + 1)
            page = page if after is not None else 0
            if not lines and after is not None:  # the list shrank past this page: the last page
                lines = read(from_end=True, limit=PAGE_SIZE)
                page = page if pages is None else pages - 1
            has_next, lines = len(lines) > PAGE_SIZE, lines[:PAGE_SIZE]
    if pages is not None:
        page = min(page, pages - 1)
    return LeadPage(lines, page, pages, total, more, page > 0, has_next)


def lead_view(lead: Lead | LeadCard, result: IcpResult | None = None) -> LeadView:
    """What scripts see of a lead: formatted text, empty when unknown."""
    uf = regions.UFS.get(lead.uf or "")
    subclass = cnae.all_subclasses().get(lead.cnae or "")
    facts = lead.facts if isinstance(lead, LeadCard) else facts_of(lead)
    first = (lead.contact_name or "").split(" ")[0]
    return LeadView(
        company=lead.company,
        cnpj=format_cnpj(lead.cnpj) if lead.cnpj else "",
        cnae=subclass.formatted if subclass else "",
        cnae_name=subclass.name if subclass else "",
        uf=lead.uf or "",
        uf_name=uf.name if uf else "",
        city=lead.city,
        region=str(uf.region) if uf else "",
        headcount=str(facts.headcount) if facts.headcount else "",
        revenue=str(facts.revenue) if facts.revenue else "",
        branches=str(facts.branches) if facts.branches is not None else "",
        campaign=lead.campaign,
        contact_name=lead.contact_name,
        contact_first_name=first,
        contact_role=lead.contact_role,
        contact_phone=lead.contact_phone,
        contact_email=lead.contact_email,
        contact_linkedin=lead.contact_linkedin,
        tier=lead.icp_tier or "",
        score=str(lead.icp_score) if lead.icp_score is not None else "",
    )


def rep_view(member: MemberLike) -> RepView:
    return RepView(
        first_name=member.first_name,
        full_name=member.full_name or member.first_name,
        phone=member.phone,
        email=member.email,
    )


def record_stage(
    session: Session,
    runtime: Runtime,
    lead: Lead,
    member: MemberLike | None,
    to_stage: Stage,
    reason: str | None = None,
    *,
    way: Way,
) -> None:
    """Move a lead to a stage and log the change (no row if it stays where it is).

    Every stage change of a service goes through here, so every one is checked against the
    funnel first: :class:`~bot.domain.funnel.MoveRefused` if the funnel forbids it (nothing is
    written; the caller's transaction is rolled back).
    """
    source = Stage(lead.stage)
    funnel.check(
        source,
        to_stage,
        way,
        reason=reason,
        valid_reasons=funnel.loss_reasons(runtime.playbook, source),
        lead_id=lead.id,
    )
    if source is to_stage:
        return
    lead_store.add_stage_change(
        session,
        lead_id=lead.id or 0,
        rep_id=member.id if member else None,
        campaign=lead.campaign,
        from_stage=lead.stage,
        to_stage=to_stage.value,
        reason=reason,
        playbook_version=runtime.playbook.version,
        playbook_fingerprint=runtime.playbook.fingerprint,
        at=runtime.now(),
    )
    lead.stage = to_stage.value
    lead.updated_at = runtime.now()
    if to_stage is Stage.LOST:
        lead.loss_reason = reason
    lead_store.save_lead(session, lead=lead)


def disqualify(runtime: Runtime, member: MemberLike, lead_id: int, reason: str) -> LeadCard:
    """Close a lead as lost by hand, with a reason of its stage (MoveRefused otherwise)."""
    with runtime.transaction() as session:
        lead = _authorised(session, member, lead_id)
        record_stage(session, runtime, lead, member, Stage.LOST, reason, way=Way.HAND)
        lead.cadence_status = "finished"
        lead.current_step = None
        lead.step_due_at = None
        return LeadCard.of(lead)
