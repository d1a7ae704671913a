"""The Rust core (rust/): the per-page kernels that grow with a page's size."""

from array import array
from collections.abc import Callable, Iterable, Sequence
from collections.abc import Set as AbstractSet
from typing import Any

from dedup.config import Islands, Repeats
from dedup.model import SiteStats
from dedup.page import Block, Decision, Kind, Removal

def repeated_stretches(words: Sequence[str], min_words: int) -> list[tuple[int, int, int]]:
    """(start, end, source start) of each stretch of `min_words`+ words copying an earlier one."""

class CharTable:
    """The classes of every BMP character (little-endian u16 bits, as rust/src/segment.rs numbers
    them), each one's ASCII `lower()` (or 0), the abbreviations `segment` knows, and the words
    that are slots of a shape."""

    def __init__(
        self,
        flags: bytes,
        lower: bytes,
        abbreviations: set[str],
        number_abbreviations: set[str],
        slot_words: set[str],
    ) -> None: ...

class FoldTable:
    r"""The folding tables of dedup.normalize: each BMP character's one-character NFKC form and what
    it folds to (u32, little-endian; 0xFFFFFFFF where either is not one character), whether it is
    dropped, whether it is `\w`, whether it can join the character before it; and the NFKC forms of
    several BMP characters (a ligature's) and the foldings of several (a casefold's), by code
    point."""

    def __init__(
        self,
        nfkc: bytes,
        fold: bytes,
        drop: bytes,
        word: bytes,
        joins: bytes,
        settled: bytes,
        expansions: dict[int, str],
        fold_expansions: dict[int, str],
    ) -> None: ...

def nfkc_by_char(table: FoldTable, text: str, symbols: bool = False) -> tuple[str, bool] | None:
    """The text with each character replaced by its NFKC form (one character or a ligature's
    several), and whether each character of that is settled (then it is NFKC but for the order of
    its dropped marks); None where one has none in the BMP, is past it (but for a symbol, with
    `symbols`), or is a lone surrogate."""

class WidgetTable:
    """The phrases (longest first), labels and link prefixes of a widget matcher, as normalized
    keys, and the most words a widget and a link line hold."""

    def __init__(
        self,
        phrases: list[str],
        labels: set[str],
        link_prefixes: list[str],
        max_widget_words: int,
        max_link_words: int,
    ) -> None: ...

def match_widgets(table: WidgetTable, keys: list[str]) -> list[str | None] | None:
    """For each key, the phrase, label or link prefix (with " …") that makes it a widget, or None;
    None for the whole list where a key holds a lone surrogate."""

_Folding = tuple[str, bytes, bytes, bytes | None, bool, bool, bool]

def fold(table: FoldTable, text: str, nfkc: bool, symbols: bool = False) -> _Folding | None:
    r"""A page folded character for character (with `nfkc`, each character's NFKC form: one
    character, or a ligature's several): its folded text without the dropped characters, a byte a
    character for `\w` and for a `\w` whose folding holds a letter, and u32 positions of the text in
    the folded text (None where each character went to one); None where it cannot be folded so. With
    `symbols`, each character past the BMP is a symbol (the caller found) that folds to a space.
    Then whether a dropped character stands right before one that can join the character before it
    (a mark, a Hangul jamo); whether every character of the text is settled (each its own NFKC
    form, the text NFKC but for the order of its dropped marks; with `nfkc`, every character of
    their forms, as `nfkc_by_char` finds); last, whether every character of the folded text is
    settled and not dropped (then it is NFKC)."""

def fold_first(table: FoldTable, text: str) -> tuple[_Folding, bool] | None:
    """`fold` of a text by its own characters, or where that folding is not settled and a
    character's NFKC form is not itself (the text is then not NFKC), by their NFKC forms; with
    whether it is the latter. None where the folding tried gives none."""

def hashed_segment(
    table: CharTable, text: str, kept: str, at: bytes, block: type[Block]
) -> tuple[list[Block], tuple[int, int] | None]:
    """`segment`, with the (exact, masked) hashes of the page key its blocks make; None for none."""

