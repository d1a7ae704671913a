"""detect.repeats on its own: copies a page already said (a scraper's double, a teaser card) and
short lines repeated under every comment, on hand-made pages."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import AR_PARAGRAPHS, AR_TITLE, EN_PARAGRAPHS, EN_TITLE
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from dedup import _core
from dedup.clean import Cleaner
from dedup.config import Repeats
from dedup.detect import repeats
from dedup.keys import OPENING_QUOTES
from dedup.page import Kind, Page
from dedup.segment import char_table, outside, segment, words_with_offsets

PAGES = {"ar": (AR_TITLE, AR_PARAGRAPHS), "en": (EN_TITLE, EN_PARAGRAPHS)}
LANGS = ["ar", "en"]


def _removed(text: str) -> list[str]:
    """The spans `detect` takes from a page, stripped."""
    decisions = repeats.detect(text, segment(text))
    assert all(d.kind == Kind.REPEAT for d in decisions)
    return [text[d.start : d.end].strip() for d in decisions]


def test_stretches_follow_a_copy_word_for_word_from_its_first_occurrence() -> None:
    words = list("abcdefghij") * 2
    assert _core.repeated_stretches(words, 8) == [(10, 20, 0)]


def test_stretches_shorter_than_eight_words_are_not_copies() -> None:
    # "Law No. 5 of the year" twice: a shared formula, not a copy.
    words = ["x1", "x2", *"abcdef", "x3", "x4", *"abcdef", "x5"]
    assert _core.repeated_stretches(words, 8) == []
    assert _core.repeated_stretches(list("abcd"), 8) == []


def test_a_copy_stops_where_its_source_would_run_into_it() -> None:
    # Eight words said three times in a row: the copies cover the second and third saying, and
    # each copies words said before it starts, never its own.
    stretches = _core.repeated_stretches(list("abcdefgh") * 3, 8)
    assert min(a for a, _, _ in stretches) == 8 and max(b for _, b, _ in stretches) == 24
    assert all(src + (b - a) <= a for a, b, src in stretches)


@pytest.mark.parametrize("lang", LANGS)
def test_a_paragraph_doubled_right_after_itself_goes_the_first_stays(lang: str) -> None:
    title, paragraphs = PAGES[lang]
    text = "\n".join([title, paragraphs[0], paragraphs[1], paragraphs[1], paragraphs[2]])
    assert _removed(text) == [paragraphs[1]]
    assert text.index(paragraphs[1]) < text.rindex(paragraphs[1])  # the copy is the later one


@pytest.mark.parametrize("lang", LANGS)
def test_a_teaser_card_repeating_the_lead_cut_mid_word_goes(lang: str) -> None:
    title, paragraphs = PAGES[lang]
    lead = paragraphs[0]
    teaser = lead[: len(lead) * 2 // 3].rstrip()[:-2]  # cut inside a word, as cards are
    text = "\n".join([title, *paragraphs, "Share", title, teaser])
    decisions = repeats.detect(text, segment(text))
    assert teaser in [text[d.start : d.end].strip() for d in decisions]
    body_end = text.index(paragraphs[-1]) + len(paragraphs[-1])
    assert all(d.start > body_end for d in decisions)  # the lead and the article stay


OFFICIAL = {
    "en": (
        "After reviewing the report submitted by the Minister of Finance, the cabinet approved the "
        "budget for the coming year and the new rules for public tenders.",
        "After reviewing the report submitted by the Minister of Health, the cabinet approved the "
        "national vaccination plan and the hiring of two thousand nurses.",
    ),
    "ar": (
        "بعد الاطلاع على ما رفعه صاحب السمو الملكي وزير الداخلية، وبعد النظر في قرار مجلس الشورى، "
        "قرر المجلس الموافقة على تعديل نظام الأحوال المدنية.",
        "بعد الاطلاع على ما رفعه صاحب السمو الملكي رئيس الهيئة العامة للسياحة والتراث الوطني، قرر "
        "المجلس الموافقة على اتفاقية بشأن حماية التراث الثقافي.",
    ),
}


@pytest.mark.parametrize("lang", LANGS)
def test_a_phrase_two_sentences_share_stays_in_both(lang: str) -> None:
    # Official wording repeated with another continuation each time: no copy.
    title, _ = PAGES[lang]
    assert _removed("\n".join([title, *OFFICIAL[lang]])) == []


# A biography's two sentences that start alike, the second going on its own way.
DEGREES = {
    "ar": (
        "حصل على درجة الماجستير في العلوم العسكرية من كلية القادة والأركان عام 1987.",
        "حصل على درجة الماجستير في العلوم العسكرية من كلية القادة والأركان البريطانية عام 1992 بنفس التخصص.",
    ),
    "en": (
        "He earned a master's degree in military science from the Command and Staff College in 1987.",
        "He earned a master's degree in military science from the Command and Staff College in Britain "
        "in 1992, in the same field.",
    ),
}


@pytest.mark.parametrize("lang", LANGS)
def test_a_sentence_that_starts_as_the_one_before_and_goes_its_own_way_stays(lang: str) -> None:
    """Eight words and more of the sentence before, then five of its own that the first does not go
    on with: the sentence is the article's. The same words alone on their line, cut short where
    the source goes on, are a teaser and go."""
    title, paragraphs = PAGES[lang]
    first, second = DEGREES[lang]
    assert _removed("\n".join([title, paragraphs[0], f"{first} {second}", paragraphs[1]])) == []
    cut = " ".join(first.split()[:11])
    text = "\n".join([title, paragraphs[0], first, paragraphs[1], cut, paragraphs[2]])
    assert _removed(text) == [cut]


@pytest.mark.parametrize("lang", LANGS)
def test_a_sentence_near_the_end_that_starts_as_the_lead_and_goes_its_own_way_stays(lang: str) -> None:
    """Near the page's end, before its last paragraph, a sentence opens with the lead's words and
    goes on with its own (a long official title said again): the article's, not a card."""
    title, paragraphs = PAGES[lang]
    first, second = DEGREES[lang]
    body = [*paragraphs, *(p[::-1] for p in paragraphs), OFFICIAL[lang][1]]
    last = " ".join(OFFICIAL[lang][0].split()[:16])
    text = "\n".join([title, first, *body, second, last])
    n = len(words_with_offsets(text).words)
    assert len(words_with_offsets(text[: text.index(second)]).words) >= 0.8 * n  # near the end
    assert _removed(text) == []


