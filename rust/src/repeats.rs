//! A page's copies of what it already said (`dedup.detect.repeats.detect`): a scraper's double, a
//! teaser card repeating the lead, judged on word numbers and the blocks' spans.
//!
//! Where a copy stands (near the page's end, after the last paragraph, in a line of its own) is
//! judged on what stays: once a teaser card goes, the card's title copied just before it closes
//! the page. So copies are judged again without the copies found, until no more are found.

use std::collections::HashMap;

use foldhash::fast::RandomState;
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::PyString;

use crate::segment::{CLOSING, CharTable, SPACE, block_field, field};
use crate::{i64s, stretches, word_numbers};

/// What opens a quotation after a speech verb (`dedup.keys.OPENING_QUOTES`).
pub(crate) const OPENING_QUOTES: [char; 6] = ['"', '\'', '«', '“', '‘', '„'];

/// When a stretch of words repeated inside one page is a copy to remove (`dedup.config.Repeats`,
/// read by attribute).
#[derive(FromPyObject)]
pub struct Limits {
    min_run_words: i64,
    min_run_chars: i64,
    whole_block_share: f64,
    back_to_back_words: i64,
    max_double_words: i64,
    copy_gap_words: i64,
    layout_share: f64,
    lead_start_words: i64,
    lead_share: f64,
    max_card_words: i64,
    max_card_title_words: i64,
    label_words: i64,
    tail_block_words: i64,
    max_rounds: i64,
}

/// (start, end, words) of each span that copies words the page said before (`words`: the page's
/// folded words, `starts` and `ends`: their tokens' spans as little-endian i64 bytes; `blocks`:
/// `dedup.page.Block`s, read only where the page repeats itself; `text`: the page), in the order
/// found: a block a copy covers for the most part whole, else the copy's runs of words.
#[pyfunction]
#[allow(clippy::too_many_arguments)]
pub fn page_copies(
    table: PyRef<'_, CharTable>,
    text: &Bound<'_, PyString>,
    blocks: Vec<Bound<'_, PyAny>>,
    words: &Bound<'_, PyAny>,
    starts: &[u8],
    ends: &[u8],
    limits: Limits,
) -> PyResult<Vec<(i64, i64, i64)>> {
    let codes = word_numbers(words)?;
    let (starts, ends) = (i64s(starts), i64s(ends));
    if starts.len() != codes.len() || ends.len() != codes.len() {
        return Err(PyValueError::new_err("each word needs its start and end"));
    }
    let texts = || -> PyResult<Vec<Vec<u32>>> {
        words
            .try_iter()?
            .map(|w| crate::code_points(&w?.cast_into::<PyString>()?))
            .collect()
    };
    copies(
        &table, text, &blocks, &codes, &starts, &ends, &limits, texts,
    )
}

/// `page_copies` of a folded page's words (`dedup.normalize.Folded`: `word` and `letter` its
/// flags, `kept` and `at` its folded text and positions, as `folded_words` reads them) that start
/// outside every `removed` (start, end) span, made here without a Python string each.
#[pyfunction]
#[allow(clippy::too_many_arguments)]
pub fn folded_page_copies(
    table: PyRef<'_, CharTable>,
    text: &Bound<'_, PyString>,
    blocks: Vec<Bound<'_, PyAny>>,
    word: &[u8],
    letter: &[u8],
    kept: &Bound<'_, PyString>,
    at: &[u8],
    removed: Vec<(i64, i64)>,
    limits: Limits,
) -> PyResult<Vec<(i64, i64, i64)>> {
    let kept = crate::code_points(kept)?;
    let all = crate::words::page_words(word, letter, &kept, at)?;
    let token_starts: Vec<i64> = all.iter().map(|w| i64::from(w.2)).collect();
    let stay = crate::spans::outside(&token_starts, removed);
    // Numbered in order, as `word_numbers` numbers the strings of the words that stay.
    let mut numbers: HashMap<&[u32], u32, RandomState> =
        HashMap::with_capacity_and_hasher(stay.len(), RandomState::default());
    let mut codes = Vec::with_capacity(stay.len());
    for &i in &stay {
        let (a, b, _, _) = all[i];
        let next = numbers.len() as u32;
        codes.push(*numbers.entry(&kept[a as usize..b as usize]).or_insert(next));
    }
    let starts: Vec<i64> = stay.iter().map(|&i| token_starts[i]).collect();
    let ends: Vec<i64> = stay.iter().map(|&i| i64::from(all[i].3)).collect();
    let texts = || -> PyResult<Vec<Vec<u32>>> {
        Ok(stay
            .iter()
            .map(|&i| kept[all[i].0 as usize..all[i].1 as usize].to_vec())
            .collect())
    };
    copies(
        &table, text, &blocks, &codes, &starts, &ends, &limits, texts,
    )
}

