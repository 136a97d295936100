//! Rule files: the declarative TOML form of a signature, and its validation.
//!
//! A rule file holds one rule. Built-in rules live in `src/rules/builtin/*.toml` and are compiled
//! into the binary; users add their own with `--rules DIR`. The format is documented with a
//! worked example in `docs/rule-authoring.md`. Every fault is reported with the file, the 1-based
//! line and the field (`evidence[2].pattern`), never as a bare parse error.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use toml::Spanned;

use crate::base::Severity;
use crate::error::{Error, Result};

/// One rule as written in its file.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RuleSpec {
    /// Stable id (`volume-remove-lock`): lowercase words joined by `-`.
    pub id: Spanned<String>,
    /// One-line title.
    pub title: String,
    /// Severity of the diagnosed condition when the rule is confirmed.
    pub severity: Spanned<String>,
    /// Template of the one-sentence summary; see [`crate::rules::engine`] for placeholders.
    pub summary: String,
    /// One paragraph: the mechanism, why the evidence means what it means.
    pub explanation: String,
    /// What to do, as steps.
    pub remediation: String,
    /// Upstream issues and pull requests, fixed versions.
    #[serde(default)]
    pub references: Vec<String>,
    /// Ids of rules whose findings are consequences of this one; they are nested under it.
    #[serde(default)]
    pub explains: Vec<String>,
    /// Score below which a fired rule is reported as unconfirmed (severity capped at `low`).
    #[serde(default = "default_confirm")]
    pub confirm_score: u8,
    /// Time window in which evidence counts as close together (`30m`, `2h`); scattered evidence
    /// lowers the score.
    #[serde(default)]
    pub window: Option<Spanned<String>>,
    /// The evidence items.
    pub evidence: Vec<EvidenceSpec>,
}

fn default_confirm() -> u8 {
    50
}

/// One piece of evidence a rule looks for.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct EvidenceSpec {
    /// Id used in summary placeholders and `after`.
    pub id: Spanned<String>,
    /// `log`, `event`, `stacks`, `fact` or `version`.
    pub kind: Spanned<String>,
    /// `required` (the rule does not fire without it), `supporting` (adds to the score) or
    /// `against` (its presence lowers the score: a sign of a different cause).
    #[serde(default = "default_role")]
    pub role: Spanned<String>,
    /// Contribution to the score (at most [`MAX_WEIGHT`]).
    #[serde(default = "default_weight")]
    pub weight: Spanned<u32>,
    /// What the item is, in words; listed under `missing` when absent.
    pub describe: String,
    /// Items sharing a group are alternatives: the group is present when any of them is, and
    /// weighs as much as its heaviest present member (all members need the same role).
    #[serde(default)]
    pub group: Option<String>,

    // --- log
    /// `log`: sources whose records are searched (`kernel`, `kubelet`, `dockerd`, …); all when empty.
    #[serde(default)]
    pub sources: Vec<Spanned<String>>,
    /// `log`: the record must have been read as one of `sources`; a line of undetermined source
    /// (a bare pasted line, CLI output) does not count. For evidence whose meaning is who logged
    /// it (a daemon's own abort), where the same text from any other program means something else.
    #[serde(default)]
    pub source_required: bool,
    /// `log`: regular expression over the record's message (bytes; named groups are captured).
    #[serde(default)]
    pub pattern: Option<Spanned<String>>,
    /// `log`: literals of which every match contains one; extracted from `pattern` when omitted.
    #[serde(default)]
    pub literals: Vec<String>,
    /// `log`/`event`/`fact`/`stacks`: minimum number of matches.
    #[serde(default)]
    pub min_count: Option<u64>,
    /// `log`: the `min_count` matches must fall within this duration (`10m`).
    #[serde(default)]
    pub within: Option<Spanned<String>>,
    /// `log`: matches count only after the first match of this other evidence id (A before B).
    #[serde(default)]
    pub after: Option<Spanned<String>>,
    /// `log`: the `min_count` matches must share one value of this named capture (the same
    /// container asked to stop again and again, not many containers stopped once each).
    #[serde(default)]
    pub same_value: Option<Spanned<String>>,

    // --- event
    /// `event`: `oom-kill`, `hung-task` or `go-crash`.
    #[serde(default)]
    pub event: Option<Spanned<String>>,

    // --- fact
    /// `fact`: the host fact kind (`orphaned-shim`, `ip-conflict`, …).
    #[serde(default)]
    pub fact: Option<Spanned<String>>,

    /// `event`/`fact`/`stacks`: field → regular expression the field must match.
    #[serde(default, rename = "where")]
    pub conditions: BTreeMap<String, Spanned<String>>,

    // --- stacks
    /// `stacks`: `lock` (a lock with waiters), `deadlock` (a cycle) or `goroutines` (goroutines
    /// whose stacks match).
    #[serde(default)]
    pub predicate: Option<Spanned<String>>,
    /// `stacks`: regex one of the holder's (or the goroutine's) frames must match.
    #[serde(default)]
    pub frames: Option<Spanned<String>>,
    /// `stacks` `lock`: regex one of the waiters' calling functions must match.
    #[serde(default)]
    pub waiter_frames: Option<Spanned<String>>,
    /// `stacks`: minimum transitive waiters (`lock`).
    #[serde(default)]
    pub min_waiters: Option<u64>,
    /// `stacks`: minimum minutes in the state (holder for `lock`, goroutines for `goroutines`).
    #[serde(default)]
    pub min_minutes: Option<u32>,
    /// `stacks` `lock`: required holder activity (`filesystem`, `rpc`, `channel`, `runnable`).
    #[serde(default)]
    pub activity: Option<String>,
    /// `stacks` `goroutines`: regex over the goroutine state (`semacquire`, `chan receive`).
    #[serde(default)]
    pub state: Option<Spanned<String>>,

    // --- version
    /// `version`: component (`docker`, `containerd`, `runc`, `kubernetes`, `kernel`).
    #[serde(default)]
    pub component: Option<String>,
    /// `version`: matches versions strictly below this one.
    #[serde(default)]
    pub below: Option<String>,
    /// `version`: matches versions at or above this one.
    #[serde(default)]
    pub at_least: Option<String>,
}

