//! Lock identity, holder inference and the wait-for graph.
//!
//! 1. **Waiters.** A goroutine in a lock-wait state (`semacquire`, `sync.Mutex.Lock`,
//!    `sync.RWMutex.RLock`, `sync.RWMutex.Lock`) is waiting on the lock named by its
//!    `sync.(*Mutex).Lock`/`lockSlow`/`(*RWMutex).Lock`/`RLock` receiver (also under
//!    `internal/sync.`, Go ≥ 1.24). When those frames are inlined (`(...)`) the semaphore
//!    argument of `runtime_SemacquireMutex` (−4), `runtime_SemacquireRWMutexR` (−0xc) or
//!    `runtime_SemacquireRWMutex` (−8) is used, then snapped to the nearest lock address
//!    known from other waiters within 24 bytes. `?` values are used but flagged.
//! 2. **Offset.** The calling frame (first frame outside `sync`/`runtime`) tells where the lock
//!    lives: `k = lock − w` for the closest argument word `w ≤ lock` (k ≤ 512). The most common
//!    `(caller type, k)` among a lock's waiters is kept; `base = lock − k`.
//! 3. **Holder.** Among goroutines not waiting on the lock: a frame of the same receiver type
//!    (or the same plain function) whose first argument is `base` is a *receiver* candidate; a
//!    frame with the lock or base among its arguments is an *argument* candidate. For an
//!    RWMutex, a waiter whose stack has a deeper frame of the same type on `base` already holds
//!    it (*reentrant*: read lock taken twice, or RLock→Lock upgrade). A holder is named only
//!    when exactly one candidate of the strongest kind present remains; otherwise the
//!    candidates are listed and the holder is left unknown.
//! 4. **Graph.** Edges waiter → holder; RLock waiters → pending writers (writers already on
//!    `writerSem`). Strongly connected components of two or more goroutines, and self-loops
//!    (an RLock→Lock upgrade), are deadlocks; a lock's transitive waiters are its waiters and
//!    every goroutine reaching one. Both walks are iterative and linear in the graph
//!    ([`super::graph`]): a dump may be one chain or one cycle of 100 000 goroutines. Channel
//!    waits become soft edges to goroutines that carry the channel address among their
//!    arguments.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::parse::goroutine::{Dump, Frame, FxMap, Goroutine, StateKind};
use crate::stacks::{graph, is_runtime_or_sync};

/// Largest distance between a lock and the struct address its methods receive. Real structs
/// embed their mutex after many fields: libnetwork's `network` has it at +0x1b0 in docker 20.10
/// (`(*network).ID(0xc0015f4700)` → `lockSlow(0xc0015f48b0)`, moby/libnetwork#2632, #2649).
const MAX_OFFSET: u64 = 512;
/// Largest distance between a semaphore and its lock's base address.
const MAX_SEMA_OFFSET: u64 = 24;
/// Candidates kept per lock.
const MAX_CANDIDATES: usize = 20;

/// The lock type.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum LockKind {
    /// `sync.Mutex`.
    Mutex,
    /// `sync.RWMutex`.
    Rwmutex,
}

/// What the holder of a lock is doing, from its top frames and state.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Activity {
    /// Unlinking, reading directories, unmounting (`os.RemoveAll`, `syscall.unlinkat`, …).
    Filesystem,
    /// Waiting on a remote call (gRPC, containerd client, HTTP round trip).
    Rpc,
    /// Blocked on a channel or select.
    Channel,
    /// Running or runnable.
    Runnable,
    /// None of the above.
    Unknown,
}

impl LockKind {
    /// The JSON name.
    pub fn name(self) -> &'static str {
        match self {
            LockKind::Mutex => "mutex",
            LockKind::Rwmutex => "rwmutex",
        }
    }
}

impl Activity {
    /// The JSON name.
    pub fn name(self) -> &'static str {
        match self {
            Activity::Filesystem => "filesystem",
            Activity::Rpc => "rpc",
            Activity::Channel => "channel",
            Activity::Runnable => "runnable",
            Activity::Unknown => "unknown",
        }
    }
}

/// Why a goroutine is a holder candidate.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Reason {
    /// A frame of the waiters' receiver type (or function) on the lock's base address.
    Receiver,
    /// An RWMutex waiter already holding the lock in a deeper frame of the same type.
    Reentrant,
    /// The lock or its base among the arguments of a frame of another type.
    Argument,
}