def segment(table: CharTable, text: str, kept: str, at: bytes, block: type[Block]) -> list[Block]:
    """The blocks of a page whose folding took the fast path (`kept`: its folded text without the
    dropped characters; `at`: u32 positions of the text in it, or empty), each made as a `block`
    (a tuple class) of start, end, key, line, whole line, the line's words, the key's words, shape
    (dedup.segment.segment_here's)."""

def gram_hashes(table: CharTable, words: list[str]) -> bytes | None:
    """A positive 63-bit hash of every word 3-gram, slot words as `dedup.keys.slot_words` makes
    them, as little-endian u64 bytes (dedup.keys.gram_hashes); None for words with a character
    past the BMP or a lone surrogate."""

def gram_counts(table: CharTable, words: list[str], counts: dict[int, int], salt: int) -> list[int] | None:
    """The pages `counts` holds for each `gram_hashes` hash of the words, XOR `salt` (0 where it
    holds none); None for words with a character past the BMP or a lone surrogate."""

def slotted_words(table: CharTable, words: list[str]) -> list[str] | None:
    """The words with each slot word as the slot `0` (dedup.keys.slot_words); None for words with
    a character past the BMP or a lone surrogate."""

def line_keys(table: CharTable, text: str, kept: str, at: bytes) -> list[str]:
    """The keys of a page's lines, empty ones left out (dedup.keys.line_keys), from its folding as
    `segment` reads it."""

def folded_line_shingles(fold_table: FoldTable, table: CharTable, text: str, size: int) -> bytes | None:
    """`line_shingles` of a text folded in the core, where its folding stands as it is; else None."""

def line_shingles(table: CharTable, text: str, kept: str, at: bytes, size: int) -> bytes:
    """`word_shingles` of a page's `line_keys`, as u32 little-endian bytes, from its folding as
    `segment` reads it."""

def word_shingles(pages: Iterable[Iterable[str]], size: int) -> list[bytes]:
    """For each page (normalized keys), the sorted distinct xxh32 of its keys' word n-grams of
    `size` words (a shorter key whole), as u32 little-endian bytes."""

def char_shingles(keys: list[str], size: int) -> tuple[bytes, bytes]:
    """The xxh32 of each key's UTF-8 character n-grams of `size` characters (the key itself when
    shorter; none for an empty key), in order, as u32; and how many each key has, as i64; all
    little-endian bytes."""

def exact_hashes(table: CharTable, keys: list[str]) -> tuple[bytes, bytes] | None:
    """xxh3 (seed 0) of each key's UTF-8, and of the key with each run of `\\d` as one `0`, as
    little-endian u64 bytes; None where a key holds a lone surrogate or a character past the BMP."""

def block_key_hashes(table: CharTable, blocks: list[Block]) -> tuple[int, int] | None:
    """`exact_hashes` of a page's key made of its blocks' keys, one space between
    (`dedup.keys.segmented_page_key`), without the key made; None where a block's key holds a
    lone surrogate or a character past the BMP."""

def key_hashes(keys: list[str]) -> bytes:
    """The xxh3 64-bit hash of each key's UTF-8 ("surrogatepass"), as little-endian u64 bytes."""

def folded_words(
    word: bytes, letter: bytes, kept: str, at: bytes, start: int, end: int
) -> tuple[list[str], bytes, bytes]:
    """The words of text[start:end] from the whole text's folding (a byte a character: `\\w`, a
    letter; its folded text without the dropped characters; u32 positions in it, or empty), each a
    run of letters, with the start and end (i64) of the token it lies in."""

def band_hashes(signed: bytes, rows: int) -> bytes:
    """A 64-bit hash of every run of `rows` consecutive u32 values of `signed` (the LSH band keys
    of signatures laid out row after row), as u64; little-endian bytes."""

