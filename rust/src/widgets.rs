//! Known widget phrases, labels and link prefixes matched against a page's block keys
//! (`dedup.detect.widgets.WidgetMatcher.match`), a page in one call, and the decisions for the
//! blocks they match.

use std::collections::{HashMap, HashSet};

use foldhash::fast::RandomState;
use pyo3::intern;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyString, PyTuple, PyType};

use crate::made::Decisions;
use crate::segment::field;

/// The phrases, labels and link prefixes of a `WidgetMatcher`, as normalized keys.
#[pyclass(frozen)]
pub struct WidgetTable {
    /// Longest first, the order they are tried in.
    phrases: Vec<String>,
    /// Each phrase's words.
    phrase_words: Vec<usize>,
    /// First word (its UTF-8) -> the phrases (indexes) that start with it, in order.
    by_first_word: HashMap<Vec<u8>, Vec<usize>, RandomState>,
    /// The first words' `word_mark`s: most of a key's words open no phrase, and are passed over
    /// without a lookup.
    first_word_marks: [u64; MARKS / 64],
    labels: HashSet<String, RandomState>,
    /// The longest label's length in bytes: a longer key is none.
    longest_label: usize,
    link_prefixes: Vec<String>,
    link_first_words: HashSet<String, RandomState>,
    max_widget_words: usize,
    max_link_words: usize,
}

#[pymethods]
impl WidgetTable {
    #[new]
    fn new(
        phrases: Vec<String>,
        labels: HashSet<String>,
        link_prefixes: Vec<String>,
        max_widget_words: usize,
        max_link_words: usize,
    ) -> Self {
        let mut by_first_word: HashMap<Vec<u8>, Vec<usize>, RandomState> = HashMap::default();
        for (i, phrase) in phrases.iter().enumerate() {
            by_first_word
                .entry(first_word(phrase).as_bytes().to_vec())
                .or_default()
                .push(i);
        }
        let link_first_words = link_prefixes
            .iter()
            .map(|p| first_word(p).to_owned())
            .collect();
        let mut first_word_marks = [0; MARKS / 64];
        for word in by_first_word.keys() {
            let mark = word_mark(word);
            first_word_marks[mark / 64] |= 1 << (mark % 64);
        }
        WidgetTable {
            phrase_words: phrases.iter().map(|p| p.matches(' ').count() + 1).collect(),
            first_word_marks,
            phrases,
            by_first_word,
            longest_label: labels.iter().map(String::len).max().unwrap_or(0),
            labels: labels.into_iter().collect(),
            link_prefixes,
            link_first_words,
            max_widget_words,
            max_link_words,
        }
    }
}

impl WidgetTable {
    /// The phrase or label that makes this key a widget (a link prefix followed by " …").
    fn find(&self, key: &str) -> Option<String> {
        // Counted over the bytes, which vectorizes.
        let n_words = key.as_bytes().iter().filter(|&&b| b == b' ').count() + 1;
        if key.len() <= self.longest_label && self.labels.contains(key) {
            return Some(key.to_owned());
        }
        // An empty phrase (one made only of what normalizing drops) matches nothing.
        if n_words <= self.max_widget_words {
            if let Some(phrase) = self.phrase(key, n_words).filter(|p| !p.is_empty()) {
                return Some(phrase.to_owned());
            }
        }
        if n_words <= self.max_link_words && self.link_first_words.contains(first_word(key)) {
            for prefix in &self.link_prefixes {
                if key.len() > prefix.len()
                    && key.starts_with(prefix.as_str())
                    && key.as_bytes()[prefix.len()] == b' '
                {
                    return Some(format!("{prefix} …"));
                }
            }
        }
        None
    }

    /// The phrase a key starts with, or is mostly made of, tried in the phrases' order among those
    /// that start with one of its words.
    fn phrase(&self, key: &str, n_words: usize) -> Option<&str> {
        // Split byte by byte: a key's words are short, too short for a search to pay.
        let mut candidates: Vec<usize> = Vec::new();
        for word in key.as_bytes().split(|&b| b == b' ') {
            let mark = word_mark(word);
            if self.first_word_marks[mark / 64] & (1 << (mark % 64)) == 0 {
                continue;
            }
            if let Some(phrases) = self.by_first_word.get(word) {
                candidates.extend_from_slice(phrases);
            }
        }
        candidates.sort_unstable();
        candidates.dedup();
        for i in candidates {
            let phrase = self.phrases[i].as_str();
            let starts = key.starts_with(phrase)
                && (key.len() == phrase.len() || key.as_bytes()[phrase.len()] == b' ');
            // Python: `phrase.count(" ") + 1 >= n_words / 2`, a float division.
            let mostly = 2 * self.phrase_words[i] >= n_words && contains_words(key, phrase);
            if starts || mostly {
                return Some(phrase);
            }
        }
        None
    }
}

/// The bits of `WidgetTable::first_word_marks`.
const MARKS: usize = 4096;

/// A word's bit among `MARKS`, from its length and three of its bytes: an Arabic word's first byte
/// is one of a few, its others vary.
fn word_mark(word: &[u8]) -> usize {
    let [first, .., last] = word else {
        return word.len();
    };
    let middle = word[word.len() / 2];
    (word.len() * 31
        + usize::from(*first) * 7
        + usize::from(middle) * 131
        + usize::from(*last) * 1031)
        % MARKS
}

