//! Pasted text: a member no format sniffer claims, read line by line so that nothing is
//! dropped.
//!
//! Support tickets carry excerpts in every shape: lines cut from a journal or a syslog file with
//! or without their header, a shell session with prompts and commands, `tail -f` of several files,
//! a syslogd wall broadcast, a log viewer's tab-separated export, `talosctl logs` output, crash(8)
//! output, command-line errors, `kubectl describe` blocks (see [`crate::parse::kubectl`]). Each line
//! becomes one record ([`Records`]): the paste prefixes are taken off ([`strip_prefix`]), the
//! known line grammars are tried on what remains ([`read_line`]), and a line no grammar reads is
//! a record without header whose source is guessed from its text ([`source::guess`]). A line
//! number before a log line (`cat -n`, `grep -n`, a viewer's gutter) is taken off too. Lines that
//! are not output — a prompt with its command, a `==> file <==` header, a wall banner, a code
//! fence — are not records. A line without a stated time is untimed: it is never dated from today.
//!
//! Grammars, tried in order on a line after its prefixes:
//!
//! * a printk time `[  993.616601] msg` (dmesg; also `[ t] host ident[pid]: msg` of journal
//!   `short-monotonic`);
//! * a syslog/journal header with any time the journal reader knows (English or localised month,
//!   ISO with or without offset, `short-full`, epoch), a year-first rsyslog time
//!   (`2025 Jul  2 06:56:57.749644`), any host (also `...` or `<server>` as people elide it), an
//!   optional severity word (`host ERR kernel:`, `kernel[-] err:`) and `ident[pid]:`,
//!   `ident[-]:` or `ident:`;
//! * a log viewer's tab-separated export `time<TAB>host<TAB>ident[pid]<TAB>msg`;
//! * klog (`E0820 10:25:54.561334 …`), a klog header without its time (`... kubelet.go:1344]
//!   msg` as people elide it), logrus (`time="…" level=…`, `INFO[…]`, and the bare
//!   `level=error msg=…` without time), a JSON object (`{"level":…,"msg":…}`), also behind
//!   `host: ` as `talosctl logs` prints it;
//! * crash(8) `PANIC: "…"`;
//! * a partial header: `kernel: …`, `kernel:msg` (wall lines), `ident[pid]: …` with the time
//!   cut off, `ident: …` of a known component.

use nom::IResult;
use nom::Parser;
use nom::bytes::complete::{tag, take_till1, take_while, take_while1};
use nom::character::complete::{digit1, one_of, space1};
use nom::combinator::{opt, recognize};

use crate::base::{Level, Source};
use crate::base::{LocalTime, RawTime};
use crate::parse::Record;
use crate::parse::lines::{self, Header};
use crate::parse::{dmesg, journal, klog, logrus, source, syslog, time};

/// What one line of a paste is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Line<'a> {
    /// Not output: empty, a `==> file <==` header, a wall banner, a code fence.
    Skip,
    /// A shell command (after a prompt, or a line starting with a known command): not a record;
    /// it tells what the lines after it are.
    Command(&'a [u8]),
    /// A record: its header (the message start is relative to the line) and its source.
    Record(Header<'a>, Source),
}

/// Takes the paste prefixes off a line: leading blanks, Markdown quote markers (`> `), bullet
/// markers of `minikube logs` (`* `), shell prompts (`$ `, `# `, `user@host:~$ `,
/// `[root@host dir]# `, `bash-4.3# `, `me@host> `). Returns the offset of what remains and
/// whether a prompt was taken (what follows a prompt is a command unless it reads as a log line).
pub fn strip_prefix(line: &[u8]) -> (usize, bool) {
    let mut at = 0;
    let mut prompt = false;
    for _ in 0..4 {
        let rest = &line[at..];
        let blanks = rest
            .iter()
            .take_while(|c| matches!(c, b' ' | b'\t'))
            .count();
        let rest = &rest[blanks..];
        at += blanks;
        if let Some(n) = quote_or_bullet(rest) {
            at += n;
            continue;
        }
        match shell_prompt(rest) {
            Ok((after, _)) if !after.is_empty() || rest.len() < 64 => {
                at += rest.len() - after.len();
                prompt = true;
            }
            _ => break,
        }
    }
    (at, prompt)
}

/// `> ` (Markdown quote) and `* ` (minikube logs) markers.
fn quote_or_bullet(b: &[u8]) -> Option<usize> {
    match b {
        [b'>' | b'*', b' ', ..] => Some(2),
        [b'>'] => Some(1),
        _ => None,
    }
}

fn is_word(c: u8) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, b'-' | b'_' | b'.')
}

