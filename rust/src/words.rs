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

/// The words of text[start:end], from the whole text's folding: `word` and `letter` hold a byte
/// per character (a `\w` character; one whose folding holds a letter), `kept` the folded text
/// without its dropped characters and `at` where each position went in it (little-endian u32, one
/// more than the characters; empty where each went to one), read where they lie: only the span's
/// are copied. Each word is a run of letters (split at a space of a ligature's folding); it goes
/// with the token (the run of `\w` characters) it lies in, whose start and end come back as
/// little-endian i64 bytes. A word made of dropped characters only is none. Equal words are one
/// string.
#[pyfunction]
pub fn folded_words<'py>(
    py: Python<'py>,
    word: &[u8],
    letter: &[u8],
    kept: &Bound<'py, PyString>,
    at: &[u8],
    start: usize,
    end: usize,
) -> PyResult<Words<'py>> {
    let n = word.len();
    let at = Positions(at);
    let misfit = || PyValueError::new_err("the flags do not fit the folded text");
    if letter.len() != n
        || start > end
        || end > n
        || (!at.0.is_empty() && at.0.len() != 4 * (n + 1))
    {
        return Err(misfit());
    }
    let (first, last) = if at.0.is_empty() {
        (start, end)
    } else {
        (at.get(start), at.get(end))
    };
    if first > last || last > kept.len()? {
        return Err(misfit());
    }
    let span_kept = crate::code_points_between(kept, first, last)?;
    // The span's positions from its own first: rising, as `page_words` checks.
    let positions = if at.0.is_empty() {
        Vec::new()
    } else {
        let mut positions = Vec::with_capacity(4 * (end - start + 1));
        for i in start..=end {
            let position = at.get(i).checked_sub(first).ok_or_else(misfit)?;
            positions.extend((position as u32).to_le_bytes());
        }
        positions
    };
    let (word, letter) = (&word[start..end], &letter[start..end]);
    let found = py.detach(|| page_words(word, letter, &span_kept, &positions))?;
    let kept = span_kept;
    let mut strings: Vec<Py<PyString>> = Vec::with_capacity(found.len());
    let mut vocabulary: HashMap<&[u32], usize, RandomState> =
        HashMap::with_capacity_and_hasher(found.len(), RandomState::default());
    let (mut starts, mut ends) = (
        Vec::with_capacity(8 * found.len()),
        Vec::with_capacity(8 * found.len()),
    );
    for &(a, b, token_start, token_end) in &found {
        let text = &kept[a as usize..b as usize];
        let string = match vocabulary.get(text) {
            Some(&i) => strings[i].clone_ref(py),
            None => {
                vocabulary.insert(text, strings.len());
                crate::py_string(py, text)?.unbind()
            }
        };
        strings.push(string);
        starts.extend(((token_start as usize + start) as i64).to_le_bytes());
        ends.extend(((token_end as usize + start) as i64).to_le_bytes());
    }
    Ok((strings, PyBytes::new(py, &starts), PyBytes::new(py, &ends)))
}

/// `spans` of a span's words (`folded_words` tells what the arguments hold), or an error where the
/// flags do not fit the folded text.
pub(crate) fn page_words(
    word: &[u8],
    letter: &[u8],
    kept: &[u32],
    at: &[u8],
) -> PyResult<Vec<(u32, u32, u32, u32)>> {
    let n = word.len();
    let at = Positions(at);
    if letter.len() != n || !at.fit(n, kept.len()) {
        return Err(PyValueError::new_err(
            "the flags do not fit the folded text",
        ));
    }
    spans(word, letter, &at, |k| kept[k] == u32::from(b' ')).ok_or_else(|| {
        PyValueError::new_err("the flags do not fit the folded text: a letter outside a word")
    })
}

/// (start, end) of each word in the folded text, and (start, end) of its token in the span: u32,
/// as a page on the fast path is shorter than 2**32 characters, and a huge page has millions.
/// None where a letter lies outside a word. One pass: a token's runs of letters are its words,
/// split where their folding holds a space (`space`: whether the folded text's character at a
/// position is one; a ligature's NFKC form may hold one).
pub(crate) fn spans(
    word: &[u8],
    letter: &[u8],
    at: &Positions<'_>,
    space: impl Fn(usize) -> bool,
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
            if at.0.is_empty() {
                found.push((first as u32, j as u32, token_start as u32, i as u32));
                continue;
            }
            // Each character went to none, one or more: a form of several may hold a space.
            let (a, b) = (at.get(first), at.get(j));
            let mut word_start = a;
            for k in a..=b {
                if k == b || space(k) {
                    if word_start < k {
                        found.push((word_start as u32, k as u32, token_start as u32, i as u32));
                    }
                    word_start = k + 1;
                }
            }
        }
    }
    Some(found)
}
