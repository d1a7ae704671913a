"""Properties over any text: the normalizer, the segmenter, the detectors and the cleaner never fail,
restoring gives the original back, and cleaning a cleaned page again removes nothing more.

The last holds for a page cleaned with the site model it was cleaned with, on pages with line
breaks. On a page without line breaks (a flattened page) it does not hold, for a sound reason:
its blocks are the sentences that punctuation makes, and its word runs are judged by how far they
stand from the page's ends. Cleaning cuts furniture out of the middle of such sentences and makes
a new page end, so the cleaned text is a page of other units; a run that stood behind a teaser
card now closes the page. Restoring still holds there, as everywhere.
"""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest
from conftest import AR_PARAGRAPHS, EN_PARAGRAPHS, ROOT
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from dedup.audit import restore
from dedup.clean import Cleaner, Result
from dedup.cli import app
from dedup.duplicates import DuplicateFinder
from dedup.io import read_pages
from dedup.io.records import BadRecord
from dedup.normalize import Folded, normalize
from dedup.page import Page
from dedup.segment import segment, words_with_offsets

# Every code point, lone surrogates included (a JSON "\ud800" escape makes one in Python).
ANY_CHAR = st.characters(exclude_categories=())
HARD_CHARS = st.sampled_from(
    [
        "\u200f",  # right-to-left mark
        "\u200e",
        "\u202b",  # right-to-left embedding
        "\u2066",
        "\u061c",  # Arabic letter mark
        "\u0651",  # shadda
        "\u064e",  # fatha
        "\u0640",  # tatweel
        "e\u0301",  # a combining acute accent
        "\u0301",  # a combining mark with nothing to combine with
        "😀",
        "👍🏽",
        "👨\u200d👩\u200d👧",  # emoji joined by zero-width joiners
        "🇸🇾",
        "\x00",
        "\ufeff",
        "\u00a0",
        "\u2028",  # line separator: not a line break for the segmenter
        "\r\n",
        "\ud800",  # lone surrogates
        "\udfff",
        "ﷺ",  # one code point that NFKC makes many words of
        "٣",
        ".",
        "؟",
        "\n",
        " ",
    ]
)
ANY_TEXT = st.lists(st.one_of(ANY_CHAR, HARD_CHARS), max_size=200).map("".join)

AR_WORDS = " ".join(AR_PARAGRAPHS).replace(".", "").replace("،", "").split()
EN_WORDS = " ".join(EN_PARAGRAPHS).replace(".", "").replace(",", "").split()
FURNITURE = (
    ("الرئيسية | أخبار | اقتصاد | رياضة", "Home | News | Business | Sport"),
    ("شارك المقال مع أصدقائك", "Share this article"),
    ("تابعونا على فيسبوك", "Follow us on Twitter"),
    ("جميع الحقوق محفوظة © 2024", "All rights reserved © 2024"),
    ("من نحن | اتصل بنا | سياسة الخصوصية", "About us | Contact | Privacy policy"),
)


INLINE_CHARS = HARD_CHARS.filter(lambda c: c not in ("\n", "\r\n"))


@st.composite
def sentence(draw: st.DrawFn, words: list[str]) -> str:
    """A sentence of the page's language, maybe with a hard character in it (not a line break).
    Its words differ: a "sentence" of one word said over and over is no article's (a site whose
    every title is that word four times cuts them off the end of such a "sentence" as the title's
    variant once the page is cleaned to that one line, which the whole page kept it from before)."""
    chosen = draw(st.lists(st.sampled_from(words), min_size=4, max_size=18, unique=True))
    if draw(st.booleans()):
        chosen.insert(draw(st.integers(0, len(chosen))), draw(INLINE_CHARS))
    return " ".join(chosen) + draw(st.sampled_from([".", ".", "؟", "!", ""]))


