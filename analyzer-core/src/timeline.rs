//! The merged timeline: every timed record of every log in a bundle, in one time zone, in time
//! order, with the findings whose evidence a line is.
//!
//! Two streaming passes over the bundle keep memory bounded: the first reads only what fixes
//! the clock (`date`, `timedatectl`, `etc/localtime`, kernel boot hints, year wraps of yearless
//! syslog stamps), the second parses records again, resolves each with the finished
//! [`Clock`], keeps those inside the window and of the chosen sources, and holds at most
//! [`TimelineOptions::limit`] of them (the earliest).

use std::collections::{BTreeMap, HashMap};
use std::time::Instant;

use crate::analysis::CancelToken;
use crate::base::time::RawTime;
use crate::base::{Finding, Format, Source, Timestamp};
use crate::error::Error;
use crate::input::{self, Bundle, Limits, Member, Warning};
use crate::model::time::{BootHint, Clock, ClockBuilder, YearSummary, YearTracker};
use crate::parse;
use crate::report::Report;

/// Failures of [`build`].
#[derive(Debug, thiserror::Error)]
pub enum TimelineError {
    /// Reading the bundle failed.
    #[error(transparent)]
    Input(#[from] Error),
    /// `--around RULE` named a rule that did not fire.
    #[error("rule {0:?} did not fire on this bundle (see `nodemortem analyze`)")]
    RuleNotFound(String),
    /// `--around RULE` named a finding whose evidence has no time.
    #[error("no evidence line of rule {0:?} carries a time; use --around TIME")]
    Untimed(String),
    /// `--sources` named a source no record of the bundle has.
    #[error("no record of this bundle comes from source {given:?}; sources present: {known}")]
    UnknownSource {
        /// The name given.
        given: String,
        /// The sources the bundle's records have, comma-separated.
        known: String,
    },
    /// A time zone name that is not in the time zone database.
    #[error("unknown time zone {0:?}")]
    UnknownZone(String),
    /// An `--around` or `--window` value that cannot be read.
    #[error("cannot read {what} {text:?}: {reason}")]
    BadValue {
        /// Which option.
        what: &'static str,
        /// The text given.
        text: String,
        /// Why it is rejected.
        reason: &'static str,
    },
}

/// Where to center the timeline.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Around {
    /// The first timed evidence line of this rule's finding.
    Rule(String),
    /// A point in time.
    Time(Timestamp),
}

impl Around {
    /// Reads `--around`: an RFC 3339 time (`2020-07-15T10:12:22Z`; without offset it is UTC;
    /// a space may replace the `T`), otherwise a rule id.
    pub fn parse(text: &str) -> Around {
        let t = text.trim();
        let normalised = t.replacen(' ', "T", 1);
        if let Some(ts) = Timestamp::parse_rfc3339(normalised.as_bytes()) {
            return Around::Time(ts);
        }
        if normalised.len() >= 19 && normalised.as_bytes().get(4) == Some(&b'-') {
            if let Some(ts) = Timestamp::parse_rfc3339(format!("{normalised}Z").as_bytes()) {
                return Around::Time(ts);
            }
        }
        Around::Rule(t.to_string())
    }
}

/// Reads a duration: `90s`, `10m`, `2h`, `1h30m`, `1d`, or a bare number of seconds
/// ([`crate::model::time::parse_duration`]).
pub fn parse_duration(text: &str) -> Result<i64, TimelineError> {
    crate::model::time::parse_duration(text).map_err(|reason| TimelineError::BadValue {
        what: "duration",
        text: text.to_string(),
        reason,
    })
}

/// What to put on the timeline.
#[derive(Clone, Debug)]
pub struct TimelineOptions {
    /// Center of the window; `None` keeps every time.
    pub around: Option<Around>,
    /// Half-width of the window around the center, in microseconds.
    pub window: i64,
    /// Only records of these sources (canonical names: `kernel`, `kubelet`, `dockerd`, or an
    /// identifier for other programs); empty keeps all.
    pub sources: Vec<String>,
    /// Most entries kept (the earliest), a record and its copies in other members being one
    /// entry; the rest are counted in [`Timeline::dropped`].
    pub limit: usize,
    /// Ingestion limits.
    pub limits: Limits,
    /// When to stop reading (both passes share it); the timeline is then marked partial.
    pub deadline: Option<Instant>,
    /// Stops reading when cancelled from another thread, as a spent deadline does.
    pub cancel: Option<CancelToken>,
}

