"""Shingles, exact hashes and MinHash signatures (datasketch, affine32 scheme, xxh32 input hash)."""

from __future__ import annotations

import functools
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass
from itertools import chain, islice
from typing import TYPE_CHECKING

import numpy as np
import xxhash

from dedup import checks
from dedup._core import band_hashes, key_band_keys, minhash
from dedup._core import char_shingles as core_char_shingles
from dedup._core import key_pairs as core_key_pairs
from dedup.normalize import NORMALIZER_VERSION

if TYPE_CHECKING:
    from datasketch import LeanMinHash

SCHEMES = ("affine32",)  # the scheme the vectorized MinHash computes (datasketch 2.0's default)


@dataclass(frozen=True)
class FingerprintSettings:
    """Everything that makes two signatures comparable; stored with every persisted model."""

    scheme: str = "affine32"
    seed: int = 1
    num_perm: int = 128
    char_shingle: int = 4
    word_shingle: int = 5
    normalizer: int = NORMALIZER_VERSION

    def __post_init__(self) -> None:
        checks.one_of("FingerprintSettings", "scheme", self.scheme, SCHEMES)
        checks.whole("FingerprintSettings", "seed", self.seed, least=0)
        checks.whole("FingerprintSettings", "num_perm", self.num_perm, least=16)  # LSH needs bands
        checks.whole("FingerprintSettings", "char_shingle", self.char_shingle)
        checks.whole("FingerprintSettings", "word_shingle", self.word_shingle)

    def as_dict(self) -> dict[str, int | str]:
        """The settings as a plain dict, for storage."""
        return asdict(self)


def utf8(key: str) -> bytes:
    """The UTF-8 bytes of a key to hash; a lone surrogate (from a "\\ud800" JSON escape, say) is
    kept as its own bytes rather than refused, so any Python string can be matched."""
    return key.encode("utf-8", "surrogatepass")


def exact_hash(key: str) -> int:
    """A 64-bit hash of a normalized key."""
    return xxhash.xxh3_64_intdigest(utf8(key))


def char_shingles(key: str, size: int) -> set[bytes]:
    """Character n-grams of a key (the key itself when shorter)."""
    if len(key) <= size:
        return {utf8(key)}
    return {utf8(key[i : i + size]) for i in range(len(key) - size + 1)}


def word_shingles(words: Sequence[str], size: int) -> set[bytes]:
    """Word n-grams (the whole word list when shorter)."""
    if len(words) <= size:
        return {utf8(" ".join(words))} if words else set()
    return {utf8(" ".join(words[i : i + size])) for i in range(len(words) - size + 1)}


def _xxh32(data: bytes) -> int:
    return xxhash.xxh32_intdigest(data)


def signatures(shingle_sets: Iterable[set[bytes]], settings: FingerprintSettings) -> list[LeanMinHash]:
    """MinHash signatures of many shingle sets at once (datasketch's bulk path)."""
    from datasketch import LeanMinHash, MinHash  # imported where used: a batch run never needs it

    sets = [list(s) for s in shingle_sets]
    if not sets:
        return []
    hashes = MinHash.bulk(
        sets, num_perm=settings.num_perm, seed=settings.seed, hashfunc=_xxh32, scheme=settings.scheme
    )
    return [LeanMinHash(m) for m in hashes]


# Vectorized forms: the same values as xxhash and datasketch give one at a time, for many inputs at
# once, with no Python object per shingle.
# A page repeating one short line in countless variants (a few words, reshuffled) puts them all in
# one LSH bucket: all their pairs would grow with the square of the variants. Past CHAIN_OVER keys
# in a bucket, each key is paired with the next CHAIN_WINDOW only; similar keys still join up in
# chains, since a variant merge clusters what its pairs link, and 14 bands give many buckets.
CHAIN_OVER = 10
CHAIN_WINDOW = 2
SHINGLE_BATCH = 1024  # keys hashed (and signed) at a time: the temporary arrays stay a few MB
LSH_BATCH = 1 << 18  # hashes signed at a time


def char_shingle_hashes(keys: Sequence[str], size: int) -> tuple[np.ndarray, np.ndarray]:
    """xxh32 of the UTF-8 character n-grams of every key (the key itself when shorter), all in one
    array, and where each key's hashes start (one more entry, the end). Repeats are kept."""
    lengths = np.fromiter((len(k) for k in keys), np.int64, len(keys))
    first = np.zeros(len(keys) + 1, np.int64)
    np.cumsum(np.maximum(lengths - size + 1, np.minimum(lengths, 1)), out=first[1:])
    # Filled a batch at a time: the hashes of many keys are held once, never twice.
    hashes = np.empty(first[-1], np.uint32)
    for i in range(0, len(keys), SHINGLE_BATCH):
        batch = keys[i : i + SHINGLE_BATCH]
        hashes[first[i] : first[i + len(batch)]] = _char_shingle_hashes(batch, size)[0]
    return hashes, first


