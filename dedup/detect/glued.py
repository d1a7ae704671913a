"""Glued labels: a site's label and what it introduces, inside the flow of a page without line breaks.

"Filed under: a, b, c" or "Also on <site>: <a title>" glued between two sentences has no line
of its own to show it is furniture. Its label is learned per site where the sentences of such
pages start ("G:" keys among the site's labels); where it comes again, anywhere in the flow, the
label goes with its slot: a list (short items between commas), or words the site shows on other
pages too (a title it links to often). A label with no such slot stays: "He added:" opens a quote.
"""

from __future__ import annotations

import functools
import re
from bisect import bisect_right
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from dedup.config import Glued
from dedup.keys import GLUED, GRAM, MAX_LABEL_WORDS, SEPARATORS, runs_on, slot_words
from dedup.page import Decision, Kind
from dedup.segment import CLOSING_MARKS, SENTENCE_STOPS, Words

LIST_SEPARATORS = frozenset(",،;؛")
_SEPARATOR = re.compile("[" + "".join(map(re.escape, sorted(SEPARATORS))) + "]")


@dataclass(frozen=True)
class Labels:
    """The labels to look for: the site's (label key -> pages), seen on `needed` pages and followed
    by a separator, and the known "read also" prefixes (normalized), which need none."""

    learned: Mapping[str, int]
    needed: int
    known: Sequence[str] = ()
    _known_by_last: dict[str, list[tuple[str, ...]]] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_known_by_last", _by_last_word(tuple(self.known)))

    def may_end_at(self, words: Sequence[str], separated: set[int]) -> list[int]:
        """The words a label may end at, in order: those a separator follows, and the last words
        of the known prefixes."""
        return sorted(separated.union(i for i, w in enumerate(words) if w in self._known_by_last))

    def ending_at(self, words: Sequence[str], i: int, separator: bool) -> tuple[int, int] | None:
        """(first word, pages seen on) of the longest label ending at word i, or None (pages 0:
        a known prefix)."""
        for prefix in self._known_by_last.get(words[i], ()):
            first = i - len(prefix) + 1
            if first >= 0 and tuple(words[first : i + 1]) == prefix:
                return first, 0
        if not separator:
            return None
        for size in range(min(MAX_LABEL_WORDS, i + 1), 0, -1):
            pages = self.learned.get(GLUED + " ".join(words[i - size + 1 : i + 1]), 0)
            if pages >= self.needed:
                return i - size + 1, pages
        return None


@functools.lru_cache(maxsize=16)
def _by_last_word(known: tuple[str, ...]) -> dict[str, list[tuple[str, ...]]]:
    """The known prefixes by their last word, as word tuples: made once for a config's prefixes,
    which every flattened page looks for."""
    by_last: dict[str, list[tuple[str, ...]]] = {}
    for prefix in known:
        by_last.setdefault(prefix.split(" ")[-1], []).append(tuple(prefix.split(" ")))
    return by_last


def detect(
    text: str,
    words: Words,
    end_of_flow: int,
    gram_pages: Sequence[int],
    labels: Labels,
    limits: Glued = Glued(),
) -> list[Decision]:
    """Decisions for the labels in these words of a flow line (`gram_pages`: on how many of the
    site's pages each word 3-gram occurs), each with its slot."""
    decisions = []
    n = len(words.words)
    separated = _separated(text, words, end_of_flow)
    for i in labels.may_end_at(words.words, separated):
        separator = i in separated
        found = labels.ending_at(words.words, i, separator)
        if found is None:
            continue
        first, pages = found
        if pages == 0 and not separator and _inside_sentence(text, words, first):
            continue  # "residents who want to read more about the plan": a sentence's own words
        end = _slot_end(text, words, i + 1, end_of_flow, gram_pages, limits)
        stop_chars = SEPARATORS
        if end == i + 1 and pages == 0:  # "Read more: <a title>." with a known prefix
            end = _sentence_end(text, words, i + 1, end_of_flow, limits.max_slot_words)
            stop_chars = SEPARATORS | SENTENCE_STOPS | CLOSING_MARKS
        if end == i + 1:
            continue  # nothing a label introduces: a quote, a sentence of the article
        stop = _after(text, words.ends[end - 1], words.starts[end] if end < n else end_of_flow, stop_chars)
        label = " ".join(words.words[first : i + 1])
        # A known prefix is shown as the known phrases are: it was seen on no page of the site.
        evidence: dict[str, int | str] = {"label": label, "pages": pages} if pages else {"phrase": label}
        evidence["words"] = end - first
        decisions.append(Decision(words.starts[first], stop, Kind.TEMPLATE, evidence))
    return decisions


