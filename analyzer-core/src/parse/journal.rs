//! journalctl output in every mode (short*, json, export, verbose).
//!
//! The `short` family shares one layout, `TIME host ident[pid]: msg`; only the time differs,
//! and [`short_header`] tells the time shapes apart per line by their first byte, so any
//! `short*` mode parses with it. Continuation lines of multi-line messages are indented;
//! separator and catalog lines ([`is_separator`]) are not records.
//!
//! `-o json` objects are scanned without building a tree ([`json_fields`]); `-o export`
//! entries are read with their binary fields ([`ExportEntries`]); `-o verbose` entries are a
//! cursor line followed by indented `FIELD=value` lines ([`verbose_header`]).

use std::borrow::Cow;

use nom::bytes::complete::{tag, take_till1, take_while_m_n};
use nom::combinator::map_opt;
use nom::sequence::{delimited, preceded, terminated};

use crate::base::Level;
use crate::base::time::{LocalTime, epoch_seconds, parse_iso_local, syslog_stamp, utc_of};
use crate::base::time::{RawTime, Timestamp};
use crate::parse::grammar::{PResult, byte, fail, fraction, run, spaces, uint, used, whole_uint};
use crate::parse::lines::Header;
use crate::parse::syslog::{host_tag, iso_time};

/// True for journalctl's own lines: `-- Logs begin at … --`, `-- Journal begins at … --`,
/// `-- Boot <id> --`, `-- Reboot --`, `-- No entries --`, `-- cursor: …` and `--catalog`
/// explanations (`-- ` or `░░ `).
#[inline]
pub fn is_separator(line: &[u8]) -> bool {
    line.starts_with(b"-- ") || line == b"--" || line.starts_with("░░".as_bytes())
}

/// A `short-monotonic` time `[ 1573.878353]`: microseconds and bytes used.
pub fn monotonic(b: &[u8]) -> Option<(u64, usize)> {
    // printk and journalctl always write the fraction (`%5lu.%06lu`); `[20357]` (an OOM task
    // table row) is not a time.
    let (rest, us) = run(
        map_opt(
            delimited(
                (byte(b'['), spaces),
                (uint, preceded(byte(b'.'), fraction)),
                byte(b']'),
            ),
            |(secs, micros)| secs.checked_mul(1_000_000)?.checked_add(u64::from(micros)),
        ),
        b,
    )?;
    Some((us, used(b, rest)))
}

/// The time of a `short*` line, whatever the mode: `Aug 20 10:25:54[.us]` (local, no year),
/// ISO with or without offset, `[ mono]`, epoch seconds, or `Mon 2026-11-23 10:52:43 UTC`
/// (`short-full`).
pub fn short_time(line: &[u8]) -> Option<(RawTime, usize)> {
    match *line.first()? {
        b'[' => monotonic(line).map(|(us, n)| (RawTime::Monotonic(us), n)),
        b'0'..=b'9' => {
            if line.get(4) == Some(&b'-') {
                iso_time(line)
            } else if let Some((ts, n)) = epoch_seconds(line).filter(|&(_, n)| n >= 9) {
                Some((RawTime::Utc(ts), n))
            } else if let Some(n) = out_of_range_epoch(line) {
                // `18446744073709551615.000000`: a `short-unix` stamp out of range is no time,
                // but the line is still a record.
                Some((RawTime::None, n))
            } else {
                // `10月 24 17:15:47`: a month name of another locale.
                crate::parse::locale::stamp(line).map(|(t, n)| (RawTime::Local(t), n))
            }
        }
        _ => match syslog_stamp(line) {
            Some((t, n)) => Some((RawTime::Local(t), n)),
            None => weekday_time(line)
                .or_else(|| crate::parse::locale::stamp(line).map(|(t, n)| (RawTime::Local(t), n))),
        },
    }
}

