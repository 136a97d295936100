//! Time as lines state it: instants ([`Timestamp`]), what a line says before the bundle clock
//! resolves it ([`RawTime`], [`LocalTime`]), and the hand-written readers of timestamp text that
//! every parser shares.
//!
//! Parsers never guess. A line says what it says ([`RawTime`]): an absolute instant (ISO time
//! with an offset, epoch seconds), a wall-clock time in the host's zone with or without a year
//! (journal `short`, RFC3164 syslog, klog, `dmesg -T`), or seconds since boot (raw dmesg).
//! The bundle clock ([`Clock`](crate::model::time::Clock)) resolves them once the whole bundle
//! is read.
//!
//! The readers are for the hot path: fixed-width fields are read straight into integers; no
//! per-line allocation, no strtime. Every reader returns `None` on anything unexpected rather
//! than guessing.

use std::fmt;

use serde::{Deserialize, Serialize};

/// An instant, in microseconds since the Unix epoch (UTC).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp(pub i64);

impl Timestamp {
    /// Microseconds since the Unix epoch.
    pub fn as_micros(self) -> i64 {
        self.0
    }

    /// The earliest instant a time may be: 0001-01-01T00:00:00Z.
    pub const MIN: Timestamp = Timestamp(-62_135_596_800_000_000);
    /// The latest instant a time may be: 9999-12-31T23:59:59.999999Z (RFC 3339 has four-digit
    /// years; jiff's range ends there too).
    pub const MAX: Timestamp = Timestamp(253_402_300_799_999_999);

    /// The instant `micros` after the epoch, `None` outside [`MIN`](Timestamp::MIN) ..=
    /// [`MAX`](Timestamp::MAX): an out-of-range stamp is no time, never a wrapped or
    /// clamped one (shown as 1970, sorted after 3000).
    pub fn checked(micros: i64) -> Option<Timestamp> {
        (Timestamp::MIN.0..=Timestamp::MAX.0)
            .contains(&micros)
            .then_some(Timestamp(micros))
    }

    /// [`checked`](Timestamp::checked) from whole seconds and a microsecond fraction.
    pub fn checked_secs(secs: i64, micros: u32) -> Option<Timestamp> {
        Timestamp::checked(
            secs.checked_mul(1_000_000)?
                .checked_add(i64::from(micros))?,
        )
    }

    /// From whole seconds and a microsecond fraction.
    pub fn from_secs_micros(secs: i64, micros: u32) -> Timestamp {
        Timestamp(
            secs.saturating_mul(1_000_000)
                .saturating_add(i64::from(micros)),
        )
    }

    /// The jiff instant, for formatting and arithmetic.
    pub fn to_jiff(self) -> jiff::Timestamp {
        jiff::Timestamp::from_microsecond(self.0).unwrap_or(jiff::Timestamp::UNIX_EPOCH)
    }

    /// RFC 3339 in UTC with microseconds when they are not zero (`2020-08-20T02:25:54.561334Z`).
    pub fn to_rfc3339(self) -> String {
        let ts = self.to_jiff();
        if self.0 % 1_000_000 == 0 {
            ts.strftime("%Y-%m-%dT%H:%M:%SZ").to_string()
        } else {
            ts.strftime("%Y-%m-%dT%H:%M:%S%.6fZ").to_string()
        }
    }

    /// Parses RFC 3339 / ISO 8601 with an offset (`2021-05-12T09:08:40.642410594+08:00`,
    /// `2021-05-12T09:08:40+0800`, `…Z`). Nanoseconds are truncated to microseconds.
    pub fn parse_rfc3339(text: &[u8]) -> Option<Timestamp> {
        parse_iso(text)
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_rfc3339())
    }
}

impl Serialize for Timestamp {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_rfc3339())
    }
}

impl<'de> Deserialize<'de> for Timestamp {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Timestamp::parse_rfc3339(s.as_bytes())
            .ok_or_else(|| serde::de::Error::custom(format!("not an RFC 3339 time: {s:?}")))
    }
}

/// A time as a line states it, before the bundle clock resolves it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum RawTime {
    /// The line carries no time (continuation lines, `ps` output, …).
    #[default]
    None,
    /// An absolute instant: the text had an offset/zone or was epoch-based.
    Utc(Timestamp),
    /// A wall-clock time in the collection host's time zone. `year` is `None` for yearless
    /// formats (journal `short`, RFC 3164, klog), resolved with the member's
    /// [`YearTracker`](crate::model::time::YearTracker).
    Local(LocalTime),
    /// Microseconds since boot (raw dmesg, journal `short-monotonic`).
    Monotonic(u64),
}

