//! Multi-record reports assembled from records: OOM kills, hung tasks, Go crashes.
//!
//! The kernel and the Go runtime write one report over many lines, and in a journal or syslog
//! file every one of those lines is its own record, interleaved with other programs' records.
//! An [`EventAssembler`] is fed the records of one member in file order and rebuilds the
//! reports: kernel events are keyed by host (the kernel lines of one machine), Go crashes by
//! (host, identifier, pid), so records of other sources between them do not break them.
//!
//! Line shapes: formats-and-crates §1.3 (OOM by kernel era, hung task) and §1.6 (Go crashes);
//! signatures §1.1.

use std::collections::VecDeque;
use std::sync::LazyLock;

use memchr::memmem::Finder;

use serde::Serialize;

use crate::base::Source;
use crate::base::time::RawTime;
use crate::base::time::digits_var;
use crate::parse::Record;
use crate::parse::dmesg::strip_kernel_mono;

/// A multi-record report.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Event {
    /// What happened.
    pub kind: EventKind,
    /// 1-based line of the first record of the report.
    pub first_line: u32,
    /// 1-based line of the last record of the report.
    pub last_line: u32,
    /// Byte offset of the first record.
    pub first_offset: u64,
    /// The time of the first record.
    pub time: RawTime,
    /// The telling lines (trigger, decision, kill), for evidence.
    pub lines: Vec<u32>,
}

/// The kinds of multi-record reports.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case", tag = "kind")]
pub enum EventKind {
    /// The kernel OOM killer killed a process.
    OomKill {
        /// A memory cgroup limit was hit (as opposed to the whole machine running out).
        memcg: bool,
        /// The killed process.
        victim_pid: Option<u32>,
        /// Its command name (may hold spaces and brackets: `runc:[2:INIT]`).
        victim_comm: String,
        /// The process that invoked the OOM killer.
        invoker: Option<String>,
        /// The victim's memory cgroup path.
        task_memcg: Option<String>,
        /// The victim's container id (64 hex), from the cgroup path.
        container_id: Option<String>,
        /// The victim's pod uid with dashes, from the cgroup path.
        pod_uid: Option<String>,
        /// The victim's anonymous RSS at the kill, in KiB.
        anon_rss_kb: Option<u64>,
    },
    /// A task stayed in uninterruptible sleep longer than the hung-task timeout.
    HungTask {
        /// Command name (may hold `/` and `:`: `kworker/62:2`).
        comm: String,
        /// Its pid.
        pid: u32,
        /// The timeout reported.
        seconds: u32,
        /// The reliable frames' symbols, innermost first (`__schedule`, `copy_net_ns`).
        trace: Vec<String>,
    },
    /// A Go program crashed (runtime failure, panic, fatal error).
    GoCrash {
        /// The program (identifier of the records).
        program: String,
        /// Its pid, when the records state it.
        pid: Option<u32>,
        /// The first line of the crash (`pthread_create failed: Resource temporarily
        /// unavailable`, `panic: …`, `fatal error: …`).
        reason: String,
        /// Number of goroutine headers in the dump.
        goroutines: u32,
    },
}

/// A Go crash whose process printed nothing for this long, while other records go on, is over.
const CRASH_QUIET_SECS: i64 = 5;

/// Seconds from `a` to `b` when both are the same kind of time (yearless local times are
/// compared within one year).
fn seconds_between(a: &RawTime, b: &RawTime) -> Option<i64> {
    let secs = |t: &RawTime| -> Option<(u8, i64)> {
        match t {
            RawTime::Utc(ts) => Some((0, ts.0.div_euclid(1_000_000))),
            RawTime::Monotonic(us) => Some((1, i64::try_from(*us / 1_000_000).ok()?)),
            RawTime::Local(l) => {
                let days = crate::base::time::days_from_civil(
                    i64::from(l.year.unwrap_or(2000)),
                    i64::from(l.month),
                    i64::from(l.day),
                );
                let kind = if l.year.is_some() { 2 } else { 3 };
                Some((
                    kind,
                    days * 86400
                        + i64::from(l.hour) * 3600
                        + i64::from(l.minute) * 60
                        + i64::from(l.second),
                ))
            }
            RawTime::None => None,
        }
    };
    let (ka, sa) = secs(a)?;
    let (kb, sb) = secs(b)?;
    (ka == kb).then_some(sb - sa)
}

/// Most frames kept per hung-task trace.
const MAX_FRAMES: usize = 24;
/// Lines allowed between `INFO: task … blocked` and `Call Trace:`.
const MAX_PRE_TRACE: u32 = 8;

#[derive(Debug, Default)]
struct Oom {
    memcg: bool,
    victim_pid: Option<u32>,
    victim_comm: Option<String>,
    invoker: Option<String>,
    task_memcg: Option<String>,
    cpuset: Option<String>,
    anon_rss_kb: Option<u64>,
    /// A `Kill process … score` decision was seen; `Killed process` may follow.
    decided: bool,
}

#[derive(Debug)]
struct Hung {
    comm: String,
    pid: u32,
    seconds: u32,
    trace: Vec<String>,
    in_trace: bool,
    pre_trace: u32,
}

#[derive(Debug)]
struct Pending<T> {
    state: T,
    first_line: u32,
    last_line: u32,
    first_offset: u64,
    time: RawTime,
    lines: Vec<u32>,
}

impl<T> Pending<T> {
    fn new(state: T, rec: &Record<'_>) -> Self {
        Pending {
            state,
            first_line: rec.line,
            last_line: last_line_of(rec),
            first_offset: rec.offset,
            time: rec.time,
            lines: vec![rec.line],
        }
    }

