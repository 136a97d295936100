//! Records held for the timeline while the analysis reads the bundle: `nodemortem timeline`
//! reads its input once, through the same walk, limits and time budget as `analyze`.
//!
//! A record's time can only be resolved once the walk is over (the clock of its host is
//! finished then), so each log member (or chunk of one) keeps the records that can still be in
//! the selection, by their *provisional* time — the time as the line states it, with the year
//! epoch of its member ([`crate::model::time::YearTracker`]):
//!
//! * Records are held in groups, one per member and kind of stated time (an absolute instant,
//!   a wall-clock time with a year, one without, seconds since boot). Within a group, the
//!   resolved time grows with the provisional one (one clock and one year count resolve them
//!   all), so the order of the group is known before its clock is.
//! * Without `--around` ([`Keep::Earliest`]), a group keeps its earliest `limit` records (and
//!   every record of the instant at that edge): a record of a group with `limit` records
//!   before it has at least `limit` entries before it on the timeline, since one member's lines
//!   are never folded together, so it cannot be shown. The union is exact.
//! * With `--around TIME` ([`Keep::Near`]), a group keeps the records whose time can fall in the
//!   window once the host's zone and year are known: absolute instants inside it (and, of
//!   those, the earliest `limit`), wall-clock times within the window widened by the widest zone
//!   offset (14 hours, and 2 for a daylight-saving gap), times without a year by month, day and time of day in the years
//!   around the center; seconds since boot are all kept.
//! * With `--around RULE` ([`Keep::All`]), the center is only known with the findings, after the
//!   walk: every record of the chosen sources is held.
//!
//! Every member's groups together, and every member together, hold at most
//! [`RecordSpec::hold_max`] records; past that the latest records of the largest group are let
//! go and counted ([`Gathered::evicted`]), and the timeline says it may miss lines. A held line
//! is the first line of its record, at most [`TEXT_MAX`] bytes.
//!
//! After the walk, each host's records are resolved with that host's clock
//! ([`resolve_member`]); the timeline then selects, folds copies and limits.

use std::collections::{BTreeMap, BTreeSet};

use crate::base::time::{LocalTime, RawTime, Timestamp, days_from_civil};
use crate::model::time::{Clock, YearSummary};
use crate::parse::Record;

/// Bytes of a record's first line kept as its text.
pub(crate) const TEXT_MAX: usize = 400;

/// How far a wall-clock time may lie from the instant it names: the widest zone offsets
/// (UTC−12 … UTC+14) and two hours for a daylight-saving gap.
const ZONE_SLACK: i64 = 16 * 3_600_000_000;

/// Microseconds in a day.
const DAY: i64 = 86_400_000_000;

/// Which records a member keeps for the timeline.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Keep {
    /// The earliest `limit` of each group (no `--around`).
    Earliest,
    /// Those that can be within the window around this instant (`--around TIME`).
    Near(Timestamp),
    /// Every record (`--around RULE`: the center is known after the walk).
    All,
}

/// What the timeline wants of the walk.
#[derive(Clone, Debug)]
pub(crate) struct RecordSpec {
    /// Which records can be in the selection.
    pub(crate) keep: Keep,
    /// Half-width of the window, in microseconds.
    pub(crate) window: i64,
    /// Only these sources; empty keeps all.
    pub(crate) sources: Vec<String>,
    /// Most entries the timeline shows.
    pub(crate) limit: usize,
    /// Most records held over the whole walk.
    pub(crate) hold_max: usize,
}

/// The kinds of stated time: a group of records of one member shares one.
const KINDS: usize = 4;
const UTC: usize = 0;
const LOCAL_YEAR: usize = 1;
const YEARLESS: usize = 2;
const MONO: usize = 3;

impl RecordSpec {
    /// The most records a group of `kind` keeps because of the limit (none: only the hold bound).
    fn limit_of(&self, kind: usize) -> Option<usize> {
        match self.keep {
            Keep::Earliest => Some(self.limit.max(1)),
            // Absolute instants are judged exactly against the window.
            Keep::Near(_) if kind == UTC => Some(self.limit.max(1)),
            _ => None,
        }
    }