/// A goroutine that may hold a lock.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct Candidate {
    /// Goroutine id.
    pub id: u64,
    /// Why it is a candidate.
    pub reason: Reason,
    /// The matching frame's function.
    pub frame: String,
    /// Depth of that frame (0 = innermost).
    pub depth: u32,
    /// The candidate's state.
    pub state: String,
    /// Its minutes in that state.
    pub minutes: Option<u32>,
    /// 1-based line of its header.
    pub line: u32,
}

/// One contended lock with its waiters and inferred holder.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct LockInfo {
    /// Lock address, `0x…`.
    pub address: String,
    /// `mutex` or `rwmutex`.
    pub kind: LockKind,
    /// Dump index (a file may hold several dumps; addresses are per process).
    pub dump: u32,
    /// The inferred holder, when exactly one candidate remained.
    pub holder: Option<u64>,
    /// Every candidate considered, strongest first.
    pub holder_candidates: Vec<Candidate>,
    /// Ids of the goroutines waiting on this lock.
    pub waiters: Vec<u64>,
    /// `waiters.len()`.
    pub waiters_total: u64,
    /// Waiters plus everything waiting on them, transitively (holder excluded).
    pub transitive_waiters: u64,
    /// What the holder is doing (`unknown` without a holder).
    pub holder_activity: Activity,
    /// The holder's top frames (functions), innermost first.
    pub holder_top: Vec<String>,
    /// The holder's state.
    pub holder_state: Option<String>,
    /// The holder's minutes in that state.
    pub holder_minutes: Option<u32>,
    /// 1-based header line of the holder.
    pub holder_line: Option<u32>,
    /// Distinct calling functions of the waiters, most frequent first.
    pub waiter_funcs: Vec<String>,
    /// Longest wait among the waiters, in minutes.
    pub max_wait_minutes: Option<u32>,
    /// 1-based header line of the first waiter.
    pub waiter_line: u32,
    /// The receiver type (or function) the waiters call from, and the lock's offset in it.
    pub owner_type: Option<String>,
    /// Lock address minus the struct base the waiters' caller receives.
    pub offset: Option<u64>,
    /// Some address came from a `?` (possibly stale) register-ABI value.
    pub uncertain_address: bool,
    /// Indices of the waiters in [`Dump::goroutines`].
    #[serde(skip)]
    pub waiter_index: Vec<u32>,
    /// Index of the holder in [`Dump::goroutines`].
    #[serde(skip)]
    pub holder_index: Option<u32>,
    /// The holder's whole stack, innermost first, as indices into the analysis's function table
    /// ([`crate::stacks::Analysis::func_names`]); empty without a holder.
    #[serde(skip)]
    pub holder_funcs: Vec<u32>,
}

/// A soft edge: a goroutine blocked on a channel whose address another goroutine carries.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct ChannelEdge {
    /// The blocked goroutine.
    pub from: u64,
    /// The goroutine carrying the channel.
    pub to: u64,
    /// The channel address.
    pub channel: String,
}

/// The lock part of an analysis.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct LockAnalysis {
    /// Contended locks, by transitive waiters descending.
    pub locks: Vec<LockInfo>,
    /// Deadlocked goroutine sets (ids ascending), including self-waits.
    pub deadlocks: Vec<Vec<u64>>,
    /// Channel soft edges.
    pub channel_edges: Vec<ChannelEdge>,
    /// Goroutines in a lock-wait state whose lock address could not be determined.
    pub unresolved_waiters: u64,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Mode {
    Read,
    Write,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum SemaFn {
    Mutex,
    Plain,
    Reader,
    Writer,
}

#[derive(Clone, Debug)]
struct Wait<'a> {
    addr: u64,
    kind: LockKind,
    mode: Mode,
    explicit: bool,
    sema: Option<u64>,
    writer_sem: bool,
    stale: bool,
    caller: Option<usize>,
    caller_func: Option<&'a [u8]>,
    caller_key: Option<&'a [u8]>,
    k: Option<u64>,
}

fn sync_name(func: &[u8]) -> Option<&[u8]> {
    func.strip_prefix(b"internal/sync.")
        .or_else(|| func.strip_prefix(b"sync."))
}

fn frame_key<'a>(f: &Frame<'a>) -> &'a [u8] {
    f.receiver_type().unwrap_or(f.func)
}

