//! Runtime inventories: docker, ctr, crictl, systemctl.
//!
//! `docker ps` and `crictl` print tables aligned by Go's tabwriter: a header's column names
//! (`CONTAINER ID`, `POD ID` contain a space) start where the data of their column starts, so
//! fields with spaces (`Up 3 hours`, `2 days ago`) are cut at header positions. `ctr` tables
//! have no spaces inside fields and are split on blanks. `docker info` / `docker version` are
//! indented `Key: value` lines; `docker inspect` is JSON.

use crate::base::Format;
use crate::parse::ps::{numbered_lines, parse_u32, words};

/// Classifies a loose host-state file by its content (`ps` header, `docker ps` header, …).
pub fn sniff_host(head: &[u8]) -> Option<Format> {
    let mut lines = numbered_lines(head)
        .map(|(_, l)| l)
        .filter(|l| !l.trim_ascii().is_empty());
    let first = lines.next()?;
    let t = first.trim_ascii();
    let has = |s: &[u8]| memchr::memmem::find(first, s).is_some();
    if t.starts_with(b"CONTAINER ID") {
        return Some(Format::DockerPs);
    }
    if t.starts_with(b"CONTAINER") && has(b"IMAGE") && has(b"STATE") {
        return Some(Format::CrictlPs);
    }
    if t.starts_with(b"CONTAINER") && has(b"RUNTIME") {
        return Some(Format::CtrContainers);
    }
    if t.starts_with(b"POD ID") && has(b"STATE") {
        return Some(Format::CrictlPods);
    }
    if t.starts_with(b"TASK") && has(b"PID") && has(b"STATUS") {
        return Some(Format::CtrTasks);
    }
    if t.starts_with(b"NS TYPE") {
        return Some(Format::Lsns);
    }
    if t.starts_with(b"UNIT ") && has(b"LOAD") && has(b"ACTIVE") {
        return Some(Format::SystemctlUnits);
    }
    if crate::parse::ps::is_header(first) {
        return Some(Format::Ps);
    }
    if crate::parse::netns::is_nsenter_line(first) {
        return Some(Format::NsenterIpAddr);
    }
    if t.starts_with(b"[") || t.starts_with(b"{") {
        if memchr::memmem::find(head, b"\"Id\"").is_some()
            && memchr::memmem::find(head, b"\"State\"").is_some()
        {
            return Some(Format::DockerInspect);
        }
        return None;
    }
    if t == b"Client:" || t.starts_with(b"Client: ") {
        // `docker version` has `Version:` right below; `docker info` (19.03+) has `Context:`
        // or `Debug Mode`.
        let next = lines.next().unwrap_or(b"").trim_ascii();
        return Some(if next.starts_with(b"Version:") {
            Format::DockerVersion
        } else {
            Format::DockerInfo
        });
    }
    if t.starts_with(b"Containers: ") {
        return Some(Format::DockerInfo);
    }
    if t.starts_with(b"Linux ") && words(t).count() >= 3 && has(b" #") {
        return Some(Format::Uname);
    }
    if (first.starts_with("● ".as_bytes())
        || first.starts_with(b"* ")
        || first.starts_with("○ ".as_bytes()))
        && lines
            .take(3)
            .any(|l| l.trim_ascii().starts_with(b"Loaded:"))
    {
        return Some(Format::SystemctlStatus);
    }
    // `pstree`: a root node followed by a connector.
    if (has(b"---") || has(b"-+-") || has("─┬─".as_bytes()) || has("───".as_bytes()))
        && (t.starts_with(b"systemd") || t.starts_with(b"init") || t.starts_with(b"?"))
    {
        return Some(Format::Pstree);
    }
    // `ip addr`: `1: lo: <LOOPBACK,…>`.
    if t.starts_with(b"1: ") && has(b"<") && has(b"mtu") {
        return Some(Format::IpAddr);
    }
    if t.starts_with(b"1: ") && (has(b" inet ") || has(b" inet6 ")) {
        return Some(Format::IpAddr);
    }
    None
}

/// Column start positions of a tabwriter header, for the given names in order; names not found
/// are `None`.
fn header_cols(header: &[u8], names: &[&[u8]]) -> Vec<Option<usize>> {
    let mut from = 0;
    names
        .iter()
        .map(|n| {
            let i = memchr::memmem::find(header.get(from..)?, n)? + from;
            from = i + n.len();
            Some(i)
        })
        .collect()
}

