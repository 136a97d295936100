//! The exceptions of the Python package and how library errors become them.
//!
//! Problems with evidence are never exceptions: they are `report["warnings"]`. An exception is
//! raised only when a call cannot produce a result at all, as the library's [`analyzer_core::Error`] says.

use pyo3::create_exception;
use pyo3::exceptions::PyException;
use pyo3::prelude::*;

create_exception!(
    nodemortem,
    Error,
    PyException,
    "Base class of every error nodemortem raises."
);
create_exception!(
    nodemortem,
    NothingReadError,
    Error,
    "No input could be read at all (a missing path, an empty bundle); the message names the path."
);
create_exception!(
    nodemortem,
    RuleError,
    Error,
    "A rule directory could not be read or one of its rule files is invalid.\n\n\
     ``file`` and ``line`` (1-based, ``0`` when unknown, ``None`` for an unreadable directory) \
     locate the fault; the message also names the field."
);

/// Which step failed, so that a library error is raised as the right class.
#[derive(Debug)]
pub enum Failure {
    /// Loading the rules (the built-in ones and `rules_dir`).
    Rules(analyzer_core::Error),
    /// Reading or analysing the inputs.
    Input(analyzer_core::Error),
}

impl Failure {
    /// The Python exception: [`RuleError`] for anything about the rules (with `file` and
    /// `line` attributes), [`NothingReadError`] when no input was readable, otherwise the base
    /// class.
    pub fn into_pyerr(self, py: Python<'_>) -> PyErr {
        match self {
            Failure::Rules(e) => {
                let (file, line) = match &e {
                    analyzer_core::Error::Rule { file, line, .. } => {
                        (Some(file.clone()), Some(*line))
                    }
                    analyzer_core::Error::Open { path, .. } => {
                        (Some(path.display().to_string()), None)
                    }
                    _ => (None, None),
                };
                let err = RuleError::new_err(e.to_string());
                let value = err.value(py);
                // Setting attributes on a fresh exception instance cannot fail in practice; if
                // it did, the message still names the file and line.
                let _ = value.setattr("file", file);
                let _ = value.setattr("line", line);
                err
            }
            Failure::Input(e @ analyzer_core::Error::NothingReadable { .. }) => {
                NothingReadError::new_err(e.to_string())
            }
            Failure::Input(e) => Error::new_err(e.to_string()),
        }
    }
}
