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
//!
//! The engine's seams are its submodules: `compile` (rule files to [`Rule`]s and matchers),
//! `prefilter` (the literals of every pattern in one automaton), `scan` (one member's records
//! against the matchers the prefilter selects), `evaluate` (scoring every rule against
//! [`Observations`]), `template` (summaries) and `rank` (ordering and nesting findings).

mod compile;
mod evaluate;
mod prefilter;
mod rank;
mod scan;
mod template;
#[cfg(test)]
mod tests;
mod variants;

pub use compile::{EvidenceKind, Item, Role, Rule};
pub use evaluate::{Observation, Observations, Stack, compare_versions};
pub(crate) use scan::{ChunkHits, merge_chunks};
pub use scan::{Hit, ItemHits, MemberHits, MemberScan};
pub use template::human_duration;
#[cfg(test)]
pub(crate) use variants::variants;

use compile::Matcher;
use prefilter::Prefilter;

/// All rules compiled, with the shared prefilter.
#[derive(Debug)]
pub struct Engine {
    rules: Vec<Rule>,
    matchers: Vec<Matcher>,
    /// The literals of every matcher in one automaton, and the matchers each selects.
    prefilter: Prefilter,
    use_prefilter: bool,
}

impl Engine {
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
}
