//! The shingles of keys: the word shingles of pages given as their lines' keys
//! (`dedup.duplicates.keys_shingles`), and the character shingles of keys (`dedup.fingerprint`).

use memchr::memchr_iter;
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyString};
use xxhash_rust::xxh3::{Xxh3, xxh3_64};
use xxhash_rust::xxh32::xxh32;

use crate::segment::{BMP, CharTable, REGEX_DIGIT, block_field, field};

/// For each page (a sequence of normalized keys, one space between words), the sorted, distinct
/// xxh32 hashes (seed 0) of its keys' UTF-8 word n-grams of `size` words (a key's whole text when
/// it is shorter), as little-endian u32 bytes. A line break inside a key ends its n-grams, as
/// between two keys; an empty key has none. The GIL is released while they are hashed.
#[pyfunction]
pub fn word_shingles<'py>(
    py: Python<'py>,
    pages: &Bound<'py, PyAny>,
    size: usize,
) -> PyResult<Vec<Bound<'py, PyBytes>>> {
    if size == 0 {
        return Err(PyValueError::new_err("a shingle holds 1 word or more"));
    }
    let mut keys: Vec<Vec<Vec<u8>>> = Vec::new();
    for page in pages.try_iter()? {
        let mut page_keys = Vec::new();
        for key in page?.try_iter()? {
            let key = key?;
            let bytes = crate::utf8(key.cast::<PyString>()?)?;
            if !bytes.is_empty() {
                page_keys.push(bytes.into_owned());
            }
        }
        keys.push(page_keys);
    }
    let hashed: Vec<Vec<u8>> = py.detach(|| {
        keys.iter()
            .map(|page| {
                page_shingles(page, size)
                    .iter()
                    .flat_map(|h| h.to_le_bytes())
                    .collect()
            })
            .collect()
    });
    Ok(hashed.iter().map(|bytes| PyBytes::new(py, bytes)).collect())
}

/// `word_shingles` of one page's non-empty keys.
pub(crate) fn page_shingles<K: AsRef<[u8]>>(keys: &[K], size: usize) -> Vec<u32> {
    let mut hashes = Vec::new();
    for key in keys {
        let key = key.as_ref();
        let mut from = 0;
        for end in memchr_iter(b'\n', key).chain([key.len()]) {
            gram_hashes(&key[from..end], size, &mut hashes);
            from = end + 1;
        }
    }
    hashes.sort_unstable();
    hashes.dedup();
    hashes
}

/// The xxh32 hashes (seed 0) of every key's UTF-8 character n-grams of `size` characters (the key
/// itself when shorter; none for an empty key), in order, as little-endian u32 bytes; and how many
/// each key has, as little-endian i64 bytes. A lone surrogate is a character of three bytes (as
/// Python's "surrogatepass" encodes it). The GIL is released while they are hashed.
#[pyfunction]
pub fn char_shingles<'py>(
    py: Python<'py>,
    keys: Vec<Bound<'py, PyString>>,
    size: usize,
) -> PyResult<(Bound<'py, PyBytes>, Bound<'py, PyBytes>)> {
    if size == 0 {
        return Err(PyValueError::new_err("a shingle holds 1 character or more"));
    }
    let keys = keys.iter().map(crate::utf8).collect::<PyResult<Vec<_>>>()?;
    let (hashes, counts) = py.detach(|| {
        let (mut hashes, mut counts) = (Vec::new(), Vec::with_capacity(8 * keys.len()));
        for key in &keys {
            let before = hashes.len();
            char_gram_hashes(key, size, &mut hashes);
            counts.extend(((hashes.len() - before) as i64).to_le_bytes());
        }
        (hashes, counts)
    });
    Ok((crate::le_bytes(py, &hashes)?, PyBytes::new(py, &counts)))
}

/// The xxh3 64-bit hash (seed 0) of every key's UTF-8 ("surrogatepass"), as little-endian u64
/// bytes.
#[pyfunction]
pub fn key_hashes<'py>(
    py: Python<'py>,
    keys: Vec<Bound<'py, PyString>>,
) -> PyResult<Bound<'py, PyBytes>> {
    let mut hashes = Vec::with_capacity(8 * keys.len());
    for key in &keys {
        hashes.extend(xxh3_64(&crate::utf8(key)?).to_le_bytes());
    }
    Ok(PyBytes::new(py, &hashes))
}

