//! Tests of the seed-incident rules (`../shared/docs/incidents.md`), with the lines the seed
//! write-ups quote.

use super::testkit::*;
use crate::base::{Confidence, Severity, Source};
use crate::rules::engine::Observations;

const API: &str = "time=\"2018-12-14T20:04:45.788669544+08:00\" level=debug msg=\"Calling GET /v1.27/containers/json?all=1&filters=%7B%22label%22%3A%7B%22io.kubernetes.docker.type%3Dpodsandbox%22%3Atrue%7D%7D&limit=0\"";
const OOM_INIT: &str =
    "Memory cgroup out of memory: Kill process 20357 (runc:[2:INIT]) score 970 or sacrifice child";

fn api_loop(n: usize) -> Vec<Line<'static>> {
    const TIMES: [&str; 12] = [
        "10:00:00", "10:00:01", "10:00:02", "10:00:03", "10:00:04", "10:00:05", "10:00:06",
        "10:00:07", "10:00:08", "10:00:09", "10:00:10", "10:00:11",
    ];
    (0..n)
        .map(|i| (Source::Dockerd, "dockerd", TIMES[i % 12], API))
        .collect()
}

/// seed 000 / incidents.md §1: the API loop alone is a symptom, not a diagnosis: possible, with
/// what would make it sure listed as missing.
#[test]
fn runc_exec_fifo_hang_on_the_api_loop_alone_is_possible() {
    let e = builtin();
    let mut obs = Observations::default();
    scan_into(
        &e,
        &mut obs,
        "sos_commands/logs/journalctl_--no-pager",
        &api_loop(12),
    );
    let f = finding(&e, &obs, "runc-exec-fifo-hang").expect("fires on the API loop");
    assert_eq!((f.score, f.confidence), (18, Confidence::Possible)); // 15 of 85
    assert_eq!(f.missing.len(), 3);
    // What would make it sure: the stronger alternatives first (the stub's OOM kill, runc's
    // own dump, strace, the zombie), then the supporting evidence.
    assert!(f.missing[0].contains("runc:[2:INIT]"), "{:?}", f.missing);
    assert!(f.missing[0].contains("exec fifo"), "{:?}", f.missing);
    assert_eq!(
        f.evidence.iter().map(|e| e.line).collect::<Vec<_>>(),
        vec![1, 7, 12]
    );
    // Polling now and then (docker/for-linux#1348: four calls) is not even that.
    let mut obs = Observations::default();
    scan_into(
        &e,
        &mut obs,
        "sos_commands/logs/journalctl_--no-pager",
        &api_loop(4),
    );
    assert!(finding(&e, &obs, "runc-exec-fifo-hang").is_none());
}

/// seed 000: the OOM kill of the init stub makes it likely; the dump of the blocked daemon
/// confirms it.
#[test]
fn runc_exec_fifo_hang_confirmed_by_the_oom_of_the_init_stub() {
    let e = builtin();
    let mut obs = Observations::default();
    scan_into(
        &e,
        &mut obs,
        "sos_commands/logs/journalctl_--no-pager",
        &api_loop(12),
    );
    scan_into(
        &e,
        &mut obs,
        "sos_commands/kernel/dmesg",
        &[(Source::Kernel, "kernel", "09:58:00", OOM_INIT)],
    );
    let f = finding(&e, &obs, "runc-exec-fifo-hang").unwrap();
    // The group of alternatives weighs its heaviest member: the OOM kill.
    assert_eq!(f.score, 41); // 35 of 85
    assert_eq!(
        (f.severity, f.confidence),
        (Severity::Critical, Confidence::Likely)
    );
    assert_eq!(
        f.summary,
        "runc is blocked on the exec fifo of a container whose init stub died from \
         2020-08-20T09:58:00Z to 2020-08-20T10:00:11Z: the kernel OOM-killed runc:[2:INIT] (pid 20357); dockerd received 12 \
         container list calls that never completed (API v1.27)"
    );
    let mut blocked = observation(
        "goroutines",
        &[
            ("state", "chan receive"),
            ("minutes", "91274"),
            (
                "frames",
                "google.golang.org/grpc.(*ClientConn).Invoke\ngithub.com/docker/docker/libcontainerd.(*client).GetPidsForContainer",
            ),
        ],
    );
    blocked.weight = 37;
    obs.observations.push(blocked);
    let f = finding(&e, &obs, "runc-exec-fifo-hang").unwrap();
    assert_eq!(f.score, 71); // 35 + 25 of 85
    assert_eq!(f.confidence, Confidence::Confirmed);
    assert!(
        f.summary
            .contains("; 37 daemon goroutines have waited up to 91274 minutes on containerd")
    );
}

