"""In-page repeats: teaser cards and paragraphs a scraper duplicated. The first occurrence stays.

Works on word runs, not whole blocks, so a teaser that runs the lead paragraphs together and is
cut mid-word, or a duplicated paragraph glued to a heading, is still found. A copy goes when it
follows its source closely (a scraper's double), when no paragraph follows it (a card closing
the page), or when it stops in the middle of a source block (a truncated teaser); a whole
section that a page repeats in its middle, far from its source, is left alone.

The stretches that copy earlier words come from the Rust core (`dedup._core.repeated_stretches`):
one linear pass over a page's 5-grams, however long the page.
"""

from __future__ import annotations

from array import array
from bisect import bisect_left, bisect_right
from collections import Counter
from collections.abc import Sequence

import numpy as np

from dedup._core import repeated_stretches
from dedup.config import Repeats
from dedup.keys import OPENING_QUOTES
from dedup.page import Block, Decision, Kind
from dedup.segment import CLOSING_MARKS, Words, ends_sentence, outside


def _runs(flags: bytes) -> list[tuple[int, int]]:
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


def _copies(
    stretches: list[tuple[int, int, int]], line_of: Sequence[int], limits: Repeats
) -> list[tuple[int, int, int]]:
    """(start, end, source start) of copies: stretches that copy consecutive parts of one source
    line, with a few differing words between them, are one copy."""
    copies: list[tuple[int, int, int]] = []
    for a, b, src in stretches:
        if b - a < limits.min_run_words:
            continue  # a shared formula ("Law No. … of …"), not a copy
        if copies:
            pa, pb, psrc = copies[-1]
            same_line = line_of[src] == line_of[psrc + (pb - pa) - 1]
            gap = limits.copy_gap_words
            if same_line and a - pb <= gap and abs((src - psrc) - (a - pa)) <= gap:
                copies[-1] = (pa, b, psrc)
                continue
        copies.append((a, b, src))
    return copies


def detect(text: str, blocks: Sequence[Block], words: Words, limits: Repeats = Repeats()) -> list[Decision]:
    """Decisions for the later copies of word runs that the page already said.

    Where a copy stands (near the page's end, after the last paragraph, in a line of its own) is
    judged on what stays: once a teaser card goes, the card's title copied just before it closes
    the page. So copies are judged again without the copies found, until no more are found: the
    cleaned page then holds no copy that cleaning it again would find.
    """
    decisions: list[Decision] = []
    lines = None
    for _ in range(limits.max_rounds):
        stretches = repeated_stretches(words.words, limits.min_run_words)
        if not stretches:  # most pages: nothing to judge
            break
        if lines is None:
            lines = np.fromiter((b.line for b in blocks), np.int64, len(blocks))
        found = _detect_once(text, blocks, lines, _line_words(lines, words, blocks), words, stretches, limits)
        if not found:
            break
        decisions += found
        words = outside(words, [(d.start, d.end) for d in found])
    return decisions


def _line_words(lines: np.ndarray, words: Words, blocks: Sequence[Block]) -> array[int]:
    """For each block, the words of its line among the words given: a line is judged by what
    stays of it."""
    of = np.asarray(_block_of_words(blocks, words), np.int64)
    per_line = np.bincount(lines[of], minlength=int(lines.max(initial=-1)) + 1)
    return array("q", per_line[lines].astype(np.int64).tobytes())


