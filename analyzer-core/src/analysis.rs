//! The pipeline: bundle in, report out.
//!
//! ```text
//!  input::walk ──members──▶ rayon worker per member
//!                            ├─ log formats:   parse::records → rules scan + event assembly + stats
//!                            ├─ goroutine dump: parse::goroutine → stacks::analyze
//!                            ├─ host state:    model::host::HostBuilder
//!                            └─ clock files:   model::time::ClockBuilder
//!  after the walk, per host: Clock → resolve times → host facts → Observations → rules → ranked
//!  findings of that host; the Report lists them host by host
//! ```
//!
//! Every container input (a directory, an archive: a sosreport) is one host and the loose files
//! together are one: each host has its own clock and host model, and its findings cite only its
//! own members. The walk, its limits and its time budget are shared by all.
//!
//! Members are dropped as soon as they are scanned; only evidence (small, owned) is kept, so memory
//! stays bounded by the members in flight ([`Options::max_in_flight`]) rather than by the bundle.
//!
//! The stages are submodules: `driver` (the walker's sink, the bytes-in-flight and time budgets),
//! `member` (one member's analysis), `chunk` and `stream` (large logs in chunks, streamed logs in
//! pieces), `observe` (observations from events, dumps and host state), `assemble` (clock,
//! observations, rules, report once the walk is over) and `records` (what log members hold for
//! `nodemortem timeline`, resolved with their host's clock once the walk is over: the timeline
//! reads the bundle in the same walk).

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use crate::base::Severity;
use crate::error::Result;
use crate::input::{Bundle, Limits};
use crate::report::Report;
use crate::report::html::Extras;
use crate::rules::engine::Engine;
use crate::stacks;

mod assemble;
mod chunk;
mod driver;
mod member;
mod observe;
pub(crate) mod records;
mod stream;
#[cfg(test)]
mod tests;

use driver::Split;

/// How to analyse.
#[derive(Clone, Debug)]
pub struct Options {
    /// Resource limits of ingestion.
    pub limits: Limits,
    /// Findings below this severity are dropped from the report.
    pub min_severity: Severity,
    /// Stop reading new members after this long; the report is then marked partial.
    pub timeout: Option<Duration>,
    /// Most decompressed bytes held by members waiting for or under analysis.
    pub max_in_flight: u64,
    /// Called as members are read, so a front end can show progress on long inputs.
    pub progress: Option<ProgressFn>,
    /// Stops the analysis early when cancelled from another thread (a Ctrl-C, a closed
    /// connection): it then ends as a spent [`timeout`](Options::timeout) does, with a partial
    /// report of what was analysed.
    pub cancel: Option<CancelToken>,
}

/// A cancellation flag shared between an analysis and whoever may want to stop it.
///
/// ```
/// use analyzer_core::{Bundle, CancelToken, Options, analyze};
///
/// let cancel = CancelToken::new();
/// let opts = Options { cancel: Some(cancel.clone()), ..Options::default() };
/// cancel.cancel(); // e.g. from a signal handler or the thread serving a closed connection
/// let log = b"Jul 15 10:12:22 node1 kernel: Out of memory: Killed process 4021 (java)\n";
/// let report = analyze(&Bundle::from_bytes("messages", log.to_vec()), &opts)?;
/// assert!(report.stats.partial);
/// # Ok::<(), analyzer_core::Error>(())
/// ```
#[derive(Clone, Debug, Default)]
pub struct CancelToken(Arc<AtomicBool>);

impl CancelToken {
    /// A token not yet cancelled.
    pub fn new() -> CancelToken {
        CancelToken::default()
    }

    /// Asks every analysis holding this token to stop; they end with a partial report.
    pub fn cancel(&self) {
        self.0.store(true, Ordering::Relaxed);
    }

    /// True once [`cancel`](CancelToken::cancel) was called.
    pub fn is_cancelled(&self) -> bool {
        self.0.load(Ordering::Relaxed)
    }
}

/// How far ingestion has got: members handed to analysis and their decompressed bytes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Progress {
    /// Members read so far.
    pub members: u64,
    /// Decompressed bytes of those members.
    pub bytes: u64,
}

/// A progress callback for [`Options::progress`]; called from the reading thread, often, so it
/// should be cheap (throttle drawing on the caller's side).
#[derive(Clone)]
pub struct ProgressFn(pub Arc<dyn Fn(Progress) + Send + Sync>);

impl std::fmt::Debug for ProgressFn {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ProgressFn(..)")
    }
}

impl Default for Options {
    fn default() -> Self {
        Options {
            limits: Limits::default(),
            min_severity: Severity::Info,
            timeout: None,
            max_in_flight: 128 << 20,
            progress: None,
            cancel: None,
        }
    }
}