fn default_role() -> Spanned<String> {
    Spanned::new(0..0, "supporting".to_string())
}

fn default_weight() -> Spanned<u32> {
    Spanned::new(0..0, 10)
}

/// The largest weight of an evidence item: scores are ratios of weights, and a bound keeps
/// their sums exact.
pub const MAX_WEIGHT: u32 = 1000;

/// The multi-line events a rule can name (`event = …`), each with the fields its `where`
/// conditions can test.
pub const EVENTS: &[(&str, &[&str])] = &[
    (
        "oom-kill",
        &[
            "memcg",
            "victim_pid",
            "victim_comm",
            "invoker",
            "task_memcg",
            "container_id",
            "pod_uid",
            "anon_rss_kb",
        ],
    ),
    ("hung-task", &["comm", "pid", "seconds", "trace"]),
    ("go-crash", &["program", "pid", "reason", "goroutines"]),
];

/// The goroutine-dump predicates a rule can name (`predicate = …`), each with the fields its
/// conditions (`where`, `frames`, `waiter_frames`, `state`, `activity`) can test.
pub const STACKS: &[(&str, &[&str])] = &[
    (
        "lock",
        &[
            "address",
            "kind",
            "holder",
            "holder_state",
            "minutes",
            "activity",
            "waiters",
            "transitive_waiters",
            "holder_frames",
            "waiter_funcs",
            "max_wait_minutes",
            "candidates",
            "dump",
        ],
    ),
    ("deadlock", &["goroutines", "size", "dump"]),
    (
        "goroutines",
        &["state", "minutes", "count", "frames", "caller", "dump"],
    ),
];

/// The fields of a component version (`kind = "version"`).
pub const VERSION_FIELDS: &[&str] = &["component", "version"];

/// The fields every host fact has besides the attributes of its kind
/// ([`FACTS`](crate::model::host::FACTS)).
pub const FACT_FIELDS: &[&str] = &["subject", "summary"];

