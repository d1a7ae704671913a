"""Short islands: short lines stranded between removed blocks at a page's tail go too.

The card's title between a share widget and a teaser, social button names, related titles under
a removed header. A long block never goes by context alone. The head is left alone: the
article's own title stands there between a removed nav bar and a removed date line.
"""

from __future__ import annotations

from collections.abc import Sequence

from dedup.page import Block, Decision

MAX_ISLAND_WORDS = 12
MAX_ISLAND_CHARS = 100
MAX_ISLAND_BLOCKS = 6  # a longer run of short lines is more likely a list the article holds


def _is_short(block: Block) -> bool:
    """Short, and not a sentence of a longer paragraph."""
    return block.line_words <= MAX_ISLAND_WORDS and len(block.key) <= MAX_ISLAND_CHARS


def detect(blocks: Sequence[Block], removed: Sequence[bool]) -> list[Decision]:
    """Decisions for runs of short kept blocks bounded by removed blocks (or the page edge)."""
    n = len(blocks)
    long_kept = [i for i in range(n) if not removed[i] and not _is_short(blocks[i])]
    if not long_kept:
        return []
    decisions = []
    i = long_kept[-1] + 1
    while i < n:
        if removed[i]:
            i += 1
            continue
        j = i
        while j < n and not removed[j]:
            j += 1
        before = removed[i - 1] if i > 0 else None
        after = removed[j] if j < n else None
        bounded = before and after is not False
        if bounded and j - i <= MAX_ISLAND_BLOCKS:
            for k in range(i, j):
                evidence = {"between": "removed blocks" if before and after else "removed block and page edge"}
                decisions.append(Decision(blocks[k].start, blocks[k].end, "island", evidence))
        i = j
    return decisions
