//! Kubelet-log rules.

use super::*;
use crate::base::Source::Kubelet;

fn kl<'a>(hms: &'a str, msg: &'a str) -> Line<'a> {
    (Kubelet, "kubelet", hms, msg)
}

const PLEG: &str = "E0820 10:00:00.000000    2765 kubelet.go:1778] skipping pod synchronization - [PLEG is not healthy: pleg was last seen active 3m5.30015447s ago; threshold is 3m0s]";

// Line shapes: k8s#61117 (unstructured), k8s#45419 (`Node became not ready … PLEG`).
#[test]
fn persistent_pleg_with_not_ready_is_high() {
    let mut v: Vec<Line<'_>> = ["10:00:00", "10:00:05", "10:00:10", "10:00:15", "10:00:20"]
        .iter()
        .map(|t| kl(t, PLEG))
        .collect();
    v.push(kl("10:00:21", "I0820 10:00:21.000000    2765 kubelet_node_status.go:431] Node became not ready: {Type:Ready Status:False LastHeartbeatTime:2020-08-20 10:00:21 Reason:KubeletNotReady Message:PLEG is not healthy: pleg was last seen active 3m25.1s ago; threshold is 3m0s}"));
    let f = run("pleg-unhealthy", &v, vec![]).expect("fires");
    assert_eq!((f.score, f.severity), (100, Severity::High));
    assert_eq!(
        f.summary,
        "kubelet reported PLEG not healthy 6 times from 2020-08-20T10:00:00Z to 2020-08-20T10:00:21Z (last relist 3m25.1s ago); the node went NotReady 1 times because of it"
    );
    assert_eq!(lines(&f), vec![1, 4, 6]);
}

// Kubelet 1.21+ structured logging (kubelet_node_status.go, moby/libnetwork#2649 node logs):
// `"Node became not ready" node=… condition={…}` has no colon after the message.
#[test]
fn structured_not_ready_counts() {
    let mut v: Vec<Line<'_>> = ["10:00:00", "10:00:05", "10:00:10", "10:00:15", "10:00:20"]
        .iter()
        .map(|t| kl(t, PLEG))
        .collect();
    v.push(kl("10:00:21", "I0820 10:00:21.000000    2765 kubelet_node_status.go:665] \"Node became not ready\" node=\"node-7\" condition={Type:Ready Status:False LastHeartbeatTime:2021-12-09 15:20:04.571253 +0800 CST m=+600.1 Reason:KubeletNotReady Message:PLEG is not healthy: pleg was last seen active 3m4.9s ago; threshold is 3m0s}"));
    let f = run("pleg-unhealthy", &v, vec![]).expect("fires");
    assert_eq!((f.score, f.severity), (100, Severity::High));
    assert!(
        f.summary
            .ends_with("(last relist 3m4.9s ago); the node went NotReady 1 times because of it"),
        "{}",
        f.summary
    );
}

// Noise: one PLEG blip (structured form, aws-samples/eks-workshop-v2#447) stays low.
#[test]
fn single_pleg_blip_stays_low() {
    let f = run(
        "pleg-unhealthy",
        &[kl("10:00:00", "E0820 10:00:00.000000    1545 kubelet.go:2055] \"Skipping pod synchronization\" err=\"PLEG is not healthy: pleg was last seen active 3m0.5s ago; threshold is 3m0s\"")],
        vec![],
    )
    .expect("fires");
    assert_eq!((f.score, f.severity), (40, Severity::Low));
}

