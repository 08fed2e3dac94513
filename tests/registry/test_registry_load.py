"""Loading the open CNPJ registry: a small dump in the published layout (zips, Latin-1, quoted,
headerless, dirt included) goes in; what the bot asks comes out right, and a load cut short never
takes the month in service away."""

from __future__ import annotations

import logging
import random
from collections import Counter
from datetime import date
from pathlib import Path

import pytest

from bot.domain.registry import FederalStatus, MarketFilter, Porte
from bot.registry import open_store
from bot.registry.loader import LoadFailed, load
from bot.registry.store import ParquetRegistry
from tests.support.registry import Dump, company, establishment, line, partner, simples


class Cut(Exception):
    """Stands for a kill in the middle of a part."""


def acme_dump() -> Dump:
    dump = Dump()
    dump.add(
        "Estabelecimentos0",
        establishment(
            "11222333",
            "0001",
            "81",
            trade_name="AÇÚCAR & CIA",
            cnae="6201501",
            secondary="6202300,6209100",
            uf="SP",
            city="7107",
            opened_on="20100215",
            status_since="20100215",
        ),
        establishment("11222333", "0002", "62", branch=True, uf="PR", city="7535"),  # active branch
        establishment("11222333", "0003", "43", branch=True, status="08"),  # closed branch: not counted
        establishment("11222333", "0004", "24", branch=True, status="04"),  # unfit branch: not counted
        establishment("11222333", "0005", "05", branch=True, street="AV. PAULISTA; BLOCO B"),  # ';' in the address
        '"44555666";"0001";"99";"1";"DIRT\r\n',  # cut short
        establishment("4455566X", "0001", "00"),  # a root that is not digits
        establishment("44555666", "0001", "00", status="07"),  # a status that does not exist
        line(
            "77888999",
            "0001",
            "30",
            "1",
            'LOJA "DO ZE',
            "02",
            "20200101",
            "0",
            "",
            "",
            "0",
            "4711302",
            "",
            "RUA",
            "A",
            "1",
            "",
            "B",
            "01001000",
            "RJ",
            "9999",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
        ),  # odd quote
        establishment("55666777", "0001", "10", status="08", uf="MG", city="4123", opened_on="0"),
    )
    dump.add(
        "Empresas0",
        company("11222333", "AÇÚCAR E CIA COMÉRCIO LTDA", porte="03"),
        company("55666777", "FECHADA LTDA", porte="01"),
        '"99999999";"SEM ESTABELECIMENTO"\r\n',
    )
    dump.add("Simples", simples("11222333", "S", "N"), simples("55666777", "N", "N"))
    dump.add(
        "Socios0",
        partner("11222333", "MARIA DA SILVA", "49", "20100215"),
        partner("11222333", "JOSÉ SÓCIO", "22"),  # a plain partner: not a decision maker
        partner("11222333", "ANA DIRETORA", "10", "0"),
    )
    dump.add("Municipios", line("7107", "SAO PAULO"), line("7535", "CURITIBA"), line("4123", "BELO HORIZONTE"))
    dump.add("Cnaes", line("6201501", "Desenvolvimento de programas de computador sob encomenda"))
    return dump


@pytest.fixture
def loaded(tmp_path: Path) -> ParquetRegistry:
    source = acme_dump().write(tmp_path / "2026-11")
    load(str(source), tmp_path / "registry")
    store = open_store(tmp_path / "registry")
    assert store is not None
    return store


def test_lookup_returns_what_the_registry_says(loaded: ParquetRegistry) -> None:
    found = loaded.lookup("11.222.333/0001-81")
    assert found is not None
    assert found.legal_name == "AÇÚCAR E CIA COMÉRCIO LTDA"
    assert found.trade_name == "AÇÚCAR & CIA"
    assert found.status is FederalStatus.ACTIVE and found.active
    assert found.opened_on == date(2010, 2, 15)
    assert (found.cnae, found.secondary_cnaes) == ("6201501", ("6202300", "6209100"))
    assert (found.uf, found.city) == ("SP", "SAO PAULO")
    assert found.porte is Porte.SMALL
    assert (found.simples, found.mei) == (True, False)
    assert found.month == "2026-11" and loaded.month() == "2026-11"
    assert [(p.name, p.qualification) for p in found.decision_makers] == [
        ("ANA DIRETORA", "10"),
        ("MARIA DA SILVA", "49"),
    ]
    assert found.decision_makers[1].since == date(2010, 2, 15) and found.decision_makers[0].since is None


def test_branches_count_only_active_branches(loaded: ParquetRegistry) -> None:
    found = loaded.lookup("11222333000181")
    assert found is not None
    # 0002 active, 0005 active (its address has a ';'); 0003 closed and 0004 unfit do not count
    assert found.active_branches == 2
    branch = loaded.lookup("11222333000262")
    assert branch is not None and (branch.uf, branch.city, branch.active_branches) == ("PR", "CURITIBA", 2)


