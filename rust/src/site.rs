//! A page's blocks judged by what their site's pages show (`dedup.detect.site_boilerplate.detect`):
//! which blocks enough pages carry to go as the site's boilerplate, and which may open with a
//! label; and the runs of kept lines after the article between two lines of the site's furniture
//! (`between_furniture`). The blocks that go are handed back as their decisions; Python finds
//! where a variant learned from another page starts and judges the labels.

use std::collections::HashSet;

use pyo3::exceptions::PyValueError;
use pyo3::intern;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyString, PyTuple, PyType};

use crate::made::Decisions;
use crate::segment::{BMP, CLOSING, CharTable, REGEX_WORD, SPACE, STOP, block_field, field};
use crate::spans::{Removed, kept_runs, removed_kind};
use crate::texts::{holds_separator, label_span};

/// A block's place and size (`dedup.page.Block` without its texts).
pub(crate) struct Block {
    pub(crate) start: usize,
    pub(crate) end: usize,
    pub(crate) line: i64,
    pub(crate) whole_line: bool,
    pub(crate) line_words: i64,
    pub(crate) words: i64,
}

/// The evidence a block needs, from the model's rule and the detector's limits for this site.
#[derive(FromPyObject)]
#[pyo3(from_item_all)]
struct Needs {
    /// The fewest pages any block of this site needs (`needed_by_words`, `long_needed`).
    least: i64,
    site_pages: i64,
    tiny_site: i64,
    link_words: i64,
    short_words: i64,
    headline_words: i64,
    body_line_words: i64,
    page_copies: i64,
    /// What a long block (a paragraph in the body) needs.
    long_needed: i64,
    paragraph_floor: i64,
    /// Above the body, a link-length line on this share of its pages there (and `floor`) is the
    /// site's own: all its pages count.
    floor: i64,
    head_share: f64,
    max_template_words: i64,
    /// The pages a block of 0, 1, … `short_words` + 1 words needs (`Rule.pages_needed`); a
    /// longer one needs what `short_words` + 1 does, a long block's.
    needed_by_words: Vec<i64>,
    /// A line number past every page's lines (`dedup.segment.NO_LINE`).
    no_line: i64,
    /// What a run of numbers, dates and times becomes in a shape (`dedup.normalize.SLOT`).
    slot: Py<PyString>,
}

/// `Needs` made once from a dict of its fields for a site of so many pages, read by every call.
#[pyclass(frozen)]
pub struct SiteNeeds(Needs);

#[pymethods]
impl SiteNeeds {
    #[new]
    fn new(fields: &Bound<'_, PyDict>) -> PyResult<Self> {
        let needs: Needs = fields.extract()?;
        if needs.short_words < 0 || needs.needed_by_words.len() as i64 != needs.short_words + 2 {
            return Err(PyValueError::new_err(
                "needed_by_words holds short_words + 2 values",
            ));
        }
        Ok(SiteNeeds(needs))
    }
}