// Line shapes: k8s#54381 (`ListContainers … code = 4 desc = context deadline exceeded`),
// k8s#72533 (`Container runtime is down`); PLEG nests under the runtime finding.
#[test]
fn runtime_down_is_critical_and_explains_pleg() {
    let v = vec![
        kl(
            "10:00:00",
            "E0820 10:00:00.000000    2765 remote_runtime.go:257] ListContainers with filter \"&ContainerFilter{Id:,State:nil,PodSandboxId:,LabelSelector:map[string]string{},}\" from runtime service failed: rpc error: code = 4 desc = context deadline exceeded",
        ),
        kl(
            "10:02:00",
            "E0820 10:02:00.000000    2765 remote_runtime.go:169] ListPodSandbox with filter \"nil\" from runtime service failed: rpc error: code = 4 desc = context deadline exceeded",
        ),
        kl(
            "10:04:00",
            "E0820 10:04:00.000000    2765 remote_runtime.go:257] ListContainers with filter \"nil\" from runtime service failed: rpc error: code = 4 desc = context deadline exceeded",
        ),
        kl(
            "10:04:30",
            "I0820 10:04:30.000000    2765 kubelet_node_status.go:431] Node became not ready: {Type:Ready Status:False Reason:KubeletNotReady Message:container runtime is down,PLEG is not healthy: pleg was last seen active 3m1s ago; threshold is 3m0s}",
        ),
        kl("10:05:00", PLEG),
    ];
    let e = engine();
    let mut obs = Observations::default();
    scan_into(e, &mut obs, "var/log/syslog", &v);
    let all = e.evaluate(&obs, &clock());
    let f = all
        .iter()
        .find(|f| f.rule == "container-runtime-down")
        .expect("top level");
    assert_eq!((f.score, f.severity), (100, Severity::Critical));
    assert_eq!(
        f.summary,
        "kubelet's calls to the container runtime failed 4 times from 2020-08-20T10:00:00Z to 2020-08-20T10:04:30Z (first failing call: ListContainers); kubelet reported \"Container runtime is down\" 1 times"
    );
    assert_eq!(lines(f), vec![1, 3, 4, 2]);
    assert_eq!(
        f.explains
            .iter()
            .map(|c| c.rule.as_str())
            .collect::<Vec<_>>(),
        vec!["pleg-unhealthy"]
    );
}

// Noise: one timeout while the runtime restarts stays low; an unrelated kubelet error does not fire.
#[test]
fn single_runtime_timeout_stays_low() {
    let f = run(
        "container-runtime-down",
        &[kl("10:00:00", "E0820 10:00:00.000000    2765 remote_runtime.go:257] ListContainers with filter \"nil\" from runtime service failed: rpc error: code = DeadlineExceeded desc = context deadline exceeded")],
        vec![],
    )
    .expect("fires");
    assert_eq!((f.score, f.severity), (40, Severity::Low));
    assert!(
        run(
            "container-runtime-down",
            &[kl("10:00:00", "E0820 10:00:00.000000    2765 kubelet.go:1148] Container garbage collection failed: operation timeout")],
            vec![],
        )
        .is_none()
    );
}

// Kubelet 1.21 structured form (`remote_runtime.go:116] "RunPodSandbox from runtime service
// failed" err=…`, moby/libnetwork#2649 node logs): the call is named whole, `PodSandboxStatus`
// is not read as `Status`.
#[test]
fn structured_runtime_calls_are_named_whole() {
    let f = run(
        "container-runtime-down",
        &[
            kl("10:00:00", "E0820 10:00:00.000000    2765 remote_runtime.go:394] \"PodSandboxStatus from runtime service failed\" err=\"rpc error: code = DeadlineExceeded desc = context deadline exceeded\" podSandboxID=\"5e2d9b1c7a8f\""),
            kl("10:02:00", "E0820 10:02:00.000000    2765 remote_runtime.go:116] \"RunPodSandbox from runtime service failed\" err=\"rpc error: code = Unknown desc = operation timeout: context deadline exceeded\""),
        ],
        vec![],
    )
    .expect("fires");
    assert!(
        f.summary
            .ends_with("(first failing call: PodSandboxStatus)"),
        "{}",
        f.summary
    );
}

