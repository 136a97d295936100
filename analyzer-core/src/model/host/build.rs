//! [`HostBuilder`]: collects host-state members in any order, joins them in `finish`.

use std::collections::BTreeMap;

use crate::base::{Evidence, Format};
use crate::model::host::{
    CgroupState, CgroupValue, Container, HostState, Identity, NetNamespace, NsAddress, Process,
    ProcessTree, Sourced, VersionInfo, known,
};
use crate::parse::{cgroup, hostinfo, netns, ps, pstree, runtime, versions};

/// Longest evidence text kept; longer lines are shortened in the middle.
const MAX_TEXT: usize = 400;

/// Byte offsets of line starts, to quote lines as evidence.
pub(super) struct LineIndex<'a> {
    data: &'a [u8],
    starts: Vec<usize>,
}

impl<'a> LineIndex<'a> {
    pub(super) fn new(data: &'a [u8]) -> Self {
        let mut starts = vec![0];
        starts.extend(memchr::memchr_iter(b'\n', data).map(|i| i + 1));
        LineIndex { data, starts }
    }

    /// The text of 1-based line `n`, trimmed and shortened.
    pub(super) fn text(&self, n: u32) -> String {
        let i = n as usize;
        let (Some(&s), e) = (self.starts.get(i.wrapping_sub(1)), self.starts.get(i)) else {
            return String::new();
        };
        let e = e.map_or(self.data.len(), |e| e - 1);
        shorten(&self.data[s..e.max(s)])
    }
}

/// Trimmed lossy text, shortened in the middle past [`MAX_TEXT`] characters.
pub(super) fn shorten(b: &[u8]) -> String {
    let s = String::from_utf8_lossy(b.trim_ascii());
    if s.chars().count() <= MAX_TEXT {
        return s.into_owned();
    }
    let head: String = s.chars().take(MAX_TEXT / 2).collect();
    let tail: Vec<char> = s.chars().rev().take(MAX_TEXT / 2 - 1).collect();
    format!("{head}…{}", tail.into_iter().rev().collect::<String>())
}

pub(super) fn ev(path: &str, line: u32, text: String, label: &str) -> Evidence {
    Evidence {
        input: 0,
        path: path.to_owned(),
        line,
        time: None,
        text,
        highlight: None,
        label: label.to_owned(),
    }
}

fn s(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// A tree edge read from `pstree`.
#[derive(Clone, Debug)]
pub(super) struct TreeEntry {
    pub pid: u32,
    pub ppid: Option<u32>,
    pub name: String,
    pub threads: u32,
    pub evidence: Evidence,
}

/// A docker container as one source lists it.
#[derive(Clone, Debug, Default)]
pub(super) struct Sighting {
    pub id: String,
    pub name: Option<String>,
    pub pod_uid: Option<String>,
    pub pod_name: Option<String>,
    pub pod_namespace: Option<String>,
    pub docker_state: Option<String>,
    pub containerd_state: Option<String>,
    pub cri_state: Option<String>,
    pub pid: Option<u32>,
    /// The CRI pod sandbox id (`crictl ps` POD ID column).
    pub pod_sandbox: Option<String>,
    /// The COMMAND cell of a `docker ps` / `nerdctl ps` row as printed (quoted, maybe cut).
    pub command: Option<String>,
    /// The listing was filtered by state (`grep Exited`, `-f status=exited`): it hides the
    /// running containers.
    pub state_filtered: bool,
    pub evidence: Option<Evidence>,
}

/// A pod sandbox as `crictl pods` lists it.
#[derive(Clone, Debug)]
pub(super) struct PodRow {
    pub id: String,
    pub name: String,
    pub namespace: String,
    pub evidence: Evidence,
}

/// A namespace address list as one source gives it, before identities are joined.
#[derive(Clone, Debug)]
pub(super) struct NsSource {
    /// The identity when the source names it itself (`pod:<ns>/<name>`, `endpoint:<id>`,
    /// `container:<id>`): a holder read from a listing rather than from the namespace.
    pub key: Option<String>,
    pub pid: Option<u32>,
    pub netns_name: Option<String>,
    pub nsfs: Option<String>,
    pub host: bool,
    pub addresses: Vec<NsAddress>,
}

/// An lsns row kept.
#[derive(Clone, Debug)]
pub(super) struct LsnsEntry {
    pub ns: u64,
    pub kind: String,
    pub pid: u32,
    pub nsfs: Option<String>,
}

/// Collects host-state members; `Send`, fed in any order; [`finish`](HostBuilder::finish)
/// joins them.
#[derive(Debug, Default)]
pub struct HostBuilder {
    pub(super) ps: Vec<(Process, bool)>,
    pub(super) tree: Vec<TreeEntry>,
    pub(super) lsns: Vec<LsnsEntry>,
    pub(super) ns_sources: Vec<NsSource>,
    pub(super) docker_netns: Option<Vec<String>>,
    pub(super) docker_netns_evidence: Option<Evidence>,
    pub(super) cgroups: BTreeMap<(Option<String>, String), BTreeMap<String, CgroupValue>>,
    pub(super) proc_cgroups: BTreeMap<u32, String>,
    pub(super) sightings: Vec<Sighting>,
    /// Sources seen: `docker-ps`, `ctr-tasks-moby`, `ctr-tasks`, `crictl-ps`.
    pub(super) listed: Vec<&'static str>,
    pub(super) ctr_paths: Vec<String>,
    /// (component, version, evidence, priority: lower wins).
    pub(super) versions: Vec<(String, String, Evidence, u8)>,
    pub(super) live_restore: Option<(bool, Evidence)>,
    pub(super) storage_driver: Option<(String, Evidence)>,
    pub(super) units: Vec<(String, bool, Option<u32>, Evidence)>,
    pub(super) daemon_starts: Vec<Evidence>,
    /// `crictl pods` rows, joined to containers by sandbox id.
    pub(super) pods: Vec<PodRow>,
    /// What pasted text added ([`HostBuilder::add_paste`]).
    pub(super) pasted: super::paste::Pasted,
    /// Candidates for the host identity: (field, priority: lower wins, value, evidence).
    pub(super) identity: Vec<(IdField, u8, String, Evidence)>,
    pub(super) uptime: Vec<(u8, String, u64, Evidence)>,
    pub(super) boot: Option<(i64, Evidence)>,
    pub(super) cpus: Vec<(u8, u32, Option<String>, Evidence)>,
    pub(super) memory: Option<(u64, Evidence)>,
    /// What the bundle's `sys/fs/cgroup` tree and `/proc/<pid>/cgroup` files show.
    pub(super) cgroup_layout: CgroupLayout,
}

/// A text field of [`Identity`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(super) enum IdField {
    Hostname,
    Os,
    Kernel,
}

