//! Lock analysis on synthetic dumps whose shapes follow the Go runtime's traceback output.

use analyzer_core::parse::goroutine::parse;
use analyzer_core::stacks::{Activity, Reason, analyze};

// Two goroutines locking two accounts in opposite order; Go 1.14–1.16 frame shape
// (runtime_SemacquireMutex + lockSlow + inlined Lock, goroutines.md version table).
const CYCLE2: &str = "goroutine 1 [semacquire]:\n\
sync.runtime_SemacquireMutex(0xc000010044, 0x0, 0x1)\n\t/usr/local/go/src/runtime/sema.go:71 +0x47\n\
sync.(*Mutex).lockSlow(0xc000010040)\n\t/usr/local/go/src/sync/mutex.go:138 +0xfc\n\
sync.(*Mutex).Lock(...)\n\t/usr/local/go/src/sync/mutex.go:81\n\
main.(*Account).Transfer(0xc000010000, 0xc000010038, 0x64)\n\t/app/bank.go:22 +0x8a\n\
main.main()\n\t/app/bank.go:40 +0x1f\n\n\
goroutine 7 [semacquire]:\n\
sync.runtime_SemacquireMutex(0xc00001000c, 0x0, 0x1)\n\t/usr/local/go/src/runtime/sema.go:71 +0x47\n\
sync.(*Mutex).lockSlow(0xc000010008)\n\t/usr/local/go/src/sync/mutex.go:138 +0xfc\n\
sync.(*Mutex).Lock(...)\n\t/usr/local/go/src/sync/mutex.go:81\n\
main.(*Account).Transfer(0xc000010038, 0xc000010000, 0x32)\n\t/app/bank.go:22 +0x8a\n\
created by main.main\n\t/app/bank.go:38 +0x5a\n";

/// A lock as (address, holder, waiters, offset in its owner).
type LockRow<'a> = (&'a str, Option<u64>, Vec<u64>, Option<u64>);

/// Each lock of an analysis as a [`LockRow`].
fn lock_summary(a: &analyzer_core::stacks::Analysis) -> Vec<LockRow<'_>> {
    a.locks
        .iter()
        .map(|l| (l.address.as_str(), l.holder, l.waiters.clone(), l.offset))
        .collect()
}

#[test]
fn two_goroutine_cycle() {
    let a = analyze(&parse(CYCLE2.as_bytes()));
    assert_eq!(a.deadlocks, vec![vec![1, 7]]);
    let summary = lock_summary(&a);
    assert_eq!(
        summary,
        vec![
            ("0xc000010008", Some(1), vec![7], Some(8)),
            ("0xc000010040", Some(7), vec![1], Some(8)),
        ]
    );
    assert_eq!(a.locks[0].transitive_waiters, 1);
    assert_eq!(a.locks[0].holder_candidates[0].reason, Reason::Receiver);
    assert_eq!(a.locks[0].owner_type.as_deref(), Some("main.(*Account)"));
}

// Dining philosophers, Go 1.9–1.13 shape: runtime_SemacquireMutex(sema, 0x0) + Lock(addr),
// plain function receiving both forks (goroutines.md "Holder search").
const CYCLE3: &str = "goroutine 5 [semacquire, 3 minutes]:\n\
sync.runtime_SemacquireMutex(0xc00001a0bc, 0x0)\n\t/usr/local/go/src/runtime/sema.go:71 +0x3d\n\
sync.(*Mutex).Lock(0xc00001a0b8)\n\t/usr/local/go/src/sync/mutex.go:134 +0xff\n\
main.philosopher(0xc00001a0b0, 0xc00001a0b8)\n\t/app/phil.go:14 +0x6b\n\
created by main.main\n\t/app/phil.go:30 +0x9c\n\n\
goroutine 6 [semacquire, 3 minutes]:\n\
sync.runtime_SemacquireMutex(0xc00001a0c4, 0x0)\n\t/usr/local/go/src/runtime/sema.go:71 +0x3d\n\
sync.(*Mutex).Lock(0xc00001a0c0)\n\t/usr/local/go/src/sync/mutex.go:134 +0xff\n\
main.philosopher(0xc00001a0b8, 0xc00001a0c0)\n\t/app/phil.go:14 +0x6b\n\
created by main.main\n\t/app/phil.go:30 +0x9c\n\n\
goroutine 8 [semacquire, 2 minutes]:\n\
sync.runtime_SemacquireMutex(0xc00001a0b4, 0x0)\n\t/usr/local/go/src/runtime/sema.go:71 +0x3d\n\
sync.(*Mutex).Lock(0xc00001a0b0)\n\t/usr/local/go/src/sync/mutex.go:134 +0xff\n\
main.philosopher(0xc00001a0c0, 0xc00001a0b0)\n\t/app/phil.go:14 +0x6b\n\
created by main.main\n\t/app/phil.go:30 +0x9c\n\n\
goroutine 1 [sleep]:\n\
time.Sleep(0x3b9aca00)\n\t/usr/local/go/src/runtime/time.go:105 +0x157\n\
main.main()\n\t/app/phil.go:33 +0xd4\n";

