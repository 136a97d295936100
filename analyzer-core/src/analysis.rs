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
use crate::rules::engine::{Engine, MemberHits, Observation, Observations};
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
    let started = Instant::now();
    let collected = collect(bundle, opts, engine)?;
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

fn collect(bundle: &Bundle, opts: &Options, engine: &Engine) -> Result<Collected> {
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
        };
        input::walk(bundle, &opts.limits, &mut sink)
    })?;
    let state = state.into_inner().unwrap_or_else(|e| e.into_inner());
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
        let (engine, state, budget, limits) = (self.engine, self.state, self.budget, self.limits);
        self.scope.spawn(move |_| {
            analyse_member(engine, state, limits, member);
            budget.give(size);
        });
    }

    fn skipped(&mut self, _entry: input::SkippedEntry) {}

    fn link(&mut self, _link: input::LinkEntry) {}

    fn warning(&mut self, warning: Warning) {
        lock(self.state).warnings.push(warning);
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

fn analyse_member(engine: &Engine, state: &Mutex<State>, limits: &Limits, member: Member) {
    let data: &[u8] = &member.data;
    let idx = {
        let mut st = lock(state);
        st.members.push(member.path.clone());
        st.stats.members += 1;
        st.stats.bytes += data.len() as u64;
        st.members.len() - 1
    };
    match member.format {
        f if f.is_log() => analyse_log(engine, state, limits, idx, &member.path, f, data),
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

fn analyse_log(
    engine: &Engine,
    state: &Mutex<State>,
    limits: &Limits,
    idx: usize,
    path: &str,
    format: Format,
    data: &[u8],
) {
    let mut scan = engine.scan(data);
    let mut years = YearTracker::new();
    let mut asm = EventAssembler::new();
    let mut events: Vec<(Event, u16)> = Vec::new();
    let mut clock = ClockBuilder::new();
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
                let d = dropped_events.get_or_insert((rec.offset, 0));
                d.1 += 1;
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
            let e = years.epoch();
            events.push((ev, e));
        } else {
            let d = dropped_events.get_or_insert((data.len() as u64, 0));
            d.1 += 1;
        }
    }
    let summary = years.finish();
    if let Some((RawTime::Utc(ts), _)) = last {
        clock.observe_absolute(ts);
    }
    for (wall, epoch, mono) in boot {
        clock.add_boot_hint(BootHint {
            wall,
            epoch,
            years: summary,
            mono,
        });
    }
    let hits = scan.finish(data, idx, summary);
    let pending: Vec<PendingEvent> = events
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
    // Goroutine dumps embedded in a log (every line with its own prefix) are analysed too.
    let embedded = embedded_dump(data).then(|| {
        let dump = parse::goroutine::parse(data);
        stacks::analyze(&dump)
    });
    let mut st = lock(state);
    if let Some(offset) = cut_line {
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
    if let Some((offset, n)) = dropped_events {
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
    st.stats.records += count;
    st.stats.spans.push(Span {
        first,
        last,
        years: summary,
    });
    st.hits.extend(hits);
    st.events.extend(pending);
    st.clock.merge(clock);
    if let Some(a) = embedded.filter(|a| a.goroutines > 0) {
        st.dumps.push((path.to_string(), a));
    }
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
                    "goroutine {} [{}] holds {}: {}",
                    l.holder.map_or("?".to_string(), |h| h.to_string()),
                    l.holder_state.clone().unwrap_or_default(),
                    l.address,
                    l.holder_top
                        .iter()
                        .take(3)
                        .cloned()
                        .collect::<Vec<_>>()
                        .join(" < ")
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
