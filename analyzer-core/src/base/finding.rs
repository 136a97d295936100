//! Findings: a rule that fired, how bad and how sure, and the lines of evidence that prove it.
//! The rules engine makes them, the report carries and renders them.

use serde::{Deserialize, Serialize};

use crate::base::time::Timestamp;

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

impl Finding {
    /// Highest severity among this finding and the ones it explains.
    pub fn max_severity(&self) -> Severity {
        self.explains
            .iter()
            .map(Finding::max_severity)
            .fold(self.severity, Severity::max)
    }
}
