//! A page cut into blocks (`dedup.segment.segment`): lines, the sentences of lines, and each one's
//! matching key, shape and words, from a page whose folding (`dedup.normalize.Folded`) took the
//! fast path; the keys of its lines (`dedup.keys.line_keys`); the hashes of words' 3-grams
//! (`dedup.keys.gram_hashes`), which class their words with the same table.
//!
//! Character classes come from Python (`CharTable`), built there with `str` methods and the
//! `regex` module, so that the cut is exactly the Python code's on every character of the BMP (a
//! page with a character past it never takes the fast path).

use std::borrow::Cow;
use std::collections::HashSet;

use foldhash::fast::RandomState;

use pyo3::exceptions::{PyTypeError, PyUnicodeEncodeError, PyValueError};
use pyo3::intern;
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyBytes, PyDict, PyList, PyString, PyTuple, PyType};
use xxhash_rust::xxh3::xxh3_64;

use crate::fold::{FoldTable, Folding, first_folding};
use crate::made::Made;
use crate::shingles::joined_key_hashes;

pub(crate) const BMP: usize = 0x10000;

/// `str.isspace`: what `str.split` splits on.
pub(crate) const SPACE: u16 = 1 << 0;
/// `\s` of the `regex` module: what follows a sentence's stop.
pub(crate) const REGEX_SPACE: u16 = 1 << 1;
/// `\p{Cf}`: a format mark (a bidi mark) between a stop and the next sentence's letter.
const FORMAT: u16 = 1 << 2;
/// `\p{L}`: a letter that may open a sentence glued to a stop.
const LETTER: u16 = 1 << 3;
/// `str.isalpha`.
const ALPHA: u16 = 1 << 4;
/// `str.isupper`.
const UPPER: u16 = 1 << 5;
/// `str.isdigit`.
const DIGIT: u16 = 1 << 6;
/// `SENTENCE_STOPS`.
pub(crate) const STOP: u16 = 1 << 7;
/// `CLOSING_MARKS`.
pub(crate) const CLOSING: u16 = 1 << 8;
/// A script written without spaces (`dedup.normalize.key_words`).
const NO_SPACE: u16 = 1 << 9;
/// `ARABIC_ABBREVIATIONS`: a letter with a dot that shortens a word.
const ARABIC_ABBREVIATION: u16 = 1 << 10;
/// What opens a word before an abbreviation: `(`, quotes.
const OPENING: u16 = 1 << 11;
/// `\d` of the `regex` module: a word with one is a slot of a shape.
pub(crate) const REGEX_DIGIT: u16 = 1 << 12;
/// `\w` of the `regex` module: what a label's opening marks are not (`dedup.keys._LABEL`).
pub(crate) const REGEX_WORD: u16 = 1 << 13;
/// What a run of slot words becomes in a shape (`dedup.normalize.SLOT`).
const SLOT: &str = "0";

/// The longest word `abbreviation_dot` looks at (`_ABBREVIATION_CHARS`).
const ABBREVIATION_CHARS: usize = 6;
/// Characters per word in a script written without spaces (`NO_SPACE_CHARS_PER_WORD`).
const NO_SPACE_CHARS_PER_WORD: usize = 2;

/// A set of words, looked up once or more per word of a page: a fast hash.
type Words = HashSet<String, RandomState>;

/// The classes of every BMP character and the abbreviations, as `dedup.segment` defines them.
#[pyclass(frozen)]
pub struct CharTable {
    flags: Vec<u16>,
    /// `c.lower()` where that is one ASCII character, else 0.
    lower: Vec<u8>,
    abbreviations: Words,
    number_abbreviations: Words,
    /// Month and weekday names, slots of a shape like numbers (`SLOT_WORDS`).
    slot_words: Words,
}

