//! The rule engine: compiled rules, the shared literal prefilter, per-member log scanning, and
//! evaluation of every rule against what the bundle showed.
//!
//! Scanning is done once per member for all rules together: the literals of every log pattern
//! feed one Aho–Corasick automaton that runs over the member's bytes; only records that contain
//! a literal are handed to the (few) regular expressions that literal belongs to. A pattern
//! without a usable literal runs on every record of its sources.
//!
//! Evaluation works on [`Observations`]: log hits (from scanning) and generic
//! [`Observation`]s — multi-line kernel events, host facts, lock and goroutine summaries of
//! dumps, component versions — each a kind plus named fields plus evidence lines. Rule
//! conditions (`where`) are regular expressions over those fields.
//!
//! # Summary templates
//! `{ID.count}`, `{ID.first}`, `{ID.last}` (times), `{ID.span}`, `{ID.FIELD}` (a named capture
//! of a log pattern or a field of an observation, from the first match), `{ID.values.FIELD}`
//! (distinct values, up to five). A segment in `[[ … ]]` is dropped when a placeholder inside
//! it cannot be filled (its evidence is absent).

use std::collections::{BTreeMap, BTreeSet, HashMap};

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};
use regex::bytes::Regex;
use serde::Serialize;

use crate::error::{Error, Result};
use crate::model::time::{Clock, RawTime, YearSummary, parse_duration};
use crate::model::{Record, Source, Timestamp};
use crate::report::{Evidence, Finding, Severity};
use crate::rules::spec::{self, RuleSpec};

/// Hits of one log evidence item kept per member: the first and last few with text.
const KEEP_TEXT: usize = 8;
/// Times kept per log evidence item per member (for windows and sequences).
const KEEP_TIMES: usize = 20_000;
/// Longest evidence text kept, in bytes.
const MAX_TEXT: usize = 400;
/// Distinct values kept per named capture per evidence item.
const MAX_VALUES: usize = 64;

/// What kind of evidence an item is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum EvidenceKind {
    /// Regex over log records.
    Log,
    /// Multi-line kernel/runtime events (OOM kill, hung task, Go crash).
    Event,
    /// Goroutine-dump summaries (locks, deadlocks, goroutine groups).
    Stacks,
    /// Host-state facts.
    Fact,
    /// Component versions.
    Version,
}

/// The role of an evidence item in a rule.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// The rule does not fire without it.
    Required,
    /// Adds to the score.
    Supporting,
    /// Its presence lowers the score (points at another cause).
    Against,
}

/// A compiled evidence item.
#[derive(Clone, Debug)]
pub struct Item {
    /// Id within the rule.
    pub id: String,
    /// Kind.
    pub kind: EvidenceKind,
    /// Role.
    pub role: Role,
    /// Weight in the score.
    pub weight: u32,
    /// Words for `missing`.
    pub describe: String,
    /// Alternatives group, if any.
    pub group: Option<String>,
    /// Observation kind selected (`oom-kill`, `orphaned-shim`, `lock`, …).
    observation: Option<String>,
    /// Field conditions.
    conditions: Vec<(String, Regex)>,
    min_count: u64,
    within: Option<i64>,
    after: Option<String>,
    min_waiters: Option<u64>,
    min_minutes: Option<u32>,
    version_below: Option<String>,
    version_at_least: Option<String>,
}

/// A compiled rule.
#[derive(Clone, Debug)]
pub struct Rule {
    /// The parsed file (title, texts, references).
    pub spec: RuleSpec,
    /// Where it came from (`builtin/oom-kill.toml` or a path).
    pub origin: String,
    /// Severity when confirmed.
    pub severity: Severity,
    /// Evidence items in file order.
    pub items: Vec<Item>,
    window: Option<i64>,
}

impl Rule {
    /// The rule id.
    pub fn id(&self) -> &str {
        self.spec.id.get_ref()
    }
}

/// A log pattern of one evidence item, compiled.
#[derive(Clone, Debug)]
struct Matcher {
    rule: usize,
    item: usize,
    sources: Vec<Source>,
    other_idents: Vec<Vec<u8>>,
    regex: Regex,
    literals: Vec<Vec<u8>>,
}

/// All rules compiled, with the shared prefilter.
#[derive(Debug)]
pub struct Engine {
    rules: Vec<Rule>,
    matchers: Vec<Matcher>,
    prefilter: Option<AhoCorasick>,
    /// For each prefilter pattern, the matchers it selects.
    literal_matchers: Vec<Vec<usize>>,
    /// Matchers with no literal: run on every record.
    always: Vec<usize>,
    use_prefilter: bool,
    /// Length of the longest literal: how far before a line key a literal can start.
    max_literal: usize,
    /// Some literal spans lines: the prefilter cannot skip line by line.
    multiline_literals: bool,
    /// Short substrings, one inside every literal, few enough for a SIMD (Teddy) search.
    line_keys: Option<AhoCorasick>,
}

