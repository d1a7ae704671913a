"""Short islands: short lines stranded between removed blocks at a page's tail go too.

The card's title between a share widget and a teaser, social button names, related titles under
a removed header. A long block never goes by context alone. The head is left alone (the
article's own title stands there between a removed nav bar and a removed date line), but for what
comes before the page's headline where its URL names it (`dedup.headline`).
"""

from __future__ import annotations

from collections.abc import Collection, Sequence

from dedup._core import headline_runs, island_runs
from dedup.config import Islands
from dedup.page import SITE_FURNITURE, Block, Decision, Kind
from dedup.segment import ends_with_full_stop


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
    `flow_lines` are the lines that hold a whole flattened page. A block is short by its line's
    words, or its own in a flattened page (where sentences are units). The runs are found by the
    Rust core (`island_runs`); a run that holds a full stop is the article's last word, not a link.
    """
    decisions = []
    runs = island_runs(blocks, removed, SITE_FURNITURE, Kind.REPEAT, list(flow_lines), limits, article_end)
    for i, j in runs:
        if any(ends_with_full_stop(text[blocks[k].start : blocks[k].end]) for k in range(i, j)):
            continue
        after = removed[j] if j < len(blocks) else "page edge"
        evidence = {"before": removed[i - 1] or "paragraph", "after": after}
        decisions += [Decision(blocks[k].start, blocks[k].end, Kind.ISLAND, evidence) for k in range(i, j)]
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
    above the headline stays. The runs are found by the Rust core (`headline_runs`)."""
    decisions = []
    for i, j in headline_runs(blocks, removed, headline, list(flow_lines), limits):
        evidence = {"before": removed[i - 1] if i else "page edge", "after": removed[j], "headline": headline}
        decisions += [Decision(blocks[k].start, blocks[k].end, Kind.ISLAND, evidence) for k in range(i, j)]
    return decisions
