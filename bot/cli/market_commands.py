"""``cadencia market``: the market size the loaded CNPJ registry gives for the ICP in force."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from bot.cli.commands import CommandFailed, cli_language
from bot.config import Settings
from bot.domain.regions import InvalidUf, parse_uf
from bot.domain.registry import MarketFilter

NO_REGISTRY = "nenhum registro da Receita carregado: rode `cadencia registry load` primeiro (veja o README)"


def register(sub: Any) -> None:
    parser = sub.add_parser("market", help="how many active registry companies fit the ICP, by tier, UF and CNAE")
    parser.add_argument("--uf", default="", help="UFs, comma-separated (SP,PR); default: every UF")
    parser.add_argument("--cnae", default="", help="CNAE prefixes, comma-separated (62,4930); default: every CNAE")
    parser.add_argument("--chart", type=Path, metavar="FILE", help="also write the chart (PNG) here")
    parser.set_defaults(handler=market)


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
