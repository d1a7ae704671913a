"""Pages without line breaks (a flattened page): site furniture glued into the flow of words.

A made-up site whose pages are one line each: a head (section, date, reporter), the article, a
"read also" card glued between two sentences on some pages, a banner on others, a tags list,
related titles and a footer. The article's sentences are drawn at random from a vocabulary, so
that only the furniture (and a story's background sentence) repeats across pages.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

import pytest

from dedup.audit import restore
from dedup.clean import Cleaner
from dedup.page import Page


def _words(text: str) -> list[str]:
    return text.split()


EN_WORDS = _words(
    "council budget school river bridge harbour market station museum hospital teachers farmers "
    "workers drivers nurses engineers minister mayor judge police report plan road rail water power "
    "village city county coast valley north south east west new old small large early late public "
    "local national said told added agreed asked opened closed raised cut built moved signed"
)
EN_LITTLE = _words("the a of to in and on for with at by from")
AR_WORDS = _words(
    "المجلس الميزانية المدرسة النهر الجسر الميناء السوق المحطة المتحف المستشفى المعلمون المزارعون "
    "العمال السائقون الممرضات المهندسون الوزير المحافظ القاضي الشرطة التقرير الخطة الطريق القطار "
    "المياه الكهرباء القرية المدينة الساحل الوادي الشمال الجنوب الجديد القديم الصغير الكبير قال "
    "أعلن أضاف وافق افتتح أغلق رفع خفض بنى نقل وقع"
)
AR_LITTLE = _words("في من إلى على عن مع بعد قبل")

EN_TITLES = (
    "Harbour Bridge Reopens After Repairs",
    "Farmers Win Water Rights Case",
    "New Rail Line For The Valley",
    "Museum Doubles Its Opening Hours",
    "Nurses Agree Pay Deal With County",
)
AR_TITLES = (
    "إعادة افتتاح جسر الميناء بعد الإصلاح",
    "المزارعون يكسبون قضية حقوق المياه",
    "خط قطار جديد إلى الوادي",
    "المتحف يضاعف ساعات العمل",
    "الممرضات يوقعن اتفاق الأجور",
)

BANNERS = {
    "en": "Spring drive: give to the flood fund today",
    "ar": "حملة الربيع: تبرعوا لصندوق الفيضانات اليوم",
}
BACKGROUND = {
    "en": "Background: the harbour bridge was closed in March after engineers found cracks in two of "
    "its main supports, and the county began repairs.",
    "ar": "خلفية: أغلق جسر الميناء في مارس بعد أن وجد المهندسون شقوقا في اثنين من دعاماته الرئيسية، "
    "وبدأت المحافظة أعمال الإصلاح.",
}


@dataclass(frozen=True)
class FlatSite:
    """Flattened pages of one site, and what each page's article is."""

    pages: tuple[Page, ...]
    sentences: tuple[tuple[str, ...], ...]  # the article's sentences, per page
    cards: tuple[str, ...]  # the "read also" card glued into a page ("" where none)
    tags: tuple[str, ...]  # the tags list of each page


def _sentence(rnd: random.Random, words: list[str], little: list[str]) -> str:
    picked = [rnd.choice(words if rnd.random() < 0.6 else little) for _ in range(rnd.randint(8, 14))]
    return picked[0].capitalize() + " " + " ".join(picked[1:]) + "."