#[pymethods]
impl CharTable {
    /// `flags`: a little-endian u16 of class bits per BMP character; `lower`: a byte per BMP
    /// character.
    #[new]
    fn new(
        flags: &[u8],
        lower: &[u8],
        abbreviations: Words,
        number_abbreviations: Words,
        slot_words: Words,
    ) -> PyResult<Self> {
        if flags.len() != 2 * BMP || lower.len() != BMP {
            return Err(PyValueError::new_err(
                "a table holds a value for each of the 65536 BMP characters",
            ));
        }
        Ok(CharTable {
            flags: crate::from_le(flags, u16::from_le_bytes),
            lower: lower.to_vec(),
            abbreviations,
            number_abbreviations,
            slot_words,
        })
    }
}

impl CharTable {
    pub(crate) fn is(&self, c: char, class: u16) -> bool {
        self.is_code(c as u32, class)
    }

    /// Whether a code point (a lone surrogate too) is of a class; none past the BMP is.
    pub(crate) fn is_code(&self, code: u32, class: u16) -> bool {
        // The table holds one value for each BMP character: one bound check is both checks.
        self.flags
            .get(code as usize)
            .is_some_and(|&flags| flags & class != 0)
    }

    /// `word.lower()` where it is ASCII, else None.
    fn ascii_lower(&self, word: &[char]) -> Option<String> {
        word.iter()
            .map(|&c| match self.lower.get(c as usize) {
                Some(&l) if l != 0 => Some(char::from(l)),
                _ => None,
            })
            .collect()
    }
}

/// A block: start, end, key, line, whole line, the line's words, the key's words, and its shape
/// where that is not the key.
pub(crate) type Block = (
    usize,
    usize,
    String,
    usize,
    bool,
    usize,
    usize,
    Option<String>,
);

/// A block as Python gets it: the key's own string for a shape without slots.
pub(crate) type PyBlock = (
    usize,
    usize,
    Py<PyString>,
    usize,
    bool,
    usize,
    usize,
    Py<PyString>,
);

/// Where each field of a `dedup.page.Block` (a tuple, as `PyBlock` makes it) stands.
pub(crate) mod field {
    pub(crate) const START: usize = 0;
    pub(crate) const END: usize = 1;
    pub(crate) const KEY: usize = 2;
    pub(crate) const LINE: usize = 3;
    pub(crate) const WHOLE_LINE: usize = 4;
    pub(crate) const LINE_WORDS: usize = 5;
    pub(crate) const WORDS: usize = 6;
    pub(crate) const SHAPE: usize = 7;
}

/// One field of a `dedup.page.Block` (`field`), read by its position, borrowed from the block.
pub(crate) fn block_field<'a, 'py>(
    block: &'a Bound<'py, PyAny>,
    at: usize,
) -> PyResult<Borrowed<'a, 'py, PyAny>> {
    block.cast::<PyTuple>()?.get_borrowed_item(at)
}

/// The blocks of a page, each made as a `block` (`dedup.page.Block`, a tuple of the fields of
/// `PyBlock` in order): `text`, and `kept`, its folded text without the dropped characters (`at`:
/// where each position of the text went in `kept`, as little-endian u32 bytes, one more than the
/// text's characters, read in place; empty where no character was dropped). The GIL is released
/// while the page is cut.
#[pyfunction]
pub fn segment<'py>(
    py: Python<'py>,
    table: PyRef<'_, CharTable>,
    text: &Bound<'py, PyString>,
    kept: &Bound<'py, PyString>,
    at: &[u8],
    block: &Bound<'py, PyType>,
) -> PyResult<Bound<'py, PyList>> {
    let blocks = on_page(py, &table, text, kept, at, |page| page.blocks())?;
    made_blocks(py, block, blocks)
}

/// The blocks of a page, with the hashes of its key (`hashed_segment`).
type Hashed<'py> = (Bound<'py, PyList>, Option<(u64, u64)>);