/// Which cgroup hierarchies the bundle shows, each with the first member that shows it.
#[derive(Clone, Debug, Default)]
pub(super) struct CgroupLayout {
    /// A v1 controller hierarchy (`sys/fs/cgroup/memory/…`, `N:memory:/…`).
    v1: Option<Evidence>,
    /// The v2 tree mounted beside v1 (`sys/fs/cgroup/unified/…`).
    unified: Option<Evidence>,
    /// The v2 tree at the root (`sys/fs/cgroup/cgroup.controllers`, only `0::/…` lines).
    v2: Option<Evidence>,
}

/// Keeps the evidence with the least path and line, so that members read in parallel cite
/// the same one every run.
fn keep_least(slot: &mut Option<Evidence>, e: Evidence) {
    if slot
        .as_ref()
        .is_none_or(|o| (e.path.as_str(), e.line) < (o.path.as_str(), o.line))
    {
        *slot = Some(e);
    }
}

/// v1 controller hierarchies as they appear under `/sys/fs/cgroup`.
const V1_HIERARCHIES: &[&str] = &[
    "blkio",
    "cpu",
    "cpu,cpuacct",
    "cpuacct",
    "cpuset",
    "devices",
    "freezer",
    "hugetlb",
    "memory",
    "net_cls",
    "net_cls,net_prio",
    "perf_event",
    "pids",
    "rdma",
    "systemd",
];

impl CgroupLayout {
    /// Notes a member path under `sys/fs/cgroup/`.
    fn note_path(&mut self, path: &str) {
        let Some(i) = path.find("sys/fs/cgroup/") else {
            return;
        };
        let rest = &path[i + "sys/fs/cgroup/".len()..];
        let first = rest.split('/').next().unwrap_or("");
        let member = ev(path, 0, path.to_owned(), "cgroup-layout");
        if first == "unified" {
            keep_least(&mut self.unified, member);
        } else if V1_HIERARCHIES.contains(&first) && rest.len() > first.len() {
            keep_least(&mut self.v1, member);
        } else if first == "cgroup.controllers" || first == "cgroup.subtree_control" {
            keep_least(&mut self.v2, member);
        }
    }

    /// Notes a `/proc/<pid>/cgroup` file: `N:controllers:/path` lines are v1, a lone `0::/path`
    /// is v2 only.
    fn note_proc_cgroup(&mut self, path: &str, data: &[u8], idx: &LineIndex) {
        let lines = cgroup::parse_proc_cgroup(data);
        let v1 = lines.iter().find(|c| !c.controllers.is_empty());
        let v2 = lines.iter().find(|c| c.controllers.is_empty());
        let e = |l: u32| ev(path, l, idx.text(l), "proc-cgroup");
        match (v1, v2) {
            (Some(c), Some(u)) => {
                keep_least(&mut self.v1, e(c.line));
                keep_least(&mut self.unified, e(u.line));
            }
            (Some(c), None) => keep_least(&mut self.v1, e(c.line)),
            (None, Some(u)) => keep_least(&mut self.v2, e(u.line)),
            (None, None) => {}
        }
    }

    /// `v1`, `v2` or `hybrid`, with what shows it.
    fn version(&self) -> Option<Sourced<String>> {
        let (value, evidence) = match (&self.v1, &self.unified, &self.v2) {
            (Some(_), Some(u), _) => ("hybrid", u),
            (Some(v), None, _) => ("v1", v),
            (None, _, Some(v)) => ("v2", v),
            (None, Some(u), None) => ("hybrid", u),
            (None, None, None) => return None,
        };
        Some(Sourced {
            value: value.to_owned(),
            evidence: evidence.clone(),
        })
    }
}

impl HostBuilder {
    /// An empty builder.
    pub fn new() -> Self {
        HostBuilder::default()
    }

