"""The audit: merge + apply + restore gives back the original exactly, for any text and any decisions."""

from __future__ import annotations

import re

import orjson
from hypothesis import given, settings
from hypothesis import strategies as st

from dedup.audit import apply, merge, restore
from dedup.clean import Cleaner
from dedup.page import Decision, Kind, Page, Removal

_CHARS = st.one_of(
    st.sampled_from(list("abc XYZ.,!?\n\n\r\t") + ["\n \n", "  \n"]),
    st.sampled_from(list("بتثجحخ ءأإآىة ٠١٢٣ ؟،")),
    st.sampled_from(["\u064e", "\u0651", "\u0640", "\u200f", "\u200c", "\u0301", "é", "e\u0301"]),
    st.sampled_from(["😀", "👍🏽", "👨‍👩‍👧", "🇸🇾", "\U0001f600"]),
    st.characters(blacklist_categories=("Cs",)),
)
TEXTS = st.lists(_CHARS, max_size=120).map("".join)


@st.composite
def text_and_decisions(draw: st.DrawFn) -> tuple[str, list[Decision]]:
    text = draw(TEXTS)
    n = len(text)
    spans = draw(st.lists(st.tuples(st.integers(0, n), st.integers(0, n)), max_size=8))
    kinds = st.sampled_from(["widget", "repeat", "island", "site-boilerplate", "template"])
    decisions = [Decision(min(a, b), max(a, b), draw(kinds), {"n": i}) for i, (a, b) in enumerate(spans)]
    return text, decisions


def _check_removals(text: str, decisions: list[Decision], removals: list[Removal]) -> None:
    prev_end = 0
    for r in removals:
        assert 0 <= r.start <= r.end <= len(text)
        assert prev_end <= r.start, "removals overlap or are out of order"
        assert r.text == text[r.start : r.end]
        prev_end = r.end
    # Every decided character is inside some removal, but the line break that ends a decision
    # whose line keeps its start: the next line is not glued onto what stays.
    for d in decisions:
        for pos in range(d.start, d.end):
            line_break = text[pos : d.end] in ("\n", "\r\n")
            assert line_break or any(r.start <= pos < r.end for r in removals)


@settings(max_examples=400, deadline=None)
@given(text_and_decisions())
def test_merge_apply_restore_round_trip(case: tuple[str, list[Decision]]) -> None:
    text, decisions = case
    removals = merge(decisions, text)
    _check_removals(text, decisions, removals)
    cleaned = apply(text, removals)
    assert len(cleaned) == len(text) - sum(len(r.text) for r in removals)
    assert restore(cleaned, removals) == text
    # The dict form, as written to and read back from JSONL.
    as_json = orjson.loads(orjson.dumps([r.to_dict() for r in removals]))
    assert restore(cleaned, as_json) == text
    # Order of the audit records does not matter.
    assert restore(cleaned, list(reversed(as_json))) == text


def _merge_reference(decisions: list[Decision], text: str) -> list[tuple[int, int, str]]:
    """(start, end, kind) of the removals `merge` makes, as its docstring defines them, in Python:
    by start, the longest first; an overlap grows the last removal; a span whose line's start stays
    leaves its line break, one whose line goes takes the blank lines after it."""
    out: list[list] = []
    for d in sorted(decisions, key=lambda d: (d.start, -d.end)):
        overlaps = bool(out) and d.start < out[-1][1]
        if overlaps:  # inside the last removal: the start of that one's line counts
            first = out[-1][0]
            stays = "\n" not in text[first : d.start] and _stays_before(text, out, first)
        else:
            stays = _stays_before(text, out, d.start)
        if stays:
            end = d.end - (2 if text.endswith("\r\n", 0, d.end) else int(text.endswith("\n", 0, d.end)))
            if end <= d.start:
                continue
        else:
            end = d.end
            while end and text[end - 1] == "\n" and (m := re.match(r"[^\S\n]*\n", text[end:])):
                end += m.end()
        if overlaps:
            out[-1][1] = max(out[-1][1], end)
        else:
            out.append([d.start, end, str(d.kind)])
    return [(a, b, kind) for a, b, kind in out]


def _stays_before(text: str, removals: list[list], pos: int) -> bool:
    """Whether text that no removal takes stands before `pos` on its line."""
    line_start = text.rfind("\n", 0, pos) + 1
    return any(
        not c.isspace() and not any(a <= i < b for a, b, _ in removals)
        for i, c in enumerate(text[line_start:pos], line_start)
    )


