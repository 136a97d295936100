//! Time: instants, the raw times parsers read, and the bundle clock that resolves them.
//!
//! Parsers never guess. A line says what it says ([`RawTime`]): an absolute instant (ISO time
//! with an offset, epoch seconds), a wall-clock time in the host's zone with or without a year
//! (journal `short`, RFC3164 syslog, klog, `dmesg -T`), or seconds since boot (raw dmesg).
//! Resolution happens once the whole bundle is read, because what it needs (the collection
//! time, `etc/localtime`, the boot time) may sit anywhere in an archive: a [`Clock`] holds
//! those and turns a [`RawTime`] plus the [`YearTracker`] summary of its member into a
//! [`Timestamp`].
//!
//! Year inference follows the way logs grow: the newest line is closest to the collection time,
//! so the year of the last line is the collection year (or the one before, when its month/day
//! lies after the collection date), and every wrap from December back to January while reading
//! forward is one year boundary.

#[doc(no_inline)]
pub use crate::base::time::{LocalTime, RawTime, Timestamp};

/// Follows the months of a yearless member while it is read forward, so that every record can
/// later be given its year.
///
/// Feed each record's [`RawTime`] to [`observe`](YearTracker::observe) in file order; keep the
/// returned epoch with anything you keep of the record; resolve with [`Clock::resolve`] and the
/// [`finish`](YearTracker::finish)ed summary.
#[derive(Clone, Debug, Default)]
pub struct YearTracker {
    epoch: u16,
    last: Option<(u8, u8)>,
}

/// What a [`YearTracker`] learned about a member: the number of year wraps and where it ended.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct YearSummary {
    /// The epoch of the last record (number of forward year wraps seen).
    pub last_epoch: u16,
    /// Month and day of the last yearless record, if any.
    pub last_month_day: Option<(u8, u8)>,
}

impl YearTracker {
    /// A tracker at epoch 0.
    pub fn new() -> YearTracker {
        YearTracker::default()
    }

    /// Records the time of the next record in file order; returns its epoch.
    pub fn observe(&mut self, time: &RawTime) -> u16 {
        if let RawTime::Local(LocalTime {
            year: None,
            month,
            day,
            ..
        }) = *time
        {
            if let Some((prev, _)) = self.last {
                // A drop of more than half a year reading forward is a new year; a jump back up
                // is an out-of-order line from the previous year (merged files), not a wrap.
                if month + 6 < prev {
                    self.epoch = self.epoch.saturating_add(1);
                }
            }
            self.last = Some((month, day));
        }
        self.epoch
    }

    /// The current epoch without observing anything.
    pub fn epoch(&self) -> u16 {
        self.epoch
    }

    /// The summary needed to resolve the member's times.
    pub fn finish(&self) -> YearSummary {
        YearSummary {
            last_epoch: self.epoch,
            last_month_day: self.last,
        }
    }
}

/// What the bundle says about time: when it was collected, in which zone, when the host booted.
#[derive(Clone, Debug)]
pub struct Clock {
    /// Collection time (sos `date`, `timedatectl`, or the newest absolute time seen).
    pub anchor: Option<Timestamp>,
    /// Where the anchor came from, for reports (`sos_commands/date/date`).
    pub anchor_source: Option<String>,
    /// The host's zone (`etc/localtime`, `timedatectl`); UTC when unknown.
    pub tz: jiff::tz::TimeZone,
    /// The zone's name when known (`Asia/Shanghai`).
    pub tz_name: Option<String>,
    /// Boot time of the current boot, for monotonic kernel times.
    pub boot: Option<Timestamp>,
    /// Where the boot time came from, for reports (`kernel monotonic times in the logs`,
    /// `sos_commands/date/date minus uptime sos_commands/host/uptime`).
    pub boot_source: Option<String>,
}

impl Default for Clock {
    fn default() -> Self {
        Clock {
            anchor: None,
            anchor_source: None,
            tz: jiff::tz::TimeZone::UTC,
            tz_name: None,
            boot: None,
            boot_source: None,
        }
    }
}

/// The year given to times that state none when nothing in the input states one either: a
/// leap year (29 February exists), far enough back to be read as an assumption, and never the
/// day the tool runs, so that a report depends on its input only. Reports say so ("year
/// assumed: 2000").
pub const ASSUMED_YEAR: i16 = 2000;

impl Clock {
    /// The collection time in the host zone; without one (nothing in the input states a
    /// year), the end of [`ASSUMED_YEAR`], so that yearless times fall in that year.
    pub fn anchor_civil(&self) -> jiff::civil::DateTime {
        match self.anchor {
            Some(t) => self.tz.to_datetime(t.to_jiff()),
            None => jiff::civil::date(ASSUMED_YEAR, 12, 31).at(23, 59, 59, 0),
        }
    }

    /// True when times without a year are given [`ASSUMED_YEAR`]: nothing in the input states
    /// the collection time.
    pub fn year_assumed(&self) -> bool {
        self.anchor.is_none()
    }

    /// Converts a civil time with a known year in the host zone.
    pub fn local_to_utc(&self, year: i16, t: &LocalTime) -> Option<Timestamp> {
        let dt = jiff::civil::DateTime::new(
            year,
            t.month as i8,
            t.day as i8,
            t.hour as i8,
            t.minute as i8,
            t.second.min(59) as i8,
            0,
        )
        .ok()?;
        let zoned = self.tz.to_ambiguous_zoned(dt).compatible().ok()?;
        Timestamp::checked(zoned.timestamp().as_microsecond() + i64::from(t.micros))
    }

    /// Resolves a raw time of a record whose member ended with `summary`, the record being in
    /// `epoch` (from [`YearTracker::observe`]).
    pub fn resolve(&self, raw: &RawTime, epoch: u16, summary: &YearSummary) -> Option<Timestamp> {
        match raw {
            RawTime::None => None,
            RawTime::Utc(ts) => Some(*ts),
            RawTime::Monotonic(us) => self
                .boot
                .and_then(|b| Timestamp::checked(b.0.checked_add(i64::try_from(*us).ok()?)?)),
            RawTime::Local(t) => {
                let year = match t.year {
                    Some(y) => y,
                    None => {
                        let anchor = self.anchor_civil();
                        let mut last_year = anchor.year();
                        if let Some((m, d)) = summary.last_month_day {
                            // Allow one day of slack for zone differences at the boundary.
                            let last = (m as i32) * 32 + d as i32;
                            let anc = (anchor.month() as i32) * 32 + anchor.day() as i32;
                            if last > anc + 1 {
                                last_year -= 1;
                            }
                        }
                        last_year - (summary.last_epoch.saturating_sub(epoch)) as i16
                    }
                };
                self.local_to_utc(year, t)
            }
        }
    }
}

