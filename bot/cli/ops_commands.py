"""Operator commands: ``cadencia backup FILE`` and ``cadencia restore FILE``."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from bot.cli.commands import CommandFailed
from bot.config import Settings
from bot.storage.backup import BackupRefused
from bot.storage.backup import backup as take_backup
from bot.storage.backup import restore as restore_backup


def backup(args: argparse.Namespace) -> int:
    settings = Settings()
    try:
        info = take_backup(settings.database_url, args.file)
    except BackupRefused as refused:
        raise CommandFailed(str(refused)) from None
    leads = f", {info.leads} leads" if info.leads is not None else ""
    print(f"backup salvo em {info.path} ({info.kind}, esquema {info.revision}{leads})")
    return 0


def restore(args: argparse.Namespace) -> int:
    settings = Settings()
    if not args.yes:
        if not sys.stdin.isatty():
            raise CommandFailed("a restauração substitui todos os dados atuais; confirme com --yes", status=2)
        answer = input(f"Substituir o banco {settings.database_url} pelo backup {args.file}? [s/N] ")
        if answer.strip().lower() not in {"s", "sim", "y", "yes"}:
            print("nada foi alterado")
            return 1
    try:
        info = restore_backup(settings.database_url, args.file)
    except BackupRefused as refused:
        raise CommandFailed(str(refused)) from None
    print(f"banco restaurado de {args.file} (esquema {info.revision}); as migrações rodam no próximo início")
    return 0


def register(sub: Any) -> None:
    backup_parser = sub.add_parser("backup", help="copy the database to FILE (safe while the bot runs)")
    backup_parser.add_argument("file", type=Path)
    backup_parser.set_defaults(handler=backup)
    restore_parser = sub.add_parser("restore", help="replace the database with a backup (stop the bot first)")
    restore_parser.add_argument("file", type=Path)
    restore_parser.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    restore_parser.set_defaults(handler=restore)