def _detect_once(
    text: str,
    blocks: Sequence[Block],
    lines: np.ndarray,
    line_words: Sequence[int],
    words: Words,
    stretches: list[tuple[int, int, int]],
    limits: Repeats,
) -> list[Decision]:
    """One round: the copies among these words (`line_words`: the words left of each block's line;
    `stretches`: the words' `repeated_stretches`)."""
    block_of = _block_of_words(blocks, words)
    of = np.asarray(block_of, np.int64)
    long = np.flatnonzero(np.asarray(line_words, np.int64)[of] > limits.tail_block_words)
    last_long = int(long[-1]) if len(long) else -1
    n = len(words.words)
    stretches = _from_block_starts(words.words, block_of, stretches, limits.min_run_words)
    line_of = array("q", lines[of].tobytes())
    lead_end, tail_start = limits.lead_share * n, (1 - limits.lead_share) * n
    long_runs = [
        (
            _card_title_start(block_of, a, limits.max_card_title_words) if src <= lead_end else a,
            *_copy_end(words.words, a, b, src, line_of),
        )
        for a, b, src in _copies(stretches, line_of, limits)
        if b - a >= limits.min_run_words
        and words.ends[b - 1] - words.starts[a] >= limits.min_run_chars
        and not _is_layout_repeat(line_words, block_of, a, b, src, a >= tail_start, limits.layout_share)
        and not _quoted_in_sentence(text, words, block_of, a, b, limits.label_words)
        and _is_scraper_copy(words.words, a, b, src, block_of, line_words, last_long, limits)
    ]
    if not long_runs:
        return []
    keep = np.zeros(n, bool)
    sure = np.zeros(n, bool)  # copies that may go from inside a sentence
    for a, b, certain in long_runs:
        keep[a:b] = True
        sure[a:b] |= certain
    # Each block's words [first, last), and how many of them a copy covers.
    starts = np.asarray(words.starts, np.int64)
    firsts = np.searchsorted(starts, np.fromiter((b.start for b in blocks), np.int64, len(blocks)))
    lasts = np.searchsorted(starts, np.fromiter((b.end for b in blocks), np.int64, len(blocks)))
    kept_before = np.concatenate([[0], np.cumsum(keep)])
    covered = kept_before[lasts] - kept_before[firsts]
    decisions = []
    for k in np.flatnonzero(covered).tolist():
        block, first, w = blocks[k], int(firsts[k]), int(lasts[k])
        if covered[k] >= limits.whole_block_share * (w - first):
            decisions.append(Decision(block.start, block.end, Kind.REPEAT, {"words": int(covered[k])}))
            continue
        for a, b in _runs(keep[first:w].tobytes()):
            if (a > 0 or first + b < w) and not sure[first + a : first + b].all():
                # The sentence keeps words beside the copy: a phrase it shares with an earlier
                # one ("after reviewing what His Royal Highness submitted"), not a scraper's copy.
                continue
            start = words.starts[first + a]
            end = block.end if first + b == w else words.starts[first + b]
            decisions.append(Decision(start, end, Kind.REPEAT, {"words": b - a}))
    return decisions


def _from_block_starts(
    words: Sequence[str], block_of: Sequence[int], stretches: list[tuple[int, int, int]], min_words: int
) -> list[tuple[int, int, int]]:
    """`_from_block_start` of every stretch; those it leaves as they are (a copy or source that
    opens a block, a source far before its copy: most of them) are found in one go."""
    if not stretches:
        return []
    a, b, src = np.array(stretches, np.int64).T
    of = np.asarray(block_of, np.int64)
    opens = np.ones(len(of), bool)
    opens[1:] = of[1:] != of[:-1]
    kept = (opens[a] | opens[src] | (src + (b - a) < a)).tolist()
    return [
        s if keep else _from_block_start(words, block_of, *s, min_words)
        for s, keep in zip(stretches, kept, strict=True)
    ]


def _from_block_start(
    words: Sequence[str], block_of: Sequence[int], a: int, b: int, src: int, min_words: int
) -> tuple[int, int, int]:
    """The stretch [a, b) copying the words at src, started where both it and its source start a
    block when both begin with the last few words of another block and the source runs up to the
    copy: a sentence doubled right after one that ends as the line before it does ("… the city of
    Eilat. Misbar found … Eilat. Misbar found …") copies its own source sentence, not the line
    above. Its source then ends before it starts, so it goes on as far as the words go on matching."""
    if _starts_block(block_of, a) or _starts_block(block_of, src) or src + (b - a) < a:
        return a, b, src
    for k in range(1, b - a - min_words + 1):
        if _starts_block(block_of, a + k):
            if not _starts_block(block_of, src + k):
                break
            return a + k, _follow(words, a + k, b, src + k), src + k
    return a, b, src