/// What `site_verdicts` finds: the pages that carry each block's shape; (index, decision) of each
/// block that goes as the site's boilerplate, in order, its evidence the pages that carry it, the
/// site's pages, the pages it needs and the copies on the page where it counts as said again and
/// again; (position in those, exemplar) of each whose shape is a variant of another's; (index,
/// and its label's start and end) of each other block that a label opens and few enough words
/// make a line template (`dedup.keys.label_span`), the span None where the block holds a character
/// past the BMP (the table does not class it); the decision of each notice's sentence between two
/// of its line's that go (`inside_notices`); the page's last long line; (start, end) of each
/// block whose shape the site carries on fewer pages than any block needs, in whatever context.
type Verdicts<'py> = (
    Vec<i64>,
    Vec<(usize, Bound<'py, PyAny>)>,
    Vec<(usize, Bound<'py, PyAny>)>,
    Vec<(usize, Option<(usize, usize)>)>,
    Vec<Bound<'py, PyAny>>,
    i64,
    Vec<(usize, usize)>,
);

/// The verdicts on a page's blocks (`blocks`: `dedup.page.Block`s; `text`: the page; see
/// `Verdicts`). `stats`: the site's `SiteStats`; `entry_time`: whether a block that is a slot
/// alone and holds a colon (text, start, end) opens a live blog's entry ("12.30pm:"), which is
/// left alone; `flow_lines`: the lines that hold a flattened page; `decision` and `kind`: the
/// class and kind of the decisions made.
#[pyfunction]
#[allow(clippy::too_many_arguments)] // the page, its site's counts and what the verdicts make
pub fn site_verdicts<'py>(
    table: PyRef<'_, CharTable>,
    text: &Bound<'py, PyString>,
    blocks: Vec<Bound<'py, PyAny>>,
    stats: &Bound<'py, PyAny>,
    entry_time: &Bound<'py, PyAny>,
    flow_lines: Vec<i64>,
    decision: &Bound<'py, PyType>,
    kind: &Bound<'py, PyAny>,
    needs: &Bound<'py, SiteNeeds>,
) -> PyResult<Verdicts<'py>> {
    let needs = &needs.get().0;
    let py_text = text;
    let text = crate::code_points(text)?;
    let read: PyResult<Vec<Block>> = blocks.iter().map(read_block).collect();
    let read = read?;
    if read.iter().any(|b| b.start > b.end || b.end > text.len()) {
        return Err(PyValueError::new_err("a block lies outside the page"));
    }
    if read.windows(2).any(|pair| pair[1].line < pair[0].line) {
        return Err(PyValueError::new_err(
            "the blocks come in the order of their lines",
        ));
    }
    let py = stats.py();
    let shapes = blocks
        .iter()
        .map(|block| Ok(block_field(block, field::SHAPE)?.to_owned()))
        .collect::<PyResult<Vec<_>>>()?;
    let (first_long, last_long) = long_lines(&read, needs.short_words, needs.no_line);
    let counts = Counts::of(stats)?;
    let (pages, everywhere): (Vec<i64>, Vec<i64>) = shapes
        .iter()
        .zip(&read)
        .map(|(shape, b)| counts.pages_seen(shape, b, first_long, needs))
        .collect::<PyResult<Vec<(i64, i64)>>>()?
        .into_iter()
        .unzip();
    // No context takes these: the pages a block counts are never more than its shape's.
    let rare = read
        .iter()
        .zip(&everywhere)
        .filter(|&(_, &pages)| pages < needs.least)
        .map(|(b, _)| (b.start, b.end))
        .collect();
    let page = Page {
        table: &table,
        text: &text,
        blocks: &read,
    };
    let slot = needs.slot.bind(py);
    let body_end = page.body_end(last_long, needs.headline_words, needs.no_line);
    let story = page.beside_article(&pages, needs.short_words);
    let mut found = Vec::new();
    let mut labelled = Vec::new();
    let mut copies: Option<Vec<i64>> = None; // each block's shape's blocks on this page, when asked
    for (k, (b, &seen)) in read.iter().zip(&pages).enumerate() {
        // Compared as Python strings: a shape may hold a lone surrogate. An entry's time ends
        // with a colon: a block without one is not asked about.
        if shapes[k].eq(slot)?
            && text[b.start..b.end].contains(&(':' as u32))
            && !entry_time.call1((py_text, b.start, b.end))?.is_none()
        {
            continue;
        }
        // A block on fewer pages than any block needs can only go as a line template's label.
        if seen >= needs.least {
            // Inside the body, a sentence needs the evidence of a long block: background
            // paragraphs of one story repeat there. Links and headlines (no full stop) are
            // furniture anywhere, and so is a sentence the page says again and again (an embed's
            // consent notice under every post): an article does not.
            let sentence = page.ends_sentence(b);
            let repeated =
                if sentence && b.words > needs.link_words && needs.site_pages > needs.tiny_site {
                    if copies.is_none() {
                        copies = Some(equal_counts(&shapes)?);
                    }
                    let n = copies.as_ref().expect("counted above")[k];
                    (n >= needs.page_copies).then_some(n)
                } else {
                    None
                };
            let in_body = first_long < b.line
                && b.line < body_end
                && b.line_words >= needs.body_line_words
                && sentence
                && repeated.is_none();
            let mut words = if repeated.is_some() {
                b.line_words.min(needs.short_words)
            } else {
                b.line_words
            };
            if words <= needs.headline_words && !sentence {
                words = words.min(needs.link_words); // a headline links, like a link
            }
            let mut needed = if in_body {
                needs.long_needed
            } else {
                needs.needed_by_words[words.clamp(0, needs.short_words + 1) as usize]
            };
            // A paragraph of the body beside the article's own: a story's background.
            let paragraph = sentence
                && repeated.is_none()
                && first_long <= b.line
                && b.line < body_end
                && !flow_lines.contains(&b.line)
                && b.line_words > needs.short_words;
            if paragraph && story[k] {
                needed = needed.max(needs.paragraph_floor);
            }
            if seen >= needed {
                found.push((k, needed, repeated.unwrap_or(-1)));
                continue;
            }
        }
        let span = &text[b.start..b.end];
        if b.words <= needs.max_template_words && holds_separator(span) {
            if span.iter().any(|&c| c as usize >= BMP) {
                labelled.push((k, None));
            } else if let Some(label) = label_span(
                &table,
                |i| table.is_code(text[i], REGEX_WORD),
                &text,
                b.start,
                b.end,
            ) {
                labelled.push((k, Some(label)));
            }
        }
    }
    let notice_needed = needs.needed_by_words[needs.short_words as usize];
    let notices = inside_notices(&read, &pages, &found, &flow_lines, notice_needed);
    let made = Decisions::of(decision, kind)?;
    let evidence = |k: usize, needed: i64| -> PyResult<Bound<'py, PyDict>> {
        let evidence = PyDict::new(py);
        evidence.set_item(intern!(py, "pages"), pages[k])?;
        evidence.set_item(intern!(py, "site_pages"), needs.site_pages)?;
        evidence.set_item(intern!(py, "needed"), needed)?;
        Ok(evidence)
    };
    let mut decisions = Vec::with_capacity(found.len());
    let mut variants = Vec::new();
    for &(k, needed, copies) in &found {
        let seen = evidence(k, needed)?;
        if copies >= 0 {
            seen.set_item(intern!(py, "copies"), copies)?;
        }
        if let Some(exemplar) = counts.variants.get_item(&shapes[k])?
            && !exemplar.eq(&shapes[k])?
        {
            variants.push((decisions.len(), exemplar));
        }
        decisions.push((k, made.make(read[k].start, read[k].end, seen)?));
    }
    let notices = if notices.is_empty() {
        Vec::new() // most pages: the text below is not made
    } else {
        // Between two sentences of its line that go as the site's boilerplate.
        let between = PyString::new(py, &format!("{0}, {0}", made.kind_text()?));
        notices
            .into_iter()
            .map(|k| {
                let seen = evidence(k, notice_needed)?;
                seen.set_item(intern!(py, "between"), &between)?;
                made.make(read[k].start, read[k].end, seen)
            })
            .collect::<PyResult<Vec<_>>>()?
    };
    Ok((
        pages, decisions, variants, labelled, notices, last_long, rare,
    ))
}

