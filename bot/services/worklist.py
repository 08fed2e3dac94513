"""Working the list: a manager starts the cadences of a campaign, a tier or an import at once,
and anyone finds a lead by what they know of it (/lead search).

A bulk start first *plans* (what would start, what is skipped and why: the dry run the chat
shows before the manager confirms), then *runs*: each lead is started by
:func:`bot.services.cadence.start_cadence`, the same use case as the lead card's button, so
the funnel check, the fit override record and the step reminder (the one planner,
:func:`bot.services.cadence.plan_step_reminder`) are the single start's. Each start is its own
transaction: a run stopped half-way is finished by running it again (started leads are
skipped as "already in cadence"). Leads outside the ICP (a knock-out, or tier D) are skipped
unless the manager explicitly includes them; then each start records its override.
"""

from __future__ import annotations

import hashlib
import logging
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from itertools import chain
from typing import TYPE_CHECKING

from bot.domain import funnel, numbers
from bot.domain import worklist as rules
from bot.domain.problems import N_
from bot.domain.text import fold
from bot.domain.vocabulary import Role, Stage
from bot.domain.worklist import OUTSIDE_ICP, BadSelection, QueryKind, Selection, SelectionKind, Skip
from bot.services import cadence
from bot.services.leads import LeadNotFound, authorise_id
from bot.services.runtime import Runtime
from bot.services.team import NotAllowed, require_manager
from bot.services.views import LeadCard, MemberLike, MemberView
from bot.storage import members as member_store
from bot.storage import worklist as store

if TYPE_CHECKING:
    from sqlmodel import Session

log = logging.getLogger(__name__)

SEARCH_LIMIT = 8


# ---------------------------------------------------------------------------- campaigns in buttons


def campaign_token(name: str) -> str:
    """A campaign named in callback data (64 bytes, ASCII): the first 10 hex digits of its
    SHA-1. A button names the campaign; the press finds it again among the campaigns there are."""
    return hashlib.sha1(name.encode(), usedforsecurity=False).hexdigest()[:10]


def campaign_of_token(runtime: Runtime, token: str) -> str | None:
    with runtime.reading() as session:
        return next((name for name in store.campaigns(session) if campaign_token(name) == token), None)


def _campaign(session: Session, typed: str) -> str:
    """The campaign ``typed`` names: exactly, or with accents and case ignored."""
    known = store.campaigns(session)
    if typed in known:
        return typed
    found = [name for name in known if fold(name) == fold(typed)]
    if len(found) == 1:
        return found[0]
    shown = ", ".join(known[:10]) or "—"
    raise BadSelection(N_("Nenhuma campanha '%(typed)s'. Campanhas: %(names)s."), typed=typed[:60], names=shown)


def resolve_campaign(runtime: Runtime, typed: str) -> str:
    """A campaign typed in a /leads filter or a bulk start (:class:`BadSelection` if none)."""
    with runtime.reading() as session:
        return _campaign(session, typed)


# ---------------------------------------------------------------------------- bulk start


@dataclass(frozen=True, slots=True)
class BulkPlan:
    """What a bulk start would do: ``start`` the ids it would start; ``skipped`` per reason."""

    selection: Selection
    label: str
    """The selection as the manager reads it: the campaign's name, "A", the import's file."""
    total: int
    start: tuple[int, ...]
    skipped: dict[Skip, int] = field(default_factory=dict)
    include_outside: bool = False

    @property
    def outside(self) -> int:
        """Leads outside the ICP that the override would add (skipped now)."""
        return sum(self.skipped.get(reason, 0) for reason in OUTSIDE_ICP)


@dataclass(frozen=True, slots=True)
class BulkResult:
    label: str
    total: int
    started: int
    skipped: dict[Skip, int]
    overrides: int
    """Leads outside the ICP started on the manager's override (each recorded)."""
    by_owner: dict[int, int]
    """Owner member id → leads started."""


