"""``cadencia backup`` and ``cadencia restore`` as an operator runs them."""

from __future__ import annotations

from pathlib import Path

from tests.cli.test_cli import cadencia


def test_backup_then_restore_from_the_command_line(tmp_path: Path) -> None:
    env = {"DATABASE_URL": f"sqlite:///{tmp_path / 'cadencia.db'}", "CADENCIA_ADMINS": ""}
    assert cadencia("import", "--help", env=env).returncode == 0  # the command line knows the database
    made = cadencia("backup", str(tmp_path / "backups" / "hoje.db"), env=env)
    assert made.returncode != 0 and "não existe" in made.stderr  # nothing to back up yet

    from bot.storage.db import make_engine, upgrade_database

    engine = make_engine(env["DATABASE_URL"])
    upgrade_database(engine)
    engine.dispose()
    made = cadencia("backup", str(tmp_path / "backups" / "hoje.db"), env=env)
    assert made.returncode == 0, made.stderr
    assert "backup salvo em" in made.stdout and "0 leads" in made.stdout

    unconfirmed = cadencia("restore", str(tmp_path / "backups" / "hoje.db"), env=env)
    assert unconfirmed.returncode == 2 and "--yes" in unconfirmed.stderr

    restored = cadencia("restore", "--yes", str(tmp_path / "backups" / "hoje.db"), env=env)
    assert restored.returncode == 0, restored.stderr
    assert list(tmp_path.glob("cadencia.db.before-restore-*"))

    bogus = tmp_path / "planilha.csv"
    bogus.write_text("empresa;cnpj\n")
    refused = cadencia("restore", "--yes", str(bogus), env=env)
    assert refused.returncode == 1
    assert (
        refused.stderr.strip()
        == "cadencia: planilha.csv não é um backup do Cadência (nem SQLite, nem pg_dump no formato custom)"
    )