/// seed 000 §2 (docker/docs#6942 shapes): the kubelet dependency failure is nested under the cause.
#[test]
fn devicemapper_thinpool_missing_explains_the_kubelet_failure() {
    let e = builtin();
    let mut obs = Observations::default();
    scan_into(
        &e,
        &mut obs,
        "var/log/messages",
        &[
            (
                Source::Dockerd,
                "dockerd",
                "03:21:03",
                "Error starting daemon: error initializing graphdriver: devicemapper: Non existing device docker-thinpool",
            ),
            (
                Source::Systemd,
                "systemd",
                "03:21:03",
                "docker.service: main process exited, code=exited, status=1/FAILURE",
            ),
            (
                Source::Systemd,
                "systemd",
                "03:21:03",
                "Failed to start Docker Application Container Engine.",
            ),
            (
                Source::Systemd,
                "systemd",
                "03:21:03",
                "Dependency failed for kubernetes Kubelet.",
            ),
            (
                Source::Systemd,
                "systemd",
                "03:21:03",
                "Job kubelet.service/start failed with result 'dependency'.",
            ),
        ],
    );
    let top = e.evaluate(&obs, &clock());
    assert_eq!(top.len(), 1);
    assert_eq!(top[0].rule, "devicemapper-thinpool-missing");
    assert_eq!(top[0].score, 91); // 60 + 20 + 20 of 110
    assert_eq!(top[0].explains.len(), 1);
    assert_eq!(top[0].explains[0].rule, "kubelet-dependency-failed");
    assert!(
        top[0].summary.starts_with(
            "dockerd failed to start: devicemapper Non existing device docker-thinpool"
        )
    );
}

const STOP: &str = "E0820 10:25:54.561334   12170 remote_runtime.go:243] StopContainer \"ff329173246bdc6e0c4db8fa0b3d4902380412664f74331b70197c6999f33d4e\" from runtime service failed: rpc error: code = Unknown desc = operation timeout: context deadline exceeded";
const TERM: &str = "E0820 10:25:54.562667   12170 kuberuntime_container.go:590] Container \"docker://ff329173246bdc6e0c4db8fa0b3d4902380412664f74331b70197c6999f33d4e\" termination failed with gracePeriod 30: rpc error: code = Unknown desc = operation timeout: context deadline exceeded";

/// seed 001 (k8s v1.16.6 kubelet lines): the symptom alone, and nested under the state mismatch.
#[test]
fn pod_terminating_and_state_mismatch() {
    let e = builtin();
    let mut obs = Observations::default();
    scan_into(
        &e,
        &mut obs,
        "var/log/messages",
        &[
            (Source::Kubelet, "kubelet", "10:25:54", STOP),
            (Source::Kubelet, "kubelet", "10:25:54", TERM),
        ],
    );
    let f = e.evaluate(&obs, &clock());
    assert_eq!(f[0].rule, "pod-terminating-runtime-timeout");
    assert_eq!(f[0].score, 41); // 40 + 20 of 145
    assert!(
        f[0].summary
            .contains("container ff329173246bdc6e0c4db8fa0b3d4902380412664f74331b70197c6999f33d4e")
    );
    assert!(
        f[0].summary
            .contains("container termination failed 1 time(s) with grace period 30s")
    );

    obs.observations.push(observation(
        "runtime-state-mismatch",
        &[
            (
                "container_id",
                "ff329173246bdc6e0c4db8fa0b3d4902380412664f74331b70197c6999f33d4e",
            ),
            ("docker_state", "running"),
            ("containerd_state", "STOPPED"),
        ],
    ));
    let f = e.evaluate(&obs, &clock());
    assert_eq!(f.len(), 1);
    assert_eq!(f[0].rule, "runtime-state-mismatch");
    assert_eq!(f[0].explains[0].rule, "pod-terminating-runtime-timeout");
    assert_eq!(f[0].explains[0].score, 55); // 40 + 20 + 20 of 145
}

