"""Every setting of a run, named and validated once: the rule that makes a block boilerplate, the
cleaner's guards, the fingerprints, the duplicate threshold, the user's widget patterns."""

from __future__ import annotations

import math
from dataclasses import dataclass, field, fields
from typing import Any

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

    def tail_pages_needed(self, site_pages: int) -> int:
        """Distinct pages of the site a run at a flattened page's edge must occur on."""
        return max(self.long_floor, math.ceil(self.tail_share * site_pages))


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
    sentence_end_words: int = 6  # a site run that takes a sentence's last words gives back this many

    def __post_init__(self) -> None:
        wholes = (
            "long_block_words",
            "sentence_words",
            "judging_rounds",
            "edge_min_pages",
            "sentence_end_words",
        )
        for name in wholes:
            checks.whole("Guards", name, getattr(self, name))
        checks.whole("Guards", "everywhere_min_pages", self.everywhere_min_pages)
        for name in ("edge_share", "everywhere_share", "middle_share"):
            checks.share("Guards", name, getattr(self, name))


def _check_fields(owner: Any, may_be_zero: tuple[str, ...] = ()) -> None:
    """Whole numbers of at least 1 (or 0, where named) and shares from 0 to 1, field by field."""
    name = type(owner).__name__
    for setting in fields(owner):
        value = getattr(owner, setting.name)
        if setting.type == "float":
            checks.share(name, setting.name, value, zero=False)
        else:
            checks.whole(name, setting.name, value, least=0 if setting.name in may_be_zero else 1)


@dataclass(frozen=True)
class SiteEvidence:
    """Where a block's site evidence is judged as a sentence of the article (detect.site_boilerplate)."""

    body_line_words: int = 8  # a sentence of a line this long in the body needs a long block's evidence
    headline_words: int = 10  # a line this short with no sentence's end is a headline: it links, like a link
    article_gap: int = 8  # removed blocks between two own paragraphs that part the article from what follows
    page_copies: int = 3  # a sentence said this often in one page needs a short block's evidence anywhere

    def __post_init__(self) -> None:
        _check_fields(self)


@dataclass(frozen=True)
class Runs:
    """When a run of a site's frequent word 3-grams in a flattened page is furniture (detect.runs)."""

    edge_gap: int = 4  # words between two edge runs that go with them (a date, an author's name)
    title_words: int = 20  # a page's title before its head furniture (a byline, a date line) stays
    min_run_words: int = 3
    min_inner_run_words: int = 6  # a run inside the flow, away from both edges
    little_chars: int = 4  # a word shorter than this is a little word ("the", "في")
    min_anchor_words: int = 4  # a run of `needed` pages that a head chain ends with
    min_content_words: int = 3  # words of 3 letters or more, slots aside
    min_edge_run_words: int = 4  # a run cut from the edge of a page's first or last line

    def __post_init__(self) -> None:
        _check_fields(self, may_be_zero=("edge_gap", "title_words", "min_content_words"))


@dataclass(frozen=True)
class Glued:
    """What a label glued into a flattened page takes with it as its slot (detect.glued)."""

    max_item_words: int = 3  # a tag or a section name; a clause between commas is longer
    min_commas: int = 1
    max_slot_words: int = 20
    min_seen_words: int = 2  # a slot made of words the site shows elsewhere: a linked title, not one word
    seen_pages: int = 3  # a word 3-gram on this many pages of the site is seen elsewhere
    title_spread: int = 3  # the 3-grams of one title are seen about as often: within this factor
    max_phrase_words: int = 12  # a banner phrase ("Winter appeal: ..."); a shared sentence is longer
    min_content_words: int = 3  # words of 3 letters or more, slots aside: fewer make a pattern

    def __post_init__(self) -> None:
        _check_fields(self, may_be_zero=("min_content_words",))


@dataclass(frozen=True)
class Repeats:
    """When a stretch of words repeated inside one page is a copy to remove (detect.repeats)."""

    min_run_words: int = 8  # shorter repeats ("Buy now", a recurring label) are left alone
    min_run_chars: int = 40
    whole_block_share: float = 0.6  # a block mostly made of a repeat goes whole
    back_to_back_words: int = 20  # a copy this close to its source (past a heading, say) is a double
    max_double_words: int = 150  # a paragraph doubled; a whole article shown twice is the page's choice
    copy_gap_words: int = 3  # words that differ between two stretches of one copy
    layout_share: float = 0.7  # a copy under this share of its paragraph is the paragraph's own sentence
    lead_start_words: int = 25  # a page's first words, whatever furniture stayed before the lead
    lead_share: float = 0.2  # the lead is in the first fifth of a page; a card repeating it, in the last
    max_card_words: int = 250
    max_card_title_words: int = 12  # a teaser card is a few lead paragraphs, not the article again
    label_words: int = 4  # a label before a copy ("All sections: …"); a sentence's own start is longer
    tail_block_words: int = 15  # a copy with no paragraph of this length after it closes the page
    max_rounds: int = 4  # copies judged again once the copies found are gone; each round finds fewer
    min_line_repeats: int = 12  # a short line this often on a page: a button ("Report abuse")
    max_repeated_line_words: int = 6

    def __post_init__(self) -> None:
        _check_fields(self, may_be_zero=("back_to_back_words", "copy_gap_words", "label_words"))


