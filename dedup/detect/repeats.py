"""In-page repeats: teaser cards and paragraphs a scraper duplicated. The first occurrence stays.

Works on word runs, not whole blocks, so a teaser that runs the lead paragraphs together and is
cut mid-word, or a duplicated paragraph glued to a heading, is still found.
"""

from __future__ import annotations

from collections.abc import Sequence

from dedup.page import Block, Decision
from dedup.segment import Words

GRAM = 5  # words per shingle
MIN_RUN_WORDS = 8  # shorter repeats ("Buy now", a recurring label) are left alone
MIN_RUN_CHARS = 40
WHOLE_BLOCK_SHARE = 0.6  # a block mostly made of a repeat goes whole


def repeated_word_flags(words: Sequence[str]) -> bytearray:
    """1 for every word inside a word 5-gram that already occurred earlier, without overlap."""
    flags = bytearray(len(words))
    first_seen: dict[tuple[str, ...], int] = {}
    for i in range(len(words) - GRAM + 1):
        gram = tuple(words[i : i + GRAM])
        j = first_seen.setdefault(gram, i)
        if j + GRAM <= i:
            flags[i : i + GRAM] = b"\x01" * GRAM
    return flags


def _runs(flags: bytearray) -> list[tuple[int, int]]:
    runs = []
    i, n = 0, len(flags)
    while i < n:
        if flags[i]:
            j = i
            while j < n and flags[j]:
                j += 1
            runs.append((i, j))
            i = j
        else:
            i += 1
    return runs


def detect(text: str, blocks: Sequence[Block], words: Words) -> list[Decision]:
    """Decisions for the later copies of word runs that the page already said."""
    flags = repeated_word_flags(words.words)
    long_runs = [
        (a, b) for a, b in _runs(flags)
        if b - a >= MIN_RUN_WORDS and words.ends[b - 1] - words.starts[a] >= MIN_RUN_CHARS
    ]
    if not long_runs:
        return []
    keep = bytearray(len(flags))
    for a, b in long_runs:
        keep[a:b] = b"\x01" * (b - a)
    decisions = []
    w = 0  # index of the first word at or after the current block
    for block in blocks:
        while w < len(words.starts) and words.starts[w] < block.start:
            w += 1
        first = w
        while w < len(words.starts) and words.starts[w] < block.end:
            w += 1
        covered = [i for i in range(first, w) if keep[i]]
        if not covered:
            continue
        evidence = {"words": len(covered)}
        if len(covered) >= WHOLE_BLOCK_SHARE * (w - first):
            decisions.append(Decision(block.start, block.end, "repeat", evidence))
            continue
        for a, b in _runs(bytearray(keep[first:w])):
            start = words.starts[first + a]
            end = block.end if first + b == w else words.starts[first + b]
            decisions.append(Decision(start, end, "repeat", {"words": b - a}))
    return decisions