/// The time budget of both passes: a deadline and a cancellation token.
struct Budget {
    deadline: Option<Instant>,
    cancel: Option<CancelToken>,
    hit: bool,
}

impl Budget {
    fn spent(&self) -> bool {
        self.deadline.is_some_and(|d| Instant::now() >= d)
            || self.cancel.as_ref().is_some_and(CancelToken::is_cancelled)
    }

    fn patience(&self) -> input::Patience {
        let p = input::Patience::until(self.deadline);
        match self.cancel.clone() {
            Some(c) => p.or_when(move || c.is_cancelled()),
            None => p,
        }
    }

    /// True (the first time) when a member arrives after the budget is spent.
    fn stop(&mut self) -> bool {
        let spent = self.spent();
        self.hit |= spent;
        spent
    }
}

impl Default for TimelineOptions {
    fn default() -> Self {
        TimelineOptions {
            around: None,
            window: 10 * 60 * 1_000_000,
            sources: Vec::new(),
            limit: 10_000,
            limits: Limits::default(),
            deadline: None,
            cancel: None,
        }
    }
}

/// One line of the timeline.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
#[non_exhaustive]
pub struct Entry {
    /// The record's time in UTC.
    pub time: Timestamp,
    /// The program that wrote it (`kernel`, `kubelet`, …).
    pub source: String,
    /// Member path.
    pub path: String,
    /// 1-based line.
    pub line: u32,
    /// The message (first line of the record, lossily decoded, at most 400 bytes).
    pub text: String,
    /// Rules whose finding cites this line as evidence.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub rules: Vec<String>,
    /// The same record in other members (`path:line`): a sosreport holds the journal whole,
    /// again for the boot and per unit, and syslog files repeat it.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub copies: Vec<String>,
}

impl PartialOrd for Entry {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Entry {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        (self.time, &self.path, self.line).cmp(&(other.time, &other.path, other.line))
    }
}

/// The merged timeline.
#[derive(Clone, Debug, Default, serde::Serialize)]
#[non_exhaustive]
pub struct Timeline {
    /// Entries in time order.
    pub entries: Vec<Entry>,
    /// The window's center, when one was asked for.
    pub center: Option<Timestamp>,
    /// Records inside the selection but beyond [`TimelineOptions::limit`] (copies included).
    pub dropped: u64,
    /// Records without a time that could be resolved (not shown).
    pub untimed: u64,
    /// Records folded into a shown entry of another member as copies of the same record.
    pub copies: u64,
    /// Problems reading the bundle.
    pub warnings: Vec<Warning>,
    /// Set when the time budget ran out or the build was cancelled: members after that point
    /// are missing.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub partial: bool,
}

fn finding_evidence<'a>(f: &'a Finding, out: &mut Vec<(&'a str, u32, &'a str)>) {
    for e in &f.evidence {
        if e.line > 0 {
            out.push((&e.path, e.line, &f.rule));
        }
    }
    for c in &f.explains {
        finding_evidence(c, out);
    }
}

fn find_rule<'a>(fs: &'a [Finding], rule: &str) -> Option<&'a Finding> {
    for f in fs {
        if f.rule == rule {
            return Some(f);
        }
        if let Some(x) = find_rule(&f.explains, rule) {
            return Some(x);
        }
    }
    None
}

/// First pass: what fixes the clock, and each log member's year summary.
struct ClockPass {
    clock: ClockBuilder,
    years: HashMap<(usize, String), YearSummary>,
    warnings: Vec<Warning>,
    budget: Budget,
}

