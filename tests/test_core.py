"""The Rust core, dedup._core: `repeated_stretches` against a plain Python reference of its
definition, on arbitrary words (lone surrogates included) and on real Arabic and English pages;
`segment` against the Python cut (`segment_here`) on arbitrary text and real pages; `word_shingles`
against a plain Python reference; `minhash` refusing what lies outside its input (its values, and
the character shingles', are checked against datasketch and xxhash in test_fingerprint.py);
`nfkc_by_char` against its definition; the widget lists matched a page at a time against
`WidgetMatcher.match`, key by key; `removed_kinds` and `blocks_left` against their definitions;
`block_texts` against `excerpt` and `label_prefix`; the labels `site_verdicts` finds against
`label_span`; `exact_hashes` against `exact_hash` and `mask_digits`."""

from __future__ import annotations

import pickle
import unicodedata
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from types import MappingProxyType

import numpy as np
import pytest
import regex
import xxhash
from conftest import AR_PARAGRAPHS, AR_TITLE, EN_PARAGRAPHS, EN_TITLE, REFERENCE_PAGE
from hypothesis import given, settings
from hypothesis import strategies as st

from dedup import _core
from dedup.config import Config
from dedup.detect import site_boilerplate, widgets
from dedup.duplicates import key_prints, keys_shingles, page_key_hashes, segmented_key_hashes, text_shingles
from dedup.features import (
    EDGE_SALT,
    TAIL_SALT,
    _core_limits,
    counts_of,
    edge_counts,
    edge_words,
    excerpt,
    learning_pages,
    record_of,
)
from dedup.fingerprint import exact_hash
from dedup.keys import (
    MAX_TEMPLATE_WORDS,
    SEPARATORS,
    block_line_keys,
    gram_counts,
    gram_hashes,
    label_prefix,
    label_span,
    line_keys,
    segmented_page_key,
    slot_words,
)
from dedup.model import SiteStats
from dedup.normalize import (
    _DROP,
    SLOT,
    SLOT_WORDS,
    Folded,
    _nfkc_by_char,
    core_fold_table,
    mask_digits,
    normalize,
)
from dedup.page import Block, Decision, Kind, utf8_size
from dedup.periods import design_keys
from dedup.segment import char_table, hashed_segment, segment, segment_here, words_with_offsets

GRAM = 5  # words per shingle


def reference_stretches(words: list[str], min_words: int) -> list[tuple[int, int, int]]:
    """The definition, word by word: from each position whose 5-gram occurred first earlier, the
    words that go on copying that first occurrence, its source ending before the copy starts.
    A stretch goes past its first 5-gram, starts where the stretch before it covers no 5-gram,
    and counts from `min_words` words."""
    first: dict[tuple[str, ...], int] = {}
    for at in range(len(words) - GRAM + 1):
        first.setdefault(tuple(words[at : at + GRAM]), at)
    found = []
    covered = 0  # the 5-grams starting before this position lie inside the last stretch
    for a in range(len(words) - GRAM + 1):
        src = first[tuple(words[a : a + GRAM])]
        end = a + GRAM
        while end < len(words) and src + (end - a) < a and words[end] == words[src + (end - a)]:
            end += 1
        if a < covered or end == a + GRAM:
            continue
        covered = end - GRAM + 1
        if end - a >= min_words:
            found.append((a, end, src))
    return found


def _page_words(*lines: str) -> list[str]:
    text = "\n".join(lines)
    return words_with_offsets(text).words


# Every code point, lone surrogates included (a JSON "\ud800" escape makes one in Python).
ANY_WORD = st.text(st.characters(exclude_categories=()), min_size=1, max_size=4)
MIN_WORDS = st.integers(-1, 14)


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from("abc"), max_size=150), MIN_WORDS)
def test_stretches_over_a_small_alphabet_are_the_definitions(words: list[str], min_words: int) -> None:
    assert _core.repeated_stretches(words, min_words) == reference_stretches(words, min_words)


@settings(max_examples=300, deadline=None)
@given(st.lists(ANY_WORD, min_size=1, max_size=5, unique=True), st.data(), MIN_WORDS)
def test_stretches_over_any_words_are_the_definitions(
    vocabulary: list[str], data: st.DataObject, min_words: int
) -> None:
    words = data.draw(st.lists(st.sampled_from(vocabulary), max_size=150))
    assert _core.repeated_stretches(words, min_words) == reference_stretches(words, min_words)


ARTICLE = _page_words(AR_TITLE, *AR_PARAGRAPHS, EN_TITLE, *EN_PARAGRAPHS)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.integers(0, len(ARTICLE) - 1), st.integers(1, 40)), max_size=12), MIN_WORDS)
def test_stretches_over_pieces_of_an_article_are_the_definitions(
    pieces: list[tuple[int, int]], min_words: int
) -> None:
    # Runs of an article's words, said again in pieces: copies as pages hold them.
    words = [w for start, length in pieces for w in ARTICLE[start : start + length]]
    assert _core.repeated_stretches(words, min_words) == reference_stretches(words, min_words)


