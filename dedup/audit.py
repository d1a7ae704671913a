"""Applying decisions to a text, and restoring the original from the removed spans."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from dedup.page import Decision, Removal


def merge(decisions: Iterable[Decision], text: str) -> list[Removal]:
    """Non-overlapping removals, in order; a span that ends a line takes the blank lines after it.

    Overlapping spans become one removal, with the kind and evidence of the first. A span that
    ends a line whose start stays leaves the line break: the next line is not glued onto it.
    """
    removals: list[Removal] = []
    for d in sorted(decisions, key=lambda d: (d.start, -d.end)):
        if _line_start_stays(text, d.start, removals):
            end = d.end - _line_break_at(text, d.end)
            if end <= d.start:
                continue  # the line break alone: nothing goes
        else:
            end = _absorb_blank_lines(text, d.end)
        if removals and d.start < removals[-1].end:
            last = removals[-1]
            if end > last.end:
                removals[-1] = Removal(last.start, end, last.kind, text[last.start : end], last.evidence)
            continue
        removals.append(Removal(d.start, end, d.kind, text[d.start : end], d.evidence))
    return removals


def _line_start_stays(text: str, start: int, removals: Sequence[Removal]) -> bool:
    """Whether some text before `start` on its line is kept by the removals so far."""
    line_start = text.rfind("\n", 0, start) + 1
    pos = start
    for r in reversed(removals):
        if r.end <= line_start:
            break
        if text[max(r.end, line_start) : pos].strip():
            return True
        pos = min(pos, r.start)
    return bool(text[line_start:pos].strip())


def _line_break_at(text: str, end: int) -> int:
    """The length of the line break that ends text[:end] (\n or \r\n), 0 if none."""
    if not text.endswith("\n", 0, end):
        return 0
    return 2 if text.endswith("\r\n", 0, end) else 1


def _absorb_blank_lines(text: str, end: int) -> int:
    """Extend a span that ends at a line break over the whitespace-only lines that follow."""
    if end == 0 or text[end - 1] != "\n":
        return end
    pos = end
    while True:
        nl = text.find("\n", pos)
        if nl < 0 or text[pos:nl].strip():
            return pos
        pos = nl + 1


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