/// The field of column `k` given all column starts: up to the next known start.
fn field<'a>(line: &'a [u8], cols: &[Option<usize>], k: usize) -> &'a [u8] {
    let Some(Some(s)) = cols.get(k) else {
        return b"";
    };
    let e = cols[k + 1..]
        .iter()
        .flatten()
        .next()
        .copied()
        .unwrap_or(line.len());
    let s = (*s).min(line.len());
    let e = e.clamp(s, line.len());
    // Column drift: a longer value pushes the next one right; extend to the next blank run.
    let mut end = e;
    if end < line.len() && end > s && !line[end - 1].is_ascii_whitespace() {
        while end < line.len() && !line[end].is_ascii_whitespace() {
            end += 1;
        }
    }
    line[s..end].trim_ascii()
}

/// A container's state as `docker ps` STATUS says it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum DockerState {
    /// `Up 3 hours`.
    Up,
    /// `Up 3 hours (Paused)`.
    Paused,
    /// `Restarting (1) 5 seconds ago`.
    Restarting,
    /// `Exited (137) 2 days ago`, with the code (none for nerdctl's bare `Exited`).
    Exited(Option<i32>),
    /// `Created`.
    Created,
    /// `Removal In Progress`.
    Removing,
    /// `Dead`.
    Dead,
    /// Anything else.
    Unknown,
}

impl DockerState {
    /// Reads a STATUS text.
    pub fn from_status(s: &[u8]) -> DockerState {
        if s.starts_with(b"Up") {
            if s.ends_with(b"(Paused)") {
                DockerState::Paused
            } else {
                DockerState::Up
            }
        } else if let Some(r) = s.strip_prefix(b"Exited (") {
            let end = memchr::memchr(b')', r).unwrap_or(0);
            let code = std::str::from_utf8(&r[..end])
                .ok()
                .and_then(|c| c.parse().ok());
            DockerState::Exited(code)
        } else if s.starts_with(b"Exited") {
            // nerdctl: a bare `Exited`.
            DockerState::Exited(None)
        } else if s.starts_with(b"Restarting") {
            DockerState::Restarting
        } else if s.starts_with(b"Created") {
            DockerState::Created
        } else if s.starts_with(b"Removal") {
            DockerState::Removing
        } else if s.starts_with(b"Dead") {
            DockerState::Dead
        } else {
            DockerState::Unknown
        }
    }

    /// True when the container runs (`Up`, paused or restarting).
    pub fn is_running(self) -> bool {
        matches!(
            self,
            DockerState::Up | DockerState::Paused | DockerState::Restarting
        )
    }

    /// Lowercase name as `docker inspect` spells it (`running`, `exited`, …).
    pub fn name(self) -> &'static str {
        match self {
            DockerState::Up => "running",
            DockerState::Paused => "paused",
            DockerState::Restarting => "restarting",
            DockerState::Exited(_) => "exited",
            DockerState::Created => "created",
            DockerState::Removing => "removing",
            DockerState::Dead => "dead",
            DockerState::Unknown => "unknown",
        }
    }
}

/// One `docker ps` row.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DockerPsRow<'a> {
    /// 1-based line.
    pub line: u32,
    /// Container id (12 hex, or 64 with `--no-trunc`).
    pub id: &'a [u8],
    /// Image.
    pub image: &'a [u8],
    /// COMMAND as printed: quoted (`"kube-scheduler --bi…"`) since docker 1.8, bare before,
    /// cut to 20 characters unless `--no-trunc` ([`crate::parse::containers::command_matches`]).
    pub command: &'a [u8],
    /// STATUS text.
    pub status: &'a [u8],
    /// STATUS read.
    pub state: DockerState,
    /// NAMES (`k8s_POD_web-0_default_<uid>_0`).
    pub names: &'a [u8],
}

