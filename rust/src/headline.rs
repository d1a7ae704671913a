//! The titles a page says again (`dedup.headline.said_again`): its own headline above the
//! article, or a link's title. Python keeps those that end without a full stop. And the text of
//! a URL's path, whose slug may name the headline, and the lines that say what the slug says.

use std::collections::HashMap;

use foldhash::fast::RandomState;
use percent_encoding::percent_decode_str;
use pyo3::prelude::*;
use pyo3::types::PyString;

use crate::segment::{BMP, CharTable, REGEX_DIGIT, SPACE, block_field, field};

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

/// The indexes of the whole lines (`blocks`: `dedup.page.Block`s) whose key holds nearly only
/// the slug's words (`slug`: the folded words of a URL's slug, distinct, none with a digit), and
/// most of them (`dedup.headline._says`): of the slug's words, `slug_share` or more; of the key's
/// words without a digit (`\d`), `line_share` or more are the slug's, and `min_words` or more.
/// None where a line's key holds a character past the BMP, which the table does not class.
#[pyfunction]
pub fn slug_lines(
    table: PyRef<'_, CharTable>,
    slug: Vec<Bound<'_, PyString>>,
    blocks: Vec<Bound<'_, PyAny>>,
    slug_share: f64,
    line_share: f64,
    min_words: usize,
) -> PyResult<Option<Vec<usize>>> {
    let slug = slug
        .iter()
        .map(crate::code_points)
        .collect::<PyResult<Vec<_>>>()?;
    let mut found = Vec::new();
    for (k, block) in blocks.iter().enumerate() {
        if !block_field(block, field::WHOLE_LINE)?.extract::<bool>()? {
            continue;
        }
        let key = crate::code_points(
            &block_field(block, field::KEY)?
                .cast::<PyString>()?
                .to_owned(),
        )?;
        if key.iter().any(|&c| c as usize >= BMP) {
            return Ok(None);
        }
        // The slug's words the line holds: among all its words, and among those without a digit.
        let (mut anywhere, mut without_digit) = (vec![false; slug.len()], vec![false; slug.len()]);
        let (mut line, mut shared) = (0, 0); // its words without a digit; those of the slug
        // Words as `str.split()` cuts them: at every run of spaces.
        for word in key.split(|&c| table.is_code(c, SPACE)) {
            if word.is_empty() {
                continue;
            }
            let at = slug.iter().position(|w| w.as_slice() == word);
            if let Some(i) = at {
                anywhere[i] = true;
            }
            if word.iter().any(|&c| table.is_code(c, REGEX_DIGIT)) {
                continue;
            }
            line += 1;
            if let Some(i) = at {
                without_digit[i] = true;
                shared += 1;
            }
        }
        let most = |held: &[bool]| {
            held.iter().filter(|&&h| h).count() as f64 >= slug_share * slug.len() as f64
        };
        if most(&anywhere)
            && shared >= min_words
            && shared as f64 >= line_share * line as f64
            && most(&without_digit)
        {
            found.push(k);
        }
    }
    Ok(Some(found))
}

/// A URL path's text as `urllib.parse.unquote` makes it: each `%` with two hex digits is the byte
/// they name, and the bytes are read as UTF-8, a U+FFFD for each maximal invalid part (as
/// Python's "replace" does); None for a path with a lone surrogate.
#[pyfunction]
pub fn unquoted(path: &Bound<'_, PyString>) -> Option<String> {
    let path = path.to_str().ok()?;
    Some(percent_decode_str(path).decode_utf8_lossy().into_owned())
}