impl Engine {
    /// Compiles rule files given as `(name, text)` pairs. Names appear in errors.
    pub fn compile<'a>(files: impl IntoIterator<Item = (&'a str, &'a str)>) -> Result<Engine> {
        let mut rules = Vec::new();
        let mut matchers = Vec::new();
        let mut seen = HashMap::new();
        for (name, text) in files {
            let spec = spec::parse_rule(name, text)?;
            let rule = compile_rule(name, text, spec, rules.len(), &mut matchers)?;
            if let Some(prev) = seen.insert(rule.id().to_string(), name.to_string()) {
                return Err(Error::Rule {
                    file: name.to_string(),
                    line: spec::line_of(text, rule.spec.id.span().start),
                    field: "id".into(),
                    message: format!("rule id {:?} is already defined in {prev}", rule.id()),
                });
            }
            rules.push(rule);
        }
        // Explained ids must exist.
        let ids: BTreeSet<&str> = rules.iter().map(|r| r.id()).collect();
        for r in &rules {
            for e in &r.spec.explains {
                if !ids.contains(e.as_str()) {
                    return Err(Error::Rule {
                        file: r.origin.clone(),
                        line: 0,
                        field: "explains".into(),
                        message: format!("unknown rule id {e:?}"),
                    });
                }
            }
        }
        let mut lits: Vec<Vec<u8>> = Vec::new();
        let mut index: HashMap<Vec<u8>, usize> = HashMap::new();
        let mut literal_matchers: Vec<Vec<usize>> = Vec::new();
        let mut always = Vec::new();
        for (mi, m) in matchers.iter().enumerate() {
            if m.literals.is_empty() {
                always.push(mi);
                continue;
            }
            for l in &m.literals {
                let pi = *index.entry(l.clone()).or_insert_with(|| {
                    lits.push(l.clone());
                    literal_matchers.push(Vec::new());
                    lits.len() - 1
                });
                if !literal_matchers[pi].contains(&mi) {
                    literal_matchers[pi].push(mi);
                }
            }
        }
        let prefilter = if lits.is_empty() {
            None
        } else {
            Some(
                AhoCorasickBuilder::new()
                    .match_kind(MatchKind::Standard)
                    // A DFA keeps the leftmost skip over lines without literals fast even with
                    // a few hundred literals (the default picks an NFA above ~100).
                    .kind(Some(aho_corasick::AhoCorasickKind::DFA))
                    .build(&lits)
                    .map_err(|e| Error::Rule {
                        file: "(prefilter)".into(),
                        line: 0,
                        field: "literals".into(),
                        message: e.to_string(),
                    })?,
            )
        };
        Ok(Engine {
            rules,
            matchers,
            prefilter,
            literal_matchers,
            always,
            use_prefilter: true,
            max_literal: lits.iter().map(Vec::len).max().unwrap_or(0),
            multiline_literals: lits.iter().any(|l| l.contains(&b'\n')),
            line_keys: AhoCorasickBuilder::new()
                .match_kind(MatchKind::LeftmostFirst)
                .build(line_keys(&lits))
                .ok(),
        })
    }

    /// Turns the prefilter off (every pattern runs on every record of its sources). Only for
    /// testing that the prefilter changes nothing.
    pub fn set_prefilter(&mut self, on: bool) {
        self.use_prefilter = on;
    }

    /// The compiled rules.
    pub fn rules(&self) -> &[Rule] {
        &self.rules
    }

    /// A rule by id.
    pub fn rule(&self, id: &str) -> Option<&Rule> {
        self.rules.iter().find(|r| r.id() == id)
    }

    /// The literals feeding the prefilter (for `rg` comparisons in benchmarks).
    pub fn literals(&self) -> Vec<String> {
        let mut v: Vec<String> = self
            .matchers
            .iter()
            .flat_map(|m| {
                m.literals
                    .iter()
                    .map(|l| String::from_utf8_lossy(l).into_owned())
            })
            .collect();
        v.sort();
        v.dedup();
        v
    }

    /// Starts scanning one member: feed its records in order to [`MemberScan::record`].
    pub fn scan<'e>(&'e self, data: &[u8]) -> MemberScan<'e> {
        let mut hits: Vec<(u64, u32)> = Vec::new();
        if self.use_prefilter {
            if let Some(ac) = &self.prefilter {
                match &self.line_keys {
                    Some(keys) if !self.multiline_literals => {
                        overlapping_by_line(ac, keys, self.max_literal, data, &mut hits)
                    }
                    _ => {
                        for m in ac.find_overlapping_iter(data) {
                            hits.push((m.start() as u64, m.pattern().as_u32()));
                        }
                    }
                }
                // Overlapping matches come sorted by end; order by start for the cursor walk.
                hits.sort_unstable();
            }
        }
        MemberScan {
            engine: self,
            hits,
            cursor: 0,
            candidates: Vec::new(),
            results: HashMap::new(),
        }
    }

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
                        Some(w) => got += w,
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
        if got == 0 {
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
        let severity = if score < rule.spec.confirm_score {
            rule.severity.min(Severity::Low)
        } else {
            rule.severity
        };
        let mut evidence = Vec::new();
        for (item, m) in rule.items.iter().zip(&present) {
            if item.role == Role::Against {
                continue;
            }
            if let Some(m) = m {
                for e in &m.evidence {
                    // A line that satisfies several items is cited once, under the first.
                    let seen = evidence.iter().any(|x: &Evidence| {
                        x.path == e.path && x.line == e.line && x.text == e.text
                    });
                    if !seen {
                        let mut e = e.clone();
                        e.label = item.id.clone();
                        evidence.push(e);
                    }
                }
            }
        }
        let vars: HashMap<&str, &Matched> = rule
            .items
            .iter()
            .zip(&present)
            .filter_map(|(i, m)| m.as_ref().map(|m| (i.id.as_str(), m)))
            .collect();
        let summary = fill_template(&rule.spec.summary, &vars);
        if score < rule.spec.confirm_score {
            missing.insert(
                0,
                format!(
                    "unconfirmed: score {score} is below {}",
                    rule.spec.confirm_score
                ),
            );
        }
        Some(Finding {
            rule: rule.id().to_string(),
            title: rule.spec.title.clone(),
            severity,
            score,
            summary,
            evidence,
            missing,
            remediation: rule.spec.remediation.trim().to_string(),
            references: rule.spec.references.clone(),
            explains: Vec::new(),
        })
    }
}

