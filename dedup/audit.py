"""Applying decisions to a text, and restoring the original from the removed spans."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from dedup.page import Decision, Removal


def merge(decisions: Iterable[Decision], text: str) -> list[Removal]:
    """Non-overlapping removals, in order; a span that ends a line takes the blank lines after it.

    Overlapping spans become one removal, with the kind and evidence of the first."""
    removals: list[Removal] = []
    for d in sorted(decisions, key=lambda d: (d.start, -d.end)):
        end = _absorb_blank_lines(text, d.end)
        if removals and d.start < removals[-1].end:
            last = removals[-1]
            if end > last.end:
                removals[-1] = Removal(last.start, end, last.kind, text[last.start : end], last.evidence)
            continue
        removals.append(Removal(d.start, end, d.kind, text[d.start : end], d.evidence))
    return removals


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