/// Line numbers of a page's first and last long line (`dedup.segment.long_lines`); a page of
/// short lines is all head.
fn long_lines(blocks: &[Block], short_words: i64, no_line: i64) -> (i64, i64) {
    let mut long = blocks
        .iter()
        .filter(|b| b.line_words > short_words)
        .map(|b| b.line);
    let first = long.next();
    (
        first.unwrap_or(no_line),
        long.next_back().or(first).unwrap_or(no_line),
    )
}

/// The sentences that stand between two sentences of their own line that go as the site's
/// boilerplate (`found`), seen on as many pages as a short block needs (`needed`): a notice's own
/// sentence with slots of its own ("A version appeared on p17 of the Guardian on …", between when
/// the article was published and when it was last modified), which a long line's sentence in the
/// body would need a long block's evidence for. Not in a flattened page, whose one line is the page.
fn inside_notices(
    blocks: &[Block],
    pages: &[i64],
    found: &[(usize, i64, i64)],
    flow: &[i64],
    needed: i64,
) -> Vec<usize> {
    found
        .windows(2)
        .filter(|pair| pair[1].0 == pair[0].0 + 2)
        .map(|pair| pair[0].0 + 1)
        .filter(|&k| {
            let line = blocks[k].line;
            blocks[k - 1].line == line
                && blocks[k + 1].line == line
                && !flow.contains(&line)
                && pages[k] >= needed
        })
        .collect()
}

