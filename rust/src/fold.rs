//! A page folded character for character (`dedup.normalize.Folded`): its folded text without the
//! dropped characters, where each position went in it, and each character's word flags.

use std::collections::HashMap;

use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyString};

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
    /// Whether it can join the character before it (compose with it, or move before it): a mark,
    /// a Hangul vowel or final jamo.
    joins: Vec<bool>,
    /// Whether NFKC leaves it as it is wherever it stands (a starter that nothing before it
    /// composes with), or it is a dropped mark that composes with nothing (NFKC may only move it).
    settled: Vec<bool>,
    /// What a page's folding reads of each character, in one value (`Entry`): one load a
    /// character where the tables above would take six.
    entries: Vec<Entry>,
}

/// A BMP character's folding and flags, as `folding` reads them for each character of a page.
#[derive(Clone, Copy)]
struct Entry {
    /// What it folds to where that is one character (`FoldTable::fold`), else `BAD`.
    fold: u32,
    /// `WORD`, `DROP`, `JOINS`, `SETTLED`, `FOLDS_TO_ONE`, `FOLDS_TO_LETTER`, `KEPT_CHAR`,
    /// `KEPT_SETTLED`.
    flags: u8,
}

const WORD: u8 = 1 << 0;
const DROP: u8 = 1 << 1;
const JOINS: u8 = 1 << 2;
const SETTLED: u8 = 1 << 3;
/// It folds to one character (not `BAD`).
const FOLDS_TO_ONE: u8 = 1 << 4;
/// It folds to one character that is not a space.
const FOLDS_TO_LETTER: u8 = 1 << 5;
/// It is dropped, or folds to a character that has UTF-8 (not a lone surrogate).
const KEPT_CHAR: u8 = 1 << 6;
/// It is dropped, or folds to a character that keeps a folded text NFKC (`FoldTable::settles`).
const KEPT_SETTLED: u8 = 1 << 7;
/// A settled character that folds to one that is kept (with `DROP` clear): `folding`'s common case.
const PLAIN: u8 = SETTLED | FOLDS_TO_ONE | KEPT_CHAR | KEPT_SETTLED;
/// A word character whose folding is a letter.
const WORD_LETTER: u8 = WORD | FOLDS_TO_LETTER;

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
        let mut table = FoldTable {
            nfkc: crate::from_le(nfkc, u32::from_le_bytes),
            expansions,
            fold: crate::from_le(fold, u32::from_le_bytes),
            fold_expansions,
            drop: drop.iter().map(|&b| b != 0).collect(),
            joins: joins.iter().map(|&b| b != 0).collect(),
            settled: settled.iter().map(|&b| b != 0).collect(),
            entries: Vec::new(),
        };
        // Whether a character is a word character (`\w`) is read only through its entry.
        table.entries = (0..BMP).map(|c| table.entry(c, word[c] != 0)).collect();
        Ok(table)
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
pub(crate) struct Folding {
    /// Code points: the str is made from them.
    pub(crate) kept: Vec<u32>,
    pub(crate) word: Vec<u8>,
    pub(crate) letter: Vec<u8>,
    /// Where each position went in `kept`, one more than the characters; none if each went to one.
    pub(crate) at: Option<Vec<u32>>,
    /// Whether a dropped character stands right before one that joins the character before it.
    pub(crate) rejoins: bool,
    /// Whether every character of the text (with `NFKC`, of their forms) is a settled BMP
    /// character.
    pub(crate) settled: bool,
    /// Whether every character of `kept` keeps it NFKC (`FoldTable::settles`).
    pub(crate) kept_settled: bool,
}