impl input::Sink for ClockPass {
    fn member(&mut self, member: Member) {
        if self.budget.stop() {
            return;
        }
        let data: &[u8] = &member.data;
        match member.format {
            f if f.is_log() => {
                let mut years = YearTracker::new();
                let mut boot: Vec<(RawTime, u16, u64)> = Vec::new();
                let mut last = None;
                for rec in parse::records(f, data) {
                    let epoch = years.observe(&rec.time);
                    if !matches!(rec.time, RawTime::None) {
                        last = Some(rec.time);
                    }
                    if rec.source == Source::Kernel
                        && boot.len() < 8
                        && !matches!(rec.time, RawTime::Monotonic(_) | RawTime::None)
                    {
                        if let Some(mono) = parse::dmesg::kernel_mono(rec.message) {
                            boot.push((rec.time, epoch, mono));
                        }
                    }
                }
                let summary = years.finish();
                if let Some(RawTime::Utc(ts)) = last {
                    self.clock.observe_absolute(ts);
                }
                for (wall, epoch, mono) in boot {
                    self.clock.add_boot_hint(BootHint {
                        wall,
                        epoch,
                        years: summary,
                        mono,
                    });
                }
                self.years.insert((member.input, member.path), summary);
            }
            Format::Date => self.clock.add_date(&member.path, data),
            Format::Timedatectl => self.clock.add_timedatectl(&member.path, data),
            Format::Localtime => self.clock.add_localtime(data),
            _ => {}
        }
    }
    fn skipped(&mut self, _entry: input::SkippedEntry) {}
    fn link(&mut self, _link: input::LinkEntry) {}
    fn warning(&mut self, warning: Warning) {
        self.warnings.push(warning);
    }
    fn halted(&self) -> bool {
        self.budget.spent()
    }
    fn patience(&self) -> input::Patience {
        self.budget.patience()
    }
}

/// Second pass: resolve, select, fold copies, keep the earliest `limit` entries.
struct SelectPass<'a> {
    clock: &'a Clock,
    years: &'a HashMap<(usize, String), YearSummary>,
    markers: HashMap<(&'a str, u32), Vec<&'a str>>,
    range: Option<(Timestamp, Timestamp)>,
    sources: &'a [String],
    /// Every source seen, when [`sources`](Self::sources) filters (to name a wrong one).
    seen: std::collections::BTreeSet<String>,
    limit: usize,
    /// The entries kept, by time.
    kept: BTreeMap<Timestamp, Moment>,
    /// Entries in `kept` (copies folded).
    shown: usize,
    /// Records folded into an entry in `kept`.
    copies: u64,
    dropped: u64,
    untimed: u64,
    budget: Budget,
}

/// The entries kept at one time.
#[derive(Default)]
struct Moment {
    /// Entries by source and text, in the order they arrived: the k-th of a member's identical
    /// lines folds into the k-th entry that has no line of that member yet.
    by_text: HashMap<(String, String), Vec<Entry>>,
    /// The place (path, line) of every entry and its source and text, to drop the last.
    order: BTreeMap<(String, u32), (String, String)>,
}

