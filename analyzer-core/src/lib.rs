/*!
Offline forensics for broken Docker/Kubernetes nodes.

`analyzer_core` turns what a support engineer receives — a sosreport tarball, loose logs, a
goroutine dump of hundreds of megabytes — into ranked findings: the root cause first, each
proven by the evidence lines (file, line, time) that made it fire.

# Guide

Bytes or paths go in, a [`Report`] comes out:

* [`Bundle::from_path`] / [`Bundle::from_paths`]: a sosreport archive (`.tar.xz`, `.tar.gz`,
  …) or directory, a log file, a goroutine dump; nothing is extracted to disk;
* [`Bundle::from_bytes`]`(name, bytes)`: an attachment already in memory (the name's suffix
  and the content decide how it is read);
* [`analyze`]`(&bundle, &Options) -> Result<Report>` runs the built-in rules;
  [`analysis::analyze_with`] adds user rules ([`rules::load`]) and
  [`analysis::analyze_detailed`] also returns the goroutine-dump analyses and host state;
* [`Report`] is `serde`-serialisable (the JSON contract is `docs/json-schema.md`) and has
  renderers: [`report::text`] (terminal), [`report::markdown`] (ticket comment),
  [`report::html`] (one self-contained page with timeline and wait-for graph);
* [`timeline::build`] merges every log of a bundle into one time-ordered, time-zone-normalised
  list, marking the lines findings cite.

```
use analyzer_core::{Bundle, Options, Severity, analyze};

// A kernel log attached to a ticket: the kernel's OOM killer at work.
let log = b"Jul 15 10:12:22 node1 kernel: Memory cgroup out of memory: Killed process 4021 (java) total-vm:9600000kB, anon-rss:4190000kB, file-rss:0kB, shmem-rss:0kB\n";
let bundle = Bundle::from_bytes("messages", log.to_vec());
let report = analyze(&bundle, &Options::default())?;

assert_eq!(report.stats.members, 1);
assert_eq!(report.stats.records, 1);
for finding in &report.findings {
    // How bad the condition is, and how sure the diagnosis: `confirmed`, `likely`, `possible`.
    assert!(finding.severity >= Severity::Info);
    println!(
        "{} ({}, {}): {}",
        finding.rule,
        finding.severity.name(),
        finding.confidence.name(),
        finding.summary
    );
}

// The stable JSON contract.
let json = serde_json::to_string(&report).expect("a report always serialises");
assert!(json.starts_with("{\"schema_version\":2,"));

// A ticket comment.
let md = analyzer_core::report::markdown::render(&report, &Default::default());
assert!(md.starts_with("## nodemortem:"));
# Ok::<(), analyzer_core::Error>(())
```

# Modules

The crate follows the data, each layer using only the ones above it in this list:

* [`base`]: the shared vocabulary: times, sources and levels, formats, findings and evidence
  (with [`error`], the typed errors);
* [`input`]: bundles (directories, archives, files, bytes, stdin) → classified members, streamed
  once, never extracted to disk;
* [`parse`]: one module per format, zero-copy over `&[u8]`: log records, goroutine dumps,
  host-state rows;
* [`model`]: the bundle clock, multi-line events, host state and derived facts;
* [`stacks`]: buckets and the mutex wait-for graph of goroutine dumps;
* [`rules`]: declarative signatures and the engine;
* [`report`]: the report and its renderers;
* [`analysis`]: the pipeline that runs all of the above;
* [`timeline`]: the merged timeline of all logs;
* [`inventory`]: what a bundle contains, member by member.
*/

#![warn(missing_docs)]

pub mod analysis;
pub mod base;
pub mod error;
pub mod input;
pub mod inventory;
pub mod model;
pub mod parse;
pub mod report;
pub mod rules;
pub mod stacks;
pub mod timeline;

pub use analysis::{CancelToken, Options, analyze};
pub use base::{Confidence, Finding, Severity};
pub use error::{Error, Result};
pub use input::{Bundle, Limits, Warning};
pub use report::Report;
