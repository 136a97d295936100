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
        "the kubelet's PLEG was not healthy: the last relist was 3m25.1s ago from 2020-08-20T10:00:00Z to 2020-08-20T10:00:21Z (6 report(s)); the node went NotReady 1 times because of it"
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
            .ends_with("the last relist was 3m4.9s ago from 2020-08-20T10:00:00Z to 2020-08-20T10:00:21Z (6 report(s)); the node went NotReady 1 times because of it"),
        "{}",
        f.summary
    );
}

// Noise: one PLEG blip (structured form, aws-samples/eks-workshop-v2#447) stays low.
#[test]
fn single_pleg_blip_is_not_confirmed() {
    let f = run(
        "pleg-unhealthy",
        &[kl("10:00:00", "E0820 10:00:00.000000    1545 kubelet.go:2055] \"Skipping pod synchronization\" err=\"PLEG is not healthy: pleg was last seen active 3m0.5s ago; threshold is 3m0s\"")],
        vec![],
    )
    .expect("fires");
    assert_eq!((f.score, f.confidence), (40, Confidence::Likely));
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
        "the kubelet cannot get answers from the container runtime from 2020-08-20T10:00:00Z to 2020-08-20T10:04:30Z; 3 call(s) timed out (first: ListContainers); the kubelet reported \"container runtime is down\" 1 time(s)"
    );
    assert_eq!(lines(f), vec![1, 2, 3, 4]);
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
fn single_runtime_timeout_is_not_confirmed() {
    let f = run(
        "container-runtime-down",
        &[kl("10:00:00", "E0820 10:00:00.000000    2765 remote_runtime.go:257] ListContainers with filter \"nil\" from runtime service failed: rpc error: code = DeadlineExceeded desc = context deadline exceeded")],
        vec![],
    )
    .expect("fires");
    assert_eq!((f.score, f.severity), (50, Severity::Critical)); // 40 of 80
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
            .ends_with("; 1 call(s) timed out (first: PodSandboxStatus)"),
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
            "the kubelet could not clean up orphaned pods whose volumes are still on disk (pods: f7a3c1d2-9b8e-11e7-8a5f-0e1c2d3e4f50) from 2020-08-20T10:00:00Z to 2020-08-20T10:00:58Z; 30 report(s)"
        )
    );
    // First, middle and last of the kept hits (the first 8 and the last 8).
    assert_eq!(lines(&f), vec![1, 23, 30]);
}

// Noise: a single orphan report right after a delete (k8s#38498 old form; the structured form
// with `numErrs=1`) does not fire; reported again by the next pass, it stays low.
#[test]
fn single_orphaned_pod_is_not_confirmed() {
    let old = "E0820 10:00:00.000000    2765 kubelet_volumes.go:110] Orphaned pod \"5c8b8b2e-6f0a-11e7-9d3c-0a1b2c3d4e5f\" found, but error <nil> occured during reading volume dir from disk";
    let structured = "E0820 10:00:00.000000    2765 kubelet_volumes.go:225] \"There were many similar errors. Turn up verbosity to see them.\" err=\"orphaned pod \\\"3b1f6c2e-8a4d-4f0b-9c1e-7d2a5b8e6f40\\\" found, but volume paths are still present on disk\" numErrs=1";
    for msg in [old, structured] {
        assert!(
            run("orphaned-pod-volumes", &[kl("10:00:00", msg)], vec![]).is_none(),
            "{msg}"
        );
        let f = run(
            "orphaned-pod-volumes",
            &[kl("10:00:00", msg), kl("10:00:02", msg)],
            vec![],
        )
        .expect("fires");
        assert_eq!((f.score, f.confidence), (30, Confidence::Likely), "{msg}");
    }
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
        "inotify limits were exhausted: inotify_add_watch /sys/fs/cgroup/memory/kubepods/burstable/pod1: no space left on device from 2020-08-20T10:00:00Z to 2020-08-20T10:05:00Z (2 failure(s)); 1 kubelet or cAdvisor start(s) failed because of it"
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
    assert_eq!((f.score, f.confidence), (40, Confidence::Likely));
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
        "the kubelet's image garbage collection could not free enough disk space from 2020-08-20T10:00:00Z to 2020-08-20T10:10:01Z: it wanted to free 473842483 bytes but freed 0 (3 time(s)); the eviction manager was reclaiming imagefs"
    );
    assert_eq!(lines(&f), vec![1, 2, 4, 3]);
}

