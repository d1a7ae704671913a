"""Site word runs: furniture glued into the flow of words, on pages without line breaks.

Per site, the model counts on how many distinct pages each word 3-gram occurs (numbers, month
and weekday names as one slot). A run of 3-grams that a large share of the site's pages carry is
furniture; runs chained from the start or the end of the page take the few words between them
(a date, an author's name) along.
"""

from __future__ import annotations

from collections.abc import Sequence

import xxhash

from dedup.detect.templates import SLOT_WORDS
from dedup.fingerprint import utf8
from dedup.page import Decision
from dedup.segment import Words

GRAM = 3
EDGE_GAP = 4  # words between two edge runs that go with them (a date, an author's name)
MIN_RUN_WORDS = 3
MIN_INNER_RUN_WORDS = 6
MIN_CONTENT_WORDS = 3  # words of 3 letters or more, slots aside


def slot_words(words: Sequence[str]) -> list[str]:
    """Words with numbers, month and weekday names replaced by one slot word."""
    # A word of letters only holds no digit: most words are told apart without a look at each letter.
    return [
        "0" if w in SLOT_WORDS or (not w.isalpha() and any(map(str.isdigit, w))) else w for w in words
    ]


def gram_hashes(words: Sequence[str]) -> list[int]:
    """A positive 63-bit hash of every word 3-gram (GRAM words), in order."""
    slotted = slot_words(words)
    hash_ = xxhash.xxh3_64_intdigest
    triples = zip(slotted, slotted[1:], slotted[2:], strict=False)
    return [hash_(utf8(f"{a} {b} {c}")) >> 1 for a, b, c in triples]


def frequent_runs(counts: Sequence[int], needed: int) -> list[tuple[int, int, int]]:
    """(first word, end word, fewest pages) of maximal runs of words covered by frequent 3-grams."""
    covered = [0] * (len(counts) + GRAM - 1) if counts else []
    for i, c in enumerate(counts):
        if c >= needed:
            for k in range(i, i + GRAM):
                covered[k] = max(covered[k], c) if covered[k] else c
    runs = []
    i = 0
    while i < len(covered):
        if covered[i]:
            j = i
            while j < len(covered) and covered[j]:
                j += 1
            if j - i >= MIN_RUN_WORDS:
                runs.append((i, j, min(covered[i:j])))
            i = j
        else:
            i += 1
    return runs


def detect(
    end_of_flow: int, words: Words, counts: Sequence[int], site_pages: int, needed: int, tail_needed: int
) -> list[Decision]:
    """Decisions for the runs of words that at least `needed` pages of the site carry, or, chained
    from the page's end (where the furniture of a flattened page gathers), `tail_needed` pages."""
    n = len(words.words)
    strong = frequent_runs(counts, needed)
    head = _chain(strong, range(len(strong)), 0)
    spans = [_span(strong, head, i, n) if i in head else strong[i] for i in range(len(strong))]
    spans = [s for i, s in enumerate(spans) if i in head or s[1] - s[0] >= MIN_INNER_RUN_WORDS]
    weak = frequent_runs(counts, tail_needed)
    tail = _chain(weak, range(len(weak) - 1, -1, -1), n)
    spans += [_span(weak, tail, i, n) for i in sorted(tail)]
    slotted = slot_words(words.words)
    decisions = []
    for a, b, pages in spans:
        if sum(len(w) > 2 for w in slotted[a:b]) < MIN_CONTENT_WORDS:
            continue  # dates and little words ("في 3 يوليو 2013 في"): a pattern, not furniture
        end = words.starts[b] if b < n else end_of_flow
        evidence = {"pages": pages, "site_pages": site_pages, "words": b - a}
        decisions.append(Decision(words.starts[a], end, "site-boilerplate", evidence))
    return decisions


def _chain(runs: list[tuple[int, int, int]], order: range, edge: int) -> set[int]:
    """Runs chained from a page edge, each at most EDGE_GAP words from the edge or the previous."""
    forward = order.step > 0
    taken: set[int] = set()
    pos = edge
    for idx in order:
        a, b, _ = runs[idx]
        if (a - pos if forward else pos - b) > EDGE_GAP:
            break
        taken.add(idx)
        pos = b if forward else a
    return taken


def _span(runs: list[tuple[int, int, int]], taken: set[int], idx: int, n: int) -> tuple[int, int, int]:
    """An edge run with the short gaps that separate it from the page edge or its edge neighbours."""
    a, b, pages = runs[idx]
    prev_end = runs[idx - 1][1] if idx > 0 else 0
    if (idx == 0 or idx - 1 in taken) and a - prev_end <= EDGE_GAP:
        a = prev_end
    next_start = runs[idx + 1][0] if idx + 1 < len(runs) else n
    if (idx + 1 == len(runs) or idx + 1 in taken) and next_start - b <= EDGE_GAP:
        b = next_start
    return a, b, pages
