"""detect.widgets on its own: known widget phrases, read-also links, user patterns, and a closing
read-also card in a flattened page."""

from __future__ import annotations

import pytest
from conftest import AR_PARAGRAPHS, EN_PARAGRAPHS

from dedup.checks import SettingError, pattern
from dedup.detect import widgets
from dedup.page import Kind
from dedup.segment import segment, words_with_offsets

MATCHER = widgets.WidgetMatcher.build()


def _removed(text: str, matcher: widgets.WidgetMatcher = MATCHER) -> list[tuple[str, str]]:
    """(kind, text) of the blocks `detect` takes from a page."""
    return [(d.kind, text[d.start : d.end].strip()) for d in widgets.detect(segment(text), matcher)]


@pytest.mark.parametrize(
    "widget",
    [
        "Send this to a friend",
        "Share this article on Facebook",
        "شارك المقال مع أصدقائك على مواقع التواصل الاجتماعي",
        "تابعونا على تويتر",
        "جميع الحقوق محفوظة",
    ],
)
def test_a_known_widget_line_goes_the_article_stays(widget: str) -> None:
    text = "\n".join([AR_PARAGRAPHS[0], EN_PARAGRAPHS[0], widget, AR_PARAGRAPHS[1]])
    assert _removed(text) == [(Kind.WIDGET, widget)]


@pytest.mark.parametrize(
    "sentence",
    [
        "Readers who want to share this story with friends abroad can use the form the council "
        "put online on Monday, the mayor said.",
        "وقال المتحدث إن على المواطنين أن يتابعونا على الموقع الرسمي للوزارة لمعرفة مواعيد "
        "الحملة في كل محافظة من المحافظات.",
    ],
)
def test_a_sentence_quoting_a_widget_phrase_stays(sentence: str) -> None:
    # Long, and not mostly the phrase: the article's own sentence.
    assert _removed(f"{EN_PARAGRAPHS[0]}\n{sentence}\n") == []


@pytest.mark.parametrize(
    "line", ["Read more: Council approves school budget", "اقرأ أيضا: وزارة الصحة تطلق حملة"]
)
def test_a_read_also_link_goes_as_read_also(line: str) -> None:
    assert _removed(f"{AR_PARAGRAPHS[0]}\n{line}\n") == [(Kind.READ_ALSO, line)]


def test_user_patterns_plain_and_regular_expression() -> None:
    matcher = widgets.WidgetMatcher.build(["Listen to this article", r"re:^حجم الخط \d+$"])
    text = "\n".join([EN_PARAGRAPHS[0], "Listen to this article", "حجم الخط 14", AR_PARAGRAPHS[0]])
    assert [t for _, t in _removed(text, matcher)] == ["Listen to this article", "حجم الخط 14"]
    assert _removed(text) == []  # not known without them


def test_a_pattern_that_is_no_regular_expression_is_refused_saying_where() -> None:
    with pytest.raises(SettingError, match=r"re:\(unclosed.*not a regular expression"):
        pattern("re:(unclosed")
    pattern("(a plain phrase")  # no re: prefix: matched as a phrase, nothing to check
    with pytest.raises(SettingError, match="drop the re: prefix"):
        widgets.WidgetMatcher.build(["re:[unclosed"])  # the library's own callers too


@pytest.mark.parametrize(
    ("card", "body"),
    [
        ("Read more Council approves school budget Mayor signs the plan", EN_PARAGRAPHS),
        ("اقرأ المزيد وزارة الصحة تطلق حملة تطعيم وطنية افتتاح مستشفى جديد", AR_PARAGRAPHS),
    ],
)
def test_a_read_also_card_closing_a_flattened_page_goes_whole(card: str, body: tuple[str, ...]) -> None:
    text = " ".join([*body, card])
    found = widgets.tail_links(text, words_with_offsets(text), len(text), MATCHER)
    assert [(d.kind, text[d.start : d.end]) for d in found] == [(Kind.READ_ALSO, card)]


@pytest.mark.parametrize("body", [EN_PARAGRAPHS, AR_PARAGRAPHS])
def test_a_read_also_link_followed_by_sentences_is_inside_the_article(body: tuple[str, ...]) -> None:
    prefix = "Read more" if body is EN_PARAGRAPHS else "اقرأ المزيد"
    text = " ".join([body[0], prefix, body[1], body[2]])  # a sentence ends before the last one
    assert widgets.tail_links(text, words_with_offsets(text), len(text), MATCHER) == []
