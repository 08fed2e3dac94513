"""How the test PostgreSQL server is found (without touching the machine)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from tests.storage import pg_cluster


def test_not_installed_says_what_to_do_and_installs_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    ran: list[object] = []
    monkeypatch.setattr(pg_cluster, "find_bin_dir", lambda: None)
    monkeypatch.setattr(pg_cluster.subprocess, "run", lambda *args, **kwargs: ran.append(args))
    with pytest.raises(pg_cluster.PostgresUnavailable, match="DATABASE_URL_TEST_PG") as refused:
        pg_cluster.start_cluster()
    assert ".ci/install-postgresql" in str(refused.value)
    assert ran == []  # the tests never call a package manager


def test_the_ci_script_installs_postgresql_without_asking() -> None:
    script = Path(__file__).resolve().parents[2] / ".ci" / "install-postgresql"
    text = script.read_text()
    assert "DEBIAN_FRONTEND=noninteractive" in text
    assert "apt-get install -y" in text and "postgresql" in text and "</dev/null" in text
    assert subprocess.run(["bash", "-n", str(script)]).returncode == 0  # it parses