/// One log hit with its text, kept for evidence.
#[derive(Clone, Debug)]
pub struct Hit {
    /// 1-based line.
    pub line: u32,
    /// The record's time as stated.
    pub time: RawTime,
    /// Year epoch of the record in its member.
    pub epoch: u16,
    /// First line of the record, trimmed and shortened.
    pub text: String,
    /// Matched range within `text`.
    pub highlight: Option<(usize, usize)>,
    /// Named captures.
    pub captures: Vec<(String, String)>,
}

/// The matches of one log evidence item in one member.
#[derive(Clone, Debug, Default)]
pub struct ItemHits {
    /// Number of matching records.
    pub count: u64,
    /// First matches with text.
    pub first: Vec<Hit>,
    /// Last matches with text, oldest first.
    pub last: Vec<Hit>,
    /// Times of matches, in file order (capped).
    pub times: Vec<(RawTime, u16)>,
    /// Distinct values of each named capture (capped at 64 per name).
    pub values: BTreeMap<String, BTreeSet<String>>,
}

/// Scanning state of one member.
pub struct MemberScan<'e> {
    engine: &'e Engine,
    hits: Vec<(u64, u32)>,
    cursor: usize,
    candidates: Vec<usize>,
    results: HashMap<usize, Scanning>,
}

impl MemberScan<'_> {
    /// Offers the next record (in file order) with its year epoch.
    pub fn record(&mut self, rec: &Record<'_>, epoch: u16) {
        let eng = self.engine;
        self.candidates.clear();
        if eng.use_prefilter {
            let end = rec.offset + rec.raw.len() as u64;
            while self.cursor < self.hits.len() && self.hits[self.cursor].0 < rec.offset {
                self.cursor += 1;
            }
            let mut c = self.cursor;
            while c < self.hits.len() && self.hits[c].0 < end {
                for &mi in &eng.literal_matchers[self.hits[c].1 as usize] {
                    if !self.candidates.contains(&mi) {
                        self.candidates.push(mi);
                    }
                }
                c += 1;
            }
            self.cursor = c;
            self.candidates.extend_from_slice(&eng.always);
        } else {
            self.candidates.extend(0..eng.matchers.len());
        }
        if self.candidates.is_empty() {
            return;
        }
        // Candidates are few; keep matcher order deterministic.
        self.candidates.sort_unstable();
        for k in 0..self.candidates.len() {
            let mi = self.candidates[k];
            let m = &eng.matchers[mi];
            if !source_ok(m, rec) {
                continue;
            }
            let Some(caps) = m.regex.captures(rec.message) else {
                continue;
            };
            let entry = self.results.entry(mi).or_default();
            entry.count += 1;
            if entry.times.len() < KEEP_TIMES {
                entry.times.push((rec.time, epoch));
            }
            let whole = caps.get(0).map(|g| (g.start(), g.end()));
            let keep_first = entry.first.len() < KEEP_TEXT;
            let mut captures = Vec::new();
            for name in m.regex.capture_names().flatten() {
                let Some(v) = caps.name(name) else { continue };
                let v = String::from_utf8_lossy(v.as_bytes());
                let set = match entry.values.get_mut(name) {
                    Some(set) => set,
                    None => entry.values.entry(name.to_string()).or_default(),
                };
                if set.len() < MAX_VALUES && !set.contains(v.as_ref()) {
                    set.insert(v.clone().into_owned());
                    // First-seen order, so that chunks of one member merge exactly.
                    match entry.order.iter_mut().find(|(n, _)| n == name) {
                        Some((_, o)) => o.push(v.clone().into_owned()),
                        None => entry
                            .order
                            .push((name.to_string(), vec![v.clone().into_owned()])),
                    }
                }
                if keep_first {
                    captures.push((name.to_string(), v.into_owned()));
                }
            }
            if keep_first {
                entry.first.push(make_hit(rec, epoch, whole, captures));
            } else {
                // Later hits are kept as positions only; their text is read at `finish`.
                let pending = Pending {
                    rec_offset: rec.offset,
                    line: rec.line,
                    time: rec.time,
                    epoch,
                    whole,
                    msg_start: (rec.message.as_ptr() as usize)
                        .wrapping_sub(rec.raw.as_ptr() as usize),
                    len: rec.raw.len(),
                };
                if entry.last.len() < KEEP_TEXT {
                    entry.last.push(pending);
                } else {
                    let i = entry.ring_next % KEEP_TEXT;
                    entry.last[i] = pending;
                    entry.ring_next = i + 1;
                }
            }
        }
    }

    /// Ends the member: the hits per (rule, item), ready to be merged into [`Observations`].
    pub fn finish(self, data: &[u8], member: usize, years: YearSummary) -> Vec<MemberHits> {
        self.finish_chunk(data, member, years)
            .into_iter()
            .map(|c| c.hits)
            .collect()
    }

    /// Like [`finish`](MemberScan::finish), keeping what [`merge_chunks`] needs to merge the
    /// scans of consecutive chunks of one member exactly.
    pub(crate) fn finish_chunk(
        self,
        data: &[u8],
        member: usize,
        years: YearSummary,
    ) -> Vec<ChunkHits> {
        let eng = self.engine;
        let mut out: Vec<ChunkHits> = self
            .results
            .into_iter()
            .map(|(mi, mut h)| {
                if h.last.len() == KEEP_TEXT {
                    h.last.rotate_left(h.ring_next % KEEP_TEXT);
                }
                let mut hits = ItemHits {
                    count: h.count,
                    first: h.first,
                    last: Vec::with_capacity(h.last.len()),
                    times: h.times,
                    values: h.values,
                };
                for p in &h.last {
                    let start = p.rec_offset as usize;
                    let Some(raw) = data.get(start..start + p.len) else {
                        continue;
                    };
                    let rec = Record {
                        message: raw.get(p.msg_start..).unwrap_or(raw),
                        time: p.time,
                        ..Record::bare(p.rec_offset, p.line, raw)
                    };
                    hits.last.push(make_hit(&rec, p.epoch, p.whole, Vec::new()));
                }
                let m = &eng.matchers[mi];
                ChunkHits {
                    hits: MemberHits {
                        rule: m.rule,
                        item: m.item,
                        member,
                        years,
                        hits,
                    },
                    order: h.order,
                }
            })
            .collect();
        out.sort_by_key(|h| (h.hits.rule, h.hits.item));
        out
    }
}