    /// True when a record stating `time` can be within the window once resolved.
    fn near(&self, time: &RawTime) -> bool {
        let Keep::Near(center) = self.keep else {
            return true;
        };
        let (c, w) = (center.0, self.window.max(0));
        match *time {
            RawTime::None => false,
            RawTime::Utc(ts) => ts.0 >= c.saturating_sub(w) && ts.0 <= c.saturating_add(w),
            RawTime::Monotonic(_) => true,
            RawTime::Local(t) => {
                let reach = w.saturating_add(ZONE_SLACK);
                let close = |year: i64| (civil_micros(year, &t) - c).abs() <= reach;
                match t.year {
                    Some(y) => close(i64::from(y)),
                    // Month and day, in the years around the center: cyclically.
                    None if reach >= 180 * DAY => true,
                    None => {
                        let cy = center.to_jiff().to_zoned(jiff::tz::TimeZone::UTC).year();
                        let cy = i64::from(cy);
                        (cy - 1..=cy + 1).any(close)
                    }
                }
            }
        }
    }
}

/// A civil time in `year` read as UTC, in microseconds (for distances only).
fn civil_micros(year: i64, t: &LocalTime) -> i64 {
    let days = days_from_civil(year, i64::from(t.month), i64::from(t.day));
    let secs =
        days * 86_400 + i64::from(t.hour) * 3600 + i64::from(t.minute) * 60 + i64::from(t.second);
    secs.saturating_mul(1_000_000)
        .saturating_add(i64::from(t.micros))
}

/// The group of a stated time and its order key within the group.
fn kind_key(time: &RawTime, epoch: u16) -> Option<(usize, u64)> {
    let civil = |year: u64, t: &LocalTime| {
        (year << 46)
            | (u64::from(t.month & 15) << 42)
            | (u64::from(t.day & 31) << 37)
            | (u64::from(t.hour & 31) << 32)
            | (u64::from(t.minute & 63) << 26)
            | (u64::from(t.second & 63) << 20)
            | u64::from(t.micros.min((1 << 20) - 1))
    };
    match time {
        RawTime::None => None,
        RawTime::Utc(ts) => Some((UTC, (ts.0 as u64) ^ (1 << 63))),
        RawTime::Monotonic(us) => Some((MONO, *us)),
        RawTime::Local(t) => Some(match t.year {
            Some(y) => (LOCAL_YEAR, civil((i32::from(y) + 32_768) as u64, t)),
            None => (YEARLESS, civil(u64::from(epoch), t)),
        }),
    }
}

/// One record held: what resolves its time and what the timeline shows of it.
#[derive(Clone, Debug)]
pub(crate) struct Held {
    time: RawTime,
    epoch: u16,
    line: u32,
    source: String,
    text: String,
}

/// The records of one group, by provisional time; records of one instant in line order.
#[derive(Clone, Debug, Default)]
struct Group {
    by_key: BTreeMap<u64, Vec<Held>>,
    len: usize,
}

impl Group {
    /// False when a record at `key` comes after the `limit` held ones.
    fn takes(&self, key: u64, limit: Option<usize>) -> bool {
        match limit {
            Some(limit) if self.len >= limit => {
                self.by_key.last_key_value().is_none_or(|(&k, _)| key <= k)
            }
            _ => true,
        }
    }

    /// Holds `h`, then lets go of the latest instants beyond `limit` (each counted in `let_go`).
    fn push(&mut self, key: u64, h: Held, limit: Option<usize>, let_go: &mut u64) {
        if !self.takes(key, limit) {
            *let_go += 1;
            return;
        }
        self.by_key.entry(key).or_default().push(h);
        self.len += 1;
        if let Some(limit) = limit {
            // The records of the last instant go only when the others are `limit` already.
            while let Some(last) = self.by_key.last_entry() {
                let n = last.get().len();
                if self.len - n < limit {
                    break;
                }
                last.remove();
                self.len -= n;
                *let_go += n as u64;
            }
        }
    }

    /// Lets go of the latest instant; returns how many records it held.
    fn pop_last(&mut self) -> usize {
        let n = self.by_key.pop_last().map_or(0, |(_, v)| v.len());
        self.len -= n;
        n
    }
}

/// What one log member (or one chunk of it) holds for the timeline, and what it counted.
#[derive(Clone, Debug, Default)]
pub(crate) struct Records {
    groups: [Group; KINDS],
    /// Records of the selection let go by the limit, per group kind: all later than what is
    /// held, so beyond the limit once resolved.
    let_go: [u64; KINDS],
    /// Records without a time.
    untimed: u64,
    /// Records timed since boot (untimed when the host's boot time is unknown).
    mono: u64,
    /// Sources seen, when the timeline is restricted to some.
    seen: BTreeSet<String>,
    /// Records of the selection let go over the hold bound.
    evicted: u64,
}

