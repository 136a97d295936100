//! Test helpers: scan hand-made records with the built-in rules.

use crate::base::time::{LocalTime, RawTime};

use crate::base::{Finding, Source, Timestamp};
use crate::model::time::{Clock, YearTracker};
use crate::parse::Record;
use crate::rules::engine::{Engine, Observation, Observations};

/// One record of a synthetic member: source, ident, `HH:MM:SS` on 2020-08-20 (local, UTC
/// zone), message.
pub type Line<'a> = (Source, &'a str, &'a str, &'a str);

/// Scans `lines` as one member named `path` into `obs` (appending).
pub fn scan_into(engine: &Engine, obs: &mut Observations, path: &str, lines: &[Line<'_>]) {
    let mut data = Vec::new();
    let mut spans = Vec::new();
    for (_, _, _, msg) in lines {
        let start = data.len();
        data.extend_from_slice(msg.as_bytes());
        spans.push((start, data.len()));
        data.push(b'\n');
    }
    let member = obs.members.len();
    obs.members.push(path.to_string());
    let mut scan = engine.scan(&data);
    let mut years = YearTracker::new();
    for (i, (source, ident, hms, _)) in lines.iter().enumerate() {
        let (s, e) = spans[i];
        let raw = &data[s..e];
        let p: Vec<u8> = hms.split(':').map(|x| x.parse().unwrap_or(0)).collect();
        let rec = Record {
            source: *source,
            ident: ident.as_bytes(),
            time: RawTime::Local(LocalTime {
                year: None,
                month: 8,
                day: 20,
                hour: p[0],
                minute: p[1],
                second: p[2],
                micros: 0,
            }),
            ..Record::bare(s as u64, i as u32 + 1, raw)
        };
        let epoch = years.observe(&rec.time);
        scan.record(&rec, epoch);
    }
    obs.hits.extend(scan.finish(&data, member, years.finish()));
}

/// An observation with string fields.
pub fn observation(kind: &str, fields: &[(&str, &str)]) -> Observation {
    Observation {
        kind: kind.into(),
        fields: fields
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
        weight: 1,
        time: None,
        evidence: Vec::new(),
        stack: None,
    }
}

/// The built-in engine.
pub fn builtin() -> Engine {
    crate::rules::load(&[]).expect("built-in rules compile")
}

/// A clock anchored on 2020-08-21 UTC.
pub fn clock() -> Clock {
    Clock {
        anchor: Timestamp::parse_rfc3339(b"2020-08-21T00:00:00Z"),
        ..Clock::default()
    }
}

/// Evaluates and flattens (causes and nested consequences) to `(rule, score)` pairs.
pub fn fired(engine: &Engine, obs: &Observations) -> Vec<(String, u8)> {
    fn walk(f: &Finding, out: &mut Vec<(String, u8)>) {
        out.push((f.rule.clone(), f.score));
        for c in &f.explains {
            walk(c, out);
        }
    }
    let mut out = Vec::new();
    for f in engine.evaluate(obs, &clock()) {
        walk(&f, &mut out);
    }
    out
}

/// The finding for `rule`, searching nested findings too.
pub fn finding(engine: &Engine, obs: &Observations, rule: &str) -> Option<Finding> {
    fn find(fs: &[Finding], rule: &str) -> Option<Finding> {
        for f in fs {
            if f.rule == rule {
                return Some(f.clone());
            }
            if let Some(x) = find(&f.explains, rule) {
                return Some(x);
            }
        }
        None
    }
    find(&engine.evaluate(obs, &clock()), rule)
}