/// A civil wall-clock time, possibly without year.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct LocalTime {
    /// The year when the text gave one.
    pub year: Option<i16>,
    /// 1–12.
    pub month: u8,
    /// 1–31.
    pub day: u8,
    /// 0–23.
    pub hour: u8,
    /// 0–59.
    pub minute: u8,
    /// 0–60 (leap second tolerated).
    pub second: u8,
    /// Fraction of the second in microseconds.
    pub micros: u32,
}

/// Reads `n` ASCII digits.
#[inline]
pub fn digits(b: &[u8], n: usize) -> Option<u32> {
    if b.len() < n {
        return None;
    }
    let mut v = 0u32;
    for &c in &b[..n] {
        if !c.is_ascii_digit() {
            return None;
        }
        v = v * 10 + u32::from(c - b'0');
    }
    Some(v)
}

/// Reads a run of ASCII digits (at least one); returns the value and the count.
#[inline]
pub fn digits_var(b: &[u8]) -> Option<(u64, usize)> {
    let mut v = 0u64;
    let mut n = 0;
    for &c in b {
        if !c.is_ascii_digit() {
            break;
        }
        v = v.checked_mul(10)?.checked_add(u64::from(c - b'0'))?;
        n += 1;
    }
    (n > 0).then_some((v, n))
}

/// English month abbreviation (`Jan` … `Dec`) to 1–12.
#[inline]
pub fn month_abbr(b: &[u8]) -> Option<u8> {
    if b.len() < 3 {
        return None;
    }
    Some(match &b[..3] {
        b"Jan" => 1,
        b"Feb" => 2,
        b"Mar" => 3,
        b"Apr" => 4,
        b"May" => 5,
        b"Jun" => 6,
        b"Jul" => 7,
        b"Aug" => 8,
        b"Sep" => 9,
        b"Oct" => 10,
        b"Nov" => 11,
        b"Dec" => 12,
        _ => return None,
    })
}

/// `HH:MM:SS` at the start of `b`.
#[inline]
pub fn hms(b: &[u8]) -> Option<(u8, u8, u8)> {
    if b.len() < 8 || b[2] != b':' || b[5] != b':' {
        return None;
    }
    let h = digits(b, 2)?;
    let m = digits(&b[3..], 2)?;
    let s = digits(&b[6..], 2)?;
    (h < 24 && m < 60 && s <= 60).then_some((h as u8, m as u8, s as u8))
}

/// A fraction after a `.`: up to 9 digits, returned as microseconds and the digit count.
#[inline]
pub fn fraction_micros(b: &[u8]) -> (u32, usize) {
    let mut micros = 0u32;
    let mut n = 0;
    for &c in b.iter().take(9) {
        if !c.is_ascii_digit() {
            break;
        }
        if n < 6 {
            micros = micros * 10 + u32::from(c - b'0');
        }
        n += 1;
    }
    let mut m = micros;
    for _ in n.min(6)..6 {
        m *= 10;
    }
    (m, n)
}

/// `Mmm dd HH:MM:SS` / `Mmm  d HH:MM:SS` (zero- or space-padded day) with an optional
/// `.ffffff`. Returns the time and the bytes consumed.
pub fn syslog_stamp(b: &[u8]) -> Option<(LocalTime, usize)> {
    let month = month_abbr(b)?;
    if b.len() < 15 || b[3] != b' ' {
        return None;
    }
    let day = match (b[4], b[5]) {
        (b' ', d) if d.is_ascii_digit() => u32::from(d - b'0'),
        _ => digits(&b[4..], 2)?,
    };
    if b[6] != b' ' || !(1..=31).contains(&day) {
        return None;
    }
    let (hour, minute, second) = hms(&b[7..])?;
    let mut used = 15;
    let mut micros = 0;
    if b.len() > 16 && b[15] == b'.' {
        let (us, n) = fraction_micros(&b[16..]);
        if n > 0 {
            micros = us;
            used = 16 + n;
        }
    }
    Some((
        LocalTime {
            year: None,
            month,
            day: day as u8,
            hour,
            minute,
            second,
            micros,
        },
        used,
    ))
}

/// ISO 8601 / RFC 3339 with a mandatory offset or `Z`: `2021-05-12T09:08:40.642410594+08:00`,
/// `2021-05-12T09:08:40+0800`, `2021-05-12 09:08:40Z`. Returns the instant.
pub fn parse_iso(b: &[u8]) -> Option<Timestamp> {
    parse_iso_prefix(b).and_then(|(t, _)| t)
}

