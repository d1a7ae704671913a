"""detect.runs on its own: word runs that many of a site's pages carry, from hand-made 3-gram page counts."""

from __future__ import annotations

import pytest
from conftest import AR_PARAGRAPHS, AR_TITLE, EN_PARAGRAPHS, gram_counts

from dedup.detect import runs
from dedup.features import head_of
from dedup.keys import head_pairs
from dedup.segment import words_with_offsets

SITE_PAGES, NEEDED, TAIL_NEEDED = 30, 9, 4  # as the cleaner sets them for a site of 30 pages
FURNITURE = {
    "ar": {
        "banner": "تبرعوا اليوم لصندوق الفيضانات في الوادي الأخضر",
        "nav": "الرئيسية محليات رياضة اقتصاد ثقافة منوعات",
        "footer": "بريد الوادي غير مسؤول عن محتوى المواقع الخارجية.",
        "title": AR_TITLE,
        "bar": "شارك من خلال تويتر فيسبوك جوجل بلس اكتب رأيك",
    },
    "en": {
        "banner": "Give to the flood fund of the valley today",
        "nav": "Home Local News Sport Business Culture",
        "footer": "The Valley Post is not responsible for the content of external sites.",
        "title": "Harbour Bridge Reopens After Two Years Of Repairs",
        "bar": "Share on Twitter Facebook LinkedIn Email Write a comment",
    },
}
SENTENCES = {"ar": AR_PARAGRAPHS, "en": EN_PARAGRAPHS}
LANGS = ["ar", "en"]


def _removed(text: str, frequent: dict[str, int]) -> list[str]:
    words, counts = gram_counts(text, frequent)
    decisions = runs.detect(text, len(text), words, counts, SITE_PAGES, NEEDED, TAIL_NEEDED)
    return [text[d.start : d.end].strip() for d in decisions]


def test_frequent_runs_finds_a_run_of_high_counts_in_the_middle_of_lowgram_counts() -> None:
    # Three frequent 3-grams from word 2 on cover words 2 to 6.
    assert runs.frequent_runs([1, 1, 9, 9, 9, 1, 1], 5) == [(2, 7, 9)]


def test_frequent_runs_reports_the_fewest_pages_of_a_run() -> None:
    assert runs.frequent_runs([1, 9, 6, 1], 5) == [(1, 5, 6)]


def test_frequent_runs_keeps_runs_apart_when_a_word_between_them_is_not_covered() -> None:
    assert runs.frequent_runs([9, 1, 1, 1, 9], 5) == [(0, 3, 9), (4, 7, 9)]


def test_frequent_runs_ignores_counts_below_needed() -> None:
    assert runs.frequent_runs([4, 4, 4, 4], 5) == []
    assert runs.frequent_runs([], 5) == []


@pytest.mark.parametrize("lang", LANGS)
def test_edge_run_finds_a_share_bar_that_a_line_starts_with(lang: str) -> None:
    bar, lead = FURNITURE[lang]["bar"], SENTENCES[lang][0]
    words, counts = gram_counts(f"{bar} {lead}", {bar: 12})
    bar_words = len(words_with_offsets(bar).words)
    assert runs.edge_run(words, counts, NEEDED, at_start=True) == (0, bar_words, 12)
    assert runs.edge_run(words, counts, NEEDED, at_start=False) is None


@pytest.mark.parametrize("lang", LANGS)
def test_edge_run_finds_a_footer_that_a_line_ends_with(lang: str) -> None:
    footer, lead = FURNITURE[lang]["footer"], SENTENCES[lang][0]
    words, counts = gram_counts(f"{lead} {footer}", {footer: 12})
    n, footer_words = len(words.words), len(words_with_offsets(footer).words)
    assert runs.edge_run(words, counts, NEEDED, at_start=False) == (n - footer_words, n, 12)
    assert runs.edge_run(words, counts, NEEDED, at_start=True) is None


@pytest.mark.parametrize("lang", LANGS)
def test_edge_run_leaves_a_short_run_a_rare_run_and_a_whole_line(lang: str) -> None:
    bar, lead = FURNITURE[lang]["bar"], SENTENCES[lang][0]
    three = " ".join(bar.split()[:3])  # one 3-gram: shorter than an edge run
    words, counts = gram_counts(f"{three} {lead}", {three: 12})
    assert runs.edge_run(words, counts, NEEDED, at_start=True) is None
    words, counts = gram_counts(f"{bar} {lead}", {bar: NEEDED - 1})
    assert runs.edge_run(words, counts, NEEDED, at_start=True) is None
    words, counts = gram_counts(bar, {bar: 12})  # nothing of the line would stay
    assert runs.edge_run(words, counts, NEEDED, at_start=True) is None


