//! Instances of dedup's dataclasses made by the core for what it finds (`dedup.page.Decision`,
//! `Removal`): Python is handed them as they are, without a frame of their class's `__init__`
//! for each.

use pyo3::exceptions::PyTypeError;
use pyo3::intern;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyString, PyType};

/// Makes instances of a dataclass with slots: each allocated by its class as `object.__new__(class)`
/// has it allocated (`tp_alloc`: every slot empty), its fields then set as its `__init__` sets
/// them (`setattr`).
pub(crate) struct Made<'py> {
    class: Bound<'py, PyType>,
    alloc: pyo3::ffi::allocfunc,
}

impl<'py> Made<'py> {
    pub(crate) fn of(class: &Bound<'py, PyType>) -> PyResult<Self> {
        // SAFETY: the slot of a type object is read; a type always has one (`PyType_Ready`
        // inherits object's), checked all the same.
        let slot =
            unsafe { pyo3::ffi::PyType_GetSlot(class.as_type_ptr(), pyo3::ffi::Py_tp_alloc) };
        if slot.is_null() {
            return Err(PyTypeError::new_err("the class allocates no instances"));
        }
        Ok(Made {
            class: class.clone(),
            // SAFETY: the `Py_tp_alloc` slot holds an `allocfunc`.
            alloc: unsafe {
                std::mem::transmute::<*mut std::ffi::c_void, pyo3::ffi::allocfunc>(slot)
            },
        })
    }

    /// An instance with these fields, each given by its name.
    pub(crate) fn make<const N: usize>(
        &self,
        fields: [(&Bound<'py, PyString>, Bound<'py, PyAny>); N],
    ) -> PyResult<Bound<'py, PyAny>> {
        let py = self.class.py();
        // SAFETY: the class's own allocator makes a new instance, our only reference to it (or
        // NULL with an error set).
        let made =
            unsafe { Bound::from_owned_ptr_or_err(py, (self.alloc)(self.class.as_type_ptr(), 0))? };
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