/// `segment`, with the `exact_hashes` of the page's key its blocks' keys make, one space between
/// (`block_key_hashes`), from the keys as they are cut: None for a page without blocks.
#[pyfunction]
pub fn hashed_segment<'py>(
    py: Python<'py>,
    table: PyRef<'_, CharTable>,
    text: &Bound<'py, PyString>,
    kept: &Bound<'py, PyString>,
    at: &[u8],
    block: &Bound<'py, PyType>,
) -> PyResult<Hashed<'py>> {
    let (blocks, hashes) = on_page(py, &table, text, kept, at, |page| {
        let blocks = page.blocks();
        let hashes = if blocks.is_empty() {
            None
        } else {
            joined_key_hashes(page.table, key_digits(&blocks))
        };
        (blocks, hashes)
    })?;
    Ok((made_blocks(py, block, blocks)?, hashes))
}

/// Each block's key, and whether it may hold a digit: a key without a slot is its own shape
/// (`shaped_key`), and a digit makes a slot.
pub(crate) fn key_digits(blocks: &[Block]) -> impl Iterator<Item = (&str, bool)> {
    blocks.iter().map(|b| (b.2.as_str(), b.7.is_some()))
}

/// The blocks as a list of `block`s (a tuple type).
fn made_blocks<'py>(
    py: Python<'py>,
    block: &Bound<'py, PyType>,
    blocks: Vec<Block>,
) -> PyResult<Bound<'py, PyList>> {
    if !block.is_subclass_of::<PyTuple>()? {
        return Err(PyTypeError::new_err("a block is a tuple"));
    }
    let block = Made::of(block)?;
    let made = py_blocks(py, blocks)
        .into_iter()
        .map(|(start, end, key, line, whole, line_words, words, shape)| {
            let fields = [
                start.into_pyobject(py)?.into_any(),
                end.into_pyobject(py)?.into_any(),
                key.into_bound(py).into_any(),
                line.into_pyobject(py)?.into_any(),
                PyBool::new(py, whole).to_owned().into_any(),
                line_words.into_pyobject(py)?.into_any(),
                words.into_pyobject(py)?.into_any(),
                shape.into_bound(py).into_any(),
            ];
            block.tuple(fields)
        })
        .collect::<PyResult<Vec<_>>>()?;
    PyList::new(py, made)
}

/// Blocks as Python gets them.
pub(crate) fn py_blocks(py: Python<'_>, blocks: Vec<Block>) -> Vec<PyBlock> {
    blocks
        .into_iter()
        .map(|(start, end, key, line, whole, line_words, words, shape)| {
            let key = PyString::new(py, &key).unbind();
            let shape = match shape {
                Some(shape) => PyString::new(py, &shape).unbind(),
                None => key.clone_ref(py),
            };
            (start, end, key, line, whole, line_words, words, shape)
        })
        .collect()
}

/// The keys of a page's lines, empty ones left out (`dedup.keys.line_keys`): `text`, `kept` and
/// `at` as `segment` reads them. The GIL is released while they are made.
#[pyfunction]
pub fn line_keys(
    py: Python<'_>,
    table: PyRef<'_, CharTable>,
    text: &Bound<'_, PyString>,
    kept: &Bound<'_, PyString>,
    at: &[u8],
) -> PyResult<Vec<Py<PyString>>> {
    let keys = on_page(py, &table, text, kept, at, |page| page.line_keys())?;
    Ok(keys
        .iter()
        .map(|key| PyString::new(py, key).unbind())
        .collect())
}

/// The `word_shingles` of a page's `line_keys`, as little-endian u32 bytes, without a key made
/// for Python: `text`, `kept` and `at` as `segment` reads them. The GIL is released while they
/// are made.
#[pyfunction]
pub fn line_shingles<'py>(
    py: Python<'py>,
    table: PyRef<'_, CharTable>,
    text: &Bound<'py, PyString>,
    kept: &Bound<'py, PyString>,
    at: &[u8],
    size: usize,
) -> PyResult<Bound<'py, PyBytes>> {
    if size == 0 {
        return Err(PyValueError::new_err("a shingle holds 1 word or more"));
    }
    let hashes = on_page(py, &table, text, kept, at, |page| {
        crate::shingles::page_shingles(&page.line_keys(), size)
    })?;
    crate::le_bytes(py, &hashes)
}

