//! dedup's per-page kernels, the extension module `dedup._core`: what grows with a page's size,
//! in one linear pass, without the GIL while it computes.

use std::borrow::Cow;
use std::hash::BuildHasher;

use foldhash::fast::RandomState;
use hashbrown::HashTable;
use pyo3::exceptions::{PyOverflowError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyString};

/// Words per shingle: the unit a copy is found by, which its stretch then extends.
const GRAM: usize = 5;

// The core's many small vectors (a page's blocks, words, keys) are made and freed page after page:
// mimalloc does that faster than the system's allocator. Its thread-local storage is the kind a
// library loaded by `dlopen` (an import) can always get.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

mod fold;
mod headline;
mod islands;
mod learning;
mod lsh;
mod made;
mod repeats;
mod segment;
mod shingles;
mod site;
mod spans;
mod stars;
mod texts;
mod variants;
mod widgets;
mod words;

#[pymodule]
mod _core {
    #[pymodule_export]
    use super::fold::{FoldTable, fold, fold_first, nfkc_by_char};
    #[pymodule_export]
    use super::headline::{said_again, slug_lines, unquoted};
    #[pymodule_export]
    use super::islands::{headline_runs, island_runs};
    #[pymodule_export]
    use super::learning::{edge_counts, folded_learning_features, learning_features};
    #[pymodule_export]
    use super::lsh::{band_hashes, key_band_keys, key_pairs, shared_count};
    #[pymodule_export]
    use super::minhash;
    #[pymodule_export]
    use super::repeated_stretches;
    #[pymodule_export]
    use super::repeats::{folded_page_copies, page_copies};
    #[pymodule_export]
    use super::segment::{
        CharTable, folded_line_shingles, gram_counts, gram_hashes, hashed_segment, line_keys,
        line_shingles, segment, slotted_words,
    };
    #[pymodule_export]
    use super::shingles::{
        block_key_hashes, char_shingles, exact_hashes, key_hashes, word_shingles,
    };
    #[pymodule_export]
    use super::site::{SiteNeeds, furniture_runs, site_verdicts};
    #[pymodule_export]
    use super::spans::{blocks_left, left_within, merged_removals, removed_kinds, words_outside};
    #[pymodule_export]
    use super::stars::{Stars, star_groups};
    #[pymodule_export]
    use super::texts::block_texts;
    #[pymodule_export]
    use super::utf8_size;
    #[pymodule_export]
    use super::variants::variant_clusters;
    #[pymodule_export]
    use super::widgets::{WidgetTable, match_widgets, widget_decisions};
    #[pymodule_export]
    use super::words::folded_words;
}

/// The values of little-endian bytes, N bytes a value (`u32::from_le_bytes`, `i64::from_le_bytes`).
pub(crate) fn from_le<const N: usize, T>(bytes: &[u8], value: fn([u8; N]) -> T) -> Vec<T> {
    bytes
        .chunks_exact(N)
        .map(|c| value(c.try_into().expect("N bytes")))
        .collect()
}

fn i64s(bytes: &[u8]) -> Vec<i64> {
    from_le(bytes, i64::from_le_bytes)
}

/// The MinHash signature of every set of 32-bit hashes, datasketch's affine32 scheme: row i is
/// the minimum of `(fmix32(h) * a[k] + b[k]) mod 2**32` over the hashes h of set i, for each
/// permutation k (all 2**32-1 for an empty set).
///
/// Arguments and result are little-endian bytes: `hashes` (u32), `first` (i64: where each set
/// starts, and the end), `a` and `b` (u32); the signatures row after row (u32). The GIL is
/// released while they are computed.
#[pyfunction]
fn minhash<'py>(
    py: Python<'py>,
    hashes: &[u8],
    first: &[u8],
    a: &[u8],
    b: &[u8],
) -> PyResult<Bound<'py, PyBytes>> {
    let (hashes, a, b) = (u32s(hashes), u32s(a), u32s(b));
    let first: Vec<usize> = i64s(first)
        .into_iter()
        .map(usize::try_from)
        .collect::<Result<_, _>>()
        .map_err(|_| PyValueError::new_err("a set starts before 0"))?;
    if a.len() != b.len() {
        return Err(PyValueError::new_err("a and b differ in length"));
    }
    if first.windows(2).any(|w| w[0] > w[1]) || first.last().is_some_and(|&end| end > hashes.len())
    {
        return Err(PyValueError::new_err(
            "sets must follow each other within the hashes",
        ));
    }
    let signatures = py.detach(|| signatures(&hashes, &first, &a, &b));
    le_bytes(py, &signatures)
}

