"""Page-level folding gives exactly the key `normalize` gives for every span."""

from __future__ import annotations

import unicodedata

import numpy as np
import regex
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from dedup._core import fold, fold_first
from dedup.normalize import (
    _BIDI,
    _DROP,
    _FOLD,
    _PUNCT_CHAR,
    _WORD_CHAR,
    Folded,
    _fold_table,
    core_fold_table,
    normalize,
)
from dedup.segment import words_with_offsets

# Arabic letters, hamza forms, diacritics (a shadda may come before its fatha, out of NFKC's order; a
# hamza above composes with an alef or a heh goal), tatweel, bidi and zero-width marks, Arabic-Indic digits,
# Latin with capitals and ß (casefold "ss"), a ligature (NFKC), punctuation, marks whose NFKC is
# several ("…" is "..."), a symbol whose NFKC is several ("⩵": "=", which composes with U+0338),
# an emoji, \x1c.
ALPHABET = (
    "abcAZß \u00a0\u2002اأإىةؤبت\u064e\u0651\u0640\u200f\u200b\u00ad٣۴ ﻻﬁ.,:«»؟!…″‼⩵=\u0338\n\t😀\x1c-_"
)


@given(st.text(alphabet=ALPHABET, max_size=80), st.data())
@settings(max_examples=300, deadline=None)
def test_every_span_key_equals_normalize(text: str, data: st.DataObject) -> None:
    folded = Folded(text)
    start = data.draw(st.integers(0, len(text)))
    end = data.draw(st.integers(start, len(text)))
    assert folded.key(start, end) == normalize(text[start:end])


def test_arabic_line_keys() -> None:
    text = "شارك المقال مع أصدقائك\u200f على فيسبوك\nالحكومـــة تُعلن: ٢٠٢٤\n"
    folded = Folded(text)
    assert folded.fast  # the fast path applies
    first = text.index("\n")
    assert folded.key(0, first + 1) == normalize(text[: first + 1]) == "شارك المقال مع اصدقايك علي فيسبوك"
    assert folded.key(first + 1, len(text)) == "الحكومه تعلن 2024"


def test_a_character_whose_nfkc_form_is_past_the_bmp_takes_the_slow_path() -> None:
    """U+FA6C, a CJK compatibility ideograph, is U+242EE in NFKC."""
    text = "قال \ufa6c 中文 ١٢\n"
    folded = Folded(text)
    assert not folded.fast
    assert folded.key(0, len(text)) == normalize(text) == "قال \U000242ee 中文 12"


FAST_ALPHABET = (
    "abcAZ\u00a0 اأإىةؤبت\u064e\u0651\u0654\u06c1\u0301\u0640\u200f\u200b\u00ad٣۴ .,:«»؟!…″‼\n\t-_"
    "😀🔥\U0001f3fb\u200d\ufe0f"
    "\ufdfa\ufefb\ufef5\ufc5e\u2122\u2474\u3300"  # ligatures: NFKC forms of several characters
    "ßẞİŉΐᾳ\u0345"  # casefolds of several characters
)


@given(st.text(alphabet=FAST_ALPHABET, max_size=80), st.data())
@settings(max_examples=300, deadline=None)
def test_fast_path_keys_equal_normalize(text: str, data: st.DataObject) -> None:
    folded = Folded(text)
    assume(folded.fast)  # NFKC-stable text, the common case
    start = data.draw(st.integers(0, len(text)))
    end = data.draw(st.integers(start, len(text)))
    assert folded.key(start, end) == normalize(text[start:end])


@given(st.text(alphabet=FAST_ALPHABET + "ß😀", max_size=80), st.data())
@settings(max_examples=300, deadline=None)
def test_words_with_offsets_fast_path_equals_token_loop(text: str, data: st.DataObject) -> None:
    import regex

    from dedup.segment import words_with_offsets

    start = data.draw(st.integers(0, len(text)))
    end = data.draw(st.integers(start, len(text)))
    expected: tuple[list[str], list[int], list[int]] = ([], [], [])
    for m in regex.finditer(r"\w+", text[start:end]):
        for w in normalize(m.group()).split():
            expected[0].append(w)
            expected[1].append(m.start() + start)
            expected[2].append(m.end() + start)
    got = words_with_offsets(text, start, end)
    assert (got.words, list(got.starts), list(got.ends)) == expected