impl SelectPass<'_> {
    /// True when no record at `time` can be shown: the kept entries are `limit` and all earlier.
    fn full_before(&self, time: Timestamp) -> bool {
        self.shown >= self.limit && self.kept.last_key_value().is_some_and(|(t, _)| *t < time)
    }

    /// Keeps `e`, as a copy of a kept entry of another member when there is one, then drops
    /// the latest entries (with their copies) beyond the limit.
    fn push(&mut self, e: Entry) {
        let moment = self.kept.entry(e.time).or_default();
        let key = (e.source.clone(), e.text.clone());
        let same = moment.by_text.entry(key.clone()).or_default();
        let home = same
            .iter_mut()
            .find(|k| k.path != e.path && !k.copies.iter().any(|c| copy_of(c, &e.path)));
        if let Some(k) = home {
            // The entry stands at the earliest place among its copies.
            let (path, line) = if (e.path.as_str(), e.line) < (k.path.as_str(), k.line) {
                if let Some(v) = moment.order.remove(&(k.path.clone(), k.line)) {
                    moment.order.insert((e.path.clone(), e.line), v);
                }
                (
                    std::mem::replace(&mut k.path, e.path),
                    std::mem::replace(&mut k.line, e.line),
                )
            } else {
                (e.path, e.line)
            };
            k.copies.push(format!("{path}:{line}"));
            for r in e.rules {
                if !k.rules.contains(&r) {
                    k.rules.push(r);
                }
            }
            self.copies += 1;
            return;
        }
        moment.order.insert((e.path.clone(), e.line), key);
        same.push(e);
        self.shown += 1;
        while self.shown > self.limit {
            self.drop_last();
        }
    }

    /// Drops the latest kept entry and its copies.
    fn drop_last(&mut self) {
        let Some(mut last) = self.kept.last_entry() else {
            return;
        };
        let moment = last.get_mut();
        if let Some(((path, line), key)) = moment.order.pop_last() {
            if let Some(same) = moment.by_text.get_mut(&key) {
                if let Some(i) = same.iter().position(|k| k.path == path && k.line == line) {
                    let gone = same.remove(i);
                    let copies = gone.copies.len() as u64;
                    self.copies -= copies;
                    self.dropped += 1 + copies;
                    self.shown -= 1;
                }
                if same.is_empty() {
                    moment.by_text.remove(&key);
                }
            }
        }
        if moment.order.is_empty() {
            last.remove();
        }
    }

    /// The kept entries in time order, each copy list in place order.
    fn into_entries(self) -> Vec<Entry> {
        let mut entries: Vec<Entry> = self
            .kept
            .into_values()
            .flat_map(|m| m.by_text.into_values().flatten())
            .collect();
        entries.sort_unstable();
        for e in &mut entries {
            e.copies.sort_by(|a, b| place(a).cmp(&place(b)));
        }
        entries
    }
}

/// The (path, line) of a copy written `path:line`.
fn place(copy: &str) -> (&str, u32) {
    copy.rsplit_once(':')
        .map_or((copy, 0), |(p, l)| (p, l.parse().unwrap_or(0)))
}

impl input::Sink for SelectPass<'_> {
    fn member(&mut self, member: Member) {
        if !member.format.is_log() || self.budget.stop() {
            return;
        }
        let data: &[u8] = &member.data;
        let summary = self
            .years
            .get(&(member.input, member.path.clone()))
            .copied()
            .unwrap_or_default();
        let mut years = YearTracker::new();
        for rec in parse::records(member.format, data) {
            let epoch = years.observe(&rec.time);
            if !self.sources.is_empty() {
                let source = rec.source_name();
                if !self.seen.contains(&*source) {
                    self.seen.insert(source.to_string());
                }
            }
            let Some(time) = self.clock.resolve(&rec.time, epoch, &summary) else {
                self.untimed += 1;
                continue;
            };
            if let Some((lo, hi)) = self.range {
                if time < lo || time > hi {
                    continue;
                }
            }
            let source = rec.source_name();
            if !self.sources.is_empty() && !self.sources.iter().any(|s| *s == source) {
                continue;
            }
            // Cheap reject before building an owned entry (a copy shares its record's time).
            if self.full_before(time) {
                self.dropped += 1;
                continue;
            }
            let msg = rec.message;
            let first = memchr::memchr(b'\n', msg).map_or(msg, |i| &msg[..i]);
            let first = &first[..first.len().min(400)];
            let rules = self
                .markers
                .get(&(member.path.as_str(), rec.line))
                .map(|v| v.iter().map(|s| s.to_string()).collect())
                .unwrap_or_default();
            let entry = Entry {
                time,
                source: source.into_owned(),
                path: member.path.clone(),
                line: rec.line,
                text: String::from_utf8_lossy(first).trim_end().to_string(),
                rules,
                copies: Vec::new(),
            };
            self.push(entry);
        }
    }
    fn skipped(&mut self, _entry: input::SkippedEntry) {}
    fn link(&mut self, _link: input::LinkEntry) {}
    fn warning(&mut self, _warning: Warning) {}
    fn halted(&self) -> bool {
        self.budget.spent()
    }
    fn patience(&self) -> input::Patience {
        self.budget.patience()
    }
}

