//! Facts derived from the joined host state.

use std::collections::{BTreeMap, BTreeSet};

use crate::base::Evidence;
use crate::model::host::build::HostBuilder;
use crate::model::host::{Fact, HostState, Process};
use crate::parse::cgroup;

/// The kind of a shim process.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Shim {
    /// `docker-containerd-shim` / `containerd-shim` (v1): parent PID 1 means orphaned.
    V1,
    /// `containerd-shim-runc-v2` and other v2 shims: reparented to PID 1 by design.
    V2,
}

/// Classifies a process as a shim from its command line, else from its (possibly truncated)
/// name: `docker-containe` is the 15-character comm of `docker-containerd-shim` and of
/// `docker-containerd`; it counts as a shim when it has a child that is not itself
/// `docker-containe*`. A bare `containerd-shim` comm is ambiguous (v1, or a cut
/// `containerd-shim-runc-v2`) and counts only with a command line.
pub(super) fn shim_kind(p: &Process, state: &HostState) -> Option<Shim> {
    if !p.args.is_empty() {
        let first = p.args.split_whitespace().next().unwrap_or("");
        let name = first.rsplit('/').next().unwrap_or(first);
        return match name {
            "docker-containerd-shim" | "containerd-shim" | "docker-containerd-shim-current" => {
                Some(Shim::V1)
            }
            n if n.starts_with("containerd-shim-") => Some(Shim::V2),
            _ => None,
        };
    }
    if p.name == "docker-containe" || p.name == "docker-containerd-shim" {
        let child_not_containerd = state
            .processes
            .children(p.pid)
            .any(|c| !c.name.starts_with("docker-containe"));
        return child_not_containerd.then_some(Shim::V1);
    }
    None
}

/// The container id in a shim command line: v1 `docker-containerd-shim <id> <bundle> <runtime>`,
/// `-workdir …/<id>`, v2 `-id <id>`.
pub(crate) fn shim_container_id(args: &str) -> Option<String> {
    let mut ws = args.split_whitespace();
    let first = ws.next()?;
    let name = first.rsplit('/').next().unwrap_or(first);
    if !(name.starts_with("docker-containerd-shim") || name.starts_with("containerd-shim")) {
        return None;
    }
    let words: Vec<&str> = args.split_whitespace().collect();
    let hex = |s: &str| s.len() >= 12 && s.bytes().all(|c| c.is_ascii_hexdigit());
    for (i, w) in words.iter().enumerate() {
        if (*w == "-id" || *w == "--id")
            && let Some(v) = words.get(i + 1)
        {
            return Some((*v).to_owned());
        }
        if (*w == "-workdir" || *w == "--workdir")
            && let Some(v) = words.get(i + 1)
        {
            let last = v.trim_end_matches('/').rsplit('/').next().unwrap_or(v);
            if hex(last) {
                return Some(last.to_owned());
            }
        }
    }
    words.get(1).filter(|w| hex(w)).map(|w| (*w).to_owned())
}

/// Every fact kind [`derive`] makes, with the attributes it sets. Rule files name these kinds
/// (`fact = …`) and attributes (`where`); a rule naming anything else fails to load.
pub const FACTS: &[(&str, &[&str])] = &[
    ("daemon-restarted", &["starts"]),
    (
        "orphaned-shim",
        &["pid", "container_id", "daemon_running", "children", "ppid"],
    ),
    ("process-in-unknown-container", &["pid", "comm", "shim_pid"]),
    (
        "exited-container-process-alive",
        &[
            "pid",
            "ppid",
            "container_id",
            "name",
            "docker_state",
            "command",
            "containers",
        ],
    ),
    (
        "ip-conflict",
        &["ip", "namespaces", "pids", "macs", "ancestry", "holders"],
    ),
    (
        "netns-not-in-docker",
        &["namespace", "pid", "ips", "nsfs", "basis"],
    ),
    (
        "runtime-state-mismatch",
        &[
            "container_id",
            "docker_state",
            "containerd_state",
            "shim_pid",
            "pod_uid",
        ],
    ),
    (
        "runc-init-zombie",
        &["pid", "parent_pid", "parent_args", "parent_start"],
    ),
    (
        "pids-limit-reached",
        &[
            "cgroup",
            "current",
            "max",
            "events_max",
            "container_id",
            "pod_uid",
        ],
    ),
    (
        "memory-limit-reached",
        &[
            "cgroup",
            "usage",
            "limit",
            "failcnt",
            "oom_kill",
            "container_id",
            "pod_uid",
        ],
    ),
    (
        "version-affected",
        &["component", "version", "issue", "fixed", "reference"],
    ),
    ("live-restore-disabled", &["live_restore"]),
    (
        "runc-state",
        &["container_id", "status", "pid", "oci_version"],
    ),
    ("syscall-blocked", &["pid", "syscall", "path", "call"]),
    (
        "runc-init-scope",
        &["scope", "container_id", "pids", "scopes"],
    ),
];

