//! What the learning pass takes of a page (`dedup.features.learning_pages`), in one call: its
//! blocks' shapes, examples and label candidates, the word 3-grams at its edges, its hash, and
//! its print's shingles and hashes. For a page without a flow line (one that kept its line
//! breaks: most pages); a page with one gets its blocks, as `segment` gives them. And the site's
//! counts of a page's edge 3-grams, as the cleaning pass reads them.

use std::borrow::Cow;

use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict, PyString};
use xxhash_rust::xxh3::{Xxh3, xxh3_64};

use crate::fold::{FoldTable, PyFolding, first_folding, py_folding};
use crate::segment::{
    BMP, Block, CharTable, Page, Positions, PyBlock, key_digits, on_page, on_settled_page,
    py_blocks, word_gram_hashes,
};
use crate::shingles::{joined_key_hashes, page_shingles};
use crate::texts::{excerpt, holds_separator, label_span};
use crate::words::spans;

/// What `learning_features` reads besides the page: `dedup.features`' limits, the rule's
/// `short_words`, and the salts of the 3-grams at a page's start and end.
#[derive(FromPyObject)]
#[pyo3(from_item_all)]
pub struct Limits {
    example_chars: usize,
    max_template_words: usize,
    short_words: usize,
    edge_words: usize,
    flow_line_words: usize,
    word_shingle: usize,
    edge_salt: u64,
    tail_salt: u64,
}

/// A page's features: its blocks' shapes (UTF-8, one line break between) and the distinct
/// `key_hashes` of those, sorted (little-endian u64 bytes); how many blocks stand before its first
/// long line; each block's example text (UTF-8, one line break between); (index, and its label's
/// start and end) of each block that a label opens (`label_span`); the hash of its blocks' keys,
/// one line break between; its distinct edge 3-grams, salted, sorted (little-endian u64 bytes);
/// its lines' `word_shingles` (little-endian u32 bytes); its key's `exact_hashes` (None for no
/// key).
type Features<'py> = (
    Bound<'py, PyBytes>,
    Bound<'py, PyBytes>,
    usize,
    Bound<'py, PyBytes>,
    Vec<(usize, usize, usize)>,
    u64,
    Bound<'py, PyBytes>,
    Bound<'py, PyBytes>,
    Option<(u64, u64)>,
);

/// The features of a page (`text`, `kept` and `at` as `segment` reads them; `word` and `letter`:
/// its folding's flags, a byte per character), or, for a page with a line of `flow_line_words`
/// words or more, None and its blocks. The GIL is released while the page is read.
#[pyfunction]
#[allow(clippy::too_many_arguments)]
pub fn learning_features<'py>(
    py: Python<'py>,
    table: PyRef<'_, CharTable>,
    text: &Bound<'_, PyString>,
    kept: &Bound<'_, PyString>,
    at: &[u8],
    word: &[u8],
    letter: &[u8],
    limits: Limits,
) -> PyResult<Learned<'py>> {
    if limits.word_shingle == 0 {
        return Err(PyValueError::new_err("a shingle holds 1 word or more"));
    }
    let found = on_page(py, &table, text, kept, at, |page| {
        page_features(page, word, letter, &limits)
    })?;
    py_features(py, found.map_err(PyValueError::new_err)?)
}

