"""A generator of realistic sales activity, for the report/export tests and the benchmarks.

Several campaigns (one without a name), reps, two playbook versions (switching mid-period),
scripts with A/B variants (B books a little more), stage changes that sometimes skip a stage,
losses with reasons at every stage, meetings held / no-show (with reasons) / rescheduled /
booked outside a touch. Every row is kept as a plain dict in :class:`Activity` so tests can
recompute each metric independently, in plain Python.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Engine, insert

from bot.storage.models import Lead, Meeting, Member, StageChange, Touch

T0 = datetime(2025, 3, 3, 12, 0, tzinfo=UTC)  # a Monday
SWITCH = T0 + timedelta(days=40)  # playbook 1.1 from here on
CAMPAIGNS = ("Logística SP", "Indústria Sul", "Saúde <NE>", "")
UFS = ("SP", "RJ", "MG", "PR", "SC", "RS", "BA", "PE", "CE")
STEPS = (
    ("approach_1", 1, "phone", "call_opening", True),
    ("approach_2", 2, "email", "email_intro", True),
    ("approach_3", 3, "whatsapp", "whatsapp_nudge", False),
    ("approach_4", 4, "linkedin", "linkedin_note", True),
    ("breakup", 5, "email", "email_breakup", False),
)
LOSS_REASONS = ("no_budget", "competitor", "no_fit", "timing", None)
NO_SHOW_REASONS = ("forgot", "conflict", None)


@dataclass
class Activity:
    members: list[dict[str, Any]] = field(default_factory=list)
    leads: list[dict[str, Any]] = field(default_factory=list)
    touches: list[dict[str, Any]] = field(default_factory=list)
    stage_changes: list[dict[str, Any]] = field(default_factory=list)
    meetings: list[dict[str, Any]] = field(default_factory=list)

    @property
    def reps(self) -> list[dict[str, Any]]:
        return [m for m in self.members if m["role"] == "rep"]


def _members(n_reps: int) -> list[dict[str, Any]]:
    rows = [
        dict(
            id=1,
            telegram_id=1000,
            role="manager",
            first_name="Marta",
            full_name="Marta Gerente",
            username="marta",
            created_at=T0,
        )
    ]
    first = ("Ana", "Bruno", "Carla", "Diego", "Elisa", "Fábio", "Gabi", "Hugo", "Iara", "João")
    for i in range(n_reps):
        name = first[i % len(first)] + ("" if i < len(first) else str(i))
        rows.append(
            dict(
                id=i + 2,
                telegram_id=2000 + i,
                role="rep",
                first_name=name,
                full_name=f"{name} Silva",
                username=f"rep{i}",
                created_at=T0,
            )
        )
    return rows


def simulate(
    n_leads: int, *, n_reps: int = 6, seed: int = 7, days: int = 90
) -> Iterator[tuple[str, dict[str, Any]]]:
    """Yield ("lead"|"touch"|"stage"|"meeting", row) in an insertable order."""
    rnd = random.Random(seed)
    touch_id = 0
    meeting_id = 0
    stage_id = 0
    for lead_id in range(1, n_leads + 1):
        owner = rnd.randrange(2, n_reps + 2)
        campaign = rnd.choice(CAMPAIGNS)
        created = T0 + timedelta(minutes=rnd.randrange(days * 24 * 60))
        name = f"Empresa {lead_id} Ltda"
        lead = dict(
            id=lead_id,
            owner_id=owner,
            company=name,
            company_key=f"empresa {lead_id} ltda",
            uf=rnd.choice(UFS),
            campaign=campaign,
            source="import",
            stage="new",
            created_by=1,
            created_at=created,
            updated_at=created,
            icp_score=rnd.randrange(101),
        )
        events: list[tuple[str, dict[str, Any]]] = []
        now = created
        stage = "new"

        def move(
            to: str,
            at: datetime,
            reason: str | None = None,
            _lead: int = lead_id,
            _owner: int = owner,
            _campaign: str = campaign,
            _events: list[tuple[str, dict[str, Any]]] = events,
        ) -> None:
            nonlocal stage, stage_id
            stage_id += 1
            version = "1.0" if at < SWITCH else "1.1"
            _events.append(
                (
                    "stage",
                    dict(
                        id=stage_id,
                        lead_id=_lead,
                        rep_id=_owner,
                        campaign=_campaign,
                        from_stage=stage,
                        to_stage=to,
                        reason=reason,
                        playbook_version=version,
                        playbook_fingerprint=f"fp{version}",
                        at=at,
                    ),
                )
            )
            stage = to

        inbound = rnd.random() < 0.05  # inbound leads skip straight to connected
        if inbound:
            now += timedelta(hours=2)
            move("connected", now)
        booked = False
        for step_id, number, channel, script, has_variants in STEPS:
            now += timedelta(hours=rnd.randrange(2, 60))
            version = "1.0" if now < SWITCH else "1.1"
            variant = rnd.choice("AB") if has_variants else "A"
            skipped = rnd.random() < 0.05
            if skipped:
                outcome = "skipped"
            else:
                meet_p = 0.05 + (0.04 if variant == "B" else 0) + (0.01 if version == "1.1" else 0)
                r = rnd.random()
                if r < meet_p:
                    outcome = "meeting_booked"
                elif r < meet_p + 0.12:
                    outcome = rnd.choice(("replied", "connected", "objection", "not_interested"))
                else:
                    outcome = rnd.choice(("no_answer", "no_answer", "no_answer", "wrong_contact"))
            reached = outcome in {
                "connected",
                "replied",
                "meeting_booked",
                "objection",
                "not_interested",
            }
            touch_id += 1
            row = dict(
                id=touch_id,
                lead_id=lead_id,
                rep_id=owner,
                campaign=campaign,
                step_id=step_id,
                step_number=number,
                step_kind="breakup" if step_id == "breakup" else "approach",
                channel=channel,
                script_id=script,
                variant=variant,
                playbook_version=version,
                playbook_fingerprint=f"fp{version}",
                outcome=outcome,
                contact_role=rnd.choice(("decision_maker", "influencer", "other"))
                if reached
                else None,
                objection="price" if outcome == "objection" else None,
                intent=rnd.choice(("45d", "90d", "later", "none"))
                if reached and rnd.random() < 0.6
                else None,
                pain="planilhas; retrabalho" if reached and rnd.random() < 0.3 else None,
                notes='disse "ligue depois"' if rnd.random() < 0.02 else None,
                happened_at=now,
                recorded_at=now + timedelta(seconds=30),
            )
            events.append(("touch", row))
            if stage == "new" and not skipped:
                move("prospecting", now)
            if reached and stage in ("new", "prospecting"):
                move("connected", now)
            if outcome == "not_interested":
                move("lost", now + timedelta(minutes=1), rnd.choice(LOSS_REASONS))
                break
            if outcome == "meeting_booked":
                booked = True
                move("meeting_booked", now)
                meeting_id += 1
                starts = now + timedelta(days=rnd.randrange(1, 8))
                status = rnd.choices(("held", "no_show", "rescheduled", "scheduled"), (6, 2, 1, 1))[
                    0
                ]
                meeting = dict(
                    id=meeting_id,
                    lead_id=lead_id,
                    rep_id=owner,
                    touch_id=touch_id,
                    campaign=campaign,
                    starts_at=starts,
                    status=status,
                    no_show_reason=rnd.choice(NO_SHOW_REASONS) if status == "no_show" else None,
                    created_at=now,
                    resolved_at=starts + timedelta(hours=1),
                )
                if status == "rescheduled":
                    meeting_id += 1
                    meeting["rescheduled_to"] = meeting_id
                    events.append(
                        (
                            "meeting",
                            dict(
                                id=meeting_id,
                                lead_id=lead_id,
                                rep_id=owner,
                                touch_id=None,
                                campaign=campaign,
                                starts_at=starts + timedelta(days=3),
                                status="held",
                                created_at=starts,
                                resolved_at=starts + timedelta(days=3, hours=1),
                            ),
                        )
                    )
                    status = "held"
                    starts += timedelta(days=3)
                events.insert(
                    len(events) - (1 if meeting.get("rescheduled_to") else 0), ("meeting", meeting)
                )
                now = starts + timedelta(hours=1)
                if status == "held":
                    move("meeting_held", now)
                    if rnd.random() < 0.5:
                        now += timedelta(days=2)
                        move("proposal_sent", now)
                        now += timedelta(days=rnd.randrange(3, 20))
                        if rnd.random() < 0.4:
                            move("won", now)
                        else:
                            move("lost", now, rnd.choice(LOSS_REASONS))
                    elif rnd.random() < 0.5:
                        move("lost", now, rnd.choice(LOSS_REASONS))
                elif status == "no_show" and rnd.random() < 0.5:
                    move("lost", now, rnd.choice(LOSS_REASONS))
                break
        if not booked and stage not in ("lost",) and rnd.random() < 0.3:
            move("lost", now + timedelta(days=1), rnd.choice(LOSS_REASONS))
        if not booked and stage != "lost" and rnd.random() < 0.02:
            # A meeting booked outside any touch (a call-back the rep did not log as a touch).
            meeting_id += 1
            starts = now + timedelta(days=2)
            events.append(
                (
                    "meeting",
                    dict(
                        id=meeting_id,
                        lead_id=lead_id,
                        rep_id=owner,
                        touch_id=None,
                        campaign=campaign,
                        starts_at=starts,
                        status="held",
                        created_at=now + timedelta(hours=1),
                        resolved_at=starts,
                    ),
                )
            )
        lead["stage"] = stage
        yield "lead", lead
        yield from events


TABLES = {"lead": Lead, "touch": Touch, "stage": StageChange, "meeting": Meeting}


def populate(
    engine: Engine,
    n_leads: int,
    *,
    n_reps: int = 6,
    seed: int = 7,
    keep: bool = True,
    chunk: int = 20_000,
) -> Activity:
    """Insert members and simulated activity; ``keep`` also returns every row."""
    activity = Activity(members=_members(n_reps))
    buffers: dict[str, list[dict[str, Any]]] = {k: [] for k in TABLES}
    order = ("lead", "touch", "meeting", "stage")

    with engine.begin() as connection:
        connection.execute(insert(Member), activity.members)

        def flush() -> None:
            for kind in order:
                rows = buffers[kind]
                if rows:
                    if kind == "meeting":  # rescheduled_to points forward: insert targets first
                        rows.sort(key=lambda r: r.get("rescheduled_to") is not None)
                    keys = set().union(*rows)
                    for r in rows:
                        for key in keys - r.keys():
                            r[key] = None
                    connection.execute(insert(TABLES[kind]), rows)
                    rows.clear()

        pending = 0
        for kind, row in simulate(n_leads, n_reps=n_reps, seed=seed):
            buffers[kind].append(row)
            if keep:
                getattr(
                    activity,
                    {
                        "lead": "leads",
                        "touch": "touches",
                        "stage": "stage_changes",
                        "meeting": "meetings",
                    }[kind],
                ).append(row)
            pending += 1
            if pending >= chunk and kind == "lead":
                flush()
                pending = 0
        flush()
    return activity
