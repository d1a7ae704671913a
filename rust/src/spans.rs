//! Which blocks of a page its decisions remove (`dedup.clean._removed_kinds`), what they leave of
//! them (`dedup.clean._left`) and of its words (`dedup.segment.outside`), and the removals they
//! make of the page (`dedup.audit.merge`).

use std::cmp::Reverse;
use std::collections::{HashMap, HashSet};

use pyo3::buffer::PyBuffer;
use pyo3::exceptions::PyValueError;
use pyo3::intern;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyList, PyString, PyType};

use crate::made::{DecisionSlots, Made, Slot};
use crate::segment::{CharTable, SPACE, block_field, field};

const LINE_BREAK: u32 = '\n' as u32;
const RETURN: u32 = '\r' as u32;

/// For each block (`dedup.page.Block`s, in order, apart), the kind of the first decision (in the
/// order given) that overlaps it, where the decisions that overlap it cover `share` of it or
/// more; None where they do not (most blocks: the article).
#[pyfunction]
pub fn removed_kinds<'py>(
    blocks: Vec<Bound<'py, PyAny>>,
    decisions: Vec<Bound<'py, PyAny>>,
    share: f64,
) -> PyResult<Vec<Option<Bound<'py, PyAny>>>> {
    let (block_starts, block_ends) = block_spans(&blocks)?;
    let Some(slots) = DecisionSlots::of_first(&decisions)? else {
        return Ok(vec![None; blocks.len()]);
    };
    let (starts, ends) = decision_spans(&decisions, &slots)?;
    let by = removed(&block_starts, &block_ends, &starts, &ends, share);
    by.into_iter()
        .map(|i| match usize::try_from(i) {
            Ok(i) => slots.kind.get(&decisions[i]).map(Some),
            Err(_) => Ok(None), // -1: no decision removes it
        })
        .collect()
}

/// What removes a block, as the detectors after the site's evidence tell removals apart: by the
/// site's own furniture (`dedup.page.SITE_FURNITURE`), as a repeat of the page, or by another kind.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Removed {
    Kept,
    Furniture,
    Repeat,
    Other,
}

/// A block's `Removed` from the kind that removes it (`removed_kinds`: a kind or None), given the
/// names of the furniture kinds and of the repeat kind (None: a repeat is told apart from no
/// other kind).
pub(crate) fn removed_kind(
    kind: &Bound<'_, PyAny>,
    furniture: &HashSet<String>,
    repeat: Option<&str>,
) -> PyResult<Removed> {
    if kind.is_none() {
        return Ok(Removed::Kept);
    }
    let name = kind.cast::<PyString>()?.to_str()?;
    Ok(if furniture.contains(name) {
        Removed::Furniture
    } else if repeat == Some(name) {
        Removed::Repeat
    } else {
        Removed::Other
    })
}

/// (first, end) of each run of blocks that `stays` holds for, from block `start` on.
pub(crate) fn kept_runs(
    n: usize,
    start: usize,
    stays: impl Fn(usize) -> bool,
) -> Vec<(usize, usize)> {
    let mut runs = Vec::new();
    let mut i = start;
    while i < n {
        if !stays(i) {
            i += 1;
            continue;
        }
        let mut j = i;
        while j < n && stays(j) {
            j += 1;
        }
        runs.push((i, j));
        i = j;
    }
    runs
}

