//! Why the server could not start or a store operation failed.
//!
//! Errors of single requests are not here: a bad upload is an HTTP status with a message (see
//! [`crate::api`]), never an error of the server.

use std::io;
use std::path::PathBuf;

/// Everything that stops the server from starting, or a store operation from completing.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The `--data` directory (or a file in it) could not be created or read.
    #[error("{path}: {source}")]
    Data {
        /// The directory or file.
        path: PathBuf,
        /// The underlying I/O error.
        #[source]
        source: io::Error,
    },
    /// The SQLite database failed.
    #[error("database {path}: {source}")]
    Database {
        /// The database file.
        path: PathBuf,
        /// What SQLite said.
        #[source]
        source: rusqlite::Error,
    },
    /// The database was written by a newer version of the server.
    #[error(
        "database {path} has schema version {found}; this nodemortem knows up to {known}: upgrade nodemortem"
    )]
    SchemaTooNew {
        /// The database file.
        path: PathBuf,
        /// The schema version found in the file.
        found: i64,
        /// The newest schema this build can use.
        known: i64,
    },
    /// The token file could not be read or holds no usable token.
    #[error("token file {path}: {reason}")]
    Token {
        /// The token file.
        path: PathBuf,
        /// What is wrong with it.
        reason: String,
    },
    /// A flag has a value the server cannot use (`--webhook` not an http(s) URL, …).
    #[error("{flag}: {reason}")]
    Config {
        /// The flag (`--webhook`).
        flag: &'static str,
        /// What is wrong with its value.
        reason: String,
    },
    /// The rules could not be loaded (a user rule file is invalid).
    #[error("loading rules: {0}")]
    Rules(#[source] analyzer_core::Error),
    /// The listening socket could not be bound.
    #[error("listening on {addr}: {source}")]
    Bind {
        /// The address asked for.
        addr: std::net::SocketAddr,
        /// The underlying I/O error.
        #[source]
        source: io::Error,
    },
    /// The async runtime could not be started.
    #[error("starting the runtime: {0}")]
    Runtime(#[source] io::Error),
}

/// Shorthand for results of this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;
