//! Evaluation: every rule scored against what the bundle showed ([`Observations`]): log hits
//! resolved to times and counted once across copied members, observations filtered by their
//! conditions, score units and groups, the summary filled, the findings ranked.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;

use serde::Serialize;

use super::rank::rank;
use super::scan::{Hit, MemberHits};
use super::template::{Vars, fill_template};
use super::{Engine, EvidenceKind, Item, Role, Rule};
use crate::base::time::RawTime;
use crate::base::{Confidence, Evidence, Finding, Timestamp};
use crate::model::time::Clock;

impl Engine {
    /// Evaluates every rule against what the bundle showed; returns ranked findings with
    /// explained findings nested under their causes.
    pub fn evaluate(&self, obs: &Observations, clock: &Clock) -> Vec<Finding> {
        let mut fired: Vec<(usize, Finding)> = Vec::new();
        for (ri, rule) in self.rules.iter().enumerate() {
            if let Some(f) = self.evaluate_rule(ri, rule, obs, clock) {
                fired.push((ri, f));
            }
        }
        rank(&self.rules, fired)
    }

    fn evaluate_rule(
        &self,
        ri: usize,
        rule: &Rule,
        obs: &Observations,
        clock: &Clock,
    ) -> Option<Finding> {
        let mut present: Vec<Option<Matched>> = Vec::with_capacity(rule.items.len());
        // First pass without sequences, then apply `after` constraints.
        for (ii, item) in rule.items.iter().enumerate() {
            present.push(match item.kind {
                EvidenceKind::Log => log_matched(obs, clock, ri, ii, item, None),
                _ => observation_matched(obs, item),
            });
        }
        for (ii, item) in rule.items.iter().enumerate() {
            if let Some(after) = &item.after {
                let other = rule.items.iter().position(|i| &i.id == after);
                let start = other
                    .and_then(|o| present[o].as_ref())
                    .and_then(|m| m.first);
                present[ii] = match start {
                    Some(t) => log_matched(obs, clock, ri, ii, item, Some(t)),
                    None => None,
                };
            }
        }
        // Score units: a single item, or a group of alternatives.
        let mut units: Vec<(Role, Vec<usize>)> = Vec::new();
        for (ii, item) in rule.items.iter().enumerate() {
            match item.group.as_ref().and_then(|g| {
                units
                    .iter()
                    .position(|(_, m)| rule.items[m[0]].group.as_ref() == Some(g))
            }) {
                Some(u) => units[u].1.push(ii),
                None => units.push((item.role, vec![ii])),
            }
        }
        let mut total = 0u32;
        let mut got = 0u32;
        let mut against = 0u32;
        let mut missing = Vec::new();
        for (role, members) in &units {
            let max_w = members
                .iter()
                .map(|&i| rule.items[i].weight)
                .max()
                .unwrap_or(0);
            let present_w = members
                .iter()
                .filter(|&&i| present[i].is_some())
                .map(|&i| rule.items[i].weight)
                .max();
            match role {
                Role::Required if present_w.is_none() => return None,
                Role::Required | Role::Supporting => {
                    total += max_w;
                    match present_w {
                        Some(w) => {
                            got += w;
                            // The stronger alternatives of a group that a weaker one stood in
                            // for: what would make the finding surer.
                            let stronger: Vec<&str> = members
                                .iter()
                                .filter(|&&i| present[i].is_none() && rule.items[i].weight > w)
                                .map(|&i| rule.items[i].describe.as_str())
                                .collect();
                            if !stronger.is_empty() {
                                missing.push(stronger.join(", or "));
                            }
                        }
                        None => missing.push(
                            members
                                .iter()
                                .map(|&i| rule.items[i].describe.as_str())
                                .collect::<Vec<_>>()
                                .join(", or "),
                        ),
                    }
                }
                Role::Against => against += present_w.unwrap_or(0),
            }
        }
        // Against evidence that outweighs what was found points at another cause: no finding.
        if got == 0 || against >= got {
            return None;
        }
        let mut score = f64::from(got) / f64::from(total.max(1)) * 100.0;
        score -= f64::from(against) / f64::from(total.max(1)) * 100.0;
        // Evidence close in time counts more than scattered evidence.
        let times: Vec<Timestamp> = present
            .iter()
            .flatten()
            .filter_map(|m| m.first)
            .collect::<Vec<_>>();
        if let (Some(window), Some(lo), Some(hi)) =
            (rule.window, times.iter().min(), times.iter().max())
        {
            if hi.0 - lo.0 > window {
                score *= 0.8;
            }
        }
        let score = score.round().clamp(1.0, 100.0) as u8;
        let confidence = Confidence::of(score, rule.spec.confirm_score);
        let mut evidence = Vec::new();
        for (item, m) in rule.items.iter().zip(&present) {
            if item.role == Role::Against {
                continue;
            }
            if let Some(m) = m {
                for e in &m.evidence {
                    // A line that satisfies several items is cited once, under the first (its
                    // text may be cut around each item's match differently).
                    let seen = evidence.iter().any(|x: &Evidence| {
                        x.input == e.input
                            && x.path == e.path
                            && x.line == e.line
                            && (e.line != 0 || x.text == e.text)
                    });
                    if !seen {
                        let mut e = e.clone();
                        e.label = item.id.clone();
                        evidence.push(e);
                    }
                }
            }
        }
        // `{when}`: the time of the evidence that makes the diagnosis (the required items), not
        // of the context around it.
        let found = || {
            rule.items
                .iter()
                .zip(&present)
                .filter(|(i, _)| i.role == Role::Required)
                .filter_map(|(_, m)| m.as_ref())
        };
        let vars = Vars {
            items: rule
                .items
                .iter()
                .zip(&present)
                .filter_map(|(i, m)| m.as_ref().map(|m| (i.id.as_str(), m)))
                .collect(),
            first: found().filter_map(|m| m.first).min(),
            last: found().filter_map(|m| m.last.or(m.first)).max(),
        };
        let summary = fill_template(&rule.spec.summary, &vars);
        Some(Finding {
            host: 0,
            rule: rule.id().to_string(),
            title: rule.spec.title.clone(),
            severity: rule.severity,
            score,
            confidence,
            summary,
            evidence,
            missing,
            remediation: rule.spec.remediation.trim().to_string(),
            references: rule.spec.references.clone(),
            explains: Vec::new(),
        })
    }
}

