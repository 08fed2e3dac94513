"""The bulk start oracle: random lists of leads (stages, fit, campaigns, owners), started in bulk
through the real chat, and the numbers the manager is shown recounted from the test's own log.

The test knows what it made of each lead (the facts profile it used gives the tier or the
knock-out; the actions it took give the stage), so it computes what a bulk start of a campaign
must start and skip, and why, without reading the bot's code; it then checks the reply's numbers
and, independently, the leads and reminders in the tables.
"""

from __future__ import annotations

import random
import re

import pytest
from sqlmodel import col, select

from bot.domain.lead_fields import LeadDraft
from bot.domain.vocabulary import ReminderKind, Role, Stage
from bot.services import cadence, leads
from bot.storage.models import Lead, Reminder
from tests.tg.conftest import bot, clock, default_playbook, runtime
from tests.tg.harness import BotUnderTest
from tests.tg.test_manager import done
from tests.tg.test_worklist import KNOCKED_OUT, TIER_A, TIER_C, TIER_D

__all__ = ["bot", "clock", "default_playbook", "runtime"]

# The bulk start button runs with block=False (done() awaits it); PTB warns about such tasks
# outside a running application, which is how the harness drives it.
pytestmark = pytest.mark.filterwarnings("ignore:Tasks created via `Application.create_task`")

PROFILES = {"A": TIER_A, "C": TIER_C, "D": TIER_D, "KO": KNOCKED_OUT}
CAMPAIGNS = ("Logística SP", "Saúde")
LABELS = {
    "running": "já em cadência",
    "moved_on": "já adiante no funil",
    "closed": "ganhos ou perdidos",
    "knocked_out": "fora do ICP por knock-out",
    "tier_d": "fora do ICP (tier D)",
}


def expected_reason(profile: str, state: str, include_outside: bool) -> str | None:
    """The test's own rule: only new leads start; outside the ICP only when included."""
    if state == "won":
        return "closed"
    if state == "started":
        return "running"
    if not include_outside and profile == "KO":
        return "knocked_out"
    if not include_outside and profile == "D":
        return "tier_d"
    return None


def shown(text: str) -> tuple[int, int, dict[str, int]]:
    started, total = re.search(r"Cadências iniciadas: (\d+) de (\d+) leads?\.", text).groups()  # type: ignore[union-attr]
    skipped = {
        reason: int(m.group(1))
        for reason, label in LABELS.items()
        if (m := re.search(r"• (\d+) " + re.escape(label), text))
    }
    return int(started), int(total), skipped


@pytest.mark.parametrize("seed", [1, 2, 3])
async def test_bulk_start_numbers_match_the_recount(bot: BotUnderTest, seed: int) -> None:
    rng = random.Random(seed)
    boss = await bot.member("Helena", role=Role.MANAGER)
    reps = [await bot.member(name) for name in ("Ana", "Bruno", "Carla")]
    log: dict[int, tuple[str, str, str, int]] = {}  # lead → (campaign, profile, state, owner)
    for n in range(rng.randint(12, 30)):
        rep, profile, campaign = rng.choice(reps), rng.choice(list(PROFILES)), rng.choice(CAMPAIGNS)
        assert rep.member is not None
        draft = LeadDraft.read({"company": f"Empresa {n:02d}", **PROFILES[profile], "campaign": campaign})
        lead_id = leads.create_lead(bot.runtime, rep.member, draft).lead.id or 0
        state = rng.choice(["new", "new", "new", "started", "won"])
        if state != "new":
            cadence.start_cadence(bot.runtime, rep.member, lead_id, confirmed=True)
        if state == "won":
            with bot.runtime.session() as session:
                row = session.get(Lead, lead_id)
                assert row is not None
                row.stage, row.cadence_status = Stage.WON.value, "finished"
                session.add(row)
        log[lead_id] = (campaign, profile, state, rep.member.id or 0)

    include_outside = rng.random() < 0.5
    campaign = CAMPAIGNS[0]
    mine = {lead: entry for lead, entry in log.items() if entry[0] == campaign}
    reasons = {lead: expected_reason(profile, state, include_outside) for lead, (_, profile, state, _) in mine.items()}
    to_start = sorted(lead for lead, reason in reasons.items() if reason is None)
    skipped: dict[str, int] = {}
    for reason in reasons.values():
        if reason is not None:
            skipped[reason] = skipped.get(reason, 0) + 1

    await boss.says(f"/iniciar campanha {campaign}")
    if include_outside and any(p in ("KO", "D") and s == "new" for _, p, s, _ in mine.values()):
        await boss.taps("Incluir os")
    boss.replies()
    if not to_start:
        assert not any(label.startswith("✅") for label in boss.buttons())
        return
    await boss.taps("Iniciar")
    await done()  # the start runs without holding other updates (block=False)
    started, total, skipped_shown = shown(boss.sees("Cadências iniciadas"))
    assert (started, total, skipped_shown) == (len(to_start), len(mine), skipped)

    # An independent look at the tables: exactly those leads moved, each with its step reminder.
    with bot.runtime.session() as session:
        rows = {lead.id: lead for lead in session.exec(select(Lead).where(col(Lead.id).in_(list(log))))}
        reminded = {
            r.lead_id: r.member_id
            for r in session.exec(
                select(Reminder).where(Reminder.kind == ReminderKind.STEP_DUE.value, Reminder.state == "pending")
            )
        }
    for lead, (_, _, state, owner) in log.items():
        expected = Stage.PROSPECTING.value if lead in to_start or state == "started" else None
        if expected is not None:
            assert rows[lead].stage == expected
            assert reminded.get(lead) == owner
        elif state == "new":
            assert rows[lead].stage == Stage.NEW.value and lead not in reminded