def _after(text: str, pos: int, limit: int, chars: frozenset[str] = SEPARATORS) -> int:
    """Past the spaces and `chars` from pos on (not past limit): a span ends before a quote mark
    that opens the next sentence."""
    while pos < limit and (text[pos].isspace() or text[pos] in chars):
        pos += 1
    return pos


def _inside_sentence(text: str, words: Words, i: int) -> bool:
    """Whether word i goes on a sentence: it starts in lower case (a script with cases), and no stop
    or separator stands before it. A capital ("… agencies Read more") or a script without cases
    (a heading run into the next line) may open a label."""
    return text[words.starts[i]].islower() and runs_on(text, words, i)


def _separated(text: str, words: Words, end_of_flow: int) -> set[int]:
    """The words a label separator follows (`_separator_after` of each), from one search for the
    separators: a flow line holds thousands of words and few separators."""
    if not words.words:
        return set()
    found = set()
    for m in _SEPARATOR.finditer(text, words.ends[0], end_of_flow):
        i = bisect_right(words.ends, m.start()) - 1  # the word whose gap holds it
        if m.start() < (words.starts[i + 1] if i + 1 < len(words.words) else end_of_flow):
            found.add(i)
    return found


def _separator_after(text: str, words: Words, i: int, end_of_flow: int) -> bool:
    """Whether a label separator stands between word i and the next."""
    stop = words.starts[i + 1] if i + 1 < len(words.words) else end_of_flow
    return not SEPARATORS.isdisjoint(text[words.ends[i] : stop])


def _slot_end(
    text: str, words: Words, start: int, end_of_flow: int, gram_pages: Sequence[int], limits: Glued
) -> int:
    """The word where a label's slot ends: after a list, or after the words seen on other pages."""
    listed = _list_end(text, words, start, end_of_flow, limits)
    return max(listed, _seen_end(text, words, start, gram_pages, limits))


def _sentence_end(text: str, words: Words, start: int, end_of_flow: int, most: int) -> int:
    """The end of the sentence that starts at `start`, if it ends within `most` words, or `start`."""
    n = len(words.words)
    for i in range(start, min(n, start + most)):
        gap = text[words.ends[i] : words.starts[i + 1] if i + 1 < n else end_of_flow]
        if i + 1 == n or not SENTENCE_STOPS.isdisjoint(gap):
            return i + 1
    return start


def _list_end(text: str, words: Words, start: int, end_of_flow: int, limits: Glued) -> int:
    """The end of short items separated by commas from `start` on ("a, b c, d"), or `start`. The
    last item, with no comma after it, is taken as long as the longest before it."""
    n = len(words.words)
    sizes: list[int] = []
    size = 0
    for i in range(start, min(n, start + limits.max_slot_words)):
        size += 1
        gap = text[words.ends[i] : words.starts[i + 1] if i + 1 < n else end_of_flow]
        if size > limits.max_item_words or not SENTENCE_STOPS.isdisjoint(gap):
            break
        if not LIST_SEPARATORS.isdisjoint(gap):
            sizes.append(size)
            size = 0
    if len(sizes) < limits.min_commas:
        return start
    end = start + sum(sizes)
    for _ in range(max(sizes) if end < n else 0):
        gap = text[words.ends[end] : words.starts[end + 1] if end + 1 < n else end_of_flow]
        end += 1
        if end >= n or not SENTENCE_STOPS.isdisjoint(gap) or not SEPARATORS.isdisjoint(gap):
            break
    return min(end, n)


