"""A progress bar on the terminal for long commands (``cadencia import``).

Drawn on stderr, and only when stderr is a terminal: piped or logged, a command prints its plain
summary and nothing else. One line, redrawn in place::

    [██████████░░░░░░░░░░░░░░░░░░░░]  17.500/50.000 linhas   4.210 linhas/s
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TextIO

from bot.services.import_files import thousands

WIDTH = 30


class ProgressBar:
    """``bar(done, total)`` redraws; :meth:`finish` leaves one line saying how it went, :meth:`clear`
    none.

    ``total`` may be an estimate that grows; ``done == total`` means the rows are all read and
    what remains is writing them (said so on the bar)."""

    def __init__(self, stream: TextIO, *, clock: Callable[[], float] = time.monotonic, unit: str = "linhas") -> None:
        self.stream = stream
        self.clock = clock
        self.unit = unit
        self.shown = stream.isatty()
        self.started = clock()
        self.done = 0
        self.width = 0
        full, empty = "█", "░"
        try:
            (full + empty).encode(getattr(stream, "encoding", None) or "ascii")
        except (LookupError, UnicodeEncodeError):
            full, empty = "#", "-"
        self.marks = full, empty

    def rate(self) -> float:
        elapsed = self.clock() - self.started
        return self.done / elapsed if elapsed > 0 else 0.0

    def __call__(self, done: int, total: int) -> None:
        self.done = done
        if not self.shown:
            return
        total = max(total, done, 1)
        filled = WIDTH * done // total
        full, empty = self.marks
        line = (
            f"[{full * filled}{empty * (WIDTH - filled)}] {thousands(done):>9}/{thousands(total)} {self.unit} "
            f"{thousands(round(self.rate())):>7} {self.unit}/s"
        )
        if done >= total:
            line += " · gravando…"
        self._draw(line)

    def finish(self) -> None:
        """Replace the bar with the count, the time and the rate (nothing when not shown)."""
        if not self.shown:
            return
        elapsed = self.clock() - self.started
        seconds = f"{elapsed:.1f}".replace(".", ",")
        self._draw(f"{thousands(self.done)} {self.unit} em {seconds} s ({thousands(round(self.rate()))} {self.unit}/s)")
        self.stream.write("\n")
        self.stream.flush()

    def clear(self) -> None:
        """Erase the bar (the command failed and says why on the next line)."""
        if self.shown and self.width:
            self.stream.write("\r" + " " * self.width + "\r")
            self.stream.flush()
            self.width = 0

    def _draw(self, line: str) -> None:
        padding = " " * max(0, self.width - len(line))
        self.width = len(line)
        self.stream.write(f"\r{line}{padding}")
        self.stream.flush()