/// Parses `docker ps` / `docker ps -a` (also `--no-trunc`).
pub fn parse_docker_ps(data: &[u8]) -> Vec<DockerPsRow<'_>> {
    const NAMES: &[&[u8]] = &[
        b"CONTAINER ID",
        b"IMAGE",
        b"COMMAND",
        b"CREATED",
        b"STATUS",
        b"PORTS",
        b"NAMES",
    ];
    let mut cols = Vec::new();
    let mut out = Vec::new();
    for (n, line) in numbered_lines(data) {
        if line.starts_with(b"CONTAINER ID") {
            cols = header_cols(line, NAMES);
            continue;
        }
        if cols.is_empty() || line.trim_ascii().is_empty() {
            continue;
        }
        let id = words(line).next().map_or(&b""[..], |(_, w)| w);
        if !id.iter().all(u8::is_ascii_hexdigit) || id.len() < 12 {
            continue;
        }
        let status = field(line, &cols, 4);
        // NAMES is the last word of the line; PORTS may be empty and shift nothing else.
        let names = words(line).last().map_or(&b""[..], |(_, w)| w);
        out.push(DockerPsRow {
            line: n,
            id,
            image: field(line, &cols, 1),
            command: field(line, &cols, 2),
            status,
            state: DockerState::from_status(status),
            names,
        });
    }
    out
}

/// One container of `docker inspect` (owned: the JSON is decoded).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct InspectContainer {
    /// 1-based line of its `"Id"` key (0 when not found).
    pub line: u32,
    /// Full id.
    pub id: String,
    /// Name (`/k8s_app_web-0_default_…`).
    pub name: String,
    /// `State.Status` (`running`, `exited`).
    pub status: String,
    /// `State.Running`.
    pub running: bool,
    /// `State.Pid` (0 when not running).
    pub pid: u32,
    /// `io.kubernetes.pod.uid` label.
    pub pod_uid: Option<String>,
    /// `io.kubernetes.pod.name` label.
    pub pod_name: Option<String>,
    /// `io.kubernetes.pod.namespace` label.
    pub pod_namespace: Option<String>,
}

/// Parses `docker inspect` output (a JSON array, or several concatenated). Invalid JSON yields
/// what decoded before the fault.
pub fn parse_docker_inspect(data: &[u8]) -> Vec<InspectContainer> {
    let mut out = Vec::new();
    let stream = serde_json::Deserializer::from_slice(data).into_iter::<serde_json::Value>();
    for v in stream {
        let Ok(v) = v else { break };
        let items = match v {
            serde_json::Value::Array(a) => a,
            o @ serde_json::Value::Object(_) => vec![o],
            _ => continue,
        };
        for it in items {
            let s = |p: &str| it.pointer(p).and_then(|x| x.as_str()).map(str::to_owned);
            let Some(id) = s("/Id") else { continue };
            let line = memchr::memmem::find(data, id.as_bytes()).map_or(0, |i| {
                1 + memchr::memchr_iter(b'\n', &data[..i]).count() as u32
            });
            out.push(InspectContainer {
                line,
                name: s("/Name").unwrap_or_default(),
                status: s("/State/Status").unwrap_or_default(),
                running: it
                    .pointer("/State/Running")
                    .and_then(|x| x.as_bool())
                    .unwrap_or(false),
                pid: it
                    .pointer("/State/Pid")
                    .and_then(|x| x.as_u64())
                    .and_then(|p| u32::try_from(p).ok())
                    .unwrap_or(0),
                pod_uid: s("/Config/Labels/io.kubernetes.pod.uid"),
                pod_name: s("/Config/Labels/io.kubernetes.pod.name"),
                pod_namespace: s("/Config/Labels/io.kubernetes.pod.namespace"),
                id,
            });
        }
    }
    out
}

/// One `Key: value` line of `docker info` / `docker version` / `systemctl status`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KeyValue<'a> {
    /// 1-based line.
    pub line: u32,
    /// Indentation (leading blanks), for sections.
    pub indent: usize,
    /// The key (`Server Version`).
    pub key: &'a [u8],
    /// The value (`17.09.0-ce`), possibly empty for a section header (`Server:`).
    pub value: &'a [u8],
}

/// Parses indented `Key: value` lines.
pub fn parse_key_values(data: &[u8]) -> Vec<KeyValue<'_>> {
    numbered_lines(data)
        .filter_map(|(n, line)| {
            let indent = line.iter().take_while(|c| c.is_ascii_whitespace()).count();
            let t = &line[indent..];
            let i = memchr::memchr(b':', t)?;
            Some(KeyValue {
                line: n,
                indent,
                key: t[..i].trim_ascii(),
                value: t[i + 1..].trim_ascii(),
            })
        })
        .collect()
}

