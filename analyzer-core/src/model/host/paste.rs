//! Host state in pasted text: the tables, JSON documents and traces of a shell session or a
//! mixed paste, each read by its own parser at its own lines.
//!
//! A paste is cut into parts ([`parts`]): a table under its header (`ps`, `docker ps`,
//! `crictl ps`, `ctr task ls`, …, recognised by [`crate::parse::runtime::sniff_host`]), `docker
//! info`/`docker version`/`systemctl status` blocks, JSON documents (`docker inspect`, a `jq`
//! fragment of it such as `.State`, `runc state`), rows pasted without their header after the
//! command that printed them (`ps -ef | grep shim`, `ctr -n moby task ls | grep <id>`), and
//! `strace -p` output. Each part is handed to the parser of its format at its own line numbers,
//! so evidence cites the line of the paste. A process table cut by `grep` is partial: that the
//! daemon is missing from it does not mean it is not running ([`Pasted::partial_ps`]).

use super::facts::fact;
use crate::model::host::build::{
    HostBuilder, LineIndex, NsSource, Sighting, ev, k8s_name_parts, shorten,
};
use crate::model::host::{Fact, HostState, NsAddress, Process};
use crate::parse::paste::{Line, read_line};
use crate::parse::{Format, cgtree, containers, endpoints, podlist, ps, runtime};

/// What pastes added beyond the common host model.
#[derive(Clone, Debug, Default)]
pub(crate) struct Pasted {
    /// A process table came from a paste: it may be cut by `grep`, so a daemon missing from it
    /// may still run.
    pub partial_ps: bool,
    /// `runc state` documents: (container id, status, pid, OCI version, evidence).
    pub runc_states: Vec<(String, String, Option<u32>, String, crate::base::Evidence)>,
    /// System calls an `strace -p` left unfinished: (pid, call text, evidence).
    pub blocked: Vec<(Option<u32>, String, crate::base::Evidence)>,
    /// Container scopes of a `systemctl status` cgroup tree holding only runc's init stub:
    /// (scope name, init pids, evidence: the scope line first).
    pub init_scopes: Vec<(String, Vec<u32>, Vec<crate::base::Evidence>)>,
}

/// What a part of a paste is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum PartKind {
    /// A table or block of a host-state format, header included.
    Block(Format),
    /// `ps` rows without header, in this layout.
    PsRows(&'static [u8]),
    /// `ctr task ls` rows without header (`moby` namespace or not).
    CtrRows(bool),
    /// `docker ps` / `nerdctl ps` / `podman ps` rows without header, after the command that
    /// printed them ([`containers::parse_row`]).
    DockerRows,
    /// A JSON document.
    Json,
    /// `strace -p PID` output.
    Strace(Option<u32>),
}

/// A part of a paste: its kind, its first and last line (0-based), the command before it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Part<'a> {
    pub kind: PartKind,
    pub first: usize,
    pub last: usize,
    pub command: Option<&'a [u8]>,
}

/// Formats whose blocks end at an empty line (tables) rather than at the next command.
fn is_table(f: Format) -> bool {
    matches!(
        f,
        Format::Ps
            | Format::DockerPs
            | Format::CrictlPs
            | Format::CrictlPods
            | Format::CtrTasks
            | Format::CtrContainers
            | Format::Lsns
            | Format::Pstree
            | Format::IpAddr
    )
}

fn trimmed(line: &[u8]) -> &[u8] {
    let l = line.strip_suffix(b"\r").unwrap_or(line);
    let l = l.trim_ascii_start();
    l.strip_prefix(b"> ").unwrap_or(l)
}

/// Programs whose `ps` rows are worth reading even without a command naming `ps`.
fn runtime_process(args: &[u8]) -> bool {
    let name = ps::program_name(args);
    name.starts_with(b"containerd")
        || name.starts_with(b"docker")
        || name.starts_with(b"runc")
        || name.starts_with(b"[runc")
        || name == b"kubelet"
        || name == b"crio"
        || name == b"conmon"
}

