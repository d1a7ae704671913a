//! A page folded character for character (`dedup.normalize.Folded`): its folded text without the
//! dropped characters, where each position went in it, and each character's word flags.

use std::collections::HashMap;

use pyo3::exceptions::{PyUnicodeEncodeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyString};

use crate::segment::chars;

const BMP: usize = 0x10000;
/// A character whose NFKC form or folding is not one BMP character (`dedup.normalize._BAD`).
const BAD: u32 = u32::MAX;

/// The folding tables of `dedup.normalize`, one value per BMP character.
#[pyclass(frozen)]
pub struct FoldTable {
    /// Its NFKC form where that is one BMP character, else `BAD`.
    nfkc: Vec<u32>,
    /// The NFKC form of several BMP characters of each character that has one (a ligature: "ﷺ").
    expansions: HashMap<u32, Vec<u32>>,
    /// What a character folds to (a space for punctuation), or `BAD`.
    fold: Vec<u32>,
    /// What each character that folds to several BMP characters folds to (a casefold: "ß", "ss").
    fold_expansions: HashMap<u32, Vec<u32>>,
    /// Whether `normalize` drops it.
    drop: Vec<bool>,
    /// Whether it is a word character (`\w`).
    word: Vec<bool>,
    /// Whether it can join the character before it (compose with it, or move before it): a mark,
    /// a Hangul vowel or final jamo.
    joins: Vec<bool>,
    /// Whether NFKC leaves it as it is wherever it stands (a starter that nothing before it
    /// composes with), or it is a dropped mark that composes with nothing (NFKC may only move it).
    settled: Vec<bool>,
}

#[pymethods]
impl FoldTable {
    /// `nfkc` and `fold`: a little-endian u32 per BMP character; `drop`, `word`, `joins` and
    /// `settled`: a byte each; `expansions`: character -> its NFKC form of several BMP characters;
    /// `fold_expansions`: character -> its folding of several.
    #[new]
    #[allow(clippy::too_many_arguments)]
    fn new(
        nfkc: &[u8],
        fold: &[u8],
        drop: &[u8],
        word: &[u8],
        joins: &[u8],
        settled: &[u8],
        expansions: HashMap<u32, String>,
        fold_expansions: HashMap<u32, String>,
    ) -> PyResult<Self> {
        let bytes = [drop, word, joins, settled];
        if nfkc.len() != 4 * BMP || fold.len() != 4 * BMP || bytes.iter().any(|b| b.len() != BMP) {
            return Err(PyValueError::new_err(
                "a table holds a value for each of the 65536 BMP characters",
            ));
        }
        let (expansions, fold_expansions) =
            (code_points(expansions)?, code_points(fold_expansions)?);
        Ok(FoldTable {
            nfkc: crate::from_le(nfkc, u32::from_le_bytes),
            expansions,
            fold: crate::from_le(fold, u32::from_le_bytes),
            fold_expansions,
            drop: drop.iter().map(|&b| b != 0).collect(),
            word: word.iter().map(|&b| b != 0).collect(),
            joins: joins.iter().map(|&b| b != 0).collect(),
            settled: settled.iter().map(|&b| b != 0).collect(),
        })
    }
}

/// Expansions as code points: each of a BMP character, into BMP characters.
fn code_points(expansions: HashMap<u32, String>) -> PyResult<HashMap<u32, Vec<u32>>> {
    let expansions: HashMap<u32, Vec<u32>> = expansions
        .into_iter()
        .map(|(c, form)| (c, form.chars().map(u32::from).collect::<Vec<_>>()))
        .collect();
    if expansions
        .iter()
        .any(|(&c, form)| c as usize >= BMP || form.iter().any(|&f| f as usize >= BMP))
    {
        return Err(PyValueError::new_err(
            "an expansion is of a BMP character, into BMP characters",
        ));
    }
    Ok(expansions)
}

/// The folding of a page.
struct Folding {
    /// Code points: the str is made from them.
    kept: Vec<u32>,
    word: Vec<u8>,
    letter: Vec<u8>,
    /// Where each position went in `kept`, one more than the characters; none if each went to one.
    at: Option<Vec<u8>>,
    /// Whether a dropped character stands right before one that joins the character before it.
    rejoins: bool,
    /// Whether every character of the text is a settled BMP character.
    settled: bool,
}