/// Builds the timeline of `bundle`. `report` (from analysing the same bundle) supplies the
/// finding markers and, for [`Around::Rule`], the center.
pub fn build(
    bundle: &Bundle,
    report: Option<&Report>,
    opts: &TimelineOptions,
) -> Result<Timeline, TimelineError> {
    let center = match &opts.around {
        None => None,
        Some(Around::Time(t)) => Some(*t),
        Some(Around::Rule(r)) => {
            let f = report
                .and_then(|rep| find_rule(&rep.findings, r))
                .ok_or_else(|| TimelineError::RuleNotFound(r.clone()))?;
            let mut times: Vec<Timestamp> = Vec::new();
            let mut stack = vec![f];
            while let Some(x) = stack.pop() {
                times.extend(x.evidence.iter().filter_map(|e| e.time));
                stack.extend(x.explains.iter());
            }
            Some(
                times
                    .into_iter()
                    .min()
                    .ok_or_else(|| TimelineError::Untimed(r.clone()))?,
            )
        }
    };
    let budget = || Budget {
        deadline: opts.deadline,
        cancel: opts.cancel.clone(),
        hit: false,
    };
    let mut pass1 = ClockPass {
        clock: ClockBuilder::default(),
        years: HashMap::new(),
        warnings: Vec::new(),
        budget: budget(),
    };
    input::walk(bundle, &opts.limits, parse::SNIFFERS, &mut pass1)?;
    let clock = pass1.clock.finish();
    let mut ev = Vec::new();
    if let Some(rep) = report {
        for f in &rep.findings {
            finding_evidence(f, &mut ev);
        }
    }
    let mut markers: HashMap<(&str, u32), Vec<&str>> = HashMap::new();
    for (p, l, r) in ev {
        let v = markers.entry((p, l)).or_default();
        if !v.contains(&r) {
            v.push(r);
        }
    }
    let w = opts.window.max(0);
    let mut pass2 = SelectPass {
        clock: &clock,
        years: &pass1.years,
        markers,
        range: center.map(|c| {
            (
                Timestamp(c.0.saturating_sub(w)),
                Timestamp(c.0.saturating_add(w)),
            )
        }),
        sources: &opts.sources,
        seen: Default::default(),
        limit: opts.limit.max(1),
        kept: BTreeMap::new(),
        shown: 0,
        copies: 0,
        dropped: 0,
        untimed: 0,
        budget: budget(),
    };
    input::walk(bundle, &opts.limits, parse::SNIFFERS, &mut pass2)?;
    if let Some(given) = opts.sources.iter().find(|s| !pass2.seen.contains(*s)) {
        return Err(TimelineError::UnknownSource {
            given: given.clone(),
            known: pass2
                .seen
                .iter()
                .map(String::as_str)
                .collect::<Vec<_>>()
                .join(", "),
        });
    }
    let (dropped, untimed, copies) = (pass2.dropped, pass2.untimed, pass2.copies);
    let partial = pass1.budget.hit || pass2.budget.hit;
    let mut warnings = pass1.warnings;
    if partial {
        warnings.push(Warning::new(
            match bundle.inputs().first() {
                Some(input::Input::Path(p)) => p.display().to_string(),
                Some(input::Input::Bytes { name, .. } | input::Input::Reader { name, .. }) => {
                    name.clone()
                }
                _ => "-".to_string(),
            },
            "time budget exhausted or cancelled: later members are not on the timeline (results are partial)",
        ));
    }
    Ok(Timeline {
        entries: pass2.into_entries(),
        center,
        dropped,
        untimed,
        copies,
        warnings,
        partial,
    })
}

/// True when `copy` (`path:line`) is a line of `path`.
fn copy_of(copy: &str, path: &str) -> bool {
    copy.strip_prefix(path)
        .is_some_and(|rest| rest.starts_with(':') && rest[1..].bytes().all(|b| b.is_ascii_digit()))
}

/// Formats a time in `zone` (an IANA name; `UTC` when `None`) as `2020-07-15 10:12:22.123456`;
/// a time on the second (a record that gives no fraction) has no fraction, padded with blanks
/// so that columns stay aligned: `2020-07-15 10:12:22       `.
pub fn format_time(t: Timestamp, zone: &jiff::tz::TimeZone) -> String {
    let z = t.to_jiff().to_zoned(zone.clone());
    if t.0.rem_euclid(1_000_000) == 0 {
        format!("{}       ", z.strftime("%Y-%m-%d %H:%M:%S"))
    } else {
        z.strftime("%Y-%m-%d %H:%M:%S%.6f").to_string()
    }
}