    fn touch(&mut self, rec: &Record<'_>, telling: bool) {
        self.last_line = self.last_line.max(last_line_of(rec));
        if telling && self.lines.last() != Some(&rec.line) {
            self.lines.push(rec.line);
        }
    }

    fn into_event(self, kind: EventKind) -> Event {
        Event {
            kind,
            first_line: self.first_line,
            last_line: self.last_line,
            first_offset: self.first_offset,
            time: self.time,
            lines: self.lines,
        }
    }
}

fn last_line_of(rec: &Record<'_>) -> u32 {
    rec.line.saturating_add(rec.line_count().saturating_sub(1))
}

#[derive(Debug, Default)]
struct KernelHost {
    oom: Option<Pending<Oom>>,
    hung: Option<Pending<Hung>>,
}

#[derive(Debug)]
struct Crash {
    host: Vec<u8>,
    ident: Vec<u8>,
    pid: Option<u32>,
    program: String,
    reason: String,
    goroutines: u32,
    last_time: RawTime,
    pending: Pending<()>,
}

/// Rebuilds multi-record reports from the records of one member, fed in file order.
#[derive(Debug, Default)]
pub struct EventAssembler {
    kernel: Vec<KernelHost>,
    /// Position in `kernel` by host name: a journal of many hosts stays linear.
    kernel_index: std::collections::HashMap<Vec<u8>, usize>,
    /// Position in `kernel` of the host of the last kernel record (hosts rarely change).
    last_kernel: Option<(Vec<u8>, usize)>,
    crashes: Vec<Crash>,
    ready: VecDeque<Event>,
}

impl EventAssembler {
    /// An assembler with nothing pending.
    pub fn new() -> Self {
        EventAssembler::default()
    }

    /// Feeds the next record. Returns an event the record completed, if any; when one record
    /// completes several, the others are returned by the following calls or by
    /// [`finish`](EventAssembler::finish).
    pub fn push(&mut self, rec: &Record<'_>) -> Option<Event> {
        if rec.source == Source::Kernel {
            let idx = match &self.last_kernel {
                Some((host, i)) if host.as_slice() == rec.host => *i,
                _ => {
                    let i = match self.kernel_index.get(rec.host) {
                        Some(&i) => i,
                        None => {
                            self.kernel.push(KernelHost::default());
                            self.kernel_index
                                .insert(rec.host.to_vec(), self.kernel.len() - 1);
                            self.kernel.len() - 1
                        }
                    };
                    self.last_kernel = Some((rec.host.to_vec(), i));
                    i
                }
            };
            for line in split_lines(rec.message) {
                let line = strip_kernel_mono(line.strip_suffix(b"\r").unwrap_or(line));
                kernel_line(&mut self.kernel[idx], rec, line, &mut self.ready);
            }
        } else {
            self.go_record(rec);
        }
        self.ready.pop_front()
    }

    /// Ends the input: completes every pending report that has what it needs.
    pub fn finish(mut self) -> Vec<Event> {
        for k in &mut self.kernel {
            if let Some(p) = k.oom.take() {
                push_oom(p, &mut self.ready);
            }
            if let Some(p) = k.hung.take() {
                self.ready.push_back(hung_event(p));
            }
        }
        for c in std::mem::take(&mut self.crashes) {
            self.ready.push_back(crash_event(c));
        }
        let mut out: Vec<Event> = self.ready.into_iter().collect();
        out.sort_by_key(|e| (e.first_line, e.first_offset));
        out
    }

    fn go_record(&mut self, rec: &Record<'_>) {
        if self.crashes.is_empty() && !split_lines(rec.message).any(may_start_crash) {
            // Nothing pending and no line can start a crash report.
            return;
        }
        // A different pid under the same identifier means the crashed process is gone; a
        // record well after the crash's last line means its output has stopped.
        let mut i = 0;
        while i < self.crashes.len() {
            let c = &self.crashes[i];
            let same_program = c.host == rec.host && c.ident == rec.ident;
            let later =
                seconds_between(&c.last_time, &rec.time).is_some_and(|d| d > CRASH_QUIET_SECS);
            let own = same_program && c.pid == rec.pid;
            if !own && (same_program || later) {
                let c = self.crashes.swap_remove(i);
                self.ready.push_back(crash_event(c));
            } else {
                i += 1;
            }
        }
        let pos = self
            .crashes
            .iter()
            .position(|c| c.host == rec.host && c.ident == rec.ident && c.pid == rec.pid);
        let msg = rec.message;
        if let Some(i) = pos {
            // Ordinary log output from the same process: the crash output is over.
            if crate::parse::logrus::is_logrus(msg) || crate::parse::klog::is_header(msg) {
                let c = self.crashes.swap_remove(i);
                self.ready.push_back(crash_event(c));
            }
        }
        for line in split_lines(msg) {
            let line = line.strip_suffix(b"\r").unwrap_or(line);
            let pos = self
                .crashes
                .iter()
                .position(|c| c.host == rec.host && c.ident == rec.ident && c.pid == rec.pid);
            let trigger = go_trigger(line);
            match (pos, trigger) {
                (Some(i), Some(reason)) if self.crashes[i].goroutines > 0 => {
                    // A second crash report from the same process after a full dump.
                    let c = self.crashes.swap_remove(i);
                    self.ready.push_back(crash_event(c));
                    self.start_crash(rec, reason);
                }
                (Some(i), t) => {
                    let c = &mut self.crashes[i];
                    let telling = t.is_some()
                        || is_goroutine_header(line)
                        || line.starts_with(b"SIGABRT")
                        || line.starts_with(b"SIGSEGV")
                        || line.starts_with(b"PC=");
                    if is_goroutine_header(line) {
                        c.goroutines += 1;
                    }
                    c.pending.touch(rec, telling && c.goroutines <= 1);
                    c.last_time = rec.time;
                }
                (None, Some(reason)) => self.start_crash(rec, reason),
                (None, None) => {}
            }
        }
    }

