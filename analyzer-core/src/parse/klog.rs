//! klog (kubelet, kube-proxy): plain, structured key/value, multi-line values and JSON.
//!
//! Header: `Lmmdd hh:mm:ss.uuuuuu threadid file:line] msg` with `L` in `IWEF` and the thread id
//! space-padded (formats-and-crates §1.4). Structured messages are `"msg" k="v" k2=v2`, with
//! multi-line values written as `key=<`, TAB-indented lines, then ` >`. A new record starts
//! only where a header starts a line. JSON logging (`--logging-format=json`) writes one object
//! per line: `{"ts":1580306777.04728,"v":4,"msg":"…"}`.

use crate::base::Level;
use crate::base::time::{LocalTime, RawTime};
use crate::base::time::{digits_var, epoch_seconds};
use crate::parse::grammar::{
    PResult, any_byte, byte, clock, fail, file_line, fixed, run, spaces, till_within, uint, used,
};
use crate::parse::journal::{JsonValue, json_fields};
use crate::parse::lines::Header;
use crate::parse::logrus::{Value, quote_end};

/// A parsed klog header.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct KlogHeader<'a> {
    /// The severity.
    pub level: Level,
    /// The time (no year).
    pub time: LocalTime,
    /// The header's time text (`0820 10:25:54.561334`).
    pub time_text: &'a [u8],
    /// The thread id (the pid for most components).
    pub thread: u64,
    /// Source file (`remote_runtime.go`).
    pub file: &'a [u8],
    /// Source line.
    pub line: u32,
    /// Index of the message in the line.
    pub msg_start: usize,
    /// The message (rest of the line).
    pub msg: &'a [u8],
}

/// Parses a klog header at the start of `line`.
pub fn header(line: &[u8]) -> Option<KlogHeader<'_>> {
    if line.len() < 24 {
        return None;
    }
    run(header_grammar, line).map(|(_, h)| h)
}

/// `Lmmdd hh:mm:ss.uuuuuu threadid file:line] ` as a nom grammar.
#[inline]
fn header_grammar(line: &[u8]) -> PResult<'_, KlogHeader<'_>> {
    // Sequenced by hand (`let (i, x) = p(i)?`): the header is read for every line.
    let (i, c) = any_byte(line)?;
    let level = Level::from_klog(c);
    if level == Level::Unknown {
        return fail();
    }
    let (i, month) = fixed::<2>(i)?;
    let (i, day) = fixed::<2>(i)?;
    if !(1..=12).contains(&month) || !(1..=31).contains(&day) {
        return fail();
    }
    let (i, _) = byte(b' ')(i)?;
    let (i, (hour, minute, second)) = clock(i)?;
    let (i, _) = byte(b'.')(i)?;
    let (i, micros) = fixed::<6>(i)?;
    let (i, _) = byte(b' ')(i)?;
    let (i, _) = spaces(i)?;
    let (i, thread) = uint(i)?;
    let (i, _) = byte(b' ')(i)?;
    let (i, loc) = till_within(256, b']')(i)?;
    let Some((file, src_line)) = file_line(loc) else {
        return fail();
    };
    let (i, _) = byte(b']')(i)?;
    let i = i.strip_prefix(b" ").unwrap_or(i);
    let msg_start = used(line, i);
    Ok((
        i,
        KlogHeader {
            level,
            time: LocalTime {
                year: None,
                month: month as u8,
                day: day as u8,
                hour,
                minute,
                second,
                micros,
            },
            time_text: &line[1..21],
            thread,
            file,
            line: u32::try_from(src_line).unwrap_or(u32::MAX),
            msg_start,
            msg: i,
        },
    ))
}

/// Quick check used for continuation decisions: does a klog header start this line?
#[inline]
pub fn is_header(line: &[u8]) -> bool {
    line.len() >= 24
        && matches!(line[0], b'I' | b'W' | b'E' | b'F')
        && line[5] == b' '
        && line[14] == b'.'
        && header(line).is_some()
}

/// Record header of a klog line (time local without year; `thread` as pid).
pub fn record_header(line: &[u8]) -> Option<Header<'_>> {
    let h = header(line)?;
    Some(Header {
        pid: u32::try_from(h.thread).ok(),
        level: h.level,
        ..Header::timed(RawTime::Local(h.time), h.time_text, h.msg_start)
    })
}

