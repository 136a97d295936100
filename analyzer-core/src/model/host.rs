//! Host state and derived facts.
//!
//! [`HostBuilder`] takes every host-state member of a bundle (process tables, pstree, namespace
//! and address listings, cgroup files, runtime inventories, versions) in any order, keeps a small
//! owned copy of what matters, and [`finish`](HostBuilder::finish)es into a [`HostState`]: one
//! process tree, one reconciled container inventory, the network namespaces with their
//! addresses, the cgroup values, the component versions, and the [`Fact`]s the rule engine
//! matches on (`orphaned-shim`, `ip-conflict`, `runtime-state-mismatch`, …), each with the
//! evidence lines that prove it.

mod build;
mod facts;
pub mod known;
mod paste;

use std::collections::BTreeMap;

use serde::Serialize;

use crate::base::Evidence;

pub use build::HostBuilder;
pub use facts::FACTS;
pub use known::KnownIssue;

/// One process.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Process {
    /// Pid.
    pub pid: u32,
    /// Parent pid, when a source gave it.
    pub ppid: Option<u32>,
    /// Program name (`dockerd`, `docker-containerd-shim`, `java`; `docker-containe` when only
    /// `pstree` named it).
    pub name: String,
    /// Full command line when `ps` gave it (empty otherwise).
    pub args: String,
    /// State (`Ssl`, `Z`), empty when unknown.
    pub state: String,
    /// Start time as printed.
    pub start: String,
    /// User.
    pub user: String,
    /// The cgroup column of `ps -o cgroup`, or `/proc/<pid>/cgroup` lines joined by `,`.
    pub cgroup: Option<String>,
    /// Number of threads seen (thread rows, `{name}` nodes).
    pub threads: u32,
    /// Where it was read (the first process-table line, else the pstree line).
    pub evidence: Evidence,
    /// The pstree line showing it, when there is one.
    pub tree_evidence: Option<Evidence>,
}

impl Process {
    /// True for a zombie.
    pub fn is_zombie(&self) -> bool {
        self.state.starts_with('Z') || self.args.ends_with("<defunct>")
    }
}

/// The process tree: pid → process.
#[derive(Clone, Debug, Default, Serialize)]
pub struct ProcessTree {
    /// Processes by pid.
    pub procs: BTreeMap<u32, Process>,
}

impl ProcessTree {
    /// The process `pid`.
    pub fn get(&self, pid: u32) -> Option<&Process> {
        self.procs.get(&pid)
    }

    /// Children of `pid`.
    pub fn children(&self, pid: u32) -> impl Iterator<Item = &Process> {
        self.procs.values().filter(move |p| p.ppid == Some(pid))
    }

    /// All descendants of `pid`, depth first.
    pub fn descendants(&self, pid: u32) -> Vec<&Process> {
        let mut out = Vec::new();
        let mut todo = vec![pid];
        while let Some(p) = todo.pop() {
            for c in self.children(p) {
                if c.pid != pid && !out.iter().any(|o: &&Process| o.pid == c.pid) {
                    out.push(c);
                    todo.push(c.pid);
                }
            }
        }
        out
    }

    /// `pid` and its ancestors up to the root (cycles cut).
    pub fn ancestry(&self, pid: u32) -> Vec<u32> {
        let mut out = vec![pid];
        let mut cur = pid;
        while let Some(pp) = self.get(cur).and_then(|p| p.ppid) {
            if out.contains(&pp) || pp == 0 {
                break;
            }
            out.push(pp);
            cur = pp;
        }
        out
    }

    /// `java(4021) < docker-containerd-shim(3990) < systemd(1)`.
    pub fn ancestry_text(&self, pid: u32) -> String {
        self.ancestry(pid)
            .iter()
            .map(|p| match self.get(*p) {
                Some(pr) => format!("{}({})", pr.name, p),
                None => format!("?({p})"),
            })
            .collect::<Vec<_>>()
            .join(" < ")
    }
}