/// The hits of one (rule, item) in one chunk of a member, with the capture values in
/// first-seen order.
#[derive(Clone, Debug)]
pub(crate) struct ChunkHits {
    /// The hits, line numbers and epochs as for the whole member.
    pub(crate) hits: MemberHits,
    /// Capture values in first-seen order, per name.
    pub(crate) order: Vec<(String, Vec<String>)>,
}

/// Merges the scans of consecutive chunks of one member (in file order) into what one scan of
/// the whole member gives: counts add up, the first hits come from the earliest chunks, the
/// last from the latest, times concatenate (capped), and capture values keep the first
/// [`MAX_VALUES`] distinct in file order.
pub(crate) fn merge_chunks(chunks: Vec<Vec<ChunkHits>>, years: YearSummary) -> Vec<MemberHits> {
    let mut by_item: BTreeMap<(usize, usize), Vec<ChunkHits>> = BTreeMap::new();
    for chunk in chunks {
        for c in chunk {
            by_item
                .entry((c.hits.rule, c.hits.item))
                .or_default()
                .push(c);
        }
    }
    by_item
        .into_values()
        .filter_map(|parts| {
            let (rule, item, member) = {
                let h = &parts.first()?.hits;
                (h.rule, h.item, h.member)
            };
            let total: u64 = parts.iter().map(|p| p.hits.hits.count).sum();
            let mut first = Vec::new();
            let mut known = Vec::new();
            let mut times = Vec::new();
            let mut values: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
            for p in parts {
                for (name, vals) in p.order {
                    let set = values.entry(name).or_default();
                    for v in vals {
                        if set.len() >= MAX_VALUES {
                            break;
                        }
                        set.insert(v);
                    }
                }
                let h = p.hits.hits;
                let room = KEEP_TIMES - times.len();
                times.extend(h.times.into_iter().take(room));
                for hit in h.first.into_iter().chain(h.last) {
                    if first.len() < KEEP_TEXT {
                        first.push(hit);
                    } else {
                        known.push(hit);
                    }
                }
            }
            // One scan keeps the last KEEP_TEXT of the hits after the first KEEP_TEXT, with
            // their text only; the gaps between chunks' first and last lie before them.
            let n_last = (total.saturating_sub(KEEP_TEXT as u64) as usize).min(KEEP_TEXT);
            let mut last = known.split_off(known.len().saturating_sub(n_last));
            for h in &mut last {
                h.captures.clear();
            }
            Some(MemberHits {
                rule,
                item,
                member,
                years,
                hits: ItemHits {
                    count: total,
                    first,
                    last,
                    times,
                    values,
                },
            })
        })
        .collect()
}

/// Every overlapping match of `ac` in `data`: a fast search for `keys` (every literal contains
/// one, see [`line_keys`]) skips lines without any literal, and on a line with a key only the
/// text from `max_len` bytes before the key to the line's end is searched for overlapping
/// matches (most lines of a log match nothing). Literals must not contain `\n` and be at most
/// `max_len` long.
///
/// The key found is the line's leftmost key occurrence or overlaps it, and every literal
/// occurrence holds a key occurrence, so no literal of the line starts more than `max_len`
/// bytes before the key found.
fn overlapping_by_line(
    ac: &AhoCorasick,
    keys: &AhoCorasick,
    max_len: usize,
    data: &[u8],
    hits: &mut Vec<(u64, u32)>,
) {
    let mut at = 0;
    while at < data.len() {
        let Some(m) = keys.find(aho_corasick::Input::new(data).range(at..)) else {
            break;
        };
        // `at` is a line start (or the start of the data), so the window stays on the line.
        let start = m.start().saturating_sub(max_len).max(at);
        let start = match memchr::memrchr(b'\n', &data[start..m.start()]) {
            Some(i) => start + i + 1,
            None => start,
        };
        let line_end = memchr::memchr(b'\n', &data[m.end()..]).map_or(data.len(), |i| m.end() + i);
        let input = aho_corasick::Input::new(data).range(start..line_end);
        let mut state = aho_corasick::automaton::OverlappingState::start();
        loop {
            ac.find_overlapping(input.clone(), &mut state);
            let Some(o) = state.get_match() else { break };
            hits.push((o.start() as u64, o.pattern().as_u32()));
        }
        at = line_end + 1;
    }
}

/// Most keys [`line_keys`] makes: the SIMD multi-substring search (Teddy) takes up to 64.
const MAX_KEYS: usize = 64;

