//! The words of a span of a folded page (`dedup.normalize.Folded.words`), each with the span of
//! the token it came from.

use std::collections::HashMap;

use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyString};

use foldhash::fast::RandomState;

use crate::segment::Positions;

/// Words, and the starts and ends of their tokens (little-endian i64 bytes).
type Words<'py> = (Vec<Py<PyString>>, Bound<'py, PyBytes>, Bound<'py, PyBytes>);

/// The words of a span of `n` characters: `word` and `letter` hold a byte per character (a `\w`
/// character; one whose folding is not a space), `kept` the span's folded text without its dropped
/// characters and `at` where each position went in it (little-endian u32, n + 1 of them; empty
/// where none was dropped). Each word is a run of letters; it goes with the token (the run of `\w`
/// characters) it lies in, whose start and end (plus `start`) come back as little-endian i64
/// bytes. A word made of dropped characters only is none. Equal words are one string.
#[pyfunction]
pub fn folded_words<'py>(
    py: Python<'py>,
    word: &[u8],
    letter: &[u8],
    kept: &Bound<'py, PyString>,
    at: &[u8],
    start: usize,
) -> PyResult<Words<'py>> {
    let n = word.len();
    let at = Positions(at);
    // Its UTF-8 made for the call (as `chars` does: `to_str` would keep a copy in the string).
    let utf8 = kept.encode_utf8()?;
    let kept =
        std::str::from_utf8(utf8.as_bytes()).map_err(|e| PyValueError::new_err(e.to_string()))?;
    // Where each character of `kept` starts in its UTF-8, and its end: words are slices of it.
    let byte_at: Vec<usize> = kept
        .char_indices()
        .map(|(i, _)| i)
        .chain([kept.len()])
        .collect();
    if letter.len() != n
        || !at.fit(n, byte_at.len() - 1)
        || letter.iter().zip(word).any(|(&l, &w)| l != 0 && w == 0)
    {
        return Err(PyValueError::new_err(
            "the flags do not fit the folded text",
        ));
    }
    let found = py.detach(|| spans(word, letter, &at));
    let mut strings: Vec<Py<PyString>> = Vec::with_capacity(found.len());
    let mut vocabulary: HashMap<&str, usize, RandomState> = HashMap::default();
    let (mut starts, mut ends) = (
        Vec::with_capacity(8 * found.len()),
        Vec::with_capacity(8 * found.len()),
    );
    for &(a, b, token_start, token_end) in &found {
        let text = &kept[byte_at[a as usize]..byte_at[b as usize]];
        let string = match vocabulary.get(text) {
            Some(&i) => strings[i].clone_ref(py),
            None => {
                vocabulary.insert(text, strings.len());
                PyString::new(py, text).unbind()
            }
        };
        strings.push(string);
        starts.extend(((token_start as usize + start) as i64).to_le_bytes());
        ends.extend(((token_end as usize + start) as i64).to_le_bytes());
    }
    Ok((strings, PyBytes::new(py, &starts), PyBytes::new(py, &ends)))
}

/// (start, end) of each word in the folded text, and (start, end) of its token in the span: u32,
/// as a page on the fast path is shorter than 2**32 characters, and a huge page has millions.
fn spans(word: &[u8], letter: &[u8], at: &Positions<'_>) -> Vec<(u32, u32, u32, u32)> {
    let runs = |flags: &[u8]| {
        let mut runs = Vec::new();
        let mut i = 0;
        while i < flags.len() {
            if flags[i] == 0 {
                i += 1;
                continue;
            }
            let first = i;
            while i < flags.len() && flags[i] != 0 {
                i += 1;
            }
            runs.push((first, i));
        }
        runs
    };
    let tokens = runs(word);
    let mut token = 0;
    let mut found = Vec::new();
    for (first, last) in runs(letter) {
        while tokens[token].1 <= first {
            token += 1; // letters lie in tokens: the token holding this word is never passed
        }
        let (a, b) = if at.0.is_empty() {
            (first, last)
        } else {
            (at.get(first), at.get(last))
        };
        if a < b {
            let (token_start, token_end) = tokens[token];
            found.push((a as u32, b as u32, token_start as u32, token_end as u32));
        }
    }
    found
}
