//! Parsers: one module per format, each over `&[u8]`, each zero-copy.
//!
//! Log formats yield [`Record`](crate::model::Record)s through [`records`]; host-state formats
//! (process tables, namespaces, cgroups, runtime inventories) have their own typed outputs in
//! their modules; goroutine dumps are parsed by [`goroutine`]. Which parser a member goes to is
//! decided by [`Format`], which [`crate::input::sniff`] picks from the path and the first bytes.

use serde::{Deserialize, Serialize};

use crate::model;
use crate::model::{Level, Record, Source};

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

/// Iterator over the log [`Record`]s of one member, from [`records`].
///
/// Works line by line with `memchr`; allocates nothing. Separator lines are skipped;
/// continuation lines are joined to their record; a head-truncated first line is dropped.
#[derive(Clone, Debug)]
pub struct Records<'a> {
    inner: Inner<'a>,
}

#[derive(Clone, Debug)]
enum Inner<'a> {
    Empty,
    Lines {
        format: Format,
        lines: lines::Lines<'a>,
        first: bool,
    },
    Export(journal::ExportEntries<'a>),
}

/// The records of a member in `format`; nothing for formats that are not logs.
pub fn records(format: Format, data: &[u8]) -> Records<'_> {
    let inner = match format {
        Format::JournalExport => Inner::Export(journal::ExportEntries::new(data)),
        f if f.is_log() => Inner::Lines {
            format: f,
            lines: lines::Lines::new(data),
            first: true,
        },
        _ => Inner::Empty,
    };
    Records { inner }
}

/// How a line relates to the records around it.
enum Kind<'a> {
    /// A header: a new record starts here.
    Start(lines::Header<'a>),
    /// Joined to the record before.
    Continuation,
    /// Not a record (journal separators, empty lines).
    Skip,
    /// A line that belongs to no record: becomes a record of its own without a header.
    Orphan,
}

fn classify(format: Format, line: &[u8]) -> Kind<'_> {
    if line.is_empty() {
        return Kind::Skip;
    }
    let head = line.get(..lines::MAX_HEADER_SCAN).unwrap_or(line);
    match format {
        Format::JournalShort
        | Format::JournalShortPrecise
        | Format::JournalShortIso
        | Format::JournalShortIsoPrecise
        | Format::JournalShortMonotonic
        | Format::JournalShortUnix => {
            if lines::starts_with_blank(line) {
                Kind::Continuation
            } else if journal::is_separator(line) {
                Kind::Skip
            } else {
                journal::short_header(head).map_or(Kind::Orphan, Kind::Start)
            }
        }
        Format::JournalVerbose => {
            if lines::starts_with_blank(line) {
                Kind::Continuation
            } else if journal::is_separator(line) {
                Kind::Skip
            } else if journal::verbose_time(head).is_some() {
                // The full header is read once the entry's field lines are known.
                Kind::Start(lines::Header::timed(model::time::RawTime::None, &[], 0))
            } else {
                Kind::Orphan
            }
        }
        Format::JournalJson => {
            if journal::is_separator(line) {
                Kind::Skip
            } else {
                journal::json_header(line).map_or(Kind::Orphan, Kind::Start)
            }
        }
        Format::Syslog => {
            if lines::starts_with_blank(line) {
                Kind::Continuation
            } else {
                syslog::header(head).map_or(Kind::Orphan, Kind::Start)
            }
        }
        Format::Dmesg => dmesg::header(head).map_or(Kind::Continuation, Kind::Start),
        Format::Kmsg => {
            if lines::starts_with_blank(line) {
                Kind::Continuation
            } else {
                dmesg::kmsg_header(head).map_or(Kind::Orphan, Kind::Start)
            }
        }
        Format::Klog => klog::record_header(head).map_or(Kind::Continuation, Kind::Start),
        Format::KlogJson => {
            if line.first() == Some(&b'{') {
                klog::json_header(line).map_or(Kind::Orphan, Kind::Start)
            } else {
                klog::record_header(head).map_or(Kind::Orphan, Kind::Start)
            }
        }
        Format::Logrus => {
            if lines::starts_with_blank(line) {
                Kind::Continuation
            } else {
                logrus::header(head).map_or(Kind::Orphan, Kind::Start)
            }
        }
        _ => Kind::Skip,
    }
}

