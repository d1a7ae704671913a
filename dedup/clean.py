"""Cleaner: learn the site model, then clean pages by applying the detectors' decisions."""

from __future__ import annotations

import math
import unicodedata
from array import array
from bisect import bisect_left, bisect_right
from collections.abc import Collection, Iterable, Sequence

import regex

from dedup import headline
from dedup._core import blocks_left, left_within, removed_kinds
from dedup.audit import apply, merge
from dedup.config import Config, Guards
from dedup.detect import context, glued, repeats, runs, site_boilerplate, widgets
from dedup.duplicates import KeyHashes, PagePrint, segmented_key_hashes, text_prints
from dedup.features import EDGE_SALT, EDGE_WORDS, edge_counts, edge_words, head_of
from dedup.keys import gram_counts, gram_hashes, head_pairs, pair_hashes
from dedup.learn import learn
from dedup.model import SiteModel, SiteStats
from dedup.normalize import WORD, Folded, key_words, normalize, shape
from dedup.page import Block, Decision, Kind, Page, Result
from dedup.segment import (
    Segmented,
    Words,
    flow_lines,
    hashed_segment,
    outside,
    segment,
    sentence_spans,
    words_with_offsets,
)

REMOVED_SHARE = 0.9  # a block this much of which decisions cover is removed whole (or nearly)
HYPHENS = frozenset("-\u2010\u2011")  # within a word or a figure, not a dash between pieces
LABEL_KINDS = frozenset({Kind.READ_ALSO, Kind.TEMPLATE})  # decisions a label makes for its whole sentence
LEARNED_KINDS = frozenset(
    {Kind.SITE_BOILERPLATE, Kind.TEMPLATE, Kind.READ_ALSO, Kind.ISLAND}
)  # from the site's pages


