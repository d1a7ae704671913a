//! What learning keeps of a page's blocks' own text (`dedup.features.page_counts`): an example of
//! each, and which may open with a label.

use pyo3::exceptions::{PyUnicodeEncodeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::PyString;

use crate::segment::{CharTable, REGEX_SPACE, SPACE, chars};

/// What stands between a label and its slot (`dedup.keys.SEPARATORS`).
const SEPARATORS: [char; 6] = [':', '|', '»', '›', '–', '—'];

/// For each block (`starts`, `ends`, `words`), its text with its whitespace collapsed, cut at a
/// word boundary with `…` when longer than `limit` characters (`dedup.features.excerpt`); and the
/// indexes of the blocks that hold a label's separator and `max_words` words or fewer (the only
/// ones `dedup.keys.label_prefix` may find a label in). None where the text holds a lone
/// surrogate.
#[pyfunction]
#[allow(clippy::type_complexity, clippy::too_many_arguments)]
pub fn block_texts<'py>(
    py: Python<'py>,
    table: PyRef<'_, CharTable>,
    text: &Bound<'_, PyString>,
    starts: Vec<usize>,
    ends: Vec<usize>,
    words: Vec<i64>,
    limit: usize,
    max_words: i64,
) -> PyResult<Option<(Vec<Bound<'py, PyString>>, Vec<usize>)>> {
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
        let mut example = String::new();
        excerpt(&table, span, limit, &mut example);
        examples.push(PyString::new(py, &example));
        if words[k] <= max_words && holds_separator(span) {
            labelled.push(k);
        }
    }
    Ok(Some((examples, labelled)))
}

/// The most characters of a label (`dedup.keys._LABEL`).
const LABEL_CHARS: usize = 40;

/// (start, end) in `text` of the label that opens text[start:end], as `dedup.keys._LABEL` finds it
/// (its group): after what is not a word character (`is_word`: whether the character at a
/// position of `text` is `\w`), the fewest characters but a separator, up to `LABEL_CHARS`, then
/// spaces and a separator; the regex's order of trying (the most non-word characters first) kept.
pub(crate) fn label_span<C: Copy + Into<u32>>(
    table: &CharTable,
    is_word: impl Fn(usize) -> bool,
    text: &[C],
    start: usize,
    end: usize,
) -> Option<(usize, usize)> {
    let words_start = (start..end).find(|&i| is_word(i)).unwrap_or(end);
    for open in (start..=words_start).rev() {
        for close in open + 1..=end.min(open + LABEL_CHARS) {
            if is_separator(text[close - 1].into()) {
                break; // a label holds no separator
            }
            let after = (close..end)
                .find(|&i| !table.is_code(text[i].into(), REGEX_SPACE))
                .unwrap_or(end);
            if after < end && is_separator(text[after].into()) {
                return Some((open, close));
            }
        }
    }
    None
}

/// Whether a code point stands between a label and its slot (`SEPARATORS`).
fn is_separator(code: u32) -> bool {
    SEPARATORS.iter().any(|&s| s as u32 == code)
}

/// Whether a text holds a label's separator: a line without one opens with no label.
pub(crate) fn holds_separator<C: Copy + Into<u32>>(text: &[C]) -> bool {
    text.iter().any(|&c| is_separator(c.into()))
}

/// The text with its whitespace collapsed, cut at a word boundary with `…` when longer than
/// `limit` characters: `" ".join(text.split())`, then `text[:limit - 1]` up to its last space
/// when that lies past half the limit; written at the end of `out`.
pub(crate) fn excerpt(table: &CharTable, text: &[char], limit: usize, out: &mut String) {
    let cut = limit.saturating_sub(1);
    let mut written = 0; // characters
    let mut cut_at = out.len(); // where the character `cut` starts
    let mut last_space = None; // (character, byte) of the last space before `cut`
    let mut space = false; // a space since the last character written
    for &c in text {
        if table.is(c, SPACE) {
            space = written > 0;
            continue;
        }
        if space {
            if written > limit {
                break; // cut below `limit`: the words after make no difference
            }
            if written < cut {
                last_space = Some((written, out.len()));
            }
            if written == cut {
                cut_at = out.len();
            }
            out.push(' ');
            written += 1;
            space = false;
        }
        if written == cut {
            cut_at = out.len();
        }
        out.push(c);
        written += 1;
    }
    if written <= limit {
        return;
    }
    // Up to the last space when past half the limit, and never after a space: a word holds none.
    let kept = match last_space {
        Some((at, byte)) if at > limit / 2 || at + 1 == cut => byte,
        _ => cut_at,
    };
    out.truncate(kept);
    out.push('…');
}
