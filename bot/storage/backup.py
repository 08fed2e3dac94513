"""Backups of the database and their restore, checked before anything is replaced.

* SQLite: SQLite's online backup API copies a consistent snapshot page by page while the bot
  keeps working (readers and writers are not stopped); the copy is written beside the target
  and renamed into place, so a half-written backup never carries the target's name.
* PostgreSQL: ``pg_dump --format=custom`` (and ``pg_restore`` to restore), when the client
  tools are installed.

A file is restored only if it is a Cadência database of a schema this version knows (its
``alembic_version`` is one of our migrations): a random file, another program's database or a
backup from a newer Cadência is refused with a one-line reason. Before a SQLite restore the
current database is kept as ``<name>.before-restore-<UTC time>``; migrations bring an older
backup up to date at the next start.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy.engine import URL

from bot.storage.db import known_revisions, normalize_url

PG_TOOL_TIMEOUT_S = 3600
SQLITE_MAGIC = b"SQLite format 3\x00"
PG_CUSTOM_MAGIC = b"PGDMP"
#: Tables every Cadência database has, whatever its schema revision.
CORE_TABLES = frozenset({"alembic_version", "members", "leads", "touches"})


class BackupRefused(Exception):
    """The backup or restore cannot be done; the message says why and what to do."""


@dataclass(frozen=True, slots=True)
class BackupInfo:
    path: Path
    kind: str
    """``sqlite`` or ``postgresql``."""
    revision: str
    """The schema revision (Alembic) the backup was taken at."""
    leads: int | None = None
    """Leads in the backup (SQLite backups only)."""


def _sqlite_path(url: URL) -> Path:
    if not url.database or url.database == ":memory:" or url.database.startswith("file:"):
        raise BackupRefused("só um banco SQLite em arquivo pode ter backup (DATABASE_URL aponta para a memória)")
    return Path(url.database).expanduser()


def _is_sqlite(url: URL) -> bool:
    return url.get_backend_name() == "sqlite"


def _pg_tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise BackupRefused(f"{name} não está instalado; instale o cliente do PostgreSQL (postgresql-client)")
    return found


def _pg_dsn(url: URL) -> str:
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


def _run_pg_tool(args: list[str]) -> str:
    try:
        done = subprocess.run(
            args, capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=PG_TOOL_TIMEOUT_S, check=False
        )
    except subprocess.TimeoutExpired:
        raise BackupRefused(f"{Path(args[0]).name} não terminou em {PG_TOOL_TIMEOUT_S} s") from None
    if done.returncode != 0:
        detail = (done.stderr or done.stdout).strip().splitlines()
        raise BackupRefused(f"{Path(args[0]).name} falhou: {detail[-1] if detail else done.returncode}")
    return done.stdout


def backup(database_url: str | URL, target: Path) -> BackupInfo:
    """Write a backup of the database at ``database_url`` to ``target`` (replaced atomically)."""
    url = normalize_url(database_url)
    target = target.expanduser()
    if target.is_dir():
        raise BackupRefused(f"{target} é uma pasta; dê o nome do arquivo do backup")
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, partial_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".partial", dir=target.parent)
    os.close(handle)
    partial = Path(partial_name)
    try:
        if _is_sqlite(url):
            source_path = _sqlite_path(url)
            if not source_path.is_file():
                raise BackupRefused(f"o banco {source_path} não existe")
            source = sqlite3.connect(f"file:{source_path}?mode=ro", uri=True)
            copy = sqlite3.connect(partial)
            try:
                source.backup(copy)
            finally:
                copy.close()
                source.close()
        else:
            _run_pg_tool([_pg_tool("pg_dump"), "--format=custom", "--no-owner", "--file", str(partial), _pg_dsn(url)])
        info = check_backup(partial)
        partial.replace(target)
    finally:
        partial.unlink(missing_ok=True)
    return BackupInfo(path=target, kind=info.kind, revision=info.revision, leads=info.leads)


def check_backup(path: Path) -> BackupInfo:
    """What ``path`` holds, or :class:`BackupRefused` if it is not a Cadência backup we know."""
    path = path.expanduser()
    if not path.is_file():
        raise BackupRefused(f"o arquivo {path} não existe")
    with path.open("rb") as file:
        head = file.read(len(SQLITE_MAGIC))
    if head.startswith(SQLITE_MAGIC):
        return _check_sqlite(path)
    if head.startswith(PG_CUSTOM_MAGIC):
        return _check_pg_dump(path)
    raise BackupRefused(f"{path.name} não é um backup do Cadência (nem SQLite, nem pg_dump no formato custom)")


def _known(revision: str, path: Path) -> str:
    revisions = known_revisions()
    if revision not in revisions:
        raise BackupRefused(
            f"{path.name} tem o esquema {revision!r}, que esta versão do Cadência não conhece "
            f"(conhece {revisions[0]} a {revisions[-1]}); use a versão que fez o backup"
        )
    return revision


def _check_sqlite(path: Path) -> BackupInfo:
    try:
        connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    except sqlite3.Error as error:
        raise BackupRefused(f"não consegui abrir {path.name}: {error}") from None
    try:
        tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        missing = CORE_TABLES - tables
        if missing:
            raise BackupRefused(
                f"{path.name} é um SQLite, mas não um banco do Cadência (faltam {', '.join(sorted(missing))})"
            )
        (status,) = connection.execute("PRAGMA quick_check").fetchone()
        if status != "ok":
            raise BackupRefused(f"{path.name} está corrompido ({status})")
        row = connection.execute("SELECT version_num FROM alembic_version").fetchone()
        (leads,) = connection.execute("SELECT count(*) FROM leads").fetchone()
    except sqlite3.DatabaseError as error:
        raise BackupRefused(f"{path.name} não é um banco SQLite válido: {error}") from None
    finally:
        connection.close()
    if row is None:
        raise BackupRefused(f"{path.name} não registra a versão do esquema (alembic_version vazia)")
    return BackupInfo(path=path, kind="sqlite", revision=_known(row[0], path), leads=int(leads))


def _check_pg_dump(path: Path) -> BackupInfo:
    listing = _run_pg_tool([_pg_tool("pg_restore"), "--list", str(path)])
    if " TABLE DATA public alembic_version " not in listing or " TABLE public leads " not in listing:
        raise BackupRefused(f"{path.name} é um pg_dump, mas não de um banco do Cadência")
    data = _run_pg_tool([_pg_tool("pg_restore"), "--data-only", "--table=alembic_version", "--file=-", str(path)])
    rows = data.split("COPY public.alembic_version (version_num) FROM stdin;\n", 1)
    revision = rows[1].split("\n", 1)[0].strip() if len(rows) == 2 else ""
    if not revision or revision == "\\.":
        raise BackupRefused(f"{path.name} não registra a versão do esquema (alembic_version vazia)")
    return BackupInfo(path=path, kind="postgresql", revision=_known(revision, path))


def restore(database_url: str | URL, source: Path, *, now: datetime | None = None) -> BackupInfo:
    """Replace the database at ``database_url`` with the backup ``source`` (checked first).

    Stop the bot first: a restore replaces every row under it.
    """
    url = normalize_url(database_url)
    info = check_backup(source)
    if info.kind != ("sqlite" if _is_sqlite(url) else "postgresql"):
        raise BackupRefused(f"{source.name} é um backup de {info.kind}, mas DATABASE_URL aponta para outro banco")
    if info.kind == "postgresql":
        _run_pg_tool(
            [
                _pg_tool("pg_restore"),
                "--clean",
                "--if-exists",
                "--no-owner",
                "--single-transaction",
                f"--dbname={_pg_dsn(url)}",
                str(source),
            ]
        )
        return info
    target = _sqlite_path(url)
    if target.exists():
        stamp = (now or datetime.now(UTC)).strftime("%Y%m%dT%H%M%SZ")
        keep = target.with_name(f"{target.name}.before-restore-{stamp}")
        backup(url, keep)
    target.parent.mkdir(parents=True, exist_ok=True)
    origin = sqlite3.connect(f"file:{source.expanduser()}?mode=ro", uri=True)
    destination = sqlite3.connect(target, timeout=30)
    try:
        origin.backup(destination)  # page by page into the live file, under SQLite's own locks
    finally:
        destination.close()
        origin.close()
    return info