def _block_of_words(blocks: Sequence[Block], words: Words) -> Sequence[int]:
    """Index of the block each word lies in (the first block that ends after its start)."""
    ends = np.fromiter((b.end for b in blocks), np.int64, len(blocks))
    at = np.searchsorted(ends, np.asarray(words.starts, np.int64), side="right")
    return array("q", np.minimum(at, max(len(blocks) - 1, 0)).astype(np.int64).tobytes())


def _is_layout_repeat(
    line_words: Sequence[int],
    block_of: Sequence[int],
    a: int,
    b: int,
    src: int,
    near_end: bool,
    layout_share: float,
) -> bool:
    """A line of its own that repeats part of a paragraph: a pull quote, or a deck (summary) that
    the paragraph later says in full. Either way the paragraph keeps its words. A line that says a
    short line again in full near the page's end is a teaser card of the lead, not its paragraph."""
    n = b - a
    copy_line, src_line = line_words[block_of[a]], line_words[block_of[src]]
    pull_quote = copy_line <= n + 2 and src_line >= 2 * n
    deck = src_line <= n + 2 and copy_line >= n / layout_share and not near_end
    return pull_quote or deck


def _quoted_in_sentence(
    text: str, words: Words, block_of: Sequence[int], a: int, b: int, label_words: int
) -> bool:
    """Whether the copy [a, b) stands in quotation marks after more than a label's words of its
    sentence: the article names what it quotes ('… لغيديون راخمان بعنوان: "<the title>".'), where a
    card shows a title and its lead's words bare."""
    opened = text[max(0, words.starts[a] - 2) : words.starts[a]].rstrip()[-1:]
    closed = text[words.ends[b - 1] : words.ends[b - 1] + 2].lstrip()[:1]
    own_words = a - bisect_left(block_of, block_of[a])
    return opened in OPENING_QUOTES and closed in CLOSING_MARKS and own_words > label_words


def _is_scraper_copy(
    words: Sequence[str],
    a: int,
    b: int,
    src: int,
    block_of: Sequence[int],
    line_words: Sequence[int],
    last_long: int,
    limits: Repeats,
) -> bool:
    """Whether the copy [a, b) of the words at src follows them closely, is a card (it closes the
    page, or repeats the lead near the page's end), or stops inside a block (truncated)."""
    src_end = src + (b - a)
    n = len(words)
    # The lead: where the page (or a sentence of its lead) starts, not a phrase inside it.
    from_lead = src <= limits.lead_share * n and (
        src <= limits.lead_start_words or _starts_block(block_of, src)
    )
    # A card closes the page (nothing long after it), or repeats the lead near the page's end after
    # its title at most. No card: a sentence of the last paragraph (a line of a paragraph's length,
    # not a flattened page, most of it the paragraph's own words) that the article says again ("The
    # app costs $1.99."); a paragraph that says the lead's words after more of its own (who else
    # resigned), or goes its own way after them (a caption quoting the lead, an official title).
    end = _follow(words, a, b, src)
    own_way = _goes_its_own_way(words, block_of, a, end, src + (end - a), limits)
    said_again = not from_lead and 2 * (b - a) < line_words[block_of[a]] <= limits.max_card_words
    lead_card = (
        from_lead
        and b >= (1 - limits.lead_share) * n
        and _near_block_start(block_of, a, limits.max_card_title_words)
        and not own_way
    )
    card = b - a <= limits.max_card_words and ((last_long < b and not said_again) or lead_card)
    double = a - src_end <= limits.back_to_back_words and b - a <= limits.max_double_words
    # A doubled paragraph ends where a block ends; a sentence quoting the line above does not.
    # Its copy or its source starts a block (behind a label of a few words, at most), or it
    # follows its source word for word (a title doubled as its link): a sentence ending as the
    # one before it did (a verdict restating the claim) copies neither whole.
    whole = _near_block_start(block_of, a, limits.label_words) or _starts_block(block_of, src) or src_end == a
    if card or (double and whole and (b == len(block_of) or _starts_block(block_of, b))):
        return True
    src_end = src + (end - a)
    if src_end >= a:  # the source runs into its copy: a whole double, judged above
        return False
    # A teaser starts where its source block starts (the lead, the title); a pull quote lifted
    # from the middle of a paragraph is the page's own layout.
    cut_mid_word = end > b and words[end - 1] != words[src_end - 1]
    if not _starts_block(block_of, src):
        return False
    stops_inside = block_of[src_end] == block_of[src_end - 1]
    return cut_mid_word or (stops_inside and not own_way)


