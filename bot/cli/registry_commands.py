"""``cadencia registry load|status|show``: the open CNPJ registry under ``REGISTRY_DIR``.

``bot.registry`` (and DuckDB with it) is imported only when one of these runs, so ``cadencia
--help`` stays fast.
"""

from __future__ import annotations

import argparse
import logging
import sys
from datetime import date
from pathlib import Path

from bot.cli.commands import cli_language
from bot.cli.failures import CommandFailed
from bot.config import Settings
from bot.domain.labels import label, yes_no
from bot.domain.registry import RegistryCompany
from bot.i18n import N_, Gettext, gettext_for
from bot.i18n import day as format_day
from bot.i18n import number as format_number

NOTHING_LOADED = N_("nenhum mês do CNPJ carregado em %(dir)s (rode: cadencia registry load PASTA_OU_URL)")
NOT_FOUND = N_("CNPJ %(cnpj)s não está no cadastro de %(month)s")
BAD_CNPJ = N_("CNPJ inválido: %(cnpj)s (são 14 dígitos)")

log = logging.getLogger(__name__)


def _directory(args: argparse.Namespace) -> Path:
    return Path(args.registry_dir) if args.registry_dir else Settings().registry_dir


def load(args: argparse.Namespace) -> int:
    import duckdb

    from bot.registry.loader import LoadFailed
    from bot.registry.loader import load as run_load

    directory = _directory(args)
    try:
        result = run_load(args.source, directory, month=args.month, progress_stream=sys.stderr)
    except LoadFailed as failed:
        raise CommandFailed(str(failed)) from None
    except duckdb.Error as failed:  # disk full, a broken part file…: the month in service is untouched
        log.error("registry load failed", exc_info=True)
        raise CommandFailed(f"a carga parou ({failed}); o mês em uso não mudou; rode de novo para continuar") from None
    bad = sum(p.bad for p in result.parts)
    rows = sum(p.rows for p in result.parts)
    counts = result.counts
    print(
        f"CNPJ {result.month} carregado em {result.directory}: {counts['companies']:,} empresas "
        f"({counts['active_companies']:,} ativas), {counts['establishments']:,} estabelecimentos, "
        f"{counts['decision_makers']:,} decisores; {rows:,} linhas lidas em {result.seconds:,.0f} s"
        + (f", {bad:,} linhas ruins ignoradas (amostra no log)" if bad else "")
        + (f"; {len(result.skipped_parts)} parte(s) já estavam carregadas" if result.skipped_parts else "")
    )
    return 0


def status(args: argparse.Namespace) -> int:
    from bot.registry.store import ParquetRegistry

    directory = _directory(args)
    info = ParquetRegistry(directory).status()
    if info.month is None:
        print(f"nenhum mês carregado em {directory}")
    else:
        counts = info.counts
        print(f"mês carregado: {info.month} (em {info.loaded_at}), {directory}")
        print(
            f"  {counts.get('companies', 0):,} empresas ({counts.get('active_companies', 0):,} ativas), "
            f"{counts.get('establishments', 0):,} estabelecimentos, {counts.get('decision_makers', 0):,} decisores"
        )
        print(f"  {len(info.parts)} arquivo(s): {', '.join(info.parts)}")
        print(f"  linhas ruins ignoradas: {counts.get('bad_rows', 0):,}")
        print(f"  disco: {info.disk_bytes / 1e6:,.1f} MB")
    if info.loading:
        print("carga em andamento")
    for month in info.interrupted:
        if not info.loading:
            print(f"carga de {month} interrompida: rode `cadencia registry load` de novo para continuar")
    return 0


def show(args: argparse.Namespace) -> int:
    from bot.registry import open_store

    language = cli_language(args)
    _ = gettext_for(language)
    directory = _directory(args)
    digits = "".join(ch for ch in args.cnpj if ch.isdigit())
    if len(digits) != 14:
        raise CommandFailed(_(BAD_CNPJ) % {"cnpj": args.cnpj}, status=2)
    store = open_store(directory)
    month = store.month() if store is not None else None
    if store is None or month is None:
        raise CommandFailed(_(NOTHING_LOADED) % {"dir": directory})
    company = store.lookup(digits)
    if company is None:
        raise CommandFailed(_(NOT_FOUND) % {"cnpj": _cnpj(digits), "month": month})
    print(describe(company, language, cnae_name=store.cnae_name(company.cnae)))
    return 0


def _cnpj(d: str) -> str:
    return f"{d[:2]}.{d[2:5]}.{d[5:8]}/{d[8:12]}-{d[12:]}"


UNKNOWN = N_("desconhecido")
TRADE_NAME = N_("Nome fantasia")
STATUS_LINE = N_("Situação: %(status)s (desde %(since)s)")
OPENED = N_("Início da atividade")
SECONDARY = N_("CNAEs secundários")
CITY = N_("Município")
BRANCHES = N_("Filiais ativas")
PORTE = N_("Porte")
NATURE = N_("Natureza jurídica")
DECISION_MAKERS = N_("Decisores")
FROM_REGISTRY = N_("da Receita (%(month)s)")


def _yes_no(value: bool | None, _: Gettext) -> str:
    return _(UNKNOWN) if value is None else yes_no(value, _)


def describe(company: RegistryCompany, language: str, *, cnae_name: str | None = None) -> str:
    """What the registry knows of one company, as ``registry show`` prints it."""
    _ = gettext_for(language)
    unknown = _(UNKNOWN)

    def when(value: date | None) -> str:
        return format_day(value, language) if value else unknown

    def field(label: str, value: str) -> str:
        return "  " + _(label) + ": " + value

    cnae = company.cnae or unknown
    if company.cnae and len(company.cnae) == 7:
        cnae = f"{company.cnae[:4]}-{company.cnae[4]}/{company.cnae[5:]}"
    if cnae_name:
        cnae = f"{cnae} {cnae_name}"
    status = _(STATUS_LINE) % {
        "status": label("federal_status", company.status, _),
        "since": when(company.status_since),
    }
    lines = [
        f"{_cnpj(company.cnpj)} {company.legal_name}",
        field(TRADE_NAME, company.trade_name or "—"),
        "  " + status,
        field(OPENED, when(company.opened_on)),
        f"  CNAE: {cnae}",
    ]
    if company.secondary_cnaes:
        lines.append(field(SECONDARY, ", ".join(company.secondary_cnaes)))
    lines += [
        field(CITY, " / ".join(p for p in (company.city, company.uf) if p) or unknown),
        field(BRANCHES, format_number(company.active_branches, language)),
        field(PORTE, label("porte", company.porte, _)),
        f"  Simples: {_yes_no(company.simples, _)}; MEI: {_yes_no(company.mei, _)}",
        field(NATURE, company.legal_nature or unknown),
    ]
    if company.decision_makers:
        lines.append("  " + _(DECISION_MAKERS) + ":")
        lines += [f"    {p.name} ({p.qualification})" for p in company.decision_makers]
    lines.append(_(FROM_REGISTRY) % {"month": company.month})
    return "\n".join(lines)