/// Length of a `short-unix` stamp (`seconds.micros`) whose value is out of range.
fn out_of_range_epoch(line: &[u8]) -> Option<usize> {
    let end = memchr::memchr(b' ', line)?;
    let text = &line[..end];
    (text.contains(&b'.') && crate::base::time::out_of_range(text)).then_some(end)
}

/// Parses the header of a `short*` line: time, host, identifier, pid.
#[inline]
pub fn short_header(line: &[u8]) -> Option<Header<'_>> {
    let (rest, (time, n)) = short_stamp(line).ok()?;
    let (rest, _) = byte(b' ')(rest).ok()?;
    let ht = host_tag(rest);
    Some(Header {
        time,
        time_text: &line[..n],
        host: ht.host,
        ident: ht.ident,
        pid: ht.pid,
        level: Level::Unknown,
        msg_start: n + 1 + ht.msg_start,
    })
}

/// [`short_time`] as a grammar: the time and the bytes it took.
#[inline(always)]
fn short_stamp(line: &[u8]) -> PResult<'_, (RawTime, usize)> {
    match short_time(line) {
        Some((t, n)) => Ok((&line[n..], (t, n))),
        None => fail(),
    }
}

/// `Ddd YYYY-MM-DD HH:MM:SS[.us] ZONE`, the time of `-o short-full` lines and of `-o verbose`
/// cursor lines. The zone is an abbreviation, so the time is local to the host (with year),
/// except for `UTC`/`GMT`. Returns the time and the bytes used, up to the end of the zone.
pub fn weekday_time(line: &[u8]) -> Option<(RawTime, usize)> {
    let (rest, (_, t, zone)) = run(
        (
            terminated(
                take_while_m_n(3, 3, |c: u8| c.is_ascii_alphabetic()),
                byte(b' '),
            ),
            iso_local,
            preceded(byte(b' '), take_till1(|c| c == b' ' || c == b'\n')),
        ),
        line,
    )?;
    let time = match zone {
        b"UTC" | b"GMT" => utc_of(&t).map_or(RawTime::Local(t), RawTime::Utc),
        _ => RawTime::Local(t),
    };
    Some((time, used(line, rest)))
}

/// `YYYY-MM-DD HH:MM:SS[.us]` without an offset.
#[inline]
fn iso_local(b: &[u8]) -> PResult<'_, LocalTime> {
    match parse_iso_local(b) {
        Some((t, n)) => Ok((&b[n..], t)),
        None => fail(),
    }
}

/// The cursor line of `-o verbose`: `Wed 2021-05-12 09:08:40.642410 CST [s=…;i=…]`.
pub fn verbose_time(line: &[u8]) -> Option<(RawTime, usize)> {
    let (time, used) = weekday_time(line)?;
    run(tag(&b" [s="[..]), &line[used..]).map(|_| (time, used))
}

/// The header of a verbose entry. `entry` is the cursor line plus its indented field lines;
/// the message is the value of `MESSAGE=`.
pub fn verbose_header(entry: &[u8]) -> Option<Header<'_>> {
    let first_end = memchr::memchr(b'\n', entry).unwrap_or(entry.len());
    let (time, used) = verbose_time(&entry[..first_end])?;
    let mut h = Header::timed(time, &entry[..used], entry.len());
    let mut pos = first_end + 1;
    let mut fields = EntryFields::default();
    while pos < entry.len() {
        let end = memchr::memchr(b'\n', &entry[pos..]).map_or(entry.len(), |i| pos + i);
        let line = &entry[pos..end];
        if let Some((v, k)) = run(preceded(spaces, field_name), line) {
            let v_start = line.len() - v.len();
            let v = v.strip_suffix(b"\r").unwrap_or(v);
            match k {
                b"MESSAGE" => h.msg_start = pos + v_start,
                _ => fields.read(&mut h, k, v),
            }
        }
        pos = end + 1;
    }
    fields.finish(&mut h);
    Some(h)
}

fn parse_u32(v: &[u8]) -> Option<u32> {
    whole_uint(v).and_then(|p| u32::try_from(p).ok())
}

