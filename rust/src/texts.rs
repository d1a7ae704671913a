//! What learning keeps of a page's blocks' own text (`dedup.features.page_counts`): an example of
//! each, and which may open with a label.

use pyo3::exceptions::{PyUnicodeEncodeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::PyString;

use crate::segment::{CharTable, SPACE, chars};

/// What stands between a label and its slot (`dedup.keys.SEPARATORS`).
pub(crate) const SEPARATORS: [char; 6] = [':', '|', '»', '›', '–', '—'];

/// For each block (`starts`, `ends`, `words`), its text with its whitespace collapsed, cut at a
/// word boundary with `…` when longer than `limit` characters (`dedup.features.excerpt`); and the
/// indexes of the blocks that hold a label's separator and `max_words` words or fewer (the only
/// ones `dedup.keys.label_prefix` may find a label in). None where the text holds a lone
/// surrogate.
#[pyfunction]
#[allow(clippy::type_complexity, clippy::too_many_arguments)]
pub fn block_texts(
    py: Python<'_>,
    table: PyRef<'_, CharTable>,
    text: &Bound<'_, PyString>,
    starts: Vec<usize>,
    ends: Vec<usize>,
    words: Vec<i64>,
    limit: usize,
    max_words: i64,
) -> PyResult<Option<(Vec<String>, Vec<usize>)>> {
    let text = match chars(text) {
        Ok(text) => text,
        Err(e) if e.is_instance_of::<PyUnicodeEncodeError>(py) => return Ok(None),
        Err(e) => return Err(e),
    };
    if starts.len() != ends.len()
        || words.len() != ends.len()
        || starts
            .iter()
            .zip(&ends)
            .any(|(&s, &e)| s > e || e > text.len())
    {
        return Err(PyValueError::new_err("a block lies outside the page"));
    }
    let mut examples = Vec::with_capacity(starts.len());
    let mut labelled = Vec::new();
    for (k, (&start, &end)) in starts.iter().zip(&ends).enumerate() {
        let span = &text[start..end];
        examples.push(excerpt(&table, span, limit));
        if words[k] <= max_words && span.iter().any(|c| SEPARATORS.contains(c)) {
            labelled.push(k);
        }
    }
    Ok(Some((examples, labelled)))
}

/// The text with its whitespace collapsed, cut at a word boundary with `…` when longer than
/// `limit` characters: `" ".join(text.split())`, then `text[:limit - 1]` up to its last space
/// when that lies past half the limit.
pub(crate) fn excerpt(table: &CharTable, text: &[char], limit: usize) -> String {
    let mut collapsed: Vec<char> = Vec::with_capacity(text.len().min(limit + 1));
    for word in text
        .split(|&c| table.is_code(c as u32, SPACE))
        .filter(|w| !w.is_empty())
    {
        if collapsed.len() > limit {
            break; // cut below `limit`: the words after make no difference
        }
        if !collapsed.is_empty() {
            collapsed.push(' ');
        }
        collapsed.extend_from_slice(word);
    }
    if collapsed.len() <= limit {
        return collapsed.into_iter().collect();
    }
    let cut = &collapsed[..limit.saturating_sub(1)];
    let kept = match cut.iter().rposition(|&c| c == ' ') {
        Some(space) if space > limit / 2 => &cut[..space],
        _ => cut,
    };
    let end = kept
        .iter()
        .rposition(|&c| !table.is_code(c as u32, SPACE))
        .map_or(0, |i| i + 1);
    kept[..end].iter().chain(['…'].iter()).collect()
}
