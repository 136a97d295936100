//! Stack analysis of goroutine dumps: buckets of identical stacks, lock identity, holder
//! inference and the mutex wait-for graph.
//!
//! [`analyze`] turns a borrowed [`Dump`] into an owned, serialisable [`Analysis`]; the JSON
//! shape of `nodemortem stacks --format json` is that of [`Analysis`].

use std::collections::BTreeMap;
use std::sync::Arc;

use serde::Serialize;

use crate::parse::goroutine::{CrashKind, Dump, StateKind};

pub mod bucket;
pub mod frames;
pub mod graph;
pub mod locks;

pub use locks::{Activity, Candidate, ChannelEdge, LockInfo, LockKind, Reason};

/// Version of the JSON shape.
pub const SCHEMA_VERSION: u32 = 1;
/// Entries kept in [`Analysis::longest_waits`].
const LONGEST: usize = 10;
/// Frames kept per bucket.
const BUCKET_FRAMES: usize = 64;

/// A frame of a bucket's stack (arguments dropped: they differ between members).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct BucketFrame {
    /// Qualified function name.
    pub func: String,
    /// Source file.
    pub file: String,
    /// Source line.
    pub line: u32,
}

/// Goroutines with identical stacks.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct Bucket {
    /// Number of members.
    pub count: u64,
    /// Their state.
    pub state: String,
    /// Shortest wait among members (minutes; absent when none printed minutes).
    pub min_minutes: Option<u32>,
    /// Longest wait among members.
    pub max_minutes: Option<u32>,
    /// Member ids, in file order.
    pub ids: Vec<u64>,
    /// The shared stack, innermost first (at most 64 frames).
    pub frames: Vec<BucketFrame>,
    /// The shared `created by` function.
    pub created_by: Option<String>,
    /// Dump index.
    pub dump: u32,
    /// 1-based header line of the first member.
    pub line: u32,
    /// The whole stack (not only the first 64 frames), innermost first, as indices into
    /// [`Analysis::func_names`].
    #[serde(skip)]
    pub funcs: Vec<u32>,
}

impl Bucket {
    /// The innermost function of the stack that is not Go's runtime or lock machinery (what a
    /// reader calls "where it waits"), or `""` when every frame is.
    pub fn caller(&self) -> &str {
        self.frames
            .iter()
            .find(|f| !is_runtime_or_sync(f.func.as_bytes()))
            .map_or("", |f| f.func.as_str())
    }
}

/// True for functions of Go's runtime and of its lock machinery (`runtime.`, `sync.`,
/// `internal/sync.`, `sync/atomic.`): the frames renderers and lock analysis look past to find
/// the caller.
pub fn is_runtime_or_sync(func: &[u8]) -> bool {
    func.starts_with(b"runtime.")
        || func.starts_with(b"sync.")
        || func.starts_with(b"internal/sync.")
        || func.starts_with(b"sync/atomic.")
}

/// A long-blocked goroutine.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct LongWait {
    /// Goroutine id.
    pub id: u64,
    /// Its state.
    pub state: String,
    /// Minutes in that state.
    pub minutes: u32,
    /// Innermost non-runtime function (or the innermost one).
    pub top: String,
    /// 1-based header line.
    pub line: u32,
}

/// A crash header of the dump.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct CrashInfo {
    /// `panic`, `fatal-error`, `signal`, `runtime`.
    pub kind: CrashKind,
    /// The header text.
    pub text: String,
    /// 1-based line.
    pub line: u32,
}

