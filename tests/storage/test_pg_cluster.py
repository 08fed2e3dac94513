"""How the test PostgreSQL server is found or installed (without touching the machine)."""

from __future__ import annotations

import subprocess
from typing import Any

import pytest

from tests.storage import pg_cluster


def test_not_installed_and_not_root_says_what_to_do(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pg_cluster, "find_bin_dir", lambda: None)
    monkeypatch.setattr(pg_cluster.os, "geteuid", lambda: 1000)
    with pytest.raises(pg_cluster.PostgresUnavailable, match="DATABASE_URL_TEST_PG"):
        pg_cluster.start_cluster()


def test_root_installs_with_apt_without_asking(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[tuple[list[str], dict[str, Any]]] = []

    def fake_run(args: list[str], **kwargs: Any) -> subprocess.CompletedProcess[bytes]:
        calls.append((args, kwargs))
        return subprocess.CompletedProcess(args, 0, b"", b"")

    monkeypatch.setattr(pg_cluster.os, "geteuid", lambda: 0)
    monkeypatch.setattr(pg_cluster.shutil, "which", lambda name: f"/usr/bin/{name}")
    monkeypatch.setattr(pg_cluster.subprocess, "run", fake_run)
    pg_cluster.install_with_apt()

    assert [args[:2] for args, _ in calls] == [["apt-get", "update"], ["apt-get", "install"]]
    assert "-y" in calls[1][0] and "postgresql" in calls[1][0]
    for _, kwargs in calls:
        assert kwargs["stdin"] is subprocess.DEVNULL
        assert kwargs["env"]["DEBIAN_FRONTEND"] == "noninteractive"


def test_failed_apt_install_is_reported(monkeypatch: pytest.MonkeyPatch) -> None:
    def failing_run(args: list[str], **kwargs: Any) -> None:
        raise subprocess.CalledProcessError(100, args, b"", b"E: Unable to locate package")

    monkeypatch.setattr(pg_cluster.os, "geteuid", lambda: 0)
    monkeypatch.setattr(pg_cluster.shutil, "which", lambda name: f"/usr/bin/{name}")
    monkeypatch.setattr(pg_cluster.subprocess, "run", failing_run)
    with pytest.raises(pg_cluster.PostgresUnavailable, match="Unable to locate package"):
        pg_cluster.install_with_apt()