/// A component version stated by `docker version` (`docker`, `docker-client`, `containerd`,
/// `runc`, `docker-init`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ComponentVersion<'a> {
    /// 1-based line.
    pub line: u32,
    /// The component.
    pub component: &'static str,
    /// The version (`18.09.9`, `1.2.6`, `1.0.0-rc8`).
    pub version: &'a [u8],
}

/// Reads the versions of `docker version` (sections `Client:`, `Server:`, ` Engine:`,
/// ` containerd:`, ` runc:`, ` docker-init:`).
pub fn parse_docker_version(data: &[u8]) -> Vec<ComponentVersion<'_>> {
    let mut section: Option<&'static str> = None;
    let mut out = Vec::new();
    for kv in parse_key_values(data) {
        if kv.value.is_empty() || kv.key.starts_with(b"Server") && kv.indent == 0 {
            section = match kv.key {
                b"Client" => Some("docker-client"),
                k if k.starts_with(b"Server") || k == b"Engine" => Some("docker"),
                b"containerd" => Some("containerd"),
                b"runc" => Some("runc"),
                b"docker-init" => Some("docker-init"),
                _ => section,
            };
            continue;
        }
        if kv.key == b"Version"
            && let Some(c) = section
        {
            out.push(ComponentVersion {
                line: kv.line,
                component: c,
                version: kv.value,
            });
        }
    }
    out
}

/// Reads the facts of `docker info` that the analysis uses.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DockerInfo<'a> {
    /// `Server Version` (value, line).
    pub server_version: Option<(&'a [u8], u32)>,
    /// `Storage Driver`.
    pub storage_driver: Option<(&'a [u8], u32)>,
    /// `Live Restore Enabled` (true/false, line).
    pub live_restore: Option<(bool, u32)>,
    /// `containerd version` (a commit, or `v1.2.6 …`).
    pub containerd: Option<(&'a [u8], u32)>,
    /// `runc version`.
    pub runc: Option<(&'a [u8], u32)>,
    /// `Cgroup Driver`.
    pub cgroup_driver: Option<(&'a [u8], u32)>,
}

/// Parses `docker info`.
pub fn parse_docker_info(data: &[u8]) -> DockerInfo<'_> {
    let mut d = DockerInfo::default();
    for kv in parse_key_values(data) {
        let v = Some((kv.value, kv.line));
        match kv.key {
            b"Server Version" => d.server_version = v,
            b"Storage Driver" => d.storage_driver = v,
            b"Live Restore Enabled" => d.live_restore = Some((kv.value == b"true", kv.line)),
            b"containerd version" => d.containerd = v,
            b"runc version" => d.runc = v,
            b"Cgroup Driver" => d.cgroup_driver = v,
            _ => {}
        }
    }
    d
}

/// One row of `ctr task ls` (`TASK PID STATUS`) or `ctr container ls`
/// (`CONTAINER IMAGE RUNTIME`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CtrRow<'a> {
    /// 1-based line.
    pub line: u32,
    /// Task / container id.
    pub id: &'a [u8],
    /// Task pid (tasks only).
    pub pid: Option<u32>,
    /// `RUNNING`, `STOPPED`, `PAUSED`, `CREATED` for tasks; the image for containers.
    pub status: &'a [u8],
    /// The runtime (`io.containerd.runtime.v1.linux`), containers only.
    pub runtime: &'a [u8],
}

/// Parses `ctr task ls` / `ctr -n moby task list` / `docker-containerd-ctr task ls`.
pub fn parse_ctr_tasks(data: &[u8]) -> Vec<CtrRow<'_>> {
    parse_ctr(data, b"TASK", true)
}

/// Parses `ctr container ls`.
pub fn parse_ctr_containers(data: &[u8]) -> Vec<CtrRow<'_>> {
    parse_ctr(data, b"CONTAINER", false)
}

