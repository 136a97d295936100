//! The driver: the walker's sink, which hands every member to the rayon pool (a streamed log in
//! pieces), bounds the bytes in flight and the time spent, and collects what each member gave.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Condvar, Mutex};
use std::time::{Duration, Instant};

use super::chunk::chunkable;
use super::member::{PendingEvent, Span, analyse_member};
use super::records::{Hold, RecordSpec};
use super::{CancelToken, Options, Progress, ProgressFn, stream};
use crate::base::Format;
use crate::error::{Error, Result};
use crate::input::{self, Bundle, InputInfo, Limits, Member, Warning};
use crate::model::host::HostBuilder;
use crate::model::time::ClockBuilder;
use crate::parse;
use crate::rules::engine::{Engine, MemberHits};
use crate::stacks;

#[derive(Debug, Default)]
pub(super) struct Counters {
    pub(super) members: u64,
    pub(super) records: u64,
    pub(super) bytes: u64,
    pub(super) spans: Vec<Span>,
}

/// What one host gives: its inputs, its host state and its clock. Every container input
/// (a directory, an archive: a sosreport) is one host; the loose files together are one.
#[derive(Default)]
pub(super) struct HostSlot {
    /// Bundle indices of its inputs.
    pub(super) inputs: Vec<usize>,
    /// The slot of the loose files.
    pub(super) loose: bool,
    pub(super) host: HostBuilder,
    pub(super) clock: ClockBuilder,
}

#[derive(Default)]
pub(super) struct State {
    pub(super) members: Vec<String>,
    /// The bundle index of each member's input.
    pub(super) member_inputs: Vec<usize>,
    pub(super) hits: Vec<MemberHits>,
    pub(super) events: Vec<PendingEvent>,
    /// Dumps with the index of the member they were found in.
    pub(super) dumps: Vec<(usize, String, stacks::Analysis)>,
    /// The hosts, in the order their first member was seen.
    pub(super) hosts: Vec<HostSlot>,
    /// (bundle index of an input, its slot in `hosts`).
    pub(super) slot_of: Vec<(usize, usize)>,
    /// Bundle indices of the inputs that are containers ([`input::Sink::container`]).
    pub(super) containers: Vec<usize>,
    pub(super) warnings: Vec<Warning>,
    pub(super) stats: Counters,
    /// Members in which something was recognised: a headed log record, a goroutine, a
    /// host-state table, a clock file.
    pub(super) recognised: u64,
    /// Members no parser wanted, and their bytes.
    pub(super) skipped: u64,
    pub(super) skipped_bytes: u64,
    /// What log members hold for the timeline, when one is built.
    pub(super) held: Hold,
}

impl State {
    /// Registers a member of input `input`; returns its index.
    pub(super) fn push_member(&mut self, path: &str, input: usize) -> usize {
        self.members.push(path.to_string());
        self.member_inputs.push(input);
        self.slot_index(input);
        self.members.len() - 1
    }

    /// The slot of input `input`, made on first use: its own for a container, the shared one
    /// of the loose files otherwise.
    pub(super) fn slot_index(&mut self, input: usize) -> usize {
        if let Some(&(_, s)) = self.slot_of.iter().find(|(i, _)| *i == input) {
            return s;
        }
        let loose = !self.containers.contains(&input);
        let s = match self.hosts.iter().position(|h| loose && h.loose) {
            Some(s) => s,
            None => {
                self.hosts.push(HostSlot {
                    loose,
                    ..HostSlot::default()
                });
                self.hosts.len() - 1
            }
        };
        self.hosts[s].inputs.push(input);
        self.slot_of.push((input, s));
        s
    }

    /// The host of input `input`.
    pub(super) fn slot(&mut self, input: usize) -> &mut HostSlot {
        let s = self.slot_index(input);
        &mut self.hosts[s]
    }

    /// The host of member `idx`.
    pub(super) fn member_slot(&mut self, idx: usize) -> &mut HostSlot {
        let input = self.member_inputs.get(idx).copied().unwrap_or_default();
        self.slot(input)
    }
}

pub(super) struct Collected {
    pub(super) inputs: Vec<InputInfo>,
    pub(super) state: State,
    pub(super) partial: bool,
}

/// Bounds the bytes of members in flight: the walker waits while workers catch up.
pub(super) struct Budget {
    pub(super) used: Mutex<u64>,
    pub(super) freed: Condvar,
    pub(super) cap: u64,
}

impl Budget {
    pub(super) fn take(&self, n: u64) {
        let mut used = self.used.lock().unwrap_or_else(|e| e.into_inner());
        // A member larger than the cap still goes through, alone.
        while *used > 0 && *used + n > self.cap {
            used = self.freed.wait(used).unwrap_or_else(|e| e.into_inner());
        }
        *used += n;
    }

    pub(super) fn give(&self, n: u64) {
        let mut used = self.used.lock().unwrap_or_else(|e| e.into_inner());
        *used = used.saturating_sub(n);
        self.freed.notify_all();
    }
}