class Cleaner:
    """Cleans pages with per-site boilerplate learned from pages: `learn(pages)` first (or give a
    learned `model`), then `clean(page)`. A scraper's stream of pages, learned from as they come,
    is cleaned by `dedup.run.stream.StreamCleaner`."""

    def __init__(self, config: Config | None = None, model: SiteModel | None = None) -> None:
        self.config = config or Config()
        self.model = model or SiteModel(rule=self.config.rule, settings=self.config.settings)
        self.matcher = widgets.WidgetMatcher.build(self.config.patterns, self.config.detectors.widgets)

    def learn(self, pages: Iterable[Page], workers: int = 1) -> int:
        """Learn the site model from the pages (see `dedup.learn.learn`); returns the pages counted."""
        return learn(self.model, self.config, pages, workers)

    def clean(self, page: Page) -> Result:
        """The page with its boilerplate removed, and the audit of every removed span."""
        return self._clean_text(page)

    def clean_keyed(self, page: Page, segmented: Segmented | None = None) -> tuple[Result, KeyHashes]:
        """`clean(page)`, with the hashes of the page's whole text's key (`KeyHashes`) from the same
        folding (`segmented`: the page folded and segmented, where the caller made them already)."""
        hashes = None
        if segmented is None:
            folded = Folded(page.text)
            blocks, hashes = hashed_segment(page.text, folded)
        else:
            folded, blocks = segmented
        if hashes is None:
            hashes = segmented_key_hashes(page.text, folded, blocks)
        return self._clean_text(page, folded, blocks), hashes

    def _clean_text(
        self, page: Page, folded: Folded | None = None, blocks: list[Block] | None = None
    ) -> Result:
        text = page.text
        folded = folded or Folded(text)  # the keys of every span, from one pass over the text
        blocks = segment(text, folded) if blocks is None else blocks
        flow = flow_lines(blocks)
        # The words of a flow line (a page without line breaks) are a slice of the page's.
        page_words = words_with_offsets(text, folded=folded) if flow else Words([], array("q"), array("q"))
        limits = self.config.detectors
        site = self.model.site_key(page.site or "", page.fetched_at)
        judged = site_boilerplate.detect(text, site, blocks, self.model, flow.keys(), limits.site)
        site_decisions = _guard(blocks, judged.decisions, self.config.guards)
        # Runs keep to the edges of a flattened page, or need a long block's evidence: a page whose
        # only long sentence is its glued furniture loses it.
        flow_runs, flow_labels = self._site_runs(page, blocks, flow.values(), folded)
        decisions = _outside_labels(widgets.detect(blocks, self.matcher) + site_decisions, flow_labels)
        decisions += flow_runs
        at, line = self._headline(page, site, blocks, decisions)
        title = (
            (line.start, line.end)
            if line is not None
            else self._opening_title(site, blocks, flow.keys(), page_words)
        )
        decisions = headline.kept(title, decisions)
        # A closing read-also card takes every title after its prefix, which a label took alone.
        spans = [(d.start, d.end) for d in decisions]
        for start, end in flow.values():
            flow_words = outside(words_with_offsets(text, start, end, folded), spans)
            decisions += widgets.tail_links(text, flow_words, end, self.matcher)
        decisions += flow_labels
        # Repeats are judged on what stays: a title first seen in a removed related-articles
        # list is the article's own title when it comes again in the body.
        spans = [(d.start, d.end) for d in decisions]
        decisions += repeats.detect(text, blocks, spans, limits.repeats, folded)
        decisions += repeats.repeated_short_lines(text, blocks, limits.repeats)
        decisions += self._judged_again(page, folded, blocks, flow.keys(), decisions, judged.settled)
        removed_kinds = _removed_kinds(blocks, decisions)
        tail, article_end = site_boilerplate.between_furniture(
            site, blocks, removed_kinds, self.model, flow.keys(), limits.site
        )
        if tail:
            decisions += tail
            removed_kinds = _removed_kinds(blocks, decisions)
        decisions += context.detect(text, blocks, removed_kinds, flow.keys(), limits.islands, article_end)
        if at is not None:
            decisions += context.before_headline(blocks, removed_kinds, at, flow.keys(), limits.islands)
        decisions = headline.kept(title, decisions)  # site evidence judged again may take it again
        removals = merge(_not_emptied(blocks, decisions, self.config.guards.sentence_words), text)
        return Result(page, apply(text, removals), tuple(removals))

    def _headline(
        self, page: Page, site: str, blocks: Sequence[Block], decisions: Sequence[Decision]
    ) -> tuple[int | None, Block | None]:
        """The index of the page's headline where its URL names it, and the line that stays as its
        headline: that one, or else a title the page says again that few of its site's pages hold
        (under `headline.RARE_SHARE`: no nav link) and no known widget phrase, which keeps its line
        and takes nothing more from above it (`dedup.headline`)."""
        by_slug = headline.slug_lines(page.url, blocks)
        again = [] if by_slug else headline.said_again(page.text, blocks)
        stats = self.model.sites.get(site)
        if again and stats is not None and stats.pages:
            again = [
                k for k in again if stats.pages_with(blocks[k].shape)[0] < headline.RARE_SHARE * stats.pages
            ]
        if not by_slug and not again:
            return None, None
        kinds = _removed_kinds(blocks, decisions)
        removed = [kind is not None for kind in kinds]
        at = headline.first(blocks, removed, self.config.guards.long_block_words, by_slug or again)
        if at is None or (again and kinds[at] == Kind.WIDGET):
            return None, None
        return (at, blocks[at]) if by_slug else (None, blocks[at])

    def _opening_title(
        self, site: str, blocks: Sequence[Block], flow: Collection[int], words: Words
    ) -> tuple[int, int] | None:
        """(start, end) of the title a page without line breaks opens with
        (`headline.opening_title`), or None."""
        stats = self.model.sites.get(site)
        if stats is None or not stats.grams or not blocks or blocks[0].line not in flow:
            return None
        hashes = gram_hashes(words.words[:EDGE_WORDS])  # once for both counts
        anywhere = [stats.grams.get(h, 0) for h in hashes]
        at_start = [stats.grams.get(h ^ EDGE_SALT, 0) for h in hashes]
        return headline.opening_title(
            words, anywhere, at_start, self.model.rule.tail_pages_needed(stats.pages)
        )

    def _judged_again(
        self,
        page: Page,
        folded: Folded,
        blocks: Sequence[Block],
        flow: Collection[int],
        decisions: list[Decision],
        settled: set[tuple[int, int]],
    ) -> list[Decision]:
        """Site evidence judged again on the lines as they stay (`folded`: the page's folding;
        `flow`: its `flow_lines`; `settled`: the spans of the blocks no context takes,
        `Judged.settled`): a sentence whose line lost its other sentences is judged as the shorter
        line it is in the cleaned page."""
        found: list[Decision] = []
        site, limits = self.model.site_key(page.site or "", page.fetched_at), self.config.detectors.site
        for _ in range(self.config.guards.judging_rounds):
            made = decisions + found
            if left_within(blocks, made, settled):  # most pages: what is left is settled
                break
            left = _left(folded, blocks, made)
            if left == list(blocks):  # no line lost a block: nothing to judge again
                break
            more, settled = site_boilerplate.detect(page.text, site, left, self.model, flow, limits)
            decided = {(d.start, d.end) for d in made}
            more = [d for d in _guard(left, more, self.config.guards) if (d.start, d.end) not in decided]
            if not more:
                break
            found += more
            blocks = left
        return found

    def _site_runs(
        self, page: Page, blocks: Sequence[Block], flow_spans: Iterable[tuple[int, int]], folded: Folded
    ) -> tuple[list[Decision], list[Decision]]:
        """Site word runs, and labels with their slots, inside flow lines: lines that hold a
        flattened page, not a paragraph."""
        stats = self.model.sites.get(self.model.site_key(page.site or "", page.fetched_at))
        if stats is None or stats.pages < 2 or not stats.grams:
            return [], []
        edges = self._edge_runs(page, blocks, stats, folded)
        if not flow_spans:
            return edges, []
        # A run glued into the flow of words has no line of its own to show it is furniture: it
        # needs the evidence of a long block (house-style openers repeat), except at the end.
        rule, limits = self.model.rule, self.config.detectors
        needed = rule.long_pages_needed(stats.pages)
        tail_needed = rule.tail_pages_needed(stats.pages)
        found: list[Decision] = edges
        labels: list[Decision] = []
        guards = self.config.guards
        head_needed = max(guards.everywhere_min_pages, math.ceil(guards.everywhere_share * stats.pages))
        for start, end in flow_spans:
            words = words_with_offsets(page.text, start, end, folded)
            counts = gram_counts(words.words, stats.grams)
            spans = runs.detect(page.text, end, words, counts, stats.pages, needed, tail_needed, limits.runs)
            if start == blocks[0].start:
                head = head_of(words)
                at = head_pairs(page.text, head)
                pairs = [stats.grams.get(h, 0) for h in pair_hashes(head.words, at)]
                spans += runs.head_pairs(page.text, end, words, at, pairs, stats.pages, head_needed)
            found += _sentences_kept(page.text, start, end, spans, guards, limits.runs.little_chars)
            known = glued.Labels(stats.labels, needed, self.matcher.link_prefixes)
            labels += glued.detect(page.text, words, end, counts, known, limits.glued)
            labels += glued.phrases(page.text, words, end, counts, tail_needed, limits.glued)
        return found, labels

    def _edge_runs(
        self, page: Page, blocks: Sequence[Block], stats: SiteStats, folded: Folded
    ) -> list[Decision]:
        """The runs glued at the start of a page's first line or the end of its last line that
        `edge_share` of its site's pages (of `edge_min_pages` or more) carry there: a share bar, an
        about-blurb. The rest of the line stays."""
        guards = self.config.guards
        if stats.pages < guards.edge_min_pages or not blocks:
            return []
        needed = max(self.model.rule.long_floor, math.ceil(guards.edge_share * stats.pages))
        head_counts, tail_counts = edge_counts(page.text, blocks, folded, stats.grams)
        found = []
        for counts, at_start in ((head_counts, True), (tail_counts, False)):
            if not runs.may_edge_run(counts, needed, at_start):
                continue  # most pages: their words are not made
            words = edge_words(page.text, blocks, folded)[0 if at_start else 1]
            run = runs.edge_run(words, counts, needed, at_start, self.config.detectors.runs)
            if run is None:
                continue
            a, b, pages = run
            start = blocks[0].start if at_start else words.starts[a]
            end = words.starts[b] if at_start else blocks[-1].end
            evidence = {
                "pages": pages,
                "site_pages": stats.pages,
                "words": b - a,
                "edge": "start" if at_start else "end",
            }
            decision = Decision(start, end, Kind.SITE_BOILERPLATE, evidence)
            if not at_start and _flows_into(page.text, start):
                line_start = next(b.start for b in blocks if b.line == blocks[-1].line)
                starts = [a for a, _ in sentence_spans(page.text, line_start, end)]
                decision = _sentence_end_given_back(page.text, starts, decision, guards)
            found.append(decision)
        return found

    def explain(self, page: Page) -> list[tuple[Block, Decision | None]]:
        """Every block of a page with the decision that removes it, or None where it stays; a block
        that a removal starts or ends inside (a run glued into a line) is cut there, so the pieces
        with a decision are exactly what `clean` removes."""
        removals = sorted(self._clean_text(page).removed, key=lambda r: r.start)
        starts = [r.start for r in removals]
        out: list[tuple[Block, Decision | None]] = []
        for block in segment(page.text):
            pos = block.start
            first = max(0, bisect_right(starts, block.start) - 1)
            for r in removals[first : bisect_left(starts, block.end)]:
                if r.end <= pos:
                    continue
                if r.start > pos:
                    out += _piece(page.text, block, pos, r.start, None)
                end = min(r.end, block.end)
                out += _piece(
                    page.text,
                    block,
                    max(r.start, pos),
                    end,
                    Decision(r.start, r.end, Kind(r.kind), r.evidence),
                )
                pos = end
            out += _piece(page.text, block, pos, block.end, None)
        return out


