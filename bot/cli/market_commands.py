"""``cadencia market``: the market size the loaded CNPJ registry gives for the ICP in force."""

from __future__ import annotations

import argparse

from bot.cli.commands import CommandFailed, cli_language
from bot.config import Settings
from bot.domain.regions import InvalidUf, parse_uf
from bot.domain.registry import MarketFilter
from bot.domain.vocabulary import Tier

NO_REGISTRY = "nenhum registro da Receita carregado: rode `cadencia registry load` primeiro (veja o README)"


def market_filter(ufs: str, cnaes: str) -> MarketFilter:
    """``"SP, pr"`` and ``"62,49.30"`` → a filter; CommandFailed naming a wrong value."""
    try:
        found_ufs = tuple(dict.fromkeys(parse_uf(u).code for u in ufs.split(",") if u.strip()))
    except InvalidUf as exc:
        raise CommandFailed(str(exc)) from None
    prefixes = []
    for raw in filter(None, (c.strip() for c in cnaes.split(","))):
        digits = "".join(ch for ch in raw if ch.isdigit())
        if not 2 <= len(digits) <= 7 or len(digits) != len(raw.replace(".", "").replace("-", "").replace("/", "")):
            raise CommandFailed(f"CNAE '{raw}': use os primeiros dígitos do código, como 62 ou 4930")
        prefixes.append(digits)
    return MarketFilter(ufs=found_ufs, cnae_prefixes=tuple(prefixes))


def market(args: argparse.Namespace) -> int:
    from bot.cli.bot_commands import _runtime
    from bot.services import market as market_service

    language = cli_language(args)
    what = market_filter(args.uf, args.cnae)
    runtime = _runtime(Settings(), language)
    try:
        size = market_service.market_size(runtime, what)
    except market_service.NoRegistry:
        raise CommandFailed(NO_REGISTRY) from None
    print(market_service.market_text(size, language))
    if args.chart:
        args.chart.write_bytes(market_service.market_chart(size, language))
        print(args.chart)
    return 0


def _tiers(text: str) -> tuple[Tier, ...]:
    found = []
    for part in filter(None, (p.strip().upper() for p in text.split(","))):
        if part not in ("A", "B", "C"):
            raise CommandFailed(f"tier '{part}': use A, B ou C (separados por vírgula)")
        found.append(Tier(part))
    return tuple(dict.fromkeys(found)) or (Tier.A,)


def prospect(args: argparse.Namespace) -> int:
    from bot.cli.bot_commands import _runtime
    from bot.services import imports
    from bot.services import market as market_service
    from bot.services import prospect as prospect_service

    language = cli_language(args)
    what = market_filter(args.uf, args.cnae)
    tiers = _tiers(args.tier)
    if not 1 <= args.limit <= prospect_service.MAX_LIMIT:
        raise CommandFailed(f"--limit: de 1 a {prospect_service.MAX_LIMIT}")
    runtime = _runtime(Settings(), language)
    try:
        found = prospect_service.prospect(
            runtime,
            what,
            tiers=tiers,
            limit=args.limit,
            campaign=args.campaign,
            reps=None if args.round_robin else args.reps,
            dry_run=args.dry_run,
            with_contacts=args.with_contacts,
        )
    except market_service.NoRegistry:
        raise CommandFailed(NO_REGISTRY) from None
    except imports.ImportFailed as exc:
        raise CommandFailed(str(exc)) from None
    tier_text = " · ".join(f"{t.value} {n}" for t, n in sorted(found.by_tier.items())) or "—"
    print(
        f"{len(found.picked)} empresas escolhidas ({tier_text}) de {found.examined} examinadas; "
        f"já eram leads {found.already_leads}, eliminadas {found.knocked_out}, de outro tier {found.other_tier}"
    )
    if args.dry_run:
        for company, result in found.picked[: prospect_service.SAMPLE]:
            uf = company.uf or "--"
            print(f"  {company.cnpj}  {result.tier.value} {result.score:>3}  {uf}  {company.legal_name}")
        print("simulação: nenhum lead criado (tire --dry-run para criar)")
    elif found.imported is not None:
        counts = found.imported.counts
        print(f"leads criados: {counts.imported}; recusados: {counts.rejected}; duplicados: {counts.duplicates}")
        if args.with_contacts:
            people, with_people = found.contacts
            print(f"contatos da Receita (sócios administradores): {people} em {with_people} leads; uso registrado")
    return 0