/// Short substrings such that every literal contains at least one: the literals, those
/// containing another dropped, then the two sharing the longest common substring (at least 4
/// bytes) replaced by it until at most [`MAX_KEYS`] remain. Long shared substrings keep the
/// keys as rare as the literals. A line holding a literal holds a key, so a search for keys
/// finds every line the literals can be in.
fn line_keys(lits: &[Vec<u8>]) -> Vec<Vec<u8>> {
    let holds = |k: &[u8], o: &[u8]| memchr::memmem::find(k, o).is_some();
    let mut keys: Vec<Vec<u8>> = lits.iter().filter(|l| !l.is_empty()).cloned().collect();
    keys.sort();
    keys.dedup();
    let all = keys.clone();
    keys.retain(|k| !all.iter().any(|o| o != k && holds(k, o)));
    // No live key holds another. Keys keep their index. `common` holds the pairs of live keys
    // sharing 4 bytes or more (no shorter substring is merged): (i, j), i < j, to the longest
    // common substring's length and start in key i.
    let n = keys.len();
    let mut live = vec![true; n];
    let mut common: BTreeMap<(usize, usize), (usize, usize)> = BTreeMap::new();
    let mut holders: HashMap<&[u8], Vec<usize>> = HashMap::new();
    for (k, key) in keys.iter().enumerate() {
        for gram in key.windows(4) {
            let ids = holders.entry(gram).or_default();
            if ids.last() != Some(&k) {
                ids.push(k);
            }
        }
    }
    for ids in holders.values() {
        for (x, &j) in ids.iter().enumerate() {
            for &i in &ids[..x] {
                common
                    .entry((i, j))
                    .or_insert_with(|| longest_common(&keys[i], &keys[j]));
            }
        }
    }
    drop(holders);
    let mut count = n;
    while count > MAX_KEYS {
        // The longest, the first in index order among equals.
        let mut best: Option<(usize, usize, usize)> = None; // (len, i, start in i)
        for (&(i, _), &(len, start)) in &common {
            if best.is_none_or(|b| len > b.0) {
                best = Some((len, i, start));
            }
        }
        let Some((len, i, start)) = best else { break };
        // The shared substring replaces key i; every other key holding it (key j among
        // them) goes. It holds no live key, being part of key i.
        let shared = keys[i][start..start + len].to_vec();
        for k in 0..n {
            if k != i && live[k] && holds(&keys[k], &shared) {
                live[k] = false;
                count -= 1;
            }
        }
        keys[i] = shared;
        // Pairs of a dropped key go; those of key i are recomputed (a part of key i shares no
        // more with another key than key i did, so no pair is added).
        common.retain(|&(a, b), v| {
            if !live[a] || !live[b] {
                return false;
            }
            if a == i || b == i {
                *v = longest_common(&keys[a], &keys[b]);
            }
            v.0 >= 4
        });
    }
    let mut keys: Vec<Vec<u8>> = keys
        .into_iter()
        .zip(live)
        .filter_map(|(k, l)| l.then_some(k))
        .collect();
    keys.sort();
    keys
}

/// The longest common substring of `a` and `b`: its length and start in `a` (dynamic
/// programming over one row).
fn longest_common(a: &[u8], b: &[u8]) -> (usize, usize) {
    let mut best = (0, 0);
    let mut prev = vec![0usize; b.len() + 1];
    let mut row = vec![0usize; b.len() + 1];
    for (i, &x) in a.iter().enumerate() {
        for (j, &y) in b.iter().enumerate() {
            row[j + 1] = if x == y { prev[j] + 1 } else { 0 };
            if row[j + 1] > best.0 {
                best = (row[j + 1], i + 1 - row[j + 1]);
            }
        }
        std::mem::swap(&mut prev, &mut row);
    }
    best
}

/// A later hit kept as a position until the member ends.
#[derive(Clone, Copy, Debug)]
struct Pending {
    rec_offset: u64,
    line: u32,
    time: RawTime,
    epoch: u16,
    whole: Option<(usize, usize)>,
    msg_start: usize,
    len: usize,
}

/// Hits of one matcher while a member is scanned.
#[derive(Debug, Default)]
struct Scanning {
    count: u64,
    first: Vec<Hit>,
    last: Vec<Pending>,
    times: Vec<(RawTime, u16)>,
    values: BTreeMap<String, BTreeSet<String>>,
    /// The values of `values` in first-seen order, per capture name.
    order: Vec<(String, Vec<String>)>,
    ring_next: usize,
}

fn source_ok(m: &Matcher, rec: &Record<'_>) -> bool {
    if m.sources.is_empty() && m.other_idents.is_empty() {
        return true;
    }
    m.sources.contains(&rec.source)
        || m.other_idents.iter().any(|i| i.as_slice() == rec.ident)
        // An undetermined record (a pasted line, CLI output, a wrapper's line) may come from any
        // of the listed sources; kernel-only patterns still need kernel text (`parse::source`).
        || (rec.source.is_undetermined()
            && !(m.other_idents.is_empty() && m.sources.iter().all(|s| *s == Source::Kernel)))
}

fn make_hit(
    rec: &Record<'_>,
    epoch: u16,
    whole: Option<(usize, usize)>,
    captures: Vec<(String, String)>,
) -> Hit {
    // The evidence text is the record's first line; the match offset is relative to message.
    let first_line = rec.raw.split(|&b| b == b'\n').next().unwrap_or(rec.raw);
    let msg_start = (rec.message.as_ptr() as usize).wrapping_sub(rec.raw.as_ptr() as usize);
    let (text, shift) = shorten(first_line, whole.map(|(s, _)| s + msg_start));
    let highlight = whole.and_then(|(s, e)| {
        let s = (s + msg_start).checked_sub(shift)?;
        let e = (e + msg_start).checked_sub(shift)?.min(text.len());
        (s < e && text.is_char_boundary(s) && text.is_char_boundary(e)).then_some((s, e))
    });
    Hit {
        line: rec.line,
        time: rec.time,
        epoch,
        text,
        highlight,
        captures,
    }
}