/// Like [`parse_iso`] but reads a prefix and also accepts a missing offset (then the time is
/// local). Returns `(Some(instant), used)` when an offset was present, `(None, used)` with the
/// local time available through [`parse_iso_local`] otherwise.
pub fn parse_iso_prefix(b: &[u8]) -> Option<(Option<Timestamp>, usize)> {
    let (local, used) = parse_iso_local(b)?;
    let rest = &b[used..];
    let (offset_secs, n) = match rest.first() {
        Some(b'Z') | Some(b'z') => (0i64, 1),
        Some(&c @ (b'+' | b'-')) => {
            let hh = digits(&rest[1..], 2)? as i64;
            let (mm, n) = if rest.get(3) == Some(&b':') {
                (digits(&rest[4..], 2)? as i64, 6)
            } else if let Some(mm) = digits(&rest[3..], 2) {
                (mm as i64, 5)
            } else {
                (0, 3)
            };
            let off = hh * 3600 + mm * 60;
            (if c == b'-' { -off } else { off }, n)
        }
        _ => return Some((None, used)),
    };
    let days = days_from_civil(local.year? as i64, local.month as i64, local.day as i64);
    let secs =
        days * 86400 + local.hour as i64 * 3600 + local.minute as i64 * 60 + local.second as i64
            - offset_secs;
    // Past year 9999 or before year 1 once the offset is applied: no time.
    let ts = Timestamp::checked_secs(secs, local.micros)?;
    Some((Some(ts), used + n))
}

/// True for the text of a time of a valid shape whose instant is out of range (before year 1
/// or past 9999-12-31T23:59:59.999999Z): epoch seconds (`18446744073709551615.000000`, ten or
/// more digits) or microseconds (`__REALTIME_TIMESTAMP`), or an ISO time with an offset
/// (`9999-12-31T23:59:59-01:00`). Parsers read such a time as none; this tells it from a text
/// that is no time.
pub fn out_of_range(text: &[u8]) -> bool {
    let digits = text.iter().take_while(|c| c.is_ascii_digit()).count();
    if digits >= 10 {
        let rest = &text[digits..];
        let frac = rest.strip_prefix(b".").unwrap_or(rest);
        return (rest.is_empty() || (rest.len() > 1 && frac.iter().all(u8::is_ascii_digit)))
            && epoch_seconds(text).is_none()
            && (!rest.is_empty()
                || parse_u64(text)
                    .and_then(|us| i64::try_from(us).ok())
                    .and_then(Timestamp::checked)
                    .is_none());
    }
    parse_iso_local(text).is_some() && parse_iso_prefix(text).is_none()
}

/// Decimal digits as a `u64`, none on overflow.
fn parse_u64(b: &[u8]) -> Option<u64> {
    digits_var(b).filter(|&(_, n)| n == b.len()).map(|(v, _)| v)
}

/// `YYYY-MM-DD[T ]HH:MM:SS[.f…]` without the offset. Returns the civil time and bytes used.
pub fn parse_iso_local(b: &[u8]) -> Option<(LocalTime, usize)> {
    if b.len() < 19 || b[4] != b'-' || b[7] != b'-' || !(b[10] == b'T' || b[10] == b' ') {
        return None;
    }
    let year = digits(b, 4)?;
    let month = digits(&b[5..], 2)?;
    let day = digits(&b[8..], 2)?;
    if !(1..=12).contains(&month) || !(1..=31).contains(&day) {
        return None;
    }
    let (hour, minute, second) = hms(&b[11..])?;
    let mut used = 19;
    let mut micros = 0;
    if b.len() > 20 && (b[19] == b'.' || b[19] == b',') {
        let (us, n) = fraction_micros(&b[20..]);
        if n > 0 {
            micros = us;
            used = 20 + n;
        }
    }
    Some((
        LocalTime {
            year: Some(year as i16),
            month: month as u8,
            day: day as u8,
            hour,
            minute,
            second,
            micros,
        },
        used,
    ))
}

/// The instant of a civil time with a year, read as UTC (`None` without a year).
pub fn utc_of(t: &LocalTime) -> Option<Timestamp> {
    let days = days_from_civil(i64::from(t.year?), i64::from(t.month), i64::from(t.day));
    let secs =
        days * 86400 + i64::from(t.hour) * 3600 + i64::from(t.minute) * 60 + i64::from(t.second);
    Timestamp::checked_secs(secs, t.micros)
}