    /// Adds one member; members of formats that are not host state are ignored. A listing of
    /// `/var/run/docker/netns` is recognised by its path (`…var.run.docker.netns…`) whatever its
    /// format.
    pub fn add(&mut self, path: &str, format: Format, data: &[u8]) {
        self.cgroup_layout.note_path(path);
        if is_docker_netns_listing(path) {
            self.add_docker_netns(path, data);
            return;
        }
        let idx = LineIndex::new(data);
        match format {
            Format::Ps => self.add_ps(path, data, &idx),
            Format::Pstree => self.add_pstree(path, data, &idx),
            Format::Lsns => {
                for r in netns::parse_lsns(data) {
                    self.lsns.push(LsnsEntry {
                        ns: r.ns,
                        kind: s(r.kind),
                        pid: r.pid,
                        nsfs: r.nsfs.map(s),
                    });
                }
            }
            Format::IpAddr => {
                let ifaces = netns::parse_ip_addr(data);
                let netns_name = namespace_of_path(path);
                self.ns_sources.push(NsSource {
                    key: None,
                    pid: None,
                    host: netns_name.is_none(),
                    netns_name,
                    nsfs: None,
                    addresses: addresses(path, &ifaces, &idx),
                });
            }
            Format::NsenterIpAddr => {
                for b in netns::parse_nsenter(data) {
                    self.ns_sources.push(NsSource {
                        key: None,
                        pid: b.pid,
                        netns_name: b.name.map(s),
                        nsfs: b.net_path.map(s),
                        host: false,
                        addresses: addresses(path, &b.interfaces, &idx),
                    });
                }
            }
            Format::Cgroup => self.add_cgroup(path, data, &idx),
            Format::ProcCgroup => {
                let pid = path
                    .rsplit('/')
                    .nth(1)
                    .and_then(|p| ps::parse_u32(p.as_bytes()));
                if let Some(pid) = pid {
                    let lines: Vec<String> = cgroup::parse_proc_cgroup(data)
                        .iter()
                        .map(|c| format!("{}:{}:{}", c.hierarchy, s(c.controllers), s(c.path)))
                        .collect();
                    self.proc_cgroups.insert(pid, lines.join(","));
                }
                self.cgroup_layout.note_proc_cgroup(path, data, &idx);
            }
            Format::DockerPs => {
                self.listed.push("docker-ps");
                for r in runtime::parse_docker_ps(data) {
                    let (pod_name, pod_namespace, pod_uid) = k8s_name_parts(r.names);
                    self.sightings.push(Sighting {
                        id: s(r.id),
                        name: Some(s(r.names)),
                        pod_uid,
                        pod_name,
                        pod_namespace,
                        docker_state: Some(r.state.name().to_owned()),
                        command: (!r.command.is_empty()).then(|| s(r.command)),
                        evidence: Some(ev(path, r.line, idx.text(r.line), "docker-ps")),
                        ..Sighting::default()
                    });
                }
            }
            Format::DockerInspect => {
                self.add_endpoint_ips(path, data);
                self.listed.push("docker-ps");
                for c in runtime::parse_docker_inspect(data) {
                    self.sightings.push(Sighting {
                        evidence: Some(ev(path, c.line, idx.text(c.line), "docker-inspect")),
                        name: Some(c.name.trim_start_matches('/').to_owned()),
                        docker_state: Some(c.status),
                        pid: (c.pid > 0).then_some(c.pid),
                        pod_uid: c.pod_uid,
                        pod_name: c.pod_name,
                        pod_namespace: c.pod_namespace,
                        id: c.id,
                        ..Sighting::default()
                    });
                }
            }
            Format::DockerInfo => {
                let i = runtime::parse_docker_info(data);
                let e = |l: u32| ev(path, l, idx.text(l), "docker-info");
                if let Some((v, l)) = i.server_version {
                    self.versions.push(("docker".into(), s(v), e(l), 1));
                }
                if let Some((v, l)) = i.containerd {
                    self.versions.push(("containerd".into(), s(v), e(l), 1));
                }
                if let Some((v, l)) = i.runc {
                    self.versions.push(("runc".into(), s(v), e(l), 1));
                }
                if let Some((v, l)) = i.live_restore {
                    self.live_restore = Some((v, e(l)));
                }
                if let Some((v, l)) = i.storage_driver {
                    self.storage_driver = Some((s(v), e(l)));
                }
            }
            Format::DockerVersion => {
                for c in runtime::parse_docker_version(data) {
                    let e = ev(path, c.line, idx.text(c.line), "docker-version");
                    self.versions.push((c.component.into(), s(c.version), e, 0));
                }
            }
            Format::CtrTasks => {
                let moby = path.contains("moby");
                self.listed
                    .push(if moby { "ctr-tasks-moby" } else { "ctr-tasks" });
                self.ctr_paths.push(path.to_owned());
                for r in runtime::parse_ctr_tasks(data) {
                    self.sightings.push(Sighting {
                        id: s(r.id),
                        containerd_state: Some(s(r.status)),
                        pid: r.pid.filter(|p| *p > 0),
                        evidence: Some(ev(path, r.line, idx.text(r.line), "ctr-task")),
                        ..Sighting::default()
                    });
                }
            }
            Format::CtrContainers => {
                for r in runtime::parse_ctr_containers(data) {
                    self.sightings.push(Sighting {
                        id: s(r.id),
                        evidence: Some(ev(path, r.line, idx.text(r.line), "ctr-container")),
                        ..Sighting::default()
                    });
                }
            }
            Format::CrictlPs => {
                self.listed.push("crictl-ps");
                for r in runtime::parse_crictl_ps(data) {
                    self.sightings.push(Sighting {
                        id: s(r.id),
                        name: Some(s(r.name)),
                        cri_state: Some(s(r.state)),
                        pod_sandbox: (r.pod.len() >= 12 && r.pod.iter().all(u8::is_ascii_hexdigit))
                            .then(|| s(r.pod)),
                        evidence: Some(ev(path, r.line, idx.text(r.line), "crictl-ps")),
                        ..Sighting::default()
                    });
                }
            }
            Format::CrictlPods => {
                for r in runtime::parse_crictl_pods(data) {
                    if r.id.len() < 12 || r.name.is_empty() {
                        continue;
                    }
                    self.pods.push(PodRow {
                        id: s(r.id),
                        name: s(r.name),
                        namespace: s(r.pod),
                        evidence: ev(path, r.line, idx.text(r.line), "crictl-pods"),
                    });
                }
            }
            Format::SystemctlStatus => {
                self.add_cgroup_tree(path, data);
                for u in runtime::parse_systemctl_status(data) {
                    let l = if u.active_line > 0 {
                        u.active_line
                    } else {
                        u.line
                    };
                    self.units.push((
                        s(u.unit),
                        u.is_running(),
                        u.main_pid,
                        ev(path, l, idx.text(l), "systemctl-status"),
                    ));
                }
            }
            Format::SystemctlUnits => {
                for u in runtime::parse_systemctl_units(data) {
                    self.units.push((
                        s(u.unit),
                        u.active == b"active" && u.sub == b"running",
                        None,
                        ev(path, u.line, idx.text(u.line), "systemctl-units"),
                    ));
                }
            }
            Format::Uname => {
                if let Some((r, l)) = versions::uname_release(data) {
                    let e = ev(path, l, idx.text(l), "uname");
                    self.versions.push(("kernel".into(), s(r), e.clone(), 0));
                    let text = idx.text(l);
                    if let Some(host) = text.split_whitespace().nth(1) {
                        self.identity
                            .push((IdField::Hostname, 3, host.to_owned(), e));
                    }
                }
            }
            Format::Hostname => {
                if let Some((h, l)) = hostinfo::hostname(data) {
                    let prio = if path.ends_with("etc/hostname") { 1 } else { 0 };
                    let e = ev(path, l, idx.text(l), "hostname");
                    self.identity.push((IdField::Hostname, prio, s(h), e));
                }
            }
            Format::Hostnamectl => {
                let e = |l: u32| ev(path, l, idx.text(l), "hostnamectl");
                if let Some((h, l)) = hostinfo::colon_field(data, b"Static hostname") {
                    self.identity.push((IdField::Hostname, 2, s(h), e(l)));
                }
                if let Some((o, l)) = hostinfo::colon_field(data, b"Operating System") {
                    self.identity.push((IdField::Os, 2, s(o), e(l)));
                }
                if let Some((k, l)) = hostinfo::colon_field(data, b"Kernel") {
                    let k = k.strip_prefix(b"Linux ").unwrap_or(k);
                    self.identity.push((IdField::Kernel, 2, s(k), e(l)));
                }
            }
            Format::Uptime => {
                if let Some(u) = hostinfo::uptime(data) {
                    let prio = u8::from(path.ends_with("proc/uptime"));
                    let e = ev(path, u.line, idx.text(u.line), "uptime");
                    self.uptime.push((prio, s(u.text), u.seconds, e));
                }
            }
            Format::ProcStat => {
                if let Some((b, l)) = hostinfo::proc_stat_btime(data) {
                    self.boot = Some((b, ev(path, l, idx.text(l), "proc-stat")));
                }
            }
            Format::Lscpu | Format::Cpuinfo => {
                let (c, prio) = if format == Format::Lscpu {
                    (hostinfo::lscpu(data), 0)
                } else {
                    (hostinfo::cpuinfo(data), 1)
                };
                if let Some(c) = c {
                    let e = ev(path, c.line, idx.text(c.line), format.name());
                    self.cpus.push((prio, c.count, c.model.map(s), e));
                }
            }
            Format::Meminfo => {
                if let Some((b, l)) = hostinfo::mem_total(data) {
                    self.memory = Some((b, ev(path, l, idx.text(l), "meminfo")));
                }
            }
            Format::SnapList => {
                for p in hostinfo::snap_list(data) {
                    if let Some(c) = versions::package_component(p.name) {
                        let e = ev(path, p.line, idx.text(p.line), "snap");
                        self.versions.push((c.into(), s(p.version), e, 2));
                    }
                }
            }
            Format::OsRelease => {
                if let Some((r, l)) = versions::os_release(data, b"PRETTY_NAME") {
                    let e = ev(path, l, idx.text(l), "os-release");
                    self.versions.push(("os".into(), s(r), e, 0));
                }
            }
            Format::Packages => {
                for p in versions::parse_packages(data) {
                    if let Some(c) = versions::package_component(p.name) {
                        let e = ev(path, p.line, idx.text(p.line), "package");
                        // The running kernel comes from uname; packages list every installed one.
                        let prio = if c == "kernel" { 9 } else { 2 };
                        self.versions.push((c.into(), s(p.version), e, prio));
                    }
                }
            }
            _ => {}
        }
    }