/// Cheap test whether the next line continues the current record.
#[inline]
fn continues(format: Format, line: &[u8]) -> bool {
    if line.is_empty() {
        return false;
    }
    match format {
        Format::Dmesg => dmesg::header(line.get(..256).unwrap_or(line)).is_none(),
        Format::Klog => !klog::is_header(line),
        Format::JournalJson | Format::KlogJson => false,
        _ => lines::starts_with_blank(line),
    }
}

/// The level of a logrus or klog message embedded in a journal/syslog record, if it is one.
#[inline]
pub fn inner_level(msg: &[u8]) -> Option<Level> {
    match msg.first()? {
        b't' if msg.starts_with(b"time=") => {
            Some(logrus::level(msg)).filter(|l| *l != Level::Unknown)
        }
        b'I' | b'W' | b'E' | b'F' => {
            if let Some(h) = klog::header(msg) {
                Some(h.level)
            } else {
                logrus::tty_header(msg).map(|(l, _, _)| l)
            }
        }
        b'D' | b'P' | b'T' => logrus::tty_header(msg).map(|(l, _, _)| l),
        _ => None,
    }
}

fn default_source(format: Format, ident: &[u8]) -> Source {
    match format {
        Format::Dmesg | Format::Kmsg => Source::Kernel,
        Format::Klog | Format::KlogJson if ident.is_empty() => Source::Kubelet,
        _ => Source::from_ident(ident),
    }
}

impl<'a> Iterator for Records<'a> {
    type Item = Record<'a>;

    fn next(&mut self) -> Option<Record<'a>> {
        match &mut self.inner {
            Inner::Empty => None,
            Inner::Export(entries) => {
                let e = entries.next()?;
                let h = e.header;
                let mut rec = Record::bare(e.offset as u64, e.line, e.raw);
                rec.message = e
                    .raw
                    .get(h.msg_start..h.msg_start + e.msg_len)
                    .unwrap_or(&[]);
                fill(&mut rec, &h, Format::JournalExport);
                Some(rec)
            }
            Inner::Lines {
                format,
                lines,
                first,
            } => {
                let format = *format;
                let data = lines.data();
                loop {
                    let line = lines.next()?;
                    let kind = classify(format, line.text);
                    if std::mem::take(first) && matches!(kind, Kind::Continuation | Kind::Orphan) {
                        // A head-truncated capture starts mid-line: resynchronise.
                        continue;
                    }
                    let header = match kind {
                        Kind::Skip => continue,
                        Kind::Start(h) => Some(h),
                        Kind::Continuation | Kind::Orphan => None,
                    };
                    let mut end = line.end();
                    if !matches!(format, Format::JournalJson | Format::KlogJson) {
                        while let Some(next) = lines.peek() {
                            if !continues(format, next.text) {
                                break;
                            }
                            lines.next();
                            end = next.end();
                        }
                    }
                    let raw = data.get(line.offset..end).unwrap_or(&[]);
                    let mut rec = Record::bare(line.offset as u64, line.number, raw);
                    rec.source = default_source(format, &[]);
                    let Some(mut h) = header else {
                        return Some(rec);
                    };
                    if format == Format::JournalVerbose {
                        match journal::verbose_header(raw) {
                            Some(v) => h = v,
                            None => return Some(rec),
                        }
                    }
                    let msg_end = match format {
                        Format::JournalJson | Format::KlogJson if h.msg_start < raw.len() => {
                            h.msg_start + journal::json_message_len(raw, h.msg_start)
                        }
                        Format::JournalVerbose => {
                            let rest = raw.get(h.msg_start..).unwrap_or(&[]);
                            h.msg_start + memchr::memchr(b'\n', rest).unwrap_or(rest.len())
                        }
                        _ => raw.len(),
                    };
                    rec.message = raw.get(h.msg_start..msg_end).unwrap_or(&[]);
                    fill(&mut rec, &h, format);
                    return Some(rec);
                }
            }
        }
    }
}

fn fill<'a>(rec: &mut Record<'a>, h: &lines::Header<'a>, format: Format) {
    rec.time = h.time;
    rec.time_text = h.time_text;
    rec.host = h.host;
    rec.ident = h.ident;
    rec.pid = h.pid;
    rec.level = h.level;
    rec.source = default_source(format, h.ident);
    if matches!(
        format,
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
    ) && let Some(l) = inner_level(rec.message)
    {
        rec.level = l;
    }
}