/// A generic observation: an event, a host fact, a dump summary, a version.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Observation {
    /// Kind (`oom-kill`, `hung-task`, `go-crash`, `orphaned-shim`, `lock`, `deadlock`,
    /// `goroutines`, `version`, …).
    pub kind: String,
    /// Named fields, matched by `where` conditions and used in summaries.
    pub fields: BTreeMap<String, String>,
    /// How many things this observation stands for (goroutines in a bucket); 1 otherwise.
    pub weight: u64,
    /// Time, when known.
    pub time: Option<Timestamp>,
    /// The lines behind it.
    pub evidence: Vec<Evidence>,
    /// The goroutine stack behind a dump observation (a lock's holder, a goroutine group), for
    /// `frames` predicates.
    #[serde(skip)]
    pub stack: Option<Stack>,
}

/// The frames of a goroutine's stack as indices into its dump's table of function names: a
/// rule's `frames` pattern is matched once per distinct function of a dump, then every stack of
/// the dump is a lookup, whatever its depth.
#[derive(Clone, Debug)]
pub struct Stack {
    /// The dump's distinct function names, shared by every stack of the dump.
    pub names: Arc<[String]>,
    /// The stack's frames, innermost first, as indices into `names`.
    pub funcs: Arc<[u32]>,
}

/// Everything the rules look at.
#[derive(Debug, Default)]
pub struct Observations {
    /// Member paths, indexed by [`MemberHits::member`].
    pub members: Vec<String>,
    /// The input each member was read from (its index in the report's `inputs`), indexed like
    /// [`members`](Observations::members): two inputs may hold members of the same path (two
    /// loose `messages` files), and each evidence line cites its own. A member past its end
    /// is input 0's.
    pub inputs: Vec<usize>,
    /// Log hits per member and item.
    pub hits: Vec<MemberHits>,
    /// Events, facts, dump summaries, versions.
    pub observations: Vec<Observation>,
}

