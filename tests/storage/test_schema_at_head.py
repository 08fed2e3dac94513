"""``upgrade_database`` on a database already at the newest revision answers without loading
Alembic (every ``cadencia`` command calls it; issue 11), and still migrates any other."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from alembic import command

from bot.storage import db
from bot.storage.db import head_revision, known_revisions, make_engine, schema_revision, upgrade_database

ROOT = Path(__file__).resolve().parents[2]


def test_the_scripts_read_as_text_name_the_head_alembic_names() -> None:
    assert db._heads_on_disk() == {head_revision()}


def test_a_database_at_head_is_left_alone_and_one_behind_is_migrated(
    empty_database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = make_engine(empty_database_url)
    try:
        upgrade_database(engine, revision=known_revisions()[-2])
        upgrade_database(engine)  # one revision behind: Alembic runs
        assert schema_revision(engine) == head_revision()

        def refuse(*args: object, **kwargs: object) -> None:
            raise AssertionError("Alembic ran on a database at head")

        monkeypatch.setattr(command, "upgrade", refuse)
        upgrade_database(engine)
        upgrade_database(empty_database_url)
    finally:
        engine.dispose()


def test_when_the_scripts_cannot_be_read_alembic_decides(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'cadencia.db'}")
    try:
        upgrade_database(engine)
        monkeypatch.setattr(db, "_heads_on_disk", lambda: None)
        assert not db._at_head(engine)
        upgrade_database(engine)  # Alembic: nothing to do
        assert schema_revision(engine) == head_revision()
    finally:
        engine.dispose()


def test_a_command_on_a_migrated_database_does_not_import_alembic(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'cadencia.db'}"
    upgrade_database(url)
    script = (
        "import sys\n"
        "from bot.storage.db import make_engine, upgrade_database\n"
        f"upgrade_database(make_engine({url!r}))\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'alembic'))\n"
    )
    result = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"
