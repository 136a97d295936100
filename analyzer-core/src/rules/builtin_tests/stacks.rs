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
    assert_eq!((f.score, f.severity), (100, Severity::Critical));
    assert_eq!(
        f.summary,
        "goroutine 512 (syscall, activity filesystem) holds the sync.Mutex at 0xc4201a6f48 while 230 goroutines wait behind it; the longest waiters have waited 47 minutes"
    );
}

// Noise: a momentary queue in a dump taken under load stays low; fewer than 50 waiters does
// not fire.
#[test]
fn momentary_queue_stays_low() {
    let f = run("lock-convoy", &[], vec![lock("60", "0")]).expect("fires");
    assert_eq!((f.score, f.severity), (40, Severity::Low));
    assert!(run("lock-convoy", &[], vec![lock("49", "30")]).is_none());
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
