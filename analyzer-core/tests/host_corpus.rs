//! Host-state facts of the seed corpus bundles and of a real, healthy sosreport.

use std::path::{Path, PathBuf};

use analyzer_core::base::Format;
use analyzer_core::model::host::{Fact, HostBuilder, HostState};
use analyzer_core::parse::runtime::sniff_host;

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// The format of a host-state member: by sos path where the content is not telling, else by
/// content.
fn format_of(path: &str, data: &[u8]) -> Format {
    if path.contains("sys/fs/cgroup/") {
        return Format::Cgroup;
    }
    if path.starts_with("proc/") && path.ends_with("/cgroup") {
        return Format::ProcCgroup;
    }
    if path.ends_with("os-release") {
        return Format::OsRelease;
    }
    if path.ends_with("installed-debs")
        || path.ends_with("installed-rpms")
        || path.ends_with("dpkg_-l")
    {
        return Format::Packages;
    }
    sniff_host(&data[..data.len().min(4096)]).unwrap_or(Format::Unknown)
}

fn build_dir(dir: &Path) -> HostState {
    let mut b = HostBuilder::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let e = e.unwrap();
            // sos root links (`ps -> sos_commands/process/ps_auxwwwm`) and `etc/localtime` are
            // links: read each file once, under its real path.
            if e.file_type().unwrap().is_symlink() {
                continue;
            }
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if p.file_name().is_some_and(|n| n != "README.md") {
                let rel = p.strip_prefix(dir).unwrap().to_string_lossy().into_owned();
                let data = std::fs::read(&p).unwrap();
                b.add(&rel, format_of(&rel, &data), &data);
            }
        }
    }
    b.finish()
}

fn kinds(st: &HostState) -> Vec<(String, String)> {
    let mut v: Vec<_> = st
        .facts
        .iter()
        .map(|f| (f.kind.clone(), f.subject.clone()))
        .collect();
    v.sort();
    v
}

fn attr<'a>(f: &'a Fact, k: &str) -> &'a str {
    f.attrs.get(k).map_or("", String::as_str)
}

/// Facts whose kind is one of the incident facts (versions and settings left out).
fn incident_kinds(st: &HostState) -> Vec<(String, String)> {
    kinds(st)
        .into_iter()
        .filter(|(k, _)| k != "version-affected" && k != "live-restore-disabled")
        .collect()
}

