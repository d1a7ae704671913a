//! The variant merges' clusters (`dedup.model.SiteModel`): the LSH's candidate pairs of shapes
//! confirmed by the Jaccard of their character n-grams.

use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::PyString;

/// The cluster of each key (`keys`: the shapes the pairs name, by their index), as the index of
/// one of its keys: the pairs taken in order, two keys join where they are not joined already,
/// neither holds the other whole between spaces (`Read more: <title>` is a template, not a
/// variant) and the Jaccard of their character n-grams of `size` characters (the key itself
/// when shorter; `dedup.fingerprint.char_shingles`) is `similarity` or more. The GIL is released
/// while they are compared.
#[pyfunction]
pub fn variant_clusters(
    py: Python<'_>,
    keys: Vec<Bound<'_, PyString>>,
    pairs: Vec<(usize, usize)>,
    size: usize,
    similarity: f64,
) -> PyResult<Vec<usize>> {
    if size == 0 {
        return Err(PyValueError::new_err("a shingle holds 1 character or more"));
    }
    if pairs
        .iter()
        .any(|&(i, j)| i >= keys.len() || j >= keys.len())
    {
        return Err(PyValueError::new_err(
            "a pair names a key that is not given",
        ));
    }
    // Code points, as Python's str holds them: a lone surrogate is a character like any other.
    let keys = keys
        .iter()
        .map(crate::code_points)
        .collect::<PyResult<Vec<_>>>()?;
    Ok(py.detach(|| clusters(&keys, &pairs, size, similarity)))
}

fn clusters(
    keys: &[Vec<u32>],
    pairs: &[(usize, usize)],
    size: usize,
    similarity: f64,
) -> Vec<usize> {
    let mut parent: Vec<usize> = (0..keys.len()).collect();
    let mut shingles: Vec<Option<Vec<&[u32]>>> = vec![None; keys.len()];
    for &(i, j) in pairs {
        let (a, b) = (find(&mut parent, i), find(&mut parent, j));
        if a == b || nested(&keys[i], &keys[j]) {
            continue;
        }
        for k in [i, j] {
            if shingles[k].is_none() {
                shingles[k] = Some(char_grams(&keys[k], size));
            }
        }
        let (x, y) = (shingles[i].as_deref(), shingles[j].as_deref());
        if jaccard(x.expect("made above"), y.expect("made above")) >= similarity {
            parent[b] = a;
        }
    }
    (0..keys.len()).map(|k| find(&mut parent, k)).collect()
}

fn find(parent: &mut [usize], mut i: usize) -> usize {
    while parent[i] != i {
        parent[i] = parent[parent[i]];
        i = parent[i];
    }
    i
}

/// Whether the shorter key (the first of two as long) stands whole in the other, a space or an
/// end on each side.
fn nested(a: &[u32], b: &[u32]) -> bool {
    let (short, long) = if b.len() < a.len() { (b, a) } else { (a, b) };
    let padded = |key: &[u32]| [&[u32::from(' ')], key, &[u32::from(' ')]].concat();
    let (short, long) = (padded(short), padded(long));
    long.windows(short.len()).any(|window| window == short)
}

/// The distinct n-grams of `size` characters of a key (the key itself when shorter), sorted.
fn char_grams(key: &[u32], size: usize) -> Vec<&[u32]> {
    let mut grams: Vec<&[u32]> = if key.len() <= size {
        vec![key]
    } else {
        key.windows(size).collect()
    };
    grams.sort_unstable();
    grams.dedup();
    grams
}

/// |a ∩ b| / |a ∪ b| of two sorted, distinct sets (1 for two empty ones), as Python divides.
fn jaccard(a: &[&[u32]], b: &[&[u32]]) -> f64 {
    let both = crate::lsh::shared(a, b);
    let either = a.len() + b.len() - both;
    if either == 0 {
        1.0
    } else {
        both as f64 / either as f64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn codes(text: &str) -> Vec<u32> {
        text.chars().map(u32::from).collect()
    }

    #[test]
    fn a_typo_joins_a_template_around_its_own_text_does_not() {
        let keys: Vec<Vec<u32>> = [
            "subscribe to our newsletter for the latest news",
            "subscribe to our newsletters for the latest news",
            "read more: subscribe to our newsletter for the latest news",
        ]
        .iter()
        .map(|k| codes(k))
        .collect();
        let found = clusters(&keys, &[(0, 1), (0, 2)], 4, 0.7);
        assert_eq!(found[0], found[1]);
        assert_ne!(found[0], found[2]);
    }

    #[test]
    fn the_jaccard_of_character_grams_is_as_sets_count_it() {
        let (a, b) = (codes("abcde"), codes("abcdf"));
        // {abcd, bcde} and {abcd, bcdf}: one shared of three.
        assert_eq!(jaccard(&char_grams(&a, 4), &char_grams(&b, 4)), 1.0 / 3.0);
        assert_eq!(
            jaccard(&char_grams(&codes("ab"), 4), &char_grams(&codes("ab"), 4)),
            1.0
        );
    }
}
