//! Classification of members by sos path and content.
//!
//! Three sources decide, in this order:
//!
//! 1. the sos manifest (`sos_reports/manifest.json`, sos ≥ 4.0), which maps every collected
//!    command to the file it wrote; the command line is matched against the same path table
//!    (sos names a command's file after the command line, so the table applies to both). The
//!    manifest often arrives late in an archive (inside `sos_reports.tgz`); members seen before
//!    it are classified by their path, nothing waits for it;
//! 2. the path table [`PATH_TABLE`]: sos plugin outputs and host files by glob, on the whole
//!    path or, failing that, below a nested root (`X/sos_commands/…`);
//! 3. content sniffing: the log, goroutine-dump and host-state sniffers of the parsers, which
//!    sit above this layer and are handed in as [`Sniffers`] (`crate::parse::SNIFFERS`).
//!
//! Globs: `*` matches within one path component, `**/` matches any number of leading
//! directories (including none), a trailing `**` matches everything below.

use std::collections::HashMap;

use serde::Deserialize;

use crate::base::Format;

/// The content sniffers: what the first bytes of a member say its format is.
///
/// The grammars belong to the parsers, above this layer; whoever walks a bundle hands them in
/// (`crate::parse::SNIFFERS`). The manifest and the path table decide first; these decide the
/// rest.
#[derive(Clone, Copy, Debug)]
pub struct Sniffers {
    /// A log format from the first lines (at most 4 KiB), `None` when no log grammar matches.
    pub log: fn(&[u8]) -> Option<Format>,
    /// A format that is not a log (goroutine dump, host-state table), `None` when none matches.
    pub other: fn(&[u8]) -> Option<Format>,
    /// True when text that reads as a log also holds shell commands or host-state output (a
    /// mixed paste, read as [`Format::Paste`] when its path allows).
    pub mixed: fn(&[u8]) -> bool,
}

/// What a path-table row decides.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Rule {
    /// Always this format.
    Is(Format),
    /// A `journalctl` output: the output mode (`short`, `short-iso`, `json`, …) is read from the
    /// first record line; `-- Logs begin …` / `-- No entries --` markers are skipped; the
    /// default mode is `short`.
    Journal,
    /// This format when the content sniffer agrees, else content sniffing decides.
    IfContent(Format),
    /// Only a log format the content sniffer recognises among klog, klog JSON and logrus
    /// (container logs in CRI format are not parsed); else unknown.
    ContainerLog,
}