impl Records {
    /// Records held.
    pub(crate) fn len(&self) -> usize {
        self.groups.iter().map(|g| g.len).sum()
    }

    /// Lets go of the latest instant of the largest group; returns how many records it held.
    fn evict(&mut self) -> usize {
        let Some(g) = self.groups.iter_mut().max_by_key(|g| g.len) else {
            return 0;
        };
        let n = g.pop_last();
        self.evicted += n as u64;
        n
    }

    /// Renumbers a chunk's records into its member: lines and year epochs.
    pub(crate) fn shift(&mut self, line: impl Fn(u32) -> u32, epoch: impl Fn(u16) -> u16) {
        for (kind, g) in self.groups.iter_mut().enumerate() {
            let old = std::mem::take(&mut g.by_key);
            for (key, mut hs) in old {
                for h in &mut hs {
                    h.line = line(h.line);
                    h.epoch = epoch(h.epoch);
                }
                // Only times without a year carry the epoch in their key.
                let key = match (kind, hs.first()) {
                    (YEARLESS, Some(h)) => kind_key(&h.time, h.epoch).map_or(key, |(_, k)| k),
                    _ => key,
                };
                g.by_key.entry(key).or_default().extend(hs);
            }
        }
    }

    /// Adds the records of the next chunk of the same member (already [`shift`](Self::shift)ed).
    pub(crate) fn absorb(&mut self, other: Records, spec: &RecordSpec) {
        for (kind, g) in other.groups.into_iter().enumerate() {
            let limit = spec.limit_of(kind);
            for (key, hs) in g.by_key {
                for h in hs {
                    self.groups[kind].push(key, h, limit, &mut self.let_go[kind]);
                }
            }
        }
        for k in 0..KINDS {
            self.let_go[k] += other.let_go[k];
        }
        self.untimed += other.untimed;
        self.mono += other.mono;
        self.evicted += other.evicted;
        self.seen.extend(other.seen);
        while self.len() > spec.hold_max && self.evict() > 0 {}
    }
}

/// Keeps a member's (or chunk's) records as the analysis reads them.
pub(crate) struct Collector<'s> {
    spec: &'s RecordSpec,
    out: Records,
}

impl<'s> Collector<'s> {
    /// A collector for one member or chunk.
    pub(crate) fn new(spec: &'s RecordSpec) -> Collector<'s> {
        Collector {
            spec,
            out: Records::default(),
        }
    }

    /// Looks at the next record of the member, in file order, with its year epoch.
    pub(crate) fn record(&mut self, rec: &Record<'_>, epoch: u16) {
        let spec = self.spec;
        let out = &mut self.out;
        let Some((kind, key)) = kind_key(&rec.time, epoch) else {
            out.untimed += 1;
            return;
        };
        if kind == MONO {
            out.mono += 1;
        }
        let source = rec.source_name();
        if !spec.sources.is_empty() {
            if !out.seen.contains(&*source) {
                out.seen.insert(source.to_string());
            }
            if !spec.sources.iter().any(|s| *s == source) {
                return;
            }
        }
        if !spec.near(&rec.time) {
            return;
        }
        let limit = spec.limit_of(kind);
        let group = &mut out.groups[kind];
        if !group.takes(key, limit) {
            out.let_go[kind] += 1;
            return;
        }
        let msg = rec.message;
        let first = memchr::memchr(b'\n', msg).map_or(msg, |i| &msg[..i]);
        let first = &first[..first.len().min(TEXT_MAX)];
        let held = Held {
            time: rec.time,
            epoch,
            line: rec.line,
            source: source.into_owned(),
            text: String::from_utf8_lossy(first).trim_end().to_string(),
        };
        group.push(key, held, limit, &mut out.let_go[kind]);
        if group.len > spec.hold_max {
            let n = group.pop_last();
            out.evicted += n as u64;
        }
    }

    /// What the member (or chunk) holds.
    pub(crate) fn finish(self) -> Records {
        self.out
    }
}

/// The records every member held, as the walk commits them.
#[derive(Debug, Default)]
pub(crate) struct Hold {
    /// (member index, its records).
    pub(crate) members: Vec<(usize, Records)>,
    held: usize,
    /// [`RecordSpec::hold_max`].
    pub(crate) hold_max: usize,
}

impl Hold {
    /// Holds at most `hold_max` records over the walk.
    pub(crate) fn new(hold_max: usize) -> Hold {
        Hold {
            hold_max,
            ..Hold::default()
        }
    }

