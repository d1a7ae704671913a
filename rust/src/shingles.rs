//! The word shingles of pages given as their lines' keys (`dedup.duplicates.keys_shingles`).

use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyString};
use xxhash_rust::xxh32::xxh32;

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
                let mut hashes = Vec::new();
                for key in page {
                    for part in key.split(|&b| b == b'\n') {
                        gram_hashes(part, size, &mut hashes);
                    }
                }
                hashes.sort_unstable();
                hashes.dedup();
                hashes.iter().flat_map(|h| h.to_le_bytes()).collect()
            })
            .collect()
    });
    Ok(hashed.iter().map(|bytes| PyBytes::new(py, bytes)).collect())
}

/// The hashes of a key's word n-grams: from each word, the bytes up to the end of the word
/// `size` - 1 words on (or the key's last), as long as a whole n-gram fits, and at least one.
fn gram_hashes(key: &[u8], size: usize, out: &mut Vec<u32>) {
    let mut starts = vec![0];
    let mut ends = Vec::new();
    for (i, &b) in key.iter().enumerate() {
        if b == b' ' {
            ends.push(i);
            starts.push(i + 1);
        }
    }
    ends.push(key.len());
    let words = starts.len();
    for first in 0..words.saturating_sub(size - 1).max(1) {
        let last = (first + size - 1).min(words - 1);
        out.push(xxh32(&key[starts[first]..ends[last]], 0));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hashes(key: &str, size: usize) -> Vec<u32> {
        let mut out = Vec::new();
        gram_hashes(key.as_bytes(), size, &mut out);
        out
    }

    #[test]
    fn a_key_shorter_than_a_shingle_is_one_shingle() {
        assert_eq!(hashes("two words", 5), vec![xxh32(b"two words", 0)]);
        assert_eq!(hashes("", 5), vec![xxh32(b"", 0)]);
    }

    #[test]
    fn shingles_run_word_by_word() {
        let expected: Vec<u32> = ["a bb c", "bb c dd"]
            .iter()
            .map(|g| xxh32(g.as_bytes(), 0))
            .collect();
        assert_eq!(hashes("a bb c dd", 3), expected);
    }
}
