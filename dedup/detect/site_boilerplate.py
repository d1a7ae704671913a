"""Site boilerplate: blocks, block variants and line templates seen on enough pages of the site."""

from __future__ import annotations

import functools
from collections.abc import Collection, Sequence
from operator import itemgetter
from typing import NamedTuple

import regex

from dedup._core import SiteNeeds, furniture_runs, site_verdicts
from dedup.config import Rule, SiteEvidence
from dedup.keys import GLUED, MAX_TEMPLATE_WORDS, label_key, label_prefix, opens_quote, quote_unbalanced
from dedup.model import SiteModel
from dedup.normalize import SLOT
from dedup.page import SITE_FURNITURE, Block, Decision, Kind
from dedup.segment import CLOSING_MARKS, NO_LINE, char_table, ends_sentence, words_with_offsets

# A clock time and a colon alone on a line: "12.30pm:", "9:05 ص:".
_ENTRY_TIME = regex.compile(r"\s*\d{1,2}[.:]\d\d\s*(?:[ap]\.?m\.?|ص|م)?\s*:\s*", regex.IGNORECASE)
# A label, a colon and a slot of names, no figures: "Photograph: Martin Godwin", "(Image credit: Future plc)".
_CREDIT = regex.compile(r"[^:\d]+:\s+[^\d]+")
# One full stop (not an ellipsis, not an initial's) at a span's end, maybe behind closing quotes or brackets.
_FULL_STOP_END = regex.compile(r"(?<!\.|\b\w)\.[\s" + regex.escape("".join(sorted(CLOSING_MARKS))) + r"]*$")
_KIND = Kind.SITE_BOILERPLATE  # of the decisions the core makes


class Judged(NamedTuple):
    """What `detect` finds: its decisions, and the (start, end) of the blocks that no context takes
    (their shape and label on fewer of the site's pages than any block needs): judged again on a
    page that lost other blocks, they stay."""

    decisions: list[Decision]
    settled: set[tuple[int, int]]


def detect(
    text: str,
    site: str,
    blocks: Sequence[Block],
    model: SiteModel,
    flow_lines: Collection[int] = (),
    limits: SiteEvidence = SiteEvidence(),
) -> Judged:
    """Decisions for the blocks the site model has seen on enough distinct pages of this site.

    The Rust core judges each block by the pages that carry its shape (`site_verdicts`). Inside
    the body, a sentence needs the evidence of a long block: background paragraphs of one story
    repeat there, and a paragraph beside the article's own needs `paragraph_floor` pages. Links
    and headlines (no full stop) are furniture anywhere, and so is a sentence the page says again
    and again (an embed's consent notice under every post): an article does not.

    A block on too few pages may still be a line template: a label seen on more pages than the
    line itself. A sentence of a flow line (a page without line breaks) longer than a link may
    have the article's next sentence glued after its slot: as a line template, its label needs
    the evidence of a long block (detect.glued finds the slot of a rarer one)."""
    stats = model.sites.get(site)
    if stats is None or stats.pages < 2:
        return Judged([], {(b.start, b.end) for b in blocks})
    rule = model.rule
    needs = _needs(rule, limits, stats.pages)
    # A clock time alone that ends with a colon opens a live blog's entry ("12.30pm:"), where the
    # site's date lines have the same shape: it is left alone.
    pages_seen, found, variants, labelled, notices, last_long, rare = site_verdicts(
        char_table(), text, blocks, stats, _ENTRY_TIME.fullmatch, list(flow_lines), Decision, _KIND, needs
    )
    settled = set(rare)
    for i, exemplar in variants:
        k, decision = found[i]
        block = blocks[k]
        # Learned from another page: a lone surrogate there would make this page's audit
        # unwritable as JSON, so it is shown escaped.
        variant_of = exemplar.encode("utf-8", "backslashreplace").decode("utf-8")
        start = _variant_start(text, block, block.shape, exemplar)
        found[i] = (k, Decision(start, block.end, _KIND, {**decision.evidence, "variant_of": variant_of}))
    templates: list[tuple[int, Decision]] = []
    for k, span in labelled:
        block = blocks[k]
        if span is None:  # a character past the BMP, which the core does not class
            label = label_prefix(text[block.start : block.end], block.words)
        else:
            label = label_key(text[span[0] : span[1]])
        if label is None:
            continue
        # A template's slot varies: its label must be seen more often than this very line.
        line_pages = pages_seen[k]
        words = max(block.words, rule.link_words + 1)
        glued = block.line in flow_lines and block.words > rule.link_words
        # In flow lines the label is also counted at every sentence start, whatever its length.
        pages = max(stats.labels.get(label, 0), stats.labels.get(GLUED + label[2:], 0) if glued else 0)
        if pages >= _least_needed(rule, stats.pages):
            settled.discard((block.start, block.end))  # its line may lose the line's other blocks
        needed = rule.long_pages_needed(stats.pages) if glued else rule.pages_needed(stats.pages, words)
        if (
            pages >= needed
            and pages > line_pages
            and not _quote(text, blocks, k, label)
            and not _credit(text, blocks, k, last_long, rule.link_words)
        ):
            evidence = {"label": label[2:], "pages": pages, "site_pages": stats.pages}
            templates.append((k, Decision(block.start, block.end, Kind.TEMPLATE, evidence)))
    if templates:  # in the order of their blocks, among the others
        found = sorted(found + templates, key=itemgetter(0))
    # Last, a notice's own sentence between two of its line's that go: "A version appeared on p17
    # of the Guardian on …", with slots of its own, on as many pages as a short block needs.
    return Judged([d for _, d in found] + notices, settled)