/// The sos path table: glob → rule, first match wins.
pub const PATH_TABLE: &[(&str, Rule)] = &[
    // Journals.
    ("sos_commands/logs/journalctl_--no-pager*", Rule::Journal),
    (
        "sos_commands/*/journalctl_--no-pager_--unit_*",
        Rule::Journal,
    ),
    // Kernel ring buffer and syslog files.
    ("sos_commands/kernel/dmesg*", Rule::Is(Format::Dmesg)),
    ("var/log/dmesg*", Rule::Is(Format::Dmesg)),
    ("var/log/messages*", Rule::Is(Format::Syslog)),
    ("var/log/syslog*", Rule::Is(Format::Syslog)),
    ("var/log/kern.log*", Rule::Is(Format::Syslog)),
    ("sos_strings/*/var.log.*", Rule::Is(Format::Syslog)),
    // Kubernetes and runtime logs.
    ("var/log/containers/*.log", Rule::ContainerLog),
    ("var/log/pods/**", Rule::ContainerLog),
    ("var/log/kubelet.log*", Rule::Is(Format::Klog)),
    ("var/log/docker*.log*", Rule::IfContent(Format::Logrus)),
    ("var/log/containerd*.log*", Rule::IfContent(Format::Logrus)),
    // Goroutine dumps.
    ("**/*goroutine-stacks*", Rule::Is(Format::GoroutineDump)),
    ("**/*.stacks.log", Rule::Is(Format::GoroutineDump)),
    // Processes and namespaces.
    ("sos_commands/process/ps_*", Rule::Is(Format::Ps)),
    ("sos_commands/process/pstree*", Rule::Is(Format::Pstree)),
    ("sos_commands/process/lsns*", Rule::Is(Format::Lsns)),
    ("**/*lsns*", Rule::Is(Format::Lsns)),
    (
        "sos_commands/networking/ip_netns",
        Rule::Is(Format::IpNetns),
    ),
    (
        "sos_commands/networking/**/ip_netns_exec_*_address_show",
        Rule::Is(Format::IpAddr),
    ),
    (
        "sos_commands/networking/ip_*addr*",
        Rule::Is(Format::IpAddr),
    ),
    // Cgroup control files (v1 and v2).
    ("sys/fs/cgroup/**/pids.max", Rule::Is(Format::Cgroup)),
    ("sys/fs/cgroup/**/pids.current", Rule::Is(Format::Cgroup)),
    ("sys/fs/cgroup/**/pids.events", Rule::Is(Format::Cgroup)),
    (
        "sys/fs/cgroup/**/memory.limit_in_bytes",
        Rule::Is(Format::Cgroup),
    ),
    (
        "sys/fs/cgroup/**/memory.usage_in_bytes",
        Rule::Is(Format::Cgroup),
    ),
    ("sys/fs/cgroup/**/memory.failcnt", Rule::Is(Format::Cgroup)),
    (
        "sys/fs/cgroup/**/memory.oom_control",
        Rule::Is(Format::Cgroup),
    ),
    ("sys/fs/cgroup/**/memory.max", Rule::Is(Format::Cgroup)),
    ("sys/fs/cgroup/**/memory.events", Rule::Is(Format::Cgroup)),
    ("proc/*/cgroup", Rule::Is(Format::ProcCgroup)),
    // Container runtimes.
    ("sos_commands/docker/docker_ps*", Rule::Is(Format::DockerPs)),
    ("**/docker_inspect*", Rule::Is(Format::DockerInspect)),
    ("**/docker_info", Rule::Is(Format::DockerInfo)),
    ("**/docker_version", Rule::Is(Format::DockerVersion)),
    ("**/*ctr*task*", Rule::Is(Format::CtrTasks)),
    ("**/*ctr*container*", Rule::Is(Format::CtrContainers)),
    ("**/*crictl_ps*", Rule::Is(Format::CrictlPs)),
    ("**/*crictl_pods*", Rule::Is(Format::CrictlPods)),
    // systemd.
    (
        "sos_commands/*/systemctl_status_*",
        Rule::Is(Format::SystemctlStatus),
    ),
    ("**/systemctl_list-units*", Rule::Is(Format::SystemctlUnits)),
    // Versions, packages, time.
    ("sos_commands/kernel/uname_-a", Rule::Is(Format::Uname)),
    ("uname", Rule::Is(Format::Uname)),
    ("etc/os-release", Rule::Is(Format::OsRelease)),
    ("usr/lib/os-release", Rule::Is(Format::OsRelease)),
    ("installed-rpms", Rule::Is(Format::Packages)),
    ("installed-debs", Rule::Is(Format::Packages)),
    ("sos_commands/dpkg/dpkg_-l", Rule::Is(Format::Packages)),
    ("sos_commands/rpm/*rpm_-qa*", Rule::Is(Format::Packages)),
    ("sos_commands/date/date*", Rule::Is(Format::Date)),
    ("sos_commands/*/timedatectl*", Rule::Is(Format::Timedatectl)),
    ("sos_commands/snap/snap_list*", Rule::Is(Format::SnapList)),
    // What identifies the host and its size (the report's host header).
    ("sos_commands/host/hostname", Rule::Is(Format::Hostname)),
    ("hostname", Rule::Is(Format::Hostname)),
    ("etc/hostname", Rule::Is(Format::Hostname)),
    (
        "sos_commands/host/hostnamectl_status",
        Rule::Is(Format::Hostnamectl),
    ),
    ("sos_commands/host/uptime", Rule::Is(Format::Uptime)),
    ("uptime", Rule::Is(Format::Uptime)),
    ("proc/uptime", Rule::Is(Format::Uptime)),
    ("proc/stat", Rule::Is(Format::ProcStat)),
    ("sos_commands/processor/lscpu", Rule::Is(Format::Lscpu)),
    ("proc/cpuinfo", Rule::Is(Format::Cpuinfo)),
    ("proc/meminfo", Rule::Is(Format::Meminfo)),
    ("etc/localtime", Rule::Is(Format::Localtime)),
    ("sos_reports/manifest.json", Rule::Is(Format::SosManifest)),
    // Listings of runtime directories the host model reads (`/var/run/docker/netns`).
    ("**/ls_*var.run.docker.netns*", Rule::Is(Format::DirListing)),
];