def _decide(candidate: store.Candidate, include_outside: bool) -> Skip | None:
    reason = rules.stage_skip(Stage(candidate.stage))
    if reason is None:
        outside = rules.fit_skip(candidate.icp_tier, candidate.knocked_out)
        if outside is not None and not include_outside:
            return outside
    return reason


def _select(session: Session, selection: Selection) -> tuple[str, list[store.Candidate]]:
    if selection.kind is SelectionKind.CAMPAIGN:
        name = _campaign(session, selection.value)
        return name, store.candidates(session, campaign=name)
    if selection.kind is SelectionKind.TIER:
        return selection.value, store.candidates(session, tier=selection.value)
    batch = store.import_batch(session, batch_id=int(selection.value))
    if batch is None or batch.status != "done":
        raise BadSelection(N_("Importação %(n)s não existe (ou foi desfeita)."), n=selection.value)
    found = store.candidates(session, created_at=batch.started_at, created_by=batch.member_id)
    return f"#{batch.id} {batch.filename}", found


def plan_bulk(runtime: Runtime, manager: MemberLike | None, selection: Selection, *, include_outside: bool) -> BulkPlan:
    """The dry run: how many leads the selection holds, which would start, which are skipped
    and why. ``manager`` ``None``: the server's operator (the CLI)."""
    if manager is not None:
        require_manager(manager)
    with runtime.reading() as session:
        label, found = _select(session, selection)
    start: list[int] = []
    skipped: Counter[Skip] = Counter()
    for candidate in found:
        reason = _decide(candidate, include_outside)
        if reason is None:
            start.append(candidate.id)
        else:
            skipped[reason] += 1
    return BulkPlan(selection, label, len(found), tuple(start), dict(skipped), include_outside)


def run_bulk(
    runtime: Runtime, manager: MemberLike | None, selection: Selection, *, include_outside: bool
) -> BulkResult:
    """Start the cadences the plan says, one lead at a time (each lead is decided again as it
    starts: a lead started meanwhile is counted as already in cadence). ``manager`` ``None``:
    the operator, and each lead is started as its owner."""
    plan = plan_bulk(runtime, manager, selection, include_outside=include_outside)
    skipped: Counter[Skip] = Counter(plan.skipped)
    by_owner: Counter[int] = Counter()
    overrides = 0
    owners: dict[int, MemberView] = {}
    if manager is None:
        with runtime.reading() as session:
            owners = {m.id or 0: MemberView.of(m) for m in member_store.list_members(session, active=None)}
    for lead_id in plan.start:
        outcome = _start_one(runtime, manager, owners, lead_id, include_outside)
        if isinstance(outcome, Skip):
            skipped[outcome] += 1
            continue
        lead, overridden = outcome
        by_owner[lead.owner_id] += 1
        overrides += overridden
    result = BulkResult(plan.label, plan.total, sum(by_owner.values()), dict(skipped), overrides, dict(by_owner))
    log.info(
        "bulk start of %s %r by %s: %s of %s started (%s outside the ICP), skipped %s",
        selection.kind,
        plan.label,
        manager.id if manager is not None else "operator",
        result.started,
        result.total,
        overrides,
        dict(skipped),
    )
    return result


def _start_one(
    runtime: Runtime,
    manager: MemberLike | None,
    owners: dict[int, MemberView],
    lead_id: int,
    include_outside: bool,
) -> tuple[LeadCard, bool] | Skip:
    """Start one lead as the manager (or, from the CLI, as its owner); the skip reason if it
    may not start any more."""
    actor: MemberLike | None = manager
    if actor is None:
        with runtime.reading() as session:
            owner = store.owner_ids(session, lead_ids=[lead_id]).get(lead_id)
        actor = owners.get(owner or 0)
        if actor is None:
            return Skip.CLOSED  # the lead is gone
    try:
        before = cadence.start_cadence(runtime, actor, lead_id, confirmed=False)
        if before.stage != Stage.PROSPECTING.value:
            return Skip.MOVED_ON
        return before, False
    except cadence.FitUnconfirmed as unconfirmed:
        if not include_outside:
            return Skip.KNOCKED_OUT if unconfirmed.warning.knockout_ids else Skip.TIER_D
    except (funnel.MoveRefused, LeadNotFound):
        with runtime.reading() as session:
            stage = store.stage_of(session, lead_id=lead_id)
        return (rules.stage_skip(Stage(stage)) if stage else None) or Skip.MOVED_ON
    return cadence.start_cadence(runtime, actor, lead_id, confirmed=True), True