    fn start_crash(&mut self, rec: &Record<'_>, reason: String) {
        self.crashes.push(Crash {
            host: rec.host.to_vec(),
            ident: rec.ident.to_vec(),
            pid: rec.pid,
            program: rec.source_name().into_owned(),
            reason,
            goroutines: 0,
            last_time: rec.time,
            pending: Pending::new((), rec),
        });
    }
}

fn crash_event(c: Crash) -> Event {
    c.pending.into_event(EventKind::GoCrash {
        program: c.program,
        pid: c.pid,
        reason: c.reason,
        goroutines: c.goroutines,
    })
}

/// `goroutine 1 [running]:`
fn is_goroutine_header(line: &[u8]) -> bool {
    line.strip_prefix(b"goroutine ")
        .and_then(digits_var)
        .is_some_and(|(_, n)| {
            line.get(10 + n..).is_some_and(|r| r.starts_with(b" [")) && line.ends_with(b":")
        })
}

/// Lines of a record's message, split at `\n` like `split(|&b| b == b'\n')` (an empty message
/// or a final `\n` gives an empty last line), found with `memchr`.
fn split_lines(msg: &[u8]) -> impl Iterator<Item = &[u8]> {
    let mut nl = memchr::memchr_iter(b'\n', msg);
    let mut start = Some(0);
    std::iter::from_fn(move || {
        let s = start?;
        match nl.next() {
            Some(i) => {
                start = Some(i + 1);
                msg.get(s..i)
            }
            None => {
                start = None;
                msg.get(s..)
            }
        }
    })
}

/// True when `line` starts like a Go crash trigger (a cheap test before [`go_trigger`]).
#[inline]
fn may_start_crash(line: &[u8]) -> bool {
    match line.first() {
        Some(b'r') => line.starts_with(b"runtime/cgo: "),
        Some(b'p') => line.starts_with(b"panic: "),
        Some(b'f') => line.starts_with(b"fatal error: "),
        _ => false,
    }
}

/// The reason of a Go crash trigger line.
fn go_trigger(line: &[u8]) -> Option<String> {
    let mut l = line;
    let mut cgo = false;
    while let Some(r) = l.strip_prefix(b"runtime/cgo: ") {
        l = r;
        cgo = true;
    }
    if cgo && l.starts_with(b"pthread_create failed") {
        return Some(String::from_utf8_lossy(l).into_owned());
    }
    if l.starts_with(b"panic: ") || l.starts_with(b"fatal error: ") {
        return Some(String::from_utf8_lossy(l).into_owned());
    }
    None
}

fn kernel_line(k: &mut KernelHost, rec: &Record<'_>, line: &[u8], ready: &mut VecDeque<Event>) {
    hung_line(k, rec, line, ready);
    oom_line(k, rec, line, ready);
}

fn hung_line(k: &mut KernelHost, rec: &Record<'_>, line: &[u8], ready: &mut VecDeque<Event>) {
    if let Some((comm, pid, seconds)) = hung_trigger(line) {
        if let Some(p) = k.hung.take() {
            ready.push_back(hung_event(p));
        }
        k.hung = Some(Pending::new(
            Hung {
                comm,
                pid,
                seconds,
                trace: Vec::new(),
                in_trace: false,
                pre_trace: 0,
            },
            rec,
        ));
        return;
    }
    let Some(p) = k.hung.as_mut() else { return };
    let t = trim_start(line);
    if t.starts_with(b"Call Trace:") {
        p.state.in_trace = true;
        p.touch(rec, false);
        return;
    }
    if p.state.in_trace {
        if let Some(frame) = frame(t) {
            if let Some(sym) = frame
                && p.state.trace.len() < MAX_FRAMES
            {
                p.state
                    .trace
                    .push(String::from_utf8_lossy(sym).into_owned());
            }
            p.touch(rec, false);
        } else if is_trace_furniture(t) {
            p.touch(rec, false);
        } else if let Some(p) = k.hung.take() {
            ready.push_back(hung_event(p));
        }
    } else {
        p.state.pre_trace += 1;
        if p.state.pre_trace > MAX_PRE_TRACE {
            if let Some(p) = k.hung.take() {
                ready.push_back(hung_event(p));
            }
        } else {
            p.touch(rec, false);
        }
    }
}

fn hung_event(p: Pending<Hung>) -> Event {
    let s = &p.state;
    let kind = EventKind::HungTask {
        comm: s.comm.clone(),
        pid: s.pid,
        seconds: s.seconds,
        trace: s.trace.clone(),
    };
    p.into_event(kind)
}

/// `INFO: task dockerd:3946 blocked for more than 120 seconds.` → (comm, pid, seconds).
fn hung_trigger(line: &[u8]) -> Option<(String, u32, u32)> {
    static TASK: LazyLock<Finder<'static>> = LazyLock::new(|| Finder::new(b"task "));
    let at = TASK.find(line)?;
    if !line[..at].ends_with(b"INFO: ") {
        return None;
    }
    let rest = &line[at + 5..];
    let blocked = memchr::memmem::find(rest, b" blocked for more than ")?;
    let who = &rest[..blocked];
    let colon = memchr::memrchr(b':', who)?;
    let (pid, n) = digits_var(&who[colon + 1..])?;
    if n != who.len() - colon - 1 || colon == 0 {
        return None;
    }
    let secs = digits_var(&rest[blocked + 23..]).map_or(0, |(s, _)| s);
    Some((
        String::from_utf8_lossy(&who[..colon]).into_owned(),
        u32::try_from(pid).ok()?,
        u32::try_from(secs).unwrap_or(u32::MAX),
    ))
}