def _flat_site(lang: str, n_pages: int = 30, seed: int = 3) -> FlatSite:
    rnd = random.Random(seed)
    en = lang == "en"
    words, little = (EN_WORDS, EN_LITTLE) if en else (AR_WORDS, AR_LITTLE)
    titles = EN_TITLES if en else AR_TITLES
    card_label = "Also on The Valley Post:" if en else "اقرأ أيضا في بريد الوادي:"
    tags_label = "Filed under:" if en else "الوسوم:"
    comma = ", " if en else "، "
    pages, all_sentences, cards, all_tags = [], [], [], []
    for i in range(n_pages):
        head = (
            f"Home › Local Published {i + 1} May 2024, 10:{i + 10} Reporting by Ann Lee"
            if en
            else f"الرئيسية › محليات نشر في {i + 1} مايو 2024 الساعة 10:{i + 10} كتب: سامي علي"
        )
        sentences = [_sentence(rnd, words, little) for _ in range(rnd.randint(8, 12))]
        if i % 5 == 3:  # a story's background sentence, on six pages
            sentences.insert(1, BACKGROUND[lang])
        card = f"{card_label} {rnd.choice(titles)}" if i % 2 == 0 else ""
        banner = [BANNERS[lang]] if i % 4 == 1 else []  # a banner the site ran for a while
        body = sentences[:2] + banner + sentences[2:4] + ([card] if card else []) + sentences[4:]
        tags = comma.join(rnd.sample(words, rnd.randint(2, 4)))
        related = " ".join(rnd.sample(titles, 3))
        tail = (
            f"{tags_label} {tags} Share this story More from The Valley Post {related} "
            "The Valley Post is not responsible for the content of external sites."
            if en
            else f"{tags_label} {tags} شارك الخبر المزيد من بريد الوادي {related} "
            "بريد الوادي غير مسؤول عن محتوى المواقع الخارجية."
        )
        text = " ".join([head, *body, tail])
        pages.append(Page(id=f"{lang}{i}", text=text, site=f"{lang}.valleypost.example"))
        all_sentences.append(tuple(sentences))
        cards.append(card)
        all_tags.append(tags)
    return FlatSite(tuple(pages), tuple(all_sentences), tuple(cards), tuple(all_tags))


@pytest.fixture(scope="module", params=["en", "ar"])
def flat_site(request: pytest.FixtureRequest) -> FlatSite:
    """Thirty flattened pages of a made-up English or Arabic site."""
    return _flat_site(request.param)


def test_flattened_pages_are_one_line(flat_site: FlatSite) -> None:
    assert all("\n" not in p.text and len(p.text.split()) > 100 for p in flat_site.pages)


def test_glued_card_and_tags_go_the_article_stays(flat_site: FlatSite) -> None:
    cleaner = Cleaner()
    cleaner.learn(list(flat_site.pages))
    for page, sentences, card, tags in zip(
        flat_site.pages, flat_site.sentences, flat_site.cards, flat_site.tags, strict=True
    ):
        result = cleaner.clean(page)
        assert restore(result.text, result.removed) == page.text
        for sentence in sentences:
            assert sentence in result.text, (page.id, sentence, result.text)
        if card:
            assert card.split(":")[0] not in result.text, (page.id, result.text)
            assert card.split(": ")[1] not in result.text, (page.id, result.text)
        assert tags not in result.text, (page.id, result.text)
        assert BANNERS["en"] not in result.text and BANNERS["ar"] not in result.text
        assert "Reporting by" not in result.text and "كتب:" not in result.text


def test_a_label_that_opens_a_quote_stays() -> None:
    """A label learned at the sentence starts of a site's pages goes only with a list or a title
    the site shows elsewhere: "He added:" before a quote is the article's."""
    site = _flat_site("en")
    rnd = random.Random(5)
    pages, quotes = [], []
    for page in site.pages:
        quote = " ".join(_sentence(rnd, EN_WORDS, EN_LITTLE)[:-1] for _ in range(2))  # 16 words or more
        quotes.append(f'He added: "{quote}."')
        i = page.text.index(" Filed under:")
        pages.append(Page(id=page.id, text=f"{page.text[:i]} {quotes[-1]}{page.text[i:]}", site=page.site))
    cleaner = Cleaner()
    cleaner.learn(pages)
    for page, quote in zip(pages, quotes, strict=True):
        assert quote in cleaner.clean(page).text


def test_known_read_more_prefix_takes_its_title_not_the_next_sentence() -> None:
    """A known "read more" prefix inside a sentence, before a title the site shows nowhere else:
    the prefix and the title go, up to the title's closing stop; the sentence after it stays."""
    site = _flat_site("ar")
    rnd = random.Random(9)
    pages, titles, after = [], [], []
    for page, sentences in zip(site.pages, site.sentences, strict=True):
        title = " ".join(rnd.sample(AR_WORDS, 6)) + ".."
        cut = page.text.index(sentences[5])
        text = f"{page.text[:cut]}المصدر: وكالات اقرأ المزيد {title} {page.text[cut:]}"
        pages.append(Page(id=page.id, text=text, site=page.site))
        titles.append(title)
        after.append(sentences[5])
    cleaner = Cleaner()
    cleaner.learn(pages)
    for page, title, sentence in zip(pages, titles, after, strict=True):
        result = cleaner.clean(page)
        assert title not in result.text and "اقرأ المزيد" not in result.text, result.text
        assert sentence in result.text