/// Which lock `g` waits on, if any. `Err(())` when it is in a lock-wait state but no address
/// can be read.
fn detect<'a>(dump: &Dump<'a>, g: &Goroutine) -> Result<Option<Wait<'a>>, ()> {
    let state = StateKind::of(dump.state(g));
    if !state.is_lock_wait() {
        return Ok(None);
    }
    let mut sema: Option<(u64, SemaFn, bool)> = None;
    let mut explicit: Option<(u64, bool)> = None;
    let mut mutex_frame = false;
    let mut rw = match state {
        StateKind::RwMutexRLock => Some(Mode::Read),
        StateKind::RwMutexLock => Some(Mode::Write),
        _ => None,
    };
    let mut caller = None;
    for (i, f) in dump.frames(g).enumerate().take(16) {
        let first = f.first_arg().and_then(|a| a.value.map(|v| (v, a.stale)));
        match sync_name(f.func) {
            Some(b"runtime_SemacquireMutex") => sema = first.map(|(v, s)| (v, SemaFn::Mutex, s)),
            Some(b"runtime_Semacquire") => sema = first.map(|(v, s)| (v, SemaFn::Plain, s)),
            Some(b"runtime_SemacquireRWMutexR") => {
                sema = first.map(|(v, s)| (v, SemaFn::Reader, s));
            }
            Some(b"runtime_SemacquireRWMutex") => {
                sema = first.map(|(v, s)| (v, SemaFn::Writer, s));
            }
            Some(
                b"runtime_SemacquireWaitGroup"
                | b"(*WaitGroup).Wait"
                | b"(*Cond).Wait"
                | b"runtime_notifyListWait",
            ) => return Ok(None),
            Some(b"(*Mutex).lockSlow" | b"(*Mutex).Lock") => {
                mutex_frame = true;
                if explicit.is_none() {
                    explicit = first;
                }
            }
            Some(b"(*RWMutex).Lock") => {
                rw = Some(Mode::Write);
                if first.is_some() {
                    explicit = first;
                }
            }
            Some(b"(*RWMutex).RLock") => {
                rw = Some(Mode::Read);
                if first.is_some() {
                    explicit = first;
                }
            }
            _ if f.func.starts_with(b"runtime.") => {}
            _ => {
                caller = Some(i);
                break;
            }
        }
    }
    let kind = if rw.is_some() {
        LockKind::Rwmutex
    } else {
        LockKind::Mutex
    };
    let mode = rw.unwrap_or(Mode::Write);
    let (addr, kind, mode, is_explicit, stale) = match (explicit, sema) {
        (Some((a, s)), _) => (a, kind, mode, true, s),
        (None, Some((v, f, s))) => {
            let (off, kind, mode) = match (f, rw) {
                (SemaFn::Reader, _) | (SemaFn::Plain, Some(Mode::Read)) => {
                    (0xc, LockKind::Rwmutex, Mode::Read)
                }
                (SemaFn::Writer, _) | (SemaFn::Plain, Some(Mode::Write)) => {
                    (8, LockKind::Rwmutex, Mode::Write)
                }
                (SemaFn::Mutex, _) => (4, kind, mode),
                (SemaFn::Plain, None) if mutex_frame || state != StateKind::Semacquire => {
                    (4, LockKind::Mutex, Mode::Write)
                }
                (SemaFn::Plain, None) => return Ok(None),
            };
            match v.checked_sub(off) {
                Some(a) => (a, kind, mode, false, s),
                None => return Err(()),
            }
        }
        (None, None) if mutex_frame || rw.is_some() || state != StateKind::Semacquire => {
            return Err(());
        }
        (None, None) => return Ok(None),
    };
    let sema_v = sema.map(|(v, _, _)| v);
    let writer_sem = mode == Mode::Write
        && kind == LockKind::Rwmutex
        && (matches!(sema, Some((_, SemaFn::Writer, _))) || sema_v == addr.checked_add(8));
    let mut w = Wait {
        addr,
        kind,
        mode,
        explicit: is_explicit,
        sema: sema_v,
        writer_sem,
        stale,
        caller,
        caller_func: None,
        caller_key: None,
        k: None,
    };
    if let Some(f) = caller.and_then(|i| dump.frames(g).nth(i)) {
        w.caller_func = Some(f.func);
        w.caller_key = Some(frame_key(&f));
        w.k = f
            .args()
            .take(8)
            .filter_map(|a| a.value)
            .filter_map(|v| addr.checked_sub(v))
            .filter(|&k| k <= MAX_OFFSET)
            .min();
    }
    Ok(Some(w))
}

