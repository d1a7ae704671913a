"""HashCounts counts like a Counter, in arrays."""

from __future__ import annotations

import random
from collections import Counter

import numpy as np
import pytest

from dedup import hashcount
from dedup.hashcount import HashCounts


def test_counts_equal_a_counter_across_merges(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(hashcount, "MIN_PENDING", 50)  # merge often
    rnd = random.Random(2)
    counts = HashCounts()
    reference: Counter[int] = Counter()
    for _ in range(300):
        # Some hashes recur (small numbers), most are seen once (63-bit ones).
        page = frozenset(rnd.randrange(2**63) if rnd.random() < 0.5 else rnd.randrange(9) for _ in range(9))
        counts.add(page)
        reference.update(page)
    assert counts.at_least(1) == dict(reference)
    assert counts.at_least(2) == {h: c for h, c in reference.items() if c >= 2}
    assert all(isinstance(h, int) for h in counts.at_least(1))


def test_32_bit_counts_equal_a_counter_across_merges(monkeypatch: pytest.MonkeyPatch) -> None:
    """32-bit hashes (a site's shingles) are merged packed with their counts: the same counts."""
    monkeypatch.setattr(hashcount, "MIN_PENDING", 50)
    rnd = random.Random(3)
    counts = HashCounts(np.uint32)
    reference: Counter[int] = Counter()
    for _ in range(300):
        page = sorted(
            {
                rnd.randrange(2**32) if rnd.random() < 0.5 else rnd.randrange(2**32 - 9, 2**32)
                for _ in range(9)
            }
        )
        counts.add(np.array(page, np.uint32))
        reference.update(page)
    assert counts.at_least(1) == dict(reference)
    assert counts.frequent(3).tolist() == sorted(h for h, c in reference.items() if c >= 3)


@pytest.mark.parametrize("dtype", [np.uint32, np.uint64])
def test_many_pages_added_at_once_count_as_added_one_by_one(
    dtype: type[np.unsignedinteger], monkeypatch: pytest.MonkeyPatch
) -> None:
    """`add_all` (a site's pages: the first counts made in one sort) then more pages (merged with
    those counts) count as the pages added one by one, and leave the pages' arrays as they were."""
    monkeypatch.setattr(hashcount, "MIN_PENDING", 50)
    rnd = random.Random(4)
    pages = [np.array(rnd.sample(range(60), 8), dtype) for _ in range(400)]  # unsorted
    given = [page.copy() for page in pages]
    at_once, one_by_one = HashCounts(dtype), HashCounts(dtype)
    at_once.add_all(pages[:300])
    at_once.add_all(pages[300:])
    for page in pages:
        one_by_one.add(page)
    reference = Counter(h for page in pages for h in page.tolist())
    assert at_once.at_least(1) == one_by_one.at_least(1) == dict(reference)
    assert at_once.frequent(50).tolist() == sorted(h for h, c in reference.items() if c >= 50)
    assert all(np.array_equal(page, before) for page, before in zip(pages, given, strict=True))


def test_empty() -> None:
    assert HashCounts().at_least(1) == {}


def test_two_counters_merged_count_as_one_that_saw_every_page() -> None:
    """Counts made apart (Spark tasks) and merged equal the counts of one pass over all the pages."""
    rnd = random.Random(5)
    pages = [frozenset(rnd.randrange(40) for _ in range(6)) for _ in range(200)]
    whole, first, second = HashCounts(), HashCounts(), HashCounts()
    for i, page in enumerate(pages):
        whole.add(page)
        (first if i % 3 else second).add(page)
    assert first.merge(second).at_least(1) == whole.at_least(1)
    assert HashCounts().merge(HashCounts()).at_least(1) == {}
