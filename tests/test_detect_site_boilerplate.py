"""detect.site_boilerplate on its own: a site model learned by hand judges one segmented page."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from conftest import ARTICLES

from dedup.detect import site_boilerplate
from dedup.features import learning_counts
from dedup.keys import label_prefix
from dedup.model import SiteModel
from dedup.page import Decision, Kind
from dedup.segment import flow_lines, segment

EN_ARTICLES = (
    "The river authority opened a new flood barrier on Friday that will protect more than two "
    "thousand homes in the lower valley.",
    "Teachers at the northern high school voted to accept a pay offer after three months of talks "
    "with the county education board.",
    "The old railway station will reopen as a public library next spring after a long campaign by "
    "local residents and historians.",
    "Farmers in the eastern district say the dry summer has cut their wheat harvest by almost a "
    "third compared with last year.",
    "A new bus line linking the harbour to the hospital will start running on Monday with a service "
    "every fifteen minutes.",
    "The museum has received a rare collection of maps donated by the family of a retired sea "
    "captain who lived in the town.",
    "Police have asked drivers to avoid the coast road this weekend while engineers repair a damaged "
    "section near the lighthouse.",
    "The city swimming pool will close for six weeks in the autumn so that its roof and heating "
    "system can be replaced.",
)


@dataclass(frozen=True)
class Site:
    """A made-up news site: its furniture, eight articles of one paragraph, a story's background."""

    name: str
    nav: str
    date: str  # with {day} and {minute}: other on every page
    footer: str
    link: str
    tags: str
    articles: tuple[str, ...]
    background: str

    def page(self, i: int, body: tuple[str, ...] = (), tail: tuple[str, ...] = ()) -> str:
        """Page i: nav, date line, its article's paragraph, more body lines, tail lines, footer."""
        date = self.date.format(day=i + 1, minute=10 + i)
        return "\n".join([self.nav, date, self.articles[i], *body, *tail, self.footer]) + "\n"


SITES = {
    "ar": Site(
        name="alnahar.example",
        nav="الرئيسية | أخبار محلية | اقتصاد | رياضة | اتصل بنا",
        date="الأحد {day} مايو 2024 - 10:{minute}",
        footer="© 2024 جريدة النهار - جميع الحقوق محفوظة",
        link="الأكثر قراءة هذا الأسبوع",
        tags="الوسوم",
        articles=tuple(first for first, _ in ARTICLES),
        background=(
            "وتعود جذور الأزمة إلى عام ألفين وعشرين حين توقفت أعمال الصيانة في معظم مرافق المدينة "
            "بسبب نقص التمويل وتراجع الإيرادات المحلية بشكل حاد."
        ),
    ),
    "en": Site(
        name="herald.example",
        nav="Home | Local | Business | Sport | Contact us",
        date="Sunday {day} May 2024 - 10:{minute}",
        footer="© 2024 The Daily Herald - All rights reserved",
        link="Most read this week",
        tags="Tags",
        articles=EN_ARTICLES,
        background=(
            "The dispute goes back to twenty twenty, when repairs stopped at most of the city's "
            "buildings because the council ran short of money."
        ),
    ),
}
LANGS = ["ar", "en"]


def _model(site: str, texts: list[str]) -> SiteModel:
    """A model learned from these pages of one site: each page's counts added, as dedup.learn does."""
    model = SiteModel()
    for text in texts:
        model.add(learning_counts(site, text, model.rule.short_words))
    model.finalize()
    return model


def _decisions(text: str, site: str, model: SiteModel) -> list[Decision]:
    blocks = segment(text)
    return site_boilerplate.detect(text, site, blocks, model, flow_lines(blocks).keys()).decisions


def _removed(text: str, site: str, model: SiteModel) -> list[str]:
    return [text[d.start : d.end] for d in _decisions(text, site, model)]


@pytest.mark.parametrize("lang", LANGS)
def test_nav_date_and_footer_on_every_page_go_and_the_article_stays(lang: str) -> None:
    site = SITES[lang]
    texts = [site.page(i) for i in range(8)]
    model = _model(site.name, texts)
    for text in texts:
        decisions = _decisions(text, site.name, model)
        removed = [text[d.start : d.end] for d in decisions]
        assert len(removed) == 3
        assert removed[0] == site.nav + "\n"
        assert removed[1].startswith(site.date.split()[0])  # the date line, other on every page
        assert removed[2] == site.footer + "\n"
        assert all(d.kind == Kind.SITE_BOILERPLATE and d.evidence["pages"] == 8 for d in decisions)