/// Gathers what a bundle says about time, in any order, and builds the [`Clock`].
///
/// Sources of the collection time, strongest first: `sos_commands/date/date_--utc` / `date`
/// (`Fri Feb 11 19:23:39 UTC 2022`), `timedatectl` (`Universal time: Fri 2022-02-11 19:23:39
/// UTC`), the journal's header, the newest time a record states with its year (raised to the
/// newest archive member time when that one is later, see [`add_mtime`](Self::add_mtime)), the
/// newest archive member time, the day a sosreport's name states, the newest day a member's
/// file name stamps. The zone: `etc/localtime` (TZif), `timedatectl`'s `Time zone:
/// Asia/Shanghai (CST, +0800)`, the `etc/localtime` link target, a journal header's zone. The
/// boot time: kernel lines that carry both a wall time and the monotonic `[  518.050606]`
/// stamp, else `/proc/stat`'s `btime`, else the collection time minus `uptime`.
#[derive(Clone, Debug, Default)]
pub struct ClockBuilder {
    date_utc: Option<(Timestamp, String)>,
    date_local: Option<(LocalTime, String)>,
    tz: Option<(jiff::tz::TimeZone, Option<String>)>,
    newest: Option<Timestamp>,
    boot_hints: Vec<BootHint>,
    /// The collection day named by an input (`sosreport-node1-2022-02-11-abcdef.tar.xz`): the
    /// weakest anchor, used when nothing else states the time.
    named: Option<(LocalTime, String)>,
    /// The end (or, alone, the start) of the journal a `journalctl` output was read from, as
    /// its `-- Logs begin at … --` / `-- Journal begins at … --` header states it.
    journal: Option<(Timestamp, String)>,
    /// The zone a journal header writes its times in (`CET`), weaker than `etc/localtime` and
    /// `timedatectl`.
    header_tz: Option<(jiff::tz::TimeZone, String)>,
    /// The newest wall time with a year in the host zone (`dmesg -T`, ISO without offset).
    newest_local: Option<LocalTime>,
    /// The newest day a member's file name stamps (`messages-20220211`,
    /// `goroutine-stacks-2020-08-20T102554Z.log`).
    file_day: Option<(LocalTime, String)>,
    /// The newest plausible modification time of an archive member, and that member.
    mtime: Option<(Timestamp, String)>,
    /// `/proc/stat`'s `btime`: the boot time the kernel states, and where.
    btime: Option<(Timestamp, String)>,
    /// Seconds the host had been up when collected (`uptime`, `/proc/uptime`), and where.
    uptime: Option<(u64, String)>,
}

/// Archive member times before this (1990-01-01) are not the node's: an archiver that wrote
/// none (0, 1970), a reproducible build's fixed time.
const MTIME_MIN: i64 = 631_152_000;
/// Nor after this (2200-01-01), the latest year a date in a name is read as.
const MTIME_MAX: i64 = 7_258_118_400;
/// One day, in microseconds.
const DAY_US: i64 = 86_400_000_000;
/// How far past the newest time a record states an archive member time is still the collection
/// time (a node whose logs stopped before it was collected). An archive written more than a
/// year after its logs was packed again later, and its times say when.
const MTIME_AFTER_RECORDS_US: i64 = 366 * DAY_US;

/// A kernel line seen with both a wall time and a monotonic time, to estimate the boot time.
#[derive(Clone, Copy, Debug)]
pub struct BootHint {
    /// The wall time as stated.
    pub wall: RawTime,
    /// Its year epoch within its member.
    pub epoch: u16,
    /// The member's year summary.
    pub years: YearSummary,
    /// Microseconds since boot.
    pub mono: u64,
}

impl ClockBuilder {
    /// An empty builder.
    pub fn new() -> ClockBuilder {
        ClockBuilder::default()
    }

    /// Reads `date` output (`Fri Feb 11 19:23:39 UTC 2022`; `date --utc` gives UTC).
    pub fn add_date(&mut self, path: &str, text: &[u8]) {
        let line = String::from_utf8_lossy(text);
        let line = line.trim();
        let parts: Vec<&str> = line.split_whitespace().collect();
        // weekday month day HH:MM:SS ZONE year
        if parts.len() < 6 {
            return;
        }
        let month = crate::base::time::month_abbr(parts[1].as_bytes());
        let day: Option<u8> = parts[2].parse().ok();
        let hms = crate::base::time::hms(parts[3].as_bytes());
        let year: Option<i16> = parts[parts.len() - 1].parse().ok();
        let (Some(month), Some(day), Some((hour, minute, second)), Some(year)) =
            (month, day, hms, year)
        else {
            return;
        };
        let local = LocalTime {
            year: Some(year),
            month,
            day,
            hour,
            minute,
            second,
            micros: 0,
        };
        let zone = parts[4];
        if matches!(zone, "UTC" | "GMT" | "Z") {
            let days = crate::base::time::days_from_civil(year.into(), month.into(), day.into());
            let secs =
                days * 86400 + i64::from(hour) * 3600 + i64::from(minute) * 60 + i64::from(second);
            if self.date_utc.is_none() || path.contains("utc") {
                self.date_utc = Some((Timestamp::from_secs_micros(secs, 0), path.to_string()));
            }
        } else if self.date_local.is_none() {
            self.date_local = Some((local, path.to_string()));
        }
    }

    /// Reads `timedatectl` output: universal time and time zone.
    pub fn add_timedatectl(&mut self, path: &str, text: &[u8]) {
        for line in text.split(|&b| b == b'\n') {
            let line = String::from_utf8_lossy(line);
            let line = line.trim();
            if let Some(rest) = line.strip_prefix("Universal time:") {
                // `Fri 2022-02-11 19:23:39 UTC`
                let rest = rest.trim();
                let iso = rest.split_once(' ').map(|(_, r)| r).unwrap_or(rest);
                if let Some((local, _)) = crate::base::time::parse_iso_local(iso.as_bytes()) {
                    if let Some(ts) =
                        Clock::default().local_to_utc(local.year.unwrap_or(1970), &local)
                    {
                        if self.date_utc.is_none() {
                            self.date_utc = Some((ts, path.to_string()));
                        }
                    }
                }
            } else if let Some(rest) = line.strip_prefix("Time zone:") {
                let name = rest.split_whitespace().next().unwrap_or("");
                if let Ok(tz) = jiff::tz::TimeZone::get(name) {
                    if self.tz.is_none() {
                        self.tz = Some((tz, Some(name.to_string())));
                    }
                }
            }
        }
    }

    /// Reads `etc/localtime` (TZif bytes). The zone name is guessed from nothing; kept unnamed.
    pub fn add_localtime(&mut self, data: &[u8]) {
        if let Ok(tz) = jiff::tz::TimeZone::tzif("localtime", data) {
            // timedatectl names the zone; the TZif file is authoritative for the rules.
            let name = self.tz.as_ref().and_then(|(_, n)| n.clone());
            self.tz = Some((tz, name));
        }
    }