@pytest.mark.parametrize(("title", "paragraphs"), [(AR_TITLE, AR_PARAGRAPHS), (EN_TITLE, EN_PARAGRAPHS)])
def test_a_doubled_paragraph_and_a_teaser_of_a_real_page(title: str, paragraphs: tuple[str, ...]) -> None:
    lead = paragraphs[0]
    words = _page_words(
        title, lead, paragraphs[1], paragraphs[1], paragraphs[2], title, lead[: len(lead) // 2]
    )
    found = _core.repeated_stretches(words, 8)
    assert found == reference_stretches(words, 8)
    assert len(found) == 2  # the paragraph's copy, and the teaser (title and half the lead)


def test_the_reference_page() -> None:
    words = _page_words(REFERENCE_PAGE.read_text(encoding="utf-8"))
    assert _core.repeated_stretches(words, 8) == reference_stretches(words, 8)


def test_words_are_compared_exactly() -> None:
    # A lone surrogate is neither the replacement character nor another surrogate.
    words = ["\ud800", "a", "b", "c", "d", "e", "f", "g", "h"]
    for other in ("\udfff", "\ufffd", "\ud800\ud800"):
        page = words + ["x"] + [other, *words[1:]]
        assert _core.repeated_stretches(page, 1) == reference_stretches(page, 1) == [(11, 19, 1)]
    assert _core.repeated_stretches(words + words, 8) == [(9, 18, 0)]
    # Equal words made apart, not one string object, are one word.
    made = [f"قال{i}" for i in range(9)]
    again = [f"قال{i}" for i in range(9)]
    assert made[0] == again[0] and made[0] is not again[0]
    assert _core.repeated_stretches(made + ["x"] + again, 8) == [(10, 19, 0)]
    # More distinct words than five word numbers could share one 64-bit integer.
    many = [f"w{i}" for i in range(7000)]
    assert _core.repeated_stretches(many + ["x"] + many, 8) == [(7001, 14001, 0)]


def test_any_sequence_of_strings() -> None:
    words = list("abcdefghij") * 2
    assert _core.repeated_stretches(tuple(words), 8) == _core.repeated_stretches(words, 8) == [(10, 20, 0)]
    assert _core.repeated_stretches([], 8) == []
    with pytest.raises(TypeError):
        _core.repeated_stretches([*"abcd", 5], 8)  # type: ignore[list-item]


def test_calls_on_several_threads_give_what_one_call_gives() -> None:
    # The words are read with the GIL held and the stretches found without it, so calls from
    # threads run at once; each must still give its own answer.
    pages = [list("abcdefghij" * (k + 1)) + [str(k)] * 50_000 + list("abcdefghij") for k in range(4)]
    alone = [_core.repeated_stretches(page, 8) for page in pages]
    with ThreadPoolExecutor(4) as pool:
        assert list(pool.map(lambda page: _core.repeated_stretches(page, 8), pages * 2)) == alone * 2


def test_minhash_refuses_sets_that_do_not_follow_each_other_within_the_hashes() -> None:
    hashes = np.array([1, 2, 3], "<u4").tobytes()
    a = b = np.array([1, 3], "<u4").tobytes()
    with pytest.raises(ValueError, match="within the hashes"):
        _core.minhash(hashes, np.array([0, 4], "<i8").tobytes(), a, b)  # past the last hash
    with pytest.raises(ValueError, match="within the hashes"):
        _core.minhash(hashes, np.array([2, 1], "<i8").tobytes(), a, b)  # backwards
    with pytest.raises(ValueError, match="before 0"):
        _core.minhash(hashes, np.array([-1, 1], "<i8").tobytes(), a, b)
    with pytest.raises(ValueError, match="differ in length"):
        _core.minhash(hashes, np.array([0, 3], "<i8").tobytes(), a, a[:4])


# Text where the cut has choices to make: stops, closing marks, abbreviations, dotted initials,
# format marks, spaces of every kind, letters glued after a stop, digits, dates and month names (a
# shape's slots), Chinese and Thai runs.
CUT_TEXT = st.lists(
    st.one_of(
        st.sampled_from(
            list(".!?؟…。\"'”’»)](«“ \n\t\u00a0\u2003\u200f\u200b\u0640\u064e") + ["\x1c", "\x85"]
        ),
        st.sampled_from(["U.S", "Dr", "no", "p", "ex", "Mr", "a", "I", "د", "أ", "St", "K", "\u212a", "İ"]),
        st.sampled_from([" May ", " الأحد ", "مايو", "١٢", "12", "pm", "mai", "Sunday", "٣"]),  # slots
        st.sampled_from(list("abcXYZ قالﻻ ٣3²中文字泰ไทยภาษาﷺﻵﱞ™⑴㌀ßİΐ") + ["😀", "🔥", "👍🏻", "\u200d"]),
        st.characters(max_codepoint=0xFFFF, exclude_categories=("Cs",)),
    ),
    max_size=40,
).map("".join)


def _cut_both_ways(text: str) -> None:
    folded = Folded(text)
    if folded.fast:
        assert segment(text, folded) == segment_here(text, folded)


@settings(max_examples=600, deadline=None)
@given(CUT_TEXT)
def test_segment_cuts_any_text_as_the_python_code_does(text: str) -> None:
    _cut_both_ways(text)


REAL_PAGES = [
    REFERENCE_PAGE.read_text(encoding="utf-8"),
    "\n".join([EN_TITLE, *EN_PARAGRAPHS, AR_TITLE, *AR_PARAGRAPHS]),
    " ".join([EN_TITLE, *EN_PARAGRAPHS, AR_TITLE, *AR_PARAGRAPHS]),  # a page without line breaks
    "The U.S. and the U.K. met Dr. Ali at No. 5 on p. 12, e.g. today. قال د. أحمد.إقرأ المزيد",
    "",
    "\n\n\n",
]


@pytest.mark.parametrize("text", REAL_PAGES)
def test_segment_cuts_real_pages_as_the_python_code_does(text: str) -> None:
    _cut_both_ways(text)


def _learned_both_ways(text: str) -> None:
    """What learning takes of a page in one call to the Rust core is what the Python code takes of
    its blocks."""
    config = Config()
    short_words, size = config.rule.short_words, config.settings.word_shingle
    [(print_, record)] = learning_pages([("site", text)], config.settings, short_words)
    # Where Python is to finish the folding, or to take a page's flow line, the one call gives it
    # the folding `fold` gives.
    limits = _core_limits(short_words, size)
    learned, folding = _core.folded_learning_features(core_fold_table(), char_table(), text, limits)
    if learned is None or folding is not None:
        assert folding == _core.fold(core_fold_table(), text, False)
    folded = Folded(text)
    blocks = segment(text, folded)
    assert record == record_of("site", text, blocks, short_words, folded)
    counts = record.counts()
    assert counts == counts_of("site", text, blocks, short_words, folded)
    # The spool's design keys, made from the shapes' hashes, are those of the counts.
    design, shapes = record.design_keys()
    assert sorted(np.frombuffer(design, "<u8").tolist()) == sorted(design_keys(counts).tolist())
    assert shapes == len(counts.shapes)
    lines = block_line_keys(blocks) if folded.fast else line_keys(text, folded)
    key = page_key_hashes([segmented_page_key(text, folded, blocks)])
    [expected] = key_prints(["site"], [lines], key, size)
    assert np.array_equal(print_.shingles, expected.shingles)
    assert (print_.exact, print_.shape) == (expected.exact, expected.shape)


@settings(max_examples=400, deadline=None)
@given(CUT_TEXT)
def test_learning_takes_of_any_text_what_the_python_code_takes(text: str) -> None:
    _learned_both_ways(text)


@pytest.mark.parametrize(
    "text",
    [
        *REAL_PAGES,
        # Tatweel and diacritics are dropped by the folding: words lie elsewhere in the folded text.
        "\n".join(["شـــارك: المقال", *AR_PARAGRAPHS, "تاريخ النشر: 12 مايو 2024", "حُقُوقُ النَّشْرِ مَحْفُوظَةٌ"]),
        "Posted: May 12, 2024 | Photo: AP\n" + "\n".join(EN_PARAGRAPHS) + "\nShare: Facebook | X",
        # Lines of more than the edge's words, fewer than a flow line's.
        "\n".join(
            [
                " ".join(" ".join(EN_PARAGRAPHS).split()[:70]),
                AR_TITLE,
                " ".join(" ".join(AR_PARAGRAPHS).split()[:90]),
            ]
        ),
    ],
)
def test_learning_takes_of_real_pages_what_the_python_code_takes(text: str) -> None:
    _learned_both_ways(text)


# Short lines that labels open, or nearly: separators, spaces and what is not a word before them,
# labels of up to 40 characters and more.
LABEL_LINES = st.lists(
    st.lists(
        st.one_of(
            st.sampled_from(list(":|»›–—") + [" ", "  ", "\t", "\u00a0", "-", "•", "(", "«", "\u200f", "_"]),
            st.sampled_from(["Tags", "Photo", "READ MORE", "اقرأ أيضا", "المصدر", "12", "٣", "x" * 39, "ـ"]),
            st.characters(max_codepoint=0xFFFF, exclude_categories=("Cs",)),
        ),
        max_size=12,
    ).map("".join),
    max_size=6,
).map("\n".join)


@settings(max_examples=400, deadline=None)
@given(LABEL_LINES)
def test_learning_finds_the_labels_of_any_short_lines_as_the_python_code_does(text: str) -> None:
    _learned_both_ways(text)


@settings(max_examples=400, deadline=None)
@given(st.one_of(LABEL_LINES, LABEL_LINES.map(lambda text: text.replace("x", "\U0001d431"))))
def test_site_verdicts_find_the_labels_of_any_short_lines_as_the_python_code_does(text: str) -> None:
    # A site that carries none of the blocks: each short one with a separator may be a template.
    config = Config()
    needs = site_boilerplate._needs(config.rule, config.detectors.site, 100)
    blocks = segment(text)
    verdicts = _core.site_verdicts(
        char_table(),
        text,
        blocks,
        SiteStats(pages=100),
        site_boilerplate._ENTRY_TIME.fullmatch,
        [],
        Decision,
        Kind.SITE_BOILERPLATE,
        needs,
    )
    found = dict(verdicts[3])
    for k, b in enumerate(blocks):
        raw = text[b.start : b.end]
        if b.words > MAX_TEMPLATE_WORDS or not any(c in raw for c in SEPARATORS):
            assert k not in found
        elif any(ord(c) > 0xFFFF for c in raw):  # left to the Python code
            assert found[k] is None
        else:
            assert found.get(k) == label_span(text, b.start, b.end, b.words)


def test_site_verdicts_take_the_blocks_in_the_order_of_their_lines() -> None:
    """The lines beside the article are read block after block: blocks out of their lines'
    order are refused, not judged."""
    config = Config()
    needs = site_boilerplate._needs(config.rule, config.detectors.site, 100)
    text = "\n".join([AR_TITLE, *AR_PARAGRAPHS])
    blocks = segment(text)
    stats = SiteStats(pages=100)
    args = (site_boilerplate._ENTRY_TIME.fullmatch, [], Decision, Kind.SITE_BOILERPLATE, needs)
    table = char_table()
    assert _core.site_verdicts(table, text, blocks, stats, *args)[1] == []
    with pytest.raises(ValueError, match="order of their lines"):
        _core.site_verdicts(table, text, blocks[::-1], stats, *args)


def test_site_needs_are_refused_when_made_not_when_read() -> None:
    """A site's needs are made once and read by every page's call: a table of the pages a block
    needs by its words that does not fit `short_words` is refused when made, naming it."""
    config = Config()
    needs = site_boilerplate._needs(config.rule, config.detectors.site, 100)
    assert site_boilerplate._needs(config.rule, config.detectors.site, 100) is needs
    fields = {
        "least": 2,
        "site_pages": 100,
        "tiny_site": 5,
        "link_words": 8,
        "short_words": 3,
        "headline_words": 14,
        "body_line_words": 12,
        "page_copies": 3,
        "long_needed": 10,
        "paragraph_floor": 3,
        "floor": 2,
        "head_share": 0.5,
        "max_template_words": 12,
        "needed_by_words": (2, 2, 2, 2, 10),
        "no_line": 1 << 62,
        "slot": "0",
    }
    assert isinstance(_core.SiteNeeds(fields), _core.SiteNeeds)
    with pytest.raises(ValueError, match="needed_by_words"):
        _core.SiteNeeds({**fields, "needed_by_words": (2, 2)})
    with pytest.raises(KeyError, match="slot"):
        _core.SiteNeeds({k: v for k, v in fields.items() if k != "slot"})


@settings(max_examples=300, deadline=None)
@given(CUT_TEXT)
def test_line_keys_of_any_text_are_each_lines_normalized_key(text: str) -> None:
    expected = [key for line in text.split("\n") if (key := normalize(line))]
    assert line_keys(text) == expected


@settings(max_examples=300, deadline=None)
@given(CUT_TEXT)
def test_the_lines_keys_joined_are_the_pages_key_where_the_folding_is_fast(text: str) -> None:
    folded = Folded(text)
    if folded.fast:
        assert " ".join(line_keys(text, folded)) == folded.key(0, len(text)) == normalize(text)


@settings(max_examples=500, deadline=None)
@given(CUT_TEXT)
def test_the_lines_keys_are_their_blocks_keys_joined_where_the_folding_is_fast(text: str) -> None:
    folded = Folded(text)
    if folded.fast:
        assert block_line_keys(segment(text, folded)) == line_keys(text, folded)


@settings(max_examples=500, deadline=None)
@given(CUT_TEXT)
def test_the_blocks_keys_joined_are_the_pages_key_where_the_folding_is_fast(text: str) -> None:
    folded = Folded(text)
    if folded.fast:
        assert segmented_page_key(text, folded, segment(text, folded)) == folded.key(0, len(text))


@settings(max_examples=500, deadline=None)
@given(CUT_TEXT)
def test_a_page_cut_with_its_hashes_has_its_blocks_page_key_hashes(text: str) -> None:
    folded = Folded(text)
    blocks, hashes = hashed_segment(text, folded)
    assert blocks == segment(text, folded)
    assert (hashes is not None) == (folded.fast and bool(blocks))
    if hashes is not None:
        assert hashes == segmented_key_hashes(text, folded, blocks)
        assert hashes == page_key_hashes([segmented_page_key(text, folded, blocks)])[0]


def test_a_real_page_cut_with_its_hashes_has_its_keys_hashes() -> None:
    text = REFERENCE_PAGE.read_text(encoding="utf-8")
    folded = Folded(text)
    blocks, hashes = hashed_segment(text, folded)
    assert len(blocks) > 20
    assert hashes == page_key_hashes([segmented_page_key(text, folded, blocks)])[0] is not None


@settings(max_examples=300, deadline=None)
@given(CUT_TEXT, st.integers(1, 6))
def test_a_texts_shingles_are_its_line_keys_shingles(text: str, size: int) -> None:
    expected = keys_shingles([line_keys(text)], size)[0]
    assert np.array_equal(text_shingles(text, size), expected)


@pytest.mark.parametrize("size", [1, 5])
def test_a_real_pages_shingles_are_its_line_keys_shingles(size: int) -> None:
    text = REFERENCE_PAGE.read_text(encoding="utf-8")
    expected = keys_shingles([line_keys(text)], size)[0]
    assert len(expected) > 100
    assert np.array_equal(text_shingles(text, size), expected)


def test_line_keys_of_a_real_page_are_each_lines_normalized_key() -> None:
    text = REFERENCE_PAGE.read_text(encoding="utf-8")
    assert Folded(text).fast
    keys = line_keys(text)
    assert block_line_keys(segment(text)) == keys
    assert keys == [key for line in text.split("\n") if (key := normalize(line))]
    assert "شارك المقال مع اصدقايك علي مواقع التواصل الاجتماعي" in keys


def _slots_here(words: list[str]) -> list[str]:
    """`slot_words` as written in Python: a month or weekday name, or a word with a digit that is
    not all letters, is the slot."""
    return [
        SLOT if w in SLOT_WORDS or (not w.isalpha() and any(c.isdigit() for c in w)) else w for w in words
    ]


def _grams_here(words: list[str]) -> list[int]:
    """`gram_hashes` as written in Python: the slot words, then xxh3 of each 3-gram, shifted once."""
    slotted = _slots_here(words)
    grams = (" ".join(slotted[i : i + 3]) for i in range(len(slotted) - 2))
    return [xxhash.xxh3_64_intdigest(g.encode("utf-8", "surrogatepass")) >> 1 for g in grams]


def _edge_counts_both_ways(text: str) -> None:
    """`edge_counts` of a page against `gram_counts` of its `edge_words`, the site's counts
    holding every other 3-gram at each edge (and the one at the other edge unsalted)."""
    folded = Folded(text)
    blocks = segment(text, folded)
    if not blocks:
        return
    head, tail = edge_words(text, blocks, folded)
    counts = {h ^ EDGE_SALT: 3 for h in gram_hashes(head.words)[::2]}
    counts |= {h ^ TAIL_SALT: 5 for h in gram_hashes(tail.words)[1::2]} | dict.fromkeys(
        gram_hashes(head.words), 7
    )
    expected = (gram_counts(head.words, counts, EDGE_SALT), gram_counts(tail.words, counts, TAIL_SALT))
    assert edge_counts(text, blocks, folded, counts) == expected


@settings(max_examples=300, deadline=None)
@given(CUT_TEXT)
def test_edge_counts_are_the_counts_of_the_edge_words_3_grams(text: str) -> None:
    _edge_counts_both_ways(text)


def test_edge_counts_of_real_pages() -> None:
    # A nav bar and a footer around an article, on lines of their own and glued on one line.
    for title, paragraphs in ((AR_TITLE, AR_PARAGRAPHS), (EN_TITLE, EN_PARAGRAPHS)):
        lines = ["Home | News | Sport", title, *paragraphs, "About us | Contact | Privacy"]
        for text in ("\n".join(lines), " ".join(lines)):
            assert Folded(text).fast
            _edge_counts_both_ways(text)


GRAM_WORD = st.one_of(
    st.sampled_from(
        ["May", "may", "الأحد", "مايو", "١٢", "12", "3rd", "x2", "²", "Ⅻ", "", "中文", "👍", "\ud800"]
    ),
    st.text(st.characters(max_codepoint=0xFFFF, exclude_categories=("Cs", "Zs")), max_size=4),
)


@settings(max_examples=300, deadline=None)
@given(st.lists(GRAM_WORD, max_size=12))
def test_gram_hashes_are_the_python_definition(words: list[str]) -> None:
    assert gram_hashes(words) == _grams_here(words)


def test_gram_hashes_of_real_words() -> None:
    words = words_with_offsets(" ".join([EN_TITLE, *EN_PARAGRAPHS, AR_TITLE, *AR_PARAGRAPHS])).words
    assert _core.gram_hashes(char_table(), words) is not None
    assert gram_hashes(words) == _grams_here(words)


@settings(max_examples=300, deadline=None)
@given(st.lists(GRAM_WORD, max_size=12), st.sampled_from([0, EDGE_SALT, TAIL_SALT]))
def test_gram_counts_are_the_counts_of_the_gram_hashes(words: list[str], salt: int) -> None:
    hashes = _grams_here(words)
    counts = Counter({h ^ salt: i + 2 for i, h in enumerate(hashes) if i % 2 == 0})
    expected = [counts.get(h ^ salt, 0) for h in hashes]
    assert gram_counts(words, counts, salt) == expected
    assert gram_counts(words, MappingProxyType(counts), salt) == expected  # not a dict: no core


@settings(max_examples=300, deadline=None)
@given(st.lists(GRAM_WORD, max_size=12))
def test_slot_words_are_the_python_definition(words: list[str]) -> None:
    assert slot_words(words) == _slots_here(words)


def test_slot_words_of_real_words() -> None:
    text = "الأحد 12 مايو 2024 قال الوزير في 3rd May report x2 ²"
    words = words_with_offsets(text).words
    assert _core.slotted_words(char_table(), words) is not None
    assert slot_words(words) == _slots_here(words)
    assert slot_words(words).count(SLOT) == 7 and "الوزير" in slot_words(words)


def test_segment_refuses_a_folded_text_that_does_not_fit() -> None:
    with pytest.raises(ValueError, match="does not fit"):
        _core.segment(char_table(), "abc", "ab", b"", Block)
    with pytest.raises(ValueError, match="past the BMP"):
        _core.segment(char_table(), "a😀", "a😀", b"", Block)


def test_segment_makes_each_block_as_the_class_given() -> None:
    text = "عنوان الخبر\nThe minister said 3 things. He left."
    blocks = _core.segment(char_table(), text, *Folded(text).kept_span(0, len(text)), Block)
    assert all(type(b) is Block for b in blocks)
    assert blocks == segment_here(text, Folded(text))  # field for field, as Python makes them
    assert len(blocks) == 3 and blocks[1].shape != blocks[1].key  # "3" is a slot in the shape
    with pytest.raises(TypeError, match="a block is a tuple"):
        _core.segment(char_table(), text, text, b"", list)


def reference_word_shingles(pages: list[list[str]], size: int) -> list[list[int]]:
    """The definition: the xxh32 of each key's runs of `size` words (a shorter key whole; a line
    break ends a key), sorted and distinct for each page."""
    out = []
    for keys in pages:
        hashes = set()
        for key in filter(None, keys):
            for part in key.split("\n"):
                words = part.split(" ")
                for first in range(max(1, len(words) - size + 1)):
                    gram = " ".join(words[first : first + size]).encode("utf-8", "surrogatepass")
                    hashes.add(xxhash.xxh32_intdigest(gram))
        out.append(sorted(hashes))
    return out


KEY = st.lists(st.sampled_from(["قال", "الوزير", "a", "bb", "", "\n", "\ud800", "é", "😀"]), max_size=12).map(
    " ".join
)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.lists(KEY, max_size=6), max_size=5), st.integers(1, 6))
def test_word_shingles_are_the_definitions(pages: list[list[str]], size: int) -> None:
    got = [np.frombuffer(h, "<u4").tolist() for h in _core.word_shingles(pages, size)]
    assert got == reference_word_shingles(pages, size)