/// u32 values as Python bytes, little-endian, written where the bytes object holds them.
pub(crate) fn le_bytes<'py>(py: Python<'py>, values: &[u32]) -> PyResult<Bound<'py, PyBytes>> {
    PyBytes::new_with(py, 4 * values.len(), |bytes| {
        for (to, value) in bytes.chunks_exact_mut(4).zip(values) {
            to.copy_from_slice(&value.to_le_bytes());
        }
        Ok(())
    })
}

pub(crate) fn u32s(bytes: &[u8]) -> Vec<u32> {
    from_le(bytes, u32::from_le_bytes)
}

/// A string's code points, lone surrogates as they are, copied out of it at once (no UTF-8 or
/// UTF-32 bytes made on the way).
pub(crate) fn code_points(text: &Bound<'_, PyString>) -> PyResult<Vec<u32>> {
    let py = text.py();
    // SAFETY: `text` is a str; the buffer holds its length in code points, which PyUnicode_AsUCS4
    // fills (without a closing NUL) before the length is set.
    unsafe {
        let length = pyo3::ffi::PyUnicode_GetLength(text.as_ptr());
        let length = usize::try_from(length).map_err(|_| PyErr::fetch(py))?;
        let mut codes: Vec<u32> = Vec::with_capacity(length.max(1));
        let filled = pyo3::ffi::PyUnicode_AsUCS4(
            text.as_ptr(),
            codes.as_mut_ptr(),
            length.max(1) as isize,
            0,
        );
        if filled.is_null() {
            return Err(PyErr::fetch(py));
        }
        codes.set_len(length);
        Ok(codes)
    }
}

/// Characters a text's size in UTF-8 is summed over at a time (`utf8_size`): a huge page is not
/// copied whole.
const SIZE_CHUNK: usize = 1 << 16;

/// The text's size in UTF-8 bytes, a lone surrogate counted as three ("surrogatepass" writes
/// it so), without the bytes made.
#[pyfunction]
fn utf8_size(text: &Bound<'_, PyString>) -> PyResult<usize> {
    let length = text.len()?;
    let mut size = 0;
    for start in (0..length).step_by(SIZE_CHUNK) {
        let codes = code_points_between(text, start, length.min(start + SIZE_CHUNK))?;
        size += codes
            .iter()
            .map(|&c| {
                1 + usize::from(c >= 0x80) + usize::from(c >= 0x800) + usize::from(c >= 0x10000)
            })
            .sum::<usize>();
    }
    Ok(size)
}

/// The code points of text[start:end] (a str's indices), only those copied.
pub(crate) fn code_points_between(
    text: &Bound<'_, PyString>,
    start: usize,
    end: usize,
) -> PyResult<Vec<u32>> {
    code_points(&substring(text, start, end)?)
}

/// text[start:end], a str's indices.
pub(crate) fn substring<'py>(
    text: &Bound<'py, PyString>,
    start: usize,
    end: usize,
) -> PyResult<Bound<'py, PyString>> {
    let py = text.py();
    let (start, end) = (
        isize::try_from(start).map_err(|_| PyOverflowError::new_err("a span too long"))?,
        isize::try_from(end).map_err(|_| PyOverflowError::new_err("a span too long"))?,
    );
    // SAFETY: `text` is a str; PyUnicode_Substring returns a new str (or NULL with an error set).
    unsafe {
        Ok(Bound::from_owned_ptr_or_err(
            py,
            pyo3::ffi::PyUnicode_Substring(text.as_ptr(), start, end),
        )?
        .cast_into_unchecked::<PyString>())
    }
}

/// Whether any of these code points is a surrogate (a str's lone one): every one looked at, no
/// early exit, so that the loop runs in vector registers.
pub(crate) fn has_surrogate(codes: &[u32]) -> bool {
    codes
        .iter()
        .fold(false, |any, &c| any | (c & !0x7FF == 0xD800))
}