@dataclass(frozen=True)
class Widgets:
    """How long a block a widget phrase or a link prefix may take (detect.widgets)."""

    max_widget_words: int = 12  # a widget is short; a paragraph quoting a widget phrase is not one
    max_link_words: int = 20
    max_tail_link_words: int = 80  # a related-links card closing a page: the phrase and a few titles

    def __post_init__(self) -> None:
        _check_fields(self)


@dataclass(frozen=True)
class Islands:
    """Which short lines stranded among removed blocks at a page's tail go too (detect.context)."""

    max_words: int = 12
    max_chars: int = 100
    max_blocks: int = 6  # a longer run of short lines is more likely a list the article holds

    def __post_init__(self) -> None:
        _check_fields(self)


@dataclass(frozen=True)
class Detectors:
    """The thresholds of each detector: what makes a span furniture on one page."""

    site: SiteEvidence = field(default_factory=SiteEvidence)
    runs: Runs = field(default_factory=Runs)
    glued: Glued = field(default_factory=Glued)
    repeats: Repeats = field(default_factory=Repeats)
    widgets: Widgets = field(default_factory=Widgets)
    islands: Islands = field(default_factory=Islands)


@dataclass(frozen=True)
class DuplicateRule:
    """Which shingles are a site's rather than an article's, and when two articles are duplicates
    beside their Jaccard (dedup.duplicates)."""

    common_share: float = 0.2  # a shingle on this share of a site's pages is the site's, not an article's...
    common_pages: int = 5  # ...and on this many at least: a few copies of one story are not furniture...
    common_most: int = 30  # ...and on this many at most: a large site's sections each have their own
    min_article: int = 15  # shingles an article needs to be compared; a shorter one matches only its equal
    containment: float = 0.7  # share of the smaller article inside the larger that makes a duplicate
    candidate_threshold: float = 0.5  # LSH proposes generously; the true sets decide
    refresh_growth: float = 1.1  # stream: common shingles found again once a site's pages grow this much

    def __post_init__(self) -> None:
        for name in ("common_pages", "common_most", "min_article"):
            checks.whole("DuplicateRule", name, getattr(self, name))
        for name in ("common_share", "containment", "candidate_threshold"):
            checks.share("DuplicateRule", name, getattr(self, name), zero=False)
        if not isinstance(self.refresh_growth, int | float) or self.refresh_growth < 1:
            growth = self.refresh_growth
            raise checks.SettingError(f"DuplicateRule.refresh_growth is {growth!r}: give 1 or more")


@dataclass(frozen=True)
class DesignPeriods:
    """Where a site's design changes over a long crawl, so that its pages are learned and cleaned
    period by period (dedup.periods)."""

    month_pages: int = 10  # a month's design is judged on this many pages or more
    design_share: float = 0.5  # the keys on this share of a month's pages are its design
    similar: float = 0.5  # a month sharing less of its design with the month before opens a period
    period_pages: int = 50  # a period holds this many pages or more: a shorter one joins the one before

    def __post_init__(self) -> None:
        _check_fields(self)


@dataclass(frozen=True)
class Config:
    """Every setting of a run, validated once."""

    patterns: tuple[str, ...] = ()
    rule: Rule = field(default_factory=Rule)
    guards: Guards = field(default_factory=Guards)
    detectors: Detectors = field(default_factory=Detectors)
    duplicate_rule: DuplicateRule = field(default_factory=DuplicateRule)
    periods: DesignPeriods = field(default_factory=DesignPeriods)
    settings: FingerprintSettings = field(default_factory=FingerprintSettings)
    duplicate_threshold: float = 0.8

    def __post_init__(self) -> None:
        hint = " (the word-shingle Jaccard of two duplicates, e.g. 0.8; --duplicate-threshold)"
        checks.share("Config", "duplicate_threshold", self.duplicate_threshold, zero=False, hint=hint)
        for pattern in self.patterns:
            checks.pattern(pattern)