    /// Names the host zone (`Asia/Shanghai`, from the `etc/localtime` link target); used when no
    /// TZif bytes or `timedatectl` zone say otherwise.
    pub fn add_zone_name(&mut self, name: &str) {
        match &mut self.tz {
            Some((_, n @ None)) => *n = Some(name.to_string()),
            Some(_) => {}
            None => {
                if let Ok(tz) = jiff::tz::TimeZone::get(name) {
                    self.tz = Some((tz, Some(name.to_string())));
                }
            }
        }
    }

    /// Notes an input's name: a sosreport's (`sosreport-node1-2022-02-11-abcdef.tar.xz`,
    /// `sosreport-node1-2020-08-20`) names its collection day, taken as the end of that day in
    /// the host zone when nothing else states the collection time.
    pub fn add_input_name(&mut self, name: &str) {
        if self.named.is_some() {
            return;
        }
        let base = name.rsplit(['/', '\\']).next().unwrap_or(name);
        if !base.starts_with("sosreport-") {
            return;
        }
        let b = base.as_bytes();
        for i in 0..b.len().saturating_sub(10) {
            let w = &b[i..i + 11];
            let shape = w[0] == b'-'
                && w[5] == b'-'
                && w[8] == b'-'
                && [1, 2, 3, 4, 6, 7, 9, 10]
                    .iter()
                    .all(|&k| w[k].is_ascii_digit());
            let ends = b.get(i + 11).is_none_or(|c| !c.is_ascii_digit());
            if !shape || !ends {
                continue;
            }
            let num = |r: std::ops::Range<usize>| -> Option<u32> {
                std::str::from_utf8(&w[r]).ok()?.parse().ok()
            };
            let (Some(y), Some(m), Some(d)) = (num(1..5), num(6..8), num(9..11)) else {
                continue;
            };
            if (1990..=2200).contains(&y) && (1..=12).contains(&m) && (1..=31).contains(&d) {
                self.named = Some((
                    LocalTime {
                        year: Some(y as i16),
                        month: m as u8,
                        day: d as u8,
                        hour: 23,
                        minute: 59,
                        second: 59,
                        micros: 0,
                    },
                    base.to_string(),
                ));
                return;
            }
        }
    }

    /// Reads the header `journalctl` writes before its first entry: `-- Logs begin at Fri
    /// 2022-02-11 10:00:01 UTC, end at Sat 2022-02-12 08:00:00 UTC. --` (systemd before v247) or
    /// `-- Journal begins at Fri 2022-02-11 10:00:01 CET, ends at … --` (v247 on). Only the
    /// first lines of `head` are looked at (the header leads the output; `--` lines of a
    /// catalog or a boot come later). The end time (the start when no end is given) anchors the
    /// clock, and the zone abbreviation, when it names a zone, is the host zone unless
    /// `etc/localtime` or `timedatectl` say otherwise.
    pub fn add_journal_header(&mut self, path: &str, head: &[u8]) {
        if self.journal.is_some() {
            return;
        }
        for line in head.split(|&b| b == b'\n').take(4) {
            let line = line.strip_suffix(b"\r").unwrap_or(line);
            let rest = line
                .strip_prefix(b"-- Logs begin at ")
                .or_else(|| line.strip_prefix(b"-- Journal begins at "));
            let Some(rest) = rest else {
                continue;
            };
            let end = find(rest, b", end at ")
                .map(|i| &rest[i + 9..])
                .or_else(|| find(rest, b", ends at ").map(|i| &rest[i + 10..]));
            let Some((local, zone)) = end.and_then(header_time).or_else(|| header_time(rest))
            else {
                return;
            };
            let tz = header_zone(zone);
            let Some(ts) = zoned_instant(tz.as_ref().unwrap_or(&jiff::tz::TimeZone::UTC), &local)
            else {
                return;
            };
            self.journal = Some((ts, path.to_string()));
            if let Some(tz) = tz {
                if self.header_tz.is_none() {
                    self.header_tz = Some((tz, zone.to_string()));
                }
            }
            return;
        }
    }

    /// Notes a wall time with a year in the host zone (`dmesg -T`'s `[Fri Feb 11 10:00:01
    /// 2022]`); the newest one anchors the clock as the newest absolute time does.
    pub fn observe_local(&mut self, t: LocalTime) {
        if t.year.is_none() {
            return;
        }
        let key = |t: &LocalTime| (t.year, t.month, t.day, t.hour, t.minute, t.second);
        if self.newest_local.as_ref().is_none_or(|n| key(&t) > key(n)) {
            self.newest_local = Some(t);
        }
    }

    /// Notes a member's path: a date stamped in its file name (`messages-20220211`, logrotate's
    /// `-YYYYMMDD`, `goroutine-stacks-2020-08-20T102554Z.log`) is a day the host was up; the
    /// newest such day anchors the clock when nothing stronger states the time.
    pub fn add_member_name(&mut self, path: &str) {
        let base = path.rsplit(['/', '\\']).next().unwrap_or(path);
        if base.starts_with("sosreport-") {
            return;
        }
        let Some(day) = name_day(base) else {
            return;
        };
        let key = |t: &LocalTime| (t.year, t.month, t.day);
        if self
            .file_day
            .as_ref()
            .is_none_or(|(n, _)| key(&day) > key(n))
        {
            self.file_day = Some((day, path.to_string()));
        }
    }

    /// Notes an absolute time seen in a log (the newest one is the fallback anchor).
    pub fn observe_absolute(&mut self, ts: Timestamp) {
        if self.newest.is_none_or(|n| ts > n) {
            self.newest = Some(ts);
        }
    }

    /// Notes the modification time an archive entry states for member `path`, in seconds since
    /// the epoch ([`Member::mtime`](crate::input::Member::mtime)). A sosreport's command
    /// outputs are written while it is collected, and a hand-made archive of logs is packed
    /// after their last line: the newest member time is the collection time, or close after
    /// it. Times before 1990 (0 and 1970: no time written) and after 2200 are not taken.
    /// [`finish`](Self::finish) weighs the newest against the other anchors: it is not trusted
    /// past the end of the day a sosreport's name states, before a day a member's file name
    /// stamps, before the newest time a record states, nor more than a year after it.
    pub fn add_mtime(&mut self, path: &str, secs: i64) {
        if !(MTIME_MIN..MTIME_MAX).contains(&secs) {
            return;
        }
        let ts = Timestamp::from_secs_micros(secs, 0);
        if self.mtime.as_ref().is_none_or(|(n, _)| ts > *n) {
            self.mtime = Some((ts, path.to_string()));
        }
    }