/// The xxh3 64-bit hash (seed 0) of every key's UTF-8 (`dedup.fingerprint.exact_hash`), and of
/// the key with each run of digits (`\d`) as one `0` (`dedup.normalize.mask_digits`), as
/// little-endian u64 bytes each; None where a key holds a lone surrogate or a character past the
/// BMP, which the table does not class.
#[pyfunction]
pub fn exact_hashes<'py>(
    py: Python<'py>,
    table: PyRef<'_, CharTable>,
    keys: Vec<Bound<'py, PyString>>,
) -> PyResult<Option<(Bound<'py, PyBytes>, Bound<'py, PyBytes>)>> {
    let (mut exact, mut masked) = (
        Vec::with_capacity(8 * keys.len()),
        Vec::with_capacity(8 * keys.len()),
    );
    let mut mask = String::new();
    for key in &keys {
        let Ok(key) = key.to_str() else {
            return Ok(None); // a lone surrogate
        };
        let Some((hash, masked_hash)) = exact_hash_pair(&table, key, &mut mask) else {
            return Ok(None);
        };
        exact.extend(hash.to_le_bytes());
        masked.extend(masked_hash.to_le_bytes());
    }
    Ok(Some((PyBytes::new(py, &exact), PyBytes::new(py, &masked))))
}

/// `exact_hashes` of a page's key made of its blocks' keys (`dedup.page.Block`s), one space
/// between (`dedup.keys.segmented_page_key`), without the key made; None where a block's key
/// holds a lone surrogate or a character past the BMP.
#[pyfunction]
pub fn block_key_hashes(
    table: PyRef<'_, CharTable>,
    blocks: Vec<Bound<'_, PyAny>>,
) -> PyResult<Option<(u64, u64)>> {
    let keys = blocks
        .iter()
        .map(|block| {
            Ok(block_field(block, field::KEY)?
                .cast::<PyString>()?
                .to_owned())
        })
        .collect::<PyResult<Vec<_>>>()?;
    let Ok(keys) = keys
        .iter()
        .map(|key| key.to_str())
        .collect::<PyResult<Vec<_>>>()
    else {
        return Ok(None); // a lone surrogate
    };
    Ok(joined_key_hashes(
        &table,
        keys.into_iter().map(|key| (key, true)),
    ))
}

/// `exact_hashes` of the keys joined by one space, without the joined key made; None where a key
/// holds a character past the BMP. Each key comes with whether it may hold a digit: one that holds
/// none (its shape is itself, say) is its own mask, and is not read a character at a time.
pub(crate) fn joined_key_hashes<'k>(
    table: &CharTable,
    keys: impl IntoIterator<Item = (&'k str, bool)>,
) -> Option<(u64, u64)> {
    let (mut exact, mut masked) = (Xxh3::new(), Xxh3::new());
    let mut digits = false; // inside a run of digits, which the masked key holds as one `0`
    for (k, (key, may_hold_digits)) in keys.into_iter().enumerate() {
        if k > 0 {
            exact.update(b" ");
            masked.update(b" ");
            digits = false;
        }
        exact.update(key.as_bytes());
        if !may_hold_digits {
            // A character past the BMP takes four bytes in UTF-8, the first of them 0xF0 or more.
            if key.bytes().any(|b| b >= 0xF0) {
                return None;
            }
            masked.update(key.as_bytes());
            continue;
        }
        let mut copied = 0; // the bytes of `key` before this are in `masked`
        for (i, c) in key.char_indices() {
            if c as usize >= BMP {
                return None;
            }
            if !table.is(c, REGEX_DIGIT) {
                digits = false;
                continue;
            }
            masked.update(&key.as_bytes()[copied..i]);
            if !digits {
                masked.update(b"0");
                digits = true;
            }
            copied = i + c.len_utf8();
        }
        masked.update(&key.as_bytes()[copied..]);
    }
    Some((exact.digest(), masked.digest()))
}