/// The words of a shell command after `sudo`.
fn command_words(cmd: &[u8]) -> Vec<&[u8]> {
    let mut ws: Vec<&[u8]> = ps::words(cmd).map(|(_, w)| w).collect();
    if ws.first() == Some(&&b"sudo"[..]) {
        ws.remove(0);
    }
    ws
}

fn is_ps_command(cmd: &[u8]) -> bool {
    command_words(cmd).first() == Some(&&b"ps"[..])
        || memchr::memmem::find(cmd, b"ps -").is_some()
        || memchr::memmem::find(cmd, b"ps a").is_some()
}

/// `ctr … task ls`, `ctr t ls`, `docker-container-ctr … task list`: `Some(moby namespace)`.
fn ctr_tasks_command(cmd: &[u8]) -> Option<bool> {
    let ws = command_words(cmd);
    let first = *ws.first()?;
    if !(first == b"ctr" || first.ends_with(b"-ctr") || first.ends_with(b"/ctr")) {
        return None;
    }
    let task = ws
        .iter()
        .any(|w| *w == b"task" || *w == b"tasks" || *w == b"t");
    let list = ws.iter().any(|w| *w == b"ls" || *w == b"list");
    (task && list).then(|| memchr::memmem::find(cmd, b"moby").is_some())
}

fn strace_command(cmd: &[u8]) -> Option<Option<u32>> {
    let ws = command_words(cmd);
    if ws.first() != Some(&&b"strace"[..]) {
        return None;
    }
    let pid = ws
        .iter()
        .position(|w| *w == b"-p")
        .and_then(|i| ws.get(i + 1))
        .and_then(|p| ps::parse_u32(p));
    Some(pid)
}

/// A `ctr task ls` row: a container id, a pid and a status.
fn ctr_row(line: &[u8]) -> bool {
    let ws: Vec<&[u8]> = ps::words(line).map(|(_, w)| w).collect();
    ws.len() == 3
        && ws[0].len() >= 12
        && ws[1].iter().all(u8::is_ascii_digit)
        && ws[2].iter().all(u8::is_ascii_uppercase)
}

/// The end (inclusive) of a JSON document starting at line `i`: where its brackets balance.
fn json_end(lines: &[&[u8]], i: usize) -> Option<usize> {
    let mut depth = 0i32;
    let mut in_str = false;
    let mut esc = false;
    for (k, l) in lines.iter().enumerate().skip(i).take(4096) {
        for &c in *l {
            if in_str {
                match (esc, c) {
                    (true, _) => esc = false,
                    (false, b'\\') => esc = true,
                    (false, b'"') => in_str = false,
                    _ => {}
                }
                continue;
            }
            match c {
                b'"' => in_str = true,
                b'{' | b'[' => depth += 1,
                b'}' | b']' => depth -= 1,
                _ => {}
            }
        }
        if depth <= 0 {
            return Some(k);
        }
    }
    None
}

