"""Installed from a wheel, outside the repository, Cadência still finds its playbook,
templates, migrations, CNAE data and translations."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(out), str(ROOT)],
        check=True,
        capture_output=True,
        text=True,
    )
    (built,) = out.glob("cadencia-*.whl")
    return built


def test_the_wheel_carries_the_data_files(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    for expected in (
        "bot/_bundled/playbook/playbook.yaml",
        "bot/_bundled/playbook/scripts.yaml",
        "bot/_bundled/templates/icp_card.html",
        "bot/storage/migrations/env.py",
        "bot/storage/migrations/versions/0001_initial.py",
        "bot/locales/en/LC_MESSAGES/messages.po",
        "bot/domain/data/cnae_divisions.tsv",
    ):
        assert expected in names, expected


def test_an_installed_wheel_works_from_any_directory(wheel: Path, tmp_path: Path) -> None:
    site = tmp_path / "site"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", str(site), str(wheel)],
        check=True,
        capture_output=True,
        text=True,
    )
    script = (
        "import bot, sys\n"
        "from bot.resources import bundled_dir\n"
        "from bot.services.playbooks import load_checked_playbook\n"
        "from bot.storage.db import upgrade_database\n"
        "assert '_bundled' in str(bundled_dir('playbook')), bundled_dir('playbook')\n"
        "playbook = load_checked_playbook(bundled_dir('playbook'))\n"
        "upgrade_database('sqlite:///' + sys.argv[1])\n"
        "from bot.i18n import gettext_for\n"
        "print(playbook.version, gettext_for('en')('Cadastrar um lead'), bot.__file__)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script, str(tmp_path / "x.db")],
        cwd=tmp_path,
        env={"PYTHONPATH": str(site), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    version, *_rest = result.stdout.split()
    assert version == "2026.12.1"
    assert str(site) in result.stdout
