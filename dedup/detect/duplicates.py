"""Near-duplicate pages: MinHash LSH over word shingles of the cleaned text, confirmed on the true sets.

Two pages are duplicates when their word-shingle Jaccard reaches the threshold, or when the smaller
is almost wholly inside the larger (a light edit or an added paragraph lowers Jaccard a little,
containment hardly at all). Pages that merely share a story's background paragraph stay apart.

Groups are connected components of confirmed pairs; the canonical page of a group is the first
fetched (then the first in input order); the others are marked `duplicate_of` it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from dedup.fingerprint import (
    FingerprintSettings,
    exact_hash,
    lsh_bands,
    lsh_pairs,
    utf8,
    xxh32_many,
)
from dedup.normalize import Folded

if TYPE_CHECKING:  # datasketch is imported where used: only stream mode's index needs it
    from datasketch import LeanMinHash, MinHashLSH

MIN_SHINGLES = 20  # containment alone proves nothing for a page of a few words


def _identity(x: int) -> int:
    return int(x)


def page_key(text: str) -> str:
    """The normalized text of a whole page."""
    return Folded(text).key(0, len(text))


def page_shingles(text: str, size: int) -> np.ndarray:
    """The sorted, distinct 32-bit hashes (xxh32 of the UTF-8) of a text's normalized word shingles."""
    return keys_shingles([page_key(text)], size)[0]


def keys_shingles(keys: Sequence[str], size: int) -> list[np.ndarray]:
    """For each normalized key (one space between words), the sorted, distinct xxh32 hashes of its
    word n-grams (the whole key when shorter). All keys are hashed in one go: an n-gram is a slice
    of the keys' bytes, from its first word's start to its last word's end."""
    full = [k for k in keys if k]
    if not full:
        return [np.zeros(0, np.uint32) for _ in keys]
    data = np.frombuffer(utf8(" ".join(full)), np.uint8)
    spaces = np.flatnonzero(data == 32)
    word_start = np.concatenate([[0], spaces + 1])
    word_end = np.concatenate([spaces, [len(data)]])
    words = np.array([k.count(" ") + 1 for k in full], np.int64)
    first_word = np.concatenate([[0], np.cumsum(words)])
    grams = np.maximum(1, words - size + 1)
    first_gram = np.concatenate([[0], np.cumsum(grams)])
    key_of = np.repeat(np.arange(len(full)), grams)
    start = first_word[key_of] + (np.arange(first_gram[-1]) - first_gram[key_of])
    last = np.minimum(start + size - 1, first_word[key_of + 1] - 1)
    hashes = xxh32_many(data, word_start[start], word_end[last] - word_start[start])
    order = np.lexsort((hashes, key_of))
    hashes, key_of = hashes[order], key_of[order]
    distinct = np.concatenate([[True], (hashes[1:] != hashes[:-1]) | (key_of[1:] != key_of[:-1])])
    hashes, key_of = hashes[distinct], key_of[distinct]
    bounds = np.searchsorted(key_of, np.arange(len(full) + 1)).tolist()
    per_key = iter([hashes[bounds[i] : bounds[i + 1]] for i in range(len(full))])
    return [next(per_key) if k else np.zeros(0, np.uint32) for k in keys]


@dataclass(frozen=True)
class PagePrint:
    """What the finder keeps of a page: its cleaned text's word-shingle hashes, and the exact hash of
    its original (None for an empty page, which matches nothing)."""

    shingles: np.ndarray
    exact: int | None


def page_prints(pages: Sequence[tuple[str, str]], size: int) -> list[PagePrint]:
    """The prints of many (cleaned text, original text) pairs at once."""
    return key_prints(
        [page_key(cleaned) for cleaned, _ in pages], [page_key(original) for _, original in pages], size
    )


def key_prints(cleaned: Sequence[str], original: Sequence[str], size: int) -> list[PagePrint]:
    """The prints of many pages at once, from the keys (`page_key`) of their cleaned and original texts."""
    shingles = keys_shingles(cleaned, size)
    return [PagePrint(s, exact_hash(k) if k else None) for s, k in zip(shingles, original, strict=True)]