pub(super) fn fact(
    kind: &str,
    subject: String,
    summary: String,
    attrs: &[(&str, String)],
    evidence: Vec<Evidence>,
) -> Fact {
    debug_assert!(
        FACTS
            .iter()
            .any(|(k, names)| *k == kind && attrs.iter().all(|(a, _)| names.contains(a))),
        "fact {kind} or one of its attributes is missing from FACTS"
    );
    Fact {
        kind: kind.to_owned(),
        subject,
        summary,
        attrs: attrs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), v.clone()))
            .collect(),
        evidence,
    }
}

fn proc_evidence(p: &Process, label: &str) -> Vec<Evidence> {
    let mut v = vec![Evidence {
        label: label.to_owned(),
        ..p.evidence.clone()
    }];
    if let Some(t) = &p.tree_evidence
        && *t != p.evidence
    {
        v.push(Evidence {
            label: label.to_owned(),
            ..t.clone()
        });
    }
    v
}

/// Derives every fact.
pub(super) fn derive(b: &HostBuilder, st: &HostState) -> Vec<Fact> {
    let mut out = Vec::new();
    let orphans = orphaned_shims(b, st, &mut out);
    unknown_container_processes(st, &orphans, &mut out);
    exited_container_processes(b, st, &mut out);
    ip_conflicts(st, &mut out);
    netns_not_in_docker(b, st, &orphans, &mut out);
    state_mismatch(b, st, &mut out);
    runc_zombies(st, &mut out);
    cgroup_limits(st, &mut out);
    versions(b, st, &mut out);
    super::paste::facts(b, st, &mut out);
    if b.daemon_starts.len() > 1 {
        out.push(fact(
            "daemon-restarted",
            "dockerd".into(),
            format!(
                "the Docker daemon started {} times in the logs",
                b.daemon_starts.len()
            ),
            &[("starts", b.daemon_starts.len().to_string())],
            b.daemon_starts.clone(),
        ));
    }
    out
}

fn daemon<'a>(st: &'a HostState, b: &HostBuilder) -> (bool, Option<&'a Process>) {
    let p = st.processes.procs.values().find(|p| {
        p.name == "dockerd"
            || p.name == "dockerd-current"
            || (p.name == "docker" && p.args.split_whitespace().nth(1) == Some("daemon"))
    });
    let unit = b
        .units
        .iter()
        .any(|(u, running, _, _)| u == "docker.service" && *running);
    (p.is_some() || unit, p)
}

fn orphaned_shims(b: &HostBuilder, st: &HostState, out: &mut Vec<Fact>) -> Vec<u32> {
    let (running, dproc) = daemon(st, b);
    let docker_listed = b.listed.contains(&"docker-ps");
    let docker_ids: Vec<&str> = b
        .sightings
        .iter()
        .filter(|s| s.docker_state.is_some())
        .map(|s| s.id.as_str())
        .collect();
    let mut orphans = Vec::new();
    for p in st.processes.procs.values() {
        if shim_kind(p, st) != Some(Shim::V1) {
            continue;
        }
        let cid = shim_container_id(&p.args);
        let unknown = docker_listed
            && cid.as_deref().is_some_and(|c| {
                !docker_ids
                    .iter()
                    .any(|d| c.starts_with(d) || d.starts_with(c))
            });
        // A pasted process table may be cut by `grep`: the daemon missing from it may run.
        let under_init = p.ppid == Some(1) && (running || b.pasted.partial_ps);
        if !(under_init || unknown) {
            continue;
        }
        let children = st.processes.children(p.pid).count();
        let mut ev = proc_evidence(p, "orphaned-shim");
        if let Some(d) = dproc {
            ev.push(Evidence {
                label: "daemon".into(),
                ..d.evidence.clone()
            });
        }
        let reason = if under_init && running {
            "its parent is PID 1 while the daemon runs"
        } else if under_init {
            "its parent is PID 1, not containerd"
        } else {
            "docker does not list its container"
        };
        out.push(fact(
            "orphaned-shim",
            p.pid.to_string(),
            format!(
                "{}({}) is an orphaned shim: {reason}; {children} child process(es)",
                p.name, p.pid
            ),
            &[
                ("pid", p.pid.to_string()),
                ("container_id", cid.unwrap_or_default()),
                ("daemon_running", running.to_string()),
                ("children", children.to_string()),
                ("ppid", p.ppid.map(|x| x.to_string()).unwrap_or_default()),
            ],
            ev,
        ));
        orphans.push(p.pid);
    }
    orphans
}

