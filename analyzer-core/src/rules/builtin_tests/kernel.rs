//! Kernel-log rules.

use super::*;
use crate::base::Source::Kernel;

const CID: &str = "3f5e1c2b9a8d7e6f5a4b3c2d1e0f9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d3e2f";

fn k<'a>(hms: &'a str, msg: &'a str) -> Line<'a> {
    (Kernel, "kernel", hms, msg)
}

// Line shapes: containerd#8893 (5.x `oom-kill:` summary and `Killed process` with UID).
#[test]
fn oom_kill_of_an_ordinary_container_stays_low() {
    let summary = format!(
        "oom-kill:constraint=CONSTRAINT_MEMCG,nodemask=(null),cpuset=cri-containerd-{CID}.scope,mems_allowed=0,oom_memcg=/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod0f1e2d3c_4b5a_6978_8a9b_0c1d2e3f4a5b.slice/cri-containerd-{CID}.scope,task_memcg=/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod0f1e2d3c_4b5a_6978_8a9b_0c1d2e3f4a5b.slice/cri-containerd-{CID}.scope,task=dd,pid=38287,uid=0"
    );
    let f = run(
        "oom-kill",
        &[
            k("10:25:00", &summary),
            k(
                "10:25:00",
                "Memory cgroup out of memory: Killed process 38287 (dd) total-vm:21724kB, anon-rss:1024kB, file-rss:0kB, shmem-rss:0kB, UID:0 pgtables:60kB oom_score_adj:998",
            ),
        ],
        vec![],
    )
    .expect("fires");
    assert_eq!(f.score, 19); // 30 of 160
    assert_eq!(f.severity, Severity::Low);
    assert_eq!(
        f.summary,
        format!(
            "1 OOM kill(s) from 2020-08-20T10:25:00Z to 2020-08-20T10:25:00Z; first victim dd (pid 38287) (Memory cgroup limit) in container {CID} of pod 0f1e2d3c_4b5a_6978_8a9b_0c1d2e3f4a5b"
        )
    );
    assert_eq!(lines(&f), vec![2, 1]);
}

// Line shapes: apache/doris#3525 (old memcg `Kill process … score … or sacrifice child`, then
// `Killed process …, UID 0, total-vm:`), counted once per kill.
#[test]
fn repeated_memcg_oom_kills_are_high() {
    let mut v = Vec::new();
    let texts: Vec<(String, String)> = (0..5)
        .map(|i| {
            (
                format!("Memory cgroup out of memory: Kill process {} (palo_be) score 968 or sacrifice child", 24984 + i),
                format!("Killed process {} (palo_be), UID 0, total-vm:70347780kB, anon-rss:45563572kB, file-rss:0kB, shmem-rss:0kB", 24984 + i),
            )
        })
        .collect();
    let times = ["10:00:00", "10:05:00", "10:10:00", "10:15:00", "10:20:00"];
    for (i, (a, b)) in texts.iter().enumerate() {
        v.push(k(times[i], a));
        v.push(k(times[i], b));
    }
    let f = run("oom-kill", &v, vec![]).expect("fires");
    assert_eq!(f.score, 44); // 30 + 40 of 160
    assert_eq!(f.severity, Severity::High);
    assert_eq!(
        f.summary,
        "5 OOM kill(s) from 2020-08-20T10:00:00Z to 2020-08-20T10:20:00Z; first victim palo_be (pid 24984) (Memory cgroup limit); 5 memory-cgroup OOM kills in total"
    );
    assert_eq!(lines(&f), vec![1, 5, 9]);
}

// Line shape: runc#1980 / runc#1697 (runc:[2:INIT] killed during container start).
#[test]
fn oom_kill_of_runc_init_is_high() {
    let f = run(
        "oom-kill",
        &[
            k("10:25:00", "runc:[2:INIT] invoked oom-killer: gfp_mask=0x24000c0, order=0, oom_score_adj=998"),
            k("10:25:00", "Memory cgroup out of memory: Kill process 20357 (runc:[2:INIT]) score 970 or sacrifice child"),
        ],
        vec![observation("oom-kill", &[("memcg", "true"), ("victim_comm", "runc:[2:INIT]")])],
    )
    .expect("fires");
    assert_eq!(f.score, 50); // 30 + 40 + 10 of 160
    assert_eq!(f.severity, Severity::High);
    assert_eq!(
        f.summary,
        "1 OOM kill(s) from 2020-08-20T10:25:00Z to 2020-08-20T10:25:00Z; first victim runc:[2:INIT] (pid 20357) (Memory cgroup limit); 1 kill(s) hit the runtime/system process runc:[2:INIT]"
    );
    assert_eq!(lines(&f), vec![2]);
}