/// The fields of the observation `name` of the evidence kind `kind` (`event`, `stacks`, `fact`,
/// `version`): what the item's conditions can test. `None` when the kind has no such
/// observation.
pub fn observation_fields(kind: &str, name: &str) -> Option<Vec<&'static str>> {
    let find = |table: &[(&'static str, &'static [&'static str])]| {
        table
            .iter()
            .find(|(k, _)| *k == name)
            .map(|(_, fields)| fields.to_vec())
    };
    match kind {
        "event" => find(EVENTS),
        "stacks" => find(STACKS),
        "fact" => find(crate::model::host::FACTS).map(|mut fields| {
            fields.extend_from_slice(FACT_FIELDS);
            fields
        }),
        "version" => (name == "version").then(|| VERSION_FIELDS.to_vec()),
        _ => None,
    }
}

/// The observation names of the evidence kind `kind`, in table order.
pub fn observation_names(kind: &str) -> Vec<&'static str> {
    let names = |table: &[(&'static str, &'static [&'static str])]| {
        table.iter().map(|(k, _)| *k).collect::<Vec<_>>()
    };
    match kind {
        "event" => names(EVENTS),
        "stacks" => names(STACKS),
        "fact" => names(crate::model::host::FACTS),
        "version" => vec!["version"],
        _ => Vec::new(),
    }
}

/// `a, b or c`: a list of names for an error message.
pub(crate) fn one_of(names: &[&str]) -> String {
    match names {
        [] => String::new(),
        [one] => (*one).to_string(),
        [init @ .., last] => format!("{} or {last}", init.join(", ")),
    }
}

/// Parses a rule file. `name` is used in errors (`builtin/oom-kill.toml`, a path).
pub fn parse_rule(name: &str, text: &str) -> Result<RuleSpec> {
    toml::from_str::<RuleSpec>(text).map_err(|e| {
        let line = e.span().map(|s| line_of(text, s.start)).unwrap_or(0);
        let msg = e.message().to_string();
        // toml names the field in its message for missing/unknown fields; for a bad value, the
        // key is the one on the faulty line, inside the n-th `[[evidence]]` table before it.
        let field = field_from_message(&msg)
            .or_else(|| field_at_line(text, line))
            .unwrap_or_else(|| "rule".to_string());
        Error::Rule {
            file: name.to_string(),
            line,
            field,
            message: msg,
        }
    })
}

/// 1-based line of a byte offset.
pub fn line_of(text: &str, offset: usize) -> usize {
    1 + memchr::memchr_iter(b'\n', &text.as_bytes()[..offset.min(text.len())]).count()
}

fn field_at_line(text: &str, line: usize) -> Option<String> {
    let lines: Vec<&str> = text.lines().collect();
    let at = lines.get(line.checked_sub(1)?)?;
    let key = at.split_once('=')?.0.trim();
    if key.is_empty() || key.starts_with('[') {
        return None;
    }
    let tables = lines[..line - 1]
        .iter()
        .filter(|l| l.trim() == "[[evidence]]")
        .count();
    Some(match tables {
        0 => key.to_string(),
        n => format!("evidence[{}].{key}", n - 1),
    })
}

/// The field a toml message names (`missing field `describe``, `unknown field `x``); other
/// messages quote the faulty value (`invalid value: integer `-1``), which is no field.
fn field_from_message(msg: &str) -> Option<String> {
    let start = msg.find("field `")? + "field ".len();
    let end = msg[start + 1..].find('`')?;
    Some(msg[start + 1..start + 1 + end].to_string())
}

/// Parses a severity name with the rule file's position for errors.
pub fn severity(name: &str, text: &str, field: &str, value: &Spanned<String>) -> Result<Severity> {
    Severity::from_name(value.get_ref()).ok_or_else(|| Error::Rule {
        file: name.to_string(),
        line: line_of(text, value.span().start),
        field: field.to_string(),
        message: format!(
            "unknown severity {:?} (expected info, low, medium, high or critical)",
            value.get_ref()
        ),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `docs/rule-authoring.md` lists every fact kind with the fields the loader accepts, and
    /// the names in error messages read as a list.
    #[test]
    fn rule_authoring_lists_every_fact() {
        let doc = include_str!("../../../docs/rule-authoring.md");
        for (kind, fields) in crate::model::host::FACTS {
            let row = format!("| `{kind}` | {} |", fields.join(", "));
            assert!(doc.contains(&row), "{row}");
        }
        assert_eq!(
            one_of(&observation_names("event")),
            "oom-kill, hung-task or go-crash"
        );
        assert_eq!(one_of(&["lock"]), "lock");
        assert_eq!(
            observation_fields("fact", "daemon-restarted"),
            Some(vec!["starts", "subject", "summary"])
        );
        assert_eq!(observation_fields("fact", "oom-kill"), None);
        assert_eq!(observation_fields("event", "orphaned-shim"), None);
    }

    #[test]
    fn syntax_errors_name_the_line() {
        let text = "id = \"x\"\ntitle = \"t\"\nseverity = \"high\"\nsummary = \nexplanation=\"\"";
        match parse_rule("user/x.toml", text) {
            Err(Error::Rule { file, line, .. }) => {
                assert_eq!(file, "user/x.toml");
                assert_eq!(line, 4);
            }
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn unknown_fields_are_named() {
        let text = r#"id = "x"
title = "t"
severity = "high"
summary = "s"
explanation = "e"
remediation = "r"
[[evidence]]
id = "a"
kind = "log"
describe = "d"
patern = "x"
"#;
        match parse_rule("x.toml", text) {
            Err(Error::Rule { line, field, .. }) => {
                assert_eq!(line, 11);
                assert_eq!(field, "patern");
            }
            other => panic!("unexpected {other:?}"),
        }
    }
}