pub(super) fn collect(
    bundle: &Bundle,
    opts: &Options,
    engine: &Engine,
    split: Split,
    records: Option<&RecordSpec>,
) -> Result<Collected> {
    let state = Mutex::new(State {
        held: Hold::new(records.map_or(0, |r| r.hold_max)),
        ..State::default()
    });
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
            records,
        };
        input::walk(bundle, &opts.limits, parse::SNIFFERS, &mut sink)
    })?;
    let partial = deadline.hit.load(Ordering::Relaxed);
    let mut state = state.into_inner().unwrap_or_else(|e| e.into_inner());
    if state.recognised == 0 && (state.skipped > 0 || state.stats.members > 0) && !partial {
        // Say so rather than report a clean bill of health for bytes nothing could read.
        let path = inputs.first().map(|i| i.path.clone()).unwrap_or_default();
        let mut what = Vec::new();
        if state.stats.members > 0 {
            what.push(format!(
                "{} member(s) of text without a log line",
                state.stats.members
            ));
        }
        if state.skipped > 0 || state.stats.members == 0 {
            what.push(format!(
                "{} member(s), {} bytes skipped",
                state.skipped, state.skipped_bytes
            ));
        }
        state.warnings.push(Warning::new(
            path,
            format!(
                "nothing was recognised as a log, goroutine dump or host-state file ({})",
                what.join("; ")
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
pub(super) struct Deadline {
    pub(super) at: Option<Instant>,
    /// Cancelled from outside ([`Options::cancel`]): the same stop as a spent budget.
    pub(super) cancel: Option<CancelToken>,
    /// Set once work was left undone because of the deadline.
    pub(super) hit: AtomicBool,
}

impl Deadline {
    pub(super) fn new(timeout: Option<Duration>, cancel: Option<CancelToken>) -> Deadline {
        Deadline {
            at: timeout.map(|t| Instant::now() + t),
            cancel,
            hit: AtomicBool::new(false),
        }
    }

    /// True once the budget is spent or the analysis was cancelled.
    pub(super) fn passed(&self) -> bool {
        self.at.is_some_and(|at| Instant::now() > at)
            || self.cancel.as_ref().is_some_and(CancelToken::is_cancelled)
    }

    /// Why work stops: for the one warning that says so.
    pub(super) fn reason(&self) -> &'static str {
        if self.cancel.as_ref().is_some_and(CancelToken::is_cancelled) {
            "analysis cancelled"
        } else {
            "time budget exhausted"
        }
    }

    /// Marks the analysis partial; true the first time, so that one warning says so.
    pub(super) fn mark(&self) -> bool {
        !self.hit.swap(true, Ordering::Relaxed)
    }
}

/// The one warning of a spent time budget, at the member (and offset) where analysis stopped.
pub(super) fn budget_warning(reason: &str, path: &str, offset: Option<u64>) -> Warning {
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
pub(super) struct Dispatch<'s, 'a> {
    pub(super) scope: &'a rayon::Scope<'s>,
    pub(super) engine: &'s Engine,
    pub(super) state: &'s Mutex<State>,
    pub(super) budget: &'s Budget,
    pub(super) deadline: &'s Deadline,
    pub(super) progress: Option<&'a ProgressFn>,
    pub(super) seen: Progress,
    pub(super) limits: &'s Limits,
    pub(super) split: Split,
    /// The member being read in pieces, if any.
    pub(super) stream: Option<stream::Stream>,
    /// Buffers of analysed pieces, for the next ones.
    pub(super) pool: &'s stream::Pool,
    /// What the timeline wants held, when one is built.
    pub(super) records: Option<&'s RecordSpec>,
}

impl<'s> Dispatch<'s, '_> {
    /// False (with a warning the first time) once the time budget is spent.
    pub(super) fn in_time(&mut self, path: &str, offset: Option<u64>) -> bool {
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

    pub(super) fn progress(&mut self, members: u64, bytes: u64) {
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
        let (engine, state, budget, limits, split, deadline, records) = (
            self.engine,
            self.state,
            self.budget,
            self.limits,
            self.split,
            self.deadline,
            self.records,
        );
        self.scope.spawn(move |_| {
            analyse_member(engine, state, limits, member, split, deadline, records);
            budget.give(size);
        });
    }

    fn halted(&self) -> bool {
        self.deadline.hit.load(Ordering::Relaxed)
    }

    /// Waiting for slow input (a pipe, a FIFO) ends with the time budget or a cancellation.
    fn patience(&self) -> input::Patience {
        let p = input::Patience::until(self.deadline.at);
        match self.deadline.cancel.clone() {
            Some(c) => p.or_when(move || c.is_cancelled()),
            None => p,
        }
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
        if entry.truncated && self.deadline.passed() {
            // Cut while waiting for input: the report is partial.
            self.in_time(&entry.path, Some(entry.bytes));
        }
        let mut st = lock(self.state);
        st.skipped += 1;
        st.skipped_bytes += entry.bytes;
        // Unread members still show the layout (`sys/fs/cgroup/unified/…`: cgroup version)
        // and when they were written.
        let slot = st.slot(entry.input);
        slot.host.note_path(&entry.path);
        if let Some(t) = entry.mtime {
            slot.clock.add_mtime(&entry.path, t);
        }
    }

    /// `etc/localtime -> ../usr/share/zoneinfo/Europe/Berlin` names the host zone, even when the
    /// target was not collected (the link dangles inside the bundle).
    fn link(&mut self, link: input::LinkEntry) {
        if link.path == "etc/localtime" {
            if let Some((_, name)) = link.target.split_once("zoneinfo/") {
                lock(self.state).slot(link.input).clock.add_zone_name(name);
            }
        }
    }

    fn container(&mut self, input: usize) {
        lock(self.state).containers.push(input);
    }

    fn warning(&mut self, warning: Warning) {
        lock(self.state).warnings.push(warning);
    }
}

pub(super) fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// How a large log member is cut for parallel analysis.
#[derive(Clone, Copy, Debug)]
pub(super) enum Split {
    /// By size and the number of threads.
    Auto,
    /// Into this many chunks with this much overlap (tests).
    #[cfg_attr(not(test), allow(dead_code))]
    Fixed { chunks: usize, overlap: usize },
    /// Streamed log members in pieces of this size, chunks with this much overlap (tests).
    #[cfg_attr(not(test), allow(dead_code))]
    Stream { piece: usize, overlap: usize },
}