fn unknown_container_processes(st: &HostState, orphans: &[u32], out: &mut Vec<Fact>) {
    for &shim in orphans {
        for d in st.processes.descendants(shim) {
            out.push(fact(
                "process-in-unknown-container",
                d.pid.to_string(),
                format!(
                    "{}({}) runs under orphaned shim {shim}: {}",
                    d.name,
                    d.pid,
                    st.processes.ancestry_text(d.pid)
                ),
                &[
                    ("pid", d.pid.to_string()),
                    ("comm", d.name.clone()),
                    ("shim_pid", shim.to_string()),
                ],
                proc_evidence(d, "process"),
            ));
        }
    }
}

/// Programs of the person investigating, whose arguments repeat what they look for (`grep
/// kube-scheduler`, `docker logs …`): never a container's process.
const INVESTIGATION: &[&str] = &[
    "crictl", "ctr", "docker", "egrep", "fgrep", "gdb", "grep", "kubectl", "less", "nerdctl",
    "nsenter", "podman", "ps", "strace", "tail", "watch",
];

/// Processes whose command is the COMMAND of a container that `docker ps -a` (or `nerdctl` /
/// `podman`) lists as exited or dead, and of no container it lists as running: the container's
/// process outlived it, its shim was not reaped (containerd#5959). A process under a shim of a
/// running listed container, a listing filtered by state, a command too generic to tell
/// (`/pause`, `bash`) and the investigator's own `grep` never count.
fn exited_container_processes(b: &HostBuilder, st: &HostState, out: &mut Vec<Fact>) {
    use crate::parse::containers::{command_matches, specific_command};
    let listed: Vec<(&super::build::Sighting, &str)> = b
        .sightings
        .iter()
        .filter_map(|s| Some((s, s.command.as_deref()?)))
        .filter(|(s, _)| s.docker_state.is_some())
        .collect();
    let gone =
        |s: &super::build::Sighting| matches!(s.docker_state.as_deref(), Some("exited" | "dead"));
    let running = |s: &super::build::Sighting| {
        matches!(
            s.docker_state.as_deref(),
            Some("running" | "paused" | "restarting")
        )
    };
    if !listed.iter().any(|(s, _)| gone(s)) {
        return;
    }
    for p in st.processes.procs.values() {
        if p.is_zombie() || INVESTIGATION.contains(&p.name.as_str()) || shim_kind(p, st).is_some() {
            continue;
        }
        let args = p.args.as_bytes();
        let exited: Vec<&(&super::build::Sighting, &str)> = listed
            .iter()
            .filter(|(s, c)| {
                gone(s)
                    && !s.state_filtered
                    && specific_command(c.as_bytes())
                    && command_matches(c.as_bytes(), args)
            })
            .collect();
        let Some(&&(first, cmd)) = exited.first() else {
            continue;
        };
        let claimed = listed
            .iter()
            .any(|(s, c)| running(s) && command_matches(c.as_bytes(), args));
        // Under the shim of a container the listing shows running: that container's process.
        let parent_running = p
            .ppid
            .and_then(|pp| st.processes.get(pp))
            .and_then(|pp| shim_container_id(&pp.args))
            .is_some_and(|id| {
                listed.iter().any(|(s, _)| {
                    running(s) && (id.starts_with(&s.id) || s.id.starts_with(id.as_str()))
                })
            });
        if claimed || parent_running {
            continue;
        }
        let mut ev: Vec<Evidence> = exited
            .iter()
            .filter_map(|(s, _)| s.evidence.clone())
            .map(|e| Evidence {
                label: "container".into(),
                ..e
            })
            .collect();
        ev.extend(proc_evidence(p, "process"));
        let name = first.name.clone().unwrap_or_default();
        let ppid = p.ppid.map(|x| x.to_string()).unwrap_or_default();
        let state = first.docker_state.clone().unwrap_or_default();
        out.push(fact(
            "exited-container-process-alive",
            p.pid.to_string(),
            format!(
                "container {}{} is {state} for the runtime, but its command {cmd} still runs as \
                 pid {}{}",
                first.id,
                if name.is_empty() {
                    String::new()
                } else {
                    format!(" ({name})")
                },
                p.pid,
                p.ppid.map(|x| format!(" (parent {x})")).unwrap_or_default()
            ),
            &[
                ("pid", p.pid.to_string()),
                ("ppid", ppid),
                ("container_id", first.id.clone()),
                ("name", name),
                ("docker_state", state),
                ("command", cmd.to_owned()),
                ("containers", exited.len().to_string()),
            ],
            ev,
        ));
    }
}