def test_an_inactive_company_says_why_and_unknowns_stay_unknown(loaded: ParquetRegistry) -> None:
    closed = loaded.lookup("55666777000110")
    assert closed is not None
    assert closed.status is FederalStatus.CLOSED and not closed.active
    assert closed.opened_on is None  # "0" in the file
    assert (closed.simples, closed.porte, closed.decision_makers) == (False, Porte.MICRO, ())
    assert loaded.lookup("00000000000000") is None
    assert loaded.lookup("123") is None


def test_dirt_is_counted_skipped_and_sampled_in_the_log(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    source = acme_dump().write(tmp_path / "2026-11")
    with caplog.at_level(logging.WARNING, logger="bot.registry"):
        result = load(str(source), tmp_path / "registry")
    bad = {part.name: part.bad for part in result.parts}
    assert bad["Estabelecimentos0.zip"] == 3 and bad["Empresas0.zip"] == 1
    assert any("4455566X" in sample for part in result.parts for sample in part.samples)
    assert "Estabelecimentos0.zip linha 6 ignorada" in caplog.text
    # the row with an odd quote inside a quoted field is read (its city code is unknown: no city)
    store = ParquetRegistry(tmp_path / "registry")
    odd = store.lookup("77888999000130")
    assert odd is not None and odd.trade_name == 'LOJA "DO ZE' and (odd.uf, odd.city) == ("RJ", None)
    assert result.counts["bad_rows"] == 4


def test_any_subset_loads_and_what_is_missing_stays_unknown(tmp_path: Path) -> None:
    source = acme_dump().write(tmp_path / "2026-10", only=("Estabelecimentos0",))
    load(str(source), tmp_path / "registry")
    found = ParquetRegistry(tmp_path / "registry").lookup("11222333000181")
    assert found is not None
    assert (found.legal_name, found.simples, found.mei, found.porte) == ("AÇÚCAR & CIA", None, None, Porte.UNKNOWN)
    assert found.city is None and found.active_branches == 2 and found.month == "2026-10"


def test_the_month_comes_from_the_folder_or_is_asked_for(tmp_path: Path) -> None:
    source = acme_dump().write(tmp_path / "dados")
    with pytest.raises(LoadFailed, match="AAAA-MM"):
        load(str(source), tmp_path / "registry")
    load(str(source), tmp_path / "registry", month="2026-09")
    assert ParquetRegistry(tmp_path / "registry").month() == "2026-09"
    with pytest.raises(LoadFailed, match="nenhum arquivo"):
        load(str(tmp_path / "registry"), tmp_path / "other", month="2026-09")


def test_a_load_cut_short_keeps_the_old_month_in_service_and_a_rerun_resumes(tmp_path: Path) -> None:
    registry = tmp_path / "registry"
    load(str(acme_dump().write(tmp_path / "2026-10")), registry)
    reader = ParquetRegistry(registry)
    assert reader.month() == "2026-10"

    newer = acme_dump()
    newer.files["Empresas0"][0] = company("11222333", "AÇÚCAR E CIA NOVO NOME LTDA", porte="05")
    source = newer.write(tmp_path / "2026-11")
    rows = 0

    def kill_in_establishments() -> None:
        nonlocal rows
        rows += 1
        if rows == 1 + 3 + 3 + 5:  # Cnaes, Municipios, Empresas0 done; in the middle of Estabelecimentos0
            raise Cut

    with pytest.raises(Cut):
        load(str(source), registry, on_row=kill_in_establishments)
    found = reader.lookup("11222333000181")
    assert reader.month() == "2026-10" and found is not None and found.legal_name == "AÇÚCAR E CIA COMÉRCIO LTDA"
    assert reader.status().interrupted == ["2026-11"]

    result = load(str(source), registry)
    assert result.skipped_parts == ["Cnaes.zip", "Municipios.zip", "Empresas0.zip"]
    assert [p.name for p in result.parts] == ["Estabelecimentos0.zip", "Simples.zip", "Socios0.zip"]
    found = reader.lookup("11222333000181")  # the same reader moves to the new month
    assert reader.month() == "2026-11" and found is not None
    assert (found.legal_name, found.porte, found.active_branches) == ("AÇÚCAR E CIA NOVO NOME LTDA", Porte.OTHER, 2)
    assert reader.status().interrupted == []


def test_a_kill_while_the_tables_are_built_changes_nothing_until_the_switch(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    registry = tmp_path / "registry"
    load(str(acme_dump().write(tmp_path / "2026-10")), registry)
    from bot.registry import loader

    def die(*_: object) -> None:
        raise Cut

    monkeypatch.setattr(loader, "_switch", die)
    with pytest.raises(Cut):
        load(str(acme_dump().write(tmp_path / "2026-11")), registry)
    assert ParquetRegistry(registry).month() == "2026-10"
    monkeypatch.undo()
    result = load(str(tmp_path / "2026-11"), registry)
    assert len(result.skipped_parts) == 6 and result.parts == []
    assert ParquetRegistry(registry).month() == "2026-11"
    months = sorted(p.name.split(".")[0] for p in registry.iterdir() if p.is_dir() and not p.name.startswith("."))
    assert months == ["2026-10", "2026-11"]  # the month replaced stays for readers still on it


UFS = ("SP", "RJ", "MG", "PR")
CNAES = ("6201501", "6204000", "4711302", "8599604", "6311900")
PORTES = ("01", "03", "05", "00")


def random_market(seed: int, n: int) -> tuple[Dump, list[dict[str, object]]]:
    rng = random.Random(seed)
    dump, companies = Dump(), []
    for i in range(n):
        root = f"{10_000_000 + i * 7:08d}"
        fact = {
            "root": root,
            "uf": rng.choice(UFS),
            "cnae": rng.choice(CNAES),
            "porte": rng.choice(PORTES),
            "status": rng.choice(("02", "02", "02", "08", "04")),
            "simples": rng.choice(("S", "N", None)),
        }
        companies.append(fact)
        dump.add(
            "Estabelecimentos0",
            establishment(root, uf=str(fact["uf"]), cnae=str(fact["cnae"]), status=str(fact["status"])),
        )
        for k in range(rng.choice((0, 0, 1, 3))):
            dump.add("Estabelecimentos1", establishment(root, f"{k + 2:04d}", "00", branch=True, uf="BA"))
        dump.add("Empresas0", company(root, f"EMPRESA {i}", porte=str(fact["porte"])))
        if fact["simples"] is not None:
            dump.add("Simples", simples(root, str(fact["simples"])))
    return dump, companies


def test_market_counts_equal_a_recount_of_the_rows(tmp_path: Path) -> None:
    dump, companies = random_market(13, 300)
    load(str(dump.write(tmp_path / "2026-11")), tmp_path / "registry")
    store = ParquetRegistry(tmp_path / "registry")
    for what in (
        MarketFilter(),
        MarketFilter(ufs=("SP", "PR")),
        MarketFilter(cnae_prefixes=("62",)),
        MarketFilter(ufs=("rj",), cnae_prefixes=("6201", "4711302")),
        MarketFilter(active_only=False),
    ):
        expected: Counter[tuple[object, ...]] = Counter()
        for c in companies:
            cnae = str(c["cnae"])
            if what.active_only and c["status"] != "02":
                continue
            if what.ufs and c["uf"] not in {u.upper() for u in what.ufs}:
                continue
            if what.cnae_prefixes and not any(cnae.startswith(p) for p in what.cnae_prefixes):
                continue
            expected[(c["uf"], cnae[:2], Porte(c["porte"]), c["simples"] == "S")] += 1
        got = {(m.uf, m.cnae_division, m.porte, m.simples): m.companies for m in store.market(what)}
        assert got == dict(expected), what


def test_candidates_walk_head_offices_in_root_order_from_where_asked(tmp_path: Path) -> None:
    dump, companies = random_market(7, 1200)
    load(str(dump.write(tmp_path / "2026-11")), tmp_path / "registry")
    store = ParquetRegistry(tmp_path / "registry")
    what = MarketFilter(ufs=("SP",), cnae_prefixes=("62",))
    expected = [
        c["root"] for c in companies if c["uf"] == "SP" and str(c["cnae"]).startswith("62") and c["status"] == "02"
    ]
    walked = list(store.candidates(what))
    assert [c.root for c in walked] == expected and len(expected) > 60
    assert all(c.cnpj.endswith("000100") and c.active for c in walked)
    middle = str(expected[40])
    assert [c.root for c in store.candidates(what, after_root=middle)] == expected[41:]


def test_nothing_loaded_means_no_store(tmp_path: Path) -> None:
    assert open_store(tmp_path / "empty") is None
    assert ParquetRegistry(tmp_path / "empty").month() is None
    assert ParquetRegistry(tmp_path / "empty").lookup("11222333000181") is None


def test_a_broken_zip_is_named_and_nothing_changes(tmp_path: Path) -> None:
    registry = tmp_path / "registry"
    load(str(acme_dump().write(tmp_path / "2026-10")), registry)
    source = acme_dump().write(tmp_path / "2026-11")
    (source / "Empresas0.zip").write_bytes(b"not a zip at all")
    with pytest.raises(LoadFailed, match=r"Empresas0\.zip não é um zip válido"):
        load(str(source), registry)
    assert ParquetRegistry(registry).month() == "2026-10"
