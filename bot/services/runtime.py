"""The running pieces every use case needs, built once by :mod:`bot.wiring`."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy.engine import Engine
from sqlmodel import Session

from bot.config import Settings
from bot.domain.playbook.model import Playbook
from bot.domain.scoring import CompiledIcp, compile_icp
from bot.storage.db import session_scope

Clock = Callable[[], datetime]


def system_clock() -> datetime:
    return datetime.now(UTC)


@dataclass
class Runtime:
    settings: Settings
    engine: Engine
    playbook: Playbook
    clock: Clock = system_clock
    icp: CompiledIcp = field(init=False)

    def __post_init__(self) -> None:
        self.icp = compile_icp(self.playbook.icp)

    def now(self) -> datetime:
        return self.clock()

    @contextmanager
    def session(self) -> Iterator[Session]:
        with session_scope(self.engine) as session:
            yield session
