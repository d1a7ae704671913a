"""Furniture that repeats on a site but has no line of its own: runs glued to a page's edges."""

from __future__ import annotations

import random

from dedup.clean import Cleaner
from dedup.page import Page

AR_BAR = "شارك من خلال تويتر فيسبوك جوجل بلس اكتب رأيك"
AR_OPENER = "تتداول حسابات على مواقع التواصل"  # the house style of a few pages: content
AR_LEADS = (
    "أكد وزير الداخلية أن الأجهزة الأمنية أحبطت محاولة تهريب كبيرة عند المنفذ الحدودي الشمالي",
    "افتتح أمير المنطقة مشروع توسعة الطريق الدائري بطول أربعين كيلومترا وبتكلفة كبيرة",
    "أعلنت هيئة الأرصاد عن موجة حارة تضرب المناطق الوسطى خلال الأيام المقبلة",
    "وقعت وزارة الصحة اتفاقية لإنشاء مستشفى تخصصي جديد في المحافظة الشرقية",
    "قررت الجامعة تمديد فترة القبول للطلاب المستجدين حتى نهاية الشهر الجاري",
    "أطلقت البلدية حملة لتنظيف الشواطئ بمشاركة مئات المتطوعين من أبناء المدينة",
    "سجلت أسعار الخضار ارتفاعا ملحوظا في الأسواق المركزية بسبب قلة المعروض",
    "استقبل المطار الدولي أول رحلة لشركة طيران جديدة تربط المدينة بعواصم أوروبية",
    "بدأت المدارس استعداداتها للعام الدراسي الجديد بصيانة المباني وتجهيز الفصول",
    "نظمت الغرفة التجارية ملتقى للمستثمرين لبحث فرص الاستثمار في قطاع السياحة",
    "كشفت دراسة حديثة عن تراجع معدلات التدخين بين الشباب خلال السنوات الأخيرة",
    "أعلن النادي تعاقده مع مدرب جديد لقيادة الفريق الأول في الموسم المقبل",
)
EN_BLURB = (
    "We find the facts and expose the lies. FactDesk is a team of journalists who check what officials say."
)
EN_CLAIMS = (
    "A post claims the minister promised free fuel for a year",
    "A video is said to show the new bridge collapsing last week",
    "A photo shared widely claims to show snow in the desert city",
    "A message says banks will close for two weeks next month",
    "A clip claims the mayor resigned during a live interview",
    "A post says schools will move to four-day weeks from autumn",
    "A chart shared online claims bread prices tripled in a month",
    "A quote attributed to the governor says taxes will double",
    "A video claims to show a rocket launch from the old harbour",
    "A post says the city water is unsafe to drink this summer",
    "An image claims the stadium will be torn down next year",
    "A message says hospitals stop taking new patients on Fridays",
)


def _ar_pages() -> list[Page]:
    """Twelve pages with line breaks: the share bar glued before the lead on 8 of them, the house
    opener before it on 2."""
    pages = []
    for i, lead in enumerate(AR_LEADS):
        start = f"{AR_BAR} " if i < 8 else (f"{AR_OPENER} " if i < 10 else "")
        body = f"{start}{lead}.\nوأضاف المسؤول أن العمل سيستمر {i + 2} أشهر قبل تقييم النتائج.\n"
        pages.append(Page(f"okaz:{i}", body, url=f"https://akhbar.example/{i}", site="akhbar.example"))
    return pages


def _en_pages() -> list[Page]:
    """Twelve one-line fact-check claims, the site's about-blurb glued after the claim on 7."""
    return [
        Page(
            f"fd:{i}",
            f"{claim} {EN_BLURB}\n" if i < 7 else f"{claim}.\n",
            url=f"https://factdesk.example/{i}",
            site="factdesk.example",
        )
        for i, claim in enumerate(EN_CLAIMS)
    ]


def _cleaned(pages: list[Page]) -> dict[str, str]:
    cleaner = Cleaner()
    cleaner.learn(pages)
    return {p.id: cleaner.clean(p).text for p in pages}


def test_a_share_bar_glued_before_the_lead_goes_and_the_lead_stays() -> None:
    pages = _ar_pages()
    cleaned = _cleaned(pages)
    for i, page in enumerate(pages):
        text = cleaned[page.id]
        assert AR_BAR not in text, page.id
        assert AR_LEADS[i] in text, page.id
    assert all(AR_OPENER in cleaned[p.id] for p in pages[8:10])  # on 2 of 12 pages: the article's


def test_an_about_blurb_glued_after_a_one_line_claim_goes_and_the_claim_stays() -> None:
    pages = _en_pages()
    cleaned = _cleaned(pages)
    for i, page in enumerate(pages):
        assert "FactDesk is a team" not in cleaned[page.id], page.id
        assert EN_CLAIMS[i] in cleaned[page.id], page.id


def test_explain_shows_exactly_the_spans_clean_removes() -> None:
    pages = _ar_pages()
    cleaner = Cleaner()
    cleaner.learn(pages)
    for page in pages:
        removed = {(r.start, r.end) for r in cleaner.clean(page).removed}
        shown = [(b.start, b.end, d) for b, d in cleaner.explain(page)]
        gone = {(d.start, d.end) for _, _, d in shown if d is not None}
        assert gone == removed, page.id
        pieces = "".join(page.text[s:e] for s, e, d in shown if d is None)
        assert AR_BAR not in pieces and AR_LEADS[int(page.id.split(":")[1])] in pieces
    bar_page = pages[0]
    first, decision = cleaner.explain(bar_page)[0]
    assert decision is not None and bar_page.text[first.start : first.end].strip() == AR_BAR


