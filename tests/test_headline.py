"""dedup.headline on its own: the words of a URL's slug, the lines that say them, the first of
them before the article; the title a page without line breaks opens with."""

from __future__ import annotations

from urllib.parse import quote, unquote

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dedup._core import slug_lines as core_slug_lines
from dedup.clean import Cleaner
from dedup.headline import (
    LINE_SHARE,
    SLUG_MIN_WORDS,
    SLUG_SHARE,
    TITLE_MIN_WORDS,
    _says,
    _unquote,
    first,
    opening_title,
    said_again,
    slug_lines,
    slug_words,
)
from dedup.normalize import normalize
from dedup.page import Block, Page
from dedup.segment import char_table, ends_with_full_stop, segment, words_with_offsets

AR_SLUG = "مجلس-المدينة-يمدد-ساعات-عمل-المكتبات-العامة"


def test_the_slug_is_the_wordiest_segment_of_the_path_without_numbers_or_ids() -> None:
    url = "https://news.example/blogs/ask-the-post/post/about-ask-the-post/2011/08/31/gIQAcZlQXK_blog.html"
    assert slug_words(url) == {"about", "ask", "the", "post"}
    assert slug_words("https://news.example/2013/02/19/long-reads-follow-2-new-stories") == {
        "long",
        "reads",
        "follow",
        "new",
        "stories",
    }


def test_an_arabic_slug_is_read_percent_encoded_and_folded() -> None:
    words = slug_words("https://ar.example/news/2024/" + quote(AR_SLUG))
    assert words == slug_words("https://ar.example/news/2024/" + AR_SLUG)
    assert words == {normalize(w) for w in AR_SLUG.split("-")} and len(words) == 7


# Escapes of any byte (broken UTF-8 among them), stray "%", ASCII, Arabic and lone surrogates.
_ESCAPE = st.integers(0, 255).map(lambda b: f"%{b:02x}" if b % 2 else f"%{b:02X}")
_PATH_PIECE = st.one_of(
    _ESCAPE, st.sampled_from(["%", "%g1", "%4", "/", "-", "ا", "é", "\ud800"]), st.text(max_size=3)
)


@settings(max_examples=500, deadline=None)
@given(st.lists(_PATH_PIECE, max_size=30).map("".join))
def test_a_path_is_unquoted_as_urllib_unquotes_it(path: str) -> None:
    assert _unquote(path) == unquote(path)


def test_an_arabic_slug_with_broken_escapes_is_unquoted_as_urllib_does() -> None:
    slug = quote(AR_SLUG)
    for path in (slug, slug[:-3], "%d8" + slug, slug.replace("%", "%%", 3), "%ed%a0%80-%f4%90%80%80-%e0%80"):
        assert _unquote(path) == unquote(path)


def test_a_url_without_a_slug_names_no_line() -> None:
    for url in (
        None,
        "",
        "https://www.almasryalyoum.com/news/details/4279575",
        "https://x.example/ar/node/155",
        "http://[::1/council-votes-to-extend-library-opening-hours",  # a bracket never closed
    ):
        assert slug_words(url) == frozenset()
    text = "Home\nCouncil votes to extend library opening hours\n"
    assert slug_lines("https://news.example/news/details/4279575", segment(text)) == []
    # A page given to the library with a URL that cannot be parsed is cleaned all the same.
    page = Page(id="p", text=text, url="http://[::1/council-votes-to-extend-library-opening-hours")
    assert Cleaner().clean(page).text == text


def test_the_line_that_says_the_slug_is_found_and_a_menu_link_is_not_alone_enough() -> None:
    url = "https://news.example/2024/05/council-votes-to-extend-library-opening-hours"
    lines = ["Home", "Council votes to extend library opening hours", "Sport", "Council votes on budget"]
    blocks = segment("\n".join(lines) + "\n")
    assert slug_lines(url, blocks) == [1]


_SLUG_WORDS = ["council", "votes", "library", "hours", "مجلس", "المدينة", "المكتبات", "ساعات"]
_KEY_WORDS = [*_SLUG_WORDS, "sport", "2024", "0", "عمل", "١٢", "x\U0001d7ce", "\ud800"]