/// Matches `path` against a glob of [`PATH_TABLE`]: `*` within one path component, `**` across
/// components. An invalid glob matches nothing.
pub fn glob(pattern: &str, path: &str) -> bool {
    compile(pattern).is_ok_and(|g| g.compile_matcher().is_match(path))
}

fn compile(pattern: &str) -> Result<globset::Glob, globset::Error> {
    globset::GlobBuilder::new(pattern)
        .literal_separator(true)
        .build()
}

/// [`PATH_TABLE`] compiled once into one matcher for all its globs.
static PATH_SET: std::sync::LazyLock<globset::GlobSet> = std::sync::LazyLock::new(|| {
    let mut set = globset::GlobSetBuilder::new();
    for (pattern, _) in PATH_TABLE {
        // The table is a constant; `path_table_compiles` checks every glob.
        if let Ok(g) = compile(pattern) {
            set.add(g);
        }
    }
    set.build().unwrap_or_else(|_| globset::GlobSet::empty())
});

/// The first path-table rule for `path`. When none matches the whole path, the table is tried
/// on every suffix that starts at a host-root or sos top-level name (`…/X/sos_commands/…` of a
/// sosreport packed inside another archive).
pub fn path_rule(path: &str) -> Option<Rule> {
    // First match wins: the smallest index of a matching glob.
    let lookup = |p: &str| {
        PATH_SET
            .matches(p)
            .into_iter()
            .min()
            .and_then(|i| PATH_TABLE.get(i))
            .map(|&(_, r)| r)
    };
    lookup(path).or_else(|| {
        path.match_indices('/').find_map(|(i, _)| {
            let rest = path.get(i + 1..)?;
            let first = rest.split('/').next()?;
            if super::vfs::ROOT_NAMES.contains(&first) {
                lookup(rest)
            } else {
                None
            }
        })
    })
}

/// Classifies a member from its normalised path and its first bytes (up to 4 KiB, after
/// decompression), without a manifest.
pub fn classify(sniff: &Sniffers, path: &str, head: &[u8]) -> Format {
    match path_rule(path) {
        Some(rule) => apply(sniff, rule, path, head),
        None => by_content_at(sniff, path, head),
    }
}

fn apply(sniff: &Sniffers, rule: Rule, path: &str, head: &[u8]) -> Format {
    match rule {
        Rule::Is(f) => f,
        Rule::Journal => journal_mode(sniff, head),
        Rule::IfContent(f) => match (sniff.log)(head) {
            Some(g) if g == f => f,
            _ => by_content_at(sniff, path, head),
        },
        Rule::ContainerLog => match (sniff.log)(head) {
            Some(f @ (Format::Klog | Format::KlogJson | Format::Logrus)) => f,
            _ => Format::Unknown,
        },
    }
}

/// The journal output mode of a `journalctl` file, from its first record line.
pub fn journal_mode(sniff: &Sniffers, head: &[u8]) -> Format {
    let mut rest = head;
    while rest.starts_with(b"-- ") || rest.starts_with(b"\n") {
        match memchr::memchr(b'\n', rest) {
            Some(i) => rest = rest.get(i + 1..).unwrap_or_default(),
            None => return Format::JournalShort,
        }
    }
    match (sniff.log)(rest) {
        Some(f) if f.is_journal() => f,
        _ => Format::JournalShort,
    }
}

/// Content sniffing: log formats, goroutine dumps, host-state files; binary data is unknown.
pub fn by_content(sniff: &Sniffers, head: &[u8]) -> Format {
    if head.is_empty() || looks_binary(head) {
        return Format::Unknown;
    }
    (sniff.log)(head)
        .or_else(|| (sniff.other)(head))
        .unwrap_or(Format::Unknown)
}