def test_the_folding_tables_are_each_characters_own_folding() -> None:
    """The tables (made a whole column at a time) hold, for every BMP character, what its own
    NFKC form, casefold and classes say, one character at a time."""
    nfkc, table, drop, word, expansions, fold_expansions = _fold_table()
    bad = 0xFFFFFFFF
    for code in range(0x10000):
        if 0xD800 <= code < 0xE000:
            continue
        c = chr(code)
        one = unicodedata.normalize("NFKC", c)
        if len(one) == 1:
            assert nfkc[code] == (ord(one) if ord(one) < 0x10000 else bad), hex(code)
        else:  # several punctuation marks stand as a space; a ligature's letters are its expansion
            several_marks = regex.fullmatch(r"\p{P}+", one) is not None
            assert nfkc[code] == (32 if several_marks else bad), hex(code)
            in_bmp = all(ord(x) < 0x10000 for x in one)
            assert expansions.get(code) == (one if not several_marks and in_bmp else None), hex(code)
        assert drop[code] == bool(_DROP.match(c)) and word[code] == bool(_WORD_CHAR.match(c)), hex(code)
        folded = _BIDI.sub(" ", c).translate(_FOLD).casefold()
        if len(folded) > 1:  # "ß": "ss", where each character folds as one alone would
            each = all(ord(x) < 0x10000 for x in folded) and all(
                not (x.isspace() and not _PUNCT_CHAR.match(x)) and not (_DROP.match(x) and not drop[code])
                for x in folded
            )
            spaced = "".join(" " if _PUNCT_CHAR.match(x) else x for x in folded)
            assert fold_expansions.get(code) == (spaced if each else None), hex(code)
        else:
            assert code not in fold_expansions, hex(code)
        if len(folded) != 1 or (folded.isspace() and not _PUNCT_CHAR.match(folded)):
            expected = bad  # unfoldable one-to-one, or a space `str.split` sees and `normalize` keeps
        elif _DROP.match(folded) and not drop[code]:
            expected = bad
        else:
            expected = 32 if _PUNCT_CHAR.match(folded) else ord(folded)
        assert table[code] == expected, hex(code)
    assert not np.any(drop[0xD800:0xE000]) and np.all(table[0xD800:0xE000] == bad)


def test_no_punctuation_mark_composes_with_a_mark_after_it() -> None:
    """Why a space can stand for a form of several punctuation marks ("…"): none opens a canonical
    composition, as "=" does with U+0338 ("≠"), so nothing after it composes with it."""
    firsts = set()
    for code in range(0x110000):
        parts = unicodedata.decomposition(chr(code)).split()
        if len(parts) == 2 and not parts[0].startswith("<"):
            firsts.add(chr(int(parts[0], 16)))
    assert "=" in firsts and not [c for c in firsts if unicodedata.category(c).startswith("P")]


def test_an_ellipsis_and_a_double_prime_keep_a_page_on_the_fast_path() -> None:
    text = "قال الوزير… إن الحكومة ″ستعمل″ على ذلك‼\nHe said… it works⁇\n"
    folded = Folded(text)
    assert folded.fast
    expected = "قال الوزير ان الحكومه ستعمل علي ذلك he said it works"
    assert folded.key(0, len(text)) == normalize(text) == expected


def test_a_ligature_keeps_a_page_on_the_fast_path_with_the_words_of_its_nfkc_form() -> None:
    """ "ﷺ" is four words in NFKC ("صلى الله عليه وسلم"), "ﻻ" two letters, "™" "TM", "⑴" "(1)": each
    character's form is folded, and a word of the form is a word of the token it lies in."""
    text = "قال رسول الله ﷺ: ﻻ ضرر وﻻ ضرار™ ⑴\nBrand™ name\n"
    folded = Folded(text)
    assert folded.fast
    assert folded.key(0, len(text)) == normalize(text)
    assert normalize(text) == "قال رسول الله صلي الله عليه وسلم لا ضرر ولا ضرارtm 1 brandtm name"
    words = words_with_offsets(text, folded=folded)
    token = text.index("ﷺ")
    assert words.words[3:7] == ["صلي", "الله", "عليه", "وسلم"]
    assert list(words.starts[3:7]) == [token] * 4 and list(words.ends[3:7]) == [token + 1] * 4
    expected = [w for m in regex.finditer(r"\w+", text) for w in normalize(m.group()).split()]
    assert words.words == expected


