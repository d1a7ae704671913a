//! Instances of dedup's classes made by the core for what it finds (`dedup.page.Block`,
//! `Decision`, `Removal`): Python is handed them as they are, without a frame of their class's
//! `__init__` (or `__new__`) for each.

use pyo3::exceptions::PyTypeError;
use pyo3::intern;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyString, PyTuple, PyType};

/// Makes instances of a class: each allocated by the class (`tp_alloc`) as `object.__new__` or
/// `tuple.__new__` has it allocated, then its fields set.
pub(crate) struct Made<'py> {
    class: Bound<'py, PyType>,
    alloc: pyo3::ffi::allocfunc,
    tuple: bool,
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
            tuple: class.is_subclass_of::<PyTuple>()?,
        })
    }

    /// A new instance of `items` empty items (none but for a tuple's class), ours alone.
    fn allocate(&self, items: usize) -> PyResult<Bound<'py, PyAny>> {
        // SAFETY: the class's own allocator returns a new instance (or NULL with an error set).
        unsafe {
            Bound::from_owned_ptr_or_err(
                self.class.py(),
                (self.alloc)(self.class.as_type_ptr(), items as isize),
            )
        }
    }

    /// An instance of a dataclass with slots, these fields set by their names (`setattr`), as its
    /// `__init__` sets them.
    pub(crate) fn make<const N: usize>(
        &self,
        fields: [(&Bound<'py, PyString>, Bound<'py, PyAny>); N],
    ) -> PyResult<Bound<'py, PyAny>> {
        let made = self.allocate(0)?;
        for (name, value) in fields {
            made.setattr(name, value)?;
        }
        Ok(made)
    }

    /// An instance of a tuple's subclass holding these items, set in place, without a tuple made
    /// first.
    pub(crate) fn tuple<const N: usize>(
        &self,
        items: [Bound<'py, PyAny>; N],
    ) -> PyResult<Bound<'py, PyAny>> {
        if !self.tuple {
            return Err(PyTypeError::new_err("the class is not a tuple's"));
        }
        let made = self.allocate(N)?;
        for (i, item) in items.into_iter().enumerate() {
            // SAFETY: a new tuple of N empty items, ours alone: PyTuple_SetItem may set each one,
            // taking the reference `into_ptr` gives it.
            if unsafe { pyo3::ffi::PyTuple_SetItem(made.as_ptr(), i as isize, item.into_ptr()) }
                != 0
            {
                return Err(PyErr::fetch(self.class.py()));
            }
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
