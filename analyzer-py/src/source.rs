//! What a Python caller passes as the thing to analyse, turned into an
//! [`analyzer_core::Bundle`]: a path, a list of paths, bytes in memory or a binary file object.
//!
//! A file object is not read here: it becomes a [`Bundle::from_reader`] stream that the
//! analysis reads once, in chunks, through [`PyReader`], attaching to the interpreter only for
//! each `read()` call.

use std::io::{self, BufReader, Read};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use analyzer_core::{Bundle, CancelToken};
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::intern;
use pyo3::prelude::*;
use pyo3::types::{PyByteArray, PyBytes, PyList, PyMemoryView, PyString, PyTuple};

/// Bytes asked of a file object per `read()` call: few enough calls that taking the
/// interpreter for each costs nothing measurable, small enough to stream.
const READ_CHUNK: usize = 1 << 20;

/// A bundle, plus the slot where a failing file object leaves its exception.
pub struct Source {
    /// What the analysis reads.
    pub bundle: Bundle,
    /// The first exception raised by the file object's `read()`, if any; it is raised to the
    /// caller after the analysis (which stops reading the stream at that point).
    pub read_error: ReadError,
}

/// Shared slot for the exception of a file object's `read()`.
pub type ReadError = Arc<Mutex<Option<PyErr>>>;

impl Source {
    /// Raises the file object's exception, if its `read()` failed.
    pub fn check(&self) -> PyResult<()> {
        match self
            .read_error
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .take()
        {
            Some(e) => Err(e),
            None => Ok(()),
        }
    }
}

/// Reads the `source` argument of `analyze` and `inventory`.
///
/// Accepted, in this order: `bytes`, `bytearray`, `memoryview` (copied once: the caller may
/// change them meanwhile); a `str` or `os.PathLike` path; a `list` or `tuple` of paths; an object
/// with a `read` method (a binary file object, streamed). `name` names in-memory and streamed
/// inputs in the report (`"bytes"`, or the file object's `name`, or `"stream"` by default); its
/// suffix may tell how to decode them, though the content decides first. `cancel` is cancelled
/// when the file object fails, so that the analysis stops reading.
pub fn bundle(
    obj: &Bound<'_, PyAny>,
    name: Option<String>,
    cancel: Option<CancelToken>,
) -> PyResult<Source> {
    let read_error = ReadError::default();
    let named = |default: &str| name.clone().unwrap_or_else(|| default.to_string());
    let bundle = if let Some(bytes) = bytes_like(obj)? {
        Bundle::from_bytes(named("bytes"), bytes)
    } else if obj.is_instance_of::<PyString>() || obj.hasattr(intern!(obj.py(), "__fspath__"))? {
        Bundle::from_path(obj.extract::<PathBuf>()?)
    } else if obj.is_instance_of::<PyList>() || obj.is_instance_of::<PyTuple>() {
        let mut paths = Vec::new();
        for (i, item) in obj.try_iter()?.enumerate() {
            let item = item?;
            paths.push(item.extract::<PathBuf>().map_err(|_| {
                PyTypeError::new_err(format!(
                    "source[{i}] is {}, expected a path (str or os.PathLike)",
                    type_name(&item)
                ))
            })?);
        }
        Bundle::from_paths(paths)
    } else if obj.hasattr(intern!(obj.py(), "read"))? {
        let io = obj.py().import(intern!(obj.py(), "io"))?;
        if obj.is_instance(&io.getattr(intern!(obj.py(), "TextIOBase"))?)? {
            return Err(PyTypeError::new_err(
                "the file object is in text mode: open it in binary mode ('rb')",
            ));
        }
        let name = match name {
            Some(n) => n,
            None => obj
                .getattr(intern!(obj.py(), "name"))
                .ok()
                .and_then(|n| n.extract::<String>().ok())
                .unwrap_or_else(|| "stream".to_string()),
        };
        let reader = PyReader {
            file: obj.clone().unbind(),
            error: Arc::clone(&read_error),
            cancel,
        };
        Bundle::from_reader(name, BufReader::with_capacity(READ_CHUNK, reader))
    } else {
        return Err(PyTypeError::new_err(format!(
            "source is {}, expected a path (str or os.PathLike), a list of paths, bytes or a \
             binary file object",
            type_name(obj)
        )));
    };
    Ok(Source { bundle, read_error })
}

/// The content of `bytes`, `bytearray` or `memoryview`, copied; `None` for anything else.
pub fn bytes_like(obj: &Bound<'_, PyAny>) -> PyResult<Option<Arc<[u8]>>> {
    if let Ok(b) = obj.cast::<PyBytes>() {
        Ok(Some(Arc::from(b.as_bytes())))
    } else if let Ok(b) = obj.cast::<PyByteArray>() {
        Ok(Some(Arc::from(b.to_vec())))
    } else if obj.is_instance_of::<PyMemoryView>() {
        let b = obj.call_method0(intern!(obj.py(), "tobytes"))?;
        Ok(Some(Arc::from(b.cast::<PyBytes>()?.as_bytes())))
    } else {
        Ok(None)
    }
}

/// The Python type name of `obj`, for messages.
pub fn type_name(obj: &Bound<'_, PyAny>) -> String {
    obj.get_type()
        .name()
        .map_or_else(|_| "an object".to_string(), |n| n.to_string())
}

/// A binary file object as a [`Read`]: each `read` calls the object's `read(n)`, attached to the
/// interpreter for that call only, so the analysis runs detached between chunks.
struct PyReader {
    file: Py<PyAny>,
    error: ReadError,
    cancel: Option<CancelToken>,
}

impl Read for PyReader {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if buf.is_empty() {
            return Ok(0);
        }
        Python::attach(|py| {
            let chunk = self
                .file
                .bind(py)
                .call_method1(intern!(py, "read"), (buf.len(),))
                .and_then(|chunk| copy_chunk(&chunk, buf));
            chunk.map_err(|e| {
                let message = e.to_string();
                let mut slot = self.error.lock().unwrap_or_else(|p| p.into_inner());
                slot.get_or_insert(e);
                if let Some(c) = &self.cancel {
                    c.cancel();
                }
                io::Error::other(message)
            })
        })
    }
}

/// Copies what a file object's `read(n)` returned into `buf`.
fn copy_chunk(chunk: &Bound<'_, PyAny>, buf: &mut [u8]) -> PyResult<usize> {
    let owned;
    let data: &[u8] = if let Ok(b) = chunk.cast::<PyBytes>() {
        b.as_bytes()
    } else if let Ok(b) = chunk.cast::<PyByteArray>() {
        owned = b.to_vec();
        &owned
    } else if chunk.is_none() {
        return Err(PyValueError::new_err(
            "the file object's read() returned None (a non-blocking stream with no data ready)",
        ));
    } else {
        return Err(PyTypeError::new_err(format!(
            "the file object's read() returned {}, expected bytes: open it in binary mode ('rb')",
            type_name(chunk)
        )));
    };
    let Some(dest) = buf.get_mut(..data.len()) else {
        return Err(PyValueError::new_err(format!(
            "the file object's read({}) returned {} bytes",
            buf.len(),
            data.len()
        )));
    };
    dest.copy_from_slice(data);
    Ok(data.len())
}