#[test]
fn three_goroutine_cycle() {
    let a = analyze(&parse(CYCLE3.as_bytes()));
    assert_eq!(a.deadlocks, vec![vec![5, 6, 8]]);
    let holders: Vec<_> = a
        .locks
        .iter()
        .map(|l| {
            (
                l.address.as_str(),
                l.holder,
                l.waiters_total,
                l.transitive_waiters,
            )
        })
        .collect();
    assert_eq!(
        holders,
        vec![
            ("0xc00001a0b0", Some(5), 1, 2),
            ("0xc00001a0b8", Some(6), 1, 2),
            ("0xc00001a0c0", Some(8), 1, 2),
        ]
    );
    assert_eq!(a.buckets.len(), 2);
    assert_eq!(a.buckets[0].ids, vec![5, 6, 8]);
    assert_eq!(a.buckets[0].min_minutes, Some(2));
    assert_eq!(a.buckets[0].max_minutes, Some(3));
}

// Recursive read lock while a writer waits (Go ≥ 1.20 wait reasons and register-ABI args,
// runtime_SemacquireRWMutexR/RWMutex names from Go 1.20 sync/runtime.go): goroutine 20 holds
// RLock in Snapshot and asks again in Len; goroutine 21 waits as writer on writerSem.
const RW: &str = "goroutine 20 [sync.RWMutex.RLock, 4 minutes]:\n\
sync.runtime_SemacquireRWMutexR(0xc0000b405c?, 0x0?, 0x0?)\n\t/usr/local/go/src/runtime/sema.go:82 +0x25\n\
sync.(*RWMutex).RLock(...)\n\t/usr/local/go/src/sync/rwmutex.go:71\n\
main.(*Store).Len(0xc0000b4040)\n\t/app/store.go:30 +0x4f\n\
main.(*Store).Snapshot(0xc0000b4040)\n\t/app/store.go:44 +0x75\n\
main.main()\n\t/app/main.go:12 +0x25\n\n\
goroutine 21 [sync.RWMutex.Lock, 4 minutes]:\n\
sync.runtime_SemacquireRWMutex(0xc0000b4058?, 0x0?, 0x0?)\n\t/usr/local/go/src/runtime/sema.go:87 +0x25\n\
sync.(*RWMutex).Lock(0xc0000b4050?)\n\t/usr/local/go/src/sync/rwmutex.go:152 +0x71\n\
main.(*Store).Put(0xc0000b4040, {0x4b2f1e, 0x3}, 0x1)\n\t/app/store.go:52 +0x3d\n\
created by main.main in goroutine 1\n\t/app/main.go:10 +0x1a\n";

