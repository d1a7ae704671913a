"""Precision: what cleaning must not cut. Abbreviations are no sentence ends; a page is never
emptied by a template alone; scripts written without spaces are measured in characters; a run
that a site repeats is not cut out of the middle of a sentence."""

from __future__ import annotations

import random

import pytest

from dedup.clean import Cleaner
from dedup.normalize import key_words, normalize
from dedup.page import Page
from dedup.segment import segment, sentence_spans

PROSE = "The rest of the paragraph goes on for a while, as prose does, so that the line is long. " * 3


def _sentences(text: str) -> list[str]:
    """The sentences of `text` at the start of a long line (of prose)."""
    line = text + " " + PROSE.strip()
    out = [line[s:e] for s, e in sentence_spans(line, 0, len(line))]
    assert "".join(out[-3:]) == PROSE.strip()
    return out[:-4] + [out[-4].rstrip(" ")]


def test_short_lines_keep_their_abbreviations() -> None:
    """A headline is not cut at an abbreviation's dot: "S." alone would be a line on many pages."""
    for text in ("Afghan leader condemns U.S. marines", "Trucker killed in B.C. highway crash"):
        assert sentence_spans(text, 0, len(text)) == [(0, len(text))]
    text = "About Post I.T.? | Twitter"  # a stop after the initials' dot ends the sentence
    assert [text[s:e] for s, e in sentence_spans(text, 0, len(text))] == [
        "About Post I.",
        "T.? ",
        "| Twitter",
    ]


# --- abbreviations ------------------------------------------------------------------------------


def test_abbreviations_do_not_end_sentences_in_english_french_and_arabic() -> None:
    en = "Officials of the U.S. are negotiating with Dr. Lane, e.g. on tariffs. Talks resume today."
    assert _sentences(en) == [
        "Officials of the U.S. are negotiating with Dr. Lane, e.g. on tariffs. ",
        "Talks resume today.",
    ]
    # "P." is also a page's abbreviation ("p. 12"): as a capital initial it shortens a name.
    named = "Timothy P. Carney wrote it. See p. 12."
    assert _sentences(named) == ["Timothy P. Carney wrote it. ", "See p. 12."]
    fr = "M. Dupont a cité p. ex. la gare du Nord. La ville répond."
    assert _sentences(fr) == ["M. Dupont a cité p. ex. la gare du Nord. ", "La ville répond."]
    ar = "قال د. سامي إن م. هدى أنهت الدراسة. وبدأ التنفيذ أمس."
    assert _sentences(ar) == ["قال د. سامي إن م. هدى أنهت الدراسة. ", "وبدأ التنفيذ أمس."]


def test_sentence_ends_stay_where_they_are() -> None:
    assert _sentences("The answer was no. Share this.") == ["The answer was no. ", "Share this."]
    assert _sentences("Room No. 5 is shut. It reopens.") == ["Room No. 5 is shut. ", "It reopens."]
    assert _sentences("It runs Windows SOFTWARE A. PIPRO IS NEXT.") == [
        "It runs Windows SOFTWARE A. ",
        "PIPRO IS NEXT.",
    ]
    assert _sentences("The plan passed. Then it stalled!") == ["The plan passed. ", "Then it stalled!"]
    assert _sentences("انتهى الاجتماع. وبدأ التصويت؟ نعم.") == ["انتهى الاجتماع. ", "وبدأ التصويت؟ ", "نعم."]
    assert _sentences("He won 3.5 points.Share this.") == ["He won 3.5 points.", "Share this."]


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
            f"After {i + 3} rounds in {place}, the U.S. are negotiating {topic} quotas. "
            f"The {topic} talks in {place} follow a year of rising prices and a dispute over old rules. "
            f"Delegates from {place} expect a first {topic} draft before the summer recess.\n",
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


# --- a page is never emptied by a template ----------------------------------------------------

AR_MONTHS = ("يناير", "فبراير", "مارس", "أبريل", "مايو", "يونيو", "يوليو", "أغسطس", "سبتمبر", "أكتوبر")
EN_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October")


