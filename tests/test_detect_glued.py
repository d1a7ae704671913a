"""detect.glued on its own: labels glued into the flow of a flattened page, with their slots."""

from __future__ import annotations

import pytest
from conftest import AR_PARAGRAPHS, AR_TITLE, EN_PARAGRAPHS, gram_counts
from hypothesis import given, settings
from hypothesis import strategies as st

from dedup.detect import glued
from dedup.detect.widgets import LINK_PREFIXES
from dedup.keys import GLUED
from dedup.normalize import normalize
from dedup.page import Decision, Kind
from dedup.segment import words_with_offsets

NEEDED, TAIL_NEEDED = 9, 4  # as the cleaner sets them for a site of 30 pages
KNOWN = tuple(normalize(p) for p in LINK_PREFIXES)  # the known "read also" prefixes
TEXT = {
    "ar": {
        "read_more": "اقرأ أيضا:",
        "title": AR_TITLE,
        "tags": "الوسوم",
        "tag_list": "الصحة، التطعيم، الأطفال",
        "added": "وأضاف",
        "quote": "«إن فرق التطعيم ستصل إلى القرى البعيدة قبل نهاية الشهر».",
        "in_sentence": "المصدر",
        "sentence": "وقال المصدر إن الاجتماع سيعقد الأسبوع المقبل، في العاصمة، بحضور الوزراء.",
        "background": "خلفية",
        "banner": "حملة الربيع: تبرعوا لصندوق الفيضانات اليوم",
        "dates": "8 مايو 1951 – 17 يونيو 2019",
    },
    "en": {
        "read_more": "Read more:",
        "title": "Harbour Bridge Reopens After Repairs",
        "tags": "Filed under",
        "tag_list": "council, budget, schools",
        "added": "He added",
        "quote": '"The schools will open in time for the autumn term."',
        "in_sentence": "Filed under",
        "sentence": "The complaint was filed under the new rules, the judge said, in court.",
        "background": "Background",
        "banner": "Spring drive: give to the flood fund today",
        "dates": "8 May 1951 – 17 June 2019",
    },
}
PARAGRAPHS = {"ar": AR_PARAGRAPHS, "en": EN_PARAGRAPHS}
LANGS = ["ar", "en"]


def _detect(text: str, learned: dict[str, int], seen: dict[str, int] | None = None) -> list[Decision]:
    words, counts = gram_counts(text, seen or {})
    return glued.detect(text, words, len(text), counts, glued.Labels(learned, NEEDED, KNOWN))


def _glued_label(label: str) -> str:
    """The key a label learned at the sentence starts of a site's flattened pages is counted by."""
    return GLUED + normalize(label)


@pytest.mark.parametrize("lang", LANGS)
def test_a_read_more_label_goes_with_a_title_the_site_links_often(lang: str) -> None:
    """No stop after the title: its slot is the words the site shows on many pages; the article's
    sentence glued after it stays."""
    first, second, _ = PARAGRAPHS[lang]
    label, title = TEXT[lang]["read_more"], TEXT[lang]["title"]
    text = f"{first} {label} {title} {second}"
    decisions = _detect(text, {}, {title: 12})
    assert [text[d.start : d.end] for d in decisions] == [f"{label} {title} "]
    assert decisions[0].kind == Kind.TEMPLATE
    assert decisions[0].evidence == {"phrase": normalize(label), "words": len(f"{label} {title}".split())}


@pytest.mark.parametrize("lang", LANGS)
def test_a_read_more_label_goes_with_a_title_seen_nowhere_else_up_to_its_full_stop(lang: str) -> None:
    first, second, _ = PARAGRAPHS[lang]
    label, title = TEXT[lang]["read_more"], TEXT[lang]["title"]
    text = f"{first} {label} {title}. {second}"
    assert [text[d.start : d.end] for d in _detect(text, {})] == [f"{label} {title}. "]


@pytest.mark.parametrize("lang", LANGS)
def test_a_learned_label_goes_with_its_list_of_tags(lang: str) -> None:
    first, _, _ = PARAGRAPHS[lang]
    tags, tag_list = TEXT[lang]["tags"], TEXT[lang]["tag_list"]
    text = f"{first} {tags}: {tag_list} {first}"
    decisions = _detect(text, {_glued_label(tags): 20})
    assert [text[d.start : d.end] for d in decisions] == [f"{tags}: {tag_list} "]
    assert decisions[0].evidence["pages"] == 20