def test_word_shingles_of_real_lines() -> None:
    pages = [
        line_keys("\n".join([AR_TITLE, *AR_PARAGRAPHS])),
        line_keys("\n".join([EN_TITLE, *EN_PARAGRAPHS])),
    ]
    got = [np.frombuffer(h, "<u4").tolist() for h in _core.word_shingles(pages, 5)]
    assert got == reference_word_shingles(pages, 5)
    assert all(len(g) > 20 for g in got)
    with pytest.raises(ValueError, match="1 word or more"):
        _core.word_shingles(pages, 0)


def test_folded_words_refuse_flags_that_do_not_fit() -> None:
    """The words of a folded span come from `Folded.words` (tests/test_folded.py checks them against
    a token loop); the core refuses flags of another length, a span outside them, positions that
    do not rise, or a letter outside a token."""
    with pytest.raises(ValueError, match="do not fit"):
        _core.folded_words(b"\x01\x01", b"\x01", "ab", b"", 0, 2)
    with pytest.raises(ValueError, match="do not fit"):
        _core.folded_words(b"\x01\x01", b"\x01\x01", "ab", b"", 1, 3)
    with pytest.raises(ValueError, match="do not fit"):
        at = np.array([0, 2, 1], "<u4").tobytes()
        _core.folded_words(b"\x01\x01", b"\x01\x01", "ab", at, 0, 2)
    with pytest.raises(ValueError, match="do not fit"):
        _core.folded_words(b"\x00\x01", b"\x01\x01", "ab", b"", 0, 2)
    text = "xy. ab a"
    flags = b"\x01\x01\x00\x00\x01\x01\x00\x01"
    words, starts, ends = _core.folded_words(flags, flags, text, b"", 4, 8)
    assert words == ["ab", "a"]
    assert np.frombuffer(starts, "<i8").tolist() == [4, 7] and np.frombuffer(ends, "<i8").tolist() == [6, 8]


