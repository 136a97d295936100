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
        "dockerd could not connect to containerd at /run/containerd/containerd.sock from 2020-08-20T10:00:00Z to 2020-08-20T10:00:45Z: 10 failed connection(s) (connection refused); libcontainerd lost its event stream 10 time(s)"
    );
    assert_eq!(lines(&f), vec![1, 6, 10]);
}

// Noise: a couple of refusals while containerd restarts stay low.
#[test]
fn brief_containerd_refusal_is_not_confirmed() {
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
    assert_eq!((f.score, f.confidence), (40, Confidence::Likely));
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
        "dockerd could not remove container filesystems because a mount was busy from 2020-08-20T10:00:01Z to 2020-08-20T10:20:00Z: 3 failed removal(s) (containers: 1a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e7f809, 2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e7f8091a, 9f5b4c7d2e1a0b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4); 1 IPC/shm unmount warning(s) during cleanup"
    );
    assert_eq!(lines(&f), vec![2, 3, 4, 1]);
}

// Noise: one busy removal that a retry fixes stays low; a removal error for another reason
// does not fire.
#[test]
fn single_busy_removal_is_not_confirmed() {
    let f = run(
        "device-busy-remove",
        &[d("10:00:00", "time=\"2020-08-20T10:00:00Z\" level=error msg=\"Error removing mounted layer 4f2c: driver \\\"overlay2\\\" failed to remove root filesystem for 4f2c8a9b1c3d: unlinkat /var/lib/docker/overlay2/7e1/merged: device or resource busy\"")],
        vec![],
    )
    .expect("fires");
    assert_eq!((f.score, f.confidence), (40, Confidence::Likely));
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
        "the OCI runtime failed to create a container task: unable to start container process: can't get final child's PID from pipe: EOF from 2020-08-20T10:00:00Z to 2020-08-20T10:04:00Z (5 failure(s)); 5 failure(s) point at the node (can't get final child's PID from pipe)"
    );
    assert_eq!(lines(&f), vec![1, 3, 5]);
}

// Noise: an image mistake (moby#47550 shape, executable not found) counts against as much as
// the failure counts for it: no finding.
#[test]
fn image_mistake_does_not_fire() {
    let f = run(
        "shim-task-create-failed",
        &[(
            Containerd,
            "containerd",
            "10:00:00",
            "time=\"2020-08-20T10:00:00Z\" level=error msg=\"StartContainer for \\\"abc\\\" failed\" error=\"failed to create containerd task: failed to create shim task: OCI runtime create failed: runc create failed: unable to start container process: exec: \\\"/app/run\\\": stat /app/run: no such file or directory: unknown\"",
        )],
        vec![],
    );
    assert!(f.is_none());
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
        "overlay storage runs on a filesystem without d_type support: the backing xfs filesystem is formatted without d_type support at 2020-08-20T10:00:00Z (1 report(s)); 1 overlay mount(s) failed with invalid argument"
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
    assert_eq!((f.score, f.severity), (100, Severity::Medium));
    assert_eq!(
        f.summary,
        "containerd kept publishing TaskOOM events at 2020-08-20T10:00:00Z: 60 TaskOOM event(s) (containers: 0e6ee1c8a9d4b1a2f3e4d5c6b7a8091a2b3c4d5e6f708192a3b4c5d6e7f80912); at least 50 within a minute (60 in all)"
    );
    assert_eq!(lines(&f), vec![1, 53, 60]);
}

// Noise: the one event of an ordinary OOM kill (containerd#7102, and 1.7's `container_id:`
// phrasing in containerd#8893) does not fire; a few in a row stay low.
#[test]
fn few_taskoom_events_stay_low() {
    for msg in [
        "time=\"2020-08-20T10:00:00Z\" level=info msg=\"TaskOOM event &TaskOOM{ContainerID:0e6ee1c8a9d4,}\"",
        "time=\"2023-09-01T19:12:33.012922721Z\" level=info msg=\"TaskOOM event container_id:\\\"4bcba7fc4369fee4d7d2e6263b58fce52cfc928c6a31cfac4d43c838708991ce\\\"\"",
    ] {
        assert!(
            run(
                "taskoom-event-storm",
                &[(Containerd, "containerd", "10:00:00", msg)],
                vec![]
            )
            .is_none(),
            "{msg}"
        );
        let f = run(
            "taskoom-event-storm",
            &[(Containerd, "containerd", "10:00:00", msg); 3],
            vec![],
        )
        .expect("fires");
        assert_eq!((f.score, f.confidence), (25, Confidence::Possible), "{msg}"); // 20 of 80
    }
    let debug = "level=debug msg=\"event published\" ns=moby topic=/tasks/oom type=containerd.events.TaskOOM";
    let f = run(
        "taskoom-event-storm",
        &[(Containerd, "containerd", "10:00:00", debug); 4],
        vec![],
    )
    .expect("fires");
    assert_eq!(f.score, 25);
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
        "dockerd hit a corrupt image/layer store: readlink /var/lib/docker/overlay2/l: invalid argument from 2020-08-20T10:00:00Z to 2020-08-20T10:01:00Z (2 time(s))"
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
        "dockerd could not restore the network sandboxes of containers at 2020-08-20T10:00:00Z: restoring sandbox 5106f51 failed 1 time(s); it then fixed endpoint counts for network bridge; 1 IP address(es) are held by more than one network namespace"
    );
    assert_eq!(lines(&f), vec![1, 2]);
}