/// The (start, end) of each block (`dedup.page.Block`).
fn block_spans(blocks: &[Bound<'_, PyAny>]) -> PyResult<(Vec<i64>, Vec<i64>)> {
    let starts = blocks
        .iter()
        .map(|b| block_field(b, field::START)?.extract());
    let ends = blocks.iter().map(|b| block_field(b, field::END)?.extract());
    Ok((
        starts.collect::<PyResult<_>>()?,
        ends.collect::<PyResult<_>>()?,
    ))
}

/// The (start, end) of each decision (`dedup.page.Decision`), read through its class's slots.
fn decision_spans<'py>(
    decisions: &[Bound<'py, PyAny>],
    slots: &DecisionSlots<'py>,
) -> PyResult<(Vec<i64>, Vec<i64>)> {
    let (mut starts, mut ends) = (
        Vec::with_capacity(decisions.len()),
        Vec::with_capacity(decisions.len()),
    );
    for decision in decisions {
        starts.push(slots.start.get(decision)?.extract()?);
        ends.push(slots.end.get(decision)?.extract()?);
    }
    Ok((starts, ends))
}

/// `decision_spans` of decisions of any one class (none: no spans).
fn spans_of(decisions: &[Bound<'_, PyAny>]) -> PyResult<(Vec<i64>, Vec<i64>)> {
    match DecisionSlots::of_first(decisions)? {
        Some(slots) => decision_spans(decisions, &slots),
        None => Ok((Vec::new(), Vec::new())),
    }
}

fn removed(
    block_starts: &[i64],
    block_ends: &[i64],
    starts: &[i64],
    ends: &[i64],
    share: f64,
) -> Vec<i64> {
    let mut first = vec![-1_i64; block_starts.len()];
    let mut covered = vec![0_i64; block_starts.len()];
    for (j, (&start, &end)) in (0_i64..).zip(starts.iter().zip(ends)) {
        // The blocks that end after the decision starts and start before it ends.
        let from = block_ends.partition_point(|&e| e <= start);
        let to = block_starts.partition_point(|&s| s < end);
        for k in from..to {
            if first[k] < 0 {
                first[k] = j;
            }
            covered[k] += end.min(block_ends[k]) - start.max(block_starts[k]);
        }
    }
    first
        .iter()
        .enumerate()
        .map(|(k, &j)| {
            let length = (block_ends[k] - block_starts[k]) as f64;
            if j >= 0 && covered[k] as f64 >= share * length {
                j
            } else {
                -1
            }
        })
        .collect()
}

/// What the decisions leave of the blocks (`dedup.page.Block`s, in order, apart), as the cleaned
/// page's blocks (`dedup.clean._left`): a block no decision overlaps is itself; one that decisions
/// overlap leaves the spans between them, each shorter than the block (a decision of no length
/// inside it cuts it in two), as `piece(block, start, end)` makes them (None: a piece of no
/// words, left out); and each block's line holds the words left of it (`Block.with_line_words`
/// where that changed).
#[pyfunction]
pub fn blocks_left<'py>(
    blocks: Vec<Bound<'py, PyAny>>,
    decisions: Vec<Bound<'py, PyAny>>,
    piece: &Bound<'py, PyAny>,
) -> PyResult<Vec<Bound<'py, PyAny>>> {
    let (block_starts, block_ends) = block_spans(&blocks)?;
    let (starts, ends) = spans_of(&decisions)?;
    let mut left = Vec::with_capacity(blocks.len());
    for (k, start, end) in pieces(&block_starts, &block_ends, &starts, &ends) {
        if start == block_starts[k] && end == block_ends[k] {
            left.push(blocks[k].clone());
        } else {
            let made = piece.call1((k, start, end))?;
            if !made.is_none() {
                left.push(made);
            }
        }
    }
    let read =
        |b: &Bound<'py, PyAny>, at: usize| -> PyResult<i64> { block_field(b, at)?.extract() };
    let lines = left
        .iter()
        .map(|b| Ok((read(b, field::LINE)?, read(b, field::WORDS)?)))
        .collect::<PyResult<Vec<(i64, i64)>>>()?;
    let mut words: HashMap<i64, i64> = HashMap::new();
    for &(line, n) in &lines {
        *words.entry(line).or_insert(0) += n;
    }
    left.into_iter()
        .zip(&lines)
        .map(|(b, (line, _))| {
            let n = words[line];
            if read(&b, field::LINE_WORDS)? == n {
                Ok(b)
            } else {
                b.call_method1(intern!(b.py(), "with_line_words"), (n,))
            }
        })
        .collect()
}

/// Whether all the decisions leave of the blocks (as `blocks_left` cuts them) is blocks left
/// whole whose (start, end) are among `spans`: no decision cuts a block in part, and every block
/// none overlaps is one of those.
#[pyfunction]
pub fn left_within(
    blocks: Vec<Bound<'_, PyAny>>,
    decisions: Vec<Bound<'_, PyAny>>,
    spans: HashSet<(i64, i64)>,
) -> PyResult<bool> {
    let (block_starts, block_ends) = block_spans(&blocks)?;
    let (starts, ends) = spans_of(&decisions)?;
    Ok(pieces(&block_starts, &block_ends, &starts, &ends)
        .into_iter()
        .all(|(k, start, end)| {
            (start, end) == (block_starts[k], block_ends[k]) && spans.contains(&(start, end))
        }))
}