/// `exact_hashes` of one key (`mask`: room to mask its digits in); None for a key with a
/// character past the BMP.
pub(crate) fn exact_hash_pair(
    table: &CharTable,
    key: &str,
    mask: &mut String,
) -> Option<(u64, u64)> {
    let hash = xxh3_64(key.as_bytes());
    mask.clear();
    let mut copied = 0; // the bytes of `key` before this are in `mask`
    let mut digits = false; // inside a run of digits
    for (i, c) in key.char_indices() {
        if c as usize >= BMP {
            return None;
        }
        if !table.is(c, REGEX_DIGIT) {
            digits = false;
            continue;
        }
        // The text since the last digit goes over as it is, each run of digits as one `0`.
        mask.push_str(&key[copied..i]);
        if !digits {
            mask.push('0');
            digits = true;
        }
        copied = i + c.len_utf8();
    }
    if copied == 0 {
        return Some((hash, hash)); // no digit: the key is its own mask
    }
    mask.push_str(&key[copied..]);
    Some((hash, xxh3_64(mask.as_bytes())))
}

/// The hashes of a key's character n-grams: from each character, the bytes of `size` characters
/// (fewer at the key's end), as long as a whole n-gram fits, and one for a shorter key.
pub(crate) fn char_gram_hashes(key: &[u8], size: usize, out: &mut Vec<u32>) {
    if key.is_ascii() {
        // A character a byte: the n-grams are the byte windows, none looked for.
        let size = size.min(key.len()).max(1);
        out.extend(key.windows(size).map(|gram| xxh32(gram, 0)));
        return;
    }
    // Where each character starts: a byte that does not continue one.
    let mut starts: Vec<usize> = (0..key.len()).filter(|&i| key[i] & 0xC0 != 0x80).collect();
    let chars = starts.len();
    starts.push(key.len());
    if chars == 0 {
        return;
    }
    for first in 0..chars.saturating_sub(size - 1).max(1) {
        out.push(xxh32(
            &key[starts[first]..starts[(first + size).min(chars)]],
            0,
        ));
    }
}

/// The hashes of a key's word n-grams: from each word, the bytes up to the end of the word
/// `size` - 1 words on (or the key's last), as long as a whole n-gram fits, and at least one.
fn gram_hashes(key: &[u8], size: usize, out: &mut Vec<u32>) {
    // Where each word ends (at a space, or the key's end), found in one pass.
    let ends: Vec<usize> = memchr_iter(b' ', key).chain([key.len()]).collect();
    let size = size.clamp(1, ends.len());
    let mut start = 0;
    for first in 0..=ends.len() - size {
        out.push(xxh32(&key[start..ends[first + size - 1]], 0));
        start = ends[first] + 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with(grams: fn(&[u8], usize, &mut Vec<u32>), key: &str, size: usize) -> Vec<u32> {
        let mut out = Vec::new();
        grams(key.as_bytes(), size, &mut out);
        out
    }

    fn hashes(key: &str, size: usize) -> Vec<u32> {
        with(gram_hashes, key, size)
    }

    #[test]
    fn a_key_shorter_than_a_shingle_is_one_shingle() {
        assert_eq!(hashes("two words", 5), vec![xxh32(b"two words", 0)]);
        assert_eq!(hashes("", 5), vec![xxh32(b"", 0)]);
    }

    #[test]
    fn hashes_of_known_inputs() {
        assert_eq!(xxh32(b"", 0), 0x02CC_5D05);
        assert_eq!(xxh32(b"a", 0), 0x550D_7456);
        assert_eq!(xxh3_64(b""), 0x2D06_8005_38D3_94C2);
    }

    fn char_hashes(key: &str, size: usize) -> Vec<u32> {
        with(char_gram_hashes, key, size)
    }

    /// The xxh32 of each n-gram's UTF-8.
    fn xxh32s(grams: &[&str]) -> Vec<u32> {
        grams.iter().map(|g| xxh32(g.as_bytes(), 0)).collect()
    }

    #[test]
    fn character_shingles_run_character_by_character() {
        assert_eq!(char_hashes("قال ا", 3), xxh32s(&["قال", "ال ", "ل ا"]));
        assert_eq!(char_hashes("ab", 3), vec![xxh32(b"ab", 0)]);
        assert!(char_hashes("", 3).is_empty());
    }

    #[test]
    fn shingles_run_word_by_word() {
        assert_eq!(hashes("a bb c dd", 3), xxh32s(&["a bb c", "bb c dd"]));
    }

    #[test]
    fn every_space_parts_words_even_beside_another() {
        assert_eq!(hashes(" a  b", 2), xxh32s(&[" a", "a ", " b"]));
        assert_eq!(hashes("a b", 1), xxh32s(&["a", "b"]));
        assert_eq!(hashes("a ", 1), xxh32s(&["a", ""]));
    }
}
