//! Goroutine-dump rules.

use super::*;

fn lock(waiters: &str, max_wait: &str) -> Observation {
    observation(
        "lock",
        &[
            ("address", "0xc4201a6f48"),
            ("kind", "sync.Mutex"),
            ("holder", "512"),
            ("holder_state", "syscall"),
            ("minutes", "47"),
            ("activity", "filesystem"),
            ("transitive_waiters", waiters),
            ("max_wait_minutes", max_wait),
            (
                "holder_frames",
                "syscall.unlinkat\nos.RemoveAll\ngithub.com/docker/docker/volume/local.(*Root).Remove",
            ),
            (
                "waiter_funcs",
                "github.com/docker/docker/daemon.(*Daemon).ContainerCreate",
            ),
        ],
    )
}

// Shape: goroutines.md lock layout; moby#31801 (holder in os.RemoveAll/unlinkat for minutes).
#[test]
fn lock_convoy_for_minutes_is_critical() {
    let f = run("lock-convoy", &[], vec![lock("230", "47")]).expect("fires");
    assert_eq!((f.score, f.severity), (63, Severity::Critical)); // 40 + 60 of 160
    assert_eq!(
        f.summary,
        "goroutines of a daemon queue behind a held lock: goroutine 512 (syscall, activity filesystem) holds the sync.Mutex at 0xc4201a6f48 while 230 goroutines wait behind it; the longest waiters have waited 47 minutes"
    );
}

// Noise: a momentary queue in a dump taken under load stays low; fewer than 50 waiters does
// not fire.
#[test]
fn momentary_queue_is_not_confirmed() {
    let f = run("lock-convoy", &[], vec![lock("60", "0")]).expect("fires");
    assert_eq!((f.score, f.confidence), (25, Confidence::Possible));
    assert!(run("lock-convoy", &[], vec![lock("49", "30")]).is_none());
}

/// A bucket of `count` goroutines in `state` for up to `minutes` minutes, with `frames`
/// (innermost first), as stacks observations carry it.
fn bucket(count: u64, state: &str, minutes: &str, frames: &[&str]) -> Observation {
    let mut o = observation(
        "goroutines",
        &[
            ("state", state),
            ("minutes", minutes),
            ("count", &count.to_string()),
            ("frames", &frames.join("\n")),
            (
                "caller",
                frames
                    .iter()
                    .find(|f| !crate::stacks::is_runtime_or_sync(f.as_bytes()))
                    .unwrap_or(&""),
            ),
        ],
    );
    o.weight = count;
    o
}

const PS_WAIT: &[&str] = &[
    "sync.runtime_SemacquireMutex",
    "sync.(*Mutex).Lock",
    "github.com/docker/docker/daemon.(*Daemon).reducePsContainer",
    "github.com/docker/docker/daemon.(*Daemon).reduceContainers",
    "github.com/docker/docker/daemon.(*Daemon).Containers",
];

// Partial dumps (class 2 of the issue): one pasted waiter (moby#25321 `[semacquire, 10
// minutes]`, eks-amazon-linux#1071 528 minutes, Go ≥ 1.22 `[sync.Mutex.Lock, 5 minutes]` with
// `internal/sync` frames as in containerd#13733), the holder alone (moby#30605: StateChanged
// waiting 1260 minutes on the stdio WaitGroup), a pprof profile's bucket of 300 000 waiters
// (no addresses, no minutes): a convoy at lower confidence than a whole dump shows it.
#[test]
fn partial_dumps_show_a_convoy() {
    let cases: Vec<(Observation, u8)> = vec![
        (bucket(1, "semacquire", "10", PS_WAIT), 13), // 20 of 160
        (bucket(1, "semacquire", "528", PS_WAIT), 25), // 20 + 20 of 160
        (
            bucket(
                1,
                "sync.Mutex.Lock",
                "5",
                &[
                    "internal/sync.(*Mutex).lockSlow",
                    "sync.(*Mutex).Lock",
                    "github.com/containerd/nri/pkg/adaptation.(*Adaptation).StateChange",
                ],
            ),
            13,
        ),
        (
            bucket(
                1,
                "semacquire",
                "1260",
                &[
                    "sync.runtime_Semacquire",
                    "sync.(*WaitGroup).Wait",
                    "github.com/docker/docker/daemon.(*Daemon).StateChanged",
                    "github.com/docker/docker/libcontainerd.(*container).handleEvent.func1",
                    "github.com/docker/docker/libcontainerd.(*queue).append.func1",
                ],
            ),
            13,
        ),
        (bucket(300_000, "", "0", PS_WAIT), 50), // 40 + 40 of 160
    ];
    for (o, score) in cases {
        let what = o.fields["frames"].clone();
        let f = run("lock-convoy", &[], vec![o]).unwrap_or_else(|| panic!("{what}"));
        assert_eq!(f.score, score, "{what}");
    }
    let f = run("lock-convoy", &[], vec![bucket(300_000, "", "0", PS_WAIT)]).expect("fires");
    assert_eq!(
        f.summary,
        "goroutines of a daemon queue behind a held lock; 300000 goroutines wait on a mutex in one and the same stack (in github.com/docker/docker/daemon.(*Daemon).reducePsContainer)"
    );
}