def _char_shingle_hashes(keys: Sequence[str], size: int) -> tuple[np.ndarray, np.ndarray]:
    """The n-gram hashes of a few keys, and how many each key has (`dedup._core.char_shingles`)."""
    hashes, counts = core_char_shingles(list(keys), size)
    return np.frombuffer(hashes, "<u4"), np.frombuffer(counts, "<i8")


def minhash_matrix(
    hashes: np.ndarray, first: np.ndarray, settings: FingerprintSettings, perms: range | None = None
) -> np.ndarray:
    """One row per set (hashes[first[i]:first[i+1]]): the same values as datasketch's MinHash with
    the affine32 scheme, seed and num_perm of the settings (all 2**32-1 for an empty set); only the
    columns of `perms` when given. Computed by the Rust core (`dedup._core.minhash`)."""
    perms = perms if perms is not None else range(settings.num_perm)
    return np.frombuffer(_signed(hashes, first, settings, perms), "<u4").reshape(len(first) - 1, len(perms))


def _signed(hashes: np.ndarray, first: np.ndarray, settings: FingerprintSettings, perms: range) -> bytes:
    """`minhash_matrix` as the core's little-endian u32 bytes, row after row."""
    a, b = permutation_bytes(settings, perms)
    return minhash(np.asarray(hashes, "<u4").tobytes(), np.asarray(first, "<i8").tobytes(), a, b)


def permutation_bytes(settings: FingerprintSettings, perms: range) -> tuple[bytes, bytes]:
    """The multipliers and offsets of these permutations of the settings, as the core reads them."""
    if settings.scheme != "affine32":
        raise ValueError(f"vectorized MinHash supports the affine32 scheme, not {settings.scheme!r}")
    a, b = _permutations(settings.num_perm, settings.seed)
    return a[perms.start : perms.stop].tobytes(), b[perms.start : perms.stop].tobytes()


