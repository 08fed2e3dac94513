"""The migrations build exactly the schema that bot.storage.models describes."""

from __future__ import annotations

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, inspect
from sqlmodel import SQLModel

import bot.storage.models  # noqa: F401  (registers the tables)
from bot.storage.db import alembic_config, make_engine, upgrade_database


def _schema_differences(engine: Engine) -> list[object]:
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return list(compare_metadata(context, SQLModel.metadata))


def _current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def test_one_linear_history_of_revisions() -> None:
    script = ScriptDirectory.from_config(alembic_config())
    assert len(script.get_heads()) == 1
    assert script.get_base() == "0001"


def test_upgrade_from_empty_gives_the_models_schema(empty_database_url: str) -> None:
    engine = make_engine(empty_database_url)
    try:
        upgrade_database(engine)
        head = ScriptDirectory.from_config(alembic_config()).get_current_head()
        assert _current_revision(engine) == head
        assert _schema_differences(engine) == []
        tables = set(inspect(engine).get_table_names())
        assert set(SQLModel.metadata.tables) <= tables
    finally:
        engine.dispose()


def test_upgrade_is_idempotent_and_accepts_a_url(empty_database_url: str) -> None:
    upgrade_database(empty_database_url)
    upgrade_database(empty_database_url)
    engine = make_engine(empty_database_url)
    try:
        assert _schema_differences(engine) == []
    finally:
        engine.dispose()


def test_downgrade_to_base_and_back(empty_database_url: str) -> None:
    engine = make_engine(empty_database_url)
    try:
        upgrade_database(engine)
        with engine.begin() as connection:
            config = alembic_config()
            config.attributes["connection"] = connection
            command.downgrade(config, "base")
        assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
        upgrade_database(engine)
        assert _schema_differences(engine) == []
    finally:
        engine.dispose()


def test_migrations_are_found_from_any_working_directory(tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    upgrade_database(f"sqlite:///{tmp_path / 'elsewhere.db'}")
    assert not (tmp_path / "alembic.ini").exists()
    engine = make_engine(f"sqlite:///{tmp_path / 'elsewhere.db'}")
    try:
        assert _schema_differences(engine) == []
    finally:
        engine.dispose()