def _templated_site(site: str, line: str, months: tuple[str, ...], article: str) -> list[Page]:
    """Ten pages opening with one templated line (a date slot): six go on with an article, four
    are that line alone."""
    pages = []
    for i, month in enumerate(months):
        opener = line.format(day=i + 3, month=month)
        text = opener + ("\n" + article.format(n=i + 2) + "\n" if i < 6 else "\n")
        pages.append(Page(f"{site}:{i}", text, url=f"https://{site}/{i}", site=site))
    return pages


def test_one_line_pages_of_a_templated_sentence_keep_it() -> None:
    ar = _templated_site(
        "tahaqqaq.example",
        "نشرت إحدى حسابات فيسبوك الادعاء بتاريخ {day} {month} 2024 مرفقًا بالتعليق الآتي:",
        AR_MONTHS,
        "وتبين بعد البحث أن الصورة التقطت قبل {n} سنوات في مدينة أخرى ولا علاقة لها بالحدث المذكور.",
    )
    en = _templated_site(
        "checked.example",
        "A Facebook account posted the claim on {day} {month} 2024 with the following caption:",
        EN_MONTHS,
        "A reverse image search shows the photo was taken {n} years ago in another city.",
    )
    for pages in (ar, en):
        cleaner = Cleaner()
        cleaner.learn(pages)
        for page in pages[6:]:
            result = cleaner.clean(page)
            assert result.text == page.text, page.id  # its only sentence is the page


# --- runs a site repeats inside a sentence --------------------------------------------------------

AR_WORDS = [
    "الحكومة",
    "المدينة",
    "المشروع",
    "الوزارة",
    "السكان",
    "الطريق",
    "المدرسة",
    "المستشفى",
    "الميناء",
    "الشركة",
    "العمال",
    "الموسم",
    "الخطة",
    "الميزانية",
    "اللجنة",
    "المجلس",
    "الاجتماع",
    "القرار",
    "التقرير",
    "السوق",
    "المزارعين",
    "الأسعار",
    "المياه",
    "الكهرباء",
]
EN_WORDS = [
    "government",
    "city",
    "project",
    "ministry",
    "residents",
    "road",
    "school",
    "hospital",
    "port",
    "company",
    "workers",
    "season",
    "plan",
    "budget",
    "committee",
    "council",
    "meeting",
    "decision",
    "report",
    "market",
    "farmers",
    "prices",
    "water",
    "power",
]
AR_FIGURE = "وأغلق المؤشر العام للسوق منخفضا بنسبة {a} في المئة إلى مستوى {b} نقطة"
EN_FIGURE = "and the main market index closed down {a} percent at the level of {b} points"


def _flat_pages(site: str, words: list[str], figure: str, verb: str) -> list[Page]:
    """Twelve pages without line breaks (one line each, 150+ words); the sentence of five of them
    holds a market figure in the site's wording, between the article's own words."""
    rng = random.Random(site)
    pages = []
    for i in range(12):
        sentences = [" ".join(rng.choice(words) for _ in range(12)) + "." for _ in range(14)]
        if i < 5:
            slot = figure.format(a=f"0.{i + 3}", b=4000 + 17 * i)
            sentences[6] = f"{verb} {rng.choice(words)} {rng.choice(words)} {slot} {rng.choice(words)}."
        pages.append(Page(f"{site}:{i}", " ".join(sentences), url=f"https://{site}/{i}", site=site))
    return pages


def test_a_market_figure_in_the_sites_wording_keeps_its_sentence() -> None:
    for site, words, figure, verb in (
        ("souq.example", AR_WORDS, AR_FIGURE, "وقال"),
        ("markets.example", EN_WORDS, EN_FIGURE, "Traders said"),
    ):
        pages = _flat_pages(site, words, figure, verb)
        cleaner = Cleaner()
        cleaner.learn(pages)
        for i, page in enumerate(pages[:5]):
            slot = figure.format(a=f"0.{i + 3}", b=4000 + 17 * i)
            assert slot in cleaner.clean(page).text, page.id


