"""The vectorized hashes and signatures give exactly what xxhash and datasketch give one at a time."""

from __future__ import annotations

import random

import numpy as np
import pytest
import xxhash
from datasketch import MinHashLSH
from hypothesis import given, settings
from hypothesis import strategies as st

from dedup._core import band_hashes, key_band_keys
from dedup.fingerprint import (
    CHAIN_OVER,
    CHAIN_WINDOW,
    FingerprintSettings,
    band_keys,
    char_shingle_hashes,
    char_shingles,
    key_lsh_pairs,
    key_pairs,
    lsh_bands,
    lsh_pairs,
    minhash_matrix,
    permutation_bytes,
    signatures,
)
from dedup.periods import key_hashes

# Arabic with diacritics and a lam-alef ligature, Latin with accents, an emoji (4 UTF-8 bytes).
ALPHABET = "abc éÉ اأبتثجحةى\u064e\u0640ﻻ😀 .،"


def _windows(key: str, size: int) -> list[bytes]:
    """Each window of `size` characters of a key, in order (the key when shorter), as UTF-8."""
    starts = range(max(len(key) - size + 1, min(len(key), 1)))
    return [key[i : i + size].encode("utf-8", "surrogatepass") for i in starts]


@given(st.lists(st.text(alphabet=ALPHABET + "\ud800", max_size=90), max_size=40), st.integers(1, 6))
@settings(max_examples=60, deadline=None)
def test_char_shingle_hashes_are_each_windows_xxh32_in_order(keys: list[str], size: int) -> None:
    hashes, first = char_shingle_hashes(keys, size)
    for i, key in enumerate(keys):
        assert hashes[first[i] : first[i + 1]].tolist() == [
            xxhash.xxh32_intdigest(w) for w in _windows(key, size)
        ]


@given(st.lists(st.text(alphabet=ALPHABET + "\ud800", max_size=40), max_size=20))
def test_key_hashes_are_each_keys_xxh3(keys: list[str]) -> None:
    assert key_hashes(keys) == [xxhash.xxh3_64_intdigest(k.encode("utf-8", "surrogatepass")) for k in keys]


@given(st.lists(st.text(alphabet=ALPHABET + "\ud800", max_size=60), max_size=20), st.integers(1, 6))
@settings(max_examples=60, deadline=None)
def test_key_band_keys_are_the_band_hashes_of_the_keys_signatures(keys: list[str], size: int) -> None:
    # The variant merges' one call: what the n-gram hashes, signatures and band keys give apart.
    settings_ = FingerprintSettings()
    count, rows = lsh_bands(0.7, settings_.num_perm)
    signed = minhash_matrix(*char_shingle_hashes(keys, size), settings_, range(count * rows))
    a, b = permutation_bytes(settings_, range(count * rows))
    made, ranks = key_band_keys(keys, size, a, b, rows)
    assert made == band_hashes(signed.astype("<u4").tobytes(), rows)
    assert np.frombuffer(ranks, "<u8").tolist() == key_hashes(keys)


def test_char_shingle_hashes_are_the_shingles_hashes() -> None:
    keys = ["شارك المقال مع أصدقائك", "share this story", "abc", "😀😀😀😀😀 ok", "ﻻ تفوتك"]
    hashes, first = char_shingle_hashes(keys, 4)
    for i, key in enumerate(keys):
        expected = {xxhash.xxh32_intdigest(s) for s in char_shingles(key, 4)}
        assert set(hashes[first[i] : first[i + 1]].tolist()) == expected


