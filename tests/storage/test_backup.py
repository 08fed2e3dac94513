"""Backups: a consistent copy while the bot writes, a restore that checks the file first and keeps
the database it replaces."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, text
from sqlmodel import Session, select

from bot.storage import backup as backups
from bot.storage.db import known_revisions, make_engine, upgrade_database
from bot.storage.models import Lead, Member


def _team_with_leads(engine: Engine, count: int) -> None:
    with Session(engine) as session:
        member = Member(telegram_id=555, role="rep", first_name="Ana")
        session.add(member)
        session.flush()
        for number in range(count):
            name = f"Empresa {number}"
            session.add(Lead(owner_id=member.id or 0, company=name, company_key=name.lower()))
        session.commit()


def _leads(engine: Engine) -> int:
    with Session(engine) as session:
        return int(session.exec(select(func.count()).select_from(Lead)).one())


def _url(engine: Engine) -> str:
    return engine.url.render_as_string(hide_password=False)


def test_a_sqlite_backup_taken_while_a_write_is_open_holds_the_committed_rows(
    sqlite_engine: Engine, tmp_path: Path
) -> None:
    _team_with_leads(sqlite_engine, 30)
    with sqlite_engine.connect() as writer:  # the bot in the middle of a transaction
        writer.execute(text("DELETE FROM leads WHERE id <= 10"))
        info = backups.backup(_url(sqlite_engine), tmp_path / "copia.db")
        writer.rollback()
    assert info.leads == 30 and info.kind == "sqlite"
    assert info.revision == known_revisions()[-1]
    assert not list(tmp_path.glob("*.partial"))


def test_restore_replaces_the_rows_and_keeps_the_database_it_replaced(sqlite_engine: Engine, tmp_path: Path) -> None:
    _team_with_leads(sqlite_engine, 5)
    saved = backups.backup(_url(sqlite_engine), tmp_path / "sexta.db")
    with Session(sqlite_engine) as session:  # Monday: somebody deletes everything
        session.execute(text("DELETE FROM leads"))
        session.commit()
    sqlite_engine.dispose()
    backups.restore(_url(sqlite_engine), saved.path, now=datetime(2026, 12, 2, 9, 30, tzinfo=UTC))
    assert _leads(sqlite_engine) == 5
    kept = Path(str(sqlite_engine.url.database) + ".before-restore-20261202T093000Z")
    assert backups.check_backup(kept).leads == 0


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"nome;cnpj\nPadaria;123\n", "não é um backup do Cadência"),
        (b"", "não é um backup do Cadência"),
    ],
)
def test_a_file_that_is_not_a_backup_is_refused_and_nothing_changes(
    sqlite_engine: Engine, tmp_path: Path, content: bytes, reason: str
) -> None:
    _team_with_leads(sqlite_engine, 3)
    bogus = tmp_path / "leads.db"
    bogus.write_bytes(content)
    with pytest.raises(backups.BackupRefused, match=reason):
        backups.restore(_url(sqlite_engine), bogus)
    assert _leads(sqlite_engine) == 3


def test_another_programs_sqlite_database_is_refused(tmp_path: Path) -> None:
    other = tmp_path / "outro.db"
    with sqlite3.connect(other) as connection:
        connection.execute("CREATE TABLE clientes (id INTEGER)")
    with pytest.raises(backups.BackupRefused, match="não um banco do Cadência"):
        backups.check_backup(other)


def test_a_backup_from_an_unknown_schema_is_refused(sqlite_engine: Engine, tmp_path: Path) -> None:
    info = backups.backup(_url(sqlite_engine), tmp_path / "copia.db")
    with sqlite3.connect(info.path) as connection:
        connection.execute("UPDATE alembic_version SET version_num = '9999'")
    with pytest.raises(backups.BackupRefused, match=r"'9999'.*não conhece"):
        backups.check_backup(info.path)


def test_an_older_schema_is_accepted_and_brought_up_to_date_by_the_migrations(tmp_path: Path) -> None:
    old = make_engine(f"sqlite:///{tmp_path / 'antigo.db'}")
    upgrade_database(old, revision=known_revisions()[0])
    old.dispose()
    info = backups.check_backup(tmp_path / "antigo.db")
    assert info.revision == known_revisions()[0]
    target = make_engine(f"sqlite:///{tmp_path / 'novo.db'}")
    backups.restore(_url(target), info.path)
    upgrade_database(target)
    assert _leads(target) == 0
    target.dispose()


def test_a_folder_as_target_is_refused(sqlite_engine: Engine, tmp_path: Path) -> None:
    with pytest.raises(backups.BackupRefused, match="é uma pasta"):
        backups.backup(_url(sqlite_engine), tmp_path)


@pytest.mark.postgres
def test_postgresql_backup_and_restore_with_pg_dump(pg_engine: Engine, tmp_path: Path) -> None:
    _team_with_leads(pg_engine, 7)
    info = backups.backup(_url(pg_engine), tmp_path / "pg.dump")
    assert info.kind == "postgresql" and info.revision == known_revisions()[-1]
    with Session(pg_engine) as session:
        session.execute(text("DELETE FROM leads"))
        session.commit()
    pg_engine.dispose()
    backups.restore(_url(pg_engine), info.path)
    assert _leads(pg_engine) == 7
    with pytest.raises(backups.BackupRefused, match="DATABASE_URL aponta para outro banco"):
        backups.restore("sqlite:///" + str(tmp_path / "x.db"), info.path)
