"""The running pieces every use case needs, built once by :mod:`bot.wiring`."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from time import monotonic
from typing import TYPE_CHECKING

from bot.config import Settings
from bot.domain.playbook.model import Playbook
from bot.domain.registry import CompanyDirectory, RegistryStore
from bot.domain.scoring import CompiledIcp, compile_icp
from bot.storage.db import read_scope, session_scope

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine
    from sqlmodel import Session

    from bot.services.views import MemberView

Clock = Callable[[], datetime]


class MemberCache:
    """Members by Telegram id, so the gate does not query the database on every update.

    This process is the only writer of members (invites, /config, pausing a rep): every
    service that changes a member calls :meth:`forget`. Entries also expire after ``ttl``
    seconds, so a change made elsewhere (a manager's CLI) shows within that time.
    """

    def __init__(self, ttl: float = 30.0) -> None:
        self.ttl = ttl
        self._entries: dict[int, tuple[float, MemberView | None]] = {}

    def get(self, telegram_id: int) -> tuple[bool, MemberView | None]:
        entry = self._entries.get(telegram_id)
        if entry is None or monotonic() - entry[0] > self.ttl:
            return False, None
        return True, entry[1]

    def put(self, telegram_id: int, member: MemberView | None) -> None:
        self._entries[telegram_id] = (monotonic(), member)

    def forget(self, telegram_id: int | None = None) -> None:
        if telegram_id is None:
            self._entries.clear()
        else:
            self._entries.pop(telegram_id, None)


def system_clock() -> datetime:
    return datetime.now(UTC)


class BaseRuntime:
    """The way every use case reaches the data: its settings, its clock, one transaction per use
    case (:meth:`transaction`) and read-only snapshots (:meth:`reading`). The bot's
    :class:`Runtime` and the command line's :class:`CliRuntime` are both one, so a use case that
    both run takes a ``BaseRuntime``; a use case of the bot only takes a :class:`Runtime`."""

    settings: Settings
    engine: Engine
    clock: Clock

    def now(self) -> datetime:
        return self.clock()

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """One use case's transaction: a session that commits when the block ends and rolls back
        if it raises (lock and connection failures surface as
        :class:`~bot.storage.db.DatabaseUnavailable`). Hand the session to :mod:`bot.storage`
        functions; rows stay readable after the block."""
        with session_scope(self.engine) as session:
            yield session

    session = transaction
    """The former name of :meth:`transaction`, kept for the services not yet moved to it."""

    @contextmanager
    def reading(self) -> Iterator[Session]:
        """A read-only snapshot for as long as needed (a report, an export, a preview): it never
        holds SQLite's write lock, and nothing is committed (:func:`~bot.storage.db.read_scope`).
        Its end rolls back, which expires the rows read: copy them into views inside the block."""
        with read_scope(self.engine) as session:
            yield session

    def close(self) -> None:
        """Close the database connections (a command line run is over)."""
        self.engine.dispose()


@dataclass
class CliRuntime(BaseRuntime):
    """The command line's runtime: the database, the settings and the clock, nothing else — no
    playbook (a command that needs one loads it), no registry, no member cache, so a command
    starts in the time it takes to open the database. Built by :func:`bot.cli.runtime.cli_runtime`."""

    settings: Settings
    engine: Engine
    clock: Clock = system_clock


@dataclass
class Runtime(BaseRuntime):
    """The running bot's: the playbook in force, the company directory, the registry and the
    members' cache as well. Built once by :func:`bot.wiring.build_runtime`."""

    settings: Settings
    engine: Engine
    playbook: Playbook
    """The playbook in force. A reload (``/recarregar``, SIGHUP) replaces it in one assignment;
    a use case reads it once and keeps that object, so it never mixes two versions."""
    clock: Clock = system_clock
    directory: CompanyDirectory | None = None
    """Where a CNPJ's company facts come from (a loaded registry or an online lookup); ``None``:
    nowhere, the rep types them (see :func:`bot.services.company_directory.build_directory`)."""
    registry: RegistryStore | None = None
    """The loaded CNPJ registry (market size, prospecting); ``None``: none configured."""
    members: MemberCache = field(init=False)
    _icp: CompiledIcp = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._icp = compile_icp(self.playbook.icp)
        self.members = MemberCache()

    @property
    def icp(self) -> CompiledIcp:
        """The ICP rules of :attr:`playbook`, compiled once per playbook."""
        compiled = self._icp
        if compiled.icp is not self.playbook.icp:
            compiled = self._icp = compile_icp(self.playbook.icp)
        return compiled
