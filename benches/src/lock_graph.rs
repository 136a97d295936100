//! Goroutine dumps with a chosen mutex wait-for graph: lock chains, lock cycles, convoys and
//! RWMutex queues of any size, written in the runtime's traceback grammar.
//!
//! A [`Graph`] lists locks and goroutines: each lock has at most one holder, each goroutine
//! waits on at most one lock. [`Graph::render`] writes the dump in which nodemortem's holder
//! inference (docs/goroutines.md, "How holders are inferred") finds exactly those holders:
//! every lock lives in its own `main.(*Account)` at a distinct address (the mutex at +8), its
//! waiters call it from `(*Account).Deposit(base)` under the `sync` frames of their Go version,
//! and its holder has `(*Account).Transfer(base, …)` deeper in its stack (the caller that took
//! the lock). A holder that waits on nothing is in `syscall` under `os.RemoveAll`.
//!
//! [`Graph::expected`] computes, by brute force, what the analysis must report for the graph
//! (deadlocks, transitive waiters per lock) from the edges of the model of
//! docs/goroutines.md: quadratic, for small graphs only. [`Graph::from_program`] turns a few
//! bytes into a graph (the `locks` fuzz target); [`Graph::chain`] and [`Graph::cycle`] build the
//! shapes of the hostile tests and the lock benchmark.
//!
//! The file has no dependency besides `std`: tests and the fuzz crate include it by path.

use std::collections::{BTreeMap, BTreeSet};
use std::io::{self, Write};

/// Frame shapes of a Go version (docs/goroutines.md, "Finding the address, version by version").
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Go {
    /// Go 1.9–1.13: `runtime_SemacquireMutex(sema, 0x0)` + `(*Mutex).Lock(addr)`, state
    /// `semacquire`.
    V1_13,
    /// Go 1.14–1.16: `runtime_SemacquireMutex(sema, 0x0, 0x1)` + `(*Mutex).lockSlow(addr)` +
    /// inlined `(*Mutex).Lock(...)`, state `semacquire`.
    V1_16,
    /// Go ≥ 1.24: `internal/sync` frames, register-ABI `?` arguments, precise wait reasons
    /// (`sync.Mutex.Lock`, `sync.RWMutex.RLock`, `sync.RWMutex.Lock`).
    V1_24,
}

impl Go {
    /// The three shapes, for picking one by index.
    pub const ALL: [Go; 3] = [Go::V1_13, Go::V1_16, Go::V1_24];
}

/// How a goroutine waits on a lock.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Wait {
    /// `Lock` of a mutex, or of an RWMutex while another writer holds its inner mutex.
    Lock,
    /// `RLock` of an RWMutex (sleeping on `readerSem`).
    RLock,
    /// `Lock` of an RWMutex, past the inner mutex, waiting for readers on `writerSem`: a
    /// pending writer.
    WriterSem,
}

/// A lock of the graph.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Lock {
    /// An RWMutex rather than a mutex.
    pub rw: bool,
    /// The goroutine (index) holding it.
    pub holder: Option<u32>,
}

/// A goroutine of the graph.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Goroutine {
    /// The lock (index) it waits on, and how.
    pub waits: Option<(u32, Wait)>,
    /// The locks it holds, in the order it took them.
    pub holds: Vec<u32>,
    /// Its frame shapes.
    pub go: Go,
    /// Minutes in its state.
    pub minutes: u32,
}

/// Locks and goroutines; goroutine `i` has id `i + 1`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Graph {
    /// The locks; lock `l` is at [`Graph::address`]`(l)`.
    pub locks: Vec<Lock>,
    /// The goroutines, in dump order.
    pub goroutines: Vec<Goroutine>,
}

/// What the analysis must report for a graph.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Expected {
    /// Deadlocked goroutine id sets, ids ascending, sets sorted.
    pub deadlocks: Vec<Vec<u64>>,
    /// Per contended lock address (`0x…`): holder id, waiters, transitive waiters.
    pub locks: BTreeMap<String, (Option<u64>, u64, u64)>,
}

/// Base of the first `Account`; lock `l` is at `BASE + l * STRIDE + 8`.
const BASE: u64 = 0xc000_200000;
/// Distance between two accounts.
const STRIDE: u64 = 0x40;