/// Cuts a paste into its host-state parts.
pub(crate) fn parts(data: &[u8]) -> Vec<Part<'_>> {
    let lines: Vec<&[u8]> = data.split(|&b| b == b'\n').collect();
    let mut out = Vec::new();
    let mut cmd: Option<&[u8]> = None;
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i];
        let t = trimmed(line);
        if t.is_empty() {
            i += 1;
            continue;
        }
        if let Line::Command(c) = read_line(line) {
            cmd = Some(c);
            i += 1;
            continue;
        }
        // JSON documents.
        if matches!(t, b"[" | b"{") || t.starts_with(b"[{") || t.starts_with(b"{\"") {
            if let Some(j) = json_end(&lines, i) {
                out.push(Part {
                    kind: PartKind::Json,
                    first: i,
                    last: j,
                    command: cmd,
                });
                i = j + 1;
                continue;
            }
        }
        // Tables and blocks under their header. A `systemctl status` unit is known by its
        // `Loaded:` line below the `● unit` header.
        let unit_header = (t.starts_with("● ".as_bytes())
            || t.starts_with("○ ".as_bytes())
            || t.starts_with("× ".as_bytes()))
            && lines[i + 1..]
                .iter()
                .take(3)
                .any(|l| trimmed(l).starts_with(b"Loaded:"));
        let sniffed = if unit_header {
            Some(Format::SystemctlStatus)
        } else {
            runtime::sniff_host(t)
        };
        if let Some(f) = sniffed.filter(|f| {
            matches!(
                f,
                Format::Ps
                    | Format::DockerPs
                    | Format::CrictlPs
                    | Format::CrictlPods
                    | Format::CtrTasks
                    | Format::CtrContainers
                    | Format::DockerInfo
                    | Format::DockerVersion
                    | Format::SystemctlStatus
                    | Format::Lsns
            )
        }) {
            let mut j = i;
            let mut blanks = 0;
            while j + 1 < lines.len() {
                let next = lines[j + 1];
                let nt = trimmed(next);
                if nt.is_empty() {
                    blanks += 1;
                    if is_table(f) || blanks > 1 {
                        break;
                    }
                    j += 1;
                    continue;
                }
                blanks = 0;
                if matches!(read_line(next), Line::Command(_)) {
                    break;
                }
                j += 1;
            }
            out.push(Part {
                kind: PartKind::Block(f),
                first: i,
                last: j,
                command: cmd,
            });
            cmd = None;
            i = j + 1;
            continue;
        }
        // `strace -p PID` output runs to the next command or empty line.
        if let Some(pid) = cmd.and_then(strace_command) {
            let mut j = i;
            while j + 1 < lines.len()
                && !trimmed(lines[j + 1]).is_empty()
                && !matches!(read_line(lines[j + 1]), Line::Command(_))
            {
                j += 1;
            }
            out.push(Part {
                kind: PartKind::Strace(pid),
                first: i,
                last: j,
                command: cmd,
            });
            cmd = None;
            i = j + 1;
            continue;
        }
        // Rows without their header.
        if let Some(moby) = cmd.and_then(ctr_tasks_command)
            && ctr_row(t)
        {
            let mut j = i;
            while j + 1 < lines.len() && ctr_row(trimmed(lines[j + 1])) {
                j += 1;
            }
            out.push(Part {
                kind: PartKind::CtrRows(moby),
                first: i,
                last: j,
                command: cmd,
            });
            i = j + 1;
            continue;
        }
        if cmd.is_some_and(containers::is_listing_command) && containers::parse_row(0, t).is_some()
        {
            let mut j = i;
            while j + 1 < lines.len() && containers::parse_row(0, trimmed(lines[j + 1])).is_some() {
                j += 1;
            }
            out.push(Part {
                kind: PartKind::DockerRows,
                first: i,
                last: j,
                command: cmd,
            });
            i = j + 1;
            continue;
        }
        let after_ps = cmd.is_some_and(is_ps_command);
        if let Some(layout) = ps::headerless_layout(t, cmd.filter(|c| is_ps_command(c))) {
            let table = ps::parse_headerless(layout, t);
            let worth = table
                .rows
                .first()
                .is_some_and(|r| after_ps || runtime_process(r.args));
            if worth {
                let mut j = i;
                while j + 1 < lines.len() {
                    let nt = trimmed(lines[j + 1]);
                    if nt.is_empty() || ps::parse_headerless(layout, nt).rows.is_empty() {
                        break;
                    }
                    j += 1;
                }
                out.push(Part {
                    kind: PartKind::PsRows(layout),
                    first: i,
                    last: j,
                    command: cmd,
                });
                i = j + 1;
                continue;
            }
        }
        i += 1;
    }
    out
}

/// The lines `first..=last` of `data` at their own line numbers: the lines before are empty,
/// leading quote markers and indentation are dropped (the parsers read their columns from the
/// line start).
fn padded(lines: &[&[u8]], first: usize, last: usize) -> Vec<u8> {
    let mut v = vec![b'\n'; first];
    for l in &lines[first..=last] {
        let l = l.strip_suffix(b"\r").unwrap_or(l);
        v.extend_from_slice(l.strip_prefix(b"> ").unwrap_or(l));
        v.push(b'\n');
    }
    v
}

