"""Page features, the first stage of every run: each page folded and segmented once, and what
learning takes of it: its counts (`PageCounts`, the keys it adds to its site's statistics) and
its print (what copies are found by, before anything is cleaned)."""

from __future__ import annotations

import pickle
from array import array
from bisect import bisect_left
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from operator import attrgetter
from typing import NamedTuple

import numpy as np

from dedup._core import block_texts, folded_learning_features, key_hashes, learning_features
from dedup._core import edge_counts as core_edge_counts
from dedup.duplicates import KeyHashes, PagePrint, key_prints, page_key_hashes, segmented_key_hashes
from dedup.fingerprint import FingerprintSettings, exact_hash
from dedup.keys import (
    MAX_TEMPLATE_WORDS,
    block_line_keys,
    glued_labels,
    gram_counts,
    gram_hashes,
    head_pairs,
    label_key,
    label_span,
    line_keys,
    page_key,
    pair_hashes,
)
from dedup.normalize import Folded, core_fold_table
from dedup.page import Block, blocks_of
from dedup.segment import (
    FLOW_LINE_WORDS,
    Words,
    char_table,
    flow_lines,
    long_lines,
    segment,
    words_with_offsets,
)

EDGE_WORDS = 48  # words at a page's start and end whose runs are counted (a share bar, a blurb)
# Edge grams are counted apart from the runs of flattened pages: a house opener that many pages
# with line breaks start with must not add to the evidence of a run in a page without them.
EDGE_SALT = 0x2545F4914F6CDD1D
# A page's end is counted apart from its start: other pages list an article's title at their end
# ("most read"), which must not make it look like the start of many pages.
TAIL_SALT = 0x1D8E4E27C47D124F
# The first words of a page without line breaks whose word pairs are counted: its title, date line,
# byline and photo credit, where a site's furniture can be two words between two of the page's own.
HEAD_WORDS = 96
EXAMPLE_CHARS = 200  # an example of a line's text is kept to this many characters


def excerpt(text: str, limit: int = EXAMPLE_CHARS) -> str:
    """The text with its whitespace collapsed, cut at a word boundary with `…` when longer than `limit`."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    space = cut.rfind(" ")
    return (cut[:space] if space > limit // 2 else cut).rstrip() + "…"


@dataclass(slots=True)
class PageCounts:
    """What one page adds to its site's statistics: each key once. Computed anywhere (a worker, a
    Spark task), added to the model in one place. Never changed once made; not frozen, like
    `dedup.page.Decision`: a learning pass makes three a page."""

    site: str
    page_hash: int  # exact hash of the page's block keys: an exact repeat counts once
    shapes: frozenset[str]
    head_shapes: frozenset[str]
    labels: frozenset[str]
    grams: frozenset[int]
    # Shape or label -> its text on this page (`excerpt`): the model keeps one for what it sees again.
    examples: Mapping[str, str] = field(default_factory=dict)


class PageExamples(Mapping[str, str]):
    """A page's examples (`PageCounts.examples`) as the learning pass makes them: each block's
    text (`excerpt`) for its shape, the first block's where a shape comes again, and each label's
    text. The blocks' texts are held as UTF-8, a line break between (an excerpt holds none; a
    lone surrogate is written as "surrogatepass" writes it), and read only when asked for: a
    page's are wanted only for its keys that reach EXAMPLE_PAGES pages with it (few, past a
    site's first pages)."""

    def __init__(
        self,
        shapes: Sequence[str],
        texts: bytes,
        labelled: Sequence[tuple[str, int]] = (),
        glued: Sequence[tuple[str, str]] = (),
    ) -> None:
        # `labelled`: each label with its block's index; `glued`: each label found in a flow line
        # with its text.
        self._parts = (shapes, texts, labelled, glued)
        self._read: dict[str, str] | None = None

    def __reduce__(self) -> tuple[type[PageExamples], tuple[object, ...]]:
        return PageExamples, self._parts

    def _examples(self) -> dict[str, str]:
        if self._read is None:
            shapes, joined, labelled, glued = self._parts
            texts = joined.decode("utf-8", "surrogatepass").split("\n") if shapes else []
            examples = dict(zip(reversed(shapes), reversed(texts), strict=True))
            for label, k in labelled:  # in order: a label's first block gives its text
                examples.setdefault(label, texts[k])
            for label, text in glued:
                examples.setdefault(label, text)
            self._read = examples
        return self._read

    def __getitem__(self, key: str) -> str:
        return self._examples()[key]

    def __contains__(self, key: object) -> bool:
        return key in self._examples()

    def __iter__(self) -> Iterator[str]:
        return iter(self._examples())

    def __len__(self) -> int:
        return len(self._examples())


