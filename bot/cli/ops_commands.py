"""Operator commands: ``cadencia backup FILE`` and ``cadencia restore FILE``."""

from __future__ import annotations

import argparse
import sys

from bot.cli.failures import CommandFailed
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