/// [`by_content`], then pasted text: a text member no sniffer claims is read as a paste
/// ([`Format::Paste`]) when its path may hold one ([`paste_allowed`]).
pub fn by_content_at(sniff: &Sniffers, path: &str, head: &[u8]) -> Format {
    match by_content(sniff, head) {
        Format::Unknown if !head.is_empty() && !looks_binary(head) && paste_allowed(path) => {
            Format::Paste
        }
        // A log line followed by a shell session (`ctr task ls`, `ps -elf | grep …`): a mixed
        // paste, each part read by its own parser.
        f if f.is_log() && paste_allowed(path) && (sniff.mixed)(head) => Format::Paste,
        f => f,
    }
}

/// Extensions of files that are documentation, configuration or code, never output pasted
/// from a node (a bundle's `README.md`, `expected.json`, a `daemon.json`).
const NOT_PASTE_EXTENSIONS: &[&str] = &[
    "c", "cfg", "conf", "crt", "css", "csv", "go", "h", "htm", "html", "ini", "java", "js", "json",
    "key", "markdown", "md", "pem", "py", "repo", "rs", "rst", "service", "sh", "toml", "ts",
    "xml", "yaml", "yml",
];

/// The format a member's records are read in: a log's own; [`Format::Paste`] for the
/// host-state outputs that also carry lines rules read (`docker info` with its `WARNING:` lines
/// and `Supports d_type: false`, `systemctl status` with its journal lines) when they are pasted
/// text ([`paste_allowed`]), not a sosreport's member; `None` for the rest.
pub fn record_format(format: Format, path: &str) -> Option<Format> {
    match format {
        f if f.is_log() => Some(f),
        Format::DockerInfo | Format::SystemctlStatus if paste_allowed(path) => Some(Format::Paste),
        _ => None,
    }
}

/// Files at the top of a sosreport (next to `sos_commands/`) that are its own metadata or
/// links to command outputs, never pastes.
const SOS_TOP_FILES: &[&str] = &[
    "chkconfig",
    "date",
    "df",
    "dmidecode",
    "environment",
    "free",
    "hostname",
    "installed-debs",
    "installed-rpms",
    "ip_addr",
    "java",
    "last",
    "lsb-release",
    "lsmod",
    "lsof",
    "lspci",
    "mount",
    "netstat",
    "ps",
    "pstree",
    "root-symlinks",
    "route",
    "sestatus",
    "uname",
    "uptime",
    "version.txt",
    "vgdisplay",
];

/// True when an unrecognised text member at `path` may be pasted output: a loose file (no
/// host-root or sos directory in its path: `ticket-4711/notes`, `moby-37222.txt`) that is not
/// documentation, configuration or code by its extension nor a sosreport's top-level metadata.
/// Inside a sosreport or a host tree an unrecognised file stays unread: configuration, kernel
/// state, other programs' logs, and `kubectl` outputs that speak of the whole cluster rather
/// than this node.
pub fn paste_allowed(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path);
    if let Some((stem, ext)) = name.rsplit_once('.')
        && !stem.is_empty()
        && NOT_PASTE_EXTENSIONS.contains(&ext.to_ascii_lowercase().as_str())
    {
        return false;
    }
    let dirs: Vec<&str> = path.split('/').collect();
    let dirs = &dirs[..dirs.len().saturating_sub(1)];
    !dirs.iter().any(|p| super::vfs::ROOT_NAMES.contains(p)) && !SOS_TOP_FILES.contains(&name)
}

/// More than one NUL or control byte in 64 of the head: not text.
fn looks_binary(head: &[u8]) -> bool {
    let sample = head.get(..head.len().min(1024)).unwrap_or(head);
    let odd = sample
        .iter()
        .filter(|&&b| b == 0 || (b < 0x20 && !matches!(b, b'\n' | b'\r' | b'\t' | 0x1b | 0x0c)))
        .count();
    odd * 64 > sample.len()
}

