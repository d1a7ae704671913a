//! The LSH of the variant merges and the duplicate groups: each band's key of a signature, and
//! the candidate pairs of the rows that share one.

use foldhash::fast::RandomState;
use hashbrown::HashMap;
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PySet, PyString};
use xxhash_rust::xxh3::xxh3_64;

use crate::shingles::char_gram_hashes;
use crate::{from_le, signatures, u32s};

/// Mixes a band's values into its hash (`band_hash`).
const BAND_MULTIPLIER: u64 = 0x9E37_79B9_7F4A_7C15;

/// A 64-bit hash of every run of `rows` consecutive values of `signed` (u32, little-endian): the
/// LSH band keys of signatures laid out row after row (`minhash`), as little-endian u64 bytes.
/// The GIL is released while they are made.
#[pyfunction]
pub fn band_hashes<'py>(
    py: Python<'py>,
    signed: &[u8],
    rows: usize,
) -> PyResult<Bound<'py, PyBytes>> {
    if rows == 0 || signed.len() % (4 * rows) != 0 {
        return Err(PyValueError::new_err(
            "the signatures must be whole bands of rows u32 values",
        ));
    }
    let values = u32s(signed);
    let bytes: Vec<u8> = py.detach(|| {
        values
            .chunks_exact(rows)
            .flat_map(|band| band_hash(band).to_le_bytes())
            .collect()
    });
    Ok(PyBytes::new(py, &bytes))
}

/// A batch of keys: Python strings, or their UTF-8 lines (surrogates as `surrogatepass` writes
/// them), each ending with a line break.
#[derive(FromPyObject)]
pub enum Keys<'py> {
    Lines(Bound<'py, PyBytes>),
    Strings(Vec<Bound<'py, PyString>>),
}

/// What the variant merges' LSH makes of a batch of keys, in one call: the band keys
/// (`band_hashes`, `rows` values a band) of the `minhash` signatures (`a`, `b`: the affine
/// permutations, u32) of each key's character n-grams (`char_shingles` of `size`), a row of bands
/// a key; and each key's `key_hashes`. Little-endian u64 bytes; the GIL is released while they
/// are made.
#[pyfunction]
pub fn key_band_keys<'py>(
    py: Python<'py>,
    keys: Keys<'py>,
    size: usize,
    a: &[u8],
    b: &[u8],
    rows: usize,
) -> PyResult<(Bound<'py, PyBytes>, Bound<'py, PyBytes>)> {
    let (a, b) = (u32s(a), u32s(b));
    if size == 0 || rows == 0 || a.len() != b.len() || a.len() % rows != 0 {
        return Err(PyValueError::new_err(
            "n-grams of 1 character or more, and permutations of whole bands of rows",
        ));
    }
    let strings;
    let keys: Vec<&[u8]> = match &keys {
        Keys::Strings(keys) => {
            strings = keys.iter().map(crate::utf8).collect::<PyResult<Vec<_>>>()?;
            strings.iter().map(|key| key.as_ref()).collect()
        }
        Keys::Lines(lines) => match lines.as_bytes().strip_suffix(b"\n") {
            Some(lines) => lines.split(|&b| b == b'\n').collect(),
            None if lines.as_bytes().is_empty() => Vec::new(),
            None => return Err(PyValueError::new_err("each line ends with a line break")),
        },
    };
    let (bands, ranks): (Vec<u8>, Vec<u8>) = py.detach(|| {
        let (mut hashes, mut first) = (Vec::new(), Vec::with_capacity(keys.len() + 1));
        first.push(0);
        for key in &keys {
            char_gram_hashes(key, size, &mut hashes);
            first.push(hashes.len());
        }
        let signed = signatures(&hashes, &first, &a, &b);
        let bands = signed
            .chunks_exact(rows)
            .flat_map(|band| band_hash(band).to_le_bytes())
            .collect();
        let ranks = keys
            .iter()
            .flat_map(|key| xxh3_64(key).to_le_bytes())
            .collect();
        (bands, ranks)
    });
    Ok((PyBytes::new(py, &bands), PyBytes::new(py, &ranks)))
}

/// A band's values mixed into one hash, each in turn: h = h * BAND_MULTIPLIER + v, then h ^= h >> 29
/// (wrapping, from h = 0).
fn band_hash(band: &[u32]) -> u64 {
    band.iter().fold(0, |h: u64, &v| {
        let h = h.wrapping_mul(BAND_MULTIPLIER).wrapping_add(u64::from(v));
        h ^ (h >> 29)
    })
}