/// `FIELD=` of a `FIELD=value` line (verbose and export modes): the name, the value left as
/// the rest. The value may hold `=`; the name ends at the first.
#[inline]
fn field_name(line: &[u8]) -> PResult<'_, &[u8]> {
    match memchr::memchr(b'=', line) {
        Some(eq) => Ok((&line[eq + 1..], &line[..eq])),
        None => fail(),
    }
}

/// A JSON value as written: a string's content between the quotes (escapes still in place),
/// or the text of any other value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum JsonValue<'a> {
    /// The content of a string, escapes not decoded.
    Str(&'a [u8]),
    /// A number, `true`/`false`/`null`, an array or an object, as written.
    Raw(&'a [u8]),
}

impl<'a> JsonValue<'a> {
    /// The slice of the input the value occupies (string content or raw text).
    pub fn as_slice(&self) -> &'a [u8] {
        match *self {
            JsonValue::Str(s) | JsonValue::Raw(s) => s,
        }
    }

    /// The value as bytes: a string unescaped (borrowed when it has no escapes); an array of
    /// byte numbers (journal binary fields) decoded; an array of strings (a repeated journal
    /// field) gives its first string; numbers and booleans as written; `null` gives `None`.
    pub fn decode(&self) -> Option<Cow<'a, [u8]>> {
        match *self {
            JsonValue::Str(s) => Some(json_unescape(s)),
            JsonValue::Raw(b"null") => None,
            JsonValue::Raw(r) if r.first() == Some(&b'[') => {
                let inner = r.get(1..r.len().saturating_sub(1))?;
                let inner = trim_ws(inner);
                if inner.first() == Some(&b'"') {
                    let end = string_end(inner, 1)?;
                    return Some(json_unescape(&inner[1..end]));
                }
                let mut out = Vec::with_capacity(inner.len() / 3 + 1);
                for n in inner.split(|&c| c == b',') {
                    let n = trim_ws(n);
                    if n.is_empty() {
                        continue;
                    }
                    out.push(parse_u32(n).and_then(|v| u8::try_from(v).ok())?);
                }
                Some(Cow::Owned(out))
            }
            JsonValue::Raw(r) => Some(Cow::Borrowed(r)),
        }
    }
}

fn trim_ws(b: &[u8]) -> &[u8] {
    let s = b
        .iter()
        .position(|c| !c.is_ascii_whitespace())
        .unwrap_or(b.len());
    let e = b
        .iter()
        .rposition(|c| !c.is_ascii_whitespace())
        .map_or(s, |i| i + 1);
    b.get(s..e).unwrap_or(&[])
}

/// Index of the closing quote of a string whose content starts at `from`.
fn string_end(b: &[u8], from: usize) -> Option<usize> {
    let mut i = from;
    loop {
        let j = i + memchr::memchr2(b'"', b'\\', b.get(i..)?)?;
        if b[j] == b'\\' {
            i = j + 2;
        } else {
            return Some(j);
        }
    }
}

/// End (exclusive) of an array/object starting at `from` (which holds `[` or `{`).
fn container_end(b: &[u8], from: usize) -> Option<usize> {
    let mut depth = 0usize;
    let mut i = from;
    while i < b.len() {
        match b[i] {
            b'[' | b'{' => depth += 1,
            b']' | b'}' => {
                depth = depth.checked_sub(1)?;
                if depth == 0 {
                    return Some(i + 1);
                }
            }
            b'"' => i = string_end(b, i + 1)?,
            _ => {}
        }
        i += 1;
    }
    None
}

