"""UFs, macro-regions and Brazil's time zones."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.domain.regions import (
    BRAZIL_TIMEZONES,
    UFS,
    InvalidRegion,
    InvalidUf,
    Uf,
    parse_region,
    parse_uf,
    ufs_in_region,
)
from bot.domain.text import fold
from bot.domain.vocabulary import Macroregion

N, NE, CO, SE, S = (
    Macroregion.NORTE,
    Macroregion.NORDESTE,
    Macroregion.CENTRO_OESTE,
    Macroregion.SUDESTE,
    Macroregion.SUL,
)

# code, name, region, zone, capital
EXPECTED = [
    ("AC", "Acre", N, "America/Rio_Branco", "Rio Branco"),
    ("AL", "Alagoas", NE, "America/Maceio", "Maceió"),
    ("AP", "Amapá", N, "America/Belem", "Macapá"),
    ("AM", "Amazonas", N, "America/Manaus", "Manaus"),
    ("BA", "Bahia", NE, "America/Bahia", "Salvador"),
    ("CE", "Ceará", NE, "America/Fortaleza", "Fortaleza"),
    ("DF", "Distrito Federal", CO, "America/Sao_Paulo", "Brasília"),
    ("ES", "Espírito Santo", SE, "America/Sao_Paulo", "Vitória"),
    ("GO", "Goiás", CO, "America/Sao_Paulo", "Goiânia"),
    ("MA", "Maranhão", NE, "America/Fortaleza", "São Luís"),
    ("MT", "Mato Grosso", CO, "America/Cuiaba", "Cuiabá"),
    ("MS", "Mato Grosso do Sul", CO, "America/Campo_Grande", "Campo Grande"),
    ("MG", "Minas Gerais", SE, "America/Sao_Paulo", "Belo Horizonte"),
    ("PA", "Pará", N, "America/Belem", "Belém"),
    ("PB", "Paraíba", NE, "America/Fortaleza", "João Pessoa"),
    ("PR", "Paraná", S, "America/Sao_Paulo", "Curitiba"),
    ("PE", "Pernambuco", NE, "America/Recife", "Recife"),
    ("PI", "Piauí", NE, "America/Fortaleza", "Teresina"),
    ("RJ", "Rio de Janeiro", SE, "America/Sao_Paulo", "Rio de Janeiro"),
    ("RN", "Rio Grande do Norte", NE, "America/Fortaleza", "Natal"),
    ("RS", "Rio Grande do Sul", S, "America/Sao_Paulo", "Porto Alegre"),
    ("RO", "Rondônia", N, "America/Porto_Velho", "Porto Velho"),
    ("RR", "Roraima", N, "America/Boa_Vista", "Boa Vista"),
    ("SC", "Santa Catarina", S, "America/Sao_Paulo", "Florianópolis"),
    ("SP", "São Paulo", SE, "America/Sao_Paulo", "São Paulo"),
    ("SE", "Sergipe", NE, "America/Maceio", "Aracaju"),
    ("TO", "Tocantins", N, "America/Araguaina", "Palmas"),
]


def test_27_ufs() -> None:
    assert len(UFS) == 27
    assert {row[0] for row in EXPECTED} == set(UFS)


@pytest.mark.parametrize(("code", "name", "region", "zone", "capital"), EXPECTED)
def test_every_uf(code: str, name: str, region: Macroregion, zone: str, capital: str) -> None:
    uf = UFS[code]
    assert uf == Uf(code, name, region, zone, capital, uf.ibge_code)
    assert uf.label == f"{name} ({code})"
    ZoneInfo(uf.timezone)  # a real IANA zone


def test_ufs_are_grouped_by_region_in_ibge_order() -> None:
    codes = [uf.ibge_code for uf in UFS.values()]
    assert codes == sorted(codes)
    assert UFS["SP"].ibge_code == 35
    assert UFS["DF"].ibge_code == 53


@pytest.mark.parametrize(
    ("region", "codes"),
    [
        (N, ["RO", "AC", "AM", "RR", "PA", "AP", "TO"]),
        (NE, ["MA", "PI", "CE", "RN", "PB", "PE", "AL", "SE", "BA"]),
        (SE, ["MG", "ES", "RJ", "SP"]),
        (S, ["PR", "SC", "RS"]),
        (CO, ["MS", "MT", "GO", "DF"]),
    ],
)
def test_ufs_in_region(region: Macroregion, codes: list[str]) -> None:
    assert [uf.code for uf in ufs_in_region(region)] == codes


# Offsets on a fixed date (Brazil has had no daylight saving time since 2019).
@pytest.mark.parametrize(
    ("code", "hours"),
    [
        ("SP", -3),
        ("RJ", -3),
        ("DF", -3),
        ("RS", -3),
        ("BA", -3),
        ("PE", -3),
        ("CE", -3),
        ("PA", -3),
        ("TO", -3),
        ("AM", -4),
        ("MT", -4),
        ("MS", -4),
        ("RO", -4),
        ("RR", -4),
        ("AC", -5),
    ],
)
def test_uf_zone_offsets(code: str, hours: int) -> None:
    for moment in (datetime(2025, 1, 15, 12), datetime(2025, 7, 15, 12)):
        offset = moment.replace(tzinfo=ZoneInfo(UFS[code].timezone)).utcoffset()
        assert offset == timedelta(hours=hours)


def test_brazil_timezones_cover_the_four_offsets() -> None:
    moment = datetime(2025, 3, 10, 12)
    offsets = {
        zone: moment.replace(tzinfo=ZoneInfo(zone)).utcoffset() for zone in BRAZIL_TIMEZONES
    }
    assert offsets == {
        "America/Noronha": timedelta(hours=-2),
        "America/Sao_Paulo": timedelta(hours=-3),
        "America/Manaus": timedelta(hours=-4),
        "America/Rio_Branco": timedelta(hours=-5),
    }
    for zone, label in BRAZIL_TIMEZONES.items():
        offset = offsets[zone]
        assert offset is not None
        hours = int(offset.total_seconds() // 3600)
        assert f"UTC{hours}" in label


# ----------------------------------------------------------------------------- parse_uf


@pytest.mark.parametrize("code", sorted(UFS))
def test_parse_uf_round_trips_every_code_and_name(code: str) -> None:
    uf = UFS[code]
    for text in (
        code,
        code.lower(),
        f"  {code} ",
        uf.name,
        uf.name.upper(),
        uf.name.lower(),
        fold(uf.name),
        fold(uf.name).upper(),
        f"{uf.name} - {code}",
        f"estado de {uf.name}",
    ):
        assert parse_uf(text) is uf, text


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("sp", "SP"),
        (" SP ", "SP"),
        ("São Paulo", "SP"),
        ("sao paulo", "SP"),
        ("SAO PAULO", "SP"),
        ("  São   Paulo ", "SP"),
        ("Distrito Federal", "DF"),
        ("df", "DF"),
        ("Rio Grande do Sul", "RS"),
        ("Rio Grande do Norte", "RN"),
        ("Mato Grosso", "MT"),
        ("Mato Grosso do Sul", "MS"),
        ("Para", "PA"),
        ("Paraná", "PR"),
        ("Paraiba", "PB"),
        ("Sao Paulo - SP", "SP"),
        ("São Paulo/SP", "SP"),
        ("Bahia (BA)", "BA"),
        ("Estado do Rio de Janeiro", "RJ"),
        ("UF SP", "SP"),
    ],
)
def test_parse_uf_accepts(text: str, code: str) -> None:
    assert parse_uf(text).code == code


@pytest.mark.parametrize(
    ("text", "fragments"),
    [
        ("", ["Informe a UF", "sigla"]),
        ("XX", ["UF 'XX' não existe", "Use a sigla (SP, RJ, MG…) ou o nome do estado"]),
        ("Sao Palo", ["não existe", "Você quis dizer São Paulo (SP)?"]),
        ("Minas Gerias", ["Você quis dizer Minas Gerais (MG)?"]),
        ("Rio Grande", ["Rio Grande do Norte (RN)", "Rio Grande do Sul (RS)"]),
        ("Springfield", ["UF 'Springfield' não existe", "Use a sigla"]),
        ("São Paulo - RJ", ["não existe"]),
    ],
)
def test_parse_uf_rejections(text: str, fragments: list[str]) -> None:
    with pytest.raises(InvalidUf) as caught:
        parse_uf(text)
    assert isinstance(caught.value, ValueError)
    for fragment in fragments:
        assert fragment in str(caught.value)


# ----------------------------------------------------------------------------- parse_region


@pytest.mark.parametrize(
    ("text", "region"),
    [
        ("sul", S),
        ("Sul", S),
        ("Sudeste", SE),
        ("SUDESTE", SE),
        ("centro oeste", CO),
        ("centro-oeste", CO),
        ("Centro-Oeste", CO),
        ("Centro Oeste", CO),
        ("centrooeste", CO),
        ("nordeste", NE),
        ("Norte", N),
        ("região sul", S),
        ("Região Nordeste", NE),
    ],
)
def test_parse_region(text: str, region: Macroregion) -> None:
    assert parse_region(text) is region


@pytest.mark.parametrize("region", list(Macroregion))
def test_parse_region_round_trips(region: Macroregion) -> None:
    assert parse_region(region.value) is region
    assert parse_region(str(region).upper()) is region


@pytest.mark.parametrize(
    ("text", "fragments"),
    [
        ("", ["Informe a região"]),
        ("N", ["Região 'N' não existe", "Norte, Nordeste, Centro-Oeste, Sudeste ou Sul"]),
        ("CO", ["não existe"]),
        ("nordest", ["Você quis dizer Nordeste?"]),
        ("Leste", ["não existe"]),
    ],
)
def test_parse_region_rejections(text: str, fragments: list[str]) -> None:
    with pytest.raises(InvalidRegion) as caught:
        parse_region(text)
    assert isinstance(caught.value, InvalidUf)  # one `except InvalidUf` covers UFs and regions
    for fragment in fragments:
        assert fragment in str(caught.value)


@pytest.mark.parametrize(
    ("text", "folded"),
    [("  São   PAULO ", "sao paulo"), ("LIQÜEFEITO", "liquefeito"), ("Ação\tCivil", "acao civil")],
)
def test_fold(text: str, folded: str) -> None:
    assert fold(text) == folded
