//! The selection: resolved records in the window and of the chosen sources, a record and its
//! copies in other members of the same host folded into one entry, the earliest `limit`
//! entries kept.

use std::collections::{BTreeMap, HashMap};

use super::Entry;
use crate::base::Timestamp;

/// Where an entry stands among entries of one instant: member path, line, input.
type Place = (String, u32, usize);

/// The entries kept at one time.
#[derive(Default)]
struct Moment {
    /// Entries by host, source and text, in the order they arrived: the k-th of a member's
    /// identical lines folds into the k-th entry of its host that has no line of that member yet.
    by_text: HashMap<(usize, String, String), Vec<Entry>>,
    /// The place of every entry and its key in `by_text`, to drop the last.
    order: BTreeMap<Place, (usize, String, String)>,
}

/// Keeps the earliest `limit` entries of the records pushed, copies folded.
pub(super) struct Select {
    limit: usize,
    /// The entries kept, by time.
    kept: BTreeMap<Timestamp, Moment>,
    /// Entries in `kept` (copies folded).
    shown: usize,
    /// Records folded into an entry in `kept`.
    pub(super) copies: u64,
    /// Records of the selection beyond the limit (copies included).
    pub(super) dropped: u64,
}

impl Select {
    /// An empty selection keeping at most `limit` entries.
    pub(super) fn new(limit: usize) -> Select {
        Select {
            limit: limit.max(1),
            kept: BTreeMap::new(),
            shown: 0,
            copies: 0,
            dropped: 0,
        }
    }

    /// True when no record at `time` can be shown: the kept entries are `limit` and all earlier.
    pub(super) fn full_before(&self, time: Timestamp) -> bool {
        self.shown >= self.limit && self.kept.last_key_value().is_some_and(|(t, _)| *t < time)
    }

    /// Keeps `e`, as a copy of a kept entry of another member of its host when there is one,
    /// then drops the latest entries (with their copies) beyond the limit.
    pub(super) fn push(&mut self, e: Entry) {
        let moment = self.kept.entry(e.time).or_default();
        let key = (e.host, e.source.clone(), e.text.clone());
        let same = moment.by_text.entry(key.clone()).or_default();
        let home = same.iter_mut().find(|k| {
            (k.path != e.path || k.input != e.input)
                && !k.copies.iter().any(|c| copy_of(c, &e.path))
        });
        if let Some(k) = home {
            // The entry stands at the earliest place among its copies.
            let (path, line) =
                if (e.path.as_str(), e.line, e.input) < (k.path.as_str(), k.line, k.input) {
                    if let Some(v) = moment.order.remove(&(k.path.clone(), k.line, k.input)) {
                        moment.order.insert((e.path.clone(), e.line, e.input), v);
                    }
                    k.input = e.input;
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
        moment.order.insert((e.path.clone(), e.line, e.input), key);
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
        if let Some(((path, line, input), key)) = moment.order.pop_last() {
            if let Some(same) = moment.by_text.get_mut(&key) {
                if let Some(i) = same
                    .iter()
                    .position(|k| k.path == path && k.line == line && k.input == input)
                {
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
    pub(super) fn into_entries(self) -> Vec<Entry> {
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

/// True when `copy` (`path:line`) is a line of `path`.
fn copy_of(copy: &str, path: &str) -> bool {
    copy.strip_prefix(path)
        .is_some_and(|rest| rest.starts_with(':') && rest[1..].bytes().all(|b| b.is_ascii_digit()))
}