fn trim_start(b: &[u8]) -> &[u8] {
    let n = b.iter().take_while(|c| c.is_ascii_whitespace()).count();
    &b[n..]
}

/// A stack frame line: `Some(Some(sym))` for a reliable frame, `Some(None)` for an unreliable
/// `? sym` one, `None` when the line is not a frame. Old kernels prefix `[<ffffffff…>] `.
fn frame(t: &[u8]) -> Option<Option<&[u8]>> {
    let mut t = t;
    if let Some(r) = t.strip_prefix(b"[<") {
        let close = memchr::memmem::find(r, b">]")?;
        t = trim_start(&r[close + 2..]);
    }
    let unreliable = t.starts_with(b"? ");
    if unreliable {
        t = &t[2..];
    }
    let plus = memchr::memchr(b'+', t)?;
    let sym = &t[..plus];
    let off = &t[plus + 1..];
    let ok = !sym.is_empty()
        && sym
            .iter()
            .all(|&c| c.is_ascii_alphanumeric() || c == b'_' || c == b'.')
        && off.starts_with(b"0x")
        && memchr::memchr(b'/', off).is_some();
    if !ok {
        return None;
    }
    Some(if unreliable { None } else { Some(sym) })
}

/// Lines inside a call trace that are not frames: `<TASK>`, register dumps, `Code:`.
fn is_trace_furniture(t: &[u8]) -> bool {
    const STARTS: &[&[u8]] = &[
        b"<TASK>", b"</TASK>", b"<IRQ>", b"</IRQ>", b"RIP:", b"RSP:", b"RAX:", b"RDX:", b"RBP:",
        b"R10:", b"R13:", b"Code:",
    ];
    STARTS.iter().any(|s| t.starts_with(s))
}

fn oom_line(k: &mut KernelHost, rec: &Record<'_>, line: &[u8], ready: &mut VecDeque<Event>) {
    static INVOKED: LazyLock<Finder<'static>> =
        LazyLock::new(|| Finder::new(b" invoked oom-killer:"));
    if let Some(at) = INVOKED.find(line) {
        if let Some(p) = k.oom.take() {
            push_oom(p, ready);
        }
        let state = Oom {
            invoker: Some(String::from_utf8_lossy(&line[..at]).into_owned()),
            ..Oom::default()
        };
        k.oom = Some(Pending::new(state, rec));
        return;
    }
    if let Some(rest) = line.strip_prefix(b"Task in ") {
        if let Some(p) = k.oom.as_mut() {
            let path =
                &rest[..memchr::memmem::find(rest, b" killed as a result").unwrap_or(rest.len())];
            p.state.memcg = true;
            p.state.task_memcg = Some(String::from_utf8_lossy(path).into_owned());
            p.touch(rec, true);
        }
        return;
    }
    if let Some(kv) = line.strip_prefix(b"oom-kill:") {
        let p = k
            .oom
            .get_or_insert_with(|| Pending::new(Oom::default(), rec));
        for part in kv.split(|&c| c == b',') {
            let (key, val) = match memchr::memchr(b'=', part) {
                Some(e) => (&part[..e], &part[e + 1..]),
                None => (part, &[][..]),
            };
            let val_s = || String::from_utf8_lossy(val).into_owned();
            match key {
                b"constraint" => p.state.memcg = val == b"CONSTRAINT_MEMCG",
                b"global_oom" => p.state.memcg = false,
                b"task_memcg" => p.state.task_memcg = Some(val_s()),
                b"cpuset" => p.state.cpuset = Some(val_s()),
                b"task" if p.state.victim_comm.is_none() => p.state.victim_comm = Some(val_s()),
                b"pid" if p.state.victim_pid.is_none() => {
                    p.state.victim_pid = digits_var(val).and_then(|(v, _)| u32::try_from(v).ok())
                }
                _ => {}
            }
        }
        p.touch(rec, true);
        return;
    }
    let memcg_prefix = line.starts_with(b"Memory cgroup out of memory: ");
    let global_prefix = line.starts_with(b"Out of memory: ");
    let body = if memcg_prefix {
        &line[29..]
    } else if global_prefix {
        &line[15..]
    } else {
        line
    };
    if let Some(r) = body.strip_prefix(b"Kill process ") {
        if let Some(p) = k.oom.as_ref()
            && p.state.decided
        {
            // A second decision without `Killed process`: the first report is done.
            if let Some(p) = k.oom.take() {
                push_oom(p, ready);
            }
        }
        let p = k
            .oom
            .get_or_insert_with(|| Pending::new(Oom::default(), rec));
        if let Some((pid, comm)) = victim(r) {
            p.state.victim_pid = Some(pid);
            p.state.victim_comm = Some(comm);
        }
        p.state.memcg |= memcg_prefix;
        p.state.decided = true;
        p.touch(rec, true);
        return;
    }
    if let Some(r) = body.strip_prefix(b"Killed process ") {
        let mut p = k
            .oom
            .take()
            .unwrap_or_else(|| Pending::new(Oom::default(), rec));
        if let Some((pid, comm)) = victim(r) {
            p.state.victim_pid = Some(pid);
            p.state.victim_comm = Some(comm);
        }
        p.state.memcg |= memcg_prefix;
        if let Some(at) = memchr::memmem::find(r, b"anon-rss:") {
            p.state.anon_rss_kb = digits_var(&r[at + 9..]).map(|(v, _)| v);
        }
        p.touch(rec, true);
        push_oom(p, ready);
        return;
    }
    if let Some(p) = k.oom.as_mut() {
        if line.starts_with(b"memory: usage ") || line.starts_with(b"Memory cgroup stats for ") {
            p.state.memcg = true;
        }
        if p.state.decided {
            // Old kernels: the decision line without a `Killed process` line after it.
            if let Some(p) = k.oom.take() {
                push_oom(p, ready);
            }
        } else {
            p.touch(rec, false);
        }
    }
}

