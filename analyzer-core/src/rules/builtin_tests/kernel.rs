//! Kernel-log rules.

use super::*;
use crate::base::Source::Kernel;

const CID: &str = "3f5e1c2b9a8d7e6f5a4b3c2d1e0f9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d3e2f";

fn k<'a>(hms: &'a str, msg: &'a str) -> Line<'a> {
    (Kernel, "kernel", hms, msg)
}

/// The score of `rule` on one kernel line, if it fires.
fn one(rule: &str, msg: &str) -> Option<u8> {
    run(rule, &[k("10:00:00", msg)], vec![]).map(|f| f.score)
}

// Line shapes: containerd#8893 (5.x `oom-kill:` summary and `Killed process` with UID).
#[test]
fn oom_kill_of_an_ordinary_container_is_confirmed() {
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
    assert_eq!(f.score, 46); // 60 of 130: one kill line is a certain OOM kill
    assert_eq!(f.severity, Severity::High);
    assert_eq!(
        f.summary,
        format!(
            "the kernel OOM killer was invoked at 2020-08-20T10:25:00Z: 1 kill(s), first victim dd (pid 38287) (Memory cgroup limit); kill summary CONSTRAINT_MEMCG, victim dd (pid 38287) in container {CID} of pod 0f1e2d3c_4b5a_6978_8a9b_0c1d2e3f4a5b"
        )
    );
    // The summary line is cited once (under `constraint`), whatever other items it fills.
    assert_eq!(lines(&f)[..2], [2, 1]);
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
    assert_eq!(f.score, 62); // 60 + 20 of 130
    assert_eq!(f.severity, Severity::High);
    assert_eq!(
        f.summary,
        "the kernel OOM killer was invoked from 2020-08-20T10:00:00Z to 2020-08-20T10:20:00Z: 5 kill(s), first victim palo_be (pid 24984) (Memory cgroup limit); 5 memory-cgroup OOM kills in total"
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
    assert_eq!(f.score, 69); // 60 + 20 + 10 of 130
    assert_eq!(f.severity, Severity::High);
    assert!(
        f.summary.starts_with(
            "the kernel OOM killer was invoked at 2020-08-20T10:25:00Z: 1 kill(s), first victim runc:[2:INIT] (pid 20357) (Memory cgroup limit); invoked by runc:[2:INIT]"
        ),
        "{}",
        f.summary
    );
    assert_eq!(lines(&f), vec![2, 1]);
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
    assert_eq!(f.score, 62); // 60 + 20 of 130
    assert_eq!(f.severity, Severity::High);
    assert_eq!(
        f.summary,
        "the kernel OOM killer was invoked at 2020-08-20T23:09:30Z: 1 kill(s), first victim python3 (pid 15784); kill summary CONSTRAINT_NONE, victim python3 (pid 15784); 1 node-wide (global) OOM kill(s)"
    );
    assert_eq!(lines(&f), vec![2, 1]);
}

// Every kernel generation's way of saying it, each line alone: 2.6/3.x `Kill process … score …
// or sacrifice child` (global and memcg), 4.19+ `Killed process … total-vm:`, the 5.x+ summary
// line alone (as `dmesg | grep` keeps it, gpud#70 cut off before the victim), the report
// header alone (kata-containers#972, docker/for-linux#1062), and what Kubernetes and docker
// record afterwards (gnomad-browser#1410 `kubectl describe pod`, `docker inspect`).
#[test]
fn oom_kill_phrasings_across_versions() {
    let cases: &[(&str, u8)] = &[
        (
            "Out of memory: Kill process 2592 (java) score 511 or sacrifice child",
            62,
        ),
        (
            "Out of memory: kill process 2592 (java) score 511 or a child",
            62,
        ),
        (
            "Memory cgroup out of memory: Kill process 24572 (java) score 0 or sacrifice child",
            46,
        ),
        (
            "Memory cgroup out of memory: Killed process 15617 (python3) total-vm:11892kB, anon-rss:4292kB, file-rss:3428kB, shmem-rss:0kB",
            46,
        ),
        (
            "[4650180.470877] oom-kill:constraint=CONSTRAINT_NONE,nodemask=(null),cpuset=aegis,mems_allowed=0,global_oom,task_memcg=/system.slice/docker-00748bf4e957f82c239a1db8a88579059b7d40c7b5fbd3f43617d31d3f646f12.scope,task=java,pid=7134,uid=1000",
            46,
        ),
        (
            "oom-kill:constraint=CONSTRAINT_MEMCG,nodemask=(null),cpuset=cri-containerd-ec9ee26695deb4cc72bc665efff1cf3a03fdfb12f1303e02fe9252985e084a95.scope,mems_allowed=0-1,oom_memcg=/kubepods.slice/kubepods-burstab",
            46,
        ),
        (
            "containerd invoked oom-killer: gfp_mask=0xcc0(GFP_KERNEL), order=0, oom_score_adj=-999",
            31,
        ),
        (
            "[Thu Dec  7 00:13:22 2017] java invoked oom-killer: gfp_mask=0xd0, order=0, oom_score_adj=-998",
            31,
        ),
        // The memcg part of a 3.x–4.18 report without its kill line (istio#42734, cgroup v1 with
        // the systemd driver; kubedirector#356 with cgroupfs paths).
        (
            "Task in /kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod0330b2c1_a15b_4cdd_b5e5_72d4a90bee82.slice/docker-b27201334a41cd0749d053b18378d7ea65617b8e26277197ea25c974da1a5a8a.scope killed as a result of limit of /kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod0330b2c1_a15b_4cdd_b5e5_72d4a90bee82.slice/docker-b27201334a41cd0749d053b18378d7ea65617b8e26277197ea25c974da1a5a8a.scope",
            31,
        ),
        (
            "[5193605.506728] Task in /kubepods/pod951f6bc5-c5a5-11ea-8707-80e455f266a2/024952d653ef1cd852f875a61bd27cf45cb1fd6cab3659ca7e5f12f037d99aa9 killed as a result of limit of /kubepods/pod951f6bc5-c5a5-11ea-8707-80e455f266a2/024952d653ef1cd852f875a61bd27cf45cb1fd6cab3659ca7e5f12f037d99aa9",
            31,
        ),
    ];
    for (msg, score) in cases {
        assert_eq!(one("oom-kill", msg), Some(*score), "{msg}");
    }
    for (source, msg) in [
        (Source::Other, "      Reason:       OOMKilled"),
        (Source::Other, "        \"OOMKilled\": true,"),
    ] {
        let f = run("oom-kill", &[(source, "x", "10:00:00", msg)], vec![]);
        assert_eq!(f.map(|f| f.score), Some(38), "{msg}"); // 50 of 130
    }
    // The memcg report alone names the cgroup at its limit, its container and its pod; the usage
    // lines around it are not kill evidence.
    let f = run(
        "oom-kill",
        &[
            k("02:12:02", &format!("Task in /kubepods/burstable/pod951f6bc5-c5a5-11ea-8707-80e455f266a2/{CID} killed as a result of limit of /kubepods/burstable/pod951f6bc5-c5a5-11ea-8707-80e455f266a2/{CID}")),
            k("02:12:02", "memory: usage 1048576kB, limit 1048576kB, failcnt 189"),
            k("02:12:02", "memory+swap: usage 1048576kB, limit 1048576kB, failcnt 0"),
        ],
        vec![],
    )
    .expect("fires");
    assert_eq!(f.score, 31);
    assert_eq!(lines(&f), vec![1]);
    assert!(
        f.summary.contains(&format!(
            "; a task was killed at the limit of /kubepods/burstable/pod951f6bc5-c5a5-11ea-8707-80e455f266a2/{CID} in container {CID} of pod 951f6bc5-c5a5-11ea-8707-80e455f266a2"
        )),
        "{}",
        f.summary
    );
    assert_eq!(
        one(
            "oom-kill",
            "memory: usage 1048576kB, limit 1048576kB, failcnt 189"
        ),
        None
    );

    // The victim's container from the 3.x/4.x `Memory cgroup stats for` line.
    let f = run(
        "oom-kill",
        &[
            k("10:00:00", &format!("Memory cgroup stats for /kubepods/pod951f6bc5-c5a5-11ea-8707-80e455f266a2/{CID}: cache:507172KB rss:448KB rss_huge:0KB")),
            k("10:00:00", "Memory cgroup out of memory: Kill process 62685 (bash) score 0 or sacrifice child"),
        ],
        vec![],
    )
    .expect("fires");
    assert!(
        f.summary.ends_with(&format!(
            "in container {CID} of pod 951f6bc5-c5a5-11ea-8707-80e455f266a2"
        )),
        "{}",
        f.summary
    );
}

// Near misses: the reaper's line, docker's `"OOMKilled": false`, a Node.js heap abort
// (pm2#5133), kata's GetOOMEvent warning (kata-containers#395) and a docker event stream's
// `oom` are not OOM kills.
#[test]
fn oom_near_misses_do_not_fire() {
    for msg in [
        "oom_reaper: reaped process 4254 (python3), now anon-rss:0kB, file-rss:0kB, shmem-rss:0kB",
        "        \"OOMKilled\": false,",
        "FATAL ERROR: Ineffective mark-compacts near heap limit Allocation failed - JavaScript heap out of memory",
        "time=\"2020-07-08T15:38:13.627498066Z\" level=warning msg=\"failed to get OOM event from sandbox\" error=\"rpc error: code = NotFound desc = /grpc.AgentService/GetOOMEvent is not supported\"",
        "2015-09-03T16:20:42.000000000-07:00 2424...a892: (from ubuntu) oom",
    ] {
        for source in [Source::Kernel, Source::Other] {
            assert!(
                run("oom-kill", &[(source, "x", "10:00:00", msg)], vec![]).is_none(),
                "{msg}"
            );
        }
    }
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
    assert_eq!(f.score, 91); // 50 + 30 + 20 of 110
    assert_eq!(f.severity, Severity::High);
    assert_eq!(
        f.summary,
        "forks or threads were refused because a pids limit was reached: the kernel rejected forks in /kubepods/burstable/pod5e0c6b0a-7d5b-4b8e-9a55-0f1b2c3d4e5f/3f5e1c2b9a8d at 2020-08-20T03:58:46Z (1 report(s), cgroups: /kubepods/burstable/pod5e0c6b0a-7d5b-4b8e-9a55-0f1b2c3d4e5f/3f5e1c2b9a8d); pids.current 1024 of pids.max 1024 in /kubepods/burstable/pod5e0c6b0a-7d5b-4b8e-9a55-0f1b2c3d4e5f/3f5e1c2b9a8d; runc init failed 1 times"
    );
    assert_eq!(lines(&f), vec![1, 2]);
}

// The pids limit of containers, pods and node daemons in every shape it is reported: the kernel
// line with and without its `cgroup:` prefix (aks-engine#1055; systemd#23638's brace summary
// naming kube-proxy.service), cgroup v2 slices, a daemon aborting on pthread_create (moby#21298:
// docker 1.10 under TasksMax), shells in a container that cannot fork (podman#17647,
// m-lab/k8s-support#459).
#[test]
fn pids_limit_phrasings() {
    let cases: &[(Source, &str, &str, u8)] = &[
        (
            Kernel,
            "kernel",
            "[ 1764.354453] cgroup: fork rejected by pids controller in /kubepods/pod4b2e9900-656c-11e9-b3cb-000d3a6d7f20/36804292fff8d2b18d7c83d453ae58da0092bdfff2c89a0f540628bec1f532aa",
            45,
        ),
        (
            Kernel,
            "kernel",
            "fork rejected by pids controller in /system.slice/{sysinv-agent.service,systemd-udevd.service,kube-proxy.service,kube-proxy.service,sshd.service}",
            45,
        ),
        (
            Kernel,
            "kernel",
            "cgroup: fork rejected by pids controller in /kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod0f1e2d3c_4b5a_6978_8a9b_0c1d2e3f4a5b.slice/cri-containerd-3f5e1c2b9a8d.scope",
            45,
        ),
        (
            Kernel,
            "kernel",
            "cgroup: fork rejected by pids controller in /system.slice/docker.service",
            45,
        ),
        (
            Source::Dockerd,
            "docker",
            "runtime/cgo: pthread_create failed: Resource temporarily unavailable",
            36,
        ),
        (
            Source::Other,
            "bash",
            "bash: fork: retry: Resource temporarily unavailable",
            27,
        ),
        (
            Source::Other,
            "sh",
            "/bin/sh: can't fork: Resource temporarily unavailable",
            27,
        ),
    ];
    for (source, ident, msg, score) in cases {
        let f = run(
            "pids-fork-rejected",
            &[(*source, ident, "10:00:00", msg)],
            vec![],
        );
        assert_eq!(f.map(|f| f.score), Some(*score), "{msg}");
    }
}

// Near misses: a host service's own TasksMax (twosigma/nsncd#24) or a user session is not a
// container incident; runc's error alone (moby#40399) is not a rejection; a host Go program's
// thread exhaustion (golang/go#37006) names no daemon.
#[test]
fn pids_rule_needs_a_container_or_daemon_limit() {
    for (source, msg) in [
        (
            Kernel,
            "cgroup: fork rejected by pids controller in /system.slice/nsncd.service",
        ),
        (
            Kernel,
            "cgroup: fork rejected by pids controller in /user.slice/user-1000.slice/session-3.scope",
        ),
        (
            Source::Dockerd,
            "OCI runtime exec failed: exec failed: container_linux.go:346: starting container process caused \"read init-p: connection reset by peer\": unknown",
        ),
        (
            Source::Other,
            "runtime/cgo: pthread_create failed: Resource temporarily unavailable",
        ),
    ] {
        assert!(
            run(
                "pids-fork-rejected",
                &[(source, "x", "10:00:00", msg)],
                vec![]
            )
            .is_none(),
            "{msg}"
        );
    }
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
        "task dockerd:3946 blocked for more than 120 seconds from 2020-08-20T10:25:00Z to 2020-08-20T10:27:00Z (2 hung-task report(s); tasks: dockerd); runtime process dockerd is hung; call trace: __mutex_lock_slowpath < copy_net_ns < create_new_namespaces"
    );
    assert_eq!(lines(&f), vec![1, 4]);
}