// Noise: a lone restore failure after an unclean reboot stays low.
#[test]
fn lone_restore_failure_is_not_confirmed() {
    let f = run(
        "netns-restore-failed",
        &[d("10:00:00", "level=error msg=\"failed to create osl sandbox while trying to restore sandbox 9a1b2c3: failed to get netns path\"")],
        vec![],
    )
    .expect("fires");
    assert_eq!((f.score, f.confidence), (50, Confidence::Likely));
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
    assert_eq!((f.score, f.severity), (28, Severity::High)); // 40 + 30 of 250
    assert_eq!(
        f.summary,
        "node daemons kept restarting from 2020-08-20T09:00:00Z to 2020-08-20T09:40:02Z: docker started 3 times; systemd's restart counter for docker.service reached 3"
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

/// The score of `rule` on one record of `source`, if it fires.
fn one(rule: &str, source: Source, msg: &str) -> Option<u8> {
    run(rule, &[(source, "x", "10:00:00", msg)], vec![]).map(|f| f.score)
}

// dockerd losing containerd over the versions: grpc's `dial unix /run/containerd/containerd.sock:
// connect: connection refused` (moby#40390, #40130), the 17.x–18.x `Failed to connect to
// containerd: failed to dial "…/docker-containerd.sock": dial unix:///…: timeout`
// (docker/for-linux#274), grpc's `error while dialing: dial unix:///…sock: timeout`
// (docker/for-linux#517), a start that cannot dial at all.
#[test]
fn containerd_unreachable_phrasings() {
    for msg in [
        "time=\"2020-01-17T13:34:00.228328085Z\" level=error msg=\"failed to get event\" error=\"rpc error: code = Unavailable desc = all SubConns are in TransientFailure, latest connection error: connection error: desc = \\\"transport: Error while dialing dial unix /run/containerd/containerd.sock: connect: connection refused\\\"\" module=libcontainerd namespace=plugins.moby",
        "Failed to connect to containerd: failed to dial \"/var/run/docker/containerd/docker-containerd.sock\": dial unix:///var/run/docker/containerd/docker-containerd.sock: timeout",
        "WARN[2019-10-15T17:29:26.310066345+08:00] grpc: addrConn.createTransport failed to connect to {unix:///var/run/docker/containerd/docker-containerd.sock 0  <nil>}. Err :connection error: desc = \"transport: error while dialing: dial unix:///var/run/docker/containerd/docker-containerd.sock: timeout\". Reconnecting...  module=grpc",
        "failed to start daemon: failed to dial \"/run/containerd/containerd.sock\": context deadline exceeded",
    ] {
        assert!(
            one("dockerd-containerd-unreachable", Dockerd, msg).is_some_and(|s| s >= 40),
            "{msg}"
        );
    }
    // The kubelet dialling containerd is the runtime-down rule's, not dockerd's.
    assert_eq!(
        one(
            "dockerd-containerd-unreachable",
            Source::Kubelet,
            "E0107 05:55:22.518981    1375 remote_runtime.go:711] \"ExecSync cmd from runtime service failed\" err=\"rpc error: code =Unavailable desc = connection error: desc = \\\"transport: Error while dialing dial unix /run/containerd/containerd.sock: connect: connection refused\\\"\""
        ),
        None
    );
}

// dockerd's supervisor killing the containerd it manages after failed health checks
// (moby#36117, docker 17.12): no dial error, the restart says containerd stopped answering.
#[test]
fn containerd_killed_for_not_answering() {
    let f = run(
        "dockerd-containerd-unreachable",
        &[
            d(
                "10:00:00",
                "time=\"2020-08-20T10:00:00.744982796Z\" level=info msg=\"killing and restarting containerd\" module=libcontainerd pid=8011",
            ),
            d(
                "10:00:01",
                "time=\"2020-08-20T10:00:01.962944219Z\" level=info msg=\"libcontainerd: started new docker-containerd process\" pid=123372",
            ),
        ],
        vec![],
    )
    .expect("fires");
    assert_eq!(
        (f.score, f.confidence, f.severity),
        (40, Confidence::Likely, Severity::Critical)
    );
    assert_eq!(
        f.summary,
        "dockerd could not connect to containerd at 2020-08-20T10:00:00Z; containerd stopped answering its health checks and dockerd killed and restarted it 1 time(s)"
    );
    assert_eq!(lines(&f), vec![1]);
    assert_eq!(
        one(
            "dockerd-containerd-unreachable",
            Dockerd,
            "time=\"2020-08-20T10:00:01Z\" level=error msg=\"failed restarting containerd\" error=\"exec: \\\"docker-containerd\\\": executable file not found in $PATH\""
        ),
        Some(40)
    );
    // Starting the managed containerd the first time is not a restart.
    assert_eq!(
        one(
            "dockerd-containerd-unreachable",
            Dockerd,
            "time=\"2020-08-20T10:00:01Z\" level=info msg=\"libcontainerd: started new docker-containerd process\" pid=123372"
        ),
        None
    );
}

// Busy removals over storage drivers and versions: `Unable to remove filesystem for <id>` (1.x–
// 17.x, moby#22877), `Driver overlay2 failed to remove root filesystem <id>:` (≤ 17.03,
// gdev#35), `driver "overlay" failed to remove root filesystem for <id>:` (17.06–19.03), 20.10+
// `container <id>: driver "overlay2" failed to remove root filesystem: unlinkat …`
// (pterodactyl#3773), aufs `rename …-removing` (boot2docker#269), devicemapper `Device is Busy`
// (moby#8712).
#[test]
fn device_busy_phrasings() {
    for msg in [
        "Error response from daemon: Unable to remove filesystem for 67228d33a62e6116066e434f5fe109446d0567569440fd39f17f0226dd100b71: remove /var/lib/docker/containers/67228d33a62e6116066e434f5fe109446d0567569440fd39f17f0226dd100b71/shm: device or resource busy",
        "ERROR: for db  Driver overlay2 failed to remove root filesystem 15874c3878feb44d0c70cc8792aa2f07c0d4131e319e782e3d79ce288c60a120: remove /var/lib/docker/overlay2/d4b505c0bf5dd42bb2e46343d4f9c00262992d8c64526f1eba318723d3a11fe8/merged: device or resource busy",
        "Error response from daemon: driver \"overlay\" failed to remove root filesystem for b030cf52bc61d5052c8d7ca2d781715055cfe00ccfcf87601e7c5381c0078858: remove /var/lib/docker/overlay/8764a60eaa9d/merged: device or resource busy",
        "environment/docker: failed to remove container during pre-boot: Error response from daemon: container 24773d7e124a62e9f4e4facf5134175db8126516bb4ad9e51201be896a41fbe6: driver \"overlay2\" failed to remove root filesystem: unlinkat /var/lib/docker/overlay2/2e6b/merged: device or resource busy",
        "Error: container_delete: Cannot destroy container 6fec2432008e: Driver aufs failed to remove root filesystem 6fec2432008e61df5f3a62bc787037064e6550e870f73a4dbc33b482bf867632: rename /mnt/sda1/var/lib/docker/aufs/mnt/6fec2432008e /mnt/sda1/var/lib/docker/aufs/mnt/6fec2432008e-removing: device or resource busy",
        "Error response from daemon: Cannot destroy container 89bb8b0bb1c3: Driver devicemapper failed to remove root filesystem 89bb8b0bb1c3b005fdc77424c74ae1805b83d9e2ea18c4bc8803c4466d976257: Device is Busy",
    ] {
        assert_eq!(one("device-busy-remove", Dockerd, msg), Some(40), "{msg}");
    }
    // A removal failing with an I/O error (moby#39189) is a disk problem, not a busy mount.
    assert_eq!(
        one(
            "device-busy-remove",
            Dockerd,
            "Error response from daemon: driver \"overlay2\" failed to remove root filesystem for 0c3: readdirent: input/output error"
        ),
        None
    );
}

// Corrupt layer stores in pull output, API errors and client logs: `rename … : directory not
// empty` (moby#23487, with the paths broken by a terminal in kubernetes#28826), 17.x+ `file
// exists` (moby#44909), a broken overlay2 link directory and the store root itself
// (moby#35747, cyphondock#62), and a layer whose bookkeeping file is gone from the driver's
// store: aufs `layers/<id>` (moby#38051, mssql-docker#14 under another data root) and overlay2
// `<id>/committed` (lemmy#1632). A layer whose own content is bad (promscale#633, `ApplyLayer …
// unlinkat …: directory not empty`), a full disk or a path inside the image is not the store's.
#[test]
fn corrupt_layer_phrasings() {
    for msg in [
        "failed to register layer: open /var/lib/docker/aufs/layers/03e95f6f05d4037c285734fc9b12de5e8384528df4e20f80feccd73ba4fa2d53: no such file or directory",
        "failed to register layer: open /home/docker/aufs/layers/979db2360ccddf7f589f2478dc9eefcb6a7dad27fed64767aeeb5b09daa9c270: no such file or directory",
        "ERROR: failed to register layer: open /var/lib/docker/overlay2/647ce8b746b9bae99307a823115888d9e5119cd883890eb3ff26ca6049230deb/committed: no such file or directory",
        "failed to register layer: rename /var/lib/docker/image/overlay/layerdb/tmp/layer-558969056 /var/lib/docker/image/overlay/layerdb/sha256/3d979a98dc302b351aec55cf58f1b2bd86880c57df9553fb4fe0f94087f04e0b: directory not empty",
        "(Error pulling image (2015-10-13-8c72f8c) from     gcr.io/google_containers/skydns, failed to register layer: rename /var/lib/docker/image/overlay/layerdb/tmp/layer-714872967 /var/lib/docker/image/    overlay/layerdb/sha256/be0afd7c2227: directory not empty)",
        "failed to register layer: rename /var/lib/docker/image/overlay2/layerdb/tmp/write-set-508278197 /var/lib/docker/image/overlay2/layerdb/sha256/e5e13b0c77cb: file exists",
        "Error response from daemon: readlink /var/lib/docker/overlay2/l: invalid argument",
        "ERROR: readlink /var/lib/docker/overlay2: invalid argument",
    ] {
        assert_eq!(one("corrupt-image-layer", Dockerd, msg), Some(70), "{msg}");
    }
    assert_eq!(
        one(
            "corrupt-image-layer",
            Dockerd,
            "failed to register layer: ApplyLayer exit status 1 stdout:  stderr: unlinkat //build/promscale/sql: directory not empty"
        ),
        None
    );
    for msg in [
        "failed to register layer: Error processing tar file(exit status 1): write /usr/lib/libLLVM.so: no space left on device",
        "failed to register layer: mkdir /usr/lib/x86_64-linux-gnu/gio/modules: invalid argument",
        "failed to register layer: ApplyLayer exit status 1 stdout:  stderr: no such file or directory",
    ] {
        assert_eq!(one("corrupt-image-layer", Dockerd, msg), None, "{msg}");
    }
}

// dockerd's devicemapper start failures over the versions: `devicemapper: Non existing device`
// (docker docs#6942), the pool that cannot be created without any `devicemapper:` prefix
// (slackware-container#2), a missing loop-lvm data file (blog poppulo), a broken pool's base
// device (blog kouhan), a base device that no longer matches what dockerd recorded (moby#21606,
// `Fileystem` in container-storage-setup#116, RHEL's dockerd-current in origin#14601), with the
// kernel's metadata errors as support. A static binary
// (moby#14368) or an overlay2 option (moby#22685) is something else.
#[test]
fn devicemapper_phrasings() {
    for msg in [
        "Error starting daemon: error initializing graphdriver: devicemapper: Non existing device docker-thinpool",
        "FATA[0000] Error starting daemon: error initializing graphdriver: Error running DeviceCreate (CreatePool) dm_task_run failed",
        "me@mymachine> level=fatal msg=\"Error starting daemon: error initializing graphdriver: open /var/lib/docker/devicemapper/devicemapper/data: no such file or directory\"",
        "[graphdriver] prior storage driver \"devicemapper\" failed: devmapper: Base device /dev/mapper/docker-253:0-134217728-base does not exist.",
        "FATA[0000] Error starting daemon: error initializing graphdriver: devmapper: Base Device UUID and Filesystem verification failed.devicemapper: Error running deviceCreate (ActivateDevice) dm_task_run failed ",
        "Error starting daemon: error initializing graphdriver: devmapper: Base Device UUID and Fileystem verification failed.devicemapper: Error running deviceCreate (ActivateDevice) dm_task_run failed",
        "time=\"2017-06-29T18:49:14.946590822Z\" level=error msg=\"[graphdriver] prior storage driver \\\"devicemapper\\\" failed: devmapper: Base Device UUID and Filesystem verification failed: devicemapper: Can't set co...k_set_cookie failed\"",
    ] {
        assert!(
            one("devicemapper-thinpool-missing", Dockerd, msg).is_some(),
            "{msg}"
        );
    }
    let f = run(
        "devicemapper-thinpool-missing",
        &[
            k_line("device-mapper: btree spine: node_check failed: csum 1600702373 != wanted 1600827965"),
            (Dockerd, "dockerd", "10:00:01", "[graphdriver] prior storage driver \"devicemapper\" failed: devmapper: Base device /dev/mapper/docker-253:0-134217728-base does not exist."),
        ],
        vec![],
    )
    .expect("fires");
    assert!(
        f.summary
            .ends_with("the kernel reported device-mapper metadata errors 1 time(s)"),
        "{}",
        f.summary
    );
    for msg in [
        "time=\"2015-07-02T23:16:12.806317973+01:00\" level=fatal msg=\"Error starting daemon: error initializing graphdriver: devicemapper storage driver cannot reliably be used with a statically linked docker binary\"",
        "Error starting daemon: error initializing graphdriver: overlay2: unknown option dm.thinpooldev",
    ] {
        assert_eq!(
            one("devicemapper-thinpool-missing", Dockerd, msg),
            None,
            "{msg}"
        );
    }
}

fn k_line(msg: &str) -> Line<'_> {
    (Source::Kernel, "kernel", "10:00:00", msg)
}

// Sandbox restore failures as dockerd words them: the restore itself (moby#29921), a stale
// sandbox that cannot be cleaned up (docker/for-linux#688), containers whose namespace is gone
// (libnetwork#2322, moby#25215). Normal restores (moby#24971) do not fire.
#[test]
fn netns_restore_phrasings() {
    for (msg, score) in [
        (
            "time=\"2019-06-04T16:45:52.440657603+01:00\" level=error msg=\"Failed to delete sandbox 0165346f6e3d234663fa8468be20c97194f9b058ffc5a3996949a58aaa533d72 while trying to cleanup: could not cleanup all the endpoints in container 1ea4dcc7807d\"",
            40,
        ),
        (
            "time=\"2016-07-29T08:57:37.423211346Z\" level=error msg=\"Failed to start container 65ff1b44494a: network sandbox join failed: could not get network sandbox (oper true): failed get network namespace \\\"\\\": no such file or directory\"",
            40,
        ),
        // A restored container whose endpoint is gone from the store (moby#32812, docker 17.03).
        (
            "time=\"2017-04-25T10:04:35.784998410Z\" level=error msg=\"Failed to start container c0c1a2fca9bef558d4e4f315bad561621002b1217e1ceb22f59c807075896710: could not find endpoint with id 0f083040b8ec742ca0390bca1fce5d6d852e0a684965ec8c280281987dcd371f\"",
            40,
        ),
        // Stale sandboxes that cannot even be rebuilt for cleanup (moby#17611, docker 1.9).
        (
            "ERRO[0000] getEndpointFromStore for eid 7b854e06132d9126cfeb0bcec20074bdcf935cc4dce0d23eb7421c82cd2c565d failed while trying to build sandbox for cleanup: could not find endpoint 7b854e06132d9126cfeb0bcec20074bdcf935cc4dce0d23eb7421c82cd2c565d: Key not found in store",
            40,
        ),
        // A start refused over the previous run's endpoint (moby#33796 after `systemctl restart
        // docker`, libnetwork#373 docker 1.7 after a power outage).
        (
            "Failed to start container xxx: service endpoint with name rabbit_master_1 already exists",
            30,
        ),
        (
            "Error response from daemon: Cannot restart container test1: invalid endpoint id: 27b2e9df4727b31dd216380ef32ffcaa1d71dec38e9e1be84f6861162f4e113a",
            30,
        ),
    ] {
        assert_eq!(
            one("netns-restore-failed", Dockerd, msg),
            Some(score),
            "{msg}"
        );
    }
    for msg in [
        "time=\"2016-08-05T10:00:00Z\" level=debug msg=\"Restoring endpoints and sandbox for container 3e1b\"",
        "time=\"2019-06-04T16:45:52.697629130+01:00\" level=info msg=\"Removing stale sandbox 0803e51328c2 (2fe36bdf9db8)\"",
        // Names taken by networks or containers are ordinary user errors.
        "Error response from daemon: network with name backend already exists",
        "docker: Error response from daemon: Conflict. The container name \"/selenium\" is already in use by container \"c08a534226bc\".",
        // Deleting an endpoint already gone is cleanup of any stop, not a failed restore.
        "time=\"2017-04-25T10:04:35.633076740Z\" level=warning msg=\"driver error deleting endpoint rabbit_1 : endpoint id \\\"0f083040b8ec\\\" not found\"",
    ] {
        assert_eq!(one("netns-restore-failed", Dockerd, msg), None, "{msg}");
    }
}

// Restart loops as systemd and dockerd report them: the start limit (nvidia-container-runtime#45),
// restart jobs in systemd ≥ 244 wording (docker/for-linux#162), systemd < 236 `holdoff time
// over`, and dockerd restarting its managed containerd (moby#32555).
#[test]
fn restart_loop_phrasings() {
    let f = run(
        "frequent-daemon-restart",
        &[
            sd(
                "16:53:58",
                "docker.service: Failed with result 'start-limit-hit'.",
            ),
            sd(
                "16:54:37",
                "docker.service: Start request repeated too quickly.",
            ),
        ],
        vec![],
    )
    .expect("fires");
    // systemd's own verdict alone is likely: 60 of 250, above three fifths of the rule's 30.
    assert_eq!((f.score, f.confidence), (24, Confidence::Likely));
    assert!(
        f.summary
            .ends_with("systemd gave up restarting docker.service (start limit hit)"),
        "{}",
        f.summary
    );
    let f = run(
        "frequent-daemon-restart",
        &[
            sd(
                "10:00:00",
                "docker.service: Service RestartSec=100ms expired, scheduling restart.",
            ),
            sd(
                "10:00:01",
                "docker.service: Scheduled restart job, restart counter is at 3.",
            ),
            sd(
                "10:00:02",
                "docker.service holdoff time over, scheduling restart.",
            ),
        ],
        vec![],
    )
    .expect("fires");
    assert_eq!(f.score, 24); // 30 + 30 of 250
    let managed = "time=\"2017-04-12T07:43:23.744581306Z\" level=info msg=\"libcontainerd: new containerd process, pid: 1094\"";
    let f = run(
        "frequent-daemon-restart",
        &[d("07:43:23", managed), d("07:43:25", managed)],
        vec![],
    )
    .expect("fires");
    assert_eq!(f.score, 12); // 30 of 250
    assert!(
        f.summary
            .ends_with("dockerd started a new containerd 2 times"),
        "{}",
        f.summary
    );
    // One managed containerd at daemon start is normal.
    assert!(run("frequent-daemon-restart", &[d("07:43:23", managed)], vec![]).is_none());
}

// The kubelet held back by a failed dependency, in every unit's wording; docker held back by its
// own dependency (kubernetes/contrib ansible#3) is not the kubelet.
#[test]
fn kubelet_dependency_phrasings() {
    for msg in [
        "Dependency failed for Kubernetes Kubelet.",
        "Dependency failed for kubelet: The Kubernetes Node Agent.",
        "Job kubelet.service/start failed with result 'dependency'.",
        "Dependency failed for Service for snap application microk8s.daemon-kubelite.",
    ] {
        assert!(
            one("kubelet-dependency-failed", Systemd, msg).is_some(),
            "{msg}"
        );
    }
    for msg in [
        "Dependency failed for Docker Application Container Engine.",
        "Job docker.service/start failed with result 'dependency'.",
    ] {
        assert_eq!(
            one("kubelet-dependency-failed", Systemd, msg),
            None,
            "{msg}"
        );
    }
}

// The runtime layers disagreeing, seen from the CLI: docker 1.11–17.x exec into a container
// containerd lost (docker/cli#140, moby#33192), CRI/runc refusing an exec into a stopped task of a
// Running container (containerd#10755, #6080), dockerd never getting the exit event.
#[test]
fn runtime_state_mismatch_phrasings() {
    for (msg, score) in [
        (
            "rpc error: code = 2 desc = containerd: container not found",
            36,
        ),
        (
            "FATA[0000] execing command in container: Internal error occurred: error executing command in container: failed to exec in container: failed to create exec \"614075b3f467\": cannot exec in a stopped state: unknown",
            36,
        ),
        (
            "FATA[0000] execing command in container: Internal error occurred: error executing command in container: failed to exec in container: failed to start exec \"197d6f2104a1\": OCI runtime exec failed: exec failed: cannot exec in a stopped container: unknown",
            36,
        ),
        // runc 1.0-rc2/rc3 under docker 1.12–17.03 (moby#34516, rancher#6922 wrapped in gRPC
        // code 13), rc4/rc5 under docker 17.06–18.x (moby#37009, rancher#20226).
        (
            "rpc error: code = 2 desc = oci runtime error: exec failed: cannot exec a container that has run and stopped",
            36,
        ),
        (
            "rpc error: code = 13 desc = invalid header field value \"oci runtime error: exec failed: cannot exec a container that has run and stopped\\n\"",
            36,
        ),
        (
            "OCI runtime exec failed: exec failed: cannot exec a container that has stopped: unknown",
            36,
        ),
    ] {
        assert_eq!(
            one("runtime-state-mismatch", Source::Other, msg),
            Some(score),
            "{msg}"
        ); // 40 of 110
    }
    assert_eq!(
        one(
            "runtime-state-mismatch",
            Dockerd,
            "level=error msg=\"Handler for POST /v1.41/containers/abc/kill returned error: tried to kill container, but did not receive an exit event\""
        ),
        Some(27) // 30 of 110
    );
    // dockerd's own answer for a container it knows is stopped is no disagreement.
    assert_eq!(
        one(
            "runtime-state-mismatch",
            Source::Other,
            "Error response from daemon: Container 4fd1aabfab6d is not running"
        ),
        None
    );
    // `process already finished` alone is a race of an ordinary stop.
    assert_eq!(
        one(
            "runtime-state-mismatch",
            Source::Other,
            "ctr: process already finished: not found"
        ),
        None
    );
}

// runc init dying, as runc has phrased it: rc2–rc4 `decoding init error from pipe caused "read
// parent: connection reset by peer"` (otter#668, kubernetes#95814), 1.0 `caused: read init-p:
// connection reset by peer` (docker/for-linux#1383), the pre-1.0 health-log form with its setns
// failures (moby#40399), runc itself out of threads as containerd relays it (containerd#3019).
#[test]
fn runc_init_pids_phrasings() {
    for (msg, score) in [
        (
            "rpc error: code = 2 desc = oci runtime error: exec failed: container_linux.go:247: starting container process caused \"process_linux.go:110: decoding init error from pipe caused \\\"read parent: connection reset by peer\\\"\"",
            20,
        ),
        (
            "OCI runtime exec failed: exec failed: container_linux.go:380: starting container process caused: read init-p: connection reset by peer: unknown",
            20,
        ),
        (
            "Output OCI runtime exec failed: exec failed: container_linux.go:346: starting container process caused \"read init-p: connection reset by peer\": unknown",
            20,
        ),
        (
            "Error: failed to get sandbox container task: OCI runtime state failed: runc did not terminate sucessfully: runtime/cgo: pthread_create failed: Resource temporarily unavailable",
            24,
        ),
    ] {
        assert_eq!(
            one("runc-init-pids-exhausted", Source::Other, msg),
            Some(score),
            "{msg}"
        ); // of 125
    }
    let f = run(
        "runc-init-pids-exhausted",
        &[
            (Source::Other, "x", "15:06:18", "Output OCI runtime exec failed: exec failed: container_linux.go:346: starting container process caused \"process_linux.go:101: executing setns process caused \\\"exit status 1\\\"\": unknown"),
            (Source::Other, "x", "15:06:38", "Output OCI runtime exec failed: exec failed: container_linux.go:346: starting container process caused \"read init-p: connection reset by peer\": unknown"),
        ],
        vec![],
    )
    .expect("fires");
    assert_eq!(f.score, 28); // 25 + 10 of 125
    // A host program out of threads (golang/go#37006, podman#11950) and an image mistake
    // (egg-docker-template#1) are not runc init dying.
    for msg in [
        "runtime/cgo: pthread_create failed: Resource temporarily unavailable",
        "OCI runtime exec failed: exec failed: container_linux.go:348: starting container process caused \"exec: \\\"bash\\\": executable file not found in $PATH\": unknown",
    ] {
        assert_eq!(
            one("runc-init-pids-exhausted", Source::Other, msg),
            None,
            "{msg}"
        );
    }
}

// Create failures as users see them: `docker: Error response from daemon: OCI runtime create
// failed: …` in every runc generation (moby#40835, #42953, #47550), compose (dockprom#162),
// `RunContainerError:` (containerd#7388), with the node-side causes named; an image mistake
// (docker/for-linux#726) counts against.
#[test]
fn shim_task_create_phrasings() {
    for (msg, cause) in [
        (
            "docker: Error response from daemon: OCI runtime create failed: container_linux.go:349: starting container process caused \"process_linux.go:319: getting the final child's pid from pipe caused \\\"EOF\\\"\": unknown.",
            "getting the final child's pid from pipe",
        ),
        (
            "docker: Error response from daemon: OCI runtime create failed: container_linux.go:380: starting container process caused: process_linux.go:722: waiting for init preliminary setup caused: read init-p: connection reset by peer: unknown.",
            "waiting for init preliminary setup",
        ),
        (
            "docker: Error response from daemon: failed to create task for container: failed to create shim task: OCI runtime create failed: runc create failed: unable to start container process: can't get final child's PID from pipe: EOF: unknown",
            "can't get final child's PID from pipe",
        ),
        (
            "RunContainerError: failed to create containerd task: failed to create shim task: OCI runtime create failed: runc create failed: unable to create new parent process: namespace path: lstat /proc/4173144/ns/ipc: no such file or directory: unknown",
            "namespace path: lstat /proc/4173144/ns/ipc",
        ),
    ] {
        let f = run(
            "shim-task-create-failed",
            &[(Dockerd, "dockerd", "10:00:00", msg)],
            vec![],
        )
        .expect(msg);
        assert_eq!(f.score, 70, "{msg}"); // 40 + 30 of 100
        assert!(
            f.summary.ends_with(&format!("point at the node ({cause})")),
            "{}",
            f.summary
        );
    }
    let f = run(
        "shim-task-create-failed",
        &[(
            Dockerd,
            "dockerd",
            "10:00:00",
            "Error response from daemon: OCI runtime create failed: container_linux.go:348: starting container process caused \"exec: \\\"db:create\\\": executable file not found in $PATH\": unknown",
        )],
        vec![],
    );
    assert!(f.is_none()); // (40 - 40) of 100
    // conmon relaying runc's words on CRI-O and podman nodes (podman#27565), node-side and image-side.
    let f = run(
        "shim-task-create-failed",
        &[(
            Source::Crio,
            "conmon",
            "10:00:00",
            "conmon cdfba70f9e2dbb5a18c2 <nwarn>: runtime stderr: runc create failed: unable to start container process: can't get final child's PID from pipe: EOF",
        )],
        vec![],
    )
    .expect("conmon relay");
    assert_eq!(f.score, 70);
    assert!(
        f.summary.starts_with(
            "the OCI runtime failed to create a container task: unable to start container process: can't get final child's PID from pipe: EOF"
        ),
        "{}",
        f.summary
    );
    assert!(
        run(
            "shim-task-create-failed",
            &[(
                Source::Crio,
                "conmon",
                "10:00:00",
                "conmon d8e7b9fba2987d386bde <nwarn>: runtime stderr: runc create failed: unable to start container process: exec: \"/app\": stat /app: no such file or directory",
            )],
            vec![],
        )
        .is_none()
    );
    // runc run by hand (runc#2736): its own words at the start of the message, 1.0 and 1.1+.
    for (msg, score) in [
        (
            "container_linux.go:367: starting container process caused: process_linux.go:348: copying bootstrap data to pipe caused: write init-p: broken pipe",
            70,
        ),
        (
            "runc run failed: unable to start container process: error during container init: unable to store init state: %!w(<nil>)",
            40,
        ),
    ] {
        let f = run(
            "shim-task-create-failed",
            &[(Source::Cli, "runc", "10:00:00", msg)],
            vec![],
        )
        .expect(msg);
        assert_eq!(f.score, score, "{msg}");
    }
    // A failed `docker exec` says `starting container process caused` mid-message: not a create.
    assert!(
        run(
            "shim-task-create-failed",
            &[(
                Source::Cli,
                "docker",
                "10:00:00",
                "OCI runtime exec failed: exec failed: container_linux.go:348: starting container process caused \"process_linux.go:90: adding pid 2271 to cgroups caused \\\"failed to write 2271 to cgroup.procs: write /sys/fs/cgroup/cpu,cpuacct/docker/1f6fc1d0/cgroup.procs: invalid argument\\\"\": unknown",
            )],
            vec![],
        )
        .is_none()
    ); // podman's words for the runtime's failure (crun#617, runc#2567): the reason in the summary;
    // a missing executable is the image's; a warning while the container starts is no failure.
    for (msg, reason) in [
        (
            "Error: creating cgroup directory `/sys/fs/cgroup/net_prio,net_cls/machine.slice/libpod-b5f9e50cdd89.scope`: No such file or directory: OCI not found",
            "creating cgroup directory `/sys/fs/cgroup/net_prio,net_cls/machine.slice/libpod-b5f9e50cdd89.scope`: No such file or directory",
        ),
        (
            "Error: unable to start container \"7b55402f6439\": cannot set limits without cgroups: OCI runtime error",
            "unable to start container \"7b55402f6439\": cannot set limits without cgroups",
        ),
    ] {
        let f = run(
            "shim-task-create-failed",
            &[(Source::Cli, "", "10:00:00", msg)],
            vec![],
        )
        .expect(msg);
        assert_eq!(f.score, 40, "{msg}");
        assert_eq!(
            f.summary,
            format!(
                "the OCI runtime failed to create a container task: {reason} at 2020-08-20T10:00:00Z"
            ),
        );
    }
    for msg in [
        "Error: crun: executable file not found in $PATH: No such file or directory: OCI runtime attempted to invoke a command that was not found",
        "WARN[0000] Failed to add conmon to cgroupfs sandbox cgroup: creating cgroup path /libpod_parent/conmon: write /sys/fs/cgroup/cgroup.subtree_control: invalid argument",
    ] {
        assert!(
            run(
                "shim-task-create-failed",
                &[(Source::Cli, "", "10:00:00", msg)],
                vec![]
            )
            .is_none(),
            "{msg}"
        );
    }
}

// The runtime side of a pod that cannot terminate: containerd's CRI in logrus text (containerd#2744)
// and in talosctl's JSON (siderolabs/talos#9454), dockerd unable to kill with SIGKILL
// (deckhouse#336, moby 20.10+ wording), containerd failing to handle the exit event.
#[test]
fn pod_termination_runtime_phrasings() {
    for (source, msg, score) in [
        (
            Containerd,
            "ERRO[2018-12-03T21:10:23.490699109Z] An error occurs during waiting for container \"99a97d5c709457dfd4b281869e7c40b15dcc6d86617628210b90c5054c9b6c33\" to be killed  error=\"wait container \\\"99a97d5c709457dfd4b281869e7c40b15dcc6d86617628210b90c5054c9b6c33\\\" stop timeout\"",
            28,
        ),
        (
            Source::Other,
            "talos-worker-big-2.servers.internal: {\"error\":\"rpc error: code = DeadlineExceeded desc = an error occurs during waiting for container \\\"a96e7dc6ce5cae0af965d63a71238f78932e00520f8103fc24850db7a7b94bb8\\\" to be killed: wait container \\\"a96e7dc6ce5cae0af965d63a71238f78932e00520f8103fc24850db7a7b94bb8\\\": context deadline exceeded\",\"level\":\"error\",\"msg\":\"StopContainer for \\\"a96e7dc6ce5c\\\" failed\"}",
            28,
        ),
        (
            Dockerd,
            "time=\"2021-11-30T14:50:40.905096697+03:00\" level=info msg=\"Container 7873876b3310 failed to exit within 10 seconds of kill - trying direct SIGKILL\"",
            21,
        ),
        (
            Dockerd,
            "time=\"2023-01-10T10:00:00Z\" level=error msg=\"Container failed to exit within 10s of kill - trying direct SIGKILL\" container=7873876b33108c21164fff75a98946706d915628e30c5c9e4c562ee55805233c error=\"context deadline exceeded\"",
            21,
        ),
        // containerd 1.2's own stop timeout while handling a TaskExit (containerd#3334).
        (
            Containerd,
            "time=\"2019-05-16T15:05:02.894458282-07:00\" level=error msg=\"Failed to handle event &TaskExit{ContainerID:5e1cdf132517df24402e476e0f3b25db9ca5514928d6b0028cd51fd40ea50fce,ID:5e1cdf132517df24402e476e0f3b25db9ca5514928d6b0028cd51fd40ea50fce,Pid:21976,ExitStatus:255,ExitedAt:2019-05-16 22:04:19.073921379 +0000 UTC,} for 5e1cdf132517df24402e476e0f3b25db9ca5514928d6b0028cd51fd40ea50fce\" error=\"failed to handle container TaskExit event: failed to stop container: context deadline exceeded: unknown\"",
            26, // with the exit-lost evidence
        ),
    ] {
        assert_eq!(
            one("pod-terminating-runtime-timeout", source, msg),
            Some(score),
            "{msg}"
        ); // of 145
    }
    for (source, msg) in [
        (
            Dockerd,
            "time=\"2021-11-30T14:50:42.792790747+03:00\" level=info msg=\"Container 4dc52d08f25a failed to exit within 30 seconds of signal 15 - using the force\"",
        ),
        (
            Containerd,
            "INFO[2018-12-03T21:09:13.471760732Z] StopContainer for \"99a97d5c7094\" with timeout 10 (s)",
        ),
        // A TaskExit handled late for another reason is not a stop timeout (containerd#6080).
        (
            Containerd,
            "time=\"2022-03-18T09:54:29.055103814Z\" level=error msg=\"Failed to handle backOff event &TaskExit{ContainerID:60228bff930f098b4739603ba0105afc2e39baed9bbd6de9befd974b57b001f2,ID:60228bff930f098b4739603ba0105afc2e39baed9bbd6de9befd974b57b001f2,Pid:3763863,ExitStatus:9,ExitedAt:2022-03-18 09:52:15.702847285 +0000 UTC,XXX_unrecognized:[],} for 60228bff930f098b4739603ba0105afc2e39baed9bbd6de9befd974b57b001f2\" error=\"failed to handle container TaskExit event: failed to stop container: Container not ready or stopped, impossible to delete: unknown\"",
        ),
        (
            Containerd,
            "ERRO[2018-12-03T21:09:23.488485051Z] An error occurs during waiting for container \"99a97d5c709457dfd4b281869e7c40b15dcc6d86617628210b90c5054c9b6c33\" to be stopped  error=\"wait container \\\"99a97d5c7094\\\" stop timeout\"",
        ),
    ] {
        assert_eq!(
            one("pod-terminating-runtime-timeout", source, msg),
            None,
            "{msg}"
        );
    }
}

// `runc state` of a container left `created` (moby#37221, runc 1.0.0-rc2-dev): the stuck exec
// fifo, likely with the pre-release OCI version of a runc before the fix, possible without.
#[test]
fn runc_state_left_created_is_the_exec_fifo_hang() {
    let created = |oci: &str| {
        observation(
            "runc-state",
            &[
                ("container_id", "bd03d5ffc924"),
                ("status", "created"),
                ("pid", "23314"),
                ("oci_version", oci),
            ],
        )
    };
    let f = run("runc-exec-fifo-hang", &[], vec![created("1.0.0-rc2-dev")]).expect("fires");
    assert_eq!((f.score, f.confidence), (41, Confidence::Likely)); // 25 + 10 of 85
    assert_eq!(
        f.summary,
        "runc is blocked on the exec fifo of a container whose init stub died; runc state shows container bd03d5ffc924 still created with init pid 23314; its OCI version 1.0.0-rc2-dev is of a runc before the fix"
    );
    let f = run("runc-exec-fifo-hang", &[], vec![created("1.0.2-dev")]).expect("fires");
    assert_eq!((f.score, f.confidence), (29, Confidence::Possible)); // 25 of 85
    let running = observation(
        "runc-state",
        &[
            ("container_id", "bd03d5ffc924"),
            ("status", "running"),
            ("oci_version", "1.0.0-rc2-dev"),
        ],
    );
    assert!(run("runc-exec-fifo-hang", &[], vec![running]).is_none());
}

// docker/for-linux#779: the v1 shim of a task containerd reports STOPPED hangs under PID 1. The
// state mismatch is the diagnosis; the orphaned shim weighs less (50 − 10 of 90).
#[test]
fn a_shim_kept_by_a_stopped_task_weighs_against_the_orphan() {
    let orphan = observation(
        "orphaned-shim",
        &[
            ("pid", "30621"),
            ("container_id", "a9a1785b8134"),
            ("ppid", "1"),
        ],
    );
    let f = run("orphaned-shim", &[], vec![orphan.clone()]).expect("fires");
    assert_eq!(f.score, 56);
    let stopped = observation(
        "runtime-state-mismatch",
        &[
            ("container_id", "a9a1785b8134"),
            ("docker_state", "unknown"),
            ("containerd_state", "STOPPED"),
            ("shim_pid", "30621"),
        ],
    );
    let f = run("orphaned-shim", &[], vec![orphan, stopped.clone()]).expect("fires");
    assert_eq!((f.score, f.confidence), (44, Confidence::Likely));
    let f = run("runtime-state-mismatch", &[], vec![stopped]).expect("fires");
    assert_eq!((f.score, f.confidence), (55, Confidence::Confirmed)); // 60 of 110
}

// A RuntimeClass handler the runtime does not know: containerd 1.x `failed to get sandbox
// runtime: no runtime for "nvidia" is configured` (gpu-operator#730), 2.x `unable to get OCI
// runtime for sandbox "<id>": …` (gpu-operator#2168), kata (kata-containers#6499), and CRI-O's
// `failed to find runtime handler nvidia from runtime list …` (gpu-operator#1298). An OCI create
// failure is the runtime's, not a missing handler; a runtime binary missing at CRI-O's start
// (cri-o#4621) is a start failure.
#[test]
fn runtime_handler_missing_phrasings() {
    for (src, msg, handler) in [
        (
            Source::Kubelet,
            "Failed to create pod sandbox: rpc error: code = Unknown desc = failed to get sandbox runtime: no runtime for \"nvidia\" is configured",
            "nvidia",
        ),
        (
            Containerd,
            "time=\"2024-06-03T10:00:00Z\" level=error msg=\"RunPodSandbox for &PodSandboxMetadata{Name:nvidia-operator-validator-l4754,Namespace:gpu-operator,} failed, error\" error=\"unable to get OCI runtime for sandbox \\\"18073b779521\\\": no runtime for \\\"nvidia\\\" is configured\"",
            "nvidia",
        ),
        (
            Source::Cli,
            "Failed to create pod sandbox: rpc error: code = Unknown desc = failed to get sandbox runtime: no runtime for \"kata-qemu\" is configured",
            "kata-qemu",
        ),
        (
            Source::Crio,
            "Failed to create pod sandbox: rpc error: code = Unknown desc = failed to find runtime handler nvidia from runtime list map[crun:0xc0004dd5f0 runc:0xc0004dd790]",
            "nvidia",
        ),
    ] {
        let f = run(
            "runtime-handler-missing",
            &[(src, "", "10:00:00", msg)],
            vec![],
        )
        .expect(msg);
        assert_eq!(f.score, 60, "{msg}"); // 60 of 100
        assert_eq!(
            f.summary,
            format!(
                "the container runtime has no runtime configured for the handler {handler} that pods ask for, so their sandboxes cannot be created at 2020-08-20T10:00:00Z: 1 refusal(s)"
            ),
        );
    }
    // Retried sandboxes confirm it beyond doubt.
    let msg = "Failed to create pod sandbox: rpc error: code = Unknown desc = failed to get sandbox runtime: no runtime for \"nvidia\" is configured";
    let f = run(
        "runtime-handler-missing",
        &[
            (Source::Kubelet, "kubelet", "10:00:00", msg),
            (Source::Kubelet, "kubelet", "10:00:10", msg),
            (Source::Kubelet, "kubelet", "10:00:25", msg),
        ],
        vec![],
    )
    .expect("fires");
    assert_eq!(f.score, 100);
    for msg in [
        "docker: Error response from daemon: failed to create task for container: failed to create shim task: OCI runtime create failed: runc create failed: unable to start container process: can't get final child's PID from pipe: EOF: unknown",
        "time=\"2021-03-04 19:25:11.294299243Z\" level=fatal msg=\"Validating runtime config: runtime validation: invalid runtime_path for runtime 'kata': \\\"stat /usr/bin/containerd-shim-kata-v2: no such file or directory\\\"\" file=\"crio/main.go:335\"",
    ] {
        assert!(
            run(
                "runtime-handler-missing",
                &[(Source::Cli, "", "10:00:00", msg)],
                vec![]
            )
            .is_none(),
            "{msg}"
        );
    }
}

// CRI-O logs each stop request at info and nothing when it runs out of time: the same container
// asked again (cri-o#7053) is a stop that did not end; several containers stopped once each (a
// rollout) are not.
#[test]
fn crio_asked_again_to_stop_the_same_container() {
    let stop = |id: &str| {
        format!(
            "time=\"2023-06-14 23:50:37.383837278-07:00\" level=info msg=\"Stopping container: {id} (timeout: 30s)\" id=b50aed30-a7c2-4efb-83dc-3c5667da2c74 name=/runtime.v1.RuntimeService/StopContainer"
        )
    };
    let a = stop("4bbbc006f606958022cb32f65bdbd0b64159e1247142d34ee43b395cad213207");
    let b = stop("7d4d65dd400a1c0d8e5f4c3b2a1908f7e6d5c4b3a2918f7e6d5c4b3a29180f7e");
    let f = run(
        "pod-terminating-runtime-timeout",
        &[
            (Source::Crio, "crio", "23:50:37", a.as_str()),
            (Source::Crio, "crio", "23:51:51", a.as_str()),
        ],
        vec![],
    )
    .expect("the same container asked twice");
    assert_eq!((f.score, f.confidence), (28, Confidence::Possible));
    assert!(
        f.summary.ends_with(
            "the kubelet asked CRI-O to stop the same container again (2 stop requests, timeout 30s)"
        ),
        "{}",
        f.summary
    );
    assert!(
        run(
            "pod-terminating-runtime-timeout",
            &[
                (Source::Crio, "crio", "23:50:37", a.as_str()),
                (Source::Crio, "crio", "23:50:38", b.as_str()),
            ],
            vec![],
        )
        .is_none()
    );
}
