//! The merged timeline: every timed record of every log in a bundle, in one time zone, in time
//! order, with the findings whose evidence a line is and the host each line comes from.
//!
//! The timeline reads its input once, in the walk of the analysis that gives its finding
//! markers ([`build`]): while members are read, each log member holds the records that can
//! still be in the selection by the time its line states (`analysis::records` says how this
//! stays exact and bounded: the earliest `limit` records of each member without `--around`,
//! those that can fall in the window with `--around TIME`, every record of the chosen sources
//! with `--around RULE`, within a bound on the records held over the walk). Once the walk is
//! over, every host's records are resolved with that host's clock — each container input (a
//! sosreport directory or archive) is one host, the loose files together are one — and the
//! selection keeps those inside the window and of the chosen sources, folds the copies of a
//! record in several members of one host into one entry, and keeps the earliest
//! [`TimelineOptions::limit`] entries (`select`). Text output is in `render`.

use crate::analysis::records::{Keep, RecordSpec};
use crate::analysis::{self, Options};
use crate::base::{Finding, Timestamp};
use crate::error::Error;
use crate::input::{Bundle, Warning};
use crate::report::Report;
use crate::rules::engine::Engine;

mod render;
mod select;
#[cfg(test)]
mod tests;

pub use render::{format_time, render_text, zone};

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
}

impl Default for TimelineOptions {
    fn default() -> Self {
        TimelineOptions {
            around: None,
            window: 10 * 60 * 1_000_000,
            sources: Vec::new(),
            limit: 10_000,
        }
    }
}

/// Most records held over the walk before the clocks are known (at least twice the limit):
/// about 50 MiB of lines of usual length. Past it the timeline warns that it may miss lines.
pub const HOLD_MAX: usize = 1 << 18;

/// One line of the timeline.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
#[non_exhaustive]
pub struct Entry {
    /// The record's time in UTC.
    pub time: Timestamp,
    /// The program that wrote it (`kernel`, `kubelet`, …).
    pub source: String,
    /// Index of the input it was read from in [`Timeline::inputs`] (as evidence has in a
    /// report).
    pub input: usize,
    /// Index of its host in [`Timeline::hosts`].
    pub host: usize,
    /// Member path.
    pub path: String,
    /// 1-based line.
    pub line: u32,
    /// The message (first line of the record, lossily decoded, at most 400 bytes).
    pub text: String,
    /// Rules whose finding cites this line as evidence.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub rules: Vec<String>,
    /// The same record in other members of its host (`path:line`): a sosreport holds the
    /// journal whole, again for the boot and per unit, and syslog files repeat it.
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
        (self.time, &self.path, self.line, self.input).cmp(&(
            other.time,
            &other.path,
            other.line,
            other.input,
        ))
    }
}

/// A host of the timeline: what it is called and its inputs.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
#[non_exhaustive]
pub struct TimelineHost {
    /// The host name its files state, else the path of its first input (as in the report).
    pub name: String,
    /// Its inputs: indices in [`Timeline::inputs`].
    pub inputs: Vec<usize>,
}

/// The merged timeline.
#[derive(Clone, Debug, Default, serde::Serialize)]
#[non_exhaustive]
pub struct Timeline {
    /// The inputs read, as given (an entry's [`Entry::input`] indexes this).
    pub inputs: Vec<String>,
    /// The hosts: every container input (a sosreport directory or archive) is one, the loose
    /// files together are one. Each host's times are resolved with its own clock.
    pub hosts: Vec<TimelineHost>,
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
    /// Problems reading the bundle (those of the analysis that read it).
    pub warnings: Vec<Warning>,
    /// Set when the time budget ran out or the build was cancelled: members after that point
    /// are missing.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub partial: bool,
}

