"""Loading the playbook the bot runs with: domain checks + script rendering checks."""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path

from bot.domain.playbook.loader import PlaybookError, PlaybookIssue, load_playbook
from bot.domain.playbook.model import Playbook
from bot.render.scripts import check_scripts
from bot.services.runtime import BaseRuntime, Runtime
from bot.storage import playbooks as store
from bot.storage.playbooks import PlaybookVersionConflict

__all__ = [
    "PlaybookError",
    "PlaybookIssue",
    "PlaybookVersionConflict",
    "Reloaded",
    "load_checked_playbook",
    "reload_playbook",
]


def load_checked_playbook(directory: Path | str) -> Playbook:
    """Load ``directory`` and render every script against sample leads; raise PlaybookError."""
    return load_playbook(directory, extra_checks=[check_scripts])


def remember_playbook(runtime: BaseRuntime, playbook: Playbook) -> None:
    """Record the version the bot runs with; the same version with other content is refused."""
    with runtime.transaction() as session:
        store.record_playbook_version(
            session, version=playbook.version, fingerprint=playbook.fingerprint, sources=playbook.sources
        )


def stored_playbook(runtime: BaseRuntime, fingerprint: str) -> Playbook | None:
    """An older playbook version, rebuilt from the sources kept in the database."""
    with runtime.reading() as session:
        row = store.get_playbook_version(session, fingerprint=fingerprint)
        if row is None:
            return None
        sources = dict(row.sources)
    with tempfile.TemporaryDirectory() as folder:
        for name, text in sources.items():
            (Path(folder) / name).write_text(str(text), encoding="utf-8")
        return load_playbook(folder)


def version_conflict(runtime: BaseRuntime, playbook: Playbook) -> PlaybookVersionConflict | None:
    """The conflict :func:`remember_playbook` would raise, found without writing anything."""
    with runtime.reading() as session:
        known = store.find_playbook_version(session, version=playbook.version)
        if known is not None and known.fingerprint != playbook.fingerprint:
            return PlaybookVersionConflict(playbook.version, known.fingerprint, playbook.fingerprint)
    return None


@dataclass(frozen=True, slots=True)
class Reloaded:
    previous: str
    current: str
    changed: bool


def reload_playbook(runtime: Runtime) -> Reloaded:
    """Load the playbook folder again and put it in force, only if it validates and keeps the
    version rule (changed files need a new ``version``). Otherwise :class:`PlaybookError` or
    :class:`PlaybookVersionConflict` is raised and the running playbook stays."""
    previous = runtime.playbook
    fresh = load_checked_playbook(runtime.settings.playbook_dir)
    if fresh.fingerprint == previous.fingerprint:
        return Reloaded(previous.version, previous.version, changed=False)
    remember_playbook(runtime, fresh)  # raises PlaybookVersionConflict before anything changes
    runtime.playbook = fresh
    return Reloaded(previous.version, fresh.version, changed=True)
