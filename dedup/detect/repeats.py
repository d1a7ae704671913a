"""In-page repeats: teaser cards and paragraphs a scraper duplicated. The first occurrence stays.

Works on word runs, not whole blocks, so a teaser that runs the lead paragraphs together and is
cut mid-word, or a duplicated paragraph glued to a heading, is still found. A copy goes when it
follows its source closely (a scraper's double), when no paragraph follows it (a card closing
the page), or when it stops in the middle of a source block (a truncated teaser); a whole
section that a page repeats in its middle, far from its source, is left alone.

The copies are judged by the Rust core (`dedup._core.page_copies`, rust/src/repeats.rs) on the
words' numbers (a folded page's words are made there too: `folded_page_copies`): the stretches
that copy earlier words come from one linear pass over a page's 5-grams, however long the page
(`repeated_stretches`).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

import numpy as np

from dedup._core import folded_page_copies, page_copies
from dedup.config import Repeats
from dedup.normalize import Folded
from dedup.page import Block, Decision, Kind
from dedup.segment import char_table, ends_sentence, outside, words_with_offsets


def detect(
    text: str,
    blocks: Sequence[Block],
    removed: Sequence[tuple[int, int]] = (),
    limits: Repeats = Repeats(),
    folded: Folded | None = None,
) -> list[Decision]:
    """Decisions for the later copies of word runs that the page already said, among its words
    that start outside the `removed` (start, end) spans (`folded`: the page's folding, where the
    caller has it).

    Where a copy stands (near the page's end, after the last paragraph, in a line of its own) is
    judged on what stays: once a teaser card goes, the card's title copied just before it closes
    the page. So copies are judged again without the copies found, until no more are found: the
    cleaned page then holds no copy that cleaning it again would find. A block a copy covers for
    the most part goes whole; else the copy's runs of words go, where they may go from inside a
    sentence (a double of the words right before it, a teaser cut mid-word).
    """
    folded = folded or Folded(text)
    if folded.fast:  # the words made in the core, without a Python string each
        kept, at = folded.kept_span(0, len(text))
        word, letter = folded.flags()
        found = folded_page_copies(char_table(), text, blocks, word, letter, kept, at, list(removed), limits)
    else:
        words = outside(words_with_offsets(text, folded=folded), removed)
        starts, ends = (np.asarray(offsets, "<i8").tobytes() for offsets in (words.starts, words.ends))
        found = page_copies(char_table(), text, blocks, words.words, starts, ends, limits)
    return [Decision(start, end, Kind.REPEAT, {"words": n}) for start, end, n in found]


def repeated_short_lines(text: str, blocks: Sequence[Block], limits: Repeats = Repeats()) -> list[Decision]:
    """Every copy of a whole line of 2 to `max_repeated_line_words` words, not a sentence, that the
    page holds `min_line_repeats` times or more: a button under every comment, not the article's."""
    if len(blocks) < limits.min_line_repeats:
        return []  # too few lines for any to come that often
    short = [b for b in blocks if b.whole_line and 2 <= b.words <= limits.max_repeated_line_words]
    if len(short) < limits.min_line_repeats:
        return []
    often = Counter(b.key for b in short)  # most pages: no short line that often, nothing to read
    lines = [
        b
        for b in short
        if often[b.key] >= limits.min_line_repeats and not ends_sentence(text, b.start, b.end)
    ]
    times = Counter(b.key for b in lines)
    return [
        Decision(b.start, b.end, Kind.REPEAT, {"times": times[b.key]})
        for b in lines
        if times[b.key] >= limits.min_line_repeats
    ]
