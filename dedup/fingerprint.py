"""Shingles, exact hashes and MinHash signatures (datasketch, affine32 scheme, xxh32 input hash)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass

import xxhash
from datasketch import LeanMinHash, MinHash

from dedup.normalize import NORMALIZER_VERSION


@dataclass(frozen=True)
class FingerprintSettings:
    """Everything that makes two signatures comparable; stored with every persisted model."""

    scheme: str = "affine32"
    seed: int = 1
    num_perm: int = 128
    char_shingle: int = 4
    word_shingle: int = 5
    normalizer: int = NORMALIZER_VERSION

    def as_dict(self) -> dict[str, int | str]:
        """The settings as a plain dict, for storage."""
        return asdict(self)


def exact_hash(key: str) -> int:
    """A 64-bit hash of a normalized key."""
    return xxhash.xxh3_64_intdigest(key.encode("utf-8"))


def char_shingles(key: str, size: int) -> set[bytes]:
    """Character n-grams of a key (the key itself when shorter)."""
    if len(key) <= size:
        return {key.encode("utf-8")}
    return {key[i : i + size].encode("utf-8") for i in range(len(key) - size + 1)}


def word_shingles(words: Sequence[str], size: int) -> set[bytes]:
    """Word n-grams (the whole word list when shorter)."""
    if len(words) <= size:
        return {" ".join(words).encode("utf-8")} if words else set()
    return {" ".join(words[i : i + size]).encode("utf-8") for i in range(len(words) - size + 1)}


def _xxh32(data: bytes) -> int:
    return xxhash.xxh32_intdigest(data)


def signatures(shingle_sets: Iterable[set[bytes]], settings: FingerprintSettings) -> list[LeanMinHash]:
    """MinHash signatures of many shingle sets at once (datasketch's bulk path)."""
    sets = [list(s) for s in shingle_sets]
    if not sets:
        return []
    hashes = MinHash.bulk(
        sets, num_perm=settings.num_perm, seed=settings.seed, hashfunc=_xxh32, scheme=settings.scheme
    )
    return [LeanMinHash(m) for m in hashes]


def jaccard(a: set[bytes], b: set[bytes]) -> float:
    """The true Jaccard similarity of two shingle sets."""
    if not a and not b:
        return 1.0
    return len(a & b) / len(a | b)
