"""The Rust core (rust/): the per-page kernels that grow with a page's size."""

from collections.abc import Sequence

def repeated_stretches(words: Sequence[str], min_words: int) -> list[tuple[int, int, int]]:
    """(start, end, source start) of each stretch of `min_words`+ words copying an earlier one."""