/// Looks up a time zone by IANA name (`UTC`, `Europe/Berlin`).
pub fn zone(name: Option<&str>) -> Result<jiff::tz::TimeZone, TimelineError> {
    match name {
        None => Ok(jiff::tz::TimeZone::UTC),
        Some(n) if n.eq_ignore_ascii_case("utc") => Ok(jiff::tz::TimeZone::UTC),
        Some(n) => jiff::tz::TimeZone::get(n).map_err(|_| TimelineError::UnknownZone(n.into())),
    }
}

/// Renders the timeline as text: `TIME SOURCE MARK PATH:LINE MESSAGE`, one entry per line,
/// with a header naming the zone and a footer counting what was left out.
pub fn render_text(t: &Timeline, zone: &jiff::tz::TimeZone) -> String {
    use std::fmt::Write as _;
    let mut out = String::new();
    let name = zone.iana_name().unwrap_or("UTC");
    // What was not read comes first, as in the report.
    let unread: Vec<&Warning> = t
        .warnings
        .iter()
        .filter(|w| w.kind == input::WarningKind::Unread)
        .collect();
    if t.partial || !unread.is_empty() {
        let _ = writeln!(
            out,
            "# {}",
            if t.partial {
                "PARTIAL: a limit cut the timeline short; not read in full:"
            } else {
                "INCOMPLETE: part of the input was not read:"
            }
        );
        for w in unread.iter().take(crate::report::text::UNREAD_LISTED) {
            let _ = writeln!(
                out,
                "#   - {}",
                crate::report::text::visible(&crate::report::text::unread_line(w))
            );
        }
    }
    let _ = writeln!(
        out,
        "# {} entries, times in {name}{}",
        t.entries.len(),
        t.center
            .map(|c| format!(", around {}", format_time(c, zone).trim_end()))
            .unwrap_or_default()
    );
    for e in &t.entries {
        let mark = if e.rules.is_empty() {
            String::new()
        } else {
            format!("<< {} ", e.rules.join(","))
        };
        let copies = match e.copies.len() {
            0 => String::new(),
            1 => " (+1 copy)".to_string(),
            n => format!(" (+{n} copies)"),
        };
        let _ = writeln!(
            out,
            "{} {:<12} {mark}{}:{}{copies} {}",
            format_time(e.time, zone),
            e.source,
            e.path,
            e.line,
            e.text
        );
    }
    if t.dropped > 0 {
        let _ = writeln!(
            out,
            "# {} more records not shown, copies included (raise --limit or narrow with --around/--window/--sources)",
            t.dropped
        );
    }
    if t.untimed > 0 {
        let _ = writeln!(
            out,
            "# {} records without a usable time left out",
            t.untimed
        );
    }
    if t.copies > 0 {
        let _ = writeln!(
            out,
            "# {} copies of records shown once (the same record in several members)",
            t.copies
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::base::{Evidence, Severity};
    use crate::report::{Stats, Tool};

    /// `--window` reads durations as rules do (the grammar is tested in `model::time`); a bad
    /// one is a value error naming the text and why.
    #[test]
    fn window_durations_and_their_errors() {
        assert_eq!(parse_duration("1h30m").unwrap(), 5_400_000_000);
        match parse_duration("10x") {
            Err(TimelineError::BadValue { what, text, reason }) => {
                assert_eq!((what, text.as_str()), ("duration", "10x"));
                assert_eq!(reason, "use a number with s, m, h or d (e.g. 10m, 1h30m)");
            }
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn around_parses_times_and_rule_ids() {
        assert_eq!(
            Around::parse("2020-07-15T10:12:22Z"),
            Around::Time(Timestamp::from_secs_micros(1_594_807_942, 0))
        );
        assert_eq!(
            Around::parse("2020-07-15 10:12:22"),
            Around::Time(Timestamp::from_secs_micros(1_594_807_942, 0))
        );
        assert_eq!(Around::parse("oom-kill"), Around::Rule("oom-kill".into()));
    }

    // Lines: a syslog kernel OOM line and a dockerd logrus line as they appear in
    // /var/log/messages of RHEL 7 sosreports (docs/signatures.md, "OOM kill" and "dockerd").
    const MESSAGES: &str = "\
Jul 15 10:10:00 node1 kernel: Out of memory: Killed process 4021 (java) total-vm:1000kB
Jul 15 10:11:00 node1 dockerd[1201]: time=\"2020-07-15T10:11:00.000000000Z\" level=info msg=\"shim reaped\"
Jul 15 10:30:00 node1 kubelet[900]: I0715 10:30:00.000000     900 kubelet.go:1845] SyncLoop (PLEG)
";
    const DATE: &str = "Wed Jul 15 10:40:00 UTC 2020\n";

    fn bundle() -> Bundle {
        let dir = std::env::temp_dir().join(format!("nm-timeline-{}", std::process::id()));
        let _ = std::fs::create_dir_all(dir.join("var/log"));
        let _ = std::fs::create_dir_all(dir.join("sos_commands/date"));
        let _ = std::fs::write(dir.join("var/log/messages"), MESSAGES);
        let _ = std::fs::write(dir.join("sos_commands/date/date_--utc"), DATE);
        Bundle::from_path(dir)
    }

    fn report() -> Report {
        Report {
            hosts: Vec::new(),
            schema_version: 1,
            tool: Tool::default(),
            inputs: vec![],
            host: Default::default(),
            findings: vec![Finding {
                host: 0,
                rule: "oom-kill".into(),
                title: String::new(),
                severity: Severity::High,
                score: 80,
                confidence: crate::base::Confidence::Confirmed,
                summary: String::new(),
                evidence: vec![Evidence {
                    input: 0,
                    path: "var/log/messages".into(),
                    line: 1,
                    time: Some(Timestamp::from_secs_micros(1_594_807_800, 0)),
                    text: String::new(),
                    highlight: None,
                    label: String::new(),
                }],
                missing: vec![],
                remediation: String::new(),
                references: vec![],
                explains: vec![],
            }],
            warnings: vec![],
            stats: Stats::default(),
        }
    }

    /// A sosreport-shaped directory whose journal holds `/var/log/messages` (lines 2–4 copy
    /// lines 1–3) and repeats its second line at line 5.
    fn copies_bundle(name: &str) -> std::path::PathBuf {
        let dir = std::env::temp_dir().join(format!("nm-timeline-{name}-{}", std::process::id()));
        let _ = std::fs::create_dir_all(dir.join("var/log"));
        let _ = std::fs::create_dir_all(dir.join("sos_commands/logs"));
        let _ = std::fs::create_dir_all(dir.join("sos_commands/date"));
        let _ = std::fs::write(dir.join("var/log/messages"), MESSAGES);
        let journal = format!(
            "-- Logs begin at Wed 2020-07-15 10:00:00 UTC. --\n{MESSAGES}{}",
            MESSAGES.lines().nth(1).unwrap_or_default()
        );
        let _ = std::fs::write(dir.join("sos_commands/logs/journalctl_--no-pager"), journal);
        let _ = std::fs::write(dir.join("sos_commands/date/date_--utc"), DATE);
        dir
    }

    /// The journal and `/var/log/messages` hold the same records: each is shown once, from
    /// the first member, naming its copy; the copy's finding marker is joined.
    #[test]
    fn records_copied_in_two_members_are_shown_once() {
        let dir = copies_bundle("copies");
        let t = build(
            &Bundle::from_path(&dir),
            Some(&report()),
            &TimelineOptions::default(),
        )
        .unwrap_or_default();
        let _ = std::fs::remove_dir_all(&dir);
        let got: Vec<(&str, u32, &[String], &[String])> = t
            .entries
            .iter()
            .map(|e| {
                (
                    e.path.as_str(),
                    e.line,
                    e.copies.as_slice(),
                    e.rules.as_slice(),
                )
            })
            .collect();
        let j = "sos_commands/logs/journalctl_--no-pager";
        assert_eq!(
            got,
            vec![
                (
                    j,
                    2,
                    &["var/log/messages:1".to_string()][..],
                    &["oom-kill".to_string()][..]
                ),
                (j, 3, &["var/log/messages:2".to_string()][..], &[][..]),
                // The journal repeats line 3 of its own: one member's lines are never folded.
                (j, 5, &[][..], &[][..]),
                (j, 4, &["var/log/messages:3".to_string()][..], &[][..]),
            ]
        );
        assert_eq!(t.copies, 3);
        assert!(
            render_text(&t, &jiff::tz::TimeZone::UTC)
                .contains("journalctl_--no-pager:2 (+1 copy) ")
        );
    }

    #[test]
    fn the_limit_counts_a_record_and_its_copies_once() {
        let dir = copies_bundle("limit");
        let bundle = Bundle::from_path(&dir);
        let got = |limit: usize| {
            let t = build(
                &bundle,
                None,
                &TimelineOptions {
                    limit,
                    ..TimelineOptions::default()
                },
            )
            .unwrap_or_default();
            let lines: Vec<(u32, usize)> =
                t.entries.iter().map(|e| (e.line, e.copies.len())).collect();
            (lines, t.copies, t.dropped)
        };
        // Two lines shown, each with its copy; the journal's own repeat (line 5), its line 4 and
        // the copy of line 4 in /var/log/messages are beyond the limit.
        assert_eq!(got(2), (vec![(2, 1), (3, 1)], 2, 3));
        assert_eq!(got(1), (vec![(2, 1)], 1, 5));
        assert_eq!(got(3), (vec![(2, 1), (3, 1), (5, 0)], 2, 2));
        assert_eq!(got(4), (vec![(2, 1), (3, 1), (5, 0), (4, 1)], 3, 0));
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn merged_marked_windowed_and_bounded() {
        let b = bundle();
        let rep = report();
        let all = build(&b, Some(&rep), &TimelineOptions::default());
        let all = all.unwrap_or_default();
        let got: Vec<(u32, &str, &[String])> = all
            .entries
            .iter()
            .map(|e| (e.line, e.source.as_str(), e.rules.as_slice()))
            .collect();
        assert_eq!(got.len(), 3, "{all:?}");
        assert_eq!(got[0], (1, "kernel", &["oom-kill".to_string()][..]));
        assert_eq!(got[1].0, 2);
        assert_eq!(got[2].0, 3);
        assert_eq!(
            all.entries[0].time,
            Timestamp::from_secs_micros(1_594_807_800, 0)
        );

        // Around the rule, 5 minutes: the 10:30 kubelet line is out.
        let near = build(
            &b,
            Some(&rep),
            &TimelineOptions {
                around: Some(Around::Rule("oom-kill".into())),
                window: 5 * 60 * 1_000_000,
                ..TimelineOptions::default()
            },
        )
        .unwrap_or_default();
        assert_eq!(near.entries.len(), 2);
        assert_eq!(
            near.center,
            Some(Timestamp::from_secs_micros(1_594_807_800, 0))
        );

        // Sources filter and the limit.
        let k = build(
            &b,
            None,
            &TimelineOptions {
                sources: vec!["kubelet".into()],
                ..TimelineOptions::default()
            },
        )
        .unwrap_or_default();
        assert_eq!(k.entries.len(), 1);
        assert_eq!(k.entries[0].line, 3);
        let one = build(
            &b,
            None,
            &TimelineOptions {
                limit: 1,
                ..TimelineOptions::default()
            },
        )
        .unwrap_or_default();
        assert_eq!((one.entries.len(), one.dropped), (1, 2));
        assert_eq!(one.entries[0].line, 1);

        assert!(matches!(
            build(
                &b,
                Some(&rep),
                &TimelineOptions {
                    around: Some(Around::Rule("nope".into())),
                    ..TimelineOptions::default()
                }
            ),
            Err(TimelineError::RuleNotFound(_))
        ));

        let text = render_text(
            &all,
            &zone(Some("Europe/Berlin")).unwrap_or(jiff::tz::TimeZone::UTC),
        );
        assert!(
            text.starts_with("# 3 entries, times in Europe/Berlin\n"),
            "{text}"
        );
        assert!(text.contains("2020-07-15 12:10:00        kernel       << oom-kill var/log/messages:1 Out of memory"), "{text}");
        assert!(zone(Some("Mars/Olympus")).is_err());
    }
}
