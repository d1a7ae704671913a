"""Short islands: short lines stranded between removed blocks at a page's tail go too.

The card's title between a share widget and a teaser, social button names, related titles under
a removed header. A long block never goes by context alone. The head is left alone (the
article's own title stands there between a removed nav bar and a removed date line), but for what
comes before the page's headline where its URL names it (`dedup.headline`).
"""

from __future__ import annotations

from collections.abc import Collection, Sequence

from dedup.config import Islands
from dedup.page import SITE_FURNITURE, Block, Decision, Kind, kept_runs
from dedup.segment import ends_with_full_stop


def _is_short(block: Block, flow_lines: Collection[int], limits: Islands) -> bool:
    """Short, and not a sentence of a longer paragraph (in a flattened page, sentences are units)."""
    words = block.words if block.line in flow_lines else block.line_words
    return words <= limits.max_words and len(block.key) <= limits.max_chars


def detect(
    text: str,
    blocks: Sequence[Block],
    removed: Sequence[str | None],
    flow_lines: Collection[int] = (),
    limits: Islands = Islands(),
    article_end: int | None = None,
) -> list[Decision]:
    """Decisions for runs of short kept blocks bounded by removed blocks (or the page edge), after
    the page's last long kept block, or after the article's last paragraph (`article_end`) where
    that comes first: comments and a tail's teasers are long blocks too.

    `removed` holds, per block, the kind of decision that removes it, or None. A single short
    line right before a removed repeat is the teaser card's title, even after the last paragraph.
    `flow_lines` are the lines that hold a whole flattened page.
    """
    n = len(blocks)
    long_kept = [i for i in range(n) if not removed[i] and not _is_short(blocks[i], flow_lines, limits)]
    if not long_kept:
        return []
    decisions = []
    tail = long_kept[-1] if article_end is None else min(long_kept[-1], article_end)
    # A long kept block (a comment, a teaser's summary) parts two runs, and bounds neither.
    long = set(long_kept)
    parted = [kind or ("paragraph" if k in long else None) for k, kind in enumerate(removed)]
    for i, j in kept_runs(parted, tail + 1):
        if any(ends_with_full_stop(text[blocks[k].start : blocks[k].end]) for k in range(i, j)):
            continue  # a sentence with its full stop is the article's last word, not a link
        before = removed[i - 1]  # i > 0: the last long kept block comes first
        after = removed[j] if j < n else "page edge"
        card_title = j - i == 1 and after == Kind.REPEAT
        if i < long_kept[-1] and not {before, after} <= SITE_FURNITURE:
            continue  # before a comment: only between the site's own furniture (a widget's frame)
        if ((before and after) or card_title) and j - i <= limits.max_blocks:
            evidence = {"before": before or "paragraph", "after": after}
            decisions += [
                Decision(blocks[k].start, blocks[k].end, Kind.ISLAND, evidence) for k in range(i, j)
            ]
    return decisions


def before_headline(
    blocks: Sequence[Block],
    removed: Sequence[str | None],
    headline: int,
    flow_lines: Collection[int] = (),
    limits: Islands = Islands(),
) -> list[Decision]:
    """Decisions for runs of short kept blocks before the page's headline (block `headline`),
    bounded by removed blocks or the page's start: a sidebar's list of recent posts. The article
    starts at its headline, so the run may be of any length and hold full stops; a kicker right
    above the headline stays."""
    decisions = []
    for i, j in kept_runs(removed[:headline]):
        if j == headline or not all(_is_short(blocks[k], flow_lines, limits) for k in range(i, j)):
            continue
        evidence = {"before": removed[i - 1] if i else "page edge", "after": removed[j], "headline": headline}
        decisions += [Decision(blocks[k].start, blocks[k].end, Kind.ISLAND, evidence) for k in range(i, j)]
    return decisions
