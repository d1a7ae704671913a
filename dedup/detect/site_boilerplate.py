"""Site boilerplate: blocks, block variants and line templates seen on enough pages of the site."""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Sequence
from itertools import pairwise

import regex

from dedup.config import Rule, SiteEvidence
from dedup.keys import GLUED, label_prefix, opens_quote, quote_unbalanced
from dedup.model import SiteModel, SiteStats
from dedup.normalize import SLOT
from dedup.page import SITE_FURNITURE, Block, Decision, Kind, kept_runs
from dedup.segment import CLOSING_MARKS, NO_LINE, ends_sentence, long_lines, words_with_offsets

# A clock time and a colon alone on a line: "12.30pm:", "9:05 ص:".
_ENTRY_TIME = regex.compile(r"\s*\d{1,2}[.:]\d\d\s*(?:[ap]\.?m\.?|ص|م)?\s*:\s*", regex.IGNORECASE)
# A label, a colon and a slot of names, no figures: "Photograph: Martin Godwin", "(Image credit: Future plc)".
_CREDIT = regex.compile(r"[^:\d]+:\s+[^\d]+")
# One full stop (not an ellipsis, not an initial's) at a span's end, maybe behind closing quotes or brackets.
_FULL_STOP_END = regex.compile(r"(?<!\.|\b\w)\.[\s" + regex.escape("".join(sorted(CLOSING_MARKS))) + r"]*$")


def detect(
    text: str,
    site: str,
    blocks: Sequence[Block],
    model: SiteModel,
    flow_lines: Collection[int] = (),
    limits: SiteEvidence = SiteEvidence(),
) -> list[Decision]:
    """Decisions for the blocks the site model has seen on enough distinct pages of this site.

    A sentence of a flow line (a page without line breaks) longer than a link may have the
    article's next sentence glued after its slot: as a line template, its label needs the
    evidence of a long block (detect.glued finds the slot of a rarer one)."""
    stats = model.sites.get(site)
    if stats is None or stats.pages < 2:
        return []
    first_long, last_long = long_lines(blocks, model.rule.short_words)
    body_end = _body_end(text, blocks, last_long, limits.headline_words)
    seen = _pages_seen(stats, blocks, first_long, model.rule)
    pages_seen = [pages for pages, _ in seen]
    story = _beside_article(blocks, pages_seen, model.rule.short_words)
    least = model.rule.least_pages_needed()
    copies = Counter([b.shape for b in blocks])
    decisions = []
    site_blocks: set[int] = set()  # the blocks that go as site boilerplate
    for k, (block, (pages, exemplar)) in enumerate(zip(blocks, seen, strict=True)):
        block_shape = block.shape
        if block_shape == SLOT and _leads_in(text, block):
            continue
        # A block on fewer pages than any block needs can only go as a line template's label.
        if pages >= least:
            # Inside the body, a sentence needs the evidence of a long block: background paragraphs
            # of one story repeat there. Links and headlines (no full stop) are furniture anywhere,
            # and so is a sentence the page says again and again (an embed's consent notice under
            # every post): an article does not.
            sentence = _is_sentence(text, block)
            repeated = (
                sentence
                and copies[block_shape] >= limits.page_copies
                and block.words > model.rule.link_words
                and stats.pages > model.rule.tiny_site
            )
            in_body = first_long < block.line < body_end and block.line_words >= limits.body_line_words
            in_body = in_body and sentence and not repeated
            words = min(block.line_words, model.rule.short_words) if repeated else block.line_words
            if words <= limits.headline_words and not sentence:
                words = min(words, model.rule.link_words)  # a headline links, like a link
            needed = (
                model.rule.long_pages_needed(stats.pages)
                if in_body
                else model.rule.pages_needed(stats.pages, words)
            )
            paragraph = (
                sentence
                and not repeated
                and _paragraph(block, first_long, body_end, model.rule.short_words, flow_lines)
            )
            if paragraph and block.line in story:
                needed = max(needed, model.rule.paragraph_floor)
            if pages >= needed:
                evidence: dict[str, int | str] = {"pages": pages, "site_pages": stats.pages, "needed": needed}
                if repeated:
                    evidence["copies"] = copies[block_shape]
                start = block.start
                if exemplar != block_shape:
                    # Learned from another page: a lone surrogate there would make this page's audit
                    # unwritable as JSON, so it is shown escaped.
                    evidence["variant_of"] = exemplar.encode("utf-8", "backslashreplace").decode("utf-8")
                    start = _variant_start(text, block, block_shape, exemplar)
                decisions.append(Decision(start, block.end, Kind.SITE_BOILERPLATE, evidence))
                site_blocks.add(k)
                continue
        label = label_prefix(text[block.start : block.end], block.words)
        if label is not None:
            # A template's slot varies: its label must be seen more often than this very line.
            line_pages = pages
            words = max(block.words, model.rule.link_words + 1)
            glued = block.line in flow_lines and block.words > model.rule.link_words
            # In flow lines the label is also counted at every sentence start, whatever its length.
            pages = max(stats.labels.get(label, 0), stats.labels.get(GLUED + label[2:], 0) if glued else 0)
            needed = (
                model.rule.long_pages_needed(stats.pages)
                if glued
                else model.rule.pages_needed(stats.pages, words)
            )
            if (
                pages >= needed
                and pages > line_pages
                and not _quote(text, blocks, k, label)
                and not _credit(text, blocks, k, last_long, model.rule.link_words)
            ):
                evidence = {"label": label[2:], "pages": pages, "site_pages": stats.pages}
                decisions.append(Decision(block.start, block.end, Kind.TEMPLATE, evidence))
    decisions += _inside_notices(blocks, pages_seen, site_blocks, flow_lines, stats, model.rule)
    return decisions


