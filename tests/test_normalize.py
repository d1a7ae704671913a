"""Matching keys: NFKC, Arabic folding, digits, case and punctuation; page text is never altered."""

from __future__ import annotations

import pytest

from dedup.clean import Cleaner
from dedup.normalize import mask_digits, normalize, words
from dedup.page import Page


def test_nfkc_compatibility_forms() -> None:
    assert normalize("Ｆｕｌｌ　ｗｉｄｔｈ") == "full width"
    assert normalize("ﻻ") == "لا"  # lam-alef ligature
    assert normalize("ﬁle") == "file"  # fi ligature
    assert normalize("①") == "1"


@pytest.mark.parametrize(
    ("marked", "plain"),
    [
        ("قُتِلَ", "قتل"),  # fatha, kasra, damma
        ("مُتَشَدِّداً", "متشددا"),  # shadda, tanwin
        ("هٰذا", "هذا"),  # superscript alef
        ("الرئيـــسية", "الرييسيه"),  # tatweel (and ئ→ي, ة→ه)
        ("مصـطـفـى", "مصطفي"),
    ],
)
def test_arabic_diacritics_and_tatweel_dropped(marked: str, plain: str) -> None:
    assert normalize(marked) == plain


@pytest.mark.parametrize("mark", ["\u200b", "\u200c", "\u200d", "\ufeff", "\u00ad"])
def test_zero_width_marks_dropped(mark: str) -> None:
    assert normalize(f"{mark}شارك{mark} المقال{mark}") == "شارك المقال"
    assert normalize(f"Sha{mark}re this") == "share this"


@pytest.mark.parametrize("mark", ["\u200f", "\u200e", "\u202b", "\u202c", "\u2066", "\u2069", "\u061c"])
def test_bidi_marks_dropped_and_separate_words(mark: str) -> None:
    assert normalize(f"{mark}شارك{mark} المقال{mark}") == "شارك المقال"
    assert normalize(f"وفي{mark}الثاني") == "وفي الثاني"


@pytest.mark.parametrize(
    ("raw", "folded"),
    [("أحمد", "احمد"), ("إسلام", "اسلام"), ("آخر", "اخر"), ("مصطفى", "مصطفي"), ("مدرسة", "مدرسه")],
)
def test_arabic_letter_folding(raw: str, folded: str) -> None:
    assert normalize(raw) == folded


def test_hamza_alef_forms_meet() -> None:
    assert normalize("أخبار") == normalize("إخبار") == normalize("آخبار") == normalize("اخبار")


def test_arabic_indic_and_persian_digits() -> None:
    assert normalize("٠١٢٣٤٥٦٧٨٩") == "0123456789"
    assert normalize("۰۱۲۳۴۵۶۷۸۹") == "0123456789"
    assert normalize("الأحد ٢٧ نوفمبر ٢٠١٩ | ١٤:٥٢") == "الاحد 27 نوفمبر 2019 14 52"
    assert normalize("٢٠١٩") == normalize("۲۰۱۹") == normalize("2019")


def test_case_and_punctuation_folded() -> None:
    assert normalize("The QUICK, brown fox!") == "the quick brown fox"
    assert normalize('«Hello» — "world"...') == "hello world"
    assert normalize("قال: «نعم»، ثم؟ ذهب!") == "قال نعم ثم ذهب"
    assert normalize("Straße") == "strasse"  # casefold, not lower
    assert normalize("  a \n\t b  ") == "a b"
    assert normalize("?!… ،؛") == ""


def test_diacritised_and_plain_sentence_share_a_key() -> None:
    plain = "قتل 38 متشددا وثلاثة مقاتلين من قوات سوريا الديمقراطية، وفقا للمتحدث باسم القوات."
    marked = "قُتِلَ ٣٨ مُتَشَدِّداً وثلاثةُ مقاتلـــين من قوّات سوريا الدّيمقراطيّة، وفقًا للمتحدث\u200f باسم القوات."
    assert normalize(marked) == normalize(plain)
    assert normalize(marked) != normalize(plain.replace("قوات", "جيوش"))


def test_english_variants_share_a_key() -> None:
    assert normalize("SHARE   this  Article ›") == normalize("Share this article:") == "share this article"


def test_normalize_is_idempotent() -> None:
    for text in ("أُعلنَ عن «حملةٍ» جديدة، ١٢٣", "The QUICK fox — 3.5%", "Ｆｕｌｌ ﻻ ①"):
        key = normalize(text)
        assert normalize(key) == key


def test_mask_digits_and_words() -> None:
    key = normalize("الأحد ٢٧ نوفمبر ٢٠١٩ | ١٤:٥٢")
    assert mask_digits(key) == "الاحد 0 نوفمبر 0 0 0"
    assert mask_digits(normalize("Monday 3 May 2021")) == mask_digits(normalize("Monday 12 May 1999"))
    assert words("a bb  ccc") == ["a", "bb", "ccc"]


def test_cleaning_only_removes_spans() -> None:
    """The cleaned page is the original with some spans cut out: no character is folded or changed."""
    text = (
        "قُتِلَ ٣٨ مُتَشَدِّداً وثلاثة مقاتلين من قوات سوريا الديمقراطية\u200f، وفقًا للمتحدث باسم القوات مصطفى بالي.\n"
        "شارك المقال\n"
        "The QUICK brown fox — «quoted» — jumped over ٣ lazy dogs on 2024-03-05, then ran far away home.\n"
        "Send this to a friend\n"
    )
    result = Cleaner().clean(Page(id="p", text=text))
    assert [r.kind for r in result.removed] == ["widget", "widget"]
    pieces = text.split("\n")
    assert result.text == pieces[0] + "\n" + pieces[2] + "\n"
    # The cleaned text is the original with the removed spans cut out, nothing else.
    kept, pos = [], 0
    for r in result.removed:
        assert text[r.start : r.end] == r.text
        kept.append(text[pos : r.start])
        pos = r.end
    kept.append(text[pos:])
    assert "".join(kept) == result.text