def key_band_keys(keys: list[str] | bytes, size: int, a: bytes, b: bytes, rows: int) -> tuple[bytes, bytes]:
    """The LSH band keys (`band_hashes`, `rows` values a band) of the `minhash` signatures (`a`,
    `b`: the affine permutations, u32) of each key's `char_shingles` of `size`, a row of bands a
    key; and each key's `key_hashes`; u64 little-endian bytes. `keys`: the keys, or their UTF-8
    lines ("surrogatepass"), each ending with a line break."""

def variant_clusters(
    keys: list[str], pairs: list[tuple[int, int]], size: int, similarity: float
) -> list[int]:
    """The cluster of each key, as the index of one of its keys: the pairs of key indexes in
    order, two keys joined where neither holds the other whole between spaces and the Jaccard of
    their character n-grams of `size` characters (the key itself when shorter) is `similarity`
    or more."""

def key_pairs(
    keys: bytes, chain_over: int | None, window: int, rank: bytes | None = None
) -> set[tuple[int, int]]:
    """Pairs (i < j) of the rows whose u64 key is the same; a group of more than `chain_over`
    rows gives each row and the next `window` rows only, in the order of the u64 `rank` (the
    rows' own where none or equal); little-endian bytes."""

def shared_count(a: bytes, b: bytes) -> int:
    """How many values two sorted arrays of distinct u32 (little-endian bytes) share."""

class Stars:
    """Duplicate groups made one page at a time, in order (`star_groups`; the stream index's): a page
    identical to an earlier one joins that page's group; else it joins the most similar earlier
    canonical page it is near (the first of them on a tie); else it starts a group of its own."""

    def find(
        self, keys: Sequence[tuple[str, int]], earlier: Sequence[int], similar: Callable[[int], float | None]
    ) -> tuple[int, float] | None:
        """Where a page would go: (canonical, similarity), or None for a canonical page."""
    def put(self, page: int, placed: tuple[int, float] | None, keys: Sequence[tuple[str, int]]) -> None:
        """Record where a page went."""
    @property
    def members(self) -> dict[int, tuple[int, float]]:
        """Page -> (canonical, similarity) for every page that joined a group, in the order put."""

def star_groups(
    order: Sequence[int],
    keys: dict[int, list[tuple[str, int]]],
    near: dict[int, list[int]],
    similar: Callable[[int, int], float | None],
) -> dict[int, tuple[int, float]]:
    """Page -> (canonical, similarity) for every page that duplicates another: the pages placed in
    `order` (`Stars`), each with its identity keys and the pages LSH found `near` it; `similar` is
    called for the pairs compared."""

def minhash(hashes: bytes, first: bytes, a: bytes, b: bytes) -> bytes:
    """MinHash signatures (datasketch's affine32) of the sets of u32 `hashes` that i64 `first`
    starts, one row of len(a) u32 values each; all little-endian bytes."""

def page_copies(
    table: CharTable,
    text: str,
    blocks: Sequence[Block],
    words: list[str],
    starts: bytes,
    ends: bytes,
    limits: Repeats,
) -> list[tuple[int, int, int]]:
    """(start, end, words) of each span that copies words the page said before
    (`dedup.detect.repeats.detect`; `starts`, `ends`: the words' token spans, little-endian i64)."""

def folded_page_copies(
    table: CharTable,
    text: str,
    blocks: Sequence[Block],
    word: bytes,
    letter: bytes,
    kept: str,
    at: bytes,
    removed: list[tuple[int, int]],
    limits: Repeats,
) -> list[tuple[int, int, int]]:
    """`page_copies` of a folded page's words (`Folded.flags`, `Folded.kept_span`) that start
    outside every `removed` (start, end) span, made in the core."""

def blocks_left(
    blocks: Sequence[Block], decisions: Sequence[Decision], piece: Callable[[int, int, int], Block | None]
) -> list[Block]:
    """What the decisions leave of the blocks (in order, apart): a block none overlaps is itself,
    one they cut leaves the spans between them as `piece(block, start, end)` makes them (None: left
    out); each block's line holds the words left of it (`Block.with_line_words`)."""