/// The commands of a sos manifest: file path → command line.
#[derive(Clone, Debug, Default)]
pub struct Manifest {
    commands: HashMap<String, String>,
}

#[derive(Deserialize)]
struct RawManifest {
    #[serde(default)]
    components: HashMap<String, RawComponent>,
}

#[derive(Deserialize)]
struct RawComponent {
    #[serde(default)]
    plugins: HashMap<String, RawPlugin>,
}

#[derive(Deserialize)]
struct RawPlugin {
    #[serde(default)]
    commands: Vec<RawCommand>,
}

#[derive(Deserialize)]
struct RawCommand {
    #[serde(default)]
    exec: String,
    #[serde(default)]
    filepath: Option<String>,
}

impl Manifest {
    /// Reads `sos_reports/manifest.json`; `None` when it is not a sos manifest.
    pub fn parse(bytes: &[u8]) -> Option<Manifest> {
        let raw: RawManifest = serde_json::from_slice(bytes).ok()?;
        let mut commands = HashMap::new();
        for comp in raw.components.into_values() {
            for plugin in comp.plugins.into_values() {
                for c in plugin.commands {
                    if let Some(fp) = c.filepath {
                        commands.insert(fp, c.exec);
                    }
                }
            }
        }
        Some(Manifest { commands })
    }

    /// Number of commands with a file.
    pub fn len(&self) -> usize {
        self.commands.len()
    }

    /// True when no command wrote a file.
    pub fn is_empty(&self) -> bool {
        self.commands.is_empty()
    }

    /// The path the command line of `path` would have in the sos table: its directory plus
    /// the command with spaces as `_` and `/` as `.` (`timeout 300s` prefixes dropped).
    pub fn command_path(&self, path: &str) -> Option<String> {
        let exec = self.commands.get(path)?;
        let mut words: Vec<&str> = exec.split_whitespace().collect();
        if words.first() == Some(&"timeout") && words.len() > 2 {
            words.drain(..2);
        }
        let (cmd, args) = words.split_first()?;
        let cmd = cmd.rsplit('/').next().unwrap_or(cmd);
        let mut name = cmd.to_string();
        for a in args {
            name.push('_');
            name.push_str(&a.replace('/', "."));
        }
        Some(super::vfs::join(super::vfs::parent(path), &name))
    }
}

/// A classifier that uses the sos manifest once it has been seen.
#[derive(Clone, Debug)]
pub struct Classifier {
    sniff: Sniffers,
    manifest: Option<Manifest>,
}

impl Classifier {
    /// A classifier without manifest that sniffs content with `sniff`.
    pub fn new(sniff: Sniffers) -> Classifier {
        Classifier {
            sniff,
            manifest: None,
        }
    }

    /// Installs the manifest; later members are classified with it.
    pub fn set_manifest(&mut self, manifest: Manifest) {
        self.manifest = Some(manifest);
    }

    /// True once a manifest is installed.
    pub fn has_manifest(&self) -> bool {
        self.manifest.is_some()
    }

