"""An imported file with CNPJs is enriched like /novo: the facts a row lacks come from the
company directory, what the row says wins, a closed company is knocked out, and without a
directory the import is exactly as before."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Engine
from sqlmodel import Session, col, select

from bot.domain.playbook.model import Playbook
from bot.domain.registry import FederalStatus, Porte
from bot.services.imports import Assignment, import_bytes
from bot.storage.models import Lead
from tests.support.fake_registry import FakeRegistry, cnpj_for, company
from tests.support.runtimes import cli_runtime

REGISTRY = FakeRegistry(
    [
        company(11222333),
        company(
            22333444,
            legal_name="Padaria Fechada Ltda",
            status=FederalStatus.CLOSED,
            porte=Porte.MICRO,
            simples=True,
            cnae="1091102",
            uf="MG",
            city="Belo Horizonte",
        ),
    ]
)
FILE = (
    "empresa;cnpj;uf;filiais\n"
    f";{cnpj_for(11222333)};;\n"  # only the CNPJ
    f"Padaria da Esquina;{cnpj_for(22333444)};SP;1\n"  # typed facts win
    f"Sem Registro;{cnpj_for(33444555)};RJ;\n"  # unknown to the registry: as typed
).encode()


def _leads(engine: Engine) -> list[Lead]:
    with Session(engine) as session:
        return list(session.exec(select(Lead).order_by(col(Lead.id))))


def test_rows_with_a_cnpj_get_the_facts_they_lack(team: Engine, playbook: Playbook) -> None:
    result = import_bytes(
        cli_runtime(team),
        FILE,
        "leads.csv",
        playbook=playbook,
        member_id=1,
        assignment=Assignment(reps=["ana"]),
        directory=REGISTRY,
    )
    assert result.counts.imported == 3, result.problems
    horizonte, padaria, unknown = _leads(team)
    assert (horizonte.company, horizonte.cnae, horizonte.uf, horizonte.city, horizonte.branches) == (
        "Horizonte Sistemas Ltda",
        "4930202",
        "SP",
        "São Paulo",
        3,
    )
    assert (horizonte.federal_status, horizonte.porte, horizonte.opened_on, horizonte.registry_month) == (
        "02",
        "05",
        date(2015, 3, 2),
        "2026-11",
    )
    assert (padaria.company, padaria.uf, padaria.branches, padaria.city) == (
        "Padaria da Esquina",
        "SP",
        1,
        "Belo Horizonte",
    )
    assert padaria.knocked_out and padaria.icp_tier == "D" and padaria.federal_status == "08"
    assert (unknown.company, unknown.uf, unknown.federal_status, unknown.cnae) == ("Sem Registro", "RJ", None, None)


def test_without_a_directory_a_row_needs_its_company(team: Engine, playbook: Playbook) -> None:
    result = import_bytes(
        cli_runtime(team), FILE, "leads.csv", playbook=playbook, member_id=1, assignment=Assignment(reps=["ana"])
    )
    assert result.counts.imported == 2
    assert [lead.federal_status for lead in _leads(team)] == [None, None]
    assert [p.reason for p in result.problems] == ["empresa em branco"]