# A company's notice of two resignations, told in the same words: the second near the page's end.
RESIGNATIONS = {
    "ar": (
        "أعلنت شركة النقل البحري أن عضو مجلس الإدارة سالم بن أحمد الحربي قدم استقالته من منصبه في "
        "مجلس إدارة الشركة لتجنب تعارض المصالح بعد انضمامه إلى مجموعة الخليج القابضة، وقد وافق المجلس "
        "على الاستقالة في اجتماعه يوم الأحد التاسع من أغسطس على أن تسري من تاريخ الموافقة.",
        "وشكر مجلس الإدارة العضو المستقيل على ما قدمه للشركة خلال سنوات عمله في المجلس.",
        "كما أعلنت الشركة أن عضو مجلس الإدارة فهد بن خالد العتيبي وهو عضو غير تنفيذي منذ عام ألفين "
        "وعشرة قدم استقالته من منصبه في مجلس إدارة الشركة لتجنب تعارض المصالح بعد انضمامه إلى مجموعة "
        "الخليج القابضة، وقد وافق المجلس على الاستقالة في اجتماعه يوم الأحد التاسع من أغسطس على أن "
        "تسري من تاريخ الموافقة.",
        "وستفتح الشركة باب الترشح للمقعدين الشاغرين في مجلس الإدارة خلال الأسابيع المقبلة على أن تقر "
        "الجمعية العامة التعيينات في أول اجتماع لها.",
    ),
    "en": (
        "The shipping company said board member Salem Al-Harbi had resigned from his seat on the "
        "company's board to avoid a conflict of interest after joining the Gulf Holding Group, and "
        "the board approved the resignation at its meeting on Sunday 9 August, effective that day.",
        "The board thanked the departing member for his work for the company during his years on it.",
        "The company also said that board member Fahd Al-Otaibi, a non-executive director since two "
        "thousand and ten, had resigned from his seat on the company's board to avoid a conflict of "
        "interest after joining the Gulf Holding Group, and the board approved the resignation at its "
        "meeting on Sunday 9 August, effective that day.",
        "The company will open nominations for the two empty seats in the coming weeks, and the "
        "general assembly will confirm the appointments at its next meeting.",
    ),
}


