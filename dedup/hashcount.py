"""Counts of 64-bit (or 32-bit) hashes held in two sorted arrays: 12 bytes per distinct 64-bit hash,
where a dict spends about a hundred. For counters that grow with the input, like the word 3-grams
of a site."""

from __future__ import annotations

import sys
from collections.abc import Collection, Iterable

import numpy as np

MIN_PENDING = 1 << 16  # hashes added before the first merge into the sorted arrays


class HashCounts:
    """How many times each hash was added (each page adds its distinct hashes once)."""

    def __init__(self, dtype: type[np.unsignedinteger] = np.uint64) -> None:
        self._keys = np.zeros(0, dtype)
        self._counts = np.zeros(0, np.uint32)
        self._pending: list[np.ndarray] = []
        self._pending_size = 0

    def add(self, hashes: Collection[int] | np.ndarray) -> None:
        """Count each of these hashes once more."""
        if not isinstance(hashes, np.ndarray):
            hashes = np.fromiter(hashes, self._keys.dtype, len(hashes))
        self.add_all((hashes,))

    def add_all(self, many: Iterable[np.ndarray]) -> None:
        """`add` of many arrays of hashes, merged once after the last."""
        for hashes in many:
            self._pending.append(hashes.astype(self._keys.dtype, copy=False))
            self._pending_size += len(hashes)
        # Merging when the pending hashes outnumber the merged ones keeps the total work n log n.
        if self._pending_size > max(MIN_PENDING, len(self._keys)):
            self._merge()

    def _merge(self) -> None:
        if not self._pending:
            return
        if not len(self._keys):
            self._count_pending()
            return
        if self._keys.dtype == np.uint32:
            self._merge_packed()
            return
        added = np.concatenate(self._pending)
        self._pending, self._pending_size = [], 0
        once = np.ones(len(added), np.uint32)
        self._keys, self._counts = _summed(
            np.concatenate([self._keys, added]), np.concatenate([self._counts, once])
        )

    def _count_pending(self) -> None:
        """`_merge` with nothing merged yet: the pending hashes sorted in one array, each counted by
        the length of its run."""
        added = np.concatenate(self._pending)
        self._pending, self._pending_size = [], 0
        added.sort()
        first = np.empty(len(added), bool)
        first[:1] = True
        np.not_equal(added[1:], added[:-1], out=first[1:])
        starts = np.flatnonzero(first)
        self._keys = added[starts]
        self._counts = np.diff(starts, append=len(added)).astype(np.uint32)

    def _merge_packed(self) -> None:
        """`_merge` of 32-bit hashes, in about a third of the memory (a big site's shingles): each
        hash and its count packed into one 64-bit value and sorted in place, without an index
        array or sorted copies of the hashes and counts."""
        packed = np.empty(len(self._keys) + self._pending_size, np.uint64)
        at = 0
        parts: list[tuple[np.ndarray, np.ndarray | int]] = [(self._keys, self._counts)]
        parts += [(added, 1) for added in self._pending]  # each page's hashes, counted once
        for keys, counts in parts:
            part = packed[at : at + len(keys)]
            np.left_shift(keys, np.uint64(32), out=part, dtype=np.uint64)
            np.bitwise_or(part, counts, out=part, dtype=np.uint64)
            at += len(keys)
        del parts
        self._pending, self._pending_size = [], 0
        self._keys = self._counts = np.zeros(0, np.uint32)
        packed.sort()  # equal values are the same hash and count: the fastest sort, not a stable one
        halves = packed.view(np.uint32).reshape(-1, 2)  # each value's two halves, in memory order
        low, high = (0, 1) if sys.byteorder == "little" else (1, 0)
        keys, counts = halves[:, high], halves[:, low]
        first = np.empty(len(keys), bool)
        first[:1] = True
        np.not_equal(keys[1:], keys[:-1], out=first[1:])
        starts = np.flatnonzero(first)
        del first
        self._keys = keys[starts]
        self._counts = np.add.reduceat(counts, starts).astype(np.uint32, copy=False)

    def merge(self, other: HashCounts) -> HashCounts:
        """Add the counts of another counter (counted apart, in another task); returns self."""
        self._merge()
        other._merge()
        self._keys, self._counts = _summed(
            np.concatenate([self._keys, other._keys]), np.concatenate([self._counts, other._counts])
        )
        return self

    def frequent(self, times: int) -> np.ndarray:
        """The sorted hashes added at least this many times."""
        self._merge()
        return self._keys[self._counts >= times]

    def at_least(self, times: int) -> dict[int, int]:
        """Hash -> count, for the hashes added at least this many times."""
        self._merge()
        frequent = self._counts >= times
        return dict(zip(self._keys[frequent].tolist(), self._counts[frequent].tolist(), strict=True))


def _summed(keys: np.ndarray, counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The distinct keys, sorted, each with the sum of its counts. The keys come as sorted runs (the
    merged keys, each page's hashes): a stable sort (timsort) merges runs in near-linear time."""
    order = np.argsort(keys, kind="stable")
    keys, counts = keys[order], counts[order]
    if not len(keys):
        return keys, counts
    first = np.empty(len(keys), bool)
    first[0] = True
    np.not_equal(keys[1:], keys[:-1], out=first[1:])
    starts = np.flatnonzero(first)
    return keys[starts], np.add.reduceat(counts, starts).astype(np.uint32, copy=False)
