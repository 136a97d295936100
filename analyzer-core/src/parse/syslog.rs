//! Syslog files: RFC 3164 traditional, RFC 3339 high precision, RFC 5424.
//!
//! The three shapes are told apart per line by their first byte, so a file that changed
//! template half-way (an rsyslog upgrade) still parses:
//!
//! * `Feb  7 23:47:21 host tag[pid]: msg` (rsyslog `RSYSLOG_TraditionalFileFormat`);
//! * `2021-12-19T20:35:40.572463+01:00 host tag[pid]: msg` (`RSYSLOG_FileFormat`);
//! * `<165>1 2003-10-11T22:14:15.003Z host app procid msgid [sd] msg` (RFC 5424), and the
//!   RFC 3164 wire form `<34>Oct 11 22:14:15 host tag: msg`.
//!
//! rsyslog control-character escapes (`#011` for a tab) are left in the message as written.

use crate::base::Level;
use crate::base::time::RawTime;
use crate::base::time::{digits_var, parse_iso_local, parse_iso_prefix, syslog_stamp};
use crate::parse::lines::{Header, token};

/// `host`, tag and message of the part after the timestamp.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct HostTag<'a> {
    /// Host name (empty when the line has none).
    pub host: &'a [u8],
    /// The tag without `[pid]` and `:` (empty when missing).
    pub ident: &'a [u8],
    /// The pid in `tag[pid]:`.
    pub pid: Option<u32>,
    /// Bytes consumed before the message.
    pub msg_start: usize,
}

/// Reads `host tag[pid]: ` (journal short and RFC 3164 layout). A first token ending in `:` is
/// a tag without host (`journalctl --no-hostname`); a second token without a final `:` means
/// the tag is missing and the message starts there.
pub fn host_tag(rest: &[u8]) -> HostTag<'_> {
    let (first, after) = token(rest);
    if first.len() > 1 && first.ends_with(b":") {
        let (ident, pid) = split_tag(&first[..first.len() - 1]);
        return HostTag {
            host: &[],
            ident,
            pid,
            msg_start: rest.len() - after.len(),
        };
    }
    let host_len = rest.len() - after.len();
    let (tag, msg) = token(after);
    if tag.len() > 1 && tag.ends_with(b":") {
        let (ident, pid) = split_tag(&tag[..tag.len() - 1]);
        HostTag {
            host: first,
            ident,
            pid,
            msg_start: rest.len() - msg.len(),
        }
    } else {
        HostTag {
            host: first,
            ident: &[],
            pid: None,
            msg_start: host_len,
        }
    }
}

/// Splits `name[pid]` into name and pid; a tag without a valid `[pid]` is all name.
pub fn split_tag(tag: &[u8]) -> (&[u8], Option<u32>) {
    if let Some(inner) = tag.strip_suffix(b"]")
        && let Some(open) = crate::parse::lines::rfind_byte(inner, b'[')
        && let Some((pid, n)) = digits_var(&inner[open + 1..])
        && n == inner.len() - open - 1
        && open > 0
    {
        return (&tag[..open], u32::try_from(pid).ok());
    }
    (tag, None)
}

/// Parses a syslog file line in any of the three shapes.
pub fn header(line: &[u8]) -> Option<Header<'_>> {
    match line.first()? {
        b'<' => pri_header(line),
        // `10月 24 17:15:47 host …`: a month name of another locale starts with a digit.
        b'0'..=b'9' => {
            iso_header(line, 0, Level::Unknown).or_else(|| bsd_header(line, 0, Level::Unknown))
        }
        _ => bsd_header(line, 0, Level::Unknown),
    }
}

fn bsd_header(line: &[u8], at: usize, level: Level) -> Option<Header<'_>> {
    let b = line.get(at..)?;
    let (t, used) = syslog_stamp(b).or_else(|| crate::parse::locale::stamp(b))?;
    let rest = b.get(used..)?.strip_prefix(b" ")?;
    let ht = host_tag(rest);
    Some(Header {
        time: RawTime::Local(t),
        time_text: &b[..used],
        host: ht.host,
        ident: ht.ident,
        pid: ht.pid,
        level,
        msg_start: line.len() - rest.len() + ht.msg_start,
    })
}

fn iso_header(line: &[u8], at: usize, level: Level) -> Option<Header<'_>> {
    let b = line.get(at..)?;
    let (time, used) = iso_time(b)?;
    let rest = b.get(used..)?.strip_prefix(b" ")?;
    let ht = host_tag(rest);
    Some(Header {
        time,
        time_text: &b[..used],
        host: ht.host,
        ident: ht.ident,
        pid: ht.pid,
        level,
        msg_start: line.len() - rest.len() + ht.msg_start,
    })
}

/// An ISO time at the start of `b`: `Utc` with an offset, `Local` (with year) without.
pub fn iso_time(b: &[u8]) -> Option<(RawTime, usize)> {
    match parse_iso_prefix(b)? {
        (Some(ts), used) => Some((RawTime::Utc(ts), used)),
        (None, used) => Some((RawTime::Local(parse_iso_local(b)?.0), used)),
    }
}

/// `<PRI>` then RFC 5424 (`1 TS HOST APP PROCID MSGID SD MSG`) or an RFC 3164 wire header.
fn pri_header(line: &[u8]) -> Option<Header<'_>> {
    let (pri, n) = digits_var(line.get(1..)?)?;
    if n > 3 || line.get(1 + n) != Some(&b'>') {
        return None;
    }
    let level = Level::from_syslog(pri as u32);
    let at = n + 2;
    let b = &line[at..];
    if let Some(rest) = b.strip_prefix(b"1 ") {
        return rfc5424(line, rest, level);
    }
    match b.first()? {
        b'0'..=b'9' => iso_header(line, at, level),
        _ => bsd_header(line, at, level),
    }
}