/// Iterator over the structured fields after a quoted klog message.
#[derive(Clone, Debug)]
pub struct KlogFields<'a> {
    b: &'a [u8],
    pos: usize,
}

/// The `key=value` fields of a structured klog message (`"msg" k="v" k2=<…>`); empty when the
/// message is not structured.
pub fn fields(msg: &[u8]) -> KlogFields<'_> {
    let pos = match msg.first() {
        Some(b'"') => quote_end(msg, 1).map_or(msg.len(), |e| e + 1),
        _ => msg.len(),
    };
    KlogFields { b: msg, pos }
}

/// The quoted message of a structured klog message, as written (escapes not decoded).
pub fn structured_message(msg: &[u8]) -> Option<&[u8]> {
    let inner = msg.strip_prefix(b"\"")?;
    quote_end(msg, 1).map(|e| &inner[..e - 1])
}

impl<'a> Iterator for KlogFields<'a> {
    type Item = (&'a [u8], Value<'a>);

    fn next(&mut self) -> Option<Self::Item> {
        let b = self.b;
        loop {
            while b
                .get(self.pos)
                .is_some_and(|&c| c == b' ' || c == b'\n' || c == b'\r')
            {
                self.pos += 1;
            }
            let start = self.pos;
            if start >= b.len() {
                return None;
            }
            let eq = b[start..]
                .iter()
                .position(|&c| c == b'=' || c == b' ' || c == b'\n')
                .map(|i| start + i);
            let Some(eq) = eq.filter(|&i| b[i] == b'=' && i > start) else {
                self.pos = eq.map_or(b.len(), |i| i + 1);
                continue;
            };
            let key = &b[start..eq];
            let v = eq + 1;
            match b.get(v) {
                Some(b'"') => {
                    let e = quote_end(b, v + 1).unwrap_or(b.len());
                    self.pos = (e + 1).min(b.len());
                    return Some((key, Value::Quoted(&b[v + 1..e])));
                }
                Some(b'<') if matches!(b.get(v + 1), Some(b'\n') | Some(b'\r') | None) => {
                    let body_start = (v + 2).min(b.len());
                    let body_start = if b.get(v + 1) == Some(&b'\r') {
                        (v + 3).min(b.len())
                    } else {
                        body_start
                    };
                    let rest = &b[body_start..];
                    let (body_end, next) = match memchr::memmem::find(rest, b"\n >") {
                        Some(i) => (body_start + i, body_start + i + 3),
                        None if rest.starts_with(b" >") => (body_start, body_start + 2),
                        None => (b.len(), b.len()),
                    };
                    self.pos = next;
                    let body = &b[body_start..body_end.max(body_start)];
                    return Some((key, Value::Block(body.strip_suffix(b"\r").unwrap_or(body))));
                }
                _ => {
                    let end = b[v..]
                        .iter()
                        .position(|&c| c == b' ' || c == b'\n')
                        .map_or(b.len(), |i| v + i);
                    self.pos = end;
                    return Some((key, Value::Bare(&b[v..end])));
                }
            }
        }
    }
}