/// A shell prompt at the start of `b`.
fn shell_prompt(b: &[u8]) -> IResult<&[u8], &[u8]> {
    let end = |i| (one_of("#$%>"), opt(tag(" "))).parse(i);
    // `[root@host dir]# `
    let bracketed = recognize((
        tag("["),
        take_while1(is_word),
        tag("@"),
        take_till1(|c| c == b']' || c == b'\n'),
        tag("]"),
        end,
    ));
    // `user@host:~/dir$ `, `root@host:/home/ubuntu# `, `me@mymachine> `, `user@host ~ % `
    let user_host = recognize((
        take_while1(is_word),
        tag("@"),
        take_while1(is_word),
        opt((one_of(": "), take_while(|c: u8| !b" #$%>".contains(&c)))),
        opt(tag(" ")),
        end,
    ));
    // `bash-4.3# `, `sh-4.2$ `
    let versioned = recognize((
        take_while1(|c: u8| c.is_ascii_lowercase()),
        tag("-"),
        take_while1(|c: u8| c.is_ascii_digit() || c == b'.'),
        end,
    ));
    // `$ `, `# `, `% `
    let bare = recognize((one_of("#$%"), space1));
    nom::branch::alt((bracketed, user_host, versioned, bare)).parse(b)
}

/// Command words of shell sessions pasted into tickets: a line starting with one of them and a
/// space is a command, not output.
const COMMANDS: &[&[u8]] = &[
    b"arping",
    b"awk",
    b"brctl",
    b"cat",
    b"cd",
    b"crash",
    b"crictl",
    b"ctr",
    b"curl",
    b"dmesg",
    b"docker",
    b"docker-compose",
    b"docker-container-ctr",
    b"docker-runc",
    b"egrep",
    b"gdb",
    b"grep",
    b"ip",
    b"jq",
    b"journalctl",
    b"kill",
    b"kubectl",
    b"less",
    b"ll",
    b"ls",
    b"lsof",
    b"mount",
    b"nerdctl",
    b"netstat",
    b"nsenter",
    b"pidof",
    b"podman",
    b"ps",
    b"pstree",
    b"runc",
    b"ss",
    b"strace",
    b"sudo",
    b"sysctl",
    b"systemctl",
    b"tail",
    b"uname",
];

/// True when `b` is a shell command of [`COMMANDS`] (`docker exec -it x sh`, `sudo dockerd`,
/// `ps -ef | grep shim`).
pub fn is_command(b: &[u8]) -> bool {
    let word = &b[..lines::find_space(b).unwrap_or(b.len())];
    word.len() < b.len() && COMMANDS.binary_search(&word).is_ok()
}

/// Reads one line of a paste.
pub fn read_line(line: &[u8]) -> Line<'_> {
    let (at, prompt) = strip_prefix(line);
    let body = &line[at..];
    if body.is_empty() || is_banner(body) {
        return Line::Skip;
    }
    if let Some(mut h) = log_line(body) {
        h.0.msg_start += at;
        return Line::Record(h.0, h.1);
    }
    if let Some(n) = line_number(body)
        && let Some(mut h) = log_line(&body[n..])
    {
        h.0.msg_start += at + n;
        return Line::Record(h.0, h.1);
    }
    if prompt || is_command(body) {
        return Line::Command(body);
    }
    let (h, src) = partial(body);
    let mut h = h;
    h.msg_start += at;
    Line::Record(h, src)
}