def test_closing_read_more_card_goes_whole() -> None:
    """A read-more card closing the article: the known prefix, a title the site links often and
    one it shows nowhere else; all of it goes, not only the prefix and the first title."""
    site = _flat_site("ar")
    rnd = random.Random(4)
    pages, unique = [], []
    for k, page in enumerate(site.pages):
        other = " ".join(rnd.sample(AR_WORDS, 5))
        i = page.text.index(" الوسوم:")
        card = f" اقرأ المزيد {AR_TITLES[k % 5]} {other}" if k % 3 == 0 else ""
        pages.append(Page(id=page.id, text=page.text[:i] + card + page.text[i:], site=page.site))
        unique.append(other if card else "")
    cleaner = Cleaner()
    cleaner.learn(pages)
    for page, other, sentences in zip(pages, unique, site.sentences, strict=True):
        if not other:
            continue
        result = cleaner.clean(page)
        assert "اقرأ المزيد" not in result.text and other not in result.text, result.text
        assert sentences[-1] in result.text


BYLINE_NAMES = (("Ann Lee", "Omar Said", "Tom Roe"), ("سامي علي", "منى حسن", "أحمد عمر"))
BYLINE_ROLES = (
    ("World Service", "Cairo desk", "BBC News"),
    ("الخدمة العالمية", "مراسل القاهرة", "بي بي سي نيوز"),
)


@pytest.mark.parametrize("most_read", [False, True])
@pytest.mark.parametrize("lang", ["en", "ar"])
def test_a_byline_after_each_pages_own_title_goes_the_title_and_lead_stay(lang: str, most_read: bool) -> None:
    """A flattened page opens with its own title, then the site's byline: labels with a name, a
    role and dates in their slots. The byline goes; the title before it and the lead after it,
    which opens with a little word and a month ("In March ..."), stay whole. With `most_read`,
    every page ends with the titles of four pages (a "most read" list, in one sentence): those
    four keep their titles all the same, as no other page opens with them."""
    rnd = random.Random(5)
    en = lang == "en"
    words, little = (EN_WORDS, EN_LITTLE) if en else (AR_WORDS, AR_LITTLE)
    names, roles = BYLINE_NAMES[0 if en else 1], BYLINE_ROLES[0 if en else 1]
    titles = [" ".join(rnd.sample(words, rnd.randint(5, 9))) + ("?" if en else "؟") for _ in range(30)]
    listed = (
        ("Most read " if en else "الأكثر قراءة ") + " ".join(t[:-1] for t in titles[:4]) if most_read else ""
    )
    pages, leads = [], []
    for i, title in enumerate(titles):
        byline = (
            f"Article Information Author, {rnd.choice(names)} Role, {rnd.choice(roles)} Published "
            f"{i % 28 + 1} May 2026, 14:{i + 10} GMT Reading time: {i % 9 + 2} minutes"
            if en
            else f"معلومات المقال الكاتب، {rnd.choice(names)} الدور، {rnd.choice(roles)} نشر في "
            f"{i % 28 + 1} مايو 2026، 14:{i + 10} مدة القراءة: {i % 9 + 2} دقائق"
        )
        lead = ("In March " if en else "في مارس ") + _sentence(rnd, words, little)
        body = " ".join(_sentence(rnd, words, little) for _ in range(8))
        text = f"{title} {byline} {lead} {body} {listed}".rstrip()
        pages.append(Page(f"{lang}{i}", text, site=f"{lang}.byline.example"))
        leads.append(lead)
    cleaner = Cleaner()
    cleaner.learn(pages)
    for page, title, lead in zip(pages, titles, leads, strict=True):
        result = cleaner.clean(page)
        assert result.text.startswith(title + " " + lead), result.text[:200]
        assert ("Author" if en else "الكاتب") not in result.text
        assert ("Reading time" if en else "مدة القراءة") not in result.text
        assert restore(result.text, result.removed) == page.text


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_a_byline_glued_to_a_title_without_a_stop_goes_when_its_dates_are_on_most_pages(lang: str) -> None:
    """A flattened page's title ends without a stop, so its byline and the lead's first words make
    one sentence with it, and the byline holds figures (its dates). A run cut out of a sentence's
    middle with figures is furniture only on most of the site's pages: the byline's label and
    author ("Article Information Author, <name>") open a third of the pages, its dates and reading
    time ("Published … Reading time: … minutes") every page. The head chain is judged by the run
    it ends with, so the byline goes; the title and the lead stay."""
    rnd = random.Random(7)
    en = lang == "en"
    words, little = (EN_WORDS, EN_LITTLE) if en else (AR_WORDS, AR_LITTLE)
    names = BYLINE_NAMES[0 if en else 1]
    pages, kept = [], []
    for i in range(30):
        title = " ".join(rnd.sample(words, rnd.randint(6, 9)))
        author = (
            (
                f"Article Information Author, {rnd.choice(names)} "
                if en
                else f"معلومات المقال الكاتب، {rnd.choice(names)} "
            )
            if i % 3 == 0
            else ""
        )
        dates = (
            f"Published {i % 28 + 1} May 2026 Reading time: {i % 9 + 2} minutes"
            if en
            else f"نشر في {i % 28 + 1} مايو 2026 مدة القراءة: {i % 9 + 2} دقائق"
        )
        lead = _sentence(rnd, words, little)
        body = " ".join(_sentence(rnd, words, little) for _ in range(8))
        pages.append(
            Page(f"{lang}{i}", f"{title} {author}{dates} {lead} {body}", site=f"{lang}.dates.example")
        )
        kept.append((title, lead))
    cleaner = Cleaner()
    cleaner.learn(pages)
    for page, (title, lead) in zip(pages, kept, strict=True):
        result = cleaner.clean(page)
        assert result.text.startswith(title + " " + lead), result.text[:200]
        assert ("Reading time" if en else "مدة القراءة") not in result.text


