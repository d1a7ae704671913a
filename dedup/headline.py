"""The page's own headline: the line before its article that says what its URL's slug says, or a
title that the page says again further on; on a page without line breaks, the words it opens with
that other pages carry but do not open with. Other pages of the site list it as a link (related,
most read), so the site's evidence takes it; on its own page it is the article's first line and
stays."""

from __future__ import annotations

from collections.abc import Sequence
from urllib.parse import unquote

import regex

from dedup._core import said_again as core_said_again
from dedup._core import slug_lines as core_slug_lines
from dedup._core import unquoted
from dedup.keys import GRAM, page_key
from dedup.page import Block, Decision, url_path
from dedup.segment import Words, char_table, ends_with_full_stop

SLUG_MIN_WORDS = 3  # a slug of fewer words ("/news/details/4279575") names no headline
LINE_SHARE = 0.8  # of the line's words that are the slug's: a headline adds little to its slug
SLUG_SHARE = 0.6  # of the slug's words that are the line's: a slug may drop a few words
TITLE_MIN_WORDS = 5  # a title the page says again: a section's name ("In today's Magazine") is shorter
RARE_SHARE = 0.25  # of its site's pages that hold a title the page repeats: a nav link is on more
REACH = 20  # blocks from the headline to the article: a menu's link to the page stands further off

_DIGIT = regex.compile(r"\d")
_SEPARATOR = regex.compile(r"[-_+,\s]+")


def slug_words(url: str | None) -> frozenset[str]:
    """The folded words of the URL path's wordiest segment ("/2013/02/19/long-reads-follow-new-
    stories" gives long, reads, follow, new, stories); numbers and ids left out."""
    path = url_path(url) if url else None
    if not path:
        return frozenset()
    best: list[str] = []
    for segment in _unquote(path).split("/"):
        # An empty segment (the path's first), or one of letters and digits alone, holds no
        # separator: no regex is run over it.
        if not segment or segment.isalnum() or len(_SEPARATOR.findall(segment)) < SLUG_MIN_WORDS - 1:
            continue  # too few words to name a headline ("4279575", "details")
        # Folding makes the separators spaces ("-", "+", ","); "_" is a word's, as in an id.
        key = page_key(segment.replace("_", " "))
        found = [w for w in key.split() if not _DIGIT.search(w)] if _DIGIT.search(key) else key.split()
        if len(found) > len(best):
            best = found
    return frozenset(best) if len(best) >= SLUG_MIN_WORDS else frozenset()


def _unquote(path: str) -> str:
    """`urllib.parse.unquote`, by the Rust core: an Arabic slug is a few hundred escapes."""
    decoded = unquoted(path)
    return unquote(path) if decoded is None else decoded


def slug_lines(url: str | None, blocks: Sequence[Block]) -> list[int]:
    """The indexes of the whole lines whose words are nearly only the URL slug's, and most of them."""
    slug = slug_words(url)
    if not slug:
        return []
    found = core_slug_lines(char_table(), list(slug), list(blocks), SLUG_SHARE, LINE_SHARE, SLUG_MIN_WORDS)
    if found is None:  # a line with a character past the BMP, which the core's table does not class
        found = [k for k, b in enumerate(blocks) if b.whole_line and _says(b.key, slug)]
    return found


def said_again(text: str, blocks: Sequence[Block]) -> list[int]:
    """The indexes of the whole lines of TITLE_MIN_WORDS words or more, without a full stop, that
    the page says again further on: titles, its own or a link's."""
    again = core_said_again(blocks, TITLE_MIN_WORDS)  # by the Rust core: few lines are said again
    return [k for k in again if not ends_with_full_stop(text[blocks[k].start : blocks[k].end])]


def first(
    blocks: Sequence[Block], removed: Sequence[bool], long_words: int, candidates: Sequence[int]
) -> int | None:
    """The first of the candidate lines before the article (the first block of a long line that
    stays), at most REACH blocks before it; None where a copy of it stays above (the headline
    already stands)."""
    chosen = set(candidates)
    found: list[int] = []
    staying: set[str] = set()
    for k, (block, gone) in enumerate(zip(blocks, removed, strict=True)):
        if block.line_words >= long_words and not gone:
            return next((m for m in found if k - m <= REACH), None)
        if k in chosen:
            if block.key in staying:
                return None
            found.append(k)
        if not gone:
            staying.add(block.key)
    return None


def opening_title(
    words: Words, anywhere: Sequence[int], at_start: Sequence[int], needed: int
) -> tuple[int, int] | None:
    """(start, end) of the title a page without line breaks opens with, or None: its first words,
    whose 3-grams `needed` pages of the site carry (`anywhere`: the page counts of its first
    3-grams), but not at their start (`at_start`: the pages that open with each)."""
    grams = 0
    for n, opening in zip(anywhere, at_start, strict=False):
        if n < needed or opening >= needed:
            break
        grams += 1
    if not grams:
        return None
    after = grams + GRAM - 1  # the first word after the title: its stop and quote marks stay with it
    return words.starts[0], words.starts[after] if after < len(words.starts) else words.ends[after - 1]


def kept(headline: tuple[int, int] | None, decisions: list[Decision]) -> list[Decision]:
    """The decisions with the headline's span (start, end) taken out of them: what they remove
    around it stays removed."""
    if headline is None:
        return decisions
    start, end = headline
    out = []
    for d in decisions:
        if d.end <= start or d.start >= end:
            out.append(d)
            continue
        if d.start < start:
            out.append(Decision(d.start, start, d.kind, d.evidence))
        if d.end > end:
            out.append(Decision(end, d.end, d.kind, d.evidence))
    return out


def _says(key: str, slug: frozenset[str]) -> bool:
    """Whether a line's key holds nearly only the slug's words, and most of them."""
    words = key.split()
    if len(slug.intersection(words)) < SLUG_SHARE * len(slug):
        return False  # most lines: few of the slug's words (which hold no digit)
    line = [w for w in words if not _DIGIT.search(w)]
    shared = [w for w in line if w in slug]
    return (
        len(shared) >= SLUG_MIN_WORDS
        and len(shared) >= LINE_SHARE * len(line)
        and len(set(shared)) >= SLUG_SHARE * len(slug)
    )
