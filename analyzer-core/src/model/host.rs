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

use std::collections::{BTreeMap, HashSet};
use std::sync::OnceLock;

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
///
/// Walks are linear in the tree: children come from an index of `procs` by parent, built on
/// first use (a fork bomb under one shim has 100 000 children; scanning every process per
/// parent was quadratic). `procs` is not changed after the tree is walked.
#[derive(Clone, Debug, Default, Serialize)]
pub struct ProcessTree {
    /// Processes by pid.
    pub procs: BTreeMap<u32, Process>,
    /// Children pids per parent pid, ascending.
    #[serde(skip)]
    kids: OnceLock<BTreeMap<u32, Vec<u32>>>,
}

impl ProcessTree {
    /// A tree of `procs`.
    pub fn new(procs: BTreeMap<u32, Process>) -> ProcessTree {
        ProcessTree {
            procs,
            kids: OnceLock::new(),
        }
    }

    /// The process `pid`.
    pub fn get(&self, pid: u32) -> Option<&Process> {
        self.procs.get(&pid)
    }

    fn kids(&self) -> &BTreeMap<u32, Vec<u32>> {
        self.kids.get_or_init(|| {
            let mut kids: BTreeMap<u32, Vec<u32>> = BTreeMap::new();
            for p in self.procs.values() {
                if let Some(pp) = p.ppid {
                    kids.entry(pp).or_default().push(p.pid);
                }
            }
            kids
        })
    }

    /// Children of `pid`, by pid.
    pub fn children(&self, pid: u32) -> impl Iterator<Item = &Process> {
        self.kids()
            .get(&pid)
            .into_iter()
            .flatten()
            .filter_map(|c| self.procs.get(c))
    }

    /// All descendants of `pid`, depth first (each parent before its children).
    pub fn descendants(&self, pid: u32) -> Vec<&Process> {
        let mut out = Vec::new();
        let mut seen: HashSet<u32> = HashSet::new();
        let mut todo = vec![pid];
        while let Some(p) = todo.pop() {
            for c in self.children(p) {
                if c.pid != pid && seen.insert(c.pid) {
                    out.push(c);
                    todo.push(c.pid);
                }
            }
        }
        out
    }

    /// `pid` and its ancestors up to the root (cycles cut).
    pub fn ancestry(&self, pid: u32) -> Vec<u32> {
        self.ancestry_upto(pid, usize::MAX)
    }

    /// `pid` and at most `hops` of its ancestors (cycles cut).
    fn ancestry_upto(&self, pid: u32, hops: usize) -> Vec<u32> {
        let mut out = vec![pid];
        let mut seen: HashSet<u32> = HashSet::from([pid]);
        let mut cur = pid;
        while let Some(pp) = self.get(cur).and_then(|p| p.ppid) {
            if pp == 0 || out.len() > hops || !seen.insert(pp) {
                break;
            }
            out.push(pp);
            cur = pp;
        }
        out
    }

    /// `java(4021) < docker-containerd-shim(3990) < systemd(1)`; past [`ANCESTRY_SHOWN`]
    /// ancestors the chain ends in `< …` (it is written for every process under a shim, and
    /// a fork chain may be 100 000 deep).
    pub fn ancestry_text(&self, pid: u32) -> String {
        let chain = self.ancestry_upto(pid, ANCESTRY_SHOWN + 1);
        let mut text = chain
            .iter()
            .take(ANCESTRY_SHOWN + 1)
            .map(|p| match self.get(*p) {
                Some(pr) => format!("{}({})", pr.name, p),
                None => format!("?({p})"),
            })
            .collect::<Vec<_>>()
            .join(" < ");
        if chain.len() > ANCESTRY_SHOWN + 1 {
            text.push_str(" < …");
        }
        text
    }
}

/// Ancestors named by [`ProcessTree::ancestry_text`].
pub const ANCESTRY_SHOWN: usize = 16;

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

/// A value about the host with the line it was read from.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Sourced<T> {
    /// The value.
    pub value: T,
    /// The line (or, for a value read from the bundle's layout, the member) that gives it.
    pub evidence: Evidence,
}