    /// Adds a member's records, then keeps the whole within the hold bound.
    pub(crate) fn commit(&mut self, member: usize, records: Records) {
        self.held += records.len();
        self.members.push((member, records));
        while self.held > self.hold_max {
            let Some((_, largest)) = self.members.iter_mut().max_by_key(|(_, r)| r.len()) else {
                break;
            };
            let n = largest.evict();
            if n == 0 {
                break;
            }
            self.held -= n;
        }
    }
}

/// One record resolved with its host's clock.
#[derive(Clone, Debug)]
pub(crate) struct Resolved {
    pub(crate) time: Timestamp,
    pub(crate) line: u32,
    pub(crate) source: String,
    pub(crate) text: String,
}

/// A member's records, resolved, with where they come from.
#[derive(Clone, Debug)]
pub(crate) struct MemberRecords {
    /// The member's path.
    pub(crate) path: String,
    /// Index of its input in the report's `inputs`.
    pub(crate) input: usize,
    /// Index of its host in the report's `hosts`.
    pub(crate) host: usize,
    /// Its records in line order.
    pub(crate) records: Vec<Resolved>,
}

/// What the walk gathered for the timeline, resolved host by host.
#[derive(Clone, Debug, Default)]
pub(crate) struct Gathered {
    /// Every member's records, by input then path.
    pub(crate) members: Vec<MemberRecords>,
    /// Records without a time that could be resolved.
    pub(crate) untimed: u64,
    /// Records of the selection let go because the limit is reached before them.
    pub(crate) beyond: u64,
    /// Records let go over the hold bound, and the first member that lost some.
    pub(crate) evicted: u64,
    pub(crate) evicted_at: Option<String>,
    /// Sources seen (when the timeline is restricted to some).
    pub(crate) seen: BTreeSet<String>,
}

impl Gathered {
    /// Resolves one member's records with its host's `clock` and the member's year summary.
    pub(crate) fn resolve_member(
        &mut self,
        records: Records,
        clock: &Clock,
        years: &YearSummary,
        place: (String, usize, usize),
    ) {
        let (path, input, host) = place;
        let booted = clock.boot.is_some();
        self.untimed += records.untimed;
        if !booted {
            self.untimed += records.mono;
        }
        for (kind, n) in records.let_go.iter().enumerate() {
            if kind != MONO || booted {
                self.beyond += n;
            }
        }
        if records.evicted > 0 && self.evicted_at.is_none() {
            self.evicted_at = Some(path.clone());
        }
        self.evicted += records.evicted;
        self.seen.extend(records.seen);
        let mut out = Vec::new();
        for g in records.groups {
            for h in g.by_key.into_values().flatten() {
                match clock.resolve(&h.time, h.epoch, years) {
                    Some(time) => out.push(Resolved {
                        time,
                        line: h.line,
                        source: h.source,
                        text: h.text,
                    }),
                    // Seconds since boot without a boot time are counted above.
                    None if matches!(h.time, RawTime::Monotonic(_)) => {}
                    None => self.untimed += 1,
                }
            }
        }
        out.sort_by_key(|r| r.line);
        self.members.push(MemberRecords {
            path,
            input,
            host,
            records: out,
        });
    }

