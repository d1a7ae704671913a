"""The Rust core (rust/): the per-page kernels that grow with a page's size."""

from collections.abc import Sequence

def repeated_stretches(words: Sequence[str], min_words: int) -> list[tuple[int, int, int]]:
    """(start, end, source start) of each stretch of `min_words`+ words copying an earlier one."""

def minhash(hashes: bytes, first: bytes, a: bytes, b: bytes) -> bytes:
    """MinHash signatures (datasketch's affine32) of the sets of u32 `hashes` that i64 `first`
    starts, one row of len(a) u32 values each; all little-endian bytes."""

def xxh32_slices(buf: bytes, starts: bytes, lengths: bytes) -> bytes:
    """xxh32 (seed 0) of each slice buf[start:start+length] (i64 `starts`, `lengths`), as u32; all
    little-endian bytes."""