@pytest.mark.parametrize("num_perm", [128, 200, 16])
def test_minhash_matrix_equals_datasketch(num_perm: int) -> None:
    # The core signs 128 permutations at a time: more, fewer, and a band's share of them.
    rnd = random.Random(3)
    keys = ["".join(rnd.choice(ALPHABET) for _ in range(rnd.randint(5, 60))) for _ in range(200)]
    settings_ = FingerprintSettings(num_perm=num_perm)
    sigs = minhash_matrix(*char_shingle_hashes(keys, 4), settings_)
    reference = signatures([char_shingles(k, 4) for k in keys], settings_)
    for row, ref in zip(sigs, reference, strict=True):
        assert row.tolist() == ref.hashvalues.tolist()
    some = range(num_perm // 4, num_perm - 2)
    columns = minhash_matrix(*char_shingle_hashes(keys, 4), settings_, some)
    assert (columns == sigs[:, some.start : some.stop]).all()


def test_empty_set_signature_is_all_max() -> None:
    sigs = minhash_matrix(np.zeros(0, np.uint32), np.array([0, 0]), FingerprintSettings())
    assert (sigs == 0xFFFFFFFF).all()


def test_lsh_pairs_are_minhashlsh_candidates() -> None:
    base = "اقرأ أيضا: الحكومة تعلن عن خطة جديدة لدعم الشباب في المدن"
    rnd = random.Random(5)
    keys = [base[: rnd.randint(20, len(base))] + rnd.choice(["", " x", " جديد"]) for _ in range(60)]
    keys += ["share this story with your friends", "share this story with your friend", "unrelated line"]
    keys = sorted(set(keys))
    settings_ = FingerprintSettings()
    lsh = MinHashLSH(threshold=0.7, num_perm=settings_.num_perm)
    lean = signatures([char_shingles(k, 4) for k in keys], settings_)
    for i, sig in enumerate(lean):
        lsh.insert(i, sig)
    expected = {(i, j) for i, sig in enumerate(lean) for j in lsh.query(sig) if j > i}
    assert expected  # the near-identical variants are candidates
    bands = lsh_bands(0.7, settings_.num_perm)
    assert key_lsh_pairs(keys, 4, settings_, bands, chain_over=None) == expected
    hashes, first = char_shingle_hashes(keys, 4)
    sets = [hashes[first[i] : first[i + 1]] for i in range(len(keys))]
    assert lsh_pairs(sets, settings_, bands) == expected


@given(st.lists(st.sampled_from(["الحكومة", "تعلن", "a", "story", "é", "😀", "٣"]), max_size=30))
@settings(max_examples=100, deadline=None)
def test_key_shingles_are_the_word_ngrams_hashes(words: list[str]) -> None:
    from dedup.duplicates import keys_shingles

    grams = {" ".join(words[i : i + 5]) for i in range(max(1, len(words) - 4))} if words else set()
    expected = sorted({xxhash.xxh32_intdigest(g.encode("utf-8")) for g in grams})
    assert keys_shingles([[""], [" ".join(words)]], 5)[1].tolist() == expected


def test_lsh_pairs_in_batches_equal_band_pairs_of_all_signatures() -> None:
    rnd = random.Random(7)
    base = ["share this story with your friends today", "اقرأ أيضا الحكومة تعلن عن خطة جديدة"]
    keys = [rnd.choice(base)[: rnd.randint(15, 40)] + rnd.choice(["", " x", "!"]) for _ in range(80)]
    hashes, first = char_shingle_hashes(keys, 4)
    sets = np.split(hashes, first[1:-1])
    settings_ = FingerprintSettings()
    bands = lsh_bands(0.7, settings_.num_perm)
    expected = _unique_rows_pairs(minhash_matrix(hashes, first, settings_), bands[1])
    assert expected
    assert lsh_pairs(sets, settings_, bands) == expected
    assert lsh_pairs(sets, settings_, bands, batch=50) == expected  # many small batches
    # These few keys crowd their buckets: all their pairs (chain_over=None), to compare.
    assert key_lsh_pairs(keys, 4, settings_, bands, chain_over=None) == expected
    # read once, in batches
    assert key_lsh_pairs(iter(keys), 4, settings_, bands, batch=7, chain_over=None) == expected
    assert key_lsh_pairs(keys, 4, settings_, bands, batch=1, chain_over=None) == expected
    # A set alone (a page placed in stream mode) gets the band keys it gets among the others.
    table = band_keys(sets, settings_, bands)
    for i in (0, 1, len(sets) - 1):
        alone = band_keys([sets[i]], settings_, bands)
        assert alone.shape == (1, bands[0]) and (alone[0] == table[i]).all()
    empty = sets[0][:0]
    assert (band_keys([empty], settings_, bands)[0] == band_keys([empty, empty], settings_, bands)[0]).all()


def test_keys_read_as_lines_give_what_their_strings_give() -> None:
    # As `SingleShapes` keeps them: UTF-8 lines, a lone surrogate as "surrogatepass" writes it.
    rnd = random.Random(11)
    base = [
        "share this story with your friends today",
        "اقرأ أيضا الحكومة تعلن عن خطة 😀 جديدة",
        "تابعنا \ud800 على",
    ]
    keys = [rnd.choice(base)[: rnd.randint(10, 45)] + rnd.choice(["", " x", "!"]) for _ in range(90)]
    settings_ = FingerprintSettings()
    bands = lsh_bands(0.7, settings_.num_perm)
    expected = key_lsh_pairs(keys, 4, settings_, bands)
    assert expected

    def lines(keys: list[str]) -> bytes:
        return "".join(k + "\n" for k in keys).encode("utf-8", "surrogatepass")

    chunks = [lines(keys[i : i + 25]) for i in range(40, 90, 25)]
    assert key_lsh_pairs(keys[:40], 4, settings_, bands, batch=7, lines=chunks) == expected
    a, b = permutation_bytes(settings_, range(bands[0] * bands[1]))
    assert key_band_keys(lines(keys), 4, a, b, bands[1]) == key_band_keys(keys, 4, a, b, bands[1])
    assert key_band_keys(b"", 4, a, b, bands[1]) == (b"", b"")
    with pytest.raises(ValueError, match="line break"):
        key_band_keys(lines(keys)[:-1], 4, a, b, bands[1])


def test_crowded_lsh_buckets_give_chains_not_every_pair() -> None:
    # A page of short lines drawn from ten words: its variants crowd the same buckets.
    rnd = random.Random(3)
    ten = ["في", "من", "الخبر", "اليوم", "قال", "the", "news", "of", "today", "said"]
    keys = [" ".join(rnd.choices(ten, k=rnd.randint(3, 5))) for _ in range(3000)]
    settings_ = FingerprintSettings()
    bands = lsh_bands(0.7, settings_.num_perm)
    every = key_lsh_pairs(keys, 4, settings_, bands, chain_over=None)
    chained = key_lsh_pairs(keys, 4, settings_, bands)
    assert chained < every  # fewer pairs, each of them a candidate
    assert len(chained) <= len(keys) * bands[0] * (CHAIN_OVER - 1)
    linked = {i for pair in chained for i in pair}
    assert linked == {i for pair in every for i in pair}  # no key loses all its candidates


def test_chains_do_not_depend_on_the_order_keys_come_in() -> None:
    # Batch, stream and Spark see a site's lines in different orders: the same keys, the same pairs.
    # A "read also" line with a counter crowds its buckets, so its pairs are chains.
    rnd = random.Random(5)
    ten = ["في", "من", "الخبر", "اليوم", "قال", "the", "news", "of", "today", "said"]
    lines = (f"اقرأ أيضا {' '.join(rnd.choices(ten, k=2))} {rnd.randint(0, 999)}" for _ in range(3000))
    keys = list(dict.fromkeys(lines))
    settings_ = FingerprintSettings()
    bands = lsh_bands(0.7, settings_.num_perm)
    shuffled = keys[:]
    rnd.shuffle(shuffled)

    def key_sets(ks: list[str]) -> set[frozenset[str]]:
        return {frozenset((ks[i], ks[j])) for i, j in key_lsh_pairs(ks, 4, settings_, bands)}

    assert key_sets(keys) == key_sets(shuffled)


def _unique_rows_pairs(sigs: np.ndarray, rows: int) -> set[tuple[int, int]]:
    """band_pairs as np.unique on the rows' bytes finds them, one band at a time."""
    pairs = set()
    for band in range(sigs.shape[1] // rows):
        part = np.ascontiguousarray(sigs[:, band * rows : (band + 1) * rows])
        _, group = np.unique(part.view(np.dtype((np.void, 4 * rows))).ravel(), return_inverse=True)
        group = group.ravel()
        pairs |= {(i, j) for i in range(len(part)) for j in range(i + 1, len(part)) if group[i] == group[j]}
    return pairs


def _mixed(sigs: np.ndarray, rows: int, multiplier: int = 0x9E3779B97F4A7C15) -> np.ndarray:
    """The band keys `band_hashes` makes, in numpy: each band's values mixed in turn."""
    part = sigs.reshape(len(sigs), -1, rows)
    mixed = np.zeros(part.shape[:-1], np.uint64)
    with np.errstate(over="ignore"):
        for r in range(rows):
            mixed = mixed * np.uint64(multiplier) + part[..., r].astype(np.uint64)
            mixed ^= mixed >> np.uint64(29)
    return mixed


def test_band_hashes_mix_each_band_as_stated() -> None:
    rnd = np.random.default_rng(11)
    for rows in (1, 3, 8):
        sigs = rnd.integers(0, 1 << 32, (50, 4 * rows), dtype=np.uint32)
        sigs[0] = 0xFFFFFFFF  # an empty set's signature
        made = np.frombuffer(band_hashes(sigs.astype("<u4").tobytes(), rows), "<u8").reshape(50, 4)
        assert (made == _mixed(sigs, rows)).all()
    with pytest.raises(ValueError, match="whole bands"):
        band_hashes(b"\0" * 12, 2)


def test_a_band_key_collision_only_adds_candidates() -> None:
    rnd = np.random.default_rng(3)
    sigs = rnd.integers(0, 4, (60, 6), dtype=np.uint32)  # few values: many equal bands
    exact = _unique_rows_pairs(sigs, 3)
    assert exact
    table = np.frombuffer(band_hashes(sigs.astype("<u4").tobytes(), 3), "<u8").reshape(60, 2)
    assert set().union(*(key_pairs(table[:, b]) for b in range(2))) == exact
    # With no mixing, rows that differ before their last value share a key: more pairs, none lost.
    table = _mixed(sigs, 3, multiplier=0)
    assert set().union(*(key_pairs(table[:, b]) for b in range(2))) > exact


def test_permutations_and_bands_are_datasketchs() -> None:
    from datasketch import MinHash

    from dedup.fingerprint import _KNOWN_BANDS, _permutations

    for num_perm, seed in ((128, 1), (64, 7), (16, 0)):
        a, b = MinHash(num_perm=num_perm, seed=seed, scheme="affine32").permutations
        mine = _permutations(num_perm, seed)
        assert mine[0].tolist() == a.tolist() and mine[1].tolist() == b.tolist()
    for (threshold, num_perm), bands in _KNOWN_BANDS.items():
        lsh = MinHashLSH(threshold=threshold, num_perm=num_perm)
        assert (lsh.b, lsh.r) == bands
    other = MinHashLSH(threshold=0.6, num_perm=64)
    assert lsh_bands(0.6, 64) == (other.b, other.r)  # not in the table: datasketch picks them


def _python_key_pairs(
    keys: np.ndarray, chain_over: int | None, rank: np.ndarray | None
) -> set[tuple[int, int]]:
    """`key_pairs` stated in numpy: the rows of each key, by rank then row, paired within reach."""
    _, group, sizes = np.unique(keys, return_inverse=True, return_counts=True)
    group = group.ravel()
    shared = np.flatnonzero(sizes[group] > 1)
    order = np.lexsort((shared if rank is None else rank[shared], group[shared]))
    rows, groups = shared[order], group[shared][order]
    pairs: set[tuple[int, int]] = set()
    for members in np.split(rows, np.flatnonzero(np.diff(groups)) + 1):
        ms = members.tolist()
        reach = CHAIN_WINDOW if chain_over is not None and len(ms) > chain_over else len(ms)
        pairs.update(
            (min(ms[x], ms[y]), max(ms[x], ms[y]))
            for x in range(len(ms))
            for y in range(x + 1, min(x + 1 + reach, len(ms)))
        )
    return pairs


@settings(max_examples=300)
@given(
    st.lists(st.integers(0, 5), max_size=40),
    st.one_of(st.none(), st.integers(1, 6)),
    st.one_of(st.none(), st.lists(st.integers(0, 2**64 - 1) | st.integers(0, 3), min_size=40, max_size=40)),
)
def test_key_pairs_are_those_stated(keys: list[int], chain_over: int | None, rank: list[int] | None) -> None:
    # Few distinct keys and ranks: crowded buckets, and ranks that tie.
    table = np.array([k * 0x9E3779B97F4A7C15 % 2**64 for k in keys], np.uint64)
    ranks = None if rank is None else np.array(rank[: len(keys)], np.uint64)
    assert key_pairs(table, chain_over, ranks) == _python_key_pairs(table, chain_over, ranks)