/// The folding of `text`: with `nfkc`, of each of its characters' NFKC forms (one character, or
/// several: a ligature's; the flags of `word` and `letter` are the text's own characters'), each
/// character folded to one or to several (a casefold's).
/// Returns the folded text without the dropped characters, a byte per character for a word
/// character and for one whose folding holds a letter (not a space alone), and where each
/// position went in the folded text (little-endian u32, one more than the characters; None where
/// each went to one character). None where the page cannot be folded so: a lone surrogate, a
/// character past the BMP or one the table cannot fold, or 2**32 characters or more. With
/// `symbols`, every character past the BMP is one the caller found to be a symbol that folds to a
/// space (an emoji): it is folded so. Then whether a dropped character stands right before one
/// that can join the character before it (`FoldTable::joins`): only there can the NFKC forms, NFKC
/// as a whole, not be once their dropped characters go; whether every character of the text is
/// settled (`FoldTable::settled`): each is its own NFKC form, and the text NFKC but for the order
/// of its dropped marks, which makes no difference here; last, whether every character of the
/// folded text is settled and not dropped: then the folded text is NFKC. The GIL is released while
/// the page is folded.
#[pyfunction]
#[pyo3(signature = (table, text, nfkc, symbols = false))]
#[allow(clippy::type_complexity)]
pub fn fold<'py>(
    py: Python<'py>,
    table: PyRef<'_, FoldTable>,
    text: &Bound<'py, PyString>,
    nfkc: bool,
    symbols: bool,
) -> PyResult<
    Option<(
        Bound<'py, PyString>,
        Bound<'py, PyBytes>,
        Bound<'py, PyBytes>,
        Option<Bound<'py, PyBytes>>,
        bool,
        bool,
        bool,
    )>,
> {
    let Some(text) = encodable(py, text)? else {
        return Ok(None);
    };
    let table: &FoldTable = &table;
    let Some(folding) = py.detach(|| folding(table, &text, nfkc, symbols)) else {
        return Ok(None);
    };
    Ok(Some((
        crate::py_string(py, &folding.kept)?,
        PyBytes::new(py, &folding.word),
        PyBytes::new(py, &folding.letter),
        folding.at.map(|at| PyBytes::new(py, &at)),
        folding.rejoins,
        folding.settled,
        folding.kept.iter().all(|&c| table.settles(c)),
    )))
}

/// The text with each character replaced by its NFKC form (`FoldTable::nfkc`, or its expansion);
/// None where a character has none in the BMP, is past it (but for a symbol, with `symbols`: see
/// `fold`), or is a lone surrogate. With it, whether every character of the result is settled
/// (`FoldTable::settled`; a symbol is): then the result is NFKC as a whole but for the order of the
/// dropped marks. (Where not, whether it is is for the caller to ask.)
#[pyfunction]
#[pyo3(signature = (table, text, symbols = false))]
pub fn nfkc_by_char<'py>(
    py: Python<'py>,
    table: PyRef<'_, FoldTable>,
    text: &Bound<'py, PyString>,
    symbols: bool,
) -> PyResult<Option<(Bound<'py, PyString>, bool)>> {
    let Some(text) = encodable(py, text)? else {
        return Ok(None);
    };
    let mut replaced = Vec::with_capacity(text.len());
    for &c in &text {
        if c as usize >= BMP {
            if !symbols {
                return Ok(None);
            }
            replaced.push(u32::from(c)); // a symbol is its own NFKC form
        } else {
            match table.nfkc_form(u32::from(c)) {
                Some(form) => replaced.extend_from_slice(form),
                None => return Ok(None),
            }
        }
    }
    let settled = replaced
        .iter()
        .all(|&c| c as usize >= BMP || table.settled[c as usize]);
    Ok(Some((crate::py_string(py, &replaced)?, settled)))
}

impl FoldTable {
    /// Whether a character of a folded text keeps it NFKC: settled, and not a dropped mark (which
    /// NFKC may move).
    fn settles(&self, c: u32) -> bool {
        (c as usize) < BMP && self.settled[c as usize] && !self.drop[c as usize]
    }