/// Lossy text of a line, trimmed, cut around `focus` when longer than [`MAX_TEXT`]. Returns the
/// text and how many bytes were dropped from the front (for highlight offsets).
fn shorten(line: &[u8], focus: Option<usize>) -> (String, usize) {
    let line = line.strip_suffix(b"\r").unwrap_or(line);
    if line.len() <= MAX_TEXT {
        return (String::from_utf8_lossy(line).into_owned(), 0);
    }
    let f = focus.unwrap_or(0).min(line.len());
    let start = f.saturating_sub(MAX_TEXT / 4);
    let end = (start + MAX_TEXT).min(line.len());
    // Only a valid UTF-8 cut keeps offsets aligned; lossy text of the cut is fine otherwise.
    let text = String::from_utf8_lossy(&line[start..end]).into_owned();
    (text, start)
}

/// Hits of one (rule, item) in one member.
#[derive(Clone, Debug)]
pub struct MemberHits {
    /// Rule index.
    pub rule: usize,
    /// Item index within the rule.
    pub item: usize,
    /// Member index in [`Observations::members`].
    pub member: usize,
    /// Year summary of the member, to resolve times.
    pub years: YearSummary,
    /// The hits.
    pub hits: ItemHits,
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
}

/// Everything the rules look at.
#[derive(Debug, Default)]
pub struct Observations {
    /// Member paths, indexed by [`MemberHits::member`].
    pub members: Vec<String>,
    /// Log hits per member and item.
    pub hits: Vec<MemberHits>,
    /// Events, facts, dump summaries, versions.
    pub observations: Vec<Observation>,
}