/// Loopback, link-local, unspecified.
fn is_local(ip: &str) -> bool {
    ip.starts_with("127.")
        || ip.starts_with("169.254.")
        || ip == "::1"
        || ip.to_ascii_lowercase().starts_with("fe80:")
        || ip == "0.0.0.0"
        || ip == "::"
}

fn ip_conflicts(st: &HostState, out: &mut Vec<Fact>) {
    let mut by_ip: BTreeMap<&str, Vec<(usize, usize)>> = BTreeMap::new();
    for (ni, ns) in st.namespaces.iter().enumerate() {
        for (ai, a) in ns.addresses.iter().enumerate() {
            if !is_local(&a.ip) {
                by_ip.entry(a.ip.as_str()).or_default().push((ni, ai));
            }
        }
    }
    for (ip, hits) in by_ip {
        let nss: BTreeSet<usize> = hits.iter().map(|h| h.0).collect();
        if nss.len() < 2 {
            continue;
        }
        let mut pids = Vec::new();
        let mut macs = BTreeSet::new();
        let mut ancestry = Vec::new();
        let mut ev = Vec::new();
        for &(ni, ai) in &hits {
            let ns = &st.namespaces[ni];
            let a = &ns.addresses[ai];
            if let Some(m) = &a.mac {
                macs.insert(m.clone());
            }
            ev.push(Evidence {
                label: "address".into(),
                ..a.evidence.clone()
            });
            let pid = if ns.key == "host" { Some(1) } else { ns.pid };
            if let Some(p) = pid
                && !pids.contains(&p)
            {
                pids.push(p);
                ancestry.push(st.processes.ancestry_text(p));
            }
        }
        let macs: Vec<String> = macs.into_iter().collect();
        let holders = holders(nss.iter().map(|&ni| &st.namespaces[ni]));
        let mut summary = format!("{ip} is configured in {} network namespaces", nss.len());
        if !pids.is_empty() {
            summary.push_str(&format!(" (pids {})", join(&pids)));
        } else if !holders.is_empty() {
            summary.push_str(&format!(" ({holders})"));
        }
        if !macs.is_empty() {
            summary.push_str(&format!(", MAC {}", macs.join(", ")));
        }
        out.push(fact(
            "ip-conflict",
            ip.to_owned(),
            summary,
            &[
                ("ip", ip.to_owned()),
                ("namespaces", nss.len().to_string()),
                ("pids", join(&pids)),
                ("macs", macs.join(",")),
                ("ancestry", ancestry.join("; ")),
                ("holders", holders),
            ],
            ev,
        ));
    }
}

/// The holders of namespaces known without a pid, as a listing names them: `pods a, b`,
/// `endpoints 16b37d1ca29d, dec22518804c`, `containers mysql, 65337c3d1c71`, `netns cni-1a2b…`; empty when a
/// namespace of the conflict has a pid (the pids and their ancestry say more) or no name.
fn holders<'a>(nss: impl Iterator<Item = &'a crate::model::host::NetNamespace>) -> String {
    let mut kinds: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for ns in nss {
        if ns.pid.is_some() {
            return String::new();
        }
        let (kind, name) = match ns.key.split_once(':') {
            Some(("pod", n)) => ("pods", n),
            Some(("endpoint", n)) => ("endpoints", n),
            Some(("container", n)) => ("containers", n),
            Some(("netns" | "nsfs", n)) => ("netns", n),
            _ if ns.key == "host" => ("netns", "host"),
            _ => return String::new(),
        };
        kinds.entry(kind).or_default().push(name);
    }
    kinds
        .iter()
        .map(|(k, v)| format!("{k} {}", v.join(", ")))
        .collect::<Vec<_>>()
        .join("; ")
}

fn join(v: &[u32]) -> String {
    v.iter().map(u32::to_string).collect::<Vec<_>>().join(",")
}