@pytest.mark.parametrize("lang", LANGS)
def test_background_paragraph_on_a_minority_of_pages_stays(lang: str) -> None:
    """Three of eight pages tell a story's background after their own paragraph: a sentence in the
    body needs the evidence of a long block, which three pages are not."""
    site = SITES[lang]
    texts = [site.page(i, (site.background,) if i in (1, 4, 6) else ()) for i in range(8)]
    model = _model(site.name, texts)
    assert model.rule.long_pages_needed(8) > 3
    for i in (1, 4, 6):
        removed = _removed(texts[i], site.name, model)
        assert len(removed) == 3 and not any(site.background in r for r in removed)


# An "about this article" line of three sentences: its first and last on every page, its middle
# (a print edition note with slots of its own) on some.
NOTICES = {
    "ar": (
        "نشر هذا المقال على موقع النهار في الساعة 10:{minute} يوم الأحد {day} مايو 2024.",
        "وظهرت نسخة منه في الصفحة {day} من العدد المطبوع لجريدة النهار الصادر يوم الاثنين {day} مايو 2024"
        " مع صور إضافية.",
        "آخر تعديل له في الساعة 11:{minute} يوم الأحد {day} مايو 2024.",
    ),
    "en": (
        "This article was published on herald.example at 10.{minute} on Sunday {day} May 2024.",
        "A version appeared on p{day} of the Main section of the Daily Herald print edition on Monday {day}"
        " May 2024.",
        "It was last modified at 11.{minute} on Sunday {day} May 2024.",
    ),
}


@pytest.mark.parametrize("lang", LANGS)
def test_a_sentence_between_two_of_its_lines_site_sentences_needs_a_short_blocks_evidence(lang: str) -> None:
    """In the body, a sentence of a long line needs a long block's evidence; between two sentences
    of its line that go as the site's, three pages of eight are enough. Once, it stays."""
    site = SITES[lang]
    first, middle, last = NOTICES[lang]

    def notice(i: int, middle: str) -> str:
        return " ".join((first, middle, last)).format(day=i + 1, minute=10 + i)

    texts = [site.page(i, (notice(i, middle if i in (1, 4, 6) else ""),)) for i in range(8)]
    texts[2] = site.page(2, (notice(2, site.background),))  # a sentence of the page's own
    model = _model(site.name, texts)
    assert model.rule.long_pages_needed(8) > 3
    for i in (1, 4, 6):
        removed = sorted(_decisions(texts[i], site.name, model), key=lambda d: d.start)
        line = notice(i, middle).rstrip(".")
        assert "".join(texts[i][d.start : d.end] for d in removed[2:5]).startswith(line)
        assert all(type(d) is Decision for d in removed)  # made by the core as by Decision(...)
        # In the order the audit record shows them.
        assert list(removed[3].evidence.items()) == [
            ("pages", 3),
            ("site_pages", 8),
            ("needed", 3),
            ("between", "site-boilerplate, site-boilerplate"),
        ]
        assert not any(site.articles[i] in texts[i][d.start : d.end] for d in removed)
    removed = _removed(texts[2], site.name, model)
    assert len(removed) == 5 and not any(site.background in r for r in removed)


# An embed's consent notice, under every post a page embeds.
CONSENT = {
    "ar": "تحتوي هذه الصفحة على محتوى من موقع خارجي وموافقتكم مطلوبة قبل عرض أي مواد منه.",
    "en": "This page contains content from an external site and your consent is needed before it is shown.",
}


@pytest.mark.parametrize("flat", [False, True], ids=["lines", "flattened"])
@pytest.mark.parametrize("lang", LANGS)
def test_a_sentence_a_page_says_three_times_needs_a_short_blocks_evidence(lang: str, flat: bool) -> None:
    """In the body, a sentence needs a long block's evidence (4 of 8 pages); said three times in one
    page, three pages are enough. Once on a page, or three times on one page alone, it stays."""
    site, notice = SITES[lang], CONSENT[lang]
    bodies = {1: (notice, site.background, notice, notice), 4: (notice,), 6: (notice,)}
    texts = [site.page(i, bodies.get(i, ())) for i in range(8)]
    if flat:
        texts = [text.replace("\n", " ") for text in texts]
    model = _model(site.name, texts)
    assert model.rule.long_pages_needed(8) > 3
    decisions = _decisions(texts[1], site.name, model)
    notices = [d for d in decisions if notice in texts[1][d.start : d.end]]
    assert len(notices) == 3 and all(d.evidence["copies"] == 3 for d in notices)
    assert not any(site.background in texts[1][d.start : d.end] for d in decisions)
    for i in (4, 6):
        assert not any(notice in r for r in _removed(texts[i], site.name, model))
    alone = _model(site.name, [site.page(i, bodies[1] if i == 1 else ()) for i in range(8)])
    assert not any(notice in r for r in _removed(site.page(1, bodies[1]), site.name, alone))