/// `N (comm) …` → pid and comm, where comm runs to the last `)` before `score`/`total-vm:`.
fn victim(r: &[u8]) -> Option<(u32, String)> {
    let (pid, n) = digits_var(r)?;
    let rest = r.get(n..)?.strip_prefix(b" (")?;
    let limit = memchr::memmem::find(rest, b" score ")
        .or_else(|| memchr::memmem::find(rest, b"total-vm:"))
        .unwrap_or(rest.len());
    let close = memchr::memrchr(b')', &rest[..limit])?;
    Some((
        u32::try_from(pid).ok()?,
        String::from_utf8_lossy(&rest[..close]).into_owned(),
    ))
}

fn push_oom(p: Pending<Oom>, ready: &mut VecDeque<Event>) {
    let Some(comm) = p.state.victim_comm.clone() else {
        return;
    };
    let s = &p.state;
    let path = s
        .task_memcg
        .as_deref()
        .or(s.cpuset.as_deref())
        .unwrap_or("");
    let kind = EventKind::OomKill {
        memcg: s.memcg,
        victim_pid: s.victim_pid,
        victim_comm: comm,
        invoker: s.invoker.clone(),
        task_memcg: s.task_memcg.clone(),
        container_id: container_id_from_cgroup(path)
            .or_else(|| s.cpuset.as_deref().and_then(container_id_from_cgroup)),
        pod_uid: pod_uid_from_cgroup(path),
        anon_rss_kb: s.anon_rss_kb,
    };
    ready.push_back(p.into_event(kind));
}

fn is_hex64(b: &[u8]) -> bool {
    b.len() == 64 && b.iter().all(|c| c.is_ascii_hexdigit())
}

/// The container id (64 hex) in a cgroup path: a `docker-<id>.scope`,
/// `cri-containerd-<id>.scope` or `crio-<id>.scope` component, or a bare 64-hex component
/// (`/kubepods/burstable/pod<uid>/<id>`, `/docker/<id>`).
pub fn container_id_from_cgroup(path: &str) -> Option<String> {
    path.split('/').rev().find_map(|comp| {
        let c = comp.strip_suffix(".scope").unwrap_or(comp);
        let id = c.rsplit('-').next().unwrap_or(c);
        is_hex64(id.as_bytes()).then(|| id.to_string())
    })
}