// Line shape: docker/for-linux#1001 (global OOM with the inner printk timestamp) and
// dyrnq/install-docker#14 (`CONSTRAINT_NONE … global_oom`).
#[test]
fn global_oom_is_high() {
    let f = run(
        "oom-kill",
        &[
            k("23:09:30", "[  518.050590] oom-kill:constraint=CONSTRAINT_NONE,nodemask=(null),cpuset=/,mems_allowed=0,global_oom,task_memcg=/user.slice,task=python3,pid=15784,uid=0"),
            k("23:09:30", "[  518.050606] Out of memory: Killed process 15784 (python3) total-vm:11968kB, anon-rss:4288kB, file-rss:3972kB, shmem-rss:0kB, UID:0 pgtables:60kB oom_score_adj:0"),
            k("23:09:30", "[  518.052410] oom_reaper: reaped process 15784 (python3), now anon-rss:0kB, file-rss:0kB, shmem-rss:0kB"),
        ],
        vec![],
    )
    .expect("fires");
    assert_eq!(f.score, 44);
    assert_eq!(f.severity, Severity::High);
    assert_eq!(
        f.summary,
        "1 OOM kill(s) from 2020-08-20T23:09:30Z to 2020-08-20T23:09:30Z; first victim python3 (pid 15784); 1 node-wide (global) OOM kill(s)"
    );
    assert_eq!(lines(&f), vec![2]);
}

// Near misses: the reaper line and the invoker line alone are not kill decisions
// (docker/for-linux#1001, runc#1980).
#[test]
fn oom_near_misses_do_not_fire() {
    assert!(
        run(
            "oom-kill",
            &[
                k("10:00:00", "runc:[2:INIT] invoked oom-killer: gfp_mask=0x24000c0, order=0, oom_score_adj=998"),
                k("10:00:00", "oom_reaper: reaped process 4254 (python3), now anon-rss:0kB, file-rss:0kB, shmem-rss:0kB"),
            ],
            vec![],
        )
        .is_none()
    );
}

// Line shapes: Icinga/icinga2#4918 (kernel line), containerd/cri#862 (Go thread creation).
#[test]
fn pids_fork_rejected_fires_on_one_line_and_uses_the_fact() {
    let f = run(
        "pids-fork-rejected",
        &[
            k("03:58:46", "cgroup: fork rejected by pids controller in /kubepods/burstable/pod5e0c6b0a-7d5b-4b8e-9a55-0f1b2c3d4e5f/3f5e1c2b9a8d"),
            (Source::Dockerd, "dockerd", "03:58:47", "time=\"2020-08-20T03:58:47Z\" level=error msg=\"Error running exec in container: OCI runtime exec failed: exec failed: container_linux.go:348: starting container process caused \\\"read init-p: connection reset by peer\\\": unknown\""),
        ],
        vec![observation("pids-limit-reached", &[("current", "1024"), ("max", "1024"), ("cgroup", "/kubepods/burstable/pod5e0c6b0a-7d5b-4b8e-9a55-0f1b2c3d4e5f/3f5e1c2b9a8d")])],
    )
    .expect("fires");
    assert_eq!(f.score, 83); // 50 + 30 + 20 of 120
    assert_eq!(f.severity, Severity::High);
    assert_eq!(
        f.summary,
        "the kernel rejected a fork in /kubepods/burstable/pod5e0c6b0a-7d5b-4b8e-9a55-0f1b2c3d4e5f/3f5e1c2b9a8d because its pids limit was reached (1 cgroup(s) since 2020-08-20T03:58:46Z); pids.current 1024 of pids.max 1024 in /kubepods/burstable/pod5e0c6b0a-7d5b-4b8e-9a55-0f1b2c3d4e5f/3f5e1c2b9a8d; runc init failed 1 times"
    );
    assert_eq!(lines(&f), vec![1, 2]);
}

// Near miss: the runc error alone (moby#40399) is not a pids rejection.
#[test]
fn pids_rule_needs_the_kernel_line() {
    let f = run(
        "pids-fork-rejected",
        &[(
            Source::Dockerd,
            "dockerd",
            "10:00:00",
            "OCI runtime exec failed: exec failed: container_linux.go:346: starting container process caused \"read init-p: connection reset by peer\": unknown",
        )],
        vec![],
    );
    assert!(f.is_none());
}

