//! Parsers: one module per format, each over `&[u8]`, each zero-copy.
//!
//! Log formats yield [`Record`]s through [`records`]; host-state formats
//! (process tables, namespaces, cgroups, runtime inventories) have their own typed outputs in
//! their modules; goroutine dumps are parsed by [`goroutine`]. Which parser a member goes to is
//! decided by [`Format`], which [`crate::input::sniff`] picks from the path and the first bytes.

use crate::base::time::RawTime;
use crate::base::{Level, Source};
use crate::input::sniff::Sniffers;

pub mod boundary;
pub mod cgroup;
pub mod cgtree;
pub mod containers;
pub mod dmesg;
pub mod endpoints;
pub mod goroutine;
pub(crate) mod grammar;
pub mod hostinfo;
pub mod journal;
pub mod klog;
pub mod kubectl;
pub mod lines;
pub mod locale;
pub mod logrus;
pub mod netns;
pub mod paste;
pub mod podlist;
pub mod pprof;
pub mod ps;
pub mod pstree;
pub mod record;
pub mod runtime;
pub mod source;
pub mod syslog;
pub mod versions;

pub use record::Record;

// Former homes of items that moved to `crate::base`.
#[doc(no_inline)]
pub use crate::base::Format;
#[doc(no_inline)]
pub use crate::base::time;

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
        /// A line read ahead while looking for continuations.
        peeked: Option<lines::Line<'a>>,
        /// The header of the peeked line, when reading ahead already parsed it.
        peeked_start: Option<lines::Header<'a>>,
        first: bool,
    },
    Export(journal::ExportEntries<'a>),
    Paste(paste::Records<'a>),
}

/// The records of a member in `format`; nothing for formats that are not logs.
pub fn records(format: Format, data: &[u8]) -> Records<'_> {
    let inner = match format {
        Format::JournalExport => Inner::Export(journal::ExportEntries::new(data)),
        Format::Paste => Inner::Paste(paste::records(data)),
        f if f.is_log() => Inner::Lines {
            format: f,
            lines: lines::Lines::new(data),
            peeked: None,
            peeked_start: None,
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
        f if f.is_journal_short() => {
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
                Kind::Start(lines::Header::timed(RawTime::None, &[], 0))
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
        _ if ident.is_empty() => Source::Unknown,
        _ => Source::from_ident(ident),
    }
}

impl<'a> Iterator for Records<'a> {
    type Item = Record<'a>;

    fn next(&mut self) -> Option<Record<'a>> {
        match &mut self.inner {
            Inner::Empty => None,
            Inner::Paste(recs) => recs.next(),
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
                peeked,
                peeked_start,
                first,
            } => {
                let format = *format;
                let data = lines.data();
                loop {
                    let line = peeked.take().or_else(|| lines.next())?;
                    let kind = match peeked_start.take() {
                        Some(h) => Kind::Start(h),
                        None => classify(format, line.text),
                    };
                    if std::mem::take(first)
                        && matches!(kind, Kind::Continuation | Kind::Orphan)
                        && (format != Format::KlogJson || line.text.ends_with(b"}"))
                        && !(matches!(kind, Kind::Orphan) && source::is_kernel_text(line.text))
                    {
                        // A head-truncated capture starts mid-line: resynchronise. (Plain
                        // startup lines of a JSON klog file are kept; a cut object is not; so
                        // is kernel text, the bare `docker: page allocation failure …` a
                        // paste starts with.)
                        continue;
                    }
                    let orphan = matches!(kind, Kind::Orphan);
                    let header = match kind {
                        Kind::Skip => continue,
                        Kind::Start(h) => Some(h),
                        Kind::Continuation | Kind::Orphan => None,
                    };
                    let mut end = line.end();
                    if !matches!(format, Format::JournalJson | Format::KlogJson) {
                        for next in lines.by_ref() {
                            if format == Format::Klog && next.text.len() <= lines::MAX_HEADER_SCAN {
                                // The test whether the line continues the record parses its
                                // header: keep it for the record it starts.
                                if let Some(h) = klog::record_header(next.text) {
                                    *peeked = Some(next);
                                    *peeked_start = Some(h);
                                    break;
                                }
                            } else if !continues(format, next.text) {
                                *peeked = Some(next);
                                break;
                            }
                            end = next.end();
                        }
                    }
                    let raw = data.get(line.offset..end).unwrap_or(&[]);
                    let mut rec = Record::bare(line.offset as u64, line.number, raw);
                    rec.source = default_source(format, &[]);
                    let Some(mut h) = header else {
                        if orphan && rec.source == Source::Unknown {
                            // A line without header among headed ones (a mixed paste): its
                            // source from its text, as for a paste's bare lines.
                            rec.source = source::guess(raw);
                        }
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
    if format.is_journal() || format == Format::Syslog {
        rec.source = source::refine(rec.source, h.ident, rec.message);
        if let Some(l) = inner_level(rec.message) {
            rec.level = l;
        }
    }
}

/// The parsers' content sniffers, for the walker's classification ([`crate::input::walk()`]):
/// [`sniff_log`] for logs, then goroutine dumps ([`goroutine::sniff`]) and host-state tables
/// ([`runtime::sniff_host`]).
pub const SNIFFERS: Sniffers = Sniffers {
    log: sniff_log,
    other: sniff_other,
    mixed: paste::is_mixed,
};

/// A format that is not a log, from its first bytes: a goroutine dump, else a host-state table.
fn sniff_other(head: &[u8]) -> Option<Format> {
    if goroutine::sniff(head) {
        return Some(Format::GoroutineDump);
    }
    runtime::sniff_host(head)
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
            if let RawTime::Monotonic(_) = h.time {
                // journal short-monotonic has `host ident:` after the time, or only `ident:`
                // with `--no-hostname` (Ubuntu's /var/log/dmesg: `[    0.000000] kernel: …`).
                let rest = l.get(h.msg_start..).unwrap_or(&[]);
                let (first, after) = lines::token(rest);
                let (second, _) = lines::token(after);
                let is_tag = |t: &[u8]| t == b"kernel:" || (t.len() > 3 && t.ends_with(b"]:"));
                // A host name never ends in `:`; `nf_conntrack: nf_conntrack: table full` is a
                // kernel message whose subsystem prefix repeats, not `host ident:`.
                let sample = if is_tag(first) {
                    (first, true)
                } else {
                    (
                        first,
                        !first.ends_with(b":") && second.len() > 1 && second.ends_with(b":"),
                    )
                };
                *mono_hosts = Some(match *mono_hosts {
                    None => sample,
                    Some((h0, all)) => (h0, all && sample.1 && h0 == sample.0),
                });
            }
            Some(Format::Dmesg)
        }
        b'0'..=b'9' => {
            if l.get(4) == Some(&b'-') {
                // An ISO time without offset is some other program's own log (juju, apt).
                let (t, used) = syslog::iso_time(l)?;
                if !matches!(t, RawTime::Utc(_)) {
                    return None;
                }
                syslog::header(l)?;
                let has_frac = l.get(19) == Some(&b'.');
                let colon_offset = l.get(used.saturating_sub(3)) == Some(&b':');
                Some(match (colon_offset, has_frac) {
                    // `+0800`: older systemd's `short-iso`; rsyslog always writes `+08:00`.
                    (false, true) => Format::JournalShortIsoPrecise,
                    (false, false) => Format::JournalShortIso,
                    (true, true) => Format::Syslog,
                    (true, false) => Format::JournalShortIso,
                })
            } else if dmesg::kmsg_header(l).is_some() {
                Some(Format::Kmsg)
            } else if let Some((_, used)) = locale::stamp(l) {
                // `10月 24 17:15:47 host ident[pid]: msg`: a journal printed in a CJK locale.
                bsd_format(l, used, zero_day, space_day)
            } else {
                // `-o short-unix`: `1620781720.642410 host ident[pid]: msg`. Plain numbers
                // (`/proc` and cgroup files) must not pass: demand the fixed fraction, a host and
                // an identifier ending in `:`.
                let h = journal::short_header(l)?;
                let frac_ok = h.time_text.len() >= 12
                    && h.time_text.get(h.time_text.len() - 7) == Some(&b'.');
                let tag_ok = !h.host.is_empty()
                    && !h.ident.is_empty()
                    && l.get(h.msg_start.saturating_sub(2)..h.msg_start) == Some(b": ");
                (frac_ok && tag_ok).then_some(Format::JournalShortUnix)
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
            if journal::weekday_time(l).is_some() {
                // `-o short-full`, with a host and an identifier after the zone.
                let h = journal::short_header(l)?;
                return (!h.host.is_empty() && !h.ident.is_empty())
                    .then_some(Format::JournalShortFull);
            }
            if dmesg::header(l).is_some() {
                return Some(Format::Dmesg);
            }
            let (_, used) = crate::base::time::syslog_stamp(l).or_else(|| locale::stamp(l))?;
            bsd_format(l, used, zero_day, space_day)
        }
    }
}

/// The format of a line that starts with a `Mon dd HH:MM:SS[.f]` time `used` bytes long (in
/// English or another locale): journal `short-precise` with a fraction, else syslog (told
/// apart from journal `short` by the day padding over the whole sniff).
fn bsd_format(l: &[u8], used: usize, zero_day: &mut bool, space_day: &mut bool) -> Option<Format> {
    // A host name follows the stamp (`Feb 11 19:23:51 | …` is multipath's own log).
    let host = *l.get(used + 1)?;
    if !host.is_ascii_alphanumeric() && host.is_ascii() {
        return None;
    }
    // The day field after the month: `%d` (journal) writes `03`, `%e` (rsyslog) ` 3`.
    let month_end = lines::find_space(l)?;
    match l.get(month_end + 1) {
        Some(b' ') => *space_day = true,
        Some(b'0') => *zero_day = true,
        _ => {}
    }
    // `HH:MM:SS` ends 6 bytes after its first colon; anything after is the fraction.
    let colon = memchr::memchr(b':', l.get(..used)?)?;
    if used > colon + 6 {
        return Some(Format::JournalShortPrecise);
    }
    Some(Format::Syslog)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::base::time::{LocalTime, RawTime};

    fn all(format: Format, data: &[u8]) -> Vec<Record<'_>> {
        records(format, data).collect()
    }

    fn s(b: &[u8]) -> &str {
        std::str::from_utf8(b).unwrap()
    }

    /// Classification with the parsers' sniffers: the path table defers to the content for
    /// journals, `IfContent` and container logs, and content alone decides unknown paths.
    #[test]
    fn sniffers_classify_by_content() {
        use crate::input::sniff::{Classifier, classify};
        // A journal in `short-iso` (systemd logs-show.c), dockerd logrus (moby#33192), kubelet
        // klog (k8s#64743), a goroutine dump header, `ps auxwwwm`, and binary bytes.
        let iso = b"-- Logs begin at Mon 2022-01-31 08:12:02 UTC, end at Fri 2022-02-11 19:23:58 UTC. --\n\
2022-01-31T08:12:02+0000 k8stest-4 kernel: Linux version 5.4.0-97-generic\n";
        let logrus = br#"time="2018-07-05T19:40:01.100000000Z" level=error msg="x""#;
        let klog = b"E0705 19:40:02.000001    1545 pod_workers.go:190] Error syncing pod\n";
        let syslog = b"Feb  6 00:00:01 k8stest-4 kernel: [1.0] x\n";
        let dump = b"goroutine 1 [running]:\nmain.main()\n\t/src/main.go:10 +0x1d\n";
        let ps = b"USER         PID %CPU %MEM    VSZ   RSS TTY      STAT START   TIME COMMAND\n";
        let table: &[(&str, &[u8], Format)] = &[
            (
                "sos_commands/logs/journalctl_--no-pager",
                iso,
                Format::JournalShortIso,
            ),
            ("var/log/docker.log", logrus, Format::Logrus),
            ("var/log/docker.log", klog, Format::Klog),
            ("var/log/containers/kubelet.log", klog, Format::Klog),
            ("var/log/containers/kubelet.log", syslog, Format::Unknown),
            ("notes/messages.txt", syslog, Format::Syslog),
            ("notes/stacks.txt", dump, Format::GoroutineDump),
            ("notes/ps.txt", ps, Format::Ps),
            (
                "notes/core",
                b"\x7fELF\x02\x01\x01\0\0\0\0\0\0\0\0\0",
                Format::Unknown,
            ),
        ];
        let c = Classifier::new(SNIFFERS);
        for (path, head, want) in table {
            assert_eq!(classify(&SNIFFERS, path, head), *want, "{path}");
            assert_eq!(c.classify(path, head), *want, "{path}");
        }
    }

    #[test]
    fn journal_short_with_separators_and_continuations() {
        // Lines from k8s#64743 (kubelet in the journal, `µs`), journalctl separators from
        // systemd logs-show.c, a dockerd logrus message (moby#33192-era shape) and a klog one.
        let data = "-- Logs begin at Mon 2018-12-10 10:00:00 UTC, end at Tue 2018-12-11 10:00:00 UTC. --\n\
Jul 05 19:33:29 node1 kubelet[1545]: I0705 19:33:29.402143    1545 server.go:779] GET /healthz: (23.478\u{b5}s) 200\n\
Jul 05 19:33:34 node1 kernel: unregister_netdevice: waiting for eth0 to become free. Usage count = 1\n\
-- Reboot --\n\
Jul 05 19:40:01 node1 dockerd[901]: time=\"2018-07-05T19:40:01.1Z\" level=error msg=\"x\"\n\
Jul 05 19:40:02 node1 kubelet[1545]: E0705 19:40:02.000001    1545 pod_workers.go:190] Error syncing pod\n\
\x20                                    second line of the message\n\
-- Boot 5f3c0e1d2a3b4c5d6e7f8091a2b3c4d5 --\n\
\u{2591}\u{2591} Subject: catalog text\n\
Jul 05 19:41:00 node1 systemd[1]: Started Kubernetes kubelet.\n";
        let recs = all(Format::JournalShort, data.as_bytes());
        assert_eq!(recs.len(), 5);
        let lines: Vec<u32> = recs.iter().map(|r| r.line).collect();
        assert_eq!(lines, vec![2, 3, 5, 6, 10]);
        assert_eq!(recs[0].source, Source::Kubelet);
        assert_eq!(recs[0].pid, Some(1545));
        assert_eq!(recs[0].host, b"node1");
        assert_eq!(recs[0].level, Level::Info);
        assert_eq!(recs[0].time_text, b"Jul 05 19:33:29");
        assert_eq!(
            recs[0].time,
            RawTime::Local(LocalTime {
                year: None,
                month: 7,
                day: 5,
                hour: 19,
                minute: 33,
                second: 29,
                micros: 0
            })
        );
        assert_eq!(recs[1].source, Source::Kernel);
        assert_eq!(recs[1].pid, None);
        assert_eq!(
            s(recs[1].message),
            "unregister_netdevice: waiting for eth0 to become free. Usage count = 1"
        );
        assert_eq!(
            (recs[2].source, recs[2].level),
            (Source::Dockerd, Level::Error)
        );
        assert_eq!(recs[3].level, Level::Error);
        assert_eq!(recs[3].line_count(), 2);
        assert!(s(recs[3].message).ends_with("second line of the message"));
        assert!(s(recs[3].message).starts_with("E0705"));
        assert_eq!(s(recs[4].message), "Started Kubernetes kubelet.");
        assert_eq!(recs[4].source, Source::Systemd);
        // Offsets point at the record's first byte.
        for r in &recs {
            assert_eq!(&data.as_bytes()[r.offset as usize..][..r.raw.len()], r.raw);
        }
    }

    #[test]
    fn no_entries_is_empty() {
        // `journalctl --unit X` on a unit that never logged (sos kubernetes plugin captures).
        assert_eq!(all(Format::JournalShort, b"-- No entries --\n").len(), 0);
        assert_eq!(all(Format::JournalShort, b"").len(), 0);
        assert_eq!(sniff_log(b"-- No entries --\n"), Some(Format::JournalShort));
    }

    #[test]
    fn head_truncated_and_crlf() {
        // sos AsyncReader drops the head: the file starts mid-line, here mid-UTF-8 (`µ` cut).
        let mut data = b"\xb5s) 200 OK\r\n".to_vec();
        data.extend_from_slice(b"Jul 05 19:33:34.515797 node1 kubelet[1545]: ok\r\n");
        data.extend_from_slice(
            b"Jul 05 19:33:35.000001 node1 kubelet[1545]: bad \xff\xfe bytes\r\n",
        );
        let recs = all(Format::JournalShortPrecise, &data);
        assert_eq!(recs.len(), 2);
        assert_eq!((recs[0].line, recs[0].offset), (2, 12));
        assert_eq!(recs[0].message, b"ok");
        assert_eq!(recs[1].message, b"bad \xff\xfe bytes");
        match recs[0].time {
            RawTime::Local(t) => assert_eq!(t.micros, 515797),
            ref other => panic!("{other:?}"),
        }
    }

    #[test]
    fn journal_time_modes() {
        // One line per `-o` mode, systemd logs-show.c formats (formats-and-crates §1.1).
        let iso = all(
            Format::JournalShortIso,
            b"2021-05-12T09:08:40+0800 n containerd[901]: a\n2021-05-12T09:08:40+08:00 n containerd[901]: b\n",
        );
        assert_eq!(iso.len(), 2);
        assert_eq!(iso[0].time, iso[1].time);
        assert!(matches!(iso[0].time, RawTime::Utc(t) if t.to_rfc3339() == "2021-05-12T01:08:40Z"));
        let p = all(
            Format::JournalShortIsoPrecise,
            b"2021-05-12T09:08:40.642410+08:00 n containerd[901]: c\n",
        );
        assert!(
            matches!(p[0].time, RawTime::Utc(t) if t.to_rfc3339() == "2021-05-12T01:08:40.642410Z")
        );
        let m = all(
            Format::JournalShortMonotonic,
            b"[ 1573.878353] host kernel: cp invoked oom-killer: gfp_mask=0x24000c0, order=0, oom_score_adj=0\n",
        );
        assert_eq!(m[0].time, RawTime::Monotonic(1_573_878_353));
        assert_eq!(m[0].source, Source::Kernel);
        let u = all(
            Format::JournalShortUnix,
            b"1620781720.642410 host containerd[901]: x\n",
        );
        assert!(
            matches!(u[0].time, RawTime::Utc(t) if t.to_rfc3339() == "2021-05-12T01:08:40.642410Z")
        );
        assert_eq!(u[0].pid, Some(901));
        // `-o short-full`: weekday, date with year, zone abbreviation (local unless UTC/GMT).
        let full = b"Mon 2026-11-23 10:52:43 UTC node-1 kubelet[1204]: E1123 10:52:43.000001    1204 kubelet.go:2000] \"Error syncing pod\"\n  continued\nMon 2026-11-23 11:52:44 CET node-1 systemd[1]: docker.service: Main process exited, code=killed, status=9/KILL\n";
        assert_eq!(sniff_log(full), Some(Format::JournalShortFull));
        let f = all(Format::JournalShortFull, full);
        assert_eq!(f.len(), 2);
        assert!(matches!(f[0].time, RawTime::Utc(t) if t.to_rfc3339() == "2026-11-23T10:52:43Z"));
        assert_eq!(
            (f[0].host, f[0].ident, f[0].pid),
            (&b"node-1"[..], &b"kubelet"[..], Some(1204))
        );
        assert_eq!(f[0].level, Level::Error, "inner klog level");
        assert!(f[0].raw.ends_with(b"  continued"));
        assert!(
            matches!(f[1].time, RawTime::Local(l) if (l.year, l.hour, l.minute) == (Some(2026), 11, 52))
        );
        assert_eq!((f[1].line, f[1].ident), (3, &b"systemd"[..]));
        assert_eq!(
            f[1].message,
            b"docker.service: Main process exited, code=killed, status=9/KILL"
        );
        // A verbose cursor line is not a short-full record.
        assert_eq!(
            sniff_log(b"Wed 2021-05-12 09:08:40.642410 CST [s=3f;i=1]\n    MESSAGE=x\n"),
            Some(Format::JournalVerbose)
        );
    }

    #[test]
    fn journal_json() {
        // `journalctl -o json`: string timestamps in µs, byte-array MESSAGE for binary data.
        let data = br#"{"__CURSOR":"s=1","__REALTIME_TIMESTAMP":"1620781720642410","PRIORITY":"3","_HOSTNAME":"node1","SYSLOG_IDENTIFIER":"dockerd","_PID":"901","MESSAGE":"time=\"2021-05-12T09:08:40Z\" level=warning msg=\"slow\""}
{"__REALTIME_TIMESTAMP":"1620781720642411","_COMM":"runc","_PID":"77","MESSAGE":[104,105,255]}
-- cursor: s=2
not json
"#;
        let recs = all(Format::JournalJson, data);
        assert_eq!(recs.len(), 3);
        assert_eq!(recs[0].ident, b"dockerd");
        assert_eq!(recs[0].level, Level::Warning, "inner logrus level wins");
        assert_eq!(recs[0].host, b"node1");
        assert!(matches!(recs[0].time, RawTime::Utc(t) if t.0 == 1_620_781_720_642_410));
        assert_eq!(
            recs[0].message,
            br#"time=\"2021-05-12T09:08:40Z\" level=warning msg=\"slow\""#
        );
        assert_eq!(recs[0].field(b"_PID").as_deref(), Some(&b"901"[..]));
        assert_eq!(
            recs[0].field(b"MESSAGE").as_deref(),
            Some(&br#"time="2021-05-12T09:08:40Z" level=warning msg="slow""#[..])
        );
        assert_eq!(
            (recs[1].ident, recs[1].source),
            (&b"runc"[..], Source::Runc)
        );
        assert_eq!(recs[1].message, b"[104,105,255]");
        assert_eq!(recs[1].field(b"MESSAGE").as_deref(), Some(&b"hi\xff"[..]));
        assert_eq!((recs[2].line, recs[2].message), (4, &b"not json"[..]));
        assert_eq!(sniff_log(data), Some(Format::JournalJson));
    }

    #[test]
    fn journal_export() {
        // `journalctl -o export` (systemd JOURNAL_EXPORT_FORMATS): text fields and a binary
        // MESSAGE with a newline inside, entries separated by an empty line.
        let mut data = Vec::new();
        data.extend_from_slice(b"__CURSOR=s=1\n__REALTIME_TIMESTAMP=1620781720642410\n_PID=901\nSYSLOG_IDENTIFIER=dockerd\nPRIORITY=3\nMESSAGE=hello\n\n");
        data.extend_from_slice(
            b"__REALTIME_TIMESTAMP=1620781720642411\nSYSLOG_IDENTIFIER=kernel\nMESSAGE\n",
        );
        data.extend_from_slice(&7u64.to_le_bytes());
        data.extend_from_slice(b"two\nbin\n_HOSTNAME=n1\n\n");
        let recs = all(Format::JournalExport, &data);
        assert_eq!(recs.len(), 2);
        assert_eq!(
            (recs[0].line, recs[0].pid, recs[0].level),
            (1, Some(901), Level::Error)
        );
        assert_eq!(recs[0].message, b"hello");
        assert_eq!(recs[1].line, 8);
        assert_eq!(recs[1].message, b"two\nbin");
        assert_eq!((recs[1].host, recs[1].source), (&b"n1"[..], Source::Kernel));
        assert_eq!(sniff_log(&data), Some(Format::JournalExport));
        // A length running past the end does not panic and still yields the entry.
        let mut bad = b"MESSAGE\n".to_vec();
        bad.extend_from_slice(&u64::MAX.to_le_bytes());
        assert_eq!(all(Format::JournalExport, &bad).len(), 1);
    }

    /// The structured modes read the same fields the same way: an entry without trusted
    /// fields (`_PID`, `_COMM`; journal-remote imports, syslog forwarding) takes its pid from
    /// `SYSLOG_PID`, and a `__REALTIME_TIMESTAMP` out of range leaves it untimed, not unread.
    #[test]
    fn structured_journal_modes_agree_on_fields() {
        let json = br#"{"__REALTIME_TIMESTAMP":"18446744073709551615","SYSLOG_IDENTIFIER":"containerd","SYSLOG_PID":"1024","PRIORITY":"4","MESSAGE":"shim reaped"}
{"__REALTIME_TIMESTAMP":"1620781720642411","_PID":"77","SYSLOG_PID":"1","_COMM":"runc","MESSAGE":"exec failed"}
"#;
        let export = b"__REALTIME_TIMESTAMP=99999999999999999999\nSYSLOG_IDENTIFIER=containerd\nSYSLOG_PID=1024\nPRIORITY=4\nMESSAGE=shim reaped\n\n__REALTIME_TIMESTAMP=1620781720642411\n_PID=77\nSYSLOG_PID=1\n_COMM=runc\nMESSAGE=exec failed\n";
        let verbose = b"Wed 2021-05-12 09:08:40.642410 UTC [s=abc;i=1]\n    SYSLOG_IDENTIFIER=containerd\n    SYSLOG_PID=1024\n    PRIORITY=4\n    MESSAGE=shim reaped\nWed 2021-05-12 09:08:40.642411 UTC [s=abc;i=2]\n    SYSLOG_PID=1\n    _PID=77\n    _COMM=runc\n    MESSAGE=exec failed\n";
        for (format, data) in [
            (Format::JournalJson, &json[..]),
            (Format::JournalExport, &export[..]),
            (Format::JournalVerbose, &verbose[..]),
        ] {
            let recs = all(format, data);
            let got: Vec<_> = recs
                .iter()
                .map(|r| (r.ident, r.pid, r.level, r.message))
                .collect();
            assert_eq!(
                got,
                [
                    (
                        &b"containerd"[..],
                        Some(1024),
                        Level::Warning,
                        &b"shim reaped"[..]
                    ),
                    (&b"runc"[..], Some(77), Level::Unknown, &b"exec failed"[..]),
                ],
                "{format:?}"
            );
            if format != Format::JournalVerbose {
                assert!(matches!(recs[0].time, RawTime::None), "{format:?}");
                assert!(
                    matches!(recs[1].time, RawTime::Utc(t) if t.0 == 1_620_781_720_642_411),
                    "{format:?}"
                );
            }
        }
    }

    #[test]
    fn journal_verbose() {
        // `journalctl -o verbose` layout (logs-show.c output_verbose).
        let data = b"Wed 2021-05-12 09:08:40.642410 CST [s=abc;i=1;b=def;m=1;t=2;x=3]\n    PRIORITY=6\n    _PID=1545\n    _HOSTNAME=node1\n    SYSLOG_IDENTIFIER=kubelet\n    MESSAGE=I0512 09:08:40.642410    1545 server.go:1] started\n    _COMM=kubelet\nWed 2021-05-12 09:08:41.000000 UTC [s=abc;i=2]\n    MESSAGE=second\n";
        let recs = all(Format::JournalVerbose, data);
        assert_eq!(recs.len(), 2);
        assert_eq!((recs[0].source, recs[0].pid), (Source::Kubelet, Some(1545)));
        assert_eq!(
            recs[0].message,
            b"I0512 09:08:40.642410    1545 server.go:1] started"
        );
        assert_eq!(recs[0].level, Level::Info);
        assert_eq!(recs[0].line_count(), 7);
        assert!(matches!(recs[0].time, RawTime::Local(t) if t.year == Some(2021)));
        assert!(
            matches!(recs[1].time, RawTime::Utc(t) if t.to_rfc3339() == "2021-05-12T09:08:41Z")
        );
        assert_eq!((recs[1].line, recs[1].message), (8, &b"second"[..]));
        assert_eq!(sniff_log(data), Some(Format::JournalVerbose));
    }

    #[test]
    fn dmesg_and_kmsg_continuations() {
        // Real raw dmesg shape (sos kernel plugin, Ubuntu 20.04 `sos_commands/kernel/dmesg`).
        let data = b"[    0.000000] Linux version 5.4.0-99-generic\n[ 1573.878353] Call Trace:\n dump_stack+0x6d/0x8b\n[ 1573.878360] next\n";
        let recs = all(Format::Dmesg, data);
        assert_eq!(recs.len(), 3);
        assert_eq!(recs[1].line_count(), 2);
        assert_eq!(recs[1].message, b"Call Trace:\n dump_stack+0x6d/0x8b");
        assert!(recs.iter().all(|r| r.source == Source::Kernel));
        // util-linux#2325 kmsg, continuation lines start with a space.
        let k = b"6,1114,495317239,-;usb 1-1: new device\n SUBSYSTEM=usb\n DEVICE=c189:1\n3,1115,495317300,-;err\n";
        let recs = all(Format::Kmsg, k);
        assert_eq!(recs.len(), 2);
        assert_eq!(recs[0].line_count(), 3);
        assert_eq!((recs[1].level, recs[1].line), (Level::Error, 4));
        assert_eq!(sniff_log(k), Some(Format::Kmsg));
        assert_eq!(sniff_log(data), Some(Format::Dmesg));
    }

    #[test]
    fn klog_file_multi_line() {
        // kubelet.log with a klog >= 2.60 multi-line value and an old raw-newline %+v struct.
        let data = b"I1126 10:31:50.378204  121736 structured_logging.go:59] \"using InfoS\" longData=<\n\t{Name:long Data:Multiple\n\tlines\n >\nE1126 10:31:51.000000  121736 kubelet.go:1] struct {A:1\nB:2}\n";
        let recs = all(Format::Klog, data);
        assert_eq!(recs.len(), 2);
        assert_eq!(recs[0].line_count(), 4);
        assert_eq!(recs[0].source, Source::Kubelet);
        assert_eq!(recs[0].pid, Some(121736));
        assert_eq!(
            recs[0].field(b"longData").as_deref(),
            Some(&b"{Name:long Data:Multiple\nlines"[..])
        );
        assert_eq!((recs[1].line, recs[1].level), (5, Level::Error));
        assert_eq!(recs[1].message, b"struct {A:1\nB:2}");
        assert_eq!(sniff_log(data), Some(Format::Klog));
    }

    #[test]
    fn klog_json_with_startup_lines() {
        // k8s docs: the first lines at startup are not JSON.
        let data = b"Flag --cgroup-driver has been deprecated\n{\"ts\":1580306777.04728,\"v\":4,\"msg\":\"Pod status updated\",\"pod\":\"x\"}\nI0129 14:06:17.000000       1 server.go:1] klog line\n";
        let recs = all(Format::KlogJson, data);
        assert_eq!(recs.len(), 3);
        assert_eq!((recs[0].line, recs[0].time), (1, RawTime::None));
        assert_eq!(recs[0].message, b"Flag --cgroup-driver has been deprecated");
        assert_eq!(recs[1].message, b"Pod status updated");
        assert_eq!(recs[1].field(b"pod").as_deref(), Some(&b"x"[..]));
        assert_eq!((recs[2].level, recs[2].line), (Level::Info, 3));
        // A capture cut inside a JSON object drops the cut line.
        let cut = b"\"status\":\"ready\"}\n{\"ts\":1.5,\"msg\":\"m\"}\n";
        let recs = all(Format::KlogJson, cut);
        assert_eq!((recs.len(), recs[0].line), (1, 2));
        assert_eq!(sniff_log(data), Some(Format::KlogJson));
    }

    #[test]
    fn logrus_file() {
        // dockerd.log: text form, TTY form, and a Go panic without prefix (moby#20096 shape).
        let data = b"time=\"2021-05-12T09:08:40.642410594+08:00\" level=info msg=\"starting\" version=20.10\nINFO[2022-04-16T10:08:48.379054564Z] Starting up\npanic: runtime error: invalid memory address or nil pointer dereference\n\tgoroutine 1 [running]:\n";
        let recs = all(Format::Logrus, data);
        assert_eq!(recs.len(), 3);
        assert_eq!(recs[0].level, Level::Info);
        assert_eq!(recs[0].field(b"version").as_deref(), Some(&b"20.10"[..]));
        // No identifier: undetermined, so rules of any source but the kernel's read it.
        assert_eq!(recs[0].source, Source::Unknown);
        assert_eq!(recs[1].message, b"Starting up");
        assert_eq!(
            (recs[2].line, recs[2].level, recs[2].line_count()),
            (3, Level::Unknown, 2)
        );
        assert_eq!(sniff_log(data), Some(Format::Logrus));
    }

    #[test]
    fn syslog_file_shapes() {
        // /var/log/messages, RHEL traditional template; a Go crash with per-line prefixes
        // (moby#20096).
        let data = b"Feb  7 23:47:21 p4029667 node: runtime/cgo: pthread_create failed: Resource temporarily unavailable\nFeb  7 23:47:21 p4029667 node: SIGABRT: abort\nFeb 17 23:47:22 p4029667 kernel: [  518.050606] Out of memory: Killed process 15784 (python3)\n";
        let recs = all(Format::Syslog, data);
        assert_eq!(recs.len(), 3);
        assert_eq!(recs[1].message, b"SIGABRT: abort");
        assert_eq!(dmesg::kernel_mono(recs[2].message), Some(518_050_606));
        assert_eq!(sniff_log(data), Some(Format::Syslog));
        assert_eq!(
            sniff_log(b"2021-12-19T20:35:40.572463+01:00 pluto rtkit-daemon[582]: x\n"),
            Some(Format::Syslog)
        );
        assert_eq!(
            sniff_log(b"Jul 05 19:33:34 gke-0rcc kernel: x\n"),
            Some(Format::JournalShort)
        );
        assert_eq!(
            sniff_log(b"[ 1573.878353] host kernel: a\n[ 1573.878354] host kernel: b\n"),
            Some(Format::JournalShortMonotonic)
        );
        // kube-aws#476: newer kernels double the conntrack prefix; still dmesg.
        let doubled = b"[2833841.216211] nf_conntrack: nf_conntrack: table full, dropping packet\n[2833874.822698] nf_conntrack: nf_conntrack: table full, dropping packet\n";
        assert_eq!(sniff_log(doubled), Some(Format::Dmesg));
        assert_eq!(
            records(Format::Dmesg, doubled)
                .next()
                .map(|r| (r.source, r.message)),
            Some((
                Source::Kernel,
                &b"nf_conntrack: nf_conntrack: table full, dropping packet"[..]
            ))
        );
        // Journals printed in another locale (moby#40130, docker/for-linux#1178).
        let zh = "10月 24 17:15:47 slave2 dockerd[3948]: time=\"2019-10-24T17:15:47.543529097+08:00\" level=error msg=\"failed to get event\"\n10月 24 17:15:48 slave2 dockerd[3948]: x\n";
        assert_eq!(sniff_log(zh.as_bytes()), Some(Format::Syslog));
        let recs = all(Format::Syslog, zh.as_bytes());
        assert_eq!(recs.len(), 2);
        assert_eq!(
            (recs[0].source, recs[0].level),
            (Source::Dockerd, Level::Error)
        );
        assert!(
            matches!(recs[0].time, RawTime::Local(t) if (t.month, t.day, t.second) == (10, 24, 47))
        );
        let it = b"gen 03 10:46:17 Valuation-Linux-1 dockerd[181060]: a\ngen 03 10:46:19 Valuation-Linux-1 systemd[1]: Stopping Docker\n";
        assert_eq!(sniff_log(it), Some(Format::JournalShort));
        let recs = all(Format::JournalShort, it);
        assert_eq!(
            (recs[1].source, recs[1].host),
            (Source::Systemd, &b"Valuation-Linux-1"[..])
        );
        assert_eq!(sniff_log(b"just some text\nmore text\n"), None);
        // sos head truncation: the first line is a tail of a line.
        assert_eq!(
            sniff_log(b"5.478\xc2\xb5s) 200\nJul 05 19:33:29 node1 kubelet[1545]: x\n"),
            Some(Format::JournalShort)
        );
        assert_eq!(
            sniff_log(b"kern  :err   : [3618282.310743] nouveau 0000:01:00.0: fifo\n"),
            Some(Format::Dmesg)
        );
        assert_eq!(
            sniff_log(b"2022-02-11 18:59:36 INFO juju.cmd supercommand.go:56 running jujud\n"),
            None
        );
    }

    #[test]
    fn long_lines_and_send() {
        // A 2 MiB kubelet line (huge pod spec dumps happen): the header is read from the
        // first MiB, the message runs to the real end of the line.
        let mut data = b"Jul 05 19:33:34 node1 kubelet[1545]: ".to_vec();
        data.extend(std::iter::repeat_n(b'x', 2 << 20));
        data.extend_from_slice(b"\nJul 05 19:33:35 node1 kubelet[1545]: next\n");
        let recs = all(Format::JournalShort, &data);
        assert_eq!(recs.len(), 2);
        assert_eq!(recs[0].message.len(), 2 << 20);
        assert_eq!((recs[1].line, recs[1].message), (2, &b"next"[..]));
        fn is_send<T: Send>(_: &T) {}
        is_send(&records(Format::Klog, &data));
    }

    #[test]
    fn klog_fields_inside_the_journal() {
        // k8s structured logging docs line, as the journal carries it.
        let data = b"Oct 25 00:15:15 node1 kubelet[1]: I1025 00:15:15.525108       1 controller_utils.go:116] \"Pod status updated\" pod=\"kube-system/kubedns\" status=\"ready\"\n";
        let recs = all(Format::JournalShort, data);
        assert_eq!(recs.len(), 1);
        assert_eq!(recs[0].level, Level::Info);
        assert_eq!(
            recs[0].field(b"pod").as_deref(),
            Some(&b"kube-system/kubedns"[..])
        );
        assert_eq!(recs[0].field(b"missing"), None);
    }

    #[test]
    fn components_inside_wrappers() {
        // k3s#2370 (kubelet and containerd inside k3s), kubernetes-anywhere#500 (a kubelet
        // container logged by `docker`), an unknown program's plain line.
        let data = b"Jul 17 09:50:17 node k3s[2063]: E0717 09:50:17.395458    2063 kubelet.go:1845] skipping pod synchronization - [PLEG is not healthy: pleg was last seen active 3m5.3s ago; threshold is 3m0s]\nJul 17 09:50:18 node k3s[2063]: time=\"2020-07-17T09:50:18.1Z\" level=error msg=\"StopPodSandbox for \\\"4c9b\\\" failed\"\nJul 17 09:50:19 node k3s[2063]: I0717 09:50:19.000000    2063 controller.go:611] quota admission added evaluator\nJan 01 04:35:29 node docker[641]: I0101 04:35:29.112541     641 generic.go:186] GenericPLEG: relisting\nJan 01 04:35:30 node dnsmasq[110]: failed to create inotify: Too many open files\n";
        let got: Vec<Source> = all(Format::JournalShort, data)
            .iter()
            .map(|r| r.source)
            .collect();
        assert_eq!(
            got,
            vec![
                Source::Kubelet,
                Source::Containerd,
                Source::Unknown,
                Source::Kubelet,
                Source::Other
            ]
        );
    }

    #[test]
    fn non_logs_yield_nothing() {
        assert_eq!(records(Format::Ps, b"USER PID\nroot 1\n").count(), 0);
    }

    #[test]
    fn throughput_sanity() {
        // 150-byte journal short lines; a coarse guard that the hot path stays linear.
        let line = b"Aug 20 10:25:54 node1 kubelet[12170]: E0820 10:25:54.561334   12170 remote_runtime.go:243] RemoveContainer from runtime service failed: rpc error\n";
        let data = line.repeat(20_000);
        let start = std::time::Instant::now();
        let n = records(Format::JournalShort, &data).count();
        assert_eq!(n, 20_000);
        assert!(start.elapsed() < std::time::Duration::from_secs(2));
    }

    #[test]
    fn real_sosreport_members() {
        // A real Ubuntu 20.04 sosreport (sos 4.x, kernel 5.4): its kernel ring buffer, the
        // journal-written /var/log/dmesg, rsyslog files and empty unit journals.
        // `../shared` beside the workspace root (one level further up from a git worktree).
        let name = "shared/corpus-external/sosreport-k8stest-4-2022-02-11-abcdef.tar.xz";
        let base = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let Some(file) = ["../..", "../../.."]
            .iter()
            .find_map(|up| std::fs::File::open(base.join(up).join(name)).ok())
        else {
            println!("skipped: ../{name} not present");
            return;
        };
        let mut archive = tar::Archive::new(liblzma::read::XzDecoder::new(file));
        let mut checked = 0;
        for entry in archive.entries().unwrap() {
            let mut entry = entry.unwrap();
            let name = entry.path().unwrap().to_string_lossy().into_owned();
            let want = [
                "sos_commands/kernel/dmesg",
                "var/log/dmesg",
                "var/log/kern.log",
                "var/log/auth.log",
                "sos_commands/kubernetes/journalctl_--no-pager_--unit_kubelet",
                "var/log/juju/machine-4.log",
            ];
            let Some(which) = want.iter().find(|w| name.ends_with(*w)) else {
                continue;
            };
            let mut data = Vec::new();
            std::io::Read::read_to_end(&mut entry, &mut data).unwrap();
            let n_lines = lines::Lines::new(&data).count();
            let format = sniff_log(&data);
            let recs: Vec<_> = format.map_or(Vec::new(), |f| records(f, &data).collect());
            match *which {
                "sos_commands/kernel/dmesg" => {
                    assert_eq!(format, Some(Format::Dmesg));
                    let bracketed = data
                        .split(|&b| b == b'\n')
                        .filter(|l| l.starts_with(b"["))
                        .count();
                    assert_eq!(recs.len(), bracketed);
                    assert!(recs.iter().all(|r| matches!(r.time, RawTime::Monotonic(_))));
                }
                "var/log/dmesg" => {
                    assert_eq!(format, Some(Format::JournalShortMonotonic));
                    assert_eq!(recs.len(), n_lines);
                    // `journalctl -k`-style capture by Ubuntu's dmesg.service, without host:
                    // 540 kernel lines and 54 early systemd[1] lines in this boot.
                    let count = |s: Source| recs.iter().filter(|r| r.source == s).count();
                    assert_eq!((count(Source::Kernel), count(Source::Systemd)), (540, 54));
                    assert!(recs.iter().all(|r| r.host.is_empty()));
                }
                "var/log/kern.log" => {
                    assert_eq!(format, Some(Format::Syslog));
                    assert_eq!(recs.len(), n_lines);
                    assert!(
                        recs.iter().all(|r| r.source == Source::Kernel
                            && dmesg::kernel_mono(r.message).is_some())
                    );
                }
                "var/log/auth.log" => {
                    assert_eq!(format, Some(Format::Syslog));
                    assert_eq!(recs.len(), n_lines);
                    assert!(recs.iter().all(|r| !r.ident.is_empty()));
                }
                "var/log/juju/machine-4.log" => assert_eq!(format, None),
                _ => {
                    assert_eq!(format, Some(Format::JournalShort));
                    assert_eq!(recs.len(), 0);
                }
            }
            checked += 1;
        }
        assert_eq!(checked, 6);
    }

    const LOG_FORMATS: &[Format] = Format::LOGS;

    fn check_invariants(data: &[u8]) {
        let base = data.as_ptr() as usize;
        for &f in LOG_FORMATS {
            let mut last_line = 0;
            for r in records(f, data) {
                let raw = r.raw.as_ptr() as usize;
                assert_eq!(raw, base + r.offset as usize, "{f:?}");
                assert!(raw + r.raw.len() <= base + data.len());
                let m = r.message.as_ptr() as usize;
                assert!(
                    m >= raw && m + r.message.len() <= raw + r.raw.len(),
                    "{f:?}"
                );
                assert!(r.line > last_line, "{f:?}");
                last_line = r.line;
                let _ = r.field(b"msg");
            }
        }
        let _ = sniff_log(data);
    }

    proptest::proptest! {
        #[test]
        fn arbitrary_bytes_never_panic(data in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..512)) {
            check_invariants(&data);
        }

        #[test]
        fn log_like_bytes_never_panic(parts in proptest::collection::vec(proptest::sample::select(vec![
            &b"Jul 05 19:33:34 "[..], b"node1 ", b"kubelet[1545]: ", b"kernel: ", b"\n", b"  ",
            b"E0820 10:25:54.561334   12170 a.go:1] ", b"\"m\" k=<\n\tx\n >\n", b"[ 1.5] ",
            b"<6>", b"6,1,2,-;", b"time=\"2021-05-12T09:08:40Z\" level=error msg=\"a\\\"", b"{\"MESSAGE\":[1,",
            b"\"__REALTIME_TIMESTAMP\":\"1\"}", b"MESSAGE\n\x05\0\0\0\0\0\0\0", b"-- Reboot --\n",
            b"\xff\xc3", b"\r\n", b"INFO[0000] x", b"Wed 2021-05-12 09:08:40.1 CST [s=", b"<165>1 ",
        ]), 0..40)) {
            let data: Vec<u8> = parts.concat();
            check_invariants(&data);
        }
    }
}