def _goes_its_own_way(
    words: Sequence[str], block_of: Sequence[int], a: int, end: int, src_end: int, limits: Repeats
) -> bool:
    """Whether a copy [a, end) inside one block is the start of a sentence that goes on with words
    of its own (more than a label's, most of them not in what its source goes on with): a
    sentence that starts as an earlier one does ("He earned a master's from the Staff College in
    1987. He earned a master's from the Staff College in Britain in 1992 …"), not a teaser cut
    short."""
    block = block_of[a]
    if block_of[end - 1] != block:
        return False
    own = words[end : bisect_right(block_of, block)]
    if len(own) <= limits.label_words:
        return False
    source_end = min(bisect_right(block_of, block_of[src_end - 1]), src_end + len(own) + limits.label_words)
    shared = sum((Counter(own) & Counter(words[src_end:source_end])).values())
    return 2 * shared < len(own)


def _copy_end(words: Sequence[str], a: int, b: int, src: int, line_of: Sequence[int]) -> tuple[int, bool]:
    """Where the copy [a, b) of the words at src ends (`_follow`, on the line of its last shared
    word: a reply that quotes a comment goes on with a line of its own), and whether it is a copy
    even inside a sentence: it doubles the words right before it ("X X"), or stops in the middle
    of a word (a truncated teaser). A phrase that two sentences share does neither."""
    end = _follow(words, a, b, src)
    while end > b and line_of[end - 1] != line_of[b - 1]:
        end -= 1
    cut_mid_word = (
        end > b and words[end - 1] != words[src + (end - a) - 1]
    )  # past b, only the cut word differs
    return end, src + (b - a) == a or cut_mid_word


def _follow(words: Sequence[str], a: int, b: int, src: int) -> int:
    """The end of the copy [a, b) past its last shared 5-gram: a teaser may go on a few words,
    then stop mid-word ("…هجومها على" of "…هجومها على داعش"); the cut word is part of it."""
    src_end = src + (b - a)
    while b < len(words) and src_end < a and words[b] == words[src_end]:
        b += 1
        src_end += 1
    if b < len(words) and src_end < a and words[src_end].startswith(words[b]):
        b += 1  # the word cut in the middle
    return b


def _card_title_start(block_of: Sequence[int], a: int, most: int) -> int:
    """Where a copy of the lead starts, with the (at most `most`) words of its card's title glued
    before it."""
    start = a
    while start > 0 and block_of[start - 1] == block_of[a] and a - start < most:
        start -= 1
    return start if start == 0 or block_of[start - 1] != block_of[a] else a


def _near_block_start(block_of: Sequence[int], i: int, label_words: int) -> bool:
    """Whether word i opens its block, or follows the few words (`label_words`) of a label there."""
    return any(_starts_block(block_of, k) for k in range(max(0, i - label_words), i + 1))


def _starts_block(block_of: Sequence[int], i: int) -> bool:
    """Whether word i opens its block (a line, or a sentence)."""
    return i == 0 or block_of[i] != block_of[i - 1]


def repeated_short_lines(text: str, blocks: Sequence[Block], limits: Repeats = Repeats()) -> list[Decision]:
    """Every copy of a whole line of 2 to `max_repeated_line_words` words, not a sentence, that the
    page holds `min_line_repeats` times or more: a button under every comment, not the article's."""
    short = [b for b in blocks if b.whole_line and 2 <= b.words <= limits.max_repeated_line_words]
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