/// The length of a line number a viewer or a tool put before a log line: `6255 Jan 24 …` (an
/// editor's or a log viewer's gutter), `  6255\tJan 24 …` (`cat -n`, `nl`), `6255:Jan 24 …`
/// (`grep -n`). Only taken when what follows reads as a log line with a header ([`read_line`]
/// tries that), so the first column of `ps` or `uniq -c` output stays what it is.
fn line_number(b: &[u8]) -> Option<usize> {
    let digits = b.iter().take_while(|c| c.is_ascii_digit()).count();
    if !(1..=9).contains(&digits) || !matches!(b.get(digits), Some(b' ' | b'\t' | b':')) {
        return None;
    }
    let blanks = b[digits + 1..]
        .iter()
        .take_while(|c| matches!(c, b' ' | b'\t'))
        .count();
    let n = digits + 1 + blanks;
    (n < b.len()).then_some(n)
}

/// Lines that frame output rather than carry it.
fn is_banner(b: &[u8]) -> bool {
    (b.starts_with(b"==> ") && b.ends_with(b" <=="))
        || b.starts_with(b"Message from syslogd@")
        || b.starts_with(b"Broadcast message from ")
        || b.starts_with(b"```")
        || b == b"..."
        || b == b"[...]"
        || b == b"<snip>"
}

/// A log line with a header a reader knows; `None` for anything else.
fn log_line(b: &[u8]) -> Option<(Header<'_>, Source)> {
    match *b.first()? {
        b'[' => mono_line(b),
        b'{' => json_line(b, 0),
        b'I' | b'W' | b'E' | b'F' if klog::is_header(b) => {
            let h = klog::record_header(b)?;
            let src = source::klog_component(b).unwrap_or(Source::Unknown);
            Some((h, src))
        }
        _ => {
            if let Some(h) = logrus_line(b) {
                return Some(h);
            }
            if let Some(h) = tabbed(b) {
                return Some(h);
            }
            syslog_line(b).or_else(|| talos_line(b))
        }
    }
}

/// `[  993.616601] msg` (dmesg, kernel) or `[ t] host ident[pid]: msg` / `[ t] ident[pid]: msg`
/// (journal `short-monotonic`).
fn mono_line(b: &[u8]) -> Option<(Header<'_>, Source)> {
    let mut h = dmesg::header(b)?;
    let rest = &b[h.msg_start..];
    let (first, after) = lines::token(rest);
    let (second, _) = lines::token(after);
    let is_tag = |t: &[u8]| t == b"kernel:" || (t.len() > 3 && t.ends_with(b"]:"));
    if is_tag(first) || (!first.ends_with(b":") && is_tag(second)) {
        let jh = journal::short_header(b)?;
        let src = source::refine(Source::from_ident(jh.ident), jh.ident, &b[jh.msg_start..]);
        return Some((jh, src));
    }
    h.level = Level::Unknown;
    Some((h, Source::Kernel))
}

/// A JSON object from `at`: the whole object is the message (its fields are what rules read),
/// the time from `time`/`ts`/`__REALTIME_TIMESTAMP`, the level from `level`/`severity`/`PRIORITY`.
fn json_line(b: &[u8], at: usize) -> Option<(Header<'_>, Source)> {
    let obj = &b[at..];
    if !obj.trim_ascii_end().ends_with(b"}") {
        return None;
    }
    if memchr::memmem::find(obj, b"\"__REALTIME_TIMESTAMP\"").is_some() {
        let mut h = journal::json_header(obj)?;
        h.msg_start += at;
        let msg = &b[h.msg_start..];
        let src = source::refine(Source::from_ident(h.ident), h.ident, msg);
        return Some((h, src));
    }
    let mut h = klog::json_header(obj)?;
    if let Some(t) = crate::parse::journal::json_get(obj, b"time")
        .and_then(|v| time::parse_iso(v.as_slice()))
        .map(RawTime::Utc)
    {
        h.time = t;
    }
    h.msg_start = at;
    let src = match source::logrus_component(obj) {
        Source::Unknown => source::guess(obj),
        s => s,
    };
    Some((h, src))
}

