"""Pacing a burst of deliveries under Telegram's limits, in due order.

Telegram accepts about 30 messages per second overall and about 1 per second per chat; more
and it answers 429. :class:`PacedQueue` hands out due reminders one at a time and says how long
to wait before each, so that:

* two sends are at least ``global_interval`` apart (1/30 s by default);
* two sends to the same chat are at least ``chat_interval`` apart (1 s by default);
* among the chats that may receive a message at a given moment, the reminder due first (then
  the lowest id) goes first — so a burst of 5,000 reminders for 5,000 reps goes out strictly in
  due order, and one rep with 200 overdue reminders does not hold up everyone else.

Nothing here reads a clock or sleeps: the caller passes "now" (a monotonic number of seconds)
and does the waiting, so tests run a 5,000-message burst in milliseconds.
"""

from __future__ import annotations

import heapq
from collections import deque
from dataclasses import dataclass, field
from datetime import datetime

GLOBAL_PER_SECOND = 30.0
CHAT_INTERVAL_S = 1.0


@dataclass(frozen=True, slots=True, order=True)
class Due:
    """One reminder waiting to go out: what the pacer needs to know, nothing more."""

    due_at: datetime
    reminder_id: int
    chat_id: int = field(compare=False)


@dataclass
class PacedQueue:
    global_interval: float = 1.0 / GLOBAL_PER_SECOND
    chat_interval: float = CHAT_INTERVAL_S
    _per_chat: dict[int, deque[Due]] = field(default_factory=dict)
    _ready: list[tuple[datetime, int, int]] = field(default_factory=list)
    """Chats that may receive now, keyed by their head reminder: (due_at, id, chat)."""
    _waiting: list[tuple[float, int]] = field(default_factory=list)
    """Chats that received recently: (may receive again at, chat)."""
    _next_global: float = float("-inf")
    _chat_free_at: dict[int, float] = field(default_factory=dict)
    _known: set[int] = field(default_factory=set)

    def __len__(self) -> int:
        return sum(len(q) for q in self._per_chat.values())

    def __contains__(self, reminder_id: object) -> bool:
        return reminder_id in self._known

    def add(self, item: Due) -> None:
        """Queue a reminder (items of one chat must be added in due order; duplicates ignored)."""
        if item.reminder_id in self._known:
            return
        self._known.add(item.reminder_id)
        queue = self._per_chat.get(item.chat_id)
        if queue:
            queue.append(item)
            return
        self._per_chat[item.chat_id] = deque([item])
        free_at = self._chat_free_at.get(item.chat_id, float("-inf"))
        if free_at == float("-inf"):
            heapq.heappush(self._ready, (item.due_at, item.reminder_id, item.chat_id))
        else:
            heapq.heappush(self._waiting, (free_at, item.chat_id))

    def next(self, now: float) -> tuple[float, Due] | None:
        """The next reminder to send and the moment (same scale as ``now``) to send it.

        The caller waits until that moment and sends; after a 429 it calls :meth:`hold` and
        retries the same reminder. ``None`` when the queue is empty.
        """
        if not self._per_chat:
            return None
        at = max(now, self._next_global)
        self._wake(at)
        if not self._ready:
            at = max(at, self._waiting[0][0])
            self._wake(at)
        _, _, chat = heapq.heappop(self._ready)
        queue = self._per_chat[chat]
        item = queue.popleft()
        if queue:
            # The chat's next reminder waits for its slot.
            heapq.heappush(self._waiting, (at + self.chat_interval, chat))
        else:
            del self._per_chat[chat]
        self._next_global = at + self.global_interval
        self._chat_free_at[chat] = at + self.chat_interval
        self._known.discard(item.reminder_id)
        return at, item

    def hold(self, until: float) -> None:
        """Send nothing before ``until`` (Telegram said "retry after")."""
        self._next_global = max(self._next_global, until)

    def _wake(self, at: float) -> None:
        while self._waiting and self._waiting[0][0] <= at:
            _, chat = heapq.heappop(self._waiting)
            queue = self._per_chat.get(chat)
            if queue:
                head = queue[0]
                heapq.heappush(self._ready, (head.due_at, head.reminder_id, chat))