/// A str of these code points, made from them at once (no UTF-8 on the way) where a `wchar_t` is
/// a code point (Linux, macOS). The callers' are characters (no lone surrogate: a page with one
/// never takes the fast path).
pub(crate) fn py_string<'py>(py: Python<'py>, codes: &[u32]) -> PyResult<Bound<'py, PyString>> {
    debug_assert!(codes.iter().all(|&c| char::from_u32(c).is_some()));
    if !cfg!(any(target_os = "linux", target_os = "macos")) {
        let text: String = codes.iter().filter_map(|&c| char::from_u32(c)).collect();
        return Ok(PyString::new(py, &text));
    }
    let length =
        isize::try_from(codes.len()).map_err(|_| PyOverflowError::new_err("a text too long"))?;
    // SAFETY: the pointer and length are the slice's, of 4-byte values as a `wchar_t` is here;
    // PyUnicode_FromWideChar copies them into a new str (or returns NULL with an error set).
    unsafe {
        let made = pyo3::ffi::PyUnicode_FromWideChar(codes.as_ptr().cast(), length);
        Ok(Bound::from_owned_ptr_or_err(py, made)?.cast_into_unchecked())
    }
}

/// The signatures of `minhash`, one row of `a.len()` values per set: with AVX-512 or AVX2 where
/// the CPU has it (sixteen or eight 32-bit products at once; the baseline x86-64 has no 32-bit
/// vector multiply or unsigned minimum), the same values either way.
fn signatures(hashes: &[u32], first: &[usize], a: &[u32], b: &[u32]) -> Vec<u32> {
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx512f") {
        // SAFETY: the CPU has AVX-512F, checked just above.
        return unsafe { signatures_avx512(hashes, first, a, b) };
    }
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx2") {
        // SAFETY: the CPU has AVX2, checked just above.
        return unsafe { signatures_avx2(hashes, first, a, b) };
    }
    signatures_in(hashes, first, a, b)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn signatures_avx2(hashes: &[u32], first: &[usize], a: &[u32], b: &[u32]) -> Vec<u32> {
    signatures_in(hashes, first, a, b)
}

// A row of 128 permutations fits the 32 vector registers of AVX-512 (not the 16 of AVX2).
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f")]
unsafe fn signatures_avx512(hashes: &[u32], first: &[usize], a: &[u32], b: &[u32]) -> Vec<u32> {
    signatures_in(hashes, first, a, b)
}

/// Permutations signed together: a fixed-size row, with its multipliers and offsets, stays in
/// vector registers while a set's hashes pass (a row as long as the caller's would be written back
/// to memory at every hash).
const LANES: usize = 128;

#[inline(always)]
fn signatures_in(hashes: &[u32], first: &[usize], a: &[u32], b: &[u32]) -> Vec<u32> {
    let perms = a.len();
    let sets = first.len().saturating_sub(1);
    let mut out = vec![u32::MAX; sets * perms];
    for from in (0..perms).step_by(LANES) {
        let lanes = LANES.min(perms - from);
        // Lanes past the last permutation sign with a = b = 0 and are not kept.
        let (mut ak, mut bk) = ([0_u32; LANES], [0_u32; LANES]);
        ak[..lanes].copy_from_slice(&a[from..from + lanes]);
        bk[..lanes].copy_from_slice(&b[from..from + lanes]);
        for set in 0..sets {
            let mut row = [u32::MAX; LANES];
            for &h in &hashes[first[set]..first[set + 1]] {
                let mixed = fmix32(h);
                for ((min, &ak), &bk) in row.iter_mut().zip(&ak).zip(&bk) {
                    *min = (*min).min(mixed.wrapping_mul(ak).wrapping_add(bk));
                }
            }
            let at = set * perms + from;
            out[at..at + lanes].copy_from_slice(&row[..lanes]);
        }
    }
    out
}

/// MurmurHash3's finalizer: spreads a hash's bits before the affine permutations.
fn fmix32(mut h: u32) -> u32 {
    h ^= h >> 16;
    h = h.wrapping_mul(0x85EB_CA6B);
    h ^= h >> 13;
    h = h.wrapping_mul(0xC2B2_AE35);
    h ^ (h >> 16)
}