/// A satisfied evidence item.
#[derive(Debug)]
pub(super) struct Matched {
    pub(super) count: u64,
    pub(super) first: Option<Timestamp>,
    pub(super) last: Option<Timestamp>,
    pub(super) fields: BTreeMap<String, String>,
    pub(super) values: BTreeMap<String, BTreeSet<String>>,
    pub(super) evidence: Vec<Evidence>,
}

/// True when some value of capture `name` is certainly behind `min_count` of the `count`
/// matches: with `d` distinct values, `count ≥ (min_count − 1)·d + 1` (pigeonhole; exact for
/// `min_count = 2`, a lower bound above). The scan keeps distinct values, not a count per
/// value, and at most [`super::scan::MAX_VALUES`] of them: past that the repeat cannot be told.
fn one_value_repeats(parts: &[&MemberHits], name: &str, count: u64, min_count: u64) -> bool {
    let mut distinct: BTreeSet<&str> = BTreeSet::new();
    for h in parts {
        if let Some(v) = h.hits.values.get(name) {
            distinct.extend(v.iter().map(String::as_str));
        }
    }
    let d = distinct.len() as u64;
    d > 0
        && d < super::scan::MAX_VALUES as u64
        && count > min_count.saturating_sub(1).saturating_mul(d)
}

fn log_matched(
    obs: &Observations,
    clock: &Clock,
    ri: usize,
    ii: usize,
    item: &Item,
    not_before: Option<Timestamp>,
) -> Option<Matched> {
    let parts: Vec<&MemberHits> = obs
        .hits
        .iter()
        .filter(|h| h.rule == ri && h.item == ii)
        .collect();
    if parts.is_empty() {
        return None;
    }
    let resolve = |h: &MemberHits, t: &RawTime, e: u16| clock.resolve(t, e, &h.years);
    // All times (for windows and ordering), with the member they come from.
    let mut timed: Vec<(Timestamp, usize)> = Vec::new();
    let mut count = 0u64;
    let mut untimed = 0u64;
    for h in &parts {
        if not_before.is_none() {
            count += h.hits.count;
        }
        for (t, e) in &h.hits.times {
            match resolve(h, t, *e) {
                Some(ts) => {
                    if not_before.is_none_or(|nb| ts >= nb) {
                        timed.push((ts, h.member));
                    }
                }
                None => untimed += 1,
            }
        }
    }
    let (times, copies) = union_of_copies(timed);
    if not_before.is_some() {
        count = times.len() as u64;
    } else {
        count = count.saturating_sub(copies);
    }
    if count < item.min_count {
        return None;
    }
    if let Some(name) = &item.same_value
        && !one_value_repeats(&parts, name, count, item.min_count)
    {
        return None;
    }
    if let Some(w) = item.within {
        // Some run of min_count matches must fit in the window. Untimed matches cannot prove it.
        let k = item.min_count.max(1) as usize;
        let ok = times.len() >= k && times.windows(k).any(|win| win[k - 1].0 - win[0].0 <= w);
        let _ = untimed;
        if !ok {
            return None;
        }
    }
    // Evidence: the first hit of each member, plus the overall last.
    let mut all: Vec<(Option<Timestamp>, &MemberHits, &Hit)> = Vec::new();
    for h in &parts {
        for hit in h.hits.first.iter().chain(&h.hits.last) {
            let ts = resolve(h, &hit.time, hit.epoch);
            if not_before.is_some_and(|nb| ts.is_none_or(|t| t < nb)) {
                continue;
            }
            all.push((ts, h, hit));
        }
    }
    if all.is_empty() {
        return None;
    }
    // A record copied in several members is cited once, from the first member in path order
    // (the whole journal before the boot's, as the timeline shows it).
    let path = |h: &MemberHits| obs.members.get(h.member).map_or("", String::as_str);
    all.sort_by(|(t, h, hit), (u, g, other)| {
        (*t, path(h), hit.line).cmp(&(*u, path(g), other.line))
    });
    all.dedup_by(|b, a| {
        a.0.is_some() && a.0 == b.0 && a.1.member != b.1.member && a.2.text == b.2.text
    });
    let mut chosen: Vec<&(Option<Timestamp>, &MemberHits, &Hit)> = vec![&all[0]];
    if all.len() > 2 {
        chosen.push(&all[all.len() / 2]);
    }
    if all.len() > 1 {
        chosen.push(&all[all.len() - 1]);
    }
    let evidence = chosen
        .iter()
        .map(|(t, h, hit)| Evidence {
            input: obs.inputs.get(h.member).copied().unwrap_or_default(),
            path: obs.members.get(h.member).cloned().unwrap_or_default(),
            line: hit.line,
            time: *t,
            text: hit.text.clone(),
            highlight: hit.highlight,
            label: String::new(),
        })
        .collect();
    let mut fields: BTreeMap<String, String> = all[0].2.captures.iter().cloned().collect();
    // `{ID.last.NAME}`: the capture of the latest match (how stale PLEG got, the last error).
    for (k, v) in &all[all.len() - 1].2.captures {
        fields.insert(format!("last.{k}"), v.clone());
    }
    fields.insert("count".into(), count.to_string());
    let mut values: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for h in &parts {
        for (k, v) in &h.hits.values {
            values
                .entry(k.clone())
                .or_default()
                .extend(v.iter().cloned());
        }
    }
    let first = times.first().copied().or(all[0].0);
    let last = times.last().copied().or(all[all.len() - 1].0);
    Some(Matched {
        count,
        first,
        last,
        fields,
        values,
        evidence,
    })
}