// Line shape: moby#44552 (dockerd hung task, 4.19) with the event's call trace.
#[test]
fn hung_dockerd_is_critical() {
    let f = run(
        "hung-task",
        &[
            k(
                "10:25:00",
                "INFO: task dockerd:3946 blocked for more than 120 seconds.",
            ),
            k(
                "10:25:00",
                "      Tainted: G           O      4.19.262-pc64 #1",
            ),
            k(
                "10:25:00",
                "\"echo 0 > /proc/sys/kernel/hung_task_timeout_secs\" disables this message.",
            ),
            k(
                "10:27:00",
                "INFO: task dockerd:3946 blocked for more than 120 seconds.",
            ),
        ],
        vec![observation(
            "hung-task",
            &[
                ("comm", "dockerd"),
                ("pid", "3946"),
                ("seconds", "120"),
                (
                    "trace",
                    "__mutex_lock_slowpath < copy_net_ns < create_new_namespaces",
                ),
            ],
        )],
    )
    .expect("fires");
    assert_eq!(f.score, 100);
    assert_eq!(f.severity, Severity::Critical);
    assert_eq!(
        f.summary,
        "task dockerd:3946 blocked for more than 120 seconds (2 hung-task report(s) from 2020-08-20T10:25:00Z to 2020-08-20T10:27:00Z; tasks: dockerd); runtime process dockerd is hung; call trace: __mutex_lock_slowpath < copy_net_ns < create_new_namespaces"
    );
    assert_eq!(lines(&f), vec![1, 4]);
}

// Line shape: formats §1.3 (`kworker/62:2` — the comm contains `:`); a kernel worker hung once
// is not the runtime: low.
#[test]
fn hung_kernel_worker_stays_low() {
    let f = run(
        "hung-task",
        &[k(
            "10:25:00",
            "INFO: task kworker/62:2:79174 blocked for more than 122 seconds.",
        )],
        vec![],
    )
    .expect("fires");
    assert_eq!(f.score, 30);
    assert_eq!(f.severity, Severity::Low);
    assert!(
        f.summary
            .starts_with("task kworker/62:2:79174 blocked for more than 122 seconds")
    );
}

// Line shape: moby#18156 / coreos/bugs#254, repeating every 10 s.
#[test]
fn unregister_netdevice_persisting_is_high() {
    let times = [
        "10:00:00", "10:00:10", "10:00:20", "10:00:30", "10:00:40", "10:00:50", "10:01:00",
    ];
    let v: Vec<Line<'_>> = times
        .iter()
        .map(|t| {
            k(
                t,
                "unregister_netdevice: waiting for lo to become free. Usage count = 1",
            )
        })
        .collect();
    let f = run("unregister-netdevice-leak", &v, vec![]).expect("fires");
    assert_eq!(f.score, 80); // 30 + 50 of 100
    assert_eq!(f.severity, Severity::High);
    assert_eq!(
        f.summary,
        "the kernel waited for lo to become free 7 times from 2020-08-20T10:00:00Z to 2020-08-20T10:01:00Z (usage count 1; devices: lo)"
    );
    assert_eq!(lines(&f), vec![1, 4, 7]);
}

// Noise: a single wait during a busy namespace teardown (docker/for-linux#842) stays low.
#[test]
fn single_unregister_netdevice_stays_low() {
    let f = run(
        "unregister-netdevice-leak",
        &[k("10:00:00", "[ 3315.264345] unregister_netdevice: waiting for eth0 to become free. Usage count = -1")],
        vec![],
    )
    .expect("fires");
    assert_eq!((f.score, f.severity), (30, Severity::Low));
}

// Line shapes: k8s#71261 (both prefixes), k8s#18604 (kube-proxy conntrack.go).
#[test]
fn conntrack_table_full_repeating_is_high() {
    let mut v = vec![(
        Source::KubeProxy,
        "kube-proxy",
        "09:00:00",
        "I0820 09:00:00.000000       1 conntrack.go:52] Setting nf_conntrack_max to 786432",
    )];
    for t in ["10:00:00", "10:00:05", "10:00:10", "10:00:15"] {
        v.push(k(t, "nf_conntrack: table full, dropping packet"));
    }
    v.push(k(
        "10:00:20",
        "nf_conntrack: nf_conntrack: table full, dropping packet",
    ));
    let f = run("conntrack-table-full", &v, vec![]).expect("fires");
    assert_eq!(f.score, 100); // 30 + 40 + 5 of 75
    assert_eq!(f.severity, Severity::High);
    assert_eq!(
        f.summary,
        "the kernel's conntrack table was full and packets were dropped: 5 reports from 2020-08-20T10:00:00Z to 2020-08-20T10:00:20Z (nf_conntrack_max was set to 786432)"
    );
    assert_eq!(lines(&f), vec![2, 4, 6, 1]);
}

