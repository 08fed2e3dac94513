"""``cadencia team``: the team from the command line, so a fresh database can take an import.

    cadencia team add 123456789 "Ana Lima" --role rep --uf SP
    cadencia team list
    cadencia team pause ana | cadencia team resume ana
"""

from __future__ import annotations

import argparse
from typing import Any

from bot.cli.commands import CommandFailed
from bot.domain.vocabulary import Role

ROLES = {"rep": Role.REP, "vendedor": Role.REP, "manager": Role.MANAGER, "gestor": Role.MANAGER}
ROLE_NAMES = {Role.REP.value: "vendedor", Role.MANAGER.value: "gestor"}


def register(sub: Any) -> None:
    team = sub.add_parser("team", help="add, list, pause or resume team members")
    actions = team.add_subparsers(dest="team_command", metavar="ACTION", required=True)
    add = actions.add_parser("add", help="add a member (a rep by default)")
    add.add_argument("telegram_id", help="the person's Telegram id (ask @userinfobot)")
    add.add_argument("name", nargs="+", help="full name")
    add.add_argument("--role", default="rep", help="rep (vendedor) or manager (gestor); default rep")
    add.add_argument("--uf", default=None, help="state (sets time zone and holidays); default DEFAULT_UF")
    add.set_defaults(handler=add_member)
    listing = actions.add_parser("list", help="list the active team")
    listing.set_defaults(handler=list_team)
    for action, help_text in (("pause", "pause a rep (vacation)"), ("resume", "resume a paused rep")):
        change = actions.add_parser(action, help=help_text)
        change.add_argument("who", help="Telegram id, member id, @username or name")
        change.set_defaults(handler=pause if action == "pause" else resume)


def _engine() -> Any:
    from bot.cli.manager_commands import _engine as engine

    return engine()


def add_member(args: argparse.Namespace) -> int:
    from bot.config import Settings
    from bot.services import team

    role = ROLES.get(args.role.strip().lower())
    if role is None:
        raise CommandFailed(f"papel '{args.role}' não existe; use rep ou manager")
    if not args.telegram_id.strip().isdigit():
        raise CommandFailed(f"id do Telegram '{args.telegram_id}' deve ser um número (pergunte ao @userinfobot)")
    engine = _engine()
    try:
        member = team.add_member(
            engine,
            telegram_id=int(args.telegram_id),
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

    members = team.everyone(_engine())
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
        member = team.pause_member(_engine(), args.who, paused=paused)
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
