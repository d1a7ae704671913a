"""Counts of 64-bit hashes held in two sorted arrays: 12 bytes per distinct hash, where a dict
spends about a hundred. For counters that grow with the input, like the word 3-grams of a site."""

from __future__ import annotations

from collections.abc import Collection

import numpy as np

MIN_PENDING = 1 << 16  # hashes added before the first merge into the sorted arrays


class HashCounts:
    """How many times each hash was added (each page adds its distinct hashes once)."""

    def __init__(self) -> None:
        self._keys = np.zeros(0, np.uint64)
        self._counts = np.zeros(0, np.uint32)
        self._pending: list[np.ndarray] = []
        self._pending_size = 0

    def add(self, hashes: Collection[int] | np.ndarray) -> None:
        """Count each of these hashes once more."""
        if isinstance(hashes, np.ndarray):
            self._pending.append(hashes.astype(np.uint64))
        else:
            self._pending.append(np.fromiter(hashes, np.uint64, len(hashes)))
        self._pending_size += len(hashes)
        # Merging when the pending hashes outnumber the merged ones keeps the total work n log n.
        if self._pending_size > max(MIN_PENDING, len(self._keys)):
            self._merge()

    def _merge(self) -> None:
        pending = np.concatenate(self._pending) if self._pending else np.zeros(0, np.uint64)
        keys = np.concatenate([self._keys, pending])
        weights = np.concatenate([self._counts, np.ones(len(pending), np.uint32)])
        self._keys, where = np.unique(keys, return_inverse=True)
        self._counts = np.bincount(where, weights=weights, minlength=len(self._keys)).astype(np.uint32)
        self._pending, self._pending_size = [], 0

    def frequent(self, times: int) -> np.ndarray:
        """The sorted hashes added at least this many times."""
        self._merge()
        return self._keys[self._counts >= times]

    def at_least(self, times: int) -> dict[int, int]:
        """Hash -> count, for the hashes added at least this many times."""
        self._merge()
        frequent = self._counts >= times
        return dict(zip(self._keys[frequent].tolist(), self._counts[frequent].tolist(), strict=True))
