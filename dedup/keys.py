"""The keys a page is counted and compared by, besides its blocks' keys and shapes: label prefixes,
word 3-gram hashes, and the normalized keys of lines and of whole pages."""

from __future__ import annotations

import functools
import re
from bisect import bisect_right
from collections.abc import Collection, Iterable, Mapping, Sequence
from itertools import groupby
from operator import attrgetter

import numpy as np
import regex
import xxhash

from dedup._core import gram_counts as core_gram_counts
from dedup._core import gram_hashes as core_gram_hashes
from dedup._core import line_keys as core_line_keys
from dedup._core import slotted_words as core_slotted_words
from dedup.fingerprint import utf8
from dedup.normalize import SLOT, SLOT_WORDS, Folded, shape
from dedup.page import Block
from dedup.segment import CLOSING_MARKS, SENTENCE_STOPS, Words, char_table

# A label and its separator at the start of a short line: "Tags:", "اقرأ أيضا:", "READ MORE |".
_LABEL = regex.compile(r"^\W*([^:|»›–—]{1,40}?)\s*[:|»›–—]")
SEPARATORS = frozenset(":|»›–—")  # what stands between a label and its slot
_SEPARATOR = re.compile(r"[:|»›–—]")  # a line without one has no label: ruled out in one scan
OPENING_QUOTES = frozenset("\"'«“‘„")  # what opens a quotation after a speech verb
MAX_TEMPLATE_WORDS = 16
MAX_LABEL_WORDS = 4
GRAM = 3  # words of the 3-grams counted per site
GLUED = "G:"  # a label key learned at a sentence start in a flattened page


def label_prefix(raw_line: str, n_words: int) -> str | None:
    """`P:<label>` for a short line that starts with a label and a separator, else None."""
    span = label_span(raw_line, 0, len(raw_line), n_words)
    return None if span is None else label_key(raw_line[span[0] : span[1]])


def label_span(text: str, start: int, end: int, n_words: int) -> tuple[int, int] | None:
    """(start, end) in `text` of the label that opens text[start:end], a line of `n_words` words
    (`label_prefix`), or None."""
    if n_words > MAX_TEMPLATE_WORDS or not _SEPARATOR.search(text, start, end):
        return None
    m = _LABEL.match(text[start:end])
    return None if m is None else (start + m.start(1), start + m.end(1))


@functools.lru_cache(maxsize=4096)
def label_key(label_text: str) -> str | None:
    """`P:<label>` for the text of a label, None where it is no label: a site's labels come back
    page after page, so each is normalized once (folded by the core: `normalize`'s key, faster)."""
    label = page_key(label_text)
    if not label or label.count(" ") + 1 > MAX_LABEL_WORDS or shape(label) == SLOT:
        return None
    return "P:" + label


def opens_quote(raw_line: str) -> bool:
    """Whether a label's slot opens with a quotation mark ('وأضاف: «…»', 'He said: "…"')."""
    return _slot(raw_line)[:1] in OPENING_QUOTES


def quote_unbalanced(raw_line: str) -> bool:
    """Whether a label's slot opens a quotation it does not close, or closes one it did not open
    ('وأضاف: «… الفريق..', 'فقال: … ألعب به"؛ فاشترى له …!'): a quotation that spans sentences."""
    slot = _slot(raw_line)
    return slot.count('"') % 2 == 1 or any(slot.count(a) != slot.count(b) for a, b in ("«»", "“”"))


def _slot(raw_line: str) -> str:
    """What follows a line's label and its separator ("" without a label)."""
    m = _LABEL.match(raw_line)
    return raw_line[m.end() :].lstrip() if m else ""


def slot_words(words: Sequence[str]) -> list[str]:
    """Words with numbers, month and weekday names replaced by one slot word (by the Rust core, but
    for words with a character past the BMP or a lone surrogate)."""
    slotted = core_slotted_words(char_table(), list(words))
    if slotted is not None:
        return slotted
    # A word of letters only holds no digit: most words are told apart without a look at each letter.
    return [SLOT if w in SLOT_WORDS or (not w.isalpha() and any(map(str.isdigit, w))) else w for w in words]


def gram_hashes(words: Sequence[str]) -> list[int]:
    """A positive 63-bit hash of every word 3-gram (GRAM words), in order (by the Rust core, but
    for words with a character past the BMP or a lone surrogate)."""
    hashed = core_gram_hashes(char_table(), list(words))
    if hashed is not None:
        hashes: list[int] = np.frombuffer(hashed, "<u8").tolist()
        return hashes
    slotted = slot_words(words)
    hash_ = xxhash.xxh3_64_intdigest
    triples = zip(slotted, slotted[1:], slotted[2:], strict=False)
    return [hash_(utf8(f"{a} {b} {c}")) >> 1 for a, b, c in triples]