@pytest.mark.parametrize("lang", LANGS)
def test_a_notice_in_the_body_of_every_page_goes(lang: str) -> None:
    """The same long sentence after the article on all eight pages is the site's, not a story's."""
    site = SITES[lang]
    texts = [site.page(i, (site.background,)) for i in range(8)]
    model = _model(site.name, texts)
    for text in texts:
        assert site.background + "\n" in _removed(text, site.name, model)


@pytest.mark.parametrize("lang", LANGS)
def test_a_link_length_line_on_two_pages_goes_on_one_page_stays(lang: str) -> None:
    site = SITES[lang]
    texts = [site.page(i, tail=(site.link,) if i < 2 else ()) for i in range(8)]
    model = _model(site.name, texts)
    assert model.rule.pages_needed(8, len(site.link.split())) == 2
    for text in texts[:2]:
        assert site.link + "\n" in _removed(text, site.name, model)
    once = _model(site.name, texts[1:])  # the line on one page of seven
    assert not any(site.link in r for r in _removed(texts[1], site.name, once))


@pytest.mark.parametrize("lang", LANGS)
def test_a_label_with_a_slot_other_on_every_page_goes_as_a_template(lang: str) -> None:
    site = SITES[lang]
    words = site.background.split()
    texts = [site.page(i, tail=(f"{site.tags}: {words[i]}, {words[i + 8]}",)) for i in range(8)]
    model = _model(site.name, texts)
    for text in texts:
        templates = [d for d in _decisions(text, site.name, model) if d.kind == Kind.TEMPLATE]
        assert len(templates) == 1
        assert text[templates[0].start : templates[0].end].startswith(site.tags + ": ")
        assert templates[0].evidence["pages"] == 8


# A speech verb and its quotation marks; a photo credit's label.
QUOTES = {"ar": ("وأضاف", "«", "»", "تصوير"), "en": ("He added", '"', '"', "Photograph")}


@pytest.mark.parametrize("lang", LANGS)
def test_a_quote_a_label_opens_in_a_paragraph_stays_where_the_label_is_on_every_page(lang: str) -> None:
    """'He added: "…".' opens a sentence on every page, each with its own words: after another
    sentence of its line, or opening a line that goes on with its quotation mark, it is the
    article's. A caption's credit without a full stop after it still goes as a template."""
    site = SITES[lang]
    verb, opening, closing, credit = QUOTES[lang]
    words = [w.strip(".,،") for w in " ".join(site.articles).split()]

    def quote(i: int) -> str:
        return f"{verb}: {opening}{' '.join(words[9 * i : 9 * i + 9])}{closing}."

    def body(i: int) -> tuple[str, ...]:
        caption = f"{site.background} {credit}: {words[i]} {words[i + 20]}"
        return f"{site.background} {quote(i)}", f"{quote(i + 8)} {site.background}", caption

    texts = [site.page(i, body(i)) for i in range(8)]
    model = _model(site.name, texts)
    label = label_prefix(quote(0), 10)
    assert label is not None and model.sites[site.name].labels[label] == 8
    for i, text in enumerate(texts):
        decisions = _decisions(text, site.name, model)
        assert not any(verb in text[d.start : d.end] for d in decisions)
        templates = [text[d.start : d.end] for d in decisions if d.kind == Kind.TEMPLATE]
        assert templates == [f"{credit}: {words[i]} {words[i + 20]}\n"]