// A dump written by klog's fatal path (kube-controller-manager v1.23 `F0211 … leaderelection
// lost`, the sosreport of corpus-external): the goroutine that logged runs `klog/v2.stacks`
// while it holds the logger's mutex, and the 99 goroutines logging at that moment queue on
// `(*loggingT).output` behind the dump itself. Without that goroutine the same queue is a
// possible convoy; with a holder stuck for minutes it is one all the same.
#[test]
fn the_loggers_own_dump_is_no_convoy() {
    const KLOG_WAIT: &[&str] = &[
        "sync.runtime_SemacquireMutex",
        "sync.(*Mutex).lockSlow",
        "sync.(*Mutex).Lock",
        "k8s.io/kubernetes/vendor/k8s.io/klog/v2.(*loggingT).output",
        "k8s.io/kubernetes/vendor/k8s.io/klog/v2.(*loggingT).printDepth",
    ];
    let dumping = bucket(
        1,
        "running",
        "0",
        &[
            "k8s.io/kubernetes/vendor/k8s.io/klog/v2.stacks",
            "k8s.io/kubernetes/vendor/k8s.io/klog/v2.(*loggingT).output",
            "k8s.io/kubernetes/vendor/k8s.io/klog/v2.(*loggingT).printf",
            "k8s.io/kubernetes/vendor/k8s.io/klog/v2.Fatalf",
        ],
    );
    let queue = || bucket(99, "semacquire", "0", KLOG_WAIT);
    assert!(run("lock-convoy", &[], vec![queue(), dumping.clone()]).is_none());
    let f = run("lock-convoy", &[], vec![queue()]).expect("fires");
    assert_eq!((f.score, f.confidence), (25, Confidence::Possible)); // 40 of 160
    // A holder stuck for 47 minutes behind 230 waiters: 40 + 60 - 40 of 160.
    let f = run("lock-convoy", &[], vec![lock("230", "47"), dumping]).expect("fires");
    assert_eq!(f.score, 38);
}

// Near misses: long waits that are not on a mutex (docker/for-linux#1385 gRPC select for 2210
// minutes, a main goroutine on its WaitGroup, a sync.Cond), and a mutex wait of a minute.
#[test]
fn long_waits_off_a_mutex_are_not_a_convoy() {
    for o in [
        bucket(
            12,
            "select",
            "2210",
            &[
                "google.golang.org/grpc/internal/transport.(*Stream).waitOnHeader",
                "google.golang.org/grpc.(*clientStream).RecvMsg",
            ],
        ),
        bucket(
            1,
            "semacquire",
            "1467",
            &[
                "sync.runtime_Semacquire",
                "sync.(*WaitGroup).Wait",
                "main.main",
            ],
        ),
        bucket(
            3,
            "sync.Cond.Wait",
            "300",
            &[
                "sync.runtime_notifyListWait",
                "sync.(*Cond).Wait",
                "github.com/x/y.(*Queue).Pop",
            ],
        ),
        bucket(1, "semacquire", "1", PS_WAIT),
    ] {
        let what = o.fields["frames"].clone();
        assert!(run("lock-convoy", &[], vec![o]).is_none(), "{what}");
    }
}

// Shape: goroutines.md deadlock layout (a two-goroutine cycle).
#[test]
fn deadlock_is_critical_and_explains_runtime_down() {
    let e = engine();
    let mut obs = Observations::default();
    let msg = "E0820 10:00:00.000000    2765 remote_runtime.go:257] ListContainers with filter \"nil\" from runtime service failed: rpc error: code = DeadlineExceeded desc = context deadline exceeded";
    scan_into(
        e,
        &mut obs,
        "var/log/syslog",
        &[(Source::Kubelet, "kubelet", "10:00:00", msg)],
    );
    obs.observations.push(observation(
        "deadlock",
        &[
            ("goroutines", "12, 13"),
            ("size", "2"),
            (
                "frames",
                "daemon.(*Daemon).ContainerStop\ncontainer.(*State).Lock",
            ),
        ],
    ));
    let all = e.evaluate(&obs, &clock());
    let f = all
        .iter()
        .find(|f| f.rule == "goroutine-deadlock")
        .expect("top level");
    assert_eq!((f.score, f.severity), (100, Severity::Critical));
    assert_eq!(
        f.summary,
        "1 lock cycle(s) in the goroutine dumps: goroutines 12, 13 each wait for a lock another one holds (cycle of 2)"
    );
    assert_eq!(
        f.explains
            .iter()
            .map(|c| c.rule.as_str())
            .collect::<Vec<_>>(),
        vec!["container-runtime-down"]
    );
}

// Near miss: lock summaries without a cycle are not a deadlock.
#[test]
fn no_cycle_no_deadlock() {
    assert!(run("goroutine-deadlock", &[], vec![lock("230", "47")]).is_none());
}