/// The evidence `between_furniture` reads, from the model's rule and the detector's limits.
#[derive(FromPyObject)]
#[pyo3(from_item_all)]
pub struct TailNeeds {
    short_words: i64,
    /// Removed blocks between two own paragraphs that part the article from what follows.
    article_gap: i64,
    /// What a run before the article's last own paragraph needs.
    floor: i64,
    /// What a run after it needs (a tiny site's floor on a tiny site).
    tail_floor: i64,
}

/// What `furniture_runs` finds: the pages that carry each kept block's shape (0 for a removed
/// one); (first, end, pages needed) of each run that goes; the index of the article's last
/// paragraph, if any.
type TailRuns = (Vec<i64>, Vec<(usize, usize, i64)>, Option<usize>);

/// The runs of kept blocks after the article that `between_furniture` takes (`blocks`:
/// `dedup.page.Block`s; `removed`: the kind that removes each, or None; `furniture`: the names of
/// the site's furniture kinds; `stats`: the site's `SiteStats`; see `TailRuns`).
#[pyfunction]
pub fn furniture_runs(
    blocks: Vec<Bound<'_, PyAny>>,
    removed: Vec<Bound<'_, PyAny>>,
    furniture: HashSet<String>,
    stats: &Bound<'_, PyAny>,
    flow_lines: Vec<i64>,
    needs: TailNeeds,
) -> PyResult<TailRuns> {
    if removed.len() != blocks.len() {
        return Err(PyValueError::new_err("removed holds one kind a block"));
    }
    let kinds = removed
        .iter()
        .map(|kind| removed_kind(kind, &furniture, None))
        .collect::<PyResult<Vec<_>>>()?;
    // Only kept blocks are read and looked up: the article's own paragraphs and the runs are.
    let counts = Counts::of(stats)?;
    let kept = blocks
        .iter()
        .zip(&kinds)
        .map(|(b, &kind)| match kind {
            Removed::Kept => Ok(Some((
                read_block(b)?,
                counts.pages_with(&*block_field(b, field::SHAPE)?)?.0,
            ))),
            _ => Ok(None),
        })
        .collect::<PyResult<Vec<Option<(Block, i64)>>>>()?;
    let seen: Vec<i64> = kept.iter().map(|k| k.as_ref().map_or(0, |k| k.1)).collect();
    let own: Vec<(usize, i64)> = kept
        .iter()
        .enumerate()
        .filter_map(|(k, kept)| match kept {
            Some((b, pages)) if b.line_words > needs.short_words && *pages < 2 => {
                Some((k, b.words))
            }
            _ => None,
        })
        .collect();
    let end = (!own.is_empty()).then(|| article_end(&own, &kinds, needs.article_gap));
    let n = blocks.len();
    let mut runs = Vec::new();
    for (i, j) in kept_runs(n, end.map_or(0, |e| e + 1), |k| kinds[k] == Removed::Kept) {
        let bounded =
            i > 0 && j < n && kinds[i - 1] == Removed::Furniture && kinds[j] == Removed::Furniture;
        let in_flow = kept[i..j]
            .iter()
            .flatten()
            .any(|(b, _)| flow_lines.contains(&b.line));
        if !bounded || in_flow {
            continue;
        }
        let needed = if own.last().is_some_and(|&(last, _)| i < last) {
            needs.floor
        } else {
            needs.tail_floor
        };
        if seen[i..j].iter().all(|&pages| pages >= needed) {
            runs.push((i, j, needed));
        }
    }
    Ok((seen, runs, end))
}

/// The article's last paragraph: the end of the cluster of own paragraphs (`own`: each one's
/// index and words, parted by fewer than `gap` removed blocks) that holds the most words.
fn article_end(own: &[(usize, i64)], kinds: &[Removed], gap: i64) -> usize {
    let mut removed_before = vec![0_i64; kinds.len() + 1];
    for (k, kind) in kinds.iter().enumerate() {
        removed_before[k + 1] = removed_before[k] + i64::from(*kind != Removed::Kept);
    }
    let (mut end, mut best) = (own[0].0, -1_i64); // the wordiest cluster's last paragraph so far
    let mut words = own[0].1;
    for pair in own.windows(2) {
        let ((prev, _), (k, k_words)) = (pair[0], pair[1]);
        if removed_before[k] - removed_before[prev + 1] >= gap {
            if words > best {
                (end, best) = (prev, words);
            }
            words = 0;
        }
        words += k_words;
    }
    if words > best {
        own[own.len() - 1].0
    } else {
        end
    }
}

