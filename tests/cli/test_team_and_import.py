"""``cadencia team`` on a fresh database, then ``cadencia import`` (with ``--update``) into it."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlmodel import Session, col, select

from bot.cli.main import main
from bot.storage.db import make_engine
from bot.storage.models import Lead, Member
from tests.cli.test_cli import cadencia
from tests.services import import_scenario as scenario


@pytest.fixture
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = f"sqlite:///{tmp_path / 'fresh.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.delenv("CADENCIA_ADMINS", raising=False)
    return url


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    status = main(list(args))
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return status, out, err


def leads_and_owners(url: str) -> dict[str, str]:
    engine = make_engine(url)
    try:
        with Session(engine) as session:
            rows = session.exec(select(Lead.company, Member.first_name).join(Member, col(Lead.owner_id) == Member.id))
            return dict(rows.all())
    finally:
        engine.dispose()


def test_a_fresh_database_gets_a_team_and_then_an_import(
    database: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(capsys, "team", "list")[1].startswith("A equipe está vazia.")
    seed = tmp_path / "base.csv"
    seed.write_bytes(scenario.SEED)
    status, out, _ = run(capsys, "import", str(seed))  # nobody to give the leads to: every row says why
    assert status == 0 and "Rejeitadas: 3" in out and "nenhum vendedor ativo na equipe" in out

    status, out, _ = run(capsys, "team", "add", "2000", "Ana", "Lima", "--uf", "rj")
    assert (status, out) == (0, "Ana Lima entrou na equipe como vendedor (RJ), id 1.\n")
    assert run(capsys, "team", "add", "1000", "Marta Souza", "--role", "gestor")[0] == 0
    listing = run(capsys, "team", "list")[1].splitlines()
    assert [line.split()[2] for line in listing] == ["gestor", "vendedor"]  # managers first
    assert "Marta Souza" in listing[0] and "2000" in listing[1] and " RJ " in listing[1]

    status, out, _ = run(capsys, "import", str(seed))
    assert status == 0 and "Importadas: 3" in out
    assert leads_and_owners(database) == {"Já Cadastrada SA": "Ana", "Completa Ltda": "Ana", "Só Nome": "Ana"}
    engine = make_engine(database)
    with Session(engine) as session:
        ana = session.exec(select(Member).where(Member.telegram_id == 2000)).one()
    engine.dispose()
    assert (ana.timezone, ana.role, ana.active) == ("America/Sao_Paulo", "rep", True)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("team", "add", "abc", "Ana"), "id do Telegram 'abc' deve ser um número"),
        (("team", "add", "2000", "Ana", "--role", "chefe"), "papel 'chefe' não existe; use rep ou manager"),
        (("team", "add", "2000", "Ana", "--uf", "XX"), "UF 'XX' não existe"),
        (("team", "pause", "ninguem"), "'ninguem' não está na equipe"),
        (("team", "resume", "1000"), "Marta Souza é gestor; só vendedores são pausados"),
        (("team", "add", "2000", "Outra Pessoa"), "2000 já está na equipe (Ana Lima)"),
    ],
)
def test_team_errors_are_one_line(
    database: str, capsys: pytest.CaptureFixture[str], args: tuple[str, ...], message: str
) -> None:
    run(capsys, "team", "add", "2000", "Ana Lima")
    run(capsys, "team", "add", "1000", "Marta Souza", "--role", "manager")
    status, out, err = run(capsys, *args)
    assert status != 0 and out == ""
    assert err.count("\n") == 1 and err.startswith("cadencia: ") and message in err


def test_a_paused_rep_gets_no_imported_leads_until_resumed(
    database: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run(capsys, "team", "add", "2000", "Ana Lima")
    run(capsys, "team", "add", "3000", "Bruno Dias")
    status, out, _ = run(capsys, "team", "pause", "ana")
    assert status == 0 and out.startswith("Ana Lima está em pausa")
    assert "(em pausa)" in run(capsys, "team", "list")[1]
    seed = tmp_path / "base.csv"
    seed.write_bytes(scenario.SEED)
    run(capsys, "import", str(seed))
    assert set(leads_and_owners(database).values()) == {"Bruno"}
    assert run(capsys, "team", "resume", "2000")[1] == "Ana Lima voltou.\n"
    assert "(em pausa)" not in run(capsys, "team", "list")[1]


def test_import_with_update_counts_like_the_chat_and_exits_zero(
    database: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run(capsys, "team", "add", "2000", "Ana Lima")
    seed, mixed = tmp_path / "base.csv", tmp_path / "mista.csv"
    seed.write_bytes(scenario.SEED)
    mixed.write_bytes(scenario.MIXED)
    run(capsys, "import", str(seed))

    status, out, _ = run(capsys, "import", str(mixed), "--update")

    assert status == 0  # processed, with rejections: not a failure
    assert scenario.counts_in(out) == scenario.COUNTS_UPDATED  # the chat's counts after its update button
    rejected = tmp_path / "mista_rejeitadas.csv"
    assert f"Linhas rejeitadas, com o motivo: {rejected}" in out
    assert scenario.rejected_rows(rejected.read_bytes()) == scenario.REJECTED
    engine = make_engine(database)
    with Session(engine) as session:
        filled = session.exec(select(Lead).where(Lead.company == "Já Cadastrada SA")).one()
    engine.dispose()
    assert (filled.cnae, filled.uf, filled.financial_score) == ("4930202", "RJ", 780)


def test_import_without_update_says_how_to_complete_the_existing_leads(
    database: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run(capsys, "team", "add", "2000", "Ana Lima")
    seed, mixed = tmp_path / "base.csv", tmp_path / "mista.csv"
    seed.write_bytes(scenario.SEED)
    mixed.write_bytes(scenario.MIXED)
    run(capsys, "import", str(seed))
    status, out, _ = run(capsys, "import", str(mixed), "--rejected", str(tmp_path / "fora.csv"))
    assert status == 0 and scenario.counts_in(out) == scenario.COUNTS
    assert "rode de novo com --update" in out and f"com o motivo: {tmp_path / 'fora.csv'}" in out


def test_the_installed_command_exits_zero_after_importing_with_rejections(tmp_path: Path) -> None:
    env = {"DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}"}
    assert cadencia("team", "add", "2000", "Ana Lima", env=env).returncode == 0
    mixed = tmp_path / "mista.csv"
    mixed.write_bytes(scenario.MIXED)
    result = cadencia("import", str(mixed), env=env)
    assert result.returncode == 0, result.stderr
    assert "Importadas: 7" not in result.stdout and "Rejeitadas: 2" in result.stdout
    missing = cadencia("import", str(tmp_path / "nada.csv"), env=env)
    assert missing.returncode != 0 and missing.stderr.strip().endswith("não existe")
