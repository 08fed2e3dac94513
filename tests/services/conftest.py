"""Fixtures of the service tests: one generated activity database shared by a module; the
default playbook and a small team (a manager, Ana and Bruno) for the import tests."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, insert

from bot.config import Settings
from bot.domain.playbook.model import Playbook
from bot.services.playbooks import load_checked_playbook
from bot.storage.db import make_engine
from bot.storage.models import Member
from tests.services.activity import Activity, populate


@pytest.fixture(scope="session")
def activity_db(
    _sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Path, Activity]:
    """A migrated SQLite file with ~1,500 leads of generated activity, built once."""
    path = tmp_path_factory.mktemp("activity") / "activity.db"
    shutil.copyfile(_sqlite_template, path)
    engine = make_engine(f"sqlite:///{path}")
    activity = populate(engine, 1500, n_reps=5, seed=11)
    engine.dispose()
    return path, activity


@pytest.fixture
def activity_engine(activity_db: tuple[Path, Activity], tmp_path: Path) -> Iterator[Engine]:
    """A private copy of the activity database (tests may write to it)."""
    path = tmp_path / "activity.db"
    shutil.copyfile(activity_db[0], path)
    engine = make_engine(f"sqlite:///{path}")
    try:
        yield engine
    finally:
        engine.dispose()


@pytest.fixture
def activity(activity_db: tuple[Path, Activity]) -> Activity:
    return activity_db[1]


@pytest.fixture(scope="module")
def playbook() -> Playbook:
    return load_checked_playbook(Settings().playbook_dir)


@pytest.fixture
def team(sqlite_engine: Engine) -> Engine:
    with sqlite_engine.begin() as connection:
        connection.execute(
            insert(Member),
            [
                dict(
                    id=1,
                    telegram_id=1000,
                    role="manager",
                    first_name="Marta",
                    full_name="Marta Souza",
                    username="marta",
                ),
                dict(
                    id=2,
                    telegram_id=2000,
                    role="rep",
                    first_name="Ana",
                    full_name="Ana Lima",
                    username="ana",
                ),
                dict(
                    id=3,
                    telegram_id=3000,
                    role="rep",
                    first_name="Bruno",
                    full_name="Bruno Dias",
                    username="bruno",
                ),
            ],
        )
    return sqlite_engine