def clean_pages(cleaner: Cleaner, pages: Sequence[Page]) -> list[tuple[Result, PagePrint]]:
    """Each page cleaned, with the print of its cleaned text that duplicates are grouped by: the
    cleaning stage of every batch run, on local workers or on Spark."""
    cleaned = [cleaner.clean_keyed(page) for page in pages]
    results = [r for r, _ in cleaned]
    sites = [r.page.site or "" for r in results]
    texts = [r.text for r in results]
    prints = text_prints(sites, texts, [key for _, key in cleaned], cleaner.config.settings.word_shingle)
    return list(zip(results, prints, strict=True))


def _piece(
    text: str, block: Block, start: int, end: int, decision: Decision | None
) -> list[tuple[Block, Decision | None]]:
    """A piece of a block with its decision (the block itself when whole); none if only spaces."""
    if start >= end or not text[start:end].strip():
        return []
    if (start, end) == (block.start, block.end):
        return [(block, decision)]
    key = normalize(text[start:end])
    piece = Block(start, end, key, block.line, False, block.line_words, key_words(key), shape(key))
    return [(piece, decision)]


def _removed_kinds(blocks: Sequence[Block], decisions: Sequence[Decision]) -> list[Kind | None]:
    """The kind of decision that removes each block whole (or nearly), None for a block that stays:
    the first decision that overlaps it, where those that do cover REMOVED_SHARE of it."""
    return removed_kinds(blocks, decisions, REMOVED_SHARE)