/// `talosctl logs` and `kubectl logs --prefix` lines: `host: {json}`.
fn talos_line(b: &[u8]) -> Option<(Header<'_>, Source)> {
    let (rest, host) = (
        take_while1::<_, _, nom::error::Error<&[u8]>>(|c: u8| is_word(c)),
        tag(": {"),
    )
        .parse(b)
        .ok()
        .map(|(r, (h, _))| (r, h))?;
    let at = b.len() - rest.len() - 1;
    let (mut h, src) = json_line(b, at)?;
    h.host = host;
    Some((h, src))
}

/// logrus: `time="…" level=…`, `INFO[…] msg`, `level=error msg=…` without time.
fn logrus_line(b: &[u8]) -> Option<(Header<'_>, Source)> {
    if logrus::is_logrus(b) {
        let mut h = logrus::header(b)?;
        if h.time_text.iter().all(u8::is_ascii_digit) {
            // `FATA[0000]`: seconds since the tool started, not a time.
            h.time = RawTime::None;
            h.time_text = &[];
        }
        return Some((h, source::guess(b)));
    }
    if b.starts_with(b"level=") && memchr::memmem::find(b, b" msg=").is_some() {
        let h = Header {
            level: logrus::level(b),
            ..Header::timed(RawTime::None, &[], 0)
        };
        return Some((h, source::logrus_component(b)));
    }
    None
}

/// A log viewer's export: `15.05.18 07:42<TAB>host<TAB>dockerd[3570]<TAB>message` (KSystemLog),
/// with the time in any shape [`any_time`] reads, or none.
fn tabbed(b: &[u8]) -> Option<(Header<'_>, Source)> {
    let mut fields = b.splitn(4, |&c| c == b'\t');
    let (t, host, tag_, msg) = (
        fields.next()?,
        fields.next()?,
        fields.next()?,
        fields.next()?,
    );
    if host.is_empty() || tag_.is_empty() || host.contains(&b' ') || tag_.contains(&b' ') {
        return None;
    }
    let (ident, pid) = syslog::split_tag(tag_.strip_suffix(b":").unwrap_or(tag_));
    let time = any_time(t).filter(|&(_, n)| n == t.len());
    let time_ok = time.is_some() || t.first().is_some_and(u8::is_ascii_digit);
    if !time_ok {
        return None;
    }
    let h = Header {
        time: time.map_or(RawTime::None, |(t, _)| t),
        time_text: t,
        host,
        ident,
        pid,
        level: crate::parse::inner_level(msg).unwrap_or(Level::Unknown),
        msg_start: b.len() - msg.len(),
    };
    let src = source::refine(Source::from_ident(ident), ident, msg);
    Some((h, src))
}

/// Times people's tools print at the start of a line: everything the journal reader knows,
/// year-first rsyslog (`2025 Jul  2 06:56:57.749644`), `15.05.18 07:42[:SS]` (day.month.year).
pub fn any_time(b: &[u8]) -> Option<(RawTime, usize)> {
    if let Some(t) = journal::short_time(b) {
        return Some(t);
    }
    if let Some(t) = year_first(b) {
        return Some(t);
    }
    dotted(b)
}

/// `2025 Jul  2 06:56:57.749644` (rsyslog templates that put the year first, SONiC).
fn year_first(b: &[u8]) -> Option<(RawTime, usize)> {
    let year = time::digits(b, 4)?;
    if b.get(4) != Some(&b' ') || !(1970..=2100).contains(&year) {
        return None;
    }
    let (mut t, n) =
        time::syslog_stamp(&b[5..]).or_else(|| crate::parse::locale::stamp(&b[5..]))?;
    t.year = Some(year as i16);
    Some((RawTime::Local(t), 5 + n))
}

