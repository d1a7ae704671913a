//! Duplicate groups as stars (`dedup.duplicates`): pages placed one at a time, in order,
//! each joining the group of an identical earlier page, or the most similar earlier canonical
//! page it is near, or starting a group of its own.

use foldhash::fast::RandomState;
use hashbrown::HashMap;
use pyo3::exceptions::PyKeyError;
use pyo3::prelude::*;
use pyo3::types::PyDict;

/// What makes two pages the same without comparing them (`dedup.duplicates.identity_keys`): a
/// kind and a hash.
type Key = (String, u64);
/// A page's place: its canonical page and their similarity.
type Place = (i64, f64);

/// Groups made one page at a time, in order; pages are numbered in any
/// way the caller likes.
#[pyclass(module = "dedup._core")]
#[derive(Default)]
pub struct Stars {
    /// Every page that joined a group, with its place, in the order they were put.
    members: Vec<(i64, Place)>,
    /// Where each member stands in `members`.
    member_at: HashMap<i64, usize, RandomState>,
    /// Each identity key's first page, with the turn it was put in.
    first: HashMap<Key, (u64, i64), RandomState>,
    /// Pages put so far.
    turn: u64,
}

#[pymethods]
impl Stars {
    #[new]
    fn new() -> Self {
        Self::default()
    }

    /// Where a page would go: (canonical, similarity), or None for a canonical page. `keys`: its
    /// identity keys; `earlier`: the pages put before it that may be near it, in order;
    /// `similar(page)`: its similarity to that page, or None where they are not near duplicates.
    fn find(
        &self,
        keys: Vec<Key>,
        earlier: Vec<i64>,
        similar: &Bound<'_, PyAny>,
    ) -> PyResult<Option<Place>> {
        self.place(&keys, &earlier, |page| similar.call1((page,))?.extract())
    }

    /// Record where a page went.
    #[pyo3(signature = (page, placed, keys))]
    fn put(&mut self, page: i64, placed: Option<Place>, keys: Vec<Key>) {
        if let Some(place) = placed {
            match self.member_at.get(&page) {
                Some(&at) => self.members[at].1 = place,
                None => {
                    self.member_at.insert(page, self.members.len());
                    self.members.push((page, place));
                }
            }
        }
        self.turn += 1;
        for key in keys {
            self.first.entry(key).or_insert((self.turn, page));
        }
    }

    /// Page -> (canonical, similarity) for every page that joined a group, in the order they were put.
    #[getter]
    fn members<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let members = PyDict::new(py);
        for &(page, place) in &self.members {
            members.set_item(page, place)?;
        }
        Ok(members)
    }
}

impl Stars {
    fn member(&self, page: i64) -> Option<Place> {
        self.member_at.get(&page).map(|&at| self.members[at].1)
    }

    /// `find`, with `similar` a Rust closure.
    fn place(
        &self,
        keys: &[Key],
        earlier: &[i64],
        mut similar: impl FnMut(i64) -> PyResult<Option<f64>>,
    ) -> PyResult<Option<Place>> {
        if let Some(&(_, first)) = keys.iter().filter_map(|key| self.first.get(key)).min() {
            return Ok(Some(self.member(first).unwrap_or((first, 1.0))));
        }
        let mut best: Option<Place> = None;
        for &page in earlier {
            if self.member_at.contains_key(&page) {
                continue;
            }
            if let Some(s) = similar(page)? {
                if best.is_none_or(|(_, b)| s > b) {
                    best = Some((page, s));
                }
            }
        }
        Ok(best)
    }
}

/// Page -> (canonical, similarity) for every page that duplicates another (the batch run's and
/// Spark's groups, `dedup.duplicates`): the pages placed in `order` (`Stars`), each with its identity
/// keys (`keys`: page -> its keys) and the pages LSH found near it (`near`: page -> those pages);
/// `similar(i, j)` as `Stars.find` calls it.
#[pyfunction]
pub fn star_groups<'py>(
    py: Python<'py>,
    order: Vec<i64>,
    keys: &Bound<'py, PyDict>,
    near: &Bound<'py, PyDict>,
    similar: &Bound<'py, PyAny>,
) -> PyResult<Bound<'py, PyDict>> {
    let rank: HashMap<i64, usize, RandomState> = order
        .iter()
        .enumerate()
        .map(|(r, &page)| (page, r))
        .collect();
    let rank_of = |page: i64| {
        rank.get(&page)
            .copied()
            .ok_or_else(|| PyKeyError::new_err(page))
    };
    let mut stars = Stars::default();
    for (r, &page) in order.iter().enumerate() {
        let mut earlier = Vec::new();
        if let Some(pages) = near.get_item(page)? {
            for q in pages.try_iter()? {
                let q: i64 = q?.extract()?;
                let rq = rank_of(q)?;
                if rq < r {
                    earlier.push((rq, q));
                }
            }
        }
        earlier.sort_unstable();
        let earlier: Vec<i64> = earlier.into_iter().map(|(_, q)| q).collect();
        let page_keys: Vec<Key> = match keys.get_item(page)? {
            Some(found) => found.extract()?,
            None => Vec::new(),
        };
        let placed = stars.place(&page_keys, &earlier, |q| {
            similar.call1((page, q))?.extract()
        })?;
        stars.put(page, placed, page_keys);
    }
    stars.members(py)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(kind: &str, hash: u64) -> Key {
        (kind.to_string(), hash)
    }

    #[test]
    fn an_identical_page_joins_the_group_of_the_first_with_its_key() {
        let mut stars = Stars::default();
        stars.put(7, None, vec![key("page", 1)]);
        stars.put(3, Some((7, 0.9)), vec![key("page", 2)]);
        let none = |_| Ok(None);
        // The key first put with page 3 names 3's canonical page.
        assert_eq!(
            stars.place(&[key("page", 2)], &[], none).unwrap(),
            Some((7, 0.9))
        );
        assert_eq!(
            stars
                .place(&[key("page", 2), key("page", 1)], &[], none)
                .unwrap(),
            Some((7, 1.0))
        );
    }

    #[test]
    fn a_page_joins_the_most_similar_canonical_page_the_first_on_a_tie() {
        let mut stars = Stars::default();
        for page in [1, 2, 3] {
            stars.put(page, None, vec![]);
        }
        stars.put(4, Some((1, 0.95)), vec![]);
        let similar = |page| Ok(Some(if page == 4 { 0.99 } else { 0.85 }));
        assert_eq!(
            stars.place(&[], &[4, 2, 3], similar).unwrap(),
            Some((2, 0.85))
        );
    }
}