@dataclass(slots=True)
class PageRecord:
    """What one page adds to its site's statistics as the learning pass makes and spools it: its
    blocks' shapes as one UTF-8 text with their hashes, its 3-grams as an array's bytes. Its
    `PageCounts`, a str and a set a key, are made only where it is counted (`counts`)."""

    site: str
    page_hash: int  # exact hash of the page's block keys: an exact repeat counts once
    shapes: bytes  # its blocks' shapes in order, UTF-8 ("surrogatepass"), a line break between
    shape_hashes: bytes  # the distinct `key_hashes` of those, sorted, little-endian u64
    head: int  # how many of its blocks stand before its first long line
    labelled: tuple[tuple[str, int], ...]  # each label of a block, with the block's index
    glued: tuple[tuple[str, str], ...]  # each label found in a flow line, with its text
    grams: bytes  # its distinct word 3-gram hashes, sorted, little-endian u64
    texts: bytes  # its blocks' example texts (`PageExamples`)

    def counts(self, grams: bool = True) -> PageCounts:
        """The page's `PageCounts`; without its 3-grams where they are counted apart, in arrays
        (`gram_hashes`)."""
        shapes = self.shapes.decode("utf-8", "surrogatepass").split("\n") if self.shapes else []
        gram_list: list[int] = np.frombuffer(self.grams, "<u8").tolist() if grams else []
        parts = _Parts(shapes, self.head, self.texts, self.labelled, self.glued, self.page_hash, gram_list)
        return _counts(self.site, parts)

    def gram_hashes(self) -> np.ndarray:
        """Its distinct word 3-gram hashes, an array."""
        return np.frombuffer(self.grams, "<u8")

    def design_keys(self) -> tuple[bytes, int]:
        """`dedup.periods.design_keys(self.counts())` as little-endian u64 bytes (in another order:
        its shapes' hashes, sorted, first), from the hashes made with the shapes; and how many
        shapes."""
        labels = list({label for label, _ in (*self.labelled, *self.glued)})
        design = self.shape_hashes + (key_hashes(labels) if labels else b"") + self.grams
        return design, len(self.shape_hashes) // 8

    def dumps(self) -> bytes:
        """The record as bytes, to be read back by `loads` in this run (the learning spool)."""
        fields = (self.site, self.page_hash, self.shapes, self.shape_hashes, self.head, self.labelled)
        return pickle.dumps((*fields, self.glued, self.grams, self.texts), pickle.HIGHEST_PROTOCOL)

    @classmethod
    def loads(cls, data: bytes | memoryview) -> PageRecord:
        """The record `dumps` made."""
        return cls(*pickle.loads(data))


class _Parts(NamedTuple):
    """What a page adds to its site's counts, as `counts_of` and `record_of` take it from its
    blocks: its blocks' shapes, how many stand before its first long line, their example texts
    (`PageExamples`), its labels (`_labels`) and those of its flow lines with their texts, its
    hash and its word 3-grams."""

    shapes: list[str]
    head: int
    texts: bytes
    labelled: tuple[tuple[str, int], ...]
    glued: tuple[tuple[str, str], ...]
    page_hash: int
    grams: Collection[int]


def _page_parts(text: str, blocks: list[Block], short_words: int, folded: Folded | None) -> _Parts:
    """`_Parts` of a segmented page (`folded`: its folding, where the caller has it); its words
    are only made where they count: in a page that lost its line breaks (`flow_lines`)."""
    flow = flow_lines(blocks)
    words = words_with_offsets(text, folded=folded) if flow else Words([], array("q"), array("q"))
    first_long, _ = long_lines(blocks, short_words)  # the head: the blocks before it (in line order)
    texts, labelled = _block_texts(text, blocks)
    spans = [
        (k, *span)
        for k in labelled
        if (span := label_span(text, blocks[k].start, blocks[k].end, blocks[k].words)) is not None
    ]
    glued = [(label, excerpt(text[b.start : b.end])) for label, b in glued_labels(text, blocks, flow).items()]
    return _Parts(
        [b.shape for b in blocks],
        bisect_left(blocks, first_long, key=attrgetter("line")),
        "\n".join(texts).encode("utf-8", "surrogatepass"),
        _labels(text, spans),
        tuple(glued),
        exact_hash("\n".join([b.key for b in blocks])),
        # Word runs are only looked for in pages that lost their line breaks: other pages' runs
        # would be counted for nothing, and they are the bulk of a model. Every page counts the
        # runs at its edges, where a share bar or an about-blurb is glued to the first or last line;
        # a page that starts without line breaks, the word pairs of its head (a byline, a credit).
        frozenset(gram_hashes(words.words) if flow else ())
        | frozenset(edge_grams(text, blocks, folded))
        | frozenset(head_pair_hashes(text, blocks, flow, words)),
    )