// Line shape: formats §1.3 (`kworker/62:2` — the comm contains `:`); a kernel worker hung once
// is not the runtime: low. 6.x prints the same words.
#[test]
fn hung_kernel_worker_is_not_confirmed() {
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
    assert_eq!(f.confidence, Confidence::Possible);
    assert!(
        f.summary
            .starts_with("task kworker/62:2:79174 blocked for more than 122 seconds")
    );
    assert_eq!(
        one(
            "hung-task",
            "[  245.356952] INFO: task kworker/9:0:73 blocked for more than 120 seconds."
        ),
        Some(30)
    );
}

// Near miss: a soft lockup (kubeasz#300, moby#19758) is a CPU spinning in the kernel, not a task
// sleeping in D state.
#[test]
fn soft_lockup_is_not_a_hung_task() {
    for msg in [
        "watchdog: BUG: soft lockup - CPU#19 stuck for 22s! [runc:[1:CHILD]:28129]",
        "NMI watchdog: BUG: soft lockup - CPU#1 stuck for 23s! [containerd:1234]",
    ] {
        assert_eq!(one("hung-task", msg), None, "{msg}");
        assert_eq!(one("kernel-oops", msg), None, "{msg}");
    }
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
    assert_eq!(f.score, 79); // 25 + 50 of 95
    assert_eq!(f.severity, Severity::High);
    assert_eq!(
        f.summary,
        "the kernel waited for lo to become free (usage count 1) from 2020-08-20T10:00:00Z to 2020-08-20T10:01:00Z; 7 wait(s), devices: lo"
    );
    assert_eq!(lines(&f), vec![1, 4, 7]);
}