/// `learning_features` of a page folded here as `fold` folds it (without `nfkc` or `symbols`),
/// where that folding stands as it is (every character settled, the folded text NFKC, no dropped
/// mark before one that joins): most pages, whose folding Python then never holds. With it, the
/// folding `fold` gives (None where it gives None) where Python must finish it
/// (`dedup.normalize.Folded`) or take a page with a flow line from its blocks; the features None
/// where Python finishes the folding.
#[pyfunction]
pub fn folded_learning_features<'py>(
    py: Python<'py>,
    fold_table: PyRef<'_, FoldTable>,
    table: PyRef<'_, CharTable>,
    text: &Bound<'_, PyString>,
    limits: Limits,
) -> PyResult<(Option<Learned<'py>>, Option<PyFolding<'py>>)> {
    if limits.word_shingle == 0 {
        return Err(PyValueError::new_err("a shingle holds 1 word or more"));
    }
    let Some((codes, folding)) = first_folding(py, &fold_table, text)? else {
        return Ok((None, None));
    };
    if !folding.stands() {
        return Ok((None, Some(py_folding(py, &folding)?)));
    }
    let found = on_settled_page(py, &table, codes, &folding, |page| {
        page_features(page, &folding.word, &folding.letter, &limits)
    })?;
    let found = found.map_err(PyValueError::new_err)?;
    let flow = found.is_err(); // Python takes a page with a flow line from its blocks and folding
    let learned = py_features(py, found)?;
    let folding = if flow {
        Some(py_folding(py, &folding)?)
    } else {
        None
    };
    Ok((Some(learned), folding))
}

/// What `learning_features` gives Python: a page's features, or None and its blocks.
type Learned<'py> = (Option<Features<'py>>, Vec<PyBlock>);

/// A page's features and its blocks' shapes (`features`), or, for a page with a line of
/// `flow_line_words` words or more, its blocks.
type Found = Result<(Vec<String>, Rest), Vec<Block>>;

/// What `learning_features` finds of a page (`word` and `letter`: its folding's flags).
fn page_features(
    page: &Page,
    word: &[u8],
    letter: &[u8],
    limits: &Limits,
) -> Result<Found, &'static str> {
    if word.len() != page.text.len() || letter.len() != page.text.len() {
        return Err("the flags do not fit the text");
    }
    let blocks = page.blocks();
    let longest = blocks.iter().map(|b| b.5).max().unwrap_or(0);
    if longest >= limits.flow_line_words {
        return Ok(Err(blocks));
    }
    features(page, blocks, word, letter, limits).map(Ok)
}

/// The Python objects of what `page_features` found.
fn py_features<'py>(py: Python<'py>, found: Found) -> PyResult<Learned<'py>> {
    match found {
        Err(blocks) => Ok((None, py_blocks(py, blocks))),
        Ok((shapes, rest)) => {
            // Bytes, not a str each: the learning pass spools them, and only the counting reads them.
            let hashes = distinct_bytes(shapes.iter().map(|s| xxh3_64(s.as_bytes())).collect());
            let hashes = PyBytes::new(py, &hashes);
            let shapes = PyBytes::new(py, shapes.join("\n").as_bytes());
            let (head, texts, labelled, hash, grams, shingles, exact) = rest;
            let texts = PyBytes::new(py, texts.as_bytes());
            let shingles = crate::le_bytes(py, &shingles)?;
            let grams = PyBytes::new(py, &distinct_bytes(grams));
            Ok((
                Some((
                    shapes, hashes, head, texts, labelled, hash, grams, shingles, exact,
                )),
                Vec::new(),
            ))
        }
    }
}

/// The distinct values, sorted, as little-endian u64 bytes.
fn distinct_bytes(mut values: Vec<u64>) -> Vec<u8> {
    values.sort_unstable();
    values.dedup();
    values.iter().flat_map(|v| v.to_le_bytes()).collect()
}

/// The features but the shapes (`Features`), before Python gets them.
type Rest = (
    usize,
    String,
    Vec<(usize, usize, usize)>,
    u64,
    Vec<u64>,
    Vec<u32>,
    Option<(u64, u64)>,
);