    /// Notes a log line: version clues ([`versions::hints_from_line`]) and daemon starts
    /// (systemd `Started Docker Application Container Engine`, dockerd `API listen on`).
    pub fn note_log_line(&mut self, path: &str, line: u32, text: &[u8]) {
        for h in versions::hints_from_line(text) {
            if h.component == "docker-api" {
                let e = ev(path, line, shorten(text), "log-hint");
                self.versions.push(("docker-api".into(), s(h.value), e, 5));
            }
        }
        let find = |n: &[u8]| memchr::memmem::find(text, n).is_some();
        if find(b"Started Docker Application Container Engine") || find(b"API listen on") {
            self.daemon_starts
                .push(ev(path, line, shorten(text), "daemon-start"));
        }
    }

    /// Notes a member that is not read (no parser for it): its path alone can tell the
    /// cgroup version (`sys/fs/cgroup/unified/…`, `sys/fs/cgroup/cgroup.controllers`).
    pub fn note_path(&mut self, path: &str) {
        self.cgroup_layout.note_path(path);
    }

    /// Joins everything into the host state and derives the facts.
    pub fn finish(mut self) -> HostState {
        self.sort_inputs();
        let processes = self.process_tree();
        let namespaces = self.namespaces();
        let cgroups = self
            .cgroups
            .iter()
            .map(|((h, p), v)| CgroupState {
                hierarchy: h.clone(),
                path: p.clone(),
                values: v.clone(),
            })
            .collect();
        let mut versions: BTreeMap<String, VersionInfo> = BTreeMap::new();
        let mut vs = self.versions.clone();
        vs.sort_by(|a, b| (a.3, &a.2.path, a.2.line).cmp(&(b.3, &b.2.path, b.2.line)));
        for (c, v, e, _) in vs {
            versions.entry(c.clone()).or_insert_with(|| VersionInfo {
                affected: known::affected(&c, &v),
                version: v,
                evidence: e,
            });
        }
        if let Some((d, e)) = &self.storage_driver {
            versions
                .entry("docker-storage-driver".into())
                .or_insert_with(|| VersionInfo {
                    affected: known::affected("docker-storage-driver", d),
                    version: d.clone(),
                    evidence: e.clone(),
                });
        }
        let containers = self.containers(&processes);
        let mut state = HostState {
            processes,
            containers,
            namespaces,
            docker_netns: self.docker_netns.clone(),
            cgroups,
            versions,
            facts: Vec::new(),
            identity: self.identity(),
        };
        state.facts = super::facts::derive(&self, &state);
        state
    }