/// seed 002: any runc symptom plus the full pids cgroup.
#[test]
fn runc_init_pids_exhausted() {
    let e = builtin();
    let mut obs = Observations::default();
    let exec = "time=\"2021-05-12T09:08:40.663754355+08:00\" level=error msg=\"Error running exec 110deb1c1b2a2d2671d7368bd02bfc18a968e4712a3c771dedf0b362820e73cb in container: OCI runtime exec failed: exec failed: container_linux.go:348: starting container process caused \\\"read init-p: connection reset by peer\\\": unknown\"";
    scan_into(
        &e,
        &mut obs,
        "var/log/messages",
        &[(Source::Dockerd, "dockerd", "09:08:40", exec)],
    );
    let f = finding(&e, &obs, "runc-init-pids-exhausted").unwrap();
    assert_eq!((f.score, f.confidence), (20, Confidence::Possible)); // 25 of 125: the group weighs its heaviest member (30)
    obs.observations.push(observation(
        "pids-limit-reached",
        &[
            ("cgroup", "/kubepods/burstable/pod2c1f/5b2d"),
            ("current", "10000"),
            ("max", "10000"),
        ],
    ));
    let f = finding(&e, &obs, "runc-init-pids-exhausted").unwrap();
    assert_eq!((f.score, f.severity), (60, Severity::High)); // 75 of 125
    assert!(f.summary.ends_with(
        "; cgroup /kubepods/burstable/pod2c1f/5b2d is at pids.max 10000 (current 10000)"
    ));
}

/// seed 003: the lock held by (*Root).Remove, with kubelet timeouts nested.
#[test]
fn volume_remove_lock() {
    let e = builtin();
    let mut obs = Observations::default();
    obs.observations.push(observation(
        "lock",
        &[
            ("address", "0xc000aee820"),
            ("holder", "2211"),
            ("holder_state", "syscall"),
            ("minutes", "83"),
            ("activity", "filesystem"),
            ("waiters", "217"),
            ("transitive_waiters", "217"),
            ("max_wait_minutes", "83"),
            ("holder_frames", "syscall.unlinkat\nos.Remove\nos.RemoveAll\nos.RemoveAll\ngithub.com/docker/docker/volume/local.(*Root).Remove"),
            ("waiter_funcs", "github.com/docker/docker/volume/local.(*Root).Get\ngithub.com/docker/docker/container.(*Container).UnmountVolumes"),
        ],
    ));
    scan_into(
        &e,
        &mut obs,
        "var/log/messages",
        &[(Source::Kubelet, "kubelet", "10:25:54", STOP)],
    );
    let top = e.evaluate(&obs, &clock());
    assert_eq!(top[0].rule, "volume-remove-lock");
    assert_eq!(top[0].score, 100);
    assert_eq!(
        top[0].summary,
        "goroutine 2211 of dockerd holds the volume/local Root lock 0xc000aee820 for 83 minutes while removing a \
         volume (syscall, filesystem); 217 goroutines wait on it (217 directly, up to 83 minutes); the kubelet's \
         StopContainer calls time out (1 times)"
    );
    let nested: Vec<&str> = top[0].explains.iter().map(|f| f.rule.as_str()).collect();
    assert!(
        nested.contains(&"pod-terminating-runtime-timeout"),
        "{nested:?}"
    );
    assert!(nested.contains(&"lock-convoy"), "{nested:?}");
}

/// seed 004: orphaned shims explain the IP conflict.
#[test]
fn orphaned_shim_explains_the_leaked_netns() {
    let e = builtin();
    let mut obs = Observations::default();
    for pid in ["3990", "5010", "6120"] {
        obs.observations.push(observation(
            "orphaned-shim",
            &[("pid", pid), ("container_id", "6e65dee45dc4")],
        ));
    }
    obs.observations.push(observation(
        "ip-conflict",
        &[
            ("ip", "10.233.14.137"),
            ("namespaces", "3"),
            ("pids", "4021,5033,6141"),
            (
                "ancestry",
                "java(4021) < docker-containerd-shim(3990) < systemd(1)",
            ),
        ],
    ));
    let top = e.evaluate(&obs, &clock());
    assert_eq!(top.len(), 1);
    assert_eq!(top[0].rule, "orphaned-shim");
    assert_eq!(top[0].score, 56); // 50 of 90
    assert!(top[0].summary.starts_with(
        "3 v1 shim process(es) are re-parented to PID 1 and unknown to dockerd (e.g. pid 3990"
    ));
    assert_eq!(top[0].explains[0].rule, "leaked-netns-ip-conflict");
    assert_eq!(top[0].explains[0].score, 85); // 60 + 25 of 100
    assert_eq!(top[0].explains[0].severity, Severity::Critical);
}
