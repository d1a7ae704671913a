"""Site word runs: furniture glued into the flow of words, on pages without line breaks.

Per site, the model counts on how many distinct pages each word 3-gram occurs (numbers, month
and weekday names as one slot). A run of 3-grams that a large share of the site's pages carry is
furniture; runs chained from the start or the end of the page take the few words between them
(a date, an author's name) along.
"""

from __future__ import annotations

from collections.abc import Sequence

from dedup.config import Runs
from dedup.keys import GRAM, SEPARATORS, runs_on, slot_words
from dedup.normalize import WEEKDAYS
from dedup.page import Decision, Kind
from dedup.segment import Words


def frequent_runs(counts: Sequence[int], needed: int, limits: Runs = Runs()) -> list[tuple[int, int, int]]:
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
            if j - i >= limits.min_run_words:
                runs.append((i, j, min(covered[i:j])))
            i = j
        else:
            i += 1
    return runs


def detect(
    text: str,
    end_of_flow: int,
    words: Words,
    counts: Sequence[int],
    site_pages: int,
    needed: int,
    tail_needed: int,
    limits: Runs = Runs(),
) -> list[Decision]:
    """Decisions for the runs of words that at least `needed` pages of the site carry, and for the
    furniture at the page's edges: runs that `tail_needed` pages carry, chained from the page's
    start or end (a date, a reporter's name between them). The head chain holds a run of `needed`
    pages, and ends with one: a house-style opener that a minority of pages start with is the
    article's. A tail chain that starts inside a sentence needs a run of `needed` pages: common
    wording alone there is the article's last sentence, cut off where a scraper truncated the page."""
    n = len(words.words)
    strong, weak = frequent_runs(counts, needed, limits), frequent_runs(counts, tail_needed, limits)
    if not strong and not weak:
        return []  # no run of the site's: the flow's thousand words are not slotted
    slotted = slot_words(words.words)
    # Little words ("the the of", "its the the") run together on many pages of any site.
    strong = [r for r in strong if not _little(slotted[r[0] : r[1]], limits)]
    weak = [r for r in weak if not _little(slotted[r[0] : r[1]], limits)]
    spans = []
    anchor_of: dict[tuple[int, int], int] = {}
    # The head chain starts at the page's start, or after its title: the first run within
    # `title_words` words opens it ("<title> Article Information Author, <name> Role, ...").
    opens = weak[0][0] if weak and limits.edge_gap < weak[0][0] <= limits.title_words else 0
    head = _chain(weak, range(len(weak)), opens, limits.edge_gap)
    if head is not None:
        # It ends where a run of `needed` pages ends, chained from the start itself or long: the
        # lead's first words follow the furniture often enough ("… LinkedIn X The …") to be a
        # weak run's last words; little words ("its the the") make short runs of any count.
        strong_head = _chain(strong, range(len(strong)), 0, limits.edge_gap)
        anchors = [(b, pages) for a, b, pages in strong if a < head[1] and _anchors(slotted[a:b], limits)]
        ends = [b for b, _ in anchors] + ([strong_head[1]] if strong_head is not None else [])
        end = _lead_opened(slotted, head[0], max(ends, default=0), limits)
        if end > head[0]:
            spans.append((head[0], end, head[2]))
            # The chain's weakest run may be a rarer label ("Article Information Author"); the
            # run it ends with is the head's own evidence.
            anchor = max((pages for b, pages in anchors if b <= end), default=0)
            if anchor > head[2]:
                anchor_of[head[0], end] = anchor
    tail = _chain(weak, range(len(weak) - 1, -1, -1), n, limits.edge_gap)
    if tail is not None and (any(tail[0] <= a for a, _, _ in strong) or not runs_on(text, words, tail[0])):
        spans.append(tail)
    taken = [(a, b) for a, b, _ in spans]
    spans += [
        r
        for r in strong
        if r[1] - r[0] >= limits.min_inner_run_words and not any(a <= r[0] < b for a, b in taken)
    ]
    decisions = []
    for a, b, pages in sorted(spans):
        if sum(len(w) > 2 for w in slotted[a:b]) < limits.min_content_words:
            continue  # dates and little words ("في 3 يوليو 2013 في"): a pattern, not furniture
        end = words.starts[b] if b < n else end_of_flow
        evidence = {"pages": pages, "site_pages": site_pages, "words": b - a}
        if (a, b) in anchor_of:
            evidence["anchor_pages"] = anchor_of[a, b]
        decisions.append(Decision(words.starts[a], end, Kind.SITE_BOILERPLATE, evidence))
    return decisions