impl HostBuilder {
    /// Adds the host state found in pasted text ([`parts`]): each part goes to the parser of its
    /// format at its own line numbers. Returns whether any part was found: a paste with neither
    /// a part nor a log line is text nothing could read.
    pub fn add_paste(&mut self, path: &str, data: &[u8]) -> bool {
        let lines: Vec<&[u8]> = data.split(|&b| b == b'\n').collect();
        let parts = parts(data);
        let listed = self.add_pod_list(path, data)
            | self.add_endpoint_ips(path, data)
            | self.add_address_loops(path, data)
            | self.add_cgroup_tree(path, data);
        let found = !parts.is_empty() || listed;
        for part in parts {
            let text = padded(&lines, part.first, part.last);
            match part.kind {
                PartKind::Block(f) => {
                    if f == Format::Ps {
                        self.pasted.partial_ps = true;
                    }
                    let before = self.sightings.len();
                    self.add(path, f, &text);
                    if f == Format::DockerPs && part.command.is_some_and(containers::filters_state)
                    {
                        for sg in &mut self.sightings[before..] {
                            sg.state_filtered = true;
                        }
                    }
                }
                PartKind::DockerRows => {
                    // Rows cut by `grep` are no whole listing: they are not `docker-ps` in
                    // `listed`, whose absence of a container means docker does not know it.
                    let filtered = part.command.is_some_and(containers::filters_state);
                    let idx = LineIndex::new(&text);
                    for (n, l) in ps::numbered_lines(&text) {
                        let Some(r) = containers::parse_row(n, l) else {
                            continue;
                        };
                        let (pod_name, pod_namespace, pod_uid) = k8s_name_parts(r.names);
                        self.sightings.push(Sighting {
                            id: String::from_utf8_lossy(r.id).into_owned(),
                            name: (!r.names.is_empty())
                                .then(|| String::from_utf8_lossy(r.names).into_owned()),
                            pod_name,
                            pod_namespace,
                            pod_uid,
                            docker_state: Some(r.state.name().to_owned()),
                            command: Some(String::from_utf8_lossy(r.command).into_owned()),
                            state_filtered: filtered,
                            evidence: Some(ev(path, n, idx.text(n), "docker-ps")),
                            ..Sighting::default()
                        });
                    }
                }
                PartKind::PsRows(layout) => {
                    self.pasted.partial_ps = true;
                    self.add_ps_rows(path, &text, layout);
                }
                PartKind::CtrRows(moby) => {
                    self.listed
                        .push(if moby { "ctr-tasks-moby" } else { "ctr-tasks" });
                    self.ctr_paths.push(path.to_owned());
                    let idx = LineIndex::new(&text);
                    for (n, l) in ps::numbered_lines(&text) {
                        let ws: Vec<&[u8]> = ps::words(l).map(|(_, w)| w).collect();
                        if ws.len() != 3 {
                            continue;
                        }
                        self.sightings.push(Sighting {
                            id: String::from_utf8_lossy(ws[0]).into_owned(),
                            containerd_state: Some(String::from_utf8_lossy(ws[2]).into_owned()),
                            pid: ps::parse_u32(ws[1]).filter(|p| *p > 0),
                            evidence: Some(ev(path, n, idx.text(n), "ctr-task")),
                            ..Sighting::default()
                        });
                    }
                }
                PartKind::Json => self.add_json(path, &text, part.first as u32 + 1, part.command),
                PartKind::Strace(pid) => {
                    // The last line of an attached strace without ` = result` is a call still
                    // blocked when the trace was cut.
                    let last = lines[part.last]
                        .strip_suffix(b"\r")
                        .unwrap_or(lines[part.last]);
                    let t = trimmed(last);
                    let call = t.iter().position(|&c| c == b'(').is_some_and(|o| {
                        o > 0
                            && t[..o]
                                .iter()
                                .all(|c| c.is_ascii_alphanumeric() || *c == b'_')
                    });
                    if call && memchr::memmem::find(t, b") = ").is_none() {
                        let n = part.last as u32 + 1;
                        self.pasted.blocked.push((
                            pid,
                            shorten(t),
                            ev(path, n, shorten(t), "strace"),
                        ));
                    }
                }
            }
        }
        found
    }

