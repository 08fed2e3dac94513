"""Paging arithmetic: every item on exactly one page, in order."""

from __future__ import annotations

import pytest

from bot.domain.paging import PAGE_SIZE, clamp, needs_paging, page_count, page_of


@pytest.mark.parametrize("length", [0, 1, PAGE_SIZE - 1, PAGE_SIZE, PAGE_SIZE + 1, 40, 100])
def test_every_item_is_on_exactly_one_page(length: int) -> None:
    items = list(range(length))
    pages = [list(page_of(items, page)) for page in range(page_count(length))]
    assert [i for page in pages for i in page] == items
    assert all(0 < len(page) <= PAGE_SIZE for page in pages) or length == 0
    assert needs_paging(length) == (page_count(length) > 1)


def test_a_page_out_of_range_is_clamped() -> None:
    items = list(range(30))
    assert clamp(-1, 30) == 0 and clamp(99, 30) == page_count(30) - 1
    assert list(page_of(items, 99)) == items[(page_count(30) - 1) * PAGE_SIZE :]


def test_sizes() -> None:
    assert (page_count(0), page_count(12, 12), page_count(13, 12), page_count(40, 12)) == (1, 1, 2, 4)
