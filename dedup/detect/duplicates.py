"""Near-duplicate pages: MinHash LSH over word shingles of the cleaned text, confirmed by true Jaccard.

Groups are connected components of confirmed pairs; the canonical page of a group is the first
fetched (then the first in input order); the others are marked `duplicate_of` it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import xxhash
from datasketch import LeanMinHash, MinHash, MinHashLSH

from dedup.fingerprint import FingerprintSettings
from dedup.normalize import normalize


def _identity(x: int) -> int:
    return int(x)


@dataclass
class DuplicateFinder:
    """Collects cleaned pages, then groups the near-duplicates among them."""

    settings: FingerprintSettings = field(default_factory=FingerprintSettings)
    threshold: float = 0.8
    _ids: list[str] = field(default_factory=list)
    _order_keys: list[tuple[str, int]] = field(default_factory=list)
    _shingles: list[np.ndarray] = field(default_factory=list)

    def add(self, page_id: str, fetched_at: str | None, cleaned_text: str) -> None:
        """Remember one cleaned page."""
        words = normalize(cleaned_text).split()
        n = self.settings.word_shingle
        grams = (" ".join(words[i : i + n]) for i in range(max(1, len(words) - n + 1))) if words else ()
        hashes = np.unique(np.fromiter((xxhash.xxh32_intdigest(g.encode()) for g in grams), dtype=np.uint32))
        self._order_keys.append((fetched_at or "\uffff", len(self._ids)))
        self._ids.append(page_id)
        self._shingles.append(hashes)

    def groups(self) -> dict[int, str]:
        """Input position -> canonical page id, for every page that duplicates another."""
        candidates = [i for i, s in enumerate(self._shingles) if len(s) > 0]
        if len(candidates) < 2:
            return {}
        lsh = MinHashLSH(threshold=self.threshold, num_perm=self.settings.num_perm)
        sigs = MinHash.bulk(
            [self._shingles[i] for i in candidates], num_perm=self.settings.num_perm,
            seed=self.settings.seed, hashfunc=_identity, scheme=self.settings.scheme,
        )
        lean = {i: LeanMinHash(m) for i, m in zip(candidates, sigs, strict=True)}
        with lsh.insertion_session() as session:
            for i in candidates:
                session.insert(i, lean[i])
        parent = {i: i for i in candidates}

        def find(i: int) -> int:
            while parent[i] != i:
                parent[i] = parent[parent[i]]
                i = parent[i]
            return i

        for i in candidates:
            for j in lsh.query(lean[i]):
                if j > i and find(i) != find(j) and self.similarity(i, j) >= self.threshold:
                    parent[find(j)] = find(i)
        members: dict[int, list[int]] = {}
        for i in candidates:
            members.setdefault(find(i), []).append(i)
        result: dict[int, str] = {}
        for group in members.values():
            if len(group) > 1:
                canonical = min(group, key=lambda i: self._order_keys[i])
                for i in group:
                    if i != canonical:
                        result[i] = self._ids[canonical]
        return result

    def similarity(self, i: int, j: int) -> float:
        """True Jaccard of two pages' word-shingle sets."""
        a, b = self._shingles[i], self._shingles[j]
        inter = len(np.intersect1d(a, b, assume_unique=True))
        return inter / (len(a) + len(b) - inter)