    /// Notes the boot time `/proc/stat` states (`btime 1644566400`), read from `path`.
    pub fn add_btime(&mut self, path: &str, secs: i64) {
        if self.btime.is_none() && secs > 0 {
            self.btime = Some((Timestamp::from_secs_micros(secs, 0), path.to_string()));
        }
    }

    /// Notes how long the host had been up when collected (`uptime`'s ` 10:12:22 up 3 days,
    /// 2:01,`, `/proc/uptime`'s `12345.67 890.12`), read from `path`. With a collection time
    /// that a `date` output or an archive member time states, it gives the boot time when no
    /// kernel line or `btime` does (to the minute `uptime` prints).
    pub fn add_uptime(&mut self, path: &str, secs: u64) {
        if self.uptime.is_none() {
            self.uptime = Some((secs, path.to_string()));
        }
    }

    /// Notes a kernel line with both a wall time and a monotonic time.
    pub fn add_boot_hint(&mut self, hint: BootHint) {
        if self.boot_hints.len() < 64 {
            self.boot_hints.push(hint);
        }
    }

    /// Merges another builder (from a parallel worker).
    pub fn merge(&mut self, other: ClockBuilder) {
        if self.date_utc.is_none() {
            self.date_utc = other.date_utc;
        }
        if self.date_local.is_none() {
            self.date_local = other.date_local;
        }
        if self.tz.is_none() {
            self.tz = other.tz;
        }
        if let Some(n) = other.newest {
            self.observe_absolute(n);
        }
        for h in other.boot_hints {
            self.add_boot_hint(h);
        }
        if self.named.is_none() {
            self.named = other.named;
        }
        if self.journal.is_none() {
            self.journal = other.journal;
        }
        if self.header_tz.is_none() {
            self.header_tz = other.header_tz;
        }
        if let Some(t) = other.newest_local {
            self.observe_local(t);
        }
        if let Some((d, p)) = other.file_day {
            let key = |t: &LocalTime| (t.year, t.month, t.day);
            if self.file_day.as_ref().is_none_or(|(n, _)| key(&d) > key(n)) {
                self.file_day = Some((d, p));
            }
        }
        if let Some((t, p)) = other.mtime {
            if self.mtime.as_ref().is_none_or(|(n, _)| t > *n) {
                self.mtime = Some((t, p));
            }
        }
        if self.btime.is_none() {
            self.btime = other.btime;
        }
        if self.uptime.is_none() {
            self.uptime = other.uptime;
        }
    }

    /// Builds the clock.
    pub fn finish(self) -> Clock {
        let mut clock = Clock::default();
        if let Some((tz, name)) = self.tz {
            clock.tz = tz;
            clock.tz_name = name;
        } else if let Some((tz, abbr)) = self.header_tz {
            clock.tz_name = Some(tz.iana_name().unwrap_or(&abbr).to_string());
            clock.tz = tz;
        }
        // Order (docs/formats.md, "Time"): statements of the collection time, then the newest
        // time a record states with its year, then what names and dates of files say.
        let newest_local = self
            .newest_local
            .and_then(|l| clock.local_to_utc(l.year.unwrap_or(ASSUMED_YEAR), &l));
        let newest = match (self.newest, newest_local) {
            (Some(a), Some(b)) => Some(a.max(b)),
            (a, b) => a.or(b),
        };
        let named = self
            .named
            .and_then(|(l, src)| Some((clock.local_to_utc(l.year?, &l)?, src)));
        let file_day = self
            .file_day
            .and_then(|(l, src)| Some((clock.local_to_utc(l.year?, &l)?, src)));
        // The newest archive member time, unless another anchor contradicts it: later than the
        // collection day a sosreport's name states, earlier than a day a file name stamps
        // (both end of day: a day of slack either side for the zone), earlier than a record.
        let mtime = self.mtime.filter(|(m, _)| {
            named.as_ref().is_none_or(|(d, _)| m.0 <= d.0 + DAY_US)
                && file_day
                    .as_ref()
                    .is_none_or(|(d, _)| m.0 >= d.0 - 2 * DAY_US)
                && newest.is_none_or(|n| m.0 >= n.0 - DAY_US && m.0 - n.0 <= MTIME_AFTER_RECORDS_US)
        });
        let mtime_source = |p: &str| format!("modification time of {p} in the archive");
        // Whether the anchor states the collection time itself (not a bound of it): only then
        // does it less the uptime give the boot time.
        let mut collected = false;
        if let Some((ts, src)) = self.date_utc {
            clock.anchor = Some(ts);
            clock.anchor_source = Some(src);
            collected = true;
        } else if let Some((local, src)) = self.date_local {
            clock.anchor = clock.local_to_utc(local.year.unwrap_or(1970), &local);
            clock.anchor_source = Some(src);
            collected = true;
        } else if let Some((ts, src)) = self.journal {
            clock.anchor = Some(ts);
            clock.anchor_source = Some(format!("journal header of {src}"));
        } else if let Some(n) = newest {
            match mtime {
                Some((m, p)) if m > n => {
                    clock.anchor = Some(m);
                    clock.anchor_source = Some(mtime_source(&p));
                    collected = true;
                }
                _ => {
                    clock.anchor = Some(n);
                    clock.anchor_source = Some("newest time in the logs".into());
                }
            }
        } else if let Some((m, p)) = mtime {
            clock.anchor = Some(m);
            clock.anchor_source = Some(mtime_source(&p));
            collected = true;
        } else if let Some((ts, src)) = named {
            clock.anchor = Some(ts);
            clock.anchor_source = Some(src);
        } else if let Some((ts, src)) = file_day {
            clock.anchor = Some(ts);
            clock.anchor_source = Some(format!("date in the name of {src}"));
        }
        // Boot time: the median of wall − mono over the hints (robust to a stray line).
        let mut boots: Vec<i64> = self
            .boot_hints
            .iter()
            .filter_map(|h| {
                clock
                    .resolve(&h.wall, h.epoch, &h.years)
                    .and_then(|w| w.0.checked_sub(i64::try_from(h.mono).ok()?))
            })
            .collect();
        boots.sort_unstable();
        if !boots.is_empty() {
            clock.boot = Some(Timestamp(boots[boots.len() / 2]));
            clock.boot_source = Some("kernel monotonic times in the logs".into());
        } else if let Some((ts, src)) = self.btime {
            clock.boot = Some(ts);
            clock.boot_source = Some(src);
        } else if let (Some((up, src)), Some(at), true) = (self.uptime, clock.anchor, collected) {
            let up = i64::try_from(up)
                .unwrap_or(i64::MAX)
                .saturating_mul(1_000_000);
            clock.boot = Timestamp::checked(at.0.saturating_sub(up));
            clock.boot_source = clock.boot.map(|_| {
                format!(
                    "{} minus uptime {src}",
                    clock.anchor_source.as_deref().unwrap_or("collection time")
                )
            });
        }
        clock
    }
}

