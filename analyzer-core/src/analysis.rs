//! The pipeline: bundle in, report out.
//!
//! ```text
//!  input::walk ──members──▶ rayon worker per member
//!                            ├─ log formats:   parse::records → rules scan + event assembly + stats
//!                            ├─ goroutine dump: parse::goroutine → stacks::analyze
//!                            ├─ host state:    model::host::HostBuilder
//!                            └─ clock files:   model::time::ClockBuilder
//!  after the walk: Clock → resolve times → host facts → Observations → rules → ranked Report
//! ```
//!
//! Members are dropped as soon as they are scanned; only evidence (small, owned) is kept, so memory
//! stays bounded by the members in flight ([`Options::max_in_flight`]) rather than by the bundle.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

use crate::error::{Error, Result};
use crate::input::{self, Bundle, InputInfo, Limits, Member, Warning};
use crate::model::event::{Event, EventAssembler, EventKind};
use crate::model::host::HostBuilder;
use crate::model::time::{BootHint, Clock, ClockBuilder, RawTime, YearSummary, YearTracker};
use crate::model::{Source, Timestamp};
use crate::parse::{self, Format};
use crate::report::{Evidence, Report, Severity, Stats, Tool};
use crate::rules::engine::{
    ChunkHits, Engine, MemberHits, Observation, Observations, merge_chunks,
};
use crate::stacks;

mod chunk;
mod stream;

use chunk::{CHUNK_MIN, CHUNK_TARGET, MAX_CHUNKS, OVERLAP, chunk_bounds, chunkable};

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

/// Analyses a bundle with the built-in rules.
pub fn analyze(bundle: &Bundle, opts: &Options) -> Result<Report> {
    let engine = crate::rules::load(&[])?;
    analyze_with(bundle, opts, &engine)
}

/// Analyses a bundle with a given rule engine (built-in plus user rules, see
/// [`crate::rules::load`]).
pub fn analyze_with(bundle: &Bundle, opts: &Options, engine: &Engine) -> Result<Report> {
    analyze_detailed(bundle, opts, engine).map(|a| a.report)
}

/// A report plus the intermediate results renderers draw from (wait-for graphs, process trees).
#[derive(Debug)]
pub struct Analysed {
    /// The report.
    pub report: Report,
    /// Every goroutine dump found, by member path, analysed.
    pub dumps: Vec<(String, stacks::Analysis)>,
    /// The host state and facts.
    pub host: crate::model::host::HostState,
}

/// Like [`analyze_with`], also returning the dump analyses and the host state.
pub fn analyze_detailed(bundle: &Bundle, opts: &Options, engine: &Engine) -> Result<Analysed> {
    analyze_split(bundle, opts, engine, Split::Auto)
}

fn analyze_split(
    bundle: &Bundle,
    opts: &Options,
    engine: &Engine,
    split: Split,
) -> Result<Analysed> {
    let started = Instant::now();
    let collected = collect(bundle, opts, engine, split)?;
    let Collected {
        inputs,
        state,
        partial,
    } = collected;
    let State {
        members,
        hits,
        events,
        dumps,
        host,
        clock,
        warnings,
        stats,
        ..
    } = state;
    let clock = clock.finish();
    let host = host.finish();

    let mut obs = Observations {
        members,
        hits,
        observations: Vec::new(),
    };
    // Times of records: resolve every member's first/last, keep the span.
    let mut first: Option<Timestamp> = None;
    let mut last: Option<Timestamp> = None;
    for s in &stats.spans {
        for (t, e) in [s.first, s.last].into_iter().flatten() {
            if let Some(ts) = clock.resolve(&t, e, &s.years) {
                first = Some(first.map_or(ts, |f| f.min(ts)));
                last = Some(last.map_or(ts, |l| l.max(ts)));
            }
        }
    }
    // Members are analysed in parallel: order events and dumps by path and line so that ties
    // (untimed events of pasted text) come out the same every time.
    let mut events = events;
    events.sort_by(|a, b| {
        let path = |e: &PendingEvent| obs.members.get(e.member).cloned().unwrap_or_default();
        (path(a), a.event.first_line).cmp(&(path(b), b.event.first_line))
    });
    let mut dumps = dumps;
    dumps.sort_by(|a, b| a.0.cmp(&b.0));
    for e in events {
        obs.observations
            .push(event_observation(&e, &clock, &obs.members));
    }
    for (path, analysis) in &dumps {
        obs.observations.extend(stacks_observations(path, analysis));
    }
    for fact in &host.facts {
        obs.observations.push(Observation {
            kind: fact.kind.clone(),
            fields: {
                let mut f = fact.attrs.clone();
                f.insert("subject".into(), fact.subject.clone());
                f.insert("summary".into(), fact.summary.clone());
                f
            },
            weight: 1,
            time: None,
            evidence: fact.evidence.clone(),
        });
    }
    for (component, v) in &host.versions {
        obs.observations.push(Observation {
            kind: "version".into(),
            fields: [
                ("component".to_string(), component.clone()),
                ("version".to_string(), v.version.clone()),
            ]
            .into_iter()
            .collect(),
            weight: 1,
            time: None,
            evidence: vec![v.evidence.clone()],
        });
    }
    let mut findings = engine.evaluate(&obs, &clock);
    findings.retain(|f| f.max_severity() >= opts.min_severity);
    let report = Report {
        schema_version: crate::report::SCHEMA_VERSION,
        tool: Tool::default(),
        inputs,
        findings,
        warnings,
        stats: Stats {
            members: stats.members,
            records: stats.records,
            bytes: stats.bytes,
            seconds: started.elapsed().as_secs_f64(),
            first,
            last,
            partial,
        },
    };
    Ok(Analysed {
        report,
        dumps,
        host,
    })
}

/// Per-member time span, resolved at the end.
#[derive(Clone, Copy, Debug)]
struct Span {
    first: Option<(RawTime, u16)>,
    last: Option<(RawTime, u16)>,
    years: YearSummary,
}

#[derive(Debug, Default)]
struct Counters {
    members: u64,
    records: u64,
    bytes: u64,
    spans: Vec<Span>,
}

/// An event with what is needed to resolve its time and cite its lines.
struct PendingEvent {
    event: Event,
    member: usize,
    epoch: u16,
    years: YearSummary,
    lines: Vec<(u32, String)>,
}

#[derive(Default)]
struct State {
    members: Vec<String>,
    hits: Vec<MemberHits>,
    events: Vec<PendingEvent>,
    dumps: Vec<(String, stacks::Analysis)>,
    host: HostBuilder,
    clock: ClockBuilder,
    warnings: Vec<Warning>,
    stats: Counters,
    /// Members no parser wanted, and their bytes.
    skipped: u64,
    skipped_bytes: u64,
}