def _counts(site: str, parts: _Parts) -> PageCounts:
    """The `PageCounts` of a page's `_Parts`."""
    shapes = parts.shapes
    return PageCounts(
        site=site,
        page_hash=parts.page_hash,
        shapes=frozenset(shapes),
        head_shapes=frozenset(shapes[: parts.head]),
        labels=frozenset(label for label, _ in (*parts.labelled, *parts.glued)),
        grams=frozenset(parts.grams),
        examples=PageExamples(shapes, parts.texts, parts.labelled, parts.glued),
    )


def _labels(text: str, spans: Iterable[tuple[int, int, int]]) -> tuple[tuple[str, int], ...]:
    """(label, index) of each block that a label opens, from (index, and its label's start and
    end) of each that may (`label_span`)."""
    return tuple((label, k) for k, start, end in spans if (label := label_key(text[start:end])) is not None)


def _distinct(hashes: np.ndarray) -> bytes:
    """The distinct hashes, sorted, as little-endian u64 bytes (the Rust core's order)."""
    return np.unique(hashes).astype("<u8").tobytes()


def _block_texts(text: str, blocks: Sequence[Block]) -> tuple[list[str], Sequence[int]]:
    """Each block's `excerpt`, and the blocks that may open with a label, in order (`label_prefix`
    finds none in the others): by the Rust core, but for a text with a lone surrogate."""
    found = block_texts(
        char_table(),
        text,
        [b.start for b in blocks],
        [b.end for b in blocks],
        [b.words for b in blocks],
        EXAMPLE_CHARS,
        MAX_TEMPLATE_WORDS,
    )
    if found is None:
        return [excerpt(text[b.start : b.end]) for b in blocks], range(len(blocks))
    return found


def head_pair_hashes(text: str, blocks: Sequence[Block], flow: Collection[int], words: Words) -> list[int]:
    """The hashes of the `head_pairs` in the first HEAD_WORDS of a page's words, when the page
    starts with a flow line (a page without line breaks)."""
    if not blocks or blocks[0].line not in flow:
        return []
    head = head_of(words)
    return pair_hashes(head.words, head_pairs(text, head))


def head_of(words: Words) -> Words:
    """The first HEAD_WORDS of these words."""
    return Words(words.words[:HEAD_WORDS], words.starts[:HEAD_WORDS], words.ends[:HEAD_WORDS])


def edge_grams(text: str, blocks: Sequence[Block], folded: Folded | None = None) -> list[int]:
    """The word 3-gram hashes of the first EDGE_WORDS words of a page's first line (salted with
    EDGE_SALT) and of the last EDGE_WORDS of its last line (TAIL_SALT)."""
    if not blocks:
        return []
    head, tail = edge_words(text, blocks, folded)
    return [h ^ EDGE_SALT for h in gram_hashes(head.words)] + [h ^ TAIL_SALT for h in gram_hashes(tail.words)]


def edge_words(text: str, blocks: Sequence[Block], folded: Folded | None = None) -> tuple[Words, Words]:
    """The first EDGE_WORDS words of a page's first line, the last EDGE_WORDS of its last line."""
    (head_start, head_end), (tail_start, tail_end) = edge_lines(blocks)
    head = words_with_offsets(text, head_start, head_end, folded)
    tail = words_with_offsets(text, tail_start, tail_end, folded)
    cut = max(0, len(tail.words) - EDGE_WORDS)
    return (
        Words(head.words[:EDGE_WORDS], head.starts[:EDGE_WORDS], head.ends[:EDGE_WORDS]),
        Words(tail.words[cut:], tail.starts[cut:], tail.ends[cut:]),
    )


def edge_lines(blocks: Sequence[Block]) -> tuple[tuple[int, int], tuple[int, int]]:
    """(start, end) of a page's first line and of its last, as its blocks cover them."""
    # Blocks come in the order of their lines: the first line's are the first few, the last's the last.
    first_end, last_start = 1, len(blocks) - 1
    while first_end < len(blocks) and blocks[first_end].line == blocks[0].line:
        first_end += 1
    while last_start > 0 and blocks[last_start - 1].line == blocks[-1].line:
        last_start -= 1
    return (blocks[0].start, blocks[first_end - 1].end), (blocks[last_start].start, blocks[-1].end)


def edge_counts(
    text: str, blocks: Sequence[Block], folded: Folded, counts: Mapping[int, int]
) -> tuple[list[int], list[int]]:
    """The pages `counts` (a site's: 3-gram hash -> pages) holds for each of `edge_grams`, those at
    the page's start and those at its end apart, 0 where it holds none: by one call to the Rust
    core where the page's folding is fast, without a string for each word."""
    if folded.fast and isinstance(counts, dict):
        found: tuple[list[int], list[int]] = core_edge_counts(
            char_table(),
            text,
            *folded.kept_span(0, len(text)),
            *folded.flags(),
            edge_lines(blocks),
            EDGE_WORDS,
            counts,
            (EDGE_SALT, TAIL_SALT),
        )
        return found
    head, tail = edge_words(text, blocks, folded)
    return gram_counts(head.words, counts, EDGE_SALT), gram_counts(tail.words, counts, TAIL_SALT)


