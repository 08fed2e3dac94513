"""What the Receita Federal's open CNPJ registry says about a company, and how the bot asks it.

The registry (``Dados Abertos do CNPJ``, published monthly) is read by a *company directory*: a
local columnar store loaded with ``cadencia registry load`` or an online lookup service. Both
answer through :class:`CompanyDirectory`, so the chat, the import and the CLI do not care which
one (if any) is configured. ``None`` always means *the directory does not know*.

Only the facts Cadência uses are kept: the ones that fill a lead's ICP facts (CNAE, UF, branches,
porte → revenue bounds) and the ones the ICP may judge on (federal status, Simples/MEI, age).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import Protocol


class FederalStatus(StrEnum):
    """``situacao_cadastral`` of the establishment (the head office for a company)."""

    NULL = "01"  # nula
    ACTIVE = "02"  # ativa
    SUSPENDED = "03"  # suspensa
    UNFIT = "04"  # inapta
    CLOSED = "08"  # baixada


class Porte(StrEnum):
    """The company's size class in the registry (bounds its revenue)."""

    UNKNOWN = "00"  # não informado
    MICRO = "01"  # microempresa: revenue up to R$ 360 mil a year
    SMALL = "03"  # empresa de pequeno porte: up to R$ 4,8 mi
    OTHER = "05"  # demais: above


@dataclass(frozen=True, slots=True)
class DecisionMaker:
    """A partner with an administrative qualification (personal data: LGPD applies)."""

    name: str
    qualification: str  # code, e.g. "49" sócio-administrador
    since: date | None = None


@dataclass(frozen=True, slots=True)
class RegistryCompany:
    """One company as the registry describes it, seen from one establishment (usually the head
    office, ``cnpj`` with order ``0001``)."""

    cnpj: str  # 14 digits of the establishment
    legal_name: str
    trade_name: str | None
    status: FederalStatus
    status_since: date | None
    opened_on: date | None  # data_inicio_atividade
    cnae: str | None  # 7-digit main CNAE subclass
    secondary_cnaes: tuple[str, ...]
    uf: str | None
    city: str | None  # name from the Municipios table, when known
    active_branches: int  # active establishments besides the head office
    porte: Porte
    simples: bool | None  # opted for the Simples Nacional (None: unknown)
    mei: bool | None
    legal_nature: str | None  # 4-digit natureza_juridica
    month: str  # the registry month this came from, "2026-11"
    decision_makers: tuple[DecisionMaker, ...] = field(default=())

    @property
    def root(self) -> str:
        """The 8-digit ``cnpj_basico`` shared by every establishment of the company."""
        return self.cnpj[:8]

    @property
    def active(self) -> bool:
        return self.status is FederalStatus.ACTIVE

    def age_years(self, today: date) -> int | None:
        if self.opened_on is None:
            return None
        years = today.year - self.opened_on.year
        if (today.month, today.day) < (self.opened_on.month, self.opened_on.day):
            years -= 1
        return max(years, 0)


@dataclass(frozen=True, slots=True)
class MarketFilter:
    """Which registry companies a market count or a prospect list considers."""

    ufs: tuple[str, ...] = ()  # empty: every UF
    cnae_prefixes: tuple[str, ...] = ()  # "62", "6201", "6201501"; empty: every CNAE
    active_only: bool = True


@dataclass(frozen=True, slots=True)
class MarketCell:
    """One line of a market count: how many companies share these values."""

    uf: str | None
    cnae_division: str | None  # first two digits of the main CNAE
    porte: Porte
    simples: bool | None
    companies: int


class CompanyDirectory(Protocol):
    """Where the bot asks about companies: a loaded registry or an online lookup service."""

    def month(self) -> str | None:
        """The registry month it answers from (``"2026-11"``), ``None`` when nothing is loaded."""
        ...

    def lookup(self, cnpj: str) -> RegistryCompany | None:
        """The company of this 14-digit CNPJ, ``None`` when unknown or unavailable."""
        ...


class RegistryStore(CompanyDirectory, Protocol):
    """A loaded registry: it can also count the market and walk candidate companies."""

    def market(self, what: MarketFilter) -> Sequence[MarketCell]:
        """Counts of companies by UF, CNAE division, porte and Simples, for the filter."""
        ...

    def candidates(self, what: MarketFilter, *, after_root: str | None = None) -> Iterator[RegistryCompany]:
        """Companies matching the filter in ``cnpj_basico`` order, head offices only, starting after
        ``after_root``; the caller scores them and stops when it has enough."""
        ...