/// A satisfied evidence item.
#[derive(Debug)]
struct Matched {
    count: u64,
    first: Option<Timestamp>,
    last: Option<Timestamp>,
    fields: BTreeMap<String, String>,
    values: BTreeMap<String, BTreeSet<String>>,
    evidence: Vec<Evidence>,
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

fn fill_template(tpl: &str, vars: &HashMap<&str, &Matched>) -> String {
    // Drop `[[…]]` segments whose placeholders cannot be filled.
    let mut out = String::new();
    let mut rest = tpl;
    while let Some(i) = rest.find("[[") {
        out.push_str(&fill_plain(&rest[..i], vars).unwrap_or_default());
        let after = &rest[i + 2..];
        let Some(j) = after.find("]]") else {
            rest = after;
            continue;
        };
        if let Some(seg) = fill_plain(&after[..j], vars) {
            out.push_str(&seg);
        }
        rest = &after[j + 2..];
    }
    match fill_plain(rest, vars) {
        Some(s) => out.push_str(&s),
        None => out.push_str(&fill_lossy(rest, vars)),
    }
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn placeholder(name: &str, vars: &HashMap<&str, &Matched>) -> Option<String> {
    let (id, field) = name.split_once('.')?;
    let m = vars.get(id)?;
    Some(match field {
        "count" => m.count.to_string(),
        "first" => m.first?.to_rfc3339(),
        "last" => m.last?.to_rfc3339(),
        "span" => human_duration(m.last?.0 - m.first?.0),
        f => {
            if let Some(name) = f.strip_prefix("values.") {
                let set = m.values.get(name)?;
                let mut v: Vec<&str> = set.iter().map(String::as_str).take(5).collect();
                if set.len() > 5 {
                    v.push("…");
                }
                v.join(", ")
            } else {
                m.fields.get(f)?.clone()
            }
        }
    })
}

fn fill_plain(s: &str, vars: &HashMap<&str, &Matched>) -> Option<String> {
    let mut out = String::new();
    let mut rest = s;
    while let Some(i) = rest.find('{') {
        out.push_str(&rest[..i]);
        let j = rest[i..].find('}')? + i;
        out.push_str(&placeholder(&rest[i + 1..j], vars)?);
        rest = &rest[j + 1..];
    }
    out.push_str(rest);
    Some(out)
}

fn fill_lossy(s: &str, vars: &HashMap<&str, &Matched>) -> String {
    let mut out = String::new();
    let mut rest = s;
    while let Some(i) = rest.find('{') {
        out.push_str(&rest[..i]);
        let Some(j) = rest[i..].find('}').map(|j| j + i) else {
            out.push_str(&rest[i..]);
            return out;
        };
        out.push_str(&placeholder(&rest[i + 1..j], vars).unwrap_or_else(|| "?".into()));
        rest = &rest[j + 1..];
    }
    out.push_str(rest);
    out
}

/// `3h12m`, `45s`: a short human duration.
pub fn human_duration(micros: i64) -> String {
    let s = micros.max(0) / 1_000_000;
    let (d, h, m, sec) = (s / 86400, s % 86400 / 3600, s % 3600 / 60, s % 60);
    match (d, h, m) {
        (0, 0, 0) => format!("{sec}s"),
        (0, 0, _) => format!("{m}m{sec:02}s"),
        (0, _, _) => format!("{h}h{m:02}m"),
        _ => format!("{d}d{h:02}h"),
    }
}

/// Orders findings (score, then severity) and nests each finding under a fired rule that
/// declares it explains it.
fn rank(rules: &[Rule], fired: Vec<(usize, Finding)>) -> Vec<Finding> {
    let key = |f: &Finding| {
        (
            std::cmp::Reverse(f.score),
            std::cmp::Reverse(f.severity),
            f.rule.clone(),
        )
    };
    let mut fired = fired;
    fired.sort_by_key(|(_, f)| key(f));
    let ids: Vec<&str> = fired.iter().map(|(ri, _)| rules[*ri].id()).collect();
    // parent[i] = index of the cause that explains i.
    let mut parent: Vec<Option<usize>> = vec![None; fired.len()];
    for (i, (_, f)) in fired.iter().enumerate() {
        let mut best: Option<usize> = None;
        for (j, (rj, _)) in fired.iter().enumerate() {
            if i == j || !rules[*rj].spec.explains.iter().any(|e| e == &f.rule) {
                continue;
            }
            // No mutual nesting: a cause that is itself explained by i does not take it.
            if rules[fired[i].0].spec.explains.iter().any(|e| e == ids[j]) && j > i {
                continue;
            }
            if best.is_none_or(|b| j < b) {
                best = Some(j);
            }
        }
        parent[i] = best;
    }
    // Break cycles: follow parents; if a chain returns to i, cut i's parent.
    for i in 0..fired.len() {
        let mut seen = vec![false; fired.len()];
        let mut cur = Some(i);
        while let Some(c) = cur {
            if seen[c] {
                parent[i] = None;
                break;
            }
            seen[c] = true;
            cur = parent[c];
        }
    }
    let mut slots: Vec<Option<Finding>> = fired.into_iter().map(|(_, f)| Some(f)).collect();
    // Attach deepest children first: process in reverse topological order by depth.
    let depth = |mut i: usize| {
        let mut d = 0;
        while let Some(p) = parent[i] {
            d += 1;
            i = p;
        }
        d
    };
    let mut order: Vec<usize> = (0..slots.len()).collect();
    order.sort_by_key(|&i| std::cmp::Reverse(depth(i)));
    for i in order {
        if let Some(p) = parent[i] {
            if let Some(child) = slots[i].take() {
                if let Some(pf) = slots[p].as_mut() {
                    pf.explains.push(child);
                    pf.explains.sort_by_key(key);
                }
            }
        }
    }
    slots.into_iter().flatten().collect()
}

fn compile_rule(
    name: &str,
    text: &str,
    spec: RuleSpec,
    ri: usize,
    matchers: &mut Vec<Matcher>,
) -> Result<Rule> {
    let err = |span: std::ops::Range<usize>, field: String, message: String| Error::Rule {
        file: name.to_string(),
        line: if span.end == 0 {
            0
        } else {
            spec::line_of(text, span.start)
        },
        field,
        message,
    };
    // A rule's `window` or an item's `within`, with the error naming its line and field.
    let duration = |w: &Option<toml::Spanned<String>>, field: String| -> Result<Option<i64>> {
        w.as_ref()
            .map(|w| {
                parse_duration(w.get_ref()).map_err(|why| {
                    let message = format!("not a duration: {:?} ({why})", w.get_ref());
                    err(w.span(), field, message)
                })
            })
            .transpose()
    };
    let id = spec.id.get_ref();
    if id.is_empty()
        || !id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
    {
        return Err(err(
            spec.id.span(),
            "id".into(),
            "must be lowercase words joined by '-'".into(),
        ));
    }
    let severity = spec::severity(name, text, "severity", &spec.severity)?;
    let window = duration(&spec.window, "window".into())?;
    if spec.evidence.is_empty() {
        return Err(err(
            spec.id.span(),
            "evidence".into(),
            "a rule needs at least one evidence item".into(),
        ));
    }
    let mut items = Vec::new();
    for (ii, ev) in spec.evidence.iter().enumerate() {
        let f = |field: &str| format!("evidence[{ii}].{field}");
        let kind = match ev.kind.get_ref().as_str() {
            "log" => EvidenceKind::Log,
            "event" => EvidenceKind::Event,
            "stacks" => EvidenceKind::Stacks,
            "fact" => EvidenceKind::Fact,
            "version" => EvidenceKind::Version,
            other => {
                return Err(err(
                    ev.kind.span(),
                    f("kind"),
                    format!(
                        "unknown kind {other:?} (expected log, event, stacks, fact or version)"
                    ),
                ));
            }
        };
        let role = match ev.role.get_ref().as_str() {
            "required" => Role::Required,
            "supporting" => Role::Supporting,
            "against" => Role::Against,
            other => {
                return Err(err(
                    ev.role.span(),
                    f("role"),
                    format!("unknown role {other:?} (expected required, supporting or against)"),
                ));
            }
        };
        let regex = |s: &toml::Spanned<String>, field: &str| {
            Regex::new(s.get_ref()).map_err(|e| err(s.span(), f(field), e.to_string()))
        };
        let mut conditions = Vec::new();
        for (k, v) in &ev.conditions {
            conditions.push((k.clone(), regex(v, &format!("where.{k}"))?));
        }
        let mut observation = None;
        match kind {
            EvidenceKind::Log => {
                let Some(p) = &ev.pattern else {
                    return Err(err(
                        ev.kind.span(),
                        f("pattern"),
                        "a log item needs a pattern".into(),
                    ));
                };
                let re = regex(p, "pattern")?;
                let literals = if ev.literals.is_empty() {
                    extract_literals(p.get_ref())
                } else {
                    ev.literals.iter().map(|l| l.as_bytes().to_vec()).collect()
                };
                let mut sources = Vec::new();
                let mut other_idents = Vec::new();
                for s in &ev.sources {
                    match Source::from_name(s.get_ref()) {
                        Some(src) => sources.push(src),
                        None => other_idents.push(s.get_ref().as_bytes().to_vec()),
                    }
                }
                matchers.push(Matcher {
                    rule: ri,
                    item: ii,
                    sources,
                    other_idents,
                    regex: re,
                    literals,
                });
            }
            EvidenceKind::Event => {
                let Some(e) = &ev.event else {
                    return Err(err(
                        ev.kind.span(),
                        f("event"),
                        "an event item needs `event`".into(),
                    ));
                };
                if !matches!(e.get_ref().as_str(), "oom-kill" | "hung-task" | "go-crash") {
                    return Err(err(
                        e.span(),
                        f("event"),
                        format!(
                            "unknown event {:?} (expected oom-kill, hung-task or go-crash)",
                            e.get_ref()
                        ),
                    ));
                }
                observation = Some(e.get_ref().clone());
            }
            EvidenceKind::Fact => {
                let Some(fa) = &ev.fact else {
                    return Err(err(
                        ev.kind.span(),
                        f("fact"),
                        "a fact item needs `fact`".into(),
                    ));
                };
                observation = Some(fa.get_ref().clone());
            }
            EvidenceKind::Stacks => {
                let pred = ev
                    .predicate
                    .as_ref()
                    .map(|p| p.get_ref().as_str())
                    .unwrap_or("lock");
                let obs = match pred {
                    "lock" => "lock",
                    "deadlock" => "deadlock",
                    "goroutines" => "goroutines",
                    other => {
                        let span = ev.predicate.as_ref().map(|p| p.span()).unwrap_or(0..0);
                        return Err(err(
                            span,
                            f("predicate"),
                            format!(
                                "unknown predicate {other:?} (expected lock, deadlock or goroutines)"
                            ),
                        ));
                    }
                };
                observation = Some(obs.to_string());
                if let Some(fr) = &ev.frames {
                    let field = if obs == "lock" {
                        "holder_frames"
                    } else {
                        "frames"
                    };
                    conditions.push((field.into(), regex(fr, "frames")?));
                }
                if let Some(w) = &ev.waiter_frames {
                    conditions.push(("waiter_funcs".into(), regex(w, "waiter_frames")?));
                }
                if let Some(s) = &ev.state {
                    conditions.push(("state".into(), regex(s, "state")?));
                }
                if let Some(a) = &ev.activity {
                    let re = Regex::new(&format!("^(?:{})$", regex::escape(a)))
                        .map_err(|e| err(ev.kind.span(), f("activity"), e.to_string()))?;
                    conditions.push(("activity".into(), re));
                }
            }
            EvidenceKind::Version => {
                let Some(c) = &ev.component else {
                    return Err(err(
                        ev.kind.span(),
                        f("component"),
                        "a version item needs `component`".into(),
                    ));
                };
                observation = Some("version".into());
                let re = Regex::new(&format!("^{}$", regex::escape(c)))
                    .map_err(|e| err(ev.kind.span(), f("component"), e.to_string()))?;
                conditions.push(("component".into(), re));
            }
        }
        let within = duration(&ev.within, f("within"))?;
        if *ev.weight.get_ref() > spec::MAX_WEIGHT {
            return Err(err(
                ev.weight.span(),
                f("weight"),
                format!(
                    "{} is more than {} (weights are relative: 10, 30, 60)",
                    ev.weight.get_ref(),
                    spec::MAX_WEIGHT
                ),
            ));
        }
        if let Some(a) = &ev.after {
            if !spec.evidence.iter().any(|o| o.id.get_ref() == a.get_ref()) {
                return Err(err(
                    a.span(),
                    f("after"),
                    format!("no evidence item {:?} in this rule", a.get_ref()),
                ));
            }
        }
        items.push(Item {
            id: ev.id.get_ref().clone(),
            kind,
            role,
            weight: *ev.weight.get_ref(),
            describe: ev.describe.clone(),
            group: ev.group.clone(),
            observation,
            conditions,
            min_count: ev.min_count.unwrap_or(1),
            within,
            after: ev.after.as_ref().map(|a| a.get_ref().clone()),
            min_waiters: ev.min_waiters,
            min_minutes: ev.min_minutes,
            version_below: ev.below.clone(),
            version_at_least: ev.at_least.clone(),
        });
    }
    for (i, a) in items.iter().enumerate() {
        if let Some(b) = items[..i]
            .iter()
            .find(|b| b.group.is_some() && b.group == a.group)
        {
            if a.role != b.role {
                return Err(err(
                    spec.evidence[i].role.span(),
                    format!("evidence[{i}].role"),
                    format!(
                        "all items of group {:?} need the same role",
                        a.group.as_deref().unwrap_or("")
                    ),
                ));
            }
        }
    }
    if !items.iter().any(|i| i.role == Role::Required) {
        return Err(err(
            spec.id.span(),
            "evidence".into(),
            "a rule needs at least one required evidence item".into(),
        ));
    }
    Ok(Rule {
        origin: name.to_string(),
        severity,
        items,
        window,
        spec,
    })
}

/// Literals of which every match of `pattern` contains one, or empty when none is usable.
fn extract_literals(pattern: &str) -> Vec<Vec<u8>> {
    use regex_syntax::hir::literal::{ExtractKind, Extractor};
    let Ok(hir) = regex_syntax::ParserBuilder::new()
        .utf8(false)
        .build()
        .parse(pattern)
    else {
        return Vec::new();
    };
    for prefix in [true, false] {
        let mut ex = Extractor::new();
        ex.kind(if prefix {
            ExtractKind::Prefix
        } else {
            ExtractKind::Suffix
        });
        let mut seq = ex.extract(&hir);
        // Keep the literals whole (more selective) unless there are too many of them.
        if seq.len().is_some_and(|n| n > 16) {
            if prefix {
                seq.optimize_for_prefix_by_preference();
            } else {
                seq.optimize_for_suffix_by_preference();
            }
        }
        if let Some(lits) = seq.literals() {
            if !lits.is_empty() && lits.iter().all(|l| l.as_bytes().len() >= 4) {
                return lits.iter().map(|l| l.as_bytes().to_vec()).collect();
            }
        }
    }
    Vec::new()
}

#[cfg(test)]
mod tests;
