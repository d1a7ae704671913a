"""detect.context on its own: short islands stranded between removed blocks at a page's tail."""

from __future__ import annotations

import pytest
from conftest import AR_PARAGRAPHS, AR_TITLE, EN_PARAGRAPHS, EN_TITLE

from dedup.detect import context
from dedup.page import Kind
from dedup.segment import segment

PAGES = {"ar": (AR_TITLE, AR_PARAGRAPHS, "فيسبوك تويتر"), "en": (EN_TITLE, EN_PARAGRAPHS, "Facebook Twitter")}
LANGS = ["ar", "en"]


def _islands(lines: list[str], removed_lines: dict[int, str], article_end: int | None = None) -> list[str]:
    """The lines `detect` takes, given the kind that removes each removed line (by line number),
    and the line of the article's last paragraph."""
    text = "\n".join(lines) + "\n"
    blocks = segment(text)
    removed = [removed_lines.get(b.line) for b in blocks]
    end = None if article_end is None else max(k for k, b in enumerate(blocks) if b.line == article_end)
    return [text[d.start : d.end].strip() for d in context.detect(text, blocks, removed, article_end=end)]


@pytest.mark.parametrize("lang", LANGS)
def test_short_lines_between_removed_furniture_after_the_article_go(lang: str) -> None:
    title, paragraphs, social = PAGES[lang]
    lines = [title, *paragraphs, "Share", social, "Related", "x"]
    removed = {4: Kind.WIDGET, 6: Kind.SITE_BOILERPLATE, 7: Kind.SITE_BOILERPLATE}
    assert _islands(lines, removed) == [social]


@pytest.mark.parametrize("lang", LANGS)
def test_a_long_block_never_goes_by_context_alone(lang: str) -> None:
    title, paragraphs, _ = PAGES[lang]
    lines = [title, paragraphs[0], "Share", paragraphs[1], "Footer"]
    assert _islands(lines, {2: Kind.WIDGET, 4: Kind.SITE_BOILERPLATE}) == []


@pytest.mark.parametrize("lang", LANGS)
def test_a_short_line_with_a_full_stop_ends_the_article(lang: str) -> None:
    title, paragraphs, _ = PAGES[lang]
    last = "انتهى." if lang == "ar" else "The end."
    lines = [title, *paragraphs, "Share", last, "Footer"]
    assert _islands(lines, {4: Kind.WIDGET, 6: Kind.SITE_BOILERPLATE}) == []


@pytest.mark.parametrize("lang", LANGS)
def test_a_headline_ending_with_an_abbreviation_is_no_sentence_end(lang: str) -> None:
    """ "… in B.C." closes with an abbreviation's dot, not a full stop: the headline is a link."""
    title, paragraphs, _ = PAGES[lang]
    headline = "نقل الإدارة إلى مبنى جديد في د.م." if lang == "ar" else "Officer charged in B.C."
    lines = [title, *paragraphs, "Share", headline, "Footer"]
    assert _islands(lines, {4: Kind.WIDGET, 6: Kind.SITE_BOILERPLATE}) == [headline]


@pytest.mark.parametrize("lang", LANGS)
def test_a_card_title_right_before_a_removed_repeat_goes_even_after_the_last_paragraph(lang: str) -> None:
    title, paragraphs, _ = PAGES[lang]
    lines = [title, *paragraphs, title, paragraphs[0][:60]]
    assert _islands(lines, {5: Kind.REPEAT}) == [title]


@pytest.mark.parametrize("lang", LANGS)
def test_the_head_is_left_alone(lang: str) -> None:
    # The article's title between a removed nav bar and a removed date line stays.
    title, paragraphs, _ = PAGES[lang]
    lines = ["Home | News", title, "12/05/2024", *paragraphs]
    assert _islands(lines, {0: Kind.SITE_BOILERPLATE, 2: Kind.SITE_BOILERPLATE}) == []


def test_a_page_without_a_long_kept_block_loses_nothing_by_context() -> None:
    lines = ["Home", "Share", AR_TITLE, "Footer"]
    assert _islands(lines, {0: Kind.SITE_BOILERPLATE, 1: Kind.WIDGET, 3: Kind.SITE_BOILERPLATE}) == []


@pytest.mark.parametrize("lang", LANGS)
def test_a_short_line_right_after_the_last_paragraph_with_one_removed_neighbour_stays(lang: str) -> None:
    # Between the article's last paragraph and a removed widget: the article's, maybe a caption.
    title, paragraphs, social = PAGES[lang]
    lines = [title, *paragraphs, social, "Share"]
    assert _islands(lines, {5: Kind.WIDGET}) == []


@pytest.mark.parametrize("lang", LANGS)
def test_a_short_line_between_a_removed_block_and_the_page_edge_goes(lang: str) -> None:
    # The page's end counts as a removed neighbour.
    title, paragraphs, social = PAGES[lang]
    lines = [title, *paragraphs, "Share", social]
    assert _islands(lines, {4: Kind.WIDGET}) == [social]


@pytest.mark.parametrize("lang", LANGS)
def test_a_run_longer_than_six_short_lines_stays(lang: str) -> None:
    title, paragraphs, social = PAGES[lang]
    lines = [title, *paragraphs, "Share", *[f"{social} {k}" for k in range(7)], "Footer"]
    assert _islands(lines, {4: Kind.WIDGET, 12: Kind.SITE_BOILERPLATE}) == []


COMMENTS = {
    "ar": "أتفق تماما مع ما جاء في المقال فقد عانينا في حينا من المشكلة نفسها لسنوات طويلة دون أي حل يذكر",
    "en": "I agree with every word, our street had the same trouble for years and nobody ever answered us",
}


@pytest.mark.parametrize("lang", LANGS)
def test_short_lines_between_the_sites_furniture_go_after_the_article_before_a_comment(lang: str) -> None:
    """After the article, a widget's frame (the site's lines) holds a short line of the page's own
    (a section's "find more tweets from our team"); a reader's comment, a long line, comes later.
    Past the article's last paragraph, the short line goes; bounded by a known widget phrase
    instead, or without the article's end, it waits for the last long block as before."""
    title, paragraphs, social = PAGES[lang]
    frame = [*paragraphs, "Share", "about 20 minutes ago", social, "Buy tickets", COMMENTS[lang], "x"]
    lines = [title, *frame]
    last = len(paragraphs)  # the line of the article's last paragraph
    sb = Kind.SITE_BOILERPLATE
    removed = {last + 1: Kind.WIDGET, last + 2: sb, last + 4: sb, last + 6: sb}
    assert _islands(lines, removed, article_end=last) == [social]
    assert _islands(lines, removed) == []
    assert _islands(lines, {**removed, last + 4: Kind.WIDGET}, article_end=last) == []