def _nfkc_reference(text: str) -> str | None:
    """Each character's NFKC form where each is of BMP characters (a space for several punctuation
    marks), the result NFKC as a whole."""
    if any(0xD800 <= ord(c) < 0xE000 for c in text):
        return None
    forms = [unicodedata.normalize("NFKC", c) for c in text]
    forms = [" " if len(f) > 1 and regex.fullmatch(r"\p{P}+", f) else f for f in forms]
    if any(ord(c) >= 0x10000 or any(ord(x) >= 0x10000 for x in f) for c, f in zip(text, forms, strict=True)):
        return None
    replaced = "".join(forms)
    return replaced if unicodedata.is_normalized("NFKC", replaced) else None


@settings(max_examples=500, deadline=None)
@given(
    st.lists(
        st.one_of(
            st.sampled_from(
                ["\u00a0", "ﬁ", "²", "\u212a", "J\u030c", "\ufdfa", "\ufa6c", "\ud800", "😀"]
                + ["ﻻ", "…", "™", "⑴", "\ufc5e"]
            ),
            st.characters(exclude_categories=()),
        ),
        max_size=20,
    ).map("".join)
)
def test_nfkc_by_char_is_the_definition(text: str) -> None:
    assert _nfkc_by_char(text) == _nfkc_reference(text)
    # A text folded by its characters' forms is one they replace, and the folding finds the same
    # of whether those are settled.
    found = _core.nfkc_by_char(core_fold_table(), text, True)
    folded = _core.fold(core_fold_table(), text, True, True)
    if folded is not None:
        assert found is not None and folded[5] == found[1]


