"""Detectors, through Cleaner: widgets, user patterns, in-page repeats, islands, learned site boilerplate."""

from __future__ import annotations

import pytest
from conftest import ARTICLES, NewsSite

from dedup.audit import restore
from dedup.clean import Cleaner
from dedup.config import Config
from dedup.page import Page, Result


def _clean(text: str, config: Config | None = None, site: str = "example.org") -> Result:
    result = Cleaner(config).clean(Page(id="p", text=text, site=site))
    assert restore(result.text, result.removed) == text
    return result


def _kinds(result: Result) -> list[str]:
    return [r.kind for r in result.removed]


def _body(paragraphs: tuple[str, ...], middle: str) -> str:
    """Two paragraphs, the line under test, then the last paragraph."""
    return f"{paragraphs[0]}\n{paragraphs[1]}\n{middle}\n{paragraphs[2]}\n"


WIDGETS = [
    # Arabic
    "شارك المقال مع أصدقائك",
    "شارك هذا الخبر على فيسبوك",
    "تابعونا على فيسبوك وتويتر",
    "اشترك في النشرة البريدية",
    "يستخدم هذا الموقع ملفات تعريف الارتباط",
    "طباعة",
    "أرسل لصديق",
    "أرسِل لِصديق",  # with diacritics
    "\u200fشـارك المقال",  # with a bidi mark and tatweel
    # English
    "Share this article",
    "SHARE THIS STORY ›",
    "Follow us on Twitter",
    "Subscribe to our newsletter",
    "This website uses cookies to improve your experience",
    "Print this article",
    "Send this to a friend",
    # French
    "Partager cet article",
    "Suivez-nous sur Facebook",
    "Abonnez-vous à notre newsletter",
    "Ce site utilise des cookies",
    "Imprimer l'article",
    "Envoyer à un ami",
]


@pytest.mark.parametrize("widget", WIDGETS)
@pytest.mark.parametrize("lang", ["ar", "en"])
def test_known_widget_phrases(
    widget: str, lang: str, ar_paragraphs: tuple[str, ...], en_paragraphs: tuple[str, ...]
) -> None:
    paragraphs = ar_paragraphs if lang == "ar" else en_paragraphs
    text = _body(paragraphs, widget)
    result = _clean(text)
    assert _kinds(result) == ["widget"]
    assert result.removed[0].text == widget + "\n"
    assert result.text == "\n".join(paragraphs) + "\n"


def test_paragraph_quoting_a_widget_phrase_stays(en_paragraphs: tuple[str, ...]) -> None:
    quote = (
        "The minister told reporters that readers should share this article with anyone who "
        "still doubts that the new schools will open in time for the autumn term."
    )
    result = _clean(_body(en_paragraphs, quote))
    assert result.removed == ()


def test_user_phrase_pattern(ar_paragraphs: tuple[str, ...]) -> None:
    line = "اشتري الآن من متجرنا الإلكتروني"
    text = _body(ar_paragraphs, line)
    assert _clean(text).removed == ()
    result = _clean(text, Config(patterns=("اشتري الان من متجرنا",)))  # folded spelling still matches
    assert _kinds(result) == ["widget"]
    assert result.removed[0].text == line + "\n"


def test_user_regex_pattern(en_paragraphs: tuple[str, ...]) -> None:
    line = "Sponsored by ACME Widgets 2024"
    text = _body(en_paragraphs, line)
    assert _clean(text).removed == ()
    # Regexes see the normalized key: lowercased, punctuation gone, digits ASCII.
    result = _clean(text, Config(patterns=(r"re:^sponsored by \w+ widgets \d{4}$",)))
    assert _kinds(result) == ["widget"]
    assert result.removed[0].text == line + "\n"
    assert result.removed[0].evidence["phrase"] == r"^sponsored by \w+ widgets \d{4}$"
    # A regex that does not match leaves the page alone.
    assert _clean(text, Config(patterns=(r"re:^sponsored by \d+$",))).removed == ()