REPORTERS = (  # each on a few pages: the byline's name is the page's own
    ("Ann Lee", "Omar Said", "Lina Haddad", "Tom Reed", "Sara Cole", "Dan Moss", "Eva Lund"),
    ("سامي علي", "هدى كمال", "عمر الشيخ", "ليلى حسن", "خالد مصطفى", "آية إبراهيم", "محمد كامل"),
)


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_two_word_furniture_between_a_pages_own_words_goes(lang: str) -> None:
    """A flattened page: its title, a date line with its label ("<time> By:"), the reporter, a
    photo caption with its credit ("Photo: Archive"), the caption again and font buttons ("A A"),
    then the lead. The site's furniture here is one or two words between the page's own, which
    no word 3-gram anchors: the site's head word pairs do. The title (a year at its end too), the
    reporter, the captions and the lead stay, with the phrase that opens the leads of 8 pages
    ("posts on social media")."""
    rnd = random.Random(11)
    en = lang == "en"
    words, little = (EN_WORDS, EN_LITTLE) if en else (AR_WORDS, AR_LITTLE)
    reporters = REPORTERS[0 if en else 1]
    pages, kept = [], []
    for i in range(20):
        title = " ".join(rnd.sample(words, rnd.randint(5, 9))) + (" 2026" if i % 3 == 0 else "")
        # The page's own photo caption, shorter than a copy the page's repeats are found by.
        caption, reporter = " ".join(rnd.sample(words, 3)), rnd.choice(reporters)
        date = (
            f"Tuesday {i % 28 + 1}-05-2026 21:{i + 10} By:"
            if en
            else f"الثلاثاء {i % 28 + 1}-05-2026 21:{i + 10} كتب:"
        )
        credit = "Photo : Archive" if en else "تصوير : آخرون"
        house = "posts on social media claimed " if en else "تداولت حسابات على مواقع التواصل الاجتماعي "
        lead = (house if i % 5 < 2 else "") + _sentence(rnd, words, little)  # a house style: 8 pages
        body = " ".join(_sentence(rnd, words, little) for _ in range(8))
        text = f"{title} {date} {reporter} {caption} {credit} {caption} A A {lead} {body}"
        pages.append(Page(f"{lang}{i}", text, site=f"{lang}.credits.example"))
        kept.append(f"{title} {reporter} {caption} {caption} {lead} {body}")
    cleaner = Cleaner()
    cleaner.learn(pages)
    for page, expected in zip(pages, kept, strict=True):
        result = cleaner.clean(page)
        assert " ".join(result.text.split()) == expected
        assert restore(result.text, result.removed) == page.text