/// The evidence lines of a finding and those it explains: (input, path, line, rule).
fn finding_evidence<'a>(f: &'a Finding, out: &mut Vec<(usize, &'a str, u32, &'a str)>) {
    for e in &f.evidence {
        if e.line > 0 {
            out.push((e.input, &e.path, e.line, &f.rule));
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

/// The center of `--around RULE`: the first timed evidence line of the rule's finding.
fn rule_center(report: &Report, rule: &str) -> Result<Timestamp, TimelineError> {
    let f = find_rule(&report.findings, rule)
        .ok_or_else(|| TimelineError::RuleNotFound(rule.to_string()))?;
    let mut times: Vec<Timestamp> = Vec::new();
    let mut stack = vec![f];
    while let Some(x) = stack.pop() {
        times.extend(x.evidence.iter().filter_map(|e| e.time));
        stack.extend(x.explains.iter());
    }
    times
        .into_iter()
        .min()
        .ok_or_else(|| TimelineError::Untimed(rule.to_string()))
}

/// Analyses `bundle` with `engine` and builds its timeline in the same walk: the report gives
/// the finding markers and, for [`Around::Rule`], the center; `analysis` gives the limits, time
/// budget, cancellation and progress of the walk (a spent budget gives a partial timeline, with
/// the analysis's warning). Standard input and other streams are read once.
///
/// Fails when the bundle cannot be read; otherwise returns the report with the timeline, or
/// with why no timeline could be made of what was read (an `--around` rule that did not fire, a
/// source no record has): the report still says what was read.
pub fn build(
    bundle: &Bundle,
    analysis: &Options,
    engine: &Engine,
    opts: &TimelineOptions,
) -> Result<(Report, Result<Timeline, TimelineError>), Error> {
    let limit = opts.limit.max(1);
    let spec = RecordSpec {
        keep: match &opts.around {
            None => Keep::Earliest,
            Some(Around::Time(t)) => Keep::Near(*t),
            Some(Around::Rule(_)) => Keep::All,
        },
        window: opts.window.max(0),
        sources: opts.sources.clone(),
        limit,
        hold_max: HOLD_MAX.max(limit.saturating_mul(2)),
    };
    let (analysed, gathered) = analysis::analyze_gathering(bundle, analysis, engine, &spec)?;
    let report = analysed.report;
    let timeline = select(&report, gathered, opts, &spec);
    Ok((report, timeline))
}

/// Resolves `--around`, selects, marks and limits what the walk gathered.
fn select(
    report: &Report,
    gathered: crate::analysis::records::Gathered,
    opts: &TimelineOptions,
    spec: &RecordSpec,
) -> Result<Timeline, TimelineError> {
    let limit = spec.limit;
    let center = match &opts.around {
        None => None,
        Some(Around::Time(t)) => Some(*t),
        Some(Around::Rule(r)) => Some(rule_center(report, r)?),
    };
    if let Some(given) = opts.sources.iter().find(|s| !gathered.seen.contains(*s)) {
        return Err(TimelineError::UnknownSource {
            given: given.clone(),
            known: gathered
                .seen
                .iter()
                .map(String::as_str)
                .collect::<Vec<_>>()
                .join(", "),
        });
    }
    let mut ev = Vec::new();
    for f in &report.findings {
        finding_evidence(f, &mut ev);
    }
    let mut markers: std::collections::HashMap<(usize, &str, u32), Vec<&str>> =
        std::collections::HashMap::new();
    for (i, p, l, r) in ev {
        let v = markers.entry((i, p, l)).or_default();
        if !v.contains(&r) {
            v.push(r);
        }
    }
    let w = opts.window.max(0);
    let range = center.map(|c| {
        (
            Timestamp(c.0.saturating_sub(w)),
            Timestamp(c.0.saturating_add(w)),
        )
    });
    let mut select = select::Select::new(limit);
    for m in &gathered.members {
        for r in &m.records {
            if range.is_some_and(|(lo, hi)| r.time < lo || r.time > hi) {
                continue;
            }
            // Cheap reject before building an owned entry (a copy shares its record's time).
            if select.full_before(r.time) {
                select.dropped += 1;
                continue;
            }
            let rules = markers
                .get(&(m.input, m.path.as_str(), r.line))
                .map(|v| v.iter().map(|s| s.to_string()).collect())
                .unwrap_or_default();
            select.push(Entry {
                time: r.time,
                source: r.source.clone(),
                input: m.input,
                host: m.host,
                path: m.path.clone(),
                line: r.line,
                text: r.text.clone(),
                rules,
                copies: Vec::new(),
            });
        }
    }
    let mut warnings = report.warnings.clone();
    if gathered.evicted > 0 {
        warnings.push(Warning::new(
            gathered.evicted_at.clone().unwrap_or_default(),
            format!(
                "more than {} records held for the timeline before the clocks were known; {} later records let go (the timeline may miss lines: narrow with --around/--window/--sources)",
                spec.hold_max, gathered.evicted
            ),
        ));
    }
    Ok(Timeline {
        inputs: report.inputs.iter().map(|i| i.path.clone()).collect(),
        hosts: report
            .hosts
            .iter()
            .map(|h| TimelineHost {
                name: h.name.clone(),
                inputs: h.inputs.clone(),
            })
            .collect(),
        center,
        dropped: select.dropped + gathered.beyond,
        untimed: gathered.untimed,
        copies: select.copies,
        warnings,
        partial: report.stats.partial,
        entries: select.into_entries(),
    })
}