// Noise: kube-proxy sizing the table is routine; one drop report stays low.
#[test]
fn conntrack_setting_alone_does_not_fire_and_one_drop_is_low() {
    let setting = (
        Source::KubeProxy,
        "kube-proxy",
        "09:00:00",
        "I0820 09:00:00.000000       1 conntrack.go:52] Setting nf_conntrack_max to 786432",
    );
    assert!(run("conntrack-table-full", &[setting], vec![]).is_none());
    let f = run(
        "conntrack-table-full",
        &[
            setting,
            k("10:00:00", "nf_conntrack: table full, dropping packet"),
        ],
        vec![],
    )
    .expect("fires");
    assert_eq!((f.score, f.severity), (47, Severity::Low)); // 30 + 5 of 75
}

// Line shapes: docker/for-linux#1443 (order-4 failure in dockerd, veth queues) and moby#24576
// (`failed to add the host … pair interfaces: cannot allocate memory`).
#[test]
fn page_allocation_failures_with_symptom() {
    let f = run(
        "page-allocation-failure",
        &[
            k("10:00:00", "dockerd: page allocation failure: order:4, mode:0x40dc0(GFP_KERNEL|__GFP_COMP|__GFP_ZERO), nodemask=(null),cpuset=docker.service,mems_allowed=0"),
            (Source::Dockerd, "dockerd", "10:00:01", "time=\"2020-08-20T10:00:01Z\" level=error msg=\"Handler for POST /v1.40/containers/abc/start returned error: failed to create endpoint web on network bridge: failed to add the host (veth5d3a1b2) <=> sandbox (veth9f8e7d6) pair interfaces: cannot allocate memory\""),
            k("10:20:00", "dockerd: page allocation failure: order:4, mode:0x40dc0(GFP_KERNEL|__GFP_COMP|__GFP_ZERO), nodemask=(null),cpuset=docker.service,mems_allowed=0"),
            k("10:40:00", "docker: page allocation failure: order:4, mode:0x1040d0"),
        ],
        vec![],
    )
    .expect("fires");
    assert_eq!((f.score, f.severity), (100, Severity::Medium));
    assert_eq!(
        f.summary,
        "dockerd hit a kernel page allocation failure of order 4 (mode 0x40dc0); 3 failure(s) from 2020-08-20T10:00:00Z to 2020-08-20T10:40:00Z, processes: docker, dockerd; 1 container network setup(s) failed with cannot allocate memory"
    );
    assert_eq!(lines(&f), vec![1, 3, 4, 2]);
}

// Noise: one high-order failure is absorbed by retries (docker/for-linux#1443 shape).
#[test]
fn single_page_allocation_failure_stays_low() {
    let f = run(
        "page-allocation-failure",
        &[k("10:00:00", "kworker/u8:2: page allocation failure: order:4, mode:0x40dc0(GFP_KERNEL|__GFP_COMP|__GFP_ZERO), nodemask=(null)")],
        vec![],
    )
    .expect("fires");
    assert_eq!((f.score, f.severity), (40, Severity::Low));
}

// Line shapes: NPD kernel-monitor.json (`Remounting filesystem read-only`, XFS shutdown,
// `EXT4-fs error`), real ext4 device naming.
#[test]
fn filesystem_read_only_is_critical() {
    let f = run(
        "filesystem-readonly",
        &[
            k("10:00:00", "EXT4-fs error (device nvme1n1): ext4_find_entry:1455: inode #2: comm dockerd: reading directory lblock 0"),
            k("10:00:00", "EXT4-fs (nvme1n1): Remounting filesystem read-only"),
            (Source::Dockerd, "dockerd", "10:00:05", "time=\"2020-08-20T10:00:05Z\" level=error msg=\"Error creating container: mkdir /var/lib/docker/overlay2/abc-init: read-only file system\""),
        ],
        vec![],
    )
    .expect("fires");
    assert_eq!((f.score, f.severity), (100, Severity::Critical));
    assert_eq!(
        f.summary,
        "the kernel took filesystem nvme1n1 out of write service at 2020-08-20T10:00:00Z (1 report(s), devices: nvme1n1); 1 filesystem error(s) before it; 1 runtime/kubelet write(s) failed with read-only file system"
    );
    assert_eq!(lines(&f), vec![2, 1, 3]);
    // The XFS form.
    let f = run(
        "filesystem-readonly",
        &[k(
            "11:00:00",
            "XFS (dm-3): Corruption of in-memory data detected.  Shutting down filesystem",
        )],
        vec![],
    )
    .expect("fires");
    assert_eq!((f.score, f.severity), (80, Severity::Critical));
}