def test_a_casefold_of_several_characters_keeps_a_page_on_the_fast_path() -> None:
    """ "ß" folds to "ss" and "İ" to "i" and a combining dot: each character's folding goes in
    turn, and the words are the token loop's."""
    text = "Die Straße in İstanbul: STRASSE, große Grüße\n"
    folded = Folded(text)
    assert folded.fast
    assert (
        folded.key(0, len(text)) == normalize(text) == "die strasse in i\u0307stanbul strasse grosse grüsse"
    )
    words = words_with_offsets(text, folded=folded)
    assert words.words == [w for m in regex.finditer(r"\w+", text) for w in normalize(m.group()).split()]
    assert words.words[1] == words.words[4] == "strasse"


def test_an_emoji_keeps_a_page_on_the_fast_path_and_a_letter_past_the_bmp_does_not() -> None:
    """A symbol past the BMP (an emoji, a skin tone) folds to a space; a letter or an ideograph
    past it (which the core's tables do not class) sends the page to the slow path."""
    text = "قال الوزير 🔥 إن الحكومة 👍🏻 ستعمل\nGreat news 😀!\n"
    folded = Folded(text)
    assert folded.fast and folded.symbols
    assert folded.key(0, len(text)) == normalize(text) == "قال الوزير ان الحكومه ستعمل great news"
    for other in ("\U00020000", "\U0001d400"):  # a CJK ideograph; a bold A (NFKC "A")
        text = f"قال {other} 🔥\n"
        folded = Folded(text)
        assert not folded.fast and folded.key(0, len(text)) == normalize(text)


def test_a_page_of_settled_characters_folds_as_it_is_whatever_the_order_of_its_harakat() -> None:
    """Arabic letters and English are each their own NFKC form: the core says so (the text's
    characters are settled) and the page folds without asking NFKC, also with a fatha typed after
    its shadda (out of NFKC's order, which only moves marks that go). A hamza above after an alef
    (NFKC composes them) is not settled: NFKC is asked, and the keys are the same."""
    from dedup._core import fold
    from dedup.normalize import core_fold_table

    table = core_fold_table()
    out_of_order = "شد\u0651\u064e الحبل\n"  # shadda, then fatha: NFKC puts the fatha first
    assert not unicodedata.is_normalized("NFKC", out_of_order)
    for text in ("الحكومة تُعلن: الأمن أولاً\nThe Minister said\n", "شد\u064e\u0651 الحبل\n", out_of_order):
        folding = fold(table, text, False)
        assert folding is not None and folding[5] and folding[6]  # the text's and the folding's settled
        folded = Folded(text)
        assert folded.fast and folded.key(0, len(text)) == normalize(text)
    text = "ا\u0654من\n"
    assert not fold(table, text, False)[5]
    assert Folded(text).key(0, len(text)) == normalize(text) == "امن"


@given(st.text(alphabet=ALPHABET, max_size=80))
@settings(max_examples=300, deadline=None)
def test_a_text_is_first_folded_by_its_characters_forms_only_where_it_cannot_be_nfkc(text: str) -> None:
    table = core_fold_table()
    first = fold_first(table, text)
    own = fold(table, text, False)
    if first is None:
        assert own is None or not own[5]
        return
    folding, by_forms = first
    if by_forms:
        assert not unicodedata.is_normalized("NFKC", text)
        assert folding == fold(table, text, True)
    else:
        assert folding == own


def test_a_real_line_with_a_no_break_space_is_folded_by_its_characters_forms_at_once() -> None:
    text = "الحكومة تُعلن\u00a0اليوم خطة جديدة\nThe minister said\u00a0on Monday"
    first = fold_first(core_fold_table(), text)
    assert first is not None and first[1]
    folded = Folded(text)
    assert folded.fast
    expected = "الحكومه تعلن اليوم خطه جديده the minister said on monday"
    assert folded.key(0, len(text)) == normalize(text) == expected
    settled = text.replace("\u00a0", " ")
    assert fold_first(core_fold_table(), settled) == (fold(core_fold_table(), settled, False), False)