/// Decodes JSON string escapes (`\"`, `\\`, `\n`, `\uNNNN` with surrogate pairs); borrows when
/// there are none. Invalid escapes are kept as written.
pub fn json_unescape(s: &[u8]) -> Cow<'_, [u8]> {
    if memchr::memchr(b'\\', s).is_none() {
        return Cow::Borrowed(s);
    }
    let mut out = Vec::with_capacity(s.len());
    let mut i = 0;
    while i < s.len() {
        let c = s[i];
        if c != b'\\' || i + 1 >= s.len() {
            out.push(c);
            i += 1;
            continue;
        }
        let e = s[i + 1];
        i += 2;
        match e {
            b'n' => out.push(b'\n'),
            b't' => out.push(b'\t'),
            b'r' => out.push(b'\r'),
            b'b' => out.push(8),
            b'f' => out.push(12),
            b'u' => {
                let Some(hi) = hex4(s.get(i..)) else {
                    out.extend_from_slice(b"\\u");
                    continue;
                };
                i += 4;
                let mut cp = hi;
                if (0xD800..0xDC00).contains(&hi)
                    && s.get(i..i + 2) == Some(b"\\u")
                    && let Some(lo) = hex4(s.get(i + 2..))
                    && (0xDC00..0xE000).contains(&lo)
                {
                    cp = 0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00);
                    i += 6;
                }
                let ch = char::from_u32(cp).unwrap_or(char::REPLACEMENT_CHARACTER);
                let mut buf = [0u8; 4];
                out.extend_from_slice(ch.encode_utf8(&mut buf).as_bytes());
            }
            other => out.push(other),
        }
    }
    Cow::Owned(out)
}

fn hex4(b: Option<&[u8]>) -> Option<u32> {
    let b = b?.get(..4)?;
    let s = std::str::from_utf8(b).ok()?;
    u32::from_str_radix(s, 16).ok()
}

/// Iterator over the top-level members of one JSON object: `(key, value)` with the key's raw
/// content. Stops at the first malformed byte.
#[derive(Clone, Debug)]
pub struct JsonFields<'a> {
    b: &'a [u8],
    pos: usize,
}

/// The members of the JSON object at the start of `obj` (leading blanks allowed).
pub fn json_fields(obj: &[u8]) -> JsonFields<'_> {
    let start = obj.iter().position(|c| !c.is_ascii_whitespace());
    match start {
        Some(i) if obj[i] == b'{' => JsonFields { b: obj, pos: i + 1 },
        _ => JsonFields {
            b: obj,
            pos: obj.len(),
        },
    }
}

impl<'a> JsonFields<'a> {
    fn ws(&mut self) {
        while self.b.get(self.pos).is_some_and(u8::is_ascii_whitespace) {
            self.pos += 1;
        }
    }

    fn member(&mut self) -> Option<(&'a [u8], JsonValue<'a>)> {
        self.ws();
        if self.b.get(self.pos) == Some(&b',') {
            self.pos += 1;
            self.ws();
        }
        if *self.b.get(self.pos)? != b'"' {
            return None;
        }
        let kend = string_end(self.b, self.pos + 1)?;
        let key = &self.b[self.pos + 1..kend];
        self.pos = kend + 1;
        self.ws();
        if *self.b.get(self.pos)? != b':' {
            return None;
        }
        self.pos += 1;
        self.ws();
        let v = match *self.b.get(self.pos)? {
            b'"' => {
                let end = string_end(self.b, self.pos + 1)?;
                let v = JsonValue::Str(&self.b[self.pos + 1..end]);
                self.pos = end + 1;
                v
            }
            b'[' | b'{' => {
                let end = container_end(self.b, self.pos)?;
                let v = JsonValue::Raw(&self.b[self.pos..end]);
                self.pos = end;
                v
            }
            _ => {
                let rest = &self.b[self.pos..];
                let n = rest
                    .iter()
                    .position(|&c| c == b',' || c == b'}' || c.is_ascii_whitespace())
                    .unwrap_or(rest.len());
                if n == 0 {
                    return None;
                }
                self.pos += n;
                JsonValue::Raw(&rest[..n])
            }
        };
        Some((key, v))
    }
}

impl<'a> Iterator for JsonFields<'a> {
    type Item = (&'a [u8], JsonValue<'a>);

    fn next(&mut self) -> Option<Self::Item> {
        let r = self.member();
        if r.is_none() {
            self.pos = self.b.len();
        }
        r
    }
}