_DROPPED = [chr(c) for c in [*range(0x610, 0x61B), *range(0x64B, 0x660), 0x670, *range(0x6D6, 0x6EE), 0x640]]


@settings(max_examples=1500, deadline=None)
@given(
    st.lists(
        st.one_of(
            st.sampled_from(_DROPPED + list("ابتهوي أإآؤئۀۓ ﷺﻻ") + ["\u200b", "\u200d", "\ufeff", "\u00ad"]),
            st.sampled_from(
                list("aeAJ=ç가각") + ["\u0301", "\u0300", "\u0327", "\u030c", "\u0338", "\u1161", "\u11a8"]
            ),
            st.characters(max_codepoint=0xFFFF, exclude_categories=("Cs",)),
        ),
        max_size=16,
    ).map("".join)
)
def test_a_text_of_settled_characters_is_nfkc_but_for_the_order_of_its_dropped_marks(text: str) -> None:
    """Where the core finds every character of the NFKC forms settled, NFKC only moves the marks
    that `normalize` drops: it is not asked."""
    found = _core.nfkc_by_char(core_fold_table(), text)
    if found is None or not found[1]:
        return
    replaced = found[0]
    kept = _DROP.sub("", replaced)
    assert _DROP.sub("", unicodedata.normalize("NFKC", replaced)) == kept
    assert unicodedata.is_normalized("NFKC", kept)


