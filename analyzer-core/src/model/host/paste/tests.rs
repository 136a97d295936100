use super::*;

fn facts_of(data: &str) -> Vec<Fact> {
    let mut b = HostBuilder::new();
    let _ = b.add_paste("paste.txt", data.as_bytes());
    b.finish().facts
}

fn kinds(facts: &[Fact]) -> Vec<&str> {
    facts.iter().map(|f| f.kind.as_str()).collect()
}

#[test]
fn parts_of_a_mixed_paste() {
    // docker/for-linux#779 shape: a kubelet line, a prompt with `ctr task ls`, its row, a
    // prompt with `ps -elf | grep`, its row; then `docker ps` with its header and a JSON
    // fragment.
    let data = "Sep 09 19:07:47 node kubelet[2765]: I0909 19:07:47.989154    2765 kuberuntime_container.go:555] Killing container \"docker://a9a1\"\n\
root@node:/home/ubuntu# docker-container-ctr --namespace moby --address /var/run/docker/containerd/docker-containerd.sock task ls |grep a9a1785b8134\n\
a9a1785b81343c3ad2093ad973f4f8e52dbf54823b8bb089886c8356d4036fe0    30639    STOPPED\n\
root@node:/home/ubuntu#   ps -elf|grep a9a1785b813 |grep -v grep\n\
4 S root     30621     1  0  80   0 -  2686 futex_ Sep04 ?        00:01:36 docker-containerd-shim -namespace moby -workdir /opt/docker/containerd/daemon/io.containerd.runtime.v1.linux/moby/a9a1785b81343c3ad2093ad973f4f8e52dbf54823b8bb089886c8356d4036fe0 -address /var/run/docker/containerd/docker-containerd.sock -containerd-binary /usr/bin/docker-containerd -runtime-root /var/run/docker/runtime-runc\n\
\n\
$ docker ps\n\
CONTAINER ID   IMAGE      COMMAND        CREATED       STATUS       PORTS     NAMES\n\
cddb83de5cf9   cu:1.1.1   \"convert.sh\"   4 hours ago   Up 4 hours             CU\n\
\n\
> docker inspect f773a02e84aa | jq '.[].State'\n\
{\n  \"Status\": \"running\",\n  \"Running\": true,\n  \"Pid\": 5061\n}\n";
    let p = parts(data.as_bytes());
    let got: Vec<(PartKind, usize, usize)> = p.iter().map(|p| (p.kind, p.first, p.last)).collect();
    assert_eq!(
        got,
        vec![
            (PartKind::CtrRows(true), 2, 2),
            (
                PartKind::PsRows(b"F S UID PID PPID C PRI NI ADDR SZ WCHAN STIME TTY TIME CMD"),
                4,
                4
            ),
            (PartKind::Block(Format::DockerPs), 7, 8),
            (PartKind::Json, 11, 15),
        ]
    );
    let mut b = HostBuilder::new();
    let _ = b.add_paste("p.txt", data.as_bytes());
    let st = b.finish();
    // The shim row keeps its line (5) and its parent (PID 1).
    let shim = st.processes.get(30621).unwrap();
    assert_eq!((shim.ppid, shim.evidence.line), (Some(1), 5));
    assert_eq!(shim.name, "docker-containerd-shim");
    // The task, docker's container and the inspected one are known with their states.
    let c = |id: &str| st.containers.iter().find(|c| c.id.starts_with(id)).unwrap();
    assert_eq!(
        c("a9a1785b8134").containerd_state.as_deref(),
        Some("STOPPED")
    );
    assert_eq!(c("cddb83de5cf9").docker_state.as_deref(), Some("running"));
    assert_eq!(c("f773a02e84aa").docker_state.as_deref(), Some("running"));
    assert_eq!(c("f773a02e84aa").evidence[0].line, 13);
}