/// `line_shingles` of a text folded here as `fold` folds it (without `nfkc` or `symbols`), where
/// that folding stands as it is (`Folding::stands`): most texts, whose folding Python then never
/// holds; None where Python must fold it (`dedup.normalize.Folded`). The GIL is released while the
/// text is folded and its shingles made.
#[pyfunction]
pub fn folded_line_shingles<'py>(
    py: Python<'py>,
    fold_table: PyRef<'_, FoldTable>,
    table: PyRef<'_, CharTable>,
    text: &Bound<'py, PyString>,
    size: usize,
) -> PyResult<Option<Bound<'py, PyBytes>>> {
    if size == 0 {
        return Err(PyValueError::new_err("a shingle holds 1 word or more"));
    }
    let Some((codes, folding)) = first_folding(py, &fold_table, text)? else {
        return Ok(None);
    };
    if !folding.stands() {
        return Ok(None);
    }
    let hashes = on_settled_page(py, &table, codes, &folding, |page| {
        crate::shingles::page_shingles(&page.line_keys(), size)
    })?;
    crate::le_bytes(py, &hashes).map(Some)
}

/// A positive 63-bit hash (xxh3, seed 0, shifted right once) of every 3-gram of the words, one
/// space between them, as little-endian u64 bytes (`dedup.keys.gram_hashes`): each word that is a
/// month or weekday name, or holds a digit without being all letters, is the slot `0` first
/// (`slot_words`). None for words the table cannot class: with a character past the BMP or a lone
/// surrogate.
#[pyfunction]
pub fn gram_hashes<'py>(
    py: Python<'py>,
    table: PyRef<'_, CharTable>,
    words: Vec<Bound<'py, PyString>>,
) -> PyResult<Option<Bound<'py, PyBytes>>> {
    let Some(checked) = bmp_words(&words) else {
        return Ok(None);
    };
    let hashes: Vec<u8> = word_gram_hashes(&table, &checked)
        .into_iter()
        .flat_map(u64::to_le_bytes)
        .collect();
    Ok(Some(PyBytes::new(py, &hashes)))
}

/// The pages `counts` (a site's dict: 3-gram hash -> pages) holds for each `gram_hashes` hash of
/// the words, XOR `salt`, and 0 where it holds none; None for words the table cannot class.
#[pyfunction]
pub fn gram_counts(
    table: PyRef<'_, CharTable>,
    words: Vec<Bound<'_, PyString>>,
    counts: &Bound<'_, PyDict>,
    salt: u64,
) -> PyResult<Option<Vec<i64>>> {
    let Some(checked) = bmp_words(&words) else {
        return Ok(None);
    };
    let hashes = word_gram_hashes(&table, &checked);
    let found = hashes
        .into_iter()
        .map(|hash| counts.get_item(hash ^ salt)?.map_or(Ok(0), |n| n.extract()))
        .collect::<PyResult<Vec<i64>>>()?;
    Ok(Some(found))
}

/// The words' texts, where each is of the BMP without a lone surrogate (what the table classes).
fn bmp_words<'a>(words: &'a [Bound<'_, PyString>]) -> Option<Vec<Cow<'a, str>>> {
    let mut checked = Vec::with_capacity(words.len());
    for word in words {
        let word = word.to_cow().ok()?; // an error: a lone surrogate
        if word.chars().any(|c| c as usize >= BMP) {
            return None;
        }
        checked.push(word);
    }
    Some(checked)
}

/// The words with each that is a month or weekday name, or holds a digit without being all
/// letters, as the slot `0` (`dedup.keys.slot_words`); None for words the table cannot class: with
/// a character past the BMP or a lone surrogate.
#[pyfunction]
pub fn slotted_words<'py>(
    py: Python<'py>,
    table: PyRef<'_, CharTable>,
    words: Vec<Bound<'py, PyString>>,
) -> PyResult<Option<Vec<Bound<'py, PyString>>>> {
    let Some(checked) = bmp_words(&words) else {
        return Ok(None);
    };
    let slot = intern!(py, SLOT);
    let slotted = words
        .iter()
        .zip(&checked)
        .map(|(word, text)| {
            if is_slot(&table, text) {
                slot.clone()
            } else {
                word.clone()
            }
        })
        .collect();
    Ok(Some(slotted))
}

