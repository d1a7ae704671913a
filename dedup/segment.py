"""Page text -> blocks with offsets: lines, and the sentences of long lines; words with offsets."""

from __future__ import annotations

import functools
from array import array
from collections.abc import Sequence
from operator import attrgetter
from typing import NamedTuple

import numpy as np
import regex

from dedup._core import CharTable, words_outside
from dedup._core import hashed_segment as core_hashed_segment
from dedup._core import segment as core_segment
from dedup.normalize import (
    NO_SPACE_CHAR,
    SLOT_WORDS,
    Folded,
    bmp_chars,
    key_words,
    machine_ints,
    matched,
    one_char_forms,
    shape,
)
from dedup.page import Block

_LINE = regex.compile(r"[^\n]*\n|[^\n]+$")
SENTENCE_STOPS = frozenset(".!?؟…。")  # what ends a sentence
CLOSING_MARKS = frozenset("\"'”’»)]")  # quotes and brackets closing a sentence, before or after its stop
_STOPS = regex.escape("".join(sorted(SENTENCE_STOPS)))
_CLOSING = regex.escape("".join(sorted(CLOSING_MARKS)))
# A sentence ends at a stop (closing marks allowed), followed by spaces or by a letter glued on
# ("…the source.Share", maybe behind a bidi mark); not inside a number ("3.5"). A lowercase Latin
# letter right after a dot is a domain or an e-mail ("pic.twitter.com"), not a new sentence.
_SENTENCE_END = regex.compile(rf"[{_STOPS}]+[{_CLOSING}]*(?:\s+|(?=\p{{Cf}}*(?![a-z])\p{{L}}))")
_ENDS_HERE = regex.compile(rf"[{_CLOSING}]*[{_STOPS}]+[{_CLOSING}]*(?:\s|$)")
_TOKEN = regex.compile(r"\w+")
_line_words = attrgetter("line_words")
# A dot after these words shortens the word, it does not end the sentence ("Dr. Ali", "the U.S.
# are", "p. ex.", "د. أحمد"): capital initials, dotted initials, Arabic titles and these words
# (a lowercase "a." or "I." ends sentences).
_ABBREVIATION_WORDS = (
    "mr mrs ms dr prof sr jr st mt gen gov sen rep lt col capt sgt cmdr adm rev hon pres vs ca "
    "approx dept univ inc ltd co corp jan feb mar apr jun jul aug sep sept oct nov dec mme mlle mm "
    "pr me ste cf env ex av bd"
)
# These shorten a word before a number ("No. 5", "p. 12", "p. ex."); elsewhere "no." is a word.
NUMBER_ABBREVIATIONS = frozenset({"no", "nos", "p", "pp", "fig", "vol", "art", "ch", "sec"})
ARABIC_ABBREVIATIONS = frozenset("دأصقجم")  # doctor, professor, page, century, part, engineer
ABBREVIATIONS = frozenset(_ABBREVIATION_WORDS.split())
_OPENING_MARKS = "(\"'«“"  # what may open a word before its abbreviation's dot
_ABBREVIATION_CHARS = 6  # the longest word above

Segmented = tuple[Folded, list[Block]]  # a page folded once, and its blocks from that folding
NO_LINE = 10**9  # a line number past every page's lines: where a page has no such line
FLOW_LINE_WORDS = 100  # with most of the page's words, a line this long is a page that lost its breaks