/// `Ddd Mmm dd HH:MM:SS YYYY` (ctime, day space-padded: `Thu Dec  7 00:05:15 2017`), as used
/// by `dmesg -T`. Returns the time (with year) and the bytes used.
pub fn ctime(b: &[u8]) -> Option<(LocalTime, usize)> {
    if b.len() < 24 || b[3] != b' ' || !b[..3].iter().all(u8::is_ascii_alphabetic) {
        return None;
    }
    let (mut t, used) = syslog_stamp(&b[4..])?;
    let rest = b.get(4 + used..)?.strip_prefix(b" ")?;
    let year = digits(rest, 4)?;
    t.year = Some(year as i16);
    Some((t, 4 + used + 1 + 4))
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
pub fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146097 + doe - 719468
}

/// Epoch seconds with an optional fraction (`1620781720.642410`, klog JSON `ts`).
pub fn epoch_seconds(b: &[u8]) -> Option<(Timestamp, usize)> {
    let (secs, n) = digits_var(b)?;
    let mut used = n;
    let mut micros = 0;
    if b.get(n) == Some(&b'.') {
        let (us, k) = fraction_micros(&b[n + 1..]);
        micros = us;
        used = n + 1 + k;
    }
    // 2^64 − 1 seconds is no time (it wrapped to 1969).
    let ts = Timestamp::checked_secs(i64::try_from(secs).ok()?, micros)?;
    Some((ts, used))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn out_of_range_times_are_told_from_text_that_is_no_time() {
        for text in [
            &b"18446744073709551615.000000"[..],
            b"9223372036854775807",
            b"9999-12-31T23:59:59.000000000-01:00",
            b"253402300800.000000",
        ] {
            assert!(out_of_range(text), "{}", String::from_utf8_lossy(text));
        }
        for text in [
            &b"1597919150.000000"[..],
            b"1597919150000000",
            b"2020-08-20T10:25:50Z",
            b"2020-08-20T10:25:50",
            b"0000",
            b"garbage",
            b"12345",
            b"",
        ] {
            assert!(!out_of_range(text), "{}", String::from_utf8_lossy(text));
        }
    }

    #[test]
    fn syslog_padding_both_ways() {
        // rsyslog traditional format pads the day with a space (moby#20096):
        let (t, n) = syslog_stamp(b"Feb  7 23:47:21 p4029667 node: SIGABRT: abort").unwrap();
        assert_eq!(
            (t.month, t.day, t.hour, t.minute, t.second, n),
            (2, 7, 23, 47, 21, 15)
        );
        // journalctl pads with zero and short-precise adds microseconds:
        let (t, n) = syslog_stamp(b"Jul 05 19:33:34.515797 node1 kubelet[1545]: x").unwrap();
        assert_eq!((t.day, t.micros, n), (5, 515797, 22));
        assert!(syslog_stamp(b"Foo 05 19:33:34 x").is_none());
        assert!(syslog_stamp(b"Jul 05 19:3").is_none());
    }

    #[test]
    fn iso_offsets() {
        let a = parse_iso(b"2021-05-12T09:08:40+08:00").unwrap();
        let b = parse_iso(b"2021-05-12T09:08:40+0800").unwrap();
        let c = parse_iso(b"2021-05-12T01:08:40Z").unwrap();
        assert_eq!(a, b);
        assert_eq!(a, c);
        let (t, used) = parse_iso_prefix(b"2021-05-12T09:08:40.642410594+08:00 host").unwrap();
        assert_eq!(used, 35);
        assert_eq!(t.unwrap().to_rfc3339(), "2021-05-12T01:08:40.642410Z");
        assert_eq!(
            parse_iso_prefix(b"2021-05-12 09:08:40 x").unwrap(),
            (None, 19)
        );
    }

    #[test]
    fn ctime_dmesg_t() {
        // `dmesg -T` as quoted in kubernetes#56891.
        let (t, n) = ctime(b"Thu Dec  7 00:05:15 2017] Memory cgroup").unwrap();
        assert_eq!(
            (t.year, t.month, t.day, t.hour, n),
            (Some(2017), 12, 7, 0, 24)
        );
        assert_eq!(utc_of(&t).unwrap().to_rfc3339(), "2017-12-07T00:05:15Z");
        assert!(ctime(b"Thu Dec  7 00:05:15 17]").is_none());
    }

    #[test]
    fn epoch() {
        let (t, n) = epoch_seconds(b"1620781720.642410 host").unwrap();
        assert_eq!(n, 17);
        assert_eq!(t.to_rfc3339(), "2021-05-12T01:08:40.642410Z");
    }
}