/// Analyses a bundle with the built-in rules. They are compiled once per process, on the first
/// call, and shared by every later call and thread (compiling them takes tens of milliseconds,
/// more than analysing a small attachment).
pub fn analyze(bundle: &Bundle, opts: &Options) -> Result<Report> {
    analyze_with(bundle, opts, builtin_engine()?)
}

/// The engine of the built-in rules, compiled on first use.
pub(crate) fn builtin_engine() -> Result<&'static Engine> {
    static BUILTIN: std::sync::OnceLock<Engine> = std::sync::OnceLock::new();
    if let Some(engine) = BUILTIN.get() {
        return Ok(engine);
    }
    // Two threads may both compile on the very first calls; one result is kept.
    let engine = crate::rules::load(&[])?;
    Ok(BUILTIN.get_or_init(|| engine))
}

/// Analyses a bundle with a given rule engine (built-in plus user rules, see
/// [`crate::rules::load`]).
pub fn analyze_with(bundle: &Bundle, opts: &Options, engine: &Engine) -> Result<Report> {
    analyze_detailed(bundle, opts, engine).map(|a| a.report)
}

/// A report plus the intermediate results renderers draw from (wait-for graphs, process trees).
#[derive(Debug)]
#[non_exhaustive]
pub struct Analysed {
    /// The report.
    pub report: Report,
    /// Every goroutine dump found, by member path, analysed.
    pub dumps: Vec<(String, stacks::Analysis)>,
    /// The host of each dump (an index in [`Report::hosts`](crate::report::Report::hosts)),
    /// indexed like [`dumps`](Analysed::dumps).
    pub dump_hosts: Vec<usize>,
    /// The host state and facts of the first host (the only one when every input belongs to
    /// one host; see [`Report::hosts`](crate::report::Report::hosts)).
    pub host: crate::model::host::HostState,
    /// The host state of every host, in the order of [`Report::hosts`](crate::report::Report::hosts).
    pub hosts: Vec<crate::model::host::HostState>,
}

/// What the HTML report draws of an analysis: its dump analyses and host state.
impl<'a> From<&'a Analysed> for Extras<'a> {
    fn from(a: &'a Analysed) -> Self {
        Extras {
            dumps: &a.dumps,
            dump_hosts: &a.dump_hosts,
            host: Some(&a.host),
            hosts: &a.hosts,
        }
    }
}

/// Like [`analyze_with`], also returning the dump analyses and the host state.
pub fn analyze_detailed(bundle: &Bundle, opts: &Options, engine: &Engine) -> Result<Analysed> {
    analyze_split(bundle, opts, engine, Split::Auto)
}

/// The goroutine dumps found in a bundle, each analysed, by member path (dumps embedded in logs
/// included), read as [`analyze`] reads: the same walker, limits, time budget and cancellation.
/// Dumps of which no goroutine could be read are left out (the report's warnings name them).
pub fn dumps(bundle: &Bundle, opts: &Options) -> Result<Vec<(String, stacks::Analysis)>> {
    let engine = crate::rules::load(&[])?;
    let a = analyze_detailed(bundle, opts, &engine)?;
    Ok(a.dumps
        .into_iter()
        .filter(|(_, d)| d.goroutines > 0)
        .collect())
}

/// Collects what every member gives, then assembles the analysis; `split` says how large log
/// members are cut.
fn analyze_split(
    bundle: &Bundle,
    opts: &Options,
    engine: &Engine,
    split: Split,
) -> Result<Analysed> {
    analyze_holding(bundle, opts, engine, split, None).map(|(a, _)| a)
}

/// Analyses a bundle and, in the same walk, holds the log records the timeline asks for
/// (`spec`); after the walk each member's records are resolved with its host's clock.
pub(crate) fn analyze_gathering(
    bundle: &Bundle,
    opts: &Options,
    engine: &Engine,
    spec: &records::RecordSpec,
) -> Result<(Analysed, records::Gathered)> {
    analyze_holding(bundle, opts, engine, Split::Auto, Some(spec))
        .map(|(a, g)| (a, g.unwrap_or_default()))
}

/// The walk and the assembly, holding records for a timeline when `spec` is given.
fn analyze_holding(
    bundle: &Bundle,
    opts: &Options,
    engine: &Engine,
    split: Split,
    spec: Option<&records::RecordSpec>,
) -> Result<(Analysed, Option<records::Gathered>)> {
    let started = Instant::now();
    let collected = driver::collect(bundle, opts, engine, split, spec)?;
    Ok(assemble::assemble(
        collected,
        opts,
        engine,
        started,
        spec.is_some(),
    ))
}
