"""The site model on its own: counting pages, near-identical variants, forgetting, what it lists."""

from __future__ import annotations

import pytest
from conftest import AR_PAGE, EN_PAGE, REFERENCE_PAGE
from hypothesis import given, settings
from hypothesis import strategies as st

from dedup._core import furniture_runs, variant_clusters
from dedup.config import Config, Rule
from dedup.features import PageCounts, PageRecord, excerpt, learning_pages
from dedup.fingerprint import char_shingles
from dedup.model import FORGET_MIN_PAGES, Learned, SingleShapes, SiteModel
from dedup.page import Block
from dedup.segment import segment

NAV_AR = "الرئيسية اخبار محلية اقتصاد رياضة"
NAV_EN = "home news local business sport"
FOOTER_AR = "جميع الحقوق محفوظة لجريدة الاخبار اليومية 0"
FOOTER_EN = "all rights reserved daily courier 0"
DATE_AR = "اخر تحديث 0"
DATE_EN = "updated 0"


def page(
    n: int,
    shapes: tuple[str, ...],
    site: str = "news.example",
    head: tuple[str, ...] = (),
    labels: tuple[str, ...] = (),
    grams: tuple[int, ...] = (),
    examples: dict[str, str] | None = None,
) -> PageCounts:
    """The counts of one page: its own article sentence (`article n`) besides the shapes given,
    with the texts given (`examples`: key -> its text on the page)."""
    own = (f"article sentence number {n} of its own",)
    return PageCounts(
        site,
        n,
        frozenset(shapes + own),
        frozenset(head),
        frozenset(labels),
        frozenset(grams),
        examples or {},
    )


def test_each_page_counts_once_and_an_exact_repeat_not_at_all() -> None:
    model = SiteModel()
    for n in range(5):
        assert model.add(page(n, (NAV_AR, NAV_EN))) == 0
    assert model.add(page(3, (NAV_AR, NAV_EN))) is None  # the same page fetched again
    stats = model.sites["news.example"]
    assert stats.pages == 5
    assert stats.pages_with(NAV_AR) == (5, NAV_AR) and stats.pages_with(NAV_EN) == (5, NAV_EN)
    assert stats.pages_with("article sentence number 1 of its own") == (
        1,
        "article sentence number 1 of its own",
    )


def test_a_line_counts_in_the_head_only_on_pages_that_open_with_it() -> None:
    # A linked title repeats on many pages, but only its own article carries it above the body.
    title = "وزارة الصحة تطلق حملة تطعيم وطنية"
    model = SiteModel()
    for n in range(6):
        model.add(page(n, (title,), head=(title,) if n == 0 else ()))
    stats = model.sites["news.example"]
    assert stats.pages_with(title) == (6, title)
    assert stats.pages_with(title, head=True) == (1, title)


def test_near_identical_variants_count_together_after_finalize() -> None:
    # The same footer with a word changed, and the English one with a typo: one furniture each.
    variants_ar = ["جميع الحقوق محفوظة لجريدة الاخبار اليومية", "كل الحقوق محفوظة لجريدة الاخبار اليومية"]
    variants_en = ["all rights reserved by the daily courier", "all rights reserved by the daily courrier"]
    model = SiteModel()
    for n in range(8):
        model.add(page(n, (variants_ar[n % 2], variants_en[n % 2])))
    model.finalize()
    stats = model.sites["news.example"]
    for variants in (variants_ar, variants_en):
        pages, exemplar = stats.pages_with(variants[0])
        assert pages == 8 and exemplar in variants
        assert stats.pages_with(variants[1]) == (8, exemplar)
        assert sorted(stats.members(exemplar)) == sorted(variants)
    # The Rust core reads the same counts, a page's shapes at once; a shape never seen has none.
    shapes = [*variants_ar, *variants_en, "سطر لم يظهر"]
    blocks = [Block(k, k + 1, s, k, True, 6, 6, s) for k, s in enumerate(shapes)]
    needs = {"short_words": 4, "article_gap": 8, "floor": 3, "tail_floor": 3}
    seen, _, _ = furniture_runs(blocks, [None] * len(blocks), frozenset(), stats, [], needs)
    assert seen == [stats.pages_with(s)[0] for s in shapes] == [8, 8, 8, 8, 0]


def test_a_label_and_a_line_holding_it_whole_are_not_variants() -> None:
    # "Read more" and "Read more: <a title>" differ in few characters but are not one line.
    short, long = "اقرأ أيضا على الموقع", "اقرأ أيضا على الموقع حملة"
    model = SiteModel(rule=Rule(variant_similarity=0.5))
    for n in range(6):
        model.add(page(n, (short if n % 2 else long,)))
    model.finalize()
    stats = model.sites["news.example"]
    assert stats.pages_with(short) == (3, short) and stats.pages_with(long) == (3, long)


