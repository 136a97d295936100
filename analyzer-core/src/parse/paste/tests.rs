use super::*;

/// (line, source, ident, message, timed, level) of a record line.
type Want = (
    &'static str,
    Source,
    &'static str,
    &'static str,
    bool,
    Level,
);

fn check(cases: &[Want]) {
    for (line, src, ident, msg, timed, level) in cases {
        let Line::Record(h, s) = read_line(line.as_bytes()) else {
            panic!("not a record: {line}");
        };
        let got_msg = String::from_utf8_lossy(&line.as_bytes()[h.msg_start..]);
        assert_eq!(
            (
                s,
                String::from_utf8_lossy(h.ident).as_ref(),
                got_msg.as_ref(),
                !matches!(h.time, RawTime::None),
                h.level
            ),
            (*src, *ident, *msg, *timed, *level),
            "{line}"
        );
    }
}

#[test]
fn partial_headers() {
    check(&[
        // npd#845: the journal header cut down to `kernel:`.
        (
            "kernel: XFS (dm-4): Corruption detected. Unmount and run xfs_repair",
            Source::Kernel,
            "kernel",
            "XFS (dm-4): Corruption detected. Unmount and run xfs_repair",
            false,
            Level::Unknown,
        ),
        // moby#37222: a syslogd wall line without the space.
        (
            "kernel:unregister_netdevice: waiting for eth0 to become free. Usage count = 1",
            Source::Kernel,
            "kernel",
            "unregister_netdevice: waiting for eth0 to become free. Usage count = 1",
            false,
            Level::Unknown,
        ),
        // radiasoft#141: the wall line indented under its banner.
        (
            " kernel:unregister_netdevice: waiting for lo to become free. Usage count = 1",
            Source::Kernel,
            "kernel",
            "unregister_netdevice: waiting for lo to become free. Usage count = 1",
            false,
            Level::Unknown,
        ),
        // docker/for-linux#162: systemd lines without time and host.
        (
            "systemd[1]: docker.service: Start request repeated too quickly.",
            Source::Systemd,
            "systemd",
            "docker.service: Start request repeated too quickly.",
            false,
            Level::Unknown,
        ),
        (
            " kubelet[111106]: F0812 16:26:52.166979  111106 server.go:269] failed to run Kubelet: inotify_init: too many open files",
            Source::Kubelet,
            "kubelet",
            "F0812 16:26:52.166979  111106 server.go:269] failed to run Kubelet: inotify_init: too many open files",
            false,
            Level::Crit,
        ),
        (
            "docker-storage-setup[55961]: Volume group \"centos\" has insufficient free space (0 extents): 5 required.",
            Source::Other,
            "docker-storage-setup",
            "Volume group \"centos\" has insufficient free space (0 extents): 5 required.",
            false,
            Level::Unknown,
        ),
        // tarmak#756: the klog header elided down to the file.
        (
            "... kubelet.go:1344] Failed to start cAdvisor inotify_add_watch /sys/fs/cgroup/memory/kubepods: no space left on device",
            Source::Kubelet,
            "",
            "Failed to start cAdvisor inotify_add_watch /sys/fs/cgroup/memory/kubepods: no space left on device",
            false,
            Level::Unknown,
        ),
        (
            "kubelet.go:1322] Image garbage collection failed multiple times in a row: failed to garbage collect required amount of images",
            Source::Kubelet,
            "",
            "Image garbage collection failed multiple times in a row: failed to garbage collect required amount of images",
            false,
            Level::Unknown,
        ),
        // runc#1857: crash(8) `sys` output.
        (
            "       PANIC: \"BUG: unable to handle kernel NULL pointer dereference at 0000000000000008\"",
            Source::Kernel,
            "",
            "BUG: unable to handle kernel NULL pointer dereference at 0000000000000008\"",
            false,
            Level::Unknown,
        ),
        // Words before a colon that are not programs stay text.
        (
            "Error: failed to create containerd task: failed to create shim task: OCI runtime create failed",
            Source::Cli,
            "",
            "Error: failed to create containerd task: failed to create shim task: OCI runtime create failed",
            false,
            Level::Unknown,
        ),
        (
            "Message:          The node was low on resource: ephemeral-storage.",
            Source::Unknown,
            "",
            "Message:          The node was low on resource: ephemeral-storage.",
            false,
            Level::Unknown,
        ),
    ]);
}

