"""Playbook versions: the playbooks the bot ran with, kept so that old touches can be read
against the scripts they used. Keyword-only, the session first; nothing is committed here."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from bot.domain.problems import N_, Problem
from bot.storage.models import PlaybookVersion, utcnow

VERSION_CONFLICT = N_(
    "A versão %(version)s do playbook já foi usada com outro conteúdo (impressão digital %(recorded)s…, "
    "agora %(new)s…). Aumente `version` em playbook.yaml antes de carregar os arquivos editados, para que "
    "os relatórios separem os toques antigos dos novos."
)


class PlaybookVersionConflict(Problem):
    """The playbook changed but its ``version`` did not (a :class:`Problem`: its message is translatable)."""

    def __init__(self, version: str, recorded_fingerprint: str, new_fingerprint: str) -> None:
        self.version = version
        self.recorded_fingerprint = recorded_fingerprint
        self.new_fingerprint = new_fingerprint
        super().__init__(
            VERSION_CONFLICT, version=repr(version), recorded=recorded_fingerprint[:12], new=new_fingerprint[:12]
        )

    def __reduce__(self) -> tuple[object, ...]:
        return (type(self), (self.version, self.recorded_fingerprint, self.new_fingerprint))


def get_playbook_version(session: Session, *, fingerprint: str) -> PlaybookVersion | None:
    return session.exec(select(PlaybookVersion).where(PlaybookVersion.fingerprint == fingerprint)).first()


def find_playbook_version(session: Session, *, version: str) -> PlaybookVersion | None:
    return session.exec(select(PlaybookVersion).where(PlaybookVersion.version == version)).first()


def record_playbook_version(
    session: Session,
    *,
    version: str,
    fingerprint: str,
    sources: dict[str, Any],
    now: datetime | None = None,
) -> PlaybookVersion:
    """Remember the playbook the bot runs with; loading the same content again is a no-op.

    Raises :class:`PlaybookVersionConflict` if ``version`` was recorded with another fingerprint.
    """
    existing = get_playbook_version(session, fingerprint=fingerprint)
    if existing is not None:
        return existing
    same_version = find_playbook_version(session, version=version)
    if same_version is not None:
        raise PlaybookVersionConflict(version, same_version.fingerprint, fingerprint)
    row = PlaybookVersion(version=version, fingerprint=fingerprint, sources=sources, loaded_at=now or utcnow())
    try:
        with session.begin_nested():  # another process may record the same playbook right now
            session.add(row)
    except IntegrityError:
        existing = get_playbook_version(session, fingerprint=fingerprint)
        if existing is None:
            raise
        return existing
    return row


__all__ = [
    "VERSION_CONFLICT",
    "PlaybookVersionConflict",
    "find_playbook_version",
    "get_playbook_version",
    "record_playbook_version",
]
