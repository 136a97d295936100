//! Typed errors of the library.
//!
//! Most problems with evidence (a corrupt member, a truncated stream, a line that does not
//! parse) are *not* errors: they become [`Warning`](crate::input::Warning)s and the rest of the
//! bundle is still analysed. An [`Error`] is returned only when an operation cannot produce a
//! result at all: no input could be read, a user rule file is invalid, an output cannot be
//! written.

use std::io;
use std::path::PathBuf;

/// Everything that can make a library call fail outright.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// An input path could not be opened or read at all.
    #[error("{path}: {source}")]
    Open {
        /// The path as the user gave it.
        path: PathBuf,
        /// The underlying I/O error.
        #[source]
        source: io::Error,
    },
    /// None of the inputs produced a single readable member.
    #[error("no input could be read: {reason}")]
    NothingReadable {
        /// Why, naming the path(s).
        reason: String,
    },
    /// A rule file is invalid; names the file, the line and the field at fault.
    #[error("{file}:{line}: {field}: {message}")]
    Rule {
        /// The rule file (a built-in name or a path).
        file: String,
        /// 1-based line of the fault (0 when unknown).
        line: usize,
        /// The offending field (`rule.id`, `evidence[2].pattern`, …).
        field: String,
        /// What is wrong.
        message: String,
    },
    /// An unknown rule id was asked for.
    #[error("no rule with id {0:?}")]
    UnknownRule(String),
    /// A plain I/O failure while writing output.
    #[error(transparent)]
    Io(#[from] io::Error),
}

/// Shorthand for results of this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;