/// The value of `key` in a JSON object line.
pub fn json_get<'a>(obj: &'a [u8], key: &[u8]) -> Option<JsonValue<'a>> {
    json_fields(obj).find(|(k, _)| *k == key).map(|(_, v)| v)
}

/// Header of a `-o json` line: time from `__REALTIME_TIMESTAMP` (µs), identifier from
/// `SYSLOG_IDENTIFIER` or `_COMM`, pid, host, level from `PRIORITY`, message from `MESSAGE`
/// (the string content as written, or the byte-array text of a binary message).
pub fn json_header(line: &[u8]) -> Option<Header<'_>> {
    let mut it = json_fields(line);
    let mut h = Header::timed(RawTime::None, &[], line.len());
    let mut seen = false;
    let mut fields = EntryFields::default();
    for (k, v) in &mut it {
        seen = true;
        let s = v.as_slice();
        match k {
            b"MESSAGE" => {
                h.msg_start = crate::parse::lines::offset_in(line, s).unwrap_or(line.len());
            }
            _ => fields.read(&mut h, k, s),
        }
    }
    fields.finish(&mut h);
    seen.then_some(h)
}

/// Length of the MESSAGE value for a json line whose message starts at `msg_start`.
pub fn json_message_len(line: &[u8], msg_start: usize) -> usize {
    let Some(rest) = line.get(msg_start..) else {
        return 0;
    };
    if msg_start > 0 && line.get(msg_start - 1) == Some(&b'"') {
        string_end(line, msg_start).map_or(rest.len(), |e| e - msg_start)
    } else if rest.first() == Some(&b'[') {
        container_end(line, msg_start).map_or(rest.len(), |e| e - msg_start)
    } else {
        rest.iter()
            .position(|&c| c == b',' || c == b'}')
            .unwrap_or(rest.len())
    }
}

/// One `-o export` entry.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ExportEntry<'a> {
    /// Byte offset of the entry.
    pub offset: usize,
    /// 1-based line of its first field.
    pub line: u32,
    /// The entry, without the final newline and blank separator line.
    pub raw: &'a [u8],
    /// Parsed header; `msg_start` is relative to `raw`, the message length in `msg_len`.
    pub header: Header<'a>,
    /// Length of the MESSAGE value (0 when none).
    pub msg_len: usize,
}

/// Iterator over `-o export` entries: `FIELD=value\n` lines and binary fields
/// `FIELD\n<u64 LE length><bytes>\n`, entries separated by an empty line.
#[derive(Clone, Debug)]
pub struct ExportEntries<'a> {
    data: &'a [u8],
    pos: usize,
    line: u32,
}

impl<'a> ExportEntries<'a> {
    /// Entries of `data`.
    pub fn new(data: &'a [u8]) -> Self {
        ExportEntries {
            data,
            pos: 0,
            line: 1,
        }
    }
}

impl<'a> Iterator for ExportEntries<'a> {
    type Item = ExportEntry<'a>;