def _seen_end(text: str, words: Words, start: int, gram_pages: Sequence[int], limits: Glued) -> int:
    """The end of the words from `start` on that word 3-grams seen on other pages of the site cover
    (a title the site links to often), each 3-gram about as often as the first: where two linked
    titles follow each other, the 3-grams across them are seen too, less often. In a script with
    case, a title's words are capitalized: a word in lower case ends it, and the capitalized word
    before that starts the next sentence. Seen words that go on past `max_slot_words` are no title."""
    limit = min(len(words.words), start + limits.max_slot_words + 1)
    if start >= len(gram_pages) or gram_pages[start] < limits.seen_pages:
        return start
    least = max(limits.seen_pages, gram_pages[start] // limits.title_spread)
    covered = [False] * limit
    for k in range(start, min(len(gram_pages), limit)):
        if gram_pages[k] < least:
            break
        for j in range(k, min(k + GRAM, limit)):
            covered[j] = True
    end = start
    while end < limit and covered[end] and not _lower(text, words, end):
        end += 1
    if end < len(words.words) and end > start and _lower(text, words, end) and _upper(text, words, end - 1):
        end -= 1  # "… Beyoran Had the …": "Had" opens the sentence after the title
    # Seen words past a title's length: a paragraph the site shows elsewhere, not a title.
    return end if limits.min_seen_words <= end - start <= limits.max_slot_words else start


def _lower(text: str, words: Words, i: int) -> bool:
    """Whether word i starts with a lower-case letter."""
    return text[words.starts[i]].islower()


def _upper(text: str, words: Words, i: int) -> bool:
    """Whether word i starts with a capital letter."""
    return text[words.starts[i]].isupper()


def phrases(
    text: str,
    words: Words,
    end_of_flow: int,
    gram_pages: Sequence[int],
    needed: int,
    limits: Glued = Glued(),
) -> list[Decision]:
    """Decisions for the short runs of words that `needed` pages of the site carry and that open
    with a label ("Winter appeal: help us keep the lights on"): a banner the site runs for a
    while, glued anywhere in the flow. A sentence the pages of a story share runs longer."""
    decisions = []
    for a, b in _gram_chains(gram_pages, needed):
        inside = gram_pages[a : b - GRAM + 1]  # a phrase's 3-grams are each seen about as often
        pages = min(inside)
        if b - a > limits.max_phrase_words or pages * limits.title_spread < max(inside):
            continue
        ends = range(a, min(a + MAX_LABEL_WORDS, b - limits.min_seen_words))
        label_end = next((i for i in ends if _separator_after(text, words, i, end_of_flow)), None)
        slotted = slot_words(words.words[a:b])
        if label_end is None or _is_pattern(slotted, limits) or set(slotted[: label_end + 1 - a]) == {"0"}:
            continue  # times, dates, little words ("6:15 am", "8 May 1951 – 17 June 2019"): a pattern
        stop = _after(text, words.ends[b - 1], words.starts[b] if b < len(words.words) else end_of_flow)
        label = " ".join(words.words[a : label_end + 1])
        evidence: dict[str, int | str] = {"label": label, "pages": pages, "words": b - a}
        decisions.append(Decision(words.starts[a], stop, Kind.TEMPLATE, evidence))
    return decisions


def _gram_chains(gram_pages: Sequence[int], needed: int) -> list[tuple[int, int]]:
    """(first word, end word) of the words of each chain of overlapping 3-grams, each on `needed`
    pages or more: two phrases side by side are two chains, unless the 3-grams across them are
    frequent too."""
    chains = []
    k, n = 0, len(gram_pages)
    while k < n:
        if gram_pages[k] < needed:
            k += 1
            continue
        j = k
        while j < n and gram_pages[j] >= needed:
            j += 1
        chains.append((k, j - 1 + GRAM))
        k = j
    return chains


def _is_pattern(slotted: Sequence[str], limits: Glued) -> bool:
    """Whether words (numbers and dates as slots) hold too few words of content to be a phrase."""
    return sum(len(w) > 2 and w != "0" for w in slotted) < limits.min_content_words