// Noise: a single wait during a busy namespace teardown (docker/for-linux#842) is only possible
// (node-problem-detector#47: one line, and the node went on working); the node-problem-detector
// event (kubernetes#20096) carries the same words.
#[test]
fn single_unregister_netdevice_is_not_confirmed() {
    let f = run(
        "unregister-netdevice-leak",
        &[k("10:00:00", "[ 3315.264345] unregister_netdevice: waiting for eth0 to become free. Usage count = -1")],
        vec![],
    )
    .expect("fires");
    assert_eq!((f.score, f.confidence), (26, Confidence::Possible));
    assert_eq!(
        one(
            "unregister-netdevice-leak",
            "UnregisterNetDevice: unregister_netdevice: waiting for eth0 to become free. Usage count = 21"
        ),
        Some(26)
    );
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
        "the kernel's conntrack table was full and packets were dropped from 2020-08-20T10:00:00Z to 2020-08-20T10:00:20Z: 5 report(s) (nf_conntrack_max was set to 786432)"
    );
    assert_eq!(lines(&f), vec![2, 4, 6, 1]);
}

// Noise: kube-proxy sizing the table is routine; one drop report stays low. The 2.6
// `ip_conntrack:` form and a line wrapped after `full,` (starphleet#352) are the same report.
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
    assert_eq!((f.score, f.confidence), (47, Confidence::Likely)); // 30 + 5 of 75
    for msg in [
        "ip_conntrack: table full, dropping packet.",
        "[38775494.393661] nf_conntrack: table full,",
        "nf_conntrack: table full,\ndropping packet",
    ] {
        assert_eq!(one("conntrack-table-full", msg), Some(40), "{msg}");
    }
    assert_eq!(
        one(
            "conntrack-table-full",
            "nf_conntrack: falling back to vmalloc."
        ),
        None
    );
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
        "dockerd hit a kernel page allocation failure of order 4 (mode 0x40dc0) from 2020-08-20T10:00:00Z to 2020-08-20T10:40:00Z; 3 failure(s), processes: docker, dockerd; 1 container setup(s) failed with cannot allocate memory"
    );
    assert_eq!(lines(&f), vec![1, 3, 4, 2]);
}

