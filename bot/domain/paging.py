"""Long lists shown a page at a time: how many items fit a page and which ones a page holds.

Pure arithmetic shared by the keyboards (which page the rep sees) and the playbook check (which
lists will need paging), and :class:`ListKey`, where a page of a list read by keyset (``/leads``)
starts or ends. A page of 12 buttons, two per row, is six rows plus the ◀ ▶ row: it
stays on a phone's screen with the question above it (Telegram would take about 100 buttons,
which no one scrolls through), and the default playbook's lists fit on one page.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TypeVar

T = TypeVar("T")

#: Buttons of a list shown at once; a longer list gets ◀ ▶ buttons.
PAGE_SIZE = 12


def page_count(length: int, size: int = PAGE_SIZE) -> int:
    """Pages needed for ``length`` items (an empty list still has one, empty, page)."""
    return max(1, -(-length // size))


def needs_paging(length: int, size: int = PAGE_SIZE) -> bool:
    return length > size


def clamp(page: int, length: int, size: int = PAGE_SIZE) -> int:
    """``page`` within ``0 .. page_count - 1`` (an old button after the list shrank stays valid)."""
    return min(max(page, 0), page_count(length, size) - 1)


def page_of(items: Sequence[T], page: int, size: int = PAGE_SIZE) -> Sequence[T]:
    """The items on ``page`` (clamped): every item is on exactly one page, in order."""
    start = clamp(page, len(items), size) * size
    return items[start : start + size]


@dataclass(frozen=True, slots=True)
class ListKey:
    """A row's place in a list sorted by a stable key: its id and, for a list in order of a
    moment (leads by due date), that moment. A page "after" a key holds the rows that follow
    it, so a page stays right when rows are added or removed before it (no offsets)."""

    id: int
    moment: datetime | None = None


@dataclass(frozen=True, slots=True)
class LeadLine:
    """One line of a lead list: what ``/leads`` shows of a lead (read a page at a time by
    :mod:`bot.storage.lead_list`)."""

    id: int
    company: str
    stage: str
    icp_tier: str | None
    step_due_at: datetime | None

    @property
    def key(self) -> ListKey:
        return ListKey(self.id, self.step_due_at)