fn netns_not_in_docker(b: &HostBuilder, st: &HostState, orphans: &[u32], out: &mut Vec<Fact>) {
    let Some(listing) = &st.docker_netns else {
        return;
    };
    for ns in &st.namespaces {
        if ns.key == "host" || ns.key.starts_with("netns:") {
            continue;
        }
        let ips: Vec<&str> = ns
            .addresses
            .iter()
            .filter(|a| !is_local(&a.ip))
            .map(|a| a.ip.as_str())
            .collect();
        if ips.is_empty() {
            continue;
        }
        let basis = match &ns.nsfs {
            Some(f) => {
                let name = f.rsplit('/').next().unwrap_or(f);
                if listing.iter().any(|l| l == name) {
                    continue;
                }
                "nsfs"
            }
            None => {
                let Some(pid) = ns.pid else { continue };
                let anc = st.processes.ancestry(pid);
                if !anc.iter().any(|a| orphans.contains(a)) {
                    continue;
                }
                "process"
            }
        };
        let mut ev: Vec<Evidence> = ns
            .addresses
            .iter()
            .filter(|a| !is_local(&a.ip))
            .map(|a| Evidence {
                label: "address".into(),
                ..a.evidence.clone()
            })
            .collect();
        if let Some(e) = &b.docker_netns_evidence {
            ev.push(e.clone());
        }
        out.push(fact(
            "netns-not-in-docker",
            ns.key.clone(),
            format!(
                "network namespace {} holds {} but /var/run/docker/netns does not list it",
                ns.key,
                ips.join(", ")
            ),
            &[
                ("namespace", ns.key.clone()),
                ("pid", ns.pid.map(|p| p.to_string()).unwrap_or_default()),
                ("ips", ips.join(",")),
                ("nsfs", ns.nsfs.clone().unwrap_or_default()),
                ("basis", basis.into()),
            ],
            ev,
        ));
    }
}

fn state_mismatch(b: &HostBuilder, st: &HostState, out: &mut Vec<Fact>) {
    let docker = b.listed.contains(&"docker-ps");
    let any_ctr = b.listed.iter().any(|l| l.starts_with("ctr-tasks"));
    if !docker && b.listed.contains(&"ctr-tasks-moby") {
        stopped_with_live_shim(st, out);
    }
    if !docker || !any_ctr {
        return;
    }
    // The ctr listing is docker's namespace when its path says `moby` or it shares a container
    // with docker; otherwise (k8s.io namespace) absence on either side means nothing.
    let shared = st
        .containers
        .iter()
        .any(|c| c.docker_state.is_some() && c.containerd_state.is_some());
    if !(b.listed.contains(&"ctr-tasks-moby") || shared) {
        return;
    }
    for c in &st.containers {
        let d = c.docker_state.as_deref();
        let k = c.containerd_state.as_deref();
        let d_run = matches!(d, Some("running" | "paused" | "restarting"));
        let k_run = matches!(k, Some("RUNNING" | "PAUSED" | "PAUSING"));
        let mismatch = match (d, k) {
            (Some(_), Some(_)) => d_run != k_run,
            (Some(_), None) => d_run,
            (None, Some(_)) => k_run,
            (None, None) => false,
        };
        if !mismatch {
            continue;
        }
        let ds = d.unwrap_or("missing").to_owned();
        let ks = k.unwrap_or("missing").to_owned();
        out.push(fact(
            "runtime-state-mismatch",
            c.id.clone(),
            format!(
                "container {} is {ds} for docker but {ks} for containerd",
                c.id
            ),
            &[
                ("container_id", c.id.clone()),
                ("docker_state", ds),
                ("containerd_state", ks),
                ("pod_uid", c.pod_uid.clone().unwrap_or_default()),
            ],
            c.evidence.clone(),
        ));
    }
}

/// Without docker's listing: a task of docker's `moby` namespace that containerd reports
/// STOPPED while its v1 shim still runs. A v1 shim serves one container and leaves once docker
/// deletes the exited task, so docker never handled the exit: it still sees the container
/// running (docker/for-linux#779).
fn stopped_with_live_shim(st: &HostState, out: &mut Vec<Fact>) {
    for c in &st.containers {
        if c.containerd_state.as_deref() != Some("STOPPED") || c.id.len() < 12 {
            continue;
        }
        let shim = st.processes.procs.values().find(|p| {
            shim_kind(p, st) == Some(Shim::V1)
                && shim_container_id(&p.args)
                    .is_some_and(|id| id.starts_with(&c.id) || c.id.starts_with(&id))
        });
        let Some(shim) = shim else { continue };
        let mut ev = c.evidence.clone();
        for e in proc_evidence(shim, "shim") {
            if !ev.iter().any(|x| x.path == e.path && x.line == e.line) {
                ev.push(e);
            }
        }
        out.push(fact(
            "runtime-state-mismatch",
            c.id.clone(),
            format!(
                "container {} is STOPPED for containerd but its shim {}({}) still runs: docker \
                 never handled the exit",
                c.id, shim.name, shim.pid
            ),
            &[
                ("container_id", c.id.clone()),
                ("docker_state", "unknown".into()),
                ("containerd_state", "STOPPED".into()),
                ("shim_pid", shim.pid.to_string()),
                ("pod_uid", c.pod_uid.clone().unwrap_or_default()),
            ],
            ev,
        ));
    }
}