/// Position of `needle` in `hay`.
fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    memchr::memmem::find(hay, needle)
}

/// A journal header's time: `Fri 2022-02-11 10:00:01 UTC` (weekday, ISO date and time, zone
/// abbreviation); the zone is returned as written.
fn header_time(b: &[u8]) -> Option<(LocalTime, &str)> {
    let sp = memchr::memchr(b' ', b)?;
    let rest = &b[sp + 1..];
    let (local, n) = crate::base::time::parse_iso_local(rest)?;
    local.year?;
    let after = rest[n..].strip_prefix(b" ").unwrap_or(&rest[n..]);
    let zlen = after
        .iter()
        .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, b'+' | b'-' | b'/' | b'_'))
        .count();
    let zone = std::str::from_utf8(&after[..zlen]).ok()?;
    Some((local, zone))
}

/// The zone a journal header's abbreviation stands for: `UTC`, a zone of that name (`CET`,
/// `EET`, `WET`, `MET`), or the zone whose summer or winter abbreviation it is. Ambiguous
/// abbreviations (`CST`: China or US Central; `IST`) name none.
fn header_zone(abbr: &str) -> Option<jiff::tz::TimeZone> {
    let name = match abbr {
        "UTC" | "GMT" | "Z" | "UCT" => return Some(jiff::tz::TimeZone::UTC),
        "CEST" => "CET",
        "EEST" => "EET",
        "WEST" => "WET",
        "MEST" => "MET",
        "EST" | "EDT" => "EST5EDT",
        "CDT" => "CST6CDT",
        "MST" | "MDT" => "MST7MDT",
        "PST" | "PDT" => "PST8PDT",
        "BST" => "Europe/London",
        "JST" => "Asia/Tokyo",
        "KST" => "Asia/Seoul",
        "MSK" => "Europe/Moscow",
        "HKT" => "Asia/Hong_Kong",
        "CST" | "IST" | "AST" => return None,
        other => other,
    };
    jiff::tz::TimeZone::get(name).ok()
}

/// A civil time with a year in `tz`.
fn zoned_instant(tz: &jiff::tz::TimeZone, t: &LocalTime) -> Option<Timestamp> {
    let clock = Clock {
        tz: tz.clone(),
        ..Clock::default()
    };
    clock.local_to_utc(t.year?, t)
}

/// The day a file name stamps: `YYYY-MM-DD` or `YYYYMMDD` standing alone (not inside a longer
/// run of digits), with a plausible year; the newest in the name if several.
fn name_day(name: &str) -> Option<LocalTime> {
    let b = name.as_bytes();
    let digit = |i: usize| b.get(i).is_some_and(u8::is_ascii_digit);
    let num = |r: std::ops::Range<usize>| -> Option<u32> {
        std::str::from_utf8(b.get(r)?).ok()?.parse().ok()
    };
    let mut best: Option<LocalTime> = None;
    for i in 0..b.len() {
        if !digit(i) || (i > 0 && digit(i - 1)) {
            continue;
        }
        let (y, m, d, end) = if b.get(i + 4) == Some(&b'-') && b.get(i + 7) == Some(&b'-') {
            (num(i..i + 4), num(i + 5..i + 7), num(i + 8..i + 10), i + 10)
        } else {
            (num(i..i + 4), num(i + 4..i + 6), num(i + 6..i + 8), i + 8)
        };
        if end > b.len() || digit(end) || !(i..end).all(|k| digit(k) || b[k] == b'-') {
            continue;
        }
        let (Some(y), Some(m), Some(d)) = (y, m, d) else {
            continue;
        };
        if !((1990..=2200).contains(&y) && (1..=12).contains(&m) && (1..=31).contains(&d)) {
            continue;
        }
        let t = LocalTime {
            year: Some(y as i16),
            month: m as u8,
            day: d as u8,
            hour: 23,
            minute: 59,
            second: 59,
            micros: 0,
        };
        if best.is_none_or(|b| (b.year, b.month, b.day) < (t.year, t.month, t.day)) {
            best = Some(t);
        }
    }
    best
}