impl Folding {
    /// Whether it stands as it is (`dedup.normalize.Folded` takes its fast path with it, asking
    /// nothing more): every character settled, the folded text NFKC, no dropped mark before one
    /// that joins.
    pub(crate) fn stands(&self) -> bool {
        self.settled && self.kept_settled && !self.rejoins
    }
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
/// of its dropped marks, which makes no difference here (with `nfkc`: whether every character of
/// their forms is, as `nfkc_by_char` finds it); last, whether every character of the
/// folded text is settled and not dropped: then the folded text is NFKC. The GIL is released while
/// the page is folded.
#[pyfunction]
#[pyo3(signature = (table, text, nfkc, symbols = false))]
pub fn fold<'py>(
    py: Python<'py>,
    table: PyRef<'_, FoldTable>,
    text: &Bound<'py, PyString>,
    nfkc: bool,
    symbols: bool,
) -> PyResult<Option<PyFolding<'py>>> {
    let Some(text) = encodable(text)? else {
        return Ok(None);
    };
    let table: &FoldTable = &table;
    let folded = py.detach(|| {
        if nfkc {
            folding::<true>(table, &text, symbols)
        } else {
            folding::<false>(table, &text, symbols)
        }
    });
    folded.map(|folding| py_folding(py, &folding)).transpose()
}

/// `fold` of a text as `dedup.normalize.Folded` starts from it: by its own characters, or where
/// that folding is not settled and a character's NFKC form is not itself (which makes the text not
/// NFKC), by the characters' NFKC forms (`nfkc`); with whether it is the latter. None where the
/// folding tried gives none. The GIL is released while the page is folded.
#[pyfunction]
pub fn fold_first<'py>(
    py: Python<'py>,
    table: PyRef<'_, FoldTable>,
    text: &Bound<'py, PyString>,
) -> PyResult<Option<(PyFolding<'py>, bool)>> {
    let Some(text) = encodable(text)? else {
        return Ok(None);
    };
    let table: &FoldTable = &table;
    let folded = py.detach(|| {
        let own = folding::<false>(table, &text, false)?;
        let changed = |&c: &u32| table.nfkc.get(c as usize).is_some_and(|&form| form != c);
        if own.settled || !text.iter().any(changed) {
            return Some((own, false));
        }
        folding::<true>(table, &text, false).map(|forms| (forms, true))
    });
    folded
        .map(|(folding, by_forms)| Ok((py_folding(py, &folding)?, by_forms)))
        .transpose()
}

/// What `fold` gives Python of a folding.
pub(crate) type PyFolding<'py> = (
    Bound<'py, PyString>,
    Bound<'py, PyBytes>,
    Bound<'py, PyBytes>,
    Option<Bound<'py, PyBytes>>,
    bool,
    bool,
    bool,
);

/// The Python objects of a folding, as `fold` gives them.
pub(crate) fn py_folding<'py>(py: Python<'py>, folding: &Folding) -> PyResult<PyFolding<'py>> {
    Ok((
        crate::py_string(py, &folding.kept)?,
        PyBytes::new(py, &folding.word),
        PyBytes::new(py, &folding.letter),
        folding
            .at
            .as_deref()
            .map(|at| crate::le_bytes(py, at))
            .transpose()?,
        folding.rejoins,
        folding.settled,
        folding.kept_settled,
    ))
}

/// A text's code points and their folding as `fold` without `nfkc` or `symbols` makes it, the GIL
/// released; None where it makes none.
pub(crate) fn first_folding(
    py: Python<'_>,
    table: &FoldTable,
    text: &Bound<'_, PyString>,
) -> PyResult<Option<(Vec<u32>, Folding)>> {
    let Some(text) = encodable(text)? else {
        return Ok(None);
    };
    Ok(py
        .detach(|| folding::<false>(table, &text, false))
        .map(|folding| (text, folding)))
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
    let Some(text) = encodable(text)? else {
        return Ok(None);
    };
    let mut replaced = Vec::with_capacity(text.len());
    let Some(settled) = by_char(&table, &text, symbols, |form| {
        replaced.extend_from_slice(form)
    }) else {
        return Ok(None);
    };
    Ok(Some((crate::py_string(py, &replaced)?, settled)))
}