// Noise: one shortfall that the next pass fixes stays low.
#[test]
fn single_image_gc_shortfall_is_not_confirmed() {
    let f = run(
        "image-gc-failed",
        &[kl("10:00:00", "E0820 10:00:00.000000    2765 kubelet.go:1275] Image garbage collection failed multiple times in a row: failed to garbage collect required amount of images. Wanted to free 1048576 bytes, but freed 0 bytes")],
        vec![],
    )
    .expect("fires");
    assert_eq!((f.score, f.confidence), (40, Confidence::Likely));
    // The first pass after a kubelet start, before its statistics exist, counts against.
    let f = run(
        "image-gc-failed",
        &[kl("10:00:00", "E0820 10:00:00.000000    2765 kubelet.go:1275] Image garbage collection failed once. Stats initialization may not have completed yet: failed to garbage collect required amount of images. Wanted to free 1048576 bytes, but freed 0 bytes")],
        vec![],
    )
    .expect("fires");
    assert_eq!((f.score, f.confidence), (20, Confidence::Possible));
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
        "the kubelet evicted pods under resource pressure (ephemeral-storage) from 2020-08-20T10:00:00Z to 2020-08-20T10:00:30Z: its eviction manager tried to reclaim resources 2 times; it had to evict pods 1 times; 1 time(s) no pod was left to evict"
    );
    assert_eq!(lines(&f), vec![1, 4, 3, 5]);
}