/// A site's counts of the pages that carry each shape (`SiteStats`).
struct Counts<'py> {
    stats: Bound<'py, PyAny>,
    shapes: Bound<'py, PyDict>,
    head_shapes: Bound<'py, PyDict>,
    variants: Bound<'py, PyDict>,
}

impl<'py> Counts<'py> {
    fn of(stats: &Bound<'py, PyAny>) -> PyResult<Self> {
        let py = stats.py();
        Ok(Counts {
            stats: stats.clone(),
            shapes: stats.getattr(intern!(py, "shapes"))?.cast_into()?,
            head_shapes: stats.getattr(intern!(py, "head_shapes"))?.cast_into()?,
            variants: stats.getattr(intern!(py, "variants"))?.cast_into()?,
        })
    }

    /// `SiteStats.pages_with(shape)[0]`, and whether the shape is of a variant cluster: read
    /// here, but for a shape with variants.
    fn pages_with(&self, shape: &Bound<'py, PyAny>) -> PyResult<(i64, bool)> {
        if self.variants.get_item(shape)?.is_some() {
            return Ok((self.variant_pages(shape, false)?, true));
        }
        Ok((count(&self.shapes, shape)?, false))
    }

    /// `SiteStats.pages_with(shape, head)[0]` of a shape with variants, as Python reads it.
    fn variant_pages(&self, shape: &Bound<'py, PyAny>, head: bool) -> PyResult<i64> {
        let py = shape.py();
        self.stats
            .call_method1(intern!(py, "pages_with"), (shape, head))?
            .get_item(0)?
            .extract()
    }

    /// The pages a block's shape counts. Above the page's body, only the pages that carry it
    /// there count: a related link repeats an article's title on many pages, but only that
    /// article opens with it. A link-length line that `head_share` of its pages (and the floor)
    /// carry above their body is the site's own ("اقرأ التصحيح" under a one-line claim, above the
    /// blurb or below a long one): all its pages count. Also the pages that carry the shape
    /// anywhere, which it counts at most.
    fn pages_seen(
        &self,
        shape: &Bound<'py, PyAny>,
        b: &Block,
        first_long: i64,
        needs: &Needs,
    ) -> PyResult<(i64, i64)> {
        let (everywhere, variant) = self.pages_with(shape)?;
        if b.line >= first_long {
            return Ok((everywhere, everywhere));
        }
        // `SiteStats.pages_with(shape, head=True)[0]`, the shape's dicts looked up once.
        let head = if variant {
            self.variant_pages(shape, true)?
        } else {
            everywhere.min(count(&self.head_shapes, shape)?)
        };
        let least = (needs.floor as f64).max(needs.head_share * everywhere as f64);
        let own = b.line_words <= needs.link_words && head as f64 >= least;
        Ok((if own { everywhere } else { head }, everywhere))
    }
}