def _clusters_as_sets(keys: list[str], roots: list[int]) -> set[frozenset[int]]:
    found: dict[int, set[int]] = {}
    for k, root in enumerate(roots):
        found.setdefault(root, set()).add(k)
    return {frozenset(members) for members in found.values()}


def _reference_clusters(
    keys: list[str], pairs: list[tuple[int, int]], size: int, similarity: float
) -> list[int]:
    """The variant merge's rule in Python: two keys join where neither holds the other whole
    between spaces and their character n-grams' Jaccard is `similarity` or more."""
    parent = list(range(len(keys)))

    def find(i: int) -> int:
        while parent[i] != i:
            i = parent[i]
        return i

    for i, j in pairs:
        short, long = sorted((keys[i], keys[j]), key=len)
        if f" {short} " in f" {long} ":
            continue
        a, b = char_shingles(keys[i], size), char_shingles(keys[j], size)
        if len(a & b) / len(a | b) >= similarity:
            parent[find(j)] = find(i)
    return [find(k) for k in range(len(keys))]


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.text(st.sampled_from("ab جمع\u0651\ud800"), max_size=12), min_size=1, max_size=8),
    st.data(),
    st.integers(1, 4),
    st.sampled_from([0.3, 0.5, 0.7, 1.0]),
)
def test_variant_clusters_follow_the_rule_on_any_keys(
    keys: list[str], data: st.DataObject, size: int, similarity: float
) -> None:
    # Lone surrogates, Arabic marks, keys shorter than an n-gram, keys held whole in others.
    index = st.integers(0, len(keys) - 1)
    pairs = data.draw(st.lists(st.tuples(index, index), max_size=12))
    found = variant_clusters(keys, pairs, size, similarity)
    expected = _reference_clusters(keys, pairs, size, similarity)
    assert _clusters_as_sets(keys, found) == _clusters_as_sets(keys, expected)


def test_finalize_drops_word_grams_seen_on_one_page() -> None:
    model = SiteModel()
    for n in range(4):
        model.add(page(n, (NAV_EN,), grams=(11, 100 + n)))
    model.finalize()
    assert dict(model.sites["news.example"].grams) == {11: 4}


def test_a_line_keeps_the_text_of_its_second_page_and_a_line_seen_once_none() -> None:
    model = SiteModel()
    dated = "آخر تحديث: {day} مارس 2024"
    for n in range(4):
        shapes = (DATE_AR, f"article sentence number {n}")
        texts = {DATE_AR: dated.format(day=n + 10), "P:اخر تحديث": dated.format(day=n + 10)}
        model.add(page(n, shapes, labels=("P:اخر تحديث",), examples=texts))
        if n == 0:
            assert model.sites["news.example"].examples == {}  # seen on one page: no text kept
    examples = model.sites["news.example"].examples
    # Kept from the second page, and not replaced by later pages; a sentence of one page keeps none.
    assert examples == {DATE_AR: "آخر تحديث: 11 مارس 2024", "P:اخر تحديث": "آخر تحديث: 11 مارس 2024"}


def test_counts_read_back_from_the_learning_spool_keep_the_same_texts() -> None:
    """The spool writes a page's examples with its counts: the texts kept are those of the counts
    as they were made."""
    direct, spooled = SiteModel(), SiteModel()
    config = Config()
    for n in range(5):
        text = f"Home | World | Sport\nآخر تحديث: {n + 10} مارس 2024\nنص المقال رقم {n} وحده هنا.\n"
        ((_, record),) = learning_pages([("news.example", text)], config.settings, config.rule.short_words)
        read = PageRecord.loads(record.dumps())
        assert read == record and read.counts() == record.counts()
        direct.add(record.counts())
        spooled.add(read.counts())
    assert spooled.sites["news.example"].examples == direct.sites["news.example"].examples
    assert spooled.sites["news.example"].examples[DATE_AR] == "آخر تحديث: 11 مارس 2024"


def test_learned_lines_show_their_text_once_most_pages_first() -> None:
    model = SiteModel()
    for n in range(10):
        shapes = (NAV_EN, FOOTER_EN, DATE_EN) if n < 9 else (NAV_EN,)
        texts = {
            NAV_EN: "Home | News | Local | Business | Sport",
            FOOTER_EN: f"All rights reserved, Daily Courier {2015 + n}",
            DATE_EN: f"Updated: {n + 1} March 2024",
            "P:updated": f"Updated: {n + 1} March 2024",
            "P:read more": f"Read more: story {n}",
        }
        labels = ("P:updated",) if n < 9 else ()
        model.add(page(n, shapes, labels=labels + (("P:read more",) if n < 4 else ()), examples=texts))
    assert model.learned("news.example") == [
        Learned(10, ("block",), "Home | News | Local | Business | Sport", (NAV_EN,)),
        Learned(9, ("block",), "All rights reserved, Daily Courier 2016", (FOOTER_EN,)),
        # The date line, learned whole and by its label, is one row.
        Learned(9, ("block", "label"), "Updated: 2 March 2024", (DATE_EN, "P:updated")),
        Learned(4, ("label",), "Read more: story 1", ("P:read more",)),
    ]