    /// The NFKC form of a BMP character, None where it is not of BMP characters.
    fn nfkc_form(&self, c: u32) -> Option<&[u32]> {
        let one = &self.nfkc[c as usize];
        if *one != BAD {
            return Some(std::slice::from_ref(one));
        }
        self.expansions.get(&c).map(Vec::as_slice)
    }

    /// What a BMP character folds to, None where the table cannot fold it.
    fn folding_of(&self, c: u32) -> Option<&[u32]> {
        let one = &self.fold[c as usize];
        if *one != BAD {
            return Some(std::slice::from_ref(one));
        }
        self.fold_expansions.get(&c).map(Vec::as_slice)
    }
}

/// A string's characters, None for one with a lone surrogate (it has no UTF-8).
fn encodable(py: Python<'_>, text: &Bound<'_, PyString>) -> PyResult<Option<Vec<char>>> {
    match chars(text) {
        Ok(chars) => Ok(Some(chars)),
        Err(e) if e.is_instance_of::<PyUnicodeEncodeError>(py) => Ok(None),
        Err(e) => Err(e),
    }
}

fn folding(table: &FoldTable, text: &[char], nfkc: bool, symbols: bool) -> Option<Folding> {
    if u32::try_from(text.len()).is_err() {
        return None; // positions are u32
    }
    let mut kept = Vec::with_capacity(text.len());
    let mut word = vec![0; text.len()];
    let mut letter = vec![0; text.len()];
    let mut at: Vec<u8> = vec![0; 4 * (text.len() + 1)];
    let (mut moved, mut rejoins, mut after_drop, mut settled) = (false, false, false, true);
    let mut position: u32 = 0;
    // Written in place, a character at a time: the buffers are as long as the text.
    let places = word
        .iter_mut()
        .zip(letter.iter_mut())
        .zip(at.chunks_exact_mut(4));
    for (&original, ((word, letter), at)) in text.iter().zip(places) {
        let original = u32::from(original);
        at.copy_from_slice(&position.to_le_bytes());
        if original as usize >= BMP {
            if !symbols {
                return None;
            }
            // A symbol past the BMP, as the caller found: a space.
            settled = false;
            kept.push(u32::from(b' '));
            position = position.checked_add(1)?;
            after_drop = false;
            continue;
        }
        settled &= table.settled[original as usize];
        let is_word = table.word[original as usize];
        let one = if nfkc {
            table.nfkc[original as usize]
        } else {
            original
        };
        let folded = if one != BAD {
            table.fold[one as usize]
        } else {
            BAD
        };
        if folded != BAD {
            // The common case: one character, folded to one.
            *word = u8::from(is_word);
            *letter = u8::from(is_word && folded != u32::from(b' '));
            if table.drop[one as usize] {
                (moved, after_drop) = (true, true);
            } else {
                rejoins |= after_drop && table.joins[one as usize];
                after_drop = false;
                char::from_u32(folded)?; // a lone surrogate has no UTF-8: not one the table folds to
                kept.push(folded);
                position = position.checked_add(1)?;
            }
            continue;
        }
        // A form of several characters (a ligature's: "ﷺ") or a folding of several (a casefold's:
        // "ß"), split into words where the folding holds a space: `folded_words` looks for one
        // only where the positions are given.
        moved = true;
        let form = if one != BAD {
            std::slice::from_ref(&one)
        } else {
            table.expansions.get(&original)?
        };
        let mut holds_letter = false;
        for &code in form {
            let folds = table.folding_of(code)?;
            holds_letter |= folds.iter().any(|&f| f != u32::from(b' '));
            if table.drop[code as usize] {
                after_drop = true;
                continue;
            }
            rejoins |= after_drop && table.joins[code as usize];
            after_drop = false;
            for &f in folds {
                char::from_u32(f)?;
                kept.push(f);
                position = position.checked_add(1)?;
            }
        }
        *word = u8::from(is_word);
        *letter = u8::from(is_word && holds_letter);
    }
    let last = at.len() - 4;
    at[last..].copy_from_slice(&position.to_le_bytes());
    let at = moved.then_some(at);
    Some(Folding {
        kept,
        word,
        letter,
        at,
        rejoins,
        settled,
    })
}
