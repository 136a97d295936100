//! Scanning one member: its records, in file order, against the matchers the prefilter
//! selects for them; the hits kept per (rule, item) are bounded (first and last few with text,
//! capped times and capture values) however large the member. Chunks of one member scanned
//! apart merge into what one scan gives.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use super::Engine;
use super::compile::Matcher;
use crate::base::Source;
use crate::base::time::RawTime;
use crate::model::time::YearSummary;
use crate::parse::Record;

/// Hits of one log evidence item kept per member: the first and last few with text.
pub(super) const KEEP_TEXT: usize = 8;
/// Times kept per log evidence item per member (for windows and sequences).
const KEEP_TIMES: usize = 20_000;
/// Longest evidence text kept, in bytes.
const MAX_TEXT: usize = 400;
/// Distinct values kept per named capture per evidence item.
pub(super) const MAX_VALUES: usize = 64;

impl Engine {
    /// Starts scanning one member: feed its records in order to [`MemberScan::record`].
    pub fn scan<'e>(&'e self, data: &[u8]) -> MemberScan<'e> {
        let hits = if self.use_prefilter {
            self.prefilter.hits(data)
        } else {
            Vec::new()
        };
        MemberScan {
            engine: self,
            hits,
            cursor: 0,
            candidates: Vec::new(),
            results: HashMap::new(),
        }
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
    /// Number of occurrences: one per matching record, N for a Kubernetes event row that stands
    /// for N occurrences (`… (x14245 over 1d)`, see [`occurrences`]).
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
                for &mi in &eng.prefilter.literal_matchers[self.hits[c].1 as usize] {
                    if !self.candidates.contains(&mi) {
                        self.candidates.push(mi);
                    }
                }
                c += 1;
            }
            self.cursor = c;
            self.candidates.extend_from_slice(&eng.prefilter.always);
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
            entry.count += occurrences(rec.message);
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

    /// Ends the member: the hits per (rule, item), ready to be merged into [`Observations`](super::Observations).
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

/// How many occurrences a record stands for: N when its message ends as the kubectl reader
/// renders a repeated event (`kernel: UnregisterNetDevice: … (x14245 over 1d)`, the `Age` cell's
/// `(xN over …)` that the API server's event deduplication counts), 1 otherwise. A count that
/// does not parse is one occurrence.
pub(crate) fn occurrences(message: &[u8]) -> u64 {
    let Some(inner) = message.strip_suffix(b")") else {
        return 1;
    };
    let Some(open) = memchr::memrchr(b'(', inner) else {
        return 1;
    };
    let cell = &inner[open + 1..];
    let Some(rest) = cell.strip_prefix(b"x") else {
        return 1;
    };
    let digits = rest.iter().take_while(|b| b.is_ascii_digit()).count();
    if digits == 0 || !rest[digits..].starts_with(b" over ") || open == 0 || inner[open - 1] != b' '
    {
        return 1;
    }
    std::str::from_utf8(&rest[..digits])
        .ok()
        .and_then(|d| d.parse::<u64>().ok())
        .filter(|&n| n > 0)
        .unwrap_or(1)
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
            && !m.source_required
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
    /// Member index in [`Observations::members`](super::Observations::members).
    pub member: usize,
    /// Year summary of the member, to resolve times.
    pub years: YearSummary,
    /// The hits.
    pub hits: ItemHits,
}
