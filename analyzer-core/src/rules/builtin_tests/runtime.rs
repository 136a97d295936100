//! Runtime-log (dockerd, containerd, systemd) rules.

use super::*;
use crate::base::Source::{Containerd, Dockerd, Systemd};

fn d<'a>(hms: &'a str, msg: &'a str) -> Line<'a> {
    (Dockerd, "dockerd", hms, msg)
}

const DIAL: &str = "time=\"2020-08-20T10:00:00Z\" level=error msg=\"failed to get event\" error=\"rpc error: code = Unavailable desc = all SubConns are in TransientFailure, latest connection error: connection error: desc = \\\"transport: Error while dialing dial unix /run/containerd/containerd.sock: connect: connection refused\\\"\" module=libcontainerd namespace=moby";

// Line shape: docker/for-linux#1001.
#[test]
fn sustained_containerd_refusals_are_critical() {
    let times: Vec<String> = (0..10).map(|i| format!("10:00:{:02}", i * 5)).collect();
    let v: Vec<Line<'_>> = times.iter().map(|t| d(t, DIAL)).collect();
    let f = run("dockerd-containerd-unreachable", &v, vec![]).expect("fires");
    assert_eq!((f.score, f.severity), (100, Severity::Critical));
    assert_eq!(
        f.summary,
        "dockerd failed to dial containerd at /run/containerd/containerd.sock 10 times from 2020-08-20T10:00:00Z to 2020-08-20T10:00:45Z (error: connection refused)"
    );
    assert_eq!(lines(&f), vec![1, 6, 10]);
}

// Noise: a couple of refusals while containerd restarts stay low.
#[test]
fn brief_containerd_refusal_stays_low() {
    let f = run(
        "dockerd-containerd-unreachable",
        &[d("10:00:00", DIAL), d("10:00:01", DIAL)],
        vec![],
    )
    .expect("fires");
    assert_eq!((f.score, f.severity), (60, Severity::Critical));
    let f = run(
        "dockerd-containerd-unreachable",
        &[d("10:00:00", "time=\"2020-08-20T10:00:00Z\" level=warning msg=\"grpc: addrConn.createTransport failed to connect to {unix:///run/containerd/containerd.sock  <nil> 0 <nil>}. Err :connection error: desc = \\\"transport: Error while dialing dial unix /run/containerd/containerd.sock: connect: connection refused\\\". Reconnecting...\" module=grpc")],
        vec![],
    )
    .expect("fires");
    assert_eq!((f.score, f.severity), (40, Severity::Low));
}

// Line shapes: moby#30782 (`Unable to remove filesystem … shm: device or resource busy`),
// docker/for-linux#841 (`cleanup: failed to unmount IPC`).
#[test]
fn repeated_busy_removals_are_medium() {
    let ids = [
        "9f5b4c7d2e1a0b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4",
        "1a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e7f809",
        "2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e7f8091a",
    ];
    let msgs: Vec<String> = ids
        .iter()
        .map(|id| format!("time=\"2020-08-20T10:00:00Z\" level=error msg=\"Handler for DELETE /v1.27/containers/{id} returned error: Unable to remove filesystem for {id}: remove /opt/io1/docker/containers/{id}/shm: device or resource busy\""))
        .collect();
    let ipc = format!(
        "time=\"2020-08-20T10:00:00Z\" level=warning msg=\"{} cleanup: failed to unmount IPC: umount /var/lib/docker/containers/{}/mounts/shm, flags: 0x2: no such file or directory\"",
        ids[0], ids[0]
    );
    let v = vec![
        d("10:00:00", &ipc),
        d("10:00:01", &msgs[0]),
        d("10:10:00", &msgs[1]),
        d("10:20:00", &msgs[2]),
    ];
    let f = run("device-busy-remove", &v, vec![]).expect("fires");
    assert_eq!((f.score, f.severity), (100, Severity::Medium));
    assert_eq!(
        f.summary,
        format!(
            "dockerd could not remove the filesystem of 3 container(s) because a mount was busy, from 2020-08-20T10:00:01Z to 2020-08-20T10:20:00Z (containers: {}, {}, {}); 1 IPC/shm unmount warning(s) during cleanup",
            ids[1], ids[2], ids[0]
        )
    );
    assert_eq!(lines(&f), vec![2, 3, 4, 1]);
}