AR_BLURB = (
    "نبحث عن الحقائق ونكشف الأكاذيب. منصة تحقق هي فريق من الصحفيين يدققون تصريحات المسؤولين "
    "والسياسيين والشخصيات العامة وكل من يؤثر في الرأي العام في بلادنا."
)


def test_a_blurb_on_every_page_goes_even_as_its_longest_block() -> None:
    for blurb, claims, site in (
        (AR_BLURB, AR_LEADS, "tahqiq.example"),
        (EN_BLURB + " " + EN_BLURB, EN_CLAIMS, "fd2.example"),
    ):
        pages = [
            Page(f"{site}:{i}", f"{claim}\n{blurb}\n", url=f"https://{site}/{i}", site=site)
            for i, claim in enumerate(claims)
        ]
        cleaned = _cleaned(pages)
        for i, page in enumerate(pages):
            assert cleaned[page.id].strip() == claims[i], page.id


def test_a_short_line_under_every_comment_goes_and_a_refrain_stays() -> None:
    for button, comment, refrain in (
        (
            "Report abuse",
            "I read this story twice and still disagree with the council, reader {i} wrote.",
            "Oh my town",
        ),
        (
            "الإبلاغ عن إساءة",
            "قرأت الخبر وأختلف مع قرار المجلس تماما، كتب القارئ رقم {i}.",
            "يا بلادي الحبيبة",
        ),
    ):
        comments = "".join(f"{comment.format(i=i)}\n{button}\n" for i in range(13))
        verses = (
            "Rivers run under bridges of stone,",
            "Bells ring over the market square,",
            "Lamps glow at the end of day,",
        )
        poem = "".join(f"{verse}\n{refrain}\n" for verse in verses)
        page = Page("p", f"The article opens here and runs on.\n{poem}{comments}")
        text = Cleaner().clean(page).text
        assert button not in text
        assert text.count(refrain) == 3  # three times: a refrain, not a button
        assert text.startswith("The article opens here and runs on.\n")


def test_a_sites_link_line_goes_above_a_short_claim_too_and_a_linked_title_stays_atop_its_article() -> None:
    """A fact-check site puts "Read the correction" (اقرأ التصحيح) after the claim: below the
    body's first long line when the claim is long, above it when the claim is short. Counted only
    where it stands above the body it would lack the evidence there; it is the site's own line all
    the same. An article's title that other pages link to stays at the top of its own article."""
    rnd = random.Random(11)
    words = EN_CLAIMS[0].split() + EN_CLAIMS[5].split() + AR_LEADS[0].split()
    title = "Harbour bridge reopens after repairs"
    pages = []
    for i in range(400):
        claim_words = rnd.randint(6, 10) if i % 39 == 0 else rnd.randint(18, 24)  # 11 short claims
        claim = " ".join(rnd.choice(words) for _ in range(claim_words)) + f" {i}"
        link = ("Read the correction" if i % 2 else "اقرأ التصحيح") if i % 13 == 0 else ""  # on 31 pages
        about = " ".join(rnd.choice(words) for _ in range(30)) + "."
        lines = [title if i == 7 else claim, *([link] if link else []), about]
        if i % 20 == 3:
            lines.append(title)  # a related link to the article of page 7
        pages.append(Page(f"fc:{i}", "\n".join(lines) + "\n", site="factcheck.example"))
    cleaner = Cleaner()
    cleaner.learn(pages)
    for page in pages:
        text = cleaner.clean(page).text
        assert "Read the correction" not in text and "اقرأ التصحيح" not in text, page.id
        assert text.splitlines()[0] == page.text.splitlines()[0], page.id  # the claim stays
    assert cleaner.clean(pages[7]).text.startswith(title + "\n")


def test_a_speakers_description_glued_before_the_sites_blurb_stays() -> None:
    """A claim page describes its speaker on the line of the site's blurb, with no stop between
    them, so the description and the blurb's first sentence are one block, which the site's
    pages hold as a variant (the blurb is spelt two ways). The description stays, the blurb goes."""
    ar = (
        "منصة تحقق هي فريق من الصحفيين يدققون تصريحات {} والسياسيين والشخصيات العامة وكل من يؤثر "
        "في الرأي العام. نبحث عن الحقائق."
    )
    en = "FactDesk is a team of journalists who check what {} and public figures say. We find the facts."
    for blurb, spellings, claims, described, site in (
        (ar, ("المسؤولين", "المسئولين"), AR_LEADS, "خبير أمن المعلومات", "tahqiq.example"),
        (
            en,
            ("officials, politicians", "officials and politicians"),
            EN_CLAIMS,
            "Security expert",
            "fd3.example",
        ),
    ):
        pages = [
            Page(
                f"{site}:{i}",
                f"{claim}\n{described + ' ' if i == 0 else ''}{blurb.format(spellings[i % 3 == 2])}\n",
                url=f"https://{site}/{i}",
                site=site,
            )
            for i, claim in enumerate(claims)
        ]
        cleaned = _cleaned(pages)
        assert cleaned[pages[0].id].split() == f"{claims[0]} {described}".split()
        for i, page in enumerate(pages[1:], start=1):
            assert cleaned[page.id].strip() == claims[i], page.id