@pytest.mark.parametrize("lang", LANGS)
def test_a_paragraph_told_in_the_lead_s_words_after_its_own_start_stays(lang: str) -> None:
    """Near the page's end, the second resignation says most of the lead's words again, after more
    than a card title's words of its own (who resigned): the article's, not a card of its lead."""
    title, _ = PAGES[lang]
    assert _removed("\n".join([title, *RESIGNATIONS[lang]])) == []


# A review of two apps, each paragraph closing with the same price sentence.
APPS = {
    "ar": (
        "يمكنك تحويل صورك إلى لوحات فنية بلمسة واحدة، كما يتيح التطبيق إضافة عناصر من صور أخرى "
        "والتحكم في الألوان والإضاءة والظلال للحصول على مؤثرات بصرية جميلة جدا.",
        "ويتميز التطبيق الثاني بتنظيم المواعيد وتذكيرك بها قبل موعدها بوقت كاف، ويمكنه مزامنة "
        "التقويم مع البريد الإلكتروني وحساباتك على الشبكات الاجتماعية بسهولة تامة.",
        "ويبلغ سعر التطبيق دولارين أميركيين، ويمكن تحميله من متجر التطبيقات الإلكتروني على الهاتف.",
    ),
    "en": (
        "You can turn your photos into paintings with one touch, and the app lets you add parts of "
        "other pictures and control colours, light and shadows to get very beautiful effects.",
        "The second app keeps your appointments in order and reminds you of them well ahead of time, "
        "and it can sync your calendar with your email and your social network accounts with ease.",
        "The app costs two dollars and can be downloaded from the online app store on your phone.",
    ),
}


@pytest.mark.parametrize("lang", LANGS)
def test_a_sentence_the_last_paragraph_says_again_stays(lang: str) -> None:
    """The page's last paragraph closes with a sentence an earlier paragraph closed with (the price
    of the second app): nothing long follows it, yet it is a sentence of its own paragraph, most of
    whose words are the paragraph's own, not a card closing the page."""
    title, paragraphs = PAGES[lang]
    first, second, price = APPS[lang]
    text = "\n".join([title, paragraphs[0], f"{first} {price}", paragraphs[1], f"{second} {price}"])
    assert _removed(text) == []


# A press review's title, what names its source, and the sentence that quotes it.
REVIEW = {
    "ar": (
        "إيران تتفوق على الرئيس في فن إبرام الصفقات الكبرى",
        "في الفاينانشال تايمز",
        "نبدأ من الفاينانشال تايمز البريطانية، ومقال رأي لكبير معلقيها بعنوان:",
    ),
    "en": (
        "Iran outplays the president at the art of making big deals",
        "in the Financial Times",
        "We start with an opinion piece in the Financial Times, titled:",
    ),
}


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("quote", sorted(OPENING_QUOTES))
def test_a_sentence_that_quotes_the_title_stays(lang: str, quote: str) -> None:
    """'We start with … titled: "<the title>".': the title in quotation marks, after the sentence's
    own words, is named by the article, not a card's copy of the lead; whatever mark opens it."""
    _, paragraphs = PAGES[lang]
    title, source, intro = REVIEW[lang]
    text = "\n".join([f"{title} - {source}", f'{intro} {quote}{title}".', *paragraphs])
    assert _removed(text) == []


