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
    // SAFETY: Python's UTF-8 encoder made these bytes (it refuses a lone surrogate).
    let kept = unsafe { std::str::from_utf8_unchecked(utf8.as_bytes()) };
    // Its characters: the bytes that start one (not 0b10xxxxxx).
    let chars = kept.bytes().filter(|&b| (b as i8) >= -0x40).count();
    if letter.len() != n || !at.fit(n, chars) {
        return Err(PyValueError::new_err(
            "the flags do not fit the folded text",
        ));
    }
    let Some(found) = py.detach(|| spans(word, letter, &at)) else {
        return Err(PyValueError::new_err(
            "the flags do not fit the folded text: a letter outside a word",
        ));
    };
    let mut strings: Vec<Py<PyString>> = Vec::with_capacity(found.len());
    let mut vocabulary: HashMap<&str, usize, RandomState> =
        HashMap::with_capacity_and_hasher(found.len(), RandomState::default());
    let (mut starts, mut ends) = (
        Vec::with_capacity(8 * found.len()),
        Vec::with_capacity(8 * found.len()),
    );
    // The words come in order: one walk over the folded text finds where each starts and ends.
    let mut offsets = kept.char_indices().map(|(i, _)| i).chain([kept.len()]);
    let (mut position, mut offset) = (0, offsets.next().unwrap_or(kept.len()));
    let mut byte_at = |char_at: usize| {
        while position < char_at {
            position += 1;
            offset = offsets.next().unwrap_or(kept.len());
        }
        offset
    };
    for &(a, b, token_start, token_end) in &found {
        let (first, last) = (byte_at(a as usize), byte_at(b as usize));
        let text = &kept[first..last];
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
/// None where a letter lies outside a word. One pass: a token's letters are its words.
pub(crate) fn spans(
    word: &[u8],
    letter: &[u8],
    at: &Positions<'_>,
) -> Option<Vec<(u32, u32, u32, u32)>> {
    let n = word.len();
    let mut found = Vec::new();
    let mut i = 0;
    while i < n {
        if word[i] == 0 {
            if letter[i] != 0 {
                return None;
            }
            i += 1;
            continue;
        }
        let token_start = i;
        while i < n && word[i] != 0 {
            i += 1;
        }
        let mut j = token_start;
        while j < i {
            if letter[j] == 0 {
                j += 1;
                continue;
            }
            let first = j;
            while j < i && letter[j] != 0 {
                j += 1;
            }
            let (a, b) = if at.0.is_empty() {
                (first, j)
            } else {
                (at.get(first), at.get(j))
            };
            if a < b {
                found.push((a as u32, b as u32, token_start as u32, i as u32));
            }
        }
    }
    Some(found)
}