def between_furniture(
    site: str,
    blocks: Sequence[Block],
    removed: Sequence[str | None],
    model: SiteModel,
    flow_lines: Collection[int] = (),
    limits: SiteEvidence = SiteEvidence(),
) -> tuple[list[Decision], int | None]:
    """Decisions for the runs of kept lines after the article that stand between two lines of the
    site's furniture, each line seen on other pages too (as many as a short block needs): a list
    of teasers or a social widget that a section or a region of the site carries, whose lines
    alone would need a long block's evidence. The article's own paragraphs are on no other page;
    the lines before its last one (its title among the furniture of its head) are left alone.

    Comments and the tail's teasers are paragraphs of the page's own too: the article ends with the
    cluster of own paragraphs (parted by fewer than `article_gap` removed blocks) that holds the
    most words. Between it and the page's last own paragraph, a run goes when three pages carry it
    (two pages of a tiny site may be one story's), whatever its lines end with: a shop's blurb, a
    teaser's summary, "There are no comments yet for this article." A comment is on one page.

    Also the index of the article's last paragraph, None where the page has none of its own. The
    runs are found by the Rust core (`furniture_runs`)."""
    stats = model.sites.get(site)
    if stats is None or stats.pages < 2:
        return [], None
    rule = model.rule
    needs = {
        "short_words": rule.short_words,
        "article_gap": limits.article_gap,
        "floor": rule.floor,
        "tail_floor": rule.tiny_site_floor if stats.pages <= rule.tiny_site else rule.floor,
    }
    seen, runs, end = furniture_runs(blocks, removed, SITE_FURNITURE, stats, list(flow_lines), needs)
    decisions = []
    for i, j, needed in runs:
        between = f"{removed[i - 1]}, {removed[j]}"
        for k in range(i, j):
            evidence = {"pages": seen[k], "site_pages": stats.pages, "needed": needed, "between": between}
            decisions.append(Decision(blocks[k].start, blocks[k].end, Kind.SITE_BOILERPLATE, evidence))
    return decisions, end


def _variant_start(text: str, block: Block, block_shape: str, exemplar: str) -> int:
    """Where the site's block starts in a block that holds it after words of the page's own (a
    claim's speaker described on the line of the site's blurb, with no stop between them): where
    the block's shape goes on word for word as the variant's, after words without a slot."""
    words, variant = block_shape.split(), exemplar.split()
    own = len(words) - len(variant)
    if own <= 0 or words[own:] != variant or "0" in words[:own]:
        return block.start
    return words_with_offsets(text, block.start, block.end).starts[own]