// Noise: one busy removal that a retry fixes stays low; a removal error for another reason
// does not fire.
#[test]
fn single_busy_removal_stays_low() {
    let f = run(
        "device-busy-remove",
        &[d("10:00:00", "time=\"2020-08-20T10:00:00Z\" level=error msg=\"Error removing mounted layer 4f2c: driver \\\"overlay2\\\" failed to remove root filesystem for 4f2c8a9b1c3d: unlinkat /var/lib/docker/overlay2/7e1/merged: device or resource busy\"")],
        vec![],
    )
    .expect("fires");
    assert_eq!((f.score, f.severity), (40, Severity::Low));
    assert!(
        run(
            "device-busy-remove",
            &[d("10:00:00", "level=error msg=\"Handler for DELETE /v1.27/containers/abc returned error: Unable to remove filesystem for 4f2c8a9b1c3d: remove /var/lib/docker/containers/4f2c8a9b1c3d: directory not empty\"")],
            vec![],
        )
        .is_none()
    );
}

// Line shape: moby#44155 (`can't get final child's PID from pipe: EOF`, runc ≥ 1.1).
#[test]
fn node_side_shim_task_failures_are_high() {
    let msg = "time=\"2020-08-20T10:00:00Z\" level=error msg=\"Handler for POST /v1.41/containers/abc/start returned error: failed to create shim task: OCI runtime create failed: runc create failed: unable to start container process: can't get final child's PID from pipe: EOF: unknown\"";
    let times = ["10:00:00", "10:01:00", "10:02:00", "10:03:00", "10:04:00"];
    let v: Vec<Line<'_>> = times.iter().map(|t| d(t, msg)).collect();
    let f = run("shim-task-create-failed", &v, vec![]).expect("fires");
    assert_eq!((f.score, f.severity), (100, Severity::High));
    assert_eq!(
        f.summary,
        "the OCI runtime failed to create a container task 5 times from 2020-08-20T10:00:00Z to 2020-08-20T10:04:00Z: unable to start container process: can't get final child's PID from pipe: EOF; 5 failure(s) point at the node (can't get final child's PID from pipe)"
    );
    assert_eq!(lines(&f), vec![1, 3, 5]);
}

// Noise: an image mistake (moby#47550 shape, executable not found) is against: low.
#[test]
fn image_mistake_stays_low() {
    let f = run(
        "shim-task-create-failed",
        &[(Containerd, "containerd", "10:00:00", "time=\"2020-08-20T10:00:00Z\" level=error msg=\"StartContainer for \\\"abc\\\" failed\" error=\"failed to create containerd task: failed to create shim task: OCI runtime create failed: runc create failed: unable to start container process: exec: \\\"/app/run\\\": stat /app/run: no such file or directory: unknown\"")],
        vec![],
    )
    .expect("fires");
    assert_eq!((f.score, f.severity), (1, Severity::Low)); // (40 - 40) of 100, floored at 1
}

// Line shape: docker/for-linux#419 (dockerd d_type warning), moby#22937 (mount failure).
#[test]
fn overlay_without_dtype() {
    let f = run(
        "overlay-no-dtype",
        &[
            d("10:00:00", "time=\"2020-08-20T10:00:00Z\" level=warning msg=\"overlay2: the backing xfs filesystem is formatted without d_type support, which leads to incorrect behavior. Reformat the filesystem with ftype=1 to enable d_type support. Running without d_type support will not be supported in future releases.\" storage-driver=overlay2"),
            d("10:05:00", "time=\"2020-08-20T10:05:00Z\" level=error msg=\"Handler for POST /v1.31/containers/create returned error: error creating overlay mount to /var/lib/docker/overlay2/5f1/merged: invalid argument\""),
        ],
        vec![],
    )
    .expect("fires");
    assert_eq!((f.score, f.severity), (100, Severity::Medium));
    assert_eq!(
        f.summary,
        "overlay storage runs on a filesystem without d_type support (1 report(s) since 2020-08-20T10:00:00Z: the backing xfs filesystem is formatted without d_type support); 1 overlay mount(s) failed with invalid argument"
    );
    assert_eq!(lines(&f), vec![1, 2]);
}