    /// `kubectl get pods -o wide` rows that show one IP held by several live pods of one node
    /// ([`podlist::conflicts`]): each pod is a namespace holding the address. Rows without a
    /// conflict are left out: the rows of other nodes are other hosts. Returns whether any row
    /// was read.
    pub(crate) fn add_pod_list(&mut self, path: &str, data: &[u8]) -> bool {
        let rows = podlist::parse_pod_list(data);
        if rows.is_empty() {
            return false;
        }
        let idx = LineIndex::new(data);
        for group in podlist::conflicts(&rows) {
            for r in group {
                let name = String::from_utf8_lossy(r.name);
                let key = match r.namespace {
                    Some(ns) => format!("pod:{}/{name}", String::from_utf8_lossy(ns)),
                    None => format!("pod:{name}"),
                };
                self.ns_sources
                    .push(listed_holder(key, path, r.line, r.ip_text, &idx));
            }
        }
        true
    }

    /// `docker inspect` / `docker network inspect` addresses held by several endpoints or
    /// containers of one network ([`endpoints::conflicts`]): each holder is a namespace holding
    /// the address. Returns whether any address was read.
    pub(crate) fn add_endpoint_ips(&mut self, path: &str, data: &[u8]) -> bool {
        if memchr::memmem::find(data, b"Address\"").is_none() {
            return false;
        }
        let ips = endpoints::parse_endpoint_ips(data);
        if ips.is_empty() {
            return false;
        }
        let idx = LineIndex::new(data);
        for group in endpoints::conflicts(&ips) {
            for e in group {
                let h = String::from_utf8_lossy(e.holder);
                let key = if e.endpoint {
                    format!("endpoint:{}", h.get(..12).unwrap_or(&h))
                } else {
                    format!("container:{}", h.get(..12).unwrap_or(&h))
                };
                self.ns_sources
                    .push(listed_holder(key, path, e.line, e.ip_text, &idx));
            }
        }
        true
    }

    /// Container scopes of a `systemctl status` cgroup tree that hold only runc's init stub
    /// ([`cgtree::init_only_scopes`]), whole or a fragment of it. A scope already read from
    /// the same line (a `systemctl status` block of a paste is also read as its own format) is
    /// kept once. Returns whether a tree with processes was read.
    pub(crate) fn add_cgroup_tree(&mut self, path: &str, data: &[u8]) -> bool {
        if memchr::memmem::find(data, b"CGroup:").is_none()
            && memchr::memmem::find(data, "─".as_bytes()).is_none()
            && memchr::memmem::find(data, b"`-").is_none()
        {
            return false;
        }
        let nodes = cgtree::parse_tree(data);
        // A tree with process nodes (`├─ 1619 /usr/bin/dockerd`) is host state, read even when
        // no scope is stuck; pstree art has none (its pids follow the name).
        let read = nodes.iter().any(|n| n.pid.is_some());
        let scopes = cgtree::init_only_scopes(&nodes);
        let idx = LineIndex::new(data);
        for sc in scopes {
            let seen = self.pasted.init_scopes.iter().any(|(_, _, e)| {
                e.first()
                    .is_some_and(|e| e.path == path && e.line == sc.scope.line)
            });
            if seen {
                continue;
            }
            let mut evidence = vec![ev(path, sc.scope.line, idx.text(sc.scope.line), "scope")];
            evidence.extend(
                sc.inits
                    .iter()
                    .map(|p| ev(path, p.line, idx.text(p.line), "runc-init")),
            );
            self.pasted.init_scopes.push((
                String::from_utf8_lossy(sc.scope.text).into_owned(),
                sc.inits.iter().filter_map(|p| p.pid).collect(),
                evidence,
            ));
        }
        read
    }

