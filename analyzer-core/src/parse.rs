//! Parsers: one module per format, each over `&[u8]`, each zero-copy.
//!
//! Log formats yield [`Record`](crate::model::Record)s through [`records`]; host-state formats
//! (process tables, namespaces, cgroups, runtime inventories) have their own typed outputs in
//! their modules; goroutine dumps are parsed by [`goroutine`]. Which parser a member goes to is
//! decided by [`Format`], which [`crate::input::sniff`] picks from the path and the first bytes.

use serde::{Deserialize, Serialize};

pub mod cgroup;
pub mod dmesg;
pub mod goroutine;
pub mod journal;
pub mod klog;
pub mod lines;
pub mod logrus;
pub mod netns;
pub mod ps;
pub mod pstree;
pub mod runtime;
pub mod syslog;
pub mod time;
pub mod versions;

/// Every format nodemortem recognises. The kebab-case name is what `inventory` prints.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum Format {
    // --- logs
    /// `journalctl` default output: `Aug 20 10:25:54 host ident[pid]: msg`.
    JournalShort,
    /// `-o short-precise`: `Aug 20 10:25:54.561334 host ident[pid]: msg`.
    JournalShortPrecise,
    /// `-o short-iso`: `2020-08-20T10:25:54+0800 host ident[pid]: msg`.
    JournalShortIso,
    /// `-o short-iso-precise`: `2020-08-20T10:25:54.561334+08:00 host ident[pid]: msg`.
    JournalShortIsoPrecise,
    /// `-o short-monotonic`: `[ 1573.878353] host ident[pid]: msg`.
    JournalShortMonotonic,
    /// `-o short-unix`: `1620781720.642410 host ident[pid]: msg`.
    JournalShortUnix,
    /// `-o json`: one JSON object per line.
    JournalJson,
    /// `-o export`: binary-safe `FIELD=value` blocks separated by blank lines.
    JournalExport,
    /// `-o verbose`: a cursor line then indented `FIELD=value` lines.
    JournalVerbose,
    /// Syslog files: RFC 3164 traditional, RFC 3339 high precision, RFC 5424.
    Syslog,
    /// Kernel ring buffer: `dmesg`, `dmesg -T`, `dmesg -x`, `<N>[…]`-prefixed.
    Dmesg,
    /// `/dev/kmsg` records: `level,seq,usec,flags;text`.
    Kmsg,
    /// klog (kubelet, kube-proxy): `E0820 10:25:54.561334   12170 file.go:243] msg`.
    Klog,
    /// Kubernetes JSON logging (`--logging-format=json`).
    KlogJson,
    /// logrus text (dockerd, containerd, CRI-O): `time="…" level=… msg="…"`.
    Logrus,
    /// A Go goroutine dump (SIGUSR1 `goroutine-stacks-*.log`, panic output, pprof debug=2).
    GoroutineDump,
    // --- host state
    /// `ps` in any of its sos shapes (`auxwww`, `auxwwwm`, `-elf`, `-elfL`, `-ef`, `axo …`, `alxwww`).
    Ps,
    /// `pstree` (`-lp`, `-p`, plain).
    Pstree,
    /// `lsns` (default or `-t net`).
    Lsns,
    /// `ip netns` listing.
    IpNetns,
    /// `ip addr` / `ip -o addr` / `ip -d address show`.
    IpAddr,
    /// A file of `nsenter -t PID -n ip addr` blocks (with xargs `-t` echo lines).
    NsenterIpAddr,
    /// A cgroup control file (`pids.max`, `memory.events`, …).
    Cgroup,
    /// `/proc/<pid>/cgroup`.
    ProcCgroup,
    /// `docker ps` / `docker ps -a`.
    DockerPs,
    /// `docker inspect` JSON.
    DockerInspect,
    /// `docker info`.
    DockerInfo,
    /// `docker version`.
    DockerVersion,
    /// `ctr task ls` / `ctr -n moby task list`.
    CtrTasks,
    /// `ctr container ls`.
    CtrContainers,
    /// `crictl ps -a`.
    CrictlPs,
    /// `crictl pods`.
    CrictlPods,
    /// `systemctl status <unit>`.
    SystemctlStatus,
    /// `systemctl list-units`.
    SystemctlUnits,
    /// `uname -a`.
    Uname,
    /// `/etc/os-release`.
    OsRelease,
    /// Installed packages (`dpkg -l`, `rpm -qa`, sos `installed-rpms`/`installed-debs`).
    Packages,
    /// `date` output (collection time).
    Date,
    /// `timedatectl` output (collection time and zone).
    Timedatectl,
    /// `etc/localtime` (a TZif file).
    Localtime,
    /// `sos_reports/manifest.json`.
    SosManifest,
    /// Anything else; kept in the inventory, not parsed.
    Unknown,
}