// Noise: one reclaim resolved by image GC (structured 1.2x form) stays low; the routine
// `KubeletHasNoDiskPressure` condition does not fire.
#[test]
fn single_reclaim_is_not_confirmed() {
    let f = run(
        "eviction-pressure",
        &[kl("10:00:00", "I0820 10:00:00.000000    2765 eviction_manager.go:349] \"Eviction manager: attempting to reclaim\" resourceName=\"ephemeral-storage\"")],
        vec![],
    )
    .expect("fires");
    assert_eq!((f.score, f.confidence), (40, Confidence::Likely));
    assert!(
        f.summary.starts_with(
            "the kubelet evicted pods under resource pressure (ephemeral-storage) at 2020-08-20T10:00:00Z: its eviction manager tried to reclaim resources 1 times"
        ),
        "{}",
        f.summary
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

/// The score of `rule` on one kubelet line, if it fires.
fn one(rule: &str, msg: &str) -> Option<u8> {
    run(rule, &[kl("10:00:00", msg)], vec![]).map(|f| f.score)
}

// The runtime unreachable or hung, as the kubelet words it over the versions: dockershim-era
// `operation timeout` and `Error listing containers: dockertools.operationTimeout`
// (kubernetes#17525), unstructured `… with filter "nil" from runtime service failed` (#54381),
// structured `"ListContainers with filter from runtime service failed"` (gpu-operator#303),
// `unknown service runtime.v1alpha2.RuntimeService` / `runtime.v1.RuntimeService` (a containerd
// without its CRI plugin),
// `"ExecSync cmd from runtime service failed"` with the socket refused (bottlerocket#2512, note
// `code =Unavailable`), GenericPLEG relist failures, `container runtime is down`, dockershim's
// `Cannot connect to the Docker daemon`, and the kubelet's start-up calls failing over gRPC.
#[test]
fn runtime_down_phrasings() {
    for (msg, score) in [
        (
            "E0107 05:55:22.518981    1375 remote_runtime.go:711] \"ExecSync cmd from runtime service failed\" err=\"rpc error: code =Unavailable desc = connection error: desc = \\\"transport: Error while dialing dial unix /run/containerd/containerd.sock: connect: connection refused\\\"\" containerID=\"7d4d65dd400a\" cmd=[/bin/sh -c true]",
            50,
        ),
        (
            "E1215 17:43:01.372996    2101 remote_runtime.go:314] \"ListContainers with filter from runtime service failed\" err=\"rpc error: code = Unavailable desc = connection error: desc = \\\"transport: Error while dialing dial unix /run/containerd/containerd.sock: connect: connection refused\\\"\" filter=\"&ContainerFilter{Id:,State:nil,PodSandboxId:,LabelSelector:map[string]string{},}\"",
            50,
        ),
        (
            "E0628 02:10:05.149976    2890 remote_runtime.go:182] ListPodSandbox with filter nil from runtime service failed: rpc error: code = Unavailable desc = all SubConns are in TransientFailure, latest connection error: connection error: desc = \"transport: Error while dialing dial unix /var/snap/microk8s/common/run/containerd.sock: connect: connection refused\"",
            50,
        ),
        (
            "E1023 09:38:02.909099   28811 remote_runtime.go:163] ListPodSandbox with filter \"nil\" from runtime service failed: rpc error: code = 4 desc = context deadline exceeded",
            50,
        ),
        (
            "E0102 06:32:23.862407  250135 remote_runtime.go:434] Status from runtime service failed: rpc error: code = DeadlineExceeded desc = context deadline exceeded",
            50,
        ),
        (
            "E1101 06:36:09.392964    6953 generic.go:193] GenericPLEG: Unable to retrieve pods: operation timeout: context deadline exceeded",
            38,
        ),
        (
            "E1101 06:36:10.015611    6953 kubelet.go:2019] Error listing containers: dockertools.operationTimeout{err:(*errors.errorString)(0xc8200110c0)}",
            38,
        ),
        (
            "E1215 17:43:01.366855    2101 generic.go:205] \"GenericPLEG: Unable to retrieve pods\" err=\"rpc error: code = Unavailable desc = connection error: desc = \\\"transport: Error while dialing dial unix /run/containerd/containerd.sock: connect: connection refused\\\"\"",
            38,
        ),
        (
            "E1215 17:43:01.366810    2101 kuberuntime_sandbox.go:281] \"Failed to list pod sandboxes\" err=\"rpc error: code = Unavailable desc = connection error\"",
            38,
        ),
        (
            "I0409 21:14:19.210702   26014 kubelet.go:1794] skipping pod synchronization - [container runtime is down]",
            38,
        ),
        (
            "E0820 10:00:00.000000    2765 kubelet.go:1] Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?",
            38,
        ),
        // A socket that answers without the CRI service (microk8s#2225, #4302).
        (
            "E0503 15:46:25.990540   41600 remote_runtime.go:86] Version from runtime service failed: rpc error: code = Unimplemented desc = unknown service runtime.v1alpha2.RuntimeService",
            38,
        ),
        (
            "F1115 13:34:55.400614  376332 daemon.go:57] Kubelet exited failed to run Kubelet: validate service connection: validate CRI v1 runtime API for endpoint \"/var/snap/microk8s/common/run/containerd.sock\": rpc error: code = Unimplemented desc = unknown service runtime.v1.RuntimeService",
            38,
        ),
        // The kubelet unable to start because the runtime does not answer (microk8s#508).
        (
            "E0614 21:02:29.528552    4623 kuberuntime_manager.go:196] Get runtime version failed: rpc error: code = Unavailable desc = all SubConns are in TransientFailure, latest connection error: connection error: desc = \"transport: Error while dialing dial unix /var/snap/microk8s/common/run/containerd.sock: connect: connection refused\"",
            38,
        ),
        (
            "F0614 21:02:29.528575    4623 server.go:265] failed to run Kubelet: failed to create kubelet: rpc error: code = Unavailable desc = all SubConns are in TransientFailure, latest connection error: connection error: desc = \"transport: Error while dialing dial unix /var/snap/microk8s/common/run/containerd.sock: connect: connection refused\"",
            38,
        ),
    ] {
        assert_eq!(one("container-runtime-down", msg), Some(score), "{msg}");
    }
}

// Near misses: the runtime answered (`code = 2 desc = … Error response from daemon`, blog
// iquanku), an application's probes timing out (kubernetes#115469, #89898), an exec probe whose
// command exceeds its timeout, the start-up line of kubernetes#112364, a stop that times out
// (the pod-termination rule's), normal PLEG traffic.
#[test]
fn runtime_down_near_misses() {
    for msg in [
        "E0123 14:15:31.352386 26037 remote_runtime.go:91] RunPodSandbox from runtime service failed: rpc error: code = 2 desc = failed to start sandbox container for pod \"x\": Error response from daemon: {\"message\":\"oci runtime error\"}",
        "I0820 10:00:00.000000    2765 prober.go:116] Liveness probe for \"web-0_default(uid):web\" failed (failure): Get \"http://10.0.0.5:8080/healthz\": context deadline exceeded (Client.Timeout exceeded while awaiting headers)",
        "E0820 10:00:00.000000    2765 remote_runtime.go:734] \"ExecSync cmd from runtime service failed\" err=\"rpc error: code = DeadlineExceeded desc = context deadline exceeded\" containerID=\"7d4d65dd400a\" cmd=[/bin/check]",
        "E0910 08:16:39.790437 3008817 kubelet.go:1343] \"Image garbage collection failed once. Stats initialization may not have completed yet\" err=\"failed to get imageFs info: unable to find data in memory cache\"",
        "E0720 02:47:26.160575   26995 remote_runtime.go:505] \"StopContainer from runtime service failed\" err=\"rpc error: code = DeadlineExceeded desc = context deadline exceeded\" containerID=\"d966376d9c62e\"",
        "I0820 10:00:00.000000    2765 kubelet.go:1932] SyncLoop (PLEG): \"web-0_default(uid)\", event: &pleg.PodLifecycleEvent{ID:\"uid\", Type:\"ContainerStarted\"}",
        // The kubelet failing to start for a reason of its own, not the runtime's.
        "F0820 10:00:00.000000    2765 server.go:266] failed to run Kubelet: misconfiguration: kubelet cgroup driver: \"cgroupfs\" is different from docker cgroup driver: \"systemd\"",
    ] {
        assert_eq!(one("container-runtime-down", msg), None, "{msg}");
        assert_eq!(one("pleg-unhealthy", msg), None, "{msg}");
    }
}

// PLEG as the kubelet reports it: structured `err="PLEG is not healthy: …"` (eks-workshop#447),
// combined with `container runtime is down` (containerd/cri#1014), the node's Ready condition
// in `kubectl describe nodes` (jupyter-et#13).
#[test]
fn pleg_phrasings() {
    for msg in [
        "E0413 10:53:52.844381    3263 kubelet.go:2055] \"Skipping pod synchronization\" err=\"PLEG is not healthy: pleg was last seen active 2h33m12.704970756s ago; threshold is 3m0s\"",
        "I0102 06:42:00.569834  250135 kubelet.go:1771] skipping pod synchronization - [container runtime is down PLEG is not healthy: pleg was last seen active 66h20m49.039936615s ago; threshold is 3m0s]",
        "Ready            False   Mon, 03 Jun 2019 13:54:18 +0000   Sun, 02 Jun 2019 21:39:37 +0000   KubeletNotReady              PLEG is not healthy: pleg was last seen active 16h17m50.791825508s ago; threshold is 3m0s",
    ] {
        assert_eq!(one("pleg-unhealthy", msg), Some(40), "{msg}");
    }
}

// `last seen active 2562047h47m16.854775807s ago` (the largest Go duration): no relist has
// completed since the kubelet started. Once is every kubelet's first second (conjure-up#1421);
// reported again 5 s later the first relist never returned (kubernetes#84978, OpenShift node).
#[test]
fn pleg_never_relisted_counts_only_when_repeated() {
    let never = |hms: &'static str| {
        kl(
            hms,
            "I1108 16:25:22.761754   29837 kubelet.go:1758] skipping pod synchronization - [PLEG is not healthy: pleg was last seen active 2562047h47m16.854775807s ago; threshold is 3m0s]",
        )
    };
    assert!(run("pleg-unhealthy", &[never("10:00:00")], vec![]).is_none());
    let f = run(
        "pleg-unhealthy",
        &[never("10:00:00"), never("10:00:05")],
        vec![],
    )
    .expect("fires");
    assert_eq!(f.score, 40);
    assert_eq!(
        f.summary,
        "the kubelet's PLEG was not healthy: no relist had completed since the kubelet started (2 report(s)) from 2020-08-20T10:00:00Z to 2020-08-20T10:00:05Z"
    );
    assert_eq!(lines(&f), vec![1, 2]);
}

// Orphaned pods over the kubelet versions: 1.21+ structured and lower-case (longhorn#3804,
// rke2#2083), 1.5 `found, but error <nil> occured` (kubernetes#38498), 1.2–1.4 `Failed to remove
// orphaned pod … dir` (kubernetes#27651) with its aggregated `numErrs`, a regular file left in
// the volumes dir (kubernetes#105536, #114698: `error not a directory occurred`, later `…: not a
// directory`).
#[test]
fn orphaned_pod_phrasings() {
    {
        let msg = "E0110 20:02:13.103643    1465 kubelet_volumes.go:110] Orphaned pod \"0cea2c05-d76d-11e6-80a4-001e4f520ea4\" found, but error <nil> occured during reading volume dir from disk";
        // Once is transient; the next housekeeping pass finding it again is not.
        assert_eq!(one("orphaned-pod-volumes", msg), None, "{msg}");
        let twice = run(
            "orphaned-pod-volumes",
            &[kl("10:00:00", msg), kl("10:00:02", msg)],
            vec![],
        );
        assert_eq!(twice.map(|f| f.score), Some(30), "{msg}");
    }
    // A regular file in the volumes dir: the kubelet gets there only after every volume is
    // unmounted and nothing removes the file, so one report is the stuck state.
    for msg in [
        "E0331 15:47:45.892216    3416 kubelet_volumes.go:245] \"There were many similar errors. Turn up verbosity to see them.\" err=\"orphaned pod \\\"f11f2260-84b7-4d4f-b541-18d369cd8725\\\" found, but error not a directory occurred when trying to remove the volumes dir\" numErrs=1",
        "E0104 18:51:21.080528    1612 kubelet_volumes.go:245] \"There were many similar errors. Turn up verbosity to see them.\" err=\"orphaned pod \\\"228e5c3e-6756-4b16-929c-7948ad594342\\\" found, but error occurred when trying to remove the volumes dir: not a directory\" numErrs=1",
    ] {
        assert_eq!(one("orphaned-pod-volumes", msg), Some(30), "{msg}");
    }
    for msg in [
        "E1130 00:07:33.701620   11754 kubelet_volumes.go:225] \"There were many similar errors. Turn up verbosity to see them.\" err=\"orphaned pod \\\"39cfa982-dd90-403c-993e-e0223db5c110\\\" found, but failed to rmdir() volume at path /var/lib/kubelet/pods/39cfa982-dd90-403c-993e-e0223db5c110/volumes/kubernetes.io~empty-dir/tmp: directory not empty\" numErrs=6",
        "E0517 16:45:26.176639    3292 kubelet_volumes.go:128] Orphaned pod \"69d873c0-5324-11e8-9843-005056b76c14\" found, but volume paths are still present on disk : There were a total of 2 errors similar to this. Turn up verbosity to see them.",
        "I0618 00:17:04.064022    9199 kubelet.go:2006] Failed to remove orphaned pod \"87cfe5a1-34c7-11e6-85f1-42010af00002\" dir; err: remove /var/lib/kubelet/pods/87cfe5a1-34c7-11e6-85f1-42010af00002/volumes/kubernetes.io~secret/default-token-qf0cp: device or resource busy",
    ] {
        assert_eq!(one("orphaned-pod-volumes", msg), Some(30), "{msg}");
    }
    assert_eq!(
        one(
            "orphaned-pod-volumes",
            "E0606 04:10:31.000747    1745 kubelet_volumes.go:245] \"There were many similar errors. Turn up verbosity to see them.\" err=\"orphaned pod \\\"11cfbe01-0e47-4835-97e4-dbf46dfccd66\\\" found, but failed to rmdir() subpath at path /var/lib/kubelet/pods/x: not a directory\" numErrs=13"
        ),
        Some(50) // 30 + 20 of 100
    );
    for msg in [
        "I0618 00:17:04.062975    9199 kubelet.go:2004] Orphaned pod \"87cfe5a1-34c7-11e6-85f1-42010af00002\" found, removing",
        "I0606 04:10:32.997380    1745 kubelet_volumes.go:160] \"Cleaned up orphaned pod volumes dir\" podUID=11cfbe01-0e47-4835-97e4-dbf46dfccd66 path=\"/var/lib/kubelet/pods/11cfbe01-0e47-4835-97e4-dbf46dfccd66/volumes\"",
    ] {
        assert_eq!(one("orphaned-pod-volumes", msg), None, "{msg}");
    }
}

// Image GC over the versions: ≤ 1.28 `Wanted to free … but freed 0 bytes`, 1.29+ `Attempted to
// free … but only found 0 bytes eligible to free.`, the FreeDiskSpaceFailed / ImageGCFailed node
// events carrying them (foundation#1055), the eviction manager's `wanted to free …, but freed …
// space with errors` (#44951), removals refused for images in use (rancher#21069).
#[test]
fn image_gc_phrasings() {
    for (msg, score) in [
        (
            "E0906 10:35:35.059038    5345 kubelet.go:1246] Image garbage collection failed multiple times in a row: failed to garbage collect required amount of images. Wanted to free 5487241625 bytes, but freed 0 bytes",
            40,
        ),
        (
            "E0101 00:00:00.000000    2765 kubelet.go:1587] \"Image garbage collection failed multiple times in a row\" err=\"Failed to garbage collect required amount of images. Attempted to free 13148397568 bytes, but only found 373573457 bytes eligible to free.\"",
            40,
        ),
        (
            "FreeDiskSpaceFailed: failed to garbage collect required amount of images. Wanted to free 6808736563 bytes, but freed 0 bytes",
            40,
        ),
        (
            "ImageGCFailed: failed to garbage collect required amount of images. Wanted to free 6808736563 bytes, but freed 0 bytes",
            40,
        ),
        (
            "E0426 09:39:14.346813    1288 eviction_manager.go:390] eviction manager: unexpected error when attempting to reduce imagefs pressure: wanted to free 9223372036854775807, but freed 14081525058 space with errors in image deletion",
            40,
        ),
        (
            "E0622 16:57:08.601055   45399 remote_image.go:134] RemoveImage \"sha256:5731d7826aaee2068e4353b9de3b0294ce69f2e122e79e273d0b3dd7373912b2\" from image service failed: rpc error: code = Unknown desc = Error response from daemon: conflict: unable to delete 5731d7826aae (cannot be forced) - image is being used by running container 08b4ab7b0e4c",
            25,
        ),
    ] {
        assert_eq!(one("image-gc-failed", msg), Some(score), "{msg}");
    }
    assert_eq!(
        one(
            "image-gc-failed",
            "I1204 04:44:46.541696    9771 image_gc_manager.go:335] [imageGCManager]: Removing image \"sha256:1298dd4af995\" to free 9059008414 bytes"
        ),
        None
    );
}

// Eviction shown by its results when the `attempting to reclaim` line is not in the paste:
// structured `pods ranked for eviction` / `pod is evicted successfully` (kubernetes#132001), the
// evicted pod's status message (`kubectl describe pod`, foundation#1055), the Evicted and
// EvictionThresholdMet events (kubernetes#91600, minikube#6820).
#[test]
fn eviction_phrasings() {
    assert_eq!(
        one(
            "eviction-pressure",
            "I0528 16:05:54.802914 2269385 eviction_manager.go:627] \"Eviction manager: pod is evicted successfully\" pod=\"sre/infras-logstash-d484d57fc-rkx95\""
        ),
        Some(80) // 40 + 40 of 100: pods were evicted, and the manager had to evict them
    );
    for msg in [
        "I0528 16:05:50.514706 2269385 eviction_manager.go:405] \"Eviction manager: pods ranked for eviction\" pods=[\"sre/infras-logstash-d484d57fc-rkx95\"]",
        "Message:          The node was low on resource: ephemeral-storage. Container orchestration-api-server was using 108Ki, which exceeds its request of 0.",
        "Evicted: The node was low on resource: ephemeral-storage. Container calico-node was using 92Ki, which exceeds its request of 0.",
        "EvictionThresholdMet: Attempting to reclaim ephemeral-storage",
        "I0412 09:28:14.769630   14260 eviction_manager.go:362] eviction manager: pods ranked for eviction: kube-scheduler-minikube_kube-system(58272442e226c838b193bbba4c44091e)",
    ] {
        assert_eq!(one("eviction-pressure", msg), Some(40), "{msg}");
    }
    for msg in [
        "E0820 10:00:00.000000    2765 eviction_manager.go:256] \"Eviction manager: failed to get summary stats\" err=\"failed to get node info: node \\\"instance\\\" not found\"",
        "I0820 10:00:00.000000    2765 helpers.go:722] eviction manager: observations: signal=nodefs.available, available: 39646536Ki, capacity: 61255492Ki, time: 2021-12-07 10:00:00",
    ] {
        assert_eq!(one("eviction-pressure", msg), None, "{msg}");
    }
}

// inotify exhaustion as other programs word it: dnsmasq (kubernetes#32526), Go fsnotify in
// containerd's CNI monitor (claudie#1694), tail (cadvisor#1581), cAdvisor's fatal start
// (cadvisor#2533) and the kubelet's elided line (tarmak#756). A file-descriptor limit without
// inotify (boot2docker#466) is not this.
#[test]
fn inotify_phrasings() {
    for (source, msg) in [
        (
            Source::Other,
            "dnsmasq: failed to create inotify: Too many open files",
        ),
        (
            Source::Other,
            "    Message: failed to create CRI service: failed to create cni conf monitor for default: failed to create fsnotify watcher: too many open files",
        ),
        (Source::Other, "tail: inotify resources exhausted"),
        (
            Source::Other,
            "inotify_add_watch /sys/fs/cgroup/cpu,cpuacct: no space left on device",
        ),
    ] {
        let f = run(
            "inotify-exhausted",
            &[(source, "x", "10:00:00", msg)],
            vec![],
        );
        assert_eq!(f.map(|f| f.score), Some(40), "{msg}");
    }
    for msg in [
        "F0514 07:48:34.137076       1 cadvisor.go:188] Failed to start container manager: inotify_add_watch /sys/fs/cgroup/cpu,cpuacct: no space left on device",
        "... kubelet.go:1344] Failed to start cAdvisor inotify_add_watch /sys/fs/cgroup/memory/kubepods/pod<pod_id>/<container_id>: no space left on device",
    ] {
        assert_eq!(one("inotify-exhausted", msg), Some(70), "{msg}"); // 40 + 30 of 100
    }
    assert_eq!(
        run(
            "inotify-exhausted",
            &[(Source::Dockerd, "dockerd", "10:00:00", "http: Accept error: accept unix /var/run/docker.sock: accept4: too many open files; retrying in 1s")],
            vec![],
        )
        .map(|f| f.score),
        None
    );
}

// The kubelet's side of a pod that cannot terminate: unstructured `StopContainer "<id>" from
// runtime service failed` (k3s#2370), structured with `containerID=` (eks-ami#2069),
// `KillContainerError` plain (dockershim `operation timeout`, kubernetes#17525) and escaped inside
// `err="…"` (containerd#6080), StopPodSandbox (crictl, containerd#8847).
#[test]
fn pod_termination_kubelet_phrasings() {
    for msg in [
        "E1008 16:42:14.282866    1636 remote_runtime.go:243] StopContainer \"1c2fe2d36cecb0f1e2976b2d424298a151367598053e6c6b7091eff54923d117\" from runtime service failed: rpc error: code = DeadlineExceeded desc = context deadline exceeded",
        "E1120 06:50:36.124178    3828 remote_runtime.go:366] \"StopContainer from runtime service failed\" err=\"rpc error: code = DeadlineExceeded desc = context deadline exceeded\" containerID=\"60d9681fc1f51cca1dd96c6694b145587c0a0ebd1faea39eed9eb209634bba9e\"",
        "E1101 06:35:53.196054    6953 pod_workers.go:184] Error syncing pod df28408f-9ea5-11e6-85f2-0e064dc89aa0, skipping: failed to \"KillContainer\" for \"notification-service\" with KillContainerError: \"operation timeout: context deadline exceeded\"",
        "E1113 07:54:19.636989    2757 pod_workers.go:1301] \"Error syncing pod, skipping\" err=\"failed to \\\"KillContainer\\\" for \\\"solace\\\" with KillContainerError: \\\"rpc error: code = DeadlineExceeded desc = context deadline exceeded\\\"\" pod=\"solace-caas-uat/solace-monitor-0\"",
        "E0720 02:47:16.761915   25610 remote_runtime.go:269] \"StopPodSandbox from runtime service failed\" err=\"rpc error: code = DeadlineExceeded desc = context deadline exceeded\" podSandboxID=\"cd41e8f05c743\"",
    ] {
        assert_eq!(
            one("pod-terminating-runtime-timeout", msg),
            Some(28),
            "{msg}"
        ); // 40 of 145
    }
    for msg in [
        "I0909 19:07:47.989154    2765 kuberuntime_container.go:555] Killing container \"docker://a9a1785b81343c3ad2093ad973f4f8e52dbf54823b8bb089886c8356d4036fe0\" with 30 second grace period",
        "E0820 10:00:00.000000    2765 pod_workers.go:1301] \"Error syncing pod, skipping\" err=\"failed to \\\"KillContainer\\\" for \\\"web\\\" with KillContainerError: \\\"rpc error: code = Unknown desc = failed to kill container: permission denied\\\"\"",
    ] {
        assert_eq!(one("pod-terminating-runtime-timeout", msg), None, "{msg}");
    }
}

// The kubelet's node event for a kernel OOM kill, as `kubectl describe node` rows read it: before
// 1.16 without the victim (kubernetes#78174), after with it (kubernetes#100487's node events).
#[test]
fn system_oom_event_is_an_oom_kill() {
    assert_eq!(
        one("oom-kill", "SystemOOM: System OOM encountered"),
        Some(38)
    );
    let f = run(
        "oom-kill",
        &[
            kl(
                "10:00:00",
                "SystemOOM: System OOM encountered, victim process: stress, pid: 470521",
            ),
            kl("10:00:01", "SystemOOM: System OOM encountered"),
        ],
        vec![],
    )
    .expect("fires");
    assert_eq!(f.confidence, Confidence::Likely);
    assert!(
        f.summary
            .contains("the kubelet recorded 2 system OOM kill(s) (victim stress, pid 470521)"),
        "{}",
        f.summary
    );
    assert_eq!(lines(&f), vec![1, 2]);
}

// `container runtime is down` in the kubelet's first second (conjure-up#1421: the sync loop
// starts, then `skipping pod synchronization - [container runtime is down]`) is start-up; the same
// report three times, or a failed runtime call, is not.
#[test]
fn runtime_down_at_kubelet_start_is_only_possible() {
    let start = kl(
        "10:00:00",
        "I0429 04:15:01.160018   32157 kubelet.go:1777] Starting kubelet main sync loop.",
    );
    let down = |hms: &'static str| {
        kl(
            hms,
            "I0429 04:15:01.260129   32157 kubelet.go:1794] skipping pod synchronization - [container runtime is down]",
        )
    };
    let f = run("container-runtime-down", &[start, down("10:00:00")], vec![]).expect("fires");
    assert_eq!(f.confidence, Confidence::Possible);
    let f = run("container-runtime-down", &[down("10:00:00")], vec![]).expect("fires");
    assert_eq!(f.confidence, Confidence::Likely);
    let f = run(
        "container-runtime-down",
        &[start, down("10:00:00"), down("10:00:05"), down("10:00:10")],
        vec![],
    )
    .expect("fires");
    assert_eq!(f.confidence, Confidence::Confirmed);
}
