"""Playbook versions in the database: the same version with other content is refused, and an
old version stays readable after the files change."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml
from sqlalchemy import Engine

from bot.resources import bundled_dir
from bot.services.playbooks import PlaybookVersionConflict, load_checked_playbook, remember_playbook, stored_playbook
from tests.support.runtimes import cli_runtime


def _edited_copy(tmp_path: Path, *, version: str | None = None) -> Path:
    target = tmp_path / "playbook"
    shutil.copytree(bundled_dir("playbook"), target)
    icp = yaml.safe_load((target / "icp.yaml").read_text(encoding="utf-8"))
    icp["tiers"]["A"] -= 1
    (target / "icp.yaml").write_text(yaml.safe_dump(icp, allow_unicode=True, sort_keys=False), encoding="utf-8")
    if version:
        manifest = (target / "playbook.yaml").read_text(encoding="utf-8")
        manifest = manifest.replace('version: "2026.12.1"', f'version: "{version}"')
        (target / "playbook.yaml").write_text(manifest, encoding="utf-8")
    return target


def test_the_same_version_with_other_content_is_refused(sqlite_engine: Engine, tmp_path: Path) -> None:
    original = load_checked_playbook(bundled_dir("playbook"))
    remember_playbook(cli_runtime(sqlite_engine), original)
    remember_playbook(cli_runtime(sqlite_engine), original)  # loading it again is fine
    edited = load_checked_playbook(_edited_copy(tmp_path))
    assert edited.version == original.version and edited.fingerprint != original.fingerprint
    with pytest.raises(PlaybookVersionConflict, match="Aumente `version`"):
        remember_playbook(cli_runtime(sqlite_engine), edited)


def test_a_bumped_version_is_accepted_and_the_old_one_stays_readable(sqlite_engine: Engine, tmp_path: Path) -> None:
    original = load_checked_playbook(bundled_dir("playbook"))
    remember_playbook(cli_runtime(sqlite_engine), original)
    bumped = load_checked_playbook(_edited_copy(tmp_path, version="2026.11.2"))
    remember_playbook(cli_runtime(sqlite_engine), bumped)
    old = stored_playbook(cli_runtime(sqlite_engine), original.fingerprint)
    assert old is not None
    assert (old.version, old.fingerprint) == (original.version, original.fingerprint)
    assert old.icp.tiers.A == original.icp.tiers.A != bumped.icp.tiers.A
    assert stored_playbook(cli_runtime(sqlite_engine), "0" * 64) is None