def order_key(fetched_at: str | None, page_id: str, position: int, by_id: bool) -> tuple[str, str, int]:
    """How the canonical page of a group is chosen: the smallest key (first fetched, then input order,
    or with `by_id` the smallest id: a choice that does not depend on the order of the inputs)."""
    return (fetched_at or "\uffff", page_id if by_id else "", position)


@dataclass
class DuplicateFinder:
    """Collects cleaned pages, then groups the near-duplicates among them."""

    settings: FingerprintSettings = field(default_factory=FingerprintSettings)
    threshold: float = 0.8
    containment: float = 0.7
    candidate_threshold: float = 0.5  # LSH proposes generously; the true sets decide
    min_shingles: int = 1  # pages with fewer are grouped only when their originals are identical
    _ids: list[str] = field(default_factory=list)
    _fetched: list[str | None] = field(default_factory=list)
    _shingles: list[np.ndarray] = field(default_factory=list)
    _exact: list[int] = field(default_factory=list)

    def add(self, page_id: str, fetched_at: str | None, cleaned_text: str, original_text: str) -> None:
        """Remember one cleaned page (and its original: identical originals are duplicates)."""
        self.add_print(page_id, fetched_at, page_prints([(cleaned_text, original_text)], self.size)[0])

    @property
    def size(self) -> int:
        """Words per shingle."""
        return self.settings.word_shingle

    def add_print(self, page_id: str, fetched_at: str | None, print_: PagePrint) -> None:
        """Remember one page by its print (made anywhere, e.g. in a worker, with `page_prints`)."""
        self._fetched.append(fetched_at)
        self._ids.append(page_id)
        self._shingles.append(print_.shingles)
        # Empty pages match nothing: each gets a key of its own.
        self._exact.append(print_.exact if print_.exact is not None else -len(self._ids) - 1)

    def groups(
        self, by_id: bool = False, candidates: Iterable[tuple[int, int]] | None = None
    ) -> dict[int, str]:
        """Input position -> canonical page id, for every page that duplicates another.

        The canonical page is the first fetched, then the first in input order (or, `by_id`,
        the smallest id: a choice that does not depend on the order of the inputs). `candidates`
        are the pairs `candidates()` gives, when they were made elsewhere (e.g. in workers)."""
        parent = list(range(len(self._ids)))

        def find(i: int) -> int:
            while parent[i] != i:
                parent[i] = parent[parent[i]]
                i = parent[i]
            return i

        first_with: dict[int, int] = {}
        for i, h in enumerate(self._exact):
            parent[find(i)] = find(first_with.setdefault(h, i))
        for i, j in sorted(self.candidates() if candidates is None else candidates):
            if find(i) != find(j) and self.is_duplicate(i, j):
                parent[find(j)] = find(i)
        members: dict[int, list[int]] = {}
        for i in range(len(self._ids)):
            members.setdefault(find(i), []).append(i)
        result: dict[int, str] = {}
        for group in members.values():
            if len(group) > 1:
                canonical = min(group, key=lambda i: order_key(self._fetched[i], self._ids[i], i, by_id))
                for i in group:
                    if i != canonical:
                        result[i] = self._ids[canonical]
        return result

    def bands(self) -> int:
        """How many LSH bands `candidates` looks at."""
        return lsh_bands(self.candidate_threshold, self.settings.num_perm)[0]

    def candidates(self, only: Iterable[int] | None = None) -> set[tuple[int, int]]:
        """Pairs (i < j) of pages that MinHash LSH proposes (the candidates of datasketch's
        MinHashLSH at the candidate threshold, over the shingle hashes' affine32 signatures);
        with `only`, those of these bands alone (workers can share the bands out)."""
        candidates = [i for i, s in enumerate(self._shingles) if len(s) >= self.min_shingles]
        sets = [self._shingles[i] for i in candidates]
        bands = lsh_bands(self.candidate_threshold, self.settings.num_perm)
        return {(candidates[a], candidates[b]) for a, b in lsh_pairs(sets, self.settings, bands, only=only)}

    def is_duplicate(self, i: int, j: int) -> bool:
        """Whether two pages' true word-shingle sets are near enough (Jaccard, or containment)."""
        return near(self._shingles[i], self._shingles[j], self.threshold, self.containment)