    /// Classifies with the manifest first, then the path table, then the content.
    pub fn classify(&self, path: &str, head: &[u8]) -> Format {
        if let Some(rule) = self
            .manifest
            .as_ref()
            .and_then(|m| m.command_path(path))
            .and_then(|p| path_rule(&p))
        {
            return apply(&self.sniff, rule, path, head);
        }
        classify(&self.sniff, path, head)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Sniffers that recognise nothing: what the path table and the manifest decide alone
    /// (content sniffing with the parsers' sniffers is tested in `crate::parse`).
    const NO_CONTENT: Sniffers = Sniffers {
        log: |_| None,
        other: |_| None,
        mixed: |_| false,
    };

    #[test]
    fn globs() {
        let table: &[(&str, &str, bool)] = &[
            (
                "sos_commands/kernel/dmesg*",
                "sos_commands/kernel/dmesg",
                true,
            ),
            (
                "sos_commands/kernel/dmesg*",
                "sos_commands/kernel/dmesg/x",
                false,
            ),
            ("**/*goroutine-stacks*", "goroutine-stacks-2020.log", true),
            (
                "**/*goroutine-stacks*",
                "var/run/docker/goroutine-stacks-1.log",
                true,
            ),
            ("sys/fs/cgroup/**/pids.max", "sys/fs/cgroup/pids.max", true),
            (
                "sys/fs/cgroup/**/pids.max",
                "sys/fs/cgroup/pids/kubepods/pids.max",
                true,
            ),
            ("var/log/pods/**", "var/log/pods/ns_pod_uid/c/0.log", true),
            ("proc/*/cgroup", "proc/1/cgroup", true),
            ("proc/*/cgroup", "proc/1/task/1/cgroup", false),
        ];
        for (p, s, want) in table {
            assert_eq!(glob(p, s), *want, "{p} ~ {s}");
        }
    }

    #[test]
    fn path_table_compiles() {
        for (p, _) in PATH_TABLE {
            assert!(compile(p).is_ok(), "{p}");
        }
        assert_eq!(PATH_SET.len(), PATH_TABLE.len());
    }

    #[test]
    fn sos_paths() {
        // Paths from the sosreport 4.2 of k8stest-4 (Ubuntu) and sos 3.x/4.x plugin sources.
        let table: &[(&str, &[u8], Format)] = &[
            (
                "sos_commands/kernel/dmesg",
                b"[    0.000000] Linux version 5.4.0-97-generic",
                Format::Dmesg,
            ),
            (
                "var/log/kern.log",
                b"Feb  6 00:00:01 k8stest-4 kernel: [1.0] x",
                Format::Syslog,
            ),
            (
                "sos_commands/kubernetes/journalctl_--no-pager_--unit_kubelet",
                b"-- No entries --\n",
                Format::JournalShort,
            ),
            (
                "sos_commands/logs/journalctl_--no-pager",
                b"-- Logs begin at Mon 2022-01-31 08:12:02 UTC, end at Fri 2022-02-11 19:23:58 UTC. --\nJan 31 08:12:02 k8stest-4 kernel: Linux version\n",
                Format::JournalShort,
            ),
            ("sos_commands/process/ps_auxwwwm", b"USER PID", Format::Ps),
            ("sos_commands/process/pstree_-lp", b"systemd(1)", Format::Pstree),
            ("sos_commands/process/lsns_-t_net", b"", Format::Lsns),
            ("sos_commands/networking/ip_netns", b"", Format::IpNetns),
            ("sos_commands/networking/ip_-o_addr", b"", Format::IpAddr),
            (
                "sos_commands/networking/namespaces/cni-1/ip_netns_exec_cni-1_ip_-d_address_show",
                b"",
                Format::IpAddr,
            ),
            (
                "sos_commands/networking/ip_netns_exec_cni-1_ip_address_show",
                b"",
                Format::IpAddr,
            ),
            (
                "sys/fs/cgroup/pids/kubepods/pids.max",
                b"max\n",
                Format::Cgroup,
            ),
            ("proc/1/cgroup", b"12:pids:/init.scope\n", Format::ProcCgroup),
            ("sos_commands/docker/docker_ps_-a", b"", Format::DockerPs),
            ("sos_commands/docker/docker_info", b"", Format::DockerInfo),
            ("sos_commands/containerd/ctr_task_ls", b"", Format::CtrTasks),
            ("sos_commands/crio/crictl_pods", b"", Format::CrictlPods),
            (
                "sos_commands/systemd/systemctl_status_--all",
                b"",
                Format::SystemctlStatus,
            ),
            ("sos_commands/kernel/uname_-a", b"Linux", Format::Uname),
            ("etc/os-release", b"NAME=", Format::OsRelease),
            ("sos_commands/dpkg/dpkg_-l", b"", Format::Packages),
            ("sos_commands/date/date_--utc", b"", Format::Date),
            ("sos_commands/date/hwclock", b"", Format::Unknown),
            ("sos_commands/host/hostname", b"node1\n", Format::Hostname),
            ("hostname", b"node1\n", Format::Hostname),
            ("sos_commands/host/hostname_-f", b"node1\n", Format::Unknown),
            ("sos_commands/host/uptime", b" 19:23:40 up", Format::Uptime),
            ("proc/stat", b"cpu ", Format::ProcStat),
            ("proc/cpuinfo", b"processor", Format::Cpuinfo),
            ("proc/meminfo", b"MemTotal:", Format::Meminfo),
            ("sos_commands/processor/lscpu", b"Architecture:", Format::Lscpu),
            ("sos_commands/snap/snap_list_--all", b"Name", Format::SnapList),
            ("sos_commands/systemd/timedatectl", b"", Format::Timedatectl),
            ("etc/localtime", b"TZif2\0\0\0", Format::Localtime),
            ("sos_reports/manifest.json", b"{", Format::SosManifest),
            ("proc/kallsyms", b"\x00\x01\x02\x03\x00\x00", Format::Unknown),
        ];
        for (path, head, want) in table {
            assert_eq!(classify(&NO_CONTENT, path, head), *want, "{path}");
        }
    }

    #[test]
    fn pasted_text_where_it_may_be() {
        // Text no sniffer claims (here: none does) is a paste in a ticket's loose files.
        let paste =
            b"kernel:unregister_netdevice: waiting for eth0 to become free. Usage count = 1\n";
        let c = |path: &str, head: &[u8]| classify(&NO_CONTENT, path, head);
        assert_eq!(c("moby-37222.txt", paste), Format::Paste);
        assert_eq!(c("ticket-4711/notes", paste), Format::Paste);
        assert_eq!(c("var/log/messages-2", b"just text\n"), Format::Syslog);
        // Inside a host tree or sosreport, unrecognised files stay unread: other programs'
        // logs, cluster-wide kubectl output, configuration, kernel state, sos metadata.
        for (path, head) in [
            (
                "var/log/dpkg.log",
                &b"2022-02-07 15:32:54 startup archives unpack\n"[..],
            ),
            (
                "sos_commands/kubernetes/kubectl_get_events",
                b"LAST SEEN   TYPE\n",
            ),
            ("etc/docker/daemon.json", b"{\n"),
            ("etc/hosts", b"127.0.0.1 localhost\n"),
            ("sos_commands/kernel/sysctl_-a", b"kernel.x = 1\n"),
            ("proc/vmstat", b"nr_free_pages 1\n"),
            ("environment", b"PATH=/usr/bin\n"),
            // Documentation and binary data.
            ("README.md", b"# incident\n"),
            ("expected.json", b"{}\n"),
            ("blob", b"\x00\x01\x02\x03\x00\x00"),
        ] {
            assert_eq!(c(path, head), Format::Unknown, "{path}");
        }
        // A log mixed with a shell session is a paste when the sniffers say so.
        let mixed = Sniffers {
            log: |_| Some(Format::JournalShort),
            other: |_| None,
            mixed: |_| true,
        };
        assert_eq!(classify(&mixed, "779.txt", b"x\n"), Format::Paste);
        assert_eq!(
            classify(&mixed, "sos_commands/x/y", b"x\n"),
            Format::JournalShort
        );
    }

    #[test]
    fn manifest_maps_commands() {
        // Shape of sos 4.2 `sos_reports/manifest.json` (components.report.plugins.*.commands).
        let json = br#"{"version":"4.2","components":{"report":{"plugins":{
            "process":{"commands":[{"command":"ps","parameters":["auxwwwm"],
              "exec":"ps auxwwwm","filepath":"sos_commands/process/renamed_by_plugin"}]}}}}}"#;
        let m = Manifest::parse(json).unwrap();
        assert_eq!(m.len(), 1);
        assert_eq!(
            m.command_path("sos_commands/process/renamed_by_plugin")
                .as_deref(),
            Some("sos_commands/process/ps_auxwwwm")
        );
        let mut c = Classifier::new(NO_CONTENT);
        assert_eq!(
            c.classify("sos_commands/process/renamed_by_plugin", b"x"),
            Format::Unknown
        );
        c.set_manifest(m);
        assert_eq!(
            c.classify("sos_commands/process/renamed_by_plugin", b"x"),
            Format::Ps
        );
        assert!(Manifest::parse(b"not json").is_none());
    }
}