def _left(folded: Folded, blocks: Sequence[Block], decisions: Sequence[Decision]) -> list[Block]:
    """What the decisions leave of the blocks of a page (`folded`: its folding), as the cleaned
    page's blocks: a block cut in part leaves its pieces, and each line's word count is made of
    what is left of it (`blocks_left`)."""

    def piece(k: int, start: int, end: int) -> Block | None:
        key = folded.key(start, end)
        return Block(start, end, key, blocks[k].line, False, 0, key_words(key), shape(key)) if key else None

    return blocks_left(blocks, decisions, piece)


def _outside_labels(decisions: list[Decision], labels: Sequence[Decision]) -> list[Decision]:
    """The decisions but the sentences taken for their label ("read also" phrases, line templates)
    that a label found in the flow of words starts: the label goes with its slot, and the sentence
    glued after the slot stays."""
    if not labels:
        return decisions  # most pages: no label in a flow of words
    starts = sorted(d.start for d in labels)
    return [
        d
        for d in decisions
        if d.kind not in LABEL_KINDS or bisect_left(starts, d.start) == bisect_left(starts, d.end)
    ]


def _sentences_kept(
    text: str, start: int, end: int, decisions: list[Decision], guards: Guards, little_chars: int
) -> list[Decision]:
    """The site runs of a flow line but those that cut into an article's sentence on too little
    evidence: a run with running text on both sides that takes a sentence's middle, or figures
    ("fell 0.7 percent to 4068 points"), is common wording unless most of the site's pages carry it.
    A run that opens a sentence after the page's first and ends with a little word that runs on
    into the sentence's own words is the site's wording of that sentence, however many pages carry
    it ("تحقق مسبار من الادعاء وتبين أنه مضلل، …": the finding follows); furniture glued before a
    sentence ends with a word of its own ("… to the flood fund today"), or a name ("… LinkedIn X")."""
    if not decisions:
        return []
    starts = [a for a, _ in sentence_spans(text, start, end)]
    kept = []
    for d in decisions:
        d = _sentence_end_given_back(text, starts, d, guards)
        opens = d.start in starts[1:]
        words = WORD.findall(text, d.start, d.end)
        little = bool(words) and len(words[-1]) < little_chars and not words[-1][:1].isupper()
        if opens and little and _flows_into(text, d.end):
            continue
        pages = max(d.evidence["pages"], d.evidence.get("anchor_pages", 0))
        rare = pages < guards.middle_share * d.evidence["site_pages"]
        if rare and _flows_into(text, d.start) and _flows_into(text, d.end):
            same = bisect_right(starts, d.start) == bisect_right(starts, d.end - 1)
            if same or regex.search(r"\d", text[d.start : d.end]):
                continue
        kept.append(d)
    return kept