#[test]
fn headers_of_other_templates() {
    check(&[
        // sonic-buildimage#23146: year first, severity word before the tag.
        (
            "2025 Jul  2 06:56:57.749644 sonic_testbed ERR kernel: [  993.622973] I/O error, dev loop1, sector 1314944",
            Source::Kernel,
            "kernel",
            "[  993.622973] I/O error, dev loop1, sector 1314944",
            true,
            Level::Error,
        ),
        // podman#18610: ISO local time, `kernel[-]`, severity after the tag.
        (
            "2023-05-10 15:40:35 in4 kernel[-] err: [  245.356952] INFO: task kworker/9:0:73 blocked for more than 120 seconds.",
            Source::Kernel,
            "kernel",
            "[  245.356952] INFO: task kworker/9:0:73 blocked for more than 120 seconds.",
            true,
            Level::Error,
        ),
        // gpud#70: the host elided as `...`, microseconds.
        (
            "Aug 30 06:58:55.050705 ... kernel: oom-kill:constraint=CONSTRAINT_MEMCG,nodemask=(null)",
            Source::Kernel,
            "kernel",
            "oom-kill:constraint=CONSTRAINT_MEMCG,nodemask=(null)",
            true,
            Level::Unknown,
        ),
        (
            "Mar  3 11:02:01 <server> kubelet[1375]: E0303 11:02:01.000000    1375 kubelet.go:2183] Container runtime not ready",
            Source::Kubelet,
            "kubelet",
            "E0303 11:02:01.000000    1375 kubelet.go:2183] Container runtime not ready",
            true,
            Level::Error,
        ),
        // k8s#118607 (zh_CN journal) behind a shell prompt.
        (
            "[root@master1 ~]# 6月 11 11:36:26 master1 systemd[1]: Dependency failed for Kubernetes Kubelet.",
            Source::Systemd,
            "systemd",
            "Dependency failed for Kubernetes Kubelet.",
            true,
            Level::Unknown,
        ),
        // docker/for-linux#304: KSystemLog's tab-separated export.
        (
            "15.05.18 07:42\tSFullstacker\tdockerd[3570]\ttime=\"2018-05-15T07:41:12.218973934+02:00\" level=info msg=\"libcontainerd: new containerd process, pid: 28300\"",
            Source::Dockerd,
            "dockerd",
            "time=\"2018-05-15T07:41:12.218973934+02:00\" level=info msg=\"libcontainerd: new containerd process, pid: 28300\"",
            true,
            Level::Info,
        ),
        // siderolabs/talos#9454: `talosctl logs containerd`.
        (
            "talos-worker-big-2.servers.internal: {\"level\":\"info\",\"msg\":\"StopPodSandbox for \\\"82de1b7f\\\"\",\"time\":\"2024-10-05T13:37:04.972100586Z\"}",
            Source::Containerd,
            "",
            "{\"level\":\"info\",\"msg\":\"StopPodSandbox for \\\"82de1b7f\\\"\",\"time\":\"2024-10-05T13:37:04.972100586Z\"}",
            true,
            Level::Info,
        ),
        // kube-aws#476 and a journal short-monotonic line without host.
        (
            "[2833841.216211] nf_conntrack: nf_conntrack: table full, dropping packet",
            Source::Kernel,
            "",
            "nf_conntrack: nf_conntrack: table full, dropping packet",
            true,
            Level::Unknown,
        ),
        (
            "[    3.758823] systemd[1]: Started Journal Service.",
            Source::Systemd,
            "systemd",
            "Started Journal Service.",
            true,
            Level::Unknown,
        ),
    ]);
}

