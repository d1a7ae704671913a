//! Instances of dedup's classes made by the core for what it finds (`dedup.page.Block`,
//! `Decision`, `Removal`): Python is handed them as they are, without a frame of their class's
//! `__init__` (or `__new__`) for each.

use std::sync::Mutex;

use pyo3::exceptions::PyTypeError;
use pyo3::ffi;
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

    /// An instance of a dataclass with slots, these fields set through their slots, as its
    /// `__init__` sets them.
    pub(crate) fn make<const N: usize>(
        &self,
        fields: [(&Slot<'py>, Bound<'py, PyAny>); N],
    ) -> PyResult<Bound<'py, PyAny>> {
        let made = self.allocate(0)?;
        for (slot, value) in fields {
            slot.set(&made, value)?;
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

/// A field of a class's instances, read and written through the descriptor of its slot (a
/// `@dataclass(slots=True)`'s field) where the instance is of the class itself: its name is not
/// looked up in the class at every access. By its name for any other instance.
pub(crate) struct Slot<'py> {
    class: Bound<'py, PyType>,
    name: Bound<'py, PyString>,
    /// The slot's descriptor, with its `__get__` and `__set__`; None where the class has no slot
    /// of that name.
    descriptor: Option<(Bound<'py, PyAny>, ffi::descrgetfunc, ffi::descrsetfunc)>,
}

/// A slot found once (`Slot::of`): the class, the field's name and the slot's descriptor with its
/// functions, for each class and name asked for (dedup's decisions' and removals' few).
type Found = (
    Py<PyType>,
    Py<PyString>,
    Option<(Py<PyAny>, ffi::descrgetfunc, ffi::descrsetfunc)>,
);

static FOUND: Mutex<Vec<Found>> = Mutex::new(Vec::new());

impl<'py> Slot<'py> {
    /// The slot of a field of the class (`name`, interned: a name is known by its pointer).
    pub(crate) fn of(class: &Bound<'py, PyType>, name: &Bound<'py, PyString>) -> PyResult<Self> {
        let py = class.py();
        let lock = || {
            FOUND
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner())
        };
        let known = lock()
            .iter()
            .find(|(c, n, _)| c.as_ptr() == class.as_ptr() && n.as_ptr() == name.as_ptr())
            .map(|(_, _, descriptor)| {
                descriptor
                    .as_ref()
                    .map(|(d, get, set)| (d.bind(py).clone(), *get, *set))
            });
        // Found with the lock let go: reading the class may run Python code.
        let descriptor = known.unwrap_or_else(|| {
            let descriptor = slot_descriptor(class, name);
            let kept = descriptor
                .as_ref()
                .map(|(d, get, set)| (d.clone().unbind(), *get, *set));
            lock().push((class.clone().unbind(), name.clone().unbind(), kept));
            descriptor
        });
        Ok(Slot {
            class: class.clone(),
            name: name.clone(),
            descriptor,
        })
    }

    /// The field of an instance (`getattr`).
    pub(crate) fn get(&self, instance: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
        match &self.descriptor {
            Some((descriptor, get, _)) if instance.get_type().is(&self.class) => {
                // SAFETY: a member descriptor's `__get__` of an instance of its own class returns
                // a new reference to the field (or NULL with an error set: an empty slot).
                unsafe {
                    Bound::from_owned_ptr_or_err(
                        instance.py(),
                        get(descriptor.as_ptr(), instance.as_ptr(), self.class.as_ptr()),
                    )
                }
            }
            _ => instance.getattr(&self.name),
        }
    }

    /// The field of an instance set (`setattr`).
    pub(crate) fn set(
        &self,
        instance: &Bound<'py, PyAny>,
        value: Bound<'py, PyAny>,
    ) -> PyResult<()> {
        match &self.descriptor {
            Some((descriptor, _, set)) if instance.get_type().is(&self.class) => {
                // SAFETY: a member descriptor's `__set__` on an instance of its own class stores
                // a new reference to the value, 0 on success (else -1 with an error set).
                if unsafe { set(descriptor.as_ptr(), instance.as_ptr(), value.as_ptr()) } != 0 {
                    return Err(PyErr::fetch(instance.py()));
                }
                Ok(())
            }
            _ => instance.setattr(&self.name, value),
        }
    }
}