#[test]
fn stopped_task_with_its_shim_alive() {
    let facts = facts_of(
        "# ctr -n moby task ls | grep a9a1785b8134\n\
a9a1785b81343c3ad2093ad973f4f8e52dbf54823b8bb089886c8356d4036fe0    30639    STOPPED\n\
# ps -elf | grep a9a1785b813\n\
4 S root     30621     1  0  80   0 -  2686 futex_ Sep04 ?        00:01:36 docker-containerd-shim -namespace moby -workdir /opt/docker/containerd/daemon/io.containerd.runtime.v1.linux/moby/a9a1785b81343c3ad2093ad973f4f8e52dbf54823b8bb089886c8356d4036fe0 -address /var/run/docker/containerd/docker-containerd.sock\n",
    );
    let m = facts
        .iter()
        .find(|f| f.kind == "runtime-state-mismatch")
        .expect("mismatch");
    assert_eq!(m.attrs["containerd_state"], "STOPPED");
    assert_eq!(m.attrs["shim_pid"], "30621");
    assert_eq!(
        m.evidence.iter().map(|e| e.line).collect::<Vec<_>>(),
        vec![2, 4]
    );
    // The shim is also an orphan: PID 1 is its parent in a listing cut by grep.
    assert!(kinds(&facts).contains(&"orphaned-shim"));
}

#[test]
fn orphaned_shims_in_ps_pastes() {
    // moby#34488 (`ps -ef | grep <id>`, two v1 shims at PPID 1) and moby#40139 (the etcd
    // process under a shim whose parent is PID 1).
    let facts = facts_of(
        "root@docker-linux-1-dh:~# ps -ef | grep 0ce69c426d21\n\
root       1030      1  0 Aug03 ?        00:00:16 docker-containerd-shim 0ce69c426d213b4ad3e07ba6da934555a6ec36a7edcb3050b2951b1b4a4ca445 /var/run/docker/libcontainerd/0ce69c426d213b4ad3e07ba6da934555a6ec36a7edcb3050b2951b1b4a4ca445 docker-runc\n\
root       4250      1  0 Aug01 ?        00:00:00 docker-containerd-shim 0ce69c426d213b4ad3e07ba6da934555a6ec36a7edcb3050b2951b1b4a4ca445 /var/run/docker/libcontainerd/0ce69c426d213b4ad3e07ba6da934555a6ec36a7edcb3050b2951b1b4a4ca445 docker-runc\n",
    );
    let shims: Vec<&str> = facts
        .iter()
        .filter(|f| f.kind == "orphaned-shim")
        .map(|f| f.subject.as_str())
        .collect();
    assert_eq!(shims, vec!["1030", "4250"]);
    let facts = facts_of(
        "ps -ef | grep 1309\n\
root        1309    1275 15 15:12 ?        00:00:47 /usr/local/bin/etcd\n\
ps -ef | grep 1275\n\
root        1275       1  0 15:12 ?        00:00:00 containerd-shim -namespace moby -workdir /var/lib/docker/containerd/daemon/io.containerd.runtime.v1.linux/moby/fdc22693ad68981157dbb131412c14d0e2e56deddc741a73e7f075e5e79de7e6 -address /var/run/docker/containerd/docker-containerd.sock\n",
    );
    assert_eq!(
        kinds(&facts),
        vec!["orphaned-shim", "process-in-unknown-container"]
    );
    assert_eq!(facts[1].attrs["comm"], "etcd");
    // A v2 shim at PID 1 is by design; a full `ps` listing with dockerd running and the shim
    // under containerd is healthy.
    let facts = facts_of(
        "UID          PID    PPID  C STIME TTY          TIME CMD\n\
root           1       0  0 Aug03 ?        00:00:16 /sbin/init\n\
root         900       1  0 Aug03 ?        00:00:16 /usr/bin/containerd\n\
root        1001       1  0 Aug03 ?        00:00:16 /usr/bin/dockerd -H fd://\n\
root        1500       1  0 Aug03 ?        00:00:16 /usr/bin/containerd-shim-runc-v2 -namespace moby -id 0ce69c426d213b4ad3e07ba6da934555a6ec36a7edcb3050b2951b1b4a4ca445 -address /run/containerd/containerd.sock\n",
    );
    assert!(kinds(&facts).is_empty(), "{facts:?}");
}