#[test]
fn bare_log_bodies() {
    check(&[
        // containerd#4547: logrus without `time=`.
        (
            "level=debug msg=\"event published\" ns=moby topic=/tasks/oom type=containerd.events.TaskOOM",
            Source::Containerd,
            "",
            "level=debug msg=\"event published\" ns=moby topic=/tasks/oom type=containerd.events.TaskOOM",
            false,
            Level::Debug,
        ),
        // containerd#10755: crictl's own fatal line; `[0000]` is not a time.
        (
            "FATA[0000] execing command in container: Internal error occurred: error executing command in container: failed to exec in container",
            Source::Cli,
            "",
            "execing command in container: Internal error occurred: error executing command in container: failed to exec in container",
            false,
            Level::Crit,
        ),
        // docker/for-linux#517: a prompt glued to dockerd's first line.
        (
            "[root@t-social-util bin]# INFO[2019-10-15T17:29:06.309520774+08:00] libcontainerd: docker-containerd is still running  pid=29932",
            Source::Dockerd,
            "",
            "libcontainerd: docker-containerd is still running  pid=29932",
            true,
            Level::Info,
        ),
        (
            "me@mymachine> level=fatal msg=\"Error starting daemon: error initializing graphdriver: open /var/lib/docker/devicemapper/devicemapper/data: no such file or directory\"",
            Source::Dockerd,
            "",
            "level=fatal msg=\"Error starting daemon: error initializing graphdriver: open /var/lib/docker/devicemapper/devicemapper/data: no such file or directory\"",
            false,
            Level::Crit,
        ),
        (
            "E0622 16:57:08.601055   45399 remote_image.go:134] RemoveImage \"sha256:57\" from image service failed",
            Source::Kubelet,
            "",
            "RemoveImage \"sha256:57\" from image service failed",
            true,
            Level::Error,
        ),
        // Bare kernel text and CLI errors.
        (
            "inotify_add_watch /sys/fs/cgroup/cpu,cpuacct: no space left on device",
            Source::Unknown,
            "",
            "inotify_add_watch /sys/fs/cgroup/cpu,cpuacct: no space left on device",
            false,
            Level::Unknown,
        ),
        (
            "device-mapper: btree spine: node_check failed: csum 1600702373 != wanted 1600827965",
            Source::Kernel,
            "",
            "device-mapper: btree spine: node_check failed: csum 1600702373 != wanted 1600827965",
            false,
            Level::Unknown,
        ),
        (
            "docker: Error response from daemon: OCI runtime create failed: container_linux.go:349: starting container process caused \"process_linux.go:319: getting the final child's pid from pipe caused \\\"EOF\\\"\": unknown.",
            Source::Cli,
            "",
            "docker: Error response from daemon: OCI runtime create failed: container_linux.go:349: starting container process caused \"process_linux.go:319: getting the final child's pid from pipe caused \\\"EOF\\\"\": unknown.",
            false,
            Level::Unknown,
        ),
    ]);
}