fn parse_ctr<'a>(data: &'a [u8], head: &[u8], tasks: bool) -> Vec<CtrRow<'a>> {
    let mut seen = false;
    let mut out = Vec::new();
    for (n, line) in numbered_lines(data) {
        let ws: Vec<&[u8]> = words(line).map(|(_, w)| w).collect();
        if ws.first() == Some(&head) {
            seen = true;
            continue;
        }
        if !seen || ws.len() < 3 {
            continue;
        }
        out.push(if tasks {
            CtrRow {
                line: n,
                id: ws[0],
                pid: parse_u32(ws[1]),
                status: ws[2],
                runtime: b"",
            }
        } else {
            CtrRow {
                line: n,
                id: ws[0],
                pid: None,
                status: ws[1],
                runtime: ws[2],
            }
        });
    }
    out
}

/// One row of `crictl ps -a` or `crictl pods`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CrictlRow<'a> {
    /// 1-based line.
    pub line: u32,
    /// Container or pod sandbox id (13 hex truncated, or full).
    pub id: &'a [u8],
    /// `Running`, `Exited`, `Ready`, `NotReady`, `CONTAINER_RUNNING`, …
    pub state: &'a [u8],
    /// Container or pod name.
    pub name: &'a [u8],
    /// The pod sandbox id (containers, crictl ≥ 1.19), or the pod namespace (pods).
    pub pod: &'a [u8],
}

/// Parses `crictl ps -a`: `CONTAINER IMAGE CREATED STATE NAME ATTEMPT POD ID [POD]`.
pub fn parse_crictl_ps(data: &[u8]) -> Vec<CrictlRow<'_>> {
    const NAMES: &[&[u8]] = &[
        b"CONTAINER",
        b"IMAGE",
        b"CREATED",
        b"STATE",
        b"NAME",
        b"ATTEMPT",
        b"POD ID",
    ];
    parse_crictl(data, b"CONTAINER", NAMES, (3, 4, 6))
}

/// Parses `crictl pods`: `POD ID CREATED STATE NAME NAMESPACE ATTEMPT [RUNTIME]`.
pub fn parse_crictl_pods(data: &[u8]) -> Vec<CrictlRow<'_>> {
    const NAMES: &[&[u8]] = &[
        b"POD ID",
        b"CREATED",
        b"STATE",
        b"NAME",
        b"NAMESPACE",
        b"ATTEMPT",
    ];
    parse_crictl(data, b"POD ID", NAMES, (2, 3, 4))
}

fn parse_crictl<'a>(
    data: &'a [u8],
    head: &[u8],
    names: &[&[u8]],
    (state, name, pod): (usize, usize, usize),
) -> Vec<CrictlRow<'a>> {
    let mut cols = Vec::new();
    let mut out = Vec::new();
    for (n, line) in numbered_lines(data) {
        if line.starts_with(head) {
            cols = header_cols(line, names);
            continue;
        }
        if cols.is_empty() || line.trim_ascii().is_empty() {
            continue;
        }
        let id = words(line).next().map_or(&b""[..], |(_, w)| w);
        if !id.iter().all(u8::is_ascii_hexdigit) {
            continue;
        }
        out.push(CrictlRow {
            line: n,
            id,
            state: field(line, &cols, state),
            name: field(line, &cols, name),
            pod: field(line, &cols, pod),
        });
    }
    out
}

/// One unit of `systemctl status` output.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnitStatus<'a> {
    /// 1-based line of the `● unit - Description` header.
    pub line: u32,
    /// The unit (`docker.service`).
    pub unit: &'a [u8],
    /// `Active:` value (`active (running) since Tue 2019-09-10 10:00:00 CST; 2 days ago`).
    pub active: &'a [u8],
    /// Line of the `Active:` line.
    pub active_line: u32,
    /// `Main PID:` pid.
    pub main_pid: Option<u32>,
}

impl UnitStatus<'_> {
    /// True when `Active:` says `active (running)`.
    pub fn is_running(&self) -> bool {
        self.active.starts_with(b"active (running)")
    }
}