/// How many of these shapes are each one's equal, itself included: grouped by their Python
/// hashes (kept in each str), compared only within a group.
fn equal_counts(shapes: &[Bound<'_, PyAny>]) -> PyResult<Vec<i64>> {
    let hashes = shapes
        .iter()
        .map(|shape| shape.hash())
        .collect::<PyResult<Vec<isize>>>()?;
    let mut order: Vec<usize> = (0..shapes.len()).collect();
    order.sort_unstable_by_key(|&k| hashes[k]);
    let mut counts = vec![0; shapes.len()];
    let mut classes: Vec<Vec<usize>> = Vec::new(); // the equal shapes of one hash, a class each
    for group in order.chunk_by(|&a, &b| hashes[a] == hashes[b]) {
        classes.clear();
        for &k in group {
            let mut class = None;
            for (c, members) in classes.iter().enumerate() {
                if shapes[members[0]].eq(&shapes[k])? {
                    class = Some(c);
                    break;
                }
            }
            match class {
                Some(c) => classes[c].push(k),
                None => classes.push(vec![k]),
            }
        }
        for members in &classes {
            for &k in members {
                counts[k] = members.len() as i64;
            }
        }
    }
    Ok(counts)
}

fn count(counter: &Bound<'_, PyDict>, key: &Bound<'_, PyAny>) -> PyResult<i64> {
    counter.get_item(key)?.map_or(Ok(0), |n| n.extract())
}

pub(crate) fn read_block(block: &Bound<'_, PyAny>) -> PyResult<Block> {
    // Cast once, each field then borrowed from the tuple (`block_field` casts for every field).
    let fields = block.cast::<PyTuple>()?;
    let item = |at: usize| fields.get_borrowed_item(at);
    Ok(Block {
        start: item(field::START)?.extract()?,
        end: item(field::END)?.extract()?,
        line: item(field::LINE)?.extract()?,
        whole_line: item(field::WHOLE_LINE)?.extract()?,
        line_words: item(field::LINE_WORDS)?.extract()?,
        words: item(field::WORDS)?.extract()?,
    })
}

struct Page<'a> {
    table: &'a CharTable,
    text: &'a [u32],
    blocks: &'a [Block],
}

impl Page<'_> {
    /// Whether a block ends as sentences do: at a stop, maybe behind closing quotes or brackets
    /// (`dedup.segment.ends_sentence`).
    fn ends_sentence(&self, b: &Block) -> bool {
        let mut i = b.end;
        while i > b.start && self.table.is_code(self.text[i - 1], SPACE) {
            i -= 1;
        }
        while i > b.start && self.table.is_code(self.text[i - 1], CLOSING) {
            i -= 1;
        }
        i > b.start && self.table.is_code(self.text[i - 1], STOP)
    }

    /// The line where the body ends: the first short line without a full stop after the last long
    /// line (`_body_end`).
    fn body_end(&self, last_long: i64, headline_words: i64, no_line: i64) -> i64 {
        self.blocks
            .iter()
            .find(|b| {
                b.line > last_long
                    && b.whole_line
                    && b.line_words <= headline_words
                    && !self.ends_sentence(b)
            })
            .map_or(no_line, |b| b.line)
    }

    /// Whether each block's line is beside the article's own paragraphs (`_beside_article`): the
    /// blocks of a line come one after another.
    fn beside_article(&self, pages: &[i64], short_words: i64) -> Vec<bool> {
        let blocks = self.blocks;
        let mut beside = vec![false; blocks.len()];
        let mut after_own = false; // in a run of lines that an article's paragraph opened
        let mut start = 0;
        while start < blocks.len() {
            let (line, words) = (blocks[start].line, blocks[start].line_words);
            let end = start
                + blocks[start..]
                    .iter()
                    .take_while(|b| b.line == line)
                    .count();
            // Its words other pages hold.
            let shared: i64 = (start..end)
                .filter(|&k| pages[k] > 1)
                .map(|k| blocks[k].words)
                .sum();
            let long = words > short_words;
            if long || shared == 0 {
                after_own = after_own || (long && 2 * shared < words);
                beside[start..end].fill(after_own);
            } else {
                after_own = false;
            }
            start = end;
        }
        beside
    }
}

#[cfg(test)]
mod tests {
    use super::article_end;
    use crate::spans::Removed::{Furniture, Kept, Other};

    #[test]
    fn the_article_ends_with_its_wordiest_cluster_of_own_paragraphs() {
        // Own paragraphs 0, 1 (60 words), then 4 removed blocks, then comments 6, 7 (30 words).
        let kinds = [Kept, Kept, Other, Furniture, Other, Other, Kept, Kept];
        let own = [(0, 30), (1, 30), (6, 20), (7, 10)];
        assert_eq!(article_end(&own, &kinds, 4), 1);
        // Fewer removed blocks than the gap between them: one cluster, to the last paragraph.
        assert_eq!(article_end(&own, &kinds, 5), 7);
        // The later cluster holds more words: it is the article's.
        let own = [(0, 5), (1, 5), (6, 40), (7, 10)];
        assert_eq!(article_end(&own, &kinds, 4), 7);
    }
}