def utf8_size(text: str) -> int:
    """The text's size in UTF-8 bytes, a lone surrogate counted as three ("surrogatepass")."""

def left_within(blocks: Sequence[Block], decisions: Sequence[Decision], spans: set[tuple[int, int]]) -> bool:
    """Whether all the decisions leave of the blocks (as `blocks_left` cuts them) is blocks left
    whole whose (start, end) are among `spans`."""

def merged_removals(
    table: CharTable, text: str, decisions: Sequence[Decision], removal: type[Removal]
) -> list[Removal]:
    """The removals that decisions make of a page, in order and apart, each with its text and its
    decision's kind and evidence (`dedup.audit.merge`)."""

def removed_kinds(blocks: Sequence[Block], decisions: Sequence[Decision], share: float) -> list[Kind | None]:
    """For each block (in order, apart), the kind of the first decision (in the order given) that
    overlaps it, where those that overlap it cover `share` of it or more; else None."""

def words_outside(
    words: list[str], starts: array[int], ends: array[int], spans: Sequence[tuple[int, int]]
) -> tuple[list[str], bytes, bytes]:
    """The words (with their tokens' starts and ends, in order) that start outside every (start,
    end) span: the words, and their starts and ends as little-endian i64 bytes."""

def furniture_runs(
    blocks: Sequence[Block],
    removed: Sequence[str | None],
    furniture: AbstractSet[str],
    stats: SiteStats,
    flow_lines: list[int],
    needs: dict[str, int],
) -> tuple[list[int], list[tuple[int, int, int]], int | None]:
    """The runs of kept blocks after the article that `between_furniture` takes (`removed`: the
    kind that removes each block, or None; `furniture`: the furniture kinds' names): the pages of
    the site that carry each kept block's shape or a variant of it (0 for a removed block); (first,
    end, pages needed) of each run; the index of the article's last paragraph, None where the page
    has none of its own."""

def island_runs(
    blocks: Sequence[Block],
    removed: Sequence[str | None],
    furniture: AbstractSet[str],
    repeat: str,
    flow_lines: list[int],
    limits: Islands,
    article_end: int | None,
) -> list[tuple[int, int]]:
    """(first, end) of the runs of short kept blocks `dedup.detect.context.detect` takes, but for
    its look at full stops."""

def headline_runs(
    blocks: Sequence[Block],
    removed: Sequence[str | None],
    headline: int,
    flow_lines: list[int],
    limits: Islands,
) -> list[tuple[int, int]]:
    """(first, end) of the runs of short kept blocks `dedup.detect.context.before_headline` takes."""

def said_again(blocks: Sequence[Block], min_words: int) -> list[int]:
    """The indexes of the whole lines of `min_words` words or more whose key a later whole line
    holds too, in order."""

def widget_decisions(
    table: WidgetTable, blocks: list[Block], decision: type[Decision], kinds: tuple[Kind, Kind]
) -> list[Decision] | None:
    """The decisions (of class `decision`) for the blocks whose keys are known widgets: of the
    second kind where a link prefix's title list matched (the phrase ends with " …"), else of the
    first, `{"phrase": phrase}` their evidence; None where a key holds a lone surrogate."""

def slug_lines(
    table: CharTable,
    slug: list[str],
    blocks: list[Block],
    slug_share: float,
    line_share: float,
    min_words: int,
) -> list[int] | None:
    """The indexes of the whole lines whose key holds nearly only the slug's words and most of
    them (`dedup.headline._says`); None where a line's key holds a character past the BMP."""

def unquoted(path: str) -> str | None:
    """`urllib.parse.unquote(path)`; None for a path with a lone surrogate."""

class SiteNeeds:
    """The evidence a block needs on a site of so many pages, as `site_verdicts` reads it, from a
    dict of its fields (`dedup.detect.site_boilerplate._needs`): made once a site size."""

    def __init__(self, fields: dict[str, Any]) -> None: ...