/// Classifies a member as one of the log formats from its first bytes (up to ~4 KiB), if it is
/// one. The first line is ignored when it cannot be read (a head-truncated capture);
/// journal separator lines are looked past.
pub fn sniff_log(head: &[u8]) -> Option<Format> {
    let head = head.get(..4096).unwrap_or(head);
    let mut zero_day = false;
    let mut space_day = false;
    let mut separator = false;
    let mut mono_hosts: Option<(&[u8], bool)> = None;
    let mut verdict = None;
    for (i, line) in lines::Lines::new(head).take(16).enumerate() {
        let l = line.text;
        if l.is_empty() || lines::starts_with_blank(l) {
            continue;
        }
        if journal::is_separator(l) {
            separator = true;
            if l.starts_with(b"-- No entries --") {
                verdict = verdict.or(Some(Format::JournalShort));
            }
            continue;
        }
        let f = sniff_line(l, &mut zero_day, &mut space_day, &mut mono_hosts);
        match f {
            Some(f) if verdict.is_none() => verdict = Some(f),
            None if i == 0 => continue,
            _ => {}
        }
        if verdict.is_some() && i >= 6 {
            break;
        }
    }
    Some(match verdict? {
        Format::Syslog if separator || (zero_day && !space_day) => Format::JournalShort,
        Format::Dmesg if mono_hosts.is_some_and(|(_, all)| all) => Format::JournalShortMonotonic,
        f => f,
    })
}

fn sniff_line<'a>(
    l: &'a [u8],
    zero_day: &mut bool,
    space_day: &mut bool,
    mono_hosts: &mut Option<(&'a [u8], bool)>,
) -> Option<Format> {
    match *l.first()? {
        b'{' => {
            if memchr::memmem::find(l, b"\"__REALTIME_TIMESTAMP\"").is_some()
                || memchr::memmem::find(l, b"\"__CURSOR\"").is_some()
            {
                Some(Format::JournalJson)
            } else if klog::json_header(l).is_some()
                && memchr::memmem::find(l, b"\"ts\":").is_some()
            {
                Some(Format::KlogJson)
            } else {
                None
            }
        }
        b'_' if l.starts_with(b"__CURSOR=") || l.starts_with(b"__REALTIME_TIMESTAMP=") => {
            Some(Format::JournalExport)
        }
        b'<' => {
            if dmesg::header(l).is_some() {
                Some(Format::Dmesg)
            } else {
                syslog::header(l).map(|_| Format::Syslog)
            }
        }
        b'[' => {
            let h = dmesg::header(l)?;
            if let model::time::RawTime::Monotonic(_) = h.time {
                // journal short-monotonic has `host ident:` after the time.
                let rest = l.get(h.msg_start..).unwrap_or(&[]);
                let (host, after) = lines::token(rest);
                let (tag, _) = lines::token(after);
                let is_tag = tag.len() > 1 && tag.ends_with(b":");
                *mono_hosts = Some(match *mono_hosts {
                    None => (host, is_tag),
                    Some((h0, all)) => (h0, all && is_tag && h0 == host),
                });
            }
            Some(Format::Dmesg)
        }
        b'0'..=b'9' => {
            if l.get(4) == Some(&b'-') {
                let (t, used) = syslog::iso_time(l)?;
                syslog::header(l)?;
                let has_frac = l.get(19) == Some(&b'.');
                let colon_offset = matches!(t, model::time::RawTime::Utc(_))
                    && l.get(used.saturating_sub(3)) == Some(&b':');
                Some(
                    if !colon_offset && matches!(t, model::time::RawTime::Utc(_)) {
                        if has_frac {
                            Format::JournalShortIsoPrecise
                        } else {
                            Format::JournalShortIso
                        }
                    } else if has_frac {
                        Format::Syslog
                    } else {
                        Format::JournalShortIso
                    },
                )
            } else if dmesg::kmsg_header(l).is_some() {
                Some(Format::Kmsg)
            } else {
                journal::short_header(l).map(|_| Format::JournalShortUnix)
            }
        }
        _ => {
            if klog::is_header(l) {
                return Some(Format::Klog);
            }
            if logrus::is_logrus(l) && logrus::level(l) != Level::Unknown {
                return Some(Format::Logrus);
            }
            if journal::verbose_time(l).is_some() {
                return Some(Format::JournalVerbose);
            }
            if dmesg::header(l).is_some() {
                return Some(Format::Dmesg);
            }
            let (t, used) = time::syslog_stamp(l)?;
            match l.get(4) {
                Some(b' ') => *space_day = true,
                Some(b'0') => *zero_day = true,
                _ => {}
            }
            if used > 15 {
                return Some(Format::JournalShortPrecise);
            }
            let _ = t;
            Some(Format::Syslog)
        }
    }
}
