"""Near-duplicate pages, judged on their articles, grouped as stars around a canonical page.

A page is compared by its article: the word-shingle hashes of its text less those found on many
pages of its site (`SiteShingles`): furniture, whether or not the cleaner removed it, and a story's
background paragraph are no evidence that two pages are the same. Two articles are near duplicates
when their Jaccard reaches the threshold, or when the smaller, of `min_article` shingles or more,
lies almost wholly inside the larger (a light edit or an added paragraph lowers Jaccard a little,
containment hardly at all). An article too short to compare matches only an identical one;
identical originals always match. Learning compares the pages as they came, before anything is
cleaned: there, on a site too small to tell its common shingles (under `common_pages` pages), an
article is the whole page, furniture and all, and two different articles wrapped in the same long
furniture lie mostly inside each other; so containment makes no copy there, only Jaccard does.

Groups are stars (`Stars`): pages are taken in order, first fetched first, and each joins the most
similar earlier canonical page it is near, or starts a group of its own; a page near only a member
of a group does not join it. Every run (batch, workers, resume, stream, Spark) makes its articles,
its candidates (MinHash LSH bands at one threshold) and its groups with what is here.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from itertools import repeat
from typing import NamedTuple

import numpy as np
import xxhash

from dedup._core import (
    Stars,
    block_key_hashes,
    exact_hashes,
    folded_line_shingles,
    line_shingles,
    shared_count,
    star_groups,
    word_shingles,
)
from dedup.config import DuplicateRule
from dedup.fingerprint import (
    FingerprintSettings,
    band_keys,
    exact_hash,
    lsh_bands,
    table_pairs,
)
from dedup.hashcount import HashCounts
from dedup.keys import line_keys, page_key, segmented_page_key
from dedup.normalize import Folded, core_fold_table, mask_digits
from dedup.page import Block
from dedup.segment import char_table

_NONE = np.zeros(0, np.uint32)
ARTICLE_BATCH = 256  # pages whose articles are made at once (`SiteShingles.articles`)


def keys_shingles(pages: Sequence[Sequence[str]], size: int) -> list[np.ndarray]:
    """For each page given as normalized keys (its lines: one space between words), the sorted,
    distinct xxh32 hashes of its keys' word n-grams (a key's whole text when shorter), from the
    Rust core (`dedup._core.word_shingles`)."""
    return [np.frombuffer(hashes, "<u4") for hashes in word_shingles(pages, size)]


class PagePrint(NamedTuple):
    """What grouping keeps of a page: its site, the word-shingle hashes of the text it is compared
    by, the exact hash of its original (None for an empty page, which matches nothing), and the
    hash of its original with every number masked (re-fetches that differ in a date or a counter
    share it: they count once when the site's common shingles are counted)."""

    site: str
    shingles: np.ndarray  # uint32
    exact: int | None
    shape: int | None = None

    def __reduce__(self) -> tuple[Callable[..., PagePrint], tuple[object, ...]]:
        """Pickled with its shingles as bytes: made again from bytes, a worker's print reaches the
        parent in less than half the time numpy's own pickling of the array takes."""
        return _unpickled, (self.site, self.shingles.tobytes(), self.exact, self.shape)


def _unpickled(site: str, shingles: bytes, exact: int | None, shape: int | None) -> PagePrint:
    return PagePrint(site, np.frombuffer(shingles, np.uint32), exact, shape)


def page_prints(pages: Sequence[tuple[str, str, str]], size: int) -> list[PagePrint]:
    """The prints of many (site, text compared, original text) pages at once."""
    return text_prints(
        [site for site, _, _ in pages],
        [text for _, text, _ in pages],
        page_key_hashes([page_key(original) for _, _, original in pages]),
        size,
    )


def text_prints(
    sites: Sequence[str], compared: Sequence[str], original: Sequence[KeyHashes], size: int
) -> list[PagePrint]:
    """The prints of many pages at once, from the texts they are compared by and the hashes of
    their whole originals' keys (`KeyHashes`)."""
    return _prints(sites, [text_shingles(text, size) for text in compared], original)


def text_shingles(text: str, size: int) -> np.ndarray:
    """`keys_shingles` of a text's `line_keys`: by one call to the Rust core, which folds the text
    too where its folding stands as it is (most texts), or reads the folding made here where that
    is fast."""
    found = folded_line_shingles(core_fold_table(), char_table(), text, size)
    if found is not None:
        return np.frombuffer(found, "<u4")
    folded = Folded(text)
    if not folded.fast:
        return keys_shingles([line_keys(text, folded)], size)[0]
    return np.frombuffer(line_shingles(char_table(), text, *folded.kept_span(0, len(text)), size), "<u4")


def key_prints(
    sites: Sequence[str], compared: Sequence[Sequence[str]], original: Sequence[KeyHashes], size: int
) -> list[PagePrint]:
    """The prints of many pages at once, from the keys of the lines they are compared by
    (`line_keys`) and the hashes of their whole originals' keys (`KeyHashes`)."""
    return _prints(sites, keys_shingles(compared, size), original)


def _prints(
    sites: Sequence[str], shingles: Sequence[np.ndarray], original: Sequence[KeyHashes]
) -> list[PagePrint]:
    return [
        PagePrint(site, s, *(h or (None, None))) for site, s, h in zip(sites, shingles, original, strict=True)
    ]


# A page key's hash (`exact_hash`) and the hash of it with each run of digits one `0`
# (`mask_digits`): what a print holds of its page's whole text. None for an empty key.
KeyHashes = tuple[int, int] | None


def page_key_hashes(keys: Sequence[str]) -> list[KeyHashes]:
    """The `KeyHashes` of page keys (`page_key`): by one call to the Rust core, but for a key with
    a lone surrogate or a character past the BMP."""
    hashed = exact_hashes(char_table(), list(keys))
    if hashed is None:
        pairs = [(exact_hash(k), exact_hash(mask_digits(k))) for k in keys]
    else:
        exact, masked = (np.frombuffer(h, "<u8").tolist() for h in hashed)
        pairs = list(zip(exact, masked, strict=True))
    return [pair if key else None for pair, key in zip(pairs, keys, strict=True)]


def segmented_key_hashes(text: str, folded: Folded, blocks: Sequence[Block]) -> KeyHashes:
    """The `KeyHashes` of a page folded and segmented already (`segmented_page_key`): where its
    folding is fast, made by the Rust core from its blocks' keys, without the key made."""
    if folded.fast and blocks:
        found: KeyHashes = block_key_hashes(char_table(), list(blocks))
        if found is not None:
            return found
    return page_key_hashes([segmented_page_key(text, folded, blocks)])[0]


@dataclass(frozen=True)
class Duplicate:
    """A page's place in a group: its canonical page and how similar their articles are (the
    Jaccard, or the containment that made them duplicates; 1.0 for an identical page)."""

    canonical: str
    similarity: float


def common_known(pages: int, rule: DuplicateRule) -> bool:
    """Whether a site of this many pages can tell its common shingles (`common_pages`)."""
    return pages >= rule.common_pages


def common_floor(pages: int, rule: DuplicateRule) -> int:
    """On how many of a site's pages a shingle is the site's own, not an article's."""
    floor = math.ceil(rule.common_share * pages)
    return max(rule.common_pages, min(rule.common_most, floor))


class SiteShingles:
    """On how many pages of each site each shingle occurs (pages identical but for their numbers
    count once), and so which shingles are the site's rather than an article's."""

    def __init__(self, rule: DuplicateRule) -> None:
        self.rule = rule
        self._counts: dict[str, HashCounts] = {}
        self._seen: dict[str, set[int]] = {}
        self._common: dict[str, tuple[int, np.ndarray]] = {}  # site -> (its pages then, common shingles)

    def add(self, print_: PagePrint) -> None:
        """Count a page's shingles for its site, unless a page identical but for its numbers was."""
        self.add_site(print_.site, (print_,))

    def add_site(self, site: str, prints: Iterable[PagePrint]) -> None:
        """`add` of many pages of one site."""
        seen = self._seen.setdefault(site, set())
        new = []
        for p in prints:
            if p.shape is not None and p.shape not in seen:
                seen.add(p.shape)
                new.append(p.shingles)
        if new:
            if site not in self._counts:
                self._counts[site] = HashCounts(np.uint32)
            self._counts[site].add_all(new)

    def pages(self, site: str) -> int:
        """Distinct pages of the site counted."""
        return len(self._seen.get(site, ()))

    def known(self, site: str) -> bool:
        """Whether the site has the pages to tell its common shingles (`common_known`)."""
        return common_known(self.pages(site), self.rule)

    def common(self, site: str) -> np.ndarray:
        """The sorted shingle hashes the site repeats (`common_floor`); found again only once the
        site's pages have grown by `refresh_growth` since last time."""
        pages = self.pages(site)
        known = self._common.get(site)
        if known is not None and pages < self.rule.refresh_growth * known[0]:
            return known[1]
        floor = common_floor(pages, self.rule)
        counts = self._counts.get(site)
        common = counts.frequent(floor) if counts is not None and pages >= floor else _NONE
        self._common[site] = (pages, common)
        return common

    def article(self, print_: PagePrint) -> np.ndarray:
        """A page's article: its shingles less those its site repeats."""
        return article_of(print_, self.common(print_.site))

    def articles(self, site: str, prints: Sequence[PagePrint]) -> list[np.ndarray]:
        """The articles of many pages of one site (`article` for each), ARTICLE_BATCH pages at a
        time: a big site's shingles are not copied at once."""
        common = self.common(site)
        out: list[np.ndarray] = []
        for first in range(0, len(prints), ARTICLE_BATCH):
            batch = [p.shingles for p in prints[first : first + ARTICLE_BATCH]]
            shingles = np.concatenate(batch)
            kept = _uncommon(shingles, common)
            kept_before = np.zeros(len(kept) + 1, np.int64)
            np.cumsum(kept, out=kept_before[1:])
            out += split(shingles[kept], kept_before[np.cumsum([len(s) for s in batch])].tolist())
        return out


def split(joined: np.ndarray, ends: Iterable[int]) -> list[np.ndarray]:
    """The array in consecutive pieces (views) ending at these positions."""
    pieces = []
    start = 0
    for end in ends:
        pieces.append(joined[start:end])
        start = end
    return pieces


def article_of(print_: PagePrint, common: np.ndarray) -> np.ndarray:
    """A page's shingles less its site's common ones (sorted)."""
    article: np.ndarray = print_.shingles[_uncommon(print_.shingles, common)]
    return article


def _uncommon(shingles: np.ndarray, common: np.ndarray) -> np.ndarray:
    """Whether each shingle is none of the sorted `common` ones: a binary search each, a page's
    hundreds in a site's thousands (numpy's `isin` sorts them all together)."""
    if not len(common):
        return np.ones(len(shingles), bool)
    found = np.searchsorted(common, shingles)
    uncommon: np.ndarray = common[np.minimum(found, len(common) - 1)] != shingles
    return uncommon


def identity_keys(print_: PagePrint, article: np.ndarray, min_article: int) -> list[tuple[str, int]]:
    """What makes two pages the same without comparing them: the original's exact hash, and an
    article too short to compare (under `min_article` shingles), by its shingles."""
    keys = [] if print_.exact is None else [("page", print_.exact)]
    if 0 < len(article) < min_article:
        keys.append(("article", xxhash.xxh3_64_intdigest(article.astype(np.uint32).tobytes())))
    return keys


def similarity(
    a: np.ndarray, b: np.ndarray, threshold: float, rule: DuplicateRule, contain: bool = True
) -> float | None:
    """How similar two articles (sorted uint32 shingle hashes) are when they are near duplicates,
    else None: their Jaccard when it reaches the threshold, else, where `contain`, the containment
    of the smaller in the larger (of `min_article` shingles or more) when it reaches `containment`."""
    if not len(a) or not len(b):
        return None
    inter = shared_count(a.tobytes(), b.tobytes())
    jaccard = inter / (len(a) + len(b) - inter)
    if jaccard >= threshold:
        return round(jaccard, 4)
    smaller = min(len(a), len(b))
    contained = inter / smaller
    enough = contain and smaller >= rule.min_article and contained >= rule.containment
    return round(contained, 4) if enough else None


def order_key(fetched_at: str | None, page_id: str, position: int, by_id: bool) -> tuple[str, str, int]:
    """How the canonical page of a group is chosen: the smallest key (first fetched, then input order,
    or with `by_id` the smallest id: a choice that does not depend on the order of the inputs)."""
    return (fetched_at or "\uffff", page_id if by_id else "", position)


def candidate_bands(settings: FingerprintSettings, rule: DuplicateRule) -> tuple[int, int]:
    """The LSH (bands, rows) every run proposes its candidate pairs with."""
    return lsh_bands(rule.candidate_threshold, settings.num_perm)


@dataclass
class DuplicateFinder:
    """Collects pages' prints, then groups the near-duplicates among them (batch). `originals`:
    the prints are of pages as they came (learning), so containment needs sites whose common
    shingles are known."""

    settings: FingerprintSettings = field(default_factory=FingerprintSettings)
    threshold: float = 0.8
    rule: DuplicateRule = field(default_factory=DuplicateRule)
    originals: bool = False
    _ids: list[str] = field(default_factory=list)
    _fetched: list[str | None] = field(default_factory=list)
    _prints: list[PagePrint] = field(default_factory=list)
    _articles: list[np.ndarray] | None = None
    _contains: list[bool] = field(default_factory=list)  # per page: whether containment may count
    _by_site: list[list[int]] | None = None  # `sites()`, once made

    def add(self, page_id: str, fetched_at: str | None, site: str, text: str, original: str) -> None:
        """Remember one page by the text it is compared by (and its original: identical originals
        are duplicates)."""
        self.add_print(
            page_id, fetched_at, page_prints([(site, text, original)], self.settings.word_shingle)[0]
        )

    def add_print(self, page_id: str, fetched_at: str | None, print_: PagePrint) -> None:
        """Remember one page by its print (made anywhere, e.g. in a worker, with `key_prints`)."""
        if self._articles is not None:
            raise ValueError("pages were added after their articles were found: add every page first")
        self._ids.append(page_id)
        self._fetched.append(fetched_at)
        self._prints.append(print_)
        self._by_site = None

    def articles(self, made: Iterable[tuple[list[np.ndarray], bool]] | None = None) -> list[np.ndarray]:
        """Every page's article, found once all pages are in (no page can be added after). `made`:
        the sites' `site_articles`, in the order of `sites()`, when they were made elsewhere (in
        workers)."""
        if self._articles is None:
            sites = self.sites()
            by_page = [_NONE] * len(self._prints)
            self._contains = [True] * len(self._prints)
            # A site at a time: its shingle counts go before the next site's are made. From then on
            # a page's article stands for its shingles: they are not kept twice.
            found = (self.site_articles(pages) for pages in sites) if made is None else made
            for pages, (articles, contain) in zip(sites, found, strict=True):
                for i, article in zip(pages, articles, strict=True):
                    by_page[i] = article
                    self._contains[i] = contain
                    p = self._prints[i]
                    self._prints[i] = PagePrint(p.site, _NONE, p.exact, p.shape)  # `replace` is slower
            self._articles = by_page
        return self._articles

    def sites(self) -> list[list[int]]:
        """The positions of each site's pages, a list a site, the biggest sites first."""
        if self._by_site is None:
            by_site: dict[str, list[int]] = {}
            for i, p in enumerate(self._prints):
                by_site.setdefault(p.site, []).append(i)
            self._by_site = sorted(by_site.values(), key=len, reverse=True)
        return self._by_site

    def site_articles(self, pages: Sequence[int]) -> tuple[list[np.ndarray], bool]:
        """The articles of one site's pages (positions), and whether containment counts for them."""
        if self._articles is not None:  # made: the prints no longer hold their shingles
            return [self._articles[i] for i in pages], self._contains[pages[0]]
        prints = [self._prints[i] for i in pages]
        site = prints[0].site
        shingles = SiteShingles(self.rule)
        shingles.add_site(site, prints)
        return shingles.articles(site, prints), not self.originals or shingles.known(site)

    def article_keys(self, articles: Sequence[np.ndarray]) -> np.ndarray:
        """The LSH band keys (`band_keys`, `candidate_bands`) of those articles long enough to
        compare, in their order."""
        compared = [a for a in articles if len(a) >= self.rule.min_article]
        return band_keys(compared, self.settings, candidate_bands(self.settings, self.rule))

    def candidates(self, site_keys: Iterable[np.ndarray] | None = None) -> set[tuple[int, int]]:
        """Pairs (i < j) of pages whose articles MinHash LSH proposes (`candidate_bands`).
        `site_keys`: each site's `article_keys`, in the order of `sites()`, when they were made
        elsewhere (in workers)."""
        articles = self.articles()
        compared = np.array([len(a) >= self.rule.min_article for a in articles], bool)
        if site_keys is None:
            keys = self.article_keys(articles)
        else:
            # A site's keys go to its compared pages' rows: the compared pages in input order.
            row = np.cumsum(compared) - 1
            keys = np.empty((int(compared.sum()), candidate_bands(self.settings, self.rule)[0]), np.uint64)
            for pages, made in zip(self.sites(), site_keys, strict=True):
                at = np.array(pages)
                keys[row[at[compared[at]]]] = made
        positions = np.flatnonzero(compared).tolist()
        return {(positions[a], positions[b]) for a, b in table_pairs(keys)}

    def groups(
        self, by_id: bool = False, candidates: Iterable[tuple[int, int]] | None = None
    ) -> dict[int, Duplicate]:
        """Input position -> its place, for every page that duplicates another.

        The canonical page is the first fetched, then the first in input order (or, `by_id`,
        the smallest id: a choice that does not depend on the order of the inputs). `candidates`
        are the pairs `candidates()` gives, when they were made elsewhere (e.g. in workers)."""
        articles = self.articles()
        near: dict[int, list[int]] = {}
        for i, j in self.candidates() if candidates is None else candidates:
            near.setdefault(i, []).append(j)
            near.setdefault(j, []).append(i)
        positions = range(len(self._ids))
        order = [key[2] for key in sorted(map(order_key, self._fetched, self._ids, positions, repeat(by_id)))]
        # Only the keys another page holds too can place a page: most pages are unique.
        least = self.rule.min_article
        exact = Counter(p.exact for p in self._prints)
        keys = {
            i: identity_keys(p, a, least)
            for i, (p, a) in enumerate(zip(self._prints, articles, strict=True))
            if exact[p.exact] > 1 or 0 < len(a) < least
        }
        contains = self._contains

        def similar(i: int, j: int) -> float | None:
            contain = contains[i] and contains[j]
            return similarity(articles[i], articles[j], self.threshold, self.rule, contain)

        placed = star_groups(order, keys, near, similar)
        return {i: Duplicate(self._ids[c], s) for i, (c, s) in placed.items()}


@dataclass(frozen=True)
class IndexedPage:
    """A page of the stream index: its id, site, exact-text and shape hashes, shingle hashes, and
    its place (its canonical page, itself when it starts a group, and its similarity to it)."""

    id: str
    site: str
    exact: int | None
    shape: int | None
    shingles: np.ndarray
    canonical: str
    similarity: float | None = None

    @property
    def print(self) -> PagePrint:
        """The page's print."""
        return PagePrint(self.site, self.shingles, self.exact, self.shape)


class PageIndex:
    """The pages seen so far (stream mode): tells each new page its place, as a batch run of the
    same pages in the same order would (its site's common shingles as known so far).

    Pages arrive in fetch order, so the canonical page of a group is the first one seen."""

    def __init__(
        self,
        settings: FingerprintSettings | None = None,
        threshold: float = 0.8,
        pages: Iterable[IndexedPage] = (),
        rule: DuplicateRule | None = None,
    ) -> None:
        self.settings = settings or FingerprintSettings()
        self.threshold = threshold
        self.rule = rule or DuplicateRule()
        self.pages: list[IndexedPage] = []
        self._sites = SiteShingles(self.rule)
        self._stars = Stars()
        self._band_sizes = candidate_bands(self.settings, self.rule)
        # Band key -> the page with it, or the pages once two have it: most keys have one page.
        self._bands: list[dict[int, int | list[int]]] = [{} for _ in range(self._band_sizes[0])]
        self._positions: dict[str, int] = {}
        loaded = list(pages)
        for page in loaded:
            self._sites.add(page.print)
        for page in loaded:
            self._insert(page)

    def see(self, print_: PagePrint) -> None:
        """Count a page's shingles for its site before it is placed: pages placed one after another
        (a site's pages that waited for evidence) are each placed with what all of them repeat."""
        self._sites.add(print_)

    def place(self, page_id: str, print_: PagePrint, originals: bool = False) -> IndexedPage:
        """Index a page by its print (`key_prints`); it names its place (`originals`: pages
        compared as learning compares them, as in `DuplicateFinder`)."""
        self._sites.add(print_)
        article = self._sites.article(print_)
        keys = self._band_keys(article)
        placed = self._find(print_, article, keys, originals)
        canonical, sim = (page_id, None) if placed is None else (self.pages[placed[0]].id, placed[1])
        page = IndexedPage(page_id, print_.site, print_.exact, print_.shape, print_.shingles, canonical, sim)
        self._insert(page, article, keys)
        return page

    def _find(
        self, print_: PagePrint, article: np.ndarray, keys: list[int], originals: bool = False
    ) -> tuple[int, float] | None:
        """The place of a page whose article has these band keys (`_band_keys`); `originals` as
        in `DuplicateFinder`."""
        earlier = sorted(self._candidates(keys))
        least = self.rule.min_article
        known = not originals or self._sites.known(print_.site)

        def similar(j: int) -> float | None:
            other = self.pages[j].print
            contain = known and (not originals or self._sites.known(other.site))
            return similarity(article, self._sites.article(other), self.threshold, self.rule, contain)

        return self._stars.find(identity_keys(print_, article, least), earlier, similar)

    def _band_keys(self, article: np.ndarray) -> list[int]:
        """An article's key in each LSH band; none for an article too short to compare."""
        if len(article) < self.rule.min_article:
            return []
        keys: list[int] = band_keys([article], self.settings, self._band_sizes)[0].tolist()
        return keys

    def _candidates(self, keys: list[int]) -> set[int]:
        found: set[int] = set()
        for band, key in zip(self._bands, keys, strict=False):  # no keys: no candidates
            held = band.get(key)
            if isinstance(held, int):
                found.add(held)
            elif held is not None:
                found.update(held)
        return found

    def _insert(
        self, page: IndexedPage, article: np.ndarray | None = None, keys: list[int] | None = None
    ) -> None:
        """Add a page whose place is known to the index (`article`, `keys`: its article and its band
        keys, where `place` made them)."""
        i = len(self.pages)
        self.pages.append(page)
        self._positions.setdefault(page.id, i)
        canonical = self._positions.get(page.canonical, i)
        placed = None if canonical == i else (canonical, 1.0 if page.similarity is None else page.similarity)
        print_ = page.print
        if article is None or keys is None:
            article = self._sites.article(print_)
            keys = self._band_keys(article)
        self._stars.put(i, placed, identity_keys(print_, article, self.rule.min_article))
        for band, key in zip(self._bands, keys, strict=False):
            held = band.setdefault(key, i)
            if isinstance(held, list):
                held.append(i)
            elif held != i:
                band[key] = [held, i]
