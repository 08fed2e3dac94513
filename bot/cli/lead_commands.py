"""LGPD sub-commands: ``cadencia lead erase ID``, ``cadencia lead purge``, ``cadencia lead erasures``.

They run as the server's operator (no Telegram member); every erasure is audited with
``via=cli``. Errors are one line on stderr and a non-zero exit status.
"""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from bot.cli.commands import CommandFailed
from bot.cli.manager_commands import _engine
from bot.config import Settings
from bot.domain import numbers
from bot.domain.privacy import ErasureVia

LOCAL_ZONE = ZoneInfo("America/Sao_Paulo")

FIELD_NAMES = {
    "contact_name": "nome do contato",
    "contact_role": "cargo",
    "contact_phone": "telefone",
    "contact_email": "e-mail",
    "contact_linkedin": "LinkedIn",
    "notes": "observações do lead",
}
VIA_NAMES = {"chat": "chat", "cli": "linha de comando", "bot": "retenção automática"}


def register(sub: Any) -> None:
    lead = sub.add_parser("lead", help="LGPD: erase a contact's personal data, purge old lost leads, list erasures")
    lead_sub = lead.add_subparsers(dest="lead_command", metavar="ACTION", required=True)
    erase_parser = lead_sub.add_parser(
        "erase", help="erase the contact's personal data of one lead (kept: company, facts, numbers)"
    )
    erase_parser.add_argument("lead_id", metavar="ID", help="the lead's number, e.g. 42")
    erase_parser.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    erase_parser.set_defaults(handler=erase)
    purge_parser = lead_sub.add_parser(
        "purge", help="erase the contact data of leads lost more than RETENTION_MONTHS ago"
    )
    purge_parser.add_argument("--dry-run", action="store_true", help="only count them; change nothing")
    purge_parser.add_argument("--months", type=int, help="instead of RETENTION_MONTHS")
    purge_parser.set_defaults(handler=purge)
    list_parser = lead_sub.add_parser("erasures", help="the audit of every erasure, newest first")
    list_parser.add_argument("--limit", type=int, default=50, help="at most this many lines (0: all)")
    list_parser.set_defaults(handler=erasures)


def _day(moment: datetime) -> str:
    return moment.astimezone(LOCAL_ZONE).strftime("%d/%m/%Y")


def _lead_id(text: str) -> int:
    text = text.strip().lstrip("#")
    try:
        return numbers.parse_id(text)
    except numbers.InvalidNumber:
        raise CommandFailed(f"'{text}' não é o número de um lead (ex.: cadencia lead erase 42)", status=2) from None


def describe(fields: tuple[str, ...], touches: int) -> str:
    parts = [FIELD_NAMES.get(f, f) for f in fields]
    if touches:
        parts.append(f"notas e respostas de qualificação de {touches} toque(s)")
    return ", ".join(parts) if parts else "nada além da marca de apagamento"


def erase(args: argparse.Namespace) -> int:
    from bot.services import privacy
    from bot.services.leads import LeadNotFound

    lead_id = _lead_id(args.lead_id)
    engine = _engine()
    try:
        before = privacy.preview(engine, lead_id)
    except LeadNotFound:
        raise CommandFailed(f"lead {lead_id} não existe") from None
    if before.empty and before.erased_at is not None:
        raise CommandFailed(
            f"lead {lead_id} ({before.company}): dados pessoais já apagados em {_day(before.erased_at)}"
        )
    if not args.yes:
        if not sys.stdin.isatty():
            raise CommandFailed("apagar dados pessoais não se desfaz; confirme com --yes", status=2)
        answer = input(f"Apagar de {before.company} (#{lead_id}): {describe(before.fields, before.touches)}? [s/N] ")
        if answer.strip().lower() not in {"s", "sim", "y", "yes"}:
            print("nada foi alterado")
            return 1
    try:
        done = privacy.erase(engine, lead_id, now=datetime.now(UTC), via=ErasureVia.CLI)
    except privacy.NothingToErase as exc:
        raise CommandFailed(
            f"lead {lead_id}: dados pessoais já apagados em {_day(exc.erased_at or datetime.now(UTC))}"
        ) from None
    print(f"lead {lead_id} ({done.company}): apagados {describe(done.fields, done.touches)}")
    print("mantidos: empresa, CNPJ, dados da empresa, etapas, toques e reuniões (os relatórios não mudam)")
    return 0


def purge(args: argparse.Namespace) -> int:
    from bot.services import privacy

    months = args.months if args.months is not None else Settings().retention_months
    if months < 0:
        raise CommandFailed("--months não pode ser negativo", status=2)
    if months == 0:
        raise CommandFailed("retenção desligada: defina RETENTION_MONTHS (ou use --months N)", status=2)
    engine = _engine()
    result = privacy.purge(engine, months=months, now=datetime.now(UTC), via=ErasureVia.CLI, dry_run=args.dry_run)
    cutoff = _day(result.cutoff) if result.cutoff else "?"
    if args.dry_run:
        print(
            f"{result.count} lead(s) perdido(s) antes de {cutoff} teriam os dados pessoais apagados (nada foi alterado)"
        )
    else:
        print(f"{result.count} lead(s) perdido(s) antes de {cutoff} tiveram os dados pessoais apagados")
    return 0


def erasures(args: argparse.Namespace) -> int:
    from bot.services import privacy

    engine = _engine()
    lines = privacy.erasures(engine, limit=args.limit or None)
    if not lines:
        print("nenhum apagamento registrado")
        return 0
    for line in lines:
        who = line.member or VIA_NAMES.get(line.via, line.via)
        when = line.at.astimezone(LOCAL_ZONE).strftime("%d/%m/%Y %H:%M")
        reason = "pedido do titular" if line.reason == "request" else "retenção"
        print(
            f"{when}  lead {line.lead_id} ({line.company})  por {who} via {line.via}  {reason}: "
            f"{describe(line.fields, line.touches)}"
        )
    return 0