// Line shape: k8s#45464 (`kubelet_volumes.go:114] Orphaned pod … found, but volume paths are
// still present on disk.`), repeated by housekeeping every 2 s.
#[test]
fn orphaned_pod_stream_is_medium() {
    let uid = "f7a3c1d2-9b8e-11e7-8a5f-0e1c2d3e4f50";
    let msg = format!(
        "E0820 10:00:00.000000    2765 kubelet_volumes.go:114] Orphaned pod \"{uid}\" found, but volume paths are still present on disk."
    );
    let times: Vec<String> = (0..30)
        .map(|i| format!("10:{:02}:{:02}", i * 2 / 60, i * 2 % 60))
        .collect();
    let v: Vec<Line<'_>> = times.iter().map(|t| kl(t, &msg)).collect();
    let f = run("orphaned-pod-volumes", &v, vec![]).expect("fires");
    assert_eq!((f.score, f.severity), (80, Severity::Medium));
    assert_eq!(
        f.summary,
        format!(
            "kubelet found orphaned pods with volume paths still on disk 30 times from 2020-08-20T10:00:00Z to 2020-08-20T10:00:58Z (pods: {uid})"
        )
    );
    // First, middle and last of the kept hits (the first 8 and the last 8).
    assert_eq!(lines(&f), vec![1, 23, 30]);
}

// Noise: a single orphan report during normal teardown (k8s#38498 old form) stays low.
#[test]
fn single_orphaned_pod_stays_low() {
    let f = run(
        "orphaned-pod-volumes",
        &[kl("10:00:00", "E0820 10:00:00.000000    2765 kubelet_volumes.go:110] Orphaned pod \"5c8b8b2e-6f0a-11e7-9d3c-0a1b2c3d4e5f\" found, but error <nil> occured during reading volume dir from disk")],
        vec![],
    )
    .expect("fires");
    assert_eq!((f.score, f.severity), (30, Severity::Low));
}

// Line shapes: google/cadvisor#1581 (raw.go:87 inotify_add_watch ENOSPC), k8s#10421
// (`failed to run Kubelet: inotify_init: too many open files`).
#[test]
fn inotify_exhaustion_stopping_the_kubelet() {
    let f = run(
        "inotify-exhausted",
        &[
            kl("10:00:00", "E0820 10:00:00.000000    2765 raw.go:87] Error while processing event (\"/sys/fs/cgroup/memory/kubepods/burstable/pod1\": 0x40000100 == IN_CREATE|IN_ISDIR): inotify_add_watch /sys/fs/cgroup/memory/kubepods/burstable/pod1: no space left on device"),
            kl("10:05:00", "F0820 10:05:00.000000    2800 server.go:233] failed to run Kubelet: inotify_init: too many open files"),
        ],
        vec![],
    )
    .expect("fires");
    assert_eq!((f.score, f.severity), (70, Severity::Medium));
    assert_eq!(
        f.summary,
        "inotify limits were exhausted 2 times from 2020-08-20T10:00:00Z to 2020-08-20T10:05:00Z: inotify_add_watch /sys/fs/cgroup/memory/kubepods/burstable/pod1: no space left on device; the kubelet failed to start 1 time(s) because of it"
    );
    assert_eq!(lines(&f), vec![1, 2]);
}

// Near miss: ENOSPC of a real write is not inotify; one watch failure alone stays low.
#[test]
fn inotify_near_misses() {
    assert!(
        run(
            "inotify-exhausted",
            &[kl("10:00:00", "E0820 10:00:00.000000    2765 kubelet.go:1] write /var/lib/kubelet/pods/x: no space left on device")],
            vec![],
        )
        .is_none()
    );
    let f = run(
        "inotify-exhausted",
        &[kl("10:00:00", "W0820 10:00:00.000000    2765 raw.go:140] Failed to watch directory \"/sys/fs/cgroup/memory/system.slice\": inotify_add_watch /sys/fs/cgroup/memory/system.slice/run-r1.scope: no space left on device")],
        vec![],
    )
    .expect("fires");
    assert_eq!((f.score, f.severity), (40, Severity::Low));
}