/// Classifies what a goroutine is doing from its top frames and state.
pub fn activity(dump: &Dump<'_>, g: &Goroutine) -> Activity {
    const FS: &[&[u8]] = &[
        b"syscall.unlinkat",
        b"unix.Unlinkat",
        b"syscall.Getdents",
        b"unix.Getdents",
        b"syscall.Unmount",
        b"unix.Unmount",
        b"syscall.Rmdir",
        b"os.RemoveAll",
        b"os.removeAllFrom",
        b"os.Remove",
    ];
    const RPC: &[&[u8]] = &[
        b"grpc.(*ClientConn).Invoke",
        b"grpc.invoke",
        b"transport.(*Stream).waitOnHeader",
        b"net/http.(*persistConn).roundTrip",
        b"net/http.(*Client).Do",
    ];
    for f in dump.frames(g).take(16) {
        let func = f.func;
        if FS.iter().any(|p| func.ends_with(p)) {
            return Activity::Filesystem;
        }
        // umount2 is syscall 166 (0xa6) on amd64.
        if (func == b"syscall.Syscall" || func == b"syscall.RawSyscall")
            && f.first_arg().and_then(|a| a.value) == Some(0xa6)
        {
            return Activity::Filesystem;
        }
        if RPC.iter().any(|p| memchr::memmem::find(func, p).is_some())
            || func.starts_with(b"github.com/containerd/containerd.(*Client)")
            || func.starts_with(b"github.com/containerd/containerd.(*task)")
            || func.starts_with(b"github.com/containerd/containerd/api/services/")
        {
            return Activity::Rpc;
        }
    }
    match StateKind::of(dump.state(g)) {
        StateKind::ChanReceive | StateKind::ChanSend | StateKind::Select => Activity::Channel,
        StateKind::Running | StateKind::Runnable => Activity::Runnable,
        _ => Activity::Unknown,
    }
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// A candidate while searching: reason, frame depth, frame function.
type CandRec<'a> = (Reason, u32, &'a [u8]);

struct Lock<'a> {
    dump: u32,
    addr: u64,
    kind: LockKind,
    waiters: Vec<u32>,
    key: Option<&'a [u8]>,
    k: Option<u64>,
    stale: bool,
    /// Candidates of goroutines already searched.
    cands: Cands<'a>,
    /// The best candidate record of the goroutine being searched: final once the search
    /// moves on (goroutines are searched in order, each one whole).
    current: Option<(u32, CandRec<'a>)>,
}

impl<'a> Lock<'a> {
    fn base(&self) -> u64 {
        self.addr.saturating_sub(self.k.unwrap_or(0))
    }

    /// Records that goroutine `gi` is a candidate as `rec`; of one goroutine's records the
    /// strongest and shallowest counts.
    fn candidate(&mut self, gi: u32, rec: CandRec<'a>) {
        match &mut self.current {
            Some((g, cur)) if *g == gi => {
                if (rec.0, rec.1) < (cur.0, cur.1) {
                    *cur = rec;
                }
            }
            _ => {
                if let Some((g, cur)) = self.current.replace((gi, rec)) {
                    self.cands.add(g, cur);
                }
            }
        }
    }

    /// Closes the search.
    fn flush(&mut self) {
        if let Some((g, cur)) = self.current.take() {
            self.cands.add(g, cur);
        }
    }
}

/// The holder candidates of a lock, in bounded memory: how many goroutines are candidates for
/// each reason, and the strongest [`MAX_CANDIDATES`] (by reason, frame depth, goroutine
/// order). A lock's base address may be an argument of every goroutine of a dump (a daemon's
/// root object), and up to `MAX_OFFSET` locks share one base: keeping every candidate would
/// cost goroutines × locks.
#[derive(Default)]
struct Cands<'a> {
    /// Candidates per [`Reason`].
    count: [u64; 3],
    /// `(reason, depth, goroutine index, frame function)`, ascending.
    top: Vec<(Reason, u32, u32, &'a [u8])>,
}

impl<'a> Cands<'a> {
    fn add(&mut self, gi: u32, (reason, depth, func): CandRec<'a>) {
        self.count[reason as usize] += 1;
        let key = (reason, depth, gi);
        if self.top.len() >= MAX_CANDIDATES
            && self.top.last().is_some_and(|c| key >= (c.0, c.1, c.2))
        {
            return;
        }
        let at = self.top.partition_point(|c| (c.0, c.1, c.2) < key);
        self.top.insert(at, (reason, depth, gi, func));
        self.top.truncate(MAX_CANDIDATES);
    }