#[test]
fn runc_init_zombies_without_ppid() {
    // runc#1697: a `ps` forest without PPID column; the parent is read from the tree art.
    let facts = facts_of(
        "root      7509 Sl+  14:38   0:00  | \\_ runc run my-container\n\
root      7517 Zs   14:38   0:00  |     \\_ [runc:[2:INIT]] <defunct>\n",
    );
    let z = facts
        .iter()
        .find(|f| f.kind == "runc-init-zombie")
        .expect("zombie");
    assert_eq!(
        (z.attrs["pid"].as_str(), z.attrs["parent_pid"].as_str()),
        ("7517", "7509")
    );
    assert_eq!(z.attrs["parent_args"], "runc run my-container");
    // `ps aux` has no PPID and no forest: the zombie stands alone.
    let facts = facts_of(
        "root     23517  0.0  0.0      0     0 ?        Zs   10:02   0:00 [runc:[2:INIT]] <defunct>\n",
    );
    let z = facts
        .iter()
        .find(|f| f.kind == "runc-init-zombie")
        .expect("zombie");
    assert_eq!(
        (z.attrs["pid"].as_str(), z.attrs["parent_pid"].as_str()),
        ("23517", "")
    );
}

#[test]
fn runc_state_and_a_blocked_strace() {
    // moby#37221 (`docker-runc state`), moby#36010 (`strace -p` of a runc blocked on the fifo).
    let facts = facts_of(
        "{\n  \"ociVersion\": \"1.0.0-rc2-dev\",\n  \"id\": \"bd03d5ffc924523fcc3834f0a875d939e2cffcb37f29173f8c1acb8e79c47430\",\n  \"pid\": 23314,\n  \"status\": \"created\",\n  \"created\": \"2018-06-06T14:53:10.293050714Z\"\n}\n\
# strace -p 6629\n\
strace: Process 6629 attached\n\
openat(AT_FDCWD, \"/var/run/docker/runtime-runc/moby/34f4152a/exec.fifo\", O_RDONLY|O_CLOEXEC\n",
    );
    let state = facts.iter().find(|f| f.kind == "runc-state").unwrap();
    assert_eq!(
        (state.attrs["status"].as_str(), state.attrs["pid"].as_str()),
        ("created", "23314")
    );
    assert_eq!(state.evidence[0].line, 5);
    let b = facts.iter().find(|f| f.kind == "syscall-blocked").unwrap();
    assert_eq!(
        (
            b.attrs["pid"].as_str(),
            b.attrs["syscall"].as_str(),
            b.attrs["path"].as_str()
        ),
        (
            "6629",
            "openat",
            "/var/run/docker/runtime-runc/moby/34f4152a/exec.fifo"
        )
    );
    assert_eq!(b.evidence[0].line, 10);
    // A call that returned is not blocked.
    let facts =
        facts_of("$ strace -p 1\nopenat(AT_FDCWD, \"/etc/hosts\", O_RDONLY|O_CLOEXEC) = 3\n");
    assert!(facts.iter().all(|f| f.kind != "syscall-blocked"));
}

#[test]
fn docker_info_after_a_prompt() {
    // moby#32651: `docker info` pasted under its command.
    let mut b = HostBuilder::new();
    let _ = b.add_paste(
        "p.txt",
        b"[root@node ~]# docker info\nContainers: 0\n Running: 0\nServer Version: 17.03.1-ce\nStorage Driver: overlay\n Backing Filesystem: xfs\n Supports d_type: false\n",
    );
    let st = b.finish();
    assert_eq!(st.versions["docker"].version, "17.03.1-ce");
    assert_eq!(st.versions["docker"].evidence.line, 4);
    assert_eq!(st.versions["docker-storage-driver"].version, "overlay");
}