/// The rounds of `page_copies` over the words' numbers (`texts`: the words' own code points, read
/// at the first stretch: most pages have none).
#[allow(clippy::too_many_arguments)]
fn copies(
    table: &CharTable,
    text: &Bound<'_, PyString>,
    blocks: &[Bound<'_, PyAny>],
    codes: &[u32],
    starts: &[i64],
    ends: &[i64],
    limits: &Limits,
    texts: impl FnOnce() -> PyResult<Vec<Vec<u32>>>,
) -> PyResult<Vec<(i64, i64, i64)>> {
    let mut texts = Some(texts);
    let mut page: Option<Page> = None;
    let mut current: Vec<usize> = (0..codes.len()).collect(); // the words that stay, in order
    let mut found = Vec::new();
    for _ in 0..limits.max_rounds {
        let numbers: Vec<u32> = current.iter().map(|&i| codes[i]).collect();
        let stretches = stretches(&numbers, limits.min_run_words);
        if stretches.is_empty() {
            break;
        }
        if let Some(texts) = texts.take() {
            page = Some(Page::read(table, text, blocks, texts()?)?);
        }
        let page = page.as_ref().expect("read above");
        if page.block_ends.is_empty() {
            break; // words without blocks: nothing to cut
        }
        let round = Round::new(page, &current, &numbers, starts, ends, limits);
        let copies = round.copies(stretches)?;
        if copies.is_empty() {
            break;
        }
        // The words that start inside a copy go: one walk over them and the copies' union.
        let gone = union(copies.iter().map(|&(s, e, _)| (s, e)).collect());
        let mut at = 0; // the first span that ends after the word before
        current.retain(|&i| {
            while at < gone.len() && gone[at].1 <= starts[i] {
                at += 1;
            }
            at == gone.len() || starts[i] < gone[at].0
        });
        found.extend(copies);
    }
    Ok(found)
}

/// What the rounds read of a page besides its words.
struct Page<'a> {
    table: &'a CharTable,
    text: Vec<u32>,
    block_starts: Vec<i64>,
    block_ends: Vec<i64>,
    lines: Vec<i64>,
    /// The words' code points, for whether one starts another (a word cut mid-way).
    words: Vec<Vec<u32>>,
}

impl<'a> Page<'a> {
    fn read(
        table: &'a CharTable,
        text: &Bound<'_, PyString>,
        blocks: &[Bound<'_, PyAny>],
        words: Vec<Vec<u32>>,
    ) -> PyResult<Self> {
        let text = crate::code_points(text)?;
        let column = |at: usize| -> PyResult<Vec<i64>> {
            blocks
                .iter()
                .map(|b| block_field(b, at)?.extract())
                .collect()
        };
        Ok(Page {
            table,
            block_starts: column(field::START)?,
            block_ends: column(field::END)?,
            lines: column(field::LINE)?,
            text,
            words,
        })
    }

    fn at(&self, i: i64) -> Option<u32> {
        usize::try_from(i)
            .ok()
            .and_then(|i| self.text.get(i).copied())
    }
}

/// One round over the words that stay: `codes` are their numbers, `block_of` the block each lies
/// in, `line_words` each block's line's words among them.
struct Round<'a, 'py> {
    page: &'a Page<'py>,
    limits: &'a Limits,
    /// Positions of these words among the page's words.
    index: &'a [usize],
    codes: &'a [u32],
    starts: Vec<i64>,
    ends: Vec<i64>,
    block_of: Vec<usize>,
    line_words: Vec<i64>,
}

impl<'a, 'py> Round<'a, 'py> {
    fn new(
        page: &'a Page<'py>,
        index: &'a [usize],
        codes: &'a [u32],
        starts: &[i64],
        ends: &[i64],
        limits: &'a Limits,
    ) -> Self {
        let starts: Vec<i64> = index.iter().map(|&i| starts[i]).collect();
        let ends: Vec<i64> = index.iter().map(|&i| ends[i]).collect();
        // The first block that ends after a word's start (the last block for a word past them).
        let last = page.block_ends.len() - 1;
        let block_of: Vec<usize> = starts
            .iter()
            .map(|&s| page.block_ends.partition_point(|&e| e <= s).min(last))
            .collect();
        let mut per_line = vec![0_i64; page.lines.iter().max().map_or(0, |&l| l as usize + 1)];
        for &k in &block_of {
            per_line[page.lines[k] as usize] += 1;
        }
        let line_words = page.lines.iter().map(|&l| per_line[l as usize]).collect();
        Round {
            page,
            limits,
            index,
            codes,
            starts,
            ends,
            block_of,
            line_words,
        }
    }