    /// The best candidate of every identity field: lowest priority, then path and line.
    fn identity(&self) -> Identity {
        let key = |e: &Evidence| (e.path.clone(), e.line);
        let pick = |f: IdField| {
            self.identity
                .iter()
                .filter(|c| c.0 == f)
                .min_by_key(|c| (c.1, key(&c.3)))
                .map(|c| Sourced {
                    value: c.2.clone(),
                    evidence: c.3.clone(),
                })
        };
        Identity {
            hostname: pick(IdField::Hostname),
            os: pick(IdField::Os),
            kernel: pick(IdField::Kernel),
            uptime: self
                .uptime
                .iter()
                .min_by_key(|u| (u.0, key(&u.3)))
                .map(|u| Sourced {
                    value: (u.1.clone(), u.2),
                    evidence: u.3.clone(),
                }),
            boot: self.boot.as_ref().map(|(b, e)| Sourced {
                value: *b,
                evidence: e.clone(),
            }),
            cpus: self
                .cpus
                .iter()
                .min_by_key(|c| (c.0, key(&c.3)))
                .map(|c| Sourced {
                    value: (c.1, c.2.clone()),
                    evidence: c.3.clone(),
                }),
            memory: self.memory.as_ref().map(|(b, e)| Sourced {
                value: *b,
                evidence: e.clone(),
            }),
            cgroup: self.cgroup_layout.version(),
        }
    }

    fn add_ps(&mut self, path: &str, data: &[u8], idx: &LineIndex) {
        let t = ps::parse(data);
        let mut last: Option<usize> = None;
        for r in &t.rows {
            if r.thread {
                if let Some(i) = last {
                    self.ps[i].0.threads += 1;
                }
                continue;
            }
            let Some(pid) = r.pid else { continue };
            self.ps.push((
                Process {
                    pid,
                    ppid: r.ppid,
                    name: s(r.name()),
                    args: s(r.args),
                    state: s(r.state),
                    start: s(r.start),
                    user: s(r.user),
                    cgroup: r.cgroup.map(s),
                    threads: 0,
                    evidence: ev(path, r.line, idx.text(r.line), "process"),
                    tree_evidence: None,
                },
                t.has_ppid,
            ));
            last = Some(self.ps.len() - 1);
        }
    }