/// The match times of one item over all members, sorted, with the records that several members
/// copy counted once: a sosreport holds the journal whole and again per boot and per unit, and a
/// daemon's log file repeats its journal lines. Within each second, the member with the most
/// matches stands for all (its times are kept, the others' are copies); matches of one member
/// are never merged. Returns the times and the number of copies left out.
fn union_of_copies(mut timed: Vec<(Timestamp, usize)>) -> (Vec<Timestamp>, u64) {
    const SECOND: i64 = 1_000_000;
    timed.sort_unstable_by_key(|&(t, m)| (t.0.div_euclid(SECOND), m, t));
    let mut times = Vec::with_capacity(timed.len());
    let mut copies = 0u64;
    for group in timed.chunk_by(|a, b| a.0.0.div_euclid(SECOND) == b.0.0.div_euclid(SECOND)) {
        // Runs of one member within the second (sorted by member); the longest stands.
        let best = group
            .chunk_by(|a, b| a.1 == b.1)
            .max_by_key(|run| run.len())
            .unwrap_or_default();
        copies += (group.len() - best.len()) as u64;
        times.extend(best.iter().map(|&(t, _)| t));
    }
    times.sort_unstable();
    (times, copies)
}

fn observation_matched(obs: &Observations, item: &Item) -> Option<Matched> {
    let kind = item.observation.as_deref()?;
    // Which functions of each dump's table the item's `frames` pattern matches, computed once
    // per dump (by the table's address).
    let mut frame_hits: HashMap<usize, Vec<bool>> = HashMap::new();
    let mut count = 0u64;
    let mut first_obs: Option<&Observation> = None;
    let mut evidence = Vec::new();
    let mut values: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut times = Vec::new();
    for o in obs.observations.iter().filter(|o| o.kind == kind) {
        if !item
            .conditions
            .iter()
            .all(|(k, re)| o.fields.get(k).is_some_and(|v| re.is_match(v.as_bytes())))
        {
            continue;
        }
        if let Some(re) = &item.frames {
            let matched = match &o.stack {
                Some(st) => {
                    let hits = frame_hits
                        .entry(st.names.as_ptr() as usize)
                        .or_insert_with(|| {
                            st.names.iter().map(|n| re.is_match(n.as_bytes())).collect()
                        });
                    st.funcs
                        .iter()
                        .any(|&f| hits.get(f as usize).copied().unwrap_or(false))
                }
                // Without a stack, the frames the observation lists (one per line).
                None => o
                    .fields
                    .get(item.frames_field)
                    .is_some_and(|v| v.split('\n').any(|f| re.is_match(f.as_bytes()))),
            };
            if !matched {
                continue;
            }
        }
        if let Some(min) = item.min_waiters {
            let w = o
                .fields
                .get("transitive_waiters")
                .and_then(|v| v.parse::<u64>().ok());
            if w.is_none_or(|w| w < min) {
                continue;
            }
        }
        if let Some(min) = item.min_minutes {
            let m = o.fields.get("minutes").and_then(|v| v.parse::<u32>().ok());
            if m.is_none_or(|m| m < min) {
                continue;
            }
        }
        if item.kind == EvidenceKind::Version
            && !version_in_range(
                o.fields.get("version").map(String::as_str).unwrap_or(""),
                item.version_at_least.as_deref(),
                item.version_below.as_deref(),
            )
        {
            continue;
        }
        count += o.weight.max(1);
        if first_obs.is_none() {
            first_obs = Some(o);
        }
        for (k, v) in &o.fields {
            let set = values.entry(k.clone()).or_default();
            if set.len() < 64 {
                set.insert(v.clone());
            }
        }
        if let Some(t) = o.time {
            times.push(t);
        }
        for e in &o.evidence {
            if evidence.len() < 6 && !evidence.contains(e) {
                evidence.push(e.clone());
            }
        }
    }
    if count == 0 || count < item.min_count {
        return None;
    }
    times.sort_unstable();
    let mut fields = first_obs.map(|o| o.fields.clone()).unwrap_or_default();
    fields.insert("count".into(), count.to_string());
    Some(Matched {
        count,
        first: times.first().copied(),
        last: times.last().copied(),
        fields,
        values,
        evidence,
    })
}

