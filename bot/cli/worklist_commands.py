"""Working the list from the server: ``cadencia lead start`` (cadences in bulk for a campaign,
a tier or an import) and ``cadencia lead reassign`` (one lead, or every open lead of a rep, to
another rep or round-robin). They run as the operator: each cadence is started as its lead's
owner, and every reassignment is recorded with ``via=cli``. Errors are one line on stderr.
"""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Mapping
from typing import Any

from bot.cli.failures import CommandFailed
from bot.config import Settings
from bot.domain import numbers

SKIP_TEXT = {
    "running": "já em cadência",
    "moved_on": "já adiante no funil",
    "closed": "ganhos ou perdidos",
    "knocked_out": "fora do ICP por knock-out",
    "tier_d": "fora do ICP (tier D)",
}


def start(args: argparse.Namespace) -> int:
    from bot.cli.bot_commands import _runtime
    from bot.cli.commands import cli_language
    from bot.domain import worklist as rules
    from bot.services import worklist

    words = (
        ["campanha", args.campaign]
        if args.campaign is not None
        else ["tier", args.tier]
        if args.tier is not None
        else ["importacao", args.batch]
    )
    try:
        selection = rules.read_selection(words)
    except rules.BadSelection as exc:
        raise CommandFailed(str(exc), status=2) from None
    runtime = _runtime(Settings(), cli_language(args))
    outside = args.include_outside_icp
    try:
        if args.dry_run:
            plan = worklist.plan_bulk(runtime, None, selection, include_outside=outside)
            print(f"{plan.label}: {plan.total} lead(s); iniciaria {len(plan.start)}.")
            _skipped(plan.skipped)
            if plan.outside and not outside:
                print(f"  --include-outside-icp iniciaria também os {plan.outside} de fora do ICP.")
            print("simulação: nada iniciado (tire --dry-run para iniciar)")
            return 0
        done = worklist.run_bulk(runtime, None, selection, include_outside=outside)
    except rules.BadSelection as exc:
        raise CommandFailed(str(exc)) from None
    print(f"{done.label}: {done.started} cadência(s) iniciada(s) de {done.total} lead(s).")
    if done.overrides:
        print(f"  fora do ICP, por --include-outside-icp: {done.overrides} (registrados)")
    _skipped(done.skipped)
    return 0


def _skipped(skipped: Mapping[Any, int]) -> None:
    total = sum(skipped.values())
    if total:
        reasons = ", ".join(f"{n} {SKIP_TEXT.get(str(reason), str(reason))}" for reason, n in skipped.items() if n)
        print(f"  pulados: {total} ({reasons})")


def reassign(args: argparse.Namespace) -> int:
    from bot.cli.bot_commands import _runtime
    from bot.cli.commands import cli_language
    from bot.domain import offboarding as spreading
    from bot.domain import worklist as rules
    from bot.services import reassign as service
    from bot.services.leads import LeadNotFound

    if (args.lead_id is None) == (args.giver is None):
        raise CommandFailed("diga qual lead (ID) ou --from QUEM (todos os leads abertos de alguém)", status=2)
    lead_id = None
    if args.lead_id is not None:
        lead_id = numbers.read_int(args.lead_id.strip().lstrip("#"), 1, numbers.DB_INT_MAX)
        if lead_id is None:
            raise CommandFailed(f"'{args.lead_id}' não é o número de um lead (ex.: cadencia lead reassign 42)", 2)
    runtime = _runtime(Settings(), cli_language(args))
    try:
        to: int | str = service.ROUND_ROBIN
        if args.to:
            to = service.find_member(runtime, args.to).id
        if lead_id is not None:
            if to == service.ROUND_ROBIN:
                raise CommandFailed("um lead vai para uma pessoa: use --to QUEM", status=2)
            done = service.reassign_lead(runtime, None, lead_id, int(to), via="cli")
        else:
            giver = service.find_member(runtime, args.giver)
            done = service.reassign_open(runtime, None, giver.id, to, via="cli")
    except (rules.ReassignRefused, spreading.DeactivationRefused) as exc:
        raise CommandFailed(str(exc)) from None
    except LeadNotFound:
        raise CommandFailed(f"lead {lead_id} não existe") from None
    if done.lead_id is not None:
        print(f"lead {done.lead_id} {done.company}: de {done.previous.name} para {done.receivers[0].name}.")
    else:
        moved = ", ".join(f"{r.leads} para {r.name}" for r in done.receivers)
        print(f"leads abertos de {done.previous.name}: {moved}.")
    print(f"  lembretes que foram junto: {done.reminders_moved}.")
    _tell(done)
    return 0


def _tell(done: object) -> None:
    """Tell both sides through the bot, when there is a token."""
    from bot.cli.team_commands import telegram_bot
    from bot.services.reassign import Reassigned
    from bot.tg.reassign_chat import tell_parties

    assert isinstance(done, Reassigned)
    bot = telegram_bot(Settings())
    if bot is None:
        print("  sem TELEGRAM_BOT_TOKEN: avise os vendedores você mesmo.")
        return

    async def run() -> None:
        async with bot:
            await tell_parties(bot, done)

    try:
        asyncio.run(run())
    except Exception as exc:  # the leads moved all the same; only the notice failed
        print(f"  não consegui falar com o Telegram ({type(exc).__name__}).")
        return
    print("  vendedores avisados pelo bot.")