    /// Address-listing loops pasted at a prompt (`nsenter -t PID -n ip a`, `ip netns exec NS
    /// ip a`, `ip -all netns exec ip a`): each block is one namespace. Returns whether any
    /// block was read.
    pub(crate) fn add_address_loops(&mut self, path: &str, data: &[u8]) -> bool {
        if memchr::memmem::find(data, b"netns").is_none()
            && memchr::memmem::find(data, b"nsenter").is_none()
            && memchr::memmem::find(data, b"ip -n").is_none()
        {
            return false;
        }
        let blocks = crate::parse::netns::parse_nsenter(data);
        if blocks.is_empty() {
            return false;
        }
        let idx = LineIndex::new(data);
        for b in blocks {
            let addresses = b
                .interfaces
                .iter()
                .flat_map(|i| {
                    i.addrs.iter().map(|a| NsAddress {
                        ip: String::from_utf8_lossy(a.addr).into_owned(),
                        prefix: a.prefix,
                        iface: String::from_utf8_lossy(i.name).into_owned(),
                        mac: i.mac.map(|m| String::from_utf8_lossy(m).into_owned()),
                        evidence: ev(path, a.line, idx.text(a.line), "address"),
                    })
                })
                .collect();
            self.ns_sources.push(NsSource {
                key: None,
                pid: b.pid,
                netns_name: b.name.map(|n| String::from_utf8_lossy(n).into_owned()),
                nsfs: b.net_path.map(|n| String::from_utf8_lossy(n).into_owned()),
                host: false,
                addresses,
            });
        }
        true
    }

    /// `ps` rows without header: processes; in a forest (`ps f`) without a PPID column, the
    /// parent is the nearest row above that is shallower.
    fn add_ps_rows(&mut self, path: &str, text: &[u8], layout: &[u8]) {
        let t = ps::parse_headerless(layout, text);
        let idx = LineIndex::new(text);
        let mut stack: Vec<(usize, u32)> = Vec::new();
        for r in &t.rows {
            let Some(pid) = r.pid else { continue };
            let mut ppid = r.ppid;
            let depth = ps::forest_depth(r.args);
            while stack.last().is_some_and(|&(d, _)| d >= depth) {
                stack.pop();
            }
            if ppid.is_none() && depth > 0 {
                ppid = stack.last().map(|&(_, p)| p);
            }
            stack.push((depth, pid));
            let args = ps::strip_forest(r.args);
            self.ps.push((
                Process {
                    pid,
                    ppid,
                    name: String::from_utf8_lossy(ps::program_name(args)).into_owned(),
                    args: String::from_utf8_lossy(args).into_owned(),
                    state: String::from_utf8_lossy(r.state).into_owned(),
                    start: String::from_utf8_lossy(r.start).into_owned(),
                    user: String::from_utf8_lossy(r.user).into_owned(),
                    cgroup: None,
                    threads: 0,
                    evidence: ev(path, r.line, idx.text(r.line), "process"),
                    tree_evidence: None,
                },
                t.has_ppid || ppid.is_some(),
            ));
        }
    }

    /// A JSON document: `docker inspect` (whole), a fragment of it (`.State`, `.[].State` by
    /// `jq`), or `runc state`.
    fn add_json(&mut self, path: &str, text: &[u8], first_line: u32, command: Option<&[u8]>) {
        let Ok(v) = serde_json::from_slice::<serde_json::Value>(text) else {
            return;
        };
        let idx = LineIndex::new(text);
        let obj = match &v {
            serde_json::Value::Array(a) => a.first(),
            o @ serde_json::Value::Object(_) => Some(o),
            _ => None,
        };
        let Some(obj) = obj else { return };
        let s = |k: &str| obj.get(k).and_then(|x| x.as_str()).map(str::to_owned);
        if obj.get("ociVersion").is_some() && obj.get("status").is_some() {
            let line = line_of(text, b"\"status\"").unwrap_or(first_line);
            self.pasted.runc_states.push((
                s("id").unwrap_or_default(),
                s("status").unwrap_or_default(),
                obj.get("pid")
                    .and_then(|p| p.as_u64())
                    .and_then(|p| u32::try_from(p).ok()),
                s("ociVersion").unwrap_or_default(),
                ev(path, line, idx.text(line), "runc-state"),
            ));
            return;
        }
        if obj.get("Id").is_some() {
            self.add(path, Format::DockerInspect, text);
            return;
        }
        // A `.State` fragment: the container is the one the command named.
        let state = obj.get("State").unwrap_or(obj);
        let Some(status) = state.get("Status").and_then(|x| x.as_str()) else {
            return;
        };
        let id = command.and_then(|c| {
            let ws = command_words(c);
            let at = ws.iter().position(|w| *w == b"inspect")?;
            ws.get(at + 1..)?
                .iter()
                .find(|w| !w.starts_with(b"-"))
                .map(|w| String::from_utf8_lossy(w).into_owned())
        });
        let Some(id) = id else { return };
        let line = line_of(text, b"\"Status\"").unwrap_or(first_line);
        self.listed.push("docker-ps");
        self.sightings.push(Sighting {
            id,
            docker_state: Some(status.to_owned()),
            pid: state
                .get("Pid")
                .and_then(|p| p.as_u64())
                .and_then(|p| u32::try_from(p).ok())
                .filter(|p| *p > 0),
            evidence: Some(ev(path, line, idx.text(line), "docker-inspect")),
            ..Sighting::default()
        });
    }
}