def test_a_learned_line_without_a_kept_text_shows_its_key() -> None:
    model = SiteModel(rule=Rule(tiny_site_floor=1))
    model.add(page(0, (NAV_EN,), labels=("P:read more",)))
    rows = [(r.text, r.kinds) for r in model.learned("news.example")]
    assert (NAV_EN, ("block",)) in rows and ("read more: …", ("label",)) in rows


def test_forgetting_lets_the_examples_of_forgotten_lines_go() -> None:
    model = SiteModel(forget_after=30)
    for n in range(FORGET_MIN_PAGES):
        model.add(page(n, (NAV_AR,), examples={NAV_AR: "الرئيسية | أخبار"}), day=0)
    for n in range(FORGET_MIN_PAGES, 2 * FORGET_MIN_PAGES):
        model.add(page(n, (FOOTER_AR,), examples={FOOTER_AR: "جميع الحقوق محفوظة 2024"}), day=20)
    stats = model.sites["news.example"]
    assert stats.examples.keys() == {NAV_AR, FOOTER_AR}
    model.add(page(9999, (FOOTER_AR,)), day=40)  # the generation of the nav bar goes
    assert stats.examples == {FOOTER_AR: "جميع الحقوق محفوظة 2024"}


def test_forgetting_opens_a_new_generation_only_once_the_current_one_is_full() -> None:
    model = SiteModel(forget_after=30)  # generations of 15 days
    assert model.add(page(0, (NAV_AR,)), day=0) == 0
    # A slow site: a page a month later still joins the only generation it has.
    assert model.add(page(1, (NAV_AR,)), day=40) == 0
    for n in range(2, FORGET_MIN_PAGES + 1):
        model.add(page(n, (NAV_AR,)), day=1)
    stats = model.sites["news.example"]
    assert stats.pages == FORGET_MIN_PAGES + 1
    assert model.add(page(1000, (FOOTER_AR,)), day=40) == 2  # the first generation is full: a new one
    assert stats.current is not None and stats.current.pages == 1
    assert stats.pages == FORGET_MIN_PAGES + 2  # the previous generation is kept as well
    for n in range(1001, 1000 + FORGET_MIN_PAGES):  # later pages fill generation 2
        assert model.add(page(n, (FOOTER_AR,)), day=50) == 2
    assert model.add(page(5000, (FOOTER_AR,)), day=80) == 5  # generation 0 goes; 2 is kept
    assert stats.shapes[NAV_AR] == 0 and stats.shapes[FOOTER_AR] == FORGET_MIN_PAGES + 1
    assert model.add(page(6000, (NAV_AR,)), day=1) is None  # older than what is kept


def test_single_shapes_come_back_in_order_surrogates_and_all() -> None:
    single = SingleShapes()
    shapes = [f"جملة من المقال رقم {n}" for n in range(3000)] + [
        "a lone \ud800 surrogate",
        "sentence of its own",
    ]
    single.add(shapes[:2000])
    single.add(shapes[2000:])
    assert len(single) == len(shapes)
    assert single.chunks  # compressed a chunk at a time
    assert list(single.keys()) == shapes


@pytest.mark.parametrize(
    "text", [REFERENCE_PAGE.read_text(encoding="utf-8"), AR_PAGE, EN_PAGE + "\nShare: X \ud800"]
)
def test_a_learned_pages_examples_are_its_blocks_texts_also_read_back_from_the_spool(text: str) -> None:
    # The Rust core's page and one with a lone surrogate (made in Python) alike: each shape's
    # text is its first block's, and every label has one.
    blocks = segment(text)
    ((_, record),) = learning_pages([("news.example", text)], Config().settings, Config().rule.short_words)
    counts = record.counts()
    texts = {}
    for b in reversed(blocks):
        texts[b.shape] = excerpt(text[b.start : b.end])
    assert {k: t for k, t in counts.examples.items() if k in counts.shapes} == texts
    assert counts.examples.keys() == counts.shapes | counts.labels
    read = PageRecord.loads(record.dumps()).counts()
    assert read == counts and dict(read.examples) == dict(counts.examples)


@pytest.mark.parametrize("text", [AR_PAGE, EN_PAGE])
def test_a_records_3_grams_counted_apart_are_its_counts_grams(text: str) -> None:
    # A model that counts the 3-grams apart takes them as the record's array: the same hashes.
    ((_, record),) = learning_pages([("news.example", text)], Config().settings, Config().rule.short_words)
    counts, apart = record.counts(), record.counts(grams=False)
    assert counts.grams and set(record.gram_hashes().tolist()) == counts.grams
    assert apart.grams == frozenset() and apart.shapes == counts.shapes and apart.labels == counts.labels