#[test]
fn pod_list_and_inspect_addresses_give_ip_conflicts_with_their_holders() {
    // flannel issue 721 shape: rows without header, two live pods of one node, one IP.
    let data = "xqy-boss      xqy-front-7dv9v                         1/1       Running   7          2h        10.2.55.12      10.199.134.36\n\
xqy-finance   xqy-gateway-nf4gk                       1/1       Running   1          5d        10.2.55.12      10.199.134.36\n\
xqy-qa3       xqy-manage-service-c6wnp                1/1       Running   0          2h        10.2.55.16      10.199.134.36\n";
    let facts = facts_of(data);
    assert_eq!(kinds(&facts), ["ip-conflict"]);
    let f = &facts[0];
    assert_eq!(f.attrs["ip"], "10.2.55.12");
    assert_eq!(f.attrs["namespaces"], "2");
    assert_eq!(f.attrs["pids"], "");
    assert_eq!(
        f.attrs["holders"],
        "pods xqy-boss/xqy-front-7dv9v, xqy-finance/xqy-gateway-nf4gk"
    );
    assert_eq!(
        f.evidence.iter().map(|e| e.line).collect::<Vec<_>>(),
        [1, 2]
    );
    // moby issue 19441 shape: `docker inspect … | grep -e IPAddress -e Hostname`.
    let data = "        \"Hostname\": \"mysql\",\n        \"IPAddress\": \"172.16.173.128\",\n                \"IPAddress\": \"172.16.173.128\",\n        \"Hostname\": \"65337c3d1c71\",\n        \"IPAddress\": \"172.16.173.128\",\n";
    let facts = facts_of(data);
    assert_eq!(kinds(&facts), ["ip-conflict"]);
    assert_eq!(facts[0].attrs["holders"], "containers mysql, 65337c3d1c71");
    assert_eq!(
        facts[0].evidence.iter().map(|e| e.line).collect::<Vec<_>>(),
        [2, 5]
    );
    // Host-network pods on the node's own address: no fact.
    let data = "kube-system   aws-node-mrdfk     1/1     Running   0   15d   10.0.135.147   ip-10-0-135-147.us-west-2.compute.internal\n\
kube-system   kube-proxy-fvg6t   1/1     Running   0   15d   10.0.135.147   ip-10-0-135-147.us-west-2.compute.internal\n";
    assert!(facts_of(data).is_empty());
}

#[test]
fn ip_netns_exec_loop_gives_a_conflict_only_for_a_pod_address() {
    let data = "[root@kh1 ~]# ip netns exec c249290d4af6 ip addr show\n\
1: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536 qdisc noqueue state UNKNOWN group default qlen 1000\n\
    inet 127.0.0.1/8 scope host lo\n\
3: eth0@if126: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue state UP group default\n\
    link/ether 0a:58:0a:f4:00:07 brd ff:ff:ff:ff:ff:ff link-netnsid 0\n\
    inet 10.244.0.7/24 scope global eth0\n\
[root@kh1 ~]# ip netns exec aa41e96576b ip addr show\n\
1: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536 qdisc noqueue state UNKNOWN group default qlen 1000\n\
    inet 127.0.0.1/8 scope host lo\n";
    // Loopback in every namespace is no conflict.
    assert!(facts_of(data).is_empty());
    let data = format!(
        "{data}3: eth0@if545: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1460 qdisc noqueue state UP group default\n\
    link/ether 0a:58:0a:f4:00:07 brd ff:ff:ff:ff:ff:ff link-netnsid 0\n\
    inet 10.244.0.7/24 scope global eth0\n"
    );
    let facts = facts_of(&data);
    assert_eq!(kinds(&facts), ["ip-conflict"]);
    assert_eq!(facts[0].attrs["ip"], "10.244.0.7");
    assert_eq!(facts[0].attrs["holders"], "netns c249290d4af6, aa41e96576b");
    assert_eq!(facts[0].attrs["macs"], "0a:58:0a:f4:00:07");
    assert_eq!(
        facts[0].evidence.iter().map(|e| e.line).collect::<Vec<_>>(),
        [6, 12]
    );
}