#[test]
fn what_is_not_output() {
    for line in [
        "",
        "   ",
        "==> /var/vcap/sys/log/docker/docker.stderr.log <==",
        "Message from syslogd@fnl9b at Mar 22 21:40:42 ...",
        "Broadcast message from systemd-journald@node1 (Tue 2021-03-02 10:00:00 UTC):",
        "```",
        "<snip>",
        "[root@master1 ~]# ",
    ] {
        assert_eq!(read_line(line.as_bytes()), Line::Skip, "{line:?}");
    }
    for (line, cmd) in [
        ("$ docker pull bash:5.2.15", "docker pull bash:5.2.15"),
        ("# ps ax | grep 34f4152a3721", "ps ax | grep 34f4152a3721"),
        (
            "root@VM-0-241-ubuntu:/home/ubuntu#   ps -elf|grep a9a1785b813 |grep -v grep",
            "ps -elf|grep a9a1785b813 |grep -v grep",
        ),
        (
            "sam@cyphon:/opt/cyphondock$ docker-compose up -d",
            "docker-compose up -d",
        ),
        (
            "bash-4.3# docker logs -f kontena-agent",
            "docker logs -f kontena-agent",
        ),
        (
            "% kubectl describe pod gnomad-api",
            "kubectl describe pod gnomad-api",
        ),
        (
            "docker exec -it MySQL-for-Developer_1 sh",
            "docker exec -it MySQL-for-Developer_1 sh",
        ),
        ("sudo dockerd", "sudo dockerd"),
        (
            "> docker inspect f773a02e84aa | jq '.[].State'",
            "docker inspect f773a02e84aa | jq '.[].State'",
        ),
        (
            "# pod status.reason is Evicted",
            "pod status.reason is Evicted",
        ),
    ] {
        assert_eq!(
            read_line(line.as_bytes()),
            Line::Command(cmd.as_bytes()),
            "{line:?}"
        );
    }
}

#[test]
fn records_of_a_mixed_paste() {
    // docker/for-linux#779 (shape): a journal line, a prompt with a command, a table row.
    let data = b"Sep 09 19:07:47 VM-0-241-ubuntu kubelet[2765]: I0909 19:07:47.989154    2765 kuberuntime_container.go:555] Killing container \"docker://a9a1\"\nroot@VM-0-241-ubuntu:/home/ubuntu# ctr --namespace moby task ls\na9a1785b81343c3ad2093ad973f4f8e52dbf54823b8bb089886c8356d4036fe0    30639    STOPPED\n\n";
    let recs: Vec<_> = records(data).collect();
    assert_eq!(recs.len(), 2);
    assert_eq!(
        (recs[0].line, recs[0].source, recs[0].host),
        (1, Source::Kubelet, &b"VM-0-241-ubuntu"[..])
    );
    assert_eq!(
        (recs[1].line, recs[1].source, recs[1].time),
        (3, Source::Unknown, RawTime::None)
    );
    assert_eq!(
        recs[1].message,
        b"a9a1785b81343c3ad2093ad973f4f8e52dbf54823b8bb089886c8356d4036fe0    30639    STOPPED"
    );
    // Every record borrows from the input.
    for r in &recs {
        let base = data.as_ptr() as usize;
        assert_eq!(r.raw.as_ptr() as usize, base + r.offset as usize);
    }
}

#[test]
fn times_people_print() {
    let t = |s: &str| any_time(s.as_bytes());
    let local = |s: &str| match t(s) {
        Some((RawTime::Local(l), n)) => (l.year, l.month, l.day, l.hour, l.minute, n),
        other => panic!("{s}: {other:?}"),
    };
    assert_eq!(
        local("2025 Jul  2 06:56:57.749644 h"),
        (Some(2025), 7, 2, 6, 56, 27)
    );
    assert_eq!(local("15.05.18 07:42\th"), (Some(2018), 5, 15, 7, 42, 14));
    assert_eq!(
        local("15.05.2018 07:42:05 h"),
        (Some(2018), 5, 15, 7, 42, 19)
    );
    assert_eq!(
        local("2023-05-10 15:40:35 in4"),
        (Some(2023), 5, 10, 15, 40, 19)
    );
    assert!(t("1999 things").is_none());
    assert!(t("32.05.18 07:42").is_none());
}

proptest::proptest! {
    #[test]
    fn any_bytes_never_panic(data in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..300)) {
        let base = data.as_ptr() as usize;
        for r in records(&data) {
            proptest::prop_assert!(r.message.as_ptr() as usize >= base);
            proptest::prop_assert!(r.message.as_ptr() as usize + r.message.len() <= base + data.len());
        }
    }
}

