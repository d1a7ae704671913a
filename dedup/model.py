"""The learned site model: per site, on how many distinct pages each block shape and label occurs.

Exact keys first (after normalization and slot masking); MinHash LSH over character shingles then
merges the near-identical variants that normalization cannot fold (a changed word, a typo).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from itertools import chain, compress

import zstandard

from dedup._core import variant_clusters
from dedup.config import Rule
from dedup.features import PageCounts
from dedup.fingerprint import (
    FingerprintSettings,
    key_lsh_pairs,
    lsh_bands,
)
from dedup.periods import month_of, period_of, site_periods


class SingleShapes:
    """Shapes kept apart until the variant merge, as lines of UTF-8 compressed a chunk at a time:
    an article's own sentences are most of what a site shows, and most are seen on one page."""

    CHUNK = 1 << 16

    def __init__(self) -> None:
        self.chunks: list[bytes] = []
        self.pending = bytearray()
        self.count = 0

    def __len__(self) -> int:
        return self.count

    def add(self, shapes: Iterable[str]) -> None:
        """Keep these shapes (a shape holds no line break: its spaces are collapsed)."""
        keys = list(shapes)
        if not keys:
            return
        self.pending += "\n".join(keys).encode("utf-8", "surrogatepass") + b"\n"
        self.count += len(keys)
        if len(self.pending) >= self.CHUNK:
            # zstd's fastest level: a third of zlib's time each way, and smaller.
            self.chunks.append(zstandard.ZstdCompressor(level=1).compress(self.pending))
            self.pending = bytearray()

    def keys(self) -> Iterator[str]:
        """The shapes kept, in the order they came."""
        return chain.from_iterable(c.decode("utf-8", "surrogatepass").split("\n")[:-1] for c in self.lines())

    def lines(self) -> Iterator[bytes]:
        """The shapes kept, in the order they came, as UTF-8 lines ("surrogatepass"), each ending
        with a line break, a chunk at a time."""
        chunks = map(zstandard.ZstdDecompressor().decompress, self.chunks)
        return chain(chunks, [bytes(self.pending)] if self.pending else [])


COUNTERS = ("shapes", "labels", "head_shapes", "grams")  # the per-site counters, each key -> pages
EXAMPLE_PAGES = 2  # a shape or label keeps an example of its text once seen on this many pages
FORGET_MIN_PAGES = 100  # a site forgets nothing until its latest generation holds this many pages


@dataclass
class SiteStats:
    """What one site's pages taught: page count, block-shape counts, label counts, variant clusters.

    With forgetting on, pages are counted by generation (a span of days): the counts hold the
    site's latest two generations, `current` the latest alone.
    """

    pages: int = 0
    shapes: Counter[str] = field(default_factory=Counter)
    labels: Counter[str] = field(default_factory=Counter)
    head_shapes: Counter[str] = field(default_factory=Counter)  # shapes seen above a page's body
    grams: Counter[int] = field(default_factory=Counter)  # word 3-gram hash -> distinct pages
    variants: dict[str, str] = field(default_factory=dict)  # shape -> exemplar of its variant cluster
    # Shape or label -> its text on a page (`features.excerpt`), kept once seen on EXAMPLE_PAGES pages:
    # what `dedup sites` and the report show. Most keys are seen once, and keep none.
    examples: dict[str, str] = field(default_factory=dict)
    seen_texts: set[int] = field(default_factory=set)
    generation: int | None = None  # the site's latest generation, when forgetting is on
    previous: int | None = None  # the one before, also counted
    current: SiteStats | None = None  # the counts of the latest generation alone
    merged_at: int = 0  # page count when the variants were last merged
    # Shapes seen on one page, one per line, left out of `shapes` by a compact count (None: not
    # one): alone they can never count, but they can join a variant cluster, so they wait for it;
    # only the variant candidates among them are kept (`variant_candidates`).
    single_shapes: SingleShapes | None = field(default=None, repr=False)
    _members: dict[str, list[str]] = field(default_factory=dict, repr=False)  # exemplar -> its shapes

    def count(self, counts: PageCounts) -> None:
        """Add one page's keys to the counts."""
        self.pages += 1
        for name in COUNTERS:
            getattr(self, name).update(getattr(counts, name))

    def keep_examples(self, counts: PageCounts) -> None:
        """Keep this page's text of its shapes and labels now seen on EXAMPLE_PAGES pages or more,
        for those that have none yet."""
        for counter, keys in ((self.shapes, counts.shapes), (self.labels, counts.labels)):
            for key in keys:
                if key not in self.examples and counter[key] >= EXAMPLE_PAGES and key in counts.examples:
                    self.examples[key] = counts.examples[key]

    def forget_examples(self) -> None:
        """Let go of the examples of keys no longer counted."""
        self.examples = {k: t for k, t in self.examples.items() if k in self.shapes or k in self.labels}

    def pages_with(self, key: str, head: bool = False) -> tuple[int, str]:
        """Distinct pages carrying this shape or a near-identical variant, and the variant's exemplar.

        With `head`, only the pages that carry it in their own head count: a related-article
        link repeats an article's title on many pages, but only that article opens with it.
        """
        exemplar = self.variants.get(key)
        if exemplar is None:
            return (
                min(self.shapes.get(key, 0), self.head_shapes.get(key, 0))
                if head
                else self.shapes.get(key, 0)
            ), key
        pages = min(self.pages, sum(self.shapes.get(k, 0) for k in self.members(exemplar)))
        if head:
            pages = min(
                pages,
                self.head_shapes.get(key, 0) + (self.head_shapes.get(exemplar, 0) if exemplar != key else 0),
            )
        return pages, exemplar

    def add_single(self, shapes: Iterable[str]) -> None:
        """Keep shapes seen on one page until the variant merge (see `single_shapes`)."""
        if self.single_shapes is None:
            self.single_shapes = SingleShapes()
        self.single_shapes.add(shapes)

    def release_single(self) -> None:
        """Let the single shapes go once this process has merged the variants."""
        if self.single_shapes is not None:
            self.single_shapes = SingleShapes()

    def variant_keys(self, max_chars: int) -> Iterator[str]:
        """The shapes a variant merge compares (single ones included), in the same order each time."""
        single = self.single_shapes.keys() if self.single_shapes else ()  # candidates when kept
        return chain(variant_candidates(self.shapes, max_chars), single)

    def members(self, exemplar: str) -> list[str]:
        """The shapes of one variant cluster."""
        if not self._members and self.variants:
            for k, ex in self.variants.items():
                self._members.setdefault(ex, []).append(k)
        return self._members.get(exemplar, [exemplar])

    def set_variants(self, variants: dict[str, str]) -> None:
        """Replace the variant clusters; a single shape in one now counts its page."""
        self.variants = variants
        self._members = {}
        if self.single_shapes is not None:
            for key in variants:
                self.shapes.setdefault(key, 1)
            self.single_shapes = None

    def advance(self, generation: int) -> None:
        """Open a newer generation: the current one becomes the past that is kept, older ones go."""
        kept = self.current or SiteStats()
        self.pages = kept.pages
        for name in COUNTERS:
            setattr(self, name, getattr(kept, name))
        self.previous = self.generation
        self.generation = generation
        self.current = SiteStats()
        self.merged_at = self.pages
        self.forget_examples()