fn runc_zombies(st: &HostState, out: &mut Vec<Fact>) {
    for p in st.processes.procs.values() {
        if !p.is_zombie() {
            continue;
        }
        let init = p.name.contains("runc:[")
            || p.args.contains("runc:[")
            || p.args.starts_with("runc init")
            || p.args.starts_with("[runc] <defunct>");
        let Some(parent) = p.ppid.and_then(|pp| st.processes.get(pp)) else {
            // `ps aux` has no PPID column: the zombie init stub is evidence on its own.
            if init {
                out.push(fact(
                    "runc-init-zombie",
                    p.pid.to_string(),
                    format!("zombie {}({}), parent unknown", p.name, p.pid),
                    &[
                        ("pid", p.pid.to_string()),
                        (
                            "parent_pid",
                            p.ppid.map(|x| x.to_string()).unwrap_or_default(),
                        ),
                        ("parent_args", String::new()),
                        ("parent_start", String::new()),
                    ],
                    proc_evidence(p, "zombie"),
                ));
            }
            continue;
        };
        let pname = parent.name.as_str();
        let runc_parent = matches!(pname, "runc" | "docker-runc" | "docker-runc-current")
            && parent
                .args
                .split_whitespace()
                .any(|w| matches!(w, "start" | "run" | "exec" | "create"));
        if !(init || runc_parent) || !(pname.contains("runc")) {
            continue;
        }
        let mut ev = proc_evidence(p, "zombie");
        ev.extend(proc_evidence(parent, "runc"));
        out.push(fact(
            "runc-init-zombie",
            p.pid.to_string(),
            format!(
                "zombie {}({}) under {}({}) started {}",
                p.name, p.pid, parent.name, parent.pid, parent.start
            ),
            &[
                ("pid", p.pid.to_string()),
                ("parent_pid", parent.pid.to_string()),
                ("parent_args", parent.args.clone()),
                ("parent_start", parent.start.clone()),
            ],
            ev,
        ));
    }
}

fn cgroup_limits(st: &HostState, out: &mut Vec<Fact>) {
    for cg in &st.cgroups {
        let r = cgroup::container_ref(cg.path.as_bytes());
        let cid = r
            .container_id
            .map(|c| String::from_utf8_lossy(c).into_owned())
            .unwrap_or_default();
        let uid = r.pod_uid_string().unwrap_or_default();
        let val = |k: &str| cg.values.get(k);
        // pids
        let max = cg.number("pids.max");
        let cur = cg.number("pids.current");
        let events = cg.number("pids.events:max");
        let at_limit = matches!((cur, max), (Some(c), Some(m)) if c >= m);
        if at_limit || events.is_some_and(|e| e > 0) {
            let ev: Vec<Evidence> = ["pids.current", "pids.max", "pids.events:max"]
                .iter()
                .filter_map(|k| val(k).map(|v| v.evidence.clone()))
                .collect();
            out.push(fact(
                "pids-limit-reached",
                cg.path.clone(),
                format!(
                    "cgroup {} has {} of {} pids ({} forks rejected)",
                    cg.path,
                    cur.map_or("?".into(), |c| c.to_string()),
                    val("pids.max").map_or("?".into(), |v| v.text.clone()),
                    events.unwrap_or(0)
                ),
                &[
                    ("cgroup", cg.path.clone()),
                    ("current", cur.map(|c| c.to_string()).unwrap_or_default()),
                    (
                        "max",
                        val("pids.max").map(|v| v.text.clone()).unwrap_or_default(),
                    ),
                    (
                        "events_max",
                        events.map(|c| c.to_string()).unwrap_or_default(),
                    ),
                    ("container_id", cid.clone()),
                    ("pod_uid", uid.clone()),
                ],
                ev,
            ));
        }
        // memory
        const UNLIMITED: u64 = 1 << 62;
        let limit = cg
            .number("memory.limit_in_bytes")
            .or(cg.number("memory.max"));
        let usage = cg
            .number("memory.usage_in_bytes")
            .or(cg.number("memory.current"));
        let failcnt = cg.number("memory.failcnt").unwrap_or(0);
        let oom_kill = cg
            .number("memory.oom_control:oom_kill")
            .or(cg.number("memory.events:oom_kill"))
            .unwrap_or(0);
        let max_hits = cg.number("memory.events:max").unwrap_or(0);
        let full = matches!((usage, limit), (Some(u), Some(l)) if l < UNLIMITED && u >= l);
        if full || failcnt > 0 || oom_kill > 0 || max_hits > 0 {
            let ev: Vec<Evidence> = [
                "memory.usage_in_bytes",
                "memory.current",
                "memory.limit_in_bytes",
                "memory.max",
                "memory.failcnt",
                "memory.oom_control:oom_kill",
                "memory.events:oom_kill",
                "memory.events:max",
            ]
            .iter()
            .filter_map(|k| val(k).map(|v| v.evidence.clone()))
            .collect();
            out.push(fact(
                "memory-limit-reached",
                cg.path.clone(),
                format!(
                    "memory cgroup {} hit its limit (failcnt {failcnt}, oom_kill {oom_kill})",
                    cg.path
                ),
                &[
                    ("cgroup", cg.path.clone()),
                    ("usage", usage.map(|c| c.to_string()).unwrap_or_default()),
                    ("limit", limit.map(|c| c.to_string()).unwrap_or_default()),
                    ("failcnt", failcnt.to_string()),
                    ("oom_kill", oom_kill.to_string()),
                    ("container_id", cid.clone()),
                    ("pod_uid", uid.clone()),
                ],
                ev,
            ));
        }
    }
}