    fn add_pstree(&mut self, path: &str, data: &[u8], idx: &LineIndex) {
        let t = pstree::parse(data);
        // Threads per node, in one pass (a per-node search for children was quadratic).
        let mut threads = vec![0; t.nodes.len()];
        for n in t.nodes.iter().filter(|n| n.thread) {
            if let Some(slot) = n.parent.and_then(|p| threads.get_mut(p)) {
                *slot += n.count;
            }
        }
        for (i, n) in t.nodes.iter().enumerate() {
            if n.thread {
                continue;
            }
            let Some(pid) = n.pid else { continue };
            let threads = threads[i];
            self.tree.push(TreeEntry {
                pid,
                ppid: n.parent.and_then(|p| t.nodes.get(p)).and_then(|p| p.pid),
                name: s(n.name),
                threads,
                evidence: ev(path, n.line, idx.text(n.line), "pstree"),
            });
        }
    }

    fn add_cgroup(&mut self, path: &str, data: &[u8], idx: &LineIndex) {
        let Some(f) = cgroup::file_path(path) else {
            return;
        };
        let key = (f.hierarchy.map(str::to_owned), f.cgroup.to_owned());
        let entry = self.cgroups.entry(key).or_default();
        if let Some(l) = cgroup::parse_limit(data) {
            entry.insert(
                f.file.to_owned(),
                CgroupValue {
                    text: match l {
                        cgroup::Limit::Max => "max".into(),
                        cgroup::Limit::Value(v) => v.to_string(),
                    },
                    evidence: ev(path, 1, idx.text(1), "cgroup"),
                },
            );
            return;
        }
        for (n, k, v) in cgroup::parse_keyed(data) {
            entry.insert(
                format!("{}:{}", f.file, s(k)),
                CgroupValue {
                    text: v.to_string(),
                    evidence: ev(path, n, idx.text(n), "cgroup"),
                },
            );
        }
    }

    fn add_docker_netns(&mut self, path: &str, data: &[u8]) {
        let mut names = Vec::new();
        for (n, line) in ps::numbered_lines(data) {
            let Some((_, last)) = ps::words(line).last() else {
                continue;
            };
            if line.starts_with(b"total ") || last == b"." || last == b".." || last.ends_with(b":")
            {
                continue;
            }
            let name = last.rsplit(|&b| b == b'/').next().unwrap_or(last);
            names.push(s(name));
            if self.docker_netns_evidence.is_none() {
                self.docker_netns_evidence = Some(ev(path, n, shorten(line), "docker-netns"));
            }
        }
        if self.docker_netns_evidence.is_none() {
            self.docker_netns_evidence = Some(ev(path, 0, String::new(), "docker-netns"));
        }
        self.docker_netns.get_or_insert_with(Vec::new).extend(names);
    }

    /// Members arrive in any order (they are analysed in parallel): put what they gave in path
    /// and line order, so that joins where sources disagree come out the same every time.
    fn sort_inputs(&mut self) {
        let at = |e: &Evidence| (e.path.clone(), e.line);
        self.ps.sort_by_key(|(p, _)| at(&p.evidence));
        self.tree.sort_by_key(|t| at(&t.evidence));
        self.sightings
            .sort_by_key(|s| s.evidence.as_ref().map(at).unwrap_or_default());
        self.units.sort_by_key(|u| at(&u.3));
        self.daemon_starts.sort_by_key(at);
        self.pods.sort_by_key(|p| at(&p.evidence));
    }

    fn process_tree(&self) -> ProcessTree {
        let mut procs: BTreeMap<u32, Process> = BTreeMap::new();
        // Tables with a PPID column first, so their parents win.
        let mut rows: Vec<&(Process, bool)> = self.ps.iter().collect();
        rows.sort_by_key(|(_, has_ppid)| !*has_ppid);
        for (p, _) in rows {
            match procs.get_mut(&p.pid) {
                None => {
                    procs.insert(p.pid, p.clone());
                }
                Some(q) => {
                    if q.ppid.is_none() {
                        q.ppid = p.ppid;
                    }
                    if p.args.len() > q.args.len() {
                        q.args = p.args.clone();
                        q.name = p.name.clone();
                    }
                    if q.cgroup.is_none() {
                        q.cgroup = p.cgroup.clone();
                    }
                    if q.state.is_empty() || q.state == "-" {
                        q.state = p.state.clone();
                    }
                    q.threads = q.threads.max(p.threads);
                }
            }
        }
        for t in &self.tree {
            let p = procs.entry(t.pid).or_insert_with(|| Process {
                pid: t.pid,
                ppid: t.ppid,
                name: t.name.clone(),
                args: String::new(),
                state: String::new(),
                start: String::new(),
                user: String::new(),
                cgroup: None,
                threads: t.threads,
                evidence: t.evidence.clone(),
                tree_evidence: None,
            });
            if p.ppid.is_none() {
                p.ppid = t.ppid;
            }
            p.threads = p.threads.max(t.threads);
            if p.tree_evidence.is_none() {
                p.tree_evidence = Some(t.evidence.clone());
            }
        }
        for (pid, cg) in &self.proc_cgroups {
            if let Some(p) = procs.get_mut(pid)
                && p.cgroup.is_none()
            {
                p.cgroup = Some(cg.clone());
            }
        }
        ProcessTree::new(procs)
    }