@pytest.mark.parametrize("lang", LANGS)
def test_a_title_said_again_bare_after_a_sentence_goes(lang: str) -> None:
    """Without quotation marks around it, the title said again after the sentence's words is a
    card's copy of the lead."""
    _, paragraphs = PAGES[lang]
    title, source, intro = REVIEW[lang]
    text = "\n".join([f"{title} - {source}", f"{intro} *{title}*.", *paragraphs])
    assert _removed(text) != []


@pytest.mark.parametrize("lang", LANGS)
def test_a_pull_quote_on_its_own_line_stays(lang: str) -> None:
    # A line that repeats part of a long paragraph in the middle of the page is its layout.
    title, paragraphs = PAGES[lang]
    words = paragraphs[1].split()
    quote = " ".join(words[2:12])
    text = "\n".join([title, paragraphs[0], paragraphs[1], quote, paragraphs[2], paragraphs[0][::-1]])
    assert quote not in " ".join(_removed(text))


@pytest.mark.parametrize(
    ("button", "paragraphs"), [("Report abuse", EN_PARAGRAPHS), ("الإبلاغ عن إساءة", AR_PARAGRAPHS)]
)
def test_a_short_line_under_every_comment_goes_only_when_it_repeats_a_dozen_times(
    button: str, paragraphs: tuple[str, ...]
) -> None:
    comments = [f"{paragraphs[k % 3]} {k}" for k in range(14)]
    many = "\n".join(f"{c}\n{button}" for c in comments)
    found = repeats.repeated_short_lines(many, segment(many))
    assert len(found) == 14 and all(many[d.start : d.end].strip() == button for d in found)
    assert found[0].evidence == {"times": 14}
    few = "\n".join(f"{c}\n{button}" for c in comments[:3])
    assert repeats.repeated_short_lines(few, segment(few)) == []


@pytest.mark.parametrize(
    ("line", "paragraphs"),
    [("Thank you for reading.", EN_PARAGRAPHS), ("شكرا لكم على القراءة.", AR_PARAGRAPHS)],
)
def test_a_short_sentence_repeated_many_times_stays(line: str, paragraphs: tuple[str, ...]) -> None:
    # It ends as a sentence does: the article's words, however often it says them.
    text = "\n".join(f"{paragraphs[k % 3]}\n{line}" for k in range(14))
    assert repeats.repeated_short_lines(text, segment(text)) == []


QUOTED_REPLY = {
    "en": (
        "If it triggers a dopamine response then you can become addicted to it. Not a difficult "
        "assessment. If you disagree, tell me why.",
        "I had to have a coffee before answering that one, to be honest.",
    ),
    "ar": (
        "إذا كان الأمر يطلق استجابة الدوبامين فيمكن أن تدمن عليه بسهولة. إنه تقييم بسيط للغاية. "
        "لماذا يختلف الناس على هذا؟",
        "لم أستطع الرد قبل أن أشرب فنجان القهوة الأول هذا الصباح.",
    ),
}


@pytest.mark.parametrize("lang", LANGS)
def test_a_reply_quoting_a_comment_keeps_the_first_word_of_its_own_line(lang: str) -> None:
    """A reply quotes two sentences of a comment, then says its own line, whose first word ("I",
    "لم") is how the comment's next word starts ("If", "لماذا"). The quote goes; its copy does
    not run on into the reply's line as if that word were a teaser's cut word."""
    comment, reply = QUOTED_REPLY[lang]
    quote = comment[: comment.rindex(".", 0, len(comment) - 1) + 1]
    text = f"{comment}\nReader two\n{quote}\n{reply}\n"
    assert " ".join(_removed(text)) == quote


_WORD = st.text(st.sampled_from("ابتثجحخدرسعفقكلمنهوي" + "abcdefghijklmnop"), min_size=3, max_size=8)