#[test]
fn seed_004_orphaned_shims_and_leaked_netns() {
    // Seed 004 (CoolShell write-up, Docker 17.09 on CentOS 7.4): three v1 shims under PID 1
    // while dockerd runs, 10.233.14.137 in three namespaces with one MAC.
    let st = build_dir(&workspace().join("corpus/seed-004-leaked-netns"));
    let s = |k: &str, v: &str| (k.to_owned(), v.to_owned());
    assert_eq!(
        incident_kinds(&st),
        vec![
            s("ip-conflict", "10.233.14.137"),
            s("netns-not-in-docker", "ns:4026532447"),
            s("netns-not-in-docker", "ns:4026532512"),
            s("netns-not-in-docker", "ns:4026532598"),
            s("orphaned-shim", "3990"),
            s("orphaned-shim", "5010"),
            s("orphaned-shim", "6120"),
            s("process-in-unknown-container", "4021"),
            s("process-in-unknown-container", "5033"),
            s("process-in-unknown-container", "6141"),
        ]
    );
    let shim = st.facts_of("orphaned-shim").next().unwrap();
    assert_eq!(attr(shim, "pid"), "3990");
    assert_eq!(attr(shim, "daemon_running"), "true");
    assert_eq!(attr(shim, "children"), "1");
    assert_eq!(
        attr(shim, "container_id"),
        "6e65dee45dc4893fa81456344b8575209e90d78a01b12f3cd146e66820cbf405"
    );
    let lines: Vec<_> = shim
        .evidence
        .iter()
        .map(|e| (e.path.as_str(), e.line))
        .collect();
    assert_eq!(
        lines,
        vec![
            ("sos_commands/process/ps_auxwwwm", 33),
            ("sos_commands/process/pstree_-lp", 3),
            ("sos_commands/process/ps_auxwwwm", 12),
        ]
    );
    let ip = st.facts_of("ip-conflict").next().unwrap();
    assert_eq!(attr(ip, "namespaces"), "3");
    assert_eq!(attr(ip, "pids"), "4021,5033,6141");
    assert_eq!(attr(ip, "macs"), "02:42:0a:e9:0e:89");
    assert_eq!(
        attr(ip, "ancestry"),
        "java(4021) < docker-containerd-shim(3990) < systemd(1); \
         java(5033) < docker-containerd-shim(5010) < systemd(1); \
         pause(6141) < docker-containerd-shim(6120) < systemd(1)"
    );
    let lines: Vec<_> = ip
        .evidence
        .iter()
        .map(|e| (e.path.as_str(), e.line))
        .collect();
    assert_eq!(
        lines,
        vec![
            ("nsenter-ip-addr.txt", 36),
            ("nsenter-ip-addr.txt", 47),
            ("nsenter-ip-addr.txt", 58)
        ]
    );
    let p = st.facts_of("process-in-unknown-container").nth(2).unwrap();
    assert_eq!((attr(p, "comm"), attr(p, "shim_pid")), ("pause", "6120"));
    // The healthy container of docker ps is known, with its shim and pod.
    let healthy = st
        .containers
        .iter()
        .find(|c| c.id.starts_with("16ef211d2d6c"))
        .unwrap();
    assert_eq!(healthy.shim_pid, Some(2100));
    assert_eq!(healthy.docker_state.as_deref(), Some("running"));
    assert_eq!(
        healthy.pod_name.as_deref(),
        Some("order-service-7d9c6b5f4-x2kqz")
    );
    // Settings and versions.
    assert_eq!(st.facts_of("live-restore-disabled").count(), 1);
    let v: Vec<_> = st
        .facts_of("version-affected")
        .map(|f| attr(f, "issue"))
        .collect();
    assert_eq!(
        v,
        vec![
            "docker-bundled-runc-fifo-race",
            "kernel-unregister-netdevice"
        ]
    );
    assert_eq!(st.versions["os"].version, "CentOS Linux 7 (Core)");
    assert_eq!(st.versions["docker"].version, "17.09.0-ce");
}

#[test]
fn seed_001_runtime_state_mismatch() {
    // docker/for-linux#779 shape: docker ps Up, `ctr --namespace moby task ls` STOPPED.
    let st = build_dir(&workspace().join("corpus/seed-001-state-mismatch"));
    assert_eq!(
        incident_kinds(&st),
        vec![(
            "runtime-state-mismatch".to_owned(),
            "ff329173246bdc6e0c4db8fa0b3d4902380412664f74331b70197c6999f33d4e".to_owned()
        )]
    );
    let f = st.facts_of("runtime-state-mismatch").next().unwrap();
    assert_eq!(attr(f, "docker_state"), "running");
    assert_eq!(attr(f, "containerd_state"), "STOPPED");
    assert_eq!(attr(f, "pod_uid"), "8b1e4f2a-d3c5-11e9-9f0e-fa163e5d2a11");
    let mut lines: Vec<_> = f
        .evidence
        .iter()
        .map(|e| (e.path.as_str(), e.line))
        .collect();
    lines.sort();
    assert_eq!(
        lines,
        vec![
            ("sos_commands/containerd/ctr_--namespace_moby_task_ls", 3),
            ("sos_commands/docker/docker_ps", 2),
            ("sos_commands/process/ps_-elf", 8),
        ]
    );
    assert_eq!(st.versions["docker"].version, "18.09.9");
    assert_eq!(st.versions["docker"].evidence.line, 12);
    // The bundle's kernel (uname) is also in a known-affected range.
    assert_eq!(
        kinds(&st)
            .iter()
            .map(|(k, _)| k.as_str())
            .collect::<Vec<_>>(),
        vec!["runtime-state-mismatch", "version-affected"]
    );
}

