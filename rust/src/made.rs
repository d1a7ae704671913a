//! Instances of dedup's dataclasses made by the core for what it finds (`dedup.page.Decision`,
//! `Removal`): Python is handed them as they are, without a frame of their class's `__init__`
//! for each.

use pyo3::intern;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyString, PyType};

/// Makes instances of a dataclass with slots: each allocated as `object.__new__(class)`
/// allocates it, its fields then set as its `__init__` sets them (`setattr`).
pub(crate) struct Made<'py> {
    class: Bound<'py, PyType>,
    new: Bound<'py, PyAny>,
}

impl<'py> Made<'py> {
    pub(crate) fn of(class: &Bound<'py, PyType>) -> PyResult<Self> {
        let py = class.py();
        Ok(Made {
            class: class.clone(),
            new: py.get_type::<PyAny>().getattr(intern!(py, "__new__"))?,
        })
    }

    /// An instance with these fields, each given by its name.
    pub(crate) fn make<const N: usize>(
        &self,
        fields: [(&Bound<'py, PyString>, Bound<'py, PyAny>); N],
    ) -> PyResult<Bound<'py, PyAny>> {
        let made = self.new.call1((&self.class,))?;
        for (name, value) in fields {
            made.setattr(name, value)?;
        }
        Ok(made)
    }
}

/// Makes decisions (`dedup.page.Decision`) of one kind.
pub(crate) struct Decisions<'py> {
    made: Made<'py>,
    kind: Bound<'py, PyAny>,
}

impl<'py> Decisions<'py> {
    pub(crate) fn of(class: &Bound<'py, PyType>, kind: &Bound<'py, PyAny>) -> PyResult<Self> {
        Ok(Decisions {
            made: Made::of(class)?,
            kind: kind.clone(),
        })
    }

    /// The kind's text, as `str(kind)` reads it.
    pub(crate) fn kind_text(&self) -> PyResult<String> {
        Ok(self.kind.str()?.to_string())
    }

    /// A decision that the span goes, on this evidence.
    pub(crate) fn make(
        &self,
        start: usize,
        end: usize,
        evidence: Bound<'py, PyDict>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let py = self.kind.py();
        self.made.make([
            (intern!(py, "start"), start.into_pyobject(py)?.into_any()),
            (intern!(py, "end"), end.into_pyobject(py)?.into_any()),
            (intern!(py, "kind"), self.kind.clone()),
            (intern!(py, "evidence"), evidence.into_any()),
        ])
    }
}
