"""A throw-away PostgreSQL server for the test session.

Used by the ``pg_server_url`` fixture in ``tests/conftest.py``:

1. look for ``initdb`` and ``pg_ctl`` (``/usr/lib/postgresql/<newest>/bin``, then ``PATH``);
2. if missing, say how to install it: the tests never call a package manager (``.ci/run`` installs
   PostgreSQL before running the suite, see ``.ci/install-postgresql``);
3. ``initdb`` a cluster in a temporary folder (as the ``postgres`` system user when running as
   root, since PostgreSQL refuses to run as root), on ``/dev/shm`` when available, start it on
   a free TCP port of 127.0.0.1 with durability off (``fsync=off``: nothing here has to
   survive a crash), and stop it and delete the folder at the end.

Any failure raises :class:`PostgresUnavailable` with a message that says what to do.
"""

from __future__ import annotations

import os
import pwd
import shlex
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy.engine import URL

START_TIMEOUT_S = 60
SYSTEM_USER = "postgres"


class PostgresUnavailable(RuntimeError):
    """PostgreSQL could not be found, installed or started."""


def _version_key(path: Path) -> tuple[int, ...]:
    version = path.parent.parent.name  # /usr/lib/postgresql/<version>/bin/initdb
    return tuple(int(part) for part in version.split(".") if part.isdigit())


def find_bin_dir() -> Path | None:
    """The folder holding ``initdb`` and ``pg_ctl`` of the newest PostgreSQL installed."""
    candidates = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=_version_key)
    for initdb in reversed(candidates):
        if (initdb.parent / "pg_ctl").exists():
            return initdb.parent
    initdb_on_path = shutil.which("initdb")
    if initdb_on_path and shutil.which("pg_ctl"):
        return Path(initdb_on_path).resolve().parent
    return None


def _tail(text: str | bytes | None, lines: int = 15) -> str:
    if isinstance(text, bytes):
        text = text.decode(errors="replace")
    return "\n".join((text or "").strip().splitlines()[-lines:])


def _scratch_parent() -> str | None:
    """A RAM disk if there is one: creating a database per test is then ~10 ms instead of ~300."""
    shm = Path("/dev/shm")
    if shm.is_dir() and os.access(shm, os.W_OK | os.X_OK):
        return str(shm)
    return None  # the default temporary folder


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@dataclass
class Cluster:
    """A running PostgreSQL cluster; :meth:`stop` removes it for good."""

    bin_dir: Path
    base_dir: Path
    port: int
    run_as: str | None
    log_file: Path = field(init=False)

    def __post_init__(self) -> None:
        self.log_file = self.base_dir / "server.log"

    @property
    def data_dir(self) -> Path:
        return self.base_dir / "data"

    @property
    def url(self) -> URL:
        """Superuser URL of the maintenance database (create test databases from here)."""
        return URL.create(
            "postgresql+psycopg",
            username=SYSTEM_USER,
            host="127.0.0.1",
            port=self.port,
            database="postgres",
        )

    def _run(self, args: Sequence[str], timeout: float) -> None:
        command = [str(self.bin_dir / args[0]), *args[1:]]
        if self.run_as and shutil.which("runuser"):
            command = ["runuser", "-u", self.run_as, "--", *command]
        elif self.run_as:
            command = ["su", self.run_as, "-s", "/bin/sh", "-c", shlex.join(command)]
        try:
            subprocess.run(
                command,
                cwd=self.base_dir,
                stdin=subprocess.DEVNULL,
                capture_output=True,
                check=True,
                timeout=timeout,
            )
        except (subprocess.CalledProcessError, subprocess.TimeoutExpired) as error:
            log = self.log_file.read_text(errors="replace") if self.log_file.exists() else ""
            output = _tail(error.stderr) or _tail(error.stdout)
            raise PostgresUnavailable(
                f"`{' '.join(command)}` failed:\n{output}\n{_tail(log)}".rstrip()
            ) from error

    def initdb(self) -> None:
        self._run(
            [
                "initdb",
                "--pgdata",
                str(self.data_dir),
                "--username",
                SYSTEM_USER,
                "--auth",
                "trust",
                "--encoding",
                "UTF8",
                "--no-locale",
                "--no-sync",
            ],
            timeout=START_TIMEOUT_S,
        )

    def start(self) -> None:
        options = " ".join(
            [
                f"-p {self.port}",
                "-c listen_addresses=127.0.0.1",
                f"-c unix_socket_directories={self.base_dir}",
                "-c fsync=off",
                "-c synchronous_commit=off",
                "-c full_page_writes=off",
                "-c max_connections=100",
            ]
        )
        self._run(
            [
                "pg_ctl",
                "start",
                "--pgdata",
                str(self.data_dir),
                "--log",
                str(self.log_file),
                "--wait",
                "--timeout",
                str(START_TIMEOUT_S),
                "-o",
                options,
            ],
            timeout=START_TIMEOUT_S + 10,
        )

    def stop(self) -> None:
        try:
            if (self.data_dir / "postmaster.pid").exists():
                self._run(
                    ["pg_ctl", "stop", "--pgdata", str(self.data_dir), "-m", "immediate", "-w"],
                    timeout=30,
                )
        finally:
            shutil.rmtree(self.base_dir, ignore_errors=True)


def start_cluster() -> Cluster:
    """Find PostgreSQL and start a fresh cluster; the caller must :meth:`stop` it."""
    bin_dir = find_bin_dir()
    if bin_dir is None:
        raise PostgresUnavailable(
            "PostgreSQL is not installed (no initdb/pg_ctl under /usr/lib/postgresql/*/bin or on PATH). "
            "Install it (as root: `bash .ci/install-postgresql`, or `sudo apt-get install postgresql`) "
            "or set DATABASE_URL_TEST_PG to a server where the user may CREATE DATABASE."
        )

    run_as: str | None = None
    base_dir = Path(tempfile.mkdtemp(prefix="cadencia-pg-", dir=_scratch_parent()))
    if os.geteuid() == 0:
        try:
            owner = pwd.getpwnam(SYSTEM_USER)
        except KeyError as error:
            shutil.rmtree(base_dir, ignore_errors=True)
            raise PostgresUnavailable(
                f"running as root but there is no {SYSTEM_USER!r} system user to run initdb as"
            ) from error
        os.chown(base_dir, owner.pw_uid, owner.pw_gid)
        run_as = SYSTEM_USER

    cluster = Cluster(bin_dir=bin_dir, base_dir=base_dir, port=_free_port(), run_as=run_as)
    try:
        cluster.initdb()
        for attempt in range(3):  # the free port may be taken between probing and starting
            try:
                cluster.start()
                return cluster
            except PostgresUnavailable:
                if attempt == 2:
                    raise
                cluster.port = _free_port()
    except BaseException:
        cluster.stop()
        raise
    raise AssertionError("unreachable")  # pragma: no cover
