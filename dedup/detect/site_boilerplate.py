"""Site boilerplate: blocks, block variants and line templates seen on enough pages of the site."""

from __future__ import annotations

from collections.abc import Sequence

from dedup.detect.templates import label_prefix, shape
from dedup.model import SiteModel
from dedup.page import Block, Decision


def detect(text: str, site: str, blocks: Sequence[Block], model: SiteModel) -> list[Decision]:
    """Decisions for the blocks the site model has seen on enough distinct pages of this site."""
    stats = model.sites.get(site)
    if stats is None or stats.pages < 2:
        return []
    body = _body_lines(blocks, model.rule.short_words)
    decisions = []
    for block in blocks:
        pages, exemplar = stats.pages_with(shape(block.key))
        # Inside the body, a short line needs the evidence of a long one: background
        # paragraphs and subheadings of one story repeat there; furniture sits at the edges.
        words = block.line_words if block.line not in body else max(block.line_words, 10**6)
        needed = model.rule.pages_needed(stats.pages, words)
        if pages >= needed:
            evidence = {"pages": pages, "site_pages": stats.pages, "needed": needed}
            if exemplar != shape(block.key):
                evidence["variant_of"] = exemplar
            decisions.append(Decision(block.start, block.end, "site-boilerplate", evidence))
            continue
        label = label_prefix(text[block.start : block.end], block.words)
        if label is not None:
            pages = stats.labels.get(label, 0)
            needed = model.rule.pages_needed(stats.pages, 1)
            if pages >= needed:
                evidence = {"label": label[2:], "pages": pages, "site_pages": stats.pages}
                decisions.append(Decision(block.start, block.end, "template", evidence))
    return decisions


def _body_lines(blocks: Sequence[Block], short_words: int) -> range:
    """Line numbers strictly between the first and the last long line of the page."""
    long_lines = [b.line for b in blocks if b.line_words > short_words]
    if not long_lines:
        return range(0)
    return range(long_lines[0] + 1, long_lines[-1])