/// Pairs (i < j) of the rows whose key is the same (`dedup.fingerprint.key_pairs`: `keys`, one
/// band's key of each row, u64). A group of more than `chain_over` rows gives only each row and
/// the next `window` rows, in the order of `rank` (each row's, u64; the rows' own order where
/// none, or where two ranks are equal). Little-endian bytes in; the GIL is released while the
/// rows are grouped.
#[pyfunction]
#[pyo3(signature = (keys, chain_over, window, rank=None))]
pub fn key_pairs<'py>(
    py: Python<'py>,
    keys: &[u8],
    chain_over: Option<usize>,
    window: usize,
    rank: Option<&[u8]>,
) -> PyResult<Bound<'py, PySet>> {
    let keys = from_le(keys, u64::from_le_bytes);
    let rank = rank.map(|r| from_le(r, u64::from_le_bytes));
    if rank.as_ref().is_some_and(|r| r.len() != keys.len()) {
        return Err(PyValueError::new_err("a rank for every key"));
    }
    let pairs = py.detach(|| grouped_pairs(&keys, chain_over, window, rank.as_deref()));
    PySet::new(py, pairs)
}

/// The pairs of `key_pairs`. Most keys are one row's: one pass over a hash table groups the rows,
/// and only the rows of a shared key are sorted, by rank, then row.
fn grouped_pairs(
    keys: &[u64],
    chain_over: Option<usize>,
    window: usize,
    rank: Option<&[u64]>,
) -> Vec<(usize, usize)> {
    // Each key's last row, and each row's earlier row of the same key (or NONE): a chain a key.
    const NONE: usize = usize::MAX;
    let mut last: HashMap<u64, usize, RandomState> =
        HashMap::with_capacity_and_hasher(keys.len(), RandomState::default());
    let mut earlier = vec![NONE; keys.len()];
    for (row, &key) in keys.iter().enumerate() {
        if let Some(before) = last.insert(key, row) {
            earlier[row] = before;
        }
    }
    let rank_of = |row: usize| rank.map_or(0, |r| r[row]);
    let mut pairs = Vec::new();
    let mut group = Vec::new();
    for &row in last.values() {
        if earlier[row] == NONE {
            continue; // a key of one row
        }
        group.clear();
        let mut at = row;
        while at != NONE {
            group.push(at);
            at = earlier[at];
        }
        group.sort_unstable_by_key(|&row| (rank_of(row), row));
        let reach = if chain_over.is_some_and(|most| group.len() > most) {
            window
        } else {
            group.len()
        };
        for (x, &a) in group.iter().enumerate() {
            for &b in &group[x + 1..group.len().min(x + 1 + reach)] {
                pairs.push((a.min(b), a.max(b)));
            }
        }
    }
    pairs
}

/// How many values two sorted arrays of distinct u32 share (little-endian bytes): the shingles two
/// articles have in common (`dedup.duplicates.similarity`), in one pass over both.
#[pyfunction]
pub fn shared_count(a: &[u8], b: &[u8]) -> PyResult<usize> {
    if a.len() % 4 != 0 || b.len() % 4 != 0 {
        return Err(PyValueError::new_err("u32 values, 4 bytes each"));
    }
    Ok(shared(&u32s(a), &u32s(b)))
}

/// How many values two sorted slices of distinct values share (`shared_count`, and the variant
/// merges' Jaccard), in one pass over both.
pub(crate) fn shared<T: Ord>(a: &[T], b: &[T]) -> usize {
    let (mut i, mut j, mut count) = (0, 0, 0);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => (i, j, count) = (i + 1, j + 1, count + 1),
        }
    }
    count
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_crowded_group_gives_chains_in_rank_order() {
        // Rows 0, 2, 3 and 4 share a key; ranked 4, 2, 3, 0 they chain as 4-2-3-0.
        let keys = [7, 1, 7, 7, 7];
        let rank = [9, 0, 3, 5, 1];
        let mut chained = grouped_pairs(&keys, Some(3), 1, Some(&rank));
        chained.sort_unstable();
        assert_eq!(chained, vec![(0, 3), (2, 3), (2, 4)]);
        let all = grouped_pairs(&keys, None, 1, None);
        assert_eq!(all.len(), 6);
    }

    #[test]
    fn shared_values_are_counted_once_each() {
        assert_eq!(shared(&[1, 3, 5, 9], &[2, 3, 9, 10, 11]), 2);
        assert_eq!(shared(&[], &[1]), 0);
        assert_eq!(shared(&[4], &[4]), 1);
    }

    #[test]
    fn a_band_hash_mixes_its_rows_in_turn() {
        assert_eq!(band_hash(&[]), 0);
        assert_eq!(band_hash(&[1]), 1);
        assert_ne!(band_hash(&[1, 2]), band_hash(&[2, 1]));
    }
}
