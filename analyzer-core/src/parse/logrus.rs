//! logrus text (dockerd, containerd, CRI-O): `time=… level=… msg=…` and the TTY form.
//!
//! Text form: `time="2021-05-12T09:08:40.642410594+08:00" level=error msg="…" k=v`, values bare
//! when every byte is in `[A-Za-z0-9-._/@^+]`, Go-quoted otherwise (sirupsen/logrus
//! `text_formatter.go`). TTY form: `INFO[2022-04-16T10:08:48.379054564Z] Starting up   k=v`, or
//! `DEBU[0000] …` with seconds since start. Everything is read lazily from the line: nothing is
//! parsed until a field is asked for.

use std::borrow::Cow;

use nom::Parser;
use nom::bytes::complete::take;

use crate::base::Level;
use crate::base::time::parse_iso;
use crate::base::time::{RawTime, Timestamp};
use crate::parse::grammar::{PResult, byte, fail, lit, run, spaces, till, till_within, used, word};
use crate::parse::lines::{Header, find_byte};

/// A structured value as written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Value<'a> {
    /// A bare value (`level=error`, `pid=12`, `key=`).
    Bare(&'a [u8]),
    /// The content of a Go-quoted value, escapes not decoded.
    Quoted(&'a [u8]),
    /// A klog multi-line value (`key=<` … ` >`): the lines between, tab-indented as written.
    Block(&'a [u8]),
}

impl<'a> Value<'a> {
    /// The bytes of the value as written (without quotes).
    pub fn raw(&self) -> &'a [u8] {
        match *self {
            Value::Bare(b) | Value::Quoted(b) | Value::Block(b) => b,
        }
    }

    /// The decoded value: Go escapes resolved for quoted values, the leading tab of each line
    /// removed for blocks. Borrows when nothing needs decoding.
    pub fn decode(&self) -> Cow<'a, [u8]> {
        match *self {
            Value::Bare(b) => Cow::Borrowed(b),
            Value::Quoted(q) => go_unquote(q),
            Value::Block(b) => {
                let trimmed = b.strip_prefix(b"\t").unwrap_or(b);
                if memchr::memmem::find(b, b"\n\t").is_none() {
                    return Cow::Borrowed(trimmed);
                }
                let mut out = Vec::with_capacity(b.len());
                for (i, line) in b.split(|&c| c == b'\n').enumerate() {
                    if i > 0 {
                        out.push(b'\n');
                    }
                    out.extend_from_slice(line.strip_prefix(b"\t").unwrap_or(line));
                }
                Cow::Owned(out)
            }
        }
    }
}

/// Decodes Go `%q` escapes (`\"`, `\\`, `\n`, `\t`, `\r`, `\a`, `\b`, `\f`, `\v`, `\xNN`,
/// `\NNN` octal, `\uNNNN`, `\UNNNNNNNN`); borrows when there are none. Invalid escapes are
/// kept as written.
pub fn go_unquote(q: &[u8]) -> Cow<'_, [u8]> {
    if memchr::memchr(b'\\', q).is_none() {
        return Cow::Borrowed(q);
    }
    let mut out = Vec::with_capacity(q.len());
    let mut i = 0;
    while i < q.len() {
        let c = q[i];
        if c != b'\\' || i + 1 >= q.len() {
            out.push(c);
            i += 1;
            continue;
        }
        let e = q[i + 1];
        i += 2;
        let simple = match e {
            b'n' => Some(b'\n'),
            b't' => Some(b'\t'),
            b'r' => Some(b'\r'),
            b'a' => Some(7),
            b'b' => Some(8),
            b'f' => Some(12),
            b'v' => Some(11),
            b'\\' | b'"' | b'\'' => Some(e),
            _ => None,
        };
        if let Some(s) = simple {
            out.push(s);
            continue;
        }
        let hex = |n: usize| -> Option<u32> {
            let h = std::str::from_utf8(q.get(i..i + n)?).ok()?;
            u32::from_str_radix(h, 16).ok()
        };
        match e {
            b'x' if hex(2).is_some() => {
                out.push(hex(2).unwrap_or(0) as u8);
                i += 2;
            }
            b'u' | b'U' => {
                let n = if e == b'u' { 4 } else { 8 };
                match hex(n).and_then(char::from_u32) {
                    Some(ch) => {
                        let mut buf = [0u8; 4];
                        out.extend_from_slice(ch.encode_utf8(&mut buf).as_bytes());
                        i += n;
                    }
                    None => out.extend_from_slice(&[b'\\', e]),
                }
            }
            b'0'..=b'7' => {
                let oct = q
                    .get(i - 1..i + 2)
                    .filter(|o| o.iter().all(|c| (b'0'..=b'7').contains(c)))
                    .map(|o| o.iter().fold(0u32, |a, &c| a * 8 + u32::from(c - b'0')));
                match oct.filter(|&v| v < 256) {
                    Some(v) => {
                        out.push(v as u8);
                        i += 2;
                    }
                    None => out.extend_from_slice(&[b'\\', e]),
                }
            }
            _ => out.extend_from_slice(&[b'\\', e]),
        }
    }
    Cow::Owned(out)
}