impl Graph {
    /// An empty graph.
    pub fn new() -> Graph {
        Graph::default()
    }

    /// Goroutine id of goroutine `i`.
    pub fn id(i: u32) -> u64 {
        u64::from(i) + 1
    }

    /// Address of lock `l`.
    pub fn address(l: u32) -> u64 {
        BASE + u64::from(l) * STRIDE + 8
    }

    /// Adds a lock; returns its index.
    pub fn lock(&mut self, rw: bool) -> u32 {
        self.locks.push(Lock { rw, holder: None });
        (self.locks.len() - 1) as u32
    }

    /// Adds a goroutine that waits on nothing and holds nothing yet; returns its index.
    pub fn goroutine(&mut self, go: Go, minutes: u32) -> u32 {
        self.goroutines.push(Goroutine {
            waits: None,
            holds: Vec::new(),
            go,
            minutes,
        });
        (self.goroutines.len() - 1) as u32
    }

    /// Makes `g` the holder of `l` (replacing an earlier holder). A mutex is not given to a
    /// goroutine waiting on it.
    pub fn hold(&mut self, g: u32, l: u32) -> bool {
        let (Some(lock), Some(gr)) = (self.locks.get(l as usize), self.goroutines.get(g as usize))
        else {
            return false;
        };
        if !lock.rw && gr.waits.is_some_and(|(w, _)| w == l) {
            return false;
        }
        if let Some(old) = lock.holder {
            self.goroutines[old as usize].holds.retain(|&x| x != l);
        }
        self.locks[l as usize].holder = Some(g);
        self.goroutines[g as usize].holds.push(l);
        true
    }

    /// Makes `g` wait on `l` as `how` (a mutex is only waited on with [`Wait::Lock`]); false
    /// when `g` already waits or would wait on a mutex it holds.
    pub fn wait(&mut self, g: u32, l: u32, how: Wait) -> bool {
        let (Some(lock), Some(gr)) = (self.locks.get(l as usize), self.goroutines.get(g as usize))
        else {
            return false;
        };
        if gr.waits.is_some() || (!lock.rw && (how != Wait::Lock || lock.holder == Some(g))) {
            return false;
        }
        self.goroutines[g as usize].waits = Some((l, how));
        true
    }

    /// `n` goroutines, goroutine `i` holding lock `i` and waiting on lock `i + 1` (a
    /// `Transfer` from account `i` to account `i + 1`); the last one holds its lock in a
    /// syscall. `n − 1` contended locks; the last one has `n − 1` transitive waiters.
    pub fn chain(n: u32, go: Go) -> Graph {
        let mut g = Graph::new();
        g.push_chain(n, false, go);
        g
    }

    /// As [`Graph::chain`], but the last goroutine waits on the first one's lock: one
    /// deadlock of `n` goroutines, `n` locks with `n − 1` transitive waiters each.
    pub fn cycle(n: u32, go: Go) -> Graph {
        let mut g = Graph::new();
        g.push_chain(n, true, go);
        g
    }

    /// Appends a chain (or cycle) of `n` goroutines; returns the index of its first goroutine.
    pub fn push_chain(&mut self, n: u32, cycle: bool, go: Go) -> u32 {
        let first_lock = self.locks.len() as u32;
        let first = self.goroutines.len() as u32;
        for i in 0..n {
            let l = self.lock(false);
            let g = self.goroutine(go, 1 + (i % 90));
            self.hold(g, l);
        }
        for i in 0..n.saturating_sub(1) {
            self.wait(first + i, first_lock + i + 1, Wait::Lock);
        }
        if cycle && n > 1 {
            self.wait(first + n - 1, first_lock, Wait::Lock);
        }
        first
    }

    /// Renders the dump (dockerd's SIGUSR1 shape: one block per goroutine, blank lines
    /// between) into `out`.
    pub fn render(&self, out: &mut dyn Write) -> io::Result<()> {
        let mut buf = String::with_capacity(1 << 16);
        for (i, g) in self.goroutines.iter().enumerate() {
            self.block(i as u32, g, &mut buf);
            if buf.len() >= 1 << 16 {
                out.write_all(buf.as_bytes())?;
                buf.clear();
            }
        }
        out.write_all(buf.as_bytes())
    }