    fn n(&self) -> usize {
        self.codes.len()
    }

    /// The copies among these words, as (start, end, words) spans: a block a copy covers for the
    /// most part goes whole; else each run of copied words goes where it may go from inside its
    /// sentence.
    fn copies(&self, stretches: Vec<(usize, usize, usize)>) -> PyResult<Vec<(i64, i64, i64)>> {
        let limits = self.limits;
        let n = self.n();
        let last_long = (0..n)
            .rev()
            .find(|&i| self.line_words[self.block_of[i]] > limits.tail_block_words)
            .map_or(-1, |i| i as i64);
        let line_of: Vec<i64> = self.block_of.iter().map(|&k| self.page.lines[k]).collect();
        let (lead_end, tail_start) = (
            limits.lead_share * n as f64,
            (1.0 - limits.lead_share) * n as f64,
        );
        let mut runs = Vec::new();
        for (a, b, src) in self.joined(self.started_at_blocks(stretches)?, &line_of) {
            if (b - a) as i64 >= limits.min_run_words
                && self.ends[b - 1] - self.starts[a] >= limits.min_run_chars
                && !self.layout_repeat(a, b, src, a as f64 >= tail_start)
                && !self.quoted_in_sentence(a, b)
                && self.scraper_copy(a, b, src, last_long)?
            {
                let start = if src as f64 <= lead_end {
                    self.card_title_start(a)
                } else {
                    a
                };
                let (end, certain) = self.copy_end(a, b, src, &line_of)?;
                runs.push((start, end, certain));
            }
        }
        if runs.is_empty() {
            return Ok(Vec::new());
        }
        let (mut keep, mut sure) = (vec![false; n], vec![false; n]);
        for &(a, b, certain) in &runs {
            keep[a..b].fill(true);
            if certain {
                sure[a..b].fill(true);
            }
        }
        let mut kept_before = vec![0_i64; n + 1];
        for i in 0..n {
            kept_before[i + 1] = kept_before[i] + i64::from(keep[i]);
        }
        let mut found = Vec::new();
        let page = self.page;
        for (&block_start, &block_end) in page.block_starts.iter().zip(&page.block_ends) {
            let first = self.starts.partition_point(|&s| s < block_start);
            let last = self.starts.partition_point(|&s| s < block_end);
            let covered = kept_before[last] - kept_before[first];
            if covered == 0 {
                continue;
            }
            if covered as f64 >= limits.whole_block_share * (last - first) as f64 {
                found.push((block_start, block_end, covered));
                continue;
            }
            for (a, b) in true_runs(&keep[first..last]) {
                if (a > 0 || first + b < last) && !sure[first + a..first + b].iter().all(|&s| s) {
                    // The sentence keeps words beside the copy: a phrase it shares with an
                    // earlier one, not a scraper's copy.
                    continue;
                }
                let start = self.starts[first + a];
                let end = if first + b == last {
                    block_end
                } else {
                    self.starts[first + b]
                };
                found.push((start, end, (b - a) as i64));
            }
        }
        Ok(found)
    }

