"""Segmentation: lines with offsets, sentences of a line, blocks, words with offsets."""

from __future__ import annotations

import regex
from hypothesis import given, settings
from hypothesis import strategies as st

from dedup.normalize import Folded, normalize
from dedup.segment import (
    CLOSING_MARKS,
    SENTENCE_STOPS,
    ends_sentence,
    ends_sentence_at,
    line_spans,
    outside,
    segment,
    sentence_spans,
    words_with_offsets,
)

TEXT = "سطر أول\n\nSecond line\r\n   \nlast line without break"


def test_line_spans_cover_the_text() -> None:
    spans = line_spans(TEXT)
    assert [TEXT[s:e] for s, e in spans] == [
        "سطر أول\n",
        "\n",
        "Second line\r\n",
        "   \n",
        "last line without break",
    ]
    assert spans[0][0] == 0 and spans[-1][1] == len(TEXT)
    for (_, e1), (s2, _) in zip(spans, spans[1:], strict=False):
        assert e1 == s2


def test_line_spans_trailing_newline() -> None:
    assert line_spans("a\nb\n") == [(0, 2), (2, 4)]
    assert line_spans("") == []


def _sentences(text: str) -> list[str]:
    return [text[s:e] for s, e in sentence_spans(text, 0, len(text))]


def test_sentences_split_at_terminal_punctuation() -> None:
    text = "قال المصدر. هل جاء؟ نعم! Really? Yes… done."
    assert _sentences(text) == ["قال المصدر. ", "هل جاء؟ ", "نعم! ", "Really? ", "Yes… ", "done."]


def test_sentences_split_glued_source() -> None:
    text = "It came from the source.Share this article"
    assert _sentences(text) == ["It came from the source.", "Share this article"]
    ar = "التوغل في قرية الباغوز على الضفة الشرقية لنهر الفرات.وفق ما نقلته سكاي نيوز عربية"
    assert _sentences(ar) == [
        "التوغل في قرية الباغوز على الضفة الشرقية لنهر الفرات.",
        "وفق ما نقلته سكاي نيوز عربية",
    ]


def test_sentences_split_after_bidi_mark() -> None:
    text = "قال المصدر.\u200fشارك المقال"
    assert _sentences(text) == ["قال المصدر.", "\u200fشارك المقال"]
    text = "He said so.\u200eShare this"
    assert _sentences(text) == ["He said so.", "\u200eShare this"]


def test_no_split_inside_numbers_or_at_the_end() -> None:
    assert _sentences("Version 3.5 is out") == ["Version 3.5 is out"]
    assert _sentences("Done.") == ["Done."]
    assert _sentences("He said “yes.” Then left") == ["He said “yes.” ", "Then left"]


def test_one_sentence_end_for_every_detector() -> None:
    # A stop ends a sentence, behind closing quotes or brackets or before them; a closing mark
    # alone does not (a headline in guillemets), nor does a counter in brackets.
    for text in [
        "He said so.",
        'He said "so."',
        "He said “so”.",
        "قال ذلك.",
        "«قال ذلك.»",
        "هل قال ذلك؟ ",
        "(Updated.)",
    ]:
        assert ends_sentence(text), text
    for text in ["«عنوان الخبر»", "Report abuse", "Comments (3)", "3.5", ""]:
        assert not ends_sentence(text), text
    text = 'He said "no." Then he left. Then «غادر.» ثم'
    ends = [m.end() for m in regex.finditer(r"\w+", text)]
    assert [at for at in ends if ends_sentence_at(text, at)] == [
        text.index("no") + 2,
        text.index("left") + 4,
        text.index("غادر") + 4,
    ]
    # The sentences of a line end where `ends_sentence_at` says a sentence ends.
    assert [text[s:e].strip()[-2:] for s, e in sentence_spans(text, 0, len(text))] == ['."', "t.", ".»", "ثم"]


@settings(max_examples=300)
@given(st.text(alphabet=".!?؟…。\"'”’»)] \n\u00a0abقال", max_size=12), st.integers(0, 12), st.integers(0, 12))
def test_a_span_ends_a_sentence_as_its_copy_does(text: str, start: int, end: int) -> None:
    start, end = min(start, len(text)), min(max(start, end), len(text))
    # Stripped of its spaces, then of its closing marks, the span's copy ends at a stop.
    stripped = text[start:end].rstrip().rstrip("".join(CLOSING_MARKS))
    assert ends_sentence(text, start, end) == (stripped[-1:] in SENTENCE_STOPS)


def test_sentence_spans_within_a_range() -> None:
    text = "Yes. Ok. Go.\nHi. Bye."
    assert [text[s:e] for s, e in sentence_spans(text, 0, 13)] == ["Yes. ", "Ok. ", "Go.\n"]
    assert [text[s:e] for s, e in sentence_spans(text, 13, len(text))] == ["Hi. ", "Bye."]