    /// Joins namespace sources by identity: pid 1 and pids in pid 1's namespace are `host`;
    /// pids with an lsns row are keyed by inode.
    fn namespaces(&self) -> Vec<NetNamespace> {
        let net: Vec<&LsnsEntry> = self.lsns.iter().filter(|l| l.kind == "net").collect();
        let host_inode = net.iter().find(|l| l.pid == 1).map(|l| l.ns);
        let mut out: Vec<NetNamespace> = Vec::new();
        for src in &self.ns_sources {
            let row = src.pid.and_then(|p| net.iter().find(|l| l.pid == p));
            let inode = row.map(|l| l.ns);
            let key = if let Some(k) = &src.key {
                k.clone()
            } else if src.host || src.pid == Some(1) || (inode.is_some() && inode == host_inode) {
                "host".to_owned()
            } else if let Some(i) = inode {
                format!("ns:{i}")
            } else if let Some(p) = src.pid {
                format!("pid:{p}")
            } else if let Some(n) = &src.netns_name {
                format!("netns:{n}")
            } else if let Some(f) = &src.nsfs {
                format!("nsfs:{}", f.rsplit('/').next().unwrap_or(f))
            } else {
                continue;
            };
            let nsfs = src
                .nsfs
                .clone()
                .or_else(|| row.and_then(|l| l.nsfs.clone()));
            match out.iter_mut().find(|n| n.key == key) {
                Some(n) => {
                    for a in &src.addresses {
                        if !n
                            .addresses
                            .iter()
                            .any(|b| b.ip == a.ip && b.iface == a.iface)
                        {
                            n.addresses.push(a.clone());
                        }
                    }
                    n.pid = n.pid.or(src.pid);
                    n.nsfs = n.nsfs.clone().or(nsfs);
                }
                None => out.push(NetNamespace {
                    key,
                    pid: src.pid.or(row.map(|l| l.pid)),
                    inode,
                    nsfs,
                    addresses: src.addresses.clone(),
                }),
            }
        }
        out
    }

    fn containers(&self, tree: &ProcessTree) -> Vec<Container> {
        let mut out: Vec<Container> = Vec::new();
        let mut sightings = self.sightings.clone();
        // Shim command lines carry container ids.
        for p in tree.procs.values() {
            if let Some(id) = super::facts::shim_container_id(&p.args) {
                sightings.push(Sighting {
                    id,
                    evidence: Some(p.evidence.clone()),
                    ..Sighting::default()
                });
            }
        }
        // Cgroup paths carry container ids and pod uids.
        for ((_, path), vals) in &self.cgroups {
            let r = cgroup::container_ref(path.as_bytes());
            if let Some(id) = r.container_id {
                sightings.push(Sighting {
                    id: s(id),
                    pod_uid: r.pod_uid_string(),
                    evidence: vals.values().next().map(|v| v.evidence.clone()),
                    ..Sighting::default()
                });
            }
        }
        for sg in sightings {
            if sg.id.len() < 12 || !sg.id.bytes().all(|c| c.is_ascii_hexdigit()) {
                continue;
            }
            let i = match out
                .iter()
                .position(|c| c.id.starts_with(&sg.id) || sg.id.starts_with(&c.id))
            {
                Some(i) => i,
                None => {
                    out.push(Container::default());
                    out.len() - 1
                }
            };
            let c = &mut out[i];
            if sg.id.len() > c.id.len() {
                c.id = sg.id.clone();
            }
            if let Some(n) = sg.name
                && !c.names.contains(&n)
            {
                c.names.push(n);
            }
            c.pod_uid = c.pod_uid.take().or(sg.pod_uid);
            c.pod_name = c.pod_name.take().or(sg.pod_name);
            c.pod_namespace = c.pod_namespace.take().or(sg.pod_namespace);
            c.docker_state = c.docker_state.take().or(sg.docker_state);
            c.containerd_state = c.containerd_state.take().or(sg.containerd_state);
            c.cri_state = c.cri_state.take().or(sg.cri_state);
            c.pid = c.pid.or(sg.pid);
            c.pod_sandbox = c.pod_sandbox.take().or(sg.pod_sandbox);
            if let Some(e) = sg.evidence
                && !c.evidence.contains(&e)
            {
                c.evidence.push(e);
            }
        }
        // `crictl ps` names a container's pod sandbox; `crictl pods` names the sandbox's pod. A
        // sandbox is also a container itself (the pause container) under its own id.
        for c in &mut out {
            let sandbox = c.pod_sandbox.clone().unwrap_or_else(|| c.id.clone());
            let same = |a: &str, b: &str| {
                a.len() >= 12 && b.len() >= 12 && (a.starts_with(b) || b.starts_with(a))
            };
            if let Some(pod) = self.pods.iter().find(|p| same(&p.id, &sandbox)) {
                c.pod_name.get_or_insert_with(|| pod.name.clone());
                if !pod.namespace.is_empty() {
                    c.pod_namespace.get_or_insert_with(|| pod.namespace.clone());
                }
                if !c.evidence.contains(&pod.evidence) {
                    c.evidence.push(pod.evidence.clone());
                }
            }
        }
        for c in &mut out {
            c.shim_pid = tree
                .procs
                .values()
                .find(|p| {
                    super::facts::shim_container_id(&p.args)
                        .is_some_and(|id| id.starts_with(&c.id) || c.id.starts_with(&id))
                })
                .map(|p| p.pid);
        }
        out
    }
}