    /// Stretches that copy consecutive parts of one source line, with a few differing words
    /// between them, as one copy; a stretch shorter than `min_run_words` is a shared formula
    /// ("Law No. … of …"), not a copy.
    fn joined(
        &self,
        stretches: Vec<(usize, usize, usize)>,
        line_of: &[i64],
    ) -> Vec<(usize, usize, usize)> {
        let gap = self.limits.copy_gap_words;
        let mut copies: Vec<(usize, usize, usize)> = Vec::new();
        for (a, b, src) in stretches {
            if ((b - a) as i64) < self.limits.min_run_words {
                continue; // a shared formula ("Law No. … of …"), not a copy
            }
            if let Some(&(pa, pb, psrc)) = copies.last() {
                let same_line = line_of[src] == line_of[psrc + (pb - pa) - 1];
                let (a_, src_, pa_, pb_, psrc_) =
                    (a as i64, src as i64, pa as i64, pb as i64, psrc as i64);
                if same_line && a_ - pb_ <= gap && ((src_ - psrc_) - (a_ - pa_)).abs() <= gap {
                    *copies.last_mut().expect("a last copy") = (pa, b, psrc);
                    continue;
                }
            }
            copies.push((a, b, src));
        }
        copies
    }

    /// `started_at_block` of each stretch.
    fn started_at_blocks(
        &self,
        stretches: Vec<(usize, usize, usize)>,
    ) -> PyResult<Vec<(usize, usize, usize)>> {
        stretches
            .into_iter()
            .map(|s| self.started_at_block(s))
            .collect()
    }

    /// The stretch [a, b) copying the words at src, started where both it and its source start a
    /// block when both begin with the last few words of another block and the source runs up to
    /// the copy: a sentence doubled right after one that ends as the line before it does ("… the
    /// city of Eilat. Misbar found … Eilat. Misbar found …") copies its own source sentence, not
    /// the line above. Its source then ends before it starts, so it goes on as far as the words go
    /// on matching.
    fn started_at_block(
        &self,
        (a, b, src): (usize, usize, usize),
    ) -> PyResult<(usize, usize, usize)> {
        if self.starts_block(a) || self.starts_block(src) || src + (b - a) < a {
            return Ok((a, b, src));
        }
        let min_words = self.limits.min_run_words;
        let mut k = 1;
        while (k as i64) < (b - a) as i64 - min_words + 1 {
            if self.starts_block(a + k) {
                if !self.starts_block(src + k) {
                    break;
                }
                return Ok((a + k, self.follow(a + k, b, src + k)?, src + k));
            }
            k += 1;
        }
        Ok((a, b, src))
    }

    /// The end of the copy [a, b) past its last shared 5-gram: a teaser may go on a few words,
    /// then stop mid-word ("…هجومها على" of "…هجومها على داعش"); the cut word is part of it.
    fn follow(&self, a: usize, mut b: usize, src: usize) -> PyResult<usize> {
        let n = self.n();
        let mut src_end = src + (b - a);
        while b < n && src_end < a && self.codes[b] == self.codes[src_end] {
            b += 1;
            src_end += 1;
        }
        if b < n && src_end < a && self.starts_with(src_end, b) {
            b += 1; // the word cut in the middle
        }
        Ok(b)
    }

    /// Whether word i starts with word j, as Python's `str.startswith` tells.
    fn starts_with(&self, i: usize, j: usize) -> bool {
        let words = &self.page.words;
        words[self.index[i]].starts_with(&words[self.index[j]])
    }

    fn starts_block(&self, i: usize) -> bool {
        i == 0 || self.block_of[i] != self.block_of[i - 1]
    }

    /// Whether word i opens its block, or follows the few words of a label there.
    fn near_block_start(&self, i: usize, label_words: i64) -> bool {
        let from = (i as i64 - label_words).max(0) as usize;
        (from..=i).any(|k| self.starts_block(k))
    }