/// Everything `nodemortem stacks` reports; owned, no borrows.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct Analysis {
    /// [`SCHEMA_VERSION`].
    pub schema_version: u32,
    /// Number of goroutines.
    pub goroutines: u64,
    /// Number of dumps in the input.
    pub dumps: u32,
    /// Goroutines per state.
    pub states: BTreeMap<String, u64>,
    /// The longest-blocked goroutines, longest first.
    pub longest_waits: Vec<LongWait>,
    /// Contended locks, by transitive waiters descending (root blockers first).
    pub locks: Vec<LockInfo>,
    /// Deadlocked goroutine id sets.
    pub deadlocks: Vec<Vec<u64>>,
    /// Soft edges of channel waits.
    pub channel_edges: Vec<ChannelEdge>,
    /// Goroutines waiting on a lock whose address could not be read.
    pub unresolved_lock_waiters: u64,
    /// Buckets, largest first.
    pub buckets: Vec<Bucket>,
    /// The first crash header, if any.
    pub crash: Option<CrashInfo>,
    /// Parser warnings (`line: message`).
    pub warnings: Vec<String>,
    /// The distinct functions of the dump's stacks: [`Bucket::funcs`] and
    /// [`LockInfo::holder_funcs`] index it ([`frames`]).
    #[serde(skip)]
    pub func_names: Arc<[String]>,
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// Analyses a parsed dump.
pub fn analyze(dump: &Dump<'_>) -> Analysis {
    let gs = dump.goroutines();
    let mut states: BTreeMap<String, u64> = BTreeMap::new();
    {
        let mut raw: BTreeMap<&[u8], u64> = BTreeMap::new();
        for g in gs {
            *raw.entry(dump.state(g)).or_default() += u64::from(g.count);
        }
        for (k, v) in raw {
            *states.entry(text(k)).or_default() += v;
        }
    }
    let mut waits: Vec<(u32, usize)> = gs
        .iter()
        .enumerate()
        .filter_map(|(i, g)| g.minutes.map(|m| (m, i)))
        .collect();
    // Only the first LONGEST in (minutes descending, file order) are kept: select them, then
    // sort those few.
    let order = |a: &(u32, usize), b: &(u32, usize)| b.0.cmp(&a.0).then(a.1.cmp(&b.1));
    if waits.len() > LONGEST {
        waits.select_nth_unstable_by(LONGEST, order);
        waits.truncate(LONGEST);
    }
    waits.sort_by(order);
    let longest_waits = waits
        .into_iter()
        .take(LONGEST)
        .filter_map(|(m, i)| {
            let g = gs.get(i)?;
            let top = dump
                .frames(g)
                .find(|f| !f.func.starts_with(b"runtime.") && !f.func.starts_with(b"sync."))
                .or_else(|| dump.frames(g).next())
                .map(|f| text(f.func))
                .unwrap_or_default();
            Some(LongWait {
                id: g.id,
                state: text(dump.state(g)),
                minutes: m,
                top,
                line: g.line,
            })
        })
        .collect();
    let mut table = frames::FrameTable::default();
    let buckets = bucket::buckets(dump)
        .into_iter()
        .filter_map(|b| {
            let rep = gs.get(*b.members.first()? as usize)?;
            let members = || b.members.iter().filter_map(|&i| gs.get(i as usize));
            Some(Bucket {
                count: b.count,
                state: text(dump.state(rep)),
                min_minutes: members().filter_map(|g| g.minutes).min(),
                max_minutes: members().filter_map(|g| g.minutes).max(),
                ids: members().map(|g| g.id).collect(),
                frames: dump
                    .frames(rep)
                    .take(BUCKET_FRAMES)
                    .map(|f| BucketFrame {
                        func: text(f.func),
                        file: text(f.file),
                        line: f.line,
                    })
                    .collect(),
                created_by: dump.created_by(rep).map(|f| text(f.func)),
                dump: b.dump,
                line: rep.line,
                funcs: table.stack(dump, rep),
            })
        })
        .collect();
    let mut la = locks::analyze_locks(dump);
    for l in &mut la.locks {
        if let Some(h) = l.holder_index.and_then(|h| gs.get(h as usize)) {
            l.holder_funcs = table.stack(dump, h);
        }
    }
    Analysis {
        schema_version: SCHEMA_VERSION,
        goroutines: gs.iter().map(|g| u64::from(g.count)).sum(),
        dumps: dump.dump_count(),
        states,
        longest_waits,
        locks: la.locks,
        deadlocks: la.deadlocks,
        channel_edges: la.channel_edges,
        unresolved_lock_waiters: la.unresolved_waiters,
        buckets,
        crash: dump.crashes().first().map(|c| CrashInfo {
            kind: c.kind,
            text: text(dump.crash_text(c)),
            line: c.line,
        }),
        warnings: dump
            .warnings()
            .iter()
            .map(|w| format!("line {}: {}", w.line, w.message))
            .collect(),
        func_names: table.finish(),
    }
}

/// For each goroutine index, the index of its bucket in `analysis.buckets` (matched by the
/// first member id and dump), so renderers can collapse waiters by bucket.
pub fn bucket_of(analysis: &Analysis, dump: &Dump<'_>) -> Vec<Option<usize>> {
    let mut by_first: std::collections::HashMap<(u32, u32), usize> =
        std::collections::HashMap::new();
    for (bi, b) in analysis.buckets.iter().enumerate() {
        by_first.insert((b.dump, b.line), bi);
    }
    let mut out = vec![None; dump.len()];
    for b in bucket::buckets(dump) {
        let Some(rep) = b
            .members
            .first()
            .and_then(|&i| dump.goroutines().get(i as usize))
        else {
            continue;
        };
        let bi = by_first.get(&(b.dump, rep.line)).copied();
        for &m in &b.members {
            if let Some(slot) = out.get_mut(m as usize) {
                *slot = bi;
            }
        }
    }
    out
}