// Near miss: `docker info` on a healthy node says `Supports d_type: true`.
#[test]
fn dtype_true_does_not_fire() {
    assert!(
        run(
            "overlay-no-dtype",
            &[(
                Source::Other,
                "docker-info",
                "10:00:00",
                " Supports d_type: true"
            )],
            vec![]
        )
        .is_none()
    );
}

// Line shape: containerd#3138 (TaskOOM repeated many times per second).
#[test]
fn taskoom_storm_is_medium() {
    let msg = "time=\"2020-08-20T10:00:00Z\" level=info msg=\"TaskOOM event &TaskOOM{ContainerID:0e6ee1c8a9d4b1a2f3e4d5c6b7a8091a2b3c4d5e6f708192a3b4c5d6e7f80912,}\"";
    let v = vec![(Containerd, "containerd", "10:00:00", msg); 60];
    let f = run("taskoom-event-storm", &v, vec![]).expect("fires");
    assert_eq!((f.score, f.severity), (80, Severity::Medium));
    assert_eq!(
        f.summary,
        "containerd published 60 TaskOOM events from 2020-08-20T10:00:00Z to 2020-08-20T10:00:00Z (containers: 0e6ee1c8a9d4b1a2f3e4d5c6b7a8091a2b3c4d5e6f708192a3b4c5d6e7f80912)"
    );
    assert_eq!(lines(&f), vec![1, 53, 60]);
}

// Noise: the few events of one ordinary OOM kill stay low.
#[test]
fn few_taskoom_events_stay_low() {
    let msg = "time=\"2020-08-20T10:00:00Z\" level=info msg=\"TaskOOM event &TaskOOM{ContainerID:0e6ee1c8a9d4,}\"";
    let f = run(
        "taskoom-event-storm",
        &[(Containerd, "containerd", "10:00:00", msg)],
        vec![],
    )
    .expect("fires");
    assert_eq!((f.score, f.severity), (20, Severity::Low));
}

// Line shapes: NPD docker-monitor.json (CorruptDockerImage, CorruptDockerOverlay2).
#[test]
fn corrupt_layers_are_high() {
    let f = run(
        "corrupt-image-layer",
        &[d("10:00:00", "time=\"2020-08-20T10:00:00Z\" level=error msg=\"Handler for GET /v1.40/containers/abc/json returned error: readlink /var/lib/docker/overlay2/l: invalid argument\""),
          d("10:01:00", "time=\"2020-08-20T10:01:00Z\" level=error msg=\"Error trying v2 registry: failed to register layer: rename /var/lib/docker/image/overlay2/layerdb/tmp/write-set-091 /var/lib/docker/image/overlay2/layerdb/sha256/8d3a: directory not empty\"")],
        vec![],
    )
    .expect("fires");
    assert_eq!((f.score, f.severity), (70, Severity::High));
    assert_eq!(
        f.summary,
        "dockerd hit a corrupt image/layer store 2 time(s) from 2020-08-20T10:00:00Z to 2020-08-20T10:01:00Z: readlink /var/lib/docker/overlay2/l: invalid argument"
    );
    assert_eq!(lines(&f), vec![1, 2]);
}

// Near miss: an overlay2 path in an ordinary message is not corruption.
#[test]
fn overlay_path_without_error_does_not_fire() {
    assert!(
        run(
            "corrupt-image-layer",
            &[d(
                "10:00:00",
                "level=debug msg=\"readlink /var/lib/docker/overlay2/l/ABC ok\""
            )],
            vec![]
        )
        .is_none()
    );
}