/// Parses `systemctl status <unit>…` / `systemctl status --all` (units headed by `●`, `*`, `○`).
pub fn parse_systemctl_status(data: &[u8]) -> Vec<UnitStatus<'_>> {
    let mut out: Vec<UnitStatus> = Vec::new();
    for (n, line) in numbered_lines(data) {
        let head = line
            .strip_prefix("● ".as_bytes())
            .or_else(|| line.strip_prefix("○ ".as_bytes()))
            .or_else(|| line.strip_prefix("× ".as_bytes()))
            .or_else(|| line.strip_prefix(b"* "));
        if let Some(h) = head {
            let unit = words(h).next().map_or(&b""[..], |(_, w)| w);
            out.push(UnitStatus {
                line: n,
                unit,
                active: b"",
                active_line: 0,
                main_pid: None,
            });
            continue;
        }
        let Some(u) = out.last_mut() else { continue };
        let t = line.trim_ascii_start();
        if let Some(v) = t.strip_prefix(b"Active:") {
            u.active = v.trim_ascii();
            u.active_line = n;
        } else if let Some(v) = t.strip_prefix(b"Main PID:") {
            u.main_pid = words(v).next().and_then(|(_, p)| parse_u32(p));
        }
    }
    out
}

/// One row of `systemctl list-units`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnitRow<'a> {
    /// 1-based line.
    pub line: u32,
    /// Unit name.
    pub unit: &'a [u8],
    /// LOAD.
    pub load: &'a [u8],
    /// ACTIVE (`active`, `failed`).
    pub active: &'a [u8],
    /// SUB (`running`, `exited`, `dead`).
    pub sub: &'a [u8],
}

