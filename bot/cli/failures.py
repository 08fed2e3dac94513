"""How a ``cadencia`` command fails: one clear line on stderr and an exit status."""

from __future__ import annotations


class CommandFailed(Exception):
    def __init__(self, message: str, status: int = 1) -> None:
        super().__init__(message)
        self.status = status