fn pieces(
    block_starts: &[i64],
    block_ends: &[i64],
    starts: &[i64],
    ends: &[i64],
) -> Vec<(usize, i64, i64)> {
    let mut overlaps: Vec<Vec<(i64, i64)>> = vec![Vec::new(); block_starts.len()];
    for (&start, &end) in starts.iter().zip(ends) {
        let from = block_ends.partition_point(|&e| e <= start);
        let to = block_starts.partition_point(|&s| s < end);
        for spans in &mut overlaps[from..to.max(from)] {
            spans.push((start, end));
        }
    }
    let mut left = Vec::with_capacity(block_starts.len());
    for (k, spans) in overlaps.iter_mut().enumerate() {
        let (first, last) = (block_starts[k], block_ends[k]);
        spans.sort_unstable();
        let mut at = first;
        for &(start, end) in spans.iter().chain(&[(last, last)]) {
            if start > at {
                left.push((k, at, start));
            }
            at = at.max(end);
        }
    }
    left
}

/// The indices of the `starts` (in order) outside every (start, end) span.
pub(crate) fn outside(starts: &[i64], mut spans: Vec<(i64, i64)>) -> Vec<usize> {
    spans.retain(|&(start, end)| start < end);
    spans.sort_unstable();
    let mut union: Vec<(i64, i64)> = Vec::with_capacity(spans.len());
    for (start, end) in spans {
        match union.last_mut() {
            Some(last) if start <= last.1 => last.1 = last.1.max(end),
            _ => union.push((start, end)),
        }
    }
    let mut kept = Vec::with_capacity(starts.len());
    let mut next = 0; // the first span of the union that ends after the word
    for (i, &at) in starts.iter().enumerate() {
        while next < union.len() && union[next].1 <= at {
            next += 1;
        }
        if next == union.len() || at < union[next].0 {
            kept.push(i);
        }
    }
    kept
}

/// The words (`words`, with their tokens' `starts` and `ends`: machine integers, in order) that
/// start outside every (start, end) span: the words, and their starts and ends as little-endian
/// i64 bytes.
#[pyfunction]
pub fn words_outside<'py>(
    words: &Bound<'py, PyList>,
    starts: PyBuffer<i64>,
    ends: PyBuffer<i64>,
    spans: Vec<(i64, i64)>,
) -> PyResult<(Bound<'py, PyList>, Bound<'py, PyBytes>, Bound<'py, PyBytes>)> {
    let py = words.py();
    let (starts, ends) = (starts.to_vec(py)?, ends.to_vec(py)?);
    if starts.len() != words.len() || ends.len() != words.len() {
        return Err(PyValueError::new_err(
            "words, starts and ends differ in length",
        ));
    }
    let kept = outside(&starts, spans);
    let kept_words = PyList::new(
        py,
        kept.iter().map(|&i| words.get_item(i).expect("in range")),
    )?;
    let bytes = |values: &[i64]| {
        let data: Vec<u8> = kept.iter().flat_map(|&i| values[i].to_le_bytes()).collect();
        PyBytes::new(py, &data)
    };
    Ok((kept_words, bytes(&starts), bytes(&ends)))
}