def line_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of every line, the line break included in the span."""
    return [m.span() for m in _LINE.finditer(text)]


def ends_sentence(text: str, start: int = 0, end: int | None = None) -> bool:
    """Whether text[start:end] ends as a sentence does: at a stop, maybe behind closing quotes or
    brackets (looked at from its end, without a copy of the span)."""
    i = (len(text) if end is None else end) - 1
    while i >= start and text[i].isspace():
        i -= 1
    while i >= start and text[i] in CLOSING_MARKS:
        i -= 1
    return i >= start and text[i] in SENTENCE_STOPS


def ends_with_full_stop(text: str) -> bool:
    """Ends with one full stop: not an ellipsis "..", which titles use, nor an abbreviation's dot
    ("… stealing cocaine in B.C."); a title may end with "!" or "?", a sentence of prose seldom does."""
    end = text.rstrip()
    return end.endswith(".") and not end.endswith("..") and not abbreviation_dot(end, 0, len(end) - 1)


def ends_sentence_at(text: str, at: int) -> bool:
    """Whether a sentence ends right at `at` (the end of a word): a stop, maybe with closing
    marks, then a space or the end of the text."""
    return _ENDS_HERE.match(text, at) is not None


def sentence_spans(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """(start, end) of the sentences of text[start:end]; trailing spaces stay with each sentence."""
    spans = []
    pos = start
    for m in _SENTENCE_END.finditer(text, start, end):
        if m.end() > pos and m.end() < end and not abbreviation_dot(text, start, m.start()):
            spans.append((pos, m.end()))
            pos = m.end()
    if pos < end:
        spans.append((pos, end))
    return spans


def abbreviation_dot(text: str, start: int, dot: int) -> bool:
    """Whether the single dot at `dot` closes an abbreviation (see ABBREVIATIONS), not a sentence;
    `start` is where the text may be looked back to."""
    if text[dot] != "." or text[dot + 1 : dot + 2] in SENTENCE_STOPS:
        return False  # "...", "U.S.?": a stop after the dot ends the sentence
    before = text[max(start, dot - _ABBREVIATION_CHARS - 2) : dot]
    if not before or before[-1].isspace():
        return False
    word = before.split()[-1].lstrip(_OPENING_MARKS)
    if word.isalpha():
        after = text[dot + 1 : dot + 5].lstrip()
        if word.lower() in NUMBER_ABBREVIATIONS and (after[:1].isdigit() or after[:2] == "ex"):
            return True
        if len(word) == 1 and word not in "aAI" and (word.isupper() or word in ARABIC_ABBREVIATIONS):
            return True
        return len(word) <= _ABBREVIATION_CHARS and word.lower() in ABBREVIATIONS
    # Dotted initials: "U.S", "e.g", "i.e", "أ.د"
    parts = word.split(".")
    return len(parts) > 1 and all(len(p) == 1 and p.isalpha() for p in parts)


def segment(text: str, folded: Folded | None = None) -> list[Block]:
    """The blocks of a page, in order: lines cut into sentences; blank lines are not blocks.

    Sentences, because real scrapes often hold a whole article, or an article with its
    furniture glued on, in one line. A page whose folding took the fast path is cut by the Rust
    core, as `segment_here` cuts it.
    """
    folded = folded or Folded(text)
    if not folded.fast:
        return segment_here(text, folded)
    kept, positions = folded.kept_span(0, len(text))
    return core_segment(char_table(), text, kept, positions, Block)


def hashed_segment(text: str, folded: Folded) -> tuple[list[Block], tuple[int, int] | None]:
    """`segment`, with the (exact, masked) hashes of the page key its blocks make
    (`dedup.duplicates.segmented_key_hashes`) where the Rust core cut the page from keys it made
    itself; else None."""
    if not folded.fast:
        return segment_here(text, folded), None
    kept, positions = folded.kept_span(0, len(text))
    return core_hashed_segment(char_table(), text, kept, positions, Block)


def segment_here(text: str, folded: Folded) -> list[Block]:
    """`segment` in Python: for a page whose folding took the slow path (a character past the
    BMP, a lone surrogate), and as the reference of the Rust core's."""
    blocks: list[Block] = []
    for line_no, (start, end) in enumerate(line_spans(text)):
        pieces = sentence_spans(text, start, end)
        if len(pieces) == 1:
            key = folded.key(start, end)
            if key:
                words = key_words(key)
                blocks.append(Block(start, end, key, line_no, True, words, words, shape(key)))
            continue
        if not folded.fast and not (line_key := folded.key(start, end)):
            continue
        keyed = [(s, e, k, key_words(k)) for s, e in pieces if (k := folded.key(s, e))]
        # Sentences end at punctuation or spaces, which fold to spaces: the line's words are its
        # sentences' words, without keying the line as well.
        line_words = key_words(line_key) if not folded.fast else sum(n for *_, n in keyed)
        blocks += [Block(s, e, k, line_no, False, line_words, n, shape(k)) for s, e, k, n in keyed]
    return blocks


# The character classes the Rust core reads: bit numbers as in rust/src/segment.rs.
_SPACE, _REGEX_SPACE, _FORMAT, _LETTER, _ALPHA, _UPPER, _DIGIT = (1 << i for i in range(7))
_STOP, _CLOSING, _NO_SPACE, _ARABIC_ABBREVIATION, _OPENING, _REGEX_DIGIT, _REGEX_WORD = (
    1 << i for i in range(7, 14)
)


