"""An in-memory :class:`~bot.domain.registry.RegistryStore` built from ``RegistryCompany`` rows,
and a factory of plausible companies, for tests of the registry's users (not of its loader)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import replace
from datetime import date

from stdnum.br import cnpj as stdnum_cnpj

from bot.domain.registry import FederalStatus, MarketCell, MarketFilter, Porte, RegistryCompany

MONTH = "2026-11"


def cnpj_for(root: int, order: int = 1) -> str:
    """A valid 14-digit CNPJ: ``root`` (8 digits), establishment ``order``, check digits."""
    base = f"{root:08d}{order:04d}"
    return base + stdnum_cnpj.calc_check_digits(base)


def company(root: int = 11222333, **changes: object) -> RegistryCompany:
    """An active software company in São Paulo, with whatever ``changes`` say."""
    found = RegistryCompany(
        cnpj=cnpj_for(root),
        legal_name="Horizonte Sistemas Ltda",
        trade_name="Horizonte",
        status=FederalStatus.ACTIVE,
        status_since=date(2015, 3, 2),
        opened_on=date(2015, 3, 2),
        cnae="4930202",
        secondary_cnaes=("5211701",),
        uf="SP",
        city="São Paulo",
        active_branches=3,
        porte=Porte.OTHER,
        simples=False,
        mei=False,
        legal_nature="2062",
        month=MONTH,
    )
    return replace(found, **changes)  # type: ignore[arg-type]


class FakeRegistry:
    """Answers from a list of companies, as the loaded registry would."""

    counts_branches = True

    def __init__(self, companies: Iterable[RegistryCompany] = (), *, month: str | None = MONTH) -> None:
        self.companies = {c.cnpj: c for c in companies}
        self._month = month
        self.lookups: list[str] = []

    def month(self) -> str | None:
        return self._month

    def lookup(self, cnpj: str) -> RegistryCompany | None:
        self.lookups.append(cnpj)
        return self.companies.get(cnpj) if self._month else None

    def _matching(self, what: MarketFilter) -> list[RegistryCompany]:
        return [
            c
            for c in sorted(self.companies.values(), key=lambda c: c.cnpj)
            if (not what.active_only or c.active)
            and (not what.ufs or c.uf in what.ufs)
            and (not what.cnae_prefixes or any((c.cnae or "").startswith(p) for p in what.cnae_prefixes))
        ]

    def market(self, what: MarketFilter) -> Sequence[MarketCell]:
        counts = Counter((c.uf, (c.cnae or "")[:2] or None, c.porte, c.simples) for c in self._matching(what))
        return [MarketCell(uf, division, porte, simples, n) for (uf, division, porte, simples), n in counts.items()]

    def candidates(self, what: MarketFilter, *, after_root: str | None = None) -> Iterator[RegistryCompany]:
        for found in self._matching(what):
            if after_root is None or found.root > after_root:
                yield found