def learning_print(site: str, text: str, settings: FingerprintSettings) -> PagePrint:
    """What the learning pass compares a page by, before anything is cleaned: its body (its
    article, once the shingles its site repeats are left out; see `dedup.duplicates`)."""
    return key_prints([site], [line_keys(text)], page_key_hashes([page_key(text)]), settings.word_shingle)[0]


def learning_counts(site: str, text: str, short_words: int) -> PageCounts:
    """What one page adds to its site's counts."""
    folded = Folded(text)
    return counts_of(site, text, segment(text, folded), short_words, folded)


def learning_pages(
    pages: Sequence[tuple[str, str]], settings: FingerprintSettings, short_words: int
) -> list[tuple[PagePrint, PageRecord]]:
    """`learning_print` and the record of `learning_counts` (`PageRecord`) of many (site, text)
    pages, each text folded and segmented once for both."""
    prints: list[PagePrint | None] = []  # None for a page whose print is made with the others'
    records = []
    sites: list[str] = []  # of those pages
    bodies: list[list[str]] = []
    keys: list[KeyHashes] = []
    limits = _core_limits(short_words, settings.word_shingle)
    for site, text in pages:
        # In one call to the Rust core, where the page's folding stands as it is (most pages): its
        # features, or the blocks of a page with a line of FLOW_LINE_WORDS words or more (its
        # flow's are made here, with the folding the core gives then).
        learned, folding = folded_learning_features(core_fold_table(), char_table(), text, limits)
        found, rows = learned or (None, None)
        if found is None:
            folded = Folded(text, folding, folded=True)
            # A folding finished here: where it took the fast path, the features made by the core
            # all the same. The core finds no labels beside a symbol past the BMP (an emoji): those
            # pages' are made here.
            if learned is None and folded.fast and not folded.symbols:
                found, rows = learning_features(
                    char_table(), text, *folded.kept_span(0, len(text)), *folded.flags(), limits
                )
        if found is not None:
            shapes, hashes, head, texts, labelled, page_hash, grams, shingles, exact = found
            labels = _labels(text, labelled)  # a page without a flow line has no glued labels
            records.append(PageRecord(site, page_hash, shapes, hashes, head, labels, (), grams, texts))
            prints.append(PagePrint(site, np.frombuffer(shingles, "<u4"), *(exact or (None, None))))
            continue
        blocks = segment(text, folded) if rows is None else blocks_of(rows)
        records.append(record_of(site, text, blocks, short_words, folded))
        sites.append(site)
        bodies.append(block_line_keys(blocks) if folded.fast else line_keys(text, folded))
        keys.append(segmented_key_hashes(text, folded, blocks))
        prints.append(None)
    made = iter(key_prints(sites, bodies, keys, settings.word_shingle))
    return [(print_ or next(made), r) for print_, r in zip(prints, records, strict=True)]


def _core_limits(short_words: int, word_shingle: int) -> dict[str, int]:
    """What the Rust core's `learning_features` reads besides a page."""
    return {
        "word_shingle": word_shingle,
        "example_chars": EXAMPLE_CHARS,
        "max_template_words": MAX_TEMPLATE_WORDS,
        "short_words": short_words,
        "edge_words": EDGE_WORDS,
        "flow_line_words": FLOW_LINE_WORDS,
        "edge_salt": EDGE_SALT,
        "tail_salt": TAIL_SALT,
    }


def counts_of(
    site: str, text: str, blocks: list[Block], short_words: int, folded: Folded | None = None
) -> PageCounts:
    """The keys a segmented page contributes to its site's counts (`folded`: its folding, where
    the caller has it)."""
    return _counts(site, _page_parts(text, blocks, short_words, folded))


def record_of(
    site: str, text: str, blocks: list[Block], short_words: int, folded: Folded | None = None
) -> PageRecord:
    """`counts_of` as the learning pass spools it (`PageRecord`)."""
    parts = _page_parts(text, blocks, short_words, folded)
    return PageRecord(
        site=site,
        page_hash=parts.page_hash,
        shapes="\n".join(parts.shapes).encode("utf-8", "surrogatepass"),
        shape_hashes=_distinct(np.frombuffer(key_hashes(parts.shapes), "<u8")),
        head=parts.head,
        labelled=parts.labelled,
        glued=parts.glued,
        grams=_distinct(np.fromiter(parts.grams, np.uint64, len(parts.grams))),
        texts=parts.texts,
    )