    /// The holder: the one candidate of the strongest reason present, if it is alone.
    fn holder(&self) -> Option<u32> {
        let best = self.top.first()?;
        (self.count[best.0 as usize] == 1).then_some(best.2)
    }
}

/// Finds contended locks, their holders, deadlocks and channel soft edges.
pub fn analyze_locks(dump: &Dump<'_>) -> LockAnalysis {
    let gs = dump.goroutines();
    let mut unresolved = 0u64;
    // Boxed: a few goroutines wait on locks, every goroutine has a slot.
    let mut waits: Vec<Option<Box<Wait<'_>>>> = Vec::with_capacity(gs.len());
    for g in gs {
        match detect(dump, g) {
            Ok(w) => waits.push(w.map(Box::new)),
            Err(()) => {
                unresolved += 1;
                waits.push(None);
            }
        }
    }
    // Snap semaphore-derived addresses onto lock addresses read from explicit frames.
    let known: FxMap<(u32, u64), LockKind> = waits
        .iter()
        .zip(gs)
        .filter_map(|(w, g)| {
            w.as_ref()
                .filter(|w| w.explicit)
                .map(|w| ((g.dump, w.addr), w.kind))
        })
        .collect();
    for (w, g) in waits.iter_mut().zip(gs) {
        let Some(w) = w.as_mut() else { continue };
        if w.explicit {
            continue;
        }
        let Some(s) = w.sema else { continue };
        if let Some((base, kind)) = (0..=MAX_SEMA_OFFSET)
            .filter_map(|d| s.checked_sub(d))
            .find_map(|b| known.get(&(g.dump, b)).map(|k| (b, *k)))
        {
            if kind == LockKind::Rwmutex && w.kind == LockKind::Mutex && s - base == 4 {
                // The inner `w` mutex of an RWMutex: a writer queued behind another writer.
                w.mode = Mode::Write;
            } else if kind == LockKind::Rwmutex {
                w.mode = match s - base {
                    0xc => Mode::Read,
                    _ => Mode::Write,
                };
                w.writer_sem = s - base == 8;
            }
            w.addr = base;
            w.kind = kind;
        }
    }
    // Group waiters by lock.
    let mut index: FxMap<(u32, u64), usize> = FxMap::default();
    let mut locks: Vec<Lock<'_>> = Vec::new();
    let mut waits_on: Vec<Option<u32>> = vec![None; gs.len()];
    for (i, (w, g)) in waits.iter().zip(gs).enumerate() {
        let Some(w) = w else { continue };
        let li = *index.entry((g.dump, w.addr)).or_insert_with(|| {
            locks.push(Lock {
                dump: g.dump,
                addr: w.addr,
                kind: w.kind,
                waiters: Vec::new(),
                key: None,
                k: None,
                stale: false,
                cands: Cands::default(),
                current: None,
            });
            locks.len() - 1
        });
        let l = &mut locks[li];
        if w.kind == LockKind::Rwmutex {
            l.kind = LockKind::Rwmutex;
        }
        l.stale |= w.stale;
        l.waiters.push(i as u32);
        waits_on[i] = Some(li as u32);
    }
    // Learn (caller type, offset) per lock: the most common among its waiters.
    for l in &mut locks {
        let mut counts: FxMap<(&[u8], u64), usize> = FxMap::default();
        for &wi in &l.waiters {
            if let Some(w) = &waits[wi as usize]
                && let (Some(key), Some(k)) = (w.caller_key, w.k)
            {
                *counts.entry((key, k)).or_default() += 1;
            }
        }
        if let Some(((key, k), _)) = counts
            .into_iter()
            .max_by(|a, b| a.1.cmp(&b.1).then(b.0.1.cmp(&a.0.1)).then(b.0.0.cmp(a.0.0)))
        {
            l.key = Some(key);
            l.k = Some(k);
        }
    }
    let chans = channel_waiters(dump);
    let chan_hits = find_candidates(dump, &waits, &waits_on, &mut locks, &chans);
    // Decide holders.
    let mut holders: Vec<Option<u32>> = Vec::with_capacity(locks.len());
    for l in &locks {
        holders.push(l.cands.holder());
    }
    // Wait-for edges, for the deadlocks. An RLock waiter behind pending writers waits on
    // every one of them: through one helper node per lock (`gs.len() + lock`), so `r` readers
    // and `w` writers make `r + w` edges, not `r × w`.
    let real = gs.len() as u32;
    let mut edges: Vec<(u32, u32)> = Vec::new();
    // Each waiter's one successor for the transitive counts: its lock's holder. A reader
    // behind pending writers reaches the holder through them (each writer's only edge goes to
    // the holder), so pointing it at the holder directly changes which goroutines reach
    // whom only for the pending writers, which are waiters of the same lock anyway: every
    // lock keeps the same transitive waiters (`graph::Ancestors::transitive`).
    let mut succ: Vec<u32> = vec![graph::NONE; gs.len()];
    for (li, (l, holder)) in locks.iter().zip(&holders).enumerate() {
        let pending = |wi: u32| {
            waits[wi as usize]
                .as_ref()
                .is_some_and(|w| w.mode == Mode::Write && w.writer_sem)
        };
        let has_pending = l.waiters.iter().any(|&wi| pending(wi));
        let helper = real.saturating_add(li as u32);
        let behind_writers = |wi: u32| {
            has_pending
                && waits[wi as usize]
                    .as_ref()
                    .is_some_and(|w| w.mode == Mode::Read)
        };
        let readers_behind = l.waiters.iter().any(|&wi| behind_writers(wi));
        for &wi in &l.waiters {
            let Some(w) = &waits[wi as usize] else {
                continue;
            };
            if readers_behind && pending(wi) {
                edges.push((helper, wi));
            }
            if behind_writers(wi) {
                edges.push((wi, helper));
                if let Some(h) = *holder {
                    succ[wi as usize] = h;
                }
            } else if let Some(h) = *holder
                && (h != wi || w.mode == Mode::Write)
            {
                edges.push((wi, h));
                succ[wi as usize] = h;
            }
        }
    }
    edges.sort_unstable();
    edges.dedup();
    let deadlocks = deadlocks(gs, &edges, real);
    let reach = graph::Ancestors::new(&succ);
    let mut out = Vec::with_capacity(locks.len());
    for (l, holder) in locks.iter().zip(&holders) {
        let transitive = reach.transitive(&l.waiters, *holder);
        out.push(lock_info(dump, l, *holder, &waits, transitive));
    }
    out.sort_by(|a, b| {
        b.transitive_waiters
            .cmp(&a.transitive_waiters)
            .then(b.waiters_total.cmp(&a.waiters_total))
            .then(a.dump.cmp(&b.dump))
            .then(a.address.cmp(&b.address))
    });
    LockAnalysis {
        locks: out,
        deadlocks,
        channel_edges: channel_edges(dump, &chans, &chan_hits),
        unresolved_waiters: unresolved,
    }
}