@pytest.mark.parametrize("lang", LANGS)
def test_a_banner_in_the_middle_of_the_flow_goes_and_the_sentences_stay(lang: str) -> None:
    first, second, third = SENTENCES[lang]
    banner = FURNITURE[lang]["banner"]
    assert _removed(f"{first} {second} {banner} {third}", {banner: NEEDED}) == [banner]


@pytest.mark.parametrize("lang", LANGS)
def test_a_middle_run_below_needed_or_too_short_stays(lang: str) -> None:
    """Far from the page's edges (two sentences in), a run needs `needed` pages and six words."""
    first, second, third = SENTENCES[lang]
    banner = FURNITURE[lang]["banner"]
    text = f"{first} {second} {banner} {third}"
    assert _removed(text, {banner: NEEDED - 1}) == []  # enough for a page's tail, not for its middle
    short = " ".join(banner.split()[:5])
    assert _removed(f"{first} {second} {short} {third}", {short: 20}) == []


@pytest.mark.parametrize("lang", LANGS)
def test_a_nav_at_the_start_of_the_page_goes_a_rarer_opener_stays(lang: str) -> None:
    """The head chain must hold a run of `needed` pages: an opener on fewer pages is the article's."""
    nav = FURNITURE[lang]["nav"]
    first, second, _ = SENTENCES[lang]
    text = f"{nav} {first} {second}"
    assert _removed(text, {nav: NEEDED}) == [nav]
    assert _removed(text, {nav: TAIL_NEEDED}) == []


@pytest.mark.parametrize("lang", LANGS)
def test_a_pages_title_before_its_head_furniture_stays(lang: str) -> None:
    title, nav = FURNITURE[lang]["title"], FURNITURE[lang]["nav"]
    first, second, _ = SENTENCES[lang]
    text = f"{title} {nav} {first} {second}"
    assert _removed(text, {nav: NEEDED}) == [nav]


@pytest.mark.parametrize("lang", LANGS)
def test_a_truncated_pages_last_sentence_stays_though_its_wording_is_common(lang: str) -> None:
    # A scraper cut the page off mid-sentence: the sentence's last words are common wording that
    # a few pages of the site share ("in the thirteenth century BC"), no footer.
    first, second, _ = SENTENCES[lang]
    cut = " ".join(second.split()[:-4])
    common = " ".join(cut.split()[-6:])
    text = f"{first} {cut}"
    assert _removed(text, {common: TAIL_NEEDED}) == []
    # A footer glued into a sentence's flow still goes: it holds a run of `needed` pages.
    footer = FURNITURE[lang]["footer"]
    text = f"{first} {cut} {footer}"
    assert _removed(text, {footer: NEEDED}) == [footer]


@pytest.mark.parametrize("lang", LANGS)
def test_a_footer_at_the_end_of_the_page_goes_on_tail_needed_pages(lang: str) -> None:
    footer = FURNITURE[lang]["footer"]
    first, second, _ = SENTENCES[lang]
    text = f"{first} {second} {footer}"
    words, counts = gram_counts(text, {footer: TAIL_NEEDED})
    decisions = runs.detect(text, len(text), words, counts, SITE_PAGES, NEEDED, TAIL_NEEDED)
    assert [text[d.start : d.end] for d in decisions] == [footer]  # up to the end of the flow
    footer_words = len(words_with_offsets(footer).words)
    assert decisions[0].evidence == {"pages": TAIL_NEEDED, "site_pages": SITE_PAGES, "words": footer_words}
    assert _removed(text, {footer: TAIL_NEEDED - 1}) == []


def test_head_pairs_are_labels_credits_and_font_buttons_not_a_time_or_a_sentence() -> None:
    text = "الثلاثاء 26-05-2026 21:58 كتب: محمد علي تصوير : آخرون A A " + AR_PARAGRAPHS[0]
    words = head_of(words_with_offsets(text))
    pairs = {" ".join(words.words[i : i + 2]) for i in head_pairs(text, words)}
    # The label and the word before it, the credit's label and its name, the two font buttons.
    assert pairs == {"58 كتب", "كتب محمد", "علي تصوير", "تصوير اخرون", "a a"}  # "21:58": no label
    sentence = "A A A man walked in. He said: nothing."
    words = words_with_offsets(sentence)
    found = {" ".join(words.words[i : i + 2]) for i in head_pairs(sentence, words)}
    assert found == {"said nothing", "he said"}  # three letters are a sentence's, not buttons