/// Header of a klog JSON line: time from `ts` (float epoch seconds), message from `msg`, level
/// from `level`/`severity` when present, else `err` means error and `v` means info.
pub fn json_header(line: &[u8]) -> Option<Header<'_>> {
    let mut h = Header::timed(RawTime::None, &[], line.len());
    let mut seen = false;
    let (mut has_v, mut has_err) = (false, false);
    for (k, v) in json_fields(line) {
        seen = true;
        let s = v.as_slice();
        match k {
            b"ts" => {
                if let JsonValue::Raw(r) = v
                    && let Some((t, n)) = epoch_seconds(r)
                    && n == r.len()
                {
                    h.time = RawTime::Utc(t);
                    h.time_text = r;
                } else if let Some(t) = crate::base::time::parse_iso(s) {
                    h.time = RawTime::Utc(t);
                    h.time_text = s;
                }
            }
            b"msg" => h.msg_start = crate::parse::lines::offset_in(line, s).unwrap_or(line.len()),
            b"level" | b"severity" => h.level = Level::from_word(s),
            b"v" => has_v = true,
            b"err" => has_err = true,
            b"pid" => {
                if let Some((p, n)) = digits_var(s)
                    && n == s.len()
                {
                    h.pid = u32::try_from(p).ok();
                }
            }
            _ => {}
        }
    }
    if h.level == Level::Unknown {
        h.level = if has_err {
            Level::Error
        } else if has_v {
            Level::Info
        } else {
            Level::Unknown
        };
    }
    seen.then_some(h)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers() {
        // (line, level, thread, file, line, msg); kubelet lines from k8s#64743 and the k8s
        // structured-logging docs.
        type Case<'a> = (&'a [u8], Level, u64, &'a [u8], u32, &'a [u8]);
        let cases: &[Case<'_>] = &[
            (
                b"E0820 10:25:54.561334   12170 remote_runtime.go:243] RemoveContainer failed",
                Level::Error,
                12170,
                b"remote_runtime.go",
                243,
                b"RemoveContainer failed",
            ),
            (
                b"I1025 00:15:15.525108       1 controller_utils.go:116] \"Pod status updated\" pod=\"kube-system/kubedns\" status=\"ready\"",
                Level::Info,
                1,
                b"controller_utils.go",
                116,
                b"\"Pod status updated\" pod=\"kube-system/kubedns\" status=\"ready\"",
            ),
            (
                b"W0705 19:33:29.402143    1545 server.go:779]",
                Level::Warning,
                1545,
                b"server.go",
                779,
                b"",
            ),
        ];
        for &(line, level, thread, file, src, msg) in cases {
            let h = header(line).unwrap();
            assert_eq!(
                (h.level, h.thread, h.file, h.line, h.msg),
                (level, thread, file, src, msg)
            );
        }
        let h = header(cases[0].0).unwrap();
        assert_eq!(
            (h.time.month, h.time.day, h.time.micros, h.time_text),
            (8, 20, 561334, &b"0820 10:25:54.561334"[..])
        );
        assert!(header(b"X0820 10:25:54.561334   12170 a.go:1] m").is_none());
        assert!(header(b"E1320 10:25:54.561334   12170 a.go:1] m").is_none());
        assert!(header(b"E0820 10:25:54.561334   12170 nocolon] m").is_none());
        assert!(!is_header(b"\t{Name:long Data:Multiple"));
    }

    #[test]
    fn structured_fields() {
        let msg =
            br#""Pod status updated" pod="kube-system/kubedns" status="ready" n=3 err="a \"b\"""#;
        assert_eq!(structured_message(msg), Some(&b"Pod status updated"[..]));
        let fs: Vec<_> = fields(msg)
            .map(|(k, v)| (k, v.decode().into_owned()))
            .collect();
        assert_eq!(
            fs,
            vec![
                (&b"pod"[..], b"kube-system/kubedns".to_vec()),
                (&b"status"[..], b"ready".to_vec()),
                (&b"n"[..], b"3".to_vec()),
                (&b"err"[..], b"a \"b\"".to_vec()),
            ]
        );
        assert_eq!(fields(b"plain message k=v").count(), 0);
    }

    #[test]
    fn multi_line_value() {
        // kubernetes.dev contextual-logging blog (klog >= 2.60).
        let msg = b"\"using InfoS\" longData=<\n\t{Name:long Data:Multiple\n\tlines\n >\n after=1";
        let fs: Vec<_> = fields(msg).collect();
        assert_eq!(fs.len(), 2);
        assert_eq!(fs[0].0, b"longData");
        assert_eq!(
            fs[0].1.decode().as_ref(),
            b"{Name:long Data:Multiple\nlines"
        );
        assert_eq!(fs[1], (&b"after"[..], Value::Bare(b"1")));
    }

    #[test]
    fn json_lines() {
        // k8s structured logging docs, JSON format.
        let line = br#"{"ts":1580306777.04728,"v":4,"msg":"Pod status updated","pod":{"name":"nginx-1","namespace":"default"},"status":"ready"}"#;
        let h = json_header(line).unwrap();
        assert_eq!(h.level, Level::Info);
        assert_eq!(&line[h.msg_start..h.msg_start + 18], b"Pod status updated");
        match h.time {
            RawTime::Utc(t) => assert_eq!(t.to_rfc3339(), "2020-01-29T14:06:17.047280Z"),
            other => panic!("{other:?}"),
        }
        let line = br#"{"ts":1580306777.1,"msg":"RemoveContainer failed","err":"rpc error"}"#;
        assert_eq!(json_header(line).unwrap().level, Level::Error);
        assert!(json_header(b"Flag --foo has been deprecated").is_none());
    }
}