/// `learning_features` of a page without a flow line: its blocks' shapes, and the rest.
fn features(
    page: &Page,
    blocks: Vec<Block>,
    word: &[u8],
    letter: &[u8],
    limits: &Limits,
) -> Result<(Vec<String>, Rest), &'static str> {
    let head = blocks
        .iter()
        .position(|b| b.5 > limits.short_words)
        .unwrap_or(blocks.len());
    // As UTF-8, one line break between (an excerpt holds none): a page's texts are read only for
    // the few shapes its site's other pages hold too.
    let mut texts = String::new();
    let mut labelled = Vec::new();
    for (k, b) in blocks.iter().enumerate() {
        let span = &page.text[b.0..b.1];
        if k > 0 {
            texts.push('\n');
        }
        excerpt(page.table, span, limits.example_chars, &mut texts);
        if b.6 <= limits.max_template_words && holds_separator(span) {
            if let Some((open, close)) =
                label_span(page.table, |i| word[i] != 0, page.text, b.0, b.1)
            {
                labelled.push((k, open, close));
            }
        }
    }
    // The blocks' keys joined by line breaks, hashed without the joined key made.
    let mut joined = Xxh3::new();
    for (k, b) in blocks.iter().enumerate() {
        if k > 0 {
            joined.update(b"\n");
        }
        joined.update(b.2.as_bytes());
    }
    let hash = joined.digest();
    let mut lines: Vec<Cow<[u8]>> = Vec::new(); // a line of one block is its key's
    for (k, b) in blocks.iter().enumerate() {
        if k > 0 && blocks[k - 1].3 == b.3 {
            let line = lines.last_mut().expect("a line opened").to_mut();
            line.push(b' ');
            line.extend_from_slice(b.2.as_bytes());
        } else {
            lines.push(Cow::Borrowed(b.2.as_bytes()));
        }
    }
    let grams = edge_grams(page, &blocks, word, letter, limits)?;
    let shingles = page_shingles(&lines, limits.word_shingle);
    let exact = if blocks.is_empty() {
        None
    } else {
        let found = joined_key_hashes(page.table, key_digits(&blocks));
        Some(found.ok_or("a character past the BMP")?)
    };
    let shapes = blocks.into_iter().map(|b| b.7.unwrap_or(b.2)).collect();
    Ok((
        shapes,
        (head, texts, labelled, hash, grams, shingles, exact),
    ))
}

/// `dedup.features.edge_grams`: the 3-grams of the first `edge_words` words of the page's first
/// line, salted with `edge_salt`, then those of the last `edge_words` of its last line.
fn edge_grams(
    page: &Page,
    blocks: &[Block],
    word: &[u8],
    letter: &[u8],
    limits: &Limits,
) -> Result<Vec<u64>, &'static str> {
    let (Some(first), Some(last)) = (blocks.first(), blocks.last()) else {
        return Ok(Vec::new());
    };
    let first_end = blocks.iter().take_while(|b| b.3 == first.3).count();
    let last_start = blocks.len() - blocks.iter().rev().take_while(|b| b.3 == last.3).count();
    let head = words(page, word, letter, first.0, blocks[first_end - 1].1)?;
    let tail = words(page, word, letter, blocks[last_start].0, last.1)?;
    let (head, tail) = edge_hashes(page.table, &head, &tail, limits.edge_words);
    let mut grams: Vec<u64> = head.into_iter().map(|h| h ^ limits.edge_salt).collect();
    grams.extend(tail.into_iter().map(|h| h ^ limits.tail_salt));
    Ok(grams)
}

/// The 3-gram hashes (`word_gram_hashes`) of the first `edge_words` of a page's first line's
/// words and of the last `edge_words` of its last line's.
fn edge_hashes(
    table: &CharTable,
    head: &[String],
    tail: &[String],
    edge_words: usize,
) -> (Vec<u64>, Vec<u64>) {
    let head = &head[..head.len().min(edge_words)];
    let tail = &tail[tail.len().saturating_sub(edge_words)..];
    (word_gram_hashes(table, head), word_gram_hashes(table, tail))
}