# A fact-check site's wording of its verdict, and the findings that follow it.
VERDICTS = {
    "ar": ("تحقق مسبار من الادعاء وتبين أنه", ("مضلل", "زائف", "صحيح", "مفبرك"), "، إذ إن"),
    "en": ("Our team checked the claim and found it", ("misleading", "false", "true", "fabricated"), ", as"),
}


@pytest.mark.parametrize("lang", ["ar", "en"])
@pytest.mark.parametrize("carried", [4, 12])
def test_a_verdict_in_the_sites_wording_keeps_its_sentence(lang: str, carried: int) -> None:
    """A flattened fact-check page: the site's phrase opens the verdict's sentence in the middle of
    the page, on a third of the site's pages or on all of them; the finding follows it. The
    sentence stays whole: the phrase is the sentence's own start, not furniture glued before it."""
    words = AR_WORDS if lang == "ar" else EN_WORDS
    opener, findings, joint = VERDICTS[lang]
    site = f"verdicts-{lang}.example"
    rng = random.Random(site)
    pages, verdicts = [], {}
    for i in range(12):
        sentences = [" ".join(rng.choice(words) for _ in range(12)) + "." for _ in range(14)]
        if i < carried:
            own = " ".join(rng.choice(words) for _ in range(8))
            verdicts[i] = sentences[6] = f"{opener} {findings[i % 4]}{joint} {own}."
        pages.append(Page(f"{site}:{i}", " ".join(sentences), url=f"https://{site}/{i}", site=site))
    cleaner = Cleaner()
    cleaner.learn(pages)
    for i, verdict in verdicts.items():
        assert verdict in cleaner.clean(pages[i]).text, pages[i].id


@pytest.mark.parametrize(
    ("words", "footer"), [(AR_WORDS, "تابع صحيفة الوادي على:"), (EN_WORDS, "Follow the Valley Post on:")]
)
def test_a_score_before_the_sites_footer_keeps_its_last_figure(words: list[str], footer: str) -> None:
    # Every page ends with a figure, then the footer: the 3-gram "<number> <footer's first words>"
    # is the site's, but the figure ends the article's last sentence (a score: "... 1-1.").
    rng = random.Random(footer)
    pages, scores = [], []
    for i in range(12):
        sentences = [" ".join(rng.choice(words) for _ in range(12)) + "." for _ in range(14)]
        figure = f"{i % 3}-{i % 2}" if i < 4 else str(i + 10)
        scores.append(" ".join(rng.choice(words) for _ in range(8)) + f" {figure}.")
        text = " ".join(sentences) + f" {scores[-1]} {footer}"
        pages.append(Page(f"p{i}", text, url=f"https://sport.example/{i}", site="sport.example"))
    cleaner = Cleaner()
    cleaner.learn(pages)
    for page, score in zip(pages, scores, strict=True):
        cleaned = cleaner.clean(page).text
        assert score in cleaned, page.id
        assert footer not in cleaned


# --- in-page repeats ------------------------------------------------------------------------------

CABINET_AR = (
    "عقد مجلس الوزراء جلسته الأسبوعية أمس برئاسة خادم الحرمين الشريفين.\n"
    "بعد الاطلاع على ما رفعه صاحب السمو الملكي وزير الداخلية، وبعد النظر في قرار مجلس الشورى رقم 12، "
    "قرر المجلس الموافقة على تعديل نظام الأحوال المدنية.\n"
    "بعد الاطلاع على ما رفعه صاحب السمو الملكي رئيس الهيئة العامة للسياحة والتراث الوطني، قرر المجلس "
    "الموافقة على اتفاقية بشأن حماية التراث الثقافي.\n"
    "ارتفع مؤشر بورصة البحرين في تعاملات جلسة يوم أمس بواقع 0.13 نقطة ليغلق عند مستوى 1333.15 نقطة، "
    "وانخفضت قيم وأحجام التداولات، حيث قام المستثمرون بتناقل ملكية 2 مليون سهم بقيمة 217.1 ألف دينار.\n"
    "تراجع مؤشر البورصة الأردنية بنسبة 0.31 في المائة لتقفل عند مستوى 2123.28 نقطة، "
    "وانخفضت قيم وأحجام التداولات، حيث قام المستثمرون بتناقل ملكية 8.8 مليون سهم بقيمة 11.3 مليون دينار.\n"
)
CABINET_EN = (
    "The cabinet held its weekly session on Tuesday in the capital.\n"
    "After reviewing the report submitted by the Minister of Finance, the cabinet approved the budget "
    "for the coming year.\n"
    "After reviewing the report submitted by the Minister of Health, the cabinet approved the national "
    "vaccination plan.\n"
)


