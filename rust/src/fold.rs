//! A page folded character for character (`dedup.normalize.Folded`): its folded text without the
//! dropped characters, where each position went in it, and each character's word flags.

use pyo3::exceptions::{PyUnicodeEncodeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyString};

use crate::segment::chars;

const BMP: usize = 0x10000;
/// A character that cannot be folded one-to-one (`dedup.normalize._BAD`).
const BAD: u32 = u32::MAX;

/// The folding tables of `dedup.normalize`, one value per BMP character.
#[pyclass(frozen)]
pub struct FoldTable {
    /// Its NFKC form where that is one BMP character, else `BAD`.
    nfkc: Vec<u32>,
    /// What a character folds to (a space for punctuation), or `BAD`.
    fold: Vec<u32>,
    /// Whether `normalize` drops it.
    drop: Vec<bool>,
    /// Whether it is a word character (`\w`).
    word: Vec<bool>,
    /// Whether it can join the character before it (compose with it, or move before it): a mark,
    /// a Hangul vowel or final jamo.
    joins: Vec<bool>,
}

#[pymethods]
impl FoldTable {
    /// `nfkc` and `fold`: a little-endian u32 per BMP character; `drop`, `word` and `joins`: a
    /// byte each.
    #[new]
    fn new(nfkc: &[u8], fold: &[u8], drop: &[u8], word: &[u8], joins: &[u8]) -> PyResult<Self> {
        let bytes = [drop, word, joins];
        if nfkc.len() != 4 * BMP || fold.len() != 4 * BMP || bytes.iter().any(|b| b.len() != BMP) {
            return Err(PyValueError::new_err(
                "a table holds a value for each of the 65536 BMP characters",
            ));
        }
        Ok(FoldTable {
            nfkc: crate::from_le(nfkc, u32::from_le_bytes),
            fold: crate::from_le(fold, u32::from_le_bytes),
            drop: drop.iter().map(|&b| b != 0).collect(),
            word: word.iter().map(|&b| b != 0).collect(),
            joins: joins.iter().map(|&b| b != 0).collect(),
        })
    }
}

/// The folding of a page.
struct Folding {
    /// Code points: the str is made from them.
    kept: Vec<u32>,
    word: Vec<u8>,
    letter: Vec<u8>,
    /// Where each position went in `kept`, one more than the characters; none if nothing dropped.
    at: Option<Vec<u8>>,
    /// Whether a dropped character stands right before one that joins the character before it.
    rejoins: bool,
}

/// The folding of `text`, or of `source` where given: the text with each character replaced by its
/// one-character NFKC form (as long: the flags of `word` are the text's own characters').
/// Returns the folded text without the dropped characters, a byte per character for a word
/// character and for one whose folding is a letter (not a space), and where each position went in
/// the folded text (little-endian u32, one more than the characters; None where none was
/// dropped). None where the page cannot be folded one-to-one: a lone surrogate, a character past
/// the BMP or one the table cannot fold, or 2**32 characters or more. With `symbols`, every
/// character past the BMP is one the caller found to be a symbol that folds to a space (an emoji):
/// it is folded so. Last, whether a dropped character stands right before one that can join the
/// character before it (`FoldTable::joins`): only there can the source, NFKC as a whole, not be once
/// its dropped characters go. The GIL is released while the page is folded.
#[pyfunction]
#[pyo3(signature = (table, text, source, symbols = false))]
#[allow(clippy::type_complexity)]
pub fn fold<'py>(
    py: Python<'py>,
    table: PyRef<'_, FoldTable>,
    text: &Bound<'py, PyString>,
    source: Option<&Bound<'py, PyString>>,
    symbols: bool,
) -> PyResult<
    Option<(
        Bound<'py, PyString>,
        Bound<'py, PyBytes>,
        Bound<'py, PyBytes>,
        Option<Bound<'py, PyBytes>>,
        bool,
    )>,