/// True when the member is a listing of `/var/run/docker/netns` (`ls -l` output saved by sos or
/// by hand).
fn is_docker_netns_listing(path: &str) -> bool {
    let p = path.replace('/', ".");
    p.contains("var.run.docker.netns") || p.contains("run.docker.netns")
}

/// `sos_commands/networking/namespaces/<ns>/ip_netns_exec_<ns>_ip_-d_address_show` → `<ns>`.
fn namespace_of_path(path: &str) -> Option<String> {
    let i = path.find("namespaces/")?;
    let rest = &path[i + "namespaces/".len()..];
    let j = rest.find('/')?;
    Some(rest[..j].to_owned())
}

/// `k8s_<container>_<pod>_<namespace>_<uid>_<attempt>` → (pod, namespace, uid).
pub(super) fn k8s_name_parts(names: &[u8]) -> (Option<String>, Option<String>, Option<String>) {
    let n = String::from_utf8_lossy(names);
    let parts: Vec<&str> = n.split('_').collect();
    if parts.len() == 6 && parts[0] == "k8s" {
        (
            Some(parts[2].to_owned()),
            Some(parts[3].to_owned()),
            Some(parts[4].to_owned()),
        )
    } else {
        (None, None, None)
    }
}

fn addresses(path: &str, ifaces: &[netns::Interface], idx: &LineIndex) -> Vec<NsAddress> {
    let mut out = Vec::new();
    for i in ifaces {
        for a in &i.addrs {
            out.push(NsAddress {
                ip: s(a.addr),
                prefix: a.prefix,
                iface: s(i.name),
                mac: i.mac.map(s),
                evidence: ev(path, a.line, idx.text(a.line), "address"),
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builder_is_send() {
        fn is_send<T: Send>() {}
        is_send::<HostBuilder>();
    }

    #[test]
    fn line_index_quotes_lines() {
        let idx = LineIndex::new(b"a\n  b  \nc");
        assert_eq!(idx.text(2), "b");
        assert_eq!(idx.text(3), "c");
        assert_eq!(idx.text(0), "");
        assert_eq!(idx.text(9), "");
    }

    #[test]
    fn k8s_names() {
        // dockershim container names (kubelet `dockertools` naming).
        let (p, ns, uid) =
            k8s_name_parts(b"k8s_POD_web-0_default_4d6c1a2e-9b7f-4c1e-8a55-0d1b2c3d4e5f_0");
        assert_eq!(p.as_deref(), Some("web-0"));
        assert_eq!(ns.as_deref(), Some("default"));
        assert_eq!(uid.as_deref(), Some("4d6c1a2e-9b7f-4c1e-8a55-0d1b2c3d4e5f"));
    }

    /// `crictl ps -a` (crictl 1.19+, POD ID column) joined with `crictl pods` (sos
    /// `sos_commands/crio/crictl_pods`, `.../containerd/crictl_pods`): each container gets its
    /// pod's name and namespace, the pod row cited as evidence; a container of an unlisted
    /// sandbox keeps none.
    #[test]
    fn crictl_pods_name_the_containers_of_their_sandboxes() {
        let ps = b"CONTAINER           IMAGE               CREATED             STATE               NAME                ATTEMPT             POD ID
1f73f2d4b2c3d       4b2e93f0133d3       2 hours ago         Running             calico-node         0                   8a1b2c3d4e5f6
2e84a3e5c3d4e       7c1f0a2b3c4d5       5 minutes ago       Exited              web                 3                   9f8e7d6c5b4a3
3a95b4f6d4e5f       7c1f0a2b3c4d5       1 hour ago          Running             job                 0                   0123456789abc
";
        let pods = b"POD ID              CREATED             STATE               NAME                NAMESPACE           ATTEMPT
8a1b2c3d4e5f6       2 hours ago         Ready               calico-node-x7k2p   kube-system         0
9f8e7d6c5b4a3       3 days ago          NotReady            web-0               shop                0
";
        let mut b = HostBuilder::new();
        b.add("sos_commands/crio/crictl_ps_-a", Format::CrictlPs, ps);
        b.add("sos_commands/crio/crictl_pods", Format::CrictlPods, pods);
        let host = b.finish();
        let row = |id: &str| {
            let c = host.containers.iter().find(|c| c.id == id).unwrap();
            (
                c.pod_sandbox.as_deref(),
                c.pod_name.as_deref(),
                c.pod_namespace.as_deref(),
                c.evidence
                    .iter()
                    .map(|e| (e.path.as_str(), e.line))
                    .collect::<Vec<_>>(),
            )
        };
        assert_eq!(
            row("1f73f2d4b2c3d"),
            (
                Some("8a1b2c3d4e5f6"),
                Some("calico-node-x7k2p"),
                Some("kube-system"),
                vec![
                    ("sos_commands/crio/crictl_ps_-a", 2),
                    ("sos_commands/crio/crictl_pods", 2)
                ]
            )
        );
        assert_eq!(row("2e84a3e5c3d4e").1, Some("web-0"));
        assert_eq!(row("2e84a3e5c3d4e").2, Some("shop"));
        assert_eq!(
            row("3a95b4f6d4e5f"),
            (
                Some("0123456789abc"),
                None,
                None,
                vec![("sos_commands/crio/crictl_ps_-a", 4)]
            )
        );
    }
}
