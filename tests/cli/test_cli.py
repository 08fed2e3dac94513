"""The ``cadencia`` command: one clear line per error, non-zero exit, never a traceback."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from bot.resources import bundled_dir

ROOT = Path(__file__).resolve().parents[2]


def cadencia(
    *args: str, stdin: str | None = None, cwd: Path = ROOT, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    environment = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("TELEGRAM_", "DATABASE_URL", "CADENCIA_", "LANG", "LC_"))  # no locale: Portuguese
    }
    environment.update(env or {})
    result = subprocess.run(
        [sys.executable, "-m", "bot.cli.main", *args],
        cwd=cwd,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
        env=environment,
    )
    assert "Traceback" not in result.stderr + result.stdout, result.stderr
    return result


def test_playbook_check_prints_version_and_fingerprint() -> None:
    result = cadencia("playbook", "check")
    assert result.returncode == 0, result.stderr
    assert "version:     2026.12.1" in result.stdout
    assert "fingerprint: " in result.stdout


def test_playbook_check_of_a_broken_playbook_lists_file_and_line(tmp_path: Path) -> None:
    broken = tmp_path / "pb"
    shutil.copytree(bundled_dir("playbook"), broken)
    icp = yaml.safe_load((broken / "icp.yaml").read_text(encoding="utf-8"))
    icp["criteria"]["cnae"]["weight"] += 1
    icp["tiers"]["B"] = icp["tiers"]["A"] + 5
    (broken / "icp.yaml").write_text(yaml.safe_dump(icp, allow_unicode=True, sort_keys=False), encoding="utf-8")
    result = cadencia("playbook", "check", str(broken))
    assert result.returncode != 0
    lines = result.stderr.splitlines()
    assert lines[0].startswith("cadencia: o playbook em")
    assert any(line.strip().startswith("icp.yaml:") and "devem descer" in line for line in lines)
    assert any("somam 101" in line for line in lines)


def test_playbook_check_of_a_missing_folder(tmp_path: Path) -> None:
    result = cadencia("playbook", "check", str(tmp_path / "nada"))
    assert result.returncode != 0 and "não encontrada" in result.stderr


def test_score_from_options_explains_every_criterion() -> None:
    result = cadencia("score", "--cnae", "4930202", "--uf", "sp", "--headcount", "100-199", "--revenue", "18 mi")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "ICP:" in out and "tier" in out
    assert "CNAE 4930-2/02" in out and "Funcionários 100–199" in out
    assert "Filiais ? — desconhecido" in out


def test_score_from_a_latin1_semicolon_csv_row(tmp_path: Path) -> None:
    csv_file = tmp_path / "leads.csv"
    csv_file.write_bytes(
        "Empresa;CNAE;UF;Funcionários\nPadaria São João;4721-1/02;MG;12\nTransportes;4930-2/02;PR;150\n".encode(
            "latin-1"
        )
    )
    result = cadencia("score", "--csv", str(csv_file), "--row", "2")
    assert result.returncode == 0, result.stderr
    assert "CNAE 4930-2/02" in result.stdout and "Região PR" in result.stdout


def test_score_from_json() -> None:
    result = cadencia("score", "--json", '{"cnae": "6201-5/01", "uf": "São Paulo", "score": "820"}')
    assert result.returncode == 0, result.stderr
    assert "Score financeiro 820" in result.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("score", "--cnae", "6201-9/01"), "6201-5/01"),
        (("score", "--uf", "XX", "--cnae", "6201501"), "UF 'XX' não existe"),
        (("score", "--headcount", "-5"), "negativo"),
    ],
)
def test_score_with_bad_facts_warns_and_exits_non_zero(args: tuple[str, ...], message: str) -> None:
    result = cadencia(*args)
    assert result.returncode == 1
    assert message in result.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("score",), "nenhum dado para pontuar"),
        (("score", "--json", "[1, 2]"), "deve ser um objeto"),
        (("score", "--json", "{bad json"), "cadencia:"),
        (("score", "--csv", "/nao/existe.csv"), "cadencia:"),
        (("cnae", "search", "xyzzyplugh"), "nenhuma atividade"),
    ],
)
def test_errors_are_one_clear_line(args: tuple[str, ...], message: str) -> None:
    result = cadencia(*args)
    assert result.returncode != 0
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_cnae_search_by_activity_words() -> None:
    result = cadencia("cnae", "search", "software")
    assert result.returncode == 0
    assert "6201-5/01" in result.stdout
    assert "4721-1/02" in cadencia("cnae", "search", "padaria").stdout


def test_run_without_a_token_says_how_to_get_one(tmp_path: Path) -> None:
    result = cadencia("run", cwd=tmp_path, env={"PYTHONPATH": str(ROOT)})
    assert result.returncode == 2
    assert "@BotFather" in result.stderr and "cadencia demo" in result.stderr


def test_demo_can_be_driven_by_piping_text(tmp_path: Path) -> None:
    database = f"sqlite:///{tmp_path / 'demo.db'}"
    script = "/leads\n1\nIniciar\n/novo\nPadaria Nova\n/cancelar\n/ajuda\n"
    result = cadencia("demo", "--database", database, stdin=script)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "console offline" in out
    assert "Padaria Central" in out and "Clínica Bem Viver" in out  # the sample leads
    assert "[1]" in out  # buttons shown as numbered choices
    assert "Qual o nome da empresa?" in out and "cancelado" in out
    assert "Até logo!" in out


def test_run_refuses_a_broken_playbook_before_touching_telegram(tmp_path: Path) -> None:
    broken = tmp_path / "pb"
    shutil.copytree(bundled_dir("playbook"), broken)
    (broken / "cadence.yaml").write_text("steps: []\nno_response_reason: x\n", encoding="utf-8")
    result = cadencia(
        "run",
        env={
            "TELEGRAM_BOT_TOKEN": "123:TEST",
            "PLAYBOOK_DIR": str(broken),
            "DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}",
            "TELEGRAM_API_BASE_URL": "http://127.0.0.1:9/bot",
        },
    )
    assert result.returncode != 0
    assert "cadence.yaml:" in result.stderr


def remember_default_playbook(database: str) -> None:
    """A database that has already run with the default playbook."""
    from bot.services.playbooks import load_checked_playbook, remember_playbook
    from bot.storage.db import make_engine, upgrade_database
    from tests.support.runtimes import cli_runtime

    engine = make_engine(database)
    upgrade_database(engine)
    remember_playbook(cli_runtime(engine), load_checked_playbook(bundled_dir("playbook")))
    engine.dispose()


def edited_default_playbook(tmp_path: Path) -> Path:
    """The default playbook with one tier threshold changed and the same version."""
    edited = tmp_path / "pb"
    shutil.copytree(bundled_dir("playbook"), edited)
    icp = yaml.safe_load((edited / "icp.yaml").read_text(encoding="utf-8"))
    icp["tiers"]["A"] -= 1
    (edited / "icp.yaml").write_text(yaml.safe_dump(icp, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return edited


def test_run_refuses_an_edited_playbook_with_the_same_version(tmp_path: Path) -> None:
    database = f"sqlite:///{tmp_path / 'x.db'}"
    remember_default_playbook(database)
    edited = edited_default_playbook(tmp_path)
    result = cadencia(
        "run",
        env={"TELEGRAM_BOT_TOKEN": "123:TEST", "PLAYBOOK_DIR": str(edited), "DATABASE_URL": database},
    )
    assert result.returncode != 0
    assert "Aumente `version` em playbook.yaml" in result.stderr
    english = cadencia(
        "run",
        env={
            "TELEGRAM_BOT_TOKEN": "123:TEST",
            "PLAYBOOK_DIR": str(edited),
            "DATABASE_URL": database,
            "LANG": "en_US.UTF-8",
        },
    )
    assert english.returncode != 0
    assert "Bump `version` in playbook.yaml" in english.stderr and "Aumente" not in english.stderr


def test_playbook_check_compares_the_version_with_the_database(tmp_path: Path) -> None:
    database = f"sqlite:///{tmp_path / 'x.db'}"
    remember_default_playbook(database)
    assert "compatible" in cadencia("playbook", "check", env={"DATABASE_URL": database}).stdout
    commented = tmp_path / "commented"
    shutil.copytree(bundled_dir("playbook"), commented)
    (commented / "objections.yaml").write_text(
        (commented / "objections.yaml").read_text(encoding="utf-8") + "\n# só um comentário\n", encoding="utf-8"
    )
    assert cadencia("playbook", "check", str(commented), env={"DATABASE_URL": database}).returncode == 0
    edited = edited_default_playbook(tmp_path)
    result = cadencia("playbook", "check", str(edited), env={"DATABASE_URL": database})
    assert result.returncode != 0 and "Aumente `version`" in result.stderr and "Bump" not in result.stderr
    for english in (
        cadencia("playbook", "check", str(edited), "--lang", "en", env={"DATABASE_URL": database}),
        cadencia("--lang", "en", "playbook", "check", str(edited), env={"DATABASE_URL": database}),
        cadencia("playbook", "check", str(edited), env={"DATABASE_URL": database, "LC_ALL": "en_GB.UTF-8"}),
    ):
        assert english.returncode != 0
        assert "Bump `version` in playbook.yaml" in english.stderr and "Aumente" not in english.stderr
    portuguese = cadencia(
        "playbook", "check", str(edited), "--lang", "pt", env={"DATABASE_URL": database, "LANG": "en_US.UTF-8"}
    )
    assert "Aumente `version`" in portuguese.stderr


def test_a_wrong_setting_is_named(tmp_path: Path) -> None:
    result = cadencia("run", env={"CADENCIA_ADMINS": "joao", "TELEGRAM_BOT_TOKEN": "1:x"})
    assert result.returncode == 2
    assert "configuração inválida: CADENCIA_ADMINS" in result.stderr and "userinfobot" in result.stderr


def test_a_time_zone_that_does_not_exist_is_named() -> None:
    result = cadencia("run", env={"DEFAULT_TIMEZONE": "America/Brasilia", "TELEGRAM_BOT_TOKEN": "1:x"})
    assert result.returncode == 2
    assert "configuração inválida: DEFAULT_TIMEZONE" in result.stderr and "America/Manaus" in result.stderr


def test_run_says_when_the_bot_api_cannot_be_reached(tmp_path: Path) -> None:
    result = cadencia(
        "run",
        env={
            "TELEGRAM_BOT_TOKEN": "123:TEST",
            "TELEGRAM_API_BASE_URL": "http://127.0.0.1:9/bot",  # nothing listens on the discard port
            "DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}",
        },
    )
    assert result.returncode == 1
    assert "não consegui falar com o Bot API em http://127.0.0.1:9/bot" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
