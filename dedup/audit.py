"""Applying decisions to a text, and restoring the original from the removed spans."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from dedup._core import merged_removals
from dedup.page import Decision, Removal
from dedup.segment import char_table


def merge(decisions: Sequence[Decision], text: str) -> list[Removal]:
    """Non-overlapping removals, in order; a span that ends a line takes the blank lines after it.

    Overlapping spans become one removal, with the kind and evidence of the first (by start, the
    longest first, then in the order given). A span that ends a line whose start stays leaves the
    line break: the next line is not glued onto it. One pass over the text, however long its
    lines, by the Rust core (`merged_removals`).
    """
    return merged_removals(char_table(), text, decisions, Removal)


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