    /// Orders members by input, then path, as the walk gives them.
    pub(crate) fn finish(&mut self) {
        self.members
            .sort_by(|a, b| (a.input, &a.path).cmp(&(b.input, &b.path)));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(keep: Keep, limit: usize) -> RecordSpec {
        RecordSpec {
            keep,
            window: 60 * 1_000_000,
            sources: Vec::new(),
            limit,
            hold_max: 1000,
        }
    }

    fn local(year: Option<i16>, month: u8, day: u8, hour: u8) -> RawTime {
        RawTime::Local(LocalTime {
            year,
            month,
            day,
            hour,
            minute: 0,
            second: 0,
            micros: 0,
        })
    }

    fn held(line: u32) -> Held {
        Held {
            time: RawTime::None,
            epoch: 0,
            line,
            source: "kernel".into(),
            text: String::new(),
        }
    }

    /// Keys order times of a group as their resolution will: by epoch, then the civil fields.
    #[test]
    fn keys_follow_the_epoch_then_the_civil_time() {
        let k = |t: RawTime, e: u16| kind_key(&t, e).map(|(_, k)| k).unwrap_or_default();
        assert!(k(local(None, 12, 31, 23), 0) < k(local(None, 1, 1, 0), 1));
        assert!(k(local(None, 1, 1, 0), 0) < k(local(None, 12, 31, 23), 0));
        assert!(k(local(Some(2019), 12, 31, 23), 0) < k(local(Some(2020), 1, 1, 0), 0));
        let utc = |s| RawTime::Utc(Timestamp::from_secs_micros(s, 0));
        assert!(k(utc(-5), 0) < k(utc(3), 0));
        assert_eq!(kind_key(&RawTime::None, 0), None);
    }

    /// The earliest `limit` are held, with every record of the instant at the edge; later ones
    /// are counted as let go.
    #[test]
    fn a_group_holds_its_earliest_records_and_the_edge_instant() {
        let mut g = Group::default();
        let mut let_go = 0;
        for (key, line) in [(5, 1), (3, 2), (9, 3), (3, 4), (1, 5)] {
            g.push(key, held(line), Some(2), &mut let_go);
        }
        let lines: Vec<(u64, u32)> = g
            .by_key
            .iter()
            .flat_map(|(k, v)| v.iter().map(move |h| (*k, h.line)))
            .collect();
        // 1 and both records at 3 (the edge instant); 5 and 9 let go.
        assert_eq!(lines, vec![(1, 5), (3, 2), (3, 4)]);
        assert_eq!(let_go, 2);
    }

    /// `--around TIME`: absolute instants are judged exactly, wall-clock times with the zone
    /// slack, times without a year by month and day in the years around the center.
    #[test]
    fn near_the_center_before_the_zone_and_year_are_known() {
        // 2020-07-15T10:12:22Z.
        let s = spec(
            Keep::Near(Timestamp::from_secs_micros(1_594_807_942, 0)),
            10,
        );
        let utc = |secs| RawTime::Utc(Timestamp::from_secs_micros(secs, 0));
        assert!(s.near(&utc(1_594_807_942 + 60)));
        assert!(!s.near(&utc(1_594_807_942 + 61)));
        assert!(s.near(&local(Some(2020), 7, 16, 0)));
        assert!(!s.near(&local(Some(2020), 7, 16, 10)));
        assert!(!s.near(&local(Some(2021), 7, 15, 10)));
        assert!(s.near(&local(None, 7, 14, 20)));
        assert!(!s.near(&local(None, 8, 15, 10)));
        assert!(s.near(&RawTime::Monotonic(5)));
        // Around New Year, December and January are both near.
        let ny = spec(
            Keep::Near(Timestamp::from_secs_micros(1_577_836_800, 0)),
            10,
        );
        assert!(ny.near(&local(None, 12, 31, 20)));
        assert!(ny.near(&local(None, 1, 1, 5)));
        assert!(!ny.near(&local(None, 6, 1, 5)));
    }

    /// A chunk's records move to their member's lines and epochs; times without a year are
    /// keyed again, so that a later chunk's year sorts after the earlier one's.
    #[test]
    fn chunks_shift_into_their_member() {
        let s = spec(Keep::Earliest, 10);
        let mut a = Records::default();
        let mut b = Records::default();
        let t = |month, day| local(None, month, day, 0);
        for (r, time, epoch, line) in [(&mut a, t(12, 30), 0, 1), (&mut b, t(1, 2), 0, 1)] {
            let (kind, key) = kind_key(&time, epoch).unwrap_or_default();
            r.groups[kind].push(
                key,
                Held {
                    time,
                    epoch,
                    line,
                    source: "kernel".into(),
                    text: String::new(),
                },
                Some(10),
                &mut r.let_go[kind],
            );
        }
        // The second chunk starts after 40 lines, one year later.
        b.shift(|l| l + 40, |e| e + 1);
        a.absorb(b, &s);
        let got: Vec<(u32, u16)> = a.groups[YEARLESS]
            .by_key
            .values()
            .flatten()
            .map(|h| (h.line, h.epoch))
            .collect();
        assert_eq!(got, vec![(1, 0), (41, 1)]);
    }
}