def near(a: np.ndarray, b: np.ndarray, threshold: float, containment: float) -> bool:
    """Whether two sorted shingle-hash sets are near duplicates: Jaccard, or containment of the
    smaller (with enough shingles for containment to mean something)."""
    inter = len(np.intersect1d(a, b, assume_unique=True))
    jaccard = inter / (len(a) + len(b) - inter)
    contained = inter / min(len(a), len(b))
    return jaccard >= threshold or (min(len(a), len(b)) >= MIN_SHINGLES and contained >= containment)


def page_signatures(shingle_sets: list[np.ndarray], settings: FingerprintSettings) -> list[LeanMinHash]:
    """The MinHashes of pages' shingle hashes (datasketch's bulk path; the hashes are hashes already)."""
    from datasketch import LeanMinHash, MinHash

    if not shingle_sets:
        return []
    sigs = MinHash.bulk(
        shingle_sets,
        num_perm=settings.num_perm,
        seed=settings.seed,
        hashfunc=_identity,
        scheme=settings.scheme,
    )
    return [LeanMinHash(m) for m in sigs]


@dataclass(frozen=True)
class IndexedPage:
    """A page of the stream index: its id, exact-text hash, shingle hashes, and its group's canonical page."""

    id: str
    exact: int
    shingles: np.ndarray
    canonical: str


@dataclass
class PageIndex:
    """The pages seen so far (stream mode): tells each new page which earlier page it duplicates.

    Pages arrive in fetch order, so the canonical page of a group is the first one seen.
    """

    settings: FingerprintSettings = field(default_factory=FingerprintSettings)
    threshold: float = 0.8
    containment: float = 0.7
    candidate_threshold: float = 0.3
    pages: list[IndexedPage] = field(default_factory=list)
    _exact: dict[int, int] = field(default_factory=dict)
    _lsh: MinHashLSH | None = None

    def __post_init__(self) -> None:
        from datasketch import MinHashLSH

        self._lsh = MinHashLSH(threshold=self.candidate_threshold, num_perm=self.settings.num_perm)
        loaded, self.pages = self.pages, []
        indexed = [i for i, page in enumerate(loaded) if len(page.shingles) >= MIN_SHINGLES]
        sigs = dict(
            zip(indexed, page_signatures([loaded[i].shingles for i in indexed], self.settings), strict=True)
        )
        with self._lsh.insertion_session() as session:
            for i, page in enumerate(loaded):
                self.pages.append(page)
                self._exact.setdefault(page.exact, i)
                if i in sigs:
                    session.insert(i, sigs[i])

    def find(self, text: str, original: str) -> str | None:
        """The canonical id of the indexed page this text duplicates (or whose original is the same)."""
        shingles = page_shingles(text, self.settings.word_shingle)
        sig = page_signatures([shingles], self.settings)[0] if len(shingles) >= MIN_SHINGLES else None
        match = self._match(shingles, self._exact_key(original), sig)
        return None if match is None else self.pages[match].canonical

    def add(self, page_id: str, text: str, original: str) -> IndexedPage:
        """Index a page by its text; it names its canonical page (itself, when it duplicates none)."""
        shingles = page_shingles(text, self.settings.word_shingle)
        exact = self._exact_key(original)
        sig = page_signatures([shingles], self.settings)[0] if len(shingles) >= MIN_SHINGLES else None
        match = self._match(shingles, exact, sig)
        page = IndexedPage(
            page_id, exact, shingles, self.pages[match].canonical if match is not None else page_id
        )
        i = len(self.pages)
        self.pages.append(page)
        self._exact.setdefault(exact, i)
        if sig is not None:
            assert self._lsh is not None
            self._lsh.insert(i, sig)
        return page

    def _exact_key(self, original: str) -> int:
        key = page_key(original)
        return exact_hash(key) if key else -len(self.pages) - 1  # empty pages match nothing

    def _match(self, shingles: np.ndarray, exact: int, sig: LeanMinHash | None) -> int | None:
        match = self._exact.get(exact)
        if match is not None or sig is None:
            return match
        assert self._lsh is not None
        for j in sorted(self._lsh.query(sig)):
            if near(shingles, self.pages[j].shingles, self.threshold, self.containment):
                return int(j)
        return None