/// A namespace known only by the listing that names its holder, with the one address it shows.
fn listed_holder(key: String, path: &str, line: u32, ip: &[u8], idx: &LineIndex) -> NsSource {
    NsSource {
        key: Some(key),
        pid: None,
        netns_name: None,
        nsfs: None,
        host: false,
        addresses: vec![NsAddress {
            ip: String::from_utf8_lossy(ip).into_owned(),
            prefix: None,
            iface: String::new(),
            mac: None,
            evidence: ev(path, line, idx.text(line), "address"),
        }],
    }
}

fn line_of(text: &[u8], needle: &[u8]) -> Option<u32> {
    let i = memchr::memmem::find(text, needle)?;
    Some(1 + memchr::memchr_iter(b'\n', &text[..i]).count() as u32)
}

/// Facts of pasted host state: `runc-state` for every `runc state` document,
/// `syscall-blocked` for every call an `strace -p` left unfinished and `runc-init-scope` for
/// every container scope holding only runc's init stub (with how many such scopes the tree
/// shows: one is a container starting, several are inits that never exec'd).
pub(super) fn facts(b: &HostBuilder, _st: &HostState, out: &mut Vec<Fact>) {
    let scopes = b.pasted.init_scopes.len();
    for (scope, pids, e) in &b.pasted.init_scopes {
        let pids = pids
            .iter()
            .map(u32::to_string)
            .collect::<Vec<_>>()
            .join(",");
        let id = crate::parse::cgroup::container_ref(scope.as_bytes())
            .container_id
            .map(|c| String::from_utf8_lossy(c).into_owned())
            .unwrap_or_default();
        out.push(fact(
            "runc-init-scope",
            scope.clone(),
            format!(
                "container scope {scope} holds only runc init (pid {pids}), one of {scopes} such \
                 scope(s)"
            ),
            &[
                ("scope", scope.clone()),
                ("container_id", id),
                ("pids", pids),
                ("scopes", scopes.to_string()),
            ],
            e.clone(),
        ));
    }
    for (id, status, pid, version, e) in &b.pasted.runc_states {
        out.push(fact(
            "runc-state",
            id.clone(),
            format!("runc reports container {id} {status}"),
            &[
                ("container_id", id.clone()),
                ("status", status.clone()),
                ("pid", pid.map(|p| p.to_string()).unwrap_or_default()),
                ("oci_version", version.clone()),
            ],
            vec![e.clone()],
        ));
    }
    for (pid, call, e) in &b.pasted.blocked {
        let syscall = call.split('(').next().unwrap_or_default().to_owned();
        let path = call
            .split('"')
            .nth(1)
            .map(str::to_owned)
            .unwrap_or_default();
        let pid_s = pid.map(|p| p.to_string()).unwrap_or_default();
        let summary = format!(
            "{}{syscall} did not return when the trace was cut: {call}",
            pid.map(|p| format!("process {p}: ")).unwrap_or_default()
        );
        out.push(fact(
            "syscall-blocked",
            pid_s.clone(),
            summary,
            &[
                ("pid", pid_s),
                ("syscall", syscall),
                ("path", path),
                ("call", call.clone()),
            ],
            vec![e.clone()],
        ));
    }
}

#[cfg(test)]
mod tests;
