//! The formats nodemortem recognises: what classification ([`crate::input::sniff`]) decides and
//! every parser, the inventory and the pipeline dispatch on.

use serde::{Deserialize, Serialize};

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
    /// `-o short-full`: `Mon 2026-11-23 10:52:43 CET host ident[pid]: msg` (zone abbreviation).
    JournalShortFull,
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
    /// Pasted text no other format claims (a ticket excerpt, a shell session, a mixed paste):
    /// every output line is a record (`parse::paste`).
    Paste,
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
    /// `hostname` output or `etc/hostname`.
    Hostname,
    /// `hostnamectl status`.
    Hostnamectl,
    /// `uptime` output or `/proc/uptime`.
    Uptime,
    /// `/proc/stat` (boot time).
    ProcStat,
    /// `lscpu`.
    Lscpu,
    /// `/proc/cpuinfo`.
    Cpuinfo,
    /// `/proc/meminfo`.
    Meminfo,
    /// `snap list` (versions of snap-packaged components).
    SnapList,
    /// `date` output (collection time).
    Date,
    /// `timedatectl` output (collection time and zone).
    Timedatectl,
    /// `etc/localtime` (a TZif file).
    Localtime,
    /// `sos_reports/manifest.json`.
    SosManifest,
    /// An `ls` listing of a runtime directory (`ls -l /var/run/docker/netns`).
    DirListing,
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
            Format::JournalShortFull => "journal-short-full",
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
            Format::Paste => "paste",
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
            Format::Hostname => "hostname",
            Format::Hostnamectl => "hostnamectl",
            Format::Uptime => "uptime",
            Format::ProcStat => "proc-stat",
            Format::Lscpu => "lscpu",
            Format::Cpuinfo => "cpuinfo",
            Format::Meminfo => "meminfo",
            Format::SnapList => "snap-list",
            Format::Date => "date",
            Format::Timedatectl => "timedatectl",
            Format::Localtime => "localtime",
            Format::SosManifest => "sos-manifest",
            Format::DirListing => "dir-listing",
            Format::Unknown => "unknown",
        }
    }

    /// Every format that yields log [`Record`](crate::parse::Record)s: the journal modes,
    /// then the other logs.
    pub const LOGS: &'static [Format] = &{
        const OTHER: [Format; 7] = [
            Format::Syslog,
            Format::Dmesg,
            Format::Kmsg,
            Format::Klog,
            Format::KlogJson,
            Format::Logrus,
            Format::Paste,
        ];
        let mut all = [Format::Unknown; Format::JOURNAL.len() + OTHER.len()];
        let mut i = 0;
        while i < all.len() {
            all[i] = if i < Format::JOURNAL.len() {
                Format::JOURNAL[i]
            } else {
                OTHER[i - Format::JOURNAL.len()]
            };
            i += 1;
        }
        all
    };

    /// True for formats that yield log [`Record`](crate::parse::Record)s.
    pub fn is_log(self) -> bool {
        Format::LOGS.contains(&self)
    }

    /// Every `journalctl` output mode, `short*` first.
    pub const JOURNAL: &'static [Format] = &[
        Format::JournalShort,
        Format::JournalShortPrecise,
        Format::JournalShortIso,
        Format::JournalShortIsoPrecise,
        Format::JournalShortMonotonic,
        Format::JournalShortUnix,
        Format::JournalShortFull,
        Format::JournalJson,
        Format::JournalExport,
        Format::JournalVerbose,
    ];

    /// True for the `journalctl -o short*` modes: one line layout, `TIME host ident[pid]: msg`,
    /// that differs only in the time (see [`journal::short_header`](crate::parse::journal::short_header)).
    pub const fn is_journal_short(self) -> bool {
        matches!(
            self,
            Format::JournalShort
                | Format::JournalShortPrecise
                | Format::JournalShortIso
                | Format::JournalShortIsoPrecise
                | Format::JournalShortMonotonic
                | Format::JournalShortUnix
                | Format::JournalShortFull
        )
    }

    /// True for every `journalctl` output mode ([`Format::JOURNAL`]).
    pub const fn is_journal(self) -> bool {
        self.is_journal_short()
            || matches!(
                self,
                Format::JournalJson | Format::JournalExport | Format::JournalVerbose
            )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The journal lists and predicates agree: every journal mode is a log format, `short*`
    /// first, and only the `short*` modes share the short line layout.
    #[test]
    fn journal_modes_agree() {
        for &f in Format::LOGS {
            assert_eq!(f.is_journal(), Format::JOURNAL.contains(&f), "{f:?}");
        }
        let short = Format::JOURNAL
            .iter()
            .take_while(|f| f.is_journal_short())
            .count();
        assert_eq!(short, 7);
        assert!(
            Format::JOURNAL[short..]
                .iter()
                .all(|f| !f.is_journal_short())
        );
        assert!(
            Format::JOURNAL
                .iter()
                .all(|&f| f.name().starts_with("journal-"))
        );
    }
}