@dataclass(frozen=True)
class Learned:
    """One thing a site's pages taught, as shown: a text of its pages, what was learned from it
    ("block", "label"), on how many pages, and the keys it is matched by."""

    pages: int
    kinds: tuple[str, ...]
    text: str  # an example of the page text, or the key when none was kept
    keys: tuple[str, ...]


@dataclass
class SiteModel:
    """Per-site statistics, the rule, and the fingerprint settings they were made with.

    With `forget_after` (days), a site's counts keep its latest two generations of pages, a
    generation lasting half that span and holding at least FORGET_MIN_PAGES pages: on a busy
    site, a campaign banner that ended stops counting and a redesign is learned without a reset;
    a slow site keeps enough pages to judge by. Without it, every page counts (a batch over one dump).
    """

    rule: Rule = field(default_factory=Rule)
    settings: FingerprintSettings = field(default_factory=FingerprintSettings)
    sites: dict[str, SiteStats] = field(default_factory=dict)
    forget_after: float | None = None
    # Site -> the first months of its design periods, read off the names learned under (see
    # `site_key`), and how many sites the model had when they were read.
    _periods: tuple[int, dict[str, list[str]]] = field(default=(-1, {}), repr=False, compare=False)

    def site_key(self, site: str, fetched_at: str | None) -> str:
        """The name a page of the site fetched then is learned and cleaned under: its design
        period's where its site has several (`dedup.periods`), else the site's own."""
        if self._periods[0] != len(self.sites):
            self._periods = (len(self.sites), site_periods(self.sites))
        starts = self._periods[1].get(site)
        return period_of(site, starts, month_of(fetched_at)) if starts else site

    def add(self, counts: PageCounts, day: float | None = None) -> int | None:
        """Count one page (fetched on `day`) for its site; returns the generation it was counted in
        (0 without forgetting), or None: an exact repeat of a counted page, or one too old to count."""
        stats = self.sites.get(counts.site)
        if stats is None:
            stats = self.sites[counts.site] = SiteStats()
        if counts.page_hash in stats.seen_texts:
            return None
        generation = 0 if self.forget_after is None else self._generation(stats, day)
        if generation is None:
            return None
        stats.seen_texts.add(counts.page_hash)
        stats.count(counts)
        stats.keep_examples(counts)
        if generation == stats.generation and stats.current is not None:
            stats.current.count(counts)
        return generation

    def learned(self, site: str) -> list[Learned]:
        """What the site's pages taught as boilerplate, most pages first: every block shape and
        label on enough of its pages (as the site's short lines need), one row per text shown."""
        stats = self.sites[site]
        rule = self.rule
        rows = [
            (c, "block", k, stats.examples.get(k, k))
            for k, c in stats.shapes.items()
            if c >= rule.pages_needed(stats.pages, k.count(" ") + 1)
        ]
        needed = rule.pages_needed(stats.pages, rule.link_words + 1)  # a template line, as judged
        rows += [
            (c, "label", k, stats.examples.get(k, k[2:] + ": …"))
            for k, c in stats.labels.items()
            if c >= needed
        ]
        by_text: dict[str, Learned] = {}
        for pages, kind, key, text in rows:
            seen = by_text.get(text)
            if seen is None:
                by_text[text] = Learned(pages, (kind,), text, (key,))
            else:  # a line learned as a block and as a label: shown once
                kinds = tuple(sorted({*seen.kinds, kind}))
                by_text[text] = Learned(max(pages, seen.pages), kinds, text, (*seen.keys, key))
        return sorted(by_text.values(), key=lambda r: (-r.pages, r.text))

    def _generation(self, stats: SiteStats, day: float | None) -> int | None:
        """The generation a page of this day joins, opening a new one when the site's current one
        is old and holds enough pages (a slow site keeps its pages longer); None: too old to count."""
        assert self.forget_after is not None
        if day is None:
            return stats.generation or 0
        generation = math.floor(day / (self.forget_after / 2))
        if stats.generation is None or stats.current is None:
            stats.advance(generation)
        elif generation > stats.generation:
            if stats.current.pages < FORGET_MIN_PAGES:
                return stats.generation
            stats.advance(generation)
        elif stats.previous is not None and generation < stats.previous:
            return None
        return generation

    def finalize(self) -> None:
        """Merge near-identical block variants of every site (MinHash LSH, then true Jaccard).

        Word 3-grams seen on one page only can never count; they are dropped to save memory.
        """
        bands = self.lsh_bands()
        for stats in self.sites.values():
            self.finalize_site(stats, bands)

    def finalize_site(self, stats: SiteStats, bands: tuple[int, int] | None = None) -> None:
        """`finalize` for one site's stats (`bands`: the LSH's, if known)."""
        self.merge(stats, bands)
        stats.grams = Counter({h: c for h, c in stats.grams.items() if c > 1})

    def merge(self, stats: SiteStats, bands: tuple[int, int] | None = None) -> None:
        """Cluster a site's near-identical block variants anew (`bands`: the LSH's, if known)."""
        stats.set_variants(self._merge_variants(stats, bands or self.lsh_bands()))
        stats.merged_at = stats.pages

    def lsh_bands(self) -> tuple[int, int]:
        """The (bands, rows) of the variant merges' LSH."""
        return lsh_bands(self.rule.variant_similarity, self.settings.num_perm)

    def _merge_variants(self, stats: SiteStats, bands: tuple[int, int]) -> dict[str, str]:
        if stats.pages < 2:
            return {}  # a site of one page has no boilerplate to find (detect.site_boilerplate)
        max_chars = self.rule.max_variant_chars
        size = self.settings.char_shingle
        # Read twice, the keys are never all held: once for the candidates (in `variant_keys`'
        # order, the single shapes as the lines they are kept in), then for their keys.
        single = stats.single_shapes.lines() if stats.single_shapes else ()
        shapes = variant_candidates(stats.shapes, max_chars)
        pairs = sorted(key_lsh_pairs(shapes, size, self.settings, bands, lines=single))
        wanted = sorted({i for pair in pairs for i in pair})
        marks = bytearray(wanted[-1] + 1 if wanted else 0)  # read the keys up to the last one wanted
        for i in wanted:
            marks[i] = 1
        keys = list(compress(stats.variant_keys(max_chars), marks))
        at = {i: n for n, i in enumerate(wanted)}
        # Confirmed by the Jaccard of their n-grams, by the Rust core: the pairs in order, a pair
        # of keys joined already not compared.
        local = [(at[i], at[j]) for i, j in pairs]
        roots = variant_clusters(keys, local, size, self.rule.variant_similarity)
        clusters: dict[int, list[str]] = {}
        for n in sorted(range(len(keys)), key=keys.__getitem__):
            clusters.setdefault(roots[n], []).append(keys[n])
        variants: dict[str, str] = {}
        for members in sorted(clusters.values()):
            if len(members) < 2:
                continue
            exemplar = max(members, key=lambda k: (stats.shapes.get(k, 1), k))
            for key in members:
                variants[key] = exemplar
        return variants


def variant_candidates(keys: Iterable[str], max_chars: int) -> Iterator[str]:
    """The shapes compared for variants: long enough to differ by a typo, short enough to be
    furniture."""
    return (key for key in keys if 8 <= len(key) <= max_chars)