/// (start, end, source start) of every stretch of at least `min_words` words (5 or more) that
/// copies an earlier stretch.
///
/// A stretch starts at the first earlier occurrence of a 5-gram and follows that source for as
/// long as the words go on matching it, up to where the copy starts. The GIL is released while
/// the 5-grams are numbered and the stretches walked.
#[pyfunction]
fn repeated_stretches(
    py: Python<'_>,
    words: &Bound<'_, PyAny>,
    min_words: i64,
) -> PyResult<Vec<(usize, usize, usize)>> {
    let codes = word_numbers(words)?;
    if u32::try_from(codes.len()).is_err() {
        // Positions are kept as u32: a page of four billion words is not a page.
        return Err(PyOverflowError::new_err("more than 2**32 - 1 words"));
    }
    Ok(py.detach(|| stretches(&codes, min_words)))
}

/// Each word's number: equal words, equal numbers, in order of first occurrence. The words are
/// told apart as a dict tells them (their cached hashes, the same string object at once, else
/// equal strings; a lone surrogate like any other character), without a UTF-8 copy of each nor
/// a Python object for each number.
fn word_numbers(words: &Bound<'_, PyAny>) -> PyResult<Vec<u32>> {
    // (hash, word, number) of each distinct word.
    let mut numbers: HashTable<(isize, Bound<'_, PyString>, u32)> = HashTable::new();
    let mut codes = Vec::with_capacity(words.len().unwrap_or(0));
    for word in words.try_iter()? {
        let word = word?.cast_into::<PyString>()?;
        let hash = word.hash()?;
        let same = |(h, seen, _): &(isize, Bound<'_, PyString>, u32)| {
            // Two strings compare without an error.
            *h == hash
                && (seen.is(&word) || PyAnyMethods::eq(seen.as_any(), &word).unwrap_or(false))
        };
        let code = match numbers.find(hash as u64, same) {
            Some(&(_, _, code)) => code,
            None => {
                let code = numbers.len() as u32;
                numbers.insert_unique(hash as u64, (hash, word, code), |e| e.0 as u64);
                code
            }
        };
        codes.push(code);
    }
    Ok(codes)
}

/// A string's UTF-8 bytes (`dedup.fingerprint.utf8`). A lone surrogate has no UTF-8;
/// "surrogatepass" gives it bytes that no valid UTF-8 holds, so strings still compare as Python
/// compares them.
fn utf8<'a>(text: &'a Bound<'_, PyString>) -> PyResult<Cow<'a, [u8]>> {
    match text.to_str() {
        Ok(text) => Ok(Cow::Borrowed(text.as_bytes())),
        Err(_) => {
            let bytes = text.call_method1("encode", ("utf-8", "surrogatepass"))?;
            Ok(Cow::Owned(bytes.cast::<PyBytes>()?.as_bytes().to_vec()))
        }
    }
}

/// The stretches of `repeated_stretches`, over word numbers.
fn stretches(codes: &[u32], min_words: i64) -> Vec<(usize, usize, usize)> {
    if codes.len() < GRAM {
        return Vec::new();
    }
    let first = first_occurrences(codes);
    let mut found = Vec::new();
    let mut covered = 0; // positions before this lie inside the last stretch
    for at in 0..first.len() - 1 {
        let back = at - first[at] as usize; // how far back this 5-gram came first (0: it did not)
        // A stretch that goes on past its first 5-gram: its source ends a word later and still
        // before the copy, and the next 5-gram matches there too.
        if back <= GRAM || first[at + 1] != first[at + 1 - back] || at < covered {
            continue;
        }
        let matched = matching(&first, at + 1, at + 1 - back, back - GRAM);
        covered = at + matched + 1;
        if (matched + GRAM) as i64 >= min_words {
            found.push((at, at + matched + GRAM, at - back));
        }
    }
    found
}

/// For each position, where its 5-gram occurs first: equal 5-grams, equal numbers, exactly.
fn first_occurrences(codes: &[u32]) -> Vec<u32> {
    let state = RandomState::default();
    let gram_at = |at: u32| &codes[at as usize..at as usize + GRAM];
    let hash_at = |at: u32| state.hash_one(gram_at(at));
    // Each distinct 5-gram once, as the position it occurs first at, compared by its words in
    // `codes`: 4 bytes a 5-gram, not 24, so a huge page's table misses the cache far less often.
    let grams = (codes.len() + 1 - GRAM) as u32;
    let mut first_at: HashTable<u32> = HashTable::with_capacity(grams as usize);
    (0..grams)
        .map(|at| {
            let gram = gram_at(at);
            *first_at
                .entry(
                    hash_at(at),
                    |&seen| gram_at(seen) == gram,
                    |&seen| hash_at(seen),
                )
                .or_insert(at)
                .get()
        })
        .collect()
}

/// How many positions from i on (at most `most`) hold the 5-grams that those from k on hold.
fn matching(first: &[u32], i: usize, k: usize, most: usize) -> usize {
    let n = most.min(first.len() - i);
    first[i..i + n]
        .iter()
        .zip(&first[k..k + n])
        .take_while(|(a, b)| a == b)
        .count()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn numbers(words: &str) -> Vec<u32> {
        words.chars().map(|c| c as u32).collect()
    }

    #[test]
    fn an_empty_set_signs_as_all_ones_and_a_set_as_its_minimum() {
        let (a, b) = ([3, 5], [7, 11]);
        let sigs = signatures(&[1, 2, 9], &[0, 0, 3], &a, &b);
        assert_eq!(&sigs[..2], &[u32::MAX, u32::MAX]);
        for k in 0..2 {
            let want = [1u32, 2, 9]
                .iter()
                .map(|&h| fmix32(h).wrapping_mul(a[k]).wrapping_add(b[k]))
                .min();
            assert_eq!(Some(sigs[2 + k]), want);
        }
    }

    #[test]
    fn the_vector_signatures_are_the_plain_ones() {
        // Rows of 1 to 300 permutations: whole vectors, their remainders, rows shorter than one,
        // and rows of more than the LANES signed together.
        let mut x = 0x9E37_79B9u32;
        let mut next = || {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            x
        };
        let hashes: Vec<u32> = (0..500).map(|_| next()).collect();
        let first = [0, 0, 1, 7, 120, 500];
        for perms in [1, 7, 8, 9, 17, 126, 128, 130, 256, 300] {
            let a: Vec<u32> = (0..perms).map(|_| next() | 1).collect();
            let b: Vec<u32> = (0..perms).map(|_| next()).collect();
            let plain: Vec<u32> = first
                .windows(2)
                .flat_map(|set| {
                    let (set, a, b) = (&hashes[set[0]..set[1]], &a, &b);
                    (0..perms).map(move |k| {
                        set.iter()
                            .map(|&h| fmix32(h).wrapping_mul(a[k]).wrapping_add(b[k]))
                            .fold(u32::MAX, u32::min)
                    })
                })
                .collect();
            assert_eq!(signatures(&hashes, &first, &a, &b), plain);
            assert_eq!(signatures_in(&hashes, &first, &a, &b), plain);
            #[cfg(target_arch = "x86_64")]
            if std::arch::is_x86_feature_detected!("avx2") {
                // SAFETY: the CPU has AVX2, checked just above.
                assert_eq!(unsafe { signatures_avx2(&hashes, &first, &a, &b) }, plain);
            }
        }
    }

    #[test]
    fn a_copy_is_followed_word_for_word_from_its_first_occurrence() {
        assert_eq!(
            stretches(&numbers("abcdefghijabcdefghij"), 8),
            vec![(10, 20, 0)]
        );
    }

    #[test]
    fn short_stretches_and_short_pages_give_none() {
        assert_eq!(stretches(&numbers("xyabcdefzwabcdefv"), 8), vec![]);
        assert_eq!(stretches(&numbers("abcd"), 8), vec![]);
    }

    #[test]
    fn a_copy_stops_where_its_source_would_run_into_it() {
        let found = stretches(&numbers(&"abcdefgh".repeat(3)), 8);
        assert!(found.iter().all(|&(a, b, src)| src + (b - a) <= a));
        assert_eq!(found.iter().map(|s| s.0).min(), Some(8));
        assert_eq!(found.iter().map(|s| s.1).max(), Some(24));
    }
}