/// Index of the closing `"` of a Go-quoted string whose content starts at `from`.
pub(crate) fn quote_end(b: &[u8], from: usize) -> Option<usize> {
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

/// Iterator over `key=value` pairs of a logrus line (or message). Words without `=` (free text
/// of the TTY form) are skipped.
#[derive(Clone, Debug)]
pub struct LogrusFields<'a> {
    b: &'a [u8],
    pos: usize,
}

/// The `key=value` fields of a logrus text line, a journal message holding one, or the part of
/// a TTY-form line after its `INFO[…]`-style header.
pub fn fields(msg_or_line: &[u8]) -> LogrusFields<'_> {
    let pos = tty_header(msg_or_line).map_or(0, |(_, _, n)| n);
    LogrusFields {
        b: msg_or_line,
        pos,
    }
}

impl<'a> Iterator for LogrusFields<'a> {
    type Item = (&'a [u8], Value<'a>);

    fn next(&mut self) -> Option<Self::Item> {
        let b = self.b;
        loop {
            while b.get(self.pos) == Some(&b' ') {
                self.pos += 1;
            }
            let start = self.pos;
            if start >= b.len() {
                return None;
            }
            // The key runs to `=`, a space or the end.
            let mut i = start;
            while i < b.len() && b[i] != b'=' && b[i] != b' ' && b[i] != b'"' {
                i += 1;
            }
            if i == start || b.get(i) != Some(&b'=') {
                // Not a key: skip this word (a quoted word as a whole).
                if b.get(i) == Some(&b'"') {
                    self.pos = quote_end(b, i + 1).map_or(b.len(), |e| e + 1);
                } else {
                    self.pos = memchr::memchr(b' ', &b[i..]).map_or(b.len(), |s| i + s);
                }
                continue;
            }
            let key = &b[start..i];
            let vstart = i + 1;
            if b.get(vstart) == Some(&b'"') {
                match quote_end(b, vstart + 1) {
                    Some(e) => {
                        self.pos = e + 1;
                        return Some((key, Value::Quoted(&b[vstart + 1..e])));
                    }
                    None => {
                        self.pos = b.len();
                        return Some((key, Value::Quoted(&b[vstart + 1..])));
                    }
                }
            }
            let end = memchr::memchr(b' ', &b[vstart..]).map_or(b.len(), |s| vstart + s);
            self.pos = end;
            return Some((key, Value::Bare(&b[vstart..end])));
        }
    }
}

/// The value of one field.
pub fn field<'a>(line: &'a [u8], key: &[u8]) -> Option<Value<'a>> {
    fields(line).find(|(k, _)| *k == key).map(|(_, v)| v)
}

/// `LEVL[time] ` of the TTY form: level, time text, and bytes up to the message.
pub fn tty_header(line: &[u8]) -> Option<(Level, &[u8], usize)> {
    let (rest, (level, time)) = run(tty_grammar, line)?;
    Some((level, time, used(line, rest)))
}

/// `LEVL[time]` then spaces; the `]` within the first 64 bytes of the line.
#[inline]
fn tty_grammar(line: &[u8]) -> PResult<'_, (Level, &[u8])> {
    // The `[` first: most lines are the text form (`time=…`), which fails there at once.
    let (i, word) = take(4usize).parse(line)?;
    let (i, _) = byte(b'[')(i)?;
    let level = Level::from_word(word);
    if level == Level::Unknown {
        return fail();
    }
    let (i, time) = till_within(64 - 5, b']')(i)?;
    let (i, _) = byte(b']')(i)?;
    let (i, _) = spaces(i)?;
    Ok((i, (level, time)))
}