@functools.cache
def char_table() -> CharTable:
    """The classes of every BMP character, by the str methods and regex classes the code above
    uses, and each one's `lower()` where that is one ASCII character (made once a process; a
    process about to fork workers makes it first)."""
    codes, chars = bmp_chars()
    flags = np.zeros(0x10000, np.uint16)
    for flag, test in (
        (_SPACE, str.isspace),
        (_ALPHA, str.isalpha),
        (_UPPER, str.isupper),
        (_DIGIT, str.isdigit),
    ):
        flags[codes[np.fromiter(map(test, chars), bool, len(chars))]] |= flag
    for flag, marks in (
        (_STOP, SENTENCE_STOPS),
        (_CLOSING, CLOSING_MARKS),
        (_ARABIC_ABBREVIATION, ARABIC_ABBREVIATIONS),
        (_OPENING, _OPENING_MARKS),
    ):
        flags[[ord(mark) for mark in marks]] |= flag
    for flag, pattern in (
        (_REGEX_SPACE, r"\s"),
        (_FORMAT, r"\p{Cf}"),
        (_LETTER, r"\p{L}"),
        (_NO_SPACE, NO_SPACE_CHAR),
        (_REGEX_DIGIT, r"\d"),
        (_REGEX_WORD, r"\w"),
    ):
        flags[codes[matched(regex.compile(pattern), chars)]] |= flag
    lower = np.zeros(0x10000, np.uint8)
    lows = one_char_forms([c.lower() for c in chars])
    ascii_ = lows < 0x80
    lower[codes[ascii_]] = lows[ascii_]
    return CharTable(
        flags.astype("<u2").tobytes(),
        lower.tobytes(),
        set(ABBREVIATIONS),
        set(NUMBER_ABBREVIATIONS),
        set(SLOT_WORDS),
    )


class Words(NamedTuple):
    """The normalized words of a text, each with the span of the original token it came from. A
    tuple, like `Block`: a page makes several."""

    words: list[str]
    starts: array[int]  # array("q"): machine integers
    ends: array[int]


def words_with_offsets(
    text: str, start: int = 0, end: int | None = None, folded: Folded | None = None
) -> Words:
    """Tokenize text[start:end] into normalized words that keep their original offsets (`folded`,
    the whole text's Folded, when the caller has it: the span is not folded again)."""
    end = len(text) if end is None else end
    base = 0  # where the folded text starts in `text`
    if folded is None:
        folded, base = Folded(text[start:end]), start
    fast = folded.words(start - base, end - base)
    if fast is not None:
        words, token_starts, token_ends = fast
        if base:
            token_starts, token_ends = _shifted(token_starts, base), _shifted(token_ends, base)
        return Words(words, token_starts, token_ends)
    out_words: list[str] = []
    starts = array("q")
    ends = array("q")
    for m in _TOKEN.finditer(text, start, end):
        for w in folded.key(m.start() - base, m.end() - base).split():
            out_words.append(w)
            starts.append(m.start())
            ends.append(m.end())
    return Words(out_words, starts, ends)


def _shifted(offsets: array[int], by: int) -> array[int]:
    """Offsets moved by `by`, as machine integers."""
    out = array("q")
    out.frombytes((np.frombuffer(offsets, np.int64) + by).tobytes())
    return out


def outside(words: Words, spans: Sequence[tuple[int, int]]) -> Words:
    """The words that start outside every (start, end) span."""
    if not spans or not words.words:
        return words
    kept, starts, ends = words_outside(words.words, words.starts, words.ends, spans)
    return Words(kept, machine_ints(starts), machine_ints(ends))


def flow_lines(blocks: Sequence[Block]) -> dict[int, tuple[int, int]]:
    """Line number -> (start, end) of the lines that hold most of the page: a page that lost its
    line breaks."""
    if max(map(_line_words, blocks), default=0) < FLOW_LINE_WORDS:
        return {}  # most pages: no line that long
    lines: dict[int, tuple[int, int, int]] = {}  # line -> (start, end, words)
    for b in blocks:
        start = lines[b.line][0] if b.line in lines else b.start
        lines[b.line] = (start, b.end, b.line_words)
    total = sum(words for _, _, words in lines.values())
    flat = {line for line, (_, _, words) in lines.items() if words >= FLOW_LINE_WORDS and 2 * words >= total}
    return {line: lines[line][:2] for line in flat}


def long_lines(blocks: Sequence[Block], short_words: int) -> tuple[int, int]:
    """Line numbers of a page's first and last long line; a page of short lines is all head."""
    lines = [b.line for b in blocks if b.line_words > short_words]
    return (lines[0], lines[-1]) if lines else (NO_LINE, NO_LINE)
