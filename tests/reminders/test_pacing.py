"""The pacer: ≤ 30 messages/s overall, ≤ 1/s per chat, in due order — with numbers, no clock."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

from bot.reminders.pacing import Due, PacedQueue

T0 = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


def drain(queue: PacedQueue, start: float = 0.0) -> list[tuple[float, Due]]:
    out, now = [], start
    while (turn := queue.next(now)) is not None:
        at, item = turn
        now = at
        out.append((at, item))
    return out


def test_a_burst_of_5000_goes_out_in_due_order_at_30_per_second() -> None:
    queue = PacedQueue()
    items = [Due(T0 + timedelta(seconds=i % 977, microseconds=i), i + 1, chat_id=10_000 + i) for i in range(5000)]
    for item in sorted(items):
        queue.add(item)
    sent = drain(queue)
    assert [d for _, d in sent] == sorted(items)
    times = [at for at, _ in sent]
    gaps = [b - a for a, b in itertools.pairwise(times)]
    assert min(gaps) >= 1 / 30 - 1e-9
    assert abs(times[-1] - 4999 / 30) < 1e-6  # no idle time: exactly paced


def test_one_chat_gets_at_most_one_per_second_without_holding_up_the_others() -> None:
    queue = PacedQueue()
    busy = [Due(T0 + timedelta(seconds=i), i, chat_id=1) for i in range(1, 11)]
    others = [Due(T0 + timedelta(seconds=100 + i), 100 + i, chat_id=100 + i) for i in range(20)]
    for item in busy + others:
        queue.add(item)
    sent = drain(queue)
    busy_times = [at for at, d in sent if d.chat_id == 1]
    assert [b - a for a, b in itertools.pairwise(busy_times)] == [1.0] * 9
    assert [d.reminder_id for _, d in sent if d.chat_id == 1] == list(range(1, 11))
    # The 20 other chats are served within the first second, between the busy chat's turns.
    other_times = [at for at, d in sent if d.chat_id != 1]
    assert max(other_times) < 1.0
    assert len(sent) == 30


def test_hold_after_retry_after_pushes_every_send_back() -> None:
    queue = PacedQueue()
    for i in range(3):
        queue.add(Due(T0, i, chat_id=i))
    at, _ = queue.next(0.0)  # type: ignore[misc]
    queue.hold(at + 5)
    at2, _ = queue.next(0.0)  # type: ignore[misc]
    assert at2 >= 5


def test_duplicates_are_ignored() -> None:
    queue = PacedQueue()
    queue.add(Due(T0, 1, chat_id=1))
    queue.add(Due(T0, 1, chat_id=1))
    assert len(queue) == 1