// Noise: one high-order failure is absorbed by retries (docker/for-linux#1443 shape). The
// 2.6.32 wording (`page allocation failure. order:1`, moby#19008) and runc's child
// (`runc:[1:CHILD]: …`) are the same report.
#[test]
fn single_page_allocation_failure_is_not_confirmed() {
    let f = run(
        "page-allocation-failure",
        &[k("10:00:00", "kworker/u8:2: page allocation failure: order:4, mode:0x40dc0(GFP_KERNEL|__GFP_COMP|__GFP_ZERO), nodemask=(null)")],
        vec![],
    )
    .expect("fires");
    assert_eq!((f.score, f.confidence), (40, Confidence::Likely));
    let f = run(
        "page-allocation-failure",
        &[k(
            "10:00:00",
            "docker: page allocation failure. order:1, mode:0x20",
        )],
        vec![],
    )
    .expect("fires");
    assert!(
        f.summary
            .starts_with("docker hit a kernel page allocation failure of order 1 (mode 0x20)"),
        "{}",
        f.summary
    );
    assert_eq!(
        one(
            "page-allocation-failure",
            "runc:[1:CHILD]: page allocation failure: order:6, mode:0x10c0d0"
        ),
        Some(40)
    );
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
        "a filesystem of the node went read-only: the kernel took nvme1n1 out of write service from 2020-08-20T10:00:00Z to 2020-08-20T10:00:05Z (1 report(s), devices: nvme1n1); writes to node state failed with read-only file system 1 time(s) (e.g. /var/lib/docker/overlay2/abc-init); 1 filesystem error(s) before it; 1 runtime/kubelet write(s) failed with read-only file system"
    );
    assert_eq!(lines(&f), vec![2, 3, 1]);
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