def gram_counts(words: Sequence[str], counts: Mapping[int, int], salt: int = 0) -> list[int]:
    """The pages `counts` (a site's: 3-gram hash -> pages) holds for each `gram_hashes` hash of the
    words, XOR `salt`, 0 where it holds none (by the Rust core, where `gram_hashes` is)."""
    if isinstance(counts, dict):
        found = core_gram_counts(char_table(), list(words), counts, salt)
        if found is not None:
            return found
    return [counts.get(h ^ salt, 0) for h in gram_hashes(words)]


def head_pairs(text: str, words: Words) -> list[int]:
    """The positions i of the pairs of words i, i + 1 that no sentence of an article makes: a
    label's separator between them ("تصوير : آخرون") or after them (a label: "تاريخ النشر:",
    "21:58 كتب:"), or two single letters alone ("A A", font buttons)."""
    slotted = slot_words(words.words)
    n = len(slotted)
    letter = [len(w) == 1 and w != SLOT for w in slotted] + [False]  # a single letter
    # Whether a label's separator stands after word i, not inside a time or a date ("21:58"): from
    # one search for the separators, which few gaps hold.
    separated = [False] * (n + 1)
    if n:
        for m in _SEPARATOR.finditer(text, words.ends[0], words.starts[-1]):
            i = bisect_right(words.ends, m.start()) - 1  # the word whose gap holds it
            if m.start() < words.starts[i + 1] and not slotted[i] == slotted[i + 1] == SLOT:
                separated[i] = True
    found = []
    for i in range(n - 1):
        if letter[i] and letter[i + 1]:
            # Buttons, not letters that start or end a sentence next to them ("A A A man")
            if not ((i > 0 and letter[i - 1]) or letter[i + 2]):
                found.append(i)
        elif separated[i] or separated[i + 1]:
            found.append(i)
    return found


def pair_hashes(words: Sequence[str], at: Sequence[int]) -> list[int]:
    """A positive 63-bit hash of the pair of words at each position (slots as in `gram_hashes`)."""
    hash_ = xxhash.xxh3_64_intdigest
    return [hash_(utf8(" ".join(slot_words(words[i : i + 2])))) >> 1 for i in at]


def runs_on(text: str, words: Words, i: int) -> bool:
    """Whether word i goes on the sentence of the word before it: no stop, separator or line break
    stands between them."""
    if i == 0:
        return False
    gap = text[words.ends[i - 1] : words.starts[i]]
    return "\n" not in gap and (SENTENCE_STOPS | SEPARATORS | CLOSING_MARKS).isdisjoint(gap)


def glued_labels(text: str, blocks: Iterable[Block], flow_lines: Collection[int]) -> dict[str, Block]:
    """The label keys at the sentence starts of a page's flow lines (a page without line breaks),
    each with the first sentence that starts with it."""
    keys: dict[str, Block] = {}
    for b in blocks:
        if b.line in flow_lines and (label := label_prefix(text[b.start : b.end], 0)) is not None:
            keys.setdefault(GLUED + label[2:], b)
    return keys


def page_key(text: str) -> str:
    """The normalized text of a whole page."""
    return Folded(text).key(0, len(text))


def segmented_page_key(text: str, folded: Folded, blocks: Sequence[Block]) -> str:
    """`page_key` of a page folded and segmented already: where its folding is fast, its blocks'
    keys, one space between (its lines' keys joined are its key, and a line's key is its blocks')."""
    return " ".join([b.key for b in blocks]) if folded.fast else folded.key(0, len(text))


def block_line_keys(blocks: Sequence[Block]) -> list[str]:
    """`line_keys` of a page whose folding is fast, from its blocks (`segment`): a line's key is
    its sentences' keys, one space between (a sentence's cut follows marks or spaces, which fold
    to spaces)."""
    # A line's blocks come together, in order: each line joined once, a huge line too.
    return [" ".join([b.key for b in line]) for _, line in groupby(blocks, attrgetter("line"))]


def line_keys(text: str, folded: Folded | None = None) -> list[str]:
    """The normalized keys of a text's lines (empty ones left out): a page is shingled line by line,
    so that no shingle joins the end of its furniture to the start of its article (`folded`, the
    text's Folded, when the caller has it)."""
    folded = folded or Folded(text)
    if folded.fast:
        return core_line_keys(char_table(), text, *folded.kept_span(0, len(text)))
    keys, start = [], 0
    for line in text.split("\n"):
        end = start + len(line)
        if key := folded.key(start, end):
            keys.append(key)
        start = end + 1
    return keys