/// What identifies the host and its size: the facts a support engineer reads first (the
/// report's host header). Versions of the kernel, OS and runtimes are in
/// [`HostState::versions`]; these are the rest.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Identity {
    /// Host name (`hostname`, `etc/hostname`, `hostnamectl`, `uname -a`).
    pub hostname: Option<Sourced<String>>,
    /// OS name from `hostnamectl` (used when no os-release was read).
    pub os: Option<Sourced<String>>,
    /// Kernel release from `hostnamectl` (used when no `uname -a` was read).
    pub kernel: Option<Sourced<String>>,
    /// Uptime as written (`25 min`, `3 days,  2:04`) and in seconds.
    pub uptime: Option<Sourced<(String, u64)>>,
    /// Boot time in seconds since the epoch (`/proc/stat` `btime`).
    pub boot: Option<Sourced<i64>>,
    /// Logical CPUs and the CPU model when given (`lscpu`, `/proc/cpuinfo`).
    pub cpus: Option<Sourced<(u32, Option<String>)>>,
    /// Total memory in bytes (`/proc/meminfo` `MemTotal`).
    pub memory: Option<Sourced<u64>>,
    /// Cgroup version: `v1`, `v2`, or `hybrid` (v1 controllers with the v2 `unified` tree),
    /// from the layout of `sys/fs/cgroup` or a `/proc/<pid>/cgroup` file.
    pub cgroup: Option<Sourced<String>>,
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
    /// Host name, uptime, boot time, CPUs, memory, cgroup version.
    pub identity: Identity,
}

impl HostState {
    /// The facts of one kind.
    pub fn facts_of<'a>(&'a self, kind: &'a str) -> impl Iterator<Item = &'a Fact> + 'a {
        self.facts.iter().filter(move |f| f.kind == kind)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A `pstree -lp` process: `name(pid)` under `ppid`.
    fn process(pid: u32, ppid: Option<u32>, name: &str) -> Process {
        Process {
            pid,
            ppid,
            name: name.into(),
            args: String::new(),
            state: String::new(),
            start: String::new(),
            user: String::new(),
            cgroup: None,
            threads: 0,
            evidence: Evidence {
                input: 0,
                path: "sos_commands/process/pstree_-lp".into(),
                line: 1,
                time: None,
                text: String::new(),
                highlight: None,
                label: String::new(),
            },
            tree_evidence: None,
        }
    }

    fn tree(procs: &[(u32, Option<u32>, &str)]) -> ProcessTree {
        ProcessTree::new(
            procs
                .iter()
                .map(|&(pid, ppid, name)| (pid, process(pid, ppid, name)))
                .collect(),
        )
    }

    // systemd(1) ─ shim(3990) ─┬─ java(4021) ─ sh(4100)
    //                          └─ pause(4010)
    #[test]
    fn children_descendants_and_ancestry() {
        let t = tree(&[
            (1, None, "systemd"),
            (3990, Some(1), "docker-containe"),
            (4010, Some(3990), "pause"),
            (4021, Some(3990), "java"),
            (4100, Some(4021), "sh"),
        ]);
        let kids: Vec<u32> = t.children(3990).map(|p| p.pid).collect();
        assert_eq!(kids, [4010, 4021]);
        assert_eq!(t.children(4100).count(), 0);
        // Depth first, each parent before its children.
        let d: Vec<u32> = t.descendants(3990).iter().map(|p| p.pid).collect();
        assert_eq!(d, [4010, 4021, 4100]);
        assert_eq!(t.ancestry(4100), [4100, 4021, 3990, 1]);
        assert_eq!(
            t.ancestry_text(4100),
            "sh(4100) < java(4021) < docker-containe(3990) < systemd(1)"
        );
    }

    #[test]
    fn parent_loops_are_cut() {
        // 10 → 11 → 12 → 10, and 13 under 12.
        let t = tree(&[
            (10, Some(12), "a"),
            (11, Some(10), "b"),
            (12, Some(11), "c"),
            (13, Some(12), "d"),
        ]);
        assert_eq!(t.ancestry(13), [13, 12, 11, 10]);
        let d: Vec<u32> = t.descendants(10).iter().map(|p| p.pid).collect();
        assert_eq!(d, [11, 12, 13]);
    }

    // A fork chain 100 000 deep: walks stay linear, the ancestry text stays short.
    #[test]
    fn a_fork_chain_of_a_hundred_thousand() {
        let n = 100_000u32;
        let procs: Vec<(u32, Option<u32>, &str)> = (1..=n)
            .map(|pid| (pid, (pid > 1).then(|| pid - 1), "sh"))
            .collect();
        let t = tree(&procs);
        assert_eq!(t.descendants(1).len(), n as usize - 1);
        assert_eq!(t.ancestry(n).len(), n as usize);
        let text = t.ancestry_text(n);
        assert!(text.starts_with(&format!("sh({n}) < sh({}) < ", n - 1)));
        assert!(text.ends_with(&format!(" < sh({}) < …", n - ANCESTRY_SHOWN as u32)));
        assert_eq!(text.matches(" < ").count(), ANCESTRY_SHOWN + 1);
    }
}
