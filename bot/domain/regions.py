"""Brazil's 27 federative units (UFs), their macro-regions and time zones.

Each UF carries the IANA zone of its capital, which is what a rep in that state lives by
(a few states span two zones: Amazonas and Pará; the capital's zone is the default).
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from types import MappingProxyType

from bot.domain.problems import N_, Problem
from bot.domain.text import fold
from bot.domain.vocabulary import Macroregion

DEFAULT_ZONE = "America/Sao_Paulo"
"""Brasília time: the ``DEFAULT_TIMEZONE`` setting's default, a new member's zone until they pick a
state, and the zone of a report or export nobody asked in another zone."""


class InvalidUf(Problem):
    """A state or region that cannot be used; ``str(error)`` is a message fit for the user."""


class InvalidRegion(InvalidUf):
    """A macro-region that cannot be used (an ``InvalidUf``, so one ``except`` catches both)."""


@dataclass(frozen=True, slots=True)
class Uf:
    """One federative unit: ``Uf("SP", "São Paulo", Macroregion.SUDESTE, ...)``."""

    code: str
    name: str
    region: Macroregion
    timezone: str
    capital: str
    ibge_code: int

    @property
    def label(self) -> str:
        """``"São Paulo (SP)"``."""
        return f"{self.name} ({self.code})"


_N, _NE, _CO, _SE, _S = (
    Macroregion.NORTE,
    Macroregion.NORDESTE,
    Macroregion.CENTRO_OESTE,
    Macroregion.SUDESTE,
    Macroregion.SUL,
)

#: The 27 UFs by code, in IBGE order (by region: Norte, Nordeste, Sudeste, Sul, Centro-Oeste).
UFS: Mapping[str, Uf] = MappingProxyType(
    {
        uf.code: uf
        for uf in (
            Uf("RO", "Rondônia", _N, "America/Porto_Velho", "Porto Velho", 11),
            Uf("AC", "Acre", _N, "America/Rio_Branco", "Rio Branco", 12),
            Uf("AM", "Amazonas", _N, "America/Manaus", "Manaus", 13),
            Uf("RR", "Roraima", _N, "America/Boa_Vista", "Boa Vista", 14),
            Uf("PA", "Pará", _N, "America/Belem", "Belém", 15),
            Uf("AP", "Amapá", _N, "America/Belem", "Macapá", 16),
            Uf("TO", "Tocantins", _N, "America/Araguaina", "Palmas", 17),
            Uf("MA", "Maranhão", _NE, "America/Fortaleza", "São Luís", 21),
            Uf("PI", "Piauí", _NE, "America/Fortaleza", "Teresina", 22),
            Uf("CE", "Ceará", _NE, "America/Fortaleza", "Fortaleza", 23),
            Uf("RN", "Rio Grande do Norte", _NE, "America/Fortaleza", "Natal", 24),
            Uf("PB", "Paraíba", _NE, "America/Fortaleza", "João Pessoa", 25),
            Uf("PE", "Pernambuco", _NE, "America/Recife", "Recife", 26),
            Uf("AL", "Alagoas", _NE, "America/Maceio", "Maceió", 27),
            Uf("SE", "Sergipe", _NE, "America/Maceio", "Aracaju", 28),
            Uf("BA", "Bahia", _NE, "America/Bahia", "Salvador", 29),
            Uf("MG", "Minas Gerais", _SE, "America/Sao_Paulo", "Belo Horizonte", 31),
            Uf("ES", "Espírito Santo", _SE, "America/Sao_Paulo", "Vitória", 32),
            Uf("RJ", "Rio de Janeiro", _SE, "America/Sao_Paulo", "Rio de Janeiro", 33),
            Uf("SP", "São Paulo", _SE, "America/Sao_Paulo", "São Paulo", 35),
            Uf("PR", "Paraná", _S, "America/Sao_Paulo", "Curitiba", 41),
            Uf("SC", "Santa Catarina", _S, "America/Sao_Paulo", "Florianópolis", 42),
            Uf("RS", "Rio Grande do Sul", _S, "America/Sao_Paulo", "Porto Alegre", 43),
            Uf("MS", "Mato Grosso do Sul", _CO, "America/Campo_Grande", "Campo Grande", 50),
            Uf("MT", "Mato Grosso", _CO, "America/Cuiaba", "Cuiabá", 51),
            Uf("GO", "Goiás", _CO, "America/Sao_Paulo", "Goiânia", 52),
            Uf("DF", "Distrito Federal", _CO, "America/Sao_Paulo", "Brasília", 53),
        )
    }
)

#: The zones a rep can pick, one per UTC offset of Brazil (no daylight saving since 2019).
BRAZIL_TIMEZONES: Mapping[str, str] = MappingProxyType(
    {
        "America/Noronha": "Fernando de Noronha (UTC-2)",
        "America/Sao_Paulo": "Horário de Brasília (UTC-3)",
        "America/Manaus": "Amazonas, MT, MS, RO e RR (UTC-4)",
        "America/Rio_Branco": "Acre (UTC-5)",
    }
)


def ufs_in_region(region: Macroregion) -> list[Uf]:
    """The UFs of a macro-region, in ``UFS`` order."""
    return [uf for uf in UFS.values() if uf.region == region]


_BY_NAME: Mapping[str, Uf] = MappingProxyType({fold(uf.name): uf for uf in UFS.values()})
_STATE_WORDS = re.compile(r"^(?:estado|uf)\s+(?:d[eoa]s?\s+)?")
#: "São Paulo - SP", "Sao Paulo/SP", "São Paulo (SP)", "São Paulo, SP".
_NAME_AND_CODE = re.compile(r"^(?P<name>.+?)\s*[-/,(]\s*(?P<code>[a-z]{2})\)?$")


@lru_cache(maxsize=1024)
def parse_uf(text: str) -> Uf:
    """A UF from its code (``"sp"``, ``" SP "``) or name (``"São Paulo"``, ``"sao paulo"``).

    Accents, case and extra spaces are ignored; "Estado de São Paulo" and "São Paulo - SP"
    are accepted too. Raises ``InvalidUf`` with a message for the user, suggesting the
    closest state name when the text looks like a typo.
    """
    typed = " ".join(text.split())
    key = fold(typed)
    if not key:
        raise InvalidUf(N_("Informe a UF. Use a sigla (SP, RJ, MG…) ou o nome do estado."))
    key = _STATE_WORDS.sub("", key)
    if len(key) == 2:
        by_code = UFS.get(key.upper())
        if by_code is None:
            raise InvalidUf(N_("UF %(typed)r não existe. Use a sigla (SP, RJ, MG…) ou o nome do estado."), typed=typed)
        return by_code
    found = _BY_NAME.get(key)
    if found is not None:
        return found
    both = _NAME_AND_CODE.match(key)
    if both:
        by_code = UFS.get(both["code"].upper())
        if by_code is not None and _BY_NAME.get(both["name"]) is by_code:
            return by_code
    close = [name for name in _BY_NAME if name.startswith(key + " ")]
    close = close or difflib.get_close_matches(key, list(_BY_NAME), n=2, cutoff=0.75)
    guesses = [_BY_NAME[name].label for name in close]
    if len(guesses) == 1:
        raise InvalidUf(N_("UF %(typed)r não existe. Você quis dizer %(first)s?"), typed=typed, first=guesses[0])
    if len(guesses) == 2:
        raise InvalidUf(
            N_("UF %(typed)r não existe. Você quis dizer %(first)s ou %(second)s?"),
            typed=typed,
            first=guesses[0],
            second=guesses[1],
        )
    if len(guesses) == 3:  # "rio": three states; no prefix of a state's name starts more
        raise InvalidUf(
            N_("UF %(typed)r não existe. Você quis dizer %(first)s ou %(second)s ou %(third)s?"),
            typed=typed,
            first=guesses[0],
            second=guesses[1],
            third=guesses[2],
        )
    raise InvalidUf(N_("UF %(typed)r não existe. Use a sigla (SP, RJ, MG…) ou o nome do estado."), typed=typed)


_REGIONS: Mapping[str, Macroregion] = MappingProxyType(
    {fold(region.value).replace("-", " "): region for region in Macroregion}
)
_REGION_WORDS = re.compile(r"^regiao\s+(?:d[oa]\s+)?")


def parse_region(text: str) -> Macroregion:
    """A macro-region from its full name: ``"sul"``, ``"Centro-Oeste"``, ``"centro oeste"``.

    Accents, case, hyphens and a leading "região" are ignored; abbreviations such as "N"
    or "CO" are not accepted (too easy to confuse). Raises ``InvalidRegion``.
    """
    typed = " ".join(text.split())
    key = _REGION_WORDS.sub("", fold(typed).replace("-", " ")).strip()
    key = " ".join(key.split())
    if not key:
        raise InvalidRegion(N_("Informe a região. Use Norte, Nordeste, Centro-Oeste, Sudeste ou Sul."))
    found = _REGIONS.get(key) or _REGIONS.get(key.replace("centrooeste", "centro oeste"))
    if found is not None:
        return found
    close = difflib.get_close_matches(key, list(_REGIONS), n=1, cutoff=0.75)
    if close:
        raise InvalidRegion(
            N_("Região %(typed)r não existe. Você quis dizer %(region)s?"), typed=typed, region=_REGIONS[close[0]].value
        )
    raise InvalidRegion(
        N_("Região %(typed)r não existe. Use Norte, Nordeste, Centro-Oeste, Sudeste ou Sul."), typed=typed
    )