#[test]
fn rwmutex_rlock_while_writer_waits() {
    let a = analyze(&parse(RW.as_bytes()));
    assert_eq!(a.locks.len(), 1);
    let l = &a.locks[0];
    assert_eq!(l.address, "0xc0000b4050");
    assert_eq!(l.kind, analyzer_core::stacks::LockKind::Rwmutex);
    assert_eq!(l.waiters, vec![20, 21]);
    assert_eq!(l.holder, Some(20));
    assert_eq!(l.holder_candidates[0].reason, Reason::Reentrant);
    assert_eq!(l.holder_candidates[0].frame, "main.(*Store).Snapshot");
    assert_eq!(l.offset, Some(0x10));
    assert!(l.uncertain_address);
    assert_eq!(a.deadlocks, vec![vec![20, 21]]);
    assert_eq!(a.states.get("sync.RWMutex.RLock"), Some(&1));
}

// RLock → Lock upgrade on the same lock: a self-wait.
const UPGRADE: &str = "goroutine 9 [sync.RWMutex.Lock, 2 minutes]:\n\
sync.runtime_SemacquireRWMutex(0xc000120018?, 0x0?, 0x0?)\n\t/usr/local/go/src/runtime/sema.go:87 +0x25\n\
sync.(*RWMutex).Lock(0xc000120010)\n\t/usr/local/go/src/sync/rwmutex.go:152 +0x71\n\
main.(*Cache).refresh(0xc000120000)\n\t/app/cache.go:61 +0x2a\n\
main.(*Cache).Get(0xc000120000, {0x4b2f1e, 0x3})\n\t/app/cache.go:40 +0x98\n\
main.main()\n\t/app/main.go:9 +0x25\n";

#[test]
fn rwmutex_upgrade_self_wait() {
    let a = analyze(&parse(UPGRADE.as_bytes()));
    assert_eq!(a.deadlocks, vec![vec![9]]);
    assert_eq!(a.locks[0].holder, Some(9));
    assert_eq!(a.locks[0].address, "0xc000120010");
}

// Go 1.24 internal/sync frames with a `?` sema and a holder found by receiver type; the holder
// is in a gRPC call (transport.(*Stream).waitOnHeader, signatures.md INC-A).
const GO124: &str = "goroutine 3122 [sync.Mutex.Lock, 11 minutes]:\n\
internal/sync.runtime_SemacquireMutex(0x0?, 0x0?, 0x1?)\n\t/usr/local/go/src/runtime/sema.go:95 +0x25\n\
internal/sync.(*Mutex).lockSlow(0xc0001a2b48)\n\t/usr/local/go/src/internal/sync/mutex.go:149 +0x15d\n\
internal/sync.(*Mutex).Lock(...)\n\t/usr/local/go/src/internal/sync/mutex.go:70\n\
sync.(*Mutex).Lock(...)\n\t/usr/local/go/src/sync/mutex.go:46\n\
example.com/d/daemon.(*State).Get(0xc0001a2b40, {0x1c4d8e0?, 0xc0004a6000?})\n\t/src/daemon/state.go:88 +0x4e\n\
created by example.com/d/api.(*Server).serve in goroutine 41\n\t/src/api/server.go:120 +0x1a\n\n\
goroutine 3123 [sync.Mutex.Lock, 9 minutes]:\n\
internal/sync.runtime_SemacquireMutex(0x0?, 0x0?, 0x1?)\n\t/usr/local/go/src/runtime/sema.go:95 +0x25\n\
internal/sync.(*Mutex).lockSlow(0xc0001a2b48)\n\t/usr/local/go/src/internal/sync/mutex.go:149 +0x15d\n\
internal/sync.(*Mutex).Lock(...)\n\t/usr/local/go/src/internal/sync/mutex.go:70\n\
sync.(*Mutex).Lock(...)\n\t/usr/local/go/src/sync/mutex.go:46\n\
example.com/d/daemon.(*State).Get(0xc0001a2b40, {0x1c4d8e0?, 0xc0004a7000?})\n\t/src/daemon/state.go:88 +0x4e\n\n\
goroutine 50 [select, 12 minutes]:\n\
google.golang.org/grpc/internal/transport.(*Stream).waitOnHeader(0xc000222000)\n\t/go/pkg/mod/google.golang.org/grpc@v1.62.0/internal/transport/transport.go:328 +0x7b\n\
google.golang.org/grpc.(*ClientConn).Invoke({0xc000190000, 0x1}, {0x1f2e3c0, 0xc0003a4000}, {0x1a2b3c4, 0x26})\n\t/go/pkg/mod/google.golang.org/grpc@v1.62.0/call.go:35 +0x1c5\n\
example.com/d/daemon.(*State).Refresh(0xc0001a2b40)\n\t/src/daemon/state.go:130 +0x1a2\n";