@functools.cache
def _permutations(num_perm: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """datasketch's affine32 permutations (a, b) for these settings, made once as datasketch 2.0
    makes them (odd multipliers), without importing it (tests compare the two)."""
    gen = np.random.RandomState(seed)
    a = gen.randint(0, 1 << 31, num_perm, dtype=np.uint32) * np.uint32(2) + np.uint32(1)
    b = gen.randint(0, 1 << 32, num_perm, dtype=np.uint32)
    a.flags.writeable = b.flags.writeable = False
    return a, b


def lsh_pairs(
    sets: Sequence[np.ndarray], settings: FingerprintSettings, bands: tuple[int, int], batch: int = LSH_BATCH
) -> set[tuple[int, int]]:
    """Pairs (i < j) of sets whose signatures (`minhash_matrix`) share a band key in one LSH band
    (the candidates datasketch's MinHashLSH with these bands would return)."""
    return table_pairs(band_keys(sets, settings, bands, batch))


def table_pairs(keys: np.ndarray) -> set[tuple[int, int]]:
    """Pairs (i < j) of the rows of a band key table (`band_keys`) that agree in a column."""
    pairs: set[tuple[int, int]] = set()
    for band in range(keys.shape[1]):
        pairs |= key_pairs(keys[:, band])
    return pairs


def key_lsh_pairs(
    keys: Iterable[str],
    size: int,
    settings: FingerprintSettings,
    bands: tuple[int, int],
    batch: int = SHINGLE_BATCH,
    chain_over: int | None = CHAIN_OVER,
    lines: Iterable[bytes] = (),
) -> set[tuple[int, int]]:
    """`lsh_pairs` of the keys' character n-gram sets (`char_shingle_hashes`, `minhash_matrix`),
    the keys read once, `batch` at a time, then the keys of `lines` (chunks of keys as UTF-8
    lines, each ending with a line break, as `SingleShapes` keeps them), a chunk at a time: neither
    the keys nor their n-gram hashes are held, only a 64-bit hash of each key's rows in each band
    (8 bytes a key and band).

    Two different rows that share a hash are taken as equal here: a candidate pair more, once in
    about 2**64 row pairs, which the caller confirms by true Jaccard anyway. A bucket of more than
    `chain_over` keys gives chains, not all its pairs (None: all pairs); a chain follows the keys'
    own hashes, so the same keys give the same pairs in whatever order they come (batch, stream,
    Spark and a resumed run see a site's pages in different orders)."""
    count, rows = bands
    a, b = permutation_bytes(settings, range(count * rows))
    parts, ranks = [], []
    iter_keys = iter(keys)
    chunks: Iterator[list[str] | bytes] = chain(iter(lambda: list(islice(iter_keys, batch)), []), lines)
    for chunk in chunks:
        made, hashes = key_band_keys(chunk, size, a, b, rows)  # by one call to the Rust core
        parts.append(np.frombuffer(made, "<u8").reshape(-1, count))
        ranks.append(np.frombuffer(hashes, "<u8"))
    pairs: set[tuple[int, int]] = set()
    if parts:
        rank = np.concatenate(ranks)
        for band in range(bands[0]):  # a band's column at a time: the chunks' table is not copied whole
            pairs |= key_pairs(np.concatenate([part[:, band] for part in parts]), chain_over, rank)
    return pairs


def band_keys(
    sets: Sequence[np.ndarray], settings: FingerprintSettings, bands: tuple[int, int], batch: int = LSH_BATCH
) -> np.ndarray:
    """For each set of hashes, a 64-bit hash of its signature's rows in each LSH band (one row a
    set, one column a band): two sets are candidates where they agree in a column. The sets are
    signed about `batch` hashes at a time: only their band keys (8 bytes a set and band) and a
    few MB of hashes are held at once."""
    if len(sets) == 1:  # a page placed alone (stream mode): without the batching, in half the time
        return _band_table(sets[0], np.array([0, len(sets[0])]), settings, bands)
    keys = np.empty((len(sets), bands[0]), np.uint64)
    for a, b in _by_size(sets, batch):
        first = np.zeros(b - a + 1, np.int64)
        np.cumsum([len(x) for x in sets[a:b]], out=first[1:])
        hashes = np.concatenate(sets[a:b]).astype(np.uint32, copy=False)
        keys[a:b] = _band_table(hashes, first, settings, bands)
    return keys


def _band_table(
    hashes: np.ndarray, first: np.ndarray, settings: FingerprintSettings, bands: tuple[int, int]
) -> np.ndarray:
    """`band_keys` of the sets hashes[first[i]:first[i+1]]."""
    count, rows = bands
    # Every band at once: each hash is mixed once, and a row of many permutations is signed fast.
    signed = _signed(hashes, first, settings, range(count * rows))
    return np.frombuffer(band_hashes(signed, rows), "<u8").reshape(len(first) - 1, count)


def _by_size(sets: Sequence[np.ndarray], size: int) -> list[tuple[int, int]]:
    """Consecutive ranges of the sets holding about `size` hashes each."""
    ranges, start, held = [], 0, 0
    for i, s in enumerate(sets):
        held += len(s)
        if held >= size:
            ranges.append((start, i + 1))
            start, held = i + 1, 0
    if start < len(sets):
        ranges.append((start, len(sets)))
    return ranges


def key_pairs(
    keys: np.ndarray, chain_over: int | None = None, rank: np.ndarray | None = None
) -> set[tuple[int, int]]:
    """Pairs (i < j) of the rows whose band key (`band_keys`, one band) is the same: every LSH run
    (batch, stream, Spark) makes its candidates from the same band keys. A bucket of more than
    `chain_over` rows gives only each row and the next CHAIN_WINDOW rows, in the order of `rank`
    (each row's; None: the rows' own order). Found by the Rust core (`dedup._core.key_pairs`)."""
    ranks = None if rank is None else np.ascontiguousarray(rank, "<u8").tobytes()
    return core_key_pairs(np.ascontiguousarray(keys, "<u8").tobytes(), chain_over, CHAIN_WINDOW, ranks)


def lsh_bands(threshold: float, num_perm: int) -> tuple[int, int]:
    """(bands, rows) that datasketch's MinHashLSH picks for this threshold and num_perm."""
    known = _KNOWN_BANDS.get((threshold, num_perm))
    if known is not None:
        return known
    from datasketch import MinHashLSH  # its optimizer imports scipy: a second or so

    lsh = MinHashLSH(threshold=threshold, num_perm=num_perm)
    return lsh.b, lsh.r


# What datasketch's MinHashLSH picks for the default settings' thresholds (checked by the tests):
# a batch run then never imports datasketch and scipy, which takes longer than many small runs.
_KNOWN_BANDS = {(0.7, 128): (14, 9), (0.5, 128): (25, 5)}