    /// The dump as bytes.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut v = Vec::with_capacity(self.goroutines.len() * 512);
        // Writing to a Vec cannot fail.
        let _ = self.render(&mut v);
        v
    }

    fn block(&self, i: u32, g: &Goroutine, s: &mut String) {
        use std::fmt::Write as _;
        let id = Graph::id(i);
        let (q, v124) = if g.go == Go::V1_24 {
            ("?", true)
        } else {
            ("", false)
        };
        let state = match g.waits {
            None => "syscall",
            Some(_) if !v124 => "semacquire",
            Some((l, how)) => match (self.locks[l as usize].rw, how) {
                (true, Wait::RLock) => "sync.RWMutex.RLock",
                (true, Wait::WriterSem) => "sync.RWMutex.Lock",
                _ => "sync.Mutex.Lock",
            },
        };
        let _ = writeln!(s, "goroutine {id} [{state}, {} minutes]:", g.minutes);
        match g.waits {
            Some((l, how)) => {
                let a = Graph::address(l);
                let rw = self.locks[l as usize].rw;
                let (sema, sema_fn) = match (how, v124) {
                    (Wait::Lock, true) => (a + 4, "internal/sync.runtime_SemacquireMutex"),
                    (Wait::Lock, false) => (a + 4, "sync.runtime_SemacquireMutex"),
                    (Wait::RLock, true) => (a + 0xc, "sync.runtime_SemacquireRWMutexR"),
                    (Wait::RLock, false) => (a + 0xc, "sync.runtime_SemacquireMutex"),
                    (Wait::WriterSem, true) => (a + 8, "sync.runtime_SemacquireRWMutex"),
                    (Wait::WriterSem, false) => (a + 8, "sync.runtime_SemacquireMutex"),
                };
                let sema_args = match g.go {
                    Go::V1_13 => format!("{sema:#x}, 0x0"),
                    Go::V1_16 => format!("{sema:#x}, 0x0, 0x1"),
                    Go::V1_24 => format!("{sema:#x}?, 0x0?, 0x1?"),
                };
                let sema_line = if v124 { 95 } else { 71 };
                let _ = writeln!(
                    s,
                    "{sema_fn}({sema_args})\n\t/usr/local/go/src/runtime/sema.go:{sema_line} +0x25"
                );
                match (how, g.go) {
                    (Wait::Lock, Go::V1_13) => {
                        let _ = writeln!(
                            s,
                            "sync.(*Mutex).Lock({a:#x})\n\t/usr/local/go/src/sync/mutex.go:134 +0xff"
                        );
                    }
                    (Wait::Lock, Go::V1_16) => {
                        let _ = writeln!(
                            s,
                            "sync.(*Mutex).lockSlow({a:#x})\n\t/usr/local/go/src/sync/mutex.go:138 +0xfc\n\
                             sync.(*Mutex).Lock(...)\n\t/usr/local/go/src/sync/mutex.go:81"
                        );
                    }
                    (Wait::Lock, Go::V1_24) => {
                        let _ = writeln!(
                            s,
                            "internal/sync.(*Mutex).lockSlow({a:#x})\n\t/usr/local/go/src/internal/sync/mutex.go:149 +0x15d\n\
                             internal/sync.(*Mutex).Lock(...)\n\t/usr/local/go/src/internal/sync/mutex.go:70\n\
                             sync.(*Mutex).Lock(...)\n\t/usr/local/go/src/sync/mutex.go:46"
                        );
                    }
                    (Wait::RLock, Go::V1_24) => {
                        let _ = writeln!(
                            s,
                            "sync.(*RWMutex).RLock(...)\n\t/usr/local/go/src/sync/rwmutex.go:71"
                        );
                    }
                    (Wait::RLock, _) => {
                        let _ = writeln!(
                            s,
                            "sync.(*RWMutex).RLock({a:#x})\n\t/usr/local/go/src/sync/rwmutex.go:50 +0x49"
                        );
                    }
                    (Wait::WriterSem, _) => {}
                }
                if rw && how != Wait::RLock {
                    let _ = writeln!(
                        s,
                        "sync.(*RWMutex).Lock({a:#x}{q})\n\t/usr/local/go/src/sync/rwmutex.go:152 +0x71"
                    );
                }
                let base = a - 8;
                let _ = writeln!(
                    s,
                    "main.(*Account).Deposit({base:#x}, 0x64)\n\t/app/bank/account.go:41 +0x8a"
                );
            }
            None => {
                let path = 0xc100_000000 + u64::from(i) * 0x100;
                let _ = writeln!(
                    s,
                    "syscall.Syscall(0x107, 0xffffffffffffff9c, {path:#x}, 0x0, 0x0, 0x0, 0x0)\n\t/usr/local/go/src/syscall/asm_linux_amd64.s:18 +0x5\n\
                     syscall.unlinkat(0xffffffffffffff9c, {path:#x}, 0x4e, 0x0, 0x0, 0x0)\n\t/usr/local/go/src/syscall/zsyscall_linux_amd64.go:126 +0x8a\n\
                     os.RemoveAll({path:#x}, 0x4e, 0x0, 0x0)\n\t/usr/local/go/src/os/path.go:68 +0x4f"
                );
            }
        }
        // The callers that took the held locks, latest innermost; the innermost names the
        // account it transfers to (the lock waited on).
        for (k, &l) in g.holds.iter().enumerate().rev() {
            let base = Graph::address(l) - 8;
            let to = match g.waits {
                Some((w, _)) if k + 1 == g.holds.len() => Graph::address(w) - 8,
                _ => 0xc0,
            };
            let _ = writeln!(
                s,
                "main.(*Account).Transfer({base:#x}, {to:#x}{q}, 0x64)\n\t/app/bank/account.go:27 +0x11d"
            );
        }
        let _ = writeln!(
            s,
            "created by main.(*Bank).serve{}\n\t/app/bank/bank.go:88 +0x5a\n",
            if v124 { " in goroutine 1" } else { "" }
        );
    }

    /// The wait-for edges of the model (docs/goroutines.md, "How holders are inferred", 5):
    /// a waiter → the holder; an RLock waiter → every pending writer when there is one (a
    /// holder re-acquiring its own read lock waits on nothing else).
    pub fn edges(&self) -> Vec<(u32, u32)> {
        let mut waiters: Vec<Vec<(u32, Wait)>> = vec![Vec::new(); self.locks.len()];
        for (i, g) in self.goroutines.iter().enumerate() {
            if let Some((l, how)) = g.waits {
                waiters[l as usize].push((i as u32, how));
            }
        }
        let mut edges = Vec::new();
        for (l, ws) in self.locks.iter().zip(&waiters) {
            let pending: Vec<u32> = ws
                .iter()
                .filter(|w| l.rw && w.1 == Wait::WriterSem)
                .map(|w| w.0)
                .collect();
            for &(w, how) in ws {
                let read = l.rw && how == Wait::RLock;
                if read && !pending.is_empty() {
                    edges.extend(pending.iter().map(|&p| (w, p)));
                } else if let Some(h) = l.holder
                    && (h != w || !read)
                {
                    edges.push((w, h));
                }
            }
        }
        edges.sort_unstable();
        edges.dedup();
        edges
    }

    /// What the analysis must report, by brute force over [`Graph::edges`]: a goroutine is
    /// deadlocked when it reaches itself, with those it reaches and that reach it; a lock's
    /// transitive waiters are its waiters and every goroutine reaching one, the holder
    /// excluded. Quadratic: for graphs of a few thousand goroutines.
    pub fn expected(&self) -> Expected {
        let n = self.goroutines.len();
        let mut succ: Vec<Vec<u32>> = vec![Vec::new(); n];
        let mut pred: Vec<Vec<u32>> = vec![Vec::new(); n];
        for (a, b) in self.edges() {
            succ[a as usize].push(b);
            pred[b as usize].push(a);
        }
        let reach = |from: &[u32], adj: &Vec<Vec<u32>>| -> BTreeSet<u32> {
            let mut seen: BTreeSet<u32> = BTreeSet::new();
            let mut stack: Vec<u32> = from.to_vec();
            while let Some(x) = stack.pop() {
                for &y in &adj[x as usize] {
                    if seen.insert(y) {
                        stack.push(y);
                    }
                }
            }
            seen
        };
        let mut deadlocks: BTreeSet<Vec<u64>> = BTreeSet::new();
        for g in 0..n as u32 {
            let fwd = reach(&[g], &succ);
            if !fwd.contains(&g) {
                continue;
            }
            let back = reach(&[g], &pred);
            let ids: Vec<u64> = fwd.intersection(&back).map(|&x| Graph::id(x)).collect();
            deadlocks.insert(ids);
        }
        let mut locks = BTreeMap::new();
        for (li, l) in self.locks.iter().enumerate() {
            let ws: Vec<u32> = self
                .goroutines
                .iter()
                .enumerate()
                .filter(|(_, g)| g.waits.is_some_and(|(w, _)| w as usize == li))
                .map(|(i, _)| i as u32)
                .collect();
            if ws.is_empty() {
                continue;
            }
            let mut all = reach(&ws, &pred);
            all.extend(ws.iter().copied());
            if let Some(h) = l.holder {
                all.remove(&h);
            }
            locks.insert(
                format!("{:#x}", Graph::address(li as u32)),
                (l.holder.map(Graph::id), ws.len() as u64, all.len() as u64),
            );
        }
        Expected {
            deadlocks: deadlocks.into_iter().collect(),
            locks,
        }
    }

    /// Reads a graph from a few bytes (the `locks` fuzz target). Byte 0 caps the size: its top
    /// 3 bits pick 8, 32, 128, 512, 2 000, 8 000, 32 000 or `max_goroutines` goroutines (so
    /// most inputs stay small and fast, one in eight may reach the largest graphs); byte 1
    /// picks the Go versions of the parts. Then each group of 4 bytes `op a b c` adds a part,
    /// until the bytes end or the cap is reached:
    ///
    /// * `op % 6 == 0`: a chain of `1 + (a b as u16) × 2` goroutines, a cycle when `c` is odd;
    /// * `1`: a convoy: `1 + (a b) × 2` goroutines waiting on one mutex, held in a syscall
    ///   when `c` is even, else by no goroutine in the dump;
    /// * `2`: an RWMutex with `a % 64` RLock waiters, `b % 4` pending writers and `c % 4`
    ///   queued writers, held by a new goroutine, by one of its readers or pending writers
    ///   (`c / 4 % 4`), or by nobody;
    /// * `3`: a link: goroutine `a b` (modulo the count) waits on lock `c …` of an earlier
    ///   part (trees feeding cycles, chains of convoys);
    /// * `4`: a goroutine `a b` takes lock `c` from the end too, if nobody holds it (several
    ///   holds);
    /// * `5`: a self-wait: an RWMutex holder waiting to write on it, with `a % 8` readers.
    pub fn from_program(bytes: &[u8], max_goroutines: u32) -> Graph {
        const CAPS: [u32; 7] = [8, 32, 128, 512, 2_000, 8_000, 32_000];
        let mut g = Graph::new();
        let (Some(&scale), Some(&mix)) = (bytes.first(), bytes.get(1)) else {
            return g;
        };
        let mut rest = &bytes[2..];
        let max_goroutines = CAPS
            .get(usize::from(scale >> 5))
            .map_or(max_goroutines, |&c| c.min(max_goroutines));
        let mut part = 0u32;
        let go = |k: u32| Go::ALL[((u32::from(mix) >> (k % 4 * 2)) % 3) as usize];
        while let [op, a, b, c, tail @ ..] = rest {
            rest = tail;
            part += 1;
            let left = max_goroutines.saturating_sub(g.goroutines.len() as u32);
            if left == 0 {
                break;
            }
            let size = (1 + u32::from(u16::from_le_bytes([*a, *b])) * 2).min(left);
            let style = go(part);
            match op % 6 {
                0 => {
                    g.push_chain(size, c % 2 == 1, style);
                }
                1 => {
                    let l = g.lock(false);
                    let mut room = left;
                    if c % 2 == 0 && room > 1 {
                        let h = g.goroutine(style, 83);
                        g.hold(h, l);
                        room -= 1;
                    }
                    for k in 0..size.min(room) {
                        let w = g.goroutine(go(part + k), 1 + k % 82);
                        g.wait(w, l, Wait::Lock);
                    }
                }
                2 => {
                    let (readers, pending, queued) = (u32::from(*a % 64), *b % 4, c % 4);
                    if readers + u32::from(pending) + u32::from(queued) + 1 > left {
                        continue;
                    }
                    let l = g.lock(true);
                    let mut first_reader = None;
                    let mut first_pending = None;
                    for k in 0..readers {
                        let w = g.goroutine(go(part + k), 4);
                        g.wait(w, l, Wait::RLock);
                        first_reader.get_or_insert(w);
                    }
                    for _ in 0..pending {
                        let w = g.goroutine(style, 4);
                        g.wait(w, l, Wait::WriterSem);
                        first_pending.get_or_insert(w);
                    }
                    for _ in 0..queued {
                        let w = g.goroutine(style, 3);
                        g.wait(w, l, Wait::Lock);
                    }
                    let holder = match c / 4 % 4 {
                        0 => Some(g.goroutine(style, 5)),
                        1 => first_reader,
                        2 => first_pending,
                        _ => None,
                    };
                    if let Some(h) = holder {
                        g.hold(h, l);
                    }
                }
                3 => {
                    let n = g.goroutines.len() as u32;
                    let locks = g.locks.len() as u32;
                    if n == 0 || locks == 0 {
                        continue;
                    }
                    let w = u32::from(u16::from_le_bytes([*a, *b])) % n;
                    let l = (u32::from(*c) * 257 + w) % locks;
                    let how = if g.locks[l as usize].rw {
                        [Wait::Lock, Wait::RLock, Wait::WriterSem][usize::from(*c % 3)]
                    } else {
                        Wait::Lock
                    };
                    g.wait(w, l, how);
                }
                4 => {
                    let n = g.goroutines.len() as u32;
                    let locks = g.locks.len() as u32;
                    if n == 0 || locks == 0 {
                        continue;
                    }
                    let h = u32::from(u16::from_le_bytes([*a, *b])) % n;
                    let l = (locks - 1).saturating_sub(u32::from(*c));
                    if g.locks[l as usize].holder.is_none() {
                        g.hold(h, l);
                    }
                }
                _ => {
                    let l = g.lock(true);
                    let h = g.goroutine(style, 2);
                    g.hold(h, l);
                    g.wait(h, l, Wait::WriterSem);
                    for k in 0..u32::from(*a % 8).min(left.saturating_sub(1)) {
                        let w = g.goroutine(go(part + k), 2);
                        g.wait(w, l, Wait::RLock);
                    }
                }
            }
        }
        g
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chain_and_cycle_expectations() {
        let e = Graph::chain(4, Go::V1_16).expected();
        assert!(e.deadlocks.is_empty());
        let top = e.locks.get(&format!("{:#x}", Graph::address(3))).copied();
        assert_eq!(top, Some((Some(4), 1, 3)));
        assert_eq!(e.locks.len(), 3);
        let e = Graph::cycle(3, Go::V1_13).expected();
        assert_eq!(e.deadlocks, vec![vec![1, 2, 3]]);
        assert!(e.locks.values().all(|&(_, w, t)| w == 1 && t == 2));
    }

    #[test]
    fn rwmutex_readers_wait_on_pending_writers() {
        let mut g = Graph::new();
        let l = g.lock(true);
        let h = g.goroutine(Go::V1_24, 9);
        g.hold(h, l);
        let r = g.goroutine(Go::V1_24, 1);
        g.wait(r, l, Wait::RLock);
        let p = g.goroutine(Go::V1_24, 1);
        g.wait(p, l, Wait::WriterSem);
        assert_eq!(g.edges(), vec![(1, 2), (2, 0)]);
        let text = String::from_utf8(g.to_bytes()).unwrap();
        assert!(text.contains("goroutine 2 [sync.RWMutex.RLock, 1 minutes]:\nsync.runtime_SemacquireRWMutexR(0xc000200014?, 0x0?, 0x1?)"));
        assert!(text.contains("goroutine 3 [sync.RWMutex.Lock, 1 minutes]:\nsync.runtime_SemacquireRWMutex(0xc000200010?"));
        // A mutex is never waited on by its holder.
        let m = g.lock(false);
        g.hold(h, m);
        assert!(!g.wait(h, m, Wait::Lock));
    }
}