def test_arabic_teaser_removed_first_occurrence_stays(ar_paragraphs: tuple[str, ...]) -> None:
    """A teaser card at the end: share widget, card title, then the lead run together and cut mid-word."""
    p1, p2, p3 = ar_paragraphs
    teaser = "موقع الصحة اليوم  " + p1 + " " + p2[:60]  # cut in the middle of a word
    assert not p2[:61].endswith(" ") and p2[60] != " "
    text = f"عنوان الخبر\n{p1}\n{p2}\n{p3}\nشارك المقال\nعنوان البطاقة المختلف تماما\n{teaser}\n"
    result = _clean(text)
    assert result.text == f"عنوان الخبر\n{p1}\n{p2}\n{p3}\n"
    assert set(_kinds(result)) == {"widget", "island", "repeat"}
    assert result.text.count(p1) == 1


def test_english_teaser_removed_first_occurrence_stays(en_paragraphs: tuple[str, ...]) -> None:
    p1, p2, p3 = en_paragraphs
    teaser = "Daily News  " + p1 + " " + p2[:50]
    text = f"{p1}\n{p2}\n{p3}\nShare this story\nA different card title here\n{teaser}\n"
    result = _clean(text)
    assert result.text == f"{p1}\n{p2}\n{p3}\n"
    assert "island" in _kinds(result) and "repeat" in _kinds(result)


def test_teaser_of_a_short_lead_goes_a_deck_stays(en_paragraphs: tuple[str, ...]) -> None:
    """A short first line said again in full in a longer line: near the page's end, a teaser card
    (the site's name, the lead, a later paragraph cut); right under it, the paragraph that a deck
    (a summary) announces, which stays."""
    p1, p2, p3 = en_paragraphs
    lead = "The council approved the new budget on Tuesday evening."
    teaser = f"Daily News {lead} {p2[:50]}"
    text = f"{lead}\n{p1}\n{p2}\n{p3}\n{teaser}\n"
    result = _clean(text)
    assert result.text == f"{lead}\n{p1}\n{p2}\n{p3}\n"
    deck = f"{lead}\n{lead} {p1}\n{p2}\n{p3}\n"
    assert _clean(deck).removed == ()


def test_teaser_without_widget_is_still_a_repeat(ar_paragraphs: tuple[str, ...]) -> None:
    p1, p2, p3 = ar_paragraphs
    text = f"{p1}\n{p2}\n{p3}\n{p1} {p2[:40]}\n"
    result = _clean(text)
    assert result.text == f"{p1}\n{p2}\n{p3}\n"
    assert set(_kinds(result)) == {"repeat"}


def test_paragraph_doubled_back_to_back(
    en_paragraphs: tuple[str, ...], ar_paragraphs: tuple[str, ...]
) -> None:
    for p1, p2, p3 in (en_paragraphs, ar_paragraphs):
        result = _clean(f"{p1}\n{p2}\n{p2}\n{p3}\n")
        assert result.text == f"{p1}\n{p2}\n{p3}\n"
        assert _kinds(result) == ["repeat"]
        assert result.removed[0].start == len(p1) + len(p2) + 2  # the later copy goes


def test_doubled_paragraph_first_copy_glued_to_heading(en_paragraphs: tuple[str, ...]) -> None:
    p1, p2, p3 = en_paragraphs
    heading = "Budget details"  # no punctuation: one line with the paragraph
    result = _clean(f"{p1}\n{heading} {p2}\n{p2}\n{p3}\n")
    assert result.text == f"{p1}\n{heading} {p2}\n{p3}\n"


def test_doubled_paragraph_copy_glued_to_heading(ar_paragraphs: tuple[str, ...]) -> None:
    p1, p2, p3 = ar_paragraphs
    heading = "تفاصيل الحملة"
    result = _clean(f"{p1}\n{p2}\n{heading} {p2}\n{p3}\n")
    assert result.text.count(p2) == 1
    assert result.text.startswith(f"{p1}\n{p2}\n")
    assert result.text.endswith(f"{p3}\n")