/// The removals that decisions (`dedup.page.Decision`s) make of a page (`text`), in order and
/// apart, each of class `removal` (`dedup.page.Removal`): its span, its text, and the kind (as
/// text) and evidence of its decision.
///
/// The decisions are taken by their start, the longest first, then in the order given; one that
/// overlaps the last removal grows it (the removal keeps the first one's kind). A span that ends
/// a line whose start stays leaves the line break, so the next line is not glued onto it; one
/// whose line goes whole takes the blank lines after it.
#[pyfunction]
pub fn merged_removals<'py>(
    table: PyRef<'_, CharTable>,
    text: &Bound<'py, PyString>,
    decisions: Vec<Bound<'py, PyAny>>,
    removal: &Bound<'py, PyType>,
) -> PyResult<Vec<Bound<'py, PyAny>>> {
    let py = text.py();
    let codes = crate::code_points(text)?;
    let Some(slots) = DecisionSlots::of_first(&decisions)? else {
        return Ok(Vec::new());
    };
    let (starts, ends) = decision_spans(&decisions, &slots)?;
    let inside = |&s: &i64, &e: &i64| 0 <= s && s <= e && e as usize <= codes.len();
    if !starts.iter().zip(&ends).all(|(s, e)| inside(s, e)) {
        return Err(PyValueError::new_err("a decision lies outside the page"));
    }
    let (starts, ends): (Vec<usize>, Vec<usize>) = (
        starts.iter().map(|&s| s as usize).collect(),
        ends.iter().map(|&e| e as usize).collect(),
    );
    let is_space = |c: u32| table.is_code(c, SPACE);
    let made = Made::of(removal)?;
    let slot = |name: &Bound<'py, PyString>| Slot::of(removal, name);
    let (start_slot, end_slot) = (slot(intern!(py, "start"))?, slot(intern!(py, "end"))?);
    let (kind_slot, text_slot) = (slot(intern!(py, "kind"))?, slot(intern!(py, "text"))?);
    let evidence_slot = slot(intern!(py, "evidence"))?;
    removals(&codes, is_space, &starts, &ends)
        .into_iter()
        .map(|(i, start, end)| {
            let decision = &decisions[i];
            made.make([
                (&start_slot, start.into_pyobject(py)?.into_any()),
                (&end_slot, end.into_pyobject(py)?.into_any()),
                (&kind_slot, slots.kind.get(decision)?.str()?.into_any()),
                (&text_slot, crate::substring(text, start, end)?.into_any()),
                (&evidence_slot, slots.evidence.get(decision)?),
            ])
        })
        .collect()
}

fn removals(
    text: &[u32],
    is_space: impl Fn(u32) -> bool,
    starts: &[usize],
    ends: &[usize],
) -> Vec<(usize, usize, usize)> {
    let mut order: Vec<usize> = (0..starts.len()).collect();
    order.sort_by_key(|&i| (starts[i], Reverse(ends[i]))); // stable: ties in the order given
    let mut out: Vec<(usize, usize, usize)> = Vec::new();
    let mut line = LineState::default();
    for i in order {
        let start = starts[i];
        let overlaps = out.last().is_some_and(|r| start < r.2);
        let stays = if overlaps {
            line.stays_inside(start)
        } else {
            line.stays_after(text, start, &is_space)
        };
        let end = if stays {
            let end = ends[i] - line_break_at(text, ends[i]);
            if end <= start {
                continue; // the line break alone: nothing goes
            }
            end
        } else {
            absorb_blank_lines(text, ends[i], &is_space)
        };
        if overlaps {
            let last = out.last_mut().expect("overlaps the last");
            if end > last.2 {
                line.grow(text, end);
                last.2 = end;
            }
            continue;
        }
        line.open(text, start, end, stays);
        out.push((i, start, end));
    }
    out
}

/// Where the last removal is, and whether text that stays stands before it on its line: enough
/// to tell, for the next span, whether its line's start stays.
#[derive(Default)]
struct LineState {
    end: usize,
    /// Some text stays on the line of the last removal's start, before it.
    kept_before: bool,
    /// The first line break inside the last removal.
    first_break: Option<usize>,
}

impl LineState {
    /// For a span starting at or after the last removal's end: does text before it, on its line,
    /// stay?
    fn stays_after(&self, text: &[u32], start: usize, is_space: impl Fn(u32) -> bool) -> bool {
        let between = &text[self.end..start];
        if let Some(nl) = between.iter().rposition(|&c| c == LINE_BREAK) {
            return between[nl + 1..].iter().any(|&c| !is_space(c));
        }
        (self.kept_before && self.first_break.is_none()) || between.iter().any(|&c| !is_space(c))
    }

    /// The same for a span starting inside the last removal.
    fn stays_inside(&self, start: usize) -> bool {
        self.kept_before && self.first_break.is_none_or(|at| at >= start)
    }

    /// A new removal [start, end).
    fn open(&mut self, text: &[u32], start: usize, end: usize, kept_before: bool) {
        self.end = end;
        self.kept_before = kept_before;
        self.first_break = line_break_in(text, start, end);
    }

    /// The last removal now reaches `end`.
    fn grow(&mut self, text: &[u32], end: usize) {
        if self.first_break.is_none() {
            self.first_break = line_break_in(text, self.end, end);
        }
        self.end = end;
    }
}

