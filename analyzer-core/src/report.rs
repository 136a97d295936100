//! Findings and the report: what analysis produces and every renderer reads.
//!
//! The JSON shape of [`Report`] is a stable contract for ticket tooling (see
//! `docs/json-schema.md`); renderers for the terminal, Markdown and HTML live in submodules.

pub mod html;
pub mod markdown;
pub mod svg;
pub mod text;

use serde::{Deserialize, Serialize};

use crate::input::{InputInfo, Warning};
use crate::model::Timestamp;

/// Version of the JSON contract. Bumped only on incompatible changes.
pub const SCHEMA_VERSION: u32 = 1;

/// The result of `analyze`: ranked findings with their evidence, warnings and statistics.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Report {
    /// [`SCHEMA_VERSION`].
    pub schema_version: u32,
    /// Which tool and version produced the report.
    pub tool: Tool,
    /// The inputs as given.
    pub inputs: Vec<InputInfo>,
    /// Root causes first; findings they explain are nested in [`Finding::explains`].
    pub findings: Vec<Finding>,
    /// What could not be read or was cut short.
    pub warnings: Vec<Warning>,
    /// Volume and time.
    pub stats: Stats,
}

/// The producing tool.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Tool {
    /// Always `nodemortem`.
    pub name: String,
    /// The crate version.
    pub version: String,
}

impl Default for Tool {
    fn default() -> Self {
        Tool {
            name: "nodemortem".into(),
            version: env!("CARGO_PKG_VERSION").into(),
        }
    }
}

/// One diagnosis: a rule that fired, how sure it is, and the lines that prove it.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Finding {
    /// The rule id (`volume-remove-lock`).
    pub rule: String,
    /// The rule's title.
    pub title: String,
    /// How bad the diagnosed condition is.
    pub severity: Severity,
    /// Confidence 0–100 from the evidence present.
    pub score: u8,
    /// One sentence with the concrete numbers: who, what, how many, since when.
    pub summary: String,
    /// The lines that made the rule fire, most telling first.
    pub evidence: Vec<Evidence>,
    /// What the rule looked for and did not find.
    pub missing: Vec<String>,
    /// What to do.
    pub remediation: String,
    /// Upstream issues, pull requests, fixed versions.
    pub references: Vec<String>,
    /// Findings this one explains (consequences of this cause).
    pub explains: Vec<Finding>,
}

/// One line of evidence.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct Evidence {
    /// Path of the member inside the bundle.
    pub path: String,
    /// 1-based line number in the member (0 when the evidence is not a line, e.g. a derived fact).
    pub line: u32,
    /// Time of the line, normalised to UTC, when known.
    pub time: Option<Timestamp>,
    /// The line, trimmed (long lines shortened in the middle).
    pub text: String,
    /// Byte range of the matched part within `text`, for highlighting.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub highlight: Option<(usize, usize)>,
    /// The evidence item of the rule this line satisfies (`oom-victim`, `holder`).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub label: String,
}

/// Severity of a finding.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Informational.
    Info,
    /// Worth knowing.
    Low,
    /// Degrades the node.
    Medium,
    /// Breaks workloads.
    High,
    /// Breaks the node.
    Critical,
}

impl Severity {
    /// The lowercase name.
    pub fn name(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }

    /// Parses a lowercase name.
    pub fn from_name(s: &str) -> Option<Severity> {
        Some(match s {
            "info" => Severity::Info,
            "low" => Severity::Low,
            "medium" => Severity::Medium,
            "high" => Severity::High,
            "critical" => Severity::Critical,
            _ => return None,
        })
    }
}

/// Volume and timing of a run.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Stats {
    /// Members read (parsed, not skipped).
    pub members: u64,
    /// Log records parsed.
    pub records: u64,
    /// Decompressed bytes read.
    pub bytes: u64,
    /// Wall-clock seconds.
    pub seconds: f64,
    /// Earliest record time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first: Option<Timestamp>,
    /// Latest record time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last: Option<Timestamp>,
    /// Set when a limit (time budget, size) cut the analysis short: results are partial.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub partial: bool,
}

impl Finding {
    /// Highest severity among this finding and the ones it explains.
    pub fn max_severity(&self) -> Severity {
        self.explains
            .iter()
            .map(Finding::max_severity)
            .fold(self.severity, Severity::max)
    }
}