@pytest.mark.parametrize("lang", LANGS)
def test_a_learned_label_on_too_few_pages_is_not_looked_for(lang: str) -> None:
    first, _, _ = PARAGRAPHS[lang]
    tags, tag_list = TEXT[lang]["tags"], TEXT[lang]["tag_list"]
    text = f"{first} {tags}: {tag_list} {first}"
    assert _detect(text, {_glued_label(tags): NEEDED - 1}) == []


@pytest.mark.parametrize("lang", LANGS)
def test_a_learned_label_that_opens_a_quote_stays(lang: str) -> None:
    """'He added:' opens the article's quote: no list, no words the site shows elsewhere follow."""
    first, second, _ = PARAGRAPHS[lang]
    added, quote = TEXT[lang]["added"], TEXT[lang]["quote"]
    text = f"{first} {added}: {quote} {second}"
    assert _detect(text, {_glued_label(added): 20}) == []


@pytest.mark.parametrize("lang", LANGS)
def test_a_learned_label_inside_an_article_sentence_without_a_separator_stays(lang: str) -> None:
    label, sentence = TEXT[lang]["in_sentence"], TEXT[lang]["sentence"]
    assert normalize(label) in normalize(sentence)
    text = f"{PARAGRAPHS[lang][0]} {sentence} {PARAGRAPHS[lang][1]}"
    assert _detect(text, {_glued_label(label): 20}) == []


def _phrases(text: str, seen: dict[str, int]) -> list[str]:
    words, counts = gram_counts(text, seen)
    return [text[d.start : d.end] for d in glued.phrases(text, words, len(text), counts, TAIL_NEEDED)]


@pytest.mark.parametrize("lang", LANGS)
def test_a_banner_that_opens_with_a_label_goes_and_the_sentences_around_it_stay(lang: str) -> None:
    first, second, _ = PARAGRAPHS[lang]
    banner = TEXT[lang]["banner"]
    assert _phrases(f"{first} {banner} {second}", {banner: TAIL_NEEDED}) == [f"{banner} "]


@pytest.mark.parametrize("lang", LANGS)
def test_a_shared_phrase_without_a_label_a_storys_sentence_or_a_date_pattern_stays(lang: str) -> None:
    first, second, third = PARAGRAPHS[lang]
    banner = TEXT[lang]["banner"].replace(":", "")  # no separator: no label opens it
    assert _phrases(f"{first} {banner} {third}", {banner: 20}) == []
    story = f"{TEXT[lang]['background']}: {second}"  # a story's pages share it: longer than a banner
    assert _phrases(f"{first} {story} {third}", {story: 20}) == []
    dates = TEXT[lang]["dates"]
    assert _phrases(f"{first} {dates} {second}", {dates: 20}) == []


@pytest.mark.parametrize(
    ("before", "prefix"),
    [
        ("Source: agencies", "Read more"),  # a capital opens the label
        ("أطعمة لا يُنصح بطهيها في المقلاة الهوائية", "إقرأ المزيد"),  # a heading run into it
    ],
)
def test_a_known_prefix_without_separator_opens_a_label_unless_a_sentence_goes_on(
    before: str, prefix: str
) -> None:
    # In lower case after a word of a sentence, a known "read more" prefix is the sentence's own.
    sentence = "Residents who want to read more about the plan can find it online at the city hall library."
    text = f"{EN_PARAGRAPHS[0]} {sentence} {EN_PARAGRAPHS[1]}"
    assert _detect(text, {}) == []
    glued_after = f"{AR_PARAGRAPHS[0]} {before} {prefix} {AR_TITLE}.. {AR_PARAGRAPHS[1]}"
    found = _detect(glued_after, {})
    assert [glued_after[d.start : d.end].strip() for d in found] == [f"{prefix} {AR_TITLE}.."]


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.sampled_from(["Read", "more", "تاريخ", "النشر", ":", " ", "|", "»", "–", "a_b", ", ", "\n"]))
)
def test_the_words_a_separator_follows_are_found_in_one_search(parts: list[str]) -> None:
    """`_separated` is `_separator_after` of each word: a separator in the gap after a word (the
    last word's gap runs to the flow line's end), none inside a token of several words."""
    text = "".join(parts) + " end"
    words = words_with_offsets(text)
    end = len(text) - 4
    expected = {i for i in range(len(words.words)) if glued._separator_after(text, words, i, end)}
    assert glued._separated(text, words, end) == expected