> {
    let Some(text) = encodable(py, text)? else {
        return Ok(None);
    };
    let source = match source {
        Some(source) => match encodable(py, source)? {
            Some(source) if source.len() == text.len() => Some(source),
            Some(_) => {
                return Err(PyValueError::new_err(
                    "the source is not as long as the text",
                ));
            }
            None => return Ok(None),
        },
        None => None,
    };
    let table: &FoldTable = &table;
    let source = source.as_deref().unwrap_or(&text);
    let Some(folding) = py.detach(|| folding(table, &text, source, symbols)) else {
        return Ok(None);
    };
    Ok(Some((
        crate::py_string(py, &folding.kept)?,
        PyBytes::new(py, &folding.word),
        PyBytes::new(py, &folding.letter),
        folding.at.map(|at| PyBytes::new(py, &at)),
        folding.rejoins,
    )))
}

/// The text with each character replaced by its one-character NFKC form; None where a character
/// has none in the BMP, is past it (but for a symbol, with `symbols`: see `fold`), or is a lone
/// surrogate. (Whether the result is NFKC as a whole is for the caller to ask.)
#[pyfunction]
#[pyo3(signature = (table, text, symbols = false))]
pub fn nfkc_one_to_one<'py>(
    py: Python<'py>,
    table: PyRef<'_, FoldTable>,
    text: &Bound<'py, PyString>,
    symbols: bool,
) -> PyResult<Option<Bound<'py, PyString>>> {
    let Some(text) = encodable(py, text)? else {
        return Ok(None);
    };
    let replaced: Option<Vec<u32>> = text
        .iter()
        .map(|&c| {
            if c as usize >= BMP {
                return symbols.then_some(c as u32); // a symbol is its own NFKC form
            }
            let code = table.nfkc[c as usize];
            (code != BAD && char::from_u32(code).is_some()).then_some(code)
        })
        .collect();
    replaced.map(|r| crate::py_string(py, &r)).transpose()
}

/// A string's characters, None for one with a lone surrogate (it has no UTF-8).
fn encodable(py: Python<'_>, text: &Bound<'_, PyString>) -> PyResult<Option<Vec<char>>> {
    match chars(text) {
        Ok(chars) => Ok(Some(chars)),
        Err(e) if e.is_instance_of::<PyUnicodeEncodeError>(py) => Ok(None),
        Err(e) => Err(e),
    }
}

fn folding(table: &FoldTable, text: &[char], source: &[char], symbols: bool) -> Option<Folding> {
    if u32::try_from(text.len()).is_err() {
        return None; // positions are u32
    }
    let mut kept = Vec::with_capacity(source.len());
    let mut word = vec![0; text.len()];
    let mut letter = vec![0; text.len()];
    let mut at: Vec<u8> = vec![0; 4 * (text.len() + 1)];
    let (mut dropped, mut rejoins, mut after_drop) = (false, false, false);
    let mut position: u32 = 0;
    // Written in place, a character at a time: the buffers are as long as the text.
    let places = word
        .iter_mut()
        .zip(letter.iter_mut())
        .zip(at.chunks_exact_mut(4));
    for ((&original, &c), ((word, letter), at)) in text.iter().zip(source).zip(places) {
        let (original, code) = (original as usize, c as usize);
        let (folded, is_word) = if original >= BMP || code >= BMP {
            if !symbols {
                return None;
            }
            (u32::from(b' '), false) // a symbol past the BMP, as the caller found
        } else {
            (table.fold[code], table.word[original])
        };
        if folded == BAD {
            return None;
        }
        *word = u8::from(is_word);
        *letter = u8::from(is_word && folded != u32::from(b' '));
        at.copy_from_slice(&position.to_le_bytes());
        if code < BMP && table.drop[code] {
            (dropped, after_drop) = (true, true);
        } else {
            rejoins |= after_drop && code < BMP && table.joins[code];
            after_drop = false;
            char::from_u32(folded)?; // a lone surrogate has no UTF-8: not one the table folds to
            kept.push(folded);
            position += 1;
        }
    }
    let last = at.len() - 4;
    at[last..].copy_from_slice(&position.to_le_bytes());
    let at = dropped.then_some(at);
    Some(Folding {
        kept,
        word,
        letter,
        at,
        rejoins,
    })
}