/// The `msg=` value unquoted (borrowed when it has no escapes); for the TTY form, the text
/// after the header up to the padding before the fields.
pub fn message(line: &[u8]) -> Option<Cow<'_, [u8]>> {
    if let Some((_, _, n)) = tty_header(line) {
        let text = &line[n..];
        let mut end = text.len();
        // Fields follow the message after a run of at least two spaces (padding) or one.
        let mut i = 0;
        while let Some(sp) = memchr::memmem::find(&text[i..], b"  ") {
            let at = i + sp;
            let rest = crate::parse::lines::skip_spaces(&text[at..]);
            let word = &rest[..memchr::memchr(b' ', rest).unwrap_or(rest.len())];
            if memchr::memchr(b'=', word).is_some_and(|e| e > 0) {
                end = at;
                break;
            }
            i = at + 2;
        }
        return Some(Cow::Borrowed(&text[..end]));
    }
    field(line, b"msg").map(|v| v.decode())
}

/// The level: `level=` (quoted or not) or the TTY prefix; `Unknown` when absent.
pub fn level(line: &[u8]) -> Level {
    level_after_time(line).unwrap_or_else(|| level_scan(line))
}

/// [`level`] by scanning for the `level=` key.
fn level_scan(line: &[u8]) -> Level {
    if let Some((l, _, _)) = tty_header(line) {
        return l;
    }
    // `level=` is the second field; look only near the start.
    let head = &line[..line.len().min(160)];
    // Occurrences of `level=` cannot overlap, so visiting each `=` in order finds them in order.
    for eq in memchr::memchr_iter(b'=', head) {
        let Some(at) = eq.checked_sub(5) else {
            continue;
        };
        if head.get(at..eq) == Some(b"level") && (at == 0 || head[at - 1] == b' ') {
            let v = &line[eq + 1..];
            let end = memchr::memchr(b' ', v).unwrap_or(v.len());
            return Level::from_word(&v[..end]);
        }
    }
    Level::Unknown
}

/// The level of the common layout `time="…" level=…`, read in place: the quoted time holds no
/// `=`, so the `level=` right after it is the first one (what [`level`] looks for), provided it
/// lies in the first 160 bytes.
#[inline]
fn level_after_time(line: &[u8]) -> Option<Level> {
    // `time="` (6 bytes), the time, `" level=` (8 bytes) and the level's first byte within 160.
    let (i, _) = lit(b"time=\"")(line).ok()?;
    let (i, time) = till(b'"')(i).ok()?;
    if find_byte(time, b'=').is_some() || 6 + time.len() + 7 >= 160 {
        return None;
    }
    let (i, _) = lit(b"\" level=")(i).ok()?;
    let (_, level) = word(i).ok()?;
    Some(Level::from_word(level))
}

/// The time: `time="…"` (RFC 3339) or the TTY bracket; `None` for `DEBU[0000]` (seconds since
/// start) or when absent.
pub fn time(line: &[u8]) -> Option<Timestamp> {
    if let Some((_, t, _)) = tty_header(line) {
        return parse_iso(t);
    }
    let v = line.strip_prefix(b"time=")?;
    let v = v.strip_prefix(b"\"").unwrap_or(v);
    parse_iso(v)
}

/// True when the line starts like a logrus record (`time=` or a TTY level prefix).
#[inline]
pub fn is_logrus(line: &[u8]) -> bool {
    line.starts_with(b"time=") || tty_header(line).is_some()
}