/// Whether a word of the BMP is a slot word (`slotted_words`).
fn is_slot(table: &CharTable, word: &str) -> bool {
    let letters = !word.is_empty() && word.chars().all(|c| table.is(c, ALPHA));
    table.slot_words.contains(word) || (!letters && word.chars().any(|c| table.is(c, DIGIT)))
}

/// `gram_hashes` of words of the BMP.
pub(crate) fn word_gram_hashes<S: AsRef<str>>(table: &CharTable, words: &[S]) -> Vec<u64> {
    let slotted: Vec<&str> = words
        .iter()
        .map(|word| {
            let word = word.as_ref();
            if is_slot(table, word) { SLOT } else { word }
        })
        .collect();
    let mut gram = String::new();
    slotted
        .windows(3)
        .map(|three| {
            gram.clear();
            gram.push_str(three[0]);
            for word in &three[1..] {
                gram.push(' ');
                gram.push_str(word);
            }
            xxh3_64(gram.as_bytes()) >> 1
        })
        .collect()
}

/// `work` done on a page (`text`, `kept` and `at` as `segment` reads them, checked) without the GIL.
pub(crate) fn on_page<R: Send>(
    py: Python<'_>,
    table: &CharTable,
    text: &Bound<'_, PyString>,
    kept: &Bound<'_, PyString>,
    at: &[u8],
    work: impl FnOnce(&Page) -> R + Send,
) -> PyResult<R> {
    let (text, kept) = (chars(text)?, chars(kept)?);
    let at = Positions(at);
    if !at.fit(text.len(), kept.len()) {
        return Err(PyValueError::new_err(
            "the folded text does not fit the text",
        ));
    }
    // A symbol past the BMP (an emoji) folds to a space and is of no class; a character past the
    // BMP in the folded text is one the table cannot class.
    // The largest code point, without an early exit: a loop the compiler vectorizes.
    if kept.iter().map(|&c| c as usize).max().unwrap_or(0) >= BMP {
        return Err(PyValueError::new_err("a character past the BMP"));
    }
    Ok(py.detach(|| {
        work(&Page {
            table,
            text: &text,
            kept: &kept,
            at,
        })
    }))
}

/// `work` done without the GIL on a page (`codes`: its code points) whose folding stands as it is
/// (`Folding::stands`): its characters and those they fold to are of the BMP.
pub(crate) fn on_settled_page<R: Send>(
    py: Python<'_>,
    table: &CharTable,
    codes: Vec<u32>,
    folding: &Folding,
    work: impl FnOnce(&Page) -> R + Send,
) -> PyResult<R> {
    let text = into_chars(codes).map_err(|_| PyValueError::new_err("a lone surrogate"))?;
    let kept = into_chars(folding.kept.clone())
        .map_err(|_| PyValueError::new_err("the folding holds a lone surrogate"))?;
    let positions = folding.at.as_deref().unwrap_or_default();
    let mut at = vec![0; 4 * positions.len()]; // as `Positions` reads them
    for (to, position) in at.chunks_exact_mut(4).zip(positions) {
        to.copy_from_slice(&position.to_le_bytes());
    }
    Ok(py.detach(|| {
        work(&Page {
            table,
            text: &text,
            kept: &kept,
            at: Positions(&at),
        })
    }))
}