def test_a_phrase_two_sentences_of_a_page_share_stays_in_both() -> None:
    # Official wording repeats inside one article with another continuation each time: no copy.
    for text in (CABINET_AR, CABINET_EN):
        result = Cleaner().clean(Page("p", text, url="https://news.example/1"))
        assert result.text == text and not result.removed


def test_a_title_doubled_in_place_inside_a_line_still_goes() -> None:
    title = "Hollywood studio wanted Julia Roberts to play the lead in its next picture"
    body = "The council met on Monday and voted to extend the opening hours of the city's libraries."
    text = f"Most read {title} {title}\n{body}\n"
    result = Cleaner().clean(Page("p", text, url="https://news.example/1"))
    assert result.text.count(title) == 1 and [r.kind for r in result.removed] == ["repeat"]


# --- the page's own headline ----------------------------------------------------------------------

HEADLINES = {
    "en": (
        ("Home", "World", "Business", "Sport", "Most read"),
        [
            "Council votes to extend library opening hours",
            "Port expansion doubles cargo capacity",
            "Rail strike called off after late talks",
            "New hospital wing opens to patients",
            "Farmers count losses after the spring floods",
            "City unveils plan for cheaper bus fares",
        ],
        "The council met on Monday to debate {t}, and the vote that followed was closer than expected.",
        "council-votes-to-extend-library-opening-hours",
    ),
    "ar": (
        ("الرئيسية", "العالم", "اقتصاد", "رياضة", "الأكثر قراءة"),
        [
            "مجلس المدينة يمدد ساعات عمل المكتبات العامة",
            "توسعة الميناء تضاعف قدرته على استقبال البضائع",
            "إلغاء إضراب القطارات بعد مفاوضات متأخرة",
            "افتتاح جناح جديد في المستشفى المركزي للمرضى",
            "المزارعون يحصون خسائرهم بعد فيضانات الربيع",
            "المدينة تكشف خطة لخفض أسعار تذاكر الحافلات",
        ],
        "اجتمع المجلس يوم الاثنين لمناقشة {t}، وجاء التصويت الذي تلاه أقرب مما كان متوقعا.",
        "مجلس-المدينة-يمدد-ساعات-عمل-المكتبات-العامة",
    ),
}


def _headline_page(lang: str, i: int, url: str) -> Page:
    """Page `i` of a site: nav, a "most read" list (page 0's headline on the other pages), its own
    headline, its article, the headline again at its end."""
    nav, titles, sentence, _ = HEADLINES[lang]
    links = [t for t in titles if t != titles[i]][:3] + ([titles[0]] if i else [])
    body = [sentence.format(t=f"{titles[i]} ({k})") for k in range(3)]
    return Page(f"{lang}{i}", "\n".join([*nav, *links, titles[i], *body, titles[i]]) + "\n", url=url)


@pytest.mark.parametrize("lang", sorted(HEADLINES))
def test_a_pages_headline_stays_where_other_pages_list_it_as_a_link(lang: str) -> None:
    """Page 0's headline is a "most read" link on the other pages, so its site counts it on all
    six: on page 0 it stands before the article and its URL's slug says it, so it stays there,
    once; on the other pages, and on a page 0 whose URL has no slug, it goes."""
    title, slug = HEADLINES[lang][1][0], HEADLINES[lang][3]
    base = f"https://news.example/{lang}/2024/05"
    pages = [_headline_page(lang, i, f"{base}/{i}/{slug if i == 0 else i}") for i in range(6)]
    cleaner = Cleaner()
    cleaner.learn(pages)
    first = cleaner.clean(pages[0]).text
    assert first.startswith(title + "\n") and first.count(title + "\n") == 1
    assert all(title + "\n" not in cleaner.clean(p).text for p in pages[1:])
    assert title + "\n" not in cleaner.clean(_headline_page(lang, 0, f"{base}/0/99")).text