/// `15.05.18 07:42` / `15.05.2018 07:42:05` (day first, as KSystemLog and European tools
/// print).
fn dotted(b: &[u8]) -> Option<(RawTime, usize)> {
    let day = time::digits(b, 2)?;
    let month = time::digits(b.get(3..)?, 2)?;
    if b.get(2) != Some(&b'.') || b.get(5) != Some(&b'.') {
        return None;
    }
    let ylen = b[6..].iter().take_while(|c| c.is_ascii_digit()).count();
    let year = match ylen {
        2 => 2000 + time::digits(&b[6..], 2)?,
        4 => time::digits(&b[6..], 4)?,
        _ => return None,
    };
    let at = 6 + ylen;
    if b.get(at) != Some(&b' ') || !(1..=12).contains(&month) || !(1..=31).contains(&day) {
        return None;
    }
    let hm = &b[at + 1..];
    let hour = time::digits(hm, 2)?;
    let minute = time::digits(hm.get(3..)?, 2)?;
    if hm.get(2) != Some(&b':') || hour > 23 || minute > 59 {
        return None;
    }
    let (second, used) = match (hm.get(5), time::digits(hm.get(6..).unwrap_or(&[]), 2)) {
        (Some(b':'), Some(s)) if s <= 60 => (s, 8),
        _ => (0, 5),
    };
    Some((
        RawTime::Local(LocalTime {
            year: Some(year as i16),
            month: month as u8,
            day: day as u8,
            hour: hour as u8,
            minute: minute as u8,
            second: second as u8,
            micros: 0,
        }),
        at + 1 + used,
    ))
}

/// Severity words rsyslog templates put between host and tag (`%syslogseverity-text%`, upper
/// case in SONiC's, lower case in others).
fn severity(w: &[u8]) -> Option<Level> {
    let w = w.strip_suffix(b":").unwrap_or(w);
    let mut buf = [0u8; 8];
    if w.is_empty() || w.len() > buf.len() {
        return None;
    }
    for (d, s) in buf.iter_mut().zip(w) {
        *d = s.to_ascii_lowercase();
    }
    Some(match &buf[..w.len()] {
        b"emerg" => Level::Emerg,
        b"alert" => Level::Alert,
        b"crit" => Level::Crit,
        b"err" | b"error" => Level::Error,
        b"warning" | b"warn" => Level::Warning,
        b"notice" => Level::Notice,
        b"info" => Level::Info,
        b"debug" => Level::Debug,
        _ => return None,
    })
}

/// `name[pid]` or `name[-]` (a template that prints `-` for a missing pid).
fn tag_name(t: &[u8]) -> (&[u8], Option<u32>) {
    match t.strip_suffix(b"[-]") {
        Some(name) if !name.is_empty() => (name, None),
        _ => syslog::split_tag(t),
    }
}

/// A syslog/journal line with any known time ([`any_time`]), host, optional severity and tag.
fn syslog_line(b: &[u8]) -> Option<(Header<'_>, Source)> {
    let (time, used) = any_time(b)?;
    let rest = b.get(used..)?.strip_prefix(b" ")?;
    let rest_at = b.len() - rest.len();
    let words: Vec<&[u8]> = rest.splitn(5, |&c| c == b' ').collect();
    let w = |i: usize| words.get(i).copied().unwrap_or(&[]);
    let colon = |t: &[u8]| t.len() > 1 && t.ends_with(b":");
    let strip = |t: &'_ [u8]| -> usize { t.len() + 1 };
    // (host, level, tag, words consumed before the message)
    let (host, level, tag_, n) = if colon(w(0)) && severity(w(0)).is_none() {
        (&b""[..], Level::Unknown, &w(0)[..w(0).len() - 1], 1)
    } else if colon(w(1)) && severity(w(1)).is_none() {
        (w(0), Level::Unknown, &w(1)[..w(1).len() - 1], 2)
    } else if let Some(l) = severity(w(1)).filter(|_| colon(w(2))) {
        // `host ERR kernel: msg` (SONiC)
        (w(0), l, &w(2)[..w(2).len() - 1], 3)
    } else if let Some(l) = severity(w(2)).filter(|_| colon(w(2)) && !w(1).is_empty()) {
        // `host kernel[-] err: msg`
        (w(0), l, w(1), 3)
    } else if !w(0).is_empty() {
        (w(0), Level::Unknown, &b""[..], 1)
    } else {
        return None;
    };
    let consumed: usize = words.iter().take(n).map(|t| strip(t)).sum();
    let msg_start = (rest_at + consumed).min(b.len());
    let (ident, pid) = tag_name(tag_);
    let msg = &b[msg_start..];
    let mut level = level;
    if let Some(l) = crate::parse::inner_level(msg) {
        level = l;
    }
    let src = if ident.is_empty() {
        source::guess(msg)
    } else {
        source::refine(Source::from_ident(ident), ident, msg)
    };
    Some((
        Header {
            time,
            time_text: &b[..used],
            host,
            ident,
            pid,
            level,
            msg_start,
        },
        src,
    ))
}