/// What a key starts with up to its first space (the whole key without one).
fn first_word(key: &str) -> &str {
    key.split(' ').next().unwrap_or(key)
}

/// Whether `phrase` occurs in `key` on word boundaries (spaces or the key's ends): what
/// `" {key} ".contains(" {phrase} ")` says, without making either.
fn contains_words(key: &str, phrase: &str) -> bool {
    let bytes = key.as_bytes();
    let mut from = 0;
    while let Some(found) = key[from..].find(phrase) {
        let (at, end) = (from + found, from + found + phrase.len());
        if (at == 0 || bytes[at - 1] == b' ') && (end == key.len() || bytes[end] == b' ') {
            return true;
        }
        // The next occurrence may overlap this one: looked for from its next character on.
        match key[at..].chars().next() {
            Some(c) => from = at + c.len_utf8(),
            None => return false,
        }
    }
    false
}

/// For each key, the phrase, label or link prefix (with " …") that makes it a widget, or None;
/// None for the whole page when a key cannot be read as UTF-8 (a lone surrogate): it is matched
/// key by key in Python.
#[pyfunction]
pub fn match_widgets(
    table: &WidgetTable,
    keys: Vec<Bound<'_, PyString>>,
) -> Option<Vec<Option<String>>> {
    let mut found = Vec::with_capacity(keys.len());
    for key in &keys {
        found.push(table.find(key.to_str().ok()?));
    }
    Some(found)
}

/// The decisions for a page's blocks (`dedup.page.Block`s) whose keys are known widgets
/// (`dedup.detect.widgets.detect`), made by `decision`'s class: of the second of `kinds` where a
/// link prefix's title list matched (the phrase ends with " …"), else of the first, the phrase
/// their evidence. None for the whole page where a key cannot be read as UTF-8 (a lone
/// surrogate).
#[pyfunction]
pub fn widget_decisions<'py>(
    table: &WidgetTable,
    blocks: Vec<Bound<'py, PyAny>>,
    decision: &Bound<'py, PyType>,
    kinds: (Bound<'py, PyAny>, Bound<'py, PyAny>),
) -> PyResult<Option<Vec<Bound<'py, PyAny>>>> {
    let py = decision.py();
    let (widget, read_also) = (
        Decisions::of(decision, &kinds.0)?,
        Decisions::of(decision, &kinds.1)?,
    );
    let mut found = Vec::new();
    for block in &blocks {
        let fields = block.cast::<PyTuple>()?;
        let key = fields.get_borrowed_item(field::KEY)?;
        let key = key.cast::<PyString>()?;
        let Ok(key) = key.to_str() else {
            return Ok(None);
        };
        let Some(phrase) = table.find(key) else {
            continue;
        };
        let made = if phrase.ends_with(" …") {
            &read_also
        } else {
            &widget
        };
        let evidence = PyDict::new(py);
        evidence.set_item(intern!(py, "phrase"), phrase)?;
        let start = fields.get_borrowed_item(field::START)?.extract()?;
        let end = fields.get_borrowed_item(field::END)?.extract()?;
        found.push(made.make(start, end, evidence)?);
    }
    Ok(Some(found))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table() -> WidgetTable {
        WidgetTable::new(
            vec![
                "share this article".into(),
                "شارك المقال".into(),
                "share".into(),
            ],
            HashSet::from(["tags".into()]),
            vec!["read more".into(), "اقرا ايضا".into()],
            12,
            20,
        )
    }

    #[test]
    fn a_key_starting_with_a_phrase_is_a_widget() {
        let t = table();
        assert_eq!(
            t.find("share this article on facebook").as_deref(),
            Some("share this article")
        );
        assert_eq!(
            t.find("شارك المقال مع اصدقائك").as_deref(),
            Some("شارك المقال")
        );
        assert_eq!(t.find("tags").as_deref(), Some("tags"));
    }

    #[test]
    fn a_phrase_inside_a_longer_sentence_is_not() {
        let t = table();
        assert_eq!(t.find("we share the view that the market will grow"), None);
        assert_eq!(t.find("shared"), None);
    }

    #[test]
    fn a_phrase_is_contained_on_word_boundaries_only() {
        let cases = [
            ("xa a a", "a a"),
            ("a a a", "a a"),
            ("ab a", "a"),
            ("ba", "a"),
            ("", ""),
            ("a b", ""),
            ("a  b", ""),
            ("شارك المقال الان", "المقال"),
            ("شاركالمقال", "المقال"),
        ];
        for (key, phrase) in cases {
            let padded = format!(" {key} ").contains(&format!(" {phrase} "));
            assert_eq!(contains_words(key, phrase), padded, "{key:?} {phrase:?}");
        }
    }

    #[test]
    fn a_link_prefix_needs_a_title_after_it() {
        let t = table();
        assert_eq!(
            t.find("اقرا ايضا وزير الخارجية يزور").as_deref(),
            Some("اقرا ايضا …")
        );
        assert_eq!(t.find("read more"), None);
        assert_eq!(t.find("read moreover"), None);
    }
}