/// Reads a duration written by a person (a rule's `window` and `within`, `timeline --window`):
/// `90s`, `10m`, `2h`, `1h30m`, `1d`, or a bare number of seconds. Returns microseconds, or why
/// the text is not a duration (out of range included: every step is checked).
pub fn parse_duration(text: &str) -> Result<i64, &'static str> {
    let t = text.trim();
    if t.is_empty() {
        return Err("empty");
    }
    if let Ok(secs) = t.parse::<i64>() {
        return secs
            .checked_mul(1_000_000)
            .filter(|v| *v >= 0)
            .ok_or("out of range");
    }
    let mut total: i64 = 0;
    let mut num: Option<i64> = None;
    for c in t.chars() {
        if let Some(d) = c.to_digit(10) {
            num = Some(
                num.unwrap_or(0)
                    .checked_mul(10)
                    .and_then(|v| v.checked_add(i64::from(d)))
                    .ok_or("out of range")?,
            );
            continue;
        }
        let unit: i64 = match c {
            's' => 1,
            'm' => 60,
            'h' => 3600,
            'd' => 86_400,
            _ => return Err("use a number with s, m, h or d (e.g. 10m, 1h30m)"),
        };
        let n = num.take().ok_or("a unit needs a number before it")?;
        total = n
            .checked_mul(unit * 1_000_000)
            .and_then(|v| total.checked_add(v))
            .ok_or("out of range")?;
    }
    if num.is_some() {
        return Err("a number needs a unit after it");
    }
    Ok(total)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn local(month: u8, day: u8) -> RawTime {
        RawTime::Local(LocalTime {
            year: None,
            month,
            day,
            hour: 10,
            minute: 0,
            second: 0,
            micros: 0,
        })
    }

    #[test]
    fn durations_are_checked() {
        let table: &[(&str, Result<i64, &str>)] = &[
            ("90", Ok(90)),
            ("90s", Ok(90)),
            ("10m", Ok(600)),
            ("1h30m", Ok(5400)),
            ("2d", Ok(172_800)),
            ("10", Ok(10)),
            ("-10", Err("out of range")),
            ("222222222222222221h", Err("out of range")),
            ("9223372036854775807", Err("out of range")),
            ("4000000000000d", Err("out of range")),
            ("", Err("empty")),
            ("m", Err("a unit needs a number before it")),
            ("5m3", Err("a number needs a unit after it")),
            (
                "10x",
                Err("use a number with s, m, h or d (e.g. 10m, 1h30m)"),
            ),
            ("99999999999999999999m", Err("out of range")),
        ];
        for (text, want) in table {
            assert_eq!(parse_duration(text).map(|v| v / 1_000_000), *want, "{text}");
        }
    }

    #[test]
    fn rfc3339_round_trip() {
        let t = Timestamp::parse_rfc3339(b"2021-05-12T09:08:40.642410594+08:00").unwrap();
        assert_eq!(t.to_rfc3339(), "2021-05-12T01:08:40.642410Z");
        let t = Timestamp::parse_rfc3339(b"2022-02-11T19:23:39Z").unwrap();
        assert_eq!(t.to_rfc3339(), "2022-02-11T19:23:39Z");
    }

    #[test]
    fn years_walk_backwards_from_the_anchor() {
        // A log that runs from November 2020 across New Year into January 2021, collected on
        // 2021-01-15: the first lines are 2020, the last 2021.
        let clock = Clock {
            anchor: Timestamp::parse_rfc3339(b"2021-01-15T00:00:00Z"),
            ..Clock::default()
        };
        let mut tr = YearTracker::new();
        let e_nov = tr.observe(&local(11, 30));
        let e_dec = tr.observe(&local(12, 31));
        let e_jan = tr.observe(&local(1, 2));
        let sum = tr.finish();
        let y =
            |raw: &RawTime, e| clock.resolve(raw, e, &sum).unwrap().to_rfc3339()[..4].to_string();
        assert_eq!(y(&local(11, 30), e_nov), "2020");
        assert_eq!(y(&local(12, 31), e_dec), "2020");
        assert_eq!(y(&local(1, 2), e_jan), "2021");
    }

    #[test]
    fn a_log_ending_after_the_anchor_date_is_from_the_previous_year() {
        // Collected 2021-01-02, log ends Dec 20: that December is 2020.
        let clock = Clock {
            anchor: Timestamp::parse_rfc3339(b"2021-01-02T00:00:00Z"),
            ..Clock::default()
        };
        let mut tr = YearTracker::new();
        let e = tr.observe(&local(12, 20));
        let ts = clock.resolve(&local(12, 20), e, &tr.finish()).unwrap();
        assert_eq!(ts.to_rfc3339(), "2020-12-20T10:00:00Z");
    }

    #[test]
    fn clock_from_bundle_files() {
        // Shapes from the real sosreport (sos 4.2, Ubuntu 20.04): sos_commands/date/date and
        // sos_commands/systemd/timedatectl.
        let mut b = ClockBuilder::new();
        b.add_timedatectl(
            "sos_commands/systemd/timedatectl",
            b"               Local time: Fri 2022-02-11 19:23:40 UTC\n           Universal time: Fri 2022-02-11 19:23:40 UTC\n                Time zone: Etc/UTC (UTC, +0000)\n",
        );
        b.add_date(
            "sos_commands/date/date_--utc",
            b"Fri Feb 11 19:23:39 UTC 2022\n",
        );
        let c = b.finish();
        assert_eq!(c.anchor.unwrap().to_rfc3339(), "2022-02-11T19:23:39Z");
        assert_eq!(
            c.anchor_source.as_deref(),
            Some("sos_commands/date/date_--utc")
        );
        assert_eq!(c.tz_name.as_deref(), Some("Etc/UTC"));

        let mut b = ClockBuilder::new();
        b.add_timedatectl("t", b"Time zone: Asia/Shanghai (CST, +0800)\n");
        b.add_date("sos_commands/date/date", b"Thu Aug 20 18:30:00 CST 2020\n");
        let c = b.finish();
        assert_eq!(c.anchor.unwrap().to_rfc3339(), "2020-08-20T10:30:00Z");
    }

    #[test]
    fn boot_time_from_kernel_hints() {
        let mut b = ClockBuilder::new();
        b.add_date("date", b"Fri Feb 11 19:23:39 UTC 2022");
        let wall = RawTime::Local(LocalTime {
            year: None,
            month: 2,
            day: 11,
            hour: 18,
            minute: 58,
            second: 38,
            micros: 0,
        });
        let years = YearSummary {
            last_epoch: 0,
            last_month_day: Some((2, 11)),
        };
        b.add_boot_hint(BootHint {
            wall,
            epoch: 0,
            years,
            mono: 10_000_000,
        });
        let c = b.finish();
        assert_eq!(c.boot.unwrap().to_rfc3339(), "2022-02-11T18:58:28Z");
        assert_eq!(
            c.resolve(&RawTime::Monotonic(5_500_000), 0, &years)
                .unwrap()
                .to_rfc3339(),
            "2022-02-11T18:58:33.500000Z"
        );
    }

    #[test]
    fn zone_is_applied() {
        let clock = Clock {
            anchor: Timestamp::parse_rfc3339(b"2020-08-21T00:00:00Z"),
            tz: jiff::tz::TimeZone::get("Asia/Shanghai").unwrap(),
            ..Clock::default()
        };
        let raw = RawTime::Local(LocalTime {
            year: None,
            month: 8,
            day: 20,
            hour: 10,
            minute: 25,
            second: 54,
            micros: 561334,
        });
        let ts = clock.resolve(
            &raw,
            0,
            &YearSummary {
                last_epoch: 0,
                last_month_day: Some((8, 20)),
            },
        );
        assert_eq!(ts.unwrap().to_rfc3339(), "2020-08-20T02:25:54.561334Z");
    }

    #[test]
    fn a_sosreport_name_states_the_collection_day() {
        let at = |name: &str| {
            let mut b = ClockBuilder::default();
            b.add_input_name(name);
            b.finish().anchor.map(|t| t.to_string())
        };
        assert_eq!(
            at("/tmp/sosreport-k8stest-4-2022-02-11-abcdef.tar.xz").as_deref(),
            Some("2022-02-11T23:59:59Z")
        );
        assert_eq!(
            at("sosreport-node1-2020-08-20").as_deref(),
            Some("2020-08-20T23:59:59Z")
        );
        // Not a sosreport, not a date, a date inside a longer number.
        assert_eq!(at("messages-2022-02-11"), None);
        assert_eq!(at("sosreport-node1-2022-13-11"), None);
        assert_eq!(at("sosreport-node1-2022-02-111"), None);
        // Anything the bundle states comes first.
        let mut b = ClockBuilder::default();
        b.add_input_name("sosreport-node1-2022-02-11");
        b.add_date("sos_commands/date/date", b"Fri Jul 17 09:00:00 UTC 2020\n");
        assert_eq!(
            b.finish().anchor.map(|t| t.to_string()).as_deref(),
            Some("2020-07-17T09:00:00Z")
        );
    }

    fn anchor_of(b: ClockBuilder) -> (Option<String>, Option<String>) {
        let c = b.finish();
        (c.anchor.map(|t| t.to_string()), c.tz_name)
    }

    #[test]
    fn a_journal_header_states_the_collection_time_and_zone() {
        // systemd before v247: the end of the journal anchors, in UTC.
        let mut b = ClockBuilder::default();
        b.add_journal_header(
            "-",
            b"-- Logs begin at Fri 2022-02-11 10:00:01 UTC, end at Sat 2022-02-12 08:30:00 UTC. --\nFeb 11 10:00:01 node1 kernel: Linux version 5.4.0\n",
        );
        assert_eq!(
            anchor_of(b),
            (Some("2022-02-12T08:30:00Z".into()), Some("UTC".into()))
        );
        // v247 on, in CET (winter): the zone is the host's unless something stronger names one.
        let header = b"-- Journal begins at Fri 2022-02-11 10:00:01 CET, ends at Sat 2022-02-12 08:30:00 CET. --\n";
        let mut b = ClockBuilder::default();
        b.add_journal_header("journal.txt", header);
        assert_eq!(
            anchor_of(b),
            (Some("2022-02-12T07:30:00Z".into()), Some("CET".into()))
        );
        // Summer time: CEST is CET's summer name.
        let mut b = ClockBuilder::default();
        b.add_journal_header(
            "j",
            b"-- Journal begins at Mon 2021-06-14 10:00:01 CEST, ends at Tue 2021-06-15 12:00:00 CEST. --\n",
        );
        assert_eq!(anchor_of(b).0.as_deref(), Some("2021-06-15T10:00:00Z"));
        // No end stated: the start anchors.
        let mut b = ClockBuilder::default();
        b.add_journal_header("j", b"-- Logs begin at Wed 2020-07-15 10:00:00 UTC. --\n");
        assert_eq!(anchor_of(b).0.as_deref(), Some("2020-07-15T10:00:00Z"));
        // An ambiguous abbreviation names no zone; the year still holds.
        let mut b = ClockBuilder::default();
        b.add_journal_header(
            "j",
            b"-- Logs begin at Fri 2022-02-11 10:00:01 CST, end at Sat 2022-02-12 08:30:00 CST. --\n",
        );
        assert_eq!(anchor_of(b), (Some("2022-02-12T08:30:00Z".into()), None));
        // timedatectl's zone and `date` come first.
        let mut b = ClockBuilder::default();
        b.add_journal_header("j", header);
        b.add_timedatectl(
            "timedatectl",
            b"Universal time: Fri 2020-07-17 09:00:00 UTC\n     Time zone: Asia/Shanghai (CST, +0800)\n",
        );
        assert_eq!(
            anchor_of(b),
            (
                Some("2020-07-17T09:00:00Z".into()),
                Some("Asia/Shanghai".into())
            )
        );
        // `-- Boot …` and `-- No entries --` state nothing; nor does a header past the head.
        for text in [
            &b"-- No entries --\n"[..],
            b"-- Boot 0d4e9c0d3f5b4b7e9b3f6e1a2c4d5e6f --\n",
            b"a\nb\nc\nd\n-- Logs begin at Fri 2022-02-11 10:00:01 UTC, end at Sat 2022-02-12 08:30:00 UTC. --\n",
        ] {
            let mut b = ClockBuilder::default();
            b.add_journal_header("j", text);
            assert_eq!(anchor_of(b), (None, None));
        }
    }

    #[test]
    fn a_record_with_a_year_in_the_host_zone_anchors() {
        // `dmesg -T`: `[Fri Feb 11 10:00:01 2022]`, in the host zone.
        let t = |y, m, d, h| LocalTime {
            year: Some(y),
            month: m,
            day: d,
            hour: h,
            minute: 0,
            second: 1,
            micros: 0,
        };
        let mut b = ClockBuilder::default();
        b.add_zone_name("Europe/Berlin");
        b.observe_local(t(2022, 2, 11, 10));
        b.observe_local(t(2022, 2, 10, 23));
        assert_eq!(anchor_of(b).0.as_deref(), Some("2022-02-11T09:00:01Z"));
        // Against an absolute time, the newer one.
        let mut b = ClockBuilder::default();
        b.observe_local(t(2022, 2, 11, 10));
        b.observe_absolute(Timestamp::from_secs_micros(1_500_000_000, 0));
        assert_eq!(anchor_of(b).0.as_deref(), Some("2022-02-11T10:00:01Z"));
        // A journal header states the collection time: before records.
        let mut b = ClockBuilder::default();
        b.observe_local(t(2023, 1, 1, 0));
        b.add_journal_header(
            "j",
            b"-- Logs begin at Fri 2022-02-11 10:00:01 UTC, end at Sat 2022-02-12 08:30:00 UTC. --\n",
        );
        assert_eq!(anchor_of(b).0.as_deref(), Some("2022-02-12T08:30:00Z"));
    }

    #[test]
    fn dates_in_file_names_are_the_weakest_anchor() {
        let at = |names: &[&str]| {
            let mut b = ClockBuilder::default();
            for n in names {
                b.add_member_name(n);
            }
            b.finish().anchor.map(|t| t.to_string())
        };
        assert_eq!(
            at(&["var/log/messages-20220211"]).as_deref(),
            Some("2022-02-11T23:59:59Z")
        );
        assert_eq!(
            at(&["goroutine-stacks-2020-08-20T102554Z.log"]).as_deref(),
            Some("2020-08-20T23:59:59Z")
        );
        // The newest day of several rotations.
        assert_eq!(
            at(&[
                "var/log/messages-20220130",
                "var/log/messages-20220206",
                "var/log/messages"
            ])
            .as_deref(),
            Some("2022-02-06T23:59:59Z")
        );
        // No date: a longer number, an impossible month, a version.
        assert_eq!(at(&["core.202202111"]), None);
        assert_eq!(at(&["messages-20221311"]), None);
        assert_eq!(at(&["kernel-5.10.0-1234", "pid-12345678"]), None);
        // A sosreport's name comes before dates in member names; records before both.
        let mut b = ClockBuilder::default();
        b.add_member_name("var/log/messages-20220206");
        b.add_input_name("sosreport-node1-2022-02-11-abcdef.tar.xz");
        assert_eq!(anchor_of(b).0.as_deref(), Some("2022-02-11T23:59:59Z"));
        let mut b = ClockBuilder::default();
        b.add_member_name("var/log/messages-20220206");
        b.observe_absolute(Timestamp::from_secs_micros(1_500_000_000, 0));
        assert_eq!(anchor_of(b).0.as_deref(), Some("2017-07-14T02:40:00Z"));
    }

    /// Seconds since the epoch of a UTC ISO time.
    fn secs(iso: &str) -> i64 {
        Timestamp::parse_rfc3339(iso.as_bytes()).unwrap().0 / 1_000_000
    }

    #[test]
    fn archive_member_times_state_the_collection_time() {
        let of = |b: ClockBuilder| {
            let c = b.finish();
            (c.anchor.map(|t| t.to_string()), c.anchor_source)
        };
        // A sosreport's command outputs were written at collection; copied logs earlier.
        let mut b = ClockBuilder::default();
        b.add_mtime("var/log/messages", secs("2021-03-16T08:59:58Z"));
        b.add_mtime("sos_commands/host/uptime", secs("2021-03-16T09:02:11Z"));
        b.add_mtime("sos_commands/kernel/dmesg", secs("2021-03-16T09:02:05Z"));
        assert_eq!(
            of(b),
            (
                Some("2021-03-16T09:02:11Z".into()),
                Some("modification time of sos_commands/host/uptime in the archive".into())
            )
        );
        // No time written (0), 1970, and a time before 1990 are not taken; alone, the year
        // stays assumed.
        let mut b = ClockBuilder::default();
        for t in [0, 1, 86_400 * 365, secs("1989-12-31T23:59:59Z")] {
            b.add_mtime("var/log/messages", t);
        }
        assert!(b.finish().year_assumed());
        // `date` comes first.
        let mut b = ClockBuilder::default();
        b.add_mtime("var/log/messages", secs("2021-03-16T09:02:11Z"));
        b.add_date("sos_commands/date/date", b"Fri Jul 17 09:00:00 UTC 2020\n");
        assert_eq!(of(b).0.as_deref(), Some("2020-07-17T09:00:00Z"));
        // Past the day a sosreport's name states: packed again later, not trusted.
        let mut b = ClockBuilder::default();
        b.add_input_name("sosreport-node1-2021-03-16-abcdef.tar.xz");
        b.add_mtime("var/log/messages", secs("2023-05-02T11:00:00Z"));
        assert_eq!(
            of(b),
            (
                Some("2021-03-16T23:59:59Z".into()),
                Some("sosreport-node1-2021-03-16-abcdef.tar.xz".into())
            )
        );
        // Within that day: the member time is the more precise.
        let mut b = ClockBuilder::default();
        b.add_input_name("sosreport-node1-2021-03-16-abcdef.tar.xz");
        b.add_mtime("sos_commands/date/date", secs("2021-03-16T09:02:11Z"));
        assert_eq!(of(b).0.as_deref(), Some("2021-03-16T09:02:11Z"));
        // Before a day a rotated file's name stamps: not trusted.
        let mut b = ClockBuilder::default();
        b.add_member_name("var/log/messages-20220206");
        b.add_mtime("var/log/messages", secs("2021-03-16T09:02:11Z"));
        assert_eq!(of(b).0.as_deref(), Some("2022-02-06T23:59:59Z"));
        // Against the newest time a record states: later (a node whose logs stopped before it
        // was collected) it anchors; earlier, or more than a year later, the record does.
        let records = Timestamp::parse_rfc3339(b"2021-01-10T12:00:00Z").unwrap();
        for (mtime, want) in [
            ("2021-03-16T09:02:11Z", "2021-03-16T09:02:11Z"),
            ("2020-11-02T00:00:00Z", "2021-01-10T12:00:00Z"),
            ("2023-05-02T11:00:00Z", "2021-01-10T12:00:00Z"),
        ] {
            let mut b = ClockBuilder::default();
            b.observe_absolute(records);
            b.add_mtime("var/log/messages", secs(mtime));
            assert_eq!(of(b).0.as_deref(), Some(want), "{mtime}");
        }
        // Workers' builders merge to the newest.
        let mut a = ClockBuilder::default();
        a.add_mtime("a", secs("2021-03-16T09:00:00Z"));
        let mut b = ClockBuilder::default();
        b.add_mtime("b", secs("2021-03-16T09:02:11Z"));
        a.merge(b);
        assert_eq!(
            of(a).1.as_deref(),
            Some("modification time of b in the archive")
        );
    }

    #[test]
    fn uptime_and_btime_give_the_boot_time() {
        let boot = |b: ClockBuilder| {
            let c = b.finish();
            (c.boot.map(|t| t.to_string()), c.boot_source)
        };
        // `date` at collection, `uptime` then: ` 09:02:11 up 3 days,  2:01,  1 user, …`.
        let mut b = ClockBuilder::default();
        b.add_date(
            "sos_commands/date/date_--utc",
            b"Tue Mar 16 09:02:11 UTC 2021\n",
        );
        b.add_uptime("sos_commands/host/uptime", 3 * 86_400 + 2 * 3600 + 60);
        assert_eq!(
            boot(b),
            (
                Some("2021-03-13T07:01:11Z".into()),
                Some("sos_commands/date/date_--utc minus uptime sos_commands/host/uptime".into())
            )
        );
        // An archive member time is a collection time too; `/proc/uptime` in seconds.
        let mut b = ClockBuilder::default();
        b.add_mtime("proc/uptime", secs("2021-03-16T09:02:11Z"));
        b.add_uptime("proc/uptime", 12_345);
        assert_eq!(boot(b).0.as_deref(), Some("2021-03-16T05:36:26Z"));
        // A bound of the collection time (the newest record, a day in a name) is not.
        let mut b = ClockBuilder::default();
        b.observe_absolute(Timestamp::parse_rfc3339(b"2021-03-16T09:00:00Z").unwrap());
        b.add_uptime("sos_commands/host/uptime", 12_345);
        assert_eq!(boot(b), (None, None));
        let mut b = ClockBuilder::default();
        b.add_input_name("sosreport-node1-2021-03-16");
        b.add_uptime("sos_commands/host/uptime", 12_345);
        assert_eq!(boot(b), (None, None));
        // `btime` states the boot itself; kernel lines come first (their monotonic times are
        // what the boot time resolves).
        let mut b = ClockBuilder::default();
        b.add_date("date", b"Tue Mar 16 09:02:11 UTC 2021\n");
        b.add_uptime("sos_commands/host/uptime", 12_345);
        b.add_btime("proc/stat", secs("2021-03-16T05:36:00Z"));
        assert_eq!(
            boot(b),
            (
                Some("2021-03-16T05:36:00Z".into()),
                Some("proc/stat".into())
            )
        );
        // A raw dmesg stamp resolves against the boot `uptime` gave.
        let mut b = ClockBuilder::default();
        b.add_date("date", b"Tue Mar 16 09:02:11 UTC 2021\n");
        b.add_uptime("proc/uptime", 12_345);
        let c = b.finish();
        assert_eq!(
            c.resolve(&RawTime::Monotonic(518_050_606), 0, &YearSummary::default())
                .unwrap()
                .to_rfc3339(),
            "2021-03-16T05:45:04.050606Z"
        );
    }

    #[test]
    fn a_dangling_localtime_link_names_the_zone() {
        let mut b = ClockBuilder::default();
        b.add_zone_name("Europe/Berlin");
        b.add_date("date", b"Fri Feb 11 19:23:39 UTC 2022\n");
        let c = b.finish();
        assert_eq!(c.tz_name.as_deref(), Some("Europe/Berlin"));
        assert_eq!(c.anchor_civil().to_string(), "2022-02-11T20:23:39");
    }
}