#[test]
fn output_of_a_runtime_run_by_hand_is_the_runtime_s() {
    // runc#4083: `runc exec` at a prompt, then its Go runtime's abort; after a `docker` command
    // the lines are read for what they are again (the CLI's error, not runc's stderr).
    let data = b"[root@host-226 ~]# runc  --root /var/run/docker/runtime-runc/moby exec da4541ad588b date\nruntime/cgo: pthread_create failed: Resource temporarily unavailable\nSIGABRT: abort\n\n$ sudo /usr/bin/runc list\nID          PID         STATUS      BUNDLE\n[root@host-226 ~]# docker exec test  date\nOCI runtime exec failed: exec failed: unable to start container process: read init-p: connection reset by peer: unknown\n";
    let recs: Vec<_> = records(data).collect();
    let got: Vec<_> = recs.iter().map(|r| (r.line, r.source)).collect();
    assert_eq!(
        got,
        vec![
            (2, Source::Runc),
            (3, Source::Runc),
            (6, Source::Runc),
            (8, Source::Cli),
        ]
    );
    assert_eq!(
        recs[0].message,
        b"runtime/cgo: pthread_create failed: Resource temporarily unavailable"
    );
}

#[test]
fn numbered_log_lines() {
    check(&[
        // moby#36117: syslog lines numbered by the reporter's viewer.
        (
            "6255 Jan 24 12:25:58 RD0003FF41E7E8 dockerd[8004]: time=\"2018-01-24T12:25:58.744982796Z\" level=info msg=\"killing and restarting containerd\" module=libcontainerd pid=8011",
            Source::Dockerd,
            "dockerd",
            "time=\"2018-01-24T12:25:58.744982796Z\" level=info msg=\"killing and restarting containerd\" module=libcontainerd pid=8011",
            true,
            Level::Info,
        ),
        // `cat -n` (right-aligned number, a tab) before a dmesg line.
        (
            "    12\t[  993.616601] nf_conntrack: table full, dropping packet",
            Source::Kernel,
            "",
            "nf_conntrack: table full, dropping packet",
            true,
            Level::Unknown,
        ),
        // `grep -n` before a journal line.
        (
            "3:May 05 13:59:56 ip-10-50-20-208 kubelet[2858]: I0505 13:59:56.872880    2858 kubelet_node_status.go:379] Recording NodeNotReady event message for node ip-10-50-20-208",
            Source::Kubelet,
            "kubelet",
            "I0505 13:59:56.872880    2858 kubelet_node_status.go:379] Recording NodeNotReady event message for node ip-10-50-20-208",
            true,
            Level::Info,
        ),
    ]);
    // A first column of numbers that is not a line number stays the record's text: `ps` rows
    // (containerd#11674), `uniq -c` counts.
    for line in [
        "    348 Sl   /usr/local/bin/containerd-shim-runc-v2 -namespace k8s.io -id a560953f5ab6 -address /run/containerd/containerd.sock",
        "     41 sync.(*Mutex).Lock",
    ] {
        let Line::Record(h, _) = read_line(line.as_bytes()) else {
            panic!("not a record: {line}");
        };
        assert_eq!(
            (h.msg_start, h.time),
            (line.len() - line.trim_start().len(), RawTime::None),
            "{line}"
        );
    }
}

#[test]
fn openshift_kubelet_lines() {
    // OpenShift 4's kubelet logs as `kubenswrapper` (run by kubensenter), also for klog files
    // the kubelet shares with other components (`kubelet_getters.go`), with the journal's
    // microsecond time of `oc adm node-logs`.
    check(&[(
        "Nov 16 10:02:39.473751 crc kubenswrapper[4221]: I1116 10:02:39.473438    4221 kubelet_getters.go:218] \"Pod status updated\" pod=\"openshift-etcd/etcd-crc\" status=\"Running\"",
        Source::Kubelet,
        "kubenswrapper",
        "I1116 10:02:39.473438    4221 kubelet_getters.go:218] \"Pod status updated\" pod=\"openshift-etcd/etcd-crc\" status=\"Running\"",
        true,
        Level::Info,
    )]);
}
