"""Precision: what cleaning must not cut. Abbreviations are no sentence ends; a page is never
emptied by a template alone; scripts written without spaces are measured in characters; a run
that a site repeats is not cut out of the middle of a sentence."""

from __future__ import annotations

from dedup.clean import Cleaner
from dedup.normalize import key_words, normalize
from dedup.page import Page
from dedup.segment import segment, sentence_spans


def _sentences(text: str) -> list[str]:
    return [text[s:e] for s, e in sentence_spans(text, 0, len(text))]


# --- abbreviations ------------------------------------------------------------------------------


def test_abbreviations_do_not_end_sentences_in_english_french_and_arabic() -> None:
    en = "Officials of the U.S. are negotiating with Dr. Lane, e.g. on tariffs. Talks resume today."
    assert _sentences(en) == [
        "Officials of the U.S. are negotiating with Dr. Lane, e.g. on tariffs. ",
        "Talks resume today.",
    ]
    fr = "M. Dupont a cité p. ex. la gare du Nord. La ville répond."
    assert _sentences(fr) == ["M. Dupont a cité p. ex. la gare du Nord. ", "La ville répond."]
    ar = "قال د. سامي إن م. هدى أنهت الدراسة. وبدأ التنفيذ أمس."
    assert _sentences(ar) == ["قال د. سامي إن م. هدى أنهت الدراسة. ", "وبدأ التنفيذ أمس."]


def test_sentence_ends_stay_where_they_are() -> None:
    assert _sentences("The plan passed. Then it stalled!") == ["The plan passed. ", "Then it stalled!"]
    assert _sentences("انتهى الاجتماع. وبدأ التصويت؟ نعم.") == ["انتهى الاجتماع. ", "وبدأ التصويت؟ ", "نعم."]
    assert _sentences("He won 3.5 points.Share this") == ["He won 3.5 points.", "Share this"]


def _us_site() -> list[Page]:
    """Twelve pages of a site, each with its own sentence about the U.S. and a paragraph after it."""
    topics = (
        "steel",
        "grain",
        "cars",
        "chips",
        "oil",
        "cotton",
        "beef",
        "timber",
        "rice",
        "gas",
        "wine",
        "coal",
    )
    places = (
        "Ohio",
        "Kenya",
        "Peru",
        "Japan",
        "Chile",
        "Egypt",
        "Ghana",
        "Nepal",
        "Spain",
        "Qatar",
        "Laos",
        "Fiji",
    )
    return [
        Page(
            f"us{i}",
            f"After {i + 3} rounds in {place}, the U.S. are negotiating {topic} quotas.\n"
            f"The {topic} talks in {place} follow a year of rising prices and a dispute over old rules.\n",
            url=f"https://trade.example/{i}",
            site="trade.example",
        )
        for i, (topic, place) in enumerate(zip(topics, places, strict=True))
    ]


def test_a_sentence_with_an_abbreviation_is_one_block_and_loses_nothing() -> None:
    pages = _us_site()
    blocks = segment(pages[0].text)
    assert not any(pages[0].text[b.start : b.end].startswith("S. are") for b in blocks)
    cleaner = Cleaner()
    cleaner.learn(pages)
    for page in pages:
        assert "the U.S. are negotiating" in cleaner.clean(page).text


# --- no-space scripts ---------------------------------------------------------------------------


def test_scripts_without_spaces_are_measured_in_characters() -> None:
    zh = "两篇关于同一事件的文章分享了这一段落内容"  # 20 characters
    assert key_words(normalize(zh)) == 10
    assert key_words(normalize("new 上海港口 plan")) == 4  # the 4 characters are 2 words
    assert key_words(normalize("ประเทศไทย")) == 5
    assert key_words(normalize("الموازنة العامة للدولة")) == 3
    assert key_words(normalize("the budget plan")) == 3
    assert key_words("") == 0


ZH_STORY = "该港口自去年起扩建了三个新码头，吞吐能力提高了百分之四十，成为区域内最繁忙的货运中心之一。"
ZH_TOPICS = ("港口", "铁路", "机场", "学校", "医院", "公园", "水库", "电站", "桥梁", "地铁", "农场", "工厂")


def _zh_site() -> list[Page]:
    """Twelve Chinese pages, a paragraph a line; three pages of one story share a background paragraph."""
    pages = []
    for i, topic in enumerate(ZH_TOPICS):
        lead = f"市政府今天宣布了关于{topic}的新计划，预计投资{i + 2}亿元，工程将于明年春季开工建设。"
        body = f"负责{topic}项目的官员表示，当地居民对此表示欢迎，相关部门将在下个月公布详细方案。"
        paragraphs = [lead, body] + ([ZH_STORY] if i < 3 else [])
        pages.append(
            Page(
                f"zh{i}",
                "\n".join(paragraphs) + "\n",
                url=f"https://xinwen.example/{i}",
                site="xinwen.example",
            )
        )
    return pages


def test_a_chinese_background_paragraph_that_three_pages_share_is_no_short_line() -> None:
    pages = _zh_site()
    assert segment(ZH_STORY)[0].words >= 16  # a paragraph, not a short line
    cleaner = Cleaner()
    cleaner.learn(pages)
    for page in pages[:3]:
        assert ZH_STORY in cleaner.clean(page).text
