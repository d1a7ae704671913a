//! The titles a page says again (`dedup.headline.said_again`): its own headline above the
//! article, or a link's title. Python keeps those that end without a full stop. And the text of
//! a URL's path, whose slug may name the headline.

use std::collections::HashMap;

use foldhash::fast::RandomState;
use percent_encoding::percent_decode_str;
use pyo3::prelude::*;
use pyo3::types::PyString;

use crate::segment::{block_field, field};

/// The indexes of the whole lines (`blocks`: `dedup.page.Block`s) of `min_words` words or more
/// whose key a later whole line holds too, in order.
#[pyfunction]
pub fn said_again(blocks: Vec<Bound<'_, PyAny>>, min_words: i64) -> PyResult<Vec<usize>> {
    let mut lines: Vec<(usize, Bound<'_, PyString>, bool)> = Vec::new(); // index, key, long enough
    for (k, block) in blocks.iter().enumerate() {
        if block_field(block, field::WHOLE_LINE)?.extract::<bool>()? {
            let key = block_field(block, field::KEY)?
                .to_owned()
                .cast_into::<PyString>()?;
            let words: i64 = block_field(block, field::WORDS)?.extract()?;
            lines.push((k, key, words >= min_words));
        }
    }
    // The whole lines by their keys' hashes (a str's is kept in it): equal keys share a bucket.
    let mut buckets: HashMap<isize, Vec<usize>, RandomState> = HashMap::default();
    for (i, (_, key, _)) in lines.iter().enumerate() {
        buckets.entry(key.hash()?).or_default().push(i);
    }
    let mut found = Vec::new();
    for (i, (k, key, long)) in lines.iter().enumerate() {
        if !long {
            continue;
        }
        // From the last line of the bucket back: lines of the same key come first to hand.
        for &j in buckets[&key.hash()?].iter().rev() {
            if j <= i {
                break;
            }
            if PyAnyMethods::eq(lines[j].1.as_any(), key)? {
                found.push(*k);
                break;
            }
        }
    }
    Ok(found)
}

/// A URL path's text as `urllib.parse.unquote` makes it: each `%` with two hex digits is the byte
/// they name, and the bytes are read as UTF-8, a U+FFFD for each maximal invalid part (as
/// Python's "replace" does); None for a path with a lone surrogate.
#[pyfunction]
pub fn unquoted(path: &Bound<'_, PyString>) -> Option<String> {
    let path = path.to_str().ok()?;
    Some(percent_decode_str(path).decode_utf8_lossy().into_owned())
}