// Near miss: the routine ext4 mount message at boot.
#[test]
fn ext4_mount_message_is_not_read_only() {
    assert!(
        run(
            "filesystem-readonly",
            &[k(
                "00:00:05",
                "EXT4-fs (sda1): mounted filesystem with ordered data mode. Opts: (null)"
            )],
            vec![],
        )
        .is_none()
    );
}

// Line shapes: NPD `Buffer I/O error .*`, block layer `blk_update_request: I/O error, dev`.
#[test]
fn repeated_disk_io_errors_are_high_and_explain_read_only() {
    let mut v = Vec::new();
    for i in 0..10 {
        v.push(k(
            if i < 5 { "10:00:00" } else { "10:00:01" },
            if i % 2 == 0 {
                "blk_update_request: I/O error, dev xvdf, sector 2048"
            } else {
                "Buffer I/O error on dev xvdf, logical block 256, lost async page write"
            },
        ));
    }
    v.push(k(
        "10:00:02",
        "EXT4-fs (xvdf): Remounting filesystem read-only",
    ));
    let e = engine();
    let mut obs = Observations::default();
    scan_into(e, &mut obs, "var/log/kern.log", &v);
    let all = e.evaluate(&obs, &clock());
    let f = all
        .iter()
        .find(|f| f.rule == "fs-io-error")
        .expect("cause at top level");
    assert_eq!((f.score, f.severity), (100, Severity::High));
    assert_eq!(
        f.summary,
        "the kernel reported 10 I/O or filesystem error(s) on xvdf from 2020-08-20T10:00:00Z to 2020-08-20T10:00:01Z (devices: xvdf)"
    );
    assert_eq!(lines(f), vec![1, 6, 10, 11]);
    assert_eq!(f.explains.len(), 1);
    assert_eq!(f.explains[0].rule, "filesystem-readonly");
}

// Noise: the virtual CD-ROM probe errors seen on many cloud VMs never match.
#[test]
fn cdrom_io_errors_are_ignored() {
    let v = vec![
        k(
            "00:00:03",
            "Buffer I/O error on dev sr0, logical block 0, async page read"
        );
        12
    ];
    assert!(run("fs-io-error", &v, vec![]).is_none());
}

// Line shapes: NPD KernelOops (`BUG: unable to handle kernel NULL pointer dereference at`),
// `divide error: 0000 [#1] SMP`.
#[test]
fn kernel_oops_is_critical() {
    let f = run(
        "kernel-oops",
        &[
            k("10:00:00", "[ 6114.180436] BUG: unable to handle kernel NULL pointer dereference at 0000000000000008"),
            k("10:00:00", "[ 6114.180545] Oops: 0000 [#1] SMP PTI"),
            k("10:00:00", "[ 6114.180700] CPU: 3 PID: 21743 Comm: dockerd Tainted: G           OE     4.15.0-45-generic #48-Ubuntu"),
        ],
        vec![],
    )
    .expect("fires");
    assert_eq!((f.score, f.severity), (100, Severity::Critical));
    assert_eq!(
        f.summary,
        "the kernel reported BUG: unable to handle kernel NULL pointer dereference at 2020-08-20T10:00:00Z (2 report(s)); process: dockerd"
    );
    assert_eq!(lines(&f), vec![1, 2, 3]);
}

// Near miss: a user-space Go panic mentioning a nil pointer is not a kernel oops.
#[test]
fn user_space_nil_pointer_is_not_an_oops() {
    assert!(
        run(
            "kernel-oops",
            &[(
                Source::Dockerd,
                "dockerd",
                "10:00:00",
                "panic: runtime error: invalid memory address or nil pointer dereference"
            )],
            vec![],
        )
        .is_none()
    );
}
