"""Fixtures of the service tests: one generated activity database shared by a module."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine

from bot.storage.db import make_engine
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