def test_verdict_doubled_after_a_claim_that_ends_alike(ar_paragraphs: tuple[str, ...]) -> None:
    """A fact-check's claim, then its verdict doubled back to back, both ending with the claim's
    last words: the second verdict goes; the first, which restates the claim, stays whole."""
    claim = "تتداول صفحات على مواقع التواصل صورة قالت إنها لانفجار في ميناء المدينة الساحلية مساء أمس."
    verdict = (
        "وجد فريق التحقق أن الادعاء مضلل، إذ إن الصورة قديمة "
        "وليست لانفجار في ميناء المدينة الساحلية مساء أمس."
    )
    rest = " ".join(ar_paragraphs)
    for glue in (" ", ""):  # the copy goes with the spaces after it
        result = _clean(f"{claim}\n{verdict}{glue}{verdict} {rest}\n")
        assert result.text == f"{claim}\n{verdict}{glue}{rest}\n"
        assert _kinds(result) == ["repeat"]
    # Not doubled: the verdict restating the claim's words is the verdict's own.
    text = f"{claim}\n{verdict} {rest}\n"
    assert _clean(text).removed == ()


def test_title_doubled_after_its_kicker_goes(en_paragraphs: tuple[str, ...]) -> None:
    """A related-story line: a kicker, the title, and the title again as its link text."""
    p1, p2, p3 = en_paragraphs
    title = "City council opens three new libraries in the northern districts"
    text = f"{p1}\nBooks for all {title} {title}\n{p2}\n{p3}\n"
    result = _clean(text)
    assert result.text.count(title) == 1 and _kinds(result) == ["repeat"]
    nav = "News Sport Business Culture Travel Weather Video Podcasts Opinion"
    text = f"{nav}\n{p1}\n{p2}\nAll sections {nav}\n{p3}\n"  # a menu again, behind a label
    assert _clean(text).text.count(nav) == 1


def test_short_repeated_lines_stay(en_paragraphs: tuple[str, ...]) -> None:
    """Repeats under the length floor ("Buy now", a recurring label) are not in-page copies."""
    p1, p2, p3 = en_paragraphs
    text = f"Buy now\n{p1}\nBuy now\n{p2}\nBuy now\n{p3}\nBuy now only today\n"
    result = _clean(text)
    assert result.removed == ()
    assert result.text == text


def test_short_island_between_widget_and_teaser(en_paragraphs: tuple[str, ...]) -> None:
    p1, p2, p3 = en_paragraphs
    text = f"{p1}\n{p2}\n{p3}\nShare this article\nMayor signs budget\n{p1} {p2[:40]}\n"
    result = _clean(text)
    islands = [r for r in result.removed if r.kind == "island"]
    assert [r.text for r in islands] == ["Mayor signs budget\n"]
    assert result.text == f"{p1}\n{p2}\n{p3}\n"


def test_short_title_in_the_head_stays(ar_page: str) -> None:
    """The head is left alone: the article's own title between removed lines is not an island."""
    text = "تابعونا على فيسبوك\n" + ar_page + "شارك المقال\n"
    result = _clean(text)
    assert _kinds(result) == ["widget", "widget"]
    assert result.text == ar_page


def test_long_block_never_removed_by_context(en_paragraphs: tuple[str, ...]) -> None:
    p1, p2, p3 = en_paragraphs
    long_line = (
        "This closing paragraph is long enough to count as body text, with more than sixteen "
        "words in it, so it stays"
    )
    text = f"{p1}\n{p2}\n{p3}\nShare this article\n{long_line}\nFollow us on Twitter\n"
    result = _clean(text)
    assert _kinds(result) == ["widget", "widget"]
    assert long_line in result.text


def test_site_boilerplate_learned_from_pages(news_site: NewsSite) -> None:
    pages = news_site.pages()
    cleaner = Cleaner()
    assert cleaner.learn(pages) == 8
    for page, body in zip(pages, news_site.bodies, strict=True):
        result = cleaner.clean(page)
        assert result.text == "\n".join(body) + "\n", page.id
        removed = [r.text for r in result.removed]
        assert removed[0] == news_site.nav + "\n"
        assert removed[1].startswith("الأحد ")  # the date line, different on every page
        assert removed[-2:] == [news_site.footer_links + "\n", news_site.footer + "\n"]
        assert {r.kind for r in result.removed} == {"site-boilerplate"}
        assert restore(result.text, result.removed) == page.text


def test_background_paragraph_on_two_pages_stays(news_site: NewsSite) -> None:
    pages = news_site.pages()
    cleaner = Cleaner()
    cleaner.learn(pages)
    for i in news_site.background_pages:
        assert news_site.background in news_site.texts[i]
        assert news_site.background in cleaner.clean(pages[i]).text


