"""Applying decisions to a text, and restoring the original from the removed spans."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from dedup.page import Decision, Removal

_NON_SPACE = re.compile(r"\S")
_BLANK_LINE = re.compile(r"[^\S\n]*\n")  # a whitespace-only line, with its line break


def merge(decisions: Iterable[Decision], text: str) -> list[Removal]:
    """Non-overlapping removals, in order; a span that ends a line takes the blank lines after it.

    Overlapping spans become one removal, with the kind and evidence of the first. A span that
    ends a line whose start stays leaves the line break: the next line is not glued onto it.
    One pass over the text, however long its lines.
    """
    removals: list[Removal] = []
    line = _LineState()
    for d in sorted(decisions, key=lambda d: (d.start, -d.end)):
        overlaps = bool(removals) and d.start < removals[-1].end
        stays = line.stays_inside(d.start) if overlaps else line.stays_after(text, d.start)
        if stays:
            end = d.end - _line_break_at(text, d.end)
            if end <= d.start:
                continue  # the line break alone: nothing goes
        else:
            end = _absorb_blank_lines(text, d.end)
        if overlaps:
            last = removals[-1]
            if end > last.end:
                line.grow(text, end)
                removals[-1] = Removal(last.start, end, last.kind, text[last.start : end], last.evidence)
            continue
        line.open(text, d.start, end, stays)
        removals.append(Removal(d.start, end, str(d.kind), text[d.start : end], d.evidence))
    return removals


class _LineState:
    """Where the last removal is, and whether text that stays stands before it on its line: enough
    to tell, for the next span, whether its line's start stays."""

    def __init__(self) -> None:
        self.start = 0  # the last removal: [start, end)
        self.end = 0
        self.kept_before = False  # some text stays on the line of `start`, before it
        self.first_break = -1  # the first line break inside the last removal, -1 if none

    def stays_after(self, text: str, start: int) -> bool:
        """For a span starting at or after the last removal's end: does text before it, on its
        line, stay?"""
        nl = text.rfind("\n", self.end, start)
        if nl >= 0:
            return _NON_SPACE.search(text, nl + 1, start) is not None
        kept_at_end = self.kept_before and self.first_break < 0
        return kept_at_end or _NON_SPACE.search(text, self.end, start) is not None

    def stays_inside(self, start: int) -> bool:
        """The same for a span starting inside the last removal."""
        return self.kept_before and not 0 <= self.first_break < start

    def open(self, text: str, start: int, end: int, kept_before: bool) -> None:
        """A new removal [start, end)."""
        self.start, self.end, self.kept_before = start, end, kept_before
        self.first_break = text.find("\n", start, end)

    def grow(self, text: str, end: int) -> None:
        """The last removal now reaches `end`."""
        if self.first_break < 0:
            self.first_break = text.find("\n", self.end, end)
        self.end = end


def _line_break_at(text: str, end: int) -> int:
    """The length of the line break that ends text[:end] (\n or \r\n), 0 if none."""
    if not text.endswith("\n", 0, end):
        return 0
    return 2 if text.endswith("\r\n", 0, end) else 1


def _absorb_blank_lines(text: str, end: int) -> int:
    """Extend a span that ends at a line break over the whitespace-only lines that follow."""
    if end == 0 or text[end - 1] != "\n":
        return end
    while m := _BLANK_LINE.match(text, end):
        end = m.end()
    return end


def apply(text: str, removals: Sequence[Removal]) -> str:
    """The text without the removed spans."""
    parts = []
    pos = 0
    for r in removals:
        parts.append(text[pos : r.start])
        pos = r.end
    parts.append(text[pos:])
    return "".join(parts)


def restore(cleaned: str, removed: Iterable[Removal | dict]) -> str:
    """The original text, byte for byte, from the cleaned text and its removed spans."""
    spans = sorted(
        (r.start, r.text) if isinstance(r, Removal) else (int(r["start"]), str(r["text"])) for r in removed
    )
    parts = []
    orig_pos = 0  # position in the original text
    clean_pos = 0
    for start, span_text in spans:
        keep = start - orig_pos
        parts.append(cleaned[clean_pos : clean_pos + keep])
        clean_pos += keep
        parts.append(span_text)
        orig_pos = start + len(span_text)
    parts.append(cleaned[clean_pos:])
    return "".join(parts)