def test_harakat_out_of_order_are_settled_and_a_hamza_above_is_not() -> None:
    table = core_fold_table()
    shadda_first = "قالَ مُحَمَّدَّ"  # a shadda typed before its fatha: not NFKC
    assert not unicodedata.is_normalized("NFKC", shadda_first)
    assert _core.nfkc_by_char(table, shadda_first) == (shadda_first, True)
    assert _nfkc_by_char(shadda_first) == shadda_first
    hamza = "سأل"  # composes into "سأل": the letter changes
    assert _core.nfkc_by_char(table, hamza) == (hamza, False)
    assert _nfkc_by_char(hamza) is None


def test_nfkc_by_char_of_a_real_page_with_no_break_spaces() -> None:
    text = "\u00a0".join([AR_TITLE, *AR_PARAGRAPHS, EN_TITLE, *EN_PARAGRAPHS])
    assert _nfkc_by_char(text) == text.replace("\u00a0", " ")
    assert Folded(text).key(0, len(text)) == normalize(text)


# Keys made of the default lists' words, glued to each other and to other words.
_WIDGET_WORDS = sorted(
    {w for p in (*widgets.PHRASES, *widgets.LABELS, *widgets.LINK_PREFIXES) for w in normalize(p).split()}
)
WIDGET_KEY = st.lists(
    st.one_of(st.sampled_from(_WIDGET_WORDS), st.sampled_from(["قال", "the", "news", "", "\ud800", "0"])),
    max_size=24,
).map(" ".join)


@settings(max_examples=500, deadline=None)
@given(st.lists(WIDGET_KEY, max_size=8), st.sampled_from([(), ("re:^news",), ("قال الوزير",)]))
def test_widgets_are_matched_by_the_core_as_the_python_code_matches_each_key(
    keys: list[str], patterns: tuple[str, ...]
) -> None:
    matcher = widgets.WidgetMatcher.build(patterns)
    assert matcher.table is not None
    assert matcher.match_all(keys) == [matcher.match(key) for key in keys]