def test_segment_blocks() -> None:
    text = "العنوان\n\n   \nالجملة الأولى. الجملة الثانية؟ الثالثة!\n\u200f\n…\nlast"
    blocks = segment(text)
    assert [text[b.start : b.end] for b in blocks] == [
        "العنوان\n",
        "الجملة الأولى. ",
        "الجملة الثانية؟ ",
        "الثالثة!\n",
        "last",
    ]
    assert [b.line for b in blocks] == [0, 3, 3, 3, 6]
    assert [b.whole_line for b in blocks] == [True, False, False, False, True]
    assert blocks[1].line_words == 5 and blocks[1].words == 2
    assert blocks[1].key == "الجمله الاولي"
    for b in blocks:
        assert b.key == normalize(text[b.start : b.end])


def test_blank_and_mark_only_lines_are_not_blocks() -> None:
    assert segment("\n\n \t\n\u200f\u200e\n...\n") == []


def test_blocks_are_ordered_and_disjoint(reference_text: str) -> None:
    blocks = segment(reference_text)
    assert len(blocks) > 20
    for a, b in zip(blocks, blocks[1:], strict=False):
        assert a.end <= b.start
    # Blocks plus blank lines give back the text.
    covered = "".join(reference_text[b.start : b.end] for b in blocks)
    assert normalize(covered) == normalize(reference_text)


def test_words_with_offsets_point_at_tokens() -> None:
    text = "Héllo, قُتِلَ  ٣٨ مُتَشَدِّداً\u200c ok l'article"
    w = words_with_offsets(text)
    assert w.words == ["héllo", "قتل", "38", "متشددا", "ok", "l", "article"]
    tokens = [text[s:e] for s, e in zip(w.starts, w.ends, strict=True)]
    assert tokens == ["Héllo", "قُتِلَ", "٣٨", "مُتَشَدِّداً\u200c", "ok", "l", "article"]


def test_words_with_offsets_in_a_range() -> None:
    text = "one two three four"
    w = words_with_offsets(text, 4, 13)
    assert w.words == ["two", "three"]
    assert (list(w.starts), list(w.ends)) == ([4, 8], [7, 13])


_ALPHABET = st.sampled_from(
    list("abcXYZ إأآىةبتثجحخ ٠١٢٣ 0123 .,!?؟…«»\n")
    + ["\u064e", "\u0651", "\u0640", "\u200f", "\u200c", "é", "😀", "ﷺ", "ﻻ", "™", "⑴", "ß", "İ"]
)


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=_ALPHABET, max_size=80), st.integers(0, 80), st.integers(0, 80))
def test_the_words_of_a_span_are_its_own_words_from_the_folded_page(text: str, a: int, b: int) -> None:
    start, end = sorted((min(a, len(text)), min(b, len(text))))
    folded = Folded(text)
    words_with_offsets(text, folded=folded)  # the whole page's words first: a span's are sliced from them
    from_page = words_with_offsets(text, start, end, folded)
    alone = words_with_offsets(text, start, end)
    assert from_page.words == alone.words
    assert (list(from_page.starts), list(from_page.ends)) == (list(alone.starts), list(alone.ends))


@settings(max_examples=200, deadline=None)
@given(
    st.text(alphabet=_ALPHABET, max_size=80),
    st.lists(st.tuples(st.integers(0, 80), st.integers(0, 80)), max_size=6),
)
def test_outside_keeps_the_words_that_start_in_no_span(text: str, spans: list[tuple[int, int]]) -> None:
    words = words_with_offsets(text)
    kept = outside(words, spans)
    expected = [i for i, at in enumerate(words.starts) if not any(s <= at < e for s, e in spans)]
    assert kept.words == [words.words[i] for i in expected]
    assert list(kept.starts) == [words.starts[i] for i in expected]
    assert list(kept.ends) == [words.ends[i] for i in expected]


def test_outside_of_an_arabic_line_with_its_share_bar_removed() -> None:
    text = "شارك المقال: فيسبوك تويتر. قال الوزير إن the talks will resume"
    words = words_with_offsets(text)
    kept = outside(words, [(0, text.index(". ") + 2), (text.index("the"), text.index("talks"))])
    assert kept.words == ["قال", "الوزير", "ان", "talks", "will", "resume"]
    assert [text[s:e] for s, e in zip(kept.starts, kept.ends, strict=True)][:3] == ["قال", "الوزير", "إن"]


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=_ALPHABET, max_size=80))
def test_words_and_blocks_match_the_original(text: str) -> None:
    w = words_with_offsets(text)
    assert len(w.words) == len(w.starts) == len(w.ends)
    for word, s, e in zip(w.words, w.starts, w.ends, strict=True):
        assert 0 <= s < e <= len(text)
        assert word in normalize(text[s:e]).split()
    # A token of several words ("ﷺ", four in NFKC) is each one's token.
    tokens = dict.fromkeys(zip(w.starts, w.ends, strict=True))
    assert " ".join(w.words) == normalize(" ".join(text[s:e] for s, e in tokens))
    prev_end = 0
    lines = line_spans(text)
    for b in segment(text):
        assert prev_end <= b.start < b.end <= len(text)
        assert b.key and b.key == normalize(text[b.start : b.end])
        assert b.line_words == normalize(text[slice(*lines[b.line])]).count(" ") + 1
        prev_end = b.end
