"""``cadencia team``: the team from the command line, so a fresh database can take an import.

    cadencia team add 123456789 "Ana Lima" --role rep --uf SP
    cadencia team list
    cadencia team pause ana | cadencia team resume ana
    cadencia team deactivate ana --to bruno      # or --round-robin: someone left the team
"""

from __future__ import annotations

import argparse
import asyncio
from typing import TYPE_CHECKING, Any

from bot.cli.failures import CommandFailed
from bot.cli.runtime import cli_runtime
from bot.config import Settings
from bot.domain import numbers
from bot.domain.vocabulary import Role

if TYPE_CHECKING:
    from telegram import Bot

ROLES = {"rep": Role.REP, "vendedor": Role.REP, "manager": Role.MANAGER, "gestor": Role.MANAGER}
ROLE_NAMES = {Role.REP.value: "vendedor", Role.MANAGER.value: "gestor"}


def add_member(args: argparse.Namespace) -> int:
    from bot.config import Settings
    from bot.services import team

    role = ROLES.get(args.role.strip().lower())
    if role is None:
        raise CommandFailed(f"papel '{args.role}' não existe; use rep ou manager")
    try:
        telegram_id = numbers.parse_telegram_id(args.telegram_id)
    except numbers.InvalidNumber:
        raise CommandFailed(
            f"id do Telegram '{args.telegram_id[:30]}' deve ser um número de 0 a 9 (pergunte ao @userinfobot)"
        ) from None
    try:
        member = team.add_member(
            cli_runtime(),
            telegram_id=telegram_id,
            name=" ".join(args.name),
            role=role,
            uf=args.uf or Settings().default_uf,
        )
    except team.TeamChangeRefused as exc:
        raise CommandFailed(str(exc)) from None
    print(f"{member.full_name} entrou na equipe como {ROLE_NAMES[member.role]} ({member.uf}), id {member.id}.")
    return 0


def list_team(args: argparse.Namespace) -> int:
    from bot.services import team

    members = team.everyone(cli_runtime())
    if not members:
        print("A equipe está vazia. Adicione alguém: cadencia team add ID_TELEGRAM NOME --role rep")
        return 0
    for member in members:
        handle = f" @{member.username}" if member.username else ""
        state = " (em pausa)" if member.paused else ""
        print(
            f"{member.id:>4}  {member.telegram_id:>12}  {ROLE_NAMES.get(member.role, member.role):<8}  "
            f"{member.uf}  {member.full_name or member.first_name}{handle}{state}"
        )
    return 0


def _pause(args: argparse.Namespace, *, paused: bool) -> int:
    from bot.services import team

    try:
        member = team.pause_member(cli_runtime(), args.who, paused=paused)
    except team.TeamChangeRefused as exc:
        raise CommandFailed(str(exc)) from None
    name = member.full_name or member.first_name
    if paused:
        print(f"{name} está em pausa: os lembretes esperam e a divisão automática das importações o pula.")
    else:
        print(f"{name} voltou.")
    return 0


def pause(args: argparse.Namespace) -> int:
    return _pause(args, paused=True)


def resume(args: argparse.Namespace) -> int:
    return _pause(args, paused=False)


def telegram_bot(settings: Settings) -> Bot | None:
    """The bot that tells the receiving reps (``None`` without a token: nobody is told)."""
    if not settings.telegram_bot_token:
        return None
    from telegram import Bot

    return Bot(
        settings.telegram_bot_token,
        base_url=settings.telegram_api_base_url,
        base_file_url=settings.telegram_api_file_url,
    )


def deactivate(args: argparse.Namespace) -> int:
    from bot.domain.offboarding import DeactivationRefused
    from bot.services import offboarding

    runtime = cli_runtime()
    try:
        leaving = offboarding.find_member(runtime, args.who)
        to: int | str = offboarding.ROUND_ROBIN
        if args.to:
            to = offboarding.find_member(runtime, args.to).id
        elif not args.round_robin:
            open_leads = offboarding.open_lead_count(runtime, leaving.id)
            if open_leads:
                raise CommandFailed(
                    f"{offboarding.name_of(leaving)} tem {open_leads} lead(s) em aberto: diga para quem vão "
                    "com --to QUEM ou --round-robin"
                )
        done = offboarding.deactivate(runtime, actor=None, member_id=leaving.id, to=to, via="cli")
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