/// Header of a line of a plain logrus file. The text form's message is the whole line (the
/// same text a journal carries for it); the TTY form's starts after the bracket.
pub fn header(line: &[u8]) -> Option<Header<'_>> {
    if let Some((lvl, t, n)) = tty_header(line) {
        let time = parse_iso(t).map_or(RawTime::None, RawTime::Utc);
        return Some(Header {
            level: lvl,
            ..Header::timed(time, t, n)
        });
    }
    let v = line.strip_prefix(b"time=")?;
    let (text, time) = match v.strip_prefix(b"\"") {
        Some(q) => {
            let e = crate::parse::lines::find_byte(q, b'"')?;
            (&q[..e], parse_iso(&q[..e]))
        }
        None => {
            let e = memchr::memchr(b' ', v).unwrap_or(v.len());
            (&v[..e], parse_iso(&v[..e]))
        }
    };
    Some(Header {
        level: level(line),
        ..Header::timed(time.map_or(RawTime::None, RawTime::Utc), text, 0)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        /// Reading the level right after the time agrees with scanning for the key, for times
        /// of any length holding `=`, quotes and spaces (logrus `TextFormatter` layout).
        #[test]
        fn level_after_time_matches_scan(
            t in proptest::collection::vec(proptest::sample::select(b"0Z=\" l".to_vec()), 0..170),
            word in proptest::sample::select(vec!["info", "error", "warning", "x"]),
            sep in proptest::sample::select(vec![" level=", " loglevel=", "level=", " level= "]),
        ) {
            let mut line = b"time=\"".to_vec();
            line.extend_from_slice(&t);
            line.extend_from_slice(b"\"");
            line.extend_from_slice(sep.as_bytes());
            line.extend_from_slice(word.as_bytes());
            line.extend_from_slice(b" msg=\"level=debug\"");
            proptest::prop_assert_eq!(level(&line), level_scan(&line));
        }
    }

    /// `level=` is found as a whole key only: a `loglevel=` field before it is passed over, a
    /// line starting with `level=` counts, and a `level=` beyond the first 160 bytes does not.
    /// (Field layout of logrus `TextFormatter`, github.com/sirupsen/logrus text_formatter.go.)
    #[test]
    fn level_key_must_stand_alone() {
        let cases: &[(&[u8], Level)] = &[
            (b"loglevel=debug level=warning msg=\"x\"", Level::Warning),
            (b"level=error msg=\"boom\"", Level::Error),
            (
                b"time=\"2020-08-20T10:25:54Z\" sublevel=info",
                Level::Unknown,
            ),
            (b"=level= level=", Level::Unknown),
        ];
        for (line, want) in cases {
            assert_eq!(level(line), *want, "{}", String::from_utf8_lossy(line));
        }
        let mut far = vec![b'x'; 160];
        far.extend_from_slice(b" level=error");
        assert_eq!(level(&far), Level::Unknown);
    }

    #[test]
    fn text_form() {
        // containerd startup line, formats-and-crates §1.5; nested quoting from moby#44155.
        let line = br#"time="2020-08-20T10:25:54.561334+08:00" level=error msg="failed to create shim task: OCI runtime create failed: \"exit status 1\": unknown" error="a\\b" id=abc"#;
        assert_eq!(level(line), Level::Error);
        assert_eq!(
            time(line).unwrap().to_rfc3339(),
            "2020-08-20T02:25:54.561334Z"
        );
        assert_eq!(
            message(line).unwrap().as_ref(),
            b"failed to create shim task: OCI runtime create failed: \"exit status 1\": unknown"
        );
        let fs: Vec<_> = fields(line)
            .map(|(k, v)| (k, v.decode().into_owned()))
            .collect();
        assert_eq!(fs.len(), 5);
        assert_eq!(fs[3], (&b"error"[..], b"a\\b".to_vec()));
        assert_eq!(fs[4], (&b"id"[..], b"abc".to_vec()));
        let h = header(line).unwrap();
        assert_eq!((h.msg_start, h.level), (0, Level::Error));
    }

    #[test]
    fn old_quoted_level_and_borrowing() {
        // coreos/bugs#1341.
        let line = br#"time="2015-04-14T20:38:09Z" level="info" msg="+job log(create)""#;
        assert_eq!(level(line), Level::Info);
        assert!(matches!(
            message(line),
            Some(Cow::Borrowed(b"+job log(create)"))
        ));
    }

    #[test]
    fn tty_form() {
        // docker/for-linux#1385.
        let line = b"INFO[2022-04-16T10:08:48.379054564Z] Starting up                                   module=grpc";
        assert_eq!(level(line), Level::Info);
        assert_eq!(
            time(line).unwrap().to_rfc3339(),
            "2022-04-16T10:08:48.379054Z"
        );
        assert_eq!(message(line).unwrap().as_ref(), b"Starting up");
        let fs: Vec<_> = fields(line).collect();
        assert_eq!(fs, vec![(&b"module"[..], Value::Bare(b"grpc"))]);
        let line = b"DEBU[0000] Listener created for HTTP on unix (/var/run/docker.sock)";
        assert_eq!(time(line), None);
        let h = header(line).unwrap();
        assert_eq!((h.level, h.time), (Level::Debug, RawTime::None));
        assert_eq!(&line[h.msg_start..h.msg_start + 8], b"Listener");
    }

    #[test]
    fn go_escapes() {
        assert_eq!(
            go_unquote(br"a\tb\x41\u00b5\101\q").as_ref(),
            b"a\tbA\xc2\xb5A\\q"
        );
        assert_eq!(go_unquote(br"tail\").as_ref(), b"tail\\");
        assert!(header(b"no logrus").is_none());
    }
}