def test_widgets_of_a_real_page_are_the_same_from_the_core() -> None:
    text = REFERENCE_PAGE.read_text(encoding="utf-8")
    keys = [b.key for b in segment(text)]
    matcher = widgets.WidgetMatcher.build()
    found = matcher.match_all(keys)
    assert found == [matcher.match(key) for key in keys]
    assert "شارك المقال" in found  # the share widget after the article
    assert matcher.match_all(["read more the minister's visit", "share"]) == ["read more …", "share"]


def _widget_decisions_both_ways(text: str) -> list[Decision]:
    """`widgets.detect` of a page's blocks by the core's decisions and by the Python code's (a
    matcher without its core table), the same."""
    blocks = segment(text)
    matcher = widgets.WidgetMatcher.build()
    here = widgets.WidgetMatcher.build()
    object.__setattr__(here, "table", None)
    made = widgets.detect(blocks, matcher)
    assert made == widgets.detect(blocks, here)
    assert all(type(d) is Decision for d in made)
    return made


@settings(max_examples=300, deadline=None)
@given(st.lists(WIDGET_KEY, max_size=8))
def test_widget_decisions_are_made_by_the_core_as_the_python_code_makes_them(keys: list[str]) -> None:
    _widget_decisions_both_ways("\n".join(keys))


def test_widget_decisions_of_a_real_page() -> None:
    made = _widget_decisions_both_ways(REFERENCE_PAGE.read_text(encoding="utf-8"))
    assert {"phrase": "شارك المقال"} in [d.evidence for d in made]
    made = _widget_decisions_both_ways("Read more: the minister's visit\nThe minister came.\nShare")
    assert [(d.kind, d.evidence["phrase"]) for d in made] == [
        (Kind.READ_ALSO, "read more …"),
        (Kind.WIDGET, "share"),
    ]


def test_a_widget_matcher_goes_to_a_worker_and_matches_there_too() -> None:
    matcher = widgets.WidgetMatcher.build(["re:^news", "Sponsored by"])
    again = pickle.loads(pickle.dumps(matcher))
    assert again.phrases == matcher.phrases and again.table is not None
    keys = ["news of the day", "sponsored by acme", "share this article", "قال الوزير"]
    assert again.match_all(keys) == matcher.match_all(keys) == [matcher.match(k) for k in keys]


def _removed_by_reference(blocks: list[tuple[int, int]], decisions: list[tuple[int, int]]) -> list[int]:
    """The index of the first decision overlapping each block, where the overlapping ones cover
    0.9 of it; -1 where they do not."""
    out = []
    for b_start, b_end in blocks:
        over = [j for j, (s, e) in enumerate(decisions) if s < b_end and e > b_start]
        covered = sum(min(decisions[j][1], b_end) - max(decisions[j][0], b_start) for j in over)
        out.append(over[0] if over and covered >= 0.9 * (b_end - b_start) else -1)
    return out


# A page's blocks (gap before, length: in order, apart) and its decisions (start, length).
BLOCKS_AND_DECISIONS = (
    st.lists(st.tuples(st.integers(0, 3), st.integers(1, 12)), max_size=10),
    st.lists(st.tuples(st.integers(0, 80), st.integers(0, 30)), max_size=10),
)


def _blocks_and_decisions(
    gaps: list[tuple[int, int]], spans: list[tuple[int, int]]
) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
    """The blocks and the decisions, as (start, end)."""
    blocks, pos = [], 0
    for gap, length in gaps:
        blocks.append((pos + gap, pos + gap + length))
        pos += gap + length
    return blocks, [(s, s + n) for s, n in spans]


@dataclass
class _Span:
    """What the core reads of a decision; its kind here is its index."""

    start: int
    end: int
    kind: str = ""


def _objects(spans: list[tuple[int, int]]) -> list[_Span]:
    """The spans as the core reads decisions."""
    return [_Span(s, e, str(j)) for j, (s, e) in enumerate(spans)]


def _blocks(spans: list[tuple[int, int]]) -> list[Block]:
    """The spans as blocks (the core reads their start and end)."""
    return [Block(s, e, "", 0, True, 0, 0, "") for s, e in spans]


@settings(max_examples=500, deadline=None)
@given(*BLOCKS_AND_DECISIONS)
def test_removed_kinds_are_the_definition(gaps: list[tuple[int, int]], spans: list[tuple[int, int]]) -> None:
    blocks, decisions = _blocks_and_decisions(gaps, spans)
    found = _core.removed_kinds(_blocks(blocks), _objects(decisions), 0.9)
    assert found == [str(j) if j >= 0 else None for j in _removed_by_reference(blocks, decisions)]


def _pieces_left_reference(
    blocks: list[tuple[int, int]], decisions: list[tuple[int, int]]
) -> list[tuple[int, int, int]]:
    """The spans of each block between the decisions that overlap it, in order."""
    out = []
    for k, (b_start, b_end) in enumerate(blocks):
        pos = b_start
        for s, e in sorted((s, e) for s, e in decisions if s < b_end and e > b_start) + [(b_end, b_end)]:
            if s > pos:
                out.append((k, pos, s))
            pos = max(pos, e)
    return out