/// Identifiers accepted in an `ident: msg` partial header without pid: the components
/// nodemortem knows (a word before a colon is otherwise just text).
fn known_ident(ident: &[u8]) -> bool {
    !matches!(Source::from_ident(ident), Source::Other)
}

/// A line without a full header: a partial one (`kernel: …`, `kernel:msg`, `ident[pid]: …`,
/// `ident: …` of a known component, `... file.go:123] msg`, crash(8) `PANIC: "…"`) or none
/// (the source guessed from the text).
fn partial(b: &[u8]) -> (Header<'_>, Source) {
    let bare = |start: usize, src: Source| (Header::timed(RawTime::None, &[], start), src);
    if source::is_cli_text(b) {
        // `docker: Error response from daemon: …` is the client's, not the daemon's; `docker:
        // page allocation failure. order:1, …` is the kernel's, about the docker process.
        if source::is_kernel_phrase(b) {
            return bare(0, Source::Kernel);
        }
        return bare(0, Source::Cli);
    }
    if let Ok((rest, (name, pid))) = ident_colon(b) {
        let start = b.len() - rest.len();
        let (name, pid) = (
            name,
            pid.and_then(|p| time::digits_var(p).map(|(v, _)| v as u32)),
        );
        if pid.is_some() || known_ident(name) {
            let msg = &b[start..];
            let src = match Source::from_ident(name) {
                Source::Kernel => Source::Kernel,
                s => source::refine(s, name, msg),
            };
            let mut h = Header::timed(RawTime::None, &[], start);
            h.ident = name;
            h.pid = pid;
            if let Some(l) = crate::parse::inner_level(msg) {
                h.level = l;
            }
            return (h, src);
        }
    }
    if let Some((file, start)) = elided_klog(b) {
        let name = &file[file.iter().rposition(|&c| c == b'/').map_or(0, |i| i + 1)..];
        let src = if source::KUBELET_FILES.binary_search(&name).is_ok() {
            Source::Kubelet
        } else {
            Source::Unknown
        };
        return bare(start, src);
    }
    if let Some(inner) = b
        .strip_prefix(b"PANIC: \"")
        .and_then(|r| r.strip_suffix(b"\""))
    {
        return bare(b.len() - inner.len() - 1, Source::Kernel);
    }
    bare(0, source::guess(b))
}

/// `name[pid]: `, `name: `, `name:msg` (a wall line `kernel:unregister_netdevice: …`).
/// A program name and its optional pid digits.
type Tag<'a> = (&'a [u8], Option<&'a [u8]>);

fn ident_colon(b: &[u8]) -> IResult<&[u8], Tag<'_>> {
    let (rest, name) = take_while1(|c: u8| is_word(c) || c == b'/' || c == b'@')(b)?;
    let (rest, pid) = opt((tag("["), digit1, tag("]")).map(|(_, d, _)| d)).parse(rest)?;
    let (rest, _) = tag(":")(rest)?;
    // `kernel:msg` without a space only for the kernel (wall broadcasts print it so).
    let (rest, sp) = opt(tag(" ")).parse(rest)?;
    if sp.is_none() && name != b"kernel" {
        return Err(nom::Err::Error(nom::error::Error::new(
            b,
            nom::error::ErrorKind::Tag,
        )));
    }
    Ok((rest, (name, pid)))
}