/// True for states that are ordinary idleness in a Go server (network poll, select loops,
/// timers), used by renderers to de-emphasise buckets.
pub fn is_idle_state(state: &str) -> bool {
    matches!(
        StateKind::of(state.as_bytes()),
        StateKind::IoWait | StateKind::Select | StateKind::Sleep | StateKind::ChanReceive
    )
}

/// True for a frame of the Go runtime or of the low-level packages every blocked goroutine
/// passes through (`runtime.`, `sync.`, `syscall.`, `internal/…`, `golang.org/x/sys/…`, also
/// vendored): such a frame says *how* a goroutine waits, not *what* it was doing.
pub fn is_runtime_frame(func: &str) -> bool {
    let f = func.rsplit_once("/vendor/").map_or(func, |(_, f)| f);
    [
        "runtime.",
        "sync.",
        "syscall.",
        "internal/",
        "golang.org/x/sys/",
    ]
    .iter()
    .any(|p| f.starts_with(p))
}

/// What explains a lock's holder: the first frame of its stack outside the runtime
/// ([`is_runtime_frame`]; `os.Remove` under `syscall.unlinkat`) and the frame through which it
/// holds the lock (`volume/local.(*Root).Remove`), when known.
pub fn holder_frames<'a>(a: &'a Analysis, l: &'a LockInfo) -> (Option<&'a str>, Option<&'a str>) {
    let outside = l
        .holder_funcs
        .iter()
        .filter_map(|&i| a.func_names.get(i as usize).map(String::as_str))
        .chain(l.holder_top.iter().map(String::as_str))
        .find(|f| !is_runtime_frame(f));
    let holding = l
        .holder
        .and_then(|h| l.holder_candidates.iter().find(|c| c.id == h))
        .map(|c| c.frame.as_str());
    (outside, holding)
}

#[cfg(test)]
mod tests {
    use super::*;

    // Go 1.24 mutex wait (internal/sync lockSlow) under dockerd's container store, and a
    // stack of runtime and lock frames only.
    #[test]
    fn a_buckets_caller_is_past_the_runtime_and_lock_frames() {
        let text = "goroutine 3107 [sync.Mutex.Lock, 12 minutes]:
internal/sync.runtime_SemacquireMutex(0xc000a1e1c4?, 0x0?, 0x1?)
\t/usr/local/go/src/runtime/sema.go:95 +0x25
internal/sync.(*Mutex).lockSlow(0xc000a1e1c0)
\t/usr/local/go/src/internal/sync/mutex.go:149 +0x15d
internal/sync.(*Mutex).Lock(...)
\t/usr/local/go/src/internal/sync/mutex.go:70
sync.(*Mutex).Lock(...)
\t/usr/local/go/src/sync/mutex.go:46
github.com/docker/docker/container.(*State).Lock(...)
\t/go/src/github.com/docker/docker/container/state.go:41
github.com/docker/docker/daemon.(*Daemon).ContainerInspectCurrent(0xc0001ca000, {0x55d0c2b8e1a8, 0xc00139e2a0}, {0xc0014d6e37, 0x40}, 0x0)
\t/go/src/github.com/docker/docker/daemon/inspect.go:44 +0x89

goroutine 1 [semacquire]:
runtime.gopark(0x0?, 0x0?, 0x0?, 0x0?, 0x0?)
\t/usr/local/go/src/runtime/proc.go:435 +0xce
sync.runtime_Semacquire(0xc00001e0a8?)
\t/usr/local/go/src/runtime/sema.go:71 +0x25
";
        let dump = crate::parse::goroutine::parse(text.as_bytes());
        let a = analyze(&dump);
        let callers: Vec<(&str, &str)> = a
            .buckets
            .iter()
            .map(|b| (b.state.as_str(), b.caller()))
            .collect();
        assert_eq!(
            callers,
            [
                (
                    "sync.Mutex.Lock",
                    "github.com/docker/docker/container.(*State).Lock"
                ),
                ("semacquire", ""),
            ]
        );
        assert!(is_runtime_or_sync(b"sync/atomic.(*Int32).Load"));
        assert!(!is_runtime_or_sync(b"syncthing.Run"));
    }
}