/// The descriptor of a class's slot of this name, with its `__get__` and `__set__`; None where the
/// class has no slot of that name.
fn slot_descriptor<'py>(
    class: &Bound<'py, PyType>,
    name: &Bound<'py, PyString>,
) -> Option<(Bound<'py, PyAny>, ffi::descrgetfunc, ffi::descrsetfunc)> {
    let descriptor = class.getattr(name).ok()?; // a slot's descriptor, read off the class
    let kind = descriptor.get_type();
    if !kind.name().is_ok_and(|n| n == "member_descriptor") {
        return None;
    }
    // SAFETY: the slots of a type object are read; PyType_GetSlot takes static types from
    // Python 3.10 (a member descriptor's type is one), NULL where it has none.
    let (get, set) = unsafe {
        (
            ffi::PyType_GetSlot(kind.as_type_ptr(), ffi::Py_tp_descr_get),
            ffi::PyType_GetSlot(kind.as_type_ptr(), ffi::Py_tp_descr_set),
        )
    };
    if get.is_null() || set.is_null() {
        return None;
    }
    // SAFETY: the `Py_tp_descr_get` and `Py_tp_descr_set` slots hold these functions.
    let (get, set) = unsafe {
        (
            std::mem::transmute::<*mut std::ffi::c_void, ffi::descrgetfunc>(get),
            std::mem::transmute::<*mut std::ffi::c_void, ffi::descrsetfunc>(set),
        )
    };
    Some((descriptor, get, set))
}

/// The slots of a decision's (`dedup.page.Decision`) fields.
pub(crate) struct DecisionSlots<'py> {
    pub(crate) start: Slot<'py>,
    pub(crate) end: Slot<'py>,
    pub(crate) kind: Slot<'py>,
    pub(crate) evidence: Slot<'py>,
}

impl<'py> DecisionSlots<'py> {
    pub(crate) fn of(class: &Bound<'py, PyType>) -> PyResult<Self> {
        let py = class.py();
        Ok(DecisionSlots {
            start: Slot::of(class, intern!(py, "start"))?,
            end: Slot::of(class, intern!(py, "end"))?,
            kind: Slot::of(class, intern!(py, "kind"))?,
            evidence: Slot::of(class, intern!(py, "evidence"))?,
        })
    }

    /// The slots of the class of these decisions (the first one's: they are of one class, or read
    /// by their names); None where there are none.
    pub(crate) fn of_first(decisions: &[Bound<'py, PyAny>]) -> PyResult<Option<Self>> {
        decisions
            .first()
            .map(|first| Self::of(&first.get_type()))
            .transpose()
    }
}

/// Makes decisions (`dedup.page.Decision`) of one kind.
pub(crate) struct Decisions<'py> {
    made: Made<'py>,
    slots: DecisionSlots<'py>,
    kind: Bound<'py, PyAny>,
}

impl<'py> Decisions<'py> {
    pub(crate) fn of(class: &Bound<'py, PyType>, kind: &Bound<'py, PyAny>) -> PyResult<Self> {
        Ok(Decisions {
            made: Made::of(class)?,
            slots: DecisionSlots::of(class)?,
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
        let (py, slots) = (self.kind.py(), &self.slots);
        self.made.make([
            (&slots.start, start.into_pyobject(py)?.into_any()),
            (&slots.end, end.into_pyobject(py)?.into_any()),
            (&slots.kind, self.kind.clone()),
            (&slots.evidence, evidence.into_any()),
        ])
    }
}