#[test]
fn exited_container_whose_command_still_runs() {
    // containerd issue 5959 (docker 18.09, containerd 1.2): `docker ps -a | grep` rows without
    // header, then `ps -ef | grep` rows; the pause container is Up, kube-scheduler Exited.
    let data = "maglev@maglev-192:~$ docker ps -a | grep kube-scheduler
e7dd23a3e2c9        d150df6c8d5f                                                                              \"kube-scheduler --bi…\"   3 minutes ago       Exited (1) 3 minutes ago                        k8s_kube-scheduler_kube-scheduler-192.192.0.167_kube-system_a14d87bece740aaf977103aa4c3e946a_148
43a9f5fdd8c5        maglev-registry.maglev-system.svc.cluster.local:5000/pause:3.1                            \"/pause\"                 14 hours ago        Up 14 hours                                     k8s_POD_kube-scheduler-192.192.0.167_kube-system_a14d87bece740aaf977103aa4c3e946a_1
maglev@maglev-192:~$ ps -ef | grep kube-scheduler
root     20020 19977  0 Sep07 ?        00:01:47 kube-scheduler --bind-address=0.0.0.0 --kubeconfig=/etc/kubernetes/scheduler.conf --leader-elect=true --profiling=false
maglev   52714 18242  0 08:06 pts/2    00:00:00 grep --color=auto kube-scheduler
";
    let p = parts(data.as_bytes());
    assert_eq!(
        (p[0].kind, p[0].first, p[0].last),
        (PartKind::DockerRows, 1, 2)
    );
    let f = facts_of(data);
    assert_eq!(kinds(&f), ["exited-container-process-alive"]);
    let a = &f[0];
    assert_eq!(a.attrs["pid"], "20020");
    assert_eq!(a.attrs["ppid"], "19977");
    assert_eq!(a.attrs["container_id"], "e7dd23a3e2c9");
    assert_eq!(a.attrs["docker_state"], "exited");
    assert_eq!(a.attrs["containers"], "1");
    assert_eq!(
        a.evidence.iter().map(|e| e.line).collect::<Vec<_>>(),
        [2, 5]
    );
    // A running container with the same command claims the process (a restart: attempt 148
    // exited, 149 up).
    let restarted = data.replace(
        "\"/pause\"                 14 hours ago        Up 14 hours",
        "\"kube-scheduler --bi…\"   2 minutes ago       Up 2 minutes",
    );
    assert!(facts_of(&restarted).is_empty());
    // A listing grepped for exited containers hides the running ones.
    let filtered = data.replace(
        "docker ps -a | grep kube-scheduler",
        "docker ps -a | grep Exited",
    );
    assert!(facts_of(&filtered).is_empty());
    // A generic command ties nothing: the pause container exited, a pause process runs.
    let pause = "$ docker ps -a | grep POD
43a9f5fdd8c5        k8s.gcr.io/pause:3.1   \"/pause\"   14 hours ago   Exited (0) 2 hours ago   k8s_POD_x_default_1_1
$ ps -ef | grep pause
root      3120  3101  0 Sep07 ?        00:00:00 /pause
";
    assert!(facts_of(pause).is_empty());
}

#[test]
fn cgroup_tree_scopes_holding_only_runc_init() {
    // runc issue 2828: three docker scopes each with only `runc init`.
    let data = "systemctl status
   │ │ └─555906 runc init
           │ ├─docker-8f98bb94a6345097f91845e90e15827d8656753e1282ad1cd66ebc4b9a3f5009.scope
           │ │ └─345003 runc init
           │ ├─docker-42b905837f766877e6c0df0f72f46c622600e369806a66868a7bd390fd01c517.scope
           │ │ └─49695 runc init
           │ ├─docker-4f87550b15443da4ea91f94c04ffa1985dcd0c936424a61c82c4856a5502f59b.scope
           │ │ └─602496 runc init
";
    let f = facts_of(data);
    assert_eq!(kinds(&f), ["runc-init-scope"; 3]);
    assert_eq!(f[0].attrs["scopes"], "3");
    assert_eq!(f[0].attrs["pids"], "345003");
    assert_eq!(
        f[0].attrs["container_id"],
        "8f98bb94a6345097f91845e90e15827d8656753e1282ad1cd66ebc4b9a3f5009"
    );
    assert_eq!(
        f[2].evidence.iter().map(|e| e.line).collect::<Vec<_>>(),
        [7, 8]
    );
    // A `systemctl status` block of a paste is read once, not again as its own format.
    let unit = "$ systemctl status docker-42b905837f766877e6c0df0f72f46c622600e369806a66868a7bd390fd01c517.scope
● docker-42b905837f766877e6c0df0f72f46c622600e369806a66868a7bd390fd01c517.scope - libcontainer container 42b905837f766877e6c0df0f72f46c622600e369806a66868a7bd390fd01c517
   Loaded: loaded (/run/systemd/transient/docker-42b905837f766877e6c0df0f72f46c622600e369806a66868a7bd390fd01c517.scope; transient)
   Active: active (running) since Sat 2021-03-27 10:00:00 UTC; 2 days ago
   CGroup: /system.slice/docker-42b905837f766877e6c0df0f72f46c622600e369806a66868a7bd390fd01c517.scope
           └─49695 runc init
";
    let f = facts_of(unit);
    assert_eq!(kinds(&f), ["runc-init-scope"]);
    assert_eq!(f[0].attrs["scopes"], "1");
    assert_eq!(f[0].evidence[0].line, 5);
}