struct Collected {
    inputs: Vec<InputInfo>,
    state: State,
    partial: bool,
}

/// Bounds the bytes of members in flight: the walker waits while workers catch up.
struct Budget {
    used: Mutex<u64>,
    freed: Condvar,
    cap: u64,
}

impl Budget {
    fn take(&self, n: u64) {
        let mut used = self.used.lock().unwrap_or_else(|e| e.into_inner());
        // A member larger than the cap still goes through, alone.
        while *used > 0 && *used + n > self.cap {
            used = self.freed.wait(used).unwrap_or_else(|e| e.into_inner());
        }
        *used += n;
    }

    fn give(&self, n: u64) {
        let mut used = self.used.lock().unwrap_or_else(|e| e.into_inner());
        *used = used.saturating_sub(n);
        self.freed.notify_all();
    }
}

fn collect(bundle: &Bundle, opts: &Options, engine: &Engine, split: Split) -> Result<Collected> {
    let state = Mutex::new(State::default());
    let budget = Budget {
        used: Mutex::new(0),
        freed: Condvar::new(),
        cap: opts.max_in_flight,
    };
    let deadline = Deadline::new(opts.timeout, opts.cancel.clone());
    let pool = stream::Pool::default();
    let inputs = rayon::in_place_scope(|scope| {
        let mut sink = Dispatch {
            scope,
            engine,
            state: &state,
            budget: &budget,
            deadline: &deadline,
            progress: opts.progress.as_ref(),
            seen: Progress::default(),
            limits: &opts.limits,
            split,
            stream: None,
            pool: &pool,
        };
        input::walk(bundle, &opts.limits, &mut sink)
    })?;
    let partial = deadline.hit.load(Ordering::Relaxed);
    let mut state = state.into_inner().unwrap_or_else(|e| e.into_inner());
    if state.stats.members == 0 && state.skipped > 0 {
        // Say so rather than report a clean bill of health for bytes nothing could read.
        let path = inputs.first().map(|i| i.path.clone()).unwrap_or_default();
        state.warnings.push(Warning::new(
            path,
            format!(
                "nothing was recognised as a log, goroutine dump or host-state file ({} member(s), {} bytes skipped)",
                state.skipped, state.skipped_bytes
            ),
        ));
    }
    if state.stats.members == 0 && state.warnings.is_empty() && inputs.is_empty() {
        return Err(Error::NothingReadable {
            reason: "the bundle is empty".into(),
        });
    }
    Ok(Collected {
        inputs,
        state,
        partial,
    })
}

/// The wall-clock budget of one analysis ([`Options::timeout`]); once passed, no new member,
/// piece or chunk is started and the report is marked partial.
struct Deadline {
    at: Option<Instant>,
    /// Cancelled from outside ([`Options::cancel`]): the same stop as a spent budget.
    cancel: Option<CancelToken>,
    /// Set once work was left undone because of the deadline.
    hit: AtomicBool,
}

impl Deadline {
    fn new(timeout: Option<Duration>, cancel: Option<CancelToken>) -> Deadline {
        Deadline {
            at: timeout.map(|t| Instant::now() + t),
            cancel,
            hit: AtomicBool::new(false),
        }
    }

    /// True once the budget is spent or the analysis was cancelled.
    fn passed(&self) -> bool {
        self.at.is_some_and(|at| Instant::now() > at)
            || self.cancel.as_ref().is_some_and(CancelToken::is_cancelled)
    }

    /// Why work stops: for the one warning that says so.
    fn reason(&self) -> &'static str {
        if self.cancel.as_ref().is_some_and(CancelToken::is_cancelled) {
            "analysis cancelled"
        } else {
            "time budget exhausted"
        }
    }

    /// Marks the analysis partial; true the first time, so that one warning says so.
    fn mark(&self) -> bool {
        !self.hit.swap(true, Ordering::Relaxed)
    }
}

/// The one warning of a spent time budget, at the member (and offset) where analysis stopped.
fn budget_warning(reason: &str, path: &str, offset: Option<u64>) -> Warning {
    let w = Warning::new(
        path,
        format!(
            "{reason}: the rest of this member and later members were not analysed (results are partial)"
        ),
    );
    match offset {
        Some(o) => w.at(o),
        None => w,
    }
}

/// Receives members from the walker and analyses each on the rayon pool.
struct Dispatch<'s, 'a> {
    scope: &'a rayon::Scope<'s>,
    engine: &'s Engine,
    state: &'s Mutex<State>,
    budget: &'s Budget,
    deadline: &'s Deadline,
    progress: Option<&'a ProgressFn>,
    seen: Progress,
    limits: &'s Limits,
    split: Split,
    /// The member being read in pieces, if any.
    stream: Option<stream::Stream>,
    /// Buffers of analysed pieces, for the next ones.
    pool: &'s stream::Pool,
}

impl<'s> Dispatch<'s, '_> {
    /// False (with a warning the first time) once the time budget is spent.
    fn in_time(&mut self, path: &str, offset: Option<u64>) -> bool {
        if !self.deadline.passed() {
            return true;
        }
        if self.deadline.mark() {
            lock(self.state).warnings.push(budget_warning(
                self.deadline.reason(),
                path,
                offset.filter(|&o| o > 0),
            ));
        }
        false
    }

    fn progress(&mut self, members: u64, bytes: u64) {
        if let Some(p) = self.progress {
            self.seen.members += members;
            self.seen.bytes += bytes;
            (p.0)(self.seen);
        }
    }
}