@st.composite
def text_and_line_decisions(draw: st.DrawFn) -> tuple[str, list[Decision]]:
    """A text of a few lines, blank ones among them, and decisions that mostly start and end where
    lines do, as a block's does."""
    text = draw(st.lists(st.one_of(_CHARS, st.just("\n"), st.just(" \n"), st.just("\r\n")), max_size=60))
    text = "".join(text)
    edges = [0, len(text)] + [i + 1 for i, c in enumerate(text) if c == "\n"]
    at = st.one_of(st.sampled_from(edges), st.integers(0, len(text)))
    spans = draw(st.lists(st.tuples(at, at), max_size=6))
    return text, [Decision(min(a, b), max(a, b), Kind.WIDGET, {"n": i}) for i, (a, b) in enumerate(spans)]


@settings(max_examples=500, deadline=None)
@given(st.one_of(text_and_decisions(), text_and_line_decisions()))
def test_merge_is_its_definition(case: tuple[str, list[Decision]]) -> None:
    text, decisions = case
    assert [(r.start, r.end, r.kind) for r in merge(decisions, text)] == _merge_reference(decisions, text)


def test_removals_are_made_as_their_class_makes_them() -> None:
    # The core makes them, fields set one by one: they must be what Removal(...) makes.
    text = "شارك المقال\nThe article stays.\nSend this to a friend"
    share = Decision(0, 12, Kind.WIDGET, {"phrase": "شارك المقال"})
    send = Decision(31, len(text), Kind.WIDGET, {"phrase": "send this to a friend"})
    removals = merge([send, share], text)
    assert removals == [
        Removal(0, 12, "widget", "شارك المقال\n", {"phrase": "شارك المقال"}),
        Removal(31, len(text), "widget", "Send this to a friend", {"phrase": "send this to a friend"}),
    ]
    assert all(type(r) is Removal and type(r.kind) is str for r in removals)
    assert removals[0].evidence is share.evidence
    assert apply(text, removals) == "The article stays.\n"


@settings(max_examples=200, deadline=None)
@given(TEXTS)
def test_cleaner_result_restores(text: str) -> None:
    result = Cleaner().clean(Page(id="p", text=text))
    assert restore(result.text, result.removed) == text
    assert restore(result.text, [r.to_dict() for r in result.removed]) == text


def test_overlapping_decisions_merge_into_one_removal() -> None:
    text = "abcdefghij"
    removals = merge([Decision(2, 5, "widget"), Decision(4, 8, "repeat"), Decision(3, 4, "island")], text)
    assert [(r.start, r.end, r.kind, r.text) for r in removals] == [(2, 8, "widget", "cdefgh")]
    assert apply(text, removals) == "abij"
    assert restore("abij", removals) == text


def test_adjacent_decisions_stay_separate() -> None:
    text = "one\ntwo\nthree\n"
    removals = merge([Decision(4, 8, "widget"), Decision(0, 4, "repeat")], text)
    assert [(r.start, r.end, r.kind) for r in removals] == [(0, 4, "repeat"), (4, 8, "widget")]
    assert apply(text, removals) == "three\n"


def test_removal_takes_following_blank_lines() -> None:
    text = "keep\nشارك المقال\n\n \t\nkeep too\n"
    start = text.index("شارك")
    removals = merge([Decision(start, start + len("شارك المقال\n"), "widget")], text)
    assert removals[0].text == "شارك المقال\n\n \t\n"
    assert apply(text, removals) == "keep\nkeep too\n"
    assert restore(apply(text, removals), removals) == text


def test_span_ending_a_line_whose_start_stays_leaves_the_line_break() -> None:
    text = "The council met. Share this article\nNext paragraph\n"
    start = text.index("Share")
    removals = merge([Decision(start, text.index("Next"), "widget")], text)
    assert removals[0].text == "Share this article"
    assert apply(text, removals) == "The council met. \nNext paragraph\n"
    # The whole line goes with its break when its first sentence goes too.
    both = [Decision(0, start, "site-boilerplate"), Decision(start, text.index("Next"), "widget")]
    removals = merge(both, text)
    assert apply(text, removals) == "Next paragraph\n"


def test_span_not_ending_a_line_takes_nothing_more() -> None:
    text = "abc def\n\nghi"
    removals = merge([Decision(0, 4, "widget")], text)
    assert removals[0].text == "abc "


def test_restore_with_no_removals() -> None:
    assert restore("نص كما هو 😀", []) == "نص كما هو 😀"


def test_audit_dict_shape() -> None:
    r = Removal(3, 7, "widget", "abcd", {"phrase": "x"})
    assert r.to_dict() == {
        "start": 3,
        "end": 7,
        "kind": "widget",
        "text": "abcd",
        "evidence": {"phrase": "x"},
    }