/// Each character's NFKC form given to `form` in turn (a symbol past the BMP, with `symbols`, as
/// itself), and whether every character of those is settled; None where one has no form.
fn by_char(
    table: &FoldTable,
    text: &[u32],
    symbols: bool,
    mut form: impl FnMut(&[u32]),
) -> Option<bool> {
    let mut settled = true;
    for c in text {
        if *c as usize >= BMP {
            if !symbols {
                return None;
            }
            form(std::slice::from_ref(c)); // a symbol is its own NFKC form, and settled
        } else {
            let own = table.nfkc_form(*c)?;
            settled &= own
                .iter()
                .all(|&f| f as usize >= BMP || table.settled[f as usize]);
            form(own);
        }
    }
    Some(settled)
}

impl FoldTable {
    /// The `Entry` of BMP character `c`, from the tables and whether it is a word character.
    fn entry(&self, c: usize, word: bool) -> Entry {
        let fold = self.fold[c];
        let one = fold != BAD;
        let flag = |set: bool, flag: u8| if set { flag } else { 0 };
        let flags = flag(word, WORD)
            | flag(self.drop[c], DROP)
            | flag(self.joins[c], JOINS)
            | flag(self.settled[c], SETTLED)
            | flag(one, FOLDS_TO_ONE)
            | flag(one && fold != u32::from(b' '), FOLDS_TO_LETTER)
            | flag(self.drop[c] || char::from_u32(fold).is_some(), KEPT_CHAR)
            | flag(self.drop[c] || (one && self.settles(fold)), KEPT_SETTLED);
        Entry { fold, flags }
    }

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

/// A string's code points, None for one with a lone surrogate (it has no UTF-8).
fn encodable(text: &Bound<'_, PyString>) -> PyResult<Option<Vec<u32>>> {
    let codes = crate::code_points(text)?;
    Ok((!crate::has_surrogate(&codes)).then_some(codes))
}

/// `fold` of a text's code points (`NFKC`: of their NFKC forms).
fn folding<const NFKC: bool>(table: &FoldTable, text: &[u32], symbols: bool) -> Option<Folding> {
    let n = text.len();
    if u32::try_from(n).is_err() {
        return None; // positions are u32
    }
    let mut kept = Vec::with_capacity(n);
    let (mut word, mut letter, mut at) = (vec![0; n], vec![0; n], vec![0_u32; n + 1]);
    let (mut moved, mut rejoins, mut after_drop) = (false, false, false);
    // The flags of every character, and of every form folded to one character, ANDed: one
    // register each, not a branch a character. A symbol past the BMP clears SETTLED (and
    // KEPT_SETTLED where a folded space is not settled), a form of several characters
    // KEPT_SETTLED where what it keeps is not.
    let (mut own_flags, mut form_flags) = (u8::MAX, u8::MAX);
    let (entries, nfkc) = (&table.entries[..BMP], &table.nfkc[..BMP]);
    // The slices walked together: no bound checked a character.
    let each = text.iter().zip(&mut word).zip(&mut letter).zip(&mut at);
    for (((&original, word_of), letter_of), at_of) in each {
        // A position past u32 (a text whose foldings make it longer) is found after the loop.
        *at_of = kept.len() as u32;
        if original as usize >= BMP {
            // A symbol past the BMP, as the caller found: a space.
            form_flags &= symbol(table, symbols, &mut kept)?;
            own_flags &= !SETTLED;
            after_drop = false;
            continue;
        }
        let own = entries[original as usize];
        if own.flags & (PLAIN | DROP) == PLAIN && (!NFKC || nfkc[original as usize] == original) {
            // The common case, in few steps: a settled character (its own NFKC form) folded to
            // one that is kept, which clears none of the flags ANDed.
            *word_of = own.flags & WORD;
            *letter_of = u8::from(own.flags & WORD_LETTER == WORD_LETTER);
            rejoins |= after_drop && own.flags & JOINS != 0;
            after_drop = false;
            kept.push(own.fold);
            continue;
        }
        own_flags &= own.flags;
        let is_word = own.flags & WORD != 0;
        *word_of = u8::from(is_word);
        // What the character's NFKC form (itself, without `NFKC`) folds to, and its flags.
        let one = if NFKC {
            nfkc[original as usize]
        } else {
            original
        };
        let form = match one {
            _ if !NFKC => own,
            BAD => Entry {
                fold: BAD,
                flags: 0,
            },
            // A BMP character (`nfkc` holds no other): the mask spares a check of bounds.
            one => entries[one as usize & (BMP - 1)],
        };
        if form.flags & FOLDS_TO_ONE != 0 {
            // The common case: one character, folded to one.
            *letter_of = u8::from(is_word) & u8::from(form.flags & FOLDS_TO_LETTER != 0);
            form_flags &= form.flags;
            if form.flags & DROP != 0 {
                (moved, after_drop) = (true, true);
            } else {
                rejoins |= after_drop && form.flags & JOINS != 0;
                after_drop = false;
                kept.push(form.fold);
            }
            continue;
        }
        moved = true;
        let several = several(table, original, one, after_drop, &mut kept)?;
        *letter_of = u8::from(is_word && several.holds_letter);
        rejoins |= several.rejoins;
        after_drop = several.after_drop;
        if !several.kept_settled {
            form_flags &= !KEPT_SETTLED;
        }
        if !several.form_settled {
            form_flags &= !SETTLED;
        }
    }
    // A lone surrogate has no UTF-8: not one the table folds to. Positions are u32.
    if form_flags & KEPT_CHAR == 0 || u32::try_from(kept.len()).is_err() {
        return None;
    }
    at[n] = kept.len() as u32;
    Some(Folding {
        kept,
        word,
        letter,
        at: moved.then_some(at),
        rejoins,
        // With `NFKC`, of the characters' forms (`by_char`'s): a symbol's is itself, settled.
        settled: (if NFKC { form_flags } else { own_flags }) & SETTLED != 0,
        kept_settled: form_flags & KEPT_SETTLED != 0,
    })
}

/// A symbol past the BMP folded (`fold`'s `symbols`): a space pushed to `kept`; the flags it
/// leaves of `KEPT_SETTLED` (those of a folded space). None where symbols are not folded so.
#[cold]
#[inline(never)]
fn symbol(table: &FoldTable, symbols: bool, kept: &mut Vec<u32>) -> Option<u8> {
    if !symbols {
        return None;
    }
    kept.push(u32::from(b' '));
    Some(if table.settles(u32::from(b' ')) {
        u8::MAX
    } else {
        !KEPT_SETTLED
    })
}

/// What folding a character of several adds to the folding, besides the characters it keeps.
struct Several {
    /// Whether its folding holds a letter (not a space alone).
    holds_letter: bool,
    /// Whether a dropped character of it (or the one before it, `after_drop`) stands right before
    /// one that joins the character before it.
    rejoins: bool,
    /// Whether it ends with a dropped character.
    after_drop: bool,
    /// Whether every character it keeps keeps the folded text NFKC.
    kept_settled: bool,
    /// Whether every character of its form is settled (`FoldTable::settled`).
    form_settled: bool,
}

/// The folding of a BMP character whose NFKC form (`one`, or `BAD` where it is of several
/// characters: a ligature's, "ﷺ") or whose folding is of several characters (a casefold's: "ß"),
/// its characters pushed to `kept` (split into words where the folding holds a space:
/// `folded_words` looks for one only where the positions are given); None where one cannot be
/// folded. Apart from `folding`'s loop, which then holds its own values in registers: most pages
/// have no such character.
#[cold]
#[inline(never)]
fn several(
    table: &FoldTable,
    original: u32,
    one: u32,
    mut after_drop: bool,
    kept: &mut Vec<u32>,
) -> Option<Several> {
    let form = if one != BAD {
        std::slice::from_ref(&one)
    } else {
        table.expansions.get(&original)?
    };
    let (mut holds_letter, mut rejoins, mut kept_settled) = (false, false, true);
    let form_settled = form
        .iter()
        .all(|&f| f as usize >= BMP || table.settled[f as usize]);
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
            kept_settled &= table.settles(f);
            kept.push(f);
        }
    }
    Some(Several {
        holds_letter,
        rejoins,
        after_drop,
        kept_settled,
        form_settled,
    })
}