impl<'s> input::Sink for Dispatch<'s, '_> {
    fn member(&mut self, member: Member) {
        if !self.in_time(&member.path, None) {
            return;
        }
        let size = member.data.len() as u64;
        self.progress(1, size);
        self.budget.take(size);
        let (engine, state, budget, limits, split, deadline) = (
            self.engine,
            self.state,
            self.budget,
            self.limits,
            self.split,
            self.deadline,
        );
        self.scope.spawn(move |_| {
            analyse_member(engine, state, limits, member, split, deadline);
            budget.give(size);
        });
    }

    fn halted(&self) -> bool {
        self.deadline.hit.load(Ordering::Relaxed)
    }

    fn piece_size(&self, format: Format) -> Option<usize> {
        let size = match self.split {
            Split::Auto => stream::PIECE,
            Split::Stream { piece, .. } => piece,
            Split::Fixed { .. } => return None,
        };
        chunkable(format).then_some(size)
    }

    fn piece(&mut self, piece: input::Piece) {
        stream::piece(self, piece);
    }

    fn piece_buffer(&mut self) -> Vec<u8> {
        self.pool.get(0)
    }

    fn skipped(&mut self, entry: input::SkippedEntry) {
        let mut st = lock(self.state);
        st.skipped += 1;
        st.skipped_bytes += entry.bytes;
    }

    fn link(&mut self, _link: input::LinkEntry) {}

    fn warning(&mut self, warning: Warning) {
        lock(self.state).warnings.push(warning);
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

fn analyse_member(
    engine: &Engine,
    state: &Mutex<State>,
    limits: &Limits,
    member: Member,
    split: Split,
    deadline: &Deadline,
) {
    let data: &[u8] = &member.data;
    let idx = {
        let mut st = lock(state);
        st.members.push(member.path.clone());
        st.stats.members += 1;
        st.stats.bytes += data.len() as u64;
        st.members.len() - 1
    };
    match member.format {
        Format::Paste => {
            // kubectl tables read as log lines; the host-state parts of a mixed paste.
            let text = parse::kubectl::normalize(data);
            analyse_log(
                engine,
                state,
                limits,
                idx,
                &member.path,
                Format::Paste,
                &text,
                split,
                deadline,
            );
            lock(state).host.add_paste(&member.path, data);
        }
        f @ (Format::DockerInfo | Format::SystemctlStatus)
            if input::sniff::record_format(f, &member.path).is_some() =>
        {
            // Host state, and lines rules read: `docker info`'s `WARNING:` lines and
            // `Supports d_type: false`, the journal lines under `systemctl status`.
            analyse_log(
                engine,
                state,
                limits,
                idx,
                &member.path,
                Format::Paste,
                data,
                split,
                deadline,
            );
            lock(state).host.add(&member.path, f, data);
        }
        f if f.is_log() => analyse_log(
            engine,
            state,
            limits,
            idx,
            &member.path,
            f,
            data,
            split,
            deadline,
        ),
        Format::GoroutineDump => {
            let dump = parse::goroutine::parse(data);
            let analysis = stacks::analyze(&dump);
            let mut st = lock(state);
            if analysis.goroutines == 0 {
                st.warnings.push(unread_dump(&member.path));
            }
            st.dumps.push((member.path.clone(), analysis));
        }
        Format::Date => lock(state).clock.add_date(&member.path, data),
        Format::Timedatectl => lock(state).clock.add_timedatectl(&member.path, data),
        Format::Localtime => lock(state).clock.add_localtime(data),
        f => lock(state).host.add(&member.path, f, data),
    }
}

#[allow(clippy::too_many_arguments)]
fn analyse_log(
    engine: &Engine,
    state: &Mutex<State>,
    limits: &Limits,
    idx: usize,
    path: &str,
    format: Format,
    data: &[u8],
    split: Split,
    deadline: &Deadline,
) {
    let (chunks, overlap) = match split {
        // Chunks spread a large member over the threads and bound what one pass holds (the
        // prefilter's hits), also on one thread.
        Split::Auto if data.len() >= CHUNK_MIN => {
            let n = (data.len() / CHUNK_TARGET).max(rayon::current_num_threads());
            (n.min(MAX_CHUNKS), OVERLAP)
        }
        Split::Auto | Split::Stream { .. } => (1, 0),
        Split::Fixed { chunks, overlap } => (chunks, overlap),
    };
    if chunks > 1 && chunkable(format) {
        let bounds = chunk_bounds(format, data, chunks);
        if bounds.len() > 2 {
            let (log, stopped) = chunk::analyse_chunked(
                engine, limits, idx, format, data, &bounds, overlap, deadline,
            );
            if let Some(offset) = stopped {
                if deadline.mark() {
                    lock(state).warnings.push(budget_warning(
                        deadline.reason(),
                        path,
                        Some(offset),
                    ));
                }
            }
            let end = stopped.map_or(data.len(), |o| o as usize);
            let dumps = embedded_analysis(&data[..end]).into_iter().collect();
            return commit_log(state, limits, path, log, dumps);
        }
    }
    let log = analyse_whole(engine, limits, idx, format, data);
    let dumps = embedded_analysis(data).into_iter().collect();
    commit_log(state, limits, path, log, dumps)
}

/// The analysis of a goroutine dump embedded in a log (every line with its own prefix), if the
/// log carries one; it may hold no goroutine when the dump lines could not be read
/// ([`commit_log`] then warns).
fn embedded_analysis(data: &[u8]) -> Option<stacks::Analysis> {
    embedded_dump(data).then(|| stacks::analyze(&parse::goroutine::parse(data)))
}

/// The warning for a member that looks like a goroutine dump (or carries one) of which no
/// goroutine could be read.
fn unread_dump(path: &str) -> Warning {
    Warning::new(
        path,
        "looks like a goroutine dump, but no goroutine could be read from it (shapes read: \
         docs/goroutines.md)",
    )
}

/// What one log member gave, ready to merge into [`State`].
struct LogOut {
    count: u64,
    span: Span,
    hits: Vec<MemberHits>,
    events: Vec<PendingEvent>,
    clock: ClockBuilder,
    /// Offset of the first record longer than the line limit.
    cut_line: Option<u64>,
    /// Events over the per-member limit: where the first one was emitted, and how many.
    dropped_events: Option<(u64, u64)>,
}

fn commit_log(
    state: &Mutex<State>,
    limits: &Limits,
    path: &str,
    log: LogOut,
    dumps: Vec<stacks::Analysis>,
) {
    let mut st = lock(state);
    if let Some(offset) = log.cut_line {
        st.warnings.push(
            Warning::new(
                path,
                format!(
                    "lines longer than {} bytes; cut there for analysis",
                    limits.max_line_bytes
                ),
            )
            .at(offset),
        );
    }
    if let Some((offset, n)) = log.dropped_events {
        st.warnings.push(
            Warning::new(
                path,
                format!(
                    "more than {} events in one member; {n} later events not kept",
                    limits.max_events_per_member
                ),
            )
            .at(offset),
        );
    }
    st.stats.records += log.count;
    st.stats.spans.push(log.span);
    st.hits.extend(log.hits);
    st.events.extend(log.events);
    st.clock.merge(log.clock);
    for a in dumps {
        if a.goroutines == 0 {
            st.warnings.push(unread_dump(path));
        } else {
            st.dumps.push((path.to_string(), a));
        }
    }
}

/// How a large log member is cut for parallel analysis.
#[derive(Clone, Copy, Debug)]
enum Split {
    /// By size and the number of threads.
    Auto,
    /// Into this many chunks with this much overlap (tests).
    #[cfg_attr(not(test), allow(dead_code))]
    Fixed { chunks: usize, overlap: usize },
    /// Streamed log members in pieces of this size, chunks with this much overlap (tests).
    #[cfg_attr(not(test), allow(dead_code))]
    Stream { piece: usize, overlap: usize },
}

/// Analyses a log member in one pass.
fn analyse_whole(
    engine: &Engine,
    limits: &Limits,
    idx: usize,
    format: Format,
    data: &[u8],
) -> LogOut {
    let mut scan = engine.scan(data);
    let mut years = YearTracker::new();
    let mut asm = EventAssembler::new();
    let mut events: Vec<(Event, u16)> = Vec::new();
    let mut boot: Vec<(RawTime, u16, u64)> = Vec::new();
    let mut count = 0u64;
    let mut first = None;
    let mut last = None;
    let mut cut_line: Option<u64> = None;
    let mut dropped_events: Option<(u64, u64)> = None;
    for mut rec in parse::records(format, data) {
        if rec.raw.len() > limits.max_line_bytes {
            cut_line.get_or_insert(rec.offset);
            cut_record(&mut rec, limits.max_line_bytes);
        }
        let epoch = years.observe(&rec.time);
        count += 1;
        if !matches!(rec.time, RawTime::None) {
            if first.is_none() {
                first = Some((rec.time, epoch));
            }
            last = Some((rec.time, epoch));
        }
        scan.record(&rec, epoch);
        if let Some(ev) = asm.push(&rec) {
            if events.len() < limits.max_events_per_member {
                events.push((ev, epoch));
            } else {
                dropped_events.get_or_insert((rec.offset, 0)).1 += 1;
            }
        }
        if rec.source == Source::Kernel
            && boot.len() < 8
            && !matches!(rec.time, RawTime::Monotonic(_) | RawTime::None)
        {
            if let Some(mono) = parse::dmesg::kernel_mono(rec.message) {
                boot.push((rec.time, epoch, mono));
            }
        }
    }
    for ev in asm.finish() {
        if events.len() < limits.max_events_per_member {
            events.push((ev, years.epoch()));
        } else {
            dropped_events.get_or_insert((data.len() as u64, 0)).1 += 1;
        }
    }
    let summary = years.finish();
    let clock = clock_hints(last, boot, summary);
    let hits = scan.finish(data, idx, summary);
    let events: Vec<PendingEvent> = events
        .into_iter()
        .map(|(event, epoch)| {
            let lines = event_lines(data, &event);
            PendingEvent {
                event,
                member: idx,
                epoch,
                years: summary,
                lines,
            }
        })
        .collect();
    LogOut {
        count,
        span: Span {
            first,
            last,
            years: summary,
        },
        hits,
        events,
        clock,
        cut_line,
        dropped_events,
    }
}

/// What a log member tells about the clock: its newest absolute time (a fallback anchor) and
/// its kernel lines carrying both a wall time and a monotonic stamp (boot time).
fn clock_hints(
    last: Option<(RawTime, u16)>,
    boot: Vec<(RawTime, u16, u64)>,
    years: YearSummary,
) -> ClockBuilder {
    let mut clock = ClockBuilder::new();
    if let Some((RawTime::Utc(ts), _)) = last {
        clock.observe_absolute(ts);
    }
    for (wall, epoch, mono) in boot {
        clock.add_boot_hint(BootHint {
            wall,
            epoch,
            years,
            mono,
        });
    }
    clock
}

/// Cuts a record whose line is longer than `max` bytes: its raw text and message end at the
/// `max`-th byte of the record (fields past it become empty).
fn cut_record(rec: &mut crate::model::Record<'_>, max: usize) {
    let raw = rec.raw;
    let keep = raw.get(..max).unwrap_or(raw);
    let end = keep.as_ptr() as usize + keep.len();
    let clip = |f: &[u8]| -> usize {
        let start = f.as_ptr() as usize;
        if start >= end {
            0
        } else {
            f.len().min(end - start)
        }
    };
    let m = clip(rec.message);
    rec.message = rec.message.get(..m).unwrap_or_default();
    rec.raw = keep;
}

/// True when a log member carries a goroutine dump: two goroutine headers, or one with frames
/// ([`parse::goroutine::embedded`]).
fn embedded_dump(data: &[u8]) -> bool {
    parse::goroutine::embedded(data)
}

/// True when `data` has at least `n` goroutine headers (`goroutine 12 [`).
fn goroutine_headers(data: &[u8], n: usize) -> bool {
    let mut seen = 0;
    for i in memchr::memmem::find_iter(data, b"goroutine ") {
        let rest = &data[i + 10..];
        let digits = rest.iter().take_while(|b| b.is_ascii_digit()).count();
        if digits > 0 && rest.get(digits..digits + 2) == Some(b" [") {
            seen += 1;
            if seen >= n {
                return true;
            }
        }
    }
    false
}

/// True when the records of a log chunk may go on with a goroutine dump from the chunk before:
/// a goroutine header, or a frame's file line (`\t/path/file.go:123 +0x45`) among its first
/// two records.
fn dump_continues(format: Format, data: &[u8]) -> bool {
    goroutine_headers(data, 1)
        || parse::records(format, data)
            .take(2)
            .any(|r| r.message.first() == Some(&b'\t'))
}

/// The text of an event's telling lines, read from the member.
fn event_lines(data: &[u8], event: &Event) -> Vec<(u32, String)> {
    let mut wanted: Vec<u32> = event.lines.clone();
    wanted.sort_unstable();
    wanted.dedup();
    wanted.truncate(6);
    let mut out = Vec::new();
    let start = (event.first_offset as usize).min(data.len());
    let mut line_no = event.first_line;
    let mut pos = start;
    for want in wanted {
        while line_no < want && pos < data.len() {
            match memchr::memchr(b'\n', &data[pos..]) {
                Some(i) => pos += i + 1,
                None => pos = data.len(),
            }
            line_no += 1;
        }
        if line_no != want || pos >= data.len() {
            continue;
        }
        let end = memchr::memchr(b'\n', &data[pos..]).map_or(data.len(), |i| pos + i);
        let text = String::from_utf8_lossy(&data[pos..end.min(pos + 400)])
            .trim_end()
            .to_string();
        out.push((want, text));
    }
    out
}

fn event_observation(p: &PendingEvent, clock: &Clock, members: &[String]) -> Observation {
    let time = clock.resolve(&p.event.time, p.epoch, &p.years);
    let path = members.get(p.member).cloned().unwrap_or_default();
    let evidence = p
        .lines
        .iter()
        .map(|(line, text)| Evidence {
            path: path.clone(),
            line: *line,
            time,
            text: text.clone(),
            highlight: None,
            label: String::new(),
        })
        .collect();
    let mut fields = std::collections::BTreeMap::new();
    let mut put = |k: &str, v: Option<String>| {
        if let Some(v) = v {
            fields.insert(k.to_string(), v);
        }
    };
    let kind = match &p.event.kind {
        EventKind::OomKill {
            memcg,
            victim_pid,
            victim_comm,
            invoker,
            task_memcg,
            container_id,
            pod_uid,
            anon_rss_kb,
        } => {
            put("memcg", Some(memcg.to_string()));
            put("victim_pid", victim_pid.map(|v| v.to_string()));
            put("victim_comm", Some(victim_comm.clone()));
            put("invoker", invoker.clone());
            put("task_memcg", task_memcg.clone());
            put("container_id", container_id.clone());
            put("pod_uid", pod_uid.clone());
            put("anon_rss_kb", anon_rss_kb.map(|v| v.to_string()));
            "oom-kill"
        }
        EventKind::HungTask {
            comm,
            pid,
            seconds,
            trace,
        } => {
            put("comm", Some(comm.clone()));
            put("pid", Some(pid.to_string()));
            put("seconds", Some(seconds.to_string()));
            put("trace", Some(trace.join(" < ")));
            "hung-task"
        }
        EventKind::GoCrash {
            program,
            pid,
            reason,
            goroutines,
        } => {
            put("program", Some(program.clone()));
            put("pid", pid.map(|v| v.to_string()));
            put("reason", Some(reason.clone()));
            put("goroutines", Some(goroutines.to_string()));
            "go-crash"
        }
    };
    Observation {
        kind: kind.into(),
        fields,
        weight: 1,
        time,
        evidence,
    }
}

/// The holder's frames worth reading first: the raw syscall/runtime trampolines are skipped, and
/// the first method frame (`pkg.(*T).M`, usually the caller that took the lock) is kept even when
/// it is deeper than the first three.
fn telling_frames(top: &[String]) -> Vec<&str> {
    let plain = |f: &&String| {
        !(f.starts_with("runtime.")
            || f.starts_with("syscall.Syscall")
            || f.starts_with("syscall.RawSyscall")
            || f.starts_with("internal/"))
    };
    let mut out: Vec<&str> = top
        .iter()
        .filter(plain)
        .take(3)
        .map(String::as_str)
        .collect();
    if let Some(m) = top.iter().filter(plain).find(|f| f.contains(".(*")) {
        if !out.contains(&m.as_str()) {
            out.push("…");
            out.push(m);
        }
    }
    out
}

fn stacks_observations(path: &str, a: &stacks::Analysis) -> Vec<Observation> {
    let mut out = Vec::new();
    for l in &a.locks {
        let mut fields = std::collections::BTreeMap::new();
        fields.insert("address".to_string(), l.address.clone());
        fields.insert("kind".to_string(), l.kind.name().to_string());
        fields.insert(
            "holder".to_string(),
            l.holder.map_or("unknown".to_string(), |h| h.to_string()),
        );
        fields.insert(
            "holder_state".to_string(),
            l.holder_state.clone().unwrap_or_default(),
        );
        fields.insert(
            "minutes".to_string(),
            l.holder_minutes.unwrap_or(0).to_string(),
        );
        fields.insert("activity".to_string(), l.holder_activity.name().to_string());
        fields.insert("waiters".to_string(), l.waiters_total.to_string());
        fields.insert(
            "transitive_waiters".to_string(),
            l.transitive_waiters.to_string(),
        );
        fields.insert("holder_frames".to_string(), l.holder_top.join("\n"));
        fields.insert("waiter_funcs".to_string(), l.waiter_funcs.join("\n"));
        fields.insert(
            "max_wait_minutes".to_string(),
            l.max_wait_minutes.unwrap_or(0).to_string(),
        );
        fields.insert(
            "candidates".to_string(),
            l.holder_candidates
                .iter()
                .map(|c| c.id.to_string())
                .collect::<Vec<_>>()
                .join(", "),
        );
        fields.insert("dump".to_string(), path.to_string());
        let mut evidence = Vec::new();
        if let Some(line) = l.holder_line {
            evidence.push(Evidence {
                path: path.to_string(),
                line,
                time: None,
                text: format!(
                    "goroutine {} [{}{}] holds {}: {}",
                    l.holder.map_or("?".to_string(), |h| h.to_string()),
                    l.holder_state.clone().unwrap_or_default(),
                    l.holder_minutes
                        .map(|m| format!(", {m} minutes"))
                        .unwrap_or_default(),
                    l.address,
                    telling_frames(&l.holder_top).join(" < ")
                ),
                highlight: None,
                label: String::new(),
            });
        }
        if l.waiter_line > 0 {
            evidence.push(Evidence {
                path: path.to_string(),
                line: l.waiter_line,
                time: None,
                text: format!(
                    "{} goroutines wait on {} (up to {} minutes), e.g. from {}",
                    l.waiters_total,
                    l.address,
                    l.max_wait_minutes.unwrap_or(0),
                    l.waiter_funcs.first().cloned().unwrap_or_default()
                ),
                highlight: None,
                label: String::new(),
            });
        }
        out.push(Observation {
            kind: "lock".into(),
            fields,
            weight: 1,
            time: None,
            evidence,
        });
    }
    for cycle in &a.deadlocks {
        let ids = cycle
            .iter()
            .map(|g| g.to_string())
            .collect::<Vec<_>>()
            .join(", ");
        let mut fields = std::collections::BTreeMap::new();
        fields.insert("goroutines".to_string(), ids.clone());
        fields.insert("size".to_string(), cycle.len().to_string());
        fields.insert("dump".to_string(), path.to_string());
        // Each goroutine of the cycle holds one of its locks: cite its header line.
        let mut evidence: Vec<Evidence> = cycle
            .iter()
            .filter_map(|&g| {
                let l = a
                    .locks
                    .iter()
                    .find(|l| l.holder == Some(g) && l.holder_line.is_some())?;
                Some(Evidence {
                    path: path.to_string(),
                    line: l.holder_line.unwrap_or(0),
                    time: None,
                    text: format!(
                        "goroutine {g} [{}{}] holds {} and waits in {}",
                        l.holder_state.clone().unwrap_or_default(),
                        l.holder_minutes
                            .map(|m| format!(", {m} minutes"))
                            .unwrap_or_default(),
                        l.address,
                        l.holder_top
                            .iter()
                            .filter(|f| !crate::stacks::is_runtime_or_sync(f.as_bytes()))
                            .take(3)
                            .map(String::as_str)
                            .collect::<Vec<_>>()
                            .join(" < ")
                    ),
                    highlight: None,
                    label: String::new(),
                })
            })
            .collect();
        if evidence.is_empty() {
            evidence.push(Evidence {
                path: path.to_string(),
                line: 0,
                time: None,
                text: format!("goroutines {ids} wait on each other's locks"),
                highlight: None,
                label: String::new(),
            });
        }
        out.push(Observation {
            kind: "deadlock".into(),
            fields,
            weight: 1,
            time: None,
            evidence,
        });
    }
    for b in &a.buckets {
        let mut fields = std::collections::BTreeMap::new();
        fields.insert("state".to_string(), b.state.clone());
        fields.insert(
            "minutes".to_string(),
            b.max_minutes.unwrap_or(0).to_string(),
        );
        fields.insert("count".to_string(), b.count.to_string());
        fields.insert(
            "frames".to_string(),
            b.frames
                .iter()
                .map(|f| f.func.clone())
                .collect::<Vec<_>>()
                .join("\n"),
        );
        fields.insert("dump".to_string(), path.to_string());
        let evidence = Some(b.line)
            .filter(|&line| line > 0)
            .map(|line| Evidence {
                path: path.to_string(),
                line,
                time: None,
                text: format!(
                    "{} goroutines [{}{}] in {}",
                    b.count,
                    b.state,
                    b.max_minutes
                        .map(|m| format!(", up to {m} minutes"))
                        .unwrap_or_default(),
                    b.frames
                        .iter()
                        .take(3)
                        .map(|f| f.func.as_str())
                        .collect::<Vec<_>>()
                        .join(" < ")
                ),
                highlight: None,
                label: String::new(),
            })
            .into_iter()
            .collect();
        out.push(Observation {
            kind: "goroutines".into(),
            fields,
            weight: b.count,
            time: None,
            evidence,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A CentOS 7 `journalctl --no-pager` member (sos 3.9 `sos_commands/logs/`) crossing a new
    /// year, with OOM-kill blocks (apache/doris#3525 shape: invoker, decision, kill), PLEG lines
    /// (kubernetes/kubernetes#45419) and systemd session lines between kubelet traffic.
    fn journal(lines: u32) -> Vec<u8> {
        const DAYS: [(&str, u32); 3] = [("Dec 30", 0), ("Dec 31", 1), ("Jan 01", 2)];
        let mut out = String::new();
        for i in 0..lines {
            let secs = 22 * 3600 + i * 20;
            let (day, _) = DAYS[((secs / 86_400) as usize).min(2)];
            let t = secs % 86_400;
            let stamp = format!("{day} {:02}:{:02}:{:02}", t / 3600, t / 60 % 60, t % 60);
            if i % 97 == 5 {
                let pid = 20_000 + i;
                out.push_str(&format!("{stamp} node-1 kernel: runc:[2:INIT] invoked oom-killer: gfp_mask=0x24000c0, order=0, oom_score_adj=998\n"));
                out.push_str(&format!("{stamp} node-1 kernel: Memory cgroup out of memory: Kill process {pid} (app{i}) score 968 or sacrifice child\n"));
                out.push_str(&format!("{stamp} node-1 kernel: Killed process {pid} (app{i}) total-vm:70347780kB, anon-rss:45563572kB, file-rss:0kB, shmem-rss:0kB\n"));
            }
            if i % 50 == 7 {
                out.push_str(&format!("{stamp} node-1 kubelet[12170]: E1230 22:00:00.000001   12170 kubelet.go:1845] skipping pod synchronization - [PLEG is not healthy: pleg was last seen active 3m{}.5s ago; threshold is 3m0s]\n", i % 60));
            }
            if i % 3 == 0 {
                out.push_str(&format!(
                    "{stamp} node-1 systemd[1]: Started Session {i} of user root.\n"
                ));
            } else {
                out.push_str(&format!("{stamp} node-1 kubelet[12170]: I1230 22:00:00.561334   12170 kubelet.go:1913] SyncLoop (PLEG): \"pod-{}\", event: ContainerStarted\n", i % 40));
            }
        }
        out.into_bytes()
    }

    /// A member analysed in the chunks `bounds` with the default limits, as member 0.
    fn chunked(
        engine: &Engine,
        format: Format,
        data: &[u8],
        bounds: &[usize],
        overlap: usize,
        timeout: Option<Duration>,
    ) -> (LogOut, Option<u64>) {
        let limits = Limits::default();
        let deadline = Deadline::new(timeout, None);
        chunk::analyse_chunked(engine, &limits, 0, format, data, bounds, overlap, &deadline)
    }

    fn report_json(data: &[u8], split: Split) -> serde_json::Value {
        report_json_named("sos_commands/logs/journalctl_--no-pager", data, split)
    }

    /// A member analysed in one pass, the reference for chunked and streamed analysis.
    const ONE_PASS: Split = Split::Fixed {
        chunks: 1,
        overlap: 0,
    };

    fn report_json_named(name: &str, data: &[u8], split: Split) -> serde_json::Value {
        let bundle = Bundle::from_bytes(name, data.to_vec());
        let engine = crate::rules::load(&[]).unwrap();
        let a = analyze_split(&bundle, &Options::default(), &engine, split).unwrap();
        let mut v = serde_json::to_value(&a.report).unwrap();
        v["stats"]["seconds"] = serde_json::Value::Null;
        v
    }

    /// One member analysed in 7 chunks gives the same report as one pass: line numbers,
    /// year-wrapped times, OOM events crossing boundaries, first/last hits and capture values.
    #[test]
    fn chunked_member_reports_as_one_pass() {
        let data = journal(6000);
        let bounds = chunk_bounds(Format::JournalShort, &data, 7);
        assert_eq!(bounds.len(), 8);
        let engine = crate::rules::load(&[]).unwrap();
        let (log, stopped) = chunked(
            &engine,
            Format::JournalShort,
            &data,
            &bounds,
            16 << 10,
            None,
        );
        assert_eq!(stopped, None);
        let one = analyse_whole(&engine, &Limits::default(), 0, Format::JournalShort, &data);
        assert_eq!(log.count, one.count);
        assert_eq!(log.span.years, one.span.years);
        assert_eq!(log.span.years.last_epoch, 1, "the log crosses a new year");
        assert_eq!(log.events.len(), one.events.len());
        assert_eq!(one.events.len(), 62, "one OOM kill per 97 lines");
        assert_eq!(log.hits.len(), one.hits.len());
        let whole = report_json(&data, ONE_PASS);
        let findings = whole["findings"].as_array().unwrap();
        assert!(!findings.is_empty());
        for (chunks, overlap) in [(7, 16 << 10), (3, 4 << 10), (13, 64 << 10)] {
            let chunked = report_json(&data, Split::Fixed { chunks, overlap });
            assert_eq!(chunked, whole, "{chunks} chunks");
        }
    }

    /// Boundaries fall on record starts only: never on a continuation line.
    #[test]
    fn boundaries_skip_continuation_lines() {
        // journalctl prints continuation lines of a multi-line message indented
        // (systemd journalctl(1), `--no-pager` short output).
        let mut text = String::new();
        for i in 0..400 {
            text.push_str(&format!(
                "Aug 20 10:25:54 node-1 dockerd[4085]: panic: boom {i}\n"
            ));
            for _ in 0..5 {
                text.push_str("                                      goroutine 1 [running]:\n");
            }
        }
        let data = text.as_bytes();
        for b in chunk_bounds(Format::JournalShort, data, 9) {
            assert!(b == data.len() || data[b..].starts_with(b"Aug 20"), "{b}");
        }
    }

    fn gzip(data: &[u8]) -> Vec<u8> {
        use std::io::Write;
        let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        enc.write_all(data).unwrap();
        enc.finish().unwrap()
    }

    /// RFC 3164 syslog (`/var/log/messages`, yearless) that crosses a new year inside a long
    /// block of RFC 3339 lines (rsyslog `RSYSLOG_FileFormat`, with years), then OOM kills
    /// (kernel 4.x wording) in January.
    fn syslog_wrap() -> Vec<u8> {
        let mut out = String::new();
        for i in 0..400 {
            out.push_str(&format!(
                "Dec 31 23:{:02}:{:02} node-1 dockerd[4085]: time=\"2020-12-31T23:00:00Z\" level=info msg=\"tick {i}\"\n",
                i / 60 % 60,
                i % 60
            ));
        }
        for i in 0..3000 {
            out.push_str(&format!(
                "2020-12-31T23:59:{:02}.{i:06}+00:00 node-1 systemd[1]: Started Session {i} of user root.\n",
                i % 60
            ));
        }
        for i in 0..400 {
            let stamp = format!("Jan  1 00:{:02}:{:02}", i / 60 % 60, i % 60);
            if i % 40 == 3 {
                out.push_str(&format!("{stamp} node-1 kernel: runc:[2:INIT] invoked oom-killer: gfp_mask=0x24000c0, order=0, oom_score_adj=998\n"));
                out.push_str(&format!("{stamp} node-1 kernel: Memory cgroup out of memory: Kill process {} (app) score 968 or sacrifice child\n", 9000 + i));
                out.push_str(&format!("{stamp} node-1 kernel: Killed process {} (app) total-vm:70347780kB, anon-rss:45563572kB, file-rss:0kB, shmem-rss:0kB\n", 9000 + i));
            }
            out.push_str(&format!(
                "{stamp} node-1 kubelet[12170]: E0101 00:00:00.000001   12170 kubelet.go:1845] skipping pod synchronization - [PLEG is not healthy: pleg was last seen active 3m{}.5s ago; threshold is 3m0s]\n",
                i % 60
            ));
        }
        out.into_bytes()
    }

    /// A year wrap between chunks whose warm-ups see no yearless time (a long block of lines
    /// with years in between) is still counted: chunks carry their first yearless month.
    #[test]
    fn year_wrap_across_a_boundary_without_yearless_warm_up() {
        let data = syslog_wrap();
        let engine = crate::rules::load(&[]).unwrap();
        let one = analyse_whole(&engine, &Limits::default(), 0, Format::Syslog, &data);
        assert_eq!(one.span.years.last_epoch, 1, "the log crosses a new year");
        assert_eq!(one.events.len(), 10, "one OOM kill per 40 January lines");
        for chunks in [2, 5, 11] {
            let bounds = chunk_bounds(Format::Syslog, &data, chunks);
            let (log, _) = chunked(&engine, Format::Syslog, &data, &bounds, 4 << 10, None);
            assert_eq!(log.span.years, one.span.years, "{chunks} chunks");
            assert_eq!(log.count, one.count);
            let epochs = |l: &LogOut| l.events.iter().map(|e| e.epoch).collect::<Vec<_>>();
            assert_eq!(epochs(&log), epochs(&one), "{chunks} chunks");
            assert_eq!(epochs(&one), vec![1; 10]);
        }
    }

    /// The OOM incident's journal with 300 rows in every OOM report's task table, as on a busy
    /// node (`Tasks state (memory values in pages):` lists every task of the cgroup).
    fn busy_oom_reports() -> Vec<u8> {
        let text =
            include_str!("../../corpus/common-oom-kill/sos_commands/logs/journalctl_--no-pager");
        let mut out = String::with_capacity(text.len() * 2);
        for line in text.lines() {
            out.push_str(line);
            out.push('\n');
            if let Some(head) = line.strip_suffix("[  pid  ]   uid  tgid total_vm      rss pgtables_bytes swapents oom_score_adj name") {
                for pid in 40_000..40_300 {
                    out.push_str(&format!("{head}[  {pid}]  1000 {pid}    45678     1234   401408        0           969 worker\n"));
                }
            }
        }
        out.into_bytes()
    }

    /// A compressed log read in pieces (cut at record starts, analysed chunk by chunk as they
    /// arrive) reports exactly what the whole member gives: same lines, times, events, hits —
    /// also when pieces are far smaller than the warm-up and look-ahead (they are then held
    /// until a chunk has that much of its own) and a report spans many pieces.
    #[test]
    fn streamed_member_reports_as_whole() {
        const SMALL: [(usize, usize); 4] = [
            (64 << 10, 16 << 10),
            (5000, 2000),
            (200 << 10, 1 << 20),
            (4096, 64 << 10),
        ];
        // OOM reports of a node running 300 tasks (330 records, 31 KiB): each spans many pieces.
        const LARGE: [(usize, usize); 3] = [(4096, 64 << 10), (8192, 1 << 20), (64 << 10, 1 << 20)];
        let oom = busy_oom_reports();
        for (name, data, splits) in [
            (
                "sos_commands/logs/journalctl_--no-pager.gz",
                journal(6000),
                &SMALL[..],
            ),
            ("var/log/messages.gz", syslog_wrap(), &SMALL[..]),
            (
                "sos_commands/logs/journalctl_--no-pager.gz",
                oom,
                &LARGE[..],
            ),
        ] {
            let gz = gzip(&data);
            let whole = report_json_named(name, &gz, ONE_PASS);
            assert!(!whole["findings"].as_array().unwrap().is_empty(), "{name}");
            assert_eq!(whole["stats"]["members"], 1);
            for &(piece, overlap) in splits {
                let streamed = report_json_named(name, &gz, Split::Stream { piece, overlap });
                assert_eq!(
                    streamed, whole,
                    "{name}: pieces of {piece}, overlap {overlap}"
                );
            }
        }
    }

    /// A goroutine dump written into the journal (dockerd's SIGUSR1 dump or a crash, one record
    /// per dump line) and read in pieces far smaller than the dump is analysed as one dump, as
    /// in one pass: the lock cycle between goroutines in different pieces is found.
    #[test]
    fn streamed_journal_with_a_dump_across_pieces() {
        let dump = include_str!(
            "../../corpus/common-goroutine-deadlock/var/run/docker/goroutine-stacks-2021-12-09T154207+0800.log"
        );
        let mut text = String::new();
        let noise = |text: &mut String, from: u32| {
            for i in from..from + 1500 {
                text.push_str(&format!(
                    "Dec 09 15:{:02}:{:02} node-1 kubelet[1204]: I1209 15:40:00.000001    1204 kubelet.go:1913] SyncLoop (PLEG): \"pod-{}\", event: ContainerStarted\n",
                    40 + i / 60 % 20,
                    i % 60,
                    i % 40
                ));
            }
        };
        noise(&mut text, 0);
        for line in dump.lines() {
            text.push_str("Dec 09 15:42:07 node-1 dockerd[4085]: ");
            text.push_str(line);
            text.push('\n');
        }
        noise(&mut text, 1500);
        let gz = gzip(text.as_bytes());
        let name = "sos_commands/logs/journalctl_--no-pager.gz";
        let whole = report_json_named(name, &gz, ONE_PASS);
        let ids: Vec<_> = whole["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["rule"].as_str().unwrap_or_default())
            .collect();
        assert!(ids.contains(&"goroutine-deadlock"), "{ids:?}");
        for (piece, overlap) in [(4096, 4096), (64 << 10, 16 << 10), (200 << 10, 64 << 10)] {
            let streamed = report_json_named(name, &gz, Split::Stream { piece, overlap });
            assert_eq!(streamed, whole, "pieces of {piece}, overlap {overlap}");
        }
    }

    /// A spent time budget stops a streamed member between pieces: what was read is reported,
    /// the report is partial and a warning names the member and the offset where it stopped.
    #[test]
    fn time_budget_stops_a_streamed_member() {
        let gz = gzip(&journal(6000));
        let bundle = Bundle::from_bytes("journal.gz", gz);
        let engine = crate::rules::load(&[]).unwrap();
        let opts = Options {
            timeout: Some(Duration::ZERO),
            ..Options::default()
        };
        let a = analyze_split(
            &bundle,
            &opts,
            &engine,
            Split::Stream {
                piece: 64 << 10,
                overlap: 16 << 10,
            },
        )
        .unwrap();
        assert!(a.report.stats.partial);
        let w: Vec<_> = a
            .report
            .warnings
            .iter()
            .filter(|w| w.message.starts_with("time budget exhausted"))
            .collect();
        assert_eq!(w.len(), 1, "{:?}", a.report.warnings);
        assert_eq!(w[0].path, "journal.gz");
        assert_eq!(a.report.stats.records, 0);
        assert_eq!(a.report.stats.members, 0);
    }

    /// Chunks of a mapped member not started before the deadline are skipped; the member is
    /// reported up to the first of them.
    #[test]
    fn time_budget_stops_chunks_of_a_member() {
        let data = journal(3000);
        let engine = crate::rules::load(&[]).unwrap();
        let bounds = chunk_bounds(Format::JournalShort, &data, 4);
        let (log, stopped) = chunked(
            &engine,
            Format::JournalShort,
            &data,
            &bounds,
            4 << 10,
            Some(Duration::ZERO),
        );
        assert_eq!(stopped, Some(0));
        assert_eq!(log.count, 0);
        assert!(log.events.is_empty());
    }
    /// A stream handed over by the caller (an upload) is read as it arrives, in small reads,
    /// and gives the report the same bytes in memory give; a second analysis of the same
    /// bundle finds the stream taken and says so.
    #[test]
    fn reader_input_reports_as_bytes() {
        /// Hands out at most 4 KiB per read, as a socket does.
        struct Trickle(std::io::Cursor<Vec<u8>>);
        impl std::io::Read for Trickle {
            fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
                let n = buf.len().min(4096);
                self.0.read(&mut buf[..n])
            }
        }
        let gz = gzip(&busy_oom_reports());
        let name = "sos_commands/logs/journalctl_--no-pager.gz";
        let whole = report_json_named(name, &gz, Split::Auto);
        let bundle = Bundle::from_reader(name, Trickle(std::io::Cursor::new(gz)));
        let engine = crate::rules::load(&[]).unwrap();
        let a = analyze_split(&bundle, &Options::default(), &engine, Split::Auto).unwrap();
        let mut streamed = serde_json::to_value(&a.report).unwrap();
        streamed["stats"]["seconds"] = serde_json::Value::Null;
        assert_eq!(streamed, whole);
        assert_eq!(whole["findings"][0]["rule"], "oom-kill");

        let again = analyze_split(&bundle, &Options::default(), &engine, Split::Auto);
        match again {
            Err(Error::NothingReadable { reason }) => {
                assert!(reason.contains("already read"), "{reason}")
            }
            other => panic!("a taken stream must not read as empty: {other:?}"),
        }
    }

    /// A cancelled token stops the analysis as a spent budget does, with its own warning.
    #[test]
    fn cancel_token_stops_analysis() {
        let cancel = CancelToken::new();
        let opts = Options {
            cancel: Some(cancel.clone()),
            ..Options::default()
        };
        let bundle = Bundle::from_bytes("journal.gz", gzip(&journal(6000)));
        let engine = crate::rules::load(&[]).unwrap();
        let full = analyze_split(&bundle, &opts, &engine, Split::Auto).unwrap();
        assert!(!full.report.stats.partial);
        assert!(full.report.stats.records > 0);
        cancel.cancel();
        let a = analyze_split(&bundle, &opts, &engine, Split::Auto).unwrap();
        assert!(a.report.stats.partial);
        assert_eq!(a.report.stats.records, 0);
        let w: Vec<_> = a
            .report
            .warnings
            .iter()
            .map(|w| w.message.as_str())
            .collect();
        assert_eq!(w.len(), 1, "{w:?}");
        assert!(w[0].starts_with("analysis cancelled: "), "{w:?}");
    }
}