/// Compares dotted versions leniently (`17.03.2-ce`, `1.0.0-rc2`, `v1.2.6`): numeric parts
/// compare as numbers; a pre-release (`-rcN`) sorts before the release.
pub fn compare_versions(a: &str, b: &str) -> std::cmp::Ordering {
    fn key(v: &str) -> (Vec<u64>, Option<Vec<u64>>) {
        let v = v.trim().trim_start_matches('v');
        let (main, pre) = match v.find(['-', '+', '~']) {
            Some(i) => (&v[..i], Some(&v[i + 1..])),
            None => (v, None),
        };
        let nums = |s: &str| -> Vec<u64> {
            s.split(|c: char| !c.is_ascii_digit())
                .filter(|p| !p.is_empty())
                .filter_map(|p| p.parse().ok())
                .collect()
        };
        let pre = pre.and_then(|p| {
            let p = p.to_ascii_lowercase();
            (p.starts_with("rc") || p.starts_with("beta") || p.starts_with("alpha"))
                .then(|| nums(&p))
        });
        (nums(main), pre)
    }
    let (am, ap) = key(a);
    let (bm, bp) = key(b);
    let n = am.len().max(bm.len());
    for i in 0..n {
        let x = am.get(i).copied().unwrap_or(0);
        let y = bm.get(i).copied().unwrap_or(0);
        if x != y {
            return x.cmp(&y);
        }
    }
    match (ap, bp) {
        (None, None) => std::cmp::Ordering::Equal,
        (Some(_), None) => std::cmp::Ordering::Less,
        (None, Some(_)) => std::cmp::Ordering::Greater,
        (Some(x), Some(y)) => x.cmp(&y),
    }
}

fn version_in_range(v: &str, at_least: Option<&str>, below: Option<&str>) -> bool {
    if v.is_empty() {
        return false;
    }
    at_least.is_none_or(|lo| compare_versions(v, lo) != std::cmp::Ordering::Less)
        && below.is_none_or(|hi| compare_versions(v, hi) == std::cmp::Ordering::Less)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_compare() {
        use std::cmp::Ordering::*;
        assert_eq!(compare_versions("17.03.2-ce", "18.03"), Less);
        assert_eq!(compare_versions("1.0.0-rc2", "1.0.0"), Less);
        assert_eq!(compare_versions("1.0.0-rc2", "1.0.0-rc5"), Less);
        assert_eq!(compare_versions("v1.2.6", "1.2.6"), Equal);
        assert_eq!(compare_versions("20.10.7", "19.03"), Greater);
    }
}