@settings(max_examples=500, deadline=None)
@given(*BLOCKS_AND_DECISIONS)
def test_blocks_left_are_the_definition(gaps: list[tuple[int, int]], spans: list[tuple[int, int]]) -> None:
    blocks, decisions = _blocks_and_decisions(gaps, spans)
    whole = [Block(s, e, "", k // 2, True, 9, 1, "") for k, (s, e) in enumerate(blocks)]  # two a line

    def piece(k: int, start: int, end: int) -> Block | None:
        # A piece of one character holds no word, and is left out.
        return None if end - start < 2 else Block(start, end, "", k // 2, False, 0, 1, "")

    found = _core.blocks_left(whole, _objects(decisions), piece)
    pieces = _pieces_left_reference(blocks, decisions)
    assert [(b.start, b.end) for b in found] == [
        (s, e) for k, s, e in pieces if (s, e) == blocks[k] or e - s >= 2
    ]
    for b in found:  # each line holds the words left of it, a word a block
        assert b.line_words == sum(other.line == b.line for other in found)


@settings(max_examples=500, deadline=None)
@given(*BLOCKS_AND_DECISIONS, st.data())
def test_left_within_is_the_definition(
    gaps: list[tuple[int, int]], spans: list[tuple[int, int]], data: st.DataObject
) -> None:
    blocks, decisions = _blocks_and_decisions(gaps, spans)
    within = set(data.draw(st.lists(st.sampled_from(blocks), max_size=len(blocks)))) if blocks else set()
    pieces = _pieces_left_reference(blocks, decisions)
    expected = all((s, e) == blocks[k] and (s, e) in within for k, s, e in pieces)
    assert _core.left_within(_blocks(blocks), _objects(decisions), within) == expected


@settings(max_examples=400, deadline=None)
@given(CUT_TEXT, st.integers(2, 30))
def test_block_texts_are_each_blocks_excerpt(text: str, limit: int) -> None:
    blocks = segment(text)
    spans = ([b.start for b in blocks], [b.end for b in blocks], [b.words for b in blocks])
    found = _core.block_texts(char_table(), text, *spans, limit, MAX_TEMPLATE_WORDS)
    assert found is not None
    texts, labelled = found
    assert texts == [excerpt(text[b.start : b.end], limit) for b in blocks]
    labels = [k for k, b in enumerate(blocks) if label_prefix(text[b.start : b.end], b.words) is not None]
    assert set(labels) <= set(labelled)


@settings(max_examples=500, deadline=None)
@given(st.text(st.characters(exclude_categories=())))
def test_a_texts_utf8_size_is_its_encodings(text: str) -> None:
    assert utf8_size(text) == len(text.encode("utf-8", "surrogatepass"))


def test_a_huge_texts_utf8_size_is_counted_a_part_at_a_time() -> None:
    """Past the core's chunk of 65,536 characters, with characters of every width on both sides."""
    text = ("نص عربي. plain text \U0001f600 \ud800 ü" * 4000)[:150_001]
    assert utf8_size(text) == len(text.encode("utf-8", "surrogatepass"))


def test_block_texts_of_a_real_page_and_of_one_with_a_lone_surrogate() -> None:
    text = REFERENCE_PAGE.read_text(encoding="utf-8")
    blocks = segment(text)
    spans = ([b.start for b in blocks], [b.end for b in blocks], [b.words for b in blocks])
    found = _core.block_texts(char_table(), text, *spans, 200, MAX_TEMPLATE_WORDS)
    assert found is not None
    assert found[0] == [excerpt(text[b.start : b.end]) for b in blocks]
    assert _core.block_texts(char_table(), "a\ud800 b", [0], [4], [2], 200, 16) is None


DIGIT_KEY = st.lists(
    st.one_of(
        st.sampled_from(["12", "٣", "۴", "१", "²", "½", "0", " ", "مايو", "a", "\U0001d7ce", "\ud800"]),
        st.characters(max_codepoint=0xFFFF, exclude_categories=("Cs",)),
    ),
    max_size=12,
).map("".join)


@settings(max_examples=500, deadline=None)
@given(st.lists(DIGIT_KEY, max_size=4))
def test_exact_hashes_are_each_keys_hash_and_its_masked_hash(keys: list[str]) -> None:
    found = _core.exact_hashes(char_table(), keys)
    if any(c >= "\U00010000" or "\ud800" <= c <= "\udfff" for k in keys for c in k):
        assert found is None  # the table classes the BMP only; Python masks those
        return
    assert found is not None
    exact, masked = (np.frombuffer(h, "<u8").tolist() for h in found)
    assert exact == [exact_hash(k) for k in keys]
    assert masked == [exact_hash(mask_digits(k)) for k in keys]


def _key_hashes_both_ways(text: str) -> None:
    """A page's key hashes made from its blocks' keys are those of its key (`page_key_hashes`)."""
    folded = Folded(text)
    blocks = segment(text, folded)
    expected = page_key_hashes([segmented_page_key(text, folded, blocks)])[0]
    assert segmented_key_hashes(text, folded, blocks) == expected
    if folded.fast and blocks and (made := _core.block_key_hashes(char_table(), blocks)) is not None:
        assert made == expected


@settings(max_examples=400, deadline=None)
@given(st.one_of(CUT_TEXT, st.lists(DIGIT_KEY, max_size=6).map("\n".join)))
def test_a_pages_key_hashes_from_its_blocks_are_its_keys(text: str) -> None:
    _key_hashes_both_ways(text)


def test_a_real_pages_key_hashes_from_its_blocks() -> None:
    for text in (
        REFERENCE_PAGE.read_text(encoding="utf-8"),
        "نشر في ١٨ مايو ٢٠١٩. Posted 3 May 2024\n12 34 x5",
    ):
        assert Folded(text).fast
        _key_hashes_both_ways(text)
    assert segmented_key_hashes("", Folded(""), []) is None


def test_a_date_lines_masked_hash_is_another_dates() -> None:
    found = _core.exact_hashes(char_table(), ["نشر في ١٨ مايو ٢٠١٩", "نشر في 3 مايو 2024", "posted"])
    assert found is not None
    exact, masked = (np.frombuffer(h, "<u8").tolist() for h in found)
    assert exact[0] != exact[1] and masked[0] == masked[1] == exact_hash("نشر في 0 مايو 0")