/// The pages a site's counts (`counts`: 3-gram hash -> pages) hold for each 3-gram of a page's
/// edges, as the cleaning pass reads them (`dedup.features.edge_counts`): those of the first
/// `edge_words` words of its first line (`lines`: its first and last line's start and end), XOR
/// the first of `salts`, and of the last `edge_words` of its last line, XOR the second; 0 where
/// they hold none. `text`, `kept`, `at`, `word` and `letter` as `learning_features` reads them;
/// only the two lines' are read.
#[pyfunction]
#[allow(clippy::too_many_arguments)] // the page, its two lines and the counts
pub fn edge_counts(
    table: PyRef<'_, CharTable>,
    text: &Bound<'_, PyString>,
    kept: &Bound<'_, PyString>,
    at: &[u8],
    word: &[u8],
    letter: &[u8],
    lines: ((usize, usize), (usize, usize)),
    edge_words: usize,
    counts: &Bound<'_, PyDict>,
    salts: (u64, u64),
) -> PyResult<(Vec<i64>, Vec<i64>)> {
    let n = text.len()?;
    let fits = |(start, end): (usize, usize)| start <= end && end <= n;
    let folded = if at.is_empty() {
        kept.len()? == n
    } else {
        at.len() == 4 * (n + 1)
    };
    if word.len() != n || letter.len() != n || !folded || !fits(lines.0) || !fits(lines.1) {
        return Err(PyValueError::new_err(
            "the lines, the flags or the folded text do not fit the text",
        ));
    }
    let line_words = |(start, end): (usize, usize)| -> PyResult<Vec<String>> {
        let (at, base, stop) = if at.is_empty() {
            (Positions(&[]), start, end)
        } else {
            let at = Positions(&at[4 * start..4 * (end + 1)]);
            (at, at.get(0), at.get(end - start))
        };
        if !at.0.is_empty() && !at.fit(end - start, stop) || base > stop || stop > kept.len()? {
            return Err(PyValueError::new_err(
                "the folded text does not fit the text",
            ));
        }
        let chars = crate::code_points_between(kept, base, stop)?
            .into_iter()
            .map(|code| char::from_u32(code).filter(|&c| (c as usize) < BMP))
            .collect::<Option<Vec<char>>>()
            .ok_or_else(|| PyValueError::new_err("a character the table cannot class"))?;
        span_words(&word[start..end], &letter[start..end], &at, &chars, base)
            .map_err(PyValueError::new_err)
    };
    let (head, tail) = (line_words(lines.0)?, line_words(lines.1)?);
    let (head, tail) = edge_hashes(&table, &head, &tail, edge_words);
    let pages = |hashes: Vec<u64>, salt: u64| {
        hashes
            .into_iter()
            .map(|hash| counts.get_item(hash ^ salt)?.map_or(Ok(0), |n| n.extract()))
            .collect::<PyResult<Vec<i64>>>()
    };
    Ok((pages(head, salts.0)?, pages(tail, salts.1)?))
}

/// The words of text[start:end] (`dedup.normalize.Folded.words`).
fn words(
    page: &Page,
    word: &[u8],
    letter: &[u8],
    start: usize,
    end: usize,
) -> Result<Vec<String>, &'static str> {
    let (word, letter) = (&word[start..end], &letter[start..end]);
    if page.at.0.is_empty() {
        return span_words(word, letter, &page.at, &page.kept[start..end], start);
    }
    let at = Positions(&page.at.0[4 * start..4 * (end + 1)]);
    let base = at.get(0);
    span_words(
        word,
        letter,
        &at,
        &page.kept[base..at.get(end - start)],
        base,
    )
}

/// The words of a span of a page: `word` and `letter` its flags, `at` where each of its
/// characters went in the folded text (empty where each went to one), `kept` the folded text of
/// the span, from the folded text's position `base` on.
fn span_words(
    word: &[u8],
    letter: &[u8],
    at: &Positions<'_>,
    kept: &[char],
    base: usize,
) -> Result<Vec<String>, &'static str> {
    let found = spans(word, letter, at, |k| kept[k - base] == ' ')
        .ok_or("the flags do not fit the folded text: a letter outside a word")?;
    // Without positions, a word's are the span's own.
    let base = if at.0.is_empty() { 0 } else { base };
    Ok(found
        .into_iter()
        .map(|(a, b, _, _)| kept[a as usize - base..b as usize - base].iter().collect())
        .collect())
}
