/*!
Offline forensics for broken Docker/Kubernetes nodes.

`analyzer_core` turns what a support engineer receives — a sosreport tarball, loose logs, a
goroutine dump of hundreds of megabytes — into ranked findings: the root cause first, each
proven by the evidence lines (file, line, time) that made it fire.

The crate follows the data:

* [`input`]: bundles (directories, archives, files, bytes, stdin) → classified members, streamed
  once, never extracted to disk;
* [`parse`]: one module per format, zero-copy over `&[u8]`;
* [`model`]: records, multi-line events, goroutine dumps, host state and derived facts;
* [`stacks`]: buckets and the mutex wait-for graph of goroutine dumps;
* [`rules`]: declarative signatures and the engine;
* [`report`]: findings, ranking and renderers;
* [`analysis`]: the pipeline that runs all of the above.
*/

#![warn(missing_docs)]

pub mod analysis;
pub mod error;
pub mod input;
pub mod inventory;
pub mod model;
pub mod parse;
pub mod report;
pub mod rules;
pub mod stacks;

pub use analysis::{Options, analyze};
pub use error::{Error, Result};
pub use input::{Bundle, Limits, Warning};
pub use report::{Finding, Report, Severity};