def site_verdicts(
    table: CharTable,
    text: str,
    blocks: Sequence[Block],
    stats: SiteStats,
    entry_time: Callable[[str, int, int], object],
    flow_lines: list[int],
    decision: type[Decision],
    kind: Kind,
    needs: SiteNeeds,
) -> tuple[
    list[int],
    list[tuple[int, Decision]],
    list[tuple[int, str]],
    list[tuple[int, tuple[int, int] | None]],
    list[Decision],
    int,
    list[tuple[int, int]],
]:
    """A page's blocks judged by their site's evidence (`text`: the page): the pages that carry
    each block's shape; (index, decision of class `decision` and kind `kind`) of each block that
    goes as the site's boilerplate, its evidence the pages that carry it, the site's pages, the
    pages it needs and, where it counts as said again and again, its copies on the page;
    (position among those, exemplar) of each whose shape is a variant of another's; (index, and
    its label's start and end) of each other block short enough for a line template that a label
    opens (`dedup.keys.label_span`), the span None where the block holds a character past the
    BMP; the decisions of the notices' sentences between two of their line's that go (evidence
    `between`); the page's last long line (`dedup.detect.site_boilerplate`); (start, end) of each
    block whose shape the site carries on fewer pages than any block needs (`needs`' least). A
    block that is a slot alone, holds a colon and for which `entry_time(text, start, end)` is not
    None is left alone."""

_Features = tuple[
    bytes, bytes, int, bytes, list[tuple[int, int, int]], int, bytes, bytes, tuple[int, int] | None
]
_Learned = tuple[_Features | None, list[tuple[int, int, str, int, bool, int, int, str]]]

def learning_features(
    table: CharTable,
    text: str,
    kept: str,
    at: bytes,
    word: bytes,
    letter: bytes,
    limits: dict[str, int],
) -> _Learned:
    """What learning takes of a page on the fast path (`dedup.features.learning_pages`): its blocks'
    shapes (UTF-8, one line break between) and their distinct `key_hashes`, sorted, how many stand
    before its first long line, their example texts (UTF-8, one line break between), (index, and
    its label's start and end) of each that a label opens (`dedup.keys.label_span`), the hash of
    its keys, its distinct salted edge 3-grams, sorted (both little-endian u64 bytes), its lines'
    `word_shingles` and its key's `exact_hashes` (None for an empty page); or, for a page with a
    line of `flow_line_words` words or more, None and its blocks as `segment` gives them."""

def folded_learning_features(
    fold_table: FoldTable, table: CharTable, text: str, limits: dict[str, int]
) -> tuple[_Learned | None, _Folding | None]:
    """`learning_features` of a page folded here as `fold` folds it (without `nfkc`), where that
    folding stands as it is (every character settled, the folded text NFKC, no dropped mark
    before one that joins); with it, the folding `fold` gives (None where it gives None) where
    Python must finish it (`dedup.normalize.Folded`; the features None then) or take a page with
    a flow line from its blocks."""

def edge_counts(
    table: CharTable,
    text: str,
    kept: str,
    at: bytes,
    word: bytes,
    letter: bytes,
    lines: tuple[tuple[int, int], tuple[int, int]],
    edge_words: int,
    counts: dict[int, int],
    salts: tuple[int, int],
) -> tuple[list[int], list[int]]:
    """The pages `counts` (a site's: 3-gram hash -> pages) holds for each 3-gram of the first
    `edge_words` words of a page's first line (`lines`: its first and last line's start and end),
    XOR the first salt, and of the last `edge_words` of its last line, XOR the second; 0 where it
    holds none (`dedup.features.edge_counts`; the page as `learning_features` reads it)."""

def block_texts(
    table: CharTable,
    text: str,
    starts: list[int],
    ends: list[int],
    words: list[int],
    limit: int,
    max_words: int,
) -> tuple[list[str], list[int]] | None:
    """Each block's text with its whitespace collapsed, cut with `…` past `limit` characters
    (`dedup.features.excerpt`), and the indexes of the blocks of `max_words` words or fewer that
    hold a label's separator; None where the text holds a lone surrogate."""
