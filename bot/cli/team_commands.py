"""``cadencia team``: the team from the command line.

cadencia team deactivate ana --to bruno      # or --round-robin
"""

from __future__ import annotations

import argparse
import asyncio
from typing import Any

from telegram import Bot

from bot.cli.commands import CommandFailed
from bot.config import Settings


def register(sub: Any) -> None:
    team = sub.add_parser("team", help="manage the team (deactivate someone who left)")
    actions = team.add_subparsers(dest="team_command", metavar="ACTION", required=True)
    off = actions.add_parser(
        "deactivate", help="end a member's access and hand their open leads to someone else (audited)"
    )
    off.add_argument("who", help="Telegram id, member id, @username or name")
    target = off.add_mutually_exclusive_group()
    target.add_argument("--to", help="who receives the open leads (Telegram id, member id, @username or name)")
    target.add_argument(
        "--round-robin", action="store_true", help="spread the open leads among the active reps who are not paused"
    )
    off.set_defaults(handler=deactivate)


def _engine() -> Any:
    from bot.cli.manager_commands import _engine as engine

    return engine()


def telegram_bot(settings: Settings) -> Bot | None:
    """The bot that tells the receiving reps (``None`` without a token: nobody is told)."""
    if not settings.telegram_bot_token:
        return None
    return Bot(
        settings.telegram_bot_token,
        base_url=settings.telegram_api_base_url,
        base_file_url=settings.telegram_api_file_url,
    )


def deactivate(args: argparse.Namespace) -> int:
    from bot.domain.offboarding import DeactivationRefused
    from bot.services import offboarding
    from bot.services.runtime import system_clock

    engine = _engine()
    try:
        leaving = offboarding.find_member(engine, args.who)
        to: int | str = offboarding.ROUND_ROBIN
        if args.to:
            to = offboarding.find_member(engine, args.to).id or 0
        elif not args.round_robin:
            open_leads = offboarding.open_lead_count(engine, leaving.id or 0)
            if open_leads:
                raise CommandFailed(
                    f"{offboarding.name_of(leaving)} tem {open_leads} lead(s) em aberto: diga para quem vão "
                    "com --to QUEM ou --round-robin"
                )
        done = offboarding.deactivate(
            engine, actor=None, member_id=leaving.id or 0, to=to, now=system_clock(), via="cli"
        )
    except offboarding.MemberNotFound as exc:
        raise CommandFailed(str(exc)) from None
    except DeactivationRefused as exc:
        raise CommandFailed(f"{offboarding.name_of(leaving)}: {exc}") from None
    moved = ", ".join(f"{r.leads} para {r.name}" for r in done.receivers) or "nenhum lead aberto"
    print(f"{done.name} desativado(a): {moved}.")
    if done.leads_kept:
        print(f"  {done.leads_kept} lead(s) ganho(s) ou perdido(s) ficaram com {done.name}, para o histórico.")
    print(f"  lembretes: {done.reminders_moved} passados aos novos donos, {done.reminders_cancelled} cancelados.")
    print("  o bot em execução corta o acesso em até 30 segundos.")
    _tell(done)
    return 0


def _tell(done: Any) -> None:
    """Tell the receiving reps through the bot, when there is a token."""
    from bot.tg.team import tell_receivers

    if not done.receivers:
        return
    bot = telegram_bot(Settings())
    if bot is None:
        names = ", ".join(r.name for r in done.receivers)
        print(f"  sem TELEGRAM_BOT_TOKEN: avise {names} você mesmo.")
        return

    async def run() -> list[str]:
        async with bot:
            return await tell_receivers(bot, done)

    try:
        missed = asyncio.run(run())
    except Exception as exc:  # the leads moved all the same; only the notice failed
        missed = [r.name for r in done.receivers]
        print(f"  não consegui falar com o Telegram ({type(exc).__name__}).")
    told = [r.name for r in done.receivers if r.name not in missed]
    if told:
        print(f"  avisados pelo bot: {', '.join(told)}.")
    if missed:
        print(f"  não avisados: {', '.join(missed)}.")