    fn next(&mut self) -> Option<ExportEntry<'a>> {
        let d = self.data;
        // Skip blank lines between entries.
        while d.get(self.pos) == Some(&b'\n') {
            self.pos += 1;
            self.line = self.line.saturating_add(1);
        }
        if self.pos >= d.len() {
            return None;
        }
        let start = self.pos;
        let first_line = self.line;
        let mut h = Header::timed(RawTime::None, &[], 0);
        let mut msg: Option<(usize, usize)> = None;
        let mut fields = EntryFields::default();
        let mut pos = start;
        let mut end = start;
        while pos < d.len() {
            let nl = memchr::memchr(b'\n', &d[pos..]).map_or(d.len(), |i| pos + i);
            let line = &d[pos..nl];
            if line.is_empty() {
                break;
            }
            let (key, value, vstart, next) = if let Some((value, key)) = run(field_name, line) {
                (key, value, pos + used(line, value), nl + 1)
            } else {
                // Binary field: the length follows the name's newline.
                let lb = d.get(nl + 1..nl + 9);
                let len = lb
                    .and_then(|b| <[u8; 8]>::try_from(b).ok())
                    .map(u64::from_le_bytes)
                    .and_then(|l| usize::try_from(l).ok());
                match len.and_then(|l| (nl + 9).checked_add(l).map(|e| (l, e))) {
                    Some((_, vend)) if vend <= d.len() => {
                        self.line = self.line.saturating_add(
                            memchr::memchr_iter(b'\n', &d[nl + 1..vend]).count() as u32,
                        );
                        (line, &d[nl + 9..vend], nl + 9, vend + 1)
                    }
                    _ => (line, &[][..], nl, nl + 1),
                }
            };
            match key {
                b"MESSAGE" => msg = Some((vstart - start, value.len())),
                _ => fields.read(&mut h, key, value),
            }
            end = if next > d.len() { d.len() } else { next - 1 };
            self.line = self.line.saturating_add(1);
            pos = next;
        }
        self.pos = pos.min(d.len());
        fields.finish(&mut h);
        let raw = &d[start..end.max(start)];
        let (ms, ml) = msg.unwrap_or((raw.len(), 0));
        h.msg_start = ms.min(raw.len());
        Some(ExportEntry {
            offset: start,
            line: first_line,
            raw,
            header: h,
            msg_len: ml.min(raw.len() - h.msg_start),
        })
    }
}

/// The fields the structured modes (`-o json`, `-o verbose`, `-o export`) read into an
/// entry's [`Header`], in one place so that the three agree: the time from
/// `__REALTIME_TIMESTAMP` (µs since the epoch; a value out of range leaves the entry untimed),
/// the identifier from `SYSLOG_IDENTIFIER` else `_COMM`, the pid from `_PID` else `SYSLOG_PID`,
/// the host from `_HOSTNAME` and the level from `PRIORITY`.
#[derive(Default)]
struct EntryFields<'a> {
    comm: &'a [u8],
    syslog_pid: Option<u32>,
}

impl<'a> EntryFields<'a> {
    /// Reads `key=value` into `h` when the key is one of the fields.
    fn read(&mut self, h: &mut Header<'a>, key: &[u8], value: &'a [u8]) {
        match key {
            b"__REALTIME_TIMESTAMP" => {
                // Out of range, the entry is untimed; its text stays, to say so.
                h.time = parse_u32_64(value)
                    .and_then(Timestamp::checked)
                    .map_or(RawTime::None, RawTime::Utc);
                h.time_text = value;
            }
            b"SYSLOG_IDENTIFIER" => h.ident = value,
            b"_COMM" => self.comm = value,
            b"_PID" => h.pid = parse_u32(value),
            b"SYSLOG_PID" => self.syslog_pid = parse_u32(value),
            b"_HOSTNAME" => h.host = value,
            b"PRIORITY" => {
                if let Some(p) = parse_u32(value) {
                    h.level = Level::from_syslog(p);
                }
            }
            _ => {}
        }
    }

    /// Fills the identifier and pid the entry did not name from their fallbacks.
    fn finish(self, h: &mut Header<'a>) {
        if h.ident.is_empty() {
            h.ident = self.comm;
        }
        if h.pid.is_none() {
            h.pid = self.syslog_pid;
        }
    }
}

fn parse_u32_64(v: &[u8]) -> Option<i64> {
    whole_uint(v).and_then(|p| i64::try_from(p).ok())
}
#[test]
fn a_short_unix_stamp_out_of_range_is_an_untimed_record() {
    let h = short_header(b"18446744073709551615.000000 node1 kernel: Memory cgroup out of memory")
        .unwrap();
    assert_eq!(
        (h.time, h.time_text, h.host, h.ident),
        (
            RawTime::None,
            &b"18446744073709551615.000000"[..],
            &b"node1"[..],
            &b"kernel"[..]
        )
    );
    // A number that is no stamp is no header.
    assert!(short_header(b"12345 node1 kernel: x").is_none());
}