def _inside_notices(
    blocks: Sequence[Block],
    pages: Sequence[int],
    site_blocks: Collection[int],
    flow_lines: Collection[int],
    stats: SiteStats,
    rule: Rule,
) -> list[Decision]:
    """Decisions for the sentences that stand between two sentences of their own line that go as
    the site's boilerplate, seen on as many pages as a short block needs: a notice's own sentence
    with slots of its own ("A version appeared on p17 of the Guardian on …", between when the
    article was published and when it was last modified), which a long line's sentence in the body
    would need a long block's evidence for. Not in a flattened page, whose one line is the page."""
    needed = rule.pages_needed(stats.pages, rule.short_words)
    between = f"{Kind.SITE_BOILERPLATE}, {Kind.SITE_BOILERPLATE}"
    decisions = []
    for k in sorted(site_blocks):
        if k + 2 not in site_blocks or k + 1 in site_blocks:
            continue
        block = blocks[k + 1]
        if (
            blocks[k].line == block.line == blocks[k + 2].line
            and block.line not in flow_lines
            and pages[k + 1] >= needed
        ):
            evidence = {
                "pages": pages[k + 1],
                "site_pages": stats.pages,
                "needed": needed,
                "between": between,
            }
            decisions.append(Decision(block.start, block.end, Kind.SITE_BOILERPLATE, evidence))
    return decisions


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
    cluster of own paragraphs that holds the most words. Between it and the page's last own
    paragraph, a run goes when three pages carry it (two pages of a tiny site may be one story's),
    whatever its lines end with: a shop's blurb, a teaser's summary, "There are no comments yet
    for this article." A comment is on one page.

    Also the index of the article's last paragraph, None where the page has none of its own."""
    stats = model.sites.get(site)
    if stats is None or stats.pages < 2:
        return [], None
    rule = model.rule
    own = [
        k
        for k, b in enumerate(blocks)
        if not removed[k] and b.line_words > rule.short_words and stats.pages_with(b.shape)[0] < 2
    ]
    decisions = []
    end = _article_end(blocks, own, removed, limits.article_gap) if own else None
    for i, j in kept_runs(removed, 0 if end is None else end + 1):
        bounded = i > 0 and j < len(blocks) and {removed[i - 1], removed[j]} <= SITE_FURNITURE
        if not bounded or any(b.line in flow_lines for b in blocks[i:j]):
            continue
        if own and i < own[-1]:
            needed = rule.floor
        else:
            needed = rule.tiny_site_floor if stats.pages <= rule.tiny_site else rule.floor
        seen = [stats.pages_with(b.shape)[0] for b in blocks[i:j]]
        if min(seen) >= needed:
            between = f"{removed[i - 1]}, {removed[j]}"
            for k, pages in enumerate(seen, i):
                evidence = {"pages": pages, "site_pages": stats.pages, "needed": needed, "between": between}
                decisions.append(Decision(blocks[k].start, blocks[k].end, Kind.SITE_BOILERPLATE, evidence))
    return decisions, end


def _article_end(blocks: Sequence[Block], own: Sequence[int], removed: Sequence[str | None], gap: int) -> int:
    """The article's last paragraph: the end of the cluster of own paragraphs (parted by fewer
    than `gap` removed blocks) that holds the most words."""
    clusters = [[own[0]]]
    for prev, k in pairwise(own):
        if sum(1 for r in removed[prev + 1 : k] if r) >= gap:
            clusters.append([])
        clusters[-1].append(k)
    return max(clusters, key=lambda c: sum(blocks[k].words for k in c))[-1]


def _variant_start(text: str, block: Block, block_shape: str, exemplar: str) -> int:
    """Where the site's block starts in a block that holds it after words of the page's own (a
    claim's speaker described on the line of the site's blurb, with no stop between them): where
    the block's shape goes on word for word as the variant's, after words without a slot."""
    words, variant = block_shape.split(), exemplar.split()
    own = len(words) - len(variant)
    if own <= 0 or words[own:] != variant or "0" in words[:own]:
        return block.start
    return words_with_offsets(text, block.start, block.end).starts[own]


def _pages_seen(
    stats: SiteStats, blocks: Sequence[Block], first_long: int, rule: Rule
) -> list[tuple[int, str]]:
    """The pages each block's shape counts (and its exemplar). Above the page's body, only the
    pages that carry it there count: a related link repeats an article's title on many pages, but
    only that article opens with it. A link-length line that `head_share` of its pages (and the
    floor) carry above their body is the site's own ("اقرأ التصحيح" under a one-line claim, above
    the blurb or below a long one): all its pages count."""
    seen = []
    for block in blocks:
        everywhere = stats.pages_with(block.shape)
        if block.line >= first_long:
            seen.append(everywhere)
            continue
        head = stats.pages_with(block.shape, head=True)
        own = block.line_words <= rule.link_words and head[0] >= max(
            rule.floor, rule.head_share * everywhere[0]
        )
        seen.append(everywhere if own else head)
    return seen


def _paragraph(
    block: Block, first_long: int, body_end: int, short_words: int, flow_lines: Collection[int]
) -> bool:
    """Whether a block (a sentence) is one of a paragraph of the body (a long line, not a whole page)."""
    in_body = first_long <= block.line < body_end and block.line not in flow_lines
    return in_body and block.line_words > short_words


def _beside_article(blocks: Sequence[Block], pages: Sequence[int], short_words: int) -> set[int]:
    """The lines that follow a paragraph of the article's own (most of whose words no other page of
    the site holds) in a run of paragraphs and of short lines no other page holds: a story's
    background paragraphs stand among the article's, after its lead; a long notice among the
    furniture, or a list of teasers after a line of the site's, does not."""
    lines: dict[int, list[int]] = {}  # line -> [its words, its words in blocks other pages hold]
    for b, n in zip(blocks, pages, strict=True):
        counts = lines.setdefault(b.line, [b.line_words, 0])
        if n > 1:
            counts[1] += b.words
    beside: set[int] = set()
    after_own = False  # in a run of lines that an article's paragraph opened
    for line, (words, shared) in lines.items():
        long = words > short_words
        if long or not shared:  # a paragraph, or a short line of the article's own
            after_own = after_own or (long and 2 * shared < words)
            if after_own:
                beside.add(line)
        else:
            after_own = False
    return beside


def _body_end(text: str, blocks: Sequence[Block], last_long: int, headline_words: int) -> int:
    """The line where the body ends: the first short line without a full stop (a link, a label:
    the furniture's start) after the last long line; the closing sentences before it are body.

    Not the last long line itself: when that is a teaser card, the sentences before it are judged
    alike whether the card is there or cleaning took it away.
    """
    for block in blocks:
        if (
            block.line > last_long
            and block.whole_line
            and block.line_words <= headline_words
            and not _is_sentence(text, block)
        ):
            return block.line
    return NO_LINE


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


def _leads_in(text: str, block: Block) -> bool:
    """A clock time alone that ends with a colon: it opens a live blog's entry ("12.30pm:"), where
    the site's date lines have the same shape."""
    return _ENTRY_TIME.fullmatch(text, block.start, block.end) is not None


def _is_sentence(text: str, block: Block) -> bool:
    """A block that ends as sentences do."""
    return ends_sentence(text, block.start, block.end)
