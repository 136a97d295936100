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

use nom::Parser;
use nom::bytes::complete::{tag, take_while_m_n};
use nom::combinator::{opt, recognize};
use nom::multi::many1_count;
use nom::sequence::delimited;

use crate::base::Level;
use crate::base::time::RawTime;
use crate::base::time::{parse_iso_local, parse_iso_prefix, syslog_stamp};
use crate::parse::grammar::{PResult, byte, fail, run, used, whole_uint, word};
use crate::parse::lines::Header;

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
#[inline]
pub fn host_tag(rest: &[u8]) -> HostTag<'_> {
    match host_tag_grammar(rest) {
        Ok((_, ht)) => ht,
        Err(_) => HostTag {
            host: &[],
            ident: &[],
            pid: None,
            msg_start: 0,
        },
    }
}

/// `[host SP] tag[pid]: SP`, or `host SP` when the second word is no tag.
#[inline(always)]
fn host_tag_grammar(rest: &[u8]) -> PResult<'_, HostTag<'_>> {
    let (after, first) = word(rest)?;
    if let Some((ident, pid)) = tag_word(first) {
        let ht = HostTag {
            host: &[],
            ident,
            pid,
            msg_start: used(rest, after),
        };
        return Ok((after, ht));
    }
    let (msg, second) = word(after)?;
    Ok(match tag_word(second) {
        Some((ident, pid)) => (
            msg,
            HostTag {
                host: first,
                ident,
                pid,
                msg_start: used(rest, msg),
            },
        ),
        None => (
            after,
            HostTag {
                host: first,
                ident: &[],
                pid: None,
                msg_start: used(rest, after),
            },
        ),
    })
}

/// A tag word `name[pid]:` (at least one byte before the `:`).
#[inline(always)]
fn tag_word(w: &[u8]) -> Option<(&[u8], Option<u32>)> {
    let name = w.strip_suffix(b":").filter(|n| !n.is_empty())?;
    Some(split_tag(name))
}

/// Splits `name[pid]` into name and pid; a tag without a valid `[pid]` is all name.
#[inline]
pub fn split_tag(tag: &[u8]) -> (&[u8], Option<u32>) {
    // The pid is anchored at the end (`name[pid]`); a name may hold `[` itself.
    if let Some(inner) = tag.strip_suffix(b"]")
        && let Some(open) = crate::parse::lines::rfind_byte(inner, b'[')
        && open > 0
        && let Some(pid) = whole_uint(&inner[open + 1..])
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

/// `Mmm dd HH:MM:SS` (or a month of another locale): the local time and its text.
#[inline]
fn bsd_stamp(b: &[u8]) -> PResult<'_, (RawTime, &[u8])> {
    match syslog_stamp(b).or_else(|| crate::parse::locale::stamp(b)) {
        Some((t, n)) => Ok((&b[n..], (RawTime::Local(t), &b[..n]))),
        None => fail(),
    }
}

/// An ISO time ([`iso_time`]) and its text.
#[inline]
fn iso_stamp(b: &[u8]) -> PResult<'_, (RawTime, &[u8])> {
    match iso_time(b) {
        Some((t, n)) => Ok((&b[n..], (t, &b[..n]))),
        None => fail(),
    }
}

/// `STAMP SP host tag[pid]: SP` at `at`, where `stamp` reads the time.
#[inline]
fn stamped_header<'a>(
    line: &'a [u8],
    at: usize,
    level: Level,
    stamp: impl Fn(&'a [u8]) -> PResult<'a, (RawTime, &'a [u8])>,
) -> Option<Header<'a>> {
    let (rest, (time, time_text)) = stamp(line.get(at..)?).ok()?;
    let (rest, _) = byte(b' ')(rest).ok()?;
    let (_, ht) = host_tag_grammar(rest).ok()?;
    Some(Header {
        time,
        time_text,
        host: ht.host,
        ident: ht.ident,
        pid: ht.pid,
        level,
        msg_start: used(line, rest) + ht.msg_start,
    })
}

fn bsd_header(line: &[u8], at: usize, level: Level) -> Option<Header<'_>> {
    stamped_header(line, at, level, bsd_stamp)
}

fn iso_header(line: &[u8], at: usize, level: Level) -> Option<Header<'_>> {
    stamped_header(line, at, level, iso_stamp)
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
    let (b, pri) = run(
        delimited(
            byte(b'<'),
            take_while_m_n(1, 3, |c: u8| c.is_ascii_digit()),
            byte(b'>'),
        ),
        line,
    )?;
    let pri = pri.iter().fold(0u32, |v, &c| v * 10 + u32::from(c - b'0'));
    let level = Level::from_syslog(pri);
    if let Some((rest, _)) = run(tag(&b"1 "[..]), b) {
        return rfc5424(line, rest, level);
    }
    let at = used(line, b);
    match b.first()? {
        b'0'..=b'9' => iso_header(line, at, level),
        _ => bsd_header(line, at, level),
    }
}

fn nil(field: &[u8]) -> &[u8] {
    if field == b"-" { &[] } else { field }
}

/// `TS SP HOST SP APP SP PROCID SP MSGID SP SD [SP] [BOM]` after `<PRI>1 `.
fn rfc5424<'a>(line: &'a [u8], rest: &'a [u8], level: Level) -> Option<Header<'a>> {
    let (msg, (ts, host, app, procid, _msgid, _sd, _, _)) = run(
        (
            word,
            word,
            word,
            word,
            word,
            structured_data,
            opt(byte(b' ')),
            opt(tag(&b"\xEF\xBB\xBF"[..])),
        ),
        rest,
    )?;
    let time = if ts == b"-" {
        RawTime::None
    } else {
        match iso_time(ts)? {
            (t, used) if used == ts.len() => t,
            _ => return None,
        }
    };
    let pid = whole_uint(procid).and_then(|p| u32::try_from(p).ok());
    Some(Header {
        time,
        time_text: if ts == b"-" { &[] } else { ts },
        host: nil(host),
        ident: nil(app),
        pid,
        level,
        msg_start: used(line, msg),
    })
}

/// The STRUCTURED-DATA field: `-` or one or more `[id k="v" …]` elements, where `\]`, `\"`
/// and `\\` are escaped inside values. An element left open fails the whole field.
fn structured_data(b: &[u8]) -> PResult<'_, &[u8]> {
    if b.first() == Some(&b'-') {
        return Ok((&b[1..], &b[..1]));
    }
    recognize(many1_count(sd_element)).parse(b)
}

/// One `[id k="v" …]` element; once its `[` is read, a missing `]` is a failure, not a
/// mismatch.
fn sd_element(b: &[u8]) -> PResult<'_, &[u8]> {
    let (body, _) = byte(b'[')(b)?;
    let mut in_quote = false;
    let mut i = 0;
    loop {
        match body.get(i) {
            None => return Err(nom::Err::Failure(())),
            Some(b'\\') => i += 1,
            Some(b'"') => in_quote = !in_quote,
            Some(b']') if !in_quote => break,
            Some(_) => {}
        }
        i += 1;
    }
    Ok((&body[i + 1..], &b[..i + 2]))
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