#[test]
fn seed_002_pids_limit_reached() {
    // Seed 002: the container's pids cgroup at pids.max = 10000.
    let st = build_dir(&workspace().join("corpus/seed-002-pids-exhausted"));
    assert_eq!(
        kinds(&st)
            .iter()
            .map(|(k, _)| k.as_str())
            .collect::<Vec<_>>(),
        vec!["pids-limit-reached", "version-affected"]
    );
    let f = st.facts_of("pids-limit-reached").next().unwrap();
    assert_eq!(f.kind, "pids-limit-reached");
    assert_eq!(attr(f, "current"), "10000");
    assert_eq!(attr(f, "max"), "10000");
    assert_eq!(attr(f, "events_max"), "4127");
    assert_eq!(
        attr(f, "container_id"),
        "5b2d1e7c9a0f4e3d8c6b1a2f0e9d8c7b6a5f4e3d2c1b0a9f8e7d6c5b4a3f2e1d"
    );
    assert_eq!(attr(f, "pod_uid"), "2c1f9a7e-3b4d-11ea-a1b2-0242ac110004");
    assert_eq!(f.evidence.len(), 3);
    assert!(f.evidence.iter().all(|e| e.line == 1));
    let c = st
        .containers
        .iter()
        .find(|c| c.id.starts_with("5b2d1e7c9a0f"))
        .unwrap();
    assert_eq!(c.id.len(), 64);
    assert_eq!(c.pod_name.as_deref(), Some("batch-worker-0"));
}

/// Host-state members of a sosreport: what sos collects under these prefixes.
fn is_host_member(p: &str) -> bool {
    p.starts_with("sos_commands/process/ps")
        || p.starts_with("sos_commands/process/pstree")
        || p.starts_with("sos_commands/networking/ip_")
        || p.starts_with("sos_commands/networking/namespaces/")
        || p.starts_with("sos_commands/systemd/systemctl_")
        || p == "sos_commands/kernel/uname_-a"
        || p == "installed-debs"
        || p == "installed-rpms"
        || p == "sos_commands/dpkg/dpkg_-l"
        || p == "etc/os-release"
        || p == "usr/lib/os-release"
        || p.starts_with("sys/fs/cgroup/")
        || (p.starts_with("proc/") && p.ends_with("/cgroup"))
}

#[test]
fn real_healthy_sosreport_has_no_incident_facts() {
    // A real sosreport of a healthy Charmed Kubernetes worker (Ubuntu 20.04, containerd 1.5.5,
    // runc 1.0.1, `containerd-shim-runc-v2` shims under PID 1 by design).
    // `NODEMORTEM_EXTERNAL_CORPUS` overrides the directory (for worktrees outside the layout).
    let dir = std::env::var_os("NODEMORTEM_EXTERNAL_CORPUS")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace().join("../shared/corpus-external"));
    let path = dir.join("sosreport-k8stest-4-2022-02-11-abcdef.tar.xz");
    let Ok(file) = std::fs::File::open(&path) else {
        println!("skipped: {} is absent", path.display());
        return;
    };
    let mut archive = tar::Archive::new(liblzma::read::XzDecoder::new(file));
    let mut b = HostBuilder::new();
    let mut fed = 0;
    for entry in archive.entries().unwrap() {
        let mut entry = entry.unwrap();
        if !entry.header().entry_type().is_file() {
            continue;
        }
        let full = entry.path().unwrap().to_string_lossy().into_owned();
        let Some((_, rel)) = full.split_once('/') else {
            continue;
        };
        if !is_host_member(rel) {
            continue;
        }
        let mut data = Vec::new();
        std::io::Read::read_to_end(&mut entry, &mut data).unwrap();
        let format = if rel.starts_with("sos_commands/systemd/systemctl_status") {
            Format::SystemctlStatus
        } else if rel == "sos_commands/systemd/systemctl_list-units" {
            Format::SystemctlUnits
        } else {
            format_of(rel, &data)
        };
        b.add(rel, format, &data);
        fed += 1;
    }
    assert!(fed > 1000, "{fed} members");
    let st = b.finish();
    assert_eq!(incident_kinds(&st), Vec::<(String, String)>::new());
    assert_eq!(st.facts.len(), 0);
    // The v2 shim is under PID 1 and not called an orphan.
    let shim = st.processes.get(35149).unwrap();
    assert_eq!(shim.ppid, Some(1));
    assert!(shim.args.starts_with("/usr/bin/containerd-shim-runc-v2"));
    assert_eq!(st.versions["kernel"].version, "5.4.0-99-generic");
    assert_eq!(st.versions["runc"].version, "1.0.1-0ubuntu2~20.04.1");
    assert_eq!(st.versions["containerd"].version, "1.5.5-0ubuntu3~20.04.1");
    assert_eq!(st.versions["os"].version, "Ubuntu 20.04.3 LTS");
    assert!(st.namespaces.iter().any(|n| n.key == "host"));
}