HEAD_LISTS = {
    "en": (
        ["Home", "World", "Business", "Science", "Culture", "Travel", "Weather", "Podcasts"],
        [
            "Open thread for the long weekend",
            "What readers said about parking fees",
            "A week of storms in pictures",
            "The quiet return of the night train",
            "Five questions for the new mayor",
            "Notes from a rainy county fair",
            "Why the ferry timetable keeps changing",
        ],
        ("Sign up for our newsletter", "Share this article"),
        "Local government",
    ),
    "ar": (
        ["الرئيسية", "العالم", "اقتصاد", "علوم", "ثقافة", "سفر", "الطقس", "بودكاست"],
        [
            "نقاش مفتوح لعطلة نهاية الأسبوع",
            "ماذا قال القراء عن رسوم المواقف",
            "أسبوع من العواصف بالصور",
            "العودة الهادئة لقطار الليل",
            "خمسة أسئلة للعمدة الجديد",
            "ملاحظات من معرض ريفي ممطر",
            "لماذا يتغير جدول العبارات باستمرار",
        ],
        ("اشترك في النشرة البريدية", "شارك المقال"),
        "الحكم المحلي",
    ),
}


@pytest.mark.parametrize("lang", sorted(HEAD_LISTS))
def test_the_lists_above_a_pages_headline_go_and_its_kicker_stays(lang: str) -> None:
    """One page of a site: a nav bar and a sidebar of recent posts, each after a known widget
    phrase, then a kicker, the headline its URL names and the article. Everything short above the
    headline between removed lines goes, however long the list; the kicker right above the headline
    stays. Without a slug in the URL the head is left alone."""
    nav, recent, (newsletter, share), kicker = HEAD_LISTS[lang]
    _, titles, sentence, slug = HEADLINES[lang]
    body = [sentence.format(t=f"{titles[0]} ({k})") for k in range(3)]
    text = "\n".join([*nav, newsletter, *recent, share, kicker, titles[0], *body]) + "\n"
    cleaned = Cleaner().clean(Page("p", text, url=f"https://news.example/2024/05/{slug}")).text
    assert cleaned == "\n".join([kicker, titles[0], *body]) + "\n"
    kept = Cleaner().clean(Page("p", text, url="https://news.example/2024/05/4279575")).text
    assert all(line + "\n" in kept for line in (*nav, *recent))


@pytest.mark.parametrize("lang", sorted(HEADLINES))
def test_a_title_the_page_says_again_stays_though_a_few_pages_link_it(lang: str) -> None:
    """No slug in the URLs. Page 0's title opens it and closes it; two of the site's sixteen pages
    list it among their "most read" links, so the site holds it on three pages, enough to take it.
    A title that its own page says again, on so few of the site's pages, is that page's: it stays
    at the top, and on the pages that only link to it, it goes."""
    nav, titles, sentence, _ = HEADLINES[lang]
    others = [f"{t} ({n})" for n in range(3) for t in titles[1:]][:15]

    def page(i: int) -> Page:
        title = titles[0] if i == 0 else others[i - 1]
        links = [titles[0]] if i in (1, 2) else []
        body = [sentence.format(t=f"{title} {k}") for k in range(3)]
        lines = [*nav, *links, title, *body, title]
        return Page(f"{lang}{i}", "\n".join(lines) + "\n", url=f"https://news.example/{i}")

    pages = [page(i) for i in range(16)]
    cleaner = Cleaner()
    cleaner.learn(pages)
    assert cleaner.clean(pages[0]).text.startswith(titles[0] + "\n")
    assert all(titles[0] + "\n" not in cleaner.clean(p).text for p in pages[1:3])
