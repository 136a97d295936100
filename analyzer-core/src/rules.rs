//! Rules: declarative signature files, the engine that evaluates them, the built-in library.
//!
//! A rule combines evidence of several kinds — log patterns per source (with counts, windows and
//! A-before-B sequences), multi-line kernel events, goroutine-dump predicates, host facts and
//! version ranges — each `required`, `supporting` or `against`, each with a weight. See
//! [`spec`] for the file format and [`engine`] for scoring, ranking and summary templates.

use std::path::Path;

use serde::Serialize;

use crate::base::Severity;
use crate::error::{Error, Result};

pub mod engine;
#[cfg(test)]
mod sample;
pub mod spec;

pub use engine::Engine;

mod builtin {
    include!(concat!(env!("OUT_DIR"), "/builtin_rules.rs"));
}

/// The built-in rule files as `(name, text)`.
pub fn builtin() -> &'static [(&'static str, &'static str)] {
    builtin::BUILTIN
}

/// Reads every `*.toml` file of a user rule directory, sorted by name.
pub fn read_dir(dir: &Path) -> Result<Vec<(String, String)>> {
    let rd = std::fs::read_dir(dir).map_err(|e| Error::Open {
        path: dir.to_path_buf(),
        source: e,
    })?;
    let mut files = Vec::new();
    for entry in rd {
        let entry = entry.map_err(|e| Error::Open {
            path: dir.to_path_buf(),
            source: e,
        })?;
        let path = entry.path();
        if path.extension().is_some_and(|e| e == "toml") {
            // The cause names the file too: it is what a user is shown.
            let text = read_rule_file(&path).map_err(|e| Error::Open {
                source: std::io::Error::new(e.kind(), format!("{}: {e}", path.display())),
                path: path.clone(),
            })?;
            files.push((path.display().to_string(), text));
        }
    }
    files.sort();
    Ok(files)
}

/// Largest rule file read: a rule file is a few KiB; a link to `/dev/zero` or a file of
/// gigabytes is refused, not read.
pub const MAX_RULE_FILE_BYTES: u64 = 1 << 20;

/// Reads one rule file: only a regular file (checked on the opened file, so that a FIFO named
/// `a.toml` neither blocks nor is read), of at most [`MAX_RULE_FILE_BYTES`].
fn read_rule_file(path: &Path) -> std::io::Result<String> {
    use std::io::{Error, ErrorKind, Read};
    let file = crate::input::walk::open_input(path)?;
    if !file.metadata()?.is_file() {
        return Err(Error::new(
            ErrorKind::InvalidInput,
            "not a regular file; a rule file must be one",
        ));
    }
    let mut bytes = Vec::new();
    file.take(MAX_RULE_FILE_BYTES + 1).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > MAX_RULE_FILE_BYTES {
        return Err(Error::new(
            ErrorKind::InvalidData,
            format!("larger than {MAX_RULE_FILE_BYTES} bytes; not a rule file"),
        ));
    }
    String::from_utf8(bytes).map_err(|e| Error::new(ErrorKind::InvalidData, e))
}

/// Compiles the built-in rules plus the rules of `extra` directories.
pub fn load(extra: &[&Path]) -> Result<Engine> {
    let mut user = Vec::new();
    for d in extra {
        user.extend(read_dir(d)?);
    }
    let files = builtin()
        .iter()
        .copied()
        .chain(user.iter().map(|(n, t)| (n.as_str(), t.as_str())));
    Engine::compile(files)
}

/// The rule id closest to a misspelt `id` (`volume-remove-lok`), when one is close enough to be
/// what was meant: at most a third of its characters (and at least two) edited.
pub fn suggest<'a>(engine: &'a Engine, id: &str) -> Option<&'a str> {
    let most = (id.chars().count() / 3).max(2);
    engine
        .rules()
        .iter()
        .map(|r| (strsim::damerau_levenshtein(id, r.id()), r.id()))
        .filter(|&(d, _)| d <= most)
        .min()
        .map(|(_, c)| c)
}

/// One rule as the rule listing shows it (`nodemortem rules --format json`, Python's
/// `nodemortem.rules()`): what it diagnoses and from which evidence. Fields are in alphabetical
/// order, the order of the listing's JSON keys.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RuleInfo {
    /// Evidence items in file order.
    pub evidence: Vec<EvidenceInfo>,
    /// Ids of the rules whose findings are consequences of this one.
    pub explains: Vec<String>,
    /// The rule id (`volume-remove-lock`).
    pub id: String,
    /// Where the rule came from (`builtin/oom-kill.toml` or a path).
    pub origin: String,
    /// Upstream issues and pull requests, fixed versions.
    pub references: Vec<String>,
    /// Severity when confirmed.
    pub severity: Severity,
    /// One-line title.
    pub title: String,
}

/// One evidence item of a [`RuleInfo`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct EvidenceInfo {
    /// Words for what the item looks for (shown as `missing` when absent).
    pub describe: String,
    /// Id within the rule.
    pub id: String,
    /// Kind: log, event, stacks, fact, version.
    pub kind: engine::EvidenceKind,
    /// Role: required, supporting, against.
    pub role: engine::Role,
    /// Weight in the score.
    pub weight: u32,
}

/// The rules of an engine as listed to users, in engine order.
///
/// ```
/// let engine = analyzer_core::rules::load(&[])?;
/// let listing = analyzer_core::rules::catalog(&engine);
/// let oom = listing.iter().find(|r| r.id == "oom-kill").expect("a built-in rule");
/// assert_eq!(oom.origin, "builtin/oom-kill.toml");
/// # Ok::<(), analyzer_core::Error>(())
/// ```
pub fn catalog(engine: &Engine) -> Vec<RuleInfo> {
    engine
        .rules()
        .iter()
        .map(|r| RuleInfo {
            evidence: r
                .items
                .iter()
                .map(|i| EvidenceInfo {
                    describe: i.describe.clone(),
                    id: i.id.clone(),
                    kind: i.kind,
                    role: i.role,
                    weight: i.weight,
                })
                .collect(),
            explains: r.spec.explains.clone(),
            id: r.id().to_string(),
            origin: r.origin.clone(),
            references: r.spec.references.clone(),
            severity: r.severity,
            title: r.spec.title.clone(),
        })
        .collect()
}

#[cfg(test)]
mod builtin_tests;
#[cfg(test)]
mod seed_tests;
#[cfg(test)]
pub(crate) mod testkit;

#[cfg(test)]
mod suggest_tests {
    use super::*;

    #[test]
    fn misspelt_ids_get_the_closest_rule() -> Result<()> {
        let engine = load(&[])?;
        assert_eq!(
            suggest(&engine, "volume-remove-lok"),
            Some("volume-remove-lock")
        );
        assert_eq!(suggest(&engine, "oom-kil"), Some("oom-kill"));
        assert_eq!(suggest(&engine, "omo-kill"), Some("oom-kill"));
        assert_eq!(suggest(&engine, "nothing-like-any-rule"), None);
        Ok(())
    }
}