// Line shapes: k8s#71869 (image_gc_manager shortfall), k8s#44951 (eviction manager imagefs).
#[test]
fn image_gc_shortfalls_repeat() {
    let gc = "E0820 10:00:00.000000    2765 kubelet.go:1275] Image garbage collection failed multiple times in a row: failed to garbage collect required amount of images. Wanted to free 473842483 bytes, but freed 0 bytes";
    let f = run(
        "image-gc-failed",
        &[
            kl("10:00:00", gc),
            kl("10:05:00", gc),
            kl("10:10:00", "W0820 10:10:00.000000    2765 eviction_manager.go:333] eviction manager: attempting to reclaim imagefs"),
            kl("10:10:01", "E0820 10:10:01.000000    2765 eviction_manager.go:390] eviction manager: unexpected error when attempting to reduce imagefs pressure: wanted to free 9223372036854775807, but freed 14081525058 space with errors in image deletion: [rpc error: code = Unknown desc = Error response from daemon: conflict: unable to delete 99e59f495ffa (cannot be forced) - image is being used by running container 1b2c3d4e5f60]"),
        ],
        vec![],
    )
    .expect("fires");
    assert_eq!((f.score, f.severity), (100, Severity::Medium));
    assert_eq!(
        f.summary,
        "kubelet image garbage collection fell short 3 times from 2020-08-20T10:00:00Z to 2020-08-20T10:10:01Z: wanted to free 473842483 bytes but freed 0; the eviction manager was reclaiming imagefs"
    );
    assert_eq!(lines(&f), vec![1, 2, 4, 3]);
}

// Noise: one shortfall that the next pass fixes stays low.
#[test]
fn single_image_gc_shortfall_stays_low() {
    let f = run(
        "image-gc-failed",
        &[kl("10:00:00", "E0820 10:00:00.000000    2765 kubelet.go:1275] Image garbage collection failed once. Stats initialization may not have completed yet: failed to garbage collect required amount of images. Wanted to free 1048576 bytes, but freed 0 bytes")],
        vec![],
    )
    .expect("fires");
    assert_eq!((f.score, f.severity), (40, Severity::Low));
}

// Line shapes: k3s-io/k3s#888 (eviction_manager.go:333/344/355).
#[test]
fn eviction_of_pods_is_high() {
    let f = run(
        "eviction-pressure",
        &[
            kl("10:00:00", "W0820 10:00:00.000000    2765 eviction_manager.go:333] eviction manager: attempting to reclaim ephemeral-storage"),
            kl("10:00:00", "I0820 10:00:00.000000    2765 container_gc.go:85] attempting to delete unused containers"),
            kl("10:00:01", "I0820 10:00:01.000000    2765 eviction_manager.go:344] eviction manager: must evict pod(s) to reclaim ephemeral-storage"),
            kl("10:00:30", "W0820 10:00:30.000000    2765 eviction_manager.go:333] eviction manager: attempting to reclaim ephemeral-storage"),
            kl("10:00:31", "E0820 10:00:31.000000    2765 eviction_manager.go:355] eviction manager: eviction thresholds have been met, but no pods are active to evict"),
        ],
        vec![],
    )
    .expect("fires");
    assert_eq!((f.score, f.severity), (100, Severity::High));
    assert_eq!(
        f.summary,
        "the kubelet's eviction manager tried to reclaim ephemeral-storage 2 times from 2020-08-20T10:00:00Z to 2020-08-20T10:00:30Z (resources: ephemeral-storage); it had to evict pods 1 times; 1 time(s) no pod was left to evict"
    );
    assert_eq!(lines(&f), vec![1, 4, 3, 5]);
}

// Noise: one reclaim resolved by image GC (structured 1.2x form) stays low; the routine
// `KubeletHasNoDiskPressure` condition does not fire.
#[test]
fn single_reclaim_stays_low() {
    let f = run(
        "eviction-pressure",
        &[kl("10:00:00", "I0820 10:00:00.000000    2765 eviction_manager.go:349] \"Eviction manager: attempting to reclaim\" resourceName=\"ephemeral-storage\"")],
        vec![],
    )
    .expect("fires");
    assert_eq!((f.score, f.severity), (40, Severity::Low));
    assert!(
        f.summary.starts_with(
            "the kubelet's eviction manager tried to reclaim ephemeral-storage 1 times"
        )
    );
    assert!(
        run(
            "eviction-pressure",
            &[kl("10:00:00", "I0820 10:00:00.000000    2765 kubelet_node_status.go:472] Recording NodeHasNoDiskPressure event message for node node-1")],
            vec![],
        )
        .is_none()
    );
}