/// A string's characters; a lone surrogate raises UnicodeEncodeError, as Python's encoder does.
pub(crate) fn chars(text: &Bound<'_, PyString>) -> PyResult<Vec<char>> {
    into_chars(crate::code_points(text)?).map_err(|codes| {
        let i = codes
            .iter()
            .position(|&code| char::from_u32(code).is_none())
            .expect("a surrogate");
        let reason = "surrogates not allowed";
        let args = ("utf-8", text.clone().unbind(), i, i + 1, reason);
        PyUnicodeEncodeError::new_err(args)
    })
}

/// Code points as characters, the vector taken over; given back where one is not a character (a
/// str's lone surrogate).
pub(crate) fn into_chars(codes: Vec<u32>) -> Result<Vec<char>, Vec<u32>> {
    // Every one looked at, no early exit: the loop runs in vector registers.
    let bad = codes.iter().fold(false, |bad, &c| {
        bad | (c > 0x10_FFFF) | (c & !0x7FF == 0xD800)
    });
    if bad {
        return Err(codes);
    }
    let mut codes = std::mem::ManuallyDrop::new(codes);
    // SAFETY: every code point is at most 0x10FFFF and none is a surrogate (checked above), so
    // each is a char, which has the size and alignment of a u32: the vector is taken over as it is.
    Ok(unsafe {
        Vec::from_raw_parts(
            codes.as_mut_ptr().cast::<char>(),
            codes.len(),
            codes.capacity(),
        )
    })
}

pub(crate) struct Page<'a> {
    pub(crate) table: &'a CharTable,
    pub(crate) text: &'a [char],
    pub(crate) kept: &'a [char],
    pub(crate) at: Positions<'a>,
}

/// Little-endian u32 positions, read where they lie (a huge page's are not copied).
#[derive(Clone, Copy)]
pub(crate) struct Positions<'a>(pub(crate) &'a [u8]);

impl Positions<'_> {
    pub(crate) fn get(&self, i: usize) -> usize {
        let bytes = self.0[4 * i..4 * i + 4].try_into().expect("4 bytes");
        u32::from_le_bytes(bytes) as usize
    }

    /// Whether these are where `n` characters went in a folded text of `kept` characters: none
    /// (none dropped: as many characters), or n + 1 positions that rise to its end.
    pub(crate) fn fit(&self, n: usize, kept: usize) -> bool {
        if self.0.is_empty() {
            return kept == n;
        }
        let at = || {
            self.0
                .chunks_exact(4)
                .map(|b| u32::from_le_bytes(b.try_into().expect("4 bytes")))
        };
        self.0.len() == 4 * (n + 1)
            && at().zip(at().skip(1)).all(|(a, b)| a <= b)
            && self.get(n) == kept
    }
}