/// `... kubelet.go:1344] msg` / `kubelet.go:1344] msg`: a klog line whose header was cut.
/// Returns the source file and where the message starts.
fn elided_klog(b: &[u8]) -> Option<(&[u8], usize)> {
    let rest = b
        .strip_prefix(b"... ")
        .or_else(|| b.strip_prefix("… ".as_bytes()))
        .unwrap_or(b);
    let r: IResult<&[u8], _> = (
        take_till1(|c| c == b':' || c == b' ' || c == b']'),
        tag(":"),
        digit1,
        tag("]"),
        opt(tag(" ")),
    )
        .parse(rest);
    let (after, (file, ..)) = r.ok()?;
    file.ends_with(b".go")
        .then(|| (file, b.len() - after.len()))
}

/// True when `head` (the first KiB of a member) mixes shell commands or host-state output into
/// what may otherwise read as a log: a prompt or command line, a table header (`ps`, `docker
/// ps`, `ctr task ls`, …) or a JSON document's opening line. Such a member is a paste, whose
/// parts are each read by their own parser.
pub fn is_mixed(head: &[u8]) -> bool {
    // The last line may be cut by the head's end.
    let end = memchr::memrchr(b'\n', head).map_or(0, |i| i + 1);
    head[..end].split(|&b| b == b'\n').any(|l| {
        let l = l.strip_suffix(b"\r").unwrap_or(l);
        let t = l.trim_ascii();
        matches!(read_line(l), Line::Command(_))
            || matches!(t, b"{" | b"[")
            || crate::parse::runtime::sniff_host(t).is_some_and(|f| {
                matches!(
                    f,
                    crate::parse::Format::Ps
                        | crate::parse::Format::DockerPs
                        | crate::parse::Format::CrictlPs
                        | crate::parse::Format::CtrTasks
                )
            })
    })
}

/// Iterator over the records of a paste: one per output line ([`read_line`]).
#[derive(Clone, Debug)]
pub struct Records<'a> {
    lines: lines::Lines<'a>,
    /// The runtime a pasted command ran by hand (`# runc --root … exec …`): the lines after it
    /// that name no source of their own are its stderr, until the next command.
    ran: Source,
}

/// The records of pasted text.
pub fn records(data: &[u8]) -> Records<'_> {
    Records {
        lines: lines::Lines::new(data),
        ran: Source::Unknown,
    }
}

/// The source whose own messages a command prints: an OCI runtime run by hand (`runc …`,
/// `sudo runc …`), whose stderr is the runtime's (its Go runtime aborts included). Other programs
/// (`docker`, `kubectl`, `crictl`) relay a daemon's words and name no source.
fn command_source(c: &[u8]) -> Source {
    let (mut word, rest) = lines::token(c);
    if word == b"sudo" {
        word = lines::token(rest).0;
    }
    let name = word.rsplit(|&b| b == b'/').next().unwrap_or(word);
    match Source::from_ident(name) {
        Source::Runc => Source::Runc,
        _ => Source::Unknown,
    }
}

impl<'a> Iterator for Records<'a> {
    type Item = Record<'a>;

    fn next(&mut self) -> Option<Record<'a>> {
        loop {
            let line = self.lines.next()?;
            let text = line.head();
            let (h, src) = match read_line(text) {
                Line::Record(h, src) => (h, src),
                Line::Command(c) => {
                    self.ran = command_source(c);
                    continue;
                }
                Line::Skip => continue,
            };
            let src = if src == Source::Unknown {
                self.ran
            } else {
                src
            };
            let raw = line.text;
            let mut rec = Record::bare(line.offset as u64, line.number, raw);
            rec.message = raw.get(h.msg_start..).unwrap_or(&[]);
            rec.time = h.time;
            rec.time_text = h.time_text;
            rec.host = h.host;
            rec.ident = h.ident;
            rec.pid = h.pid;
            rec.level = h.level;
            rec.source = src;
            return Some(rec);
        }
    }
}

#[cfg(test)]
mod tests;