// Line shapes: moby#29921 / moby#30274 (restore failure, endpoint_cnt fix).
#[test]
fn netns_restore_failure_with_endpoint_fix_is_high() {
    let f = run(
        "netns-restore-failed",
        &[
            d("10:00:00", "time=\"2020-08-20T10:00:00Z\" level=error msg=\"failed to create osl sandbox while trying to restore sandbox 5106f51: failed to create a netlink handle: failed to set into network namespace 19 while creating netlink socket: invalid argument\""),
            d("10:00:01", "time=\"2020-08-20T10:00:01Z\" level=info msg=\"Fixing inconsistent endpoint_cnt for network bridge. Expected=0, Actual=1\""),
        ],
        vec![observation("ip-conflict", &[("ip", "172.17.0.2"), ("namespaces", "2")])],
    )
    .expect("fires");
    assert_eq!((f.score, f.severity), (100, Severity::High));
    assert_eq!(
        f.summary,
        "dockerd failed to restore network sandbox 5106f51 1 time(s) from 2020-08-20T10:00:00Z to 2020-08-20T10:00:00Z; it then fixed endpoint counts for network bridge; 1 IP address(es) are held by more than one network namespace"
    );
    assert_eq!(lines(&f), vec![1, 2]);
}

// Noise: a lone restore failure after an unclean reboot stays low.
#[test]
fn lone_restore_failure_stays_low() {
    let f = run(
        "netns-restore-failed",
        &[d("10:00:00", "level=error msg=\"failed to create osl sandbox while trying to restore sandbox 9a1b2c3: failed to get netns path\"")],
        vec![],
    )
    .expect("fires");
    assert_eq!((f.score, f.severity), (50, Severity::Low));
}

fn sd<'a>(hms: &'a str, msg: &'a str) -> Line<'a> {
    (Systemd, "systemd", hms, msg)
}

// Line shapes: NPD systemd-monitor.json start messages; the sosreport of k8stest-4
// (`Started containerd container runtime.`, `Scheduled restart job, restart counter is at 3.`).
#[test]
fn docker_restarting_three_times_in_an_hour_is_high() {
    let f = run(
        "frequent-daemon-restart",
        &[
            sd("09:00:00", "Started containerd container runtime."),
            sd("09:00:01", "Started Docker Application Container Engine."),
            sd("09:00:02", "Started kubelet: The Kubernetes Node Agent."),
            sd(
                "09:20:00",
                "docker.service: Main process exited, code=killed, status=9/KILL",
            ),
            sd("09:20:02", "Started Docker Application Container Engine."),
            sd(
                "09:40:00",
                "docker.service: Scheduled restart job, restart counter is at 3.",
            ),
            sd("09:40:02", "Started Docker Application Container Engine."),
        ],
        vec![],
    )
    .expect("fires");
    assert_eq!((f.score, f.severity), (54, Severity::High)); // 40 + 30 of 130
    assert_eq!(
        f.summary,
        "node daemons restarted repeatedly: docker started 3 times from 2020-08-20T09:00:01Z to 2020-08-20T09:40:02Z; systemd's restart counter for docker.service reached 3"
    );
    assert_eq!(lines(&f), vec![1, 5, 7, 2, 6]);
}

// Noise: one start of each daemon at boot, and a scheduler crash loop at boot, do not fire.
#[test]
fn boot_starts_do_not_fire() {
    assert!(
        run(
            "frequent-daemon-restart",
            &[
                sd("09:00:00", "Started containerd container runtime."),
                sd("09:00:01", "Started Docker Application Container Engine."),
                sd("09:00:02", "Started kubelet: The Kubernetes Node Agent."),
                sd("09:00:03", "snap.kube-scheduler.daemon.service: Scheduled restart job, restart counter is at 3."),
                sd("09:00:04", "kubelet.service: Scheduled restart job, restart counter is at 2."),
            ],
            vec![],
        )
        .is_none()
    );
}