/// The pod uid in a cgroup path, with dashes: cgroupfs `pod<uid>` or systemd
/// `kubepods-<qos>-pod<uid_with_underscores>.slice`.
pub fn pod_uid_from_cgroup(path: &str) -> Option<String> {
    path.split('/').rev().find_map(|comp| {
        let c = comp.strip_suffix(".slice").unwrap_or(comp);
        let at = c.rfind("pod")?;
        let uid = c[at + 3..].replace('_', "-");
        let ok = uid.len() == 36
            && uid.bytes().enumerate().all(|(i, b)| {
                if matches!(i, 8 | 13 | 18 | 23) {
                    b == b'-'
                } else {
                    b.is_ascii_hexdigit()
                }
            });
        ok.then_some(uid)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::base::Format;
    use crate::parse::records;

    const CID: &str = "8f2b6c1d9e0a4b3c2d1e0f9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d3e2f1a0b9c";
    const UID: &str = "0f5c8a2e-7b1d-11e8-9c2d-0a1b2c3d4e5f";

    /// The memchr line split gives exactly what a byte split gives: empty message, final
    /// newline, CRLF lines (a journal message with continuation lines, journalctl(1)).
    #[test]
    fn split_lines_matches_byte_split() {
        for msg in [
            &b""[..],
            b"\n",
            b"one",
            b"one\n",
            b"panic: x\n\ngoroutine 1 [running]:\r\nmain.main()",
        ] {
            let want: Vec<&[u8]> = msg.split(|&b| b == b'\n').collect();
            let got: Vec<&[u8]> = split_lines(msg).collect();
            assert_eq!(got, want, "{:?}", String::from_utf8_lossy(msg));
        }
    }

    proptest::proptest! {
        #[test]
        fn split_lines_matches_byte_split_on_any_bytes(
            msg in proptest::collection::vec(proptest::sample::select(vec![b'\n', b'\r', b'a', b' ']), 0..40)
        ) {
            let want: Vec<&[u8]> = msg.split(|&b| b == b'\n').collect();
            let got: Vec<&[u8]> = split_lines(&msg).collect();
            proptest::prop_assert_eq!(got, want);
        }
    }

    fn assemble(format: Format, data: &[u8]) -> Vec<Event> {
        let mut a = EventAssembler::new();
        let mut out = Vec::new();
        for r in records(format, data) {
            out.extend(a.push(&r));
        }
        out.extend(a.finish());
        out
    }

    #[test]
    fn old_kernel_memcg_oom() {
        // 4.4 memcg report shape: runc#1980 (invoker), moby#33192 (Task in … killed as a
        // result of limit), k8s#56891 (Kill process … score / Killed process).
        let p = format!("/kubepods/burstable/pod{UID}/{CID}");
        let data = format!(
            "[5193605.100000] runc:[2:INIT] invoked oom-killer: gfp_mask=0x24000c0, order=0, oom_score_adj=998\n\
[5193605.100020] CPU: 3 PID: 20357 Comm: runc:[2:INIT] Not tainted 4.4.0-1013-aws #22-Ubuntu\n\
[5193605.100050] Call Trace:\n\
[5193605.100060]  [<ffffffff813f9513>] dump_stack+0x63/0x90\n\
[5193605.100070]  [<ffffffff811ed8f1>] dump_header+0x5a/0x1c5\n\
[5193605.100080] Task in {p} killed as a result of limit of {p}\n\
[5193605.100090] memory: usage 524288kB, limit 524288kB, failcnt 1423\n\
[5193605.100100] Memory cgroup stats for {p}: cache:0KB rss:524288KB\n\
[5193605.100110] [ pid ]   uid  tgid total_vm      rss nr_ptes nr_pmds swapents oom_score_adj name\n\
[5193605.100120] [20357]     0 20357    70000    10000      30       4        0           998 runc:[2:INIT]\n\
[5193605.100130] Memory cgroup out of memory: Kill process 20357 (runc:[2:INIT]) score 970 or sacrifice child\n\
[5193605.100140] Killed process 20357 (runc:[2:INIT]) total-vm:280000kB, anon-rss:40000kB, file-rss:0kB\n\
[5193605.200000] eth0: renamed from veth1234\n"
        );
        let ev = assemble(Format::Dmesg, data.as_bytes());
        assert_eq!(ev.len(), 1);
        let e = &ev[0];
        assert_eq!(
            e.kind,
            EventKind::OomKill {
                memcg: true,
                victim_pid: Some(20357),
                victim_comm: "runc:[2:INIT]".into(),
                invoker: Some("runc:[2:INIT]".into()),
                task_memcg: Some(p.clone()),
                container_id: Some(CID.into()),
                pod_uid: Some(UID.into()),
                anon_rss_kb: Some(40000),
            }
        );
        assert_eq!((e.first_line, e.last_line, e.first_offset), (1, 12, 0));
        assert_eq!(e.lines, vec![1, 6, 11, 12]);
        assert_eq!(e.time, RawTime::Monotonic(5_193_605_100_000));
    }

    #[test]
    fn new_kernel_memcg_oom_systemd_slice_interleaved() {
        // containerd#8893 / istio#42734 shapes: oom-kill summary line and systemd slice path.
        let us = UID.replace('-', "_");
        let memcg = format!(
            "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod{us}.slice/docker-{CID}.scope"
        );
        let data = format!(
            "Mar 10 08:00:01 node1 kernel: dd invoked oom-killer: gfp_mask=0xcc0(GFP_KERNEL), order=0, oom_score_adj=-997\n\
Mar 10 08:00:01 node1 kernel: CPU: 1 PID: 38287 Comm: dd Not tainted 5.10.0-21-amd64 #1 Debian 5.10.162-1\n\
Mar 10 08:00:01 node1 kubelet[800]: I0310 08:00:01.000000     800 kubelet.go:1] unrelated\n\
Mar 10 08:00:01 node1 kernel: Call Trace:\n\
Mar 10 08:00:01 node1 kernel:  dump_stack+0x6b/0x83\n\
Mar 10 08:00:01 node1 kernel: oom-kill:constraint=CONSTRAINT_MEMCG,nodemask=(null),cpuset=docker-{CID}.scope,mems_allowed=0,oom_memcg={memcg},task_memcg={memcg},task=dd,pid=38287,uid=0\n\
Mar 10 08:00:01 node1 kubelet[800]: I0310 08:00:01.000001     800 kubelet.go:2] unrelated\n\
Mar 10 08:00:01 node1 kernel: Memory cgroup out of memory: Killed process 38287 (dd) total-vm:21724kB, anon-rss:10240kB, file-rss:1000kB, shmem-rss:0kB, UID:0 pgtables:60kB oom_score_adj:-997\n"
        );
        let ev = assemble(Format::JournalShort, data.as_bytes());
        assert_eq!(ev.len(), 1);
        assert_eq!(
            ev[0].kind,
            EventKind::OomKill {
                memcg: true,
                victim_pid: Some(38287),
                victim_comm: "dd".into(),
                invoker: Some("dd".into()),
                task_memcg: Some(memcg),
                container_id: Some(CID.into()),
                pod_uid: Some(UID.into()),
                anon_rss_kb: Some(10240),
            }
        );
        assert_eq!((ev[0].first_line, ev[0].last_line), (1, 8));
        assert_eq!(ev[0].lines, vec![1, 6, 8]);
    }

    #[test]
    fn global_oom_in_kern_log() {
        // docker/for-linux#1001 (kern.log with inner printk time), dyrnq/install-docker#14.
        let data = b"May 15 23:09:30 host kernel: [  518.040000] python3 invoked oom-killer: gfp_mask=0x100cca(GFP_HIGHUSER_MOVABLE), order=0, oom_score_adj=0\n\
May 15 23:09:30 host kernel: [  518.050000] oom-kill:constraint=CONSTRAINT_NONE,nodemask=(null),cpuset=/,mems_allowed=0,global_oom,task_memcg=/user.slice/user-1000.slice/session-3.scope,task=python3,pid=15784,uid=1000\n\
May 15 23:09:30 host kernel: [  518.050606] Out of memory: Killed process 15784 (python3) total-vm:11968kB, anon-rss:4288kB, file-rss:3972kB, shmem-rss:0kB, UID:1000 pgtables:60kB oom_score_adj:0\n\
May 15 23:09:30 host kernel: [  518.060000] oom_reaper: reaped process 15784 (python3), now anon-rss:0kB, file-rss:0kB, shmem-rss:0kB\n";
        let ev = assemble(Format::Syslog, data);
        assert_eq!(ev.len(), 1);
        assert_eq!(
            ev[0].kind,
            EventKind::OomKill {
                memcg: false,
                victim_pid: Some(15784),
                victim_comm: "python3".into(),
                invoker: Some("python3".into()),
                task_memcg: Some("/user.slice/user-1000.slice/session-3.scope".into()),
                container_id: None,
                pod_uid: None,
                anon_rss_kb: Some(4288),
            }
        );
        assert_eq!(ev[0].lines, vec![1, 2, 3]);
    }

    #[test]
    fn lone_decision_line_is_an_event() {
        // k8s#56891 `dmesg -T` excerpt: only the decision line survived.
        let data = b"[Thu Dec  7 00:05:15 2017] Memory cgroup out of memory: Kill process 20357 (runc:[2:INIT]) score 970 or sacrifice child\n[Thu Dec  7 00:05:16 2017] eth0: link up\n[Thu Dec  7 00:06:00 2017] Memory cgroup out of memory: Kill process 24572 (java) score 0 or sacrifice child\n";
        let ev = assemble(Format::Dmesg, data);
        assert_eq!(ev.len(), 2);
        let comms: Vec<_> = ev
            .iter()
            .map(|e| match &e.kind {
                EventKind::OomKill {
                    victim_comm,
                    victim_pid,
                    memcg,
                    ..
                } => (victim_comm.clone(), *victim_pid, *memcg),
                other => panic!("{other:?}"),
            })
            .collect();
        assert_eq!(
            comms,
            vec![
                ("runc:[2:INIT]".to_string(), Some(20357), true),
                ("java".to_string(), Some(24572), true)
            ]
        );
        assert_eq!((ev[0].first_line, ev[1].first_line), (1, 3));
    }

    #[test]
    fn hung_task_with_interleaved_kubelet_lines() {
        // moby#44552 (4.19 hung dockerd), new-style frames without addresses.
        let data = b"Dec 01 10:00:00 node1 kernel: INFO: task dockerd:3946 blocked for more than 120 seconds.\n\
Dec 01 10:00:00 node1 kernel:       Tainted: G           O      4.19.262-pc64 #1\n\
Dec 01 10:00:00 node1 kernel: \"echo 0 > /proc/sys/kernel/hung_task_timeout_secs\" disables this message.\n\
Dec 01 10:00:00 node1 kubelet[1545]: E1201 10:00:00.100000    1545 generic.go:205] PLEG is not healthy\n\
Dec 01 10:00:00 node1 kernel: dockerd         D    0  3946      1 0x00000080\n\
Dec 01 10:00:00 node1 kernel: Call Trace:\n\
Dec 01 10:00:00 node1 kernel:  __schedule+0x2a2/0x870\n\
Dec 01 10:00:00 node1 kernel:  ? __switch_to_asm+0x41/0x70\n\
Dec 01 10:00:00 node1 kernel:  schedule+0x28/0x80\n\
Dec 01 10:00:00 node1 kubelet[1545]: I1201 10:00:00.200000    1545 kubelet.go:1] still syncing\n\
Dec 01 10:00:00 node1 kernel:  rwsem_down_write_failed+0x15e/0x350\n\
Dec 01 10:00:00 node1 kernel:  copy_net_ns+0xa0/0x140\n\
Dec 01 10:00:01 node1 kernel: IPv6: ADDRCONF(NETDEV_UP): eth0: link is not ready\n";
        let ev = assemble(Format::JournalShort, data);
        assert_eq!(ev.len(), 1);
        assert_eq!(
            ev[0].kind,
            EventKind::HungTask {
                comm: "dockerd".into(),
                pid: 3946,
                seconds: 120,
                trace: vec![
                    "__schedule".into(),
                    "schedule".into(),
                    "rwsem_down_write_failed".into(),
                    "copy_net_ns".into()
                ],
            }
        );
        assert_eq!((ev[0].first_line, ev[0].last_line), (1, 12));
        assert_eq!(ev[0].lines, vec![1]);
    }

    #[test]
    fn hung_task_names_and_old_frames() {
        // NPD kernel-monitor `task [\S ]+:\w+ blocked`; kworker names hold `/` and `:`.
        assert_eq!(
            hung_trigger(b"INFO: task kworker/62:2:79174 blocked for more than 120 seconds."),
            Some(("kworker/62:2".into(), 79174, 120))
        );
        assert_eq!(
            frame(b"[<ffffffff816a94e9>] schedule+0x29/0x70"),
            Some(Some(&b"schedule"[..]))
        );
        assert_eq!(frame(b"? __switch_to_asm+0x41/0x70"), Some(None));
        assert_eq!(frame(b"eth0: link is not ready"), None);
        let data = b"[  600.1] INFO: task umount.aufs:2001 blocked for more than 600 seconds.\n[  600.2] Call Trace:\n[  600.3]  [<ffffffff816a94e9>] schedule+0x29/0x70\n[  600.4]  [<ffffffff8124a1b2>] aufs_umount+0x12/0x30 [aufs]\n";
        let ev = assemble(Format::Dmesg, data);
        assert_eq!(ev.len(), 1);
        match &ev[0].kind {
            EventKind::HungTask {
                comm,
                seconds,
                trace,
                ..
            } => {
                assert_eq!((comm.as_str(), *seconds), ("umount.aufs", 600));
                assert_eq!(
                    trace,
                    &vec!["schedule".to_string(), "aufs_umount".to_string()]
                );
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(ev[0].last_line, 4);
    }

    #[test]
    fn runc_pthread_create_crash_with_syslog_prefixes() {
        // Seed 002 shape; line texts from golang/go#37006 and moby#20096 (prefix on every line).
        let data = b"Feb  7 23:47:21 node1 runc[4242]: runtime/cgo: pthread_create failed: Resource temporarily unavailable\n\
Feb  7 23:47:21 node1 runc[4242]: SIGABRT: abort\n\
Feb  7 23:47:21 node1 dockerd[900]: time=\"2020-02-07T23:47:21.1Z\" level=error msg=\"stream copy error: reading from a closed fifo\"\n\
Feb  7 23:47:21 node1 runc[4242]: PC=0x6bc0a8 m=0 sigcode=18446744073709551610\n\
Feb  7 23:47:21 node1 runc[4242]:\n\
Feb  7 23:47:21 node1 runc[4242]: goroutine 0 [idle]:\n\
Feb  7 23:47:21 node1 runc[4242]: runtime: unknown pc 0x6bc0a8\n\
Feb  7 23:47:21 node1 runc[4242]: goroutine 1 [running, locked to thread]:\n\
Feb  7 23:47:21 node1 runc[4242]: runtime.systemstack_switch()\n\
Feb  7 23:47:21 node1 runc[4242]:         /usr/local/go/src/runtime/asm_amd64.s:311 fp=0xc42004c770 sp=0xc42004c768\n\
Feb  7 23:47:22 node1 runc[4250]: time=\"2020-02-07T23:47:22Z\" level=info msg=\"next run\"\n";
        let mut a = EventAssembler::new();
        let mut done = Vec::new();
        for r in records(Format::Syslog, data) {
            if let Some(e) = a.push(&r) {
                done.push((r.line, e));
            }
        }
        assert!(a.finish().is_empty());
        assert_eq!(done.len(), 1);
        let (at, e) = &done[0];
        assert_eq!(*at, 11, "completed by the next pid of runc");
        assert_eq!(
            e.kind,
            EventKind::GoCrash {
                program: "runc".into(),
                pid: Some(4242),
                reason: "pthread_create failed: Resource temporarily unavailable".into(),
                goroutines: 2,
            }
        );
        assert_eq!((e.first_line, e.last_line), (1, 10));
        assert_eq!(e.lines, vec![1, 2, 4, 6]);
    }

    #[test]
    fn go_crash_ends_when_its_output_stops() {
        // fatal error shape from formats-and-crates §1.6, inside the journal.
        let data = b"Jan 10 10:00:00 n containerd[77]: fatal error: concurrent map writes\n\
Jan 10 10:00:00 n containerd[77]: goroutine 12 [running]:\n\
Jan 10 10:00:03 n kubelet[5]: E0110 10:00:03.000000       5 a.go:1] still here\n\
Jan 10 10:00:09 n kubelet[5]: E0110 10:00:09.000000       5 a.go:1] runtime down\n";
        let mut a = EventAssembler::new();
        let got: Vec<_> = records(Format::JournalShort, data)
            .map(|r| (r.line, a.push(&r).is_some()))
            .collect();
        assert_eq!(got, vec![(1, false), (2, false), (3, false), (4, true)]);
        assert!(a.finish().is_empty());
    }

    #[test]
    fn go_panic_inside_a_plain_log_and_doubled_prefix() {
        // golang/go#24484 doubles the cgo prefix; a dockerd.log panic has no prefix at all.
        assert_eq!(
            go_trigger(b"runtime/cgo: runtime/cgo: pthread_create failed: Resource temporarily unavailable"),
            Some("pthread_create failed: Resource temporarily unavailable".into())
        );
        let data = b"time=\"2021-05-12T09:08:40Z\" level=info msg=\"up\"\npanic: assignment to entry in nil map\n\ngoroutine 1 [running]:\nmain.main()\n\t/src/main.go:5 +0x4c\ntime=\"2021-05-12T09:08:41Z\" level=info msg=\"restarted\"\n";
        let ev = assemble(Format::Logrus, data);
        assert_eq!(ev.len(), 1);
        assert_eq!(
            ev[0].kind,
            EventKind::GoCrash {
                program: "unknown".into(),
                pid: None,
                reason: "panic: assignment to entry in nil map".into(),
                goroutines: 1,
            }
        );
        assert_eq!((ev[0].first_line, ev[0].last_line), (2, 6));
    }

    #[test]
    fn cgroup_ids() {
        assert_eq!(
            container_id_from_cgroup(&format!(
                "/kubepods.slice/x.slice/cri-containerd-{CID}.scope"
            )),
            Some(CID.into())
        );
        assert_eq!(
            container_id_from_cgroup(&format!("/docker/{CID}")),
            Some(CID.into())
        );
        assert_eq!(
            container_id_from_cgroup("/system.slice/docker.service"),
            None
        );
        assert_eq!(
            pod_uid_from_cgroup(&format!("/kubepods/besteffort/pod{UID}/{CID}")),
            Some(UID.into())
        );
        assert_eq!(pod_uid_from_cgroup("/kubepods/podnotauid"), None);
    }
}