@pytest.mark.parametrize("lang", LANGS)
def test_a_part_of_a_quotation_that_spans_sentences_stays_where_the_label_is_on_every_page(lang: str) -> None:
    """'He added: "… team.. I think …".': the quotation the label opens runs on past the sentence's
    "..", and 'He said: … with," and he left!' closes one opened before it: each is a part of a
    quote, not a template. A slot whose quotation marks pair up (a title in quotes, then words)
    still goes."""
    site = SITES[lang]
    verb, opening, closing, _ = QUOTES[lang]
    words = [w.strip(".,،") for w in " ".join(site.articles).split()]

    def body(i: int) -> tuple[str, ...]:
        opened = (
            f"{verb}: {opening}{' '.join(words[9 * i : 9 * i + 8])}.. {words[i + 3]} {words[i + 5]}{closing}."
        )
        closed = f"{verb}: {' '.join(words[9 * i + 1 : 9 * i + 6])}{closing} {words[i + 9]} {words[i + 11]}!"
        link = f"{verb}: {opening}{words[i + 7]}{closing} {words[i + 30]} {words[i + 40]}"
        return f"{site.background} {opened}", f"{site.background} {closed}", link

    texts = [site.page(i, body(i)) for i in range(8)]
    model = _model(site.name, texts)
    for i, text in enumerate(texts):
        templates = [
            text[d.start : d.end] for d in _decisions(text, site.name, model) if d.kind == Kind.TEMPLATE
        ]
        assert templates == [body(i)[2] + "\n"]


@pytest.mark.parametrize("lang", LANGS)
def test_a_caption_s_credit_stays_where_the_article_goes_on_after_it(lang: str) -> None:
    """A caption with its credit glued after it ("… Photograph: Martin Godwin"), then the article:
    the credit names who made the picture and stays with its caption. A source's label glued after
    the article's last sentence, and a credit with a figure in it, still go as templates."""
    site = SITES[lang]
    credit = QUOTES[lang][3]
    source = {"ar": "المصدر", "en": "Source"}[lang]
    words = [w.strip(".,،") for w in " ".join(site.articles).split()]

    def body(i: int) -> tuple[str, ...]:
        names = f"{words[i]} {words[i + 20]}" if i != 3 else f"{words[i]} {i + 2}"
        caption = f"{' '.join(words[9 * i : 9 * i + 9])}. {credit}: {names}"
        closing = f"{site.articles[(i + 1) % 8]} {source}: {words[i + 40]} {words[i + 50]}"
        return caption, site.articles[(i + 2) % 8], closing

    texts = [site.page(i, body(i)) for i in range(8)]
    model = _model(site.name, texts)
    for i, text in enumerate(texts):
        decisions = _decisions(text, site.name, model)
        templates = [text[d.start : d.end] for d in decisions if d.kind == Kind.TEMPLATE]
        expected = [f"{source}: {words[i + 40]} {words[i + 50]}\n"]
        assert templates == ([f"{credit}: {words[i]} {i + 2}\n", *expected] if i == 3 else expected)


@pytest.mark.parametrize(("lang", "entry"), [("ar", "12:30 م:"), ("en", "12.30pm:")])
def test_a_live_blog_entry_time_stays_where_date_lines_of_its_shape_go(lang: str, entry: str) -> None:
    """A time alone on a line has the shape of the date line on every page; ending with a colon,
    it opens the entry after it."""
    site = SITES[lang]
    texts = [site.page(i, (entry, site.background) if i == 2 else ()) for i in range(8)]
    model = _model(site.name, texts)
    removed = _removed(texts[2], site.name, model)
    assert len(removed) == 3 and removed[1].startswith(site.date.split()[0])
    assert not any(entry in r for r in removed)
    assert _removed(texts[2].replace(entry, entry[:-1]), site.name, model)[2] == entry[:-1] + "\n"


@pytest.mark.parametrize("lang", LANGS)
def test_a_site_without_a_model_or_with_one_page_removes_nothing(lang: str) -> None:
    site = SITES[lang]
    texts = [site.page(i) for i in range(8)]
    assert _removed(texts[0], "other.example", _model(site.name, texts)) == []
    assert _removed(texts[0], site.name, _model(site.name, texts[:1])) == []


TEASERS = {
    "ar": (
        "قطار الشمال يعود إلى العمل",
        "أعلنت الهيئة أن قطار الشمال سيعود إلى العمل بعد توقف دام ثلاثة أشهر بسبب أعمال الصيانة في المحطات.",
        "المزيد »",
    ),
    "en": (
        "Northern line trains run again",
        "The rail authority says trains on the northern line will run again next week after three "
        "months of repairs to its stations and bridges.",
        "more »",
    ),
}