# ---------------------------------------------------------------------------- /lead search


def search_leads(runtime: Runtime, member: MemberLike, text: str, limit: int = SEARCH_LIMIT) -> list[LeadCard]:
    """The leads ``text`` finds among those ``member`` may see (a manager: the team's): by id,
    CNPJ or its root (formatted or not), e-mail, phone (any format: its last 8 digits), or a
    name — the company, the trade name or the contact's, every word, accents ignored.

    :class:`numbers.InvalidNumber` for digits that cannot be an id ("²", "0")."""
    query = rules.read_query(text)
    owner_id = None if member.role == Role.MANAGER else member.id
    if query.kind is QueryKind.ID:
        lead_id = numbers.parse_id(query.key)
        try:  # a wrong or someone else's number costs one indexed read
            authorise_id(runtime, member, lead_id)
        except (LeadNotFound, NotAllowed):
            return []
        ids = [lead_id]
    else:
        with runtime.reading() as session:
            ids = _search(session, query, owner_id, limit)
    with runtime.reading() as session:
        return [LeadCard.of(lead) for lead in store.leads_by_ids(session, ids=ids)]


def _search(session: Session, query: rules.LeadQuery, owner_id: int | None, limit: int) -> list[int]:
    if query.kind is QueryKind.CNPJ:
        found = store.ids_with_cnpj_prefix(session, prefix=query.key, owner_id=owner_id, limit=limit)
        if found or len(query.digits) < rules.PHONE_TAIL:
            return found
        query = rules.LeadQuery(QueryKind.PHONE, query.digits[-rules.PHONE_TAIL :], query.digits)  # 3333-4444
    if query.kind is QueryKind.EMAIL:
        found = store.ids_with_email(session, email=query.key, owner_id=owner_id, limit=limit)
        others = (
            i for i, _, _, email in store.other_contacts(session, owner_id=owner_id) if email.casefold() == query.key
        )
        return _more(found, others, limit)
    if query.kind is QueryKind.PHONE:
        return _more(
            [],
            chain(
                (
                    i
                    for i, _, _, phone in store.contact_texts(session, owner_id=owner_id)
                    if rules.phone_matches(query.key, phone)
                ),
                (
                    i
                    for i, _, phone, _ in store.other_contacts(session, owner_id=owner_id)
                    if rules.phone_matches(query.key, phone)
                ),
            ),
            limit,
        )
    words = query.key.split()
    if not words:
        return []
    found = store.ids_with_company_key(session, words=words, owner_id=owner_id, limit=limit)
    named = (
        i
        for i, trade_name, contact_name, _ in store.contact_texts(session, owner_id=owner_id)
        if rules.name_matches(query.key, trade_name) or rules.name_matches(query.key, contact_name)
    )
    others = (
        i for i, name, _, _ in store.other_contacts(session, owner_id=owner_id) if rules.name_matches(query.key, name)
    )
    return _more(found, chain(named, others), limit)


def _more(found: list[int], more: Iterable[int], limit: int) -> list[int]:
    """``found``, then the ids of ``more`` not in it yet, up to ``limit`` (``more`` is read lazily)."""
    found = list(found[:limit])
    for lead_id in more:
        if len(found) >= limit:
            break
        if lead_id not in found:
            found.append(lead_id)
    return found


__all__ = [
    "BadSelection",
    "BulkPlan",
    "BulkResult",
    "campaign_of_token",
    "campaign_token",
    "plan_bulk",
    "resolve_campaign",
    "run_bulk",
    "search_leads",
]
