"""LGPD sub-commands: ``cadencia lead erase ID``, ``cadencia lead purge``, ``cadencia lead erasures``.

They run as the server's operator (no Telegram member); every erasure is audited with
``via=cli``. Errors are one line on stderr and a non-zero exit status.
"""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from bot.cli.failures import CommandFailed
from bot.cli.manager_commands import local_zone
from bot.cli.runtime import cli_runtime
from bot.config import Settings
from bot.domain import numbers
from bot.domain.privacy import ErasureVia

FIELD_NAMES = {
    "contact_name": "nome do contato",
    "contact_role": "cargo",
    "contact_phone": "telefone",
    "contact_email": "e-mail",
    "contact_linkedin": "LinkedIn",
    "notes": "observações do lead",
}
VIA_NAMES = {"chat": "chat", "cli": "linha de comando", "bot": "retenção automática"}


def _day(moment: datetime) -> str:
    return moment.astimezone(ZoneInfo(local_zone())).strftime("%d/%m/%Y")


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
    runtime = cli_runtime()
    try:
        before = privacy.preview(runtime, lead_id)
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
        done = privacy.erase(runtime, lead_id, via=ErasureVia.CLI)
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
    result = privacy.purge(cli_runtime(), months=months, via=ErasureVia.CLI, dry_run=args.dry_run)
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

    lines = privacy.erasures(cli_runtime(), limit=args.limit or None)
    if not lines:
        print("nenhum apagamento registrado")
        return 0
    for line in lines:
        who = line.member or VIA_NAMES.get(line.via, line.via)
        when = line.at.astimezone(ZoneInfo(local_zone())).strftime("%d/%m/%Y %H:%M")
        reason = "pedido do titular" if line.reason == "request" else "retenção"
        print(
            f"{when}  lead {line.lead_id} ({line.company})  por {who} via {line.via}  {reason}: "
            f"{describe(line.fields, line.touches)}"
        )
    return 0