def test_story_paragraph_on_half_the_pages_of_a_small_site_stays(news_site: NewsSite) -> None:
    """A story told on half of a small site's pages: its background paragraph, in the body, is on
    more pages than the share a long block needs, and still content. A notice in the body of
    every page goes, and so does a long note among the furniture after the article on half of
    the pages."""
    notice = (
        "تنبيه من إدارة التحرير: جميع المواد المنشورة في هذا الموقع محمية بموجب قوانين الملكية "
        "الفكرية ولا يجوز نسخها أو إعادة نشرها دون إذن كتابي مسبق."
    )
    note = (
        "انضم إلى مجتمع قراء الجريدة وشارك برأيك في التعليقات، فكل تعليق يمر على فريق التحرير "
        "قبل نشره للحفاظ على حوار محترم بين القراء."
    )
    pages = []
    for i, (first, second) in enumerate(ARTICLES):
        middle = [news_site.background] if i % 2 else []
        tail = ["شارك الخبر", note] if i % 2 == 0 else ["شارك الخبر"]
        body = "\n".join([f"{first} {second}", *middle, notice, *tail])
        text = f"{news_site.nav}\nالأحد {i + 1} مايو 2024\n{body}\n{news_site.footer}\n"
        pages.append(Page(id=f"p{i}", text=text, site=news_site.name))
    cleaner = Cleaner()
    assert cleaner.learn(pages) == 8
    for i, page in enumerate(pages):
        result = cleaner.clean(page)
        assert (news_site.background in result.text) == bool(i % 2), page.id
        assert notice not in result.text and note not in result.text
        assert " ".join(ARTICLES[i]) in result.text


def test_site_boilerplate_needs_learning(news_site: NewsSite) -> None:
    """Without learning, a site's nav bar and footer are just lines: nothing is removed."""
    assert Cleaner().clean(news_site.pages()[0]).removed == ()


def test_other_site_is_not_affected(news_site: NewsSite) -> None:
    cleaner = Cleaner()
    cleaner.learn(news_site.pages())
    other = Page(id="x", text=news_site.texts[0], site="other.example")
    assert cleaner.clean(other).removed == ()


def test_learn_counts_an_exact_repeat_once(news_site: NewsSite) -> None:
    pages = news_site.pages()
    cleaner = Cleaner()
    assert cleaner.learn(pages + pages[:3]) == 8
    assert cleaner.model.sites[news_site.name].pages == 8


def _short_lines(paragraph: str) -> list[str]:
    """A paragraph cut into lines of nine words at most, each ending with a full stop."""
    words = paragraph.rstrip(".").split()
    return [" ".join(words[k : k + 9]) + "." for k in range(0, len(words), 9)]


def test_edited_copies_of_short_paragraphs_count_once(news_site: NewsSite) -> None:
    """Pages of short paragraphs (no line of sixteen words) are told apart by their sentences:
    an article fetched three times, edited a little each time, counts once, and its first
    paragraph is not taken for the site's furniture."""
    pages = []
    for i, (first, second) in enumerate(ARTICLES):
        if i < 3:  # the first article, edited twice
            first, second = ARTICLES[0][0], ARTICLES[0][1].replace("أربعين", ["أربعين", "خمسين", "ستين"][i])
        lines = _short_lines(first) + _short_lines(second)
        text = "\n".join([news_site.nav, f"الأحد {i + 1} مايو 2024", *lines, news_site.footer]) + "\n"
        pages.append(Page(id=f"p{i}", text=text, site=news_site.name))
    cleaner = Cleaner()
    assert cleaner.learn(pages) == 6
    lead = _short_lines(ARTICLES[0][0])[0]
    for page in pages[:3]:
        assert lead in cleaner.clean(page).text


def test_explain_lists_every_block(ar_paragraphs: tuple[str, ...]) -> None:
    text = _body(ar_paragraphs, "شارك المقال")
    explained = Cleaner().explain(Page(id="p", text=text))
    assert len(explained) == 4
    assert [d.kind if d else None for _, d in explained] == [None, None, "widget", None]
