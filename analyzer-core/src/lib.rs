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
  list, marking the lines findings cite; it reads the bundle once, in the analysis walk, and
  resolves every host's lines with that host's clock.

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
assert!(json.starts_with("{\"schema_version\":3,"));

// One input, one host: every finding is host 0's, every evidence line input 0's.
assert_eq!(report.hosts.len(), 1);
assert!(report.findings.iter().all(|f| f.host == 0 && f.evidence.iter().all(|e| e.input == 0)));

// A ticket comment.
let md = analyzer_core::report::markdown::render(&report, &Default::default());
assert!(md.starts_with("## nodemortem:"));
# Ok::<(), analyzer_core::Error>(())
```

# Embedding

A ticket tool or an upload service embeds the crate through a narrow surface:

* [`Bundle::from_reader`]`(name, impl Read + Send)`: an upload read once as it arrives. An
  archive is decoded and its logs analysed in pieces while the rest is still coming; nothing is
  held whole and nothing is written to disk.
* [`analyze`] compiles the built-in rules once per process, on the first call, and shares them
  between calls and threads; [`analysis::analyze_with`] takes an engine of your own
  ([`rules::load`]) for user rules.
* [`Options::progress`] is called as members and bytes are read ([`analysis::Progress`],
  cumulative); [`Options::cancel`] takes a [`CancelToken`] that another thread can pull: the
  analysis then stops reading and returns a partial report of what it read
  ([`report::Stats::partial`]).
* Outputs — [`Report`], [`Finding`], [`base::Evidence`], [`Warning`], [`analysis::Progress`]
  and the results of the lower layers — are `#[non_exhaustive]`: read their fields, match them
  with `..`; new fields are not breaking changes. Inputs ([`Options`], [`Limits`]) are built
  from their `Default` with the fields you set.

```
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use analyzer_core::analysis::{Progress, ProgressFn};
use analyzer_core::{Bundle, CancelToken, Options, analyze};

// An upload arriving on a connection (here from memory): the kernel's OOM kill of runc's init.
let upload = std::io::Cursor::new(
    b"Aug 20 10:25:54 node1 kernel: Memory cgroup out of memory: Kill process 20357 (runc:[2:INIT]) score 970 or sacrifice child\n\
      Aug 20 10:25:54 node1 kernel: Killed process 20357 (runc:[2:INIT]) total-vm:10240kB, anon-rss:2048kB, file-rss:0kB, shmem-rss:0kB\n"
        .to_vec(),
);
let read = Arc::new(AtomicU64::new(0));
let seen = read.clone();
let cancel = CancelToken::new(); // kept by whoever may close the ticket meanwhile
let opts = Options {
    progress: Some(ProgressFn(Arc::new(move |p: Progress| seen.store(p.bytes, Ordering::Relaxed)))),
    cancel: Some(cancel.clone()),
    ..Options::default()
};
let report = analyze(&Bundle::from_reader("journal", upload), &opts)?;

assert_eq!(read.load(Ordering::Relaxed), report.stats.bytes);
assert!(!report.stats.partial);
let oom = &report.findings[0];
assert_eq!(oom.rule, "oom-kill");
let lines: Vec<u32> = oom.evidence.iter().map(|e| e.line).collect();
assert!(lines.contains(&2), "{lines:?}");
# Ok::<(), analyzer_core::Error>(())
```

A cancelled token ends the analysis early with what was read, flagged partial:

```
use analyzer_core::{Bundle, CancelToken, Options, analyze};

let cancel = CancelToken::new();
cancel.cancel();
let opts = Options { cancel: Some(cancel), ..Options::default() };
let bundle = Bundle::from_bytes("messages", b"Jul 15 10:12:22 node1 kernel: Out of memory: Killed process 4021 (java)\n".to_vec());
let report = analyze(&bundle, &opts)?;
assert!(report.stats.partial);
assert!(report.warnings.iter().any(|w| w.message.starts_with("analysis cancelled: ")));
# Ok::<(), analyzer_core::Error>(())
```

Outputs cannot be built outside the crate, so callers cannot come to depend on their exact
set of fields:

```compile_fail
let e = analyzer_core::base::Evidence {
    path: String::new(),
    line: 1,
    time: None,
    text: String::new(),
    highlight: None,
    label: String::new(),
};
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

#[cfg(test)]
mod tests {
    /// The built-in rules are compiled once: every call gets the same engine.
    #[test]
    fn built_in_engine_is_compiled_once() {
        let a = crate::analysis::builtin_engine().unwrap();
        let b =
            std::thread::spawn(|| crate::analysis::builtin_engine().unwrap() as *const _ as usize)
                .join()
                .unwrap();
        assert!(std::ptr::eq(a, crate::analysis::builtin_engine().unwrap()));
        assert_eq!(a as *const _ as usize, b);
    }
}