impl Page<'_> {
    pub(crate) fn blocks(&self) -> Vec<Block> {
        let mut blocks: Vec<Block> = Vec::new();
        let mut spans = Vec::new(); // room for each key's words
        for (line, (start, end)) in self.lines().into_iter().enumerate() {
            let pieces = self.sentences(start, end);
            let whole = pieces.len() == 1;
            let first = blocks.len();
            for (s, e) in pieces {
                if let Some((key, words, shape)) = self.shaped_key(s, e, &mut spans) {
                    blocks.push((s, e, key, line, whole, 0, words, shape));
                }
            }
            // Sentences end at punctuation or spaces, which fold to spaces: the line's words are
            // its sentences' words.
            let line_words = blocks[first..].iter().map(|b| b.6).sum();
            for block in &mut blocks[first..] {
                block.5 = line_words;
            }
        }
        blocks
    }

    /// The keys of the page's lines, empty ones left out.
    fn line_keys(&self) -> Vec<String> {
        let lines = self.lines().into_iter();
        lines
            .filter_map(|(start, end)| self.key(start, end, None).map(|(key, _)| key))
            .collect()
    }

    /// (start, end) of every line, its line break included (`line_spans`).
    fn lines(&self) -> Vec<(usize, usize)> {
        let mut lines = Vec::new();
        let mut start = 0;
        for (i, &c) in self.text.iter().enumerate() {
            if c == '\n' {
                lines.push((start, i + 1));
                start = i + 1;
            }
        }
        if start < self.text.len() {
            lines.push((start, self.text.len()));
        }
        lines
    }

    /// The sentences of text[start:end] (`sentence_spans`): a sentence ends after a run of stops
    /// and closing marks followed by spaces, or by a letter glued on (not a lowercase Latin one),
    /// maybe behind format marks; not at an abbreviation's dot, nor at the line's end.
    fn sentences(&self, start: usize, end: usize) -> Vec<(usize, usize)> {
        let (text, table) = (self.text, self.table);
        let run = |mut i: usize, class: u16| {
            while i < end && table.is(text[i], class) {
                i += 1;
            }
            i
        };
        let mut spans = Vec::new();
        let (mut pos, mut i) = (start, start);
        while i < end {
            // Most characters are no stop: the next one is looked for in one tight loop.
            match text[i..end].iter().position(|&c| table.is(c, STOP)) {
                Some(ahead) => i += ahead,
                None => break,
            }
            let marks_end = run(run(i, STOP), CLOSING);
            let matched_end = if marks_end < end && table.is(text[marks_end], REGEX_SPACE) {
                Some(run(marks_end, REGEX_SPACE))
            } else {
                let next = run(marks_end, FORMAT);
                let glued =
                    next < end && !text[next].is_ascii_lowercase() && table.is(text[next], LETTER);
                glued.then_some(marks_end)
            };
            let Some(matched_end) = matched_end else {
                i += 1;
                continue;
            };
            if matched_end > pos && matched_end < end && !self.abbreviation_dot(start, i) {
                spans.push((pos, matched_end));
                pos = matched_end;
            }
            i = matched_end;
        }
        if pos < end {
            spans.push((pos, end));
        }
        spans
    }

    /// Whether the dot at `dot` closes an abbreviation (`abbreviation_dot`).
    fn abbreviation_dot(&self, start: usize, dot: usize) -> bool {
        let (text, table) = (self.text, self.table);
        if text[dot] != '.' || text.get(dot + 1).is_some_and(|&c| table.is(c, STOP)) {
            return false;
        }
        let before = &text[start.max(dot.saturating_sub(ABBREVIATION_CHARS + 2))..dot];
        match before.last() {
            None => return false,
            Some(&c) if table.is(c, SPACE) => return false,
            _ => {}
        }
        let word_start = before
            .iter()
            .rposition(|&c| table.is(c, SPACE))
            .map_or(0, |i| i + 1);
        let mut word = &before[word_start..];
        while let [first, rest @ ..] = word {
            if !table.is(*first, OPENING) {
                break;
            }
            word = rest;
        }
        if !word.is_empty() && word.iter().all(|&c| table.is(c, ALPHA)) {
            let after_end = text.len().min(dot + 5);
            let after = &text[(dot + 1).min(after_end)..after_end];
            let after = &after[after
                .iter()
                .position(|&c| !table.is(c, SPACE))
                .unwrap_or(after.len())..];
            let lower = table.ascii_lower(word);
            let before_number = after.first().is_some_and(|&c| table.is(c, DIGIT))
                || after.starts_with(&['e', 'x']);
            if lower
                .as_ref()
                .is_some_and(|l| table.number_abbreviations.contains(l))
                && before_number
            {
                return true;
            }
            if let [c] = word {
                if !"aAI".contains(*c) && (table.is(*c, UPPER) || table.is(*c, ARABIC_ABBREVIATION))
                {
                    return true;
                }
            }
            return word.len() <= ABBREVIATION_CHARS
                && lower.is_some_and(|l| table.abbreviations.contains(&l));
        }
        // Dotted initials: "U.S", "e.g", "أ.د"
        let mut parts = word.split(|&c| c == '.');
        let parts_ok = parts.clone().count() > 1;
        parts_ok && parts.all(|p| p.len() == 1 && table.is(p[0], ALPHA))
    }

    /// The matching key of text[start:end] (`Folded.key`: its folded words, one space between)
    /// and its words (`key_words`: in scripts written without spaces, a run of 3 or more
    /// characters counts a word every `NO_SPACE_CHARS_PER_WORD` characters); None for no words.
    /// `spans` takes each word's (start, end) in the key and whether a `\d` is in it.
    fn key(
        &self,
        start: usize,
        end: usize,
        mut spans: Option<&mut Vec<(usize, usize, bool)>>,
    ) -> Option<(String, usize)> {
        let (a, b) = if self.at.0.is_empty() {
            (start, end)
        } else {
            (self.at.get(start), self.at.get(end))
        };
        let kept = &self.kept[a..b];
        let classes = &self.table.flags[..];
        let flags_of = |c: char| classes.get(c as usize).copied().unwrap_or(0); // none past the BMP
        let mut key = String::with_capacity(2 * kept.len());
        let (mut words, mut run) = (0, 0_usize);
        let mut i = 0;
        while i < kept.len() {
            let flags = flags_of(kept[i]);
            no_space_run(flags, &mut run, &mut words);
            if flags & SPACE != 0 {
                i += 1;
                continue;
            }
            // A word: its characters up to the next space, in one tight loop.
            if !key.is_empty() {
                key.push(' ');
            }
            words += 1;
            let word_start = key.len();
            let mut digit = flags & REGEX_DIGIT != 0; // a `\d` in the word
            key.push(kept[i]);
            i += 1;
            while i < kept.len() {
                let flags = flags_of(kept[i]);
                if flags & SPACE != 0 {
                    break;
                }
                no_space_run(flags, &mut run, &mut words);
                digit |= flags & REGEX_DIGIT != 0;
                key.push(kept[i]);
                i += 1;
            }
            if let Some(spans) = spans.as_deref_mut() {
                spans.push((word_start, key.len(), digit));
            }
        }
        no_space_run(flags_of(' '), &mut run, &mut words); // the end closes a run as a space does
        (!key.is_empty()).then_some((key, words))
    }

    /// `key`, with the key's shape (`dedup.normalize.shape`): each run of words that are numbers
    /// (a `\d` in them), month or weekday names as one slot; None where it has none (the shape is
    /// the key).
    fn shaped_key(
        &self,
        start: usize,
        end: usize,
        spans: &mut Vec<(usize, usize, bool)>,
    ) -> Option<(String, usize, Option<String>)> {
        spans.clear();
        let (key, words) = self.key(start, end, Some(&mut *spans))?;
        let slot = |&(a, b, digit): &(usize, usize, bool)| {
            digit || self.table.slot_words.contains(&key[a..b])
        };
        let Some(first) = spans.iter().position(slot) else {
            return Some((key, words, None));
        };
        // The key up to the first slot: the words before it, each with the space after it.
        let mut shape = String::with_capacity(key.len());
        shape.push_str(&key[..spans[first].0]);
        shape.push_str(SLOT);
        let mut after_slot = true;
        for span in &spans[first + 1..] {
            let is_slot = slot(span);
            if is_slot && after_slot {
                continue; // a run of slots is one slot
            }
            shape.push(' ');
            shape.push_str(if is_slot { SLOT } else { &key[span.0..span.1] });
            after_slot = is_slot;
        }
        Some((key, words, Some(shape)))
    }
}

/// One more character of a key for its count of words: a run of 3 or more characters of a script
/// written without spaces counts a word every `NO_SPACE_CHARS_PER_WORD` characters (its first is
/// counted already), as the run ends.
fn no_space_run(flags: u16, run: &mut usize, words: &mut usize) {
    if flags & NO_SPACE != 0 {
        *run += 1;
        return;
    }
    if *run >= 3 {
        *words += run.div_ceil(NO_SPACE_CHARS_PER_WORD) - 1;
    }
    *run = 0;
}