fn nil(field: &[u8]) -> &[u8] {
    if field == b"-" { &[] } else { field }
}

fn rfc5424<'a>(line: &'a [u8], rest: &'a [u8], level: Level) -> Option<Header<'a>> {
    let (ts, rest) = token(rest);
    let time = if ts == b"-" {
        RawTime::None
    } else {
        let (t, used) = iso_time(ts)?;
        if used != ts.len() {
            return None;
        }
        t
    };
    let (host, rest) = token(rest);
    let (app, rest) = token(rest);
    let (procid, rest) = token(rest);
    let (_msgid, rest) = token(rest);
    let sd_len = structured_data_len(rest)?;
    let mut msg = rest.get(sd_len..).unwrap_or(&[]);
    msg = msg.strip_prefix(b" ").unwrap_or(msg);
    msg = msg.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(msg);
    let pid = digits_var(procid)
        .filter(|&(_, n)| n == procid.len())
        .and_then(|(p, _)| u32::try_from(p).ok());
    Some(Header {
        time,
        time_text: if ts == b"-" { &[] } else { ts },
        host: nil(host),
        ident: nil(app),
        pid,
        level,
        msg_start: line.len() - msg.len(),
    })
}

/// Length of the STRUCTURED-DATA field: `-` or one or more `[id k="v" …]` elements, where
/// `\]`, `\"` and `\\` are escaped inside values.
fn structured_data_len(b: &[u8]) -> Option<usize> {
    if b.first() == Some(&b'-') {
        return Some(1);
    }
    let mut i = 0;
    while b.get(i) == Some(&b'[') {
        let mut in_quote = false;
        i += 1;
        loop {
            match *b.get(i)? {
                b'\\' => i += 1,
                b'"' => in_quote = !in_quote,
                b']' if !in_quote => break,
                _ => {}
            }
            i += 1;
        }
        i += 1;
    }
    (i > 0).then_some(i)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::base::time::LocalTime;

    fn msg<'a>(line: &'a [u8], h: &Header<'_>) -> &'a [u8] {
        &line[h.msg_start..]
    }

    #[test]
    fn table() {
        // (line, host, ident, pid, message); shapes from moby#20096 (space-padded day),
        // grc#202 (RSYSLOG_FileFormat), RFC 5424 §6.5 examples, RFC 3164 §5.4.
        type Case<'a> = (&'a [u8], &'a [u8], &'a [u8], Option<u32>, &'a [u8]);
        let cases: &[Case<'_>] = &[
            (
                b"Feb  7 23:47:21 p4029667 node: SIGABRT: abort",
                b"p4029667",
                b"node",
                None,
                b"SIGABRT: abort",
            ),
            (
                b"2021-12-19T20:35:40.572463+01:00 pluto rtkit-daemon[582]: Supervising 9 threads",
                b"pluto",
                b"rtkit-daemon",
                Some(582),
                b"Supervising 9 threads",
            ),
            (
                b"<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog - ID47 [exampleSDID@32473 iut=\"3\" eventSource=\"Application\"] An application event",
                b"mymachine.example.com",
                b"evntslog",
                None,
                b"An application event",
            ),
            (
                b"<34>Oct 11 22:14:15 mymachine su: 'su root' failed for lonvick on /dev/pts/8",
                b"mymachine",
                b"su",
                None,
                b"'su root' failed for lonvick on /dev/pts/8",
            ),
            (
                b"Mar 22 21:40:42 node1 /usr/sbin/cron[811]: (root) CMD (x)",
                b"node1",
                b"/usr/sbin/cron",
                Some(811),
                b"(root) CMD (x)",
            ),
            (
                b"Mar 22 21:40:42 node1 no tag here",
                b"node1",
                b"",
                None,
                b"no tag here",
            ),
            (
                b"Mar 22 21:40:42 node1 dockerd[9]: a#011b",
                b"node1",
                b"dockerd",
                Some(9),
                b"a#011b",
            ),
        ];
        for &(line, host, ident, pid, m) in cases {
            let h = header(line).unwrap_or_else(|| panic!("{}", String::from_utf8_lossy(line)));
            assert_eq!(h.host, host);
            assert_eq!(h.ident, ident);
            assert_eq!(h.pid, pid);
            assert_eq!(msg(line, &h), m);
        }
    }

    #[test]
    fn times_and_levels() {
        let h = header(b"Feb  7 23:47:21 h t: m").unwrap();
        assert_eq!(
            h.time,
            RawTime::Local(LocalTime {
                year: None,
                month: 2,
                day: 7,
                hour: 23,
                minute: 47,
                second: 21,
                micros: 0
            })
        );
        let h = header(b"<165>1 2003-10-11T22:14:15.003Z h a 12 - - m").unwrap();
        assert_eq!(h.level, Level::Notice);
        assert_eq!(h.pid, Some(12));
        assert_eq!(
            h.time,
            RawTime::Utc(crate::base::time::parse_iso(b"2003-10-11T22:14:15.003Z").unwrap())
        );
        assert!(header(b"<999999>1 x").is_none());
        assert!(header(b"garbage line").is_none());
        assert!(header(b"<1>1 - h a - - [unterminated").is_none());
    }
}