// The other ways a read-only node filesystem shows: btrfs forcing itself read-only,
// node-problem-detector's condition (chkpwd/iac#541 alert), writes to the node's own state
// failing with EROFS (gardener/machine-controller-manager#312 kubelet checkpoint; microk8s#1884
// `touch /forcefsck` after ext4 recorded an error from the previous mount).
#[test]
fn read_only_node_filesystem_phrasings() {
    assert_eq!(
        one(
            "filesystem-readonly",
            "BTRFS info (device sda2): forced readonly"
        ),
        Some(80)
    );
    let f = run(
        "filesystem-readonly",
        &[(Source::Other, "alert", "10:00:00", "Unknown condition true of kubernetes node cattles-k3s-9749: condition type is ReadonlyFilesystem, reason is FilesystemIsReadOnly, message is EXT4-fs (sdi): Remounting filesystem read-only")],
        vec![],
    )
    .expect("fires");
    assert_eq!(f.score, 60);
    let f = run(
        "filesystem-readonly",
        &[(Source::Kubelet, "kubelet", "10:00:00", "Pod Update plugin resources failed due to failed to write checkpoint file \"kubelet_internal_checkpoint\": open /var/lib/kubelet/device-plugins/.807306059: read-only file system, which is unexpected.")],
        vec![],
    )
    .expect("fires");
    assert_eq!(f.score, 40); // 30 + 10 of 100
    let f = run(
        "filesystem-readonly",
        &[
            k("00:00:03", "[    3.956060] EXT4-fs warning (device dm-0): ext4_clear_journal_err:5187: Filesystem error recorded from previous mount: IO failure"),
            (Source::Other, "touch", "00:10:00", "touch: cannot touch '/forcefsck': Read-only file system"),
        ],
        vec![],
    )
    .expect("fires");
    assert_eq!(f.score, 40); // 30 + 10 of 100
    assert!(f.summary.contains("(e.g. /forcefsck)"), "{}", f.summary);
}