@st.composite
def site_pages(draw: st.DrawFn) -> tuple[list[Page], bool]:
    """A few pages of one site (furniture around paragraphs, teasers, doubled paragraphs, noise),
    and whether they are flattened (no line breaks)."""
    lang = draw(st.integers(0, 1))
    words = AR_WORDS if lang == 0 else EN_WORDS
    furniture = [f[lang] for f in FURNITURE]
    flattened = draw(st.booleans()) and draw(st.booleans())  # a quarter of the sites
    pages = []
    for i in range(draw(st.integers(2, 7))):
        paragraphs = [
            " ".join(draw(st.lists(sentence(words), min_size=1, max_size=3)))
            for _ in range(draw(st.integers(1, 5)))
        ]
        date = f"{draw(st.integers(1, 28))}/{draw(st.integers(1, 12))}/2024 {draw(st.integers(0, 23))}:00"
        lines = [furniture[0], date, draw(sentence(words)).rstrip("."), *paragraphs]
        if draw(st.booleans()):  # a paragraph doubled by the scraper
            k = draw(st.integers(0, len(paragraphs) - 1))
            lines.insert(3 + k, paragraphs[k])
        lines += draw(st.lists(st.sampled_from(furniture[1:]), max_size=3, unique=True))
        if draw(st.booleans()):  # a teaser card repeating the lead, cut mid-word
            lead = " ".join(paragraphs)
            lines.append(lead[: draw(st.integers(len(lead) // 3, len(lead)))])
        lines.append(furniture[-1])
        text = (" " if flattened else "\n").join(lines) + draw(st.sampled_from(["", "\n"]))
        pages.append(Page(id=f"p{i}", text=text, site="example.org"))
    if draw(st.booleans()):  # an exact re-fetch
        pages.append(Page(id="copy", text=pages[0].text, site="example.org"))
    return pages, flattened


def _check_restores(result: Result) -> None:
    original = result.page.text
    assert restore(result.text, result.removed) == original
    for r in result.removed:
        assert original[r.start : r.end] == r.text
    # The audit as written to JSON and read back. A text with surrogates is no UTF-8 text: it
    # cannot be written, and JSON would read "\ud800\udc00" back as one character.
    if not any("\ud800" <= c <= "\udfff" for c in original):
        audit = orjson.loads(orjson.dumps([r.to_dict() for r in result.removed]))
        assert restore(orjson.loads(orjson.dumps(result.text)), audit) == original


@settings(max_examples=300, deadline=None)
@given(ANY_TEXT)
def test_normalize_any_text(text: str) -> None:
    key = normalize(text)
    assert key == key.strip() and "  " not in key and "\n" not in key
    assert normalize(key) == key


@settings(max_examples=300, deadline=None)
@given(ANY_TEXT)
def test_segment_and_words_any_text(text: str) -> None:
    prev_end = 0
    for b in segment(text):
        assert prev_end <= b.start < b.end <= len(text)
        assert b.key == normalize(text[b.start : b.end]) and b.words <= b.line_words
        prev_end = b.end
    w = words_with_offsets(text)
    assert len(w.words) == len(w.starts) == len(w.ends)
    assert all(0 <= s < e <= len(text) for s, e in zip(w.starts, w.ends, strict=True))


@settings(max_examples=300, deadline=None)
@given(ANY_TEXT, st.data())
def test_words_of_a_span_are_those_of_its_text_alone(text: str, data: st.DataObject) -> None:
    # A span's words come from the whole text's folding (a slice of its words, once made): they
    # must be the words of the span's text folded on its own, spans that cut a word included.
    start = data.draw(st.integers(0, len(text)))
    end = data.draw(st.integers(start, len(text)))
    folded = Folded(text)
    alone = words_with_offsets(text, start, end)
    for _ in range(2):  # before and after the whole text's words are made
        shared = words_with_offsets(text, start, end, folded)
        assert (shared.words, list(shared.starts), list(shared.ends)) == (
            alone.words,
            list(alone.starts),
            list(alone.ends),
        )
        words_with_offsets(text, folded=folded)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(ANY_TEXT, min_size=1, max_size=6), ANY_TEXT)
def test_learn_and_clean_any_text(texts: list[str], extra: str) -> None:
    """Pages of anything, some sharing lines, some long enough to be flattened pages: every
    detector runs (the site model, word runs, templates, widgets, repeats, islands) and nothing
    fails; every result restores."""
    long_line = " ".join([extra] * 40 + texts)  # a line of 100 words and more: a flattened page
    texts = [t + "\n" + extra for t in texts] + [long_line, long_line + " x " + texts[0]]
    pages = [Page(id=str(i), text=t, site="s") for i, t in enumerate(texts)]
    cleaner = Cleaner()
    cleaner.learn(pages)
    for page in pages:
        _check_restores(cleaner.clean(page))


@settings(max_examples=150, deadline=None)
@given(st.lists(ANY_TEXT, max_size=6))
def test_duplicate_finder_any_text(texts: list[str]) -> None:
    finder = DuplicateFinder()
    for i, t in enumerate(texts):
        finder.add(str(i), None, "any.example", t, t)
    groups = finder.groups()
    ids = {str(j) for j in range(len(texts))}
    assert all(
        0 <= i < len(texts) and d.canonical in ids and 0 < d.similarity <= 1 for i, d in groups.items()
    )


@settings(max_examples=300, deadline=None)
@given(ANY_TEXT)
def test_cleaning_without_a_model_twice_removes_nothing_more(text: str) -> None:
    cleaner = Cleaner()
    first = cleaner.clean(Page(id="p", text=text))
    _check_restores(first)
    again = cleaner.clean(Page(id="p", text=first.text))
    assert again.removed == ()


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(site_pages())
def test_site_pages_restore_and_clean_once(site: tuple[list[Page], bool]) -> None:
    """A site's pages cleaned with the model learned from them: each restores, and a page with line
    breaks cleaned again with the same model loses nothing more (see the module docstring)."""
    pages, flattened = site
    cleaner = Cleaner()
    cleaner.learn(pages)
    for page in pages:
        first = cleaner.clean(page)
        _check_restores(first)
        again = cleaner.clean(Page(id=page.id, text=first.text, site=page.site))
        _check_restores(again)
        if not flattened:
            assert [r.text for r in again.removed] == [], (page.text, first.text)


@pytest.fixture(scope="module")
def bundled_cleaner() -> tuple[Cleaner, list[Page]]:
    """The bundled sample's pages and a cleaner that learned them."""
    path = ROOT / "corpus" / "pages.jsonl"
    if not path.exists():
        pytest.skip(f"{path} is missing")
    pages = [p for p in read_pages([path]) if isinstance(p, Page)]
    cleaner = Cleaner()
    cleaner.learn(pages)
    return cleaner, pages


def test_bundled_pages_cleaned_again_lose_nothing_more(bundled_cleaner: tuple[Cleaner, list[Page]]) -> None:
    """Every page of the bundled sample with line breaks, cleaned again with the model it was
    cleaned with, keeps all it kept (flattened pages aside: see the module docstring)."""
    cleaner, pages = bundled_cleaner
    changed = []
    for page in pages:
        first = cleaner.clean(page)
        again = cleaner.clean(Page(id=page.id, text=first.text, site=page.site))
        if again.removed and "\n" in page.text.strip():
            changed.append((page.id, [r.text for r in again.removed]))
    assert changed == []


def test_lone_surrogate_escape_is_a_bad_record_naming_its_line(tmp_path: Path) -> None:
    path = tmp_path / "pages.jsonl"
    path.write_bytes(
        b'{"id": "a", "text": "ok \\u00e9 \\ud83d\\ude00"}\n{"id": "b", "text": "half \\ud800 of a pair"}\n'
    )
    items = list(read_pages([path]))
    assert isinstance(items[0], Page) and items[0].text == "ok é 😀"
    assert isinstance(items[1], BadRecord) and items[1].source == f"{path}:2"
    assert "surrogate" in items[1].reason


def test_nul_and_hard_characters_survive_a_clean_run(tmp_path: Path, runner: CliRunner) -> None:
    """NUL, bidi controls, combining marks and emoji go through the CLI and restore byte for byte."""
    texts = [
        "\u200fعنوان\x00 الخبر\n" + AR_PARAGRAPHS[0] + " 👨\u200d👩\u200d👧\n\u202bشارك المقال\u202c\n",
        "Title e\u0301\u0301\n" + EN_PARAGRAPHS[0] + "\x00\nShare this article\n" + EN_PARAGRAPHS[0] + "\n",
    ]
    src = tmp_path / "in.jsonl"
    src.write_bytes(b"".join(orjson.dumps({"id": str(i), "text": t}) + b"\n" for i, t in enumerate(texts)))
    out = tmp_path / "out.jsonl"
    result = runner.invoke(app, ["clean", str(src), "-o", str(out)])
    assert result.exit_code == 0, result.output
    records = [orjson.loads(line) for line in out.read_bytes().splitlines()]
    assert [restore(r["text"], r["dedup"]["removed"]) for r in records] == texts
    assert all(r["dedup"]["removed"] for r in records)  # the widgets went


def test_variant_learned_from_a_page_with_a_lone_surrogate_is_written_escaped() -> None:
    """A page's audit names the variant it matched; learned from a page holding a lone surrogate,
    that name is escaped, so the clean page's audit can still be written as JSON."""
    pages = [Page(id=str(i), text=t, site="s") for i, t in enumerate(["\ud800\ufdfa", "\ufdfa"])]
    cleaner = Cleaner()
    cleaner.learn(pages)
    _check_restores(cleaner.clean(pages[1]))
