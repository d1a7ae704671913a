//! Short islands: the runs of short kept blocks stranded between removed blocks at a page's tail
//! and before its headline (`dedup.detect.context`). Python makes the decisions.

use std::collections::HashSet;

use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::{PySequence, PyString};

use crate::segment::{block_field, field};
use crate::site::read_block;
use crate::spans::{Removed, kept_runs, removed_kind};

/// Which short lines may go as islands (`dedup.config.Islands`).
#[derive(FromPyObject)]
pub struct Limits {
    max_words: i64,
    max_chars: i64,
    max_blocks: i64,
}

/// A page's blocks, read where asked (`dedup.detect.context` needs a page's tail or its head, not
/// every block).
struct Page<'a, 'py> {
    blocks: &'a Bound<'py, PySequence>,
    flow: HashSet<i64>,
    limits: Limits,
}

impl Page<'_, '_> {
    fn of<'a, 'py>(
        blocks: &'a Bound<'py, PySequence>,
        removed: &'a Bound<'py, PySequence>,
        flow_lines: Vec<i64>,
        limits: Limits,
    ) -> PyResult<Page<'a, 'py>> {
        if removed.len()? != blocks.len()? {
            return Err(PyValueError::new_err("removed holds one kind a block"));
        }
        let flow = flow_lines.into_iter().collect();
        Ok(Page {
            blocks,
            flow,
            limits,
        })
    }

    /// Whether block k is short: a sentence of a flattened page (where sentences are units) by
    /// its own words and characters, any other block by its line's words.
    fn short(&self, k: usize) -> PyResult<bool> {
        let block = self.blocks.get_item(k)?;
        let b = read_block(&block)?;
        let words = if self.flow.contains(&b.line) {
            b.words
        } else {
            b.line_words
        };
        let chars = block_field(&block, field::KEY)?.cast::<PyString>()?.len()? as i64;
        Ok(words <= self.limits.max_words && chars <= self.limits.max_chars)
    }
}

/// The runs (first, end) of short kept blocks that `context.detect` takes, but for its look at
/// full stops: after the page's last long kept block, or after the article's last paragraph
/// (`article_end`) where that comes first, bounded by removed blocks or the page's end.
#[pyfunction]
pub fn island_runs(
    blocks: &Bound<'_, PySequence>,
    removed: &Bound<'_, PySequence>,
    furniture: HashSet<String>,
    repeat: &str,
    flow_lines: Vec<i64>,
    limits: Limits,
    article_end: Option<usize>,
) -> PyResult<Vec<(usize, usize)>> {
    let page = Page::of(blocks, removed, flow_lines, limits)?;
    let kind = |k: usize| removed_kind(&removed.get_item(k)?, &furniture, Some(repeat));
    let n = blocks.len()?;
    let mut last_long = None;
    for k in (0..n).rev() {
        if kind(k)? == Removed::Kept && !page.short(k)? {
            last_long = Some(k);
            break;
        }
    }
    let Some(last_long) = last_long else {
        return Ok(Vec::new());
    };
    let tail = article_end.map_or(last_long, |end| end.min(last_long));
    let kinds = (tail..n).map(kind).collect::<PyResult<Vec<_>>>()?; // block k's is kinds[k - tail]
    let short = (tail..n)
        .map(|k| Ok(kinds[k - tail] == Removed::Kept && page.short(k)?))
        .collect::<PyResult<Vec<bool>>>()?;
    let stays = |k: usize| short[k - tail]; // kept and short
    let mut runs = Vec::new();
    // A long kept block (a comment, a teaser's summary) parts two runs, and bounds neither.
    for (i, j) in kept_runs(n, tail + 1, stays) {
        let before = kinds[i - 1 - tail]; // i > tail; Kept: a long kept block
        let after = kinds.get(j - tail).copied(); // None: the page's end
        let card_title = j - i == 1 && after == Some(Removed::Repeat);
        let furniture_frame = before == Removed::Furniture && after == Some(Removed::Furniture);
        if i < last_long && !furniture_frame {
            continue; // before a comment: only between the site's own furniture (a widget's frame)
        }
        let bounded = before != Removed::Kept && after != Some(Removed::Kept);
        if (bounded || card_title) && (j - i) as i64 <= page.limits.max_blocks {
            runs.push((i, j));
        }
    }
    Ok(runs)
}

/// The runs (first, end) of short kept blocks before the page's headline (block `headline`) that
/// `context.before_headline` takes: bounded by removed blocks or the page's start.
#[pyfunction]
pub fn headline_runs(
    blocks: &Bound<'_, PySequence>,
    removed: &Bound<'_, PySequence>,
    headline: usize,
    flow_lines: Vec<i64>,
    limits: Limits,
) -> PyResult<Vec<(usize, usize)>> {
    let page = Page::of(blocks, removed, flow_lines, limits)?;
    let end = headline.min(blocks.len()?);
    let kept = (0..end)
        .map(|k| Ok(removed.get_item(k)?.is_none()))
        .collect::<PyResult<Vec<bool>>>()?;
    let short = (0..end)
        .map(|k| Ok(kept[k] && page.short(k)?))
        .collect::<PyResult<Vec<bool>>>()?;
    Ok(kept_runs(end, 0, |k| kept[k])
        .into_iter()
        .filter(|&(i, j)| j < headline && short[i..j].iter().all(|&s| s))
        .collect())
}