// Near misses: the routine ext4 mount message at boot; EROFS inside a container or on a
// read-only hostPath (linuxkit/kubernetes#59 `/host/etc/cni`, rook#3139 `mkdir log`,
// zalando/postgres-operator#662 `/tmp` under readOnlyRootFilesystem, kube-proxy's read-only
// `/sys` in kubernetes#24295): the node's filesystem is fine.
#[test]
fn ext4_mount_message_and_container_erofs_are_not_read_only() {
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
    for msg in [
        "/home/weave/weave: line 1576: can't create /host/etc/cni/net.d/10-weave.conf: Read-only file system",
        "E0510 11:06:55.146281    2235 kuberuntime_manager.go:750] init container start failed: CreateContainerError: failed to mkdir log: mkdir log: read-only file system",
        "log: exiting because of error: log: cannot create log: open /tmp/postgres-operator.postgres-operator-7c7f894bbc-4g5md.pgo.log.WARNING.20190907-011239.1: read-only file system",
        "open /sys/module/nf_conntrack/parameters/hashsize: read-only file system",
        "Reason: FilesystemIsNotReadOnly",
    ] {
        for source in [Source::Kubelet, Source::Other] {
            assert!(
                run(
                    "filesystem-readonly",
                    &[(source, "x", "10:00:00", msg)],
                    vec![]
                )
                .is_none(),
                "{msg}"
            );
        }
    }
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
        "the kernel reported I/O or filesystem errors on xvdf from 2020-08-20T10:00:00Z to 2020-08-20T10:00:01Z: 10 error(s), devices: xvdf; the filesystem was then remounted read-only or shut down (1 report(s))"
    );
    assert_eq!(lines(f), vec![1, 6, 10, 11]);
    assert_eq!(f.explains.len(), 1);
    assert_eq!(f.explains[0].rule, "filesystem-readonly");
}

// Every kind of block device the errors name: SCSI/virtio/Xen/NVMe disks, device-mapper and md,
// SD cards, loop devices (sonic-buildimage#23146), network and volume devices (rbd, nbd, drbd,
// portworx `pxd/…`, px-dev#56), with the 4.x `print_req_error:` and 6.x `I/O error, dev …, sector
// … op 0x1:(WRITE)` wordings.
#[test]
fn io_errors_on_every_block_device() {
    for msg in [
        "print_req_error: I/O error, dev sdc, sector 628940360 flags 80700",
        "blk_update_request: I/O error, dev vda, sector 1054",
        "Buffer I/O error on dev xvdb1, logical block 0, lost async page write",
        "I/O error, dev nvme0n1, sector 2048 op 0x1:(WRITE) flags 0x800 phys_seg 1 prio class 2",
        "EXT4-fs error (device dm-4): htree_dirblock_to_tree:896: inode #1703950: block 6832992: comm updatedb.mlocat: bad entry in directory",
        "Buffer I/O error on device md0, logical block 12",
        "Buffer I/O error on dev mmcblk0p2, logical block 1, async page read",
        "I/O error, dev loop1, sector 1314944 op 0x1:(WRITE) flags 0x0 phys_seg 2 prio class 2",
        "Buffer I/O error on dev rbd0, logical block 0, async page read",
        "Buffer I/O error on dev nbd3, logical block 4, async page read",
        "Buffer I/O error on dev drbd1, logical block 7, async page read",
        "Buffer I/O error on dev pxd/pxd417292423831969158 logical block 1 async page read",
    ] {
        assert_eq!(one("fs-io-error", msg), Some(30), "{msg}");
    }
}