#[test]
fn go124_internal_sync_with_rpc_holder() {
    let a = analyze(&parse(GO124.as_bytes()));
    assert_eq!(a.locks.len(), 1);
    let l = &a.locks[0];
    assert_eq!(l.address, "0xc0001a2b48");
    assert_eq!((l.holder, l.holder_minutes), (Some(50), Some(12)));
    assert_eq!(l.holder_activity, Activity::Rpc);
    assert_eq!(l.waiters, vec![3122, 3123]);
    assert_eq!(
        l.waiter_funcs,
        vec!["example.com/d/daemon.(*State).Get".to_string()]
    );
    assert_eq!(l.max_wait_minutes, Some(11));
    assert!(a.deadlocks.is_empty());
}

// Two goroutines with the lock's struct as receiver: the holder stays unknown, both listed.
#[test]
fn ambiguous_holder_is_not_invented() {
    let extra = "\n\ngoroutine 51 [IO wait]:\n\
example.com/d/daemon.(*State).Save(0xc0001a2b40)\n\t/src/daemon/state.go:150 +0x1a2\n";
    let text = format!("{GO124}{extra}");
    let a = analyze(&parse(text.as_bytes()));
    let l = &a.locks[0];
    assert_eq!(l.holder, None);
    let ids: Vec<u64> = l.holder_candidates.iter().map(|c| c.id).collect();
    // Ranked by the depth of the matching frame.
    assert_eq!(ids, vec![51, 50]);
    assert_eq!(l.holder_activity, Activity::Unknown);
}

// A healthy server dump: network poll, select loops, a WaitGroup wait (semacquire with no
// mutex), channel receives. No locks, no holders, no deadlocks.
const HEALTHY: &str = "goroutine 1 [semacquire, 40 minutes]:\n\
sync.runtime_Semacquire(0xc0000a8018)\n\t/usr/local/go/src/runtime/sema.go:56 +0x39\n\
sync.(*WaitGroup).Wait(0xc0000a8010)\n\t/usr/local/go/src/sync/waitgroup.go:130 +0x65\n\
main.main()\n\t/app/main.go:50 +0x2a5\n\n\
goroutine 18 [IO wait, 40 minutes]:\n\
internal/poll.runtime_pollWait(0x7f0e7c4a1f08, 0x72)\n\t/usr/local/go/src/runtime/netpoll.go:173 +0x57\n\
net.(*netFD).accept(0xc0000d0000, 0x0, 0x0, 0x0)\n\t/usr/local/go/src/net/fd_unix.go:238 +0x42\n\n\
goroutine 19 [chan receive]:\n\
runtime.chanrecv1(0xc0000a4060, 0x0)\n\t/usr/local/go/src/runtime/chan.go:402 +0x2b\n\
main.worker(0xc0000a4060)\n\t/app/main.go:20 +0x5c\n\n\
goroutine 20 [runnable]:\n\
main.producer(0xc0000a4060, 0x10)\n\t/app/main.go:30 +0x7c\n";

#[test]
fn no_contention_no_locks() {
    let a = analyze(&parse(HEALTHY.as_bytes()));
    assert!(a.locks.is_empty());
    assert!(a.deadlocks.is_empty());
    assert_eq!(a.unresolved_lock_waiters, 0);
    assert_eq!(a.goroutines, 4);
    let edges: Vec<_> = a
        .channel_edges
        .iter()
        .map(|e| (e.from, e.to, e.channel.as_str()))
        .collect();
    assert_eq!(edges, vec![(19, 20, "0xc0000a4060")]);
    assert_eq!(a.longest_waits[0].id, 1);
    assert_eq!(a.longest_waits[0].top, "main.main");
}

