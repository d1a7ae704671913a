//! Which blocks of a page its decisions remove (`dedup.clean._removed_kinds`), and what they leave
//! of each (`dedup.clean._left`).

use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;

/// For each block (`block_starts`, `block_ends`: in order, apart), the index of the first
/// decision (in the order given) that overlaps it, where the decisions that overlap it cover
/// `share` of it or more; -1 where they do not (most blocks: the article).
#[pyfunction]
pub fn removed_by(
    block_starts: Vec<i64>,
    block_ends: Vec<i64>,
    starts: Vec<i64>,
    ends: Vec<i64>,
    share: f64,
) -> PyResult<Vec<i64>> {
    if block_starts.len() != block_ends.len() || starts.len() != ends.len() {
        return Err(PyValueError::new_err("starts and ends differ in length"));
    }
    Ok(removed(&block_starts, &block_ends, &starts, &ends, share))
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

/// What the decisions leave of the blocks (`block_starts`, `block_ends`: in order, apart):
/// (block, start, end) of each piece that stays, in order. A block no decision overlaps is one
/// piece, itself; one that decisions overlap leaves the spans between them, each shorter than
/// the block (a decision of no length inside it cuts it in two).
#[pyfunction]
pub fn pieces_left(
    block_starts: Vec<i64>,
    block_ends: Vec<i64>,
    starts: Vec<i64>,
    ends: Vec<i64>,
) -> PyResult<Vec<(usize, i64, i64)>> {
    if block_starts.len() != block_ends.len() || starts.len() != ends.len() {
        return Err(PyValueError::new_err("starts and ends differ in length"));
    }
    Ok(pieces(&block_starts, &block_ends, &starts, &ends))
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

#[cfg(test)]
mod tests {
    use super::{pieces, removed};

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
}