def _sentence_end_given_back(text: str, starts: Sequence[int], d: Decision, guards: Guards) -> Decision:
    """A run that reaches back over the last few words of a sentence ("... in. <a blurb>", "...
    drew 1-1. <a footer>") starts at the next sentence (`starts`: the line's sentence starts):
    those words are the sentence's, a common closing word (a number) made their 3-gram frequent."""
    after = bisect_right(starts, d.start)
    if (
        after < len(starts)
        and starts[after] < d.end
        and _flows_into(text, d.start)
        and len(WORD.findall(text, d.start, starts[after])) <= guards.sentence_end_words
    ):
        return Decision(starts[after], d.end, d.kind, d.evidence)
    return d


def _flows_into(text: str, pos: int) -> bool:
    """Whether the text runs on across `pos` as one sentence: a word (or a comma, or a hyphen that
    joins a word: "1-1") before it, a word after it, nothing that closes or labels a piece
    (". ", ": ", " | ") between."""
    if pos >= 2 and text[pos - 2].isalnum() and text[pos - 1] in HYPHENS:
        return text[pos : pos + 1].isalnum()
    # Stepped over in place: a flattened page is one line of many thousand characters.
    before = pos
    while before and (text[before - 1].isspace() or unicodedata.category(text[before - 1]) == "Cf"):
        before -= 1
    after = pos
    while after < len(text) and text[after].isspace():
        after += 1
    return (
        before > 0
        and after < len(text)
        and (text[before - 1].isalnum() or text[before - 1] in ",،")
        and text[after].isalnum()
    )


def _not_emptied(blocks: Sequence[Block], decisions: list[Decision], sentence_words: int) -> list[Decision]:
    """A page that the site's evidence would empty keeps its longest sentence: a one-line page
    whose line is a templated sentence ("Posted on 27 March 2024 with this caption:") is its
    article; a page that only known widget phrases or repeats fill goes."""
    # Blocks do not overlap: decisions shorter than that share of the blocks cannot cover each.
    if sum(d.end - d.start for d in decisions) < REMOVED_SHARE * sum(b.end - b.start for b in blocks):
        return decisions
    kinds = _removed_kinds(blocks, decisions)
    if not blocks or None in kinds:
        return decisions
    longest = max(blocks, key=lambda b: b.words)
    if longest.words < sentence_words or not set(kinds) <= LEARNED_KINDS:
        return decisions
    return [d for d in decisions if d.end <= longest.start or d.start >= longest.end]


def _guard(blocks: Sequence[Block], decisions: list[Decision], guards: Guards) -> list[Decision]:
    """Never let site statistics take every long block of a page: that is its body. A block that
    nearly every page of its site holds word for word is no body, though, even when it is the
    page's longest (an about-blurb after a one-line claim); a templated sentence whose numbers or
    dates change from page to page is."""
    long_keys = {(b.start, b.end): b.key for b in blocks if b.words >= guards.long_block_words}
    if not long_keys or not long_keys.keys() <= {(d.start, d.end) for d in decisions}:
        return decisions
    return [
        d
        for d in decisions
        if (key := long_keys.get((d.start, d.end))) is None or (_everywhere(d, guards) and shape(key) == key)
    ]


def _everywhere(decision: Decision, guards: Guards) -> bool:
    """Whether a decision's evidence is a site of `everywhere_min_pages` pages or more nearly all
    of whose pages carry the block."""
    site_pages = decision.evidence.get("site_pages", 0)
    enough = decision.evidence["pages"] >= guards.everywhere_share * site_pages
    return site_pages >= guards.everywhere_min_pages and enough