@settings(max_examples=200, deadline=None)
@given(st.lists(_WORD, min_size=20, max_size=100, unique=True), st.data())
def test_a_paragraph_doubled_right_after_itself_goes_whatever_its_words(
    words: list[str], data: st.DataObject
) -> None:
    """Any paragraph of a page said twice in a row: the second saying goes, whole; every span a
    decision takes lies inside the page, at a word."""
    cuts = sorted(data.draw(st.sets(st.integers(1, len(words) - 1), max_size=4)))
    paragraphs = [" ".join(words[a:b]) for a, b in zip([0, *cuts], [*cuts, len(words)], strict=True)]
    k = data.draw(st.integers(0, len(paragraphs) - 1))
    assume(len(paragraphs[k].split()) >= 10)
    lines = [*paragraphs[: k + 1], paragraphs[k], *paragraphs[k + 1 :]]
    text = "\n".join(lines)
    decisions = repeats.detect(text, segment(text))
    second = sum(len(line) + 1 for line in lines[: k + 1])
    end = second + len(paragraphs[k]) + (k + 2 < len(lines))  # with its line break, if one follows
    assert (second, end) in [(d.start, d.end) for d in decisions]
    assert all(0 <= d.start < d.end <= len(text) and not text[d.start].isspace() for d in decisions)


@settings(max_examples=60, deadline=None)
@given(
    order=st.lists(st.integers(0, 7), min_size=2, max_size=14),
    cut=st.integers(0, 3_000),
    extra=st.text(max_size=40),
    lang=st.sampled_from(LANGS),
)
def test_a_folded_page_s_words_made_in_the_core_judge_as_the_python_words(
    order: list[int], cut: int, extra: str, lang: str
) -> None:
    # The words `detect` makes in the core, outside the removed spans, are those of
    # `words_with_offsets` less `outside`'s: the copies found are the same.
    title, paragraphs = PAGES[lang]
    lines = [title, *paragraphs]
    text = "\n".join([*(lines[i % len(lines)] for i in order), extra, lines[order[0] % len(lines)][:cut]])
    blocks = segment(text)
    removed = [(b.start, b.end) for b in blocks[1::3]]
    words = outside(words_with_offsets(text), removed)
    starts, ends = (np.asarray(offsets, "<i8").tobytes() for offsets in (words.starts, words.ends))
    limits = Repeats()
    expected = _core.page_copies(char_table(), text, blocks, words.words, starts, ends, limits)
    found = repeats.detect(text, blocks, removed, limits)
    assert [(d.start, d.end, d.evidence["words"]) for d in found] == expected


@pytest.mark.xfail(
    strict=True,
    reason="known: repeats are judged before site evidence judged again takes a sentence between "
    "a copy and its source; cleaned again, the copy stands close enough to go",
)
def test_a_page_cleaned_again_loses_no_copy_a_later_removal_brought_closer() -> None:
    # Found by test_properties' site pages: the second page's lines are all furniture of the
    # first; on the first page, "أعلنت وزارة الصحة اليوم." goes only when site evidence is
    # judged again, after the repeats, and the copy after it then follows its source closely.
    nav, date, foot = (
        "الرئيسية | أخبار | اقتصاد | رياضة",
        "1/1/2024 0:00",
        "من نحن | اتصل بنا | سياسة الخصوصية",
    )
    a, b, c = "أعلنت وزارة الصحة اليوم", "أعلنت وزارة الصحة عن", "أعلنت وزارة اليوم الصحة عن إطلاق وطنية حملة"
    first = f"{nav}\n{date}\n{a}\n{a}. {b}.\n{b}. {c}. {c}.\n{a}. {b}. {b}\n{foot}"
    pages = [
        Page("p0", first, site="example.org"),
        Page("p1", f"{nav}\n{date}\n{a}\n{a}.\n{foot}", site="example.org"),
    ]
    cleaner = Cleaner()
    cleaner.learn(pages)
    cleaned = cleaner.clean(pages[0])
    assert cleaner.clean(Page("p0", cleaned.text, site="example.org")).removed == ()