def _between(text: str, site: str, model: SiteModel) -> list[str]:
    """What `between_furniture` removes once the site's evidence has judged the page."""
    blocks = segment(text)
    flow = flow_lines(blocks).keys()
    decided = {
        (d.start, d.end): d.kind for d in site_boilerplate.detect(text, site, blocks, model, flow).decisions
    }
    removed = [decided.get((b.start, b.end)) for b in blocks]
    found, _ = site_boilerplate.between_furniture(site, blocks, removed, model, flow)
    return [text[d.start : d.end] for d in found]


@pytest.mark.parametrize("lang", LANGS)
def test_a_teaser_list_of_a_few_pages_goes_with_its_summaries(lang: str) -> None:
    """Three of eight pages (a section's) close with a teaser: its title, a summary sentence and
    "more »". The title and "more »" are furniture by their pages; the summary, a long sentence on
    three pages, stands between them and goes too. A page's own lines stay."""
    site = SITES[lang]
    title, summary, more = TEASERS[lang]
    texts = [site.page(i, tail=(title, summary, more) if i in (1, 4, 6) else (more,)) for i in range(8)]
    model = _model(site.name, texts)
    for i in (1, 4, 6):
        assert summary + "\n" not in _removed(texts[i], site.name, model)
        assert _between(texts[i], site.name, model) == [summary + "\n"]
    # The same sentence right after the article's own paragraph is the story's background: it stays.
    texts = [site.page(i, (summary,) if i in (1, 4, 6) else (), (more,)) for i in range(8)]
    model = _model(site.name, texts)
    assert all(_between(texts[i], site.name, model) == [] for i in (1, 4, 6))


WIDGET = {
    "ar": (
        ("فيسبوك", "تويتر", "واتساب", "تلغرام", "لينكدإن", "البريد", "طباعة", "نسخ الرابط"),
        "آخر تغريدات فريق التحرير",
        "سارة_نور: النشرة اليومية عن الصحة والتعليم والنقل في المدينة مع روابط التقارير الكاملة "
        "والمقابلات http://t.co/x1",
        "تابع محررينا على تويتر",
        "نشرت نسخة من هذا المقال في العدد المطبوع يوم الاثنين.",
        (
            "أتفق تماما مع ما جاء في المقال فقد عانينا في حينا من المشكلة نفسها لسنوات طويلة دون أي حل.",
            "المشكلة ليست في التمويل وحده بل في غياب التخطيط الذي يسبق كل مشروع جديد في هذه المدينة.",
            "شكرا للكاتب على هذا العرض الواضح وأتمنى أن تتابع الجريدة القصة حتى نعرف ما سيحدث بعد ذلك.",
        ),
    ),
    "en": (
        ("Facebook", "Twitter", "WhatsApp", "Telegram", "LinkedIn", "Email", "Print", "Copy link"),
        "Latest tweets from our newsroom",
        "sara_noor: In today's daily briefing on health, schools and transport in the city, with "
        "links to the full reports http://t.co/x1",
        "Follow our editors on a Twitter list",
        "A version of this article appeared in the print edition on Monday.",
        (
            "I agree with every word, our street had the same trouble for years and nobody answered us.",
            "Money is not the whole problem here, the planning that comes before every project is missing.",
            "Thank you for setting this out so clearly, I hope the paper keeps following the story.",
        ),
    ),
}


@pytest.mark.parametrize("lang", LANGS)
def test_a_social_widget_between_the_article_and_the_comments_goes(lang: str) -> None:
    """After the article, a share bar, then a widget of the section's latest tweets (a long line on
    three of eight pages, between the widget's own lines), then a reader's comment: the comment is
    a paragraph of the page's own after the tweet, yet the article ends before the share bar, so
    the tweet goes. So does a sentence of the site's in the tweet's place (a print edition note,
    its full stop notwithstanding); the comment, on one page, stays."""
    site = SITES[lang]
    share, head, tweet, follow, note, comments = WIDGET[lang]

    def page(i: int, line: str) -> str:
        if i not in (1, 4, 6):
            return site.page(i, tail=(*share, head, follow))
        return site.page(i, tail=(*share, head, line, follow, comments[(1, 4, 6).index(i)]))

    texts = [page(i, tweet) for i in range(8)]
    model = _model(site.name, texts)
    for i in (1, 4, 6):
        assert tweet + "\n" not in _removed(texts[i], site.name, model)  # a long line on three pages
        assert _between(texts[i], site.name, model) == [tweet + "\n"]
    texts = [page(i, note) for i in range(8)]
    model = _model(site.name, texts)
    assert all(_between(texts[i], site.name, model) == [note + "\n"] for i in (1, 4, 6))