/// One container, reconciled across docker, containerd, CRI, shim command lines and cgroups.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Container {
    /// The longest id known (64 hex when any source gave it).
    pub id: String,
    /// Names (`docker ps` NAMES, inspect Name, crictl NAME).
    pub names: Vec<String>,
    /// Pod uid.
    pub pod_uid: Option<String>,
    /// Pod name.
    pub pod_name: Option<String>,
    /// Pod namespace.
    pub pod_namespace: Option<String>,
    /// Docker's view (`running`, `exited`, `created`), when docker listed it.
    pub docker_state: Option<String>,
    /// containerd task status (`RUNNING`, `STOPPED`), when `ctr task ls` listed it.
    pub containerd_state: Option<String>,
    /// CRI state (`Running`, `Exited`), when `crictl ps` listed it.
    pub cri_state: Option<String>,
    /// The shim process carrying it.
    pub shim_pid: Option<u32>,
    /// The init pid (inspect `State.Pid`, ctr task PID).
    pub pid: Option<u32>,
    /// The CRI pod sandbox id (`crictl ps` POD ID); its pod's name and namespace come from
    /// `crictl pods`.
    pub pod_sandbox: Option<String>,
    /// The lines that name it.
    pub evidence: Vec<Evidence>,
}

/// One address of a network namespace.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct NsAddress {
    /// The address (`10.233.14.137`).
    pub ip: String,
    /// Prefix length.
    pub prefix: Option<u8>,
    /// Interface (`eth0`).
    pub iface: String,
    /// The interface's MAC.
    pub mac: Option<String>,
    /// The `inet` line.
    pub evidence: Evidence,
}

/// A network namespace and its addresses.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct NetNamespace {
    /// Identity: `host`, `ns:<inode>`, `pid:<pid>`, `netns:<name>`, `nsfs:<name>`.
    pub key: String,
    /// A pid inside it (the `nsenter -t` target or lsns PID).
    pub pid: Option<u32>,
    /// The namespace inode (lsns).
    pub inode: Option<u64>,
    /// Its bind mount (`/run/docker/netns/<id>`), when known.
    pub nsfs: Option<String>,
    /// Addresses.
    pub addresses: Vec<NsAddress>,
}

/// One value of a cgroup control file.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CgroupValue {
    /// The value as written (`10000`, `max`).
    pub text: String,
    /// The line.
    pub evidence: Evidence,
}

/// The control files read for one cgroup of one hierarchy.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CgroupState {
    /// v1 hierarchy (`pids`, `memory`), `None` on v2.
    pub hierarchy: Option<String>,
    /// Cgroup path (`/kubepods/burstable/pod…/…`).
    pub path: String,
    /// Values by file (`pids.max`) or file and key (`pids.events:max`).
    pub values: BTreeMap<String, CgroupValue>,
}

impl CgroupState {
    /// A numeric value (`max` and non-numbers give `None`).
    pub fn number(&self, key: &str) -> Option<u64> {
        self.values.get(key)?.text.parse().ok()
    }
}

/// A component version, where it was read, and the known issues of its range.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct VersionInfo {
    /// The version text.
    pub version: String,
    /// Where it was read.
    pub evidence: Evidence,
    /// Known issues of this version.
    pub affected: Vec<KnownIssue>,
}

/// A derived fact about the host, for the rule engine.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Fact {
    /// The kind id (`orphaned-shim`, `ip-conflict`, …); rules match on it.
    pub kind: String,
    /// What it is about (a pid, an IP, a container id, a cgroup).
    pub subject: String,
    /// One sentence with the numbers.
    pub summary: String,
    /// Named values (`pid`, `container_id`, …).
    pub attrs: BTreeMap<String, String>,
    /// The lines that prove it.
    pub evidence: Vec<Evidence>,
}

/// Everything known about the host at collection time.
#[derive(Clone, Debug, Default, Serialize)]
pub struct HostState {
    /// The process tree.
    pub processes: ProcessTree,
    /// The container inventory.
    pub containers: Vec<Container>,
    /// Network namespaces with addresses.
    pub namespaces: Vec<NetNamespace>,
    /// Names listed in `/var/run/docker/netns`, when a listing was present.
    pub docker_netns: Option<Vec<String>>,
    /// Cgroups with their values.
    pub cgroups: Vec<CgroupState>,
    /// Component versions (`docker`, `containerd`, `runc`, `kernel`, `os`, `docker-api`, …).
    pub versions: BTreeMap<String, VersionInfo>,
    /// Derived facts.
    pub facts: Vec<Fact>,
}

impl HostState {
    /// The facts of one kind.
    pub fn facts_of<'a>(&'a self, kind: &'a str) -> impl Iterator<Item = &'a Fact> + 'a {
        self.facts.iter().filter(move |f| f.kind == kind)
    }
}