def head_pairs(
    text: str,
    end_of_flow: int,
    words: Words,
    at: Sequence[int],
    pages: Sequence[int],
    site_pages: int,
    needed: int,
) -> list[Decision]:
    """Decisions for the pairs of words in the head of a page without line breaks that no sentence
    of an article makes (`keys.head_pairs`: at positions `at`), where `needed` pages of the site
    carry them there (`pages`, per pair): a date line's label ("<date> <time> كتب:", the date's
    slots before it with it), a photo credit ("تصوير : آخرون"), font buttons ("A A"). This is
    furniture of one or two words between the page's own title, byline and caption, which no
    word 3-gram of the site's anchors."""
    frequent = [i for i, n in zip(at, pages, strict=True) if n >= needed]
    if not frequent:
        return []
    slotted = slot_words(words.words)
    decisions = []
    k = 0
    while k < len(frequent):
        j = k + 1
        while j < len(frequent) and frequent[j] == frequent[j - 1] + 1:  # overlapping pairs
            j += 1
        first, last = frequent[k], frequent[j - 1] + 2
        # A date goes with the label it opens ("Tuesday 26-05-2026 21:58 By:", back to its weekday,
        # not to a title's year before it) or that introduces it ("النشر: 26.05.2026").
        while (
            slotted[first] == "0"
            and first > 0
            and slotted[first - 1] == "0"
            and words.words[first] not in WEEKDAYS
        ):
            first -= 1
        slot = slotted[last - 1] == "0" or _label_ends(text, words, last - 1)
        while slot and last < len(slotted) and slotted[last] == "0":
            last += 1
        end = words.starts[last] if last < len(words.words) else end_of_flow
        least = min(n for i, n in zip(at, pages, strict=True) if frequent[k] <= i < last - 1)
        evidence = {"pages": least, "site_pages": site_pages, "words": last - first}
        decisions.append(Decision(words.starts[first], end, Kind.SITE_BOILERPLATE, evidence))
        k = j
    return decisions


def _label_ends(text: str, words: Words, i: int) -> bool:
    """Whether a label's separator follows word i."""
    stop = words.starts[i + 1] if i + 1 < len(words.words) else len(text)
    return not SEPARATORS.isdisjoint(text[words.ends[i] : stop])


def _anchors(words: Sequence[str], limits: Runs) -> bool:
    """Whether a run of `needed` pages is long enough, and made of enough words that are no slot,
    to end a head chain (not a date: "Monday 25 May 2026")."""
    content = sum(len(w) > 2 and w != "0" for w in words)
    return len(words) >= limits.min_anchor_words and content >= limits.min_content_words


def _lead_opened(slotted: Sequence[str], start: int, end: int, limits: Runs) -> int:
    """Where a head chain ends once a little word and the slots after it are given back: they open
    the lead ("... مدة القراءة: 6 دقائق في مارس/آذار الماضي"), a run of any site can end with them."""
    k = end
    while k > start and slotted[k - 1] == "0":
        k -= 1
    return k - 1 if k < end and k - 1 > start and _little(slotted[k - 1 : k], limits) else end


def _little(words: Sequence[str], limits: Runs) -> bool:
    """Whether these words are all little words: none has `little_chars` letters or more, none is
    a number or a date's name."""
    return all(len(w) < limits.little_chars and w != "0" for w in words)


def _chain(
    runs: list[tuple[int, int, int]], order: range, edge: int, gap: int
) -> tuple[int, int, int] | None:
    """(start, end, fewest pages) of the runs chained from a page edge, each at most `gap` words
    from the edge or the previous one, with the words between them; None if none is."""
    forward = order.step > 0
    pos, pages, taken = edge, 0, False
    for idx in order:
        a, b, count = runs[idx]
        if (a - pos if forward else pos - b) > gap:
            break
        pos = b if forward else a
        pages = min(pages, count) if taken else count
        taken = True
    if not taken:
        return None
    return (edge, pos, pages) if forward else (pos, edge, pages)


def may_edge_run(counts: Sequence[int], needed: int, at_start: bool) -> bool:
    """Whether a line whose 3-grams `counts` pages carry may start (or end) with a run of `needed`
    pages (`edge_run`), before its words are read."""
    if not counts or counts[0 if at_start else -1] < needed:
        return False  # the line's first (last) word is in no 3-gram frequent enough
    return min(counts) < max(needed, 1)  # else the whole line is the run: no words of its own


def edge_run(
    words: Words, counts: Sequence[int], needed: int, at_start: bool, limits: Runs = Runs()
) -> tuple[int, int, int] | None:
    """(first word, end word, fewest pages) of the run of `needed` pages that a line starts with
    (or ends with), leaving words of the line after it (or before it); None if there is none."""
    if not may_edge_run(counts, needed, at_start):
        return None
    n = len(words.words)
    for a, b, pages in frequent_runs(counts, needed, limits):
        if (a != 0 if at_start else b != n) or b - a == n or b - a < limits.min_edge_run_words:
            continue
        if sum(len(w) > 2 and w != "0" for w in slot_words(words.words[a:b])) >= limits.min_content_words:
            return a, b, pages
    return None