    /// A line of its own that repeats part of a paragraph: a pull quote, or a deck (summary) that
    /// the paragraph later says in full. Either way the paragraph keeps its words. A line that says
    /// a short line again in full near the page's end is a teaser card of the lead, not its
    /// paragraph.
    fn layout_repeat(&self, a: usize, b: usize, src: usize, near_end: bool) -> bool {
        let n = (b - a) as i64;
        let copy_line = self.line_words[self.block_of[a]];
        let src_line = self.line_words[self.block_of[src]];
        let pull_quote = copy_line <= n + 2 && src_line >= 2 * n;
        let deck = src_line <= n + 2
            && copy_line as f64 >= n as f64 / self.limits.layout_share
            && !near_end;
        pull_quote || deck
    }

    /// Whether the copy [a, b) stands in quotation marks after more than a label's words of its
    /// sentence: the article names what it quotes ('… لغيديون راخمان بعنوان: "<the title>".'),
    /// where a card shows a title and its lead's words bare.
    fn quoted_in_sentence(&self, a: usize, b: usize) -> bool {
        let page = self.page;
        let space = |c: u32| page.table.is_code(c, SPACE);
        let start = self.starts[a];
        let opened = ((start - 2).max(0)..start)
            .rev()
            .filter_map(|i| page.at(i))
            .find(|&c| !space(c));
        let end = self.ends[b - 1];
        let closed = (end..end + 2)
            .filter_map(|i| page.at(i))
            .find(|&c| !space(c));
        let block = self.block_of[a];
        let own_words = a - self.block_of.partition_point(|&k| k < block);
        opened.is_some_and(|c| OPENING_QUOTES.iter().any(|&q| q as u32 == c))
            && closed.is_some_and(|c| page.table.is_code(c, CLOSING))
            && own_words as i64 > self.limits.label_words
    }

    /// Whether the copy [a, b) of the words at src follows them closely, is a card (it closes the
    /// page, or repeats the lead near the page's end), or stops inside a block (truncated).
    fn scraper_copy(&self, a: usize, b: usize, src: usize, last_long: i64) -> PyResult<bool> {
        let limits = self.limits;
        let n = self.n();
        let src_end = src + (b - a);
        // The lead: where the page (or a sentence of its lead) starts, not a phrase inside it.
        let from_lead = src as f64 <= limits.lead_share * n as f64
            && (src as i64 <= limits.lead_start_words || self.starts_block(src));
        // A card closes the page (nothing long after it), or repeats the lead near the page's end
        // after its title at most. No card: a sentence of the last paragraph (a line of a
        // paragraph's length, not a flattened page, most of it the paragraph's own words) that the
        // article says again ("The app costs $1.99."); a paragraph that says the lead's words
        // after more of its own (who else resigned), or goes its own way after them (a caption
        // quoting the lead, an official title).
        let end = self.follow(a, b, src)?;
        let own_way = self.goes_its_own_way(a, end, src + (end - a));
        let copy_line = self.line_words[self.block_of[a]];
        let said_again =
            !from_lead && 2 * ((b - a) as i64) < copy_line && copy_line <= limits.max_card_words;
        let lead_card = from_lead
            && b as f64 >= (1.0 - limits.lead_share) * n as f64
            && self.near_block_start(a, limits.max_card_title_words)
            && !own_way;
        let card = ((b - a) as i64) <= limits.max_card_words
            && ((last_long < b as i64 && !said_again) || lead_card);
        let double = a as i64 - src_end as i64 <= limits.back_to_back_words
            && ((b - a) as i64) <= limits.max_double_words;
        // A doubled paragraph ends where a block ends; a sentence quoting the line above does not.
        // Its copy or its source starts a block (behind a label of a few words, at most), or it
        // follows its source word for word (a title doubled as its link): a sentence ending as the
        // one before it did (a verdict restating the claim) copies neither whole.
        let whole =
            self.near_block_start(a, limits.label_words) || self.starts_block(src) || src_end == a;
        if card || (double && whole && (b == n || self.starts_block(b))) {
            return Ok(true);
        }
        let src_end = src + (end - a);
        if src_end >= a {
            return Ok(false); // the source runs into its copy: a whole double, judged above
        }
        // A teaser starts where its source block starts (the lead, the title); a pull quote lifted
        // from the middle of a paragraph is the page's own layout.
        let cut_mid_word = end > b && self.codes[end - 1] != self.codes[src_end - 1];
        if !self.starts_block(src) {
            return Ok(false);
        }
        let stops_inside = self.block_of[src_end] == self.block_of[src_end - 1];
        Ok(cut_mid_word || (stops_inside && !own_way))
    }

