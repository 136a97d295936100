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
            max_in_flight: 256 << 20,
            progress: None,
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
    let started = Instant::now();
    let mut partial = false;
    let inputs = rayon::in_place_scope(|scope| {
        let mut sink = Dispatch {
            scope,
            engine,
            state: &state,
            budget: &budget,
            started,
            timeout: opts.timeout,
            timed_out: &mut partial,
            progress: opts.progress.as_ref(),
            seen: Progress::default(),
            limits: &opts.limits,
            split,
        };
        input::walk(bundle, &opts.limits, &mut sink)
    })?;
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

/// Receives members from the walker and analyses each on the rayon pool.
struct Dispatch<'s, 'a> {
    scope: &'a rayon::Scope<'s>,
    engine: &'s Engine,
    state: &'s Mutex<State>,
    budget: &'s Budget,
    started: Instant,
    timeout: Option<Duration>,
    timed_out: &'a mut bool,
    progress: Option<&'a ProgressFn>,
    seen: Progress,
    limits: &'s Limits,
    split: Split,
}

impl<'s> input::Sink for Dispatch<'s, '_> {
    fn member(&mut self, member: Member) {
        if self.timeout.is_some_and(|t| self.started.elapsed() > t) {
            if !*self.timed_out {
                *self.timed_out = true;
                lock(self.state).warnings.push(Warning::new(
                    member.path.clone(),
                    "time budget exhausted: this and later members were not analysed (results are partial)",
                ));
            }
            return;
        }
        let size = member.data.len() as u64;
        if let Some(p) = self.progress {
            self.seen.members += 1;
            self.seen.bytes += size;
            (p.0)(self.seen);
        }
        self.budget.take(size);
        let (engine, state, budget, limits, split) = (
            self.engine,
            self.state,
            self.budget,
            self.limits,
            self.split,
        );
        self.scope.spawn(move |_| {
            analyse_member(engine, state, limits, member, split);
            budget.give(size);
        });
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
        f if f.is_log() => analyse_log(engine, state, limits, idx, &member.path, f, data, split),
        Format::GoroutineDump => {
            let dump = parse::goroutine::parse(data);
            let analysis = stacks::analyze(&dump);
            lock(state).dumps.push((member.path.clone(), analysis));
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
) {
    let (chunks, overlap) = match split {
        Split::Auto if data.len() >= CHUNK_MIN && rayon::current_num_threads() > 1 => {
            let n = (data.len() / CHUNK_TARGET).max(rayon::current_num_threads());
            (n.min(MAX_CHUNKS), OVERLAP)
        }
        Split::Auto => (1, 0),
        Split::Fixed { chunks, overlap } => (chunks, overlap),
    };
    if chunks > 1 && chunkable(format) {
        let bounds = chunk_bounds(format, data, chunks);
        if bounds.len() > 2 {
            if let Some(log) = analyse_chunked(engine, limits, idx, format, data, &bounds, overlap)
            {
                return commit_log(state, limits, path, data, log);
            }
        }
    }
    let log = analyse_whole(engine, limits, idx, format, data);
    commit_log(state, limits, path, data, log)
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

fn commit_log(state: &Mutex<State>, limits: &Limits, path: &str, data: &[u8], log: LogOut) {
    // Goroutine dumps embedded in a log (every line with its own prefix) are analysed too.
    let embedded = embedded_dump(data).then(|| {
        let dump = parse::goroutine::parse(data);
        stacks::analyze(&dump)
    });
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
    if let Some(a) = embedded.filter(|a| a.goroutines > 0) {
        st.dumps.push((path.to_string(), a));
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
}

/// Log members at least this large are analysed in chunks on several threads.
const CHUNK_MIN: usize = 16 << 20;
/// Preferred chunk size of large members.
const CHUNK_TARGET: usize = 128 << 20;
/// Most chunks of one member.
const MAX_CHUNKS: usize = 64;
/// Bytes of records a chunk's event assembler sees before its start and after its end, so that
/// multi-record reports (OOM kills, hung tasks, Go crashes) crossing a boundary are assembled
/// as in one pass. Reports spanning more than this are not expected in real logs.
const OVERLAP: usize = 1 << 20;

/// Line formats whose record boundaries can be found locally (a header line is never joined
/// to the record before).
fn chunkable(format: Format) -> bool {
    matches!(
        format,
        Format::JournalShort
            | Format::JournalShortPrecise
            | Format::JournalShortIso
            | Format::JournalShortIsoPrecise
            | Format::JournalShortMonotonic
            | Format::JournalShortUnix
            | Format::Syslog
            | Format::Dmesg
            | Format::Kmsg
            | Format::Klog
            | Format::Logrus
    )
}

/// True when a record with a header starts at the beginning of `rest` in any pass over the
/// member: its first line parses as a header and is not a continuation line.
fn record_starts(format: Format, rest: &[u8]) -> bool {
    let line = rest
        .get(..memchr::memchr(b'\n', rest).unwrap_or(rest.len()))
        .unwrap_or(rest);
    if parse::lines::starts_with_blank(line) {
        return false;
    }
    if format == Format::Klog && !parse::klog::is_header(line) {
        return false;
    }
    if format == Format::Dmesg && parse::dmesg::header(line.get(..256).unwrap_or(line)).is_none() {
        return false;
    }
    parse::records(format, rest)
        .next()
        .is_some_and(|r| r.offset == 0 && !matches!(r.time, RawTime::None))
}

/// The first record start at or after `at` (within a few thousand lines), if any.
fn record_start_from(format: Format, data: &[u8], at: usize) -> Option<usize> {
    if at == 0 {
        return Some(0);
    }
    let mut pos = match data.get(at - 1) {
        Some(b'\n') => at,
        Some(_) => at + memchr::memchr(b'\n', data.get(at..)?)? + 1,
        None => return None,
    };
    for _ in 0..4096 {
        let rest = data.get(pos..).filter(|r| !r.is_empty())?;
        if record_starts(format, rest) {
            return Some(pos);
        }
        pos += memchr::memchr(b'\n', rest)? + 1;
    }
    None
}

/// Chunk boundaries `0 = b0 < b1 < … < len`, each at a record start.
fn chunk_bounds(format: Format, data: &[u8], chunks: usize) -> Vec<usize> {
    let mut bounds = vec![0];
    for i in 1..chunks {
        let target = (data.len() as u128 * i as u128 / chunks as u128) as usize;
        if let Some(b) = record_start_from(format, data, target) {
            if b > *bounds.last().unwrap_or(&0) && b < data.len() {
                bounds.push(b);
            }
        }
    }
    bounds.push(data.len());
    bounds
}

/// An event of a chunk: position of the record that returned it, the event, its epoch and its
/// evidence lines.
type ChunkEvent = (u64, Event, u16, Vec<(u32, String)>);

/// What one chunk gave, with line numbers relative to its warm-up start and epochs relative to
/// its own start.
struct ChunkOut {
    warm_start: usize,
    /// Newlines between the warm-up start and the chunk's start / end.
    nl_warm: u64,
    nl_to_end: u64,
    count: u64,
    first: Option<(RawTime, u16)>,
    last: Option<(RawTime, u16)>,
    boot: Vec<(RawTime, u16, u64)>,
    events: Vec<ChunkEvent>,
    hits: Vec<ChunkHits>,
    epoch0: u16,
    epoch_end: u16,
    last_month_day: Option<(u8, u8)>,
    warm_yearless: bool,
    own_yearless: bool,
    /// Absolute offset of the chunk's first record longer than the line limit.
    cut_line: Option<u64>,
    /// Events of the chunk over the per-member limit: first emitter position, count.
    dropped: Option<(u64, u64)>,
}

fn yearless(t: &RawTime) -> bool {
    matches!(t, RawTime::Local(l) if l.year.is_none())
}

#[allow(clippy::too_many_arguments)]
fn analyse_chunk(
    engine: &Engine,
    limits: &Limits,
    idx: usize,
    format: Format,
    data: &[u8],
    start: usize,
    end: usize,
    overlap: usize,
) -> ChunkOut {
    let ws = if start == 0 {
        0
    } else {
        record_start_from(format, data, start.saturating_sub(overlap))
            .filter(|&w| w <= start)
            .unwrap_or(start)
    };
    let we = if end >= data.len() {
        data.len()
    } else {
        record_start_from(format, data, end.saturating_add(overlap).min(data.len()))
            .unwrap_or(data.len())
            .max(end)
    };
    let ext = &data[ws..we];
    let (own_start, own_end) = ((start - ws) as u64, (end - ws) as u64);
    let mut scan = engine.scan(ext);
    let mut years = YearTracker::new();
    let mut asm = EventAssembler::new();
    let mut out = ChunkOut {
        warm_start: ws,
        nl_warm: memchr::memchr_iter(b'\n', &ext[..start - ws]).count() as u64,
        nl_to_end: 0,
        count: 0,
        first: None,
        last: None,
        boot: Vec::new(),
        events: Vec::new(),
        hits: Vec::new(),
        epoch0: 0,
        epoch_end: 0,
        last_month_day: None,
        warm_yearless: false,
        own_yearless: false,
        cut_line: None,
        dropped: None,
    };
    let mut raw_events: Vec<(u64, Event, u16)> = Vec::new();
    let mut in_own = false;
    let mut done_own = false;
    let mut last_own: Option<(u64, u32)> = None;
    let finish_own = |years: &YearTracker, out: &mut ChunkOut| {
        out.epoch_end = years.epoch();
        out.last_month_day = years.finish().last_month_day;
    };
    for mut rec in parse::records(format, ext) {
        if rec.raw.len() > limits.max_line_bytes {
            if rec.offset >= own_start && rec.offset < own_end {
                out.cut_line.get_or_insert(ws as u64 + rec.offset);
            }
            cut_record(&mut rec, limits.max_line_bytes);
        }
        if !in_own && rec.offset >= own_start {
            in_own = true;
            out.epoch0 = years.epoch();
        }
        if !done_own && rec.offset >= own_end {
            done_own = true;
            finish_own(&years, &mut out);
        }
        let own = in_own && !done_own;
        if !own && !done_own && yearless(&rec.time) {
            out.warm_yearless = true;
        }
        let epoch = years.observe(&rec.time);
        if own {
            out.count += 1;
            last_own = Some((rec.offset, rec.line));
            if yearless(&rec.time) {
                out.own_yearless = true;
            }
            if !matches!(rec.time, RawTime::None) {
                if out.first.is_none() {
                    out.first = Some((rec.time, epoch));
                }
                out.last = Some((rec.time, epoch));
            }
            scan.record(&rec, epoch);
            if rec.source == Source::Kernel
                && out.boot.len() < 8
                && !matches!(rec.time, RawTime::Monotonic(_) | RawTime::None)
            {
                if let Some(mono) = parse::dmesg::kernel_mono(rec.message) {
                    out.boot.push((rec.time, epoch, mono));
                }
            }
        }
        if let Some(ev) = asm.push(&rec) {
            raw_events.push((rec.offset, ev, epoch));
        }
    }
    if !in_own {
        out.epoch0 = years.epoch();
    }
    if !done_own {
        finish_own(&years, &mut out);
    }
    for ev in asm.finish() {
        raw_events.push((u64::MAX, ev, years.epoch()));
    }
    // Newlines from the warm-up start to the chunk's end, from its last record on.
    out.nl_to_end = match last_own {
        Some((off, line)) => {
            u64::from(line.saturating_sub(1))
                + memchr::memchr_iter(b'\n', &ext[off as usize..own_end as usize]).count() as u64
        }
        None => memchr::memchr_iter(b'\n', &ext[..own_end as usize]).count() as u64,
    };
    let rest = &data[ws..];
    for (pos, ev, epoch) in raw_events {
        if (own_start..own_end).contains(&ev.first_offset) {
            let pos = pos.saturating_add(ws as u64).min(data.len() as u64);
            if out.events.len() >= limits.max_events_per_member {
                out.dropped.get_or_insert((pos, 0)).1 += 1;
                continue;
            }
            let lines = event_lines(rest, &ev);
            out.events.push((pos, ev, epoch, lines));
        }
    }
    out.hits = scan.finish_chunk(ext, idx, YearSummary::default());
    out
}

/// Analyses a log member in chunks on the rayon pool and stitches the results into what one
/// pass gives: absolute line numbers, year epochs continued across chunks, first hits from the
/// earliest chunk and last from the latest. `None` when the year wraps cannot be stitched
/// (a chunk's yearless times have no yearless time before them within the overlap).
fn analyse_chunked(
    engine: &Engine,
    limits: &Limits,
    idx: usize,
    format: Format,
    data: &[u8],
    bounds: &[usize],
    overlap: usize,
) -> Option<LogOut> {
    use rayon::prelude::*;
    let outs: Vec<ChunkOut> = bounds
        .windows(2)
        .collect::<Vec<_>>()
        .into_par_iter()
        .map(|w| analyse_chunk(engine, limits, idx, format, data, w[0], w[1], overlap))
        .collect();
    let mut seen_yearless = false;
    for o in &outs {
        if seen_yearless && o.own_yearless && !o.warm_yearless {
            return None;
        }
        seen_yearless |= o.own_yearless || o.warm_yearless;
    }
    let mut count = 0;
    let mut first = None;
    let mut last = None;
    let mut boot: Vec<(RawTime, u16, u64)> = Vec::new();
    let mut events: Vec<(u64, usize, PendingEvent)> = Vec::new();
    let mut hit_parts = Vec::new();
    let mut lines_before: u64 = 0; // newlines before the chunk's start
    let mut base: u16 = 0; // epoch at the chunk's start
    let mut last_month_day = None;
    let mut cut_line: Option<u64> = None;
    let mut dropped: Option<(u64, u64)> = None;
    for (ci, o) in outs.into_iter().enumerate() {
        cut_line = cut_line.or(o.cut_line);
        if let Some((pos, n)) = o.dropped {
            let d = dropped.get_or_insert((pos, 0));
            d.0 = d.0.min(pos);
            d.1 += n;
        }
        let shift_line = |l: u32| -> u32 {
            let abs = u64::from(l) + lines_before - o.nl_warm;
            u32::try_from(abs).unwrap_or(u32::MAX)
        };
        let shift_epoch = |e: u16| base.saturating_add(e.saturating_sub(o.epoch0));
        count += o.count;
        if first.is_none() {
            first = o.first.map(|(t, e)| (t, shift_epoch(e)));
        }
        if let Some((t, e)) = o.last {
            last = Some((t, shift_epoch(e)));
        }
        boot.extend(o.boot.iter().map(|&(t, e, m)| (t, shift_epoch(e), m)));
        for (pos, mut event, epoch, lines) in o.events {
            event.first_line = shift_line(event.first_line);
            event.last_line = shift_line(event.last_line);
            event.first_offset += o.warm_start as u64;
            for l in &mut event.lines {
                *l = shift_line(*l);
            }
            let lines = lines.into_iter().map(|(l, t)| (shift_line(l), t)).collect();
            events.push((
                pos,
                ci,
                PendingEvent {
                    event,
                    member: idx,
                    epoch: shift_epoch(epoch),
                    years: YearSummary::default(),
                    lines,
                },
            ));
        }
        let mut hits = o.hits;
        for c in &mut hits {
            let h = &mut c.hits.hits;
            for hit in h.first.iter_mut().chain(h.last.iter_mut()) {
                hit.line = shift_line(hit.line);
                hit.epoch = shift_epoch(hit.epoch);
            }
            for (_, e) in &mut h.times {
                *e = shift_epoch(*e);
            }
        }
        hit_parts.push(hits);
        if o.last_month_day.is_some() {
            last_month_day = o.last_month_day;
        }
        lines_before += o.nl_to_end - o.nl_warm;
        base = shift_epoch(o.epoch_end);
    }
    let summary = YearSummary {
        last_epoch: base,
        last_month_day,
    };
    boot.truncate(8);
    // One pass returns events in the order of the records that return them.
    events.sort_by_key(|(pos, ci, _)| (*pos, *ci));
    if events.len() > limits.max_events_per_member {
        let extra = (events.len() - limits.max_events_per_member) as u64;
        let pos = events[limits.max_events_per_member].0;
        let d = dropped.get_or_insert((pos, 0));
        d.0 = d.0.min(pos);
        d.1 += extra;
        events.truncate(limits.max_events_per_member);
    }
    let events = events
        .into_iter()
        .map(|(_, _, mut p)| {
            p.years = summary;
            p
        })
        .collect();
    let clock = clock_hints(last, boot, summary);
    Some(LogOut {
        count,
        span: Span {
            first,
            last,
            years: summary,
        },
        hits: merge_chunks(hit_parts, summary),
        events,
        clock,
        cut_line,
        dropped_events: dropped,
    })
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

/// True when a log member carries at least two goroutine headers (`goroutine 12 [`).
fn embedded_dump(data: &[u8]) -> bool {
    let mut n = 0;
    for i in memchr::memmem::find_iter(data, b"goroutine ") {
        let rest = &data[i + 10..];
        let digits = rest.iter().take_while(|b| b.is_ascii_digit()).count();
        if digits > 0 && rest.get(digits..digits + 2) == Some(b" [") {
            n += 1;
            if n >= 2 {
                return true;
            }
        }
    }
    false
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
        out.push(Observation {
            kind: "deadlock".into(),
            fields,
            weight: 1,
            time: None,
            evidence: vec![Evidence {
                path: path.to_string(),
                line: 0,
                time: None,
                text: format!("goroutines {ids} wait on each other's locks"),
                highlight: None,
                label: String::new(),
            }],
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

    fn report_json(data: &[u8], split: Split) -> serde_json::Value {
        let bundle = Bundle::from_bytes("sos_commands/logs/journalctl_--no-pager", data.to_vec());
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
        let log = analyse_chunked(
            &engine,
            &Limits::default(),
            0,
            Format::JournalShort,
            &data,
            &bounds,
            16 << 10,
        )
        .expect("stitchable");
        let one = analyse_whole(&engine, &Limits::default(), 0, Format::JournalShort, &data);
        assert_eq!(log.count, one.count);
        assert_eq!(log.span.years, one.span.years);
        assert_eq!(log.span.years.last_epoch, 1, "the log crosses a new year");
        assert_eq!(log.events.len(), one.events.len());
        assert_eq!(one.events.len(), 62, "one OOM kill per 97 lines");
        assert_eq!(log.hits.len(), one.hits.len());
        let whole = report_json(
            &data,
            Split::Fixed {
                chunks: 1,
                overlap: 0,
            },
        );
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
}