// Noise: the block layer's write to sector 0 of a detached snap loop device, on healthy Ubuntu
// hosts, is not a disk error.
#[test]
fn detached_loop_device_flush_is_ignored() {
    assert_eq!(
        one(
            "fs-io-error",
            "[ 1530.811848] blk_update_request: I/O error, dev loop11, sector 0 op 0x1:(WRITE) flags 0x800 phys_seg 0 prio class 0"
        ),
        None
    );
    assert_eq!(
        one(
            "fs-io-error",
            "Buffer I/O error on device loop1, logical block 164368"
        ),
        Some(30)
    );
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

// The oops wordings of kernels 3.x to 6.x and of ARM: 5.x `BUG: kernel NULL pointer
// dereference, address:` (dattobd#365), arm64 `Unable to handle kernel NULL pointer
// dereference at virtual address` + `Internal error: Oops:` (apple/container#614,
// hardkernel#312), a kernel-mode general protection fault old and new (fail2ban#1480), `kernel
// BUG at` (dotmesh#540), a crash(8) `PANIC:` line (runc#1857), a panic.
#[test]
fn kernel_oops_phrasings() {
    for (msg, what) in [
        (
            "BUG: kernel NULL pointer dereference, address: 0000000000000002",
            "BUG: kernel NULL pointer dereference",
        ),
        (
            "Unable to handle kernel NULL pointer dereference at virtual address 00000000000000a0",
            "Unable to handle kernel NULL pointer dereference",
        ),
        (
            "Internal error: Oops: 17 [#1] PREEMPT SMP ARM",
            "Oops: 17 [#1]",
        ),
        (
            "general protection fault: 0000 [#1] SMP ",
            "general protection fault: 0000 [#1]",
        ),
        (
            "general protection fault, probably for non-canonical address 0xdead000000000108: 0000 [#1] SMP NOPTI",
            "general protection fault, probably for non-canonical address 0xdead000000000108: 0000 [#1]",
        ),
        (
            "kernel BUG at /build/linux-60XibS/linux-4.15.0/fs/inode.c:513!",
            "kernel BUG at /build/linux-60XibS/linux-4.15.0/fs/inode.c:513",
        ),
        (
            "PANIC: \"BUG: unable to handle kernel NULL pointer dereference at 0000000000000008\"",
            "BUG: unable to handle kernel NULL pointer dereference",
        ),
        (
            "Kernel panic - not syncing: Fatal exception in interrupt",
            "Kernel panic - not syncing: Fatal exception in interrupt",
        ),
    ] {
        let f = run("kernel-oops", &[k("10:00:00", msg)], vec![]).expect(msg);
        assert_eq!(f.score, 80, "{msg}");
        assert_eq!(
            f.summary,
            format!("the kernel reported {what} at 2020-08-20T10:00:00Z (1 report(s))"),
            "{msg}"
        );
    }
    let f = run(
        "kernel-oops",
        &[
            k("10:00:00", "Oops: 0000 [#1] SMP PTI"),
            k("10:00:00", "CPU: 3 UID: 0 PID: 25154 Comm: runc:[2:INIT] Not tainted 7.0.0-1003-gcp-64k #3-Ubuntu"),
        ],
        vec![],
    )
    .expect("fires");
    assert!(
        f.summary.ends_with("process: runc:[2:INIT]"),
        "{}",
        f.summary
    );
}

// Near misses: a user-space Go panic mentioning a nil pointer, and user-space faults the kernel
// only reports (`traps: … general protection fault ip:… in libc`, intel/pcm#368,
// rust-lang/libc#2160, systemd#38797; `segfault at`), are not kernel oopses.
#[test]
fn user_space_faults_are_not_an_oops() {
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
    for msg in [
        "[  106.318686] traps: pcm-sensor-serv[8542] general protection fault ip:7f638b3f9967 sp:7ffe5e7434b0 error:0 in libc-2.32.so[7f638b3f9000+14f000]",
        "traps: k8s-wait[12345] general protection fault ip:7f3c0b5e5b3e sp:7ffc6a1b2c30 error:0 in libc-2.28.so[7f3c0b4c4000+1b9000]",
        "systemd[1]: segfault at 7ffd2b5f8ff8 ip 00007f3c0b5e5b3e sp 00007ffd2b5f9000 error 6 in libc.so.6[7f3c0b4c4000+1b9000]",
    ] {
        assert_eq!(one("kernel-oops", msg), None, "{msg}");
    }
}