impl Format {
    /// The inventory name (`journal-short`, `goroutine-dump`, …).
    pub fn name(self) -> &'static str {
        match self {
            Format::JournalShort => "journal-short",
            Format::JournalShortPrecise => "journal-short-precise",
            Format::JournalShortIso => "journal-short-iso",
            Format::JournalShortIsoPrecise => "journal-short-iso-precise",
            Format::JournalShortMonotonic => "journal-short-monotonic",
            Format::JournalShortUnix => "journal-short-unix",
            Format::JournalJson => "journal-json",
            Format::JournalExport => "journal-export",
            Format::JournalVerbose => "journal-verbose",
            Format::Syslog => "syslog",
            Format::Dmesg => "dmesg",
            Format::Kmsg => "kmsg",
            Format::Klog => "klog",
            Format::KlogJson => "klog-json",
            Format::Logrus => "logrus",
            Format::GoroutineDump => "goroutine-dump",
            Format::Ps => "ps",
            Format::Pstree => "pstree",
            Format::Lsns => "lsns",
            Format::IpNetns => "ip-netns",
            Format::IpAddr => "ip-addr",
            Format::NsenterIpAddr => "nsenter-ip-addr",
            Format::Cgroup => "cgroup",
            Format::ProcCgroup => "proc-cgroup",
            Format::DockerPs => "docker-ps",
            Format::DockerInspect => "docker-inspect",
            Format::DockerInfo => "docker-info",
            Format::DockerVersion => "docker-version",
            Format::CtrTasks => "ctr-tasks",
            Format::CtrContainers => "ctr-containers",
            Format::CrictlPs => "crictl-ps",
            Format::CrictlPods => "crictl-pods",
            Format::SystemctlStatus => "systemctl-status",
            Format::SystemctlUnits => "systemctl-units",
            Format::Uname => "uname",
            Format::OsRelease => "os-release",
            Format::Packages => "packages",
            Format::Date => "date",
            Format::Timedatectl => "timedatectl",
            Format::Localtime => "localtime",
            Format::SosManifest => "sos-manifest",
            Format::Unknown => "unknown",
        }
    }

    /// True for formats that yield log [`Record`](crate::model::Record)s.
    pub fn is_log(self) -> bool {
        matches!(
            self,
            Format::JournalShort
                | Format::JournalShortPrecise
                | Format::JournalShortIso
                | Format::JournalShortIsoPrecise
                | Format::JournalShortMonotonic
                | Format::JournalShortUnix
                | Format::JournalJson
                | Format::JournalExport
                | Format::JournalVerbose
                | Format::Syslog
                | Format::Dmesg
                | Format::Kmsg
                | Format::Klog
                | Format::KlogJson
                | Format::Logrus
        )
    }
}

/// Classifies a member as one of the log formats from its first bytes, if it is one.
pub fn sniff_log(head: &[u8]) -> Option<Format> {
    let first = head.split(|&b| b == b'\n').next().unwrap_or(head);
    if time::syslog_stamp(first).is_some() {
        Some(Format::JournalShort)
    } else {
        None
    }
}
