"""Every setting of a run, named and validated once: the rule that makes a block boilerplate, the
cleaner's guards, the fingerprints, the duplicate threshold, the user's widget patterns."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from dedup import checks
from dedup.fingerprint import FingerprintSettings


@dataclass(frozen=True)
class Rule:
    """When a block occurs on enough distinct pages of its site to be boilerplate."""

    short_words: int = 15  # furniture is short; longer blocks need far more evidence
    floor: int = 3  # never fewer pages than this...
    tiny_site_floor: int = 2  # ...except on sites this small (pages <= tiny_site), or for a
    link_words: int = 7  # line of a link's length ("Home", "More stories")
    tiny_site: int = 4
    short_share: float = 0.03  # share of the site's pages for a short block
    long_floor: int = 4
    long_share: float = 0.3  # background paragraphs repeat on a minority of a story's pages
    paragraph_floor: int = 8  # ...but on most pages of a small site: a body paragraph needs this many
    tail_share: float = 0.05  # a run closing a flattened page (a disclaimer, a footer)
    head_share: float = 0.25  # a link-length line above the body on this share of its pages is the site's
    variant_similarity: float = 0.7  # char-shingle Jaccard to merge two variants of a block
    max_variant_chars: int = 300

    def __post_init__(self) -> None:
        wholes = ("short_words", "floor", "tiny_site_floor", "link_words", "tiny_site", "long_floor")
        for name in (*wholes, "paragraph_floor"):
            checks.whole("Rule", name, getattr(self, name))
        checks.whole("Rule", "max_variant_chars", self.max_variant_chars, least=8)
        for name in ("short_share", "long_share", "tail_share", "head_share"):
            checks.share("Rule", name, getattr(self, name))
        checks.share("Rule", "variant_similarity", self.variant_similarity, zero=False)

    def pages_needed(self, site_pages: int, words: int) -> int:
        """Distinct pages of the site a block must occur on to count as boilerplate."""
        floor = (
            self.tiny_site_floor if site_pages <= self.tiny_site or words <= self.link_words else self.floor
        )
        if words <= self.short_words:
            return max(floor, math.ceil(self.short_share * site_pages))
        return self.long_pages_needed(site_pages)

    def long_pages_needed(self, site_pages: int) -> int:
        """Distinct pages of the site a long block (a paragraph) must occur on."""
        return max(self.long_floor, math.ceil(self.long_share * site_pages))


@dataclass(frozen=True)
class Guards:
    """When the cleaner holds a site's evidence back: what a page always keeps, where a run glued
    into a line may be cut."""

    long_block_words: int = 16  # a block this long is body text: a page keeps at least one of them
    sentence_words: int = 8  # a page's longest block of this many words is a sentence worth keeping
    judging_rounds: int = 3  # site evidence judged again while lines keep losing blocks
    edge_share: float = 0.5  # a run at a page's edge on most of its site's pages (a house opener: fewer)
    edge_min_pages: int = 10
    everywhere_share: float = (
        0.9  # a block on this share of a site's pages is furniture, even a page's longest
    )
    everywhere_min_pages: int = 10
    middle_share: float = (
        0.5  # a run cut out of a sentence's middle is furniture only on most of a site's pages
    )

    def __post_init__(self) -> None:
        for name in ("long_block_words", "sentence_words", "judging_rounds", "edge_min_pages"):
            checks.whole("Guards", name, getattr(self, name))
        checks.whole("Guards", "everywhere_min_pages", self.everywhere_min_pages)
        for name in ("edge_share", "everywhere_share", "middle_share"):
            checks.share("Guards", name, getattr(self, name))


@dataclass(frozen=True)
class Config:
    """Every setting of a run, validated once."""

    patterns: tuple[str, ...] = ()
    rule: Rule = field(default_factory=Rule)
    guards: Guards = field(default_factory=Guards)
    settings: FingerprintSettings = field(default_factory=FingerprintSettings)
    duplicate_threshold: float = 0.8

    def __post_init__(self) -> None:
        hint = " (the word-shingle Jaccard of two duplicates, e.g. 0.8; --duplicate-threshold)"
        checks.share("Config", "duplicate_threshold", self.duplicate_threshold, zero=False, hint=hint)
        for pattern in self.patterns:
            checks.pattern(pattern)