@functools.lru_cache(maxsize=256)
def _needs(rule: Rule, limits: SiteEvidence, site_pages: int) -> SiteNeeds:
    """The evidence a block needs on a site of so many pages, as `site_verdicts` reads it."""
    return SiteNeeds(
        {
            "least": _least_needed(rule, site_pages),
            "site_pages": site_pages,
            "tiny_site": rule.tiny_site,
            "link_words": rule.link_words,
            "short_words": rule.short_words,
            "headline_words": limits.headline_words,
            "body_line_words": limits.body_line_words,
            "page_copies": limits.page_copies,
            "long_needed": rule.long_pages_needed(site_pages),
            "paragraph_floor": rule.paragraph_floor,
            "floor": rule.floor,
            "head_share": rule.head_share,
            "max_template_words": MAX_TEMPLATE_WORDS,
            "needed_by_words": _needed_by_words(rule, site_pages),
            "no_line": NO_LINE,
            "slot": SLOT,
        }
    )


@functools.lru_cache(maxsize=256)
def _least_needed(rule: Rule, site_pages: int) -> int:
    """The fewest pages any block needs on a site of so many pages: a block's own (by its words,
    or a long block's) or a line template's label."""
    return min(*_needed_by_words(rule, site_pages), rule.long_pages_needed(site_pages))


@functools.lru_cache(maxsize=256)
def _needed_by_words(rule: Rule, site_pages: int) -> tuple[int, ...]:
    """The pages a block of 0, 1, … `short_words` + 1 words needs on a site of so many pages; a
    longer block needs what a block of `short_words` + 1 words does, a long block's."""
    return tuple(rule.pages_needed(site_pages, words) for words in range(rule.short_words + 2))


def _quote(text: str, blocks: Sequence[Block], k: int, label: str) -> bool:
    """Whether block k, which a label opens, is a sentence of prose: a quote ('وأضاف: «…».',
    'He added: "…".') among other sentences of its line: after one, or opening the line with its
    quotation mark; or, beside another sentence of its line, a part of a quotation that spans
    sentences: it opens one it does not close, or closes one it did not open ('وأضاف: «… الفريق..
    أعتقد …».', 'فقال: … ألعب به"؛ فاشترى له …!'). A line template's slot (a date, a name, a title,
    initials "م.أ.م", a source "المصدر: لينتا.") is not two words or more ending with a full stop,
    and its quotation marks pair up."""
    block = blocks[k]
    if block.words - label.count(" ") - 1 < 2:
        return False
    raw = text[block.start : block.end]
    follows = k > 0 and blocks[k - 1].line == block.line
    leads = k + 1 < len(blocks) and blocks[k + 1].line == block.line
    if _FULL_STOP_END.search(raw) is not None:
        return follows or (leads and opens_quote(raw))
    return (follows or leads) and quote_unbalanced(raw)


def _credit(text: str, blocks: Sequence[Block], k: int, last_long: int, link_words: int) -> bool:
    """Whether block k, which a label opens, is a caption's credit: it closes a line after the
    caption's sentence, the article goes on after it, and its slot names people, not a time
    ("… five-year-olds. Photograph: Martin Godwin"). A line's closing source link or editor's
    initials after the article, and a date after a title, stay templates."""
    block = blocks[k]
    caption = blocks[k - 1] if k > 0 else None
    after_caption = (
        caption is not None
        and caption.line == block.line
        and caption.words > link_words
        and _is_sentence(text, caption)
    )
    closes_line = k + 1 == len(blocks) or blocks[k + 1].line != block.line
    names = _CREDIT.fullmatch(text[block.start : block.end].strip()) is not None
    return after_caption and closes_line and block.line < last_long and names


def _is_sentence(text: str, block: Block) -> bool:
    """A block that ends as sentences do."""
    return ends_sentence(text, block.start, block.end)