/// Parses `systemctl list-units` (the `●` failed marker tolerated; legend lines skipped).
pub fn parse_systemctl_units(data: &[u8]) -> Vec<UnitRow<'_>> {
    numbered_lines(data)
        .filter_map(|(n, line)| {
            let mut ws = words(line).map(|(_, w)| w).peekable();
            if matches!(ws.peek(), Some(&w) if w == "●".as_bytes() || w == b"*") {
                ws.next();
            }
            let unit = ws.next()?;
            let load = ws.next()?;
            let active = ws.next()?;
            let sub = ws.next()?;
            let known_load = matches!(
                load,
                b"loaded" | b"not-found" | b"masked" | b"error" | b"bad-setting"
            );
            (known_load && memchr::memchr(b'.', unit).is_some()).then_some(UnitRow {
                line: n,
                unit,
                load,
                active,
                sub,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sniffs_host_formats() {
        // First lines of each tool's output (sos 4.x files, tool man pages).
        let cases: &[(&str, Option<Format>)] = &[
            (
                "CONTAINER ID        IMAGE               COMMAND",
                Some(Format::DockerPs),
            ),
            (
                "CONTAINER           IMAGE               CREATED             STATE               NAME",
                Some(Format::CrictlPs),
            ),
            ("CONTAINER    IMAGE    RUNTIME", Some(Format::CtrContainers)),
            (
                "POD ID              CREATED             STATE               NAME",
                Some(Format::CrictlPods),
            ),
            (
                "TASK                                                                PID      STATUS",
                Some(Format::CtrTasks),
            ),
            (
                "        NS TYPE  NPROCS   PID USER   COMMAND",
                Some(Format::Lsns),
            ),
            (
                "  UNIT                LOAD   ACTIVE SUB       DESCRIPTION",
                Some(Format::SystemctlUnits),
            ),
            (
                "USER         PID %CPU %MEM    VSZ   RSS TTY      STAT START   TIME COMMAND",
                Some(Format::Ps),
            ),
            (
                "F S UID          PID    PPID     LWP  C NLWP PRI  NI ADDR SZ WCHAN  STIME TTY          TIME CMD",
                Some(Format::Ps),
            ),
            ("nsenter -t 1 -n ip addr", Some(Format::NsenterIpAddr)),
            (
                "[\n    {\n        \"Id\": \"ff32\",\n        \"State\": {}",
                Some(Format::DockerInspect),
            ),
            (
                "Client:\n Version:      18.09.9",
                Some(Format::DockerVersion),
            ),
            ("Containers: 12\n Running: 10", Some(Format::DockerInfo)),
            ("Client:\n Debug Mode: false", Some(Format::DockerInfo)),
            (
                "Linux juju-110cc2-k8stest-4 5.4.0-99-generic #112-Ubuntu SMP Thu Feb 3 13:50:55 UTC 2022 x86_64 x86_64 x86_64 GNU/Linux",
                Some(Format::Uname),
            ),
            (
                "● docker.service - Docker Application Container Engine\n   Loaded: loaded",
                Some(Format::SystemctlStatus),
            ),
            (
                "systemd(1)-+-accounts-daemon(678)-+-{accounts-daemon}(691)",
                Some(Format::Pstree),
            ),
            ("systemd───dockerd─┬─docker-containe", Some(Format::Pstree)),
            (
                "1: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536 qdisc noqueue",
                Some(Format::IpAddr),
            ),
            (
                "1: lo    inet 127.0.0.1/8 scope host lo",
                Some(Format::IpAddr),
            ),
            ("Aug 20 10:25:54 host kubelet[1]: x", None),
        ];
        for (head, want) in cases {
            assert_eq!(sniff_host(head.as_bytes()), *want, "{head}");
        }
    }

    #[test]
    fn docker_ps_columns() {
        // `docker ps` 17.09 table (tabwriter, 3-space padding) with an empty PORTS column.
        let d = b"CONTAINER ID        IMAGE                  COMMAND                  CREATED             STATUS                       PORTS               NAMES
ff329173246b        nginx:1.17             \"nginx -g 'daemon of\xe2\x80\xa6\"   2 days ago          Up 2 days                                        k8s_web_web-0_default_4d6c1a2e-9b7f-4c1e-8a55-0d1b2c3d4e5f_0
0a1b2c3d4e5f        k8s.gcr.io/pause:3.1   \"/pause\"                 2 days ago          Exited (137) 5 minutes ago                       k8s_POD_web-0_default_4d6c1a2e-9b7f-4c1e-8a55-0d1b2c3d4e5f_0
";
        let r = parse_docker_ps(d);
        assert_eq!(r.len(), 2);
        assert_eq!(r[0].id, b"ff329173246b");
        assert_eq!(r[0].status, b"Up 2 days");
        assert_eq!(r[0].state, DockerState::Up);
        assert_eq!(r[0].image, b"nginx:1.17");
        assert_eq!(r[1].state, DockerState::Exited(Some(137)));
        assert_eq!(
            r[1].names,
            b"k8s_POD_web-0_default_4d6c1a2e-9b7f-4c1e-8a55-0d1b2c3d4e5f_0"
        );
        assert_eq!(r[1].line, 3);
    }

    #[test]
    fn docker_inspect_fields() {
        // `docker inspect` JSON, fields as documented by the Engine API ContainerInspect.
        let d = br#"[
    {
        "Id": "ff329173246bdc6e0c4db8fa0b3d4902380412664f74331b70197c6999f33d4e",
        "Name": "/k8s_web_web-0_default_4d6c_0",
        "State": {"Status": "running", "Running": true, "Pid": 30639},
        "Config": {"Labels": {"io.kubernetes.pod.uid": "4d6c1a2e-9b7f-4c1e-8a55-0d1b2c3d4e5f", "io.kubernetes.pod.name": "web-0", "io.kubernetes.pod.namespace": "default"}}
    }
]"#;
        let r = parse_docker_inspect(d);
        assert_eq!(r.len(), 1);
        assert_eq!(r[0].line, 3);
        assert_eq!(r[0].pid, 30639);
        assert!(r[0].running);
        assert_eq!(r[0].pod_name.as_deref(), Some("web-0"));
        assert_eq!(parse_docker_inspect(b"[{\"Id\": 5}").len(), 0);
    }

    #[test]
    fn docker_info_and_version() {
        // `docker info` 17.09 (CentOS 7.4) and `docker version` 18.09 with component sections.
        let d = b"Containers: 212
Server Version: 17.09.0-ce
Storage Driver: overlay2
containerd version: 06b9cb35161009dcb7123345749fef02f7cea8e0
runc version: 3f2f8b84a77f73d38244dd690525642a72156c64
Live Restore Enabled: false
";
        let i = parse_docker_info(d);
        assert_eq!(i.server_version, Some((&b"17.09.0-ce"[..], 2)));
        assert_eq!(i.live_restore, Some((false, 6)));
        assert_eq!(i.storage_driver.map(|x| x.0), Some(&b"overlay2"[..]));
        let d = b"Client:
 Version:           18.09.9
 API version:       1.39
Server: Docker Engine - Community
 Engine:
  Version:          18.09.9
  API version:      1.39 (minimum version 1.12)
 containerd:
  Version:          v1.2.6
 runc:
  Version:          1.0.0-rc8
";
        let v = parse_docker_version(d);
        let got: Vec<_> = v.iter().map(|c| (c.component, c.version, c.line)).collect();
        assert_eq!(
            got,
            vec![
                ("docker-client", &b"18.09.9"[..], 2),
                ("docker", &b"18.09.9"[..], 6),
                ("containerd", &b"v1.2.6"[..], 9),
                ("runc", &b"1.0.0-rc8"[..], 11),
            ]
        );
    }

    #[test]
    fn ctr_and_crictl() {
        // docker/for-linux#779: `docker-container-ctr … task ls` output.
        let d =
            b"TASK                                                                PID      STATUS
ff329173246bdc6e0c4db8fa0b3d4902380412664f74331b70197c6999f33d4e    30639    STOPPED
";
        let t = parse_ctr_tasks(d);
        assert_eq!(t.len(), 1);
        assert_eq!(
            (t[0].pid, t[0].status, t[0].line),
            (Some(30639), &b"STOPPED"[..], 2)
        );
        let c = parse_ctr_containers(
            b"CONTAINER    IMAGE    RUNTIME\nabc123def456    -    io.containerd.runtime.v1.linux\n",
        );
        assert_eq!(c[0].runtime, b"io.containerd.runtime.v1.linux");
        // crictl 1.19+ `ps -a` with POD ID.
        let d = b"CONTAINER           IMAGE               CREATED             STATE               NAME                ATTEMPT             POD ID
1f73f2d4b2c3d       4b2e93f0133d3       2 hours ago         Running             calico-node         0                   8a1b2c3d4e5f6
";
        let r = parse_crictl_ps(d);
        assert_eq!(r.len(), 1);
        assert_eq!(r[0].state, b"Running");
        assert_eq!(r[0].name, b"calico-node");
        assert_eq!(r[0].pod, b"8a1b2c3d4e5f6");
        let d = b"POD ID              CREATED             STATE               NAME                NAMESPACE           ATTEMPT
8a1b2c3d4e5f6       2 hours ago         Ready               calico-node-x       kube-system         0
";
        let p = parse_crictl_pods(d);
        assert_eq!(
            (p[0].state, p[0].name, p[0].pod),
            (&b"Ready"[..], &b"calico-node-x"[..], &b"kube-system"[..])
        );
    }

    #[test]
    fn systemctl() {
        // systemd 219 (CentOS 7) `systemctl status docker` and sos `systemctl_list-units`.
        let d = "● docker.service - Docker Application Container Engine
   Loaded: loaded (/usr/lib/systemd/system/docker.service; enabled; vendor preset: disabled)
   Active: active (running) since Mon 2018-12-03 10:12:01 CST; 4 days ago
 Main PID: 1201 (dockerd)
";
        let s = parse_systemctl_status(d.as_bytes());
        assert_eq!(s.len(), 1);
        assert_eq!(s[0].unit, b"docker.service");
        assert!(s[0].is_running());
        assert_eq!((s[0].main_pid, s[0].active_line), (Some(1201), 3));
        let d = "  UNIT                 LOAD   ACTIVE SUB     DESCRIPTION
  containerd.service   loaded active running containerd container runtime
● kubelet.service      loaded failed failed  kubelet
LOAD   = Reflects whether the unit definition was properly loaded.
";
        let u = parse_systemctl_units(d.as_bytes());
        assert_eq!(u.len(), 2);
        assert_eq!(
            (u[1].unit, u[1].active, u[1].line),
            (&b"kubelet.service"[..], &b"failed"[..], 3)
        );
    }

    proptest::proptest! {
        #[test]
        fn never_panics(data in proptest::collection::vec(proptest::num::u8::ANY, 0..400)) {
            let _ = sniff_host(&data);
            for head in [&b"CONTAINER ID   IMAGE   COMMAND   CREATED   STATUS   PORTS   NAMES\n"[..], b"CONTAINER   IMAGE   CREATED   STATE   NAME   ATTEMPT   POD ID\n", b"TASK PID STATUS\n"] {
                let mut d = head.to_vec();
                d.extend_from_slice(&data);
                let _ = parse_docker_ps(&d);
                let _ = parse_crictl_ps(&d);
                let _ = parse_ctr_tasks(&d);
            }
            let _ = parse_docker_info(&data);
            let _ = parse_docker_version(&data);
            let _ = parse_systemctl_status(&data);
            let _ = parse_systemctl_units(&data);
            let _ = parse_docker_inspect(&data);
        }
    }
}