    /// Whether a copy [a, end) inside one block is the start of a sentence that goes on with words
    /// of its own (more than a label's, most of them not in what its source goes on with): a
    /// sentence that starts as an earlier one does ("He earned a master's from the Staff College
    /// in 1987. He earned a master's from the Staff College in Britain in 1992 …"), not a teaser
    /// cut short.
    fn goes_its_own_way(&self, a: usize, end: usize, src_end: usize) -> bool {
        let label_words = self.limits.label_words;
        let block = self.block_of[a];
        if self.block_of[end - 1] != block {
            return false;
        }
        let own_end = self.block_of.partition_point(|&k| k <= block);
        let own = &self.codes[end..own_end.max(end)];
        if own.len() as i64 <= label_words {
            return false;
        }
        let source_block_end = self
            .block_of
            .partition_point(|&k| k <= self.block_of[src_end - 1]);
        let source_end = source_block_end
            .min(src_end + own.len() + label_words as usize)
            .min(self.n());
        let source = &self.codes[src_end.min(source_end)..source_end];
        // Words they share, each as often as the fewer of the two says it (Counter & Counter).
        let mut counts: std::collections::HashMap<u32, i64> = std::collections::HashMap::new();
        for &w in source {
            *counts.entry(w).or_default() += 1;
        }
        let mut shared = 0;
        for &w in own {
            if let Some(c) = counts.get_mut(&w).filter(|c| **c > 0) {
                *c -= 1;
                shared += 1;
            }
        }
        2 * shared < own.len() as i64
    }

    /// Where the copy [a, b) of the words at src ends (`follow`, on the line of its last shared
    /// word: a reply that quotes a comment goes on with a line of its own), and whether it is a
    /// copy even inside a sentence: it doubles the words right before it ("X X"), or stops in the
    /// middle of a word (a truncated teaser). A phrase that two sentences share does neither.
    fn copy_end(&self, a: usize, b: usize, src: usize, line_of: &[i64]) -> PyResult<(usize, bool)> {
        let mut end = self.follow(a, b, src)?;
        while end > b && line_of[end - 1] != line_of[b - 1] {
            end -= 1;
        }
        let cut_mid_word = end > b && self.codes[end - 1] != self.codes[src + (end - a) - 1];
        Ok((end, src + (b - a) == a || cut_mid_word))
    }

    /// Where a copy of the lead starts, with the (at most `max_card_title_words`) words of its
    /// card's title glued before it.
    fn card_title_start(&self, a: usize) -> usize {
        let most = self.limits.max_card_title_words;
        let mut start = a;
        while start > 0
            && self.block_of[start - 1] == self.block_of[a]
            && ((a - start) as i64) < most
        {
            start -= 1;
        }
        if start == 0 || self.block_of[start - 1] != self.block_of[a] {
            start
        } else {
            a
        }
    }
}

/// The spans that cover what these (start, end) spans cover, apart and in order; empty ones left
/// out.
fn union(mut spans: Vec<(i64, i64)>) -> Vec<(i64, i64)> {
    spans.sort_unstable();
    let mut out: Vec<(i64, i64)> = Vec::with_capacity(spans.len());
    for (start, end) in spans.into_iter().filter(|&(s, e)| s < e) {
        match out.last_mut() {
            Some(last) if start <= last.1 => last.1 = last.1.max(end),
            _ => out.push((start, end)),
        }
    }
    out
}

/// (start, end) of each run of true flags.
fn true_runs(flags: &[bool]) -> Vec<(usize, usize)> {
    let mut runs = Vec::new();
    let mut i = 0;
    while i < flags.len() {
        if flags[i] {
            let j = i + flags[i..].iter().take_while(|&&f| f).count();
            runs.push((i, j));
            i = j;
        } else {
            i += 1;
        }
    }
    runs
}