// The same dump written by an old dockerd into the journal, one prefix per line, rsyslog `#011`
// for tabs (goroutines.md "Dumps as people actually paste them").
#[test]
fn journal_embedded_dump() {
    let mut text = String::new();
    for line in CYCLE3.lines() {
        let line = line.replace('\t', "#011");
        text.push_str(&format!("Sep  9 10:02:37 node1 dockerd[12436]: {line}\n"));
    }
    let d = parse(text.as_bytes());
    assert_eq!(d.len(), 4);
    assert_eq!(d.goroutines()[1].line, 11);
    let a = analyze(&d);
    assert_eq!(a.deadlocks, vec![vec![5, 6, 8]]);
}

// dockerd 20.10 (go1.16) libnetwork lock-order cycle, moby/libnetwork#2649 / moby/moby#42545:
// watchLoop holds the controller lock (+0xf8) and waits in `(*network).ID`; sbLeave holds the
// network lock, whose mutex sits at +0x1b0 in `network` (libnetwork#2632 dump), and waits for
// the controller's. A second controller waiter teaches the controller offset.
const LIBNETWORK_CYCLE: &str = "goroutine 372 [semacquire, 28 minutes]:\n\
sync.runtime_SemacquireMutex(0xc000a7e3b4, 0x0, 0x1)\n\t/usr/local/go/src/runtime/sema.go:71 +0x47\n\
sync.(*Mutex).lockSlow(0xc000a7e3b0)\n\t/usr/local/go/src/sync/mutex.go:138 +0x105\n\
sync.(*Mutex).Lock(...)\n\t/usr/local/go/src/sync/mutex.go:81\n\
libnetwork.(*network).ID(0xc000a7e200, 0x0, 0x0)\n\t/ln/network.go:254 +0xbd\n\
libnetwork.(*controller).processEndpointDelete(0xc000478a00, 0xc000b2c660, 0xc0031a4b00)\n\t/ln/store.go:403 +0x9c\n\
libnetwork.(*controller).watchLoop(0xc000478a00)\n\t/ln/store.go:434 +0xb8\n\n\
goroutine 95812 [semacquire, 28 minutes]:\n\
sync.runtime_SemacquireMutex(0xc000478afc, 0x0, 0x1)\n\t/usr/local/go/src/runtime/sema.go:71 +0x47\n\
sync.(*Mutex).lockSlow(0xc000478af8)\n\t/usr/local/go/src/sync/mutex.go:138 +0x105\n\
sync.(*Mutex).Lock(...)\n\t/usr/local/go/src/sync/mutex.go:81\n\
libnetwork.(*network).getSvcRecords(0xc000a7e200, 0xc0031a4b00, 0x0, 0x0, 0x0)\n\t/ln/network.go:1461 +0x1d2\n\
libnetwork.(*endpoint).sbLeave(0xc0031a4b00, 0xc002d6e000, 0x1, 0x0, 0x0, 0x0, 0x0, 0x0)\n\t/ln/endpoint.go:807 +0x7b5\n\n\
goroutine 96001 [semacquire, 4 minutes]:\n\
sync.runtime_SemacquireMutex(0xc000478afc, 0xc003a1e000, 0x1)\n\t/usr/local/go/src/runtime/sema.go:71 +0x47\n\
sync.(*Mutex).lockSlow(0xc000478af8)\n\t/usr/local/go/src/sync/mutex.go:138 +0x105\n\
sync.(*Mutex).Lock(...)\n\t/usr/local/go/src/sync/mutex.go:81\n\
libnetwork.(*controller).SandboxDestroy(0xc000478a00, 0xc003a1f0c0, 0x40, 0x0, 0x0)\n\t/ln/controller.go:1241 +0x1bc\n";

#[test]
fn libnetwork_cycle_with_offset_over_256() {
    let a = analyze(&parse(LIBNETWORK_CYCLE.as_bytes()));
    assert_eq!(a.deadlocks, vec![vec![372, 95812]]);
    let summary = lock_summary(&a);
    assert_eq!(
        summary,
        vec![
            ("0xc000478af8", Some(372), vec![95812, 96001], Some(0xf8)),
            ("0xc000a7e3b0", Some(95812), vec![372], Some(0x1b0)),
        ]
    );
}