/// Goroutines blocked on a channel, by `(dump, channel address)`.
type ChanWaiters = FxMap<(u32, u64), Vec<u32>>;

/// Collects holder candidates of every lock and, in the same pass over the argument words,
/// the first channel of `chans` each goroutine carries (`(goroutine index, channel)`, in
/// goroutine order) for [`channel_edges`].
fn find_candidates<'a>(
    dump: &Dump<'a>,
    waits: &[Option<Box<Wait<'a>>>],
    waits_on: &[Option<u32>],
    locks: &mut [Lock<'a>],
    chans: &ChanWaiters,
) -> Vec<(u32, u64)> {
    let mut hits = Vec::new();
    if locks.is_empty() && chans.is_empty() {
        return hits;
    }
    // Most argument words (small integers, other pointers) fall outside the channels' range.
    let (clo, chi) = chans
        .keys()
        .fold((u64::MAX, 0u64), |(lo, hi), &(_, v)| (lo.min(v), hi.max(v)));
    let mut targets: FxMap<(u32, u64), Vec<u32>> = FxMap::default();
    let (mut lo, mut hi) = (u64::MAX, 0u64);
    for (li, l) in locks.iter().enumerate() {
        for v in [l.addr, l.base()] {
            let e = targets.entry((l.dump, v)).or_default();
            if !e.contains(&(li as u32)) {
                e.push(li as u32);
            }
            lo = lo.min(v);
            hi = hi.max(v);
        }
    }
    for (gi, g) in dump.goroutines().iter().enumerate() {
        let own = waits_on[gi];
        let own_caller = waits[gi].as_ref().and_then(|w| w.caller);
        let mut hit: Option<u64> = None;
        for (depth, f) in dump.frames(g).enumerate() {
            if locks.is_empty() && hit.is_some() {
                break;
            }
            if is_runtime_or_sync(f.func) {
                continue;
            }
            for (pos, a) in f.args().take(16).enumerate() {
                let Some(v) = a.value else { continue };
                if hit.is_none() && (clo..=chi).contains(&v) && chans.contains_key(&(g.dump, v)) {
                    hit = Some(v);
                }
                if v < lo || v > hi {
                    continue;
                }
                let Some(ls) = targets.get(&(g.dump, v)) else {
                    continue;
                };
                for &li in ls {
                    let l = &mut locks[li as usize];
                    let same_type = pos == 0 && v == l.base() && l.key == Some(frame_key(&f));
                    let reason = if own == Some(li) {
                        // Only an RWMutex can be held (read) by one of its own waiters, in a
                        // frame deeper than the one that is waiting.
                        if l.kind != LockKind::Rwmutex
                            || !same_type
                            || own_caller.is_none_or(|c| depth <= c)
                        {
                            continue;
                        }
                        Reason::Reentrant
                    } else if same_type {
                        Reason::Receiver
                    } else {
                        Reason::Argument
                    };
                    l.candidate(gi as u32, (reason, depth as u32, f.func));
                }
            }
        }
        if let Some(v) = hit {
            hits.push((gi as u32, v));
        }
    }
    for l in locks.iter_mut() {
        l.flush();
    }
    hits
}

/// The deadlocked goroutine id sets of `edges` (goroutine indices below `real`, helper nodes
/// above), ids ascending, sets sorted.
fn deadlocks(gs: &[Goroutine], edges: &[(u32, u32)], real: u32) -> Vec<Vec<u64>> {
    let mut out: Vec<Vec<u64>> = graph::deadlocks(edges, real)
        .into_iter()
        .map(|c| {
            let mut ids: Vec<u64> = c
                .iter()
                .filter_map(|&n| gs.get(n as usize).map(|g| g.id))
                .collect();
            ids.sort_unstable();
            ids
        })
        .collect();
    out.sort();
    out
}

fn lock_info(
    dump: &Dump<'_>,
    l: &Lock<'_>,
    holder: Option<u32>,
    waits: &[Option<Box<Wait<'_>>>],
    transitive: u64,
) -> LockInfo {
    let gs = dump.goroutines();
    let holder_candidates = l
        .cands
        .top
        .iter()
        .filter_map(|&(reason, depth, gi, func)| {
            let g = gs.get(gi as usize)?;
            Some(Candidate {
                id: g.id,
                reason,
                frame: text(func),
                depth,
                state: text(dump.state(g)),
                minutes: g.minutes,
                line: g.line,
            })
        })
        .collect();
    let mut funcs: BTreeMap<&[u8], usize> = BTreeMap::new();
    for &wi in &l.waiters {
        if let Some(f) = waits[wi as usize].as_ref().and_then(|w| w.caller_func) {
            *funcs.entry(f).or_default() += 1;
        }
    }
    let mut funcs: Vec<(&[u8], usize)> = funcs.into_iter().collect();
    funcs.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    let hg = holder.and_then(|h| gs.get(h as usize));
    LockInfo {
        address: format!("{:#x}", l.addr),
        kind: l.kind,
        dump: l.dump,
        holder: hg.map(|g| g.id),
        holder_candidates,
        waiters: l
            .waiters
            .iter()
            .filter_map(|&i| gs.get(i as usize))
            .map(|g| g.id)
            .collect(),
        waiters_total: l.waiters.len() as u64,
        transitive_waiters: transitive,
        holder_activity: hg.map_or(Activity::Unknown, |g| activity(dump, g)),
        holder_top: hg
            .map(|g| dump.frames(g).take(8).map(|f| text(f.func)).collect())
            .unwrap_or_default(),
        holder_state: hg.map(|g| text(dump.state(g))),
        holder_minutes: hg.and_then(|g| g.minutes),
        holder_line: hg.map(|g| g.line),
        waiter_funcs: funcs.into_iter().map(|(f, _)| text(f)).collect(),
        max_wait_minutes: l
            .waiters
            .iter()
            .filter_map(|&i| gs.get(i as usize).and_then(|g| g.minutes))
            .max(),
        waiter_line: l
            .waiters
            .first()
            .and_then(|&i| gs.get(i as usize))
            .map_or(0, |g| g.line),
        owner_type: l.key.map(text),
        offset: l.k,
        uncertain_address: l.stale,
        waiter_index: l.waiters.clone(),
        holder_index: holder,
        holder_funcs: Vec::new(),
    }
}

/// Goroutines blocked in `runtime.chanrecv*`/`chansend*`, by the channel they wait on.
fn channel_waiters(dump: &Dump<'_>) -> ChanWaiters {
    let gs = dump.goroutines();
    let mut chans = ChanWaiters::default();
    for (i, g) in gs.iter().enumerate() {
        if !matches!(
            StateKind::of(dump.state(g)),
            StateKind::ChanReceive | StateKind::ChanSend
        ) {
            continue;
        }
        let top = dump.frames(g).take(4).find(|f| {
            matches!(
                f.func,
                b"runtime.chanrecv1" | b"runtime.chanrecv2" | b"runtime.chansend1"
            )
        });
        if let Some(v) = top.and_then(|f| f.first_arg()).and_then(|a| a.value)
            && v != 0
        {
            chans.entry((g.dump, v)).or_default().push(i as u32);
        }
    }
    chans
}

/// Soft edges from goroutines blocked in `runtime.chanrecv*`/`chansend*` to goroutines that
/// carry the same channel address among their (non-runtime) arguments; `hits` are the
/// carriers found by [`find_candidates`].
fn channel_edges(dump: &Dump<'_>, chans: &ChanWaiters, hits: &[(u32, u64)]) -> Vec<ChannelEdge> {
    const MAX_EDGES: usize = 1000;
    let gs = dump.goroutines();
    let mut out = Vec::new();
    for &(gi, v) in hits {
        let Some(g) = gs.get(gi as usize) else {
            continue;
        };
        let waiting = chans.get(&(g.dump, v)).map(Vec::as_slice).unwrap_or(&[]);
        // Waiters are listed in goroutine order: a search, not a scan (100 000 workers
        // receiving from the channel they all carry would make a scan quadratic).
        if waiting.binary_search(&gi).is_ok() {
            // Blocked on the same channel: a fellow waiter, not a counterpart.
            continue;
        }
        for &w in waiting {
            if out.len() >= MAX_EDGES {
                return out;
            }
            if let Some(from) = gs.get(w as usize) {
                out.push(ChannelEdge {
                    from: from.id,
                    to: g.id,
                    channel: format!("{v:#x}"),
                });
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn candidates_are_counted_and_the_strongest_kept() {
        let mut c = Cands::default();
        // 30 goroutines with the lock among their arguments: no holder.
        for gi in 0..30 {
            c.add(gi, (Reason::Argument, 1, b"main.audit"));
        }
        assert_eq!(c.holder(), None);
        // One receiver, deep in its stack: the strongest kind present, alone.
        c.add(40, (Reason::Receiver, 9, b"main.(*Store).Put"));
        assert_eq!(c.holder(), Some(40));
        assert_eq!(c.top.len(), MAX_CANDIDATES);
        let kept: Vec<u32> = c.top.iter().map(|t| t.2).collect();
        let mut want = vec![40];
        want.extend(0..19);
        assert_eq!(kept, want);
        // A second receiver, shallower: listed first, and no holder.
        c.add(41, (Reason::Receiver, 2, b"main.(*Store).Get"));
        assert_eq!(c.holder(), None);
        assert_eq!((c.top[0].2, c.top[1].2), (41, 40));
        assert_eq!(c.count, [2, 0, 30]);
    }

    #[test]
    fn a_goroutines_strongest_record_counts_once() {
        let mut l = Lock {
            dump: 0,
            addr: 0xc000010040,
            kind: LockKind::Mutex,
            waiters: Vec::new(),
            key: None,
            k: None,
            stale: false,
            cands: Cands::default(),
            current: None,
        };
        l.candidate(3, (Reason::Argument, 5, b"main.a"));
        l.candidate(3, (Reason::Receiver, 7, b"main.(*T).b"));
        l.candidate(3, (Reason::Argument, 1, b"main.c"));
        l.candidate(4, (Reason::Argument, 0, b"main.d"));
        l.flush();
        assert_eq!(l.cands.count, [1, 0, 1]);
        let top: Vec<(Reason, u32, u32)> = l.cands.top.iter().map(|t| (t.0, t.1, t.2)).collect();
        assert_eq!(top, [(Reason::Receiver, 7, 3), (Reason::Argument, 0, 4)]);
        assert_eq!(l.cands.holder(), Some(3));
    }
}