@settings(max_examples=300, deadline=None)
@given(
    st.sets(st.sampled_from(_SLUG_WORDS), min_size=1),
    st.lists(
        st.tuples(
            st.lists(st.sampled_from(_KEY_WORDS), max_size=9), st.sampled_from([" ", "  ", "\x1c", "\u3000"])
        ),
        max_size=8,
    ),
    st.lists(st.booleans(), min_size=8, max_size=8),
)
def test_the_lines_that_say_the_slug_are_those_the_rule_names(
    slug: set[str], lines: list[tuple[list[str], str]], whole: list[bool]
) -> None:
    """The Rust core's pass is `_says` on every whole line: words cut at any run of spaces (an
    information separator, an ideographic space), digits by `\\d` (an Arabic-Indic one, a digit
    past the BMP), a lone surrogate; a key past the BMP is left to Python."""
    blocks = [
        Block(k, k + 1, space.join(words), k, whole[k], len(words), len(words), space.join(words))
        for k, (words, space) in enumerate(lines)
    ]
    found = core_slug_lines(char_table(), sorted(slug), blocks, SLUG_SHARE, LINE_SHARE, SLUG_MIN_WORDS)
    expected = [k for k, b in enumerate(blocks) if b.whole_line and _says(b.key, frozenset(slug))]
    past_bmp = any(ord(c) > 0xFFFF for b in blocks if b.whole_line for c in b.key)
    assert found == (None if past_bmp else expected)


def test_the_first_candidate_within_reach_of_the_article_is_the_headline() -> None:
    paragraph = " ".join(["The council met on Monday and voted to extend the opening hours."] * 2)
    title = "Council votes to extend library opening hours"
    lines = [title, *[f"Menu item {k}" for k in range(25)], title, paragraph]
    blocks = segment("\n".join(lines) + "\n")
    candidates = [0, 26]
    article = len(lines) - 1
    removed = [b.line != article for b in blocks]  # all but the article removed
    assert first(blocks, removed, 16, candidates) == 26  # the menu's copy is too far off
    kept_above = [b.line not in (0, article) for b in blocks]
    assert first(blocks, kept_above, 16, candidates) is None  # the headline already stands above


def test_a_title_said_again_has_five_words_and_no_full_stop() -> None:
    lines = [
        "Council votes to extend library opening hours",
        "Short title here",
        "The council met and voted on the hours today.",
        "Council votes to extend library opening hours",
        "Short title here",
        "The council met and voted on the hours today.",
    ]
    assert said_again("\n".join(lines) + "\n", segment("\n".join(lines) + "\n")) == [0]


_LINES = [
    "Council votes to extend library opening hours",
    "council votes to extend  library opening hours!",
    "Council votes to extend library opening hours. It met today.",
    "مجلس المدينة يمدد ساعات عمل المكتبات العامة",
    "مجلس المدينة يمدد ساعات عمل المكتبات العامة.",
    "Short title here",
    "",
]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(_LINES), max_size=10))
def test_the_titles_said_again_are_the_long_whole_lines_a_later_whole_line_says(lines: list[str]) -> None:
    """`said_again` (the Rust core's pass) is its definition: a whole line of TITLE_MIN_WORDS words
    or more, without a full stop, whose key the page's last whole line of that key comes after."""
    text = "\n".join(lines) + "\n"
    blocks = segment(text)
    last = {b.key: k for k, b in enumerate(blocks) if b.whole_line}
    expected = [
        k
        for k, b in enumerate(blocks)
        if b.whole_line
        and last[b.key] > k
        and b.words >= TITLE_MIN_WORDS
        and not ends_with_full_stop(text[b.start : b.end])
    ]
    assert said_again(text, blocks) == expected


@pytest.mark.parametrize(
    ("title", "rest"),
    [
        ("Harbour bridge reopens after repairs? ", "Published 2 May The council said."),
        ("إعادة افتتاح جسر الميناء بعد الإصلاح؟ ", "نشر في 2 مايو وقال المجلس."),
    ],
)
def test_a_flattened_pages_title_is_what_others_carry_but_do_not_open_with(title: str, rest: str) -> None:
    text = title + rest
    words = words_with_offsets(text)
    grams, title_grams = len(words.words) - 2, len(title.split()) - 2
    # The title's 3-grams are on 12 pages of the site (a "most read" list), none at their start.
    anywhere = [12] * title_grams + [1] * (grams - title_grams)
    span = opening_title(words, anywhere, [0] * grams, needed=4)
    assert span is not None and text[span[0] : span[1]] == title
    assert opening_title(words, anywhere, [12] * grams, needed=4) is None  # a house opener
    assert opening_title(words, [3] * grams, [0] * grams, needed=4) is None  # the page's own words