fn line_break_in(text: &[u32], start: usize, end: usize) -> Option<usize> {
    text[start..end]
        .iter()
        .position(|&c| c == LINE_BREAK)
        .map(|at| start + at)
}

/// The length of the line break that ends text[..end] (\n or \r\n), 0 if none.
fn line_break_at(text: &[u32], end: usize) -> usize {
    match text[..end] {
        [.., RETURN, LINE_BREAK] => 2,
        [.., LINE_BREAK] => 1,
        _ => 0,
    }
}

/// A span that ends at a line break, extended over the whitespace-only lines that follow.
fn absorb_blank_lines(text: &[u32], mut end: usize, is_space: impl Fn(u32) -> bool) -> usize {
    if end == 0 || text[end - 1] != LINE_BREAK {
        return end;
    }
    loop {
        let blank = text[end..]
            .iter()
            .take_while(|&&c| c != LINE_BREAK && is_space(c))
            .count();
        if text.get(end + blank) != Some(&LINE_BREAK) {
            return end;
        }
        end += blank + 1;
    }
}

#[cfg(test)]
mod tests {
    use super::{kept_runs, pieces, removals, removed};

    fn spaces(c: u32) -> bool {
        char::from_u32(c).is_some_and(char::is_whitespace)
    }

    fn codes(text: &str) -> Vec<u32> {
        text.chars().map(u32::from).collect()
    }

    #[test]
    fn overlapping_decisions_make_one_removal_of_the_first() {
        let text = codes("abcdefghij");
        assert_eq!(
            removals(&text, spaces, &[2, 4, 3], &[5, 8, 4]),
            vec![(0, 2, 8)]
        );
    }

    #[test]
    fn a_line_that_goes_takes_its_blank_lines_and_one_that_stays_keeps_its_break() {
        let text = codes("keep\nshare\n\n \t\nnext. Share this\r\nlast");
        let share = (5, 11); // "share\n", its line whole
        let tail = (21, 33); // "Share this\r\n", after a sentence that stays
        assert_eq!(
            removals(&text, spaces, &[share.0, tail.0], &[share.1, tail.1]),
            vec![(0, 5, 15), (1, 21, 31)]
        );
    }

    #[test]
    fn a_block_goes_with_the_first_decision_that_covers_it() {
        // Blocks [0, 10), [11, 20), [21, 40).
        let (bs, be) = ([0, 11, 21], [10, 20, 40]);
        // A widget over the first block, two pieces over the second, a short cut in the third.
        let (ds, de) = ([0, 11, 15, 30], [10, 15, 20, 33]);
        assert_eq!(removed(&bs, &be, &ds, &de, 0.9), vec![0, 1, -1]);
    }

    #[test]
    fn no_decision_removes_nothing() {
        assert_eq!(removed(&[0, 5], &[4, 9], &[], &[], 0.9), vec![-1, -1]);
        assert!(removed(&[], &[], &[3], &[4], 0.9).is_empty());
    }

    #[test]
    fn a_block_leaves_the_spans_between_the_decisions_that_cut_it() {
        // Blocks [0, 10), [11, 20), [21, 40), [41, 50).
        let (bs, be) = ([0, 11, 21, 41], [10, 20, 40, 50]);
        // The first block whole; the second cut twice, overlapping; nothing in the third but a
        // decision of no length; the last untouched.
        let (ds, de) = ([0, 13, 14, 30], [10, 16, 15, 30]);
        assert_eq!(
            pieces(&bs, &be, &ds, &de),
            vec![
                (1, 11, 13),
                (1, 16, 20),
                (2, 21, 30),
                (2, 30, 40),
                (3, 41, 50)
            ]
        );
    }

    #[test]
    fn kept_runs_are_the_runs_that_stay_from_the_start_on() {
        let stays = [true, true, false, true, false, false, true];
        assert_eq!(kept_runs(7, 0, |k| stays[k]), vec![(0, 2), (3, 4), (6, 7)]);
        assert_eq!(kept_runs(7, 1, |k| stays[k]), vec![(1, 2), (3, 4), (6, 7)]);
        assert!(kept_runs(7, 7, |k| stays[k]).is_empty());
    }
}