fn versions(b: &HostBuilder, st: &HostState, out: &mut Vec<Fact>) {
    for (component, v) in &st.versions {
        for k in &v.affected {
            out.push(fact(
                "version-affected",
                component.clone(),
                format!("{component} {} is affected: {}", v.version, k.summary),
                &[
                    ("component", component.clone()),
                    ("version", v.version.clone()),
                    ("issue", k.id.into()),
                    ("fixed", k.fixed.into()),
                    ("reference", k.reference.into()),
                ],
                vec![v.evidence.clone()],
            ));
        }
    }
    if let Some((false, e)) = &b.live_restore {
        out.push(fact(
            "live-restore-disabled",
            "dockerd".into(),
            "docker info says Live Restore Enabled: false: containers die or orphan when dockerd stops".into(),
            &[("live_restore", "false".into())],
            vec![e.clone()],
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shim_ids() {
        // Shim command lines per signatures §1.3 (moby#26374, docker/for-linux#779, #891,
        // rootlesskit#355).
        let id = "ff329173246bdc6e0c4db8fa0b3d4902380412664f74331b70197c6999f33d4e";
        let cases = [
            format!("docker-containerd-shim {id} /var/run/docker/libcontainerd/{id} docker-runc"),
            format!(
                "docker-containerd-shim -namespace moby -workdir /var/lib/docker/containerd/daemon/io.containerd.runtime.v1.linux/moby/{id} -address /var/run/docker/containerd/docker-containerd.sock -containerd-binary /usr/bin/docker-containerd -runtime-root /var/run/docker/runtime-runc"
            ),
            format!(
                "containerd-shim -namespace moby -workdir /var/lib/containerd/io.containerd.runtime.v1.linux/moby/{id} -address /run/containerd/containerd.sock"
            ),
            format!(
                "/usr/bin/containerd-shim-runc-v2 -namespace moby -id {id} -address /run/containerd/containerd.sock"
            ),
        ];
        for c in &cases {
            assert_eq!(shim_container_id(c).as_deref(), Some(id), "{c}");
        }
        assert_eq!(shim_container_id("/usr/bin/dockerd -H fd://"), None);
    }

    #[test]
    fn local_addresses() {
        assert!(is_local("127.0.0.1"));
        assert!(is_local("fe80::42:aff:fee9:e89"));
        assert!(!is_local("10.233.14.137"));
    }

    use crate::base::Format;
    use crate::model::host::HostBuilder;

    #[test]
    fn pstree_only_orphans_use_truncated_names() {
        // The seed 004 write-up only had `pstree`: `docker-containe` under systemd with a
        // non-shim child is a shim; `docker-containe` under dockerd with shim children is
        // docker-containerd itself.
        let mut b = HostBuilder::new();
        let tree = "systemd(1)-+-docker-containe(3990)-+-java(4021)
           |                       `-{docker-containe}(3991)
           `-dockerd(1201)---docker-containe(1250)---docker-containe(2100)---pause(2120)
";
        b.add("pstree", Format::Pstree, tree.as_bytes());
        let st = b.finish();
        let kinds: Vec<_> = st
            .facts
            .iter()
            .map(|f| (f.kind.as_str(), f.subject.as_str()))
            .collect();
        assert_eq!(
            kinds,
            vec![
                ("orphaned-shim", "3990"),
                ("process-in-unknown-container", "4021")
            ]
        );
        assert_eq!(st.processes.get(3990).unwrap().threads, 1);
    }

    #[test]
    fn runc_zombie_and_memory_limit() {
        // `ps -ef` shape (procps) with the defunct runc init of moby#40835-style hangs, and
        // cgroup v1 memory files (kernel cgroup-v1/memory.rst).
        let mut b = HostBuilder::new();
        let ps = b"UID        PID  PPID  C STIME TTY          TIME CMD
root         1     0  0 Mar09 ?        00:00:10 /usr/lib/systemd/systemd
root      7001     1  0 Mar12 ?        00:00:00 docker-runc --root /var/run/docker/runtime-runc/moby start 4f1c2b6a9d7e
root      7010  7001  0 Mar12 ?        00:00:00 [runc:[2:INIT]] <defunct>
";
        b.add("sos_commands/process/ps_-ef", Format::Ps, ps);
        let base = "sys/fs/cgroup/memory/kubepods/burstable/pod4d6c1a2e-9b7f-4c1e-8a55-0d1b2c3d4e5f/ff329173246bdc6e0c4db8fa0b3d4902380412664f74331b70197c6999f33d4e/";
        b.add(
            &format!("{base}memory.limit_in_bytes"),
            Format::Cgroup,
            b"536870912\n",
        );
        b.add(
            &format!("{base}memory.usage_in_bytes"),
            Format::Cgroup,
            b"536870912\n",
        );
        b.add(&format!("{base}memory.failcnt"), Format::Cgroup, b"1841\n");
        b.add(
            &format!("{base}memory.oom_control"),
            Format::Cgroup,
            b"oom_kill_disable 0\nunder_oom 0\noom_kill 2\n",
        );
        let st = b.finish();
        let z: Vec<_> = st.facts_of("runc-init-zombie").collect();
        assert_eq!(z.len(), 1);
        assert_eq!(z[0].attrs["pid"], "7010");
        assert_eq!(z[0].attrs["parent_pid"], "7001");
        assert_eq!(z[0].evidence[0].line, 4);
        let m: Vec<_> = st.facts_of("memory-limit-reached").collect();
        assert_eq!(m.len(), 1);
        assert_eq!(m[0].attrs["failcnt"], "1841");
        assert_eq!(m[0].attrs["oom_kill"], "2");
        assert_eq!(
            m[0].attrs["pod_uid"],
            "4d6c1a2e-9b7f-4c1e-8a55-0d1b2c3d4e5f"
        );
        assert_eq!(m[0].evidence.len(), 4);
        assert_eq!(st.facts.len(), 2);
    }

    #[test]
    fn containers_join_short_and_long_ids_and_missing_tasks() {
        // docker ps (12 hex) + docker inspect (64 hex) + ctr -n moby task ls (64 hex).
        let id = "ff329173246bdc6e0c4db8fa0b3d4902380412664f74331b70197c6999f33d4e";
        let other = "0a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f9";
        let mut b = HostBuilder::new();
        let ps = format!(
            "CONTAINER ID        IMAGE               COMMAND             CREATED             STATUS              PORTS               NAMES
{}        nginx               \"nginx\"             2 days ago          Up 2 days                               web
{}        nginx               \"nginx\"             2 days ago          Up 2 days                               api
",
            &id[..12],
            &other[..12]
        );
        b.add(
            "sos_commands/docker/docker_ps",
            Format::DockerPs,
            ps.as_bytes(),
        );
        let inspect = format!(
            "[{{\"Id\": \"{id}\", \"Name\": \"/web\", \"State\": {{\"Status\": \"running\", \"Running\": true, \"Pid\": 30639}}}}]"
        );
        b.add("docker_inspect", Format::DockerInspect, inspect.as_bytes());
        let tasks = format!("TASK    PID    STATUS\n{id}    30639    RUNNING\n");
        b.add(
            "sos_commands/containerd/ctr_-n_moby_task_ls",
            Format::CtrTasks,
            tasks.as_bytes(),
        );
        let st = b.finish();
        assert_eq!(st.containers.len(), 2);
        let web = &st.containers[0];
        assert_eq!(web.id, id);
        assert_eq!(web.pid, Some(30639));
        assert_eq!(web.evidence.len(), 3);
        let f: Vec<_> = st.facts_of("runtime-state-mismatch").collect();
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].attrs["container_id"], &other[..12]);
        assert_eq!(f[0].attrs["containerd_state"], "missing");
    }
}
